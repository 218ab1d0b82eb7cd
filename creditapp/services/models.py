"""The model registry: bundles on disk, their standing in the database, the champion.

The serving app asks the database which version is champion on each scoring call (one
indexed row) and keeps loaded bundles in memory by manifest hash, so a promotion is served
by every gunicorn worker on its next request without a restart. A bundle is only ever read
through ``scoring.model.load_bundle``, which refuses a tampered or half-written folder.
"""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoring.bundle import MANIFEST_FILE, BundleError, sha256_file
from scoring.model import ModelBundle, load_bundle

from ..errors import Conflict, DomainError, NotFound, Unavailable
from ..models import ModelVersion
from .audit import Actor, record

_cache: dict[str, ModelBundle] = {}
_cache_lock = threading.Lock()


def champion(session: Session, name: str | None = None) -> ModelVersion | None:
    """Return the champion version (of ``name``, or of any model)."""
    stmt = select(ModelVersion).where(ModelVersion.is_champion)
    if name:
        stmt = stmt.where(ModelVersion.name == name)
    return session.scalars(stmt.order_by(ModelVersion.id.desc())).first()


def bundle_at(name: str, version: str, path: str, manifest_sha256: str) -> ModelBundle:
    """Return the bundle at ``path``, verified against the registry's manifest hash."""
    with _cache_lock:
        cached = _cache.get(manifest_sha256)
    if cached is not None:
        return cached
    label = f"{name} {version}"
    try:
        bundle = load_bundle(path)
        actual = sha256_file(Path(path) / MANIFEST_FILE)
    except (BundleError, OSError) as exc:
        # Never score with a bundle that does not verify: refuse, loudly and clearly.
        raise Unavailable(
            "model bundle failed verification", {"model": [f"{label}: {exc}"]}
        ) from None
    if actual != manifest_sha256:
        raise Unavailable(
            "model bundle changed on disk",
            {"model": [f"the manifest of {label} no longer matches the registry"]},
        )
    with _cache_lock:
        _cache[manifest_sha256] = bundle
    return bundle


def load_champion(session: Session) -> ModelBundle | None:
    """Load the champion bundle into this process's cache; ``None`` when there is none yet.

    Called as a worker boots (``wsgi.py``): loading verifies hashes and tabulates the model's
    contributions (~0.5 s), which should not land on a lender's first request.
    """
    mv = champion(session)
    if mv is None:
        return None
    return bundle_at(mv.name, mv.version, mv.path, mv.manifest_sha256)


def _verified(path: Path | str) -> ModelBundle:
    try:
        return load_bundle(path)
    except (BundleError, OSError) as exc:
        raise DomainError("invalid model bundle", {"bundle": [f"{path}: {exc}"]}) from None


def install_bundle(source: Path, model_dir: Path) -> Path:
    """Copy a verified bundle to ``model_dir/<name>/<version>/`` (no-op if already there).

    The copy goes to a hidden sibling first and is renamed into place, so a worker never
    reads half a bundle.
    """
    loaded = _verified(source)  # refuses a tampered or partial bundle before copying
    target = model_dir / loaded.name / loaded.version
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{loaded.version}.incoming"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(source, tmp)
        tmp.rename(target)
    return target


def register(
    session: Session, actor: Actor, path: Path, trained_on: date | None = None
) -> ModelVersion:
    """Record a bundle folder as a model version (verifying it first)."""
    bundle = _verified(path)
    existing = session.scalar(
        select(ModelVersion).where(
            ModelVersion.name == bundle.name, ModelVersion.version == bundle.version
        )
    )
    manifest_hash = sha256_file(Path(path) / MANIFEST_FILE)
    if existing is not None:
        if existing.manifest_sha256 != manifest_hash:
            raise Conflict(
                "version exists with other content",
                {
                    "version": [
                        f"{bundle.name} {bundle.version} is registered with another manifest"
                    ]
                },
            )
        return existing
    mv = ModelVersion(
        name=bundle.name,
        version=bundle.version,
        path=str(Path(path).resolve()),
        manifest_sha256=manifest_hash,
        feature_spec_version=str(bundle.manifest["feature_spec_version"]),
        metrics=dict(bundle.manifest.get("metrics", {})),
        trained_on=trained_on,
    )
    session.add(mv)
    session.flush()
    record(session, actor, "model.register", "model_version", mv.id, after=_state(mv))
    return mv


def _state(mv: ModelVersion) -> dict[str, object]:
    return {"name": mv.name, "version": mv.version, "status": mv.status, "champion": mv.is_champion}


def promote(session: Session, actor: Actor, name: str, version: str) -> ModelVersion:
    """Make ``version`` the champion of ``name``; the previous champion is retired."""
    target = session.scalar(
        select(ModelVersion)
        .where(ModelVersion.name == name, ModelVersion.version == version)
        .with_for_update()
    )
    if target is None:
        raise NotFound("no such model version", {"version": [f"{name} {version} not registered"]})
    _verified(target.path)  # refuse to promote a bundle that no longer verifies
    previous = champion(session, name)
    if previous is not None and previous.id == target.id:
        return target
    before = _state(previous) if previous else None
    session.execute(
        update(ModelVersion)
        .where(ModelVersion.name == name, ModelVersion.is_champion)
        .values(is_champion=False, status="retired")
    )
    session.flush()
    target.is_champion = True
    target.status = "champion"
    target.promoted_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        actor,
        "model.promote",
        "model_version",
        target.id,
        before=before,
        after=_state(target),
    )
    return target


def previous_champion(session: Session, current: ModelVersion) -> ModelVersion | None:
    """The version a rollback from ``current`` returns to: the one promoted before it."""
    return session.scalars(
        select(ModelVersion)
        .where(
            ModelVersion.name == current.name,
            ModelVersion.id != current.id,
            ModelVersion.promoted_at.is_not(None),
        )
        .order_by(ModelVersion.promoted_at.desc())
    ).first()


def rollback(session: Session, actor: Actor, name: str) -> ModelVersion:
    """Give the champion role back to the version promoted before the current one."""
    current = champion(session, name)
    if current is None:
        raise Conflict("no champion", {"name": [f"{name} has no champion to roll back"]})
    previous = previous_champion(session, current)
    if previous is None:
        raise Conflict("nothing to roll back to", {"name": [f"{name} had no earlier champion"]})
    return promote(session, actor, name, previous.version)
