"""Server-rendered SVG charts: no script, no chart library, legible at 360 px.

Each chart is an ``<svg role="img">`` with a title and a description that says in words what
the picture shows (screen readers read it); the page also gives the figures in a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..models import MarketplaceMonth
from ..services.explanation import MonthlyFlow, Waterfall
from .i18n import lang

GOOD, BAD, NEUTRAL, INK, MUTED = "#1e7b34", "#b3261e", "#0b5394", "#1f2933", "#52606d"
WIDTH = 360


def _svg(height: int, title: str, desc: str, body: list[str], key: str) -> Markup:
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# The waterfall's label column is 168 of the chart's 360 units; at 12 units per letter's
# height about 24 letters fit, so a longer label goes on to a second (third) line, whole.
LABEL_CHARS = 22


def wrap_label(text: str, width: int = LABEL_CHARS) -> list[str]:
    """Break ``text`` between words into lines of at most ``width`` characters.

    A single word longer than ``width`` keeps its own line (cut with "…" only if it could
    never fit), so every label reads in full; the row's <title> carries the whole text too.
    """
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(_clip(word, width + 4))
    return lines or [""]


def _points(value: float) -> str:
    return f"{value:+.0f}"


def waterfall_svg(wf: Waterfall, label: Callable[[str], str], min_points: float = 0.5) -> Markup:
    """Horizontal waterfall from the base value, one row per characteristic, to the score.

    Characteristics moving the score by less than ``min_points`` share one "other" row.
    """
    big = [s for s in wf.steps if abs(s.points) >= min_points]
    rest = sum(s.points for s in wf.steps if abs(s.points) < min_points)
    rows: list[tuple[str, float, float, str]] = [(_("Base value"), 0.0, wf.base, NEUTRAL)]
    level = wf.base
    for step in big:
        rows.append(
            (
                label(step.characteristic),
                level,
                level + step.points,
                GOOD if step.points > 0 else BAD,
            )
        )
        level += step.points
    if rest:
        rows.append((_("Other characteristics"), level, level + rest, GOOD if rest > 0 else BAD))
        level += rest
    rows.append((_("Score"), 0.0, level, NEUTRAL))
    ends = [v for _l, a, b, _c in rows[1:-1] for v in (a, b)] + [wf.base, level]
    low, high = min(ends), max(ends)
    pad = max(5.0, (high - low) * 0.08)
    low, high = low - pad, high + pad
    x0, x1 = 172.0, WIDTH - 30.0

    def x(v: float) -> float:
        return x0 + (v - low) / (high - low) * (x1 - x0)

    row_h, line_h = 21, 13
    body = []
    y = 4
    for i, (name, start, end, colour) in enumerate(rows):
        lines = wrap_label(name)
        height = row_h + line_h * (len(lines) - 1)
        if colour == NEUTRAL:
            left, right, text = x0, x(end), f"{end:.0f}"
        else:
            left, right, text = min(x(start), x(end)), max(x(start), x(end)), _points(end - start)
        spans = "".join(
            f'<tspan x="168" dy="{0 if n == 0 else line_h}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        body.append(
            f"<g><title>{escape(name)}: {text}</title>"
            f'<text x="168" y="{y + 14}" text-anchor="end" class="l">{spans}</text>'
            f'<rect x="{left:.1f}" y="{y + 3}" width="{max(right - left, 1.5):.1f}" height="15" '
            f'fill="{colour}"/><text x="{right + 3:.1f}" y="{y + 14}" class="l">{text}</text></g>'
        )
        if 0 < i < len(rows) - 1:
            body.append(
                f'<line x1="{x(end):.1f}" x2="{x(end):.1f}" y1="{y + 16}" y2="{y + height + 3}" '
                f'stroke="{MUTED}" stroke-width="1"/>'
            )
        y += height
    desc = _(
        "From the base value %(base).0f, each characteristic adds or removes points; "
        "the score is %(score).0f.",
        base=wf.base,
        score=level,
    )
    return _svg(y + 4, _("How the score was reached"), desc, body, "wf")


def _month_label(month: date) -> str:
    return str(format_date(month, "MMM yy"))


def _bars(
    months: Sequence[date], series: list[tuple[list[int], str]], height: int = 170
) -> tuple[list[str], float]:
    """Grouped monthly bars; returns the SVG parts and the top of the scale."""
    top = max([max(values, default=0) for values, _c in series] + [1])
    x0, x1, y0, y1 = 44.0, WIDTH - 6.0, 10.0, height - 24.0
    slot = (x1 - x0) / max(len(months), 1)
    width = max(slot * 0.8 / len(series), 1.0)
    body = [
        f'<line x1="{x0}" x2="{x1}" y1="{y1}" y2="{y1}" stroke="{MUTED}"/>',
        f'<text x="{x0 - 4}" y="{y0 + 8}" text-anchor="end">{_short(top)}</text>',
        f'<text x="{x0 - 4}" y="{y1}" text-anchor="end">0</text>',
    ]
    for i, _m in enumerate(months):
        for j, (values, colour) in enumerate(series):
            h = (y1 - y0) * values[i] / top
            body.append(
                f'<rect x="{x0 + i * slot + slot * 0.1 + j * width:.1f}" y="{y1 - h:.1f}" '
                f'width="{width:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
    step = max(1, -(-len(months) // 5))  # at most five labels: they must not overlap at 360 px
    for i in range(0, len(months), step):
        body.append(
            f'<text x="{x0 + i * slot:.1f}" y="{height - 8}">{_month_label(months[i])}</text>'
        )
    return body, top


def _short(amount: float) -> str:
    """Rupiah scale labels in millions: ``12 jt`` / ``12 M`` (fits the narrow axis)."""
    indonesian = lang() == "id"
    if amount >= 1_000_000:
        return f"{amount / 1_000_000:,.0f} {'jt' if indonesian else 'M'}"
    return f"{amount / 1000:,.0f} {'rb' if indonesian else 'k'}"


def flows_svg(flows: list[MonthlyFlow]) -> Markup:
    """Monthly inflows (green) and outflows (red)."""
    months = [f.month for f in flows]
    body, _top = _bars(
        months, [([f.inflow for f in flows], GOOD), ([f.outflow for f in flows], BAD)]
    )
    body.append(_legend([(GOOD, _("Inflows")), (BAD, _("Outflows"))], 184))
    desc = _("%(n)d months of account inflows and outflows.", n=len(flows))
    return _svg(192, _("Monthly inflows and outflows"), desc, body, "flows")


def marketplace_svg(months: list[MarketplaceMonth]) -> Markup:
    """Monthly marketplace sales (bars) and rating out of 5 (dots)."""
    days = [m.month for m in months]
    body, _top = _bars(days, [([m.gmv for m in months], NEUTRAL)])
    x0, slot = 44.0, (WIDTH - 50.0) / max(len(months), 1)
    for i, m in enumerate(months):
        if m.rating is not None:
            y = 146 - (136 * m.rating / 5)
            body.append(
                f'<circle cx="{x0 + i * slot + slot / 2:.1f}" cy="{y:.1f}" r="3" fill="{INK}"/>'
            )
    body.append(_legend([(NEUTRAL, _("Sales")), (INK, _("Rating (of 5)"))], 184))
    desc = _("%(n)d months of marketplace sales and ratings.", n=len(months))
    return _svg(192, _("Marketplace sales and rating"), desc, body, "mkt")


def savings_svg(months: list[tuple[date, str]]) -> Markup:
    """One square per month of mandatory savings: on time, late or missed."""
    colours = {"on_time": GOOD, "late": "#b7791f", "missed": BAD}
    size, per_row = 16, 18
    body = []
    for i, (_m, status) in enumerate(months):
        col, row = i % per_row, i // per_row
        shape = (
            f'<rect x="{8 + col * (size + 3)}" y="{8 + row * (size + 3)}" width="{size}" '
            f'height="{size}" fill="{colours.get(status, MUTED)}"/>'
        )
        if status == "missed":  # not by colour alone
            tx, ty = 12 + col * (size + 3), 20 + row * (size + 3)
            shape += f'<text x="{tx}" y="{ty}" fill="#fff">x</text>'
        body.append(shape)
    rows = (len(months) + per_row - 1) // per_row
    top = 26 + rows * (size + 3)
    body.append(
        _legend(
            [(GOOD, _("On time")), ("#b7791f", _("Late")), (BAD, _("Missed"))], top, spacing=100
        )
    )
    counts = {s: sum(1 for _m, x in months if x == s) for s in colours}
    desc = _(
        "%(on_time)d months paid on time, %(late)d late, %(missed)d missed.",
        on_time=counts["on_time"],
        late=counts["late"],
        missed=counts["missed"],
    )
    return _svg(top + 22, _("Cooperative savings punctuality"), desc, body, "sav")


def _legend(items: list[tuple[str, str]], y: float, spacing: int = 110) -> str:
    parts = []
    for i, (colour, text) in enumerate(items):
        x = 44 + i * spacing
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{y}">{escape(text)}</text>'
        )
    return "".join(parts)
