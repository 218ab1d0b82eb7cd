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

from scoring.raw import (
    CERTIFICATION_KINDS,
    CHANNELS,
    COOP_LOAN_STATUSES,
    PARTNER_SIZES,
    SAVINGS_STATUSES,
    Certifications,
    CoopLoans,
    Exports,
    Marketplace,
    Partnerships,
    Profiles,
    RawBatch,
    Savings,
    Transactions,
)

from ..models import (
    Application,
    Certification,
    CooperativeLoan,
    CooperativeMembership,
    CooperativeSaving,
    Enterprise,
    ExportRecord,
    MarketplaceMonth,
    Partnership,
    SizeObservation,
    Transaction,
)

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
        transactions=_transactions(session, ids, position),
        marketplace=_marketplace(session, ids, position),
        savings=_savings(session, ids, position),
        coop_loans=_coop_loans(session, ids, position),
        certifications=_certifications(session, ids, position),
        partnerships=_partnerships(session, ids, position),
        exports=_exports(session, ids, position),
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
        )  # fmt: skip
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
        select(so.enterprise_id, so.observed_on, so.id, so.workers, so.assets, so.annual_sales)
        .where(so.source == "application"),
        so.enterprise_id,
        enterprise_ids,
    )  # fmt: skip
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


def _transactions(session: Session, ids: list[int], position: dict[int, int]) -> Transactions:
    t = Transaction
    stmt = select(t.application_id, t.id, t.occurred_on, t.amount, t.direction, t.channel)
    c = _Columns(_fetch(session, stmt, t.application_id, ids), position)
    return Transactions(
        app=c.app,
        day=_days(c.get(0)),
        amount=np.array(c.get(1), dtype=np.int64),
        inflow=np.array([d == "in" for d in c.get(2)], dtype=np.bool_),
        channel=_codes(c.get(3), CHANNELS),
    )


def _marketplace(session: Session, ids: list[int], position: dict[int, int]) -> Marketplace:
    mm = MarketplaceMonth
    stmt = select(mm.application_id, mm.id, mm.month, mm.gmv, mm.orders, mm.rating,
                  mm.return_rate)  # fmt: skip
    c = _Columns(_fetch(session, stmt, mm.application_id, ids), position)
    return Marketplace(
        app=c.app,
        month=_months(c.get(0)),
        gmv=np.array(c.get(1), dtype=np.int64),
        orders=np.array(c.get(2), dtype=np.int32),
        rating=np.array(c.get(3), dtype=np.float64),  # NULL -> NaN
        return_rate=np.array(c.get(4), dtype=np.float64),
    )


def _savings(session: Session, ids: list[int], position: dict[int, int]) -> Savings:
    m, s = CooperativeMembership, CooperativeSaving
    stmt = select(m.application_id, s.id, s.month, s.status).join(m, m.id == s.membership_id)
    c = _Columns(_fetch(session, stmt, m.application_id, ids), position)
    return Savings(app=c.app, month=_months(c.get(0)), status=_codes(c.get(1), SAVINGS_STATUSES))


def _coop_loans(session: Session, ids: list[int], position: dict[int, int]) -> CoopLoans:
    m, cl = CooperativeMembership, CooperativeLoan
    stmt = select(m.application_id, cl.id, cl.disbursed_on, cl.amount, cl.status,
                  cl.max_dpd).join(m, m.id == cl.membership_id)  # fmt: skip
    c = _Columns(_fetch(session, stmt, m.application_id, ids), position)
    return CoopLoans(
        app=c.app,
        disbursed=_days(c.get(0)),
        amount=np.array(c.get(1), dtype=np.int64),
        status=_codes(c.get(2), COOP_LOAN_STATUSES),
        max_dpd=np.array(c.get(3), dtype=np.int32),
    )


def _certifications(session: Session, ids: list[int], position: dict[int, int]) -> Certifications:
    ce = Certification
    stmt = select(ce.application_id, ce.id, ce.kind, ce.issued_on, ce.expires_on)
    c = _Columns(_fetch(session, stmt, ce.application_id, ids), position)
    return Certifications(
        app=c.app,
        kind=_codes(c.get(0), CERTIFICATION_KINDS),
        issued=_days(c.get(1)),
        expires=_days(c.get(2)),
    )


def _partnerships(session: Session, ids: list[int], position: dict[int, int]) -> Partnerships:
    p = Partnership
    stmt = select(p.application_id, p.id, p.partner_size, p.since, p.until, p.annual_value)
    c = _Columns(_fetch(session, stmt, p.application_id, ids), position)
    return Partnerships(
        app=c.app,
        partner_size=_codes(c.get(0), PARTNER_SIZES),
        since=_days(c.get(1)),
        until=_days(c.get(2)),
        annual_value=np.array(c.get(3), dtype=np.int64),
    )


def _exports(session: Session, ids: list[int], position: dict[int, int]) -> Exports:
    x = ExportRecord
    stmt = select(x.application_id, x.id, x.month, x.value)
    c = _Columns(_fetch(session, stmt, x.application_id, ids), position)
    return Exports(app=c.app, month=_months(c.get(0)), value=np.array(c.get(1), dtype=np.int64))
