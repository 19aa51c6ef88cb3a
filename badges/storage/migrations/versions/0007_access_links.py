"""Registration and admin links, service origins, e-mail trust, one-time notices

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Hardening before recognition is built on top:

- ``access_link`` keeps the links the instance admin hands out (registration links:
  single use, expiring, bound to a community) and their own admin links (short-lived,
  revocable). Only a hash of each secret is stored.
- ``lti_registration.service_origins``: the origins an admin allows a registration's
  services on, besides its own endpoints; existing registrations get none (``[]``).
- ``lti_platform.email_trusted``: e-mail addresses match people across platforms only
  when an admin trusts the platform for it; existing platforms are not trusted.
- ``lti_launch_session.notice``: a one-time message shown by the next page, instead of
  a URL parameter any trainer could replay.
"""

from alembic import op
import sqlalchemy as sa
import badges.models.columns


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'access_link',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('community_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', badges.models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', badges.models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column('platform_id', sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['platform_id'], ['lti_platform.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('secret_hash'),
    )
    # Added in place (ALTER TABLE ADD COLUMN), not by copying tables that other
    # tables' foreign keys point at.
    op.add_column(
        'lti_registration',
        sa.Column('service_origins', sa.JSON(), nullable=False, server_default='[]'),
    )
    op.add_column(
        'lti_platform',
        sa.Column('email_trusted', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column('lti_launch_session', sa.Column('notice', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lti_launch_session', schema=None) as batch_op:
        batch_op.drop_column('notice')
    with op.batch_alter_table('lti_platform', schema=None) as batch_op:
        batch_op.drop_column('email_trusted')
    with op.batch_alter_table('lti_registration', schema=None) as batch_op:
        batch_op.drop_column('service_origins')
    op.drop_table('access_link')
