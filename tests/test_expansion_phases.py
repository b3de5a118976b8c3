"""Expansion phases that add berths, yard area and O&M (issue 21, item 3).

The port's capacity is the smaller of the berths' and the yard's (UNCTAD 1985); a
phase may add to either, and the trigger compares demand with the capacity that
binds. Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from feasibility.model.inputs import CapacityInputs, Stream
from feasibility.model.operations import cap_cargo, port_capacity_steps

YEARS = np.arange(2025, 2030)


def cargo_stream() -> Stream:
    return Stream(line="port", name="cargo_handling", kind="cargo_handling", unit="tonnes", start=2025, volume=0.0, ramp=None, growth=0.0,
                  tariff=1.0, tariff_escalation=0.0, unit_cost=0.0, cost_escalation=0.0, follows_cargo=True)


def yard_bound_port(**phase: object) -> CapacityInputs:
    # berth: 1 x 1,000 h x 1 t/h x 0.5 = 500 t a year
    # yard: 20 m2 x 1 t/m2 x 1.0 utilisation x 365 / 36.5 days' dwell = 200 t a year: the yard binds
    return CapacityInputs(
        berths=1, working_hours=1000.0, productivity=1.0, max_occupancy=0.5, yard=(20.0, 1.0, 36.5, 1.0),
        trigger_occupancy=0.9, lead_time_years=1, phases=((0.0, 1e6),), **phase,
    )


def test_capacity_steps_are_the_smaller_of_berths_and_yard() -> None:
    # a phase of 80 m2 of yard: 100 m2 x 10 turnovers = 1,000 t; the berth's 500 t then binds
    cap = yard_bound_port(phase_yard_m2=(80.0,), phase_opex=(0.0,))
    assert [float(x) for x in port_capacity_steps(cap, 500.0)] == [200.0, 500.0]
    # a berth phase (+300 t) with no yard: the yard's 200 t still binds, the berth adds nothing
    berth_only = CapacityInputs(berths=1, working_hours=1000.0, productivity=1.0, max_occupancy=0.5, yard=(20.0, 1.0, 36.5, 1.0),
                                phases=((300.0, 1e6),), phase_yard_m2=(0.0,))
    assert [float(x) for x in port_capacity_steps(berth_only, 500.0)] == [200.0, 200.0]
    # without a yard the berths alone: 500, then 800
    no_yard = CapacityInputs(berths=1, working_hours=1000.0, productivity=1.0, max_occupancy=0.5, yard=None, phases=((300.0, 1e6),))
    assert [float(x) for x in port_capacity_steps(no_yard, 500.0)] == [500.0, 800.0]


def test_a_yard_phase_is_triggered_by_the_yard_and_lifts_the_capacity_from_its_online_year() -> None:
    cap = yard_bound_port(phase_yard_m2=(80.0,), phase_opex=(0.0,))
    demand = np.array([0.0, 150.0, 250.0, 400.0, 600.0])
    out, lines, grown = cap_cargo(cap, (cargo_stream(),), {"cargo_handling": demand}, YEARS, (5,))
    # 2027: demand 250 > 0.9 x 200 (the yard's capacity, which binds; not 0.9 x the berth's 500 = 450):
    # triggered in 2027, in service from 2028 (lead time 1 year), capacity 200 -> min(500, 1,000) = 500
    assert float(grown.trigger_year[0]) == 2027 and float(grown.online_year[0]) == 2028
    np.testing.assert_allclose(lines["cargo_capacity_tonnes"], [200, 200, 200, 500, 500])
    np.testing.assert_allclose(out["cargo_handling"], [0, 150, 200, 400, 500])
    np.testing.assert_allclose(lines["cargo_unmet_tonnes"], [0, 0, 50, 0, 100])
    # berth occupancy: handled / the berth's 500 t x 0.5 (the yard does not change the berth's time)
    np.testing.assert_allclose(lines["berth_occupancy"], [0, 0.15, 0.2, 0.4, 0.5])


def _default(**phase: object):
    from feasibility.case import DEFAULT_CASE, parse_case

    d = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    d["port"]["capacity"]["expansion"]["when_unfunded"] = "gap_funding"  # built when triggered (not deferred)
    d["port"]["capacity"]["expansion"]["phases"]["second_berth"].update(phase)
    return d, parse_case(d, base_dir=DEFAULT_CASE.parent)


def test_a_phase_adds_its_om_from_its_online_year_at_base_year_prices() -> None:
    from feasibility import run

    _d, case = _default()
    amount = case.port.capacity.expansion.phases["second_berth"].opex_idr_per_year.value
    assert amount == 4_800_000_000
    with_om = run(case, scenario="high")
    _d, without = _default(opex_idr_per_year={"value": 0, "source": "test", "confidence": "placeholder"})
    without_om = run(without, scenario="high")
    assert with_om.price_basis == "real"  # constant 2026 prices: the O&M is the stated amount, every year
    a = with_om.annual
    years = np.asarray(a.index)
    assert a["berths_in_service"].max() == 2  # the high scenario triggers the second berth
    online = years[np.argmax(a["berths_in_service"].to_numpy() == 2)]
    want = np.where(years >= online, amount, 0.0)  # from its online year, nothing before
    np.testing.assert_allclose(a["fixed_opex_idr"] - without_om.annual["fixed_opex_idr"], want, rtol=1e-9, atol=1.0)


def test_a_phases_yard_needs_a_yard() -> None:
    from feasibility.case import DEFAULT_CASE, CaseError, parse_case

    d, _case = _default(yard_area_m2={"value": 5000, "source": "test", "confidence": "placeholder"})
    del d["port"]["capacity"]["yard"]
    with pytest.raises(CaseError, match=r"port\.capacity\.expansion\.phases\.second_berth\.yard_area_m2: adds to a yard the case "
                                        r"does not have"):
        parse_case(d, base_dir=DEFAULT_CASE.parent)


def test_the_expansions_own_enpv_is_the_case_built_less_the_case_never_built() -> None:
    from feasibility import run

    d, built = _default()  # financed by top-ups: built when triggered
    d["port"]["capacity"]["expansion"]["build"] = "never"
    from feasibility.case import DEFAULT_CASE, parse_case

    never = parse_case(d, base_dir=DEFAULT_CASE.parent)
    b, n = run(built, scenario="high"), run(never, scenario="high")
    assert b.annual["berths_in_service"].max() == 2 and n.annual["berths_in_service"].max() == 1
    # the economic case for the second berth: ENPV with it less ENPV without, through two whole runs
    assert b.metrics["expansion_enpv_idr"] == pytest.approx(b.metrics["enpv_idr"] - n.metrics["enpv_idr"], rel=1e-9)
    assert n.metrics["expansion_enpv_idr"] == pytest.approx(b.metrics["enpv_idr"] - n.metrics["enpv_idr"], rel=1e-9)
    # the berth lets more cargo in (capacity 175,200 t -> 554,031 t), so more ships call and wait in all; the
    # wait a call stays at the allowed half of the berth time, which caps the occupancy of one berth and of two
    assert b.annual["cargo_throughput_tonnes"].sum() > n.annual["cargo_throughput_tonnes"].sum()
    ratio = b.annual["ship_waiting_hours_per_call"] / b.annual["berth_hours_per_call"]
    assert ratio.max() == pytest.approx(0.5, rel=1e-6)
