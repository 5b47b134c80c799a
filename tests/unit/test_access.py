"""Who may do what is a table of data; every answer carries its reason."""

import pytest

from coalition.domain.access import PERMISSIONS, PUBLIC_ACTOR, Actor, Grant, Role, can, can_act_for

ADMIN = Actor("admin", grants=frozenset({Grant(Role.PLATFORM_ADMIN)}))
IT_SECRETARIAT = Actor("sec", "EE", frozenset({Grant(Role.SECRETARIAT, "it-coalition")}))
AUDITOR = Actor("aud", grants=frozenset({Grant(Role.AUDITOR)}))
MEMBER_REP = Actor("rep", "BE", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, "it-coalition")}))


@pytest.mark.parametrize(("actor", "action", "coalition", "allowed"), [
    (ADMIN, "create_coalition", None, True),
    (IT_SECRETARIAT, "create_coalition", None, False),
    (IT_SECRETARIAT, "manage_members", "it-coalition", True),
    (IT_SECRETARIAT, "manage_members", "drone-coalition", False),
    (IT_SECRETARIAT, "register_party", None, True),
    (MEMBER_REP, "manage_members", "it-coalition", False),
    (MEMBER_REP, "read_registry", "it-coalition", True),
    (PUBLIC_ACTOR, "read_registry", "it-coalition", True),
    (PUBLIC_ACTOR, "register_party", None, False),
    (PUBLIC_ACTOR, "read_audit", None, False),
    (AUDITOR, "read_audit", None, True),
    (AUDITOR, "manage_members", "it-coalition", False),
])
def test_the_permission_table(actor: Actor, action: str, coalition: str | None, allowed: bool):
    assert bool(can(actor, action, coalition)) is allowed


def test_a_refusal_says_which_roles_would_do():
    permission = can(MEMBER_REP, "manage_members", "it-coalition")
    assert not permission
    assert "platform-admin or secretariat" in permission.reason
    assert "rep has none of them" in permission.reason


def test_an_unknown_action_is_refused():
    assert not can(ADMIN, "launch_rockets")


def test_every_action_names_at_least_one_role():
    assert all(PERMISSIONS.values())


IT = "it-coalition"
SUPPLIER_A = Actor("sup-a", "SUP-A", frozenset({Grant(Role.SUPPLIER, IT)}))
UNIT_1_OFFICER = Actor("log-1", "UNIT-1", frozenset({Grant(Role.UNIT_LOGISTICS_OFFICER, IT)}))
BUYER = Actor("buyer", "NSPA", frozenset({Grant(Role.PROCUREMENT_OFFICER, IT)}))
RECIPIENT = Actor("mod", "UA-MOD", frozenset({Grant(Role.RECIPIENT_OFFICER, IT)}))
# A supplier that is also the coalition's procurement officer acts for every supplier.
BOTH = Actor("both", "SUP-A", frozenset({Grant(Role.SUPPLIER, IT), Grant(Role.PROCUREMENT_OFFICER, IT)}))


@pytest.mark.parametrize(("actor", "action", "party", "allowed"), [
    (SUPPLIER_A, "record_shipment", "SUP-A", True),
    (SUPPLIER_A, "record_shipment", "SUP-B", False),
    (BUYER, "record_shipment", "SUP-B", True),
    (BOTH, "record_shipment", "SUP-B", True),
    (UNIT_1_OFFICER, "confirm_receipt", "UNIT-1", True),
    (UNIT_1_OFFICER, "confirm_receipt", "UNIT-2", False),
    (RECIPIENT, "confirm_receipt", "UNIT-2", True),
    (ADMIN, "confirm_receipt", "UNIT-2", True),
    (SUPPLIER_A, "confirm_receipt", "SUP-A", False),  # the role does not grant the action at all
    (PUBLIC_ACTOR, "record_shipment", "SUP-A", False),
])
def test_suppliers_and_unit_officers_act_only_for_their_own_party(actor: Actor, action: str, party: str,
                                                                   allowed: bool):
    assert bool(can_act_for(actor, action, IT, party)) is allowed


def test_acting_for_another_party_is_refused_with_the_reason():
    refused = can_act_for(SUPPLIER_A, "record_shipment", IT, "SUP-B")
    assert refused.reason == ("record shipment for SUP-B needs a role that acts for any party, or one held for SUP-B; "
                              "sup-a is a supplier for SUP-A")
    assert can_act_for(Actor("nobody-party", None, SUPPLIER_A.grants), "record_shipment", IT, "SUP-A").reason \
        .endswith("is a supplier for no party")
