"""The input hash: sha256 of a payload's canonical JSON, computed fast for big payloads.

Canonical JSON here is ``json.dumps(payload, sort_keys=True, separators=(",", ":"))`` (ASCII
escapes). The standard encoder spends ~1 ms on a 24-month payload's transaction list, more than
the model itself, so when every transaction is a plain record of the four known keys with
validated values, its canonical text is written directly and spliced into the encoding of the
rest. The bytes are identical to the standard encoder's (a test checks it on many payloads);
anything unusual falls back to the standard encoder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

_SENTINEL = "\x00canonical-transactions\x00"
_SAFE_CHARS = frozenset("0123456789-abcdefghijklmnopqrstuvwxyz_")
_GET = itemgetter("amount", "channel", "date", "direction")  # sorted key order
_RECORD = '{"amount":%d,"channel":"%s","date":"%s","direction":"%s"}'.__mod__


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Return the canonical JSON text of a payload (sorted keys, no spaces, ASCII)."""
    txs = payload.get("transactions") if isinstance(payload, Mapping) else None
    fast = _transactions_text(txs) if isinstance(txs, list) and txs else None
    if fast is None:
        return json.dumps(payload, sort_keys=True, separators=(",", ":"))
    rest = json.dumps({**payload, "transactions": _SENTINEL}, sort_keys=True,
                      separators=(",", ":"))  # fmt: skip
    marker = json.dumps(_SENTINEL)
    if rest.count(marker) != 1:  # the sentinel also occurs in the data: do it the slow way
        return json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return rest.replace(marker, fast)


def input_hash(payload: Mapping[str, Any]) -> str:
    """Return the sha256 (hex) of the canonical JSON of a payload."""
    return hashlib.sha256(canonical_json(payload).encode("ascii")).hexdigest()


def _transactions_text(txs: list[Any]) -> str | None:
    """Canonical text of a transaction list, or None when a record is not plain."""
    if set(map(type, txs)) != {dict} or set(map(len, txs)) != {4}:
        return None
    try:
        rows = list(map(_GET, txs))
    except KeyError:
        return None
    amounts, *texts = zip(*rows, strict=True)
    if set(map(type, amounts)) != {int}:
        return None
    for column in texts:
        if set(map(type, column)) != {str} or not set("".join(column)) <= _SAFE_CHARS:
            return None
    return "[" + ",".join(map(_RECORD, rows)) + "]"
