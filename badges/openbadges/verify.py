"""The one entry point for verifying any Open Badge: 2.0 or 3.0, in whatever form it came.

People hand a verifier what they have: a baked PNG or SVG downloaded from a platform, a
``.jws`` file, a JSON file, a URL copied from a page. :func:`verify` recognises the form
from the bytes (never from a file name, which lies), unwraps it, decides the version and
hands over to :mod:`badges.openbadges.verify_ob2` or :mod:`badges.openbadges.verify_ob3`.

Input that cannot be examined at all raises :class:`UnusableInput` with a plain message
(``chemins verify`` exits 2 on it). Everything else ends in a
:class:`~badges.openbadges.report.VerificationReport`; no exception escapes, because a
verifier facing hostile input must answer, not crash.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any, BinaryIO

from badges.openbadges import jws
from badges.openbadges.baking import BakedBadge, unbake
from badges.openbadges.baking.png import JPEG_SIGNATURE, is_png
from badges.openbadges.baking.svg import is_svg
from badges.openbadges.errors import UnusableInput
from badges.openbadges.loader import Fetched, Loader, LoaderError
from badges.openbadges.report import VerificationReport
from badges.openbadges.verify_ob2 import verify_ob2

MAX_INPUT_BYTES = 10 * 1024 * 1024
VC_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1")

log = logging.getLogger(__name__)


class _FetchOnce:
    """Wraps the caller's loader for one verification so no URL is fetched twice.

    Dispatch may read a hosted document to learn its version before the verifier reads
    it again; a hostile server could also answer differently the second time.
    """

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.seen: dict[tuple[str, str], Fetched] = {}

    def __call__(self, url: str, accept: str = "application/ld+json, application/json") -> Fetched:
        key = (url, accept)
        if key not in self.seen:
            self.seen[key] = self.loader(url, accept)
        return self.seen[key]


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://")) and not any(c.isspace() for c in text)


def _contexts(document: Mapping[str, Any]) -> list[Any]:
    context = document.get("@context")
    return context if isinstance(context, list) else [context]


def is_ob3(document: Mapping[str, Any]) -> bool:
    """An OB 3.0 credential (VCDM 2.0 or 1.1 context), or a VC-JWT payload with ``vc``."""
    if isinstance(document.get("vc"), Mapping):
        return True
    return any(c in VC_CONTEXTS for c in _contexts(document))


def _ob3(data: str | dict[str, Any], loader: Loader, report: VerificationReport, **kw: Any) -> None:
    # Imported here so that OB 2.0 verification never depends on the OB 3.0 stack loading.
    from badges.openbadges.verify_ob3 import verify_ob3

    report.version = "3.0"
    verify_ob3(data, loader, report, **kw)


#: What a document needs for a verifier to treat it as a badge at all (OB 2.0 side).
OB2_SIGNS = ("recipient", "badge", "verification", "uid")
BADGE_TYPES = {
    "Assertion",
    "VerifiableCredential",
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
}


def is_badge(document: Any) -> bool:
    """True when ``document`` looks like some Open Badge, even a broken one.

    An OB 3.0 credential names a VC context (or is a VC-JWT payload); an OB 2.0 (or 1.0)
    Assertion has a badge type or one of the members only a badge has. Anything else
    (``{"a": 1}``) is no badge: reporting seven missing OB 2.0 members would tell the
    person nothing, so ``chemins verify`` says "not a badge" instead.
    """
    if not isinstance(document, Mapping):
        return False
    if is_ob3(document):
        return True
    types = document.get("type")
    names = types if isinstance(types, list) else [types]
    if any(isinstance(t, str) and t.rsplit("#", 1)[-1] in BADGE_TYPES for t in names):
        return True
    if any(isinstance(c, str) and "openbadges" in c for c in _contexts(document)):
        return True  # w3id.org/openbadges/v1 or v2
    return any(key in document for key in OB2_SIGNS)


def _verify_text(
    text: str, loader: Loader, report: VerificationReport, hint: str | None, **kw: Any
) -> None:
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise UnusableInput("the input is empty")
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as exc:
            message = f"the input is not valid JSON ({exc.msg}, line {exc.lineno})"
            raise UnusableInput(message) from exc
        if not is_badge(document):
            raise UnusableInput("not a badge: this JSON is neither an Open Badge 2.0 nor 3.0")
        _by_version(document, is_ob3(document), loader, report, hint, **kw)
    elif jws.is_compact_jws(text):
        payload = jws.parse(text).payload  # refuses alg "none" before anything else
        _by_version(text, is_ob3(payload), loader, report, hint, **kw)
    elif _is_url(text):
        _verify_url(text, loader, report, **kw)
    elif text.startswith("["):
        raise UnusableInput("the input is a JSON array, not a badge")
    else:
        raise UnusableInput("not a badge: expected a PNG, an SVG, JSON, a JWS or a URL")


def _by_version(
    data: str | dict[str, Any],
    ob3: bool,
    loader: Loader,
    report: VerificationReport,
    hint: str | None,
    **kw: Any,
) -> None:
    """Hand ``data`` to the verifier of its version, noting a baked version that differs."""
    _warn_version_hint(report, hint, "3.0" if ob3 else "2.0")
    if ob3:
        _ob3(data, loader, report, **kw)
    else:
        verify_ob2(data, loader, report, **kw)


def _warn_version_hint(report: VerificationReport, hint: str | None, version: str) -> None:
    if hint is not None and hint != version:
        report.warn(
            "baked-version",
            f"the image is baked as Open Badges {hint} but carries an Open Badges {version} badge",
        )


JWT_MEDIA_TYPES = ("application/vc+jwt", "application/jwt", "text/plain")


def _signed_body(fetched: Fetched) -> str | None:
    """The compact JWS a URL answered (a ``.jwt`` link, a JWS served as text), if any.

    Recognised by its content type or, for servers that label it loosely, by its shape,
    so that a token fetched from a URL verifies like the same token read from a file.
    """
    if fetched.status != 200:
        return None
    text = fetched.body.decode("utf-8", "replace").strip()
    media_type = fetched.content_type.split(";")[0].strip().lower()
    if media_type in JWT_MEDIA_TYPES or not text.startswith(("{", "[", "<")):
        return text if jws.is_compact_jws(text) else None
    return None


def _verify_url(url: str, loader: Loader, report: VerificationReport, **kw: Any) -> None:
    """A hosted badge: OB 2.0 unless the document there is an OB 3.0 credential.

    A URL answering a compact JWS (the ``.jwt`` link on a badge page) is verified as
    that token; a credential served with an embedded (Data Integrity) proof is verified
    as served, and one without is asked for again as a VC-JWT. The badge page people
    share (``/b/<id>``) answers its OB 2.0 Assertion to a client asking for JSON-LD
    (content negotiation), so it needs nothing here.
    """
    try:
        fetched = loader(url)
    except LoaderError:
        fetched = None  # the OB 2.0 verifier fetches again and reports the failure
    token = _signed_body(fetched) if fetched is not None else None
    if token is not None:
        payload = jws.parse(token).payload  # refuses alg "none" before anything else
        _by_version(token, is_ob3(payload), loader, report, None, **kw)
        return
    try:
        document = json.loads(fetched.body) if fetched and fetched.status == 200 else None
    except ValueError:
        document = None
    if isinstance(document, Mapping) and is_ob3(document):
        signed = None if "proof" in document else _signed_form(url, loader)
        _ob3(signed or dict(document), loader, report, **kw)
    else:
        verify_ob2(url, loader, report, **kw)


def _signed_form(url: str, loader: Loader) -> str | None:
    """The VC-JWT behind a hosted credential that was served without an embedded proof.

    Issuers that sign with VC-JWT (Chemins among them) publish the credential's JSON for
    people and the signed JWT on the same URL by content negotiation; without asking for
    it, a hosted OB 3.0 credential would look unsigned.
    """
    try:
        fetched = loader(url, "application/vc+jwt, application/jwt;q=0.9, text/plain;q=0.5")
    except LoaderError:
        return None
    text = fetched.body.decode("utf-8", "replace").strip() if fetched.status == 200 else ""
    return text if jws.is_compact_jws(text) else None


def _verify_baked(baked: BakedBadge, loader: Loader, report: VerificationReport, **kw: Any) -> None:
    data = baked.data
    if baked.url and data.lstrip().startswith("{"):
        try:
            declared = json.loads(data).get("id")
        except (ValueError, AttributeError):
            declared = None
        if declared is not None and declared != baked.url:
            report.warn(
                "baked-url",
                f"the image names {baked.url} but the badge inside declares {declared}",
            )
    _verify_text(data, loader, report, baked.version, **kw)
    report.subject["bakedIn"] = baked.image_format


def _check(data: bytes | str, loader: Loader, report: VerificationReport, **kw: Any) -> None:
    if isinstance(data, str):
        if len(data) > MAX_INPUT_BYTES:
            raise UnusableInput(f"the input is larger than {MAX_INPUT_BYTES // 2**20} MB")
        _verify_text(data, loader, report, None, **kw)
        return
    if len(data) > MAX_INPUT_BYTES:
        raise UnusableInput(f"the input is larger than {MAX_INPUT_BYTES // 2**20} MB")
    if data.startswith(JPEG_SIGNATURE):
        raise UnusableInput("this is a JPEG image; Open Badges are baked only into PNG or SVG")
    if is_png(data) or is_svg(data):
        baked = unbake(data)
        if baked is None:
            kind = "PNG" if is_png(data) else "SVG"
            raise UnusableInput(f"this {kind} image carries no badge (it is not baked)")
        _verify_baked(baked, loader, report, **kw)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInput("not a badge: neither a PNG, an SVG nor UTF-8 text") from exc
    _verify_text(text, loader, report, None, **kw)


def verify(
    data: bytes | str,
    loader: Loader,
    *,
    recipient: str | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify any Open Badge given as bytes (PNG, SVG, JSON, JWS) or text (also a URL).

    ``recipient`` (e.g. an e-mail address) is checked against the badge's hashed
    recipient; ``now`` fixes the clock for expiry checks. Raises :class:`UnusableInput`
    for input that is no badge at all; every other problem is a finding in the report.
    """
    report = VerificationReport()
    try:
        _check(data, _FetchOnce(loader), report, recipient=recipient, now=now)
    except UnusableInput:
        raise
    except LoaderError as exc:
        report.error("fetch", f"a document could not be fetched: {exc}")
    except Exception as exc:  # a verifier must answer on hostile input, never crash
        log.exception("verification failed unexpectedly")
        report.error("internal", f"verification stopped on an unexpected {type(exc).__name__}")
    return report


def _read_capped(stream: BinaryIO) -> bytes:
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise UnusableInput(f"the input is larger than {MAX_INPUT_BYTES // 2**20} MB")
    return data


def verify_source(
    source: str,
    loader: Loader,
    *,
    recipient: str | None = None,
    now: datetime | None = None,
    stdin: BinaryIO | None = None,
) -> VerificationReport:
    """Verify what ``source`` names: a file path, an http(s) URL, or ``-`` for stdin.

    A file larger than the cap is refused from its size, before it is read.
    """
    if source == "-":
        data = _read_capped(stdin or sys.stdin.buffer)
    elif _is_url(source):
        return verify(source, loader, recipient=recipient, now=now)
    else:
        try:
            if os.stat(source).st_size > MAX_INPUT_BYTES:
                raise UnusableInput(f"the file is larger than {MAX_INPUT_BYTES // 2**20} MB")
            with open(source, "rb") as handle:
                data = _read_capped(handle)
        except OSError as exc:
            raise UnusableInput(f"cannot read {source}: {exc.strerror or exc}") from exc
    return verify(data, loader, recipient=recipient, now=now)
