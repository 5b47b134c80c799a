"""The printed reports: the coalition funding report and the donor statement as PDF, in English or Ukrainian.

Each is read by one service call with the viewer's actor (the same reads and masking as the pages and the API),
laid out as HTML for print from the templates ``print_*.html`` (CSS paged media: A4, a running header and footer
with the report's day, the as-of day, the time it was produced and the audit head it was read from, and "Page X of
Y"), with its charts drawn on the server as inline SVG, then turned into PDF by the platform (WeasyPrint). The
command line, the API and the web pages all print through here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from markupsafe import Markup

from coalition.bootstrap import Platform
from coalition.domain.access import Actor
from coalition.domain.ledger import Measure
from coalition.domain.money import Money
from coalition.entrypoints.web.core import ENVIRONMENTS
from coalition.entrypoints.web.i18n import N_, Formats, translations
from coalition.entrypoints.web.svg import Series, bars
from coalition.services.confidentiality import RESTRICTED
from coalition.services.views.funding import FundingReport
from coalition.services.views.priorities import Coverage
from coalition.services.views.reports import DonorDocument, FundingDocument, donor_document, funding_document

PAGE_OF = N_("Page %(page)s of %(pages)s")
N_("(restricted)")  # the name in place of donors and earmarks the viewer may not see (services.confidentiality)
MEDIA_TYPE = "application/pdf"


def _page_counter(language: str) -> Markup:
    """The CSS ``content`` of the page counter, "Page X of Y" in ``language``."""
    parts = re.split(r"%\((pages?)\)s", translations(language).gettext(PAGE_OF))
    content = []
    for index, part in enumerate(parts):
        if index % 2:
            content.append(f"counter({part})")
        elif part:
            quoted = part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            content.append(f'"{quoted}"')
    return Markup(" ".join(content))  # noqa: S704 - quoted for CSS above


class _Words:
    """The translations and formats of one language, for the charts' labels and amounts."""

    def __init__(self, language: str) -> None:
        self.fmt = Formats(language)
        self._catalog = translations(language)

    def __call__(self, message: str, **values: object) -> str:
        text = self._catalog.gettext(message)
        return text % values if values else text

    def measure(self, measure: Measure) -> str:
        return self._catalog.gettext(measure.value).replace("-", " ")

    def donor(self, code: str) -> str:
        return self(code) if code == RESTRICTED else self.fmt.country(code) if len(code) == 2 else code

    def money_of(self, currency: str) -> Callable[[Decimal], str]:
        return lambda value: self.fmt.money(Money(value, currency))


def _stages_chart(words: _Words, report: FundingReport, title: str) -> Markup:
    """How much money reached each stage, from received to disbursed: each at most the one before."""
    rc = report.reporting_currency
    return bars(title, [words.measure(m) for m in report.reached],
                [Series(rc, [v.amount for v in report.reached.values()])], words.money_of(rc))


def _donors_chart(words: _Words, report: FundingReport) -> Markup | None:
    """Pledged and received per donor (all earmarks and currencies), in the reporting currency."""
    rc = report.reporting_currency
    pledged: dict[str, Decimal] = defaultdict(Decimal)
    received: dict[str, Decimal] = defaultdict(Decimal)
    for line in report.lines:
        pledged[line.donor] += line.reporting[Measure.PLEDGED].amount
        received[line.donor] += line.reporting[Measure.RECEIVED].amount
    donors = sorted(pledged, key=lambda d: (d == RESTRICTED, -pledged[d], d))
    if not donors:
        return None
    return bars(words(N_("Pledged and received by donor, in %(currency)s"), currency=rc),
                [words.donor(d) for d in donors],
                [Series(words.measure(Measure.PLEDGED), [pledged[d] for d in donors]),
                 Series(words.measure(Measure.RECEIVED), [received[d] for d in donors])],
                words.money_of(rc))


COVERAGE_RANKS = 30  # the ranks the coverage chart draws (the table lists all)


def _coverage_chart(words: _Words, found: Coverage) -> Markup:
    """Per rank: the money secured for it (reserved, contracted or paid, given in kind) and what is missing."""
    ranks = found.ranks[:COVERAGE_RANKS]
    currency = found.available.currency
    return bars(words(N_("Coverage per rank, in %(currency)s"), currency=currency),
                [f"{r.rank}. {r.requirement.code}" for r in ranks],
                [Series(words(N_("secured")), [r.cost.amount - r.missing.amount for r in ranks]),
                 Series(words(N_("missing")), [r.missing.amount for r in ranks])],
                words.money_of(currency))


def funding_html(document: FundingDocument, language: str) -> str:
    """The funding report laid out for print."""
    words = _Words(language)
    report = document.report
    charts = [_stages_chart(words, report, words(N_("Money that reached each stage, in %(currency)s"),
                                                  currency=report.reporting_currency))]
    by_donor = _donors_chart(words, report)
    if by_donor is not None:
        charts.append(by_donor)
    coverage = document.coverage
    coverage_chart = _coverage_chart(words, coverage) if coverage is not None and coverage.ranks else None
    page = ENVIRONMENTS[language].get_template("print_funding.html")
    return page.render(document=document, report=report, charts=charts, coverage=coverage,
                       coverage_chart=coverage_chart, fmt=words.fmt, language=language,
                       page_counter=_page_counter(language), on=report.on, head=document.head,
                       produced_at=document.produced_at, donor_name=words.donor)


def donor_html(document: DonorDocument, language: str) -> str:
    """The donor statement laid out for print."""
    words = _Words(language)
    statement = document.statement
    title = N_("%(coalition)s: money that reached each stage, in %(currency)s")
    charts = {code: _stages_chart(words, part, words(title, coalition=code, currency=part.reporting_currency))
              for code, part in statement.coalitions.items()}
    bought = {}
    for found in statement.procurement:
        stages = [(words(N_("contracted")), found.total_contracted), (words(N_("paid")), found.total_paid),
                  (words(N_("delivered")), found.total_delivered)]
        bought[found.coalition] = bars(
            words(N_("What the money bought in %(coalition)s, in %(currency)s"), coalition=found.coalition,
                  currency=found.currency),
            [name for name, _ in stages], [Series(found.currency, [m.amount for _, m in stages])],
            words.money_of(found.currency))
    page = ENVIRONMENTS[language].get_template("print_donor.html")
    return page.render(document=document, statement=statement, charts=charts, bought=bought, fmt=words.fmt,
                       language=language, page_counter=_page_counter(language), on=statement.on,
                       head=document.head, produced_at=document.produced_at, donor_name=words.donor)


def funding_pdf(platform: Platform, actor: Actor, coalition: str, on: date | None, language: str) -> bytes:
    """The coalition's funding report as ``actor`` may see it (as of ``on``), as PDF in ``language``."""
    document = funding_document(platform.uow(read_only=True), actor, coalition, on)
    return platform.pdf(funding_html(document, language))


def donor_pdf(platform: Platform, actor: Actor, donor: str, on: date | None, language: str) -> bytes:
    """A donor's statement as ``actor`` may see it (as of ``on``), as PDF in ``language``."""
    document = donor_document(platform.uow(read_only=True), actor, donor, on=on)
    return platform.pdf(donor_html(document, language))


def file_name(kind: str, code: str, on: date | None, language: str) -> str:
    """The name a downloaded report is saved under, e.g. ``it-coalition-funding-2024-03-06-uk.pdf``."""
    return f"{code}-{kind}{'' if on is None else '-' + on.isoformat()}-{language}.pdf"
