"""The financial section: the metrics table, cash-flow and DSCR charts, business lines and the five-year plan."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...case import in_lang
from ...metrics import registry
from .. import charts as ch
from ..i18n import Formatter
from .common import NoteView, billions, chart_alt, chart_words, line_labels, notes_for
from .tables import AnnualTable, MetricRow, annual_table, metric_rows

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["FINANCIAL_METRICS", "PLAN_COLUMNS", "BusinessLineRow", "Financial", "business_lines", "financial"]

#: the metrics table, in order (the comparison report uses the first twelve)
FINANCIAL_METRICS = ["fnpv_idr", "firr", "wacc", "mirr", "payback_years", "discounted_payback_years", "bcr", "profitability_index",
                     "equity_npv_idr", "equity_irr", "cost_of_equity", "dscr_min", "dscr_avg", "llcr", "llcr_min",
                     "cash_sustainable", "first_cash_shortfall_year", "min_cumulative_cash_idr", "gap_funding_total_idr",
                     "unfunded_gap_max_idr", "capex_total_idr", "debt_total_idr", "shareholder_npv_idr", "shareholder_irr"]

#: the five-year business plan's lines
PLAN_COLUMNS = [
    "revenue_total_idr",
    "opex_total_idr",
    "ebitda_idr",
    "depreciation_idr",
    "interest_idr",
    "tax_idr",
    "net_profit_idr",
    "capex_idr",
    "cfads_idr",
    "debt_service_idr",
    "dscr",
    "dividends_paid_idr",
    "cumulative_cash_idr",
]


@dataclass(frozen=True)
class BusinessLineRow:
    """A business line's sums over the model years and the present value of its contribution (red when negative)."""

    name: str
    revenue: str
    costs: str
    contribution: str
    pv: str
    bad: bool


@dataclass(frozen=True)
class Financial:
    intro: str
    metrics: list[MetricRow]
    warnings: list[str]
    cash_short: bool
    funding_note: str
    fcf: ch.Chart
    dscr: ch.Chart | None
    business_lines: list[BusinessLineRow]
    plan: AnnualTable
    notes: list[NoteView]


def business_lines(study: Study, fmt: Formatter) -> list[BusinessLineRow]:
    """Revenue, direct costs and contribution of each business line (port, lab, ...)."""
    annual, m = study.result.annual, study.result.metrics
    return [
        BusinessLineRow(
            name=in_lang(line.name, fmt.lang),
            revenue=fmt.money(float(annual[f"revenue_{key}_idr"].sum())),
            costs=fmt.money(float(annual[f"direct_costs_{key}_idr"].sum())),
            contribution=fmt.money(float(annual[f"contribution_{key}_idr"].sum())),
            pv=fmt.money(m[f"pv_contribution_{key}_idr"]),
            bad=bool(m[f"pv_contribution_{key}_idr"] < 0),
        )
        for key, line in study.case.lines().items()
    ]


def _fcf_chart(study: Study, fmt: Formatter, years: list[int]) -> ch.Chart:
    """The project's free cash flow (before financing) by year and its cumulative sum: one flow, bars and line.

    The residual value the last year counts (EU CBA Guide 2014) is a bar of its own, stacked on that year,
    so that a reader sees which part of the last bar is an end-of-period valuation rather than cash.
    """
    annual, t, labels = study.result.annual, fmt.msg["report"], line_labels(fmt.msg)
    fcf = annual["project_fcf_idr"].to_numpy()
    res = annual["residual_value_idr"].to_numpy() if "residual_value_idr" in annual else np.zeros_like(fcf)
    return ch.bars_by_year(
        years,
        {labels["project_fcf_idr"]: fcf - res, labels["residual_value_idr"]: res},
        stacked=True,
        line={t["cumulative_fcf"]: np.cumsum(fcf)},
        title=t["chart_fcf"], alt=chart_alt(fmt, t["chart_fcf"]), ylabel=t["billion_axis"], fmt=billions(fmt),
        negative_label=chart_words(fmt)["negative"], na_label=chart_words(fmt)["na"],
    )


def _dscr_chart(study: Study, fmt: Formatter, years: list[int]) -> ch.Chart | None:
    """DSCR by year against the lender's minimum (None when no year has debt service)."""
    dscr = study.result.annual["dscr"].to_numpy()
    if not np.isfinite(dscr).any():
        return None
    msg, t = fmt.msg, fmt.msg["report"]
    min_dscr = registry.threshold("dscr_min", study.case, study.result.metrics)
    return ch.lines_by_year(
        years, {"DSCR": dscr}, title=t["chart_dscr"], alt=chart_alt(fmt, t["chart_dscr"]), ylabel=t["ratio_axis"], threshold=min_dscr,
        threshold_label=f"{msg['criterion']['dscr']}: {fmt.number(min_dscr, 2)}", fmt=lambda v: fmt.number(v, 2),  # ticks at quarters: -0,25, not -0,2
        na_label=chart_words(fmt)["na"],
    )


def funding_note(study: Study, fmt: Formatter) -> str:
    """How the case finances a cash shortfall: a standby facility, top-ups from the APBD, or nothing (an unfunded gap)."""
    m, ui = study.result.metrics, fmt.msg["ui"]
    gap = study.case.financing.funding_gap
    year = m["first_cash_shortfall_year"]
    when = str(int(year)) if math.isfinite(year) else ui["na"]
    if gap is None:
        return ui["funding_gap_none"].format(year=when, gap=fmt.money(m["unfunded_gap_max_idr"]))
    parts = []
    for src in gap.sources:
        if src == "standby_facility":
            sf = gap.standby_facility
            parts.append(ui["funding_gap_standby"].format(limit=fmt.money(sf.limit_idr_nominal.value), rate=fmt.percent(sf.interest_rate.value)))
        else:
            parts.append(ui["funding_gap_top_up"].format(top=fmt.money(m["region_top_up_total_idr"])))
    text = ui["funding_gap_sources"].format(year=when, sources=ui["then"].join(parts))
    if m["unfunded_gap_max_idr"] > 0.5:
        text += " " + ui["funding_gap_left"].format(gap=fmt.money(m["unfunded_gap_max_idr"]))
    return text


def financial(study: Study, fmt: Formatter) -> Financial:
    """The financial section.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Financial
        ``metrics`` red exactly where a metric misses its hurdle;
        ``warnings`` say why a metric is undefined; ``cash_short`` when the
        plan's own cash falls below zero in some year (a funding gap), and
        ``funding_note`` how the case finances it;
        ``plan`` covers the first five operating years.
    """
    res = study.result
    years = [int(y) for y in res.years]
    fo = study.case.timeline.first_operating_year
    return Financial(
        intro=fmt.msg["report"]["financial_intro"].format(year=study.case.timeline.price_base_year),
        metrics=metric_rows(study, fmt, FINANCIAL_METRICS),
        warnings=[fmt.undefined(u) for u in res.undefined],
        cash_short=bool(res.metrics["cash_sustainable"] == 0),
        funding_note=funding_note(study, fmt),
        fcf=_fcf_chart(study, fmt, years),
        dscr=_dscr_chart(study, fmt, years),
        business_lines=business_lines(study, fmt),
        plan=annual_table(study, fmt, PLAN_COLUMNS, [y for y in years if fo <= y < fo + 5]),
        notes=notes_for(study, fmt, "financial"),
    )
