"""Model card: one self-contained HTML file (inline CSS, PNG plots as data URIs) and Markdown.

Nothing in the HTML refers to the network, so the card opens offline and can be attached to
a review. Apart from the embedded images the text depends only on the report, so two runs of
the same training give the same card text.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}td,th{border:1px solid #ccc;
padding:0.2rem 0.5rem;text-align:right}th{background:#f2f2f2}td:first-child{text-align:left}
img{max-width:100%;border:1px solid #eee}h1{font-size:1.6rem}h2{margin-top:2rem}
"""


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def make_plots(report: dict[str, Any]) -> dict[str, str]:
    """Render the card's plots as PNG data URIs.

    Args:
        report: output of :func:`training.report.build_report`.

    Returns:
        plot name -> ``data:image/png;base64,...``.
    """
    y = report["_arrays"]["y"]
    pd = report["_arrays"]["pd"]
    score = report["_arrays"]["score"]
    plots: dict[str, str] = {}

    fig, ax = plt.subplots(figsize=(4.5, 4))
    fpr, tpr, _ = roc_curve(y, pd)
    ax.plot(fpr, tpr, label=f"model (AUC {report['metrics']['auc']:.3f})")
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend(loc="lower right")
    plots["roc"] = _png(fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    cal = report["calibration"]
    pred = [r["predicted"] for r in cal]
    obs = [r["observed"] for r in cal]
    top = max(max(pred), max(obs)) * 1.05
    ax.plot([0, top], [0, top], "--", color="grey")
    ax.plot(pred, obs, "o-")
    ax.set(xlabel="mean predicted PD", ylabel="observed bad rate", title="Calibration (deciles)")
    plots["calibration"] = _png(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = np.linspace(float(np.min(score)), float(np.max(score)), 40).tolist()
    ax.hist(score[y == 0], bins=bins, alpha=0.6, density=True, label="good")
    ax.hist(score[y == 1], bins=bins, alpha=0.6, density=True, label="bad")
    ax.set(xlabel="score points", ylabel="density", title="Score distribution by outcome")
    ax.legend()
    plots["scores"] = _png(fig)

    top_features = report["importance"][:20][::-1]
    fig, ax = plt.subplots(figsize=(6, 0.3 * len(top_features) + 1))
    ax.barh([n for n, _ in top_features], [v for _, v in top_features])
    ax.set(xlabel="mean |SHAP| (log-odds)", title="Global importance")
    plots["importance"] = _png(fig)
    return plots


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def _table_rows(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    head = list(rows[0]) if rows else []
    return head, [[_fmt(r[h]) for h in head] for r in rows]


def _html_table(rows: list[dict[str, Any]]) -> str:
    head, body = _table_rows(rows)
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><tr>{th}</tr>{trs}</table>"


def _md_table(rows: list[dict[str, Any]]) -> str:
    head, body = _table_rows(rows)
    if not head:
        return "_none_\n"
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines) + "\n"


def _sections(report: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]], str | None]]:
    metrics = dict(report["metrics"], challenger_auc=report["challenger_auc"])
    data = {k: v for k, v in report["data"].items() if k != "missing_share"}
    out: list[tuple[str, list[dict[str, Any]], str | None]] = [
        ("Metrics on the holdout", [{"metric": k, "value": v} for k, v in metrics.items()], "roc"),
        ("Calibration by decile", report["calibration"], "calibration"),
        ("Score bands", report["bands"], "scores"),
        ("Lift by decile", report["lift"], None),
        (
            "Global importance (mean |SHAP|)",
            [{"feature": n, "mean_abs_shap": v} for n, v in report["importance"]],
            "importance",
        ),
    ]
    for name, rows in report["fairness"].items():
        out.append((f"Fairness by {name} (approve PD <= {report['cutoff']:.4f})", rows, None))
    out.append(("Data", [{"item": k, "value": json.dumps(v)} for k, v in data.items()], None))
    params = report["params"]
    out.append(("Training parameters", [{"parameter": k, "value": json.dumps(params[k])}
                                        for k in sorted(params)], None))  # fmt: skip
    return out


def render_html(report: dict[str, Any], title: str, plots: dict[str, str] | None = None) -> str:
    """Return the self-contained HTML card.

    Args:
        report: output of :func:`training.report.build_report`.
        title: heading, e.g. the data set or model name.
        plots: pre-rendered plots (see :func:`make_plots`); rendered here when None.

    Returns:
        HTML text with inline CSS and embedded PNGs only.
    """
    plots = make_plots(report) if plots is None else plots
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>Model card: {html.escape(title)}</h1>",
    ]
    for heading, rows, plot in _sections(report):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if plot is not None:
            parts.append(f"<img alt='{plot}' src='{plots[plot]}'>")
        parts.append(_html_table(rows))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def render_markdown(report: dict[str, Any], title: str) -> str:
    """Return the Markdown card (tables only; the plots live in the HTML card)."""
    parts = [f"# Model card: {title}\n"]
    for heading, rows, _ in _sections(report):
        parts.append(f"## {heading}\n\n{_md_table(rows)}")
    return "\n".join(parts)


def write_card(report: dict[str, Any], out_dir: Path, title: str) -> tuple[Path, Path]:
    """Write ``model_card.html`` and ``model_card.md`` into ``out_dir``.

    Returns:
        (HTML path, Markdown path).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "model_card.html"
    md_path = out_dir / "model_card.md"
    html_path.write_text(render_html(report, title), encoding="utf-8")
    md_path.write_text(render_markdown(report, title), encoding="utf-8")
    return html_path, md_path
