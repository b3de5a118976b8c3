"""Cargo types as shares of the port's cargo stream (issue 21, item 1).

Each type has its own productivity, parcel, ships, tariff, yard density and dwell
time; the capacity, the ship calls, the berth time, the waiting and the port dues
are worked out for the mix (:func:`feasibility.domain.capacity.cargo_mix`), so
they agree with each other for every type. Expected numbers are by hand in the
comments.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feasibility.case import DEFAULT_CASE, CaseError, parse_case
from feasibility.domain.capacity import cargo_mix
from feasibility.domain.queueing import mixed_erlang_k, waiting_time_ratio
from feasibility.model import run

PROOF = Path(__file__).parent / "cases" / "workbook_case.toml"


def q(v: float) -> dict[str, object]:
    return {"value": v, "source": "test", "confidence": "placeholder"}


TYPES = {  # the bagged cargo's ranges stand in for the port's (the default's risk and data plan name them)
    "bagged": {"label": "bagged cargo", "share": q(0.6), "productivity_tonnes_per_hour": q(30) | {"low": 24, "high": 40},
               "parcel_tonnes_per_call": q(2000), "gt_per_call": q(1500) | {"low": 1000, "high": 2000}},
    "bulk": {"label": "dry bulk", "share": q(0.4), "productivity_tonnes_per_hour": q(120), "parcel_tonnes_per_call": q(5000),
             "gt_per_call": q(3000)},
}


def default_with(types: dict[str, object]):
    return parse_case(prepared(types), base_dir=DEFAULT_CASE.parent)


def prepared(types: dict[str, object], d: dict | None = None) -> dict:
    """The default case's data with cargo types; a value of the port's (or the stream's) every type gives is removed,
    and what named it (ranges, scenarios, the data plan) names the first type's instead; without the options (the
    3,000 DWT one sets the port's ship)."""
    import json

    d = d or tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    d.pop("options", None)
    d["port"]["revenue"]["cargo_handling"]["cargo_types"] = types
    for field in ("tariff_idr_per_tonne", "variable_cost_idr_per_tonne"):  # the types' own, or the stream's for all
        if any(field in t for t in types.values()):
            d["port"]["revenue"]["cargo_handling"].pop(field)
    first = next(iter(types), None)
    moved = {f"port.capacity.{f}": f for f in ("productivity_tonnes_per_hour", "parcel_tonnes_per_call", "gt_per_call")}
    moved |= {f"port.revenue.cargo_handling.{f}": f for f in ("tariff_idr_per_tonne", "variable_cost_idr_per_tonne")}
    moved["port.revenue.cargo_handling.build_up.capture_share"] = "capture_share"
    text = json.dumps(d)
    for path, field in moved.items():
        if types and all(field in t for t in types.values()):
            text = text.replace(f'"{path}"', f'"port.revenue.cargo_handling.cargo_types.{first}.{field}"')
    d = json.loads(text)
    for field in ("productivity_tonnes_per_hour", "parcel_tonnes_per_call", "gt_per_call"):
        if types and all(field in t for t in types.values()):
            d["port"]["capacity"].pop(field)
    if types and all("capture_share" in t for t in types.values()):
        d["port"]["revenue"]["cargo_handling"]["build_up"].pop("capture_share")
    return d


# ---------------------------------------------------------------------------
# the mix, by hand


def test_the_mix_by_hand() -> None:
    m = cargo_mix([0.6, 0.4], [30.0, 120.0], parcel_tonnes_per_call=[2000.0, 5000.0], gt_per_call=[1500.0, 3000.0],
                  tariff_idr_per_tonne=[80000.0, 40000.0], variable_cost_idr_per_tonne=[30000.0, 15000.0],
                  dwell_days=[10.0, 20.0], stacking_density_tonnes_per_m2=[1.0, 4.0])
    # a tonne needs 0.6/30 + 0.4/120 = 0.02333 berth-hours: 42.857 t/h
    assert m.productivity_tonnes_per_hour == pytest.approx(1 / (0.6 / 30 + 0.4 / 120))
    # calls per tonne 0.6/2000 + 0.4/5000 = 0.00038: a mean parcel of 2,631.6 t
    assert m.parcel_tonnes_per_call == pytest.approx(1 / 0.00038)
    # GT-calls per tonne 0.6 x 1500/2000 + 0.4 x 3000/5000 = 0.69: the calls' mean GT 0.69 / 0.00038 = 1,815.8
    assert m.gt_per_call == pytest.approx(0.69 / 0.00038)
    # GT-hours per tonne 0.6 x 1500/30 + 0.4 x 3000/120 = 40: per berth-hour 40 / 0.02333 = 1,714.3
    assert m.gt_per_berth_hour == pytest.approx(40 / (0.6 / 30 + 0.4 / 120))
    assert m.tariff_idr_per_tonne == pytest.approx(64000) and m.variable_cost_idr_per_tonne == pytest.approx(24000)
    # m2-days per tonne 0.6 x 10/1 + 0.4 x 20/4 = 8; mean dwell 14 days, so density 14/8 = 1.75 t/m2
    assert m.dwell_days == pytest.approx(14) and m.stacking_density_tonnes_per_m2 == pytest.approx(1.75)
    # shares are weights: twice the shares, the same mix
    m2 = cargo_mix([1.2, 0.8], [30.0, 120.0])
    assert m2.productivity_tonnes_per_hour == pytest.approx(m.productivity_tonnes_per_hour)


def test_the_mixture_of_berth_times_waits_longer_than_each_type() -> None:
    # calls: 79% at 66.7 h, 21% at 41.7 h (2,000 t at 30 t/h, 5,000 t at 120 t/h), each Erlang-2
    p, h = np.array([0.0003, 0.00008]), np.array([2000 / 30, 5000 / 120])
    w = p / p.sum()
    mean, second = (w * h).sum(), 1.5 * (w * h * h).sum()
    k = mixed_erlang_k(p, h)
    assert k == pytest.approx(1 / (second / mean**2 - 1)) and k < 2
    # one berth: Pollaczek-Khinchine at 0.4, rho (1 + cs2) / (2 (1 - rho))
    assert waiting_time_ratio(1, 0.4, k) == pytest.approx(0.4 * (1 + 1 / k) / (2 * 0.6))
    assert mixed_erlang_k([3.0], [12.0]) == pytest.approx(2.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.05, 1.0), st.floats(10.0, 400.0), st.floats(200.0, 20000.0)), min_size=1, max_size=4))
def test_berth_hours_of_the_mix_are_the_sum_over_the_types(types) -> None:
    shares, prod, parcel = map(list, zip(*types))
    m = cargo_mix(shares, prod, parcel_tonnes_per_call=parcel, gt_per_call=[1000.0] * len(types))
    tonnes = 1e6
    w = np.array(shares) / sum(shares)
    calls = tonnes * w / np.array(parcel)
    hours = calls * np.array(parcel) / np.array(prod)
    assert tonnes / m.productivity_tonnes_per_hour == pytest.approx(hours.sum())  # berth-hours
    assert tonnes / m.parcel_tonnes_per_call == pytest.approx(calls.sum())  # ship calls
    # mean berth time per call = parcel / productivity of the mix
    assert m.parcel_tonnes_per_call / m.productivity_tonnes_per_hour == pytest.approx(hours.sum() / calls.sum())
    assert 0 < mixed_erlang_k(w / np.array(parcel), np.array(parcel) / np.array(prod)) <= 2 + 1e-9


# ---------------------------------------------------------------------------
# the model: capacity, ship time and port dues agree for every type


def test_capacity_ship_time_and_port_dues_of_two_types_by_hand() -> None:
    r = run(default_with(TYPES))
    a = r.annual
    y = list(r.years).index(2035)
    # one berth, 8,760 h; the mix's berth times (66.7 h and 41.7 h a call) give c_s2 = 0.5413, so the allowed wait of
    # half the berth time holds the berth to rho = 2 x 0.5 / (1 + 0.5413 + 2 x 0.5) = 0.3935 (Pollaczek-Khinchine)
    h = np.array([2000 / 30, 5000 / 120])
    w = np.array([0.0003, 0.00008]) / 0.00038
    cs2 = 1.5 * (w * h * h).sum() / (w * h).sum() ** 2 - 1
    occ = 1.0 / (1 + cs2 + 1)
    assert float(a["berth_occupancy_limit"].iloc[y]) == pytest.approx(occ, rel=1e-9)
    prod = 1 / (0.6 / 30 + 0.4 / 120)
    capacity = 8760 * occ * prod  # 147,729 t
    assert float(a["cargo_capacity_tonnes"].iloc[y]) == pytest.approx(capacity, rel=1e-9)
    handled = float(a["cargo_throughput_tonnes"].iloc[y])
    assert handled == pytest.approx(capacity, rel=1e-9)  # demand (393,750 t) is above it
    # each type's calls and berth hours, summed: they fill the berth to exactly the occupancy the capacity counts on
    calls = handled * np.array([0.6, 0.4]) / np.array([2000, 5000])
    berth_hours = (calls * h).sum()
    assert float(a["ship_calls_per_year"].iloc[y]) == pytest.approx(calls.sum(), rel=1e-9)
    assert float(a["berth_time_occupancy"].iloc[y]) == pytest.approx(berth_hours / 8760, rel=1e-9)
    assert float(a["berth_time_occupancy"].iloc[y]) == pytest.approx(occ, rel=1e-9)
    # the wait: half the mean berth time a call
    assert float(a["ship_waiting_hours_per_call"].iloc[y]) == pytest.approx(0.5 * berth_hours / calls.sum(), rel=1e-9)
    # port dues: each type's calls x its GT; berthing: each type's calls x GT x its days at the berth
    assert float(a["volume_port_port_dues_gt"].iloc[y]) == pytest.approx((calls * [1500, 3000]).sum(), rel=1e-9)
    assert float(a["volume_port_berthing_gt_etmal"].iloc[y]) == pytest.approx((calls * [1500, 3000] * h / 24).sum(), rel=1e-9)
    # revenue: no type states a tariff, so the stream's Rp71,000 a tonne holds for all (real prices: the base year's)
    assert float(a["revenue_port_cargo_handling_idr"].iloc[y]) == pytest.approx(handled * 71000, rel=1e-9)


def test_each_types_own_tariff_and_cost_weigh_by_its_tonnes() -> None:
    from feasibility.model.inputs import resolve

    ranged = {"low": 60000, "high": 95000}  # the default's range moves with its tariff to the bagged cargo
    own = {"bagged": dict(TYPES["bagged"], tariff_idr_per_tonne=q(80000) | ranged,
                          variable_cost_idr_per_tonne=q(30000) | {"low": 20000, "high": 45000}),
           "bulk": dict(TYPES["bulk"], tariff_idr_per_tonne=q(40000), variable_cost_idr_per_tonne=q(15000))}
    # what named the stream's tariff now names a type's (scenarios, ranges, the two-way table, the data plan)
    assert DEFAULT_CASE.read_text(encoding="utf-8").count("port.revenue.cargo_handling.tariff_idr_per_tonne") >= 4
    case = default_with(own)
    cargo = next(s for ln in resolve(case).lines for s in ln.streams if s.kind == "cargo_handling")
    # 0.6 x 80,000 + 0.4 x 40,000 = 64,000; 0.6 x 30,000 + 0.4 x 15,000 = 24,000 a tonne
    assert (float(cargo.tariff), float(cargo.unit_cost)) == pytest.approx((64000.0, 24000.0))
    r = run(case)
    y = list(r.years).index(2035)
    handled = float(r.annual["cargo_throughput_tonnes"].iloc[y])
    assert float(r.annual["revenue_port_cargo_handling_idr"].iloc[y]) == pytest.approx(handled * 64000, rel=1e-9)


def test_one_type_with_the_ports_values_is_the_case_without_types() -> None:
    plain = run(default_with({}))
    one = run(default_with({"all": {"label": "general cargo", "share": q(1.0)}}))
    for key in ("fnpv_idr", "enpv_idr", "region_npv_idr"):
        assert float(one.metrics[key]) == pytest.approx(float(plain.metrics[key]), rel=1e-12)
    np.testing.assert_allclose(one.annual["ship_waiting_hours_per_call"], plain.annual["ship_waiting_hours_per_call"], rtol=1e-12)
    np.testing.assert_allclose(one.annual["volume_port_berthing_gt_etmal"], plain.annual["volume_port_berthing_gt_etmal"], rtol=1e-12)


def test_a_faster_type_lifts_the_capacity() -> None:
    fast = dict(TYPES, bulk=dict(TYPES["bulk"], productivity_tonnes_per_hour=q(240)))
    slow, quick = run(default_with(TYPES)), run(default_with(fast))
    assert float(quick.annual["cargo_capacity_tonnes"].iloc[5]) > float(slow.annual["cargo_capacity_tonnes"].iloc[5])


# ---------------------------------------------------------------------------
# rules


def _problems(types: dict[str, object], **port: object) -> str:
    d = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    d["port"]["revenue"]["cargo_handling"]["cargo_types"] = types
    for k, v in port.items():
        if v is None:
            d["port"]["capacity"].pop(k, None)
        else:
            d["port"]["capacity"][k] = v
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    return str(err.value)


def test_shares_must_sum_to_one_and_missing_ship_values_are_named() -> None:
    bad = {"bagged": dict(TYPES["bagged"], share=q(0.5)),
           "bulk": {k: v for k, v in TYPES["bulk"].items() if k not in ("parcel_tonnes_per_call",)} | {"dwell_days": q(5)}}
    text = _problems(bad, parcel_tonnes_per_call=None)
    assert "port.revenue.cargo_handling.cargo_types: shares must sum to 1 (the stream's whole tonnage), got 0.9 (bagged 0.5, bulk 0.4)" in text
    assert "port.revenue.cargo_handling.cargo_types.bulk.parcel_tonnes_per_call: is missing" in text
    assert "port.revenue.cargo_handling.cargo_types.bulk.dwell_days" not in text  # the port has a yard: a type's own dwell is fine


def test_a_tariff_is_the_streams_or_every_types_own() -> None:
    d = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    ch = d["port"]["revenue"]["cargo_handling"]
    ch["cargo_types"] = {"a": {"label": "a", "share": q(0.5), "tariff_idr_per_tonne": q(1000), "variable_cost_idr_per_tonne": q(10)},
                         "b": {"label": "b", "share": q(0.5), "tariff_idr_per_tonne": q(2000)}}
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    text = str(err.value)
    # every type gives a tariff: the stream's Rp71,000 would not be used
    assert "port.revenue.cargo_handling.tariff_idr_per_tonne: is not used: every cargo type gives its own" in text
    # one type's variable cost without the other's: the stream's would hold for b only
    assert "port.revenue.cargo_handling.cargo_types.b.variable_cost_idr_per_tonne: is missing: give every cargo type its own" in text
    # neither the stream nor a type gives a tariff: required, named with the schema's other problems
    del ch["tariff_idr_per_tonne"], ch["cargo_types"]
    ch["tarif"] = 5
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    assert "port.revenue.cargo_handling.tariff_idr_per_tonne: is required but missing (or give each cargo type its own)" in str(err.value)
    assert "port.revenue.cargo_handling.tarif: unknown key" in str(err.value)


def test_cargo_types_outside_the_port_are_refused() -> None:
    d = tomllib.loads(PROOF.read_text(encoding="utf-8"))
    d["port"]["revenue"]["more_cargo"] = {"kind": "cargo_handling", "volume_tonnes": q(1000), "tariff_idr_per_tonne": q(1000),
                                         "cargo_types": {"a": {"label": "a", "share": q(1.0)}}}
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=PROOF.parent)
    assert "port.revenue.more_cargo.cargo_types: split the port's only cargo-handling stream" in str(err.value)


# ---------------------------------------------------------------------------
# the workbook writes the mix as formulas


def test_libreoffice_recomputes_a_case_with_cargo_types(tmp_path) -> None:
    """The proof case with two cargo types (one taking the port's productivity), ship calls and berthing dues:
    LibreOffice recomputes every line and metric to the model's."""
    import math

    from test_workbook import _check_annual, _intermediate, _metrics, _sheet, recompute

    from feasibility.present.workbook import write_workbook

    d = tomllib.loads(PROOF.read_text(encoding="utf-8"))
    d["port"]["capacity"].update(parcel_tonnes_per_call=q(3000), gt_per_call=q(2500))
    d["port"]["capacity"]["expansion"]["phases"]["second_berth"]["berths"] = 1  # the waiting time counts the berths in service
    d["port"]["revenue"]["cargo_handling"]["cargo_types"] = {
        "bagged": {"label": "bagged", "share": q(0.7), "parcel_tonnes_per_call": q(2000), "gt_per_call": q(1500),
                   "tariff_idr_per_tonne": q(120000), "dwell_days": q(12), "stacking_density_tonnes_per_m2": q(1.5)},
        "bulk": {"label": "bulk", "share": q(0.3), "productivity_tonnes_per_hour": q(150), "tariff_idr_per_tonne": q(60000)},
    }
    del d["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]  # each type has its own; the stream's variable cost is all's
    d["port"]["revenue"]["berthing"] = {"kind": "berthing", "volume_from": "ship_calls", "tariff_idr_per_gt_etmal": q(300)}
    case = parse_case(d, base_dir=PROOF.parent)
    res = run(case)
    xlsx = write_workbook(case, tmp_path / "w.xlsx", lang="en")
    book = recompute(xlsx, tmp_path)
    n_formulas, _ = _check_annual(xlsx, book, res, "en", _intermediate(case, {}))
    assert n_formulas > 20 * len(res.years)
    got = _metrics(book, "en")
    for key in ("fnpv_idr", "equity_npv_idr", "region_npv_idr"):
        want = float(res.metrics[key])
        assert not math.isnan(want) and got[key] == pytest.approx(want, rel=1e-9), key
    rows = {r[1].value: r for r in _sheet(xlsx, "en", "sheet_annual", formulas=True).iter_rows(min_row=3) if r[1].value}
    # the berth capacity's formula names each type's share and productivity, not a pasted mix
    cell = rows["berth_capacity_base_tonnes"][3 + 5].value
    assert "cargo_types_bagged_share" in cell and "cargo_types_bulk_productivity_tonnes_per_hour" in cell


# ---------------------------------------------------------------------------
# the report states the mix by hand


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_report_states_each_type_and_the_mix(lang) -> None:
    from feasibility.present.i18n import Formatter
    from feasibility.present.report import technical
    from feasibility.study import build_study

    case = default_with(TYPES)
    study = build_study(case, "", source_name="types.toml", base_dir=DEFAULT_CASE.parent, iterations=0)
    text = technical.technical(study, Formatter(lang)).intro
    if lang == "en":
        # 8,760 h x 39.35% x 42.86 t/h = 147,729 t; 2,000 t at 30 t/h = 66.7 h, 5,000 t at 120 t/h = 41.7 h
        assert "One berth handles at most 147,729 t a year: 8,760 hours a year × 39.35% occupancy × 42.86 t an hour" in text
        # calls: 0.6/2,000 and 0.4/5,000 a tonne, 79% and 21% of them; c_s2 = 0.54 (see the capacity test)
        assert ("bagged cargo, 60% of the tonnes handled, at 30 t an hour, 2,000 t a call (66.7 hours at the berth; "
                "79% of the calls)") in text
        assert "dry bulk, 40% of the tonnes handled, at 120 t an hour, 5,000 t a call (41.7 hours at the berth; 21% of the calls)" in text
        assert "(squared coefficient of variation 0.54, against 0.5 for Erlang-2)" in text
        assert "handles 42.86 t an hour on average" in text
        assert "their mix more spread out (M/G/c, Allen-Cunneen)" in text and "Erlang-2 service times, UNCTAD" not in text
    else:
        assert "147.729 ton per tahun" in text and "42,86 ton per jam" in text and "66,7 jam di tambatan" in text


def test_a_types_inputs_are_named_by_the_type() -> None:
    from feasibility.present.labels import group_title, short_label

    case = default_with(TYPES)
    path = "port.revenue.cargo_handling.cargo_types.bulk.productivity_tonnes_per_hour"
    assert short_label(case, path, "en") == "Dry bulk: gross handling productivity of this type per berth-hour"
    assert group_title(case, path, "id") == "Terminal pelabuhan (BUP) › Bongkar muat (kargo umum) › jenis kargo › dry bulk"


# ---------------------------------------------------------------------------
# the studio shows each type's inputs where a consultant looks for them


def test_the_studio_shows_each_types_inputs_and_follows_them(tmp_path) -> None:
    from feasibility import evaluate
    from feasibility.studio import Studio, tab_of

    case = default_with(TYPES)
    studio = Studio(case, lang="en", chart_workers=0, draw_charts=False, save_dir=tmp_path, reports_dir=tmp_path)
    try:
        bulk = "port.revenue.cargo_handling.cargo_types.bulk.productivity_tonnes_per_hour"
        share = "port.revenue.cargo_handling.cargo_types.bagged.share"
        assert tab_of(bulk) == "capex" and tab_of(share) == "demand"
        assert bulk in studio.widgets and share in studio.widgets
        # faster bulk handling: more capacity, a different FNPV, the one evaluate gives
        assert studio.enter(bulk, "240") is None
        want = evaluate(case, {bulk: 240.0}).metrics["fnpv_idr"]
        assert studio.metrics["fnpv_idr"] == pytest.approx(want, rel=1e-12)
        assert want != pytest.approx(evaluate(case).metrics["fnpv_idr"], rel=1e-6)
    finally:
        studio.close()


# ---------------------------------------------------------------------------
# a market share per commodity (issue 21, item 4)


def default_with_captures(bagged: float = 0.75, bulk: float = 0.5):
    """The default case whose two cargo types each state the share of their contestable cargo the port wins."""
    return default_with({
        "bagged": dict(TYPES["bagged"], capture_share=q(bagged) | {"low": 0.5, "high": 1.0}),
        "bulk": dict(TYPES["bulk"], capture_share=q(bulk)),
    })


def test_a_capture_share_per_type_sets_the_cargo_won_and_its_mix() -> None:
    from feasibility.analysis.breakeven import companies_volume

    case = default_with_captures()
    # 150 x 20,000 t x (1 - 0.3) x (1 - 0.75) = 525,000 t contestable: bagged 60% x 0.75 = 236,250 t, bulk 40% x 0.5 = 105,000 t
    assert companies_volume(case, "port", "cargo_handling") == pytest.approx(341_250)
    r = run(case)
    assert float(r.metrics["cargo_build_up_share_of_reference"]) == pytest.approx(341_250 / 2_800_000)
    # the port's mix is what it wins: 69.2% bagged, 30.8% bulk, so 1 / (0.6923/30 + 0.3077/120) = 39.0 t/h
    w = np.array([236_250, 105_000]) / 341_250
    prod = 1 / (w[0] / 30 + w[1] / 120)
    calls = w / np.array([2000, 5000])
    h = np.array([2000 / 30, 5000 / 120])
    p = calls / calls.sum()
    cs2 = 1.5 * (p * h * h).sum() / (p * h).sum() ** 2 - 1
    occ = 1.0 / (1 + cs2 + 1)  # one berth, half the berth time's wait (Pollaczek-Khinchine)
    assert float(r.annual["cargo_capacity_tonnes"].iloc[8]) == pytest.approx(8760 * occ * prod, rel=1e-9)
    # a type's capture share moves the cargo as the hand formula says: bulk at 0.75 wins 52,500 t more
    assert companies_volume(default_with_captures(bulk=0.75), "port", "cargo_handling") == pytest.approx(393_750)


def test_capture_shares_are_every_types_or_the_build_ups() -> None:
    d = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    ch = d["port"]["revenue"]["cargo_handling"]
    ch["cargo_types"] = {"a": {"label": "a", "share": q(0.5), "capture_share": q(0.5)}, "b": {"label": "b", "share": q(0.5)}}
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    assert ("port.revenue.cargo_handling.cargo_types.b.capture_share: is missing: give every cargo type its own (as a do) or none, "
            "and then port.revenue.cargo_handling.build_up.capture_share for all") in str(err.value)
    ch["cargo_types"]["b"]["capture_share"] = q(0.6)
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    assert "port.revenue.cargo_handling.build_up.capture_share: is not used: every cargo type gives its own" in str(err.value)
    del ch["build_up"]["capture_share"], ch["cargo_types"]
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    assert "port.revenue.cargo_handling.build_up.capture_share: is required but missing (or give each cargo type its own)" in str(err.value)


def test_libreoffice_recomputes_the_capture_shares_per_type(tmp_path) -> None:
    import math

    from test_workbook import _check_annual, _intermediate, _metrics, recompute

    from feasibility.present.workbook import write_workbook

    case = default_with_captures()
    res = run(case)
    xlsx = write_workbook(case, tmp_path / "w.xlsx", lang="id", iterations=0)
    book = recompute(xlsx, tmp_path)
    n_formulas, _ = _check_annual(xlsx, book, res, "id", _intermediate(case, {}))
    assert n_formulas > 20 * len(res.years)
    got = _metrics(book, "id")
    for key in ("fnpv_idr", "region_npv_idr"):
        want = float(res.metrics[key])
        assert not math.isnan(want) and got[key] == pytest.approx(want, rel=1e-9), key


def test_the_studio_build_up_shows_each_types_capture() -> None:
    from feasibility.studio.panels import DemandPanel

    panel = DemandPanel(default_with_captures(), lang="en")
    text = panel.buildup.value
    # bagged: 60% of the 525,000 t contestable x 0.75 = 236,250 t; bulk 40% x 0.5 = 105,000 t; together 65% = 341,250 t
    assert "bagged cargo: 60.0% of it × its capture share 75.0%" in text and "236,250" in text
    assert "dry bulk: 40.0% of it × its capture share 50.0%" in text and "105,000" in text
    assert "× capture share 65.0%" in text and "341,250" in text


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_report_states_the_market_share_of_each_type(lang) -> None:
    from feasibility.present.i18n import Formatter
    from feasibility.present.report.market import market_intro
    from feasibility.study import build_study

    study = build_study(default_with_captures(), "", source_name="types.toml", base_dir=DEFAULT_CASE.parent, iterations=0)
    text = market_intro(study, Formatter(lang))
    if lang == "en":
        # 0.6 x 75% + 0.4 x 50% = 65%; the build-up 341,250 t = 12.2% of Cigading's 2.8 Mt of general cargo
        assert ("stated per cargo type: bagged cargo, 60% of the cargo, of which it wins 75%; dry bulk, 40% of the cargo, "
                "of which it wins 50%; weighted by tonnes, 65.0%.") in text
        assert "(341,250 t a year) would equal 12.2% of" in text
    else:
        assert "rata-rata tertimbang menurut tonase: 65,0%" in text and "341.250 ton per tahun" in text
        assert "bagged cargo, 60% dari kargo, dan pelabuhan meraih 75% di antaranya" in text


def test_the_studio_says_when_the_types_shares_no_longer_sum_to_one(tmp_path) -> None:
    from feasibility.studio import Studio

    studio = Studio(default_with(TYPES), lang="en", chart_workers=0, draw_charts=False, save_dir=tmp_path, reports_dir=tmp_path)
    try:
        assert "cargo types' shares" not in studio.status.value
        assert studio.enter("port.revenue.cargo_handling.cargo_types.bagged.share", "0.7") is None
        assert "port.revenue.cargo_handling.cargo_types: the cargo types&#x27; shares sum to 110.0%, not 100%" in studio.status.value
        assert studio.enter("port.revenue.cargo_handling.cargo_types.bulk.share", "0.3") is None
        assert "cargo types&#x27; shares" not in studio.status.value
    finally:
        studio.close()


def test_the_ports_values_are_every_types_or_the_ports() -> None:
    d = prepared(TYPES)
    d["port"]["capacity"]["gt_per_call"] = q(2000)  # every type gives its own GT: the port's would not be used
    del d["port"]["capacity"]["yard"]["dwell_days"]  # no type gives a dwell time: the yard's is needed
    with pytest.raises(CaseError) as err:
        parse_case(d, base_dir=DEFAULT_CASE.parent)
    text = str(err.value)
    assert "port.capacity.gt_per_call: is not used: every cargo type gives its own" in text
    assert "port.capacity.yard.dwell_days: is required but missing (or give each cargo type its own)" in text
    # with a dwell time for each type, the yard needs none
    d["port"]["capacity"].pop("gt_per_call")
    for t, days in zip(d["port"]["revenue"]["cargo_handling"]["cargo_types"].values(), (10, 20)):
        t["dwell_days"] = q(days)
    parse_case(d, base_dir=DEFAULT_CASE.parent)


def test_the_technical_section_gives_the_shares_handled_with_capture_shares() -> None:
    from feasibility.present.i18n import Formatter
    from feasibility.present.report import technical
    from feasibility.study import build_study

    study = build_study(default_with_captures(), "", source_name="types.toml", base_dir=DEFAULT_CASE.parent, iterations=0)
    text = technical.technical(study, Formatter("en")).intro
    # handled: 236,250 t bagged and 105,000 t bulk of 341,250 t: 69.2% and 30.8%; 1 / (0.6923/30 + 0.3077/120) = 39.00 t/h
    assert "bagged cargo, 69.2% of the tonnes handled, at 30 t an hour" in text and "dry bulk, 30.8% of the tonnes handled" in text
    assert "handles 39.00 t an hour on average" in text
