"""Server-rendered SVG charts of the portfolio and model reports (no script, no library).

Each chart is an ``<svg role="img">`` with a title and a description in words; the page
also gives the figures in a table, so nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup, escape

from .charts import BAD, GOOD, INK, MUTED, NEUTRAL, WIDTH

SERIES_COLOURS = ("#0b5394", "#b3261e", "#1e7b34", "#8a4baf", "#b26b00", "#00838f", "#5d4037")


def _svg(height: int, title: str, desc: str, body: list[str], key: str) -> Markup:
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    key: str,
    label: Callable[[float], str],
    colours: Sequence[str] | None = None,
) -> Markup:
    """Horizontal bars, one row per (name, value), scaled to the largest value."""
    top = max((v for _n, v in bars), default=0.0) or 1.0
    x0, x1, row = 120.0, WIDTH - 96.0, 22
    body = []
    for i, (name, value) in enumerate(bars):
        y = 4 + i * row
        width = max(value / top * (x1 - x0), 0.0)
        colour = colours[i % len(colours)] if colours else NEUTRAL
        body.append(
            f'<text x="{x0 - 4}" y="{y + 14}" text-anchor="end" class="l">{escape(name)}</text>'
            f'<rect x="{x0}" y="{y + 3}" width="{max(width, 1.0):.1f}" height="15" '
            f'fill="{colour}"/><text x="{x0 + width + 4:.1f}" y="{y + 14}" class="l">'
            f"{escape(label(value))}</text>"
        )
    return _svg(8 + row * max(len(bars), 1), title, desc, body, key)


def line_chart(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    title: str,
    desc: str,
    key: str,
    x_label: str,
    y_label: Callable[[float], str],
    y_max: float | None = None,
    thresholds: Sequence[tuple[float, str]] = (),
) -> Markup:
    """Lines of (x, y) points per series, with a legend and optional horizontal thresholds."""
    points = [p for pts in series.values() for p in pts]
    x_hi = max((x for x, _y in points), default=1.0) or 1.0
    y_hi = y_max or max([y for _x, y in points] + [t for t, _n in thresholds] + [0.0]) or 1.0
    left, right, top, bottom = 54.0, WIDTH - 8.0, 8.0, 150.0

    def px(x: float) -> float:
        return left + x / x_hi * (right - left)

    def py(y: float) -> float:
        return bottom - min(y, y_hi) / y_hi * (bottom - top)

    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="l">{escape(y_label(y_hi))}'
        f'</text><text x="{left - 4}" y="{bottom}" text-anchor="end" class="l">'
        f"{escape(y_label(0.0))}</text>",
        f'<text x="{right}" y="{bottom + 14}" text-anchor="end" class="l">{escape(x_label)}</text>',
    ]
    for level, name in thresholds:
        colour = BAD if level == max(t for t, _n in thresholds) else INK
        body.append(
            f'<line x1="{left}" y1="{py(level):.1f}" x2="{right}" y2="{py(level):.1f}" '
            f'stroke="{colour}" stroke-dasharray="4 3"/><text x="{right - 2}" '
            f'y="{py(level) - 3:.1f}" text-anchor="end" class="l">{escape(name)}</text>'
        )
    legend_y = bottom + 30
    for i, (name, pts) in enumerate(series.items()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        lx, ly = 8 + (i % 3) * 118, legend_y + (i // 3) * 16
        body.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="{ly}" class="l">{escape(name)}</text>'
        )
    height = int(legend_y + ((len(series) + 2) // 3) * 16 + 4)
    return _svg(height, title, desc, body, key)


GRADE_COLOURS = (GOOD, "#7a9a01", "#b26b00", "#c2410c", BAD)
