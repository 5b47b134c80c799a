"""The innovation pipeline: calls with their rubrics, projects, evidence, conflict declarations, reviews,
shortlists and stage-gate decisions.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 18:20:55.199940
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('innovation_calls',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('requirement', sa.String(length=64), nullable=True),
    sa.Column('gate_authority', sa.String(length=16), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_innovation_calls_coalition_coalitions')),
    sa.ForeignKeyConstraint(['requirement'], ['requirements.code'], name=op.f('fk_innovation_calls_requirement_requirements')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_innovation_calls'))
    )
    with op.batch_alter_table('innovation_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_calls_coalition'), ['coalition'], unique=False)

    op.create_table('innovation_projects',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('call', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('team', sa.String(length=64), nullable=False),
    sa.Column('domain', sa.String(length=32), nullable=False),
    sa.Column('trl', sa.Integer(), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['call'], ['innovation_calls.code'], name=op.f('fk_innovation_projects_call_innovation_calls')),
    sa.ForeignKeyConstraint(['team'], ['parties.code'], name=op.f('fk_innovation_projects_team_parties')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_innovation_projects'))
    )
    with op.batch_alter_table('innovation_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_innovation_projects_call'), ['call'], unique=False)

    op.create_table('shortlists',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('call', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('ranking', sa.JSON(), nullable=False),
    sa.Column('shortlisted', sa.JSON(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['call'], ['innovation_calls.code'], name=op.f('fk_shortlists_call_innovation_calls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlists'))
    )
    with op.batch_alter_table('shortlists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shortlists_call'), ['call'], unique=False)

    op.create_table('conflict_declarations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('conflicted', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('declared_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['project'], ['innovation_projects.code'], name=op.f('fk_conflict_declarations_project_innovation_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_declarations'))
    )
    with op.batch_alter_table('conflict_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_declarations_project'), ['project'], unique=False)

    op.create_table('gate_decisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=False),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('authority', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('decision', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['decision'], ['proposals.id'], name=op.f('fk_gate_decisions_decision_proposals')),
    sa.ForeignKeyConstraint(['project'], ['innovation_projects.code'], name=op.f('fk_gate_decisions_project_innovation_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_decisions'))
    )
    with op.batch_alter_table('gate_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_decisions_project'), ['project'], unique=False)

    op.create_table('project_evidence',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('reference', sa.String(length=500), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['project'], ['innovation_projects.code'], name=op.f('fk_project_evidence_project_innovation_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_evidence'))
    )
    with op.batch_alter_table('project_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_evidence_project'), ['project'], unique=False)

    op.create_table('project_reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.Column('submitted_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['project'], ['innovation_projects.code'], name=op.f('fk_project_reviews_project_innovation_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_reviews')),
    sa.UniqueConstraint('project', 'reviewer', name='uq_project_reviews_project_reviewer')
    )
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_reviews_project'), ['project'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_reviews_project'))

    op.drop_table('project_reviews')
    with op.batch_alter_table('project_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_evidence_project'))

    op.drop_table('project_evidence')
    with op.batch_alter_table('gate_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_decisions_project'))

    op.drop_table('gate_decisions')
    with op.batch_alter_table('conflict_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_declarations_project'))

    op.drop_table('conflict_declarations')
    with op.batch_alter_table('shortlists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shortlists_call'))

    op.drop_table('shortlists')
    with op.batch_alter_table('innovation_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_projects_call'))

    op.drop_table('innovation_projects')
    with op.batch_alter_table('innovation_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_innovation_calls_coalition'))

    op.drop_table('innovation_calls')
