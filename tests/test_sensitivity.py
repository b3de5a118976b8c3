"""One-way, spider and two-way sensitivity, switching values, scenario comparison.

Most expected numbers come from a *level-annuity case*: the hand case
(tests/cases/hand_case.toml) stripped to one land purchase I in the single
construction year and four identical operating years, with no tax, inflation,
ramp-up, working capital, residual value, concession fee or loans. Its project
free cash flow is then

    FCF = [-I, A, A, A, A],    A = V (p - c) - F

(V volume, p tariff, c variable cost per tonne, F fixed opex), the WACC is the
cost of equity r (no debt, no tax), and ``feasibility.metrics.npv`` leaves year
0 undiscounted, so

    NPV = -I + A a,            a = (1 - (1 + r)^-n) / r,  n = 4.

NPV is linear in every one of V, p, c, F, I, so (derived by hand):

* sensitivity indicators SI = (dNPV/NPV) / (dx/x) = (dNPV/dx) x / NPV:
    SI_p =  V p a / NPV        SI_V = V (p - c) a / NPV     SI_c = -V c a / NPV
    SI_F = -F a / NPV          SI_I = -I / NPV
  (a central difference of a linear function is exact);
* switching values (NPV = 0, i.e. A a = I):
    p* = c + (F + I/a) / V     V* = (F + I/a) / (p - c)     c* = p - (F + I/a) / V
    F* = V (p - c) - I/a       I* = A a
  as relative changes (x* - x) / x, which for a linear NPV equal -1/SI.

Tolerance: rtol 1e-9 throughout (the model sums five discounted flows; the root
finder stops at a relative change accurate to 1e-12).
"""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from feasibility.case import DEFAULT_CASE
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from feasibility import load_case, parse_case, run
from feasibility.analysis.sensitivity import (
    _monotone,
    arc_elasticity,
    compare_scenarios,
    input_paths,
    nominal_rates,
    one_way,
    spider,
    tornado,
    two_way,
    with_real_rates_held,
)

DATA = Path(__file__).resolve().parent / "cases"
HAND = DATA / "hand_case.toml"
DEFAULT = DEFAULT_CASE

RTOL = 1e-9
N_YEARS = 4

CARGO = "port.revenue.cargo_handling"
P_PATH = f"{CARGO}.tariff_idr_per_tonne"
V_PATH = f"{CARGO}.volume_tonnes"
C_PATH = f"{CARGO}.variable_cost_idr_per_tonne"
F_PATH = "port.opex.staff.amount_idr_per_year"
I_PATH = "port.capex.land.amount_idr"
R_PATH = "financing.cost_of_equity_nominal"
FEE_PATH = "port.concession_fee_share_of_revenue"
PATH_OF = {"V": V_PATH, "p": P_PATH, "c": C_PATH, "F": F_PATH, "I": I_PATH}

#: NPV > 0: A = 1000 x 80,000 - 10 M = 70 M, a(12 %) = 3.0373, NPV = -50 M + 212.6 M = 162.6 M
POSITIVE = {"V": 1000.0, "p": 100_000.0, "c": 20_000.0, "F": 10_000_000.0, "I": 50_000_000.0, "r": 0.12}
#: NPV < 0: the same operations and a land price of 300 M: NPV = -87.4 M
NEGATIVE = {**POSITIVE, "I": 300_000_000.0}


# ---------------------------------------------------------------------------
# the level-annuity case and its closed forms


with HAND.open("rb") as _fh:
    HAND_RAW: dict[str, Any] = tomllib.load(_fh)  # never mutated: annuity_dict takes a deep copy


@pytest.fixture(scope="module")
def hand_raw() -> dict[str, Any]:
    return HAND_RAW


def _q(v: float, **extra: Any) -> dict[str, Any]:
    return {"value": v, "source": "test", "confidence": "placeholder", **extra}


def annuity_dict(
    hand_raw: dict[str, Any], V: float, p: float, c: float, F: float, I: float, r: float
) -> dict[str, Any]:
    d = copy.deepcopy(hand_raw)
    d["tax"]["corporate_income_tax_rate"] = _q(0.0)
    d["macro"]["inflation_per_year"] = _q(0.0)
    d["working_capital"]["receivable_days"] = _q(0.0)
    d["residual_value"]["method"] = "none"
    d["timeline"]["price_basis"] = "nominal"
    port = d["port"]
    port["concession_fee_share_of_revenue"] = _q(0.0)
    stream = port["revenue"]["cargo_handling"]
    del stream["ramp_up"]
    stream["volume_tonnes"] = _q(V)
    stream["tariff_idr_per_tonne"] = _q(p)
    stream["variable_cost_idr_per_tonne"] = _q(c)
    port["opex"] = {"staff": {"amount_idr_per_year": _q(F)}}
    port["capex"] = {"land": {"amount_idr": _q(I), "asset_class": "land"}}  # one year: phasing [1.0]
    d["financing"].pop("loans")
    d["financing"]["cost_of_equity_nominal"] = _q(r)
    return d


def annuity_case(hand_raw: dict[str, Any], **numbers: float):
    return parse_case(annuity_dict(hand_raw, **numbers), base_dir=DATA)


def annuity_factor(r: float, n: int = N_YEARS) -> float:
    return (1 - (1 + r) ** -n) / r


def closed_npv(V: float, p: float, c: float, F: float, I: float, r: float) -> float:
    return -I + (V * (p - c) - F) * annuity_factor(r)


def closed_si(V: float, p: float, c: float, F: float, I: float, r: float) -> dict[str, float]:
    a = annuity_factor(r)
    npv = closed_npv(V, p, c, F, I, r)
    return {"p": V * p * a / npv, "V": V * (p - c) * a / npv, "c": -V * c * a / npv, "F": -F * a / npv, "I": -I / npv}


def closed_switch(V: float, p: float, c: float, F: float, I: float, r: float) -> dict[str, float]:
    """Value of each input at which NPV = 0 (others at base)."""
    a = annuity_factor(r)
    A = V * (p - c) - F
    return {
        "p": c + (F + I / a) / V,
        "V": (F + I / a) / (p - c),
        "c": p - (F + I / a) / V,
        "F": V * (p - c) - I / a,
        "I": A * a,
    }


def reachable(base: float, target: float) -> bool:
    """Within what the analysis scans: the quantity's range (>= 0) and -100 % .. +1,000 %."""
    return 0 <= target <= 11 * base


def npv_at(numbers: dict[str, float], name: str, value: float) -> float:
    return closed_npv(**{**numbers, name: value})


@pytest.fixture(scope="module", params=["npv_positive", "npv_negative"])
def variant(request, hand_raw):
    numbers = POSITIVE if request.param == "npv_positive" else NEGATIVE
    case = annuity_case(hand_raw, **numbers)
    return request.param, numbers, case


@pytest.fixture(scope="module")
def variant_table(variant):
    name, numbers, case = variant
    t = one_way(case, list(PATH_OF.values()), metrics=["fnpv_idr"])["fnpv_idr"]
    return name, numbers, case, t


def test_annuity_case_is_what_the_closed_forms_describe(variant):
    _, n, case = variant
    res = run(case)
    A = n["V"] * (n["p"] - n["c"]) - n["F"]
    np.testing.assert_allclose(res.lines["project_fcf_idr"], [-n["I"], A, A, A, A], rtol=0, atol=1e-6)
    assert float(res.metrics["wacc"]) == pytest.approx(n["r"], rel=1e-15)
    assert float(res.metrics["fnpv_idr"]) == pytest.approx(closed_npv(**n), rel=RTOL)
    # the two variants test both signs
    assert (closed_npv(**n) > 0) == (variant[0] == "npv_positive")


def test_base_and_tornado_ends_at_plus_minus_change(variant_table):
    _, n, case, t = variant_table
    ch = case.sensitivity.change
    assert t.base == pytest.approx(closed_npv(**n), rel=RTOL)
    for name, path in PATH_OF.items():
        row = t.table.loc[path]
        assert row["range_from"] == f"+/-{ch:.0%}"
        assert row["base_value"] == n[name]
        assert row["low_value"] == pytest.approx(n[name] * (1 - ch), rel=1e-15)
        assert row["high_value"] == pytest.approx(n[name] * (1 + ch), rel=1e-15)
        lo, hi = npv_at(n, name, n[name] * (1 - ch)), npv_at(n, name, n[name] * (1 + ch))
        scale = abs(lo) + abs(hi)
        assert row["metric_low"] == pytest.approx(lo, rel=RTOL, abs=RTOL * scale), path
        assert row["metric_high"] == pytest.approx(hi, rel=RTOL, abs=RTOL * scale), path
        assert row["swing"] == pytest.approx(abs(hi - lo), rel=RTOL), path


def test_elasticity_is_the_documented_si(variant_table):
    # signed SI = (dM/M)/(dx/x), also when NPV < 0 (a regression: it once divided by |M|)
    name, n, _, t = variant_table
    si = closed_si(**n)
    for k, path in PATH_OF.items():
        assert t.table.loc[path, "elasticity"] == pytest.approx(si[k], rel=RTOL), path


def test_elasticity_magnitude_and_critical_flag(variant_table):
    # independent of the sign convention: |SI| and the critical flag |SI| >= 1
    _, n, case, t = variant_table
    si = closed_si(**n)
    for k, path in PATH_OF.items():
        row = t.table.loc[path]
        assert abs(row["elasticity"]) == pytest.approx(abs(si[k]), rel=RTOL), path
        assert bool(row["critical"]) == (abs(si[k]) >= case.sensitivity.critical_elasticity), path
        assert not math.isclose(abs(si[k]), 1.0, rel_tol=1e-3)  # the numbers keep clear of the edge
    # the critical list: most sensitive first
    expected = sorted((PATH_OF[k] for k in si if abs(si[k]) >= 1), key=lambda p: -abs(t.table.loc[p, "elasticity"]))
    assert t.critical == expected
    assert len(expected) >= 2  # tariff and volume both critical in both variants


def test_switching_values_against_closed_form(variant_table):
    _, n, _, t = variant_table
    sw = closed_switch(**n)
    seen = set()
    for k, path in PATH_OF.items():
        row = t.table.loc[path]
        if reachable(n[k], sw[k]):
            assert row["switching_status"] == "solved", path
            assert row["switching_change"] == pytest.approx((sw[k] - n[k]) / n[k], rel=RTOL), path
            assert row["switching_value"] == pytest.approx(sw[k], rel=RTOL), path
        else:
            # e.g. NPV < 0 even with a zero variable cost: no variable cost >= 0 switches
            assert row["switching_status"] == "none_in_range", path
            assert math.isnan(row["switching_change"]) and math.isnan(row["switching_value"]), path
        seen.add(row["switching_status"])
    assert "solved" in seen


def test_switching_linear_equals_switching_change_for_a_linear_npv(variant_table):
    name, n, _, t = variant_table
    si = closed_si(**n)
    solved = t.table[t.table["switching_status"] == "solved"]
    assert len(solved) >= 2
    for path, row in solved.iterrows():
        k = next(k for k, p in PATH_OF.items() if p == path)
        assert row["switching_linear"] == pytest.approx(-1 / si[k], rel=RTOL), path
        assert row["switching_linear"] == pytest.approx(row["switching_change"], rel=RTOL), path


def test_declared_range_sets_the_tornado_ends(hand_raw):
    n = POSITIVE
    d = annuity_dict(hand_raw, **n)
    d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"] |= {"low": 80_000, "high": 130_000}
    case = parse_case(d, base_dir=DATA)
    t = one_way(case, "auto", metrics=["fnpv_idr"])["fnpv_idr"]
    assert list(t.table.index) == [P_PATH]  # auto = the ranged inputs when there are any
    row = t.table.loc[P_PATH]
    assert row["range_from"] == "range"
    assert (row["low_value"], row["high_value"]) == (80_000, 130_000)
    assert row["metric_low"] == pytest.approx(npv_at(n, "p", 80_000), rel=RTOL)
    assert row["metric_high"] == pytest.approx(npv_at(n, "p", 130_000), rel=RTOL)
    # the elasticity is the arc over the declared range (NPV is linear in the tariff, so it
    # equals the closed-form SI, and the range's own slope by hand)
    by_hand = ((npv_at(n, "p", 130_000) - npv_at(n, "p", 80_000)) / t.base) / ((130_000 - 80_000) / n["p"])
    assert row["elasticity"] == pytest.approx(by_hand, rel=RTOL)
    assert row["elasticity"] == pytest.approx(closed_si(**n)["p"], rel=RTOL)
    assert bool(row["monotone"])


def test_adb_switching_value_example(hand_raw):
    # ADB (2005) s.7.11: a +20 % change in investment cost changes FNPV by 266.8 %,
    # so SI = 266.8 / 20 = 13.34 and SV = 100 / SI = 7.5 %.
    # With SI_I = -I/NPV and NPV = -I + A a, |SI_I| = 13.34 when I = 13.34/14.34 x A a.
    base = dict(POSITIVE)
    A = base["V"] * (base["p"] - base["c"]) - base["F"]
    base["I"] = 13.34 / 14.34 * A * annuity_factor(base["r"])
    d = annuity_dict(hand_raw, **base)
    d["sensitivity"] = {"change": 0.2}
    case = parse_case(d, base_dir=DATA)
    row = one_way(case, [I_PATH], metrics=["fnpv_idr"])["fnpv_idr"].table.loc[I_PATH]
    npv = closed_npv(**base)
    assert (row["metric_high"] - npv) / npv == pytest.approx(-2.668, rel=RTOL)  # +20 % capex: NPV -266.8 %
    assert abs(row["elasticity"]) == pytest.approx(13.34, rel=RTOL)
    assert row["elasticity"] < 0  # more investment cost, less NPV (NPV > 0 here)
    assert abs(row["switching_change"]) == pytest.approx(1 / 13.34, rel=RTOL)
    assert round(100 * abs(row["switching_change"]), 1) == 7.5
    assert row["switching_linear"] == pytest.approx(row["switching_change"], rel=RTOL)


def test_unreachable_threshold_and_zero_base(hand_raw):
    case = annuity_case(hand_raw, **POSITIVE)
    # FIRR = 135 %: NPV stays > 0 for every cost of equity the case allows (<= 100 %)
    assert float(run(case).metrics["firr"]) > 1
    # the concession fee is 0: a relative change of it means nothing
    t = one_way(case, [R_PATH, FEE_PATH, P_PATH], metrics=["fnpv_idr", "firr"])
    row = t["fnpv_idr"].table.loc[R_PATH]
    assert row["switching_status"] == "none_in_range"
    assert math.isnan(row["switching_change"]) and math.isnan(row["switching_value"])
    fee = t["fnpv_idr"].table.loc[FEE_PATH]
    assert fee["switching_status"] == "base_zero" and math.isnan(fee["switching_value"])
    # volume and capex: FIRR = WACC is the same root as FNPV = 0 (conventional flows)
    t = one_way(case, [V_PATH, I_PATH], metrics=["firr"])["firr"]
    sw = closed_switch(**POSITIVE)
    assert t.table.loc[V_PATH, "switching_value"] == pytest.approx(sw["V"], rel=1e-8)
    assert t.table.loc[I_PATH, "switching_value"] == pytest.approx(sw["I"], rel=1e-8)


def test_firr_switching_value_next_to_an_undefined_irr(hand_raw):
    case = annuity_case(hand_raw, **POSITIVE)
    p_star = closed_switch(**POSITIVE)["p"]  # 46,462: -53.5 %
    # FIRR is defined at the root and equals the WACC there (FCF = [-I, A*, ...] with NPV(WACC) = 0)
    at_root = run(case, {P_PATH: p_star}).metrics
    assert float(at_root["firr"]) == pytest.approx(float(at_root["wacc"]), rel=1e-6)
    row = one_way(case, [P_PATH], metrics=["firr"])["firr"].table.loc[P_PATH]
    assert row["switching_status"] == "solved"
    assert row["switching_value"] == pytest.approx(p_star, rel=1e-8)


# ---------------------------------------------------------------------------
# two-way and spider


def test_two_way_equals_closed_form_over_the_grid(hand_raw):
    n = POSITIVE
    case = annuity_case(hand_raw, **n)
    rc, cc = [-0.3, 0.0, 0.25], [-0.5, -0.1, 0.0, 0.4]
    df = two_way(case, P_PATH, V_PATH, row_changes=rc, col_changes=cc)
    assert df.shape == (3, 4)
    assert df.attrs == {"metric": "fnpv_idr", "row_changes": rc, "col_changes": cc}
    np.testing.assert_allclose(df.index.to_numpy(), n["p"] * (1 + np.array(rc)), rtol=1e-15)
    np.testing.assert_allclose(df.columns.to_numpy(), n["V"] * (1 + np.array(cc)), rtol=1e-15)
    expected = [[closed_npv(**{**n, "p": n["p"] * (1 + r), "V": n["V"] * (1 + c)}) for c in cc] for r in rc]
    np.testing.assert_allclose(df.to_numpy(), expected, rtol=RTOL)
    # default grid: -30 % .. +30 %, centre = base
    d0 = two_way(case, P_PATH, I_PATH)
    assert d0.shape == (7, 7) and d0.iloc[3, 3] == pytest.approx(closed_npv(**n), rel=RTOL)


def test_two_way_rejects_values_outside_the_allowed_range(hand_raw):
    case = annuity_case(hand_raw, **POSITIVE)
    with pytest.raises(ValueError, match=rf"^{V_PATH}: .*>= 0"):
        two_way(case, P_PATH, V_PATH, col_changes=[-1.5, 0.0])
    with pytest.raises(ValueError, match=R_PATH):
        two_way(case, R_PATH, P_PATH, row_changes=[0.0, 9.0])  # 12 % x 10 = 120 % > 100 %
    with pytest.raises(KeyError, match="port.nope"):
        two_way(case, "port.nope", P_PATH)


def test_spider_is_linear_and_centred_on_the_base(hand_raw):
    n = POSITIVE
    case = annuity_case(hand_raw, **n)
    sp = spider(case, [P_PATH, I_PATH, C_PATH])
    changes = np.asarray(case.sensitivity.spider_changes)
    np.testing.assert_array_equal(sp.index.to_numpy(), changes)
    expected = [closed_npv(**{**n, "p": n["p"] * (1 + ch)}) for ch in changes]
    np.testing.assert_allclose(sp[P_PATH].to_numpy(), expected, rtol=RTOL)
    # linear in the change: constant slope V p a per unit of relative change
    slopes = np.diff(sp[P_PATH].to_numpy()) / np.diff(changes)
    np.testing.assert_allclose(slopes, n["V"] * n["p"] * annuity_factor(n["r"]), rtol=1e-8)
    np.testing.assert_allclose(sp.loc[0.0].to_numpy(), closed_npv(**n), rtol=RTOL)
    # a change outside the allowed range is NaN, not clipped
    sp2 = spider(case, [P_PATH], changes=[-1.5, 0.0])
    assert math.isnan(sp2.loc[-1.5, P_PATH]) and sp2.loc[0.0, P_PATH] == pytest.approx(closed_npv(**n), rel=RTOL)


# ---------------------------------------------------------------------------
# hypothesis: the tariff's switching value is a root of the closed form


money = st.floats(min_value=1.0, max_value=1e6, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    V=st.floats(min_value=1.0, max_value=1e5),
    p=money,
    c=st.floats(min_value=0.0, max_value=1e6),
    F=st.floats(min_value=0.0, max_value=1e9),
    I=st.floats(min_value=1.0, max_value=1e10),
    r=st.floats(min_value=0.01, max_value=0.3),
)
def test_tariff_switching_value_is_a_root(V, p, c, F, I, r):
    n = {"V": V, "p": p, "c": c, "F": F, "I": I, "r": r}
    a = annuity_factor(r)
    scale = I + V * p * a + V * c * a + F * a
    assume(abs(V * (p - c) - F) > 1e-6 * (V * (p + c) + F))  # A != 0
    npv = closed_npv(**n)
    assume(abs(npv) > 1e-6 * scale)  # NPV != 0
    case = annuity_case(HAND_RAW, **n)
    row = one_way(case, [P_PATH], metrics=["fnpv_idr"])["fnpv_idr"].table.loc[P_PATH]
    p_star = c + (F + I / a) / V  # closed_switch()["p"]
    if row["switching_status"] == "solved":
        sv = row["switching_value"]
        # NPV at the solved tariff is zero up to rounding of the flows
        assert abs(closed_npv(**{**n, "p": sv})) <= 1e-9 * (scale + V * abs(sv) * a)
        assert sv == pytest.approx(p_star, rel=1e-8, abs=1e-8 * (scale / (V * a)))
    else:
        assert row["switching_status"] == "none_in_range"
        assert math.isnan(row["switching_value"])
    # NPV is monotone in p: a root inside the scanned range is always found
    if 1e-6 * p < p_star < 10.99 * p:
        assert row["switching_status"] == "solved"
    if p_star < 0 or p_star > 11.01 * p:
        assert row["switching_status"] == "none_in_range"


# ---------------------------------------------------------------------------
# the default case


@pytest.fixture(scope="module")
def default_case():
    return load_case()


@pytest.fixture(scope="module")
def default_tornado(default_case):
    return tornado(default_case, "fnpv_idr")


def test_default_switching_values_are_roots(default_case, default_tornado):
    t = default_tornado.table
    base = default_tornado.base
    assert base == pytest.approx(float(run(default_case).metrics["fnpv_idr"]), rel=1e-12)
    solved = t[t["switching_status"] == "solved"]
    assert len(solved) >= 1
    for path, row in solved.iterrows():
        fnpv = float(run(default_case, {path: row["switching_value"]}).metrics["fnpv_idr"])
        assert abs(fnpv) < 1e-6 * abs(base), path
        assert row["switching_value"] == pytest.approx(row["base_value"] * (1 + row["switching_change"]), rel=1e-15)
    none = t[t["switching_status"] == "none_in_range"]
    assert len(none) >= 1
    assert none["switching_change"].isna().all() and none["switching_value"].isna().all()
    assert set(t["switching_status"]) <= {"solved", "none_in_range", "base_zero"}


def test_default_tornado_sorted_by_swing(default_tornado):
    swing = default_tornado.table["swing"].to_numpy()
    assert np.all(np.diff(swing) <= 0)
    np.testing.assert_allclose(
        swing, np.abs(default_tornado.table["metric_high"] - default_tornado.table["metric_low"]), rtol=0, atol=0
    )


def test_compare_scenarios_equals_separate_runs(default_case):
    cs = compare_scenarios(default_case)
    assert list(cs.columns) == ["base", *default_case.scenarios]
    assert set(default_case.scenarios) == {"low", "high"}
    for name in cs.columns:
        metrics = run(default_case, scenario=None if name == "base" else name).metrics
        assert list(cs.index) == list(metrics)
        got = cs[name].to_numpy()
        want = np.array([float(v) for v in metrics.values()])
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True, err_msg=name)
    # the scenarios do change the FNPV
    assert cs.loc["fnpv_idr", "low"] < cs.loc["fnpv_idr", "base"] < cs.loc["fnpv_idr", "high"]


def _raw_ranged_paths(node: Any, prefix: str = "") -> set[str]:
    """Dotted paths of the `{ value = ..., low = ... }` tables of a parsed TOML file."""
    out: set[str] = set()
    if isinstance(node, dict):
        if "value" in node and "source" in node:
            return {prefix} if "low" in node else set()
        for key, val in node.items():
            out |= _raw_ranged_paths(val, f"{prefix}.{key}" if prefix else key)
    return out


def test_input_paths(default_case, hand_raw):
    qmap = default_case.quantity_map()
    ranges = input_paths(default_case, "ranges")
    assert ranges == [p for p, q in qmap.items() if q.low is not None]
    with DEFAULT.open("rb") as fh:
        raw = _raw_ranged_paths(tomllib.load(fh))
    # every ranged number of the file, but those of the line the plan does not run and of the options' own tables
    assert set(ranges) == {p for p in raw if p.split(".")[0] not in ("services", "options")}
    assert {p for p in raw if p.startswith("services.")} and default_case.lines_out() == ["services"]
    assert input_paths(default_case, "auto") == ranges
    everything = input_paths(default_case, "all")
    assert set(ranges) <= set(everything)
    assert all(not qmap[p].is_list for p in everything)
    lists = [p for p, q in qmap.items() if q.is_list]
    assert lists and not set(lists) & set(everything)
    # "all" is every single number except those at 0 (a relative change of 0 is 0)
    assert set(everything) == {p for p, q in qmap.items() if not q.is_list and q.value != 0}
    # a case without ranges: auto = all
    case = annuity_case(hand_raw, **POSITIVE)
    assert input_paths(case, "ranges") == []
    assert input_paths(case, "auto") == input_paths(case, "all")
    assert input_paths(default_case, [P_PATH, I_PATH]) == [P_PATH, I_PATH]


def test_unknown_inputs_and_metrics(default_case):
    with pytest.raises(KeyError, match="port.nope"):
        input_paths(default_case, ["port.nope", P_PATH])
    with pytest.raises(KeyError, match=rf"{CARGO}.ramp_up"):
        input_paths(default_case, [f"{CARGO}.ramp_up"])  # a list quantity
    with pytest.raises(ValueError, match="everything"):
        input_paths(default_case, "everything")
    with pytest.raises(KeyError, match="nope"):
        one_way(default_case, [P_PATH], metrics=["nope"])
    with pytest.raises(KeyError, match="nope"):
        tornado(default_case, "nope", [P_PATH])


# ---------------------------------------------------------------------------
# arc elasticity, monotonicity, one price basis (issue 18, item 6)


def test_arc_elasticity_by_hand():
    # FNPV -100 at x = 10; -130 at x = 8, -80 at x = 12: ((-80 + 130) / -100) / ((12 - 8) / 10) = -1.25
    assert arc_elasticity(-100.0, -130.0, -80.0, 10.0, 8.0, 12.0) == pytest.approx(-1.25, rel=1e-15)
    # broadcasts; a zero base metric or an empty range gives NaN, not inf
    out = arc_elasticity(np.array([50.0, 0.0, 50.0]), 40.0, 60.0, 10.0, np.array([8.0, 8.0, 10.0]), np.array([12.0, 12.0, 10.0]))
    assert out[0] == pytest.approx((20 / 50) / 0.4) and np.isnan(out[1]) and np.isnan(out[2])


def test_a_metric_that_turns_back_inside_the_range_is_flagged():
    rows = np.array([
        [1.0, 2, 3, 4, 5],  # rising
        [5.0, 4, 3, 2, 1],  # falling
        [1.0, 1, 1, 1, 1],  # flat
        [1.0, 3, 2, 4, 5],  # a dip between the low end and the base: a kink such as an expansion trigger
        [-5.0, -4, -3, -3 - 1e-12, -2],  # a wobble of rounding size is not a turn
    ])
    assert _monotone(rows).tolist() == [True, True, True, False, True]


def test_inflation_carries_the_nominal_rates_with_it(default_case):
    assert nominal_rates(default_case) == [
        "financing.cost_of_equity_nominal", "financing.deposit_rate_nominal", "financing.loans.regional_bank.interest_rate",
        "region.discount_rate_nominal",
    ]
    qmap = default_case.quantity_map()
    i0 = qmap["macro.inflation_per_year"].value
    infl = np.array([i0, 0.138])
    over = with_real_rates_held(default_case, {"macro.inflation_per_year": infl}, {})
    for p in nominal_rates(default_case):
        # Fisher: the real rate (1 + r) / (1 + i) - 1 is the same at both inflation rates
        real = (1 + over[p]) / (1 + infl) - 1
        assert real[1] == pytest.approx(real[0], rel=1e-12) and over[p][0] == pytest.approx(qmap[p].value, rel=1e-15), p
    # a row that changes a rate itself and not inflation keeps the rate it was given
    both = with_real_rates_held(default_case, {"macro.inflation_per_year": np.array([i0, i0]),
                                               "region.discount_rate_nominal": np.array([0.05, 0.07])}, {})
    np.testing.assert_allclose(both["region.discount_rate_nominal"], [0.05, 0.07], rtol=1e-15)
    assert with_real_rates_held(default_case, {"region.discount_rate_nominal": 0.05}, {}) == {"region.discount_rate_nominal": 0.05}
    # the tornado's inflation row is the model with the rates carried, not with them fixed
    row = one_way(default_case, ["macro.inflation_per_year"], metrics=["fnpv_idr"], switching=False)["fnpv_idr"].table.iloc[0]
    hi = row["high_value"]
    carried = run(default_case, with_real_rates_held(default_case, {"macro.inflation_per_year": hi}, {}), metrics=["fnpv_idr"])
    fixed = run(default_case, {"macro.inflation_per_year": hi}, metrics=["fnpv_idr"])
    assert row["metric_high"] == pytest.approx(float(carried.metrics["fnpv_idr"]), rel=1e-12)
    assert abs(float(fixed.metrics["fnpv_idr"]) - row["metric_high"]) > 1e9  # the two differ by billions
