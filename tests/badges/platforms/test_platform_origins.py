"""Origins of platform URLs: rebuilt from the parsed URL, or none at all.

They go into ``Content-Security-Policy`` and ``postMessage`` targets, so nothing but a
scheme, a plain host and a port may come out, whatever text an admin or a request gave.
"""

from __future__ import annotations

import pytest

from badges.models.platform import origin_of, origins_of


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://moodle.example.org/mod/lti/auth.php?x=1", "https://moodle.example.org"),
        ("HTTPS://Moodle.Example.ORG", "https://moodle.example.org"),
        ("http://127.0.0.1:8000/lti", "http://127.0.0.1:8000"),
        ("https://lms.example:443/x", "https://lms.example"),
        ("http://lms.example:80", "http://lms.example"),
        ("http://lms.example:443", "http://lms.example:443"),
        ("https://user:secret@lms.example/x", "https://lms.example"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("https://[2001:DB8::1]/", "https://[2001:db8::1]"),
        ("https://xn--caf-dma.example/", "https://xn--caf-dma.example"),
    ],
)
def test_origins_are_rebuilt_from_their_parts(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example;script-src *",
        "https://evil.example script-src",
        "https://evil.example'unsafe-inline'",
        'https://evil.example"',
        "https://evil.example,https://other.example",
        "https://evil.example%0d%0a",
        "https://ex_ample.org/",  # no underscore in a CSP host
        "https://café.example/",
        "https://[fe80::1%25eth0]/",
        "https://[not-an-address]/",
        "https://lms.example:99999/",
        "https://lms.example:0/",
        "https://lms.example:x/",
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://lms.example/",
        "//lms.example/x",
        "/relative/path",
        "",
    ],
)
def test_anything_else_has_no_origin(url: str) -> None:
    assert origin_of(url) is None


def test_origins_of_skips_the_unusable_and_repeats() -> None:
    urls = ["https://a.example/x", "https://a.example:443/y", "https://b.example;x", "nope"]
    assert origins_of(urls) == ["https://a.example"]
