"""`feasibility studio [FOLDER] [--port N] [--no-browser]`: JupyterLab on the notebooks.

The command line it assembles is checked for root and non-root (JupyterLab
refuses to run as root without --allow-root, and Windows has no root); then a
real JupyterLab is started as the user running the tests, asked over its REST
API which folder it serves, and stopped with SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import feasibility.cli
from feasibility.cli import VOILA_ROOT, main, studio_command, voila_command


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands `feasibility studio` would run, instead of running them."""
    seen: list[list[str]] = []

    def fake(cmd: list[str], env: dict[str, str] | None = None) -> int:
        seen.append(cmd)
        return 0

    monkeypatch.setattr(feasibility.cli, "_run_foreground", fake)
    return seen


#: JupyterLab asks nothing of the internet: no news feed, no update check (nor their pop-up on first start)
OFFLINE = ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]


def test_command_as_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    assert studio_command(tmp_path, 8899, True) == [
        sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={tmp_path}", *OFFLINE,
        "--port=8899", "--ServerApp.port_retries=0", "--no-browser", "--allow-root",
    ]


def test_command_as_a_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert studio_command(tmp_path) == [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={tmp_path}", *OFFLINE]


def test_command_without_geteuid_like_windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delattr(os, "geteuid", raising=False)
    assert "--allow-root" not in studio_command(tmp_path, None, True)


def test_default_folder_is_notebooks_when_there(tmp_path: Path, launched: list[list[str]]) -> None:
    (tmp_path / "notebooks").mkdir()
    assert main(["studio"]) == 0
    assert f"--ServerApp.root_dir={tmp_path / 'notebooks'}" in launched[0]


def test_default_folder_is_the_working_folder_otherwise(tmp_path: Path, launched: list[list[str]]) -> None:
    assert main(["studio", "--no-browser", "--port", "9999"]) == 0
    assert launched[0][3:9] == [f"--ServerApp.root_dir={tmp_path}", *OFFLINE, "--port=9999", "--ServerApp.port_retries=0", "--no-browser"]


def test_a_given_folder(tmp_path: Path, launched: list[list[str]]) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "mine").mkdir()
    assert main(["studio", "mine"]) == 0
    assert f"--ServerApp.root_dir={tmp_path / 'mine'}" in launched[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["studio", "nowhere"], "error: nowhere: not a folder\n"),
        (["studio", "--port", "0"], "error: --port: must be between 1 and 65535, got 0\n"),
        (["studio", "--port", "70000"], "error: --port: must be between 1 and 65535, got 70000\n"),
    ],
)
def test_bad_input(args: list[str], message: str, launched: list[list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err == message
    assert launched == []


# ---------------------------------------------------------------------------
# a real JupyterLab


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> dict:
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200
        return json.loads(r.read())


def _wait_for_status(url: str, token: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            pytest.fail(f"feasibility studio exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            return _get(url, token)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer at {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.mark.skipif(sys.platform == "win32", reason="stopped with SIGTERM")
def test_real_jupyterlab_serves_the_notebooks_folder(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "marker.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8"
    )
    port, token = _free_port(), "test-token-not-secret"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["JUPYTER_TOKEN"] = token
    # a private Jupyter home: no user configuration, runtime files or signing key of the machine's
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        env[var] = str(tmp_path / var.lower())
    log = tmp_path / "studio.log"
    exe = Path(sys.executable).with_name("feasibility")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(exe), "studio", "--no-browser", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        status = _wait_for_status(f"http://127.0.0.1:{port}/api/status", token, proc, log, timeout=120)
        assert "started" in status
        names = [item["name"] for item in _get(f"http://127.0.0.1:{port}/api/contents", token)["content"]]
        assert names == ["marker.ipynb"]  # JupyterLab serves notebooks/, not the working folder
        assert _get(f"http://127.0.0.1:{port}/lab/api/news", token) == {"news": []}  # no feed fetched from the internet
        notification = _get(f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
        defaults = {k: v.get("default") for k, v in notification["schema"]["properties"].items()}
        assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False  # no question about it on first start
        proc.send_signal(signal.SIGTERM)  # to `feasibility studio`, which passes it on to JupyterLab
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group, if the test failed
        except ProcessLookupError:
            pass
    text = log.read_text(errors="replace")
    assert text.startswith(f"feasibility studio: JupyterLab on {notebooks}")
    assert code == 0, text[-3000:]
    assert "Shutting down" in text  # a clean shutdown, not a kill
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # JupyterLab stopped with it: nothing of the group is left
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # the port is closed


def test_the_app_is_served_by_voila_with_the_packages_offline_template(tmp_path: Path, launched: list[list[str]]) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "03_studio.ipynb").write_text("{}", encoding="utf-8")
    assert main(["studio", "--app", "--port", "8899", "--no-browser"]) == 0
    cmd = launched[-1]
    assert cmd[1:3] == ["-m", "voila"] and cmd[3] == str((tmp_path / "notebooks" / "03_studio.ipynb").resolve())
    assert "--template=feasibility" in cmd and "--port=8899" in cmd and "--no-browser" in cmd
    _, env = voila_command(tmp_path / "x.ipynb")
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(VOILA_ROOT)
    template = VOILA_ROOT / "voila" / "templates" / "feasibility"
    page = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" not in page and "fontawesome" not in page.replace("Font Awesome", "")
    assert json.loads((template / "conf.json").read_text(encoding="utf-8"))["base_template"] == "lab"


def test_the_app_needs_the_studio_notebook(tmp_path: Path, launched: list[list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["studio", "--app", str(tmp_path)]) == 2
    assert "03_studio.ipynb" in capsys.readouterr().err and not launched
