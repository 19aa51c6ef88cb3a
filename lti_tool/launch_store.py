"""The database behind the LTI protocol code: registrations, login states, nonces.

``lti_tool.lti1p3`` asks for plain values through :class:`~lti_tool.lti1p3.registration.ToolStore`;
this module answers from the tables, within the caller's session or connection, so that
the whole login or launch stays one unit of work.

Every login and launch goes through here, so the lookups are Core selects of the
columns needed (no ORM objects to build), joined so that each question is one statement,
and the registrations of an issuer are read once per store, with their deployments: the
launch validator asks for them twice (issuer, then audience), and the launch records
the deployment it names. Nothing is cached across requests, so a registration edited
by the CLI or another worker counts from the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session

from badges.models import Deployment, LaunchState, Platform, Registration
from badges.models.columns import utcnow
from lti_tool.lti1p3.oidc_login import LoginRequest
from lti_tool.lti1p3.registration import LoginRecord, RegistrationInfo

_PLATFORM = Platform.__table__
_REGISTRATION = Registration.__table__
_DEPLOYMENT_T = Deployment.__table__
_STATE = LaunchState.__table__
# The statements are built once, with bound parameters; SQLAlchemy caches their
# compiled form.

#: A registration as the login and the launch read it, with one deployment (or NULL).
_REGISTRATION_COLUMNS = (
    _REGISTRATION.c.id,
    _REGISTRATION.c.client_id,
    _REGISTRATION.c.auth_login_url,
    _REGISTRATION.c.auth_token_url,
    _REGISTRATION.c.jwks_url,
    _REGISTRATION.c.platform_id,
    _DEPLOYMENT_T.c.deployment_id,
    _DEPLOYMENT_T.c.id.label("deployment_pk"),
)
#: A login state as the launch validator reads it.
_STATE_COLUMNS = (
    _STATE.c.state,
    _STATE.c.nonce,
    _STATE.c.registration_id,
    _STATE.c.target_link_uri,
    _STATE.c.lti_deployment_id,
    _STATE.c.created_at,
    _STATE.c.used_at,
)
_BY_CLIENT = (_REGISTRATION.c.client_id, _DEPLOYMENT_T.c.deployment_id)

#: One row per (registration, deployment) of an issuer; a registration without any
#: deployment still comes back once, with a NULL deployment id.
_REGISTRATIONS = (
    select(*_REGISTRATION_COLUMNS)
    .join(_PLATFORM, _PLATFORM.c.id == _REGISTRATION.c.platform_id)
    .outerjoin(_DEPLOYMENT_T, _DEPLOYMENT_T.c.registration_id == _REGISTRATION.c.id)
    .where(_PLATFORM.c.issuer == bindparam("issuer"))
    .order_by(*_BY_CLIENT)
)
_LOGIN = select(*_STATE_COLUMNS).where(_STATE.c.state == bindparam("state"))
_STATE_REGISTRATION = Registration.__table__.alias("state_registration")
#: A launch's login state with every registration (and deployment) of the platform it
#: was issued for, in one statement: the launch validator needs both, and with the
#: state's platform being the token's issuer in every sound launch, one read serves.
#: One row per (registration, deployment); none when the state was never issued.
_LAUNCH_READ = (
    select(*_REGISTRATION_COLUMNS, _PLATFORM.c.issuer, *_STATE_COLUMNS)
    .join(_STATE_REGISTRATION, _STATE_REGISTRATION.c.id == _STATE.c.registration_id)
    .join(_PLATFORM, _PLATFORM.c.id == _STATE_REGISTRATION.c.platform_id)
    .join(_REGISTRATION, _REGISTRATION.c.platform_id == _PLATFORM.c.id)
    .outerjoin(_DEPLOYMENT_T, _DEPLOYMENT_T.c.registration_id == _REGISTRATION.c.id)
    .where(_STATE.c.state == bindparam("state"))
    .order_by(*_BY_CLIENT)
)
_NONCE = select(_STATE.c.state).where(_STATE.c.nonce == bindparam("nonce"))
_SAVE_LOGIN = insert(_STATE).values(
    {
        name: bindparam(name)
        for name in (
            "state",
            "nonce",
            "registration_id",
            "target_link_uri",
            "lti_deployment_id",
            "login_hint",
            "lti_message_hint",
            "created_at",
        )
    }
)
#: A login as it could be started again: read only when a launch came back without
#: its state cookie (the new-window offer, lti_tool/new_window.py).
_LOGIN_AGAIN = (
    select(
        _PLATFORM.c.issuer,
        _REGISTRATION.c.client_id,
        _STATE.c.login_hint,
        _STATE.c.lti_message_hint,
        _STATE.c.target_link_uri,
        _STATE.c.lti_deployment_id,
        _STATE.c.created_at,
        _STATE.c.used_at,
    )
    .join(_REGISTRATION, _REGISTRATION.c.id == _STATE.c.registration_id)
    .join(_PLATFORM, _PLATFORM.c.id == _REGISTRATION.c.platform_id)
    .where(_STATE.c.state == bindparam("state"))
)
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


@dataclass(frozen=True)
class LoginAgain:
    """A login's initiation parameters, when it was issued, whether its state was spent."""

    params: dict[str, str]
    created_at: datetime
    used: bool


class SqlToolStore:
    """:class:`ToolStore` over one SQLAlchemy connection (or an ORM session's).

    Logins and launches run on a connection straight from the pool: an ORM session and
    its flush cost several times the statements it would carry.
    """

    def __init__(self, session: Session | Connection) -> None:
        self.connection = session
        self._registrations: dict[str, list[RegistrationInfo]] = {}
        self._deployments: dict[tuple[str, str], DeploymentRef] = {}
        self._logins: dict[str, LoginRecord | None] = {}

    def read_launch(self, state: str) -> None:
        """Read a launch's login state and its platform's registrations in one statement.

        Only fills what :meth:`registrations` and :meth:`login` answer from: a state
        never issued, or issued for another issuer than the token names, leaves them to
        read as they otherwise would.
        """
        rows = self.connection.execute(_LAUNCH_READ, {"state": state}).all()
        if not rows:
            return
        self._registrations[rows[0].issuer] = self._registrations_of(rows[0].issuer, rows)
        self._logins[state] = _login_record(rows[0])

    def registrations(self, issuer: str) -> list[RegistrationInfo]:
        """The issuer's registrations, read in one statement the first time this store asks."""
        found = self._registrations.get(issuer)
        if found is None:
            found = self._registrations[issuer] = self._read_registrations(issuer)
        return found

    def _read_registrations(self, issuer: str) -> list[RegistrationInfo]:
        return self._registrations_of(
            issuer, self.connection.execute(_REGISTRATIONS, {"issuer": issuer}).all()
        )

    def _registrations_of(self, issuer: str, rows: list[Any]) -> list[RegistrationInfo]:
        """Registrations from rows of (registration columns…, deployment id and pk)."""
        deployments: dict[str, set[str]] = {}
        first: dict[str, tuple[str, ...]] = {}
        for row in rows:
            first.setdefault(row.id, tuple(row[:5]))
            ids = deployments.setdefault(row.id, set())
            if row.deployment_id is not None:
                ids.add(row.deployment_id)
                self._deployments[row.id, row.deployment_id] = DeploymentRef(
                    row.deployment_pk, row.platform_id
                )
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
        if state in self._logins:
            return self._logins[state]
        row = self.connection.execute(_LOGIN, {"state": state}).first()
        return None if row is None else _login_record(row)

    def nonce_issued(self, nonce: str) -> bool:
        return self.connection.execute(_NONCE, {"nonce": nonce}).first() is not None

    def save_login(self, login: LoginRequest) -> None:
        """Remember an accepted login until its launch comes back (or the state expires)."""
        self.connection.execute(
            _SAVE_LOGIN,
            {
                "state": login.state,
                "nonce": login.nonce,
                "registration_id": login.registration.id,
                "target_link_uri": login.target_link_uri,
                "lti_deployment_id": login.lti_deployment_id,
                "login_hint": login.login_hint,
                "lti_message_hint": login.lti_message_hint,
                "created_at": utcnow(),
            },
        )

    def login_again(self, state: str) -> LoginAgain | None:
        """The login that issued ``state``, as its initiation could be sent again.

        None for a state never issued, or issued before the hints were kept.
        """
        row = self.connection.execute(_LOGIN_AGAIN, {"state": state}).first()
        if row is None or not row.login_hint:
            return None
        params = {
            "iss": row.issuer,
            "client_id": row.client_id,
            "login_hint": row.login_hint,
            "target_link_uri": row.target_link_uri,
        }
        if row.lti_deployment_id is not None:
            params["lti_deployment_id"] = row.lti_deployment_id
        if row.lti_message_hint is not None:
            params["lti_message_hint"] = row.lti_message_hint
        return LoginAgain(params, row.created_at, row.used_at is not None)

    def deployment(self, registration_id: str, deployment_id: str) -> DeploymentRef | None:
        """The registered deployment a launch names.

        Answered from the registrations this store already read (the validator read
        them a moment ago, with their deployments); read again otherwise.
        """
        known = self._deployments.get((registration_id, deployment_id))
        if known is not None:
            return known
        return self.deployment_now(registration_id, deployment_id)

    def deployment_now(self, registration_id: str, deployment_id: str) -> DeploymentRef | None:
        """The registered deployment, read from the database now (it may have vanished)."""
        row = self.connection.execute(
            _DEPLOYMENT, {"registration_id": registration_id, "deployment_id": deployment_id}
        ).first()
        return DeploymentRef(row.id, row.platform_id) if row is not None else None


def _login_record(row: Any) -> LoginRecord:
    return LoginRecord(
        state=row.state,
        nonce=row.nonce,
        registration_id=row.registration_id,
        target_link_uri=row.target_link_uri,
        lti_deployment_id=row.lti_deployment_id,
        created_at=row.created_at,
        used=row.used_at is not None,
    )
