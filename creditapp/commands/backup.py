"""``creditapp backup --out PATH``: a consistent copy of the database while it serves.

SQLite (the embedded default): SQLite's online backup API copies the live file page by page
under its locks, so the copy is consistent even while gunicorn writes. PostgreSQL:
``pg_dump --format=custom`` (one snapshot), restored with ``pg_restore`` into an empty
database (README, "Backup and restore"). The NIK key (``NIK_KEY`` or instance/nik_key) is
not in the database: back it up separately, or the NIKs in the copy cannot be read.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


def backup_database(url: str, out: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``out``."""
    u = make_url(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    if u.get_backend_name() == "sqlite":
        if not u.database or not Path(u.database).exists():
            raise click.ClickException(f"no SQLite database at {u.database}")
        src = sqlite3.connect(u.database)
        dst = sqlite3.connect(out)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        return
    cmd = [
        "pg_dump", "--format=custom", "--no-owner", "--file", str(out),
        "--host", u.host or "127.0.0.1", "--port", str(u.port or 5432),
        "--username", u.username or "postgres", u.database or "",
    ]  # fmt: skip
    env = {"PGPASSWORD": u.password} if u.password else {}
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(f"pg_dump failed: {done.stderr.strip()}")


@click.command("backup")
@with_appcontext
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write (SQLite: a database file; PostgreSQL: a pg_dump archive).",
)
def backup(out: Path) -> None:
    """Back up the database (while it serves) to one file."""
    backup_database(current_app.config["DATABASE_URL"], out)
    out.chmod(0o600)  # it holds personal data
    click.echo(f"backup written to {out}")
    click.echo("Back up the NIK key (NIK_KEY or instance/nik_key) separately.", err=True)
