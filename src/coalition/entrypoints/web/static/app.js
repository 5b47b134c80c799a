/* Coalition's pages: charts from the JSON options the server put in the page, and htmx glue.
   No data leaves the server and nothing is loaded from elsewhere. */
(function () {
  "use strict";
  var charts = [];

  function drawCharts(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll(".chart[data-option]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var source = document.getElementById(el.dataset.option);
      if (!source) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.drawn = "1";
      charts.push(chart);
    });
  }

  /* On a phone the header's menu starts folded; wider, it is always open (its summary is hidden there). */
  var menu = document.querySelector("details.menu");
  if (menu && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 700px)");
    var fit = function () { menu.open = !narrow.matches; };
    fit();
    narrow.addEventListener("change", fit);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });

  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });

  /* An error answered with a page fragment (a refused import, say) is shown, not dropped. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && (xhr.getResponseHeader("Content-Type") || "").indexOf("text/html") === 0) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  /* The upload's own progress, before the import's. */
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("upload-progress");
    if (!bar || !event.detail.lengthComputable) { return; }
    bar.hidden = false;
    bar.value = Math.round(event.detail.loaded / event.detail.total * 100);
  });

  /* The language list switches as soon as a language is chosen; the button stays for keyboards without scripts. */
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "language") { event.target.form.requestSubmit(); }
  });
})();
