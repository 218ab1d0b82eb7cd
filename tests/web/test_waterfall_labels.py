"""The waterfall's characteristic labels read in full: wrapped between words, never cut."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from creditapp.services.explanation import Step, Waterfall
from creditapp.web.charts import LABEL_CHARS, waterfall_svg, wrap_label

SVG = "{http://www.w3.org/2000/svg}"
# The longest texts of the catalogs (Bahasa Indonesia), which the old chart cut short.
LONG = {
    "spending vs income": "Pengeluaran dibanding pemasukan",
    "earlier cooperative loans": "Pinjaman koperasi sebelumnya",
    "cooperative savings record": "Catatan simpanan koperasi",
    "loan size": "Besar pinjaman",
}
# 12-unit letters are at most ~0.62 em wide in the sans-serif fonts the pages use: a label
# ending at x = 168 must start at or right of x = 0.
EM_WIDTH = 0.62 * 12


@given(st.lists(st.text("abcdefghij", min_size=1, max_size=15), min_size=1, max_size=6))
def test_wrapping_keeps_every_word_in_order(words: list[str]) -> None:
    text = " ".join(words)
    lines = wrap_label(text)
    assert " ".join(lines) == text
    assert all(len(line) <= LABEL_CHARS for line in lines)


def test_long_labels_are_whole_and_start_inside_the_chart(app: Flask) -> None:
    wf = Waterfall(
        base=560.0,
        steps=[Step(c, p) for c, p in zip(LONG, (-20.4, 15.2, -7.1, 2.0), strict=True)],
        score=560.0 - 20.4 + 15.2 - 7.1 + 2.0,
        consistent=True,
    )
    with app.test_request_context():
        svg = str(waterfall_svg(wf, LONG.__getitem__))
    root = ET.fromstring(svg)
    labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    shown = [" ".join(s.text or "" for s in t.iter(f"{SVG}tspan")) for t in labels]
    for full in LONG.values():
        assert full in shown
    for t in labels:
        for span in t.iter(f"{SVG}tspan"):
            assert 168 - len(span.text or "") * EM_WIDTH >= 0
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Pengeluaran dibanding pemasukan: -20" in titles
    # rows do not overlap: each label's first line sits below the previous row's last line
    ys = [float(t.get("y", "0")) for t in labels]
    heights = [len(list(t.iter(f"{SVG}tspan"))) for t in labels]
    for (y0, n0), y1 in zip(zip(ys, heights, strict=True), ys[1:], strict=False):
        assert y1 >= y0 + 13 * (n0 - 1) + 13
    height = float(root.get("viewBox", "0 0 0 0").split()[3])
    assert height >= ys[-1] + 13 * (heights[-1] - 1)
