"""The studio as a consultant sees it: notebooks/03_studio.ipynb served by Voila, driven in headless Chromium.

Voila runs on 127.0.0.1 (no network), Chromium is Debian's (the session
``browser`` fixture of conftest.py). A slider is dragged; the FNPV card and the
charts must change; a screenshot is saved. Missing Voila or Chromium fails the
test: it never skips.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03_studio.ipynb"
TARIFF_CLASS = "fs-port--revenue--cargo_handling--tariff_idr_per_tonne"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"Voila exited with code {proc.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"Voila did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def voila_url(tmp_path):
    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.fail("voila is not installed: python3 -m pip install -e '.[test]'")
    port = _free_port()
    env = dict(os.environ)
    # a private Jupyter home: no user configuration, runtime files or signing key of the machine's
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[var] = str(tmp_path / var.lower())
    log = (tmp_path / "voila.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its kernel and chart workers share the group, stopped together below
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/", proc, timeout=60)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # what is left of the group Voila led (its kernel)
        except ProcessLookupError:
            pass
        log.close()


def test_studio_in_a_browser_slider_moves_fnpv(browser, voila_url, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(voila_url, wait_until="domcontentloaded", timeout=60_000)
        fnpv = page.locator(".fs-card-fnpv .fs-value")
        fnpv.wait_for(timeout=60_000)
        before = fnpv.inner_text()
        assert before.startswith("IDR ")
        page.wait_for_selector(".fs-chart-cash svg", timeout=60_000)
        page.wait_for_function(
            "() => document.querySelector('.fs-status') && document.querySelector('.fs-status').innerText.includes('All inputs')",
            timeout=30_000,
        )  # showing the sliders changed no input
        chart_gen = page.locator(".fs-chart-cash .fs-svg").get_attribute("data-gen")

        page.get_by_text("Tariffs", exact=True).click()
        handle = page.locator(f".fs-slider.{TARIFF_CLASS} .noUi-handle")
        handle.wait_for(state="visible", timeout=10_000)
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 90, y, steps=6)
        page.mouse.up()

        page.wait_for_function(
            "b => document.querySelector('.fs-card-fnpv .fs-value').innerText !== b", arg=before, timeout=20_000
        )
        after = fnpv.inner_text()
        assert after != before and after.startswith("IDR ")
        tariff = float(page.locator(f"input.{TARIFF_CLASS}, .{TARIFF_CLASS} input").first.input_value())
        assert tariff > 71_000  # dragged right: a higher tariff, a better FNPV
        assert float(after.split()[1].replace(",", "")) > float(before.split()[1].replace(",", ""))
        page.wait_for_function(
            "g => document.querySelector('.fs-chart-cash .fs-svg').dataset.gen !== g", arg=chart_gen, timeout=20_000
        )  # the charts followed
        page.wait_for_timeout(500)
        shot = tmp_path / "studio.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        if os.environ.get("FEASIBILITY_STUDIO_SCREENSHOT"):  # e.g. docs/studio.png for the README
            shutil.copyfile(shot, os.environ["FEASIBILITY_STUDIO_SCREENSHOT"])
        assert not errors, errors
    finally:
        page.close()
