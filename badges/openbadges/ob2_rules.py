"""The shape rules of Open Badges 2.0 documents: the spec's class table as checks.

Each ``check_*`` function reads one class (Assertion, BadgeClass, Profile,
IdentityObject, Endorsement, CryptographicKey, RevocationList) and records what is wrong
with it; fetching, signatures, origins and revocation live in
:mod:`badges.openbadges.verify_ob2`. Rules are lenient where the spec is (one value or an
array, ``verify`` for ``verification``, ``hosted`` for ``HostedBadge``, an IRI or the
embedded object) and strict where it is not (a DateTime without a timezone is an error).

Findings go to a :class:`Sink`. A badge's own documents report errors; an endorsement
is a third party's statement *about* the badge, so its rules run through a sink that
downgrades errors to warnings: a sloppy endorsement should be shown as unverified, not
make the badge it endorses invalid.

Codes:

- ``ob2.context``: ``@context`` does not name the OB 2.0 context;
- ``ob2.type``: ``type`` lacks the class name;
- ``ob2.required``: a required property is missing or empty;
- ``ob2.value``: a property has the wrong JSON type or an unknown value;
- ``ob2.datetime``: a DateTime is not ISO 8601 with a timezone;
- ``ob2.issuer-email``: an issuer Profile without ``email`` (warning: Moodle publishes
  ``""``, and the reference validator never checks it);
- ``ob2.image``: an image that is neither PNG nor SVG (warning);
- ``ob2.unmapped``: a key the OB 2.0 context does not map, so it means nothing to a
  JSON-LD consumer (warning; Moodle's ``alignments`` is the usual case);
- ``ob2.endorsement-claim``: an endorsement claim with no ``endorsementComment``
  (warning; the reference validator rejects it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badges.openbadges.contexts import terms
from badges.openbadges.dates import DateTimeError, parse_datetime
from badges.openbadges.hashing import IdentityHashError, split_hashed_identity
from badges.openbadges.ob2 import OB2_CONTEXT
from badges.openbadges.report import VerificationReport

OBI = "https://w3id.org/openbadges#"
HOSTED_TYPES = ("HostedBadge", "hosted")
SIGNED_TYPES = ("SignedBadge", "signed")
IMAGE_MEDIA_TYPES = ("data:image/png", "data:image/svg+xml")


@dataclass
class Sink:
    """Where findings go; ``strict=False`` records every error as a warning."""

    report: VerificationReport
    strict: bool = True

    def error(self, code: str, message: str, path: str | None = None) -> None:
        if self.strict:
            self.report.error(code, message, path)
        else:
            self.report.warn(code, message, path)

    def warn(self, code: str, message: str, path: str | None = None) -> None:
        self.report.warn(code, message, path)


def as_list(value: Any) -> list[Any]:
    """A multi-valued property as a list: OB 2.0 allows one value or an array."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def type_names(node: Mapping[str, Any]) -> list[str]:
    """The class names of ``node``, with the full ``obi:`` IRIs shortened."""
    return [
        name.removeprefix(OBI).removeprefix("obi:")
        for name in as_list(node.get("type"))
        if isinstance(name, str)
    ]


def node_id(value: Any) -> str | None:
    """The id of an IRI-or-object value."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def verification_of(node: Mapping[str, Any]) -> Any:
    """``verification``, or its alias ``verify`` (still written by Moodle)."""
    return node["verification"] if "verification" in node else node.get("verify")


def verification_kind(node: Mapping[str, Any]) -> str | None:
    """``"hosted"``, ``"signed"`` or None for an Assertion's verification object."""
    verification = verification_of(node)
    for item in as_list(verification):
        names = type_names(item) if isinstance(item, Mapping) else []
        if any(name in HOSTED_TYPES for name in names):
            return "hosted"
        if any(name in SIGNED_TYPES for name in names):
            return "signed"
    return None


def names_ob2_context(node: Mapping[str, Any]) -> bool:
    return OB2_CONTEXT in as_list(node.get("@context"))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


class Rules:
    """The OB 2.0 class table, checked against one document graph."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    # --- building blocks -------------------------------------------------------------

    def context(self, node: Mapping[str, Any], path: str) -> None:
        if not names_ob2_context(node):
            self.sink.error(
                "ob2.context",
                f"@context must be {OB2_CONTEXT} (this is not an Open Badges 2.0 document)",
                _join(path, "@context"),
            )

    def fetched(self, node: Mapping[str, Any], path: str) -> None:
        """A document fetched on its own: it needs its own context, and its terms mapped."""
        self.context(node, path)
        self.unmapped_terms(node, path)

    def type(self, node: Mapping[str, Any], path: str, *accepted: str) -> None:
        if not as_list(node.get("type")):
            self.sink.error("ob2.required", "type is required", _join(path, "type"))
        elif not set(type_names(node)) & set(accepted):
            self.sink.error(
                "ob2.type", f"type must be {' or '.join(accepted)}", _join(path, "type")
            )

    def required(self, node: Mapping[str, Any], path: str, *keys: str) -> None:
        for key in keys:
            if not _present(node.get(key)):
                self.sink.error("ob2.required", f"{key} is required", _join(path, key))

    def string(self, node: Mapping[str, Any], *keys: str, path: str = "") -> None:
        for key in keys:
            if key in node and node[key] is not None and not isinstance(node[key], str):
                self.sink.error("ob2.value", f"{key} must be a string", _join(path, key))

    def datetime(self, node: Mapping[str, Any], key: str, path: str) -> datetime | None:
        if key not in node or node[key] is None:
            return None
        try:
            return parse_datetime(node[key])
        except DateTimeError as exc:
            self.sink.error("ob2.datetime", f"{key}: {exc}", _join(path, key))
            return None

    def linked(self, node: Mapping[str, Any], key: str, path: str) -> None:
        """A property whose values are IRIs or embedded objects (one or many)."""
        for index, item in enumerate(as_list(node.get(key))):
            if not isinstance(item, str | Mapping):
                where = _join(path, f"{key}[{index}]")
                self.sink.error("ob2.value", f"{key} must be IRIs or objects", where)

    def image(self, value: Any, path: str) -> None:
        url = value.get("id") if isinstance(value, Mapping) else value
        if not isinstance(url, str) or not url:
            self.sink.error("ob2.value", "an image must be a URL, a data URI or an Image", path)
        elif url.startswith("data:") and not url.startswith(IMAGE_MEDIA_TYPES):
            self.sink.warn("ob2.image", "image data URI is neither PNG nor SVG", path)

    # --- classes ---------------------------------------------------------------------

    def identity(self, node: Any, path: str) -> None:
        if not isinstance(node, Mapping):
            self.sink.error("ob2.value", "recipient must be an IdentityObject", path)
            return
        self.required(node, path, "identity", "type")
        if not isinstance(node.get("hashed"), bool):
            self.sink.error("ob2.required", "hashed must be true or false", _join(path, "hashed"))
        self.string(node, "identity", "type", "salt", path=path)
        identity = node.get("identity")
        if node.get("hashed") is True and isinstance(identity, str):
            try:
                split_hashed_identity(identity)
            except IdentityHashError as exc:
                self.sink.error("ob2.value", str(exc), _join(path, "identity"))

    def assertion(self, node: Mapping[str, Any], path: str = "") -> None:
        self.context(node, path)
        self.type(node, path, "Assertion")
        self.required(node, path, "id", "recipient", "badge", "issuedOn")
        if not _present(verification_of(node)):
            self.sink.error("ob2.required", "verification is required", "verification")
        elif verification_kind(node) is None:
            where = _join(path, "verification.type")
            self.sink.error("ob2.value", "verification type must be hosted or signed", where)
        if "recipient" in node:
            self.identity(node["recipient"], _join(path, "recipient"))
        if "badge" in node and not isinstance(node["badge"], str | Mapping):
            self.sink.error("ob2.value", "badge must be an IRI or a BadgeClass", "badge")
        self.datetime(node, "issuedOn", path)
        self.datetime(node, "expires", path)
        self.string(node, "id", "narrative", "revocationReason", path=path)
        if "revoked" in node and not isinstance(node["revoked"], bool):
            self.sink.error("ob2.value", "revoked must be true or false", "revoked")
        if _present(node.get("image")):
            self.image(node["image"], _join(path, "image"))
        self.linked(node, "evidence", path)
        self.linked(node, "endorsement", path)

    def badge_class(self, node: Mapping[str, Any], path: str) -> None:
        self.type(node, path, "BadgeClass")
        self.required(node, path, "id", "name", "description", "image", "criteria", "issuer")
        self.string(node, "id", "name", "description", path=path)
        if _present(node.get("image")):
            self.image(node["image"], _join(path, "image"))
        criteria = node.get("criteria")
        if isinstance(criteria, Mapping) and not (criteria.get("id") or criteria.get("narrative")):
            where = _join(path, "criteria")
            self.sink.error("ob2.required", "criteria needs an id or a narrative", where)
        elif criteria is not None and not isinstance(criteria, str | Mapping):
            where = _join(path, "criteria")
            self.sink.error("ob2.value", "criteria must be a URL or Criteria", where)
        for index, item in enumerate(as_list(node.get("alignment"))):
            where = _join(path, f"alignment[{index}]")
            if not isinstance(item, Mapping):
                self.sink.error("ob2.value", "alignment must be AlignmentObjects", where)
            else:
                self.required(item, where, "targetName", "targetUrl")
        for index, tag in enumerate(as_list(node.get("tags"))):
            if not isinstance(tag, str):
                self.sink.error("ob2.value", "tags must be strings", _join(path, f"tags[{index}]"))
        self.linked(node, "endorsement", path)

    def profile(self, node: Mapping[str, Any], path: str) -> None:
        """A Profile acting as an issuer or endorser: it also needs name, url and email."""
        self.type(node, path, "Issuer", "Profile")
        self.required(node, path, "id", "name", "url")
        self.string(node, "id", "name", "url", "email", "description", "telephone", path=path)
        url = node.get("url")
        if isinstance(url, str) and url and not url.startswith(("http://", "https://")):
            self.sink.error("ob2.value", "url must be an http(s) URL", _join(path, "url"))
        if not _present(node.get("email")):
            self.sink.warn(
                "ob2.issuer-email",
                "the issuer Profile has no email, which OB 2.0 requires of issuers",
                _join(path, "email"),
            )
        self.linked(node, "publicKey", path)
        self.linked(node, "endorsement", path)

    def endorsement(self, node: Mapping[str, Any], path: str) -> None:
        self.type(node, path, "Endorsement")
        if node.get("revoked") is True:
            # A withdrawn endorsement keeps only its id, its issuer and a reason.
            self.required(node, path, "id", "issuer")
            return
        self.required(node, path, "id", "claim", "issuer", "issuedOn")
        if not _present(verification_of(node)):
            self.sink.error("ob2.required", "verification is required", _join(path, "verification"))
        self.datetime(node, "issuedOn", path)
        claim = node.get("claim")
        if isinstance(claim, str) or (
            isinstance(claim, Mapping) and set(claim) <= {"id", "type"} and "id" in claim
        ):
            self.sink.warn(
                "ob2.endorsement-claim",
                "the endorsement claim is only an id, with no endorsementComment",
                _join(path, "claim"),
            )
        elif isinstance(claim, Mapping) and not claim.get("id"):
            self.sink.error("ob2.required", "claim.id is required", _join(path, "claim.id"))
        issuer = node.get("issuer")
        if isinstance(issuer, Mapping):
            self.profile(issuer, _join(path, "issuer"))

    def key(self, node: Mapping[str, Any], path: str) -> None:
        self.type(node, path, "CryptographicKey")
        self.required(node, path, "id", "owner", "publicKeyPem")
        self.string(node, "id", "owner", "publicKeyPem", path=path)

    def revocation_list(self, node: Mapping[str, Any], path: str) -> None:
        self.type(node, path, "RevocationList")
        self.string(node, "id", path=path)
        self.linked(node, "issuer", path)
        where = _join(path, "revokedAssertions")
        if node.get("revokedAssertions") is None:
            self.sink.error("ob2.required", "revokedAssertions is required", where)
        for index, entry in enumerate(as_list(node.get("revokedAssertions"))):
            if not (isinstance(entry, str) or (isinstance(entry, Mapping) and node_id(entry))):
                message = "revokedAssertions entries must be ids or objects with an id"
                self.sink.error("ob2.value", message, f"{where}[{index}]")

    # --- vocabulary ------------------------------------------------------------------

    def unmapped_terms(self, node: Any, path: str = "") -> None:
        """Warn about keys the OB 2.0 context does not define, anywhere in ``node``.

        Keys with a colon (compact IRIs, extensions) and JSON-LD keywords are mapped by
        construction; a sub-object with its own ``@context`` brings its own terms.
        """
        known = terms(OB2_CONTEXT)
        if isinstance(node, list):
            for index, item in enumerate(node):
                self.unmapped_terms(item, f"{path}[{index}]")
            return
        if not isinstance(node, Mapping):
            return
        for key, value in node.items():
            if key.startswith("@") or ":" in key:
                continue
            if key not in known:
                self.sink.warn(
                    "ob2.unmapped",
                    f"{key!r} is not an Open Badges 2.0 term; consumers will ignore it",
                    _join(path, key),
                )
                continue
            own_context = isinstance(value, Mapping) and value.get("@context") not in (
                None,
                OB2_CONTEXT,
            )
            if not own_context:
                self.unmapped_terms(value, _join(path, key))
