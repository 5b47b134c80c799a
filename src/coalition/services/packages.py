"""PURL packages: propose one, record allies' shares, validate, fund and deliver it, list and read them.

Each write is one transaction with its audit record. The rules are the domain's (``domain/packages.py``);
this module loads what they need, checks the parties exist and appends the dated act.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date

from coalition.domain.access import Actor, can
from coalition.domain.audit import AuditEvent, snapshot
from coalition.domain.errors import Conflict, NotFound, refusal
from coalition.domain.money import Money
from coalition.domain.packages import (
    PackageAct,
    PackageRecord,
    PackageShare,
    PackageState,
    PurlPackage,
    check_share,
    next_act,
    proposal,
    with_share,
)
from coalition.services.audit import record_change, require
from coalition.services.ports import UnitOfWork
from coalition.services.registry import load_party

NO_PACKAGE = "no package '{code}'"
ALREADY = "a package with code '{code}' already exists"
TEXTS = (NO_PACKAGE, ALREADY)
ACTIONS = {PackageState.VALIDATED: "validate_package", PackageState.FUNDED: "fund_package",
           PackageState.DELIVERED: "deliver_package"}


def load_package(uow: UnitOfWork, code: str) -> PackageRecord:
    """The package with ``code``, its shares and acts, or NotFound naming the field."""
    found = uow.packages.get(code)
    if found is None:
        raise refusal(NotFound, NO_PACKAGE, field="package", code=code)
    return found


def propose_package(uow: UnitOfWork, actor: Actor, package: PurlPackage) -> PackageRecord:
    """Record a package as proposed from the prioritised list, on the day it was proposed."""
    require(can(actor, "manage_packages"))
    with uow:
        for role in ("owner", "validator", "supplier", "recipient"):
            load_party(uow, getattr(package, role), role)
        if uow.packages.get(package.code) is not None:
            raise refusal(Conflict, ALREADY, field="code", code=package.code)
        act = proposal(package, uow.clock().date())
        uow.packages.add(package)
        uow.packages.add_act(act, uow.clock())
        record_change(uow, actor, AuditEvent("propose_package", "purl_package", package.code, None,
                                             snapshot(package)))
        uow.commit()
    return PackageRecord(package, (), (act,))


def record_shares(uow: UnitOfWork, actor: Actor, code: str, shares: Sequence[PackageShare]) -> PackageRecord:
    """Record allies' shares of a proposed or validated package, all or none."""
    require(can(actor, "manage_packages"))
    with uow:
        record = _add_shares(uow, load_package(uow, code), shares)
        record_change(uow, actor, AuditEvent("record_package_shares", "purl_package", code, None,
                                             {"shares": [snapshot(s) for s in shares]}))
        uow.commit()
    return record


def _add_shares(uow: UnitOfWork, record: PackageRecord, shares: Sequence[PackageShare]) -> PackageRecord:
    today = uow.clock().date()
    for given in shares:
        share = dataclasses.replace(given, package=record.package.code)
        load_party(uow, share.donor, "donor")
        check_share(record, share, today)
        uow.packages.add_share(share, uow.clock())
        record = with_share(record, share)
    return record


def validate_package(uow: UnitOfWork, actor: Actor, code: str, *, on: date, note: str = "") -> PackageRecord:
    """The outside authority validated the package on ``on``."""
    return _act(uow, actor, code, PackageState.VALIDATED, on, note or "validated")


def fund_package(uow: UnitOfWork, actor: Actor, code: str, *, on: date, shares: Sequence[PackageShare] = (),
                 note: str = "") -> PackageRecord:
    """Record the last ``shares`` (if any) and mark the package funded on ``on``: refused, and nothing written,
    unless the shares then cover its whole amount."""
    return _act(uow, actor, code, PackageState.FUNDED, on, note or "funded", shares)


def deliver_package(uow: UnitOfWork, actor: Actor, code: str, *, on: date, note: str = "") -> PackageRecord:
    """The supplier delivered the package's equipment on ``on`` (only once it was funded)."""
    return _act(uow, actor, code, PackageState.DELIVERED, on, note or "delivered")


def _act(uow: UnitOfWork, actor: Actor, code: str, to: PackageState, on: date, note: str,
         shares: Sequence[PackageShare] = ()) -> PackageRecord:
    require(can(actor, "manage_packages"))
    with uow:
        before = load_package(uow, code)
        record = _add_shares(uow, before, shares)
        act = next_act(record, to, on, uow.clock().date(), note)
        uow.packages.add_act(act, uow.clock())
        record_change(uow, actor, AuditEvent(ACTIONS[to], "purl_package", code, {"state": before.state.value},
                                             {"state": to.value, "on": on.isoformat(),
                                              "shares": [snapshot(s) for s in shares]}))
        uow.commit()
    return PackageRecord(record.package, record.shares, (*record.acts, act))


def list_packages(uow: UnitOfWork, actor: Actor, owner: str | None = None) -> list[PackageRecord]:
    """Every package (of the mechanism ``owner`` runs), oldest first."""
    require(can(actor, "read_packages"))
    with uow:
        if owner is not None:
            load_party(uow, owner, "owner")
        return uow.packages.every(owner)


def get_package(uow: UnitOfWork, actor: Actor, code: str) -> PackageRecord:
    """One package with its shares and its acts."""
    require(can(actor, "read_packages"))
    with uow:
        return load_package(uow, code)


@dataclasses.dataclass(frozen=True, slots=True)
class AllyTotal:
    donor: str
    amount: Money


@dataclasses.dataclass(frozen=True, slots=True)
class PackageView:
    """A package as the API and the pages show it: its state and coverage beside its shares and acts."""

    package: PurlPackage
    state: PackageState
    covered: Money
    allies: list[AllyTotal]
    shares: list[PackageShare]
    acts: list[PackageAct]


def view(record: PackageRecord) -> PackageView:
    return PackageView(record.package, record.state, record.covered,
                       [AllyTotal(donor, amount) for donor, amount in record.by_donor()], list(record.shares),
                       list(record.acts))
