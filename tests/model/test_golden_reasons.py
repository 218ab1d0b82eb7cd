"""Reason codes for a handful of fixture applicants, checked against shap independently.

The primary check re-scores each applicant and compares the ranking of adverse reasons with
shap's own TreeSHAP values summed per characteristic (independent of our code). Each golden
file also holds the reasons and texts the demo model gave when it was written (``python -m
tests.model.test_golden_reasons`` rewrites them after a deliberate model change), a regression
check on the texts that shap cannot give.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scoring.feature_spec import FEATURES
from scoring.features import compute_features
from scoring.model import ModelBundle
from scoring.parse import parse_application
from scoring.policy import kur_defaults
from scoring.result import score_application

GOLDEN = Path(__file__).parent / "golden"
APPLICANTS = (0, 2, 9, 31, 47)


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    keep = ("code", "characteristic", "text_id", "text_en")
    return {
        "band": result["band"],
        "reasons": [{k: r[k] for k in keep} for r in result["reasons"]],
        "positive_factors": [{k: r[k] for k in keep} for r in result["positive_factors"]],
    }


def _files() -> list[Path]:
    return sorted(GOLDEN.glob("*.json"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_reasons_match_the_golden_file(bundle: ModelBundle, path: Path) -> None:
    golden = json.loads(path.read_text(encoding="utf-8"))
    result = score_application(bundle, golden["payload"], kur_defaults()).to_dict()
    assert _summary(result) == golden["expected"]


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_adverse_ranking_agrees_with_shaps_own_tree_shap(bundle: ModelBundle, path: Path) -> None:
    shap = pytest.importorskip("shap")
    golden = json.loads(path.read_text(encoding="utf-8"))
    X = compute_features(parse_application(golden["payload"])).values
    explainer = shap.TreeExplainer(bundle.booster)
    explainer.model.model_type = "internal"  # shap's C TreeSHAP, not LightGBM's pred_contrib
    phi = np.asarray(explainer.shap_values(X, check_additivity=False))[0]
    sums: dict[str, float] = {}
    for k, f in enumerate(FEATURES):
        sums[f.characteristic] = sums.get(f.characteristic, 0.0) + float(phi[k])
    ranked = [c for c, v in sorted(sums.items(), key=lambda kv: -kv[1]) if v > 0.01][:4]
    # the primary check: what the code says now, against shap's own values
    result = score_application(bundle, golden["payload"], kur_defaults()).to_dict()
    assert [r["characteristic"] for r in result["reasons"]] == ranked
    # and the golden file was written by code that agreed with shap too
    assert [r["characteristic"] for r in golden["expected"]["reasons"]] == ranked


def test_goldens_exist() -> None:
    assert len(_files()) == len(APPLICANTS)


def write_goldens() -> None:
    """Rewrite the golden files from the fixtures population and the demo model."""
    from fixtures import generate_population
    from fixtures.payloads import application_payload
    from scoring.model import load_bundle

    bundle = load_bundle(Path(__file__).resolve().parents[2] / "fixtures" / "demo_model")
    pop = generate_population(600, seed=11)
    GOLDEN.mkdir(exist_ok=True)
    for i in APPLICANTS:
        payload = application_payload(pop, i)
        result = score_application(bundle, payload, kur_defaults()).to_dict()
        text = json.dumps(
            {"payload": payload, "expected": _summary(result)},
            indent=1,
            ensure_ascii=False,
            sort_keys=True,
        )
        (GOLDEN / f"applicant_{i:03d}.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_goldens()
