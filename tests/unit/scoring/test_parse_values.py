"""Fast column parsers agree with the plain per-record reading, and name each bad record."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scoring.parse_values import Errors, code_column, day_column, int_column, records
from scoring.raw import CHANNELS, EPOCH_ORDINAL

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
BAD_DATES = st.sampled_from(
    [
        "2026-02-30",
        "2026-13-01",
        "2026-00-10",
        "2026/11/02",
        "today     ",
        "2026-11-0x",
        "2026-11-2",
        "2026-11-022",
        "１０２６-11-02",
        20261102,
        None,
        ["2026-11-02"],
    ]
)


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


def test_other_iso_spellings_are_refused_like_any_non_date() -> None:
    # The contract (and OpenAPI's format: date) is YYYY-MM-DD; Python's fromisoformat would
    # also read "20261103", so the per-record path must not fall back on it alone.
    errors: Errors = {}
    days = day_column(["2026-11-02", "20261103"], _path, errors)
    assert int(days[0]) == date(2026, 11, 2).toordinal() - EPOCH_ORDINAL
    assert list(errors) == [_path(1)] and "YYYY-MM-DD" in errors[_path(1)][0]


CODE_SETS = st.sampled_from(
    [CHANNELS, ("out", "in"), ("on_time", "late", "missed"), ("AA", "BB", "C")]
)


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


def _per_record_days(values: list[Any], errors: Errors) -> list[int]:
    """The general reading the fast paths must agree with: one date at a time."""
    out = []
    for i, v in enumerate(values):
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v):  # the contract: YYYY-MM-DD
                raise ValueError(v)
            d = date.fromisoformat(v)
        except (TypeError, ValueError):
            errors.setdefault(_path(i), []).append("bad")
            out.append(0)
            continue
        if not 1900 <= d.year <= 2100:
            errors.setdefault(_path(i), []).append("implausible")
        out.append(d.toordinal() - EPOCH_ORDINAL)
    return out


# Ten characters of the date alphabet: mostly well-formed, often impossible or implausible.
NEAR_DATES = st.text(alphabet="0123456789-", min_size=10, max_size=10) | st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
)


@given(st.lists(NEAR_DATES | DATES.map(date.isoformat), min_size=1, max_size=40))
def test_date_fast_path_agrees_with_reading_each_date(values: list[Any]) -> None:
    expected_errors: Errors = {}
    expected = _per_record_days(values, expected_errors)
    errors: Errors = {}
    days = day_column(values, _path, errors)
    assert set(errors) == set(expected_errors)
    good = [i for i in range(len(values)) if _path(i) not in expected_errors]
    assert [int(days[i]) for i in good] == [expected[i] for i in good]


def test_dates_outside_the_plausible_years_are_named_not_looked_up() -> None:
    errors: Errors = {}
    values = ["1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01"]
    days = day_column(values, _path, errors)
    assert list(errors) == [_path(0), _path(3)]
    assert all("plausible" in errors[p][0] for p in errors)
    assert days.tolist() == [date.fromisoformat(v).toordinal() - EPOCH_ORDINAL for v in values]


def test_years_datetime_cannot_hold_are_implausible_not_a_crash() -> None:
    errors: Errors = {}
    day_column(["2026-11-02", "0000-01-01", "1000000-01"], _path, errors)  # numpy reads both
    assert errors == {
        _path(1): ["is not a plausible date (year 0)"],
        _path(2): ["is not a plausible date (year 1000000)"],
    }


def test_a_lone_surrogate_is_a_bad_date_not_a_crash() -> None:
    errors: Errors = {}
    day_column(["2026-11-02", "\ud800026-11-02"], _path, errors)
    assert list(errors) == [_path(1)]


@given(
    st.lists(
        st.integers(-5, 2**62) | st.sampled_from([True, False, 1.0, "7", None]),
        min_size=1,
        max_size=60,
    )
)
def test_whole_numbers_fast_path_names_every_bool_float_and_small_value(values: list[Any]) -> None:
    errors: Errors = {}
    column = int_column(values, _path, errors, minimum=1)
    bad = {_path(i) for i, v in enumerate(values) if type(v) is not int or v < 1}
    assert set(errors) == bad
    assert [int(column[i]) for i, v in enumerate(values) if _path(i) not in bad] == [
        v for i, v in enumerate(values) if _path(i) not in bad
    ]


def test_records_that_are_not_objects_are_named() -> None:
    errors: Errors = {}
    rows: list[Any] = [{"a": 1}, [1], "x", None, {"a": 2}, True]
    assert records(rows, "rows", errors, 10) == [{"a": 1}, {"a": 2}]
    assert list(errors) == ["rows[1]", "rows[2]", "rows[3]", "rows[5]"]


def test_only_yyyy_mm_dd_is_a_date_whatever_the_neighbours() -> None:
    # Python's fromisoformat reads these as dates; the API says YYYY-MM-DD. Alone (numpy's
    # path) or beside an invalid value (the per-record path), each is refused the same way.
    for odd in ("2000011000", "20000110", "2000-W01-1"):
        for values in ([odd], [odd, "2026-13-01"], [odd, 7]):
            errors: Errors = {}
            day_column(values, _path, errors)
            assert _path(0) in errors, (odd, values)
