"""``chemins platform …`` as an administrator runs them: registrations, links."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from badges.models import AccessLink, Community, Deployment, Registration
from badges.models.access_link import ADMIN, REGISTRATION
from badges.platforms.access_links import secret_hash
from badges.storage.database import transaction
from badges.storage.instance import load_instance
from badges.storage.runtime import Runtime
from lti_tool.cli import main

MOODLE = "https://moodle.example.org"
EDX = "https://lms.openedx.example.org"


@pytest.fixture
def run(cli_env: dict[str, str]):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=cli_env)

    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def _add(run, issuer: str, client_id: str, *deployments: str, community: str | None = None):  # type: ignore[no-untyped-def]
    args = ["platform", "add", "--issuer", issuer, "--client-id", client_id]
    for deployment in deployments:
        args += ["--deployment-id", deployment]
    args += [
        "--auth-login-url",
        f"{issuer}/auth",
        "--auth-token-url",
        f"{issuer}/token",
        "--jwks-url",
        f"{issuer}/jwks",
    ]
    if community:
        args += ["--community", community]
    return run(*args)


def test_add_list_remove(run, cli_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert _add(run, MOODLE, "abc", "1", "42", community="Mission Locale").exit_code == 0
    uuid1, uuid2 = "0b5e9a7e-1111-4d1e-9c1c-000000000001", "0b5e9a7e-1111-4d1e-9c1c-000000000002"
    assert _add(run, EDX, uuid1, "1").exit_code == 0
    assert _add(run, EDX, uuid2, "1").exit_code == 0
    again = _add(run, MOODLE, "abc", "43")
    assert again.exit_code == 0 and "1, 42, 43" in again.output
    listed = run("platform", "list").output.splitlines()
    assert len(listed) == 3
    assert listed[0].split("\t")[:3] == [EDX, uuid1, "1"]
    assert listed[2].split("\t")[:3] == [MOODLE, "abc", "1,42,43"]
    runtime = Runtime.open(load_instance(cli_env))
    with transaction(runtime.sessions) as session:
        deployments = session.scalars(select(Deployment)).all()
        communities = {d.community_id for d in deployments if d.registration.client_id == "abc"}
        assert [session.get(Community, c).name for c in communities] == ["Mission Locale"]
    runtime.engine.dispose()
    removed = run("platform", "remove", "--issuer", EDX, "--client-id", uuid1)
    assert removed.exit_code == 0
    partly = run(
        "platform", "remove", "--issuer", MOODLE, "--client-id", "abc", "--deployment-id", "43"
    )
    assert partly.exit_code == 0 and "Removed 1" in partly.output
    assert len(run("platform", "list").output.splitlines()) == 2
    unknown = run("platform", "remove", "--issuer", EDX, "--client-id", "nobody")
    assert unknown.exit_code != 0 and "no registration" in unknown.output


def test_bad_values_are_refused(run) -> None:  # type: ignore[no-untyped-def]
    result = _add(run, "not-a-url", "abc", "1")
    assert result.exit_code != 0 and "issuer" in result.output
    assert run("platform", "list").output.strip() == "No platform is registered."


def _links(cli_env: dict[str, str]) -> list[AccessLink]:
    runtime = Runtime.open(load_instance(cli_env))
    try:
        with transaction(runtime.sessions) as session:
            return list(session.scalars(select(AccessLink).order_by(AccessLink.created_at)))
    finally:
        runtime.engine.dispose()


def test_admin_link_is_short_single_use_and_revocable(run, cli_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    result = run("platform", "admin-link")
    assert result.exit_code == 0
    url = result.stdout.strip()
    assert url.startswith("https://chemins.test/admin/platforms/open?at=")
    assert "Never hand it to anyone" in result.stderr
    secret = parse_qs(urlsplit(url).query)["at"][0]
    (link,) = _links(cli_env)
    assert link.purpose == ADMIN and link.secret_hash == secret_hash(secret)
    assert link.expires_at - link.created_at <= timedelta(minutes=15)
    assert secret not in link.secret_hash

    assert run("platform", "admin-link").exit_code == 0
    revoked = run("platform", "admin-link", "--revoke-all")
    assert revoked.exit_code == 0 and "Withdrew 2" in revoked.output
    assert all(link.revoked_at is not None for link in _links(cli_env))
    assert "Withdrew 0" in run("platform", "admin-link", "--revoke-all").output


def test_registration_link_into_a_community_or_a_new_one(run, cli_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert _add(run, MOODLE, "abc", "1", community="Mission Locale").exit_code == 0
    listed = run("platform", "communities")
    assert listed.exit_code == 0
    (line,) = listed.stdout.splitlines()
    community_id, name = line.split("\t")
    assert name == "Mission Locale"

    bound = run("platform", "registration-link", "--community", community_id, "--days", "3")
    assert bound.exit_code == 0, bound.output
    assert bound.stdout.startswith("https://chemins.test/lti/register?rl=")
    assert "joins 'Mission Locale'" in bound.stderr
    new = run("platform", "registration-link")
    assert new.exit_code == 0 and "makes a new community" in new.stderr
    first, second = _links(cli_env)
    assert first.purpose == second.purpose == REGISTRATION
    assert (first.community_id, second.community_id) == (community_id, None)
    assert first.expires_at - first.created_at == timedelta(days=3)
    assert second.expires_at - second.created_at == timedelta(days=7)
    secret = parse_qs(urlsplit(bound.stdout.strip()).query)["rl"][0]
    assert first.secret_hash == secret_hash(secret)

    # A name is never a key, and a link does not last for ever.
    by_name = run("platform", "registration-link", "--community", "Mission Locale")
    assert by_name.exit_code != 0 and "no community has the id" in by_name.output
    too_long = run("platform", "registration-link", "--days", "31")
    assert too_long.exit_code != 0
    assert len(_links(cli_env)) == 2


def test_teaching_assistants_choice_per_community(run, cli_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert _add(run, MOODLE, "abc", "1", community="Mission Locale").exit_code == 0
    community_id = run("platform", "communities").stdout.split("\t")[0]

    allowed = run("platform", "teaching-assistants", community_id, "--award")
    unknown = run("platform", "teaching-assistants", "Mission Locale", "--award")
    no_choice = run("platform", "teaching-assistants", community_id)

    assert allowed.exit_code == 0 and "may now award" in allowed.output
    assert unknown.exit_code != 0 and "no community with id" in unknown.output
    assert no_choice.exit_code != 0
    runtime = Runtime.open(load_instance(cli_env))
    try:
        with transaction(runtime.sessions) as session:
            assert session.get(Community, community_id).teaching_assistants_award is True
    finally:
        runtime.engine.dispose()
    denied = run("platform", "teaching-assistants", community_id, "--no-award")
    assert denied.exit_code == 0 and "may no longer award" in denied.output


def test_communities_when_there_is_none(run) -> None:  # type: ignore[no-untyped-def]
    assert run("platform", "communities").output.strip() == "No community exists yet."


def test_service_origins_for_platforms_whose_services_live_elsewhere(run, cli_env) -> None:  # type: ignore[no-untyped-def]
    args = ("--service-origin", "https://school.instructure.example")
    assert _add(run, MOODLE, "abc", "1").exit_code == 0
    added = run(*_add_args(MOODLE, "abc", "2"), *args)
    assert added.exit_code == 0, added.output
    wrong = run(*_add_args(MOODLE, "abc", "3"), "--service-origin", "https://x.example/api")
    assert wrong.exit_code != 0 and "scheme://host[:port]" in wrong.output
    runtime = Runtime.open(load_instance(cli_env))
    with transaction(runtime.sessions) as session:
        (registration,) = session.scalars(select(Registration)).all()
        assert registration.service_origins == ["https://school.instructure.example"]
    runtime.engine.dispose()


def _add_args(issuer: str, client_id: str, deployment: str) -> tuple[str, ...]:
    return (
        "platform",
        "add",
        "--issuer",
        issuer,
        "--client-id",
        client_id,
        "--deployment-id",
        deployment,
        "--auth-login-url",
        f"{issuer}/auth",
        "--auth-token-url",
        f"{issuer}/token",
        "--jwks-url",
        f"{issuer}/jwks",
    )
