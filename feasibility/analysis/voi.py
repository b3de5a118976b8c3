"""Value of information: what knowing an uncertain input before deciding is worth to the decision (issue 17).

From a Monte Carlo of the options (``nb``: each iteration's net benefit of
each option, in rupiah) and the sampled inputs:

EVPI, the expected value of perfect information
    ``E[max_d NB_d] - max_d E[NB_d]``: what resolving every uncertainty before
    choosing would gain on average (Raiffa and Schlaifer 1961; Claxton 1999).
EVPPI, the expected value of partial perfect information, for an input or group
    ``E_x[max_d E[NB_d | x]] - max_d E[NB_d]``: what resolving that input alone
    would gain. The conditional expectations are estimated by regressing each
    option's incremental net benefit (against the first option) on the input(s)
    with a smooth additive model: natural cubic regression splines
    (:func:`patsy.cr`), one per input, fitted by least squares. This is the
    regression method of Strong, Oakley and Brennan (2014), *Estimating
    multiparameter partial expected value of perfect information from a
    probabilistic sensitivity analysis sample: a nonparametric regression
    approach*, Medical Decision Making 34(3): 311-326, with an additive GAM in
    place of their tensor-product smooth for groups.

Monte Carlo error: for EVPI, the standard error of the mean regret (the loss,
in each iteration, of the option best on average against the iteration's best);
for EVPPI, the spread of the estimate over draws of the regression coefficients
from their estimated sampling distribution, as Strong et al. (2014, s. 2.4) do,
combined in quadrature with the standard error of the outer mean over the
iterations (the fitted regret's spread over the square root of their number),
which the coefficient draws leave out.

Options that another option beats (or ties) in every iteration are dropped
before the regression: their conditional expectation can never be the largest,
so this is exact, and it removes the upward bias that the fitted noise of a
never-chosen option would add to the maximum (a small sample's splines ring
where an option's net benefit jumps, as a port built only when shippers commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["VoiEstimate", "evpi", "evppi"]


@dataclass(frozen=True)
class VoiEstimate:
    """An EVPI or EVPPI estimate (the net benefit's unit, here IDR) and its Monte Carlo standard error."""

    value: float
    se: float


def _net_benefits(nb: Any) -> np.ndarray:
    a = np.asarray(nb, dtype=float)
    if a.ndim != 2 or a.shape[1] < 2 or a.shape[0] < 10:
        raise ValueError(f"nb: need (iterations >= 10, options >= 2) net benefits, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"nb: {int((~np.isfinite(a)).sum())} value(s) not finite (an undefined net benefit has no value of information)")
    return a


def evpi(nb: Any) -> VoiEstimate:
    """Expected value of perfect information of a decision among options (see the module docstring).

    Parameters
    ----------
    nb : array_like, shape (n, d)
        Net benefit of each of ``d`` options in each of ``n`` Monte Carlo iterations.

    Returns
    -------
    VoiEstimate
        ``mean over iterations of (max over options - the option best on average)``, and its standard error.

    Examples
    --------
    >>> round(evpi([[0, 1], [0, -1]] * 5).value, 6)  # option 2 gains 1 half the time: E[max] = 0.5, max E = 0
    0.5
    """
    a = _net_benefits(nb)
    best = int(np.argmax(a.mean(axis=0)))
    regret = a.max(axis=1) - a[:, best]
    return VoiEstimate(float(regret.mean()), float(regret.std(ddof=1) / np.sqrt(regret.size)))


def _undominated(a: np.ndarray) -> np.ndarray:
    """The columns (options) of ``a`` that no other column beats or ties in every row (of identical columns, the first)."""
    keep: list[int] = []
    for j in range(a.shape[1]):
        beaten = any(np.all(a[:, i] >= a[:, j]) and (i < j or np.any(a[:, i] > a[:, j]))
                     for i in range(a.shape[1]) if i != j)
        if not beaten:
            keep.append(j)
    return a[:, keep]


def _basis(x: np.ndarray, df: int) -> np.ndarray:
    """An additive natural cubic spline basis of the columns of ``x`` (an intercept, then ``df - 1`` terms per input)."""
    from patsy import dmatrix

    cols: dict[str, np.ndarray] = {f"x{j}": x[:, j] for j in range(x.shape[1])}
    terms = " + ".join(f"cr(x{j}, df={df})" for j in range(x.shape[1]) if np.ptp(x[:, j]) > 0)
    if not terms:
        return np.ones((x.shape[0], 1))
    # cr() is centred (sums to zero): with the intercept the additive model is identifiable
    return np.asarray(dmatrix(terms, cols, return_type="matrix"))


def evppi(nb: Any, x: Any, *, df: int = 6, draws: int = 200, seed: int = 0) -> VoiEstimate:
    """Expected value of partial perfect information about ``x`` (Strong, Oakley and Brennan 2014).

    Parameters
    ----------
    nb : array_like, shape (n, d)
        Net benefit of each option by iteration (as for :func:`evpi`).
    x : array_like, shape (n,) or (n, k)
        The sampled input, or a group of ``k`` inputs learnt together, in the same iterations.
    df : int
        Degrees of freedom of each input's spline (6: a smooth curve; the paper's GAM chooses them).
    draws : int
        Draws of the regression coefficients for the standard error.
    seed : int
        Seed of those draws.

    Returns
    -------
    VoiEstimate
        The estimate (never below 0: information is never worth less than nothing) and its standard error.
    """
    a = _undominated(_net_benefits(nb))
    xs = np.asarray(x, dtype=float)
    xs = xs[:, None] if xs.ndim == 1 else xs
    if xs.shape[0] != a.shape[0] or not np.isfinite(xs).all():
        raise ValueError(f"x: need {a.shape[0]} finite rows (one per iteration), got shape {xs.shape}")
    if a.shape[0] <= xs.shape[1] * df + 10:
        raise ValueError(f"x: {a.shape[0]} iterations are too few for {xs.shape[1]} input(s) at df={df}")
    if a.shape[1] < 2:  # one option is best in every iteration: no information changes the choice
        return VoiEstimate(0.0, 0.0)
    basis = _basis(xs, df)
    inc = a[:, 1:] - a[:, :1]  # incremental net benefit against the first option (Strong et al.: less noise)
    coef, *_ = np.linalg.lstsq(basis, inc, rcond=None)
    fitted = basis @ coef

    def value(f: np.ndarray) -> float:
        g = np.concatenate([np.zeros((f.shape[0], 1)), f], axis=1)
        return float(g.max(axis=1).mean() - g.mean(axis=0).max())

    est = max(0.0, value(fitted))
    # the coefficients' sampling distribution (OLS, one residual variance per option's regression)
    resid = inc - fitted
    dof = max(basis.shape[0] - basis.shape[1], 1)
    xtx_inv = np.linalg.pinv(basis.T @ basis)
    chol = np.linalg.cholesky(xtx_inv + 1e-12 * np.eye(xtx_inv.shape[0]) * np.trace(xtx_inv))
    sigma = np.sqrt((resid**2).sum(axis=0) / dof)
    rng = np.random.default_rng(seed)
    sims = [value(basis @ (coef + (chol @ rng.standard_normal(coef.shape)) * sigma)) for _ in range(draws)]
    g = np.concatenate([np.zeros((fitted.shape[0], 1)), fitted], axis=1)
    regret = g.max(axis=1) - g[:, int(np.argmax(g.mean(axis=0)))]
    outer = regret.std(ddof=1) / np.sqrt(regret.size)
    return VoiEstimate(est, float(np.hypot(np.std(sims, ddof=1), outer)))
