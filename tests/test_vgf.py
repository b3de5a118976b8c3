"""Viability-gap funding (dukungan kelayakan): its eligibility conditions, construction cost and grant, by hand.

PMK 223/PMK.011/2012 as amended by PMK 170/PMK.08/2018 (Perpres 38/2015 is the
KPBU framework): a project may seek the grant only when it is economically but
not financially feasible, paid by its users, its implementing entity chosen by
competitive tender, its assets passing to the government at the end, its
construction cost (the first construction, without land, with interest during
construction) at least the floor (the case's Rp100 bn), and the grant at most
the cap (the case's 49 % of that construction cost).

Every expected number is worked out here (amounts in billions of rupiah, ``BN``);
nothing is compared with an earlier output of the code.

The case, built from tests/cases/hand_case.toml: construction 2025-2026,
operation 2027-2030, no inflation, nominal basis, WACC 10 % (equity 12 % and a
loan at 10 % x (1 - 20 % tax), half each).

* capex: land 20 in 2025; a quay of A (building, 20-year straight line) in 2026;
* loan: 50 % of each construction year's capex at 10 %: drawn 10 in 2025 and
  A/2 in 2026; interest in 2026 = 10 % x 10 = 1.0, before the first operating
  year: the interest during construction (IDC);
* construction cost of viability-gap funding = A + 1.0 (the land's 20 left out);
  A = 98.9 gives 99.9 (below Rp100 bn, though the capex with land is 118.9) and
  A = 99.1 gives 100.1 (above, though the quay alone, 99.1, is below).

With A = 99.1 and 200,000 t at Rp100,000 (half in 2027), variable Rp20,000/t,
staff 0.01, concession fee 5 %: revenue 0, 0, 10, 20, 20, 20; EBITDA 0, 0,
7.49, 14.99, 14.99, 14.99; project tax 20 % x (EBITDA - 99.1/20 = 4.955):
0.507 then 2.007; receivables one tenth of revenue: dNWC 1, 1, 0, 0; residual
(book value) in 2030: quay 99.1 x 16/20 = 79.28 + land 20 + receivables 2.
FCF = -20, -99.1, 5.983, 11.983, 12.983, 114.263 -> FNPV = -16.327 < 0.
Economic (factors 1, fee a transfer, no working capital), with 1,000,000 hours
a year saved at Rp10,000 (10 a year): -20, -99.1, 17.99, 25.99, 25.99,
25.99 + 99.28 -> ENPV = 19.838 > 0.
The grant g x 100.1 arrives in 2026 untaxed: FNPV(g) = FNPV(0) + g x 100.1 / 1.1
= FNPV(0) + 91 g, so g = 16.327 / 91 = 17.94 %.
"""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from feasibility import run
from feasibility.analysis.ppp import CONDITIONS, REFERENCE, ppp_test
from feasibility.case import CaseError, parse_case
from feasibility.present.i18n import Formatter
from feasibility.present.report import economic, recommendation
from feasibility.study import build_study

BN = 1e9
HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
with HAND.open("rb") as _fh:
    HAND_RAW: dict[str, Any] = tomllib.load(_fh)


def Q(value: Any) -> dict[str, Any]:
    return {"value": value, "source": "test", "confidence": "placeholder"}


def pv(xs: list[float], rate: float = 0.10) -> float:
    """Discounted to the first year (t = 0), as the model does."""
    return sum(x / (1 + rate) ** t for t, x in enumerate(xs))


def vgf_data(quay_bn: float = 99.1, *, benefit_idr_per_hour: float = 10_000.0, **ppp: Any) -> dict[str, Any]:
    """The case of the module docstring as TOML data; ``ppp`` replaces entries of its [ppp] table."""
    d = copy.deepcopy(HAND_RAW)
    d["timeline"]["construction_years"] = 2
    d["timeline"]["operating_years"] = 4
    capex = d["port"]["capex"]
    del capex["equipment"]
    capex["land"]["amount_idr"] = Q(20 * BN)
    capex["quay"]["amount_idr"] = Q(quay_bn * BN)
    capex["quay"]["start_year"] = 2026
    d["port"]["revenue"]["cargo_handling"]["volume_tonnes"] = Q(200_000)
    d["economic"] = {
        "social_discount_rate": Q(0.10),
        "conversion_factors": {k: Q(1.0) for k in ("output", "construction", "equipment", "land", "operating_costs", "shadow_wage")},
        "traffic": {"port": {"cargo_handling": {"diverted_share": Q(0.0), "alternative_cost_idr_per_unit": Q(0.0)}}},
        "benefits": {
            "time_saved": {"label": "Time saved", "unit": "hour", "volume_units_per_year": Q(1_000_000.0),
                           "unit_value_idr": Q(benefit_idr_per_hour)}
        },
    }
    d["ppp"] = {
        "viability_gap_grant_share": Q(0.0),
        "max_grant_share": Q(0.49),
        "min_investment_idr": Q(100 * BN),
        "payment": "user_charges",
        "procurement": "competitive_tender",
    }
    for key, value in ppp.items():
        d["ppp"][key] = value
    return d


FCF = [-20, -99.1, 5.983, 11.983, 12.983, 114.263]
FNPV = pv(FCF)  # -20 - 90.0909 + 4.9446 + 9.0030 + 8.8676 + 70.9483 = -16.3274
ENPV = pv([-20, -99.1, 17.99, 25.99, 25.99, 125.27])  # = 19.8379
SHARE = -FNPV / (100.1 / 1.1)  # = 16.3274 / 91 = 0.17942


# --------------------------------------------------------------------------- the construction cost and the floor


def test_construction_cost_excludes_land_includes_idc_by_hand() -> None:
    case = parse_case(vgf_data(99.1))
    r = run(case)
    # the model's own lines agree with the hand figures the cost is built from
    np.testing.assert_allclose(np.asarray(r.lines["capex_idr"]) / BN, [20, 99.1, 0, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(np.asarray(r.lines["interest_capitalised_idr"]) / BN, [0, 1.0, 0, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(np.asarray(r.lines["project_fcf_idr"]) / BN, FCF, atol=1e-9)
    t = ppp_test(case)
    assert t.construction_cost_idr / BN == pytest.approx(99.1 + 1.0, rel=1e-12)
    assert t.idc_idr / BN == pytest.approx(1.0, rel=1e-12)
    assert t.fnpv_idr / BN == pytest.approx(FNPV, rel=1e-9)
    assert t.enpv_idr / BN == pytest.approx(ENPV, rel=1e-9)


def test_just_over_the_floor_thanks_to_idc_is_eligible() -> None:
    # quay 99.1 + IDC 1.0 = 100.1 >= 100: eligible; the quay alone (99.1) would not be
    t = ppp_test(parse_case(vgf_data(99.1)))
    floor = t.condition("min_investment")
    assert floor.met and t.meets_min_investment
    assert floor.value / BN == pytest.approx(100.1, rel=1e-12) and floor.threshold == 100 * BN and floor.unit == "IDR"
    assert (t.construction_cost_idr - t.idc_idr) / BN == pytest.approx(99.1, rel=1e-12)  # below 100 without the IDC
    assert t.route == "vgf" and t.eligible and t.failing == ()
    assert [c.name for c in t.conditions] == list(CONDITIONS)
    assert all(c.met for c in t.conditions)
    assert t.grant_share == pytest.approx(SHARE, rel=1e-9)
    assert t.grant_idr / BN == pytest.approx(SHARE * 100.1, rel=1e-9)  # 17.96
    assert t.firr_at_grant == pytest.approx(0.10, abs=1e-9)


def test_just_under_the_floor_though_land_would_lift_it() -> None:
    # quay 98.9 + IDC 1.0 = 99.9 < 100: not eligible; with the land's 20 the capex (118.9) would pass
    case = parse_case(vgf_data(98.9))
    assert float(np.sum(run(case).lines["capex_idr"])) / BN == pytest.approx(118.9, rel=1e-12)
    t = ppp_test(case)
    assert t.construction_cost_idr / BN == pytest.approx(99.9, rel=1e-12)
    assert not t.meets_min_investment and not t.condition("min_investment").met
    assert t.economic_feasible and not t.financial_feasible
    assert t.route == "not_eligible" and not t.eligible
    assert t.failing == ("min_investment",)
    # the grant that would close the gap is still worked out: FNPV(g) = FNPV(0) + g x 99.9 / 1.1
    assert t.grant_share == pytest.approx(-t.fnpv_idr / (99.9 * BN / 1.1), rel=1e-9)


def test_a_later_renewal_or_investment_does_not_count() -> None:
    # the quay (98.9) bought again every 2 years after it entered service (2027): in 2029; and equipment of 5
    # bought in 2028: the capex over the years is 20 + 98.9 + 5 + 98.9 = 222.8, the construction cost stays 99.9
    d = vgf_data(98.9)
    d["port"]["capex"]["quay"]["renewal_every_years"] = 2
    d["port"]["capex"]["later"] = {"amount_idr": Q(5 * BN), "asset_class": "group_1", "start_year": 2028}
    case = parse_case(d)
    np.testing.assert_allclose(np.asarray(run(case).lines["capex_idr"]) / BN, [20, 98.9, 0, 5, 98.9, 0], atol=1e-9)
    t = ppp_test(case)
    assert t.construction_cost_idr / BN == pytest.approx(99.9, rel=1e-12)
    assert not t.condition("min_investment").met and "min_investment" in t.failing
    assert t.route != "vgf"


def test_construction_cost_is_in_base_year_prices() -> None:
    # 10 % inflation from the base year 2025: the quay costs 99.1 x 1.1 = 109.01 in 2026 money, the loan draws
    # 10 in 2025 (price index 1) and the IDC is 1.0 in 2026 money = 1 / 1.1 = 0.909 in 2025 prices:
    # 99.1 + 0.909 = 100.009 >= 100 (in current prices 110.01); with a quay of 98.9: 99.809 < 100 (109.79)
    for basis in ("real", "nominal"):
        for quay, cost, ok in ((99.1, 99.1 + 1 / 1.1, True), (98.9, 98.9 + 1 / 1.1, False)):
            d = vgf_data(quay)
            d["timeline"]["price_basis"] = basis
            d["macro"]["inflation_per_year"]["value"] = 0.10
            t = ppp_test(parse_case(d))
            assert t.construction_cost_idr / BN == pytest.approx(cost, rel=1e-12), (basis, quay)
            assert t.idc_idr / BN == pytest.approx(1 / 1.1, rel=1e-12)
            assert t.meets_min_investment is ok, (basis, quay)


# --------------------------------------------------------------------------- the grant's base


def test_grant_is_a_share_of_the_construction_cost_without_land_with_idc() -> None:
    # a 10 % grant: nothing in 2025 (land only), 10 % x (99.1 + 1.0) = 10.01 in 2026; on the capex with
    # land it would have been 2.0 in 2025 and 9.91 in 2026
    d = vgf_data(99.1, viability_gap_grant_share=Q(0.10))
    r = run(parse_case(d))
    np.testing.assert_allclose(np.asarray(r.lines["viability_gap_grant_idr"]) / BN, [0, 10.01, 0, 0, 0, 0], atol=1e-9)
    assert r.metrics["viability_gap_grant_total_idr"] / BN == pytest.approx(10.01, rel=1e-12)
    # the grant adds to the 2026 free cash flow only
    np.testing.assert_allclose(np.asarray(r.lines["project_fcf_idr"]) / BN, [-20, -99.1 + 10.01, *FCF[2:]], atol=1e-9)


def test_grant_share_from_root_finding_closes_the_gap_by_hand() -> None:
    case = parse_case(vgf_data(99.1))
    t = ppp_test(case)
    assert t.grant_share == pytest.approx(16.3274 / 91, abs=1e-5)  # the hand figure, rounded
    again = run(case, {"ppp.viability_gap_grant_share": t.grant_share})
    assert abs(again.metrics["fnpv_idr"]) < 1.0  # under one rupiah
    np.testing.assert_allclose(np.asarray(again.lines["viability_gap_grant_idr"]) / BN, [0, SHARE * 100.1, 0, 0, 0, 0], atol=1e-6)


# --------------------------------------------------------------------------- the other conditions


def test_directly_appointed_bumd_fails_the_tender_condition() -> None:
    t = ppp_test(parse_case(vgf_data(99.1, procurement="direct_appointment")))
    c = t.condition("competitive_tender")
    assert not c.met and c.value == "direct_appointment" and c.threshold is None and c.reference == REFERENCE
    assert t.route == "not_eligible" and not t.eligible and t.failing == ("competitive_tender",)


def test_availability_payment_fails_user_pays() -> None:
    t = ppp_test(parse_case(vgf_data(99.1, payment="availability_payment")))
    assert not t.condition("user_pays").met and t.condition("user_pays").value == "availability_payment"
    assert t.route == "not_eligible" and t.failing == ("user_pays",)


def test_asset_transfer_from_the_concession_or_stated() -> None:
    # the hand case's [concession] reverts the port's assets without payment: met
    t = ppp_test(parse_case(vgf_data(99.1)))
    assert t.condition("asset_transfer").met and t.condition("asset_transfer").value == "concession"
    assert "without_payment" in t.condition("asset_transfer").reference
    # stated: no transfer at the end of the cooperation period fails it
    t = ppp_test(parse_case(vgf_data(99.1, asset_transfer=False)))
    assert not t.condition("asset_transfer").met and t.condition("asset_transfer").value == "not_transferred"
    assert t.route == "not_eligible" and t.failing == ("asset_transfer",)
    t = ppp_test(parse_case(vgf_data(99.1, asset_transfer=True)))
    assert t.condition("asset_transfer").met and t.route == "vgf"


def test_grant_above_the_cap() -> None:
    # no residual value (nor working capital back): FCF -20, -99.1, 5.983, 11.983, 12.983, 12.983 ->
    # FNPV = -79.214; share = 79.214 / 91 = 87.05 % > 49 %. A 100 % grant (+91 at t = 0) closes it.
    # Economic with 30 a year of benefits: -20, -99.1, 37.99, 45.99, 45.99, 45.99 -> ENPV = 15.83 > 0
    d = vgf_data(99.1, benefit_idr_per_hour=30_000.0)
    d["residual_value"]["method"] = "none"
    t = ppp_test(parse_case(d))
    fnpv = pv([-20, -99.1, 5.983, 11.983, 12.983, 12.983])
    assert t.fnpv_idr / BN == pytest.approx(fnpv, rel=1e-9)
    assert t.enpv_idr / BN == pytest.approx(pv([-20, -99.1, 37.99, 45.99, 45.99, 45.99]), rel=1e-9)
    assert t.grant_share == pytest.approx(-fnpv / 91, rel=1e-9) and t.grant_share > 0.49
    cap = t.condition("within_cap")
    assert not cap.met and not t.within_cap and cap.threshold == 0.49 and cap.unit == "fraction"
    assert t.route == "vgf_above_cap" and t.failing == ("within_cap",) and not t.eligible
    # just above and just below the share needed on the plain case (17.94 %)
    assert ppp_test(parse_case(vgf_data(99.1, max_grant_share=Q(0.17)))).route == "vgf_above_cap"
    assert ppp_test(parse_case(vgf_data(99.1, max_grant_share=Q(0.18)))).route == "vgf"


def test_not_economic_and_financially_feasible_are_never_vgf() -> None:
    # no benefit stream: ENPV = 19.838 - 10 x (1/1.21 + 1/1.331 + 1/1.4641 + 1/1.61051) = 19.838 - 28.850 < 0
    t = ppp_test(parse_case(vgf_data(99.1, benefit_idr_per_hour=0.0)))
    assert t.enpv_idr / BN == pytest.approx(ENPV - 10 * (1 / 1.21 + 1 / 1.331 + 1 / 1.4641 + 1 / 1.61051), rel=1e-9)
    assert t.route == "not_economic" and "economic" in t.failing and not t.eligible
    assert t.condition("within_cap").met is None and "within_cap" not in t.failing  # no grant worked out: not assessed
    # four times the volume: FNPV > 0, no gap to fill
    d = vgf_data(99.1)
    d["port"]["revenue"]["cargo_handling"]["volume_tonnes"] = Q(800_000)
    t = ppp_test(parse_case(d))
    assert t.fnpv_idr > 0 and t.route == "financially_feasible" and "financial_gap" in t.failing
    json.dumps(t.to_dict(), allow_nan=False)  # plain JSON: the unsolved grant share is None
    assert t.to_dict()["grant_share"] is None and t.to_dict()["conditions"][0]["name"] == "economic"


def test_schema_requires_payment_and_procurement() -> None:
    for key in ("payment", "procurement"):
        d = vgf_data(99.1)
        del d["ppp"][key]
        with pytest.raises(CaseError, match=key):
            parse_case(d)
    with pytest.raises(CaseError, match="procurement"):
        parse_case(vgf_data(99.1, procurement="tender"))
    with pytest.raises(CaseError, match="asset_transfer"):
        parse_case(vgf_data(99.1, asset_transfer="yes"))


# --------------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def appointed():
    case = parse_case(vgf_data(99.1, procurement="direct_appointment"))
    return build_study(case, "", iterations=0)


@pytest.fixture(scope="module")
def eligible():
    return build_study(parse_case(vgf_data(99.1)), "", iterations=0)


def test_recommendation_names_the_failing_condition_not_vgf(appointed) -> None:
    for lang in ("en", "id"):
        fmt = Formatter(lang)
        t = fmt.msg["report"]
        conds = recommendation.conditions(appointed, fmt)
        seek = t["cond_vgf"].split("{grant}")[0]
        assert not any(c.startswith(seek) for c in conds), lang
        assert t["cond_vgf_not_eligible"].format(failing=t["vgf_cond_competitive_tender"]) in conds, lang


def test_recommendation_seeks_vgf_when_eligible(eligible) -> None:
    fmt = Formatter("en")
    conds = recommendation.conditions(eligible, fmt)
    assert "Seek viability-gap funding of IDR 18 billion through the KPBU route." in conds  # 17.94 % x 100.1 = 17.96
    assert not any(c.startswith(fmt.msg["report"]["cond_vgf_not_eligible"].split("{")[0]) for c in conds)


def test_report_shows_each_condition_with_value_threshold_and_rule(appointed) -> None:
    rows = {r.label: r for r in economic.vgf_conditions(appointed, Formatter("en"))}
    t = Formatter("en").msg["report"]
    assert list(rows) == [t[f"vgf_cond_{n}"] for n in CONDITIONS]
    tender = rows[t["vgf_cond_competitive_tender"]]
    assert (tender.value, tender.required, tender.met, tender.met_text) == ("direct appointment", "competitive tender", False, "✗ not met")
    floor = rows[t["vgf_cond_min_investment"]]
    assert (floor.value, floor.required, floor.met) == ("IDR 100.1 billion", "at least IDR 100 billion", True)
    assert floor.rule == "PMK 223/PMK.011/2012 as amended by PMK 170/PMK.08/2018" and floor.source == "test"
    cap = rows[t["vgf_cond_within_cap"]]
    assert (cap.value, cap.required, cap.met) == ("17.9%", "at most 49.0%", True)
    assert rows[t["vgf_cond_economic"]].value == "IDR 19.8 billion" and rows[t["vgf_cond_economic"]].required == "above IDR 0"
    ind = {r.label: r for r in economic.vgf_conditions(appointed, Formatter("id"))}
    ti = Formatter("id").msg["report"]
    assert ind[ti["vgf_cond_min_investment"]].value == "Rp100,1 miliar"
    assert ind[ti["vgf_cond_min_investment"]].required == "paling sedikit Rp100 miliar"
    assert ind[ti["vgf_cond_competitive_tender"]].value == "penunjukan langsung"
    assert ind[ti["vgf_cond_competitive_tender"]].met_text == "✗ tidak terpenuhi"
    assert "PMK 170/PMK.08/2018" in ind[ti["vgf_cond_user_pays"]].rule
