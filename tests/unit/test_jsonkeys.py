"""Duplicate JSON keys are found exactly, by the quick count and by the slow re-read alike."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from creditapp.api.jsonkeys import duplicate_keys


def _found(text: str) -> list[str]:
    raw = text.encode()
    return duplicate_keys(raw, orjson.loads(raw))


def test_repeated_keys_are_named_with_their_path() -> None:
    assert _found('{"a":1,"a":2}') == ["a"]
    assert _found('{"t":[{"x":1},{"x":1,"y":"q","x":3}]}') == ["t[1].x"]
    assert _found('{"e":{"p":[{"v":1}],"p":[]}}') == ["e.p"]
    # spacing, escapes and a quote inside a text change nothing
    assert _found('{"a" : 1 , "b\\"" : "\\"", "a" : 2}') == ["a"]


def test_distinct_keys_pass() -> None:
    assert _found('{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}') == []
    assert _found('{"q":"a \\"quoted\\" text","r":"\\u00e9"}') == []
    assert _found("[1, 2, 3]") == []


keys = st.text(alphabet='ab"\\ :', min_size=1, max_size=3)
values = st.recursive(
    st.none() | st.integers() | st.text(alphabet='ab"\\ :,{}', max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.lists(st.tuples(keys, inner), max_size=4),
    max_leaves=12,
)


def _write(v: Any) -> str:
    """JSON text of ``v``; a list of (key, value) pairs becomes an object, repeats kept."""
    if isinstance(v, list) and v and all(isinstance(x, tuple) for x in v):
        return "{" + ",".join(f"{json.dumps(k)}:{_write(x)}" for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_write(x) for x in v) + "]"
    return json.dumps(v)


def _repeats(v: Any) -> int:
    if isinstance(v, list) and v and all(isinstance(x, tuple) for x in v):
        ks = [k for k, _ in v]
        return len(ks) - len(set(ks)) + sum(_repeats(x) for _, x in v)
    if isinstance(v, list):
        return sum(_repeats(x) for x in v)
    return 0


@given(st.lists(st.tuples(keys, values), min_size=1, max_size=5))
def test_a_body_is_refused_exactly_when_a_key_repeats(pairs: list[tuple[str, Any]]) -> None:
    text = _write(pairs)
    assert bool(_found(text)) == (_repeats(pairs) > 0), text
