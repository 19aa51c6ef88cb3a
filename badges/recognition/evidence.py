"""Who sees what a person showed: the visibility of their evidence and of their name.

Evidence is private when it is given (DESIGN.md, "Security model"): only its owner and
the trainers of the course it was given in see it. Its owner alone decides that a piece
becomes public; it then appears in the badge's evidence (OB 2.0 Assertion, OB 3.0
credential) and on the badge's public page. Likewise the recipient alone decides whether
their name shows on that page (hidden by default).

Both signed forms (the OB 2.0 Assertion and the OB 3.0 credential) are snapshots: when a
piece of an award's evidence changes side, both are signed again
(:func:`badges.recognition.awarding.sign_again`) so what verifiers read says the same as
the page. The recipient's name is in no signed
form (both standards carry a salted hash of the identity), so showing it signs nothing.

Both functions run in the caller's transaction and refuse before writing anything.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from badges.models import Assertion, Evidence, Person
from badges.recognition.awarding import sign_again
from badges.storage.runtime import Runtime


class VisibilityRefused(ValueError):
    """A change of visibility that is not the person's to make; ``code`` says why.

    Codes: ``not_yours`` (the evidence was given in someone else's request, or the award
    is someone else's), ``revoked`` (a withdrawn badge shows nothing any more).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def owner_id(evidence: Evidence) -> str | None:
    """The person the evidence speaks for: the one who asked (or who holds the award)."""
    if evidence.request is not None:
        return evidence.request.person_id
    if evidence.assertion is not None:
        return evidence.assertion.recipient_person_id
    return None


def set_evidence_public(
    session: Session, runtime: Runtime, evidence: Evidence, person: Person, public: bool
) -> Evidence:
    """``person`` makes their ``evidence`` public (or private again).

    Only the person it speaks for may (not the facilitator who typed it with them, not a
    trainer). When it already belongs to an award, that award's credential is signed
    again so the signed badge carries exactly the public pieces.
    """
    if owner_id(evidence) != person.id:
        raise VisibilityRefused("not_yours")
    if evidence.public == public:
        return evidence
    evidence.public = public
    session.flush()
    assertion = evidence.assertion
    if assertion is not None and not assertion.revoked:
        sign_again(session, runtime, [assertion], evidence_changed=True)
    return evidence


def set_name_public(
    session: Session, runtime: Runtime, assertion: Assertion, person: Person, public: bool
) -> Assertion:
    """``person`` shows (or hides) their name on the public page of their award.

    ``runtime`` is taken for symmetry with :func:`set_evidence_public`: no signed form
    carries the name, so nothing is signed again.
    """
    del runtime
    if assertion.recipient_person_id is None or assertion.recipient_person_id != person.id:
        raise VisibilityRefused("not_yours")
    if assertion.revoked:
        raise VisibilityRefused("revoked")
    assertion.recipient_public = public
    session.flush()
    return assertion
