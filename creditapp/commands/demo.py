"""``seed-demo``: KUR programs, demo lenders and users, the demo model, a synthetic
population and its loans.

Idempotent: each part is loaded only when it is missing, so ``make run`` can run it on
every start. Applications go through the same intake and scoring path as the API, and the
loans through the loan services (``demo_loans``).
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from ..models import (
    AgeingRun,
    Application,
    Enterprise,
    Lender,
    Loan,
    ProgramLenderQuota,
    ProvisionRun,
    User,
)
from ..services import access, applications, models, programs, provisioning
from ..services.audit import Actor
from ..services.books.chart import seed_chart
from .demo_claims import claims_loaded, ensure_guarantors, load_claims
from .demo_lenders import DEMO_CONTACTS, DEMO_LENDERS
from .demo_loans import (
    DemoLoanLoader,
    build_plans,
    demo_application_ids,
    not_historic,
    pick_loans,
)
from .session import command_session

DEFAULT_AS_OF = date(2026, 10, 31)  # fixtures.population.DEFAULT_AS_OF

DEMO_MODEL_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "demo_model"
# The programs run from 2019 so the historic book's loans (applied 2019-2023) fall inside them.
PROGRAMS_FROM = date(2019, 1, 1)
# Measured on the shared, loaded 2-core box: ~15-25 applications/s through the intake path,
# ~30 repayments/s through post_repayment (about 15 ORM statements each), ~120 historic
# applications/s through the bulk path (scoring with reasons and input hashes included).
# 400 live applications, 250 of their ~330 loans replayed (enough for NPL and PAR to rest on
# more than a couple of loans) and 12,500 historic applications keep the first `make run` on
# SQLite near three minutes.
DEFAULT_ENTERPRISES = 400
DEFAULT_MAX_LOANS = 250
# The live book's applications fall in the 30 months up to the as-of date, so it holds young,
# seasoned and maturing loans; the historic book's 36-84 months before it, so every historic
# loan has its 12-month outcome and has ended (closed or written off) by the as-of date.
LIVE_APPLIED_MONTHS = (30, 0)
HISTORIC_APPLIED_MONTHS = (84, 36)
# ~83% of applications are approved: 12,500 give ~10,400 labelled historic loans.
DEFAULT_HISTORIC = 12_500
HISTORIC_SEED_OFFSET = 1_000  # the historic population's seed: a different population
DEMO_USERS = (
    # (e-mail local part, name, role, index into the demo lenders or None)
    ("officer.bank", "Rina Officer (Bank Demo)", "loan_officer", 0),
    ("checker.bank", "Budi Checker (Bank Demo)", "loan_officer", 0),
    ("officer.ksp", "Sari Officer (KSP Demo)", "loan_officer", 1),
    ("checker.ksp", "Agus Checker (KSP Demo)", "loan_officer", 1),
    ("senior.bank", "Yusuf Senior (Bank Demo)", "loan_officer", 0),
    ("senior.ksp", "Lina Senior (KSP Demo)", "loan_officer", 1),
    ("manager", "Dewi Program Manager", "program_manager", None),
    ("scientist", "Hendra Data Scientist", "data_scientist", None),
    ("admin", "Wati Admin", "admin", None),
)
# Senior loan officers decide the applications other officers refer to them.
DEMO_SENIORS = ("senior.bank", "senior.ksp")
DEMO_USERS_FILE = "demo-users.txt"
# Approvals above this need a second officer of the same lender (four eyes).
DEMO_FOUR_EYES_AMOUNT = 50_000_000
DEMO_EMAIL_DOMAIN = "demo.imk.id"


def ensure_lenders(session: Session, actor: Actor) -> list[Lender]:
    """Create the demo lenders and their annual quotas unless they exist."""
    lenders = []
    for code, name, kind in DEMO_LENDERS:
        lender = session.scalar(select(Lender).where(Lender.code == code))
        if lender is None:
            lender = access.create_lender(session, actor, code, name, kind)
            lender.four_eyes_amount = DEMO_FOUR_EYES_AMOUNT
            lender.contact = DEMO_CONTACTS[code]
        lenders.append(lender)
    # Annual quotas for the live book's years (and the next), each a quarter of the
    # program's total, in the program's own segment.
    years = range(DEFAULT_AS_OF.year - 2, DEFAULT_AS_OF.year + 2)
    for program in programs.active_programs(session, date.max, lenders[0].id):
        for lender in lenders:
            for year in years:
                exists = session.scalar(
                    select(ProgramLenderQuota).where(
                        ProgramLenderQuota.program_id == program.program.id,
                        ProgramLenderQuota.lender_id == lender.id,
                        ProgramLenderQuota.segment == program.program.segment,
                        ProgramLenderQuota.year == year,
                    )
                )
                if exists is None and program.program.quota_total:
                    session.add(
                        ProgramLenderQuota(
                            program_id=program.program.id,
                            lender_id=lender.id,
                            segment=program.program.segment,
                            year=year,
                            quota=program.program.quota_total // 4,
                        )
                    )
    session.flush()
    return lenders


def write_passwords(path: Path, lines: list[str]) -> None:
    """Append new demo users' passwords to ``path``, readable only by its owner (0600).

    Never to stdout or a log: ``make run`` output ends up in terminals and server logs.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)  # an older file created with a wider mode is narrowed too
    with os.fdopen(fd, "a") as f:
        f.writelines(f"{line}\n" for line in lines)


def ensure_users(
    session: Session, actor: Actor, lenders: list[Lender], passwords_file: Path
) -> dict[int, tuple[int, int]]:
    """Create the demo users unless they exist; new passwords go to ``passwords_file``.

    Returns:
        lender id -> (maker's user id, checker's user id): two officers per lender.
    """
    ids: dict[str, int] = {}
    created: list[str] = []
    for local, name, role, lender_index in DEMO_USERS:
        email = f"{local}@{DEMO_EMAIL_DOMAIN}"
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            password = secrets.token_urlsafe(12)  # only its hash is stored
            lender = None if lender_index is None else lenders[lender_index]
            user = access.create_user(
                session,
                actor,
                email=email,
                name=name,
                role=role,
                password=password,
                lender=lender,
                locale="id",
                senior=local in DEMO_SENIORS,
            )
            where = f" {lender.code}" if lender else ""
            where += " senior" if local in DEMO_SENIORS else ""
            created.append(f"{email}\t{password}\t{role}{where}")
        ids[local] = user.id
    if created:
        write_passwords(passwords_file, created)
        click.echo(f"users: {len(created)} created; passwords in {passwords_file} (mode 0600)")
    return {
        lenders[0].id: (ids["officer.bank"], ids["checker.bank"]),
        lenders[1].id: (ids["officer.ksp"], ids["checker.ksp"]),
    }


def ensure_demo_model(session: Session, actor: Actor, model_dir: Path) -> str:
    """Install the demo bundle into MODEL_DIR, register it, and promote it if no champion."""
    target = models.install_bundle(DEMO_MODEL_DIR, model_dir)
    version = models.register(session, actor, target)
    if models.champion(session) is None:
        models.promote(session, actor, version.name, version.version)
    return f"{version.name} {version.version}"


def load_population(session: Session, actor: Actor, lenders: list[Lender], pop: Any) -> int:
    """Submit every synthetic application through the real intake path.

    Application ``i`` goes to ``lenders[i % len(lenders)]``; ids ascend with ``i``.
    """
    from fixtures.payloads import application_payload

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
    return int(pop.n)


def load_loans(
    session: Session,
    actor: Actor,
    lender_ids: list[int],
    users: dict[int, tuple[int, int]],
    pop: Any,
    max_loans: int | None,
) -> None:
    """Replay the population's loans through the loan services and print what happened."""
    application_ids = demo_application_ids(session, lender_ids)
    if len(application_ids) != pop.n:
        click.echo(
            f"loans: skipped: {len(application_ids)} demo applications stored but the "
            f"population has {pop.n} (load the same --enterprises)"
        )
        return
    lender_of = [lender_ids[i % len(lender_ids)] for i in range(pop.n)]
    rows = pick_loans(pop.loans.outcome, max_loans, pop.loans.disbursed)
    plans = build_plans(pop, application_ids, lender_of, users, rows)
    report = DemoLoanLoader(session, actor, pop, pop.as_of).run(plans)
    click.echo(
        f"loans: {report.loans} loans, {report.repayments} repayments posted, "
        f"{report.written_off_by_policy} written off by policy, {report.claims_paid} "
        f"guarantee claims paid, {report.recoveries} recoveries"
    )
    click.echo(f"loans: {sum(report.refused.values())} service refusals")
    for reason, count in sorted(report.refused.items()):
        click.echo(f"  refused {count} x {reason}")
    for reason, count in sorted(report.skipped.items()):
        click.echo(f"  not posted {count} x {reason}")


def load_history(
    session: Session,
    lender_ids: list[int],
    users: dict[int, tuple[int, int]],
    historic: int,
    seed: int,
) -> None:
    """Bulk-load the closed historic book (``bulkload_loans``) and print its row counts."""
    from fixtures import generate_population

    from .bulkload_loans import Officers, load_historic_book

    started = time.perf_counter()
    pop = generate_population(
        historic, seed + HISTORIC_SEED_OFFSET, applied_months=HISTORIC_APPLIED_MONTHS
    )
    officers = {lender: Officers(maker, checker) for lender, (maker, checker) in users.items()}
    counts = load_historic_book(session, pop, lender_ids, officers, pop.as_of)
    click.echo(
        f"history: {counts['applications']} applications scored, {counts['loans']} loans "
        f"closed or written off, {counts['loan_status_history']} month-end status rows, "
        f"{counts['write_offs']} write-offs, {counts['guarantee_claims']} guarantee claims "
        f"({time.perf_counter() - started:.1f} s)"
    )


def provision_month_ends(session: Session, actor: Actor) -> int:
    """Run the loss provisioning at every month end with an ageing run after the last
    provisioning run, oldest first (runs move forward); returns the runs made."""
    last = session.scalar(select(func.max(ProvisionRun.as_of)))
    days = session.scalars(
        select(AgeingRun.as_of)
        .where(AgeingRun.as_of > (last or date.min))
        .order_by(AgeingRun.as_of)
    )
    ends = [d for d in days if provisioning.is_month_end(d)]
    for day in tqdm(ends, desc="provisioning", unit="month"):
        provisioning.run_provisioning(session, day, actor)
    return len(ends)


def historic_loaded(session: Session, lender_ids: list[int]) -> int:
    """Historic applications of the demo lenders already stored."""
    return int(
        session.scalar(
            select(func.count(Application.id)).where(
                Application.lender_id.in_(lender_ids), Application.reference.like("HIST-%")
            )
        )
        or 0
    )


def print_headline(session: Session, as_of: date) -> None:
    """The live portfolio as of the demo date, as a KUR manager reads it."""
    from loanmath.rupiah import format_rupiah

    from ..reports import resolve_scope, run_report

    scope = resolve_scope(session, as_of)
    p = run_report(session, "portfolio", scope)
    # The twelve months up to the as-of date (its month included).
    year_start = (
        date(as_of.year - 1, as_of.month + 1, 1)
        if as_of.month < 12
        else as_of.replace(day=1, month=1)
    )
    w = run_report(session, "write-offs", scope, period_start=year_start)
    g = run_report(session, "guarantee", scope)
    claims = ", ".join(f"{c['claims']} {c['status']}" for c in g["claims"]) or "none"
    click.echo(
        f"portfolio as of {as_of}: {p['loans_active']} active loans, gross "
        f"{format_rupiah(int(p['gross_outstanding']))}; PAR1 {p['par1']:.1%}, "
        f"PAR30 {p['par30']:.1%}, PAR90 {p['par90']:.1%}, NPL {p['npl_ratio']:.1%}"
    )
    click.echo(
        f"  since {year_start}: written off {format_rupiah(int(w['written_off']))} "
        f"(ratio {w['write_off_ratio']:.1%}), recovered {format_rupiah(int(w['recovered']))}; "
        f"all time: written off {format_rupiah(int(w['written_off_total']))}, recovery rate "
        f"{w['recovery_rate']:.1%}; guarantee claims: {claims}"
    )


@click.command("seed-demo")
@click.option(
    "--enterprises", "n", default=DEFAULT_ENTERPRISES, show_default=True, type=click.IntRange(1)
)
@click.option(
    "--max-loans",
    default=DEFAULT_MAX_LOANS,
    show_default=True,
    type=click.IntRange(0),
    help="Loans replayed through the loan services (0: every approved application).",
)
@click.option(
    "--historic",
    default=DEFAULT_HISTORIC,
    show_default=True,
    type=click.IntRange(0),
    help="Applications of the bulk-loaded historic book (0: none).",
)
@click.option("--seed", default=42, show_default=True)
@with_appcontext
def seed_demo(n: int, max_loans: int, historic: int, seed: int) -> None:
    """Load KUR programs, demo lenders and users, the demo model, a live population with its
    loans, and a closed historic book (idempotent: a second run changes nothing)."""
    from fixtures import generate_population

    started = time.perf_counter()
    actor = Actor.system()

    def live() -> Any:
        return generate_population(n, seed, applied_months=LIVE_APPLIED_MONTHS)

    with command_session() as session:
        created = programs.seed_kur_programs(session, actor, PROGRAMS_FROM)
        click.echo(f"programs: {len(created)} created")
        # Before the loans: each loan's guarantee cover opens at its first disbursement.
        made = ensure_guarantors(session, actor, PROGRAMS_FROM)
        click.echo(f"guarantors and IJP rates: {made} created")
        click.echo(f"chart of accounts: {seed_chart(session)} accounts created")
        lenders = ensure_lenders(session, actor)
        click.echo(f"lenders: {', '.join(lender.code for lender in lenders)}")
        passwords_file = Path(
            current_app.config.get("DEMO_USERS_FILE")
            or Path(current_app.instance_path) / DEMO_USERS_FILE
        )
        users = ensure_users(session, actor, lenders, passwords_file)
        model = ensure_demo_model(session, actor, Path(current_app.config["MODEL_DIR"]))
        click.echo(f"model: {model}")
        lender_ids = [lender.id for lender in lenders]
    pop = None
    with command_session() as session:
        have = session.scalar(
            select(func.count(Enterprise.id)).where(
                Enterprise.lender_id.in_(lender_ids), not_historic(Enterprise.reference)
            )
        )
        if have:
            click.echo(f"population: already loaded ({have} enterprises)")
        else:
            pop = live()
            loaded = load_population(session, actor, lenders, pop)
            click.echo(f"population: {loaded} applications scored and stored")
    click.echo(f"  ({time.perf_counter() - started:.1f} s)")
    with command_session() as session:
        loans = session.scalar(
            select(func.count(Loan.id))
            .join(Application, Application.id == Loan.application_id)
            .where(Loan.lender_id.in_(lender_ids), not_historic(Application.reference))
        )
        if loans:
            click.echo(f"loans: already loaded ({loans} loans)")
        else:
            pop = pop or live()
            load_loans(session, actor, lender_ids, users, pop, max_loans or None)
    click.echo(f"  ({time.perf_counter() - started:.1f} s)")
    with command_session() as session:
        stored = historic_loaded(session, lender_ids)
        if stored:
            click.echo(f"history: already loaded ({stored} applications)")
        elif historic:
            load_history(session, lender_ids, users, historic, seed)
    with command_session() as session:
        stored = claims_loaded(session, lender_ids)
        if stored:
            click.echo(f"claims: already loaded ({stored} subsidy claims)")
        else:
            claims_started = time.perf_counter()
            as_of = pop.as_of if pop is not None else DEFAULT_AS_OF
            for line in load_claims(session, actor, lender_ids, as_of):
                click.echo(line)
            click.echo(f"  ({time.perf_counter() - claims_started:.1f} s)")
        step = time.perf_counter()
        runs = provision_month_ends(session, actor)
        click.echo(f"provisions: {runs} month-end runs ({time.perf_counter() - step:.1f} s)")
    with command_session() as session:
        print_headline(session, (pop.as_of if pop is not None else DEFAULT_AS_OF))
    click.echo(f"seed-demo: done in {time.perf_counter() - started:.1f} s")


@click.command("sample-application")
@click.option("--index", default=0, show_default=True, type=click.IntRange(0, 199))
@click.option("--seed", default=42, show_default=True)
def sample_application(index: int, seed: int) -> None:
    """Print a realistic application payload (JSON) from the synthetic population."""
    import json

    from fixtures import generate_population
    from fixtures.payloads import application_payload

    click.echo(json.dumps(application_payload(generate_population(200, seed), index), indent=1))
