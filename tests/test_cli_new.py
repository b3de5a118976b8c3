"""`feasibility new NAME.toml`: a short, commented, valid starter case of placeholders.

The starter's numbers are checked against a hand calculation below, so a change
of the template shows here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from feasibility.cli import main

#: the optional sections the starter explains in comments, and the header its example shows
OPTIONAL = {
    "lab": "[lab]",
    "loans": "[financing.loans.",
    "capacity": "[port.capacity]",
    "economic": "[economic]",
    "ppp": "[ppp]",
    "scenarios": "[scenarios.",
    "criteria": "[criteria]",
    "sensitivity": "[sensitivity]",
    "risk": "[risk.",
}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FEASIBILITY_DEBUG", raising=False)


def script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).with_name("feasibility")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_new_validate_evaluate_all_exit_0(tmp_path: Path) -> None:
    for args in (["new", "x.toml"], ["validate", "x.toml"], ["evaluate", "x.toml"]):
        r = script(*args, cwd=tmp_path)
        assert r.returncode == 0, (args, r.stderr)
        assert "Traceback" not in r.stderr
    assert (tmp_path / "x.toml").is_file()


def test_starter_figures_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "x.toml"]) == 0
    capsys.readouterr()
    assert main(["evaluate", "x.toml", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    a = {k: dict(zip(doc["annual"]["year"], v)) for k, v in doc["annual"].items()}
    m = doc["metrics"]

    # one construction year from 2027, then 20 operating years; results in 2026 prices
    assert doc["annual"]["year"] == list(range(2027, 2048))
    assert doc["price_basis"] == "real" and doc["price_base_year"] == 2026
    # revenue = volume x tariff: 100,000 t x Rp50,000 = Rp5 bn a full year; half of it in
    # the first operating year (ramp_up = [0.5]); nothing while building
    assert a["revenue_total_idr"][2027] == 0
    assert a["revenue_total_idr"][2028] == pytest.approx(2.5e9, rel=1e-12)
    for year in (2029, 2040, 2047):
        assert a["revenue_total_idr"][year] == pytest.approx(5e9, rel=1e-12)
    # variable cost 100,000 t x Rp20,000 = Rp2 bn; staff Rp1 bn; concession fee 2.5% of Rp5 bn
    assert a["variable_cost_idr"][2030] == pytest.approx(2e9, rel=1e-12)
    assert a["fixed_opex_idr"][2030] == pytest.approx(1e9, rel=1e-12)
    assert a["concession_fee_idr"][2030] == pytest.approx(0.125e9, rel=1e-12)
    # EBITDA = 5 - 2 - 1 - 0.125 = Rp1.875 bn
    assert a["ebitda_idr"][2030] == pytest.approx(1.875e9, rel=1e-12)
    # the wharf, Rp20 bn in 2026 prices, built in 2027
    assert a["capex_idr"][2027] == pytest.approx(20e9, rel=1e-12)
    assert m["capex_total_idr"] == pytest.approx(20e9, rel=1e-12)
    # tax depreciation: 20 years straight line (building_permanent) of its 2027 cost
    # (20 bn x 1.03), shown in 2026 prices in 2028: / 1.03^2
    assert a["depreciation_idr"][2028] == pytest.approx(20e9 * 1.03 / 20 / 1.03**2, rel=1e-9)
    # no loan: the WACC is the cost of equity, 12% nominal, in real terms at 3% inflation
    assert m["wacc"] == pytest.approx(1.12 / 1.03 - 1, rel=1e-12)
    assert m["debt_total_idr"] == 0
    # the region injects Rp21 bn nominal in 2027: 21 / 1.03 in 2026 prices
    assert m["region_injection_total_idr"] == pytest.approx(21e9 / 1.03, rel=1e-12)


def test_starter_numbers_are_all_placeholders_and_the_optional_sections_are_comments() -> None:
    from feasibility.case import load_case

    assert main(["new", "x.toml"]) == 0
    text = Path("x.toml").read_text(encoding="utf-8")
    case = load_case("x.toml")
    quantities = dict(case.quantities())
    assert len(quantities) == 19  # counted by hand in feasibility/data/starter.toml
    assert {q.confidence for q in quantities.values()} == {"placeholder"}
    data = tomllib.loads(text)
    assert set(data) == {"schema_version", "case", "timeline", "macro", "tax", "working_capital", "port", "bumd", "financing", "region", "concession"}
    assert set(data["port"]["revenue"]) == {"cargo_handling"}
    assert len(data["port"]["opex"]) == 1 and len(data["port"]["capex"]) == 1
    assert "loans" not in data["financing"] and "capacity" not in data["port"]
    comments = [line for line in text.splitlines() if line.startswith("#")]
    for name, header in OPTIONAL.items():
        examples = [line for line in comments if line.lstrip("# ").startswith(header)]
        assert len(examples) == 1, name  # one one-line example each
        i = comments.index(examples[0])
        assert comments[i - 1].startswith(f"# {name}:"), name  # ... under a line saying what it is for
    code = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(code) <= 60  # short: a page of settings


def test_new_never_overwrites_without_force(capsys: pytest.CaptureFixture[str]) -> None:
    mine = Path("mine.toml")
    mine.write_text("# my own case\n", encoding="utf-8")
    assert main(["new", "mine.toml"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "error: mine.toml exists; use --force to overwrite it\n"
    assert mine.read_text(encoding="utf-8") == "# my own case\n"

    assert main(["new", "mine.toml", "--force"]) == 0
    assert "wrote mine.toml" in capsys.readouterr().out
    assert mine.read_text(encoding="utf-8").startswith("# A starter case, written by `feasibility new`")
    assert sorted(os.listdir(".")) == ["mine.toml"]  # no temporary file left behind


def test_new_writes_the_packaged_template_into_a_new_folder(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.resources import files

    assert main(["new", "cases/serang_v2.toml"]) == 0
    out = capsys.readouterr().out
    shown = Path("cases/serang_v2.toml")  # cases\\serang_v2.toml on Windows
    assert out.splitlines() == [
        f"wrote {shown}: a starter case whose numbers are all placeholders; replace them, then run",
        f"  feasibility validate {shown}",
    ]
    template = files("feasibility").joinpath("data", "starter.toml").read_text(encoding="utf-8")
    assert Path("cases/serang_v2.toml").read_text(encoding="utf-8") == template


@pytest.mark.parametrize(
    "name, message",
    [
        ("case.txt", "error: case.txt: a case file name ends in .toml, e.g. case.toml\n"),
        ("case", "error: case: a case file name ends in .toml, e.g. case.toml\n"),
    ],
)
def test_new_wants_a_toml_name(name: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", name]) == 2
    assert capsys.readouterr().err == message
    assert os.listdir(".") == []


def test_new_refuses_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    Path("dir.toml").mkdir()
    assert main(["new", "dir.toml", "--force"]) == 2
    assert capsys.readouterr().err == "error: dir.toml is a folder; give a file name\n"
