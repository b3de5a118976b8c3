"""Changing a case and writing it back (feasibility.case.edit) and the atomic write beneath it (feasibility._files)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from feasibility import load_case, run
from feasibility._files import PACKAGE_DIR, PackageFolderError, inside_package, project_dir, write_text_atomic
from feasibility.case import DEFAULT_CASE, CaseError
from feasibility.case.edit import (
    apply_changes,
    case_data,
    case_toml,
    differences,
    plain_number,
    rebase_histories,
    save_case,
)

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
RAMP = "port.revenue.cargo_handling.ramp_up"


@pytest.fixture(scope="module")
def case():
    return load_case()


# ---------------------------------------------------------------------------
# save_case

def test_save_case_validates_before_writing_and_leaves_nothing_behind(case, tmp_path):
    good = save_case(case, tmp_path / "a.toml")
    assert run(load_case(good)).metrics["fnpv_idr"] == run(case).metrics["fnpv_idr"]
    with pytest.raises(FileExistsError):
        save_case(case, good)
    bad = case_data(case)
    bad["tax"]["corporate_income_tax_rate"]["value"] = 22  # a percentage: the validator refuses it
    with pytest.raises(CaseError, match="corporate_income_tax_rate"):
        save_case(bad, tmp_path / "b.toml")
    with pytest.raises(CaseError):
        save_case(bad, good, overwrite=True)
    assert not (tmp_path / "b.toml").exists()
    assert load_case(good)  # the existing file is untouched
    assert sorted(f.name for f in tmp_path.iterdir()) == ["a.toml"]
    assert os.stat(good).st_mode & 0o644 == 0o644  # readable by others, as any case file


@pytest.mark.parametrize("path", [DEFAULT_CASE, HAND], ids=lambda p: p.name)
def test_saved_cases_round_trip(path, tmp_path):
    case = load_case(path)
    again = load_case(save_case(case, tmp_path / path.name))
    a, b = run(case).metrics, run(again).metrics
    assert a.keys() == b.keys()
    for k in a:
        assert b[k] == pytest.approx(a[k], rel=1e-12, nan_ok=True), k
    assert differences(case, again).empty


def test_apply_changes_keeps_provenance_and_widens_ranges(case):
    data = apply_changes(case, {TARIFF: 50_000, "macro.inflation_per_year": 0.025})
    q = data["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]
    assert q["value"] == 50_000 and q["low"] == 50_000 and q["high"] == 85_000
    assert q["source"].startswith("studio: changed from 71000 on ") and q["confidence"] == "estimate" and "year" not in q
    assert data["macro"]["inflation_per_year"] == case_data(case)["macro"]["inflation_per_year"]  # unchanged: untouched


def test_apply_changes_writes_the_old_provenance_into_the_note(case):
    day = dt.date(2025, 3, 4)
    data = apply_changes(case, {TARIFF: 90_000, RAMP: [0.4, 0.6, 0.8, 0.9]}, when=day)
    q = data["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]
    old = case.quantity(TARIFF)
    assert q["source"] == "studio: changed from 71000 on 2025-03-04"
    assert q["note"].startswith(f"previously 71000, source: {old.source} ({old.year}), confidence: {old.confidence}")
    assert "range widened from [55000, 85000] to include the new value" in q["note"]
    assert (q["low"], q["high"]) == (55_000, 90_000)
    ramp = data["port"]["revenue"]["cargo_handling"]["ramp_up"]
    assert ramp["value"] == [0.4, 0.6, 0.8, 0.9] and "low" not in ramp and ramp["confidence"] == "estimate"
    # the same value again changes nothing, and the case data given is never modified
    assert apply_changes(case, {TARIFF: 71_000}) == case_data(case)
    before = case_data(case)
    apply_changes(before, {TARIFF: 60_000})
    assert before == case_data(case)
    with pytest.raises(KeyError, match="no such quantity"):
        apply_changes(case, {"port.revenue.cargo_handling.no_such": 1.0})
    with pytest.raises(KeyError, match="not a quantity"):
        apply_changes(case, {"port.revenue.cargo_handling": 1.0})


def test_apply_changes_then_save_case_round_trips_the_new_values(case, tmp_path):
    data = apply_changes(case, {TARIFF: 90_000, "macro.inflation_per_year": 0.03})
    saved = load_case(save_case(data, tmp_path / "s.toml", header="a scenario\nsecond line"))
    assert saved.quantity(TARIFF).value == 90_000 and saved.quantity("macro.inflation_per_year").value == 0.03
    assert (tmp_path / "s.toml").read_text(encoding="utf-8").startswith("# a scenario\n# second line\n\n")
    expected = run(case, {TARIFF: 90_000, "macro.inflation_per_year": 0.03}).metrics["fnpv_idr"]
    assert run(saved).metrics["fnpv_idr"] == pytest.approx(expected, rel=1e-12)
    assert set(differences(case, saved)["path"]) == {TARIFF, "macro.inflation_per_year"}


def test_save_case_never_writes_into_the_installed_package(case):
    target = DEFAULT_CASE.parent / "kota_serang_scenario.toml"
    with pytest.raises(PackageFolderError, match="inside the installed feasibility package"):
        save_case(case, target)
    with pytest.raises(PackageFolderError):
        save_case(case, DEFAULT_CASE, overwrite=True)  # not even replacing the default case
    assert not target.exists()
    assert inside_package(DEFAULT_CASE) and not inside_package(PACKAGE_DIR.parent / "reports" / "x.html")


def test_differences_between_cases_and_overrides(case):
    assert differences(case).empty and differences(case, case).empty
    df = differences(case, {TARIFF: 80_000}, {RAMP: [0.4, 0.6, 0.8, 0.9]})
    assert list(df["path"]) == [p for p in case.quantity_map() if p in (TARIFF, RAMP)]  # in the base case's order
    rows = {r.path: r for r in df.itertuples()}
    assert rows[TARIFF].base_value == 71_000 and rows[TARIFF].this_value == 80_000 and rows[TARIFF].unit == "IDR per tonne"
    assert rows[RAMP].this_value == [0.4, 0.6, 0.8, 0.9]
    hand = load_case(HAND)
    both = differences(case, hand)
    only_hand = both[both["base_value"].isna()]
    assert "port.revenue.cargo_handling.volume_tonnes" in set(only_hand["path"])  # a quantity the base lacks
    assert set(only_hand["path"]) == set(hand.quantity_map()) - set(case.quantity_map())
    assert both[both["this_value"].isna()]["path"].tolist() == [p for p in case.quantity_map() if p not in hand.quantity_map()]
    with pytest.raises(KeyError):
        differences(case, {"no.such.path": 1.0})


def test_rebase_histories_keeps_pointing_at_the_same_file(tmp_path):
    data = {"port": {"revenue": {"a": {"forecast": {"history": "hist/a.csv"}}, "b": {"volume": 1}}},
            "lab": {"revenue": {"c": {"forecast": {"history": str(tmp_path / "abs.csv")}}}}}
    rebase_histories(data, tmp_path / "cases", tmp_path / "out" / "deeper")
    assert data["port"]["revenue"]["a"]["forecast"]["history"] == "../../cases/hist/a.csv"
    assert data["lab"]["revenue"]["c"]["forecast"]["history"] == str(tmp_path / "abs.csv")  # absolute: left alone
    same = {"port": {"revenue": {"a": {"forecast": {"history": "h.csv"}}}}}
    rebase_histories(same, None, tmp_path)  # no source folder: nothing to rebase
    assert same["port"]["revenue"]["a"]["forecast"]["history"] == "h.csv"


def test_case_toml_and_plain_numbers(case):
    text = case_toml(case, header="made by a test")
    assert text.startswith("# made by a test\n\n") and re.search(r"^\[case\]$", text, re.MULTILINE)
    assert plain_number(71000.0) == "71000" and plain_number(0.25) == "0.25" and plain_number([1.0, 0.5]) == "[1, 0.5]"


# ---------------------------------------------------------------------------
# the atomic write


def test_write_text_atomic_never_overwrites_without_overwrite(tmp_path):
    target = tmp_path / "sub" / "notes.txt"
    assert write_text_atomic(target, "first\n") == target  # missing folders are made
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_text_atomic(target, "second\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    write_text_atomic(target, "second\nline\n", overwrite=True)
    assert target.read_bytes() == b"second\nline\n"  # \n line ends on every system
    assert sorted(f.name for f in target.parent.iterdir()) == ["notes.txt"]
    assert os.stat(target).st_mode & 0o644 == 0o644


def test_write_text_atomic_loses_the_race_to_a_file_that_appears(tmp_path, monkeypatch):
    target = tmp_path / "case.toml"

    def someone_else_writes(tmp):  # between the up-front check and the link, another writer takes the name
        target.write_text("theirs", encoding="utf-8")

    with pytest.raises(FileExistsError):
        write_text_atomic(target, "mine", check=someone_else_writes)
    assert target.read_text(encoding="utf-8") == "theirs"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["case.toml"]


def test_write_text_atomic_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def refuse(tmp):
        assert tmp.read_text(encoding="utf-8") == "new, complete"  # the check sees the whole text, before the name
        raise ValueError("does not validate")

    with pytest.raises(ValueError, match="does not validate"):
        write_text_atomic(target, "new, complete", overwrite=True, check=refuse)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["report.html"]

    def broken_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_disk)
    with pytest.raises(OSError, match="No space"):
        write_text_atomic(tmp_path / "new.html", "text")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["report.html"]


def test_write_text_atomic_without_hard_links(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")  # FAT, some network shares

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "a.toml"
    write_text_atomic(target, "one")
    assert target.read_text(encoding="utf-8") == "one"
    with pytest.raises(FileExistsError):
        write_text_atomic(target, "two")
    assert target.read_text(encoding="utf-8") == "one"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["a.toml"]


def test_project_dir_is_the_nearest_folder_with_a_pyproject(tmp_path):
    (tmp_path / "proj" / "notebooks" / "deep").mkdir(parents=True)
    (tmp_path / "proj" / "pyproject.toml").write_text("[project]\nname='x'\n", encoding="utf-8")
    assert project_dir(tmp_path / "proj" / "notebooks" / "deep") == (tmp_path / "proj").resolve()
    (tmp_path / "loose").mkdir()
    assert project_dir(tmp_path / "loose") == (tmp_path / "loose").resolve()
