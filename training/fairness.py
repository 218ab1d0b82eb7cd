"""Fairness by group (owner gender, province): approval rate, bad rate, AUC, four-fifths rule.

The group column is for reporting only and is never a model input. A row is "approved" when
its PD is at or below the cut-off. The approval-rate ratio compares each group with the group
approved most often; a ratio below 0.8 fails the four-fifths rule (US EEOC adverse impact
guideline, used here as a conventional alarm level, not a legal test).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.evaluate import auc

FOUR_FIFTHS = 0.8


def fairness_table(
    y: NDArray[np.int8],
    pd: NDArray[np.float64],
    group: NDArray[Any],
    cutoff: float,
    min_rows: int = 1,
) -> list[dict[str, Any]]:
    """Per-group approval rate, bad rate, AUC and approval-rate ratio.

    Args:
        y: 0/1 outcomes.
        pd: predicted probabilities of default.
        group: group label of each row (strings or numbers).
        cutoff: approve when ``pd <= cutoff``.
        min_rows: groups with fewer rows are left out (too small to read).

    Returns:
        One dict per group, sorted by group label: ``group``, ``count``, ``approval_rate``,
        ``bad_rate``, ``approved_bad_rate``, ``auc`` (None when one class only),
        ``approval_ratio`` (against the highest approval rate) and ``passes_four_fifths``.
    """
    labels = np.asarray(group).astype(str)
    approved = np.asarray(pd) <= cutoff
    rows: list[dict[str, Any]] = []
    for g in sorted(set(labels.tolist())):
        m = labels == g
        n = int(m.sum())
        if n < min_rows:
            continue
        yy = y[m]
        ok = approved[m]
        rows.append(
            {
                "group": g,
                "count": n,
                "approval_rate": float(ok.mean()),
                "bad_rate": float(yy.mean()),
                "approved_bad_rate": float(yy[ok].mean()) if ok.any() else None,
                "auc": auc(yy, pd[m]) if 0 < yy.sum() < n else None,
            }
        )
    best = max((r["approval_rate"] for r in rows), default=0.0)
    for r in rows:
        r["approval_ratio"] = r["approval_rate"] / best if best > 0 else None
        r["passes_four_fifths"] = best > 0 and r["approval_rate"] / best >= FOUR_FIFTHS
    return rows
