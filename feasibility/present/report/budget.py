"""The budget (PAD) section: what the region puts in and takes out, year by year and at present value."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import charts as ch
from ..i18n import Formatter
from .common import (
    NoteView,
    billions,
    chart_alt,
    chart_words,
    line_labels,
    metric_value,
    notes_for,
    price_words,
)
from .tables import MetricRow, metric_rows

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["BUDGET_METRICS", "Budget", "BudgetRow", "budget", "budget_lines", "budget_rows"]

#: the region's metrics, in the table's order
BUDGET_METRICS = ["region_injection_total_current_idr", "region_top_up_total_current_idr", "public_money_total_current_idr",
                  "region_injection_total_idr", "region_top_up_total_idr", "public_money_total_idr", "public_money_pv_idr",
                  "region_dividends_total_idr", "region_pv_dividends_idr", "region_pv_final_stake_idr", "region_npv_idr", "region_irr", "region_discount_rate",
                  "region_payback_year", "region_discounted_payback_year", "region_dividends_avg_idr_per_year",
                  "region_bond_interest_avg_idr_per_year", "region_dividends_share_of_pad", "region_injection_share_of_apbd"]


@dataclass(frozen=True)
class BudgetRow:
    """One budget year of the region's flows in billions of rupiah at current prices (as the APBD writes them):
    the planned injection, the top-ups, the dividends, in the last year the region's share of the BUMD's net assets,
    their cumulative balance, and that balance in present
    value in the results' basis (so that the last row is the region's NPV); ``neg`` while the region is still
    out of pocket."""

    year: int
    inj: str
    top: str
    div: str
    stake: str
    cum: str
    cum_pv: str
    neg: bool


@dataclass(frozen=True)
class Budget:
    text: list[str]
    caption: str
    metrics: list[MetricRow]
    chart: ch.Chart
    rows: list[BudgetRow]
    notes: list[NoteView]
    index_source: str = ""  # where the price index that restates the region's figures comes from ("" when none does)


def budget_rows(study: Study, fmt: Formatter) -> list[BudgetRow]:
    """The years with an injection or a dividend, the first three operating years and the first and last year.

    The other years repeat the balance of the year before, so the table
    leaves them out.
    """
    res = study.result
    years = [int(y) for y in res.years]
    fo = study.case.timeline.first_operating_year
    inj, top, div = budget_lines(res)
    stake = _stake(res)
    a = res.annual
    cum = np.cumsum(div + stake - inj - top)
    # present values as the region's NPV computes them: the results' basis at the rate in that basis
    flow = (a["dividends_to_region_idr"] + a["region_final_stake_idr"] - a["public_money_idr"]).to_numpy()
    cum_pv = np.cumsum(flow * (1.0 + res.metrics["region_discount_rate"]) ** -np.arange(len(years)))
    return [
        BudgetRow(
            year=y, inj=fmt.number(inj[i] / 1e9, 1), top=fmt.number(top[i] / 1e9, 1), div=fmt.number(div[i] / 1e9, 1),
            stake=fmt.number(stake[i] / 1e9, 1), cum=fmt.number(cum[i] / 1e9, 1), cum_pv=fmt.number(cum_pv[i] / 1e9, 1), neg=bool(cum[i] < -0.5),  # half a rupiah is rounding
        )
        for i, y in enumerate(years)
        if inj[i] != 0 or top[i] != 0 or div[i] != 0 or y in (years[0], years[-1]) or y < fo + 3
    ]


def budget_lines(res: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The region's injections, top-ups and dividends by year in current prices (IDR): a budget is
    written in the year's rupiah, so real results are put back into current prices."""
    a = res.annual
    nominal = a["price_index"].to_numpy() if res.price_basis == "real" else np.ones(len(a))
    return tuple(a[k].to_numpy() * nominal for k in ("region_injection_idr", "region_top_up_idr", "dividends_to_region_idr"))


def _stake(res: Any) -> np.ndarray:
    """The region's share of the BUMD at the end, by year (the last only), in current prices (IDR), as the budget table."""
    a = res.annual
    return a["region_final_stake_idr"].to_numpy() * (a["price_index"].to_numpy() if res.price_basis == "real" else 1.0)


def _chart(study: Study, fmt: Formatter) -> ch.Chart:
    t, labels = fmt.msg["report"], line_labels(fmt.msg)
    inj, top, div = budget_lines(study.result)  # as the budget table beside it
    stake = _stake(study.result)
    return ch.bars_by_year(
        [int(y) for y in study.result.years],
        {labels["region_injection_idr"]: -inj, labels["region_top_up_idr"]: -top, labels["dividends_to_region_idr"]: div,
         fmt.msg["more_lines"]["region_final_stake"]: stake},
        line={labels["region_cumulative"]: np.cumsum(div + stake - inj - top)},
        title=t["chart_budget"], alt=chart_alt(fmt, t["chart_budget"]), ylabel=t["billion_axis_nominal"], fmt=billions(fmt),
        negative_label=chart_words(fmt)["negative"], na_label=chart_words(fmt)["na"],
    )


def budget(study: Study, fmt: Formatter) -> Budget:
    """The budget section.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Budget
        Three paragraphs (the region's discount rate, the bond alternative,
        the region's payback years), the region's metrics, the chart and the
        annual rows.
    """
    m = study.result.metrics
    t = fmt.msg["report"]
    py, dpy = m["region_payback_year"], m["region_discounted_payback_year"]
    real, year = study.result.price_basis == "real", study.case.timeline.price_base_year
    rate = fmt.percent(m["region_discount_rate"])
    text = [
        t["budget_intro"].format(
            nominal=fmt.percent(study.case.region.discount_rate_nominal.value), rate=rate,
            basis=t["real_rate_note"].format(inflation=fmt.percent(study.case.macro.inflation_per_year.value), year=year) if real else "",
        ),
        t["public_money"].format(
            inj=metric_value(fmt, m, "region_injection_total_current_idr"), top=metric_value(fmt, m, "region_top_up_total_current_idr"),
            total=metric_value(fmt, m, "public_money_total_current_idr"), pv=metric_value(fmt, m, "public_money_pv_idr"),
            constant=fmt.msg["messages"]["in_constant"].format(
                year=year, injection=metric_value(fmt, m, "region_injection_total_idr"), top_up=metric_value(fmt, m, "region_top_up_total_idr"),
                public=metric_value(fmt, m, "public_money_total_idr"),
            ) if real else "",
        ),
        t["bond"].format(
            rate=fmt.percent(study.case.region.discount_rate_nominal.value), bond=metric_value(fmt, m, "region_bond_interest_avg_idr_per_year"),
            div=metric_value(fmt, m, "region_dividends_avg_idr_per_year"), basis=price_words(study, fmt),
        ),
        t["final_stake"].format(stake=metric_value(fmt, m, "region_pv_final_stake_idr"), npv=metric_value(fmt, m, "region_npv_idr"))
        if study.case.region.final_stake == "net_assets" else t["final_stake_none"],
        t["payback_region"].format(year=str(int(py)) if math.isfinite(py) else t["never"], dyear=str(int(dpy)) if math.isfinite(dpy) else t["never"]),
    ]
    index, region = study.case.macro.price_index, study.case.region
    restated = [f"{fmt.msg['report'][k]} ({q.year})" for k, q in (("pad_word", region.pad_idr_per_year), ("apbd_word", region.apbd_idr_per_year))
                if q is not None and q.year is not None and q.year != year]
    source = ""
    if restated and index is not None:
        levels = "; ".join(f"{y} = {fmt.number(v, 2)}" for y, v in sorted(index.values.items()))
        text.append(t["restated"].format(what=", ".join(restated), year=year, levels=levels))
        source = index.source  # the case's own words, in the case's language
    pv = t["budget_pv_real"].format(year=year, rate=rate) if real else t["budget_pv_nominal"].format(rate=rate)
    return Budget(text=text, caption=t["budget_table_caption"].format(pv=pv), metrics=metric_rows(study, fmt, BUDGET_METRICS),
                  chart=_chart(study, fmt), rows=budget_rows(study, fmt), notes=notes_for(study, fmt, "budget"), index_source=source)
