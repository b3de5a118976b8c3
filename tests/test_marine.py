"""Marine works from geometry (feasibility.domain.marine), by hand (issue 21, item 5).

The site of the hand numbers: seabed sloping at 0.2 % from a coast that dries at chart datum, a 5,000 DWT
general-cargo ship (105 m long, 6.8 m loaded draft), a berth at -7.5 m and a channel at -8.0 m LWS, a 210 m
turning circle and a 150 x 30 m berth pocket, a 60 m wide channel with 1:5 side slopes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feasibility.domain.marine import channel_cut, design_depth_m, dredging, turning_circle_area_m2

BASIN = math.pi * 210**2 / 4 + 150 * 30  # 34,636.06 + 4,500 = 39,136.06 m2


def site(trestle: object, **kw: object):
    args = {"trestle_length_m": trestle, "slope": 0.002, "shore_depth_m": 0.0, "berth_depth_m": 7.5, "channel_depth_m": 8.0,
                "basin_area_m2": BASIN, "channel_width_m": 60.0, "side_slope": 5.0, "siltation_m_per_year": 0.5,
                "trestle_cost_idr_per_m": 50e6, "dredging_cost_idr_per_m3": 50_000.0}
    args.update(kw)
    return dredging(**args)


def test_design_depth_and_turning_circle() -> None:
    # 6.8 m draft + 10 % under-keel clearance = 7.48 m; + 0.5 m allowance in the channel with 15 %: 8.32 m
    assert design_depth_m(6.8, 0.10) == pytest.approx(7.48)
    assert design_depth_m(6.8, 0.15, 0.5) == pytest.approx(8.32)
    assert turning_circle_area_m2(105.0) == pytest.approx(math.pi * 210**2 / 4)
    assert turning_circle_area_m2(105.0, 1.5) == pytest.approx(math.pi * 157.5**2 / 4)


def test_channel_cut_by_hand() -> None:
    # 3 m of cut at the basin, 0.2 %: 1,500 m long; V = 1500 (60 x 3/2 + 5 x 9/3) = 1500 x 105 = 157,500 m3;
    # plan area 1500 x (60 + 5 x 3) = 112,500 m2
    length, volume, area = channel_cut(3.0, 0.002, 60.0, 5.0)
    assert (length, volume, area) == pytest.approx((1500.0, 157_500.0, 112_500.0))
    # the integral by the trapezoid rule on a fine grid agrees with the closed form
    x = np.linspace(0, 1500, 30_001)
    h = 3.0 - 0.002 * x
    assert np.trapezoid(h * (60 + 5 * h), x) == pytest.approx(157_500.0, rel=1e-8)
    assert channel_cut(0.0, 0.002, 60.0, 5.0) == (0.0, 0.0, 0.0)


def test_a_2_5_km_trestle_needs_about_a_quarter_million_m3_and_a_1_km_trestle_nearly_a_million() -> None:
    d = site(2500.0)
    # natural depth at the head 0.002 x 2500 = 5 m: basin cut 2.5 m x 39,136 m2 = 97,840 m3; channel cut 3 m: 157,500 m3
    assert d.natural_depth_at_berth_m == pytest.approx(5.0)
    assert d.basin_volume_m3 == pytest.approx(BASIN * 2.5)
    assert d.channel_length_m == pytest.approx(1500.0) and d.channel_volume_m3 == pytest.approx(157_500.0)
    assert d.capital_volume_m3 == pytest.approx(BASIN * 2.5 + 157_500.0)  # 255,340 m3
    # maintenance: (basin 39,136 + channel 112,500 m2) x 0.5 m a year = 75,818 m3
    assert d.maintenance_m3_per_year == pytest.approx((BASIN + 112_500.0) * 0.5)
    assert d.trestle_cost_idr == pytest.approx(125e9) and d.dredging_cost_idr == pytest.approx((BASIN * 2.5 + 157_500.0) * 50_000)
    # 1 km: natural depth 2 m; basin cut 5.5 m: 215,248 m3; channel cut 6 m over 3 km: 3000 (180 + 60) = 720,000 m3
    one = site(1000.0)
    assert one.capital_volume_m3 == pytest.approx(BASIN * 5.5 + 720_000.0)  # 935,248 m3
    # 4 km: the seabed is at -8 m already: nothing to dredge, nothing to maintain
    far = site(4000.0)
    assert far.capital_volume_m3 == 0 and far.maintenance_m3_per_year == 0 and far.channel_length_m == 0


def test_the_trade_off_curve_is_vectorised_over_trestle_lengths() -> None:
    lengths = np.linspace(0, 5000, 51)
    d = site(lengths)
    assert d.capital_cost_idr.shape == (51,)
    # a longer trestle never needs more dredging
    assert np.all(np.diff(d.capital_volume_m3) <= 1e-6)
    # at these prices (Rp50 m per metre of trestle, Rp50,000 per m3) dredging from the shore is cheapest:
    # no trestle: basin 7.5 m x 39,136 + channel 8 m over 4 km: 4000 (240 + 106.67) = 1,386,667 m3 -> Rp84.0 bn
    assert d.capital_volume_m3[0] == pytest.approx(BASIN * 7.5 + 4000 * (60 * 8 / 2 + 5 * 64 / 3))
    assert np.argmin(d.capital_cost_idr) == 0
    # at Rp250,000 per m3 the optimum is inside: a metre more of trestle (Rp50 m) saves 0.002 x 39,136 m3 of basin and
    # 60 h0 + 5 h0^2 m3 of channel (h0 = 8 - 0.002 L), worth Rp50 m when 5 h0^2 + 60 h0 + 78.27 = 200:
    # h0 = 1.768 m, L = (8 - 1.768) / 0.002 = 3,116 m
    fine = np.arange(0.0, 5000.0, 1.0)
    dear = site(fine, dredging_cost_idr_per_m3=250_000.0)
    h0 = (-60 + math.sqrt(60**2 + 4 * 5 * (200 - 0.002 * BASIN))) / (2 * 5)
    assert fine[np.argmin(dear.capital_cost_idr)] == pytest.approx((8 - h0) / 0.002, abs=1.0)


@settings(max_examples=40, deadline=None)
@given(t=st.floats(0, 8000), slope=st.floats(0.0005, 0.02), silt=st.floats(0, 2))
def test_volumes_are_never_negative_and_maintenance_follows_the_area(t: float, slope: float, silt: float) -> None:
    d = site(t, slope=slope, siltation_m_per_year=silt)
    for v in (d.basin_volume_m3, d.channel_volume_m3, d.capital_volume_m3, d.dredged_area_m2, d.maintenance_m3_per_year):
        assert v >= 0
    assert d.maintenance_m3_per_year == pytest.approx(d.dredged_area_m2 * silt)
    assert d.capital_cost_idr == pytest.approx(d.trestle_cost_idr + d.dredging_cost_idr)


def test_bad_input_names_every_field() -> None:
    with pytest.raises(ValueError) as err:
        site(-1.0, slope=0.0, dredging_cost_idr_per_m3=float("nan"))
    text = str(err.value)
    assert "trestle_length_m: must be >= 0 and finite, got -1" in text and "dredging_cost_idr_per_m3" in text
    with pytest.raises(ValueError, match="ukc_share: must be in \\[0, 1\\]"):
        design_depth_m(6.8, 1.5)


# ---------------------------------------------------------------------------
# the default case's marine works, wired into its costs


def test_the_default_cases_dredging_and_trestle_follow_its_geometry_by_hand() -> None:
    import math
    import tomllib

    import pytest

    from feasibility.case import DEFAULT_CASE, CaseError, parse_case
    from feasibility.model.inputs import resolve

    case = parse_case(tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8")), base_dir=DEFAULT_CASE.parent)
    port = next(ln for ln in resolve(case).lines if ln.key == "port")
    # 105 m ship, 6.8 m draft: 7.48 m at the berth (UKC 10 %), 7.82 m in the channel (15 %); 2,500 m at 0.17 %: 4.25 m
    natural, berth, channel = 2500 * 0.0017, 6.8 * 1.10, 6.8 * 1.15
    basin = math.pi / 4 * (2 * 105) ** 2 + 135 * 30
    h0 = channel - natural
    length = h0 / 0.0017
    volume = basin * (berth - natural) + length * (80 * h0 / 2 + 5 * h0**2 / 3)
    area = basin + length * (80 + 5 * h0)
    price = 49_000 * 105.49 / 87.79  # the 2019 price in 2026 prices (the case's CPI index)
    assert port.marine.berths == 1  # 135 m holds one 105 m ship with 15 m clearances
    assert float(port.marine.works.capital_volume_m3) == pytest.approx(volume, rel=1e-12)
    assert volume == pytest.approx(469_443, abs=1)
    amounts = {c.name: float(c.amount) for c in port.capex}
    assert amounts["trestle"] == pytest.approx(2500 * 50e6)
    assert amounts["dredging"] == pytest.approx(volume * price, rel=1e-12)
    upkeep = next(c for c in port.opex if c.name == "maintenance_dredging")
    assert float(upkeep.amount) == pytest.approx(area * 0.3 * price, rel=1e-12)
    # the fishers' harm follows the same volumes
    fish = next(x for x in resolve(case).economic.externalities if x.name == "dredging_fisheries")
    assert float(fish.per_unit) == pytest.approx(area * 0.3) and float(fish.once_units) == pytest.approx(volume)

    d = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    d["port"]["marine"]["quay_length_m"]["value"] = 120  # too short for 105 m + 2 x 15 m
    with pytest.raises(CaseError, match=r"port.marine.quay_length_m: is too short for one design ship \(105 m \+ 2 x 15 m"):
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    d["port"]["marine"]["quay_length_m"]["value"] = 135
    d["port"]["capacity"]["berths"] = 2
    with pytest.raises(CaseError, match="port.capacity.berths: must agree with the quay: 135 m holds 1 design ship"):
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    del d["port"]["capacity"]["berths"]
    d["lab"]["capex"]["accreditation"]["amount_from"] = "marine.trestle"
    del d["lab"]["capex"]["accreditation"]["amount_idr"]
    with pytest.raises(CaseError, match="amount_from is for the port's items"):
        parse_case(d, base_dir=DEFAULT_CASE.parent)
