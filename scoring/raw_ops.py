"""Operations on raw batches: take rows, and write one application back as a JSON payload.

``take_rows`` is how a single application is cut out of a batch (single == batch tests,
recourse), ``to_payload`` how benchmarks and tests turn synthetic rows into the JSON lenders
send, so the parse path is exercised on realistic data.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.raw import (
    CERTIFICATION_KINDS,
    CHANNELS,
    COOP_LOAN_STATUSES,
    PARTNER_SIZES,
    SAVINGS_STATUSES,
    Profiles,
    RawBatch,
    from_day_number,
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


def _iso(day: int) -> str:
    return from_day_number(int(day)).isoformat()


def _month(month: int) -> str:
    return f"{int(month) // 12:04d}-{int(month) % 12 + 1:02d}"


def to_payload(batch: RawBatch, i: int, program: str = "KUR-MIKRO") -> dict[str, Any]:
    """Write application ``i`` of a batch as a ``PAYLOAD_SHAPE`` JSON object.

    Fields the batch does not carry (names, NIK, full KBLI code, regency) get neutral
    placeholders; they are never features.

    Args:
        batch: the source batch.
        i: application index.
        program: program code written into ``request.program``.

    Returns:
        The payload, ready for ``json.dumps``.
    """
    p = batch.profiles
    one = take_rows(batch, [i])
    tx, mp, sv, ln = one.transactions, one.marketplace, one.savings, one.coop_loans
    ce, pa, ex = one.certifications, one.partnerships, one.exports
    coop: dict[str, Any] | None = None
    if p.coop_member_since[i] >= 0:
        coop = {
            "member_since": _iso(p.coop_member_since[i]),
            "savings": [
                {"month": _month(m), "status": SAVINGS_STATUSES[s]}
                for m, s in zip(sv.month, sv.status, strict=True)
            ],
            "loans": [
                {"disbursed_on": _iso(d), "amount": int(a), "status": COOP_LOAN_STATUSES[s],
                 "max_dpd": int(dpd)}
                for d, a, s, dpd in zip(ln.disbursed, ln.amount, ln.status, ln.max_dpd,
                                        strict=True)
            ],
        }  # fmt: skip
    return {
        "as_of": _iso(p.as_of[i]),
        "enterprise": {
            "name": f"Usaha {i}",
            "owner_name": "Pemilik",
            "owner_nik": "3201000000000000",
            "owner_gender": "F" if p.owner_female[i] else "M",
            "kbli": f"{int(p.kbli_division[i]):02d}000",
            "province": str(int(p.province[i])),
            "regency": f"{int(p.province[i])}01",
            "founded_on": _iso(p.founded[i]),
            "workers": int(p.workers[i]),
            "assets": int(p.assets[i]),
            "annual_sales": int(p.annual_sales[i]),
            "other_productive_credit": bool(p.other_productive_credit[i]),
            "entrepreneurship_training": bool(p.entrepreneurship_training[i]),
            "kur_access_count": int(p.kur_access_count[i]),
            "certifications": [
                {"kind": CERTIFICATION_KINDS[k], "issued_on": _iso(s),
                 "expires_on": None if e < 0 else _iso(e)}
                for k, s, e in zip(ce.kind, ce.issued, ce.expires, strict=True)
            ],
            "partnerships": [
                {"partner_size": PARTNER_SIZES[k], "since": _iso(s),
                 "until": None if u < 0 else _iso(u), "annual_value": int(v)}
                for k, s, u, v in zip(pa.partner_size, pa.since, pa.until, pa.annual_value,
                                      strict=True)
            ],
            "exports": [{"month": _month(m), "value": int(v)}
                        for m, v in zip(ex.month, ex.value, strict=True)],
        },
        "transactions": [
            {"date": _iso(d), "amount": int(a), "direction": "in" if f else "out",
             "channel": CHANNELS[c]}
            for d, a, f, c in zip(tx.day, tx.amount, tx.inflow, tx.channel, strict=True)
        ],
        "marketplace": [
            {"month": _month(m), "gmv": int(g), "orders": int(o),
             "rating": None if np.isnan(r) else float(r), "return_rate": float(rr)}
            for m, g, o, r, rr in zip(mp.month, mp.gmv, mp.orders, mp.rating, mp.return_rate,
                                      strict=True)
        ],
        "cooperative": coop,
        "request": {"program": program, "amount": int(p.requested_amount[i]),
                    "tenor_months": int(p.tenor_months[i]), "purpose": "working_capital"},
    }  # fmt: skip


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
