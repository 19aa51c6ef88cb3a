"""People linked to what they hold: award recipients, endorsement subjects, person profiles

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

- ``assertion.recipient_person_id``: the Person an award went to, when Chemins knows
  them. Filled the way awards were found until now: by the recipient's LTI account (the
  platform's issuer and ``sub``), else by e-mail where the rules of
  :mod:`badges.platforms.email_trust` name exactly one person of a platform that
  launches the badge's community. Awards by e-mail to someone outside every platform,
  and e-mails that name several people, stay without a person (the e-mail still finds
  them where it did).
- ``endorsement``: ``subject_kind`` + ``subject_id`` become three foreign keys
  (``assertion_id``, ``badge_class_id``, ``profile_id``) with a CHECK that exactly one
  is set. An endorsement whose subject no longer exists (or of an unknown kind) cannot
  be kept under a foreign key and endorses nothing anyone can see: it is deleted.
- ``profile.person_id``: the Person a ``person`` profile speaks for, unique. No code
  wrote person profiles before this revision, so there is nothing to fill.

On SQLite, ``assertion`` and ``profile`` are referenced by other tables, so they are not
copied (batch mode drops the old table, which the enforced foreign keys refuse): their
new column is added in place, carrying its own ``REFERENCES`` clause, and dropped in
place on the way down. ``endorsement`` is referenced by nothing and is copied.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ONE_SUBJECT = (
    "(CASE WHEN assertion_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN badge_class_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN profile_id IS NULL THEN 0 ELSE 1 END) = 1"
)
#: Each kind of subject, its new column and the table that column references.
SUBJECTS = (
    ('assertion', 'assertion_id', 'assertion'),
    ('badge_class', 'badge_class_id', 'badge_class'),
    ('profile', 'profile_id', 'profile'),
)

assertions = sa.table(
    'assertion',
    sa.column('id', sa.String()),
    sa.column('badge_class_id', sa.String()),
    sa.column('recipient_email', sa.String()),
    sa.column('recipient_lti_sub', sa.String()),
    sa.column('recipient_lti_issuer', sa.String()),
    sa.column('recipient_person_id', sa.String()),
)
endorsements = sa.table(
    'endorsement',
    sa.column('id', sa.String()),
    sa.column('subject_kind', sa.String()),
    sa.column('subject_id', sa.String()),
    *(sa.column(column, sa.String()) for _kind, column, _table in SUBJECTS),
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _add_reference(table: str, column: str, target: str) -> None:
    """Add ``table.column`` (nullable) referencing ``target.id``, without copying ``table``."""
    name = f'fk_{table}_{column}_{target}'
    if _sqlite():
        op.execute(
            f'ALTER TABLE {table} ADD COLUMN {column} VARCHAR(36) '
            f'CONSTRAINT {name} REFERENCES {target} (id)'
        )
    else:
        op.add_column(table, sa.Column(column, sa.String(length=36), nullable=True))
        op.create_foreign_key(name, table, target, [column], ['id'])


def _drop_reference(table: str, column: str, target: str) -> None:
    if _sqlite():
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_constraint(f'fk_{table}_{column}_{target}', table, type_='foreignkey')
        op.drop_column(table, column)


def upgrade() -> None:
    _add_reference('assertion', 'recipient_person_id', 'person')
    op.create_index('ix_assertion_recipient_person_id', 'assertion', ['recipient_person_id'])
    _link_recipients()

    _add_reference('profile', 'person_id', 'person')
    op.create_index('uq_profile_person_id', 'profile', ['person_id'], unique=True)

    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        for _kind, column, _table in SUBJECTS:
            batch_op.add_column(sa.Column(column, sa.String(length=36), nullable=True))
    _move_subjects_to_keys()
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.drop_index('ix_endorsement_subject_id')
        batch_op.drop_column('subject_kind')
        batch_op.drop_column('subject_id')
        for _kind, column, table in SUBJECTS:
            batch_op.create_foreign_key(f'fk_endorsement_{column}_{table}', table, [column], ['id'])
            batch_op.create_index(f'ix_endorsement_{column}', [column], unique=False)
        batch_op.create_check_constraint('ck_endorsement_one_subject', sa.text(ONE_SUBJECT))


def downgrade() -> None:
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.String(length=36), nullable=True))
    bind = op.get_bind()
    for kind, column, _table in SUBJECTS:
        key = endorsements.c[column]
        bind.execute(
            endorsements.update()
            .where(key.is_not(None))
            .values(subject_kind=kind, subject_id=key)
        )
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.drop_constraint('ck_endorsement_one_subject', type_='check')
        for _kind, column, table in SUBJECTS:
            batch_op.drop_index(f'ix_endorsement_{column}')
            batch_op.drop_constraint(f'fk_endorsement_{column}_{table}', type_='foreignkey')
            batch_op.drop_column(column)
        batch_op.alter_column('subject_kind', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_index('ix_endorsement_subject_id', ['subject_id'], unique=False)

    op.drop_index('uq_profile_person_id', table_name='profile')
    _drop_reference('profile', 'person_id', 'person')
    op.drop_index('ix_assertion_recipient_person_id', table_name='assertion')
    _drop_reference('assertion', 'recipient_person_id', 'person')


def _move_subjects_to_keys() -> None:
    """Each endorsement's ``subject_id`` into the column of its kind; dangling ones go."""
    bind = op.get_bind()
    for kind, column, table in SUBJECTS:
        target = sa.table(table, sa.column('id', sa.String()))
        exists = sa.select(target.c.id).where(target.c.id == endorsements.c.subject_id).exists()
        bind.execute(
            endorsements.update()
            .where(endorsements.c.subject_kind == kind, exists)
            .values({column: endorsements.c.subject_id})
        )
    keys = [endorsements.c[column] for _kind, column, _table in SUBJECTS]
    bind.execute(endorsements.delete().where(sa.and_(*(key.is_(None) for key in keys))))


def _link_recipients() -> None:
    """Point each award at the one person it was found for until now (see the docstring)."""
    bind = op.get_bind()
    platforms = {
        row.id: row
        for row in bind.execute(sa.text('SELECT id, issuer, email_trusted FROM lti_platform'))
    }
    by_account: dict[tuple[str, str], str] = {}
    by_email: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for person_id, platform_id, sub, email in bind.execute(
        sa.text('SELECT id, platform_id, sub, email FROM person')
    ):
        by_account[(platforms[platform_id].issuer, sub)] = person_id
        if email and email.strip():
            by_email[email.strip().lower()].append((person_id, platform_id))
    serving: dict[str, set[str]] = defaultdict(set)  # community id -> platform ids
    for community_id, platform_id in bind.execute(
        sa.text(
            'SELECT d.community_id, r.platform_id FROM lti_deployment d '
            'JOIN lti_registration r ON r.id = d.registration_id'
        )
    ):
        serving[community_id].add(platform_id)
    community_of = dict(bind.execute(sa.text('SELECT id, community_id FROM badge_class')).all())
    trusted_issuers = {p.issuer for p in platforms.values() if p.email_trusted}

    def vouched(issuer: str | None, platform_id: str, community_id: str) -> bool:
        """``email_trust.email_vouched_for`` as it read before this revision."""
        platform = platforms[platform_id]
        if issuer is not None:
            return issuer == platform.issuer or (
                bool(platform.email_trusted) and issuer in trusted_issuers
            )
        others = serving[community_id] - {platform_id}
        if platform.email_trusted:
            others = {other for other in others if not platforms[other].email_trusted}
        return not others

    rows = bind.execute(
        sa.select(
            assertions.c.id,
            assertions.c.badge_class_id,
            assertions.c.recipient_email,
            assertions.c.recipient_lti_sub,
            assertions.c.recipient_lti_issuer,
        )
    ).all()
    for assertion_id, badge_class_id, email, sub, issuer in rows:
        person_id = by_account.get((issuer, sub)) if sub and issuer else None
        if person_id is None and email:
            community_id = community_of[badge_class_id]
            # Only people of a platform that launches the badge's community ever saw it.
            found = {
                candidate
                for candidate, platform_id in by_email.get(email.strip().lower(), [])
                if platform_id in serving[community_id]
                and vouched(issuer, platform_id, community_id)
            }
            person_id = found.pop() if len(found) == 1 else None
        if person_id is not None:
            bind.execute(
                assertions.update()
                .where(assertions.c.id == assertion_id)
                .values(recipient_person_id=person_id)
            )
