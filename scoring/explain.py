"""Exact per-feature contributions and the reason codes built from them.

Contributions are path-dependent TreeSHAP values, the same as LightGBM's ``pred_contrib`` and
``shap.TreeExplainer`` to rounding, summing with the bias column to the raw margin. They come
from the bundle's tabulated TreeSHAP (``scoring.treeshap``, ~10x faster per row) and from
LightGBM itself for models the tables do not cover.
Features are grouped by ``characteristic`` and the contributions summed per characteristic
before ranking, so one weak area is one reason even when it shows in three features. A
positive contribution raises the log-odds of default: it is an adverse reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scoring.feature_spec import CHARACTERISTICS, FEATURES, FeatureSpec
from scoring.model import ModelBundle
from scoring.textfmt import format_value

F64 = NDArray[np.float64]
MAX_ADVERSE = 4
MAX_POSITIVE = 4
# A characteristic must move the log-odds by at least this much to be worth a sentence: smaller
# ones read as noise and can contradict a policy rule ("installment light" at 59%).
MIN_REASON_CONTRIBUTION = 0.01

# (k features) x (c characteristics) one-hot: contributions @ GROUP sums per characteristic.
GROUP: F64 = np.zeros((len(FEATURES), len(CHARACTERISTICS)))
for _i, _f in enumerate(FEATURES):
    GROUP[_i, CHARACTERISTICS.index(_f.characteristic)] = 1.0
MEMBERS: tuple[tuple[int, ...], ...] = tuple(
    tuple(i for i, f in enumerate(FEATURES) if f.characteristic == c) for c in CHARACTERISTICS
)


@dataclass(frozen=True)
class Reason:
    """One reason: a characteristic, its summed contribution and the feature that shows it."""

    code: str  # the representative feature's name, a stable identifier for lenders
    characteristic: str
    contribution: float  # summed log-odds contribution of the characteristic
    value: float | None  # the applicant's value of the representative feature (None = no data)
    text_id: str
    text_en: str

    def to_dict(self) -> dict[str, object]:
        """Return the reason as JSON values (contribution rounded to 6 decimals)."""
        return {
            "code": self.code,
            "characteristic": self.characteristic,
            "contribution": round(self.contribution, 6),
            "value": None if self.value is None else round(self.value, 6),
            "text_id": self.text_id,
            "text_en": self.text_en,
        }


def contributions(bundle: ModelBundle, X: F64) -> F64:
    """Return exact contributions, shape (n, k + 1); the last column is the bias.

    Args:
        bundle: the model.
        X: float64 feature matrix (n, k).

    Returns:
        Per-feature log-odds contributions; each row sums to the raw margin.
    """
    X = np.ascontiguousarray(X, dtype=np.float64).reshape(-1, len(FEATURES))
    if bundle.shap is not None:
        return bundle.shap.contributions(X)
    out = bundle.booster.predict(X, pred_contrib=True, num_threads=1)
    return np.asarray(out, dtype=np.float64)


def margin_of(contrib: F64) -> F64:
    """Return the raw margin as the row sums of contributions (bias included).

    Equal to ``booster.predict(raw_score=True)`` to floating-point rounding (a test bounds the
    difference by 1e-9), and it saves a second pass over the trees when contributions are
    needed anyway.
    """
    return np.asarray(contrib.sum(axis=1), dtype=np.float64)


def characteristic_contributions(contrib: F64) -> F64:
    """Sum feature contributions per characteristic: (n, k + 1) -> (n, c)."""
    return np.asarray(contrib[:, : len(FEATURES)] @ GROUP, dtype=np.float64)


# When the deciding feature is missing, the reason is the missing source itself.
MISSING_TEXT: dict[str, tuple[str, str]] = {
    "transactions": ("Tidak ada riwayat transaksi", "No transaction history"),
    "digital_sales": ("Tidak ada data penjualan online", "No online sales data"),
    "cooperative": ("Bukan anggota koperasi atau tanpa riwayat koperasi",
                    "Not a cooperative member or no cooperative record"),
    "profile": ("Data profil usaha tidak lengkap", "Incomplete business profile"),
    "certifications": ("Tidak ada sertifikasi", "No certifications"),
    "partnerships": ("Tidak ada kemitraan", "No partnerships"),
    "exports": ("Tidak ada data ekspor", "No export data"),
    "request": ("Data pengajuan tidak lengkap", "Incomplete loan request"),
}  # fmt: skip


def _reason(spec: FeatureSpec, total: float, value: float, adverse: bool) -> Reason:
    v_id = format_value(spec.value_format, value, "id")
    v_en = format_value(spec.value_format, value, "en")
    tid, ten = (spec.reason_id, spec.reason_en) if adverse else (spec.strength_id, spec.strength_en)
    if value != value:  # NaN: the source is missing
        tid, ten = MISSING_TEXT[spec.source]
    return Reason(
        code=spec.name,
        characteristic=spec.characteristic,
        contribution=total,
        value=None if value != value else float(value),
        text_id=tid.format(v=v_id),
        text_en=ten.format(v=v_en),
    )


def reasons_for_row(contrib_row: F64, values_row: F64) -> tuple[list[Reason], list[Reason]]:
    """Return (adverse reasons, positive factors) of one application, strongest first.

    Args:
        contrib_row: one row of ``contributions`` (k + 1 values).
        values_row: the same application's feature values (k values).

    Returns:
        Up to ``MAX_ADVERSE`` characteristics raising the PD and ``MAX_POSITIVE`` lowering it;
        each names the feature of that characteristic that pushed hardest in that direction.
    """
    per_feature = contrib_row[: len(FEATURES)].tolist()
    values = values_row.tolist()
    per_char = [sum(per_feature[i] for i in members) for members in MEMBERS]
    # stable: ties keep the spec's characteristic order
    order = sorted(range(len(per_char)), key=lambda c: -per_char[c])
    adverse = [c for c in order if per_char[c] > MIN_REASON_CONTRIBUTION][:MAX_ADVERSE]
    result: tuple[list[Reason], list[Reason]] = ([], [])
    for c in adverse:
        best = max(MEMBERS[c], key=lambda i: per_feature[i])
        result[0].append(_reason(FEATURES[best], per_char[c], values[best], True))
    for c in order[::-1]:
        if per_char[c] >= -MIN_REASON_CONTRIBUTION or len(result[1]) == MAX_POSITIVE:
            break
        best = min(MEMBERS[c], key=lambda i: per_feature[i])
        if values[best] != values[best]:
            continue  # a missing source is never praised ("not a cooperative member")
        result[1].append(_reason(FEATURES[best], per_char[c], values[best], False))
    return result
