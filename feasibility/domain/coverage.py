"""How often a forecast method's 95 % interval covers the truth, on series from its own model.

Each method of :mod:`feasibility.domain.demand` claims a 95 % prediction
interval. Whether it delivers one on series of the lengths this toolkit sees
(8-15 annual points) is an empirical question: estimated parameters, smoothing
parameters at their bounds and short samples all make intervals too narrow. This
module simulates series from each method's own data-generating process (known
truth), fits the method to the first ``n`` points and counts how often the 95 %
interval at ``h = 1, 5, 10`` years contains the value that followed.

``benchmarks/bench_forecast_coverage.py`` runs it at full size and writes the
measured table that the report quotes (:func:`measured`); the test suite runs it
smaller, at tolerances that allow for simulation error.

The processes (log volumes unless stated; ``t`` = 1..n+10):

* ``naive``: random walk, ``sigma`` 0.10;
* ``rw_drift``, ``cagr``: random walk with drift 0.04/yr, ``sigma`` 0.10;
* ``loglinear``: linear trend 0.04/yr plus iid noise, ``sigma`` 0.10;
* ``elasticity``: ``log V = 1 + 1.2 log D + e``, ``sigma`` 0.08, with the driver ``D``
  growing 5 %/yr with noise and known for the future (the forecast is conditional on it);
* ``logistic`` (levels): ceiling 10,000, ``k`` 0.35, midpoint at the end of the
  history, additive noise with sd 300;
* ``ets`` (levels): ETS(A,Ad,N) with ``alpha`` 0.5, ``beta`` 0.2, ``phi`` 0.9,
  level 1,000, trend 50, ``sigma`` 40 (Hyndman et al. 2008, ch. 2);
  ``ets_level``: ETS(A,N,N) with ``alpha`` 0.5, ``sigma`` 40.

References
----------
Hyndman, R. J., Koehler, A. B., Ord, J. K. & Snyder, R. D. (2008) *Forecasting
with Exponential Smoothing: The State Space Approach*, Springer.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["HORIZONS", "PROCESSES", "Coverage", "measure", "measured"]

HORIZONS = (1, 5, 10)
"""Horizons (years ahead) at which coverage is measured."""

_H = max(HORIZONS)


def _rw(n: int, drift: float, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    z = math.log(1000.0) + np.cumsum(drift + 0.10 * rng.standard_normal(n + _H))
    return np.exp(z), {}


def _loglinear(n: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    t = np.arange(1, n + _H + 1)
    return np.exp(math.log(1000.0) + 0.04 * t + 0.10 * rng.standard_normal(t.size)), {}


def _elasticity(n: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    d = 100.0 * np.exp(np.cumsum(0.05 + 0.03 * rng.standard_normal(n + _H)))
    v = np.exp(1.0 + 1.2 * np.log(d) + 0.08 * rng.standard_normal(d.size))
    return v, {"driver": d}


def _logistic(n: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    t = np.arange(1, n + _H + 1, dtype=float)
    mean = 10_000.0 / (1.0 + np.exp(-0.35 * (t - n)))
    return np.maximum(mean + 300.0 * rng.standard_normal(t.size), 1.0), {"ceiling": 10_000.0}


def _ets(n: int, rng: np.random.Generator, *, damped: bool) -> tuple[np.ndarray, dict]:
    alpha, beta, phi, sigma = 0.5, 0.2, 0.9, 40.0
    level, trend = 1000.0, (50.0 if damped else 0.0)
    out = np.empty(n + _H)
    for i in range(out.size):
        e = sigma * rng.standard_normal()
        out[i] = level + phi * trend + e
        level, trend = level + phi * trend + alpha * e, (phi * trend + beta * e if damped else 0.0)
    return np.maximum(out, 1.0), {}


PROCESSES: dict[str, Callable[[int, np.random.Generator], tuple[np.ndarray, dict]]] = {
    "naive": lambda n, rng: _rw(n, 0.0, rng),
    "cagr": lambda n, rng: _rw(n, 0.04, rng),
    "rw_drift": lambda n, rng: _rw(n, 0.04, rng),
    "loglinear": _loglinear,
    "elasticity": _elasticity,
    "logistic": _logistic,
    "ets": lambda n, rng: _ets(n, rng, damped=True),
    "ets_level": lambda n, rng: _ets(n, rng, damped=False),
}
"""Each method's own data-generating process: ``f(n, rng) -> (n + 10 values, extra)``."""


def _fit(method: str, years: np.ndarray, values: np.ndarray, extra: dict, n: int):
    from . import demand

    hist_y, hist_v = years[:n], values[:n]
    if method == "elasticity":
        d = extra["driver"]
        return demand.fit_elasticity(hist_y, hist_v, hist_y, d[:n], driver_future={"base": d[n:]}).forecast(_H)
    if method == "logistic":
        return demand.fit_logistic(hist_y, hist_v, ceiling=extra["ceiling"]).forecast(_H)
    fitter = demand.fit_ets if method.startswith("ets") else getattr(demand, f"fit_{method}")
    return fitter(hist_y, hist_v).forecast(_H)


@dataclass(frozen=True)
class Coverage:
    """Measured coverage of one method's 95 % interval.

    Attributes
    ----------
    method : str
        The method (and process) measured.
    covered : ndarray, shape (3,)
        Share of series whose value ``h`` years ahead lay inside the 95 % interval,
        for ``h`` in :data:`HORIZONS`.
    se : ndarray, shape (3,)
        Binomial standard error of each share, ``sqrt(p (1 - p) / fits)``.
    fits : int
        Series fitted (those the method refused are counted in ``refused``).
    refused : int
        Series the method could not fit (a ``ValueError`` or ``RuntimeError``).
    """

    method: str
    covered: np.ndarray
    se: np.ndarray
    fits: int
    refused: int


def measure(method: str, reps: int, *, lengths: tuple[int, int] = (8, 15), seed: int = 0) -> Coverage:
    """Coverage of ``method``'s 95 % interval on ``reps`` series from its own process.

    Parameters
    ----------
    method : str
        A key of :data:`PROCESSES`.
    reps : int
        Series simulated; each has a length drawn uniformly from ``lengths`` (inclusive).
    lengths : (int, int)
        Shortest and longest history, in years.
    seed : int
        Seed of the simulation (same seed, same series).

    Returns
    -------
    Coverage
    """
    rng = np.random.default_rng(seed)
    hits = np.zeros(len(HORIZONS))
    fits = refused = 0
    idx = np.asarray(HORIZONS) - 1
    for _ in range(int(reps)):
        n = int(rng.integers(lengths[0], lengths[1] + 1))
        values, extra = PROCESSES[method](n, rng)
        years = np.arange(2000, 2000 + values.size)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc = _fit(method, years, values, extra, n)
        except (ValueError, RuntimeError, ArithmeticError):
            refused += 1
            continue
        truth = values[n + idx]
        hits += (fc.lower95[idx] <= truth) & (truth <= fc.upper95[idx])
        fits += 1
    p = hits / max(fits, 1)
    return Coverage(method, p, np.sqrt(p * (1 - p) / max(fits, 1)), fits, refused)


@lru_cache(maxsize=1)
def measured() -> dict[str, tuple[float, float, float]]:
    """The coverage table the benchmark measured, by method: 95 % interval coverage at h = 1, 5, 10.

    Read from ``feasibility/data/forecast_coverage.csv``, written by
    ``python benchmarks/bench_forecast_coverage.py --write``.
    """
    path = resources.files("feasibility") / "data" / "forecast_coverage.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["method"]: tuple(float(r[f"h{h}"]) for h in HORIZONS) for r in csv.DictReader(fh)}
