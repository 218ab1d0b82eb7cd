"""A training set as ``build-dataset`` writes it: read from Parquet, checked, as numpy arrays.

Layout: ``application_id``, ``applied_on`` (date), ``owner_gender``, ``province`` (fairness
tables only, never features), ``bad`` (0/1), then the features in
``scoring.feature_spec.FEATURE_NAMES`` order; key-value metadata ``imk.*`` records how it was
built. Every refusal is a :class:`~training.errors.TrainingInputError` naming the field and
the counts, so a notebook, the CLI and the web pages report the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from scoring.feature_spec import FEATURE_NAMES, FEATURE_SPEC_VERSION
from training.errors import TrainingInputError

ID_COLUMNS = ("application_id", "applied_on", "owner_gender", "province")
TARGET = "bad"
MIN_ROWS, MIN_PER_CLASS = 30, 5
HOLDOUT_FRACTION = 0.2
MIN_OOT_SPAN_DAYS = 180  # below this, "latest 20%" is not a meaningfully later period
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True, eq=False)
class Dataset:
    """A checked training set: features ``x``, outcomes ``y`` and the columns beside them."""

    path: Path
    meta: dict[str, str]
    x: NDArray[np.float64]
    y: NDArray[np.int8]
    ids: NDArray[np.int64]
    days: NDArray[np.float64]  # applied_on as days since 1970-01-01
    gender: NDArray[np.object_]
    province: NDArray[np.object_]

    @classmethod
    def read(cls, path: Path) -> Dataset:
        """Read and check the Parquet file at ``path``.

        Raises:
            TrainingInputError: unreadable file, missing columns, another feature spec, or a
                target that is null or not 0/1.
        """
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowInvalid) as exc:
            raise TrainingInputError("dataset", f"cannot read dataset {path}: {exc}") from None
        return cls.from_table(table, path)

    @classmethod
    def from_table(cls, table: pa.Table, path: Path) -> Dataset:
        """Check an Arrow table in the dataset layout (``path`` names it in messages)."""
        meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
        missing = [c for c in (*ID_COLUMNS, *FEATURE_NAMES) if c not in table.column_names]
        if TARGET not in table.column_names:
            raise TrainingInputError(
                TARGET, f"{path}: no target column {TARGET!r} (0 = good, 1 = bad)"
            )
        if missing:
            raise TrainingInputError("columns", f"{path}: missing columns {', '.join(missing[:8])}")
        spec = meta.get("imk.feature_spec_version", FEATURE_SPEC_VERSION)
        if spec != FEATURE_SPEC_VERSION:
            raise TrainingInputError(
                "feature_spec_version",
                f"{path}: built for feature spec {spec!r}, "
                f"this code computes {FEATURE_SPEC_VERSION!r}",
            )
        target = table.column(TARGET)
        if target.null_count:
            raise TrainingInputError(
                TARGET, f"{path}: target {TARGET!r} has {target.null_count} nulls"
            )
        y = np.asarray(target.to_numpy(), dtype=np.float64)
        if not np.isin(y, (0.0, 1.0)).all():
            raise TrainingInputError(TARGET, f"{path}: target {TARGET!r} must be 0 or 1")
        x = (
            np.column_stack(
                [
                    np.asarray(table.column(n).to_numpy(zero_copy_only=False), np.float64)
                    for n in FEATURE_NAMES
                ]
            )
            if len(y)
            else np.zeros((0, len(FEATURE_NAMES)))
        )
        applied = table.column("applied_on").to_numpy().astype("datetime64[D]")
        return cls(
            path=path,
            meta=meta,
            x=x,
            y=y.astype(np.int8),
            ids=np.asarray(table.column("application_id").to_numpy(), dtype=np.int64),
            days=applied.astype(np.int64).astype(np.float64),
            gender=np.asarray(table.column("owner_gender").to_pylist(), dtype=object),
            province=np.asarray(table.column("province").to_pylist(), dtype=object),
        )

    def check_trainable(self) -> None:
        """Refuse data a model cannot learn from, naming the counts.

        Raises:
            TrainingInputError: a constant target, or fewer than ``MIN_ROWS`` rows or
                ``MIN_PER_CLASS`` of either class.
        """
        n, bads = len(self.y), int(self.y.sum())
        if n and bads in (0, n):
            raise TrainingInputError(
                TARGET,
                f"{self.path}: target {TARGET!r} is constant ({bads} bad of {n}): nothing to learn",
            )
        if n < MIN_ROWS or min(bads, n - bads) < MIN_PER_CLASS:
            raise TrainingInputError(
                "rows",
                f"{self.path}: {n} rows with {bads} bad; training needs at least {MIN_ROWS} "
                f"rows and {MIN_PER_CLASS} of each class",
            )

    def split(self, seed: int) -> tuple[NDArray[np.int64], NDArray[np.int64], str]:
        """(train rows, holdout rows, how): out-of-time on the applied date when it spans
        at least ``MIN_OOT_SPAN_DAYS``, else stratified (also when the latest rows hold one
        class only). ``train --seed S`` holds out exactly ``split(S)[1]``."""
        from training.train import validation_split

        span = float(self.days.max() - self.days.min()) if len(self.days) else 0.0
        dates = self.days if span >= MIN_OOT_SPAN_DAYS else None
        train, test = validation_split(self.y, dates, HOLDOUT_FRACTION, seed=seed + 1)
        oot = dates is not None and self.days[test].min() >= self.days[train].max()
        return train, test, "out-of-time" if oot else "stratified"

    def rows(self, row_set: str, seed: int) -> NDArray[np.int64]:
        """The row indices of ``"holdout"`` (what ``train --seed`` held out) or ``"all"``."""
        if row_set == "holdout":
            return self.split(seed)[1]
        if row_set == "all":
            return np.arange(len(self.y), dtype=np.int64)
        raise TrainingInputError("rows", f"rows must be 'holdout' or 'all', not {row_set!r}")

    @property
    def as_of(self) -> date:
        """The dataset's as-of date (metadata), else its latest application date."""
        if "imk.as_of" in self.meta:
            return date.fromisoformat(self.meta["imk.as_of"])
        return date.fromordinal(int(self.days.max()) + EPOCH_ORDINAL)


def read_dataset(path: Path) -> Dataset:
    """Read and check a dataset file; see :meth:`Dataset.read`."""
    return Dataset.read(path)
