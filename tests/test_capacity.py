"""Capacity, capacity-limited throughput and phased expansion (feasibility.domain.capacity).

Expected numbers are worked out by hand in the comments from the formulas in the
module docstrings (UNCTAD 1985 berth capacity, static yard capacity x turnovers,
min(demand, capacity)); nothing is compared with an earlier output of the code.
Properties that must hold whatever the implementation use hypothesis.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from feasibility.domain.capacity import (
    Expansion,
    Phase,
    Throughput,
    berth_capacity_tonnes_per_year,
    berths_from_quay_length,
    expand,
    throughput,
    yard_capacity_tonnes_per_year,
)

NAN = float("nan")
HOURS_RULE = "must be in [0, 8784] (hours in a leap year)"
PHASE_RULE = "must be a Phase, a mapping or a (capacity_tonnes_per_year, capex_idr) pair"


def raises_exactly(message: str):
    """pytest.raises for a ValueError whose whole message is ``message``."""
    return pytest.raises(ValueError, match="^" + re.escape(message) + "$")


# ---------------------------------------------------------------------------
# berth capacity


def test_berth_capacity_hand_case():
    # 2 berths x 7,000 h x 0.5 occupancy x 250 t/h = 1,750,000 t/yr
    assert berth_capacity_tonnes_per_year(2, 7000, 250, 0.5) == pytest.approx(1_750_000.0, rel=1e-15)


def test_berth_capacity_broadcasts():
    # 1 x 7000 x 0.45 x 250 =   787,500
    # 2 x 7000 x 0.50 x 250 = 1,750,000
    # 5 x 7000 x 0.70 x 250 = 6,125,000
    got = berth_capacity_tonnes_per_year([1, 2, 5], 7000, 250, [0.45, 0.5, 0.7])
    np.testing.assert_allclose(got, [787_500.0, 1_750_000.0, 6_125_000.0], rtol=1e-15)
    # an outer product through leading axes: productivity (2, 1) x berths (3,)
    # 150 t/h: 1 x 7000 x 0.5 x 150 = 525,000; x2 = 1,050,000; x3 = 1,575,000
    got2 = berth_capacity_tonnes_per_year([1, 2, 3], 7000, [[150], [250]], 0.5)
    assert got2.shape == (2, 3)
    np.testing.assert_allclose(got2[0], [525_000.0, 1_050_000.0, 1_575_000.0], rtol=1e-15)
    np.testing.assert_allclose(got2[1], [875_000.0, 1_750_000.0, 2_625_000.0], rtol=1e-15)


def test_berth_capacity_edges():
    assert berth_capacity_tonnes_per_year(0, 7000, 250, 0.5) == 0.0  # no berth, no capacity
    # occupancy exactly 1 and a full leap year are allowed: 1 x 8784 x 1 x 100 = 878,400
    assert berth_capacity_tonnes_per_year(1, 8784, 100, 1.0) == pytest.approx(878_400.0)


def test_berth_capacity_every_problem_at_once():
    with raises_exactly(
        "n_berths: must be a whole number >= 0, got -1; "
        "working_hours_per_year: must be in [0, 8784] (hours in a leap year), got -100; "
        "productivity_tonnes_per_hour: must be >= 0 and finite, got nan; "
        "max_berth_occupancy: must be in (0, 1], got 1.2"
    ):
        berth_capacity_tonnes_per_year(-1, -100, NAN, 1.2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_berths": 1.5}, "n_berths: must be a whole number >= 0, got 1.5"),
        ({"working_hours_per_year": -1}, f"working_hours_per_year: {HOURS_RULE}, got -1"),
        ({"working_hours_per_year": 9000}, f"working_hours_per_year: {HOURS_RULE}, got 9000"),
        ({"productivity_tonnes_per_hour": -5}, "productivity_tonnes_per_hour: must be >= 0 and finite, got -5"),
        ({"max_berth_occupancy": 1.2}, "max_berth_occupancy: must be in (0, 1], got 1.2"),
        ({"max_berth_occupancy": 0}, "max_berth_occupancy: must be in (0, 1], got 0"),
        ({"max_berth_occupancy": NAN}, "max_berth_occupancy: must be in (0, 1], got nan"),
        # arrays: the first offending value and how many more
        ({"max_berth_occupancy": [0.5, 1.5, -1, 2]}, "max_berth_occupancy: must be in (0, 1], got 1.5 (and 2 more)"),
    ],
)
def test_berth_capacity_each_rule(kwargs, message):
    args = {"n_berths": 2, "working_hours_per_year": 7000, "productivity_tonnes_per_hour": 250,
            "max_berth_occupancy": 0.5}
    args.update(kwargs)
    with raises_exactly(message):
        berth_capacity_tonnes_per_year(**args)


# ---------------------------------------------------------------------------
# berths from quay length


def test_berths_from_quay_length_hand_cases():
    # n ships need n L + (n + 1) g: 2 x 100 + 3 x 10 = 230 m holds exactly 2
    assert berths_from_quay_length(230, 100, 10) == 2
    # 229 m: (229 - 10) / 110 = 1.99 -> 1
    assert berths_from_quay_length(229, 100, 10) == 1
    # a 100 m feeder quay and a 90 m ship with 15 m clearances: (100 - 15) / 105 = 0.81 -> 0
    assert berths_from_quay_length(100, 90, 15) == 0
    # the same quay with 5 m clearances: (100 - 5) / 95 = 1
    assert berths_from_quay_length(100, 90, 5) == 1
    # default gap 15 m: (500 - 15) / (150 + 15) = 2.94 -> 2
    assert berths_from_quay_length(500, 150) == 2
    # a quay shorter than one clearance gives 0, not a negative count
    assert berths_from_quay_length(5, 90, 10) == 0


def test_berths_from_quay_length_broadcasts_and_is_integer():
    got = berths_from_quay_length([[230], [450]], [100, 200], 10)
    # 230: (220/110 = 2, 220/210 = 1.05 -> 1); 450: (440/110 = 4, 440/210 = 2.10 -> 2)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, [[2, 1], [4, 2]])


def test_berths_from_quay_length_every_problem_at_once():
    with raises_exactly(
        "quay_length_m: must be >= 0 and finite, got -1; "
        "ship_length_m: must be > 0 and finite, got 0; "
        "gap_m: must be >= 0 and finite, got nan"
    ):
        berths_from_quay_length(-1, 0, NAN)


# ---------------------------------------------------------------------------
# yard capacity


def test_yard_capacity_hand_cases():
    # static 10,000 m2 x 2.0 t/m2 x 0.7 = 14,000 t; turnovers 365 / 10 = 36.5; 14,000 x 36.5 = 511,000 t/yr
    assert yard_capacity_tonnes_per_year(10_000, 2.0, 10, 0.7) == pytest.approx(511_000.0, rel=1e-14)
    # static 5,000 x 3.0 x 0.6 = 9,000 t; turnovers 300 / 15 = 20; 9,000 x 20 = 180,000 t/yr
    assert yard_capacity_tonnes_per_year(5_000, 3.0, 15, 0.6, operating_days=300) == pytest.approx(180_000.0, rel=1e-14)


def test_yard_capacity_broadcasts():
    # dwell 5, 10, 20 days: 14,000 x 73 = 1,022,000; x 36.5 = 511,000; x 18.25 = 255,500
    got = yard_capacity_tonnes_per_year(10_000, 2.0, [5, 10, 20], 0.7)
    np.testing.assert_allclose(got, [1_022_000.0, 511_000.0, 255_500.0], rtol=1e-14)


def test_yard_capacity_every_problem_at_once():
    with raises_exactly(
        "area_m2: must be >= 0 and finite, got -10; "
        "stacking_density_tonnes_per_m2: must be >= 0 and finite, got nan; "
        "dwell_days: must be > 0 and finite, got 0; "
        "max_utilisation: must be in (0, 1], got 1.5; "
        "operating_days: must be in (0, 366], got 400"
    ):
        yard_capacity_tonnes_per_year(-10, NAN, 0, 1.5, operating_days=400)


# ---------------------------------------------------------------------------
# throughput


def test_throughput_hand_five_years():
    # one berth: 1 x 7,000 h x 0.5 x 250 t/h = 875,000 t/yr at the maximum occupancy 0.5
    cap = berth_capacity_tonnes_per_year(1, 7000, 250, 0.5)
    demand = [400_000, 600_000, 800_000, 1_000_000, 1_200_000]
    r = throughput(demand, cap, max_berth_occupancy=0.5)
    assert isinstance(r, Throughput)
    # min(demand, 875,000)
    np.testing.assert_allclose(r.throughput, [400_000, 600_000, 800_000, 875_000, 875_000], rtol=1e-15)
    # 1,000,000 - 875,000 = 125,000; 1,200,000 - 875,000 = 325,000
    np.testing.assert_allclose(r.unmet, [0, 0, 0, 125_000, 325_000], rtol=1e-15)
    # 400/875 = 0.457142857, 600/875 = 0.685714286, 800/875 = 0.914285714, 1, 1
    np.testing.assert_allclose(
        r.utilisation, [0.457142857142857, 0.685714285714286, 0.914285714285714, 1.0, 1.0], rtol=1e-12
    )
    # berth occupancy: 400,000 t / 250 t/h = 1,600 berth-hours / 7,000 h = 0.228571429 (= 0.4571 x 0.5)
    # 600,000: 2,400 / 7,000 = 0.342857143; 800,000: 3,200 / 7,000 = 0.457142857; at capacity 0.5
    np.testing.assert_allclose(
        r.occupancy, [0.228571428571429, 0.342857142857143, 0.457142857142857, 0.5, 0.5], rtol=1e-12
    )
    assert set(r.as_dict()) == {"throughput", "unmet", "utilisation", "occupancy"}


def test_throughput_scalar_and_zero_capacity():
    r = throughput(100.0, 0.0)
    assert r.throughput == 0.0 and r.unmet == 100.0
    assert np.isnan(r.utilisation) and np.isnan(r.occupancy)  # 0 / 0 capacity: undefined
    r = throughput(50.0, np.inf)  # no limit
    assert r.throughput == 50.0 and r.unmet == 0.0 and r.utilisation == 0.0
    # default max_berth_occupancy = 1: occupancy equals utilisation (a yard capacity)
    r = throughput(30.0, 40.0)
    assert r.utilisation == pytest.approx(0.75) and r.occupancy == pytest.approx(0.75)


def test_throughput_broadcasting_equals_looping():
    rng = np.random.default_rng(7)
    demand = rng.uniform(0, 2e6, size=(3, 4, 6))
    capacity = rng.uniform(5e5, 1.5e6, size=(4, 1))  # one capacity per column, constant in time
    occ = np.array([0.4, 0.5, 0.6, 0.7])[:, None]
    r = throughput(demand, capacity, occ)
    for i in range(3):
        for j in range(4):
            for t in range(6):
                one = throughput(demand[i, j, t], capacity[j, 0], occ[j, 0])
                assert r.throughput[i, j, t] == one.throughput
                assert r.unmet[i, j, t] == one.unmet
                assert r.utilisation[i, j, t] == one.utilisation
                assert r.occupancy[i, j, t] == one.occupancy


def test_throughput_every_problem_at_once():
    with raises_exactly(
        "demand: must be >= 0 and finite, got nan (and 1 more); "
        "capacity: must be >= 0, got -5; "
        "max_berth_occupancy: must be in (0, 1], got 0"
    ):
        throughput([1.0, NAN, -2.0], -5, max_berth_occupancy=0)


@pytest.mark.parametrize(
    "demand, capacity, message",
    [
        ([1, -1], 10, "demand: must be >= 0 and finite, got -1"),
        ([NAN], 10, "demand: must be >= 0 and finite, got nan"),
        ([1], NAN, "capacity: must be >= 0, got nan"),
    ],
)
def test_throughput_each_rule(demand, capacity, message):
    with raises_exactly(message):
        throughput(demand, capacity)


def test_throughput_shape_mismatch():
    with raises_exactly("capacity: must broadcast against demand, got shapes (2,) and (3,)"):
        throughput([1, 2, 3], [1, 2])


_amounts = st.floats(0, 1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    demand=hnp.arrays(np.float64, st.integers(1, 30), elements=_amounts),
    capacity=_amounts,
    occ=st.floats(0.01, 1.0),
)
def test_throughput_properties(demand, capacity, occ):
    r = throughput(demand, capacity, occ)
    assert np.all(r.throughput <= demand)
    assert np.all(r.throughput <= capacity)
    assert np.all(r.throughput >= 0)
    assert np.all(r.unmet >= 0)
    np.testing.assert_allclose(r.throughput + r.unmet, demand, rtol=1e-12, atol=1e-6)
    if capacity > 0:
        assert np.all((r.utilisation >= 0) & (r.utilisation <= 1))
        assert np.all(r.occupancy <= occ * (1 + 1e-12))


# ---------------------------------------------------------------------------
# expansion

YEARS = list(range(2030, 2038))  # 8 years, t = 0..7


def _hand_expansion():
    # base 1,000,000 t/yr; phase A +500,000 t/yr for Rp100 bn, phase B +500,000 t/yr for Rp150 bn;
    # trigger when demand > 0.8 x capacity in service; 2 years from trigger to service
    demand = [700_000, 800_000, 900_000, 1_100_000, 1_150_000, 1_250_000, 1_300_000, 1_600_000]
    phases = [Phase(500_000, 100e9), {"capacity_tonnes_per_year": 500_000, "capex_idr": 150e9}]
    return expand(demand, 1_000_000, phases, years=YEARS, trigger_occupancy=0.8, lead_time_years=2)


def test_expand_hand_case():
    r = _hand_expansion()
    assert isinstance(r, Expansion)
    # 2030: 700k > 800k? no.  2031: 800k > 800k? no (strictly above).
    # 2032: 900k > 800k -> phase A triggered, Rp100 bn in 2032, in service 2032 + 2 = 2034.
    # 2033: 1,100k > 800k but A is still being built -> B is not triggered; capped at 1,000k, 100k unmet.
    # 2034: capacity 1,500k; 1,150k > 1,200k? no.
    # 2035: 1,250k > 1,200k -> phase B triggered, Rp150 bn in 2035, in service 2037.
    # 2036: capacity 1,500k, demand 1,300k.  2037: capacity 2,000k, demand 1,600k (no phases left).
    np.testing.assert_array_equal(r.trigger_year, [2032.0, 2035.0])
    np.testing.assert_array_equal(r.online_year, [2034.0, 2037.0])
    np.testing.assert_array_equal(
        r.capacity_tonnes_per_year, [1e6, 1e6, 1e6, 1e6, 1.5e6, 1.5e6, 1.5e6, 2e6]
    )
    np.testing.assert_array_equal(r.capex_idr, [0, 0, 100e9, 0, 0, 150e9, 0, 0])
    np.testing.assert_array_equal(
        r.throughput_tonnes, [700_000, 800_000, 900_000, 1_000_000, 1_150_000, 1_250_000, 1_300_000, 1_600_000]
    )
    np.testing.assert_array_equal(r.unmet_tonnes, [0, 0, 0, 100_000, 0, 0, 0, 0])
    # 0.7, 0.8, 0.9, 1.0, 1150/1500 = 0.766667, 1250/1500 = 0.833333, 1300/1500 = 0.866667, 1600/2000 = 0.8
    np.testing.assert_allclose(
        r.utilisation, [0.7, 0.8, 0.9, 1.0, 0.766666666666667, 0.833333333333333, 0.866666666666667, 0.8], rtol=1e-12
    )
    assert set(r.as_dict()) == {
        "capacity_tonnes_per_year", "throughput_tonnes", "unmet_tonnes", "utilisation",
        "capex_idr", "trigger_year", "online_year", "blocked_year",
    }
    assert np.isnan(r.blocked_year)  # every phase allowed: none blocked


def test_expand_blocked_year_is_when_the_first_phase_not_allowed_would_fire():
    # the hand case allowed one phase: B would have fired in 2035 (1,250k > 0.8 x 1,500k); allowed
    # none: A would have fired in 2032; demand keeps rising, capacity stays 1,000k
    demand = [700_000, 800_000, 900_000, 1_100_000, 1_150_000, 1_250_000, 1_300_000, 1_600_000]
    phases = [(500_000, 100e9), (500_000, 150e9)]
    one = expand(demand, 1_000_000, phases, years=YEARS, trigger_occupancy=0.8, lead_time_years=2, max_phases=1)
    none = expand(demand, 1_000_000, phases, years=YEARS, trigger_occupancy=0.8, lead_time_years=2, max_phases=0)
    assert float(one.blocked_year) == 2035.0 and float(none.blocked_year) == 2032.0
    np.testing.assert_array_equal(none.capacity_tonnes_per_year, np.full(8, 1e6))
    np.testing.assert_array_equal(none.capex_idr, np.zeros(8))


def test_expand_never_triggers():
    # demand 500k against 1,000k: utilisation 0.5, never above 0.8
    r = expand([500_000] * 8, 1_000_000, [(500_000, 100e9), (500_000, 150e9)],
               years=YEARS, trigger_occupancy=0.8, lead_time_years=2)
    assert np.all(np.isnan(r.trigger_year)) and np.all(np.isnan(r.online_year))
    np.testing.assert_array_equal(r.capex_idr, np.zeros(8))
    np.testing.assert_array_equal(r.capacity_tonnes_per_year, np.full(8, 1e6))
    np.testing.assert_array_equal(r.utilisation, np.full(8, 0.5))


def test_expand_zero_lead_time_and_trigger_one():
    # trigger 1.0: expand when demand exceeds capacity. 2030: 900k > 1,000k? no.
    # 2031: 1,300k > 1,000k -> triggered, in service the same year: capacity 1,500k, nothing unmet.
    # 2032: 1,600k > 1,500k, but there is no phase left: 100k unmet.
    r = expand([900_000, 1_300_000, 1_600_000], 1_000_000, [(500_000, 7e9)],
               years=[2030, 2031, 2032], trigger_occupancy=1.0, lead_time_years=0)
    np.testing.assert_array_equal(r.trigger_year, [2031.0])
    np.testing.assert_array_equal(r.online_year, [2031.0])
    np.testing.assert_array_equal(r.capacity_tonnes_per_year, [1e6, 1.5e6, 1.5e6])
    np.testing.assert_array_equal(r.unmet_tonnes, [0, 0, 100_000])
    np.testing.assert_array_equal(r.capex_idr, [0, 7e9, 0])


def test_expand_capacity_after_horizon_and_no_phases():
    # triggered in the last year with a 3-year lead: capex booked, capacity beyond the horizon
    r = expand([100, 200], 150, [(100, 5.0)], years=[2040, 2041], trigger_occupancy=0.9, lead_time_years=3)
    np.testing.assert_array_equal(r.trigger_year, [2041.0])
    np.testing.assert_array_equal(r.online_year, [2044.0])
    np.testing.assert_array_equal(r.capacity_tonnes_per_year, [150, 150])
    np.testing.assert_array_equal(r.capex_idr, [0, 5.0])
    # no phases at all: plain capacity-limited throughput
    r = expand([100, 200], 150, [], years=[2040, 2041], trigger_occupancy=0.9, lead_time_years=3)
    assert r.trigger_year.shape == (0,)
    np.testing.assert_array_equal(r.throughput_tonnes, [100, 150])
    np.testing.assert_array_equal(r.unmet_tonnes, [0, 50])


def test_expand_broadcasting_equals_looping():
    rng = np.random.default_rng(11)
    years = list(range(2030, 2045))
    growth = rng.uniform(0.0, 0.12, size=(2, 3, 1))
    demand = 600_000 * (1 + growth) ** np.arange(15)  # (2, 3, 15)
    base = rng.uniform(8e5, 1.2e6, size=(2, 3, 1))  # one base capacity per scenario
    trig = np.array([0.7, 0.85, 1.0])  # per column
    lead = np.array([[1], [3]])  # per row
    cap_a = np.array([300_000.0, 400_000.0, 500_000.0])  # phase A size per column
    phases = [(cap_a, 50e9), (600_000.0, np.array([[70e9], [90e9]]))]
    r = expand(demand, base, phases, years=years, trigger_occupancy=trig, lead_time_years=lead)
    assert r.capacity_tonnes_per_year.shape == (2, 3, 15)
    assert r.trigger_year.shape == (2, 3, 2)
    fired = 0
    for i in range(2):
        for j in range(3):
            one = expand(demand[i, j], base[i, j, 0], [(cap_a[j], 50e9), (600_000.0, [70e9, 90e9][i])],
                         years=years, trigger_occupancy=trig[j], lead_time_years=lead[i, 0])
            for name, value in one.as_dict().items():
                np.testing.assert_array_equal(getattr(r, name)[i, j], value, err_msg=f"{name}[{i}, {j}]")
            fired += np.sum(~np.isnan(one.trigger_year))
    assert fired >= 3  # the comparison exercises triggered phases, not only idle ones


@settings(max_examples=150, deadline=None)
@given(
    demand=hnp.arrays(np.float64, st.integers(1, 20), elements=_amounts),
    base=_amounts,
    sizes=st.lists(st.tuples(_amounts, st.floats(0, 1e12)), max_size=4),
    trig=st.floats(0.05, 1.0),
    lead=st.integers(0, 5),
)
def test_expand_properties(demand, base, sizes, trig, lead):
    years = np.arange(2030, 2030 + demand.size)
    r = expand(demand, base, sizes, years=years, trigger_occupancy=trig, lead_time_years=lead)
    assert np.all(r.throughput_tonnes <= demand)
    assert np.all(r.throughput_tonnes <= r.capacity_tonnes_per_year)
    assert np.all(r.unmet_tonnes >= 0)
    np.testing.assert_allclose(r.throughput_tonnes + r.unmet_tonnes, demand, rtol=1e-12, atol=1e-6)
    assert np.all(r.capacity_tonnes_per_year >= base)
    assert np.all(np.diff(r.capacity_tonnes_per_year) >= 0)  # constant base: capacity never falls
    # phases in order: triggered ones first, trigger years strictly increasing (one a year at most)
    fired = ~np.isnan(r.trigger_year)
    n = int(fired.sum())
    assert np.all(fired[:n])
    assert np.all(np.diff(r.trigger_year[:n]) > 0)
    np.testing.assert_array_equal(r.online_year[:n], r.trigger_year[:n] + lead)
    # capex: exactly the triggered phases' capex, each in its trigger year
    expected = np.zeros(demand.size)
    for k in range(n):
        expected[int(r.trigger_year[k]) - 2030] += sizes[k][1]
    np.testing.assert_allclose(r.capex_idr, expected, rtol=1e-15)


def test_expand_every_problem_at_once():
    with raises_exactly(
        "demand: must be >= 0 and finite, got nan (and 1 more); "
        "base_capacity: must be >= 0, got -1; "
        "trigger_occupancy: must be in (0, 1], got 1.5; "
        "lead_time_years: must be a whole number >= 0, got -1; "
        "years: must be 1-D with one entry per year of demand (3), got shape (2,); "
        "phases[0].capacity_tonnes_per_year: must be >= 0 and finite, got -5; "
        "phases[1].capex_idr: must be >= 0 and finite, got nan"
    ):
        expand([1.0, NAN, -3.0], -1, [(-5, 1.0), Phase(1.0, NAN)],
               years=[2030, 2031], trigger_occupancy=1.5, lead_time_years=-1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"trigger_occupancy": 0}, "trigger_occupancy: must be in (0, 1], got 0"),
        ({"trigger_occupancy": -0.2}, "trigger_occupancy: must be in (0, 1], got -0.2"),
        ({"trigger_occupancy": 1.01}, "trigger_occupancy: must be in (0, 1], got 1.01"),
        ({"lead_time_years": -2}, "lead_time_years: must be a whole number >= 0, got -2"),
        ({"lead_time_years": 1.5}, "lead_time_years: must be a whole number >= 0, got 1.5"),
        ({"demand": [1.0, -1.0]}, "demand: must be >= 0 and finite, got -1"),
        ({"demand": [NAN, 1.0]}, "demand: must be >= 0 and finite, got nan"),
        ({"demand": 5.0}, "demand: needs a time axis (the last axis), got a scalar"),
        ({"years": [2030, 2031, 2032]}, "years: must be 1-D with one entry per year of demand (2), got shape (3,)"),
        ({"years": [2030, 2032]}, "years: must be consecutive whole calendar years, got ['2030', '2032']"),
        ({"phases": [(1.0,)]}, f"phases[0]: {PHASE_RULE}, got (1.0,)"),
        ({"phases": ["ab"]}, f"phases[0]: {PHASE_RULE}, got 'ab'"),
        ({"phases": [{"capex_idr": 1.0}]},
         "phases[0]: must have keys 'capacity_tonnes_per_year' and 'capex_idr', missing ['capacity_tonnes_per_year']"),
        ({"phases": Phase(1.0, 1.0)}, "phases: must be a sequence of phases, got Phase"),
    ],
)
def test_expand_each_rule(kwargs, message):
    args = {"demand": [1.0, 2.0], "base_capacity": 10.0, "phases": [(1.0, 1.0)],
            "years": [2030, 2031], "trigger_occupancy": 0.8, "lead_time_years": 1}
    args.update(kwargs)
    demand, base, phases = args.pop("demand"), args.pop("base_capacity"), args.pop("phases")
    with raises_exactly(message):
        expand(demand, base, phases, **args)


def test_expand_shape_mismatch():
    with pytest.raises(ValueError, match=r"^inputs: shapes do not broadcast"):
        expand(np.ones((2, 3)), 10.0, [(1.0, 1.0)], years=[2030, 2031, 2032],
               trigger_occupancy=[0.5, 0.6, 0.7], lead_time_years=1)


def test_expansion_looking_ahead_decides_a_lead_time_earlier():
    # demand 80, 95, 110, 130 against 100 t, trigger 0.9, lead time 2. Now: 95 > 90 in 2031, in service 2033.
    # Looking ahead: in 2030 the demand of 2032 (110) > 90 already: triggered in 2030, in service 2032, when it is needed
    now = expand([80, 95, 110, 130], 100, [(50, 1e9)], years=[2030, 2031, 2032, 2033], trigger_occupancy=0.9, lead_time_years=2)
    ahead = expand([80, 95, 110, 130], 100, [(50, 1e9)], years=[2030, 2031, 2032, 2033], trigger_occupancy=0.9, lead_time_years=2,
                   look_ahead=True)
    assert now.trigger_year.tolist() == [2031.0] and ahead.trigger_year.tolist() == [2030.0]
    assert ahead.capacity_tonnes_per_year.tolist() == [100.0, 100.0, 150.0, 150.0]
    assert ahead.unmet_tonnes.tolist() == [0.0, 0.0, 0.0, 0.0] and now.unmet_tonnes.tolist() == [0.0, 0.0, 10.0, 0.0]
    # near the end the forecast is the last year's: 100 t demand in the last year, lead time 3, triggered in year 0
    late = expand([50, 60, 70, 100], 100, [(50, 1e9)], years=[2030, 2031, 2032, 2033], trigger_occupancy=0.9, lead_time_years=3,
                  look_ahead=True)
    assert late.trigger_year.tolist() == [2030.0] and late.online_year.tolist() == [2033.0]
    # vectorised: one row looks two years ahead (2032: 110 > 90, triggered 2030), the other, with no lead time, at the
    # same year (2031: 95 > 90)
    both = expand([[80, 95, 110, 130]] * 2, 100, [(50, 1e9)], years=[2030, 2031, 2032, 2033], trigger_occupancy=0.9,
                  lead_time_years=np.array([2, 0]), look_ahead=True)
    assert both.trigger_year[:, 0].tolist() == [2030.0, 2031.0]
