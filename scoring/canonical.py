"""The input hash: sha256 of a canonical binary encoding of a validated application.

Definition (``INPUT_HASH_VERSION`` names it; bump it if any part changes):

1. The payload is validated and parsed into its columns (``scoring.payload.parse_tables``).
2. ``sha256`` is fed, in this order:
   a. ``b"imk-input-2\\n"``;
   b. the canonical JSON of the *remainder*: the payload without its event lists
      (``transactions``, ``marketplace``, ``enterprise.certifications``,
      ``enterprise.partnerships``, ``enterprise.exports``, ``cooperative.savings``,
      ``cooperative.loans``), written ``json.dumps(rest, sort_keys=True, separators=(",", ":"))``
      (ASCII escapes), then ``b"\\n"``;
   c. one ASCII header line listing every event column of ``EVENT_COLUMNS`` as
      ``name:dtype:length`` joined by ``,``, then ``b"\\n"``;
   d. the little-endian bytes (``tobytes()``) of each of those columns in that order: day and
      month numbers, whole Rupiah and counts as ``<i8``, codes (index into the code tuples of
      ``scoring.raw`` / ``scoring.payload.DIRECTIONS``) as ``|i1``, ratings and return rates as
      ``<f8`` (a null rating is the NaN ``np.nan``).

So key order, whitespace and the spelling of equal values (``4.70`` / ``4.7``) never change the
hash; any value of any field does, and so does the order of records in a list. Keys a record
does not define (an extra ``note`` in a transaction) are not read by scoring and not hashed; a
null event list hashes like an empty one, as both are scored alike. The hash is computed from
the stored payload with this module alone, so any stored decision can be checked. Hashing the
JSON text of 800 transactions cost ~1 ms, the binary encoding tens of microseconds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from scoring.payload import parse_tables
from scoring.payload_tables import AppTables

INPUT_HASH_VERSION = "imk-input-2"
# (AppTables attribute, dtype) of every event column, in hashing order.
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("tx_day", "<i8"), ("tx_amount", "<i8"), ("tx_inflow", "|b1"), ("tx_channel", "|i1"),
    ("mp_month", "<i8"), ("mp_gmv", "<i8"), ("mp_orders", "<i8"), ("mp_rating", "<f8"),
    ("mp_return_rate", "<f8"),
    ("sav_month", "<i8"), ("sav_status", "|i1"),
    ("loan_day", "<i8"), ("loan_amount", "<i8"), ("loan_status", "|i1"), ("loan_max_dpd", "<i8"),
    ("cert_kind", "|i1"), ("cert_issued", "<i8"), ("cert_expires", "<i8"),
    ("part_size", "|i1"), ("part_since", "<i8"), ("part_until", "<i8"), ("part_value", "<i8"),
    ("exp_month", "<i8"), ("exp_value", "<i8"),
)  # fmt: skip
# step 2c with the lengths left to fill in: one %-format instead of 24 f-strings
_HEADER = ",".join(f"{name}:{dtype}:%d" for name, dtype in EVENT_COLUMNS)
_TOP_LISTS = frozenset({"transactions", "marketplace"})
_ENTERPRISE_LISTS = frozenset({"certifications", "partnerships", "exports"})
_COOPERATIVE_LISTS = frozenset({"savings", "loans"})


# What json.dumps(obj, sort_keys=True, separators=(",", ":")) builds on every call; reused.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Return the canonical JSON text of a payload (sorted keys, no spaces, ASCII)."""
    return _ENCODER.encode(payload)


def _without(obj: Any, keys: frozenset[str]) -> Any:
    if not isinstance(obj, Mapping):
        return obj
    return {k: v for k, v in obj.items() if k not in keys}


def remainder_json(payload: Mapping[str, Any]) -> str:
    """Return the canonical JSON of a payload without its event lists (step 2b)."""
    rest = _without(payload, _TOP_LISTS)
    if "enterprise" in rest:
        rest["enterprise"] = _without(rest["enterprise"], _ENTERPRISE_LISTS)
    if "cooperative" in rest:
        rest["cooperative"] = _without(rest["cooperative"], _COOPERATIVE_LISTS)
    return canonical_json(rest)


def parsed_input_hash(payload: Mapping[str, Any], tables: AppTables) -> str:
    """Return the input hash of a payload already parsed into ``tables``.

    Args:
        payload: the application as submitted.
        tables: ``parse_tables(payload)`` (the scoring path has it already).

    Returns:
        The sha256 hex digest defined in this module's docstring.
    """
    h = hashlib.sha256(INPUT_HASH_VERSION.encode("ascii") + b"\n")
    h.update(remainder_json(payload).encode("ascii") + b"\n")
    columns = [getattr(tables, name).astype(dtype, copy=False) for name, dtype in EVENT_COLUMNS]
    h.update((_HEADER % tuple(map(len, columns))).encode("ascii") + b"\n")
    for col in columns:
        if len(col):
            h.update(col.tobytes())
    return h.hexdigest()


def input_hash(payload: Mapping[str, Any]) -> str:
    """Return the input hash of a payload (validates it; raises ``InvalidApplication``).

    Args:
        payload: one application in the ``PAYLOAD_SHAPE`` JSON form.

    Returns:
        The sha256 hex digest defined in this module's docstring.
    """
    return parsed_input_hash(payload, parse_tables(payload))
