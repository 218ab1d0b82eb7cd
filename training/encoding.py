"""Feature frame -> float64 matrix, with categories as integer codes LightGBM splits on natively.

Fitted on training rows only. A categorical level seen fewer than ``min_level_count`` times is
grouped into one "other" level (high-cardinality columns such as bank or city names otherwise
give LightGBM hundreds of tiny groups to overfit); a level never seen in training becomes
missing. The encoder is plain data (lists of strings), so it can be stored as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

OTHER_LEVEL = "__other__"


@dataclass
class CategoryEncoder:
    """Map a feature frame to a float64 matrix (numeric as is, categories as codes).

    Args:
        min_level_count: levels rarer than this in the training rows are grouped as "other"
            (a bad rate read off fewer than ~30 rows is mostly noise: with 10, one default
            moves it by 10 points; 30 rather than 10 raised SBA's 5-fold AUC 0.8928 -> 0.8934).
        max_levels: at most this many levels per column are kept (the most frequent).
    """

    min_level_count: int = 30
    max_levels: int = 200
    columns: list[str] = field(default_factory=list)
    levels: dict[str, list[str]] = field(default_factory=dict)
    rare: dict[str, list[str]] = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        """Whether :meth:`fit` has run."""
        return bool(self.columns)

    @property
    def categorical_indices(self) -> list[int]:
        """Positions of the categorical columns in the matrix."""
        return [i for i, c in enumerate(self.columns) if c in self.levels]

    def fit(self, frame: pd.DataFrame) -> CategoryEncoder:
        """Learn the column order and the kept levels of each categorical column.

        Args:
            frame: training rows; ``category``/object columns are treated as categorical.

        Returns:
            self.
        """
        self.columns = [str(c) for c in frame.columns]
        self.levels = {}
        self.rare = {}
        for col in self.columns:
            s = frame[col]
            if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
                continue
            counts = s.astype(str).where(s.notna()).value_counts(dropna=True)
            # Sort by count then name so ties do not depend on hash order.
            ordered = sorted(counts.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
            kept = [str(k) for k, n in ordered if n >= self.min_level_count][: self.max_levels]
            self.levels[col] = sorted(kept) + [OTHER_LEVEL]
            kept_set = set(kept)
            self.rare[col] = sorted(str(k) for k, _ in ordered if str(k) not in kept_set)
        return self

    def transform(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Encode rows with the fitted columns and levels.

        Args:
            frame: rows with (at least) the fitted columns.

        Returns:
            float64 matrix; categorical codes are 0..k (k = "other"), NaN for missing/unseen.
        """
        if not self.fitted:
            raise RuntimeError("CategoryEncoder.transform called before fit")
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise KeyError(f"columns missing from the data: {missing}")
        out = np.empty((len(frame), len(self.columns)), dtype=np.float64)
        for j, col in enumerate(self.columns):
            s = frame[col]
            if col not in self.levels:
                out[:, j] = s.to_numpy(dtype=np.float64, na_value=np.nan)
                continue
            out[:, j] = self._codes(s, self.levels[col], self.rare[col])
        return out

    def fit_transform(self, frame: pd.DataFrame) -> NDArray[np.float64]:
        """Fit on ``frame`` and encode it."""
        return self.fit(frame).transform(frame)

    @staticmethod
    def _codes(s: pd.Series, levels: list[str], rare: list[str]) -> NDArray[np.float64]:
        text = s.astype(str).where(s.notna())
        kept = levels[:-1]
        codes = (
            pd.Index(kept, dtype=object)
            .get_indexer(pd.Index(text.astype(object)))
            .astype(np.float64)
        )
        codes[codes < 0] = np.nan
        # Rare training levels share the "other" code; levels never seen stay missing, so a
        # new bank or city at predict time is treated like an unknown one, not a rare one.
        is_rare = text.isin(rare).to_numpy()
        codes[is_rare] = float(len(kept))
        return codes

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable description."""
        return {
            "min_level_count": self.min_level_count,
            "max_levels": self.max_levels,
            "columns": list(self.columns),
            "levels": {k: list(v) for k, v in self.levels.items()},
            "rare": {k: list(v) for k, v in self.rare.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CategoryEncoder:
        """Rebuild an encoder from :meth:`to_dict` output."""
        return cls(
            min_level_count=int(data["min_level_count"]),
            max_levels=int(data["max_levels"]),
            columns=[str(c) for c in data["columns"]],
            levels={str(k): [str(x) for x in v] for k, v in data["levels"].items()},
            rare={str(k): [str(x) for x in v] for k, v in data["rare"].items()},
        )
