"""Benchmark: the officers' pages, in bytes and in server time, with 100,000 applications.

``python -m bench.web [--quick]``. A throwaway PostgreSQL database (``bench_web_<pid>``,
created from ``BENCH_DATABASE_URL``, dropped at the end) gets the KUR programs, the demo
lenders, model and officers, a dozen applications scored through the real intake (with
their alternative data), and then 100,000 more applications with score records, cloned in
SQL from a scored one (``INSERT ... SELECT generate_series``: the pages read them as any
other; scoring 100,000 through the intake would take over an hour here). The app runs under
gunicorn (2 sync workers) on 127.0.0.1 and an officer signs in through the form.

Figures:
- bytes: gzip-compressed (level 6, as a compressing proxy sends them) size of each page's
  HTML plus, on first load, its stylesheet and icon (charts are inline SVG in the HTML).
  A repeat visit downloads only the HTML: assets carry a content version and a one-year
  cache lifetime. Goals: <= 60 KB first load, <= 20 KB repeat.
- server time: p95 over sequential requests (loopback) of the queue (default, by score,
  filtered by band, page 2) and the application page (goal <= 100 ms); references measured
  in the same run: ``/healthz`` (a trivial page with one SQL round trip) and a bare
  ``SELECT count(*)`` of one lender's applications over psycopg.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-web-password"
OFFICER = "officer@bench.test"
BULK = 100_000
REAL = 12


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _gz(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def seed(url: str, model_dir: Path) -> list[int]:
    """Programs, demo lenders, model, an officer and a dozen really scored applications."""
    from creditapp import create_app
    from creditapp.commands.demo import PROGRAMS_FROM, ensure_demo_model, ensure_lenders
    from creditapp.db import get_db
    from creditapp.services import access, applications, programs
    from creditapp.services.audit import Actor
    from fixtures import generate_population
    from fixtures.payloads import application_payload

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "MODEL_DIR": str(model_dir)})
    actor = Actor.system()
    ids = []
    with app.app_context():
        session = get_db(app).sessionmaker()
        programs.seed_kur_programs(session, actor, PROGRAMS_FROM)
        lenders = ensure_lenders(session, actor)
        ensure_demo_model(session, actor, model_dir)
        access.create_user(
            session,
            actor,
            email=OFFICER,
            name="Bench Officer",
            role="loan_officer",
            password=PASSWORD,
            lender=lenders[0],
        )
        pop = generate_population(REAL, seed=3)
        for i in range(REAL):
            payload = application_payload(pop, i)
            done = applications.submit(
                session, actor, lenders[0].id, payload, as_of=date.fromisoformat(payload["as_of"])
            )
            ids.append(done.application.id)
        session.commit()
        session.close()
    return ids


BULK_SQL = """
INSERT INTO enterprises (lender_id, reference, name, owner_name, owner_nik_enc, owner_nik_hash,
    owner_gender, kbli,
    kbli_division, province, regency, founded_on, workers, assets, annual_sales,
    other_productive_credit, entrepreneurship_training, kur_access_count, created_at)
SELECT (SELECT min(id) FROM lenders) + (g %% 2), 'BENCH-' || g, t.name || ' ' || g, t.owner_name,
    t.owner_nik_enc, md5(g::text) || md5(g::text), t.owner_gender, t.kbli, t.kbli_division,
    (ARRAY['11','12','31','32','33','34','35','36','51','52','53','61','73'])[1 + g %% 13],
    t.regency, t.founded_on, t.workers, t.assets, t.annual_sales, false, false, 0, now()
FROM enterprises t CROSS JOIN generate_series(1, %(n)s) g WHERE t.id = %(ent)s;

INSERT INTO applications (lender_id, enterprise_id, program_id, reference, applied_on,
    requested_amount, tenor_months, purpose, status, created_at, score, band)
SELECT e.lender_id, e.id, t.program_id, e.reference, date '2024-01-01' + (q.g %% 700),
    (5 + q.g * 7919 %% 95) * 1000000, 24, t.purpose,
    CASE WHEN q.g %% 10 = 0 THEN 'declined' ELSE 'scored' END, now(), 450 + q.g * 37 %% 200,
    CASE WHEN q.g * 37 %% 200 >= 150 THEN 'A' WHEN q.g * 37 %% 200 >= 110 THEN 'B'
         WHEN q.g * 37 %% 200 >= 70 THEN 'C' WHEN q.g * 37 %% 200 >= 30 THEN 'D' ELSE 'E' END
FROM enterprises e CROSS JOIN LATERAL (SELECT split_part(e.reference, '-', 2)::int AS g) q,
    applications t
WHERE e.reference LIKE 'BENCH-%%' AND t.id = %(app)s;

INSERT INTO score_records (application_id, model_name, model_version, feature_spec_version,
    input_hash, features, quality, margin, pd, score, band, reasons, recourse, policy,
    recommendation, recommended_amount, recommended_tenor, result_json, scored_at)
SELECT a.id, t.model_name, t.model_version, t.feature_spec_version, t.input_hash, t.features,
    t.quality, t.margin, t.pd, a.score, a.band,
    t.reasons, t.recourse, t.policy, t.recommendation, t.recommended_amount,
    t.recommended_tenor, t.result_json, now()
FROM applications a, score_records t
WHERE a.reference LIKE 'BENCH-%%' AND t.application_id = %(app)s;
VACUUM ANALYZE
"""


def bulk_load(url: str, template_app: int, n: int) -> float:
    """Clone ``n`` applications (enterprise, application, score record) in SQL; seconds."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    start = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        ent = conn.execute(
            "SELECT enterprise_id FROM applications WHERE id = %s", (template_app,)
        ).fetchone()
        assert ent is not None
        for statement in BULK_SQL.split(";\n"):
            if statement.strip():
                params = {"n": n, "ent": ent[0], "app": template_app}
                conn.execute(statement, params)
    return time.perf_counter() - start


def sql_count_ms(url: str, repeats: int) -> float:
    """p95 of a bare count of one lender's applications (the reference of the queue)."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    times = []
    with psycopg.connect(dsn) as conn:
        for _ in range(repeats):
            start = time.perf_counter()
            conn.execute(
                "SELECT count(*) FROM applications WHERE lender_id = (SELECT min(id) FROM lenders)"
            ).fetchone()
            times.append((time.perf_counter() - start) * 1000)
    return _p95(times)


def serve(url: str, model_dir: Path, instance: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "MODEL_DIR": str(model_dir), "SECRET_KEY": "bench",
           "CREDITAPP_INSTANCE": str(instance), "OMP_NUM_THREADS": "1"}  # fmt: skip
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [
            str(gunicorn),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(base: str, real_ids: list[int], repeats: int) -> dict[str, Any]:
    """Sign in, then weigh and time the pages."""
    import requests

    web = requests.Session()
    for _ in range(300):
        try:
            if web.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    html = web.get(base + "/signin").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, "no CSRF token on the sign-in page"
    resp = web.post(
        base + "/signin",
        data={"email": OFFICER, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert resp.url.endswith("/queue"), resp.url
    queue_html = resp.content
    nxt = re.search(r'href="(/queue\?after=[^"]+)"', resp.text)
    pages = {
        "queue": "/queue",
        "queue_by_score": "/queue?sort=score",
        "queue_band_c_by_amount": "/queue?band=C&sort=amount",
        "queue_page_2": nxt.group(1).replace("&amp;", "&") if nxt else "/queue",
        "application": f"/applications/{real_ids[0]}",
    }
    figures: dict[str, Any] = {}
    assets = re.findall(r'(?:href)="(/static/[^"]+)"', queue_html.decode())
    asset_bytes = sum(_gz(web.get(base + a.replace("&amp;", "&")).content) for a in assets)
    for name in ("queue", "application"):
        body = web.get(base + pages[name]).content
        figures[f"{name}_first_load_bytes"] = _gz(body) + asset_bytes
        figures[f"{name}_repeat_visit_bytes"] = _gz(body)
        figures[f"{name}_html_raw_bytes"] = len(body)
    timings: dict[str, list[float]] = {name: [] for name in pages}
    timings["reference_healthz"] = []
    app_paths = [f"/applications/{i}" for i in real_ids]
    for i in range(repeats):
        for name, path in pages.items():
            if name == "application":
                path = app_paths[i % len(app_paths)]
            start = time.perf_counter()
            r = web.get(base + path)
            timings[name].append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200, (path, r.status_code)
        start = time.perf_counter()
        web.get(base + "/healthz")
        timings["reference_healthz"].append((time.perf_counter() - start) * 1000)
    for name, values in timings.items():
        figures[f"{name}_p95_ms"] = round(_p95(values), 1)
    queue_keys = [k for k in pages if k.startswith("queue")]
    figures["queue_worst_p95_ms"] = max(figures[f"{k}_p95_ms"] for k in queue_keys)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures (last line: JSON)."""
    import socket

    from sqlalchemy.engine import make_url

    from creditapp.db import make_engine
    from creditapp.migrate import upgrade

    parser = argparse.ArgumentParser(prog="python -m bench.web")
    parser.add_argument("--quick", action="store_true", help="fewer timed requests (< 60 s)")
    args = parser.parse_args(argv)
    repeats = 30 if args.quick else 200
    admin_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_URL)
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"bench_web_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    proc = None
    try:
        upgrade(url)
        with tempfile.TemporaryDirectory() as tmp:
            model_dir = Path(tmp) / "models"
            real_ids = seed(url, model_dir)
            load_s = bulk_load(url, real_ids[0], BULK)
            print(f"{BULK:,} applications cloned in SQL in {load_s:.1f} s")
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            proc = serve(url, model_dir, Path(tmp), port)
            figures = measure(f"http://127.0.0.1:{port}", real_ids, repeats)
        figures["applications"] = BULK + len(real_ids)
        figures["timed_requests_per_page"] = repeats
        figures["reference_sql_count_p95_ms"] = round(sql_count_ms(url, repeats), 2)
        figures["queue_vs_healthz"] = round(
            figures["queue_worst_p95_ms"] / figures["reference_healthz_p95_ms"], 1
        )
        figures["application_vs_healthz"] = round(
            figures["application_p95_ms"] / figures["reference_healthz_p95_ms"], 1
        )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    print(
        f"queue: {figures['queue_first_load_bytes']:,} B first load, "
        f"{figures['queue_repeat_visit_bytes']:,} B repeat, p95 {figures['queue_worst_p95_ms']} ms "
        f"(worst variant); application: {figures['application_first_load_bytes']:,} B, "
        f"p95 {figures['application_p95_ms']} ms; /healthz p95 "
        f"{figures['reference_healthz_p95_ms']} ms"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
