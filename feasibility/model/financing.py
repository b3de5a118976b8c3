"""Loans: draws, interest, grace years and annuity or straight-line repayment; the cost of capital.

A loan is drawn as a share of each construction year's capex. Interest is the
rate times the balance at the start of the year (the balance drawn before), so
spend of the last construction year bears no interest that year. After
``grace_years`` operating years of interest only, the loan is repaid over
``tenor_years``: a level annuity (``numpy_financial.pmt``; interest and
principal as ``ipmt``/``ppmt``) or equal principal instalments. The last
instalment clears the balance exactly.

Interest paid before the first operating year is interest during construction
(IDC); PSAK 26 (IAS 23) capitalises it into the cost of the assets it financed
(:mod:`.tax` depreciates it); it is a financing cost, so the project's
unlevered view leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import metrics as fm
from .inputs import Inputs, Loan

__all__ = ["Debt", "debt", "fisher_real", "loan_schedule", "rates"]


def loan_schedule(
    draws: np.ndarray, rate: Any, first_repayment: int, tenor_years: int, repayment: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interest, principal and opening balance by year of one loan.

    Parameters
    ----------
    draws : ndarray, shape L + (T,)
        Amounts drawn by year (IDR); the amount repaid is their sum.
    rate : float or ndarray, shape L
        Interest rate per year (fraction).
    first_repayment : int
        Index of the year of the first instalment (after the grace years).
    tenor_years : int
        Number of instalments.
    repayment : {"annuity", "straight_line"}

    Returns
    -------
    interest, principal, opening : ndarray, shape L + (T,)
        ``interest_t = rate x opening_t``; ``opening_{t+1} = opening_t + draws_t - principal_t``.
        With the whole amount drawn before ``first_repayment`` and ``rate > 0``,
        an annuity's interest and principal equal ``numpy_financial.ipmt`` and
        ``ppmt`` (sign reversed) for periods 1..n.
    """
    lead = np.broadcast_shapes(draws.shape[:-1], np.shape(rate))
    T = draws.shape[-1]
    rate_l = np.broadcast_to(rate, lead)
    amount = draws.sum(axis=-1)
    n = tenor_years
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity = np.where(rate_l > 0, amount * rate_l / (1.0 - (1.0 + rate_l) ** -n), amount / n)
    interest, principal, opening = (np.zeros(lead + (T,)) for _ in range(3))
    bal = np.zeros(lead)
    for t in range(T):
        opening[..., t] = bal
        it = rate_l * bal
        if t == first_repayment + n - 1:
            pr = bal  # the last instalment clears the balance exactly (no rounding residue)
        elif first_repayment <= t < first_repayment + n:
            pr = annuity - it if repayment == "annuity" else amount / n
            pr = np.minimum(pr, bal)
        else:
            pr = np.zeros(lead)
        interest[..., t] = it
        principal[..., t] = pr
        bal = bal + draws[..., t] - pr
    return interest, principal, opening


@dataclass
class Debt:
    """All loans together (IDR, current prices), shape L + (T,) unless said.

    ``rate_weighted`` and ``share_total`` (shape L or float) give the average
    cost of debt (``rate_weighted / share_total``) and the debt share of the
    WACC.
    """

    draws: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    opening: np.ndarray
    outstanding: np.ndarray
    service: np.ndarray
    interest_capitalised: np.ndarray
    interest_expensed: np.ndarray
    rate_weighted: Any
    share_total: Any


def _per_case(x: Any, lead: tuple[int, ...]) -> Any:
    return np.broadcast_to(x, lead + (1,))[..., 0]


def debt(inp: Inputs, construction_capex: np.ndarray) -> Debt:
    """Every loan of the case drawn on the construction capex, summed."""
    full, lead = inp.full, inp.lead
    fo = inp.first_operating_year - inp.start_year
    draws_total, interest, principal, opening = (np.zeros(full) for _ in range(4))
    rate_weighted: Any = 0.0
    share_total: Any = 0.0
    loan: Loan
    for loan in inp.loans:
        draws = construction_capex * loan.share
        it, pr, op = loan_schedule(draws, _per_case(loan.rate, lead), fo + loan.grace_years, loan.tenor_years, loan.repayment)
        interest = interest + it
        principal = principal + pr
        opening = opening + op
        draws_total = draws_total + draws
        rate_weighted = rate_weighted + loan.share * loan.rate
        share_total = share_total + loan.share
    outstanding = np.cumsum(draws_total - principal, axis=-1)
    capitalised = np.where(inp.years < inp.first_operating_year, interest, 0.0)
    return Debt(
        draws=draws_total, interest=interest, principal=principal, opening=opening, outstanding=outstanding,
        service=interest + principal, interest_capitalised=capitalised, interest_expensed=interest - capitalised,
        rate_weighted=rate_weighted, share_total=share_total,
    )


def fisher_real(nominal: Any, inflation: Any) -> Any:
    """A real rate from a nominal one (Fisher): ``(1 + nominal) / (1 + inflation) - 1``."""
    return (1.0 + nominal) / (1.0 + inflation) - 1.0


def _safe_div(a: Any, b: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(b) > 0, np.asarray(a, dtype=float) / np.where(np.asarray(b) > 0, b, 1.0), np.nan)


@dataclass
class Rates:
    """Discount rates of the case in the price basis of the results, shape L.

    ``wacc`` discounts the project (ADB 2005: after-tax WACC, debt share the
    loans' share of construction capex, cost of debt their weighted rate),
    ``cost_of_equity`` the equity flows, ``region`` the region's injections and
    dividends (its opportunity cost), ``loan`` is the weighted loan rate
    (nominal, for the LLCR).
    """

    wacc: np.ndarray
    cost_of_equity: np.ndarray
    region: np.ndarray
    loan: np.ndarray


def rates(inp: Inputs, d: Debt) -> Rates:
    """The WACC, cost of equity and the region's rate; real (Fisher) when the results are real."""
    lead = inp.lead

    def sq(x: Any) -> Any:
        """A per-case number (float or L + (1,)) as an array of shape L."""
        return np.broadcast_to(x, lead + (1,))[..., 0] if np.ndim(x) else np.broadcast_to(x, lead)

    loan_rate = sq(_safe_div(d.rate_weighted, d.share_total))
    infl = sq(inp.inflation)
    ke_nom = sq(inp.cost_of_equity)
    wacc_nom = fm.wacc(ke_nom, np.nan_to_num(loan_rate), sq(d.share_total), sq(inp.tax_rate))
    region_nom = sq(inp.region_rate)
    if inp.real:
        return Rates(fisher_real(wacc_nom, infl), fisher_real(ke_nom, infl), fisher_real(region_nom, infl), loan_rate)
    return Rates(wacc_nom, ke_nom, region_nom, loan_rate)
