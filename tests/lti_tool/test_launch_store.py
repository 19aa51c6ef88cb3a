"""The launch store's one-read path answers exactly what the separate reads answer."""

from __future__ import annotations

from badges.storage.runtime import Runtime
from lti_tool.launch_store import SqlToolStore
from tests.platform_rows import issue_login_state, registered_platform

ISS = "https://moodle.example.org"
OTHER = "https://openedx.example.org"


def test_one_read_gives_the_state_and_every_registration_of_its_issuer(runtime: Runtime) -> None:
    first = registered_platform(runtime, ISS, "abc", ("1", "2")).registration_id
    registered_platform(runtime, ISS, "def", ("7",))
    registered_platform(runtime, OTHER, "xyz", ("1",))
    issue_login_state(runtime, first, "s1", lti_deployment_id="2")
    with runtime.engine.connect() as connection:
        expected = SqlToolStore(connection)
        separate = (expected.registrations(ISS), expected.login("s1"))
        store = SqlToolStore(connection)
        store.read_launch("s1")
        assert store._registrations.keys() == {ISS}  # filled by the one read only
        assert (store.registrations(ISS), store.login("s1")) == separate
        assert store.deployment(first, "2") == expected.deployment(first, "2")
        assert [r.client_id for r in separate[0]] == ["abc", "def"]
        assert separate[0][0].deployment_ids == frozenset({"1", "2"})
        assert separate[1] is not None and separate[1].lti_deployment_id == "2"


def test_an_unknown_state_leaves_the_reads_to_later(runtime: Runtime) -> None:
    registered_platform(runtime, ISS, "abc", ("1",))
    with runtime.engine.connect() as connection:
        store = SqlToolStore(connection)
        store.read_launch("never-issued")
        assert store._registrations == {} and store.login("never-issued") is None
        assert [r.client_id for r in store.registrations(ISS)] == ["abc"]
