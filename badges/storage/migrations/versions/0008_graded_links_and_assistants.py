"""Line items the tool creates, and whether teaching assistants may award

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

- ``lti_resource_link.tool_lineitem_url``: the grade column Chemins created through the
  platform's line-items service for a link whose launches name none (Open edX's
  "programmatic" grade mode). Kept apart from ``lineitem_url``, which each launch
  rewrites from its claim.
- ``lti_resource_link.custom_grade``: ``none`` for a badge a trainer placed without a
  grade (Deep Linking's custom parameter), so that no column is made for it even where
  the platform lets the tool create columns (Moodle after Dynamic Registration).
- ``lti_resource_link.lineitem_claimed_until``: while one sender creates that column,
  the others leave the link alone (never two columns for one link).
- ``community.teaching_assistants_award``: a course member who is both a learner and a
  teaching assistant (Open edX's forum "Community TA") is a trainer only when the
  community says so; existing communities do not.
"""

from alembic import op
import sqlalchemy as sa
import badges.models.columns


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'lti_resource_link',
        sa.Column('tool_lineitem_url', sa.String(length=1000), nullable=True),
    )
    op.add_column(
        'lti_resource_link',
        sa.Column(
            'lineitem_claimed_until',
            badges.models.columns.UTCDateTime(timezone=True),
            nullable=True,
        ),
    )
    op.add_column(
        'lti_resource_link',
        sa.Column('custom_grade', sa.String(length=20), nullable=True),
    )
    op.add_column(
        'community',
        sa.Column(
            'teaching_assistants_award', sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('teaching_assistants_award')
    with op.batch_alter_table('lti_resource_link', schema=None) as batch_op:
        batch_op.drop_column('lineitem_claimed_until')
        batch_op.drop_column('custom_grade')
        batch_op.drop_column('tool_lineitem_url')
