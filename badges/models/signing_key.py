"""Signing keys of a community, sealed at rest.

``purpose`` tells badge-signing keys (one set per community) from the tool's own LTI key
(``purpose="lti"``, no community), which signs Deep Linking responses and service-token
client assertions. Rotation never deletes: a retired key stops signing but stays
published (JWKS and OB 2.0 CryptographicKey documents) so that every badge it signed keeps
verifying.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from badges.models.columns import UTCDateTime, utcnow
from badges.storage import Base


class SigningKey(Base):
    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20), default="badges")  # badges | lti
    algorithm: Mapped[str] = mapped_column(String(10))  # RS256 | ES256
    private_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    public_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
