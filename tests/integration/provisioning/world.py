"""A hand-built book for the provisioning tests: one loan per case, every figure stated.

Each loan is priced by hand in ``test_run`` (cover = floor(EAD x 0.70); loss =
round_half_up((EAD - cover) x LGD); amount = round_half_up(loss x PD)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from creditapp.models import CreditProgram, Loan
from tests.factories import core
from tests.factories.reports import Book, scored

OCT = date(2026, 10, 31)
NOV = date(2026, 11, 30)


@dataclass
class World:
    book: Book
    other: CreditProgram  # a second program (loan F)
    loans: dict[str, Loan]


def loan(book: Book, name: str, outstanding: int, pd: float | None, **kw: object) -> Loan:
    made = book.loan(outstanding, **kw)  # type: ignore[arg-type]
    if pd is not None:
        scored(book.session, made.application_id, pd=pd)
    return made


def build(session: Session) -> World:
    """Six loans aged on 31 Oct 2026 and a written-off one:

    A stage 1 (dpd 0, PD 0.05, 10,000,000); B stage 2 by dpd 45 (PD 0.10, 20,000,000, 24
    months to maturity); C stage 3 (dpd 100, Kol 3, 5,000,000); D stage 2 restructured (dpd
    0, PD 0.04, 8,000,000, no guarantee, 6 months to maturity); E stage 1 rounding (PD 0.5,
    1,000,010); F unscored, other program (10,000,000); G written off (no status row).
    """
    book = Book.new(session)
    other = core.program(session)
    loans = {
        "A": loan(book, "A", 10_000_000, 0.05),
        "B": loan(book, "B", 20_000_000, 0.10),
        "C": loan(book, "C", 5_000_000, 0.20),
        "D": loan(book, "D", 8_000_000, 0.04),
        "E": loan(book, "E", 1_000_010, 0.5),
        "F": loan(book, "F", 10_000_000, None, program=other),
        "G": loan(book, "G", 3_000_000, 0.30),
    }
    loans["B"].maturity_on = date(2028, 10, 31)
    loans["D"].maturity_on = date(2027, 4, 30)
    loans["D"].guarantee_coverage = Decimal(0)
    book.restructure(loans["D"], date(2026, 6, 1))
    book.write_off(loans["G"], date(2026, 9, 30), 3_000_000)
    dpd = {"A": 0, "B": 45, "C": 100, "D": 0, "E": 0, "F": 0}
    for name, days in dpd.items():
        book.status(loans[name], OCT, days, loans[name].outstanding_principal)
    book.run(OCT)
    return World(book, other, loans)
