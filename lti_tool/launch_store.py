"""The database behind the LTI protocol code: registrations, login states, nonces.

``lti_tool.lti1p3`` asks for plain values through :class:`~lti_tool.lti1p3.registration.ToolStore`;
this module answers from the tables, within the caller's session or connection, so that
the whole login or launch stays one unit of work.

Every login and launch goes through here, so the lookups are plain column selects (one
statement each, no ORM objects to build) and the registrations of an issuer are read
once per store: the launch validator asks for them twice (issuer, then audience), and
both must see the same rows anyway. Nothing is cached across requests, so a
registration edited by the CLI or another worker counts from the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session

from badges.models import Deployment, LaunchState, Platform, Registration
from lti_tool.lti1p3.oidc_login import LoginRequest
from lti_tool.lti1p3.registration import LoginRecord, RegistrationInfo

_PLATFORM = Platform.__table__
_REGISTRATION = Registration.__table__
_DEPLOYMENT_T = Deployment.__table__
_STATE = LaunchState.__table__
# The statements are built once, with bound parameters: building a select per call
# (and computing its cache key) costs several times what SQLite takes to answer it.

#: One row per (registration, deployment) of an issuer; a registration without any
#: deployment still comes back once, with a NULL deployment id.
_REGISTRATIONS = (
    select(
        _REGISTRATION.c.id,
        _REGISTRATION.c.client_id,
        _REGISTRATION.c.auth_login_url,
        _REGISTRATION.c.auth_token_url,
        _REGISTRATION.c.jwks_url,
        _DEPLOYMENT_T.c.deployment_id,
    )
    .join(_PLATFORM, _PLATFORM.c.id == _REGISTRATION.c.platform_id)
    .outerjoin(_DEPLOYMENT_T, _DEPLOYMENT_T.c.registration_id == _REGISTRATION.c.id)
    .where(_PLATFORM.c.issuer == bindparam("issuer"))
    .order_by(_REGISTRATION.c.client_id, _DEPLOYMENT_T.c.deployment_id)
)
_LOGIN = select(
    _STATE.c.state,
    _STATE.c.nonce,
    _STATE.c.registration_id,
    _STATE.c.target_link_uri,
    _STATE.c.lti_deployment_id,
    _STATE.c.created_at,
    _STATE.c.used_at,
).where(_STATE.c.state == bindparam("state"))
_NONCE = select(_STATE.c.state).where(_STATE.c.nonce == bindparam("nonce"))
_SAVE_LOGIN = insert(_STATE)
_DEPLOYMENT = (
    select(_DEPLOYMENT_T.c.id, _REGISTRATION.c.platform_id)
    .join(_REGISTRATION, _REGISTRATION.c.id == _DEPLOYMENT_T.c.registration_id)
    .where(
        _DEPLOYMENT_T.c.registration_id == bindparam("registration_id"),
        _DEPLOYMENT_T.c.deployment_id == bindparam("deployment_id"),
    )
)


@dataclass(frozen=True)
class DeploymentRef:
    """A registered deployment as a launch records it: its own id and its platform's."""

    id: str
    platform_id: str


class SqlToolStore:
    """:class:`ToolStore` over one SQLAlchemy session, or a plain connection for reads.

    The launch validator only reads, so it runs on a connection straight from the pool:
    an ORM session and its commit cost several times the queries it would carry.
    """

    def __init__(self, session: Session | Connection) -> None:
        self.session = session
        self._registrations: dict[str, list[RegistrationInfo]] = {}

    def registrations(self, issuer: str) -> list[RegistrationInfo]:
        """The issuer's registrations, read in one statement the first time this store asks."""
        found = self._registrations.get(issuer)
        if found is None:
            found = self._registrations[issuer] = self._read_registrations(issuer)
        return found

    def _read_registrations(self, issuer: str) -> list[RegistrationInfo]:
        rows = self.session.execute(_REGISTRATIONS, {"issuer": issuer}).all()
        deployments: dict[str, set[str]] = {}
        first: dict[str, tuple[str, ...]] = {}
        for row in rows:
            first.setdefault(row.id, tuple(row[:5]))
            ids = deployments.setdefault(row.id, set())
            if row.deployment_id is not None:
                ids.add(row.deployment_id)
        return [
            RegistrationInfo(
                id=pk,
                issuer=issuer,
                client_id=client_id,
                auth_login_url=login_url,
                auth_token_url=token_url,
                jwks_url=jwks_url,
                deployment_ids=frozenset(deployments[pk]),
            )
            for pk, (_, client_id, login_url, token_url, jwks_url) in first.items()
        ]

    def login(self, state: str) -> LoginRecord | None:
        row = self.session.execute(_LOGIN, {"state": state}).first()
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
        found = self.session.scalar(_NONCE, {"nonce": nonce})
        return found is not None

    def save_login(self, login: LoginRequest) -> None:
        """Remember an accepted login until its launch comes back (or the state expires)."""
        self.session.execute(
            _SAVE_LOGIN,
            {
                "state": login.state,
                "nonce": login.nonce,
                "registration_id": login.registration.id,
                "target_link_uri": login.target_link_uri,
                "lti_deployment_id": login.lti_deployment_id,
            },
        )

    def deployment(self, registration_id: str, deployment_id: str) -> DeploymentRef | None:
        """The registered deployment a launch names, read within the launch's transaction."""
        row = self.session.execute(
            _DEPLOYMENT, {"registration_id": registration_id, "deployment_id": deployment_id}
        ).first()
        return DeploymentRef(row.id, row.platform_id) if row is not None else None
