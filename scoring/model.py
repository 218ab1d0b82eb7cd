"""A loaded model bundle: margin -> calibrated PD -> score points -> risk band.

Predictions always run with ``num_threads=1`` on float64 numpy (see DESIGN.md: a pandas row or
the default thread count on a busy 2-core box costs 100x). Calibration is Platt scaling on the
raw margin (two floats fitted by training on a held-out split): it is monotone, so it never
reorders applicants, and it keeps the PD a smooth function of the margin, which recourse needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from scoring.bundle import BundleError, read_verified
from scoring.treeshap import TreeShap

F64 = NDArray[np.float64]
PD_FLOOR = 1e-6  # keeps log-odds finite; no applicant is that safe anyway


@dataclass(frozen=True)
class Band:
    """A risk band: applicants with PD <= ``pd_max`` (and above the previous band)."""

    band: str
    pd_max: float
    expected_bad_rate: float


@dataclass(frozen=True)
class ModelBundle:
    """A verified model bundle ready to score (build it with ``scoring.model.load_bundle``)."""

    path: Path
    manifest: dict[str, Any] = field(repr=False)  # hundreds of kB with its PSI baselines
    booster: lgb.Booster
    bands: tuple[Band, ...]
    # Tabulated exact contributions; None when the model needs LightGBM's own pred_contrib.
    shap: TreeShap | None

    @classmethod
    def from_parts(cls, path: Path, manifest: dict[str, Any], model_text: str) -> ModelBundle:
        """Build from a verified manifest and model text (``load_bundle`` calls this)."""
        booster = lgb.Booster(model_str=model_text)
        if tuple(booster.feature_name()) != tuple(manifest["feature_names"]):
            raise BundleError(f"{path}: model.txt features differ from the manifest")
        bands = tuple(
            Band(str(b["band"]), float(b["pd_max"]), float(b["expected_bad_rate"]))
            for b in manifest["bands"]
        )
        return cls(path, manifest, booster, bands, TreeShap.for_booster(booster))

    @property
    def name(self) -> str:
        """Model name from the manifest."""
        return str(self.manifest["name"])

    @property
    def version(self) -> str:
        """Model version from the manifest."""
        return str(self.manifest["version"])

    def margin(self, X: F64) -> F64:
        """Return the raw log-odds margin of each row of a float64 feature matrix."""
        out = self.booster.predict(_as_matrix(X), raw_score=True, num_threads=1)
        return np.asarray(out, dtype=np.float64)

    def pd_from_margin(self, margin: F64) -> F64:
        """Return the calibrated probability of default for raw margins (Platt scaling)."""
        cal = self.manifest["calibration"]
        z = float(cal["a"]) * margin + float(cal["b"])
        pd: F64 = np.clip(expit(z), PD_FLOOR, 1.0 - PD_FLOOR)
        return pd

    def pd(self, X: F64) -> F64:
        """Return the calibrated probability of default of each row."""
        return self.pd_from_margin(self.margin(X))

    def score(self, pd: F64) -> F64:
        """Return score points by points-to-double-odds scaling of good:bad odds.

        ``score = base_points + pdo / ln 2 * ln(odds / base_odds)`` with odds = (1 - pd) / pd:
        600 points at 50:1 and 20 more points each time the odds double, by default.
        """
        s = self.manifest["score_scaling"]
        factor = float(s["pdo"]) / math.log(2.0)
        odds = (1.0 - pd) / pd
        return np.asarray(
            float(s["base_points"]) + factor * (np.log(odds) - math.log(float(s["base_odds"]))),
            dtype=np.float64,
        )

    def band_index(self, pd: F64) -> NDArray[np.intp]:
        """Return the index into ``bands`` of each PD (0 = best band)."""
        bounds = np.array([b.pd_max for b in self.bands])
        return np.minimum(np.searchsorted(bounds, pd, side="left"), len(bounds) - 1)

    def band(self, pd: F64) -> list[Band]:
        """Return the band of each PD."""
        return [self.bands[i] for i in self.band_index(pd)]


def _as_matrix(X: F64) -> F64:
    arr = np.asarray(X, dtype=np.float64)
    return arr.reshape(1, -1) if arr.ndim == 1 else arr


def load_bundle(directory: Path | str) -> ModelBundle:
    """Load and verify a bundle.

    Args:
        directory: the bundle folder.

    Returns:
        The ready-to-score model.

    Raises:
        BundleError: missing file, tampered file, unknown feature spec version, other features.
    """
    manifest, model_text = read_verified(directory)
    return ModelBundle.from_parts(Path(directory), manifest, model_text)
