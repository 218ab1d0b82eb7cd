"""ScoreResult: reproducible bytes, canonical input hash, same numbers as the batch path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fixtures import Population
from fixtures.payloads import application_payload
from scoring.canonical import input_hash
from scoring.model import ModelBundle
from scoring.parse import InvalidApplication
from scoring.policy import kur_defaults
from scoring.result import score_application, score_batch


def test_same_input_same_bytes(bundle: ModelBundle, population: Population) -> None:
    payload = application_payload(population, 8)
    first = score_application(bundle, payload, kur_defaults(), with_recourse=True).to_json()
    again = score_application(
        bundle, json.loads(json.dumps(payload)), kur_defaults(), with_recourse=True
    ).to_json()
    assert first == again
    assert json.loads(first)["model_version"] == bundle.version


def test_input_hash_ignores_key_order_not_values(population: Population) -> None:
    payload = application_payload(population, 3)
    reordered = json.loads(json.dumps(payload, sort_keys=True))
    reordered = dict(reversed(list(reordered.items())))
    assert input_hash(payload) == input_hash(reordered)
    payload["request"]["amount"] += 1
    assert input_hash(payload) != input_hash(reordered)


def test_single_result_equals_the_batch_scores(bundle: ModelBundle, population: Population) -> None:
    batch = score_batch(bundle, population.raw)
    assert batch.contributions is not None
    for i in (0, 17, 123, 456):
        r = score_application(bundle, application_payload(population, i), kur_defaults())
        assert r.pd == round(float(batch.pd[i]), 6)
        assert r.margin == round(float(batch.margin[i]), 6)
        assert r.score == int(np.rint(batch.score[i]))
        assert r.band == bundle.bands[int(batch.band_index[i])].band
        feats = np.array([np.nan if v is None else v for v in r.features.values()])
        assert np.allclose(feats, batch.features.values[i], rtol=0, atol=1e-6, equal_nan=True)


def test_result_has_reasons_policy_and_quality(bundle: ModelBundle, population: Population) -> None:
    d = score_application(bundle, application_payload(population, 2), kur_defaults()).to_dict()
    assert d["recourse"] is None
    assert d["policy"]["recommendation"] in ("approve", "refer", "decline")
    assert d["data_quality"]["months_history"] > 0
    for reason in d["reasons"] + d["positive_factors"]:
        assert reason["text_id"] and reason["text_en"]


def test_unknown_program_is_an_invalid_application(
    bundle: ModelBundle, population: Population
) -> None:
    payload = application_payload(population, 2)
    payload["request"]["program"] = "KUR-NONE"
    with pytest.raises(InvalidApplication) as info:
        score_application(bundle, payload, kur_defaults())
    assert "request.program" in info.value.errors
