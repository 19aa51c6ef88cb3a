"""Public verification URLs over HTTP: content types, ETags, 410, 404, JWKS, the badge page."""

from __future__ import annotations

import dataclasses
import html
import io
import json

import pytest
from PIL import Image
from sqlalchemy import select

from badges.demo import seed_demo
from badges.images.photos import process_photo
from badges.models import (
    Assertion,
    BadgeClass,
    BadgeRequest,
    Community,
    Context,
    Endorsement,
    Evidence,
    Person,
)
from badges.recognition import reviewing, signing_keys
from badges.recognition.evidence import set_evidence_public
from badges.recognition.requests import EvidenceGiven, request_badge
from badges.recognition.revoking import revoke
from badges.storage.database import transaction
from lti_tool.runtime_access import runtime_of
from tests.badges.course_world import make_course

ORIGIN = "https://chemins.test"


@pytest.fixture
def demo(app):  # type: ignore[no-untyped-def]
    """The demo community; URLs by label, as paths on the test client."""
    seed = seed_demo(runtime_of(app))
    return {label: url.removeprefix(ORIGIN) for label, url in seed.urls}


def _page(demo, who: str) -> str:
    return next(
        path for label, path in demo.items() if label.startswith("Badge page") and who in label
    )


def test_hosted_json_ld_unless_only_json_is_accepted(client, demo) -> None:
    issuer = client.get(demo["Issuer (OB 2.0)"])
    assert issuer.status_code == 200 and issuer.mimetype == "application/ld+json"
    assert issuer.json["id"] == ORIGIN + demo["Issuer (OB 2.0)"]
    assert issuer.headers["Access-Control-Allow-Origin"] == "*"
    plain = client.get(demo["Issuer (OB 2.0)"], headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json" and plain.json == issuer.json
    assertion = client.get(demo["Assertion (OB 2.0)"])
    assert assertion.json["type"] == "Assertion"
    image = client.get(assertion.json["image"].removeprefix(ORIGIN))
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")


def test_the_credential_as_json_or_as_vc_jwt(client, demo) -> None:
    path = demo["Credential (OB 3.0)"]
    as_json = client.get(path)
    assert as_json.mimetype == "application/vc+ld+json"
    assert "OpenBadgeCredential" in as_json.json["type"] and "proof" not in as_json.json
    as_jwt = client.get(path, headers={"Accept": "application/vc+jwt"})
    assert as_jwt.mimetype == "application/vc+jwt" and as_jwt.data.count(b".") == 2
    same = client.get(path + ".jwt")
    assert same.data == as_jwt.data and same.mimetype == "application/vc+jwt"
    text = client.get(path + ".jwt", headers={"Accept": "text/plain"})
    assert text.mimetype == "text/plain" and text.data == as_jwt.data


def test_strong_etag_and_304(client, demo) -> None:
    first = client.get(demo["Assertion (OB 2.0)"])
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(demo["Assertion (OB 2.0)"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get(demo["Assertion (OB 2.0)"], headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_unknown_ids_are_404_json(client, demo) -> None:
    for path in ("/ob/v2/assertions/nope", "/ob/v2/badges/nope", "/ob/v3/credentials/nope"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json
        assert response.json["status"] == 404


def test_revoked_assertion_answers_410_and_the_page_says_revoked(app, client, demo) -> None:
    page = _page(demo, "J'explore → Nathan")
    french = html.unescape(client.get(page + "?lang=fr").get_data(as_text=True))
    assert 'data-status="valid"' in french and "Valide" in french
    assertion_id = page.rsplit("/", 1)[1]
    with transaction(runtime_of(app).sessions) as session:
        revoke(session, session.get(Assertion, assertion_id), "Attribué par erreur")
    gone = client.get(f"/ob/v2/assertions/{assertion_id}")
    assert gone.status_code == 410
    assert gone.json == {
        "@context": "https://w3id.org/openbadges/v2",
        "id": f"{ORIGIN}/ob/v2/assertions/{assertion_id}",
        "revoked": True,
        "revocationReason": "Attribué par erreur",
    }
    english = html.unescape(client.get(page + "?lang=en").get_data(as_text=True))
    assert 'data-status="revoked"' in english and "Revoked" in english
    assert "Attribué par erreur" in english
    listed = client.get(demo["Revocation list (OB 2.0)"]).json["revokedAssertions"]
    assert f"urn:uuid:{assertion_id}" in {entry["id"] for entry in listed}


def test_the_badge_page_in_french_and_english(client, demo) -> None:
    nathan = html.unescape(client.get(_page(demo, "J'explore → Nathan")).get_data(as_text=True))
    assert '<html lang="fr">' in nathan and "Décerné à" in nathan and "Nathan" in nathan
    assert 'alt="Image du badge : Place aux jeunes' in nathan
    assert "Critères" in nathan and "Mairie de Villeneuve-sur-Lot" in nathan
    sylvie = html.unescape(client.get(_page(demo, "Sylvie") + "?lang=en").get_data(as_text=True))
    assert '<html lang="en">' in sylvie and "Awarded to" in sylvie
    assert "Recipient hidden" in sylvie and "Sylvie" not in sylvie.split("<main", 1)[1]
    assert client.get("/b/nope").status_code == 404


def test_jwks_lists_every_published_key(app, client, demo) -> None:
    runtime = runtime_of(app)
    with transaction(runtime.sessions) as session:
        community = session.scalars(select(Community)).one()
        old = signing_keys.active_badge_key(session, community).kid
        new = signing_keys.rotate(session, runtime.sealer, community).kid
        tool = signing_keys.ensure_tool_key(session, runtime.sealer).kid
        issuer = f"{ORIGIN}/ob/v3/profiles/{community.issuer.id}"
    response = client.get("/.well-known/jwks.json")
    assert response.mimetype == "application/jwk-set+json"
    keys = {key["kid"]: key for key in json.loads(response.data)["keys"]}
    # Badges signed before key sets per issuer point here, by the full kid of their header.
    well_known = f"{ORIGIN}/.well-known/jwks.json"
    assert {f"{well_known}#{old}", f"{well_known}#{new}", tool} <= set(keys)
    assert keys[f"{well_known}#{old}"]["iss"] == issuer
    # LTI platforms find the tool's key by its thumbprint; it speaks for no badge issuer.
    assert keys[tool]["iss"] == f"{ORIGIN}/lti" and keys[tool]["alg"] == "RS256"
    assert all("d" not in key for key in keys.values())
    # The issuer's own set: its keys alone, under the kid its new badges carry.
    own = client.get(f"/ob/v3/profiles/{community.issuer.id}/jwks.json")
    assert own.mimetype == "application/jwk-set+json"
    entries = json.loads(own.data)["keys"]
    assert [e["kid"] for e in entries] == [f"{issuer}/jwks.json#{k}" for k in (old, new)]
    assert {e["iss"] for e in entries} == {issuer}
    assert client.get("/ob/v3/profiles/nope/jwks.json").status_code == 404


def test_a_hosted_ob3_credential_url_verifies_through_its_signed_form(app, demo) -> None:
    """The credential URL serves JSON without a proof; the verifier asks for the VC-JWT."""
    from badges.openbadges.loader import HttpLoader
    from badges.openbadges.verify import verify
    from badges.outbound.client import OutboundClient
    from tests.conftest import LOCAL_HOSTS
    from tests.live_server import serving

    with serving(app) as server:
        loader = _RebasedLoader(HttpLoader(OutboundClient(LOCAL_HOSTS)), ORIGIN, server.url)
        report = verify(ORIGIN + demo["Credential (OB 3.0)"], loader)
    assert report.valid, report.as_dict()
    assert report.version == "3.0" and report.form == "vc-jwt"


class _RebasedLoader:
    """Fetches the tool's public URLs (built on ORIGIN) from the local server instead."""

    def __init__(self, inner, origin: str, local: str) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.origin, self.local = inner, origin, local

    def __call__(self, url: str, accept: str = "application/ld+json, application/json"):  # type: ignore[no-untyped-def]
        fetched = self.inner(url.replace(self.origin, self.local, 1), accept)
        # After a redirect, the final URL is on the local server: name it as the world would.
        return dataclasses.replace(fetched, url=fetched.url.replace(self.local, self.origin, 1))


def _verify_over_http(app, url: str):  # type: ignore[no-untyped-def]
    """``url`` (on ORIGIN) verified by the verifier over real HTTP, through the guarded client."""
    from badges.openbadges.loader import HttpLoader
    from badges.openbadges.verify import verify
    from badges.outbound.client import OutboundClient
    from tests.conftest import LOCAL_HOSTS
    from tests.live_server import serving

    with serving(app) as server:
        loader = _RebasedLoader(HttpLoader(OutboundClient(LOCAL_HOSTS)), ORIGIN, server.url)
        return verify(url, loader)


def _id_of(demo, label: str) -> str:  # type: ignore[no-untyped-def]
    return demo[label].rsplit("/", 1)[-1]


def test_the_vc_jwt_link_of_the_badge_page_verifies(app, demo) -> None:
    """The ".jwt" link people copy from the page: the body is a VC-JWT, not JSON."""
    url = f"{ORIGIN}/ob/v3/credentials/{_id_of(demo, 'Credential (OB 3.0)')}.jwt"
    report = _verify_over_http(app, url)
    assert report.valid, report.as_dict()
    assert (report.version, report.form) == ("3.0", "vc-jwt")


def test_the_badge_page_url_people_share_verifies(app, demo) -> None:
    report = _verify_over_http(app, ORIGIN + _page(demo, "J'explore"))
    assert report.valid, report.as_dict()
    assert (report.version, report.form) == ("2.0", "hosted")
    assert report.subject["id"] == ORIGIN + demo["Assertion (OB 2.0)"]


def test_a_revoked_badge_page_url_is_reported_revoked(app, demo) -> None:
    runtime = runtime_of(app)
    with transaction(runtime.sessions) as session:
        assertion = session.get(Assertion, _id_of(demo, "Assertion (OB 2.0)"))
        revoke(session, assertion, "Erreur de saisie")
    report = _verify_over_http(app, ORIGIN + _page(demo, "J'explore"))
    assert not report.valid
    assert "ob2.revoked" in {f.code for f in report.errors}


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("application/ld+json, application/json", "/ob/v2/assertions/"),
        ("application/json", "/ob/v2/assertions/"),
        ("application/vc+jwt", "/ob/v3/credentials/"),
        ("application/vc+ld+json", "/ob/v3/credentials/"),
    ],
)
def test_the_badge_page_sends_machines_to_the_badge(client, demo, accept, target) -> None:
    page = _page(demo, "J'explore")
    answer = client.get(page, headers={"Accept": accept})
    assert answer.status_code == 303
    assert answer.headers["Location"] == target + page.rsplit("/", 1)[-1]
    assert answer.headers["Vary"] == "Accept"


def test_browsers_get_the_page_with_links_to_its_machine_forms(client, demo) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*", None):
        headers = {"Accept": accept} if accept else {}
        answer = client.get(_page(demo, "J'explore"), headers=headers)
        assert answer.status_code == 200 and answer.mimetype == "text/html"
        assert answer.headers["Vary"] == "Accept"
    body = answer.get_data(as_text=True)
    assertion = ORIGIN + demo["Assertion (OB 2.0)"]
    assert f'<link rel="alternate" type="application/ld+json" href="{assertion}">' in body
    assert 'type="application/vc+jwt"' in body


def test_an_endorsement_as_json_or_as_vc_jwt(app, client, demo) -> None:
    """Decision 0023: the demo's endorsements (made before signing existed) are signed
    the first time they are served, and negotiated like a credential."""
    with transaction(runtime_of(app).sessions) as session:
        endorsement_id = session.scalars(select(Endorsement.id)).first()
    path = f"/ob/v3/endorsements/{endorsement_id}"
    as_jwt = client.get(path, headers={"Accept": "application/vc+jwt"})
    assert as_jwt.mimetype == "application/vc+jwt" and as_jwt.data.count(b".") == 2
    same = client.get(path + ".jwt")
    assert same.status_code == 200 and same.data == as_jwt.data
    as_json = client.get(path)
    assert as_json.mimetype == "application/vc+ld+json"
    assert "EndorsementCredential" in as_json.json["type"]
    assert as_json.json["jti"] == ORIGIN + path and "proof" not in as_json.json
    assert client.get("/ob/v3/endorsements/nope.jwt").status_code == 404


# -- public evidence photos (issue 13) ---------------------------------------------------


def _awarded_photo(app) -> tuple[str, int, int, str]:  # type: ignore[no-untyped-def]
    """Nathan's accepted request with a sentence and a photo: (assertion, sentence, photo,
    owner)."""
    world = make_course(runtime_of(app))
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 90, 200)).save(out, format="JPEG")
    with transaction(world.runtime.sessions) as session:
        request = request_badge(
            session,
            session.get(BadgeClass, world.badge_id),
            session.get(Person, world.nathan_id),
            session.get(Context, world.context_id),
            EvidenceGiven(narrative="Au micro.", photos=[process_photo(out.getvalue())]),
        )
        done = reviewing.accept(
            session, world.runtime, request, session.get(Person, world.trainer_id)
        )
        sentence, photo = session.get(BadgeRequest, request.id).evidence
        return done.assertion_id, sentence.id, photo.id, world.nathan_id


def _make_public(app, evidence_id: int, owner_id: str, public: bool = True) -> None:  # type: ignore[no-untyped-def]
    runtime = runtime_of(app)
    with transaction(runtime.sessions) as session:
        set_evidence_public(
            session,
            runtime,
            session.get(Evidence, evidence_id),
            session.get(Person, owner_id),
            public,
        )


def test_a_private_photo_is_not_served_publicly(app, client) -> None:
    _assertion_id, sentence_id, photo_id, _owner = _awarded_photo(app)

    assert client.get(f"/evidence/{photo_id}").status_code == 404
    assert client.get(f"/evidence/{sentence_id}").status_code == 404  # not a photo
    assert client.get("/evidence/999999").status_code == 404
    assert client.get("/evidence/not-a-number").status_code == 404


def test_a_public_photo_is_served_and_shown_on_the_badge_page(app, client) -> None:
    assertion_id, _sentence, photo_id, owner = _awarded_photo(app)
    _make_public(app, photo_id, owner)

    photo = client.get(f"/evidence/{photo_id}")

    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.data.startswith(b"\xff\xd8")
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Content-Disposition"] == "inline"
    assert photo.headers["Cache-Control"].startswith("public")
    page = client.get(f"/b/{assertion_id}", headers={"Accept": "text/html"})
    assert f'<img src="/evidence/{photo_id}"' in page.text
    hosted = client.get(f"/ob/v2/assertions/{assertion_id}").json
    assert [e["id"] for e in hosted["evidence"]] == [f"{ORIGIN}/evidence/{photo_id}"]

    _make_public(app, photo_id, owner, public=False)
    assert client.get(f"/evidence/{photo_id}").status_code == 404
    assert f"/evidence/{photo_id}" not in client.get(f"/b/{assertion_id}").text


def test_a_public_photo_of_a_revoked_badge_is_no_longer_served(app, client) -> None:
    assertion_id, _sentence, photo_id, owner = _awarded_photo(app)
    _make_public(app, photo_id, owner)
    assert client.get(f"/evidence/{photo_id}").status_code == 200

    with transaction(runtime_of(app).sessions) as session:
        revoke(session, session.get(Assertion, assertion_id), "Attribué par erreur")

    assert client.get(f"/evidence/{photo_id}").status_code == 404


def test_a_photo_made_public_before_any_award_stays_unserved(app, client) -> None:
    world = make_course(runtime_of(app))
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="PNG")
    with transaction(world.runtime.sessions) as session:
        request = request_badge(
            session,
            session.get(BadgeClass, world.badge_id),
            session.get(Person, world.nathan_id),
            session.get(Context, world.context_id),
            EvidenceGiven(photos=[process_photo(out.getvalue())]),
        )
        photo_id = request.evidence[0].id
    _make_public(app, photo_id, world.nathan_id)

    assert client.get(f"/evidence/{photo_id}").status_code == 404


def test_the_badge_page_names_its_member_author_and_partners(app, client) -> None:
    """A member's badge, published with their name and made with the town hall."""
    from badges.courses.awards import award_in_course
    from badges.models import BadgeClassCreator
    from badges.recognition import proposals
    from badges.recognition.communities import add_partner

    world = make_course(runtime_of(app))
    with transaction(world.runtime.sessions) as session:
        community = session.get(Community, world.community_id)
        context = session.get(Context, world.context_id)
        trainer = session.get(Person, world.trainer_id)
        badge = proposals.propose(
            session,
            community,
            session.get(Person, world.sylvie_id),
            context,
            proposals.ProposalFields(
                name="Transmettre le papier mâché",
                description="Je montre comment faire.",
                criteria="Avoir animé un atelier.",
                show_name=True,
            ),
        )
        proposals.decide(session, badge, trainer, "publish")
        town_hall = add_partner(
            session,
            community,
            name="Mairie <b>de</b> Villeneuve",
            url="https://mairie.example",
            email="jeunesse@mairie.example",
        )
        badge.creators.append(
            BadgeClassCreator(profile_id=town_hall.id, role="partner", position=1)
        )
        session.flush()
        done = award_in_course(
            session, world.runtime, badge, context, awarder=trainer,
            learner=session.get(Person, world.nathan_id),
        )  # fmt: skip
    page = client.get(f"/b/{done.assertion_id}?lang=en").get_data(as_text=True)
    assert "Created by</dt>" in page and "<dd>Sylvie</dd>" in page
    assert "Created with</dt>" in page
    assert "Mairie &lt;b&gt;de&lt;/b&gt; Villeneuve" in page and "<b>de</b>" not in page
