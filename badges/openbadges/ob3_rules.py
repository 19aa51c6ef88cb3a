"""The shape rules of OB 3.0 credentials, as the 1EdTech JSON Schemas state them.

The schemas ``ob_v3p0_achievementcredential_schema.json`` and
``ob_v3p0_endorsementcredential_schema.json`` are the first step of OB 3.0 verification.
They are restated here as plain checks rather than run through a JSON Schema engine for
two reasons: every violation becomes a :class:`~badges.openbadges.report.Finding` with a
stable code and a readable path (a schema engine reports ``allOf/1/contains``), and no
schema document has to be fetched or bundled. The property-level checks these rules are
written with (required, string, URI, date-time, ``type``) are in
:mod:`badges.openbadges.ob3_checks`; this module says which class needs what.

Codes (all errors):

- ``ob3.context``: ``@context`` is not ``[VCDM, OB 3.0 context, ...]``;
- ``ob3.context-unknown``: a context URL we do not bundle (verification never fetches one);
- ``ob3.type``: a ``type`` lacks the required class name;
- ``ob3.required``: a required property is missing or empty;
- ``ob3.value``: a property has the wrong JSON type;
- ``ob3.uri`` / ``ob3.date-time``: a value is not a URI / an RFC 3339 date-time with zone;
- ``ob3.subject-identity``: ``credentialSubject`` has neither ``id`` nor an ``identifier``.

VCDM 1.1 credentials (``issuanceDate``/``expirationDate``) pass only when the caller says
they are acceptable, because we verify them but never issue them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from badges.openbadges.contexts import is_bundled
from badges.openbadges.ob3_checks import PropertyChecker, join_path
from badges.openbadges.ob3_values import is_compact_jws, is_uri, type_names
from badges.openbadges.report import VerificationReport

VCDM_V2 = "https://www.w3.org/ns/credentials/v2"
VCDM_V1 = "https://www.w3.org/2018/credentials/v1"
OB3_CONTEXT_PATTERN = re.compile(
    r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$"
)

ACHIEVEMENT_CREDENTIAL_TYPES = ("OpenBadgeCredential", "AchievementCredential")


class _Checker(PropertyChecker):
    """The rules of the OB 3.0 classes a credential is made of, one method a class."""

    def context(self, node: Mapping[str, Any], *, allow_vcdm11: bool) -> bool:
        """``@context`` order and bundling; returns True for a VCDM 1.1 credential."""
        context = node.get("@context")
        if not isinstance(context, list) or len(context) < 2:
            self.error("ob3.context", "@context must be an array of at least two URLs", "@context")
            return False
        first, second = context[0], context[1]
        vcdm11 = first == VCDM_V1
        if not (first == VCDM_V2 or (vcdm11 and allow_vcdm11)):
            self.error("ob3.context", f"the first @context must be {VCDM_V2}", "@context[0]")
        if not isinstance(second, str) or not OB3_CONTEXT_PATTERN.match(second):
            self.error(
                "ob3.context",
                "the second @context must be an Open Badges 3.0 context URL",
                "@context[1]",
            )
        for index, entry in enumerate(context):
            if isinstance(entry, str) and not is_bundled(entry):
                self.error(
                    "ob3.context-unknown",
                    f"unknown @context {entry[:100]} (contexts are never fetched)",
                    f"@context[{index}]",
                )
            elif not isinstance(entry, str | Mapping):
                self.error(
                    "ob3.context", "@context entries must be URLs or objects", f"@context[{index}]"
                )
        return vcdm11

    def profile(self, node: Any, path: str) -> None:
        if isinstance(node, str):
            if not is_uri(node):
                self.error("ob3.uri", "a Profile reference must be a URI", path)
            return
        if not isinstance(node, Mapping):
            self.error("ob3.value", "a Profile must be a URI or an object", path)
            return
        self.uri(node, "id", path, required=True)
        self.types(node, path, "Profile")
        for name in ("name", "email", "description", "phone"):
            self.string(node, name, path, required=False)
        self.uri(node, "url", path, required=False)
        self.image(node, "image", path)
        self.endorsements(node, path)

    def image(self, node: Mapping[str, Any], name: str, path: str) -> None:
        value = node.get(name)
        if value is None:
            return
        image_path = join_path(path, name)
        if not isinstance(value, Mapping):
            self.error("ob3.value", "an Image must be an object with id and type", image_path)
            return
        self.uri(value, "id", image_path, required=True)
        self.types(value, image_path, "Image")
        self.string(value, "caption", image_path, required=False)

    def endorsements(self, node: Mapping[str, Any], path: str) -> None:
        """Embedded endorsements are objects, ``endorsementJwt`` entries compact JWS.

        Their own rules are checked when the verifier verifies each of them.
        """
        self.objects(node, "endorsement", path)
        value = node.get("endorsementJwt")
        if value is None:
            return
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if not is_compact_jws(item):
                self.error(
                    "ob3.value",
                    "endorsementJwt entries must be compact JWS strings",
                    f"{join_path(path, 'endorsementJwt')}[{index}]",
                )

    def achievement(self, node: Mapping[str, Any], path: str) -> None:
        self.uri(node, "id", path, required=True)
        self.types(node, path, "Achievement")
        self.string(node, "name", path, required=True)
        self.string(node, "description", path, required=True)
        criteria = self.obj(node, "criteria", path, required=True)
        if criteria is not None:
            criteria_path = join_path(path, "criteria")
            if "id" not in criteria and not criteria.get("narrative"):
                self.error("ob3.required", "criteria need an id or a narrative", criteria_path)
            self.uri(criteria, "id", criteria_path, required=False)
            self.string(criteria, "narrative", criteria_path, required=False)
        self.string(node, "achievementType", path, required=False)
        self.image(node, "image", path)
        if "creator" in node:
            self.profile(node["creator"], join_path(path, "creator"))
        for item_path, item in self.objects(node, "alignment", path):
            self.types(item, item_path, "Alignment")
            self.string(item, "targetName", item_path, required=True)
            self.uri(item, "targetUrl", item_path, required=True)
        for item_path, item in self.objects(node, "related", path):
            self.uri(item, "id", item_path, required=True)
            self.types(item, item_path, "Related")
        tags = node.get("tag")
        if tags is not None and not (
            isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
        ):
            self.error("ob3.value", "tag must be an array of strings", join_path(path, "tag"))
        self.string(node, "inLanguage", path, required=False)
        self.endorsements(node, path)

    def identity(self, node: Mapping[str, Any], path: str) -> None:
        self.types(node, path, "IdentityObject")
        if not isinstance(node.get("hashed"), bool):
            self.error(
                "ob3.required",
                "hashed is required and must be a boolean",
                join_path(path, "hashed"),
            )
        self.string(node, "identityHash", path, required=True)
        self.string(node, "identityType", path, required=True)
        self.string(node, "salt", path, required=False)

    def achievement_subject(self, node: Mapping[str, Any], path: str) -> None:
        self.types(node, path, "AchievementSubject")
        identifiers = self.objects(node, "identifier", path)
        if "id" in node:
            self.uri(node, "id", path, required=False)
        elif not identifiers:
            self.error(
                "ob3.subject-identity",
                "credentialSubject needs an id or at least one identifier",
                path,
            )
        for item_path, item in identifiers:
            self.identity(item, item_path)
        achievement = self.obj(node, "achievement", path, required=True)
        if achievement is not None:
            self.achievement(achievement, join_path(path, "achievement"))

    def credential_common(self, node: Mapping[str, Any], *, allow_vcdm11: bool) -> None:
        """What every OB 3.0 credential shares: context, id, issuer, dates, status."""
        vcdm11 = self.context(node, allow_vcdm11=allow_vcdm11)
        self.uri(node, "id", "", required=True)
        if self.required(node, "issuer", ""):
            self.profile(node["issuer"], "issuer")
        if vcdm11:
            self.date_time(node, "issuanceDate", "", required=True)
            self.date_time(node, "expirationDate", "", required=False)
        else:
            self.date_time(node, "validFrom", "", required=True)
            self.date_time(node, "validUntil", "", required=False)
        self.date_time(node, "awardedDate", "", required=False)
        for name in ("name", "description"):
            self.string(node, name, "", required=False)
        for item_path, item in self.objects(node, "credentialStatus", ""):
            self.uri(item, "id", item_path, required=True)
            self.string(item, "type", item_path, required=True)
        for item_path, item in self.objects(node, "credentialSchema", ""):
            self.uri(item, "id", item_path, required=True)
            self.string(item, "type", item_path, required=True)


def _credential_checker(
    credential: Any,
    report: VerificationReport,
    allow_vcdm11: bool,
    prefix: str,
    *needed: str,
    any_of: tuple[str, ...] = (),
) -> _Checker | None:
    """Check what every credential shares, ``type`` naming ``needed`` and one of ``any_of``.

    Returns the checker for the rules of the credential's own kind, or None when
    ``credential`` is not even an object (reported).
    """
    checker = _Checker(report, prefix)
    if not isinstance(credential, Mapping):
        checker.error("ob3.value", "a credential must be a JSON object", "")
        return None
    checker.credential_common(credential, allow_vcdm11=allow_vcdm11)
    # A credential's ``type`` must be an array (the schemas allow no single string).
    if not isinstance(credential.get("type"), list):
        checker.error("ob3.type", "type must be an array", "type")
    else:
        checker.types(credential, "", "VerifiableCredential", *needed, any_of=any_of)
    return checker


def check_achievement_credential(
    credential: Any,
    report: VerificationReport,
    *,
    allow_vcdm11: bool = False,
    prefix: str = "",
) -> VerificationReport:
    """Report every way ``credential`` breaks the AchievementCredential schema."""
    checker = _credential_checker(
        credential, report, allow_vcdm11, prefix, any_of=ACHIEVEMENT_CREDENTIAL_TYPES
    )
    if checker is None:
        return report
    subject = checker.obj(credential, "credentialSubject", "", required=True)
    if subject is not None:
        checker.achievement_subject(subject, "credentialSubject")
    for item_path, item in checker.objects(credential, "evidence", ""):
        checker.types(item, item_path, "Evidence")
        checker.uri(item, "id", item_path, required=False)
    checker.image(credential, "image", "")
    checker.endorsements(credential, "")
    return report


def check_endorsement_credential(
    credential: Any,
    report: VerificationReport,
    *,
    allow_vcdm11: bool = False,
    prefix: str = "",
) -> VerificationReport:
    """Report every way ``credential`` breaks the EndorsementCredential schema."""
    checker = _credential_checker(credential, report, allow_vcdm11, prefix, "EndorsementCredential")
    if checker is None:
        return report
    checker.string(credential, "name", "", required=True)
    subject = checker.obj(credential, "credentialSubject", "", required=True)
    if subject is not None:
        checker.uri(subject, "id", "credentialSubject", required=True)
        checker.types(subject, "credentialSubject", "EndorsementSubject")
        checker.string(subject, "endorsementComment", "credentialSubject", required=False)
    return report


def is_endorsement(credential: Any) -> bool:
    """True if ``credential`` declares itself an EndorsementCredential."""
    return isinstance(credential, Mapping) and "EndorsementCredential" in type_names(
        credential.get("type")
    )


def check_credential(
    credential: Any,
    report: VerificationReport,
    *,
    allow_vcdm11: bool = False,
    prefix: str = "",
) -> VerificationReport:
    """Check ``credential`` against the schema its ``type`` names (achievement by default)."""
    if is_endorsement(credential):
        return check_endorsement_credential(
            credential, report, allow_vcdm11=allow_vcdm11, prefix=prefix
        )
    return check_achievement_credential(
        credential, report, allow_vcdm11=allow_vcdm11, prefix=prefix
    )
