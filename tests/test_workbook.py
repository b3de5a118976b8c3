"""The workbook (issue 16): LibreOffice recomputes its formulas to the model's figures.

LibreOffice (Debian's ``libreoffice-calc-nogui``) runs headless with a fresh
profile, its default settings: what a consultant sees on opening the file.
The workbook stores no result in its formula cells (see
``feasibility.present.workbook._without_stored_results``), so every figure
read back was computed by LibreOffice; by default it would show a stored one.
"""

import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from feasibility import load_case
from feasibility.case import CaseError
from feasibility.cli import main
from feasibility.model import run
from feasibility.present.i18n import catalog
from feasibility.present.workbook import excel_name, write_workbook

SOFFICE = shutil.which("soffice")


def recompute(xlsx: Path, tmp: Path) -> Path:
    """The workbook as LibreOffice, with its default settings, saves it after computing every formula."""
    if SOFFICE is None:
        pytest.fail("LibreOffice is missing: apt-get install libreoffice-calc-nogui (see .ci/run)")
    profile = tmp / "lo_profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    out = tmp / "recomputed"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "xlsx", "--outdir", str(out),
                    str(xlsx)], check=True, capture_output=True, timeout=180)
    return out / xlsx.name


HAND = Path(__file__).parent / "cases" / "hand_case.toml"
#: loans (annuity with grace, interest-free straight line), inflation with real escalation, losses carried forward
#: that lapse, renewals, declining balance, a yard, an expansion phase built, a standby facility and top-ups
PROOF = Path(__file__).parent / "cases" / "workbook_case.toml"


def _sheet(book: Path, lang: str, key: str, formulas: bool = False):
    import openpyxl

    return openpyxl.load_workbook(book, data_only=not formulas)[catalog(lang)["workbook"][key]]


def _metrics(book: Path, lang: str) -> dict[str, object]:
    """The metrics the spreadsheet computed, by key."""
    return {r[1]: r[2] for r in _sheet(book, lang, "sheet_metrics").iter_rows(min_row=2, values_only=True) if r[1]}


def _nominal(res, key: str) -> np.ndarray:
    """A model line in current prices (the workbook's basis; a real result's money lines are deflated)."""
    line = np.asarray(res.lines[key], dtype=float)
    return line * np.asarray(res.lines["price_index"]) if res.price_basis == "real" and key.endswith("_idr") else line


def _intermediate(case, overrides) -> dict[str, np.ndarray]:
    """Rows of the sheet that are not lines of the result but steps of the model (current prices), by key."""
    from feasibility.model.run import decided_chain

    c = decided_chain(case, overrides)
    out = {"net_working_capital_idr": c.nwc, "construction_capex_idr": c.cx.construction, "loan_interest_idr": c.d.interest,
           "depreciation_project_idr": c.dep.project, "taxable_income_unlevered_idr": c.ops.ebitda - c.dep.project}
    for n, (k, placed) in enumerate(c.cx.in_service.items(), start=1):  # the asset groups, in the model's order
        out[f"in_service_{n}_idr"] = np.broadcast_to(placed, res_shape := np.shape(c.nwc))
        out[f"depreciation_{n}_idr"] = np.broadcast_to(c.dep.by_asset[k], res_shape)
    return out


def _check_annual(xlsx: Path, book: Path, res, lang: str, steps: dict[str, np.ndarray] | None = None) -> tuple[int, int]:
    """Every cell of every model line on the annual sheet equals the model's value; (formula cells, value cells) compared.

    Tolerance: 1e-9 relative to the cell, or to the largest value of its line where a cell is a difference of
    large numbers that cancel (a loan repaid to the last rupiah: the model's -7.6e-6 against the sheet's 0).
    """
    written = _sheet(xlsx, lang, "sheet_annual", formulas=True)
    computed = _sheet(book, lang, "sheet_annual")
    n_formulas = n_values = 0
    for rf, rv in zip(written.iter_rows(min_row=3), computed.iter_rows(min_row=3)):
        key = rf[1].value
        if key not in res.lines and key not in (steps or {}):
            continue
        want = _nominal(res, key) if key in res.lines else np.asarray(steps[key], dtype=float)
        scale = float(np.nanmax(np.abs(want))) if np.isfinite(want).any() else 0.0
        for j, (cf, cv) in enumerate(zip(rf[3:], rv[3:])):
            is_formula = isinstance(cf.value, str) and cf.value.startswith("=")
            n_formulas += is_formula
            n_values += not is_formula and cf.value is not None
            if not math.isfinite(want[j]):  # undefined in the model (a DSCR without debt service): empty in the sheet
                assert cv.value in (None, ""), (key, j, cv.value)
                continue
            assert isinstance(cv.value, (int, float)), (key, j, cf.value, cv.value)
            assert cv.value == pytest.approx(want[j], rel=1e-9, abs=1e-9 * scale + 1e-9), (key, j, cf.value)
    return n_formulas, n_values


CASES = {
    "default, en": (None, None, None, "en"),
    "default low scenario, id": (None, "low", None, "id"),
    "default phased option (expansion), en": (None, None, "phased", "en"),
    "default lab_blud option (a public service unit), id": (None, None, "lab_blud", "id"),
    "default joint_port_stake option (the region's stakes), en": (None, None, "joint_port_stake", "en"),
    "hand case, id": (HAND, None, None, "id"),
    "proof case, en": (PROOF, None, None, "en"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_libreoffice_recomputes_every_line_and_metric_to_the_models(tmp_path, name):
    """Every formula of the annual sheet and every metric, recomputed by LibreOffice, equals the Python model's value.

    The default case is in real prices (the metrics' flows deflated), the hand and proof cases in nominal prices.
    """
    path, scenario, option, lang = CASES[name]
    case = load_case(path) if path else load_case()
    if option:
        case = case.option(option)
    over = case.scenario(scenario) if scenario else {}
    res = run(case, over)
    xlsx = write_workbook(case, tmp_path / "w.xlsx", lang=lang, overrides=over)
    book = recompute(xlsx, tmp_path)
    steps = _intermediate(case, over)
    n_formulas, _ = _check_annual(xlsx, book, res, lang, steps)
    assert n_formulas > 20 * len(res.years)
    stored = _sheet(xlsx, lang, "sheet_metrics")  # as written: no result stored, so none can be read back unless computed
    assert {r[2] for r in stored.iter_rows(min_row=2, values_only=True) if r[1]} == {None}
    got = _metrics(book, lang)
    assert {"fnpv_idr", "firr", "mirr", "bcr", "equity_npv_idr", "equity_irr", "dscr_min", "region_npv_idr"} <= set(got)
    for key, value in got.items():
        want = float(res.metrics[key]) if key in res.metrics else None
        if want is None:
            continue
        if math.isnan(want):  # undefined in the model (no rate makes the NPV zero; no debt service): said in the sheet
            assert value == catalog(lang)["workbook"]["undefined"], (key, value)
        else:
            assert value == pytest.approx(want, rel=1e-9), key


def test_the_lines_the_issue_names_are_formulas(tmp_path):
    """The lines an auditor traces are formulas in every year, not pasted values (the waterfall's are values and say so)."""
    case = load_case(PROOF)
    ws = _sheet(write_workbook(case, tmp_path / "w.xlsx", lang="en"), "en", "sheet_annual", formulas=True)
    rows = {r[1].value: r for r in ws.iter_rows(min_row=3) if r[1].value}
    traced = [
        "price_index", "demand_port_cargo_handling", "ramp_port_cargo_handling", "berth_capacity_tonnes", "cargo_throughput_tonnes",
        "volume_port_cargo_handling_tonnes", "revenue_port_cargo_handling_idr", "revenue_total_idr", "opex_total_idr",
        "concession_fee_idr", "ebitda_idr", "capex_port_quay_idr", "capex_idr", "in_service_1_idr", "depreciation_idr",
        "loan_bank_opening_idr", "loan_bank_interest_idr", "debt_service_idr", "debt_outstanding_idr", "tax_unlevered_idr",
        "change_in_working_capital_idr", "project_fcf_idr", "cfads_idr", "equity_cf_idr", "shareholder_cf_idr",
        "dividends_to_region_idr", "public_money_idr", "flow_project_idr", "taxable_income_idr", "loss_relief_idr", "tax_idr",
        "legal_reserve_idr", "dividends_paid_idr", "tantiem_idr", "standby_draw_idr", "standby_balance_idr", "top_up_idr",
        "cumulative_cash_idr",
    ]
    for key in traced:
        cells = rows[key][3:]
        assert all(isinstance(c.value, str) and c.value.startswith("=") for c in cells if c.value not in (0, 1, None)), key  # 0 and 1: before a start, after the ramp-up
        assert any(isinstance(c.value, str) and c.value.startswith("=") for c in cells), key
    how = {key: r[2].value for key, r in rows.items()}
    # only the expansion's decision and the occupancy the allowed waiting ratio permits (root finding on the queue)
    # are written as values here (and a forecast's volumes, in a case with one)
    assert {k for k, h in how.items() if h != "formula"} == {"expansion_1_trigger_year", "expansion_1_online_year", "berth_occupancy_limit"}
    assert how["expansion_1_trigger_year"].startswith("values") and "expansion rule" in how["expansion_1_trigger_year"]
    assert how["berth_occupancy_limit"].startswith("values") and "M/E2/c" in how["berth_occupancy_limit"]
    assert rows["revenue_port_cargo_handling_idr"][3 + 5].value.count("port_revenue_cargo_handling_tariff_idr_per_tonne") == 1


def test_a_tariff_changed_in_the_sheet_moves_the_fnpv_as_the_model_does(tmp_path):
    """Edit the tariff's cell of the Assumptions sheet, recompute: FNPV and FIRR are the model's with that tariff."""
    import openpyxl

    case = load_case()
    path = "port.revenue.cargo_handling.tariff_idr_per_tonne"
    xlsx = write_workbook(case, tmp_path / "k.xlsx", lang="en")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Assumptions"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == path)
    assert row[2].value == 71000
    row[2].value = 85000
    wb.save(tmp_path / "edited.xlsx")
    got = _metrics(recompute(tmp_path / "edited.xlsx", tmp_path), "en")
    before, after = run(case), run(case, {path: 85000})
    assert got["fnpv_idr"] == pytest.approx(float(after.metrics["fnpv_idr"]), rel=1e-9)
    if math.isnan(float(after.metrics["firr"])):  # the flows never recover the outlay: the sheet says so too
        assert got["firr"] in ("undefined", "tidak terdefinisi")
    else:
        assert got["firr"] == pytest.approx(float(after.metrics["firr"]), rel=1e-9)
    assert float(after.metrics["fnpv_idr"]) - float(before.metrics["fnpv_idr"]) > 1e10  # it moved, by Rp tens of billions


def test_the_assumptions_sheet_names_every_number(tmp_path):
    import openpyxl

    case = load_case()
    wb = openpyxl.load_workbook(write_workbook(case, tmp_path / "k.xlsx", lang="en"))
    ws = wb["Assumptions"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    qmap = case.quantity_map()
    assert {k.split("[")[0] for k in rows} == set(qmap)  # one row per quantity
    ramp = "port.revenue.cargo_handling.ramp_up"
    shares = qmap[ramp].value
    assert [rows[f"{ramp}[{n + 1}]"][2] for n in range(len(shares))] == shares  # a list: one row (and one name) per element
    assert wb.defined_names[excel_name(ramp) + "_2"].attr_text == f"'Assumptions'!$C${list(rows).index(ramp + '[2]') + 2}"
    tariff = "port.revenue.cargo_handling.tariff_idr_per_tonne"
    label, _path, value, unit, low, high, source, _year, confidence, used = rows[tariff]
    q = qmap[tariff]
    assert (value, low, high, source, confidence) == (q.value, q.low, q.high, q.source, q.confidence)
    assert "tariff" in label and unit == "IDR per tonne" and used == "yes"
    unused = "economic.benefits.cargo_trucking_saved.unit_value_idr"
    assert rows[unused][9].startswith("no (not in this workbook")  # the economic analysis is not in the workbook: said so
    assert ws.protection.sheet and not ws["C2"].protection.locked and ws["A2"].protection.locked  # values open, sorting not
    assert wb.properties.title == "Kota Serang BUMD: port and industrial services" or wb.properties.title.startswith("Kota Serang")
    name = wb.defined_names[excel_name(tariff)]
    assert name.attr_text == f"'Assumptions'!$C${list(rows).index(tariff) + 2}"  # =Tariff reads the value's cell


def test_excel_names_are_never_cell_references():
    assert excel_name("a.b-c") == "a_b_c"
    assert excel_name("abc12") == "_abc12"  # column ABC, row 12 otherwise
    assert excel_name("1x") == "_1x"


def test_export_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "-o", "k.xlsx", "--lang", "en", "--option", "lab_blud"]) == 0
    out = tmp_path / "k.xlsx"
    assert out.stat().st_size > 5_000
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # shared like any file the user writes, not 0600
    before = out.read_bytes()
    assert main(["export", "-o", "k.xlsx"]) == 2  # never replaced without --force
    assert out.read_bytes() == before
    assert main(["export", "-o", "k.csv", "--scenario", "nope"]) == 2
    err = capsys.readouterr().err
    assert "must end in .xlsx" in err
    assert main(["export", "-o", "l.xlsx", "--scenario", "lwo"]) == 2
    assert "did you mean 'low'" in capsys.readouterr().err
    import feasibility

    inside = Path(feasibility.__file__).parent / "data" / "k.xlsx"
    assert main(["export", "-o", str(inside)]) == 2 and not inside.exists()  # never into the installed package
    assert main(["export", "-o", "k.xlsx", "--force", "--scenario", "high"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.xlsx"]  # no temporary file left


def _edit(xlsx: Path, out: Path, sheet: str, edits: dict[tuple[str, int], object]) -> Path:
    """The workbook with cells of the Assumptions sheet changed: ``{(path column, column index): value}``."""
    import openpyxl

    wb = openpyxl.load_workbook(xlsx)
    ws = wb[sheet]
    for row in ws.iter_rows(min_row=2):
        for (path, col), value in edits.items():
            if row[1].value == path:
                row[col].value = value
    wb.save(out)
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
def test_import_round_trips_the_default_case_byte_for_byte(tmp_path, lang):
    """Export then import without an edit: the same file (comments and all), so the same evaluation."""
    from feasibility.case.io import DEFAULT_CASE

    assert main(["export", "-o", str(tmp_path / "k.xlsx"), "--lang", lang]) == 0
    assert main(["import", str(tmp_path / "k.xlsx"), "-o", str(tmp_path / "back.toml")]) == 0
    assert (tmp_path / "back.toml").read_bytes() == DEFAULT_CASE.read_bytes()
    assert run(load_case(tmp_path / "back.toml")).metrics["fnpv_idr"] == run(load_case()).metrics["fnpv_idr"]


def test_import_writes_the_edits_with_their_provenance(tmp_path):
    """A tariff, a ramp-up share and a source edited in the sheet: the case evaluates as the model with those values."""
    import tomllib

    case = load_case()
    xlsx = write_workbook(case, tmp_path / "k.xlsx", lang="en")
    tariff, ramp, prod = ("port.revenue.cargo_handling.tariff_idr_per_tonne", "port.revenue.cargo_handling.ramp_up",
                          "port.capacity.productivity_tonnes_per_hour")
    edited = _edit(xlsx, tmp_path / "e.xlsx", "Assumptions",
                   {(tariff, 2): 80000, (f"{ramp}[2]", 2): 0.55, (prod, 6): "site visit, 2026", (prod, 8): "verified"})
    assert main(["import", str(edited), "-o", str(tmp_path / "new.toml")]) == 0
    new = load_case(tmp_path / "new.toml")
    want = run(case, {tariff: 80000, ramp: [0.3, 0.55, 0.7, 0.85]})
    assert run(new).metrics["fnpv_idr"] == pytest.approx(float(want.metrics["fnpv_idr"]), rel=1e-12)
    q = new.quantity_map()
    assert q[tariff].value == 80000 and q[tariff].confidence == "estimate" and "changed from 71000" in q[tariff].source
    assert "Tanjung Priok" in q[tariff].note  # the old source is kept in the note, as the studio keeps it
    assert (q[prod].value, q[prod].source, q[prod].confidence) == (case.quantity(prod).value, "site visit, 2026", "verified")
    text = (tmp_path / "new.toml").read_text(encoding="utf-8")
    assert "# --- economic analysis" in text  # the base file's comments stay
    assert tomllib.loads(text)["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] == 80000  # an integer, as before


def test_import_reports_every_problem_with_its_row_and_writes_nothing(tmp_path, capsys):
    case = load_case()
    xlsx = write_workbook(case, tmp_path / "k.xlsx", lang="id")
    edited = _edit(xlsx, tmp_path / "e.xlsx", "Asumsi", {
        ("port.revenue.cargo_handling.tariff_idr_per_tonne", 2): "tujuh puluh ribu",
        ("macro.inflation_per_year", 8): "yakin",
        ("tax.corporate_income_tax_rate", 2): 1.5,
        ("port.capacity.productivity_tonnes_per_hour", 2): 500,
        ("port.revenue.storage.ramp_up[1]", 1): "port.revenue.storage.ramp_upp[1]",
    })
    assert main(["import", str(edited), "-o", str(tmp_path / "new.toml")]) == 2
    err = capsys.readouterr().err
    assert "6 problem(s)" in err, err
    import openpyxl

    tariff_row = next(r[0].row for r in openpyxl.load_workbook(xlsx)["Asumsi"].iter_rows(min_row=2)
                      if r[1].value == "port.revenue.cargo_handling.tariff_idr_per_tonne")
    for words in (f"row {tariff_row} (Bongkar muat", "got 'tujuh puluh ribu'", "got 'yakin'", "must be <= 0.6, got 1.5",
                  "low <= value <= high is required", "'port.revenue.storage.ramp_upp[1]' is not a quantity",
                  "no row for port.revenue.storage.ramp_up[1]"):
        assert words in err, (words, err)
    assert not (tmp_path / "new.toml").exists()
    (tmp_path / "new.toml").write_text("mine", encoding="utf-8")
    assert main(["import", str(xlsx), "-o", str(tmp_path / "new.toml")]) == 2  # never replaced without --force
    assert (tmp_path / "new.toml").read_text(encoding="utf-8") == "mine"
    (tmp_path / "x.xlsx").write_text("not a workbook", encoding="utf-8")
    assert main(["import", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "y.toml")]) == 2
    assert "not an Excel workbook" in capsys.readouterr().err


def test_a_forecast_streams_volumes_are_values_that_say_so(tmp_path):
    """A forecast is a fitted series, not a formula: its volumes are written as values, the method named;
    the rest still recomputes to the model. Imported into another folder, the history path still names the file."""
    from test_case_forecasts import forecast_case, growing

    path = forecast_case(tmp_path, growing(2015, 2024))
    case = load_case(path)
    res = run(case)
    xlsx = write_workbook(case, tmp_path / "f.xlsx", lang="en")
    _check_annual(xlsx, recompute(xlsx, tmp_path), res, "en")
    rows = {r[1].value: r for r in _sheet(xlsx, "en", "sheet_annual", formulas=True).iter_rows(min_row=3) if r[1].value}
    assert rows["forecast_port_cargo_handling"][2].value == "values: forecast (cagr) of hist.csv"
    assert "port_revenue_cargo_handling_forecast_share*" in rows["volume_port_cargo_handling_tonnes"][4].value
    (tmp_path / "elsewhere").mkdir()
    assert main(["import", str(xlsx), str(path), "-o", str(tmp_path / "elsewhere" / "c.toml")]) == 0
    # the history stays with the base case, outside the new file's folder: loading it needs the user's --allow-path
    with pytest.raises(CaseError, match="is outside the case's folder"):
        load_case(tmp_path / "elsewhere" / "c.toml")
    moved = load_case(tmp_path / "elsewhere" / "c.toml", allow=[tmp_path])
    assert run(moved).metrics["fnpv_idr"] == res.metrics["fnpv_idr"]
    assert 'history = "../hist.csv"' in (tmp_path / "elsewhere" / "c.toml").read_text(encoding="utf-8")


def test_the_summary_sheets_hold_the_tornado_the_monte_carlo_and_the_notes(tmp_path):
    import openpyxl

    from feasibility.analysis.risk import simulate
    from feasibility.analysis.sensitivity import tornado

    case = load_case()
    wb = openpyxl.load_workbook(write_workbook(case, tmp_path / "k.xlsx", lang="en", scenario="high", iterations=300))
    tr = tornado(case, "fnpv_idr", scenario="high")
    rows = list(wb["Sensitivity"].iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in rows] == list(tr.table.index)  # largest swing first, as the report's tornado
    assert rows[0][5] == pytest.approx(tr.table["metric_low"].iloc[0]) and rows[0][7] == pytest.approx(tr.table["swing"].iloc[0])
    sim = simulate(case, 300, scenario="high", progress=False)
    mc = {r[1]: r for r in wb["Monte Carlo"].iter_rows(min_row=4, values_only=True) if r[1]}
    assert mc["fnpv_idr"][4] == pytest.approx(np.percentile(sim.metrics["fnpv_idr"], 10))  # P10
    assert "300 iterations" in wb["Monte Carlo"]["A1"].value
    notes = [r for r in wb["Notes and risks"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(notes) == len(case.notes) and notes[0][4] == "high"  # the most severe first
    # inputs changed by hand (the studio's): no tornado or Monte Carlo around them is claimed
    mine = openpyxl.load_workbook(write_workbook(case, tmp_path / "m.xlsx", lang="id",
                                                 overrides={"port.revenue.cargo_handling.tariff_idr_per_tonne": 80000}))
    assert "bukan untuk masukan yang diubah" in mine["Sensitivitas"]["A1"].value and "Monte Carlo" not in mine.sheetnames


def test_import_refuses_a_scenario_export_and_a_changed_unit_and_keeps_provenance(tmp_path, capsys):
    case = load_case()
    assert main(["export", "-o", str(tmp_path / "low.xlsx"), "--scenario", "low", "--iterations", "0"]) == 0
    assert main(["import", str(tmp_path / "low.xlsx"), "-o", str(tmp_path / "x.toml")]) == 2  # not the base case's values
    assert "exported with --scenario low" in capsys.readouterr().err and not (tmp_path / "x.toml").exists()
    xlsx = write_workbook(case, tmp_path / "k.xlsx", lang="en", iterations=0)
    payout, tariff = "port.revenue.cargo_handling.build_up.own_terminal_share", "port.revenue.cargo_handling.tariff_idr_per_tonne"
    assert case.quantity_map()[payout].confidence == "placeholder"
    bad = _edit(xlsx, tmp_path / "u.xlsx", "Assumptions", {(tariff, 3): "USD per tonne"})
    assert main(["import", str(bad), "-o", str(tmp_path / "x.toml")]) == 2
    assert "cannot be changed (it is 'IDR per tonne')" in capsys.readouterr().err
    good = _edit(xlsx, tmp_path / "g.xlsx", "Assumptions", {(payout, 2): 0.4, (tariff, 4): 50000})
    assert main(["import", str(good), "-o", str(tmp_path / "x.toml")]) == 0
    q = load_case(tmp_path / "x.toml").quantity_map()
    assert q[payout].value == 0.4 and q[payout].confidence == "placeholder"  # a placeholder changed without a source stays one
    assert q[tariff].low == 50000 and "range previously [55000, 85000]" in q[tariff].note  # a range edit leaves a trace


def test_the_expansion_check_warns_when_an_edit_moves_demand_past_the_trigger(tmp_path):
    case = load_case(PROOF)  # its second berth is built: the years are the model's decision at export
    xlsx = write_workbook(case, tmp_path / "p.xlsx", lang="en", iterations=0)
    book = recompute(xlsx, tmp_path)
    ws = _sheet(book, "en", "sheet_metrics")
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[1]}
    assert rows["expansion_check"][2] == rows["expansion_check"][3] > 0
    assert any(isinstance(r[0], str) and r[0].startswith("The expansion's years") for r in ws.iter_rows(values_only=True))
    edited = _edit(xlsx, tmp_path / "e.xlsx", "Assumptions", {("port.revenue.cargo_handling.volume_tonnes", 2): 40000})
    (tmp_path / "again").mkdir()
    ws = _sheet(recompute(edited, tmp_path / "again"), "en", "sheet_metrics")
    assert any(isinstance(r[0], str) and r[0].startswith("WARNING: demand now passes") for r in ws.iter_rows(values_only=True))


def test_the_spreadsheets_irr_finds_the_rate_of_edited_flows(tmp_path):
    """The cargo tariff x4 moves FIRR far from the rate the file was exported with (none: the default never pays back):
    the sheet's IRR still finds it."""
    import numpy_financial as npf

    case = load_case()
    path = "port.revenue.cargo_handling.tariff_idr_per_tonne"
    xlsx = write_workbook(case, tmp_path / "k.xlsx", lang="id", iterations=0)
    edited = _edit(xlsx, tmp_path / "e.xlsx", "Asumsi", {(path, 2): 4 * case.quantity_map()[path].value})
    book = recompute(edited, tmp_path)
    got = _metrics(book, "id")
    flows = next(r for r in _sheet(book, "id", "sheet_annual").iter_rows(min_row=3, values_only=True) if r[1] == "flow_project_idr")[3:]
    want = npf.irr([float(x) for x in flows])
    before = float(run(case).metrics["firr"])
    assert math.isnan(before) or abs(got["firr"] - before) > 0.02  # it moved
    assert got["firr"] == pytest.approx(want, rel=1e-6)
