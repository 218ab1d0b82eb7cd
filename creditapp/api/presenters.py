"""Turn stored records into API responses, in the language the client asked for."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask import request

from ..errors import DomainError
from ..models import Application, Decision, ScoreRecord

LANGUAGES = ("id", "en")


def language() -> str:
    """Pick ``id`` or ``en`` from ``Accept-Language`` (Bahasa Indonesia by default)."""
    best = request.accept_languages.best_match(LANGUAGES, default="id")
    return best or "id"


def _localise(item: dict[str, Any], lang: str) -> dict[str, Any]:
    out = {
        k: v for k, v in item.items() if k not in ("text_id", "text_en", "reason_id", "reason_en")
    }
    if "text_id" in item:
        out["text"] = item[f"text_{lang}"]
    if "reason_id" in item:
        out["reason"] = item[f"reason_{lang}"]
    return out


def present_score(result: dict[str, Any], lang: str) -> dict[str, Any]:
    """Select the texts of one language from a full ``ScoreResult`` dict."""
    policy = dict(result["policy"])
    policy["rules"] = [_localise(r, lang) for r in policy.get("rules", [])]
    recourse = result.get("recourse")
    return {
        **{
            k: result[k]
            for k in (
                "model_name",
                "model_version",
                "input_hash",
                "pd",
                "score",
                "band",
                "expected_bad_rate",
                "data_quality",
            )
        },
        "reasons": [_localise(r, lang) for r in result["reasons"]],
        "positive_factors": [_localise(r, lang) for r in result["positive_factors"]],
        "recourse": None if recourse is None else [_localise(r, lang) for r in recourse],
        "policy": policy,
    }


def present_application(
    app: Application,
    program_code: str,
    enterprise_name: str,
    score: ScoreRecord | None,
    decision: Decision | None,
    loan_id: int | None,
    lang: str,
) -> dict[str, Any]:
    """Build the API view of an application."""
    return {
        "id": app.id,
        "reference": app.reference,
        "status": app.status,
        "program": program_code,
        "applied_on": app.applied_on,
        "requested_amount": app.requested_amount,
        "tenor_months": app.tenor_months,
        "purpose": app.purpose,
        "enterprise_name": enterprise_name,
        "created_at": app.created_at,
        "score": None if score is None else present_score(json.loads(score.result_json), lang),
        "decision": decision,
        "loan_id": loan_id,
    }


MAX_ID = 2**31 - 1


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    """Return the id after which the next page starts; a bad cursor is a 422 on ``cursor``."""
    if not cursor:
        return None
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise DomainError("invalid cursor", {"cursor": ["not a cursor from this API"]}) from None
    if not 1 <= value <= MAX_ID:  # ids are 32-bit INTEGER columns; beyond: not ours, not a 500
        raise DomainError("invalid cursor", {"cursor": ["not a cursor from this API"]})
    return value
