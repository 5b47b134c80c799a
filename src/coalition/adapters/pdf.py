"""HTML to PDF with WeasyPrint: the printed reports are laid out in HTML and CSS (paged media: page size, running
header and footer, page counters) and drawn with the system's fonts; nothing is fetched from the network."""

from __future__ import annotations

from weasyprint import HTML, urls


def _no_fetching(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """Refuse every outside resource (WeasyPrint before URLFetcher: a fetcher is a function)."""
    raise ValueError(f"a printed report loads nothing from outside it ({url})")


# A report is drawn from its own HTML (inline SVG and CSS) only: a fetcher that allows no protocol at all.
NO_FETCHING: object = urls.URLFetcher(allowed_protocols=()) if hasattr(urls, "URLFetcher") else _no_fetching


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (a reference to anything outside it is left out, unfetched)."""
    document = HTML(string=html, url_fetcher=NO_FETCHING)
    pdf = document.write_pdf()  # to no target: the bytes
    if not isinstance(pdf, bytes):
        raise TypeError("WeasyPrint returned no PDF")
    return pdf
