"""The registry over HTTP: parties, coalitions, funds, members, instruments; and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field, Strict

from coalition.bootstrap import Platform, signing_key_id
from coalition.domain.audit import AuditQuery, AuditRecord, ChainReport, Checkpoint
from coalition.domain.coalition import Coalition, DecisionRules, Fund, MembershipRole
from coalition.domain.identifiers import IdScheme, PartyIdentifier
from coalition.domain.instrument import Instrument, InstrumentKind, Signature
from coalition.domain.limits import MAX_ID
from coalition.domain.membership import MembershipChange
from coalition.domain.party import Party, PartyKind
from coalition.entrypoints.api.core import (
    Body,
    CallerDep,
    Code,
    CodeInPath,
    CodeInQuery,
    Currency,
    Cursor,
    Day,
    DayInQuery,
    Flag,
    FlagInQuery,
    Limit,
    Moment,
    Name,
    Note,
    Offset,
    Page,
    RateLimited,
    Routes,
    Title,
    page_of,
)
from coalition.services import audit
from coalition.services import registry as svc
from coalition.services.registry import CoalitionView, InstrumentView, MemberView

api = Routes("registry")
signature_holds = Platform.signature_holds
router = api.router


class NewParty(Body):
    code: Code
    kind: PartyKind
    name: Name
    name_uk: Name | None = None
    country: Annotated[str | None, Field(pattern=r"^[A-Z]{2}$")] = None
    illustrative: Flag = False


@api.get("/parties", Page[Party], summary="List parties")
def list_parties(who: CallerDep, kind: PartyKind | None = None, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of(svc.list_parties(who.read(), who.actor, kind), offset, limit)


@api.get("/parties/{code}", Party, summary="One party")
def get_party(who: CallerDep, code: CodeInPath) -> object:
    return svc.get_party(who.read(), who.actor, code)


@api.post("/parties", Party, summary="Register a party")
def register_party(body: NewParty, who: CallerDep) -> object:
    party = Party(body.code, body.kind, body.name, body.name_uk, body.country, body.illustrative)
    return svc.register_party(who.write(), who.actor, party)


class NewIdentifier(Body):
    scheme: IdScheme
    id: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/ -]*$",
                             examples=["XM-DAC-7"])]


@api.get("/parties/{code}/identifiers", list[PartyIdentifier], summary="A party's identifiers in the crosswalk")
def party_identifiers(who: CallerDep, code: CodeInPath) -> object:
    return svc.party_identifiers(who.read(), who.actor, code)


@api.post("/parties/{code}/identifiers", PartyIdentifier, summary="Record a party's identifier in one scheme")
def identify_party(code: CodeInPath, body: NewIdentifier, who: CallerDep) -> object:
    return svc.identify_party(who.write(), who.actor, PartyIdentifier(code, body.scheme, body.id))


class NewCoalition(Body):
    code: Code
    name: Name
    capability_area: Name
    framework: Name
    recipient: Code
    founded_on: Day
    founded_at: Name
    reporting_currency: Currency = "EUR"
    rules: dict[str, Any] = Field(default_factory=dict, description="Decision rules: method, quorum, threshold, "
                                  "voting_roles, validating_authority, secretariat_may_approve, excess (refuse or "
                                  "flag money beyond a promise), ...")
    illustrative: Flag = False


@api.get("/coalitions", Page[Coalition], summary="List coalitions")
def list_coalitions(who: CallerDep, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of(svc.list_coalitions(who.read(), who.actor), offset, limit)


@api.get("/coalitions/{code}", CoalitionView, summary="A coalition with its funds, instruments and members")
def get_coalition(who: CallerDep, code: CodeInPath, on: DayInQuery = None) -> object:
    uow = who.read()
    day = on or who.platform.clock().date()
    return svc.coalition_view(uow, who.actor, code, day)


@api.post("/coalitions", Coalition, summary="Create a coalition")
def create_coalition(body: NewCoalition, who: CallerDep) -> object:
    coalition = Coalition(body.code, body.name, body.capability_area, body.framework, body.recipient, body.founded_on,
                          body.founded_at, body.reporting_currency, DecisionRules.from_data(body.rules),
                          body.illustrative)
    return svc.create_coalition(who.write(), who.actor, coalition)


class NewFund(Body):
    code: Code
    name: Name
    custodian: Code
    currency: Currency
    illustrative: Flag = False


@api.get("/coalitions/{coalition}/funds", Page[Fund], summary="A coalition's funds")
def list_funds(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50) -> object:
    return page_of(svc.list_funds(who.read(), who.actor, coalition), offset, limit)


@api.post("/coalitions/{coalition}/funds", Fund, summary="Add a fund")
def add_fund(body: NewFund, who: CallerDep, coalition: CodeInPath) -> object:
    fund = Fund(body.code, coalition, body.name, body.custodian, body.currency, body.illustrative)
    return svc.add_fund(who.write(), who.actor, fund)


class Admission(Body):
    party: Code
    role: MembershipRole
    on: Day
    instrument: Code | None = None
    note: Note = ""
    illustrative: Flag = False


class RoleChange(Body):
    role: MembershipRole
    on: Day
    instrument: Code | None = None
    note: Note = ""


class Departure(Body):
    on: Day
    note: Note = ""


@api.get("/coalitions/{coalition}/members", Page[MemberView], summary="Members on a day (today by default)")
def list_members(who: CallerDep, coalition: CodeInPath, on: DayInQuery = None, offset: Offset = 0,
                 limit: Limit = 50) -> object:
    found = svc.members_on(who.read(), who.actor, coalition, on or who.platform.clock().date())
    return page_of(found, offset, limit)


@api.get("/coalitions/{coalition}/membership-changes", Page[MembershipChange], summary="Every membership change")
def membership_history(who: CallerDep, coalition: CodeInPath, party: CodeInQuery = None, offset: Offset = 0,
                       limit: Limit = 50) -> object:
    found = svc.membership_history(who.read(), who.actor, coalition, party)
    return page_of(found, offset, limit)


@api.post("/coalitions/{coalition}/members", MembershipChange, summary="Admit a member")
def admit_member(body: Admission, who: CallerDep, coalition: CodeInPath) -> object:
    change = svc.admit_member(who.write(), who.actor, coalition=coalition, party=body.party, role=body.role,
                              on=body.on, instrument=body.instrument, note=body.note,
                              illustrative=body.illustrative)
    return change


@api.post("/coalitions/{coalition}/members/{party}/role-changes", MembershipChange,
             summary="Record a member's new role")
def change_role(body: RoleChange, who: CallerDep, coalition: CodeInPath, party: CodeInPath) -> object:
    change = svc.change_member_role(who.write(), who.actor, coalition=coalition, party=party, role=body.role,
                                    on=body.on, instrument=body.instrument, note=body.note)
    return change


@api.post("/coalitions/{coalition}/members/{party}/departure", MembershipChange,
             summary="Record that a member left")
def departure(body: Departure, who: CallerDep, coalition: CodeInPath, party: CodeInPath) -> object:
    change = svc.record_departure(who.write(), who.actor, coalition=coalition, party=party, on=body.on,
                                  note=body.note)
    return change


class NewInstrument(Body):
    code: Code
    kind: InstrumentKind
    title: Title
    term_start: Day
    term_end: Day | None = None
    illustrative: Flag = False


class NewSignature(Body):
    party: Code
    signed_on: Day
    illustrative: Flag = False


@api.get("/coalitions/{coalition}/instruments", Page[InstrumentView], summary="A coalition's legal instruments")
def list_instruments(who: CallerDep, coalition: CodeInPath, offset: Offset = 0, limit: Limit = 50) -> object:
    found = svc.list_instruments(who.read(), who.actor, coalition)
    return page_of(found, offset, limit)


@api.get("/instruments/{code}", InstrumentView, summary="An instrument and its signatures")
def get_instrument(who: CallerDep, code: CodeInPath) -> object:
    return svc.get_instrument(who.read(), who.actor, code)


@api.post("/coalitions/{coalition}/instruments", Instrument,
             summary="Record a legal instrument")
def record_instrument(body: NewInstrument, who: CallerDep, coalition: CodeInPath) -> object:
    instrument = Instrument(body.code, coalition, body.kind, body.title, body.term_start, body.term_end,
                            body.illustrative)
    return svc.record_instrument(who.write(), who.actor, instrument)


@api.post("/instruments/{code}/signatures", Signature, summary="Add a signatory")
def add_signatory(body: NewSignature, who: CallerDep, code: CodeInPath) -> object:
    signature = svc.add_signatory(who.write(), who.actor, instrument=code, party=body.party,
                                  signed_on=body.signed_on, illustrative=body.illustrative)
    return signature


# --- audit -------------------------------------------------------------------------------------------------------


AuditText = Annotated[str | None, Query(min_length=1, max_length=200)]


@api.get("/audit", Page[AuditRecord], cursor="seq", summary="The audit log, oldest first after a sequence number "
         "(newest first before one with newest_first=true), filtered by actor, action, record and the days recorded "
         "(UTC)")
def audit_log(who: CallerDep, after: Cursor = None, limit: Limit = 50, actor: AuditText = None,
              action: AuditText = None, record_type: AuditText = None, record: AuditText = None,
              since: DayInQuery = None, until: DayInQuery = None, newest_first: FlagInQuery = False,
              before: Cursor = None) -> object:
    query = AuditQuery(actor, action, record_type, record, since, until, newest_first, after or 0, before)
    found = audit.audit_log(who.read(), who.actor, query, limit=limit)
    return Page(found.records, found.total, after or 0, limit)


@api.get("/audit/verification", ChainReport, summary="Recompute the audit chain and name any broken record")
def verify_audit(who: CallerDep) -> object:
    return audit.verify_audit(who.read(), who.actor)


@dataclass(frozen=True, slots=True)
class RowFindingView:
    table: str
    key: str
    problem: str
    record: int | None
    description: str


@dataclass(frozen=True, slots=True)
class DeepVerification:
    """The chain verified, and every stored row compared with the last audit record that wrote it."""

    ok: bool
    records: int
    broken_record: int | None
    reason: str
    rows_proved: int
    rows_checked: int
    findings: int
    shown: list[RowFindingView]


@api.get("/audit/deep-verification", DeepVerification,
         summary="Verify the chain and compare every stored row with the audit record that last wrote it")
def verify_audit_deep(who: CallerDep) -> object:
    report = audit.verify_audit_deep(who.read(), who.actor)
    return DeepVerification(report.ok, report.chain.checked, report.chain.broken_seq, report.chain.reason,
                            report.rows_proved, report.rows_checked, report.finding_count,
                            [RowFindingView(f.table, f.key, f.problem.value, f.seq, f.describe())
                             for f in report.findings])


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A signed head of the audit chain: keep it, and later prove the chain was not cut or rewritten below it
    (`coalition audit verify --checkpoint FILE`). ``public_key`` (base64, Ed25519) is the key that signed it;
    ``signature`` signs the canonical JSON of records, hash, signed_at and key_id."""

    records: int
    hash: str
    signed_at: Moment
    key_id: str
    signature: str
    public_key: str


def _signed(checkpoint: Checkpoint) -> SignedCheckpoint:
    return SignedCheckpoint(checkpoint.seq, checkpoint.hash, checkpoint.signed_at, checkpoint.key_id,
                            checkpoint.signature, checkpoint.public_key)


@api.get("/audit/checkpoint", SignedCheckpoint, summary="The latest signed checkpoint of the audit chain (public)")
def latest_checkpoint(who: CallerDep) -> object:
    return _signed(audit.latest_checkpoint(who.read()))


@dataclass(frozen=True, slots=True)
class CheckpointVerification:
    """Whether the chain still holds, unchanged, every record the checkpoint signed; ``problem`` says why not."""

    ok: bool
    records_signed: int
    records_now: int
    problem: str | None


BASE64 = r"^[A-Za-z0-9+/]+={0,2}$"


class CheckpointToVerify(Body):
    records: Annotated[int, Strict(), Field(ge=0, le=MAX_ID)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    signed_at: Moment
    key_id: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    signature: Annotated[str, Field(pattern=BASE64, min_length=1, max_length=200)]
    public_key: Annotated[str, Field(pattern=BASE64, min_length=1, max_length=100)]


@api.post("/audit/checkpoint-verification", CheckpointVerification, 200, dependencies=[RateLimited],
          summary="Prove whether the chain still holds a checkpoint kept earlier (public)")
def verify_checkpoint(body: CheckpointToVerify, who: CallerDep) -> object:
    found = Checkpoint(body.records, body.hash, body.signed_at, body.key_id, body.signature, body.public_key)
    report = audit.verify_checkpoint(who.read(), found, public_key=body.public_key,
                                     key_id=signing_key_id(body.public_key), signature_holds=signature_holds)
    return CheckpointVerification(report.ok, found.seq, report.chain.checked, report.problem)


@api.post("/audit/checkpoints", SignedCheckpoint, summary="Sign the audit chain's head now")
def take_checkpoint(who: CallerDep) -> object:
    return _signed(audit.take_checkpoint(who.write(), who.actor, who.platform.checkpoint_signer))
