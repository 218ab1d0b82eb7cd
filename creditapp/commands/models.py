"""``creditapp models ...``: register, list, promote and roll back model bundles."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..models import ModelVersion
from ..services import models
from ..services.audit import Actor
from .session import command_session, domain_errors

models_cli = AppGroup("models", help="Model registry: register, promote, roll back.")


@models_cli.command("register")
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--trained-on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@domain_errors
def register(bundle: Path, trained_on: datetime | None) -> None:
    """Copy a verified bundle into MODEL_DIR/<name>/<version>/ and record it."""
    target = models.install_bundle(bundle, Path(current_app.config["MODEL_DIR"]))
    day = trained_on.date() if trained_on else None
    with command_session() as session:
        mv = models.register(session, Actor.system(), target, trained_on=day)
        click.echo(f"registered {mv.name} {mv.version} at {mv.path}")


@models_cli.command("list")
def list_versions() -> None:
    """List model versions, champion first."""
    with command_session() as session:
        rows = session.scalars(
            select(ModelVersion).order_by(ModelVersion.is_champion.desc(), ModelVersion.id.desc())
        ).all()
        for mv in rows:
            auc = mv.metrics.get("auc") or mv.metrics.get("holdout_auc")
            mark = "*" if mv.is_champion else " "
            click.echo(f"{mark} {mv.name:16} {mv.version:28} {mv.status:10} auc={auc}")


@models_cli.command("promote")
@click.argument("name")
@click.argument("version")
@domain_errors
def promote(name: str, version: str) -> None:
    """Make VERSION the champion of NAME (audited; served without a restart)."""
    with command_session() as session:
        mv = models.promote(session, Actor.system(), name, version)
        click.echo(f"champion: {mv.name} {mv.version}")


@models_cli.command("rollback")
@click.argument("name")
@domain_errors
def rollback(name: str) -> None:
    """Give the champion role back to the version promoted before the current one."""
    with command_session() as session:
        mv = models.rollback(session, Actor.system(), name)
        click.echo(f"champion: {mv.name} {mv.version}")


@models_cli.command("show")
@click.argument("name")
@click.argument("version")
@domain_errors
def show(name: str, version: str) -> None:
    """Print a version's registry record and metrics as JSON."""
    with command_session() as session:
        mv = session.scalar(
            select(ModelVersion).where(ModelVersion.name == name, ModelVersion.version == version)
        )
        if mv is None:
            raise click.ClickException(f"{name} {version} is not registered")
        trained = mv.trained_on.isoformat() if isinstance(mv.trained_on, date) else None
        out = {"name": mv.name, "version": mv.version, "status": mv.status,
               "champion": mv.is_champion, "path": mv.path, "metrics": mv.metrics,
               "trained_on": trained}  # fmt: skip
        click.echo(json.dumps(out, indent=2, sort_keys=True))
