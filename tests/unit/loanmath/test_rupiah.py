"""Rupiah formatting and parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loanmath.rupiah import format_rupiah, parse_rupiah


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (12_500_000, "Rp 12.500.000"),
        (-1_000, "-Rp 1.000"),
        (0, "Rp 0"),
        (999, "Rp 999"),
        (1_000_000_000_000, "Rp 1.000.000.000.000"),
    ],
)
def test_format(amount: int, text: str) -> None:
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rp 12.500.000", 12_500_000),
        ("Rp12.500.000", 12_500_000),
        ("rp. 12.500.000", 12_500_000),
        ("12500000", 12_500_000),
        ("-Rp 1.000", -1_000),
        ("Rp -1.000", -1_000),
        ("Rp 2.000,00", 2_000),
        ("  Rp 7  ", 7),
    ],
)
def test_parse(text: str, amount: int) -> None:
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    "text", ["", "Rp", "1.00.000", "Rp 1.000,50", "12,5", "--1", "Rp 1 000", "-Rp -5", "1.0000"]
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rupiah(text)


def test_format_refuses_non_int() -> None:
    with pytest.raises(TypeError):
        format_rupiah(1.5)  # type: ignore[arg-type]


@given(st.integers(-(10**15), 10**15))
def test_round_trip(amount: int) -> None:
    text = format_rupiah(amount)
    assert parse_rupiah(text) == amount
    digits = text.removeprefix("-").removeprefix("Rp ")
    assert digits.replace(".", "") == str(abs(amount))
    assert all(len(group) == 3 for group in digits.split(".")[1:])
