"""``creditapp training ...``: the data scientist's loop on the platform's own data.

``build-dataset`` labels loans from their outcomes and computes features with the very code
that scores the API (``raw_batch_for`` -> ``compute_features``); ``train`` fits the training
pipeline and writes bundle, card and PSI baseline, then registers (and optionally promotes)
the version; ``compare`` puts two versions side by side on the same rows; ``drift`` measures
the champion's recent scores against its training baseline.

The dataset layout and its checks live in ``training.dataset``, the comparison in
``training.compare``, so they can be called from Python; these commands parse options, call
them and print. Bad input exits with status 1 and a message naming the problem, having stored
nothing.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from tqdm import tqdm

from scoring.feature_spec import FEATURE_NAMES, FEATURE_SPEC_VERSION, MONOTONE_CONSTRAINTS
from scoring.features import compute_features
from training.dataset import TARGET, Dataset
from training.errors import TrainingInputError
from training.report import MIN_HOLDOUT_BADS

from ..models import Application, ModelVersion, ScoreRecord
from ..services import models
from ..services.audit import Actor
from ..services.outcomes import outcome_counts, outcome_labels
from ..services.rawdata import raw_batch_for
from .session import command_session, domain_errors

training_cli = AppGroup("training", help="Training sets, training, comparison and drift.")

FEATURE_CHUNK = 2_000  # applications per raw batch: bounds memory on large portfolios
PSI_WATCH, PSI_ACT = 0.1, 0.25
Day = click.DateTime(["%Y-%m-%d"])


def training_errors(fn: Callable[..., None]) -> Callable[..., None]:
    """Refused business rules and refused training input as clear CLI errors (exit code 1)."""
    checked = domain_errors(fn)

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> None:
        try:
            checked(*args, **kwargs)
        except TrainingInputError as exc:
            raise click.ClickException(exc.message) from None

    return wrapper


def _emit(result: dict[str, Any]) -> None:
    click.echo(json.dumps(result, sort_keys=True, default=str))


@training_cli.command("build-dataset")
@click.option("--as-of", "as_of", type=Day, required=True, help="Observation date.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--bad-dpd", default=90, show_default=True, type=click.IntRange(1))
@click.option("--window-months", default=12, show_default=True, type=click.IntRange(1))
@domain_errors
def build_dataset(as_of: datetime, out: Path, bad_dpd: int, window_months: int) -> None:
    """Write features + outcome of every loan whose outcome window is observed."""
    day = as_of.date()
    with command_session() as session:
        labels = outcome_labels(session, day, bad_dpd=bad_dpd, window_months=window_months)
        counts = outcome_counts(session, day, bad_dpd=bad_dpd, window_months=window_months)
        ids = labels.application_ids.tolist()
        parts, profiles = [], []
        with tqdm(total=len(ids), desc="features", unit="app", disable=not ids) as bar:
            for lo in range(0, len(ids), FEATURE_CHUNK):
                raw = raw_batch_for(session, ids[lo : lo + FEATURE_CHUNK])
                parts.append(compute_features(raw).values)
                profiles.append(raw.profiles)
                bar.update(raw.n)
    click.echo(
        f"loans disbursed by {day}: {counts.disbursed}; observed {window_months} months "
        f"(labelled): {counts.observed}; excluded (disbursed too recently): "
        f"{counts.excluded}"
    )
    if not ids:
        raise click.ClickException(
            f"no loan has a fully observed {window_months}-month outcome window by {day}"
        )
    x = np.vstack(parts)
    columns: dict[str, Any] = {
        "application_id": pa.array(labels.application_ids, pa.int64()),
        "applied_on": pa.array(np.concatenate([p.as_of for p in profiles]).astype("M8[D]")),
        "owner_gender": [("F" if f else "M") for p in profiles for f in p.owner_female.tolist()],
        "province": [str(v) for p in profiles for v in p.province.tolist()],
        TARGET: pa.array(labels.bad, pa.int8()),
    }
    columns.update({n: pa.array(x[:, j], pa.float64()) for j, n in enumerate(FEATURE_NAMES)})
    meta = {"imk.as_of": day.isoformat(), "imk.bad_dpd": str(bad_dpd),
            "imk.window_months": str(window_months),
            "imk.feature_spec_version": FEATURE_SPEC_VERSION}  # fmt: skip
    table = pa.table(columns).replace_schema_metadata(meta)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, out)  # never a half-written dataset under the real name
    bad_rate = float(labels.bad.mean())
    click.echo(f"dataset: {len(ids)} rows, {int(labels.bad.sum())} bad ({bad_rate:.1%}) -> {out}")
    _emit(
        {
            "out": str(out),
            "rows": len(ids),
            "bad": int(labels.bad.sum()),
            "bad_rate": round(bad_rate, 6),
            "disbursed": counts.disbursed,
            "excluded": counts.excluded,
            "as_of": day.isoformat(),
        }
    )


def _fit(
    data: Dataset, name: str, version: str, seed: int, threads: int, time_budget: float = 600.0
) -> tuple[Any, ...]:
    """Train and evaluate; returns (model, report, manifest fields)."""
    from training.population import bundle_manifest, numeric_encoder
    from training.report import build_report
    from training.train import train_matrix

    train, test, how = data.split(seed)
    monotone = dict(zip(FEATURE_NAMES, MONOTONE_CONSTRAINTS, strict=True))
    model = train_matrix(
        data.x[train],
        data.y[train],
        numeric_encoder(FEATURE_NAMES),
        dates=data.days[train],
        seed=seed,
        num_threads=threads,
        monotone=monotone,
        time_budget=time_budget,
    )
    description = {"source": data.path.name, "as_of": data.as_of.isoformat(),
                   "rows": len(data.y), "train_rows": len(train), "holdout_rows": len(test),
                   "split": how, "bad_rate": round(float(data.y.mean()), 6),
                   "features": len(FEATURE_NAMES), "feature_spec_version": FEATURE_SPEC_VERSION,
                   **{k: v for k, v in data.meta.items() if k.startswith("imk.")}}  # fmt: skip
    groups = {"owner_gender": data.gender[test], "province": data.province[test]}
    report = build_report(
        model,
        data.x[train],
        data.y[train],
        data.x[test],
        data.y[test],
        description,
        groups=groups,
        seed=seed,
    )
    holdout_pd = report["_arrays"]["pd"]
    manifest = bundle_manifest(
        model, data.x, data.y, holdout_pd, data.y[test], report, data.as_of, seed, len(data.y)
    )
    manifest.update(name=name, version=version, created=data.as_of.isoformat())
    manifest["training"].update(dataset=data.path.name, split=how, holdout_rows=len(test))
    # The registry lists each version's AUC with its interval and its holdout's bad count.
    interval = report["auc_interval"]
    if interval is not None:
        manifest["metrics"].update(auc_ci_low=interval["ci_low"], auc_ci_high=interval["ci_high"])
    manifest["metrics"]["holdout_bads"] = report["holdout_bads"]
    return model, report, manifest


@training_cli.command("train")
@click.option("--dataset", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--name", required=True)
@click.option("--version", required=True)
@click.option("--seed", default=42, show_default=True)
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1))
@click.option(
    "--time-budget",
    default=600.0,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help="Seconds for the settings search.",
)
@click.option("--promote", is_flag=True, help="Make the new version the champion.")
@click.option(
    "--force",
    is_flag=True,
    help=f"Register even when the holdout has fewer than {MIN_HOLDOUT_BADS} bad "
    "outcomes (the card then says so at the top).",
)
@training_errors
def train(
    dataset: Path,
    name: str,
    version: str,
    seed: int,
    threads: int,
    time_budget: float,
    promote: bool,
    force: bool,
) -> None:
    """Train on a dataset; write bundle, card and baseline; register (and promote)."""
    from scoring.bundle import write_bundle
    from training.card import write_card

    if not name.strip() or "/" in name + version or version.startswith("."):
        raise click.ClickException("name and version must be plain folder names")
    data = Dataset.read(dataset)
    data.check_trainable()
    home = Path(current_app.config["MODEL_DIR"]) / name
    bundle_dir, card_dir = home / version, home / f"{version}.card"
    with command_session() as session:
        known = session.scalar(
            select(ModelVersion.id).where(
                ModelVersion.name == name, ModelVersion.version == version
            )
        )
    if known is not None or bundle_dir.exists() or card_dir.exists():
        raise click.ClickException(f"{name} {version} already exists; versions are immutable")
    from training.monotone import MonotoneViolation

    with tqdm(total=3, desc="train") as bar:
        try:
            model, report, manifest = _fit(data, name, version, seed, threads, time_budget)
        except MonotoneViolation as exc:  # nothing was written yet
            raise click.ClickException(str(exc)) from None
        bads, holdout = report["holdout_bads"], report["data"]["holdout_rows"]
        if bads < MIN_HOLDOUT_BADS:
            if not force:  # nothing was written yet
                raise click.ClickException(
                    f"the holdout has {bads} bad outcomes in {holdout} rows; at least "
                    f"{MIN_HOLDOUT_BADS} are needed to judge a model (its AUC interval would "
                    "be too wide). Build the dataset over a longer period, or pass --force to "
                    "register it anyway with a warning on its card."
                )
            # One warning, not two: the report's own says why few bads matter.
            report["warnings"] = [
                f"Registered with --force although the holdout has only {bads} bad outcomes "
                f"(fewer than {MIN_HOLDOUT_BADS}): its AUC and calibration are too uncertain "
                "to judge this model."
            ] + [w for w in report["warnings"] if not w.startswith("The holdout holds only")]
        bar.update()
        home.mkdir(parents=True, exist_ok=True)
        card_tmp = Path(tempfile.mkdtemp(prefix=f".{version}.card.", dir=home))
        written: list[Path] = [card_tmp]
        try:
            write_card(report, card_tmp, f"{name} {version}")
            (card_tmp / "baseline.json").write_text(report["baseline"], encoding="utf-8")
            bar.update()
            write_bundle(bundle_dir, model.model_text(), manifest)  # atomic, refuses overwrite
            written.append(bundle_dir)
            os.rename(card_tmp, card_dir)
            written.append(card_dir)
            with command_session() as session:
                mv = models.register(session, Actor.system(), bundle_dir, trained_on=data.as_of)
                registered_path = mv.path
                if promote:
                    models.promote(session, Actor.system(), name, version)
            bar.update()
        except BaseException:
            for path in written:  # nothing half-made survives a failure
                shutil.rmtree(path, ignore_errors=True)
            raise
    metrics = report["metrics"]
    ci = report["auc_interval"] or {"ci_low": None, "ci_high": None}
    interval = "" if ci["ci_low"] is None else f" (95% {ci['ci_low']:.4f}-{ci['ci_high']:.4f})"
    click.echo(
        f"registered {name} {version}{' (champion)' if promote else ''}: "
        f"AUC {metrics['auc']:.4f}{interval} on {report['data']['holdout_rows']} holdout "
        f"rows with {report['holdout_bads']} bads ({report['data']['split']})"
    )
    _emit(
        {
            "name": name,
            "version": version,
            "path": registered_path,
            "card": str(card_dir),
            "promoted": promote,
            "split": report["data"]["split"],
            "dataset_rows": len(data.y),
            "holdout_bads": report["holdout_bads"],
            "auc_ci_low": ci["ci_low"],
            "auc_ci_high": ci["ci_high"],
            "forced": bool(force and report["holdout_bads"] < MIN_HOLDOUT_BADS),
            **metrics,
        }
    )


def _registered(name: str, version: str) -> Path:
    with command_session() as session:
        path = session.scalar(
            select(ModelVersion.path).where(
                ModelVersion.name == name, ModelVersion.version == version
            )
        )
    if path is None:
        raise click.ClickException(f"{name} {version} is not registered")
    return Path(path)


@training_cli.command("compare")
@click.argument("name")
@click.argument("version_a")
@click.argument("version_b")
@click.option("--dataset", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--rows",
    type=click.Choice(["holdout", "all"]),
    default="holdout",
    show_default=True,
    help="holdout: the rows `train --seed` held out.",
)
@click.option("--seed", default=42, show_default=True)
@click.option("--cutoff-band", default="C", show_default=True, help="Approve at or better.")
@training_errors
def compare(
    name: str, version_a: str, version_b: str, dataset: Path, rows: str, seed: int, cutoff_band: str
) -> None:
    """Score two versions on the same rows: metrics side by side and the swap set."""
    from scoring.model import load_bundle
    from training.compare import METRIC_KEYS, compare_on_dataset

    data = Dataset.read(dataset)
    data.check_trainable()
    a, b = (load_bundle(_registered(name, v)) for v in (version_a, version_b))
    cmp = compare_on_dataset(a, b, data, rows=rows, seed=seed, cutoff_band=cutoff_band)
    result = cmp.to_dict() | {"name": name}
    click.echo(f"{name}: {cmp.rows} {rows} rows, approve at band {cutoff_band} or better")
    click.echo(f"{'metric':20}{version_a:>24}{version_b:>24}")
    for k in (*METRIC_KEYS, "approval_rate"):
        va, vb = (result["versions"][v][k] for v in (version_a, version_b))
        click.echo(f"{k:20}{va:>24.4f}{vb:>24.4f}")
    test = cmp.test
    verdict = "significant" if test.significant else "not significant"
    click.echo(
        f"AUC {version_b} - {version_a}: {test.difference:+.4f} (95% {test.low:+.4f} to "
        f"{test.high:+.4f}, DeLong paired p = {test.p_value:.3f}: {verdict})"
    )
    for label, group in (("swap-in (B only)", cmp.swap_in), ("swap-out (A only)", cmp.swap_out)):
        rate = group.bad_rate
        click.echo(
            f"{label:20}{group.count:>10} rows, bad rate {'-' if rate is None else f'{rate:.1%}'}"
        )
    _emit(result)


def _records(champion: ModelVersion, since: date | None, until: date | None) -> list[Any]:
    stmt = (
        select(ScoreRecord.score, ScoreRecord.features)
        .join(Application, Application.id == ScoreRecord.application_id)
        .where(
            ScoreRecord.model_name == champion.name, ScoreRecord.model_version == champion.version
        )
    )
    if since:
        stmt = stmt.where(Application.applied_on >= since)
    if until:
        stmt = stmt.where(Application.applied_on <= until)
    with command_session() as session:
        return list(session.execute(stmt).all())


def _as_stored(baseline: Any) -> Any:
    """The baseline with its bin edges rounded as score records store values (features to 6
    decimals, the score to whole points). Rounding is monotone, so a value at or above an edge
    stays so; without this, a discrete feature sitting on an edge (a share of 1/3) rounds
    down into the bin below and shows as drift that is not there."""
    from training.psi import Baseline

    edges = {
        k: [float(round(e)) if k == "score" else round(e, 6) for e in v]
        for k, v in baseline.edges.items()
    }
    return Baseline(edges=edges, shares=baseline.shares)


@training_cli.command("drift")
@click.option("--name", default=None, help="Model name (default: the champion of any name).")
@click.option("--since", type=Day, default=None, help="First application date read.")
@click.option("--until", type=Day, default=None, help="Last application date read.")
@click.option(
    "--baseline-dataset",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Build the baseline from this dataset when none is stored.",
)
@training_errors
def drift(
    name: str | None, since: datetime | None, until: datetime | None, baseline_dataset: Path | None
) -> None:
    """PSI of the champion's recent scores and features against its training baseline."""
    from scoring.model import load_bundle
    from training.psi import Baseline

    with command_session() as session:
        champion = models.champion(session, name)
        if champion is None:
            raise click.ClickException("no champion model")
        session.expunge(champion)
    label = f"{champion.name} {champion.version}"
    stored = Path(champion.path).parent / f"{champion.version}.card" / "baseline.json"
    if stored.is_file():
        baseline, source = Baseline.from_json(stored.read_text(encoding="utf-8")), str(stored)
    elif baseline_dataset is not None:
        data = Dataset.read(baseline_dataset)
        bundle = load_bundle(champion.path)
        columns = {"score": bundle.score(bundle.pd(data.x))}
        columns.update({n: data.x[:, j] for j, n in enumerate(FEATURE_NAMES)})
        baseline, source = Baseline.fit(columns), str(baseline_dataset)
    else:
        raise click.ClickException(
            f"champion {label} has no stored PSI baseline ({stored} is missing; models trained "
            "elsewhere, like the demo model, have none): pass --baseline-dataset FILE"
        )
    rows = _records(champion, since.date() if since else None, until.date() if until else None)
    if not rows:
        raise click.ClickException(f"no score records of {label} in the chosen period")
    columns = {"score": np.array([r[0] for r in rows], dtype=np.float64)}
    for n in FEATURE_NAMES:
        columns[n] = np.array([r[1].get(n) for r in rows], dtype=np.float64)  # None -> NaN
    psi = {k: round(v, 6) for k, v in _as_stored(baseline).psi(columns).items()}
    act = sorted(k for k, v in psi.items() if v >= PSI_ACT)
    watch = sorted(k for k, v in psi.items() if PSI_WATCH <= v < PSI_ACT)
    click.echo(f"{label}: {len(rows)} score records against {source}")
    for k, v in sorted(psi.items(), key=lambda kv: -kv[1]):
        flag = "ACT" if v >= PSI_ACT else ("watch" if v >= PSI_WATCH else "")
        click.echo(f"{k:36}{v:10.4f}  {flag}")
    _emit(
        {
            "model": champion.name,
            "version": champion.version,
            "records": len(rows),
            "baseline": source,
            "psi": psi,
            "watch": watch,
            "act": act,
            "max_psi": max(psi.values(), default=0.0),
        }
    )
