"""Browser tests: the real app under gunicorn on a loopback port, driven by Debian's chromium.

The app gets its own database (a SQLite file, or a new PostgreSQL database beside
``TEST_DATABASE_URL`` when set), because the server commits and the other tests' rollback
isolation must not see that. Screenshots go to ``tests/browser/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from creditapp import create_app
from creditapp.db import make_engine
from creditapp.migrate import upgrade
from tests.browser.world import PASSWORD, World, seed_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of the suite's kind, for the live server only."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'live.db'}"
        upgrade(url)
        yield url
        return
    name = f"browser_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


@dataclass
class LiveServer:
    url: str
    world: World
    database_url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(
    browser_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Seed the world, then serve the app with gunicorn (sync workers, as in production)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed (/usr/bin/chromium): apt-get install chromium"
        )
    instance = tmp_path_factory.mktemp("instance")
    model_dir = instance / "models"
    config = {"DATABASE_URL": browser_database_url, "SECRET_KEY": "browser-test-secret",
              "MODEL_DIR": str(model_dir)}  # fmt: skip
    world = seed_world(create_app(config), model_dir)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": browser_database_url,
        "SECRET_KEY": "browser-test-secret",
        "MODEL_DIR": str(model_dir),
        "CREDITAPP_INSTANCE": str(instance),
        "OMP_NUM_THREADS": "1",
    }
    log = (instance / "gunicorn.log").open("w")
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: see {instance / 'gunicorn.log'}")
            time.sleep(0.2)
        yield LiveServer(url, world, browser_database_url)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    # a page that answered 500 somewhere along the way fails the run, even if no test looked
    served = (instance / "gunicorn.log").read_text()
    assert "Traceback" not in served, served[-3000:]


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    """Debian's chromium through Playwright (never ``playwright install``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) at desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def sign_in(page: Any, live: LiveServer, who: str, path: str = "/") -> None:
    """Sign ``who`` in through the form and wait for the start page."""
    page.goto(live(f"/signin?next={path}"))
    page.fill("#email", live.world.emails[who])
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state()


def check_page(page: Any, name: str) -> None:
    """Screenshot at 1280 and 360 px, refuse sideways scrolling on a phone and run axe-core.

    Serious or critical accessibility violations fail the test.
    """
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name} scrolls sideways at 360 px: {widths}"
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: accessibility violations {bad}"
    page.set_viewport_size({"width": 1280, "height": 900})
