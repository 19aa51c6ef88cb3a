"""The recognition domain's nouns (DESIGN.md, "Data model"), one module per idea.

Importing this package registers every table on :data:`badges.storage.database.Base.metadata`,
which Alembic and the tests rely on.
"""

from badges.models.access_link import AccessLink
from badges.models.assertion import Assertion, Evidence
from badges.models.award_batch import AwardBatch
from badges.models.badge_class import Alignment, BadgeClass, BadgeClassCreator, Family
from badges.models.badge_request import BadgeRequest, RequestEvent
from badges.models.community import Community, Profile
from badges.models.endorsement import Endorsement
from badges.models.launch import LaunchSession, LaunchState
from badges.models.notification import Notification
from badges.models.person import Context, Membership, Person, ResourceLink
from badges.models.platform import Deployment, Platform, Registration
from badges.models.score_delivery import ScoreDelivery
from badges.models.signing_key import SigningKey

__all__ = [
    "AccessLink",
    "Alignment",
    "Assertion",
    "AwardBatch",
    "BadgeClass",
    "BadgeClassCreator",
    "BadgeRequest",
    "Community",
    "Context",
    "Deployment",
    "Endorsement",
    "Evidence",
    "Family",
    "LaunchSession",
    "LaunchState",
    "Membership",
    "Notification",
    "Person",
    "Platform",
    "Profile",
    "Registration",
    "RequestEvent",
    "ResourceLink",
    "ScoreDelivery",
    "SigningKey",
]
