"""French and English for every page (Flask-Babel).

The locale is chosen, in order, by an explicit ``?lang=`` choice (remembered for the
request's launch or cookie), the LTI launch's locale, then the browser's preference;
French is the default because the people Chemins serves mostly speak it.

Choosing the locale never reads the request body: the error page of a body too large
to read (413) must still find its language, and reading the form there would raise the
same error again. A language chosen in a form is the view's to apply (the launched
page stores it in the launch and calls ``flask_babel.refresh``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from babel import Locale
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from lti_tool.page_url import this_page_url, with_parameter

LANGUAGES = ("fr", "en")
DEFAULT = "fr"
_PAGE_LANGUAGES = "chemins.page_languages"


def _normalise(value: str | None) -> str | None:
    if not value:
        return None
    short = value.replace("_", "-").split("-")[0].lower()
    return short if short in LANGUAGES else None


def select_locale() -> str:
    """Locale for this request: explicit choice, launch locale, browser, then French."""
    for candidate in (
        request.args.get("lang"),
        getattr(g, "launch_locale", None),
        request.cookies.get("chemins_lang"),
    ):
        chosen = _normalise(candidate)
        if chosen:
            return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


@dataclass(frozen=True)
class PageLanguage:
    """What pages of one locale use to translate: built once per locale and app."""

    #: The locale's tag ("fr", "en"), part of the key of compiled templates.
    tag: str
    #: The catalogue's lookup: a source text to its translation.
    translate: Callable[[str], str]
    #: The names every template gets (``_``, ``gettext``, ``ngettext``, ``lang``...).
    template_context: Mapping[str, object]


def page_language() -> PageLanguage | None:
    """This request's :class:`PageLanguage` (None outside a request)."""
    if not has_request_context():
        return None
    locale = get_locale()
    if locale is None:
        return None
    known: dict[Any, PageLanguage] = current_app.extensions.setdefault(_PAGE_LANGUAGES, {})
    language = known.get(locale)
    if language is None:  # the wrappers hold no request state: one per locale will do
        language = known[locale] = _page_language(locale, get_translations())
    return language


def _page_language(locale: Locale | None, translations: Any) -> PageLanguage:
    gettext = _template_gettext(translations.ugettext)
    return PageLanguage(
        tag=str(locale) if locale else DEFAULT,
        translate=translations.ugettext,
        template_context={
            "languages": LANGUAGES,
            "lang": locale.language if locale else DEFAULT,
            "lang_url": lang_url,
            # A template's ``gettext``, ``ngettext`` and ``_`` resolve in its context first.
            "gettext": gettext,
            "_": gettext,
            "ngettext": _template_ngettext(translations.ungettext),
        },
    )


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _languages() -> Mapping[str, object]:
        language = page_language() or _page_language(get_locale(), get_translations())
        return language.template_context

    @app.after_request
    def _remember_choice(response: Response) -> Response:
        chosen = _normalise(request.args.get("lang"))
        if chosen:
            response.set_cookie("chemins_lang", chosen, max_age=365 * 86400, samesite="Lax")
        return response


def lang_url(code: str) -> str:
    """This page in another language, keeping its other query parameters (launch handle)."""
    if request.endpoint is None:
        return f"?lang={code}"
    return with_parameter(this_page_url(), "lang", code)


# Flask-Babel gives templates a ``gettext`` that finds the request's translations again
# (context, domain, locale) for every string, several microseconds each, dozens of
# times per page. The context processor above looks them up once per rendering and
# hands the template these wrappers, which keep Jinja's new-style semantics: the
# result is markup-safe under autoescape and always %-formatted with its variables
# (a text without variables or "%" is the same after formatting, so it is skipped).


def _template_gettext(translate: Callable[[str], str]) -> Callable[..., str]:
    @pass_context
    def gettext(__context: Context, __string: str, **variables: Any) -> str:
        text = translate(__string)
        if __context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - the translation catalogue is trusted, as in Jinja
        if not variables and "%" not in text:
            return text
        return text % variables

    return gettext


def _template_ngettext(translate: Callable[[str, str, int], str]) -> Callable[..., str]:
    @pass_context
    def ngettext(
        __context: Context, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        text = translate(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - the translation catalogue is trusted, as in Jinja
        return text % variables

    return ngettext
