"""Bad input gives clear errors; typing keeps sentinels and reads only known missing markers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from training.encoding import OTHER_LEVEL, CategoryEncoder
from training.tabular import RESERVED_COLUMNS, TabularDataError, load_tabular


def write(tmp_path: Path, text: str, name: str = "d.csv", bom: bool = False) -> Path:
    p = tmp_path / name
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return p


def test_bom_missing_markers_and_negative_sentinels(tmp_path: Path) -> None:
    p = write(tmp_path, "a,b,c,y\n-2,?,x,1\n-1,NA,y,0\n3,,x,0\n4,5,,1\n", bom=True)
    d = load_tabular(p, "y")
    assert list(d.frame.columns) == ["a", "b", "c"]  # BOM did not stick to the first name
    assert d.frame["a"].tolist() == [-2.0, -1.0, 3.0, 4.0]  # sentinels are data
    assert d.frame["b"].isna().tolist() == [True, True, True, False]
    assert d.frame["a"].dtype == np.float64
    assert isinstance(d.frame["c"].dtype, pd.CategoricalDtype)
    assert d.frame["c"].isna().tolist() == [False, False, False, True]
    assert d.target.tolist() == [1, 0, 0, 1]


def test_parquet_and_positive_value(tmp_path: Path) -> None:
    p = tmp_path / "d.parquet"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "t": ["bad", "good", "ugly"]}).to_parquet(p)
    d = load_tabular(p, "t", positive="bad")
    assert d.target.tolist() == [1, 0, 0]


@pytest.mark.parametrize(
    ("text", "kwargs", "needle"),
    [
        ("a,y\n1,0\n2,1\n", {"target": "nope"}, "target column 'nope' not found"),
        ("a,y\n1,1\n2,1\n", {"target": "y"}, "constant"),
        ("a,y\n1,0\n2,1\n3,2\n", {"target": "y"}, "pass --positive"),
        ("a,y\n1,A\n2,B\n", {"target": "y"}, "pass --positive"),
        ("a,y\n1,A\n2,B\n", {"target": "y", "positive": "C"}, "does not occur"),
        ("__fold__,y\n1,0\n2,1\n", {"target": "y"}, "reserved"),
        ("a,y\n1,0\n2,1\n", {"target": "y", "exclude": ["zz"]}, "not found"),
    ],
)
def test_bad_input_is_named(
    tmp_path: Path, text: str, kwargs: dict[str, object], needle: str
) -> None:
    p = write(tmp_path, text)
    with pytest.raises(TabularDataError, match=needle):
        load_tabular(p, **kwargs)  # type: ignore[arg-type]


def test_unparseable_and_absent_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(TabularDataError, match="cannot parse"):
        load_tabular(bad, "y")
    with pytest.raises(TabularDataError, match="file not found"):
        load_tabular(tmp_path / "missing.csv", "y")
    empty = write(tmp_path, "", name="empty.csv")
    with pytest.raises(TabularDataError, match="cannot parse"):
        load_tabular(empty, "y")


def test_reserved_names_cover_the_bookkeeping_columns() -> None:
    assert {"__target__", "__fold__", "__weight__"} <= set(RESERVED_COLUMNS)


def test_encoder_groups_rare_levels_and_maps_unseen_to_missing() -> None:
    train = pd.DataFrame({"c": ["a"] * 12 + ["b"] * 11 + ["r1", "r2"], "x": np.arange(25.0)})
    enc = CategoryEncoder(min_level_count=10).fit(train)
    assert enc.levels["c"] == ["a", "b", OTHER_LEVEL]
    new = pd.DataFrame({"c": ["a", "b", "r1", "never-seen", None], "x": [1.0] * 5})
    codes = enc.transform(new)[:, 0]
    assert codes[:3].tolist() == [0.0, 1.0, 2.0]
    assert np.isnan(codes[3]) and np.isnan(codes[4])
    again = CategoryEncoder.from_dict(enc.to_dict())
    np.testing.assert_array_equal(again.transform(new), enc.transform(new))
