"""``chemins platform add|list|remove|communities|registration-link|admin-link|…``.

``add``, ``list`` and ``remove`` are manual LTI 1.3 registration, the same fields as
the admin page. ``add`` is idempotent: running it again with a new ``--deployment-id``
adds that deployment, with new URLs updates them. Several client ids per issuer are
normal (Open edX creates one per component).

``registration-link`` prints what is handed to a platform's administrator: a
single-use, expiring link for Dynamic Registration, into one community (chosen by the
id ``communities`` shows) or into a new one. ``admin-link`` prints the instance admin's
own short-lived way into the admin pages, never to be handed to anyone;
``admin-link --revoke-all`` ends every admin session. ``teaching-assistants`` records a
community's choice about course members who are both learners and teaching assistants
(decision 0018).
"""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from badges.models import Community
from badges.platforms.access_links import (
    MAX_REGISTRATION_LIFETIME,
    REGISTRATION_LIFETIME,
    AccessLinkError,
    create_admin_link,
    create_registration_link,
    withdraw_admin_links,
)
from badges.platforms.registering import (
    PlatformError,
    PlatformFields,
    list_registrations,
    register_platform,
    remove_registration,
)
from badges.storage.database import transaction
from lti_tool.admin_access import admin_link_url
from lti_tool.blueprints.lti.registration import registration_link_url
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
@click.option(
    "--service-origin",
    "service_origins",
    multiple=True,
    help="Another origin (https://host) where the platform's roster and grade services "
    "live, when not on its own addresses (Canvas). Repeatable; replaces the known list.",
)
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
    service_origins: tuple[str, ...],
) -> None:
    """Register a platform's client ID and its deployments."""
    runtime = holder.runtime
    fields = PlatformFields(
        issuer,
        client_id,
        deployment_ids,
        auth_login_url,
        auth_token_url,
        jwks_url,
        community,
        service_origins=service_origins,
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


@platform_group.command("communities")
@pass_runtime
def communities(holder: RuntimeHolder) -> None:
    """Show every community: id, then name (tab-separated)."""
    with transaction(holder.runtime.sessions) as session:
        rows = session.execute(select(Community.id, Community.name).order_by(Community.name))
        found = False
        for row in rows:
            found = True
            click.echo(f"{row.id}\t{row.name}")
    if not found:
        click.echo("No community exists yet.")


@platform_group.command("teaching-assistants")
@click.argument("community_id")
@click.option(
    "--award/--no-award",
    required=True,
    help="Whether course members who are learners and teaching assistants (Open edX's "
    "Community TAs) may award badges in this community.",
)
@pass_runtime
def teaching_assistants(holder: RuntimeHolder, community_id: str, award: bool) -> None:
    """Let a community's teaching assistants who are also learners award badges, or not."""
    with transaction(holder.runtime.sessions) as session:
        community = session.get(Community, community_id)
        if community is None:
            raise click.ClickException(f"no community with id {community_id}")
        community.teaching_assistants_award = award
        name = community.name
    verb = "may now" if award else "may no longer"
    click.echo(
        f"In {name!r}, teaching assistants who are also learners {verb} award badges "
        "(from their next launch)."
    )


@platform_group.command("registration-link")
@click.option(
    "--community",
    "community_id",
    default=None,
    help="The id of the community the platform joins (see `platform communities`). "
    "Without it, the registration makes a new community.",
)
@click.option(
    "--days",
    type=click.IntRange(1, MAX_REGISTRATION_LIFETIME.days),
    default=REGISTRATION_LIFETIME.days,
    show_default=True,
    help="How long the link stays usable.",
)
@pass_runtime
def registration_link(holder: RuntimeHolder, community_id: str | None, days: int) -> None:
    """Print a single-use Dynamic Registration link for one platform's administrator."""
    runtime = holder.runtime
    try:
        with transaction(runtime.sessions) as session:
            link = create_registration_link(
                session, community_id=community_id, lifetime=timedelta(days=days)
            )
            community = session.get(Community, community_id) if community_id else None
            joins = f"joins {community.name!r}" if community else "makes a new community"
    except AccessLinkError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(registration_link_url(runtime.instance.origin, link.secret))
    click.echo(
        f"Single use; {joins}; valid until {link.expires_at:%Y-%m-%d %H:%M} UTC. Give it to "
        "the platform's administrator, to paste as the tool URL (Moodle: Add LTI Advantage).",
        err=True,
    )


@platform_group.command("admin-link")
@click.option(
    "--revoke-all",
    is_flag=True,
    help="End every admin session and withdraw every admin link not opened yet.",
)
@pass_runtime
def admin_link(holder: RuntimeHolder, revoke_all: bool) -> None:
    """Print your own link to the admin pages: open it within 15 minutes, never share it."""
    runtime = holder.runtime
    if revoke_all:
        with transaction(runtime.sessions) as session:
            count = withdraw_admin_links(session)
        click.echo(f"Withdrew {count} admin link(s); every admin session has ended.")
        return
    with transaction(runtime.sessions) as session:
        link = create_admin_link(session)
    click.echo(admin_link_url(runtime.instance.origin, link.secret))
    click.echo(
        f"Open it within 15 minutes (until {link.expires_at:%H:%M} UTC), once; it gives "
        "this browser the admin pages for one hour. Never hand it to anyone: for a "
        "platform, use `chemins platform registration-link`.",
        err=True,
    )


@platform_group.command("trust-email")
@click.argument("issuer")
@click.option("--off", is_flag=True, help="Stop trusting this platform's e-mail addresses.")
@pass_runtime
def trust_email(holder: RuntimeHolder, issuer: str, off: bool) -> None:
    """Let ISSUER's e-mail addresses match people of other trusted platforms.

    Only for platforms that check their users' addresses: a person is then recognised
    by e-mail across every platform marked so (see docs/registering-platforms.md).
    """
    from badges.platforms.email_trust import UnknownPlatform, set_email_trust

    try:
        with transaction(holder.runtime.sessions) as session:
            set_email_trust(session, issuer, trusted=not off)
    except UnknownPlatform as exc:
        raise click.ClickException(str(exc)) from exc
    state = "no longer trusted" if off else "trusted"
    click.echo(f"E-mail addresses from {issuer} are {state} across platforms.")


COMMANDS = [platform_group]
