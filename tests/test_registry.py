"""The metric registry: every metric declared once, and every rule reads it.

The hurdles tested here are the published ones the registry cites: FNPV > 0 and
FIRR > WACC (ADB 2005), BCR > 1, cumulative cash >= 0 every year (EU CBA Guide
2014), the lender's minimum DSCR (FHWA P3 primer, 1.3 in the default case).
"""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from feasibility import load_case, run
from feasibility.analysis.criteria import CRITERION_METRIC, assess, verdict
from feasibility.analysis.sensitivity import thresholds
from feasibility.case import DEFAULT_CASE
from feasibility.metrics import registry
from feasibility.present.i18n import catalog

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
PACKAGE = Path(__file__).resolve().parent.parent / "feasibility"


@pytest.fixture(scope="module")
def default():
    case = load_case()
    return case, run(case)


def test_every_model_metric_is_declared_with_unit_and_both_labels(default):
    case, res = default
    assert list(res.metrics) == registry.model_metric_keys(case)
    for key, m in registry.METRICS.items():
        assert m.unit in {"IDR", "fraction", "ratio", "years", "year", "flag", "tonnes", "count"}, key
        assert m.en and m.id and m.en != m.id, key
        assert m.better in (None, "higher", "lower"), key
        assert (m.op is None) == (m.against is None), key
    # a case without a lab has no lab contribution
    assert "pv_contribution_lab_idr" not in run(load_case(HAND)).metrics


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("fnpv_idr", 1.0, True), ("fnpv_idr", 0.0, False), ("fnpv_idr", -1.0, False),  # strictly > 0
        ("bcr", 1.0, False), ("bcr", 1.0001, True),
        ("dscr_min", 1.3, True), ("dscr_min", 1.2999, False), ("dscr_min", math.nan, None),  # no debt: n/a
        ("min_cumulative_cash_idr", 0.0, True), ("min_cumulative_cash_idr", -1.0, False),
        ("payback_years", 30.0, True), ("payback_years", 30.5, False), ("payback_years", math.nan, False),  # never: fails
        ("wacc", 0.07, None),  # no hurdle
    ],
)
def test_passes_reads_the_hurdle(default, key, value, expected):
    case, res = default
    m = dict(res.metrics)
    # the default case: min DSCR 1.3; 2 construction years + a 28-year concession
    assert registry.passes(key, value, case, m) is expected


def test_an_irr_with_no_root_is_judged_by_its_npv_at_the_hurdle(default):
    """Flows that never recover their outlay have no IRR: their FNPV at the WACC (< 0) fails the FIRR criterion;
    flows that never cost (FNPV > 0, no sign change) pass it; a DSCR without debt stays not applicable."""
    case, res = default
    m = dict(res.metrics)
    assert registry.passes("firr", math.nan, case, {**m, "fnpv_idr": -1.0}) is False
    assert registry.passes("firr", math.nan, case, {**m, "fnpv_idr": 1.0}) is True
    assert registry.passes("firr", math.nan, case, {**m, "fnpv_idr": math.nan}) is None
    assert registry.passes("dscr_min", math.nan, case, m) is None


def test_firr_hurdle_is_the_wacc_of_the_same_run(default):
    case, res = default
    m = dict(res.metrics)
    assert registry.threshold("firr", case, m) == m["wacc"]
    assert registry.passes("firr", m["wacc"] + 1e-9, case, m) is True
    assert registry.passes("firr", m["wacc"], case, m) is False


def test_one_dscr_threshold_everywhere(default, tmp_path):
    text = DEFAULT_CASE.read_text(encoding="utf-8").replace("min_dscr = 1.3 ", "min_dscr = 1.5 ")
    other = tmp_path / "case.toml"
    other.write_text(text.replace("dscr_threshold = 1.3 ", "dscr_threshold = 1.5 "), encoding="utf-8")
    c2 = load_case(other)
    assert c2.criteria.min_dscr == 1.5
    assert registry.threshold("dscr_min", c2, {}) == 1.5
    assert thresholds(c2)["dscr_min"] == 1.5
    crit = {c.key: c for c in assess(c2, run(c2).metrics)}
    assert crit["dscr"].threshold == 1.5


def test_criteria_and_verdict_follow_the_registry(default):
    case, res = default
    rows = assess(case, res.metrics)
    assert [c.key for c in rows] == list(case.criteria.apply)
    for c in rows:
        assert c.metric == CRITERION_METRIC[c.key]
        assert c.passed is registry.passes(c.metric, c.value, case, res.metrics)
    risk = next(c for c in rows if c.key == "risk")
    assert risk.passed is None  # no Monte Carlo here
    assert verdict(rows) == "not_feasible"
    with_mc = {c.key: c for c in assess(case, res.metrics, prob_npv_negative=0.1)}
    assert with_mc["risk"].passed is True and with_mc["risk"].threshold == 0.2


def test_verdict_rule():
    from feasibility.analysis.criteria import Criterion

    def c(p):
        return Criterion("x", "fnpv_idr", ">", 0.0, 0.0, p)

    assert verdict([c(True), c(True)]) == "feasible"
    assert verdict([c(True), c(None)]) == "feasible_partly_tested"
    assert verdict([c(True), c(False), c(None)]) == "not_feasible"
    assert verdict([c(None)]) == "incomplete"


def test_sensitivity_thresholds_are_the_hurdles(default):
    case, _ = default
    th = thresholds(case)
    assert th["fnpv_idr"] == 0.0 and th["firr"] == "wacc" and th["equity_irr"] == "cost_of_equity"
    assert th["region_pv_dividends_idr"] == "public_money_pv_idr" and th["dscr_min"] == case.criteria.min_dscr
    assert "wacc" not in th and "capex_total_idr" not in th


def test_simulation_probabilities_count_misses_of_the_hurdle(default):
    from feasibility.analysis.risk import Simulation

    case, _ = default
    fnpv = np.array([-1.0, 0.0, 2.0, 3.0])
    dscr = np.array([1.0, np.nan, 1.3, 2.0])
    sim = Simulation(case, 1, 4, None, {"fnpv_idr": fnpv, "dscr_min": dscr})
    assert sim.prob_npv_negative == 0.5  # -1 and 0 miss FNPV > 0
    assert sim.prob_dscr_below == pytest.approx(1 / 3)  # among the 3 with debt service, one below 1.3


def test_labels_live_only_in_the_registry():
    for lang in ("en", "id"):
        assert "metric" not in catalog(lang)
    assert registry.label("fnpv_idr", "id").startswith("FNPV proyek")
    assert registry.label("not_a_metric", "en") == "not_a_metric"


def test_no_threshold_is_written_outside_the_registry():
    """The lender's DSCR, the accepted risk and the concession are read from the case only by the registry."""
    allowed = {PACKAGE / "metrics" / "registry.py", *(PACKAGE / "case").glob("*.py")}  # the schema and its own rules
    pattern = re.compile(r"(criteria|risk)\.(min_dscr|max_prob_npv_negative|concession_years|dscr_threshold)\b|\"min_dscr\"")
    offenders = [
        f"{p.relative_to(PACKAGE)}:{i}"
        for p in PACKAGE.rglob("*.py")
        if p not in allowed
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and "``" not in line  # docstrings may name the field
    ]
    assert offenders == []
