"""Templates translated once, when they are compiled, for each language.

A page says ``{{ _("Course") }}`` a dozen times or more; each call finds the request's
translations, looks the text up and marks it safe, on every page shown, for a text that
never changes for that language. So the environment keeps one compiled template per
(name, language), and while it compiles one for a language it replaces every
``_("literal")`` and ``gettext("literal")`` (one string, no variables) by that language's
text, marked safe as the call would have returned it: Jinja then folds it into the
page's static text. What needs the call is left to it: texts with variables or a ``%``
(new-style gettext formats them), ``ngettext``, and templates compiled outside a request
(``from_string``, the CLI), which have no language.

``pybabel extract`` reads the template sources, which are unchanged.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

from flask.templating import Environment
from jinja2 import Template
from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_DOT,
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_PIPE,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)

from lti_tool.i18n import page_language

#: The translation function of the language a template is being compiled for.
_TRANSLATE: ContextVar[Callable[[str], str] | None] = ContextVar(
    "chemins_template_translate", default=None
)
_GETTEXT_NAMES = frozenset({"_", "gettext"})


class TranslatedEnvironment(Environment):
    """Flask's template environment, caching one compiled template per language."""

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> Template:
        # Jinja's own lookup (jinja2.Environment._load_template), with the language in
        # the cache key and the language's translations at hand while compiling.
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        language = page_language()
        key = (weakref.ref(self.loader), name, language.tag if language else None)
        if self.cache is not None:
            template = self.cache.get(key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        compiling = _TRANSLATE.set(language.translate if language else None)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _TRANSLATE.reset(compiling)
        if self.cache is not None:
            self.cache[key] = template
        return template


class FoldedTranslations(Extension):
    """Replaces ``_("literal")`` by the compiling language's text (see the module)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translate = _TRANSLATE.get()
        if translate is None:
            yield from stream
            return
        tokens = list(stream)
        position = 0
        while position < len(tokens):
            folded = _fold(tokens, position, translate)
            if folded is None:
                yield tokens[position]
                position += 1
            else:
                yield from folded
                position += 4


def _fold(tokens: list[Token], at: int, translate: Callable[[str], str]) -> list[Token] | None:
    """``(text|safe)`` tokens for a ``_("literal")`` call starting at ``at``, or None."""
    call = tokens[at : at + 4]
    # ``obj._(...)`` and ``value|gettext(...)`` are some other callable: leave them.
    if len(call) < 4 or (at > 0 and tokens[at - 1].type in (TOKEN_DOT, TOKEN_PIPE)):
        return None
    name, opening, literal, closing = call
    if (
        name.type != TOKEN_NAME
        or name.value not in _GETTEXT_NAMES
        or opening.type != TOKEN_LPAREN
        or literal.type != TOKEN_STRING
        or closing.type != TOKEN_RPAREN
    ):
        return None
    text = translate(literal.value)
    if "%" in text or "%" in literal.value:  # new-style gettext formats these: keep the call
        return None
    line = name.lineno
    return [
        Token(line, TOKEN_LPAREN, "("),
        Token(line, TOKEN_STRING, text),
        Token(line, TOKEN_PIPE, "|"),
        Token(line, TOKEN_NAME, "safe"),
        Token(line, TOKEN_RPAREN, ")"),
    ]
