"""Recourse: the few concrete changes an enterprise can make that move it to a better band.

Each candidate change is applied to the RAW input (a cooperative membership with on-time
savings, QRIS sales, a certificate, an off-take partnership, a smaller loan) and re-scored
through the same ``compute_features`` path as any application, so every suggestion is verified,
not extrapolated from contributions. Changes that take time are simulated as if they had been in
place over the stated months before the same as-of date. Only actionable levers are used: never
gender, age, location or business age. All candidates are scored in one batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from scoring.features import compute_features, month_of_day
from scoring.model import ModelBundle
from scoring.raw import RawBatch
from scoring.raw_ops import concat_batches
from scoring.textfmt import rupiah

T = TypeVar("T")
MAX_ACTIONS = 3
HALF_YEAR_DAYS = 183
AMOUNT_STEP = 500_000
AMOUNT_FACTORS: tuple[float, ...] = (0.9, 0.75, 0.5)


@dataclass(frozen=True)
class RecourseAction:
    """One verified change and where it takes the applicant."""

    code: str
    effort: int  # smaller = an easier change; the order actions are listed in
    text_id: str
    text_en: str
    pd: float
    score: int
    band: str

    def to_dict(self) -> dict[str, object]:
        """Return the action as JSON values (PD rounded to 6 decimals)."""
        return {"code": self.code, "effort": self.effort, "text_id": self.text_id,
                "text_en": self.text_en, "pd": round(self.pd, 6), "score": self.score,
                "band": self.band}  # fmt: skip


@dataclass(frozen=True)
class _Candidate:
    code: str
    effort: int
    text_id: str
    text_en: str
    raw: RawBatch


def _with_rows(table: T, **cols: NDArray[Any]) -> T:
    """Append rows (all for application 0) to an event table of a one-application batch."""
    t: Any = table
    n_new = len(next(iter(cols.values())))
    values = {k: np.concatenate([getattr(t, k), v]) for k, v in cols.items()}
    values["app"] = np.zeros(len(t.app) + n_new, dtype=np.int32)
    return cast(T, replace(t, **values))


def _candidates(raw: RawBatch) -> list[_Candidate]:
    p = raw.profiles
    as_of = int(p.as_of[0])
    as_of_month = int(month_of_day(p.as_of.astype(np.int64))[0])
    last6 = np.arange(as_of_month - 6, as_of_month, dtype=np.int32)
    out: list[_Candidate] = []
    add = out.append
    amount = int(p.requested_amount[0])
    for k, factor in enumerate(AMOUNT_FACTORS):
        new = int(amount * factor) // AMOUNT_STEP * AMOUNT_STEP
        if 0 < new < amount:
            add(
                _Candidate(
                    f"lower_amount_{int(factor * 100)}",
                    1 + k,
                    f"Turunkan jumlah pinjaman menjadi {rupiah(new, 'id')}",
                    f"Lower the requested amount to {rupiah(new, 'en')}",
                    replace(raw, profiles=replace(p, requested_amount=np.array([new]))),
                )
            )
    sav = raw.savings
    if p.coop_member_since[0] >= 0 and np.any(sav.status != 0):
        add(
            _Candidate(
                "savings_on_time",
                2,
                "Bayar simpanan wajib koperasi tepat waktu setiap bulan",
                "Pay the cooperative's mandatory savings on time every month",
                replace(raw, savings=replace(sav, status=np.zeros_like(sav.status))),
            )
        )
    if p.coop_member_since[0] < 0:
        joined = replace(
            raw,
            profiles=replace(
                p, coop_member_since=np.array([as_of - HALF_YEAR_DAYS], dtype=np.int32)
            ),
        )
        joined = replace(
            joined, savings=_with_rows(raw.savings, month=last6, status=np.zeros(6, dtype=np.int8))
        )
        add(
            _Candidate(
                "join_cooperative",
                5,
                "Bergabung dengan koperasi dan bayar simpanan wajib tepat waktu 6 bulan",
                "Join a cooperative and pay its savings on time for 6 months",
                joined,
            )
        )
    held = set(
        raw.certifications.kind[
            (raw.certifications.expires < 0) | (raw.certifications.expires >= as_of)
        ].tolist()
    )
    for kind, code, effort, name in ((0, "pirt", 2, "PIRT"), (1, "halal", 3, "halal")):
        if kind not in held:
            certs = _with_rows(
                raw.certifications,
                kind=np.array([kind], dtype=np.int8),
                issued=np.array([as_of], dtype=np.int32),
                expires=np.array([-1], dtype=np.int32),
            )
            add(
                _Candidate(
                    f"obtain_{code}",
                    effort,
                    f"Urus sertifikat {name}",
                    f"Obtain {name} certification",
                    replace(raw, certifications=certs),
                )
            )
    tx = raw.transactions
    recent = month_of_day(tx.day.astype(np.int64)) >= as_of_month - 6
    to_qris = recent & tx.inflow & (tx.channel != 1) & (tx.channel != 2)
    if np.any(to_qris):
        add(
            _Candidate(
                "qris_6_months",
                3,
                "Terima pembayaran penjualan lewat QRIS secara rutin selama 6 bulan",
                "Take sales payments through QRIS regularly for 6 months",
                replace(
                    raw, transactions=replace(tx, channel=np.where(to_qris, np.int8(1), tx.channel))
                ),
            )
        )
    if not np.any(raw.partnerships.until < 0):
        value = max(int(p.annual_sales[0]) // 5, AMOUNT_STEP)
        parts = _with_rows(
            raw.partnerships,
            partner_size=np.array([0], dtype=np.int8),
            since=np.array([as_of - 31], dtype=np.int32),
            until=np.array([-1], dtype=np.int32),
            annual_value=np.array([value], dtype=np.int64),
        )
        add(
            _Candidate(
                "offtake_partnership",
                5,
                f"Jalin kontrak off-take dengan usaha menengah/besar (~{rupiah(value, 'id')}"
                " per tahun)",
                f"Sign an off-take contract with a medium or large firm "
                f"(~{rupiah(value, 'en')} a year)",
                replace(raw, partnerships=parts),
            )
        )
    return out


def recourse(
    bundle: ModelBundle,
    raw: RawBatch,
    max_actions: int = MAX_ACTIONS,
    candidates: Callable[[RawBatch], list[_Candidate]] = _candidates,
) -> list[RecourseAction]:
    """Return up to ``max_actions`` verified changes that move one applicant to a better band.

    Args:
        bundle: the model that scored the application.
        raw: the application's raw data (a batch of one).
        max_actions: how many changes to return.
        candidates: the candidate generator (the default covers every actionable lever).

    Returns:
        Changes ordered by effort (then by the PD they reach); empty when none helps or the
        applicant is already in the best band.
    """
    if raw.n != 1:
        raise ValueError("recourse works on one application at a time")
    cands = candidates(raw)
    if not cands:
        return []
    fm = compute_features(concat_batches([raw] + [c.raw for c in cands]))
    pd = bundle.pd(fm.values)
    band = bundle.band_index(pd)
    score = np.rint(bundle.score(pd)).astype(np.int64)
    better = [i for i in range(1, len(pd)) if band[i] < band[0]]
    better.sort(key=lambda i: (cands[i - 1].effort, pd[i], cands[i - 1].code))
    actions: list[RecourseAction] = []
    seen_amount = False
    for i in better:
        c = cands[i - 1]
        if c.code.startswith("lower_amount"):
            if seen_amount:
                continue  # the smallest reduction that works is enough
            seen_amount = True
        actions.append(
            RecourseAction(
                c.code,
                c.effort,
                c.text_id,
                c.text_en,
                float(pd[i]),
                int(score[i]),
                bundle.bands[int(band[i])].band,
            )
        )
        if len(actions) == max_actions:
            break
    return actions
