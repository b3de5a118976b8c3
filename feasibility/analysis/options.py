"""Options appraisal: every option of the case's long list through the same model and the same Monte Carlo.

A council does not decide "this port: yes or no" but which way of spending
(or not spending) the region's capital serves the city best (HM Treasury
Green Book, options appraisal; EU *Guide to Cost-Benefit Analysis* 2014,
s. 2.5, option analysis; PP 54/2017 asks for a needs analysis before a BUMD
is founded). :func:`appraise` evaluates each option of ``[options]``
(:meth:`feasibility.case.Case.option`):

* deterministically, with :func:`feasibility.model.run`: the public money
  (injections, top-ups, or the APBD's spending on a public service unit,
  by budget year in current prices and as a present value at the region's
  rate), the PAD it returns (dividends or a unit's surplus), the region's
  NPV, FNPV/FIRR, ENPV, the minimum DSCR where there is debt, whether the
  plan's own cash ever runs out, the share of placeholder inputs it rests on
  and its legal hurdles;
* with one Monte Carlo sample shared by every option (common random
  numbers: the same draw of an input serves each option that uses it), so
  that the differences between options are not sampling noise: P(loss for
  the region) = P(region's NPV < 0) and the spread of the region's NPV;
* an option with a ``go_ahead`` (a port built only when shippers sign
  enough throughput) takes, in the base case and in each iteration, the
  branch its own demand decides;
* each option's increment over the baseline (do nothing), and a ranking by
  the case's rule (``[appraisal]``): the best ``rank_by`` among the options
  that pass every hurdle of ``require`` (hurdles from
  :mod:`feasibility.metrics.registry`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..case import Case
from ..case.options import _quantity_paths, split_option_path
from ..case.schema import DistributionSpec, Option, in_lang
from ..domain import distributions as dist
from ..metrics import registry
from ..model import run
from . import budget
from .breakeven import companies_volume
from .risk import SAMPLE_BLOCK, _forecast_paths, block_rng, evaluate_sample, forecast_keys, sample_blocks

__all__ = ["APPRAISAL_METRICS", "Appraisal", "OptionResult", "appraise", "rule_text"]

#: the metrics each option is appraised on, deterministic and per iteration
APPRAISAL_METRICS: tuple[str, ...] = (
    "public_money_total_current_idr",
    "public_money_total_idr",
    "public_money_pv_idr",
    "region_pv_dividends_idr",
    "region_npv_idr",
    "fnpv_idr",
    "enpv_idr",
    "dscr_min",
    "cash_sustainable",
    "min_cumulative_cash_idr",
)

#: the metrics of the increment over the baseline (differences of money)
_INCREMENT = ("public_money_total_current_idr", "public_money_pv_idr", "region_pv_dividends_idr", "region_npv_idr", "fnpv_idr", "enpv_idr")


@dataclass
class OptionResult:
    """One option's appraisal (IDR in constant base-year prices unless a name says ``nominal``/``current``).

    Attributes
    ----------
    key : str
    option : Option
        The option as the case file states it (labels, legal route, hurdles).
    figures : dict of str to float
        The deterministic metrics of :data:`APPRAISAL_METRICS`, plus ``firr``
        and ``pad_total_nominal_idr`` (NaN where undefined: no debt, no IRR).
    public_money_by_year : dict of int to float
        The region's payments by budget year, current prices (IDR as the APBD pays them).
    pad_by_year : dict of int to float
        PAD returned by budget year, current prices.
    increment : dict of str to float
        ``figures`` less the baseline's, for the money metrics.
    mc : dict of str to float
        ``p_region_loss``, ``region_npv_p10``, ``region_npv_p50``, ``region_npv_p90``,
        ``region_npv_mean``, ``p_fnpv_negative``, ``p_cash_shortfall``.
    placeholder_share : float or None
        Share of the numbers the model reads for the option that are placeholders
        (None for the baseline, which rests on none).
    go_ahead_in_base : bool or None
        For an option with a ``go_ahead``: whether its trigger is met in the base case.
    go_ahead_probability : float or None
        Share of the iterations in which the trigger is met.
    go_ahead_mc : dict of str to float
        In those iterations: ``region_npv_mean``, ``p_region_loss``, ``region_npv_best``,
        ``public_money_mean_current`` (empty when the trigger is never met).
    passes : dict of str to bool or None
        Each ``require`` metric's hurdle: True, False, None (does not apply).
    eligible : bool
        Passes every hurdle that applies.
    rank : int or None
        1 = preferred, among the eligible options; None when not eligible.
    economic_assessed : bool
        False for an option with no line of its own (a stake in another company):
        its ENPV is the other company's to assess, not computed here.
    """

    key: str
    option: Option
    case: Case
    figures: dict[str, float]
    public_money_by_year: dict[int, float]
    pad_by_year: dict[int, float]
    increment: dict[str, float] = field(default_factory=dict)
    mc: dict[str, float] = field(default_factory=dict)
    placeholder_share: float | None = None
    go_ahead_in_base: bool | None = None
    go_ahead_probability: float | None = None
    go_ahead_mc: dict[str, float] = field(default_factory=dict)
    passes: dict[str, bool | None] = field(default_factory=dict)
    eligible: bool = False
    rank: int | None = None
    economic_assessed: bool = True

    def label(self, lang: str) -> str:
        return in_lang(self.option.label, lang)

    @property
    def public_money_nominal_idr(self) -> float:
        return self.figures["public_money_total_current_idr"]

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready data (``None`` where undefined)."""
        f = self.figures
        return {
            "key": self.key,
            "label": {"id": self.option.label.id, "en": self.option.label.en},
            "vehicle": self.case.plan.vehicle,
            "lines": list(self.case.lines()),
            "baseline": self.option.baseline,
            "public_money_nominal_idr": _num(f["public_money_total_current_idr"]),
            "public_money_nominal_by_year_idr": {str(y): _num(v) for y, v in self.public_money_by_year.items()},
            # of which: the capital paid in as planned (a BUMD's injection, a unit's capital spending, a stake) and the top-ups
            "injection_nominal_idr": _num(f["region_injection_total_current_idr"]),
            "top_ups_nominal_idr": _num(f["region_top_up_total_current_idr"]),
            "public_money_real_idr": _num(f["public_money_total_idr"]),
            "public_money_pv_idr": _num(f["public_money_pv_idr"]),
            "pad_nominal_idr": _num(f["pad_total_nominal_idr"]),
            "pad_nominal_by_year_idr": {str(y): _num(v) for y, v in self.pad_by_year.items()},
            "pad_pv_idr": _num(f["region_pv_dividends_idr"]),
            "region_npv_idr": _num(f["region_npv_idr"]),
            "fnpv_idr": _num(f["fnpv_idr"]),
            "firr": _num(f["firr"]),
            "enpv_idr": _num(f["enpv_idr"]) if self.economic_assessed else None,
            "dscr_min": _num(f["dscr_min"]),
            "cash_sustainable": bool(f["cash_sustainable"] >= 1.0),
            "min_cumulative_cash_idr": _num(f["min_cumulative_cash_idr"]),
            "p_region_loss": _num(self.mc.get("p_region_loss", math.nan)),
            "region_npv_p10_idr": _num(self.mc.get("region_npv_p10", math.nan)),
            "region_npv_p50_idr": _num(self.mc.get("region_npv_p50", math.nan)),
            "region_npv_p90_idr": _num(self.mc.get("region_npv_p90", math.nan)),
            "placeholder_share": _num(self.placeholder_share),
            "go_ahead_in_base": self.go_ahead_in_base,
            "go_ahead_probability": _num(self.go_ahead_probability),
            "increment_over_baseline": {k: None if k == "enpv_idr" and not self.economic_assessed else _num(v)
                                        for k, v in self.increment.items()},
            "region_npv_mean_idr": _num(self.mc.get("region_npv_mean", math.nan)),
            "go_ahead": {k: _num(v) for k, v in self.go_ahead_mc.items()} if self.go_ahead_mc else None,
            "passes": self.passes,
            "eligible": self.eligible,
            "rank": self.rank,
            "legal_route": {"id": self.option.legal_route.id, "en": self.option.legal_route.en},
            "hurdles": [{"severity": h.severity, "id": h.text.id, "en": h.text.en, "source": h.source} for h in self.option.hurdles],
        }


@dataclass
class Appraisal:
    """The result of :func:`appraise`: every option, the preferred one and the rule that chose it."""

    options: list[OptionResult]
    preferred: str
    baseline: str
    rank_by: str
    require: list[str]
    iterations: int
    seed: int
    price_base_year: int
    same_as_case: str | None = None
    #: the value of information about the region's NPV across the options (:mod:`.voi`): None without a Monte Carlo
    evpi: Any = None
    #: per uncertain input: (path, VoiEstimate), most valuable first
    evppi: list[tuple[str, Any]] = field(default_factory=list)
    #: per ``[data_plan]`` item whose inputs the Monte Carlo draws: (key, the inputs learnt together,
    #: VoiEstimate of the group), most valuable first; what the survey is worth to this decision
    evppi_plan: list[tuple[str, list[str], Any]] = field(default_factory=list)
    #: variance-based sensitivity of the plan's region NPV to its uncertain inputs (:func:`.sobol.sobol_of_case`:
    #: columns S1, S1_conf, ST, ST_conf, most influential first); None without a Monte Carlo
    sobol: Any = None

    def __getitem__(self, key: str) -> OptionResult:
        for o in self.options:
            if o.key == key:
                return o
        raise KeyError(key)

    def rule(self, lang: str) -> str:
        return rule_text(self.rank_by, self.require, lang, self.options[0].case if self.options else None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "options": [o.to_dict() for o in self.options],
            "preferred": self.preferred,
            "baseline": self.baseline,
            "rule": self.rule("en"),
            "rule_id": self.rule("id"),
            "rank_by": self.rank_by,
            "require": self.require,
            "iterations": self.iterations,
            "seed": self.seed,
            "same_as_case": self.same_as_case,
            "evpi_idr": None if self.evpi is None else _num(self.evpi.value),
            "evpi_se_idr": None if self.evpi is None else _num(self.evpi.se),
            "evppi": [{"input": p, "value_idr": _num(e.value), "se_idr": _num(e.se)} for p, e in self.evppi],
            "evppi_data_plan": [{"item": k, "inputs": ps, "value_idr": _num(e.value), "se_idr": _num(e.se)}
                                for k, ps, e in self.evppi_plan],
            "sobol_region_npv": [] if self.sobol is None else [
                {"input": p, "first_order": _num(r["S1"]), "first_order_conf95": _num(r["S1_conf"]),
                 "total_order": _num(r["ST"]), "total_order_conf95": _num(r["ST_conf"])} for p, r in self.sobol.iterrows()],
            "money": f"IDR; *_nominal_* in current prices of each budget year, others in constant {self.price_base_year} prices",
        }


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def rule_text(rank_by: str, require: Sequence[str], lang: str, case: Any = None) -> str:
    """The ranking rule in words, from the metrics' declarations (what the table prints next to the ranking);
    with ``case``, each requirement with its hurdle (``minimum DSCR \u2265 1.3``)."""
    m = registry.METRICS[rank_by]
    name = _short(registry.label(rank_by, lang))
    reqs = "; ".join(_requirement(k, lang, case) for k in require)
    if lang == "id":
        better = "makin tinggi makin baik" if m.better == "higher" else "makin rendah makin baik"
        text = f"Opsi diurutkan menurut {name} ({better})"
        return text + (f", hanya di antara opsi yang memenuhi syarat berikut: {reqs}." if reqs else ".")
    better = "higher is better" if m.better == "higher" else "lower is better"
    text = f"Options are ranked by {name} ({better})"
    return text + (f", among only the options that meet: {reqs}." if reqs else ".")


def _short(label: str) -> str:
    """A metric's label as a sentence names it: without the explanation after a colon, in lower case
    unless it starts with an acronym ("NPV daerah", "financially sustainable (...)")."""
    text = label.partition(": ")[0]
    first = text.split(" ", 1)[0]
    keep = first.isupper() or (len(first) > 1 and first[1].isupper())
    return text if keep else text[0].lower() + text[1:]


def _requirement(key: str, lang: str, case: Any) -> str:
    """A requirement of the rule in words, with its hurdle (a flag's hurdle is its own name)."""
    m = registry.METRICS[key]
    name = _short(registry.label(key, lang))
    if m.unit == "flag" or case is None:
        return name
    h = registry.hurdle(key, case)
    # a hurdle is another metric or a small number (0, 1, 1.3, 0.2): Indonesian writes its decimal comma
    thr = _short(registry.label(h, lang)) if isinstance(h, str) else f"{h:g}".replace(".", "," if lang == "id" else ".")
    op = {">": ">", ">=": "\u2265", "<": "<", "<=": "\u2264"}[m.op]
    return f"{name} {op} {thr}"


# ---------------------------------------------------------------------------
# one Monte Carlo sample for every option


def _shared_sample(cases: dict[str, Case], n: int, seed: int) -> dict[str, np.ndarray]:
    """One Latin hypercube sample of every input any option draws, rank-correlated as declared (by path)."""
    specs: dict[str, tuple[DistributionSpec, Any]] = {}
    pairs: dict[tuple[str, str], float] = {}
    streams: list[str] = []  # forecast streams a correlation names: a rank score each (risk._sample)
    for key, c in cases.items():
        qmap = c.quantity_map()
        for p, spec in c.risk.distributions.items():
            if p not in qmap:
                continue
            if p in specs and specs[p][0] != spec:
                raise ValueError(f"options.{key}: risk.distributions.{p} differs from another option's; an input has one distribution")
            specs.setdefault(p, (spec, qmap[p]))
        known = set(forecast_keys(c))
        for cor in c.risk.correlations:
            a, b = cor.between
            if all(p in qmap or p in known for p in (a, b)):
                pairs[tuple(sorted((a, b)))] = cor.rank
                streams += [p for p in (a, b) if p in known and p not in streams]
    if not specs and not streams:
        return {}
    names = list(specs) + streams
    score = dist.make("uniform", low=0.0, high=1.0)
    dists = [dist.make(spec.kind, **spec.params(q)) for spec, q in specs.values()] + [score] * len(streams)
    corr = None
    if pairs:
        pos = {p: i for i, p in enumerate(names)}
        corr = np.eye(len(names))
        for (a, b), r in pairs.items():
            corr[pos[a], pos[b]] = corr[pos[b], pos[a]] = r
    if corr is not None and any(c.risk.repair_correlations for c in cases.values()):
        corr = dist.nearest_correlation(corr)
    # block by block, as the plan's Monte Carlo (risk.sample_blocks): Iman-Conover's memory stays bounded
    x = np.concatenate([dist.sample(dists, b - a, block_rng(seed, k), correlation=corr) for k, a, b in sample_blocks(n)])
    return {p: x[:, i] for i, p in enumerate(names)}


def _memory_estimate(cases: dict[str, Case], n: int, metrics: int) -> float:
    """Bytes an appraisal of ``n`` iterations holds, about (:mod:`feasibility.analysis.budget`).

    The shared sample (twice: drawn, then split by option), each option's metrics, one
    option's forecast paths at a time, one block's Iman-Conover working set.
    """
    d = len({p for c in cases.values() for p in c.risk.distributions} | {p for c in cases.values() for p in c.risk.correlated_names()})
    paths = max((len(forecast_keys(c)) * (c.timeline.end_year - c.timeline.start_year + 1) for c in cases.values()), default=0)
    return 8.0 * (n * (2 * d + len(cases) * (metrics + 1) + 2 * paths) + min(n, SAMPLE_BLOCK) * d * 5)


def _evaluate(case: Case, sample: dict[str, np.ndarray], n: int, seed: int, metrics: Sequence[str]) -> dict[str, np.ndarray]:
    """The metrics of every iteration of the shared sample, for one option's case (its own inputs only)."""
    qmap = case.quantity_map()
    columns = {p: v for p, v in sample.items() if p in qmap}
    scores = {p: sample[p] for p in forecast_keys(case) if p in sample}
    columns.update(_forecast_paths(case, n, seed, scores))
    keys = [m for m in metrics if case.economic is not None or m != "enpv_idr"]
    found, _undefined = evaluate_sample(case, columns, n, keys)
    return {m: found.get(m, np.full(n, np.nan)) for m in metrics}


# ---------------------------------------------------------------------------
# one option


def _committed_cargo(case: Case, sample: dict[str, np.ndarray] | None) -> Any:
    """The port's cargo built up from the companies (full year, before ramp-up), in the base case or per iteration."""
    if "cargo_handling" not in case.port.revenue or case.port.revenue["cargo_handling"].build_up is None:
        raise ValueError("a go_ahead needs the port's cargo_handling stream with a build_up (the cargo shippers would commit)")
    return companies_volume(case, "port", "cargo_handling", sample)


def _placeholder_share(case: Case) -> float:
    """Share of the numbers the model reads for a case that are placeholders."""
    from ..model.inputs import read_paths

    qmap = case.quantity_map()
    read = [p for p in read_paths(case) if p in qmap]
    if not read:
        return math.nan
    return sum(qmap[p].confidence == "placeholder" for p in read) / len(read)


def _deterministic(case: Case) -> tuple[dict[str, float], dict[int, float], dict[int, float]]:
    res = run(case)
    f = {k: float(v) for k, v in res.metrics.items()}
    pi = np.asarray(res.lines["price_index"], dtype=float)
    to_current = pi if res.price_basis == "real" else 1.0
    pub = np.asarray(res.lines["public_money_idr"]) * to_current
    pad = np.asarray(res.lines["dividends_to_region_idr"]) * to_current
    f["pad_total_nominal_idr"] = float(pad.sum())
    years = [int(y) for y in res.years]
    by_year = {y: float(v) for y, v in zip(years, pub) if abs(v) > 0.5}
    pad_year = {y: float(v) for y, v in zip(years, pad) if abs(v) > 0.5}
    return f, by_year, pad_year


def _mc_summary(m: dict[str, np.ndarray], thr_cash: float = 1.0) -> dict[str, float]:
    r = m["region_npv_idr"]
    ok = np.isfinite(r)
    p10, p50, p90 = np.percentile(r[ok], [10, 50, 90]) if ok.any() else (math.nan,) * 3
    return {
        "p_region_loss": float(np.mean(r[ok] < 0)) if ok.any() else math.nan,
        "region_npv_p10": float(p10),
        "region_npv_p50": float(p50),
        "region_npv_p90": float(p90),
        "region_npv_mean": float(np.mean(r[ok])) if ok.any() else math.nan,
        "p_fnpv_negative": float(np.mean(m["fnpv_idr"] < 0)),
        "p_cash_shortfall": float(np.mean(m["cash_sustainable"] < thr_cash)),
    }


def _passes(case: Case, require: Sequence[str], figures: dict[str, float]) -> dict[str, bool | None]:
    return {k: registry.passes(k, figures.get(k, math.nan), case, figures) for k in require}


# ---------------------------------------------------------------------------
# the appraisal


def appraise(
    case: Case,
    *,
    iterations: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Appraisal:
    """Appraise every option of ``case.options`` (see the module docstring).

    Parameters
    ----------
    case : Case
        A case with an ``[options]`` long list (one of them the baseline).
    iterations : int, optional
        Monte Carlo iterations per option (default ``[appraisal] iterations``; 0: none, no probabilities).
    seed : int, optional
        Default ``[risk] seed``. The same case and seed give identical results.
    progress : callable, optional
        ``progress(done, total)`` after each option.

    Returns
    -------
    Appraisal

    Raises
    ------
    ValueError
        The case has no options, or ``[appraisal]`` names a metric without a
        better direction or a hurdle.
    """
    if not case.options:
        raise ValueError("the case has no [options]: add a long list (one option with baseline = true) to appraise")
    rule = case.appraisal
    _check_rule(rule.rank_by, rule.require)
    n = rule.iterations if iterations is None else int(iterations)
    s = case.risk.seed if seed is None else int(seed)
    if n < 0:
        raise ValueError(f"iterations must be >= 0 (0: no Monte Carlo), got {n}")
    cases = {k: case.option(k) for k in case.options}
    sample = _shared_sample(cases, n, s) if n else {}
    metrics = list(dict.fromkeys([*APPRAISAL_METRICS, rule.rank_by, *rule.require]))
    if n:
        budget.check("iterations per option", n, lambda k: _memory_estimate(cases, k, len(metrics)))
    runs: dict[str, dict[str, np.ndarray]] = {}
    results: dict[str, OptionResult] = {}
    keys = list(case.options)
    # an option's go_ahead falls back on another: appraise those first
    keys.sort(key=lambda k: case.options[k].go_ahead is not None)
    for i, key in enumerate(keys):
        opt, oc = case.options[key], cases[key]
        figures, by_year, pad_year = _deterministic(oc)
        runs[key] = _evaluate(oc, sample, n, s, metrics) if n else {}
        res = OptionResult(key, opt, oc, figures, by_year, pad_year)
        res.placeholder_share = None if opt.baseline else _placeholder_share(oc)
        res.economic_assessed = bool(oc.lines()) or opt.baseline
        if opt.go_ahead is not None:
            _branch(res, results[opt.go_ahead.otherwise], runs, key, opt, sample, n)
        res.mc = _mc_summary(runs[key]) if n else {}
        results[key] = res
        if progress is not None:
            progress(i + 1, len(keys))
    ordered = [results[k] for k in case.options]
    baseline = next(o.key for o in ordered if o.option.baseline)
    _increments(ordered, results[baseline])
    preferred = _rank(ordered, rule.rank_by, rule.require, baseline)
    info = _value_of_information(runs, sample, case) if n else None
    return Appraisal(ordered, preferred, baseline, rule.rank_by, list(rule.require), n, s, case.timeline.price_base_year,
                     _same_as(case, cases), *(info or (None, [], [])), sobol=_sobol(case, s) if info else None)


#: the fewest iterations the value of information is estimated on (EVPPI's splines need a few hundred)
VOI_MIN_ITERATIONS = 200


def _value_of_information(runs: dict[str, dict[str, np.ndarray]], sample: dict[str, np.ndarray],
                          case: Case) -> tuple[Any, list[tuple[str, Any]], list[tuple[str, list[str], Any]]] | None:
    """EVPI, each input's EVPPI and each data-plan item's EVPPI of the choice among the options by the region's NPV.

    The options are evaluated on the same draws (common random numbers), so each iteration's NPVs can be
    compared across options (:func:`.voi.evpi`). A data-plan item learns all its inputs at once: their EVPPI
    is estimated together (:func:`.voi.evppi` with a group, additive in the inputs). None when the Monte
    Carlo is too small or an NPV is undefined.
    """
    from .voi import evpi, evppi

    nb = np.column_stack([np.asarray(runs[k]["region_npv_idr"], dtype=float) for k in case.options])
    if nb.shape[0] < VOI_MIN_ITERATIONS or not np.isfinite(nb).all():
        return None
    varied = {p: x for p, x in sample.items() if np.ptp(x) > 0}
    partial = sorted(((p, evppi(nb, x)) for p, x in varied.items()), key=lambda pe: -pe[1].value)
    groups = []
    for key, item in case.data_plan.items():
        mine = [p for p in varied if any(_matches(case, p, pat) for pat in item.inputs)]
        # a group too large for its splines is left out rather than estimated badly
        if mine and nb.shape[0] > len(mine) * 6 + 10:
            groups.append((key, mine, evppi(nb, np.column_stack([varied[p] for p in mine]))))
    groups.sort(key=lambda g: -g[2].value)
    return evpi(nb), partial, groups


#: base sample size of the Sobol indices (SALib's Saltelli design runs N (D + 2) cases; a power of 2)
SOBOL_N = 512


def _sobol(case: Case, seed: int) -> Any:
    """Sobol indices of the plan's region NPV (None when the case draws no input or the NPV is undefined somewhere)."""
    from .risk import input_distributions
    from .sobol import sobol_of_case

    if not input_distributions(case):
        return None
    try:
        return sobol_of_case(case, "region_npv_idr", n=SOBOL_N, seed=seed)
    except ValueError:  # the region's NPV undefined in some runs: no variance to decompose
        return None


def _matches(case: Case, path: str, pattern: str) -> bool:
    """Whether a sampled input (a path in an option's case) is one a data-plan pattern names.

    A pattern into an option's merge (``options.KEY.merge.REST``) names the paths that merge sets and ``REST`` matches.
    """
    import fnmatch

    own = split_option_path(pattern)
    if own is None:
        return fnmatch.fnmatchcase(path, pattern)
    opt = case.options.get(own[0])
    return opt is not None and path in _quantity_paths(opt.merge) and fnmatch.fnmatchcase(path, own[1])


def _same_as(case: Case, cases: dict[str, Case]) -> str | None:
    """The option whose case is the file's own plan (the one the rest of the report assesses), if any."""
    def plan(c: Case) -> dict[str, Any]:
        # what the model reads: inputs of [risk] on lines out of the plan change nothing
        d = c.model_dump(exclude={"options"})
        q = c.quantity_map()
        d["risk"]["distributions"] = {p: v for p, v in d["risk"]["distributions"].items() if p in q}
        d["risk"]["correlations"] = [x for x in d["risk"]["correlations"] if all(p in q for p in x["between"])]
        return d

    mine = plan(case)
    return next((k for k, c in cases.items() if case.options[k].go_ahead is None and plan(c) == mine), None)


def _check_rule(rank_by: str, require: Sequence[str]) -> None:
    m = registry.METRICS.get(rank_by)
    if m is None or m.better is None or m.compute is None:
        allowed = [k for k, x in registry.METRICS.items() if x.better is not None and x.compute is not None]
        raise ValueError(f"appraisal.rank_by: {rank_by!r} is not a model metric with a better direction (e.g. {', '.join(allowed[:6])}, ...)")
    bad = [k for k in require if k not in registry.METRICS or registry.METRICS[k].op is None or registry.METRICS[k].compute is None]
    if bad:
        raise ValueError(f"appraisal.require: {bad} are not model metrics with a hurdle (e.g. cash_sustainable, dscr_min, fnpv_idr)")


def _branch(res: OptionResult, other: OptionResult, runs: dict[str, dict[str, np.ndarray]], key: str, opt: Option,
            sample: dict[str, np.ndarray], n: int) -> None:
    """An option whose port goes ahead only when its trigger is met: the branch its demand decides, base case and per iteration."""
    need = float(opt.go_ahead.committed_cargo_tonnes_per_year.value)
    base_met = bool(float(_committed_cargo(res.case, None)) >= need)
    res.go_ahead_in_base = base_met
    if not base_met:
        res.figures, res.public_money_by_year, res.pad_by_year = dict(other.figures), dict(other.public_money_by_year), dict(other.pad_by_year)
    if n == 0:
        return
    met = np.broadcast_to(_committed_cargo(res.case, sample) >= need, (n,))
    res.go_ahead_probability = float(met.mean())
    if met.any():  # what the region gets in the iterations where the port goes ahead
        npv = runs[key]["region_npv_idr"][met]
        res.go_ahead_mc = {
            "region_npv_mean": float(np.mean(npv)),
            "p_region_loss": float(np.mean(npv < 0)),
            "region_npv_best": float(np.max(npv)),
            "public_money_mean_current": float(np.mean(runs[key]["public_money_total_current_idr"][met])),
        }
    runs[key] = {m: np.where(met, v, runs[opt.go_ahead.otherwise][m]) for m, v in runs[key].items()}


def _increments(options: list[OptionResult], base: OptionResult) -> None:
    for o in options:
        o.increment = {k: o.figures[k] - base.figures[k] for k in _INCREMENT}


def _rank(options: list[OptionResult], rank_by: str, require: Sequence[str], baseline: str) -> str:
    """Rank the eligible options by ``rank_by`` (its better direction); the preferred option's key."""
    sign = 1.0 if registry.METRICS[rank_by].better == "higher" else -1.0
    for o in options:
        o.passes = _passes(o.case, require, o.figures)
        o.eligible = all(v is not False for v in o.passes.values()) and math.isfinite(o.figures.get(rank_by, math.nan))
    eligible = sorted((o for o in options if o.eligible), key=lambda o: (-sign * o.figures[rank_by], o.key != baseline))
    for i, o in enumerate(eligible):
        o.rank = i + 1
    return eligible[0].key if eligible else baseline
