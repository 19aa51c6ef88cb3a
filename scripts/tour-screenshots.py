"""Takes the README's tour screenshots from a real `make run`-style demo.

Starts the demo (tool + demo LMS) in a throwaway instance on free ports, drives Debian's
Chromium through Playwright at phone and desktop sizes, and writes PNGs to docs/images/.
Run it after changing a page the README shows: ``.venv/bin/python scripts/tour-screenshots.py``.
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
                browser.close()
        finally:
            lms.send_signal(signal.SIGTERM)
            lms.wait(timeout=30)
    print(f"written: {OUT / 'tour-course.png'}, {OUT / 'tour-badge-page.png'}")


if __name__ == "__main__":
    main()
