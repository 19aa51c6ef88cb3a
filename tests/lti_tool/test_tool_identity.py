"""The name a platform shows for each registration of Chemins."""

from __future__ import annotations

from lti_tool.tool_identity import client_name, tool_description


def test_a_registration_is_named_after_its_community() -> None:
    assert client_name("Centre social  Les Tilleuls ") == "Chemins — Centre social Les Tilleuls"
    assert client_name(None) == "Chemins"
    assert client_name("   ") == "Chemins"
    described = tool_description("https://chemins.test", "…", "Mission Locale")
    assert described.client_name == "Chemins — Mission Locale"
    assert tool_description("https://chemins.test", "…").client_name == "Chemins"
