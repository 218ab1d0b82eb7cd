"""Each alternative-data table is declared once; everything that reads or writes it agrees."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
from sqlalchemy import BigInteger, Date, Float, Integer, String

from creditapp.models import altdata
from scoring.input_tables import EVENT_TABLES, MEMBERSHIP, PROFILE
from scoring.raw import Profiles, RawBatch


def test_every_raw_table_is_declared_with_exactly_its_fields() -> None:
    raw_tables = [f.name for f in fields(RawBatch) if f.name not in ("n", "profiles")]
    assert [t.name for t in EVENT_TABLES] == raw_tables
    for t in EVENT_TABLES:
        raw_fields = [f.name for f in fields(t.raw_class) if f.name != "app"]
        assert [c.field for c in t.columns] == raw_fields, t.name
    assert [name for name, _ in PROFILE] == [f.name for f in fields(Profiles)]


def test_stored_columns_are_the_declared_ones_and_nothing_else() -> None:
    expected_types = {"day": Date, "month": Date, "ratio": Float, "code": String}
    for t in EVENT_TABLES:
        table = altdata.MODELS[t.name].__table__
        assert table.name == t.stored_in
        declared = {c.stored_as for c in t.columns} | {x.stored_as for x in t.texts}
        assert set(table.columns.keys()) == declared | {"id", f"{t.parent}_id"}, t.name
        for c in t.columns:
            col = table.columns[c.stored_as]
            assert col.nullable == c.nullable, (t.name, c.key)
            want = (
                (BigInteger if c.money else Integer) if c.kind == "int" else expected_types[c.kind]
            )
            assert type(col.type) is want, (t.name, c.key)
            if c.kind == "code":
                assert col.type.length >= max(map(len, c.codes)), (t.name, c.key)
    membership = altdata.CooperativeMembership.__table__
    assert set(membership.columns.keys()) == {
        "id",
        "application_id",
        MEMBERSHIP.since.stored_as,
        MEMBERSHIP.texts[0].stored_as,
    }


def test_code_checks_name_every_declared_code() -> None:
    for t in EVENT_TABLES:
        checks = {
            c.name: str(c.sqltext)
            for c in altdata.MODELS[t.name].__table__.constraints
            if c.__class__.__name__ == "CheckConstraint"
        }
        for c in t.columns:
            if c.kind == "code":
                (text,) = [v for k, v in checks.items() if k.endswith(f"{c.stored_as}_allowed")]
                assert all(f"'{code}'" in text for code in c.codes), text


def test_caps_fit_the_raw_dtype() -> None:
    for t in EVENT_TABLES:
        for c in t.columns:
            if c.kind == "int":
                assert 0 < c.maximum <= np.iinfo(c.dtype).max, (t.name, c.key)


def test_readme_states_every_cap() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    for t in EVENT_TABLES:
        for c in t.columns:
            if c.kind == "int":
                row = f"`{t.payload_path}[].{c.key}`"
                line = next((ln for ln in readme.splitlines() if ln.startswith(f"| {row}")), "")
                assert f"{int(c.maximum):,}".replace(",", ".") in line, (row, line)
