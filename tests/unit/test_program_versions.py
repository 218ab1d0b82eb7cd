"""Picking a program's version by date, and a loan amount's segment (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from creditapp.services.lookup import ProgramInfo
from creditapp.services.program_quotas import segment_of_amount
from scoring.policy import ProgramRules

START = date(2020, 1, 1)


def rules(tag: int) -> ProgramRules:
    """Rules told apart by their first rate (tag / 1000)."""
    return ProgramRules("P", "P", "mikro", 1, 100, (Decimal(tag) / 1000,), 12, 12)


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 3000), min_size=0, max_size=8, unique=True),
    on=st.integers(-10, 3100),
)
def test_the_version_in_force_is_the_latest_started(offsets: list[int], on: int) -> None:
    """Independent rule: among the versions whose start is on or before the day, the one
    with the largest start; none started yet -> the program's own rules (tag 999)."""
    versions = tuple(
        (START + timedelta(days=o), rules(o)) for o in sorted(offsets)
    )  # oldest first, as the lookup stores them
    info = ProgramInfo(1, "P", rules(999), START, None, versions)
    started = [o for o in offsets if o <= on]
    expected = max(started) if started else 999
    assert info.rules_on(START + timedelta(days=on)).rate_by_access[0] == Decimal(expected) / 1000


def test_segments_follow_the_size_bands() -> None:
    """KUR bands: super mikro <= Rp 10 juta < mikro <= 100 juta < kecil <= 500 juta < other."""
    assert segment_of_amount(10_000_000) == "super_mikro"
    assert segment_of_amount(10_000_001) == "mikro"
    assert segment_of_amount(100_000_000) == "mikro"
    assert segment_of_amount(100_000_001) == "kecil"
    assert segment_of_amount(500_000_000) == "kecil"
    assert segment_of_amount(500_000_001) == "other"
