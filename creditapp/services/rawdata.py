"""Stored applications -> the ``scoring.raw.RawBatch`` they were scored from.

Training reads the platform's own applications through the same raw shape the API scores, so
``compute_features(raw_batch_for(session, ids))`` is the training matrix and there is no
train/serve skew. One query per table per chunk of ids; rows come back as columns and become
numpy arrays (no ORM object per transaction).

The enterprise profile comes from the application's own ``profile_*`` snapshot (what it
submitted and was scored with). The ``Enterprise`` row holds only the latest profile, so reading
it for an older application would leak facts that changed later (a KUR loan granted after it)
into its training row. Rows stored before the snapshot existed (NULL) fall back, column by
column, to that old reading: the ``Enterprise`` row, with the size (workers, assets, annual
sales) taken from the application's ``SizeObservation`` (source ``application``, observed on the
application date) when one matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.input_tables import EVENT_TABLES, InputColumn, InputTable
from scoring.raw import Profiles, RawBatch

from ..models import Application, CooperativeMembership, Enterprise, SizeObservation
from ..models.altdata import MODELS

# Bound parameters per IN list: well below SQLite's limit (32,766) and PostgreSQL's (65,535).
CHUNK = 5_000


def _days(values: Sequence[date | None]) -> NDArray[np.int32]:
    """Day numbers of dates; None becomes -1 (the raw contract's "open ended")."""
    if not values:
        return np.zeros(0, dtype=np.int32)
    arr = np.array([np.datetime64("NaT") if v is None else v for v in values], "datetime64[D]")
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = -1
    return out.astype(np.int32)


def _months(values: Sequence[date]) -> NDArray[np.int32]:
    """Month numbers (``year * 12 + month - 1``) of first-of-month dates."""
    if not values:
        return np.zeros(0, dtype=np.int32)
    months = np.array(values, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return (months + 1970 * 12).astype(np.int32)


def _codes(values: Sequence[str], names: tuple[str, ...]) -> NDArray[np.int8]:
    """Index of each string in ``names`` (the database's CHECK constraints keep them known)."""
    arr = np.asarray(values, dtype=object)
    out = np.full(len(arr), -1, dtype=np.int8)
    for k, name in enumerate(names):
        out[arr == name] = k
    if (out < 0).any():
        unknown = sorted(set(arr[out < 0].tolist()))
        raise ValueError(f"stored codes outside {names}: {unknown}")
    return out


def _fetch(session: Session, stmt: Any, key: Any, ids: list[int]) -> list[Any]:
    """Run ``stmt`` with ``key IN chunk`` for each chunk of ``ids``; rows in id order."""
    rows: list[Any] = []
    for lo in range(0, len(ids), CHUNK):
        rows.extend(session.execute(stmt.where(key.in_(ids[lo : lo + CHUNK]))).all())
    return rows


class _Columns:
    """Rows of one event table, grouped by batch position (stable: stored order kept)."""

    def __init__(self, rows: list[Any], position: dict[int, int]) -> None:
        # rows are (application_id, id, *fields); the id keeps the submitted order.
        rows.sort(key=lambda r: (position[r[0]], r[1]))
        self.app = np.fromiter((position[r[0]] for r in rows), np.int32, len(rows))
        self.fields = list(zip(*rows, strict=True))[2:] if rows else None

    def get(self, k: int) -> list[Any]:
        return [] if self.fields is None else list(self.fields[k])


def raw_batch_for(session: Session, application_ids: Sequence[int]) -> RawBatch:
    """Rebuild the raw batch the given applications were scored from.

    Args:
        session: an open session (only read).
        application_ids: stored applications, distinct; row ``i`` of the batch is
            ``application_ids[i]``.

    Returns:
        The ``RawBatch``; event tables sorted by ``app``, within an application in the
        order the rows were submitted.

    Raises:
        ValueError: an id repeats or is not a stored application.
    """
    ids = [int(i) for i in application_ids]
    position = {a: i for i, a in enumerate(ids)}
    if len(position) != len(ids):
        raise ValueError("application_ids must be distinct")
    profiles = _profiles(session, ids, position)
    return RawBatch(
        n=len(ids),
        profiles=profiles,
        **{t.name: _event_table(session, t, ids, position) for t in EVENT_TABLES},
    )


# The profile as each application submitted it, in the order of the fallbacks below.
_SNAPSHOT = (
    Application.profile_founded_on,
    Application.profile_kbli_division,
    Application.profile_province,
    Application.profile_workers,
    Application.profile_assets,
    Application.profile_annual_sales,
    Application.profile_other_productive_credit,
    Application.profile_entrepreneurship_training,
    Application.profile_kur_access_count,
)


def _profiles(session: Session, ids: list[int], position: dict[int, int]) -> Profiles:
    a, e, m = Application, Enterprise, CooperativeMembership
    stmt = (
        select(
            a.id,
            a.enterprise_id,
            a.applied_on,
            a.requested_amount,
            a.tenor_months,
            e.owner_gender,
            m.member_since,
            # the fallback for rows without a snapshot, same order as _SNAPSHOT
            e.founded_on,
            e.kbli_division,
            e.province,
            e.workers,
            e.assets,
            e.annual_sales,
            e.other_productive_credit,
            e.entrepreneurship_training,
            e.kur_access_count,
            *_SNAPSHOT,
        )
        .join(e, e.id == a.enterprise_id)
        .outerjoin(m, m.application_id == a.id)
    )
    rows = _fetch(session, stmt, a.id, ids)
    if len(rows) != len(ids):
        missing = sorted(set(ids) - {r[0] for r in rows})
        raise ValueError(f"no stored application with id {missing[:10]}")
    rows.sort(key=lambda r: position[r[0]])
    k = len(_SNAPSHOT)
    cols = list(zip(*rows, strict=True)) if rows else [()] * (7 + 2 * k)
    latest, snapshot = cols[7 : 7 + k], cols[7 + k :]
    profile = [_coalesce(s, f) for s, f in zip(snapshot, latest, strict=True)]
    # Without a size snapshot, the application's own size observation (when one matches)
    # corrects the enterprise's latest size; observations are read only for such rows.
    no_size = [i for i, size in enumerate(zip(*snapshot[3:6], strict=True)) if None in size]
    if no_size:
        size = [np.array(latest[j], dtype=np.int64) for j in (3, 4, 5)]
        _apply_size_observations(session, rows, no_size, *size)
        for j, arr in zip((3, 4, 5), size, strict=True):
            profile[j] = _coalesce(snapshot[j], arr.tolist())
    return Profiles(
        as_of=_days(cols[2]),
        founded=_days(profile[0]),
        kbli_division=np.array(profile[1], dtype=np.int16),
        province=np.array([int(p) for p in profile[2]], dtype=np.int16),  # enterprise: "31"
        workers=np.array(profile[3], dtype=np.int32),
        assets=np.array(profile[4], dtype=np.int64),
        annual_sales=np.array(profile[5], dtype=np.int64),
        other_productive_credit=np.array(profile[6], dtype=np.bool_),
        entrepreneurship_training=np.array(profile[7], dtype=np.bool_),
        kur_access_count=np.array(profile[8], dtype=np.int16),
        coop_member_since=_days(cols[6]),
        # Gender is not snapshotted: scoring never reads it, and fairness reports want the
        # enterprise's current (possibly corrected) record.
        owner_female=np.array([g == "F" for g in cols[5]], dtype=np.bool_),
        requested_amount=np.array(cols[3], dtype=np.int64),
        tenor_months=np.array(cols[4], dtype=np.int16),
    )


def _coalesce(snapshot: Sequence[Any], fallback: Sequence[Any]) -> list[Any]:
    """The snapshot value of each row, or the fallback where the snapshot is NULL."""
    return [f if s is None else s for s, f in zip(snapshot, fallback, strict=True)]


def _apply_size_observations(
    session: Session,
    rows: list[Any],
    need: list[int],
    workers: NDArray[np.int64],
    assets: NDArray[np.int64],
    sales: NDArray[np.int64],
) -> None:
    """Overwrite the size columns of rows ``need`` with what each application itself said.

    The fallback for applications stored without a profile snapshot. Intake writes one
    ``application`` observation per application, in the same order as the applications, so
    the k-th application of an enterprise on a date matches the k-th such observation of that
    enterprise on that date (two applications on one day stay apart).
    """
    enterprise_ids = sorted({int(rows[i][1]) for i in need})
    apps = _fetch(
        session,
        select(Application.enterprise_id, Application.applied_on, Application.id),
        Application.enterprise_id,
        enterprise_ids,
    )
    so = SizeObservation
    obs = _fetch(
        session,
        select(
            so.enterprise_id, so.observed_on, so.id, so.workers, so.assets, so.annual_sales
        ).where(so.source == "application"),
        so.enterprise_id,
        enterprise_ids,
    )
    by_slot: dict[tuple[int, date, int], Any] = {}
    rank: dict[tuple[int, date], int] = {}
    for o in sorted(obs, key=lambda r: r[2]):
        k = rank.get((o[0], o[1]), 0)
        rank[(o[0], o[1])] = k + 1
        by_slot[(o[0], o[1], k)] = o
    slot_of_app: dict[int, tuple[int, date, int]] = {}
    rank.clear()
    for ent, day, app_id in sorted(apps, key=lambda r: r[2]):
        k = rank.get((ent, day), 0)
        rank[(ent, day)] = k + 1
        slot_of_app[app_id] = (ent, day, k)
    for i in need:
        o = by_slot.get(slot_of_app[rows[i][0]])
        if o is not None:
            workers[i] = o[3]
            sales[i] = o[5]
            if o[4] is not None:
                assets[i] = o[4]


def _event_table(
    session: Session, table: InputTable, ids: list[int], position: dict[int, int]
) -> Any:
    """Read one declared table of the applications back into its ``scoring.raw`` class."""
    model = MODELS[table.name]
    columns = [getattr(model, c.stored_as) for c in table.columns]
    if table.parent == "application":
        key = model.application_id
        stmt = select(key, model.id, *columns)
    else:
        m = CooperativeMembership
        key = m.application_id
        stmt = select(key, model.id, *columns).join(m, m.id == model.membership_id)
    c = _Columns(_fetch(session, stmt, key, ids), position)
    values = {col.field: _raw_column(col, c.get(k)) for k, col in enumerate(table.columns)}
    return table.raw_class(app=c.app, **values)


def _raw_column(column: InputColumn, values: list[Any]) -> NDArray[Any]:
    """Stored values of one column as the raw contract holds them."""
    if column.kind == "day":
        return _days(values)
    if column.kind == "month":
        return _months(values)
    if column.kind == "code":
        return _codes(values, column.codes).astype(column.dtype)
    return np.array(values, dtype=column.dtype)  # a NULL rating becomes NaN
