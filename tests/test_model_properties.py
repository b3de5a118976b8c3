"""Properties of the model: vectorised = looped, real = nominal, rules of tax and finance."""

import copy
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest

from feasibility.case import DEFAULT_CASE
from hypothesis import given, settings
from hypothesis import strategies as st

from feasibility import load_case, parse_case, run
from feasibility.model.tax import depreciation_matrix, income_tax

DATA = Path(__file__).resolve().parent / "cases"
M = 1e6


def raw(name):
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def default_case():
    return load_case(DEFAULT_CASE)


@pytest.fixture(scope="module")
def hand_raw():
    return raw("hand_case.toml")


def variant(base, edit):
    d = copy.deepcopy(base)
    edit(d)
    return parse_case(d)


# --- vectorisation ---------------------------------------------------------------

TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
VOLUME = "port.revenue.cargo_handling.build_up.tonnes_per_company"
CAPEX = "port.capex.wharf.amount_idr"
RAMP = "port.revenue.cargo_handling.ramp_up"


def test_vectorised_equals_loop(default_case):
    rng = np.random.default_rng(7)
    n = 12
    over = {
        TARIFF: rng.uniform(40_000, 300_000, n),
        VOLUME: rng.uniform(5e3, 5e4, n),
        CAPEX: rng.uniform(5e10, 3e11, n),
        "macro.inflation_per_year": rng.uniform(0.0, 0.06, n),
        "financing.loans.regional_bank.interest_rate": rng.uniform(0.05, 0.14, n),
        RAMP: rng.uniform(0.1, 1.0, (n, 4)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vec = run(default_case, over)
        assert vec.lead_shape == (n,)
        for i in range(n):
            one = run(default_case, {k: v[i] for k, v in over.items()})
            for key, val in one.metrics.items():
                np.testing.assert_allclose(vec.metrics[key][i], val, rtol=1e-12, atol=1e-6, err_msg=key)
            for key, val in one.lines.items():
                np.testing.assert_allclose(vec.lines[key][i], val, rtol=1e-12, atol=1e-6, err_msg=key)


def test_overrides_broadcast_over_two_axes(default_case):
    tariffs = np.array([50_000.0, 100_000.0, 200_000.0])[:, None]
    volumes = np.array([1e4, 4e4])[None, :]
    res = run(default_case, {TARIFF: tariffs, VOLUME: volumes})
    assert res.lead_shape == (3, 2)
    assert res.metrics["fnpv_idr"].shape == (3, 2)
    assert res.lines["revenue_total_idr"].shape == (3, 2, len(res.years))
    single = run(default_case, {TARIFF: 100_000.0, VOLUME: 4e4})
    assert res.metrics["fnpv_idr"][1, 1] == pytest.approx(single.metrics["fnpv_idr"], rel=1e-12)


def test_bad_overrides(default_case):
    with pytest.raises(KeyError, match="no such quantity"):
        run(default_case, {"port.revenue.cargo_handling.tarif": 1.0})
    with pytest.raises(ValueError, match="length 4"):
        run(default_case, {RAMP: np.ones((3, 2))})


@settings(max_examples=30, deadline=None)
@given(
    t1=st.floats(20_000, 400_000),
    t2=st.floats(20_000, 400_000),
)
def test_fnpv_rises_with_the_tariff(default_case, t1, t2):
    lo, hi = sorted((t1, t2))
    res = run(default_case, {TARIFF: np.array([lo, hi])})
    f = res.metrics["fnpv_idr"]
    assert f[1] >= f[0] - 1e-9 * abs(f[0])


# --- prices ---------------------------------------------------------------------


def test_real_and_nominal_agree(default_case):
    d = default_case.model_dump(mode="python")
    # a tariff at which the flows recover the outlay, so that the FIRR exists (the default's never do)
    d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"].update(value=250_000, high=300_000)
    real = run(parse_case(copy.deepcopy(d)))
    d["timeline"]["price_basis"] = "nominal"
    nominal = run(parse_case(d))
    assert np.isfinite(real.metrics["firr"])
    i = default_case.macro.inflation_per_year.value
    shift = default_case.timeline.start_year - default_case.timeline.price_base_year
    # the same flows: nominal = real x (1+i)^(year - base year)
    idx = (1 + i) ** (real.years - default_case.timeline.price_base_year)
    np.testing.assert_allclose(nominal.lines["project_fcf_idr"], real.lines["project_fcf_idr"] * idx, rtol=1e-12)
    # NPV at the Fisher-consistent rates: real NPV is in base-year money, nominal in start-year money
    assert nominal.metrics["fnpv_idr"] == pytest.approx(real.metrics["fnpv_idr"] * (1 + i) ** shift, rel=1e-10)
    assert 1 + nominal.metrics["firr"] == pytest.approx((1 + real.metrics["firr"]) * (1 + i), rel=1e-10)
    assert 1 + nominal.metrics["wacc"] == pytest.approx((1 + real.metrics["wacc"]) * (1 + i), rel=1e-12)


def test_inflation_and_real_escalation(hand_raw):
    def edit(d):
        d["macro"]["inflation_per_year"]["value"] = 0.10
        d["port"]["revenue"]["cargo_handling"]["tariff_escalation_real_per_year"] = {
            "value": 0.02, "source": "test", "confidence": "placeholder"}
    res = run(variant(hand_raw, edit))
    # revenue of year y = 100 x (1.10 x 1.02)^(y - 2025), half in 2026 (ramp-up)
    k = np.arange(5)
    expected = np.array([0, 0.5, 1, 1, 1]) * 100 * (1.10 * 1.02) ** k
    np.testing.assert_allclose(res.annual["revenue_total_idr"] / M, expected, rtol=1e-12)
    # costs follow general inflation only
    np.testing.assert_allclose(res.annual["fixed_opex_idr"] / M, [0, 10 * 1.1, 10 * 1.1**2, 10 * 1.1**3, 10 * 1.1**4])


# --- financing ----------------------------------------------------------------------


def test_annuity_repayment(hand_raw):
    def edit(d):
        d["financing"]["loans"]["bank"]["repayment"] = "annuity"
    res = run(variant(hand_raw, edit))
    pay = 150 * 0.1 / (1 - 1.1**-2)  # annuity of 150 over 2 years at 10 %
    ds = res.annual["debt_service_idr"].to_numpy() / M
    np.testing.assert_allclose(ds, [0, pay, pay, 0, 0], rtol=1e-12)
    np.testing.assert_allclose(res.annual["interest_idr"] / M, [0, 15, (150 - (pay - 15)) * 0.1, 0, 0], rtol=1e-12)
    assert res.annual["debt_outstanding_idr"].iloc[-1] == pytest.approx(0, abs=1e-6)


def test_grace_years_delay_repayment(hand_raw):
    def edit(d):
        d["timeline"]["operating_years"] = 6
        d["financing"]["loans"]["bank"]["grace_years"] = 2
    res = run(variant(hand_raw, edit))
    np.testing.assert_allclose(res.annual["principal_idr"] / M, [0, 0, 0, 75, 75, 0, 0])
    np.testing.assert_allclose(res.annual["interest_idr"] / M, [0, 15, 15, 15, 7.5, 0, 0])


def test_reserve_stops_at_its_cap(hand_raw):
    def edit(d):
        d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = 1_000_000
        d["timeline"]["operating_years"] = 8
    res = run(variant(hand_raw, edit))
    reserve = res.annual["legal_reserve_idr"].to_numpy() / M
    # the cap is 20 % of the paid-in capital of 200
    assert reserve.max() == pytest.approx(40)
    assert np.all(np.diff(reserve) >= -1e-9)
    # once capped, nothing more is added
    capped = np.flatnonzero(np.isclose(reserve, 40))[0]
    assert np.all(res.annual["legal_reserve_addition_idr"].to_numpy()[capped + 1 :] == 0)


def test_loss_years_pay_no_dividend(hand_raw):
    def edit(d):
        d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = 30_000
    res = run(variant(hand_raw, edit))
    assert (res.annual["net_profit_idr"] <= 0).all()
    assert (res.annual["dividends_paid_idr"] == 0).all()
    assert (res.annual["tantiem_idr"] == 0).all()
    assert res.metrics["region_pv_dividends_idr"] == 0
    # the region gets back only its share of the net assets at the end: less than it paid, a negative IRR
    assert 0 < res.metrics["region_pv_final_stake_idr"] < res.metrics["public_money_pv_idr"]
    assert res.metrics["region_irr"] < 0
    # counting nothing at the end, the region's IRR on an injection that returns nothing does not exist, and says why
    def none_at_end(d):
        edit(d)
        d["region"]["final_stake"] = "none"
    res = run(variant(hand_raw, none_at_end))
    assert np.isnan(res.metrics["region_irr"]) and {"metric": "region_irr", "reason": "no_irr", "count": 1} in res.undefined


def test_lab_revenue_waits_for_accreditation(default_case):
    res = run(default_case)
    lab = res.annual["revenue_lab_lab_tests_idr"]
    acc = default_case.lab.accreditation_year
    assert (lab[lab.index < acc] == 0).all()
    assert (lab[lab.index >= acc] > 0).all()


def test_renewal_capex(default_case):
    res = run(default_case)
    capex = res.annual["capex_idr"]
    # port equipment (in service 2029) is renewed every 16 years: 2045; lab equipment every 8: 2037, 2045, 2053
    for year in (2037, 2045, 2053):
        assert capex[year] > 0, year
    assert capex[2040] == 0


def test_default_case_is_fast_enough_to_be_vectorised(default_case):
    res = run(default_case, {TARIFF: np.linspace(5e4, 5e5, 1000)})
    assert res.metrics["fnpv_idr"].shape == (1000,)
    # a higher tariff is worth more, as long as it does not change a decision: from some tariff on the
    # BUMD can pay for its second berth when demand calls for it, and builds it (a jump in FNPV)
    deferred = res.metrics["expansion_deferred_phases"]
    same = deferred[1:] == deferred[:-1]
    assert same.sum() >= 990 and np.all(np.diff(res.metrics["fnpv_idr"])[same] > 0)


# --- tax rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group, life, sl_rate, db_rate",
    [("group_1", 4, 0.25, 0.50), ("group_2", 8, 0.125, 0.25), ("group_3", 16, 0.0625, 0.125), ("group_4", 20, 0.05, 0.10)],
)
def test_pmk_72_2023_rates(group, life, sl_rate, db_rate):
    n = 40
    sl = depreciation_matrix(n, group, "straight_line")[0]
    np.testing.assert_allclose(sl[:life], sl_rate)
    assert sl[life:].sum() == 0
    db = depreciation_matrix(n, group, "declining_balance")[0]
    book = 1.0
    for k in range(life - 1):
        assert db[k] == pytest.approx(book * db_rate)
        book -= db[k]
    # the rest is written off in the last year of life
    assert db[life - 1] == pytest.approx(book)
    assert db.sum() == pytest.approx(1.0)


def test_buildings_and_land():
    assert depreciation_matrix(30, "building_permanent")[0][:20] == pytest.approx([0.05] * 20)
    assert depreciation_matrix(30, "building_non_permanent")[0][:10] == pytest.approx([0.1] * 10)
    assert depreciation_matrix(30, "land").sum() == 0


def test_losses_expire_after_five_years():
    # a loss of 100 in year 0, then income of 10 a year: 50 used in years 1-5, 50 lapses
    ti = np.array([-100.0] + [10.0] * 7)
    out = income_tax(ti, 0.22, 5)
    np.testing.assert_allclose(out["loss_used"], [0, 10, 10, 10, 10, 10, 0, 0])
    np.testing.assert_allclose(out["tax"], [0, 0, 0, 0, 0, 0, 2.2, 2.2])
    assert out["loss_expired"].sum() == pytest.approx(50)


def test_oldest_losses_are_used_first():
    ti = np.array([-30.0, -20.0, 0, 0, 0, 0, 40.0, 100.0])
    out = income_tax(ti, 0.2, 5)
    # the year-0 loss expired after year 5; in year 6 only the year-1 loss (20) is left
    np.testing.assert_allclose(out["loss_used"], [0, 0, 0, 0, 0, 0, 20, 0])
    np.testing.assert_allclose(out["tax"], [0, 0, 0, 0, 0, 0, 4, 20])


def test_business_lines_consolidate_to_the_bumd(default_case):
    a = run(default_case).annual
    contributions = a["contribution_port_idr"] + a["contribution_lab_idr"]
    np.testing.assert_allclose(contributions - a["overhead_idr"], a["ebitda_idr"], rtol=1e-12, atol=1e-3)
    np.testing.assert_allclose(a["revenue_port_idr"] + a["revenue_lab_idr"], a["revenue_total_idr"], rtol=1e-12)
    streams = [c for c in a.columns if c.startswith("revenue_port_") and c != "revenue_port_idr"]
    assert len(streams) == 4  # cargo handling, anchorage and berthing dues, storage
    np.testing.assert_allclose(a[streams].sum(axis=1), a["revenue_port_idr"], rtol=1e-12)


def test_variable_cost_escalation(hand_raw):
    def edit(d):
        d["port"]["revenue"]["cargo_handling"]["cost_escalation_real_per_year"] = {
            "value": 0.10, "source": "test", "confidence": "placeholder"}
    res = run(variant(hand_raw, edit))
    # Rp20,000/t x 1.1^(year - 2025); 500 t in 2026, then 1000 t
    np.testing.assert_allclose(res.annual["variable_cost_idr"] / M, [0, 10 * 1.1, 20 * 1.1**2, 20 * 1.1**3, 20 * 1.1**4])


def test_interest_during_construction_is_capitalised(hand_raw):
    def edit(d):
        d["timeline"]["construction_years"] = 2  # 2025-2026; operation 2027-2030
    res = run(variant(hand_raw, edit))
    a = res.annual
    # 150 drawn in 2025; interest 2026 (construction) = 15 is capitalised, not expensed
    np.testing.assert_allclose(a["interest_capitalised_idr"] / M, [0, 15, 0, 0, 0, 0])
    np.testing.assert_allclose(a["interest_idr"] / M, [0, 0, 15, 7.5, 0, 0])
    np.testing.assert_allclose(a["debt_service_idr"] / M, [0, 15, 90, 82.5, 0, 0])
    # IDC 15 financed the 2025 spend (land 50, quay 200, equipment 50) and is shared by it (PSAK 26):
    # land 2.5 (capitalised into the land, never deducted), quay 10 -> (200 + 10) / 20 = 10.5,
    # equipment 2.5 -> (50 + 2.5) / 4 = 13.125
    np.testing.assert_allclose(a["depreciation_idr"] / M, [0, 0, 23.625, 23.625, 23.625, 23.625])
    np.testing.assert_allclose(a["taxable_income_idr"] / M, [0, 0, 27.5 - 23.625 - 15, 65 - 23.625 - 7.5, 65 - 23.625, 65 - 23.625])
    # the project view ignores financing: depreciation 22.5 for its tax
    np.testing.assert_allclose(a["tax_unlevered_idr"] / M, [0, 0, 0.2 * 5, 0.2 * 42.5, 0.2 * 42.5, 0.2 * 42.5])


def test_residual_value_by_economic_life(hand_raw):
    def edit(d):
        life = lambda v: {"value": v, "source": "test", "confidence": "placeholder"}  # noqa: E731
        d["residual_value"] = {
            "method": "economic_life",
            "economic_life_years": {
                "building_permanent": life(40), "building_non_permanent": life(20), "group_1": life(8),
                "group_2": life(12), "group_3": life(20), "group_4": life(30),
            },
        }
        d["macro"]["inflation_per_year"]["value"] = 0.0
    res = run(variant(hand_raw, edit))
    # in service 2026, 4 years of use by the end of 2029; the concession lasts 26 more years, after which the
    # port's assets revert: quay 200 x min(40 - 4, 26) / 40 = 130, equipment 50 x (8 - 4) / 8 = 25,
    # land (the BUMD keeps it) 50, working capital 10
    np.testing.assert_allclose(res.annual["residual_value_idr"] / M, [0, 0, 0, 0, 215])


def test_economic_life_method_needs_lives(hand_raw):
    d = copy.deepcopy(hand_raw)
    d["residual_value"] = {"method": "economic_life"}
    with pytest.raises(Exception, match="economic_life_years"):
        parse_case(d)


def test_overrides_are_checked_against_the_case_ranges(default_case):
    # a percentage typed as 22 instead of 0.22 must not give a silent wrong number
    with pytest.raises(ValueError) as exc:
        run(default_case, {"tax.corporate_income_tax_rate": [0.22, 22.0], TARIFF: [-5.0, np.nan]})
    text = str(exc.value)
    assert "tax.corporate_income_tax_rate: must be >= 0 and <= 0.6, got 1 of 2 value(s) outside, e.g. 22.0" in text
    assert f"{TARIFF}: must be >= 0, got 2 of 2 value(s) outside, e.g. -5.0" in text
    with pytest.raises(ValueError, match=r"ramp_up: must be >= 0 and <= 1"):
        run(default_case, {RAMP: np.array([[0.5, 0.7, 1.2, 1.0]])})


def test_berth_capacity_caps_cargo(hand_raw):
    def edit(d):
        q = lambda v: {"value": v, "source": "test", "confidence": "placeholder"}  # noqa: E731
        d["port"]["capacity"] = {
            "berths": 1,
            "working_hours_per_year": q(1000),
            "productivity_tonnes_per_hour": q(1.0),
            "max_berth_occupancy": q(0.8),
        }
    res = run(variant(hand_raw, edit))
    a = res.annual
    # capacity 1 x 1000 h x 0.8 x 1 t/h = 800 t; demand 500 t (ramp-up), then 1000 t
    np.testing.assert_allclose(a["cargo_demand_tonnes"], [0, 500, 1000, 1000, 1000])
    np.testing.assert_allclose(a["cargo_throughput_tonnes"], [0, 500, 800, 800, 800])
    np.testing.assert_allclose(a["cargo_unmet_tonnes"], [0, 0, 200, 200, 200])
    # occupancy = throughput / capacity x 0.8: 500/800 x 0.8 = 0.5, then 0.8
    np.testing.assert_allclose(a["berth_occupancy"], [0, 0.5, 0.8, 0.8, 0.8])
    # revenue and variable cost follow the throughput, not the demand
    np.testing.assert_allclose(a["revenue_total_idr"] / M, [0, 50, 80, 80, 80])
    np.testing.assert_allclose(a["variable_cost_idr"] / M, [0, 10, 16, 16, 16])
    assert res.metrics["cargo_unmet_tonnes"] == pytest.approx(600)
    assert res.metrics["berth_occupancy_max"] == pytest.approx(0.8)


def test_no_capacity_section_means_no_cap(hand_raw):
    res = run(variant(hand_raw, lambda d: None))
    assert "cargo_throughput_tonnes" not in res.lines
    assert np.isnan(res.metrics["cargo_unmet_tonnes"])


def test_scenarios_are_named_overrides(default_case):
    assert set(default_case.scenarios) == {"low", "high"}
    low = run(default_case, scenario="low")
    same = run(default_case, default_case.scenario("low"))
    assert low.metrics["fnpv_idr"] == same.metrics["fnpv_idr"]
    assert run(default_case, scenario="high").metrics["fnpv_idr"] > run(default_case).metrics["fnpv_idr"] > low.metrics["fnpv_idr"]
    # explicit overrides apply on top of the scenario
    both = run(default_case, {TARIFF: 71_000.0}, scenario="low")
    assert both.lines["revenue_port_cargo_handling_idr"].sum() < run(default_case).lines["revenue_port_cargo_handling_idr"].sum()
    with pytest.raises(KeyError, match="scenarios: low, high"):
        run(default_case, scenario="middle")


def test_scenario_values_are_validated():
    d = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    d["scenarios"]["low"]["set"] = {
        "port.revenue.cargo_handling.tarif": 1.0,
        "tax.corporate_income_tax_rate": 22.0,
        "port.revenue.cargo_handling.ramp_up": [0.5, 1.0],
    }
    with pytest.raises(Exception) as exc:
        parse_case(d)
    text = str(exc.value)
    assert "scenarios.low.set.port.revenue.cargo_handling.tarif: is not a quantity of this case" in text
    assert "scenarios.low.set.tax.corporate_income_tax_rate: must be >= 0 and <= 0.6, got 22.0" in text
    assert "scenarios.low.set.port.revenue.cargo_handling.ramp_up: must be a list of 4 numbers, got [0.5, 1.0]" in text


def test_cargo_from_a_hinterland_build_up(hand_raw):
    q = lambda v: {"value": v, "source": "test", "confidence": "placeholder"}  # noqa: E731

    def edit(d):
        st = d["port"]["revenue"]["cargo_handling"]
        del st["volume_tonnes"]
        # 20 companies x 250 t x (1 - 0.2 own terminals) x (1 - 0.5 competitors) x 0.5 capture = 1000 t
        st["build_up"] = {"companies": q(20), "tonnes_per_company": q(250), "own_terminal_share": q(0.2),
                          "competitor_share": q(0.5), "capture_share": q(0.5)}
    built = run(variant(hand_raw, edit))
    np.testing.assert_allclose(built.annual["volume_port_cargo_handling_tonnes"], [0, 500, 1000, 1000, 1000])
    assert built.metrics["fnpv_idr"] == pytest.approx(run(parse_case(hand_raw)).metrics["fnpv_idr"], rel=1e-12)
    # the build-up parameters are quantities like any other: they can be varied
    swept = run(variant(hand_raw, edit), {"port.revenue.cargo_handling.build_up.capture_share": [0.25, 0.5]})
    np.testing.assert_allclose(swept.lines["volume_port_cargo_handling_tonnes"][:, 2], [500, 1000])


def test_a_stream_needs_exactly_one_volume_source(hand_raw):
    q = lambda v: {"value": v, "source": "test", "confidence": "placeholder"}  # noqa: E731
    d = copy.deepcopy(hand_raw)
    d["port"]["revenue"]["cargo_handling"]["build_up"] = {
        "companies": q(1), "tonnes_per_company": q(1), "own_terminal_share": q(0),
        "competitor_share": q(0), "capture_share": q(1)}
    with pytest.raises(Exception, match="needs exactly one volume source: volume_tonnes, build_up or forecast"):
        parse_case(d)
    d = copy.deepcopy(hand_raw)
    del d["port"]["revenue"]["cargo_handling"]["volume_tonnes"]
    with pytest.raises(Exception, match="needs exactly one volume source"):
        parse_case(d)


def test_linear_ramp_up_curve(hand_raw):
    def edit(d):
        st = d["port"]["revenue"]["cargo_handling"]
        del st["ramp_up"]
        st["ramp_up_curve"] = {"kind": "linear", "years_to_full": 2,
                               "start_share": {"value": 0.5, "source": "test", "confidence": "placeholder"}}
    res = run(variant(hand_raw, edit))
    # 50 % in the first operating year, 75 % in the second, then full: 1000 t x Rp100,000
    np.testing.assert_allclose(res.annual["revenue_total_idr"] / M, [0, 50, 75, 100, 100])


def test_default_port_volumes_come_from_a_documented_build_up(default_case):
    st = default_case.port.revenue["cargo_handling"]
    assert st.volume_tonnes is None and st.build_up is not None
    # 150 x 20,000 x (1 - 0.3) x (1 - 0.75) x 0.75 = 393,750 t before ramp-up (30 % in 2029)
    vol = run(default_case).annual["cargo_demand_tonnes"]
    assert vol[2029] == pytest.approx(393_750 * 0.3)
    assert default_case.lab.revenue["lab_tests"].build_up is not None


def test_expansion_phase_adds_capacity_and_capex(hand_raw):
    q = lambda v: {"value": v, "source": "test", "confidence": "placeholder"}  # noqa: E731

    def edit(d):
        d["port"]["capacity"] = {
            "berths": 1,
            "working_hours_per_year": q(1000),
            "productivity_tonnes_per_hour": q(1.0),
            "max_berth_occupancy": q(0.8),
            "expansion": {
                "build": "when_triggered",
                "trigger_occupancy": q(0.9),
                "lead_time_years": 1,
                "when_unfunded": "gap_funding",
                "phases": {"berth_2": {"capacity_tonnes_per_year": q(400), "capex_idr": q(50_000_000),
                                       "contingency": q(0.0), "optimism_bias": q(0.0)}},
            },
        }
        d["financing"]["funding_gap"] = {"sources": ["top_up"]}
    a = run(variant(hand_raw, edit)).annual
    # capacity 800 t; demand 500 (not above 0.9 x 800 = 720), then 1000 > 720 in 2027:
    # the phase is paid in 2027 and adds 400 t from 2028
    np.testing.assert_allclose(a["cargo_capacity_tonnes"], [800, 800, 800, 1200, 1200])
    np.testing.assert_allclose(a["cargo_throughput_tonnes"], [0, 500, 800, 1000, 1000])
    np.testing.assert_allclose(a["capex_idr"] / M, [300, 0, 50, 0, 0])
    # the new berth (a permanent building, 20 years) is depreciated from 2028: 50 / 20 = 2.5
    np.testing.assert_allclose(a["depreciation_idr"] / M, [0, 22.5, 22.5, 25, 25])
    # revenue follows the throughput: Rp100,000 per tonne
    np.testing.assert_allclose(a["revenue_total_idr"] / M, [0, 50, 80, 100, 100])


def test_expansion_is_vectorised(default_case):
    cost = "port.capacity.expansion.phases.second_berth.capex_idr"
    trigger = "port.capacity.expansion.trigger_occupancy"
    over = {cost: np.array([1e11, 1.5e11, 3e11]), trigger: np.array([0.7, 0.9, 1.0])}
    vec = run(default_case, over)
    for i in range(3):
        one = run(default_case, {k: v[i] for k, v in over.items()})
        np.testing.assert_allclose(vec.lines["capex_idr"][i], one.lines["capex_idr"], rtol=1e-12)
        np.testing.assert_allclose(vec.lines["cargo_capacity_tonnes"][i], one.lines["cargo_capacity_tonnes"])
        assert vec.metrics["fnpv_idr"][i] == pytest.approx(one.metrics["fnpv_idr"], rel=1e-12)
    # an earlier trigger builds the second berth no later
    cap = vec.lines["cargo_capacity_tonnes"]
    assert np.argmax(cap[0] > cap[0, 0]) <= np.argmax(cap[1] > cap[1, 0])


def _forecast_case(tmp_path, hand_raw, history_text, **forecast):
    import tomllib as _t  # noqa: F401  (the case is built as a dict)

    (tmp_path / "hist.csv").write_text(history_text, encoding="utf-8")
    d = copy.deepcopy(hand_raw)
    st = d["port"]["revenue"]["cargo_handling"]
    del st["volume_tonnes"], st["ramp_up"]
    st["forecast"] = {"history": "hist.csv", "value_column": "tonnes", "method": "cagr",
                      "share": {"value": 0.5, "source": "test", "confidence": "placeholder"}, **forecast}
    return d


def test_volumes_forecast_from_a_history_file(tmp_path, hand_raw):
    # 2016-2025: 1000 x 1.1^(year - 2016), 1 % higher in the odd years between (an exact curve is
    # refused: zero-width intervals); CAGR 10 % from end to end; the stream takes half
    rows = "\n".join(f"{y},{1000 * 1.1 ** (y - 2016) * (1.01 if y % 2 and y < 2025 else 1)!r}" for y in range(2016, 2026))
    d = _forecast_case(tmp_path, hand_raw, "year,tonnes\n" + rows + "\n")
    case = parse_case(d, base_dir=tmp_path)
    vol = run(case).annual["volume_port_cargo_handling_tonnes"].to_numpy()
    # 2025 is observed (construction: no volume yet); 2026-2029 forecast at 10 % a year
    expected = [0] + [0.5 * 1000 * 1.1 ** (y - 2016) for y in range(2026, 2030)]
    np.testing.assert_allclose(vol, expected, rtol=1e-9)


def test_forecast_source_problems(tmp_path, hand_raw):
    d = _forecast_case(tmp_path, hand_raw, "year,tonnes\n2016,10\n2017,11\n2019,12\n2020,-1\n")
    with pytest.raises(Exception) as exc:
        parse_case(d, base_dir=tmp_path)
    text = str(exc.value)
    assert "port.revenue.cargo_handling.forecast: " in text and "missing years 2018" in text
    d = _forecast_case(tmp_path, hand_raw, "year,volume\n2016,10\n")
    with pytest.raises(Exception, match="has no column tonnes; it has 2 column\\(s\\)"):
        parse_case(d, base_dir=tmp_path)
    d = _forecast_case(tmp_path, hand_raw, "year,tonnes\n2016,10\n")
    d["port"]["revenue"]["cargo_handling"]["forecast"]["history"] = "nope.csv"
    with pytest.raises(Exception, match="forecast.history: file not found"):
        parse_case(d, base_dir=tmp_path)


def test_build_up_cross_checked_against_a_top_down_estimate(hand_raw):
    q = lambda v: {"value": v, "source": "test", "confidence": "placeholder"}  # noqa: E731

    def edit(d):
        st = d["port"]["revenue"]["cargo_handling"]
        del st["volume_tonnes"]
        st["build_up"] = {"companies": q(20), "tonnes_per_company": q(250), "own_terminal_share": q(0.2),
                          "competitor_share": q(0.5), "capture_share": q(0.5),
                          "top_down": {"regional_tonnes": q(4000), "market_share": q(0.2)}}
    res = run(variant(hand_raw, edit))
    # build-up 1000 t against top-down 4000 x 0.2 = 800 t: ratio 1.25, both with the same ramp-up
    np.testing.assert_allclose(res.annual["top_down_cargo_handling_tonnes"], [0, 400, 800, 800, 800])
    assert res.metrics["cargo_build_up_to_top_down"] == pytest.approx(1.25)


def test_anchor_shippers_and_the_share_of_the_reference_traffic(hand_raw):
    def q(v: float) -> dict:
        return {"value": v, "source": "test", "confidence": "placeholder"}

    def edit(d, anchors=True):
        st = d["port"]["revenue"]["cargo_handling"]
        del st["volume_tonnes"]
        st["build_up"] = {"companies": q(20), "tonnes_per_company": q(250), "own_terminal_share": q(0.2),
                          "competitor_share": q(0.5), "capture_share": q(0.5),
                          "top_down": {"label": "a competing port's general cargo", "regional_tonnes": q(6500)}}
        if anchors:
            st["build_up"]["anchors"] = {"mill": {"label": "a mill (placeholder)", "tonnes_per_year": q(600), "share": q(0.5)}}
    res = run(variant(hand_raw, edit))
    without = run(variant(hand_raw, lambda d: edit(d, anchors=False)))
    # the companies: 20 x 250 x 0.8 x 0.5 x 0.5 = 1,000 t; the mill: 600 x 0.5 = 300 t; 1,300 t in all
    vol = "volume_port_cargo_handling_tonnes"
    grown = without.annual[vol].to_numpy() > 0
    np.testing.assert_allclose(res.annual[vol].to_numpy()[grown] / without.annual[vol].to_numpy()[grown], 1.3)
    # 1,300 / 6,500 = 20 % of the reference traffic; no market share stated: no top-down estimate, no ratio
    assert res.metrics["cargo_build_up_share_of_reference"] == pytest.approx(0.2)
    assert without.metrics["cargo_build_up_share_of_reference"] == pytest.approx(1000 / 6500)
    assert np.isnan(res.metrics["cargo_build_up_to_top_down"]) and "top_down_cargo_handling_tonnes" not in res.annual


def test_the_yard_can_be_the_bottleneck(hand_raw):
    q = lambda v: {"value": v, "source": "test", "confidence": "placeholder"}  # noqa: E731

    def edit(d):
        d["port"]["capacity"] = {
            "berths": 1, "working_hours_per_year": q(1000), "productivity_tonnes_per_hour": q(1.0),
            "max_berth_occupancy": q(0.8),
            # yard: 10 m2 x 2 t/m2 x 0.5 x 365 / 5 days = 730 t a year, below the berth's 800 t
            "yard": {"area_m2": q(10), "stacking_density_tonnes_per_m2": q(2), "dwell_days": q(5), "max_utilisation": q(0.5)},
        }
    a = run(variant(hand_raw, edit)).annual
    np.testing.assert_allclose(a["cargo_capacity_tonnes"], [730] * 5)
    np.testing.assert_allclose(a["cargo_throughput_tonnes"], [0, 500, 730, 730, 730])
    # berth occupancy is measured against the berth: 730 / 800 x 0.8
    np.testing.assert_allclose(a["berth_occupancy"], [0, 0.5, 0.73, 0.73, 0.73])


def test_every_single_number_can_be_varied_in_a_batch():
    # sensitivity and Monte Carlo override any quantity with an array: a batch of the
    # base value must give the base result for every one of them (a shape bug in one
    # input's path, e.g. the lab's ramp-up start share, used to raise here)
    case = load_case()
    base = run(case, metrics=["fnpv_idr", "firr", "dscr_min", "region_pv_dividends_idr"]).metrics
    for path, q in case.quantity_map().items():
        if q.is_list:
            continue
        res = run(case, {path: np.full(3, q.value)}, metrics=list(base))
        for k, v in base.items():
            np.testing.assert_allclose(res.metrics[k], v, rtol=1e-12, equal_nan=True, err_msg=f"{path}: {k}")


def test_metrics_argument_computes_only_those_and_the_same_values():
    case = load_case()
    full = run(case).metrics
    some = run(case, metrics=["firr", "fnpv_idr"]).metrics
    assert list(some) == ["firr", "fnpv_idr"]
    np.testing.assert_array_equal([some["firr"], some["fnpv_idr"]], [full["firr"], full["fnpv_idr"]])  # NaN equals NaN here
    with pytest.raises(KeyError, match="nope"):
        run(case, metrics=["nope"])
