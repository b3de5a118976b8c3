"""Case files: loading, the schema rules, every problem reported at once, file-level problems.

Expected messages are written out by hand from the rules (PP 54/2017, PMK 72/2023,
the model horizon) and the message format ``path: rule, got value``; nothing is
compared with an earlier output of the code.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from feasibility.case import DEFAULT_CASE

import feasibility.case as case_mod
from feasibility.case import in_lang, Case, CaseError, Problem, Quantity, load_case, parse_case

DATA = Path(__file__).resolve().parent / "cases"
DEFAULT = DEFAULT_CASE
HAND = DATA / "hand_case.toml"
CASE_FILES = [DEFAULT, HAND]

CONFIDENCES = {"verified", "secondary", "estimate", "placeholder"}
STREAM_KINDS = "'cargo_handling', 'port_dues', 'berthing', 'storage', 'lab_tests', 'other'"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """The default case as plain TOML data (never mutated: tests take deep copies)."""
    with DEFAULT.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture
def data(raw: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(raw)


def problems_of(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(CaseError) as exc:
        parse_case(data)
    return exc.value.problems


def messages_of(data: dict[str, Any]) -> list[str]:
    return [str(p) for p in problems_of(data)]


def raw_quantity_paths(node: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of every `{ value = ... }` table in parsed TOML, with their values."""
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        if "value" in node and "source" in node:
            out[prefix] = node["value"]
        else:
            for key, val in node.items():
                out.update(raw_quantity_paths(val, f"{prefix}.{key}" if prefix else key))
    return out


# ---------------------------------------------------------------------------
# the shipped case files


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_case_file_loads_and_every_number_has_provenance(path: Path) -> None:
    case = load_case(path)
    assert isinstance(case, Case)
    rows = case.assumptions()
    quantities = case.register_quantities()
    assert len(rows) == len(quantities) > 0
    for p, q in quantities:
        assert isinstance(q, Quantity), p
        assert isinstance(q.source, str) and q.source.strip(), f"{p}: empty source"
        assert q.confidence in CONFIDENCES, f"{p}: confidence {q.confidence!r}"
    for row in rows:
        assert row["source"].strip(), row["path"]
        assert row["confidence"] in CONFIDENCES, row["path"]
        assert isinstance(row["unit"], str) and row["unit"], f"{row['path']}: no unit"

    # every `{ value = ... }` table of the file is in the register, at its own dotted
    # path and with its own value, and nothing else is
    text = path.read_text(encoding="utf-8")
    in_file = raw_quantity_paths(tomllib.loads(text))
    assert len(in_file) == len(re.findall(r"\{\s*value\s*=", text))
    assert {r["path"]: r["value"] for r in rows} == in_file


def test_hand_case_has_24_numbers() -> None:
    # counted by hand in tests/cases/hand_case.toml: macro 1, tax 1, working capital 2, port 1 +
    # cargo 4 + opex 1 + capex 3 + contingency 1, bumd 1 + allocation 4, financing 1 +
    # injection 1 + loan 2, region 1
    assert len(list(load_case(HAND).quantities())) == 24


def test_default_case_has_the_required_case_notes() -> None:
    case = load_case()  # no path: the default case
    assert case.case.name == load_case(DEFAULT).case.name
    for key in ("sea_territory", "companies_400", "container_precedent"):
        assert key in case.notes, key
        note = case.notes[key]
        for lang in ("id", "en"):  # every note in both languages of the report
            assert in_lang(note.title, lang).strip() and in_lang(note.text, lang).strip(), (key, lang)
    assert "sea territory" in in_lang(case.notes["sea_territory"].title, "en").lower()
    assert "wilayah laut" in in_lang(case.notes["sea_territory"].title, "id").lower()
    assert "400" in in_lang(case.notes["companies_400"].title, "en")
    assert "container" in in_lang(case.notes["container_precedent"].title, "en").lower()


# ---------------------------------------------------------------------------
# one field: the exact message of the spec


def test_negative_tariff_exact_message(data: dict[str, Any]) -> None:
    data["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = -5
    problems = problems_of(data)
    assert [str(p) for p in problems] == [
        "port.revenue.cargo_handling.tariff_idr_per_tonne: must be >= 0, got -5"
    ]
    assert problems[0].path == "port.revenue.cargo_handling.tariff_idr_per_tonne"


def test_case_error_text_lists_count_and_each_problem(data: dict[str, Any]) -> None:
    data["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = -5
    data["bumd"]["allocation"]["tantiem_share"]["value"] = 0.1
    with pytest.raises(CaseError) as exc:
        parse_case(data, source="my_case.toml")
    lines = str(exc.value).splitlines()
    assert lines[0] == "my_case.toml: 2 problem(s)"
    assert sorted(lines[1:]) == sorted(
        [
            "  port.revenue.cargo_handling.tariff_idr_per_tonne: must be >= 0, got -5",
            "  bumd.allocation.tantiem_share: must be <= 0.05, got 0.1",
        ]
    )
    assert isinstance(exc.value, ValueError)


def test_nan_written_in_toml_is_rejected(tmp_path: Path) -> None:
    text = HAND.read_text(encoding="utf-8")
    old = "payable_days = { value = 0,"
    assert text.count(old) == 1
    p = tmp_path / "nan.toml"
    p.write_text(text.replace(old, "payable_days = { value = nan,"), encoding="utf-8")
    with pytest.raises(CaseError) as exc:
        load_case(p)
    assert [str(x) for x in exc.value.problems] == ["working_capital.payable_days: must be a finite number, got nan"]
    assert exc.value.source == str(p)


# ---------------------------------------------------------------------------
# every problem at once


def test_all_problems_reported_at_once(data: dict[str, Any]) -> None:
    toml_nan = tomllib.loads("x = nan")["x"]  # what a TOML `nan` becomes
    assert math.isnan(toml_nan)

    # 1 negative tariff
    data["port"]["revenue"]["cargo_handling"]["tariff_idr_per_tonne"]["value"] = -5
    # 2 misspelled key
    staff = data["port"]["opex"]["staff"]
    staff["escalation_real_per_yr"] = staff.pop("escalation_real_per_year")
    # 3 wrong type: text where a whole number is expected
    data["timeline"]["operating_years"] = "twenty-eight"
    # 4 missing required source
    del data["macro"]["inflation_per_year"]["source"]
    # 5 NaN
    data["working_capital"]["payable_days"]["value"] = toml_nan
    # 6 a list item out of range
    data["port"]["revenue"]["storage"]["ramp_up"]["value"] = [0.3, 0.5, 1.5, 0.85]
    # 7 tantiem above the 5% of PP 54/2017
    data["bumd"]["allocation"]["tantiem_share"]["value"] = 0.1
    # 8 phasing not summing to 1
    data["port"]["capex"]["wharf"]["phasing"] = [0.4, 0.5]
    # 9 unknown stream kind
    data["lab"]["revenue"]["lab_tests"]["kind"] = "dredging"
    # 10 a bool where a number is expected
    data["tax"]["corporate_income_tax_rate"]["value"] = True

    problems = problems_of(data)
    by_path: dict[str, list[Problem]] = {}
    for p in problems:
        by_path.setdefault(p.path, []).append(p)
    text = {p.path: str(p) for p in problems}

    expected_exact = {
        "port.revenue.cargo_handling.tariff_idr_per_tonne": (
            "port.revenue.cargo_handling.tariff_idr_per_tonne: must be >= 0, got -5"
        ),
        "timeline.operating_years": "timeline.operating_years: must be a whole number, got 'twenty-eight'",
        "macro.inflation_per_year.source": "macro.inflation_per_year.source: is required but missing",
        "working_capital.payable_days": "working_capital.payable_days: must be a finite number, got nan",
        "port.revenue.storage.ramp_up[2]": "port.revenue.storage.ramp_up[2]: must be <= 1, got 1.5",
        "bumd.allocation.tantiem_share": "bumd.allocation.tantiem_share: must be <= 0.05, got 0.1",
        "tax.corporate_income_tax_rate": "tax.corporate_income_tax_rate: must be a number, got True",
    }
    for path, msg in expected_exact.items():
        assert text.get(path) == msg, (path, text)

    # the typo: its own path, and the keys allowed in a fixed-cost table
    typo = by_path["port.opex.staff.escalation_real_per_yr"]
    assert len(typo) == 1
    rule = typo[0].rule
    assert rule.startswith("unknown key")
    allowed = {k.strip() for k in rule.split("allowed here:")[1].split(",")}
    assert allowed == {"amount_idr_per_year", "amount_from", "escalation_real_per_year", "unskilled_labour_share", "start_year", "end_year"}

    # phasing: reported at the capex item (or its phasing), naming the rule and the sum
    phasing = [p for p in problems if p.path.startswith("port.capex.wharf")]
    assert len(phasing) == 1
    assert phasing[0].path in ("port.capex.wharf", "port.capex.wharf.phasing")
    assert str(phasing[0]) == "port.capex.wharf.phasing: must sum to 1 (the shares sum to 0.9), got [0.4, 0.5]"

    # unknown kind: the stream's path, the allowed kinds and the wrong value
    kind = [p for p in problems if p.path.startswith("lab.revenue.lab_tests")]
    assert len(kind) == 1
    assert kind[0].path in ("lab.revenue.lab_tests", "lab.revenue.lab_tests.kind")
    assert STREAM_KINDS in kind[0].rule
    assert "'dredging'" in str(kind[0])

    # exactly one problem per mistake, nothing else
    assert len(problems) == 10, "\n".join(map(str, problems))


def test_unknown_top_level_section_lists_the_sections(data: dict[str, Any]) -> None:
    data["timelines"] = data.pop("timeline")
    problems = problems_of(data)
    texts = [str(p) for p in problems]
    assert "timeline: is required but missing" in texts
    (typo,) = [p for p in problems if p.path == "timelines"]
    allowed = {k.strip() for k in typo.rule.split("allowed here:")[1].split(",")}
    assert {"timeline", "macro", "tax", "port", "lab", "bumd", "financing", "region"} <= allowed
    assert "timelines" not in allowed


@pytest.mark.parametrize(
    "section, key, bad",
    [
        ("timeline", "operating_years", "28"),
        ("timeline", "construction_years", True),
        ("timeline", "start_year", "2027"),
    ],
)
def test_plain_number_fields_reject_text_and_bool(data: dict[str, Any], section: str, key: str, bad: Any) -> None:
    data[section][key] = bad
    problems = problems_of(data)
    assert [p.path for p in problems] == [f"{section}.{key}"]


def test_phasing_rejects_bool(data: dict[str, Any]) -> None:
    data["port"]["capex"]["land"]["phasing"] = [True]
    problems = problems_of(data)
    assert [p.path for p in problems] == ["port.capex.land.phasing[0]"]


def test_stream_without_kind_says_kind_is_missing(data: dict[str, Any]) -> None:
    data["port"]["revenue"]["mooring"] = {
        "volume_units": {"value": 10, "source": "test", "confidence": "placeholder"},
        "tariff_idr_per_unit": {"value": 10, "source": "test", "confidence": "placeholder"},
    }
    (problem,) = problems_of(data)
    assert problem.path in ("port.revenue.mooring", "port.revenue.mooring.kind")
    assert "kind" in problem.rule
    assert "None" not in str(problem)


def test_stream_named_after_its_kind_may_omit_kind(data: dict[str, Any]) -> None:
    assert "kind" not in data["port"]["revenue"]["storage"]
    case = parse_case(data)
    assert case.port.revenue["storage"].kind == "storage"


# ---------------------------------------------------------------------------
# cross-section rules (run once every field is valid)

# the default case: start 2027, 2 construction + 28 operating years -> 2027-2056;
# first operating year 2029
HORIZON = "must be within the model years 2027-2056"


def _set(d: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        d = d[part]
    d[last] = value


CROSS_CASES = [
    pytest.param(
        {"lab.accreditation_year": 2057},
        ["lab.accreditation_year: must be <= the last model year 2056, got 2057"],
        id="accreditation_after_horizon",
    ),
    pytest.param(
        {"port.capex.land.start_year": 2026},
        [f"port.capex.land.start_year: {HORIZON}, got 2026"],
        id="capex_start_before_horizon",
    ),
    pytest.param(
        {"financing.capital_injection.years": [2027, 2057]},
        [f"financing.capital_injection.years: {HORIZON}, got 2057"],
        id="injection_year_after_horizon",
    ),
    pytest.param(
        # first repayment 2029 + 2 grace = 2031; 27 instalments -> last in 2057 > 2056
        {"financing.loans.regional_bank.tenor_years": 27},
        [
            "financing.loans.regional_bank.tenor_years: the loan would be repaid in 2057, after the last "
            "model year 2056; shorten grace_years + tenor_years, got 27"
        ],
        id="loan_repaid_after_horizon",
    ),
    pytest.param(
        {"timeline.price_base_year": 2028},
        ["timeline.price_base_year: must be <= start_year (2027), got 2028"],
        id="price_base_year_after_start",
    ),
]


@pytest.mark.parametrize("changes, expected", CROSS_CASES)
def test_cross_section_rules(data: dict[str, Any], changes: dict[str, Any], expected: list[str]) -> None:
    for dotted, value in changes.items():
        _set(data, dotted, value)
    assert messages_of(data) == expected


@pytest.mark.parametrize(
    "changes",
    [
        {"lab.accreditation_year": 2056},
        {"lab.accreditation_year": 2027},
        {"financing.capital_injection.years": [2027, 2056]},
        {"financing.loans.regional_bank.tenor_years": 26},  # last instalment in 2056 exactly
        # a later base year needs the price index to reach it (the region's 2024 and 2025 figures and the marine unit
        # prices of 2019 and 2026 are restated to it)
        {"timeline.price_base_year": 2027, "macro.price_index.values": {2019: 87.79, 2024: 100.0, 2025: 102.92, 2026: 105.49, 2027: 108.13}},
        {"bumd.ownership_share_region.value": 0.51},
    ],
    ids=str,
)
def test_cross_section_boundaries_are_allowed(data: dict[str, Any], changes: dict[str, Any]) -> None:
    for dotted, value in changes.items():
        _set(data, dotted, value)
    parse_case(data)


def test_several_cross_section_problems_reported_together(data: dict[str, Any]) -> None:
    data["lab"]["accreditation_year"] = 2060
    data["timeline"]["price_base_year"] = 2028
    assert sorted(messages_of(data)) == sorted(
        [
            "lab.accreditation_year: must be <= the last model year 2056, got 2060",
            "timeline.price_base_year: must be <= start_year (2027), got 2028",
        ]
    )


def test_cross_section_rules_come_with_the_field_rules(data: dict[str, Any]) -> None:
    data["lab"]["accreditation_year"] = 2060  # cross-section
    data["bumd"]["allocation"]["tantiem_share"]["value"] = 0.1  # field rule
    data["financing"]["loans"]["regional_bank"]["tenor_years"] = 40  # cross-section: repaid in 2070
    assert messages_of(data) == [
        "bumd.allocation.tantiem_share: must be <= 0.05, got 0.1",
        "lab.accreditation_year: must be <= the last model year 2056, got 2060",
        "financing.loans.regional_bank.tenor_years: the loan would be repaid in 2070, after the last "
        "model year 2056; shorten grace_years + tenor_years, got 40",
    ]


def test_cross_section_rules_skip_what_cannot_be_read(data: dict[str, Any]) -> None:
    # with no valid horizon, years cannot be checked against it: only the field problem is listed
    data["timeline"]["operating_years"] = "many"
    data["lab"]["accreditation_year"] = 2060
    assert messages_of(data) == ["timeline.operating_years: must be a whole number, got 'many'"]


def test_injection_years_and_amounts_must_match(data: dict[str, Any]) -> None:
    data["financing"]["capital_injection"]["years"] = [2027]  # amounts has 2 entries
    (p,) = problems_of(data)
    assert p.path.startswith("financing.capital_injection")
    assert "years has 1 entries but amount_idr_nominal has 2" in p.rule


def test_perseroda_needs_51_percent(data: dict[str, Any]) -> None:
    assert data["bumd"]["form"] == "perseroda"
    data["bumd"]["ownership_share_region"]["value"] = 0.5
    (p,) = problems_of(data)
    assert p.path.startswith("bumd")
    assert "perseroda" in p.rule and "51%" in p.rule and "0.5" in str(p)


def test_perumda_must_be_wholly_owned(data: dict[str, Any]) -> None:
    data["bumd"]["form"] = "perumda"
    data["bumd"]["ownership_share_region"]["value"] = 0.9
    (p,) = problems_of(data)
    assert p.path.startswith("bumd")
    assert "perumda" in p.rule and "must be 1" in p.rule and "0.9" in str(p)


def test_perumda_wholly_owned_is_accepted(data: dict[str, Any]) -> None:
    data["bumd"]["form"] = "perumda"
    data["bumd"]["ownership_share_region"]["value"] = 1.0
    assert parse_case(data).bumd.form == "perumda"


def test_loans_cannot_finance_more_than_all_construction_capex(data: dict[str, Any]) -> None:
    second = copy.deepcopy(data["financing"]["loans"]["regional_bank"])
    second["share_of_construction_capex"]["value"] = 0.7  # 0.4 + 0.7 = 1.1
    data["financing"]["loans"]["second"] = second
    (p,) = problems_of(data)
    assert p.path.startswith("financing")
    assert "more than all construction capex" in p.rule and "1.1" in p.rule

    second["share_of_construction_capex"]["value"] = 0.6  # 0.4 + 0.6 = 1.0: allowed
    parse_case(data)


@pytest.mark.parametrize("item, asset_class", [("wharf", "building_permanent"), ("land", "land")])
def test_declining_balance_not_allowed_for_buildings_or_land(data: dict[str, Any], item: str, asset_class: str) -> None:
    data["port"]["capex"][item]["depreciation"] = "declining_balance"
    (p,) = problems_of(data)
    assert p.path.startswith(f"port.capex.{item}")
    assert "declining_balance" in p.rule and repr(asset_class) in p.rule


def test_declining_balance_allowed_for_equipment(data: dict[str, Any]) -> None:
    assert data["port"]["capex"]["equipment"]["asset_class"] == "group_3"
    data["port"]["capex"]["equipment"]["depreciation"] = "declining_balance"
    parse_case(data)


# ---------------------------------------------------------------------------
# file-level problems: always one CaseError with one problem


def _one_problem(path: Path | str) -> Problem:
    with pytest.raises(CaseError) as exc:
        load_case(path)
    assert len(exc.value.problems) == 1, exc.value.problems
    return exc.value.problems[0]


def test_missing_file(tmp_path: Path) -> None:
    p = _one_problem(tmp_path / "nope.toml")
    assert "not found" in p.rule
    assert str(tmp_path / "nope.toml") in str(p)


def test_directory(tmp_path: Path) -> None:
    p = _one_problem(tmp_path)
    assert "directory" in p.rule


def test_invalid_toml_carries_the_parser_message(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    text = 'schema_version = 1\n[case]\nname = "unterminated\n'
    f.write_text(text, encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError) as parser:
        tomllib.loads(text)
    p = _one_problem(f)
    assert "not valid TOML" in p.rule
    assert str(parser.value) in p.rule


def test_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "latin1.toml"
    f.write_bytes('[case]\nname = "Pelabuhan Kota Serang \u00e9"\n'.encode("latin-1"))
    p = _one_problem(f)
    assert "UTF-8" in p.rule


def test_empty_file_lists_the_missing_sections(tmp_path: Path) -> None:
    f = tmp_path / "empty.toml"
    f.write_text("", encoding="utf-8")
    with pytest.raises(CaseError) as exc:
        load_case(f)
    texts = {str(p) for p in exc.value.problems}
    for section in ("case", "timeline", "macro", "tax", "working_capital", "port", "bumd", "financing", "region"):
        assert f"{section}: is required but missing" in texts


@pytest.mark.parametrize("how", ["not_a_directory", "permission", "name_too_long"])
def test_unreadable_file_is_a_case_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    if how == "not_a_directory":
        path = HAND / "x.toml"  # a path below a regular file
    elif how == "name_too_long":
        path = tmp_path / ("x" * 300 + ".toml")
    else:
        path = tmp_path / "locked.toml"
        path.write_text(HAND.read_text(encoding="utf-8"), encoding="utf-8")

        def denied(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", denied)  # tests may run as root
    _one_problem(path)


# ---------------------------------------------------------------------------
# loading runs no code


def test_loading_runs_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    text = HAND.read_text(encoding="utf-8")
    old = 'name = "Hand-computed test case"'
    assert text.count(old) == 1
    f = tmp_path / "payload.toml"
    f.write_text(text.replace(old, f'name = "{payload}"'), encoding="utf-8")
    case = load_case(f)
    assert case.case.name == payload
    assert not marker.exists()


# ---------------------------------------------------------------------------
# Case.quantity


def test_quantity_by_path() -> None:
    case = load_case(DEFAULT)
    q = case.quantity("port.revenue.cargo_handling.tariff_idr_per_tonne")
    assert isinstance(q, Quantity)
    assert q.value == 71000 and q.year == 2013 and q.confidence == "secondary"
    assert case.quantity("financing.capital_injection.amount_idr_nominal").value == [190e9, 295e9]
    assert case.quantity("bumd.allocation.tantiem_share").value == 0.05


@pytest.mark.parametrize(
    "path",
    [
        "port.revenue.cargo_handling.no_such_field",
        "port.revenue.no_such_stream.tariff_idr_per_tonne",
        "nowhere",
        "",
        "timeline.start_year",  # a number, but not a quantity
        "port.revenue.cargo_handling",  # a table
        "port.revenue.cargo_handling.tariff_idr_per_tonne.value",
        "lab.capex.equipment.contingency",  # optional and absent
    ],
)
def test_quantity_unknown_path_raises_key_error(path: str) -> None:
    case = load_case(DEFAULT)
    with pytest.raises(KeyError):
        case.quantity(path)


@pytest.mark.parametrize("alias", ["tariff", "volume", "variable_cost"])
def test_quantity_rejects_attribute_aliases(alias: str) -> None:
    case = load_case(DEFAULT)
    path = f"port.revenue.cargo_handling.{alias}"
    assert path not in dict(case.quantities())
    with pytest.raises(KeyError):
        case.quantity(path)


def test_opex_end_before_start_is_refused(data: dict[str, Any]) -> None:
    data["port"]["opex"]["staff"]["start_year"] = 2040
    data["port"]["opex"]["staff"]["end_year"] = 2030
    (problem,) = problems_of(data)
    assert str(problem) == "port.opex.staff: end_year 2030 is before start_year 2040"


def test_a_lab_accredited_before_the_model_starts_is_fine(data: dict[str, Any]) -> None:
    data["lab"]["accreditation_year"] = 2020  # already accredited
    assert parse_case(data).lab.accreditation_year == 2020


def test_a_float_typed_for_a_whole_number_is_shown_as_typed(data: dict[str, Any]) -> None:
    data["timeline"]["start_year"] = 2027.0
    (problem,) = problems_of(data)
    assert str(problem) == "timeline.start_year: must be a whole number, got 2027.0"


def test_a_percentage_typed_for_a_fraction_gets_a_hint(data: dict[str, Any]) -> None:
    data["tax"]["corporate_income_tax_rate"]["value"] = 22
    (problem,) = problems_of(data)
    assert str(problem) == "tax.corporate_income_tax_rate: must be <= 0.6 (a fraction: write 0.22 for 22%), got 22"
