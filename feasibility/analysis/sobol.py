"""Variance-based global sensitivity: Sobol first- and total-order indices of a metric (issue 17).

The share of the metric's variance each uncertain input explains alone (first
order, ``S1``) and with all its interactions (total order, ``ST``), estimated
with SALib: Saltelli's extension of the Sobol sequence for the sample
(``SALib.sample.sobol``, ``N (D + 2)`` model runs without second-order terms)
and the estimators of Saltelli et al. (2010) and Jansen (1999) with bootstrap
confidence intervals (``SALib.analyze.sobol``). Each input is drawn from its
distribution of ``[risk]`` by its inverse CDF; the indices assume independent
inputs, so the case's rank correlations are left out here (the Monte Carlo
keeps them) and the result says so.

References
----------
Saltelli, A. et al. (2010) Variance based sensitivity analysis of model output.
Computer Physics Communications 181(2): 259-270. Herman, J. and Usher, W.
(2017) SALib: an open-source Python library for sensitivity analysis. JOSS 2(9).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from ..case import Case

__all__ = ["sobol_indices", "sobol_of_case"]


def sobol_indices(f: Callable[[Mapping[str, np.ndarray]], np.ndarray], ppf: Mapping[str, Callable[[np.ndarray], np.ndarray]],
                  n: int = 512, seed: int = 0) -> pd.DataFrame:
    """Sobol indices of a vectorised function of independent inputs.

    Parameters
    ----------
    f : callable
        ``f({name: values})`` -> outputs, one per row of the values (a vectorised model run).
    ppf : mapping
        Each input's inverse CDF (``u`` in (0, 1) -> value).
    n : int
        Base sample size, a power of 2 (Sobol sequence balance); ``n (D + 2)`` evaluations.
    seed : int
        Seed of the scrambled sequence and the bootstrap.

    Returns
    -------
    DataFrame
        Index: the inputs, by total order, largest first. Columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
        (95 % bootstrap half-widths).
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    names = list(ppf)
    if not names:
        raise ValueError("no uncertain inputs: Sobol indices need at least one")
    if n < 2 or n & (n - 1):
        raise ValueError(f"n: must be a power of 2 (the Sobol sequence's balance), got {n}")
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    u = np.clip(u, 1e-12, 1 - 1e-12)  # an inverse CDF is infinite at 0 and 1 for unbounded distributions
    y = np.asarray(f({p: ppf[p](u[:, i]) for i, p in enumerate(names)}), dtype=float)
    if y.shape != (u.shape[0],) or not np.isfinite(y).all():
        raise ValueError(f"the metric is undefined in {int((~np.isfinite(y)).sum())} of {y.size} runs: no Sobol indices")
    res = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    table = pd.DataFrame({k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=pd.Index(names, name="input"))
    return table.sort_values("ST", ascending=False)


def sobol_of_case(case: Case, metric: str = "region_npv_idr", n: int = 512, seed: int | None = None,
                  scenario: str | None = None) -> pd.DataFrame:
    """Sobol indices of a model metric to the case's uncertain inputs (``[risk] distributions``), independent.

    See :func:`sobol_indices`; the model runs ``n (D + 2)`` cases at once (:func:`feasibility.model.run`).
    """
    from ..model import run
    from .risk import input_distributions

    dists = input_distributions(case)
    base = case.scenario(scenario) if scenario else {}

    def f(values: Mapping[str, np.ndarray]) -> np.ndarray:
        over = {**base, **{p: np.asarray(v) for p, v in values.items()}}
        return np.asarray(run(case, over, metrics=[metric]).metrics[metric])

    return sobol_indices(f, {p: d.ppf for p, d in dists.items()}, n, case.risk.seed if seed is None else seed)
