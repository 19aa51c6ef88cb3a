"""The result of verifying a badge: errors fail it, warnings inform.

One shape for OB 2.0 and OB 3.0 so that ``chemins verify`` prints the same JSON for any
input. Each finding carries a stable ``code`` (for programs and tests) and a plain
English ``message`` (for people; the web pages translate by code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str | None = None

    def as_dict(self) -> dict[str, str]:
        data = {"code": self.code, "message": self.message}
        if self.path:
            data["path"] = self.path
        return data


@dataclass
class VerificationReport:
    """What a verifier found. ``valid`` is true only when there is no error."""

    version: str | None = None  # "2.0" | "3.0" | None when unknown
    form: str | None = None  # hosted | signed | vc-jwt | ... (how the badge arrived)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    subject: dict[str, Any] = field(default_factory=dict)  # id, badge name, issuer, dates...

    @property
    def valid(self) -> bool:
        return not self.errors

    def error(self, code: str, message: str, path: str | None = None) -> None:
        self.errors.append(Finding(code, message, path))

    def warn(self, code: str, message: str, path: str | None = None) -> None:
        self.warnings.append(Finding(code, message, path))

    def has(self, code: str) -> bool:
        """True if an error or warning with ``code`` was reported."""
        return any(f.code == code for f in (*self.errors, *self.warnings))

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "openBadgesVersion": self.version,
            "form": self.form,
            "errorCount": len(self.errors),
            "warningCount": len(self.warnings),
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
            "subject": self.subject,
        }
