"""LTI launches over real HTTP: the tool and the demo LMS as live servers, and a browser.

``lti_world`` serves the tool (``create_app``) and the demo platform on 127.0.0.1, each
registered with the other (a Moodle-style and an Open edX-style client under one
issuer). :class:`Browser` plays the person's browser with ``requests``: it performs the
login initiation, follows the redirect to the platform, reads the auto-submitted form
and POSTs it to the tool, optionally after a test changed it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from badges.models import (
    Context,
    LaunchSession,
    LaunchState,
    Membership,
    Person,
    ResourceLink,
)
from badges.platforms.registering import PlatformFields, register_platform
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from demo_lms.app import create_demo_app, platform_of
from demo_lms.platform import MOODLE, OPENEDX, DemoPlatform, LaunchSpec, ToolLink
from lti_tool.app import create_app
from tests.conftest import LOCAL_HOSTS, make_instance, migrated_sqlite
from tests.live_server import LiveServer, free_port

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = LIS + "membership#Instructor"
LEARNER = LIS + "membership#Learner"
C = "https://purl.imsglobal.org/spec/lti/claim/"
MOODLE_DEPLOYMENTS = ("2", "42")
COUNTED = {
    "person": Person,
    "context": Context,
    "membership": Membership,
    "resource_link": ResourceLink,
    "launch_session": LaunchSession,
}


class FormParser(HTMLParser):
    """The first form of a page: its action and its inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done:
            self._in_form = True
            self.action = values.get("action", "")
            self.method = values.get("method", "get").lower()
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def parse_form(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def reason_code(response: requests.Response) -> str | None:
    found = re.search(r'data-reason="([A-Z0-9]+)"', response.text)
    return found.group(1) if found else None


@dataclass
class Outcome:
    """Where a launch ended: the tool's answer to the id_token POST, then the page."""

    launch: requests.Response
    page: requests.Response | None = None
    form: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.launch.status_code >= 400

    @property
    def handle(self) -> str | None:
        if self.launch.status_code != 303:
            return None
        query = parse_qs(urlsplit(self.launch.headers["Location"]).query)
        return query.get("lh", [None])[0]


class Browser:
    """A person's browser: one cookie jar, forms submitted as the pages ask."""

    def __init__(self) -> None:
        self.http = requests.Session()

    def login(self, demo: DemoPlatform, client_id: str, spec: LaunchSpec) -> requests.Response:
        """Steps 1-2: login initiation at the tool; returns the tool's answer."""
        start = demo.start(client_id, spec)
        if start.method == "GET":
            return self.http.get(start.url, allow_redirects=False, timeout=10)
        return self.http.post(start.url, data=start.params, allow_redirects=False, timeout=10)

    def authorize(self, tool_answer: requests.Response) -> dict[str, str]:
        """Step 2b: follow the tool's redirect to the platform; the form it auto-submits."""
        assert tool_answer.status_code == 302, tool_answer.text[:500]
        page = self.http.get(tool_answer.headers["Location"], allow_redirects=False, timeout=10)
        assert page.status_code == 200, page.text[:500]
        form = parse_form(page.text)
        assert form.action, page.text[:500]
        return {"__action__": form.action, **form.fields}

    def post_launch(
        self, form: dict[str, str], via: requests.Session | None = None
    ) -> requests.Response:
        fields = {k: v for k, v in form.items() if k != "__action__"}
        return (via or self.http).post(
            form["__action__"], data=fields, allow_redirects=False, timeout=10
        )

    def launch(
        self,
        demo: DemoPlatform,
        client_id: str,
        spec: LaunchSpec,
        change_form: Callable[[dict[str, str]], None] | None = None,
        via: requests.Session | None = None,
    ) -> Outcome:
        """A whole launch; ``change_form`` edits the id_token form before it is posted."""
        form = self.authorize(self.login(demo, client_id, spec))
        if change_form is not None:
            change_form(form)
        answer = self.post_launch(form, via)
        outcome = Outcome(answer, form=form)
        if answer.status_code == 303:
            outcome.page = self.http.get(
                urljoin(answer.url, answer.headers["Location"]), timeout=10
            )
        return outcome


@dataclass
class LtiWorld:
    runtime: Runtime
    tool_app: Flask
    tool_url: str
    demo_app: Flask
    demo_url: str
    moodle: ToolLink
    openedx: ToolLink
    servers: list[LiveServer]

    @property
    def demo(self) -> DemoPlatform:
        return platform_of(self.demo_app)

    def counts(self) -> dict[str, int]:
        with transaction(self.runtime.sessions) as session:
            return {
                name: session.scalar(select(func.count()).select_from(model)) or 0
                for name, model in COUNTED.items()
            }

    def states(self) -> int:
        with transaction(self.runtime.sessions) as session:
            return session.scalar(select(func.count()).select_from(LaunchState)) or 0

    def spec(self, **values: Any) -> LaunchSpec:
        """A plain learner launch in a course, with ``values`` changed."""
        base: dict[str, Any] = {
            "user_id": "learner-1",
            "roles": [LEARNER],
            "name": "Nathan Martin",
            "email": "nathan@example.org",
            "context": {"id": "course-1", "title": "Compétences du quotidien", "label": "CDQ"},
            "resource_link": {"id": "link-1", "title": "Mes badges"},
        }
        base.update(values)
        return LaunchSpec(**base)


def register(world_runtime: Runtime, demo_url: str, client_id: str, deployments: tuple[str, ...]):
    with transaction(world_runtime.sessions) as session:
        register_platform(
            session,
            PlatformFields(
                issuer=demo_url,
                client_id=client_id,
                deployment_ids=deployments,
                auth_login_url=f"{demo_url}/lti/auth",
                auth_token_url=f"{demo_url}/services/token",
                jwks_url=f"{demo_url}/lti/certs",
                community="Centre social des Tilleuls",
            ),
            world_runtime.instance.origin,
        )


@pytest.fixture
def lti_world(runtime: Runtime) -> Iterator[LtiWorld]:
    """The tool and the demo LMS served over HTTP, registered with each other."""
    yield from _world(runtime)


@pytest.fixture
def sqlite_lti_world(sqlite_runtime: Runtime) -> Iterator[LtiWorld]:
    """:func:`lti_world` on SQLite only, for the many refusal cases that write nothing."""
    yield from _world(sqlite_runtime)


@pytest.fixture(scope="module")
def shared_lti_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LtiWorld]:
    """One SQLite world for a whole module of cases that must not write anything."""
    directory = tmp_path_factory.mktemp("lti-world")
    base = Runtime.open(make_instance(directory, migrated_sqlite(directory)))
    try:
        yield from _world(base)
    finally:
        base.engine.dispose()


def _world(base_runtime: Runtime) -> Iterator[LtiWorld]:
    tool_port, demo_port = free_port(), free_port()
    tool_url, demo_url = f"http://127.0.0.1:{tool_port}", f"http://127.0.0.1:{demo_port}"
    runtime = Runtime.open(dataclasses.replace(base_runtime.instance, base_url=tool_url))
    tool_app = create_app({"TESTING": True, "LTI_PRIVATE_PLATFORMS": LOCAL_HOSTS}, runtime=runtime)
    demo_app = create_demo_app(demo_url)
    demo = platform_of(demo_app)
    moodle = demo.add_tool(tool_origin=tool_url, style=MOODLE, deployment_id="2")
    openedx = demo.add_tool(tool_origin=tool_url, style=OPENEDX)
    register(runtime, demo_url, moodle.client_id, MOODLE_DEPLOYMENTS)
    register(runtime, demo_url, openedx.client_id, ("1",))
    servers: list[LiveServer] = []
    try:
        servers.append(LiveServer(tool_app, port=tool_port).start())
        servers.append(LiveServer(demo_app, port=demo_port).start())
        yield LtiWorld(runtime, tool_app, tool_url, demo_app, demo_url, moodle, openedx, servers)
    finally:
        for server in servers:
            server.stop()
        runtime.engine.dispose()
