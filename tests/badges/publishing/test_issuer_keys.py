"""Which key speaks for which issuer: a VC-JWT verifies only with a key published for
its own issuer, never with the tool's LTI key nor with another community's key."""

from __future__ import annotations

import json

from badges.models import Assertion, BadgeClass, Community
from badges.openbadges import jwks, keys, vc_jwt
from badges.openbadges.verify import verify
from badges.publishing.hosted import OwnDocuments
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.recognition.awarding import Recipient, award
from badges.recognition.communities import create_community
from badges.storage.database import transaction

URLS = PublicUrls("https://chemins.test")


def _award(issuing) -> str:  # type: ignore[no-untyped-def]
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        return award(session, issuing.runtime, badge, Recipient(email="n@example.org")).id


def _resigned(token: str, private: keys.PrivateKey, kid: str) -> str:
    """The same credential (claims and all), signed by ``private`` under ``kid``."""
    credential = vc_jwt.parse(token).credential
    return vc_jwt.sign_credential(credential, private, kid=kid)


def _report(session, token: str):  # type: ignore[no-untyped-def]
    return verify(token, OwnDocuments(session, URLS), recipient="n@example.org")


def test_an_award_verifies_through_its_issuer_key_set_and_the_old_well_known_kid(
    issuing,
) -> None:
    assertion_id = _award(issuing)
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        token = assertion.ob3_jwt or ""
        issuer = assertion.badge_class.issuer_id
        assert vc_jwt.parse(token).header["kid"].startswith(URLS.ob3_profile_jwks(issuer) + "#")
        report = _report(session, token)
        assert report.valid, report.as_dict()
        # A badge signed before key sets per issuer: its kid points at the well-known set.
        key = signing_keys.find_key(session, assertion.signing_kid or "")
        private = signing_keys.private_key(runtime.sealer, key)
        old = _resigned(token, private, jwks.kid_uri(URLS.jwks(), private))
        report = _report(session, old)
        assert report.valid, report.as_dict()


def test_the_lti_key_never_verifies_a_badge(issuing) -> None:
    assertion_id = _award(issuing)
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        token = session.get(Assertion, assertion_id).ob3_jwt or ""
        tool = signing_keys.ensure_tool_key(session, runtime.sealer)
        private = signing_keys.private_key(runtime.sealer, tool)
        # The LTI key is in the well-known set under its thumbprint: name it either way.
        for kid in (jwks.kid_uri(URLS.jwks(), private), f"{URLS.jwks()}#{tool.kid}"):
            report = _report(session, _resigned(token, private, kid))
            assert not report.valid and report.has("ob3.jwk-iss"), report.as_dict()
        listed = json.loads(OwnDocuments(session, URLS)(URLS.jwks()).body)["keys"]
        lti = [entry for entry in listed if entry["kid"] == tool.kid]
        assert lti and lti[0]["iss"] == "https://chemins.test/lti"


def test_another_communitys_key_never_verifies_a_badge(issuing) -> None:
    assertion_id = _award(issuing)
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        token = session.get(Assertion, assertion_id).ob3_jwt or ""
        own_issuer = session.get(Community, issuing.community_id).issuer.id
        other = create_community(
            session, name="Autre", slug="autre", url="https://a.example", email="a@a.example"
        )
        other_key = signing_keys.ensure_badge_key(session, runtime.sealer, other)
        private = signing_keys.private_key(runtime.sealer, other_key)
        # Pointing at the other community's own set: the key is there, for that issuer.
        theirs = _resigned(
            token, private, jwks.kid_uri(URLS.ob3_profile_jwks(other.issuer.id), private)
        )
        report = _report(session, theirs)
        assert not report.valid and report.has("ob3.jwk-iss"), report.as_dict()
        # Pointing at our issuer's set: the other key is not there.
        ours = _resigned(token, private, jwks.kid_uri(URLS.ob3_profile_jwks(own_issuer), private))
        report = _report(session, ours)
        assert not report.valid and report.has("ob3.kid-unknown"), report.as_dict()
        # Pointing at the well-known set: listed, but for the other issuer.
        shared = _resigned(token, private, jwks.kid_uri(URLS.jwks(), private))
        report = _report(session, shared)
        assert not report.valid and report.has("ob3.jwk-iss"), report.as_dict()
        # The issuer's set lists its own keys only, each naming it.
        own = json.loads(OwnDocuments(session, URLS)(URLS.ob3_profile_jwks(own_issuer)).body)
        assert {entry["iss"] for entry in own["keys"]} == {URLS.ob3_profile(own_issuer)}
        assert other_key.kid not in json.dumps(own)
