"""``chemins platform add|list|remove|admin-link``: manual LTI 1.3 registration.

The same fields as the admin page. ``add`` is idempotent: running it again with a new
``--deployment-id`` adds that deployment, with new URLs updates them. Several client ids
per issuer are normal (Open edX creates one per component).
"""

from __future__ import annotations

import click

from badges.platforms import (
    PlatformError,
    PlatformFields,
    list_registrations,
    register_platform,
    remove_registration,
)
from badges.storage import transaction
from lti_tool.admin_access import ADMIN_PARAM, issue_admin_token
from lti_tool.cli_runtime import RuntimeHolder, pass_runtime


@click.group("platform")
def platform_group() -> None:
    """LTI platforms (Moodle sites, Open edX instances) allowed to launch Chemins."""


@platform_group.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (iss), exactly.")
@click.option("--client-id", required=True, help="The client ID the platform gave the tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeatable.")
@click.option("--auth-login-url", required=True, help="OIDC authentication request URL.")
@click.option("--auth-token-url", required=True, help="OAuth 2 access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--community", default=None, help="Community the deployments belong to.")
@pass_runtime
def add(
    holder: RuntimeHolder,
    issuer: str,
    client_id: str,
    deployment_ids: tuple[str, ...],
    auth_login_url: str,
    auth_token_url: str,
    jwks_url: str,
    community: str | None,
) -> None:
    """Register a platform's client ID and its deployments."""
    runtime = holder.runtime
    fields = PlatformFields(
        issuer, client_id, deployment_ids, auth_login_url, auth_token_url, jwks_url, community
    )
    try:
        with transaction(runtime.sessions) as session:
            registration = register_platform(session, fields, runtime.instance.origin)
            deployments = [d.deployment_id for d in registration.deployments]
    except PlatformError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Registered {client_id} for {issuer} (deployments: {', '.join(deployments)}).")


@platform_group.command("list")
@pass_runtime
def list_(holder: RuntimeHolder) -> None:
    """Show every registration, one per line (tab-separated)."""
    with transaction(holder.runtime.sessions) as session:
        rows = list_registrations(session)
        if not rows:
            click.echo("No platform is registered.")
        for row in rows:
            deployments = ",".join(d.deployment_id for d in row.deployments)
            click.echo(
                "\t".join(
                    (
                        row.platform.issuer,
                        row.client_id,
                        deployments,
                        row.auth_login_url,
                        row.auth_token_url,
                        row.jwks_url,
                    )
                )
            )


@platform_group.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    help="Remove only these deployments (default: the whole registration).",
)
@pass_runtime
def remove(
    holder: RuntimeHolder, issuer: str, client_id: str, deployment_ids: tuple[str, ...]
) -> None:
    """Remove a registration, or some of its deployments."""
    try:
        with transaction(holder.runtime.sessions) as session:
            count = remove_registration(session, issuer, client_id, deployment_ids)
    except PlatformError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Removed {count} deployment(s) of {client_id} for {issuer}.")


@platform_group.command("admin-link")
@pass_runtime
def admin_link(holder: RuntimeHolder) -> None:
    """Print a link to the platform admin page, valid for one hour."""
    instance = holder.runtime.instance
    token = issue_admin_token(instance.secret_key)
    click.echo(f"{instance.origin}/admin/platforms/?{ADMIN_PARAM}={token}")


COMMANDS = [platform_group]
