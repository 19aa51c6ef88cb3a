"""``chemins demo``, ``bake``, ``verify`` and ``keys rotate`` as a person runs them."""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from badges.models import Assertion, Profile
from badges.recognition.endorsing import endorse_assertion
from badges.storage.database import transaction
from badges.storage.instance import load_instance
from badges.storage.runtime import Runtime
from lti_tool.cli import main
from lti_tool.commands.badges import INVALID
from tests.internal_listener import internal_listener


@pytest.fixture
def run(cli_env):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), env=cli_env, input=stdin, catch_exceptions=False)

    return invoke


def _assertion_ids(cli_env: dict[str, str]) -> list[str]:
    runtime = Runtime.open(load_instance(cli_env))
    try:
        with transaction(runtime.sessions) as session:
            return list(session.scalars(select(Assertion.id).order_by(Assertion.issued_on)))
    finally:
        runtime.engine.dispose()


def test_demo_is_idempotent_and_prints_public_urls(run, cli_env) -> None:
    first = run("demo")
    assert first.exit_code == 0, first.output
    assert "Created: community" in first.output
    assert "https://chemins.test/b/" in first.output
    second = run("demo")
    assert second.exit_code == 0
    assert "nothing new was created" in second.output
    assert first.output.splitlines()[1:] == second.output.splitlines()[1:]
    assert len(_assertion_ids(cli_env)) == 6  # Nathan 2, Sylvie 4 (see badges/demo.py)


@pytest.mark.parametrize(
    ("suffix", "flags", "version"),
    [
        (".png", (), "2.0"),
        (".svg", (), "2.0"),
        (".png", ("--ob3",), "3.0"),
        (".svg", ("--ob3",), "3.0"),
    ],
)
def test_baked_badges_verify(run, cli_env, tmp_path, suffix, flags, version) -> None:
    run("demo")
    assertion_id = _assertion_ids(cli_env)[0]
    baked = tmp_path / f"badge{suffix}"
    result = run("bake", assertion_id, "-o", str(baked), *flags)
    assert result.exit_code == 0, result.output
    checked = run("verify", str(baked))
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["valid"] is True and report["openBadgesVersion"] == version
    assert report["subject"]["bakedIn"] == suffix[1:]


def test_a_revoked_badge_exits_1(run, cli_env, tmp_path) -> None:
    run("demo")
    assertion_id = _assertion_ids(cli_env)[0]
    baked = tmp_path / "badge.png"
    run("bake", assertion_id, "--signed", "-o", str(baked))
    runtime = Runtime.open(load_instance(cli_env))
    with transaction(runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        assertion.revoked_at = assertion.issued_on
        assertion.revocation_reason = "Erreur"
    runtime.engine.dispose()
    checked = run("verify", str(baked))
    assert checked.exit_code == 1
    assert "ob2.revoked" in {e["code"] for e in json.loads(checked.stdout)["errors"]}


def _unusable(result, words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert words in result.stderr.lower()
    assert "traceback" not in result.stderr.lower() and len(result.stderr.splitlines()) == 1


def test_input_that_is_not_a_badge_exits_2_with_a_plain_message(run, cli_env, tmp_path) -> None:
    run("demo")
    baked = tmp_path / "badge.png"
    run("bake", _assertion_ids(cli_env)[0], "-o", str(baked))
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(baked.read_bytes()[:200])
    _unusable(run("verify", str(truncated)), "truncated")
    jpeg = tmp_path / "photo.png"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100)
    _unusable(run("verify", str(jpeg)), "jpeg")
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    _unusable(run("verify", str(huge)), "larger than")
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "Assertion", ')
    _unusable(run("verify", str(broken)), "not valid json")
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(b'{"type":"Assertion"}').rstrip(b"=")
    _unusable(run("verify", "-", stdin=header + b"." + payload + b"."), "none")
    _unusable(run("verify", str(tmp_path / "missing.png")), "missing.png")


def test_json_that_is_no_badge_exits_2_not_a_badge(run) -> None:
    _unusable(run("verify", "-", stdin=b'{"a": 1}'), "not a badge")
    _unusable(run("verify", "-", stdin=b'{"type": "Person", "name": "Nathan"}'), "not a badge")
    # A broken badge is still a badge: its faults are findings (exit 1), not "not a badge".
    broken = run("verify", "-", stdin=b'{"type": "Assertion", "recipient": {}}')
    assert broken.exit_code == INVALID, broken.output
    assert json.loads(broken.stdout)["openBadgesVersion"] == "2.0"


def _demo_urls(run) -> dict[str, str]:  # type: ignore[no-untyped-def]
    lines = run("demo").output.splitlines()[1:]
    return dict(line.rsplit(": ", 1) for line in lines)


def test_the_urls_people_share_verify(run) -> None:
    """The ".jwt" link and the badge page URL, as shown on the page and by `chemins demo`."""
    urls = _demo_urls(run)
    credential = urls["Credential (OB 3.0)"]
    page = next(
        url for label, url in urls.items() if "Badge page" in label and "J'explore" in label
    )
    jwt = run("verify", credential + ".jwt")
    assert jwt.exit_code == 0, jwt.output
    assert json.loads(jwt.stdout)["form"] == "vc-jwt"
    shared = run("verify", page)
    assert shared.exit_code == 0, shared.output
    assert json.loads(shared.stdout)["subject"]["id"] == urls["Assertion (OB 2.0)"]


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_baked_and_hosted_list_the_same_endorsements(run, cli_env, tmp_path, suffix) -> None:
    """The award endorsed after it was issued: its baked image shows that endorsement too."""
    urls = _demo_urls(run)
    hosted_url = urls["Assertion (OB 2.0)"]
    baked = tmp_path / f"badge{suffix}"
    assert run("bake", hosted_url.rsplit("/", 1)[-1], "-o", str(baked)).exit_code == 0
    from_image = json.loads(run("verify", str(baked)).stdout)
    from_url = json.loads(run("verify", hosted_url).stdout)
    assert from_image["subject"].pop("bakedIn") == suffix[1:]
    assert len(from_url["subject"]["endorsements"]) == 2
    assert from_image == from_url


def test_bake_signed_keeps_the_jws_and_refuses_a_revoked_hosted_badge(run, cli_env, tmp_path):  # type: ignore[no-untyped-def]
    run("demo")
    assertion_id = _assertion_ids(cli_env)[0]
    signed = tmp_path / "signed.png"
    assert run("bake", assertion_id, "--signed", "-o", str(signed)).exit_code == 0
    assert json.loads(run("verify", str(signed)).stdout)["form"] == "signed"
    assert run("bake", assertion_id, "--signed", "--ob3", "-o", str(signed)).exit_code == 2
    runtime = Runtime.open(load_instance(cli_env))
    with transaction(runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        assertion.revoked_at = assertion.issued_on
        assertion.revocation_reason = "Erreur"
    runtime.engine.dispose()
    refused = run("bake", assertion_id, "-o", str(tmp_path / "revoked.png"))
    assert refused.exit_code == 1 and "revoked" in refused.output


def test_rotation_keeps_old_badges_verifying(run, cli_env, tmp_path) -> None:
    run("demo")
    assertion_id = _assertion_ids(cli_env)[0]
    old_png = tmp_path / "old.png"
    old_jwt = tmp_path / "old-ob3.svg"
    run("bake", assertion_id, "--signed", "-o", str(old_png))
    run("bake", assertion_id, "--ob3", "-o", str(old_jwt))
    rotated = run("keys", "rotate", "--community", "les-tilleuls")
    assert rotated.exit_code == 0 and "retired" in rotated.output
    assert run("verify", str(old_png)).exit_code == 0
    assert run("verify", str(old_jwt)).exit_code == 0
    assert run("keys", "rotate", "--community", "nowhere").exit_code == 1


def test_verify_does_not_fetch_from_a_private_network_unless_allowed(run) -> None:
    """A badge URL on 127.0.0.2 (the admin's own network) is reached only when asked."""
    with internal_listener() as inside:
        refused = run("verify", f"{inside.url}/assertions/1")
        assert inside.heard == []
        allowed = run("verify", "--allow-private", f"{inside.url}/assertions/1")
        assert [(h.method, h.path) for h in inside.heard][:1] == [("GET", "/assertions/1")]
    assert refused.exit_code == INVALID
    assert "private network" in refused.output
    assert allowed.exit_code == INVALID  # reached, but what it serves is no badge
    assert "private network" not in allowed.output


def test_an_endorsement_url_and_its_vc_jwt_verify(run, cli_env) -> None:
    """``chemins verify`` on an EndorsementCredential: signed, so valid (decision 0023)."""
    urls = _demo_urls(run)
    runtime = Runtime.open(load_instance(cli_env))
    try:
        with transaction(runtime.sessions) as session:
            assertion = session.scalars(select(Assertion).order_by(Assertion.issued_on)).first()
            partner = session.scalars(
                select(Profile).where(
                    Profile.kind == "partner",
                    Profile.community_id == assertion.badge_class.community_id,
                )
            ).first()
            endorsement = endorse_assertion(
                session, assertion, partner, "Un accueil remarquable.", runtime=runtime
            )
            endorsement_id = endorsement.id
    finally:
        runtime.engine.dispose()
    origin = urls["JWKS"].removesuffix("/.well-known/jwks.json")
    url = f"{origin}/ob/v3/endorsements/{endorsement_id}"
    for source in (url, url + ".jwt"):
        result = run("verify", source)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["form"] == "vc-jwt"
