"""Communities (a social centre, a Local Mission) and the issuer profile that speaks for them.

Every badge a community awards names its issuer profile, and OB 2.0 requires that
profile to publish a name, a web page and a contact e-mail; so a community is always
created together with its issuer profile, never without.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.models import Community, Person, Profile


def find_community(session: Session, slug: str) -> Community | None:
    return session.scalars(select(Community).where(Community.slug == slug)).first()


def create_community(
    session: Session,
    *,
    name: str,
    slug: str,
    url: str,
    email: str,
    description: str | None = None,
    language: str = "fr",
) -> Community:
    """A new community and its issuer profile (the OB 2.0 Issuer / OB 3.0 Profile)."""
    community = Community(name=name, slug=slug, language=language)
    session.add(community)
    session.flush()
    _add_profile(session, community, "issuer", name, url, email, description, verified=True)
    session.refresh(community)
    return community


def add_partner(
    session: Session,
    community: Community,
    *,
    name: str,
    url: str,
    email: str,
    description: str | None = None,
    verified: bool = False,
) -> Profile:
    """A partner organisation's profile (town hall, employer) in a community.

    ``verified`` stays false until the community has checked who the partner is; only
    then are its endorsements shown as verified.
    """
    return _add_profile(session, community, "partner", name, url, email, description, verified)


def add_person_profile(
    session: Session,
    community: Community,
    person: Person,
    *,
    name: str,
    url: str,
    email: str | None = None,
) -> Profile:
    """The profile through which ``person`` endorses (and later creates badges) in
    ``community``, pointing at them: one per person, made once.

    It publishes the ``name`` given (what the person agreed to show), and never the
    e-mail their platform sent: OB 2.0 wants a contact address on every profile, which
    is ``email`` when the person gave one to publish, else the community's own. Because
    it names its person, "no one endorses their own badge" is a comparison of keys
    (:mod:`badges.recognition.endorsing`).
    """
    existing = session.scalars(select(Profile).where(Profile.person_id == person.id)).first()
    if existing is not None:
        return existing
    contact = email or community.issuer.email
    return _add_profile(
        session, community, "person", name, url, contact, None, False, person_id=person.id
    )


def _add_profile(
    session: Session,
    community: Community,
    kind: str,
    name: str,
    url: str,
    email: str | None,
    description: str | None,
    verified: bool,
    person_id: str | None = None,
) -> Profile:
    """A profile of ``kind`` in ``community``, flushed so that its id can be linked at once."""
    profile = Profile(
        community_id=community.id,
        kind=kind,
        name=name,
        url=url,
        email=email,
        description=description,
        verified=verified,
        person_id=person_id,
    )
    session.add(profile)
    session.flush()
    return profile


def find_profile(session: Session, community: Community, name: str) -> Profile | None:
    return session.scalars(
        select(Profile).where(Profile.community_id == community.id, Profile.name == name)
    ).first()


def assistants_award(session: Session, community_id: str) -> bool:
    """Whether ``community_id`` lets learners who are also teaching assistants award.

    The same rule decides a launch's role and who a roster lists as a learner, so the
    award form and the roster never disagree with what the launch allowed.
    """
    community = session.get(Community, community_id)
    return bool(community and community.teaching_assistants_award)
