"""Languages (Bahasa Indonesia by default, English) and the formats people read.

The language is the signed-in user's (stored on the user); before sign-in it is the one
chosen on the sign-in page (kept in the session), else the browser's, else Indonesian.
Rupiah go through ``loanmath.rupiah.format_rupiah``; dates through Babel (``4 Des 2026``).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import dates as babel_dates
from flask import Flask, request, session
from flask_babel import Babel, get_locale
from flask_login import current_user

from loanmath.rupiah import format_rupiah

from ..models.access import LOCALES

DEFAULT_LOCALE = "id"
babel = Babel()


def select_locale() -> str:
    """Return the language of this request."""
    try:
        if current_user and current_user.is_authenticated:
            return str(current_user.locale)
    except Exception:  # an error page must render even when the database is down
        pass
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    return request.accept_languages.best_match(LOCALES, default=DEFAULT_LOCALE) or "id"


def lang() -> str:
    """Return the current language code (``id`` or ``en``)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def rupiah(amount: int | None) -> str:
    """``Rp 12.500.000`` in the current language (en groups with commas); the space is a
    no-break space so an amount never wraps after "Rp"."""
    return "–" if amount is None else format_rupiah(int(amount), lang()).replace(" ", "\u00a0")


@lru_cache(maxsize=8)
def _month_names(language: str) -> tuple[str, ...]:
    """Babel's abbreviated month names (``Des`` / ``Dec``), looked up once per language."""
    return ("",) + tuple(
        str(babel_dates.format_date(date(2000, month, 1), "MMM", locale=language))
        for month in range(1, 13)
    )


def day(value: date | datetime | None) -> str:
    """``4 Des 2026`` / ``4 Dec 2026`` (Babel's ``d MMM y``; month names cached: a page
    lists dozens of dates and Babel parses its pattern on every call)."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {_month_names(lang())[value.month]} {value.year}"


def percent(value: float | None, digits: int = 1) -> str:
    """A share as a percentage with the language's decimal mark: ``12,5%`` / ``12.5%``."""
    if value is None:
        return "–"
    text = f"{value * 100:.{digits}f}"
    return (text.replace(".", ",") if lang() == "id" else text) + "%"


def text_of(item: dict[str, Any]) -> str:
    """The ``text_id``/``text_en`` of a reason or recourse step in the current language."""
    return str(item.get(f"text_{lang()}") or item.get("text_id") or item.get("text", ""))


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and the template filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(rupiah=rupiah, day=day, percent=percent, text_of=text_of)
    app.jinja_env.globals["lang"] = lang
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
