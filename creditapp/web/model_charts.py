"""Server-rendered SVG of the registry pages: AUCs with their intervals on one scale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup, escape

from .charts import INK, MUTED, NEUTRAL, WIDTH
from .i18n import lang


class Interval(Protocol):
    """An AUC with its interval (``training.delong.AucInterval`` has this shape)."""

    @property
    def auc(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...


def _num(value: float) -> str:
    text = f"{value:.3f}"
    return text.replace(".", ",") if lang() == "id" else text


def auc_intervals(
    rows: Sequence[tuple[str, Interval]], *, title: str, desc: str, key: str
) -> Markup:
    """One row per (label, interval): a bar from low to high and a dot at the AUC.

    The axis spans the intervals with a margin (not 0.5-1), so a difference of a hundredth
    shows; its ends are labelled, so the zoom is never hidden.
    """
    lo = min(i.low for _l, i in rows)
    hi = max(i.high for _l, i in rows)
    pad = max((hi - lo) * 0.15, 0.005)
    lo, hi = max(lo - pad, 0.0), min(hi + pad, 1.0)
    x0, x1, row = 110.0, WIDTH - 12.0, 30

    def x(v: float) -> float:
        return x0 + (v - lo) / ((hi - lo) or 1.0) * (x1 - x0)

    body = []
    for n, (label, i) in enumerate(rows):
        y = 10 + n * row
        body.append(
            f'<text x="{x0 - 6}" y="{y + 12}" text-anchor="end" class="l">{escape(label)}</text>'
            f'<line x1="{x(i.low):.1f}" x2="{x(i.high):.1f}" y1="{y + 8}" y2="{y + 8}" '
            f'stroke="{NEUTRAL}" stroke-width="4"/>'
            f'<circle cx="{x(i.auc):.1f}" cy="{y + 8}" r="5" fill="{INK}"/>'
            f'<text x="{x(i.auc):.1f}" y="{y + 26}" text-anchor="middle">{_num(i.auc)}</text>'
        )
    axis_y = 10 + len(rows) * row
    body.append(
        f'<line x1="{x0}" x2="{x1}" y1="{axis_y}" y2="{axis_y}" stroke="{MUTED}"/>'
        f'<text x="{x0}" y="{axis_y + 14}" fill="{MUTED}">{_num(lo)}</text>'
        f'<text x="{x1}" y="{axis_y + 14}" text-anchor="end" fill="{MUTED}">{_num(hi)}</text>'
    )
    height = axis_y + 20
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")
