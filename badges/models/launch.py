"""Server-side state of the LTI login/launch dance and of launched sessions.

``LaunchState`` is written at login initiation and consumed by the launch: single use,
short-lived, and carrying the nonce it was issued with so that a replayed id_token (or an
old one posted with a fresh state) is refused. ``LaunchSession`` is what the cookie-less
launch handle points to: who launched, from which deployment, with which role, until when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.models.person import Context, Person, ResourceLink
from badges.models.platform import Deployment, Registration
from badges.storage.database import Base


class LaunchState(Base):
    __tablename__ = "lti_launch_state"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    # Not indexed: read only by the cascade when a registration is removed, on rows
    # purged after a day, while every login would pay for the index.
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("lti_registration.id", ondelete="CASCADE")
    )
    target_link_uri: Mapped[str] = mapped_column(String(2000))
    lti_deployment_id: Mapped[str | None] = mapped_column(String(255))
    #: The login's hints, for starting the same login again in a new window when the
    #: browser dropped the state cookie in the platform's iframe (the id_token has neither).
    login_hint: Mapped[str | None] = mapped_column(String(2048))
    lti_message_hint: Mapped[str | None] = mapped_column(String(4096))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship()


class LaunchSession(Base):
    """One accepted launch, for as long as its handle is valid."""

    __tablename__ = "lti_launch_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Sessions live hours (expired ones are purged): no index on these for the rare
    # removal of a person or deployment to use, and none for every launch to write.
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lti_deployment.id"))
    context_id: Mapped[str | None] = mapped_column(ForeignKey("lti_context.id"))
    resource_link_id: Mapped[str | None] = mapped_column(ForeignKey("lti_resource_link.id"))
    message_type: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))  # learner | trainer | admin
    lti_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str | None] = mapped_column(String(20))
    return_url: Mapped[str | None] = mapped_column(String(2000))
    claims: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    #: A one-time message for the person of this session (e.g. "badge awarded to …"),
    #: shown by the next page they open and then cleared: never carried in a URL.
    notice: Mapped[dict[str, object] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    person: Mapped[Person] = relationship()
    deployment: Mapped[Deployment] = relationship()
    context: Mapped[Context | None] = relationship()
    resource_link: Mapped[ResourceLink | None] = relationship()
