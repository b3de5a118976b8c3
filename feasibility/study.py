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
whether any of them is a placeholder or an estimate, and the best and the
worst value of its metric found in the box of the inputs' declared ranges
(:mod:`feasibility.analysis.robustness`): whether it holds anywhere there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import __version__
from .analysis.criteria import Criterion, assess, verdict
from .analysis.robustness import Robustness, at_ends, robustness
from .analysis.sensitivity import Tornado, compare_scenarios, one_way, spider, two_way
from .case import Case
from .metrics import registry
from .model import Result, run

if TYPE_CHECKING:  # imported where they run (build_study): the Monte Carlo and the PPP test load on demand
    from .analysis.breakeven import BreakEven
    from .analysis.cba import Stream
    from .analysis.options import Appraisal
    from .analysis.ppp import PppTest
    from .analysis.risk import Simulation

__all__ = ["Criterion", "Study", "Switch", "build_study", "TORNADO_METRICS"]

#: the metrics whose tornadoes the report uses (and the criteria rest on)
TORNADO_METRICS = ("fnpv_idr", "bcr", "dscr_min", "min_cumulative_cash_idr", "payback_years", "enpv_idr", "region_npv_idr")

#: inputs named as the drivers of a criterion
N_DRIVERS = 3


@dataclass
class Switch:
    """The smallest change of one input that brings the FNPV to zero, and the criteria at that value.

    Attributes
    ----------
    path : str
        The input (dotted path in the case).
    change : float
        Its relative change from the base value (fraction).
    value : float
        The switching value, in the input's unit.
    low, high : float or None
        The input's declared plausible range.
    criteria : list of Criterion
        The verdict criteria at the switching value, other inputs at base; the
        risk criterion needs a Monte Carlo and is not tested there (``passed`` None).
    region_npv_idr : float
        The region's NPV at the switching value (IDR, the results' basis).
    """

    path: str
    change: float
    value: float
    low: float | None
    high: float | None
    criteria: list[Criterion]
    region_npv_idr: float = math.nan

    @property
    def in_range(self) -> bool | None:
        """Whether the switching value lies in the declared range (None without one)."""
        if self.low is None or self.high is None:
            return None
        return bool(min(self.low, self.high) <= self.value <= max(self.low, self.high))


@dataclass
class Study:
    """A case with every analysis the council report shows (see :func:`build_study`).

    Attributes
    ----------
    case : Case
    case_text : str
        The exact text of the case file (embedded in the report with its SHA-256).
    source_name : str
        The case file's name, as the report shows it.
    histories : dict of str to str
        The history files of forecast streams, by their path in the case.
    seed, iterations : int
        Of the Monte Carlo (``iterations`` 0: none ran).
    result : Result
        The deterministic run.
    tornadoes : dict of str to Tornado
        One-way sensitivity by metric (:data:`TORNADO_METRICS`); ``fnpv_idr``
        always, with switching values.
    spider : DataFrame
        FNPV against the relative change of the eight inputs that move it most
        (empty when no input is ranged).
    two_way : list of DataFrame
        The case's two-way tables (``attrs["metric"]`` names the metric).
    scenarios : DataFrame
        Metrics (rows) by scenario (columns, ``base`` first).
    simulation : Simulation or None
        The Monte Carlo; None when ``iterations`` is 0.
    ppp : PppTest or None
        The PPP test; None without ``[economic]`` and ``[ppp]`` in the case.
    criteria : list of Criterion
        The verdict criteria, with their drivers and the best and worst values found in the box.
    backtests : dict of str to DataFrame
        Rolling-origin back-tests by stream (``line.stream``), methods as rows.
    robustness : dict of str to Robustness
        The box search behind the criteria's best and worst values, by metric.
    switch : Switch or None
        The input whose smallest change brings a negative FNPV to zero, and the
        criteria there; None when the FNPV is not negative or no input reaches zero.
    appraisal : Appraisal or None
        The options of the case's long list compared (:func:`feasibility.analysis.options.appraise`);
        None when the case has no ``[options]``.
    breakeven : BreakEven or None
        The tariff and the volume of the main revenue stream at which the FNPV
        is zero (:func:`feasibility.analysis.breakeven.break_even`); None when
        the FNPV is not negative.
    version : str
        The toolkit's version.
    """

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
    simulation: Simulation | None
    ppp: PppTest | None
    criteria: list[Criterion]
    backtests: dict[str, pd.DataFrame] = field(default_factory=dict)
    robustness: dict[str, Robustness] = field(default_factory=dict)
    switch: Switch | None = None
    appraisal: Appraisal | None = None
    breakeven: BreakEven | None = None
    version: str = __version__

    @property
    def enpv_by_stream(self) -> list[Stream]:
        """The ENPV's benefits and costs at present value (:func:`feasibility.analysis.cba.enpv_by_stream`); empty without ``[economic]``."""
        from .analysis.cba import enpv_by_stream

        return enpv_by_stream(self.result) if self.case.economic is not None else []

    @property
    def verdict(self) -> str:
        """See :func:`feasibility.analysis.criteria.verdict`."""
        return verdict(self.criteria)

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
        for st in self.enpv_by_stream:
            out[f"enpv_by_stream.{st.key}"] = _num(st.pv_idr)
        if self.ppp is not None:
            for k, v in self.ppp.to_dict().items():
                if k == "conditions":  # one entry per condition and field
                    for c in v:
                        for ck, cv in c.items():
                            if ck != "name":
                                out[f"ppp.condition.{c['name']}.{ck}"] = cv if isinstance(cv, str) else _num(cv)
                elif k == "failing":
                    out["ppp.failing"] = ", ".join(v)
                else:
                    out[f"ppp.{k}"] = v if isinstance(v, str) else _num(v)
        for stream, bt in self.backtests.items():
            for method, row in bt.iterrows():
                out[f"backtest.{stream}.{method}.MAPE"] = _num(row["MAPE"])
        for c in self.criteria:
            out[f"criterion.{c.key}.value"] = _num(c.value)
            out[f"criterion.{c.key}.passed"] = None if c.passed is None else str(c.passed)
            out[f"criterion.{c.key}.best"] = _num(c.best)
            out[f"criterion.{c.key}.worst"] = _num(c.worst)
            if registry.METRICS[c.metric].proxy:  # the NPV the report states where the IRR is undefined
                out[f"criterion.{c.key}.best_proxy"] = _num(c.best_proxy)
                out[f"criterion.{c.key}.worst_proxy"] = _num(c.worst_proxy)
        if self.switch is not None:
            sw = self.switch
            out["switch.path"], out["switch.change"], out["switch.value"] = sw.path, _num(sw.change), _num(sw.value)
            out["switch.region_npv_idr"] = _num(sw.region_npv_idr)
            for c in sw.criteria:
                out[f"switch.criterion.{c.key}.value"] = _num(c.value)
                out[f"switch.criterion.{c.key}.passed"] = None if c.passed is None else str(c.passed)
        for c in self.criteria:  # how many inputs the best value found needs at an end of their range
            if c.best_inputs:
                out[f"criterion.{c.key}.best_at_ends"] = float(at_ends(self.case, c.best_inputs))
        if self.appraisal is not None:
            ap = self.appraisal
            for o in ap.options:
                for k in ("public_money_total_current_idr", "public_money_pv_idr", "region_pv_dividends_idr", "region_npv_idr",
                          "fnpv_idr", "enpv_idr", "cash_sustainable"):
                    out[f"appraisal.{o.key}.{k}"] = _num(o.figures[k])
                out[f"appraisal.{o.key}.p_region_loss"] = _num(o.mc.get("p_region_loss"))
                out[f"appraisal.{o.key}.placeholder_share"] = _num(o.placeholder_share)
                out[f"appraisal.{o.key}.go_ahead_probability"] = _num(o.go_ahead_probability)
                out[f"appraisal.{o.key}.rank"] = _num(o.rank)
            out["appraisal.preferred"] = ap.preferred
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
    """What a report embeds of each history file its forecast streams read, by the file's path in the case.

    Only the two columns the case uses, as the load read and checked them
    (:func:`feasibility.case.io.load_case`), written again as CSV with every value
    in full precision: a report never carries the rest of a file (other columns,
    notes, anything else it held). ``base_dir`` is kept for the signature; the
    values come from the loaded case.
    """
    import csv
    import io

    out = {}
    for line in case.lines().values():
        for st in line.revenue.values():
            fc = st.forecast
            if fc is None:
                continue
            h = fc._history
            if h is None:  # a case validated without its files: read them now, as a load would
                raise RuntimeError("forecast histories are read by load_case / parse_case(base_dir=...)")
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow([fc.year_column, fc.value_column])
            w.writerows([int(y), repr(float(v))] for y, v in zip(h.years, h.values))
            out[fc.history] = buf.getvalue()
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

    Raises
    ------
    CaseError
        When the model's results are not finite (:mod:`feasibility.model.finite`), naming the input.
    """
    from .analysis.breakeven import break_even
    from .analysis.options import appraise
    from .analysis.ppp import ppp_test
    from .analysis.risk import simulate
    from .analysis.sensitivity import two_way_problems
    from .case import CaseError
    from .model.finite import finite_problems

    n = case.risk.iterations if iterations is None else int(iterations)
    s = case.risk.seed if seed is None else int(seed)
    broken = two_way_problems(case) or finite_problems(case)
    if broken:
        raise CaseError(broken, source_name)
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
    rob = _robustness(case, crit)
    hist = read_histories(case, Path(base_dir)) if base_dir is not None else {}
    # the long list: the same seed, the case's own iterations per option (none when the study runs no Monte Carlo)
    ap = appraise(case, iterations=case.appraisal.iterations if n > 0 else 0, seed=s) if case.options else None
    return Study(case, case_text, source_name, hist, s, n, res, tornadoes, sp, tws, scen, sim, ppp, crit, _backtests(case), rob,
                 _switch(case, res, tornadoes["fnpv_idr"]), ap, break_even(case, res, tornadoes["fnpv_idr"]))


def _switch(case: Case, res: Result, tornado: Tornado) -> Switch | None:
    """The input whose smallest relative change brings a negative FNPV to zero, with the criteria at that value."""
    tor = tornado.table
    if not res.metrics["fnpv_idr"] < 0 or "switching_status" not in tor:
        return None
    solved = tor[tor["switching_status"] == "solved"]
    if not len(solved):
        return None
    path = solved["switching_change"].abs().idxmin()
    value = float(solved.at[path, "switching_value"])
    q = case.quantity_map()[path]
    there = run(case, {path: value}).metrics
    low, high = (None, None) if q.low is None else (float(q.low), float(q.high))
    return Switch(path, float(solved.at[path, "switching_change"]), value, low, high, assess(case, there), float(there["region_npv_idr"]))


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


def _driver_metric(metric: str) -> str:
    """The metric whose tornado names a criterion's drivers (an IRR's or a probability's proxy)."""
    return registry.METRICS[metric].proxy or metric


def _criteria(case: Case, res: Result, tornadoes: dict[str, Tornado], sim: Simulation | None) -> list[Criterion]:
    qmap = case.quantity_map()
    out = assess(case, res.metrics, prob_npv_negative=sim.prob_npv_negative if sim is not None else None)
    for c in out:
        t = tornadoes.get(_driver_metric(c.metric))
        if t is None:
            continue
        for path, row in t.table.head(N_DRIVERS).iterrows():
            if math.isfinite(row["swing"]) and row["swing"] > 0:
                c.drivers.append({"path": path, "confidence": qmap[path].confidence, "swing": float(row["swing"])})
    return out


def _robustness(case: Case, criteria: list[Criterion]) -> dict[str, Robustness]:
    """The best and the worst value of each criterion's metric found in the box of the declared ranges."""
    metrics = list(dict.fromkeys(c.metric for c in criteria if registry.METRICS[c.metric].compute is not None))
    if not metrics or not any(q.low is not None for q in case.quantity_map().values()):
        return {}
    found = robustness(case, metrics)
    for c in criteria:
        r = found.get(c.metric)
        if r is not None:
            c.best, c.worst, c.best_inputs, c.worst_inputs = r.best.value, r.worst.value, r.best.inputs, r.worst.inputs
            c.best_threshold, c.worst_threshold = r.best.threshold, r.worst.threshold
            c.best_proxy, c.worst_proxy = r.best.proxy, r.worst.proxy
    return found
