"""One active LTI tool key: a partial unique index on signing_key

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Two processes starting at once could each find no tool key and each create one. The
index lets the database keep only one active (not retired) key of purpose "lti"; see
``badges.recognition.signing_keys.ensure_tool_key``. A database where that race already happened
keeps its newest active tool key (the one ``active_tool_key`` already chose) and has the
others retired, which leaves them published, so nothing they signed stops verifying.
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import badges.models.columns


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ACTIVE_TOOL_KEY = "purpose = 'lti' AND retired_at IS NULL"


def upgrade() -> None:
    keys = sa.table(
        'signing_key',
        sa.column('kid', sa.String()),
        sa.column('purpose', sa.String()),
        sa.column('created_at', badges.models.columns.UTCDateTime(timezone=True)),
        sa.column('retired_at', badges.models.columns.UTCDateTime(timezone=True)),
    )
    bind = op.get_bind()
    active = bind.execute(
        sa.select(keys.c.kid)
        .where(keys.c.purpose == 'lti', keys.c.retired_at.is_(None))
        .order_by(keys.c.created_at.desc())
    ).scalars().all()
    if len(active) > 1:
        bind.execute(
            sa.update(keys)
            .where(keys.c.kid.in_(active[1:]))
            .values(retired_at=datetime.now(UTC))
        )
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.create_index(
            'uq_signing_key_active_tool_key',
            ['purpose'],
            unique=True,
            sqlite_where=sa.text(ACTIVE_TOOL_KEY),
            postgresql_where=sa.text(ACTIVE_TOOL_KEY),
        )


def downgrade() -> None:
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.drop_index('uq_signing_key_active_tool_key')
