"""Server-rendered SVG charts of the portfolio and model reports (no script, no library).

Each chart is an ``<svg role="img">`` with a title and a description in words; the page
also gives the figures in a table, so nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup, escape

from .charts import BAD, GOOD, INK, MUTED, NEUTRAL, WIDTH
from .i18n import lang

SERIES_COLOURS = ("#0b5394", "#b3261e", "#1e7b34", "#8a4baf", "#b26b00", "#00838f", "#5d4037")
LEFT_COLOUR = "#c5ced8"  # what is left of a quota: light, beside the used part in brand blue
# The name column of the horizontal charts is 116 of 360 units: about 16 letters at 12 px
# (capitals are wider; measured on the screenshots).
NAME_CHARS = 16


def short_rupiah(value: float) -> str:
    """An axis label that fits a narrow chart: ``Rp 125 jt`` / ``Rp 1,2 M`` in Bahasa
    Indonesia (juta, miliar), ``Rp 125 mn`` / ``Rp 1.2 bn`` in English."""
    indonesian = lang() == "id"
    for size, id_unit, en_unit in ((1e9, "M", "bn"), (1e6, "jt", "mn"), (1e3, "rb", "k")):
        if abs(value) >= size:
            number = f"{value / size:.1f}".rstrip("0").rstrip(".")
            number = number.replace(".", ",") if indonesian else number
            return f"Rp {number} {id_unit if indonesian else en_unit}"
    return f"Rp {value:.0f}"


def clip(text: str, n: int = NAME_CHARS) -> str:
    """``text`` cut to ``n`` characters with "…" (the row's <title> keeps the whole name)."""
    return text if len(text) <= n else text[: n - 1] + "…"


def _svg(
    height: int, title: str, desc: str, body: list[str], key: str, caption: bool = False
) -> Markup:
    """The chart's SVG; with ``caption`` the title is also written above it, for the eye."""
    above = f'<p class="chart-title" aria-hidden="true">{escape(title)}</p>' if caption else ""
    head = above + (
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
    threshold: tuple[float, str] | None = None,
    caption: bool = False,
) -> Markup:
    """Horizontal bars, one row per (name, value), scaled to the largest value (or the
    threshold, when it is larger); ``threshold`` draws a dashed line at (value, its name)."""
    top = max([v for _n, v in bars] + [threshold[0] if threshold else 0.0]) or 1.0
    x0, x1, row = 120.0, WIDTH - 96.0, 22
    body = []
    for i, (name, value) in enumerate(bars):
        y = 4 + i * row
        width = max(value / top * (x1 - x0), 0.0)
        colour = colours[i % len(colours)] if colours else NEUTRAL
        body.append(
            f"<g><title>{escape(name)}: {escape(label(value))}</title>"
            f'<text x="{x0 - 4}" y="{y + 14}" text-anchor="end" class="l">{escape(clip(name))}'
            f'</text><rect x="{x0}" y="{y + 3}" width="{max(width, 1.0):.1f}" height="15" '
            f'fill="{colour}"/><text x="{x0 + width + 4:.1f}" y="{y + 14}" class="l">'
            f"{escape(label(value))}</text></g>"
        )
    height = 8 + row * max(len(bars), 1)
    if threshold is not None:
        x = x0 + threshold[0] / top * (x1 - x0)
        body.append(
            f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{height - 2}" stroke="{BAD}" '
            f'stroke-width="2" stroke-dasharray="4 3"/>'
        )
        height += 16
        body.append(
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" class="l">'
            f"{escape(threshold[1])}</text>"
        )
    return _svg(height, title, desc, body, key, caption)


def legend_lines(names: Sequence[str]) -> int:
    """How many names a legend line holds: three short ones, or two longer ones."""
    return 3 if all(len(n) <= 14 for n in names) else 2


def _legend(names: Sequence[str], colours: Sequence[str], y: float) -> list[str]:
    """Legend squares, two or three to a line, from ``y`` down."""
    per_line = legend_lines(names)
    spacing = (WIDTH - 16) // per_line
    out = []
    for i, name in enumerate(names):
        lx, ly = 8 + (i % per_line) * spacing, y + (i // per_line) * 16
        out.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colours[i]}"/>'
            f'<text x="{lx + 14}" y="{ly}" class="l">{escape(clip(name, spacing // 7 - 2))}</text>'
        )
    return out


def grouped_bar_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    desc: str,
    key: str,
    label: Callable[[float], str],
    top: float | None = None,
    caption: bool = False,
) -> Markup:
    """Horizontal bars in groups: one group per category, one bar per series (e.g. financed
    and comparison side by side), all on one scale (``top``, else the largest value)."""
    names = list(series)
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(names))]
    scale = top or max((v for values in series.values() for v in values), default=0.0) or 1.0
    # category names ("12 months, workers", indicator names) are longer than the bars need
    x0, x1, bar = 150.0, WIDTH - 52.0, 13
    group = bar * len(names) + 8
    body = []
    for i, category in enumerate(categories):
        y = 4 + i * group
        body.append(
            f'<text x="{x0 - 4}" y="{y + bar * len(names) / 2 + 5:.1f}" text-anchor="end" '
            f'class="l">{escape(clip(category, 21))}</text>'
        )
        for j, name in enumerate(names):
            value = series[name][i]
            width = max(value / scale * (x1 - x0), 0.0)
            by = y + j * bar
            body.append(
                f"<g><title>{escape(category)}, {escape(name)}: {escape(label(value))}</title>"
                f'<rect x="{x0}" y="{by}" width="{max(width, 1.0):.1f}" height="{bar - 2}" '
                f'fill="{colours[j]}"/><text x="{x0 + width + 3:.1f}" y="{by + bar - 3}">'
                f"{escape(label(value))}</text></g>"
            )
    legend_y = 4 + group * max(len(categories), 1) + 12
    body.extend(_legend(names, colours, legend_y))
    per_line = legend_lines(names)
    height = int(legend_y + ((len(names) + per_line - 1) // per_line) * 16)
    return _svg(height, title, desc, body, key, caption)


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    parts: Sequence[str],
    *,
    title: str,
    desc: str,
    key: str,
    label: Callable[[float], str],
    colours: Sequence[str] = (NEUTRAL, LEFT_COLOUR),
    caption: bool = False,
) -> Markup:
    """One horizontal bar per row made of its parts end to end (e.g. quota used, then left),
    every row on the scale of the longest; the first part's value is written beside it."""
    totals = [sum(values) for _n, values in rows]
    scale = max(totals, default=0.0) or 1.0
    x0, x1, row = 120.0, WIDTH - 8.0, 34
    body = []
    for i, (name, values) in enumerate(rows):
        y = 4 + i * row
        x = x0
        words = ", ".join(f"{p}: {label(v)}" for p, v in zip(parts, values, strict=True))
        body.append(
            f"<g><title>{escape(name)}: {escape(words)}</title>"
            f'<text x="{x0 - 4}" y="{y + 13}" text-anchor="end" class="l">{escape(clip(name))}'
            "</text>"
        )
        for j, value in enumerate(values):
            width = max(value / scale * (x1 - x0), 0.0)
            if width > 0:
                body.append(
                    f'<rect x="{x:.1f}" y="{y + 2}" width="{width:.1f}" height="14" '
                    f'fill="{colours[j % len(colours)]}"/>'
                )
            x += width
        body.append(
            f'<text x="{x0}" y="{y + 29}">{escape(parts[0])}: {escape(label(values[0]))}</text></g>'
        )
    legend_y = 4 + row * max(len(rows), 1) + 12
    body.extend(_legend(parts, list(colours), legend_y))
    return _svg(int(legend_y + 8), title, desc, body, key, caption)


def column_chart(
    columns: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    desc: str,
    key: str,
    label: Callable[[float], str],
    caption: bool = False,
) -> Markup:
    """Vertical columns over time (months), each column the series stacked, with a legend.

    At most six column labels are written, so they never overlap at 360 px."""
    names = list(series)
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(names))]
    totals = [sum(series[n][i] for n in names) for i in range(len(columns))]
    scale = max(totals, default=0.0) or 1.0
    left, right, top, bottom = 76.0, WIDTH - 6.0, 10.0, 150.0  # "Rp 123,3 rb" fits
    slot = (right - left) / max(len(columns), 1)
    width = max(min(slot * 0.8, 36.0), 1.0)  # a month or two must not look like a wall
    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{MUTED}"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{escape(label(scale))}</text>',
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end">{escape(label(0.0))}</text>',
    ]
    for i, column in enumerate(columns):
        y = bottom
        parts = []
        for j, name in enumerate(names):
            h = series[name][i] / scale * (bottom - top)
            if h > 0:
                parts.append(
                    f'<rect x="{left + i * slot + (slot - width) / 2:.1f}" y="{y - h:.1f}" '
                    f'width="{width:.1f}" height="{h:.1f}" fill="{colours[j]}"/>'
                )
            y -= h
        body.append(
            f"<g><title>{escape(column)}: {escape(label(totals[i]))}</title>{''.join(parts)}</g>"
        )
    step = max(1, -(-len(columns) // 6))
    for i in range(0, len(columns), step):
        body.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{bottom + 14}" '
            f'text-anchor="middle">{escape(columns[i])}</text>'
        )
    legend_y = bottom + 34
    if len(names) > 1:
        body.extend(_legend(names, colours, legend_y))
        per_line = legend_lines(names)
        legend_y += ((len(names) + per_line - 1) // per_line) * 16
    return _svg(int(legend_y - 10), title, desc, body, key, caption)


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
    caption: bool = False,
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
    return _svg(height, title, desc, body, key, caption)


GRADE_COLOURS = (GOOD, "#7a9a01", "#b26b00", "#c2410c", BAD)
