"""The alternative-data records of a payload, parsed table by table from their declarations.

Each table of ``scoring.input_tables`` is read the same way: the list of records at its path
(capped), unknown keys refused, each column validated by its kind and limits
(``scoring.parse_values``), then the date checks the column declares against the application
date, the history window and the founding date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.input_tables import MAX_HISTORY_MONTHS, InputColumn, InputTable
from scoring.parse_values import (
    Errors,
    PathOf,
    add_error,
    code_column,
    columns,
    day_column,
    float_column,
    int_column,
    month_column,
    records,
    refuse_unknown_keys,
    text_column,
)
from scoring.parsed_application import Columns
from scoring.raw import from_day_number


def parse_table(
    table: InputTable,
    value: Any,
    path: str,
    dates: tuple[int, int],
    errors: Errors,
) -> tuple[Columns, dict[str, list[str | None]]] | None:
    """Validate the records of one table.

    Args:
        table: the declaration.
        value: the JSON value at the table's path (null or missing = no records).
        path: the path used in error keys (``enterprise.partnerships``).
        dates: the application's ``(as_of, founded)`` day numbers.
        errors: collected errors, updated in place.

    Returns:
        The columns (by field) and the texts (by stored column), or None without records.
    """
    rows = records(value, path, errors, table.max_records)
    if not rows:
        return None
    parsed: Columns = {}
    values = columns(rows, tuple(c.key for c in table.columns))
    known = len(errors)
    for c, raw in zip(table.columns, values, strict=True):
        path_of = _path_of(path, c.key)
        parsed[c.field] = _column(c, raw, path_of, errors)
        _check_dates(c, parsed, path_of, dates, errors)
    if not _only_declared_keys(table, rows, clean=len(errors) == known):
        refuse_unknown_keys(rows, table.keys, path, errors)
    texts = {
        t.stored_as: text_column(
            [r.get(t.key) for r in rows],
            _path_of(path, t.key),
            errors,
            max_length=t.max_length,
            exact=t.exact_length,
        )
        for t in table.texts
    }
    return parsed, texts


def _only_declared_keys(table: InputTable, rows: list[Any], *, clean: bool) -> bool:
    """True when the records surely hold no undeclared key, known without looking at keys.

    When every column is required and parsed cleanly, every record holds every declared key;
    then a record holds another key only if it has more keys than declared: one C-level pass
    over the lengths (a third of walking the keys of 700 transactions). Otherwise the caller
    walks the keys.
    """
    if not clean or table.texts or any(c.nullable for c in table.columns):
        return False
    return max(map(len, rows)) <= len(table.columns)


def _path_of(path: str, key: str) -> PathOf:
    return lambda i: f"{path}[{i}].{key}"


def _column(c: InputColumn, values: Any, path_of: PathOf, errors: Errors) -> NDArray[Any]:
    if c.kind == "day":
        return day_column(values, path_of, errors, nullable=c.nullable)
    if c.kind == "month":
        return month_column(values, path_of, errors)
    if c.kind == "int":
        return int_column(values, path_of, errors, minimum=int(c.minimum), maximum=int(c.maximum))
    if c.kind == "ratio":
        return float_column(
            values, path_of, errors, low=c.minimum, high=c.maximum, nullable=c.nullable
        )
    codes = code_column(values, c.codes, path_of, errors)
    return codes.astype(np.bool_) if c.dtype is np.bool_ else codes


def _check_dates(
    c: InputColumn, parsed: Columns, path_of: PathOf, dates: tuple[int, int], errors: Errors
) -> None:
    """Report the dates the column's declaration refuses."""
    column = parsed[c.field]
    if not len(column):
        return
    as_of, founded = dates
    if c.kind == "month":
        _months_in_window(column, as_of, c.once_per_month, path_of, errors)
        return
    if c.kind != "day":
        return
    if c.not_before:
        earlier = parsed[c.not_before]
        for i in np.flatnonzero((column != -1) & (column < earlier)):
            add_error(errors, path_of(int(i)), f"is before the record's {c.not_before} date")
    if not c.not_after_as_of:
        return
    oldest = as_of - MAX_HISTORY_MONTHS * 31 if c.within_history else np.iinfo(np.int64).min
    floor = max(oldest, founded) if c.not_before_founding else oldest
    if column.max() <= as_of and column.min() >= floor:  # the usual case: two reductions
        return
    _report(errors, path_of, column > as_of, "is after the application date (as_of)")
    if c.within_history:
        too_old = column < oldest
        if c.not_before_founding:
            too_old &= column >= founded
        _report(errors, path_of, too_old, f"is more than {MAX_HISTORY_MONTHS} months before as_of")
    if c.not_before_founding:
        _report(errors, path_of, column < founded, "is before the business was founded")


def _report(errors: Errors, path_of: Callable[[int], str], bad: Any, reason: str) -> None:
    for i in np.flatnonzero(bad):
        add_error(errors, path_of(int(i)), reason)


def _months_in_window(
    months: NDArray[np.int64], as_of: int, once: bool, path_of: PathOf, errors: Errors
) -> None:
    d = from_day_number(as_of)
    as_of_month = d.year * 12 + d.month - 1
    _report(errors, path_of, months > as_of_month, "is after the application month (as_of)")
    _report(
        errors,
        path_of,
        months < as_of_month - MAX_HISTORY_MONTHS,
        f"is more than {MAX_HISTORY_MONTHS} months before as_of",
    )
    if once:
        _, first, counts = np.unique(months, return_index=True, return_counts=True)
        for i in first[counts > 1]:
            add_error(errors, path_of(int(i)), "appears more than once")
