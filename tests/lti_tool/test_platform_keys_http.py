"""The tool's JWKS cache against the demo platform's keyset endpoint (requests counted)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from demo_lms.platform import IdToken
from tests.lti_launches import Browser, LtiWorld, reason_code


def _unknown_kid(token: IdToken) -> str:
    return token.sign(header={"kid": "rotated-away"})


def test_jwks_is_cached_and_refetched_once_on_unknown_kid(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    for user in ("a", "b"):
        outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec(user_id=user))
        assert outcome.launch.status_code == 303
    assert world.demo.jwks_requests == 1
    world.demo.tamper = _unknown_kid
    refused = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    assert reason_code(refused.launch) == "B2"
    assert world.demo.jwks_requests == 2
    again = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    assert reason_code(again.launch) == "B2"
    assert world.demo.jwks_requests == 2  # no refetch storm


def test_platform_key_rotation_is_followed(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    first = Browser().launch(world.demo, world.moodle.client_id, world.spec(user_id="a"))
    assert first.launch.status_code == 303
    new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    world.demo.rotate_key(
        new.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        new.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )
    second = Browser().launch(world.demo, world.moodle.client_id, world.spec(user_id="b"))
    assert second.launch.status_code == 303
    assert world.demo.jwks_requests == 2
