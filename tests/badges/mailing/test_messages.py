"""One notification as one e-mail: the only recipient is the person's own plain address."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from badges.mailing.messages import build_message, usable_address
from badges.mailing.wording import TEXTS
from badges.recognition import notifying
from badges.recognition.notifying import Notice


def _notice(kind: str, badge: str | None = "Animer une web radio", about: str | None = None):
    return Notice(
        id=7,
        kind=kind,
        created_at=datetime.now(UTC),
        read=False,
        request_id=None,
        badge_class_id="b",
        assertion_id=None,
        badge_name=badge,
        about_name=about,
        community_id="c",
    )


@pytest.mark.parametrize("value", ["nathan@example.org", " sylvie.d+radio@mail.example.fr "])
def test_plain_addresses_are_usable(value: str) -> None:
    assert usable_address(value) == value.strip()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "nathan",
        "nathan@",
        "@example.org",
        "nathan@localhost",
        "nathan@example.org, boss@evil.example",
        "nathan@example.org;boss@evil.example",
        "Nathan <nathan@example.org>",
        "nathan@example.org\r\nBcc: spy@evil.example",
        "nathan@exa mple.org",
        "a@b@example.org",
        "x" * 250 + "@example.org",
    ],
)
def test_anything_else_is_not(value: str | None) -> None:
    assert usable_address(value) is None


def test_every_kind_has_both_languages() -> None:
    assert set(TEXTS) == set(notifying.KINDS)
    assert all(set(texts) == {"fr", "en"} for texts in TEXTS.values())


def test_names_cannot_break_the_layout_or_the_headers() -> None:
    notice = _notice(
        notifying.REQUEST_SUBMITTED,
        badge="Radio\r\nBcc: spy@evil.example",
        about="<script>alert(1)</script>\nNathan",
    )
    message = build_message(notice, "claire@example.org", "Chemins <no-reply@c.test>", "fr")

    assert message["Bcc"] is None
    assert message.get_all("To") == ["claire@example.org"]
    assert message["Subject"] == "Chemins : une demande de badge attend votre avis"
    body = message.get_content()
    assert "« Radio Bcc: spy@evil.example »" in body  # one line, as plain text
    assert "<script>alert(1)</script> Nathan demande" in body
    assert message.get_content_type() == "text/plain"


def test_a_missing_badge_or_person_still_reads_well() -> None:
    message = build_message(
        _notice(notifying.REQUEST_SUBMITTED, badge=None, about=None), "c@example.org",
        "no-reply@c.test", None,
    )  # fmt: skip
    body = message.get_content()
    assert "Une personne de votre formation demande le badge « sans nom »." in body
    assert "Someone in your course asks for the badge “no name”." in body
    assert message["Content-Language"] == "fr, en"
