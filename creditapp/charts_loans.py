"""A loan's days-past-due and collectibility history as a server-rendered SVG.

Pure functions: a list of ``(date, dpd, collectibility)`` in, SVG text out; labels and the
date format come from the caller (the web layer translates them), so this module knows
neither Flask nor Babel. The drawing uses presentation attributes only (no ``style``
attribute, no script), which a Content-Security-Policy without ``unsafe-inline`` allows.

Sizing: the 320-unit-wide view box with 12-13-unit text reads at about 11-12 px on a 360 px
phone (the chart is ~290 px wide there) and scales with its container; the page caps its width
(28rem) so the text stays moderate on a laptop.

Daily ageing writes one row per day (hundreds per loan); the DPD line keeps only the points
where its slope changes (``simplify``), which is exact: a loan in arrears gains one day per
day, so a rising stretch is one segment whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP = 30, 8, 22
PLOT_BOTTOM = 146  # the DPD plot; the collectibility strip and the date axis go below it
STRIP_TOP, STRIP_HEIGHT = 152, 12
FONT = 13
# OJK collectibility grades above Kol 1 as DPD bands (grade, from, to; None: open), and
# fills that keep dark text readable on them.
BANDS: tuple[tuple[int, int, int | None], ...] = ((2, 0, 90), (3, 90, 120), (4, 120, 180),
                                                  (5, 180, None))  # fmt: skip
GRADE_FILL = {1: "#cfe8d5", 2: "#fbe7a1", 3: "#f8c99b", 4: "#f3a89b", 5: "#d98a9a"}
LINE = "#1b4f8a"
INK = "#1f2933"
GRID = "#9aa5b1"


@dataclass(frozen=True)
class HistoryPoint:
    as_of: date
    dpd: int
    collectibility: int


@dataclass(frozen=True)
class ChartText:
    """The chart's words in the reader's language (the caller translates)."""

    title: str
    axis: str  # what the vertical axis counts, e.g. "days past due"
    description: str  # one sentence a screen reader says instead of the picture
    empty: str  # shown when there is no history yet
    grade: Callable[[int], str]  # 3 -> "Kol 3"
    date: Callable[[date], str]  # the reader's short date format


def simplify(points: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop the interior points that lie on a straight segment (exact, integer arithmetic).

    Args:
        points: ``(x, y)`` with strictly increasing ``x``.

    Returns:
        The first and last point and every point where the slope changes.
    """
    out: list[tuple[int, int]] = []
    for p in points:
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (x1 - x0) * (p[1] - y0) == (p[0] - x0) * (y1 - y0):
                out[-1] = p
                continue
        out.append(p)
    return out


def grade_runs(history: Sequence[HistoryPoint]) -> list[tuple[int, int, int]]:
    """Consecutive stretches of one grade: ``(first index, last index, grade)``."""
    runs: list[tuple[int, int, int]] = []
    for i, h in enumerate(history):
        if runs and runs[-1][2] == h.collectibility:
            runs[-1] = (runs[-1][0], i, h.collectibility)
        else:
            runs.append((i, i, h.collectibility))
    return runs


def dpd_scale_max(max_dpd: int) -> int:
    """The top of the DPD axis: the next grade boundary above the worst DPD seen (>= 30)."""
    for top in (30, 90, 120, 180):
        if max_dpd <= top:
            return top
    return -(-max_dpd // 90) * 90  # beyond Kol 5's start: whole quarters


def _ticks(top: int) -> list[int]:
    step = 10 if top <= 30 else 30 if top <= 180 else 90
    return list(range(0, top + 1, step))


def _text(x: float, y: float, body: str, anchor: str = "start", size: int = FONT) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" '
        f'text-anchor="{anchor}">{escape(body)}</text>'
    )


def loan_history_svg(history: Sequence[HistoryPoint], text: ChartText, *, chart_id: str) -> str:
    """The DPD line over coloured collectibility bands, with a grade strip under the time axis.

    Args:
        history: one point per ageing date, oldest first, dates strictly increasing.
        text: translated words and formatters.
        chart_id: unique within the page (ids for the title and description).

    Returns:
        An ``<svg>`` element (text).
    """
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart-history" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(text.title)}</title>'
        f'<desc id="{chart_id}-d">{escape(text.description)}</desc>'
    )
    if not history:
        return head + _text(WIDTH / 2, HEIGHT / 2, text.empty, "middle") + "</svg>"
    first, last = history[0].as_of, history[-1].as_of
    span = max((last - first).days, 1)
    top = dpd_scale_max(max(h.dpd for h in history))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_BOTTOM - TOP

    def x(d: date) -> float:
        return LEFT + plot_w * (d - first).days / span

    def y(dpd: int) -> float:
        return PLOT_BOTTOM - plot_h * min(dpd, top) / top

    parts = [head, _text(2, 14, text.axis, size=12)]
    for grade, lo, hi in BANDS:  # background bands: which grade a DPD level means
        if lo >= top:
            break
        y_hi, y_lo = y(top if hi is None else min(hi, top)), y(lo)
        parts.append(
            f'<rect x="{LEFT}" y="{y_hi:.1f}" width="{plot_w}" height="{y_lo - y_hi:.1f}" '
            f'fill="{GRADE_FILL[grade]}" fill-opacity="0.45"/>'
        )
        if y_lo - y_hi >= FONT:
            parts.append(_text(WIDTH - RIGHT - 3, y_hi + FONT, text.grade(grade), "end", 12))
    for t in _ticks(top):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
        )
        parts.append(_text(LEFT - 4, y(t) + 4, str(t), "end", 12))
    line = simplify([((h.as_of - first).days, h.dpd) for h in history])
    coords = " ".join(f"{LEFT + plot_w * d / span:.1f},{y(v):.1f}" for d, v in line)
    if len(line) == 1:
        parts.append(
            f'<circle cx="{x(first):.1f}" cy="{y(history[0].dpd):.1f}" r="3" fill="{LINE}"/>'
        )
    else:
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2.5" '
            f'stroke-linejoin="round"/>'
        )
    for start, end, grade in grade_runs(history):  # the grade strip under the plot
        x0 = x(history[start].as_of)
        x1 = x(history[end + 1].as_of) if end + 1 < len(history) else WIDTH - RIGHT
        parts.append(
            f'<rect x="{x0:.1f}" y="{STRIP_TOP}" width="{max(x1 - x0, 1.5):.1f}" '
            f'height="{STRIP_HEIGHT}" fill="{GRADE_FILL[grade]}"/>'
        )
        if x1 - x0 >= 36:  # name the grade where its stretch is wide enough to read
            parts.append(_text(x0 + 2, STRIP_TOP + STRIP_HEIGHT - 2, text.grade(grade), size=10))
    parts.append(_text(LEFT, HEIGHT - 14, text.date(first)))
    if last != first:
        parts.append(_text(WIDTH - RIGHT, HEIGHT - 14, text.date(last), "end"))
    parts.append("</svg>")
    return "".join(parts)
