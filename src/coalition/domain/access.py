"""Who may do what: actors, roles and the permission table, declared as data.

A permission check returns a Permission (allowed, reason) rather than raising, so the same
check can hide a button on a page, filter an API response or refuse a CLI command.
Later capabilities add their actions to PERMISSIONS and, where needed, new roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from coalition.domain.contributions import Confidentiality, Visibility


class Role(StrEnum):
    PLATFORM_ADMIN = "platform-admin"
    SECRETARIAT = "secretariat"
    LEAD = "lead"
    MEMBER_REPRESENTATIVE = "member-representative"
    OBSERVER_REPRESENTATIVE = "observer-representative"
    RECIPIENT_OFFICER = "recipient-officer"
    PROCUREMENT_OFFICER = "procurement-officer"
    SUPPLIER = "supplier"
    UNIT_LOGISTICS_OFFICER = "unit-logistics-officer"
    EXPERT_REVIEWER = "expert-reviewer"
    AUDITOR = "auditor"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Grant:
    """A role held platform-wide (``coalition`` None) or within one coalition."""

    role: Role
    coalition: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user, on behalf of which party, with which roles; ``request`` ties the act to its request."""

    user: str
    party: str | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)
    request: str | None = None

    def roles_for(self, coalition: str | None) -> frozenset[Role]:
        """Roles that count for ``coalition``: platform-wide grants and grants for that coalition."""
        return frozenset(g.role for g in self.grants
                         if g.coalition is None or (coalition is not None and g.coalition == coalition)) | {
            Role.PUBLIC}

    def describe(self) -> dict[str, object]:
        described: dict[str, object] = {
            "user": self.user,
            "party": self.party,
            "roles": sorted(f"{g.role.value}@{g.coalition}" if g.coalition else g.role.value for g in self.grants),
        }
        if self.request is not None:
            described["request"] = self.request
        return described

    def for_request(self, request: str) -> Actor:
        return replace(self, request=request)


PUBLIC_ACTOR = Actor(user="anonymous")


@dataclass(frozen=True, slots=True)
class Permission:
    """Whether an act is allowed, and why; a refusal keeps its reason's template and values too, so an entrypoint
    can give it in the reader's language (as ``domain.errors.refusal`` does for errors)."""

    allowed: bool
    reason: str
    template: str | None = None
    values: Mapping[str, object] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.allowed


def denied(template: str, **values: object) -> Permission:
    """A refusal whose reason is ``template`` with ``values`` put in."""
    return Permission(False, template.format(**values), template, values)


# The refusals' reasons, for the catalog (the values they name: an action's words, roles, a user, a party).
UNKNOWN_ACTION = "'{action}' is not a known action"
NEEDS_ROLE_IN = "{action} in {coalition} needs the role {needed}; {user} has none of them"
NEEDS_ROLE = "{action} needs the role {needed}; {user} has none of them"
NEEDS_OWN_PARTY = ("{action} for {party} needs a role that acts for any party, or one held for {party}; {user} is a "
                   "{held} for {own}")
NEEDS_WEBHOOK_ROLE = ("managing the webhooks of {party} needs the role platform-admin, or a representative's role "
                      "held for {party}; {user} has neither")
MEMBERS_ONLY = "the record is visible to members of {coalition} only"
NAMED_PARTIES_ONLY = "the record is restricted to named parties"
REFUSAL_REASONS = (UNKNOWN_ACTION, NEEDS_ROLE_IN, NEEDS_ROLE, NEEDS_OWN_PARTY, NEEDS_WEBHOOK_ROLE, MEMBERS_ONLY,
                   NAMED_PARTIES_ONLY)


# Action -> roles that grant it. A coalition-scoped grant counts only for its own coalition;
# actions with no coalition (registering a party) accept a coalition-scoped grant of any coalition.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "read_registry": frozenset({Role.PUBLIC}),
    "register_party": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "create_coalition": frozenset({Role.PLATFORM_ADMIN}),
    "manage_funds": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "manage_members": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "record_instrument": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "read_audit": frozenset({Role.PLATFORM_ADMIN, Role.AUDITOR}),
    "take_checkpoint": frozenset({Role.PLATFORM_ADMIN}),
    "adopt_rows": frozenset({Role.PLATFORM_ADMIN}),
    "manage_taxonomy": frozenset({Role.PLATFORM_ADMIN}),
    "manage_users": frozenset({Role.PLATFORM_ADMIN}),
    "record_contributions": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "reverse_entry": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "import_rates": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "read_funding": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.LEAD, Role.MEMBER_REPRESENTATIVE,
                               Role.OBSERVER_REPRESENTATIVE, Role.RECIPIENT_OFFICER, Role.AUDITOR}),
    # Anyone may list contributions; what each viewer sees of a record is decided by record_view().
    "read_contributions": frozenset({Role.PUBLIC}),
    "check_ledger": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.AUDITOR}),
    "manage_requirements": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.RECIPIENT_OFFICER}),
    "submit_priorities": frozenset({Role.PLATFORM_ADMIN, Role.RECIPIENT_OFFICER}),
    "approve_priorities": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "run_allocation": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "approve_plan": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "release_reservation": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "manage_meetings": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.LEAD}),
    "open_proposal": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.LEAD}),
    "record_vote": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "cast_own_vote": frozenset({Role.LEAD, Role.MEMBER_REPRESENTATIVE}),
    "close_proposal": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "manage_procurement": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.PROCUREMENT_OFFICER}),
    "approve_procurement": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "record_bid": frozenset({Role.PLATFORM_ADMIN, Role.PROCUREMENT_OFFICER}),
    "record_payment": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.PROCUREMENT_OFFICER}),
    "record_shipment": frozenset({Role.PLATFORM_ADMIN, Role.PROCUREMENT_OFFICER, Role.SUPPLIER}),
    "confirm_receipt": frozenset({Role.PLATFORM_ADMIN, Role.UNIT_LOGISTICS_OFFICER, Role.RECIPIENT_OFFICER}),
    "record_end_use_check": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.RECIPIENT_OFFICER, Role.AUDITOR}),
    # PURL packages stand in no coalition: a coalition-scoped grant of any coalition counts (as for parties).
    "read_packages": frozenset({Role.PUBLIC}),
    "manage_packages": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "read_offers": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.LEAD, Role.MEMBER_REPRESENTATIVE,
                              Role.OBSERVER_REPRESENTATIVE, Role.RECIPIENT_OFFICER, Role.AUDITOR}),
    "manage_offers": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.RECIPIENT_OFFICER}),
    # An acceptance opens a procurement case: the roles that may open one.
    "answer_offers": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    # Documents follow their record (domain.documents.ACTIONS); checking every stored file is the custodians'.
    "verify_documents": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.AUDITOR}),
    "read_innovation": frozenset({Role.PUBLIC}),
    "create_programme": frozenset({Role.PLATFORM_ADMIN}),
    "manage_innovation": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "review_projects": frozenset({Role.EXPERT_REVIEWER}),
    # The news intake's review queue stands in no coalition: a coalition-scoped grant of any coalition counts; what
    # an accepted proposal changes is checked again by the service that changes it.
    "read_intake": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.AUDITOR}),
    "manage_intake": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT}),
    "read_reviews": frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.EXPERT_REVIEWER, Role.AUDITOR}),
    # Webhook subscriptions belong to a party: the platform's administrators manage every party's, and a party's
    # own representatives (any of these roles, held in any coalition) manage their own party's.
    "manage_webhooks": frozenset({Role.PLATFORM_ADMIN}),
    "manage_own_webhooks": frozenset({Role.LEAD, Role.MEMBER_REPRESENTATIVE, Role.OBSERVER_REPRESENTATIVE,
                                      Role.RECIPIENT_OFFICER, Role.SUPPLIER, Role.UNIT_LOGISTICS_OFFICER,
                                      Role.PROCUREMENT_OFFICER, Role.SECRETARIAT}),
}


def can(actor: Actor, action: str, coalition: str | None = None) -> Permission:
    """Whether ``actor`` may perform ``action`` (in ``coalition``), with the reason either way."""
    allowed_roles = PERMISSIONS.get(action)
    if allowed_roles is None:
        return denied(UNKNOWN_ACTION, action=action)
    # With no coalition in view (registering a party), a role held in any coalition counts.
    held = (frozenset(g.role for g in actor.grants) | {Role.PUBLIC}) if coalition is None \
        else actor.roles_for(coalition)
    granting = held & allowed_roles
    if granting:
        where = f" in {coalition}" if coalition else ""
        return Permission(True, f"{actor.user} holds {sorted(r.value for r in granting)[0]}{where}")
    needed = " or ".join(sorted(r.value for r in allowed_roles))
    if coalition:
        return denied(NEEDS_ROLE_IN, action=action.replace("_", " "), coalition=coalition, needed=needed,
                      user=actor.user)
    return denied(NEEDS_ROLE, action=action.replace("_", " "), needed=needed, user=actor.user)


# Roles that act only for their own party: a supplier on its own contracts, a unit's logistics officer for its own
# unit. Any other role granting the same action acts for every party.
OWN_PARTY_ROLES = frozenset({Role.SUPPLIER, Role.UNIT_LOGISTICS_OFFICER})


def can_act_for(actor: Actor, action: str, coalition: str, party: str) -> Permission:
    """Whether ``actor`` may perform ``action`` in ``coalition`` on an object of ``party`` (a contract's supplier,
    a receiving unit): can(), narrowed to the actor's own party for the roles in OWN_PARTY_ROLES."""
    allowed = can(actor, action, coalition)
    if not allowed:
        return allowed
    granting = actor.roles_for(coalition) & PERMISSIONS[action]
    if granting - OWN_PARTY_ROLES:
        return allowed
    if actor.party == party:
        return Permission(True, f"{actor.user} acts for {party}")
    held = sorted(r.value for r in granting)[0]
    return denied(NEEDS_OWN_PARTY, action=action.replace("_", " "), party=party, user=actor.user, held=held,
                  own=actor.party or "no party")


def can_manage_webhooks(actor: Actor, party: str) -> Permission:
    """Whether ``actor`` may manage the webhook subscriptions of ``party`` (see "manage_webhooks")."""
    admin = can(actor, "manage_webhooks")
    if admin:
        return admin
    own = can(actor, "manage_own_webhooks")
    if own and actor.party == party:
        return Permission(True, f"{actor.user} represents {party}")
    return denied(NEEDS_WEBHOOK_ROLE, party=party, user=actor.user)


# Roles whose holders handle every record of their coalition, restricted ones included.
CUSTODIAN_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.SECRETARIAT, Role.AUDITOR})


def can_see_record(actor: Actor, coalition: str, owner: str, confidentiality: Confidentiality,
                   today: date) -> Permission:
    """Whether ``actor`` may see the details of a record ``owner`` made in ``coalition``.

    Public records (and records past their declassification date) are open to everyone;
    coalition-level records to anyone holding a role in the coalition; restricted records to
    their owner, the parties named on them, and the coalition's custodians (secretariat,
    auditors, platform administrators), who must handle every euro.
    """
    visibility = confidentiality.effective_on(today)
    if visibility is Visibility.PUBLIC:
        return Permission(True, "the record is public")
    roles = actor.roles_for(coalition)
    if roles & CUSTODIAN_ROLES:
        return Permission(True, f"{actor.user} holds {sorted(r.value for r in roles & CUSTODIAN_ROLES)[0]}")
    if visibility is Visibility.COALITION:
        if roles - {Role.PUBLIC}:
            return Permission(True, f"{actor.user} holds a role in {coalition}")
        return denied(MEMBERS_ONLY, coalition=coalition)
    if actor.party is not None and (actor.party == owner or actor.party in confidentiality.parties):
        return Permission(True, f"the record is restricted to parties that include {actor.party}")
    return denied(NAMED_PARTIES_ONLY)


@dataclass(frozen=True, slots=True)
class RecordScope:
    """The records a viewer may see in full, as a filter a store can apply (the same rule as can_see_record):
    public or declassified records; every record of ``custodian_of``; coalition-level records of
    ``member_of``; the viewer's party's own records and those restricted to it. ``everything`` for
    platform-wide custodians."""

    party: str | None
    member_of: frozenset[str]
    custodian_of: frozenset[str]
    today: date
    everything: bool = False


def record_scope(actor: Actor, today: date) -> RecordScope:
    platform_wide = frozenset(g.role for g in actor.grants if g.coalition is None)
    coalitions = {g.coalition for g in actor.grants if g.coalition is not None}
    return RecordScope(actor.party, frozenset(c for c in coalitions if c is not None),
                       frozenset(g.coalition for g in actor.grants
                                 if g.coalition is not None and g.role in CUSTODIAN_ROLES),
                       today, everything=bool(platform_wide & CUSTODIAN_ROLES))
