"""What the demo LMS's LTI Advantage services remember: tools, rosters, grades, tokens.

The demo runs in one process (``make run`` and the tests), so an in-memory registry
guarded by a lock is enough; it is the platform's side of the facts the tool relies on:
which tools are registered with which keys and scopes, who is in which course, which
line items exist and which scores arrived, which items a Deep Linking response placed,
and which one-time registration tokens were handed out and used.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.registration import Registration

#: Every scope the demo platform can grant (AGS + NRPS).
SUPPORTED_SCOPES = frozenset(
    {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    }
)


@dataclass
class ToolClient:
    """One registration of a tool on the demo platform."""

    client_id: str
    jwks_url: str
    deployment_ids: set[str] = field(default_factory=set)
    allowed_scopes: frozenset[str] = SUPPORTED_SCOPES
    name: str = ""
    active: bool = True
    registration: dict[str, Any] = field(default_factory=dict)
    #: Which platform's answers its services give: ``"moodle"`` (a stale score → 409) or
    #: ``"openedx"`` (a stale score → 400 naming the timestamp, as lti-consumer-xblock).
    style: str = "moodle"


@dataclass
class LineItem:
    id: str
    context_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None
    resource_link_id: str | None = None
    tag: str | None = None
    #: Moodle-style line item URLs carry ``?type_id=``; Open edX ones carry nothing.
    type_id: str | None = None


@dataclass
class ReceivedScore:
    lineitem_id: str
    user_id: str
    body: dict[str, Any]
    timestamp: datetime


class ServiceState:
    """The demo platform's memory, shared by its service endpoints."""

    def __init__(self, issuer: str, private_key_pem: str | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        if private_key_pem is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            private_key_pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
        public_pem = (
            serialization.load_pem_private_key(private_key_pem.encode(), None)
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        # lti1p3platform's Registration holds the platform key pair and signs with its
        # RFC 7638 kid; the demo's launches use the same object.
        self.platform = (
            Registration()
            .set_iss(self.issuer)
            .set_platform_private_key(private_key_pem)
            .set_platform_public_key(public_pem)
        )
        #: The OIDC authorization endpoint the demo's launch code serves (advertised in
        #: the Dynamic Registration configuration).
        self.authorization_url = f"{self.issuer}/lti/auth"
        self.lock = threading.RLock()
        self.clients: dict[str, ToolClient] = {}
        self.memberships: dict[str, list[dict[str, Any]]] = {}
        self.contexts: dict[str, dict[str, Any]] = {}
        self.lineitems: dict[str, LineItem] = {}
        self.scores: list[ReceivedScore] = []
        self.placed_items: list[dict[str, Any]] = []
        self.deep_linking_accept_types: frozenset[str] = frozenset({"ltiResourceLink"})
        #: "intersect": grant the allowed part of the request, ``invalid_scope`` when
        #: nothing is left (Moodle's ``token.php``); "subset": refuse the whole request
        #: as soon as one scope is not allowed (the strictest reading of RFC 6749 §5.2).
        self.scope_policy = "intersect"
        self.used_jtis: set[str] = set()
        self.used_nonces: set[str] = set()
        self.registration_tokens: dict[str, bool] = {}
        #: Tokens of Moodle's "Update" (a tool of the same domain exists): token → the
        #: client id the registration updates instead of creating one.
        self.registration_updates: dict[str, str] = {}
        self.token_requests: list[dict[str, Any]] = []
        #: Seconds the line-item list waits before answering: widens the window in
        #: which two senders could both find no column (the race tests aim at it).
        self.lineitems_delay = 0.0
        self._ids = itertools.count(1)

    def add_client(self, client: ToolClient) -> ToolClient:
        with self.lock:
            self.clients[client.client_id] = client
        return client

    def add_context(self, context_id: str, title: str, members: list[dict[str, Any]]) -> None:
        with self.lock:
            self.contexts[context_id] = {"id": context_id, "title": title, "label": title}
            self.memberships[context_id] = list(members)

    def add_lineitem(
        self, context_id: str, label: str, score_maximum: float, **extra: Any
    ) -> LineItem:
        with self.lock:
            item = LineItem(
                id=str(next(self._ids)),
                context_id=context_id,
                label=label,
                score_maximum=score_maximum,
                **extra,
            )
            self.lineitems[item.id] = item
            return item

    def placed_links(self) -> list[tuple[str, dict[str, Any]]]:
        """Resource links placed by Deep Linking, in order, with the link id each one got.

        The platform names the links it creates, as Moodle gives each new activity its
        own id: ``placed-0``, ``placed-1``… in the order they came back.
        """
        with self.lock:
            links = [
                item
                for item in self.placed_items
                if isinstance(item, dict) and item.get("type") == "ltiResourceLink"
            ]
        return [(f"placed-{index}", item) for index, item in enumerate(links)]

    def lineitem_of_link(self, context_id: str, resource_link_id: str) -> LineItem | None:
        """The line item a placed link grades in a course, if it was placed with one."""
        with self.lock:
            return next(
                (
                    item
                    for item in self.lineitems.values()
                    if item.context_id == context_id and item.resource_link_id == resource_link_id
                ),
                None,
            )

    def latest_scores(self, lineitem_id: str) -> dict[str, ReceivedScore]:
        """The last score received for each learner of a line item, by user id."""
        latest: dict[str, ReceivedScore] = {}
        with self.lock:
            for score in self.scores:
                if score.lineitem_id == lineitem_id:
                    previous = latest.get(score.user_id)
                    if previous is None or score.timestamp > previous.timestamp:
                        latest[score.user_id] = score
        return latest

    def issue_registration_token(self, update: str | None = None) -> str:
        """A one-time token for a Dynamic Registration link (Moodle: a signed JWT).

        ``update`` names the client an "Update" registration rewrites (Moodle keeps its
        client id and deployment).
        """
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.registration_tokens[token] = False
            if update is not None:
                self.registration_updates[token] = update
        return token

    def next_deployment_id(self) -> str:
        return str(next(self._ids))

    @staticmethod
    def new_client_id() -> str:
        return str(uuid.uuid4())
