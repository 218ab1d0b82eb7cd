"""The model registry in a real browser: versions, a version, its card under its own policy,
a comparison, and a promotion and rollback through their confirmation pages, each page at
1280 and 360 px with an accessibility scan.

The challenger is the demo booster cut to 15 trees, registered under the demo model's name;
the test promotes it and rolls back, so the demo model is champion again afterwards (also
when the test fails part-way), as the other browser tests expect.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.db import make_engine
from creditapp.models import ModelVersion
from creditapp.services import models
from creditapp.services.audit import Actor
from fixtures import generate_population
from scoring.bundle import write_bundle
from scoring.feature_spec import FEATURE_NAMES
from scoring.features import compute_features
from scoring.model import load_bundle
from tests.browser.conftest import LiveServer, check_page, sign_in

CHALLENGER = "demo-15-trees"
CARD_CSS = "body{max-width:40rem;margin:1rem auto}h1{color:rgb(11, 83, 148)}"


@pytest.fixture(scope="module")
def challenger(live_server: LiveServer) -> Iterator[tuple[str, str]]:
    """(model name, demo version): a challenger with a card and a dataset in MODEL_DIR."""
    engine = make_engine(live_server.database_url)
    with Session(engine) as session:
        demo = models.champion(session)
        assert demo is not None
        name, demo_version = demo.name, demo.version
        model_dir = Path(demo.path).parent.parent
        bundle = load_bundle(demo.path)
        manifest: dict[str, Any] = json.loads((Path(demo.path) / "manifest.json").read_text())
        for key in ("files", "format"):
            manifest.pop(key)
        manifest.update(version=CHALLENGER, metrics={"auc": 0.7012, "rows": 3000.0,
                                                     "bad_rate": 0.1})  # fmt: skip
        manifest["training"].update(dataset="browser.parquet", seed=7)
        path = write_bundle(model_dir / name / CHALLENGER,
                            bundle.booster.model_to_string(num_iteration=15), manifest)  # fmt: skip
        card = model_dir / name / f"{CHALLENGER}.card" / "model_card.html"
        card.parent.mkdir()
        card.write_text(f'<!DOCTYPE html><html lang="en"><head><title>Model card</title>'
                        f"<style>{CARD_CSS}</style></head><body><h1>Model card: {CHALLENGER}"
                        "</h1><p>Holdout AUC 0.7012.</p></body></html>")  # fmt: skip
        pop = generate_population(1500, seed=31)
        x = compute_features(pop.raw).values
        cols: dict[str, Any] = {
            "application_id": pa.array(np.arange(1, pop.n + 1), pa.int64()),
            "applied_on": pa.array(pop.raw.profiles.as_of.astype("M8[D]")),
            "owner_gender": ["F" if f else "M" for f in pop.raw.profiles.owner_female.tolist()],
            "province": [str(v) for v in pop.raw.profiles.province.tolist()],
            "bad": pa.array(pop.defaulted.astype(np.int8), pa.int8()),
        }
        cols.update({f: pa.array(x[:, j]) for j, f in enumerate(FEATURE_NAMES)})
        (model_dir / "datasets").mkdir(exist_ok=True)
        pq.write_table(pa.table(cols), model_dir / "datasets" / "browser.parquet")
        models.register(session, Actor.system(), path)
        session.commit()
    try:
        yield name, demo_version
    finally:
        with Session(engine) as session:  # the demo model is champion again, whatever happened
            if (models.champion(session, name) or demo).version != demo_version:
                models.promote(session, Actor.system(), name, demo_version)
                session.commit()
        engine.dispose()


def champion_version(live_server: LiveServer, name: str) -> str:
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            mv = session.scalar(select(ModelVersion).where(ModelVersion.name == name,
                                                           ModelVersion.is_champion))  # fmt: skip
            assert mv is not None
            return mv.version
    finally:
        engine.dispose()


def test_versions_card_compare_promote_and_roll_back(
    page: Any, live_server: LiveServer, challenger: tuple[str, str]
) -> None:
    name, demo_version = challenger
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, live_server, "scientist", "/models/versions")
    page.wait_for_url("**/models/versions")
    assert page.locator(".badge-champion").count() == 1
    check_page(page, "models-versions")

    page.click(f"a[href$='/{CHALLENGER}']")
    page.wait_for_url(f"**/{CHALLENGER}")
    check_page(page, "models-version")

    page.click("a[href$='/card']")
    page.wait_for_url("**/card")
    # the card's own style block ran under the card's policy (allowed by its hash)
    colour = page.eval_on_selector("h1", "e => getComputedStyle(e).color")
    assert colour == "rgb(11, 83, 148)" and refused == []
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(Path(__file__).parent / "screenshots" / "models-card-1280.png"))
    page.go_back()

    page.click("a[href*='/models/compare?challenger=']")
    page.wait_for_url("**/models/compare**")
    assert page.input_value("#dataset") == "datasets/browser.parquet"
    assert page.input_value("#seed") == "7"
    page.check("input[value='all']")
    page.click("form button.primary")
    page.wait_for_load_state()
    assert page.locator("svg.chart").count() == 1 and page.locator(".verdict").is_visible()
    check_page(page, "models-compare")

    page.click(f"a[href$='/{CHALLENGER}/promote']")
    page.wait_for_url("**/promote")
    check_page(page, "models-promote-confirm")
    page.click("form button.primary")
    page.wait_for_url("**/models/versions")
    assert champion_version(live_server, name) == CHALLENGER
    assert page.locator("p.notice").is_visible()

    page.goto(live_server(f"/models/rollback/{name}"))
    check_page(page, "models-rollback-confirm")
    page.click("form button.primary")
    page.wait_for_url("**/models/versions")
    assert champion_version(live_server, name) == demo_version
    assert refused == []


def test_compare_with_a_bad_path_names_the_field(
    page: Any, live_server: LiveServer, challenger: tuple[str, str]
) -> None:
    sign_in(page, live_server, "scientist", "/models/compare")
    page.wait_for_url("**/models/compare")
    page.fill("#dataset", "../../etc/passwd.parquet")
    page.click("form button.primary")
    page.wait_for_load_state()
    assert page.locator(".error-summary a[href='#dataset']").is_visible()
    check_page(page, "models-compare-error")
