"""The loan history chart: exact line simplification, grade runs, and well-formed SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from creditapp.charts_loans import (
    HEIGHT,
    LEFT,
    PLOT_BOTTOM,
    RIGHT,
    TOP,
    WIDTH,
    ChartText,
    HistoryPoint,
    dpd_scale_max,
    grade_runs,
    loan_history_svg,
    simplify,
)

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(
    title="Riwayat tunggakan",
    axis="hari tunggakan",
    description="DPD tertinggi 40 hari",
    empty="Belum ada riwayat",
    grade=lambda g: f"Kol {g}",
    date=lambda d: d.isoformat(),
)
START = date(2027, 1, 1)


def history(dpds: list[int]) -> list[HistoryPoint]:
    """Daily points; the grade follows OJK from the DPD (1: 0, 2: 1-90, 3: 91-120, ...)."""

    def grade(d: int) -> int:
        return 1 if d == 0 else 2 if d <= 90 else 3 if d <= 120 else 4 if d <= 180 else 5

    return [HistoryPoint(START + timedelta(days=i), d, grade(d)) for i, d in enumerate(dpds)]


def test_simplify_keeps_only_where_the_slope_changes() -> None:
    # 10 current days, 20 days in arrears (1..20), paid back, 5 current days
    ys = [0] * 10 + list(range(1, 21)) + [0] * 5
    pts = list(enumerate(ys))
    # by hand: start, last current day, then the ramp runs from x=9 (0) to x=29 (20)
    # in one slope, drops to 0 at x=30, flat to x=34
    assert simplify(pts) == [(0, 0), (9, 0), (29, 20), (30, 0), (34, 0)]


@given(st.lists(st.integers(0, 400), min_size=1, max_size=80))
def test_simplify_is_exact_at_every_original_point(ys: list[int]) -> None:
    pts = list(enumerate(ys))
    kept = simplify(pts)
    assert kept[0] == pts[0] and kept[-1] == pts[-1]
    assert set(kept) <= set(pts)
    for x, y in pts:  # linear interpolation between kept points gives back every y exactly
        (x0, y0), (x1, y1) = (
            next((a, b) for a, b in zip(kept, kept[1:], strict=False) if a[0] <= x <= b[0])
            if len(kept) > 1
            else (kept[0], kept[0])
        )
        if x1 == x0:
            assert y == y0
        else:
            assert (y - y0) * (x1 - x0) == (y1 - y0) * (x - x0)


def test_grade_runs_and_scale() -> None:
    h = history([0, 0, 5, 95, 95, 0])
    assert grade_runs(h) == [(0, 1, 1), (2, 2, 2), (3, 4, 3), (5, 5, 1)]
    assert [dpd_scale_max(d) for d in (0, 30, 31, 91, 121, 181, 271)] == [
        30,
        30,
        90,
        120,
        180,
        270,
        360,
    ]


def test_svg_is_well_formed_accessible_and_needs_no_inline_style() -> None:
    svg = loan_history_svg(history([0] * 10 + list(range(1, 41))), TEXT, chart_id="h1")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "h1-t h1-d"
    assert root.findtext(f"{SVG}title") == "Riwayat tunggakan"
    assert root.findtext(f"{SVG}desc") == "DPD tertinggi 40 hari"
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    assert "style=" not in svg and "<script" not in svg
    # The DPD line: 0 for 10 days then +1 a day to 40 -> three points. With 49 days on a
    # 90-day scale (40 > 30): x runs LEFT..WIDTH-RIGHT, y runs PLOT_BOTTOM (0) up to TOP (90).
    [line] = root.iter(f"{SVG}polyline")
    pts = [tuple(map(float, p.split(","))) for p in line.get("points", "").split()]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_BOTTOM - TOP
    expected = [(0, 0), (9, 0), (49, 40)]
    assert len(pts) == 3
    for (px, py), (d, v) in zip(pts, expected, strict=True):
        assert abs(px - (LEFT + plot_w * d / 49)) < 0.06
        assert abs(py - (PLOT_BOTTOM - plot_h * v / 90)) < 0.06
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "2027-01-01" in texts and "2027-02-19" in texts  # first and last date
    assert "Kol 2" in texts


def test_escapes_caller_text_and_draws_an_empty_chart() -> None:
    hostile = ChartText("<b>&", "a<b", "d", "Belum ada riwayat", lambda g: f"K{g}", str)
    root = ET.fromstring(loan_history_svg([], hostile, chart_id="e"))
    assert root.findtext(f"{SVG}title") == "<b>&"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Belum ada riwayat"]
    one = ET.fromstring(loan_history_svg(history([0]), TEXT, chart_id="o"))
    assert len(list(one.iter(f"{SVG}circle"))) == 1
