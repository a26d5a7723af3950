"""End to end: start ``iwm app`` and drive every page in a real headless Chromium.

The browser is Debian's ``chromium`` (``make test`` installs it when missing), driven through
Playwright's Python package pointed at that executable; nothing is downloaded and nothing
leaves 127.0.0.1. A screenshot of each page is saved under ``build/e2e-screenshots/``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import iwm
from iwm import measure

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("streamlit")

CHROMIUM = os.environ.get("IWM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "build" / "e2e-screenshots"
WAIT = 180_000  # ms: the longest simulation a page starts here takes a few seconds on 2 cores
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (make test installs it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """The app's working folder, with one finished run (and its report) under runs/."""
    base = tmp_path_factory.mktemp("app")
    run = iwm.run_scenario(
        {
            "name": "e2e-run",
            "population": {"n": 1000},
            "adult": {"years": 0.5},
            "recorders": {"couples": [{"a": "anxious", "b": "avoidant", "days": 14}]},
        },
        base / "runs" / "e2e-run",
        workers=1,
    )
    from iwm.study._run_report import write_report

    write_report(run.path)
    rng = np.random.default_rng(4)
    answers = measure.simulate_responses("ecr-r", rng.uniform(1.5, 6.5, 40), rng.uniform(1.5, 6.5, 40), rng)
    (base / "uploads").mkdir()
    answers.to_csv(base / "uploads" / "answers.csv", index=False)
    answers.loc[2, "ecr_r_07"] = 12
    answers.to_csv(base / "uploads" / "bad.csv", index=False)
    return base


@pytest.fixture(scope="module")
def app_url(workdir) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "iwm", "app", "--port", str(port), "--runs", "runs"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise AssertionError(f"iwm app did not start:\n{out}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 2600}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def open_page(page, url: str, path: str, title: str) -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=title).wait_for(timeout=WAIT)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert (SHOTS / f"{name}.png").stat().st_size > 10_000


COVERED = {"", "couple", "therapy", "questionnaires", "runs"}
"""The url paths the tests below open (the default page is at /)."""


def test_every_page_of_the_navigation_is_covered():
    main = (Path(iwm.__file__).parent / "app" / "main.py").read_text()
    paths = set(re.findall(r'url_path="([^"]*)"', main))
    default = re.search(r'url_path="([^"]*)", default=True', main)
    assert default is not None
    assert (paths - {default.group(1)}) | {""} == COVERED, paths


def test_the_app_listens_on_this_machine_only(app_url):
    assert app_url.startswith("http://127.0.0.1:")


def test_formation_page(page, app_url):
    open_page(page, app_url, "", "Formation: from caregiving to a working model")  # the default page, at /
    page.get_by_text("C1: worthy of care?").wait_for()
    page.get_by_role("button", name="Form the population").click()
    page.get_by_text("10,000 children").wait_for(timeout=WAIT)
    page.get_by_text("Anxiety x avoidance").wait_for()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(2).wait_for(timeout=WAIT)  # charts render after the numbers arrive
    assert charts.count() == 3
    assert page.locator("[data-testid='stException']").count() == 0
    shot(page, "formation")


def test_couple_page(page, app_url):
    open_page(page, app_url, "couple", "A couple, day by day")
    page.get_by_role("button", name="Simulate the couple").click()
    page.get_by_role("heading", name="all mechanisms on").wait_for(timeout=WAIT)
    page.get_by_text("Bids and withdrawal (C6, C10, C15)").first.wait_for()
    # switch projection off and compare
    page.locator("[data-testid='stMultiSelect']").click()
    page.get_by_role("option", name="projection").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Simulate the couple").click()
    page.get_by_role("heading", name="without projection").wait_for(timeout=WAIT)
    assert page.get_by_role("heading", name="all mechanisms on").count() == 1
    shot(page, "couple")


def test_therapy_page(page, app_url):
    open_page(page, app_url, "therapy", "Therapy: dose-response and relapse")
    page.get_by_role("button", name="Run the trial").click()
    page.get_by_text("Clients over time").wait_for(timeout=WAIT)
    page.get_by_text("Secure clients: end of therapy").wait_for()
    assert page.get_by_text("Dose-response").count() >= 1
    shot(page, "therapy")


def test_questionnaires_page(page, app_url, workdir):
    before = listing(workdir)
    open_page(page, app_url, "questionnaires", "Questionnaires: score a sample, place a person in the model")
    page.get_by_text("5MB per file").wait_for()  # the upload widget states the limit it enforces
    page.locator("input[type='file']").set_input_files(str(workdir / "uploads" / "bad.csv"))
    error = page.locator("[data-testid='stAlertContentError']")
    error.wait_for(timeout=WAIT)
    assert "bad.csv" in error.inner_text() and "row 4" in error.inner_text() and "ecr_r_07" in error.inner_text()
    page.locator("input[type='file']").set_input_files(str(workdir / "uploads" / "answers.csv"))
    page.get_by_text("40 respondents, ecr-r").wait_for(timeout=WAIT)
    page.get_by_text("Subscale scores and reliability").wait_for()
    assert page.locator("[data-testid='stJson']").count() == 0  # statistics as tables, not a JSON dump
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the scored file (CSV)").click()
    scored = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(scored) == 40 and "ecr_r_anxiety" in scored.columns
    page.get_by_role("button", name="Simulate forward").click()
    page.get_by_text("with a typical secure partner").wait_for(timeout=WAIT)
    shot(page, "questionnaires")
    assert listing(workdir) == before  # nothing uploaded was written to disk


def test_runs_page(page, app_url):
    open_page(page, app_url, "runs", "Runs: browse studies and their reports")
    page.get_by_text("1 of 1 tasks done").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Run the query").click()
    page.locator("[data-testid='stDataFrame']").nth(1).wait_for(timeout=WAIT)
    frame = page.frame_locator("iframe").first
    frame.get_by_role("heading", name="iwm report: e2e-run").wait_for(timeout=WAIT)
    shot(page, "runs")
