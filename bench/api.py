"""API benchmark: POST /api/v1/score under gunicorn vs a bare reference under the same settings.

``python -m bench.api [--quick]``. Both servers run with the documented settings (2 sync
workers, OMP_NUM_THREADS=1) on 127.0.0.1 and are loaded in turn by a separate load-generator
process at concurrency 8 with the same full payload (24 months, 700+ transactions). The
reference only parses the JSON and runs the same model's predict + pred_contrib on a prepared
row. Each server first gets 200 requests of the same load, unmeasured, so both are measured
booted and warm. ``throughput_ratio`` = product req/s / reference req/s (target >= 0.6). The
last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONCURRENCY = 8
WORKERS = 2
WARMUP_REQUESTS = 25  # per load-generator client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server on {port} did not come up")


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
           "--worker-class", "sync", "--log-level", "warning", app]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def _client(args: tuple[int, bytes, dict[str, str], float, int]) -> list[tuple[float, int]]:
    """One load-generator thread of work: POST until the deadline or the request budget."""
    port, body, headers, deadline, budget = args
    out: list[tuple[float, int]] = []
    while time.monotonic() < deadline and len(out) < budget:
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", "/api/v1/score", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except OSError:
            status = 599
        finally:
            conn.close()
        out.append((time.perf_counter() - t0, status))
    return out


def _ready(barrier: Any) -> None:
    """Wait at ``barrier`` until every client process (and the driver) has arrived."""
    barrier.wait(timeout=120)


def load(
    port: int, body: bytes, headers: dict[str, str], seconds: float, budget: int = 100_000
) -> dict[str, float]:
    """Drive ``port`` at concurrency 8 from separate processes for ``seconds`` (or until each
    client has sent ``budget`` requests)."""
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(CONCURRENCY) as pool:
        # The clock starts once every client process is up: spawning 8 interpreters takes
        # seconds on a loaded box and would otherwise eat into one server's window only.
        # Each of the 8 waits at a barrier of 9, so each runs in a process of its own.
        barrier = manager.Barrier(CONCURRENCY + 1)
        waiting = pool.map_async(_ready, [barrier] * CONCURRENCY, chunksize=1)
        barrier.wait(timeout=120)
        waiting.get(timeout=30)
        deadline = time.monotonic() + seconds
        jobs = [(port, body, headers, deadline, budget)] * CONCURRENCY
        t0 = time.perf_counter()
        results = pool.map(_client, jobs, chunksize=1)
        wall = time.perf_counter() - t0
    lat = sorted(x for r in results for x, _ in r)
    statuses = [s for r in results for _, s in r]
    return {
        "requests": len(lat),
        "rps": len(lat) / wall,
        "p50_ms": 1000 * statistics.median(lat),
        "p99_ms": 1000 * lat[int(0.99 * (len(lat) - 1))],
        "non_2xx": sum(1 for s in statuses if not 200 <= s < 300),
    }


def prepare_instance(work: Path, env: dict[str, str]) -> str:
    """Create a product instance with the demo model and return an API key."""

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        cmd = [str(BIN / "creditapp"), *args]
        return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)

    run("db", "upgrade")
    run("seed-demo", "--enterprises", "10", "--historic", "0")
    key = run("create-api-key", "--lender", "BANK-DEMO", "--name", "bench").stdout
    return key.decode().strip().splitlines()[0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="8 s per server instead of 30 s")
    args = parser.parse_args(argv)
    seconds = 8.0 if args.quick else 30.0
    from bench.scoring import dense_payload

    payload = dense_payload(7)
    body = json.dumps(payload).encode()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CREDITAPP_INSTANCE": str(Path(tmp) / "instance"),
               "OMP_NUM_THREADS": "1", "API_RATE_LIMIT_PER_MINUTE": "10000000"}  # fmt: skip
        key = prepare_instance(Path(tmp), env)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        figures: dict[str, Any] = {"transactions": len(payload["transactions"]),
                                   "concurrency": CONCURRENCY, "workers": WORKERS}  # fmt: skip
        # Alternate reference and product twice so drift on a shared machine hits both.
        rounds: dict[str, list[dict[str, float]]] = {"reference": [], "product": []}
        for _ in range(2):
            for name, app_path in (
                ("reference", "bench._api_reference:app"),
                ("product", "wsgi:app"),
            ):
                port = free_port()
                proc = gunicorn(app_path, port, env)
                try:
                    wait_healthy(port, "/healthz" if name == "product" else "/")
                    # Steady state: every worker has booted and served before the clock runs.
                    load(port, body, headers, seconds=60.0, budget=WARMUP_REQUESTS)
                    rounds[name].append(load(port, body, headers, seconds / 2))
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
    for name, rs in rounds.items():
        figures[f"{name}_rps"] = round(sum(r["requests"] for r in rs) / (seconds), 1)
        figures[f"{name}_p50_ms"] = round(statistics.mean(r["p50_ms"] for r in rs), 2)
        figures[f"{name}_p99_ms"] = round(max(r["p99_ms"] for r in rs), 2)
    figures["p99_ms"] = figures["product_p99_ms"]
    figures["non_2xx"] = int(sum(r["non_2xx"] for r in rounds["product"]))
    figures["reference_non_2xx"] = int(sum(r["non_2xx"] for r in rounds["reference"]))
    figures["throughput_ratio"] = round(figures["product_rps"] / figures["reference_rps"], 3)
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
