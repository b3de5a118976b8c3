"""One-way and two-way sensitivity, switching values and scenario comparison.

Every analysis here is one or a few vectorised calls of the same model
(:func:`feasibility.model.run`) with array overrides: a tornado of k inputs is a
single run of ``1 + 4k`` cases (base, low, high, and halfway from the base
to each end, for the monotonicity check), and the switching values of all inputs are solved together by
:func:`scipy.optimize.elementwise.find_root` (Chandrupatla's method), each
model call evaluating every still-unsolved input at once.

Definitions (ADB, *Financial Management and Analysis of Projects*, 2005,
s. 7.11; EU *Guide to Cost-Benefit Analysis of Investment Projects*, 2014,
s. 2.9):

* sensitivity indicator (elasticity) ``SI = (dM / M) / (dx / x)``, the % change
  of a metric M per 1 % change of an input x, as an **arc** over the input's
  declared range (:func:`arc_elasticity`; signed: when M is negative, a positive
  SI means that raising x makes M more negative); with the metric also computed
  halfway from the base to each end, an input whose effect changes direction
  inside its range is flagged (``monotone`` False), since no single indicator
  describes it;
* an input is *critical* when ``|SI| >= 1`` for the FNPV (a 1 % change moves
  NPV by 1 % or more; the threshold is ``sensitivity.critical_elasticity``);
* switching value: the relative change of x at which M reaches its threshold
  (FNPV = 0, FIRR = WACC, minimum DSCR = the lender's threshold, ...), solved
  exactly by root finding rather than read off a chart or from ``100 / SI``
  (which is exact only when M is linear in x);
* one price basis: a change of inflation moves the nominal rates with it, their
  real values held (:func:`with_real_rates_held`), so inflation acts through what
  is fixed in rupiah of the day, not by turning fixed nominal rates into
  different real ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import elementwise

from ..case import Case, Quantity
from ..case.errors import Problem, did_you_mean
from ..case.schema import MAGNITUDE_MAX
from ..metrics import registry
from ..model import METRIC_UNITS, run
from . import budget

__all__ = [
    "DEFAULT_METRICS",
    "INFLATION",
    "Tornado",
    "arc_elasticity",
    "nominal_rates",
    "with_real_rates_held",
    "input_paths",
    "input_range",
    "thresholds",
    "one_way",
    "tornado",
    "spider",
    "two_way",
    "compare_scenarios",
]

#: the outputs a sensitivity analysis reports by default (issue 4)
DEFAULT_METRICS: tuple[str, ...] = ("fnpv_idr", "firr", "equity_irr", "dscr_min", "region_pv_dividends_idr")

#: relative changes scanned for the crossing nearest the base before root finding
_SCAN = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0])


def thresholds(case: Case) -> dict[str, float | str]:
    """The value at which each metric 'switches': its hurdle (:mod:`feasibility.metrics.registry`).

    A number (FNPV at 0, BCR at 1, the minimum DSCR at the lender's
    ``criteria.min_dscr``, ...) or another metric's key (FIRR at the WACC, the
    PV of dividends to PAD at the PV of the region's injection, ...).
    """
    out = {}
    for k in registry.model_metric_keys(case):
        h = registry.hurdle(k, case)
        if h is not None:
            out[k] = h
    return out


def input_paths(case: Case, which: str | Sequence[str] = "auto") -> list[str]:
    """The inputs a one-way analysis varies.

    Parameters
    ----------
    which : {"auto", "ranges", "all"} or sequence of str
        ``ranges``: the quantities with a declared ``low``/``high``; ``all``:
        every single-number quantity whose value is not 0 (a relative change
        of 0 is 0; those without a range vary by ``sensitivity.change``);
        ``auto``: ``ranges`` if the case declares any, else ``all``; or
        explicit quantity paths.
    """
    qmap = case.quantity_map()
    if not isinstance(which, str):
        bad = [p for p in which if p not in qmap or qmap[p].is_list]
        if bad:
            raise KeyError(f"inputs {bad}: not single-number quantities of this case")
        return list(which)
    if which not in ("auto", "ranges", "all"):
        raise ValueError(f"which must be 'auto', 'ranges', 'all' or a list of paths, got {which!r}")
    ranged = [p for p, q in qmap.items() if not q.is_list and q.low is not None]
    if which == "ranges" or (which == "auto" and ranged):
        return ranged
    return [p for p, q in qmap.items() if not q.is_list and q.value != 0]


def _clip_to_rule(q: Quantity, x: np.ndarray) -> np.ndarray:
    """Values moved inside the quantity's allowed range (a strict bound by one part in 1e12)."""
    ge, le, gt, lt = type(q).bounds
    x = np.clip(np.asarray(x, dtype=float), -MAGNITUDE_MAX, MAGNITUDE_MAX)  # the size every number of a case keeps
    if ge is not None:
        x = np.maximum(x, ge)
    if gt is not None:
        x = np.maximum(x, gt + max(abs(gt), 1.0) * 1e-12)
    if le is not None:
        x = np.minimum(x, le)
    if lt is not None:
        x = np.minimum(x, lt - max(abs(lt), 1.0) * 1e-12)
    return x


def input_range(case: Case, path: str, base: float | None = None) -> tuple[float, float, str]:
    """Low and high value of an input, and where they come from (``range`` or ``+/-10%``)."""
    q = case.quantity_map()[path]
    b = float(q.value) if base is None else base
    if q.low is not None:
        return float(q.low), float(q.high), "range"
    ch = case.sensitivity.change
    lo, hi = _clip_to_rule(q, np.array([b * (1 - ch), b * (1 + ch)]))
    return float(min(lo, hi)), float(max(lo, hi)), f"+/-{ch:.0%}"


def _base_values(case: Case, scenario: str | None) -> dict[str, Any]:
    return dict(case.scenario(scenario)) if scenario is not None else {}


#: the general inflation rate, which turns the nominal rates into real ones
INFLATION = "macro.inflation_per_year"


def nominal_rates(case: Case) -> list[str]:
    """The case's rates entered in nominal terms: ``*.interest_rate`` and ``*_nominal`` in fraction per year.

    (The cost of equity, the loans' and the standby facility's interest, the
    region's discount rate, a stake's dividend yield.)
    """
    return [
        p for p, q in case.quantity_map().items()
        if q.unit == "fraction per year" and not q.is_list and p.endswith((".interest_rate", "_nominal"))
    ]


def with_real_rates_held(case: Case, overrides: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides in which a change of inflation moves the nominal rates with it, their real values held.

    A sensitivity that changes inflation but keeps the cost of equity, the loans'
    interest and the region's discount rate at their nominal values changes the
    real rates too: at 13.8 % inflation the default case's real WACC would be
    -3.4 %, and inflation would "switch" the verdict through the discount rate
    alone. Analysed in one price basis, the rates are held in real terms: each
    nominal rate ``r`` of :func:`nominal_rates` becomes
    ``(1 + r)(1 + i') / (1 + i) - 1`` (Fisher) where inflation goes from ``i``
    to ``i'``, row by row (a row that changes only the rate itself keeps it).
    What inflation still moves is what is fixed in rupiah of the day: the
    injections and loan amounts in nominal rupiah, tax depreciation on
    historical cost. A carried rate stays inside the range its field allows
    (an interest-free vendor credit stays at 0 % when inflation falls).

    Parameters
    ----------
    case : Case
    overrides : mapping of path to array
        The analysis's overrides (rows along the leading axes).
    base : mapping of path to value
        The values the analysis starts from (a scenario's, or empty for the case's own).
    """
    if INFLATION not in overrides:
        return dict(overrides)
    qmap = case.quantity_map()
    i0 = float(base.get(INFLATION, qmap[INFLATION].value))
    factor = (1.0 + np.asarray(overrides[INFLATION], dtype=float)) / (1.0 + i0)
    out = dict(overrides)
    for p in nominal_rates(case):
        r = np.asarray(overrides.get(p, base.get(p, qmap[p].value)), dtype=float)
        # kept inside what the rate allows, as every input of these analyses is: a 0 % vendor credit
        # stays at 0 % when inflation falls (it cannot go negative)
        out[p] = _clip_to_rule(qmap[p], (1.0 + r) * factor - 1.0)
    return out


def _metric_values(case: Case, overrides: Mapping[str, Any], metrics: Sequence[str], scenario: str | None) -> dict[str, np.ndarray]:
    """The wanted metrics (and what their thresholds need) for a batch of cases.

    A change of inflation carries the nominal rates with it (:func:`with_real_rates_held`).
    """
    th = thresholds(case)
    need = list(dict.fromkeys([*metrics, *(th[m] for m in metrics if isinstance(th.get(m), str))]))
    base = _base_values(case, scenario)
    res = run(case, {**base, **with_real_rates_held(case, overrides, base)}, metrics=need)
    return {k: np.asarray(v, dtype=float) for k, v in res.metrics.items()}


def _switch_via(metric: str) -> str:
    """The metric a switching value is solved on: an IRR reaches its hurdle exactly where the NPV at that
    hurdle is 0, and the NPV is defined everywhere (an IRR may not be): the registry's proxy."""
    return registry.METRICS[metric].proxy or metric


def _gap(values: dict[str, np.ndarray], metric: str, target: float | str) -> np.ndarray:
    """Metric minus its threshold (positive = on the good side)."""
    t = values[target] if isinstance(target, str) else target
    return values[metric] - t


@dataclass
class Tornado:
    """One-way sensitivity of one metric to many inputs.

    Attributes
    ----------
    metric : str
    base : float
        The metric in the base case (or the scenario analysed).
    threshold : float or str or None
        Where the metric switches (:func:`thresholds`).
    table : DataFrame
        One row per input, sorted by swing (largest first). Columns: ``unit``,
        ``base_value``, ``low_value``, ``high_value``, ``range_from``
        (``range`` or ``+/-10%``), ``metric_low``, ``metric_high``, ``swing``
        (``|metric_high - metric_low|``), ``elasticity`` (SI, an arc over the
        range), ``monotone`` (False where the metric turns back inside the
        range), ``critical``,
        ``switching_change`` (relative change of the input at the threshold,
        NaN when none within the input's allowed range and -100 %..+1,000 %),
        ``switching_value`` (the input's value there) and
        ``switching_linear`` (the ADB approximation ``-1/SI``, for comparison).
    """

    metric: str
    base: float
    threshold: float | str | None
    table: pd.DataFrame
    critical_elasticity: float = 1.0
    undefined: list[dict[str, Any]] = field(default_factory=list)

    @property
    def critical(self) -> list[str]:
        """Inputs flagged critical, most sensitive first."""
        t = self.table
        return list(t.index[t["critical"]].sort_values(key=lambda idx: -t.loc[idx, "elasticity"].abs()))


def arc_elasticity(base_metric: Any, metric_low: Any, metric_high: Any, base_x: Any, low_x: Any, high_x: Any) -> np.ndarray:
    """Sensitivity indicator over an input's declared range: ``((M_high - M_low) / M) / ((x_high - x_low) / x)``.

    The arc form of the ADB (2005, s. 7.11) indicator, with the base values ``M``
    and ``x`` as denominators (a midpoint denominator could be near 0 for an NPV
    that changes sign). Unlike a derivative at the base it cannot take its sign
    from a kink next to the base (an expansion trigger): it says what the whole
    range does, as the tornado's low and high columns do. NaN where ``M`` is 0
    or the range is empty. Broadcasts over its arguments.

    Parameters
    ----------
    base_metric, metric_low, metric_high : array_like
        The metric at the base and at the input's low and high value.
    base_x, low_x, high_x : array_like
        The input's base, low and high value.

    Returns
    -------
    ndarray
        % change of the metric per % change of the input (signed: when ``M`` is
        negative, a positive value means raising the input makes ``M`` more negative).
    """
    b, x = np.asarray(base_metric, dtype=float), np.asarray(base_x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = (np.asarray(metric_high, dtype=float) - np.asarray(metric_low, dtype=float)) / b
        den = (np.asarray(high_x, dtype=float) - np.asarray(low_x, dtype=float)) / x
        return np.where((b != 0) & (den != 0) & np.isfinite(den), num / den, np.nan)


def _monotone(m: np.ndarray) -> np.ndarray:
    """Whether each row of metric values (at increasing input values) never turns back, to rounding."""
    d = np.diff(m, axis=-1)
    # an undefined value (a DSCR without debt) is neither a rise nor a fall
    tol = 1e-9 * np.max(np.abs(np.nan_to_num(m, nan=0.0, posinf=0.0, neginf=0.0)), axis=-1, keepdims=True)
    d = np.where(np.abs(d) <= tol, 0.0, d)
    return ~((d > 0).any(axis=-1) & (d < 0).any(axis=-1))


def one_way(
    case: Case,
    inputs: str | Sequence[str] = "auto",
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    scenario: str | None = None,
    switching: bool | Sequence[str] = True,
) -> dict[str, Tornado]:
    """Tornado data, sensitivity indicators and switching values for several metrics.

    Parameters
    ----------
    case : Case
    inputs : see :func:`input_paths`
    metrics : sequence of str
        Keys of :data:`feasibility.model.METRIC_UNITS`.
    scenario : str, optional
        Analyse around a scenario of the case instead of the base.
    switching : bool or sequence of str
        Solve switching values for all metrics that have a threshold (True),
        none (False), or these metrics.

    Returns
    -------
    dict of str to Tornado
    """
    unknown = [m for m in metrics if m not in METRIC_UNITS]
    if unknown:
        raise KeyError(f"metrics {unknown}: not model metrics (see feasibility.model.METRIC_UNITS)")
    paths = input_paths(case, inputs)
    qmap = case.quantity_map()
    base_over = _base_values(case, scenario)
    base_x = np.array([float(base_over.get(p, qmap[p].value)) for p in paths])
    k = len(paths)
    ranges = [input_range(case, p, b) for p, b in zip(paths, base_x)]
    lows = np.array([r[0] for r in ranges])
    highs = np.array([r[1] for r in ranges])
    # rows: 0 base; then per input low, high, and halfway from the base to each
    n = 1 + 4 * k
    over: dict[str, np.ndarray] = {}
    for i, p in enumerate(paths):
        col = np.full(n, base_x[i])
        col[1 + 4 * i : 5 + 4 * i] = [lows[i], highs[i], (lows[i] + base_x[i]) / 2, (highs[i] + base_x[i]) / 2]
        over[p] = col
    vals = _metric_values(case, over, metrics, scenario)
    th = thresholds(case)
    if switching is True:
        sv_metrics = [m for m in metrics if m in th]
    elif switching is False:
        sv_metrics = []
    else:
        sv_metrics = [m for m in switching if m in th]
    sv = _switching_values(case, paths, base_x, sv_metrics, scenario) if sv_metrics and k else {}

    out: dict[str, Tornado] = {}
    for m in metrics:
        v = vals[m]
        b = float(v[0])
        lo_m, hi_m = v[1::4], v[2::4]
        si = arc_elasticity(b, lo_m, hi_m, base_x, lows, highs)
        monotone = _monotone(np.column_stack([lo_m, v[3::4], np.full(k, b), v[4::4], hi_m]))
        table = pd.DataFrame(
            {
                "unit": [qmap[p].unit for p in paths],
                "base_value": base_x,
                "low_value": lows,
                "high_value": highs,
                "range_from": [r[2] for r in ranges],
                "metric_low": lo_m,
                "metric_high": hi_m,
                "swing": np.abs(hi_m - lo_m),
                "elasticity": si,
                "monotone": monotone,
                "critical": np.abs(np.nan_to_num(si)) >= case.sensitivity.critical_elasticity,
            },
            index=pd.Index(paths, name="input"),
        )
        if m in sv:
            rel, status = sv[m]
            table["switching_change"] = rel
            table["switching_value"] = base_x * (1 + rel)
            table["switching_status"] = status
        with np.errstate(divide="ignore"):
            table["switching_linear"] = np.where(np.isfinite(si) & (si != 0), -1.0 / si, np.nan)
        table = table.sort_values("swing", ascending=False, kind="stable", na_position="last")
        out[m] = Tornado(m, b, th.get(m), table, case.sensitivity.critical_elasticity)
    return out


def tornado(case: Case, metric: str = "fnpv_idr", inputs: str | Sequence[str] = "auto", *, scenario: str | None = None) -> Tornado:
    """The tornado of one metric (see :func:`one_way`)."""
    return one_way(case, inputs, metrics=[metric], scenario=scenario)[metric]


def _switching_values(
    case: Case, paths: list[str], base_x: np.ndarray, metrics: list[str], scenario: str | None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Relative change of each input at which each metric meets its threshold.

    A scan over +/- {1 %, ..., 1,000 %} (limited to the input's allowed range)
    finds, on each side, the first bracket where the metric crosses its
    threshold; the crossing nearest the base is then solved to rounding
    precision by Chandrupatla's method. The status says ``solved``,
    ``none_in_range`` (no crossing within the range scanned) or ``base_zero``
    (a relative change of an input that is 0 is undefined). An IRR reaches its
    hurdle where the matching NPV is 0, so IRR metrics are solved on that NPV
    (defined everywhere, where the IRR may not be).
    """
    qmap = case.quantity_map()
    th = thresholds(case)
    k = len(paths)
    # domain of relative changes allowed by each input's rule
    dmin = np.full(k, -1.0)
    dmax = np.full(k, _SCAN[-1])
    for i, p in enumerate(paths):
        b = base_x[i]
        if b == 0:
            dmin[i] = dmax[i] = 0.0
            continue
        ends = _clip_to_rule(qmap[p], np.array([b * (1 + dmin[i]), b * (1 + dmax[i])])) / b - 1
        dmin[i], dmax[i] = min(ends), max(ends)
    grid = np.concatenate([-_SCAN[::-1], [0.0], _SCAN])  # relative changes, ascending
    g = grid.size
    d = np.clip(grid[None, :], dmin[:, None], dmax[:, None])  # (k, g)
    over = _rows_for(paths, base_x, np.repeat(np.arange(k), g), d.ravel(), qmap)
    vals = _metric_values(case, over, list(dict.fromkeys(_switch_via(m) for m in metrics)), scenario)
    zero = int(np.flatnonzero(grid == 0.0)[0])
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for m_asked in metrics:
        m = _switch_via(m_asked)
        gap = _gap(vals, m, th[m]).reshape(k, g)
        lo_b = np.full(k, np.nan)
        hi_b = np.full(k, np.nan)
        best = np.full(k, np.inf)
        for i in range(k):
            if base_x[i] == 0 or not np.isfinite(gap[i, zero]):
                continue
            s0 = np.sign(gap[i, zero])
            if s0 == 0:
                lo_b[i] = hi_b[i] = 0.0
                best[i] = 0.0
                continue
            for direction in (1, -1):
                j = zero
                nxt = j
                while 0 <= nxt + direction < g:
                    nxt = nxt + direction
                    if not np.isfinite(gap[i, nxt]):
                        continue  # undefined here (e.g. a DSCR without debt): look further
                    if np.sign(gap[i, nxt]) != s0:
                        a, b2 = sorted((d[i, j], d[i, nxt]))
                        dist = min(abs(a), abs(b2))
                        if dist < best[i] and a < b2:
                            lo_b[i], hi_b[i], best[i] = a, b2, dist
                        break
                    j = nxt
        todo = np.flatnonzero(np.isfinite(lo_b) & (lo_b < hi_b))
        rel = np.where(best == 0.0, 0.0, np.nan)
        if todo.size:

            def f(x: np.ndarray, which: np.ndarray, m: str = m) -> np.ndarray:
                x = np.asarray(x, dtype=float)
                shape = x.shape
                which = np.broadcast_to(which, shape).ravel().astype(int)
                o = _rows_for(paths, base_x, todo[which], x.ravel(), qmap)
                return _gap(_metric_values(case, o, [m], scenario), m, th[m]).reshape(shape)

            res = elementwise.find_root(
                f, (lo_b[todo], hi_b[todo]), args=(np.arange(todo.size),), tolerances={"xrtol": 1e-12, "xatol": 1e-12}
            )
            rel[todo] = np.where(res.success, res.x, np.nan)
        status = np.where(base_x == 0, "base_zero", np.where(np.isfinite(rel), "solved", "none_in_range"))
        out[m_asked] = (rel, status)
    return out


def _rows_for(
    paths: list[str], base_x: np.ndarray, which: np.ndarray, rel: np.ndarray, qmap: Mapping[str, Quantity]
) -> dict[str, np.ndarray]:
    """Overrides for rows where input ``which[r]`` is at ``base * (1 + rel[r])`` and the rest at base.

    Values are kept inside each input's allowed range (a change to the range's
    end can miss it by one rounding step).
    """
    n = which.size
    over = {}
    for i, p in enumerate(paths):
        col = np.full(n, base_x[i])
        hit = which == i
        col[hit] = _clip_to_rule(qmap[p], base_x[i] * (1.0 + rel[hit]))
        over[p] = col
    return over


def spider(
    case: Case,
    inputs: str | Sequence[str] = "auto",
    *,
    metric: str = "fnpv_idr",
    changes: Sequence[float] | None = None,
    scenario: str | None = None,
) -> pd.DataFrame:
    """The metric against relative changes of each input, one at a time (a spider plot's data).

    Returns
    -------
    DataFrame
        Index: relative change (0.1 = +10 %); one column per input. A change
        that would take an input outside its allowed range gives NaN.
    """
    paths = input_paths(case, inputs)
    qmap = case.quantity_map()
    ch = np.asarray(case.sensitivity.spider_changes if changes is None else changes, dtype=float)
    base_over = _base_values(case, scenario)
    base_x = np.array([float(base_over.get(p, qmap[p].value)) for p in paths])
    k, c = len(paths), ch.size
    which = np.repeat(np.arange(k), c)
    rel = np.tile(ch, k)
    wanted = base_x[which] * (1 + rel)
    allowed = np.array([not type(qmap[paths[w]]).outside(x) for w, x in zip(which, wanted)])
    rel_ok = np.where(allowed, rel, 0.0)
    vals = _metric_values(case, _rows_for(paths, base_x, which, rel_ok, qmap), [metric], scenario)[metric]
    vals = np.where(allowed, vals, np.nan).reshape(k, c)
    return pd.DataFrame(vals.T, index=pd.Index(ch, name="change"), columns=pd.Index(paths, name="input"))


def two_way_problems(case: Case) -> list[Problem]:
    """A two-way table whose metric the model does not compute, as a problem of the case (``validate`` lists it)."""
    known = registry.model_metric_keys(case)
    return [Problem(f"sensitivity.two_way[{i}].metric", "is not a metric of the model", t.metric, did_you_mean(t.metric, known))
            for i, t in enumerate(case.sensitivity.two_way) if t.metric not in known]


#: cells of a two-way table per model run
TWO_WAY_CHUNK = 5_000


def two_way(
    case: Case,
    rows: str,
    cols: str,
    *,
    metric: str = "fnpv_idr",
    row_changes: Sequence[float] | None = None,
    col_changes: Sequence[float] | None = None,
    scenario: str | None = None,
) -> pd.DataFrame:
    """A metric over a grid of two inputs' relative changes (a heat map's data).

    The grid runs through the model in chunks of about :data:`TWO_WAY_CHUNK` cells,
    so memory is bounded whatever its size; a grid whose result would exceed the
    memory budget is refused (:mod:`feasibility.analysis.budget`).

    Returns
    -------
    DataFrame
        Index: the row input's values; columns: the column input's values.
        ``attrs`` holds the inputs, the relative changes and the metric.
    """
    qmap = case.quantity_map()
    for p in (rows, cols):
        if p not in qmap or qmap[p].is_list:
            raise KeyError(f"{p}: not a single-number quantity of this case")
    default = [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]
    rc = np.asarray(default if row_changes is None else row_changes, dtype=float)
    cc = np.asarray(default if col_changes is None else col_changes, dtype=float)
    base_over = _base_values(case, scenario)
    br = float(base_over.get(rows, qmap[rows].value))
    bc = float(base_over.get(cols, qmap[cols].value))
    rv, cv = br * (1 + rc), bc * (1 + cc)
    for p, v in ((rows, rv), (cols, cv)):
        bad = type(qmap[p]).outside(v)
        if bad.any():
            raise ValueError(f"{p}: the changes give values outside what it allows ({type(qmap[p]).rule()}): {v[bad].tolist()}")
    cells = rc.size * cc.size
    t = case.timeline.end_year - case.timeline.start_year + 1
    budget.check("cells of the two-way table", cells, lambda k: 8.0 * (k * 2 + min(k, TWO_WAY_CHUNK) * t * 200))
    vals = np.empty((rc.size, cc.size))
    step = max(1, TWO_WAY_CHUNK // cc.size)  # rows per model run: memory bounded by the chunk, not the table
    for a in range(0, rc.size, step):
        part = _metric_values(case, {rows: rv[a:a + step, None], cols: cv[None, :]}, [metric], scenario)[metric]
        vals[a:a + step] = np.broadcast_to(part, (min(step, rc.size - a), cc.size))
    df = pd.DataFrame(vals, index=pd.Index(rv, name=rows), columns=pd.Index(cv, name=cols))
    df.attrs.update({"metric": metric, "row_changes": rc.tolist(), "col_changes": cc.tolist()})
    return df


def compare_scenarios(case: Case, names: Sequence[str] | None = None, *, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Metrics of the base case and named scenarios side by side, in one model run.

    Returns
    -------
    DataFrame
        Index: metric; columns: ``base`` then each scenario.
    """
    names = list(case.scenarios) if names is None else list(names)
    for nm in names:
        case.scenario(nm)  # raises a KeyError naming the scenarios there are
    qmap = case.quantity_map()
    paths = list(dict.fromkeys(p for nm in names for p in case.scenarios[nm].set))
    cols = ["base", *names]
    over: dict[str, np.ndarray] = {}
    for p in paths:
        base_v = np.asarray(qmap[p].value, dtype=float)
        rows = [base_v] + [np.asarray(case.scenarios[nm].set.get(p, qmap[p].value), dtype=float) for nm in names]
        over[p] = np.stack(rows)
    res = run(case, over or None, metrics=metrics)
    wanted = list(res.metrics)
    vals = {k: np.broadcast_to(np.asarray(v, dtype=float), (len(cols),)) for k, v in res.metrics.items()}
    return pd.DataFrame({c: [float(vals[m][j]) for m in wanted] for j, c in enumerate(cols)}, index=pd.Index(wanted, name="metric"))
