"""``creditapp training``: dataset from the platform's loans, train -> registry -> promote and
roll back, compare with a swap set, drift against the stored baseline, bad data refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from creditapp.models import (
    Application,
    Disbursement,
    Loan,
    LoanStatus,
    ModelVersion,
    ScoreRecord,
    WriteOff,
)
from fixtures import generate_population
from fixtures.tables import Population
from loanmath.dates import add_months
from scoring.feature_spec import FEATURE_NAMES
from scoring.features import compute_features
from scoring.model import load_bundle
from scoring.raw import RawBatch, Transactions
from tests.factories import core
from training.psi import Baseline

# No historic book: these tests count the live demo's own score records and loans.
SEED_DEMO = ["seed-demo", "--enterprises", "60", "--max-loans", "14", "--historic", "0",
             "--seed", "5"]  # fmt: skip


def _last_json(output: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _write_dataset(path: Path, pop: Population, y: np.ndarray | None = None) -> Path:
    """A dataset file in the documented layout, from a synthetic population."""
    x = compute_features(pop.raw).values
    p = pop.raw.profiles
    cols: dict[str, Any] = {
        "application_id": pa.array(np.arange(1, pop.n + 1), pa.int64()),
        "applied_on": pa.array(p.as_of.astype("M8[D]")),
        "owner_gender": ["F" if f else "M" for f in p.owner_female.tolist()],
        "province": [str(v) for v in p.province.tolist()],
        "bad": pa.array(pop.defaulted.astype(np.int8) if y is None else y, pa.int8()),
    }
    cols.update({n: pa.array(x[:, j]) for j, n in enumerate(FEATURE_NAMES)})
    pq.write_table(pa.table(cols), path)
    return path


@pytest.fixture(scope="module")
def pop() -> Population:
    return generate_population(900, seed=21)


@pytest.fixture
def dataset(tmp_path: Path, pop: Population) -> Path:
    return _write_dataset(tmp_path / "train.parquet", pop)


def _expected_outcomes(session: Session, as_of: date) -> tuple[dict[int, int], int]:
    """The label rule, walked loan by loan in Python: {application id: bad}, excluded count."""
    labels, excluded = {}, 0
    for loan in session.scalars(select(Loan)):
        days = [
            d.disbursed_on
            for d in session.scalars(
                select(Disbursement).where(
                    Disbursement.loan_id == loan.id, Disbursement.status == "confirmed"
                )
            )
        ]
        if not days or min(days) > as_of:
            continue
        end = add_months(min(days), 12)
        if end > as_of:
            excluded += 1
            continue
        statuses = session.scalars(select(LoanStatus).where(LoanStatus.loan_id == loan.id))
        bad = any(s.dpd >= 90 and s.as_of <= end for s in statuses)
        offs = session.scalars(select(WriteOff).where(WriteOff.loan_id == loan.id))
        bad = bad or any(w.status == "approved" and w.approved_on <= end for w in offs)
        labels[loan.application_id] = int(bad)
    return labels, excluded


def test_build_dataset_on_the_demo_database(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    seeded = runner.invoke(args=SEED_DEMO)
    assert seeded.exit_code == 0, seeded.output
    for as_of in (date(2026, 10, 31), date(2025, 9, 30)):
        out = tmp_path / f"{as_of}.parquet"
        result = runner.invoke(
            args=["training", "build-dataset", "--as-of", str(as_of), "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        summary = _last_json(result.output)
        labels, excluded = _expected_outcomes(session, as_of)
        table = pq.read_table(out)
        got = dict(
            zip(
                table.column("application_id").to_pylist(),
                table.column("bad").to_pylist(),
                strict=True,
            )
        )
        assert got == labels
        assert summary["rows"] == len(labels) and summary["excluded"] == excluded
        assert summary["disbursed"] == len(labels) + excluded
        assert summary["bad"] == sum(labels.values())
        # One feature code path: each training row equals what the API stored when scoring.
        stored = dict(
            session.execute(select(ScoreRecord.application_id, ScoreRecord.features)).all()
        )
        for row in table.to_pylist():
            features = {n: None if row[n] != row[n] else round(row[n], 6) for n in FEATURE_NAMES}
            assert features == stored[row["application_id"]]
    # 2025-09-30 leaves the loans disbursed in the last 12 months out, not counted good
    assert excluded > 0


def _versions(session: Session, name: str) -> dict[str, bool]:
    rows = session.execute(
        select(ModelVersion.version, ModelVersion.is_champion).where(ModelVersion.name == name)
    )
    return {v: bool(c) for v, c in rows.all()}


def test_train_register_promote_rollback_and_compare(
    runner: FlaskCliRunner, session: Session, app: Flask, dataset: Path
) -> None:
    for version, seed in (("v1", "42"), ("v2", "7")):
        # 900 rows hold too few bads for the 50-bad minimum: --force, and the card says so
        result = runner.invoke(
            args=[
                "training",
                "train",
                "--dataset",
                str(dataset),
                "--name",
                "imk-test",
                "--version",
                version,
                "--seed",
                seed,
                "--promote",
                "--force",
            ]
        )
        assert result.exit_code == 0, result.output
        summary = _last_json(result.output)
        assert summary["split"] == "out-of-time" and summary["auc"] > 0.6
        assert summary["forced"] is True and summary["holdout_bads"] < 50
        assert summary["auc_ci_low"] < summary["auc"] < summary["auc_ci_high"]
    assert _versions(session, "imk-test") == {"v1": False, "v2": True}
    home = Path(app.config["MODEL_DIR"]) / "imk-test"
    bundle = load_bundle(home / "v2")
    assert bundle.name == "imk-test" and bundle.version == "v2"
    card = home / "v2.card"
    assert {p.name for p in card.iterdir()} == {"model_card.html", "model_card.md", "baseline.json"}
    assert "owner_gender" in (card / "model_card.md").read_text()
    assert "province" in (card / "model_card.md").read_text()
    # the product's features carry declared directions: the card plots them
    html = (card / "model_card.html").read_text()
    assert "Declared directions hold (partial dependence)" in html
    top = html.split("<h2>")[0]
    assert "Registered with --force" in top and top.count("Warning") == 1
    assert 'alt="partial dependence curves"' in html and 'alt="SHAP beeswarm"' in html
    baseline = Baseline.from_json((card / "baseline.json").read_text())
    assert set(baseline.edges) == {"score", *FEATURE_NAMES}

    rolled = runner.invoke(args=["models", "rollback", "imk-test"])
    assert rolled.exit_code == 0, rolled.output
    assert _versions(session, "imk-test") == {"v1": True, "v2": False}
    promoted = runner.invoke(args=["models", "promote", "imk-test", "v2"])
    assert promoted.exit_code == 0, promoted.output
    assert _versions(session, "imk-test") == {"v1": False, "v2": True}

    again = runner.invoke(
        args=[
            "training",
            "train",
            "--dataset",
            str(dataset),
            "--name",
            "imk-test",
            "--version",
            "v1",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output

    compared = runner.invoke(
        args=[
            "training",
            "compare",
            "imk-test",
            "v1",
            "v2",
            "--dataset",
            str(dataset),
            "--cutoff-band",
            "C",
        ]
    )
    assert compared.exit_code == 0, compared.output
    report = _last_json(compared.output)
    assert set(report["versions"]) == {"v1", "v2"}
    diff = report["auc_difference"]
    aucs = {v: report["versions"][v]["auc"] for v in ("v1", "v2")}
    assert diff["difference"] == pytest.approx(aucs["v2"] - aucs["v1"], abs=1e-5)
    assert diff["significant"] == (diff["p_value"] < 0.05) and "DeLong paired" in compared.output
    swap = report["swap"]
    total = (
        swap["both_approve"]
        + swap["both_decline"]
        + swap["a_approves_b_declines"]["count"]
        + swap["b_approves_a_declines"]["count"]
    )
    assert total == report["rows"] == round(900 * 0.2)
    rates = {v: report["versions"][v]["approval_rate"] for v in ("v1", "v2")}
    moved = swap["b_approves_a_declines"]["count"] - swap["a_approves_b_declines"]["count"]
    assert moved == pytest.approx((rates["v2"] - rates["v1"]) * report["rows"], abs=1e-3)


def _store_records(session: Session, bundle_dir: Path, raw: RawBatch, year_shift: int) -> None:
    """Applications scored by the bundle at ``bundle_dir`` (as intake would store them)."""
    bundle = load_bundle(bundle_dir)
    lender, program = core.lender(session), core.program(session)
    enterprise = core.enterprise(session, lender)
    fm = compute_features(raw)
    pd = bundle.pd(fm.values)
    score = bundle.score(pd)
    for i in range(raw.n):
        applied = date.fromordinal(int(raw.profiles.as_of[i]) + date(1970, 1, 1).toordinal())
        app_id = session.scalar(
            insert(Application)
            .returning(Application.id)
            .values(
                lender_id=lender.id,
                enterprise_id=enterprise.id,
                program_id=program.id,
                applied_on=applied.replace(year=applied.year + year_shift, day=1),
                requested_amount=10_000_000,
                tenor_months=12,
                purpose="working_capital",
            )
        )
        features = {
            n: None if v != v else round(v, 6)
            for n, v in zip(fm.names, fm.values[i].tolist(), strict=True)
        }
        session.add(
            ScoreRecord(
                application_id=app_id,
                model_name=bundle.name,
                model_version=bundle.version,
                feature_spec_version="imk-features-1",
                input_hash="-",
                features=features,
                quality={},
                margin=0.0,
                pd=float(pd[i]),
                score=int(round(score[i])),
                band="C",
                reasons=[],
                recourse=None,
                policy={},
                recommendation="refer",
                recommended_amount=0,
                recommended_tenor=12,
                result_json="{}",
            )
        )
    session.commit()


def test_drift_flags_shifted_records_and_not_stable_ones(
    runner: FlaskCliRunner, session: Session, app: Flask, dataset: Path
) -> None:
    trained = runner.invoke(
        args=[
            "training",
            "train",
            "--dataset",
            str(dataset),
            "--name",
            "imk-drift",
            "--version",
            "v1",
            "--promote",
            "--force",
        ]
    )
    assert trained.exit_code == 0, trained.output
    bundle_dir = Path(app.config["MODEL_DIR"]) / "imk-drift" / "v1"
    fresh = generate_population(900, seed=22).raw  # same population law, other enterprises
    _store_records(session, bundle_dir, fresh, year_shift=0)
    t = fresh.transactions
    # Sales collapse to a third while costs stay: inflows, margins and the score all move.
    poorer = Transactions(
        t.app,
        t.day,
        np.where(t.inflow, np.maximum(t.amount // 3, 1), t.amount),
        t.inflow,
        t.channel,
    )
    shifted = RawBatch(**{**fresh.__dict__, "transactions": poorer})
    _store_records(session, bundle_dir, shifted, year_shift=10)

    stable = runner.invoke(args=["training", "drift", "--until", "2030-01-01"])
    assert stable.exit_code == 0, stable.output
    report = _last_json(stable.output)
    assert report["records"] == 900 and report["version"] == "v1"
    assert report["max_psi"] < 0.1 and report["act"] == [] and report["watch"] == [], sorted(
        report["psi"].items(), key=lambda kv: -kv[1]
    )[:4]

    moved = runner.invoke(args=["training", "drift", "--since", "2030-01-01"])
    assert moved.exit_code == 0, moved.output
    report = _last_json(moved.output)
    assert report["psi"]["tx_avg_monthly_inflow"] > 0.25
    assert report["psi"]["score"] > 0.25 and "score" in report["act"]
    assert report["psi"]["workers"] < 0.1  # untouched features stay stable

    none = runner.invoke(args=["training", "drift", "--since", "2050-01-01"])
    assert none.exit_code != 0 and "no score records" in none.output


def test_drift_without_a_stored_baseline(
    runner: FlaskCliRunner, session: Session, tmp_path: Path, pop: Population
) -> None:
    assert runner.invoke(args=SEED_DEMO).exit_code == 0
    refused = runner.invoke(args=["training", "drift"])
    assert refused.exit_code != 0
    assert "no stored PSI baseline" in refused.output and "--baseline-dataset" in refused.output
    data = _write_dataset(tmp_path / "base.parquet", pop)
    built = runner.invoke(args=["training", "drift", "--baseline-dataset", str(data)])
    assert built.exit_code == 0, built.output
    report = _last_json(built.output)
    assert report["model"] == "imk-demo" and report["records"] == 60
    assert set(report["psi"]) == {"score", *FEATURE_NAMES}


@pytest.mark.parametrize("problem", ["missing target", "constant target", "too few rows"])
def test_a_bad_dataset_registers_nothing(
    runner: FlaskCliRunner,
    session: Session,
    app: Flask,
    tmp_path: Path,
    pop: Population,
    problem: str,
) -> None:
    path = _write_dataset(tmp_path / "bad.parquet", pop)
    table = pq.read_table(path)
    if problem == "missing target":
        table = table.drop_columns(["bad"])
        message = "no target column 'bad'"
    elif problem == "constant target":
        table = table.set_column(
            table.schema.get_field_index("bad"), "bad", pa.array(np.zeros(pop.n, np.int8))
        )
        message = "is constant"
    else:
        table = table.slice(0, 12)
        message = "training needs at least"
    pq.write_table(table, path)
    result = runner.invoke(
        args=["training", "train", "--dataset", str(path), "--name", "imk-bad", "--version", "v1"]
    )
    assert result.exit_code != 0
    assert message in result.output
    count = session.scalar(select(func.count()).where(ModelVersion.name == "imk-bad"))
    assert count == 0
    assert not (Path(app.config["MODEL_DIR"]) / "imk-bad" / "v1").exists()


def test_an_existing_bundle_folder_is_never_overwritten(
    runner: FlaskCliRunner, session: Session, app: Flask, dataset: Path
) -> None:
    leftover = Path(app.config["MODEL_DIR"]) / "imk-x" / "v1"
    leftover.mkdir(parents=True)
    (leftover / "note.txt").write_text("someone else's")
    result = runner.invoke(
        args=["training", "train", "--dataset", str(dataset), "--name", "imk-x", "--version", "v1"]
    )
    assert result.exit_code != 0 and "already exists" in result.output
    assert (leftover / "note.txt").read_text() == "someone else's"
    assert not (leftover.parent / "v1.card").exists()
    assert session.scalar(select(func.count()).where(ModelVersion.name == "imk-x")) == 0


def test_too_few_bads_in_the_holdout_is_refused_unless_forced(
    runner: FlaskCliRunner, session: Session, app: Flask, dataset: Path
) -> None:
    result = runner.invoke(
        args=[
            "training",
            "train",
            "--dataset",
            str(dataset),
            "--name",
            "imk-few",
            "--version",
            "v1",
        ]
    )
    assert result.exit_code != 0
    table = pq.read_table(dataset)
    assert "at least 50 are needed" in result.output
    # the message names the holdout's own numbers: 20% of the rows, and its bad count
    holdout = round(table.num_rows * 0.2)
    assert f"bad outcomes in {holdout} rows" in result.output
    assert session.scalar(select(func.count()).where(ModelVersion.name == "imk-few")) == 0
    assert not (Path(app.config["MODEL_DIR"]) / "imk-few").exists() or not any(
        (Path(app.config["MODEL_DIR"]) / "imk-few").iterdir()
    )


@pytest.mark.parametrize("budget", ["0", "-5"])
def test_a_time_budget_of_zero_or_less_is_refused(
    runner: FlaskCliRunner, session: Session, app: Flask, dataset: Path, budget: str
) -> None:
    args = ["training", "train", "--dataset", str(dataset), "--name", "imk-budget"]
    result = runner.invoke(args=[*args, "--version", "v1", "--time-budget", budget])
    assert result.exit_code != 0
    assert "--time-budget" in result.output and "x>0" in result.output
    assert not (Path(app.config["MODEL_DIR"]) / "imk-budget").exists()
