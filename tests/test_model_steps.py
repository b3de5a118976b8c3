"""Each step of the model on its own, against numbers worked out by hand (or a published reference).

The steps are pure functions (feasibility/model/*.py); the chain that joins them
is tested line by line in test_model_hand.py. Amounts are small round numbers;
every expected value is derived in the comment next to it.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pytest

from feasibility import load_case
from feasibility.model.allocation import injections, lagged
from feasibility.model.capex import AssetKey, capex, category, item_schedule, placed_in_service
from feasibility.model.cash import cash_flows, working_capital
from feasibility.model.financing import debt, fisher_real, loan_schedule, rates
from feasibility.model.inputs import BuildUpLab, CapacityInputs, CapexInputs, FixedCost, Stream, resolve
from feasibility.model.operations import cap_cargo, escalation, fixed_cost, operations, price_index, stream_volume
from feasibility.model.residual import residual_by_category, residual_value
from feasibility.model.tax import tax_depreciation

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
YEARS = np.arange(2025, 2030)  # 2025 construction, 2026-2029 operation
M = 1e6


@pytest.fixture(scope="module")
def hand():
    return load_case(HAND)


def stream(**kw):
    base = dict(
        line="port", name="cargo_handling", kind="cargo_handling", unit="tonnes", start=2026, volume=1000.0, ramp=None,
        growth=0.0, tariff=100.0, tariff_escalation=0.0, unit_cost=0.0, cost_escalation=0.0, follows_cargo=True,
    )
    base.update(kw)
    return Stream(**base)


# ---------------------------------------------------------------------------
# inputs


def test_resolve_reads_the_case_once_as_typed_numbers(hand):
    inp = resolve(hand)
    assert inp.lead == () and inp.full == (5,) and inp.years.tolist() == YEARS.tolist()
    port = inp.lines[0]
    assert port.key == "port" and port.fee_share == 0.05 and port.capacity is None
    s = port.streams[0]
    assert (s.volume, s.tariff, s.unit_cost, s.start) == (1000.0, 100000.0, 20000.0, 2026)
    assert s.ramp.tolist() == [0.5]
    # optional numbers left out of the case: the model's documented "absent" values
    assert (s.growth, s.tariff_escalation, s.cost_escalation) == (0.0, 0.0, 0.0)
    quay, equipment = port.capex[1], port.capex[2]
    assert (quay.contingency, quay.optimism_bias, equipment.contingency) == (0.0, 0.0, 0.25)
    assert inp.loans[0].share == 0.5 and inp.loans[0].repayment == "straight_line"
    assert inp.grant_share == 0.0 and inp.economic is None and inp.pad is None


def test_resolve_overrides_broadcast_on_leading_axes(hand):
    inp = resolve(hand, {"port.revenue.cargo_handling.tariff_idr_per_tonne": [1.0, 2.0, 3.0],
                         "financing.capital_injection.amount_idr_nominal": [[1.0], [2.0], [3.0]]})
    assert inp.lead == (3,)
    assert inp.lines[0].streams[0].tariff.shape == (3, 1)  # L + (1,): broadcasts against L + (T,)
    assert inp.injection_amounts.shape == (3, 1)
    assert inp.lines[0].streams[0].unit_cost == 20000.0  # not overridden: a float


def test_resolve_refuses_unknown_paths_and_values_out_of_range(hand):
    with pytest.raises(KeyError, match="tarif_idr"):
        resolve(hand, {"port.revenue.cargo_handling.tarif_idr_per_tonne": 1.0})
    with pytest.raises(ValueError, match="tax_rate: must be >= 0 and <= 0.6"):
        resolve(hand, {"tax.corporate_income_tax_rate": [0.2, 22.0]})
    with pytest.raises(ValueError, match="last axis of length 1"):
        resolve(hand, {"financing.capital_injection.amount_idr_nominal": [1.0, 2.0]})


# ---------------------------------------------------------------------------
# operations


def test_price_index_and_escalation():
    np.testing.assert_allclose(price_index(0.1, YEARS, 2026, (5,)), [1 / 1.1, 1, 1.1, 1.21, 1.331])
    np.testing.assert_allclose(escalation(-0.5, YEARS, 2025), [1, 0.5, 0.25, 0.125, 0.0625])
    assert escalation(0.0, YEARS, 2025).tolist() == [1.0] * 5


def test_stream_volume_ramp_growth_and_first_year():
    # ramp 50 % in the first year, then 10 % growth a year from the first year on
    v, extra = stream_volume(stream(ramp=np.array([0.5]), growth=0.1), YEARS, (5,))
    np.testing.assert_allclose(v, [0, 500, 1100, 1210, 1331])
    assert extra == {}
    # a linear curve from 40 % to full in 2 years: 0.4, 0.7, 1.0
    v, _ = stream_volume(stream(ramp=("linear", 2, 0.4)), YEARS, (5,))
    np.testing.assert_allclose(v, [0, 400, 700, 1000, 1000])


def test_stream_volume_lab_build_up():
    # 10 companies x 12 samples x 50 % = 60 samples a year from the stream's start (2027)
    s = stream(kind="lab_tests", unit="samples", start=2027, volume=BuildUpLab(10.0, 12.0, 0.5), follows_cargo=False)
    v, _ = stream_volume(s, YEARS, (5,))
    np.testing.assert_allclose(v, [0, 0, 60, 60, 60])


def test_cap_cargo_scales_the_streams_that_follow_the_cargo():
    # 1 berth x 1,000 h x 1 t/h x 50 % occupancy = 500 t a year; demand 1,000 t -> half handled
    cap = CapacityInputs(berths=1, working_hours=1000.0, productivity=1.0, max_occupancy=0.5, yard=None)
    streams = (stream(), stream(name="port_dues", kind="port_dues", unit="gt"),
               stream(name="lab_tests", kind="lab_tests", unit="samples", follows_cargo=False))
    demand = np.array([0, 1000, 1000, 250, 1000.0])
    vols = {"cargo_handling": demand, "port_dues": demand * 2, "lab_tests": demand * 3}
    out, lines, grown = cap_cargo(cap, streams, vols, YEARS, (5,))
    assert grown is None
    np.testing.assert_allclose(out["cargo_handling"], [0, 500, 500, 250, 500])
    np.testing.assert_allclose(out["port_dues"], [0, 1000, 1000, 500, 1000])  # follows the cargo
    np.testing.assert_allclose(out["lab_tests"], vols["lab_tests"])  # does not
    np.testing.assert_allclose(lines["cargo_unmet_tonnes"], [0, 500, 500, 0, 500])
    # occupancy = throughput / capacity x 50 %
    np.testing.assert_allclose(lines["berth_occupancy"], [0, 0.5, 0.5, 0.25, 0.5])


def test_fixed_cost_in_its_years_escalated_and_inflated():
    item = FixedCost("staff", 100.0, 0.1, 0.0, 2026, 2028)
    np.testing.assert_allclose(fixed_cost(item, YEARS, np.full(5, 2.0), 2025), [0, 220, 242, 266.2, 0])


def test_operations_of_the_hand_case(hand):
    inp = resolve(hand)
    ops = operations(inp, price_index(inp.inflation, inp.years, inp.price_base_year, inp.full))
    # revenue 1000 t x 100,000 (50 % ramp in 2026); fee 5 % of it; EBITDA = revenue - variable - staff - fee
    np.testing.assert_allclose(ops.revenue / M, [0, 50, 100, 100, 100])
    np.testing.assert_allclose(ops.fee / M, [0, 2.5, 5, 5, 5])
    np.testing.assert_allclose(ops.ebitda / M, [0, 27.5, 65, 65, 65])
    np.testing.assert_allclose(ops.lines["contribution_port_idr"] / M, [0, 27.5, 65, 65, 65])
    assert ops.expansion is None and not np.any(ops.unskilled)


# ---------------------------------------------------------------------------
# capex


def test_item_schedule_uplifts_phasing_and_renewal(hand):
    inp = resolve(hand)
    # 100 x 1.1 contingency x 1.2 optimism bias = 132, spent 40/60 % in 2025-2026, renewed every 2 years
    # after it entered service (2026): bought again in 2028
    item = CapexInputs("x", 100.0, 0.1, 0.2, 0.0, "group_1", "straight_line", 2025, (0.4, 0.6), 2)
    nominal, share, renewals, spend, real = item_schedule(item, inp, np.ones(5))
    np.testing.assert_allclose(real, 132)  # base-year prices: no price index
    np.testing.assert_allclose(nominal, 132)
    assert share.tolist() == [0.4, 0.6, 0, 0, 0] and renewals.tolist() == [0, 0, 0, 1, 0]
    np.testing.assert_allclose(spend, [52.8, 79.2, 0, 132, 0])
    # construction spend enters service in the first operating year (index 1): 52.8 + 79.2
    np.testing.assert_allclose(placed_in_service(nominal, share, renewals, 1), [0, 132, 0, 132, 0])


def test_capex_of_the_hand_case_by_class(hand):
    inp = resolve(hand)
    cx = capex(inp, np.ones(5), None, want_real=True)
    # land 50 + quay 200 + equipment 40 x 1.25 = 300 in 2025, all construction
    np.testing.assert_allclose(cx.total / M, [300, 0, 0, 0, 0])
    np.testing.assert_allclose(cx.construction, cx.total)
    # no services and no permit fees (a transfer) in the hand case
    assert {k: float(np.sum(v)) / M for k, v in cx.by_category.items()} == {"land": 50, "construction": 200, "equipment": 50, "services": 0, "transfer": 0}
    np.testing.assert_allclose(cx.in_service[AssetKey("port", "building_permanent", "straight_line")] / M, [0, 200, 0, 0, 0])
    # what the interest during construction financed, year by year, land included
    assert {k.asset_class: float(np.sum(v)) / M for k, v in cx.construction_spend.items()} == {"land": 50, "building_permanent": 200, "group_1": 50}
    assert category("building_non_permanent") == "construction" and category("group_4") == "equipment"


# ---------------------------------------------------------------------------
# loans, rates


def test_annuity_loan_matches_numpy_financial():
    # 1,000 drawn in year 0; 8 %; one grace year (interest only), then 5 annuity instalments from year 2
    draws = np.zeros(8)
    draws[0] = 1000.0
    interest, principal, opening = loan_schedule(draws, 0.08, 2, 5, "annuity")
    np.testing.assert_allclose(interest[:2], [0, 80])
    n = np.arange(1, 6)
    np.testing.assert_allclose(interest[2:7], -npf.ipmt(0.08, n, 5, 1000), rtol=1e-12)
    np.testing.assert_allclose(principal[2:7], -npf.ppmt(0.08, n, 5, 1000), rtol=1e-12)
    assert principal.sum() == pytest.approx(1000, abs=1e-9) and principal[7] == 0
    np.testing.assert_allclose(opening[:3], [0, 1000, 1000])


def test_straight_line_loan_by_hand():
    # 300 drawn in year 0 at 10 %, repaid in 3 equal instalments from year 1: interest 30, 20, 10
    draws = np.array([300.0, 0, 0, 0, 0])
    interest, principal, opening = loan_schedule(draws, 0.10, 1, 3, "straight_line")
    np.testing.assert_allclose(interest, [0, 30, 20, 10, 0])
    np.testing.assert_allclose(principal, [0, 100, 100, 100, 0])
    np.testing.assert_allclose(opening, [0, 300, 200, 100, 0])


def test_debt_and_rates_of_the_hand_case(hand):
    inp = resolve(hand)
    d = debt(inp, np.array([300.0, 0, 0, 0, 0]) * M)
    np.testing.assert_allclose(d.interest / M, [0, 15, 7.5, 0, 0])
    np.testing.assert_allclose(d.interest_capitalised, 0)  # nothing paid during construction
    np.testing.assert_allclose(d.outstanding / M, [150, 75, 0, 0, 0])
    rt = rates(inp, d)
    # WACC = 50 % x 12 % + 50 % x 10 % x (1 - 20 %) = 10 % (nominal basis: no Fisher)
    assert float(rt.wacc) == pytest.approx(0.10) and float(rt.loan) == pytest.approx(0.10)
    assert fisher_real(0.1275, 0.025) == pytest.approx(0.10)


# ---------------------------------------------------------------------------
# tax, residual


def test_tax_depreciation_with_capitalised_interest():
    # building 200 and group 1 (4 years) 50 spent in year 0, in service in year 1; land 80 spent in year 0;
    # the interest of year 1 is paid in operation (expensed), so none is capitalised here
    b, g, land = (AssetKey("port", c, "straight_line") for c in ("building_permanent", "group_1", "land"))
    in_service = {b: np.array([0, 200.0, 0, 0, 0]), g: np.array([0, 50.0, 0, 0, 0]), land: np.array([0, 80.0, 0, 0, 0])}
    spend = {b: np.array([200.0, 0, 0, 0, 0]), g: np.array([50.0, 0, 0, 0, 0]), land: np.array([80.0, 0, 0, 0, 0])}
    dep = tax_depreciation(in_service, spend, np.zeros(5), 1, (5,))
    np.testing.assert_allclose(dep.project, [0, 10 + 12.5, 22.5, 22.5, 22.5])
    np.testing.assert_allclose(dep.total, dep.project)
    np.testing.assert_allclose(dep.by_asset[land], 0)  # land is not depreciated


def test_residual_book_value_and_economic_life():
    full = (5,)
    b, land = AssetKey("lab", "building_permanent", "straight_line"), AssetKey("lab", "land", "straight_line")
    in_service = {b: np.array([0, 200.0, 0, 0, 0]), land: np.array([0, 80.0, 0, 0, 0])}
    dep = {b: np.array([0, 10.0, 10, 10, 10]), land: np.zeros(5)}
    book = residual_by_category("book_value", in_service, dep, {}, {}, np.ones(5), full)
    assert (book["construction"], book["land"], book["equipment"]) == (160.0, 80.0, 0.0)
    # economic life 10 years, in service at index 1 of 5: 4 full years used by the end -> 60 % left;
    # the last year's prices are 1.2 x base: 200 x 0.6 x 1.2 = 144; land keeps its real value: 80 x 1.2
    pi = np.array([1.0, 1, 1, 1, 1.2])
    econ = residual_by_category("economic_life", in_service, dep, in_service, {"building_permanent": 10.0}, pi, full)
    assert econ["construction"] == pytest.approx(144) and econ["land"] == pytest.approx(96)
    np.testing.assert_allclose(residual_value("economic_life", econ, np.array([0, 0, 0, 0, 5.0]), full), [0, 0, 0, 0, 245])
    np.testing.assert_allclose(residual_value("none", econ, np.ones(5), full), 0)


# ---------------------------------------------------------------------------
# working capital, equity, cash


def test_working_capital_by_hand():
    # 36.5 days of revenue (10 %) less 73 days of opex (20 %)
    nwc, d = working_capital(np.array([0, 100.0, 200, 200]), np.array([0, 50.0, 50, 100]), 36.5, 73)
    np.testing.assert_allclose(nwc, [0, 0, 10, 0])
    np.testing.assert_allclose(d, [0, 0, 10, -10])


def test_injections_for_a_partly_owned_bumd(hand):
    # the region pays 200 in 2025 for 80 %: the BUMD's paid-in equity is 250 (partners pay 50)
    region, total = injections(replace(resolve(hand), ownership=0.8))
    np.testing.assert_allclose(region / M, [200, 0, 0, 0, 0])
    np.testing.assert_allclose(total / M, [250, 0, 0, 0, 0])
    # a declaration of the last year is paid in the last year
    np.testing.assert_allclose(lagged(np.array([1.0, 2, 3]), 1), [0, 1, 2])  # the last year's falls due after the horizon


def test_cash_flows_by_hand():
    z = np.zeros(3)
    cf = cash_flows(
        operating=np.array([False, True, True]), ebitda=np.array([0, 50.0, 60]), tax=np.array([0, 5.0, 6]),
        tax_unlevered=np.array([0, 7.0, 8]), capex=np.array([100.0, 0, 10]), expansion_capex=np.array([0, 0, 4.0]),
        d_nwc=np.array([0, 4.0, 1]), residual=np.array([0, 0, 20.0]), grant=z, draws=np.array([40.0, 0, 0]),
        debt_service=np.array([0, 25.0, 22]), debt_outstanding=np.array([40.0, 20, 2]), standby_net=np.array([0, 3.0, -1]),
        standby_balance=np.array([0, 3.0, 2]), paid_in=np.array([60.0, 0, 0]), dividends_paid=np.array([0, 0, 3.0]),
        cumulative_cash=np.array([0, 19.0, 33]),
    )
    np.testing.assert_allclose(cf.project_fcf, [-100, 39, 61])  # 50-7-4; 60-8-10-1+20
    # CFADS leaves the expansion (4 of the 10 in year 2) out: 50-5-4; 60-6-1-(10-4)
    np.testing.assert_allclose(cf.cfads, [0, 41, 47])
    # FCFE: 0-100+40; 50-5-4-25+3; 60-6-10-1-22-1+20 = 40, less the 2 of loan and 2 of standby left
    np.testing.assert_allclose(cf.equity_cf, [-60, 19, 36])
    # shareholders: -60 paid in; 3 dividends + final net assets 33 cash + 20 residual - 2 loan - 2 standby
    np.testing.assert_allclose(cf.shareholder_cf, [-60, 0, 3 + 33 + 20 - 2 - 2])
