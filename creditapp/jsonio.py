"""Flask's JSON provider with orjson on the hot path.

A scored application carries hundreds of transaction records: the stdlib decoder took about
0.4 ms of every /score request and orjson about 0.2 ms. Anything orjson does differently falls
back to Flask's own provider, so behaviour stays Flask's: a body orjson refuses (NaN literals,
integers beyond 64 bits) is re-read by the stdlib and answered as before, and values orjson
would format its own way (dates, dataclasses) are passed through to Flask's ``default``.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

# orjson refuses deeper documents (400 Bad Request); the stdlib fallback is held to it too.
MAX_DEPTH = 1024
_DUMP_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


class FastJSONProvider(DefaultJSONProvider):
    """orjson for plain loads and compact dumps; Flask's provider for everything else."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if not kwargs:
            try:
                return orjson.loads(s)
            except orjson.JSONDecodeError as exc:
                if "depth limit" in str(exc):  # the stdlib would recurse until it crashes
                    raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
                # otherwise the stdlib decides, and words the error, as it always did
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None

    # JSON is UTF-8 (RFC 8259): non-ASCII text is sent as is, by both paths, not \u-escaped.
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") is None:  # compact: what every response but debug mode uses
            try:
                return orjson.dumps(obj, default=self.default, option=_DUMP_OPTIONS).decode()
            except TypeError:
                pass  # e.g. an integer beyond 64 bits, or a non-string key: the stdlib copes
        return super().dumps(obj, **kwargs)
