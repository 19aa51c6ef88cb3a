"""Endorsements signed as OB 3.0 EndorsementCredentials

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

``endorsement.ob3_jwt``: the EndorsementCredential as a VC-JWT, stored when it is signed
so that every reader gets the same bytes (decision 0023). Existing endorsements stay
NULL here: the keys that sign them are sealed with the instance secret, which a
migration does not hold; each is signed the first time it is served.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column needs no table copy on SQLite (endorsement is referenced by nothing).
    op.add_column("endorsement", sa.Column("ob3_jwt", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("endorsement") as batch:
        batch.drop_column("ob3_jwt")
