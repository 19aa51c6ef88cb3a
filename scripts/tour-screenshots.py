"""Takes the README's tour screenshots, and docs/moodle.md's, from a `make run`-style demo.

Starts the demo (tool + demo LMS) in a throwaway instance on free ports, drives Debian's
Chromium through Playwright at phone and desktop sizes, and writes PNGs to docs/images/.
Run it after changing a page the README or the Moodle guide shows:
``.venv/bin/python scripts/tour-screenshots.py``. Moodle's own screens are not shown:
the guide's pictures are Chemins' pages, as a Moodle admin and a trainer meet them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"
BIN = Path(sys.executable).parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tool_port, lms_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "CHEMINS_INSTANCE_DIR": folder,
            "CHEMINS_BASE_URL": f"http://127.0.0.1:{tool_port}",
            "CHEMINS_PRIVATE_HOSTS": "localhost 127.0.0.1",  # as `make run` exports it
        }
        subprocess.run([BIN / "chemins", "db", "upgrade"], env=env, check=True)
        demo = subprocess.run(
            [BIN / "chemins", "demo"], env=env, check=True, capture_output=True, text=True
        ).stdout
        badge_page = re.search(r"Badge page: .*J'agis.*?: (\S+)", demo).group(1)
        lms = subprocess.Popen(
            [BIN / "python", "-m", "demo_lms", "--port", str(lms_port)], env=env, cwd=ROOT
        )
        try:
            _wait(f"http://localhost:{lms_port}/")
            _wait(f"http://127.0.0.1:{tool_port}/lti/config")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                desktop = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
                desktop.goto(f"http://localhost:{lms_port}/")
                desktop.get_by_role("link", name=re.compile("Nathan")).first.click()
                desktop.frame_locator("iframe").locator("main h1").wait_for()
                desktop.locator("iframe").scroll_into_view_if_needed()
                desktop.evaluate("window.scrollBy(0, -120)")
                desktop.wait_for_timeout(1500)
                desktop.screenshot(path=OUT / "tour-course.png")
                phone = browser.new_page(viewport={"width": 360, "height": 780}, locale="fr-FR")
                phone.goto(badge_page)
                phone.screenshot(path=OUT / "tour-badge-page.png", full_page=True)
                _trainer_review(phone, lms_port)
                _moodle_guide(browser, env, tool_port, lms_port)
                browser.close()
        finally:
            lms.send_signal(signal.SIGTERM)
            lms.wait(timeout=30)
    print(f"written: {', '.join(str(OUT / name) for name in WRITTEN)}")


def _trainer_review(phone, lms_port: int) -> None:  # type: ignore[no-untyped-def]
    """The trainer reviews Nathan's request (the demo course's story) on a phone."""
    phone.goto(f"http://localhost:{lms_port}/")
    phone.get_by_role("link", name="Ouvrir en tant que formatrice (Camille)").click()
    frame = phone.frame(name="chemins")
    frame.wait_for_url(re.compile(r"[?&]lh="))
    phone.goto(frame.url)  # the launched page on its own, as the phone shows it
    phone.locator("[data-waiting] a").click()
    phone.get_by_role("link", name=re.compile("Organiser un événement")).click()
    phone.locator("main h1").wait_for()
    phone.screenshot(path=OUT / "tour-review.png", full_page=True)


#: Every picture the script writes, in docs/images/.
WRITTEN = (
    "tour-course.png",
    "tour-badge-page.png",
    "tour-review.png",
    "moodle-config.png",
    "moodle-register.png",
    "moodle-trainer-nav.png",
)


def _moodle_guide(browser, env: dict[str, str], tool_port: int, lms_port: int) -> None:  # type: ignore[no-untyped-def]
    """docs/moodle.md's pictures, in English (the guide's language), small and few."""
    tool = f"http://127.0.0.1:{tool_port}"
    page = browser.new_page(viewport={"width": 360, "height": 780}, locale="en-GB")
    page.goto(f"{tool}/lti/config?lang=en")
    page.locator(".copy-button").first.wait_for()  # the script added the copy buttons
    page.locator("#manual-title").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -300)")
    page.screenshot(path=OUT / "moodle-config.png")
    page.close()
    page = browser.new_page(viewport={"width": 760, "height": 620}, locale="en-GB")
    # What the Moodle admin sees after "Add LTI Advantage": the demo LMS plays Moodle.
    link = subprocess.run(
        [BIN / "chemins", "platform", "registration-link"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[0]
    page.goto(f"http://localhost:{lms_port}/lti/dynamic-registration?url={quote(link, safe='')}")
    page.goto(page.url + "&lang=en")
    page.locator("h1").wait_for()
    page.get_by_label("Name of your organisation (a new community)").fill(
        "Centre social Les Tilleuls"
    )
    page.screenshot(path=OUT / "moodle-register.png")
    page.close()
    # A trainer's activity: the links to the course's pages, the roster among them.
    trainer = browser.new_page(viewport={"width": 760, "height": 560}, locale="en-GB")
    trainer.goto(f"http://localhost:{lms_port}/")
    trainer.get_by_role("link", name=re.compile("formatrice")).first.click()
    trainer.frame_locator("iframe").locator(".launch-nav").wait_for()
    trainer.wait_for_timeout(500)
    trainer.locator("iframe").screenshot(path=OUT / "moodle-trainer-nav.png")
    trainer.close()


if __name__ == "__main__":
    main()
