"""The pages' message catalog: every text of the templates and page code, and every stored value shown
as words (stages, roles, states), gathered with Babel; ``make messages`` refreshes the translations.

Run as ``python -m coalition.entrypoints.web.messages``: it writes ``locale/messages.pot`` and merges
it into each language's ``messages.po`` (new texts arrive untranslated; the tests then name them).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po, write_po

from coalition.domain.access import PERMISSIONS, REFUSAL_REASONS, Role
from coalition.domain.allocation import Policy
from coalition.domain.coalition import MembershipRole
from coalition.domain.contributions import ContributionKind, EarmarkKind, FundingRoute, Visibility
from coalition.domain.delivery import Condition, ShipmentState
from coalition.domain.documents import RecordType
from coalition.domain.fx import SAME_CURRENCY
from coalition.domain.identity import LANGUAGES
from coalition.domain.innovation import (
    CallKind,
    EvidenceKind,
    GateAuthority,
    ProjectDomain,
    ProjectStage,
    ScoringMethod,
)
from coalition.domain.instrument import InstrumentKind
from coalition.domain.intake import EventKind
from coalition.domain.intake_queue import COMPARISONS, INTAKE_TEXTS, ProposalStatus, Standing
from coalition.domain.intake_queue import TEXTS as INTAKE_QUEUE_TEXTS
from coalition.domain.ledger import Measure, PledgeStatus
from coalition.domain.notifications import MESSAGES, WORDS
from coalition.domain.offers import TEXTS as OFFER_TEXTS
from coalition.domain.offers import OfferAnswer
from coalition.domain.packages import TEXTS as PACKAGE_TEXTS
from coalition.domain.packages import PackageState
from coalition.domain.planning import PlanState
from coalition.domain.procurement import PRICE, CaseStage, EvaluationMethod, TenderProcedure, TenderState
from coalition.domain.requirements import ListState, RequirementStatus
from coalition.domain.search import SearchKind
from coalition.domain.steering import REASONS, WHERE, Outcome, Procedure, ProposalKind, ProposalState, Vote
from coalition.entrypoints.web.i18n import DEFAULT, LOCALE_DIR
from coalition.services.intake_queue import RESULTS as INTAKE_RESULTS
from coalition.services.intake_queue import TEXTS as INTAKE_SERVICE_TEXTS
from coalition.services.offers import TEXTS as OFFER_SERVICE_TEXTS
from coalition.services.packages import TEXTS as PACKAGE_SERVICE_TEXTS
from coalition.services.proposal_kinds import EFFECTS

HERE = Path(__file__).parent
# Stored values the pages show through the 'label' filter; each needs words in every language.
LABELLED: tuple[type[StrEnum], ...] = (
    Measure, MembershipRole, InstrumentKind, ContributionKind, Visibility, FundingRoute, Policy, PlanState,
    ListState, RequirementStatus, ProposalKind, ProposalState, Outcome, Procedure, Vote, CaseStage, Condition,
    ShipmentState, CallKind, ProjectDomain, ProjectStage, GateAuthority, EvidenceKind, ScoringMethod, PackageState,
    OfferAnswer, PledgeStatus, EventKind, ProposalStatus, Standing, RecordType, EvaluationMethod, TenderProcedure,
    TenderState, EarmarkKind, SearchKind)
# Refusals raised with a template (domain.errors.refusal), which the pages show in the reader's language.
REFUSALS: tuple[str, ...] = (*REFUSAL_REASONS, *PACKAGE_TEXTS, *OFFER_TEXTS, *PACKAGE_SERVICE_TEXTS,
                              *OFFER_SERVICE_TEXTS, *REASONS, *EFFECTS, *COMPARISONS, *INTAKE_TEXTS,
                              *INTAKE_QUEUE_TEXTS, *INTAKE_SERVICE_TEXTS, *INTAKE_RESULTS,
                              *(text for pair in MESSAGES.values() for text in pair), *WORDS.values())
EXTRA_LABELS = ("delivered", "delivered-in-kind", "queued", "starting", "validating", "writing", "done", "rejected",
                "failed", "no earmark", PRICE, SAME_CURRENCY, *WHERE, *(role.label for role in MembershipRole),
                " or ", *(role.value for role in Role), *(action.replace("_", " ") for action in PERMISSIONS))
# ... and those whose template is written where they are raised: ``refusal(Kind, "template", ...)`` in these layers
# and in the pages.
REFUSING = tuple(HERE.parent.parent / layer for layer in ("domain", "services", "entrypoints/web"))
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false", "silent": "false"}}


def _labels() -> Iterator[str]:
    for kind in LABELLED:
        for member in kind:
            yield member.value
    yield from EXTRA_LABELS


def template_catalog() -> Catalog:
    """Every message of the pages, as Babel finds them, plus the labels of stored values."""
    catalog = Catalog(project="Coalition", domain="messages", creation_date=datetime(2026, 1, 1, tzinfo=UTC),
                      fuzzy=False)
    for filename, line, message, comments, _context in extract_from_dir(
            HERE, METHODS, keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}, options_map=OPTIONS):
        catalog.add(message, None, [(filename, line)], auto_comments=comments)
    for source in sorted(path for layer in REFUSING for path in layer.rglob("*.py")):
        with source.open("rb") as code:
            for line, _function, said, _comments in extract_python(code, {"refusal": (2,)}, [], {}):
                template = said[1] if isinstance(said, tuple) else said
                if isinstance(template, str) and template not in catalog:
                    catalog.add(template, None, [(str(source.relative_to(HERE.parent.parent)), line)],
                                flags=("python-brace-format",))
    for value in _labels():
        if value not in catalog:
            catalog.add(value, None, [("labels", 0)])
    for text in REFUSALS:
        if text not in catalog:
            catalog.add(text, None, [("refusals", 0)], flags=("python-brace-format",))
    return catalog


def refresh() -> list[Path]:
    template = template_catalog()
    written = [LOCALE_DIR / "messages.pot"]
    with written[0].open("wb") as out:
        write_po(out, template, omit_header=False, width=120, no_location=False, sort_output=True)
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=language)
        else:
            catalog = Catalog(locale=language, project="Coalition", domain="messages", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        with path.open("wb") as out:
            write_po(out, catalog, omit_header=False, width=120, sort_output=True, ignore_obsolete=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in refresh():
        sys.stdout.write(f"wrote {path}\n")
