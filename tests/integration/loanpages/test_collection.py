"""The collection sheet (what is due today and overdue) and its all-or-nothing bulk entry."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import Enterprise, Installment, Lender, Loan, Repayment
from creditapp.services import collection as col
from creditapp.services.loans import approve_write_off, post_repayment, request_write_off
from tests.factories import core
from tests.factories import loans as lf

AS_OF = date(2027, 1, 3)  # installments fall due on the 3rd: 3 Dec overdue, 3 Jan due today
TOKEN = "0123456789abcdef0123456789abcdef"


def place(session: Session, loan: Loan, regency: str, village: str | None) -> Loan:
    ent = session.get(Enterprise, loan.enterprise_id)
    assert ent is not None
    ent.regency, ent.village, ent.name = regency, village, f"UD {regency} {village} {loan.id}"
    session.flush()
    return loan


def due_rows(session: Session, loan: Loan) -> list[Installment]:
    return list(
        session.scalars(
            select(Installment)
            .where(
                Installment.loan_id == loan.id, ~Installment.superseded, Installment.due_on <= AS_OF
            )
            .order_by(Installment.due_on)
        )
    )


def total(row: Installment) -> int:
    return row.principal_due + row.interest_due + row.penalty_due


def pay(session: Session, loan: Loan, amount: int, on: date) -> None:
    post_repayment(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        amount=amount,
        paid_on=on,
        idempotency_key=f"x-{loan.id}-{on}",
    )


@pytest.fixture
def portfolio(session: Session) -> dict[str, Loan]:
    lender = core.lender(session)
    new = lambda: lf.active_loan(session, lender_obj=lender)  # noqa: E731
    loans = {
        "a": place(session, new(), "3204", "Cibiru"),  # nothing paid: 3 Dec late, 3 Jan due
        "b": place(session, new(), "3204", None),  # 3 Dec paid: only 3 Jan due
        "c": place(session, new(), "3201", "Arjasari"),  # both paid: not on the sheet
        "f": place(session, new(), "3201", "Arjasari"),  # nothing paid
        "w": place(session, new(), "3201", "Arjasari"),  # written off: not collected
    }
    for key in ("b", "c"):
        pay(session, loans[key], total(due_rows(session, loans[key])[0]), date(2026, 12, 3))
    pay(session, loans["c"], total(due_rows(session, loans["c"])[1]), AS_OF)
    maker, checker = lf.user(session, lender), lf.user(session, lender)
    wo = request_write_off(
        session,
        lf.SYSTEM,
        loans["w"].id,
        requested_by=maker.id,
        requested_on=AS_OF,
        reason="Macet",
        override_reason="Usaha tutup",
    )
    approve_write_off(session, lf.SYSTEM, wo.id, approved_by=checker.id, approved_on=AS_OF)
    lf.active_loan(session)  # another lender's overdue loan
    return loans


def test_sheet_lists_due_today_and_overdue_grouped_by_regency_and_village(
    session: Session, portfolio: dict[str, Loan]
) -> None:
    a, b, f = portfolio["a"], portfolio["b"], portfolio["f"]
    sheet = col.collection_sheet(session, a.lender_id, AS_OF)
    assert [(g.regency, g.village, [ln.loan_id for ln in g.lines]) for g in sheet.groups] == [
        ("3201", "Arjasari", [f.id]),
        ("3204", "Cibiru", [a.id]),
        ("3204", None, [b.id]),  # no village: last in its regency
    ]
    by_id = {ln.loan_id: ln for ln in sheet.lines}
    dec, jan = due_rows(session, a)
    line = by_id[a.id]
    assert (line.installments, line.oldest_due_on, line.days_past_due) == (2, dec.due_on, 31)
    assert (line.amount_due, line.due_today) == (total(dec) + total(jan), total(jan))
    _dec_b, jan_b = due_rows(session, b)
    assert (by_id[b.id].amount_due, by_id[b.id].due_today, by_id[b.id].days_past_due) == (
        total(jan_b),
        total(jan_b),
        0,
    )
    assert sheet.total_due == sum(ln.amount_due for ln in sheet.lines)
    only = col.collection_sheet(session, a.lender_id, AS_OF, regency="3204", village="Cibiru")
    assert [ln.loan_id for ln in only.lines] == [a.id]
    assert not sheet.truncated
    # The day before, only the December installments are due (and the sheet says so).
    earlier = col.collection_sheet(session, a.lender_id, date(2026, 12, 3))
    assert {ln.loan_id for ln in earlier.lines} >= {a.id, f.id}
    assert all(ln.installments == 1 for ln in earlier.lines)


def count_repayments(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Repayment)) or 0)


def test_bulk_entry_posts_every_line_once_and_a_resend_replays(
    session: Session, portfolio: dict[str, Loan]
) -> None:
    a, b, f = portfolio["a"], portfolio["b"], portfolio["f"]
    before = count_repayments(session)
    sheet = col.collection_sheet(session, a.lender_id, AS_OF)
    amount_a = {ln.loan_id: ln.amount_due for ln in sheet.lines}[a.id]
    entries = [(a.id, str(amount_a)), (b.id, "Rp 1.000.000"), (f.id, "  ")]
    result = col.post_collections(
        session, lf.SYSTEM, a.lender_id, entries, paid_on=AS_OF, sheet_token=TOKEN
    )
    assert result.ok and result.total == amount_a + 1_000_000
    assert [(p.loan_id, p.amount, p.replayed) for p in result.posted] == [
        (a.id, amount_a, False),
        (b.id, 1_000_000, False),
    ]
    assert count_repayments(session) == before + 2
    again = col.post_collections(
        session, lf.SYSTEM, a.lender_id, entries, paid_on=AS_OF, sheet_token=TOKEN
    )
    assert again.ok and all(p.replayed for p in again.posted)
    assert count_repayments(session) == before + 2
    after = col.collection_sheet(session, a.lender_id, AS_OF)
    assert a.id not in {ln.loan_id for ln in after.lines}  # paid up: off the sheet


def test_one_bad_amount_stores_nothing_and_names_its_line(
    session: Session, portfolio: dict[str, Loan]
) -> None:
    a, b, f = portfolio["a"], portfolio["b"], portfolio["f"]
    before = count_repayments(session)
    entries = [(a.id, "500000"), (b.id, "12,5"), (f.id, "-3")]
    result = col.post_collections(
        session, lf.SYSTEM, a.lender_id, entries, paid_on=AS_OF, sheet_token=TOKEN
    )
    assert result.errors == {b.id: [col.NOT_AN_AMOUNT], f.id: [col.NOT_POSITIVE]}
    assert result.posted == [] and count_repayments(session) == before


def test_a_refused_line_rolls_back_the_lines_already_posted(
    session: Session, portfolio: dict[str, Loan]
) -> None:
    a, b = portfolio["a"], portfolio["b"]
    outsider = session.scalar(select(Loan.id).where(Loan.lender_id != a.lender_id))
    assert outsider is not None
    before = count_repayments(session)
    outstanding_b = b.outstanding_principal
    lender = session.get(Lender, a.lender_id)
    undisbursed = lf.approved_loan(session, lender_obj=lender).id
    entries = [(b.id, "1000000"), (undisbursed, "500.000"), (outsider, "1000")]
    result = col.post_collections(
        session,
        lf.SYSTEM,
        a.lender_id,
        entries,
        paid_on=AS_OF,
        sheet_token=TOKEN,
        business_date=AS_OF,
    )
    assert set(result.errors) == {undisbursed, outsider}  # not paid out; not this lender's
    assert "disbursed" in result.errors[undisbursed][0]
    assert result.posted == [] and count_repayments(session) == before
    session.refresh(b)
    assert b.outstanding_principal == outstanding_b  # b's line went in and was rolled back
    fixed = [(b.id, "1000000"), (a.id, "1000000")]
    done = col.post_collections(
        session, lf.SYSTEM, a.lender_id, fixed, paid_on=AS_OF, sheet_token=TOKEN
    )
    assert done.ok and [p.replayed for p in done.posted] == [False, False]
    assert count_repayments(session) == before + 2


def test_a_value_date_after_the_business_date_is_refused_on_every_line(
    session: Session, portfolio: dict[str, Loan]
) -> None:
    a, b = portfolio["a"], portfolio["b"]
    before = count_repayments(session)
    result = col.post_collections(
        session,
        lf.SYSTEM,
        a.lender_id,
        [(a.id, "1000"), (b.id, "1000")],
        paid_on=date(2027, 1, 10),
        sheet_token=TOKEN,
        business_date=AS_OF,
    )
    assert set(result.errors) == {a.id, b.id} and count_repayments(session) == before


def test_the_form_token_and_repeated_lines_are_checked(
    session: Session, portfolio: dict[str, Loan]
) -> None:
    a = portfolio["a"]
    with pytest.raises(DomainError) as err:
        col.post_collections(
            session, lf.SYSTEM, a.lender_id, [(a.id, "1")], paid_on=AS_OF, sheet_token="../../etc"
        )
    assert "sheet_token" in err.value.errors
    twice = col.post_collections(
        session,
        lf.SYSTEM,
        a.lender_id,
        [(a.id, "1000"), (a.id, "1000")],
        paid_on=AS_OF,
        sheet_token=TOKEN,
    )
    assert twice.errors == {a.id: [col.TWICE]}


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("", None),
        ("1.250.000", 1_250_000),
        ("Rp 1.250.000", 1_250_000),
        ("1250000", 1_250_000),
        ("Rp1.250.000,00", 1_250_000),
    ],
)
def test_amounts_as_officers_type_them(typed: str, value: int | None) -> None:
    assert col.parse_amount(typed) == value


@pytest.mark.parametrize("typed", ["1,5", "1.25.000", "abc", "0", "-5", "1" + "0" * 13])
def test_amounts_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        col.parse_amount(typed)


def test_the_sheet_reads_the_partial_index_on_postgresql(
    session: Session, portfolio: dict[str, Loan], is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("partial-index planning is checked on PostgreSQL")
    lender_id = portfolio["a"].lender_id
    stmt = col.sheet_query(lender_id, AS_OF)
    sql = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    # With sequential scans priced out the planner must still find an index whose predicate
    # the query implies; if the WHERE drifted from the index's predicate it could not.
    session.execute(select(1))
    session.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(r[0] for r in session.connection().exec_driver_sql(f"EXPLAIN {sql}"))
    assert "ix_installments_unsettled_due" in plan, plan
