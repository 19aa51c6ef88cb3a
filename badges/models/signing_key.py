"""Signing keys of a community, sealed at rest.

``purpose`` tells badge-signing keys (one set per community) from the tool's own LTI key
(``purpose="lti"``, no community), which signs Deep Linking responses and service-token
client assertions; ``purpose="data-integrity"`` keys are a community's Ed25519 keys for
embedded ``eddsa-rdfc-2022`` proofs, named by their Multikey value (``z6Mk…``, which fits
``kid``) and stored like the others (PKCS#8 sealed, SubjectPublicKeyInfo public), so
they need no column of their own. Rotation never deletes: a retired key stops signing but
stays published (JWKS and OB 2.0 CryptographicKey documents, or the Multikeys of the
profiles' controller documents) so that every badge it signed keeps verifying. The tool
has one active LTI key at most, and the database holds it to that.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from badges.models.columns import UTCDateTime, utcnow
from badges.storage.database import Base

#: Where the database keeps the tool to one active LTI key (migration 0004).
ACTIVE_TOOL_KEY = "purpose = 'lti' AND retired_at IS NULL"


class SigningKey(Base):
    __tablename__ = "signing_key"
    __table_args__ = (
        Index(
            "uq_signing_key_active_tool_key",
            "purpose",
            unique=True,
            sqlite_where=text(ACTIVE_TOOL_KEY),
            postgresql_where=text(ACTIVE_TOOL_KEY),
        ),
    )

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id"), index=True)
    #: badges | lti | data-integrity
    purpose: Mapped[str] = mapped_column(String(20), default="badges")
    algorithm: Mapped[str] = mapped_column(String(10))  # RS256 | ES256 | EdDSA
    private_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    public_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
