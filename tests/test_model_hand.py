"""The hand-computed case (tests/cases/hand_case.toml) line by line.

Every expected number below was worked out with a calculator from the case file
(amounts in millions of rupiah, then scaled); the derivation is in the comments.
Years: 2025 construction, 2026-2029 operation. No inflation, nominal basis.
"""

from pathlib import Path

import numpy as np
import pytest

from feasibility import load_case, run

M = 1e6
HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"


@pytest.fixture(scope="module")
def res():
    return run(load_case(HAND))


def line(res, name):
    return res.annual[name].to_numpy() / M


def check(res, name, expected):
    np.testing.assert_allclose(line(res, name), expected, rtol=0, atol=1e-9, err_msg=name)


def test_years(res):
    assert list(res.years) == [2025, 2026, 2027, 2028, 2029]


def test_operations(res):
    # revenue: 1000 t x Rp100,000; ramp-up 50 % in the first operating year
    check(res, "revenue_total_idr", [0, 50, 100, 100, 100])
    # variable cost Rp20,000/t
    check(res, "variable_cost_idr", [0, 10, 20, 20, 20])
    check(res, "fixed_opex_idr", [0, 10, 10, 10, 10])
    # concession fee 5 % of port revenue
    check(res, "concession_fee_idr", [0, 2.5, 5, 5, 5])
    check(res, "opex_total_idr", [0, 22.5, 35, 35, 35])
    check(res, "ebitda_idr", [0, 27.5, 65, 65, 65])


def test_capex_and_depreciation(res):
    # land 50 + quay 200 + equipment 40 x 1.25 contingency = 300, all in 2025
    check(res, "capex_idr", [300, 0, 0, 0, 0])
    # in service 2026: quay 200/20 = 10 (permanent building), equipment 50/4 = 12.5 (group 1); land none
    check(res, "depreciation_idr", [0, 22.5, 22.5, 22.5, 22.5])


def test_loan(res):
    # 50 % of 300 drawn in 2025 = 150; 10 % on the opening balance; 2 straight-line repayments of 75
    check(res, "debt_drawdown_idr", [150, 0, 0, 0, 0])
    check(res, "interest_idr", [0, 15, 7.5, 0, 0])
    check(res, "principal_idr", [0, 75, 75, 0, 0])
    check(res, "debt_service_idr", [0, 90, 82.5, 0, 0])
    check(res, "debt_outstanding_idr", [150, 75, 0, 0, 0])


def test_tax_with_loss_carry_forward(res):
    # taxable = EBITDA - depreciation - interest: 0, 27.5-22.5-15 = -10, 65-22.5-7.5 = 35, 42.5, 42.5
    check(res, "taxable_income_idr", [0, -10, 35, 42.5, 42.5])
    # the 2026 loss of 10 is used in 2027: tax 20 % x 25 = 5
    check(res, "loss_relief_idr", [0, 0, 10, 0, 0])
    check(res, "tax_idr", [0, 0, 5, 8.5, 8.5])
    check(res, "net_profit_idr", [0, -10, 30, 34, 34])
    # project tax ignores interest: 20 % x (27.5-22.5) = 1, then 20 % x 42.5 = 8.5
    check(res, "tax_unlevered_idr", [0, 1, 8.5, 8.5, 8.5])


def test_working_capital_residual_and_fcf(res):
    # receivables 36.5 days = 10 % of revenue: 5, 10, 10, 10 -> increases 5, 5, 0, 0
    check(res, "change_in_working_capital_idr", [0, 5, 5, 0, 0])
    # book value 2029: 300 - 4 x 22.5 = 210, plus working capital 10
    check(res, "residual_value_idr", [0, 0, 0, 0, 220])
    # FCF = EBITDA - project tax - capex - dNWC + residual
    check(res, "project_fcf_idr", [-300, 21.5, 51.5, 56.5, 276.5])
    # equity CF = EBITDA - tax - capex - dNWC + draws - debt service + residual - tantiem paid (0.8 in 2028,
    # 1.36 in 2029), less in the last year the debt left (0) and the tantiem owed to staff (1.36 declared in 2029)
    check(res, "equity_cf_idr", [-150, -67.5, -27.5, 56.5 - 0.8, 276.5 - 1.36 - 1.36])


def test_cfads_and_coverage(res):
    # CFADS = EBITDA - tax - dNWC (no capex in operation)
    check(res, "cfads_idr", [0, 22.5, 55, 56.5, 56.5])
    dscr = res.annual["dscr"].to_numpy()
    assert np.isnan(dscr[0]) and np.isnan(dscr[3]) and np.isnan(dscr[4])
    np.testing.assert_allclose(dscr[1:3], [22.5 / 90, 55 / 82.5])
    assert res.metrics["dscr_min"] == pytest.approx(0.25)
    assert res.metrics["dscr_avg"] == pytest.approx((0.25 + 55 / 82.5) / 2)
    # LLCR 2026: CFADS of 2026 and 2027 (received at year end) discounted at the loan
    # rate to the start of 2026, over the opening balance of 150; in 2027: 55/1.1 over 75
    assert res.metrics["llcr"] == pytest.approx((22.5 / 1.1 + 55 / 1.1**2) / 150)
    assert res.metrics["llcr_min"] == pytest.approx((22.5 / 1.1 + 55 / 1.1**2) / 150)
    np.testing.assert_allclose(res.annual["llcr"].to_numpy()[1:3], [(22.5 / 1.1 + 55 / 1.21) / 150, 55 / 1.1 / 75])


def test_profit_allocation(res):
    # capital 200, reserve cap 20 % x 200 = 40.
    # 2026 loss of 10 must be covered first: 2027 distributable base = 30 - 10 = 20
    #   reserve 20 % x 20 = 4; tantiem 5 % x 16 = 0.8; dividend 50 % x 15.2 = 7.6
    # 2028 and 2029: base 34: reserve 6.8; tantiem 5 % x 27.2 = 1.36; dividend 50 % x 25.84 = 12.92
    check(res, "legal_reserve_addition_idr", [0, 0, 4, 6.8, 6.8])
    check(res, "legal_reserve_idr", [0, 0, 4, 10.8, 17.6])
    # paid a year later; the 2029 declaration falls due after the last model year: not paid inside it
    check(res, "tantiem_declared_idr", [0, 0, 0.8, 1.36, 1.36])
    check(res, "dividends_declared_idr", [0, 0, 7.6, 12.92, 12.92])
    check(res, "dividends_paid_idr", [0, 0, 0, 7.6, 12.92])
    check(res, "tantiem_idr", [0, 0, 0, 0.8, 1.36])
    check(res, "dividends_to_region_idr", [0, 0, 0, 7.6, 12.92])


def test_cash_and_sustainability(res):
    # net cash = injection + draws + EBITDA - dNWC - tax - capex - debt service - dividends - tantiem
    net = [200 + 150 - 300, 27.5 - 5 - 90, 65 - 5 - 5 - 82.5, 65 - 8.5 - 7.6 - 0.8, 65 - 8.5 - 12.92 - 1.36]
    check(res, "net_cash_flow_idr", net)
    check(res, "cumulative_cash_idr", np.cumsum(net))
    assert res.metrics["cash_sustainable"] == 0
    assert res.metrics["first_cash_shortfall_year"] == 2026
    assert res.metrics["min_cumulative_cash_idr"] / M == pytest.approx(-45)


def test_metrics(res):
    m = res.metrics
    # WACC = 0.5 x 12 % + 0.5 x 10 % x (1 - 20 %) = 10 %
    assert m["wacc"] == pytest.approx(0.10, abs=1e-15)
    fcf = [-300, 21.5, 51.5, 56.5, 276.5]
    fnpv = -300 + 21.5 / 1.1 + 51.5 / 1.1**2 + 56.5 / 1.1**3 + 276.5 / 1.1**4
    assert m["fnpv_idr"] / M == pytest.approx(fnpv, rel=1e-12)
    # FIRR: NPV of the FCF at the FIRR is zero
    r = m["firr"]
    assert sum(c / (1 + r) ** t for t, c in enumerate(fcf)) == pytest.approx(0, abs=1e-9)
    # payback: cumulative -300, -278.5, -227, -170.5, 106 -> 3 + 170.5/276.5
    assert m["payback_years"] == pytest.approx(3 + 170.5 / 276.5)
    # discounted payback: never, since FNPV < 0
    assert fnpv < 0 and np.isnan(m["discounted_payback_years"])
    # BCR = PV(revenue + residual) / PV(capex + opex + dNWC + project tax)
    b = [0, 50, 100, 100, 320]
    c = [300, 22.5 + 5 + 1, 35 + 5 + 8.5, 35 + 8.5, 35 + 8.5]
    pv = lambda xs, rate: sum(x / (1 + rate) ** t for t, x in enumerate(xs))  # noqa: E731
    assert m["bcr"] == pytest.approx(pv(b, 0.1) / pv(c, 0.1))
    assert m["profitability_index"] == pytest.approx((fnpv + 300) / 300)
    # equity at 12 %
    assert m["equity_npv_idr"] / M == pytest.approx(pv([-150, -67.5, -27.5, 55.7, 273.78], 0.12))
    # the region: -200 in 2025, dividends 7.6 (2028) and 12.92 (2029), and in 2029 its whole share (100 %) of
    # the BUMD's net assets: cash 50 - 17.5 - 27.5... = 45.32 (test_cash_and_sustainability) + assets and
    # receivables 220 - debt 0 - tantiem owed 1.36 = 263.96, at 10 %
    check(res, "region_final_stake_idr", [0, 0, 0, 0, 45.32 + 220 - 1.36])
    region = [-200, 0, 0, 7.6, 12.92 + 263.96]
    assert m["region_npv_idr"] / M == pytest.approx(pv(region, 0.1))
    assert m["region_npv_idr"] / M == pytest.approx(-5.18, abs=0.01)  # -200 + 5.71 + 189.11
    assert m["region_pv_final_stake_idr"] / M == pytest.approx(263.96 / 1.1**4)
    assert m["region_pv_dividends_idr"] / M == pytest.approx(7.6 / 1.1**3 + 12.92 / 1.1**4)
    assert m["region_pv_injection_idr"] / M == pytest.approx(200)
    assert pv(region, m["region_irr"]) == pytest.approx(0, abs=1e-9)
    assert m["region_dividends_total_idr"] / M == pytest.approx(20.52)
    # 7.6 + 276.88 repays the 200 by 2029; discounted (5.71 + 189.11 = 194.82) it does not
    assert m["region_payback_year"] == 2029 and np.isnan(m["region_discounted_payback_year"])
    assert m["capex_total_idr"] / M == pytest.approx(300)
    assert m["debt_total_idr"] / M == pytest.approx(150)
    assert not res.undefined
