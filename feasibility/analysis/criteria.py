"""The verdict: which criteria a case passes, and what "feasible" means, written once.

A criterion (``[criteria] apply`` of the case) names a metric of
:mod:`feasibility.metrics.registry`; its comparison and threshold are that
metric's hurdle: FNPV > 0; FIRR > WACC; BCR > 1; minimum DSCR >= the lender's
threshold; cumulative cash >= 0 in every year (EU CBA Guide 2014: financial
sustainability); P(FNPV < 0) <= the accepted probability; payback within the
construction years plus the concession; ENPV > 0.

A case is **feasible** when every applicable criterion passes. A criterion
that does not apply (no debt, no Monte Carlo, no economic analysis) passes
nothing: a verdict resting on some criteria only says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..metrics import registry

__all__ = ["CRITERION_METRIC", "Criterion", "assess", "verdict"]

#: the metric each criterion of ``[criteria] apply`` tests
CRITERION_METRIC: dict[str, str] = {
    "fnpv": "fnpv_idr",
    "firr": "firr",
    "bcr": "bcr",
    "dscr": "dscr_min",
    "cash": "min_cumulative_cash_idr",
    "risk": "prob_npv_negative",
    "payback": "payback_years",
    "enpv": "enpv_idr",
}


@dataclass
class Criterion:
    """One row of the verdict table.

    Attributes
    ----------
    key : str
        ``fnpv``, ``firr``, ...
    metric : str
        The metric tested (a key of :data:`feasibility.metrics.registry.METRICS`).
    comparison : str
        The metric's hurdle comparison (``>``, ``>=``, ``<=``).
    value, threshold : float
        In the metric's unit (``threshold`` may be another metric's value, e.g. the WACC).
    passed : bool or None
        None when the criterion does not apply (no debt, no Monte Carlo, no
        economic analysis).
    drivers : list of dict
        The inputs that move the metric most: ``path``, ``confidence``,
        ``swing`` (metric range over the input's range).
    best, worst : float
        The best and the worst value of the metric found in the box of the
        inputs' declared ranges (:mod:`feasibility.analysis.robustness`); NaN
        where not searched (a Monte Carlo probability).
    best_inputs, worst_inputs : dict
        The input values that give them (path -> value).
    best_threshold, worst_threshold : float
        The hurdle at those inputs (the WACC there, for the FIRR).
    best_proxy, worst_proxy : float
        For an IRR, its NPV at the hurdle rate at those inputs (the FNPV, for
        the FIRR); it decides the outcome where the IRR is undefined.
    """

    key: str
    metric: str
    comparison: str
    value: float
    threshold: float
    passed: bool | None
    drivers: list[dict[str, Any]] = field(default_factory=list)
    best: float = math.nan
    worst: float = math.nan
    best_inputs: dict[str, float] = field(default_factory=dict)
    worst_inputs: dict[str, float] = field(default_factory=dict)
    best_threshold: float = math.nan
    worst_threshold: float = math.nan
    best_proxy: float = math.nan
    worst_proxy: float = math.nan

    @property
    def low_confidence(self) -> list[dict[str, Any]]:
        """Drivers that are placeholders or analyst estimates."""
        return [d for d in self.drivers if d["confidence"] in ("placeholder", "estimate")]

    def holds(self, value: float, threshold: float | None = None) -> bool | None:
        """Whether a value of the metric would pass its hurdle (the case's, or ``threshold``);
        None when either is undefined."""
        thr = self.threshold if threshold is None else threshold
        if value is None or not math.isfinite(value) or not math.isfinite(thr):
            return None
        return bool(registry.holds(self.metric, value, thr))

    @property
    def robust(self) -> bool | None:
        """True when the outcome is the same at the best and at the worst value found in the box.

        None where not searched, or where the best or worst value (or the
        criterion itself) is undefined, except that a payback never reached
        (``undefined_fails``) is a failure and that where an IRR is undefined
        its NPV at the hurdle rate decides, as it does for the verdict.
        """
        a = self._outcome(self.best, self.best_threshold, self.best_proxy)
        b = self._outcome(self.worst, self.worst_threshold, self.worst_proxy)
        if a is None or b is None or self.passed is None:
            return None
        return a == b == self.passed

    def _outcome(self, value: float, threshold: float, proxy: float = math.nan) -> bool | None:
        m = registry.METRICS[self.metric]
        if value is None or not math.isfinite(value):
            if m.undefined_fails and self.best_inputs:
                return False
            p = registry.METRICS[m.proxy] if m.proxy else None
            if p is not None and math.isfinite(proxy) and isinstance(p.against, (int, float)):
                return bool(registry.holds(m.proxy, proxy, float(p.against)))
        return self.holds(value, threshold)


def assess(case: Any, metrics: Mapping[str, float], *, prob_npv_negative: float | None = None) -> list[Criterion]:
    """The criteria the case applies, each with its value, threshold and outcome.

    Parameters
    ----------
    case : Case
    metrics : mapping
        The model metrics of a single run (:attr:`feasibility.model.Result.metrics`).
    prob_npv_negative : float, optional
        P(FNPV < 0) of a Monte Carlo; without it the risk criterion does not apply.
    """
    values = dict(metrics)
    values["prob_npv_negative"] = math.nan if prob_npv_negative is None else float(prob_npv_negative)
    out = []
    for key in case.criteria.apply:
        metric = CRITERION_METRIC[key]
        value = float(values.get(metric, math.nan))
        thr = registry.threshold(metric, case, values)
        passed = registry.passes(metric, value, case, values)
        out.append(Criterion(key, metric, registry.METRICS[metric].op, value, thr, passed))
    return out


def verdict(criteria: list[Criterion]) -> str:
    """``feasible`` (every criterion applies and passes), ``not_feasible`` (one fails),
    ``feasible_partly_tested`` (those that apply pass, some do not apply) or ``incomplete`` (none applies)."""
    applied = [c for c in criteria if c.passed is not None]
    if any(c.passed is False for c in applied):
        return "not_feasible"
    if not applied:
        return "incomplete"
    return "feasible" if len(applied) == len(criteria) else "feasible_partly_tested"
