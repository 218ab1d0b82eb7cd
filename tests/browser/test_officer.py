"""The officers' workspace in a real browser: queue, application, decision, letter, access."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from creditapp.db import make_engine
from creditapp.models import Application, Decision, Loan, ScoreRecord
from creditapp.services.queue import AWAITING
from tests.browser.conftest import LiveServer, check_page, sign_in


def _records(live: LiveServer, lender_index: int = 0) -> list[tuple[Application, ScoreRecord]]:
    """The lender's applications with their score records, read straight from the database."""
    from sqlalchemy.orm import Session

    engine = make_engine(live.database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Application, ScoreRecord)
                .join(ScoreRecord, ScoreRecord.application_id == Application.id)
                .where(Application.lender_id == live.world.lender_ids[lender_index])
                .order_by(Application.id)
            ).all()
            session.expunge_all()
            return [(a, r) for a, r in rows]
    finally:
        engine.dispose()


def _decision(live: LiveServer, application_id: int) -> tuple[Decision | None, Loan | None]:
    from sqlalchemy.orm import Session

    engine = make_engine(live.database_url)
    try:
        with Session(engine) as session:
            decision = session.scalars(
                select(Decision).where(Decision.application_id == application_id)
            ).first()
            loan = session.scalars(
                select(Loan).where(Loan.application_id == application_id)
            ).first()
            session.expunge_all()
            return decision, loan
    finally:
        engine.dispose()


def _pick(live: LiveServer, recommendation: str, used: set[int]) -> tuple[Application, ScoreRecord]:
    for application, record in _records(live):
        if (
            record.recommendation == recommendation
            and application.id not in used
            and application.status in AWAITING
        ):
            used.add(application.id)
            return application, record
    pytest.skip(f"the seeded world has no application recommended to {recommendation}")


USED: set[int] = set()


def _at(application_id: int) -> re.Pattern[str]:
    """The application page's URL (a form's #fragment survives the redirect)."""
    return re.compile(rf"/applications/{application_id}(#.*)?$")


def test_officer_works_the_queue(page: Any, live_server: LiveServer) -> None:
    sign_in(page, live_server, "officer")
    page.wait_for_url("**/queue")
    rows = page.locator("table.queue tbody tr")
    # awaiting a decision, as the queue shows them (the loan pages' tests decide some)
    mine = [(a, r) for a, r in _records(live_server) if a.status in AWAITING]
    assert rows.count() == len(mine)
    # every id shown is one of my lender's
    shown = {int(t.strip("#")) for t in page.locator("table.queue td span.muted").all_inner_texts()}
    assert shown == {a.id for a, _r in mine}
    total = sum(int(x.split()[-1]) for x in page.locator(".counts li a").all_inner_texts())
    assert total == len(mine)
    check_page(page, "queue")
    # sorted by score, highest first
    page.goto(live_server("/queue?sort=score"))
    scores = [int(s) for s in page.locator("td[data-label] + td + td + td.num").all_inner_texts()]
    expected = sorted((r.score for _a, r in mine), reverse=True)
    assert scores == expected
    # filter by band
    band = mine[0][1].band
    page.goto(live_server(f"/queue?band={band}"))
    assert page.locator("table.queue tbody tr").count() == sum(
        1 for _a, r in mine if r.band == band
    )


def test_application_page_explains_the_score(page: Any, live_server: LiveServer) -> None:
    application, record = _records(live_server)[0]
    sign_in(page, live_server, "officer", f"/applications/{application.id}")
    page.wait_for_url(_at(application.id))
    assert page.locator("svg.chart#wf, svg[aria-labelledby='wf-t wf-d']").count() == 1
    first_reason = next(r for r in record.reasons if not r.get("positive"))
    assert page.get_by_text(first_reason["text_id"]).count() >= 1
    nik = page.locator("dd", has_text="****").inner_text()
    assert re.fullmatch(r"\d{4} \*{4} \*{4} \*\*\d{2}", nik)
    check_page(page, "application")
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.get_by_text(first_reason["text_en"]).count() >= 1
    check_page(page, "application-en")
    page.click("button[value=id]")


def test_override_needs_a_reason_then_approval_previews_the_schedule(
    page: Any, live_server: LiveServer
) -> None:
    application, record = _pick(live_server, "refer", USED)
    sign_in(page, live_server, "officer", f"/applications/{application.id}")
    page.check("input[name=outcome][value=approve]")
    page.fill("#amount", "")
    page.fill(
        "#amount",
        "Rp 10.000.000" if application.requested_amount <= 10_000_000 else "Rp 15.000.000",
    )
    page.fill("#tenor", "12")
    page.click("#decision button.primary")
    # no override reason: refused, the field named, nothing stored
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator("a[href='#override_reason_code']").count() == 1
    check_page(page, "decision-errors")
    assert _decision(live_server, application.id) == (None, None)
    page.select_option("#override_reason_code", "additional_information")
    page.fill("#text", "Kontrak pembelian dari pabrik tahu terlampir")
    page.click("#decision button.primary")
    # the schedule preview; confirming makes exactly that schedule
    assert page.locator("table.schedule tbody tr").count() == 12
    check_page(page, "approval-preview")
    page.click("button.primary")
    page.wait_for_url(_at(application.id))
    decision, loan = _decision(live_server, application.id)
    assert decision is not None and loan is not None
    assert decision.outcome == "approve" and decision.overrides_recommendation
    assert decision.override_reason_code == "additional_information"
    assert decision.recommendation == "refer" and decision.score_record_id == record.id
    assert loan.tenor == 12
    check_page(page, "application-decided")
    page.goto(live_server(f"/applications/{application.id}/letter"))
    assert page.locator("table tbody tr").count() == 12
    check_page(page, "letter-approved")


def test_decline_letter_pdf_carries_the_reasons(page: Any, live_server: LiveServer) -> None:
    application, record = _pick(live_server, "decline", USED)
    sign_in(page, live_server, "officer", f"/applications/{application.id}")
    page.check("input[name=outcome][value=decline]")
    page.select_option("#reason_code", "score_too_low")
    page.click("#decision button.primary")
    page.wait_for_url(_at(application.id))
    with page.expect_download() as info:
        page.click("a[href$='letter.pdf']")
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    for reason in (r for r in record.reasons if not r.get("positive")):
        assert " ".join(reason["text_id"].split()) in flat
    page.goto(live_server(f"/applications/{application.id}/letter?lang=en"))
    check_page(page, "letter-declined-en")


def test_four_eyes_approval_needs_a_second_officer(
    browser: Any, page: Any, live_server: LiveServer
) -> None:
    # an approval above the demo lenders' four-eyes amount (Rp 50.000.000)
    application = next(
        a
        for a, r in _records(live_server)
        if a.id not in USED
        and a.status in AWAITING
        and r.recommendation == "decline"
        and a.program_id == _records(live_server)[0][0].program_id
    )
    USED.add(application.id)
    sign_in(page, live_server, "officer", f"/applications/{application.id}")
    page.check("input[name=outcome][value=approve]")
    page.fill("#amount", "60000000")
    page.fill("#tenor", "24")
    page.select_option("#override_reason_code", "collateral_or_guarantor")
    page.fill("#text", "Jaminan sertifikat tanah")
    page.click("#decision button.primary")
    page.click("button.primary")  # confirm on the preview
    page.wait_for_url(_at(application.id))
    assert _decision(live_server, application.id) == (None, None)
    assert page.get_by_text("menunggu petugas kedua").count() >= 1
    check_page(page, "four-eyes-pending")
    second = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(second, live_server, "checker", f"/applications/{application.id}")
    second.click("text=Konfirmasi persetujuan")
    second.wait_for_url(_at(application.id))
    decision, loan = _decision(live_server, application.id)
    assert decision is not None and loan is not None and loan.principal == 60_000_000
    assert decision.confirmed_by is not None and decision.confirmed_by != decision.decided_by
    second.context.close()


def test_foreign_application_is_404_and_wrong_role_403(
    browser: Any, page: Any, live_server: LiveServer
) -> None:
    foreign = _records(live_server, 1)[0][0]
    sign_in(page, live_server, "officer")
    response = page.goto(live_server(f"/applications/{foreign.id}"))
    assert response is not None and response.status == 404
    missing = page.goto(live_server("/applications/999999"))
    assert missing is not None and missing.status == 404
    # The manager in a browser of their own: after clearing the officer's cookies the sign-in
    # page sometimes (twice in full-suite runs on a loaded box) still found the officer signed
    # in, probably a response still in flight refreshing the session cookie.
    context = browser.new_context(locale="id-ID")
    manager = context.new_page()
    try:
        sign_in(manager, live_server, "manager")
        response = manager.goto(live_server("/queue"))
        assert response is not None and response.status == 403
        check_page(manager, "error-403")
    finally:
        context.close()


def test_refer_by_an_officer_then_the_senior_decides(
    browser: Any, page: Any, live_server: LiveServer
) -> None:
    application, record = next(
        (a, r)
        for a, r in _records(live_server)
        if a.id not in USED and a.status in AWAITING and r.recommendation != "refer"
    )
    USED.add(application.id)
    sign_in(page, live_server, "officer", f"/applications/{application.id}")
    page.check("input[name=outcome][value=refer]")
    page.select_option("#referred_to", label="Yusuf Senior")
    page.select_option("#override_reason_code", "risk_concern")
    page.fill("#text", "Omzet naik tajam bulan lalu; mohon ditinjau pejabat senior")
    page.click("#decision button.primary")
    page.wait_for_url(_at(application.id))
    assert "Yusuf Senior" in page.locator("#referral").inner_text()
    assert page.locator("input[name=outcome]").count() == 0  # not the officer's to decide
    check_page(page, "application-referred")
    decision, _loan = _decision(live_server, application.id)
    assert decision is not None and decision.outcome == "refer"

    context = browser.new_context(locale="id-ID")
    senior = context.new_page()
    try:
        sign_in(senior, live_server, "senior", "/queue")
        tab = senior.locator("#referred-to-me")
        assert int(tab.locator("strong").inner_text()) >= 1
        tab.click()
        senior.wait_for_load_state()
        check_page(senior, "queue-referred-to-me")
        senior.click(f"a[href$='/applications/{application.id}']")
        senior.wait_for_url(_at(application.id))
        assert senior.locator("input[name=outcome][value=refer]").count() == 0
        senior.check("input[name=outcome][value=decline]")
        senior.select_option("#reason_code", "affordability")
        if record.recommendation != "decline":
            senior.select_option("#override_reason_code", "risk_concern")
        senior.fill("#text", "Angsuran melebihi arus kas bersih bulanan")
        senior.click("#decision button.primary")
        senior.wait_for_url(_at(application.id))
    finally:
        context.close()
    engine = make_engine(live_server.database_url)
    try:
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            outcomes = session.execute(
                select(Decision.outcome, Decision.decided_by)
                .where(Decision.application_id == application.id)
                .order_by(Decision.id)
            ).all()
            status = session.get(Application, application.id).status  # type: ignore[union-attr]
    finally:
        engine.dispose()
    assert [o for o, _by in outcomes] == ["refer", "decline"] and status == "declined"
    assert outcomes[0][1] != outcomes[1][1]
