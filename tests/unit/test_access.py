"""Who may do what is a table of data; every answer carries its reason."""

import pytest

from coalition.domain.access import PERMISSIONS, PUBLIC_ACTOR, Actor, Grant, Role, can

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
