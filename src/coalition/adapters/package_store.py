"""SQL storage of PURL packages: the package row written once, its shares and dated acts appended."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.money import Money
from coalition.domain.packages import PackageAct, PackageRecord, PackageShare, PackageState, PurlPackage


def _package(row: Any) -> PurlPackage:
    return PurlPackage(row.code, row.title, row.owner, row.validator, row.supplier, row.recipient,
                       Money.from_minor_units(row.amount_minor, row.currency), row.proposed_on, row.illustrative)


def _share(row: Any) -> PackageShare:
    return PackageShare(row.package, row.donor, Money.from_minor_units(row.amount_minor, row.currency), row.paid_on,
                        datetime.fromisoformat(row.recorded_at), row.id)


def _act(row: Any) -> PackageAct:
    return PackageAct(row.package, PackageState(row.state), row.acted_on, datetime.fromisoformat(row.recorded_at),
                      row.note, row.id)


@rebuilds_stored_values
class SqlPackageRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def add(self, package: PurlPackage) -> None:
        insert_row(self._c, t.purl_packages, dict(
            code=package.code, title=package.title, owner=package.owner, validator=package.validator,
            supplier=package.supplier, recipient=package.recipient, amount_minor=package.amount.to_minor_units(),
            currency=package.amount.currency, proposed_on=package.proposed_on, illustrative=package.illustrative))

    def get(self, code: str) -> PackageRecord | None:
        found = self._records(t.purl_packages.c.code == code)
        return found[0] if found else None

    def every(self, owner: str | None = None) -> list[PackageRecord]:
        return self._records(None if owner is None else t.purl_packages.c.owner == owner)

    def _records(self, where: sa.ColumnElement[bool] | None) -> list[PackageRecord]:
        """The packages ``where`` says, with their shares and acts: three queries whatever their number."""
        p = t.purl_packages
        query = sa.select(p).order_by(p.c.proposed_on, p.c.code)
        packages = [_package(row) for row in self._c.execute(query if where is None else query.where(where))]
        if not packages:
            return []
        codes = [package.code for package in packages]
        shares = self._children(t.purl_shares, codes, _share)
        acts = self._children(t.purl_acts, codes, _act)
        return [PackageRecord(package, tuple(shares[package.code]), tuple(acts[package.code]))
                for package in packages]

    def _children(self, table: sa.Table, codes: Sequence[str], build: Any) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = defaultdict(list)
        for row in self._c.execute(sa.select(table).where(table.c.package.in_(codes)).order_by(table.c.id)):
            found[row.package].append(build(row))
        return found

    def add_share(self, share: PackageShare, recorded_at: datetime) -> None:
        insert_row(self._c, t.purl_shares, dict(
            package=share.package, donor=share.donor, amount_minor=share.amount.to_minor_units(),
            currency=share.amount.currency, paid_on=share.on, recorded_at=recorded_at.isoformat()))

    def add_act(self, act: PackageAct, recorded_at: datetime) -> None:
        insert_row(self._c, t.purl_acts, dict(package=act.package, state=act.state.value, acted_on=act.on,
                                               recorded_at=recorded_at.isoformat(), note=act.note))
