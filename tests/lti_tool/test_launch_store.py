"""The launch store's one-read path answers exactly what the separate reads answer."""

from __future__ import annotations

from badges.models import LaunchState
from badges.platforms import PlatformFields, register_platform
from badges.runtime import Runtime
from badges.storage import transaction
from lti_tool.launch_store import SqlToolStore

ISS = "https://moodle.example.org"
OTHER = "https://openedx.example.org"


def _register(runtime: Runtime, issuer: str, client_id: str, deployments: tuple[str, ...]) -> str:
    with transaction(runtime.sessions) as session:
        registration = register_platform(
            session,
            PlatformFields(
                issuer,
                client_id,
                deployments,
                f"{issuer}/auth",
                f"{issuer}/token",
                f"{issuer}/jwks",
                None,
            ),
            runtime.instance.origin,
        )
        return registration.id


def _issue(runtime: Runtime, registration_id: str, state: str) -> None:
    with transaction(runtime.sessions) as session:
        session.add(
            LaunchState(
                state=state,
                nonce=f"n-{state}",
                registration_id=registration_id,
                target_link_uri="https://chemins.test/lti/launch",
                lti_deployment_id="2",
            )
        )


def test_one_read_gives_the_state_and_every_registration_of_its_issuer(runtime: Runtime) -> None:
    first = _register(runtime, ISS, "abc", ("1", "2"))
    _register(runtime, ISS, "def", ("7",))
    _register(runtime, OTHER, "xyz", ("1",))
    _issue(runtime, first, "s1")
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
    _register(runtime, ISS, "abc", ("1",))
    with runtime.engine.connect() as connection:
        store = SqlToolStore(connection)
        store.read_launch("never-issued")
        assert store._registrations == {} and store.login("never-issued") is None
        assert [r.client_id for r in store.registrations(ISS)] == ["abc"]
