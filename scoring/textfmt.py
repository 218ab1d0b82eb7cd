"""Numbers in reason texts, formatted the Indonesian way (``id``) and the English way (``en``).

Indonesian uses a dot for thousands and a comma for decimals ("Rp 12.500.000", "0,62");
English the reverse ("Rp 12,500,000", "0.62").
"""

from __future__ import annotations

import math

from loanmath.rupiah import format_rupiah

LANGS: tuple[str, ...] = ("id", "en")
_NO_DATA = {"id": "tidak ada data", "en": "no data"}
_MONTHS = {"id": "bulan", "en": "months"}
_FLAG = {"id": ("tidak", "ya"), "en": ("no", "yes")}


def number(value: float, decimals: int, lang: str) -> str:
    """Return ``value`` with thousands separators and ``decimals`` decimals in ``lang``.

    Args:
        value: the number.
        decimals: digits after the decimal mark.
        lang: ``id`` or ``en``.

    Returns:
        e.g. ``number(12500.5, 1, "id") == "12.500,5"``.
    """
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def rupiah(amount: float, lang: str) -> str:
    """Return ``Rp 12.500.000`` (id) or ``Rp 12,500,000`` (en), rounded to whole Rupiah."""
    return format_rupiah(int(round(amount)), lang)


def format_value(value_format: str, value: float, lang: str) -> str:
    """Format a feature value for a reason text.

    Args:
        value_format: the feature's ``value_format`` from the spec.
        value: the applicant's value (NaN = not available).
        lang: ``id`` or ``en``.

    Returns:
        The value as a reader expects it in that language.
    """
    if value is None or math.isnan(value):
        return _NO_DATA[lang]
    if value_format == "rupiah":
        return rupiah(value, lang)
    if value_format == "log_rupiah":
        return rupiah(math.expm1(value), lang)
    if value_format == "ratio":
        return number(value, 2, lang)
    if value_format == "percent":
        return number(value * 100.0, 1, lang) + "%"
    if value_format == "growth":
        pct = math.expm1(value) * 100.0
        return ("+" if pct >= 0 else "-") + number(abs(pct), 1, lang) + "%"
    if value_format == "months":
        return f"{number(math.floor(value), 0, lang)} {_MONTHS[lang]}"
    if value_format == "flag":
        return _FLAG[lang][int(value != 0)]
    if value_format == "rating":
        return number(value, 1, lang)
    if value_format == "count":
        return number(value, 0 if float(value).is_integer() else 1, lang)
    raise ValueError(f"unknown value_format {value_format!r}")
