"""Errors of the LTI Advantage calls the tool makes to a platform.

Each names what went wrong in plain words (shown to trainers and admins in their
language by the web layer) and keeps the platform's own error code and HTTP status for
the logs, because "invalid_scope" from Moodle and a 401 from Open edX need different
fixes on the platform side.
"""

from __future__ import annotations


class PlatformServiceError(Exception):
    """A platform refused or failed an LTI service call."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class ServiceNotOffered(PlatformServiceError):
    """The launch did not grant the service (claim or scope missing), so the tool never asks."""


class TokenRefused(PlatformServiceError):
    """The platform's token endpoint refused the client-credentials grant."""


class InvalidScope(TokenRefused):
    """The token endpoint answered 400 ``invalid_scope``: the scopes are not enabled."""


class ServiceCallFailed(PlatformServiceError):
    """A service answered with an error status or a body that is not what the spec says."""


class ServiceUrlRefused(PlatformServiceError):
    """A launch named a service URL outside the registration's known origins: not called.

    Retrying cannot help; an admin can add the origin to the registration
    (``chemins platform add --service-origin``) when the platform really serves it there.
    """


class RegistrationFailed(PlatformServiceError):
    """Dynamic Registration could not be completed with this platform."""


class RegistrationTokenRefused(RegistrationFailed):
    """The one-time registration token was missing, reused (``token_already_used``) or invalid."""


class UntrustedIssuer(RegistrationFailed):
    """The platform configuration names an issuer the tool does not trust for that URL."""


class PrivateAddress(RegistrationFailed):
    """A registration URL leads into a private network the instance does not allow."""
