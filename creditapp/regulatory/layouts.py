"""The one mapping layer of the regulatory files: every column of every file, declared once.

The official SIKP and SLIK layouts are not public here, so our files are documented CSVs and
this module is where a bank maps them to the official format: rename a column, reorder the
tuple, point it at another source field, or change a format or a code table, and the CLI, the
web download and the README table (``creditapp regulatory layouts``) all follow. Nothing
else names a column.

A column is (name in the file, source field, format, description). The source fields are
what ``files.SOURCES`` selects for that file, in SQL; a layout may use any of them, in any
order, and only the ones it names are read. Formats:

- ``text``: as stored; ``int``: a whole number; ``rupiah``: whole Rupiah, digits only
  (no ``Rp``, no separators, as every upload format expects);
- ``date``: ``DATE_FORMAT`` below (ISO ``YYYY-MM-DD``); ``month``: ``YYYY-MM``;
- ``percent``: a rate stored as a fraction, in percent with two decimals (0.06 -> 6.00);
- ``flag``: ``Y`` / ``N``;
- ``nik``: the owner's national ID number in clear, decrypted from ``owner_nik_enc``: the
  only place a clear NIK leaves the database (never logged);
- ``code:TABLE``: our code translated by ``CODES[TABLE]`` (e.g. gender F -> P).

CSV: UTF-8, comma-separated, a header row, ``\\r\\n`` line ends (the csv module's default,
what spreadsheet tools and most bank uploaders read), fields quoted only when needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..pii import cipher

DATE_FORMAT = "%Y-%m-%d"

CODES: dict[str, dict[str, str]] = {
    # Jenis kelamin as on the KTP: perempuan / laki-laki.
    "gender": {"F": "P", "M": "L"},
    # Penggunaan: modal kerja / investasi.
    "purpose": {"working_capital": "MK", "investment": "INV"},
    "segment": {"super_mikro": "SMI", "mikro": "MIK", "kecil": "KCL", "other": "LAIN"},
    # Kondisi fasilitas: akad (not paid out yet), aktif, lunas, hapus buku.
    "loan_status": {
        "approved": "AKAD",
        "active": "AKTIF",
        "closed": "LUNAS",
        "written_off": "HAPUS_BUKU",
    },
}


@dataclass(frozen=True)
class Column:
    """One column of a file: its header, the source field it reads, how it is written."""

    name: str
    source: str
    format: str
    description: str


@dataclass(frozen=True)
class Layout:
    """One file: its command name, title, what one row is, and its columns in order."""

    kind: str
    title: str
    row: str
    columns: tuple[Column, ...]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: Any) -> str:
    return "" if value is None else value.strftime(DATE_FORMAT)


def _month(value: Any) -> str:
    return "" if value is None else f"{value.year:04d}-{value.month:02d}"


def _whole(value: Any) -> str:
    if type(value) is int:  # the common case first: one type check per value
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"not a whole number: {value!r}")
    return str(int(value))


def _percent(value: Any) -> str:
    return "" if value is None else f"{Decimal(str(value)) * 100:.2f}"


def _flag(value: Any) -> str:
    return "Y" if value else "N"


FORMATS: dict[str, Callable[[Any], str]] = {
    "text": _text,
    "int": _whole,
    "rupiah": _whole,
    "date": _date,
    "month": _month,
    "percent": _percent,
    "flag": _flag,
}


def formatter(fmt: str) -> Callable[[Any], str]:
    """The function writing one value in ``fmt`` (``code:TABLE`` looks the code up)."""
    if fmt.startswith("code:"):
        table = CODES[fmt.removeprefix("code:")]
        return lambda value: "" if value is None else table[value]
    if fmt == "nik":
        decrypt = cipher().decrypt  # looked up once per file, not once per row
        return lambda value: "" if value is None else decrypt(value)
    return FORMATS[fmt]


C = Column
_LENDER = C("kode_lembaga", "lender_code", "text", "lender (penyalur) code on the platform")
_NIK = C("nik", "owner_nik_enc", "nik", "owner's national ID number (16 digits, in clear)")
_LOAN = C("no_rekening", "loan_id", "int", "facility number: the platform's loan id")
_PROGRAM = C("kode_program", "program_code", "text", "credit program code")

LAYOUTS: dict[str, Layout] = {
    layout.kind: layout
    for layout in (
        Layout(
            "debtors",
            "Debtor file (SIKP-like calon debitur)",
            "one facility approved (akad) in the month",
            (
                _LENDER,
                _NIK,
                C("nama_debitur", "owner_name", "text", "owner's name"),
                C("jenis_kelamin", "owner_gender", "code:gender", "P women, L men"),
                C("nama_usaha", "enterprise_name", "text", "enterprise name"),
                C("ref_usaha", "enterprise_reference", "text", "the lender's own debtor id"),
                C("kbli", "kbli", "text", "KBLI 2020 sector code (5 digits)"),
                C("kode_provinsi", "province", "text", "BPS province code"),
                C("kode_kabupaten", "regency", "text", "BPS regency code"),
                C("desa", "village", "text", "village (desa/kelurahan), may be empty"),
                C("mulai_usaha", "founded_on", "date", "business start date"),
                C("tenaga_kerja", "workers", "int", "workers"),
                C("omzet_tahunan", "annual_sales", "rupiah", "annual sales, Rupiah"),
                C("aset", "assets", "rupiah", "assets (land and buildings excluded), Rupiah"),
                _PROGRAM,
                C("skema", "segment", "code:segment", "SMI super mikro, MIK mikro, KCL kecil"),
                C("akses_ke", "kur_access_count", "int", "earlier KUR loans at approval"),
                _LOAN,
                C("tanggal_akad", "approved_on", "date", "approval (akad) date"),
                C("plafon", "principal", "rupiah", "approved principal, Rupiah"),
            ),
        ),
        Layout(
            "disbursements",
            "Disbursement file (SIKP-like realisasi)",
            "one confirmed disbursement paid out in the month",
            (
                _LENDER,
                _NIK,
                _LOAN,
                _PROGRAM,
                C("no_pencairan", "disbursement_id", "int", "disbursement id"),
                C("tanggal_akad", "approved_on", "date", "approval (akad) date"),
                C("tanggal_cair", "disbursed_on", "date", "value date of the payment"),
                C("jumlah_cair", "amount", "rupiah", "amount paid out, Rupiah"),
                C("plafon", "principal", "rupiah", "approved principal, Rupiah"),
                C("jangka_waktu", "tenor", "int", "tenor, instalments (months)"),
                C("jatuh_tempo", "maturity_on", "date", "maturity date"),
                C("suku_bunga", "annual_rate", "percent", "borrower rate p.a., percent"),
                C("subsidi_bunga", "subsidy_rate", "percent", "government subsidy p.a., percent"),
                C("penjaminan", "guarantee_coverage", "percent", "guarantee cover, percent"),
                C("penggunaan", "purpose", "code:purpose", "MK working capital, INV investment"),
            ),
        ),
        Layout(
            "outstanding",
            "Monthly outstanding file (SIKP-like outstanding)",
            "one facility in the month's last end-of-day run",
            (
                _LENDER,
                C("periode", "period", "month", "reporting month YYYY-MM"),
                C("posisi", "as_of", "date", "date of the end-of-day run read"),
                _NIK,
                _LOAN,
                _PROGRAM,
                C("plafon", "principal", "rupiah", "approved principal, Rupiah"),
                C("baki_debet", "outstanding_principal", "rupiah", "outstanding principal"),
                C("tunggakan", "arrears", "rupiah", "amount overdue, Rupiah"),
                C("hari_tunggakan", "dpd", "int", "days past due"),
                C("kolektibilitas", "collectibility", "int", "OJK grade of the facility (1-5)"),
                C("restrukturisasi", "restructured", "flag", "restructured: Y/N"),
            ),
        ),
        Layout(
            "slik",
            "Credit-facility report (SLIK-like), one grade per debtor",
            "one facility; the debtor's grade is the worst of its facilities at the lender",
            (
                _LENDER,
                C("periode", "period", "month", "reporting month YYYY-MM"),
                C("posisi", "as_of", "date", "date of the end-of-day run read"),
                _NIK,
                C("nama_debitur", "owner_name", "text", "owner's name"),
                _LOAN,
                _PROGRAM,
                C("kondisi", "status", "code:loan_status", "AKTIF (active) in the run"),
                C("tanggal_akad", "approved_on", "date", "approval (akad) date"),
                C("jatuh_tempo", "maturity_on", "date", "maturity date"),
                C("plafon", "principal", "rupiah", "approved principal, Rupiah"),
                C("baki_debet", "outstanding_principal", "rupiah", "outstanding principal"),
                C("tunggakan", "arrears", "rupiah", "amount overdue, Rupiah"),
                C("hari_tunggakan", "dpd", "int", "days past due of this facility"),
                C("kol_fasilitas", "collectibility", "int", "this facility's own grade"),
                C("kolektibilitas", "debtor_collectibility", "int",
                  "the debtor's grade: worst of its facilities at this lender (POJK 40/2019)"),
                C("restrukturisasi", "restructured", "flag", "restructured: Y/N"),
            ),
        ),
    )
}  # fmt: skip


def markdown_table(layout: Layout) -> str:
    """The layout as a Markdown table (the README's documentation is generated from it)."""
    lines = [
        f"`{layout.kind}`: {layout.title}; a row is {layout.row}.",
        "",
        "| # | column | format | meaning |",
        "|---|---|---|---|",
    ]
    for n, column in enumerate(layout.columns, 1):
        lines.append(f"| {n} | `{column.name}` | {column.format} | {column.description} |")
    return "\n".join(lines)
