"""The registry on a real database: the demo world, history on dates, atomic writes, the audit chain."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from coalition.bootstrap import Platform
from coalition.demo.world import build_demo_world
from coalition.domain.access import PUBLIC_ACTOR
from coalition.domain.coalition import MembershipRole
from coalition.domain.errors import Conflict, InvariantViolated
from coalition.domain.party import Party
from coalition.services import registry
from coalition.services.audit import verify_audit
from tests.demo_copies import give_demo_world
from tests.integration.helpers import dump


@pytest.fixture
def demo(platform: Platform) -> Platform:
    give_demo_world(platform, procurement=False)
    return platform


def members(platform: Platform, coalition: str, day: date) -> dict[str, MembershipRole]:
    return {m.party.code: m.spell.role for m in registry.members_on(platform.uow(), PUBLIC_ACTOR, coalition, day)}


def test_the_it_coalition_as_the_public_facts_describe_it(demo: Platform):
    today = members(demo, "it-coalition", date(2026, 11, 22))
    assert {p for p, r in today.items() if r is MembershipRole.LEAD} == {"EE", "LU"}
    assert {p for p, r in today.items() if r is MembershipRole.MEMBER} == {"BE", "DK", "IS", "IT", "LV", "LT", "NL"}
    assert today["UA"] is MembershipRole.RECIPIENT
    assert today["GB"] is MembershipRole.DOI_SIGNATORY
    assert MembershipRole.OBSERVER in today.values()
    states = {p for p in today if len(p) == 2}
    assert len(states) == 11, "11 states by March"
    agreement = registry.get_instrument(demo.uow(), PUBLIC_ACTOR, "it-coalition-ca")
    assert agreement.instrument.term_end == date(2030, 1, 18)
    assert {s.party for s in agreement.signatures} == {"EE", "LU", "BE", "DK", "IS", "IT", "LV", "LT", "NL", "UA"}
    assert members(demo, "drone-coalition", date(2026, 11, 22))["LU"] is MembershipRole.MEMBER


def test_members_on_the_founding_date_exclude_the_netherlands(demo: Platform):
    assert set(members(demo, "it-coalition", date(2023, 9, 19))) == {"EE", "LU", "UA"}
    assert "NL" in members(demo, "it-coalition", date(2024, 3, 6))


def test_a_coalition_counts_the_states_it_unites_apart_from_organisations_and_observers(demo: Platform):
    day = registry.count_members(registry.members_on(demo.uow(), PUBLIC_ACTOR, "it-coalition", date(2024, 3, 6)))
    assert (day.states, day.organisations, day.observers) == (11, 0, 1)
    founding = registry.count_members(registry.members_on(demo.uow(), PUBLIC_ACTOR, "it-coalition",
                                                          date(2023, 9, 19)))
    assert (founding.states, founding.organisations, founding.observers) == (3, 0, 0)


def test_the_founders_on_the_founding_day_hold_no_instrument(demo: Platform):
    for founder in ("EE", "LU", "UA"):
        (joined, *_) = registry.membership_history(demo.uow(), PUBLIC_ACTOR, "it-coalition", founder)
        assert joined.effective_on == date(2023, 9, 19) and joined.instrument is None
    (nl, *_) = registry.membership_history(demo.uow(), PUBLIC_ACTOR, "it-coalition", "NL")
    assert nl.instrument == "it-coalition-ca"


def test_the_demo_twice_gives_the_same_world(demo: Platform):
    build_demo_world(demo.uow(), demo.operator())  # the rest of the world: procurement and delivery
    before = dump(demo.engine)
    result = build_demo_world(demo.uow(), demo.operator())
    assert result.created == []
    assert dump(demo.engine) == before


def test_a_refused_write_leaves_the_database_exactly_as_it_was(demo: Platform):
    before = dump(demo.engine)
    with pytest.raises(InvariantViolated, match="ending before it starts"):
        registry.record_departure(demo.uow(), demo.operator(), coalition="it-coalition", party="NL",
                                  on=date(2024, 1, 1))
    with pytest.raises(Conflict):
        registry.register_party(demo.uow(), demo.operator(), Party.state("EE"))
    assert dump(demo.engine) == before


def test_a_failure_after_the_write_and_before_commit_leaves_nothing(demo: Platform, monkeypatch: pytest.MonkeyPatch):
    before = dump(demo.engine)
    from coalition.services import registry as module

    def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full while auditing")

    monkeypatch.setattr(module, "record_change", broken_audit)
    with pytest.raises(RuntimeError):
        registry.record_departure(demo.uow(), demo.operator(), coalition="it-coalition", party="NL",
                                  on=date(2026, 1, 1))
    assert dump(demo.engine) == before


def test_role_history_survives_on_the_database(demo: Platform):
    registry.change_member_role(demo.uow(), demo.operator(), coalition="it-coalition", party="GB",
                                role=MembershipRole.MEMBER, on=date(2024, 6, 1))
    registry.record_departure(demo.uow(), demo.operator(), coalition="it-coalition", party="IS", on=date(2026, 1, 1))
    assert members(demo, "it-coalition", date(2024, 5, 31))["GB"] is MembershipRole.DOI_SIGNATORY
    assert members(demo, "it-coalition", date(2024, 6, 1))["GB"] is MembershipRole.MEMBER
    assert "IS" in members(demo, "it-coalition", date(2025, 12, 31))
    assert "IS" not in members(demo, "it-coalition", date(2026, 1, 1))
    history = registry.membership_history(demo.uow(), PUBLIC_ACTOR, "it-coalition", "GB")
    assert [c.kind.value for c in history] == ["joined", "role-changed"]


def test_the_audit_chain_verifies_and_names_an_altered_record(demo: Platform):
    report = verify_audit(demo.uow(), demo.operator())
    assert report.ok
    assert report.checked > 40
    with demo.engine.begin() as connection:
        connection.execute(sa.text("update audit_records set object_id = 'it-coalition/XX' where seq = 7"))
    report = verify_audit(demo.uow(), demo.operator())
    assert (report.ok, report.broken_seq) == (False, 7)


def test_the_audit_chain_notices_a_deleted_record(demo: Platform):
    with demo.engine.begin() as connection:
        connection.execute(sa.text("delete from audit_records where seq = 12"))
    assert verify_audit(demo.uow(), demo.operator()).broken_seq == 12


def test_the_audit_chain_notices_records_cut_from_its_end(demo: Platform):
    with demo.engine.begin() as connection:
        last = connection.execute(sa.text("select max(seq) from audit_records")).scalar_one()
        connection.execute(sa.text("delete from audit_records where seq = :seq"), {"seq": last})
    report = verify_audit(demo.uow(), demo.operator())
    assert report.broken_seq == last
    assert "missing" in report.reason


def test_concurrent_writers_keep_one_unbroken_chain(platform: Platform):
    codes = ["EE", "LU", "UA", "BE", "DK", "IS", "IT", "LV", "LT", "NL", "GB", "PL", "FI", "SE", "NO", "CZ"]
    errors: list[BaseException] = []

    def register(code: str) -> None:
        try:
            registry.register_party(platform.uow(), platform.operator(), Party.state(code))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=register, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_audit(platform.uow(), platform.operator())
    assert report.ok
    assert report.checked == len(codes)
