"""scoring.parse: valid payloads become the same raw rows; every bad field is named."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from fixtures import Population
from fixtures.payloads import application_payload
from scoring.input_tables import MAX_TRANSACTIONS
from scoring.parse import (
    InvalidApplication,
    parse_application,
    parse_applications,
    parse_payload,
)
from scoring.parsed_application import stack
from scoring.raw import day_number
from scoring.raw_ops import take_rows
from tests.unit.scoring.sample import AS_OF, make_payload


def _assert_same_batch(a: Any, b: Any) -> None:
    assert a.n == b.n
    for table in (
        "profiles",
        "transactions",
        "marketplace",
        "savings",
        "coop_loans",
        "certifications",
        "partnerships",
        "exports",
    ):
        ta, tb = getattr(a, table), getattr(b, table)
        for name in ta.__dataclass_fields__:
            x, y = getattr(ta, name), getattr(tb, name)
            assert x.dtype == y.dtype, (table, name)
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), (table, name)


def test_payload_of_population_row_parses_to_that_row(population: Population) -> None:
    for i in (0, 5, 77, 599):
        parsed = parse_application(application_payload(population, i))
        _assert_same_batch(parsed, take_rows(population.raw, [i]))


def test_many_payloads_parse_to_the_rows_in_order(population: Population) -> None:
    rows = [3, 1, 40, 2]
    parsed = parse_applications([application_payload(population, i) for i in rows])
    _assert_same_batch(parsed, take_rows(population.raw, rows))


def test_scalar_fields_are_read_exactly() -> None:
    p = make_payload(4)
    b = parse_application(p)
    assert b.profiles.as_of[0] == day_number(AS_OF)
    assert b.profiles.requested_amount[0] == p["request"]["amount"]
    assert b.transactions.amount.sum() == sum(t["amount"] for t in p["transactions"])
    assert b.transactions.inflow.sum() == sum(t["direction"] == "in" for t in p["transactions"])


def _errors(mutate: Any, seed: int = 1) -> dict[str, list[str]]:
    p = make_payload(seed)
    mutate(p)
    with pytest.raises(InvalidApplication) as info:
        parse_application(p)
    assert isinstance(info.value, ValueError)
    return info.value.errors


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def mutate(p: dict[str, Any]) -> None:
        target = p
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (("transactions", 12, "amount"), "250000", "transactions[12].amount", "whole number"),
        (("transactions", 12, "amount"), 2.5, "transactions[12].amount", "whole number"),
        (("transactions", 12, "amount"), True, "transactions[12].amount", "whole number"),
        (("transactions", 3, "amount"), 0, "transactions[3].amount", "positive"),
        (("transactions", 3, "amount"), -5, "transactions[3].amount", "positive"),
        (("transactions", 7, "date"), "2026-12-05", "transactions[7].date", "after"),
        (("transactions", 7, "date"), "2026-13-05", "transactions[7].date", "valid date"),
        (("transactions", 7, "date"), "2026-11", "transactions[7].date", "valid date"),
        (("transactions", 7, "date"), "22026-11-01", "transactions[7].date", "valid date"),
        (("transactions", 7, "date"), "2019-01-01", "transactions[7].date", "36 months"),
        (("transactions", 7, "date"), "0026-11-01", "transactions[7].date", "plausible"),
        (("transactions", 2, "direction"), "sideways", "transactions[2].direction", "one of"),
        (("transactions", 2, "channel"), None, "transactions[2].channel", "one of"),
        (("enterprise", "kbli"), "47111", "enterprise.kbli", "manufacturing"),
        (("enterprise", "kbli"), "1", "enterprise.kbli", "2 to 5 digits"),
        (("enterprise", "province"), "99", "enterprise.province", "province"),
        (("enterprise", "province"), 32, "enterprise.province", "province"),
        (("enterprise", "founded_on"), "2027-01-01", "enterprise.founded_on", "after"),
        (("enterprise", "founded_on"), "3026-01-01", "enterprise.founded_on", "plausible"),
        (("enterprise", "workers"), -1, "enterprise.workers", "at least 0"),
        (("enterprise", "assets"), None, "enterprise.assets", "required"),
        (
            ("enterprise", "other_productive_credit"),
            "no",
            "enterprise.other_productive_credit",
            "true or false",
        ),
        (("enterprise", "owner_gender"), "X", "enterprise.owner_gender", "one of"),
        (("request", "amount"), 0, "request.amount", "positive"),
        (("request", "tenor_months"), 600, "request.tenor_months", "at most"),
        (("as_of",), "30-11-2026", "as_of", "valid date"),
        (
            ("marketplace",),
            [{"month": "2026-10", "gmv": -1, "orders": 3, "rating": 7, "return_rate": 0.1}],
            "marketplace[0].gmv",
            "at least 0",
        ),
        (
            ("marketplace",),
            [{"month": "2026-10", "gmv": 1, "orders": 3, "rating": 7, "return_rate": 0.1}],
            "marketplace[0].rating",
            "between",
        ),
        (
            ("marketplace",),
            [{"month": "2027-01", "gmv": 1, "orders": 3, "rating": None, "return_rate": 0.1}],
            "marketplace[0].month",
            "after",
        ),
        (
            ("enterprise", "certifications"),
            [{"kind": "ISO", "issued_on": "2022-01-01", "expires_on": None}],
            "enterprise.certifications[0].kind",
            "one of",
        ),
        (
            ("cooperative",),
            {"member_since": "2030-01-01", "savings": [], "loans": []},
            "cooperative.member_since",
            "after",
        ),
    ],
)
def test_bad_field_is_named(path: tuple[Any, ...], value: Any, field: str, words: str) -> None:
    errors = _errors(_set(path, value))
    assert field in errors, errors
    assert any(words in reason for reason in errors[field]), errors[field]


def test_transaction_before_founding_is_named() -> None:
    def mutate(p: dict[str, Any]) -> None:
        p["enterprise"]["founded_on"] = "2026-06-01"

    errors = _errors(mutate)
    assert any(
        "before the business was founded" in r
        for k, rs in errors.items()
        for r in rs
        if k.startswith("transactions[")
    )


def test_too_many_transactions_is_refused_without_parsing_them() -> None:
    def mutate(p: dict[str, Any]) -> None:
        p["transactions"] = p["transactions"][:1] * (MAX_TRANSACTIONS + 1)

    assert "limit" in _errors(mutate)["transactions"][0]


def test_every_error_is_collected_at_once() -> None:
    def mutate(p: dict[str, Any]) -> None:
        p["transactions"][0]["amount"] = 0
        p["transactions"][5]["amount"] = "x"
        p["enterprise"]["kbli"] = "99"

    errors = _errors(mutate)
    assert {"transactions[0].amount", "transactions[5].amount", "enterprise.kbli"} <= set(errors)


def test_not_an_object_is_an_error_not_a_crash() -> None:
    bad_payloads: list[Any] = [None, [], "x", {"enterprise": "x", "request": 3}]
    for bad in bad_payloads:
        with pytest.raises(InvalidApplication):
            parse_application(bad)


def test_batch_errors_are_prefixed_with_the_application() -> None:
    good, bad = make_payload(1), copy.deepcopy(make_payload(2))
    bad["transactions"][4]["amount"] = -3
    with pytest.raises(InvalidApplication) as info:
        parse_applications([good, bad])
    assert list(info.value.errors) == ["applications[1].transactions[4].amount"]


def test_batch_of_one_equals_its_row_in_a_batch_of_many(population: Population) -> None:
    # stack has its own path for one application (the request path)
    rows = [0, 5, 77, 599]
    parsed = [parse_payload(application_payload(population, i)) for i in rows]
    many = stack(parsed)
    for k, t in enumerate(parsed):
        _assert_same_batch(stack([t]), take_rows(many, [k]))


def test_empty_tables_of_a_batch_of_one_are_shared_and_read_only() -> None:
    p = make_payload(3)
    p["marketplace"], p["cooperative"] = [], None
    a, b = parse_application(p), parse_application(copy.deepcopy(p))
    assert a.marketplace is b.marketplace and len(a.marketplace.app) == 0
    with pytest.raises(ValueError, match="read-only"):
        a.marketplace.gmv[...] = 1


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["transactions"][3].update(colour="red"), "transactions[3].colour"),
        # a record missing a key and carrying another: both named
        (
            lambda p: (
                p["transactions"][2].pop("channel"),
                p["transactions"][2].update(chanel="qris"),
            ),
            "transactions[2].chanel",
        ),
        (
            lambda p: p["enterprise"].update(
                partnerships=[
                    {
                        "partner_size": "large",
                        "since": "2024-01-01",
                        "until": None,
                        "annual_value": 1,
                        "partner_name": "PT X",
                        "note": "x",
                    }
                ]
            ),
            "enterprise.partnerships[0].note",
        ),
    ],
)
def test_an_undeclared_key_in_a_record_is_named(mutate: Any, field: str) -> None:
    errors = _errors(mutate)
    assert errors.get(field) == ["is not a field of this record"], errors
    if field == "transactions[2].chanel":
        assert "transactions[2].channel" in errors  # the missing one too


def test_declared_texts_are_accepted_and_kept() -> None:
    p = make_payload(2)
    p["enterprise"]["partnerships"] = [
        {
            "partner_size": "large",
            "since": "2024-01-01",
            "until": None,
            "annual_value": 1,
            "partner_name": "PT X",
        }
    ]
    p["enterprise"]["exports"] = [{"month": "2026-05", "value": 9, "destination": "SG"}]
    parsed = parse_payload(p)
    assert parsed.texts["partnerships"] == {"partner_name": ["PT X"]}
    assert parsed.texts["exports"] == {"destination": ["SG"]}


def test_an_amount_over_its_cap_is_named_and_one_at_it_is_not() -> None:
    def at(value: int) -> Any:
        return lambda p: p["transactions"][1].update(amount=value)

    assert "at most" in _errors(at(100_000_000_001))["transactions[1].amount"][0]
    p = make_payload(1)
    at(100_000_000_000)(p)
    assert parse_application(p).transactions.amount[1] == 100_000_000_000
