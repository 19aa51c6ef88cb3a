"""The database behind the LTI protocol code: registrations, login states, nonces.

``lti_tool.lti1p3`` asks for plain values through :class:`~lti_tool.lti1p3.registration.ToolStore`;
this module answers from the models, within the caller's session, so that the whole
login or launch stays one unit of work.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from badges.models import Deployment, LaunchState, Platform, Registration
from lti_tool.lti1p3.oidc_login import LoginRequest
from lti_tool.lti1p3.registration import LoginRecord, RegistrationInfo


def registration_info(registration: Registration) -> RegistrationInfo:
    return RegistrationInfo(
        id=registration.id,
        issuer=registration.platform.issuer,
        client_id=registration.client_id,
        auth_login_url=registration.auth_login_url,
        auth_token_url=registration.auth_token_url,
        jwks_url=registration.jwks_url,
        deployment_ids=frozenset(d.deployment_id for d in registration.deployments),
    )


class SqlToolStore:
    """:class:`ToolStore` over one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def registrations(self, issuer: str) -> list[RegistrationInfo]:
        rows = self.session.scalars(
            select(Registration)
            .join(Platform)
            .where(Platform.issuer == issuer)
            .options(selectinload(Registration.deployments), selectinload(Registration.platform))
        )
        return [registration_info(row) for row in rows]

    def login(self, state: str) -> LoginRecord | None:
        row = self.session.get(LaunchState, state)
        if row is None:
            return None
        return LoginRecord(
            state=row.state,
            nonce=row.nonce,
            registration_id=row.registration_id,
            target_link_uri=row.target_link_uri,
            lti_deployment_id=row.lti_deployment_id,
            created_at=row.created_at,
            used=row.used_at is not None,
        )

    def nonce_issued(self, nonce: str) -> bool:
        found = self.session.scalar(select(LaunchState.state).where(LaunchState.nonce == nonce))
        return found is not None

    def save_login(self, login: LoginRequest) -> None:
        """Remember an accepted login until its launch comes back (or the state expires)."""
        self.session.add(
            LaunchState(
                state=login.state,
                nonce=login.nonce,
                registration_id=login.registration.id,
                target_link_uri=login.target_link_uri,
                lti_deployment_id=login.lti_deployment_id,
            )
        )

    def deployment(self, registration_id: str, deployment_id: str) -> Deployment | None:
        return self.session.scalars(
            select(Deployment).where(
                Deployment.registration_id == registration_id,
                Deployment.deployment_id == deployment_id,
            )
        ).first()
