"""Bottom-up demand, lab samples, ramp-up and cross-checks (feasibility.domain.buildup).

Expected numbers are worked out by hand in the comments from the formulas in the
module docstrings; nothing is compared with an earlier output of the code.
Broadcasting is checked against a plain Python loop (hypothesis and 2-D examples).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from feasibility.domain.buildup import (
    RAMP_KINDS,
    CrossCheck,
    cross_check,
    hinterland_cargo_tonnes,
    lab_samples,
    ramp_up,
    regional_cargo_tonnes,
)

NAN = float("nan")


# ---------------------------------------------------------------------------
# hinterland and regional cargo


def test_hinterland_hand_case():
    # 150 companies x 2,000 t = 300,000 t
    # x (1 - 0.3 own terminals) = 210,000 t reach public ports
    # x (1 - 0.5 competitors)   = 105,000 t left for the new port to compete for
    # x 0.4 capture             =  42,000 t
    got = hinterland_cargo_tonnes(150, 2000, 0.4, own_terminal_share=0.3, competitor_share=0.5)
    assert got == pytest.approx(42_000.0, rel=1e-12)
    assert np.ndim(got) == 0


def test_hinterland_defaults_no_own_terminals_no_competitors():
    # 73 firms x 1,000 t x 1 x 1 x 0.5 = 36,500 t
    assert hinterland_cargo_tonnes(73, 1000, 0.5) == pytest.approx(36_500.0)


def test_hinterland_zero_edges():
    # all cargo through own terminals, or all taken by competitors, or no capture: 0 t
    assert hinterland_cargo_tonnes(400, 5000, 0.5, own_terminal_share=1.0) == 0.0
    assert hinterland_cargo_tonnes(400, 5000, 0.5, competitor_share=1.0) == 0.0
    assert hinterland_cargo_tonnes(400, 5000, 0.0) == 0.0
    assert hinterland_cargo_tonnes(0, 5000, 1.0) == 0.0


def test_hinterland_over_years_and_scenarios():
    # companies grow over 3 years; capture shares per scenario (low, base, high) as a column
    companies = np.array([100.0, 110.0, 120.0])
    capture = np.array([[0.1], [0.2], [0.4]])
    got = hinterland_cargo_tonnes(companies, 1000, capture, own_terminal_share=0.5, competitor_share=0.0)
    # 100 x 1000 x 0.5 = 50,000; 110 -> 55,000; 120 -> 60,000; times 0.1 / 0.2 / 0.4
    want = np.array(
        [
            [5_000.0, 5_500.0, 6_000.0],
            [10_000.0, 11_000.0, 12_000.0],
            [20_000.0, 22_000.0, 24_000.0],
        ]
    )
    assert got.shape == (3, 3)
    np.testing.assert_allclose(got, want, rtol=1e-12)


shares_st = hnp.arrays(float, (2, 3), elements=st.floats(0, 1))
vol_st = hnp.arrays(float, (2, 3), elements=st.floats(0, 1e6))


@settings(max_examples=50, deadline=None)
@given(n=vol_st, q=vol_st, c=shares_st, own=shares_st, comp=shares_st)
def test_hinterland_broadcast_equals_loop(n, q, c, own, comp):
    got = hinterland_cargo_tonnes(n, q, c, own_terminal_share=own, competitor_share=comp)
    for i in range(2):
        for j in range(3):
            one = hinterland_cargo_tonnes(
                n[i, j], q[i, j], c[i, j], own_terminal_share=own[i, j], competitor_share=comp[i, j]
            )
            assert got[i, j] == pytest.approx(float(one), rel=1e-12, abs=1e-9)
            # and the formula itself, written out
            want = n[i, j] * q[i, j] * (1 - own[i, j]) * (1 - comp[i, j]) * c[i, j]
            assert float(one) == pytest.approx(want, rel=1e-12, abs=1e-9)


def test_regional_cargo_hand_and_broadcast():
    # 20 Mt x 0.2 % = 40,000 t ; 17 Mt x 0.5 % = 85,000 t
    assert regional_cargo_tonnes(20e6, 0.002) == pytest.approx(40_000.0)
    got = regional_cargo_tonnes([20e6, 17e6], [[0.002], [0.005]])
    np.testing.assert_allclose(got, [[40_000.0, 34_000.0], [100_000.0, 85_000.0]])


# ---------------------------------------------------------------------------
# lab samples


def test_lab_samples_zero_before_accreditation_full_from_it():
    years = np.arange(2026, 2031)
    got = lab_samples(100, 12, 0.5, years, 2028)
    # 100 companies x 12 samples x 0.5 capture = 600 samples/yr from 2028 on
    np.testing.assert_array_equal(got, [0.0, 0.0, 600.0, 600.0, 600.0])


def test_lab_samples_accreditation_per_scenario():
    years = [2026, 2027, 2028]
    acc = np.array([[2026], [2027], [2029]])  # early, base, late (after the horizon)
    got = lab_samples([50, 60, 70], 4, 1.0, years, acc)
    # 50 x 4 = 200, 60 x 4 = 240, 70 x 4 = 280
    want = [[200.0, 240.0, 280.0], [0.0, 240.0, 280.0], [0.0, 0.0, 0.0]]
    np.testing.assert_array_equal(got, want)
    # equals looping over scenarios
    for s in range(3):
        np.testing.assert_array_equal(got[s], lab_samples([50, 60, 70], 4, 1.0, years, int(acc[s, 0])))


def test_lab_samples_scalar_year():
    assert lab_samples(10, 2, 0.5, 2027, 2028) == 0.0
    assert lab_samples(10, 2, 0.5, 2028, 2028) == pytest.approx(10.0)  # 10 x 2 x 0.5


# ---------------------------------------------------------------------------
# ramp-up


def test_ramp_linear_hand_values():
    # start 0.2, full in 4 years: +0.8/4 = +0.2 a year
    np.testing.assert_allclose(ramp_up("linear", 4, 6, start_share=0.2), [0.2, 0.4, 0.6, 0.8, 1.0, 1.0])
    # start 0, full in 3 years: 0, 1/3, 2/3, 1
    np.testing.assert_allclose(ramp_up("linear", 3, 5), [0, 1 / 3, 2 / 3, 1, 1])
    # fractional: full in 2.5 years -> 0, 0.4, 0.8, 1
    np.testing.assert_allclose(ramp_up("linear", 2.5, 4), [0, 0.4, 0.8, 1])
    # already full
    np.testing.assert_array_equal(ramp_up("linear", 0, 3, start_share=0.3), [1, 1, 1])


S_TOL = 1e-12  # the rescaled logistic hits 1 at years_to_full up to rounding


@pytest.mark.parametrize(
    "Y, start, mid, k", [(4, 0.0, None, None), (5, 0.1, None, None), (6, 0.3, 1.0, 0.5), (3, 0.0, 5.0, 3.0)]
)
def test_ramp_s_curve_monotone_and_full_at_years_to_full(Y, start, mid, k):
    r = ramp_up("s_curve", Y, Y + 4, start_share=start, midpoint=mid, steepness=k)
    assert r.shape == (Y + 4,)
    assert r[0] == pytest.approx(start, abs=S_TOL)
    assert np.all(np.diff(r) >= -S_TOL)
    assert np.all((r >= start - S_TOL) & (r <= 1.0 + S_TOL))
    assert abs(r[Y] - 1.0) <= S_TOL
    np.testing.assert_array_equal(r[Y:], 1.0)
    assert np.all(r[1:Y] < 1.0)


def test_ramp_s_curve_hand_midpoint():
    # Y = 4, default midpoint 2, k = 8/4 = 2: L(0) = 1/(1+e^4), L(4) = 1/(1+e^-4) = 1 - L(0),
    # L(2) = 1/2, so (L(2) - L(0)) / (L(4) - L(0)) = (1/2 - L0) / (1 - 2 L0) = 1/2 exactly.
    r = ramp_up("s_curve", 4, 5)
    assert r[2] == pytest.approx(0.5, abs=1e-12)
    # year 1: L(1) = 1/(1+e^2) = 0.1192029; L0 = 0.0179862; L(4) - L0 = 0.9820138 - 0.0179862 = 0.9640276;
    # (0.1192029 - 0.0179862) / 0.9640276 = 0.1012167 / 0.9640276 = 0.1049936
    assert r[1] == pytest.approx(0.1049936, abs=1e-6)
    # symmetric about the midpoint: r_1 + r_3 = 1
    assert r[1] + r[3] == pytest.approx(1.0, abs=1e-12)
    # with a start share 0.2: 0.2 + 0.8 x 0.5 = 0.6 at the midpoint
    assert ramp_up("s_curve", 4, 5, start_share=0.2)[2] == pytest.approx(0.6, abs=1e-12)


def test_ramp_list_then_one():
    np.testing.assert_array_equal(ramp_up("list", None, 5, shares=[0.3, 0.6, 0.9]), [0.3, 0.6, 0.9, 1, 1])
    np.testing.assert_array_equal(ramp_up("list", 3, 4, shares=[0.3, 0.6, 0.9]), [0.3, 0.6, 0.9, 1])
    # longer than the horizon: cut
    np.testing.assert_array_equal(ramp_up("list", None, 2, shares=[0.3, 0.6, 0.9]), [0.3, 0.6])
    # a dip is allowed in an explicit list
    np.testing.assert_array_equal(ramp_up("list", None, 3, shares=[0.5, 0.4]), [0.5, 0.4, 1])


def test_ramp_broadcast_over_scenarios_equals_loop():
    Y = np.array([2.0, 4.0, 5.0])
    start = np.array([0.0, 0.5, 0.1])
    for kind in ("linear", "s_curve"):
        got = ramp_up(kind, Y, 7, start_share=start)
        assert got.shape == (3, 7)
        for i in range(3):
            np.testing.assert_allclose(got[i], ramp_up(kind, Y[i], 7, start_share=start[i]), rtol=0, atol=1e-12)
    # linear, scenario 2 by hand: 0.5 + 0.5 t/4 -> 0.5, 0.625, 0.75, 0.875, 1
    np.testing.assert_allclose(ramp_up("linear", Y, 7, start_share=start)[1, :5], [0.5, 0.625, 0.75, 0.875, 1])


def test_ramp_times_demand():
    # full demand 42,000 t, linear ramp from 0.25 over 3 years: 0.25, 0.5, 0.75, 1
    full = hinterland_cargo_tonnes(150, 2000, 0.4, own_terminal_share=0.3, competitor_share=0.5)
    np.testing.assert_allclose(full * ramp_up("linear", 3, 4, start_share=0.25), [10_500, 21_000, 31_500, 42_000])


# ---------------------------------------------------------------------------
# cross-check


def test_cross_check_hand():
    bu = [42_000, 60_000, 30_000, 50_000]
    td = [40_000, 40_000, 40_000, 40_000]
    cc = cross_check(bu, td)
    assert isinstance(cc, CrossCheck)
    # ratios 42/40 = 1.05, 60/40 = 1.5, 30/40 = 0.75, 50/40 = 1.25
    np.testing.assert_allclose(cc.ratio, [1.05, 1.5, 0.75, 1.25])
    # relative differences +5 %, +50 %, -25 %, +25 %
    np.testing.assert_allclose(cc.relative_difference, [0.05, 0.5, -0.25, 0.25])
    # flagged when |diff| > 25 %: exactly 25 % is not flagged
    np.testing.assert_array_equal(cc.flagged, [False, True, False, False])
    assert cc.tolerance == 0.25 and cc.any_flagged
    # a tighter tolerance of 10 % flags all but the first
    np.testing.assert_array_equal(cross_check(bu, td, tolerance=0.1).flagged, [False, True, True, True])
    assert set(cc.as_dict()) == {"ratio", "relative_difference", "flagged", "tolerance"}


def test_cross_check_zero_top_down_and_scalars():
    cc = cross_check([0.0, 5.0, 10.0], [0.0, 0.0, 10.0])
    assert np.isnan(cc.ratio[0]) and np.isnan(cc.ratio[1]) and cc.ratio[2] == 1.0
    # both zero agree; bottom-up > 0 against a zero top-down is flagged
    np.testing.assert_array_equal(cc.flagged, [False, True, False])
    one = cross_check(42_000, 42_000)
    assert one.ratio == 1.0 and one.relative_difference == 0.0 and not one.any_flagged


def test_cross_check_bottom_up_vs_regional_2d():
    # scenarios x years: bottom-up per scenario against one regional series x 0.2 %
    bu = np.array([[30_000.0, 40_000.0], [42_000.0, 60_000.0]])
    td = regional_cargo_tonnes([20e6, 20e6], 0.002)  # 40,000 t both years
    cc = cross_check(bu, td)
    np.testing.assert_allclose(cc.ratio, [[0.75, 1.0], [1.05, 1.5]])
    np.testing.assert_array_equal(cc.flagged, [[False, False], [False, True]])
    for i in range(2):
        np.testing.assert_array_equal(cross_check(bu[i], td).flagged, cc.flagged[i])


# ---------------------------------------------------------------------------
# bad input: every problem, all in one message


def _all_in(msg: str, parts: list[str]) -> None:
    for p in parts:
        assert p in msg, f"{p!r} missing from {msg!r}"


def test_hinterland_bad_inputs_all_listed():
    with pytest.raises(ValueError) as e:
        hinterland_cargo_tonnes(-1, NAN, 1.2, own_terminal_share=-0.1, competitor_share=2)
    _all_in(
        str(e.value),
        [
            "companies: must be >= 0 and finite, got -1",
            "tonnes_per_company: must be >= 0 and finite, got nan",
            "capture_share: must be in [0, 1], got 1.2",
            "own_terminal_share: must be in [0, 1], got -0.1",
            "competitor_share: must be in [0, 1], got 2",
        ],
    )
    assert str(e.value).count(";") == 4


def test_hinterland_nan_share_and_inf_volume_and_array_count():
    with pytest.raises(ValueError) as e:
        hinterland_cargo_tonnes([1, -2, -3], float("inf"), NAN)
    _all_in(
        str(e.value),
        [
            "companies: must be >= 0 and finite, got -2 (and 1 more)",
            "tonnes_per_company: must be >= 0 and finite, got inf",
            "capture_share: must be in [0, 1], got nan",
        ],
    )


def test_regional_bad_inputs_all_listed():
    with pytest.raises(ValueError) as e:
        regional_cargo_tonnes(-5, 1.5)
    _all_in(str(e.value), ["regional_tonnes: must be >= 0 and finite, got -5", "market_share: must be in [0, 1], got 1.5"])


def test_lab_bad_inputs_all_listed():
    with pytest.raises(ValueError) as e:
        lab_samples(-3, NAN, -0.5, [2026, 2027.5], NAN)
    _all_in(
        str(e.value),
        [
            "companies: must be >= 0 and finite, got -3",
            "samples_per_company: must be >= 0 and finite, got nan",
            "capture_share: must be in [0, 1], got -0.5",
            "years: must be a whole number, got 2027.5",
            "accreditation_year: must be a whole number, got nan",
        ],
    )


def test_ramp_bad_inputs_all_listed():
    with pytest.raises(ValueError) as e:
        ramp_up("s_curve", -1, 0, start_share=1.5, midpoint=NAN, steepness=0, shares=[0.5])
    _all_in(
        str(e.value),
        [
            "n_years: must be a whole number >= 1, got 0",
            "shares: only used with kind 'list'",
            "years_to_full: must be >= 0 and finite, got -1",
            "start_share: must be in [0, 1], got 1.5",
            "midpoint: must be finite, got nan",
            "steepness: must be > 0 and finite, got 0",
        ],
    )
    with pytest.raises(ValueError) as e:
        ramp_up("list", 2, 2.5, shares=[0.2, 1.2, NAN], midpoint=1)
    _all_in(
        str(e.value),
        [
            "n_years: must be a whole number >= 1, got 2.5",
            "midpoint: only used with kind 's_curve', got 1",
            "shares: must be in [0, 1], got 1.2 (and 1 more)",
            "years_to_full: must be None or len(shares) = 3",
        ],
    )
    with pytest.raises(ValueError) as e:
        ramp_up("exponential", None, 3)
    _all_in(str(e.value), ["kind: must be one of linear, s_curve, list, got 'exponential'", "years_to_full: required"])
    with pytest.raises(ValueError, match=re.escape("shares: required with kind 'list', got None")):
        ramp_up("list", None, 3)
    with pytest.raises(ValueError, match="steepness: only used with kind 's_curve'"):
        ramp_up("linear", 3, 3, steepness=1.0)
    assert set(RAMP_KINDS) == {"linear", "s_curve", "list"}


def test_cross_check_bad_inputs_all_listed():
    with pytest.raises(ValueError) as e:
        cross_check([1.0, -1.0], [NAN, 2.0], tolerance=-0.1)
    _all_in(
        str(e.value),
        [
            "bottom_up: must be >= 0 and finite, got -1",
            "top_down: must be >= 0 and finite, got nan",
            "tolerance: must be >= 0 and finite, got -0.1",
        ],
    )


def test_outputs_finite_for_valid_input():
    r = ramp_up("s_curve", 7, 10, start_share=0.05)
    assert np.all(np.isfinite(r)) and math.isclose(r[7], 1.0)
