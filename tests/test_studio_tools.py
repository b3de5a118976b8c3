"""The studio's guard rails and workbench: entries in the studio's language, undo and redo, scenarios,
the side-by-side comparison, goal seek, the annual table and its CSV, the Monte Carlo marked stale."""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feasibility import evaluate, load_case, run
from feasibility.analysis.breakeven import break_even
from feasibility.analysis.goal_seek import goal_seek
from feasibility.analysis.sensitivity import one_way
from feasibility.present.i18n import Formatter
from feasibility.studio import Studio
from feasibility.studio.inputs import EntryError, entry_scale, format_entry, parse_entry

TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
WHARF = "port.capex.wharf.amount_idr"
TAX = "tax.corporate_income_tax_rate"


@pytest.fixture(scope="module")
def case():
    return load_case()


@pytest.fixture
def studio(case):
    s = Studio(case, lang="en", chart_workers=0, draw_charts=False)  # these tests read cards and numbers
    yield s
    s.close()


@pytest.fixture
def studio_id(case):
    s = Studio(case, lang="id", chart_workers=0, draw_charts=False)
    yield s
    s.close()


# ---------------------------------------------------------------------------
# entries


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("71.000", "id", 71_000), ("71000", "id", 71_000), ("0,22", "id", 0.22), ("1.234.567,5", "id", 1_234_567.5),
    ("71,000", "en", 71_000), ("0.22", "en", 0.22), ("1,234,567.5", "en", 1_234_567.5), (" 85000 ", "en", 85_000),
    ("-5", "en", -5), ("\u22125", "id", -5), ("1e9", "en", 1e9), ("0,5", "id", 0.5), ("71.5", "en", 71.5),
])
def test_entries_are_read_in_the_studios_language(text, lang, expected):
    assert parse_entry(text, lang) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(("text", "lang"), [
    ("71,000", "id"),  # 71 in Indonesian, 71,000 in English: refused, never guessed
    ("71.000", "en"),
    ("0.22", "id"),  # an English decimal point in the Indonesian studio
    ("0,22", "en"),
    ("", "en"), ("abc", "id"), ("7,1.0", "en"), ("1e400", "en"), ("22%", "en"),  # a per cent where no fraction is asked
])
def test_ambiguous_or_foreign_entries_are_refused(text, lang):
    with pytest.raises(EntryError):
        parse_entry(text, lang)


def test_a_per_cent_is_read_for_fractions_and_money_in_its_scale():
    assert parse_entry("22%", "id", percent=True) == pytest.approx(0.22)
    assert parse_entry("157", "en", scale=1e9) == 157e9
    assert parse_entry("157,5", "id", scale=1e9) == 157.5e9


@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=-1e13, max_value=1e13, allow_nan=False), lang=st.sampled_from(["id", "en"]),
       scale=st.sampled_from([1.0, 1e6, 1e9]))
def test_what_a_field_shows_reads_back_to_the_same_value(x, lang, scale):
    shown = format_entry(x, lang, scale)
    try:
        back = parse_entry(shown, lang, scale=scale)
    except EntryError:  # only a value whose shown form is ambiguous (one separator, three decimals) may be refused
        assert re.fullmatch(r"-?[1-9]\d{0,2}[.,]\d{3}", shown), shown
        return
    assert back == pytest.approx(x, rel=1e-11, abs=1e-9 * scale)


def test_money_amounts_are_typed_in_miliar_with_the_rupiah_shown(studio_id, case):
    q = case.quantity(WHARF)
    assert entry_scale(q) == 1e9 and entry_scale(case.quantity(TARIFF)) == 1.0
    assert "[Rp miliar]" in studio_id._labels[WHARF].value
    assert studio_id.widgets[WHARF].value == Formatter("id").number(q.value / 1e9, 0)
    assert studio_id.enter(WHARF, "180,5") is None
    assert studio_id.value(WHARF) == 180.5e9
    assert "Rp180.500.000.000" in studio_id.readouts[WHARF].value  # the whole rupiah beside the miliar typed


def test_the_indonesian_tariff_entry_is_seventy_one_thousand(studio_id):
    assert studio_id.widgets[TARIFF].value == "71.000"
    assert studio_id.enter(TARIFF, "85.000") is None and studio_id.value(TARIFF) == 85_000
    msg = studio_id.enter(TARIFF, "71,000")
    assert msg is not None and "bermakna ganda" in msg and studio_id.value(TARIFF) == 85_000


def test_an_implausible_value_is_marked_and_never_gives_a_green_verdict(studio):
    assert studio.enter(TARIFF, "999,999,999,999,999") is None  # allowed by the schema, far outside 55,000-85,000
    assert studio.metrics["fnpv_idr"] > 0  # the model alone would call this profitable
    assert studio.verdict != "not_feasible"
    card = html.unescape(studio.cards["verdict"].value)
    assert "Not established" in card and "Feasible" not in card and "fs-tone-warn" in card
    assert "fs-implausible" in studio.widgets[TARIFF]._dom_classes and "plausible range" in studio.messages[TARIFF].value
    studio.enter(TARIFF, "80,000")
    assert "fs-implausible" not in studio.widgets[TARIFF]._dom_classes and studio.messages[TARIFF].value == ""


# ---------------------------------------------------------------------------
# undo, redo, reset, scenarios


def test_undo_and_redo_walk_the_changes(studio):
    studio.enter(TARIFF, "80,000")
    studio.enter(TAX, "0.25")
    assert studio.overrides() == {TARIFF: 80_000, TAX: 0.25}
    assert studio.undo() and studio.overrides() == {TARIFF: 80_000}
    assert studio.widgets[TAX].value == "0.22"
    assert studio.undo() and studio.overrides() == {}
    assert not studio.undo() and studio.undo_button.disabled
    assert studio.redo() and studio.overrides() == {TARIFF: 80_000}
    assert studio.metrics["fnpv_idr"] == pytest.approx(run(studio.case, {TARIFF: 80_000}).metrics["fnpv_idr"], rel=1e-12)
    studio.reset()
    assert studio.overrides() == {} and studio.undo() and studio.overrides() == {TARIFF: 80_000}  # a reset is undone too
    studio.enter(TAX, "0.3")
    assert not studio.redo()  # a new change ends what could be redone


def test_a_dragged_slider_is_one_change_to_undo(studio):
    s = studio.sliders[TARIFF]
    for k in range(1, 6):
        s.value = 71_000 + k * s.step
    assert studio.undo() and studio.overrides() == {}


def test_a_named_scenario_sets_its_inputs_as_the_cli_would(studio, case):
    assert [o[1] for o in studio.scenario_choice.options] == ["", *case.scenarios]
    studio.scenario_choice.value = "low"
    assert studio.overrides() == {p: pytest.approx(v) for p, v in case.scenario("low").items()}
    assert studio.metrics["fnpv_idr"] == pytest.approx(evaluate(case, case.scenario("low")).metrics["fnpv_idr"], rel=1e-12)
    assert "Low" in studio.scenario_note.value and "55,000" in studio.scenario_note.value
    assert studio.undo() and studio.overrides() == {}


# ---------------------------------------------------------------------------
# compare, goal seek, annual table, Monte Carlo


def test_the_comparison_shows_each_variants_metrics_in_words(studio, case):
    panel = studio.workbench.compare
    studio.enter(TARIFF, "80,000")
    panel.choice.value = ("current", "case", "scenario:high")
    panel.show()
    table = html.unescape(panel.table.value)
    f = Formatter("en")
    for over in ({TARIFF: 80_000}, {}, case.scenario("high")):
        m = evaluate(case, over).metrics
        assert f.value(m["fnpv_idr"], "IDR") in table and f.value(m["firr"], "fraction") in table
    assert "tariff, base-year prices = IDR 80,000" in table and "port.revenue" not in table  # labels and formatted values, not paths
    changes = re.search(r'<td style="([^"]*)">[^<]*tariff, base-year prices = ', panel.table.value).group(1)
    assert "nowrap" not in changes and "max-width" in changes  # the long list wraps, so the labels are not squeezed
    assert re.search(r'<td style="[^"]*nowrap[^"]*">[^<]*IDR [^<]*billion</td>', panel.table.value)  # a figure stays on one line
    panel.choice.value = ("current",)
    panel.show()
    assert "two or more" in panel.table.value


def test_goal_seek_finds_the_tariff_at_which_the_fnpv_is_zero(studio, case):
    g = goal_seek(case, TARIFF, "fnpv_idr", low=50_000, high=1_000_000)  # a one-berth break-bulk port pays only far above the market
    assert g.reached and g.roots == 1
    assert abs(evaluate(case, {TARIFF: g.value}).metrics["fnpv_idr"]) < 1e3  # within a thousand rupiah of zero
    # the council report's break-even tariff: the switching value of the FNPV tornado, another code path
    tor = one_way(case, [TARIFF], metrics=["fnpv_idr"], switching=True)["fnpv_idr"]
    be = break_even(case, run(case), tor)
    assert g.value == pytest.approx(be.tariff_value, rel=1e-6)
    irr = goal_seek(case, TARIFF, "firr", low=50_000, high=1_000_000)
    assert irr.value == pytest.approx(g.value, rel=1e-6)  # FIRR = WACC exactly where the FNPV at the WACC is zero


def test_goal_seek_in_the_studio_says_when_the_range_cannot_reach_the_goal(studio):
    panel = studio.workbench.goal
    panel.input.value = TARIFF
    panel.metric.value = "fnpv_idr"
    g = panel.solve()
    assert not g.reached and panel.apply_button.disabled
    text = html.unescape(panel.result_html.value)
    assert "not reachable" in text and "55,000" in text and "85,000" in text
    panel.input.value = "port.capex.wharf.amount_idr"
    studio.enter(TARIFF, "250,000")  # with a tariff far above the market, the wharf's cost has a break-even
    g = panel.solve()
    if g.reached:
        panel.apply()
        assert studio.value("port.capex.wharf.amount_idr") == pytest.approx(g.value)
        assert abs(studio.metrics["fnpv_idr"]) < 1e4
        assert studio.undo() and studio.value(TARIFF) == 250_000


def test_the_annual_table_and_its_csv_are_the_models_lines(studio):
    panel = studio.workbench.annual
    studio.workbench.tabs.selected_index = 2  # a person opens the tab; a closed tab is not recomputed at each change
    res = studio.result
    assert "fs-annual-table" in panel.table.value and str(int(res.years[0])) in panel.table.value
    href = re.search(r'href="data:text/csv;base64,([^"]+)"', panel.link.value).group(1)
    text = base64.b64decode(href).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert len(body) == len(res.years)
    col = next(i for i, h in enumerate(header) if h.endswith("[project_fcf_idr]"))
    got = np.array([float(r[col]) for r in body])
    assert np.allclose(got, res.lines["project_fcf_idr"], atol=0.006)
    studio.enter(TARIFF, "80,000")  # the open table follows the inputs
    assert "_studio_annual.csv" in panel.link.value
    studio.workbench.tabs.selected_index = 0
    studio.enter(TARIFF, "71,000")
    assert "_studio_annual.csv" in panel.link.value  # closed: not recomputed
    studio.workbench.tabs.selected_index = 2
    assert "_studio_annual.csv" not in panel.link.value  # opened again: caught up
    classes = studio.workbench.tabs._dom_classes
    assert "fs-ready-2" in classes and "fs-ready-0" not in classes  # the page can tell the open tab is up to date


def test_the_annual_tab_makes_the_workbook_of_the_current_inputs(studio, tmp_path):
    import openpyxl

    panel = studio.workbench.annual
    studio.workbench.tabs.selected_index = 2
    studio.enter(TARIFF, "80,000")
    assert panel.xlsx_link.value == ""  # made on request only
    panel.make_workbook()
    href = re.search(r'download="([^"]+)" href="data:application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet;base64,([^"]+)"',
                     panel.xlsx_link.value)
    assert href.group(1) == "case_studio.xlsx"  # named like the CSV: the case file, marked as changed in the studio
    (tmp_path / "s.xlsx").write_bytes(base64.b64decode(href.group(2)))
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["Assumptions"]
    assert next(r[2].value for r in ws.iter_rows(min_row=2) if r[1].value == TARIFF) == 80000  # the studio's value, named
    studio.enter(TARIFF, "75,000")
    assert panel.xlsx_link.value == ""  # the workbook of other inputs is withdrawn


def test_the_monte_carlo_follows_the_inputs_and_says_when_it_is_stale(studio):
    panel = studio.workbench.monte_carlo
    sim = panel.run(iterations=300, seed=5)
    assert len(sim.metrics["fnpv_idr"]) == 300 and panel.risk.progress.value == 300 and not panel.is_stale
    assert "current inputs" in panel.stale.value
    studio.enter(TARIFF, "80,000")
    assert panel.is_stale and "earlier inputs" in panel.stale.value and "1 change" in panel.stale.value
    sim2 = panel.run(iterations=300, seed=5)
    assert not panel.is_stale
    assert np.mean(sim2.metrics["fnpv_idr"]) > np.mean(sim.metrics["fnpv_idr"])  # a higher tariff: a higher FNPV on the same draws
    assert math.isfinite(sim2.prob_npv_negative)


# ---------------------------------------------------------------------------
# saving: a variant by default, a full copy on request, clear words for odd names


def test_saving_writes_a_small_variant_that_reloads_to_the_same_numbers(case, tmp_path):
    from feasibility.case import DEFAULT_CASE

    base = tmp_path / "kota.toml"  # a project's own copy of the default case (the package's folder is never written)
    base.write_text(DEFAULT_CASE.read_text(encoding="utf-8"), encoding="utf-8")
    studio = Studio(base, lang="en", chart_workers=0, draw_charts=False, save_dir=tmp_path)
    try:
        studio.enter(TARIFF, "80,000")
        fnpv = studio.metrics["fnpv_idr"]
        studio.save_path.value = "tariff80.toml"
        studio.save_button.click()
        assert "Saved" in studio.save_status.value
        text = (tmp_path / "tariff80.toml").read_text(encoding="utf-8")
        assert "[variant]" in text and 'base = "kota.toml"' in text and len(text.splitlines()) < 12
        assert studio.case_path == tmp_path / "tariff80.toml" and studio.overrides() == {}
        assert not studio.undo()  # the saved file is the studio's case now: undo starts again from it
        assert studio.metrics["fnpv_idr"] == pytest.approx(fnpv, rel=1e-12)
        assert evaluate(load_case(tmp_path / "tariff80.toml")).metrics["fnpv_idr"] == pytest.approx(fnpv, rel=1e-12)
        # a full copy on request
        studio.enter(TAX, "0.25")
        studio.save_full.value = True
        studio.save_path.value = "full.toml"
        studio.save_button.click()
        full = (tmp_path / "full.toml").read_text(encoding="utf-8")
        assert "[variant]" not in full and len(full.splitlines()) > 500
        # a name without .toml gets it (the load list shows case files only)
        studio.save_path.value = "no_extension"
        studio.save_button.click()
        assert (tmp_path / "no_extension.toml").exists() and not (tmp_path / "no_extension").exists(), studio.save_status.value
        studio.load_path.value = ""
        studio.load_button.click()
        assert "Type a case file" in studio.load_status.value
    finally:
        studio.close()
