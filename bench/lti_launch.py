"""LTI launch throughput: complete login + launch round trips per second, Chemins vs pylti1p3.

One run starts three gunicorn servers on 127.0.0.1: the demo platform (``demo_lms``, one
worker with threads, since it keeps pending launches in memory), Chemins (SQLite file,
every check of reference/lti13.md, database writes for the login state, the person, the
course, the membership and the launch session) and the baseline
(``bench/pylti1p3_tool.py``: the smallest pylti1p3 2.0.0 Flask tool, state in cookies,
no database). Both tools get 2 workers of 4 threads, as ``chemins serve`` runs
(``BENCH_TOOL_THREADS=1``: 2 sync workers). Each "browser" (a client thread with a fresh cookie jar
per launch) does what a person's browser does when they click an activity:

    platform /launch/start → tool /lti/login → platform /lti/auth → tool /lti/launch
    → 303 → tool's launched page (person and role, rendered from a Jinja template)

Same round trip for both, in both directions: each tool's launch POST redirects to a
page that finds the launch again and renders it (Chemins through its launch handle and
the database, pylti1p3 through ``FlaskMessageLaunch.from_cache`` and its cookie
session). Until this was so, pylti1p3 answered its page straight from the POST, one
request fewer per launch than Chemins, which must redirect (its launched page has to be
reachable again by URL without re-posting the id_token). Neither tool skips a step the
other does: pylti1p3 keeps its JWKS cache and cookie-held state, Chemins keeps every
check and every write.

Both tools are driven in the same run against the same platform, alternating in short
slices (A B, B A, A B...) so that a slower moment of the machine hits both: on a shared
2-core machine, two halves run a few seconds apart differed by up to 15 %. Two
scenarios are measured: every launch by a new learner (the worst case for Chemins: the
person and membership rows are created), then a class of 20 returning learners (the
usual day: rows are found and only the launch session is written). Printed: round
trips per second, the ratio (target ≥ 1.0×) with its spread over neighbouring slices
(how much this machine's noise moves it), p50/p95 latency of the whole round trip and of
the tool's own requests (the platform's share is the same for both). Never asserts; the
number of requests is bounded, so it stops by itself.

    .venv/bin/python bench/lti_launch.py [LAUNCHES] [THREADS]    # 600 launches, 8 threads
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
CHEMINS_CLIENT = "bench-chemins"
PYLTI_CLIENT = "bench-pylti1p3"
DEPLOYMENT = "1"
#: Both tools run as ``chemins serve`` runs Chemins: 2 gthread workers of 4 threads.
TOOL_THREADS = int(os.environ.get("BENCH_TOOL_THREADS", "4"))
TIMEOUT = 30
_FORM = re.compile(r'<form[^>]*action="([^"]*)"', re.IGNORECASE)
_INPUT = re.compile(r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"', re.IGNORECASE)


# --- servers (child processes) -------------------------------------------------------


def _gunicorn(app: Any, port: int, workers: int, threads: int = 1) -> None:
    """Serve ``app`` with gunicorn in this process, quietly (no access log)."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{HOST}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", None)
            self.cfg.set("loglevel", "warning")
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return app

    _Server().run()


def _cache_platform_key_loading() -> None:
    """Load the demo platform's key once per process instead of twice per launch.

    lti1p3platform parses the platform's PEM private key on every id_token (once for the
    ``kid``, once to sign), and cryptography's RSA key checks make each parse cost about
    50 ms: the shared platform, not the tools, would then set the pace of every launch.
    Caching the parsed key in the platform process only changes none of the tokens.
    """
    import lti1p3platform.registration as registration
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    parsed: dict[str, Any] = {}
    jwks: dict[str, dict[str, Any]] = {}
    encode, get_jwk = registration.jwt_encode, registration.Registration.get_jwk

    def cached_encode(
        payload: Any,
        key: Any,
        algorithm: str = "HS256",
        headers: Any = None,
        json_encoder: Any = None,
    ) -> str:
        if isinstance(key, str) and "PRIVATE KEY" in key:
            if key not in parsed:
                parsed[key] = load_pem_private_key(key.encode(), None)
            key = parsed[key]
        return encode(payload, key, algorithm, headers, json_encoder)

    def cached_jwk(cls: Any, pem: str) -> dict[str, Any]:
        if pem not in jwks:
            jwks[pem] = get_jwk(pem)
        return dict(jwks[pem])

    registration.jwt_encode = cached_encode  # type: ignore[assignment]
    registration.Registration.get_jwk = classmethod(cached_jwk)  # type: ignore[method-assign,assignment]


def _platform_app(platform_url: str, chemins_url: str, pylti_url: str) -> Any:
    from demo_lms.app import create_demo_app, platform_of
    from demo_lms.platform import MOODLE

    _cache_platform_key_loading()
    app = create_demo_app(platform_url)
    platform = platform_of(app)
    for origin, client_id in ((chemins_url, CHEMINS_CLIENT), (pylti_url, PYLTI_CLIENT)):
        platform.add_tool(
            tool_origin=origin, style=MOODLE, client_id=client_id, deployment_id=DEPLOYMENT
        )
    return app


def serve(role: str, port: int, platform_url: str, chemins_url: str, pylti_url: str) -> None:
    """The ``--serve`` mode of this script: one of the three servers."""
    if role == "platform":
        _gunicorn(_platform_app(platform_url, chemins_url, pylti_url), port, 1, threads=16)
    elif role == "chemins":
        from lti_tool.app import create_app

        _gunicorn(create_app(), port, 2, threads=TOOL_THREADS)
    else:
        from bench.pylti1p3_tool import create_tool

        tool = create_tool(
            issuer=platform_url,
            client_id=PYLTI_CLIENT,
            deployment_id=DEPLOYMENT,
            platform_url=platform_url,
        )
        _gunicorn(tool, port, 2, threads=TOOL_THREADS)


# --- the browser side ----------------------------------------------------------------


def _form(page: str) -> tuple[str, dict[str, str]]:
    action = _FORM.search(page)
    if action is None:
        raise RuntimeError(f"no form in the page: {page[:200]!r}")
    fields = {html.unescape(n): html.unescape(v) for n, v in _INPUT.findall(page)}
    return html.unescape(action.group(1)), fields


@dataclass
class Timing:
    total: float
    tool: float


@dataclass
class Run:
    """Launches of one tool: timings of those that reached the launched page, failures."""

    name: str
    timings: list[Timing] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    wall: float = 0.0
    #: Round trips per second of each slice, in the order they ran.
    slice_rates: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def launch_once(http: requests.Session, platform_url: str, client_id: str, user: str) -> Timing:
    """One complete launch as a browser does it; raises if it does not land on the page."""
    http.cookies.clear()
    tool_time = 0.0
    started = time.perf_counter()
    start = http.get(
        f"{platform_url}/launch/start",
        params={
            "client_id": client_id,
            "user": user,
            "name": f"Learner {user}",
            "context_id": "bench-course",
            "link_id": "bench-link",
        },
        timeout=TIMEOUT,
    )
    start.raise_for_status()
    login_url, login_fields = _form(start.text)

    mark = time.perf_counter()
    login = http.post(login_url, data=login_fields, allow_redirects=False, timeout=TIMEOUT)
    tool_time += time.perf_counter() - mark
    if login.status_code != 302:
        raise RuntimeError(f"login answered {login.status_code}: {login.text[:200]!r}")

    auth = http.get(login.headers["Location"], timeout=TIMEOUT)
    auth.raise_for_status()
    launch_url, launch_fields = _form(auth.text)

    mark = time.perf_counter()
    launched = http.post(launch_url, data=launch_fields, allow_redirects=False, timeout=TIMEOUT)
    if launched.status_code == 303:
        landing = requests.compat.urljoin(launch_url, launched.headers["Location"])
        launched = http.get(landing, timeout=TIMEOUT)
    tool_time += time.perf_counter() - mark
    if launched.status_code != 200 or 'data-role="learner"' not in launched.text:
        raise RuntimeError(f"launch answered {launched.status_code}: {launched.text[:200]!r}")
    return Timing(time.perf_counter() - started, tool_time)


def drive(run: Run, platform_url: str, client_id: str, users: list[str], threads: int) -> None:
    """Launch once per user with ``threads`` browsers; add timings and failures to ``run``."""
    local = threading.local()

    def one(user: str) -> None:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        try:
            timing = launch_once(local.http, platform_url, client_id, user)
        except (requests.RequestException, RuntimeError, KeyError) as exc:
            with run.lock:
                run.failures.append(str(exc)[:200])
            return
        with run.lock:
            run.timings.append(timing)

    done = len(run.timings)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, users))
    elapsed = time.perf_counter() - started
    run.wall += elapsed
    run.slice_rates.append((len(run.timings) - done) / elapsed)


# --- orchestration -------------------------------------------------------------------


def _start(role: str, port: int, urls: dict[str, str], env: dict[str, str]) -> subprocess.Popen:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve",
        role,
        "--port",
        str(port),
        *("--platform", urls["platform"], "--chemins", urls["chemins"], "--pylti", urls["pylti"]),
    ]
    return subprocess.Popen(command, env={**os.environ, **env, "PYTHONPATH": str(ROOT)})


def _wait(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server stopped at start-up ({url})")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _prepare_chemins(folder: Path, chemins_url: str, platform_url: str) -> dict[str, str]:
    """A migrated SQLite instance with the demo platform registered; its environment."""
    from badges.platforms.registering import PlatformFields, register_platform
    from badges.storage.database import transaction
    from badges.storage.instance import load_instance
    from badges.storage.migrate import upgrade
    from badges.storage.runtime import Runtime

    env = {
        "CHEMINS_INSTANCE_DIR": str(folder),
        "CHEMINS_BASE_URL": chemins_url,
        "CHEMINS_DATABASE_URL": f"sqlite:///{folder / 'chemins.db'}",
        # The platform listens on the loopback: the tool may fetch its keys there.
        "CHEMINS_PRIVATE_HOSTS": "127.0.0.1 localhost",
    }
    instance = load_instance(env, create=True)
    upgrade(instance.database_url)
    runtime = Runtime.open(instance)
    with transaction(runtime.sessions) as session:
        register_platform(
            session,
            PlatformFields(
                issuer=platform_url,
                client_id=CHEMINS_CLIENT,
                deployment_ids=(DEPLOYMENT,),
                auth_login_url=f"{platform_url}/lti/auth",
                auth_token_url=f"{platform_url}/services/token",
                jwks_url=f"{platform_url}/lti/certs",
                community="Bench",
            ),
            chemins_url,
        )
    runtime.engine.dispose()
    return env


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _report(runs: list[Run], launches: int, threads: int) -> None:
    print(f"\nLTI login + launch round trips: {launches} per tool, {threads} client threads")
    print(
        f"{'tool':<12} {'ok':>5} {'failed':>6} {'launch/s':>9} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'tool p50':>9} {'tool p95':>9}"
    )
    rates: dict[str, float] = {}
    for run in runs:
        totals = [t.total * 1000 for t in run.timings]
        tools = [t.tool * 1000 for t in run.timings]
        rates[run.name] = len(run.timings) / run.wall if run.wall else 0.0
        print(
            f"{run.name:<12} {len(run.timings):>5} {len(run.failures):>6} "
            f"{rates[run.name]:>9.1f} {_percentile(totals, 0.5):>8.1f} "
            f"{_percentile(totals, 0.95):>8.1f} {_percentile(tools, 0.5):>9.1f} "
            f"{_percentile(tools, 0.95):>9.1f}"
        )
        for failure in sorted(set(run.failures))[:3]:
            print(f"  {run.name} failure: {failure}")
    if rates.get("pylti1p3"):
        ratio = rates["chemins"] / rates["pylti1p3"]
        print(f"Chemins / pylti1p3 throughput: {ratio:.2f}× (target ≥ 1.0×)")
        chemins, pylti = (run for run in runs if run.name in ("chemins", "pylti1p3"))
        print(_spread(chemins.slice_rates, pylti.slice_rates))
    print("ms columns: whole round trip (platform included), then the tool's requests only.")


def _spread(chemins: list[float], pylti: list[float]) -> str:
    """How far the ratio moves between neighbouring slices: the noise of this machine.

    Slice *n* of one tool ran right before or after slice *n* of the other, so each pair
    saw the same moment of the machine; the spread of the pairs' ratios says how much of
    the whole-run ratio can be trusted.
    """
    pairs = sorted(c / p for c, p in zip(chemins, pylti, strict=True) if p)
    if len(pairs) < 4:
        return "slice pairs: too few to tell the noise"
    quarter = len(pairs) // 4
    return (
        f"slice pairs ({len(pairs)}): median {statistics.median(pairs):.2f}×, "
        f"middle half {pairs[quarter]:.2f}–{pairs[-quarter - 1]:.2f}×"
    )


def main(launches: int, threads: int) -> None:
    ports = {name: _free_port() for name in ("platform", "chemins", "pylti")}
    urls = {name: f"http://{HOST}:{port}" for name, port in ports.items()}
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as folder:
        chemins_env = _prepare_chemins(Path(folder), urls["chemins"], urls["platform"])
        try:
            for role in ("platform", "chemins", "pylti"):
                env = chemins_env if role == "chemins" else {}
                processes.append(_start(role, ports[role], urls, env))
            for role, process in zip(("platform", "chemins", "pylti"), processes, strict=True):
                probe = "/lti/certs" if role == "platform" else "/"
                _wait(urls[role] + probe, process)
            # Warm-up (imports, JWKS fetch in every worker, SQLite pages), not counted. Its
            # learners are the class that comes back in the second scenario.
            for client_id, name in ((CHEMINS_CLIENT, "chemins"), (PYLTI_CLIENT, "pylti1p3")):
                drive(Run("warm-up"), urls["platform"], client_id, _class(name), threads)
            for scenario, users in (("new learners", _new_users), ("returning", _returning)):
                chemins, pylti = Run("chemins"), Run("pylti1p3")
                drivers = [(chemins, CHEMINS_CLIENT), (pylti, PYLTI_CLIENT)]
                for number, size in enumerate(_slices(launches)):
                    for run, client_id in drivers if number % 2 == 0 else drivers[::-1]:
                        drive(run, urls["platform"], client_id, users(run, number, size), threads)
                print(f"\nScenario: {scenario}")
                _report([chemins, pylti], launches, threads)
        finally:
            for process in processes:
                _stop(process)


CLASS_SIZE = 20
#: Launches per tool and slice: each slice is short enough for the machine's pace to
#: stay the same over both tools, long enough for 8 browsers to keep both workers busy.
SLICE = 50


def _slices(launches: int) -> list[int]:
    """``launches`` cut into slices of :data:`SLICE` (the last one may be shorter)."""
    sizes = [SLICE] * (launches // SLICE)
    if launches % SLICE:
        sizes.append(launches % SLICE)
    return sizes


def _class(tool: str) -> list[str]:
    """The learners of one course, launched once during the warm-up."""
    return [f"{tool}-class-{number}" for number in range(CLASS_SIZE)]


def _new_users(run: Run, part: int, count: int) -> list[str]:
    """Every launch by a learner the tool has never seen (rows created: the worst case)."""
    return [f"{run.name}-s{part}-{number}" for number in range(count)]


def _returning(run: Run, part: int, count: int) -> list[str]:
    """The usual day: the same class opening the activity again and again."""
    members = _class(run.name)
    return [members[number % CLASS_SIZE] for number in range(count)]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _cli(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("launches", nargs="?", type=int, default=600)
    parser.add_argument("threads", nargs="?", type=int, default=8)
    parser.add_argument("--serve", choices=("platform", "chemins", "pylti"))
    parser.add_argument("--port", type=int)
    parser.add_argument("--platform")
    parser.add_argument("--chemins")
    parser.add_argument("--pylti")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.platform, args.chemins, args.pylti)
    else:
        main(args.launches, args.threads)


if __name__ == "__main__":
    _cli(sys.argv[1:])
