"""The validator on its own: pipeline order, time leeway and max age, aud/azp rules.

The full bad-launch matrix runs over HTTP in tests/lti_tool/test_launch_matrix.py; these
tests pin the boundaries that need a controlled clock.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256

from badges.openbadges.keys import int_to_b64url
from lti_tool.lti1p3.claims import LTI
from lti_tool.lti1p3.exceptions import LaunchRefused
from lti_tool.lti1p3.message_launch import PIPELINE, MessageLaunch
from lti_tool.lti1p3.platform_keys import PlatformKeys
from lti_tool.lti1p3.registration import LoginRecord, RegistrationInfo, ToolUrls

ISS = "https://lms.example.org"
NOW = 1_800_000_000
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
TARGET = "https://chemins.test/lti/launch"


class Keys:
    def key(self, jwks_url: str, kid: str) -> Any:
        return KEY.public_key()


class Store:
    def __init__(self) -> None:
        self.registration = RegistrationInfo(
            "r1", ISS, "client", f"{ISS}/auth", f"{ISS}/token", f"{ISS}/jwks", frozenset({"1"})
        )
        self.record = LoginRecord(
            "state", "nonce", "r1", TARGET, "1", datetime.fromtimestamp(NOW - 5, UTC), False
        )

    def registrations(self, issuer: str) -> list[RegistrationInfo]:
        return [self.registration] if issuer == ISS else []

    def login(self, state: str) -> LoginRecord | None:
        return self.record if state == "state" else None

    def nonce_issued(self, nonce: str) -> bool:
        return nonce == "nonce"


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": ISS,
        "aud": "client",
        "sub": "u1",
        "iat": NOW,
        "exp": NOW + 60,
        "nonce": "nonce",
        LTI + "message_type": "LtiResourceLinkRequest",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": "1",
        LTI + "target_link_uri": TARGET,
        LTI + "resource_link": {"id": "rl"},
        LTI + "roles": [],
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not ...}


def validate(claims: dict[str, Any], now: float = NOW) -> Any:
    token = jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k"})
    validator = MessageLaunch(Store(), ToolUrls("https://chemins.test"), Keys(), clock=lambda: now)  # type: ignore[arg-type]
    return validator.validate({"id_token": token, "state": "state"}, "state")


def code(claims: dict[str, Any], now: float = NOW) -> str:
    with pytest.raises(LaunchRefused) as refused:
        validate(claims, now)
    return refused.value.code


def test_pipeline_follows_the_reference_order() -> None:
    """The form; the token read unverified only to find the registration and its key; the
    signature; then time, the state and the nonce bound to it; then the LTI claims.

    That is reference/lti13.md §3 (SF §5.1.3), with the state before its nonce since the
    nonce is checked against the login the state names. Checked three ways: the place of
    each step in PIPELINE; launches broken two ways, refused with the code of the step
    that must run first; each step's docstring names exactly the B-codes it raises.
    """
    import inspect
    import itertools
    import re

    names = [step.__name__ for step in PIPELINE]
    phases = [
        ["check_error_response", "check_form"],
        [
            "check_jwt_format",
            "check_algorithm",
            "check_kid",
            "check_lti_message",
            "check_issuer",
            "check_audience",
        ],
        ["check_signature"],
        ["check_timestamps"],
        ["check_state", "check_nonce"],
    ]
    # These phases come first, each whole before the next; the LTI claims follow them.
    placed = [name for phase in phases for name in phase]
    assert sorted(names[: len(placed)]) == sorted(placed), names
    for phase, following in itertools.pairwise(phases):
        assert max(map(names.index, phase)) < min(map(names.index, following)), names
    # Inside a phase: what a step needs from an earlier one.
    for first, then in [
        ("check_error_response", "check_form"),  # an error POST has no id_token: not B18
        ("check_jwt_format", "check_algorithm"),  # the header is read by the format check
        ("check_issuer", "check_audience"),  # the audience is one of the issuer's clients
        ("check_state", "check_nonce"),  # the nonce must be the one of the state's login
    ]:
        assert names.index(first) < names.index(then), (first, then)

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(claims: dict[str, Any], key: Any = KEY, alg: str = "RS256", kid: bool = True):  # type: ignore[no-untyped-def]
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": "k"} if kid else None)

    not_lti = {"name": "badltilaunch"}
    expired = _claims(exp=NOW - 3600)
    # A launch failing one step and a later one is refused with the first one's code.
    cases = [
        # (code, id_token, state posted, more form fields)
        ("B18", token(_claims()), "", {"error": "login_required"}),  # not B17 (no state)
        ("B17", "not a JWT", "", {}),  # not B5
        ("B4", token(_claims(), "k" * 32, "HS256", kid=False), "state", {}),  # not B1
        ("B1", token(not_lti, kid=False), "state", {}),  # not B6
        ("B6", token(not_lti), "state", {}),  # not B11
        ("B11", token(_claims(iss="https://x.example", aud="x")), "state", {}),  # not B12
        ("B12", token(_claims(aud="other"), other_key), "state", {}),  # not B3
        ("B3", token(expired, other_key), "state", {}),  # not B7
        ("B7", token(expired), "other", {}),  # not B17 (a state never issued)
        ("B17", token(_claims(nonce=...)), "other", {}),  # not B15
        ("B15", token(_claims(nonce="other", **{LTI + "deployment_id": "2"})), "state", {}),
        ("B19", token(_claims(**{LTI + "deployment_id": "2", LTI + "version": "1"})), "state", {}),
    ]  # fmt: skip
    for expected, id_token, state, form in cases:
        fields = {"id_token": id_token, "state": state, **form}
        launch = MessageLaunch(Store(), ToolUrls("https://chemins.test"), Keys(), clock=lambda: NOW)  # type: ignore[arg-type]
        with pytest.raises(LaunchRefused) as refusal:
            launch.validate(fields, state)
        assert refusal.value.code == expected, (expected, refusal.value)

    raised_by_all: set[str] = set()
    for step in PIPELINE:
        named = set(re.findall(r"\bB\d+\b", step.__doc__ or ""))
        raised = set(re.findall(r'_refuse\(\s*"(B\d+)"', inspect.getsource(step)))
        assert raised and named == raised, f"{step.__name__} names {named}, raises {raised}"
        raised_by_all |= raised
    # Every bad launch of reference/lti13.md §12 (B28 is the login's) has its step.
    assert raised_by_all == {f"B{number}" for number in range(1, 28)}


def test_a_valid_launch_passes() -> None:
    launch = validate(_claims())
    assert launch.registration.client_id == "client" and launch.deployment_id == "1"


@pytest.mark.parametrize("skew", [-59, 59])
def test_sixty_seconds_of_clock_skew(skew: int) -> None:
    validate(_claims(), now=NOW + 60 + skew if skew > 0 else NOW + skew)


def test_leeway_boundaries() -> None:
    assert code(_claims(), now=NOW + 60 + 61) == "B7"
    assert code(_claims(iat=NOW + 61, exp=NOW + 120)) == "B10"
    assert code(_claims(iat=NOW - 361, exp=NOW + 60)) == "B10"
    validate(_claims(iat=NOW - 359, exp=NOW + 60))


def test_aud_and_azp() -> None:
    validate(_claims(aud=["other", "client"], azp="client"))
    validate(_claims(aud=["client"]))
    assert code(_claims(aud=["client", "other"])) == "B13"
    assert code(_claims(aud="client", azp="other")) == "B14"
    assert code(_claims(aud=["a", "b"], azp="a")) == "B12"
    assert code(_claims(aud=7)) == "B12"


def test_claims_of_the_wrong_type() -> None:
    assert code(_claims(exp="tomorrow")) == "B7"
    assert code(_claims(**{LTI + "roles": "Learner"})) == "B22"
    assert code(_claims(sub="x" * 256)) == "B24"
    assert code(_claims(**{LTI + "context": "course"})) == "B26"
    assert code(_claims(**{LTI + "deployment_id": 1})) == "B19"


def test_submission_review_needs_no_resource_link() -> None:
    validate(
        _claims(**{LTI + "message_type": "LtiSubmissionReviewRequest", LTI + "resource_link": ...})
    )


def test_real_clock_default() -> None:
    validator = MessageLaunch(Store(), ToolUrls("https://chemins.test"), Keys())  # type: ignore[arg-type]
    assert abs(validator.clock() - time.time()) < 5


def _token_code(token: str) -> str:
    validator = MessageLaunch(Store(), ToolUrls("https://chemins.test"), Keys(), clock=lambda: NOW)  # type: ignore[arg-type]
    with pytest.raises(LaunchRefused) as refused:
        validator.validate({"id_token": token, "state": "state"}, "state")
    return refused.value.code


def _signed(claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k", **headers})


def test_segments_must_be_strict_base64url() -> None:
    """Decoders skip characters outside the alphabet; the validator refuses them (B5)."""
    header, payload, signature = _signed(_claims()).split(".")
    for bad in (
        f"{header}.{payload}!.{signature}",  # junk a lax decoder would drop
        f"{header}.{payload}.{signature[:-2]}+/",  # base64, not base64url
        f"{header}.{payload[:-1]} .{signature}",
        f"{header}.{payload}.{signature}===",  # more padding than base64 allows
        f"{header}.{payload}.{signature[:-1]}",  # a length no base64 text has
    ):
        assert _token_code(bad) == "B5", bad


def test_padding_some_issuers_add_is_accepted() -> None:
    """Some issuers pad their segments (and sign them padded): still base64url."""

    def padded(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode()

    header = padded(json.dumps({"alg": "RS256", "kid": "k", "typ": "JWT"}).encode())
    payload = padded(json.dumps(_claims()).encode())
    signature = padded(KEY.sign(f"{header}.{payload}".encode(), PKCS1v15(), SHA256()))
    assert "=" in header + payload + signature
    launch = MessageLaunch(Store(), ToolUrls("https://chemins.test"), Keys(), clock=lambda: NOW)  # type: ignore[arg-type]
    accepted = launch.validate(
        {"id_token": f"{header}.{payload}.{signature}", "state": "state"}, "state"
    )
    assert accepted.claims["sub"] == "u1"


@pytest.mark.parametrize("headers", [{"crit": ["exp"]}, {"b64": False, "crit": ["b64"]}])
def test_jws_extensions_are_refused(headers: dict[str, Any]) -> None:
    """RFC 7515 §4.1.11: a critical extension this tool does not implement is fatal."""
    assert _token_code(_signed(_claims(), **headers)) == "B5"


def test_a_signature_over_other_bytes_fails() -> None:
    header, _, signature = _signed(_claims()).split(".")
    _, other, _ = _signed(_claims(sub="someone-else")).split(".")
    assert _token_code(f"{header}.{other}.{signature}") == "B3"


@responses.activate
def test_a_launch_signed_with_a_short_key_is_refused() -> None:
    """Even a signature that verifies is refused when the platform key is under 2,048 bits."""
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    numbers = weak.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": "k", "n": int_to_b64url(numbers.n), "e": int_to_b64url(numbers.e)}
    responses.get(f"{ISS}/jwks", json={"keys": [jwk]})
    header = _b64(json.dumps({"alg": "RS256", "kid": "k", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    signature = _b64(weak.sign(f"{header}.{payload}".encode(), PKCS1v15(), SHA256()))
    urls = ToolUrls("https://chemins.test")
    validator = MessageLaunch(Store(), urls, PlatformKeys(), clock=lambda: NOW)  # type: ignore[arg-type]
    with pytest.raises(LaunchRefused) as refused:
        validator.validate(
            {"id_token": f"{header}.{payload}.{signature}", "state": "state"}, "state"
        )
    assert (refused.value.code, refused.value.http_status) == ("WEAK_KEY", 401)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _token_with_payload(payload: bytes) -> str:
    """A token signed over ``payload`` exactly as given (JSON a serialiser would not write)."""
    header = _b64(json.dumps({"alg": "RS256", "kid": "k", "typ": "JWT"}).encode())
    body = _b64(payload)
    signature = _b64(KEY.sign(f"{header}.{body}".encode(), PKCS1v15(), SHA256()))
    return f"{header}.{body}.{signature}"


def _payload_with(name: str, literal: str) -> bytes:
    """The valid claims with ``name`` replaced by a raw JSON ``literal``."""
    text = json.dumps({k: v for k, v in _claims().items() if k != name})
    return (text[:-1] + f', "{name}": {literal}}}').encode()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
def test_json_constants_that_are_no_json_are_refused(name: str, literal: str) -> None:
    """``json`` reads NaN and Infinity; RFC 8259 does not: ``exp: Infinity`` never expires."""
    assert _token_code(_token_with_payload(_payload_with(name, literal))) == "B5"


@pytest.mark.parametrize(
    "literal", ["1e999", "-1e999", "1" + "0" * 400, "-1" + "0" * 400, "true", "false", '"1"']
)
@pytest.mark.parametrize("name", ["exp", "iat", "nbf"])
def test_times_must_be_finite_numbers(name: str, literal: str) -> None:
    """``1e999`` parses as an infinity, a 400-digit integer fits no float, a boolean is no time."""
    assert _token_code(_token_with_payload(_payload_with(name, literal))) == "B7"


def test_not_before_is_honoured_with_the_leeway() -> None:
    validate(_claims(nbf=NOW + 59))
    assert code(_claims(nbf=NOW + 61)) == "B7"


@pytest.mark.parametrize("depth", [21, 50, 100_000])
def test_deeply_nested_payloads_are_refused(depth: int) -> None:
    """Deep enough, ``json`` raises RecursionError (a 500); just deep, it fails later."""
    nested = "[" * depth + "]" * depth
    assert _token_code(_token_with_payload(_payload_with(LTI + "custom", nested))) == "B5"


def test_usual_nesting_passes() -> None:
    custom = {"a": {"b": {"c": [[["x"]]]}}}  # six levels under the payload
    assert validate(_claims(**{LTI + "custom": custom})).claim("custom") == custom


def test_an_oversized_token_or_state_is_refused_unread() -> None:
    validator = MessageLaunch(Store(), ToolUrls("https://chemins.test"), Keys(), clock=lambda: NOW)  # type: ignore[arg-type]
    huge = _signed(_claims(padding="x" * 70_000))
    with pytest.raises(LaunchRefused) as refused:
        validator.validate({"id_token": huge, "state": "state"}, "state")
    assert (refused.value.code, refused.value.http_status) == ("B5", 400)
    with pytest.raises(LaunchRefused) as refused:
        validator.validate({"id_token": _signed(_claims()), "state": "s" * 129}, "s" * 129)
    assert (refused.value.code, refused.value.http_status) == ("B17", 400)


def test_header_values_of_the_wrong_type() -> None:
    header = _b64(json.dumps({"alg": "RS256", "kid": 7}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    signature = _b64(KEY.sign(f"{header}.{payload}".encode(), PKCS1v15(), SHA256()))
    assert _token_code(f"{header}.{payload}.{signature}") == "B5"  # kid must be a string
