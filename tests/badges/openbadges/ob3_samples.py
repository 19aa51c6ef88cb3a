"""OB 3.0 documents and signing issuers shared by the OB 3.0 tests.

Everything is built with the library's own builders, so a test that breaks one field
starts from a credential the rules accept, and the change under test is the only fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from badges.openbadges import jwks, keys, ob3, vc_jwt, vcrl

from .conftest import BadgeServer

ISSUED = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
EMAIL = "nathan@example.org"
SALT = "4f1c2a9e0b7d"


def issuer_profile(origin: str, name: str = "Centre social des Tilleuls") -> dict[str, Any]:
    return ob3.profile(
        f"{origin}/ob/v3/issuers/1",
        name=name,
        url=f"{origin}/",
        email="contact@tilleuls.example",
        description="A social centre recognising what people learn together.",
        image=ob3.image(f"{origin}/img/issuer.png", caption="Logo"),
    )


def achievement(origin: str, **extra: Any) -> dict[str, Any]:
    return ob3.achievement(
        f"{origin}/ob/v3/achievements/7",
        name="Je soutiens : accueil",
        description="Welcomes newcomers and shows them around.",
        criteria=ob3.criteria(
            id=f"{origin}/badges/7/criteria", narrative="Welcomed three newcomers."
        ),
        image=ob3.image(f"{origin}/img/badge-7.png", caption="Accueil"),
        alignment=[
            ob3.alignment(
                "Supporting others",
                "http://data.europa.eu/esco/skill/f2f3c5e8-5a8f-4b5b-a8c8-5d6d0a0c9b1f",
                target_code="T3.3",
                target_framework="ESCO",
            )
        ],
        creator=ob3.profile(f"{origin}/ob/v3/profiles/42", name="Sylvie"),
        tag=["accueil", "solidarité"],
        in_language="fr",
        related=[ob3.related(f"{origin}/ob/v2/badges/7", version="2.0")],
        **extra,
    )


def credential(
    origin: str,
    *,
    number: int = 1,
    email: str | None = EMAIL,
    subject_id: str | None = None,
    status_url: str | None = None,
    valid_from: datetime = ISSUED,
    valid_until: datetime | None = None,
    endorsement_jwt: tuple[str, ...] = (),
    endorsement: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    identifiers = (
        ob3.recipient_identifiers(email=email, salt=SALT)
        if email
        else ob3.recipient_identifiers(
            lti_user_id="sub-123", lti_platform_id="https://moodle.example"
        )
        if subject_id is None
        else []
    )
    return ob3.open_badge_credential(
        f"{origin}/ob/v3/credentials/{number}",
        issuer=issuer_profile(origin),
        valid_from=valid_from,
        valid_until=valid_until,
        awarded_date=valid_from,
        name="Je soutiens : accueil",
        description="Awarded after a review of the learner's evidence.",
        image=ob3.image(f"{origin}/img/badge-7.png"),
        credential_subject=ob3.achievement_subject(
            achievement(origin), id=subject_id, identifier=identifiers
        ),
        evidence=[ob3.evidence(id=f"{origin}/evidence/3", narrative="Photos of the welcome desk.")],
        credential_status=ob3.revocation_status(status_url) if status_url else None,
        endorsement=endorsement,
        endorsement_jwt=endorsement_jwt,
    )


def endorsement(
    origin: str,
    subject_id: str,
    *,
    number: int = 1,
    status_url: str | None = None,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    return ob3.endorsement_credential(
        f"{origin}/ob/v3/endorsements/{number}",
        issuer=ob3.profile(f"{origin}/ob/v3/issuers/partner", name="Mairie de Lyon"),
        name="Mairie de Lyon endorses Je soutiens : accueil",
        valid_from=ISSUED,
        valid_until=valid_until,
        subject_id=subject_id,
        comment="We host these learners and **recognise** this badge.",
        credential_status=ob3.revocation_status(status_url) if status_url else None,
    )


@dataclass
class Issuer:
    """An issuer whose JWKS is served at ``<origin>/.well-known/jwks.json``."""

    server: BadgeServer
    key: keys.PrivateKey

    @property
    def origin(self) -> str:
        return self.server.base_url

    @property
    def kid(self) -> str:
        return jwks.kid_uri(jwks.well_known_jwks_url(self.origin), self.key)

    def publish(self, *extra_keys: keys.PrivateKey) -> None:
        self.server.serve_json(
            "/.well-known/jwks.json", jwks.jwks_document([self.key, *extra_keys])
        )

    def sign(self, document: dict[str, Any]) -> str:
        return vc_jwt.sign_credential(document, self.key, self.kid)

    def revocation_list(self, path: str, revoked: list[str]) -> str:
        self.server.serve_json(
            path,
            vcrl.revocation_list(
                self.server.url(path),
                f"{self.origin}/ob/v3/issuers/1",
                [(credential_id, None) for credential_id in revoked],
            ),
        )
        return self.server.url(path)


def make_issuer(server: BadgeServer, algorithm: str = "RS256") -> Issuer:
    issuer = Issuer(server, keys.generate_key(algorithm))
    issuer.publish()
    return issuer


NOW = ISSUED + timedelta(days=30)
