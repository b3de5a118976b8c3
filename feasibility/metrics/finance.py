"""Financial metrics that broadcast like numpy ufuncs over leading axes.

Every function takes cash flows with time on the **last** axis and any number of
leading axes (scenarios, Monte Carlo iterations). Rates broadcast against the
leading axes. Amounts are in any one currency unit; rates are fractions per
period (0.08 means 8 %).

Conventions
-----------
* Period cash flows are ordered ``t = 0, 1, ..., T-1`` and the **first amount is
  at t = 0, undiscounted** (the numpy-financial convention). Excel's ``NPV``
  discounts its first argument by one period; see :func:`npv`.
* Dated cash flows (:func:`xnpv`, :func:`xirr`) use Excel's actual/365 day count.
* Undefined results are ``NaN``, never an exception: an IRR that does not exist or
  is not unique, a payback that never happens, a ratio with a zero denominator.

References
----------
Microsoft Excel function documentation (NPV, IRR, XNPV, XIRR, MIRR);
numpy-financial 1.0 documentation; ADB (2005) *Financial Management and Analysis
of Projects*, ch. 7; Yescombe (2014) *Principles of Project Finance*, ch. 12
(DSCR, LLCR).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "benefit_cost_ratio",
    "discounted_payback_period",
    "dscr",
    "llcr",
    "mirr",
    "npv",
    "payback_period",
    "payback_year",
    "profitability_index",
    "wacc",
    "xnpv",
]


# ---------------------------------------------------------------------------
# helpers


def _as_flows(cashflows: Any) -> np.ndarray:
    cf = np.asarray(cashflows, dtype=float)
    if cf.ndim == 0:
        raise ValueError("cash flows need a time axis (the last axis); got a scalar")
    return cf


# ---------------------------------------------------------------------------
# present values


def npv(rate: Any, cashflows: Any) -> np.ndarray | float:
    r"""Net present value with the first amount at t = 0 (undiscounted).

    .. math:: \mathrm{NPV} = \sum_{t=0}^{T-1} \frac{CF_t}{(1+r)^t}

    Parameters
    ----------
    rate : array_like
        Discount rate per period (fraction). Broadcasts against the leading axes
        of ``cashflows``.
    cashflows : array_like, shape (..., T)
        Cash flows, time on the last axis.

    Returns
    -------
    ndarray or float
        Shape ``broadcast(rate.shape, cashflows.shape[:-1])``.

    Notes
    -----
    Excel's ``NPV(rate, v1, ..., vn)`` discounts ``v1`` by one full period, so
    ``Excel NPV(r, v) == npv(r, [0, *v]) == npv(r, v) / (1 + r)``. To reproduce a
    spreadsheet that writes ``=NPV(r, C2:C31) + C1`` pass the whole row here.
    Unlike ``numpy_financial.npv``, a vector of rates broadcasts element-wise
    against the leading axes (it does not form an outer product).

    Examples
    --------
    >>> round(npv(0.10, [-1000, 500, 500, 500]), 6)
    243.425995
    """
    cf = _as_flows(cashflows)
    r = np.asarray(rate, dtype=float)
    n = cf.shape[-1]
    if n <= 200:
        # Horner in x = 1/(1+r): n multiply-adds instead of n powers per row, and the same
        # formula for one row or many (a row's NPV does not depend on its batch)
        x = 1.0 / (1.0 + r)
        lead = np.broadcast_shapes(cf.shape[:-1], r.shape)
        if int(np.prod(lead)) == 1:
            # one row: the same multiply-adds on Python floats (IEEE doubles, the same
            # rounding as numpy's), without numpy's overhead on one-element arrays
            xf = float(x.reshape(-1)[0])
            c = np.broadcast_to(cf, lead + (n,)).reshape(-1).tolist()
            acc = c[-1]
            for ck in reversed(c[:-1]):
                acc = acc * xf + ck
            return np.full(lead, acc)[()] if lead else acc
        out = np.broadcast_to(cf[..., n - 1], lead).copy()
        for k in range(n - 2, -1, -1):
            out *= x
            out += cf[..., k]
    else:
        out = np.sum(cf * (1.0 + r[..., None]) ** -np.arange(n), axis=-1)
    return out[()] if out.ndim == 0 else out


def _year_fractions(dates: Any) -> np.ndarray:
    d = np.asarray(dates)
    if not np.issubdtype(d.dtype, np.datetime64):
        d = np.asarray(d, dtype="datetime64[D]")
    days = (d.astype("datetime64[D]") - d.astype("datetime64[D]")[..., :1]).astype(float)
    if np.any(days < 0):
        raise ValueError("dates: no date may precede the first date (Excel XNPV/XIRR rule)")
    return days / 365.0


def xnpv(rate: Any, amounts: Any, dates: Any) -> np.ndarray | float:
    r"""Net present value of dated amounts, Excel ``XNPV`` convention.

    .. math:: \mathrm{XNPV} = \sum_i \frac{a_i}{(1+r)^{(d_i - d_0)/365}}

    Parameters
    ----------
    rate : array_like
        Annual discount rate (fraction), broadcasting over leading axes.
    amounts : array_like, shape (..., n)
    dates : array_like of dates, shape (n,) or (..., n)
        ``datetime.date``, ISO strings or ``datetime64``. No date may precede the
        first one.

    Returns
    -------
    ndarray or float
    """
    a = _as_flows(amounts)
    tau = _year_fractions(dates)
    r = np.asarray(rate, dtype=float)[..., None]
    out = np.sum(a * (1.0 + r) ** -tau, axis=-1)
    return out[()] if out.ndim == 0 else out


def mirr(cashflows: Any, finance_rate: Any, reinvest_rate: Any) -> np.ndarray | float:
    r"""Modified internal rate of return (Excel ``MIRR``).

    .. math::
        \mathrm{MIRR} = \left(\frac{FV_{\text{reinvest}}(CF^+)}
        {-PV_{\text{finance}}(CF^-)}\right)^{1/(T-1)} - 1

    Parameters
    ----------
    cashflows : array_like, shape (..., T)
    finance_rate : array_like
        Rate paid on the negative amounts (fraction per period).
    reinvest_rate : array_like
        Rate earned on the positive amounts when reinvested.

    Returns
    -------
    ndarray or float
        NaN where the flows have no positive or no negative amount.
    """
    cf = _as_flows(cashflows)
    n = cf.shape[-1]
    t = np.arange(n)
    fr = np.asarray(finance_rate, dtype=float)[..., None]
    rr = np.asarray(reinvest_rate, dtype=float)[..., None]
    pv_neg = np.sum(np.where(cf < 0, cf, 0.0) * (1.0 + fr) ** -t, axis=-1)
    fv_pos = np.sum(np.where(cf > 0, cf, 0.0) * (1.0 + rr) ** (n - 1 - t), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((pv_neg < 0) & (fv_pos > 0), (fv_pos / -pv_neg) ** (1.0 / (n - 1)) - 1.0, np.nan)
    return out[()] if out.ndim == 0 else out


# ---------------------------------------------------------------------------
# payback


def payback_period(cashflows: Any) -> np.ndarray | float:
    """Years until the cumulative cash flow turns non-negative for good.

    Parameters
    ----------
    cashflows : array_like, shape (..., T)
        First amount at t = 0; amounts of year t are taken to accrue evenly
        within the year ending at t, so the crossing is interpolated linearly.

    Returns
    -------
    ndarray or float
        Fractional years from t = 0. ``0`` when the cumulative cash flow is never
        negative; NaN when it is still negative at the end.

    Notes
    -----
    The payback is the **last** crossing from negative to non-negative: a project
    whose cumulative cash flow dips below zero again (a mid-life reinvestment)
    is not counted as paid back at the first crossing. For a conventional flow
    (outlays, then inflows) this is the textbook payback period.

    Examples
    --------
    >>> float(payback_period([-1000, 400, 400, 400]))
    2.5
    """
    cf = _as_flows(cashflows)
    cum = np.cumsum(cf, axis=-1)
    unknown = np.isnan(cum).any(axis=-1)
    neg = cum < 0
    n = cf.shape[-1]
    # last index where the cumulative is negative (-1 if never)
    last_neg = np.where(neg.any(axis=-1), n - 1 - np.argmax(neg[..., ::-1], axis=-1), -1)
    never_back = last_neg == n - 1
    k = np.clip(last_neg, 0, n - 2)
    c_k = np.take_along_axis(cum, k[..., None], axis=-1)[..., 0]
    f_k1 = np.take_along_axis(cf, (k + 1)[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(f_k1 != 0, -c_k / f_k1, 0.0)
    out = np.where(last_neg < 0, 0.0, np.where(never_back, np.nan, k + frac))
    out = np.where(unknown, np.nan, out)
    return out[()] if out.ndim == 0 else out


def discounted_payback_period(rate: Any, cashflows: Any) -> np.ndarray | float:
    """Years until the cumulative **discounted** cash flow turns non-negative for good.

    Parameters
    ----------
    rate : array_like
        Discount rate per period, broadcasting over the leading axes.
    cashflows : array_like, shape (..., T)

    Returns
    -------
    ndarray or float
        As :func:`payback_period` on ``cf_t / (1+rate)**t``; NaN when the
        project never pays back at that rate (NPV < 0).
    """
    cf = _as_flows(cashflows)
    r = np.asarray(rate, dtype=float)[..., None]
    return payback_period(cf * (1.0 + r) ** -np.arange(cf.shape[-1]))


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


# ---------------------------------------------------------------------------
# ratios


def profitability_index(rate: Any, cashflows: Any) -> np.ndarray | float:
    r"""Profitability index: PV of the positive net flows over PV of the negative ones.

    .. math:: PI = \frac{\sum_{CF_t>0} CF_t (1+r)^{-t}}{-\sum_{CF_t<0} CF_t (1+r)^{-t}}
              = 1 + \frac{NPV}{PV(\text{outlays})}

    For a single outlay at t = 0 this is the textbook ``PV(future flows) / I_0``;
    with multi-year construction every net-negative year counts as outlay.
    ``PI > 1`` exactly when ``NPV > 0``. NaN when there is no outlay.
    """
    cf = _as_flows(cashflows)
    r = np.asarray(rate, dtype=float)[..., None]
    disc = cf * (1.0 + r) ** -np.arange(cf.shape[-1])
    pos = np.sum(np.where(disc > 0, disc, 0.0), axis=-1)
    neg = -np.sum(np.where(disc < 0, disc, 0.0), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(neg > 0, pos / neg, np.nan)
    return out[()] if out.ndim == 0 else out


def benefit_cost_ratio(rate: Any, benefits: Any, costs: Any) -> np.ndarray | float:
    r"""Benefit-cost ratio ``PV(benefits) / PV(costs)`` (EU CBA Guide 2014, s.2.9).

    Parameters
    ----------
    rate : array_like
    benefits, costs : array_like, shape (..., T)
        Both as positive amounts, first at t = 0.

    Returns
    -------
    ndarray or float
        NaN where the present value of costs is zero.
    """
    pb = np.asarray(npv(rate, benefits), dtype=float)
    pc = np.asarray(npv(rate, costs), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(pc != 0, pb / pc, np.nan)
    return out[()] if out.ndim == 0 else out


def dscr(cfads: Any, debt_service: Any) -> np.ndarray | float:
    """Debt service coverage ratio by period: ``CFADS / debt service``.

    Parameters
    ----------
    cfads : array_like
        Cash flow available for debt service (after tax, after maintenance capex).
    debt_service : array_like
        Interest plus principal due in the same period.

    Returns
    -------
    ndarray or float
        NaN in periods without debt service (the ratio is not defined there).
    """
    c = np.asarray(cfads, dtype=float)
    d = np.asarray(debt_service, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, c / np.where(d > 0, d, 1.0), np.nan)
    return out[()] if out.ndim == 0 else out


def llcr(rate: Any, cfads: Any, debt_service: Any, opening_balance: Any) -> np.ndarray:
    r"""Loan life coverage ratio in each period (Yescombe 2014, s.12.3.2).

    .. math:: LLCR_t = \frac{\sum_{s=t}^{m} CFADS_s (1+r)^{-(s-t+1)}}{D_t}

    where ``m`` is the last period with debt service and ``D_t`` the debt
    outstanding at the start of period t; each CFADS arrives at the end of its
    period. When CFADS equals debt service exactly the LLCR is 1.

    Parameters
    ----------
    rate : array_like
        Interest rate of the debt, per period.
    cfads, debt_service, opening_balance : array_like, shape (..., T)

    Returns
    -------
    ndarray, shape (..., T)
        NaN where no debt is outstanding or after the loan life.
    """
    c = np.asarray(cfads, dtype=float)
    ds = np.asarray(debt_service, dtype=float)
    bal = np.asarray(opening_balance, dtype=float)
    c, ds, bal = np.broadcast_arrays(c, ds, bal)
    n = c.shape[-1]
    t = np.arange(n)
    has = ds > 0
    last = np.where(has.any(axis=-1), n - 1 - np.argmax(has[..., ::-1], axis=-1), -1)
    within = t <= last[..., None]
    r = np.asarray(rate, dtype=float)[..., None]
    df = (1.0 + r) ** -t
    disc = np.where(within, c, 0.0) * df
    # PV at the start of period t (where the balance is measured) of the CFADS of
    # periods t .. end of loan life, each received at the end of its period
    tail = np.cumsum(disc[..., ::-1], axis=-1)[..., ::-1] / df / (1.0 + r)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(within & (bal > 0), tail / np.where(bal > 0, bal, 1.0), np.nan)


def wacc(cost_of_equity: Any, cost_of_debt: Any, debt_share: Any, tax_rate: Any = 0.22) -> Any:
    r"""Weighted average cost of capital after tax.

    .. math:: WACC = (1-g)\,k_e + g\,k_d\,(1-\tau)

    with ``g = D/(D+E)`` the debt share of the capital (ADB 2005, s.6.4).

    Parameters
    ----------
    cost_of_equity, cost_of_debt : array_like
        Fractions per year, both nominal or both real.
    debt_share : array_like
        ``D / (D + E)`` in [0, 1].
    tax_rate : array_like, default 0.22
        Corporate income tax rate (Indonesia, UU HPP 7/2021).
    """
    g = np.asarray(debt_share, dtype=float)
    out = (1.0 - g) * np.asarray(cost_of_equity, dtype=float) + g * np.asarray(
        cost_of_debt, dtype=float
    ) * (1.0 - np.asarray(tax_rate, dtype=float))
    return out[()] if np.ndim(out) == 0 else out
