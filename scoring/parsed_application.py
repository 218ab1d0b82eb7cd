"""A parsed application: what the parser hands to scoring, hashing and storage alike.

``ParsedApplication`` holds one application's validated values: the profile (one value per
``scoring.raw.Profiles`` field), the columns of each alternative-data table (keyed by the
table's and column's names in ``scoring.input_tables``), the texts kept only for people and the
loan request. ``stack`` turns parsed applications into the ``RawBatch`` the features read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.input_tables import EVENT_TABLES, PROFILE, InputTable
from scoring.raw import Profiles, RawBatch, from_day_number

Columns = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class LoanRequest:
    """The ``request`` part of a payload that the raw batch does not carry."""

    program: str
    amount: int
    tenor_months: int
    purpose: str


@dataclass
class ParsedApplication:
    """One validated application (built by ``scoring.parse``)."""

    payload: Mapping[str, Any]  # as submitted: the input hash reads its remainder
    profile: dict[str, Any]  # Profiles field -> Python scalar
    request: LoanRequest
    # table name -> field -> column; a table without records is absent
    tables: dict[str, Columns] = field(default_factory=dict)
    # table name -> stored column -> texts (None where the record has none)
    texts: dict[str, dict[str, list[str | None]]] = field(default_factory=dict)
    cooperative_name: str | None = None

    @property
    def as_of(self) -> date:
        """The application date."""
        return from_day_number(int(self.profile["as_of"]))

    def column(self, table: InputTable, name: str) -> NDArray[Any]:
        """One column of a table (empty when the application has no such records)."""
        columns = self.tables.get(table.name)
        return _EMPTY_COLUMNS[table.name][name] if columns is None else columns[name]

    def batch(self) -> RawBatch:
        """This application alone as a ``RawBatch`` (application 0)."""
        return stack([self])


def _frozen_empty(table: InputTable) -> Columns:
    out = {c.field: np.zeros(0, c.parsed_dtype) for c in table.columns}
    for a in out.values():
        a.flags.writeable = False
    return out


_EMPTY_COLUMNS = {t.name: _frozen_empty(t) for t in EVENT_TABLES}


def _empty_table(table: InputTable) -> Any:
    arrays = {"app": np.zeros(0, np.int32)} | {c.field: np.zeros(0, c.dtype) for c in table.columns}
    for a in arrays.values():
        a.flags.writeable = False  # shared by every application without such records
    return table.raw_class(**arrays)


# An application without records of a table gets this frozen table of empty columns.
_EMPTY = {t.name: _empty_table(t) for t in EVENT_TABLES}


def stack(parsed: Sequence[ParsedApplication]) -> RawBatch:
    """Stack parsed applications into one ``RawBatch`` (application ``i`` at row ``i``).

    Args:
        parsed: parsed applications in order.

    Returns:
        The raw batch; every event table sorted by ``app`` as the contract requires.
    """
    if len(parsed) == 1:
        return _one(parsed[0])
    profiles = Profiles(
        **{name: np.array([p.profile[name] for p in parsed], dt) for name, dt in PROFILE}
    )
    events: dict[str, Any] = {}
    for t in EVENT_TABLES:
        present = [(i, p.tables[t.name]) for i, p in enumerate(parsed) if t.name in p.tables]
        if not present:
            events[t.name] = _EMPTY[t.name]
            continue
        first = t.columns[0].field
        sizes = [len(cols[first]) for _, cols in present]
        app = np.repeat(np.array([i for i, _ in present], dtype=np.int32), sizes)
        events[t.name] = t.raw_class(
            app=app,
            **{
                c.field: np.concatenate([cols[c.field] for _, cols in present]).astype(
                    c.dtype, copy=False
                )
                for c in t.columns
            },
        )
    return RawBatch(n=len(parsed), profiles=profiles, **events)


def _one(p: ParsedApplication) -> RawBatch:
    """The request path's batch of one: no concatenation, and every row is application 0."""
    profiles = Profiles(**{name: np.array([p.profile[name]], dt) for name, dt in PROFILE})
    events: dict[str, Any] = {}
    for t in EVENT_TABLES:
        cols = p.tables.get(t.name)
        if cols is None:  # most applications have no store, loans, exports...
            events[t.name] = _EMPTY[t.name]
            continue
        size = len(cols[t.columns[0].field])
        events[t.name] = t.raw_class(
            app=np.zeros(size, dtype=np.int32),
            **{c.field: np.asarray(cols[c.field], c.dtype) for c in t.columns},
        )
    return RawBatch(n=1, profiles=profiles, **events)
