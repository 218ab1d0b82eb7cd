"""Bundles: written atomically, verified on load, refused when tampered or inconsistent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scoring.bundle import (
    MANIFEST_FILE,
    MODEL_FILE,
    BundleError,
    read_verified,
    sha256_file,
    write_bundle,
)
from scoring.feature_spec import FEATURE_NAMES, FEATURE_SPEC_VERSION
from scoring.model import load_bundle
from tests.unit.scoring.conftest import DEMO_MODEL


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(DEMO_MODEL, target)
    return target


def _manifest(path: Path) -> dict[str, object]:
    return json.loads((path / MANIFEST_FILE).read_text())  # type: ignore[no-any-return]


def test_demo_bundle_hashes_match_and_it_loads() -> None:
    manifest = _manifest(DEMO_MODEL)
    import hashlib

    digest = hashlib.sha256((DEMO_MODEL / MODEL_FILE).read_bytes()).hexdigest()
    assert manifest["files"] == {MODEL_FILE: digest}
    assert manifest["feature_spec_version"] == FEATURE_SPEC_VERSION
    bundle = load_bundle(DEMO_MODEL)
    assert tuple(bundle.booster.feature_name()) == FEATURE_NAMES
    assert sum(p.stat().st_size for p in DEMO_MODEL.iterdir()) < 3_000_000


def test_tampered_model_is_refused(copy: Path) -> None:
    with (copy / MODEL_FILE).open("a") as f:
        f.write("\n")
    with pytest.raises(BundleError, match="sha256"):
        load_bundle(copy)


def test_missing_model_is_refused(copy: Path) -> None:
    (copy / MODEL_FILE).unlink()
    with pytest.raises(BundleError, match="missing"):
        load_bundle(copy)


def test_missing_manifest_is_refused(copy: Path) -> None:
    (copy / MANIFEST_FILE).unlink()
    with pytest.raises(BundleError, match="missing"):
        load_bundle(copy)


def test_unlisted_file_is_refused(copy: Path) -> None:
    (copy / "extra.pkl").write_bytes(b"x")
    with pytest.raises(BundleError, match="not in the manifest"):
        load_bundle(copy)


def _rewrite(copy: Path, **changes: object) -> None:
    m = _manifest(copy)
    m.update(changes)
    (copy / MANIFEST_FILE).write_text(json.dumps(m))


def test_unknown_feature_spec_version_is_refused(copy: Path) -> None:
    _rewrite(copy, feature_spec_version="imk-features-0")
    with pytest.raises(BundleError, match="feature spec"):
        load_bundle(copy)


def test_other_feature_list_is_refused(copy: Path) -> None:
    _rewrite(copy, feature_names=list(FEATURE_NAMES[::-1]))
    with pytest.raises(BundleError, match="feature names"):
        load_bundle(copy)


def test_write_then_load_round_trip_and_immutability(tmp_path: Path) -> None:
    manifest, text = read_verified(DEMO_MODEL)
    fields = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    out = write_bundle(tmp_path / "v2", text, fields)
    assert sha256_file(out / MODEL_FILE) == manifest["files"][MODEL_FILE]
    assert load_bundle(out).version == manifest["version"]
    assert [p.name for p in tmp_path.iterdir()] == ["v2"]  # no temporary folder left behind
    with pytest.raises(BundleError, match="immutable"):
        write_bundle(tmp_path / "v2", text, fields)


def test_inconsistent_manifest_is_not_written(tmp_path: Path) -> None:
    manifest, text = read_verified(DEMO_MODEL)
    fields = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    fields["bands"] = [{"band": "A", "pd_max": 0.5, "expected_bad_rate": 0.1}]
    with pytest.raises(BundleError, match="bands"):
        write_bundle(tmp_path / "bad", text, fields)
    assert not any(tmp_path.iterdir())
