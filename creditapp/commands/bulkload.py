"""Bulk-load a synthetic population straight from its numpy columns (no ORM object per row).

``load_population_bulk`` writes enterprises, applications (status ``submitted``, no score
records), their alternative data and the enterprises' size observations. Each table is built
once as a polars frame from the population's arrays, then written:

- PostgreSQL: ``COPY ... FROM STDIN (FORMAT csv)`` through psycopg, the CSV produced by
  polars in chunks of ``COPY_CHUNK`` rows;
- SQLite (and anything else): SQLAlchemy Core ``executemany`` in batches of ``BATCH_ROWS``.

Ids come from the database. Rows other tables point to (enterprises, applications,
cooperative memberships) get their ids up front: on PostgreSQL one ``nextval`` per row of the
table's own sequence (``SELECT nextval(...) FROM generate_series(1, n)``), so concurrent
writers can never collide; on SQLite, which lets one writer at a time into the database, the
block after ``max(id)``. Leaf tables (transactions and the like) take their ids from the
column default during the load.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import click
import numpy as np
import polars as pl
from flask.cli import with_appcontext
from numpy.typing import NDArray
from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session

from scoring.input_tables import EVENT_TABLES, MEMBERSHIP, InputColumn

from ..models import Application, CooperativeMembership, Enterprise, SizeObservation
from ..models.altdata import MODELS

BATCH_ROWS = 10_000
COPY_CHUNK = 500_000
SIZE_CLASSES = ("micro", "small", "medium")
SIZE_SOURCES = ("application", "follow_up")


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _days(values: NDArray[Any]) -> pl.Series:
    """Day numbers as a polars Date column; negative numbers (``-1``: none) become null."""
    days = np.asarray(values, dtype=np.int32)
    return pl.Series(days).cast(pl.Date).scatter(np.flatnonzero(days < 0), None)


def _months(values: NDArray[Any]) -> pl.Series:
    """Month numbers (``year * 12 + month - 1``) as the first day of each month."""
    m = np.asarray(values, dtype=np.int64)
    first = (m // 12 - 1970) * 12 + m % 12
    return pl.Series(first.astype("datetime64[M]").astype("datetime64[D]").astype(np.int32)).cast(
        pl.Date
    )


def _codes(values: NDArray[Any], names: tuple[str, ...]) -> NDArray[np.str_]:
    out: NDArray[np.str_] = np.asarray(names)[np.asarray(values, dtype=np.int64)]
    return out


def _stored(column: InputColumn, values: NDArray[Any]) -> Any:
    """One raw column as the database stores it."""
    if column.kind == "day":
        return _days(values)
    if column.kind == "month":
        return _months(values)
    if column.kind == "code":
        return _codes(values, column.codes)
    if column.nullable:  # a ratio: NaN (no rating yet) is NULL
        return pl.Series(values, nan_to_null=True)
    return values


def _connection(target: Session | Connection) -> Connection:
    return target.connection() if isinstance(target, Session) else target


def _reserve_ids(conn: Connection, table: Table, n: int) -> NDArray[np.int64]:
    """Ids for ``n`` new rows of ``table`` (see the module docstring)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n},
        ).scalars()
        return np.fromiter(rows, dtype=np.int64, count=n)
    start = int(conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1
    return np.arange(start, start + n, dtype=np.int64)


def _write(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Write ``frame`` (columns named as ``table``'s) into ``table``; return the row count."""
    if frame.height == 0:
        return 0
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]  # psycopg here, never None
        cols = ", ".join(frame.columns)
        with cursor.copy(f"COPY {table.name} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            for chunk in frame.iter_slices(COPY_CHUNK):
                buffer = io.BytesIO()
                chunk.write_csv(buffer, include_header=False)
                copy.write(buffer.getvalue())
    else:
        for chunk in frame.iter_slices(BATCH_ROWS):
            conn.execute(insert(table), chunk.to_dicts())
    return frame.height


def load_population_bulk(
    target: Session | Connection,
    pop: Any,
    lender_ids: list[int],
    program_ids: dict[str, int],
) -> dict[str, int]:
    """Write a population's enterprises, applications and alternative data in bulk.

    Args:
        target: a session or connection; the caller commits.
        pop: a ``fixtures.Population``.
        lender_ids: enterprise ``i`` goes to ``lender_ids[i % len(lender_ids)]``.
        program_ids: program code (``KUR-MIKRO`` ...) -> ``credit_programs.id``.

    Returns:
        Rows written per table name.
    """
    conn = _connection(target)
    e, a, raw = pop.enterprises, pop.applications, pop.raw
    n = int(pop.n)
    now = datetime.now(UTC)  # created_at is a timestamp of the load, not business logic
    lender = np.asarray(lender_ids, dtype=np.int64)[np.arange(n) % len(lender_ids)]
    ent_ids = _reserve_ids(conn, _table(Enterprise), n)
    app_ids = _reserve_ids(conn, _table(Application), n)
    counts: dict[str, int] = {}
    p = raw.profiles

    def put(model: Any, columns: dict[str, Any]) -> None:
        table = _table(model)
        counts[table.name] = _write(conn, table, pl.DataFrame(columns))

    ref = np.char.add("SYN-", e.enterprise_id.astype(str))
    put(
        Enterprise,
        {
            "id": ent_ids,
            "lender_id": lender,
            "reference": ref,
            "name": e.name,
            "owner_name": e.owner_name,
            **_nik_columns(e.owner_nik),
            "owner_gender": np.where(e.owner_female, "F", "M"),
            "kbli": e.kbli,
            "kbli_division": e.kbli_division,
            "province": e.province.astype(str),
            "regency": e.regency.astype(str),
            "founded_on": _days(e.founded),
            "workers": p.workers,
            "assets": p.assets,
            "annual_sales": p.annual_sales,
            "other_productive_credit": p.other_productive_credit,
            "entrepreneurship_training": p.entrepreneurship_training,
            "kur_access_count": p.kur_access_count,
            "created_at": pl.Series([now] * n),
        },
    )
    program = np.array([program_ids[str(code)] for code in a.program], dtype=np.int64)
    put(
        Application,
        {
            "id": app_ids,
            "lender_id": lender,
            "enterprise_id": ent_ids,
            "program_id": program,
            "reference": ref,
            "applied_on": _days(a.applied),
            "requested_amount": a.requested_amount,
            "tenor_months": a.tenor_months,
            "purpose": a.purpose,
            "status": np.full(n, "submitted"),
            "created_at": pl.Series([now] * n),
            # the profile each application submitted: what training sets read back
            "profile_founded_on": _days(p.founded),
            "profile_kbli_division": p.kbli_division,
            "profile_province": p.province,
            "profile_workers": p.workers,
            "profile_assets": p.assets,
            "profile_annual_sales": p.annual_sales,
            "profile_other_productive_credit": p.other_productive_credit,
            "profile_entrepreneurship_training": p.entrepreneurship_training,
            "profile_kur_access_count": p.kur_access_count,
        },
    )
    members = np.flatnonzero(p.coop_member_since >= 0)
    membership = np.full(n, -1, dtype=np.int64)
    membership[members] = _reserve_ids(conn, _table(CooperativeMembership), members.size)
    put(
        CooperativeMembership,
        {
            "id": membership[members],
            "application_id": app_ids[members],
            MEMBERSHIP.since.stored_as: _days(p.coop_member_since[members]),
        },
    )
    parent_ids = {"application": app_ids, "membership": membership}
    for table in EVENT_TABLES:
        rows = getattr(raw, table.name)
        frame = {f"{table.parent}_id": parent_ids[table.parent][rows.app]}
        for c in table.columns:
            frame[c.stored_as] = _stored(c, getattr(rows, c.field))
        put(MODELS[table.name], frame)
    so = pop.size_observations
    put(
        SizeObservation,
        {
            "enterprise_id": ent_ids[so.enterprise_id - 1],
            "observed_on": _days(so.observed),
            "source": _codes(so.stage, SIZE_SOURCES),
            "annual_sales": so.annual_sales,
            "workers": so.workers,
            "size_class_sales": _codes(so.size_class_sales, SIZE_CLASSES),
            "size_class_workers": _codes(so.size_class_workers, SIZE_CLASSES),
        },
    )
    return counts


@click.command("load-population")
@click.option("--enterprises", "n", default=10_000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=7, show_default=True)
@with_appcontext
def load_population(n: int, seed: int) -> None:
    """Bulk-load a synthetic population (applications unscored) for the demo lenders."""
    from fixtures import generate_population

    from ..models import CreditProgram, Lender
    from .demo_lenders import DEMO_LENDERS
    from .session import command_session

    with command_session() as session:
        codes = [code for code, _name, _kind in DEMO_LENDERS]
        lenders = list(session.scalars(select(Lender.id).where(Lender.code.in_(codes))))
        found = session.execute(select(CreditProgram.code, CreditProgram.id))
        programs = {code: program_id for code, program_id in found}
        if not lenders or not programs:
            raise click.ClickException("run seed-demo first: it creates the programs and lenders")
        pop = generate_population(n, seed)
        counts = load_population_bulk(session, pop, sorted(lenders), programs)
    for table, rows in counts.items():
        click.echo(f"{table}: {rows} rows")


def _nik_columns(niks: Any) -> dict[str, list[str]]:
    """NIKs as the model stores them: encrypted and keyed-hashed (creditapp.pii)."""
    from ..pii import cipher

    c = cipher()
    return {
        "owner_nik_enc": [c.encrypt(str(n)) for n in niks],
        "owner_nik_hash": [c.hash(str(n)) for n in niks],
    }
