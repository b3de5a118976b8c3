"""The workbook (issue 16, work in progress): LibreOffice recomputes its formulas to the model's figures.

LibreOffice (Debian's ``libreoffice-calc-nogui``) is run headless with a private
profile that forces recalculation on load (``OOXMLRecalcMode`` = always): by
default it would show the values cached in the file, which XlsxWriter writes as 0.
"""

import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from feasibility import load_case
from feasibility.cli import main
from feasibility.model import run
from feasibility.present.i18n import catalog
from feasibility.present.workbook import excel_name, write_workbook

SOFFICE = shutil.which("soffice")
_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recompute(xlsx: Path, tmp: Path) -> Path:
    """The workbook as LibreOffice saves it after recomputing every formula."""
    if SOFFICE is None:
        pytest.fail("LibreOffice is missing: apt-get install libreoffice-calc-nogui (see .ci/run)")
    profile = tmp / "lo_profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
    out = tmp / "recomputed"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "xlsx", "--outdir", str(out),
                    str(xlsx)], check=True, capture_output=True, timeout=180)
    return out / xlsx.name


def _metrics(book: Path, lang: str) -> dict[str, float]:
    import openpyxl

    ws = openpyxl.load_workbook(book, data_only=True)[catalog(lang)["workbook"]["sheet_metrics"]]
    return {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_row=4, values_only=True)}


@pytest.mark.parametrize(("lang", "scenario"), [("en", None), ("id", "low")])
def test_libreoffice_recomputes_fnpv_and_firr_to_the_models(tmp_path, lang, scenario):
    """The spreadsheet's own NPV and IRR over the annual free cash flow equal the model's FNPV and FIRR."""
    case = load_case()
    over = case.scenario(scenario) if scenario else {}
    res = run(case, over)
    book = recompute(write_workbook(case, tmp_path / "kota.xlsx", lang=lang, overrides=over), tmp_path)
    got = _metrics(book, lang)
    for key in ("wacc", "fnpv_idr", "firr"):
        want = float(res.metrics[key])
        if math.isnan(want):  # undefined in the model (the low scenario's FIRR: no rate makes the NPV zero)
            assert isinstance(got[key], str) and got[key].startswith("#"), (key, got[key])  # and an error in the spreadsheet
        else:
            assert got[key] == pytest.approx(want, rel=1e-9), key


def test_the_assumptions_sheet_names_every_number(tmp_path):
    import openpyxl

    case = load_case()
    wb = openpyxl.load_workbook(write_workbook(case, tmp_path / "k.xlsx", lang="en"))
    ws = wb["Assumptions"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    qmap = case.quantity_map()
    assert set(rows) == set(qmap)  # one row per quantity
    tariff = "port.revenue.cargo_handling.tariff_idr_per_tonne"
    label, _path, value, unit, low, high, source, _year, confidence = rows[tariff]
    q = qmap[tariff]
    assert (value, low, high, source, confidence) == (q.value, q.low, q.high, q.source, q.confidence)
    assert "tariff" in label and unit == "IDR per tonne"
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
