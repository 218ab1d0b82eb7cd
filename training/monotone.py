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

import math
from collections.abc import Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray

from scoring.lgbm_trees import CATEGORICAL, DEFAULT_LEFT, MISSING_NONE, Tree, model_trees

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
    if not signs.any():
        return []
    constrained = np.flatnonzero(signs)
    names = booster.feature_name()
    k = len(names)
    out: list[Violation] = []
    for t, tree in enumerate(model_trees(booster)):
        leaves = leaf_boxes(tree, k)
        lo, hi, value = leaves.lo, leaves.hi, leaves.value
        if len(value) < 2:
            continue
        # overlap[a, b, g]: leaves a and b share some rows along numeric feature g
        top = np.minimum(hi[:, None, :], hi[None, :, :])
        overlap = top > np.maximum(lo[:, None, :], lo[None, :, :])
        overlap |= leaves.nan_ok[:, None, :] & leaves.nan_ok[None, :, :]
        blocked = (~overlap).sum(axis=2)  # features along which the two leaves do not meet
        if any(leaves.categories):  # categorical splits: leaves meet where category sets do
            blocked += ~np.array(
                [[_categories_meet(a, b) for b in leaves.categories] for a in leaves.categories]
            )
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


def leaf_boxes(tree: Tree, k: int) -> Leaves:
    """Each leaf's region, value and index."""
    n_leaves = len(tree.leaf_value)
    # Python lists while walking: element access on numpy arrays costs ~20x more.
    lo = [[-math.inf] * k for _ in range(n_leaves)]
    hi = [[math.inf] * k for _ in range(n_leaves)]
    nan_ok = [[True] * k for _ in range(n_leaves)]
    cats: list[Categories] = [{} for _ in range(n_leaves)]
    # (node, conditions on the way: feature, threshold or category set, went left, NaN left)
    Cond = tuple[int, float | frozenset[int], bool, bool]
    stack: list[tuple[int, tuple[Cond, ...]]] = [(0, ())] if tree.split_feature else []
    while stack:
        node, conds = stack.pop()
        f, kind = tree.split_feature[node], tree.decision_type[node]
        if kind & CATEGORICAL:
            split: float | frozenset[int] = tree.categories(node)
            nan_left = False  # NaN and unseen categories go right
        else:
            split = tree.threshold[node]
            # NaN goes the default way, unless missing values are not special: then LightGBM
            # reads NaN as 0.0 and 0.0 goes where the threshold sends it.
            special = tree.missing_type(node) != MISSING_NONE
            nan_left = bool(kind & DEFAULT_LEFT) if special else 0.0 <= split
        for child, left in ((tree.left_child[node], True), (tree.right_child[node], False)):
            path = (*conds, (f, split, left, nan_left))
            if child >= 0:
                stack.append((child, path))
                continue
            leaf_lo, leaf_hi, leaf_nan, leaf_cats = (
                lo[~child],
                hi[~child],
                nan_ok[~child],
                cats[~child],
            )
            for g, at, went_left, nan_to_left in path:
                leaf_nan[g] = leaf_nan[g] and nan_to_left == went_left
                if isinstance(at, frozenset):
                    must, must_not = leaf_cats.get(g, (None, frozenset()))
                    if went_left:
                        leaf_cats[g] = (at if must is None else must & at, must_not)
                    else:
                        leaf_cats[g] = (must, must_not | at)
                elif went_left:
                    leaf_hi[g] = min(leaf_hi[g], at)
                else:
                    leaf_lo[g] = max(leaf_lo[g], at)
    shape = (n_leaves, k)
    return Leaves(
        np.array(lo).reshape(shape),
        np.array(hi).reshape(shape),
        np.array(nan_ok, dtype=np.bool_).reshape(shape),
        np.array(tree.leaf_value),
        np.arange(n_leaves),
        cats,
    )


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
