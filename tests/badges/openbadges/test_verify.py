"""The verify entry point: every form a badge arrives in, and input that is no badge."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from badges.openbadges import jws, ob2
from badges.openbadges.baking import bake
from badges.openbadges.errors import UnusableInput
from badges.openbadges.loader import Fetched, HttpLoader
from badges.openbadges.verify import MAX_INPUT_BYTES, verify, verify_source
from badges.outbound.client import OutboundClient
from tests.conftest import LOCAL_HOSTS

from .conftest import (
    LEARNER,
    MOODLE,
    MOODLE_ASSERTION_URL,
    NOW,
    BadgeServer,
    DictLoader,
    Ob2Issuer,
)

PNG = (MOODLE / "badgeimage.png").read_bytes()
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'
MOODLE_JSON = (MOODLE / "assertion_obv2.json").read_bytes()
VCDM_V2 = "https://www.w3.org/ns/credentials/v2"


def _codes(findings: list[Any]) -> list[str]:
    return [f.code for f in findings]


# -- forms of OB 2.0 badges ------------------------------------------------------------


def test_moodle_json_bytes(moodle_loader: DictLoader) -> None:
    report = verify(MOODLE_JSON, moodle_loader, recipient=LEARNER, now=NOW)
    assert report.valid and (report.version, report.form) == ("2.0", "hosted")


def test_moodle_assertion_baked_into_moodles_png(moodle_loader: DictLoader) -> None:
    report = verify(bake(PNG, MOODLE_JSON.decode()), moodle_loader, recipient=LEARNER, now=NOW)
    assert report.valid, report.as_dict()
    assert report.subject["bakedIn"] == "png"
    assert report.subject["badgeName"] == "Peer Mentor"


def test_hosted_url(moodle_loader: DictLoader) -> None:
    report = verify(MOODLE_ASSERTION_URL, moodle_loader, now=NOW)
    assert report.valid and report.form == "hosted"


def test_legacy_png_with_a_hosted_url(moodle_loader: DictLoader) -> None:
    body = b"openbadges\0" + MOODLE_ASSERTION_URL.encode()
    chunk = (
        struct.pack(">I", len(body))
        + b"tEXt"
        + body
        + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    )
    legacy = PNG[:33] + chunk + PNG[33:]
    report = verify(legacy, moodle_loader, now=NOW)
    assert report.valid and report.form == "hosted"


@pytest.mark.parametrize("image", [PNG, SVG])
def test_signed_badge_baked_into_an_image(ob2_issuer: Ob2Issuer, image: bytes) -> None:
    _, token = ob2_issuer.signed()
    report = verify(
        bake(image, token),
        HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5),
        recipient=LEARNER,
        now=NOW,
    )
    assert report.valid, report.as_dict()
    assert report.form == "signed"


def test_hosted_badge_baked_into_svg(ob2_issuer: Ob2Issuer) -> None:
    document = ob2_issuer.hosted()
    report = verify(
        bake(SVG, document), HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5), now=NOW
    )
    assert report.valid, report.as_dict()
    assert report.subject["bakedIn"] == "svg"


def test_svg_naming_another_url_than_its_badge_warns(ob2_issuer: Ob2Issuer) -> None:
    document = ob2_issuer.hosted()
    baked = bake(SVG, document).replace(
        b'verify="' + document["id"].encode(), b'verify="' + document["id"].encode() + b"?x"
    )
    report = verify(baked, HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5), now=NOW)
    assert report.valid and "baked-url" in _codes(report.warnings)


def test_jws_text(ob2_issuer: Ob2Issuer) -> None:
    _, token = ob2_issuer.signed()
    report = verify(token + "\n", HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5), now=NOW)
    assert report.valid and report.form == "signed"


def test_a_20_badge_baked_under_the_30_keyword_warns(moodle_loader: DictLoader) -> None:
    baked = bake(PNG, MOODLE_JSON.decode(), version="3.0")
    report = verify(baked, moodle_loader, now=NOW)
    assert report.valid and "baked-version" in _codes(report.warnings)


def test_a_tampered_baked_badge_is_invalid(ob2_issuer: Ob2Issuer) -> None:
    document, token = ob2_issuer.signed()
    header, _, signature = token.split(".")
    forged_payload = json.dumps(dict(document, issuedOn="2020-01-01T00:00:00Z")).encode()
    import base64

    body = base64.urlsafe_b64encode(forged_payload).rstrip(b"=").decode()
    report = verify(
        bake(PNG, f"{header}.{body}.{signature}"),
        HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5),
        now=NOW,
    )
    assert _codes(report.errors) == ["ob2.signature"]


# -- verify_source ---------------------------------------------------------------------


def test_source_file(tmp_path: Path, moodle_loader: DictLoader) -> None:
    path = tmp_path / "badge.png"
    path.write_bytes(bake(PNG, MOODLE_JSON.decode()))
    assert verify_source(str(path), moodle_loader, now=NOW).valid


def test_source_stdin(moodle_loader: DictLoader) -> None:
    report = verify_source("-", moodle_loader, now=NOW, stdin=io.BytesIO(MOODLE_JSON))
    assert report.valid


def test_source_url(ob2_issuer: Ob2Issuer, badge_server: BadgeServer) -> None:
    url = ob2_issuer.hosted()["id"]
    report = verify_source(url, HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5), now=NOW)
    assert report.valid
    assert badge_server.requested.count("/assertions/1") == 1  # dispatch did not refetch


def test_source_file_missing(tmp_path: Path) -> None:
    with pytest.raises(UnusableInput, match="cannot read"):
        verify_source(str(tmp_path / "nope.png"), DictLoader({}))


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the test itself stays cheap
    # "the file is ...": refused from its size on disk, not after reading 10 MB of it.
    with pytest.raises(UnusableInput, match="the file is larger than 10 MB"):
        verify_source(str(path), DictLoader({}))


class _CountingStream(io.RawIOBase):
    """An endless stdin that records how much was asked of it."""

    def __init__(self) -> None:
        self.asked = 0

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "stdin must never be read without a limit"
        self.asked += size
        return b"{" * size


def test_endless_stdin_is_read_only_up_to_the_cap() -> None:
    stream = _CountingStream()
    with pytest.raises(UnusableInput, match="larger than"):
        verify_source("-", DictLoader({}), stdin=stream)  # type: ignore[arg-type]
    assert stream.asked == MAX_INPUT_BYTES + 1


def test_oversized_bytes_are_refused() -> None:
    with pytest.raises(UnusableInput, match="larger than"):
        verify(b" " * (MAX_INPUT_BYTES + 1), DictLoader({}))


# -- input that is no badge ------------------------------------------------------------


def _none_jws() -> str:
    import base64

    def b64(data: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none'})}.{b64(json.loads(MOODLE_JSON))}."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"a": 1', "not valid JSON"),
        (b"[1, 2]", "JSON array"),
        (b'{"a": 1}', "not a badge"),
        (b'{"type": "Person", "@context": null}', "not a badge"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        (PNG[:5000], "truncated"),
        (PNG, "carries no badge"),
        (SVG, "carries no badge"),
        (b"\x00\x01\x02\xfe\xff", "neither a PNG"),
        (b"hello world", "not a badge"),
        (_none_jws(), "unsigned"),
        (b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>', "DOCTYPE"),
        (_none_jws().encode(), "unsigned"),
    ],
)
def test_unusable_input_has_a_plain_message(data: bytes | str, message: str) -> None:
    with pytest.raises(UnusableInput, match=message) as caught:
        verify(data, DictLoader({}))
    assert "Traceback" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_failing_loader_never_lets_a_traceback_out() -> None:
    def broken(url: str, accept: str = "") -> Fetched:
        raise RuntimeError("socket exploded")

    report = verify(MOODLE_JSON, broken, now=NOW)
    assert not report.valid
    assert _codes(report.errors) == ["internal"]
    assert "socket exploded" not in report.errors[0].message


# -- OB 3.0 is handed over -------------------------------------------------------------


@pytest.fixture
def verify_ob3_available() -> None:
    pytest.importorskip("badges.openbadges.verify_ob3")


@pytest.mark.usefixtures("verify_ob3_available")
@pytest.mark.parametrize("context", [VCDM_V2, "https://www.w3.org/2018/credentials/v1"])
def test_ob3_json_is_handed_to_the_ob3_verifier(context: str) -> None:
    credential = {"@context": [context], "type": ["VerifiableCredential"], "id": "urn:uuid:1"}
    report = verify(json.dumps(credential), DictLoader({}), now=NOW)
    assert report.version == "3.0"
    assert not report.valid
    assert all(not code.startswith("ob2.") for code in _codes(report.errors))


@pytest.mark.usefixtures("verify_ob3_available")
def test_vc_jwt_is_handed_to_the_ob3_verifier(rsa_key: Any) -> None:
    token = jws.sign({"vc": {"@context": [VCDM_V2]}, "iss": "https://x.example"}, rsa_key)
    report = verify(token, DictLoader({}), now=NOW)
    assert report.version == "3.0" and not report.valid


@pytest.mark.usefixtures("verify_ob3_available")
def test_png_baked_with_an_ob3_credential() -> None:
    credential = {"@context": [VCDM_V2], "type": ["VerifiableCredential"], "id": "urn:uuid:1"}
    report = verify(bake(PNG, credential, version="3.0"), DictLoader({}), now=NOW)
    assert report.version == "3.0" and report.subject.get("bakedIn") == "png"
    assert "baked-version" not in _codes(report.warnings)
    mislabelled = verify(bake(PNG, credential, version="2.0"), DictLoader({}), now=NOW)
    assert mislabelled.version == "3.0" and "baked-version" in _codes(mislabelled.warnings)


def test_ob2_json_never_reaches_the_ob3_verifier(moodle_loader: DictLoader) -> None:
    report = verify(
        json.dumps(ob2.revoked_assertion(id=MOODLE_ASSERTION_URL)), moodle_loader, now=NOW
    )
    assert report.version == "2.0"


HOSTILE_VALUES = [None, 1, True, [], [[]], {}, {"id": []}, [{"id": {}}], "x", "data:,", "urn:x"]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
def test_hostile_values_anywhere_give_findings_not_crashes(
    moodle_loader: DictLoader, value: Any
) -> None:
    """Every property of the recorded Moodle graph replaced by each odd JSON value: the
    verifier must answer with findings every time, never with an internal error."""
    url = f"{MOODLE_ASSERTION_URL}"
    original = json.loads(MOODLE_JSON)

    def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        found = []
        if isinstance(node, dict):
            for key, child in node.items():
                found.append((*prefix, key))
                found.extend(paths(child, (*prefix, key)))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                found.append((*prefix, index))
                found.extend(paths(child, (*prefix, index)))
        return found

    for path in paths(original):
        document = json.loads(MOODLE_JSON)
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        moodle_loader.documents[url] = (200, "application/json", json.dumps(document).encode())
        report = verify(url, moodle_loader, recipient=LEARNER, now=NOW)
        assert "internal" not in _codes(report.errors), (path, report.as_dict())
