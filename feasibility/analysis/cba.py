"""The economic NPV taken apart: each benefit and cost stream at present value (EU CBA Guide 2014, s. 2.8; ADB 2017).

The ENPV is the present value, at the social discount rate, of the economic
flow (``economic_flow_real_idr``: benefits less costs, constant base-year
prices, year 0 undiscounted). Discounting is linear, so the ENPV is the sum
of each stream's present value: the table a council can read to see what
carries the result and what weighs on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..metrics import finance as fm
from ..model.result import Result

__all__ = ["Stream", "enpv_by_stream"]

#: the summary lines that are sums of others (never shown as streams of their own)
_TOTALS = {"economic_benefits_real_idr", "economic_costs_real_idr", "economic_flow_real_idr", "economic_benefit_streams_real_idr",
           "economic_external_benefits_real_idr", "economic_external_costs_real_idr"}
_BENEFITS = ("economic_revenue_real_idr", "economic_diverted_savings_real_idr")
_COSTS = ("economic_capex_real_idr", "economic_opex_real_idr", "economic_ship_waiting_real_idr")


@dataclass(frozen=True)
class Stream:
    """One stream of the economic analysis at present value.

    Attributes
    ----------
    key : str
        The annual line (``economic_..._real_idr``).
    kind : str
        ``benefit`` or ``cost`` (an external effect is a benefit when its present value is positive).
    pv_idr : float
        Present value at the social discount rate, signed as it enters the ENPV (a cost negative), IDR
        at base-year prices.
    """

    key: str
    kind: str
    pv_idr: float


def enpv_by_stream(result: Result) -> list[Stream]:
    """Every benefit and cost of a single-valued result at present value; they sum to ``enpv_idr``.

    Parameters
    ----------
    result : Result
        A run of a case with ``[economic]`` (no leading shape).

    Returns
    -------
    list of Stream
        Benefits first (the revenue of generated traffic, resources saved on
        diverted traffic, each benefit stream, external benefits, the residual
        value), then costs (capital, operating, the ships' waiting time, external costs).

    Raises
    ------
    ValueError
        When the result has no economic lines or has a leading shape.
    """
    if result.lead_shape:
        raise ValueError(f"enpv_by_stream takes a single run, got a leading shape {result.lead_shape}")
    annual = result.annual
    if "economic_flow_real_idr" not in annual:
        raise ValueError("the case has no [economic] section: no economic streams")
    rate = float(result.metrics["social_discount_rate"])

    def pv(col: str) -> float:
        # the ENPV's own discounting (year 0 undiscounted)
        return float(fm.npv(rate, annual[col].to_numpy()))

    cols = [c for c in annual.columns if c.startswith("economic_") and c.endswith("_real_idr") and c not in _TOTALS]
    streams = [c for c in cols if c.startswith("economic_benefit_")]
    external = [c for c in cols if c.startswith("economic_external_")]
    out = [Stream(c, "benefit", pv(c)) for c in (*_BENEFITS, *streams)]
    ext = [(c, pv(c)) for c in external]
    out += [Stream(c, "benefit", v) for c, v in ext if v > 0]
    out.append(Stream("economic_residual_real_idr", "benefit", pv("economic_residual_real_idr")))
    out += [Stream(c, "cost", -pv(c)) for c in _COSTS]
    out += [Stream(c, "cost", v) for c, v in ext if v <= 0]
    total = sum(s.pv_idr for s in out)
    # the parts must add up to the whole: a line left out of the list would show here
    if not np.isclose(total, float(result.metrics["enpv_idr"]), rtol=1e-9, atol=1.0):
        raise AssertionError(f"the streams sum to {total:.0f}, the ENPV is {float(result.metrics['enpv_idr']):.0f}")
    return out
