"""training.compare: metrics, paired test and swap set, each recomputed here the long way.

Champion: the demo model. Challenger: the same booster cut to its first 15 trees, a genuinely
weaker model on the same features, so AUCs and approvals differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from fixtures import generate_population
from scoring.bundle import write_bundle
from scoring.features import compute_features
from scoring.model import ModelBundle, load_bundle
from training.compare import compare_bundles, compare_on_dataset
from training.dataset import Dataset
from training.errors import TrainingInputError

DEMO_MODEL = Path(__file__).resolve().parents[3] / "fixtures" / "demo_model"


@pytest.fixture(scope="module")
def champion() -> ModelBundle:
    return load_bundle(DEMO_MODEL)


@pytest.fixture(scope="module")
def challenger(champion: ModelBundle, tmp_path_factory: pytest.TempPathFactory) -> ModelBundle:
    manifest: dict[str, Any] = json.loads((DEMO_MODEL / "manifest.json").read_text())
    for key in ("files", "format"):
        manifest.pop(key)
    manifest["version"] = "first-15-trees"
    text = champion.booster.model_to_string(num_iteration=15)
    return load_bundle(write_bundle(tmp_path_factory.mktemp("b") / "short", text, manifest))


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    pop = generate_population(1500, seed=31)
    return compute_features(pop.raw).values, pop.defaulted.astype(np.int8)


def approves(bundle: ModelBundle, pd: np.ndarray, band: str) -> list[bool]:
    """Approve at ``band`` or better: PD at or under that band's upper PD bound."""
    bound = next(b.pd_max for b in bundle.bands if b.band == band)
    return [p <= bound for p in pd.tolist()]


def test_metrics_and_swap_set_match_a_row_by_row_count(
    champion: ModelBundle, challenger: ModelBundle, rows: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = rows
    cmp = compare_bundles(champion, challenger, x, y, cutoff_band="C", row_set="all")
    pd_a, pd_b = champion.pd(x), challenger.pd(x)
    auc_a, auc_b = roc_auc_score(y, pd_a), roc_auc_score(y, pd_b)
    assert cmp.a.metrics["auc"] == pytest.approx(auc_a, abs=1e-12)
    assert cmp.b.metrics["auc"] == pytest.approx(auc_b, abs=1e-12)
    assert auc_a > auc_b + 0.01  # the cut model is really weaker: the test compares something
    assert cmp.test.difference == pytest.approx(auc_b - auc_a, abs=1e-12)
    assert cmp.a.auc.low < auc_a < cmp.a.auc.high and cmp.b.auc.low < auc_b < cmp.b.auc.high
    ok_a, ok_b = approves(champion, pd_a, "C"), approves(challenger, pd_b, "C")
    swap_in = [i for i in range(len(y)) if ok_b[i] and not ok_a[i]]
    swap_out = [i for i in range(len(y)) if ok_a[i] and not ok_b[i]]
    assert swap_in and swap_out  # both groups are populated on these rows
    assert cmp.swap_in.count == len(swap_in) and cmp.swap_out.count == len(swap_out)
    assert cmp.swap_in.bad_rate == pytest.approx(sum(int(y[i]) for i in swap_in) / len(swap_in))
    assert cmp.swap_out.bad_rate == pytest.approx(sum(int(y[i]) for i in swap_out) / len(swap_out))
    assert cmp.both_approve == sum(a and b for a, b in zip(ok_a, ok_b, strict=True))
    assert cmp.a.approval_rate == pytest.approx(sum(ok_a) / len(y))
    out = cmp.to_dict()
    assert set(out["versions"]) == {champion.version, "first-15-trees"}
    assert out["swap"]["b_approves_a_declines"]["count"] == len(swap_in)
    assert out["auc_difference"]["significant"] == (out["auc_difference"]["p_value"] < 0.05)
    assert out["rows"] == len(y) and out["row_set"] == "all"


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), band=st.sampled_from("ABCDE"))
def test_the_swap_set_accounts_for_every_row(
    champion: ModelBundle,
    challenger: ModelBundle,
    rows: tuple[np.ndarray, np.ndarray],
    seed: int,
    band: str,
) -> None:
    x, y = rows
    pick = np.random.default_rng(seed).choice(len(y), 400, replace=False)
    cmp = compare_bundles(champion, challenger, x[pick], y[pick], cutoff_band=band)
    n = len(pick)
    assert cmp.swap_in.count + cmp.swap_out.count + cmp.both_approve + cmp.both_decline == n
    # the approval rates move by exactly the swap-ins minus the swap-outs
    moved = (cmp.b.approval_rate - cmp.a.approval_rate) * n
    assert moved == pytest.approx(cmp.swap_in.count - cmp.swap_out.count, abs=1e-9)
    if band == "E":  # the last band approves everyone under both models
        assert cmp.both_approve == n and cmp.swap_in.bad_rate is None


def test_an_unknown_band_and_too_few_bads_are_named(
    champion: ModelBundle, challenger: ModelBundle, rows: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = rows
    with pytest.raises(TrainingInputError) as info:
        compare_bundles(champion, challenger, x, y, cutoff_band="Z")
    assert info.value.field == "cutoff_band" and "no band 'Z'" in info.value.message
    one_bad = np.flatnonzero(y == 0)[:50].tolist() + np.flatnonzero(y == 1)[:1].tolist()
    with pytest.raises(TrainingInputError) as info:
        compare_bundles(champion, challenger, x[one_bad], y[one_bad], row_set="holdout")
    assert info.value.field == "rows" and "51 holdout rows hold 1 bad and 50 good" in str(
        info.value
    )


def test_on_a_dataset_the_holdout_is_the_split_of_that_seed(
    champion: ModelBundle, challenger: ModelBundle, rows: tuple[np.ndarray, np.ndarray]
) -> None:
    x, y = rows
    days = np.arange(len(y), dtype=np.float64) + 20_000.0  # 1,500 days: out-of-time split
    data = Dataset(
        path=Path("d.parquet"),
        meta={},
        x=x,
        y=y,
        ids=np.arange(len(y)),
        days=days,
        gender=np.array(["F"] * len(y), dtype=object),
        province=np.array(["Bali"] * len(y), dtype=object),
    )
    cmp = compare_on_dataset(champion, challenger, data, rows="holdout", seed=3)
    assert cmp.rows == 300 and cmp.row_set == "holdout"  # the latest fifth
    expected = roc_auc_score(y[1200:], champion.pd(x[1200:]))
    assert cmp.a.metrics["auc"] == pytest.approx(expected, abs=1e-12)
