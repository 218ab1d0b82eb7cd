"""ModelBundle: PD from the Platt calibration, points-to-double-odds score, bands."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fixtures import Population
from scoring.features import compute_features
from scoring.model import ModelBundle


def test_pd_is_platt_of_the_raw_margin(bundle: ModelBundle, population: Population) -> None:
    X = compute_features(population.raw).values[:50]
    margin = bundle.booster.predict(X, raw_score=True, num_threads=1)
    cal = bundle.manifest["calibration"]
    expected = 1 / (1 + np.exp(-(cal["a"] * margin + cal["b"])))
    assert np.allclose(bundle.pd(X), expected, rtol=0, atol=1e-15)


def test_score_scaling_anchor_and_doubling(bundle: ModelBundle) -> None:
    s = bundle.manifest["score_scaling"]
    assert (s["base_points"], s["base_odds"], s["pdo"]) == (600, 50, 20)
    pd_50 = np.array([1 / 51])  # good:bad odds 50:1
    pd_100 = np.array([1 / 101])  # odds doubled
    assert math.isclose(bundle.score(pd_50)[0], 600, abs_tol=1e-9)
    assert math.isclose(bundle.score(pd_100)[0], 620, abs_tol=1e-9)


@given(st.floats(1e-5, 0.999), st.floats(1e-5, 0.999))
def test_score_falls_as_pd_rises(bundle: ModelBundle, a: float, b: float) -> None:
    lo, hi = min(a, b), max(a, b)
    s = bundle.score(np.array([lo, hi]))
    assert s[0] >= s[1]


def test_bands_follow_the_pd_bounds(bundle: ModelBundle) -> None:
    bounds = [b.pd_max for b in bundle.bands]
    assert [b.band for b in bundle.bands] == ["A", "B", "C", "D", "E"]
    for k, bound in enumerate(bounds):
        assert bundle.band(np.array([bound]))[0] == bundle.bands[k]  # bound inclusive
        if k + 1 < len(bounds):
            assert bundle.band(np.array([bound + 1e-9]))[0] == bundle.bands[k + 1]
