"""Goal seek: the value of one input at which a metric reaches its hurdle, other inputs as given.

The spreadsheet's "goal seek" done as a switching value (ADB 2005, switching
values; EU CBA Guide 2014, section 4.2): which tariff makes the FNPV zero,
which cost makes the FIRR equal the WACC, which volume lets the minimum DSCR
reach the lender's threshold, what makes the region's NPV zero.

The search stays inside the range the case declares for the input (its
``low``/``high``, or a range given), because a value outside it is not a
finding but an assumption nobody has backed. The model is evaluated on a grid
over that range in one vectorised call (the model broadcasts over a leading
axis), the first change of sign of ``metric - target`` brackets the root, and
:func:`scipy.optimize.brentq` refines it with single runs. No change of sign
means the goal is not reachable within the range; the result then says how
close the ends come.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from ..case import Case
from ..metrics import registry
from ..model import run

__all__ = ["GOALS", "GoalSeek", "goal_seek"]

#: the metrics a goal seek can aim at; each is brought to its registry hurdle (0 for the region's NPV, which has none)
GOALS: tuple[str, ...] = ("fnpv_idr", "firr", "dscr_min", "region_npv_idr")


@dataclass(frozen=True)
class GoalSeek:
    """The result of :func:`goal_seek`.

    Attributes
    ----------
    path : str
        The input varied.
    metric : str
    target : float
        What the metric is brought to (its hurdle: 0, the WACC, the DSCR threshold), in the metric's unit.
    low, high : float
        The range searched, in the input's unit.
    value : float
        The input's value at which the metric equals the target; NaN when not reachable.
    metric_at_low, metric_at_high : float
        The metric at the ends of the range (NaN where undefined).
    target_at_low, target_at_high : float
        The target at the ends (the WACC moves with some inputs).
    roots : int
        How many changes of sign the grid found (more than one: the value is the first, from ``low``).
    """

    path: str
    metric: str
    target: float
    low: float
    high: float
    value: float
    metric_at_low: float
    metric_at_high: float
    target_at_low: float
    target_at_high: float
    roots: int

    @property
    def reached(self) -> bool:
        """Whether a value within the range reaches the goal."""
        return math.isfinite(self.value)


def _target(metric: str, case: Case, metrics: Mapping[str, Any]) -> Any:
    """The hurdle of ``metric`` (element-wise where it is another metric, such as the WACC); 0 without a hurdle."""
    h = registry.hurdle(metric, case)
    if h is None:
        return 0.0
    return np.asarray(metrics[h], dtype=float) if isinstance(h, str) else float(h)


def goal_seek(
    case: Case,
    path: str,
    metric: str = "fnpv_idr",
    *,
    overrides: Mapping[str, Any] | None = None,
    low: float | None = None,
    high: float | None = None,
    grid: int = 81,
    xtol: float | None = None,
) -> GoalSeek:
    """The value of ``path`` in [low, high] at which ``metric`` reaches its hurdle.

    Parameters
    ----------
    case : Case
    path : str
        A scalar quantity of the case.
    metric : str
        One of :data:`GOALS`.
    overrides : mapping, optional
        Other inputs changed (as :func:`feasibility.model.run` takes them).
    low, high : float, optional
        The range searched (default: the input's declared ``low``/``high``).
    grid : int
        Points of the first, vectorised pass.
    xtol : float, optional
        Absolute tolerance of the root, in the input's unit (default: 1e-9 of the range).

    Returns
    -------
    GoalSeek

    Raises
    ------
    ValueError
        For a metric not in :data:`GOALS`, a list quantity, or no range (none
        given and none declared, or ``low >= high``).
    KeyError
        For a path that is not a quantity of the case.
    """
    if metric not in GOALS:
        raise ValueError(f"metric {metric!r}: goal seek aims at one of {', '.join(GOALS)}")
    q = case.quantity(path)
    if q.is_list:
        raise ValueError(f"{path}: a list of values; goal seek varies a single number")
    lo = float(q.low) if low is None and q.low is not None else low
    hi = float(q.high) if high is None and q.high is not None else high
    if lo is None or hi is None or not lo < hi:
        raise ValueError(f"{path}: no range to search (low={lo}, high={hi}); give low < high")
    base = dict(overrides or {})
    keys = [metric] + ([registry.hurdle(metric, case)] if isinstance(registry.hurdle(metric, case), str) else [])
    xs = np.linspace(lo, hi, int(grid))
    res = run(case, {**base, path: xs}, metrics=keys)
    gap = np.asarray(res.metrics[metric], dtype=float) - _target(metric, case, res.metrics)
    tgt = np.broadcast_to(_target(metric, case, res.metrics), xs.shape)
    ok = np.isfinite(gap)
    sign = np.sign(gap)
    idx = [i for i in range(len(xs) - 1) if ok[i] and ok[i + 1] and (sign[i] == 0 or sign[i] != sign[i + 1])]

    def f(x: float) -> float:
        r = run(case, {**base, path: float(x)}, metrics=keys)
        return float(np.asarray(r.metrics[metric], dtype=float) - _target(metric, case, r.metrics))

    value = math.nan
    if idx:
        i = idx[0]
        if sign[i] == 0:
            value = float(xs[i])
        else:
            tol = xtol if xtol is not None else 1e-9 * (hi - lo)
            value = float(brentq(f, float(xs[i]), float(xs[i + 1]), xtol=tol))
    m = np.asarray(res.metrics[metric], dtype=float)
    return GoalSeek(path, metric, float(tgt[0]), float(lo), float(hi), value, float(m[0]), float(m[-1]), float(tgt[0]), float(tgt[-1]),
                    len(idx))
