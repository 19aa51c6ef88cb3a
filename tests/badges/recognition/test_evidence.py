"""Who sees what a person showed: evidence and name visibility, in the domain.

Private evidence never leaves in an Open Badges document; a photo its owner made public
is listed at its public URL in both standards, and the credential signed again with it
still verifies. Only the owner changes either; nothing changes when someone else tries.
"""

from __future__ import annotations

import io

import jwt
import pytest
from PIL import Image

from badges.images.photos import process_photo
from badges.models import Assertion, BadgeClass, BadgeRequest, Context, Evidence, Person
from badges.openbadges import vc_jwt
from badges.publishing import ob2 as ob2_docs
from badges.publishing.public_urls import PublicUrls
from badges.publishing.verifying import verify_own
from badges.recognition.evidence import VisibilityRefused, set_evidence_public, set_name_public
from badges.recognition.requests import EvidenceGiven, request_badge
from badges.recognition.reviewing import accept
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.badges.course_world import CourseWorld, make_course

SAID = "J'ai animé l'émission du mardi avec Léa."


@pytest.fixture
def world(runtime: Runtime) -> CourseWorld:
    """Claire's course with Nathan and Sylvie, on both databases."""
    return make_course(runtime)


def _photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def _asked(world: CourseWorld) -> str:
    """Nathan's request with a sentence and a photo, both private as given."""
    with transaction(world.runtime.sessions) as session:
        request = request_badge(
            session,
            session.get(BadgeClass, world.badge_id),
            session.get(Person, world.nathan_id),
            session.get(Context, world.context_id),
            EvidenceGiven(
                narrative=SAID, photos=[process_photo(_photo_bytes())], captions=["Au micro"]
            ),
        )
        return request.id


def _awarded(world: CourseWorld) -> tuple[str, str, int, int]:
    """The request accepted: (request id, assertion id, sentence id, photo id)."""
    request_id = _asked(world)
    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        done = accept(session, world.runtime, request, session.get(Person, world.trainer_id))
        sentence, photo = request.evidence
        return request_id, done.assertion_id, sentence.id, photo.id


def _documents(world: CourseWorld, assertion_id: str) -> tuple[dict, dict]:
    """The hosted OB 2.0 Assertion and the signed OB 3.0 credential, as served."""
    urls = PublicUrls(world.runtime.instance.origin)
    with transaction(world.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        hosted = ob2_docs.hosted_assertion(session, urls, assertion)
        credential = vc_jwt.parse(assertion.ob3_jwt).payload
        return hosted, credential


def _ob3_evidence(credential: dict) -> list[dict]:
    return credential.get("vc", credential).get("evidence", [])


def _set(world: CourseWorld, evidence_id: int, person_id: str, public: bool) -> None:
    with transaction(world.runtime.sessions) as session:
        set_evidence_public(
            session,
            world.runtime,
            session.get(Evidence, evidence_id),
            session.get(Person, person_id),
            public,
        )


def test_private_evidence_never_leaves_in_a_badge(world: CourseWorld) -> None:
    _request_id, assertion_id, _sentence, _photo = _awarded(world)

    hosted, credential = _documents(world, assertion_id)

    assert "evidence" not in hosted
    assert _ob3_evidence(credential) == []
    assert SAID not in str(hosted) and SAID not in str(credential)


def test_a_public_photo_is_in_both_badges_and_the_credential_still_verifies(
    world: CourseWorld,
) -> None:
    _request_id, assertion_id, sentence_id, photo_id = _awarded(world)
    urls = PublicUrls(world.runtime.instance.origin)
    with transaction(world.runtime.sessions) as session:
        before = session.get(Assertion, assertion_id).ob3_jwt

    _set(world, photo_id, world.nathan_id, True)

    hosted, credential = _documents(world, assertion_id)
    photo_url = urls.evidence_file(photo_id)
    assert [e["id"] for e in hosted["evidence"]] == [photo_url]
    assert hosted["evidence"][0]["name"] == "Au micro"
    assert [e["id"] for e in _ob3_evidence(credential)] == [photo_url]
    assert SAID not in str(credential)  # the sentence is still private
    with transaction(world.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        assert assertion.ob3_jwt != before  # signed again, to carry the photo
        signed_ob2 = jwt.decode(assertion.ob2_jws, options={"verify_signature": False})
        assert [e["id"] for e in signed_ob2["evidence"]] == [photo_url]  # in both forms
        verdict = verify_own(session, urls, assertion)
        assert verdict.valid, [r.errors for _, r in verdict.reports]

    _set(world, sentence_id, world.nathan_id, True)
    _set(world, photo_id, world.nathan_id, False)

    hosted, credential = _documents(world, assertion_id)
    assert [e.get("narrative") for e in hosted["evidence"]] == [SAID]
    assert [e.get("narrative") for e in _ob3_evidence(credential)] == [SAID]
    assert photo_url not in str(credential)
    with transaction(world.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        # Made private again: gone from the signed OB 2.0 badge too.
        assert photo_url not in assertion.ob2_jws and photo_url not in str(
            jwt.decode(assertion.ob2_jws, options={"verify_signature": False})
        )
        assert verify_own(session, urls, assertion).valid


@pytest.mark.parametrize("who", ["trainer_id", "sylvie_id", "outsider_id"])
def test_only_the_owner_changes_what_is_public(world: CourseWorld, who: str) -> None:
    _request_id, assertion_id, _sentence, photo_id = _awarded(world)
    with transaction(world.runtime.sessions) as session:
        signed = session.get(Assertion, assertion_id).ob3_jwt

    with pytest.raises(VisibilityRefused) as refused:
        _set(world, photo_id, getattr(world, who), True)

    assert refused.value.code == "not_yours"
    with transaction(world.runtime.sessions) as session:
        assert session.get(Evidence, photo_id).public is False
        assert session.get(Assertion, assertion_id).ob3_jwt == signed


def test_evidence_made_public_before_the_award_goes_with_it(world: CourseWorld) -> None:
    request_id = _asked(world)
    with transaction(world.runtime.sessions) as session:
        photo_id = session.get(BadgeRequest, request_id).evidence[1].id
    _set(world, photo_id, world.nathan_id, True)

    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        done = accept(session, world.runtime, request, session.get(Person, world.trainer_id))

    hosted, credential = _documents(world, done.assertion_id)
    url = PublicUrls(world.runtime.instance.origin).evidence_file(photo_id)
    assert [e["id"] for e in hosted["evidence"]] == [url]
    assert [e["id"] for e in _ob3_evidence(credential)] == [url]


def test_the_recipient_alone_shows_or_hides_their_name(world: CourseWorld) -> None:
    _request_id, assertion_id, _sentence, _photo = _awarded(world)
    with transaction(world.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        assert assertion.recipient_public is False  # hidden by default
        signed = assertion.ob3_jwt
        with pytest.raises(VisibilityRefused):
            sylvie = session.get(Person, world.sylvie_id)
            set_name_public(session, world.runtime, assertion, sylvie, True)
        assert assertion.recipient_public is False

    with transaction(world.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        nathan = session.get(Person, world.nathan_id)
        set_name_public(session, world.runtime, assertion, nathan, True)

    with transaction(world.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        assert assertion.recipient_public is True
        # The name is in no signed form: nothing to sign again, and still valid.
        assert assertion.ob3_jwt == signed
        assert "Nathan" not in str(vc_jwt.parse(signed).payload)
        urls = PublicUrls(world.runtime.instance.origin)
        assert verify_own(session, urls, assertion).valid
