"""The regulatory files of the two-lender book (tests/factories/regulatory.py), by the CLI.

Every expected value below is worked out by hand from the book's arrangement: which loans
fall in December 2026, their amounts, the days past due on 31 Dec 2026, and the grades.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent
from creditapp.regulatory.layouts import LAYOUTS, Column
from tests.factories.regulatory import NIK1, NIK2, Book, two_lender_book


@pytest.fixture
def book(session: Session) -> Book:
    return two_lender_book(session)


def _file(runner: FlaskCliRunner, tmp_path: Path, kind: str, lender: str = "BANK-A",
          month: str = "2026-12") -> list[dict[str, str]]:  # fmt: skip
    out = tmp_path / f"{kind}-{lender}.csv"
    result = runner.invoke(
        args=["regulatory", kind, "--lender", lender, "--month", month, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _pick(rows: list[dict[str, str]], *names: str) -> list[tuple[str, ...]]:
    return [tuple(row[n] for n in names) for row in rows]


def test_debtor_file_has_the_facilities_approved_in_the_month(
    runner: FlaskCliRunner, tmp_path: Path, book: Book
) -> None:
    rows = _file(runner, tmp_path, "debtors")
    # L1 was approved in August and L4 is lender B's: only L2 and L3, in loan order.
    assert _pick(
        rows, "no_rekening", "nik", "jenis_kelamin", "kode_program", "skema", "tanggal_akad",
        "plafon", "akses_ke", "kode_lembaga",
    ) == [
        (str(book.l2.id), NIK1, "P", "PROD-T", "LAIN", "2026-12-05", "15000000", "1", "BANK-A"),
        (str(book.l3.id), NIK2, "L", "KUR-MIKRO-T", "MIK", "2026-12-10", "50000000", "0", "BANK-A"),
    ]  # fmt: skip
    # L2's owner holds one earlier KUR (L1), so it is the owner's second access: "akses_ke" 1.


def test_disbursement_file_has_the_payments_of_the_month(
    runner: FlaskCliRunner, tmp_path: Path, book: Book
) -> None:
    rows = _file(runner, tmp_path, "disbursements")
    assert _pick(
        rows, "no_rekening", "tanggal_cair", "jumlah_cair", "jangka_waktu", "jatuh_tempo",
        "suku_bunga", "subsidi_bunga", "penjaminan", "penggunaan",
    ) == [
        # L2: second access -> the program's second rate (7%) and subsidy (9%).
        (str(book.l2.id), "2026-12-05", "15000000", "12", "2027-12-05",
         "7.00", "9.00", "70.00", "MK"),
        # L3: 24 monthly instalments from 10 Jan 2027, the last on 10 Dec 2028.
        (str(book.l3.id), "2026-12-10", "50000000", "24", "2028-12-10",
         "6.00", "10.00", "70.00", "MK"),
    ]  # fmt: skip
    # August's disbursement (L1) is in August's file alone.
    assert _pick(_file(runner, tmp_path, "disbursements", month="2026-08"), "no_rekening") == [
        (str(book.l1.id),)
    ]


def _annuity(principal: int, annual_rate: str, months: int) -> int:
    """One instalment, by the textbook formula (30/360: every month is 1/12 of a year)."""
    r = Decimal(annual_rate) / 12
    return int((principal * r / (1 - (1 + r) ** -months)).quantize(Decimal(1), ROUND_HALF_UP))


def test_outstanding_file_reads_the_month_end_run(
    runner: FlaskCliRunner, tmp_path: Path, book: Book
) -> None:
    rows = _file(runner, tmp_path, "outstanding")
    # L1: instalments due 1 Sep, 1 Oct, 1 Nov and 1 Dec are unpaid; the oldest is
    # 30 + 31 + 30 + 30 = 121 days late on 31 Dec: Kol 4 (121-180 days).
    arrears_l1 = 4 * _annuity(20_000_000, "0.06", 12)
    assert _pick(
        rows, "no_rekening", "periode", "posisi", "nik", "baki_debet", "tunggakan",
        "hari_tunggakan", "kolektibilitas", "restrukturisasi",
    ) == [
        (str(book.l1.id), "2026-12", "2026-12-31", NIK1, "20000000", str(arrears_l1),
         "121", "4", "N"),
        (str(book.l2.id), "2026-12", "2026-12-31", NIK1, "15000000", "0", "0", "1", "N"),
        (str(book.l3.id), "2026-12", "2026-12-31", NIK2, "50000000", "0", "0", "1", "N"),
    ]  # fmt: skip


def test_slik_gives_each_debtor_the_worst_grade_of_its_facilities_at_one_lender(
    runner: FlaskCliRunner, tmp_path: Path, book: Book
) -> None:
    rows = _file(runner, tmp_path, "slik")
    # NIK1 holds L1 (Kol 4) and L2 (Kol 1) at A, through two enterprise records: both
    # facilities report the debtor's grade 4. NIK2's only facility keeps its own grade.
    assert _pick(rows, "no_rekening", "nik", "kol_fasilitas", "kolektibilitas", "kondisi") == [
        (str(book.l1.id), NIK1, "4", "4", "AKTIF"),
        (str(book.l2.id), NIK1, "1", "4", "AKTIF"),
        (str(book.l3.id), NIK2, "1", "1", "AKTIF"),
    ]
    # At lender B the same person has one facility, current: B reports grade 1, not A's 4.
    assert _pick(_file(runner, tmp_path, "slik", "BANK-B"), "no_rekening", "kolektibilitas") == [
        (str(book.l4.id), "1")
    ]


def test_a_column_renamed_or_repointed_in_the_layout_is_what_the_file_has(
    runner: FlaskCliRunner, tmp_path: Path, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = LAYOUTS["slik"]
    columns = tuple(
        replace(c, name="KOLEKTIBILITAS_DEBITUR") if c.name == "kolektibilitas" else c
        for c in layout.columns
    ) + (Column("OMZET", "annual_sales", "rupiah", "annual sales"),)
    monkeypatch.setitem(LAYOUTS, "slik", replace(layout, columns=columns))
    rows = _file(runner, tmp_path, "slik")
    assert "kolektibilitas" not in rows[0]
    assert list(rows[0])[-3:] == ["KOLEKTIBILITAS_DEBITUR", "restrukturisasi", "OMZET"]
    # core.enterprise's annual sales are Rp 600 juta.
    assert _pick(rows, "KOLEKTIBILITAS_DEBITUR", "OMZET") == [
        ("4", "600000000"), ("4", "600000000"), ("1", "600000000"),
    ]  # fmt: skip


def test_the_export_is_audited_and_no_nik_reaches_the_log(
    runner: FlaskCliRunner,
    tmp_path: Path,
    book: Book,
    session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    result = runner.invoke(
        args=["regulatory", "slik", "--lender", "BANK-A", "--month", "2026-12",
              "--out", str(tmp_path / "slik.csv")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3 rows written" in result.output
    assert NIK1 not in caplog.text and NIK1 not in result.output
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "regulatory.export")
    ).one()
    assert (event.entity, event.entity_id) == ("lender", book.a.id)
    assert event.after == {"file": "slik", "month": "2026-12", "rows": 3, "via": "cli"}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--lender", "NOPE", "--month", "2026-12"], "lender"),
        (["--lender", "BANK-A", "--month", "2026-13"], "month"),
        (["--lender", "BANK-A", "--month", "Dec 2026"], "month"),
        (["--lender", "BANK-A", "--month", "2026-11"], "month"),  # no end-of-day run in it
    ],
)
def test_a_bad_request_names_the_field_and_writes_no_file(
    runner: FlaskCliRunner, tmp_path: Path, book: Book, args: list[str], field: str
) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["regulatory", "outstanding", *args, "--out", str(out)])
    assert result.exit_code != 0
    assert f"{field}:" in result.output  # "month: ..." or BadParameter's "--month: ..."
    assert not out.exists() and not list(tmp_path.iterdir())
