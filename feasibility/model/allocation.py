"""The BUMD's equity: the region's capital injections and the PP 54/2017 allocation of profit.

Profit allocation of a regional-owned enterprise (PP 54/2017 art. 88-90; UU
40/2007 art. 70-71 for the legal reserve): of each year's distributable
profit, ``reserve_share`` goes to the legal reserve until the reserve equals
``reserve_cap_share`` of paid-in capital; ``tantiem_share`` (at most 5 %) of
what is left is tantiem and staff bonus; the dividend is ``payout`` of the
rest. Profit is distributable only once past losses are covered (retained
earnings positive), so loss years and the years that make them good pay
nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Allocator", "allocate_profit", "injections", "lagged"]


def allocate_profit(
    net_profit: Any,
    paid_in_capital: Any,
    reserve_share: Any,
    reserve_cap_share: Any,
    tantiem_share: Any,
    payout: Any,
) -> dict[str, np.ndarray]:
    """Legal reserve, tantiem and dividend by year, vectorised over leading axes.

    Parameters
    ----------
    net_profit : array_like, shape (..., T)
        Net profit after tax by year (IDR).
    paid_in_capital : array_like, shape (..., T)
        Paid-in capital at each year's end (IDR; the reserve cap's base).
    reserve_share, reserve_cap_share, tantiem_share, payout : array_like
        Fractions; scalars or shape (...) or (..., 1).

    Returns
    -------
    dict of ndarray, shape (..., T)
        ``reserve_addition``, ``reserve`` (balance), ``tantiem``, ``dividend``
        (declared on the year's profit, before any payment lag) and
        ``retained`` (retained earnings at year end).

    Notes
    -----
    Each year ``base = max(0, min(p, R + p))`` with ``R`` the retained
    earnings brought forward: past losses are made good first.
    ``reserve = min(reserve_share * base, max(0, cap * capital - reserve_so_far))``;
    ``tantiem = tantiem_share * (base - reserve)``;
    ``dividend = payout * (base - reserve - tantiem)``.
    """
    profit = np.asarray(net_profit, dtype=float)
    capital = np.asarray(paid_in_capital, dtype=float)
    shape = np.broadcast_shapes(profit.shape, capital.shape)
    lead = shape[:-1]
    # year-first layout: each year's slice is contiguous across scenarios
    profit_t = np.moveaxis(np.broadcast_to(profit, shape), -1, 0)
    capital_t = np.moveaxis(np.broadcast_to(capital, shape), -1, 0)

    def per_case(v: Any) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        if v.ndim and v.shape[-1] == 1 and v.ndim == len(lead) + 1:
            v = v[..., 0]
        return np.broadcast_to(v, lead)

    rs, cap, ts, po = (per_case(v) for v in (reserve_share, reserve_cap_share, tantiem_share, payout))
    out = {k: np.zeros((shape[-1],) + lead) for k in ("reserve_addition", "reserve", "tantiem", "dividend", "retained")}
    alloc = Allocator(lead, rs, cap, ts, po)
    for t in range(shape[-1]):
        add, tant, div = alloc.step(profit_t[t], capital_t[t])
        out["reserve_addition"][t] = add
        out["reserve"][t] = alloc.reserve
        out["tantiem"][t] = tant
        out["dividend"][t] = div
        out["retained"][t] = alloc.retained
    return {k: np.moveaxis(v, 0, -1) for k, v in out.items()}


class Allocator:
    """PP 54/2017 profit allocation a year at a time (see :func:`allocate_profit`).

    Keeps the legal reserve and the retained earnings between years; the cash
    waterfall (:mod:`.waterfall`) steps it year by year.
    """

    def __init__(self, lead: tuple[int, ...], reserve_share: Any, reserve_cap_share: Any, tantiem_share: Any, payout: Any):
        self.rs, self.cap, self.ts, self.po = reserve_share, reserve_cap_share, tantiem_share, payout
        self.retained = np.zeros(lead)
        self.reserve = np.zeros(lead)

    def step(self, profit: np.ndarray, capital: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The reserve addition, tantiem and dividend declared on a year's net profit."""
        base = np.maximum(0.0, np.minimum(profit, self.retained + profit))
        add = np.minimum(self.rs * base, np.maximum(0.0, self.cap * capital - self.reserve))
        tant = self.ts * (base - add)
        div = self.po * (base - add - tant)
        self.reserve = self.reserve + add
        self.retained = self.retained + profit - add - tant - div
        return add, tant, div


def lagged(x: np.ndarray, lag: int) -> np.ndarray:
    """Shift payments by ``lag`` years; what falls due after the horizon is not paid inside it."""
    if lag == 0:
        return x
    out = np.zeros_like(x)
    out[..., lag:] = x[..., :-lag]
    return out


def injections(inp: Any) -> tuple[np.ndarray, np.ndarray]:
    """The region's planned capital injections by year, and the BUMD's whole paid-in equity they bring
    (the region holds ``ownership`` of it; partners pay the rest pro rata), IDR nominal, shape L + (T,)."""
    region_inj = np.zeros(inp.full)
    amounts = inp.injection_amounts
    for j, yr in enumerate(inp.injection_years):
        region_inj[..., yr - inp.start_year] += amounts[..., j]
    return region_inj, region_inj / inp.ownership
