"""The login's hints, kept with its state

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

``lti_launch_state.login_hint`` and ``lti_launch_state.lti_message_hint``: what the
platform sent with the login initiation. When the browser drops the state cookie in
the platform's iframe, the launch offers to start the same login again in a new
window, and only the login knew these two values (the id_token carries neither).
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'lti_launch_state', sa.Column('login_hint', sa.String(length=2048), nullable=True)
    )
    op.add_column(
        'lti_launch_state', sa.Column('lti_message_hint', sa.String(length=4096), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table('lti_launch_state', schema=None) as batch_op:
        batch_op.drop_column('lti_message_hint')
        batch_op.drop_column('login_hint')
