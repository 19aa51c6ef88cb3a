"""When an e-mail address may say that an award is someone's.

A person is keyed by (platform, ``sub``); the e-mail is whatever their platform asserts,
and any platform admin can assert any address. So an award is a person's when it was
given to them (``Assertion.recipient_person_id``), and by e-mail only when the address
comes from a platform that vouches for the same people:

- the award went to someone of the same platform (its ``recipient_lti_issuer``, kept on
  every award made in a course, says which platform it came from);
- or the instance admin marked both platforms as trusted for e-mail
  (``chemins platform trust-email``), because both check their users' addresses;
- an award that does not say its platform (seeded by ``chemins demo``, or awarded
  before Chemins recorded it) may have come from any platform of its badge's community:
  it counts when that is the person's platform alone, or when the person's platform
  and every other one of the community are trusted.

Everything else is two people who happen to be given the same address.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session, aliased

from badges.models import Assertion, BadgeClass, Deployment, Platform, Registration


class UnknownPlatform(LookupError):
    """No platform is registered with this issuer."""


def set_email_trust(session: Session, issuer: str, trusted: bool) -> Platform:
    """Mark the platform ``issuer`` as trusted (or not) to match people by e-mail."""
    platform = session.scalars(select(Platform).where(Platform.issuer == issuer)).first()
    if platform is None:
        raise UnknownPlatform(f"no platform is registered with the issuer {issuer}")
    platform.email_trusted = trusted
    session.flush()
    return platform


def _served_by_another_platform(platform_id: str, *, untrusted: bool) -> ColumnElement[bool]:
    """The award's badge belongs to a community that another platform (``untrusted``:
    another platform not trusted for e-mail) also launches."""
    badge = aliased(BadgeClass)
    query = (
        select(Deployment.id)
        .join(Registration, Registration.id == Deployment.registration_id)
        .join(badge, badge.community_id == Deployment.community_id)
        .where(badge.id == Assertion.badge_class_id, Registration.platform_id != platform_id)
    )
    if untrusted:
        query = query.join(Platform, Platform.id == Registration.platform_id).where(
            Platform.email_trusted.is_(False)
        )
    return query.exists()


def email_vouched_for(platform: Platform) -> ColumnElement[bool]:
    """Awards whose ``recipient_email`` may name people of ``platform`` (a SQL condition).

    Combine it with the e-mail comparison itself; see the module docstring for the rule.
    """
    same_platform = Assertion.recipient_lti_issuer == platform.issuer
    unattributed = and_(
        Assertion.recipient_lti_issuer.is_(None),
        ~_served_by_another_platform(platform.id, untrusted=platform.email_trusted),
    )
    both_trusted = (
        Assertion.recipient_lti_issuer.in_(
            select(Platform.issuer).where(Platform.email_trusted.is_(True))
        )
        if platform.email_trusted
        else false()
    )
    return or_(same_platform, unattributed, both_trusted)


def email_condition(platform: Platform, email: str | None) -> ColumnElement[bool]:
    """Awards naming ``email`` that may be a person of ``platform``'s (false without one)."""
    if not email:
        return false()
    address = email.strip().lower()
    if not address:
        return false()
    return and_(Assertion.recipient_email == address, email_vouched_for(platform))
