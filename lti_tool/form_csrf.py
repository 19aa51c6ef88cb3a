"""One CSRF mechanism for every form: WTForms' CSRF, bound to what the request belongs to.

Chemins lives in LMS frames where the browser may refuse its cookies, so Flask-WTF's
default (a token kept in the cookie session) would fail exactly where it is needed.
WTForms lets a form's CSRF class take a *context*; here the context is the credential the
request is already bound to:

- ``launch:<session id>`` on launched pages (the launch handle's session),
- ``admin:<session>`` on the admin pages (the admin session or the launched admin),
- ``register:<configuration URL> <registration token>`` during Dynamic Registration.

The token is an HMAC of that binding with the instance secret, so it needs no storage,
and a token copied from another launch session, admin session or registration attempt
never validates. Forms with fields of their own subclass :class:`BoundForm`; a view that
only needs the check calls :func:`require_token`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

from lti_tool.constant_time import constant_time_equal

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def token_for(binding: str) -> str:
    """The form token of ``binding``: only someone holding that credential can know it."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"chemins-form:" + binding.encode(), hashlib.sha256).hexdigest()


class BoundCSRF(CSRF):
    """WTForms CSRF whose token is derived from ``meta.csrf_context`` (the binding)."""

    def setup_form(self, form: Any) -> Any:
        self.binding = str(form.meta.csrf_context)
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        return token_for(self.binding)

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        if not constant_time_equal(field.data, token_for(self.binding)):
            raise ValidationError(_l("This form has expired or belongs to another page."))


class BoundForm(FlaskForm):
    """A Flask-WTF form checked against a binding instead of the cookie session.

    Build it with ``meta={"csrf_context": binding}``; :func:`bound_form` does.
    """

    class Meta:
        csrf = True
        csrf_class = BoundCSRF
        csrf_field_name = FIELD


def bound_form(binding: str, form_class: type[BoundForm] = BoundForm, **kwargs: Any) -> Any:
    """``form_class`` bound to ``binding``, reading the request's form as usual.

    A token sent in the ``X-CSRF-Token`` header (a script's request) counts as the field.
    """
    if FIELD not in request.form and request.headers.get(HEADER):
        data = MultiDict(request.form)
        data[FIELD] = request.headers[HEADER]
        kwargs.setdefault("formdata", data)
    return form_class(meta={"csrf_context": binding}, **kwargs)


def require_token(binding: str) -> None:
    """400 unless the posted form carries the token of ``binding``."""
    form = bound_form(binding)
    form.validate()
    if FIELD in form.errors:
        abort(400)


def token_field(binding: str) -> Markup:
    """The hidden input every form bound to ``binding`` carries."""
    return Markup(  # noqa: S704 (the value is escaped here)
        f'<input type="hidden" name="{FIELD}" value="{escape(token_for(binding))}">'
    )
