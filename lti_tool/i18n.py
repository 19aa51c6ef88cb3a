"""French and English for every page (Flask-Babel).

The locale is chosen, in order, by an explicit ``?lang=`` choice (remembered for the
request's launch or cookie), the LTI launch's locale, then the browser's preference;
French is the default because the people Chemins serves mostly speak it.
"""

from __future__ import annotations

from flask import Flask, Response, g, request, url_for
from flask_babel import Babel, get_locale

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
        request.form.get("lang") if request.method == "POST" else None,
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
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _languages() -> dict[str, object]:
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
    args = {**request.view_args, **request.args.to_dict(), "lang": code}  # type: ignore[dict-item]
    return url_for(request.endpoint, **args)
