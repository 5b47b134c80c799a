"""SQL storage of procurement cases, tenders, bids, contracts (versions, funding, payments) and deliveries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.contributions import FundingRoute
from coalition.domain.delivery import (
    Condition,
    EndUseCheck,
    Finding,
    Shipment,
    ShipmentEvent,
    ShipmentState,
    UnitReceipt,
)
from coalition.domain.money import Money
from coalition.domain.procurement import (
    Award,
    Bid,
    CaseStage,
    Contract,
    ContractLine,
    ContractVersion,
    EvaluationMethod,
    FundingShare,
    Lot,
    Milestone,
    Payment,
    ProcurementCase,
    Tender,
    TenderProcedure,
    TenderState,
)

_CHUNK = 1000


def chunks(values: Collection[Any]) -> list[list[Any]]:
    ordered = sorted(values)
    return [ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def _inserted(result: sa.CursorResult[Any]) -> int:
    return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0


def case_from_row(row: Any) -> ProcurementCase:
    return ProcurementCase(row.code, row.coalition, FundingRoute(row.route), row.title, tuple(row.requirements),
                           row.buyer, row.opened_on, CaseStage(row.stage), row.route_decision, row.illustrative)


@rebuilds_stored_values
class SqlProcurementRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    # --- cases ------------------------------------------------------------------------------------

    def add_case(self, case: ProcurementCase) -> None:
        insert_row(self._c, t.procurement_cases, dict(
            code=case.code, coalition=case.coalition, route=case.route.value, title=case.title,
            requirements=list(case.requirements), buyer=case.buyer, opened_on=case.opened_on, stage=case.stage.value,
            route_decision=case.route_decision, illustrative=case.illustrative))
        insert_row(self._c, t.case_events, dict(
            case_code=case.code, from_stage=None, to_stage=case.stage.value, occurred_on=case.opened_on, note="opened"))

    def get_case(self, code: str) -> ProcurementCase | None:
        row = self._c.execute(row_by(t.procurement_cases, "code"), {"key": code}).first()
        return None if row is None else case_from_row(row)

    def cases(self, coalition: str) -> list[ProcurementCase]:
        c = t.procurement_cases
        return [case_from_row(r) for r in self._c.execute(sa.select(c).where(c.c.coalition == coalition)
                                                       .order_by(c.c.opened_on, c.c.code))]

    def set_stage(self, code: str, old: CaseStage | None, new: CaseStage, on: date, note: str,
                  route_decision: int | None = None) -> None:
        values: dict[str, Any] = {"stage": new.value}
        if route_decision is not None:
            values["route_decision"] = route_decision
        self._c.execute(t.procurement_cases.update().where(t.procurement_cases.c.code == code).values(**values))
        insert_row(self._c, t.case_events, dict(case_code=code, from_stage=None if old is None else old.value,
                                                to_stage=new.value, occurred_on=on, note=note))

    def case_history(self, code: str) -> list[tuple[str | None, str, date, str]]:
        e = t.case_events
        rows = self._c.execute(sa.select(e.c.from_stage, e.c.to_stage, e.c.occurred_on, e.c.note)
                               .where(e.c.case_code == code).order_by(e.c.id))
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    # --- tenders and bids -------------------------------------------------------------------------

    @staticmethod
    def _tender(row: Any) -> Tender:
        lots = tuple(Lot(lot["number"], lot["title"], lot["requirement"], lot["quantity"]) for lot in row.lots)
        awards = tuple(Award(a["lot"], a["bid"], a["justification"], date.fromisoformat(a["awarded_on"]),
                             date.fromisoformat(a["standstill_until"]), a.get("decision")) for a in row.awards)
        return Tender(row.code, row.case_code, row.title, TenderProcedure(row.procedure), EvaluationMethod(row.method),
                      lots, row.published_on, row.closes_on, tuple(row.invited), dict(row.weights),
                      row.standstill_days, TenderState(row.state), awards, row.cancel_reason, row.illustrative)

    @staticmethod
    def _awards(tender: Tender) -> list[dict[str, Any]]:
        return [{"lot": a.lot, "bid": a.bid, "justification": a.justification, "awarded_on": a.awarded_on.isoformat(),
                 "standstill_until": a.standstill_until.isoformat(), "decision": a.decision} for a in tender.awards]

    def add_tender(self, tender: Tender) -> None:
        insert_row(self._c, t.tenders, dict(
            code=tender.code, case_code=tender.case, title=tender.title, procedure=tender.procedure.value,
            method=tender.method.value,
            lots=[{"number": lot.number, "title": lot.title, "requirement": lot.requirement, "quantity": lot.quantity}
                  for lot in tender.lots],
            published_on=tender.published_on, closes_on=tender.closes_on, invited=list(tender.invited),
            weights=dict(tender.weights), standstill_days=tender.standstill_days, state=tender.state.value,
            awards=self._awards(tender), cancel_reason=tender.cancel_reason, illustrative=tender.illustrative))

    def get_tender(self, code: str) -> Tender | None:
        row = self._c.execute(row_by(t.tenders, "code"), {"key": code}).first()
        return None if row is None else self._tender(row)

    def tenders(self, case: str) -> list[Tender]:
        query = sa.select(t.tenders).where(t.tenders.c.case_code == case).order_by(t.tenders.c.published_on)
        return [self._tender(r) for r in self._c.execute(query)]

    def update_tender(self, tender: Tender) -> None:
        self._c.execute(t.tenders.update().where(t.tenders.c.code == tender.code).values(
            state=tender.state.value, awards=self._awards(tender), cancel_reason=tender.cancel_reason))

    def add_bid(self, bid: Bid) -> Bid:
        result = insert_row(self._c, t.bids, dict(
            tender=bid.tender, lot=bid.lot, supplier=bid.supplier, unit_price_minor=bid.unit_price.to_minor_units(),
            currency=bid.unit_price.currency, delivery_days=bid.delivery_days, compliant=bid.compliant,
            scores=dict(bid.scores), submitted_on=bid.submitted_on, note=bid.note))
        return Bid(bid.tender, bid.lot, bid.supplier, bid.unit_price, bid.delivery_days, bid.compliant,
                   bid.submitted_on, bid.scores, bid.note, _inserted(result))

    def bids(self, tender: str) -> list[Bid]:
        b = t.bids
        return [Bid(r.tender, r.lot, r.supplier, Money.from_minor_units(r.unit_price_minor, r.currency),
                    r.delivery_days, r.compliant, r.submitted_on, dict(r.scores), r.note, r.id)
                for r in self._c.execute(sa.select(b).where(b.c.tender == tender).order_by(b.c.id))]

    def get_bid(self, id: int) -> Bid | None:
        r = self._c.execute(row_by(t.bids, "id"), {"key": id}).first()
        return None if r is None else Bid(r.tender, r.lot, r.supplier,
                                          Money.from_minor_units(r.unit_price_minor, r.currency), r.delivery_days,
                                          r.compliant, r.submitted_on, dict(r.scores), r.note, r.id)

    # --- contracts --------------------------------------------------------------------------------

    def add_contract(self, contract: Contract) -> None:
        insert_row(self._c, t.contracts, dict(
            code=contract.code, case_code=contract.case, supplier=contract.supplier, signed_on=contract.signed_on,
            tender=contract.tender, lots=list(contract.lots), in_kind=contract.in_kind,
            illustrative=contract.illustrative))
        for version in contract.versions:
            self.add_version(contract.code, version)

    def add_version(self, contract: str, version: ContractVersion) -> None:
        insert_row(self._c, t.contract_versions, dict(
            contract=contract, version=version.version, on_date=version.on, reason=version.reason,
            currency=version.currency,
            lines=[{"number": line.number, "requirement": line.requirement, "quantity": line.quantity,
                    "unit_price_minor": line.unit_price.to_minor_units()} for line in version.lines],
            milestones=[{"number": m.number, "title": m.title, "due_on": m.due_on.isoformat(),
                         "amount_minor": m.amount.to_minor_units()} for m in version.milestones]))

    @staticmethod
    def _version(row: Any) -> ContractVersion:
        currency = row.currency
        lines = tuple(ContractLine(line["number"], line["requirement"], line["quantity"],
                                   Money.from_minor_units(line["unit_price_minor"], currency)) for line in row.lines)
        milestones = tuple(Milestone(m["number"], m["title"], date.fromisoformat(m["due_on"]),
                                     Money.from_minor_units(m["amount_minor"], currency)) for m in row.milestones)
        return ContractVersion(row.version, row.on_date, row.reason, lines, milestones)

    def contracts_of(self, query: sa.Select[Any]) -> list[Contract]:
        """The contracts a query of the contracts table selects, in its order, with their versions."""
        rows = self._c.execute(query).all()
        if not rows:
            return []
        v = t.contract_versions
        versions: dict[str, list[ContractVersion]] = {r.code: [] for r in rows}
        for chunk in chunks(versions):
            for row in self._c.execute(sa.select(v).where(v.c.contract.in_(chunk)).order_by(v.c.contract, v.c.version)):
                versions[row.contract].append(self._version(row))
        return [Contract(r.code, r.case_code, r.supplier, r.signed_on, tuple(versions[r.code]), r.tender,
                         tuple(r.lots), r.in_kind, r.illustrative) for r in rows]

    def get_contract(self, code: str) -> Contract | None:
        found = self.contracts_of(sa.select(t.contracts).where(t.contracts.c.code == code))
        return found[0] if found else None

    def contracts(self, cases: Collection[str]) -> list[Contract]:
        found = []
        for chunk in chunks(cases):
            found += self.contracts_of(sa.select(t.contracts).where(t.contracts.c.case_code.in_(chunk))
                                     .order_by(t.contracts.c.signed_on, t.contracts.c.code))
        return found

    def add_funding(self, contract: str, share: FundingShare, entry: int | None) -> None:
        insert_row(self._c, t.contract_funding, dict(
            contract=contract, line=share.line, contribution=share.contribution, donor=share.donor, fund=share.fund,
            earmark=share.earmark, units=share.units, currency=share.currency, reporting_minor=share.reporting,
            entry=entry))

    def funding(self, contracts: Collection[str], on: date | None = None) -> list[tuple[str, FundingShare]]:
        """The money behind each line of the contracts, net per contribution; as of ``on``, only what was moved by
        then (an in-kind transfer moves no money: it counts from the contract's signing)."""
        f, e = t.contract_funding, t.ledger_entries
        dated = [] if on is None else [sa.or_(f.c.entry.is_(None), e.c.value_date <= on)]
        found = []
        for chunk in chunks(contracts):
            query = (sa.select(f.c.contract, f.c.line, f.c.contribution, f.c.donor, f.c.fund, f.c.earmark, f.c.currency,
                               sa.func.sum(f.c.units), sa.func.sum(f.c.reporting_minor))
                     .select_from(f if on is None else f.outerjoin(e, e.c.id == f.c.entry))
                     .where(f.c.contract.in_(chunk), *dated)
                     .group_by(f.c.contract, f.c.line, f.c.contribution, f.c.donor, f.c.fund, f.c.earmark, f.c.currency)
                     .order_by(f.c.contract, f.c.line, f.c.contribution))
            found += [(r[0], FundingShare(r[1], int(r[2]), r[3], r[4], r[5], int(r[7]), r[6], int(r[8])))
                      for r in self._c.execute(query) if int(r[8]) or int(r[7])]
        return found

    def in_kind_used(self, contribution: int) -> int:
        f = t.contract_funding
        used = self._c.execute(sa.select(sa.func.sum(f.c.units)).where(f.c.contribution == contribution,
                                                                         f.c.entry.is_(None))).scalar()
        return int(used or 0)

    def add_payment(self, payment: Payment, shares: Sequence[tuple[FundingShare, int]]) -> Payment:
        result = insert_row(self._c, t.payments, dict(
            contract=payment.contract, paid_on=payment.paid_on, amount_minor=payment.amount.to_minor_units(),
            currency=payment.amount.currency, reporting_minor=payment.reporting.to_minor_units(),
            reporting_currency=payment.reporting.currency, rate=str(payment.rate), rate_date=payment.rate_date,
            rate_source=payment.rate_source, milestone=payment.milestone, reference=payment.reference,
            reverses=payment.reverses, reason=payment.reason))
        new_id = _inserted(result)
        for share, entry in shares:
            insert_row(self._c, t.payment_shares, dict(
                payment=new_id, line=share.line, contribution=share.contribution, donor=share.donor, fund=share.fund,
                earmark=share.earmark, units=share.units, currency=share.currency, reporting_minor=share.reporting,
                entry=entry))
        return replace(payment, id=new_id)

    def payments(self, contracts: Collection[str]) -> list[Payment]:
        p = t.payments
        found = []
        for chunk in chunks(contracts):
            for r in self._c.execute(sa.select(p).where(p.c.contract.in_(chunk)).order_by(p.c.paid_on, p.c.id)):
                found.append(Payment(r.contract, r.paid_on, Money.from_minor_units(r.amount_minor, r.currency),
                                     Money.from_minor_units(r.reporting_minor, r.reporting_currency), Decimal(r.rate),
                                     r.rate_date, r.rate_source, r.milestone, r.reference, r.reverses, r.reason,
                                     r.id))
        return found

    def payment_shares(self, contracts: Collection[str]) -> list[tuple[int, FundingShare]]:
        s, p = t.payment_shares, t.payments
        found = []
        for chunk in chunks(contracts):
            query = (sa.select(s).join(p, p.c.id == s.c.payment).where(p.c.contract.in_(chunk)).order_by(s.c.id))
            found += [(r.payment, FundingShare(r.line, r.contribution, r.donor, r.fund, r.earmark, r.units, r.currency,
                                               r.reporting_minor)) for r in self._c.execute(query)]
        return found

    def payment_entries(self, contract: str) -> list[tuple[int, FundingShare, int]]:
        s, p = t.payment_shares, t.payments
        query = sa.select(s).join(p, p.c.id == s.c.payment).where(p.c.contract == contract).order_by(s.c.id)
        return [(r.payment, FundingShare(r.line, r.contribution, r.donor, r.fund, r.earmark, r.units, r.currency,
                                         r.reporting_minor), r.entry) for r in self._c.execute(query)]

    def contract_of_payment(self, payment: int) -> str | None:
        found = self._c.execute(sa.select(t.payments.c.contract).where(t.payments.c.id == payment)).scalar()
        return None if found is None else str(found)

    # --- deliveries -------------------------------------------------------------------------------

    def add_shipment(self, shipment: Shipment) -> Shipment:
        result = insert_row(self._c, t.shipments, dict(
            contract=shipment.contract, line=shipment.line, quantity=shipment.quantity, reference=shipment.reference,
            state=shipment.state.value))
        new_id = _inserted(result)
        for event in shipment.events:
            insert_row(self._c, t.shipment_events, dict(shipment=new_id, state=event.state.value,
                                                        on_date=event.on, note=event.note))
        found = self.get_shipment(new_id)
        assert found is not None
        return found

    def add_shipment_event(self, shipment: int, event: ShipmentEvent) -> None:
        insert_row(self._c, t.shipment_events, dict(shipment=shipment, state=event.state.value,
                                                    on_date=event.on, note=event.note))
        self._c.execute(t.shipments.update().where(t.shipments.c.id == shipment).values(state=event.state.value))

    def _shipments(self, query: sa.Select[Any]) -> list[Shipment]:
        rows = self._c.execute(query).all()
        events: dict[int, list[ShipmentEvent]] = {r.id: [] for r in rows}
        e = t.shipment_events
        for chunk in chunks(events):
            for row in self._c.execute(sa.select(e).where(e.c.shipment.in_(chunk)).order_by(e.c.id)):
                events[row.shipment].append(ShipmentEvent(ShipmentState(row.state), row.on_date, row.note))
        return [Shipment(r.contract, r.line, r.quantity, tuple(events[r.id]), r.reference, r.id) for r in rows]

    def get_shipment(self, id: int) -> Shipment | None:
        found = self._shipments(sa.select(t.shipments).where(t.shipments.c.id == id))
        return found[0] if found else None

    def shipments(self, contracts: Collection[str]) -> list[Shipment]:
        found = []
        for chunk in chunks(contracts):
            found += self._shipments(sa.select(t.shipments).where(t.shipments.c.contract.in_(chunk))
                                     .order_by(t.shipments.c.id))
        return found

    @staticmethod
    def _receipt(r: Any) -> UnitReceipt:
        return UnitReceipt(r.shipment, r.unit, r.quantity, Condition(r.condition), r.accepted, r.received_on,
                           r.signed_by, r.discrepancy, r.id)

    def add_receipt(self, receipt: UnitReceipt) -> UnitReceipt:
        result = insert_row(self._c, t.unit_receipts, dict(
            shipment=receipt.shipment, unit=receipt.unit, quantity=receipt.quantity, condition=receipt.condition.value,
            accepted=receipt.accepted, received_on=receipt.received_on, signed_by=receipt.signed_by,
            discrepancy=receipt.discrepancy))
        found = self.get_receipt(_inserted(result))
        assert found is not None
        return found

    def get_receipt(self, id: int) -> UnitReceipt | None:
        row = self._c.execute(row_by(t.unit_receipts, "id"), {"key": id}).first()
        return None if row is None else self._receipt(row)

    def receipts(self, shipments: Collection[int]) -> list[UnitReceipt]:
        r = t.unit_receipts
        found = []
        for chunk in chunks(shipments):
            found += [self._receipt(row) for row in self._c.execute(sa.select(r).where(r.c.shipment.in_(chunk))
                                                                     .order_by(r.c.id))]
        return found

    def add_check(self, check: EndUseCheck) -> EndUseCheck:
        result = insert_row(self._c, t.end_use_checks, dict(
            receipt=check.receipt, checked_on=check.checked_on, checked_by=check.checked_by, quantity=check.quantity,
            finding=check.finding.value, note=check.note))
        return EndUseCheck(check.receipt, check.checked_on, check.checked_by, check.quantity, check.finding,
                           check.note, _inserted(result))

    def get_check(self, id: int) -> EndUseCheck | None:
        r = self._c.execute(row_by(t.end_use_checks, "id"), {"key": id}).first()
        return None if r is None else EndUseCheck(r.receipt, r.checked_on, r.checked_by, r.quantity,
                                                  Finding(r.finding), r.note, r.id)
