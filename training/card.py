"""Model card: one self-contained HTML file (inline CSS, PNG plots as data URIs) and Markdown.

Both come from Jinja templates beside this module (``templates/model_card.*.j2``), so the
wording and layout are edited as text, not as Python strings. Nothing in the HTML refers to the
network, so the card opens offline and can be attached to a review. Apart from the embedded
images the text depends only on the report, so two runs of the same training give the same
card text. Counts print as integers and rates as percentages.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from jinja2 import Environment, PackageLoader, StrictUndefined  # noqa: E402
from markupsafe import Markup  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

from training.search import SYMMETRIC  # noqa: E402

CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}td,th{border:1px solid #ccc;
padding:0.2rem 0.5rem;text-align:right}th{background:#f2f2f2}td:first-child{text-align:left}
img{max-width:100%;border:1px solid #eee}h1{font-size:1.6rem}h2{margin-top:2rem}
.warning{background:#fff4e5;border-left:4px solid #d97706;padding:0.5rem 0.8rem}
.headline{font-size:1.1rem}
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
    plots.update(_explanation_plots(report))
    return plots


def _beeswarm(
    values: np.ndarray[Any, Any], x: np.ndarray[Any, Any], names: list[str], top: int = 15
) -> str:
    """SHAP beeswarm: one row per feature, one dot per sampled holdout row at its contribution,
    coloured by the feature's value (blue low, red high; grey missing). shap's own plot draws
    the same; drawing it here keeps the card free of shap's import-time warnings and cost."""
    order = np.argsort(-np.mean(np.abs(values), axis=0))[:top][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(order) + 1.2))
    rng = np.random.default_rng(0)
    for row, j in enumerate(order):
        col = x[:, j]
        ok = ~np.isnan(col)
        lo, hi = (np.nanpercentile(col, 5), np.nanpercentile(col, 95)) if ok.any() else (0, 1)
        shade = np.clip((col - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
        jitter = rng.uniform(-0.3, 0.3, size=len(col))
        ax.scatter(values[~ok, j], row + jitter[~ok], s=6, color="#999999", alpha=0.6)
        ax.scatter(
            values[ok, j],
            row + jitter[ok],
            s=6,
            c=shade[ok],
            cmap="coolwarm",
            vmin=0.0,
            vmax=1.0,
            alpha=0.8,
        )
    ax.axvline(0.0, color="#555555", linewidth=0.8)
    ax.set_yticks(range(len(order)), [names[j] for j in order], fontsize=8)
    ax.set(
        xlabel="SHAP value (log-odds; right raises the risk)",
        title="Direction and size of each feature's effect",
    )
    return _png(fig)


def _explanation_plots(report: dict[str, Any]) -> dict[str, str]:
    """SHAP beeswarm (direction and size of each feature's effect) and partial dependence."""
    plots: dict[str, str] = {}
    arrays = report["_arrays"]
    if "shap" in arrays and len(arrays["shap"]):
        plots["beeswarm"] = _beeswarm(arrays["shap"], arrays["shap_x"], list(arrays["names"]))
    curves = report.get("pdp") or []
    if curves:
        cols = min(3, len(curves))
        rows = math.ceil(len(curves) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
        for ax in axes.flat[len(curves) :]:
            ax.set_visible(False)
        for ax, c in zip(axes.flat, curves, strict=False):
            arrow = "rises" if c["direction"] > 0 else "falls"
            ax.plot(c["grid"], [100 * v for v in c["pd"]], "o-", markersize=3)
            ax.set_title(f"{c['feature']}\n(declared: PD {arrow})", fontsize=8)
            ax.set_ylabel("mean PD (%)", fontsize=7)
            ax.tick_params(labelsize=7)
        fig.tight_layout()
        plots["pdp"] = _png(fig)
    return plots


COUNT_COLUMNS = frozenset(
    {
        "count",
        "bads",
        "rows",
        "bin",
        "decile",
        "train_rows",
        "holdout_rows",
        "features",
        "best_iteration",
        "excluded",
    }
)
RATE_COLUMNS = frozenset(
    {
        "predicted",
        "observed",
        "bad_rate",
        "approval_rate",
        "approved_bad_rate",
        "cumulative_capture",
        "mean_pd",
        "calibration_error",
        "ratio_to_best",
        "positive_rate",
    }
)
TWO_DECIMALS = frozenset({"odds", "lift"})


def cell(value: Any, column: str = "") -> str:
    """One table cell as a reader wants it: counts as integers, rates as percentages.

    Args:
        value: the number or text.
        column: the column (or metric) name, which says whether a number is a count or a rate.

    Returns:
        ``"1,234"``, ``"12.34%"``, ``"0.7761"`` or the text itself; ``"-"`` for nothing.
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if column in COUNT_COLUMNS and value.is_integer():
            return f"{int(value):,}"
        if column in RATE_COLUMNS:
            return f"{100 * value:.2f}%"
        if column in TWO_DECIMALS:
            return f"{value:.2f}"
        return f"{value:.4f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _html_table(rows: list[dict[str, Any]]) -> Markup:
    if not rows:
        return Markup("<p><em>none</em></p>")
    head = list(rows[0])
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(r[h], h))}</td>" for h in head) + "</tr>"
        for r in rows
    )
    return Markup(f"<table><tr>{th}</tr>{trs}</table>")


def _md_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "_none_\n"
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += [
        "| " + " | ".join(cell(r[h], h).replace("|", "\\|") for h in head) + " |" for r in rows
    ]
    return "\n".join(lines) + "\n"


INTENDED_USE = (
    "Ranks loan applications of Indonesian micro and small enterprises by their probability "
    "of reaching 90+ days past due (or write-off) within 12 months, to support a loan "
    "officer's decision; it does not replace it.",
    "Valid for applications like those it was trained on (same programs, period and data "
    "sources); watch drift (PSI) and the realised bad rate per band before relying on it "
    "elsewhere or later.",
    "Owner gender and province are never model inputs; they appear below only to report "
    "fairness. A four-fifths ratio below 0.8 between groups needs review before use.",
    "Reasons and recourse come from exact contributions of this model: they explain the "
    "model, not the world, and do not establish cause.",
)


def _param(value: Any) -> str:
    """A training parameter as it was set (``0.025``, ``10.0``, ``true``), not reformatted."""
    return json.dumps(value, sort_keys=True)


def _metric_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"metric": k, "value": v} for k, v in report["metrics"].items()]
    interval = report.get("auc_interval")
    if interval:
        rows.insert(
            1,
            {
                "metric": "auc 95% interval (DeLong)",
                "value": f"{interval['ci_low']:.4f} - {interval['ci_high']:.4f}",
            },
        )
    rows.append({"metric": "challenger_auc (WoE scorecard)", "value": report["challenger_auc"]})
    return [{"metric": r["metric"], "value": cell(r["value"], r["metric"])} for r in rows]


def _sections(report: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"heading": "Metrics on the holdout", "rows": _metric_rows(report), "plot": "roc",
         "plot_alt": "ROC curve"},
        {"heading": "Calibration by decile", "rows": report["calibration"],
         "plot": "calibration", "plot_alt": "calibration plot"},
        {"heading": "Score bands", "rows": report["bands"], "plot": "scores",
         "plot_alt": "score distribution by outcome"},
        {"heading": "Lift by decile", "rows": report["lift"]},
        {"heading": "Global importance (mean |SHAP|)", "plot": "importance",
         "plot_alt": "importance bars",
         "rows": [{"feature": n, "mean_abs_shap": v} for n, v in report["importance"]]},
        {"heading": "Direction of each feature's effect (SHAP beeswarm)", "plot": "beeswarm",
         "plot_alt": "SHAP beeswarm", "note": "Red dots are high values of the feature; dots "
         "right of 0 raise the risk."},
    ]  # fmt: skip
    if report.get("pdp"):
        out.append(
            {
                "heading": "Declared directions hold (partial dependence)",
                "plot": "pdp",
                "plot_alt": "partial dependence curves",
                "note": "Mean PD of a sample of holdout rows with one constrained feature "
                "set to each value; each curve must move only in its declared direction.",
                "rows": [
                    {
                        "feature": c["feature"],
                        "declared": "rises" if c["direction"] > 0 else "falls",
                        "pd_at_low": c["pd"][0],
                        "pd_at_high": c["pd"][-1],
                    }
                    for c in report["pdp"]
                ],
            }
        )
    for name, rows in report["fairness"].items():
        out.append(
            {
                "heading": f"Fairness by {name} (approve when PD <= {100 * report['cutoff']:.2f}%)",
                "rows": rows,
            }
        )
    params = report["params"]
    chosen = params.get("search", {}).get("chosen", [])
    symmetric = [c for c in chosen if c.get(SYMMETRIC)]
    note = None
    if symmetric:
        only = len(symmetric) == len(chosen)
        note = (
            "The model is symmetric trees (training.symmetric; their settings under 'symmetric'), "
            "written as LightGBM trees"
            + (": LightGBM's own parameters below were not used." if only else
               " and averaged with the LightGBM settings the search chose.")
        )  # fmt: skip
    out.append(
        {
            "heading": "Training parameters",
            "note": note,
            "rows": [{"parameter": k, "value": _param(params[k])} for k in sorted(params)],
        }
    )
    defaults: dict[str, Any] = {"note": None, "plot": None, "plot_alt": "", "rows": []}
    return [{**defaults, **section} for section in out]


def _context(report: dict[str, Any], title: str) -> dict[str, Any]:
    metrics = report["metrics"]
    interval = report.get("auc_interval")
    bads = report.get("holdout_bads", round(metrics["bad_rate"] * metrics["rows"]))
    data = {k: v for k, v in report["data"].items() if k != "missing_share"}
    return {
        "title": title,
        "css": CSS,
        "warnings": report.get("warnings", []),
        "headline": {
            "auc": f"{metrics['auc']:.4f}",
            "ci": f"{interval['ci_low']:.4f} - {interval['ci_high']:.4f}" if interval else None,
            "rows": cell(metrics["rows"], "rows"),
            "bads": f"{int(bads):,}",
            "bad_rate": cell(metrics["bad_rate"], "bad_rate"),
        },
        "intended_use": INTENDED_USE,
        "data_rows": [{"item": k, "value": cell(v, k)} for k, v in data.items()],
        "sections": _sections(report),
    }


_ENV: dict[str, Environment] = {}


def _template(name: str, autoescape: bool) -> Any:
    key = "html" if autoescape else "md"
    if key not in _ENV:
        env = Environment(
            loader=PackageLoader("training", "templates"),
            autoescape=autoescape,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        env.globals["table"] = _html_table if autoescape else _md_table
        _ENV[key] = env
    return _ENV[key].get_template(name)


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
    text: str = _template("model_card.html.j2", True).render(plots=plots, **_context(report, title))
    return text


def render_markdown(report: dict[str, Any], title: str) -> str:
    """Return the Markdown card (tables only; the plots live in the HTML card)."""
    text: str = _template("model_card.md.j2", False).render(**_context(report, title))
    return text


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
