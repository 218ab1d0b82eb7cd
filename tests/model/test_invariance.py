"""Behaviour: who the owner is and where the business sits never changes the score."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fixtures import Population
from fixtures.payloads import application_payload
from scoring.model import ModelBundle
from scoring.policy import kur_defaults
from scoring.result import score_application


def _scored(bundle: ModelBundle, payload: dict[str, Any]) -> dict[str, Any]:
    d = score_application(bundle, payload, kur_defaults(), with_recourse=True).to_dict()
    d.pop("input_hash")  # the input did change; everything derived from it must not
    return d


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "CV Maju Bersama Sejahtera"),
        ("owner_name", "Budi Santoso"),
        ("owner_nik", "7371019999990001"),
        ("province", "94"),
        ("regency", "9471"),
    ],
)
def test_identity_and_location_never_change_the_result(
    bundle: ModelBundle, population: Population, field: str, value: str
) -> None:
    for i in (1, 50, 333):
        payload = application_payload(population, i)
        changed = copy.deepcopy(payload)
        changed["enterprise"][field] = value
        assert _scored(bundle, payload) == _scored(bundle, changed)


def test_owner_gender_never_changes_the_result(bundle: ModelBundle, population: Population) -> None:
    for i in range(0, 600, 60):
        payload = application_payload(population, i)
        changed = copy.deepcopy(payload)
        changed["enterprise"]["owner_gender"] = (
            "M" if payload["enterprise"]["owner_gender"] == "F" else "F"
        )
        assert _scored(bundle, payload) == _scored(bundle, changed)
