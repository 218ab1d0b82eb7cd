"""Fast column parsers agree with the plain per-record reading, and name each bad record."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scoring.payload_columns import Errors, code_column, day_column
from scoring.raw import CHANNELS, EPOCH_ORDINAL

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
BAD_DATES = st.sampled_from(
    ["2026-02-30", "2026-13-01", "2026-00-10", "2026/11/02", "today     ", "2026-11-0x",
     "2026-11-2", "2026-11-022", "１０２６-11-02", 20261102, None, ["2026-11-02"]]
)  # fmt: skip


def _path(i: int) -> str:
    return f"rows[{i}].date"


@given(st.lists(DATES, min_size=1, max_size=300))
def test_valid_dates_read_as_their_day_numbers(dates: list[date]) -> None:
    errors: Errors = {}
    days = day_column([d.isoformat() for d in dates], _path, errors)
    assert errors == {}
    assert days.tolist() == [d.toordinal() - EPOCH_ORDINAL for d in dates]


@given(st.lists(DATES, min_size=1, max_size=50), st.data())
def test_each_bad_date_is_named_and_the_rest_still_read(dates: list[date], data: Any) -> None:
    values: list[Any] = [d.isoformat() for d in dates]
    k = data.draw(st.integers(0, len(values) - 1))
    values[k] = data.draw(BAD_DATES)
    errors: Errors = {}
    days = day_column(values, _path, errors)
    assert list(errors) == [_path(k)]
    reason = errors[_path(k)][0]
    assert "date" in reason and (repr(values[k]) in reason or "required" in reason)
    others = [i for i in range(len(values)) if i != k]
    assert [days[i] for i in others] == [dates[i].toordinal() - EPOCH_ORDINAL for i in others]


def test_other_iso_spellings_python_accepts_still_read() -> None:
    errors: Errors = {}
    # not the 10-character form, so the fast path hands over to date.fromisoformat
    assert day_column(["2026-11-02", "20261103"], _path, errors).tolist() == [
        date(2026, 11, 2).toordinal() - EPOCH_ORDINAL,
        date(2026, 11, 3).toordinal() - EPOCH_ORDINAL,
    ]
    assert errors == {}


CODE_SETS = st.sampled_from([CHANNELS, ("out", "in"), ("on_time", "late", "missed"),
                             ("AA", "BB", "C")])  # fmt: skip


@given(CODE_SETS, st.data())
def test_codes_map_to_their_index_and_unknown_values_are_named(codes: Any, data: Any) -> None:
    values: list[Any] = data.draw(st.lists(st.sampled_from(codes), min_size=1, max_size=200))
    bad = data.draw(st.sampled_from([None, "", "QRIS", "xx", 3, ["qris"], "in ", None]))
    k = data.draw(st.integers(0, len(values)))
    with_bad = values[:k] + [bad] + values[k:]
    errors: Errors = {}
    assert code_column(values, codes, _path, errors).tolist() == [codes.index(v) for v in values]
    assert errors == {}
    out = code_column(with_bad, codes, _path, errors)
    assert list(errors) == [_path(k)] and "must be one of" in errors[_path(k)][0]
    assert out.tolist()[:k] + out.tolist()[k + 1 :] == [codes.index(v) for v in values]


def test_years_datetime_cannot_hold_are_implausible_not_a_crash() -> None:
    errors: Errors = {}
    day_column(["2026-11-02", "0000-01-01", "1000000-01"], _path, errors)  # numpy reads both
    assert errors == {
        _path(1): ["is not a plausible date (year 0)"],
        _path(2): ["is not a plausible date (year 1000000)"],
    }
