"""The population's RawBatch honours scoring.raw: dtypes, sorting, history windows."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import numpy as np

from fixtures import Population
from scoring import raw

_DTYPES = {
    "I32": np.int32,
    "I64": np.int64,
    "I8": np.int8,
    "F64": np.float64,
    "B": np.bool_,
    "NDArray[np.int16]": np.int16,
}
_EVENT_DATE = {
    "transactions": "day",
    "marketplace": "month",
    "savings": "month",
    "coop_loans": "disbursed",
    "certifications": "issued",
    "partnerships": "since",
    "exports": "month",
}


def _months(days: np.ndarray) -> np.ndarray:
    """Month numbers computed with Python dates (independent of fixtures.calendar)."""
    out = [raw.from_day_number(int(d)) for d in days]
    return np.array([raw.month_number(d.year, d.month) for d in out])


def test_every_column_has_the_dtype_of_scoring_raw(pop: Population) -> None:
    for table_field in fields(raw.RawBatch):
        if table_field.name == "n":
            continue
        table = getattr(pop.raw, table_field.name)
        for f in fields(table):
            col = getattr(table, f.name)
            assert col.dtype == _DTYPES[str(f.type)], (table_field.name, f.name, col.dtype)
            assert col.ndim == 1
            size = pop.n if table_field.name == "profiles" else table.app.size
            assert col.size == size


def test_event_tables_sorted_by_app_then_date(pop: Population) -> None:
    for name, date_col in _EVENT_DATE.items():
        t = getattr(pop.raw, name)
        key = t.app.astype(np.int64) * 100_000 + getattr(t, date_col)
        assert np.all(np.diff(key) >= 0), name
        assert t.app.size == 0 or (t.app.min() >= 0 and t.app.max() < pop.n)


def test_transactions_inside_founding_and_window(pop: Population) -> None:
    t, p = pop.raw.transactions, pop.raw.profiles
    assert np.all(t.day >= p.founded[t.app])
    assert np.all(t.day < p.as_of[t.app])
    app_month = _months(p.as_of)
    sample = np.arange(0, t.app.size, 7)  # the Python-date conversion is slow: every 7th
    back = app_month[t.app[sample]] - _months(t.day[sample])
    assert back.min() >= 1 and back.max() <= 24
    assert np.all(t.amount > 0)
    assert set(np.unique(t.channel)) <= set(range(len(raw.CHANNELS)))


def test_most_firms_have_between_6_and_24_months_of_history(pop: Population) -> None:
    t = pop.raw.transactions
    per_firm = np.bincount(t.app, minlength=pop.n)
    assert 55 <= per_firm.mean() <= 85
    first = np.full(pop.n, np.iinfo(np.int32).max)
    np.minimum.at(first, t.app, t.day)
    has = per_firm > 0
    span_days = pop.raw.profiles.as_of[has] - first[has]
    assert np.median(span_days) > 6 * 30
    assert span_days.max() <= 25 * 31


def test_applications_24_to_30_months_before_as_of(pop: Population) -> None:
    applied = pop.raw.profiles.as_of
    assert np.array_equal(applied, pop.applications.applied)
    lo = raw.day_number(date(2024, 4, 30))
    hi = raw.day_number(date(2024, 10, 31))
    assert applied.min() >= lo and applied.max() <= hi
    assert applied.max() - applied.min() > 150  # spread, not one day


def test_monthly_sources_have_unique_months_per_app(pop: Population) -> None:
    for name in ("marketplace", "savings"):
        t = getattr(pop.raw, name)
        key = t.app.astype(np.int64) * 100_000 + t.month
        assert np.unique(key).size == key.size, name
        assert np.all(t.month < _months(pop.raw.profiles.as_of)[t.app] + 1)


def test_non_members_have_no_cooperative_rows(pop: Population) -> None:
    member = pop.raw.profiles.coop_member_since >= 0
    assert np.all(member[pop.raw.savings.app])
    assert np.all(member[pop.raw.coop_loans.app])
    assert np.all(pop.raw.coop_loans.disbursed < pop.raw.profiles.as_of[pop.raw.coop_loans.app])
