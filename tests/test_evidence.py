"""The default case's evidence (issue 17): how much of it is placeholder, what stands behind the verdict's drivers,
why each range is what it is, and the public figures it cites."""

from __future__ import annotations

import csv
import fnmatch
import tomllib
from importlib import resources
from typing import Any

from feasibility import load_case
from feasibility.analysis.sensitivity import one_way
from feasibility.case.io import DEFAULT_CASE


def _tables(doc: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every quantity of a TOML document (a table with a value and a source), with its dotted path."""
    if isinstance(doc, dict):
        if "value" in doc and "source" in doc:
            return [(path, doc)]
        return [t for k, v in doc.items() for t in _tables(v, f"{path}.{k}" if path else k)]
    return []


def test_at_most_a_quarter_of_the_default_cases_numbers_are_placeholders() -> None:
    rows = load_case().assumptions()
    placeholders = [a["path"] for a in rows if a["confidence"] == "placeholder"]
    assert len(rows) > 100 and len(placeholders) <= len(rows) / 4, (len(placeholders), len(rows))


def test_the_five_inputs_that_move_fnpv_most_are_not_bare_placeholders() -> None:
    """Each is sourced, an estimate with its derivation, or a placeholder a data-collection item will measure."""
    case = load_case()
    top = list(one_way(case, "auto", metrics=["fnpv_idr"])["fnpv_idr"].table.index[:5])
    qmap = case.quantity_map()
    for path in top:
        q = qmap[path]
        if q.confidence == "placeholder":
            assert any(fnmatch.fnmatchcase(path, pat) for item in case.data_plan.values() for pat in item.inputs), path
        else:
            assert len(q.source) > 40, (path, q.source)  # a citation or a derivation, not a word


def test_every_range_of_the_default_case_says_why() -> None:
    """A plausible range (the tornado's low and high, the Monte Carlo's bounds) is justified in its note."""
    doc = tomllib.loads(DEFAULT_CASE.read_text(encoding="utf-8"))
    ranged = [(p, t) for p, t in _tables(doc) if "low" in t or "high" in t]
    assert len(ranged) > 30
    missing = [p for p, t in ranged if "range" not in t.get("note", "") and "range" not in t["source"]]
    assert not missing, missing


def test_the_public_figures_file_names_a_source_and_an_address_for_every_figure() -> None:
    path = resources.files("feasibility") / "data" / "evidence" / "public_figures.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) >= 30
    for r in rows:
        assert r["source"].strip() and r["address"].startswith(("http://", "https://")), r
        assert r["confidence"] in {"verified", "secondary", "estimate"}, r


def test_every_placeholder_left_has_a_survey_or_decision_that_will_replace_it() -> None:
    """A placeholder stays one only with its reason: the data-collection item (a survey, or a council decision) that sets it."""
    case = load_case()
    left = [a["path"] for a in case.assumptions() if a["confidence"] == "placeholder"]
    uncovered = [p for p in left if not any(fnmatch.fnmatchcase(p, pat) for item in case.data_plan.values() for pat in item.inputs)]
    assert left and not uncovered, uncovered
