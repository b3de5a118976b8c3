"""The appendices: the assumption register, the annual tables, the methods (the glossary and case file come from the template)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import Formatter
from ..labels import short_label, unit_label
from .common import anchor, plain
from .tables import AnnualTable, annual_table

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["ANNUAL_COLUMNS", "CASH_COLUMNS", "INCOME_COLUMNS", "Appendix", "RegisterRow", "appendix", "register"]

#: the annual lines of the appendix table, in order
ANNUAL_COLUMNS = [
    "revenue_total_idr",
    "opex_total_idr",
    "ebitda_idr",
    "depreciation_idr",
    "interest_idr",
    "tax_idr",
    "net_profit_idr",
    "capex_idr",
    "residual_value_idr",
    "project_fcf_idr",
    "equity_injection_idr",
    "debt_drawdown_idr",
    "debt_service_idr",
    "dscr",
    "dividends_to_region_idr",
    "top_up_idr",
    "net_cash_flow_idr",
    "cumulative_cash_idr",
    "cumulative_cash_before_gap_funding_idr",
]
INCOME_COLUMNS = ["revenue_total_idr", "variable_cost_idr", "fixed_opex_idr", "overhead_idr", "concession_fee_idr", "ebitda_idr",
                  "depreciation_idr", "interest_idr", "standby_interest_idr", "interest_income_idr", "tax_idr", "net_profit_idr",
                  # the allocation of the year's profit, in the year of the profit (the cash table shows what is paid when)
                  "legal_reserve_addition_idr", "tantiem_declared_idr", "dividends_declared_idr"]
CASH_COLUMNS = ["ebitda_idr", "change_in_working_capital_idr", "tax_idr", "capex_idr", "equity_injection_idr", "debt_drawdown_idr",
                "viability_gap_grant_idr", "debt_service_idr", "standby_draw_idr", "standby_repayment_idr", "interest_income_idr", "top_up_idr",
                "tantiem_idr",
                "dividends_paid_idr", "net_cash_flow_idr", "cumulative_cash_idr"]


@dataclass(frozen=True)
class RegisterRow:
    """A number of the case with its provenance.

    ``shown`` is the value (a list's values joined), ``range`` its low – high
    ("" when it has none); ``price_flag`` warns that a rupiah amount is priced
    in another year than the case's price base year.
    """

    path: str
    label: str
    anchor: str
    shown: str
    range: str
    unit: str
    source: str
    year: int | None
    note: str | None
    confidence: str
    confidence_label: str
    price_flag: str


@dataclass(frozen=True)
class Appendix:
    register: list[RegisterRow]
    annual: AnnualTable
    income: AnnualTable
    cashflow: AnnualTable
    methods: list[str]


def register(study: Study, fmt: Formatter) -> list[RegisterRow]:
    """The assumption register: every number of the case, in the case's order (the links of other sections point here)."""
    case, msg = study.case, fmt.msg
    base = case.timeline.price_base_year
    qmap = dict(case.register_quantities())  # the register lists every number of the file
    out = []
    for a in case.assumptions():
        v = a["value"]
        q = qmap[a["path"]]
        stale = "IDR" in a["unit"] and "nominal" not in a["unit"] and a["year"] is not None and a["year"] != base
        out.append(
            RegisterRow(
                path=a["path"],
                label=short_label(case, a["path"], fmt.lang),
                anchor=anchor(a["path"]),
                shown=", ".join(plain(fmt, x) for x in v) if isinstance(v, list) else plain(fmt, v),
                range=f"{plain(fmt, q.low)} – {plain(fmt, q.high)}" if q.low is not None else "",
                unit=unit_label(a["unit"], fmt.lang),
                source=a["source"],
                year=a["year"],
                note=a["note"],
                confidence=a["confidence"],
                confidence_label=msg["confidence"][a["confidence"]],
                price_flag=msg["ui"]["price_year"].format(year=a["year"], base=base) if stale else "",
            )
        )
    return out


def appendix(study: Study, fmt: Formatter) -> Appendix:
    """The appendices.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Appendix
        The register, the annual table, income statement and cash-flow
        statement over every model year, and the methods in words.
    """
    years = [int(y) for y in study.result.years]
    return Appendix(
        register=register(study, fmt),
        annual=annual_table(study, fmt, ANNUAL_COLUMNS, years),
        income=annual_table(study, fmt, INCOME_COLUMNS, years),
        cashflow=annual_table(study, fmt, CASH_COLUMNS, years),
        methods=list(fmt.msg["methods"].values()),
    )
