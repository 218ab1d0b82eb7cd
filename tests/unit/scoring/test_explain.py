"""Contributions equal SHAP TreeExplainer and sum to the margin; reasons follow them."""

from __future__ import annotations

import numpy as np
import pytest

from fixtures import Population
from scoring.explain import GROUP, contributions, reasons_for_row
from scoring.feature_spec import CHARACTERISTICS, FEATURES
from scoring.features import compute_features
from scoring.model import ModelBundle
from scoring.textfmt import format_value, number, rupiah


@pytest.fixture(scope="module")
def X(population: Population) -> np.ndarray:
    return compute_features(population.raw).values[:200]


def test_contributions_sum_to_the_margin(bundle: ModelBundle, X: np.ndarray) -> None:
    c = contributions(bundle, X)
    assert c.shape == (len(X), len(FEATURES) + 1)
    assert np.max(np.abs(c.sum(axis=1) - bundle.margin(X))) < 1e-9


# shap announces a change of its LightGBM output shape on every call; the shape is handled below.
@pytest.mark.filterwarnings("ignore:LightGBM binary classifier with TreeExplainer:UserWarning")
def test_contributions_equal_shap_tree_explainer(bundle: ModelBundle, X: np.ndarray) -> None:
    shap = pytest.importorskip("shap")
    explainer = shap.TreeExplainer(bundle.booster)
    values = np.asarray(explainer.shap_values(X))
    if values.ndim == 3:  # older shap: one array per class
        values = values[-1]
    c = contributions(bundle, X)
    assert np.max(np.abs(c[:, :-1] - values)) < 1e-9
    assert abs(float(np.ravel(explainer.expected_value)[-1]) - c[0, -1]) < 1e-9


def test_contributions_equal_shaps_own_tree_shap(bundle: ModelBundle, X: np.ndarray) -> None:
    """For LightGBM shap delegates to pred_contrib; force its own C TreeSHAP on the parsed trees
    so the check is independent of LightGBM's implementation."""
    shap = pytest.importorskip("shap")
    explainer = shap.TreeExplainer(bundle.booster)
    explainer.model.model_type = "internal"  # skip the native shortcut
    values = np.asarray(explainer.shap_values(X[:60], check_additivity=False))
    c = contributions(bundle, X[:60])
    assert np.max(np.abs(c[:, :-1] - values)) < 1e-9


def test_group_matrix_assigns_each_feature_once() -> None:
    assert GROUP.shape == (len(FEATURES), len(CHARACTERISTICS))
    assert np.array_equal(GROUP.sum(axis=1), np.ones(len(FEATURES)))


def test_reasons_rank_characteristics_by_summed_contribution(
    bundle: ModelBundle, X: np.ndarray
) -> None:
    c = contributions(bundle, X)
    for i in range(40):
        adverse, positive = reasons_for_row(c[i], X[i])
        sums: dict[str, float] = {}
        for k, f in enumerate(FEATURES):  # independent summation, by name
            sums[f.characteristic] = sums.get(f.characteristic, 0.0) + c[i, k]
        top = sorted((v, ch) for ch, v in sums.items() if v > 0.01)[::-1][:4]
        assert [r.characteristic for r in adverse] == [ch for _, ch in top]
        for r in adverse:
            assert np.isclose(r.contribution, sums[r.characteristic], atol=1e-12)
        assert all(r.contribution < 0 for r in positive)
        assert len(adverse) <= 4 and len(positive) <= 4


def test_indonesian_and_english_number_formats() -> None:
    assert rupiah(12_500_000, "id") == "Rp 12.500.000"
    assert rupiah(12_500_000, "en") == "Rp 12,500,000"
    assert number(0.62, 2, "id") == "0,62" and number(0.62, 2, "en") == "0.62"
    assert number(1234.5, 1, "id") == "1.234,5"
    assert format_value("percent", 0.125, "id") == "12,5%"
    assert format_value("months", 24.9, "en") == "24 months"
    assert format_value("ratio", float("nan"), "id") == "tidak ada data"
