"""The recognition domain's nouns (DESIGN.md, "Data model"), one module per idea.

Importing this package registers every table on :data:`badges.storage.Base.metadata`,
which Alembic and the tests rely on.
"""

from badges.models.assertion import Assertion, Evidence
from badges.models.badge_class import Alignment, BadgeClass, Family
from badges.models.community import Community, Profile
from badges.models.endorsement import Endorsement
from badges.models.signing_key import SigningKey

__all__ = [
    "Alignment",
    "Assertion",
    "BadgeClass",
    "Community",
    "Endorsement",
    "Evidence",
    "Family",
    "Profile",
    "SigningKey",
]
