"""`feasibility reproduce REPORT`: exit 0 when every figure re-computes identically, 1 with the
differences listed, 2 for bad input (not a report, missing, or an embedded case that does not
match its SHA-256).

The reports come from the command line itself: `feasibility report` with nothing but a small
Monte Carlo writes the Indonesian report into reports/ (`--lang all`, both languages, is
checked in test_report.py, whose browser tests use those files).
"""

from __future__ import annotations

import contextlib
import hashlib
import html as htmllib
import io
import json
import re
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from feasibility.case import DEFAULT_CASE

import feasibility
from feasibility import load_case, run
from feasibility.cli import main
from feasibility.present.report import extract_data

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "cases"
DEFAULT = DEFAULT_CASE
HAND = DATA / "hand_case.toml"
ITERATIONS = 300
DATA_OPEN = '<pre id="feasibility-data" hidden>'


def call(*argv: str) -> tuple[int, str, str]:
    """main(argv) with its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def reembed(html: str, data: dict[str, Any]) -> str:
    """The report with its data block replaced by ``data`` (escaped for HTML like any text)."""
    i = html.index(DATA_OPEN) + len(DATA_OPEN)
    j = html.index("</pre>", i)
    return html[:i] + htmllib.escape(json.dumps(data, ensure_ascii=False, sort_keys=True)) + html[j:]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> dict[str, Any]:
    """`feasibility report --iterations 300` in an empty folder."""
    cwd = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        code, out, err = call("report", "--iterations", str(ITERATIONS))
    written = sorted(str(p.relative_to(cwd)) for p in cwd.rglob("*") if p.is_file())
    return {"code": code, "out": out, "err": err, "cwd": cwd, "written": written, "path": cwd / "reports" / "kota_serang.id.html"}


@pytest.fixture(scope="module")
def report_html(default_run) -> str:
    assert default_run["code"] == 0, default_run["err"]
    return default_run["path"].read_text(encoding="utf-8")


@pytest.fixture
def copy(tmp_path, report_html):
    """Write a (changed) copy of the default report and return its path."""

    def write(text: str = report_html, name: str = "copy.html") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


# ---------------------------------------------------------------------------
# the default report


def test_report_without_arguments_writes_the_indonesian_report(default_run, report_html):
    assert default_run["code"] == 0
    assert default_run["written"] == ["reports/kota_serang.id.html"]
    assert default_run["out"].strip() == "wrote reports/kota_serang.id.html"
    assert "Traceback" not in default_run["err"]
    assert '<html lang="id">' in report_html


def test_the_report_embeds_the_case_seed_and_version(report_html):
    data = extract_data(report_html)
    raw = DEFAULT.read_bytes()
    assert data["case_text"] == raw.decode("utf-8")
    assert data["case_sha256"] == hashlib.sha256(raw).hexdigest()
    assert data["seed"] == tomllib.loads(raw.decode("utf-8"))["risk"]["seed"]
    assert data["iterations"] == ITERATIONS
    assert data["version"] == feasibility.__version__
    assert data["source_name"] == "kota_serang.toml"
    assert data["figures"]["metric.fnpv_idr"] == run(load_case(DEFAULT)).metrics["fnpv_idr"]
    assert data["figures"]["verdict"] in ("feasible", "not_feasible", "feasible_partly_tested", "incomplete")
    assert len(data["figures"]) > 500


def test_reproduce_confirms_every_figure(default_run, report_html):
    code, out, err = call("reproduce", str(default_run["path"]))
    assert code == 0, out + err
    n = len(extract_data(report_html)["figures"])
    assert f"all {n} figures reproduced" in out
    assert err == ""


def test_an_edited_figure_is_named(copy, report_html):
    data = extract_data(report_html)
    before = data["figures"]["metric.fnpv_idr"]
    digits = repr(before)
    i = max(k for k, ch in enumerate(digits) if ch.isdigit() and ch != "0")  # alter one digit of the figure
    edited = float(digits[:i] + str(int(digits[i]) - 1) + digits[i + 1 :])
    assert edited != before
    data["figures"]["metric.fnpv_idr"] = edited
    path = copy(reembed(report_html, data))
    assert extract_data(path.read_text(encoding="utf-8"))["figures"]["metric.fnpv_idr"] == edited
    code, out, _ = call("reproduce", str(path))
    assert code == 1
    n = len(data["figures"])
    assert f"1 of {n} figures differ" in out
    listed = [line.strip() for line in out.splitlines()[1:]]
    assert len(listed) == 1 and listed[0].startswith("metric.fnpv_idr:")
    assert repr(edited) in listed[0] and repr(before) in listed[0]


def test_the_visible_text_is_checked_too(default_run, copy, report_html):
    """An edit of what a reader sees, which the data block does not show, is found and quoted (issue 14)."""
    code, out, _ = call("reproduce", str(default_run["path"]))
    assert code == 0 and "the visible text is the same as the report rendered again" in out
    i = report_html.index('id="key-messages"')
    j = report_html.index("FNPV minus Rp", i)  # the FNPV in the key messages, a loss
    edited = report_html[:j] + "FNPV Rp" + report_html[j + len("FNPV minus Rp"):]
    code, out, _ = call("reproduce", str(copy(edited)))
    assert code == 1
    assert "figures reproduced exactly" in out  # the data block is untouched
    assert "the visible text differs from the report rendered again from its case (2 line(s))" in out
    shown = [line.strip() for line in out.splitlines() if line.strip().startswith(("- in the report:", "+ rendered again:"))]
    assert len(shown) == 2 and "FNPV minus Rp" not in shown[0] and "FNPV minus Rp" in shown[1]
    # the date is part of the text: the report is rendered again for the day it records
    data = extract_data(report_html)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["generated"])
    older = dict(data)
    del older["generated"]
    code, out, _ = call("reproduce", str(copy(reembed(report_html, older), "older.html")))
    assert code == 0 and "the visible text was not compared: the report does not record its date" in out


def test_a_missing_and_an_added_figure_are_named(copy, report_html):
    data = extract_data(report_html)
    del data["figures"]["metric.firr"]
    data["figures"]["metric.invented"] = 1.0
    code, out, _ = call("reproduce", str(copy(reembed(report_html, data))))
    assert code == 1
    assert "metric.firr: report 'missing'" in out and "metric.invented: report 1.0, now 'missing'" in out


def test_an_altered_case_text_is_refused(copy, report_html, capsys):
    data = extract_data(report_html)
    old = "tariff_idr_per_tonne = { value = 71000,"
    assert data["case_text"].count(old) == 1
    data["case_text"] = data["case_text"].replace(old, "tariff_idr_per_tonne = { value = 91000,")
    path = copy(reembed(report_html, data))
    code, out, err = call("reproduce", str(path))
    assert code == 2
    assert out == ""
    assert str(path) in err and "SHA-256" in err and "altered" in err
    assert "Traceback" not in err


def test_an_altered_case_with_a_matching_hash_gives_other_figures(copy, report_html):
    """The figures are re-computed from the embedded case, not copied: another tariff, another FNPV."""
    data = extract_data(report_html)
    data["case_text"] = data["case_text"].replace("tariff_idr_per_tonne = { value = 71000,", "tariff_idr_per_tonne = { value = 80000,")
    data["case_sha256"] = hashlib.sha256(data["case_text"].encode("utf-8")).hexdigest()
    code, out, _ = call("reproduce", str(copy(reembed(report_html, data))))
    assert code == 1
    assert re.search(r"^\s+metric\.fnpv_idr: report ", out, flags=re.MULTILINE)


@pytest.mark.parametrize(
    "old, new, problem",
    [
        ("tariff_idr_per_tonne = { value = 71000,", "tariff_idr_per_tonne = { value = 91000,", "tariff_idr_per_tonne"),
        ("[timeline]", "[timeline", "not valid TOML"),
    ],
    ids=["breaks-a-rule", "not-toml"],
)
def test_an_embedded_case_that_does_not_load_is_bad_input(copy, report_html, old, new, problem):
    # even with a matching SHA-256: the case is validated like any case file
    data = extract_data(report_html)
    assert data["case_text"].count(old) == 1
    data["case_text"] = data["case_text"].replace(old, new)
    data["case_sha256"] = hashlib.sha256(data["case_text"].encode("utf-8")).hexdigest()
    code, out, err = call("reproduce", str(copy(reembed(report_html, data))))
    assert code == 2 and out == ""
    assert problem in err and "Traceback" not in err


def test_a_damaged_data_block_is_bad_input(copy, report_html):
    i = report_html.index(DATA_OPEN) + len(DATA_OPEN)
    code, out, err = call("reproduce", str(copy(report_html[:i] + "{not json" + report_html[i:])))
    assert code == 2 and out == ""
    assert "damaged" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "text",
    [
        "<!DOCTYPE html><html><body><p>minutes of the council meeting</p></body></html>\n",
        "",
        "schema_version = 1\n",
    ],
    ids=["html", "empty", "toml"],
)
def test_a_file_that_is_not_a_report_is_bad_input(tmp_path, text):
    path = tmp_path / "other.html"
    path.write_text(text, encoding="utf-8")
    code, out, err = call("reproduce", str(path))
    assert code == 2 and out == ""
    assert str(path) in err and "not a report" in err
    assert "Traceback" not in err


def test_a_binary_file_is_bad_input(tmp_path):
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    code, _, err = call("reproduce", str(path))
    assert code == 2 and str(path) in err and "Traceback" not in err


def test_a_missing_file_is_bad_input(tmp_path):
    path = tmp_path / "no_such_report.html"
    code, out, err = call("reproduce", str(path))
    assert code == 2 and out == ""
    assert str(path) in err and "Traceback" not in err


def test_a_folder_is_bad_input(tmp_path):
    code, _, err = call("reproduce", str(tmp_path))
    assert code == 2 and "Traceback" not in err


# ---------------------------------------------------------------------------
# a case with a forecast stream: the history file travels inside the report


def _history(first: int, last: int) -> str:
    # 5 % a year with a wobble, so the fitted random walk has a spread (as in test_risk.py)
    rows = [f"{y},{1000 * 1.05 ** (y - first) * (1 + 0.05 * np.sin(y)):.6f}" for y in range(first, last + 1)]
    return "year,tonnes\n" + "\n".join(rows) + "\n"


def _forecast_case_text(history: str) -> str:
    """The hand case with its cargo volumes forecast from a history file instead of given."""
    text = HAND.read_text(encoding="utf-8")
    for line in (
        'volume_tonnes = { value = 1000, source = "test", confidence = "placeholder" }\n',
        'ramp_up = { value = [0.5], source = "test", confidence = "placeholder" }\n',
    ):
        assert text.count(line) == 1
        text = text.replace(line, "")
    return text + (
        "\n[port.revenue.cargo_handling.forecast]\n"
        f'history = "{history}"\nvalue_column = "tonnes"\nmethod = "rw_drift"\n'
        'share = { value = 0.5, source = "test", confidence = "placeholder" }\n'
    )


@pytest.fixture(scope="module")
def forecast_report(tmp_path_factory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("forecast")
    case_dir = base / "case"
    (case_dir / "hist").mkdir(parents=True)
    history = _history(2010, 2026)
    (case_dir / "hist" / "cargo.csv").write_text(history, encoding="utf-8")
    case = case_dir / "cargo_forecast.toml"
    case.write_text(_forecast_case_text("hist/cargo.csv"), encoding="utf-8")
    out = base / "out" / "forecast.en.html"
    code, _, err = call("report", str(case), "--lang", "en", "--iterations", "100", "-o", str(out))
    assert code == 0, err
    fnpv = run(load_case(case)).metrics["fnpv_idr"]
    shutil.rmtree(case_dir)  # reproduce must not need the case folder any more
    return {"path": out, "history": history, "fnpv": fnpv}


def test_a_forecast_case_reproduces_from_the_embedded_history(forecast_report):
    html = forecast_report["path"].read_text(encoding="utf-8")
    data = extract_data(html)
    # only the two columns the case uses, each value in full precision (repr), travel in the report
    rows = [line.split(",") for line in forecast_report["history"].splitlines()[1:]]
    assert data["histories"] == {"hist/cargo.csv": "year,tonnes\n" + "".join(f"{y},{float(v)!r}\n" for y, v in rows)}
    assert data["figures"]["metric.fnpv_idr"] == forecast_report["fnpv"]
    assert any(k.startswith("simulation.") for k in data["figures"])
    code, out, err = call("reproduce", str(forecast_report["path"]))
    assert code == 0, out + err
    assert "reproduced" in out


def test_an_edited_history_gives_other_figures(forecast_report, tmp_path):
    html = forecast_report["path"].read_text(encoding="utf-8")
    data = extract_data(html)
    rows = data["histories"]["hist/cargo.csv"].splitlines()
    year, value = rows[-1].split(",")
    rows[-1] = f"{year},{float(value) * 1.5:.6f}"  # the last observed year, half as much again
    data["histories"]["hist/cargo.csv"] = "\n".join(rows) + "\n"
    path = tmp_path / "edited.html"
    path.write_text(reembed(html, data), encoding="utf-8")
    code, out, _ = call("reproduce", str(path))
    assert code == 1
    assert re.search(r"^\s+metric\.fnpv_idr: report ", out, flags=re.MULTILINE)


def test_an_embedded_history_path_cannot_escape(forecast_report, tmp_path):
    html = forecast_report["path"].read_text(encoding="utf-8")
    data = extract_data(html)
    name = f"escaped-{tmp_path.name}.csv"
    target = Path(tempfile.gettempdir()) / name  # where '../' from reproduce's temporary folder leads
    data["histories"] = {f"../{name}": forecast_report["history"]}
    path = tmp_path / "escape.html"
    path.write_text(reembed(html, data), encoding="utf-8")
    code, _, err = call("reproduce", str(path))
    # '../' climbs inside reproduce's own temporary folder (the case is put deep enough for it),
    # never out of it; the case then misses its real history file: bad input
    assert code == 2
    assert not target.exists()
    data["histories"] = {"/tmp/" + name: forecast_report["history"]}
    path.write_text(reembed(html, data), encoding="utf-8")
    code, _, err = call("reproduce", str(path))
    assert code == 2 and "outside" in err
    assert not Path("/tmp", name).exists()


def test_a_forecast_case_reading_history_from_a_sibling_folder_reproduces(tmp_path):
    (tmp_path / "hist").mkdir()
    (tmp_path / "hist" / "cargo.csv").write_text(_history(2010, 2026), encoding="utf-8")
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "cargo_forecast.toml"
    case.write_text(_forecast_case_text("../hist/cargo.csv"), encoding="utf-8")
    out = tmp_path / "r.html"
    # the sibling folder is outside the case's: only with the user's explicit --allow-path
    code, _, err = call("report", str(case), "--lang", "en", "--iterations", "0", "-o", str(out))
    assert code == 2 and "is outside the case's folder" in err
    assert call("report", str(case), "--lang", "en", "--iterations", "0", "-o", str(out), "--allow-path", str(tmp_path / "hist"))[0] == 0
    code, stdout, err = call("reproduce", str(out))  # from what the report carries, in its own temporary folder
    assert code == 0, stdout + err


def test_the_sha256_is_that_of_the_case_file_as_it_is_on_disk(tmp_path):
    case = tmp_path / "hand_crlf.toml"
    case.write_bytes(HAND.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "r.html"
    assert call("report", str(case), "--lang", "en", "--iterations", "0", "-o", str(out))[0] == 0
    data = extract_data(out.read_text(encoding="utf-8"))
    assert data["case_sha256"] == hashlib.sha256(case.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------
# a comparison report


def test_an_edited_figure_of_a_compared_case_is_named(tmp_path):
    variant = tmp_path / "hand_low_tariff.toml"
    text = HAND.read_text(encoding="utf-8")
    old = "tariff_idr_per_tonne = { value = 100000,"
    assert text.count(old) == 1
    variant.write_text(text.replace(old, "tariff_idr_per_tonne = { value = 90000,"), encoding="utf-8")
    out = tmp_path / "compare.en.html"
    assert call("report", str(HAND), "--compare", str(variant), "--lang", "en", "--iterations", "0", "-o", str(out))[0] == 0
    html = out.read_text(encoding="utf-8")
    data = extract_data(html)
    assert data["compare"][0]["figures"]["metric.fnpv_idr"] == run(load_case(variant)).metrics["fnpv_idr"]
    data["compare"][0]["figures"]["metric.fnpv_idr"] = 123.0
    edited = tmp_path / "edited.html"
    edited.write_text(reembed(html, data), encoding="utf-8")
    code, out_text, _ = call("reproduce", str(edited))
    assert code == 1 and "metric.fnpv_idr" in out_text
