"""The badge a placement is for lives on its resource link; launch sessions stay small

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

An "ask for this badge" placement says which badge it is for in its custom parameter
``badge``. Until now every award looked it up in the latest launch session of each
graded link, an unindexed search of a table that grew with every launch. The link now
keeps it (written by each launch, filled here from the sessions already recorded), and
expired launch sessions can be deleted: nothing needs them after their handle expires.
Without that history, their ``person_id`` and ``deployment_id`` indexes only cost each
launch two writes.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
SESSION_INDEXES = (
    ('ix_lti_launch_session_person_id', 'person_id'),
    ('ix_lti_launch_session_deployment_id', 'deployment_id'),
)


def upgrade() -> None:
    with op.batch_alter_table('lti_resource_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('custom_badge', sa.String(length=200), nullable=True))
    sessions = sa.table(
        'lti_launch_session',
        sa.column('resource_link_id', sa.String()),
        sa.column('claims', sa.JSON()),
        sa.column('created_at', sa.String()),
    )
    links = sa.table(
        'lti_resource_link', sa.column('id', sa.String()), sa.column('custom_badge', sa.String())
    )
    bind = op.get_bind()
    latest: dict[str, object] = {}
    rows = bind.execute(
        sa.select(sessions.c.resource_link_id, sessions.c.claims)
        .where(sessions.c.resource_link_id.is_not(None))
        .order_by(sessions.c.created_at)
    )
    for link_id, claims in rows:
        custom = claims.get(CUSTOM) if isinstance(claims, dict) else None
        latest[link_id] = custom.get('badge') if isinstance(custom, dict) else None
    for link_id, badge in latest.items():
        if isinstance(badge, str) and badge:
            bind.execute(
                links.update().where(links.c.id == link_id).values(custom_badge=badge[:200])
            )
    for index, _column in SESSION_INDEXES:
        op.drop_index(index, table_name='lti_launch_session')


def downgrade() -> None:
    for index, column in SESSION_INDEXES:
        op.create_index(index, 'lti_launch_session', [column], unique=False)
    with op.batch_alter_table('lti_resource_link', schema=None) as batch_op:
        batch_op.drop_column('custom_badge')
