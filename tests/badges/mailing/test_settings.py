"""Reading ``CHEMINS_SMTP_URL`` and ``CHEMINS_MAIL_FROM``: what works, what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from badges.mailing.settings import (
    PLAIN,
    STARTTLS,
    TLS,
    MailSettingsRefused,
    SmtpServer,
    mail_settings,
    smtp_server,
)
from badges.storage.instance import load_instance


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", SmtpServer("mail.example.org", 25, PLAIN)),
        ("smtp://127.0.0.1:2525", SmtpServer("127.0.0.1", 2525, PLAIN)),
        ("smtp://u@mail.example.org:2525", SmtpServer("mail.example.org", 2525, PLAIN, "u")),
        (
            "smtp://chemins%40centre.org:p%3Ass@mail.example.org?starttls=1",
            SmtpServer("mail.example.org", 587, STARTTLS, "chemins@centre.org", "p:ss"),
        ),
        ("smtps://u:pw@mail.example.org", SmtpServer("mail.example.org", 465, TLS, "u", "pw")),
        ("smtp://mail.example.org:26?starttls=yes", SmtpServer("mail.example.org", 26, STARTTLS)),
    ],
)
def test_smtp_urls_name_the_server(url: str, expected: SmtpServer) -> None:
    assert smtp_server(url) == expected


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://mail.example.org", "smtp:// or smtps://"),
        ("mail.example.org:25", "smtp:// or smtps://"),
        ("smtp://", "no host"),
        ("smtp://mail.example.org:99999", "wrong port"),
        ("smtp://mail.example.org:port", "wrong port"),
        ("smtp://u:secret@mail.example.org", "password without encryption"),
        ("smtp://u:secret@mail.example.org?starttls=0", "password without encryption"),
    ],
)
def test_unusable_smtp_urls_are_refused_with_the_reason(url: str, why: str) -> None:
    with pytest.raises(MailSettingsRefused, match=why):
        smtp_server(url)


def test_the_password_never_shows_in_the_settings_repr() -> None:
    assert "secret" not in repr(smtp_server("smtps://u:secret@mail.example.org"))


def test_without_an_smtp_url_there_is_no_mail() -> None:
    assert mail_settings(None, "x@example.org", "https://chemins.example.org") is None
    assert mail_settings("", None, "https://chemins.example.org") is None


def test_the_sender_defaults_to_no_reply_at_the_public_host() -> None:
    settings = mail_settings("smtp://mail", None, "https://chemins.example.org:8443/")
    assert settings is not None
    assert settings.sender == "Chemins <no-reply@chemins.example.org>"


@pytest.mark.parametrize(
    "sender", ["not an address", "a@b@example.org", "ok@example.org\r\nBcc: spy@evil.example"]
)
def test_a_wrong_sender_is_refused(sender: str) -> None:
    with pytest.raises(MailSettingsRefused, match="CHEMINS_MAIL_FROM"):
        mail_settings("smtp://mail", sender, "https://chemins.example.org")


def test_a_sender_with_a_name_is_kept() -> None:
    settings = mail_settings("smtp://mail", "Centre social <badges@centre.org>", "https://x.org")
    assert settings is not None and settings.sender == "Centre social <badges@centre.org>"


def test_the_instance_reads_the_mail_variables(tmp_path: Path) -> None:
    env = {
        "CHEMINS_INSTANCE_DIR": str(tmp_path),
        "CHEMINS_SECRET_KEY": "s" * 40,
        "CHEMINS_DATABASE_URL": "sqlite:///:memory:",
        "CHEMINS_SMTP_URL": "smtp://mail.example.org:2525",
        "CHEMINS_MAIL_FROM": "badges@centre.org",
    }
    instance = load_instance(env)
    assert (instance.smtp_url, instance.mail_from) == (
        "smtp://mail.example.org:2525",
        "badges@centre.org",
    )
    bare = load_instance({k: v for k, v in env.items() if "MAIL" not in k and "SMTP" not in k})
    assert (bare.smtp_url, bare.mail_from) == (None, None)
