"""Issue 20: the region's money and the economy, counted as a budget office and the EU/ADB guides would.

Every expected number is worked out by hand in the comments, in millions of rupiah on the hand case
(tests/cases/hand_case.toml; see tests/test_model_hand.py and the docstring of tests/test_budget_economic.py):
one construction year 2025, operation 2026-2029, no inflation, nominal basis; injection 200 in 2025, loan 150;
cash 50, -17.5, -45, 3.1, 45.32 without financing of the gap; net profit 0, -10, 30, 34, 34.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_budget_economic import HAND_RAW, Q  # the hand case and a quantity, as that module's tests build them
from test_budget_economic import hand_data as hand

from feasibility import load_case, run
from feasibility.analysis.cba import enpv_by_stream
from feasibility.case import DEFAULT_CASE, CaseError, parse_case

M = 1e6


def line(res: Any, key: str) -> np.ndarray:
    return np.asarray(res.lines[key], dtype=float) / M


def messages(d: dict[str, Any]) -> str:
    with pytest.raises(CaseError) as err:
        parse_case(d)
    return str(err.value)


# ---------------------------------------------------------------------------
# 1. the region's view


def test_final_stake_of_a_minority_partner_and_its_idle_capital_earning_interest() -> None:
    # a perseroda 60 % the region's: the region's 200 brings 200 / 0.6 = 333.33 of paid-in capital, the partner
    # paying 133.33. Cash 2025: 333.33 + 150 - 300 = 183.33, idle until 2026: at a deposit rate of 5 % it earns
    # 9.1667 in 2026, taxable: 2026's taxable income -10 + 9.1667 = -0.8333 (a loss still, no tax)
    d = copy.deepcopy(HAND_RAW)
    d["bumd"]["form"] = "perseroda"
    d["bumd"]["ownership_share_region"] = Q(0.6)
    d["financing"]["deposit_rate_nominal"] = Q(0.05)
    res = run(parse_case(d))
    np.testing.assert_allclose(line(res, "equity_injection_idr"), [200 / 0.6, 0, 0, 0, 0])
    np.testing.assert_allclose(line(res, "interest_income_idr")[:2], [0, 0.05 * (200 / 0.6 + 150 - 300)])
    np.testing.assert_allclose(line(res, "taxable_income_idr")[1], -10 + 0.05 * (200 / 0.6 - 150))
    # the cash of 2026: 183.33 + 9.1667 + 22.5 (EBITDA 27.5 - dNWC 5) - debt service 90 = 125.0
    np.testing.assert_allclose(line(res, "cumulative_cash_idr")[1], 200 / 0.6 - 150 + 0.05 * (200 / 0.6 - 150) + 22.5 - 90)
    # the region receives 60 % of every dividend, and 60 % of the net assets at the end
    np.testing.assert_allclose(line(res, "dividends_to_region_idr"), 0.6 * line(res, "dividends_paid_idr"))
    cash, resid = line(res, "cumulative_cash_idr")[-1], line(res, "residual_value_idr")[-1]
    owed = line(res, "tantiem_declared_idr")[-1]  # 2029's tantiem, due after the horizon; nothing owed before
    assert line(res, "distributions_owed_idr")[-1] == 0
    np.testing.assert_allclose(line(res, "region_final_stake_idr"), [0, 0, 0, 0, 0.6 * (cash + resid - owed)])
    flow = line(res, "dividends_to_region_idr") + line(res, "region_final_stake_idr") - line(res, "public_money_idr")
    assert res.metrics["region_npv_idr"] / M == pytest.approx(sum(x / 1.1**t for t, x in enumerate(flow)), rel=1e-12)
    # the deposit interest is income of the company (equity), not of the project (FCF before financing)
    base = run(parse_case(copy.deepcopy(HAND_RAW)))
    np.testing.assert_allclose(line(res, "project_fcf_idr"), line(base, "project_fcf_idr"))


def test_final_stake_none_and_a_liquidation_discount() -> None:
    # the hand case's stake at the end: cash 45.32 + book value 210 + receivables 10 - tantiem owed 1.36 = 263.96;
    # a 40 % discount on the assets (210, not the receivables): 263.96 - 84 = 179.96; none: nothing
    d = copy.deepcopy(HAND_RAW)
    d["region"]["liquidation_discount"] = Q(0.4)
    np.testing.assert_allclose(line(run(parse_case(d)), "region_final_stake_idr"), [0, 0, 0, 0, 179.96])
    d["region"]["final_stake"] = "none"
    res = run(parse_case(d))
    np.testing.assert_allclose(line(res, "region_final_stake_idr"), [0] * 5)
    assert res.metrics["region_npv_idr"] / M == pytest.approx(-200 + 7.6 / 1.331 + 12.92 / 1.4641, rel=1e-12)


def test_the_default_regions_view_counts_top_ups_and_its_share_at_the_end() -> None:
    res = run(load_case(DEFAULT_CASE))
    m, L = res.metrics, res.lines
    pub = np.asarray(L["region_injection_idr"]) + np.asarray(L["region_top_up_idr"])
    np.testing.assert_allclose(L["public_money_idr"], pub)
    assert np.sum(L["region_top_up_idr"]) > 0  # the start-up losses need top-ups, counted as public money
    flow = np.asarray(L["dividends_to_region_idr"]) + np.asarray(L["region_final_stake_idr"]) - pub
    assert np.sum(flow) < 0
    assert m["region_npv_idr"] == pytest.approx(m["region_pv_dividends_idr"] + m["region_pv_final_stake_idr"] - m["public_money_pv_idr"], rel=1e-9)
    # the port's assets revert to the grantor: the stake at the end is the cash and the other lines' assets only
    assert 0 < L["region_final_stake_idr"][-1] < 0.05 * np.sum(L["region_injection_idr"])


# ---------------------------------------------------------------------------
# 2. profit allocation: PP 54/2017 and cash


@settings(max_examples=25, deadline=None)
@given(inj=st.floats(0, 400), grace=st.integers(0, 2), lag=st.integers(0, 1), top_up=st.booleans())
def test_distributions_never_exceed_the_cash_there_is(inj: float, grace: int, lag: int, top_up: bool) -> None:
    d = copy.deepcopy(HAND_RAW)
    d["financing"]["capital_injection"]["amount_idr_nominal"]["value"] = [inj * M]
    for ln in d["financing"]["loans"].values():
        ln["grace_years"] = grace
    d["bumd"]["allocation"]["dividend_lag_years"] = lag
    if top_up:
        d["financing"]["funding_gap"] = {"sources": ["top_up"]}
    res = run(parse_case(d))
    paid = line(res, "dividends_paid_idr") + line(res, "tantiem_idr")
    cash = line(res, "cumulative_cash_idr")
    top = line(res, "top_up_idr")
    # what is paid leaves cash >= 0 without any top-up of that year: never paid from a top-up or from nothing
    assert np.all(paid[paid > 0] <= (cash - top + paid)[paid > 0] + 1e-9)
    assert np.all(cash[paid > 0] - top[paid > 0] >= -1e-9)
    # nothing declared is paid twice or lost: declared = paid + owed + due after the horizon
    declared = line(res, "dividends_declared_idr") + line(res, "tantiem_declared_idr")
    after = declared[len(declared) - lag:].sum() if lag else 0.0
    assert paid.sum() + line(res, "distributions_owed_idr")[-1] + after == pytest.approx(declared.sum(), abs=1e-6)


def test_the_legal_reserve_share_is_at_least_twenty_percent() -> None:
    d = copy.deepcopy(HAND_RAW)
    d["bumd"]["allocation"]["legal_reserve_share"] = Q(0.1)
    d["bumd"]["allocation"]["legal_reserve_cap_share_of_capital"] = Q(0.15)
    text = messages(d)
    assert "bumd.allocation.legal_reserve_share" in text and "0.2" in text
    assert "bumd.allocation.legal_reserve_cap_share_of_capital" in text  # both problems at once


# ---------------------------------------------------------------------------
# 3. the economic analysis: one set of factors, labour by skill, transfers out, external effects


def test_construction_labour_services_and_permit_fees() -> None:
    # the quay 200 (construction, factor 0.9) with 30 % unskilled labour at the shadow wage 0.5:
    # 200 x 0.9 x (0.7 + 0.3 x 0.5) = 153; land 50 x 1 = 50; equipment 50 x 1 = 50. An added study of 10
    # (services, the standard factor 0.95) of which 20 % permit fees (a transfer): 8 x 0.95 = 7.6; total 260.6
    d = hand(construction=0.9, output=0.95, operating_costs=0.95, shadow_wage=0.5)
    d["economic"]["construction_unskilled_labour_share"] = Q(0.3)
    d["port"]["capex"]["study"] = {"amount_idr": Q(10_000_000), "asset_class": "group_1", "economic_kind": "services",
                                   "transfer_share": Q(0.2)}
    res = run(parse_case(d))
    np.testing.assert_allclose(line(res, "economic_capex_real_idr"), [260.6, 0, 0, 0, 0])


def test_output_and_operating_costs_take_one_standard_factor() -> None:
    text = messages(hand(output=1.0, operating_costs=0.95))
    assert "conversion_factors.output (1)" in text and "operating_costs (0.95)" in text and "EU CBA Guide 2014" in text


def test_external_effects_fixed_once_and_following_a_stream() -> None:
    # dredging: 100 m3 a year from 2026 and 300 m3 once in 2025, at -Rp10,000 (a cost): -3 in 2025, -1 a year after;
    # emissions avoided: 2 kg per tonne of the cargo's diverted half (500, 1000, 1000, 1000 t) at Rp1,000/kg,
    # growing 10 % a year from 2025: 0.5 x 1.1, 1 x 1.21, 1 x 1.331, 1 x 1.4641
    d = hand()
    d["economic"]["traffic"]["port"]["cargo_handling"]["diverted_share"] = Q(0.5)
    d["economic"]["externalities"] = {
        "dredging": {"label": "Dredging", "unit": "m3", "volume_units_per_year": Q(100.0), "once_units": Q(300.0), "once_year": 2025,
                     "unit_value_idr": Q(-10_000.0)},
        "co2": {"label": "CO2", "unit": "kg", "follows": "port.cargo_handling", "traffic": "diverted", "units_per_stream_unit": Q(2.0),
                "unit_value_idr": Q(1_000.0), "real_growth_per_year": Q(0.10)},
    }
    res = run(parse_case(d))
    dredge = [-3, -1, -1, -1, -1]
    co2 = [0, 500 * 0.5 * 2 * 1000 * 1.1 / M, 1000 * 0.5 * 2 * 1000 * 1.21 / M, 1000 * 0.5 * 2 * 1000 * 1.331 / M, 1000 * 0.5 * 2 * 1000 * 1.4641 / M]
    np.testing.assert_allclose(line(res, "economic_external_dredging_real_idr"), dredge, atol=1e-12)
    np.testing.assert_allclose(line(res, "economic_external_co2_real_idr"), co2, atol=1e-12)
    np.testing.assert_allclose(line(res, "economic_external_costs_real_idr"), [3, 1, 1, 1, 1], atol=1e-12)
    np.testing.assert_allclose(line(res, "economic_external_benefits_real_idr"), co2, atol=1e-12)
    # an external cost lowers the ENPV by its present value, one rupiah for one
    base = run(parse_case(hand()))
    plain = copy.deepcopy(d)
    plain["economic"]["externalities"] = {}
    diff = res.metrics["enpv_idr"] - run(parse_case(plain)).metrics["enpv_idr"]
    assert diff / M == pytest.approx(sum((c + x) / 1.1**t for t, (c, x) in enumerate(zip(dredge, co2))), rel=1e-12)
    assert base.metrics["enpv_idr"] != res.metrics["enpv_idr"]


def test_enpv_by_stream_sums_to_the_enpv_and_keeps_each_stream() -> None:
    d = hand(output=0.95, operating_costs=0.95, shadow_wage=0.5)
    d["economic"]["externalities"] = {
        "noise": {"label": "Noise", "unit": "truck-km", "follows": "port.cargo_handling", "units_per_stream_unit": Q(0.4),
                  "unit_value_idr": Q(-3_000.0)},
    }
    res = run(parse_case(d))
    parts = enpv_by_stream(res)
    by = {p.key: p for p in parts}
    assert sum(p.pv_idr for p in parts) == pytest.approx(res.metrics["enpv_idr"], rel=1e-12)
    # revenue 0, 50, 100, 100, 100 x 0.95 at 10 %: 47.5/1.1 + 95/1.21 + 95/1.331 + 95/1.4641 = 221.19
    assert by["economic_revenue_real_idr"].pv_idr / M == pytest.approx(47.5 / 1.1 + 95 / 1.21 + 95 / 1.331 + 95 / 1.4641)
    assert by["economic_capex_real_idr"].kind == "cost" and by["economic_capex_real_idr"].pv_idr / M == pytest.approx(-300)
    # noise: 0.4 truck-km x Rp3,000 per tonne: 0.6, 1.2, 1.2, 1.2 a year, a cost
    noise = by["economic_external_noise_real_idr"]
    assert noise.kind == "cost" and noise.pv_idr / M == pytest.approx(-(0.6 / 1.1 + 1.2 / 1.21 + 1.2 / 1.331 + 1.2 / 1.4641))
    assert "economic_employment_real_idr" not in by  # the shadow wage lowers a cost; it is no benefit


def test_the_default_enpv_decomposition() -> None:
    res = run(load_case(DEFAULT_CASE))
    parts = enpv_by_stream(res)
    assert sum(p.pv_idr for p in parts) == pytest.approx(res.metrics["enpv_idr"], rel=1e-12)
    keys = {p.key for p in parts}
    assert {"economic_external_dredging_fisheries_real_idr", "economic_external_truck_traffic_kasemen_real_idr",
            "economic_external_trucking_emissions_avoided_real_idr"} <= keys
    costs = [p for p in parts if p.kind == "cost"]
    assert all(p.pv_idr <= 0 for p in costs) and all(p.pv_idr >= 0 for p in parts if p.kind == "benefit")


# ---------------------------------------------------------------------------
# 5. public figures restated to the base year


def test_pad_and_apbd_restated_with_the_declared_price_index() -> None:
    # PAD 1,000 in 2023 rupiah, APBD 2,000 in 2024 rupiah; index 2023 = 100, 2024 = 104, 2025 = 110:
    # in 2025 prices 1,000 x 110/100 = 1,100 and 2,000 x 110/104 = 2,115.38
    d = copy.deepcopy(HAND_RAW)
    d["region"]["pad_idr_per_year"] = {**Q(1_000_000_000), "year": 2023}
    d["region"]["apbd_idr_per_year"] = {**Q(2_000_000_000), "year": 2024}
    text = messages(copy.deepcopy(d))  # without an index: refused, naming the field and the years
    assert "region.pad_idr_per_year" in text and "macro.price_index" in text and "2023" in text
    d["macro"]["price_index"] = {"values": {"2023": 100.0, "2024": 104.0}, "source": "test", "confidence": "placeholder"}
    text = messages(copy.deepcopy(d))  # the base year missing from the index
    assert "macro.price_index.values" in text and "2025" in text
    d["macro"]["price_index"]["values"]["2025"] = 110.0
    res = run(parse_case(d))
    np.testing.assert_allclose(line(res, "region_pad_idr"), [1100] * 5)
    np.testing.assert_allclose(line(res, "region_apbd_idr"), [2000 * 110 / 104] * 5)
