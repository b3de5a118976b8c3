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

__all__ = ["Depreciation", "depreciation_matrix", "depreciation", "idc_by_asset", "income_tax", "tax_depreciation"]


@functools.cache
def depreciation_matrix(n_years: int, asset_class: str, method: str = "straight_line", renewals: tuple[int, ...] = ()) -> np.ndarray:
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
    renewals : tuple of int
        Year indices at which the asset is replaced: a cost placed in service
        before a renewal is withdrawn in that year and its remaining tax book
        value is deducted then (UU PPh art. 11(8)); nothing of it after.

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
        withdrawn = next((r for r in sorted(renewals) if r > s), None)
        if withdrawn is not None:
            # withdrawn in the renewal year: what is left of its book value is deducted then
            d[s, withdrawn] = 1.0 - d[s, s:withdrawn].sum()
            d[s, withdrawn + 1 :] = 0.0
    d.setflags(write=False)
    return d


def depreciation(in_service: np.ndarray, asset_class: str, method: str = "straight_line", renewals: tuple[int, ...] = ()) -> np.ndarray:
    """Tax depreciation by year of costs placed in service by year.

    Parameters
    ----------
    in_service : ndarray, shape (..., T)
        Cost placed in service in each year (IDR).
    asset_class, method, renewals
        See :func:`depreciation_matrix`.

    Returns
    -------
    ndarray, shape (..., T)
    """
    a = np.asarray(in_service, dtype=float)
    return a @ depreciation_matrix(a.shape[-1], asset_class, method, tuple(renewals))


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
    pool = LossPool(n, income_t.shape[1:], carryforward_years)
    base, used, expired = (np.zeros(income_t.shape) for _ in range(3))
    for t in range(n):
        base[t], used[t], expired[t] = pool.step(t, income_t[t])
    base, used, expired = (np.moveaxis(a, 0, -1) for a in (base, used, expired))
    tax = base * np.asarray(rate, dtype=float)
    return {"tax": tax, "loss_used": used, "loss_expired": expired}


class LossPool:
    """Fiscal losses carried forward, oldest first, a year at a time (UU PPh art. 6(2)).

    A loss of year ``s`` may offset income of years ``s+1 .. s+n``; what is left
    of it after year ``s+n`` lapses. :func:`income_tax` runs it over all years;
    the cash waterfall (:mod:`.waterfall`) runs it year by year.
    """

    def __init__(self, n_years: int, lead: tuple[int, ...], carryforward_years: int):
        self.n = carryforward_years
        self.pool = np.zeros((n_years,) + tuple(lead))  # unused loss by year of origin

    def step(self, t: int, income: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Year ``t``'s taxable base after loss relief, the relief used, and the losses that lapse."""
        pool = self.pool
        remaining = np.maximum(income, 0.0)
        used = np.zeros_like(remaining)
        first = max(0, t - self.n)
        # nothing to relieve (no income, or no loss left): the loop would take 0 everywhere
        skip = t == first or not remaining.any() or not pool[first:t].any()
        for s in range(first, t if not skip else first):
            take = np.minimum(pool[s], remaining)
            pool[s] -= take
            remaining = remaining - take
            used += take
        pool[t] = np.maximum(-income, 0.0)
        expired = np.zeros_like(remaining)
        s_old = t - self.n
        if s_old >= 0:
            # the loss of year s_old could be used up to year t; what is left lapses
            expired = pool[s_old].copy()
            pool[s_old] = 0.0
        return remaining, used, expired


def idc_by_asset(interest_capitalised: np.ndarray, construction_spend: dict[Any, Any]) -> dict[Any, np.ndarray]:
    """Interest during construction attributed to the spend it financed, year by year (PSAK 26 / IAS 23).

    A year's interest is paid on the balance drawn before that year, which
    financed the construction spend made before that year: it is shared among
    the assets in proportion to their spend up to the end of the year before.
    Spend of the last construction year therefore bears none of that year's
    interest. Land gets its share like any asset (capitalised into land, never
    depreciated; IFRIC agenda decision, September 2018).

    Parameters
    ----------
    interest_capitalised : ndarray, shape L + (T,)
        Interest paid in the construction years (zero after).
    construction_spend : dict
        Spend by asset group in the construction years, each shape L + (T,) (or broadcasting to it).

    Returns
    -------
    dict
        The capitalised interest of each asset group, shape L.
    """
    before = {k: np.cumsum(v, axis=-1) - v for k, v in construction_spend.items()}
    total = sum(before.values(), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_of = {k: np.where(total > 0, b / np.where(total > 0, total, 1.0), 0.0) for k, b in before.items()}
    return {k: np.sum(interest_capitalised * share, axis=-1) for k, share in share_of.items()}


@dataclass
class Depreciation:
    """Tax depreciation by year (IDR, current prices), shape L + (T,).

    ``project`` is the depreciation of the assets' cost, ``by_asset`` the same by
    asset group, ``total`` adds the interest capitalised into depreciable assets
    (the company's depreciation; the project's unlevered view leaves the interest
    out). ``idc`` is the capitalised interest by asset group (shape L), land's
    included: it is part of the land's cost and never deducted.
    """

    project: np.ndarray
    by_asset: dict[Any, np.ndarray]
    total: np.ndarray
    idc: dict[Any, np.ndarray]


def tax_depreciation(
    in_service: dict[Any, Any],
    construction_spend: dict[Any, Any],
    interest_capitalised: np.ndarray,
    first_operating_index: int,
    full: tuple[int, ...],
) -> Depreciation:
    """Tax depreciation of the assets in service and of the interest capitalised into them (PSAK 26).

    Each asset group (:class:`feasibility.model.capex.AssetKey`: line, tax class,
    method, renewal years) is depreciated by :func:`depreciation`; its share of
    the interest during construction (:func:`idc_by_asset`) enters service with
    its construction cost in the first operating year and is depreciated (and
    retired) with it. Land's share is never deducted (UU PPh art. 11(1)).
    """
    T = full[-1]
    project = np.zeros(full)
    by_asset: dict[Any, np.ndarray] = {}
    for k, placed in in_service.items():
        by_asset[k] = depreciation(np.broadcast_to(placed, full), k.asset_class, k.method, k.renewals)
        project = project + by_asset[k]
    total = project.copy()
    idc = idc_by_asset(interest_capitalised, construction_spend)
    if first_operating_index < T:
        for k, amount in idc.items():
            if k.asset_class == "land":
                continue
            placed_idc = np.zeros(full)
            placed_idc[..., first_operating_index] = amount
            total = total + depreciation(placed_idc, k.asset_class, k.method, k.renewals)
    return Depreciation(project, by_asset, total, idc)
