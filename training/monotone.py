"""Exact check that a trained model moves only in each constrained feature's declared direction.

LightGBM enforces monotone constraints tree by tree, so a model is monotone in a feature when
each tree is, and a tree is when no two of its leaves are out of order while their regions
touch along that feature: overlapping in every other feature (with positive width, or both
admitting NaN) and one lying wholly below the other in the constrained one. That is checked
for every pair of leaves of every tree: exact, not a sample of rows. (It ignores the single
value 0 of a feature whose splits treat zero as missing, which has no width.)

Why it exists: LightGBM's ``monotone_constraints_method="advanced"`` produced trees that break
their constraints (lightgbm-org/LightGBM#5358, #6155): the demo model's PD fell as the loan
amount rose for 186 of 600 applicants. A model is now refused before it is ever registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
TOLERANCE = 1e-12  # leaf values are stored to 17 digits; equal values are not a violation


@dataclass(frozen=True)
class Violation:
    """Two leaves of one tree in the wrong order along a constrained feature."""

    tree: int
    feature: str
    lower_leaf: int  # LightGBM's leaf index of the leaf on the lower side of the feature
    upper_leaf: int
    lower_leaf_value: float
    upper_leaf_value: float

    def __str__(self) -> str:
        low, high = f"{self.lower_leaf_value:.6g}", f"{self.upper_leaf_value:.6g}"
        return f"tree {self.tree}: {self.feature} rises from a leaf of {low} into one of {high}"


class MonotoneViolation(ValueError):
    """A trained model breaks a declared monotone constraint."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        shown = "; ".join(str(v) for v in self.violations[:3])
        more = len(self.violations) - 3
        super().__init__(
            f"the model breaks its monotone constraints ({shown}"
            + (f"; and {more} more" if more > 0 else "")
            + ")"
        )


def monotone_violations(booster: lgb.Booster, constraints: Sequence[int]) -> list[Violation]:
    """Return every pair of leaves that breaks a constraint (empty when the model is monotone).

    Args:
        booster: a trained model (numeric splits; categorical splits are never constrained).
        constraints: -1, 0 or 1 per feature, in the model's feature order.

    Returns:
        One ``Violation`` per offending (tree, feature), the worst pair of that tree.
    """
    signs = np.asarray(constraints, dtype=np.int64)
    constrained = np.flatnonzero(signs)
    if not len(constrained):
        return []
    names = booster.feature_name()
    k = len(names)
    out: list[Violation] = []
    for t, tree in enumerate(booster.dump_model()["tree_info"]):
        leaves = leaf_boxes(tree["tree_structure"], k)
        lo, hi, value = leaves.lo, leaves.hi, leaves.value
        if len(value) < 2:
            continue
        # overlap[a, b, g]: leaves a and b share some rows along numeric feature g
        top = np.minimum(hi[:, None, :], hi[None, :, :])
        width = top > np.maximum(lo[:, None, :], lo[None, :, :])
        overlap = width | (leaves.nan_ok[:, None, :] & leaves.nan_ok[None, :, :])
        blocked = (~overlap).sum(axis=2)  # features along which the two leaves do not meet
        if any(leaves.categories):  # categorical splits: leaves meet where category sets do
            blocked += ~np.array([[_categories_meet(a, b) for b in leaves.categories]
                                  for a in leaves.categories])  # fmt: skip
        # All constrained features at once, (a, b, f): a lies below b along f (a leaf only
        # NaN reaches has no place in the order) and the two meet in every other feature.
        lo_f, hi_f = lo[:, constrained], hi[:, constrained]
        ordered = lo_f < hi_f
        below = (hi_f[:, None, :] <= lo_f[None, :, :]) & ordered[:, None, :] & ordered[None, :, :]
        touch = below & (blocked[:, :, None] - ~overlap[:, :, constrained] == 0)
        # > 0: the upper leaf is worse than the declared direction allows
        gap = (value[:, None, None] - value[None, :, None]) * signs[constrained]
        bad = touch & (gap > TOLERANCE)
        for j in np.flatnonzero(bad.any(axis=(0, 1))):
            worst = np.where(bad[:, :, j], gap[:, :, j], -np.inf)
            a, b = np.unravel_index(np.argmax(worst), worst.shape)
            pair = (int(leaves.index[a]), int(leaves.index[b]), float(value[a]), float(value[b]))
            out.append(Violation(t, names[constrained[j]], *pair))
    return out


def check_monotone(booster: lgb.Booster, constraints: Sequence[int]) -> None:
    """Raise ``MonotoneViolation`` if the model breaks any of its constraints."""
    violations = monotone_violations(booster, constraints)
    if violations:
        raise MonotoneViolation(violations)


# Per categorical feature on a leaf's path: the categories it must be in (None: any) and
# those it must not be in. LightGBM sends the listed categories left and all others right.
Categories = dict[int, tuple[frozenset[int] | None, frozenset[int]]]


@dataclass(frozen=True)
class Leaves:
    """The regions of a tree's leaves, one row per leaf."""

    lo: F64  # (leaves, features): each numeric feature's range is (lo, hi]
    hi: F64
    nan_ok: NDArray[np.bool_]  # NaN in that feature reaches the leaf
    value: F64
    index: I64  # LightGBM's leaf index
    categories: list[Categories]


def leaf_boxes(root: dict[str, Any], k: int) -> Leaves:
    """Each leaf's region, value and index, from a dumped tree."""
    los, his, nans, values, index, cats = [], [], [], [], [], []
    empty: Categories = {}
    stack = [(root, np.full(k, -np.inf), np.full(k, np.inf), np.ones(k, dtype=np.bool_), empty)]
    while stack:
        node, lo, hi, nan_ok, cat = stack.pop()
        if "split_index" not in node:
            los.append(lo)
            his.append(hi)
            nans.append(nan_ok)
            values.append(float(node["leaf_value"]))
            index.append(int(node.get("leaf_index", 0)))
            cats.append(cat)
            continue
        f = int(node["split_feature"])
        if node["decision_type"] == "==":
            listed = frozenset(int(c) for c in str(node["threshold"]).split("||"))
            must, must_not = cat.get(f, (None, frozenset()))
            left = {**cat, f: (listed if must is None else must & listed, must_not)}
            right = {**cat, f: (must, must_not | listed)}
            stack.append((node["left_child"], lo, hi, nan_ok, left))
            stack.append((node["right_child"], lo, hi, nan_ok, right))
            continue
        thr = float(node["threshold"])
        # Where NaN goes: the default side, unless missing values are not special, in which
        # case LightGBM reads NaN as 0.0 and 0.0 goes where the threshold sends it.
        nan_left = bool(node["default_left"]) if node["missing_type"] != "None" else 0.0 <= thr
        left_hi, right_lo = hi.copy(), lo.copy()
        left_hi[f] = min(hi[f], thr)
        right_lo[f] = max(lo[f], thr)
        left_nan, right_nan = nan_ok.copy(), nan_ok.copy()
        left_nan[f] &= nan_left
        right_nan[f] &= not nan_left
        stack.append((node["left_child"], lo, left_hi, left_nan, cat))
        stack.append((node["right_child"], right_lo, hi, right_nan, cat))
    return Leaves(np.array(los), np.array(his), np.array(nans), np.array(values),
                  np.array(index, dtype=np.int64), cats)  # fmt: skip


def _categories_meet(a: Categories, b: Categories) -> bool:
    """Whether some category of every categorical feature reaches both leaves."""
    for f in a.keys() | b.keys():
        must_a, not_a = a.get(f, (None, frozenset()))
        must_b, not_b = b.get(f, (None, frozenset()))
        # with no required set on either side, an unseen category reaches both
        allowed = must_b if must_a is None else must_a if must_b is None else must_a & must_b
        if allowed is not None and not allowed - not_a - not_b:
            return False
    return True
