"""What a link's granted scopes allow, kept as two facts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

``lti_resource_link.may_score`` and ``lti_resource_link.may_create_columns``: whether the
platform granted the AGS score scope and the line-item scope. The LTI side reads the
scopes at each launch; the domain only asks these two questions, so no scope URI is
spelled outside ``lti_tool.lti1p3.claims``. Existing links get them from the scopes
their latest launch stored.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# The scope values as platforms send them (a migration is a snapshot: it spells them).
SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score'
LINEITEM = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'

links = sa.table(
    'lti_resource_link',
    sa.column('id', sa.String()),
    sa.column('ags_scopes', sa.JSON()),
    sa.column('may_score', sa.Boolean()),
    sa.column('may_create_columns', sa.Boolean()),
)


COLUMNS = ('may_score', 'may_create_columns')


def upgrade() -> None:
    # Added and dropped in place: other tables reference lti_resource_link, so SQLite
    # cannot copy it the way batch mode does.
    for column in COLUMNS:
        op.add_column(
            'lti_resource_link',
            sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False),
        )
    bind = op.get_bind()
    for row in bind.execute(sa.select(links.c.id, links.c.ags_scopes)).all():
        scopes = row.ags_scopes or []
        if SCORE in scopes or LINEITEM in scopes:
            bind.execute(
                links.update()
                .where(links.c.id == row.id)
                .values(may_score=SCORE in scopes, may_create_columns=LINEITEM in scopes)
            )


def downgrade() -> None:
    for column in reversed(COLUMNS):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE lti_resource_link DROP COLUMN {column}')
        else:
            op.drop_column('lti_resource_link', column)
