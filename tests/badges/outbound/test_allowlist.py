"""The allowlist: one reader for the app config and the environment, old name included."""

from __future__ import annotations

from badges.outbound.allowlist import is_allowed, private_hosts


def test_the_environment_gives_the_list_and_the_old_name_still_counts() -> None:
    environ = {
        "CHEMINS_PRIVATE_HOSTS": "moodle.intranet  Badges.Intranet.",
        "CHEMINS_LTI_PRIVATE_PLATFORMS": "localhost",
    }
    assert private_hosts(None, environ) == {"moodle.intranet", "badges.intranet", "localhost"}
    assert private_hosts(None, {"CHEMINS_LTI_PRIVATE_PLATFORMS": "127.0.0.1"}) == {"127.0.0.1"}
    assert private_hosts(None, {}) == frozenset()


def test_the_app_config_wins_over_the_environment_even_empty() -> None:
    environ = {"CHEMINS_PRIVATE_HOSTS": "*"}
    assert private_hosts({"PRIVATE_HOSTS": ["a.lan"]}, environ) == {"a.lan"}
    assert private_hosts({"LTI_PRIVATE_PLATFORMS": ("127.0.0.1",)}, environ) == {"127.0.0.1"}
    assert private_hosts({"LTI_PRIVATE_PLATFORMS": []}, environ) == frozenset()
    assert private_hosts({"OTHER": 1}, environ) == {"*"}


def test_a_star_allows_every_host_and_names_are_compared_as_written() -> None:
    assert is_allowed(frozenset({"*"}), "anything.example")
    assert is_allowed(frozenset({"localhost"}), "LOCALHOST")
    assert is_allowed(frozenset({"::1"}), "[::1]")
    assert not is_allowed(frozenset({"localhost"}), "127.0.0.1")
