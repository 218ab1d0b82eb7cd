"""The model registry in a real browser: versions, a version, its card under its own policy,
a comparison, and a promotion and rollback through their confirmation pages, each page at
1280 and 360 px with an accessibility scan.

The challenger is trained by ``creditapp training train`` under the demo model's name, so its
card is the real one with its plots; the test promotes it and rolls back, so the demo model
is champion again afterwards (also when the test fails part-way), as the other browser tests
expect.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp import create_app
from creditapp.db import make_engine
from creditapp.models import ModelVersion
from creditapp.services import models
from creditapp.services.audit import Actor
from fixtures import generate_population
from scoring.feature_spec import FEATURE_NAMES
from scoring.features import compute_features
from tests.browser.conftest import LiveServer, check_page, sign_in

CHALLENGER = "browser-trained"


@pytest.fixture(scope="module")
def challenger(live_server: LiveServer) -> Iterator[tuple[str, str]]:
    """(model name, demo version): a challenger trained by ``creditapp training train`` on a
    dataset in MODEL_DIR, registered under the demo model's name with its real card."""
    engine = make_engine(live_server.database_url)
    with Session(engine) as session:
        demo = models.champion(session)
        assert demo is not None
        name, demo_version = demo.name, demo.version
    model_dir = Path(demo.path).parent.parent
    dataset = model_dir / "datasets" / "browser.parquet"
    write_dataset(dataset)
    app = create_app(
        {
            "DATABASE_URL": live_server.database_url,
            "MODEL_DIR": str(model_dir),
            "SECRET_KEY": "browser-test-secret",
        }
    )
    trained = app.test_cli_runner().invoke(
        args=[
            "training",
            "train",
            "--dataset",
            str(dataset),
            "--name",
            name,
            "--version",
            CHALLENGER,
            "--seed",
            "7",
            "--force",
        ]
    )
    assert trained.exit_code == 0, trained.output
    try:
        yield name, demo_version
    finally:
        with Session(engine) as session:  # the demo model is champion again, whatever happened
            if (models.champion(session, name) or demo).version != demo_version:
                models.promote(session, Actor.system(), name, demo_version)
                session.commit()
        engine.dispose()


def write_dataset(path: Path) -> None:
    """A dataset in build-dataset's layout from 1,500 synthetic enterprises."""
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
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(cols), path)


def champion_version(live_server: LiveServer, name: str) -> str:
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            mv = session.scalar(
                select(ModelVersion).where(ModelVersion.name == name, ModelVersion.is_champion)
            )
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
    # the card's own style block applied (allowed by its hash: h1 1.6rem) and its plots,
    # data: images, loaded; nothing was refused by the policy
    size = page.eval_on_selector("h1", "e => getComputedStyle(e).fontSize")
    assert size == "25.6px"
    widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
    assert len(widths) >= 4 and min(widths) > 0 and refused == []
    shot = Path(__file__).parent / "screenshots" / "models-card-1280.png"
    page.screenshot(path=str(shot), full_page=True)
    page.go_back()

    page.click("a[href*='/models/compare?challenger=']")
    page.wait_for_url("**/models/compare**")
    # the form starts from the challenger's own training file and seed: its holdout
    assert page.input_value("#dataset") == "datasets/browser.parquet"
    assert page.input_value("#seed") == "7"
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
