"""The one-per-application fields of a payload: application date, enterprise profile, request.

These are scalars, validated one by one in plain Python (no numpy); the profile becomes one
value per ``scoring.raw.Profiles`` field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.parse_values import Errors, add_error, scalar_day, scalar_int
from scoring.parsed_application import LoanRequest
from scoring.raw import GENDERS

# KBLI 2020 section C (manufacturing) divisions: the industries this platform lends to.
KNOWN_KBLI_DIVISIONS: frozenset[int] = frozenset(range(10, 34))
# The 38 BPS province codes (BPS numbering of the 2022 Papua split: 91, 92, 94-97).
PROVINCE_CODES: frozenset[int] = frozenset(
    (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63)
    + (64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 94, 95, 96, 97)
)
PURPOSES: tuple[str, ...] = ("working_capital", "investment")
MAX_TENOR_MONTHS = 120


def object_at(obj: Mapping[str, Any], key: str, path: str, errors: Errors) -> Mapping[str, Any]:
    """The JSON object at ``key`` (reported, and read as empty, when it is not one)."""
    value = obj.get(key)
    if not isinstance(value, Mapping):
        add_error(errors, path, "is required and must be an object")
        return {}
    return value


def parse_profile(
    ent: Mapping[str, Any], req: Mapping[str, Any], as_of: int, p: str, errors: Errors
) -> dict[str, Any]:
    """Validate the enterprise profile and the requested amount and tenor.

    Args:
        ent: the ``enterprise`` object.
        req: the ``request`` object.
        as_of: the application date (day number).
        p: prefix of error paths (``applications[3].`` in a batch, else empty).
        errors: collected errors, updated in place.

    Returns:
        Profiles field -> value (``coop_member_since`` -1: set by the cooperative's parser).
    """
    e = p + "enterprise."
    out: dict[str, Any] = {"as_of": as_of, "kbli_division": 0, "province": 0,
                           "coop_member_since": -1}  # fmt: skip
    kbli = ent.get("kbli")
    if not isinstance(kbli, str) or not kbli.isdigit() or not 2 <= len(kbli) <= 5:
        add_error(errors, e + "kbli", f"must be a KBLI code of 2 to 5 digits, got {kbli!r}")
    elif int(kbli[:2]) not in KNOWN_KBLI_DIVISIONS:
        add_error(
            errors, e + "kbli", f"division {kbli[:2]} is not a manufacturing division (KBLI 10-33)"
        )
    else:
        out["kbli_division"] = int(kbli[:2])
    prov = ent.get("province")
    if not isinstance(prov, str) or not prov.isdigit() or int(prov) not in PROVINCE_CODES:
        add_error(errors, e + "province", f"is not a BPS province code: {prov!r}")
    else:
        out["province"] = int(prov)
    if ent.get("owner_gender") not in GENDERS:
        add_error(errors, e + "owner_gender", f"must be one of {', '.join(GENDERS)}")
    out["owner_female"] = ent.get("owner_gender") == "F"
    out["founded"] = scalar_day(ent.get("founded_on"), e + "founded_on", errors)
    if out["founded"] > as_of:
        add_error(errors, e + "founded_on", "is after the application date (as_of)")
    for key in ("workers", "assets", "annual_sales", "kur_access_count"):
        out[key] = scalar_int(ent.get(key), e + key, errors, 0)
    for key in ("other_productive_credit", "entrepreneurship_training"):
        out[key] = _flag(ent.get(key, False), e + key, errors)
    out["requested_amount"] = scalar_int(req.get("amount"), p + "request.amount", errors, 1)
    tenor = scalar_int(req.get("tenor_months"), p + "request.tenor_months", errors, 1)
    if tenor > MAX_TENOR_MONTHS:
        add_error(
            errors,
            p + "request.tenor_months",
            f"must be at most {MAX_TENOR_MONTHS} months, got {tenor}",
        )
    out["tenor_months"] = tenor
    return out


def parse_request(
    req: Mapping[str, Any], p: str, profile: Mapping[str, Any], errors: Errors
) -> LoanRequest:
    """The loan request (its amount and tenor already validated into ``profile``)."""
    program, purpose = req.get("program"), req.get("purpose")
    if not isinstance(program, str) or not program:
        add_error(errors, p + "request.program", "is required and must be a program code")
    if purpose not in PURPOSES:
        add_error(errors, p + "request.purpose", f"must be one of {', '.join(PURPOSES)}")
    return LoanRequest(
        str(program), int(profile["requested_amount"]), int(profile["tenor_months"]), str(purpose)
    )


def _flag(v: Any, path: str, errors: Errors) -> bool:
    if not isinstance(v, bool):
        add_error(errors, path, f"must be true or false, got {v!r}")
        return False
    return v
