"""PURL packages on both databases: allies pool shares for a package of United States equipment that NATO
validates; it is funded only when their shares cover it, delivered only once funded, every act dated and audited,
and every refusal writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from coalition.bootstrap import Platform
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.errors import InvalidInput, InvariantViolated, NotFound, PermissionDenied
from coalition.domain.money import Money
from coalition.domain.packages import PackageShare, PackageState, PurlPackage
from coalition.domain.party import Party, PartyKind
from coalition.services import audit, packages, registry
from tests.integration.helpers import dump, run

AUG = date(2025, 8, 4)


def usd(text: str) -> Money:
    return Money.parse(text, "USD")


@pytest.fixture
def nato(platform: Platform) -> Platform:
    actor = platform.operator()
    for code in ("US", "UA", "NL", "DK", "NO", "SE"):
        registry.register_party(platform.uow(), actor, Party.state(code))
    registry.register_party(platform.uow(), actor, Party("NATO", PartyKind.INTERNATIONAL_ORGANISATION,
                                                         "North Atlantic Treaty Organization"))
    packages.propose_package(platform.uow(), actor, PurlPackage(
        "PURL-NORDIC-1", "Air defence and ammunition from United States stock", "NATO", "NATO", "US", "UA",
        usd("500000000"), AUG))
    return platform


def share(donor: str, amount: str, on: date = date(2025, 8, 5)) -> PackageShare:
    return PackageShare("PURL-NORDIC-1", donor, usd(amount), on)


def test_a_package_runs_from_proposal_to_delivery_with_every_act_dated_and_audited(nato: Platform):
    actor = nato.operator()
    packages.validate_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2025, 8, 5), note="validated by NATO")
    packages.record_shares(nato.uow(), actor, "PURL-NORDIC-1", [share("DK", "180000000"), share("NO", "170000000")])
    funded = packages.fund_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2025, 8, 6),
                                   shares=[share("SE", "150000000", date(2025, 8, 6))])
    assert funded.state is PackageState.FUNDED
    assert funded.covered == usd("500000000")
    packages.deliver_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2025, 10, 20))

    record = packages.get_package(nato.uow(), actor, "PURL-NORDIC-1")
    assert [(a.state, a.on) for a in record.acts] == [
        (PackageState.PROPOSED, AUG), (PackageState.VALIDATED, date(2025, 8, 5)),
        (PackageState.FUNDED, date(2025, 8, 6)), (PackageState.DELIVERED, date(2025, 10, 20))]
    assert all(a.recorded_at is not None and a.recorded_at.date() == date(2026, 11, 22) for a in record.acts)
    assert record.by_donor() == [("DK", usd("180000000")), ("NO", usd("170000000")), ("SE", usd("150000000"))]
    assert [p.package.code for p in packages.list_packages(nato.uow(), actor, "NATO")] == ["PURL-NORDIC-1"]
    records = audit.audit_log(nato.uow(), actor, limit=1000).records
    assert [r.action for r in records][-5:] == ["propose_package", "validate_package",
                                                      "record_package_shares", "fund_package", "deliver_package"]
    assert audit.verify_audit_deep(nato.uow(), actor).ok  # every row of the package proved by its record


def test_a_package_is_funded_only_when_the_shares_cover_its_amount(nato: Platform):
    actor = nato.operator()
    packages.validate_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2025, 8, 5))
    before = dump(nato.engine)
    with pytest.raises(InvariantViolated) as refused:
        packages.fund_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2025, 8, 6),
                              shares=[share("DK", "180000000")])
    assert refused.value.field == "shares"
    assert "180000000.00 USD of 500000000.00 USD" in refused.value.message
    assert dump(nato.engine) == before  # the share offered with the act was not kept either


def test_shares_never_exceed_the_amount_and_come_in_its_currency(nato: Platform):
    actor = nato.operator()
    with pytest.raises(InvariantViolated) as beyond:
        packages.record_shares(nato.uow(), actor, "PURL-NORDIC-1", [share("DK", "300000000"),
                                                                     share("NO", "300000000")])
    assert beyond.value.field == "amount"
    with pytest.raises(InvalidInput) as currency:
        packages.record_shares(nato.uow(), actor, "PURL-NORDIC-1", [
            PackageShare("PURL-NORDIC-1", "DK", Money.parse("100", "EUR"), date(2025, 8, 5))])
    assert currency.value.field == "currency"
    assert packages.get_package(nato.uow(), actor, "PURL-NORDIC-1").shares == ()


def test_acts_follow_the_lifecycle_and_their_dates(nato: Platform):
    actor = nato.operator()
    with pytest.raises(InvariantViolated, match="it can move to validated, not delivered"):
        packages.deliver_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2025, 9, 1))
    with pytest.raises(InvariantViolated, match="in the future") as future:
        packages.validate_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2026, 11, 23))
    assert future.value.field == "on"
    with pytest.raises(InvariantViolated, match="cannot precede the package's last act"):
        packages.validate_package(nato.uow(), actor, "PURL-NORDIC-1", on=date(2025, 8, 3))
    with pytest.raises(NotFound) as missing:
        packages.validate_package(nato.uow(), actor, "PURL-NOPE", on=date(2025, 8, 5))
    assert missing.value.field == "package"


def test_only_the_secretariat_or_an_administrator_records_packages_and_anyone_reads_them(nato: Platform):
    member = Actor("nl-rep", "NL", frozenset({Grant(Role.MEMBER_REPRESENTATIVE, "it-coalition")}))
    with pytest.raises(PermissionDenied):
        packages.validate_package(nato.uow(), member, "PURL-NORDIC-1", on=date(2025, 8, 5))
    public = Actor("anonymous")
    assert packages.get_package(nato.uow(), public, "PURL-NORDIC-1").state is PackageState.PROPOSED


def test_the_command_line_proposes_funds_and_shows_a_package(nato: Platform, capsys):
    code, out, err = run(nato, capsys, "packages", "propose", "PURL-NL-1", "--title", "Patriot missiles",
                         "--amount", "500000000", "--on", "2025-08-04")
    assert code == 0, err
    assert run(nato, capsys, "packages", "validate", "PURL-NL-1", "--on", "2025-08-05")[0] == 0
    code, out, err = run(nato, capsys, "packages", "fund", "PURL-NL-1", "--share", "NL=400000000", "--on",
                         "2025-08-06")
    assert code == 6 and "--" not in err and "shares: package PURL-NL-1 is funded only when" in err
    code, out, err = run(nato, capsys, "packages", "fund", "PURL-NL-1", "--share", "NL=500000000", "--on",
                         "2025-08-06")
    assert code == 0, err
    assert "funded on 2025-08-06" in out
    code, out, _ = run(nato, capsys, "packages", "list", "NATO")
    assert "PURL-NL-1" in out and "funded" in out
    code, out, _ = run(nato, capsys, "packages", "show", "PURL-NL-1", "--json")
    assert '"state": "funded"' in out
    code, _, err = run(nato, capsys, "packages", "fund", "PURL-NL-1", "--share", "NL")
    assert code == 2 and "--share" in err
