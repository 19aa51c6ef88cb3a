"""Score deliveries: the outbox of AGS grades owed to platforms

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op
import sqlalchemy as sa
import badges.models.columns


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('score_delivery',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('assertion_id', sa.String(length=36), nullable=False),
    sa.Column('resource_link_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('lineitem_url', sa.String(length=1000), nullable=False),
    sa.Column('user_sub', sa.String(length=255), nullable=False),
    sa.Column('score_given', sa.Float(), nullable=False),
    sa.Column('score_maximum', sa.Float(), nullable=False),
    sa.Column('scored_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', badges.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assertion_id'], ['assertion.id'], name=op.f('fk_score_delivery_assertion_id_assertion')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_score_delivery_person_id_person')),
    sa.ForeignKeyConstraint(['resource_link_id'], ['lti_resource_link.id'], name=op.f('fk_score_delivery_resource_link_id_lti_resource_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_delivery')),
    sa.UniqueConstraint('assertion_id', 'resource_link_id', name=op.f('uq_score_delivery_assertion_id'))
    )
    with op.batch_alter_table('score_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_delivery_assertion_id'), ['assertion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_delivery_resource_link_id'), ['resource_link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_delivery_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_delivery_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_delivery_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('score_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_delivery_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_score_delivery_status'))
        batch_op.drop_index(batch_op.f('ix_score_delivery_person_id'))
        batch_op.drop_index(batch_op.f('ix_score_delivery_resource_link_id'))
        batch_op.drop_index(batch_op.f('ix_score_delivery_assertion_id'))

    op.drop_table('score_delivery')
