"""Variant files: a base case file and the values changed from it (``[variant]``), as the studio saves a scenario.

A variant is read as its base with its changes (the studio's provenance rules),
so a later fix of the base reaches it; its problems are all reported at once,
at ``variant.*``; its base may be another variant, never in a loop; a report
of a variant embeds the complete case, not a reference to another file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_case_forecasts import forecast_case, growing

from feasibility.case import CaseError, case_text, load_case, parse_case
from feasibility.case.edit import save_variant
from feasibility.cli import main
from feasibility.model import run

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
RATE = "tax.corporate_income_tax_rate"


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    p = tmp_path / "base" / "hand_case.toml"
    p.parent.mkdir()
    shutil.copyfile(HAND, p)
    return p


def test_a_variant_is_its_base_with_its_changes(hand: Path, tmp_path: Path) -> None:
    base = load_case(hand)
    old = base.quantity(TARIFF).value
    v = save_variant(hand, {TARIFF: old * 2, RATE: 0.25}, tmp_path / "scenarios" / "v.toml")
    text = v.read_text(encoding="utf-8")
    assert text.count("[variant.set.") == 2 and 'base = "../base/hand_case.toml"' in text and len(text.splitlines()) < 15
    case = load_case(v)
    assert case.quantity(TARIFF).value == old * 2 and case.quantity(RATE).value == 0.25
    assert case.quantity(TARIFF).source.startswith("studio: changed from") and case.quantity(TARIFF).confidence == "estimate"
    expected = run(base, {TARIFF: old * 2, RATE: 0.25}).metrics["fnpv_idr"]
    assert run(case).metrics["fnpv_idr"] == pytest.approx(expected, rel=1e-12)
    # a fix of the base reaches the variant: only its changes are its own
    hand.write_text(hand.read_text(encoding="utf-8").replace("schema_version = 1", "schema_version = 1\n# fixed"), encoding="utf-8")
    fixed = hand.read_text(encoding="utf-8")
    assert "# fixed" in fixed
    name_line = next(line for line in fixed.splitlines() if line.startswith("name"))
    hand.write_text(fixed.replace(name_line, 'name = "Hand case, corrected"'), encoding="utf-8")
    assert str(load_case(v).case.name) == "Hand case, corrected"


def test_a_reports_text_of_a_variant_is_the_complete_case(hand: Path, tmp_path: Path) -> None:
    v = save_variant(hand, {TARIFF: 1234.0}, tmp_path / "v.toml")
    text = case_text(v)
    assert "[variant" not in text and "sha256" in text.splitlines()[0]
    import tomllib

    again = parse_case(tomllib.loads(text), "embedded", base_dir=tmp_path)
    assert run(again).metrics["fnpv_idr"] == pytest.approx(run(load_case(v)).metrics["fnpv_idr"], rel=1e-12)


def test_variants_of_variants_and_loops(hand: Path, tmp_path: Path) -> None:
    a = save_variant(hand, {TARIFF: 1000.0}, tmp_path / "a.toml")
    b = save_variant(a, {RATE: 0.3}, tmp_path / "b.toml")
    case = load_case(b)
    assert case.quantity(TARIFF).value == 1000.0 and case.quantity(RATE).value == 0.3
    (tmp_path / "loop.toml").write_text('[variant]\nbase = "loop2.toml"\n', encoding="utf-8")
    (tmp_path / "loop2.toml").write_text('[variant]\nbase = "loop.toml"\n', encoding="utf-8")
    with pytest.raises(CaseError, match="loop"):
        load_case(tmp_path / "loop.toml")


def test_every_problem_of_a_variant_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[variant]\nbase = "missing.toml"\ncolour = "red"\n'
        '[variant.set."port.revenue.cargo_handling.tarif"]\nvalue = "x"\n'
        '[variant.set."tax.corporate_income_tax_rate"]\nvalue = true\nsource = ""\n'
        '[case]\nname = "not here"\n',
        encoding="utf-8",
    )
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    for where in ("variant.colour", "variant.set.port.revenue.cargo_handling.tarif.value", "variant.set.port.revenue.cargo_handling.tarif.source",
                  "variant.set.tax.corporate_income_tax_rate.value", "variant.set.tax.corporate_income_tax_rate.source", "variant.base", "case"):
        assert where in err, where
    assert "file not found" in err and "Traceback" not in err
    typo = tmp_path / "typo.toml"
    typo.write_text('[variant]\nbase = "default"\n[variant.set."port.revenue.cargo_handling.tarif_idr_per_tonne"]\nvalue = 1\nsource = "me"\n',
                    encoding="utf-8")
    with pytest.raises(CaseError, match="did you mean 'port.revenue.cargo_handling.tariff_idr_per_tonne'"):
        load_case(typo)
    neg = tmp_path / "neg.toml"
    neg.write_text(f'[variant]\nbase = "default"\n[variant.set."{TARIFF}"]\nvalue = -1\nsource = "me"\n', encoding="utf-8")
    with pytest.raises(CaseError, match=f"{TARIFF}: must be >= 0"):  # the schema's rules hold for a variant's values
        load_case(neg)


def test_a_variant_elsewhere_finds_its_bases_forecast_history(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    base = forecast_case(tmp_path / "cases", growing(2015, 2024))
    v = save_variant(base, {RATE: 0.2}, tmp_path / "elsewhere" / "deep" / "v.toml")
    case = load_case(v)
    assert case.port.revenue["cargo_handling"].forecast.history == "../../cases/hist.csv"  # relative to the variant
    assert run(case).metrics["fnpv_idr"] == pytest.approx(run(load_case(base), {RATE: 0.2}).metrics["fnpv_idr"], rel=1e-12)
