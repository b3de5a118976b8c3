"""What would have to be true (issue 14): the break-even tariff and volume of the plan's main stream."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from feasibility.analysis.breakeven import MAX_SCALE, break_even, companies_volume
from feasibility.analysis.sensitivity import one_way
from feasibility.case import DEFAULT_CASE, load_case
from feasibility.case.errors import CaseError
from feasibility.case.io import parse_case
from feasibility.model import run

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"


def _be(case):
    res = run(case)
    tor = one_way(case, "auto", metrics=["fnpv_idr"], switching=["fnpv_idr"])["fnpv_idr"]
    return res, break_even(case, res, tor)


def test_at_the_break_even_tariff_the_fnpv_is_zero():
    case = load_case(HAND)
    res, be = _be(case)
    assert res.metrics["fnpv_idr"] < 0 and be.tariff_path == "port.revenue.cargo_handling.tariff_idr_per_tonne"
    assert be.tariff_value > be.tariff_base
    there = run(case, {be.tariff_path: be.tariff_value}).metrics["fnpv_idr"]
    assert abs(there) < 1e-6 * abs(res.metrics["fnpv_idr"])
    # a stream without a build-up has no companies' volume to scale
    assert be.volume_path is None and np.isnan(be.volume_needed)


def test_no_volume_is_enough_when_the_berth_is_full_and_still_loses():
    """The default case: even at twenty times the companies' cargo the berth handles its capacity and the FNPV stays negative."""
    raw = tomllib.loads(Path(DEFAULT_CASE).read_text(encoding="utf-8"))
    case = load_case(DEFAULT_CASE)
    _res, be = _be(case)
    assert be.volume_path == "port.revenue.cargo_handling.build_up.tonnes_per_company"
    assert np.isnan(be.volume_needed) and be.fnpv_at_most < 0
    # capacity by hand from the case file: working hours x berth occupancy x productivity, one berth; the occupancy is
    # the lower of the stated cap and the one-berth M/E2/1 occupancy at the allowed wait (W/S = 0.75 rho / (1 - rho))
    cap = raw["port"]["capacity"]
    w = cap["allowed_waiting_ratio"]["value"]
    occ = min(cap["max_berth_occupancy"]["value"], w / (0.75 + w))
    hand = cap["working_hours_per_year"]["value"] * occ * cap["productivity_tonnes_per_hour"]["value"]
    assert be.capacity == pytest.approx(hand)
    # twenty times the companies' cargo, and the storage that follows it (stated for the case's demand): the full berth
    # keeps the yard as busy as it is at the case's demand, not a twentieth of it
    q = case.quantity_map()
    storage = "port.revenue.storage.volume_m2_months"
    full = run(case, {be.volume_path: MAX_SCALE * float(q[be.volume_path].value), storage: MAX_SCALE * float(q[storage].value)})
    handled = full.annual["cargo_throughput_tonnes"].to_numpy()
    assert handled.max() == pytest.approx(hand) and full.metrics["fnpv_idr"] == pytest.approx(be.fnpv_at_most)
    base = run(case)
    y = list(base.years).index(2040)  # the berth is full in both: the same storage revenue
    assert float(full.annual["revenue_port_storage_idr"].iloc[y]) == pytest.approx(float(base.annual["revenue_port_storage_idr"].iloc[y]),
                                                                                    rel=1e-9)
    # the companies' cargo by hand: companies x tonnes x (1 - own terminals) x (1 - competitors) x capture
    bu = raw["port"]["revenue"]["cargo_handling"]["build_up"]
    by_hand = (bu["companies"]["value"] * bu["tonnes_per_company"]["value"] * (1 - bu["own_terminal_share"]["value"])
               * (1 - bu["competitor_share"]["value"]) * bu["capture_share"]["value"])
    assert be.demand == pytest.approx(by_hand) == pytest.approx(companies_volume(case, "port", "cargo_handling"))


def test_volume_found_when_more_cargo_pays():
    """Cheaper works and a higher tariff make the port pay at some cargo volume: the FNPV is zero there, within the berth's capacity."""
    raw = tomllib.loads(Path(DEFAULT_CASE).read_text(encoding="utf-8"))
    # every capital cost, including the trestle's and the dredging's unit prices ([port.marine])
    for item in [*raw["port"]["capex"].values(), raw["port"]["marine"]["trestle_cost_idr_per_m"], raw["port"]["marine"]["dredging_cost_idr_per_m3"]]:
        amount = item.get("amount_idr", item)
        for k in ("value", "low", "high"):
            if k in amount and not isinstance(amount[k], dict):
                amount[k] *= 0.2
    raw["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"].update(value=250_000, high=300_000)
    raw["port"]["revenue"]["cargo_handling"]["build_up"]["tonnes_per_company"]["value"] = 4000.0
    raw["port"]["revenue"]["cargo_handling"]["build_up"]["tonnes_per_company"]["low"] = 2000.0
    # one berth: with a second one that more cargo triggers (a lead time ahead) the FNPV steps down and up again around
    # zero as the trigger year moves, and the volume at which it pays has no single value
    raw["port"]["capacity"]["expansion"]["build"] = "never"
    c2 = parse_case(raw)
    res, be = _be(c2)
    if res.metrics["fnpv_idr"] >= 0:
        pytest.fail("the variant must start from a loss")
    assert np.isfinite(be.volume_needed) and be.handled_base < be.volume_needed <= be.capacity + 1e-6
    # there, by the model: scaling the companies' cargo to that handled volume brings the FNPV to zero
    base = float(c2.quantity_map()[be.volume_path].value)
    grid = np.linspace(1.0, MAX_SCALE, 400)
    f = run(c2, {be.volume_path: base * grid}, metrics=["fnpv_idr"]).metrics["fnpv_idr"]
    k = grid[np.flatnonzero(f >= 0)[0]]
    assert run(c2, {be.volume_path: base * k}).annual.loc[lambda a: a.index >= c2.timeline.first_operating_year,
                                                            "volume_port_cargo_handling_tonnes"].mean() == pytest.approx(be.volume_needed, rel=0.02)


def test_a_data_plan_pattern_that_names_nothing_is_reported():
    raw = tomllib.loads(Path(DEFAULT_CASE).read_text(encoding="utf-8"))
    raw["data_plan"]["land"]["inputs"] = ["port.capex.lnad.*", "port.capex.land.*"]
    with pytest.raises(CaseError) as e:
        parse_case(raw)
    text = str(e.value)
    assert "data_plan.land.inputs[0]: matches no quantity path of the case" in text and "port.capex.lnad.*" in text
    assert "inputs[1]" not in text
