"""The data scientist's registry pages: versions, a version, its card, promotion and rollback
behind a confirmation (CSRF, audited, stale confirmations refused), roles, and 404s.

Bundles are the demo model and the same booster cut to 15 trees (a real, weaker model),
registered the way ``creditapp models register`` does; no page or model is mocked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sklearn.metrics import roc_auc_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent, ModelVersion, User
from creditapp.services import access, models
from creditapp.services.audit import Actor
from fixtures import generate_population
from scoring.bundle import write_bundle
from scoring.feature_spec import FEATURE_NAMES
from scoring.features import compute_features
from scoring.model import load_bundle
from tests.web.conftest import PASSWORD, People, csrf_token, sign_in

DEMO_MODEL = Path(__file__).resolve().parents[2] / "fixtures" / "demo_model"
NAME = "imk-web"


@dataclass
class Registry:
    scientist: User
    english: User
    v1: ModelVersion
    v2: ModelVersion
    model_dir: Path


def write_version(
    model_dir: Path,
    version: str,
    trees: int | None,
    metrics: dict[str, Any],
    training: dict[str, Any] | None = None,
) -> Path:
    """A bundle of the demo booster (cut to ``trees``) with the given manifest metrics."""
    manifest: dict[str, Any] = json.loads((DEMO_MODEL / "manifest.json").read_text())
    for key in ("files", "format"):
        manifest.pop(key)
    manifest.update(name=NAME, version=version, metrics=metrics)
    manifest["training"].update(training or {})
    booster = load_bundle(DEMO_MODEL).booster
    text = booster.model_to_string(num_iteration=trees) if trees else booster.model_to_string()
    return write_bundle(model_dir / NAME / version, text, manifest)


@pytest.fixture
def registry(app: Flask, session: Session, people: People) -> Registry:
    model_dir = Path(app.config["MODEL_DIR"])
    v1 = write_version(
        model_dir,
        "v1",
        None,
        {
            "auc": 0.7761,
            "auc_ci_low": 0.75,
            "auc_ci_high": 0.8,
            "rows": 2000.0,
            "bad_rate": 0.1,
            "holdout_bads": 200,
        },
    )
    # an older bundle: no interval, no bad count (40 = 1000 x 4%), trained on pop.parquet
    v2 = write_version(
        model_dir,
        "v2",
        15,
        {"auc": 0.7012, "rows": 1000.0, "bad_rate": 0.04},
        {"dataset": "pop.parquet", "seed": 7},
    )
    actor = Actor.system()
    first = models.register(session, actor, v1)
    second = models.register(session, actor, v2)
    models.promote(session, actor, NAME, "v1")
    scientist = access.create_user(
        session,
        actor,
        email="ds@p.test",
        name="Dewi Sains",
        role="data_scientist",
        password=PASSWORD,
    )
    english = access.create_user(
        session,
        actor,
        email="ds-en@p.test",
        name="Dana",
        role="data_scientist",
        password=PASSWORD,
        locale="en",
    )
    session.commit()
    return Registry(scientist, english, first, second, model_dir)


def champion(session: Session) -> str:
    session.expire_all()
    mv = models.champion(session, NAME)
    assert mv is not None
    return mv.version


def audit_rows(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.entity == "model_version")
            .order_by(AuditEvent.id)
        )
    )


def words(html: str) -> str:
    """The page's text without its tags."""
    return re.sub(r"<[^>]+>", "", html)


PAGES = (
    "/models/versions",
    f"/models/versions/{NAME}/v1",
    f"/models/versions/{NAME}/v2/promote",
    f"/models/rollback/{NAME}",
    "/models/compare",
)


def test_officers_and_managers_get_403_and_strangers_sign_in(
    client: FlaskClient, people: People, registry: Registry, session: Session
) -> None:
    for path in PAGES:
        resp = client.get(path)
        assert resp.status_code == 302 and "/signin" in resp.headers["Location"], path
    for who in (people.officer, people.manager):
        sign_in(client, who.email)
        token = csrf_token(client, "/account/password")
        for path in PAGES:
            assert client.get(path).status_code == 403, (who.role, path)
        for path in PAGES[2:4]:
            resp = client.post(path, data={"csrf_token": token, "expected": "v1"})
            assert resp.status_code == 403, (who.role, path)
        client.post("/signout", data={"csrf_token": token})
    assert champion(session) == "v1" and audit_rows(session, "model.promote")[-1].actor_type == (
        "system"
    )
    sign_in(client, registry.scientist.email)
    for path in PAGES:  # rollback: 409, v1 is the first champion (nothing to go back to)
        assert client.get(path).status_code == (409 if "rollback" in path else 200), path


def test_versions_list_shows_auc_intervals_counts_and_standing(
    client: FlaskClient, app: Flask, registry: Registry
) -> None:
    sign_in(client, registry.scientist.email)
    html = client.get("/models/versions").get_data(as_text=True)
    text = words(html)
    assert "0,7761" in text and "(95%: 0,7500 – 0,8000)" in text  # Indonesian decimal mark
    assert "0,7012" in html and "tidak ada interval" in html  # the older bundle says so
    assert "2000 / 200" in html and "1000 / 40" in html  # rows / bads (40 = 1000 x 4%)
    assert html.count("badge-champion") == 1
    assert "sistem (baris perintah)" in html  # registered from the command line
    english = app.test_client()
    sign_in(english, registry.english.email)
    html = english.get("/models/versions").get_data(as_text=True)
    assert "(95%: 0.7500 – 0.8000)" in words(html) and "no interval recorded" in html
    assert "fewer than 50 bads" in html  # v2's 40


def test_unknown_versions_and_missing_cards_are_404(
    client: FlaskClient, registry: Registry
) -> None:
    sign_in(client, registry.scientist.email)
    for path in (
        f"/models/versions/{NAME}/v9",
        "/models/versions/other/v1",
        f"/models/versions/{NAME}/v9/promote",
        "/models/rollback/other",
        f"/models/versions/{NAME}/v1/card",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/account/password")
    assert (
        client.post(f"/models/versions/{NAME}/v9/promote", data={"csrf_token": token}).status_code
        == 404
    )


def test_promotion_is_confirmed_csrf_checked_and_audited(
    client: FlaskClient, registry: Registry, session: Session
) -> None:
    sign_in(client, registry.english.email)
    path = f"/models/versions/{NAME}/v2/promote"
    page = client.get(path).get_data(as_text=True)
    assert "Champion now" in page and "Champion after" in page
    assert page.index(">v1<") < page.index("<strong>v2</strong>")  # v1 -> v2
    assert 'name="expected" type="hidden" value="v1"' in page
    assert "judged on fewer than 50 bad outcomes" in page  # v2's holdout had 40
    # no token: refused, nothing changes
    assert client.post(path, data={"expected": "v1"}).status_code == 400
    # a confirmation of a state that no longer holds: refused, nothing changes
    token = csrf_token(client, path)
    stale = client.post(path, data={"csrf_token": token, "expected": "v0"})
    assert stale.status_code == 409 and "changed while this page was open" in stale.get_data(
        as_text=True
    )
    assert champion(session) == "v1" and len(audit_rows(session, "model.promote")) == 1
    done = client.post(path, data={"csrf_token": token, "expected": "v1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/models/versions")
    assert champion(session) == "v2"
    event = audit_rows(session, "model.promote")[-1]
    assert (event.actor_type, event.actor_id) == ("user", registry.english.id)
    assert event.entity_id == registry.v2.id
    assert event.before is not None and event.before["version"] == "v1"
    assert event.after is not None and event.after["version"] == "v2"
    assert "v2 is now the champion" in client.get("/models/versions").get_data(as_text=True)
    # promoting the champion again changes nothing
    assert client.get(path).status_code == 302
    version_page = client.get(f"/models/versions/{NAME}/v2").get_data(as_text=True)
    assert "promoted to champion" in version_page and "replacing v1" in version_page
    assert "Dana" in version_page  # who promoted, from the audit log


def test_rollback_is_confirmed_and_audited(
    client: FlaskClient, registry: Registry, session: Session
) -> None:
    sign_in(client, registry.english.email)
    path = f"/models/rollback/{NAME}"
    nothing = client.get(path)  # v1 is the first champion: nothing to go back to
    assert nothing.status_code == 409 and 'name="expected"' not in nothing.get_data(as_text=True)
    token = csrf_token(client, f"/models/versions/{NAME}/v2/promote")
    client.post(f"/models/versions/{NAME}/v2/promote", data={"csrf_token": token, "expected": "v1"})
    page = client.get(path).get_data(as_text=True)
    assert page.index('<td data-label="Version">v2</td>') < page.index("<strong>v1</strong>")
    assert client.post(path, data={"expected": "v2"}).status_code == 400  # no CSRF token
    assert champion(session) == "v2"
    done = client.post(path, data={"csrf_token": token, "expected": "v2"})
    assert done.status_code == 302 and champion(session) == "v1"
    event = audit_rows(session, "model.promote")[-1]
    assert (event.actor_id, event.entity_id) == (registry.english.id, registry.v1.id)
    assert event.before is not None and event.before["version"] == "v2"


def test_the_card_is_served_under_its_own_no_script_policy(
    client: FlaskClient, registry: Registry
) -> None:
    card = registry.model_dir / NAME / "v1.card" / "model_card.html"
    card.parent.mkdir(parents=True)
    style = "body{color:#222}h1{font-size:1.6rem}"
    card.write_text(
        f"<!DOCTYPE html><html><head><style>{style}</style></head><body><h1>Card</h1>"
        '<img alt="roc" src="data:image/png;base64,iVBORw0KGgo="><script>alert(1)'
        "</script></body></html>",
        encoding="utf-8",
    )
    sign_in(client, registry.scientist.email)
    assert 'href="/models/versions/imk-web/v1/card"' in client.get(
        f"/models/versions/{NAME}/v1"
    ).get_data(as_text=True)
    resp = client.get(f"/models/versions/{NAME}/v1/card")
    assert resp.status_code == 200 and "<h1>Card</h1>" in resp.get_data(as_text=True)
    csp = resp.headers["Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    directives = dict(d.strip().partition(" ")[::2] for d in csp.split(";"))
    assert directives["style-src"] == f"'sha256-{digest}'"  # that style block, nothing else
    assert directives["default-src"] == "'none'"  # so no script of any kind runs
    assert directives["img-src"] == "data:" and "sandbox" in directives
    assert "unsafe-inline" not in csp and "script-src" not in directives
    # every other page keeps the strict policy
    other = client.get("/models/versions").headers["Content-Security-Policy"]
    assert "data:" in other and "sandbox" not in other and "'self'" in other


def test_the_version_page_offers_what_fits_its_standing(
    client: FlaskClient, registry: Registry
) -> None:
    sign_in(client, registry.english.email)
    champion_page = client.get(f"/models/versions/{NAME}/v1").get_data(as_text=True)
    assert "Promote to champion" not in champion_page and "no earlier champion" in champion_page
    assert "No model card was written" in champion_page
    other = client.get(f"/models/versions/{NAME}/v2").get_data(as_text=True)
    assert f'href="/models/versions/{NAME}/v2/promote"' in other
    assert re.search(r'href="/models/compare\?challenger=\d+"', other)


def write_dataset(path: Path, n: int = 1500, seed: int = 31) -> tuple[np.ndarray, np.ndarray]:
    """A dataset file in build-dataset's layout from the synthetic population; (x, y)."""
    pop = generate_population(n, seed=seed)
    x = compute_features(pop.raw).values
    y = pop.defaulted.astype(np.int8)
    p = pop.raw.profiles
    cols: dict[str, Any] = {
        "application_id": pa.array(np.arange(1, n + 1), pa.int64()),
        "applied_on": pa.array(p.as_of.astype("M8[D]")),
        "owner_gender": ["F" if f else "M" for f in p.owner_female.tolist()],
        "province": [str(v) for v in p.province.tolist()],
        "bad": pa.array(y, pa.int8()),
    }
    cols.update({f: pa.array(x[:, j]) for j, f in enumerate(FEATURE_NAMES)})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(cols), path)
    return x, y


def test_compare_opens_with_the_challengers_data_and_shows_the_result(
    client: FlaskClient, registry: Registry
) -> None:
    x, y = write_dataset(registry.model_dir / "datasets" / "pop.parquet")
    sign_in(client, registry.english.email)
    form = client.get("/models/compare").get_data(as_text=True)
    # v2's manifest names pop.parquet and seed 7: the form starts from them
    assert 'id="dataset" list="dataset-files"' in form and 'value="datasets/pop.parquet"' in form
    assert re.search(r'<input[^>]*id="seed"[^>]*value="7"', form)
    assert '<option value="datasets/pop.parquet">' in form  # offered in the datalist
    resp = client.get(
        "/models/compare",
        query_string={
            "challenger": registry.v2.id,
            "dataset": "datasets/pop.parquet",
            "rows": "all",
            "seed": "7",
            "cutoff_band": "C",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    a, b = load_bundle(registry.v1.path), load_bundle(registry.v2.path)
    pd_a, pd_b = a.pd(x), b.pd(x)
    assert f"{roc_auc_score(y, pd_a):.4f}" in html and f"{roc_auc_score(y, pd_b):.4f}" in html
    c_max = next(band.pd_max for band in a.bands if band.band == "C")
    swap_in = int(((pd_b <= c_max) & (pd_a > c_max)).sum())
    swap_out = int(((pd_a <= c_max) & (pd_b > c_max)).sum())
    assert swap_in + swap_out > 0
    cells = re.findall(r'data-label="Applicants" class="num">(\d+)<', html)
    assert cells[:2] == [str(swap_in), str(swap_out)]
    assert "1500 rows (all rows)" in html and "DeLong paired test" in html
    assert "<svg" in html and 'role="img"' in html  # the AUC intervals, drawn


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("../outside.parquet", "must lie inside the model folder"),
        ("/etc/passwd", "relative to the model folder"),
        ("datasets/none.parquet", "No file datasets/none.parquet"),
        ("imk-web/v1/manifest.json", "must be a .parquet file"),
        ("datasets/broken.parquet", "cannot read dataset"),
        ("", "This field is required"),
    ],
)
def test_compare_names_a_bad_dataset_beside_its_field(
    client: FlaskClient, registry: Registry, given: str, reason: str
) -> None:
    (registry.model_dir / "outside.parquet").parent.mkdir(exist_ok=True)
    (registry.model_dir.parent / "outside.parquet").write_text("x")
    (registry.model_dir / "datasets").mkdir()
    (registry.model_dir / "datasets" / "broken.parquet").write_text("not parquet")
    sign_in(client, registry.english.email)
    resp = client.get(
        "/models/compare",
        query_string={
            "challenger": registry.v2.id,
            "dataset": given,
            "rows": "all",
            "seed": "7",
            "cutoff_band": "C",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422, html
    assert reason in html and 'href="#dataset"' in html and 'aria-invalid="true"' in html
    assert str(registry.model_dir) not in html  # the server's own paths stay private


def test_compare_refuses_a_symlink_that_leads_out_of_the_model_folder(
    client: FlaskClient, registry: Registry
) -> None:
    outside = registry.model_dir.parent / "elsewhere.parquet"
    write_dataset(outside)  # a perfectly good dataset, but not in the model folder
    (registry.model_dir / "datasets").mkdir()
    (registry.model_dir / "datasets" / "link.parquet").symlink_to(outside)
    sign_in(client, registry.english.email)
    resp = client.get(
        "/models/compare",
        query_string={
            "challenger": registry.v2.id,
            "dataset": "datasets/link.parquet",
            "rows": "all",
            "seed": "7",
            "cutoff_band": "C",
        },
    )
    assert resp.status_code == 422
    assert "must lie inside the model folder" in resp.get_data(as_text=True)


def test_compare_refuses_an_unknown_band_and_too_few_outcomes(
    client: FlaskClient, registry: Registry
) -> None:
    write_dataset(registry.model_dir / "d" / "pop.parquet")
    sign_in(client, registry.english.email)
    base = {"challenger": registry.v2.id, "dataset": "d/pop.parquet", "rows": "all", "seed": "7"}
    band = client.get("/models/compare", query_string={**base, "cutoff_band": "Z"})
    assert band.status_code == 422 and 'href="#cutoff_band"' in band.get_data(as_text=True)
    write_dataset(registry.model_dir / "d" / "tiny.parquet", n=40, seed=3)
    tiny = client.get(
        "/models/compare", query_string={**base, "dataset": "d/tiny.parquet", "cutoff_band": "C"}
    )
    html = tiny.get_data(as_text=True)  # 4 bads of 40: the dataset check names the counts
    assert tiny.status_code == 422 and "40 rows with 4 bad; training needs at least" in html


def test_a_version_trained_by_the_cli_shows_its_interval_and_its_card(
    client: FlaskClient, runner: FlaskCliRunner, registry: Registry, session: Session
) -> None:
    data = registry.model_dir / "datasets" / "train.parquet"
    write_dataset(data, n=900, seed=21)
    result = runner.invoke(
        args=[
            "training",
            "train",
            "--dataset",
            str(data),
            "--name",
            NAME,
            "--version",
            "v3",
            "--force",
        ]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    mv = session.scalar(select(ModelVersion).where(ModelVersion.version == "v3"))
    assert mv is not None
    # the manifest now carries what the list shows: the interval and the holdout's bads
    assert mv.metrics["auc_ci_low"] == summary["auc_ci_low"]
    assert mv.metrics["auc_ci_high"] == summary["auc_ci_high"]
    assert mv.metrics["holdout_bads"] == summary["holdout_bads"]
    sign_in(client, registry.english.email)
    html = client.get("/models/versions").get_data(as_text=True)
    interval = f"(95%: {summary['auc_ci_low']:.4f} – {summary['auc_ci_high']:.4f})"
    assert f"{summary['auc']:.4f}" in html and interval in words(html)
    card = client.get(f"/models/versions/{NAME}/v3/card")
    text = card.get_data(as_text=True)
    assert card.status_code == 200 and "Model card: imk-web v3" in text
    assert 'src="data:image/png;base64,' in text and "<script" not in text
    style = re.search(r"<style>(.*?)</style>", text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in card.headers["Content-Security-Policy"]
    # the compare form starts from v3's own training file and seed
    form = client.get("/models/compare", query_string={"challenger": mv.id})
    assert 'value="datasets/train.parquet"' in form.get_data(as_text=True)
