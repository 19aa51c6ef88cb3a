"""Every page speaks French and English; the French catalogue is complete."""

from __future__ import annotations

import html
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.shipped_packages import shipped_packages

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "lti_tool" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def test_home_page_is_french_by_default_and_english_on_request(client) -> None:
    french = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in french and "Aller au contenu" in french
    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Skip to content" in english
    browser_en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in browser_en


def test_error_pages_are_translated(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in html.unescape(response.get_data(as_text=True))


def _translated(message) -> bool:  # type: ignore[no-untyped-def]
    """Translated: the string, or for a plural its singular and plural forms (French
    uses two; a third form Babel may add stays unused)."""
    if isinstance(message.string, tuple):
        return all(message.string[:2])
    return bool(message.string)


def test_every_source_string_has_a_french_translation() -> None:
    # A plural message is known by its singular, as the extractor gives it.
    catalogue = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m
        for m in read_po(CATALOGUE.open("rb"))
        if m.id
    }
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    missing, untranslated = [], []
    for package in shipped_packages():
        for _file, _line, message, _comments, *_ in extract_from_dir(
            package,
            method_map,
            keywords={
                "_": None,
                "gettext": None,
                "_l": None,
                "lazy_gettext": None,
                "ngettext": (1, 2),
            },
        ):
            key = message[0] if isinstance(message, tuple) else message
            if key not in catalogue:
                missing.append(key)
            elif not _translated(catalogue[key]) or catalogue[key].fuzzy:
                untranslated.append(key)
    assert not missing, f"run scripts/update-translations.sh: {missing}"
    assert not untranslated, f"French translation missing for: {untranslated}"


def test_template_translations_keep_jinjas_new_style_rules(app) -> None:
    """Templates' gettext escapes variables, formats, and follows the page's locale."""
    from flask import render_template_string

    page = (
        "{{ _('Skip to content') }}|{{ gettext('%(who)s here', who='<b>') }}"
        "|{{ _('100%% yours') }}|{{ ngettext('%(num)s badge', '%(num)s badges', 2) }}"
        "|{{ _('Badge image: %(name)s', name='<Écoute & moi>') }}"
    )
    with app.test_request_context("/?lang=fr"):
        french = render_template_string(page).split("|")
    with app.test_request_context("/?lang=en"):
        english = render_template_string(page).split("|")
    assert french[0] == "Aller au contenu"
    assert french[2] == "100% yours"  # "%%" is a literal "%", translated or not
    assert french[4] == "Image du badge : &lt;Écoute &amp; moi&gt;"
    assert english[1:4] == ["&lt;b&gt; here", "100% yours", "2 badges"]
    assert english[4] == "Badge image: &lt;Écoute &amp; moi&gt;"


def test_the_language_of_one_page_never_leaks_into_the_next(app) -> None:
    """The same template, compiled once, answers each request in that request's language."""
    from flask import render_template

    for query, expected in (("fr", "Aller au contenu"), ("en", "Skip to content")) * 2:
        with app.test_request_context(f"/?lang={query}"):
            assert expected in render_template("base.html")
