"""The baseline of ``bench/lti_launch.py``: the smallest Flask tool pylti1p3 2.0.0 allows.

It does what the library's Flask example does for a launch, nothing more: login
initiation answered by a redirect with the state cookie (``FlaskOIDCLogin``), the launch
validated by ``FlaskMessageLaunch`` (state cookie, nonce in the Flask cookie session,
JWT signature against the platform JWKS, fetched once per process and cached, as the
library offers), then a page naming the person and their role. No database: what
pylti1p3 keeps, it keeps in cookies. It also skips the checks reference/lti13.md §13.1
lists (``exp``/``iat`` presence, ``azp``, nonce replay, ``target_link_uri``...), so it
is the cost of a lax launch, not of the same work.

The page comes the way it comes in Chemins, so that both tools answer the same round
trip: the launch POST redirects (303) to a launched page, which finds the launch again
the library's own way (``FlaskMessageLaunch.from_cache`` with the launch id, the launch
data being in the signed cookie session the launch wrote) and renders a Jinja template
naming the person and their role, with a form, as Chemins' landing page does. Answering
the page straight from the POST would save the baseline one HTTP request per launch
that Chemins cannot skip (a launched page must be reachable again by its URL without
re-posting the id_token); the redirect is not made slower than the library makes it.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from jinja2 import DictLoader
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.launch_data_storage.cache import CacheDataStorage
from pylti1p3.tool_config import ToolConfDict


class _MemoryCache:
    """The smallest cache object ``CacheDataStorage`` accepts (one per process)."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            return self._values.get(key)

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        with self._lock:
            self._values[key] = value


class _KeyCache(CacheDataStorage[Any]):
    """pylti1p3's own public-key caching hook, over :class:`_MemoryCache`."""

    def __init__(self, cache: _MemoryCache) -> None:
        super().__init__()
        self._cache = cache


def create_tool(*, issuer: str, client_id: str, deployment_id: str, platform_url: str) -> Flask:
    """A pylti1p3 tool registered with the demo platform at ``platform_url``."""
    app = Flask("pylti1p3_baseline")
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    # A template loaded by name, as a Flask app keeps it in templates/: Jinja compiles
    # it once per process. (``render_template_string`` would compile it on every page,
    # about a millisecond the baseline would spend for nothing.)
    app.jinja_loader = DictLoader({"launched.html": _PAGE})
    tool_conf = ToolConfDict(
        {
            issuer: [
                {
                    "default": True,
                    "client_id": client_id,
                    "auth_login_url": f"{platform_url}/lti/auth",
                    "auth_token_url": f"{platform_url}/services/token",
                    "key_set_url": f"{platform_url}/lti/certs",
                    "key_set": None,
                    "deployment_ids": [deployment_id],
                }
            ]
        }
    )
    key_cache = _MemoryCache()

    @app.route("/lti/login", methods=["GET", "POST"])
    def login() -> Any:
        request = FlaskRequest()
        target = request.get_param("target_link_uri")
        return FlaskOIDCLogin(request, tool_conf).redirect(target)

    @app.post("/lti/launch")
    def launch() -> Any:
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf)
        message_launch.set_public_key_caching(_KeyCache(key_cache), cache_lifetime=7200)
        message_launch.get_launch_data()  # validates, then keeps the launch in the session
        return redirect(url_for("launched", launch_id=message_launch.get_launch_id()), 303)

    @app.get("/lti/launched")
    def launched() -> Any:
        message_launch = FlaskMessageLaunch.from_cache(
            request.args["launch_id"], FlaskRequest(), tool_conf
        )
        data = message_launch.get_launch_data()
        role = "trainer" if message_launch.check_teacher_access() else "learner"
        return render_template(
            "launched.html",
            name=data.get("name") or data["sub"],
            role=role,
            launch_id=request.args["launch_id"],
        )

    return app


#: The launched page: what Chemins' landing page shows (person, role, one form).
_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Launched</title>
</head><body><main><h1>{{ name }}</h1><dl><dt>Role</dt><dd data-role="{{ role }}">{{ role }}</dd>
</dl><form method="post" action="{{ url_for('launched', launch_id=launch_id) }}">
<input type="hidden" name="launch_id" value="{{ launch_id }}"><label for="note">Note</label>
<input id="note" name="note" type="text"><button type="submit">Send</button></form></main>
</body></html>"""
