"""Templates compiled once per language, with their fixed texts already translated."""

from __future__ import annotations

from flask import render_template
from jinja2 import ChoiceLoader, DictLoader

PAGE = (
    "{{ _('Skip to content') }}|{{ gettext('Course') }}|{{ x or _('Chemins') }}"
    "|{{ gettext('%(who)s here', who='<b>') }}|{{ _('100%% yours') }}"
    "|{{ ngettext('%(num)s badge', '%(num)s badges', 2) }}|{{ helper._('Course') }}"
)


def _constants(template) -> str:  # type: ignore[no-untyped-def]
    """The literal text compiled into a template's code (where folded texts land)."""
    return " ".join(c for c in template.root_render_func.__code__.co_consts if isinstance(c, str))


def _with_page(app) -> None:  # type: ignore[no-untyped-def]
    app.jinja_env.loader = ChoiceLoader([DictLoader({"t.html": PAGE}), app.jinja_env.loader])


class _Helper:
    def _(self, text: str) -> str:
        return f"<{text}>"


def test_each_language_gets_its_own_compiled_page(app) -> None:
    with app.test_request_context("/?lang=fr"):
        french = app.jinja_env.get_template("base.html")
    with app.test_request_context("/?lang=en"):
        english = app.jinja_env.get_template("base.html")
        assert app.jinja_env.get_template("base.html") is english  # cached per language
    assert french is not english
    assert "Aller au contenu" in _constants(french)
    assert "Skip to content" in _constants(english)
    assert "Skip to content" not in _constants(french)


def test_folded_and_called_texts_render_as_before(app) -> None:
    _with_page(app)
    with app.test_request_context("/?lang=fr"):
        french = render_template("t.html", x=None, helper=_Helper()).split("|")
    with app.test_request_context("/?lang=en"):
        english = render_template("t.html", x="<i>", helper=_Helper()).split("|")
    assert french[:3] == ["Aller au contenu", "Cours", "Chemins"]
    # Variables, "%" and ngettext keep the call: escaped, formatted, in the right language.
    assert english[1:] == ["Course", "&lt;i&gt;", "&lt;b&gt; here", "100% yours", "2 badges",
                           "&lt;Course&gt;"]  # fmt: skip
    with app.test_request_context("/?lang=fr"):
        compiled = _constants(app.jinja_env.get_template("t.html"))
    assert "Aller au contenu" in compiled and "Skip to content" not in compiled
    assert "%(who)s here" in compiled  # left to gettext at render time


def test_a_filter_named_gettext_is_left_alone(app) -> None:
    app.jinja_env.filters["gettext"] = lambda value, text: f"{value}:{text}"
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"f.html": "{{ 'v'|gettext('Course') }}"}), app.jinja_env.loader]
    )
    with app.test_request_context("/?lang=fr"):
        assert render_template("f.html") == "v:Course"


def test_a_template_compiled_outside_a_request_is_not_translated(app) -> None:
    _with_page(app)
    with app.app_context():
        neutral = app.jinja_env.get_template("t.html")
    assert "Aller au contenu" not in _constants(neutral)
    assert "Skip to content" in _constants(neutral)  # still a call, made at render time
