"""``make run``'s demo: the course page launches Chemins in its iframe, on a phone.

The servers start the way the Makefile's ``run`` target starts them, as subprocesses on
free ports: ``chemins db upgrade``, ``chemins demo``, then ``python -m demo_lms`` (which
registers the LMS with the tool and runs ``chemins serve`` next to itself), with the
tool on ``127.0.0.1`` and the LMS on ``localhost`` so that the iframe is cross-site.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, assert_accessible, assert_fits_a_phone
from tests.e2e.course_page import (
    award_in_frame,
    open_placed,
    place_by_deep_linking,
    tool_frame,
)
from tests.live_server import free_port

BIN = Path(sys.executable).parent
START_TIMEOUT = 60


@dataclass
class Demo:
    tool_url: str
    lms_url: str
    process: subprocess.Popen[str]
    output: Path


def _wait_for(url: str, process: subprocess.Popen[str], output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"python -m demo_lms stopped:\n{output.read_text()}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer:\n{output.read_text()}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    directory = tmp_path_factory.mktemp("make-run")
    tool_port, lms_port = free_port(), free_port()
    tool_url, lms_url = f"http://127.0.0.1:{tool_port}", f"http://localhost:{lms_port}"
    env = {
        **os.environ,
        "CHEMINS_INSTANCE_DIR": str(directory / "instance"),
        "CHEMINS_BASE_URL": tool_url,
        "CHEMINS_PRIVATE_HOSTS": "localhost 127.0.0.1",  # as `make run` exports it
    }
    env.pop("CHEMINS_DATABASE_URL", None)
    for step in (["db", "upgrade"], ["demo"]):
        subprocess.run([str(BIN / "chemins"), *step], env=env, check=True, capture_output=True)
    output = directory / "demo_lms.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "demo_lms", "--port", str(lms_port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        _wait_for(f"{tool_url}/lti/config", process, output)
        _wait_for(f"{lms_url}/", process, output)
        yield Demo(tool_url, lms_url, process, output)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_the_demo_says_where_to_go_and_stops_both_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    directory = tmp_path_factory.mktemp("make-run-stop")
    tool_port, lms_port = free_port(), free_port()
    tool_url = f"http://127.0.0.1:{tool_port}"
    env = {**os.environ, "CHEMINS_INSTANCE_DIR": str(directory), "CHEMINS_BASE_URL": tool_url}
    env.pop("CHEMINS_DATABASE_URL", None)
    subprocess.run(
        [str(BIN / "chemins"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    output = directory / "log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "demo_lms", "--port", str(lms_port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    _wait_for(f"http://localhost:{lms_port}/", process, output)
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert process.wait(timeout=20) == 0
    printed = output.read_text()
    assert f"Open http://localhost:{lms_port}/ to launch Chemins as a trainer or a learner" in (
        printed
    )
    assert f"Chemins (the tool) is running at {tool_url}/" in printed
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{tool_url}/lti/config", timeout=2)


def test_launch_as_nathan_opens_his_learner_page_inside_the_course_on_a_phone(
    phone: Page, demo: Demo
) -> None:
    phone.goto(demo.lms_url + "/")
    expect(phone.locator("h1")).to_have_text(
        "Parcours Garantie Jeunes — Centre social Les Tilleuls"
    )
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert_accessible(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the course page overflows a 360 px screen ({width}px)"

    phone.get_by_role("link", name="Ouvrir en tant que Nathan").click()
    tool = phone.frame_locator("iframe[name=chemins]")
    expect(tool.locator("[data-role=learner]")).to_be_visible(timeout=20_000)
    expect(tool.locator("[data-role=learner]")).to_contain_text("Nathan")
    expect(tool.locator("[data-role=learner]")).to_contain_text(
        "Parcours Garantie Jeunes — Centre social Les Tilleuls"
    )
    frame = next(f for f in phone.frames if f.url.startswith(demo.tool_url + "/lti/"))
    assert frame.evaluate("document.documentElement.lang") == "fr"
    assert_accessible(frame)  # type: ignore[arg-type]
    frame_width = frame.evaluate("document.documentElement.scrollWidth")
    frame_view = frame.evaluate("document.documentElement.clientWidth")
    assert frame_width <= frame_view, f"the tool overflows its iframe ({frame_width}px)"


def test_the_trainer_and_the_other_learners_launch_with_their_own_role(
    phone: Page, demo: Demo
) -> None:
    phone.goto(demo.lms_url + "/")
    tool = phone.frame_locator("iframe[name=chemins]")
    for button, name, role in (
        ("Ouvrir en tant que formatrice (Camille)", "Camille Roux", "trainer"),
        ("Ouvrir en tant que Sylvie", "Sylvie", "learner"),
        ("Ouvrir en tant qu'Inès", "Inès Haddad", "learner"),
    ):
        phone.get_by_role("link", name=button).click()
        expect(tool.locator(f"[data-role={role}]")).to_contain_text(name, timeout=20_000)
        expect(tool.locator(f"[data-role={role}]")).to_be_visible()


def test_the_trainer_adds_an_activity_by_deep_linking_and_a_learner_opens_it(
    phone: Page, demo: Demo
) -> None:
    phone.goto(demo.lms_url + "/")
    phone.get_by_role("link", name="Ajouter une activité Chemins au cours (Deep Linking)").click()
    tool = phone.frame_locator("iframe[name=chemins]")
    tool.get_by_label("Mur de la reconnaissance").check(timeout=20_000)
    tool.get_by_role("button", name="Ajouter au cours").click()
    expect(tool.get_by_role("status")).to_have_text("1 activité ajoutée au cours.")
    tool.get_by_role("link", name="Voir le cours").click()

    opened = "Ouvrir « Mur de la reconnaissance » en tant que Nathan"
    phone.get_by_role("link", name=opened).click()
    expect(tool.locator("h1")).to_contain_text("Mur de la reconnaissance", timeout=20_000)
    assert_accessible(phone)


def test_open_in_a_new_window_launches_with_the_course_page_as_storage(
    phone: Page, demo: Demo
) -> None:
    phone.goto(demo.lms_url + "/")
    with phone.context.expect_page() as opened:
        phone.get_by_role("link", name="Ouvrir dans une nouvelle fenêtre (Sylvie)").click()
    window = opened.value
    expect(window.locator("[data-role=learner]")).to_be_visible(timeout=20_000)
    expect(window.locator("[data-role=learner]")).to_contain_text("Sylvie")
    assert [m["subject"] for m in phone.evaluate("window.demoLmsStorageLog")] == [
        "lti.put_data",
        "lti.get_data",
    ]
    window.close()


def test_the_roster_button_shows_the_course_people_read_by_nrps(phone: Page, demo: Demo) -> None:
    phone.goto(demo.lms_url + "/")
    phone.get_by_role("link", name="Lire la liste des participants (NRPS)").click()
    tool = phone.frame_locator("iframe[name=chemins]")
    for name in ("Camille Roux", "Nathan", "Sylvie", "Inès Haddad"):
        expect(tool.get_by_role("cell", name=name, exact=True)).to_be_visible(timeout=20_000)


def test_a_badge_placed_with_a_grade_fills_the_course_gradebook_when_awarded(
    phone: Page, demo: Demo
) -> None:
    badge = "Place aux jeunes – J'agis"
    place_by_deep_linking(phone, demo.lms_url, [badge], graded=(badge,))

    open_placed(phone, demo.lms_url, badge, "Nathan")
    expect(tool_frame(phone).locator("h1")).to_have_text(badge)
    open_placed(phone, demo.lms_url, badge, "formatrice")
    award_in_frame(phone, "Nathan")
    expect(tool_frame(phone).locator("[data-grade]")).to_have_attribute("data-grade", "sent")

    phone.goto(demo.lms_url + "/")
    gradebook = phone.get_by_role("table", name=badge)
    expect(gradebook.get_by_role("columnheader", name="Note")).to_be_visible()
    nathan = gradebook.get_by_role("row", name="Nathan")
    expect(nathan.get_by_role("cell")).to_have_text("100\u00a0/\u00a0100 (terminé)")
    expect(gradebook.get_by_role("row", name="Sylvie").get_by_role("cell")).to_have_text("—")
    assert_accessible(phone)
    assert_fits_a_phone(phone)
