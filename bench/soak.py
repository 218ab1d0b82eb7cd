"""Soak: gunicorn on PostgreSQL at 80% of the maximum throughput measured in the same run.

``python -m bench.soak [--quick]``. A throwaway PostgreSQL database (bench/pgdb.py) gets the
demo data; gunicorn serves it with the documented settings (gunicorn.conf.py, 2 sync
workers, worker recycling off so each worker's memory can be followed). A mix of requests
(score 40%, submit 15%, repayment 15%, reads 30%) first runs closed-loop at concurrency 8 to
measure the maximum; then paced clients hold 80% of it for the soak (full: 10 min; quick:
60 s all in). Worker memory (RSS) is read after the warm-up and at the end. The last line is
one JSON object: 5xx count (goal 0), p99, each worker's RSS growth (goal <= 5%).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.api import free_port, prepare_instance, wait_healthy
from bench.pgdb import throwaway_database

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONCURRENCY = 8
MIX = (("score", 40), ("submit", 15), ("repay", 15), ("read", 30))


def _request(
    kind: str, ctx: dict[str, Any], rng: random.Random, seq: str
) -> tuple[str, str, bytes | None, dict[str, str]]:
    headers = dict(ctx["headers"])
    if kind == "score":
        return "POST", "/api/v1/score", ctx["body"], headers
    if kind == "submit":
        return "POST", "/api/v1/applications", ctx["body"], headers
    if kind == "repay" and ctx["loans"]:
        loan = rng.choice(ctx["loans"])
        body = json.dumps({"amount": 10_000, "paid_on": ctx["today"]}).encode()
        headers["Idempotency-Key"] = f"soak-{seq}"
        return "POST", f"/api/v1/loans/{loan}/repayments", body, headers
    path = rng.choice(
        [
            "/api/v1/applications?limit=20",
            "/api/v1/programs",
            f"/api/v1/loans/{rng.choice(ctx['loans'] or [1])}",
        ]
    )
    return "GET", path, None, headers


def _client(
    args: tuple[dict[str, Any], int, float, float],
) -> list[tuple[float, float, int, str]]:
    """Send the mix for ``seconds``; ``interval`` > 0 paces the sends (open loop)."""
    ctx, worker, seconds, interval = args
    start = time.monotonic()  # here, not in the parent: a process may start late
    deadline = start + seconds
    rng = random.Random(worker * 7919 + int(start * 1000))
    kinds = [k for k, w in MIX for _ in range(w)]
    out: list[tuple[float, float, int, str]] = []
    next_at, n = time.monotonic(), 0
    while time.monotonic() < deadline:
        if interval > 0:
            wait = next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            next_at += interval
        kind = rng.choice(kinds)
        method, path, body, headers = _request(kind, ctx, rng, f"{worker}-{start:.6f}-{n}")
        n += 1
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", ctx["port"], timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except OSError:
            status = 599
        finally:
            conn.close()
        out.append((time.monotonic(), time.perf_counter() - t0, status, kind))
    return out


def drive(
    pool: Any, ctx: dict[str, Any], seconds: float, rps: float | None
) -> list[tuple[float, float, int, str]]:
    interval = CONCURRENCY / rps if rps else 0.0
    jobs = [(ctx, w, seconds, interval) for w in range(CONCURRENCY)]
    return [x for r in pool.map(_client, jobs) for x in r]


def worker_rss(master: int) -> dict[int, int]:
    """RSS (KiB) of each gunicorn worker (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    out = {}
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out[int(pid)] = int(line.split()[1])
    return out


def summarize(samples: list[tuple[float, float, int, str]], seconds: float) -> dict[str, Any]:
    lat = sorted(s[1] for s in samples)
    statuses = Counter(s[2] for s in samples)
    return {
        "requests": len(samples),
        "rps": round(len(samples) / seconds, 1),
        "p99_ms": round(1000 * lat[int(0.99 * (len(lat) - 1))], 1) if lat else None,
        "status_5xx": sum(v for k, v in statuses.items() if k >= 500),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="60 s in all instead of 10 min")
    args = parser.parse_args(argv)
    measure, warm, soak = (12.0, 8.0, 36.0) if args.quick else (30.0, 30.0, 540.0)
    from bench.scoring import dense_payload

    body = json.dumps(dense_payload(7)).encode()
    with throwaway_database("bench_soak") as engine, tempfile.TemporaryDirectory() as tmp:
        url = engine.url.render_as_string(hide_password=False)
        env = {**os.environ, "CREDITAPP_INSTANCE": str(Path(tmp) / "instance"),
               "DATABASE_URL": url, "OMP_NUM_THREADS": "1",
               "API_RATE_LIMIT_PER_MINUTE": "10000000"}  # fmt: skip
        key = prepare_instance(Path(tmp), env)
        with engine.connect() as conn:
            loans = [
                int(x)
                for x in conn.execute(
                    text(
                        "SELECT l.id FROM loans l JOIN lenders d ON d.id = l.lender_id "
                        "WHERE d.code = 'BANK-DEMO' AND l.status = 'active' "
                        "AND l.outstanding_principal > 0"
                    )
                ).scalars()
            ]
        port = free_port()
        cmd = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--max-requests", "0",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]  # fmt: skip
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
        try:
            wait_healthy(port, "/healthz")
            ctx = {"port": port, "body": body, "loans": loans,
                   "today": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600)),
                   "headers": {"Content-Type": "application/json",
                               "Authorization": f"Bearer {key}"}}  # fmt: skip
            with mp.get_context("spawn").Pool(CONCURRENCY) as pool:  # started once, warm
                drive(pool, ctx, 2.0, None)  # every client process up and connected
                maximum = summarize(drive(pool, ctx, measure, None), measure)
                target = 0.8 * maximum["rps"]
                warm_samples = drive(pool, ctx, warm, target)
                rss_start = worker_rss(proc.pid)
                samples = drive(pool, ctx, soak, target)
                rss_end = worker_rss(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result = summarize(samples, soak)
    growth = {
        str(pid): round(100 * (rss_end.get(pid, 0) - kib) / kib, 2)
        for pid, kib in rss_start.items()
    }
    figures = {
        "max_rps": maximum["rps"],
        "max_p99_ms": maximum["p99_ms"],
        "target_rps": round(target, 1),
        "achieved_rps": result["rps"],
        "soak_seconds": soak,
        "requests": result["requests"] + len(warm_samples),
        "status_5xx": result["status_5xx"] + summarize(warm_samples, warm)["status_5xx"],
        "p99_ms": result["p99_ms"],
        "statuses": result["statuses"],
        "rss_start_kib": {str(k): v for k, v in rss_start.items()},
        "rss_growth_pct": growth,
        "max_rss_growth_pct": max(growth.values()) if growth else None,
        "loans_repaid": len(loans),
    }
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
