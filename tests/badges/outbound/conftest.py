"""The internal listener (tests.internal_listener) as a fixture."""

from collections.abc import Iterator

import pytest

from tests.internal_listener import InternalListener, internal_listener


@pytest.fixture
def inside() -> Iterator[InternalListener]:
    with internal_listener() as listener:
        yield listener
