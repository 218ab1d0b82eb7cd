"""A hand-built portfolio for report tests: loans, end-of-day status rows, movements.

Rows are written directly (not through the services) so a test states every figure the
report reads and can work out the expected result by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import (
    AgeingRun,
    CreditProgram,
    Decision,
    Enterprise,
    Installment,
    Lender,
    Loan,
    LoanMovement,
    LoanStatus,
    Repayment,
    RepaymentAllocation,
    Restructuring,
    ScoreRecord,
)
from tests.factories import core


def kol(dpd: int) -> int:
    """OJK grade written out by hand for the fixtures (0 / 1-90 / 91-120 / 121-180 / >180)."""
    if dpd == 0:
        return 1
    if dpd <= 90:
        return 2
    if dpd <= 120:
        return 3
    if dpd <= 180:
        return 4
    return 5


@dataclass
class Book:
    session: Session
    lender: Lender
    program: CreditProgram

    @classmethod
    def new(cls, session: Session) -> Book:
        return cls(session, core.lender(session), core.program(session))

    def loan(
        self,
        principal: int,
        *,
        disbursed_on: date = date(2026, 1, 10),
        province: str = "32",
        gender: str = "F",
        lender: Lender | None = None,
        program: CreditProgram | None = None,
        access_count: int = 0,
        annual_sales: int = 600_000_000,
    ) -> Loan:
        app = core.application(self.session, lender or self.lender, program or self.program)
        ent = self.session.get(Enterprise, app.enterprise_id)
        assert ent is not None
        ent.province, ent.owner_gender = province, gender
        ent.kur_access_count, ent.annual_sales = access_count, annual_sales
        app.profile_kur_access_count = access_count
        loan = core.loan(self.session, app, principal)
        loan.status, loan.disbursed_amount = "active", principal
        loan.outstanding_principal = principal
        self.move(loan, "disbursement", principal, principal, disbursed_on)
        return loan

    def move(self, loan: Loan, kind: str, amount: int, delta: int, on: date) -> None:
        self.session.add(
            LoanMovement(
                loan_id=loan.id, kind=kind, amount=amount, principal_delta=delta, posted_on=on
            )
        )
        self.session.flush()

    def status(self, loan: Loan, as_of: date, dpd: int, outstanding: int) -> None:
        self.session.add(
            LoanStatus(
                loan_id=loan.id,
                as_of=as_of,
                dpd=dpd,
                collectibility=kol(dpd),
                outstanding_principal=outstanding,
                arrears=0,
                status="active",
            )
        )
        self.session.flush()

    def run(self, as_of: date, loans_aged: int = 0) -> None:
        self.session.add(AgeingRun(as_of=as_of, loans_aged=loans_aged))
        self.session.flush()

    def restructure(self, loan: Loan, on: date) -> None:
        self.session.add(
            Restructuring(
                loan_id=loan.id,
                effective_on=on,
                old_schedule_version=1,
                new_schedule_version=2,
                old_rate=Decimal("0.06"),
                new_rate=Decimal("0.06"),
                reason="test",
            )
        )
        self.session.flush()

    def write_off(self, loan: Loan, on: date, amount: int) -> None:
        loan.status, loan.written_off_on, loan.outstanding_principal = "written_off", on, 0
        self.move(loan, "write_off", amount, -amount, on)

    def installment(
        self, loan: Loan, number: int, due_on: date, principal: int, interest: int
    ) -> Installment:
        row = Installment(
            loan_id=loan.id,
            schedule_version=1,
            number=number,
            due_on=due_on,
            principal_due=principal,
            interest_due=interest,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def pay(self, loan: Loan, row: Installment, on: date, principal: int, interest: int) -> None:
        n = int(self.session.scalar(select(func.count()).select_from(Repayment)) or 0) + 1
        rep = Repayment(
            loan_id=loan.id,
            lender_id=loan.lender_id,
            idempotency_key=f"t{n}",
            amount=principal + interest,
            paid_on=on,
            principal_part=principal,
            interest_part=interest,
        )
        self.session.add(rep)
        self.session.flush()
        self.session.add(
            RepaymentAllocation(
                repayment_id=rep.id,
                installment_id=row.id,
                principal=principal,
                interest=interest,
                penalty=0,
            )
        )
        row.principal_paid += principal
        row.interest_paid += interest
        self.session.flush()


def scored(
    session: Session,
    application_id: int,
    *,
    pd: float = 0.05,
    score: int = 600,
    band: str = "B",
    model: tuple[str, str] = ("imk-demo", "2026-10-31-s20261031"),
    features: dict[str, float] | None = None,
) -> ScoreRecord:
    """A score record of an application (only the fields the reports read are meaningful)."""
    row = ScoreRecord(
        application_id=application_id,
        model_name=model[0],
        model_version=model[1],
        feature_spec_version="1",
        input_hash="0" * 64,
        features=features or {},
        quality={},
        margin=0.0,
        pd=pd,
        score=score,
        band=band,
        reasons=[],
        policy={},
        recommendation="approve",
        recommended_amount=0,
        recommended_tenor=12,
        result_json="{}",
    )
    session.add(row)
    session.flush()
    return row


def decided(
    session: Session,
    application_id: int,
    officer_id: int,
    outcome: str,
    on: date,
    *,
    score_record_id: int | None = None,
    overrides: bool = False,
    reason_code: str | None = None,
) -> Decision:
    row = Decision(
        application_id=application_id,
        score_record_id=score_record_id,
        decided_by=officer_id,
        outcome=outcome,
        overrides_recommendation=overrides,
        reason_code=reason_code,
        decided_on=on,
    )
    session.add(row)
    session.flush()
    return row
