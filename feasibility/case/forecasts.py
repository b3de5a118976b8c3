"""Forecast streams: a stream's method fitted to its history, on first use.

:func:`~feasibility.case.io.load_case` reads and checks each forecast stream's
history (file, columns, gaps, enough points for the method, the stream's first
year covered) but does not fit it: a fit (ETS above all) takes far longer than
reading, and a consultant who loads a case to look at it, or the studio that
re-validates on every edit, does not need it. The fit runs when a model run, a
report or ``feasibility validate`` first asks for it, and is kept on the
stream (a case is immutable, so it never goes stale).

A method can fail on a history that passed every check (ETS on a flat series
has no finite AICc; a huge growth overflows). Such a failure is a case problem
like any other: :func:`fit_forecasts` lists them all (``feasibility validate``),
and a fit that fails at model time raises :class:`~feasibility.case.errors.CaseError`
naming the stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import _MISSING, CaseError, Problem

if TYPE_CHECKING:
    from .schema import Case, ForecastSource

__all__ = ["Fitted", "History", "fit", "fit_forecasts", "fit_series", "min_points"]


@dataclass(frozen=True)
class History:
    """A forecast stream's history, as read and checked by :func:`~feasibility.case.io.load_case`.

    Attributes
    ----------
    where : str
        The stream's forecast table, e.g. ``port.revenue.cargo_handling.forecast``.
    series : str
        The series' name in messages (the history file's stem).
    years, values : ndarray
        The year and value columns as read from the file, in file order.
    observed : dict of int to float
        The observed values by year (before the stream's ``share``).
    last_year : int
        The last model year: volumes are needed up to it.
    source : str
        The case file, named by a :class:`CaseError`.
    """

    where: str
    series: str
    years: np.ndarray
    values: np.ndarray
    observed: dict[int, float]
    last_year: int
    source: str


@dataclass(frozen=True)
class Fitted:
    """A fitted forecast stream.

    Attributes
    ----------
    model : object
        The fitted model of :mod:`feasibility.domain.demand` (``forecast``, ``simulate``).
    volumes : dict of int to float
        Volume by year: the observed ones up to the last model year, then the point
        forecast to it; before ``share``.
    """

    model: Any
    volumes: dict[int, float]


def min_points(method: str) -> int:
    """The fewest observations a forecast method needs.

    Parameters
    ----------
    method : str
        A method of ``[...forecast] method`` (``naive``, ``cagr``, ``loglinear``,
        ``rw_drift``, ``ets``).

    Returns
    -------
    int
    """
    from ..domain.demand import MIN_POINTS  # imported late: the demand module loads scipy

    return MIN_POINTS[method]


def fit_series(method: str, years: Any, values: Any, name: str) -> Any:
    """Fit one forecast method to an annual series (:data:`feasibility.domain.demand.METHODS`).

    Parameters
    ----------
    method : str
        The method's name.
    years, values : array_like
        The history, in any order.
    name : str
        The series' name in error messages.

    Returns
    -------
    object
        The fitted model, its forecasts held flat beyond
        :data:`~feasibility.domain.demand.HORIZON_FACTOR` times the history's
        length (:func:`~feasibility.domain.demand.limit_horizon`).
    """
    from ..domain.demand import METHODS, limit_horizon

    return limit_horizon(METHODS[method](years, values, name=name), np.asarray(years).size)


def fit(fc: ForecastSource) -> Fitted:
    """The fit of a forecast stream, made on first use and kept on the stream.

    Parameters
    ----------
    fc : ForecastSource
        A forecast source whose history :func:`~feasibility.case.io.load_case` has read.

    Returns
    -------
    Fitted

    Raises
    ------
    CaseError
        When the method cannot be fitted to the history, naming the stream; the
        failure is kept too, so a second call does not fit again.
    RuntimeError
        When the history was never read (a case validated without ``load_case``
        or ``parse_case``).
    """
    history: History | None = fc._history
    if history is None:
        raise RuntimeError("forecast histories are read by load_case / parse_case(base_dir=...)")
    if fc._fit is None:
        fc._fit = _fit(fc.method, fc.history, history)
    if isinstance(fc._fit, Problem):
        raise CaseError([fc._fit], history.source)
    return fc._fit


def _fit(method: str, file: str, h: History) -> Fitted | Problem:
    """Fit ``method`` to the history and extend it to the last model year; or the problem why not."""
    try:
        model = fit_series(method, h.years, h.values, h.series)
    # a fitter's own checks raise ValueError (SeriesError); ETS raises RuntimeError when no
    # candidate fits; numpy and statsmodels raise ValueError or ArithmeticError subclasses
    except (ValueError, RuntimeError, ArithmeticError) as exc:
        detail = str(exc).removeprefix(f"{h.series}: ")
        return Problem(h.where, f"method {method!r} cannot be fitted to {file}: {detail}; pick another method", _MISSING)
    last_hist = max(h.observed)
    volumes = {y: v for y, v in h.observed.items() if y <= h.last_year}
    if h.last_year > last_hist:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
            f = model.forecast(h.last_year - last_hist)
        volumes.update({int(y): float(v) for y, v in zip(f.years, f.point)})
    bad = sorted(int(y) for y, v in volumes.items() if not math.isfinite(v))
    if bad:
        return Problem(
            h.where,
            f"the {method!r} forecast from {file} is not a finite number in {len(bad)} model year(s), "
            f"first {bad[0]} (the fitted growth overflows); pick another method",
            _MISSING,
        )
    return Fitted(model, volumes)


def fit_forecasts(case: Case) -> list[Problem]:
    """Fit every forecast stream of a loaded case now; the problems of those that cannot be fitted.

    ``feasibility validate`` calls it, so that a series no method can be fitted
    to is reported with the other case problems rather than at model time.

    Parameters
    ----------
    case : Case
        A case read by :func:`~feasibility.case.io.load_case` or ``parse_case``.

    Returns
    -------
    list of Problem
        Empty when every forecast stream is fitted.
    """
    out: list[Problem] = []
    for line in case.lines().values():
        for st in line.revenue.values():
            if st.forecast is not None:
                try:
                    fit(st.forecast)
                except CaseError as err:
                    out += err.problems
    return out
