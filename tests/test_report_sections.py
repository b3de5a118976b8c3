"""The report's sections one by one, on the hand case (tests/cases/hand_case.toml).

The expected figures are the hand-computed ones of tests/test_model_hand.py
(amounts in millions of rupiah): capex 300, loan 150, an injection of 200 in
2025, dividends to the region 7.6 (2028) and 25.84 (2029), cumulative cash
50, -17.5, -45, 3.1, 31.04, DSCR 22.5/90 and 55/82.5. Each section function
takes the study and a formatter, so these tests need no template and no browser.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from feasibility import load_case
from feasibility.metrics import registry
from feasibility.present.i18n import Formatter, catalog
from feasibility.present.report import appendix, budget, comparison, economic, financial, market, narrative, recommendation, risk, summary, technical
from feasibility.present.report.common import anchor, confidence_counts
from feasibility.present.report.context import build
from feasibility.study import build_study

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
M = 1e6


@pytest.fixture(scope="module")
def study():
    return build_study(load_case(HAND), HAND.read_text(encoding="utf-8"), source_name=HAND.name, base_dir=HAND.parent, iterations=0)


@pytest.fixture(scope="module")
def en() -> Formatter:
    return Formatter("en")


@pytest.fixture(scope="module")
def id_() -> Formatter:
    return Formatter("id")


def pv(flows: list[float], rate: float) -> float:
    return sum(x / (1 + rate) ** t for t, x in enumerate(flows))


# --------------------------------------------------------------------------- budget (PAD)


def test_budget_rows_are_the_regions_flows_by_hand(study, en, id_):
    rows = budget.budget_rows(study, en)
    # every year: 2025-2028 are before the fourth operating year, 2029 is the last
    assert [r.year for r in rows] == [2025, 2026, 2027, 2028, 2029]
    # billions with one decimal: the injection of 200 million is 0.2; dividends of 7.6 and 12.92 million round to 0.0;
    # the region's share of the BUMD at the end, 263.96 million (cash 45.32 + assets 220 - tantiem owed 1.36), is 0.3
    assert [r.inj for r in rows] == ["0.2", "0.0", "0.0", "0.0", "0.0"]
    assert [r.div for r in rows] == ["0.0"] * 5
    assert [r.stake for r in rows] == ["0.0"] * 4 + ["0.3"]
    # cumulative -200, -200, -200, -192.4, +84.48 million: out of pocket until the end
    assert [r.cum for r in rows] == ["-0.2"] * 4 + ["0.1"]
    assert [r.neg for r in rows] == [True] * 4 + [False]
    # the discounted balance in the last year is the region's NPV: -200 + 7.6/1.1^3 + 276.88/1.1^4 = -5.18 million
    assert rows[-1].cum_pv == en.number(pv([-200, 0, 0, 7.6, 276.88], 0.10) * M / 1e9, 1) == "0.0"  # -0.005 billion
    assert [r.inj for r in budget.budget_rows(study, id_)][:2] == ["0,2", "0,0"]


def test_budget_metrics_and_text_by_hand(study, en):
    b = budget.budget(study, en)
    rows = {r.key: r for r in b.metrics}
    assert list(rows) == [k for k in budget.BUDGET_METRICS if k in study.result.metrics]
    assert rows["region_injection_total_idr"].value == "IDR 200 million"
    assert rows["region_dividends_total_idr"].value == "IDR 20.5 million"  # 7.6 + 12.92
    # no [financing.funding_gap] in the hand case: no top-ups; the public money is the injection
    assert rows["region_top_up_total_idr"].value == "IDR 0"
    assert rows["public_money_total_idr"].value == rows["public_money_pv_idr"].value == "IDR 200 million"
    assert rows["region_pv_dividends_idr"].value == "IDR 14.5 million"  # 7.6/1.331 + 12.92/1.4641 = 14.53
    assert rows["region_pv_final_stake_idr"].value == "IDR 180.3 million"  # 263.96/1.4641 = 180.29
    # the same 200 in bonds at 10 %: 20 a year of interest
    assert rows["region_bond_interest_avg_idr_per_year"].value == "IDR 20 million"
    assert rows["region_npv_idr"].value == "minus IDR 5.2 million"  # -200 + 14.53 + 180.29
    # the dividends and the share at the end repay the injection in the last year (not when discounted)
    assert rows["region_payback_year"].value == "2029"
    assert rows["region_discounted_payback_year"].value == catalog("en")["ui"]["never"]
    assert rows["region_npv_idr"].bad and not rows["region_injection_total_idr"].bad
    assert b.text[0] == catalog("en")["report"]["budget_intro"].format(nominal="10.0%", rate="10.0%", basis="")  # a nominal case
    assert len(b.chart.svg) > 0 and b.notes == []


# --------------------------------------------------------------------------- executive summary


def test_verdict_rows_by_hand(study, en):
    rows = {r.key: r for r in summary.verdict_rows(study, en)}
    assert list(rows) == ["fnpv", "firr", "bcr", "dscr", "cash", "risk", "payback", "enpv"]
    t = catalog("en")["report"]
    # FNPV = -300 + 21.5/1.1 + 51.5/1.1^2 + 56.5/1.1^3 + 276.5/1.1^4 = -6.6 million < 0
    fnpv = pv([-300, 21.5, 51.5, 56.5, 276.5], 0.10)
    assert rows["fnpv"].value == en.money(fnpv * M) == "minus IDR 6.6 million"
    assert rows["firr"].threshold == t["wacc_threshold"].format(wacc="10.0%")
    # DSCR: min(22.5/90, 55/82.5) = 0.25 against the lender's 1.30
    assert (rows["dscr"].value, rows["dscr"].threshold) == ("0.25", "1.30")
    assert rows["cash"].value == "minus IDR 45 million"
    # payback 3 + 170.5/276.5 = 3.6 years, within the 1 construction year + the 30-year concession
    assert (rows["payback"].value, rows["payback"].threshold) == ("3.6 years", "31 years")
    passed = {k: r.passed for k, r in rows.items()}
    assert passed == {"fnpv": "false", "firr": "false", "bcr": "false", "dscr": "false", "cash": "false",
                      "risk": "na", "payback": "true", "enpv": "na"}  # no Monte Carlo (iterations 0), no [economic]
    assert {r.result for r in rows.values()} == {t["pass"], t["fail"], t["na"]}
    for r in rows.values():
        assert r.label == catalog("en")["criterion"][r.key] and r.why == catalog("en")["criterion_why"][r.key]
        # every input of the hand case is a placeholder: a criterion with drivers rests on low-confidence numbers
        assert r.low_confidence == bool(r.drivers)
        assert all(d.confidence == "placeholder" and d.anchor == anchor(d.path) for d in r.drivers)
    # the hand case declares no ranges: there is no box to search, so no robustness sentence
    assert rows["risk"].robust == "" and rows["fnpv"].robust == ""


def test_summary_verdict_and_key_messages(study, en, id_):
    s = summary.summary(study, en)
    assert s.verdict == "not_feasible"
    assert s.verdict_text == catalog("en")["report"]["verdict_not_feasible"].format(n=5, m=8, k=2)
    msgs = catalog("en")["messages"]
    # nominal: no basis words; cash is positive again from 2028 (3.1): no "not positive again"
    assert s.key_messages[1] == msgs["cash_short"].format(year=2026, recover="", low="minus IDR 45 million", basis="")
    # EBITDA 27.5 and 65 a year: revenue covers operating costs, so no sentence says otherwise
    assert not any(m.startswith(msgs["ebitda_short"].split(":")[0]) for m in s.key_messages)
    counts = confidence_counts(study)
    assert counts.placeholder == counts.total == len(study.case.assumptions()) and counts.estimate == 0
    assert s.key_messages[-1] == msgs["confidence"].format(placeholder=counts.total, total=counts.total)
    assert summary.summary(study, id_).key_messages[1].count("minus Rp45 juta") == 1


# --------------------------------------------------------------------------- financial


def test_financial_metric_rows_red_exactly_where_a_hurdle_is_missed(study, en):
    f = financial.financial(study, en)
    m = study.result.metrics
    assert [r.key for r in f.metrics] == [k for k in financial.FINANCIAL_METRICS if k in m]
    for r in f.metrics:
        assert r.bad == (registry.passes(r.key, m.get(r.key, math.nan), study.case, m) is False), r.key
    rows = {r.key: r for r in f.metrics}
    # by hand: the failing results are red, the plain facts (WACC, capex, debt) never are
    assert {k for k, r in rows.items() if r.bad} >= {"fnpv_idr", "firr", "bcr", "dscr_min", "cash_sustainable", "min_cumulative_cash_idr"}
    assert not any(rows[k].bad for k in ("wacc", "payback_years", "capex_total_idr", "debt_total_idr"))
    assert rows["wacc"].value == "10.0%"  # 0.5 x 12 % + 0.5 x 10 % x (1 - 20 %)
    assert rows["capex_total_idr"].value == "IDR 300 million"  # 50 + 200 + 40 x 1.25
    assert rows["debt_total_idr"].value == "IDR 150 million"
    assert rows["first_cash_shortfall_year"].value == "2026"
    assert f.cash_short and f.warnings == [] and f.dscr is not None


def test_financial_plan_and_business_lines_by_hand(study, en):
    f = financial.financial(study, en)
    assert [r.year for r in f.plan.rows] == [2026, 2027, 2028, 2029]  # five years from 2026, the model ends in 2029
    cols = f.plan.columns
    dscr = [r.cells[cols.index("DSCR")].text for r in f.plan.rows]
    assert dscr == ["0.25", "0.67", catalog("en")["ui"]["na"], catalog("en")["ui"]["na"]]  # 22.5/90, 55/82.5, no debt left
    # cumulative cash 50, -17.5, -45, 3.1, 31.04 million: negative in 2026 and 2027 only
    cum = [r.cells[-1].neg for r in f.plan.rows]
    assert cum == [True, True, False, False]
    (port,) = f.business_lines
    assert port.name == "Port" and port.revenue == "IDR 350 million"  # 50 + 3 x 100
    assert port.costs == "IDR 127.5 million"  # variable 70 + fixed 40 + concession fee 17.5
    assert port.contribution == "IDR 222.5 million" and not port.bad


# --------------------------------------------------------------------------- the other sections


def test_need_legal_technical(study, en):
    t = catalog("en")["report"]
    assert narrative.need(study, en).text == t["need_no_pad"]  # the hand case states no PAD
    legal = narrative.legal(study, en)
    assert "Perumda" in legal.text and "100%" in legal.text and "5.0%" in legal.text
    rows = {r.path: r for r in technical.capex_rows(study, en)}
    assert list(rows) == ["port.capex.land", "port.capex.quay", "port.capex.equipment"]
    assert (rows["port.capex.equipment"].base, rows["port.capex.equipment"].contingency, rows["port.capex.equipment"].total) == (
        "IDR 40 million", "25%", "IDR 50 million")
    assert rows["port.capex.quay"].total == "IDR 200 million"


def test_market_economic_risk_without_history_economics_or_monte_carlo(study, en):
    mk = market.market(study, en)
    # no forecast from a history, no berth or yard capacity (so no cargo chart)
    assert mk.sel_years == [2026, 2029] and mk.forecasts == [] and mk.backtests == [] and mk.cargo is None
    (vol,) = mk.volume_rows
    assert vol.unit == "tonnes" and vol.cells == ["500", "1,000"]  # 1,000 t at 50 % ramp-up, then in full
    eco = economic.economic(study, en)
    assert eco.analysis is None and eco.ppp_text == "" and eco.min_inv == ""
    r = risk.risk(study, en)
    assert r.mc is None and [n.key for n in r.register] == ["test"]
    assert [row.path for row in r.tornado_rows] == list(study.tornadoes["fnpv_idr"].table.index)


def test_recommendation_and_conditions_by_hand(study, en):
    rec = recommendation.recommendation(study, en)
    t = catalog("en")["report"]
    # the hand case has no data-collection plan: the recommendation asks for surveys without costing them
    assert rec.verdict == "not_feasible" and rec.text == t["recommendation_not_feasible_no_plan"].format(n=5, m=8)
    # no top-ups in the hand case: the condition says the APBD does not cover it
    assert t["cond_cash_no_top_up"].format(year=2026, low="minus IDR 45 million", basis="") in rec.conditions
    # and no source covers that shortfall: an unfunded gap of 45
    assert t["cond_unfunded"].format(gap="IDR 45 million") in rec.conditions
    assert rec.conditions[-1] == t["cond_placeholders"].format(n=len(study.case.assumptions()), column=t["rests_on"])


def test_appendix_register_is_where_every_link_points(study, en):
    a = appendix.appendix(study, en)
    anchors = {r.anchor for r in a.register}
    assert len(anchors) == len(a.register) == len(study.case.assumptions())
    links = [d.anchor for v in summary.verdict_rows(study, en) for d in v.drivers]
    links += [c.anchor for c in technical.capex_rows(study, en)] + [r.anchor for r in risk.tornado_rows(study, en)]
    assert links and set(links) <= anchors
    assert [r.year for r in a.annual.rows] == [2025, 2026, 2027, 2028, 2029]
    assert all(r.price_flag == "" for r in a.register)  # every amount is priced in 2025, the base year


def test_comparison_of_a_study_with_itself(study, en):
    c = comparison.comparison([study, study], en)
    assert c.names == ["Hand-computed test case (hand_case.toml)"] * 2
    assert all(r.cells[0] == r.cells[1] for r in c.rows + c.criteria)
    assert c.verdicts[0] == c.verdicts[1] and len(c.extra) == 1


def test_build_holds_every_section_in_both_languages(study):
    for lang in ("id", "en"):
        r = build(study, lang)
        assert r.lang == lang and r.comparison is None
        assert r.header.name == "Hand-computed test case" and r.data["iterations"] == 0
        assert r.summary.verdict == r.recommendation.verdict == "not_feasible"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_council_summary_has_a_sentence_and_an_act_for_every_verdict(study, lang):
    """Each verdict feasibility.analysis.criteria.verdict can return has its sentence and the council's act (issue 14)."""
    from dataclasses import replace

    from feasibility.analysis.criteria import Criterion, verdict
    from feasibility.present.report import council

    fmt = Formatter(lang)
    cases = {
        "feasible": [Criterion("fnpv", "fnpv_idr", ">", 1.0, 0.0, True)],
        "not_feasible": [Criterion("fnpv", "fnpv_idr", ">", -1.0, 0.0, False)],
        "feasible_partly_tested": [Criterion("fnpv", "fnpv_idr", ">", 1.0, 0.0, True), Criterion("risk", "fnpv_idr", "<=", math.nan, 0.2, None)],
        "incomplete": [Criterion("risk", "fnpv_idr", "<=", math.nan, 0.2, None)],
    }
    acts = {}
    for name, crit in cases.items():
        assert verdict(crit) == name
        s = council.council(replace(study, criteria=crit), fmt, "Rencana")
        assert s.verdict.startswith(("“Rencana”", "Kelayakan “Rencana”", "The feasibility of “Rencana”")) and "{" not in s.verdict
        acts[name] = s.act
    # approve on conditions, decline, or defer while criteria cannot be tested
    assert acts["feasible_partly_tested"] == acts["incomplete"] == catalog(lang)["council"]["act_untested"]
    assert len({acts["feasible"], acts["not_feasible"], acts["incomplete"]}) == 3


def test_small_fractions_keep_two_significant_digits_in_the_report() -> None:
    from types import SimpleNamespace

    from feasibility.case import DEFAULT_CASE, load_case
    from feasibility.present.i18n import Formatter
    from feasibility.present.report.common import input_value

    study = SimpleNamespace(case=load_case(DEFAULT_CASE))
    path = "port.marine.seabed_slope"  # its range, 0.12% to 0.2%, once read "0.1% – 0.2%"
    assert [input_value(study, Formatter("en"), path, v) for v in (0.0012, 0.0017, 0.002)] == ["0.12%", "0.17%", "0.20%"]
    assert input_value(study, Formatter("id"), path, 0.0012) == "0,12%"
    assert input_value(study, Formatter("en"), "port.capex.wharf.optimism_bias", 0.66) == "66.0%"
