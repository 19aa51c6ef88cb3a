"""Deep Linking 2.0: answering a platform's "add content" request with signed items.

A trainer places a badge's "ask for this badge" page, the recognition wall or the
endorsement board in the course. The platform says what it can take in the request's
``deep_linking_settings``; Moodle accepts only ``ltiResourceLink``, Open edX also
``link``, ``html`` and ``image`` but shows an error page for ``file``. So the tool never
sends a type the request did not accept, never sends several items when
``accept_multiple`` is false, and attaches a ``lineItem`` (which makes the platform
create a grade column) unless ``accept_lineitem`` is false. A missing key means "no
assumption" (DL §4.4.1), and that is what Moodle 4.3 sends: no ``accept_lineitem`` at
all, yet it does create a grade item from a returned ``lineItem``. Open edX (also
without the key) ignores the ``lineItem``; there the tool creates the column itself
through the line-items service (:mod:`lti_tool.lti1p3.assignments_grades`).

The response is a JWT signed with the tool's LTI key (``kid`` header), posted by the
browser as the form field ``JWT`` to ``deep_link_return_url``. ``data`` is echoed
verbatim when the request had it and left out otherwise: some libraries send
``"data": null``, which strict platforms refuse.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lti_tool.lti1p3.claims import (
    CONTENT_ITEMS,
    DEEP_LINKING_RESPONSE,
    DEEP_LINKING_SETTINGS,
    DEPLOYMENT_ID,
    DL_DATA,
    DL_MSG,
    LTI_VERSION,
    MESSAGE_TYPE,
    VERSION,
)
from lti_tool.lti1p3.tool_key import ToolKey

RESPONSE_LIFETIME = 600

RESOURCE_LINK = "ltiResourceLink"
LINK = "link"
HTML = "html"
IMAGE = "image"
FILE = "file"
#: What Chemins knows how to place. ``file`` is deliberately absent (Open edX rejects it
#: and a badge is not a download).
SUPPORTED_TYPES = (RESOURCE_LINK, LINK, HTML, IMAGE)


class DeepLinkingError(ValueError):
    """A deep-linking request is malformed, or the chosen items do not fit it."""


@dataclass(frozen=True)
class DeepLinkingSettings:
    """What the platform accepts in its answer, read from the request's claims."""

    return_url: str
    accept_types: frozenset[str]
    accept_presentation_document_targets: frozenset[str]
    accept_multiple: bool = False
    #: False only when the platform said ``"accept_lineitem": false``.
    accept_lineitem: bool = True
    auto_create: bool = False
    title: str | None = None
    text: str | None = None
    has_data: bool = False
    data: Any = field(default=None, compare=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> DeepLinkingSettings:
        """Read and check ``deep_linking_settings`` (DL §4.4; B27 in the test matrix)."""
        settings = claims.get(DEEP_LINKING_SETTINGS)
        if not isinstance(settings, Mapping):
            raise DeepLinkingError("the request has no deep_linking_settings")
        return_url = settings.get("deep_link_return_url")
        if not isinstance(return_url, str) or not return_url.startswith(("https://", "http://")):
            raise DeepLinkingError("deep_link_return_url is missing or not a URL")
        types = settings.get("accept_types")
        targets = settings.get("accept_presentation_document_targets")
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise DeepLinkingError("accept_types is missing")
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise DeepLinkingError("accept_presentation_document_targets is missing")

        def text(key: str) -> str | None:
            value = settings.get(key)
            return value if isinstance(value, str) else None

        return cls(
            return_url=return_url,
            accept_types=frozenset(types),
            accept_presentation_document_targets=frozenset(targets),
            accept_multiple=settings.get("accept_multiple") is True,
            accept_lineitem=settings.get("accept_lineitem") is not False,
            auto_create=settings.get("auto_create") is True,
            title=text("title"),
            text=text("text"),
            has_data="data" in settings,
            data=settings.get("data"),
        )

    def offered_types(self) -> tuple[str, ...]:
        """The item types both sides support, in the tool's order of preference."""
        return tuple(t for t in SUPPORTED_TYPES if t in self.accept_types)


@dataclass(frozen=True)
class LineItem:
    """The grade column a placed badge creates: full marks when the badge is awarded."""

    score_maximum: float
    label: str
    resource_id: str | None = None
    tag: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.score_maximum <= 0:
            raise DeepLinkingError("a line item's scoreMaximum must be positive")
        body: dict[str, Any] = {"scoreMaximum": self.score_maximum, "label": self.label}
        if self.resource_id:
            body["resourceId"] = self.resource_id
        if self.tag:
            body["tag"] = self.tag
        return body


@dataclass(frozen=True)
class ContentItem:
    """One item to place; ``type`` is one of :data:`SUPPORTED_TYPES`.

    ``url`` serves ``ltiResourceLink``, ``link`` and ``image``; ``html`` serves ``html``.
    ``custom`` travels back in later launches of an ``ltiResourceLink`` (Moodle and Open
    edX both keep it), which is how the tool knows which badge a link is for.
    """

    type: str
    title: str
    url: str | None = None
    text: str | None = None
    html: str | None = None
    custom: Mapping[str, str] | None = None
    line_item: LineItem | None = None
    icon_url: str | None = None
    width: int | None = None
    height: int | None = None

    def to_json(self, settings: DeepLinkingSettings) -> dict[str, Any]:
        item: dict[str, Any] = {"type": self.type, "title": self.title}
        if self.text:
            item["text"] = self.text
        if self.type in (RESOURCE_LINK, LINK, IMAGE):
            if not self.url:
                raise DeepLinkingError(f"a {self.type} item needs a url")
            item["url"] = self.url
        if self.type == HTML:
            if not self.html:
                raise DeepLinkingError("an html item needs its html")
            item["html"] = self.html
        if self.type == IMAGE and self.width and self.height:
            item["width"], item["height"] = self.width, self.height
        if self.icon_url and self.type in (RESOURCE_LINK, LINK):
            item["icon"] = {"url": self.icon_url}
        if self.type == RESOURCE_LINK:
            if self.custom:
                item["custom"] = dict(self.custom)
            if self.line_item and settings.accept_lineitem:
                item["lineItem"] = self.line_item.to_json()
        return item


def content_items_json(
    settings: DeepLinkingSettings, items: Sequence[ContentItem]
) -> list[dict[str, Any]]:
    """The ``content_items`` claim, refusing what the platform said it cannot take."""
    if len(items) > 1 and not settings.accept_multiple:
        raise DeepLinkingError("the platform accepts only one item here")
    for item in items:
        if item.type not in SUPPORTED_TYPES:
            raise DeepLinkingError(f"the tool does not place items of type {item.type!r}")
        if item.type not in settings.accept_types:
            raise DeepLinkingError(f"the platform does not accept items of type {item.type!r}")
    return [item.to_json(settings) for item in items]


def build_response(
    settings: DeepLinkingSettings,
    items: Sequence[ContentItem],
    *,
    key: ToolKey,
    client_id: str,
    platform_issuer: str,
    deployment_id: str,
    message: str | None = None,
    now: float | None = None,
) -> str:
    """The signed ``LtiDeepLinkingResponse`` JWT; no items means "cancelled"."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": client_id,
        "aud": platform_issuer,
        "iat": issued,
        "exp": issued + RESPONSE_LIFETIME,
        "nonce": uuid.uuid4().hex,
        MESSAGE_TYPE: DEEP_LINKING_RESPONSE,
        VERSION: LTI_VERSION,
        DEPLOYMENT_ID: deployment_id,
        CONTENT_ITEMS: content_items_json(settings, items),
    }
    if settings.has_data:
        claims[DL_DATA] = settings.data
    if message:
        claims[DL_MSG] = message
    return key.sign(claims)


@dataclass(frozen=True)
class ResponseForm:
    """The form the browser auto-submits: field ``JWT`` posted to the return URL."""

    action: str
    fields: Mapping[str, str]


def response_form(settings: DeepLinkingSettings, jwt_value: str) -> ResponseForm:
    return ResponseForm(action=settings.return_url, fields={"JWT": jwt_value})
