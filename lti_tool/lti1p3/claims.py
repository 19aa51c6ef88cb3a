"""Every name LTI 1.3 gives to a claim, a message type or a service scope, once.

The launch validator, the Deep Linking response, the services (AGS, NRPS), Dynamic
Registration and the web layer all speak of the same URIs; spelled in one module, a
typo cannot make one of them read a claim the others never write, and a reader finds
which claims Chemins understands in one screen (as xblock-lti-consumer's
``lti_1p3/constants.py`` does). Nothing here imports anything: the domain
(``badges/``) keeps its own copy where it must check a scope, since it never imports
the web layer.

Names follow the specifications: LTI Core 1.3 (§5.3-§5.4), Deep Linking 2.0,
Assignment and Grade Services 2.0, Names and Role Provisioning Services 2.0 and
Dynamic Registration 1.0.
"""

from __future__ import annotations

#: The prefix of LTI Core claims (``message_type``, ``roles``, ``context``...).
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
#: The prefix of Deep Linking claims.
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"

# LTI Core claims.
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
#: The custom parameters of a placement (``target``, ``badge``, ``grade``).
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
#: The only LTI version a message may declare.
LTI_VERSION = "1.3.0"

# Message types.
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"
DATA_PRIVACY_LAUNCH_REQUEST = "DataPrivacyLaunchRequest"

# Deep Linking claims.
DEEP_LINKING_SETTINGS = DL + "deep_linking_settings"
CONTENT_ITEMS = DL + "content_items"
#: The request's opaque ``data``, returned unchanged in the response.
DL_DATA = DL + "data"
#: A message the platform may show the trainer after the response.
DL_MSG = DL + "msg"

# Assignment and Grade Services.
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
AGS_LINEITEM_SCOPE = AGS_SCOPE + "lineitem"
AGS_LINEITEM_READONLY_SCOPE = AGS_SCOPE + "lineitem.readonly"
AGS_RESULT_READONLY_SCOPE = AGS_SCOPE + "result.readonly"
AGS_SCORE_SCOPE = AGS_SCOPE + "score"
#: Every AGS scope a tool may ask for at registration.
AGS_SCOPES = (
    AGS_LINEITEM_SCOPE,
    AGS_LINEITEM_READONLY_SCOPE,
    AGS_RESULT_READONLY_SCOPE,
    AGS_SCORE_SCOPE,
)

# Names and Role Provisioning Services.
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# Dynamic Registration: the keys of the platform's and the tool's configurations.
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
