"""The demo platform's services served live, with the tool registered (tests.live_platform)."""

from tests.live_platform import demo_platform, tool_jwks, tool_key

__all__ = ["demo_platform", "tool_jwks", "tool_key"]
