"""The instance admin's browser in tests: an admin link, opened the way a person opens it.

``chemins platform admin-link`` makes the link; its page shows a button; pressing it
opens the admin session (a cookie) in that browser. Tests that need the admin pages go
through the same two steps, so they keep testing the door as well as the room.
"""

from __future__ import annotations

import requests

from badges.platforms.access_links import create_admin_link
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.lti_launches import parse_form


def admin_link(runtime: Runtime) -> str:
    """A fresh admin link's secret, as ``chemins platform admin-link`` makes it."""
    with transaction(runtime.sessions) as session:
        return create_admin_link(session).secret


def open_admin_session(runtime: Runtime, tool_url: str) -> requests.Session:
    """A browser (cookie jar) in which an admin link was opened."""
    http = requests.Session()
    page = http.get(
        f"{tool_url}/admin/platforms/open", params={"at": admin_link(runtime)}, timeout=10
    )
    assert page.status_code == 200, page.text[:500]
    form = parse_form(page.text)
    opened = http.post(tool_url + (form.action or ""), data=form.fields, timeout=10)
    assert opened.status_code == 200 and opened.url.endswith("/admin/platforms/"), opened.url
    return http
