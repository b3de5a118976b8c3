"""Working capital and the cash flows the metrics are computed on.

* project free cash flow (after tax, before financing; ADB 2005, ch. 7):
  ``EBITDA - tax without interest - capex - change in working capital +
  residual value + grant``;
* cash flow available for debt service, operating years only (construction is
  funded by equity and loans): ``EBITDA - tax - change in working capital - capex``;
* free cash flow to equity: ``EBITDA - tax - capex - change in working capital +
  loans drawn - debt service + residual value + grant``, less the debt still
  outstanding in the last year;
* the BUMD's net cash flow and cumulative cash (EU CBA Guide 2014: financial
  sustainability): equity injected + loans + grant + EBITDA - change in working
  capital - tax - capex - debt service - dividends - tantiem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CashFlows", "cash_flows", "working_capital"]


def working_capital(revenue: np.ndarray, opex: np.ndarray, receivable_days: Any, payable_days: Any) -> tuple[np.ndarray, np.ndarray]:
    """Net working capital (receivables less payables) and its change by year (IDR).

    ``NWC = revenue x receivable days / 365 - opex x payable days / 365``; the
    change is against the year before (the first year against zero).
    """
    nwc = revenue * receivable_days / 365.0 - opex * payable_days / 365.0
    return nwc, np.diff(nwc, axis=-1, prepend=0.0)


@dataclass
class CashFlows:
    """See the module docstring (IDR, current prices, shape L + (T,))."""

    project_fcf: np.ndarray
    cfads: np.ndarray
    equity_cf: np.ndarray
    net_cash: np.ndarray
    cumulative_cash: np.ndarray


def cash_flows(
    *,
    operating: np.ndarray,
    ebitda: np.ndarray,
    tax: np.ndarray,
    tax_unlevered: np.ndarray,
    capex: np.ndarray,
    d_nwc: np.ndarray,
    residual: np.ndarray,
    grant: np.ndarray,
    draws: np.ndarray,
    debt_service: np.ndarray,
    debt_outstanding: np.ndarray,
    injection: np.ndarray,
    dividends_paid: np.ndarray,
    tantiem_paid: np.ndarray,
) -> CashFlows:
    """The project, debt-service, equity and BUMD cash flows (``operating`` marks the operating years)."""
    project_fcf = ebitda - tax_unlevered - capex - d_nwc + residual + grant
    cfads = np.where(operating, ebitda - tax - d_nwc - capex, 0.0)
    equity_cf = ebitda - tax - capex - d_nwc + draws - debt_service + residual + grant
    equity_cf[..., -1] -= debt_outstanding[..., -1]
    net_cash = injection + draws + grant + ebitda - d_nwc - tax - capex - debt_service - dividends_paid - tantiem_paid
    return CashFlows(project_fcf, cfads, equity_cf, net_cash, np.cumsum(net_cash, axis=-1))
