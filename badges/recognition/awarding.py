"""Awarding a badge: one person receives one badge class, signed for both standards.

The award is signed at issue time, once, in both forms people will carry away: the
OB 2.0 signed Assertion (a JWS) and the OB 3.0 OpenBadgeCredential (a VC-JWT). Both are
stored on the row with the ``kid`` of the key that signed them, because a signed badge
is immutable and must stay the same bytes in every backpack, even after a key rotation.

The recipient is named by e-mail when the platform shares it, else by the LTI ``sub``
and the platform's issuer; every published form hashes the e-mail with a salt drawn for
this assertion alone. The LTI account is stored with the e-mail too: it says which
platform the award came from, which decides whom the e-mail may name
(:mod:`badges.platforms.email_trust`). When the recipient is a Person Chemins knows, the
award points at them (``Assertion.recipient_person_id``): the key by which their awards
are found from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from badges.models import (
    Assertion,
    BadgeClass,
    Community,
    Endorsement,
    Evidence,
    Person,
    Platform,
    Profile,
    SigningKey,
)
from badges.models.columns import new_id, utcnow
from badges.openbadges import jwks, jws, ob3, vc_jwt
from badges.openbadges.hashing import new_salt
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.recognition.badge_classes import PUBLISHED
from badges.recognition.endorsement_credentials import sign_pending
from badges.storage.runtime import Runtime


class AwardRefused(ValueError):
    """The badge cannot be awarded (unpublished badge class, no recipient identity)."""


@dataclass(frozen=True)
class Recipient:
    """Who receives the badge, as the platform named them.

    ``public`` says whether the human badge page may show the name; the badge itself
    never shows more than a salted hash. ``person_id`` is the Person the award goes to
    (:func:`badges.courses.awards.recipient_of` sets it); a recipient named by an LTI
    account alone is linked to the person of that account when there is one.
    """

    email: str | None = None
    lti_sub: str | None = None
    lti_issuer: str | None = None
    name: str | None = None
    public: bool = False
    person_id: str | None = None

    def __post_init__(self) -> None:
        if not self.email and not (self.lti_sub and self.lti_issuer):
            raise AwardRefused("a recipient needs an e-mail, or an LTI sub with its issuer")


@dataclass(frozen=True)
class EvidenceItem:
    """A piece of evidence attached to the award; private unless ``public``."""

    narrative: str | None = None
    url: str | None = None
    name: str | None = None
    genre: str | None = None
    public: bool = False


def _identity(recipient: Recipient) -> tuple[str | None, str | None, str | None]:
    """How a recipient is stored: the e-mail (lower-cased) and the LTI sub and issuer,
    each when known."""
    email = recipient.email.strip().lower() if recipient.email else None
    if recipient.lti_sub and recipient.lti_issuer:
        return email, recipient.lti_sub, recipient.lti_issuer
    return email, None, None


def _keys(recipient: Recipient) -> list[tuple[str | None, ...]]:
    """What a recipient is recognised by: their person and their LTI account when they
    have them (the same e-mail on another platform may be another person), else the
    e-mail."""
    email, sub, issuer = _identity(recipient)
    keys: list[tuple[str | None, ...]] = []
    if recipient.person_id:
        keys.append(("person", recipient.person_id))
    if sub and issuer:
        keys.append(("lti", issuer, sub))
    return keys or [("email", email)]


def _row_keys(row: Assertion) -> list[tuple[str | None, ...]]:
    """Every key an existing award answers to (see :func:`_keys`)."""
    keys: list[tuple[str | None, ...]] = []
    if row.recipient_person_id:
        keys.append(("person", row.recipient_person_id))
    if row.recipient_lti_sub and row.recipient_lti_issuer:
        keys.append(("lti", row.recipient_lti_issuer, row.recipient_lti_sub))
    if row.recipient_email:
        keys.append(("email", row.recipient_email))
    return keys


def _held(session: Session, badge_class: BadgeClass) -> dict[tuple[str | None, ...], Assertion]:
    """The current (not revoked) awards of ``badge_class``, by recipient key.

    An award answers to each of its keys (its person, its LTI account, its e-mail), as
    :func:`holding` finds it for a recipient named by any of them.
    """
    rows = session.scalars(
        select(Assertion).where(
            Assertion.badge_class_id == badge_class.id, Assertion.revoked_at.is_(None)
        )
    )
    found: dict[tuple[str | None, ...], Assertion] = {}
    for row in rows:
        for key in _row_keys(row):
            found.setdefault(key, row)
    return found


def _named(recipient: Recipient) -> ColumnElement[bool]:
    """Awards to ``recipient``, as SQL: by :func:`_keys`."""
    conditions: list[ColumnElement[bool]] = []
    for key in _keys(recipient):
        if key[0] == "person":
            conditions.append(Assertion.recipient_person_id == key[1])
        elif key[0] == "lti":
            conditions.append(
                (Assertion.recipient_lti_issuer == key[1]) & (Assertion.recipient_lti_sub == key[2])
            )
        else:
            conditions.append(Assertion.recipient_email == key[1])
    return or_(*conditions)


def holding(session: Session, badge_class: BadgeClass, recipient: Recipient) -> Assertion | None:
    """The recipient's current (not revoked) award of ``badge_class``, if any.

    A recipient who is a person is found by that person or their LTI account; one with
    an LTI account by that account only; one named by e-mail alone (the demo, the
    command line) by the e-mail.
    """
    query = select(Assertion).where(
        Assertion.badge_class_id == badge_class.id,
        Assertion.revoked_at.is_(None),
        _named(recipient),
    )
    return session.scalars(query.order_by(Assertion.issued_on).limit(1)).first()


def _with_people(session: Session, recipients: Sequence[Recipient]) -> list[Recipient]:
    """``recipients``, each named by an LTI account alone given the person of that
    account when Chemins knows them, so that every award to a known person links them.

    One query, and only when some recipient needs it (a course award names its person).
    """
    accounts = {
        (r.lti_issuer, r.lti_sub)
        for r in recipients
        if r.person_id is None and r.lti_sub and r.lti_issuer
    }
    if not accounts:
        return list(recipients)
    rows = session.execute(
        select(Person.id, Platform.issuer, Person.sub)
        .join(Platform, Platform.id == Person.platform_id)
        .where(
            Platform.issuer.in_({issuer for issuer, _sub in accounts}),
            Person.sub.in_({sub for _issuer, sub in accounts}),
        )
    )
    people = {(issuer, sub): person_id for person_id, issuer, sub in rows}
    return [
        replace(r, person_id=people[(r.lti_issuer, r.lti_sub)])
        if r.person_id is None and (r.lti_issuer, r.lti_sub) in people
        else r
        for r in recipients
    ]


def _existing(
    held: dict[tuple[str | None, ...], Assertion], recipient: Recipient
) -> Assertion | None:
    for key in _keys(recipient):
        if key in held:
            return held[key]
    return None


def award(
    session: Session,
    runtime: Runtime,
    badge_class: BadgeClass,
    recipient: Recipient,
    *,
    evidence: Sequence[EvidenceItem] = (),
    narrative: str | None = None,
    expires: datetime | None = None,
    issued_on: datetime | None = None,
) -> Assertion:
    """Award ``badge_class`` to ``recipient`` and sign it; run inside ``transaction``.

    Idempotent: while the recipient holds an unrevoked award of this badge class, a
    second call (a retried request, a double click) returns that award unchanged.
    """
    return award_many(
        session,
        runtime,
        badge_class,
        [recipient],
        evidence=evidence,
        narrative=narrative,
        expires=expires,
        issued_on=issued_on,
    )[0]


def award_many(
    session: Session,
    runtime: Runtime,
    badge_class: BadgeClass,
    recipients: Sequence[Recipient],
    *,
    evidence: Sequence[EvidenceItem] = (),
    narrative: str | None = None,
    expires: datetime | None = None,
    issued_on: datetime | None = None,
) -> list[Assertion]:
    """Award ``badge_class`` to each of ``recipients`` (a trainer awarding a whole group).

    One award per recipient, in the given order; recipients who already hold the badge
    get their existing award back, so a retried batch creates nothing twice. The
    signing key, the holders and the badge class's documents are read once per batch.
    """
    if badge_class.status != PUBLISHED:
        raise AwardRefused("only a published badge class can be awarded")
    community = _community_and_issuer(session, badge_class)
    if community is None:
        raise AwardRefused("the badge class has no community")
    _lock(session, badge_class)
    recipients = _with_people(session, recipients)
    if len(recipients) == 1:
        found = holding(session, badge_class, recipients[0])
        held = {key: found for key in _keys(recipients[0])} if found else {}
    else:
        held = _held(session, badge_class)
    signer: _Signer | None = None
    awarded: list[Assertion] = []
    for recipient in recipients:
        existing = _existing(held, recipient)
        if existing is not None:
            awarded.append(existing)
            continue
        if signer is None:
            key = signing_keys.ensure_badge_key(session, runtime.sealer, community)
            signer = _Signer(session, runtime, badge_class, key)
        assertion = _new_assertion(
            badge_class, recipient, evidence, narrative, expires, issued_on or utcnow()
        )
        # Sign before the row joins the session: one INSERT with everything, no UPDATE.
        with session.no_autoflush:
            signer.sign(assertion)
        session.add(assertion)
        for key in _keys(recipient):
            held[key] = assertion
        awarded.append(assertion)
    session.flush()
    return awarded


def sign_again(
    session: Session,
    runtime: Runtime,
    assertions: Sequence[Assertion],
    *,
    evidence_changed: bool = False,
) -> None:
    """Sign the OB 3.0 credentials of ``assertions`` again, with the active key.

    An endorsement of an award or of its badge class is listed in the credential
    (``endorsementJwt``, in the credential or its Achievement); the hosted JSON is the
    signed payload, so the credential is signed again for both to say it (decision
    0023). For that, only the VC-JWT changes: the OB 2.0 signed Assertion lists no
    endorsement, and ``signing_kid`` keeps naming the key of its signature.

    ``evidence_changed``: the award's public evidence changed (its owner made a piece
    public or private), which both standards list; the OB 2.0 signed Assertion is then
    signed again too, with the active key, which ``signing_kid`` then names.
    """
    signers: dict[str, _Signer] = {}
    for assertion in assertions:
        if assertion.revoked or not assertion.ob3_jwt:
            continue
        badge_class = assertion.badge_class
        signer = signers.get(badge_class.id)
        if signer is None:
            community = _community_and_issuer(session, badge_class)
            if community is None:  # pragma: no cover - a foreign key holds it
                continue
            key = signing_keys.ensure_badge_key(session, runtime.sealer, community)
            signer = signers[badge_class.id] = _Signer(session, runtime, badge_class, key)
        sign_pending(session, runtime.sealer, signer.urls, Endorsement.assertion_id, assertion.id)
        if evidence_changed:
            signer.sign(assertion)
        else:
            signer.sign_credential(assertion)
    session.flush()


def _new_assertion(
    badge_class: BadgeClass,
    recipient: Recipient,
    evidence: Sequence[EvidenceItem],
    narrative: str | None,
    expires: datetime | None,
    issued_on: datetime,
) -> Assertion:
    email, sub, issuer = _identity(recipient)
    assertion = Assertion(
        id=new_id(),
        badge_class_id=badge_class.id,
        recipient_name=recipient.name,
        recipient_email=email,
        recipient_lti_sub=sub,
        recipient_lti_issuer=issuer,
        recipient_person_id=recipient.person_id,
        recipient_salt=new_salt(),
        recipient_public=recipient.public,
        narrative=narrative,
        issued_on=issued_on.replace(microsecond=0),
        expires=expires,
        evidence=[
            Evidence(
                narrative=item.narrative,
                url=item.url,
                name=item.name,
                genre=item.genre,
                public=item.public,
            )
            for item in evidence
        ],
    )
    assertion.badge_class = badge_class
    return assertion


def _community_and_issuer(session: Session, badge_class: BadgeClass) -> Community | None:
    """The badge class's community, with the badge's issuer Profile read by the same query.

    Signing needs both (the community's key; the issuer in the Achievement and in the
    credential); read apart, the issuer would cost a lazy load of its own per award.
    """
    row = session.execute(
        select(Community, Profile)
        .outerjoin(Profile, Profile.id == badge_class.issuer_id)
        .where(Community.id == badge_class.community_id)
    ).first()
    if row is None:
        return None
    community, issuer = row
    if issuer is not None:
        # The session only holds rows weakly: without this the issuer would be loaded again.
        set_committed_value(badge_class, "issuer", issuer)
    return community


def _lock(session: Session, badge_class: BadgeClass) -> None:
    """Serialise awards of one badge class so two retries cannot both create an award.

    A row lock on PostgreSQL; SQLite has no row locks and serialises writers itself, so
    the statement would only cost a round trip there.
    """
    if session.get_bind().dialect.name != "sqlite":
        session.execute(
            select(BadgeClass.id).where(BadgeClass.id == badge_class.id).with_for_update()
        )


class _Signer:
    """Signs awards of one badge class with one key, in both standards.

    Built once per batch: the key is unsealed and the Achievement document built once,
    whatever the number of recipients.
    """

    def __init__(
        self, session: Session, runtime: Runtime, badge_class: BadgeClass, key: SigningKey
    ) -> None:
        self.session = session
        self.urls = PublicUrls(runtime.instance.origin)
        self.key = key
        self.private = signing_keys.private_key(runtime.sealer, key)
        # The Achievement lists the badge class's endorsements: all of them signed first.
        sign_pending(session, runtime.sealer, self.urls, Endorsement.badge_class_id, badge_class.id)
        self.achievement = ob3_docs.achievement(session, self.urls, badge_class)
        # The key set of the badge's issuer alone: a verifier finds there the key by this
        # exact kid, and that it speaks for this issuer (its iss), and for no one else.
        self.kid_uri = jwks.kid_uri(self.urls.ob3_profile_jwks(badge_class.issuer_id), self.private)
        self.subject_key = ob3.subject_key(runtime.instance.secret_key)

    def sign_credential(self, assertion: Assertion) -> None:
        """Sign the award's OB 3.0 credential again, as it reads now (its endorsements)."""
        credential = ob3_docs.credential(
            self.session, self.urls, assertion, self.achievement, subject_key=self.subject_key
        )
        assertion.ob3_jwt = vc_jwt.sign_credential(credential, self.private, kid=self.kid_uri)

    def sign(self, assertion: Assertion) -> None:
        """Sign the award as an OB 2.0 JWS and an OB 3.0 VC-JWT; keep both on the row."""
        assertion.ob2_jws = jws.sign(
            ob2_docs.signed_assertion(self.urls, assertion, self.key),
            self.private,
            headers={"kid": self.key.kid},
        )
        self.sign_credential(assertion)
        assertion.signing_kid = self.key.kid
