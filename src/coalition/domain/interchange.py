"""Imports from the open standards: what an IATI activity file or an OCDS release package says, read into plain
records that name the element each value came from, and the report of a refused file (every bad value with its
path: an XPath-like path in IATI XML, a JSON pointer in OCDS JSON).

The records name parties as the file does (``PartyRef``); the service matches them to the registry through the
identifier crosswalk. The keys that make an import idempotent are derived here, deterministically, from the file's
own identifiers (see ADR 0032).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from coalition.domain.contributions import ContributionKind, FundingRoute
from coalition.domain.errors import InvalidInput
from coalition.domain.limits import EXTERNAL_REF
from coalition.domain.money import Money
from coalition.domain.procurement import ContractLine

MAX_REPORTED = 1000


class Standard(StrEnum):
    IATI = "iati"
    OCDS = "ocds"


@dataclass(frozen=True, slots=True)
class ElementError:
    """One bad value: where it is in the file, what it held and the rule it breaks."""

    path: str
    value: str
    rule: str

    def describe(self) -> str:
        shown = f"'{self.value}' " if self.value else ""
        return f"{self.path}: {shown}{self.rule}"


class FileRefused(InvalidInput):
    """A file with bad values: nothing was written; every bad value is listed with its path."""

    code = "file_refused"

    def __init__(self, standard: Standard, errors: Sequence[ElementError]) -> None:
        listed = "; ".join(e.describe() for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{len(errors)} bad value(s) in the {standard.value.upper()} file, nothing imported: "
                         f"{listed}{more}", field="file")
        self.standard = standard
        self.errors = list(errors[:MAX_REPORTED])
        self.total = len(errors)


class SchemeOfRef(StrEnum):
    """How a file names a party: an IATI organisation identifier, a state's ISO 3166-1 code, a code of this
    registry, or an OCDS party (its identifier's scheme and id, and its id within the release)."""

    IATI = "iati"
    ISO3166 = "iso3166"
    REGISTRY = "registry"
    OCDS = "ocds"


@dataclass(frozen=True, slots=True)
class PartyRef:
    path: str
    scheme: SchemeOfRef
    value: str
    identifier_scheme: str = ""  # OCDS: the identifier's scheme ("XI-LEI", "XM-DAC", ...); value is its id
    release_id: str = ""  # OCDS: the party's id within the release


@dataclass(frozen=True, slots=True)
class ImportedFlow:
    """An IATI transaction as a pledge, commitment or receipt of a donor."""

    path: str
    key: str
    kind: ContributionKind
    donor: PartyRef
    receiver: PartyRef | None
    amount: Money
    value_date: date
    description: str = ""
    ref: str = ""  # the transaction's own @ref: the reference in the reporter's books, if it gives one


@dataclass(frozen=True, slots=True)
class ImportedPayment:
    """An OCDS implementation transaction: a payment to the contract's supplier."""

    path: str
    reference: str
    amount: Money
    paid_on: date


@dataclass(frozen=True, slots=True)
class ImportedContract:
    path: str
    code: str
    supplier: PartyRef
    signed_on: date
    lines: tuple[ContractLine, ...]
    line_paths: tuple[str, ...]  # each line's requirement, where the file names it
    payments: tuple[ImportedPayment, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedProcess:
    """An OCDS contracting process as a procurement case with its contracts and payments."""

    path: str
    ocid: str
    case: str
    route: FundingRoute
    title: str
    buyer: PartyRef
    opened_on: date
    approved_on: date | None
    requirements: tuple[tuple[str, str], ...]  # (path, requirement code)
    contracts: tuple[ImportedContract, ...] = ()


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Elements of a file the platform does not import: where, how many, what."""

    path: str
    count: int
    what: str


@dataclass(slots=True)
class ReadFile:
    """What a file says that the platform imports, the bad values found reading it, and what it leaves out."""

    standard: Standard
    flows: list[ImportedFlow] = field(default_factory=list)
    processes: list[ImportedProcess] = field(default_factory=list)
    errors: list[ElementError] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: records new, records already there (left unchanged), and what the file held that the
    platform does not import."""

    standard: Standard
    coalition: str
    new: tuple[str, ...]
    already: tuple[str, ...]
    left_out: tuple[LeftOut, ...] = ()

    def left_out_summary(self) -> list[str]:
        """What the file held and the platform did not import, one line per kind with how many and where first."""
        kinds: dict[str, list[LeftOut]] = {}
        for item in self.left_out:
            kinds.setdefault(item.what, []).append(item)
        return [f"{sum(i.count for i in items)} {what} (first at {items[0].path})" for what, items in kinds.items()]


def flow_key(identifier: str, transaction: str) -> str:
    """The external reference of an imported IATI transaction: the activity's identifier and the transaction's
    ref (or its position), or a digest of both where that is longer than a reference may be."""
    key = f"iati:{identifier}/{transaction}"
    if len(key) <= EXTERNAL_REF.max_length:
        return key
    return "iati:sha256:" + hashlib.sha256(f"{identifier}\n{transaction}".encode()).hexdigest()[:48]
