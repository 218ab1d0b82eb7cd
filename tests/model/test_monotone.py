"""Behaviour: a declared-monotone feature moves the PD only in its declared direction."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures import Population
from scoring.feature_spec import FEATURES
from scoring.features import compute_features
from scoring.model import ModelBundle
from training.monotone import monotone_violations

MONOTONE = [k for k, f in enumerate(FEATURES) if f.monotone != 0]


@settings(max_examples=300, deadline=None)
@given(row=st.integers(0, 599), k=st.sampled_from(MONOTONE), q=st.floats(0, 1), r=st.floats(0, 1))
def test_pd_moves_in_the_declared_direction(
    bundle: ModelBundle, population: Population, row: int, k: int, q: float, r: float
) -> None:
    X = compute_features(population.raw).values
    column = X[:, k][~np.isnan(X[:, k])]
    lo, hi = sorted((float(np.quantile(column, q)), float(np.quantile(column, r))))
    pair = np.repeat(X[row : row + 1], 2, axis=0)
    pair[0, k], pair[1, k] = lo, hi
    pd_lo, pd_hi = bundle.pd(pair)
    if FEATURES[k].monotone > 0:
        assert pd_hi >= pd_lo, FEATURES[k].name
    else:
        assert pd_hi <= pd_lo, FEATURES[k].name


def test_more_on_time_savings_never_raise_the_pd(
    bundle: ModelBundle, population: Population
) -> None:
    X = compute_features(population.raw).values
    k = [f.name for f in FEATURES].index("coop_savings_on_time_share")
    grid = np.linspace(0, 1, 21)
    for row in range(0, 600, 25):
        rows = np.repeat(X[row : row + 1], len(grid), axis=0)
        rows[:, k] = grid
        assert np.all(np.diff(bundle.pd(rows)) <= 0)


def test_no_tree_breaks_a_declared_direction(bundle: ModelBundle) -> None:
    """Exact, over every pair of leaves of every tree (the tests above sample rows)."""
    assert monotone_violations(bundle.booster, [f.monotone for f in FEATURES]) == []
