"""The consultant studio driven in-process: widgets, cards, charts, scenarios, the report, the risk panel."""

import html
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from feasibility import evaluate, load_case, parse_case, run
from feasibility.analysis.criteria import assess, verdict
from feasibility.analysis.risk import simulate
from feasibility.present.i18n import Formatter, catalog
from feasibility.studio import (
    CARD_METRICS,
    TABS,
    UNBOUNDED,
    RiskPanel,
    Studio,
    save_case,
    tab_of,
    widget_limits,
)
from feasibility.studio.inputs import limits

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
CAPTURE = "port.revenue.cargo_handling.build_up.capture_share"
RAMP = "port.revenue.cargo_handling.ramp_up"


@pytest.fixture(scope="module")
def case():
    return load_case()


@pytest.fixture
def studio(case, tmp_path):
    # the "Save as" and "Report file" boxes write into these folders only
    s = Studio(case, lang="en", chart_workers=0, draw_charts=False, save_dir=tmp_path, reports_dir=tmp_path)  # the chart tests make their own
    yield s
    s.close()


def card_value(card) -> str:
    """The big number of a card, as a person reads it."""
    m = re.search(r'class="fs-value"[^>]*>(.*?)</div>', card.value)
    assert m, card.value
    return html.unescape(m.group(1))


# ---------------------------------------------------------------------------
# inputs


def test_every_tab_has_inputs_and_the_tariff_is_under_tariffs(studio):
    tabs = {p: tab_of(p) for p in studio.widgets}
    assert set(tabs.values()) == set(TABS)
    assert tabs[TARIFF] == "tariffs"
    assert tabs[CAPTURE] == "demand" and tabs[RAMP] == "demand"
    assert tabs["port.capex.wharf.amount_idr"] == "capex"
    assert tabs["port.opex.staff.amount_idr_per_year"] == "opex"
    assert tabs["port.revenue.cargo_handling.variable_cost_idr_per_tonne"] == "opex"
    assert tabs["financing.loans.regional_bank.interest_rate"] == "financing"
    assert tabs["tax.corporate_income_tax_rate"] == "tax"
    assert tabs["bumd.allocation.dividend_payout"] == "tax"
    assert not [p for p in studio.widgets if p.startswith("economic.")]
    assert len(studio.tabs.children) == len(TABS)
    assert [studio.tabs.get_title(i) for i in range(len(TABS))][:2] == ["Demand", "Tariffs"]


def test_widget_limits_are_the_schema_bounds(studio, case):
    qmap = case.quantity_map()
    checked = 0
    for path, w in studio.widgets.items():
        q = qmap[path]
        ge, le, gt, lt = type(q).bounds
        lo = ge if ge is not None else float(np.nextafter(gt, np.inf)) if gt is not None else -UNBOUNDED
        hi = le if le is not None else float(np.nextafter(lt, -np.inf)) if lt is not None else UNBOUNDED
        assert widget_limits(q) == (lo, hi)
        field_lo, field_hi = limits(case, path, q)  # what a field accepts (a typed value beyond is refused)
        if path == "bumd.ownership_share_region":  # a perseroda: PP 54/2017 asks at least 51 %, inside the schema's (0, 1]
            assert (field_lo, field_hi) == (0.51, 1.0) and lo <= field_lo and field_hi <= hi
        else:
            assert (field_lo, field_hi) == (lo, hi), path
        assert not type(q).outside(field_lo) and not type(q).outside(field_hi)
        checked += len(studio.elements.get(path, [w]))
        if path in studio.sliders:
            s = studio.sliders[path]
            assert lo <= s.min <= s.value <= s.max <= hi, path
            if q.low is not None:  # the slider spans the declared range (to within a step)
                assert q.low <= s.min < q.low + s.step and q.high - s.step < s.max <= q.high, path
    assert checked > 60
    assert limits(case, TARIFF, qmap[TARIFF]) == (0, UNBOUNDED)
    assert limits(case, "tax.corporate_income_tax_rate", qmap["tax.corporate_income_tax_rate"])[1] == 0.6
    assert limits(case, "port.capacity.max_berth_occupancy", qmap["port.capacity.max_berth_occupancy"])[0] > 0  # gt=0


def test_labels_carry_description_unit_and_provenance(studio):
    row = studio._labels[TARIFF].value
    assert "Tariff, base-year prices" in row and "[IDR per tonne]" in row
    assert "Tanjung Priok" in row and "secondary" in row  # the tooltip: source and confidence


def test_a_value_the_validator_rejects_is_refused_with_a_message_never_changed(studio):
    tax = "tax.corporate_income_tax_rate"
    msg = studio.enter(tax, "22")  # a percentage typed where a fraction is asked
    assert msg is not None and "at most 0.6" in msg and "type 0.22 or 22%" in msg
    assert studio.value(tax) == 0.22 and studio.widgets[tax].value == "22"  # the model keeps 0.22; the field shows what was typed
    assert "fs-invalid" in studio.widgets[tax]._dom_classes and "1 entry(ies) refused" in studio.status.value
    assert "at most 0.6" in studio.messages[tax].value
    assert studio.enter(tax, "10%") is None and studio.value(tax) == pytest.approx(0.10)
    assert studio.widgets[tax].value == "0.1" and "fs-invalid" not in studio.widgets[tax]._dom_classes
    assert studio.enter(TARIFF, "-5000") is not None and studio.value(TARIFF) == 71_000  # never silently 0
    assert "refused" in studio.messages[TARIFF].value and "at least 0" in studio.messages[TARIFF].value
    for bad in ("", "abc", "71.000", "1e400", "5%"):  # empty, words, ambiguous in English, not finite, a per cent for a tariff
        assert studio.enter(TARIFF, bad) is not None, bad
        assert studio.value(TARIFF) == 71_000
    with pytest.raises(ValueError, match="must be >= 0"):
        studio.set(TARIFF, -1)
    with pytest.raises(ValueError):
        studio.set("bumd.ownership_share_region", 0.3)  # a perseroda keeps 51 %
    with pytest.raises(KeyError):
        studio.set("economic.social_discount_rate", 0.05)
    assert studio.problem is None  # every value the studio ran was accepted by the model


# ---------------------------------------------------------------------------
# cards


def test_changing_the_tariff_changes_the_fnpv_card_to_what_evaluate_gives(studio, case):
    fmt = Formatter("en")
    before = card_value(studio.cards["fnpv"])
    assert before == fmt.money(evaluate(case).metrics["fnpv_idr"])
    assert studio.enter(TARIFF, "85,000") is None  # as a person types it in English
    expected = evaluate(case, {TARIFF: 85_000}).metrics["fnpv_idr"]
    assert card_value(studio.cards["fnpv"]) == fmt.money(expected) != before
    assert studio.metrics["fnpv_idr"] == pytest.approx(expected, rel=1e-12)
    assert studio.overrides() == {TARIFF: 85_000.0}
    full = run(case, {TARIFF: 85_000}).metrics
    for k in CARD_METRICS:
        assert studio.metrics[k] == pytest.approx(full[k], rel=1e-12, nan_ok=True), k
    # the slider follows the text field
    assert studio.sliders[TARIFF].value == 85_000
    assert "1 input(s) changed" in studio.status.value


def test_moving_the_slider_changes_the_text_field_and_the_cards(studio, case):
    before = studio.metrics["fnpv_idr"]
    s = studio.sliders[TARIFF]
    s.value = s.value + 10 * s.step
    assert studio.value(TARIFF) == pytest.approx(71_000 + 10 * s.step)
    assert studio.widgets[TARIFF].value == Formatter("en").number(71_000 + 10 * s.step)
    assert studio.metrics["fnpv_idr"] == pytest.approx(run(case, {TARIFF: 71_000 + 10 * s.step}).metrics["fnpv_idr"], rel=1e-12)
    assert studio.metrics["fnpv_idr"] > before


def test_a_typed_value_off_the_slider_grid_is_kept_when_the_browser_snaps_the_slider(studio):
    s = studio.sliders[TARIFF]
    assert studio.enter(TARIFF, "63,900") is None
    snapped = s.min + round((63_900 - s.min) / s.step) * s.step  # what the browser's slider sends back: up to half a step away
    s.value = snapped
    assert studio.value(TARIFF) == 63_900 and studio.widgets[TARIFF].value == "63,900"
    assert studio.undo() and studio.overrides() == {}  # one change, undone at once


def test_a_browser_snapping_a_slider_to_its_grid_changes_nothing(studio):
    path = "region.discount_rate_nominal"  # 0.06617: a value with more digits than the slider's step
    s = studio.sliders[path]
    s.value = s.value + s.step * 1e-6  # the float noise of min + k * step in the browser
    assert studio.overrides() == {}


def test_a_value_beyond_the_slider_pins_it_at_its_end_and_is_kept(studio):
    s = studio.sliders[TARIFF]
    span = (s.min, s.max, s.step)
    studio.set(TARIFF, 120_000)  # beyond the declared high of 85,000, allowed by the schema
    assert (s.min, s.max, s.step) == span and s.value == s.max  # the slider keeps its grid: the browser has nothing to re-snap
    s.value = s.max  # the browser sending back the value it shows
    assert studio.value(TARIFF) == 120_000 and studio.widgets[TARIFF].value == "120,000"
    s.value = s.max - s.step  # a person drags it one step down
    assert studio.value(TARIFF) == s.max - s.step


def test_a_scenario_value_below_the_slider_is_not_changed_by_the_slider(studio):
    path = "lab.revenue.lab_tests.build_up.capture_share"  # low 0.1667, the slider's grid starts at 0.1673
    s = studio.sliders[path]
    studio.apply_scenario("low")
    assert studio.value(path) == 0.1667 and s.value == s.min  # shown at the slider's end
    s.value = s.min  # the browser's echo: before the fix, the widened slider re-snapped and sent 0.3327
    assert studio.value(path) == 0.1667 and len(studio.overrides()) == 3


def test_the_cards_say_firr_dscr_pad_and_a_verdict(studio, case):
    m = run(case).metrics
    fmt = Formatter("en")
    # the default's flows never recover the outlay: no IRR, and the card says so in words
    firr = fmt.percent(m["firr"]) if np.isfinite(m["firr"]) else catalog("en")["studio"]["card_firr_none"]
    assert card_value(studio.cards["firr"]) == f"{firr} vs {fmt.percent(m['wacc'])}"
    assert card_value(studio.cards["dscr"]) == fmt.number(m["dscr_min"], 2)
    assert card_value(studio.cards["pad"]) == fmt.money(m["region_pv_dividends_idr"])
    assert fmt.money(m["public_money_pv_idr"]) in html.unescape(studio.cards["pad"].value)
    criteria = assess(case, m)  # the council report's verdict, without a Monte Carlo
    n_fail = sum(c.passed is False for c in criteria)
    assert verdict(criteria) == "not_feasible" and n_fail >= 1
    assert card_value(studio.cards["verdict"]) == f"Not feasible: {n_fail} of {len(criteria)} criteria fail"
    studio.set(TARIFF, 1_000_000)
    assert studio.metrics["fnpv_idr"] > 0
    # an absurd tariff does not make it feasible: the cargo is diverted from other ports, so its tariff is a transfer
    # and the economy does not gain (ENPV < 0); and the Monte Carlo is not run here
    assert not card_value(studio.cards["verdict"]).startswith("Feasible")


def test_list_inputs(studio, case):
    studio.set(RAMP, [0.4, 0.6, 0.8, 0.9])
    assert studio.overrides() == {RAMP: [0.4, 0.6, 0.8, 0.9]}
    assert studio.metrics["fnpv_idr"] == pytest.approx(run(case, {RAMP: [0.4, 0.6, 0.8, 0.9]}).metrics["fnpv_idr"], rel=1e-12)
    with pytest.raises(ValueError):
        studio.set(RAMP, [0.4, 0.6])
    with pytest.raises(ValueError):
        studio.set(RAMP, [0.4, 0.6, 0.8, 1.5])


def test_indonesian_studio(case):
    s = Studio(case, lang="id", chart_workers=0, draw_charts=False)
    try:
        assert card_value(s.cards["fnpv"]) == Formatter("id").money(run(case).metrics["fnpv_idr"])
        assert "Rp" in card_value(s.cards["fnpv"]) and "Rp " not in card_value(s.cards["fnpv"])
        assert s.tabs.get_title(1) == "Tarif"
        criteria = assess(case, run(case).metrics)
        n_fail = sum(c.passed is False for c in criteria)
        assert card_value(s.cards["verdict"]) == f"Tidak layak: {n_fail} dari {len(criteria)} kriteria tidak terpenuhi"
        assert card_value(s.cards["firr"]).count(" dibanding ") == 1
    finally:
        s.close()


# ---------------------------------------------------------------------------
# charts


def chart_gen(chart) -> int:
    m = re.search(r'data-gen="(\d+)"', chart.value)
    return int(m.group(1)) if m else -1


def test_charts_follow_the_inputs_in_worker_processes(case):
    s = Studio(case, lang="en")  # default: charts drawn by worker processes
    try:
        assert s.wait_charts(120)
        first = {k: c.value for k, c in s.charts.items()}
        assert all("<svg" in v for v in first.values())
        s.set(TARIFF, 85_000)
        assert s.wait_charts(60)
        assert all(chart_gen(c) == s._gen for c in s.charts.values())
        assert s.charts["cash"].value != first["cash"]
        assert "Project free cash flow" in s.charts["cash"].value
        assert "Lender" in s.charts["dscr"].value  # the threshold line is labelled
    finally:
        s.close()


def test_charts_drawn_in_a_thread_without_workers(case):
    studio = Studio(case, lang="en", chart_workers=0)
    try:
        assert studio.wait_charts(60)
        studio.set(TARIFF, 60_000)
        assert studio.wait_charts(60)
        assert {chart_gen(c) for c in studio.charts.values()} == {studio._gen}
        assert studio._charts.error is None
    finally:
        studio.close()


def test_a_studio_without_charts_draws_none(studio):
    studio.set(TARIFF, 60_000)
    assert studio.wait_charts(1) and studio.chart_grid.layout.display == "none"
    assert all("svg" not in c.value for c in studio.charts.values())


# ---------------------------------------------------------------------------
# scenarios


def test_saving_a_scenario_writes_a_valid_case_that_round_trips(studio, case, tmp_path):
    studio.set(TARIFF, 90_000)  # beyond the declared high: the range is widened
    studio.set(CAPTURE, 0.6)
    metrics = dict(studio.metrics)
    target = tmp_path / "scenarios" / "higher_tariff.toml"
    studio.save_dir = tmp_path / "scenarios"  # made when the first file is saved
    studio.save_path.value = "higher_tariff"  # a plain name: .toml added
    studio.save_button.click()
    assert target.exists(), studio.save_status.value
    assert "Saved" in studio.save_status.value
    saved = load_case(target)
    q = saved.quantity(TARIFF)
    assert q.value == 90_000 and q.confidence == "estimate"
    assert re.fullmatch(r"studio: changed from 71000 on \d{4}-\d{2}-\d{2}", q.source)
    assert "Tanjung Priok" in q.note and "secondary" in q.note  # the old provenance is kept
    assert q.low == 55_000 and q.high == 90_000 and "range widened" in q.note
    # every other quantity keeps its value and provenance
    for path, q0 in case.quantity_map().items():
        if path in (TARIFF, CAPTURE):
            continue
        q1 = saved.quantity(path)
        assert (q1.value, q1.source, q1.confidence, q1.year, q1.note, q1.low, q1.high) == (
            q0.value, q0.source, q0.confidence, q0.year, q0.note, q0.low, q0.high
        ), path
    # loading it gives the studio's numbers
    again = run(saved, metrics=list(CARD_METRICS)).metrics
    for k in CARD_METRICS:
        assert again[k] == pytest.approx(metrics[k], rel=1e-12, nan_ok=True), k
    # the saved file is now the studio's case: nothing changed from it, two changes from the base
    assert studio.case_path == target and studio.overrides() == {}
    assert set(studio.differences()["path"]) == {TARIFF, CAPTURE}
    assert sorted(f.name for f in target.parent.iterdir()) == ["higher_tariff.toml"]  # no temporary file left


def test_saving_never_overwrites_without_the_box_ticked(studio, tmp_path):
    target = tmp_path / "mine.toml"
    target.write_text("# someone's notes\n", encoding="utf-8")
    studio.set(TARIFF, 80_000)
    studio.save_path.value = "mine.toml"
    assert studio.overwrite.value is False
    studio.save_button.click()
    assert target.read_text(encoding="utf-8") == "# someone's notes\n"
    assert "exists" in studio.save_status.value and "overwrite existing file" in html.unescape(studio.save_status.value)
    with pytest.raises(FileExistsError):
        studio.save(target)
    studio.overwrite.value = True
    studio.save_button.click()
    assert load_case(target).quantity(TARIFF).value == 80_000
    assert studio.overwrite.value is False  # each replacement is its own choice
    studio.set(TARIFF, 81_000)
    studio.save_button.click()  # the same name again: refused until the box is ticked again
    assert load_case(target).quantity(TARIFF).value == 80_000


def test_differences_table(studio, case):
    assert studio.differences().empty
    assert "No differences" in studio.diff.value
    studio.set(TARIFF, 80_000)
    studio.set(RAMP, [0.4, 0.6, 0.8, 0.9])
    df = studio.differences()
    assert list(df.columns) == ["path", "base_value", "this_value", "unit"]
    rows = {r.path: r for r in df.itertuples()}
    assert set(rows) == {TARIFF, RAMP}
    assert rows[TARIFF].base_value == 71_000 and rows[TARIFF].this_value == 80_000 and rows[TARIFF].unit == "IDR per tonne"
    assert rows[RAMP].base_value == [0.3, 0.5, 0.7, 0.85] and rows[RAMP].this_value == [0.4, 0.6, 0.8, 0.9]
    shown = html.unescape(studio.diff.value)
    # labels and formatted values, not configuration paths
    assert TARIFF not in shown and "tariff, base-year prices" in shown and "71,000" in shown and "80,000" in shown and "IDR per tonne" in shown
    studio.reset_button.click()
    assert studio.differences().empty and studio.overrides() == {}


def test_loading_a_case(studio):
    studio.load_path.value = "tests/cases/hand_case.toml"
    studio.load_button.click()
    hand = load_case(HAND)
    assert studio.case_path == HAND and "Loaded" in studio.load_status.value
    assert set(studio.widgets) == {p for p, _ in hand.quantities() if tab_of(p)}
    assert studio.metrics["fnpv_idr"] == pytest.approx(run(hand).metrics["fnpv_idr"], rel=1e-12)
    df = studio.differences()  # against the base case (Kota Serang)
    assert "port.revenue.cargo_handling.volume_tonnes" in set(df["path"])  # only in the hand case
    studio.set("port.revenue.cargo_handling.tariff_idr_per_tonne", 12.0)
    assert studio.metrics["fnpv_idr"] == pytest.approx(
        run(hand, {"port.revenue.cargo_handling.tariff_idr_per_tonne": 12.0}).metrics["fnpv_idr"], rel=1e-12
    )
    studio.load_path.value = "tests/cases/no_such_case.toml"
    studio.load_button.click()
    assert "Not loaded" in studio.load_status.value and studio.case_path == HAND


# ---------------------------------------------------------------------------
# the council report


def test_export_button_writes_the_report_of_the_current_assumptions(studio, tmp_path):
    from feasibility.present import report

    assert hasattr(report, "write_report"), "feasibility.present.report.write_report is missing"
    studio.set(TARIFF, 85_000)
    target = tmp_path / "council.en.html"
    studio.export_path.value = "council.en"  # a plain name in the reports folder: .html added
    studio.export_lang.value = "en"
    studio.export_iterations.value = 200
    studio.export_button.click()
    assert target.exists(), studio.export_status.value
    text = target.read_text(encoding="utf-8")
    assert '<meta name="generator" content="feasibility-report' in text
    assert "studio: changed from 71000" in text  # the embedded case file is the studio's scenario
    assert "Report written" in studio.export_status.value
    before = target.stat().st_mtime_ns
    studio.export_button.click()  # the same name again, the box not ticked: refused
    assert "exists" in studio.export_status.value and target.stat().st_mtime_ns == before


# ---------------------------------------------------------------------------
# sensitivity and risk


def test_iteration_boxes_take_what_a_case_file_may_hold():
    # risk.iterations of a case may be 1 to 1,000,000 (the CLI's limits too): the studio's
    # boxes neither refuse nor silently change such a value (they once clamped 50 to 100)
    with HAND.open("rb") as fh:
        data = tomllib.load(fh)
    for n in (1, 50, 1_000_000):
        data["risk"] = {"iterations": n}
        case = parse_case(data, "hand")
        s = Studio(case, lang="en", chart_workers=0, draw_charts=False)
        try:
            assert (s.export_iterations.min, s.export_iterations.max) == (1, 1_000_000)
            assert s.export_iterations.value == n
        finally:
            s.close()
        panel = RiskPanel(case, lang="en", compute=False)
        assert (panel.iterations.min, panel.iterations.max) == (1, 1_000_000)
        assert panel.iterations.value == n


def test_monte_carlo_button_runs_and_moves_the_progress_bar(case):
    panel = RiskPanel(case, lang="en", compute=False)
    seen = []
    panel.progress.observe(lambda ch: seen.append(ch["new"]), names="value")
    panel.iterations.value = 600
    panel.seed.value = 7
    panel.mc_button.click()
    assert panel.progress.max == 600 and panel.progress.value == 600 and panel.progress.bar_style == "success"
    assert len([v for v in seen if 0 < v < 600]) >= 2  # it moved chunk by chunk
    assert seen == sorted(seen)
    assert "P(FNPV &lt; 0)" in panel.mc_summary.value and "<svg" in panel.mc_chart.value
    ref = simulate(case, 600, 7, progress=False)
    for m, v in ref.metrics.items():
        assert np.array_equal(panel.simulation.metrics[m], v, equal_nan=True), m
    assert f"{ref.prob_npv_negative:.1%}" in panel.mc_summary.value


def test_risk_panel_sensitivity(case):
    panel = RiskPanel(case, lang="en")
    assert "<svg" in panel.tornado.value and "<svg" in panel.spider.value and "<svg" in panel.heatmap.value
    assert "cargo handling: tariff" in panel.switching.value
    tor = panel.tornadoes["fnpv_idr"]
    assert tor.table.index[0] in case.quantity_map()
    panel.metric.value = "dscr_min"
    assert "dscr_min" in panel.tornadoes
    panel.two_way_choice.value = 1
    assert "<svg" in panel.heatmap.value


def test_risk_panel_follows_a_studio(studio):
    panel = RiskPanel(studio=studio, compute=False)
    studio.set(TARIFF, 84_000)
    assert panel.current_case().quantity(TARIFF).value == 84_000
    sim = panel.run_monte_carlo(100, 1)
    assert sim.case.quantity(TARIFF).value == 84_000
    assert math.isfinite(float(np.nanmean(sim.metrics["fnpv_idr"])))


def test_notebook_objects_display_their_ui(studio):
    bundle = studio._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_export_report_goes_to_reports_and_replaces_only_its_own_files(monkeypatch, tmp_path):
    import feasibility.present.export as st

    monkeypatch.setattr(st, "REPORTS_DIR", tmp_path)
    mine = tmp_path / "hand_case.en.html"
    mine.write_text("my notes", encoding="utf-8")
    with pytest.raises(FileExistsError):
        st.export_report(HAND, lang="en", iterations=50)
    assert mine.read_text(encoding="utf-8") == "my notes"
    mine.unlink()
    written = st.export_report("tests/cases/hand_case.toml", lang="en", iterations=50)  # relative to the project folder
    assert written == mine and "feasibility-report" in mine.read_text(encoding="utf-8")[:4000]
    assert st.export_report(HAND, lang="en", iterations=50) == mine  # a report of this toolkit: replaced


# ---------------------------------------------------------------------------
# demand


def test_demand_panel_backtests_picks_a_method_and_shows_the_build_up(case):
    from feasibility.domain import demand
    from feasibility.studio import DemandPanel, best_method

    panel = DemandPanel(case, lang="en")
    assert panel.backtest is not None  # a history that can be fitted is shown first
    years, values = panel.series()
    ref = demand.backtest(years, values, k=3, name=Path(panel.history.value).stem)
    assert panel.backtest.equals(ref)
    assert panel.method.value == best_method(ref)
    assert (ref.loc[panel.method.value, "n"] == ref["n"].max()) and ref.loc[panel.method.value, "MASE"] == ref.loc[ref["n"] == ref["n"].max(), "MASE"].min()
    assert "<svg" in panel.chart.value and "\u2605" in panel.backtest_table.value
    first = panel.chart.value
    other = next(m for m in demand.METHODS if m != panel.method.value and ref.loc[m, "n"] > 0)
    panel.method.value = other  # pick another method: its forecast is drawn
    assert type(panel.fitted).__name__ and panel.chart.value != first
    # the case's cargo build-up: 150 x 20,000 t x (1 - 0.3) x (1 - 0.75) x 0.75 = 393,750 t
    shown = html.unescape(panel.buildup.value)
    assert "393,750" in shown and "placeholder" in shown and "Cargo demand (t)" in shown
    bad = next(v for _, v in panel.history.options if "cigading" in v)  # gaps in the years: cannot be fitted
    panel.history.value = bad
    assert panel.backtest is None and "Not fitted" in panel.backtest_table.value and panel.chart.value == ""


def test_a_saved_forecast_case_still_finds_its_history(tmp_path):
    import tomllib

    src = tmp_path / "cases"
    src.mkdir()
    (src / "hist.csv").write_text("year,tonnes\n" + "".join(f"{y},{1000 + 50 * (y - 2010)}\n" for y in range(2010, 2027)), encoding="utf-8")
    data = tomllib.loads(HAND.read_text(encoding="utf-8"))
    st = data["port"]["revenue"]["cargo_handling"]
    del st["volume_tonnes"], st["ramp_up"]
    st["forecast"] = {"history": "hist.csv", "value_column": "tonnes", "method": "rw_drift",
                      "share": {"value": 0.5, "source": "test", "confidence": "placeholder"}}
    case_file = save_case(data, src / "forecast.toml")
    s = Studio(case_file, chart_workers=0)
    try:
        s.set("port.revenue.cargo_handling.forecast.share", 0.6)
        out = s.save(tmp_path / "elsewhere" / "scenario.toml")  # another folder: the history path follows
        saved = load_case(out)
        assert saved.port.revenue["cargo_handling"].forecast.history == "../cases/hist.csv"
        assert run(saved).metrics["fnpv_idr"] == pytest.approx(s.metrics["fnpv_idr"], rel=1e-12)
    finally:
        s.close()


# ---------------------------------------------------------------------------
# the long list of options


def test_options_switch_keep_changes_compare_and_save(studio, case, tmp_path):
    from feasibility import run

    assert studio.option_choice.options[0][1] == "" and len(studio.option_choice.options) == 1 + len(case.options)
    studio.set(TARIFF, 80_000)
    # the lab-only BUMD: its own figures, the port's tariff not kept (it has no port), named in the note
    studio.option_choice.value = "lab_bumd"
    assert studio.option_key == "lab_bumd" and list(studio.case.lines()) == ["lab"]
    assert TARIFF not in studio.widgets and "Not in this option" in studio.option_note.value
    assert studio.metrics["fnpv_idr"] == run(case.option("lab_bumd")).metrics["fnpv_idr"]
    # a BLUD has no BUMD: no allocation or loan inputs
    studio.use_option("lab_blud")
    assert not [p for p in studio.widgets if p.startswith(("bumd.", "financing.loans."))]
    lab_tariff = "lab.revenue.lab_tests.tariff_idr_per_sample"
    studio.set(lab_tariff, 1_000_000)
    studio.use_option("lab_bumd")  # the changed lab tariff is kept: the option has it
    assert studio.value(lab_tariff) == 1_000_000 and "1 input(s) you changed keep" in studio.option_note.value
    # the comparison runs on the file's case with the changed lab tariff
    ap = studio.compare_options(iterations=20)
    assert ap.preferred == "do_nothing" and studio.compare_table.value.count("<tr data-key=") == len(case.options)
    assert "With the 1 input(s) you changed." in studio.compare_table.value
    changed = run(case.option("lab_bumd"), {lab_tariff: 1_000_000}).metrics["region_npv_idr"]
    assert ap["lab_bumd"].figures["region_npv_idr"] == pytest.approx(changed, rel=1e-12)
    # saving an option writes its case as a case of its own, which becomes the studio's case (no long list)
    target = tmp_path / "lab_only.toml"
    studio.save_path.value = "lab_only.toml"
    studio._on_save()
    assert "as a case of its own, without the long list" in studio.save_status.value
    saved = load_case(target)
    assert list(saved.lines()) == ["lab"] and not saved.options
    assert studio.root is studio.case and studio.option_key is None and studio.options_box.layout.display == "none"
    with pytest.raises(KeyError, match="not in the case"):
        studio.use_option("lab_bumd")
