"""A throwaway PostgreSQL database for one benchmark run, migrated, dropped afterwards.

``BENCH_DATABASE_URL`` names the server (default: the local one, user postgres); its database
is used only as admin to create ``<prefix>_<pid>`` and to drop it again, even on failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from creditapp.db import make_engine
from creditapp.migrate import upgrade

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def throwaway_database(prefix: str) -> Iterator[Engine]:
    """Create and migrate a fresh database; yield its engine; drop it on the way out."""
    admin_url = make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    name = f"{prefix}_{os.getpid()}"
    admin = make_engine(admin_url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        yield engine
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
