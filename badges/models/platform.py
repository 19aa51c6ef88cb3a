"""LTI platforms as the tool knows them: issuer → registrations → deployments.

An issuer (a Moodle site, an Open edX instance) can hold several registrations because
Open edX hands out one ``client_id`` per LTI component. Each registration lists the
``deployment_id`` values it may launch with (the allow-list of LTI Core §4.1.2), and each
deployment belongs to exactly one Community: that is how a launch knows whose badges it
may see, so every query of a launched page is scoped by deployment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.models.community import Community
from badges.storage.database import Base

#: The schemes an origin may have, with their default ports (left out of the origin).
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: A host name as a CSP source and a ``postMessage`` target accept it: letters, digits,
#: dots and hyphens (after lower-casing); IPv6 literals are hex digits, colons and dots.
_HOST_NAME = re.compile(r"[a-z0-9.-]+")
_IPV6 = re.compile(r"[0-9a-f:.]+")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, rebuilt from its parsed parts; else None.

    Origins go into response headers (``Content-Security-Policy: frame-ancestors …``) and
    ``postMessage`` targets, and the URLs they come from are typed by platform admins
    or sent by anyone (a Dynamic Registration's ``openid_configuration``). So the origin
    is built from the parsed scheme, host and port only, never copied from the text: a
    ``;``, a space, a quote or a comma in a host would otherwise add CSP directives or
    sources. Anything that is not a plain http(s) origin gives None; user information is
    dropped and a default port left out, as browsers serialise origins (RFC 6454).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port out of range, brackets that hold no IPv6 address
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host or port == 0:
        return None
    if ":" in host:
        if not _IPV6.fullmatch(host):  # a zone id ("%eth0") or anything stranger
            return None
        host = f"[{host}]"
    elif not _HOST_NAME.fullmatch(host):
        return None
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


class Platform(Base):
    """One LTI issuer (``iss``), compared byte-for-byte with the id_token's ``iss``."""

    __tablename__ = "lti_platform"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    issuer: Mapped[str] = mapped_column(String(500), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    #: Whether the e-mail addresses this platform asserts may match people of other
    #: platforms (an admin's decision; by default a person is only ever matched within
    #: their own platform, so one platform cannot claim another's people).
    email_trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registrations: Mapped[list[Registration]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Registration.client_id"
    )

    def origins(self) -> list[str]:
        """Origins allowed to frame the tool: the issuer's and each endpoint's, deduplicated."""
        urls = [self.issuer]
        for registration in self.registrations:
            urls += [registration.auth_login_url, registration.auth_token_url]
        return origins_of(urls)


def origins_of(urls: Iterable[str]) -> list[str]:
    """The distinct origins of ``urls``, in order (see :meth:`Platform.origins`)."""
    found: list[str] = []
    for url in urls:
        origin = origin_of(url)
        if origin and origin not in found:
            found.append(origin)
    return found


class Registration(Base):
    """One ``client_id`` of an issuer with the platform endpoints the tool calls."""

    __tablename__ = "lti_registration"
    __table_args__ = (UniqueConstraint("platform_id", "client_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    platform_id: Mapped[str] = mapped_column(ForeignKey("lti_platform.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    #: Origins (``scheme://host[:port]``) besides the issuer's, login, token and JWKS
    #: origins where this registration's services may live (Canvas serves them elsewhere);
    #: service URLs from launch claims on any other origin are refused.
    service_origins: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    platform: Mapped[Platform] = relationship(back_populates="registrations")
    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="Deployment.deployment_id",
    )


class Deployment(Base):
    """A ``deployment_id`` allowed for a registration, owned by one Community.

    ``deployment_id`` is case-sensitive and only unique within its registration (Open edX
    sends ``"1"`` for every component), so the tool's own ``id`` is what other rows use.
    """

    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    registration_id: Mapped[str] = mapped_column(ForeignKey("lti_registration.id"), index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="deployments")
    community: Mapped[Community] = relationship()
