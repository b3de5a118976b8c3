"""Economic cost-benefit lines (ADB 2017 Guidelines; EU CBA Guide 2014, s. 2.8), at constant base-year prices.

* benefits: for each revenue stream's generated volume (new traffic), the
  users' payment, i.e. the revenue at the output conversion factor; for its
  diverted volume (taken from an alternative with spare capacity), only the
  resources saved: the alternative's cost of serving it (at the standard
  conversion factor) and the benefit streams marked ``diverted`` (a tariff paid
  here instead of there is a transfer between operators, EU CBA Guide 2014,
  transport: generated versus diverted traffic), so no tonne counts both its
  revenue and its savings; the residual value of the assets at their
  conversion factors (all of them: assets that revert to a concession's
  grantor still serve society); external benefits (emissions avoided);
* costs: capex by kind (land; construction, its unskilled labour at the
  shadow wage; equipment; services such as studies and design at the
  standard factor) and the operating costs (unskilled wages at the shadow
  wage, the rest at the standard factor); the ships' time waiting for a
  berth (ship-days x ``ship_waiting_cost_idr_per_day``: the economic case for
  another berth); external costs (noise,
  congestion, dredging's harm to fisheries), each its own line;
* left out as transfers or financial items: income tax, the concession fee
  (to the state), permit fees (``transfer_share`` of a capital item), working
  capital, loans, interest, grants and dividends.

One consistent set of factors (EU CBA Guide 2014, s. 2.8; ADB 2017): non-traded
goods and services, produced or bought, at the one standard conversion factor
(the case's ``output`` equals its ``operating_costs``); labour by skill, in
construction and in operation (unskilled at the shadow wage); a shadow wage
lowers a cost, it is never shown as a benefit (the benefit-cost ratio would
count it twice).

With every factor 1, no benefit streams, no external effects and no permit
fees, ``economic_flow`` equals the
project free cash flow plus tax and concession fee, plus the change in working
capital, less its recovery and any grant (the financial analysis less transfers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .capex import AssetKey, category
from .inputs import EconomicInputs, Inputs
from .operations import per_case
from .tax import depreciation

__all__ = ["ECONOMIC_LINES", "economic_lines", "economic_residual"]

#: the economic lines, in the order they are shown (each benefit stream adds ``economic_benefit_<name>_real_idr``)
ECONOMIC_LINES = (
    "economic_revenue_real_idr",
    "economic_diverted_savings_real_idr",
    "economic_residual_real_idr",
    "economic_benefit_streams_real_idr",
    "economic_external_benefits_real_idr",
    "economic_benefits_real_idr",
    "economic_capex_real_idr",
    "economic_opex_real_idr",
    "economic_ship_waiting_real_idr",
    "economic_external_costs_real_idr",
    "economic_costs_real_idr",
    "economic_flow_real_idr",
)


def economic_residual(
    inp: Inputs, in_service_real: dict[AssetKey, Any], cf: dict[str, Any], full: tuple[int, ...]
) -> np.ndarray:
    """The assets' residual value to society at constant base-year prices, at their conversion factors (shape L).

    ``in_service_real`` holds each asset's cost at base-year prices (every
    spend deflated in the year it was made), valued as the financial residual
    is (economic life left, or tax book value; land keeps its real value), so
    that general inflation does not change the economic result. Assets retired
    by a renewal count for nothing; assets that revert to the grantor of a
    concession keep their value here (they serve society whoever owns them).
    """
    if inp.residual_method == "none":
        return np.zeros(full[:-1])
    total: Any = 0.0
    T = full[-1]
    age = T - np.arange(T)
    for k, placed in in_service_real.items():
        real = np.broadcast_to(placed, full)
        if inp.residual_method == "book_value":
            value = real.sum(axis=-1) - depreciation(real, k.asset_class, k.method, k.renewals).sum(axis=-1)
        elif k.asset_class == "land":
            value = real.sum(axis=-1)
        else:
            life = inp.economic_lives[k.asset_class]
            value = np.sum(real * (k.alive(T) * np.clip(1.0 - age / life, 0.0, 1.0)), axis=-1)
        total = total + value * per_case(cf[category(k.asset_class)])
    return np.broadcast_to(total, full[:-1])


def _share(e: EconomicInputs, stream: str, traffic: str | None) -> Any:
    """The share of a stream's volume that is diverted (``traffic="diverted"``) or generated."""
    diverted = e.traffic[stream][0]
    return diverted if traffic == "diverted" else 1.0 - diverted


def _benefit_streams(e: EconomicInputs, inp: Inputs, volumes: dict[str, np.ndarray], out: dict[str, np.ndarray]) -> Any:
    streams: Any = np.zeros(inp.full)
    for b in e.benefits:
        if b.follows is not None:
            # a benefit of a line the plan does not run (an option without it) is nil
            volume = volumes[b.follows] * _share(e, b.follows, b.traffic) * b.per_unit if b.follows in volumes else 0.0
        else:
            volume = b.per_unit * (inp.years >= inp.first_operating_year) * bool(inp.lines)
        value = b.unit_value * (1.0 + b.growth) ** (inp.years - inp.price_base_year)
        out[f"economic_benefit_{b.name}_real_idr"] = np.broadcast_to(volume * value, inp.full)
        streams = streams + volume * value
    return streams


def _externalities(e: EconomicInputs, inp: Inputs, volumes: dict[str, np.ndarray], out: dict[str, np.ndarray]) -> Any:
    """Each external effect's line (signed: a cost negative); returns the external benefits and the external costs (both >= 0)."""
    good: Any = np.zeros(inp.full)
    bad: Any = np.zeros(inp.full)
    for x in e.externalities:
        if x.follows is not None:
            share = 1.0 if x.traffic is None else _share(e, x.follows, x.traffic)
            volume = volumes[x.follows] * share * x.per_unit if x.follows in volumes else 0.0  # an option without the line
        else:
            volume = x.per_unit * (inp.years >= inp.first_operating_year) * bool(inp.lines)
        if x.once_year is not None:
            volume = volume + x.once_units * (inp.years == x.once_year) * bool(inp.lines)
        value = x.unit_value * (1.0 + x.growth) ** (inp.years - inp.price_base_year)
        flow = volume * value
        out[f"economic_external_{x.name}_real_idr"] = np.broadcast_to(flow, inp.full)
        good, bad = good + np.maximum(flow, 0.0), bad + np.maximum(-flow, 0.0)
    return good, bad


def economic_lines(
    inp: Inputs,
    pi: Any,
    volumes: dict[str, np.ndarray],
    revenues: dict[str, np.ndarray],
    operating_costs: Any,
    unskilled: Any,
    capex_by: dict[str, Any],
    in_service_real: dict[AssetKey, Any],
    ship_days: Any = None,
) -> dict[str, np.ndarray]:
    """Every economic line (see :data:`ECONOMIC_LINES`) and one per benefit stream, shape L + (T,).

    Parameters
    ----------
    volumes, revenues : dict
        Each revenue stream's volume and revenue (IDR, current prices) by ``"<line>.<stream>"``.
    operating_costs, unskilled : ndarray
        Operating costs without the concession fee, and the unskilled wages in
        them (IDR, current prices).
    capex_by : dict
        Capital spend by ``land``, ``construction``, ``equipment``, ``services``, ``transfer`` (current prices).
    ship_days : ndarray, optional
        Ship-days spent waiting for a berth by year (the port's ``ship_days_waiting`` line).
    """
    e = inp.economic
    full = inp.full
    cf = e.factors
    out: dict[str, np.ndarray] = {}
    generated = sum((revenues[k] * (1.0 - e.traffic[k][0]) for k in revenues), np.zeros(full))
    out["economic_revenue_real_idr"] = generated * cf["output"] / pi
    saved = sum((volumes[k] * e.traffic[k][0] * e.traffic[k][1] for k in volumes), np.zeros(full))
    out["economic_diverted_savings_real_idr"] = saved * cf["operating_costs"]
    res = np.zeros(full)
    res[..., -1] = economic_residual(inp, in_service_real, cf, full)
    out["economic_residual_real_idr"] = res
    streams = _benefit_streams(e, inp, volumes, out)
    out["economic_benefit_streams_real_idr"] = np.broadcast_to(streams, full)
    good, bad = _externalities(e, inp, volumes, out)
    out["economic_external_benefits_real_idr"] = np.broadcast_to(good, full)
    out["economic_external_costs_real_idr"] = np.broadcast_to(bad, full)
    # construction net of VAT (its factor), its unskilled labour share at the shadow wage instead of the market wage
    s = e.construction_labour
    construction = capex_by["construction"] * cf["construction"] * (1.0 - s + s * cf["shadow_wage"])
    capex = (capex_by["land"] * cf["land"] + construction + capex_by["equipment"] * cf["equipment"]
             + capex_by["services"] * cf["operating_costs"]) / pi  # permit fees (capex_by["transfer"]) are a transfer: left out
    out["economic_capex_real_idr"] = np.broadcast_to(capex, full)
    opex = (operating_costs - unskilled) * cf["operating_costs"] + unskilled * cf["shadow_wage"]
    out["economic_opex_real_idr"] = np.broadcast_to(opex / pi, full)
    waiting = ship_days * e.waiting_cost if ship_days is not None and e.waiting_cost is not None else 0.0
    out["economic_ship_waiting_real_idr"] = np.broadcast_to(waiting, full)
    benefits = (out["economic_revenue_real_idr"] + out["economic_diverted_savings_real_idr"] + res + streams
                + out["economic_external_benefits_real_idr"])
    costs = (out["economic_capex_real_idr"] + out["economic_opex_real_idr"] + out["economic_ship_waiting_real_idr"]
             + out["economic_external_costs_real_idr"])
    out["economic_benefits_real_idr"] = np.broadcast_to(benefits, full)
    out["economic_costs_real_idr"] = np.broadcast_to(costs, full)
    out["economic_flow_real_idr"] = np.broadcast_to(benefits - costs, full)
    return {k: np.broadcast_to(v, full) for k, v in out.items()}
