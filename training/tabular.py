"""Generic tabular data: read a CSV or Parquet file into a feature frame and a binary target.

The reader is deliberately conservative: only known missing markers (``?``, empty, ``NA``...)
become missing. Negative sentinels such as Taiwan's ``PAY_0 = -2`` are real data and stay
as they are. Numeric columns stay float64 (LightGBM is invariant to monotone transforms, so
nothing is log-scaled); every other column becomes a pandas ``category``. Categories are
turned into integer codes by :class:`training.encoding.CategoryEncoder`, fitted on training
rows only, so rare and unseen levels are handled the same way in every fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

# Names the pipeline uses for its own bookkeeping columns; a user column with one of these
# names would be silently overwritten, so it is refused instead.
RESERVED_COLUMNS: tuple[str, ...] = (
    "__target__",
    "__fold__",
    "__weight__",
    "__score__",
    "__pd__",
    "__id__",
    "__date__",
    "__group__",
    "__split__",
)

# Only these strings mean "missing". Numeric sentinels (-1, -2, 999...) are left alone.
MISSING_MARKERS: tuple[str, ...] = ("?", "", "NA", "N/A", "NaN", "nan", "NULL", "null", "None")


class TabularDataError(ValueError):
    """The input file cannot be used as given; the message names the problem."""


@dataclass(frozen=True)
class TabularData:
    """Features and a 0/1 target read from one file.

    Attributes:
        frame: feature columns only; numeric as float64, the rest as pandas ``category``.
        target: 1 for the positive (bad) class, 0 otherwise.
        dates: day numbers (days since 1970-01-01) of the date column, or None.
        ids: the id column as strings, or None.
        numeric: names of the numeric feature columns.
        categorical: names of the categorical feature columns.
        groups: reporting-only columns (e.g. owner gender) as strings, for fairness tables.
        description: facts about the data for the model card.
    """

    frame: pd.DataFrame
    target: NDArray[np.int8]
    dates: NDArray[np.float64] | None
    ids: NDArray[np.str_] | None
    numeric: list[str]
    categorical: list[str]
    groups: dict[str, NDArray[np.str_]] = field(default_factory=dict)
    description: dict[str, object] = field(default_factory=dict)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (UTF-8, with or without a BOM) or Parquet file.

    Args:
        path: the file; ``.parquet``/``.pq`` are read as Parquet, everything else as CSV.

    Returns:
        The raw frame, with missing markers read as NaN.

    Raises:
        TabularDataError: the file is absent, empty or cannot be parsed.
    """
    p = Path(path)
    if not p.is_file():
        raise TabularDataError(f"file not found: {p}")
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(p)
        else:
            frame = pd.read_csv(
                p,
                encoding="utf-8-sig",
                na_values=list(MISSING_MARKERS),
                keep_default_na=False,
                low_memory=False,
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise TabularDataError(f"cannot parse {p.name}: {exc}") from exc
    except Exception as exc:  # pyarrow raises its own hierarchy for a broken Parquet file
        raise TabularDataError(f"cannot parse {p.name}: {exc}") from exc
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise TabularDataError(f"cannot parse {p.name}: no rows or no columns")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def binary_target(column: pd.Series, positive: str | None) -> NDArray[np.int8]:
    """Turn a target column into 0/1, with 1 for ``positive``.

    Args:
        column: the target values, without missing entries.
        positive: the value meaning "bad"; optional when the values are 0/1 or booleans.

    Returns:
        int8 array of 0 and 1.

    Raises:
        TabularDataError: constant target, more than two values without ``positive``,
            two values other than 0/1 without ``positive``, or ``positive`` not present.
    """
    values = column.unique()
    name = column.name
    if len(values) < 2:
        raise TabularDataError(f"target column {name!r} is constant ({values[:1].tolist()})")
    if positive is not None:
        as_text = column.astype(str).str.strip()
        hits = as_text == positive.strip()
        if not hits.any() and pd.api.types.is_numeric_dtype(column):
            try:
                hits = column == float(positive)
            except ValueError:
                pass
        if not hits.any():
            shown = sorted(map(str, values))[:10]
            raise TabularDataError(
                f"--positive {positive!r} does not occur in target {name!r} (values: {shown})"
            )
        if hits.all():
            raise TabularDataError(f"target column {name!r} is constant: every row is positive")
        return np.asarray(hits.to_numpy(), dtype=np.int8)
    if len(values) > 2:
        shown = sorted(map(str, values))[:10]
        raise TabularDataError(
            f"target column {name!r} has {len(values)} values {shown}: "
            "pass --positive VALUE to say which one is the bad outcome"
        )
    if pd.api.types.is_bool_dtype(column):
        return column.to_numpy(dtype=np.int8)
    if pd.api.types.is_numeric_dtype(column) and set(float(v) for v in values) == {0.0, 1.0}:
        return np.asarray((column == 1).to_numpy(), dtype=np.int8)
    raise TabularDataError(
        f"target column {name!r} has values {sorted(map(str, values))}: "
        "pass --positive VALUE to say which one is the bad outcome"
    )


def load_tabular(
    path: str | Path,
    target: str,
    positive: str | None = None,
    exclude: Sequence[str] = (),
    id_column: str | None = None,
    date_column: str | None = None,
    group_columns: Sequence[str] = (),
) -> TabularData:
    """Read a file and split it into features, target, dates and ids.

    Args:
        path: CSV or Parquet file.
        target: name of the target column.
        positive: target value meaning "bad" (see :func:`binary_target`).
        exclude: columns never used as features (leaks, row ids, free text).
        id_column: optional row id, kept aside and dropped from the features.
        date_column: optional date, used for out-of-time splits and dropped from the features.
        group_columns: columns kept aside for fairness reporting (they stay features unless
            also excluded).

    Returns:
        The parsed :class:`TabularData`.

    Raises:
        TabularDataError: with a message naming the problem.
    """
    return frame_to_tabular(
        read_table(path),
        target,
        positive,
        exclude,
        id_column,
        date_column,
        Path(path).name,
        group_columns,
    )


def frame_to_tabular(
    frame: pd.DataFrame,
    target: str,
    positive: str | None = None,
    exclude: Sequence[str] = (),
    id_column: str | None = None,
    date_column: str | None = None,
    source: str = "frame",
    group_columns: Sequence[str] = (),
) -> TabularData:
    """Same as :func:`load_tabular` for a frame already in memory."""
    reserved = sorted(set(frame.columns) & set(RESERVED_COLUMNS))
    if reserved:
        raise TabularDataError(
            f"column name(s) {reserved} are reserved by the pipeline; rename them"
        )
    named = [("target", target), ("id", id_column), ("date", date_column)]
    named += [("group", g) for g in group_columns]
    for role, col in named:
        if col is not None and col not in frame.columns:
            raise TabularDataError(f"{role} column {col!r} not found in {source}")
    missing_excluded = [c for c in exclude if c not in frame.columns]
    if missing_excluded:
        raise TabularDataError(f"excluded column(s) {missing_excluded} not found in {source}")

    no_target = frame[target].isna().to_numpy()
    if no_target.all():
        raise TabularDataError(f"target column {target!r} is empty")
    frame = frame.loc[~no_target].reset_index(drop=True)
    y = binary_target(frame[target], positive)

    dates: NDArray[np.float64] | None = None
    if date_column is not None:
        parsed = pd.to_datetime(frame[date_column], errors="coerce")
        if parsed.isna().all():
            raise TabularDataError(f"date column {date_column!r} has no parseable dates")
        days = (parsed - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
        dates = np.asarray(days.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    groups = {g: frame[g].astype(str).to_numpy(dtype=np.str_) for g in group_columns}
    ids = None if id_column is None else frame[id_column].astype(str).to_numpy(dtype=np.str_)

    dropped = {target, *exclude, *(c for c in (id_column, date_column) if c is not None)}
    features = frame[[c for c in frame.columns if c not in dropped]]
    if features.shape[1] == 0:
        raise TabularDataError("no feature columns left after exclusions")

    numeric: list[str] = []
    categorical: list[str] = []
    typed: dict[str, pd.Series] = {}
    for col in features.columns:
        s = features[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            typed[col] = s.astype(np.float64)
            numeric.append(col)
        else:
            typed[col] = s.astype(str).where(s.notna()).astype("category")
            categorical.append(col)
    out = pd.DataFrame(typed, index=features.index)
    description: dict[str, object] = {
        "source": source,
        "rows": int(len(out)),
        "rows_without_target": int(no_target.sum()),
        "positives": int(y.sum()),
        "positive_rate": float(y.mean()),
        "numeric_features": len(numeric),
        "categorical_features": len(categorical),
        "excluded": sorted(exclude),
        "target": target,
        "id_column": id_column,
        "date_column": date_column,
        "missing_share": {c: float(out[c].isna().mean()) for c in out.columns},
    }
    return TabularData(out, y, dates, ids, numeric, categorical, groups, description)
