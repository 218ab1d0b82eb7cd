"""Operations on raw batches: take rows out of a batch, and stack batches.

``take_rows`` is how a single application is cut out of a batch (single == batch tests,
recourse); ``concat_batches`` stacks batches (recourse re-scores its candidates together).
Synthetic applications become JSON payloads through ``fixtures.payloads``.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.raw import (
    Profiles,
    RawBatch,
)

EVENT_TABLES: tuple[str, ...] = (
    "transactions",
    "marketplace",
    "savings",
    "coop_loans",
    "certifications",
    "partnerships",
    "exports",
)


def _take_table(table: Any, rows: NDArray[np.int64]) -> Any:
    """Rows of an event table belonging to applications ``rows``, renumbered 0..len-1."""
    app = table.app.astype(np.int64)
    starts = np.searchsorted(app, rows, side="left")
    ends = np.searchsorted(app, rows, side="right")
    sizes = ends - starts
    # positions: for each taken application, its run starts..ends, without a Python loop
    offsets = np.cumsum(sizes) - sizes
    idx = np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(starts - offsets, sizes)
    new_app = np.repeat(np.arange(len(rows), dtype=np.int32), sizes)
    values = {f.name: getattr(table, f.name)[idx] for f in fields(table)}
    values["app"] = new_app
    return replace(table, **values)


def take_rows(batch: RawBatch, rows: NDArray[np.int64] | list[int]) -> RawBatch:
    """Return the applications ``rows`` (in that order) as a new batch.

    Args:
        batch: the source batch.
        rows: application indices; order is kept, duplicates allowed.

    Returns:
        A batch of ``len(rows)`` applications whose tables are sorted by ``app``.
    """
    r = np.asarray(rows, dtype=np.int64)
    prof = batch.profiles
    profiles = Profiles(**{f.name: getattr(prof, f.name)[r] for f in fields(prof)})
    tables = {t: _take_table(getattr(batch, t), r) for t in EVENT_TABLES}
    return RawBatch(n=len(r), profiles=profiles, **tables)


def concat_batches(batches: list[RawBatch]) -> RawBatch:
    """Stack batches: the applications of ``batches[0]`` first, then ``batches[1]``'s, ...

    Args:
        batches: batches to stack (each sorted by ``app``).

    Returns:
        One batch whose ``app`` columns are offset so they stay sorted.
    """
    offsets = np.cumsum([0] + [b.n for b in batches])
    prof_fields = [f.name for f in fields(Profiles)]
    profiles = Profiles(
        **{f: np.concatenate([getattr(b.profiles, f) for b in batches]) for f in prof_fields}
    )
    tables: dict[str, Any] = {}
    for t in EVENT_TABLES:
        parts = [getattr(b, t) for b in batches]
        values = {
            f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(parts[0])
        }
        values["app"] = np.concatenate(
            [p.app + np.int32(o) for p, o in zip(parts, offsets[:-1], strict=True)]
        ).astype(np.int32)
        tables[t] = replace(parts[0], **values)
    return RawBatch(n=int(offsets[-1]), profiles=profiles, **tables)
