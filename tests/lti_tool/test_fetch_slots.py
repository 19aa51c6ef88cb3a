"""Fetch slots: taken without waiting, given back whatever happens, never more than half."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from lti_tool.blueprints.lti.registration import fetch_slots_for
from lti_tool.fetch_slots import FetchSlots, NoFreeSlot, fetch_slots


def test_a_full_set_of_slots_refuses_at_once_and_frees_on_exit() -> None:
    slots = FetchSlots(2)
    with slots.taken(), slots.taken(), pytest.raises(NoFreeSlot), slots.taken():
        pass
    with pytest.raises(RuntimeError), slots.taken():
        raise RuntimeError("the platform failed")
    with slots.taken(), slots.taken():  # both were given back
        pass


def test_slots_are_shared_by_every_thread_of_an_app() -> None:
    app = Flask(__name__)
    made: list[FetchSlots] = []
    start = threading.Barrier(8)

    def first_request() -> None:
        start.wait()
        made.append(fetch_slots(app, "registration", 4))

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(slots) for slots in made}) == 1
    assert fetch_slots(Flask(__name__), "registration", 4) is not made[0]  # per app
    assert fetch_slots(app, "registration", 2).size == 2  # resized by the config


@pytest.mark.parametrize(("threads", "slots"), [(1, 1), (2, 1), (4, 2), (8, 4), (32, 4)])
def test_a_worker_keeps_half_its_threads_for_everyone_else(threads: int, slots: int) -> None:
    assert fetch_slots_for(threads) == slots
