"""Bounded memory and bounded inputs (issue 19, items 3, 4 and 6).

The Monte Carlo sample is drawn in blocks (the seed's definition), so its results do not depend
on the chunks the model runs in; a memory budget refuses, with the count that fits, a run that
would need more; the two-way table runs in chunks; PRCC from cross-products equals the least
squares on the design; a case's shape and numbers have limits, and the model's results are
checked finite; the studio saves only plain names into its folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from test_reproduce import call

from feasibility import load_case
from feasibility.analysis import budget, risk, sensitivity
from feasibility.case import DEFAULT_CASE, schema
from feasibility.domain import distributions as dist
from feasibility.model.finite import finite_problems

TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
WHARF = "port.capex.wharf.amount_idr"


@pytest.fixture(scope="module")
def case():
    return load_case()


# --------------------------------------------------------------------------- blocks and chunks


def test_the_sample_is_the_same_whatever_the_chunks_the_model_runs_in(case, monkeypatch):
    monkeypatch.setattr(risk, "SAMPLE_BLOCK", 300)  # 1,000 iterations: four blocks of 250
    runs = [risk.simulate(case, 1000, seed=11, chunk_size=c, progress=False, metrics=["fnpv_idr", "dscr_min"]) for c in (7, 250, 5000)]
    for other in runs[1:]:
        for m in ("fnpv_idr", "dscr_min"):
            np.testing.assert_array_equal(other.metrics[m], runs[0].metrics[m])
        assert other.inputs.equals(runs[0].inputs)
    assert [b - a for _k, a, b in risk.sample_blocks(1000)] == [250, 250, 250, 250]


def test_each_block_is_a_latin_hypercube_with_the_declared_correlation(case, monkeypatch):
    monkeypatch.setattr(risk, "SAMPLE_BLOCK", 2000)
    x = risk.sample_inputs(case, 6000, 5)
    dists = risk.input_distributions(case)
    col = next(iter(dists))
    u = dists[col]._rv.cdf(x[col].to_numpy())  # the scipy distribution behind it
    for a in range(0, 6000, 2000):  # one value in each of the 2,000 strata of each block
        assert np.array_equal(np.sort(np.floor(u[a:a + 2000] * 2000)), np.arange(2000))
    target = case.risk.correlations[0]
    a_, b_ = target.between
    rho = stats.spearmanr(x[a_], x[b_]).statistic
    assert rho == pytest.approx(target.rank, abs=0.03)


def test_a_sample_within_one_block_is_the_single_latin_hypercube_of_the_seed(case):
    """Up to SAMPLE_BLOCK iterations nothing changed: the sample is dist.sample seeded with the seed itself."""
    x = risk.sample_inputs(case, 500, 9)
    dists = risk.input_distributions(case)
    corr = case.risk.correlation_matrix()
    names = case.risk.correlated_names()
    keep = [names.index(p) for p in dists]
    direct = dist.sample(list(dists.values()), 500, np.random.default_rng(9), correlation=corr[np.ix_(keep, keep)])
    np.testing.assert_array_equal(x.to_numpy(), direct)


def test_inputs_are_kept_for_the_first_iterations_and_the_rank_correlations_use_them(case, monkeypatch):
    monkeypatch.setattr(risk, "KEEP_INPUTS", 400)
    sim = risk.simulate(case, 1000, seed=3, progress=False, metrics=["fnpv_idr"])
    assert sim.iterations == 1000 and sim.metrics["fnpv_idr"].size == 1000 and len(sim.inputs) == 400
    v = sim.metrics["fnpv_idr"][:400]
    col = sim.rank_correlations().index[0]
    assert sim.rank_correlations()[col] == pytest.approx(stats.spearmanr(sim.inputs[col], v).statistic, abs=1e-12)


def test_prcc_from_cross_products_equals_least_squares_on_the_design(case):
    """The independent reference: residuals of each rank column on the others by numpy's lstsq (Marino et al. 2008)."""
    sim = risk.simulate(case, 600, seed=4, progress=False, metrics=["fnpv_idr"])
    got = sim.partial_rank_correlations()
    table = sim.inputs
    cols = [c for c in table.columns if np.ptp(table[c]) > 0]
    r = np.column_stack([stats.rankdata(table[c]) for c in cols])
    ry = stats.rankdata(sim.metrics["fnpv_idr"])
    for j, c in enumerate(cols[:8]):
        others = np.hstack([np.ones((r.shape[0], 1)), np.delete(r, j, axis=1)])
        ex = r[:, j] - others @ np.linalg.lstsq(others, r[:, j], rcond=None)[0]
        ey = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        assert got[c] == pytest.approx(ex @ ey / np.sqrt((ex @ ex) * (ey @ ey)), abs=1e-9), c


def test_two_way_in_chunks_equals_one_run(case, monkeypatch):
    ch = [-0.2, -0.05, 0.0, 0.1, 0.3]
    whole = sensitivity.two_way(case, TARIFF, WHARF, row_changes=ch, col_changes=ch[:4])
    monkeypatch.setattr(sensitivity, "TWO_WAY_CHUNK", 7)  # one row per model run
    parts = sensitivity.two_way(case, TARIFF, WHARF, row_changes=ch, col_changes=ch[:4])
    np.testing.assert_allclose(parts.to_numpy(), whole.to_numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- the memory budget


def test_the_budget_refuses_with_the_count_that_fits(case, monkeypatch):
    monkeypatch.setenv(budget.BUDGET_ENV, "300")
    with pytest.raises(budget.MemoryBudgetError, match=r"1,000,000 iterations would need about .* budget of 300 MB .*at most ([\d,]+) fit") as exc:
        risk.simulate(case, 1_000_000, progress=False)
    fits = int(str(exc.value).rsplit("at most ", 1)[1].split(" ")[0].replace(",", ""))
    est = lambda n: risk.memory_estimate(case, n, len(risk.RISK_METRICS))
    assert est(fits) <= 300e6 < est(fits + 1)
    code, _out, err = call("simulate", str(DEFAULT_CASE), "--iterations", "1000000", "--no-progress")
    assert code == 2 and err.startswith("error: 1,000,000 iterations would need") and err.count("\n") == 1
    code, _out, err = call("appraise", str(DEFAULT_CASE), "--iterations", "1000000")
    assert code == 2 and "iterations per option would need" in err
    with pytest.raises(budget.MemoryBudgetError, match="cells of the two-way table"):
        sensitivity.two_way(case, TARIFF, WHARF, row_changes=np.linspace(-0.5, 0.5, 4000), col_changes=np.linspace(-0.5, 0.5, 4000))


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1.5"])
def test_a_budget_setting_that_is_not_a_number_of_megabytes_is_named(monkeypatch, value):
    monkeypatch.setenv(budget.BUDGET_ENV, value)
    code, _out, err = call("simulate", str(DEFAULT_CASE), "--iterations", "100", "--no-progress")
    assert code == 2 and budget.BUDGET_ENV in err and repr(value) in err


def test_the_default_budget_is_two_gigabytes_or_a_quarter_of_the_machine(monkeypatch):
    monkeypatch.delenv(budget.BUDGET_ENV, raising=False)
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert budget.memory_budget() == min(2_000_000_000, machine // 4)


# --------------------------------------------------------------------------- case-file limits


def _with(text: str, tmp_path: Path, name: str = "case.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BASE = DEFAULT_CASE.read_text(encoding="utf-8")


@pytest.mark.parametrize("extra, expected", [
    ("\n[" + ".".join(["a"] * 100_000) + "]\nx = 1\n", "a dotted key or table header of more than 32 parts"),
    ("\n[" + ".".join(["a"] * 20) + "]\nx = 1\n", "nested 17 levels deep; a case file nests at most 16"),
    ("\n[zz]\n" + "k" * 300 + " = 1\n", "a key of 300 characters; a key has at most 200"),
    ("\n[zz]\nramp = [" + ", ".join(["0.5"] * 5000) + "]\n", "a list of 5,000 entries; a list has at most 1,000"),
    ('\n[zz]\nnote = "' + "x" * 6000 + '"\n', "a text of 6,000 characters; a text has at most 5,000"),
    ("\n" + "[a]\n" * 1 + "x = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
])
def test_case_file_limits_give_exit_2_and_one_clear_line(tmp_path, extra, expected):
    path = _with(BASE + extra, tmp_path)
    t = time.perf_counter()
    code, _out, err = call("validate", str(path))
    assert code == 2 and expected in err, err[:500]
    assert time.perf_counter() - t < 10  # the 100,000-part header took 30 s in the parser


def test_a_huge_number_is_refused_with_its_field_and_never_reaches_the_model(tmp_path):
    text = BASE.replace("tariff_idr_per_tonne = { value = 71000", "tariff_idr_per_tonne = { value = 1e308", 1)
    assert text != BASE
    path = _with(text, tmp_path)
    for argv in (["validate"], ["evaluate"], ["evaluate", "--json"], ["report", "--iterations", "0", "-o", str(tmp_path / "r.html")]):
        code, out, err = call(*argv, str(path))
        assert code == 2 and f"{TARIFF}: must lie between -1e16 and 1e16" in err and out == "", (argv, err)


def test_a_low_or_high_beyond_the_limit_is_refused(tmp_path):
    text = BASE.replace("tariff_idr_per_tonne = { value = 71000, low = 55_000, high = 85_000", "tariff_idr_per_tonne = { value = 71000, low = 55_000, high = 1e17", 1)
    assert text != BASE
    path = _with(text, tmp_path)
    code, _out, err = call("validate", str(path))
    assert code == 2 and "high must lie between -1e16 and 1e16" in err


def test_the_model_results_are_checked_finite_and_the_input_named(case, monkeypatch):
    monkeypatch.setattr(schema, "MAGNITUDE_MAX", float("inf"))  # the net under the rule
    found = finite_problems(case, {TARIFF: 1e308})
    assert [p.path for p in found] == [TARIFF] and "infinite or undefined" in found[0].rule
    assert finite_problems(case) == []


def test_two_way_changes_outside_an_inputs_range_fail_validation(tmp_path):
    text = BASE + ('\n[[sensitivity.two_way]]\nrows = "' + TARIFF + '"\ncols = "bumd.ownership_share_region"\n'
                   "row_changes = [-0.5, 0.0]\ncol_changes = [-0.2, 0.0, 0.5]\n")
    path = _with(text, tmp_path)
    code, _out, err = call("validate", str(path))
    assert code == 2 and "col_changes: takes bumd.ownership_share_region (1) outside what it allows (> 0 and <= 1): +0.5 gives 1.5" in err
    code, _out, err = call("sensitivity", str(path))
    assert code == 2


# --------------------------------------------------------------------------- the studio saves only where it may


@pytest.fixture
def studio(case, tmp_path):
    from feasibility.studio import Studio

    s = Studio(case, lang="en", chart_workers=0, draw_charts=False, save_dir=tmp_path / "data", reports_dir=tmp_path / "reports")
    yield s
    s.close()


@pytest.mark.parametrize("typed, reason", [
    ("../../victim.txt", "without a folder"),
    ("/tmp/victim.toml", "without a folder"),
    ("sub\\victim.toml", "without a folder"),
    ("C:victim.toml", "without a folder"),
    ("~victim.toml", "may not start with a dot or ~"),
    ("..", "may not start with a dot or ~"),
    (".hidden.toml", "may not start with a dot or ~"),
    ("a<b.toml", "may not hold"),
    ("name\u202e.toml", "may not hold"),
    ("CON", "Windows keeps this name"),
    ("x" * 120, "at most 100 characters"),
    ("   ", "Type a file name"),
])
def test_the_save_box_takes_a_plain_name_only(studio, tmp_path, typed, reason):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    studio.set(TARIFF, 80_000)
    studio.save_path.value = typed
    studio.overwrite.value = True
    studio.save_button.click()
    assert reason in studio.save_status.value, studio.save_status.value
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "data").exists() or list((tmp_path / "data").iterdir()) == []


def test_the_save_box_adds_toml_saves_in_its_folder_and_never_overwrites_unasked(studio, tmp_path):
    studio.set(TARIFF, 80_000)
    studio.save_path.value = "victim.txt"
    studio.save_button.click()
    written = tmp_path / "data" / "victim.txt.toml"
    assert written.exists() and "Saved" in studio.save_status.value
    assert load_case(written).quantity(TARIFF).value == 80_000
    studio.set(TARIFF, 81_000)
    studio.save_path.value = "victim.txt.toml"
    studio.save_button.click()  # the box not ticked: refused, the file kept
    assert "exists" in studio.save_status.value and load_case(written).quantity(TARIFF).value == 80_000


def test_a_link_in_the_save_folder_is_not_followed(studio, tmp_path):
    (tmp_path / "data").mkdir()
    outside = tmp_path / "outside.toml"
    outside.write_text("# someone's file\n", encoding="utf-8")
    os.symlink(outside, tmp_path / "data" / "linked.toml")
    studio.save_path.value = "linked"
    studio.overwrite.value = True
    studio.save_button.click()
    assert "is a link to another file" in studio.save_status.value
    assert outside.read_text(encoding="utf-8") == "# someone's file\n"


def test_the_report_box_takes_a_plain_name_in_the_reports_folder(studio, tmp_path):
    studio.export_path.value = "../../escaped"
    studio.export_iterations.value = 1
    studio.export_button.click()
    assert "without a folder" in studio.export_status.value and not (tmp_path / "escaped.html").exists()
    studio.export_path.value = "council"
    studio.export_button.click()
    assert (tmp_path / "reports" / "council.html").exists(), studio.export_status.value


def test_studio_save_dir_must_be_a_folder(tmp_path):
    code, _out, err = call("studio", str(tmp_path), "--save-dir", str(tmp_path / "missing"))
    assert code == 2 and "--save-dir" in err and "is not a folder" in err


@pytest.mark.parametrize("lang", ["en", "id"])
def test_results_at_the_limits_of_the_numbers_are_still_written(lang):
    """Inputs at 1e16 give results of 1e30 and more: written in scientific notation, never an internal error."""
    from feasibility.present.i18n import Formatter

    f = Formatter(lang)
    assert f.number(1e40) == "1E40" and f.number(-3.5e30) == ("-3.5E30" if lang == "en" else "-3,5E30")
    assert f.value(1e30, "IDR").endswith(("trillion", "triliun")) and f.money_exact(1e25)
    code, _out, err = call("evaluate", str(DEFAULT_CASE), "--lang", lang)
    assert code == 0, err


# --------------------------------------------------------------------------- found by a hostile user's review


HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"


def test_an_input_at_the_limit_does_not_break_the_sensitivity(tmp_path):
    """The switching-value search stays within the size every number keeps (it crossed 1e16 and ended in exit 1)."""
    import tomlkit

    doc = tomlkit.parse(BASE)
    q = doc["port"]["capex"]["yard_warehouse"]["amount_idr"]
    q["value"], q["low"], q["high"] = 5e15, 1e15, 1e16
    path = _with(tomlkit.dumps(doc), tmp_path)
    code, out, err = call("sensitivity", str(path), "--lang", "en")
    assert code == 0 and "port.capex.yard_warehouse.amount_idr" in out, err


def test_a_two_way_metric_the_model_does_not_compute_fails_validation(tmp_path):
    text = BASE + f'\n[[sensitivity.two_way]]\nrows = "{TARIFF}"\ncols = "{WHARF}"\nmetric = "fnpv"\n'
    path = _with(text, tmp_path)
    for argv in (["validate"], ["sensitivity", "--json"], ["report", "--iterations", "0", "-o", str(tmp_path / "r.html")]):
        code, _out, err = call(*argv, str(path))
        assert code == 2 and "sensitivity.two_way[2].metric: is not a metric of the model, got 'fnpv'; did you mean 'fnpv_idr'?" in err, err


def test_two_way_lists_and_changes_in_plain_words(tmp_path):
    head = BASE + f'\n[[sensitivity.two_way]]\nrows = "{TARIFF}"\ncols = "{WHARF}"\n'
    code, _out, err = call("validate", str(_with(head + "row_changes = [" + ", ".join(["0.1"] * 102) + "]\n", tmp_path)))
    assert code == 2 and "row_changes: a list of 102 entries; this list has at most 101" in err
    code, _out, err = call("validate", str(_with(head + "row_changes = [nan, 0.1]\n", tmp_path)))
    assert code == 2 and "row_changes[0]: must be a finite number, got nan" in err


def test_a_history_of_huge_numbers_is_refused_with_the_file_named(tmp_path):
    from test_hostile_files import case_reading

    (tmp_path / "h.csv").write_text("year,tonnes\n" + "".join(f"{y},{1e30 * (1 + 0.01 * (y % 3))}\n" for y in range(2010, 2026)), encoding="utf-8")
    path = case_reading(tmp_path, "h.csv", method="naive")
    for argv in (["validate"], ["evaluate"]):
        code, _out, err = call(*argv, str(path))
        assert code == 2 and "h.csv: the column tonnes holds a number beyond -1e16 to 1e16" in err, err


def test_a_byte_order_mark_is_read_as_windows_writes_it(tmp_path):
    from test_hostile_files import case_reading

    (tmp_path / "h.csv").write_bytes("\ufeffyear,tonnes\n".encode() + "".join(f"{y},{1000 + 40 * (y - 2010) + (y % 3)}\n" for y in range(2010, 2026)).encode())
    path = case_reading(tmp_path, "h.csv", method="naive")
    path.write_bytes("\ufeff".encode() + path.read_bytes())  # the case file too (Notepad)
    code, out, err = call("validate", str(path))
    assert code == 0 and out.startswith("ok:"), err


def test_a_seed_beyond_what_reproduce_accepts_is_refused_when_written(tmp_path):
    for cmd in (["simulate", str(DEFAULT_CASE), "--iterations", "10", "--no-progress"], ["report", str(DEFAULT_CASE), "-o", str(tmp_path / "r.html")]):
        code, _out, err = call(*cmd, "--seed", str(2**63))
        assert code == 2 and "--seed: must be a whole number from 0 to 2**63 - 1" in err
    assert not (tmp_path / "r.html").exists()


@pytest.fixture(scope="module")
def hand_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "r.html"
    code, _o, err = call("report", str(HAND), "--iterations", "0", "--lang", "en", "-o", str(out))
    assert code == 0, err
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("change, expected", [
    (lambda d: d.update(figures="abc"), "figures in a form this toolkit never writes"),
    (lambda d: d.update(generated="not-a-date"), "generated in a form this toolkit never writes"),
    (lambda d: d.update(compare=[1]), "compare in a form this toolkit never writes"),
    (lambda d: d.update(histories={".": "year,tonnes\n"}), "is a folder, not a file"),
])
def test_reproduce_refuses_an_altered_data_block_with_exit_2(tmp_path, hand_report, change, expected):
    from test_reproduce import reembed

    from feasibility.present.report import extract_data

    data = extract_data(hand_report)
    change(data)
    (tmp_path / "r.html").write_text(reembed(hand_report, data), encoding="utf-8")
    code, _out, err = call("reproduce", str(tmp_path / "r.html"))
    assert code == 2 and expected in err, err


def test_reproduce_refuses_a_data_block_nested_beyond_the_parser(tmp_path, hand_report):
    from feasibility.present.report.io import DATA_ID

    start = f'<pre id="{DATA_ID}" hidden>'
    i = hand_report.index(start) + len(start)
    j = hand_report.index("</pre>", i)
    (tmp_path / "r.html").write_text(hand_report[:i] + "[" * 100_000 + "]" * 100_000 + hand_report[j:], encoding="utf-8")
    code, _out, err = call("reproduce", str(tmp_path / "r.html"))
    assert code == 2 and "nested too deeply" in err


def test_saving_over_the_case_a_variant_builds_on_writes_a_full_copy_and_loses_nothing(case, tmp_path):
    from feasibility.studio import Studio

    s = Studio(lang="en", chart_workers=0, draw_charts=False, save_dir=tmp_path)
    try:
        s.set(TARIFF, 80_000)
        for name, tick in (("first", False), ("second", False), ("second", True), ("first", True)):
            s.save_path.value, s.overwrite.value = name, tick
            s.save_button.click()
            assert "Saved" in s.save_status.value, (name, s.save_status.value)
        for name in ("first", "second"):  # the second save over "second" would have made it a variant of itself
            assert load_case(tmp_path / f"{name}.toml").quantity(TARIFF).value == 80_000
        # "second" saved over itself became a full copy (no loop); "first" then a small variant of it
        assert "[variant]" not in (tmp_path / "second.toml").read_text(encoding="utf-8")
        assert 'base = "second.toml"' in (tmp_path / "first.toml").read_text(encoding="utf-8")
        s.save_path.value = "new\nline"
        s.save_button.click()
        assert "may not hold" in s.save_status.value
    finally:
        s.close()
