"""Indonesian corporate income tax: tax depreciation and loss carry-forward.

Pure functions on numpy arrays with the year on the last axis and any leading
axes (scenarios, Monte Carlo iterations).

References
----------
UU 36/2008 (PPh) art. 6(2) and art. 11, as amended by UU 7/2021 (HPP):
corporate rate 22 %, fiscal losses carried forward at most 5 years.
PMK 72/2023: tax depreciation groups (non-building groups 1-4: 4, 8, 16, 20
years; straight line 25, 12.5, 6.25, 5 % or declining balance 50, 25, 12.5,
10 %, the rest written off in the last year of life; permanent buildings 20
years and non-permanent buildings 10 years, straight line only; land not
depreciated).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..case import TAX_LIFE_YEARS

__all__ = ["Depreciation", "depreciation_matrix", "depreciation", "income_tax", "tax_depreciation"]


@functools.cache
def depreciation_matrix(n_years: int, asset_class: str, method: str = "straight_line") -> np.ndarray:
    """Tax depreciation per rupiah placed in service, as a (T, T) matrix.

    ``D[s, t]`` is the depreciation in year ``t`` of one rupiah of cost placed in
    service in year ``s``; ``capex_in_service @ D`` gives depreciation by year.

    Parameters
    ----------
    n_years : int
        Number of model years T.
    asset_class : str
        A key of :data:`feasibility.case.TAX_LIFE_YEARS`.
    method : {"straight_line", "declining_balance"}
        Declining balance uses the rate ``2 / life`` (PMK 72/2023: 50, 25, 12.5,
        10 % for groups 1-4) and writes off the remaining book value in the last
        year of the useful life.

    Notes
    -----
    The annual model depreciates a full year from the year of service
    (the regulation counts from the month of acquisition). Depreciation that
    would fall after the last model year stays in the written-down value.
    """
    life = TAX_LIFE_YEARS[asset_class]
    d = np.zeros((n_years, n_years))
    if life is None:
        return d
    if method == "straight_line":
        per_year = np.full(life, 1.0 / life)
    else:
        rate = 2.0 / life
        book = 1.0
        per_year = np.empty(life)
        for k in range(life - 1):
            per_year[k] = book * rate
            book -= per_year[k]
        per_year[life - 1] = book
    for s in range(n_years):
        k = min(life, n_years - s)
        d[s, s : s + k] = per_year[:k]
    d.setflags(write=False)
    return d


def depreciation(in_service: np.ndarray, asset_class: str, method: str = "straight_line") -> np.ndarray:
    """Tax depreciation by year of costs placed in service by year.

    Parameters
    ----------
    in_service : ndarray, shape (..., T)
        Cost placed in service in each year (IDR).
    asset_class, method : str
        See :func:`depreciation_matrix`.

    Returns
    -------
    ndarray, shape (..., T)
    """
    a = np.asarray(in_service, dtype=float)
    return a @ depreciation_matrix(a.shape[-1], asset_class, method)


def income_tax(taxable_income: np.ndarray, rate: np.ndarray | float, carryforward_years: int = 5) -> dict[str, np.ndarray]:
    """Corporate income tax with fiscal losses carried forward, oldest first.

    Parameters
    ----------
    taxable_income : ndarray, shape (..., T)
        Taxable income before loss relief (IDR); negative values are losses.
    rate : float or ndarray broadcasting to (..., 1)
        Tax rate (fraction).
    carryforward_years : int
        A loss of year ``s`` may offset income of years ``s+1 .. s+n`` (UU PPh art. 6(2): 5).

    Returns
    -------
    dict of ndarray, shape (..., T)
        ``tax``, ``loss_used`` (relief taken each year) and ``loss_expired``
        (losses that lapsed unused at the end of their window).
    """
    ti = np.asarray(taxable_income, dtype=float)
    n = ti.shape[-1]
    # year-first layout: each year's slice is contiguous across scenarios
    income_t = np.ascontiguousarray(np.moveaxis(ti, -1, 0))
    pool = np.zeros(income_t.shape)  # unused loss by year of origin
    used = np.zeros(income_t.shape)
    expired = np.zeros(income_t.shape)
    base = np.zeros(income_t.shape)
    for t in range(n):
        income = income_t[t]
        remaining = np.maximum(income, 0.0)
        for s in range(max(0, t - carryforward_years), t):
            take = np.minimum(pool[s], remaining)
            pool[s] -= take
            remaining = remaining - take
            used[t] += take
        base[t] = remaining
        pool[t] = np.maximum(-income, 0.0)
        s_old = t - carryforward_years
        if s_old >= 0:
            # the loss of year s_old could be used up to year t; what is left lapses
            expired[t] = pool[s_old]
            pool[s_old] = 0.0
    base, used, expired = (np.moveaxis(a, 0, -1) for a in (base, used, expired))
    tax = base * np.asarray(rate, dtype=float)
    return {"tax": tax, "loss_used": used, "loss_expired": expired}


def _safe_share(a: Any, b: Any) -> Any:
    """``a / b`` where ``b > 0``, else 0 (a class with no construction spend gets no interest)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(np.where(np.asarray(b) > 0, np.asarray(a, dtype=float) / np.where(np.asarray(b) > 0, b, 1.0), np.nan))


@dataclass
class Depreciation:
    """Tax depreciation by year (IDR, current prices), shape L + (T,).

    ``project`` is the depreciation of the assets' cost, ``by_class`` the same by
    ``(asset_class, method)``, ``total`` adds the capitalised interest during
    construction (the company's depreciation; the project's unlevered view
    leaves the interest out).
    """

    project: np.ndarray
    by_class: dict[tuple[str, str], np.ndarray]
    total: np.ndarray


def tax_depreciation(
    in_service: dict[tuple[str, str], Any],
    built: dict[tuple[str, str], Any],
    idc: Any,
    first_operating_index: int,
    full: tuple[int, ...],
) -> Depreciation:
    """Tax depreciation of the assets in service and of the interest capitalised into them (PSAK 26).

    The interest during construction ``idc`` (shape L) is placed in service in
    the first operating year, shared among the depreciable classes in
    proportion to their construction spend ``built``, and depreciated with them.
    """
    T = full[-1]
    project = np.zeros(full)
    by_class: dict[tuple[str, str], np.ndarray] = {}
    for (asset_class, method), placed in in_service.items():
        by_class[(asset_class, method)] = depreciation(np.broadcast_to(placed, full), asset_class, method)
        project = project + by_class[(asset_class, method)]
    total = project.copy()
    built_total = sum(built.values(), 0.0)
    if built and first_operating_index < T:
        for (asset_class, method), spent in built.items():
            placed_idc = np.zeros(full)
            placed_idc[..., first_operating_index] = idc * _safe_share(spent, built_total)
            total = total + depreciation(placed_idc, asset_class, method)
    return Depreciation(project, by_class, total)
