"""Steering group: meetings, attendance, proposals with their decisions, and votes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 06:26:07.167937
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('virtual', sa.Boolean(), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_meetings_coalition_coalitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_coalition'), ['coalition'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('meeting', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['meeting'], ['meetings.id'], name=op.f('fk_meeting_attendance_meeting_meetings')),
    sa.ForeignKeyConstraint(['party'], ['parties.code'], name=op.f('fk_meeting_attendance_party_parties')),
    sa.PrimaryKeyConstraint('meeting', 'party', name=op.f('pk_meeting_attendance'))
    )
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('coalition', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('procedure', sa.String(length=16), nullable=False),
    sa.Column('meeting', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.String(length=40), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('tally', sa.JSON(), nullable=True),
    sa.Column('effects', sa.JSON(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=True),
    sa.Column('opened_at', sa.String(length=40), nullable=False),
    sa.Column('decided_at', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['coalition'], ['coalitions.code'], name=op.f('fk_proposals_coalition_coalitions')),
    sa.ForeignKeyConstraint(['meeting'], ['meetings.id'], name=op.f('fk_proposals_meeting_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_coalition'), ['coalition'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('proposal', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=64), nullable=False),
    sa.Column('vote', sa.String(length=8), nullable=False),
    sa.Column('cast_at', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['party'], ['parties.code'], name=op.f('fk_votes_party_parties')),
    sa.ForeignKeyConstraint(['proposal'], ['proposals.id'], name=op.f('fk_votes_proposal_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_proposal'), ['proposal'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_proposal'))

    op.drop_table('votes')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_coalition'))

    op.drop_table('proposals')
    op.drop_table('meeting_attendance')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_coalition'))

    op.drop_table('meetings')
