"""Tool CPU per LTI round trip, in one process: Chemins vs pylti1p3, request by request.

``bench/lti_launch.py`` measures what the issue asks (round trips per second through
gunicorn), but on a shared 2-core machine its ratio moves by ±5 % between neighbouring
slices, and the tool is only about a third of the CPU a round trip costs there (the
browser side and the platform share the rest). This script measures the tools alone:
both Flask apps are driven through their WSGI interface in this process, one round trip
after the other, alternating tools, and each request's CPU time is read from the
thread's clock (``time.thread_time``, so waiting is not counted). Differences of a few
percent show here, with the same id_tokens, the same JWKS served over HTTP, the same
login → launch → launched page sequence as the gunicorn benchmark, and the same
database writes (Chemins on a SQLite file).

Two scenarios: new learners (person and membership created) and a class of 20
returning. Printed: median CPU of each request and of the round trip, per tool, and the
ratio Chemins / pylti1p3 (lower is better for Chemins). Never asserts.

    .venv/bin/python bench/lti_launch_cpu.py [ROUND_TRIPS]    # 1,000 per tool and scenario
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from badges.openbadges.keys import int_to_b64url  # noqa: E402
from bench.lti_launch import CHEMINS_CLIENT, CLASS_SIZE, DEPLOYMENT, PYLTI_CLIENT  # noqa: E402

TOOL = "http://127.0.0.1:5999"
KID = "bench-key"
C = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
REQUESTS = ("login", "launch", "page")


class Platform:
    """The platform's side: its key, its JWKS over HTTP, the id_tokens it signs."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        jwk = {"kty": "RSA", "kid": KID, "alg": "RS256", "use": "sig"}
        jwks = json.dumps(
            {"keys": [{**jwk, "n": int_to_b64url(numbers.n), "e": int_to_b64url(numbers.e)}]}
        ).encode()

        class _Keys(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                self.wfile.write(jwks)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Keys)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def id_token(self, client_id: str, user: str, nonce: str) -> str:
        """What a Moodle-style platform posts for a learner launching the course's link."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": user,
            "exp": now + 60,
            "iat": now,
            "nonce": nonce,
            "name": f"Learner {user}",
            C + "message_type": "LtiResourceLinkRequest",
            C + "version": "1.3.0",
            C + "deployment_id": DEPLOYMENT,
            C + "target_link_uri": f"{TOOL}/lti/launch",
            C + "resource_link": {"id": "bench-link", "title": "Bench"},
            C + "roles": [LEARNER],
            C + "context": {"id": "bench-course", "title": "Course", "label": "C"},
            C + "launch_presentation": {"locale": "fr", "return_url": f"{self.issuer}/back"},
        }
        return jwt.encode(claims, self.key, "RS256", headers={"kid": KID})


def _chemins(folder: Path, platform: Platform) -> FlaskClient:
    """Chemins on a migrated SQLite instance, the platform registered (as lti_launch.py)."""
    from badges.storage.instance import load_instance
    from badges.storage.runtime import Runtime
    from bench.lti_launch import _prepare_chemins
    from lti_tool.app import create_app

    environment = _prepare_chemins(folder, TOOL, platform.issuer)
    # The platform listens on the loopback: allowed, as `make run` allows it.
    app = create_app({"PRIVATE_HOSTS": ("127.0.0.1",)}, Runtime.open(load_instance(environment)))
    return app.test_client()


def _pylti1p3(platform: Platform) -> FlaskClient:
    from bench.pylti1p3_tool import create_tool

    tool = create_tool(
        issuer=platform.issuer,
        client_id=PYLTI_CLIENT,
        deployment_id=DEPLOYMENT,
        platform_url=platform.issuer,
    )
    return tool.test_client()


def round_trip(
    client: FlaskClient, client_id: str, platform: Platform, user: str
) -> tuple[float, ...]:
    """Login, launch, launched page as one browser; each request's CPU seconds."""
    client._cookies.clear()  # a new browser: no state cookie, no session
    started = time.thread_time()
    login = client.post(
        "/lti/login",
        data={
            "iss": platform.issuer,
            "login_hint": user,
            "target_link_uri": f"{TOOL}/lti/launch",
            "lti_message_hint": "hint",
            "client_id": client_id,
            "lti_deployment_id": DEPLOYMENT,
        },
    )
    logged_in = time.thread_time()
    if login.status_code != 302:
        raise RuntimeError(f"login answered {login.status_code}")
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    token = platform.id_token(
        client_id, user, query["nonce"][0]
    )  # the platform's work: not counted
    posted = time.thread_time()
    launch = client.post("/lti/launch", data={"id_token": token, "state": query["state"][0]})
    launched = time.thread_time()
    if launch.status_code != 303:
        raise RuntimeError(f"launch answered {launch.status_code}")
    page = client.get(launch.headers["Location"].removeprefix(TOOL))
    shown = time.thread_time()
    if page.status_code != 200 or b'data-role="learner"' not in page.data:
        raise RuntimeError(f"the launched page answered {page.status_code}")
    return logged_in - started, launched - posted, shown - launched


def _scenario(
    tools: dict[str, FlaskClient], platform: Platform, users: Callable[[str, int], str], n: int
) -> dict[str, list[tuple[float, ...]]]:
    costs: dict[str, list[tuple[float, ...]]] = {name: [] for name in tools}
    names = list(tools)
    for number in range(n):
        for name in names if number % 2 == 0 else names[::-1]:
            client_id = CHEMINS_CLIENT if name == "chemins" else PYLTI_CLIENT
            costs[name].append(round_trip(tools[name], client_id, platform, users(name, number)))
    return costs


def _report(title: str, costs: dict[str, list[tuple[float, ...]]]) -> None:
    print(f"\n{title}: median tool CPU per request, ms ({len(costs['chemins'])} round trips)")
    print(f"{'tool':<10}" + "".join(f"{name:>9}" for name in (*REQUESTS, "total")))
    totals = {}
    for name, rows in costs.items():
        columns = [statistics.median(column) * 1000 for column in zip(*rows, strict=True)]
        totals[name] = statistics.median(sum(row) for row in rows) * 1000
        print(f"{name:<10}" + "".join(f"{value:>9.3f}" for value in (*columns, totals[name])))
    print(f"Chemins / pylti1p3 CPU per round trip: {totals['chemins'] / totals['pylti1p3']:.2f}×")


def main(n: int) -> None:
    platform = Platform()
    with tempfile.TemporaryDirectory() as folder:
        tools = {"chemins": _chemins(Path(folder), platform), "pylti1p3": _pylti1p3(platform)}
        _scenario(tools, platform, lambda tool, i: f"class-{i % CLASS_SIZE}", 100)  # warm-up
        _report("New learners", _scenario(tools, platform, lambda tool, i: f"{tool}-new-{i}", n))
        _report(
            "Returning class",
            _scenario(tools, platform, lambda tool, i: f"class-{i % CLASS_SIZE}", n),
        )
    platform.server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
