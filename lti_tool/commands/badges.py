"""``chemins demo``, ``bake``, ``verify`` and ``keys rotate``: badges from the command line.

``verify`` is for anyone holding a badge (a file, a URL, or standard input): it prints
the JSON report and exits 0 when the badge is valid, 1 when it is not, and 2 when the
input is not a badge at all, with one plain line on stderr and never a traceback.
Documents of this instance are read from its database when there is one, so checking
our own badges needs no network. Others are fetched through the guarded client: a
badge cannot make the command read the admin's own network (a URL on a private
address fails to fetch) unless the admin passes ``--allow-private``.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from sqlalchemy import inspect, select

from badges.demo import seed_demo
from badges.images.badge_images import svg_wrapping
from badges.models import Assertion, Community
from badges.openbadges.baking import bake as bake_image
from badges.openbadges.errors import UnusableInput
from badges.openbadges.loader import HttpLoader, Loader, LoaderError
from badges.openbadges.verify import verify_source
from badges.outbound.allowlist import ANY_HOST, private_hosts
from badges.outbound.client import OutboundClient
from badges.publishing.hosted import OwnDocuments, lookup
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.recognition.communities import find_community
from badges.storage.database import transaction
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime
from lti_tool.cli_runtime import RuntimeHolder, pass_runtime

UNUSABLE = 2
INVALID = 1


@click.command("demo")
@pass_runtime
def demo(holder: RuntimeHolder) -> None:
    """Seed the French demo community (idempotent) and print its public URLs."""
    runtime = holder.create()  # it migrates first: the fresh-machine path of `make run`
    upgrade(runtime.instance.database_url)
    seed = seed_demo(runtime)
    if seed.created:
        click.echo(f"Created: {', '.join(seed.created)}.")
    else:
        click.echo("The demo community already exists; nothing new was created.")
    for label, url in seed.urls:
        click.echo(f"{label}: {url}")


@click.command("bake")
@click.argument("assertion_id")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Baked image to write; .png or .svg decides the format.",
)
@click.option("--ob3", is_flag=True, help="Bake the OB 3.0 VC-JWT instead of the OB 2.0 badge.")
@click.option(
    "--signed",
    is_flag=True,
    help="Bake the OB 2.0 JWS signed at award time instead of the hosted Assertion.",
)
@pass_runtime
def bake(holder: RuntimeHolder, assertion_id: str, output: Path, ob3: bool, signed: bool) -> None:
    """Write the badge image of ASSERTION_ID with its badge baked in.

    OB 2.0 bakes the hosted Assertion, the very bytes its URL serves: a verifier then
    reads the award as it is today, with the endorsements given to it after it was
    issued, exactly as someone checking the hosted URL sees it. ``--signed`` bakes the
    JWS instead, which verifies offline but was signed at award time, so it cannot carry
    endorsements of the award that came later.
    """
    suffix = output.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise click.UsageError("the output file must end in .png or .svg")
    if ob3 and signed:
        raise click.UsageError("--signed is for OB 2.0; the OB 3.0 badge is always signed")
    urls = PublicUrls(holder.runtime.instance.origin)
    with transaction(holder.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        if assertion is None or not assertion.ob2_jws or not assertion.ob3_jwt:
            raise click.ClickException(f"no issued badge with id {assertion_id}")
        badge = assertion.badge_class
        image = badge.image_png if suffix == ".png" else svg_wrapping(badge.image_png, badge.name)
        if ob3:
            inside = assertion.ob3_jwt
        elif signed:
            inside = assertion.ob2_jws
        else:
            hosted_assertion = lookup(session, urls, "ob2_assertion", assertion.id)
            if hosted_assertion is None or hosted_assertion.status != 200:
                raise click.ClickException(f"the badge {assertion_id} is revoked")
            inside = hosted_assertion.body.decode("utf-8")
        baked = bake_image(image, inside, version="3.0" if ob3 else "2.0")
    output.write_bytes(baked)
    click.echo(f"Baked {'OB 3.0' if ob3 else 'OB 2.0'} badge written to {output}")


def _instance_database_exists() -> bool:
    """True when this directory (or ``CHEMINS_*``) names an instance with a database.

    ``chemins verify`` may run anywhere; it must not create an instance folder as a side
    effect of checking someone's badge.
    """
    if os.environ.get("CHEMINS_DATABASE_URL"):
        return True
    directory = Path(os.environ.get("CHEMINS_INSTANCE_DIR") or Path.cwd() / "instance")
    return (directory / "chemins.db").exists()


def _loader(stack: ExitStack, allow_private: bool = False) -> Loader:
    """Our own documents from the database when there is one; the network otherwise.

    The network is reached through the guarded client, with the instance's allowlist,
    or with every private host allowed when the admin said so.
    """
    network = HttpLoader(OutboundClient(ANY_HOST if allow_private else private_hosts()))
    if not _instance_database_exists():
        return network
    try:
        runtime = Runtime.open()
        if "assertion" not in inspect(runtime.engine).get_table_names():
            return network
    except Exception:  # an unreadable instance must not stop a verification
        return network
    stack.callback(runtime.engine.dispose)
    session = stack.enter_context(runtime.sessions())
    return OwnDocuments(
        session, PublicUrls(runtime.instance.origin), fallback=network, sealer=runtime.sealer
    )


@click.command("verify")
@click.argument("source")
@click.option("--recipient", help="E-mail (or identifier) the badge should name.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also fetch from private addresses (a badge server on your own network).",
)
def verify(source: str, recipient: str | None, allow_private: bool) -> None:
    """Verify an OB 2.0 / OB 3.0 badge: FILE (PNG, SVG, JSON, JWS, VC-JWT), URL, or - (stdin).

    Prints the JSON report. Exit status: 0 valid, 1 invalid, 2 not a usable badge.
    """
    try:
        with ExitStack() as stack:
            loader = _loader(stack, allow_private)
            report = verify_source(source, loader, recipient=recipient)
    except (UnusableInput, LoaderError) as exc:
        _unusable(str(exc))
    except FileNotFoundError:
        _unusable(f"no such file: {source}")
    except IsADirectoryError:
        _unusable(f"{source} is a directory, not a badge")
    except OSError as exc:
        _unusable(f"cannot read {source}: {exc.strerror or exc.__class__.__name__}")
    click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    sys.exit(0 if report.valid else INVALID)


def _unusable(message: str) -> Any:
    click.echo(f"chemins verify: {message}", err=True)
    sys.exit(UNUSABLE)


@click.group("keys")
def keys_group() -> None:
    """Badge-signing keys."""


@keys_group.command("rotate")
@click.option("--community", "slug", help="Community slug (default: every community).")
@pass_runtime
def rotate(holder: RuntimeHolder, slug: str | None) -> None:
    """Retire the active signing key and create a new one; old badges keep verifying."""
    runtime = holder.runtime
    with transaction(runtime.sessions) as session:
        if slug:
            community = find_community(session, slug)
            if community is None:
                raise click.ClickException(f"no community with slug {slug}")
            chosen = [community]
        else:
            chosen = list(session.scalars(select(Community).order_by(Community.slug)))
        if not chosen:
            raise click.ClickException("there is no community yet (try `chemins demo`)")
        for community in chosen:
            previous = signing_keys.active_badge_key(session, community)
            key = signing_keys.rotate(session, runtime.sealer, community)
            retired = f" (retired {previous.kid})" if previous else ""
            click.echo(f"{community.slug}: new signing key {key.kid}{retired}")


COMMANDS = [demo, bake, verify, keys_group]
