"""The demo platform's services served live, with the tool registered (tests.live_platform)."""

from tests.live_platform import demo_platform, tool_jwks, tool_key
from tests.lti_launches import sqlite_lti_world

__all__ = ["demo_platform", "sqlite_lti_world", "tool_jwks", "tool_key"]
