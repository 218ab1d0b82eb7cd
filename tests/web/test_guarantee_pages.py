"""The guarantee pages: a guarantor's claims with payment (behind a confirmation) and
rejection, IJP paid behind a preview, subrogation paid over, and the admins' set-up. Roles,
CSRF, refusals beside the field with nothing stored, the audit events; figures by hand.

The world: a program guaranteed by JAMKRINDO at 1.5 % IJP from 1 Jan 2026; two loans of
50 jt and 20 jt (24 months, 70 % cover) paid out on 3 Nov 2026 and never repaid, aged to
3 Apr 2027 (Kol 4), which submits a claim for each: 70 % of the principal outstanding.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import (
    AuditEvent,
    GuaranteeClaim,
    GuaranteeCover,
    Guarantor,
    ProgramGuarantee,
    Recovery,
    SubrogationPayment,
    User,
)
from creditapp.services import access
from creditapp.services.claims import create_guarantor, set_program_guarantee
from creditapp.services.loans import (
    age_loans,
    approve_write_off,
    record_claim_payment,
    record_recovery,
    request_write_off,
)
from tests.factories import core
from tests.factories import loans as lf
from tests.web.conftest import PASSWORD, People, csrf_token, sign_in

CLAIMED_ON = date(2027, 4, 3)
# 70 % of each principal (nothing was repaid).
BIG_CLAIM, SMALL_CLAIM = 35_000_000, 14_000_000
# One-off IJP, tenor >= 12 months: 50 jt x 1.5 % = 750.000; 20 jt x 1.5 % = 300.000.
BIG_IJP, SMALL_IJP = 750_000, 300_000


@pytest.fixture
def world(app: Flask, session: Session, people: People) -> dict[str, int]:
    app.config["BUSINESS_DATE"] = "2027-05-01"
    program = core.program(session)
    guarantor = create_guarantor(session, lf.SYSTEM, "JAMKRINDO", "Perum Jamkrindo")
    create_guarantor(session, lf.SYSTEM, "ASKRINDO", "PT Askrindo")  # covers nothing
    set_program_guarantee(
        session,
        lf.SYSTEM,
        program_id=program.id,
        guarantor_id=guarantor.id,
        ijp_rate=Decimal("0.015"),
        effective_from=date(2026, 1, 1),
    )
    big = lf.active_loan(session, program_obj=program, lender_obj=people.lender)
    small = lf.active_loan(
        session, program_obj=program, lender_obj=people.lender, amount=20_000_000
    )
    age_loans(session, CLAIMED_ON)
    claims = {c.loan_id: c for c in session.scalars(select(GuaranteeClaim)).all()}  # one per loan
    access.create_user(
        session, lf.SYSTEM, email="admin@p.test", name="admin", role="admin", password=PASSWORD
    )
    access.create_user(
        session,
        lf.SYSTEM,
        email="ds@p.test",
        name="ds",
        role="data_scientist",
        password=PASSWORD,
    )
    session.commit()
    return {
        "program": program.id,
        "guarantor": guarantor.id,
        "big": claims[big.id].id,
        "small": claims[small.id].id,
        "big_loan": big.id,
    }


def audit_count(session: Session, action: str) -> int:
    return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action)) or 0


def claim_of(session: Session, claim_id: int) -> GuaranteeClaim:
    session.expire_all()
    found = session.get(GuaranteeClaim, claim_id)
    assert found is not None
    return found


def test_the_world_is_as_worked_by_hand(session: Session, world: dict[str, int]) -> None:
    assert claim_of(session, world["big"]).amount == BIG_CLAIM
    assert claim_of(session, world["small"]).amount == SMALL_CLAIM
    ijp = sorted(session.scalars(select(GuaranteeCover.ijp_amount)))
    assert ijp == [SMALL_IJP, BIG_IJP]


def test_roles_on_every_guarantee_page(
    app: Flask, client: FlaskClient, people: People, world: dict[str, int]
) -> None:
    big = world["big"]
    manager_pages = [
        "/claims/guarantors/JAMKRINDO/claims",
        f"/claims/guarantors/JAMKRINDO/claims/{big}/pay",
        f"/claims/guarantors/JAMKRINDO/claims/{big}/reject",
        "/claims/guarantors/JAMKRINDO/ijp",
        "/claims/guarantors/JAMKRINDO/subrogation",
    ]
    for path in [*manager_pages, "/claims/guarantees"]:
        assert client.get(path).status_code == 302, path  # anonymous: to sign-in
    for email in ("officer@a.test", "ds@p.test"):  # a lender's officer, a data scientist
        other = app.test_client()
        sign_in(other, email)
        for path in [*manager_pages, "/claims/guarantees"]:
            assert other.get(path).status_code == 403, (email, path)
        for path in ("/claims/guarantees/guarantors", "/claims/guarantees/programs"):
            assert other.post(path).status_code in (400, 403), (email, path)
    manager = app.test_client()
    sign_in(manager, people.manager.email)
    for path in manager_pages:
        assert manager.get(path).status_code == 200, path
    assert manager.get("/claims/guarantees").status_code == 403  # set-up: admins only
    admin = app.test_client()
    sign_in(admin, "admin@p.test")
    for path in [*manager_pages, "/claims/guarantees"]:
        assert admin.get(path).status_code == 200, path


def test_unknown_guarantors_claims_and_recoveries_are_404(
    client: FlaskClient, people: People, world: dict[str, int]
) -> None:
    sign_in(client, people.manager.email)
    assert client.get("/claims/guarantors/NOBODY/claims").status_code == 404
    assert client.get("/claims/guarantors/NOBODY/ijp").status_code == 404
    assert client.get("/claims/guarantors/JAMKRINDO/claims/999999/pay").status_code == 404
    # a real claim, but on a loan ASKRINDO does not cover
    assert client.get(f"/claims/guarantors/ASKRINDO/claims/{world['big']}/pay").status_code == 404
    assert (
        client.get(f"/claims/guarantors/ASKRINDO/claims/{world['big']}/reject").status_code == 404
    )
    assert client.get("/claims/guarantors/JAMKRINDO/subrogation/999999/pay").status_code == 404
    assert client.get("/claims/guarantors/JAMKRINDO/claims?status=bogus").status_code == 422


def test_the_claims_list_newest_first_and_filtered(
    client: FlaskClient, session: Session, people: People, world: dict[str, int]
) -> None:
    record_claim_payment(
        session, lf.SYSTEM, world["small"], paid_amount=13_000_000, paid_on=date(2027, 4, 20)
    )
    session.commit()
    sign_in(client, people.manager.email)
    html = client.get("/claims/guarantors/JAMKRINDO/claims").get_data(as_text=True)
    # both claimed on 3 Apr 2027: the later id first
    ids = [int(x) for x in re.findall(r'<tr id="claim-(\d+)"', html)]
    assert ids == sorted([world["big"], world["small"]], reverse=True)
    assert "Rp\u00a035.000.000" in html and "Rp\u00a013.000.000" in html
    assert "Rp\u00a01.000.000" in html  # short-paid 14 jt - 13 jt
    assert "3 Apr 2027" in html  # the day filter
    paid = client.get("/claims/guarantors/JAMKRINDO/claims?status=paid").get_data(as_text=True)
    assert re.findall(r'<tr id="claim-(\d+)"', paid) == [str(world["small"])]
    empty = client.get("/claims/guarantors/ASKRINDO/claims").get_data(as_text=True)
    assert 'id="guarantee-claims"' not in empty
    # linked from the guarantor list and the statement
    assert "/claims/guarantors/JAMKRINDO/claims" in client.get("/claims/guarantors").get_data(
        as_text=True
    )
    statement = client.get("/claims/guarantors/JAMKRINDO").get_data(as_text=True)
    assert "/claims/guarantors/JAMKRINDO/ijp" in statement


def test_a_claim_payment_goes_through_its_confirmation(
    client: FlaskClient, session: Session, people: People, world: dict[str, int]
) -> None:
    sign_in(client, people.manager.email)
    path = f"/claims/guarantors/JAMKRINDO/claims/{world['big']}/pay"
    form = {"amount": "30.000.000", "paid_on": "2027-04-20"}
    assert client.post(path, data=form).status_code == 400  # no CSRF token
    token = csrf_token(client, path)
    check = client.post(path, data={**form, "csrf_token": token})
    html = check.get_data(as_text=True)
    assert check.status_code == 200 and 'name="confirmed"' in html
    # 35.000.000 claimed - 30.000.000 paid = 5.000.000 short
    assert re.search(r'id="check-shortfall">Rp.5\.000\.000<', html), html
    assert claim_of(session, world["big"]).status == "submitted"  # nothing stored yet
    before = audit_count(session, "guarantee_claim.paid")
    done = client.post(path, data={**form, "confirmed": "yes", "csrf_token": token})
    assert done.status_code == 302
    stored = claim_of(session, world["big"])
    assert (stored.status, stored.paid_amount, stored.paid_on) == (
        "paid",
        30_000_000,
        date(2027, 4, 20),
    )
    assert audit_count(session, "guarantee_claim.paid") == before + 1
    listed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Pembayaran klaim dicatat." in listed  # the flash, in Bahasa Indonesia
    # a second payment of the decided claim is refused on the form
    again = client.post(path, data={**form, "confirmed": "yes", "csrf_token": token})
    assert again.status_code == 422 and "sudah diputuskan" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "field", "reason"),
    [
        ({"amount": "35.000.001", "paid_on": "2027-04-20"}, "amount", "Lebih dari jumlah"),
        ({"amount": "0", "paid_on": "2027-04-20"}, "amount", "lebih dari 0"),
        ({"amount": "-5", "paid_on": "2027-04-20"}, "amount", "Isi jumlah"),
        ({"amount": "1.000", "paid_on": "2027-13-40"}, "paid_on", "Isi tanggal"),
        ({"amount": "1.000", "paid_on": "2027-04-01"}, "paid_on", "sebelum klaim"),
    ],
)
def test_a_bad_claim_payment_is_named_beside_its_field(
    client: FlaskClient,
    session: Session,
    people: People,
    world: dict[str, int],
    form: dict[str, str],
    field: str,
    reason: str,
) -> None:
    sign_in(client, people.manager.email)
    path = f"/claims/guarantors/JAMKRINDO/claims/{world['big']}/pay"
    token = csrf_token(client, path)
    answer = client.post(path, data={**form, "confirmed": "yes", "csrf_token": token})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    message = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert message and reason in message.group(1), html
    assert claim_of(session, world["big"]).status == "submitted"
    assert audit_count(session, "guarantee_claim.paid") == 0


def test_a_rejection_is_recorded_with_its_reason(
    client: FlaskClient, session: Session, people: People, world: dict[str, int]
) -> None:
    sign_in(client, people.manager.email)
    path = f"/claims/guarantors/JAMKRINDO/claims/{world['small']}/reject"
    assert client.post(path, data={"reason": "x", "rejected_on": "2027-04-25"}).status_code == 400
    token = csrf_token(client, path)
    empty = client.post(
        path, data={"reason": " ", "rejected_on": "2027-04-25", "csrf_token": token}
    )
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    early = client.post(
        path, data={"reason": "dokumen kurang", "rejected_on": "2027-04-01", "csrf_token": token}
    )
    assert early.status_code == 422 and 'id="rejected_on-error"' in early.get_data(as_text=True)
    assert claim_of(session, world["small"]).status == "submitted"
    done = client.post(
        path, data={"reason": "dokumen kurang", "rejected_on": "2027-04-25", "csrf_token": token}
    )
    assert done.status_code == 302
    stored = claim_of(session, world["small"])
    assert (stored.status, stored.rejection_reason, stored.rejected_on) == (
        "rejected",
        "dokumen kurang",
        date(2027, 4, 25),
    )
    assert audit_count(session, "guarantee_claim.rejected") == 1
    html = client.get("/claims/guarantors/JAMKRINDO/claims?status=rejected").get_data(as_text=True)
    assert "dokumen kurang" in html and "25 Apr 2027" in html


def test_ijp_is_paid_behind_a_preview(
    client: FlaskClient, session: Session, people: People, world: dict[str, int]
) -> None:
    sign_in(client, people.manager.email)
    path = "/claims/guarantors/JAMKRINDO/ijp"
    page = client.get(path).get_data(as_text=True)
    assert "Rp\u00a01.050.000" in page  # unpaid today: 750.000 + 300.000
    form = {"started_to": "2026-11-30", "paid_on": "2026-12-10"}
    assert client.post(path, data=form).status_code == 400
    token = csrf_token(client, path)
    check = client.post(path, data={**form, "csrf_token": token})
    html = check.get_data(as_text=True)
    assert check.status_code == 200
    assert re.search(r'id="check-covers">2<', html), html
    assert re.search(r'id="check-total">Rp.1\.050\.000<', html), html
    session.expire_all()
    unpaid = session.scalar(
        select(func.count(GuaranteeCover.id)).where(GuaranteeCover.ijp_paid_on.is_(None))
    )
    assert unpaid == 2  # the preview stored nothing
    done = client.post(path, data={**form, "confirmed": "yes", "csrf_token": token})
    assert done.status_code == 302
    session.expire_all()
    assert set(session.scalars(select(GuaranteeCover.ijp_paid_on))) == {date(2026, 12, 10)}
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "guarantee_cover.ijp_paid")
    )
    assert event is not None and event.after["amount"] == 1_050_000 and event.after["covers"] == 2
    assert "Rp\u00a01.050.000" in client.get(done.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"started_to": "2026-11-02", "paid_on": "2026-12-10"}, "started_to"),  # no cover yet
        ({"started_to": "2026-11-30", "paid_on": "2026-11-29"}, "paid_on"),  # before the covers
        ({"started_to": "30/11/2026", "paid_on": "2026-12-10"}, "started_to"),  # not a date
        ({"started_to": "2026-11-30", "paid_on": ""}, "paid_on"),
    ],
)
def test_bad_ijp_payments_are_named_beside_their_field(
    client: FlaskClient,
    session: Session,
    people: People,
    world: dict[str, int],
    form: dict[str, str],
    field: str,
) -> None:
    sign_in(client, people.manager.email)
    path = "/claims/guarantors/JAMKRINDO/ijp"
    token = csrf_token(client, path)
    answer = client.post(path, data={**form, "confirmed": "yes", "csrf_token": token})
    assert answer.status_code == 422
    assert f'id="{field}-error"' in answer.get_data(as_text=True)
    session.expire_all()
    assert (
        session.scalar(
            select(func.count(GuaranteeCover.id)).where(GuaranteeCover.ijp_paid_on.is_not(None))
        )
        == 0
    )
    assert audit_count(session, "guarantee_cover.ijp_paid") == 0


def test_subrogation_is_paid_over_per_recovery(
    client: FlaskClient, session: Session, people: People, world: dict[str, int]
) -> None:
    record_claim_payment(
        session, lf.SYSTEM, world["big"], paid_amount=BIG_CLAIM, paid_on=date(2027, 4, 20)
    )
    maker, checker = lf.user(session), lf.user(session)
    item = request_write_off(
        session,
        lf.SYSTEM,
        world["big_loan"],
        requested_by=maker.id,
        requested_on=date(2027, 4, 21),
        reason="Macet",
        override_reason="usaha tutup, klaim sudah dibayar",
    )
    approve_write_off(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2027, 4, 22)
    )
    first = record_recovery(
        session, lf.SYSTEM, world["big_loan"], amount=10_000_000, recovered_on=date(2027, 4, 25)
    )
    session.commit()
    # 35 jt paid on 35 jt claimed on a 50 jt principal: 70 % of the 10 jt principal part.
    assert first.guarantor_share == 7_000_000
    sign_in(client, people.manager.email)
    listed = client.get("/claims/guarantors/JAMKRINDO/subrogation").get_data(as_text=True)
    assert f'id="recovery-{first.id}"' in listed
    assert re.search(r'id="owed-total">Rp.7\.000\.000<', listed), listed
    path = f"/claims/guarantors/JAMKRINDO/subrogation/{first.id}/pay"
    assert client.post(path, data={"paid_on": "2027-04-30"}).status_code == 400
    token = csrf_token(client, path)
    early = client.post(path, data={"paid_on": "2027-04-24", "csrf_token": token})
    assert early.status_code == 422 and 'id="paid_on-error"' in early.get_data(as_text=True)
    assert session.scalar(select(func.count(SubrogationPayment.id))) == 0
    done = client.post(path, data={"paid_on": "2027-04-30", "csrf_token": token})
    assert done.status_code == 302
    session.expire_all()
    payment = session.scalar(select(SubrogationPayment))
    assert payment is not None and (payment.amount, payment.paid_on) == (
        7_000_000,
        date(2027, 4, 30),
    )
    assert audit_count(session, "subrogation.paid") == 1
    after = client.get("/claims/guarantors/JAMKRINDO/subrogation").get_data(as_text=True)
    assert f'id="recovery-{first.id}"' not in after
    # paid already: nothing to pay, back to the list; ASKRINDO never covered the loan
    assert client.get(path).status_code == 302
    assert client.get(f"/claims/guarantors/ASKRINDO/subrogation/{first.id}/pay").status_code == 404
    assert session.get(Recovery, first.id) is not None


def _setup_token(client: FlaskClient, prefix: str) -> str:
    html = client.get("/claims/guarantees").get_data(as_text=True)
    match = re.search(rf'id="{prefix}-csrf_token" name="{prefix}-csrf_token" type="hidden" '
                      r'value="([^"]+)"', html)  # fmt: skip
    assert match, html
    return match.group(1)


def test_an_admin_adds_a_guarantor_and_sets_a_program_rate(
    client: FlaskClient, session: Session, world: dict[str, int]
) -> None:
    sign_in(client, "admin@p.test")
    page = client.get("/claims/guarantees").get_data(as_text=True)
    assert "1,50%" in page and "1 Jan 2026" in page  # the existing row
    made = client.post(
        "/claims/guarantees/guarantors",
        data={"new-code": "jamkrida", "new-name": "PT Jamkrida Jatim",
              "new-csrf_token": _setup_token(client, "new")},
    )  # fmt: skip
    assert made.status_code == 302
    new = session.scalar(select(Guarantor).where(Guarantor.code == "JAMKRIDA"))
    assert new is not None and new.name == "PT Jamkrida Jatim"
    assert audit_count(session, "guarantor.create") == 3  # two in the world, this one
    clash = client.post(
        "/claims/guarantees/guarantors",
        data={"new-code": "JAMKRIDA", "new-name": "again",
              "new-csrf_token": _setup_token(client, "new")},
    )  # fmt: skip
    assert clash.status_code == 422 and 'id="new-code-error"' in clash.get_data(as_text=True)
    token = _setup_token(client, "set")
    base = {"set-program": str(world["program"]), "set-guarantor": str(new.id),
            "set-effective_from": "2027-06-01", "set-csrf_token": token}  # fmt: skip
    set_rate = client.post("/claims/guarantees/programs", data={**base, "set-ijp_rate": "1,25"})
    assert set_rate.status_code == 302
    session.expire_all()
    row = session.scalar(
        select(ProgramGuarantee).where(ProgramGuarantee.effective_from == date(2027, 6, 1))
    )
    assert row is not None and (row.ijp_rate, row.guarantor_id) == (Decimal("0.0125"), new.id)
    assert audit_count(session, "program_guarantee.set") == 2
    assert "1,25%" in client.get("/claims/guarantees").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"set-ijp_rate": "21"}, "set-ijp_rate"),  # above 20 %
        ({"set-ijp_rate": "-1"}, "set-ijp_rate"),
        ({"set-ijp_rate": "satu"}, "set-ijp_rate"),
        ({"set-ijp_rate": "1,23456"}, "set-ijp_rate"),  # five decimals of a percent
        ({"set-effective_from": "2026-01-01"}, "set-effective_from"),  # the row exists
        ({"set-effective_from": "kemarin"}, "set-effective_from"),
        ({"set-program": "999999"}, "set-program"),
        ({"set-guarantor": "abc"}, "set-guarantor"),
    ],
)
def test_a_bad_program_guarantee_is_named_beside_its_field(
    client: FlaskClient,
    session: Session,
    world: dict[str, int],
    changes: dict[str, str],
    field: str,
) -> None:
    sign_in(client, "admin@p.test")
    data = {"set-program": str(world["program"]), "set-guarantor": str(world["guarantor"]),
            "set-ijp_rate": "1,5", "set-effective_from": "2027-06-01",
            "set-csrf_token": _setup_token(client, "set"), **changes}  # fmt: skip
    answer = client.post("/claims/guarantees/programs", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    message = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert message, html
    assert not re.search(r"Not a valid|Invalid|must be", message.group(1))  # in Indonesian
    assert session.scalar(select(func.count(ProgramGuarantee.id))) == 1
    assert audit_count(session, "program_guarantee.set") == 1


def test_the_setup_forms_refuse_without_csrf(
    client: FlaskClient, session: Session, world: dict[str, int]
) -> None:
    sign_in(client, "admin@p.test")
    answer = client.post("/claims/guarantees/guarantors", data={"new-code": "X", "new-name": "Y"})
    assert answer.status_code == 400
    assert session.scalar(select(Guarantor).where(Guarantor.code == "X")) is None
    assert session.scalar(select(func.count(User.id)).where(User.role == "admin")) == 1
