"""Charts drawn away from the kernel: matplotlib in worker processes, fed by a background drawer.

Drawing the four charts of a change takes matplotlib a few hundred
milliseconds; the metric cards take a few tens. The studio writes the cards at
once and hands the charts to a :class:`ChartDrawer`, which draws the newest
request in worker processes (two workers on two cores keep a change within
~0.5 s) and is never more than one drawing behind the inputs. Without worker
processes (a script read from standard input, a sandbox that forbids them) the
charts are drawn in the drawer's thread.

A chart is a *spec*: ``(function of feasibility.present.charts, lang,
keywords)``, picklable, with number formats named (``"bn"``, ``"ratio"``,
``"money"``, ``"pct"``) rather than passed as functions.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import sys
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from .._workers import ignore_sigint
from ..present.i18n import Formatter

__all__ = ["ChartDrawer", "Spec", "chart_fmt", "draw"]

#: a chart to draw: (function of feasibility.present.charts, lang, keywords)
Spec = tuple[str, str, dict[str, Any]]

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def chart_fmt(lang: str, kind: str | None) -> Callable[[float], str] | None:
    """The number format a spec names: billions (``bn``), a ratio, money, a percentage or a plain number; None for the chart's own."""
    fmt = Formatter(lang)
    if kind == "bn":
        return lambda x: fmt.number(x / 1e9, 0 if abs(x) >= 1e10 or x == 0 else 1)
    if kind == "ratio":
        return lambda x: fmt.number(x, 2)
    if kind == "money":
        return fmt.money
    if kind == "pct":
        return lambda x: fmt.percent(x, 1)
    if kind == "number":
        return lambda x: fmt.number(x)
    return None


def draw(spec: Spec) -> str:
    """Draw one chart (runs in a worker process or a thread): ``(function, lang, keywords)`` -> SVG."""
    from ..present import charts

    name, lang, kw = spec
    kw = dict(kw)
    for key in ("fmt", "cell_fmt", "pct_fmt"):
        if key in kw:
            kw[key] = chart_fmt(lang, kw[key])
    return getattr(charts, name)(**kw).svg


def _warm_worker() -> None:
    """Import matplotlib and draw once, so that a worker's first real chart is as fast as the rest.

    Runs first in each worker; the worker ignores Ctrl-C (an interrupt of the
    kernel reaches its whole process group), so that only the kernel handles it.
    """
    ignore_sigint()
    try:
        draw(("lines_by_year", "en", {"years": [2000, 2001], "series": {"x": [0.0, 1.0]}}))
    except Exception:  # noqa: BLE001, S110 - a failure shows, with its message, when a real chart is drawn
        pass


def _noop() -> None:
    return None


def _main_is_importable() -> bool:
    """Whether worker processes can re-import ``__main__`` (not so for code read from standard input)."""
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None):
        return True
    f = getattr(main, "__file__", None)
    return f is None or Path(f).exists()


def _chart_pool(workers: int) -> ProcessPoolExecutor | None:
    """The worker processes that draw charts (shared by every studio of the kernel); None if they cannot start.

    They start with the ``forkserver`` method (a clean process, not a copy of
    a kernel's threads), which imports the ``__main__`` module again: in a
    script, create a studio under ``if __name__ == "__main__":``.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None and _main_is_importable():
            try:
                methods = mp.get_all_start_methods()
                ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
                if ctx.get_start_method() == "forkserver":
                    ctx.set_forkserver_preload(["feasibility.present.charts", "feasibility.studio.workers"])
                _POOL = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_warm_worker)
                for _ in range(workers):  # start them all now: the first change should not wait
                    _POOL.submit(_noop)
            except Exception:  # noqa: BLE001 - no worker processes here: charts are drawn in a thread
                _POOL = None
        return _POOL


def _drop_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


_DRAWERS: weakref.WeakSet[ChartDrawer] = weakref.WeakSet()


@atexit.register
def _close_drawers() -> None:
    """At exit, let every chart thread finish the chart it draws (daemon threads are not joined)."""
    for d in list(_DRAWERS):
        d.close(timeout=10)


class ChartDrawer:
    """Draws the newest requested set of charts in the background, never more than one set behind.

    A request replaces any request still waiting; while one set is drawn, the
    next waits. Charts are drawn in worker processes when there are any (two
    charts at a time on two cores), else in this thread.
    """

    def __init__(self, apply: Callable[[int, dict[str, str]], None], workers: int):
        _DRAWERS.add(self)
        self._apply = apply
        self._workers = workers
        self._cv = threading.Condition()
        self._request: tuple[int, dict[str, Spec]] | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.done = 0  # the newest generation drawn
        self.done_at = 0.0
        self.error: BaseException | None = None

    def request(self, gen: int, specs: dict[str, Spec]) -> None:
        """Draw ``specs`` (generation ``gen``) next, replacing any request still waiting."""
        with self._cv:
            self._request = (gen, specs)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="feasibility-studio-charts", daemon=True)
                self._thread.start()
            self._cv.notify_all()

    def wait(self, gen: int, timeout: float | None = None) -> bool:
        """Wait until generation ``gen`` (or a newer one) is drawn; False on timeout."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while self.done < gen:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cv.wait(left)
            return True

    def warm(self) -> None:
        """Start the worker processes in the background (the first change then finds them ready)."""
        if self._workers:
            threading.Thread(target=_chart_pool, args=(self._workers,), name="feasibility-studio-pool", daemon=True).start()

    def skip(self, gen: int) -> None:
        """Nothing (more) to draw for this generation: not computable, or drawn already."""
        with self._cv:
            self.done = max(self.done, gen)
            self._cv.notify_all()

    def close(self, timeout: float = 30) -> None:
        """Stop drawing, waiting for a chart being drawn (a thread killed inside matplotlib at exit aborts Python)."""
        with self._cv:
            self._closed = True
            self._request = None
            self._cv.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _draw_all(self, gen: int, specs: dict[str, Spec]) -> None:
        """Draw every chart, each shown as soon as it is drawn."""
        pool = _chart_pool(self._workers) if self._workers else None
        if pool is not None:
            try:
                futures = {pool.submit(draw, s): k for k, s in specs.items()}
                for f in as_completed(futures, timeout=60):
                    svg = f.result()
                    if not self._closed:
                        self._apply(gen, {futures[f]: svg})
                return
            except Exception:  # noqa: BLE001 - a broken pool (a worker killed): draw here from now on
                _drop_pool()
                self._workers = 0
        for k, s in specs.items():
            svg = draw(s)
            if not self._closed:
                self._apply(gen, {k: svg})

    def _loop(self) -> None:
        while True:
            with self._cv:
                while self._request is None and not self._closed:
                    if not self._cv.wait(timeout=300):
                        self._thread = None  # idle: a new request starts a new thread
                        return
                if self._closed:
                    return
                gen, specs = self._request
                self._request = None
            try:
                self._draw_all(gen, specs)
                err = None
            except BaseException as exc:  # noqa: BLE001 - kept in .error, never raised in a thread
                err = exc
            with self._cv:
                self.error = err
                self.done = max(self.done, gen)
                self.done_at = time.perf_counter()
                self._cv.notify_all()
