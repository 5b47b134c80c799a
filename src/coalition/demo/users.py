"""The demo world's users: one per kind of person who works on the platform, all with the same
demo password, so the web pages can be tried in every role. Never for a production installation."""

from __future__ import annotations

from coalition.domain.access import Actor, Grant, Role
from coalition.domain.identity import User
from coalition.services import identity
from coalition.services.ports import PasswordHasher, UnitOfWork

DEMO_PASSWORD = "coalition demo 2026"  # noqa: S105 - the published password of the demo's users
IT = "it-coalition"
DRONE = "drone-coalition"

# user name, party, roles, who it is
DEMO_USERS: tuple[tuple[str, str | None, frozenset[Grant], str], ...] = (
    ("secretariat", None, frozenset({Grant(Role.SECRETARIAT, IT), Grant(Role.SECRETARIAT, DRONE)}),
     "the coalitions' secretariat"),
    ("ee-desk", "EE", frozenset({Grant(Role.LEAD, IT)}), "Estonia's desk, a lead nation of the IT Coalition"),
    ("lv-desk", "LV", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, IT), Grant(Role.LEAD, DRONE)}),
     "Latvia's desk: a member of the IT Coalition, a lead of the Drone Coalition"),
    ("ua-mod", "UA-MOD", frozenset({Grant(Role.RECIPIENT_OFFICER, IT), Grant(Role.RECIPIENT_OFFICER, DRONE)}),
     "an officer of Ukraine's Ministry of Defence, the recipient"),
    ("nspa", "NSPA", frozenset({Grant(Role.PROCUREMENT_OFFICER, IT)}), "a procurement officer of the agency"),
    ("ua-tu-1", "UA-TU-1", frozenset({Grant(Role.UNIT_LOGISTICS_OFFICER, IT)}),
     "the logistics officer of a receiving unit"),
    ("auditor", None, frozenset({Grant(Role.AUDITOR, IT), Grant(Role.AUDITOR, DRONE)}), "an auditor"),
    *((f"expert-{n}", None, frozenset({Grant(Role.EXPERT_REVIEWER, IT)}),
       "an expert reviewer of the IT Coalition's innovation challenge") for n in (1, 2, 3)),
)


def build_demo_users(uow: UnitOfWork, actor: Actor, hasher: PasswordHasher) -> list[str]:
    """Register whichever demo users are missing; return their names."""
    existing = {u.username for u in identity.list_users(uow, actor)}
    created = []
    for username, party, grants, _ in DEMO_USERS:
        if username not in existing:
            identity.add_user(uow, actor, hasher, User(username, party, grants), DEMO_PASSWORD)
            created.append(username)
    return created
