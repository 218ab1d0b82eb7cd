"""The regulatory files of one lender and one month, generated in SQL and streamed as CSV.

``prepare`` checks the request (lender, month, the end-of-day run a monthly file reads) and
refuses a bad one before a byte is written; ``csv_chunks`` then streams the header and the
rows in chunks from one SELECT (``yield_per``: a server-side cursor on PostgreSQL), so a file
of a million facilities never sits in memory. Which columns a file has, their names and their
formats live in ``layouts.LAYOUTS``; ``SOURCES`` here says, per file, which rows it has and
what each source field means in SQL, and only the fields a layout names are selected.

The credit-bureau file grades each debtor once: POJK 40/2019 gives one debtor one grade
across all its facilities at one bank, the worst. End-of-day ageing grades each loan on its
own (``services.loans.ageing``), so this file applies the rule, as a window over the
debtor's facilities in the run: the debtor is the person (the NIK's look-up hash), not the
enterprise record, because one owner may borrow through two records at the same lender.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Date, Select, Table, func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from loanmath.dates import add_months

from ..errors import DomainError, NotFound
from ..models import (
    CreditProgram,
    Disbursement,
    Enterprise,
    Lender,
    Loan,
    LoanStatus,
)
from ..reports.scope import run_on_or_before
from .layouts import LAYOUTS, Layout, formatter

LOANS = cast(Table, Loan.__table__)
ENT = cast(Table, Enterprise.__table__)
PROG = cast(Table, CreditProgram.__table__)
LENDERS = cast(Table, Lender.__table__)
DISB = cast(Table, Disbursement.__table__)
HIST = cast(Table, LoanStatus.__table__)
MONTH = re.compile(r"(\d{4})-(\d{2})")
CHUNK_ROWS = 2_000


@dataclass(frozen=True)
class FileRequest:
    """One file asked for: kind, lender, month, and the run a monthly position reads."""

    kind: str
    lender_id: int
    lender_code: str
    month_start: date
    month_end: date
    snapshot: date | None  # the month's last end-of-day run (outstanding and slik only)

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.lender_code}-{self.month_start:%Y-%m}.csv"


def parse_month(value: str) -> date:
    """``YYYY-MM`` as the month's first day; anything else names the field ``month``."""
    match = MONTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise DomainError("bad month", {"month": ["expected YYYY-MM, e.g. 2026-10"]})
    return date(int(match.group(1)), int(match.group(2)), 1)


def prepare(
    session: Session, kind: str, lender_code: str, month: str, *, today: date | None = None
) -> FileRequest:
    """Check one file's request and find what it reads.

    Args:
        kind: a key of ``layouts.LAYOUTS``.
        lender_code: the lender whose file it is.
        month: ``YYYY-MM``.
        today: the caller's calendar date (the edge reads the clock); a month starting
            after it is refused.

    Raises:
        NotFound: no such lender (field ``lender``) or file kind (field ``file``).
        DomainError: a bad or future month, or (monthly positions) no end-of-day run in it.
    """
    if kind not in LAYOUTS:
        raise NotFound("no such file", {"file": [f"must be one of {', '.join(LAYOUTS)}"]})
    start = parse_month(month)
    end = add_months(start, 1).toordinal() - 1
    month_end = date.fromordinal(end)
    if today is not None and start > today:
        raise DomainError("month in the future", {"month": [f"{month} has not started yet"]})
    lender_id = session.scalar(select(LENDERS.c.id).where(LENDERS.c.code == lender_code))
    if lender_id is None:
        raise NotFound("no such lender", {"lender": [f"no lender {lender_code!r}"]})
    snapshot = None
    if kind in ("outstanding", "slik"):
        snapshot = run_on_or_before(session, month_end)
        if snapshot is None or snapshot < start:
            raise DomainError(
                "no end-of-day run in the month",
                {"month": [f"no end-of-day run in {start:%Y-%m}; run age-loans first"]},
            )
    return FileRequest(kind, int(lender_id), lender_code, start, month_end, snapshot)


Fields = dict[str, ColumnElement[Any]]


def _loan_fields() -> Fields:
    return {
        "lender_code": LENDERS.c.code,
        "owner_nik_enc": ENT.c.owner_nik_enc,
        "owner_name": ENT.c.owner_name,
        "owner_gender": ENT.c.owner_gender,
        "enterprise_name": ENT.c.name,
        "enterprise_reference": ENT.c.reference,
        "kbli": ENT.c.kbli,
        "province": ENT.c.province,
        "regency": ENT.c.regency,
        "village": ENT.c.village,
        "founded_on": ENT.c.founded_on,
        "workers": ENT.c.workers,
        "annual_sales": ENT.c.annual_sales,
        "assets": ENT.c.assets,
        "program_code": PROG.c.code,
        "segment": PROG.c.segment,
        "loan_id": LOANS.c.id,
        "kur_access_count": LOANS.c.kur_access_count,
        "approved_on": LOANS.c.approved_on,
        "maturity_on": LOANS.c.maturity_on,
        "principal": LOANS.c.principal,
        "tenor": LOANS.c.tenor,
        "annual_rate": LOANS.c.annual_rate,
        "subsidy_rate": LOANS.c.subsidy_rate,
        "guarantee_coverage": LOANS.c.guarantee_coverage,
        "purpose": LOANS.c.purpose,
    }


def _loans_join() -> Any:
    return (
        LOANS.join(ENT, ENT.c.id == LOANS.c.enterprise_id)
        .join(PROG, PROG.c.id == LOANS.c.program_id)
        .join(LENDERS, LENDERS.c.id == LOANS.c.lender_id)
    )


def _debtors(req: FileRequest, fields: list[str]) -> Select[Any]:
    cols = _loan_fields()
    return (
        select(*(cols[f].label(f) for f in fields))
        .select_from(_loans_join())
        .where(
            LOANS.c.lender_id == req.lender_id,
            LOANS.c.approved_on.between(req.month_start, req.month_end),
        )
        .order_by(LOANS.c.id)
    )


def _disbursements(req: FileRequest, fields: list[str]) -> Select[Any]:
    cols = _loan_fields() | {
        "disbursement_id": DISB.c.id,
        "disbursed_on": DISB.c.disbursed_on,
        "amount": DISB.c.amount,
    }
    return (
        select(*(cols[f].label(f) for f in fields))
        .select_from(_loans_join().join(DISB, DISB.c.loan_id == LOANS.c.id))
        .where(
            LOANS.c.lender_id == req.lender_id,
            DISB.c.status == "confirmed",
            DISB.c.disbursed_on.between(req.month_start, req.month_end),
        )
        .order_by(DISB.c.disbursed_on, DISB.c.id)
    )


def _position_fields(req: FileRequest) -> Fields:
    return _loan_fields() | {
        "period": literal(req.month_start, Date),
        "as_of": HIST.c.as_of,
        "outstanding_principal": HIST.c.outstanding_principal,
        "arrears": HIST.c.arrears,
        "dpd": HIST.c.dpd,
        "collectibility": HIST.c.collectibility,
        "restructured": HIST.c.restructured,
        "status": HIST.c.status,
        # POJK 40/2019: one grade per debtor (the person) at this lender, the worst.
        "debtor_collectibility": func.max(HIST.c.collectibility).over(
            partition_by=ENT.c.owner_nik_hash
        ),
    }


def _positions(req: FileRequest, fields: list[str]) -> Select[Any]:
    cols = _position_fields(req)
    return (
        select(*(cols[f].label(f) for f in fields))
        .select_from(_loans_join().join(HIST, HIST.c.loan_id == LOANS.c.id))
        .where(LOANS.c.lender_id == req.lender_id, HIST.c.as_of == req.snapshot)
        .order_by(LOANS.c.id)
    )


SOURCES: dict[str, Callable[[FileRequest, list[str]], Select[Any]]] = {
    "debtors": _debtors,
    "disbursements": _disbursements,
    "outstanding": _positions,
    "slik": _positions,
}


def statement(req: FileRequest, layout: Layout | None = None) -> Select[Any]:
    """The one SELECT of a file: the layout's source fields (each once), in file order."""
    layout = layout or LAYOUTS[req.kind]
    fields = list(dict.fromkeys(c.source for c in layout.columns))
    return SOURCES[req.kind](req, fields)


def count_rows(session: Session, req: FileRequest) -> int:
    """How many rows the file will have (for a progress bar)."""
    inner = statement(req).order_by(None).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def csv_chunks(
    session: Session, req: FileRequest, layout: Layout | None = None, chunk: int = CHUNK_ROWS
) -> Iterator[tuple[str, int]]:
    """The file as (text, rows in it) chunks: the header first (0 rows), then the rows."""
    layout = layout or LAYOUTS[req.kind]
    fields = list(dict.fromkeys(c.source for c in layout.columns))  # the SELECT's order
    writers = [(fields.index(c.source), formatter(c.format)) for c in layout.columns]
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([c.name for c in layout.columns])
    yield buffer.getvalue(), 0
    if session.get_bind().dialect.name == "postgresql":
        # yield_per reads through a server-side cursor, which PostgreSQL plans for the first
        # 10% of rows (fast start: nested loops); the whole file is read, so plan for all.
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    result = session.execute(statement(req, layout).execution_options(yield_per=chunk))
    for rows in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        for row in rows:  # positional: the per-row cost is the formatting, not look-ups
            out.writerow([write(row[i]) for i, write in writers])
        yield buffer.getvalue(), len(rows)
