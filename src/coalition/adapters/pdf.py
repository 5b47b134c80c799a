"""HTML to PDF with WeasyPrint: the printed reports are laid out in HTML and CSS (paged media: page size, running
header and footer, page counters) and drawn with the system's fonts; nothing is fetched from the network."""

from __future__ import annotations

from weasyprint import HTML


def _no_fetching(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """Refuse every outside resource: a report is drawn from its own HTML (inline SVG and CSS) only."""
    raise ValueError(f"a printed report loads nothing from outside it ({url})")


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document."""
    document = HTML(string=html, url_fetcher=_no_fetching)
    pdf = document.write_pdf()  # to no target: the bytes
    if not isinstance(pdf, bytes):
        raise TypeError("WeasyPrint returned no PDF")
    return pdf
