"""How the pages write amounts, dates and national ID numbers."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import force_locale

from creditapp import create_app
from creditapp.web.i18n import day, percent, rupiah
from creditapp.web.officer import mask_nik

NBSP = "\u00a0"


def _app() -> Flask:
    return create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True})


def test_dates_and_amounts_in_both_languages() -> None:
    app = _app()
    with app.test_request_context("/"):
        with force_locale("id"):
            assert day(date(2026, 12, 4)) == "4 Des 2026"
            assert day(date(2026, 8, 17)) == "17 Agu 2026"
            assert rupiah(12_500_000) == f"Rp{NBSP}12.500.000"
            assert percent(0.125) == "12,5%"
        with force_locale("en"):
            assert day(date(2026, 12, 4)) == "4 Dec 2026"
            assert rupiah(12_500_000) == f"Rp{NBSP}12,500,000"
            assert percent(0.125) == "12.5%"


def test_nik_is_masked_to_region_and_last_two_digits() -> None:
    assert mask_nik("3201234567890001") == "3201 **** **** **01"
    assert "567890" not in mask_nik("3201234567890001")
