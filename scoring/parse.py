"""JSON application payloads (``scoring.raw.PAYLOAD_SHAPE``) -> ``ParsedApplication``.

The one parser of a payload: the API, scoring, the input hash and storage all use its result,
so nothing is read twice or two ways. Validation collects every problem before failing, keyed
by field path (``transactions[12].amount``, ``enterprise.kbli``), so a lender fixes a payload in
one round. Nothing is silently defaulted: a wrong value is an error, never a zero, and a key a
record does not declare is refused.

Stages: ``scoring.parse_profile`` (scalars), ``scoring.parse_records`` (the alternative-data
tables of ``scoring.input_tables``), both built on ``scoring.parse_values``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scoring.input_tables import EVENT_TABLES, MEMBERSHIP
from scoring.parse_profile import object_at, parse_profile, parse_request
from scoring.parse_records import parse_table
from scoring.parse_values import Errors, add_error, scalar_day, text_column
from scoring.parsed_application import ParsedApplication, stack
from scoring.raw import RawBatch


class InvalidApplication(ValueError):
    """A payload that cannot be scored; ``errors`` maps field paths to plain-English reasons."""

    def __init__(self, errors: Errors) -> None:
        self.errors = errors
        first = next(iter(errors.items()))
        super().__init__(f"{len(errors)} invalid field(s); first: {first[0]} {first[1][0]}")


def parse_payload(payload: Mapping[str, Any]) -> ParsedApplication:
    """Validate one payload.

    Args:
        payload: one application in the ``PAYLOAD_SHAPE`` JSON form.

    Returns:
        The parsed application.

    Raises:
        InvalidApplication: with every bad field named.
    """
    errors: Errors = {}
    parsed = _parse_one(payload, "", errors)
    if errors:
        raise InvalidApplication(errors)
    return parsed


def parse_application(payload: Mapping[str, Any]) -> RawBatch:
    """Validate one payload and return it as a ``RawBatch`` with ``n == 1``."""
    return parse_payload(payload).batch()


def parse_applications(payloads: Sequence[Mapping[str, Any]]) -> RawBatch:
    """Validate many payloads; error paths are prefixed ``applications[i].``.

    Args:
        payloads: applications in the ``PAYLOAD_SHAPE`` JSON form.

    Returns:
        One raw batch, application ``i`` at row ``i``.

    Raises:
        InvalidApplication: with every bad field of every application named.
    """
    errors: Errors = {}
    parsed = [_parse_one(p, f"applications[{i}].", errors) for i, p in enumerate(payloads)]
    if errors:
        raise InvalidApplication(errors)
    return stack(parsed)


def _parse_one(payload: Any, prefix: str, errors: Errors) -> ParsedApplication:
    if not isinstance(payload, Mapping):
        add_error(errors, prefix.rstrip(".") or "payload", "must be a JSON object")
        payload = {}
    as_of = scalar_day(payload.get("as_of"), prefix + "as_of", errors)
    ent = object_at(payload, "enterprise", prefix + "enterprise", errors)
    req = object_at(payload, "request", prefix + "request", errors)
    profile = parse_profile(ent, req, as_of, prefix, errors)
    parsed = ParsedApplication(payload, profile, parse_request(req, prefix, profile, errors))
    coop = payload.get("cooperative")
    if coop is not None:
        coop = _cooperative(parsed, coop, prefix + "cooperative", errors)
    dates = (as_of, profile["founded"])
    objects = {"": payload, "enterprise": ent, "cooperative": coop or {}}
    for table in EVENT_TABLES:
        parent = table.path[0] if len(table.path) > 1 else ""
        found = parse_table(
            table, objects[parent].get(table.path[-1]), prefix + table.payload_path, dates, errors
        )
        if found is not None:
            parsed.tables[table.name], parsed.texts[table.name] = found
    return parsed


def _cooperative(
    parsed: ParsedApplication, coop: Any, c: str, errors: Errors
) -> Mapping[str, Any] | None:
    """Read the membership into the profile; return the object its savings and loans are in."""
    if not isinstance(coop, Mapping):
        add_error(errors, c, "must be an object or null")
        return None
    for key in coop:
        if key not in MEMBERSHIP.keys:
            add_error(errors, f"{c}.{key}", "is not a field of this record")
    since = MEMBERSHIP.since
    day = scalar_day(coop.get(since.key), f"{c}.{since.key}", errors)
    if day > parsed.profile["as_of"]:
        add_error(errors, f"{c}.{since.key}", "is after the application date (as_of)")
    parsed.profile[since.field] = day
    (text,) = MEMBERSHIP.texts
    path = f"{c}.{text.key}"
    (parsed.cooperative_name,) = text_column(
        [coop.get(text.key)], lambda _: path, errors, max_length=text.max_length, exact=False
    )
    return coop
