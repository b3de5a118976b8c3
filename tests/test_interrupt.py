"""Ctrl-C: exit code 130, one line on stderr, no traceback, no worker process left behind.

The commands run as real processes in their own session, and SIGINT goes to the
whole process group, as a terminal sends it: worker processes get it too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import feasibility.cli
from feasibility.cli import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")


def console_script() -> str:
    exe = Path(sys.executable).with_name("feasibility")
    assert exe.exists(), "the `feasibility` console script is not installed (pip install -e .)"
    return str(exe)


def _as_in_a_terminal() -> None:
    """Ctrl-C reaches the command as it does in a terminal: a runner started in the background
    (``cmd &`` in a script) ignores SIGINT, and a child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FEASIBILITY_DEBUG", "FEASIBILITY_LANG")}
    return subprocess.Popen(
        [console_script(), *args], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_as_in_a_terminal,
    )


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def wait_running(proc: subprocess.Popen[str], seconds: float = 1.5) -> None:
    """Wait ~1.5 s, and on Linux at least until the command imports numpy (inside main()).

    A Ctrl-C while Python itself starts, before any code of the toolkit runs, prints
    Python's own traceback; on a slow, loaded machine 1.5 s might not be past it.
    """
    start = time.monotonic()
    maps = Path(f"/proc/{proc.pid}/maps")
    while maps.parent.exists() and "_multiarray_umath" not in maps.read_text(errors="replace"):
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() - start < 120, "the command never imported numpy"
        time.sleep(0.05)
    time.sleep(max(0.0, seconds - (time.monotonic() - start)))


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def interrupt(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Ctrl-C to the process group; the exit code, stdout and stderr; and no process of it left."""
    assert proc.poll() is None, "the command ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the command did not stop within 60 s of Ctrl-C")
    deadline = time.monotonic() + 10
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not group_alive(proc.pid), "worker processes outlived the command"
    return proc.returncode, out, err


def assert_interrupted(code: int, out: str, err: str) -> None:
    assert code == 130, (code, err[-2000:])
    assert err.splitlines() == ["interrupted"], err[-2000:]
    assert "Traceback" not in out + err


def test_simulate(tmp_path: Path) -> None:
    proc = start(["simulate", "--iterations", "1000000", "--no-progress"], tmp_path)
    wait_running(proc)
    assert_interrupted(*interrupt(proc))


def test_report_while_the_study_is_computed(tmp_path: Path) -> None:
    proc = start(["report", "--lang", "all", "--iterations", "20000"], tmp_path)
    wait_running(proc)
    assert_interrupted(*interrupt(proc))
    assert not (tmp_path / "reports").exists()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the languages are rendered in parallel only with 2+ cores")
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes in /proc (Linux)")
def test_report_while_worker_processes_render(tmp_path: Path) -> None:
    # `--lang all` renders the two languages in two forked worker processes:
    # interrupt once both are running
    proc = start(["report", "--lang", "all", "--iterations", "20000"], tmp_path)
    deadline = time.monotonic() + 180
    while len(children(proc.pid)) < 2:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the report's worker processes never started"
        time.sleep(0.05)
    time.sleep(0.3)
    assert_interrupted(*interrupt(proc))
    assert not (tmp_path / "reports").exists()


def test_interrupt_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def ctrl_c(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(feasibility.cli.COMMANDS, "validate", ctrl_c)
    assert main(["validate"]) == 130
    assert capsys.readouterr() == ("", "interrupted\n")


def test_studio_chart_workers_ignore_ctrl_c() -> None:
    # an interrupt of the Jupyter kernel reaches its chart workers too: they must
    # keep running (a worker that died of KeyboardInterrupt would break the pool)
    from feasibility.studio import workers

    pool = workers._chart_pool(1)
    assert pool is not None
    try:
        pid = pool.submit(os.getpid).result(timeout=120)
        assert pid != os.getpid()
        os.kill(pid, signal.SIGINT)
        time.sleep(0.5)
        assert pool.submit(os.getpid).result(timeout=60) == pid  # the same worker, still serving
    finally:
        workers._drop_pool()


# A Ctrl-C that a library swallows: Python raises KeyboardInterrupt in whatever Python code runs
# next, and a compiled library calling back into Python may drop it (pydantic-core's serializer
# did, in ``model_dump``: the report command then wrote both reports and exited 0).


@pytest.fixture
def python_sigint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python's own SIGINT handler, as in a command started from a terminal (a test runner's
    worker may have another); restored afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def swallowed_ctrl_c() -> None:
    """Deliver SIGINT to this process, and drop the KeyboardInterrupt as such a library does."""
    try:
        signal.raise_signal(signal.SIGINT)
        time.sleep(1)  # the handler runs at the next bytecode: it must not get this far
        pytest.fail("SIGINT did not raise KeyboardInterrupt")
    except KeyboardInterrupt:
        pass


def test_a_swallowed_ctrl_c_still_ends_the_command(python_sigint: None, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    went_on = []

    def command(args: object) -> int:
        swallowed_ctrl_c()
        went_on.append(True)
        return 0

    monkeypatch.setitem(feasibility.cli.COMMANDS, "validate", command)
    assert main(["validate"]) == 130
    assert went_on == [True]  # the interrupt was indeed swallowed, and caught at the checkpoint
    assert capsys.readouterr() == ("", "interrupted\n")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is given back
    assert main(["validate"]) == 130  # the next command starts with no interrupt left over ...
    monkeypatch.setitem(feasibility.cli.COMMANDS, "validate", lambda args: 0)
    assert main(["validate"]) == 0  # ... and one without Ctrl-C ends normally


def test_no_file_is_written_after_a_swallowed_ctrl_c(python_sigint: None, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from feasibility.present.report import write_html

    target = tmp_path / "reports" / "r.html"

    def command(args: object) -> int:
        swallowed_ctrl_c()
        write_html(target, "<html></html>")
        return 0

    monkeypatch.setitem(feasibility.cli.COMMANDS, "report", command)
    assert main(["report"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert list(tmp_path.rglob("*")) == []  # no report, no temporary file, no folder


def test_a_swallowed_ctrl_c_stops_the_monte_carlo(python_sigint: None) -> None:
    from feasibility._interrupt import interruptible
    from feasibility.analysis.risk import simulate
    from feasibility.case import DEFAULT_CASE, load_case

    case = load_case(DEFAULT_CASE)
    chunks = []
    with interruptible(), pytest.raises(KeyboardInterrupt):
        swallowed_ctrl_c()
        simulate(case, 400, seed=1, progress=lambda done, total: chunks.append(done), chunk_size=100)
    assert chunks == []  # stopped at the first chunk's checkpoint, before any progress


def test_warnings_after_a_swallowed_ctrl_c_are_not_shown(python_sigint: None, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import warnings

    def command(args: object) -> int:
        warnings.warn("shown: before the Ctrl-C", UserWarning, stacklevel=1)
        swallowed_ctrl_c()
        warnings.warn("not shown: what the library that swallowed it says", UserWarning, stacklevel=1)
        return 0

    monkeypatch.setitem(feasibility.cli.COMMANDS, "validate", command)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        assert main(["validate"]) == 130
    assert [str(w.message) for w in shown] == ["shown: before the Ctrl-C"]
    assert capsys.readouterr().err == "interrupted\n"
