"""The region's money where no BUMD runs the plan: a public service unit's year, and stakes in other companies.

* :func:`public_unit`: a line run by a public service unit of the city
  (UPTD/BLUD, Permendagri 79/2018) instead of a company. It pays no corporate
  income tax (a unit of the regional government is not a tax subject, UU
  36/2008 art. 2(3)(b)) and distributes no dividends (no PP 54/2017
  allocation). The APBD pays its capital spending (belanja modal) and any
  year's operating deficit; a year's operating surplus (its levies above its
  running costs, after the change in working capital) is PAD. A BLUD may use
  its revenue for its own spending, so the APBD's position is this net
  figure, year by year. With no line at all (``vehicle = "none"``) every
  flow is nil: the status quo.
* :func:`stakes`: the region's capital in companies it does not run (a joint
  BUMD, a stake in a neighbour's port company): its payments, the dividends
  (a nominal yield on the capital paid in before the year, from the first
  dividend year) and the stake's value at the end of the model years (a
  multiple of that capital).

All money in nominal rupiah (current prices), shape ``L + (T,)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .inputs import Inputs
from .waterfall import Waterfall

__all__ = ["public_unit", "stakes"]


def public_unit(ebitda: np.ndarray, depreciation: np.ndarray, d_nwc: np.ndarray) -> Waterfall:
    """A public service unit's year as a :class:`~.waterfall.Waterfall` (see the module docstring).

    Parameters
    ----------
    ebitda, depreciation, d_nwc : ndarray, shape L + (T,)
        Operating surplus before depreciation, the assets' depreciation (for its
        accounts only) and the change in working capital (IDR, current prices).

    Returns
    -------
    Waterfall
        ``dividends_paid``: the operating surplus paid into the regional
        treasury (PAD); ``top_up``: the operating deficit the APBD covers; no
        tax, reserve, tantiem, loans or standby; the unit keeps no cash.
        Its capital spending is paid by the APBD directly (the caller counts
        it as the region's injection).
    """
    full = np.broadcast_shapes(ebitda.shape, depreciation.shape, d_nwc.shape)
    operating = np.broadcast_to(ebitda - d_nwc, full)
    zero = np.zeros(full)
    profit = np.broadcast_to(ebitda - depreciation, full)
    return Waterfall(
        taxable=profit.copy(), tax=zero.copy(), loss_used=zero.copy(), net_profit=profit.copy(), reserve_addition=zero.copy(),
        reserve=zero.copy(), tantiem_declared=zero.copy(), dividend_declared=np.maximum(operating, 0.0),
        dividends_paid=np.maximum(operating, 0.0), tantiem_paid=zero.copy(), distributions_owed=zero.copy(),
        standby_draw=zero.copy(), standby_repayment=zero.copy(), standby_interest=zero.copy(), standby_balance=zero.copy(),
        interest_income=zero.copy(), tantiem_owed=zero.copy(), top_up=np.maximum(-operating, 0.0), net_cash=zero.copy(), cumulative_cash=zero.copy(), unfunded=zero.copy(),
        available=np.array(operating),
    )


def stakes(inp: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The region's payments for its stakes, the dividends they bring and their value at the end, by year.

    ``dividend_t = yield x capital paid in before year t`` for ``t >=`` the first
    dividend year; ``value = multiple x capital paid in``, in the last year only.

    Returns
    -------
    paid, dividends, terminal : ndarray, shape L + (T,)
        IDR, current prices.
    """
    full = inp.full
    paid, dividends, terminal = np.zeros(full), np.zeros(full), np.zeros(full)
    for s in inp.stakes:
        own = np.zeros(full)
        for j, yr in enumerate(s.years):
            own[..., yr - inp.start_year] += s.amounts[..., j]
        before = np.cumsum(own, axis=-1) - own
        dividends = dividends + np.where(inp.years >= s.first_dividend_year, s.dividend_yield * before, 0.0)
        terminal[..., -1] += _last(s.terminal_multiple) * own.sum(axis=-1)
        paid = paid + own
    return paid, dividends, terminal


def _last(x: Any) -> Any:
    """A number of shape L + (1,) as shape L (for one year's slot); floats pass."""
    return np.asarray(x)[..., 0] if np.ndim(x) else x
