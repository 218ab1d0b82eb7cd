"""Model bundle format: a folder with ``model.txt`` (LightGBM text) and ``manifest.json``.

The manifest states everything needed to reproduce a score: feature spec version and names,
monotone constraints, calibration, score scaling, band table, metrics, training-data hash,
library versions and the sha256 of every other file. No pickle anywhere: a bundle is text a
reviewer can read. Bundles are immutable: ``write_bundle`` refuses to overwrite a folder, and
writes into a temporary sibling that is renamed into place, so a reader never sees half a bundle.

Manifest fields (``write_bundle`` checks them, ``scoring.model.load_bundle`` re-checks them)::

    name, version, created            # created: the caller's timestamp, never the clock here
    feature_spec_version, feature_names, monotone_constraints
    calibration: {"method": "platt", "a": float, "b": float}    # pd = 1 / (1 + exp(-(a m + b)))
    score_scaling: {"base_points": 600, "base_odds": 50, "pdo": 20}
    bands: [{"band": "A", "pd_max": 0.02, "expected_bad_rate": 0.012}, ..., {"band": "E",
            "pd_max": 1.0, ...}]                                   # ascending pd_max
    metrics: {...}, training_data_hash: str, library_versions: {...}
    files: {"model.txt": sha256}                                   # added by write_bundle
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scoring.feature_spec import FEATURE_NAMES, FEATURE_SPEC_VERSION, MONOTONE_CONSTRAINTS

MODEL_FILE = "model.txt"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
REQUIRED_FIELDS: tuple[str, ...] = (
    "name",
    "version",
    "created",
    "feature_spec_version",
    "feature_names",
    "monotone_constraints",
    "calibration",
    "score_scaling",
    "bands",
    "metrics",
    "training_data_hash",
    "library_versions",
)


class BundleError(Exception):
    """A bundle that must not be used: missing, tampered or built for another feature spec."""


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_manifest(manifest: Mapping[str, Any]) -> None:
    """Raise ``BundleError`` unless the manifest matches this code's feature spec and format.

    Args:
        manifest: the parsed manifest (with or without ``files``).
    """
    missing = [f for f in REQUIRED_FIELDS if f not in manifest]
    if missing:
        raise BundleError(f"manifest lacks {', '.join(missing)}")
    if manifest["feature_spec_version"] != FEATURE_SPEC_VERSION:
        raise BundleError(
            f"bundle was built for feature spec {manifest['feature_spec_version']!r}, "
            f"this code computes {FEATURE_SPEC_VERSION!r}"
        )
    if tuple(manifest["feature_names"]) != FEATURE_NAMES:
        raise BundleError("bundle feature names differ from the feature spec")
    if tuple(manifest["monotone_constraints"]) != MONOTONE_CONSTRAINTS:
        raise BundleError("bundle monotone constraints differ from the feature spec")
    cal = manifest["calibration"]
    if not isinstance(cal, Mapping) or cal.get("method") != "platt":
        raise BundleError("calibration must be {'method': 'platt', 'a': float, 'b': float}")
    if not all(isinstance(cal.get(k), int | float) for k in ("a", "b")) or cal["a"] <= 0:
        raise BundleError("platt calibration needs floats a > 0 and b")
    scaling = manifest["score_scaling"]
    if not all(
        isinstance(scaling.get(k), int | float) for k in ("base_points", "base_odds", "pdo")
    ):
        raise BundleError("score_scaling needs base_points, base_odds and pdo")
    bands = manifest["bands"]
    bounds = [b.get("pd_max") for b in bands] if isinstance(bands, list) else []
    if not bounds or bounds != sorted(bounds) or bounds[-1] != 1.0:
        raise BundleError("bands must have ascending pd_max ending at 1.0")


def write_bundle(
    directory: Path | str, booster_text: str, manifest_fields: Mapping[str, Any]
) -> Path:
    """Write a bundle atomically and return its path.

    Args:
        directory: the bundle folder to create; it must not exist yet (bundles are immutable).
        booster_text: ``booster.model_to_string()``.
        manifest_fields: every field of ``REQUIRED_FIELDS`` (``files`` is computed here).

    Returns:
        The path of the written bundle.

    Raises:
        BundleError: when the folder exists or the manifest is inconsistent.
    """
    target = Path(directory)
    if target.exists():
        raise BundleError(f"{target} exists; bundles are immutable, write a new version")
    manifest = dict(manifest_fields)
    check_manifest(manifest)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (tmp / MODEL_FILE).write_text(booster_text, encoding="utf-8")
        manifest["format"] = FORMAT_VERSION
        manifest["files"] = {MODEL_FILE: sha256_file(tmp / MODEL_FILE)}
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (tmp / MANIFEST_FILE).write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o755)
        os.rename(tmp, target)  # atomic on one filesystem; fails if target appeared meanwhile
    except BaseException:
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
        raise
    return target


def read_verified(directory: Path | str) -> tuple[dict[str, Any], str]:
    """Return (manifest, model text) after checking files, hashes and the feature spec.

    Args:
        directory: the bundle folder.

    Returns:
        The manifest and the LightGBM model text.

    Raises:
        BundleError: missing file, unlisted file, hash mismatch or spec mismatch.
    """
    folder = Path(directory)
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise BundleError(f"{folder}: {MANIFEST_FILE} is missing")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{manifest_path}: not valid JSON ({exc})") from exc
    files = manifest.get("files")
    if not isinstance(files, dict) or MODEL_FILE not in files:
        raise BundleError(f"{manifest_path}: 'files' must list {MODEL_FILE} with its sha256")
    present = {p.name for p in folder.iterdir() if p.name != MANIFEST_FILE}
    unlisted = present - set(files)
    if unlisted:
        raise BundleError(f"{folder}: files not in the manifest: {', '.join(sorted(unlisted))}")
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise BundleError(f"{folder}: {name} is missing")
        if sha256_file(path) != digest:
            raise BundleError(f"{folder}: {name} does not match its sha256 (tampered or corrupt)")
    check_manifest(manifest)
    return manifest, (folder / MODEL_FILE).read_text(encoding="utf-8")
