"""Champion against challenger on the same rows: AUCs with DeLong intervals, the paired
DeLong test of their difference, and the swap set at a cutoff band.

The swap set is what changes for applicants if B replaces A with the same approval rule
("approve at band C or better"): swap-ins are rows B approves and A declines, swap-outs the
reverse. Their realised bad rates say whether the change takes on worse risk than it sheds,
which an AUC alone does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.model import ModelBundle
from training.dataset import Dataset
from training.delong import AucInterval, PairedAucTest, auc_interval, paired_auc_test
from training.errors import TrainingInputError
from training.evaluate import summary_metrics

METRIC_KEYS = ("auc", "gini", "ks", "brier", "calibration_error", "mean_pd")


def _r(v: float) -> float:
    return round(v, 6)


@dataclass(frozen=True)
class VersionResult:
    """One version's metrics on the compared rows and its approval rate at the cutoff."""

    version: str
    metrics: dict[str, float]
    auc: AucInterval
    approval_rate: float

    def to_dict(self) -> dict[str, float]:
        return {k: _r(self.metrics[k]) for k in METRIC_KEYS} | {
            "auc_ci_low": _r(self.auc.low),
            "auc_ci_high": _r(self.auc.high),
            "approval_rate": _r(self.approval_rate),
        }


@dataclass(frozen=True)
class SwapGroup:
    """Rows one version approves and the other declines: how many, and how many went bad."""

    count: int
    bad_rate: float | None  # None when the group is empty

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "bad_rate": None if self.bad_rate is None else _r(self.bad_rate),
        }


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare_bundles`; ``to_dict`` is the CLI's JSON line."""

    name: str
    rows: int
    row_set: str
    cutoff_band: str
    a: VersionResult
    b: VersionResult
    test: PairedAucTest  # of AUC(b) - AUC(a)
    swap_in: SwapGroup  # B approves, A declines
    swap_out: SwapGroup  # A approves, B declines
    both_approve: int
    both_decline: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "rows": self.rows, "row_set": self.row_set,
            "cutoff_band": self.cutoff_band,
            "versions": {v.version: v.to_dict() for v in (self.a, self.b)},
            "auc_difference": {k: _r(v) if isinstance(v, float) else v
                               for k, v in self.test.to_dict().items()},
            "swap": {"b_approves_a_declines": self.swap_in.to_dict(),
                     "a_approves_b_declines": self.swap_out.to_dict(),
                     "both_approve": self.both_approve, "both_decline": self.both_decline},
        }  # fmt: skip


def approved_at(
    bundle: ModelBundle, pd: NDArray[np.float64], cutoff_band: str
) -> NDArray[np.bool_]:
    """Which rows ``bundle`` approves under "approve at ``cutoff_band`` or better".

    Raises:
        TrainingInputError: the bundle has no such band.
    """
    letters = [b.band for b in bundle.bands]
    if cutoff_band not in letters:
        raise TrainingInputError(
            "cutoff_band", f"{bundle.name} {bundle.version} has no band {cutoff_band!r}"
        )
    return np.asarray(bundle.band_index(pd) <= letters.index(cutoff_band), dtype=np.bool_)


def _swap(y: NDArray[np.int8], mask: NDArray[np.bool_]) -> SwapGroup:
    rate = float(y[mask].mean()) if mask.any() else None
    return SwapGroup(int(mask.sum()), rate)


def compare_bundles(
    a: ModelBundle,
    b: ModelBundle,
    x: NDArray[np.float64],
    y: NDArray[np.int8],
    cutoff_band: str = "C",
    row_set: str = "given",
) -> Comparison:
    """Score ``a`` (champion) and ``b`` (challenger) on the same rows and compare them.

    Args:
        a, b: the two loaded bundles.
        x: feature matrix in the bundles' feature order; y: 0/1 outcomes of those rows.
        cutoff_band: approve at this band or better (both bundles must have it).
        row_set: what the rows are (``"holdout"``, ``"all"``), reported as given.

    Returns:
        Both versions' metrics and AUC intervals, the paired test of ``AUC(b) - AUC(a)`` and
        the swap set.

    Raises:
        TrainingInputError: fewer than two rows of either outcome, or an unknown band.
    """
    y = np.asarray(y, dtype=np.int8)
    bads = int(y.sum())
    if min(bads, len(y) - bads) < 2:
        raise TrainingInputError(
            "rows",
            f"{len(y)} {row_set} rows hold {bads} bad and {len(y) - bads} good outcomes; "
            "comparing AUCs needs at least 2 of each",
        )
    results, pds, approved = [], [], []
    for bundle in (a, b):
        pd = bundle.pd(x)
        ok = approved_at(bundle, pd, cutoff_band)
        m = summary_metrics(y, pd)
        results.append(
            VersionResult(
                bundle.version,
                {k: m[k] for k in METRIC_KEYS},
                auc_interval(y, pd),
                float(ok.mean()),
            )
        )
        pds.append(pd)
        approved.append(ok)
    in_a, in_b = approved
    return Comparison(
        name=a.name,
        rows=len(y),
        row_set=row_set,
        cutoff_band=cutoff_band,
        a=results[0],
        b=results[1],
        test=paired_auc_test(y, pds[0], pds[1]),
        swap_in=_swap(y, ~in_a & in_b),
        swap_out=_swap(y, in_a & ~in_b),
        both_approve=int((in_a & in_b).sum()),
        both_decline=int((~in_a & ~in_b).sum()),
    )


def compare_on_dataset(
    a: ModelBundle,
    b: ModelBundle,
    data: Dataset,
    rows: str = "holdout",
    seed: int = 42,
    cutoff_band: str = "C",
) -> Comparison:
    """:func:`compare_bundles` on a dataset's holdout (as ``train --seed`` split it) or all
    its rows. The dataset must be trainable (see :meth:`Dataset.check_trainable`)."""
    data.check_trainable()
    idx = data.rows(rows, seed)
    return compare_bundles(a, b, data.x[idx], data.y[idx], cutoff_band, row_set=rows)
