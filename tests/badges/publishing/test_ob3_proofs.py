"""Credentials issued with an embedded ``eddsa-rdfc-2022`` proof, and the keys behind it.

Each check goes through the same loader the badge page uses (:class:`OwnDocuments`), so
the proof is verified against the Profile document the web serves, not against the key
row directly.
"""

from __future__ import annotations

import copy
import json

from badges.models import Assertion, BadgeClass, Community, Endorsement, Profile
from badges.openbadges import controllers, data_integrity, multikey
from badges.openbadges.rdf_canon import canonicalize
from badges.openbadges.verify import verify
from badges.publishing import ob3_proofs
from badges.publishing.hosted import OwnDocuments, lookup, match
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.recognition.awarding import Recipient, award
from badges.recognition.communities import create_community
from badges.recognition.endorsing import endorse_assertion, endorse_badge_class
from badges.recognition.revoking import revoke
from badges.storage.database import transaction

URLS = PublicUrls("https://chemins.test")


def _award(issuing) -> str:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        return award(session, issuing.runtime, badge, Recipient(email="n@example.org")).id


def _secured(issuing, assertion_id: str) -> dict:
    with transaction(issuing.runtime.sessions) as session:
        hosted = lookup(
            session, URLS, "ob3_credential_ldp", assertion_id, sealer=issuing.runtime.sealer
        )
        assert hosted is not None and hosted.media_type == "application/vc+ld+json"
        return json.loads(hosted.body)


def _verify(issuing, document: dict):  # type: ignore[no-untyped-def]
    with transaction(issuing.runtime.sessions) as session:
        loader = OwnDocuments(session, URLS, sealer=issuing.runtime.sealer)
        return verify(json.dumps(document), loader, recipient="n@example.org")


def test_the_suffixes_map_back_to_their_routes() -> None:
    assert match("/ob/v3/credentials/abc.ldp.json") == ("ob3_credential_ldp", "abc")
    assert match("/ob/v3/endorsements/abc.ldp.json") == ("ob3_endorsement_ldp", "abc")
    assert URLS.ob3_credential_ldp("abc") == "https://chemins.test/ob/v3/credentials/abc.ldp.json"


def test_an_issued_credential_carries_a_proof_that_verifies(issuing) -> None:
    assertion_id = _award(issuing)
    document = _secured(issuing, assertion_id)
    proof = document["proof"]
    with transaction(issuing.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        issuer = assertion.badge_class.issuer
        key = signing_keys.active_proof_key(session, issuer.community)
        assert key is not None and key.algorithm == "EdDSA" and key.kid.startswith("z6Mk")
        assert proof == {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": document["validFrom"],
            "verificationMethod": f"{URLS.ob3_profile(issuer.id)}#{key.kid}",
            "proofPurpose": "assertionMethod",
            "proofValue": proof["proofValue"],
        }
        # The credential is the VC-JWT's, without the JWT's own claims.
        assert not ob3_proofs.JWT_CLAIMS & set(document)
        assert document["id"] == URLS.ob3_credential(assertion_id)
    # Every member is defined by the bundled contexts (strict canonicalisation).
    canonicalize({k: v for k, v in document.items() if k != "proof"})
    report = _verify(issuing, document)
    assert report.valid, report.as_dict()
    assert report.version == "3.0"


def test_the_secured_form_is_stable(issuing) -> None:
    assertion_id = _award(issuing)
    assert _secured(issuing, assertion_id) == _secured(issuing, assertion_id)
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        assert len(signing_keys.proof_keys(session, community)) == 1


def test_tampering_one_byte_fails(issuing) -> None:
    document = _secured(issuing, _award(issuing))
    tampered = copy.deepcopy(document)
    tampered["name"] = tampered["name"][:-1] + "f"
    report = _verify(issuing, tampered)
    assert not report.valid and report.has("ob3.di-signature")
    signature = copy.deepcopy(document)
    value = signature["proof"]["proofValue"]
    signature["proof"]["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert not _verify(issuing, signature).valid


def test_the_profile_is_the_controller_document_of_its_keys(issuing) -> None:
    document = _secured(issuing, _award(issuing))
    method_id = document["proof"]["verificationMethod"]
    with transaction(issuing.runtime.sessions) as session:
        loader = OwnDocuments(session, URLS)
        profile_url = method_id.split("#", 1)[0]
        profile = json.loads(loader(profile_url).body)
        assert profile["id"] == profile_url and "Profile" in profile["type"]
        method = profile["verificationMethod"][0]
        assert method == {
            "id": method_id,
            "type": "Multikey",
            "controller": profile_url,
            "publicKeyMultibase": method_id.split("#", 1)[1],
        }
        assert profile["assertionMethod"] == [method_id]
        resolved = controllers.resolve(method_id, lambda url, accept: json.loads(loader(url).body))
        assert resolved.controller == document["issuer"]["id"]
        assert multikey.encode_public_key(resolved.public_key) == method["publicKeyMultibase"]
        # The JWKS and the OB 2.0 key documents stay RS256/ES256 only.
        published = signing_keys.published_keys(session)
        assert published and all(key.algorithm in ("RS256", "ES256") for key in published)
        assert loader(URLS.ob2_key(method["publicKeyMultibase"])).status == 404


def test_a_rotation_keeps_old_proofs_verifying(issuing) -> None:
    assertion_id = _award(issuing)
    before = _secured(issuing, assertion_id)
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        old = signing_keys.active_proof_key(session, community)
        signing_keys.rotate(session, issuing.runtime.sealer, community)
        new = signing_keys.active_proof_key(session, community)
        assert old is not None and new is not None and new.kid != old.kid
        assert old.retired_at is not None
    after = _secured(issuing, assertion_id)
    assert after["proof"]["verificationMethod"].endswith("#" + new.kid)
    assert _verify(issuing, before).valid
    assert _verify(issuing, after).valid


def test_a_key_of_another_community_is_refused(issuing) -> None:
    document = _secured(issuing, _award(issuing))
    with transaction(issuing.runtime.sessions) as session:
        other = create_community(
            session,
            name="Autre centre",
            slug="autre",
            url="https://autre.example.org",
            email="contact@autre.example.org",
        )
        other_key = signing_keys.ensure_proof_key(session, issuing.runtime.sealer, other)
        private = signing_keys.proof_private_key(issuing.runtime.sealer, other_key)
        issuer = session.get(Profile, document["issuer"]["id"].rsplit("/", 1)[-1])
        forged_here = data_integrity.sign_eddsa_rdfc_2022(
            document,
            private,
            ob3_proofs.verification_method(URLS, issuer, other_key),
            document["validFrom"],
        )
    # Named as a key of the issuer's profile, which does not list it.
    report = _verify(issuing, forged_here)
    assert not report.valid and report.has("ob3.di-method"), report.as_dict()


def test_a_key_another_community_controls_is_refused(issuing) -> None:
    document = _secured(issuing, _award(issuing))
    with transaction(issuing.runtime.sessions) as session:
        other = create_community(
            session,
            name="Autre centre",
            slug="autre",
            url="https://autre.example.org",
            email="contact@autre.example.org",
        )
        other_key = signing_keys.ensure_proof_key(session, issuing.runtime.sealer, other)
        forged = data_integrity.sign_eddsa_rdfc_2022(
            document,
            signing_keys.proof_private_key(issuing.runtime.sealer, other_key),
            ob3_proofs.verification_method(URLS, other.issuer, other_key),
            document["validFrom"],
        )
    # The other community's profile lists that key: same origin, another controller.
    report = _verify(issuing, forged)
    assert not report.valid and report.has("ob3.di-issuer"), report.as_dict()


def test_endorsement_credentials_are_issued_with_a_proof(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        partner = session.get(Profile, issuing.partner_id)
        endorsement_id = endorse_badge_class(session, badge, partner, "Utile en mairie.").id
    with transaction(issuing.runtime.sessions) as session:
        sealer = issuing.runtime.sealer
        hosted = lookup(session, URLS, "ob3_endorsement_ldp", endorsement_id, sealer=sealer)
        document = json.loads(hosted.body)
        assert document["proof"]["verificationMethod"].startswith(
            URLS.ob3_profile(issuing.partner_id) + "#"
        )
        assert lookup(session, URLS, "ob3_endorsement_ldp", endorsement_id) is None  # no sealer
        report = verify(json.dumps(document), OwnDocuments(session, URLS))
        assert report.valid, report.as_dict()
        revoke_endorsement = session.get(Endorsement, endorsement_id)
        revoke_endorsement.revoked_at = revoke_endorsement.issued_on
        session.flush()
        assert lookup(session, URLS, "ob3_endorsement_ldp", endorsement_id, sealer=sealer) is None


def test_a_revoked_credential_is_served_but_does_not_verify(issuing) -> None:
    assertion_id = _award(issuing)
    with transaction(issuing.runtime.sessions) as session:
        revoke(session, session.get(Assertion, assertion_id), "Erreur")
    document = _secured(issuing, assertion_id)
    assert not _verify(issuing, document).valid


def test_endorsements_of_the_award_are_embedded_with_their_own_proof(issuing) -> None:
    assertion_id = _award(issuing)
    with transaction(issuing.runtime.sessions) as session:
        partner = session.get(Profile, issuing.partner_id)
        assertion = session.get(Assertion, assertion_id)
        endorse_assertion(session, assertion, partner, "Bravo.", runtime=issuing.runtime)
    document = _secured(issuing, assertion_id)
    assert "endorsementJwt" not in json.dumps(document)
    (embedded,) = document["endorsement"]  # the award's VC-JWT is signed again when endorsed
    assert embedded["issuer"]["id"] == URLS.ob3_profile(issuing.partner_id)
    assert embedded["proof"]["verificationMethod"].startswith(
        URLS.ob3_profile(issuing.partner_id) + "#"
    )
    report = _verify(issuing, document)
    assert report.valid, report.as_dict()
