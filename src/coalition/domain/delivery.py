"""Delivery: shipments of contract lines, receipts signed by end-user units, and end-use checks.

A shipment carries a quantity of one contract line through prepared, in transit, arrived and handed
over (SHIPMENT_TRANSITIONS). A receiving unit signs for part or all of a shipment, stating the
condition and accepting the items or recording a discrepancy; the quantity signed for never exceeds
what was shipped. A requirement's delivered share derives from the accepted quantities alone. End-use
checks are recorded later against what a unit received.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from fractions import Fraction

from coalition.domain.common import check_code, check_move
from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.limits import MAX_QUANTITY, NAME, NOTE, REFERENCE, check_text, check_whole


class ShipmentState(StrEnum):
    PREPARED = "prepared"
    IN_TRANSIT = "in-transit"
    ARRIVED = "arrived"
    HANDED_OVER = "handed-over"


SHIPMENT_TRANSITIONS: dict[ShipmentState, frozenset[ShipmentState]] = {
    ShipmentState.PREPARED: frozenset({ShipmentState.IN_TRANSIT}),
    ShipmentState.IN_TRANSIT: frozenset({ShipmentState.ARRIVED}),
    ShipmentState.ARRIVED: frozenset({ShipmentState.HANDED_OVER}),
    ShipmentState.HANDED_OVER: frozenset(),
}
RECEIVABLE = frozenset({ShipmentState.ARRIVED, ShipmentState.HANDED_OVER})


@dataclass(frozen=True, slots=True)
class ShipmentEvent:
    state: ShipmentState
    on: date
    note: str = ""

    def __post_init__(self) -> None:
        check_text(self.note, "note", NOTE, required=False)


@dataclass(frozen=True, slots=True)
class Shipment:
    contract: str
    line: int
    quantity: int
    events: tuple[ShipmentEvent, ...]
    reference: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput(f"{self.quantity} is not a positive quantity", field="quantity")
        check_whole(self.quantity, "quantity", high=MAX_QUANTITY, what="a quantity")
        check_text(self.reference, "reference", REFERENCE, required=False)
        if not self.events or self.events[0].state is not ShipmentState.PREPARED:
            raise InvariantViolated("a shipment starts prepared", field="state")

    @property
    def state(self) -> ShipmentState:
        return self.events[-1].state

    def on(self, state: ShipmentState) -> date | None:
        return next((e.on for e in self.events if e.state is state), None)

    def advanced(self, to: ShipmentState, on: date, note: str = "") -> Shipment:
        check_move(SHIPMENT_TRANSITIONS, f"shipment {self.id}", self.state, to, "state")
        if on < self.events[-1].on:
            raise InvariantViolated(f"shipment {self.id} was {self.state.value} on {self.events[-1].on}; it cannot "
                                    f"be {to.value} earlier, on {on}", field="on")
        return replace(self, events=(*self.events, ShipmentEvent(to, on, note.strip())))


class Condition(StrEnum):
    NEW = "new"
    SERVICEABLE = "serviceable"
    DAMAGED = "damaged"
    UNSERVICEABLE = "unserviceable"


@dataclass(frozen=True, slots=True)
class UnitReceipt:
    """A unit signs for ``quantity`` items of a shipment; accepted, or not with the discrepancy described."""

    shipment: int
    unit: str
    quantity: int
    condition: Condition
    accepted: bool
    received_on: date
    signed_by: str
    discrepancy: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput(f"{self.quantity} is not a positive quantity", field="quantity")
        check_whole(self.quantity, "quantity", high=MAX_QUANTITY, what="a quantity")
        check_code(self.unit, "unit")
        check_text(self.signed_by, "signed_by", NAME)
        check_text(self.discrepancy, "discrepancy", NOTE, required=False)
        needs_note = not self.accepted or self.condition in (Condition.DAMAGED, Condition.UNSERVICEABLE)
        if needs_note and not self.discrepancy.strip():
            raise InvalidInput("items refused or not in good condition need the discrepancy described",
                               field="discrepancy")

    @property
    def accepted_quantity(self) -> int:
        return self.quantity if self.accepted else 0


def check_receipt(shipment: Shipment, receipt: UnitReceipt, earlier: Iterable[UnitReceipt]) -> None:
    """The shipment has arrived, and the units sign for no more than was shipped."""
    if shipment.state not in RECEIVABLE:
        raise InvariantViolated(f"shipment {shipment.id} is {shipment.state.value}; units sign for a shipment "
                                "once it has arrived", field="shipment")
    arrived = shipment.on(ShipmentState.ARRIVED)
    if arrived is not None and receipt.received_on < arrived:
        raise InvariantViolated(f"shipment {shipment.id} arrived on {arrived}, after {receipt.received_on}",
                                field="received_on")
    signed = sum(r.quantity for r in earlier)
    if signed + receipt.quantity > shipment.quantity:
        raise InvariantViolated(f"shipment {shipment.id} carried {shipment.quantity}; {signed} already signed for, "
                                f"so a receipt of {receipt.quantity} is more than was shipped", field="quantity")


class Finding(StrEnum):
    IN_USE = "in-use"
    IN_STORAGE = "in-storage"
    TRANSFERRED = "transferred"
    DAMAGED = "damaged"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class EndUseCheck:
    receipt: int
    checked_on: date
    checked_by: str
    quantity: int
    finding: Finding
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise InvalidInput(f"{self.quantity} is not a positive quantity", field="quantity")
        check_whole(self.quantity, "quantity", high=MAX_QUANTITY, what="a quantity")
        check_code(self.checked_by, "checked_by")
        check_text(self.note, "note", NOTE, required=False)
        if self.finding in (Finding.DAMAGED, Finding.LOST, Finding.TRANSFERRED) and not self.note.strip():
            raise InvalidInput(f"a finding of '{self.finding.value}' needs a note", field="note")


def check_end_use(receipt: UnitReceipt, check: EndUseCheck) -> None:
    if check.checked_on < receipt.received_on:
        raise InvariantViolated(f"receipt {receipt.id} was signed on {receipt.received_on}; a check on "
                                f"{check.checked_on} comes before it", field="checked_on")
    if check.quantity > receipt.accepted_quantity:
        raise InvariantViolated(f"receipt {receipt.id} accepted {receipt.accepted_quantity}; a check cannot cover "
                                f"{check.quantity}", field="quantity")


def delivered_share(accepted: int, required: int) -> Fraction:
    """The share of a requirement delivered: accepted items over the quantity required, at most one."""
    return min(Fraction(accepted, required), Fraction(1)) if required > 0 else Fraction(0)
