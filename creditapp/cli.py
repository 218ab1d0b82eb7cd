"""Command line: ``creditapp COMMAND`` (or ``flask --app wsgi COMMAND``).

Each command opens one session and commits once at the end, so a failure stores nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from .commands.session import command_session, domain_errors
from .services import access
from .services.audit import Actor

db_cli = AppGroup("db", help="Database schema.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema."""
    from .migrate import upgrade

    url = current_app.config["DATABASE_URL"]
    upgrade(url, revision)
    click.echo(f"database at revision {revision}")


@click.command("create-lender")
@with_appcontext
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["bank", "cooperative", "fintech", "program_office"]))
@domain_errors
def create_lender(code: str, name: str, kind: str) -> None:
    """Register a lender (bank, cooperative, fintech)."""
    with command_session() as session:
        lender = access.create_lender(session, Actor.system(), code, name, kind)
        click.echo(f"lender {lender.code} created (id {lender.id})")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["loan_officer", "program_manager", "data_scientist", "admin"]),
)
@click.option("--lender", "lender_code", help="Lender code (required for loan officers).")
@click.option("--locale", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--senior", is_flag=True, help="A senior loan officer (decides referrals).")
@click.password_option(help="Prompted for when not given.")
@domain_errors
def create_user(
    email: str,
    name: str,
    role: str,
    lender_code: str | None,
    locale: str,
    senior: bool,
    password: str,
) -> None:
    """Create a user who signs in to the web UI."""
    with command_session() as session:
        lender = access.lender_by_code(session, lender_code) if lender_code else None
        user = access.create_user(
            session,
            Actor.system(),
            email=email,
            name=name,
            role=role,
            password=password,
            lender=lender,
            locale=locale,
            senior=senior,
        )
        click.echo(
            f"user {user.email} created with role {user.role}{' (senior)' if senior else ''}"
        )


@click.command("set-senior")
@with_appcontext
@click.option("--email", required=True)
@click.option("--senior/--not-senior", default=True, show_default=True)
@domain_errors
def set_senior(email: str, senior: bool) -> None:
    """Mark a loan officer as senior (decides referred applications), or not; audited."""
    with command_session() as session:
        user = access.set_senior(session, Actor.system(), email, senior)
        click.echo(f"user {user.email} is {'now' if senior else 'no longer'} a senior officer")


@click.command("create-api-key")
@with_appcontext
@click.option("--lender", "lender_code", required=True)
@click.option("--name", required=True, help="What the key is for, e.g. 'core banking'.")
@domain_errors
def create_api_key(lender_code: str, name: str) -> None:
    """Issue an API key for a lender; it is printed once and never stored."""
    with command_session() as session:
        lender = access.lender_by_code(session, lender_code)
        issued = access.issue_api_key(session, Actor.system(), lender, name)
    click.echo(issued.secret)
    click.echo("Store this key now: it is not shown again.", err=True)


@click.command("revoke-api-key")
@with_appcontext
@click.argument("prefix")
@domain_errors
def revoke_api_key(prefix: str) -> None:
    """Revoke an API key by its prefix (the part after 'imk_')."""
    with command_session() as session:
        access.revoke_api_key(session, Actor.system(), prefix, datetime.now(UTC))
    click.echo(f"key {prefix} revoked")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(db_cli)
    from .commands.backup import backup
    from .commands.books import books_cli
    from .commands.bulkload import load_population
    from .commands.demo import sample_application, seed_demo
    from .commands.models import models_cli
    from .commands.programs import programs_cli
    from .commands.provisions import provisions_cli
    from .commands.regulatory import regulatory_cli
    from .commands.reports import reports_cli
    from .commands.training import training_cli

    app.cli.add_command(models_cli)
    app.cli.add_command(training_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(programs_cli)
    app.cli.add_command(provisions_cli)
    app.cli.add_command(regulatory_cli)
    app.cli.add_command(books_cli)
    for cmd in (
        create_lender,
        create_user,
        set_senior,
        create_api_key,
        revoke_api_key,
        seed_demo,
        sample_application,
        load_population,
        backup,
    ):
        app.cli.add_command(cmd)
    from .commands import claims, loans

    loans.init_app(app)
    claims.init_app(app)


def main() -> None:
    """Entry point of the ``creditapp`` console script."""
    from . import create_app

    FlaskGroup(create_app=create_app, help="IMK credit platform.")()
