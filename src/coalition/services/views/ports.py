"""The read ports: what the views ask of storage, in shapes that answer a screen in a few queries.

They read only. The write repositories (``services.ports``) keep what writes need; what only a report
reads lives here. The unit of work exposes them beside the repositories, on the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from coalition.domain.contributions import Confidentiality
from coalition.domain.delivery import EndUseCheck, Shipment, UnitReceipt
from coalition.domain.history import Anachronism
from coalition.domain.ledger import AccountKey, AccountType, Balance, Holding, RequirementMoney
from coalition.domain.procurement import Contract, FundingShare, Payment, ProcurementCase
from coalition.domain.search import SearchHit, SearchKind


class FundingReads(Protocol):
    """The ledger's maintained figures, as the funding report, the donor statement and coverage read them."""

    def balances(self, *, coalition: str | None = None, donor: str | None = None,
                 on: date | None = None) -> list[tuple[AccountKey, Balance]]:
        """Every account (of the coalition, of the donor) with its maintained balance, in order of creation; or,
        as of the day ``on``, every account with an entry valued up to that day, with its balance then."""
        ...

    def confidential(self, coalition: str) -> list[tuple[str, Confidentiality]]:
        """Distinct (donor, confidentiality) of the coalition's records that are not public."""
        ...

    def conversion_sources(self, coalition: str) -> list[tuple[str, str]]:
        """(currency, rate source) pairs used to convert the coalition's contributions."""
        ...

    def reporting_total(self, coalition: str, type: AccountType, on: date | None = None) -> int:
        """The balance of every account of ``type`` in the coalition, in its reporting currency (as of ``on``)."""
        ...

    def monthly(self, coalition: str) -> list[tuple[int, AccountType, int]]:
        """Per month of value dates (YYYYMM) and account type, the net change of the coalition's accounts in its
        reporting currency's minor units (debit positive), oldest month first."""
        ...

    def requirement_money(self, coalition: str, on: date | None = None) -> dict[str, tuple[int, int]]:
        """Per requirement with money, (reserved, contracted or paid) in reporting-currency minor units (as of
        ``on``)."""
        ...


    def in_kind_money(self, coalition: str, on: date | None = None) -> dict[str, int]:
        """Per requirement, the value of the equipment donated in kind from stock for it (contracts signed by the
        end of ``on``), in reporting-currency minor units."""
        ...


@dataclass(frozen=True, slots=True)
class ContractFile:
    """A contract with everything the delivery reports read of it: its case, the money funding its lines
    (net per line and contribution), its payments and their shares, its shipments and their receipts."""

    contract: Contract
    case: ProcurementCase
    funding: tuple[FundingShare, ...]
    payments: tuple[Payment, ...]
    payment_shares: tuple[tuple[int, FundingShare], ...]
    shipments: tuple[Shipment, ...]
    receipts: tuple[UnitReceipt, ...]


class DeliveryReads(Protocol):
    """Procurement and delivery as the pipeline, delivery status, arrivals and donor reports read them."""

    def cases(self, coalition: str, on: date | None = None) -> list[ProcurementCase]:
        """The coalition's cases, oldest first; as of ``on``, those opened by then, each at its stage then."""
        ...

    def coalition_files(self, coalition: str, on: date | None = None) -> list[ContractFile]:
        """Every contract of the coalition's cases with its file, in order of signing; as of ``on``, the contracts
        signed by then, each file as it stood at the end of that day."""
        ...

    def donor_files(self, donor: str, on: date | None = None) -> list[ContractFile]:
        """Every contract that money of ``donor`` has funded, with its file, in order of code (as of ``on``)."""
        ...

    def contract_file(self, code: str) -> ContractFile | None:
        """One contract with its file."""
        ...

    def checks(self, receipts: Collection[int]) -> list[EndUseCheck]:
        """The end-use checks of the receipts, oldest first."""
        ...


class HistoryChecks(Protocol):
    """What ``coalition check history`` reads: every record that breaks a rule of time."""

    def anachronisms(self) -> list[Anachronism]:
        """Every record breaking a rule of ``coalition.domain.history.RULES``, rule by rule."""
        ...


class LedgerChecks(Protocol):
    """What ``coalition ledger check`` reads: the ledger recomputed from its entries, and what breaks its rules."""

    def maintained_balances(self) -> dict[str, Balance]:
        """Every account's maintained balance, by the account's name."""
        ...

    def recomputed_balances(self) -> dict[str, Balance]:
        """Every account's balance summed from the entries, by the account's name."""
        ...

    def wrong_side_holdings(self) -> list[Holding]:
        """Wherever the entries of one contribution leave a balance on the side its account never holds."""
        ...

    def target_money(self) -> list[RequirementMoney]:
        """Per spending target, what was reserved for it net of releases, and what of it is contracted or paid."""
        ...

    def entry_problems(self) -> list[str]:
        """Entries that break a rule of the ledger (amounts, currencies, reversals), described."""
        ...

    def count_problems(self) -> list[str]:
        """Where a maintained number of contributions or a next id differs from the records."""
        ...


class SearchReads(Protocol):
    """The search index."""

    def search(self, words: Sequence[str], limit: int, kind: SearchKind | None = None) -> list[SearchHit]:
        """At most ``limit`` records (of ``kind``) holding every word (its beginning, or a Ukrainian word's dictionary
        form), best first."""
        ...
