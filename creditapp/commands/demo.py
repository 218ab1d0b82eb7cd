"""``seed-demo``: KUR programs, demo lenders, the demo model and a synthetic population.

Idempotent: each part is loaded only when it is missing, so ``make run`` can run it on
every start. Applications go through the same intake and scoring path as the API.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from ..cli import command_session
from ..models import Enterprise, Lender, ProgramLenderQuota
from ..services import access, applications, models, programs
from ..services.audit import Actor

DEMO_MODEL_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "demo_model"
DEMO_LENDERS = (
    ("BANK-DEMO", "Bank Demo Nusantara", "bank"),
    ("KSP-DEMO", "Koperasi Simpan Pinjam Demo", "cooperative"),
)
PROGRAMS_FROM = date(2023, 1, 1)


def ensure_lenders(session: Session, actor: Actor) -> list[Lender]:
    """Create the demo lenders and their quotas unless they exist."""
    lenders = []
    for code, name, kind in DEMO_LENDERS:
        lender = session.scalar(select(Lender).where(Lender.code == code))
        if lender is None:
            lender = access.create_lender(session, actor, code, name, kind)
        lenders.append(lender)
    for program in programs.active_programs(session, date.max, lenders[0].id):
        for lender in lenders:
            exists = session.scalar(
                select(ProgramLenderQuota).where(
                    ProgramLenderQuota.program_id == program.program.id,
                    ProgramLenderQuota.lender_id == lender.id,
                )
            )
            if exists is None and program.program.quota_total:
                session.add(
                    ProgramLenderQuota(
                        program_id=program.program.id,
                        lender_id=lender.id,
                        quota=program.program.quota_total // 4,
                    )
                )
    session.flush()
    return lenders


def ensure_demo_model(session: Session, actor: Actor, model_dir: Path) -> str:
    """Install the demo bundle into MODEL_DIR, register it, and promote it if no champion."""
    from scoring.bundle import load_bundle

    bundle = load_bundle(DEMO_MODEL_DIR)
    target = model_dir / bundle.name / bundle.version
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{bundle.version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(DEMO_MODEL_DIR, tmp)
        tmp.rename(target)  # atomic: a reader never sees half a bundle
    version = models.register(session, actor, target)
    if models.champion(session) is None:
        models.promote(session, actor, version.name, version.version)
    return f"{version.name} {version.version}"


def load_population(
    session: Session, actor: Actor, lenders: list[Lender], n: int, seed: int
) -> int:
    """Submit every synthetic application through the real intake path."""
    from fixtures import generate_population
    from fixtures.payloads import application_payload

    pop = generate_population(n, seed)
    for i in tqdm(range(pop.n), desc="applications", unit="app"):
        payload = application_payload(pop, i)
        lender = lenders[i % len(lenders)]
        applications.submit(
            session, actor, lender.id, payload, as_of=date.fromisoformat(payload["as_of"])
        )
        if i % 100 == 99:
            # Flushed rows stay in the transaction; dropping them from the identity map keeps
            # each flush from re-scanning thousands of objects (one commit at the end).
            session.flush()
            session.expunge_all()
    return pop.n


@click.command("seed-demo")
@click.option("--enterprises", "n", default=2000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=42, show_default=True)
@with_appcontext
def seed_demo(n: int, seed: int) -> None:
    """Load KUR programs, demo lenders, the demo model and a population (idempotent)."""
    actor = Actor.system()
    with command_session() as session:
        created = programs.seed_kur_programs(session, actor, PROGRAMS_FROM)
        click.echo(f"programs: {len(created)} created")
        lenders = ensure_lenders(session, actor)
        click.echo(f"lenders: {', '.join(lender.code for lender in lenders)}")
        model = ensure_demo_model(session, actor, Path(current_app.config["MODEL_DIR"]))
        click.echo(f"model: {model}")
    with command_session() as session:
        have = session.scalar(
            select(func.count(Enterprise.id)).where(
                Enterprise.lender_id.in_([lender.id for lender in lenders])
            )
        )
        if have:
            click.echo(f"population: already loaded ({have} enterprises)")
            return
        loaded = load_population(session, actor, lenders, n, seed)
        click.echo(f"population: {loaded} applications scored and stored")


@click.command("sample-application")
@click.option("--index", default=0, show_default=True, type=click.IntRange(0, 199))
@click.option("--seed", default=42, show_default=True)
def sample_application(index: int, seed: int) -> None:
    """Print a realistic application payload (JSON) from the synthetic population."""
    import json

    from fixtures import generate_population
    from fixtures.payloads import application_payload

    click.echo(json.dumps(application_payload(generate_population(200, seed), index), indent=1))
