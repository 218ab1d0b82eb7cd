"""The fast canonical JSON equals the standard encoder's bytes, whatever the payload."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures import Population
from fixtures.payloads import application_payload
from scoring.canonical import _SENTINEL, canonical_json, input_hash
from tests.unit.scoring.sample import make_payload


def _standard(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def test_equals_the_standard_encoder_on_population_payloads(population: Population) -> None:
    for i in range(0, 600, 13):
        payload = application_payload(population, i)
        assert canonical_json(payload) == _standard(payload)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    amount=st.one_of(st.integers(-(10**20), 10**20), st.floats(allow_nan=False), st.booleans(),
                     st.none(), st.text(max_size=5)),
    text=st.text(max_size=8),
    extra=st.booleans(),
)  # fmt: skip
def test_equals_the_standard_encoder_on_odd_records(
    seed: int, amount: Any, text: str, extra: bool
) -> None:
    payload = make_payload(seed, months=2, per_month=5)
    payload["transactions"][3]["amount"] = amount
    payload["transactions"][4]["channel"] = text
    if extra:
        payload["transactions"][5]["note"] = 'é"\\'
    payload["enterprise"]["name"] = text + "\u00e9"
    assert canonical_json(payload) == _standard(payload)


def test_sentinel_in_the_data_falls_back() -> None:
    payload = make_payload(1, months=1, per_month=3)
    payload["enterprise"]["name"] = _SENTINEL
    assert canonical_json(payload) == _standard(payload)
    assert len(input_hash(payload)) == 64
