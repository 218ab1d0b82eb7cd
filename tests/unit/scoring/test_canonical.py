"""The input hash: equal inputs hash equal, any changed field changes it, as documented."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import struct
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.canonical import input_hash
from scoring.parse import InvalidApplication
from tests.unit.scoring.sample import make_payload

BASE = make_payload(seed=5, months=6, per_month=8)
# make_payload draws the cooperative and marketplace at random; these seeds must have both
assert BASE["cooperative"] is not None and BASE["marketplace"]


def test_key_order_whitespace_and_number_spelling_do_not_matter() -> None:
    text = json.dumps(BASE, indent=3, sort_keys=True)
    reordered = json.loads(text, object_pairs_hook=lambda kv: dict(reversed(kv)))
    assert list(reordered) == list(reversed(sorted(BASE)))
    # 0.0320 and 0.032 are the same number once parsed (floats always print with a dot)
    respelled_text = re.sub(r'("return_rate": [0-9.]+)', r"\g<1>0", json.dumps(BASE))
    assert respelled_text != json.dumps(BASE)
    respelled = json.loads(respelled_text)
    assert input_hash(reordered) == input_hash(BASE) == input_hash(respelled)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(p: dict[str, Any]) -> None:
        obj: Any = p
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value

    return mutate


def _swap_first_two(p: dict[str, Any]) -> None:
    p["transactions"][0], p["transactions"][1] = p["transactions"][1], p["transactions"][0]


MUTATIONS: list[Callable[[dict[str, Any]], None]] = [
    _set(("transactions", 3, "date"), "2026-10-01"),
    _set(("transactions", 3, "amount"), BASE["transactions"][3]["amount"] + 1),
    _set(("transactions", 3, "direction"),
         "out" if BASE["transactions"][3]["direction"] == "in" else "in"),
    _set(("transactions", 3, "channel"),
         "qris" if BASE["transactions"][3]["channel"] != "qris" else "ewallet"),
    _set(("marketplace", 0, "gmv"), BASE["marketplace"][0]["gmv"] + 1),
    _set(("marketplace", 0, "orders"), BASE["marketplace"][0]["orders"] + 1),
    _set(("marketplace", 0, "return_rate"), 0.5),
    _set(("marketplace", 0, "rating"), None if BASE["marketplace"][0]["rating"] else 4.0),
    _set(("cooperative", "member_since"), "2019-01-02"),
    _set(("cooperative", "savings"), []),
    _set(("cooperative", "loans"), []),
    _set(("enterprise", "certifications"), [{"kind": "SNI", "issued_on": "2024-01-01",
                                             "expires_on": None}]),
    _set(("enterprise", "exports"), [{"month": "2026-05", "value": 1}]),
    _set(("enterprise", "owner_name"), "Another Name"),
    _set(("enterprise", "workers"), BASE["enterprise"]["workers"] + 1),
    _set(("enterprise", "kbli"), "10793"),
    _set(("request", "amount"), BASE["request"]["amount"] + 1),
    _set(("request", "purpose"), "investment"),
    _set(("as_of",), "2026-11-29"),
    _swap_first_two,
]  # fmt: skip


@settings(max_examples=len(MUTATIONS) * 3)
@given(st.sampled_from(MUTATIONS))
def test_any_changed_field_changes_the_hash(mutate: Callable[[dict[str, Any]], None]) -> None:
    changed = copy.deepcopy(BASE)
    mutate(changed)
    assert changed != BASE
    assert input_hash(changed) != input_hash(BASE)


def _days(iso: str) -> int:
    return date.fromisoformat(iso).toordinal() - date(1970, 1, 1).toordinal()


def test_hash_follows_the_documented_definition() -> None:
    # a payload with transactions only, encoded by hand from the docstring with struct
    p = copy.deepcopy(BASE)
    p["marketplace"], p["cooperative"] = [], None
    for key in ("certifications", "partnerships", "exports"):
        p["enterprise"][key] = []
    txs = p["transactions"]
    channels = ("bank_transfer", "qris", "ewallet", "cash_deposit")
    rest = {k: v for k, v in p.items() if k not in ("transactions", "marketplace")}
    rest["enterprise"] = {
        k: v
        for k, v in p["enterprise"].items()
        if k not in ("certifications", "partnerships", "exports")
    }
    names = ["tx_day:<i8", "tx_amount:<i8", "tx_inflow:|b1", "tx_channel:|i1", "mp_month:<i8",
             "mp_gmv:<i8", "mp_orders:<i8", "mp_rating:<f8", "mp_return_rate:<f8",
             "sav_month:<i8", "sav_status:|i1", "loan_day:<i8", "loan_amount:<i8",
             "loan_status:|i1", "loan_max_dpd:<i8", "cert_kind:|i1", "cert_issued:<i8",
             "cert_expires:<i8", "part_size:|i1", "part_since:<i8", "part_until:<i8",
             "part_value:<i8", "exp_month:<i8", "exp_value:<i8"]  # fmt: skip
    n = len(txs)
    header = ",".join(f"{c}:{n if c.startswith('tx_') else 0}" for c in names)
    body = (
        struct.pack(f"<{n}q", *(_days(t["date"]) for t in txs))
        + struct.pack(f"<{n}q", *(t["amount"] for t in txs))
        + bytes(t["direction"] == "in" for t in txs)
        + bytes(channels.index(t["channel"]) for t in txs)
    )
    text = json.dumps(rest, sort_keys=True, separators=(",", ":"))
    expected = hashlib.sha256(
        b"imk-input-2\n" + text.encode() + b"\n" + header.encode() + b"\n" + body
    ).hexdigest()
    assert input_hash(p) == expected


def test_invalid_payload_has_no_hash() -> None:
    bad = copy.deepcopy(BASE)
    bad["transactions"][0]["amount"] = -5
    with pytest.raises(InvalidApplication):
        input_hash(bad)
