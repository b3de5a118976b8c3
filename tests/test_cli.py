"""The command line: evaluate, validate, report, and the exit codes 0 / 2 / 1.

Most tests call ``feasibility.cli.main`` in-process; three run the installed
``feasibility`` console script to check the real exit code and that no
traceback reaches the user.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from feasibility.case import DEFAULT_CASE

import feasibility.model
from feasibility.cli import main
from feasibility.metrics import registry

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "cases"
DEFAULT = DEFAULT_CASE
HAND = DATA / "hand_case.toml"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # nothing is written into the repository (report's default is reports/ in the cwd),
    # and the debug switch of the environment does not leak in
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FEASIBILITY_DEBUG", raising=False)


def _no_constants(name: str) -> float:
    raise ValueError(f"not valid JSON: {name}")


def strict_json(text: str) -> dict:
    """json.loads that refuses NaN/Infinity (Python's json accepts them by default)."""
    return json.loads(text, parse_constant=_no_constants)


def broken_hand_case(tmp_path: Path) -> tuple[Path, list[str]]:
    """The hand case with three independent mistakes, and the problem lines expected for them."""
    text = HAND.read_text(encoding="utf-8")
    edits = [
        (
            "tariff_idr_per_tonne = { value = 100000,",
            "tariff_idr_per_tonne = { value = -5,",
            "port.revenue.cargo_handling.tariff_idr_per_tonne: must be >= 0, got -5",
        ),
        (
            "tantiem_share = { value = 0.05,",
            "tantiem_share = { value = 0.1,",
            "bumd.allocation.tantiem_share: must be <= 0.05, got 0.1",
        ),
        (
            "payable_days = { value = 0,",
            "payable_days = { value = nan,",
            "working_capital.payable_days: must be a finite number, got nan",
        ),
    ]
    expected = []
    for old, new, line in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
        expected.append(line)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path, expected


def console_script() -> str:
    here = Path(sys.executable).with_name("feasibility")
    found = str(here) if here.exists() else shutil.which("feasibility")
    assert found, "the `feasibility` console script is not installed (pip install -e .)"
    return found


def run_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FEASIBILITY_DEBUG"}
    return subprocess.run(
        [console_script(), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=60
    )


# ---------------------------------------------------------------------------
# evaluate


def test_evaluate_default_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    with DEFAULT.open("rb") as fh:
        name = tomllib.load(fh)["case"]["name"]["en"]
    assert lines[0] == name  # the default case, not some other
    fnpv = [line for line in lines if line.startswith("Project FNPV")]
    assert len(fnpv) == 1
    assert re.search(r"IDR -?[0-9][0-9.,]* (billion|million|trillion)?", fnpv[0]), fnpv[0]
    assert "Traceback" not in err


def test_evaluate_json_hand_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(HAND), "--json"]) == 0
    out, _ = capsys.readouterr()
    doc = strict_json(out)  # NaN must have become null
    assert {"metrics", "annual"} <= set(doc)

    annual = doc["annual"]
    # start 2025, 1 construction year + 4 operating years
    assert annual["year"] == [2025, 2026, 2027, 2028, 2029]
    assert len(annual) > 1
    for column, values in annual.items():
        assert isinstance(values, list), column
        assert len(values) == 5, column
        assert all(v is None or isinstance(v, (int, float)) for v in values), column

    metrics = doc["metrics"]
    assert all(v is None or isinstance(v, (int, float)) for v in metrics.values())
    # hand: the loan finances 50% of construction capex at 10% (D/V = 0.5, E/V = 0.5),
    # cost of equity 12%, CIT 20%:
    # WACC = 0.5 * 0.12 + 0.5 * 0.10 * (1 - 0.20) = 0.10
    assert metrics["wacc"] == pytest.approx(0.10, abs=1e-12)


def test_evaluate_json_default_case_has_no_nan(capsys: pytest.CaptureFixture[str]) -> None:
    # the default case has undefined values (DSCR in construction years, IRRs without a
    # root): they must be null, and the document must still be strict JSON
    assert main(["evaluate", "--json"]) == 0
    doc = strict_json(capsys.readouterr().out)
    years = doc["annual"]["year"]
    assert years == list(range(2027, 2057))  # 2 construction + 28 operating years from 2027
    assert all(len(v) == len(years) for v in doc["annual"].values())
    assert None in doc["annual"]["dscr"]  # no debt service during construction


def test_evaluate_bad_case_exit_2_and_nothing_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, expected = broken_hand_case(tmp_path)
    assert main(["evaluate", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    for line in expected:
        assert line in err


# ---------------------------------------------------------------------------
# validate


@pytest.mark.parametrize("path", [HAND, DEFAULT], ids=lambda p: p.name)
def test_validate_good_file(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("ok")
    assert str(path) in out
    assert err == ""


def test_validate_counts_the_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    # 24 `{ value = ... }` quantities and 1 note, counted by hand in tests/cases/hand_case.toml
    assert main(["validate", str(HAND)]) == 0
    out = capsys.readouterr().out
    assert "24 numbers" in out and "1 notes" in out


def test_validate_broken_file_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, expected = broken_hand_case(tmp_path)
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == f"{path}: 3 problem(s)"
    assert sorted(line.strip() for line in lines[1:]) == sorted(expected)
    assert "Traceback" not in err


def test_validate_without_case_checks_the_default_case(capsys: pytest.CaptureFixture[str]) -> None:
    # like evaluate and report, validate defaults to the Kota Serang case
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and "kota_serang.toml" in out
    from collections import Counter

    from feasibility import load_case

    # the counts by confidence, each level named: every number of the case, as the report's assumption register
    # counts them (the industrial-services line the plan leaves out and the options' own numbers included)
    counts = Counter(a["confidence"] for a in load_case().assumptions())
    assert f"{sum(counts.values())} numbers: " in out and all(f"{n} {level}" in out for level, n in counts.items())


# ---------------------------------------------------------------------------
# --version, misspelled commands and values


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        expected = tomllib.load(fh)["project"]["version"]
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"feasibility {expected}\n"


def test_misspelled_command_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluat"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "error: unknown command 'evaluat'; did you mean 'evaluate'?\n"
    assert main(["--no-such-flag", "simulat", "x.toml"]) == 2  # the command is the first word without a dash
    assert capsys.readouterr().err == "error: unknown command 'simulat'; did you mean 'simulate'?\n"


def test_unknown_command_without_a_close_one_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["xyzzy"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: unknown command 'xyzzy'; commands: evaluate, validate, report, reproduce, sensitivity, simulate, appraise, new, export, import, studio\n"
    )


def test_misspelled_metric_suggests_the_closest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", str(HAND), "--metric", "fnvp_idr"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --metric: 'fnvp_idr' is not a metric; did you mean 'fnpv_idr'? (metrics: fnpv_idr, firr, ")


@pytest.mark.parametrize(
    "given, hint",
    [("hgh", "; did you mean 'high'?"), ("lwo", "; did you mean 'low'?"), ("zzz", "")],
)
def test_misspelled_scenario_suggests_the_closest(given: str, hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    # the default case has the scenarios low and high
    assert main(["evaluate", "--scenario", given]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"error: --scenario: {given!r} is not a scenario of the case{hint} (scenarios: low, high)\n"


# ---------------------------------------------------------------------------
# one default language for every command: $FEASIBILITY_LANG, else id

#: per command: its arguments, and what tells its output's language (written from the catalogs by hand)
LANG_COMMANDS = {
    "evaluate": (["evaluate", str(HAND)], {"id": "FNPV proyek (setelah pajak", "en": "Project FNPV (after tax"}),
    "sensitivity": (["sensitivity", str(HAND)], {"id": "FNPV proyek (setelah pajak", "en": "Project FNPV (after tax"}),
    "simulate": (["simulate", str(HAND), "--iterations", "20", "--no-progress"], {"id": "minus Rp6,6 juta", "en": "minus IDR 6.6 million"}),
    "report": (["report", str(HAND), "--iterations", "0", "-o", "r.html"], {"id": '<html lang="id"', "en": '<html lang="en"'}),
}


def _language_of(command: str, stdout: str) -> str:
    text = Path("r.html").read_text(encoding="utf-8") if command == "report" else stdout
    found = [lang for lang, marker in LANG_COMMANDS[command][1].items() if marker in text]
    assert len(found) == 1, text[:500]
    return found[0]


@pytest.mark.parametrize("command", list(LANG_COMMANDS))
@pytest.mark.parametrize(
    "env, flag, expected",
    [(None, None, "id"), ("", None, "id"), ("en", None, "en"), ("id", None, "id"), ("id", "en", "en"), ("en", "id", "id")],
    ids=["unset", "empty", "env-en", "env-id", "flag-over-env-en", "flag-over-env-id"],
)
def test_language_rule(
    command: str, env: str | None, flag: str | None, expected: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    if env is not None:
        monkeypatch.setenv("FEASIBILITY_LANG", env)
    args = LANG_COMMANDS[command][0] + (["--lang", flag] if flag else [])
    assert main(args) == 0
    assert _language_of(command, capsys.readouterr().out) == expected


@pytest.mark.parametrize("command", list(LANG_COMMANDS))
@pytest.mark.parametrize("bad", ["fr", "EN", "all", " id"])
def test_language_from_the_environment_must_be_id_or_en(
    command: str, bad: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FEASIBILITY_LANG", bad)
    assert main(LANG_COMMANDS[command][0]) == 2
    out, err = capsys.readouterr()
    assert out == "" and not Path("r.html").exists()
    assert err == f"error: FEASIBILITY_LANG={bad!r}: must be id or en (or unset, for id)\n"


def test_an_explicit_lang_does_not_read_the_environment(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FEASIBILITY_LANG", "fr")
    assert main(["evaluate", str(HAND), "--lang", "en"]) == 0
    assert "Project FNPV" in capsys.readouterr().out


@pytest.mark.parametrize("command", [None, *LANG_COMMANDS])
def test_help_states_the_language_rule(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"] if command else ["--help"])
    assert exc.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "default: $FEASIBILITY_LANG if set (id or en), else id" in text


# ---------------------------------------------------------------------------
# Monte Carlo iterations: one set of limits (1..1,000,000; a report also takes 0)


@pytest.mark.parametrize(
    "args, message",
    [
        (["simulate", str(HAND), "--iterations", "0", "--no-progress"], "between 1 and 1,000,000, got 0"),
        (["simulate", str(HAND), "--iterations", "1000001", "--no-progress"], "between 1 and 1,000,000, got 1000001"),
        (["report", str(HAND), "--iterations", "1000001"], "between 0 and 1,000,000, got 1000001"),
        (["report", str(HAND), "--iterations", "-1"], "between 0 and 1,000,000, got -1"),
    ],
    ids=["simulate-0", "simulate-too-many", "report-too-many", "report-negative"],
)
def test_iteration_limits(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err == f"error: --iterations: must be {message}\n"


@pytest.mark.parametrize("n, ok", [(1, True), (1_000_000, True), (0, False), (1_000_001, False)])
def test_case_file_iteration_limits(n: int, ok: bool) -> None:
    from feasibility.case import CaseError, parse_case

    with HAND.open("rb") as fh:
        data = tomllib.load(fh)
    data["risk"] = {"iterations": n}
    if ok:
        assert parse_case(data, "hand").risk.iterations == n
    else:
        with pytest.raises(CaseError, match=r"risk\.iterations"):
            parse_case(data, "hand")


def test_simulate_with_the_smallest_number_of_iterations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(HAND), "--iterations", "1", "--no-progress", "--lang", "en"]) == 0
    assert "1 iterations" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# report (what the report says: test_report.py; `feasibility reproduce`: test_reproduce.py)


def _lang_of(path: Path) -> str:
    m = re.search(r'<html lang="([a-z]+)"', path.read_text(encoding="utf-8"))
    assert m, "no <html lang=...>"
    return m.group(1)


class _Tables(HTMLParser):
    """The cell texts of every table with an id, row by row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id"):
            self._table = dict(attrs)["id"]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if self._table and tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(path: Path) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


@pytest.mark.parametrize("lang", ["en", "id"])
def test_report_writes_the_file_in_the_language(tmp_path: Path, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / f"hand.{lang}.html"
    assert main(["report", str(HAND), "-o", str(out), "--lang", lang, "--iterations", "0"]) == 0
    assert out.is_file()
    assert _lang_of(out) == lang
    assert str(out) in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind


def test_report_default_language_is_indonesian(tmp_path: Path) -> None:
    out = tmp_path / "hand.html"
    assert main(["report", str(HAND), "-o", str(out), "--iterations", "0"]) == 0
    assert _lang_of(out) == "id"


def test_report_refuses_to_overwrite_a_foreign_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "notes.html"
    original = "<html><body>my own notes, not a report</body></html>\n"
    out.write_text(original, encoding="utf-8")
    assert main(["report", str(HAND), "-o", str(out), "--lang", "en", "--iterations", "0"]) == 2
    assert out.read_text(encoding="utf-8") == original
    err = capsys.readouterr().err
    assert str(out) in err and "--force" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.html"]

    assert main(["report", str(HAND), "-o", str(out), "--lang", "en", "--iterations", "0", "--force"]) == 0
    assert out.read_text(encoding="utf-8") != original
    assert _lang_of(out) == "en"


def test_report_refuses_a_foreign_file_at_the_default_path(capsys: pytest.CaptureFixture[str]) -> None:
    # the cwd is tmp_path: the default output is reports/<case>.<lang>.html there
    foreign = Path("reports") / "hand_case.id.html"
    foreign.parent.mkdir()
    foreign.write_text("draft\n", encoding="utf-8")
    assert main(["report", str(HAND), "--iterations", "0"]) == 2
    assert foreign.read_text(encoding="utf-8") == "draft\n"
    assert "--force" in capsys.readouterr().err


def test_report_overwrites_its_own_report(tmp_path: Path) -> None:
    out = tmp_path / "hand.html"
    assert main(["report", str(HAND), "-o", str(out), "--lang", "en", "--iterations", "0"]) == 0
    assert _lang_of(out) == "en"
    assert main(["report", str(HAND), "-o", str(out), "--lang", "id", "--iterations", "0"]) == 0  # no --force
    assert _lang_of(out) == "id"


def test_report_output_with_both_languages_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "both.html"
    assert main(["report", str(HAND), "-o", str(out), "--lang", "all"]) == 2
    err = capsys.readouterr().err
    assert "--lang all" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # neither the file nor reports/


def test_report_output_is_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(HAND), "-o", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err


def test_report_missing_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no_such_case.toml"
    out = tmp_path / "r.html"
    assert main(["report", str(missing), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err
    assert "Traceback" not in err
    assert not out.exists()


def test_report_output_below_a_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    assert main(["report", str(HAND), "-o", str(blocker / "r.html"), "--iterations", "0"]) == 2
    err = capsys.readouterr().err
    assert str(blocker / "r.html") in err and "Traceback" not in err
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize(
    "args",
    [["--iterations", "-1"], ["--iterations", "1000001"], ["--seed", "-1"]],
    ids=["iterations-1", "iterations-too-many", "seed-1"],
)
def test_report_bad_numbers_are_bad_input(tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(HAND), *args]) == 2
    err = capsys.readouterr().err
    assert args[0] in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_report_compare_missing_other_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no_such_variant.toml"
    out = tmp_path / "cmp.html"
    assert main(["report", str(HAND), "--compare", str(missing), "-o", str(out), "--iterations", "0"]) == 2
    assert str(missing) in capsys.readouterr().err
    assert not out.exists()


def test_report_compare_puts_cases_side_by_side(tmp_path: Path) -> None:
    from feasibility import load_case, run
    from feasibility.present.i18n import Formatter, catalog

    text = DEFAULT.read_text(encoding="utf-8")
    edits = [
        ("tariff_idr_per_tonne = { value = 71000,", "tariff_idr_per_tonne = { value = 55000,"),
        ('name = { id = "BUMD pelabuhan Kota Serang:', 'name = { id = "Varian tarif rendah:'),
    ]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    low = tmp_path / "low_tariff.toml"
    low.write_text(text, encoding="utf-8")
    out = tmp_path / "compare.id.html"
    assert main(["report", str(DEFAULT), "--compare", str(low), "--iterations", "300", "-o", str(out)]) == 0

    table = tables_of(out)["compare-table"]
    header = table[0]
    with DEFAULT.open("rb") as fh:
        name = tomllib.load(fh)["case"]["name"]["id"]
    assert len(header) == 3
    assert name in header[1] and "kota_serang.toml" in header[1]
    assert header[2].startswith("Varian tarif rendah:") and "low_tariff.toml" in header[2]
    label = registry.label("fnpv_idr", "id")
    fnpv_rows = [r for r in table[1:] if r[0] == label]
    assert len(fnpv_rows) == 1
    fmt = Formatter("id")
    base, variant = run(load_case(DEFAULT)).metrics["fnpv_idr"], run(load_case(low)).metrics["fnpv_idr"]
    assert variant < base  # a lower tariff, less value
    assert fnpv_rows[0][1:] == [fmt.money(base), fmt.money(variant)]


def test_validate_case_path_below_a_file_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(HAND / "x.toml")]) == 2


# ---------------------------------------------------------------------------
# internal errors


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom in the model")


def test_internal_error_exit_1_without_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(feasibility.model, "run", _boom)
    assert main(["evaluate", str(HAND)]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("internal error")
    assert "RuntimeError" in err and "boom in the model" in err
    assert "FEASIBILITY_DEBUG" in err  # tells how to get details
    assert "Traceback" not in err


def test_internal_error_traceback_with_debug(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(feasibility.model, "run", _boom)
    monkeypatch.setenv("FEASIBILITY_DEBUG", "1")
    assert main(["evaluate", str(HAND), "--json"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "boom in the model" in err
    assert "internal error" in err


def test_internal_error_in_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import feasibility.present.report

    monkeypatch.setattr(feasibility.present.report, "render_report", _boom)
    out = tmp_path / "r.html"
    assert main(["report", str(HAND), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("internal error") and "Traceback" not in err
    assert not out.exists()


# ---------------------------------------------------------------------------
# the real console script (three runs)


def test_script_evaluate_json(tmp_path: Path) -> None:
    r = run_script("evaluate", str(HAND), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert strict_json(r.stdout)["annual"]["year"] == [2025, 2026, 2027, 2028, 2029]


def test_script_validate_broken_file(tmp_path: Path) -> None:
    path, expected = broken_hand_case(tmp_path)
    r = run_script("validate", str(path), cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    for line in expected:
        assert line in r.stderr
    assert r.stdout == ""


def test_script_report_missing_case(tmp_path: Path) -> None:
    missing = tmp_path / "missing_case.toml"
    r = run_script("report", str(missing), "-o", str(tmp_path / "r.html"), cwd=tmp_path)
    assert r.returncode == 2
    assert str(missing) in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "r.html").exists()
