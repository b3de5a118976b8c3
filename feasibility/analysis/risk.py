"""Monte Carlo risk analysis: Latin hypercube samples of the case's uncertain inputs.

The inputs and their distributions are declared in the case file
(``[risk.distributions]``, keyed by quantity path; target rank correlations in
``[[risk.correlations]]``). :func:`simulate` draws a Latin hypercube sample
(McKay, Beckman and Conover 1979) with the target rank correlations imposed by
Iman and Conover (1982), plus sampled forecast paths for streams whose volume
comes from a demand forecast (``feasibility.domain.demand``), and evaluates all
iterations with the same vectorised model as the deterministic case
(:func:`feasibility.model.run`), in chunks of ``chunk_size`` iterations so that
memory stays bounded and a progress bar can move.

Nothing is dropped silently: an iteration whose IRR is undefined (no root, or
several) keeps NaN in that metric and is counted in
:attr:`Simulation.undefined`; summaries state how many values they rest on.

References: EU *Guide to Cost-Benefit Analysis of Investment Projects* (2014),
s. 2.9 (risk assessment: probability distributions, P(NPV < 0)); Vose (2008)
*Risk Analysis*, ch. 7 (convergence).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..case import Case
from ..domain import distributions as dist
from ..metrics import registry
from ..model import METRIC_UNITS, run
from .._interrupt import checkpoint
from . import budget

__all__ = ["RISK_METRICS", "Simulation", "evaluate_sample", "input_distributions", "sample_inputs", "simulate"]

#: the outputs a Monte Carlo run reports by default (issue 4)
RISK_METRICS: tuple[str, ...] = (
    "fnpv_idr",
    "firr",
    "wacc",
    "equity_npv_idr",
    "dscr_min",
    "region_pv_dividends_idr",
    "region_npv_idr",
    "min_cumulative_cash_idr",
    "enpv_idr",
)


def input_distributions(case: Case) -> dict[str, dist.Dist]:
    """The frozen distribution of each uncertain input of the plan, by quantity path (defaults filled in).

    Inputs of a line the plan does not run (``[plan] lines``) are left out: they
    cannot change its figures (the options that run the line sample them).
    """
    qmap = case.quantity_map()
    return {p: dist.make(spec.kind, **spec.params(qmap[p])) for p, spec in case.risk.distributions.items() if p in qmap}


def sample_inputs(case: Case, iterations: int, seed: int) -> pd.DataFrame:
    """Latin hypercube sample of the case's uncertain inputs, rank-correlated as declared.

    Returns
    -------
    DataFrame, shape (iterations, d)
        One column per quantity path, in the quantity's unit.
    """
    return _sample(case, iterations, seed)[0]


def forecast_keys(case: Case) -> list[str]:
    """The keys of the plan's forecast streams' volume paths, ``<line>.revenue.<stream>.forecast.volumes``."""
    return [f"{k}.revenue.{n}.forecast.volumes" for k, line in case.lines().items() for n, st in line.revenue.items()
            if st.forecast is not None]


#: Iterations per block of a Monte Carlo sample. Each block is a Latin hypercube of its own, with
#: the rank correlations imposed inside it; this is part of the seed's definition (:func:`sample_blocks`)
SAMPLE_BLOCK = 100_000
#: A simulation keeps the sampled inputs of its first this many iterations for the rank correlations
#: (all of them up to the command line's limit; beyond, the correlations' standard error is about 0.001)
KEEP_INPUTS = 1_000_000


def sample_blocks(iterations: int) -> list[tuple[int, int, int]]:
    """The blocks a sample of ``iterations`` is drawn in: ``(k, start, stop)`` of each.

    ``ceil(iterations / SAMPLE_BLOCK)`` blocks of equal size (within one iteration).
    Block ``k`` is a Latin hypercube drawn with the generator seeded by ``seed``
    (block 0) or ``[seed, 2, k]``; its forecast paths with ``[seed, 1]`` (block 0) or
    ``[seed, 1, k]``. A sample of up to ``SAMPLE_BLOCK`` iterations is one block, as
    before blocks existed. Memory stays bounded by a block, and the sample for a
    given seed is the same whatever the chunks the model is run in.
    """
    m = max(1, -(-int(iterations) // SAMPLE_BLOCK))
    return [(k, k * iterations // m, (k + 1) * iterations // m) for k in range(m)]


def block_rng(seed: int, k: int, stream: str = "inputs") -> np.random.Generator:
    """The generator of block ``k``'s ``"inputs"`` or ``"paths"`` (see :func:`sample_blocks`)."""
    if stream == "inputs":
        return np.random.default_rng(seed if k == 0 else [seed, 2, k])
    return np.random.default_rng([seed, 1] if k == 0 else [seed, 1, k])


@dataclass(frozen=True)
class _Sampler:
    """What one block of the plan's sample draws: the inputs' distributions, forecast scores, correlation."""

    names: list[str]
    dists: list[dist.Dist]
    extras: list[str]
    corr: np.ndarray | None

    def draw(self, size: int, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """A block: inputs (size, d) and the rank scores of the correlated forecast streams."""
        if not self.dists and not self.extras:
            return np.empty((size, 0)), {}
        score = dist.make("uniform", low=0.0, high=1.0)
        x = dist.sample([*self.dists, *([score] * len(self.extras))], size, rng, correlation=self.corr)
        d = len(self.dists)
        return x[:, :d], {p: x[:, d + j] for j, p in enumerate(self.extras)}


def _sampler(case: Case) -> _Sampler:
    dists = input_distributions(case)
    names = case.risk.correlated_names()
    streams = set(forecast_keys(case))
    extras = [p for p in names if p not in case.risk.distributions and p in streams]
    corr = None
    if case.risk.correlations and (dists or extras):
        keep = [names.index(p) for p in [*dists, *extras]]
        corr = case.risk.correlation_matrix()[np.ix_(keep, keep)]
    return _Sampler(list(dists), list(dists.values()), extras, corr)


def _sample(case: Case, iterations: int, seed: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The input sample, and a rank score in (0, 1) for each forecast stream a correlation names.

    A forecast stream named in ``[[risk.correlations]]`` joins the Latin hypercube
    as a uniform score; Iman-Conover correlates the scores with the inputs, and
    :func:`_forecast_paths` gives each iteration the path whose mean volume has the
    score's rank. So the paths keep their own distribution and their mean volume
    carries the declared rank correlation. Drawn block by block (:func:`sample_blocks`).
    """
    sampler = _sampler(case)
    parts = [sampler.draw(b - a, block_rng(seed, k)) for k, a, b in sample_blocks(iterations)]
    x = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
    scores = {p: np.concatenate([q[1][p] for q in parts]) for p in sampler.extras}
    return pd.DataFrame(x, columns=sampler.names, index=pd.RangeIndex(iterations, name="iteration")), scores


def _forecast_paths(case: Case, iterations: int, seed: int, scores: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Sampled volume paths (iterations, T) of every stream whose volume comes from a forecast.

    Years the history covers keep the observed values; later years follow the
    fitted method's simulated paths (:meth:`feasibility.domain.demand.Forecast.simulate`).
    A separate random stream (spawned from the seed) keeps the input sample
    unchanged whether or not the case has forecast streams. Where ``scores``
    has a stream (:func:`_sample`), its paths are dealt out so that, within each
    block (:func:`sample_blocks`), the path with the k-th smallest mean goes to
    the iteration with the k-th smallest score.
    """
    parts = [_block_paths(case, b - a, block_rng(seed, k, "paths"), {p: v[a:b] for p, v in (scores or {}).items()})
             for k, a, b in sample_blocks(iterations)]
    return {p: np.concatenate([q[p] for q in parts]) if len(parts) > 1 else parts[0][p] for p in parts[0]}


def _block_paths(case: Case, size: int, rng: np.random.Generator, scores: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One block's forecast paths (see :func:`_forecast_paths`)."""
    out: dict[str, np.ndarray] = {}
    years = np.arange(case.timeline.start_year, case.timeline.end_year + 1)
    for key, line in case.lines().items():
        for name, st in line.revenue.items():
            fc = st.forecast
            if fc is None or fc.fitted() is None:
                continue
            model = fc.fitted()
            last_hist = max(fc.observed())
            observed = fc.volumes()
            base = np.array([observed.get(int(y), np.nan) for y in years])
            paths = np.broadcast_to(base, (size, years.size)).copy()
            ahead = years > last_hist
            h = int(years[-1] - last_hist)
            path_key = f"{key}.revenue.{name}.forecast.volumes"
            if h > 0:
                sim = model.simulate(h, size, rng)  # (size, h), years last_hist+1 ..
                if path_key in scores:
                    by_mean = sim[np.argsort(sim.mean(axis=1), kind="stable")]
                    sim = by_mean[stats.rankdata(scores[path_key], method="ordinal") - 1]
                paths[:, ahead] = sim[:, years[ahead] - last_hist - 1]
            # years before the history (and the stream's start, which validation ensures)
            # carry no volume
            out[path_key] = np.nan_to_num(paths, nan=0.0)
    return out


def memory_estimate(case: Case, iterations: int, metrics: int = len(RISK_METRICS), chunk_size: int = 5_000) -> float:
    """Bytes a :func:`simulate` run holds at its peak, about (:mod:`feasibility.analysis.budget`).

    Each iteration keeps one number per metric; the first :data:`KEEP_INPUTS`
    keep their inputs and forecast levels, ranked once more for the rank
    correlations; one block holds its sample, Iman-Conover's scores and its
    forecast paths; one chunk holds the model's arrays (about 200 numbers per
    model year). Checked against the measured peak in ``benchmarks/bench_memory.py``.
    """
    sampler = _sampler(case)
    d = len(sampler.names) + len(sampler.extras)
    s = len(forecast_keys(case))
    t = case.timeline.end_year - case.timeline.start_year + 1
    keep, block = min(iterations, KEEP_INPUTS), min(iterations, SAMPLE_BLOCK)
    chunk = min(iterations, chunk_size)
    return 8.0 * (iterations * (metrics + 2) + keep * (d + s) * 3 + block * (d * 5 + s * t * 3) + chunk * t * 200)


@dataclass
class Simulation:
    """The result of :func:`simulate`.

    Attributes
    ----------
    inputs : DataFrame, shape (n, d)
        The sampled inputs, one column per quantity path.
    metrics : dict of str to ndarray, shape (n,)
        Each metric by iteration (NaN where undefined; see ``undefined``).
    undefined : list of dict
        ``{"metric", "reason", "count"}`` summed over all iterations.
    seed, iterations : int
    dscr_threshold : float
        The lender's minimum DSCR (the hurdle of ``dscr_min``), as the report states it.
    forecast_paths : list of str
        Streams whose volume paths were sampled from their forecast.
    path_levels : DataFrame, shape (n, len(forecast_paths))
        Each stream's sampled path summarised by its mean volume: it takes part in
        the rank correlations beside the inputs.
    """

    case: Case
    seed: int
    iterations: int
    inputs: pd.DataFrame
    metrics: dict[str, np.ndarray]
    undefined: list[dict[str, Any]] = field(default_factory=list)
    dscr_threshold: float = 1.3
    forecast_paths: list[str] = field(default_factory=list)
    path_levels: pd.DataFrame = field(default_factory=pd.DataFrame)

    def ranked(self) -> pd.DataFrame:
        """The sampled inputs and the forecast paths' mean volumes: what the rank correlations rank."""
        if self.path_levels.empty:
            return self.inputs
        return pd.concat([self.inputs, self.path_levels.set_axis(self.inputs.index)], axis=1)

    def defined(self, metric: str) -> np.ndarray:
        v = self.metrics[metric]
        return v[np.isfinite(v)]

    def summary(self) -> pd.DataFrame:
        """Mean, sd, P10, P50, P90, min and max of each metric over its defined values.

        ``defined`` and ``undefined`` give the number of iterations each row rests on;
        ``p10_lo95`` ... ``p90_hi95`` the 95 % Monte Carlo interval of each percentile
        (:func:`_quantile_interval`).
        """
        rows = {}
        for m, v in self.metrics.items():
            ok = v[np.isfinite(v)]
            p10, p50, p90 = np.percentile(ok, [10, 50, 90]) if ok.size else (np.nan,) * 3
            ci = {f"{name}_{end}": x for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))
                  for end, x in zip(("lo95", "hi95"), _quantile_interval(ok, q))}
            rows[m] = {
                "mean": ok.mean() if ok.size else np.nan,
                "sd": ok.std(ddof=1) if ok.size > 1 else np.nan,
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "min": ok.min() if ok.size else np.nan,
                "max": ok.max() if ok.size else np.nan,
                "defined": int(ok.size),
                "undefined": int(v.size - ok.size),
                **ci,
                "unit": METRIC_UNITS.get(m, ""),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("metric")

    def probability(self, metric: str, below: float | str) -> float:
        """Share of all iterations where ``metric`` < ``below`` (a number or another metric).

        Undefined values (NaN) count as not below; :meth:`summary` says how many there are.
        """
        v = self.metrics[metric]
        t = self.metrics[below] if isinstance(below, str) else below
        return float(np.count_nonzero(v < t) / v.size)

    def prob_fails(self, metric: str) -> float:
        """Share of iterations where ``metric`` misses its hurdle (:mod:`feasibility.metrics.registry`).

        Where an undefined value fails the hurdle (a payback never reached) it
        counts as failing; where the hurdle does not apply to it (a DSCR without
        debt) the share is among the iterations where the metric is defined.
        NaN when no iteration counts.
        """
        k, n = self._fail_count(metric)
        return k / n if n else float("nan")

    def _fail_count(self, metric: str) -> tuple[int, int]:
        """Iterations where ``metric`` misses its hurdle, and the iterations that count (see :meth:`prob_fails`)."""
        v = self.metrics[metric]
        h = registry.hurdle(metric, self.case)
        if h is None:
            raise KeyError(f"{metric}: has no hurdle in feasibility.metrics.registry")
        fails = ~registry.holds(metric, v, self.metrics[h] if isinstance(h, str) else h)
        if registry.METRICS[metric].undefined_fails:
            return int(np.count_nonzero(fails)), int(v.size)
        ok = np.isfinite(v)
        return int(np.count_nonzero(fails & ok)), int(ok.sum())

    def prob_error(self, metric: str, level: float = 0.95) -> tuple[float, float, float]:
        """The Monte Carlo error of :meth:`prob_fails`: its standard error and a Wilson interval.

        Binomial: standard error ``sqrt(p (1 - p) / n)``; the Wilson (1927) score interval
        at ``level`` (``statsmodels.stats.proportion.proportion_confint``), which stays
        informative where ``p`` is 0 or 1 (the standard error is then 0). Both assume simple
        random sampling; Latin hypercube sampling is no less precise for an output monotone in
        each input (McKay, Beckman and Conover 1979), where they are conservative. NaNs when no
        iteration counts.
        """
        from statsmodels.stats.proportion import proportion_confint

        k, n = self._fail_count(metric)
        if n == 0:
            return (float("nan"),) * 3
        p = k / n
        lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
        # exactly 0 and 1 at the ends (the formula's rounding leaves 1 - 2e-16 where every iteration fails)
        lo, hi = (0.0 if k == 0 else float(lo)), (1.0 if k == n else float(hi))
        return math.sqrt(p * (1 - p) / n), lo, hi

    def convergence_rule(self, metric: str = "fnpv_idr") -> tuple[float, float, int]:
        """The standard error of :meth:`prob_fails`, the case's tolerance for it, and the iterations it needs.

        The standard error is the binomial one, or, where it is 0 (no iteration or every
        iteration fails) or smaller, the Wilson interval's half-width / 1.96, so that a
        share of 0 out of 100 is not taken as exact. The iterations needed are
        ``ceil(n (se / tolerance)^2)`` (the error falls as ``1 / sqrt(n)``), at least the
        iterations run. The tolerance is ``[risk] target_se``.

        Returns
        -------
        se, tolerance : float
            As fractions (0.005 = half a percentage point).
        needed : int
            Iterations for a standard error within the tolerance (``iterations`` when it already is).
        """
        se, lo, hi = self.prob_error(metric)
        tol = float(self.case.risk.target_se)
        if not math.isfinite(se):
            return se, tol, self.iterations
        se = max(se, (hi - lo) / (2 * stats.norm.ppf(0.975)))
        needed = max(self.iterations, math.ceil(self.iterations * (se / tol) ** 2))
        return se, tol, needed

    @property
    def prob_npv_negative(self) -> float:
        """P(FNPV misses its hurdle), i.e. P(FNPV <= 0)."""
        return self.prob_fails("fnpv_idr")

    @property
    def prob_dscr_below(self) -> float:
        """P(minimum DSCR < the lender's threshold) among iterations with debt service."""
        return self.prob_fails("dscr_min")

    def convergence(self, metric: str = "fnpv_idr", points: int = 40) -> pd.DataFrame:
        """Running mean, P10, P50 and P90 of a metric after the first n iterations.

        Latin hypercube strata are spread over the whole sample, so partial
        sums converge like a random sample (its order is random); the table
        shows whether the final figures have settled (Vose 2008, ch. 7).
        """
        v = self.metrics[metric]
        n_all = v.size
        ns = np.unique(np.clip(np.geomspace(min(100, n_all), n_all, points).astype(int), 1, n_all))
        rows = []
        for n in ns:
            ok = v[:n][np.isfinite(v[:n])]
            if ok.size == 0:
                rows.append((n, np.nan, np.nan, np.nan, np.nan, np.nan))
                continue
            p10, p50, p90 = np.percentile(ok, [10, 50, 90])
            rows.append((n, ok.mean(), p10, p50, p90, float(np.count_nonzero(v[:n] < 0) / n)))
        return pd.DataFrame(rows, columns=["iterations", "mean", "p10", "p50", "p90", "share_negative"]).set_index("iterations")

    def rank_correlations(self, metric: str = "fnpv_idr") -> pd.Series:
        """Spearman correlation of each sampled input (and forecast path's mean volume) with a metric, largest |rho| first."""
        table = self.ranked()
        v = self.metrics[metric][: len(table)]
        ok = np.isfinite(v)
        out = {}
        for col in table.columns:
            x = table[col].to_numpy()[ok]
            out[col] = stats.spearmanr(x, v[ok]).statistic if ok.sum() > 2 and np.ptp(x) > 0 else np.nan
        s = pd.Series(out, name=f"spearman_{metric}", dtype=float)
        return s.reindex(s.abs().sort_values(ascending=False).index)

    def partial_rank_correlations(self, metric: str = "fnpv_idr") -> pd.Series:
        """Partial rank correlation of each sampled input with a metric (PRCC), largest |PRCC| first.

        The correlation of the ranks of input ``i`` and of the metric once both are cleared, by
        least squares, of the ranks of every other input (Marino, Hogue, Ray and Kirschner 2008,
        J. Theor. Biol. 254: 178-196, eq. 8). Unlike the raw Spearman coefficient, an input does
        not inherit importance from another it is correlated with. NaN for a constant input.

        The least squares run on the ranks' cross-products (a (d + 1)-square matrix), not on the
        (n, d) design: the same residuals (a projection's residuals do not depend on how it is
        solved), in memory that does not grow with d per input.
        """
        table = self.ranked()
        v = self.metrics[metric][: len(table)]
        ok = np.isfinite(v)
        cols = [c for c in table.columns if np.ptp(table[c].to_numpy()) > 0]
        out: dict[str, float] = {c: np.nan for c in table.columns}
        if ok.sum() > len(cols) + 2 and cols:
            z = np.empty((int(ok.sum()), len(cols) + 1))
            for j, c in enumerate(cols):
                z[:, j] = stats.rankdata(table[c].to_numpy()[ok])
            z[:, -1] = stats.rankdata(v[ok])
            z -= z.mean(axis=0)  # the intercept
            z /= z.shape[0]
            g = z.T @ z  # cross-products of the centred ranks
            del z
            y = len(cols)
            for j, c in enumerate(cols):
                o = [i for i in range(y) if i != j]
                goo = np.linalg.pinv(g[np.ix_(o, o)], hermitian=True)
                # residual (co)variances of input j and the metric, cleared of the other inputs
                exx = g[j, j] - g[j, o] @ goo @ g[o, j]
                eyy = g[y, y] - g[y, o] @ goo @ g[o, y]
                exy = g[j, y] - g[j, o] @ goo @ g[o, y]
                exact = 1e-10 * max(g[j, j], g[y, y])  # what is left of an input the others determine
                out[c] = float(exy / math.sqrt(exx * eyy)) if exx > exact and eyy > exact else np.nan
        s = pd.Series(out, name=f"prcc_{metric}", dtype=float)
        return s.reindex(s.abs().sort_values(ascending=False, na_position="last").index)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (no per-iteration data)."""
        summ = self.summary()
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "inputs": {p: str(d) for p, d in input_distributions(self.case).items()},
            "forecast_paths": self.forecast_paths,
            "summary": {m: {k: (v if not isinstance(v, float) or np.isfinite(v) else None) for k, v in row.items()} for m, row in summ.to_dict(orient="index").items()},
            "prob_npv_negative": self.prob_npv_negative,
            **_error_dict("prob_npv_negative", self.prob_error("fnpv_idr")),
            **dict(zip(("prob_npv_negative_se_for_rule", "target_se", "iterations_for_target_se"), self.convergence_rule())),
            "dscr_threshold": self.dscr_threshold,
            "prob_dscr_below_threshold": None if np.isnan(self.prob_dscr_below) else self.prob_dscr_below,
            **_error_dict("prob_dscr_below_threshold", self.prob_error("dscr_min")),
            "undefined": self.undefined,
            "rank_correlations_fnpv": {k: (None if np.isnan(v) else float(v)) for k, v in self.rank_correlations().items()},
            "partial_rank_correlations_fnpv": {k: (None if np.isnan(v) else float(v))
                                               for k, v in self.partial_rank_correlations().items()},
        }


def _quantile_interval(x: np.ndarray, q: float, level: float = 0.95) -> tuple[float, float]:
    """A distribution-free interval for the ``q`` quantile of the sampled ``x`` (order statistics).

    The number of draws below the true quantile is binomial ``(n, q)``: the interval runs
    between the order statistics at that binomial's ``(1 - level) / 2`` and ``(1 + level) / 2``
    quantiles (Conover, *Practical Nonparametric Statistics*, 3rd ed., s. 3.2). NaNs below 2 values.
    """
    n = x.size
    if n < 2:
        return float("nan"), float("nan")
    srt = np.sort(x)
    lo = int(stats.binom.ppf((1 - level) / 2, n, q))
    hi = int(stats.binom.ppf((1 + level) / 2, n, q))
    return float(srt[max(lo - 1, 0)]), float(srt[min(hi, n - 1)])


def _error_dict(key: str, err: tuple[float, float, float]) -> dict[str, float | None]:
    se, lo, hi = err
    return {f"{key}_se": None if np.isnan(se) else se, f"{key}_lo95": None if np.isnan(lo) else lo,
            f"{key}_hi95": None if np.isnan(hi) else hi}


def evaluate_sample(
    case: Case,
    columns: Mapping[str, np.ndarray],
    n: int,
    metrics: Sequence[str],
    *,
    base: Mapping[str, Any] | None = None,
    chunk_size: int = 5_000,
    on_chunk: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, np.ndarray], dict[tuple[str, str], int]]:
    """Every iteration of a sample through the model, in chunks (:func:`simulate`, the options appraisal).

    Parameters
    ----------
    columns : mapping of str to ndarray
        Sampled values by quantity path, shape (n,), or forecast volume paths, shape (n, T).
    base : mapping, optional
        Overrides under the sampled ones (a scenario's values).
    on_chunk : callable, optional
        ``on_chunk(done, size)`` after each chunk.

    Returns
    -------
    metrics : dict of str to ndarray, shape (n,)
    undefined : dict
        ``(metric, reason) -> count`` over all iterations.
    """
    out = {m: np.empty(n) for m in metrics}
    undefined: dict[tuple[str, str], int] = {}
    for a in range(0, n, chunk_size):
        b = min(a + chunk_size, n)
        over: dict[str, Any] = dict(base or {})
        over.update({c: v[a:b] for c, v in columns.items()})
        res = run(case, over or None, metrics=list(metrics))
        for m in metrics:
            out[m][a:b] = np.broadcast_to(res.metrics[m], (b - a,))
        for u in res.undefined:
            key = (u["metric"], u["reason"])
            undefined[key] = undefined.get(key, 0) + (u["count"] if res.lead_shape else b - a)
        if on_chunk is not None:
            on_chunk(b, b - a)
    return out, undefined


def simulate(
    case: Case,
    iterations: int | None = None,
    seed: int | None = None,
    *,
    metrics: Sequence[str] = RISK_METRICS,
    scenario: str | None = None,
    chunk_size: int = 5_000,
    progress: bool | Callable[[int, int], None] | None = None,
) -> Simulation:
    """Monte Carlo of a case: sample its uncertain inputs and evaluate every iteration.

    Parameters
    ----------
    case : Case
    iterations : int, optional
        Default ``case.risk.iterations``.
    seed : int, optional
        Default ``case.risk.seed``. The same case and seed give identical results.
    metrics : sequence of str
        Metrics to keep per iteration (computing fewer is faster).
    scenario : str, optional
        Run around a scenario of the case (its values replace the base first;
        the sampled inputs replace those).
    chunk_size : int
        Iterations per vectorised model call. The sample is drawn in blocks of
        :data:`SAMPLE_BLOCK` iterations (:func:`sample_blocks`), so results do
        not depend on it. Chunks of a few thousand keep the model's (chunk,
        years) arrays in the processor cache: 5,000 ran 100,000 iterations about
        twice as fast as 20,000 on a 2-core machine.
    progress : bool or callable, optional
        Show a tqdm progress bar (default: when there is more than one chunk),
        or call ``progress(done, total)`` after each chunk (a widget's bar).

    Returns
    -------
    Simulation
        Its ``inputs`` (and ``path_levels``) hold the first :data:`KEEP_INPUTS`
        iterations, all of them up to that many.

    Raises
    ------
    feasibility.analysis.budget.MemoryBudgetError
        When the run would need more memory than the budget (:func:`memory_estimate`).
    """
    n = case.risk.iterations if iterations is None else int(iterations)
    s = case.risk.seed if seed is None else int(seed)
    if n < 1:
        raise ValueError(f"iterations must be >= 1, got {n}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    if case.economic is None:  # no economic analysis in the case: no ENPV to keep
        metrics = [m for m in metrics if m != "enpv_idr"]
    unknown = [m for m in metrics if m not in METRIC_UNITS]
    if unknown:
        raise KeyError(f"metrics {unknown}: not model metrics (see feasibility.model.METRIC_UNITS)")
    budget.check("iterations", n, lambda k: memory_estimate(case, k, len(metrics), chunk_size))
    sampler = _sampler(case)
    keep = min(n, KEEP_INPUTS)
    kept = np.empty((keep, len(sampler.names)))
    streams: list[str] = []
    levels = np.empty((keep, 0))
    base = dict(case.scenario(scenario)) if scenario is not None else {}
    callback = progress if callable(progress) else None
    show = bool(progress) if progress is not None and callback is None else (callback is None and n > chunk_size)
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc="Monte Carlo", unit="it", unit_scale=True, leave=False)
    out = {m: np.empty(n) for m in metrics}
    undefined: dict[tuple[str, str], int] = {}
    try:
        for k, a, b in sample_blocks(n):
            x, scores = sampler.draw(b - a, block_rng(s, k))
            paths = _block_paths(case, b - a, block_rng(s, k, "paths"), scores)
            columns = {c: x[:, j] for j, c in enumerate(sampler.names)} | paths
            if k == 0:
                streams, levels = list(paths), np.empty((keep, len(paths)))

            def step(done: int, size: int, a: int = a) -> None:
                checkpoint()  # a Ctrl-C that a library swallowed stops the run here
                if bar is not None:
                    bar.update(size)
                if callback is not None:
                    callback(a + done, n)

            found, und = evaluate_sample(case, columns, b - a, metrics, base=base, chunk_size=chunk_size, on_chunk=step)
            for m in metrics:
                out[m][a:b] = found[m]
            for key, count in und.items():
                undefined[key] = undefined.get(key, 0) + count
            if a < keep:
                stop = min(b, keep)
                kept[a:stop] = x[: stop - a]
                for j, p in enumerate(streams):
                    levels[a:stop, j] = paths[p][: stop - a].mean(axis=1)
    finally:
        if bar is not None:
            bar.close()
    inputs = pd.DataFrame(kept, columns=sampler.names, index=pd.RangeIndex(keep, name="iteration"))
    path_levels = pd.DataFrame(levels, columns=streams) if streams else pd.DataFrame()
    und = [{"metric": m, "reason": r, "count": c} for (m, r), c in undefined.items()]
    return Simulation(case, s, n, inputs, out, und, registry.threshold("dscr_min", case, {}), streams, path_levels)
