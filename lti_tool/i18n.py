"""French and English for every page (Flask-Babel).

The locale is chosen, in order, by an explicit ``?lang=`` choice (remembered for the
request's launch or cookie), the LTI launch's locale, then the browser's preference;
French is the default because the people Chemins serves mostly speak it.

Choosing the locale never reads the request body: the error page of a body too large
to read (413) must still find its language, and reading the form there would raise the
same error again. A language chosen in a form is the view's to apply (the launched
page stores it in the launch and calls ``flask_babel.refresh``).

Templates translate with Flask-Babel's own setup: Jinja's ``i18n`` extension with
new-style gettext, so ``_()`` escapes its variables under autoescape and always
%-formats (a literal ``%`` is written ``%%``).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response, g, request
from flask_babel import Babel, get_locale

from lti_tool.page_url import this_page_url, with_parameter

LANGUAGES = ("fr", "en")
DEFAULT = "fr"


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


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)  # installs new-style gettext in Jinja

    @app.context_processor
    def _languages() -> Mapping[str, object]:
        locale = get_locale()
        return {
            "languages": LANGUAGES,
            "lang": locale.language if locale else DEFAULT,
            "lang_url": lang_url,
        }

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
