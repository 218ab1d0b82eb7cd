"""training.dataset: the checks name the field and the counts; the split is the train split."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scoring.feature_spec import FEATURE_NAMES, FEATURE_SPEC_VERSION
from training.dataset import Dataset
from training.errors import TrainingInputError

START = date(2025, 1, 1)


def table(
    bad: list[int | None], span_days: int = 365, meta: dict[str, str] | None = None
) -> pa.Table:
    """Rows applied evenly over ``span_days`` (row i later than row i - 1), features i + j."""
    n = len(bad)
    step = span_days / max(n - 1, 1)
    cols: dict[str, object] = {
        "application_id": pa.array(range(100, 100 + n), pa.int64()),
        "applied_on": pa.array([START + timedelta(days=int(i * step)) for i in range(n)]),
        "owner_gender": ["F" if i % 2 else "M" for i in range(n)],
        "province": ["Jawa Barat"] * n,
        "bad": pa.array(bad, pa.int8()),
    }
    cols.update(
        {f: pa.array([float(i + j) for i in range(n)]) for j, f in enumerate(FEATURE_NAMES)}
    )
    return pa.table(cols).replace_schema_metadata(meta or {})


def outcomes(n: int, bads: int) -> list[int | None]:
    """Every (n // bads)-th row bad, the rest good."""
    step = n // bads
    return [1 if i % step == 0 and i // step < bads else 0 for i in range(n)]


def refusal(tbl: pa.Table) -> TrainingInputError:
    with pytest.raises(TrainingInputError) as info:
        Dataset.from_table(tbl, Path("d.parquet")).check_trainable()
    assert isinstance(info.value, ValueError)  # callers catching ValueError keep working
    return info.value


def test_a_good_table_reads_as_arrays() -> None:
    data = Dataset.from_table(table(outcomes(50, 10)), Path("d.parquet"))
    assert data.x.shape == (50, len(FEATURE_NAMES)) and data.x.dtype == np.float64
    assert data.x[7, 3] == 10.0  # row 7, feature 3: 7 + 3
    assert data.y.sum() == 10 and data.y.dtype == np.int8
    assert data.ids[0] == 100 and data.gender[1] == "F"
    assert data.days[0] == (START - date(1970, 1, 1)).days
    data.check_trainable()
    assert data.as_of == START + timedelta(days=365)  # no metadata: the latest application
    dated = Dataset.from_table(
        table(outcomes(50, 10), meta={"imk.as_of": "2026-10-31"}), Path("d.parquet")
    )
    assert dated.as_of == date(2026, 10, 31)


def test_read_round_trips_a_file_and_names_an_unreadable_one(tmp_path: Path) -> None:
    path = tmp_path / "ok.parquet"
    pq.write_table(table(outcomes(40, 8)), path)
    assert Dataset.read(path).y.sum() == 8
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet")
    with pytest.raises(TrainingInputError) as info:
        Dataset.read(junk)
    assert info.value.field == "dataset" and "cannot read dataset" in str(info.value)


def test_each_bad_table_is_refused_naming_field_and_counts() -> None:
    good = table(outcomes(40, 8))
    err = refusal(good.drop_columns(["bad"]))
    assert err.field == "bad" and "no target column 'bad'" in err.message
    err = refusal(good.drop_columns([FEATURE_NAMES[5], "province"]))
    assert err.field == "columns" and "province" in err.message and FEATURE_NAMES[5] in err.message
    err = refusal(table(outcomes(40, 8), meta={"imk.feature_spec_version": "imk-features-0"}))
    assert err.field == "feature_spec_version" and FEATURE_SPEC_VERSION in err.message
    err = refusal(table([None, None, 1] + [0] * 37))
    assert err.field == "bad" and "has 2 nulls" in err.message
    err = refusal(table([2] + [0] * 39))
    assert err.field == "bad" and "must be 0 or 1" in err.message
    err = refusal(table([0] * 40))
    assert err.field == "bad" and "constant (0 bad of 40)" in err.message
    err = refusal(table(outcomes(29, 6)))
    assert err.field == "rows" and "29 rows with 6 bad" in err.message
    err = refusal(table(outcomes(60, 4)))  # enough rows, too few bads
    assert err.field == "rows" and "60 rows with 4 bad" in err.message


def test_a_long_period_splits_out_of_time_the_latest_fifth() -> None:
    data = Dataset.from_table(table(outcomes(100, 20), span_days=400), Path("d.parquet"))
    train, holdout, how = data.split(seed=42)
    assert how == "out-of-time"
    assert holdout.tolist() == list(range(80, 100))  # rows are in date order: the last 20
    assert sorted(train.tolist() + holdout.tolist()) == list(range(100))
    assert data.rows("holdout", 42).tolist() == holdout.tolist()
    assert data.rows("all", 42).tolist() == list(range(100))


def test_a_short_period_splits_stratified() -> None:
    data = Dataset.from_table(table(outcomes(100, 20), span_days=90), Path("d.parquet"))
    _, holdout, how = data.split(seed=42)
    assert how == "stratified"
    assert len(holdout) == 20 and int(data.y[holdout].sum()) == 4  # a fifth of each class
    assert data.split(seed=42)[1].tolist() == holdout.tolist()  # same seed, same rows


def test_an_unknown_row_set_is_named() -> None:
    data = Dataset.from_table(table(outcomes(40, 8)), Path("d.parquet"))
    with pytest.raises(TrainingInputError) as info:
        data.rows("latest", 42)
    assert info.value.field == "rows"
