"""The BUMD's cash waterfall, a year at a time: tax, profit allocation, distributions and the funding gap.

Each year, for every case of the leading shape at once:

1. interest on the standby facility's opening balance (an operating cost for
   tax; PSAK 26 does not capitalise it: the facility finances shortfalls, not
   construction), and interest earned on the opening cash at the deposit rate
   (idle cash in a bank deposit; taxable income);
2. taxable income = EBITDA - tax depreciation - loan interest - standby
   interest + deposit interest; income tax with losses carried forward
   (:class:`.tax.LossPool`);
3. net profit allocated (PP 54/2017, :class:`.allocation.Allocator`) on the
   paid-in capital: planned injections to date and the top-ups of earlier years;
4. cash before distributions = cash at the start + injections + loans drawn +
   grant + EBITDA - change in working capital - tax - capex - loan debt service
   - standby interest;
5. the standby facility is repaid from what is left (lenders before owners);
6. dividends and tantiem declared ``lag`` years earlier are paid from what is
   left, never more than the cash there is; what cannot be paid waits (a
   dividend is never paid out of a top-up); what falls due after the last
   model year is not paid inside it (it stays in the company's cash, part of
   the shareholders' net assets at the end);
7. a shortfall (cash below zero) is financed by the sources the case names,
   in its order: a standby facility up to its limit, then shareholders'
   top-ups (the region's share from the APBD). What no source covers stays as
   negative cash and is reported as an unfunded gap: the model never carries
   negative cash silently.

All money in nominal rupiah (current prices).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .allocation import Allocator
from .inputs import FundingSources
from .tax import LossPool

__all__ = ["Waterfall", "waterfall"]


@dataclass
class Waterfall:
    """The result of :func:`waterfall`: lines by year, shape L + (T,), IDR current prices."""

    taxable: np.ndarray
    tax: np.ndarray
    loss_used: np.ndarray
    net_profit: np.ndarray
    reserve_addition: np.ndarray
    reserve: np.ndarray
    tantiem_declared: np.ndarray
    dividend_declared: np.ndarray
    dividends_paid: np.ndarray
    tantiem_paid: np.ndarray
    distributions_owed: np.ndarray
    standby_draw: np.ndarray
    standby_repayment: np.ndarray
    standby_interest: np.ndarray
    standby_balance: np.ndarray
    interest_income: np.ndarray
    tantiem_owed: np.ndarray
    top_up: np.ndarray
    net_cash: np.ndarray
    cumulative_cash: np.ndarray
    unfunded: np.ndarray
    available: np.ndarray

    @property
    def cash_before_gap_funding(self) -> np.ndarray:
        """Cumulative cash as it would stand without the gap's financing (its interest included): the plan's own position."""
        return self.cumulative_cash - np.cumsum(self.top_up, axis=-1) - self.standby_balance


def _paid_in(t: int, lag: int) -> list[int]:
    """The year whose declarations fall due in year ``t``: ``t - lag`` (those of the last ``lag`` years fall due after the horizon)."""
    return [t - lag] if t - lag >= 0 else []


def _per_case(x: Any, lead: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(x, lead + (1,))[..., 0] if np.ndim(x) else np.broadcast_to(np.asarray(x, dtype=float), lead)


def waterfall(
    *,
    ebitda: np.ndarray,
    depreciation: np.ndarray,
    loan_interest: np.ndarray,
    capex: np.ndarray,
    d_nwc: np.ndarray,
    grant: np.ndarray,
    draws: np.ndarray,
    debt_service: np.ndarray,
    injection: np.ndarray,
    tax_rate: Any,
    carryforward_years: int,
    allocation: tuple[Any, Any, Any, Any],
    dividend_lag: int,
    sources: FundingSources,
    deposit_rate: Any = 0.0,
) -> Waterfall:
    """Run the cash waterfall over the years (see the module docstring).

    Parameters
    ----------
    ebitda, depreciation, loan_interest, capex, d_nwc, grant, draws, debt_service, injection : ndarray, shape L + (T,)
        The year's flows (IDR, current prices); ``loan_interest`` is the expensed
        interest of the planned loans, ``injection`` the planned paid-in equity.
    tax_rate : float or ndarray
    carryforward_years : int
    allocation : tuple
        Legal reserve share, reserve cap (share of capital), tantiem share, dividend payout.
    dividend_lag : int
        Years between the profit and the payment of its dividend (0 or 1).
    sources : FundingSources
    deposit_rate : float or ndarray
        Nominal interest earned on the opening cash balance (when positive).
    """
    full = np.broadcast_shapes(ebitda.shape, capex.shape, injection.shape)
    lead, T = full[:-1], full[-1]
    yf = {k: np.moveaxis(np.broadcast_to(v, full), -1, 0) for k, v in dict(
        ebitda=ebitda, dep=depreciation, interest=loan_interest, capex=capex, d_nwc=d_nwc, grant=grant, draws=draws,
        service=debt_service, injection=injection).items()}
    out = {k: np.zeros((T,) + lead) for k in Waterfall.__dataclass_fields__ if k != "cash_before_gap_funding"}
    rate = _per_case(tax_rate, lead)
    pool = LossPool(T, lead, carryforward_years)
    alloc = Allocator(lead, *(_per_case(a, lead) for a in allocation))
    limit, s_rate = _per_case(sources.standby_limit, lead), _per_case(sources.standby_rate, lead)
    d_rate = _per_case(deposit_rate, lead)
    cash, standby, owed_div, owed_tant = (np.zeros(lead) for _ in range(4))
    capital, topped = np.zeros(lead), np.zeros(lead)
    for t in range(T):
        s_int = s_rate * standby
        d_int = d_rate * np.maximum(cash, 0.0)
        taxable = yf["ebitda"][t] - yf["dep"][t] - yf["interest"][t] - s_int + d_int
        base, used, _lapsed = pool.step(t, taxable)
        tax = base * rate
        profit = taxable - tax
        capital = capital + yf["injection"][t]
        add, tant, div = alloc.step(profit, capital + topped)
        out["tantiem_declared"][t], out["dividend_declared"][t] = tant, div
        due_div, due_tant = owed_div, owed_tant
        for y in _paid_in(t, dividend_lag):  # declarations falling due this year
            due_div, due_tant = due_div + out["dividend_declared"][y], due_tant + out["tantiem_declared"][y]
        avail = (cash + yf["injection"][t] + yf["draws"][t] + yf["grant"][t] + yf["ebitda"][t] - yf["d_nwc"][t] - tax
                 - yf["capex"][t] - yf["service"][t] - s_int + d_int)
        out["available"][t] = avail  # what the year leaves before lenders' standby and owners' distributions
        repay = np.minimum(np.maximum(avail, 0.0), standby)
        standby = standby - repay
        avail = avail - repay
        due = due_div + due_tant
        # dividends and tantiem share what can be paid in proportion to what is due (all of it: share 1 exactly)
        share = np.divide(np.minimum(due, np.maximum(avail, 0.0)), due, out=np.zeros(lead), where=due > 0)
        paid_div, paid_tant = due_div * share, due_tant * share
        owed_div, owed_tant = due_div - paid_div, due_tant - paid_tant
        paid = paid_div + paid_tant
        avail = avail - paid
        gap = np.maximum(-avail, 0.0)
        draw, top = np.zeros(lead), np.zeros(lead)
        for src in sources.order:
            if src == "standby":
                draw = np.minimum(gap, np.maximum(limit - standby, 0.0))
                standby = standby + draw
                gap = gap - draw
            elif src == "top_up":
                top = gap
                gap = np.zeros(lead)
        topped = topped + top
        cash = avail + draw + top
        for k, v in dict(taxable=taxable, tax=tax, loss_used=used, net_profit=profit, reserve_addition=add, reserve=alloc.reserve,
                         distributions_owed=owed_div + owed_tant, standby_draw=draw, standby_repayment=repay, standby_interest=s_int,
                         standby_balance=standby, interest_income=d_int, tantiem_owed=owed_tant, top_up=top, cumulative_cash=cash,
                         unfunded=gap).items():
            out[k][t] = v
        out["dividends_paid"][t], out["tantiem_paid"][t] = paid_div, paid_tant
    res = {k: np.moveaxis(v, 0, -1) for k, v in out.items()}
    res["net_cash"] = np.diff(res["cumulative_cash"], axis=-1, prepend=0.0)
    return Waterfall(**res)
