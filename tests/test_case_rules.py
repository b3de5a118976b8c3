"""feasibility.case.rules: rules across sections, on raw partly-invalid data and on a validated case.

Expected messages are written by hand from the rules (the model horizon, the
quantity paths a case names); nothing is compared with an earlier output of
the code.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from feasibility.case import DEFAULT_CASE, CaseError, load_case, parse_case
from feasibility.case.rules import raw_problems
from feasibility.model import run

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
TARIFF = "port.revenue.cargo_handling.tariff_idr_per_tonne"
TYPO = "port.revenue.cargo_handling.tarif_idr_per_tonne"


@pytest.fixture(scope="module")
def hand_raw() -> dict[str, Any]:
    with HAND.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def default_raw() -> dict[str, Any]:
    with DEFAULT_CASE.open("rb") as fh:
        return tomllib.load(fh)


def messages(data: dict[str, Any]) -> list[str]:
    with pytest.raises(CaseError) as exc:
        parse_case(data, base_dir=DEFAULT_CASE.parent)
    return [str(p) for p in exc.value.problems]


# ---------------------------------------------------------------------------
# raw data: each rule runs on what it can read


def test_raw_rules_on_a_valid_case_find_nothing(hand_raw: dict[str, Any]) -> None:
    assert raw_problems(hand_raw) == []


def test_raw_rules_check_what_can_be_read_and_skip_the_rest(hand_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(hand_raw)
    # the hand case runs 2025-2029 (1 construction + 4 operating years); first operating year 2026
    d["port"]["opex"]["staff"]["start_year"] = 2031  # after the horizon
    d["port"]["capex"]["quay"]["phasing"] = "all at once"  # unreadable: its rule is skipped
    d["port"]["capex"]["land"]["start_year"] = "2025"  # text: a field problem, not a horizon one
    d["financing"]["loans"]["bank"]["tenor_years"] = 4  # repaid 2026 + 0 + 4 - 1 = 2029: fine
    d["financing"]["loans"]["other"] = {"tenor_years": 5}  # 2030: after the horizon; no share: no drawing rule
    d["lab"] = 5  # not a table: its rules are skipped
    d["financing"]["capital_injection"]["years"] = [2024, "2025"]  # 2024 before it; text skipped
    assert [str(p) for p in raw_problems(d)] == [
        "port.opex.staff.start_year: must be within the model years 2025-2029, got 2031",
        "financing.capital_injection.years: must be within the model years 2025-2029, got 2024",
        "financing.loans.other.tenor_years: the loan would be repaid in 2030, after the last model year 2029; "
        "shorten grace_years + tenor_years, got 5",
    ]


def test_raw_rules_without_a_horizon_check_only_the_price_base_year(hand_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(hand_raw)
    d["timeline"]["operating_years"] = None
    d["timeline"]["price_base_year"] = 2026
    d["lab"] = {"accreditation_year": 2100}
    assert [str(p) for p in raw_problems(d)] == ["timeline.price_base_year: must be <= start_year (2025), got 2026"]


@pytest.mark.parametrize("data", [None, 5, "text", [], {}, {"timeline": 5}, {"timeline": {"start_year": True}}])
def test_raw_rules_never_fail_on_garbage(data: Any) -> None:
    assert raw_problems(data) == []


def test_raw_rules_are_reported_with_the_field_problems(hand_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(hand_raw)
    d["tax"]["corporate_income_tax_rate"]["value"] = -0.1  # a field problem
    d["port"]["capex"]["land"]["start_year"] = 2030  # a rule across sections
    assert messages(d) == [
        "tax.corporate_income_tax_rate: must be >= 0, got -0.1",
        "port.capex.land.start_year: must be within the model years 2025-2029, got 2030",
    ]


# ---------------------------------------------------------------------------
# quantity paths a case names: "did you mean"


def test_scenario_path_typo(default_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(default_raw)
    d["scenarios"]["low"]["set"][TYPO] = d["scenarios"]["low"]["set"].pop(TARIFF)
    assert messages(d) == [
        f"scenarios.low.set.{TYPO}: is not a quantity of this case (give its full path); did you mean '{TARIFF}'?"
    ]


def test_scenario_path_without_its_sections(default_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(default_raw)
    d["scenarios"]["low"]["set"]["tariff_idr_per_tonne"] = d["scenarios"]["low"]["set"].pop(TARIFF)
    assert messages(d) == [
        "scenarios.low.set.tariff_idr_per_tonne: is not a quantity of this case (give its full path); "
        f"did you mean '{TARIFF}'?"
    ]


def test_distribution_path_typo_and_the_correlation_that_names_the_right_path(default_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(default_raw)
    d["risk"]["distributions"][TYPO] = d["risk"]["distributions"].pop(TARIFF)
    assert messages(d) == [
        f"risk.distributions.{TYPO}: is not a quantity of this case (give its full path); did you mean '{TARIFF}'?",
        # the second correlation of the default case names the tariff, which now has no distribution;
        # the misspelled distribution is not offered (it has its own problem above)
        f"risk.correlations[1]: names an input without a distribution in [risk.distributions] (or a forecast stream's volumes, <line>.revenue.<stream>.forecast.volumes), got '{TARIFF}'",
    ]


def test_correlation_path_typo(default_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(default_raw)
    d["risk"]["correlations"][1]["between"][0] = TYPO
    assert messages(d) == [
        f"risk.correlations[1]: names an input without a distribution in [risk.distributions] (or a forecast stream's volumes, <line>.revenue.<stream>.forecast.volumes), got '{TYPO}'; "
        f"did you mean '{TARIFF}'?"
    ]


@pytest.mark.parametrize("axis", ["rows", "cols"])
def test_two_way_path_typo(default_raw: dict[str, Any], axis: str) -> None:
    d = copy.deepcopy(default_raw)
    d["sensitivity"]["two_way"][0][axis] = TYPO
    assert messages(d) == [
        f"sensitivity.two_way[0].{axis}: is not a single-number quantity of this case, got '{TYPO}'; did you mean '{TARIFF}'?"
    ]


def test_two_way_on_a_list_quantity_suggests_nothing(default_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(default_raw)
    d["sensitivity"]["two_way"][0]["rows"] = "port.revenue.cargo_handling.ramp_up"  # a list of shares
    assert messages(d) == [
        "sensitivity.two_way[0].rows: is not a single-number quantity of this case, got 'port.revenue.cargo_handling.ramp_up'"
    ]


def test_benefit_follows_typo(default_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(default_raw)
    (name,) = [k for k, b in d["economic"]["benefits"].items() if b.get("follows") == "port.cargo_handling"]
    d["economic"]["benefits"][name]["follows"] = "port.cargo_handlin"
    assert messages(d) == [
        f"economic.benefits.{name}.follows: is not a revenue stream (streams: lab.lab_tests, port.berthing, "
        "port.cargo_handling, port.port_dues, port.storage, services.umkm_services, services.warehousing, services.waste_transport), "
        "got 'port.cargo_handlin'; did you mean 'port.cargo_handling'?"
    ]


def test_model_override_typo_is_a_key_error_with_the_suggestion() -> None:
    case = load_case(HAND)
    with pytest.raises(KeyError) as exc:
        run(case, {"port.revenue.cargo_handling.tarif": 1.0})
    assert exc.value.args[0] == (
        "override 'port.revenue.cargo_handling.tarif': no such quantity in this case; "
        f"did you mean '{TARIFF}'? (an optional quantity must be in the case file before it can be varied)"
    )
    with pytest.raises(KeyError) as exc:
        run(case, {"nowhere": 1.0})
    assert exc.value.args[0] == (
        "override 'nowhere': no such quantity in this case "
        "(an optional quantity must be in the case file before it can be varied)"
    )


def test_case_quantity_and_scenario_lookups_suggest() -> None:
    case = load_case(DEFAULT_CASE)
    with pytest.raises(KeyError) as exc:
        case.quantity(TYPO)
    assert exc.value.args[0] == f"{TYPO}: no such quantity in the case; did you mean '{TARIFF}'?"
    with pytest.raises(KeyError) as exc:
        case.scenario("hgh")
    assert exc.value.args[0] == "scenario 'hgh': not in the case; did you mean 'high'? (scenarios: low, high)"


# ---------------------------------------------------------------------------
# one DSCR threshold: risk.dscr_threshold is a deprecated alias of criteria.min_dscr

ALIAS_HINT = "risk.dscr_threshold is a deprecated alias: remove it and set criteria.min_dscr in [criteria]"


def test_a_case_giving_both_equal_loads_unchanged(default_raw: dict[str, Any]) -> None:
    # older case files (and the case text embedded in their reports) gave both; the default case gives one
    assert "dscr_threshold" not in default_raw["risk"] and default_raw["criteria"]["min_dscr"] == 1.3
    d = copy.deepcopy(default_raw)
    d["risk"]["dscr_threshold"] = 1.3
    case = parse_case(d, base_dir=DEFAULT_CASE.parent)
    assert case.risk.dscr_threshold == 1.3 and case.criteria.min_dscr == 1.3


def test_alias_differing_from_min_dscr_names_both_values(default_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(default_raw)
    d["risk"]["dscr_threshold"] = 1.25
    assert messages(d) == [f"risk.dscr_threshold: must equal criteria.min_dscr (1.3), got 1.25; {ALIAS_HINT}"]


def test_alias_against_the_default_min_dscr(hand_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(hand_raw)
    assert "criteria" not in d
    d["risk"] = {"dscr_threshold": 1.5}
    assert messages(d) == [f"risk.dscr_threshold: must equal criteria.min_dscr (1.3, its default), got 1.5; {ALIAS_HINT}"]


def test_alias_problem_comes_with_the_field_problems(hand_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(hand_raw)
    d["risk"] = {"dscr_threshold": 2}
    d["criteria"] = {"min_dscr": 1.2}
    d["tax"]["corporate_income_tax_rate"]["value"] = -0.1
    assert messages(d) == [
        "tax.corporate_income_tax_rate: must be >= 0, got -0.1",
        f"risk.dscr_threshold: must equal criteria.min_dscr (1.2), got 2; {ALIAS_HINT}",
    ]


@pytest.mark.parametrize(
    "risk, criteria, expected",
    [
        ({"dscr_threshold": True}, {}, "risk.dscr_threshold: must be a number, got True"),
        ({"dscr_threshold": 1.2}, {"min_dscr": "1.2"}, "criteria.min_dscr: must be a number, got '1.2'"),
    ],
)
def test_an_unreadable_alias_or_min_dscr_is_only_its_field_problem(
    hand_raw: dict[str, Any], risk: dict[str, Any], criteria: dict[str, Any], expected: str
) -> None:
    d = copy.deepcopy(hand_raw)
    d["risk"], d["criteria"] = risk, criteria
    assert messages(d) == [expected]


def test_an_alias_out_of_range_breaks_both_rules(hand_raw: dict[str, Any]) -> None:
    d = copy.deepcopy(hand_raw)
    d["risk"] = {"dscr_threshold": 11}
    assert messages(d) == [
        "risk.dscr_threshold: must be <= 10, got 11",
        f"risk.dscr_threshold: must equal criteria.min_dscr (1.3, its default), got 11; {ALIAS_HINT}",
    ]


@pytest.mark.parametrize("alias", [None, 1.5], ids=["min_dscr_only", "both_equal"])
def test_min_dscr_is_the_threshold_everywhere(hand_raw: dict[str, Any], alias: float | None) -> None:
    from feasibility.analysis.risk import simulate
    from feasibility.analysis.sensitivity import thresholds

    d = copy.deepcopy(hand_raw)
    d["criteria"] = {"min_dscr": 1.5}
    if alias is not None:
        d["risk"] = {"dscr_threshold": alias}
    case = parse_case(d)
    assert case.risk.dscr_threshold == alias
    assert thresholds(case)["dscr_min"] == 1.5
    sim = simulate(case, 4, seed=1, progress=False)
    assert sim.dscr_threshold == 1.5 and sim.to_dict()["dscr_threshold"] == 1.5
