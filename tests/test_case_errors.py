"""feasibility.case.errors: pydantic's errors as ``path: rule, got value`` problems, and "did you mean".

Every expected message is written by hand from the schema (the field's bounds,
its allowed keys, in the order the schema declares them) and the rule table of
the module; nothing is compared with an earlier output of the code.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest
from pydantic import BaseModel, ValidationError

from feasibility.case import CaseError, Problem, parse_case
from feasibility.case.errors import _MISSING, _problems_from, did_you_mean, suggest

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
KINDS = "'cargo_handling', 'port_dues', 'berthing', 'storage', 'lab_tests', 'other'"
#: the keys of a cargo-handling stream, in the schema's order (the common stream fields, then the kind's own)
CARGO_KEYS = (
    "label, ramp_up_curve, forecast, volume_growth_per_year, ramp_up, tariff_escalation_real_per_year, "
    "cost_escalation_real_per_year, start_year, kind, volume_tonnes, tariff_idr_per_tonne, "
    "variable_cost_idr_per_tonne, build_up, cargo_types"
)
FIXED_OPEX_KEYS = "amount_idr_per_year, amount_from, escalation_real_per_year, unskilled_labour_share, start_year, end_year"


@pytest.fixture(scope="module")
def hand_raw() -> dict[str, Any]:
    with HAND.open("rb") as fh:
        return tomllib.load(fh)


def messages(hand_raw: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> list[str]:
    d = copy.deepcopy(hand_raw)
    edit(d)
    with pytest.raises(CaseError) as exc:
        parse_case(d)
    return [str(p) for p in exc.value.problems]


def put(dotted: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = dotted.split(".")
        for part in parents:
            d = d.setdefault(part, {})
        d[last] = value

    return edit


def drop(dotted: str) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = dotted.split(".")
        for part in parents:
            d = d[part]
        del d[last]

    return edit


# ---------------------------------------------------------------------------
# each kind of pydantic error a case file can raise


TRANSLATIONS = [
    # greater_than_equal: payable days >= 0
    ("working_capital.payable_days.value", -1, "working_capital.payable_days: must be >= 0, got -1"),
    # greater_than: a BUMD's regional share > 0
    ("bumd.ownership_share_region.value", 0, "bumd.ownership_share_region: must be > 0, got 0"),
    # less_than_equal: the tax rate <= 0.6
    ("tax.corporate_income_tax_rate.value", 0.7, "tax.corporate_income_tax_rate: must be <= 0.6, got 0.7"),
    # ... and a percentage written for a fraction: the hint divides by 100
    (
        "tax.corporate_income_tax_rate.value",
        22,
        "tax.corporate_income_tax_rate: must be <= 0.6 (a fraction: write 0.22 for 22%), got 22",
    ),
    # less_than: the sensitivity change < 1
    ("sensitivity.change", 1, "sensitivity.change: must be < 1, got 1"),
    # finite_number
    ("macro.inflation_per_year.value", float("inf"), "macro.inflation_per_year: must be a finite number, got inf"),
    # int_type (strict whole numbers: text, floats and booleans refused)
    ("timeline.operating_years", "4", "timeline.operating_years: must be a whole number, got '4'"),
    ("timeline.operating_years", 4.0, "timeline.operating_years: must be a whole number, got 4.0"),
    ("timeline.start_year", True, "timeline.start_year: must be a whole number, got True"),
    # list_type
    ("financing.capital_injection.years", 2025, "financing.capital_injection.years: must be a list, got 2025"),
    # dict_type
    ("port.opex", 5, "port.opex: must be a table, got 5"),
    # model_type: a section, and a quantity given as a bare number
    ("macro", 5, "macro: must be a table, got 5"),
    (
        "macro.inflation_per_year",
        0.02,
        'macro.inflation_per_year: must be a quantity table { value = ..., source = "...", confidence = "..." }, got 0.02',
    ),
    # string_too_short
    ("macro.inflation_per_year.source", "", "macro.inflation_per_year.source: must not be empty, got ''"),
    # too_short
    ("port.capex.land.phasing", [], "port.capex.land.phasing: must have at least 1 item(s), got []"),
    # literal_error
    ("bumd.form", "pt", "bumd.form: must be one of 'perumda' or 'perseroda', got 'pt'"),
    # value_error of a field: a quantity's value must be a number
    (
        "port.revenue.cargo_handling.tariff_idr_per_tonne.value",
        "100",
        "port.revenue.cargo_handling.tariff_idr_per_tonne: must be a number, got '100'",
    ),
    # value_error of a table (it names its own values, so no "got a table")
    (
        "financing.capital_injection.years",
        [2025, 2026],
        "financing.capital_injection: years has 2 entries but amount_idr_nominal has 1",
    ),
    # a list item, reported at its index
    (
        "port.revenue.cargo_handling.ramp_up.value",
        [0.5, -0.1],
        "port.revenue.cargo_handling.ramp_up[1]: must be >= 0, got -0.1",
    ),
    # invalid_kind: not a table, no kind, an unknown kind
    ("port.revenue.mooring", 5, f"port.revenue.mooring: must be a table with kind = one of {KINDS}, got 5"),
    (
        "port.revenue.mooring",
        {"tariff_idr_per_unit": {"value": 1, "source": "test", "confidence": "placeholder"}},
        f"port.revenue.mooring: needs kind = one of {KINDS} (or a table named after its kind)",
    ),
    ("port.revenue.cargo_handling.kind", "dredging", f"port.revenue.cargo_handling: kind must be one of {KINDS}, got 'dredging'"),
]


@pytest.mark.parametrize("dotted, value, expected", TRANSLATIONS, ids=[f"{t[0]}={t[1]!r}" for t in TRANSLATIONS])
def test_each_error_type_reads_path_rule_value(hand_raw: dict[str, Any], dotted: str, value: Any, expected: str) -> None:
    assert messages(hand_raw, put(dotted, value)) == [expected]


def test_missing(hand_raw: dict[str, Any]) -> None:
    assert messages(hand_raw, drop("port.name")) == ["port.name: is required but missing"]


class _Lax(BaseModel):
    """Lax numbers: the coercion errors the case schema (strict, or checked before) never lets through."""

    whole: int = 0
    number: float = 0.0


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"whole": "many"}, "whole: must be a whole number, got 'many'"),  # int_parsing
        ({"whole": 1.5}, "whole: must be a whole number, got 1.5"),  # int_from_float
        ({"number": "x"}, "number: must be a number, got 'x'"),  # float_parsing
        ({"number": [1]}, "number: must be a number, got [1]"),  # float_type
    ],
)
def test_coercion_errors_of_the_rule_table(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _Lax.model_validate(data)
    assert [str(p) for p in _problems_from(exc.value)] == [expected]


# ---------------------------------------------------------------------------
# unknown keys: the closest allowed key first, then them all


def test_misspelled_key_gets_the_closest_key_then_the_list(hand_raw: dict[str, Any]) -> None:
    def typo(d: dict[str, Any]) -> None:
        st = d["port"]["revenue"]["cargo_handling"]
        st["tarif_idr_per_tonne"] = st.pop("tariff_idr_per_tonne")

    # the tariff may also come from each cargo type (none here): its rule runs on the raw data, after the schema's
    assert messages(hand_raw, typo) == [
        "port.revenue.cargo_handling.tarif_idr_per_tonne: unknown key; did you mean 'tariff_idr_per_tonne'? "
        f"allowed here: {CARGO_KEYS}",
        "port.revenue.cargo_handling.tariff_idr_per_tonne: is required but missing (or give each cargo type its own)",
    ]


def test_unknown_key_with_nothing_close_lists_the_keys(hand_raw: dict[str, Any]) -> None:
    edit = put("port.opex.staff.wages", 1)
    assert messages(hand_raw, edit) == [f"port.opex.staff.wages: unknown key; allowed here: {FIXED_OPEX_KEYS}"]


def test_misspelled_section(hand_raw: dict[str, Any]) -> None:
    def typo(d: dict[str, Any]) -> None:
        d["timelin"] = d.pop("timeline")

    found = messages(hand_raw, typo)
    assert "timeline: is required but missing" in found
    (line,) = [m for m in found if m.startswith("timelin:")]
    assert line.startswith("timelin: unknown key; did you mean 'timeline'? allowed here: schema_version, case, notes, timeline, ")


# ---------------------------------------------------------------------------
# suggest


QUANTITY_PATHS = [
    "port.revenue.cargo_handling.tariff_idr_per_tonne",
    "port.revenue.cargo_handling.variable_cost_idr_per_tonne",
    "port.revenue.cargo_handling.volume_growth_per_year",
    "port.revenue.cargo_handling.tariff_escalation_real_per_year",
    "port.capex.land.amount_idr",
    "lab.revenue.lab_tests.tariff_idr_per_sample",
]


@pytest.mark.parametrize(
    "word, candidates, expected",
    [
        # a key: one letter left out
        ("tarif_idr_per_tonne", ["label", "tariff_idr_per_tonne", "variable_cost_idr_per_tonne"], "tariff_idr_per_tonne"),
        ("escalation_real_per_yr", FIXED_OPEX_KEYS.split(", "), "escalation_real_per_year"),
        # a short name with two letters swapped
        ("prot", ["port", "lab", "bumd"], "port"),
        # case does not matter (a name typed in a spreadsheet)
        ("Tariff_IDR_per_tonne", ["tariff_idr_per_tonne", "label"], "tariff_idr_per_tonne"),
        # a path with a slip in one section
        ("port.revenue.cargo_handling.tarif_idr_per_tonne", QUANTITY_PATHS, "port.revenue.cargo_handling.tariff_idr_per_tonne"),
        ("port.revenue.cargo_handlin.tariff_idr_per_tonne", QUANTITY_PATHS, "port.revenue.cargo_handling.tariff_idr_per_tonne"),
        # an abbreviated last section: of the two that start so, the nearer
        ("port.revenue.cargo_handling.tarif", QUANTITY_PATHS, "port.revenue.cargo_handling.tariff_idr_per_tonne"),
        # a path written without some of its sections
        ("tariff_idr_per_tonne", QUANTITY_PATHS, "port.revenue.cargo_handling.tariff_idr_per_tonne"),
        ("port.land.amount_idr", QUANTITY_PATHS, "port.capex.land.amount_idr"),
        # a stream name
        ("port.cargo_handlin", ["lab.lab_tests", "port.cargo_handling", "port.storage"], "port.cargo_handling"),
    ],
)
def test_suggest_finds_what_was_meant(word: str, candidates: list[str], expected: str) -> None:
    assert suggest(word, candidates) == expected


@pytest.mark.parametrize(
    "word, candidates",
    [
        # nothing alike
        ("wages", FIXED_OPEX_KEYS.split(", ")),
        ("nowhere", QUANTITY_PATHS),
        # the meant path is not there: another stream field that only shares the unit is no suggestion
        ("port.revenue.cargo_handling.tariff_idr_per_tonne", [p for p in QUANTITY_PATHS if "tariff_idr_per_tonne" not in p]),
        # a path that goes on past a quantity
        ("port.capex.land.amount_idr.value", QUANTITY_PATHS),
        # allowed as written
        ("port.capex.land.amount_idr", QUANTITY_PATHS),
        # nothing to choose from
        ("port", []),
    ],
)
def test_suggest_stays_quiet_rather_than_guess(word: str, candidates: list[str]) -> None:
    assert suggest(word, candidates) is None
    assert did_you_mean(word, candidates) == ""


def test_did_you_mean_quotes_the_suggestion() -> None:
    assert did_you_mean("timelin", ["timeline", "macro"]) == "did you mean 'timeline'?"


# ---------------------------------------------------------------------------
# Problem and CaseError


def test_problem_text_puts_value_then_hint() -> None:
    assert str(Problem("a.b", "must be >= 0", -1)) == "a.b: must be >= 0, got -1"
    assert str(Problem("a.b", "is required but missing", _MISSING)) == "a.b: is required but missing"
    p = Problem("x.follows", "is not a revenue stream", "port.cargo", "did you mean 'port.cargo_handling'?")
    assert str(p) == "x.follows: is not a revenue stream, got 'port.cargo'; did you mean 'port.cargo_handling'?"
    assert str(Problem("", "file not found", "/nope.toml")) == "(top level): file not found, got '/nope.toml'"
    assert str(Problem("t", "must be a table", {})) == "t: must be a table, got an empty table"
    assert str(Problem("t", "must be a table", {"a": 1})) == "t: must be a table, got a table"
    long = list(range(40))
    assert str(Problem("l", "r", long)).endswith("...") and len(str(Problem("l", "r", long))) == len("l: r, got ") + 80


def test_case_error_lists_every_problem() -> None:
    err = CaseError([Problem("a", "r1", 1), Problem("b", "r2", _MISSING, "h")], "my.toml")
    assert str(err) == "my.toml: 2 problem(s)\n  a: r1, got 1\n  b: r2; h"
    assert isinstance(err, ValueError) and err.source == "my.toml" and len(err.problems) == 2
