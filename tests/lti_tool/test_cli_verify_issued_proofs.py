"""``chemins verify`` on the credentials Chemins issues with an embedded Data Integrity proof.

The tool runs on a real socket at its public origin; the verifier runs elsewhere (no
instance of its own), so it reads the credential, the issuer's Profile (the controller
document of the key) and the revocation list over HTTP, as a wallet or an employer would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from badges.models import Endorsement
from badges.publishing.public_urls import PublicUrls
from badges.storage.database import transaction
from badges.storage.instance import load_instance
from badges.storage.runtime import Runtime
from lti_tool.app import create_app
from lti_tool.cli import main
from lti_tool.commands.badges import INVALID
from tests.conftest import LOCAL_HOSTS
from tests.live_server import LiveServer, free_port

#: The key under which :func:`tool` adds one of the demo's endorsements.
ENDORSEMENT = "Endorsement (OB 3.0)"
SECRET = "a-test-secret-that-is-long-enough-for-hkdf"


@pytest.fixture
def tool(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The demo instance served at its own origin; yields the URLs ``chemins demo`` printed."""
    origin = f"http://127.0.0.1:{free_port()}"
    env = {
        "CHEMINS_INSTANCE_DIR": str(tmp_path / "instance"),
        "CHEMINS_BASE_URL": origin,
        "CHEMINS_SECRET_KEY": SECRET,
        "CHEMINS_DATABASE_URL": "",
    }
    demo = CliRunner().invoke(main, ["demo"], env=env, catch_exceptions=False)
    assert demo.exit_code == 0, demo.output
    urls = dict(line.rsplit(": ", 1) for line in demo.output.splitlines()[1:])
    runtime = Runtime.open(load_instance(env))
    with transaction(runtime.sessions) as session:
        endorsement = session.scalars(select(Endorsement).where(Endorsement.revoked_at.is_(None)))
        urls[ENDORSEMENT] = PublicUrls(origin).ob3_endorsement(endorsement.first().id)
    app = create_app({"TESTING": True, "LTI_PRIVATE_PLATFORMS": LOCAL_HOSTS}, runtime=runtime)
    server = LiveServer(app, port=int(origin.rsplit(":", 1)[1])).start()
    try:
        yield urls
    finally:
        server.stop()
        runtime.engine.dispose()


@pytest.fixture
def verify_elsewhere(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``chemins verify --allow-private`` from a folder with no Chemins instance."""
    elsewhere = {
        "CHEMINS_INSTANCE_DIR": str(tmp_path / "nowhere"),
        "CHEMINS_BASE_URL": "https://verifier.test",
        "CHEMINS_SECRET_KEY": SECRET,
        "CHEMINS_DATABASE_URL": "",
    }

    def verify(source: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(
            main, ["verify", "--allow-private", source], env=elsewhere, catch_exceptions=False
        )

    return verify


def test_the_ldp_link_verifies_and_a_tampered_copy_does_not(
    tool, verify_elsewhere, tmp_path: Path
) -> None:
    url = tool["Credential (OB 3.0)"] + ".ldp.json"
    result = verify_elsewhere(url)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["openBadgesVersion"] == "3.0"

    secured = requests.get(url, timeout=10)
    assert secured.headers["Content-Type"] == "application/vc+ld+json"
    assert secured.json()["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    # The demo badge class is endorsed: its endorsements are embedded, each with its proof
    # (the OB 3.0 context defines no endorsementJwt, so the VC-JWT ones cannot stay).
    achievement = secured.json()["credentialSubject"]["achievement"]
    assert b"endorsementJwt" not in secured.content and achievement["endorsement"]
    assert all(e["proof"]["type"] == "DataIntegrityProof" for e in achievement["endorsement"])
    saved = tmp_path / "credential.json"
    saved.write_bytes(secured.content)
    assert verify_elsewhere(str(saved)).exit_code == 0
    body = secured.content
    at = body.index(b'"name":"') + len(b'"name":"')
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :])
    refused = verify_elsewhere(str(tampered))
    assert refused.exit_code == INVALID, refused.output
    codes = [error["code"] for error in json.loads(refused.stdout)["errors"]]
    assert codes == ["ob3.di-signature"]


def test_asking_for_vc_ld_json_by_name_gets_the_secured_form(tool) -> None:
    url = tool["Credential (OB 3.0)"]
    named = requests.get(url, headers={"Accept": "application/vc+ld+json"}, timeout=10)
    assert named.headers["Content-Type"] == "application/vc+ld+json"
    assert named.content == requests.get(url + ".ldp.json", timeout=10).content
    anything = requests.get(url, headers={"Accept": "*/*"}, timeout=10)
    assert "proof" not in anything.json() and "jti" in anything.json()


def test_the_key_resolves_from_the_issuer_profile(tool) -> None:
    secured = requests.get(tool["Credential (OB 3.0)"] + ".ldp.json", timeout=10).json()
    method_id = secured["proof"]["verificationMethod"]
    profile_url, fragment = method_id.split("#", 1)
    assert profile_url == secured["issuer"]["id"]
    profile = requests.get(profile_url, timeout=10).json()
    assert {
        "id": method_id,
        "type": "Multikey",
        "controller": profile_url,
        "publicKeyMultibase": fragment,
    } in profile["verificationMethod"]
    assert method_id in profile["assertionMethod"]


def test_endorsement_credentials_verify_with_their_proof(tool, verify_elsewhere) -> None:
    url = tool[ENDORSEMENT] + ".ldp.json"
    result = verify_elsewhere(url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["valid"] is True
