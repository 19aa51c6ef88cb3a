"""Our rows as Open Badges documents: what a verifier, a backpack or a wallet reads.

The standards library (:mod:`badges.openbadges`) knows the shapes; this package knows
which row becomes which document and at which public URL (:mod:`badges.publishing.public_urls`).
:mod:`.ob2` writes the OB 2.0 hosted and signed documents, :mod:`.ob3` the OB 3.0 ones.
Both publish only what people agreed to make public: private evidence never leaves.
"""

from __future__ import annotations

from badges.models import Assertion, Evidence
from badges.publishing.public_urls import PublicUrls


def public_evidence(assertion: Assertion) -> list[Evidence]:
    """The evidence of an award that its owner made public and that says something.

    Both standards publish the same pieces: private evidence never leaves, and an
    Evidence object needs a link or a narrative; a photo's link is its public URL
    (:func:`evidence_url`).
    """
    return [e for e in assertion.evidence if e.public and (e.url or e.narrative or e.is_photo)]


def evidence_url(urls: PublicUrls, evidence: Evidence) -> str | None:
    """The ``id`` of a piece of evidence in both standards: a photo's public URL, else
    the link the person gave (None for sentences alone)."""
    if evidence.is_photo:
        return urls.evidence_file(evidence.id)
    return evidence.url
