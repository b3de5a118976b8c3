"""The BUMD's profit allocation and the region's view of its capital, as pure functions.

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

__all__ = ["allocate_profit", "payback_year"]


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
    retained = np.zeros(lead)
    reserve = np.zeros(lead)
    for t in range(shape[-1]):
        p = profit_t[t]
        base = np.maximum(0.0, np.minimum(p, retained + p))
        add = np.minimum(rs * base, np.maximum(0.0, cap * capital_t[t] - reserve))
        tant = ts * (base - add)
        div = po * (base - add - tant)
        reserve = reserve + add
        retained = retained + p - add - tant - div
        out["reserve_addition"][t] = add
        out["reserve"][t] = reserve
        out["tantiem"][t] = tant
        out["dividend"][t] = div
        out["retained"][t] = retained
    return {k: np.moveaxis(v, 0, -1) for k, v in out.items()}


def payback_year(years: Any, outflows: Any, inflows: Any, rate: Any = None) -> np.ndarray:
    """First year by whose end the inflows have repaid the outflows (cumulatively), else NaN.

    Parameters
    ----------
    years : array_like of int, shape (T,)
    outflows, inflows : array_like, shape (..., T)
        E.g. the region's capital injection and the dividends it receives (IDR).
    rate : array_like, optional
        Discount rate (shape (...) or scalar); when given, both are discounted
        to the first year (the discounted payback year).

    Returns
    -------
    ndarray of float, shape (...)
        The year, or NaN when the outflows are never repaid within the horizon
        (or nothing was paid out).
    """
    y = np.asarray(years)
    out_ = np.asarray(outflows, dtype=float)
    in_ = np.asarray(inflows, dtype=float)
    if rate is not None:
        r = np.asarray(rate, dtype=float)
        r = r[..., None] if r.ndim else r
        disc = (1.0 + r) ** -np.arange(y.size)
        out_, in_ = out_ * disc, in_ * disc
    net = np.cumsum(in_ - out_, axis=-1)
    paid = np.cumsum(out_, axis=-1)
    # repaid: something was paid out, and the cumulative net is back to >= 0 and stays there
    ok = (paid > 0) & (net >= -1e-6 * np.maximum(paid, 1.0))
    stays = np.flip(np.logical_and.accumulate(np.flip(ok, axis=-1), axis=-1), axis=-1)
    any_ok = stays.any(axis=-1)
    first = np.argmax(stays, axis=-1)
    return np.where(any_ok, y[first].astype(float), np.nan)
