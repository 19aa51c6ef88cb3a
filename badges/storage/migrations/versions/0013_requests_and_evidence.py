"""Requests with evidence, their history, notifications, awards to many, co-creators

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Issue 13's nouns: ``badge_request`` (a person asks for a badge in a course) and its
``badge_request_event`` history; evidence given with a request, with a photo's bytes in
the database (decision 0026); ``notification`` (in the app, and an e-mail outbox);
``award_batch`` (an award to a selection, done a few at a time); a badge class's
member author, the trainer's review comment and the designer's choices, and its
co-creators (``badge_class_creator``). Nothing existing changes meaning: old evidence
belongs to an award only, old badge classes have no author.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_ACTIVE = "state IN ('to_confirm', 'open', 'changes_requested')"


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
    op.create_table(
        'badge_request',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('badge_class_id', sa.String(length=36), nullable=False),
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('context_id', sa.String(length=36), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('accompanied_by_id', sa.String(length=36), nullable=True),
        sa.Column('assertion_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['accompanied_by_id'], ['person.id']),
        sa.ForeignKeyConstraint(['assertion_id'], ['assertion.id']),
        sa.ForeignKeyConstraint(['badge_class_id'], ['badge_class.id']),
        sa.ForeignKeyConstraint(['context_id'], ['lti_context.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_badge_request_badge_class_id', 'badge_request', ['badge_class_id'])
    op.create_index('ix_badge_request_person_id', 'badge_request', ['person_id'])
    op.create_index('ix_badge_request_context_state', 'badge_request', ['context_id', 'state'])
    op.create_index(
        'uq_badge_request_active',
        'badge_request',
        ['person_id', 'badge_class_id'],
        unique=True,
        sqlite_where=sa.text(_ACTIVE),
        postgresql_where=sa.text(_ACTIVE),
    )
    op.create_table(
        'badge_request_event',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=False),
        sa.Column('actor_id', sa.String(length=36), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['person.id']),
        sa.ForeignKeyConstraint(['request_id'], ['badge_request.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_badge_request_event_request_id', 'badge_request_event', ['request_id'])

    with op.batch_alter_table('evidence') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('added_by_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('content', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('media_type', sa.String(length=50), nullable=True))
        batch.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('height', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_evidence_request_id_badge_request', 'badge_request', ['request_id'], ['id'])
        batch.create_foreign_key('fk_evidence_added_by_id_person', 'person', ['added_by_id'], ['id'])
        batch.create_index('ix_evidence_request_id', ['request_id'])

    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=True),
        sa.Column('badge_class_id', sa.String(length=36), nullable=True),
        sa.Column('assertion_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('email_status', sa.String(length=20), nullable=True),
        sa.Column('email_attempts', sa.Integer(), nullable=False),
        sa.Column('next_email_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['assertion_id'], ['assertion.id']),
        sa.ForeignKeyConstraint(['badge_class_id'], ['badge_class.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['request_id'], ['badge_request.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notification_person_read', 'notification', ['person_id', 'read_at'])
    op.create_index('ix_notification_email_status', 'notification', ['email_status'])
    op.create_index('ix_notification_request_id', 'notification', ['request_id'])

    op.create_table(
        'award_batch',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('badge_class_id', sa.String(length=36), nullable=False),
        sa.Column('context_id', sa.String(length=36), nullable=False),
        sa.Column('awarder_id', sa.String(length=36), nullable=False),
        sa.Column('narrative', sa.Text(), nullable=True),
        sa.Column('recipients', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('results', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['awarder_id'], ['person.id']),
        sa.ForeignKeyConstraint(['badge_class_id'], ['badge_class.id']),
        sa.ForeignKeyConstraint(['context_id'], ['lti_context.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_award_batch_context_id', 'award_batch', ['context_id'])

    _add_reference('badge_class', 'author_person_id', 'person')
    op.add_column('badge_class', sa.Column('review_comment', sa.Text(), nullable=True))
    op.add_column('badge_class', sa.Column('design', sa.JSON(), nullable=True))
    op.create_table(
        'badge_class_creator',
        sa.Column('badge_class_id', sa.String(length=36), nullable=False),
        sa.Column('profile_id', sa.String(length=36), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['badge_class_id'], ['badge_class.id']),
        sa.ForeignKeyConstraint(['profile_id'], ['profile.id']),
        sa.PrimaryKeyConstraint('badge_class_id', 'profile_id'),
    )


def downgrade() -> None:
    op.drop_table('badge_class_creator')
    if _sqlite():
        op.execute('ALTER TABLE badge_class DROP COLUMN design')
        op.execute('ALTER TABLE badge_class DROP COLUMN review_comment')
    else:
        op.drop_column('badge_class', 'design')
        op.drop_column('badge_class', 'review_comment')
    _drop_reference('badge_class', 'author_person_id', 'person')
    op.drop_index('ix_award_batch_context_id', table_name='award_batch')
    op.drop_table('award_batch')
    op.drop_index('ix_notification_request_id', table_name='notification')
    op.drop_index('ix_notification_email_status', table_name='notification')
    op.drop_index('ix_notification_person_read', table_name='notification')
    op.drop_table('notification')
    with op.batch_alter_table('evidence') as batch:
        batch.drop_index('ix_evidence_request_id')
        batch.drop_constraint('fk_evidence_added_by_id_person', type_='foreignkey')
        batch.drop_constraint('fk_evidence_request_id_badge_request', type_='foreignkey')
        for column in ('height', 'width', 'media_type', 'content', 'added_by_id', 'request_id'):
            batch.drop_column(column)
    op.drop_index('ix_badge_request_event_request_id', table_name='badge_request_event')
    op.drop_table('badge_request_event')
    op.drop_index('uq_badge_request_active', table_name='badge_request')
    op.drop_index('ix_badge_request_context_state', table_name='badge_request')
    op.drop_index('ix_badge_request_person_id', table_name='badge_request')
    op.drop_index('ix_badge_request_badge_class_id', table_name='badge_request')
    op.drop_table('badge_request')
