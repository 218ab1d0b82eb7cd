"""Sign-in, sign-out, language switch and the error pages, in a real browser."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, check_page, sign_in


def test_sign_in_page_and_wrong_password(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server("/"))
    assert page.url.endswith("/signin")
    assert page.locator("h1").inner_text() in ("Masuk", "Sign in")
    check_page(page, "signin")
    page.fill("#email", live_server.world.emails["manager"])
    page.fill("#password", "not the password")
    page.click("button.primary")
    assert page.locator(".error-summary").is_visible()
    check_page(page, "signin-error")


def test_sign_in_goes_back_to_the_page_asked_for(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server("/account/password"))
    assert "/signin?next=/account/password" in page.url
    page.fill("#email", live_server.world.emails["manager"])
    page.fill("#password", "browser-test-password")
    page.click("button.primary")
    page.wait_for_url("**/account/password")
    check_page(page, "password")


def test_language_switch_is_kept_on_the_user(page: Any, live_server: LiveServer) -> None:
    sign_in(page, live_server, "scientist")
    assert page.locator("html").get_attribute("lang") == "id"
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("button", has_text="Sign out").is_visible()
    check_page(page, "home-en")
    # a new browser session: the user's language came with the account
    page.context.clear_cookies()
    sign_in(page, live_server, "scientist")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("button[value=id]")
    page.wait_for_load_state()
    assert page.locator("button", has_text="Keluar").is_visible()
    check_page(page, "home-id")


def test_missing_page_is_a_404_page_in_my_language(page: Any, live_server: LiveServer) -> None:
    sign_in(page, live_server, "manager")
    response = page.goto(live_server("/no/such/page"))
    assert response is not None and response.status == 404
    assert "404" in page.locator("h1").inner_text()
    check_page(page, "error-404")


def test_sign_out(page: Any, live_server: LiveServer) -> None:
    sign_in(page, live_server, "admin")
    page.click("form.who button")
    page.wait_for_url("**/signin")
    response = page.goto(live_server("/home"))
    assert response is not None
    assert "/signin?next=/home" in page.url
