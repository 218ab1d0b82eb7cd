"""Scoring one application end to end, and the immutable, reproducible ``ScoreResult``.

``score_application`` is the request path: parse -> features -> margin, PD, score, band ->
contributions and reasons -> policy (-> recourse on demand). The result carries the model
version and the sha256 of the canonical input, and serialises to the same bytes for the same
input and model: floats are rounded (PD to 6 decimals, the score to whole points) so the last
bits of a platform's arithmetic never show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.canonical import parsed_input_hash
from scoring.explain import contributions, margin_of, reasons_for_row
from scoring.feature_spec import FEATURE_INDEX
from scoring.features import FeatureMatrix, compute_features
from scoring.model import ModelBundle
from scoring.parse import InvalidApplication, parse_payload
from scoring.parsed_application import ParsedApplication
from scoring.policy import PolicyFacts, ProgramRules, evaluate_policy
from scoring.raw import RawBatch
from scoring.recourse import recourse

F64 = NDArray[np.float64]


def _r6(x: float) -> float | None:
    return None if x != x else round(float(x), 6)


@dataclass(frozen=True)
class ScoreResult:
    """Everything needed to show, store and reproduce one score."""

    model_name: str
    model_version: str
    feature_spec_version: str
    input_hash: str
    as_of: str
    features: dict[str, float | None]
    data_quality: dict[str, object]
    margin: float
    pd: float
    score: int
    band: str
    expected_bad_rate: float
    reasons: list[dict[str, object]]
    positive_factors: list[dict[str, object]]
    recourse: list[dict[str, object]] | None
    policy: dict[str, object]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON values.

        The fields already hold JSON values, so this is a shallow dict (``dataclasses.asdict``
        deep-copied every reason and rule for nothing); treat the nested values as read-only.
        """
        return {name: getattr(self, name) for name in _FIELDS}

    def to_json(self) -> bytes:
        """Return canonical JSON bytes (sorted keys, UTF-8): equal inputs give equal bytes."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")


_AGE = FEATURE_INDEX["business_age_months"]
_NET_INFLOW = FEATURE_INDEX["tx_avg_monthly_net_inflow"]
_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ScoreResult))


def policy_facts(batch: RawBatch, features: FeatureMatrix, i: int) -> PolicyFacts:
    """Return the facts the program rules read for application ``i``."""
    row = features.values[i]
    p = batch.profiles
    return PolicyFacts(
        business_age_months=float(row[_AGE]),
        entrepreneurship_training=bool(p.entrepreneurship_training[i]),
        other_productive_credit=bool(p.other_productive_credit[i]),
        kbli_division=int(p.kbli_division[i]),
        kur_access_count=int(p.kur_access_count[i]),
        avg_monthly_net_inflow=float(row[_NET_INFLOW]),
    )


def _program(rules: ProgramRules | Sequence[ProgramRules], code: str) -> ProgramRules:
    if isinstance(rules, ProgramRules):
        return rules
    for r in rules:
        if r.code == code:
            return r
    known = ", ".join(r.code for r in rules)
    raise InvalidApplication({"request.program": [f"unknown program {code!r}; known: {known}"]})


def score_application(
    bundle: ModelBundle,
    payload: Mapping[str, Any],
    rules: ProgramRules | Sequence[ProgramRules],
    *,
    with_recourse: bool = False,
) -> ScoreResult:
    """Parse and score one JSON application (``score_parsed`` of ``parse_payload``).

    Raises:
        InvalidApplication: a bad payload, every bad field named.
    """
    return score_parsed(bundle, parse_payload(payload), rules, with_recourse=with_recourse)


def score_parsed(
    bundle: ModelBundle,
    parsed: ParsedApplication,
    rules: ProgramRules | Sequence[ProgramRules],
    *,
    with_recourse: bool = False,
) -> ScoreResult:
    """Score one parsed application with reasons and policy.

    Args:
        bundle: the model to score with.
        parsed: the application, parsed once by ``scoring.parse.parse_payload``.
        rules: the program, or the available programs (chosen by ``request.program``).
        with_recourse: also search changes that move the applicant to a better band (slower).

    Returns:
        The full, reproducible result.

    Raises:
        InvalidApplication: the requested program is not among ``rules``.
    """
    raw = parsed.batch()
    request = parsed.request
    program = _program(rules, request.program)
    fm = compute_features(raw)
    X = fm.values
    contrib = contributions(bundle, X)
    margin = margin_of(contrib)
    pd = bundle.pd_from_margin(margin)
    band = bundle.bands[int(bundle.band_index(pd)[0])]
    adverse, positive = reasons_for_row(contrib[0], X[0])
    outcome = evaluate_policy(
        program,
        policy_facts(raw, fm, 0),
        float(pd[0]),
        band.band,
        request.amount,
        request.tenor_months,
        request.purpose,
    )
    actions = None
    if with_recourse:
        actions = [a.to_dict() for a in recourse(bundle, raw)]
    return ScoreResult(
        model_name=bundle.name,
        model_version=bundle.version,
        feature_spec_version=str(bundle.manifest["feature_spec_version"]),
        input_hash=parsed_input_hash(parsed),
        as_of=parsed.as_of.isoformat(),
        features={n: _r6(v) for n, v in zip(fm.names, X[0].tolist(), strict=True)},
        data_quality=fm.quality(0),
        margin=round(float(margin[0]), 6),
        pd=round(float(pd[0]), 6),
        score=int(np.rint(bundle.score(pd)[0])),
        band=band.band,
        expected_bad_rate=band.expected_bad_rate,
        reasons=[r.to_dict() for r in adverse],
        positive_factors=[r.to_dict() for r in positive],
        recourse=actions,
        policy=outcome.to_dict(),
    )


@dataclass(frozen=True)
class BatchScores:
    """Scores of many applications as arrays (no per-row Python objects)."""

    features: FeatureMatrix
    margin: F64
    pd: F64
    score: F64
    band_index: NDArray[np.intp]
    contributions: F64 | None  # (n, k + 1) when requested


def score_batch(
    bundle: ModelBundle, batch: RawBatch, *, with_contributions: bool = True
) -> BatchScores:
    """Score a raw batch (training sets, portfolio rescoring, benchmarks).

    Args:
        bundle: the model.
        batch: raw data of many applications.
        with_contributions: also compute exact contributions (the expensive part).

    Returns:
        Arrays in batch order; ``scoring.explain.reasons_for_row`` turns a contribution row
        into reasons when one is needed.
    """
    fm = compute_features(batch)
    contrib = contributions(bundle, fm.values) if with_contributions else None
    margin = bundle.margin(fm.values) if contrib is None else margin_of(contrib)
    pd = bundle.pd_from_margin(margin)
    return BatchScores(fm, margin, pd, bundle.score(pd), bundle.band_index(pd), contrib)
