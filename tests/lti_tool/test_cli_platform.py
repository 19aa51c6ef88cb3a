"""``chemins platform add|list|remove|admin-link`` as an administrator runs them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from badges.instance import load_instance
from badges.models import Community, Deployment
from badges.runtime import Runtime
from badges.storage import transaction
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


def test_admin_link(run) -> None:  # type: ignore[no-untyped-def]
    result = run("platform", "admin-link")
    assert result.exit_code == 0
    assert result.output.startswith("https://chemins.test/admin/platforms/?at=")
