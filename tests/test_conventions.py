"""Conventions a lender's auditor would sign, each on a case small enough to check by hand.

Interest during construction (PSAK 26 / IAS 23.14; IFRIC agenda decision Sept
2018), renewals retiring what they replace (UU PPh art. 11(8)), a concession's
reversion, the funding gap, expansion decisions, generated versus diverted
traffic (EU CBA Guide 2014, transport), losses that lapse (UU PPh art. 6(2)),
the bond alternative, and robustness searched over the box of declared ranges.
Every expected number is derived in the comment next to it (amounts in
millions of rupiah unless said).
"""

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

from feasibility import load_case, parse_case, run
from feasibility.analysis.robustness import robustness
from feasibility.model.tax import LossPool, depreciation_matrix, income_tax

M = 1e6
HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
RAW = tomllib.loads(HAND.read_text(encoding="utf-8"))


def case_with(**changes):
    """The hand case with some tables replaced or added (a dotted key sets a nested table)."""
    d = copy.deepcopy(RAW)
    for key, value in changes.items():
        obj = d
        *head, last = key.split("__")
        for part in head:
            obj = obj.setdefault(part, {})
        if value is None:
            obj.pop(last, None)
        else:
            obj[last] = value
    return parse_case(d, "test")


def q(v):
    return {"value": v, "source": "test", "confidence": "placeholder"}


def line(res, name):
    return res.annual[name].to_numpy() / M


# ---------------------------------------------------------------------------
# interest during construction


def two_year_build(quay_phasing):
    # construction 2025-2026, operation 2027-2030; land 100 bought in 2025, the quay as phased from 2025
    return case_with(
        timeline={**RAW["timeline"], "construction_years": 2},
        port__capex={
            "land": {"amount_idr": q(100 * M), "asset_class": "land"},
            "quay": {"amount_idr": q(200 * M), "asset_class": "building_permanent", "phasing": quay_phasing},
        },
        financing__capital_injection={"years": [2025], "amount_idr_nominal": q([300 * M])},
        financing__loans={"bank": {"share_of_construction_capex": q(0.5), "interest_rate": q(0.10), "tenor_years": 2,
                                   "repayment": "straight_line"}},
    )


def test_interest_during_construction_on_land_is_never_deducted():
    # draws: 50 % of 100 in 2025, 50 % of 200 in 2026; interest 2026 = 10 % x 50 (the balance drawn before) = 5,
    # which financed the land (the only spend before 2026): all 5 to the land, nothing to the quay bought in 2026
    res = run(two_year_build([0.0, 1.0]))
    np.testing.assert_allclose(line(res, "interest_capitalised_idr"), [0, 5, 0, 0, 0, 0])
    # the quay depreciates 200 / 20 = 10 a year; the land and its interest never
    np.testing.assert_allclose(line(res, "depreciation_idr"), [0, 0, 10, 10, 10, 10])


def test_interest_during_construction_follows_the_spend_it_financed():
    # land 100 and half the quay (100) spent in 2025: 2026's interest 10 % x 50 % x 200 = 10 shared 100:100,
    # 5 to the land (never deducted) and 5 to the quay (5 / 20 = 0.25 a year on top of 200 / 20 = 10)
    res = run(two_year_build([0.5, 0.5]))
    np.testing.assert_allclose(line(res, "interest_capitalised_idr"), [0, 10, 0, 0, 0, 0])
    np.testing.assert_allclose(line(res, "depreciation_idr"), [0, 0, 10.25, 10.25, 10.25, 10.25])


# ---------------------------------------------------------------------------
# renewals


def test_a_renewal_retires_the_asset_it_replaces():
    # group 2: 8 years, 12.5 % a year; in service in year 1, bought again in years 5 and 9
    d = depreciation_matrix(11, "group_2", "straight_line", (5, 9))
    # the first asset: 4 years of 12.5 %, then withdrawn in year 5 with half its cost left, deducted then
    np.testing.assert_allclose(d[1], [0, 0.125, 0.125, 0.125, 0.125, 0.5, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(d[5], [0, 0, 0, 0, 0, 0.125, 0.125, 0.125, 0.125, 0.5, 0])
    np.testing.assert_allclose(d[9][9:], [0.125, 0.125])
    assert d[1].sum() == pytest.approx(1.0)


def test_renewal_before_the_end_of_tax_life_in_the_model():
    # the hand case's equipment (group 1, 4 years, 50 with contingency) bought again every 2 years: in 2028
    eq = {**RAW["port"]["capex"]["equipment"], "renewal_every_years": 2}
    res = run(case_with(port__capex={**RAW["port"]["capex"], "equipment": eq}))
    # equipment: 12.5 in 2026 and 2027; 2028: the old one's 25 left written off + 12.5 of the new; 2029: 12.5
    # plus the quay's 10 a year
    np.testing.assert_allclose(line(res, "depreciation_idr"), [0, 22.5, 22.5, 47.5, 22.5])
    # residual (book value, the concession lasts 26 more years): quay 200 - 40 = 160 (deducted within them),
    # the new equipment 50 - 25 = 25, the land the BUMD keeps 50, working capital 10
    np.testing.assert_allclose(line(res, "residual_value_idr")[-1], 160 + 25 + 50 + 10)


# ---------------------------------------------------------------------------
# the concession's end


@pytest.mark.parametrize(
    "terms, expected",
    [
        # the concession ends with the model: every port asset reverts without payment; working capital 10 stays
        ({"term_years": 4, "reversion": "without_payment"}, 10),
        # ... with a payment of 30 (base-year prices, no inflation)
        ({"term_years": 4, "reversion": "with_payment", "transfer_payment_idr": q(30 * M)}, 40),
        # 2 years left: the quay deducts 10 + 10 of its 160 before it reverts; the equipment is fully
        # depreciated; the land reverts
        ({"term_years": 6, "reversion": "without_payment"}, 30),
        # ... and the BUMD keeps its land (50)
        ({"term_years": 6, "reversion": "without_payment", "land_reverts": False}, 80),
    ],
)
def test_the_residual_value_follows_the_concession(terms, expected):
    res = run(case_with(concession=terms))
    assert line(res, "residual_value_idr")[-1] == pytest.approx(expected)


def test_a_varied_transfer_payment_is_valued_case_by_case():
    # found by the workbook's tornado: payments of shape (n, 1) times the last year's prices (n,) made an (n, n) table
    case = case_with(concession={"term_years": 4, "reversion": "with_payment", "transfer_payment_idr": q(30 * M)})
    path = "concession.transfer_payment_idr"
    pays = np.array([0.0, 30 * M, 90 * M])
    together = np.asarray(run(case, {path: pays}).lines["residual_value_idr"])[:, -1] / M
    np.testing.assert_allclose(together, [10, 40, 100])  # working capital 10 plus each payment (no inflation)


def test_the_concession_must_cover_the_model_years():
    with pytest.raises(Exception, match="concession.term_years: must cover the model's operating years"):
        case_with(concession={"term_years": 3, "reversion": "without_payment"})


def test_the_economic_view_keeps_the_reverting_assets():
    case = load_case()
    res = run(case)
    a = res.annual
    # financially the port's assets revert without payment: only the lab's assets and working capital remain
    port_assets = a["economic_residual_real_idr"].iloc[-1]
    assert port_assets > a["residual_value_idr"].iloc[-1] > 0


# ---------------------------------------------------------------------------
# the funding gap


def test_top_ups_finance_the_gap_and_count_as_public_money():
    # the hand case's cumulative cash without financing: 50, -17.5, -45, 3.1, 31.04 (test_model_hand);
    # top-ups of 17.5 (2026) and 27.5 (2027) keep it at zero; the reserve cap (20 % of 245) does not bind,
    # so the dividends stay 7.6 (paid 2028) and 12.92 (2029; the 2029 declaration falls due after the horizon)
    res = run(case_with(financing__funding_gap={"sources": ["top_up"]}))
    np.testing.assert_allclose(line(res, "top_up_idr"), [0, 17.5, 27.5, 0, 0])
    np.testing.assert_allclose(line(res, "cumulative_cash_idr"), [50, 0, 0, 48.1, 48.1 + 65 - 8.5 - 12.92 - 1.36])
    np.testing.assert_allclose(line(res, "cumulative_cash_before_gap_funding_idr"), [50, -17.5, -45, 3.1, 45.32])
    np.testing.assert_allclose(line(res, "dividends_to_region_idr"), [0, 0, 0, 7.6, 12.92])
    # a solvent BUMD: the region's share of its net assets at the end, cash 90.32 + assets and receivables 220
    # - tantiem owed to staff 1.36 = 308.96, counts in the region's NPV with the top-ups:
    # -200 - 17.5/1.1 - 27.5/1.21 + 7.6/1.331 + (12.92 + 308.96)/1.4641 = -13.08
    np.testing.assert_allclose(line(res, "region_final_stake_idr"), [0, 0, 0, 0, 308.96])
    assert res.metrics["region_npv_idr"] / M == pytest.approx(
        -200 - 17.5 / 1.1 - 27.5 / 1.21 + 7.6 / 1.331 + (12.92 + 308.96) / 1.4641, rel=1e-12)
    assert res.metrics["region_npv_idr"] / M == pytest.approx(-13.08, abs=0.01)
    m = res.metrics
    assert m["public_money_total_idr"] / M == pytest.approx(245)
    assert m["region_top_up_total_idr"] / M == pytest.approx(45)
    # at the region's 10 %: 200 + 17.5 / 1.1 + 27.5 / 1.21
    assert m["public_money_pv_idr"] / M == pytest.approx(200 + 17.5 / 1.1 + 27.5 / 1.21)
    assert m["min_cumulative_cash_idr"] / M == pytest.approx(-45) and m["cash_sustainable"] == 0
    assert m["unfunded_gap_max_idr"] == 0


def test_a_standby_facility_first_then_top_ups():
    # standby up to 30 at 10 %: 2026 draws 17.5; 2027: its interest 1.75 is deductible: taxable 35 - 1.75 = 33.25,
    # less the 2026 loss of 10 -> tax 20 % x 23.25 = 4.65; cash 65 - 5 - 4.65 - 82.5 - 1.75 = -28.9, of which the
    # facility lends 12.5 more (to its limit of 30) and the shareholders top up 16.4
    gap = {"sources": ["standby_facility", "top_up"],
           "standby_facility": {"limit_idr_nominal": q(30 * M), "interest_rate": q(0.10)}}
    res = run(case_with(financing__funding_gap=gap))
    np.testing.assert_allclose(line(res, "standby_draw_idr")[:3], [0, 17.5, 12.5])
    np.testing.assert_allclose(line(res, "standby_interest_idr")[:3], [0, 0, 1.75])
    np.testing.assert_allclose(line(res, "tax_idr")[2], 4.65)
    np.testing.assert_allclose(line(res, "top_up_idr")[:3], [0, 0, 16.4])
    # 2028: interest 3 on 30; cash 65 - 7.9 tax - 3 = 54.1 repays the 30 before any dividend
    np.testing.assert_allclose(line(res, "standby_repayment_idr")[3], 30)
    np.testing.assert_allclose(line(res, "standby_balance_idr"), [0, 17.5, 30, 0, 0])


def test_without_a_source_the_gap_is_reported_unfunded():
    res = run(load_case(HAND))  # no [financing.funding_gap]
    np.testing.assert_allclose(line(res, "unfunded_gap_idr"), [0, 17.5, 45, 0, 0])
    assert res.metrics["unfunded_gap_max_idr"] / M == pytest.approx(45)
    assert np.all(line(res, "top_up_idr") == 0)


# ---------------------------------------------------------------------------
# expansion decisions


def test_expansion_phases_carry_the_uplifts_and_are_deferred_when_unfunded():
    case = load_case()
    res = run(case)
    # the default case cannot fund its second berth when it is needed: deferred, flagged, not built
    assert res.metrics["expansion_deferred_phases"] == 1
    assert np.all(res.annual["expansion_capex_idr"] == 0)
    # one berth: 8,760 h x 50 t/h x 0.4 (M/E2/1 at the allowed wait of half the berth time: 0.5 / (0.75 + 0.5))
    assert res.annual["cargo_capacity_tonnes"].max() == pytest.approx(8760 * 50 * 0.4)
    # financed by top-ups instead, it is built with the first wharf's contingency (10 %) and optimism bias (66 %):
    # 150 bn x 1.1 x 1.66 = 273.9 bn at 2026 prices
    text = case.model_dump(mode="json", exclude_none=True)
    text["port"]["capacity"]["expansion"]["when_unfunded"] = "gap_funding"
    built = run(parse_case(text, "test"))
    assert built.annual["expansion_capex_idr"].sum() / 1e9 == pytest.approx(150 * 1.1 * 1.66)
    assert built.metrics["expansion_deferred_phases"] == 0
    # the expansion's own value: the FNPV with it less the FNPV without it
    assert res.metrics["expansion_npv_idr"] == pytest.approx(built.metrics["fnpv_idr"] - res.metrics["fnpv_idr"], rel=1e-12)


# ---------------------------------------------------------------------------
# generated and diverted traffic


def test_diverted_traffic_counts_only_the_resources_it_saves():
    economic = {
        "social_discount_rate": q(0.10),
        "conversion_factors": {k: q(1.0) for k in ("output", "construction", "equipment", "land", "operating_costs", "shadow_wage")},
        # 75 % of the cargo would go through another port anyway, whose handling costs 30,000 a tonne
        "traffic": {"port": {"cargo_handling": {"diverted_share": q(0.75), "alternative_cost_idr_per_unit": q(30_000)}}},
        "benefits": {"haul": {"label": "shorter haul", "unit": "tonne", "follows": "port.cargo_handling", "traffic": "diverted",
                              "units_per_stream_unit": q(1.0), "unit_value_idr": q(10_000)}},
    }
    res = run(case_with(economic=economic))
    a = res.annual
    # 2026: 500 t, revenue 50: only the generated quarter's revenue is a benefit (12.5); the diverted
    # 375 t save the other port 375 x 30,000 = 11.25 and a shorter haul 375 x 10,000 = 3.75
    np.testing.assert_allclose(a["economic_revenue_real_idr"].to_numpy()[:2] / M, [0, 12.5])
    np.testing.assert_allclose(a["economic_diverted_savings_real_idr"].to_numpy()[:2] / M, [0, 11.25])
    np.testing.assert_allclose(a["economic_benefit_haul_real_idr"].to_numpy()[:2] / M, [0, 3.75])


def test_every_revenue_stream_says_where_its_volume_comes_from():
    economic = {"social_discount_rate": q(0.1), "conversion_factors": {k: q(1.0) for k in (
        "output", "construction", "equipment", "land", "operating_costs", "shadow_wage")}, "traffic": {}}
    with pytest.raises(Exception, match="economic.traffic: needs every revenue stream.*port.cargo_handling"):
        case_with(economic=economic)


# ---------------------------------------------------------------------------
# losses that lapse


def test_a_loss_lapses_after_five_years():
    # a loss of 100 in year 0 may offset income of years 1-5 only; the income of 100 in year 6 is taxed in full
    pool = LossPool(7, (), 5)
    steps = [pool.step(t, np.float64(x)) for t, x in enumerate([-100, 0, 0, 0, 0, 0, 100])]
    assert [float(s[2]) for s in steps] == [0, 0, 0, 0, 0, 100, 0]  # lapsed at the end of year 5
    res = income_tax(np.array([-100.0, 0, 0, 0, 0, 0, 100]), 0.22, 5)
    np.testing.assert_allclose(res["tax"], [0, 0, 0, 0, 0, 0, 22])
    # a year earlier it is still used
    np.testing.assert_allclose(income_tax(np.array([-100.0, 0, 0, 0, 0, 100]), 0.22, 5)["tax"], 0)


# ---------------------------------------------------------------------------
# the bond alternative


def test_the_bond_pays_interest_and_keeps_the_capital():
    res = run(load_case(HAND))
    # 200 paid in 2025; the 10-year yield (the region's rate) 10 %: 20 a year from 2026; the capital comes back
    # at maturity, so it is not part of the yearly return
    np.testing.assert_allclose(line(res, "region_bond_interest_idr"), [0, 20, 20, 20, 20])
    assert res.metrics["region_bond_interest_avg_idr_per_year"] / M == pytest.approx(20)


# ---------------------------------------------------------------------------
# robustness over the box


def test_robustness_values_are_what_the_model_gives_for_their_inputs():
    case = load_case()
    rob = robustness(case, ["fnpv_idr", "payback_years"], random_starts=1)
    for key, r in rob.items():
        for ext in (r.best, r.worst):
            again = run(case, ext.inputs, metrics=[key]).metrics[key]
            assert again == ext.value or (np.isnan(again) and np.isnan(ext.value))
            qmap = case.quantity_map()
            for p, v in ext.inputs.items():
                assert qmap[p].low <= v <= qmap[p].high
    # the favourable end of each input one at a time misses what the box holds
    assert rob["fnpv_idr"].best.value >= run(case).metrics["fnpv_idr"]
    assert rob["payback_years"].worst.value != rob["payback_years"].worst.value  # never paid back somewhere: NaN


def test_an_irr_is_worst_where_its_npv_is_worst_even_without_an_irr():
    # ranking FIRRs alone skips the inputs where the flows never pay back (no IRR): the worst FIRR
    # "found" was then the base case's. Ranked on the FNPV (its proxy), the worst is the worst project.
    case = load_case()
    rob = robustness(case, ["firr", "fnpv_idr"], random_starts=1)
    f, n = rob["firr"], rob["fnpv_idr"]
    assert f.worst.inputs == n.worst.inputs and f.worst.proxy == n.worst.value
    assert f.best.inputs == n.best.inputs and f.best.proxy == n.best.value
    assert n.worst.value < run(case).metrics["fnpv_idr"]
    again = run(case, f.worst.inputs, metrics=["firr", "fnpv_idr"]).metrics
    assert again["fnpv_idr"] == f.worst.proxy
    assert again["firr"] == f.worst.value or (np.isnan(again["firr"]) and np.isnan(f.worst.value))


def test_an_undefined_irr_found_is_judged_by_its_npv():
    from feasibility.analysis.criteria import Criterion

    c = Criterion("firr", "firr", ">", -0.3, 0.07, False, best=0.05, worst=float("nan"), best_inputs={"x": 1.0},
                  best_threshold=0.045, worst_threshold=0.07, best_proxy=9e9, worst_proxy=-1e12)
    assert c.robust is False  # passes at best (5 % > 4.5 %), fails at worst (no IRR, FNPV < 0)
    c.best, c.best_proxy = 0.03, -1.0
    assert c.robust is True  # fails at both


def test_at_ends_counts_the_inputs_at_an_end_of_their_range():
    from feasibility.analysis.robustness import at_ends

    case = load_case()
    qmap = case.quantity_map()
    ranged = [p for p, x in qmap.items() if not x.is_list and x.low is not None and x.low != x.high][:4]
    a, b, c, d = ranged
    mid = lambda p: (float(qmap[p].low) + float(qmap[p].high)) / 2
    inputs = {a: float(qmap[a].low), b: float(qmap[b].high), c: mid(c), d: mid(d)}
    assert at_ends(case, inputs) == 2
    assert at_ends(case, {c: mid(c)}) == 0
    assert at_ends(case, {}) == 0


# ---------------------------------------------------------------------------
# public money in current prices: what the APBD pays


def test_public_money_in_current_prices_is_what_a_nominal_run_gives():
    # a real run deflates every money line; its current-price totals must be the nominal run's own totals
    from feasibility.case import DEFAULT_CASE

    raw = tomllib.loads(Path(DEFAULT_CASE).read_text(encoding="utf-8"))
    raw["timeline"]["price_basis"] = "nominal"
    real, nominal = run(load_case()).metrics, run(parse_case(raw, "nominal")).metrics
    assert real["region_top_up_total_idr"] > 0  # the default case has top-ups: the test can fail
    for key in ("public_money_total", "region_top_up_total", "region_injection_total"):
        assert real[f"{key}_current_idr"] == pytest.approx(nominal[f"{key}_idr"], rel=1e-12)
        assert nominal[f"{key}_current_idr"] == pytest.approx(nominal[f"{key}_idr"], rel=1e-12)
    # with inflation above zero, paying later costs more rupiah than the constant-price total says
    assert real["public_money_total_current_idr"] > real["public_money_total_idr"]
