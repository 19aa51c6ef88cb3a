"""Where an accepted launch lands: named destinations that blueprints contribute.

A placement names its page in the custom parameter ``target`` (``ask-badge``,
``recognition-wall``...), and some message types have a page of their own (a Deep
Linking request opens the trainer's picker). The launch view does not know those
pages: each blueprint contributes its own with :func:`contribute` when it is
registered on an app, so an app holds exactly the destinations of the blueprints it
registered, and two apps in one process (tests, the demo) never share them.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

#: The key of the app's destinations (name → endpoint) in ``app.extensions``.
EXTENSION = "chemins.destinations"


def contribute(bp: Blueprint, destinations: Mapping[str, str]) -> None:
    """Have ``bp`` add ``destinations`` (name → endpoint) to each app it is registered on.

    An endpoint starting with ``.`` is the blueprint's own, as in ``url_for``.
    """

    def record(state: BlueprintSetupState) -> None:
        known: dict[str, str] = state.app.extensions.setdefault(EXTENSION, {})
        for name, endpoint in destinations.items():
            known[name] = f"{state.name}{endpoint}" if endpoint.startswith(".") else endpoint

    bp.record_once(record)


def destination(app: Flask, name: object) -> str | None:
    """The endpoint a launch named ``name`` goes to, if ``app`` has such a page."""
    if not isinstance(name, str):
        return None
    endpoint = app.extensions.get(EXTENSION, {}).get(name)
    return endpoint if endpoint in app.view_functions else None
