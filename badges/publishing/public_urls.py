"""The one place that builds the public URLs of what Chemins publishes.

Open Badges ids are URLs that verifiers fetch, and a hosted object must be served at
exactly its ``id``. Building every id here, on the instance's public origin
(``CHEMINS_BASE_URL``), keeps the documents, the routes that serve them and the loader
that re-reads them for verification in agreement. The Flask blueprint registers its
routes from the same path patterns (:data:`PATHS`).
"""

from __future__ import annotations

from dataclasses import dataclass

# Route patterns in Flask syntax; the blueprint and the builders below share them.
PATHS = {
    "ob2_issuer": "/ob/v2/issuers/<id>",
    "ob2_badge": "/ob/v2/badges/<id>",
    "ob2_badge_image": "/ob/v2/badges/<id>/image.png",
    "ob2_assertion": "/ob/v2/assertions/<id>",
    "ob2_endorsement": "/ob/v2/endorsements/<id>",
    "ob2_revocations": "/ob/v2/revocations/<id>",
    "ob2_key": "/ob/v2/keys/<id>",
    "ob3_credential": "/ob/v3/credentials/<id>",
    "ob3_credential_jwt": "/ob/v3/credentials/<id>.jwt",
    "ob3_credential_ldp": "/ob/v3/credentials/<id>.ldp.json",
    "ob3_endorsement": "/ob/v3/endorsements/<id>",
    "ob3_endorsement_jwt": "/ob/v3/endorsements/<id>.jwt",
    "ob3_endorsement_ldp": "/ob/v3/endorsements/<id>.ldp.json",
    "ob3_achievement": "/ob/v3/achievements/<id>",
    "ob3_profile": "/ob/v3/profiles/<id>",
    "ob3_profile_jwks": "/ob/v3/profiles/<id>/jwks.json",
    "ob3_revocations": "/ob/v3/revocations/<id>",
    "human_badge": "/b/<id>",
    "jwks": "/.well-known/jwks.json",
}


@dataclass(frozen=True)
class PublicUrls:
    """Absolute public URLs on one origin (``https://host[:port]``, no trailing slash)."""

    origin: str

    def _url(self, name: str, identifier: str = "") -> str:
        return self.origin + PATHS[name].replace("<id>", identifier)

    # Open Badges 2.0 hosted documents
    def ob2_issuer(self, profile_id: str) -> str:
        return self._url("ob2_issuer", profile_id)

    def ob2_badge(self, badge_class_id: str) -> str:
        return self._url("ob2_badge", badge_class_id)

    def badge_image(self, badge_class_id: str) -> str:
        return self._url("ob2_badge_image", badge_class_id)

    def ob2_assertion(self, assertion_id: str) -> str:
        return self._url("ob2_assertion", assertion_id)

    def ob2_endorsement(self, endorsement_id: str) -> str:
        return self._url("ob2_endorsement", endorsement_id)

    def ob2_revocations(self, community_id: str) -> str:
        return self._url("ob2_revocations", community_id)

    def ob2_key(self, kid: str) -> str:
        return self._url("ob2_key", kid)

    # Open Badges 3.0
    def ob3_credential(self, assertion_id: str) -> str:
        return self._url("ob3_credential", assertion_id)

    def ob3_credential_jwt(self, assertion_id: str) -> str:
        return self._url("ob3_credential_jwt", assertion_id)

    def ob3_credential_ldp(self, assertion_id: str) -> str:
        """The credential with an embedded Data Integrity proof (``eddsa-rdfc-2022``)."""
        return self._url("ob3_credential_ldp", assertion_id)

    def ob3_endorsement(self, endorsement_id: str) -> str:
        return self._url("ob3_endorsement", endorsement_id)

    def ob3_endorsement_ldp(self, endorsement_id: str) -> str:
        """The EndorsementCredential with an embedded Data Integrity proof."""
        return self._url("ob3_endorsement_ldp", endorsement_id)

    def ob3_endorsement_jwt(self, endorsement_id: str) -> str:
        """The EndorsementCredential as a VC-JWT."""
        return self._url("ob3_endorsement_jwt", endorsement_id)

    def ob3_achievement(self, badge_class_id: str) -> str:
        return self._url("ob3_achievement", badge_class_id)

    def ob3_profile(self, profile_id: str) -> str:
        return self._url("ob3_profile", profile_id)

    def ob3_profile_jwks(self, profile_id: str) -> str:
        """The key set of one issuer profile: the only set its VC-JWT headers point at."""
        return self._url("ob3_profile_jwks", profile_id)

    def ob3_revocations(self, community_id: str) -> str:
        return self._url("ob3_revocations", community_id)

    # People and keys
    def evidence_file(self, evidence_id: int) -> str:
        """A photo its owner made public (served by the ``public`` blueprint).

        Not in :data:`PATHS`: it is a file, not an Open Badges document the loader reads.
        """
        return f"{self.origin}/evidence/{int(evidence_id)}"

    def human_badge(self, assertion_id: str) -> str:
        return self._url("human_badge", assertion_id)

    def jwks(self) -> str:
        return self._url("jwks")

    def path_of(self, url: str) -> str | None:
        """The path of ``url`` when it is one of ours (same origin), else ``None``."""
        prefix = self.origin + "/"
        if not url.startswith(prefix):
            return None
        return "/" + url[len(prefix) :].split("#", 1)[0].split("?", 1)[0]
