"""People and courses as LTI launches describe them.

A Person is keyed by (platform, ``sub``): the same human on two platforms is two people,
because nothing proves otherwise. Name and e-mail are kept only when the platform sent
them (its privacy settings decide). Contexts and resource links are scoped by deployment
so that one community never sees another's courses.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.models.platform import Deployment, Platform
from badges.storage.database import Base


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Indexed by the unique (platform_id, sub), whose leading column it is.
    platform_id: Mapped[str] = mapped_column(ForeignKey("lti_platform.id"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    platform: Mapped[Platform] = relationship()

    @property
    def display_name(self) -> str | None:
        """The best name the platform shared, or None for an anonymous (no PII) launch."""
        return best_name(self.name, self.given_name, self.family_name)


def best_name(name: str | None, given_name: str | None, family_name: str | None) -> str | None:
    """The full name if the platform sent one, else the name parts joined, else None.

    Also used where a person is read as a plain row (the launch context query), so that
    every page names people the same way.
    """
    if name:
        return name
    return " ".join(part for part in (given_name, family_name) if part) or None


class Context(Base):
    """An LTI context (a course or a group) seen through one deployment."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("deployment_id", "context_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Indexed by the unique (deployment_id, context_id).
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lti_deployment.id"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(200))
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    deployment: Mapped[Deployment] = relationship()


class Membership(Base):
    """A person in a context: the LTI roles as sent and the Chemins role they map to."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("person_id", "context_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Indexed by the unique (person_id, context_id).
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    context_id: Mapped[str] = mapped_column(ForeignKey("lti_context.id"), index=True)
    lti_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    role: Mapped[str] = mapped_column(String(20))  # learner | trainer | admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()
    context: Mapped[Context] = relationship()


class ResourceLink(Base):
    """A placement of the tool in a course, with the grade-service URLs it was given."""

    __tablename__ = "lti_resource_link"
    __table_args__ = (UniqueConstraint("deployment_id", "resource_link_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Indexed by the unique (deployment_id, resource_link_id).
    deployment_id: Mapped[str] = mapped_column(ForeignKey("lti_deployment.id"))
    context_id: Mapped[str | None] = mapped_column(ForeignKey("lti_context.id"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    custom_target: Mapped[str | None] = mapped_column(String(200))
    #: ``custom.badge`` of the link's latest launch: the badge an "ask for this badge"
    #: placement is for, which decides the gradebook column an award completes.
    custom_badge: Mapped[str | None] = mapped_column(String(200))
    #: ``custom.grade`` of the link's latest launch: ``none`` when the trainer placed it
    #: without a grade, so no column is ever made for it (``badges.courses.grades.can_grade``).
    custom_grade: Mapped[str | None] = mapped_column(String(20))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    #: The AGS scopes the platform granted, as sent: the score sender asks for them.
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What those scopes allow, read by the LTI adapter so the domain never spells a
    #: scope: posting scores, and creating the link's column (the line-item scope).
    may_score: Mapped[bool] = mapped_column(default=False, server_default=false())
    may_create_columns: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The grade column Chemins created through the line-items service, for a link whose
    #: launches name none (Open edX's programmatic mode); launches never rewrite it.
    tool_lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    #: While one score sender creates that column, the others leave the link alone.
    lineitem_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    deployment: Mapped[Deployment] = relationship()
    context: Mapped[Context | None] = relationship()
