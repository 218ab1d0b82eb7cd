"""Parquet files: byte-identical for the same seed, different for another, lossless."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from fixtures import Population, generate_population
from fixtures.__main__ import main
from fixtures.io import read_population, write_population


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _assert_tables_equal(a: Any, b: Any, name: str) -> None:
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype.kind == y.dtype.kind, (name, f.name)
            if x.dtype.kind != "U":
                assert x.dtype == y.dtype, (name, f.name)
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), (name, f.name)
        elif hasattr(x, "__dataclass_fields__"):
            _assert_tables_equal(x, y, f"{name}.{f.name}")
        else:
            assert x == y, (name, f.name)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    write_population(generate_population(500, 5), tmp_path / "a")
    write_population(generate_population(500, 5), tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(a) == 16
    assert a == b


def test_different_seed_different_bytes(tmp_path: Path) -> None:
    write_population(generate_population(500, 5), tmp_path / "a")
    write_population(generate_population(500, 6), tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert all(a[k] != b[k] for k in a if k.endswith(".parquet"))


def test_read_back_equals_written(pop: Population, tmp_path: Path) -> None:
    write_population(pop, tmp_path)
    back = read_population(tmp_path)
    _assert_tables_equal(pop, back, "population")


def test_cli_writes_files_and_prints_summary(tmp_path: Path, capsys: Any) -> None:
    code = main(["generate", "--enterprises", "300", "--seed", "2", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert '"enterprises": 300' in out and "oracle_auc" in out and "graduation_share" in out
    assert (tmp_path / "raw_transactions.parquet").exists()
    assert read_population(tmp_path).n == 300
