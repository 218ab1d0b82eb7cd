"""Text no database can store: NUL characters and lone UTF-16 surrogates.

JSON may carry both as escapes (``\\u0000``, ``\\ud800``); PostgreSQL refuses NUL in text and
neither database driver can encode a lone surrogate, so without this check such a value got
as far as the INSERT and came back as a 500. Refused at the boundary with the field named.
"""

from __future__ import annotations

from typing import Any

from flask import request

from ..errors import DomainError

REASON = "contains a NUL character or an unpaired surrogate, which cannot be stored"


def _bad(text: str) -> bool:
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def bad_text_fields(body: Any) -> list[str]:
    """Paths (``enterprise.name``, ``transactions[3].channel``) of unstorable strings.

    Walks with an explicit stack, never recursion, so any nesting orjson accepted is safe.
    Keys are checked as well as values.
    """
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(body, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _bad(key):
                    found.append(path or "body")
                elif isinstance(value, str):
                    if _bad(value):
                        found.append(here)
                elif isinstance(value, dict | list):
                    stack.append((value, here))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                here = f"{path}[{i}]"
                if isinstance(value, str):
                    if _bad(value):
                        found.append(here)
                elif isinstance(value, dict | list):
                    stack.append((value, here))
        elif isinstance(node, str) and _bad(node):
            found.append("body")
    return sorted(found)


def check_body(body: Any) -> Any:
    """Return ``body``, or raise a 422 naming every field with unstorable text.

    Both characters can only arrive as ``\\u`` escapes (raw control bytes are not valid JSON,
    invalid UTF-8 fails decoding), so a body without a backslash needs no walk: a memchr
    instead of a pass over hundreds of transaction records on every request.
    """
    if body is not None and b"\\" in request.get_data(cache=True):
        fields = bad_text_fields(body)
        if fields:
            raise DomainError("invalid text", {f: [REASON] for f in fields})
    return body


def check_query() -> None:
    """Refuse a query parameter (name or value) that cannot be stored or compared (422)."""
    bad = sorted(
        key for key, values in request.args.lists() if _bad(key) or any(_bad(v) for v in values)
    )
    if bad:
        raise DomainError("invalid text", {k: [REASON] for k in bad})
