"""``chemins verify`` on OB 3.0 credentials with an embedded eddsa-rdfc-2022 proof.

The credential was signed by the Digital Credentials Consortium's issuer (a fixture of
their verifier-core), so this checks interoperability, not only our own signatures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lti_tool.cli import main
from lti_tool.commands.badges import INVALID
from tests.live_server import LiveServer

DCC_CREDENTIAL = (
    Path(__file__).resolve().parents[1]
    / "badges/openbadges/fixtures/data_integrity/dcc-verifier-core/v2OBv3SpecExample.json"
)


@pytest.fixture
def run(cli_env):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), env=cli_env, catch_exceptions=False)

    return invoke


def test_a_credential_file_with_a_data_integrity_proof_is_valid(run) -> None:
    result = run("verify", str(DCC_CREDENTIAL))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["openBadgesVersion"] == "3.0"
    assert report["subject"]["achievementName"] == "Teamwork"


def test_a_tampered_credential_file_exits_1(run, tmp_path: Path) -> None:
    credential = json.loads(DCC_CREDENTIAL.read_text())
    credential["credentialSubject"]["achievement"]["name"] = "Teamwork leader"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(credential))
    result = run("verify", str(tampered))
    assert result.exit_code == INVALID, result.output
    codes = [error["code"] for error in json.loads(result.stdout)["errors"]]
    assert codes == ["ob3.di-signature"]


def test_a_credential_url_with_a_data_integrity_proof_is_valid(run) -> None:
    body = DCC_CREDENTIAL.read_bytes()
    asked: list[str] = []

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        asked.append(environ.get("HTTP_ACCEPT", ""))
        start_response("200 OK", [("Content-Type", "application/ld+json")])
        return [body]

    server = LiveServer(app).start()
    try:
        result = run("verify", "--allow-private", f"{server.url}/credentials/3527")
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["valid"] is True
    assert len(asked) == 1  # the embedded proof is enough: no VC-JWT is asked for
