"""Annual port-demand forecasting: trends, elasticity, saturation, back-tests.

Every method takes an annual series (integer calendar years, positive volumes
in any one unit, e.g. tonnes or TEU per year) and returns a fitted object with

* ``forecast(horizon) -> Forecast``: point forecast and 80 % / 95 % prediction
  intervals for the ``horizon`` years after the last observation;
* ``simulate(horizon, n_paths, rng) -> ndarray (n_paths, horizon)``: simulated
  future paths for Monte Carlo work, drawn from the same predictive
  distribution the intervals describe (seeded ``rng`` -> identical paths).

Conventions
-----------
* Series are checked by :func:`validate_series`: consecutive integer years, no
  duplicates, no NaN, volumes > 0 (the log methods need them). All problems are
  reported at once in one :class:`SeriesError`, each naming the series.
* The log-scale methods (``cagr``, ``loglinear``, ``rw_drift``, ``naive``,
  ``elasticity``) model ``log(volume)`` with normal errors; their **point
  forecast is the median** ``exp(mean log)``, not the mean, and the intervals
  are the exponentiated log-scale intervals (so they are asymmetric and
  positive). ``ets`` and ``logistic`` work on levels and their point is the mean.
* Trend forecasts of new infrastructure are typically optimistic (Bain 2009);
  use :func:`backtest` and scenarios, and treat long-horizon CAGR with care.

References
----------
Hyndman, R. J. & Athanasopoulos, G. (2021) *Forecasting: Principles and
Practice*, 3rd ed., OTexts, ch. 5 (benchmark methods, drift intervals), ch. 8
(ETS). Hyndman, R. J. & Koehler, A. B. (2006) "Another look at measures of
forecast accuracy", *Int. J. Forecasting* 22(4), 679-688 (MASE). Hyndman, R. J.,
Koehler, A. B., Ord, J. K. & Snyder, R. D. (2008) *Forecasting with Exponential
Smoothing: The State Space Approach*, Springer. Bain, R. (2009) "Error and
optimism bias in toll road traffic forecasts", *Transportation* 36, 469-482.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = [
    "HORIZON_FACTOR",
    "METHODS",
    "MIN_POINTS",
    "Forecast",
    "SeriesError",
    "backtest",
    "fit_cagr",
    "fit_elasticity",
    "fit_ets",
    "fit_logistic",
    "fit_loglinear",
    "fit_naive",
    "fit_rw_drift",
    "index_from_growth",
    "limit_horizon",
    "validate_series",
]

_Z80 = stats.norm.ppf(0.90)
_Z95 = stats.norm.ppf(0.975)

MIN_POINTS: dict[str, int] = {
    "naive": 5,
    "cagr": 6,
    "rw_drift": 6,
    "loglinear": 6,
    "elasticity": 6,
    "logistic": 6,
    "ets": 8,
}
"""Fewest annual observations each method accepts.

The regression and random-walk methods need at least 4 degrees of freedom for
their error scale (naive: ``n - 1``; rw_drift, cagr, loglinear, elasticity,
logistic: ``n - 2``). Below that the t quantile of a 95 % interval exceeds
2.78 (1.96 for a known scale) and the interval mostly measures the scale's own
estimation noise. ETS follows ``forecast::ets`` (Hyndman et al.): a model with
``p`` smoothing parameters and initial states is fitted only when ``n > p + 4``
(level only ``p`` = 2; trend 4; damped trend 5), and 8 points leave the
level-only model 2 spare.
"""

HORIZON_FACTOR = 2
"""A forecast runs at most this many times the history's length beyond its last year.

After that the forecast (point, bounds and simulated paths) is held flat at its
last value: :func:`limit_horizon`. Extrapolating a trend fitted on ``n`` years
much beyond ``n`` years describes the method, not the market (FPP3 sec. 5.8
warns that intervals of such forecasts are far too narrow); a longer view
belongs to a structural method such as the build-up from the companies.
"""


class SeriesError(ValueError):
    """An annual series is unusable; the message lists every problem found."""


# ---------------------------------------------------------------------------
# validation


def _fmt_years(ys: Any) -> str:
    return ", ".join(str(int(y)) if float(y).is_integer() else repr(float(y)) for y in ys)


def validate_series(
    years: Any,
    values: Any,
    name: str = "series",
    *,
    min_points: int = 2,
    positive: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Check an annual series and return it sorted by year.

    Parameters
    ----------
    years : array_like of int
        Calendar years (e.g. 2000 ... 2008); order does not matter.
    values : array_like of float
        Volumes for those years (any unit per year, e.g. tonnes/yr).
    name : str
        Series name used in every error message.
    min_points : int
        Fewest observations the calling method needs.
    positive : bool
        If True (default) values must be > 0 (log methods); otherwise >= 0.

    Returns
    -------
    years, values : ndarray of float
        One-dimensional, sorted by year.

    Raises
    ------
    SeriesError
        Listing **all** problems, one per ``;``-separated clause, each of the
        form ``"<name>: <problem>"``: non-integer years, duplicated years,
        missing years (gaps), NaN values, negative (or zero) values, too few
        points. Shape problems (lengths differ, not 1-D) are raised alone.
    """
    y = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    if y.ndim != 1 or v.ndim != 1:
        raise SeriesError(f"{name}: years and values must be one-dimensional")
    if y.shape != v.shape:
        raise SeriesError(f"{name}: {y.size} years but {v.size} values")
    problems: list[str] = []

    finite_y = np.isfinite(y)
    nonint = ~finite_y | (np.where(finite_y, y, 0.0) != np.round(np.where(finite_y, y, 0.0)))
    if nonint.any():
        problems.append(f"non-integer years {_fmt_years(y[nonint])} (annual series need whole years)")
    order = np.argsort(y, kind="stable")
    y, v = y[order], v[order]
    ok_y = y[np.isfinite(y) & (y == np.round(y))] if y.size else y
    uniq, counts = np.unique(ok_y, return_counts=True)
    if (counts > 1).any():
        problems.append(f"duplicated years {_fmt_years(uniq[counts > 1])}")
    if uniq.size >= 2:
        full = np.arange(uniq[0], uniq[-1] + 1)
        missing = np.setdiff1d(full, uniq)
        if missing.size:
            problems.append(f"missing years {_fmt_years(missing)}")
    nan = np.isnan(v)
    if nan.any():
        problems.append(f"NaN values in {_fmt_years(y[nan])}")
    inf = np.isinf(v)
    if inf.any():
        problems.append(f"infinite values in {_fmt_years(y[inf])}")
    bad = (v <= 0) if positive else (v < 0)
    if bad.any():
        what = "negative or zero values" if positive else "negative values"
        problems.append(f"{what} in {_fmt_years(y[bad])}")
    n_ok = int(np.sum(np.isfinite(v) & ~bad))
    if y.size < min_points or n_ok < min_points:
        problems.append(f"too few points: {n_ok} usable, at least {min_points} needed")
    if problems:
        raise SeriesError("; ".join(f"{name}: {p}" for p in problems))
    return y, v


def index_from_growth(years: Any, growth_pct: Any, *, base: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """Turn annual growth rates (%) into a level index, e.g. GRDP at constant prices.

    The first year gets ``base``; each later year is the previous one times
    ``1 + growth/100``. The first year's own growth is therefore not used.

    Returns
    -------
    years, index : ndarray of float
    """
    y, g = _validate_signed(years, growth_pct)
    idx = base * np.concatenate([[1.0], np.cumprod(1.0 + g[1:] / 100.0)])
    return y, idx


def _validate_signed(years: Any, values: Any) -> tuple[np.ndarray, np.ndarray]:
    # growth rates may be negative: check the years (and NaN) with a stand-in of ones
    v = np.asarray(values, dtype=float)
    y, _ = validate_series(years, np.where(np.isnan(v), np.nan, 1.0), "growth", min_points=2)
    return y, v[np.argsort(np.asarray(years, dtype=float), kind="stable")]


def _check_horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not float(horizon).is_integer() or int(horizon) < 1:
        raise ValueError(f"horizon must be a positive whole number of years, got {horizon!r}")
    return int(horizon)


def _check_paths(n_paths: Any, rng: Any) -> int:
    if isinstance(n_paths, bool) or not float(n_paths).is_integer() or int(n_paths) < 1:
        raise ValueError(f"n_paths must be a positive integer, got {n_paths!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy Generator, e.g. np.random.default_rng(42)")
    return int(n_paths)


# ---------------------------------------------------------------------------
# result container


@dataclass(frozen=True)
class Forecast:
    """Point forecast and prediction intervals for future years.

    Attributes
    ----------
    method : str
    years : ndarray of int
        Future calendar years.
    point : ndarray
        Point forecast (volume units; median for log methods, mean otherwise).
    lower80, upper80, lower95, upper95 : ndarray
        Central 80 % and 95 % prediction-interval bounds.
    params : dict
        Fitted parameters and diagnostics (growth rate, elasticity, sigma, ...).
    """

    method: str
    years: np.ndarray
    point: np.ndarray
    lower80: np.ndarray
    upper80: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    params: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per future year (index ``year``); columns point and bounds."""
        return pd.DataFrame(
            {
                "method": self.method,
                "point": self.point,
                "lower80": self.lower80,
                "upper80": self.upper80,
                "lower95": self.lower95,
                "upper95": self.upper95,
            },
            index=pd.Index(np.asarray(self.years, dtype=int), name="year"),
        )


def _future_years(last_year: float, horizon: int) -> np.ndarray:
    return int(last_year) + np.arange(1, horizon + 1, dtype=int)


def _t_width(df: float) -> float:
    """How much wider a t interval with ``df`` degrees of freedom is than the normal one, at 95 %.

    Simulated paths use normal errors with the scale times this factor: their central 95 %
    matches the forecast's t interval, and (unlike t errors on logs) they have a finite mean.
    """
    return float(stats.t.ppf(0.975, df) / _Z95) if np.isfinite(df) else 1.0


def _log_forecast(method, last_year, horizon, mu, scale, df, params) -> Forecast:
    """Forecast from log-scale location ``mu`` and scale; t with ``df`` (inf = normal)."""
    q80 = stats.t.ppf(0.90, df) if np.isfinite(df) else _Z80
    q95 = stats.t.ppf(0.975, df) if np.isfinite(df) else _Z95
    return Forecast(
        method=method,
        years=_future_years(last_year, horizon),
        point=np.exp(mu),
        lower80=np.exp(mu - q80 * scale),
        upper80=np.exp(mu + q80 * scale),
        lower95=np.exp(mu - q95 * scale),
        upper95=np.exp(mu + q95 * scale),
        params=dict(params),
    )


# ---------------------------------------------------------------------------
# random walks on logs: cagr, rw_drift, naive


@dataclass(frozen=True)
class _RandomWalk:
    method: str
    name: str
    years: np.ndarray
    values: np.ndarray
    drift: float  # per-year log growth
    sigma: float  # sd of log growth innovations
    df: float  # degrees of freedom of sigma (inf -> treat as known)
    drift_var_factor: float  # Var(drift_hat) = sigma**2 * factor (0 -> drift known)
    params: dict

    def _scale(self, h: np.ndarray) -> np.ndarray:
        return self.sigma * np.sqrt(h + h**2 * self.drift_var_factor)

    def forecast(self, horizon: int) -> Forecast:
        horizon = _check_horizon(horizon)
        h = np.arange(1, horizon + 1, dtype=float)
        mu = math.log(self.values[-1]) + self.drift * h
        df = self.df if self.df_in_intervals else np.inf
        return _log_forecast(self.method, self.years[-1], horizon, mu, self._scale(h), df, self.params)

    @property
    def df_in_intervals(self) -> bool:
        return self.drift_var_factor > 0 or self.method == "naive"

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        """Paths with finite moments: normal log innovations and a normal drift (its estimation error).

        The flat-prior posterior predictive (sigma^2 scaled inverse chi-square) has t marginals,
        whose exponential has no finite mean: the paths' sample mean would never settle. Here
        sigma is fixed at its estimate widened by :func:`_t_width` (the central 95 % of the
        paths matches the t interval of :meth:`forecast`), so each path is lognormal.
        """
        horizon = _check_horizon(horizon)
        n_paths = _check_paths(n_paths, rng)
        sig = self.sigma * (_t_width(self.df) if self.df_in_intervals else 1.0)
        drift = self.drift + sig * math.sqrt(self.drift_var_factor) * rng.standard_normal((n_paths, 1))
        steps = drift + sig * rng.standard_normal((n_paths, horizon))
        return self.values[-1] * np.exp(np.cumsum(steps, axis=1))


def _check_scale(name: str, sigma: float, what: str) -> None:
    """Refuse a fit that leaves no variation: its interval would have zero width."""
    if not sigma > 1e-9:
        raise SeriesError(
            f"{name}: every point lies exactly on {what} (nothing is left to measure the uncertainty with), "
            "so every prediction interval would have zero width; a real history is never this exact: check the "
            "file, or enter the volumes as an assumption with a range"
        )


def _random_walk_drift(method: str, years: Any, values: Any, name: str) -> _RandomWalk:
    y, v = validate_series(years, values, name, min_points=MIN_POINTS[method])
    d = np.diff(np.log(v))
    m = d.size
    c = float(d.mean())
    s = float(np.std(d, ddof=1))
    _check_scale(name, s, "one constant growth rate")
    params = {"drift": c, "growth": math.expm1(c), "drift_se": s / math.sqrt(m), "sigma": s, "n": int(v.size)}
    return _RandomWalk(method, name, y, v, c, s, float(m - 1), 1.0 / m, params)


def fit_cagr(years: Any, values: Any, *, name: str = "series") -> _RandomWalk:
    """Compound annual growth rate from the first to the last observation, with its uncertainty.

    ``g = (V_last / V_first) ** (1 / (T_last - T_first)) - 1`` and
    ``V_{T+h} = V_T (1 + g)^h``. ``log(1 + g)`` is exactly the mean of the
    annual log growth rates, so this is the random walk with drift
    (:func:`fit_rw_drift`) under the name consultants know: the same point
    forecast and the same intervals, which include the growth rate's own
    estimation error. (Intervals that took ``g`` as known were 16-27 % narrower
    and covered 0.79-0.91 of outcomes instead of 0.95; see
    :mod:`feasibility.domain.coverage`.)

    Needs :data:`MIN_POINTS` ``["cagr"]`` points. ``params``: ``growth``
    (fraction/yr), ``drift``, ``drift_se``, ``sigma``.
    """
    return _random_walk_drift("cagr", years, values, name)


def fit_rw_drift(years: Any, values: Any, *, name: str = "series") -> _RandomWalk:
    """Random walk with drift on log volumes.

    ``log V_t = log V_{t-1} + c + e_t``, ``e_t ~ N(0, s^2)``. With ``m`` log
    differences, ``c_hat`` = their mean and ``s`` = their sample sd (``m - 1``
    df). The ``h``-step forecast error has variance ``s^2 (h + h^2 / m)``
    (drift estimation included; FPP3 sec. 5.5) and, under normality, is exactly
    ``t`` with ``m - 1`` df, which the intervals use.

    Needs :data:`MIN_POINTS` ``["rw_drift"]`` points. ``params``: ``drift``
    (log/yr), ``growth`` (``exp(drift) - 1``), ``drift_se``, ``sigma``.

    Raises
    ------
    SeriesError
        Too few points, or a series growing by exactly the same rate every year
        (no variation: zero-width intervals).
    """
    return _random_walk_drift("rw_drift", years, values, name)


def fit_naive(years: Any, values: Any, *, name: str = "series") -> _RandomWalk:
    """Naive (no-change) forecast: random walk on log volumes without drift.

    Point = last value. Intervals: ``s^2 = mean(d^2)`` of the ``m`` log
    differences (``m`` df), ``h``-step scale ``s sqrt(h)``, ``t`` with ``m``
    df. The benchmark every other method should beat (and the MASE scale).
    Needs :data:`MIN_POINTS` ``["naive"]`` points; a constant series is refused
    (zero-width intervals).
    """
    y, v = validate_series(years, values, name, min_points=MIN_POINTS["naive"])
    d = np.diff(np.log(v))
    s = float(np.sqrt(np.mean(d**2)))
    _check_scale(name, s, "one constant value")
    params = {"sigma": s, "n": int(v.size)}
    return _RandomWalk("naive", name, y, v, 0.0, s, float(d.size), 0.0, params)


# ---------------------------------------------------------------------------
# linear regressions on logs: loglinear, elasticity


@dataclass(frozen=True)
class _LogRegression:
    """OLS ``log V = X b + e``; prediction via the regression's t intervals."""

    method: str
    name: str
    last_year: float
    beta: np.ndarray
    xtx_inv: np.ndarray
    sigma: float
    df: int
    params: dict

    def _design(self, horizon: int, **kw) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _forecast_from(self, X: np.ndarray, horizon: int) -> Forecast:
        mu = X @ self.beta
        se = self.sigma * np.sqrt(1.0 + np.einsum("ij,jk,ik->i", X, self.xtx_inv, X))
        return _log_forecast(self.method, self.last_year, horizon, mu, se, self.df, self.params)

    def _simulate_from(self, X: np.ndarray, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        # Normal coefficients (their estimation error) and normal errors with sigma widened so that
        # the central 95 % matches the t interval (:func:`_t_width`): lognormal paths, finite moments
        # (t marginals, as from an inverse chi-square sigma, have none once exponentiated).
        sig = self.sigma * _t_width(self.df)
        chol = np.linalg.cholesky(self.xtx_inv)
        b = self.beta + sig * (rng.standard_normal((n_paths, self.beta.size)) @ chol.T)
        mu = b @ X.T
        return np.exp(mu + sig * rng.standard_normal(mu.shape))


def _ols(X: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int]:
    beta, *_ = np.linalg.lstsq(X, z, rcond=None)
    resid = z - X @ beta
    df = X.shape[0] - X.shape[1]
    sigma = float(np.sqrt(resid @ resid / df))
    return beta, np.linalg.inv(X.T @ X), sigma, df


class _LogLinear(_LogRegression):
    def forecast(self, horizon: int) -> Forecast:
        horizon = _check_horizon(horizon)
        return self._forecast_from(self._X(horizon), horizon)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        horizon = _check_horizon(horizon)
        n_paths = _check_paths(n_paths, rng)
        return self._simulate_from(self._X(horizon), n_paths, rng)

    def _X(self, horizon: int) -> np.ndarray:
        t = _future_years(self.last_year, horizon) - self.params["year_centre"]
        return np.column_stack([np.ones(horizon), t])


def fit_loglinear(years: Any, values: Any, *, name: str = "series") -> _LogLinear:
    """Exponential trend: OLS of ``log V`` on year.

    ``log V_t = a + b (t - t_bar) + e_t``, ``e_t ~ iid N(0, s^2)``; growth
    ``exp(b) - 1`` per year. Intervals are the OLS prediction intervals
    (``t`` with ``n - 2`` df), exponentiated. Residual autocorrelation, common in
    volume series, makes them too narrow; compare with :func:`fit_rw_drift`.

    Needs :data:`MIN_POINTS` ``["loglinear"]`` points. ``params``: ``growth``, ``slope``, ``slope_se``,
    ``intercept`` (at ``year_centre``), ``sigma``, ``r2``.
    """
    y, v = validate_series(years, values, name, min_points=MIN_POINTS["loglinear"])
    tc = float(y.mean())
    X = np.column_stack([np.ones_like(y), y - tc])
    z = np.log(v)
    beta, xtx_inv, s, df = _ols(X, z)
    _check_scale(name, s, "an exponential trend")
    r2 = 1.0 - (s**2 * df) / float(np.sum((z - z.mean()) ** 2)) if np.ptp(z) > 0 else 1.0
    params = {
        "growth": math.expm1(beta[1]),
        "slope": float(beta[1]),
        "slope_se": s * math.sqrt(xtx_inv[1, 1]),
        "intercept": float(beta[0]),
        "year_centre": tc,
        "sigma": s,
        "r2": float(r2),
        "n": int(v.size),
    }
    return _LogLinear("loglinear", name, float(y[-1]), beta, xtx_inv, s, df, params)


class _Elasticity(_LogRegression):
    def _X(self, horizon: int, scenario: str) -> np.ndarray:
        fut = self.params.get("_driver_future")
        if not fut:
            raise ValueError(f"{self.name}: no driver_future given to fit_elasticity; cannot forecast")
        if scenario not in fut:
            raise ValueError(f"{self.name}: unknown scenario {scenario!r}; have {sorted(fut)}")
        d = fut[scenario]
        if d.size < horizon:
            raise ValueError(
                f"{self.name}: driver_future[{scenario!r}] covers {d.size} years, horizon is {horizon}"
            )
        return np.column_stack([np.ones(horizon), np.log(d[:horizon])])

    def forecast(self, horizon: int, scenario: str = "base") -> Forecast:
        horizon = _check_horizon(horizon)
        fc = self._forecast_from(self._X(horizon, scenario), horizon)
        params = {k: v for k, v in fc.params.items() if not k.startswith("_")}
        params["scenario"] = scenario
        return Forecast(fc.method, fc.years, fc.point, fc.lower80, fc.upper80, fc.lower95, fc.upper95, params)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator, scenario: str = "base") -> np.ndarray:
        horizon = _check_horizon(horizon)
        n_paths = _check_paths(n_paths, rng)
        return self._simulate_from(self._X(horizon, scenario), n_paths, rng)


def fit_elasticity(
    years: Any,
    values: Any,
    driver_years: Any,
    driver_values: Any,
    *,
    name: str = "series",
    driver_future: Mapping[str, Any] | None = None,
) -> _Elasticity:
    """Constant-elasticity model: OLS of ``log V`` on ``log D`` (driver level).

    ``log V_t = a + e log D_t + u_t``: a 1 % rise in the driver (e.g. GRDP at
    constant prices, see :func:`index_from_growth`) raises volume by ``e`` %.
    Fitted on the years both series cover (at least :data:`MIN_POINTS` ``["elasticity"]``). Forecasts are
    **conditional on the driver path** of a scenario: ``driver_future`` maps a
    scenario name (``"low"``, ``"base"``, ``"high"``) to driver levels for the
    years after the last volume year (at least ``horizon`` of them, same units
    as ``driver_values``). Intervals: OLS prediction intervals (``t``,
    ``n - 2`` df), exponentiated; driver uncertainty is carried by the scenarios,
    not the intervals.

    ``params``: ``elasticity``, ``elasticity_se``, ``intercept``, ``sigma``,
    ``r2``, ``n``, ``years_used``.
    """
    need = MIN_POINTS["elasticity"]
    y, v = validate_series(years, values, name, min_points=need)
    dy, dv = validate_series(driver_years, driver_values, f"{name} driver", min_points=need)
    common, iv, idr = np.intersect1d(y, dy, return_indices=True)
    if common.size < need:
        raise SeriesError(
            f"{name}: only {common.size} years shared with the driver "
            f"({_fmt_years(common) or 'none'}); at least {need} needed"
        )
    z = np.log(v[iv])
    x = np.log(dv[idr])
    if np.ptp(x) == 0:
        raise SeriesError(f"{name}: the driver is constant over the shared years; elasticity undefined")
    X = np.column_stack([np.ones_like(x), x])
    beta, xtx_inv, s, df = _ols(X, z)
    _check_scale(name, s, "the elasticity line")
    fut: dict[str, np.ndarray] = {}
    for k, arr in (driver_future or {}).items():
        a = np.asarray(arr, dtype=float).ravel()
        if not np.all(np.isfinite(a)) or np.any(a <= 0):
            raise ValueError(f"{name}: driver_future[{k!r}] must be finite and > 0")
        fut[str(k)] = a
    r2 = 1.0 - (s**2 * df) / float(np.sum((z - z.mean()) ** 2)) if np.ptp(z) > 0 else 1.0
    params = {
        "elasticity": float(beta[1]),
        "elasticity_se": s * math.sqrt(xtx_inv[1, 1]),
        "intercept": float(beta[0]),
        "sigma": s,
        "r2": float(r2),
        "n": int(common.size),
        "years_used": (int(common[0]), int(common[-1])),
        "_driver_future": fut,
    }
    return _Elasticity("elasticity", name, float(y[-1]), beta, xtx_inv, s, df, params)


# ---------------------------------------------------------------------------
# ETS


@dataclass(frozen=True)
class _ETS:
    name: str
    last_year: float
    result: Any
    params: dict

    method = "ets"

    def forecast(self, horizon: int) -> Forecast:
        horizon = _check_horizon(horizon)
        n = int(self.result.nobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # exact intervals for additive error; simulated (fixed seed) otherwise
            pred = self.result.get_prediction(
                start=n, end=n + horizon - 1, simulate_repetitions=5000, rng=np.random.default_rng(0)
            )
            f80 = pred.summary_frame(alpha=0.20)
            f95 = pred.summary_frame(alpha=0.05)
        return Forecast(
            method="ets",
            years=_future_years(self.last_year, horizon),
            point=np.asarray(f80["mean"], dtype=float),
            lower80=np.maximum(np.asarray(f80["pi_lower"], dtype=float), 0.0),
            upper80=np.asarray(f80["pi_upper"], dtype=float),
            lower95=np.maximum(np.asarray(f95["pi_lower"], dtype=float), 0.0),
            upper95=np.asarray(f95["pi_upper"], dtype=float),
            params=dict(self.params),
        )

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        horizon = _check_horizon(horizon)
        n_paths = _check_paths(n_paths, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim = self.result.simulate(horizon, anchor="end", repetitions=n_paths, rng=rng)
        return np.maximum(np.asarray(sim, dtype=float).reshape(horizon, n_paths).T, 0.0)


ETS_MIN_POINTS = MIN_POINTS["ets"]

#: the trend forms tried, with the smoothing parameters and initial states each estimates
#: (alpha + level; + beta + slope; + phi), as counted by forecast::ets
_ETS_TRENDS = {"none": (None, False, 2), "add": ("add", False, 4), "add_damped": ("add", True, 5)}

#: statsmodels' bounds (ETSModel._setup_bounds): alpha and beta/alpha in (1e-4, 1 - 1e-4), phi in (0.8, 0.98)
_ETS_BOUNDS = {"smoothing_level": (1e-4, 1 - 1e-4), "smoothing_trend": (1e-4, 1 - 1e-4), "damping_trend": (0.8, 0.98)}


def _ets_at_bounds(p: Mapping[str, float]) -> list[str]:
    """The smoothing parameters an ETS fit left at (within 1e-3 of) a bound: not identified by the data."""
    out = []
    for key, (lo, hi) in _ETS_BOUNDS.items():
        if key not in p:
            continue
        # beta is bounded relative to alpha (beta* = beta / alpha)
        val = p[key] / p["smoothing_level"] if key == "smoothing_trend" and p["smoothing_level"] > 0 else p[key]
        if val <= lo + 1e-3 or val >= hi - 1e-3:
            out.append(key)
    return out


def fit_ets(years: Any, values: Any, *, name: str = "series") -> _ETS:
    """Exponential smoothing state-space model (statsmodels ``ETSModel``).

    Candidates: error ``add``/``mul`` x trend {none, additive, additive damped},
    no seasonality (annual data), each only where the data can identify it: a
    form with ``p`` smoothing parameters and initial states needs ``n > p + 4``
    points (``forecast::ets``, Hyndman et al.): the level-only form from 7
    points, the additive trend from 9, the damped trend from 10. The candidate
    with the lowest AICc (Hyndman et al. 2008) is kept. Fitted on levels.
    Intervals from ``get_prediction`` (exact for additive errors; 5000
    simulations with a fixed seed for multiplicative ones), lower bounds floored
    at 0; ``simulate`` uses the model's own simulation with the given ``rng``,
    paths floored at 0 (volumes).

    The intervals take the estimated smoothing parameters as known, so on short
    series they are too narrow; ``python benchmarks/bench_forecast_coverage.py``
    measures by how much and the report quotes it
    (:func:`feasibility.domain.coverage.measured`).

    Needs :data:`MIN_POINTS` ``["ets"]`` points. ``params``: ``error``,
    ``trend`` (``none``, ``add``, ``add_damped``), ``aicc``, smoothing
    parameters, ``at_bounds`` (smoothing parameters at a bound of their range:
    the data do not identify them), ``candidates`` (AICc of each).
    """
    y, v = validate_series(years, values, name, min_points=ETS_MIN_POINTS)
    if np.ptp(v) == 0:
        raise SeriesError(f"{name}: the series has the same value every year; ETS has no variation to fit")
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    best = None
    cands: dict[str, float] = {}
    errors: list[str] = []
    for error in ("add", "mul"):
        for form, (trend, damped, n_par) in _ETS_TRENDS.items():
            if v.size <= n_par + 4:
                continue
            label = f"{error}/{form}"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = ETSModel(pd.Series(v), error=error, trend=trend, damped_trend=damped).fit(disp=False, maxiter=2000)
                aicc = float(res.aicc)
            except Exception as exc:  # noqa: BLE001 - a failed candidate is reported below
                errors.append(f"{label}: {exc}")
                continue
            if not np.isfinite(aicc):
                errors.append(f"{label}: AICc not finite")
                continue
            cands[label] = aicc
            if best is None or aicc < best[0]:
                best = (aicc, error, form, res)
    if best is None:
        raise RuntimeError(f"{name}: no ETS model could be fitted ({'; '.join(errors)})")
    aicc, error, form, res = best
    p = {k: float(val) for k, val in zip(res.model.param_names, np.asarray(res.params, dtype=float))}
    smooth = {k: val for k, val in p.items() if k.startswith(("smoothing", "damping"))}
    params = {
        "error": error,
        "trend": form,
        "aicc": aicc,
        **smooth,
        "at_bounds": _ets_at_bounds(smooth),
        "candidates": cands,
        "n": int(v.size),
    }
    return _ETS(name, float(y[-1]), res, params)


# ---------------------------------------------------------------------------
# logistic saturation


def _logistic(t: np.ndarray, k: float, t0: float, ceiling: float) -> np.ndarray:
    return ceiling / (1.0 + np.exp(-k * (t - t0)))


@dataclass(frozen=True)
class _Logistic:
    name: str
    last_year: float
    ceiling: float
    theta: np.ndarray  # (k, t0)
    cov: np.ndarray
    sigma: float
    df: int
    params: dict

    method = "logistic"

    def _mean_se(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k, t0 = self.theta
        f = _logistic(t, k, t0, self.ceiling)
        # gradient of f wrt (k, t0): f (1 - f/C) * ((t - t0), -k)
        w = f * (1.0 - f / self.ceiling)
        J = np.column_stack([w * (t - t0), -w * k])
        var_mean = np.einsum("ij,jk,ik->i", J, self.cov, J)
        return f, np.sqrt(var_mean + self.sigma**2)

    def forecast(self, horizon: int) -> Forecast:
        horizon = _check_horizon(horizon)
        t = _future_years(self.last_year, horizon).astype(float)
        f, se = self._mean_se(t)
        q80, q95 = stats.t.ppf(0.90, self.df), stats.t.ppf(0.975, self.df)
        return Forecast(
            method="logistic",
            years=t.astype(int),
            point=f,
            lower80=np.maximum(f - q80 * se, 0.0),
            upper80=f + q80 * se,
            lower95=np.maximum(f - q95 * se, 0.0),
            upper95=f + q95 * se,
            params=dict(self.params),
        )

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        horizon = _check_horizon(horizon)
        n_paths = _check_paths(n_paths, rng)
        t = _future_years(self.last_year, horizon).astype(float)
        chol = np.linalg.cholesky(self.cov + 1e-300 * np.eye(2))
        th = self.theta + rng.standard_normal((n_paths, 2)) @ chol.T
        f = _logistic(t[None, :], th[:, :1], th[:, 1:], self.ceiling)
        return np.maximum(f + self.sigma * rng.standard_normal(f.shape), 0.0)


@dataclass(frozen=True)
class _LogisticMixture:
    """Logistic fits over a ceiling's range: the forecast mixes them (the ceiling's uncertainty)."""

    name: str
    last_year: float
    central: _Logistic
    fits: tuple[_Logistic, ...]
    params: dict

    method = "logistic"

    def forecast(self, horizon: int) -> Forecast:
        horizon = _check_horizon(horizon)
        point = self.central.forecast(horizon).point
        # quantiles of the mixture, from 20,000 paths with a fixed seed (Monte Carlo error < 1 %)
        paths = self.simulate(horizon, 20_000, np.random.default_rng(0))
        q = np.quantile(paths, [0.025, 0.10, 0.90, 0.975], axis=0)
        return Forecast("logistic", _future_years(self.last_year, horizon), point, q[1], q[2], q[0], q[3], dict(self.params))

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        horizon = _check_horizon(horizon)
        n_paths = _check_paths(n_paths, rng)
        which = rng.integers(len(self.fits), size=n_paths)
        out = np.empty((n_paths, horizon))
        for i, fit in enumerate(self.fits):
            rows = which == i
            if rows.any():
                out[rows] = fit.simulate(horizon, int(rows.sum()), rng)
        return out


#: ceilings fitted across a ceiling's range (equal-probability points of its triangular distribution)
_CEILING_POINTS = 21


def fit_logistic(
    years: Any,
    values: Any,
    *,
    ceiling: float,
    ceiling_range: tuple[float, float] | None = None,
    name: str = "series",
) -> _Logistic | _LogisticMixture:
    """Logistic saturation towards a capacity ``ceiling`` given from outside.

    ``V_t = C / (1 + exp(-k (t - t0)))`` with ``C = ceiling`` fixed (e.g. berth
    or hinterland capacity, same unit as ``values``); ``k`` (1/yr) and the
    midpoint year ``t0`` are fitted by nonlinear least squares on levels
    (``scipy.optimize.curve_fit``), started from the OLS fit of
    ``logit(V/C)`` on year. Intervals: **parameter covariance** (delta method)
    plus residual variance, ``t`` with ``n - 2`` df, lower bounds floored at 0;
    ``simulate`` draws ``(k, t0)`` from their normal approximation plus
    independent normal residuals.

    With ``ceiling_range = (low, high)`` the ceiling itself is uncertain: it is
    taken as triangular on ``[low, high]`` with mode ``ceiling``; the curve is
    fitted at 21 equal-probability ceilings and the forecast is their equal-weight
    mixture (intervals are quantiles of 20,000 paths with a fixed seed; the point
    is the fit at ``ceiling``). ``params`` then add ``ceiling_low`` and
    ``ceiling_high``.

    Raises
    ------
    ValueError
        Too few points (:data:`MIN_POINTS` ``["logistic"]``); a ceiling (or the
        low end of its range) not above every observation (the curve stays below
        it), not finite and positive; a range that does not contain ``ceiling``;
        a fitted growth rate ``k`` not positive (a falling series is not a
        saturation); an exact fit (zero-width intervals).
    """
    y, v = validate_series(years, values, name, min_points=MIN_POINTS["logistic"])
    central = _fit_logistic_at(y, v, ceiling, name)
    if ceiling_range is None:
        return central
    lo, hi = (float(c) for c in ceiling_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo <= central.ceiling <= hi and lo < hi):
        raise ValueError(f"{name}: ceiling_range {ceiling_range!r} must be finite, low < high, and contain the ceiling {central.ceiling:g}")
    if lo <= v.max():
        top = int(np.argmax(v))
        raise ValueError(
            f"{name}: the low end of ceiling_range, {lo:g}, is not above the observation {v[top]:g} "
            f"(year {int(y[top])}); a logistic curve stays below its ceiling"
        )
    mode = (central.ceiling - lo) / (hi - lo)
    probs = (np.arange(_CEILING_POINTS) + 0.5) / _CEILING_POINTS
    fits = tuple(_fit_logistic_at(y, v, c, name) for c in stats.triang.ppf(probs, mode, loc=lo, scale=hi - lo))
    params = {**central.params, "ceiling_low": lo, "ceiling_high": hi}
    return _LogisticMixture(name, float(y[-1]), central, fits, params)


def _fit_logistic_at(y: np.ndarray, v: np.ndarray, ceiling: float, name: str) -> _Logistic:
    """:func:`fit_logistic` at one ceiling, on a validated series."""
    C = float(ceiling)
    if not np.isfinite(C) or C <= 0:
        raise ValueError(f"{name}: ceiling must be finite and > 0, got {ceiling!r}")
    top = int(np.argmax(v))
    if C <= v[top]:
        raise ValueError(
            f"{name}: ceiling {C:g} is not above the observation {v[top]:g} "
            f"(year {int(y[top])}); a logistic curve stays below its ceiling"
        )
    r = np.clip(v / C, 1e-6, 1 - 1e-6)
    slope, icpt = np.polyfit(y, np.log(r / (1 - r)), 1)
    k0 = slope if abs(slope) > 1e-6 else 0.1
    t0_0 = -icpt / k0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theta, cov = optimize.curve_fit(
                lambda t, k, t0: _logistic(t, k, t0, C), y, v, p0=[k0, t0_0], maxfev=20000
            )
    except RuntimeError as exc:
        raise RuntimeError(f"{name}: logistic fit did not converge ({exc})") from exc
    if not theta[0] > 0:
        # a curve with k <= 0 falls away from its ceiling: not a saturation the ceiling describes
        raise ValueError(
            f"{name}: the fitted growth rate k is {theta[0]:.3g} per year, not > 0: the series does not rise "
            "towards a ceiling; use another method"
        )
    resid = v - _logistic(y, *theta, C)
    df = v.size - 2
    s = float(np.sqrt(resid @ resid / df))
    _check_scale(name, s / C, f"the logistic curve to the ceiling {C:g}")
    if not np.all(np.isfinite(cov)):
        raise RuntimeError(f"{name}: logistic parameter covariance not finite (flat or exact fit?)")
    params = {
        "k": float(theta[0]),
        "t0": float(theta[1]),
        "ceiling": C,
        "k_se": float(math.sqrt(cov[0, 0])),
        "t0_se": float(math.sqrt(cov[1, 1])),
        "sigma": s,
        "n": int(v.size),
    }
    return _Logistic(name, float(y[-1]), C, np.asarray(theta, float), np.asarray(cov, float), s, df, params)


# ---------------------------------------------------------------------------
# horizon limit


@dataclass(frozen=True)
class _HeldFlat:
    """A fitted method whose forecast is held flat beyond ``limit`` years after the history."""

    model: Any
    limit: int

    @property
    def method(self) -> str:
        return self.model.method

    @property
    def params(self) -> dict:
        return {**self.model.params, "horizon_limit": self.limit}

    def forecast(self, horizon: int, **kw: Any) -> Forecast:
        horizon = _check_horizon(horizon)
        fc = self.model.forecast(min(horizon, self.limit), **kw)
        if horizon <= self.limit:
            return Forecast(fc.method, fc.years, fc.point, fc.lower80, fc.upper80, fc.lower95, fc.upper95, self.params)
        pad = horizon - self.limit

        def held(a: np.ndarray) -> np.ndarray:
            return np.concatenate([a, np.repeat(a[-1:], pad)])

        years = np.concatenate([fc.years, fc.years[-1] + np.arange(1, pad + 1)])
        params = {**self.params, "held_flat_from": int(fc.years[-1]) + 1}
        return Forecast(fc.method, years, held(fc.point), held(fc.lower80), held(fc.upper80), held(fc.lower95), held(fc.upper95), params)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator, **kw: Any) -> np.ndarray:
        horizon = _check_horizon(horizon)
        paths = self.model.simulate(min(horizon, self.limit), n_paths, rng, **kw)
        if horizon <= self.limit:
            return paths
        return np.concatenate([paths, np.repeat(paths[:, -1:], horizon - self.limit, axis=1)], axis=1)


def limit_horizon(model: Any, n_obs: int, factor: int = HORIZON_FACTOR) -> _HeldFlat:
    """A fitted method whose forecasts stop growing ``factor`` x ``n_obs`` years after the history.

    Parameters
    ----------
    model : fitted object
        Any fitted method of this module (``forecast``, ``simulate``, ``method``, ``params``).
    n_obs : int
        Observations the method was fitted on.
    factor : int
        :data:`HORIZON_FACTOR` by default.

    Returns
    -------
    object
        The same interface; beyond ``limit = factor * n_obs`` years the point,
        the bounds and every simulated path keep their value of year ``limit``,
        and ``Forecast.params`` carry ``horizon_limit`` and ``held_flat_from`` (the
        first year held flat).
    """
    if isinstance(n_obs, bool) or int(n_obs) < 1:
        raise ValueError(f"n_obs must be a positive whole number, got {n_obs!r}")
    return _HeldFlat(model, int(factor) * int(n_obs))


# ---------------------------------------------------------------------------
# back-test

METHODS: dict[str, Callable[..., Any]] = {
    "naive": fit_naive,
    "cagr": fit_cagr,
    "loglinear": fit_loglinear,
    "rw_drift": fit_rw_drift,
    "ets": fit_ets,
}
"""Default fitters ``f(years, values) -> fitted`` for :func:`backtest`."""


def backtest(
    years: Any,
    values: Any,
    methods: Mapping[str, Callable[[np.ndarray, np.ndarray], Any]] | None = None,
    *,
    k: int = 3,
    horizon: int = 1,
    name: str = "series",
) -> pd.DataFrame:
    """Rolling-origin evaluation over the last ``k`` forecast origins.

    For each origin ``j = 1..k`` the method is fitted on the observations up
    to the origin and its point forecast ``horizon`` years ahead is compared
    with the actual value; the targets are the last ``k`` observations. For an
    error ``e = actual - forecast``:

    * ``MAPE`` = mean ``|e| / |actual|`` (a fraction, 0.10 = 10 %);
    * ``RMSE`` = ``sqrt(mean e^2)`` (volume units);
    * ``MASE`` = mean ``|e| / q`` where ``q`` is the in-sample mean absolute
      one-step naive error of that origin's training data (Hyndman & Koehler
      2006); < 1 beats the naive method in-sample.

    Parameters
    ----------
    methods : dict name -> callable(years, values) -> fitted object
        Default :data:`METHODS`.
    k : int
        Number of origins (forecasts per method).
    horizon : int
        Years ahead evaluated (only the ``horizon``-step forecast is scored).

    Returns
    -------
    DataFrame
        Indexed by method; columns ``MAPE``, ``RMSE``, ``MASE``, ``n`` (forecasts
        scored) and ``note``. A method that fails at some origin keeps its row:
        metrics are computed on the origins that worked (``n < k``), or are NaN
        if none did, and ``note`` names each failed origin and why. An origin
        whose training values never change has no MASE scale: its MASE is left
        out and the note says so (NaN when no origin has one).
    """
    horizon = _check_horizon(horizon)
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    k = int(k)
    y, v = validate_series(years, values, name, min_points=k + horizon + 1)
    methods = METHODS if methods is None else methods
    n = v.size
    rows = {}
    for mname, fitter in methods.items():
        errs, pct, scaled, notes = [], [], [], []
        for j in range(k):
            m = n - horizon - k + 1 + j  # training size
            origin = int(y[m - 1])
            actual = v[m + horizon - 1]
            try:
                fc = fitter(y[:m], v[:m]).forecast(horizon)
                pred = float(np.asarray(fc.point)[horizon - 1])
                if not np.isfinite(pred):
                    raise ValueError("non-finite forecast")
            except Exception as exc:  # noqa: BLE001 - reported in the note, never dropped
                notes.append(f"origin {origin}: {type(exc).__name__}: {exc}")
                continue
            e = actual - pred
            q = float(np.mean(np.abs(np.diff(v[:m]))))
            errs.append(e)
            pct.append(abs(e) / abs(actual))
            if q > 0:
                scaled.append(abs(e) / q)
            else:
                notes.append(f"origin {origin}: MASE not defined, the training values never change (naive in-sample error 0)")
        e = np.asarray(errs, dtype=float)
        rows[mname] = {
            "MAPE": float(np.mean(pct)) if pct else np.nan,
            "RMSE": float(np.sqrt(np.mean(e**2))) if errs else np.nan,
            "MASE": float(np.mean(scaled)) if scaled else np.nan,
            "n": len(errs),
            "note": "; ".join(notes),
        }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["MAPE", "RMSE", "MASE", "n", "note"])
    out.index.name = "method"
    out["n"] = out["n"].astype(int)
    return out
