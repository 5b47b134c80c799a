"""The open-data page: each coalition's public files (IATI 2.03 activities, OCDS 1.1 releases and records, the flat
table of flows) with their licence, when the record last changed what they hold, their size and SHA-256; the files
themselves; and an Atom feed of public contributions and steering decisions.

Every file here is the public's, whoever downloads it: a signed-in user gets what they may see from the API's
exports instead. A file is stamped with the record's last change rather than the clock, so the same record gives
the same bytes and the SHA-256 on the page is the one of the file downloaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from coalition.domain.access import PUBLIC_ACTOR, can
from coalition.domain.errors import NotFound, PermissionDenied, refusal
from coalition.entrypoints.api.core import CodeInPath
from coalition.entrypoints.web.core import Viewer, render, said, viewer
from coalition.entrypoints.web.i18n import N_
from coalition.services import registry
from coalition.services.views import open_data
from coalition.services.views.open_contracting import procurement_record

router = APIRouter(include_in_schema=False)
WhoDep = Annotated[Viewer, Depends(viewer)]


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str  # the file's name on the page's address
    title: str  # what it is, to translate
    standard: str
    media_type: str


DATASETS = (
    Dataset("iati.xml", N_("Activities and their transactions"), "IATI 2.03", "application/xml"),
    Dataset("ocds-releases.json", N_("Procurement: one release per act of each case"), "OCDS 1.1 release package",
            "application/json"),
    Dataset("ocds-records.json", N_("Procurement: one record per case, merged from its releases"),
            "OCDS 1.1 record package", "application/json"),
    Dataset("flows.csv", N_("Flows: pledges, commitments and receipts"), "CSV", "text/csv; charset=utf-8"),
    Dataset("flows.xlsx", N_("Flows: pledges, commitments and receipts"), "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    Dataset("flows.json", N_("Flows: pledges, commitments and receipts"), "JSON", "application/json"),
)
BY_NAME = {d.name: d for d in DATASETS}


@dataclass(frozen=True, slots=True)
class Published:
    """A public file as served: its bytes, when the record last changed what it holds, its SHA-256."""

    dataset: Dataset
    content: bytes
    changed: datetime

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True, slots=True)
class Unpublished:
    """A dataset the page lists without a file, and why (to translate)."""

    dataset: Dataset
    why: str


def _base(request: Request, coalition: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/open-data/{coalition}/"


def published(request: Request, who: Viewer, coalition: str, dataset: Dataset) -> Published:
    """The public file ``dataset`` of ``coalition``, the same bytes for every caller while the record stands."""
    platform = who.platform
    if dataset.name == "iati.xml":
        iati = open_data.iati_activities(who.read(), PUBLIC_ACTOR, coalition, published=True)
        return Published(dataset, platform.iati_file(iati), iati.generated_at)
    if dataset.name.startswith("flows."):
        flows = open_data.flows(who.read(), PUBLIC_ACTOR, coalition, published=True)
        return Published(dataset, platform.flows_file(flows, dataset.name.removeprefix("flows."))[0],
                         flows.generated_at)
    record = procurement_record(who.read(), PUBLIC_ACTOR, coalition, ocid_prefix=platform.settings.ocid_prefix)
    base = _base(request, coalition)
    releases, records = platform.ocds_packages(record, base + "ocds-releases.json", base + "ocds-records.json")
    text = releases if dataset.name == "ocds-releases.json" else records
    changed = datetime.fromisoformat(json.loads(releases)["publishedDate"].replace("Z", "+00:00"))
    return Published(dataset, text.encode("utf-8"), changed)


def is_public(coalition: str, dataset: Dataset) -> bool:
    """Whether the public may have the file: a coalition's procurement (OCDS) only where the public may read its
    funding, as the API's export asks; its activities and flows always (holding public records only)."""
    return not dataset.name.startswith("ocds-") or can(PUBLIC_ACTOR, "read_funding", coalition).allowed


def _listed(request: Request, who: Viewer, coalition: str, dataset: Dataset) -> Published | Unpublished:
    if not is_public(coalition, dataset):
        return Unpublished(dataset, N_("Not published: the coalition's procurement is visible to its members only "
                                       "(signed in, a member gets it from the API's OCDS export)."))
    try:
        return published(request, who, coalition, dataset)
    except NotFound:
        return Unpublished(dataset, N_("Nothing to publish yet."))


@router.get("/open-data", response_class=HTMLResponse)
def open_data_page(request: Request, who: WhoDep) -> Response:
    coalitions = registry.list_coalitions(who.read(), PUBLIC_ACTOR)
    files = {c.code: [_listed(request, who, c.code, d) for d in DATASETS] for c in coalitions}
    settings = who.platform.settings
    return render(request, who, "open_data.html", coalitions=coalitions, files=files,
                  licence=settings.open_data_licence, licence_url=settings.open_data_licence_url)


@router.get("/open-data/feed.atom")
def feed(request: Request, who: WhoDep) -> Response:
    """The latest public contributions and decisions of every coalition, in the viewer's language."""
    base = str(request.base_url).rstrip("/")
    entries = open_data.public_feed(who.read())
    fmt = who.fmt
    atom = []
    for e in entries:
        c = e.coalition
        if e.contribution is not None:
            money = e.contribution
            title = who.gettext("%(donor)s: %(kind)s of %(amount)s to %(coalition)s", donor=e.donor_name,
                                kind=who.gettext(money.kind.value), amount=fmt.money(money.amount),
                                coalition=c.name)
            summary = who.gettext("Value date %(day)s, fund %(fund)s, earmark %(earmark)s.",
                                  day=fmt.day(money.value_date), fund=money.fund,
                                  earmark=who.gettext(money.earmark.label))
            atom.append(open_data.AtomEntry(f"urn:coalition:{c.code}:contribution:{money.id}", title, summary,
                                            e.updated, f"{base}/coalitions/{c.code}/ledger", "contribution"))
        elif e.decision is not None:
            p = e.decision
            outcome = p.outcome.value if p.outcome is not None else ""
            title = who.gettext("%(coalition)s decided: %(title)s (%(outcome)s)", coalition=c.name, title=p.title,
                                outcome=who.gettext(outcome))
            summary = said(who.language, p.reason) if p.reason else title
            atom.append(open_data.AtomEntry(f"urn:coalition:{c.code}:decision:{p.id}", title, summary, e.updated,
                                            f"{base}/proposals/{p.id}", "decision"))
    settings = who.platform.settings
    updated = max((e.updated for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    document = open_data.AtomFeed(
        "urn:coalition:open-data:feed", who.gettext("Coalition: public contributions and decisions"),
        "Coalition", f"{settings.open_data_licence} ({settings.open_data_licence_url})", who.language, updated,
        f"{base}/open-data/feed.atom", f"{base}/open-data", tuple(atom))
    return Response(who.platform.atom_feed(document), media_type="application/atom+xml; charset=utf-8")


@router.get("/open-data/{coalition}/{name}")
def open_data_file(request: Request, who: WhoDep, coalition: CodeInPath, name: str) -> Response:
    dataset = BY_NAME.get(name)
    if dataset is not None and not is_public(coalition, dataset):
        raise refusal(PermissionDenied, "the procurement of {coalition} is visible to its members only: a member "
                      "signed in gets it from the API's OCDS export", field="name", coalition=coalition)
    if dataset is None:
        raise refusal(NotFound, "there is no open-data file '{name}' (there are: {names})", field="name", name=name,
                      names=", ".join(BY_NAME))
    found = published(request, who, coalition, dataset)
    return Response(found.content, media_type=dataset.media_type, headers={
        "Content-Disposition": f'attachment; filename="{coalition}-{name}"', "ETag": f'"{found.sha256}"',
        "Last-Modified": found.changed.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")})
