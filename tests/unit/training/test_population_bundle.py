"""train-population writes a bundle scoring.load_bundle accepts and that scores like the model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fixtures import generate_population
from scoring.features import compute_features
from scoring.model import load_bundle
from training.__main__ import main


@pytest.mark.slow
def test_train_population_bundle_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle"
    assert main(["train-population", "--n", "3000", "--seed", "5", "--out", str(out)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    bundle = load_bundle(out)  # checks hashes, feature spec and calibration shape
    assert bundle.manifest["calibration"]["method"] == "platt"
    assert (tmp_path / "bundle_card" / "model_card.html").is_file()
    # Scoring the same enterprises through the bundle gives PDs the model's metrics describe.
    pop = generate_population(3000, 5)
    pd = bundle.pd(compute_features(pop.raw).values)
    assert np.all((pd > 0) & (pd < 1))
    assert abs(float(pd.mean()) - float(pop.defaulted.mean())) < 0.03
    assert result["auc"] > 0.6
    # A second bundle into the same folder is refused: bundles are immutable.
    assert main(["train-population", "--n", "3000", "--seed", "5", "--out", str(out)]) == 2
