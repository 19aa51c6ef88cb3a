"""The Flask side of Chemins: LTI 1.3 protocol endpoints, pages by audience, JSON APIs and
the public verification URLs. It turns HTTP into calls of ``badges`` workflows."""

from lti_tool.app import create_app

__all__ = ["create_app"]
