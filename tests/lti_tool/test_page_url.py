"""Links and forms back to the page being shown: its query kept, ``lang`` dropped."""

from __future__ import annotations

from types import SimpleNamespace

from flask import g

from lti_tool.i18n import lang_url
from lti_tool.launch_handle import launch_page_url
from lti_tool.page_url import this_page_url, with_parameter


def test_this_page_keeps_its_query_but_not_the_language(app) -> None:
    with app.test_request_context("/lti/links/a%20b?lh=H.1-x_&tag=1&tag=2&lang=en"):
        assert this_page_url() == "/lti/links/a%20b?lh=H.1-x_&tag=1&tag=2"
    with app.test_request_context("/lti/launched?lang=en"):
        assert this_page_url() == "/lti/launched"


def test_this_page_is_quoted_and_under_the_script_root(app) -> None:
    with app.test_request_context("/é?q=a%26b%3Dc", base_url="http://localhost/chemins/"):
        assert this_page_url() == "/chemins/%C3%A9?q=a%26b%3Dc"


def test_with_parameter_starts_or_extends_the_query() -> None:
    assert with_parameter("/p", "lang", "fr") == "/p?lang=fr"
    assert with_parameter("/p?lh=1", "lang", "en") == "/p?lh=1&lang=en"
    assert with_parameter("/p", "x", "a&b") == "/p?x=a%26b"


def test_language_links_replace_the_language_and_keep_the_handle(app) -> None:
    with app.test_request_context("/lti/launched?lh=H&lang=en"):
        app.preprocess_request()
        assert lang_url("fr") == "/lti/launched?lh=H&lang=fr"
        assert lang_url("en") == "/lti/launched?lh=H&lang=en"


def test_a_launched_page_posts_back_with_its_handle(app) -> None:
    with app.test_request_context("/lti/links/1?lh=H"):
        g.launch = SimpleNamespace(handle="H")
        assert launch_page_url() == "/lti/links/1?lh=H"
    # Reached with the handle in its cookie only: the form carries it in the URL.
    with app.test_request_context("/lti/links/1?lang=en"):
        g.launch = SimpleNamespace(handle="H.2")
        assert launch_page_url() == "/lti/links/1?lh=H.2"
