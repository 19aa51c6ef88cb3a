"""Fewer indexes on the tables every launch writes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Each of these single-column indexes repeats the leading column of a unique index on the
same table (``person (platform_id, sub)``, ``lti_context (deployment_id, context_id)``,
``membership (person_id, context_id)``, ``lti_resource_link (deployment_id,
resource_link_id)``), which serves the same lookups; every new learner paid for them
twice. ``lti_launch_state.registration_id`` is only read when a registration is removed
(the cascade), on a table purged of rows older than a day: every login paid an index
write for that.
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

DROPPED = (
    ('person', 'ix_person_platform_id', 'platform_id'),
    ('lti_context', 'ix_lti_context_deployment_id', 'deployment_id'),
    ('membership', 'ix_membership_person_id', 'person_id'),
    ('lti_resource_link', 'ix_lti_resource_link_deployment_id', 'deployment_id'),
    ('lti_launch_state', 'ix_lti_launch_state_registration_id', 'registration_id'),
)


def upgrade() -> None:
    for table, index, _column in DROPPED:
        op.drop_index(index, table_name=table)


def downgrade() -> None:
    for table, index, column in DROPPED:
        op.create_index(index, table, [column], unique=False)
