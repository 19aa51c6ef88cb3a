"""Query parameters that carry credentials, and URLs with their values blotted out.

Without cookies (an LMS iframe drops them) a launch handle (``lh``), an admin token
(``at``) or a registration link's secret (``rl``) rides in the URL, and so would leak
wherever URLs are kept: access logs, the ``Referer`` sent to other sites, shared caches.
The pages that carry one are sent ``no-store`` and a same-origin referrer policy
(:mod:`lti_tool.security_headers`); the access log writes these URLs through
:func:`redact` (:mod:`lti_tool.access_log`). Any parameter whose name says ``token``
(``registration_token`` of Dynamic Registration, ``id_token``) counts as one too.
"""

from __future__ import annotations

import re

#: Parameters holding a credential of this tool (besides any ``…token…``).
CREDENTIAL_PARAMETERS = frozenset({"lh", "at", "rl"})
REDACTED = "[redacted]"
#: ``name=value`` of a credential parameter in a query string, wherever a URL appears
#: in a line (request line, ``Referer``): the name follows ``?``, ``&`` or ``;``.
_CREDENTIAL = re.compile(
    r"(?<=[?&;])((?:"
    + "|".join(sorted(CREDENTIAL_PARAMETERS))
    + r"|[^=&;#\s\"]*token[^=&;#\s\"]*)=)[^&;#\s\"]*",
    re.IGNORECASE,
)


def is_credential(name: str) -> bool:
    """Whether a query parameter of this name carries a credential."""
    lowered = name.lower()
    return lowered in CREDENTIAL_PARAMETERS or "token" in lowered


def redact(text: str) -> str:
    """``text`` with the value of every credential parameter of its URLs blotted out."""
    return _CREDENTIAL.sub(r"\1" + REDACTED, text)
