"""The layout declaration: formats, code tables, and the README generated from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditapp.regulatory.files import SOURCES
from creditapp.regulatory.layouts import CODES, LAYOUTS, formatter, markdown_table

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_documents_every_layout_as_declared() -> None:
    text = README.read_text(encoding="utf-8")
    for layout in LAYOUTS.values():
        assert markdown_table(layout) in text, (
            f"regenerate: creditapp regulatory layouts ({layout.kind})"
        )


def test_every_file_has_a_source_and_every_column_a_known_format() -> None:
    assert set(SOURCES) == set(LAYOUTS) == {"debtors", "disbursements", "outstanding", "slik"}
    for layout in LAYOUTS.values():
        names = [c.name for c in layout.columns]
        assert len(names) == len(set(names)), layout.kind
        for column in layout.columns:
            if column.format != "nik":  # needs the app's key (tested in the integration tests)
                formatter(column.format)


@given(st.integers(min_value=0, max_value=10**15))
def test_amounts_are_whole_rupiah_digits_only(amount: int) -> None:
    written = formatter("rupiah")(amount)
    assert written.isdigit() and int(written) == amount


def test_formats_written_by_hand() -> None:
    assert formatter("rupiah")(12_500_000) == "12500000"
    assert formatter("rupiah")(None) == ""
    assert formatter("date")(date(2026, 12, 5)) == "2026-12-05"
    assert formatter("month")(date(2026, 12, 1)) == "2026-12"
    assert formatter("percent")(Decimal("0.06")) == "6.00"
    assert formatter("percent")(Decimal("0.105")) == "10.50"
    assert formatter("flag")(True) == "Y" and formatter("flag")(False) == "N"
    assert formatter("code:gender")("F") == "P"
    assert formatter("code:loan_status")("written_off") == "HAPUS_BUKU"
    with pytest.raises(ValueError):
        formatter("rupiah")(Decimal("1.5"))  # never a fraction of a Rupiah
    with pytest.raises(KeyError):
        formatter("code:purpose")("consumption")  # an unmapped code is an error, not a blank
    assert set(CODES["gender"]) == {"F", "M"}
