"""The relational schema, as SQLAlchemy Core tables. Alembic migrations must agree with it
(a test compares them). Dates are DATE, times are ISO 8601 text where a hash covers them,
codes are short strings, and money (from the ledger on) is integer minor units."""

from __future__ import annotations

import sqlalchemy as sa

from coalition.domain.documents import NAME_LENGTH
from coalition.domain.ledger import DEBIT_NORMAL
from coalition.domain.limits import (
    ARTICLE_SOURCE,
    ARTICLE_TEXT,
    COMMENT,
    DESCRIPTION,
    EARMARK,
    EVIDENCE,
    EVIDENCE_REFERENCE,
    EXTERNAL_REF,
    GRANT_REFERENCE,
    NAME,
    NOTE,
    RATE_SOURCE,
    REASON,
    REFERENCE,
    RESTRICTED_TO,
    STOCK_NUMBER,
    SUBJECT,
    TITLE,
    TOKEN_NAME,
    UNIT,
    VALUATION_SOURCE,
    TextRule,
)

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

CODE = sa.String(64)
_DEBIT_NORMAL = ", ".join(f"'{type.value}'" for type in sorted(DEBIT_NORMAL))
# Ids are 64-bit on both databases: BIGINT on PostgreSQL; on SQLite an INTEGER PRIMARY KEY (the rowid, which
# is 64-bit and keeps autoincrement working). The API and the command line take ids from 1 to 2**63 - 1
# (coalition.domain.limits.MAX_ID); ADR 0020.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def text(rule: TextRule) -> sa.String:
    """A column of free text, as long as its field's rule allows (coalition.domain.limits)."""
    return sa.String(rule.max_length)

parties = sa.Table(
    "parties", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("name", text(NAME), nullable=False),
    sa.Column("name_uk", text(NAME)),
    sa.Column("country", sa.String(2)),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

# The identifier crosswalk: a party's identifier per scheme (IATI, OCDS, LEI, national register); a value names one
# party in its scheme.
party_identifiers = sa.Table(
    "party_identifiers", metadata,
    sa.Column("party", CODE, sa.ForeignKey("parties.code"), primary_key=True),
    sa.Column("scheme", sa.String(16), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
    sa.UniqueConstraint("scheme", "value", name="uq_party_identifiers_scheme_value"),
)

coalitions = sa.Table(
    "coalitions", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", text(NAME), nullable=False),
    sa.Column("capability_area", text(NAME), nullable=False),
    sa.Column("framework", text(NAME), nullable=False),
    sa.Column("recipient", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("founded_on", sa.Date, nullable=False),
    sa.Column("founded_at", text(NAME), nullable=False),
    sa.Column("reporting_currency", sa.String(3), nullable=False),
    sa.Column("rules", sa.JSON, nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

funds = sa.Table(
    "funds", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False, index=True),
    sa.Column("name", text(NAME), nullable=False),
    sa.Column("custodian", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

instruments = sa.Table(
    "instruments", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("term_start", sa.Date, nullable=False),
    sa.Column("term_end", sa.Date),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

signatures = sa.Table(
    "signatures", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("instrument", CODE, sa.ForeignKey("instruments.code"), nullable=False),
    sa.Column("party", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("instrument", "party", name="uq_signatures_instrument_party"),
)

membership_changes = sa.Table(
    "membership_changes", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False),
    sa.Column("party", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("role", sa.String(32)),
    sa.Column("instrument", CODE, sa.ForeignKey("instruments.code")),
    sa.Column("effective_on", sa.Date, nullable=False),
    sa.Column("note", text(NOTE), nullable=False, default=""),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
    sa.Index("ix_membership_changes_coalition_party", "coalition", "party"),
)

audit_records = sa.Table(
    "audit_records", metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("occurred_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.JSON, nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("object_type", sa.String(64), nullable=False),
    sa.Column("object_id", sa.String(200), nullable=False),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("rows", sa.JSON),  # the summary of the record's proof: {"count", "sha256"}; null for none
)

# The proof of each record: per table, the keys of the rows its change wrote and their SHA-256 digests as written
# (32 bytes each, in key order), in parts of at most 10,000 rows. The record's hash covers their digest.
audit_proofs = sa.Table(
    "audit_proofs", metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("table_name", sa.String(64), primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("keys", sa.JSON, nullable=False),
    sa.Column("digests", sa.LargeBinary, nullable=False),
)

# Signed heads of the chain (signed outside the database, with a key it does not hold): anyone who kept one can
# prove a later chain cut or rewritten below it.
audit_checkpoints = sa.Table(
    "audit_checkpoints", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("signed_at", sa.String(40), nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(200), nullable=False),
    sa.Column("public_key", sa.String(100), nullable=False),
)

# A single row pointing at the last record: appends lock it, so the chain never forks,
# and verification compares it with the records to notice any cut from the end.
audit_head = sa.Table(
    "audit_head", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

capability_areas = sa.Table(
    "capability_areas", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", text(NAME), nullable=False),
    sa.Column("name_uk", text(NAME)),
    sa.Column("parent", CODE, sa.ForeignKey("capability_areas.code")),
)

# Rates are exact decimal text: they are not money, and SQLite's NUMERIC would turn them into floats.
fx_rates = sa.Table(
    "fx_rates", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("base", sa.String(3), nullable=False),
    sa.Column("quote", sa.String(3), nullable=False),
    sa.Column("rate", sa.String(40), nullable=False),
    sa.Column("source", text(RATE_SOURCE), nullable=False),
    sa.UniqueConstraint("base", "quote", "day", "source", name="uq_fx_rates_pair_day_source"),
)

# Contributions and entries get their ids from the ledger repository (bulk imports allocate them in
# one step), so the ids are not autoincrement.
contributions = sa.Table(
    "contributions", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False),
    sa.Column("fund", CODE, sa.ForeignKey("funds.code"), nullable=False),
    sa.Column("donor", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("value_date", sa.Date, nullable=False),
    sa.Column("earmark", text(EARMARK), nullable=False),
    sa.Column("visibility", sa.String(16), nullable=False),
    sa.Column("restricted_to", text(RESTRICTED_TO), nullable=False, default=""),
    sa.Column("declassify_on", sa.Date),
    sa.Column("external_ref", text(EXTERNAL_REF)),
    sa.Column("parent", sa.BigInteger, sa.ForeignKey("contributions.id")),
    sa.Column("description", text(DESCRIPTION), nullable=False, default=""),
    sa.Column("valuation_rule", sa.String(32)),
    sa.Column("valuation_source", text(VALUATION_SOURCE)),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
    sa.Column("rate", sa.String(40), nullable=False),
    sa.Column("rate_date", sa.Date, nullable=False),
    sa.Column("rate_source", sa.String(200), nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("coalition", "external_ref", name="uq_contributions_coalition_external_ref"),
    sa.Index("ix_contributions_donor_id", "donor", "id"),
    sa.Index("ix_contributions_parent", "parent"),
    # Pages of a coalition's contributions (of one kind), in id order, read straight from the index.
    sa.Index("ix_contributions_coalition_id", "coalition", "id"),
    sa.Index("ix_contributions_coalition_kind_id", "coalition", "kind", "id"),
)

# One row per account with its running balance (debit positive), kept in the same transaction as
# the entries, so reading a balance is a lookup. Absent dimensions are '' so the key stays unique.
ledger_accounts = sa.Table(
    "ledger_accounts", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False),
    sa.Column("fund", CODE, nullable=False),
    sa.Column("donor", CODE, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("earmark", text(EARMARK), nullable=False),
    sa.Column("requirement", CODE, nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("type", "coalition", "fund", "donor", "currency", "earmark", "requirement",
                        name="uq_ledger_accounts_key"),
    sa.Index("ix_ledger_accounts_donor", "donor"),
    # A balance never lies on the side its type never holds (coalition.domain.ledger.DEBIT_NORMAL): on PostgreSQL a
    # CHECK constraint, on SQLite triggers (migration 0015), so no write can leave a reserve or a fund negative.
    sa.CheckConstraint(
        f"(type IN ({_DEBIT_NORMAL}) AND balance_minor >= 0 AND reporting_minor >= 0) OR "
        f"(type NOT IN ({_DEBIT_NORMAL}) AND balance_minor <= 0 AND reporting_minor <= 0)", name="balance_side"),
)

ledger_entries = sa.Table(
    "ledger_entries", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value_date", sa.Date, nullable=False),
    sa.Column("debit", ID, sa.ForeignKey("ledger_accounts.id"), nullable=False),
    sa.Column("credit", ID, sa.ForeignKey("ledger_accounts.id"), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
    sa.Column("contribution", sa.BigInteger, sa.ForeignKey("contributions.id")),
    sa.Column("reverses", sa.BigInteger, sa.ForeignKey("ledger_entries.id"), unique=True),
    sa.Column("reason", text(REASON), nullable=False, default=""),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Index("ix_ledger_entries_contribution", "contribution"),
    sa.Index("ix_ledger_entries_value_date", "value_date"),  # the part of a month an as-of report sums
)

# Each account's net change per month of value dates (month as YYYYMM), kept with every entry: a balance as of a
# day is the months before it plus that month's entries up to the day. `ledger check` recomputes it.
ledger_months = sa.Table(
    "ledger_months", metadata,
    sa.Column("account", ID, sa.ForeignKey("ledger_accounts.id"), primary_key=True),
    sa.Column("month", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
)

# The next id of a contribution and of a ledger entry, in one row. Money writers lock it (FOR UPDATE on
# PostgreSQL) before they take ids, so ids follow commit order and the row is the ledger's lock.
ledger_next_ids = sa.Table(
    "ledger_next_ids", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=False),
    sa.Column("contribution", sa.BigInteger, nullable=False),
    sa.Column("entry", sa.BigInteger, nullable=False),
)

# How many contributions of each kind a coalition holds, kept with every insert (a page's total is a lookup).
contribution_counts = sa.Table(
    "contribution_counts", metadata,
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# Which published rates converted a coalition's contributions into its reporting currency.
conversion_sources = sa.Table(
    "conversion_sources", metadata,
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), primary_key=True),
    sa.Column("currency", sa.String(3), primary_key=True),
    sa.Column("source", sa.String(200), primary_key=True),
)

requirements = sa.Table(
    "requirements", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False, index=True),
    sa.Column("owner", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("area", CODE, sa.ForeignKey("capability_areas.code"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit", text(UNIT), nullable=False),
    sa.Column("unit_cost_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("end_users", sa.JSON, nullable=False),
    sa.Column("stock_number", text(STOCK_NUMBER)),
    sa.Column("package", CODE),
    sa.Column("route", sa.String(32)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

# The lifecycle history: the current status is on the requirement, every move is kept here.
requirement_events = sa.Table(
    "requirement_events", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("requirement", CODE, sa.ForeignKey("requirements.code"), nullable=False, index=True),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("occurred_at", sa.String(40), nullable=False),
    sa.Column("note", text(NOTE), nullable=False, default=""),
)

packages = sa.Table(
    "packages", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("size_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

priority_lists = sa.Table(
    "priority_lists", metadata,
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ranks", sa.JSON, nullable=False),
    # SHA-256 of the ranks as JSON text (ranks_digest in planning_store): a reader that has built this version
    # before knows it again without reading the ranks (100,000 of them make a megabyte).
    sa.Column("ranks_sha256", sa.String(64), nullable=False),
    sa.Column("submitted_by", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("submitted_on", sa.Date, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("approved_by", CODE),
    sa.Column("approved_on", sa.Date),
    sa.Column("note", text(NOTE), nullable=False, default=""),
)

allocation_plans = sa.Table(
    "allocation_plans", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False),
    sa.Column("priority_version", sa.Integer, nullable=False),
    sa.Column("ledger_position", sa.BigInteger, nullable=False),
    sa.Column("policy", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("run_on", sa.Date, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
)

# What was decided of a plan (approved, superseded), on which day, and when the record learned it: one row per act.
plan_decisions = sa.Table(
    "plan_decisions", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("plan", ID, sa.ForeignKey("allocation_plans.id"), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
)

allocation_lines = sa.Table(
    "allocation_lines", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("plan", ID, sa.ForeignKey("allocation_plans.id"), nullable=False, index=True),
    sa.Column("contribution", sa.BigInteger, sa.ForeignKey("contributions.id"), nullable=False),
    sa.Column("requirement", CODE, sa.ForeignKey("requirements.code"), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
)

meetings = sa.Table(
    "meetings", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False, index=True),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("place", text(NAME), nullable=False),
    sa.Column("virtual", sa.Boolean, nullable=False),
    sa.Column("agenda", sa.JSON, nullable=False),
    sa.Column("minutes", sa.Text, nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

meeting_attendance = sa.Table(
    "meeting_attendance", metadata,
    sa.Column("meeting", ID, sa.ForeignKey("meetings.id"), primary_key=True),
    sa.Column("party", CODE, sa.ForeignKey("parties.code"), primary_key=True),
)

# A proposal and, once closed, its decision: outcome, reason, tally, effects and the rules applied.
proposals = sa.Table(
    "proposals", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("procedure", sa.String(16), nullable=False),
    sa.Column("meeting", ID, sa.ForeignKey("meetings.id")),
    sa.Column("deadline", sa.String(40)),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(16)),
    sa.Column("reason", text(REASON), nullable=False, default=""),
    sa.Column("tally", sa.JSON),
    sa.Column("effects", sa.JSON, nullable=False),
    sa.Column("rules", sa.JSON),
    sa.Column("opened_at", sa.String(40), nullable=False),
    sa.Column("decided_at", sa.String(40)),
)

# Every vote cast is kept; a member's latest vote before the proposal closes is the one that counts.
votes = sa.Table(
    "votes", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("proposal", ID, sa.ForeignKey("proposals.id"), nullable=False, index=True),
    sa.Column("party", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("vote", sa.String(8), nullable=False),
    sa.Column("cast_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
)

# --- procurement and delivery -------------------------------------------------------------------

procurement_cases = sa.Table(
    "procurement_cases", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False, index=True),
    sa.Column("route", sa.String(32), nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("requirements", sa.JSON, nullable=False),
    sa.Column("buyer", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("opened_on", sa.Date, nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("route_decision", ID, sa.ForeignKey("proposals.id")),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

# The stage history: the current stage is on the case, every move is kept here.
case_events = sa.Table(
    "case_events", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("case_code", CODE, sa.ForeignKey("procurement_cases.code"), nullable=False, index=True),
    sa.Column("from_stage", sa.String(16)),
    sa.Column("to_stage", sa.String(16), nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("note", text(NOTE), nullable=False, default=""),
)

# A tender with its lots, criteria and awards (awards are added, never changed).
tenders = sa.Table(
    "tenders", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("case_code", CODE, sa.ForeignKey("procurement_cases.code"), nullable=False, index=True),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("procedure", sa.String(16), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("lots", sa.JSON, nullable=False),
    sa.Column("published_on", sa.Date, nullable=False),
    sa.Column("closes_on", sa.Date, nullable=False),
    sa.Column("invited", sa.JSON, nullable=False),
    sa.Column("weights", sa.JSON, nullable=False),
    sa.Column("standstill_days", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("awards", sa.JSON, nullable=False),
    sa.Column("cancel_reason", text(REASON), nullable=False, default=""),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

bids = sa.Table(
    "bids", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("tender", CODE, sa.ForeignKey("tenders.code"), nullable=False, index=True),
    sa.Column("lot", sa.Integer, nullable=False),
    sa.Column("supplier", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("unit_price_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("delivery_days", sa.Integer, nullable=False),
    sa.Column("compliant", sa.Boolean, nullable=False),
    sa.Column("scores", sa.JSON, nullable=False),
    sa.Column("submitted_on", sa.Date, nullable=False),
    sa.Column("note", text(NOTE), nullable=False, default=""),
)

contracts = sa.Table(
    "contracts", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("case_code", CODE, sa.ForeignKey("procurement_cases.code"), nullable=False, index=True),
    sa.Column("supplier", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("tender", CODE, sa.ForeignKey("tenders.code")),
    sa.Column("lots", sa.JSON, nullable=False),
    sa.Column("in_kind", sa.BigInteger, sa.ForeignKey("contributions.id")),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

# Every version of a contract's terms; version 1 as signed, each amendment the next.
contract_versions = sa.Table(
    "contract_versions", metadata,
    sa.Column("contract", CODE, sa.ForeignKey("contracts.code"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("reason", text(REASON), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("lines", sa.JSON, nullable=False),
    sa.Column("milestones", sa.JSON, nullable=False),
)

# The money behind each contract line, per contribution: added when contracted (positive) or
# released by an amendment (negative); the ledger entry that moved it is named.
contract_funding = sa.Table(
    "contract_funding", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("contract", CODE, sa.ForeignKey("contracts.code"), nullable=False, index=True),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("contribution", sa.BigInteger, sa.ForeignKey("contributions.id"), nullable=False),
    sa.Column("donor", CODE, nullable=False),
    sa.Column("fund", CODE, nullable=False),
    sa.Column("earmark", text(EARMARK), nullable=False),
    sa.Column("units", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
    sa.Column("entry", sa.BigInteger, sa.ForeignKey("ledger_entries.id")),
)

payments = sa.Table(
    "payments", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("contract", CODE, sa.ForeignKey("contracts.code"), nullable=False, index=True),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
    sa.Column("reporting_currency", sa.String(3), nullable=False),
    sa.Column("rate", sa.String(40), nullable=False),
    sa.Column("rate_date", sa.Date, nullable=False),
    sa.Column("rate_source", sa.String(200), nullable=False),
    sa.Column("milestone", sa.Integer),
    sa.Column("reference", text(REFERENCE), nullable=False, default=""),
    sa.Column("reverses", ID, sa.ForeignKey("payments.id"), unique=True),
    sa.Column("reason", text(REASON), nullable=False, default=""),
)

# Who paid each payment: per contract line and contribution, with the disbursement entry.
payment_shares = sa.Table(
    "payment_shares", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("payment", ID, sa.ForeignKey("payments.id"), nullable=False, index=True),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("contribution", sa.BigInteger, sa.ForeignKey("contributions.id"), nullable=False),
    sa.Column("donor", CODE, nullable=False),
    sa.Column("fund", CODE, nullable=False),
    sa.Column("earmark", text(EARMARK), nullable=False),
    sa.Column("units", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("reporting_minor", sa.BigInteger, nullable=False),
    sa.Column("entry", sa.BigInteger, sa.ForeignKey("ledger_entries.id"), nullable=False),
)

shipments = sa.Table(
    "shipments", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("contract", CODE, sa.ForeignKey("contracts.code"), nullable=False, index=True),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("reference", text(REFERENCE), nullable=False, default=""),
    sa.Column("state", sa.String(16), nullable=False),
)

shipment_events = sa.Table(
    "shipment_events", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("shipment", ID, sa.ForeignKey("shipments.id"), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("note", text(NOTE), nullable=False, default=""),
)

unit_receipts = sa.Table(
    "unit_receipts", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("shipment", ID, sa.ForeignKey("shipments.id"), nullable=False, index=True),
    sa.Column("unit", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("condition", sa.String(16), nullable=False),
    sa.Column("accepted", sa.Boolean, nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("signed_by", text(NAME), nullable=False),
    sa.Column("discrepancy", text(NOTE), nullable=False, default=""),
)

end_use_checks = sa.Table(
    "end_use_checks", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("receipt", ID, sa.ForeignKey("unit_receipts.id"), nullable=False, index=True),
    sa.Column("checked_on", sa.Date, nullable=False),
    sa.Column("checked_by", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("finding", sa.String(16), nullable=False),
    sa.Column("note", text(NOTE), nullable=False, default=""),
)

# --- the innovation pipeline -------------------------------------------------------------------------

innovation_calls = sa.Table(
    "innovation_calls", metadata,
    sa.Column("code", CODE, primary_key=True),
    # None for a programme's call: programme_calls names its programme
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("opens_on", sa.Date, nullable=False),
    sa.Column("closes_on", sa.Date, nullable=False),
    sa.Column("rubric", sa.JSON, nullable=False),  # [{code, title, weight (decimal string), scale_min, scale_max}]
    sa.Column("areas", sa.JSON, nullable=False),
    sa.Column("requirement", CODE, sa.ForeignKey("requirements.code")),
    sa.Column("gate_authority", sa.String(16), nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

innovation_projects = sa.Table(
    "innovation_projects", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("call", CODE, sa.ForeignKey("innovation_calls.code"), nullable=False, index=True),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("team", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("domain", sa.String(32), nullable=False),
    sa.Column("trl", sa.Integer, nullable=False),
    sa.Column("members", sa.JSON, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("stage", sa.String(20), nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

project_evidence = sa.Table(
    "project_evidence", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project", CODE, sa.ForeignKey("innovation_projects.code"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("reference", text(EVIDENCE_REFERENCE), nullable=False),
    sa.Column("recorded_on", sa.Date, nullable=False),
)

conflict_declarations = sa.Table(  # appended: a later declaration by the same reviewer supersedes an earlier one
    "conflict_declarations", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project", CODE, sa.ForeignKey("innovation_projects.code"), nullable=False, index=True),
    sa.Column("reviewer", CODE, nullable=False),
    sa.Column("conflicted", sa.Boolean, nullable=False),
    sa.Column("note", text(NOTE), nullable=False),
    sa.Column("declared_at", sa.String(40), nullable=False),
)

project_reviews = sa.Table(
    "project_reviews", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project", CODE, sa.ForeignKey("innovation_projects.code"), nullable=False, index=True),
    sa.Column("reviewer", CODE, nullable=False),
    sa.Column("scores", sa.JSON, nullable=False),
    sa.Column("comment", text(COMMENT), nullable=False),
    sa.Column("submitted_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("project", "reviewer", name="uq_project_reviews_project_reviewer"),
)

shortlists = sa.Table(
    "shortlists", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("call", CODE, sa.ForeignKey("innovation_calls.code"), nullable=False, index=True),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("ranking", sa.JSON, nullable=False),  # [[project, score as a decimal string], ...]
    sa.Column("shortlisted", sa.JSON, nullable=False),
    sa.Column("decided_by", text(NAME), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("note", text(NOTE), nullable=False),
)

gate_decisions = sa.Table(
    "gate_decisions", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project", CODE, sa.ForeignKey("innovation_projects.code"), nullable=False, index=True),
    sa.Column("from_stage", sa.String(20), nullable=False),
    sa.Column("to_stage", sa.String(20), nullable=False),
    sa.Column("authority", sa.String(16), nullable=False),
    sa.Column("decided_by", text(NAME), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("decision", ID, sa.ForeignKey("proposals.id")),
    sa.Column("note", text(NOTE), nullable=False),
)

gate_times = sa.Table(  # when the record learned of a gate decision (its day is gate_decisions.decided_on)
    "gate_times", metadata,
    sa.Column("gate", ID, sa.ForeignKey("gate_decisions.id"), primary_key=True, autoincrement=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
)

programmes = sa.Table(  # a state's own defence-innovation programme: calls, teams and stages, no coalition fund
    "programmes", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", text(NAME), nullable=False),
    sa.Column("owner", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("run_by", CODE, sa.ForeignKey("parties.code")),
    sa.Column("areas", sa.JSON, nullable=False),
    sa.Column("stages", sa.JSON, nullable=False),
    sa.Column("place", text(NAME), nullable=False),
    sa.Column("since_year", sa.Integer),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

programme_calls = sa.Table(  # the programme that owns a call (a call of a coalition has no row here)
    "programme_calls", metadata,
    sa.Column("call", CODE, sa.ForeignKey("innovation_calls.code"), primary_key=True),
    sa.Column("programme", CODE, sa.ForeignKey("programmes.code"), nullable=False, index=True),
)

gate_rules = sa.Table(  # an owner's gate rules; an owner without a row follows DEFAULT_GATE_RULES
    "gate_rules", metadata,
    sa.Column("owner_kind", sa.String(16), primary_key=True),  # coalition | programme
    sa.Column("owner", CODE, primary_key=True),
    sa.Column("min_reviews", sa.Integer, nullable=False),
    sa.Column("shortlist_first", sa.Boolean, nullable=False),
    sa.Column("own_evidence", sa.Boolean, nullable=False),
)

project_cases = sa.Table(  # the bridge: an adopted project named as the supplier of a direct-financing case
    "project_cases", metadata,
    sa.Column("project", CODE, sa.ForeignKey("innovation_projects.code"), primary_key=True),
    sa.Column("case_code", CODE, sa.ForeignKey("procurement_cases.code"), primary_key=True, index=True),
    sa.Column("linked_on", sa.Date, nullable=False),
)

grants = sa.Table(
    "grants", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("project", CODE, sa.ForeignKey("innovation_projects.code"), nullable=False, index=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False),
    sa.Column("fund", CODE, sa.ForeignKey("funds.code"), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("milestones", sa.JSON, nullable=False),  # [{number, title, amount_minor}]
    sa.Column("awarded_on", sa.Date, nullable=False),
    sa.Column("decided_by", text(NAME), nullable=False),
)

grant_payments = sa.Table(
    "grant_payments", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("grant_code", CODE, sa.ForeignKey("grants.code"), nullable=False, index=True),
    sa.Column("milestone", sa.Integer, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("reference", text(GRANT_REFERENCE), nullable=False),
)

# PURL packages: a mechanism of their own (owner, validator, supplier), in no coalition. The package row is written
# once; its shares and its dated acts are appended (the state is that of the last act), so no proved row changes.
purl_packages = sa.Table(
    "purl_packages", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("title", text(TITLE), nullable=False),
    sa.Column("owner", CODE, sa.ForeignKey("parties.code"), nullable=False, index=True),
    sa.Column("validator", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("supplier", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("recipient", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("proposed_on", sa.Date, nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

purl_shares = sa.Table(
    "purl_shares", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("package", CODE, sa.ForeignKey("purl_packages.code"), nullable=False, index=True),
    sa.Column("donor", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
)

purl_acts = sa.Table(
    "purl_acts", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("package", CODE, sa.ForeignKey("purl_packages.code"), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("acted_on", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("note", text(NOTE), nullable=False),
)

# Danish-model offers: written once; the donor's answers are appended, the last one standing.
offers = sa.Table(
    "offers", metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), nullable=False, index=True),
    sa.Column("recipient", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("donor", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("producer", CODE, sa.ForeignKey("parties.code"), nullable=False),
    sa.Column("purpose", text(TITLE), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("offered_on", sa.Date, nullable=False),
    sa.Column("requirements", sa.JSON, nullable=False),
    sa.Column("illustrative", sa.Boolean, nullable=False, default=False),
)

offer_answers = sa.Table(
    "offer_answers", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("offer", CODE, sa.ForeignKey("offers.code"), nullable=False, index=True),
    sa.Column("answer", sa.String(16), nullable=False),
    sa.Column("answered_on", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("note", text(NOTE), nullable=False),
    sa.Column("case_code", CODE, sa.ForeignKey("procurement_cases.code")),
)

users = sa.Table(
    "users", metadata,
    sa.Column("username", CODE, primary_key=True),
    sa.Column("party", CODE, sa.ForeignKey("parties.code")),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("oidc_subject", text(SUBJECT), unique=True),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("language", sa.String(8)),
)

user_grants = sa.Table(
    "user_grants", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("username", CODE, sa.ForeignKey("users.username"), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code")),
)

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("username", CODE, sa.ForeignKey("users.username"), nullable=False, index=True),
    sa.Column("name", text(TOKEN_NAME), nullable=False),
    sa.Column("scopes", sa.String(100), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("revoked_at", sa.String(40)),
)

# Documents attached to records: the metadata of each file, whose bytes the document store keeps under their SHA-256.
# Rows are only added; a later document names the one it supersedes (at most one supersedes each).
documents = sa.Table(
    "documents", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("record_type", sa.String(32), nullable=False),
    sa.Column("record_id", sa.String(80), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("uploaded_by", sa.String(200), nullable=False),
    sa.Column("uploaded_at", sa.String(40), nullable=False),
    sa.Column("supersedes", ID, sa.ForeignKey("documents.id"), unique=True),
    sa.Index("ix_documents_record", "record_type", "record_id", "id"),
)

# Signed-in browsers. The cookie carries a random token; only its SHA-256 digest is kept. Operational state,
# like idempotency keys: no audit records; an ended session's row is deleted, expired ones are purged.
sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(32), nullable=False, unique=True),
    sa.Column("username", CODE, sa.ForeignKey("users.username"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("last_seen_at", sa.String(40), nullable=False),
)

# The response to a write sent with an Idempotency-Key, replayed when the same client sends the key again.
idempotency_keys = sa.Table(
    "idempotency_keys", metadata,
    sa.Column("username", CODE, primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("body", sa.Text),
    sa.Column("created_at", sa.String(40), nullable=False),
)

# Sign-in and token attempts per client address, counted where every server process sees them (PostgreSQL): a
# sliding window of ``login_attempts_per_minute`` whatever the number of processes. Operational state, pruned as
# it is read.
sign_in_attempts = sa.Table(
    "sign_in_attempts", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_sign_in_attempts_client_at", "client", "at"),
)

# Durable jobs (adapters/jobs.py): long work queued with its input, claimed by one worker at a time, with its
# progress and outcome. Operational state, not covered by the row proofs: what a job applies is audited itself.
jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("owner", CODE, nullable=False, index=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("done", sa.BigInteger, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("worker", sa.String(120)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.Text),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary),
    sa.Index("ix_jobs_status_created_at", "status", "created_at"),
)

# The job workers' last signs of life (one row per worker), for /readyz; operational state.
job_workers = sa.Table(
    "job_workers", metadata,
    sa.Column("worker", sa.String(120), primary_key=True),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)

# The news intake's review queue: each article kept once (by the SHA-256 of what was read), each fact it states
# once (by the digest of its fact key) with every article that states it, and each proposal's one decision.
intake_articles = sa.Table(
    "intake_articles", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("source", text(ARTICLE_SOURCE), nullable=False),
    sa.Column("published_on", sa.Date),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("text", text(ARTICLE_TEXT), nullable=False),
    sa.Column("added_by", CODE, nullable=False),
    sa.Column("added_at", sa.String(40), nullable=False),
)

intake_proposals = sa.Table(
    "intake_proposals", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("fact_digest", sa.String(64), nullable=False, unique=True),
    sa.Column("fact_key", text(NOTE), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False, index=True),
    sa.Column("event", sa.JSON, nullable=False),
    sa.Column("added_at", sa.String(40), nullable=False),
)

intake_sources = sa.Table(
    "intake_sources", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("proposal", ID, sa.ForeignKey("intake_proposals.id"), nullable=False, index=True),
    sa.Column("article", ID, sa.ForeignKey("intake_articles.id"), nullable=False, index=True),
    sa.Column("evidence", text(EVIDENCE), nullable=False),
    sa.Column("span_start", sa.Integer, nullable=False),
    sa.Column("span_end", sa.Integer, nullable=False),
    sa.Column("confidence_milli", sa.Integer, nullable=False),
    sa.UniqueConstraint("proposal", "article", name="uq_intake_sources_proposal_article"),
)

intake_decisions = sa.Table(
    "intake_decisions", metadata,
    sa.Column("proposal", ID, sa.ForeignKey("intake_proposals.id"), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decided_by", text(NAME), nullable=False),
    sa.Column("decided_at", sa.String(40), nullable=False),
    sa.Column("reason", text(REASON), nullable=False),
    sa.Column("result", text(NOTE), nullable=False),
)

sa.Index("ix_contributions_coalition_visibility", contributions.c.coalition, contributions.c.visibility)

# The transactional outbox (adapters/outbox.py): an event written in the transaction of the change it tells of,
# fanned out by the worker to deliveries (webhooks, email) and notifications in the pages. Operational state, not
# covered by the row proofs; subscriptions and a user's choices are audited as changes (services/notifications.py).
outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(32), nullable=False, unique=True),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("coalition", CODE),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("fanned_out_at", sa.DateTime(timezone=True)),
    sa.Index("ix_outbox_fanned_out_at", "fanned_out_at"),
)

webhook_subscriptions = sa.Table(
    "webhook_subscriptions", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("party", CODE, sa.ForeignKey("parties.code"), nullable=False, index=True),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column("types", sa.Text, nullable=False),
    sa.Column("secret", sa.String(80), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_reason", sa.Text, nullable=False),
)

deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(32), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("target", sa.String(120), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.Column("worker", sa.String(120)),
    sa.Column("claimed_at", sa.DateTime(timezone=True)),
    sa.Column("status_code", sa.Integer),
    sa.Column("last_error", sa.Text, nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("event_id", "channel", "target", name="uq_deliveries_event_id_channel_target"),
    sa.Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

notifications = sa.Table(
    "notifications", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("username", CODE, sa.ForeignKey("users.username"), nullable=False),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("username", "event_id", name="uq_notifications_username_event_id"),
    sa.Index("ix_notifications_username_read_at", "username", "read_at"),
)

notification_settings = sa.Table(
    "notification_settings", metadata,
    sa.Column("username", CODE, sa.ForeignKey("users.username"), primary_key=True),
    sa.Column("email", sa.String(254)),
    sa.Column("email_events", sa.Text),
    sa.Column("page_events", sa.Text),
)

# The search index (adapters/search_index.py): one entry per record that may be found, its text with the dictionary
# forms of its Ukrainian words, kept in the transaction of every audited change from the rows the change wrote.
# Derived, like the ledger's counters: not covered by the row proofs (migration 0030 wrote it for the rows already
# held). The engines' own full-text indexes sit beside it (SQLite FTS5 table search_terms, PostgreSQL a GIN index),
# made by migration 0030 and outside these definitions.
search_entries = sa.Table(
    "search_entries", metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("key", sa.String(80), nullable=False),
    sa.Column("coalition", CODE),
    sa.Column("caption", sa.Text, nullable=False),
    sa.Column("caption_uk", sa.Text),
    sa.Column("attached_type", sa.String(32)),
    sa.Column("attached_key", sa.String(80)),
    sa.Column("body", sa.Text, nullable=False),
    sa.UniqueConstraint("kind", "key", name="uq_search_entries_kind_key"),
)


def compared(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares a database object with these definitions: not the engines' own full-text indexes of
    the search index (migration 0030: SQLite's FTS5 table and the tables behind it, PostgreSQL's GIN index of an
    expression), which no definition here describes."""
    if name is None:
        return True
    if type_ == "index":
        return name != "ix_search_entries_terms"
    return not (type_ == "table" and (name == "search_terms" or name.startswith("search_terms_")))
