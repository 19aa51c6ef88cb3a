"""``python -m demo_lms``: the demo LMS next to the tool, registered with it, for ``make run``.

What a platform admin and a tool admin would do by hand, done at start-up and safe to
repeat: the tool gets the demo LMS as a platform (issuer, ``client_id`` ``chemins-demo``,
deployment ``1``, attached to the demo community that ``chemins demo`` seeds), the LMS
gets the tool (Moodle style), then both are served: the tool by ``chemins serve``
(gunicorn) in a child process, the LMS in this process. Ctrl-C stops both.

The LMS is served on ``localhost`` and the tool on ``127.0.0.1``: two sites, so the
tool's iframe in the course page is cross-site, as it is between a real Moodle and a
real tool, and the launch has to work without third-party cookies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import click
import requests
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.serving import make_server

from badges.demo import COMMUNITY
from badges.demo_course import CoursePerson, seed_course_story
from badges.platforms.registering import PlatformFields, register_platform
from badges.storage.database import transaction
from badges.storage.instance import NoInstance
from badges.storage.runtime import Runtime
from demo_lms.course import (
    CLIENT_ID,
    COURSE_ID,
    COURSE_TITLE,
    DEPLOYMENT_ID,
    PERSONAS,
    create_course_app,
)

DEFAULT_TOOL_URL = "http://127.0.0.1:5000"
START_TIMEOUT = 30.0


def lms_urls(lms_origin: str) -> dict[str, str]:
    """The demo LMS endpoints a tool registration needs."""
    return {
        "auth_login_url": f"{lms_origin}/lti/auth",
        "auth_token_url": f"{lms_origin}/services/token",
        "jwks_url": f"{lms_origin}/lti/certs",
    }


def register_with_tool(lms_origin: str, runtime: Runtime | None = None) -> str:
    """Register the demo LMS in the tool's database (idempotent); return the community.

    The tool's instance is ``runtime``, by default the one ``CHEMINS_*`` describes, as for
    every ``chemins`` command; its schema must exist (``chemins db upgrade``), and the
    demo community (``chemins demo``) is used when it exists, created by name otherwise.
    """
    owned = runtime is None
    runtime = runtime or Runtime.open()
    fields = PlatformFields(
        issuer=lms_origin,
        client_id=CLIENT_ID,
        deployment_ids=(DEPLOYMENT_ID,),
        community=COMMUNITY,
        **lms_urls(lms_origin),
    )
    try:
        with transaction(runtime.sessions) as session:
            registration = register_platform(session, fields, runtime.instance.origin)
            community = registration.deployments[0].community.name
    except (OperationalError, ProgrammingError) as exc:
        raise click.ClickException(
            "the tool's database is not ready: run `chemins db upgrade` and `chemins demo` "
            "first (or `make run`, which does)"
        ) from exc
    finally:
        if owned:
            runtime.engine.dispose()
    return community


def tell_course_story(lms_origin: str, runtime: Runtime | None = None) -> list[str]:
    """Seed the demo course's requests and awards for the personas (once); what was made.

    Only where ``chemins demo`` seeded the community the course is attached to: a tool
    registered with another community gets no story.
    """
    owned = runtime is None
    runtime = runtime or Runtime.open()
    try:
        return seed_course_story(
            runtime,
            issuer=lms_origin,
            deployment_id=DEPLOYMENT_ID,
            course_id=COURSE_ID,
            course_title=COURSE_TITLE,
            people=[
                CoursePerson(p.user_id, p.name, p.email, "trainer" if p.is_trainer else "learner")
                for p in PERSONAS
            ],
        )
    finally:
        if owned:
            runtime.engine.dispose()


def start_tool(tool_url: str, workers: int) -> subprocess.Popen[bytes]:
    """``chemins serve`` for ``tool_url`` in a child process (its own public base URL)."""
    parts = urlsplit(tool_url)
    env = {**os.environ, "CHEMINS_BASE_URL": tool_url}
    command = [
        sys.executable,
        "-c",
        "from lti_tool.cli import main; main()",
        "serve",
        "--host",
        parts.hostname or "127.0.0.1",
        "--port",
        str(parts.port or 80),
        "--workers",
        str(workers),
    ]
    return subprocess.Popen(command, env=env)


def wait_until_up(url: str, child: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Poll ``url`` until it answers; fail early if the child process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            raise click.ClickException(f"the tool stopped at start-up (exit {child.returncode})")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise click.ClickException(f"{url} did not answer within {timeout:.0f} s")


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C, or SIGTERM from ``kill`` or a supervisor: stop both servers."""
    raise KeyboardInterrupt


def stop(child: subprocess.Popen[bytes]) -> None:
    """Stop the tool: SIGTERM (gunicorn's graceful stop), then SIGKILL after 10 s."""
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(timeout=5)


@click.command()
@click.option("--host", default="localhost", show_default=True, help="The LMS's host name.")
@click.option("--port", default=5001, show_default=True, type=int, help="The LMS's port.")
@click.option(
    "--tool-url",
    default=lambda: os.environ.get("CHEMINS_BASE_URL", DEFAULT_TOOL_URL),
    show_default="CHEMINS_BASE_URL or " + DEFAULT_TOOL_URL,
    help="Where the tool is (another site than the LMS: 127.0.0.1 against localhost).",
)
@click.option("--serve-tool/--no-serve-tool", default=True, help="Also run `chemins serve`.")
@click.option("--workers", default=2, show_default=True, type=int, help="Tool workers.")
def main(host: str, port: int, tool_url: str, serve_tool: bool, workers: int) -> None:
    """Serve the demo LMS (and the tool), registered with each other."""
    tool_url = tool_url.rstrip("/")
    lms_origin = f"http://{host}:{port}"
    if urlsplit(tool_url).hostname == host:
        click.echo(
            f"Warning: the LMS and the tool share the host {host}; the iframe is then "
            "same-site and does not show how a real LMS embeds the tool.",
            err=True,
        )
    try:
        community = register_with_tool(lms_origin)
    except NoInstance as exc:
        # What `chemins` itself says: run `make run`, or `chemins db upgrade` first.
        raise click.ClickException(str(exc)) from exc
    click.echo(f"The demo LMS {lms_origin} is registered with Chemins ({community}).")
    for line in tell_course_story(lms_origin):
        click.echo(f"Demo course: {line}")
    app = create_course_app(lms_origin, tool_url)
    # ``localhost``: listen on 127.0.0.1 only (browsers fall back to it from ::1).
    server = make_server("127.0.0.1" if host == "localhost" else host, port, app, threaded=True)
    # Also SIGINT: a shell that starts us in the background makes Python ignore it.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    child = start_tool(tool_url, workers) if serve_tool else None
    try:
        wait_until_up(f"{tool_url}/lti/config", child, START_TIMEOUT)
        click.echo(f"Chemins (the tool) is running at {tool_url}/")
        click.echo(f"Open {lms_origin}/ to launch Chemins as a trainer or a learner.")
        click.echo("Press Ctrl-C to stop both.")
        server.serve_forever()  # returns on Ctrl-C (werkzeug catches KeyboardInterrupt)
    except KeyboardInterrupt:
        pass  # Ctrl-C while the tool was still starting
    finally:
        click.echo("Stopping the demo LMS and Chemins.")
        server.server_close()
        if child is not None:
            stop(child)
