"""National defence-innovation programmes beside coalitions: a call is owned by a coalition or by a programme
(a state's own programme with its stage list and no coalition fund); each owner's gate rules as data; and the time
the record learned of each stage-gate decision beside its day. Calls stored before stay their coalition's.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 02:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

EVENTS = ('INSERT', 'UPDATE', 'DELETE')
ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
# The new tables the row proofs cover, with how a trigger spells a changed row's key (see 0016).
PROVED = (
    ('programmes', 'changed.code::text'),
    ('programme_calls', 'changed.call::text'),
    ('gate_rules', "changed.owner_kind::text || '|' || changed.owner::text"),
    ('gate_times', 'changed.gate::text'),
)


# What a downgrade deletes, children first: every record under a programme's call (a call without a coalition).
FORGOTTEN_ON_DOWNGRADE = (
    "DELETE FROM gate_times WHERE gate IN (SELECT id FROM gate_decisions WHERE project IN "
    "(SELECT code FROM innovation_projects WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL)))",
    "DELETE FROM gate_decisions WHERE project IN "
    "(SELECT code FROM innovation_projects WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL))",
    "DELETE FROM project_evidence WHERE project IN "
    "(SELECT code FROM innovation_projects WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL))",
    "DELETE FROM project_reviews WHERE project IN "
    "(SELECT code FROM innovation_projects WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL))",
    "DELETE FROM conflict_declarations WHERE project IN "
    "(SELECT code FROM innovation_projects WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL))",
    "DELETE FROM project_cases WHERE project IN "
    "(SELECT code FROM innovation_projects WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL))",
    "DELETE FROM shortlists WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL)",
    "DELETE FROM innovation_projects WHERE call IN (SELECT code FROM innovation_calls WHERE coalition IS NULL)",
    "DELETE FROM programme_calls",
    "DELETE FROM innovation_calls WHERE coalition IS NULL",
)


def _coalition_of_a_call(*, nullable: bool) -> None:
    """Whether a call may have no coalition. SQLite cannot rebuild innovation_calls inside the migration's transaction
    while foreign keys are enforced (other tables reference it), and dropping or adding NOT NULL leaves its stored
    rows as they are, so there the table's declaration is edited in place, as SQLite documents for such changes."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.alter_column('innovation_calls', 'coalition', existing_type=sa.String(length=64), nullable=nullable)
        return
    strict, loose = 'coalition VARCHAR(64) NOT NULL', 'coalition VARCHAR(64)'
    before, after = (strict, loose) if nullable else (loose + ',', strict + ',')
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar_one()
    bind.exec_driver_sql('PRAGMA writable_schema=ON')
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' "
                         "AND name = 'innovation_calls'", (before, after))
    bind.exec_driver_sql(f'PRAGMA schema_version={int(version) + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema=OFF')


def upgrade() -> None:
    op.create_table(
        'programmes',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('run_by', sa.String(length=64), nullable=True),
        sa.Column('areas', sa.JSON(), nullable=False),
        sa.Column('stages', sa.JSON(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('since_year', sa.Integer(), nullable=True),
        sa.Column('illustrative', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['owner'], ['parties.code'], name=op.f('fk_programmes_owner_parties')),
        sa.ForeignKeyConstraint(['run_by'], ['parties.code'], name=op.f('fk_programmes_run_by_parties')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_programmes')),
    )
    op.create_table(
        'programme_calls',
        sa.Column('call', sa.String(length=64), nullable=False),
        sa.Column('programme', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['call'], ['innovation_calls.code'], name=op.f('fk_programme_calls_call_innovation_calls')),
        sa.ForeignKeyConstraint(['programme'], ['programmes.code'], name=op.f('fk_programme_calls_programme_programmes')),
        sa.PrimaryKeyConstraint('call', name=op.f('pk_programme_calls')),
    )
    with op.batch_alter_table('programme_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_calls_programme'), ['programme'], unique=False)
    op.create_table(
        'gate_rules',
        sa.Column('owner_kind', sa.String(length=16), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('min_reviews', sa.Integer(), nullable=False),
        sa.Column('shortlist_first', sa.Boolean(), nullable=False),
        sa.Column('own_evidence', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('owner_kind', 'owner', name=op.f('pk_gate_rules')),
    )
    op.create_table(
        'gate_times',
        sa.Column('gate', ID, autoincrement=False, nullable=False),
        sa.Column('recorded_at', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['gate'], ['gate_decisions.id'], name=op.f('fk_gate_times_gate_gate_decisions')),
        sa.PrimaryKeyConstraint('gate', name=op.f('pk_gate_times')),
    )
    # A programme's call has no coalition. Existing calls keep theirs: they stay owned by their coalition.
    _coalition_of_a_call(nullable=True)
    if op.get_bind().dialect.name == "postgresql":  # the row proofs' notes (see 0016)
        for table, key in PROVED:
            quoted = key.replace("'", "''")
            for event in EVENTS:
                transition = "OLD TABLE AS changed" if event == "DELETE" else "NEW TABLE AS changed"
                op.execute(f"CREATE TRIGGER audit_note_{event.lower()} AFTER {event} ON {table} "
                           f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION audit_note_rows('{quoted}')")


def downgrade() -> None:
    """Back to one owner per call: a programme's calls, and everything recorded under them, cannot be kept."""
    for statement in FORGOTTEN_ON_DOWNGRADE:
        op.execute(statement)
    if op.get_bind().dialect.name == "postgresql":
        for table, _ in PROVED:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS audit_note_{event.lower()} ON {table}")
    _coalition_of_a_call(nullable=False)
    op.drop_table('gate_times')
    op.drop_table('gate_rules')
    with op.batch_alter_table('programme_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_calls_programme'))
    op.drop_table('programme_calls')
    op.drop_table('programmes')
