"""The answer to an outbound call, read in full under the call's deadline and size cap.

It offers what callers used on ``requests``' responses (``status_code``, ``ok``,
``headers``, ``url``, ``content``, ``text``, ``json()``, ``raise_for_status()``), but its
body is already in memory: nothing is left to read from the remote after the call.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from requests.utils import get_encoding_from_headers

from badges.outbound.errors import OutboundStatusError


@dataclass(frozen=True)
class OutboundResponse:
    """Status, headers (case-insensitive) and the whole body of one answer."""

    method: str
    url: str
    status_code: int
    headers: Mapping[str, str]
    content: bytes
    reason: str = ""
    #: Every URL this call went through before ``url``, when it followed redirects.
    history: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "Location" in self.headers

    @property
    def encoding(self) -> str:
        """The declared charset if it names a known codec, else UTF-8 (JSON's own)."""
        if "charset=" not in self.headers.get("Content-Type", "").lower():
            return "utf-8"
        declared = get_encoding_from_headers(self.headers) or "utf-8"
        try:
            return codecs.lookup(declared).name
        except LookupError:
            return "utf-8"

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not."""
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if not self.ok:
            raise OutboundStatusError(
                f"{self.method} {self.url} answered HTTP {self.status_code}", self.status_code
            )
