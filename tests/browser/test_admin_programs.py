"""Program administration in a real browser: list, a program, the new-version form and its
confirmation, the quota form; each at 1280 and 360 px with an accessibility scan. Nothing
is saved (the world stays as the other browser tests expect)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, check_page, sign_in


def test_program_pages_read_well_and_the_form_asks_before_saving(
    page: Any, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "admin", "/admin/programs/")
    page.goto(live_server("/admin/programs/"))
    assert page.locator("h1").inner_text() in ("Program", "Programs")
    check_page(page, "admin-programs")
    page.goto(live_server("/admin/programs/KUR-MIKRO"))
    assert page.locator("table").count() == 2  # versions, quotas
    check_page(page, "admin-program")
    page.goto(live_server("/admin/programs/KUR-MIKRO/versions/new"))
    check_page(page, "admin-program-version")
    page.fill("#rate_by_access", "0.05, 0.06")
    page.fill("#effective_from", "2099-01-01")
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.locator("tr.changed").count() == 1  # only the rates differ from those in force
    check_page(page, "admin-program-version-confirm")
    page.goto(live_server("/admin/programs/KUR-MIKRO/quota"))
    page.fill("#quota", "abc")
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.locator("#quota-error").count() == 1
    check_page(page, "admin-program-quota")
