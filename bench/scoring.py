"""Scoring benchmark: the full request path and the batch path against bare references.

``python -m bench.scoring [--quick]`` on the demo model (fixtures/demo_model).

(a) single: one application with 24 months and >= 700 transaction records (a fixtures
    applicant whose transactions are split into smaller records with the same monthly sums)
    through ``score_application`` (parse, features, PD, score, band, contributions, reasons,
    policy, input hash; no recourse) vs the bare reference: the same model's ``predict`` +
    ``pred_contrib`` on a prepared float64 row, ``num_threads=1``. The two are timed in
    alternation so machine noise hits both alike; ``single_ratio`` = median full / median ref
    (target <= 1.5). Recourse is timed separately.
(b) batch: a fixtures population (100,000; quick 20,000) from ``RawBatch`` through
    ``score_batch`` (features, PD, score, band, contributions) vs a reference that aggregates
    the same columns directly in polars (monthly grid of transactions, per-application group-bys
    of every other table) + bare ``predict`` + ``pred_contrib`` on the prepared matrix.
    ``batch_ratio`` = our throughput / reference throughput (target >= 0.7).

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from fixtures import generate_population
from fixtures.payloads import application_payload
from scoring.features import compute_features
from scoring.model import ModelBundle, load_bundle
from scoring.parse import parse_application
from scoring.policy import kur_defaults
from scoring.raw import RawBatch
from scoring.result import score_application, score_batch

DEMO_MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "demo_model"
MIN_RECORDS = 700


def dense_payload(seed: int) -> dict[str, Any]:
    """A fixtures applicant with 24 months of history, records split to reach 700+."""
    pop = generate_population(3000, seed)
    fm = compute_features(pop.raw)
    counts = np.bincount(pop.raw.transactions.app, minlength=pop.n)
    full = np.flatnonzero(fm.months_history >= 24)
    i = int(full[np.argmax(counts[full])])
    payload = application_payload(pop, i)
    txs = payload["transactions"]
    parts = -(-MIN_RECORDS // len(txs))  # ceil
    dense: list[dict[str, Any]] = []
    for t in txs:
        amount = int(t["amount"])
        k = min(parts, amount)
        share = [amount // k + (1 if j < amount % k else 0) for j in range(k)]
        dense.extend({**t, "amount": a} for a in share)
    payload["transactions"] = dense
    return payload


def bench_single(bundle: ModelBundle, rounds: int) -> dict[str, float]:
    """Median seconds of the full path and the bare reference, timed in alternation."""
    payload = dense_payload(seed=2026)
    rules = kur_defaults()
    X = np.ascontiguousarray(compute_features(parse_application(payload)).values)
    booster = bundle.booster

    def reference() -> None:
        booster.predict(X, raw_score=True, num_threads=1)
        booster.predict(X, pred_contrib=True, num_threads=1)

    def full() -> None:
        score_application(bundle, payload, rules)

    for f in (reference, full):  # warm up
        f()
    ref_t, full_t, ref_cpu, full_cpu = [], [], [], []
    wall, cpu = time.perf_counter, time.process_time  # CPU time is less hurt by a busy box
    for _ in range(rounds):
        c0, t0 = cpu(), wall()
        reference()
        c1, t1 = cpu(), wall()
        full()
        c2, t2 = cpu(), wall()
        ref_t.append(t1 - t0)
        full_t.append(t2 - t1)
        ref_cpu.append(c1 - c0)
        full_cpu.append(c2 - c1)
    rec_t = []
    for _ in range(max(rounds // 20, 5)):
        t0 = time.perf_counter()
        score_application(bundle, payload, rules, with_recourse=True)
        rec_t.append(time.perf_counter() - t0)
    ref, med = statistics.median(ref_t), statistics.median(full_t)
    return {
        "single_records": len(payload["transactions"]),
        "single_ref_s": ref,
        "single_full_s": med,
        "single_ratio": med / ref,
        "single_cpu_ref_s": statistics.median(ref_cpu),
        "single_cpu_full_s": statistics.median(full_cpu),
        "single_cpu_ratio": statistics.median(full_cpu) / statistics.median(ref_cpu),
        "recourse_s": statistics.median(rec_t),
    }


def polars_reference_features(raw: RawBatch) -> pl.DataFrame:
    """The reference aggregation: the same grouped reductions written directly in polars."""
    tx = raw.transactions
    as_of = raw.profiles.as_of.astype("datetime64[D]")
    frame = pl.DataFrame(
        {
            "app": tx.app,
            "day": tx.day.astype("datetime64[D]"),
            "amount": tx.amount,
            "inflow": tx.inflow,
            "channel": tx.channel,
        }
    )
    asof = pl.DataFrame({"app": np.arange(raw.n, dtype=np.int32), "as_of": as_of})
    monthly = (
        frame.join(asof, on="app")
        .with_columns(
            rel=(pl.col("as_of").dt.year() * 12 + pl.col("as_of").dt.month())
            - (pl.col("day").dt.year() * 12 + pl.col("day").dt.month())
        )
        .filter((pl.col("rel") >= 1) & (pl.col("rel") <= 24))
        .group_by("app", "rel")
        .agg(
            inflow=pl.col("amount").filter(pl.col("inflow")).sum(),
            outflow=pl.col("amount").filter(~pl.col("inflow")).sum(),
            digital=pl.col("amount")
            .filter(pl.col("inflow") & pl.col("channel").is_in([1, 2]))
            .sum(),
            n_in=pl.col("inflow").sum(),
        )
        .with_columns(net=pl.col("inflow") - pl.col("outflow"))
    )
    per_app = monthly.group_by("app").agg(
        months=pl.col("rel").max(),
        active=pl.len(),
        mean_in=pl.col("inflow").sum() / pl.col("rel").max(),
        mean_net=pl.col("net").sum() / pl.col("rel").max(),
        sd_net=pl.col("net").std(ddof=0),
        neg=(pl.col("net") < 0).sum(),
        digital=pl.col("digital").sum() / pl.col("inflow").sum(),
        log_sd=pl.col("inflow").filter(pl.col("inflow") > 0).log().std(),
        n_in=pl.col("n_in").sum(),
    )
    out = asof.join(per_app, on="app", how="left")
    for name in (
        "marketplace",
        "savings",
        "coop_loans",
        "certifications",
        "partnerships",
        "exports",
    ):
        table = getattr(raw, name)
        cols = {f: getattr(table, f) for f in table.__dataclass_fields__}
        agg = (
            pl.DataFrame(cols)
            .group_by("app")
            .agg(
                [pl.len().alias(f"{name}_n")]
                + [pl.col(c).sum().alias(f"{name}_{c}") for c in cols if c != "app"]
            )
        )
        out = out.join(agg, on="app", how="left")
    return out.sort("app")


def bench_batch(bundle: ModelBundle, n: int) -> dict[str, float]:
    """Seconds for ``n`` applications: our batch path vs polars + bare LightGBM."""
    raw = generate_population(n, seed=99).raw
    booster = bundle.booster
    t0 = time.perf_counter()
    ours = score_batch(bundle, raw, with_contributions=True)
    t1 = time.perf_counter()
    ref_frame = polars_reference_features(raw)
    X = np.ascontiguousarray(ours.features.values)  # the prepared matrix
    booster.predict(X, raw_score=True, num_threads=1)
    booster.predict(X, pred_contrib=True, num_threads=1)
    t2 = time.perf_counter()
    # the two aggregations agree where they compute the same quantity
    mean_in = ref_frame["mean_in"].to_numpy()
    names = list(ours.features.names)
    assert np.allclose(mean_in, X[:, names.index("tx_avg_monthly_inflow")], equal_nan=True)
    ours_s, ref_s = t1 - t0, t2 - t1
    return {"batch_n": n, "batch_s": ours_s, "batch_ref_s": ref_s, "batch_ratio": ref_s / ours_s,
            "batch_rows_per_s": n / ours_s}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the figures; the last line is JSON."""
    ap = argparse.ArgumentParser(description="scoring benchmark")
    ap.add_argument("--quick", action="store_true", help="finish within 60 s")
    args = ap.parse_args(argv)
    bundle = load_bundle(DEMO_MODEL)
    single = bench_single(bundle, rounds=200 if args.quick else 1000)
    print(
        f"single: full {single['single_full_s'] * 1e3:.3f} ms vs ref "
        f"{single['single_ref_s'] * 1e3:.3f} ms, ratio {single['single_ratio']:.2f} "
        f"(CPU time ratio {single['single_cpu_ratio']:.2f}); "
        f"recourse {single['recourse_s'] * 1e3:.1f} ms"
    )
    batch = bench_batch(bundle, 20_000 if args.quick else 100_000)
    print(
        f"batch: {batch['batch_n']} in {batch['batch_s']:.2f} s vs ref "
        f"{batch['batch_ref_s']:.2f} s, throughput ratio {batch['batch_ratio']:.2f}"
    )
    print(json.dumps({**single, **batch, "trees": bundle.booster.num_trees()}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
