"""The news intake's review queue: keep an article and the facts it states, compare each with the registry, and
accept (apply through the registry's own services, naming the article in the audit record) or reject (with the
reason) each one.

``add_reading`` takes what a reader made of an article (a ``Reading``) and keeps it with the SHA-256 of what was
read: the article and all its proposals in one transaction, and nothing at all for an article already kept. A fact
already proposed by another article gains a source instead of a second proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent
from coalition.domain.coalition import Coalition, MembershipRole
from coalition.domain.contributions import Contribution, ContributionKind
from coalition.domain.errors import Conflict, InvalidInput, NotFound, refusal
from coalition.domain.instrument import Instrument, InstrumentKind, add_years
from coalition.domain.intake import DatePrecision, Event, EventKind, PartialDate, Reading, event_json, plain
from coalition.domain.intake_queue import (
    Article,
    Comparison,
    Decision,
    Proposal,
    ProposalStatus,
    RegistryFacts,
    Source,
    Standing,
    check_event,
    compare,
    digest_of,
    fact_digest,
    spans_within,
)
from coalition.domain.limits import DESCRIPTION
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind, country_names
from coalition.domain.steering import Meeting
from coalition.domain.wording import say
from coalition.services import funding, registry, steering
from coalition.services.audit import record_change, require
from coalition.services.ports import UnitOfWork

NO_PROPOSAL = "no intake proposal {id}"
DECIDED = "proposal {id} was already {status} on {day}; a decision is not taken twice"
CONTRADICTED = "the article contradicts the registry ({detail}): reject the proposal or correct the registry first"
NO_COALITION = "the proposal names no coalition of the registry ({name}); register the coalition first"
NO_PARTY = "the proposal names a party that is not in the registry ({name}); register the party first"
NEEDS_DAY = "the article dates it {said}; give the day (--on YYYY-MM-DD)"
NEEDS_VALUE = "{what} the article does not say; give --{option}"
NO_KIND = "the article names no instrument kind the registry keeps ({kind}); give --instrument"
NOTHING_DECIDED = "a rejection needs a reason"
# What an acceptance did, as the decision keeps it (a page shows it in the reader's language).
ADMITTED = "admitted {party} to {coalition} as {role} from {day}"
REGISTERED = "registered the state {party} ({name})"
SIGNED = "recorded instrument {instrument} signed by {parties} on {day}"
MET = "recorded meeting {meeting} of {coalition} on {day}"
FOUNDED = "created coalition {coalition} founded on {day}"
PLEDGED = "recorded the announced {amount} {currency} as a pledge of {donor} to {fund} on {day} (contribution {id})"
NOTED = "noted"
RESULTS = (ADMITTED, REGISTERED, SIGNED, MET, FOUNDED, PLEDGED, NOTED)
NO_AMOUNT = "the article states no amount to record as a pledge"
ONLY_AMOUNTS = "only an amount mobilised is recorded as a pledge; this proposal is {kind}"
TEXTS = (NO_AMOUNT, ONLY_AMOUNTS, NO_PROPOSAL, DECIDED, CONTRADICTED, NO_COALITION, NO_PARTY, NEEDS_DAY,
         NEEDS_VALUE, NO_KIND, NOTHING_DECIDED)
ROLES = {"lead": MembershipRole.LEAD, "member": MembershipRole.MEMBER, "observer": MembershipRole.OBSERVER,
         "declaration-of-intent": MembershipRole.DOI_SIGNATORY}


@dataclass(frozen=True, slots=True)
class Added:
    """An article added (or found already kept), with the proposals it makes and those it joined as a source."""

    article: Article
    added: bool
    proposals: tuple[int, ...] = ()
    joined: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ProposalView:
    proposal: Proposal
    comparison: Comparison
    articles: tuple[Article, ...] = ()


@dataclass(frozen=True, slots=True)
class AcceptOptions:
    """What an accepting officer adds where the article does not say it (never guessed)."""

    on: date | None = None
    code: str | None = None
    title: str | None = None
    role: MembershipRole | None = None
    instrument: InstrumentKind | None = None
    place: str | None = None
    recipient: str | None = None
    capability_area: str | None = None
    framework: str | None = None
    currency: str | None = None
    fund: str | None = None
    donor: str | None = None


# --- adding -----------------------------------------------------------------------------------------------------


def add_reading(uow: UnitOfWork, actor: Actor, *, reading: Reading, source: str, published_on: date | None = None,
                raw: bytes | None = None, sha256: str | None = None) -> Added:
    """Keep an article and its proposals; an article already kept (same SHA-256 of what was read: ``raw``, or
    ``sha256`` given, or the text) changes nothing."""
    require(can(actor, "manage_intake"))
    for number, event in enumerate(reading.events, start=1):
        check_event(event, number)
    digest = sha256 if sha256 is not None else digest_of(raw if raw is not None else reading.text.encode("utf-8"))
    now = uow.clock()
    article = Article(digest, source, published_on or reading.published_on, reading.language, reading.text,
                      actor.user, now)
    with uow:
        kept = uow.intake.article_by_digest(digest)
        if kept is not None:
            return Added(kept, False)
        article = uow.intake.add_article(article)
        assert article.id is not None
        made: list[int] = []
        joined: list[int] = []
        for event in reading.events:
            proposal = uow.intake.proposal_by_fact(fact_digest(event.fact_key()))
            if proposal is None:
                proposal = uow.intake.add_proposal(Proposal(event.fact_key(), event), now)
                made.append(proposal.id or 0)
            elif proposal.id not in made:
                joined.append(proposal.id or 0)
            span = spans_within(event, article.text)
            uow.intake.add_source(proposal.id or 0, Source(article.id, event.evidence, span, event.confidence))
        record_change(uow, actor, AuditEvent("add_intake_article", "intake_article", digest, None, {
            "source": article.source, "published_on": article.published_on.isoformat() if article.published_on
            else None, "language": article.language.value, "proposals": made, "joined": sorted(set(joined))}))
        uow.commit()
    return Added(article, True, tuple(made), tuple(sorted(set(joined))))


# --- reading ----------------------------------------------------------------------------------------------------


def registry_facts(uow: UnitOfWork, event: Event) -> RegistryFacts:
    """What the registry holds about the coalition and parties ``event`` names."""
    parties = frozenset(p.code for p in event.parties if p.code and uow.parties.get(p.code) is not None)
    code = event.coalition.code if event.coalition else None
    coalition = uow.coalitions.get(code) if code else None
    if coalition is None:
        return RegistryFacts(None, parties)
    instruments = tuple((i, tuple(uow.instruments.signatures(i.code)))
                        for i in uow.instruments.for_coalition(coalition.code))
    return RegistryFacts(coalition, parties, tuple(uow.memberships.changes(coalition.code)), instruments,
                         tuple(uow.steering.meetings(coalition.code)))


def _view(uow: UnitOfWork, proposal: Proposal, *, with_articles: bool = False) -> ProposalView:
    articles = tuple(uow.intake.articles([s.article for s in proposal.sources])) if with_articles else ()
    return ProposalView(proposal, compare(proposal.event, registry_facts(uow, proposal.event)), articles)


def list_proposals(uow: UnitOfWork, actor: Actor, status: ProposalStatus | None = None) -> list[ProposalView]:
    require(can(actor, "read_intake"))
    with uow:
        return [_view(uow, p) for p in uow.intake.proposals(status)]


def _load(uow: UnitOfWork, proposal_id: int) -> Proposal:
    found = uow.intake.proposal(proposal_id)
    if found is None:
        raise refusal(NotFound, NO_PROPOSAL, field="id", id=proposal_id)
    return found


def get_proposal(uow: UnitOfWork, actor: Actor, proposal_id: int) -> ProposalView:
    """A proposal with its comparison and the articles that state it (their texts, to show the sentences in)."""
    require(can(actor, "read_intake"))
    with uow:
        return _view(uow, _load(uow, proposal_id), with_articles=True)


# --- deciding ---------------------------------------------------------------------------------------------------


def _pending(proposal: Proposal) -> None:
    if proposal.decision is not None:
        raise refusal(Conflict, DECIDED, field="id", id=proposal.id, status=proposal.decision.status.value,
                      day=proposal.decision.decided_at.date().isoformat())


def _cited(uow: UnitOfWork, proposal: Proposal) -> list[dict[str, str]]:
    return [{"article": a.sha256, "source": a.source, "cited": a.cited()}
            for a in uow.intake.articles([s.article for s in proposal.sources])]


def reject_proposal(uow: UnitOfWork, actor: Actor, proposal_id: int, *, reason: str) -> Proposal:
    """Reject a pending proposal, keeping the reason."""
    require(can(actor, "manage_intake"))
    if not reason.strip():
        raise refusal(InvalidInput, NOTHING_DECIDED, field="reason")
    with uow:
        proposal = _load(uow, proposal_id)
        _pending(proposal)
        decision = Decision(ProposalStatus.REJECTED, actor.user, uow.clock(), reason.strip())
        uow.intake.decide(proposal_id, decision)
        record_change(uow, actor, AuditEvent("reject_intake_proposal", "intake_proposal", str(proposal_id),
                                             {"status": "pending"}, {"status": "rejected", "reason": decision.reason,
                                                                     "fact": proposal.fact_key,
                                                                     "sources": _cited(uow, proposal)}))
        uow.commit()
    return replace(proposal, decision=decision)


def accept_proposal(uow: UnitOfWork, actor: Actor, proposal_id: int,
                    options: AcceptOptions | None = None) -> Proposal:
    """Accept a pending proposal: apply it through the registry's services (a fact already recorded, or of a kind the
    registry keeps no record of, is only noted) and record the acceptance naming the articles it comes from. A
    proposal the registry contradicts is refused: reject it, or correct the registry first."""
    require(can(actor, "manage_intake"))
    chosen = options or AcceptOptions()
    with uow:
        proposal = _load(uow, proposal_id)
        _pending(proposal)
        comparison = compare(proposal.event, registry_facts(uow, proposal.event))
        if comparison.standing is Standing.CONTRADICTS:
            raise refusal(Conflict, CONTRADICTED, field="id", detail=comparison.detail)
        cited = _cited(uow, proposal)
        note = "; ".join(c["cited"] for c in cited)
        if chosen.fund is not None:
            result = _pledge(uow, actor, proposal, chosen, note)
        elif comparison.standing is Standing.NEW:
            result = _apply(uow, actor, proposal.event, chosen, note)
        else:
            result = comparison.detail
        decision = Decision(ProposalStatus.ACCEPTED, actor.user, uow.clock(), "", result[:1000])
        uow.intake.decide(proposal_id, decision)
        record_change(uow, actor, AuditEvent("accept_intake_proposal", "intake_proposal", str(proposal_id),
                                             {"status": "pending"}, {"status": "accepted", "result": decision.result,
                                                                     "fact": proposal.fact_key,
                                                                     "event": audited(proposal.event),
                                                                     "sources": cited}))
        uow.commit()
    return replace(proposal, decision=decision)


def audited(event: Event) -> dict[str, object]:
    """The event as the audit record keeps it: its JSON, the reader's confidence as text (no floats in the chain)."""
    data = event_json(event)
    data["confidence"] = f"{event.confidence:.3f}"
    return data


# --- applying through the registry's services --------------------------------------------------------------------


def _coalition_code(event: Event) -> str:
    if event.coalition is None or not event.coalition.code:
        raise refusal(InvalidInput, NO_COALITION, field="coalition",
                      name=event.coalition.name if event.coalition else "-")
    return event.coalition.code


def _party_codes(event: Event) -> list[str]:
    for party in event.parties:
        if not party.code:
            raise refusal(InvalidInput, NO_PARTY, field="parties", name=party.name)
    return [p.code for p in event.parties if p.code]


def _registered(uow: UnitOfWork, actor: Actor, event: Event) -> tuple[list[str], list[str]]:
    """The event's party codes, each a party of the registry: a state the registry does not hold yet is registered
    first (its names from ISO 3166), in the same transaction; (codes, what was done)."""
    codes = _party_codes(event)
    done = []
    for code in codes:
        if uow.parties.get(code) is not None or len(code) != 2:
            continue
        english, ukrainian = country_names(code)  # an ISO 3166 code, or a refusal naming it
        registry.register_party(uow, actor, Party(code, PartyKind.STATE, english, ukrainian, country=code))
        done.append(say(REGISTERED, party=code, name=english))
    return codes, done


def _day(said: PartialDate | None, options: AcceptOptions) -> date:
    if options.on is not None:
        return options.on
    if said is not None and said.precision is DatePrecision.DAY:
        return said.earliest()
    raise refusal(InvalidInput, NEEDS_DAY, field="on", said=said.iso() if said else "-")


def _given(value: str | None, what: str, option: str) -> str:
    if value is None or not value.strip():
        raise refusal(InvalidInput, NEEDS_VALUE, field=option, what=what, option=option)
    return value.strip()


def _apply(uow: UnitOfWork, actor: Actor, event: Event, options: AcceptOptions, note: str) -> str:
    """Apply a new fact through the service that records its kind; what was done, in a line."""
    if event.kind is EventKind.MEMBER_JOINED:
        return _admit(uow, actor, event, options, note)
    if event.kind is EventKind.INSTRUMENT_SIGNED:
        return _sign(uow, actor, event, options)
    if event.kind is EventKind.MEETING_HELD:
        return _meet(uow, actor, event, options)
    if event.kind is EventKind.COALITION_FOUNDED:
        return _found(uow, actor, event, options)
    return say(NOTED)


def _admit(uow: UnitOfWork, actor: Actor, event: Event, options: AcceptOptions, note: str) -> str:
    coalition = _coalition_code(event)
    on = _day(event.date, options)
    codes, done = _registered(uow, actor, event)
    for party, code in zip(event.parties, codes, strict=True):
        role = options.role or ROLES.get(party.role or "", MembershipRole.MEMBER)
        registry.admit_member(uow, actor, coalition=coalition, party=code, role=role, on=on, note=note[:1000])
        done.append(say(ADMITTED, party=code, coalition=coalition, role=role.value, day=on.isoformat()))
    return "; ".join(done)


def _instrument_kind(event: Event, options: AcceptOptions) -> InstrumentKind:
    if options.instrument is not None:
        return options.instrument
    said = str(event.attributes.get("instrument") or "")
    try:
        return InstrumentKind(said)
    except ValueError:
        raise refusal(InvalidInput, NO_KIND, field="instrument", kind=said or "-") from None


def _sign(uow: UnitOfWork, actor: Actor, event: Event, options: AcceptOptions) -> str:
    coalition = registry.load_coalition(uow, _coalition_code(event))
    kind = _instrument_kind(event, options)
    parties, registered = _registered(uow, actor, event)
    on = _day(event.date, options)
    code = options.code or f"{coalition.code}-{kind.value}-{on.isoformat()}"
    term = event.attributes.get("term_years")
    end = add_years(on, term) if isinstance(term, int) and not isinstance(term, bool) and 0 < term <= 100 else None
    title = options.title or f"{kind.value.replace('-', ' ').capitalize()} of the {coalition.name}"
    registry.record_instrument(uow, actor, Instrument(code, coalition.code, kind, title, on, end))
    for party in parties:
        registry.add_signatory(uow, actor, instrument=code, party=party, signed_on=on)
    return "; ".join([*registered, say(SIGNED, instrument=code, parties=", ".join(parties), day=on.isoformat())])


def _meet(uow: UnitOfWork, actor: Actor, event: Event, options: AcceptOptions) -> str:
    coalition = _coalition_code(event)
    on = _day(event.date, options)
    body = str(event.attributes.get("body") or "meeting")
    place = options.place or event.place or ""
    title = options.title or body[:1].upper() + body[1:]
    meeting = steering.create_meeting(uow, actor, Meeting(coalition, on, title, place, virtual=not place))
    return say(MET, meeting=meeting.id, coalition=coalition, day=on.isoformat())


def _found(uow: UnitOfWork, actor: Actor, event: Event, options: AcceptOptions) -> str:
    name = event.coalition.name if event.coalition else ""
    code = _given(options.code or (event.coalition.code if event.coalition else None), "the coalition's code",
                  "code")
    on = _day(event.date, options)
    coalition = Coalition(
        code=code, name=name, capability_area=_given(options.capability_area, "the capability area", "area"),
        framework=_given(options.framework, "the framework", "framework"),
        recipient=_given(options.recipient, "the recipient", "recipient"), founded_on=on,
        founded_at=_given(options.place or event.place, "the place of founding", "place"),
        reporting_currency=_given(options.currency, "the reporting currency", "currency"))
    registry.create_coalition(uow, actor, coalition)
    return say(FOUNDED, coalition=code, day=on.isoformat())


def _pledge(uow: UnitOfWork, actor: Actor, proposal: Proposal, options: AcceptOptions, note: str) -> str:
    """An amount mobilised, recorded as what it is: a donor's promise (a pledge), never money received."""
    event = proposal.event
    if event.kind is not EventKind.AID_MOBILISED:
        raise refusal(InvalidInput, ONLY_AMOUNTS, field="fund", kind=event.kind.value)
    if event.amount is None:
        raise refusal(InvalidInput, NO_AMOUNT, field="amount")
    fund = uow.coalitions.get_fund(options.fund or "")
    if fund is None:
        raise refusal(NotFound, "no fund with code '{code}'", field="fund", code=options.fund)
    coded = [p.code for p in event.parties if p.code]
    donor = _given(options.donor or (coded[0] if len(coded) == 1 else None), "the donor", "donor")
    on = _day(event.date, options)
    amount = Money.parse(plain(event.amount.amount), event.amount.currency)
    stored = funding.record_contribution(uow, actor, Contribution(
        ContributionKind.PLEDGE, fund.coalition, fund.code, donor, amount, on, external_ref=f"intake-{proposal.id}",
        description=note[:DESCRIPTION.max_length]))
    return say(PLEDGED, amount=plain(amount.amount), currency=amount.currency, donor=donor, fund=fund.code,
               day=on.isoformat(), id=stored.id)
