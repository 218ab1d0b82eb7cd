"""The orjson-backed JSON provider answers exactly as Flask's own provider would."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given
from hypothesis import strategies as st

from creditapp.jsonio import FastJSONProvider

app = Flask(__name__)
fast = FastJSONProvider(app)
stdlib = DefaultJSONProvider(app)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_round_trip_equals_stdlib(value: Any) -> None:
    text = fast.dumps(value)
    assert json.loads(text) == json.loads(stdlib.dumps(value))
    assert fast.loads(text) == stdlib.loads(text)
    assert fast.loads(text.encode()) == value


def test_keys_are_sorted_like_flask() -> None:
    assert fast.dumps({"b": 1, "a": {"d": 2, "c": 3}}) == '{"a":{"c":3,"d":2},"b":1}'


def test_dates_and_dataclasses_keep_flask_formatting() -> None:
    @dataclass
    class Point:
        x: int

    value = {"d": date(2026, 11, 30), "t": datetime(2026, 11, 30, 8, 5), "p": Point(1)}
    assert json.loads(fast.dumps(value)) == json.loads(stdlib.dumps(value))


def test_what_orjson_refuses_falls_back_to_the_stdlib() -> None:
    huge = 2**70
    assert json.loads(fast.dumps({"n": huge})) == {"n": huge}
    assert fast.dumps({1: "a"}) == stdlib.dumps({1: "a"})
    # NaN literals and huge integers are not JSON orjson reads; the stdlib reads them as before
    assert fast.loads(f'{{"n": {huge}}}') == {"n": huge}
    assert fast.loads("[NaN]")[0] != fast.loads("[NaN]")[0]


def test_malformed_json_raises_value_error_as_before() -> None:
    with pytest.raises(ValueError):
        fast.loads(b'{"a": ')


def test_non_ascii_text_is_sent_as_utf8() -> None:
    assert fast.dumps({"t": "Rp 12.500.000 – lunas"}) == '{"t":"Rp 12.500.000 – lunas"}'
