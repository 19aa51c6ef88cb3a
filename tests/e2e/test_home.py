"""The front page on a phone: readable, accessible, in French then English."""

from __future__ import annotations

from tests.e2e.conftest import assert_accessible


def test_front_page_on_a_phone_is_accessible_in_both_languages(phone, live_tool) -> None:
    phone.goto(live_tool.url + "/")
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.locator("h1").inner_text() == "Chemins"
    assert_accessible(phone)
    phone.get_by_role("link", name="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert_accessible(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page overflows a 360 px screen ({width}px)"
