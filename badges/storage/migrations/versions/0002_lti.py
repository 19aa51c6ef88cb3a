"""LTI 1.3: platforms, registrations, deployments, people, contexts, launches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op
import sqlalchemy as sa
import badges.models.columns


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lti_platform',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platform')),
    sa.UniqueConstraint('issuer', name=op.f('uq_lti_platform_issuer'))
    )
    op.create_table('lti_registration',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('platform_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_login_url', sa.String(length=1000), nullable=False),
    sa.Column('auth_token_url', sa.String(length=1000), nullable=False),
    sa.Column('jwks_url', sa.String(length=1000), nullable=False),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platform.id'], name=op.f('fk_lti_registration_platform_id_lti_platform')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_registration')),
    sa.UniqueConstraint('platform_id', 'client_id', name=op.f('uq_lti_registration_platform_id'))
    )
    with op.batch_alter_table('lti_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_registration_platform_id'), ['platform_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('platform_id', sa.String(length=36), nullable=False),
    sa.Column('sub', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('given_name', sa.String(length=200), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platform.id'], name=op.f('fk_person_platform_id_lti_platform')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('platform_id', 'sub', name=op.f('uq_person_platform_id'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_platform_id'), ['platform_id'], unique=False)

    op.create_table('lti_deployment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('community_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_lti_deployment_community_id_community')),
    sa.ForeignKeyConstraint(['registration_id'], ['lti_registration.id'], name=op.f('fk_lti_deployment_registration_id_lti_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_deployment')),
    sa.UniqueConstraint('registration_id', 'deployment_id', name=op.f('uq_lti_deployment_registration_id'))
    )
    with op.batch_alter_table('lti_deployment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_deployment_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_deployment_registration_id'), ['registration_id'], unique=False)

    op.create_table('lti_launch_state',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('registration_id', sa.String(length=36), nullable=False),
    sa.Column('target_link_uri', sa.String(length=2000), nullable=False),
    sa.Column('lti_deployment_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', badges.models.columns.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['lti_registration.id'], name=op.f('fk_lti_launch_state_registration_id_lti_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_lti_launch_state')),
    sa.UniqueConstraint('nonce', name=op.f('uq_lti_launch_state_nonce'))
    )
    with op.batch_alter_table('lti_launch_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_launch_state_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_launch_state_registration_id'), ['registration_id'], unique=False)

    op.create_table('lti_context',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('memberships_url', sa.String(length=1000), nullable=True),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['lti_deployment.id'], name=op.f('fk_lti_context_deployment_id_lti_deployment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_context')),
    sa.UniqueConstraint('deployment_id', 'context_id', name=op.f('uq_lti_context_deployment_id'))
    )
    with op.batch_alter_table('lti_context', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_context_deployment_id'), ['deployment_id'], unique=False)

    op.create_table('lti_resource_link',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('context_id', sa.String(length=36), nullable=True),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('custom_target', sa.String(length=200), nullable=True),
    sa.Column('lineitem_url', sa.String(length=1000), nullable=True),
    sa.Column('lineitems_url', sa.String(length=1000), nullable=True),
    sa.Column('ags_scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['lti_context.id'], name=op.f('fk_lti_resource_link_context_id_lti_context')),
    sa.ForeignKeyConstraint(['deployment_id'], ['lti_deployment.id'], name=op.f('fk_lti_resource_link_deployment_id_lti_deployment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_resource_link')),
    sa.UniqueConstraint('deployment_id', 'resource_link_id', name=op.f('uq_lti_resource_link_deployment_id'))
    )
    with op.batch_alter_table('lti_resource_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_resource_link_context_id'), ['context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_resource_link_deployment_id'), ['deployment_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('context_id', sa.String(length=36), nullable=False),
    sa.Column('lti_roles', sa.JSON(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['lti_context.id'], name=op.f('fk_membership_context_id_lti_context')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_membership_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('person_id', 'context_id', name=op.f('uq_membership_person_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_context_id'), ['context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_person_id'), ['person_id'], unique=False)

    op.create_table('lti_launch_session',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('context_id', sa.String(length=36), nullable=True),
    sa.Column('resource_link_id', sa.String(length=36), nullable=True),
    sa.Column('message_type', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('lti_roles', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=20), nullable=True),
    sa.Column('return_url', sa.String(length=2000), nullable=True),
    sa.Column('claims', sa.JSON(), nullable=False),
    sa.Column('created_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', badges.models.columns.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['lti_context.id'], name=op.f('fk_lti_launch_session_context_id_lti_context')),
    sa.ForeignKeyConstraint(['deployment_id'], ['lti_deployment.id'], name=op.f('fk_lti_launch_session_deployment_id_lti_deployment')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_lti_launch_session_person_id_person')),
    sa.ForeignKeyConstraint(['resource_link_id'], ['lti_resource_link.id'], name=op.f('fk_lti_launch_session_resource_link_id_lti_resource_link')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_launch_session'))
    )
    with op.batch_alter_table('lti_launch_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_launch_session_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_launch_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_launch_session_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lti_launch_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_launch_session_person_id'))
        batch_op.drop_index(batch_op.f('ix_lti_launch_session_expires_at'))
        batch_op.drop_index(batch_op.f('ix_lti_launch_session_deployment_id'))

    op.drop_table('lti_launch_session')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_person_id'))
        batch_op.drop_index(batch_op.f('ix_membership_context_id'))

    op.drop_table('membership')
    with op.batch_alter_table('lti_resource_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_resource_link_deployment_id'))
        batch_op.drop_index(batch_op.f('ix_lti_resource_link_context_id'))

    op.drop_table('lti_resource_link')
    with op.batch_alter_table('lti_context', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_context_deployment_id'))

    op.drop_table('lti_context')
    with op.batch_alter_table('lti_launch_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_launch_state_registration_id'))
        batch_op.drop_index(batch_op.f('ix_lti_launch_state_created_at'))

    op.drop_table('lti_launch_state')
    with op.batch_alter_table('lti_deployment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_deployment_registration_id'))
        batch_op.drop_index(batch_op.f('ix_lti_deployment_community_id'))

    op.drop_table('lti_deployment')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_platform_id'))

    op.drop_table('person')
    with op.batch_alter_table('lti_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_registration_platform_id'))

    op.drop_table('lti_registration')
    op.drop_table('lti_platform')
