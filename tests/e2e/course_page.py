"""Driving the demo course page in a browser: launches into its iframe, Deep Linking, awards.

Every launch goes the way a person's does: a click on the course page, the login and
the launch through LTI platform storage inside the cross-site iframe, then the tool's
page, whose URL carries the launch handle (``lh``) and can be opened again on its own.
"""

from __future__ import annotations

import re

from playwright.sync_api import Frame, FrameLocator, Page, expect

FRAME = "chemins"
DEEP_LINKING = "Ajouter une activité Chemins au cours (Deep Linking)"
GRADED = "Ajouter une note : note maximale quand le badge est attribué"
LAUNCHED = re.compile(r"[?&]lh=")
TIMEOUT = 20_000


def tool_frame(page: Page) -> FrameLocator:
    return page.frame_locator(f"iframe[name={FRAME}]")


def launch_in_course(page: Page, lms_url: str, link: str) -> Frame:
    """Open the course page, click the launch ``link``, wait for the tool's page in the frame."""
    page.goto(lms_url + "/")
    page.get_by_role("link", name=link, exact=True).click()
    frame = page.frame(name=FRAME)
    assert frame is not None, "the course page has no Chemins frame"
    frame.wait_for_url(LAUNCHED, timeout=TIMEOUT)
    frame.wait_for_load_state()
    return frame


def open_placed(page: Page, lms_url: str, title: str, who: str) -> Frame:
    """Launch the activity ``title`` placed by Deep Linking, as ``who`` ("formatrice", "Nathan")."""
    return launch_in_course(page, lms_url, f"Ouvrir «\u00a0{title}\u00a0» en tant que {who}")


def place_by_deep_linking(
    page: Page, lms_url: str, items: list[str], graded: tuple[str, ...] = ()
) -> str:
    """The trainer places ``items`` (their labels in the picker), ``graded`` badges with a
    grade; returns the picker's URL."""
    picker = launch_in_course(page, lms_url, DEEP_LINKING)
    picker_url = picker.url
    tool = tool_frame(page)
    for item in items:
        tool.get_by_label(item, exact=True).check()
    for badge in graded:
        tool.locator(".placement", has_text=badge).get_by_label(GRADED).check()
    tool.get_by_role("button", name="Ajouter au cours").click()
    expect(tool.get_by_role("status")).to_contain_text("ajoutée", timeout=TIMEOUT)
    return picker_url


def award_in_frame(page: Page, learner: str) -> Frame:
    """On a trainer's ask-badge page in the course frame: award the badge to ``learner``.

    The award flow: choose (nobody pre-selected), check, confirm, then the progress page
    until every badge is signed.
    """
    tool = tool_frame(page)
    tool.get_by_role("link", name="Décerner ce badge").first.click()
    tool.get_by_label(learner, exact=True).check()
    tool.get_by_role("button", name="Suivant : vérifier avant de décerner").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text(
        "Vérifier avant de décerner", timeout=TIMEOUT
    )
    tool.get_by_role("button", name="Oui, décerner le badge").click()
    expect(tool.locator("[data-finished=yes]")).to_be_visible(timeout=TIMEOUT)
    frame = page.frame(name=FRAME)
    assert frame is not None
    return frame
