"""The region's budget view, the economic cost-benefit analysis and the PPP (viability-gap) test.

Every expected number is worked out by hand in the comments (amounts in millions
of rupiah where the hand case is used, then scaled by ``M``), or follows from a
closed form or an identity; nothing is compared with an earlier output of the
code.

The hand case (tests/cases/hand_case.toml, see tests/test_model_hand.py): one
construction year 2025, operation 2026-2029, no inflation, nominal basis.
Revenue 0, 50, 100, 100, 100; variable cost 0, 10, 20, 20, 20; staff 10 a year;
concession fee 5 % of revenue; capex land 50 + quay 200 + equipment 40 x 1.25
= 300 in 2025 (quay 20-year and equipment 4-year straight line from 2026);
loan 150 at 10 % repaid 75 + 75; CIT 20 %; receivables one tenth of revenue;
residual = book value 210 + receivables 10; WACC 10 %; capital injection 200
in 2025; net profit 0, -10, 30, 34, 34; dividends declared 0, 0, 7.6, 12.92,
12.92 and paid a year later (the 2029 declaration falls due after the last model year: not paid inside it,
it stays in the company's cash, part of the region's share of the net assets at the end).
"""

from __future__ import annotations

import copy
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feasibility import load_case, run
from feasibility.model.allocation import allocate_profit
from feasibility.metrics import payback_year
from feasibility.case import DEFAULT_CASE, CaseError, parse_case
from feasibility.analysis.ppp import ppp_test

M = 1e6
DATA = Path(__file__).resolve().parent / "cases"
HAND = DATA / "hand_case.toml"
with HAND.open("rb") as _fh:
    HAND_RAW: dict[str, Any] = tomllib.load(_fh)

CF_KEYS = ("output", "construction", "equipment", "land", "operating_costs", "shadow_wage")


def Q(value: Any) -> dict[str, Any]:
    return {"value": value, "source": "test", "confidence": "placeholder"}


def hand_data(**cf: float) -> dict[str, Any]:
    """The hand case as TOML data (a deep copy), with an [economic] section (factors 1 unless given)."""
    d = copy.deepcopy(HAND_RAW)
    d["economic"] = {
        "social_discount_rate": Q(0.10),
        "conversion_factors": {k: Q(float(cf.get(k, 1.0))) for k in CF_KEYS},
        # all of the cargo is new (generated): its payment is the benefit (test_conventions.py has diverted traffic)
        "traffic": {"port": {"cargo_handling": {"diverted_share": Q(0.0), "alternative_cost_idr_per_unit": Q(0.0)}}},
    }
    return d


def with_ppp(d: dict[str, Any], max_share: float = 0.49, min_inv: float = 100e9) -> dict[str, Any]:
    d["ppp"] = {
        "viability_gap_grant_share": Q(0.0),
        "max_grant_share": Q(max_share),
        "min_investment_idr": Q(min_inv),
        "payment": "user_charges",
        "procurement": "competitive_tender",
    }
    return d


def pv(xs: Any, rate: float) -> float:
    """Discounted to the first year (t = 0), as the model does."""
    return sum(x / (1 + rate) ** t for t, x in enumerate(xs))


def mlines(res: Any, name: str) -> np.ndarray:
    return np.asarray(res.lines[name], dtype=float) / M


def check(res: Any, name: str, expected: Any, atol: float = 1e-9) -> None:
    np.testing.assert_allclose(mlines(res, name), expected, rtol=0, atol=atol, err_msg=name)


# ---------------------------------------------------------------------------
# 1. the profit-allocation waterfall (PP 54/2017), by hand


# paid-in capital 100 (cap 20 % x 100 = 20), reserve 20 %, tantiem 5 %, payout 60 %
PROFIT = [-30.0, 10.0, 50.0, 40.0, 60.0, 20.0, -60.0, 30.0]
# year by year (R = retained earnings brought forward, base = max(0, min(p, R + p))):
# Y1 p=-30: loss, nothing paid.                                 R = -30
# Y2 p=10: R+p = -20 < 0 -> base 0, the profit only makes good.  R = -20
# Y3 p=50: base = min(50, 30) = 30; reserve 20 % x 30 = 6 (room 20);
#          tantiem 5 % x 24 = 1.2; dividend 60 % x 22.8 = 13.68.
#          R = -20 + 50 - 6 - 1.2 - 13.68 = 9.12; reserve 6
# Y4 p=40: base 40; reserve 8 (room 14); tantiem 5 % x 32 = 1.6; dividend 60 % x 30.4 = 18.24
#          R = 9.12 + 40 - 27.84 = 21.28; reserve 14
# Y5 p=60: base 60; 20 % would be 12 but only 20 - 14 = 6 fits -> reserve 6 (now at the cap 20);
#          tantiem 5 % x 54 = 2.7; dividend 60 % x 51.3 = 30.78.  R = 21.28 + 60 - 39.48 = 41.8
# Y6 p=20: base 20; reserve full -> 0; tantiem 1.0; dividend 60 % x 19 = 11.4.  R = 41.8 + 20 - 12.4 = 49.4
# Y7 p=-60: loss, nothing paid (retained profits absorb it).     R = -10.6
# Y8 p=30: base = min(30, 19.4) = 19.4 (10.6 makes good the loss); reserve 0;
#          tantiem 5 % x 19.4 = 0.97; dividend 60 % x 18.43 = 11.058.  R = -10.6 + 30 - 12.028 = 7.372
EXPECTED = {
    "reserve_addition": [0, 0, 6, 8, 6, 0, 0, 0],
    "reserve": [0, 0, 6, 14, 20, 20, 20, 20],
    "tantiem": [0, 0, 1.2, 1.6, 2.7, 1.0, 0, 0.97],
    "dividend": [0, 0, 13.68, 18.24, 30.78, 11.4, 0, 11.058],
    "retained": [-30, -20, 9.12, 21.28, 41.8, 49.4, -10.6, 7.372],
}


def test_allocation_waterfall_by_hand() -> None:
    out = allocate_profit(PROFIT, np.full(8, 100.0), 0.2, 0.2, 0.05, 0.6)
    assert set(out) == set(EXPECTED)
    for key, expected in EXPECTED.items():
        np.testing.assert_allclose(out[key], expected, rtol=0, atol=1e-12, err_msg=key)
        assert out[key].shape == (8,)


def test_allocation_loss_years_pay_nothing_and_reserve_stops_at_cap() -> None:
    out = allocate_profit(PROFIT, np.full(8, 100.0), 0.2, 0.2, 0.05, 0.6)
    loss_or_make_good = [0, 1, 6]  # Y1, Y2 (profit short of past losses), Y7
    for key in ("reserve_addition", "tantiem", "dividend"):
        assert np.all(out[key][loss_or_make_good] == 0), key
    # the reserve reaches exactly 20 % x 100 in Y5 (partial addition) and stays there
    assert out["reserve"][4] == pytest.approx(20.0, abs=1e-12)
    assert out["reserve_addition"][4] == pytest.approx(6.0) and 6.0 < 0.2 * PROFIT[4]
    assert np.all(out["reserve_addition"][5:] == 0)
    # tantiem exactly 5 % of profit after the reserve in every distributing year
    base = np.array([0, 0, 30, 40, 60, 20, 0, 19.4])
    np.testing.assert_allclose(out["tantiem"], 0.05 * (base - out["reserve_addition"]), atol=1e-12)
    np.testing.assert_allclose(out["dividend"], 0.6 * (base - out["reserve_addition"] - out["tantiem"]), atol=1e-12)


def test_allocation_capital_increase_raises_the_cap() -> None:
    # capital 100 then 150 from Y2: cap 20 then 30. Profits 200, 100, 100, reserve 20 %, no tantiem, payout 1.
    # Y1: 20 % x 200 = 40 > cap 20 -> 20; dividend 180.
    # Y2: 20 % x 100 = 20 but room 30 - 20 = 10 -> 10; dividend 90.
    # Y3: room 0 -> 0; dividend 100. Retained stays 0 (everything distributed or reserved).
    out = allocate_profit([200.0, 100.0, 100.0], [100.0, 150.0, 150.0], 0.2, 0.2, 0.0, 1.0)
    np.testing.assert_allclose(out["reserve_addition"], [20, 10, 0], atol=1e-12)
    np.testing.assert_allclose(out["reserve"], [20, 30, 30], atol=1e-12)
    np.testing.assert_allclose(out["dividend"], [180, 90, 100], atol=1e-12)
    np.testing.assert_allclose(out["retained"], [0, 0, 0], atol=1e-12)


def test_tantiem_share_above_five_percent_is_refused() -> None:
    d = copy.deepcopy(HAND_RAW)
    d["bumd"]["allocation"]["tantiem_share"]["value"] = 0.06
    with pytest.raises(CaseError) as exc:
        parse_case(d)
    paths = [p.path for p in exc.value.problems]
    assert paths == ["bumd.allocation.tantiem_share"]
    assert "0.05" in str(exc.value) and "bumd.allocation.tantiem_share" in str(exc.value)
    d["bumd"]["allocation"]["tantiem_share"]["value"] = 0.05  # at the cap: allowed
    parse_case(d)


def test_allocation_broadcasts_like_a_loop() -> None:
    rng = np.random.default_rng(7)
    profit = rng.normal(10.0, 30.0, size=(2, 3, 8))
    capital = np.cumsum(rng.uniform(0, 50, size=(2, 3, 8)), axis=-1)
    rs = rng.uniform(0, 0.3, size=(2, 3))
    cap = rng.uniform(0.1, 0.3, size=(2, 3, 1))  # the (..., 1) form
    ts = rng.uniform(0, 0.05, size=(3,))  # broadcasts over the first axis
    po = 0.55
    out = allocate_profit(profit, capital, rs, cap, ts, po)
    for i in range(2):
        for j in range(3):
            one = allocate_profit(profit[i, j], capital[i, j], rs[i, j], cap[i, j, 0], ts[j], po)
            for key, v in one.items():
                assert out[key].shape == (2, 3, 8)
                np.testing.assert_allclose(out[key][i, j], v, rtol=0, atol=1e-12, err_msg=key)
    # capital shared by all cases (shape (T,)) broadcasts too
    shared = allocate_profit(profit[0], capital[0, 0], 0.2, 0.2, 0.05, 0.5)
    for j in range(3):
        one = allocate_profit(profit[0, j], capital[0, 0], 0.2, 0.2, 0.05, 0.5)
        np.testing.assert_allclose(shared["dividend"][j], one["dividend"], atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    profit=st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=12),
    rs=st.floats(0, 1),
    cap=st.floats(0, 1),
    ts=st.floats(0, 0.05),
    po=st.floats(0, 1),
)
def test_allocation_invariants(profit: list[float], rs: float, cap: float, ts: float, po: float) -> None:
    p = np.array(profit)
    out = allocate_profit(p, np.full(p.size, 100.0), rs, cap, ts, po)
    paid = out["reserve_addition"] + out["tantiem"] + out["dividend"]
    for key in ("reserve_addition", "tantiem", "dividend"):
        assert np.all(out[key] >= 0), key
    # the reserve never passes its cap; it is the running sum of the additions
    assert np.all(out["reserve"] <= cap * 100 + 1e-9)
    np.testing.assert_allclose(out["reserve"], np.cumsum(out["reserve_addition"]), atol=1e-9)
    # retained earnings = everything earned less everything appropriated
    np.testing.assert_allclose(out["retained"], np.cumsum(p - paid), atol=1e-9)
    # nothing is distributed out of losses: a year that pays anything ends with retained >= 0
    assert np.all(out["retained"][paid > 0] >= -1e-9)
    # a year never distributes more than its own profit, and a loss year nothing
    assert np.all(paid <= np.maximum(p, 0.0) + 1e-9)
    # a year with a profit above the losses brought forward pays at least its dividend share
    # when nothing goes to reserve or tantiem (rs = ts = 0): dividend = payout x base
    prev = np.concatenate([[0.0], out["retained"][:-1]])
    if rs == 0 and ts == 0:
        np.testing.assert_allclose(out["dividend"], po * np.maximum(0.0, np.minimum(p, prev + p)), atol=1e-9)


# ---------------------------------------------------------------------------
# 2. the region's NPV, IRR and payback


def test_payback_year_by_hand() -> None:
    years = np.arange(2020, 2025)
    out = [100.0, 0, 0, 0, 0]
    inn = [0.0, 40, 40, 40, 40]
    # cumulative net -100, -60, -20, +20, +60 -> repaid by the end of 2023
    assert payback_year(years, out, inn) == 2023
    # at 10 %: 40/1.1 + 40/1.21 + 40/1.331 = 99.47 < 100; + 40/1.4641 = 126.79 -> 2024
    assert payback_year(years, out, inn, 0.10) == 2024
    # at 25 %: 32 + 25.6 + 20.48 + 16.384 = 94.46 < 100 -> never
    assert np.isnan(payback_year(years, out, inn, 0.25))
    # a second injection after payback: -100, -40, +20, -30, -20 -> not repaid at the end
    assert np.isnan(payback_year(years, [100.0, 0, 0, 50, 0], [0.0, 60, 60, 0, 10]))
    # ... and repaid again in 2024 (-30 + 40 = +10): the year from which it stays repaid
    assert payback_year(years, [100.0, 0, 0, 50, 0], [0.0, 60, 60, 0, 40]) == 2024
    # nothing paid out: no payback year
    assert np.isnan(payback_year(years, np.zeros(5), inn))
    # vectorised over a leading axis, one rate per case
    both = payback_year(years, np.array([out, out]), np.array([inn, inn]), np.array([0.0, 0.10]))
    np.testing.assert_array_equal(both, [2023, 2024])


def test_region_metrics_of_the_hand_case() -> None:
    res = run(parse_case(copy.deepcopy(HAND_RAW)))
    m = res.metrics
    # injection 200 in 2025; dividends to the region (ownership 100 %) 7.6 paid in 2028 and 12.92 in 2029
    # (see the module docstring and test_model_hand); in 2029 its share of the BUMD's net assets: cash 45.32
    # + assets and receivables 220 - debt 0 - tantiem owed to staff 1.36 = 263.96
    check(res, "region_injection_idr", [200, 0, 0, 0, 0])
    check(res, "dividends_to_region_idr", [0, 0, 0, 7.6, 12.92])
    check(res, "region_final_stake_idr", [0, 0, 0, 0, 263.96])
    flow = [-200, 0, 0, 7.6, 12.92 + 263.96]
    assert m["region_discount_rate"] == pytest.approx(0.10, abs=1e-15)
    # -200 + 5.710 + 189.113 = -5.18: the region's share of the final net assets (PV 180.29) counts
    assert m["region_npv_idr"] / M == pytest.approx(-200 + 7.6 / 1.1**3 + 276.88 / 1.1**4, rel=1e-12)
    assert m["region_npv_idr"] / M == pytest.approx(-5.177, abs=1e-3)
    assert m["region_pv_final_stake_idr"] / M == pytest.approx(263.96 / 1.4641, rel=1e-12)
    assert m["region_pv_injection_idr"] / M == pytest.approx(200, rel=1e-12)
    assert m["region_pv_dividends_idr"] / M == pytest.approx(7.6 / 1.331 + 12.92 / 1.4641, rel=1e-12)
    assert m["region_irr"] == pytest.approx(npf.irr(flow), abs=1e-9)
    assert 0.09 < m["region_irr"] < 0.10  # NPV +2.0 at 9 %, -5.2 at 10 %
    # 7.6 + 276.88 = 284.48 repays 200 by 2029; discounted, 5.71 + 189.11 = 194.82 does not
    assert m["region_payback_year"] == 2029 and math.isnan(m["region_discounted_payback_year"])
    assert m["region_dividends_avg_idr_per_year"] / M == pytest.approx(20.52 / 4, rel=1e-12)
    # the same 200 in 10-year bonds at 10 % pays 20 of interest a year, and the capital back at the end
    assert m["region_bond_interest_avg_idr_per_year"] / M == pytest.approx(20, rel=1e-12)
    check(res, "region_bond_capital_back_idr", [0, 0, 0, 0, 200])
    # no PAD or APBD in the case: the shares are undefined (NaN), and the lines absent
    assert math.isnan(m["region_dividends_share_of_pad"]) and math.isnan(m["region_injection_share_of_apbd"])
    assert "region_pad_idr" not in res.lines and "region_apbd_idr" not in res.lines


def test_dividends_wait_while_cash_is_short() -> None:
    # injection 20 instead of 200, and no [financing.funding_gap]: cash 20 + 150 - 300 = -130 in 2025, then
    # -67.5 and -27.5 more (as in test_model_hand): -197.5, -225; 2028 and 2029 bring 65 - 8.5 each: -168.5, -112.
    # Paid-in capital 20, reserve cap 20 % x 20 = 4: 2027's base 20 (30 less the 2026 loss 10) puts 4 in the
    # reserve at once; tantiem 0.8, dividend 7.6; 2028 and 2029: base 34, reserve full, tantiem 1.7, dividend 16.15.
    # None of it is paid: a dividend is never paid while the company is short of cash; it waits, owed.
    d = copy.deepcopy(HAND_RAW)
    d["financing"]["capital_injection"]["amount_idr_nominal"]["value"] = [20_000_000]
    res = run(parse_case(d))
    m = res.metrics
    check(res, "legal_reserve_addition_idr", [0, 0, 4, 0, 0])
    check(res, "cumulative_cash_idr", [-130, -197.5, -225, -168.5, -112])
    check(res, "unfunded_gap_idr", [130, 197.5, 225, 168.5, 112])
    check(res, "dividends_to_region_idr", [0] * 5)
    # owed at the end: 2027's and 2028's declarations (2029's fall due after the horizon)
    check(res, "distributions_owed_idr", [0, 0, 0, 8.4, 7.6 + 0.8 + 16.15 + 1.7])
    check(res, "dividends_paid_idr", [0] * 5)
    check(res, "tantiem_idr", [0] * 5)
    # the region's share of the net assets at the end: cash -112 + assets and receivables 220 - tantiem owed
    # (0.8 + 1.7 due, 1.7 declared on 2029) = 103.8; the dividends owed are the region's own (it holds all shares)
    check(res, "region_final_stake_idr", [0, 0, 0, 0, 103.8])
    assert m["region_npv_idr"] / M == pytest.approx(-20 + 103.8 / 1.1**4)
    assert m["region_payback_year"] == 2029
    assert m["region_bond_interest_avg_idr_per_year"] / M == pytest.approx(2, rel=1e-12)  # 10 % of 20
    # with no residual value counted the net assets are -112 - 4.2 < 0: a shareholder loses no more than its
    # stake (UU 40/2007 art. 3), so the stake is worth nothing and the region's NPV is the injection lost
    d["residual_value"] = {"method": "none"}
    res = run(parse_case(d))
    check(res, "region_final_stake_idr", [0] * 5)
    assert res.metrics["region_npv_idr"] / M == pytest.approx(-20)
    assert math.isnan(res.metrics["region_payback_year"])


def test_region_shares_of_pad_and_apbd() -> None:
    # PAD Rp1,000 m a year (no real growth, no inflation), APBD Rp2,000 m:
    # dividends / PAD by operating year 0, 0, 7.6/1000, 12.92/1000 -> average 20.52/4000 = 0.00513
    # largest injection / APBD = 200 / 2000 = 0.1
    d = copy.deepcopy(HAND_RAW)
    d["region"]["pad_idr_per_year"] = Q(1_000_000_000)
    d["region"]["apbd_idr_per_year"] = Q(2_000_000_000)
    res = run(parse_case(d))
    check(res, "region_pad_idr", [1000] * 5)
    check(res, "region_apbd_idr", [2000] * 5)
    assert res.metrics["region_dividends_share_of_pad"] == pytest.approx(20.52 / 4000, rel=1e-12)
    assert res.metrics["region_injection_share_of_apbd"] == pytest.approx(0.1, rel=1e-12)
    # real growth of PAD 10 % a year from the base year 2025: 1000, 1100, 1210, 1331, 1464.1
    d["region"]["pad_growth_real_per_year"] = Q(0.10)
    res = run(parse_case(d))
    check(res, "region_pad_idr", [1000, 1100, 1210, 1331, 1464.1], atol=1e-6)
    # with 5 % inflation (nominal basis) both grow with the price index too; injection 200 in 2025
    # (index 1) is still the largest share: 200 / 2000
    d["macro"]["inflation_per_year"]["value"] = 0.05
    res = run(parse_case(d))
    check(res, "region_pad_idr", [1000 * (1.1 * 1.05) ** t for t in range(5)], atol=1e-6)
    check(res, "region_apbd_idr", [2000 * 1.05**t for t in range(5)], atol=1e-6)
    assert res.metrics["region_injection_share_of_apbd"] == pytest.approx(0.1, rel=1e-12)


# ---------------------------------------------------------------------------
# 3. the economic analysis


def test_economic_flow_with_unit_factors_is_the_financial_flow_less_transfers() -> None:
    res = run(parse_case(hand_data()))
    m = res.metrics
    # by hand: revenue - operating costs (variable + staff) - capex + residual value of the assets
    # (book value 210; working capital is a financial claim, not a resource)
    #   2025: -300; 2026: 50 - 20 = 30; 2027-2028: 100 - 30 = 70; 2029: 70 + 210 = 280
    flow = [-300, 30, 70, 70, 280]
    check(res, "economic_flow_real_idr", flow)
    check(res, "economic_revenue_real_idr", [0, 50, 100, 100, 100])
    check(res, "economic_opex_real_idr", [0, 20, 30, 30, 30])
    check(res, "economic_capex_real_idr", [300, 0, 0, 0, 0])
    check(res, "economic_residual_real_idr", [0, 0, 0, 0, 210])
    check(res, "economic_benefit_streams_real_idr", [0] * 5)
    check(res, "economic_external_benefits_real_idr", [0] * 5)
    check(res, "economic_external_costs_real_idr", [0] * 5)
    # the identity: FCF + project tax + concession fee + dNWC - receivables recovered (10) - grant
    #   FCF -300, 21.5, 51.5, 56.5, 276.5; tax 0, 1, 8.5, 8.5, 8.5; fee 0, 2.5, 5, 5, 5; dNWC 0, 5, 5, 0, 0
    #   -> -300, 30, 70, 70, 290 - 10 = 280
    rhs = mlines(res, "project_fcf_idr") + mlines(res, "tax_unlevered_idr") + mlines(res, "concession_fee_idr")
    rhs = rhs + mlines(res, "change_in_working_capital_idr") - mlines(res, "viability_gap_grant_idr")
    rhs[-1] -= 10.0
    np.testing.assert_allclose(mlines(res, "economic_flow_real_idr"), rhs, atol=1e-9)
    enpv = pv(flow, 0.10)  # -300 + 27.27 + 57.85 + 52.59 + 191.24 = 28.96
    assert m["social_discount_rate"] == pytest.approx(0.10, abs=1e-15)
    assert m["enpv_idr"] / M == pytest.approx(enpv, rel=1e-12)
    assert m["enpv_idr"] / M == pytest.approx(28.9598, abs=1e-3)
    assert m["eirr"] == pytest.approx(npf.irr(flow), abs=1e-9)
    # EBCR = PV(revenue + residual) / PV(capex + opex)
    assert m["ebcr"] == pytest.approx(pv([0, 50, 100, 100, 310], 0.1) / pv([300, 20, 30, 30, 30], 0.1), rel=1e-12)


def test_economic_identity_holds_with_a_grant_too() -> None:
    # a 10 % grant of the construction cost (300 less the land's 50, no interest during a single construction
    # year: 250) adds 25 to the 2025 FCF (and equity CF, net cash) but is a transfer: same economic flow
    d = with_ppp(hand_data())
    d["ppp"]["viability_gap_grant_share"] = Q(0.10)
    res = run(parse_case(d))
    check(res, "viability_gap_grant_idr", [25, 0, 0, 0, 0])
    check(res, "project_fcf_idr", [-275, 21.5, 51.5, 56.5, 276.5])
    check(res, "equity_cf_idr", [-125, -67.5, -27.5, 56.5 - 0.8, 276.5 - 1.36 - 1.36])  # tantiem paid and owed
    assert mlines(res, "net_cash_flow_idr")[0] == pytest.approx(200 + 150 - 300 + 25)
    assert res.metrics["viability_gap_grant_total_idr"] / M == pytest.approx(25)
    check(res, "economic_flow_real_idr", [-300, 30, 70, 70, 280])
    rhs = mlines(res, "project_fcf_idr") + mlines(res, "tax_unlevered_idr") + mlines(res, "concession_fee_idr")
    rhs = rhs + mlines(res, "change_in_working_capital_idr") - mlines(res, "viability_gap_grant_idr")
    rhs[-1] -= 10.0
    np.testing.assert_allclose(mlines(res, "economic_flow_real_idr"), rhs, atol=1e-9)


def test_economic_identity_on_the_default_case_with_unit_factors() -> None:
    # the rich case (real basis, inflation, two lines, overhead, renewals, capacity expansion,
    # economic-life residual): with every factor 1 and no benefit streams the identity still holds;
    # the working capital recovered in the last year is receivables - payables of that year
    with DEFAULT_CASE.open("rb") as fh:
        d = tomllib.load(fh)
    for q in d["economic"]["conversion_factors"].values():
        q["value"] = 1.0
    d["economic"]["benefits"] = {}
    d["economic"]["externalities"] = {}
    d["economic"].pop("ship_waiting_cost_idr_per_day")  # the ships' waiting is an economic cost the financial flow has not
    # permit fees are a transfer the financial flow pays: none here
    d["port"]["capex"]["studies_permits"].pop("transfer_share")
    for by_stream in d["economic"]["traffic"].values():  # all traffic new: its payment is the benefit
        for t in by_stream.values():
            t["diverted_share"]["value"] = 0.0
            if "low" in t["diverted_share"]:
                t["diverted_share"]["low"] = 0.0
    # a concession far beyond the model years: the BUMD keeps the assets' value, as society does
    d["concession"] = {"term_years": 100, "reversion": "without_payment", "land_reverts": False}
    case = parse_case(d, base_dir=DEFAULT_CASE.parent)
    res = run(case)
    L = res.lines
    wc = case.working_capital
    nwc_end = L["revenue_total_idr"][-1] * wc.receivable_days.value / 365 - L["opex_total_idr"][-1] * wc.payable_days.value / 365
    rhs = L["project_fcf_idr"] + L["tax_unlevered_idr"] + L["concession_fee_idr"] + L["change_in_working_capital_idr"]
    rhs = rhs - L["viability_gap_grant_idr"]
    rhs[-1] -= nwc_end
    scale = np.max(np.abs(rhs))
    np.testing.assert_allclose(L["economic_flow_real_idr"], rhs, rtol=0, atol=1e-9 * scale)
    assert res.metrics["enpv_idr"] == pytest.approx(
        sum(x / 1.09**t for t, x in enumerate(L["economic_flow_real_idr"])), rel=1e-12
    )


def economic_case_with_factors() -> dict[str, Any]:
    d = hand_data(output=0.95, construction=0.9, equipment=0.8, land=1.2, operating_costs=0.95, shadow_wage=0.5)
    d["port"]["opex"]["staff"]["unskilled_labour_share"] = Q(0.4)
    d["economic"]["benefits"] = {
        "trucking_saved": {
            "label": "Trucking saved",
            "unit": "truck-km",
            "follows": "port.cargo_handling",
            "traffic": "generated",  # every tonne is new here (hand_data)
            "units_per_stream_unit": Q(2.0),
            "unit_value_idr": Q(1000.0),
            "real_growth_per_year": Q(0.10),
        },
        "time_saved": {
            "label": "Time saved",
            "unit": "hour",
            "volume_units_per_year": Q(100.0),
            "unit_value_idr": Q(50_000.0),
        },
    }
    return d


def test_economic_lines_with_conversion_factors_by_hand() -> None:
    res = run(parse_case(economic_case_with_factors()))
    m = res.metrics
    # revenue x output 0.95 (the standard factor, as the operating costs)
    check(res, "economic_revenue_real_idr", [0, 47.5, 95, 95, 95])
    # capex: land 50 x 1.2 = 60, quay 200 x 0.9 = 180, equipment 50 x 0.8 = 40 -> 280
    check(res, "economic_capex_real_idr", [280, 0, 0, 0, 0])
    # operating costs (variable + staff, no concession fee): the unskilled wages, staff 10 x 0.4 = 4, at the
    # shadow wage 0.5 = 2; the rest x 0.95: (20 - 4) x 0.95 + 2 = 17.2, (30 - 4) x 0.95 + 2 = 26.7
    check(res, "economic_opex_real_idr", [0, 17.2, 26.7, 26.7, 26.7])
    # residual in 2029: quay book 200 - 4 x 10 = 160, x 0.9 = 144; equipment fully depreciated 0;
    # land 50 x 1.2 = 60 -> 204
    check(res, "economic_residual_real_idr", [0, 0, 0, 0, 204])
    # trucking: cargo 0, 500, 1000, 1000, 1000 t x 2 x Rp1,000 x 1.1^(year - 2025)
    #   = 0, 1.1, 2.42, 2.662, 2.9282 (Rp m)
    truck = [0, 1.1, 2.42, 2.662, 2.9282]
    check(res, "economic_benefit_trucking_saved_real_idr", truck)
    # time: 100 h x Rp50,000 = 5 a year from the first operating year 2026
    time_ = [0, 5, 5, 5, 5]
    check(res, "economic_benefit_time_saved_real_idr", time_)
    streams = np.add(truck, time_)
    check(res, "economic_benefit_streams_real_idr", streams)
    benefits = np.array([0, 47.5, 95, 95, 95 + 204]) + streams
    costs = np.array([280, 17.2, 26.7, 26.7, 26.7])
    check(res, "economic_benefits_real_idr", benefits)
    check(res, "economic_costs_real_idr", costs)
    flow = benefits - costs  # -280, 36.4, 75.72, 75.962, 280.2282
    np.testing.assert_allclose(flow, [-280, 36.4, 75.72, 75.962, 280.2282], atol=1e-9)
    check(res, "economic_flow_real_idr", flow)
    assert m["enpv_idr"] / M == pytest.approx(pv(flow, 0.1), rel=1e-12)
    assert m["eirr"] == pytest.approx(npf.irr(flow), abs=1e-9)
    assert pv(flow, m["eirr"]) == pytest.approx(0, abs=1e-9)
    assert m["ebcr"] == pytest.approx(pv(benefits, 0.1) / pv(costs, 0.1), rel=1e-12)
    # the financial analysis does not see any of it (the factors touch only the economic lines)
    fin = run(parse_case(copy.deepcopy(HAND_RAW))).metrics
    assert m["fnpv_idr"] == pytest.approx(fin["fnpv_idr"], rel=1e-12)


def test_shadow_wage_on_overhead_counts_too() -> None:
    # an overhead item with unskilled share 0.5: Rp4 m x 0.5 = 2 of unskilled wages at the shadow wage 0.6 = 1.2;
    # the rest at 1: opex 20 + 2 + 1.2 = 23.2, 30 + 2 + 1.2 = 33.2 (the shadow wage lowers the cost; no benefit line)
    d = hand_data(shadow_wage=0.6)
    d["bumd"]["overhead"] = {"office": {"amount_idr_per_year": Q(4_000_000), "unskilled_labour_share": Q(0.5)}}
    res = run(parse_case(d))
    check(res, "economic_opex_real_idr", [0, 23.2, 33.2, 33.2, 33.2])
    assert "economic_employment_real_idr" not in res.lines


def test_enpv_does_not_depend_on_general_inflation() -> None:
    # regression: the residual was once the nominal asset value / the last year's price index
    # The economic analysis is at constant base-year prices: a general inflation rate only changes
    # the numeraire, so ENPV must not move. With 10 % inflation the hand case's residual assets
    # (land 50 + quay 160 + equipment 0 = 210 in 2025 prices) must stay 210, not 210 / 1.1^4 = 143.4.
    base = parse_case(hand_data())
    d = hand_data()
    d["macro"]["inflation_per_year"]["value"] = 0.10
    inflated = parse_case(d)
    r0, r1 = run(base), run(inflated)
    check(r1, "economic_residual_real_idr", [0, 0, 0, 0, 210], atol=1e-6)
    assert r1.metrics["enpv_idr"] == pytest.approx(r0.metrics["enpv_idr"], rel=1e-9)


# ---------------------------------------------------------------------------
# 4. the PPP test and the viability-gap grant


def low_tariff_case(max_share: float = 0.49, min_inv: float = 100e9) -> Any:
    """Tariff Rp60,000/t and a large benefit stream: economically but not financially feasible.

    Financial, by hand: revenue 0, 30, 60, 60, 60; variable 0, 10, 20, 20, 20; staff 10;
    fee 5 %: 0, 1.5, 3, 3, 3 -> EBITDA 0, 8.5, 27, 27, 27. Project taxable EBITDA - 22.5:
    0, -14, 4.5, 4.5, 4.5: the 2026 loss covers the rest -> no project tax. Receivables
    0, 3, 6, 6, 6 -> dNWC 0, 3, 3, 0, 0; residual 210 + 6.
    FCF = -300, 5.5, 24, 27, 243.
    Economic (factors 1): revenue - operating costs 0, 30 - 20, 60 - 30, 60 - 30, 60 - 30, capex 300
    in 2025, residual assets 210 in 2029: -300, 10, 30, 30, 240; plus 1000 h x Rp100,000 = 100 a
    year of time saved from 2026: -300, 110, 130, 130, 340.
    """
    d = with_ppp(hand_data(), max_share=max_share, min_inv=min_inv)
    d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = 60_000
    d["economic"]["benefits"] = {
        "time_saved": {"label": "Time saved", "unit": "hour", "volume_units_per_year": Q(1000.0), "unit_value_idr": Q(100_000.0)}
    }
    return parse_case(d)


LOW_FCF = [-300, 5.5, 24, 27, 243]
LOW_FNPV = pv(LOW_FCF, 0.10)  # -300 + 5 + 19.835 + 20.285 + 165.972 = -88.907
LOW_ENPV = pv([-300, 110, 130, 130, 340], 0.10)  # = 237.33 > 0


def test_vgf_route_grant_closes_the_gap() -> None:
    case = low_tariff_case()
    t = ppp_test(case)
    assert t.fnpv_idr / M == pytest.approx(LOW_FNPV, rel=1e-12)
    assert t.enpv_idr / M == pytest.approx(LOW_ENPV, rel=1e-12)
    assert t.economic_feasible and not t.financial_feasible
    assert t.wacc == pytest.approx(0.10, abs=1e-15) and t.social_discount_rate == pytest.approx(0.10)
    assert t.firr < t.wacc and t.eirr > t.social_discount_rate
    # a Rp250 m construction cost is far below the Rp100 bn floor: not eligible, though a grant would close the gap
    assert t.route == "not_eligible" and t.failing == ("min_investment",)
    # the grant g x 250 (the construction cost: capex 300 less the land's 50, no interest during construction)
    # arrives in 2025 (t = 0, undiscounted) and is not taxed, so FNPV(g) = FNPV(0) + 250 g -> g = 88.907 / 250 = 0.35563
    share = -LOW_FNPV / 250
    assert t.grant_share == pytest.approx(share, rel=1e-9)
    assert t.grant_idr / M == pytest.approx(share * 250, rel=1e-9)
    assert t.within_cap and t.max_grant_share == 0.49
    # re-running at that share: FIRR = WACC and FNPV = 0
    again = run(case, {"ppp.viability_gap_grant_share": t.grant_share}).metrics
    assert again["firr"] == pytest.approx(again["wacc"], abs=1e-9)
    assert abs(again["fnpv_idr"]) < 1.0  # under one rupiah on a Rp300 m project
    assert t.firr_at_grant == pytest.approx(0.10, abs=1e-9)
    assert again["viability_gap_grant_total_idr"] == pytest.approx(t.grant_idr, rel=1e-12)
    # the construction cost Rp250 m is far below Rp100 bn
    assert t.construction_cost_idr / M == pytest.approx(250)
    assert t.min_investment_idr == 100e9 and not t.meets_min_investment


def test_vgf_above_cap() -> None:
    # no floor here (0), so that the cap alone decides
    t = ppp_test(low_tariff_case(max_share=0.2, min_inv=0.0))
    assert t.route == "vgf_above_cap"
    assert t.grant_share == pytest.approx(-LOW_FNPV / 250, rel=1e-9) and t.grant_share > 0.2
    assert not t.within_cap and t.max_grant_share == 0.2


def test_vgf_on_the_plain_hand_case() -> None:
    # the hand case as is has FNPV -6.59 (test_model_hand) and, with factors 1, ENPV 28.96 > 0:
    # grant 6.59 / 250 = 2.6 % of the construction cost (capex 300 less the land's 50). Its Rp250 m are below
    # the Rp100 bn floor: it may not seek the grant (once it was told to seek Rp6.6 m)
    fnpv = pv([-300, 21.5, 51.5, 56.5, 276.5], 0.1)
    t = ppp_test(parse_case(with_ppp(hand_data())))
    assert t.route == "not_eligible" and t.failing == ("min_investment",)
    assert t.grant_share == pytest.approx(-fnpv / 250, rel=1e-9)
    # without a floor: the grant within the cap, then above a 2 % cap
    assert ppp_test(parse_case(with_ppp(hand_data(), min_inv=0.0))).route == "vgf"
    t = ppp_test(parse_case(with_ppp(hand_data(), max_share=0.02, min_inv=0.0)))
    assert t.route == "vgf_above_cap"


def test_vgf_spread_over_two_construction_years() -> None:
    # two construction years, capex phased 50/50 (2025, 2026): the construction cost without land is 125 in
    # each, and the loan (half of capex: 75 drawn in 2025) bears 10 % x 75 = 7.5 of interest during construction
    # in 2026: the grant is g x 125 in 2025 and g x (125 + 7.5) in 2026, so
    # FNPV(g) = FNPV(0) + g x (125 + 132.5/1.1) (closed form: linear in g, no tax on it). No floor here (0).
    d = with_ppp(hand_data(), min_inv=0.0)
    d["timeline"]["construction_years"] = 2
    d["timeline"]["operating_years"] = 4
    for item in d["port"]["capex"].values():
        item["phasing"] = [0.5, 0.5]
    d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = 80_000
    d["economic"]["benefits"] = {
        "time_saved": {"label": "Time saved", "unit": "hour", "volume_units_per_year": Q(1000.0), "unit_value_idr": Q(100_000.0)}
    }
    case = parse_case(d)
    f0 = run(case).metrics["fnpv_idr"]
    t = ppp_test(case)
    assert t.route == "vgf"
    assert t.grant_share == pytest.approx(-f0 / (125 * M + 132.5 * M / 1.1), rel=1e-9)
    assert t.construction_cost_idr / M == pytest.approx(257.5) and t.idc_idr / M == pytest.approx(7.5)
    r = run(case, {"ppp.viability_gap_grant_share": t.grant_share})
    check(r, "viability_gap_grant_idr", [125 * t.grant_share, 132.5 * t.grant_share, 0, 0, 0, 0], atol=1e-6)
    assert r.metrics["firr"] == pytest.approx(r.metrics["wacc"], abs=1e-9)


def test_financially_feasible_route() -> None:
    # tariff Rp120,000/t: revenue 0, 60, 120, 120, 120; fee 0, 3, 6, 6, 6; EBITDA 0, 37, 84, 84, 84;
    # project tax 20 % x (EBITDA - 22.5) = 0, 2.9, 12.3, 12.3, 12.3; dNWC 0, 6, 6, 0, 0; residual 222
    # FCF -300, 28.1, 65.7, 71.7, 293.7 -> FNPV = 34.31 >= 0: no grant needed
    d = with_ppp(hand_data())
    d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = 120_000
    t = ppp_test(parse_case(d))
    fnpv = pv([-300, 28.1, 65.7, 71.7, 293.7], 0.1)
    assert t.fnpv_idr / M == pytest.approx(fnpv, rel=1e-12) and fnpv > 0
    assert t.route == "financially_feasible" and t.financial_feasible
    assert math.isnan(t.grant_share) and math.isnan(t.grant_idr) and not t.within_cap


def test_gap_not_closable_route() -> None:
    # tariff = variable cost Rp20,000/t, no residual value: EBITDA 0, -10.5, -11, -11, -11 and
    # dNWC 0, 1, 1, 0, 0 (not recovered without a residual); even a 100 % grant (+250 in 2025: the
    # construction cost, without the land's 50) leaves FCF -50, -11.5, -12, -11, -11 -> FNPV < 0.
    # Economic: -300, -10, -10, -10, -10 plus Rp200 m a year of benefits -> ENPV = -300 + 190 x 3.17 > 0
    d = with_ppp(hand_data())
    d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = 20_000
    d["residual_value"]["method"] = "none"
    d["economic"]["benefits"] = {
        "time_saved": {"label": "Time saved", "unit": "hour", "volume_units_per_year": Q(2000.0), "unit_value_idr": Q(100_000.0)}
    }
    case = parse_case(d)
    full = run(case, {"ppp.viability_gap_grant_share": 1.0})
    check(full, "project_fcf_idr", [-50, -11.5, -12, -11, -11])
    t = ppp_test(case)
    assert t.enpv_idr / M == pytest.approx(pv([-300, 190, 190, 190, 190], 0.1), rel=1e-12)
    assert t.route == "gap_not_closable"
    assert math.isnan(t.grant_share) and not t.within_cap


def test_not_economic_route_on_the_default_case() -> None:
    t = ppp_test(load_case())
    assert t.enpv_idr < 0 and not t.economic_feasible
    assert t.fnpv_idr < 0
    assert t.route == "not_economic"
    assert math.isnan(t.grant_share) and math.isnan(t.grant_idr)
    assert t.max_grant_share == 0.49 and t.min_investment_idr == 100e9
    # its construction cost is several hundred billion: it would meet the Rp100 bn minimum
    assert t.meets_min_investment and t.construction_cost_idr > 100e9
    # but the city appoints its own BUMD (no competitive tender): not eligible either way
    assert not t.eligible and set(t.failing) == {"economic", "competitive_tender"}
    # no grant is worked out off the economic-but-not-financial route: the cap is not assessed (neither met nor failed)
    assert t.condition("within_cap").met is None and t.condition("within_cap").value is None


def test_min_investment_flag() -> None:
    # hand construction cost 250 m (capex 300 less the land's 50, no interest during construction):
    # below a 250 m + 1 threshold, at a 250 m threshold it qualifies (>=)
    assert not ppp_test(parse_case(with_ppp(hand_data(), min_inv=250_000_001))).meets_min_investment
    assert ppp_test(parse_case(with_ppp(hand_data(), min_inv=250_000_000))).meets_min_investment


def test_min_investment_is_compared_in_base_year_prices() -> None:
    # regression: the capex was once compared in the case's price basis
    # base year 2024, construction 2025, 10 % inflation: the construction cost 250 in 2024 prices is 275
    # nominal. The threshold 260 is in base-year prices (schema): 250 < 260 -> not eligible, whatever the
    # price basis the results are shown in.
    out = {}
    for basis in ("real", "nominal"):
        d = with_ppp(hand_data(), min_inv=260_000_000)
        d["timeline"]["price_base_year"] = 2024
        d["timeline"]["price_basis"] = basis
        d["macro"]["inflation_per_year"]["value"] = 0.10
        out[basis] = ppp_test(parse_case(d))
    assert out["real"].construction_cost_idr / M == pytest.approx(250)
    assert out["nominal"].construction_cost_idr / M == pytest.approx(250)
    assert not out["real"].meets_min_investment
    assert not out["nominal"].meets_min_investment


def test_missing_sections_raise_value_error() -> None:
    with pytest.raises(ValueError, match=r"\[ppp\]"):
        ppp_test(parse_case(hand_data()))
    with pytest.raises(ValueError, match=r"\[economic\].*\[ppp\]"):
        ppp_test(parse_case(copy.deepcopy(HAND_RAW)))


# ---------------------------------------------------------------------------
# 5. validation of the new sections


def benefit_problems(benefit: dict[str, Any]) -> list[Any]:
    d = hand_data()
    d["economic"]["benefits"] = {"b": benefit}
    with pytest.raises(CaseError) as exc:
        parse_case(d)
    return exc.value.problems


BASE_BENEFIT = {"label": "x", "unit": "tonne", "unit_value_idr": Q(1.0)}


def test_benefit_with_neither_volume_nor_follows() -> None:
    probs = benefit_problems(dict(BASE_BENEFIT))
    assert [p.path for p in probs] == ["economic.benefits.b"]
    assert "follows" in probs[0].rule and "volume_units_per_year" in probs[0].rule


def test_benefit_with_both_volume_and_follows() -> None:
    b = dict(BASE_BENEFIT, follows="port.cargo_handling", units_per_stream_unit=Q(1.0), volume_units_per_year=Q(5.0))
    probs = benefit_problems(b)
    assert [p.path for p in probs] == ["economic.benefits.b"]
    assert "exactly one" in probs[0].rule


def test_benefit_following_a_missing_stream() -> None:
    probs = benefit_problems(dict(BASE_BENEFIT, follows="port.no_such_stream", units_per_stream_unit=Q(1.0), traffic="diverted"))
    assert [p.path for p in probs] == ["economic.benefits.b.follows"]
    assert "port.cargo_handling" in probs[0].rule  # names the streams there are
    assert "port.no_such_stream" in str(probs[0])


def test_benefit_following_without_units_per_stream_unit() -> None:
    probs = benefit_problems(dict(BASE_BENEFIT, follows="port.cargo_handling"))
    assert [p.path for p in probs] == ["economic.benefits.b"]
    assert "units_per_stream_unit" in probs[0].rule and "traffic" in probs[0].rule


# ---------------------------------------------------------------------------
# 6. sensitivity and Monte Carlo


def test_sensitivity_with_enpv_and_region_npv() -> None:
    import tomllib

    from feasibility.analysis.sensitivity import one_way
    from feasibility.case import DEFAULT_CASE, parse_case

    # a port built at a fifth of the default's cost, so that some inputs within their ranges bring the ENPV to zero
    raw = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    for item in [*raw["port"]["capex"].values(), raw["port"]["marine"]["trestle_cost_idr_per_m"], raw["port"]["marine"]["dredging_cost_idr_per_m3"]]:
        amount = item.get("amount_idr", item)
        for k in ("value", "low", "high"):
            if k in amount and not isinstance(amount[k], dict):
                amount[k] *= 0.2
    case = parse_case(raw, base_dir=DEFAULT_CASE.parent)
    base = run(case, metrics=["enpv_idr", "region_npv_idr"]).metrics
    out = one_way(case, metrics=["enpv_idr", "region_npv_idr"])
    assert set(out) == {"enpv_idr", "region_npv_idr"}
    assert out["enpv_idr"].base == pytest.approx(base["enpv_idr"], rel=1e-12)
    assert out["region_npv_idr"].base == pytest.approx(base["region_npv_idr"], rel=1e-12)
    assert out["enpv_idr"].threshold == 0.0 and out["region_npv_idr"].threshold == 0.0
    tab = out["enpv_idr"].table
    solved = tab[tab["switching_status"] == "solved"]
    assert len(solved) >= 1
    for path, row in solved.iterrows():
        at = run(case, {path: row["switching_value"]}, metrics=["enpv_idr"]).metrics["enpv_idr"]
        assert abs(at) <= 1e-6 * abs(base["enpv_idr"]), path
    # financing is not in the economic analysis: the cost of equity, the loan rate and the region's
    # discount rate leave ENPV unchanged
    for path in ("financing.cost_of_equity_nominal", "financing.loans.regional_bank.interest_rate", "region.discount_rate_nominal"):
        if path in tab.index:
            assert tab.loc[path, "swing"] == pytest.approx(0, abs=1e-6 * abs(base["enpv_idr"])), path
    # the region's NPV does not depend on the economic conversion factors, but on its own discount rate
    rtab = out["region_npv_idr"].table
    if "region.discount_rate_nominal" in rtab.index:
        assert rtab.loc["region.discount_rate_nominal", "swing"] > 0


def test_monte_carlo_keeps_enpv() -> None:
    from feasibility.analysis.risk import simulate

    sim = simulate(load_case(), 500, seed=1)
    assert "enpv_idr" in sim.metrics
    v = sim.metrics["enpv_idr"]
    assert v.shape == (500,) and np.isfinite(v).all()
    assert np.std(v) > 0  # the sampled inputs move it


# ---------------------------------------------------------------------------
# 7. the command line


def test_cli_evaluate_json_has_ppp_block_and_new_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    from feasibility.cli import main

    assert main(["evaluate", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "ppp" in doc
    ppp = doc["ppp"]
    assert ppp["route"] == "not_economic"
    for key in ("grant_share", "grant_idr", "enpv_idr", "eirr", "fnpv_idr", "wacc", "meets_min_investment", "max_grant_share"):
        assert key in ppp, key
    m = doc["metrics"]
    for key in (
        "enpv_idr",
        "eirr",
        "ebcr",
        "social_discount_rate",
        "region_npv_idr",
        "region_irr",
        "region_payback_year",
        "region_discounted_payback_year",
        "region_pv_injection_idr",
        "region_pv_dividends_idr",
        "region_dividends_avg_idr_per_year",
        "region_bond_interest_avg_idr_per_year",
        "public_money_total_idr",
        "public_money_pv_idr",
        "region_dividends_share_of_pad",
        "region_injection_share_of_apbd",
        "viability_gap_grant_total_idr",
    ):
        assert key in m, key
    assert ppp["enpv_idr"] == pytest.approx(m["enpv_idr"], rel=1e-12)
    assert m["social_discount_rate"] == pytest.approx(0.09)
    assert "economic_flow_real_idr" in doc["annual"] and "region_pad_idr" in doc["annual"]
