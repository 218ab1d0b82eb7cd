"""Application payloads carry exactly the RawBatch slice of their enterprise."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures import Population
from fixtures.payloads import application_payload, payloads_for
from scoring.parse import parse_application
from scoring.raw import day_number, from_day_number

_SAMPLE = [0, 1, 17, 333, 1999]


@pytest.mark.parametrize("i", _SAMPLE)
def test_transactions_equal_the_raw_slice(pop: Population, i: int) -> None:
    payload = json.loads(json.dumps(application_payload(pop, i)))  # must be plain JSON
    t = pop.raw.transactions
    rows = t.app == i
    tx = payload["transactions"]
    assert len(tx) == int(rows.sum())
    for direction, flag in (("in", True), ("out", False)):
        total = sum(r["amount"] for r in tx if r["direction"] == direction)
        assert total == int(t.amount[rows & (t.inflow == flag)].sum())
    assert [day_number(__import__("datetime").date.fromisoformat(r["date"])) for r in tx] == [
        int(d) for d in t.day[rows]
    ]
    assert payload["as_of"] == from_day_number(int(pop.raw.profiles.as_of[i])).isoformat()
    assert payload["request"]["amount"] == int(pop.applications.requested_amount[i])


@pytest.mark.parametrize("i", _SAMPLE)
def test_scoring_parser_rebuilds_the_same_raw_rows(pop: Population, i: int) -> None:
    back = parse_application(application_payload(pop, i))
    for name in ("transactions", "marketplace", "savings", "coop_loans", "certifications"):
        ours, theirs = getattr(pop.raw, name), getattr(back, name)
        rows = ours.app == i
        for col in ours.__dataclass_fields__:
            if col == "app":
                continue
            a, b = getattr(ours, col)[rows], getattr(theirs, col)
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), (name, col)
    p, q = pop.raw.profiles, back.profiles
    for col in ("as_of", "founded", "workers", "annual_sales", "coop_member_since"):
        assert getattr(p, col)[i] == getattr(q, col)[0], col


def test_cooperative_null_for_non_members(pop: Population) -> None:
    non = np.flatnonzero(pop.raw.profiles.coop_member_since < 0)[:3]
    for payload in payloads_for(pop, non):
        assert payload["cooperative"] is None
    member = np.flatnonzero(pop.raw.profiles.coop_member_since >= 0)[:3]
    for payload in payloads_for(pop, member):
        assert payload["cooperative"]["member_since"] <= payload["as_of"]
