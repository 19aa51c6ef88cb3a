"""The one CSRF mechanism: a WTForms CSRF class bound to the request's credential."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import BadRequest
from wtforms import StringField

from lti_tool.form_csrf import BoundForm, bound_form, require_token, token_field, token_for


class _Named(BoundForm):
    name = StringField()


def test_a_token_is_bound_to_its_credential(app) -> None:
    with app.test_request_context():
        assert token_for("launch:a") == token_for("launch:a")
        assert token_for("launch:a") != token_for("launch:b")
        assert token_for("launch:a") != token_for("admin:a")


@pytest.mark.parametrize(
    "sent",
    [
        None,  # missing
        "",
        "another session's token",  # replaced below by a real token of another binding
        "é" * 64,  # non-ASCII: a refusal, not a TypeError
        "0" * 64,
    ],
)
def test_a_form_without_its_own_token_is_refused(app, sent) -> None:
    with app.test_request_context():
        if sent == "another session's token":
            sent = token_for("launch:someone-else")
    data = {} if sent is None else {"csrf_token": sent}
    with app.test_request_context(method="POST", data=data), pytest.raises(BadRequest):
        require_token("launch:mine")


def test_a_form_with_its_own_token_passes_in_the_field_or_the_header(app) -> None:
    with app.test_request_context():
        mine = token_for("launch:mine")
    with app.test_request_context(method="POST", data={"csrf_token": mine}):
        require_token("launch:mine")
    with app.test_request_context(method="POST", headers={"X-CSRF-Token": mine}):
        require_token("launch:mine")


def test_forms_with_fields_validate_their_token_too(app) -> None:
    with app.test_request_context():
        mine = token_for("admin:x")
        assert f'value="{mine}"' in token_field("admin:x")
    with app.test_request_context(method="POST", data={"csrf_token": mine, "name": "Sylvie"}):
        form = bound_form("admin:x", _Named)
        assert form.validate() and form.name.data == "Sylvie"
    with app.test_request_context(method="POST", data={"csrf_token": mine, "name": "Sylvie"}):
        form = bound_form("admin:y", _Named)
        assert not form.validate() and "csrf_token" in form.errors
