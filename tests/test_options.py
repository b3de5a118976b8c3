"""Options appraisal (issue 13): the long list, the new line kinds, the ranking rule, the CLI.

Expected numbers are worked out by hand from the case files (the derivations
are in the comments) or from closed forms; none is an earlier output of the code.
"""

from __future__ import annotations

import copy
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from feasibility import load_case, run
from feasibility.analysis.options import appraise, rule_text
from feasibility.case import CaseError, parse_case
from feasibility.case.io import DEFAULT_CASE
from feasibility.cli import main
from feasibility.domain.buildup import company_demand

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
M = 1e6


@pytest.fixture(scope="module")
def case():
    return load_case()


@pytest.fixture(scope="module")
def default_raw() -> dict[str, Any]:
    with DEFAULT_CASE.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def hand_raw() -> dict[str, Any]:
    with HAND.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def appraisal(case):
    return appraise(case, iterations=400)


def _q(value: Any) -> dict[str, Any]:
    return {"value": value, "source": "test", "confidence": "placeholder"}


# ---------------------------------------------------------------------------
# the default long list


def test_default_long_list_has_every_option_of_the_brief(case):
    assert list(case.options) == [
        "do_nothing", "lab_blud", "lab_bumd", "services_bumd", "lab_services_bumd", "port_only", "full_plan", "small_ship", "phased",
        "joint_port_stake",
    ]
    assert [k for k, o in case.options.items() if o.baseline] == ["do_nothing"]
    # each option's case runs what its label says
    runs = {k: (case.option(k).plan.vehicle, list(case.option(k).lines())) for k in case.options}
    assert runs == {
        "do_nothing": ("none", []),
        "lab_blud": ("blud", ["lab"]),
        "lab_bumd": ("bumd", ["lab"]),
        "services_bumd": ("bumd", ["services"]),
        "lab_services_bumd": ("bumd", ["lab", "services"]),
        "port_only": ("bumd", ["port"]),
        "full_plan": ("bumd", ["port", "lab"]),
        "small_ship": ("bumd", ["port", "lab"]),
        "phased": ("bumd", ["port", "lab", "services"]),
        "joint_port_stake": ("none", []),
    }
    assert case.option("port_only").port.capacity.expansion.build == "never"
    # the smaller design ship: a 120 m quay holds one 89 m ship, with shallower depths and less dredging (by hand:
    # 5.7 m x 1.10 = 6.27 m at the berth, 4.25 m natural at 2,500 m on 0.17 %: a 2.02 m cut of the basin)
    small = case.option("small_ship").port.marine
    assert (small.ship_length_m.value, small.ship_draft_m.value, small.quay_length_m.value) == (89, 5.7, 120)


def test_do_nothing_gives_zero_public_money_and_zero_pad(case, appraisal):
    res = run(case.option("do_nothing"))
    for line in ("public_money_idr", "dividends_to_region_idr", "project_fcf_idr", "economic_flow_real_idr", "capex_idr", "revenue_total_idr"):
        assert np.all(res.annual[line].to_numpy() == 0.0), line
    o = appraisal["do_nothing"]
    assert o.figures["public_money_total_current_idr"] == 0.0 and o.figures["region_pv_dividends_idr"] == 0.0
    assert o.figures["region_npv_idr"] == 0.0 and o.public_money_by_year == {} and o.pad_by_year == {}
    assert o.mc["p_region_loss"] == 0.0 and o.mc["region_npv_p10"] == 0.0 and o.mc["region_npv_p90"] == 0.0


def test_an_option_equal_to_the_base_case_gives_its_figures_exactly(case):
    base, same = run(case), run(case.option("full_plan"))
    assert base.metrics.keys() == same.metrics.keys()
    for k, v in base.metrics.items():
        w = same.metrics[k]
        assert (v == w) or (math.isnan(v) and math.isnan(w)), k
    a, b = base.annual, same.annual
    assert list(a.columns) == list(b.columns)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


# ---------------------------------------------------------------------------
# the new line kinds on hand-computed cases


def _hand_services(hand_raw: dict[str, Any], vehicle: str) -> Any:
    d = copy.deepcopy(hand_raw)
    d["plan"] = {"vehicle": vehicle, "lines": ["services"]}
    d["services"] = {
        "name": "Services",
        "revenue": {"hire": {
            "kind": "other", "unit_label": "m2-month",
            "build_up": {"companies": _q(10), "units_per_company": _q(20), "capture_share": _q(0.5)},
            "tariff_idr_per_unit": _q(1_000_000), "variable_cost_idr_per_unit": _q(200_000),
        }},
        "opex": {"staff": {"amount_idr_per_year": _q(30_000_000)}},
        "capex": {"warehouse": {"amount_idr": _q(100_000_000), "asset_class": "building_permanent"}},
    }
    return run(parse_case(d))


def test_company_demand_is_companies_times_units_times_capture():
    assert company_demand(150, 40, 0.25) == 1500.0
    np.testing.assert_array_equal(company_demand([10, 20], 20, 0.5), [100.0, 200.0])
    with pytest.raises(ValueError, match="capture_share"):
        company_demand(10, 20, 1.5)


def test_services_line_volume_times_tariff(hand_raw):
    res = _hand_services(hand_raw, "bumd")
    m = lambda k: res.annual[k].to_numpy() / M
    # 10 companies x 20 units x 50 % = 100 units a year from 2026; x Rp1 m = 100; variable Rp0.2 m = 20; staff 30
    np.testing.assert_allclose(res.annual["volume_services_hire_units"].to_numpy(), [0, 100, 100, 100, 100])
    np.testing.assert_allclose(m("revenue_services_idr"), [0, 100, 100, 100, 100])
    np.testing.assert_allclose(m("contribution_services_idr"), [0, 50, 50, 50, 50])
    # the port is defined in the file but not run: no port line, no fee
    assert "revenue_port_idr" not in res.annual.columns
    np.testing.assert_allclose(m("capex_idr"), [100, 0, 0, 0, 0])


def test_line_run_by_a_public_service_unit(hand_raw):
    res = _hand_services(hand_raw, "blud")
    m = lambda k: res.annual[k].to_numpy() / M
    # EBITDA 100 - 20 - 30 = 50 from 2026 (no BUMD overhead); receivables 36.5/365 of revenue: 10 in 2026
    np.testing.assert_allclose(m("ebitda_idr"), [0, 50, 50, 50, 50])
    np.testing.assert_allclose(m("tax_idr"), 0.0)
    np.testing.assert_allclose(m("tax_unlevered_idr"), 0.0)
    # the APBD pays the warehouse (100 in 2025); the unit's surplus 50 - 10, then 50 a year, is PAD
    np.testing.assert_allclose(m("public_money_idr"), [100, 0, 0, 0, 0])
    np.testing.assert_allclose(m("dividends_to_region_idr"), [0, 40, 50, 50, 50])
    np.testing.assert_allclose(m("debt_drawdown_idr"), 0.0)
    # the unit's assets are the region's: at the end the warehouse's book value and the receivables, 90
    # (its residual value; the unit keeps no cash and owes nothing), count in the region's NPV
    np.testing.assert_allclose(m("region_final_stake_idr"), [0, 0, 0, 0, m("residual_value_idr")[-1]])
    npv = -100 + 40 / 1.1 + 50 / 1.1**2 + 50 / 1.1**3 + (50 + m("residual_value_idr")[-1]) / 1.1**4
    assert res.metrics["region_npv_idr"] / M == pytest.approx(npv, rel=1e-12)
    assert res.metrics["cash_sustainable"] == 1.0


def test_public_service_unit_deficits_are_top_ups(hand_raw):
    d = copy.deepcopy(hand_raw)
    res0 = _hand_services(d, "blud")
    assert res0.metrics["region_top_up_total_idr"] == 0.0
    d["working_capital"]["receivable_days"] = _q(365 * 0.7)  # receivables of 70 in 2026: a deficit of 50 - 70 = -20
    res = _hand_services(d, "blud")
    np.testing.assert_allclose(res.annual["region_top_up_idr"].to_numpy() / M, [0, 20, 0, 0, 0])
    np.testing.assert_allclose(res.annual["dividends_to_region_idr"].to_numpy() / M, [0, 0, 50, 50, 50])
    assert res.metrics["cash_sustainable"] == 0.0


def test_stake_in_another_company_closed_form(case):
    res = run(case.option("joint_port_stake"))
    infl = case.macro.inflation_per_year.value
    rate = case.region.discount_rate_nominal.value
    # Rp25 bn paid in 2027 and 2028; 5 % of the Rp50 bn paid in before each year from 2031 to 2056 = Rp2.5 bn a year
    pay = {2027: 25e9, 2028: 25e9}
    div = {y: 2.5e9 for y in range(2031, 2057)}
    # and the stake's value at the end, 1.0 x the Rp50 bn paid in, in 2056: the region's share of what it holds
    nominal_npv = sum(v / (1 + rate) ** (y - 2027) for y, v in div.items()) - sum(v / (1 + rate) ** (y - 2027) for y, v in pay.items())
    nominal_npv += 50e9 / (1 + rate) ** (2056 - 2027)
    # results in constant 2026 prices: the same flows deflated to 2026 and discounted at the real rate = nominal NPV / (1 + inflation)
    assert res.metrics["region_npv_idr"] == pytest.approx(nominal_npv / (1 + infl), rel=1e-10)
    cur = res.annual["public_money_idr"].to_numpy() * res.annual["price_index"].to_numpy()
    np.testing.assert_allclose(cur[:2], [25e9, 25e9], rtol=1e-12)
    # the option's FNPV counts the stake's value at the end (1.0 x Rp50 bn in 2056) too
    fcf = res.annual["project_fcf_idr"].to_numpy() * res.annual["price_index"].to_numpy()
    assert fcf[-1] == pytest.approx(2.5e9 + 50e9, rel=1e-12)
    assert np.all(res.annual["revenue_total_idr"].to_numpy() == 0.0)


# ---------------------------------------------------------------------------
# the appraisal and its rule


def test_appraisal_figures_are_the_model_figures_of_each_option(case, appraisal):
    for key in ("lab_bumd", "port_only", "joint_port_stake"):
        r = run(case.option(key))
        o = appraisal[key]
        for k in ("region_npv_idr", "fnpv_idr", "public_money_pv_idr", "region_pv_dividends_idr", "public_money_total_current_idr"):
            assert o.figures[k] == r.metrics[k], (key, k)
        assert sum(o.public_money_by_year.values()) == pytest.approx(r.metrics["public_money_total_current_idr"], rel=1e-12)
    assert appraisal["joint_port_stake"].to_dict()["enpv_idr"] is None  # another company's economics: not assessed here
    # the increment over doing nothing: do nothing is all zeros, so it is the figure itself
    assert appraisal["port_only"].increment["region_npv_idr"] == appraisal["port_only"].figures["region_npv_idr"]


def test_go_ahead_takes_the_branch_its_demand_decides(case, appraisal):
    o, other = appraisal["phased"], appraisal["lab_services_bumd"]
    # base case: 150 x 20,000 t x 0.7 x 0.25 x 0.75 = 393,750 t >= 140,000 t committed (80 % of one berth's 8,760 h x
    # 0.40 x 50 t/h = 175,200 t): the port goes ahead, and the region loses far more than on the lab-and-services branch
    assert o.go_ahead_in_base is True
    assert o.figures["region_npv_idr"] < other.figures["region_npv_idr"]
    assert 0.0 < o.go_ahead_probability < 1.0
    # in the iterations where the port goes ahead the region loses far more than without it
    assert o.mc["region_npv_p10"] < other.mc["region_npv_p10"]
    g = o.go_ahead_mc
    assert g["region_npv_mean"] < o.mc["region_npv_mean"] < 0 and g["region_npv_best"] < 0 and g["p_region_loss"] == 1.0
    # the mean over all iterations lies between the two branches' means, weighted by how often the port goes ahead
    p = o.go_ahead_probability
    rest = (o.mc["region_npv_mean"] - p * g["region_npv_mean"]) / (1 - p)
    assert g["region_npv_mean"] < rest < 0 and rest == pytest.approx(other.figures["region_npv_idr"], rel=0.25)


def test_same_seed_same_appraisal(case):
    a, b = appraise(case, iterations=50, seed=7), appraise(case, iterations=50, seed=7)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def _raw_with(default_raw: dict[str, Any], edit: Any) -> Any:
    d = copy.deepcopy(default_raw)
    edit(d)
    return parse_case(d, base_dir=DEFAULT_CASE.parent)


def test_ranking_follows_the_stated_rule(default_raw):
    def rich(d: dict[str, Any]) -> None:
        # the services BUMD gets an absurd tariff but no capital: the best region's NPV, and a cash shortfall in 2027
        opt = d["options"]["services_bumd"]["set"]
        opt["financing.capital_injection.amount_idr_nominal"] = [0, 0]
        opt["services.revenue.warehousing.tariff_idr_per_unit"] = 5_000_000
        d["services"]["revenue"]["warehousing"]["tariff_idr_per_unit"]["high"] = 5_000_000
        # the stake pays 15 % a year: a positive region's NPV, and it never needs cash of its own
        d["options"]["joint_port_stake"]["merge"]["participations"]["joint_port"]["dividend_yield_nominal"]["value"] = 0.15

    case = _raw_with(default_raw, rich)
    ap = appraise(case, iterations=20)
    s, j = ap["services_bumd"], ap["joint_port_stake"]
    assert s.figures["region_npv_idr"] > j.figures["region_npv_idr"] > 0
    assert s.figures["cash_sustainable"] == 0.0 and j.figures["cash_sustainable"] == 1.0
    # the rule: the best region's NPV among the financially sustainable: the stake, not the services
    assert ap.preferred == "joint_port_stake" and j.rank == 1 and s.rank is None and s.passes == {"cash_sustainable": False}
    # without the requirement the services BUMD ranks first
    case2 = _raw_with(default_raw, lambda d: (rich(d), d["appraisal"].update(require=[])))
    assert appraise(case2, iterations=20).preferred == "services_bumd"


def test_rule_text_names_the_metric_and_the_requirement():
    assert rule_text("region_npv_idr", ["cash_sustainable"], "en") == (
        "Options are ranked by region's NPV (higher is better), "
        "among only the options that meet: financially sustainable (cumulative cash never negative)."
    )
    assert rule_text("public_money_pv_idr", [], "id").startswith("Opsi diurutkan menurut nilai kini uang publik")
    assert "makin rendah makin baik" in rule_text("public_money_pv_idr", [], "id")
    # with the case, each requirement with its hurdle from [criteria]
    case = load_case()
    assert rule_text("region_npv_idr", ["dscr_min", "fnpv_idr"], "id", case).endswith(
        "hanya di antara opsi yang memenuhi syarat berikut: DSCR minimum \u2265 1,3; FNPV proyek (setelah pajak, sebelum pembiayaan, pada WACC) > 0.")


def test_default_case_prefers_doing_nothing(appraisal):
    assert appraisal.preferred == "do_nothing"
    spend = [o for o in appraisal.options if not o.option.baseline]
    assert all(o.figures["region_npv_idr"] < 0 for o in spend)


# ---------------------------------------------------------------------------
# validation: problems name the option, all at once


def _problems(default_raw: dict[str, Any], edit: Any) -> list[str]:
    with pytest.raises(CaseError) as err:
        _raw_with(default_raw, edit)
    return [str(p) for p in err.value.problems]


def test_bad_option_fields_are_errors_naming_the_option(default_raw):
    def edit(d: dict[str, Any]) -> None:
        d["options"]["port_only"]["lines"] = ["harbour"]
        d["options"]["services_bumd"]["colour"] = "red"
        d["options"]["lab_bumd"]["vehicle"] = "company"

    text = "\n".join(_problems(default_raw, edit))
    assert "options.port_only.lines[0]" in text and "'harbour'" in text
    assert "options.services_bumd.colour" in text
    assert "options.lab_bumd.vehicle" in text and "'company'" in text


def test_option_case_rules_name_the_option(default_raw):
    def edit(d: dict[str, Any]) -> None:
        d["options"]["lab_bumd"]["set"]["lab.revenue.lab_tests.tarif_idr_per_sample"] = 1
        d["options"]["lab_blud"]["lines"] = ["lab", "port"]
        d["options"]["do_nothing"]["lines"] = ["lab"]
        d["options"]["phased"]["go_ahead"]["otherwise"] = "nothing"
        d["options"]["full_plan"]["baseline"] = True

    found = _problems(default_raw, edit)
    assert any(p.startswith("options.lab_bumd.set.lab.revenue.lab_tests.tarif_idr_per_sample: is not a quantity")
               and "did you mean 'lab.revenue.lab_tests.tariff_idr_per_sample'" in p for p in found), found
    assert any(p.startswith("options.lab_blud: plan.lines: a port terminal must be run by a port business entity") for p in found), found
    assert any(p.startswith("options.do_nothing: plan.lines: must be empty with vehicle 'none'") for p in found), found
    assert any(p.startswith("options.phased.go_ahead.otherwise: is not an option of the case") for p in found)
    assert any(p.startswith("options: needs exactly one baseline option") for p in found)


def test_inputs_of_lines_out_of_the_plan_are_not_the_plans(case):
    assert "services.revenue.warehousing.tariff_idr_per_unit" not in case.quantity_map()
    assert "services.revenue.warehousing.tariff_idr_per_unit" in case.option("services_bumd").quantity_map()
    with pytest.raises(KeyError, match="no such quantity"):
        run(case, {"services.revenue.warehousing.tariff_idr_per_unit": 50_000})
    # the register lists every number of the file, the options' lines included
    assert any(r["path"] == "services.revenue.warehousing.tariff_idr_per_unit" for r in case.assumptions())


# ---------------------------------------------------------------------------
# the command


def test_cli_appraise_json_has_the_keys(capsys):
    assert main(["appraise", "--json", "--iterations", "50"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {"options", "preferred", "rule"} <= d.keys()
    assert d["preferred"] == "do_nothing" and len(d["options"]) == 10
    for o in d["options"]:
        assert {"key", "label", "public_money_nominal_idr", "pad_pv_idr", "region_npv_idr", "fnpv_idr", "enpv_idr", "p_region_loss"} <= o.keys()
    full = next(o for o in d["options"] if o["key"] == "full_plan")
    assert full["label"]["en"] == "Full plan (port and lab)"
    assert full["public_money_nominal_idr"] == pytest.approx(sum(full["public_money_nominal_by_year_idr"].values()), rel=1e-12)


def test_cli_appraise_table_shows_labels_not_keys(capsys):
    assert main(["appraise", "--iterations", "50", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Full plan (port and lab)" in out and "full_plan" not in out
    assert "Option this analysis recommends: Do nothing (status quo)." in out
    assert "Ranking rule: Options are ranked by region's NPV" in out
    assert main(["appraise", "--iterations", "50"]) == 0
    out = capsys.readouterr().out
    assert "Opsi yang disarankan analisis ini: Tanpa proyek (kondisi saat ini)." in out and "Rencana penuh (pelabuhan dan laboratorium)" in out


def test_cli_appraise_bad_input_exit_2(capsys, tmp_path):
    assert main(["appraise", "--iterations", "-1"]) == 2
    assert "--iterations: must be between 0 and" in capsys.readouterr().err
    bare = tmp_path / "bare.toml"
    bare.write_text(HAND.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["appraise", str(bare)]) == 2
    assert "no [options]" in capsys.readouterr().err


def test_ranking_rule_and_shared_inputs_are_checked_when_the_case_loads(default_raw):
    def edit(d: dict[str, Any]) -> None:
        d["appraisal"]["rank_by"] = "region_npv"
        d["appraisal"]["require"] = ["cash_sustainable", "capex_total_idr"]

    found = _problems(default_raw, edit)
    assert any(p.startswith("appraisal.rank_by: must be a model metric with a better direction, got 'region_npv'")
               and "region_npv_idr" in p for p in found), found
    assert any(p.startswith("appraisal.require[1]: must be a model metric with a hurdle, got 'capex_total_idr'") for p in found), found

    def two(d: dict[str, Any]) -> None:
        d["options"]["lab_bumd"]["risk"] = {"distributions": {"lab.revenue.lab_tests.tariff_idr_per_sample": {"kind": "uniform", "source": "t"}}}

    found = _problems(default_raw, two)
    assert any(p.startswith("options.lab_bumd.risk.distributions.lab.revenue.lab_tests.tariff_idr_per_sample: differs from the distribution")
               for p in found), found



def test_the_value_of_information_is_estimated_on_the_shared_sample(case, appraisal):
    """EVPI of the choice by the region's NPV, from the options' common draws; each input's EVPPI no more than it."""
    d = appraisal.to_dict()
    assert d["evpi_idr"] == pytest.approx(appraisal.evpi.value) and d["evpi_idr"] >= 0
    values = [e["value_idr"] for e in d["evppi"]]
    assert values == sorted(values, reverse=True) and len(values) == len(d["evppi"]) > 10
    for e in d["evppi"]:
        assert 0 <= e["value_idr"] <= d["evpi_idr"] + 4 * (d["evpi_se_idr"] + e["se_idr"]), e
    assert appraise(case, iterations=50).to_dict()["evpi_idr"] is None  # too few iterations: not claimed


def test_each_data_plan_item_is_valued_by_the_inputs_it_measures_together(case, appraisal):
    """A survey learns all its inputs: their joint EVPPI, never above EVPI (within the errors), ranked; Sobol indices of the region's NPV."""
    d = appraisal.to_dict()
    items = {e["item"]: e for e in d["evppi_data_plan"]}
    values = [e["value_idr"] for e in d["evppi_data_plan"]]
    assert values == sorted(values, reverse=True)
    for e in d["evppi_data_plan"]:
        assert 0 <= e["value_idr"] <= d["evpi_idr"] + 4 * (d["evpi_se_idr"] + e["se_idr"]), e
    # the shipper survey's inputs include the cargo build-up; the joint port's plan names the option's own numbers
    assert "port.revenue.cargo_handling.build_up.tonnes_per_company" in items["shipper_survey"]["inputs"]
    assert items["joint_port"]["inputs"] == ["participations.joint_port.dividend_yield_nominal",
                                             "participations.joint_port.terminal_value_share_of_capital"]
    # a pattern into an option's merge names only what that merge sets, not every input ("options.lab_blud.merge.*")
    assert "macro.inflation_per_year" not in items["decisions"]["inputs"]
    # the group holding the single input worth most is worth at least that input (the same regression, one more term)
    top_path, top = appraisal.evppi[0]
    holder = next(e for e in d["evppi_data_plan"] if top_path in e["inputs"])
    assert holder["value_idr"] >= top.value - 4 * (top.se + holder["se_idr"])
    sob = d["sobol_region_npv"]
    assert len(sob) > 10 and all(0 <= s["total_order"] + s["total_order_conf95"] for s in sob)
    assert [s["total_order"] for s in sob] == sorted((s["total_order"] for s in sob), reverse=True)
