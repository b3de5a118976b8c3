"""Shared fixtures: a real headless Chromium (Debian's package) driven by Playwright.

There is no network here and no browser download: the tests use
/usr/bin/chromium, which `.ci/run` installs. When it is missing the browser
tests fail (they never skip), so CI cannot pass without them.
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _no_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the documented default language (id) unless it sets FEASIBILITY_LANG itself."""
    monkeypatch.delenv("FEASIBILITY_LANG", raising=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); see .ci/run")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a missing tool must never pass silently."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) skipped; failing the run (see -rs above)", red=True)
        session.exitstatus = 1
