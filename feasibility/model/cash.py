"""Working capital and the cash flows the metrics are computed on.

* project free cash flow (after tax, before financing; ADB 2005, ch. 7):
  ``EBITDA - tax without interest - capex - change in working capital +
  residual value + grant``;
* cash flow available for debt service (CFADS), operating years only:
  ``EBITDA - tax - change in working capital - capex``, where capex excludes
  the expansion phases: an expansion is a decision financed by the BUMD's
  cash or its funding-gap sources, not charged against the cover of the
  loans that built the first phase (Yescombe 2014, ch. 12: CFADS is after
  maintenance capex, before expansion capex financed separately);
* free cash flow to equity (FCFE): the project's flow after tax with interest,
  plus loans and standby drawn and interest earned on idle cash, less debt
  service, standby repayment and interest, less the tantiem paid to the
  directors and staff (it leaves the company before the owners, PP 54/2017),
  less what is still owed to lenders and staff after the last year;
* the shareholders' flows: what they pay in (planned injections and
  top-ups), the dividends they receive, and in the last year the company's
  net assets (cash + residual value - loans and standby outstanding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CashFlows", "cash_flows", "project_fcf", "working_capital"]


def working_capital(revenue: np.ndarray, opex: np.ndarray, receivable_days: Any, payable_days: Any) -> tuple[np.ndarray, np.ndarray]:
    """Net working capital (receivables less payables) and its change by year (IDR).

    ``NWC = revenue x receivable days / 365 - opex x payable days / 365``; the
    change is against the year before (the first year against zero).
    """
    nwc = revenue * receivable_days / 365.0 - opex * payable_days / 365.0
    return nwc, np.diff(nwc, axis=-1, prepend=0.0)


def project_fcf(ebitda: Any, tax_unlevered: Any, capex: Any, d_nwc: Any, residual: Any, grant: Any) -> np.ndarray:
    """The project's free cash flow, after tax without interest, before financing (ADB 2005, ch. 7), IDR."""
    return ebitda - tax_unlevered - capex - d_nwc + residual + grant


@dataclass
class CashFlows:
    """See the module docstring (IDR, current prices, shape L + (T,))."""

    project_fcf: np.ndarray
    cfads: np.ndarray
    equity_cf: np.ndarray
    shareholder_cf: np.ndarray


def cash_flows(
    *,
    operating: np.ndarray,
    ebitda: np.ndarray,
    tax: np.ndarray,
    tax_unlevered: np.ndarray,
    capex: np.ndarray,
    expansion_capex: np.ndarray,
    d_nwc: np.ndarray,
    residual: np.ndarray,
    grant: np.ndarray,
    draws: np.ndarray,
    debt_service: np.ndarray,
    debt_outstanding: np.ndarray,
    standby_net: np.ndarray,
    standby_balance: np.ndarray,
    paid_in: np.ndarray,
    dividends_paid: np.ndarray,
    cumulative_cash: np.ndarray,
    tantiem_paid: Any = 0.0,
    interest_income: Any = 0.0,
    staff_owed_end: Any = 0.0,
) -> CashFlows:
    """The project, debt-service, equity and shareholder cash flows (``operating`` marks the operating years).

    ``standby_net`` is the standby facility's draws less repayments and interest;
    ``paid_in`` the shareholders' planned injections and top-ups; ``staff_owed_end``
    the tantiem declared but not paid by the end (shape L).
    """
    fcf = project_fcf(ebitda, tax_unlevered, capex, d_nwc, residual, grant)
    cfads = np.where(operating, ebitda - tax - d_nwc - (capex - expansion_capex), 0.0)
    equity_cf = ebitda - tax - capex - d_nwc + draws - debt_service + standby_net + residual + grant + interest_income - tantiem_paid
    equity_cf[..., -1] -= debt_outstanding[..., -1] + standby_balance[..., -1] + staff_owed_end
    shareholder_cf = dividends_paid - paid_in
    shareholder_cf[..., -1] += (cumulative_cash[..., -1] + residual[..., -1] - debt_outstanding[..., -1] - standby_balance[..., -1]
                                - staff_owed_end)
    return CashFlows(fcf, cfads, equity_cf, shareholder_cf)
