"""Every ledger account's balance stays on its own side: no negative fund, reserve, contract or payment, no positive
receipt. PostgreSQL holds it as a CHECK constraint; SQLite, which adds a constraint only by rebuilding the table (that
entries reference), as triggers that refuse the row.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 20:30:00
"""
from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# As coalition.domain.ledger.DEBIT_NORMAL names them (kept here: a migration stays as written).
DEBIT_NORMAL = ("pledge-receivable", "commitment-receivable", "fund-available", "in-kind-assets", "reserved",
                "contracted", "disbursed")
_LISTED = ", ".join(f"'{name}'" for name in DEBIT_NORMAL)
RULE = (f"(type IN ({_LISTED}) AND balance_minor >= 0 AND reporting_minor >= 0) OR "
        f"(type NOT IN ({_LISTED}) AND balance_minor <= 0 AND reporting_minor <= 0)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("balance_side", "ledger_accounts", RULE)
        return
    for event in ("INSERT", "UPDATE OF balance_minor, reporting_minor, type"):
        name = "ledger_accounts_balance_side_" + event.split()[0].lower()
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON ledger_accounts WHEN NOT ("
                   + RULE.replace("type", "NEW.type").replace("balance_minor", "NEW.balance_minor")
                   .replace("reporting_minor", "NEW.reporting_minor")
                   + ") BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_ledger_accounts_balance_side'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("balance_side", "ledger_accounts", type_="check")
        return
    for name in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS ledger_accounts_balance_side_{name}")
