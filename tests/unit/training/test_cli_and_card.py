"""The CLI contract (last line JSON, exit 2 on bad input) and the self-contained model card."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from training.__main__ import main


@pytest.fixture()
def small_csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 500
    x1 = rng.normal(size=n)
    cat = rng.choice(list("abc"), size=n)
    logit = -0.5 + 1.5 * x1 + (cat == "a")
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "row": np.arange(n),
            "x1": x1,
            "x2": rng.normal(size=n),
            "cat": cat,
            "gender": rng.choice(["F", "M"], size=n),
            "outcome": np.where(y, "bad", "good"),
        }
    )
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    return path


def last_json(text: str) -> dict[str, object]:
    line = text.strip().splitlines()[-1]
    parsed = json.loads(line)
    assert isinstance(parsed, dict)
    return parsed


def test_evaluate_csv_prints_json_last(small_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "evaluate-csv",
            str(small_csv),
            "--target",
            "outcome",
            "--positive",
            "bad",
            "--id",
            "row",
            "--cv",
            "3",
            "--seed",
            "1",
        ]
    )
    out = last_json(capsys.readouterr().out)
    assert code == 0
    folds = out["folds"]
    assert isinstance(folds, list) and len(folds) == 3
    assert abs(float(np.mean(folds)) - float(out["auc_mean"])) < 1e-5  # type: ignore[arg-type]
    for key in ("auc_std", "gini_mean", "ks_mean", "brier_mean", "challenger_auc_mean"):
        assert key in out
    low, mid, high = (float(out[k]) for k in ("auc_ci_low", "auc_mean", "auc_ci_high"))  # type: ignore[arg-type]
    assert low < mid < high and high - low < 0.3
    assert out["rows"] == 500 and out["features"] == 4  # row id dropped
    assert 0.6 < float(out["auc_mean"]) < 1.0  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--target", "missing_col"], "not found"),
        (["--target", "cat"], "pass --positive"),
        (["--target", "outcome", "--positive", "nope"], "does not occur"),
    ],
)
def test_bad_input_exits_2(
    small_csv: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code = main(["evaluate-csv", str(small_csv), *args])
    captured = capsys.readouterr()
    assert code == 2
    assert needle in captured.err
    assert needle in str(last_json(captured.out)["error"])


def test_train_csv_writes_a_self_contained_card(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code = main(
        [
            "train-csv",
            str(small_csv),
            "--target",
            "outcome",
            "--positive",
            "bad",
            "--id",
            "row",
            "--exclude",
            "gender",
            "--group",
            "gender",
            "--out",
            str(out_dir),
        ]
    )
    assert code == 0
    result = last_json(capsys.readouterr().out)
    assert 0.5 < float(result["auc"]) <= 1.0  # type: ignore[arg-type]
    html = (out_dir / "model_card.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", html)  # nothing to fetch: opens offline
    assert "<link" not in html and "<script" not in html
    images = re.findall(r'<img[^>]*src="([^"]*)"', html)
    # ROC, calibration, scores, importance, beeswarm (no monotone features: no PDP here)
    assert len(images) == 5 and all(s.startswith("data:image/png;base64,") for s in images)
    md = (out_dir / "model_card.md").read_text(encoding="utf-8")
    assert "Fairness by gender" in html and "Intended use and limits" in html
    # a holdout this small (about 48 bads) is flagged at the top of the card
    assert "fewer than 50" in html.split("<h2>")[0]
    assert re.search(r"95% interval 0\.\d{4} - [01]\.\d{4}", html)
    # counts are integers and rates percentages (the first score band: count, bads, bad rate)
    assert re.search(r"<td>&lt; 520</td><td>\d+</td><td>\d+</td><td>\d{1,3}\.\d\d%</td>", html)
    assert "| bin | count | predicted | observed |\n|---|---|---|---|\n| 1 | 10 | " in md
    assert "## Calibration by decile" in md and "| metric | value |" in md
    prep = json.loads((out_dir / "preprocessing.json").read_text())
    assert prep["calibration"]["method"] == "platt"
    assert "gender" not in prep["encoder"]["columns"] and "row" not in prep["encoder"]["columns"]
    # Same run again: the card text is the same apart from the images.
    out2 = tmp_path / "out2"
    main(
        [
            "train-csv",
            str(small_csv),
            "--target",
            "outcome",
            "--positive",
            "bad",
            "--id",
            "row",
            "--exclude",
            "gender",
            "--group",
            "gender",
            "--out",
            str(out2),
        ]
    )
    html2 = (out2 / "model_card.html").read_text(encoding="utf-8")

    def strip(h: str) -> str:
        return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", h)

    assert strip(html) == strip(html2)
    assert (out_dir / "model.txt").read_text() == (out2 / "model.txt").read_text()
