"""Everything a council report shows about one case, computed once.

:func:`build_study` runs the deterministic case, the one-way sensitivity with
switching values, the scenarios, the two-way tables, the Monte Carlo, the PPP
test and the verdict criteria, all through the one vectorised model; the
report (:mod:`feasibility.present.report`) only formats what a :class:`Study` holds,
in either language. :meth:`Study.fingerprint` lists every figure the report
states, so that ``feasibility reproduce`` can re-run the embedded case and
confirm them.

Verdict criteria (``[criteria]`` in the case): FNPV > 0; FIRR > WACC; BCR > 1;
minimum DSCR >= the lender's threshold; cumulative cash >= 0 in every year
(EU CBA Guide 2014: financial sustainability); P(FNPV < 0) <= a threshold;
payback within the construction years plus the concession; ENPV > 0. Each
criterion names the inputs that move it most (from the tornado) and says
whether any of them is a placeholder or an estimate, and whether the result
holds with every one of those inputs at the favourable or the unfavourable
end of its range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .case import Case
from .model import Result, run
from .analysis.sensitivity import Tornado, compare_scenarios, one_way, spider, two_way

__all__ = ["Criterion", "Study", "build_study", "TORNADO_METRICS"]

#: the metrics whose tornadoes the report uses (and the criteria rest on)
TORNADO_METRICS = ("fnpv_idr", "bcr", "dscr_min", "min_cumulative_cash_idr", "payback_years", "enpv_idr", "region_npv_idr")

#: criterion -> (metric, comparison, metric whose tornado names its drivers)
_CRITERIA: dict[str, tuple[str, str, str]] = {
    "fnpv": ("fnpv_idr", ">", "fnpv_idr"),
    "firr": ("firr", ">", "fnpv_idr"),  # FIRR > WACC exactly when FNPV > 0 (unique IRR)
    "bcr": ("bcr", ">", "bcr"),
    "dscr": ("dscr_min", ">=", "dscr_min"),
    "cash": ("min_cumulative_cash_idr", ">=", "min_cumulative_cash_idr"),
    "risk": ("prob_npv_negative", "<=", "fnpv_idr"),
    "payback": ("payback_years", "<=", "payback_years"),
    "enpv": ("enpv_idr", ">", "enpv_idr"),
}

#: inputs named as the drivers of a criterion
N_DRIVERS = 3


@dataclass
class Criterion:
    """One row of the verdict table.

    Attributes
    ----------
    key : str
        ``fnpv``, ``firr``, ...
    metric : str
    value, threshold : float
        In the metric's unit (``threshold`` may be another metric's value,
        e.g. the WACC).
    passed : bool or None
        None when the criterion does not apply (no debt, no Monte Carlo, no
        economic analysis).
    drivers : list of dict
        The inputs that move the metric most: ``path``, ``confidence``,
        ``swing`` (metric range over the input's range).
    favourable, unfavourable : float
        The metric with every driver at the end of its range that helps, or
        hurts, it (all of them at once); NaN where not computed.
    """

    key: str
    metric: str
    comparison: str
    value: float
    threshold: float
    passed: bool | None
    drivers: list[dict[str, Any]] = field(default_factory=list)
    favourable: float = math.nan
    unfavourable: float = math.nan

    @property
    def low_confidence(self) -> list[dict[str, Any]]:
        """Drivers that are placeholders or analyst estimates."""
        return [d for d in self.drivers if d["confidence"] in ("placeholder", "estimate")]

    def holds(self, value: float) -> bool | None:
        return _compare(value, self.comparison, self.threshold)

    @property
    def robust(self) -> bool | None:
        """True when the outcome is the same at both ends (all drivers favourable / unfavourable)."""
        a, b = self.holds(self.favourable), self.holds(self.unfavourable)
        if a is None or b is None or self.passed is None:
            return None
        return a == b == self.passed


def _compare(value: float, op: str, threshold: float) -> bool | None:
    if value is None or threshold is None or not math.isfinite(value) or not math.isfinite(threshold):
        return None
    return {">": value > threshold, ">=": value >= threshold, "<=": value <= threshold}[op]


@dataclass
class Study:
    """A case with every analysis the council report shows (see :func:`build_study`)."""

    case: Case
    case_text: str
    source_name: str
    histories: dict[str, str]
    seed: int
    iterations: int
    result: Result
    tornadoes: dict[str, Tornado]
    spider: pd.DataFrame
    two_way: list[pd.DataFrame]
    scenarios: pd.DataFrame
    simulation: Any
    ppp: Any
    criteria: list[Criterion]
    backtests: dict[str, pd.DataFrame] = field(default_factory=dict)
    version: str = __version__

    @property
    def verdict(self) -> str:
        """``feasible`` (every applicable criterion passes), ``not_feasible`` or ``incomplete``."""
        applied = [c for c in self.criteria if c.passed is not None]
        if any(c.passed is False for c in applied):
            return "not_feasible"
        if not applied or len(applied) < len(self.criteria):
            return "incomplete" if not applied else "feasible_partly_tested"
        return "feasible"

    def fingerprint(self) -> dict[str, float | str | None]:
        """Every figure the report states, by name (for ``feasibility reproduce``)."""
        out: dict[str, float | str | None] = {}
        for k, v in self.result.metrics.items():
            out[f"metric.{k}"] = _num(v)
        for m, t in self.tornadoes.items():
            for path, row in t.table.iterrows():
                for col in ("metric_low", "metric_high", "elasticity", "switching_change"):
                    if col in row:
                        out[f"tornado.{m}.{path}.{col}"] = _num(row[col])
        for name in self.scenarios.columns:
            for k, v in self.scenarios[name].items():
                out[f"scenario.{name}.{k}"] = _num(v)
        for i, tw in enumerate(self.two_way):
            out.update({f"two_way.{i}.{r}.{c}": _num(tw.iat[r, c]) for r in range(tw.shape[0]) for c in range(tw.shape[1])})
        if self.simulation is not None:
            sim = self.simulation
            for m, row in sim.summary().iterrows():
                for col in ("mean", "p10", "p50", "p90", "defined"):
                    out[f"simulation.{m}.{col}"] = _num(row[col])
            out["simulation.prob_npv_negative"] = _num(sim.prob_npv_negative)
            out["simulation.prob_dscr_below"] = _num(sim.prob_dscr_below)
        if self.ppp is not None:
            for k, v in self.ppp.to_dict().items():
                out[f"ppp.{k}"] = v if isinstance(v, str) else _num(v)
        for stream, bt in self.backtests.items():
            for method, row in bt.iterrows():
                out[f"backtest.{stream}.{method}.MAPE"] = _num(row["MAPE"])
        for c in self.criteria:
            out[f"criterion.{c.key}.value"] = _num(c.value)
            out[f"criterion.{c.key}.passed"] = None if c.passed is None else str(c.passed)
            out[f"criterion.{c.key}.favourable"] = _num(c.favourable)
            out[f"criterion.{c.key}.unfavourable"] = _num(c.unfavourable)
        out["verdict"] = self.verdict
        return out


def _num(v: Any) -> float | None:
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def read_histories(case: Case, base_dir: Path) -> dict[str, str]:
    """The history files the case's forecast streams read, by their path in the case."""
    out = {}
    for line in case.lines().values():
        for st in line.revenue.values():
            if st.forecast is not None:
                out[st.forecast.history] = (base_dir / st.forecast.history).read_text(encoding="utf-8")
    return out


def build_study(
    case: Case,
    case_text: str,
    *,
    source_name: str = "case.toml",
    base_dir: str | Path | None = None,
    iterations: int | None = None,
    seed: int | None = None,
    progress: bool | None = False,
) -> Study:
    """Run every analysis the council report shows.

    Parameters
    ----------
    case : Case
    case_text : str
        The exact text of the case file (embedded in the report).
    source_name : str
        The case file's name, as the report shows it.
    base_dir : path, optional
        The case file's folder (to embed the history files of forecast streams).
    iterations, seed : int, optional
        Monte Carlo iterations (0: none) and seed; default ``[risk]`` of the case.
    """
    from .analysis.ppp import ppp_test
    from .analysis.risk import simulate

    n = case.risk.iterations if iterations is None else int(iterations)
    s = case.risk.seed if seed is None else int(seed)
    res = run(case)
    metrics = [m for m in TORNADO_METRICS if m in res.metrics and (m != "enpv_idr" or case.economic is not None)]
    switching = [m for m in ("fnpv_idr", "enpv_idr", "dscr_min", "region_npv_idr") if m in metrics]
    tornadoes = one_way(case, "auto", metrics=metrics, switching=switching)
    top = list(tornadoes["fnpv_idr"].table.index[:8])
    sp = spider(case, top, metric="fnpv_idr") if top else pd.DataFrame()
    tws = [
        two_way(case, t.rows, t.cols, metric=t.metric, row_changes=t.row_changes, col_changes=t.col_changes)
        for t in case.sensitivity.two_way
    ]
    scen = compare_scenarios(case)
    sim = simulate(case, n, s, progress=progress) if n > 0 else None
    ppp = ppp_test(case) if case.economic is not None and case.ppp is not None else None
    crit = _criteria(case, res, tornadoes, sim)
    hist = read_histories(case, Path(base_dir)) if base_dir is not None else {}
    return Study(case, case_text, source_name, hist, s, n, res, tornadoes, sp, tws, scen, sim, ppp, crit, _backtests(case))


def _backtests(case: Case) -> dict[str, pd.DataFrame]:
    """Rolling-origin back-tests of every method on each forecast stream's history (feasibility.domain.demand)."""
    import warnings

    from .domain.demand import backtest

    out = {}
    for key, line in case.lines().items():
        for name, st in line.revenue.items():
            fitted = st.forecast.fitted() if st.forecast is not None else None
            if fitted is None:
                continue
            observed = st.forecast.observed()
            ys, vs = np.array(list(observed)), np.array(list(observed.values()))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a method failing at an origin is named in the table's note
                out[f"{key}.{name}"] = backtest(ys, vs, k=min(3, max(1, ys.size - 4)))
    return out


def _criteria(case: Case, res: Result, tornadoes: dict[str, Tornado], sim: Any) -> list[Criterion]:
    m = res.metrics
    cr = case.criteria
    qmap = case.quantity_map()
    concession = cr.concession_years if cr.concession_years is not None else case.timeline.operating_years
    thresholds = {
        "fnpv": 0.0,
        "firr": m["wacc"],
        "bcr": 1.0,
        "dscr": cr.min_dscr,
        "cash": 0.0,
        "risk": cr.max_prob_npv_negative,
        "payback": float(case.timeline.construction_years + concession),
        "enpv": 0.0,
    }
    out: list[Criterion] = []
    for key in cr.apply:
        metric, op, driver_metric = _CRITERIA[key]
        if key == "risk":
            value = sim.prob_npv_negative if sim is not None else math.nan
        else:
            value = m.get(metric, math.nan)
        thr = thresholds[key]
        passed = _compare(value, op, thr)
        if key == "payback" and not math.isfinite(value):
            passed = False  # never paid back within the model years
        if key == "dscr" and not case.financing.loans:
            passed = None
        t = tornadoes.get(driver_metric)
        drivers = []
        if t is not None:
            for path, row in t.table.head(N_DRIVERS).iterrows():
                if math.isfinite(row["swing"]) and row["swing"] > 0:
                    drivers.append({"path": path, "confidence": qmap[path].confidence, "swing": float(row["swing"])})
        out.append(Criterion(key, metric, op, float(value), float(thr), passed, drivers))
    _ends(case, tornadoes, out)
    return out


def _ends(case: Case, tornadoes: dict[str, Tornado], criteria: list[Criterion]) -> None:
    """The metric of each criterion with every ranged input at its favourable (unfavourable) end, in one run."""
    rows: list[tuple[Criterion, str, dict[str, float]]] = []
    for c in criteria:
        if c.key in ("risk",):
            continue
        t = tornadoes.get(_CRITERIA[c.key][2])
        if t is None or t.table.empty:
            continue
        better_low = t.table["metric_low"] > t.table["metric_high"]
        if c.comparison == "<=":  # smaller is better (payback)
            better_low = ~better_low
        fav = {p: float(r["low_value"] if better_low[p] else r["high_value"]) for p, r in t.table.iterrows()}
        unf = {p: float(r["high_value"] if better_low[p] else r["low_value"]) for p, r in t.table.iterrows()}
        rows += [(c, "favourable", fav), (c, "unfavourable", unf)]
    if not rows:
        return
    paths = sorted({p for _, _, v in rows for p in v})
    qmap = case.quantity_map()
    over = {p: np.array([v.get(p, float(qmap[p].value)) for _, _, v in rows]) for p in paths}
    metrics = sorted({c.metric for c, _, _ in rows})
    vals = run(case, over, metrics=metrics).metrics
    for i, (c, side, _) in enumerate(rows):
        setattr(c, side, float(vals[c.metric][i]))
