"""The economic section: financial beside economic results, benefits and costs at present value, conversion factors, the PPP test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...case import in_lang
from .. import charts as ch
from ..i18n import Formatter
from ..labels import short_label
from .common import NoteView, anchor, billions, chart_alt, chart_words, line_labels, metric_value, notes_for

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["Benefit", "ConversionFactor", "Economic", "EconomicAnalysis", "SideBySide", "economic", "economic_analysis"]


@dataclass(frozen=True)
class SideBySide:
    """One measure, financial beside economic (NPV, IRR, BCR, discount rate)."""

    label: str
    fin: str
    eco: str


@dataclass(frozen=True)
class Benefit:
    """A benefit (or, ``bad``, a cost) of the economic analysis at present value."""

    label: str
    pv: str
    bad: bool


@dataclass(frozen=True)
class ConversionFactor:
    name: str
    anchor: str
    value: str
    confidence: str


@dataclass(frozen=True)
class EconomicAnalysis:
    """The cost-benefit analysis of a case with an ``[economic]`` table."""

    intro: str
    side: list[SideBySide]
    benefits: list[Benefit]
    chart: ch.Chart
    factors: list[ConversionFactor]


@dataclass(frozen=True)
class Economic:
    """The economic section; ``analysis`` is None for a case without ``[economic]``, the PPP texts "" without a PPP test."""

    analysis: EconomicAnalysis | None
    ppp_text: str
    min_inv: str
    notes: list[NoteView]


def _benefits(study: Study, fmt: Formatter, sdr: float) -> list[Benefit]:
    """Every economic flow at present value at the social discount rate, costs negative."""
    econ = study.case.economic
    assert econ is not None
    annual = study.result.annual

    def pv(col: str) -> float:
        v = annual[col].to_numpy()
        return float(np.sum(v / (1.0 + sdr) ** np.arange(v.size)))

    parts = [("economic_revenue_real_idr", 1), ("economic_diverted_savings_real_idr", 1), ("economic_employment_real_idr", 1)]
    parts += [(f"economic_benefit_{k}_real_idr", 1) for k in econ.benefits]
    parts += [("economic_residual_real_idr", 1), ("economic_capex_real_idr", -1), ("economic_opex_real_idr", -1)]
    out = []
    for col, sign in parts:
        if col.startswith("economic_benefit_"):  # the case's own benefit streams carry their own labels
            name = col[len("economic_benefit_") : -len("_real_idr")]
            label = in_lang(econ.benefits[name].label, fmt.lang)
        else:
            label = fmt.msg["economic_lines"][col]
        out.append(Benefit(label=label, pv=fmt.money(sign * pv(col)), bad=sign < 0))
    return out


def _traffic_text(study: Study, fmt: Formatter) -> str:
    """Where each revenue stream's volume comes from: its diverted share (EU CBA Guide 2014, generated vs diverted traffic)."""
    econ = study.case.economic
    assert econ is not None
    lines = study.case.lines()
    parts = [
        fmt.msg["report"]["traffic_item"].format(
            stream=in_lang(lines[key].revenue[name].label, fmt.lang) or name.replace("_", " "), share=fmt.percent(t.diverted_share.value, 0)
        )
        for key, by_stream in econ.traffic.items()
        if key in lines  # the traffic of lines the plan runs
        for name, t in by_stream.items()
    ]
    return fmt.msg["report"]["economic_traffic"].format(items="; ".join(parts))


def economic_analysis(study: Study, fmt: Formatter) -> EconomicAnalysis | None:
    """The cost-benefit analysis (EU CBA Guide 2014), None for a case without ``[economic]``."""
    case = study.case
    if case.economic is None:
        return None
    m = study.result.metrics
    t = fmt.msg["report"]
    sdr = m["social_discount_rate"]
    cf = case.economic.conversion_factors
    years = [int(y) for y in study.result.years]
    flow = line_labels(fmt.msg)["economic_flow_real_idr"]
    return EconomicAnalysis(
        intro=t["economic_intro"].format(sdr=fmt.percent(sdr)) + " " + _traffic_text(study, fmt),
        side=[
            SideBySide(label=t["npv"], fin=metric_value(fmt, m, "fnpv_idr"), eco=metric_value(fmt, m, "enpv_idr")),
            SideBySide(label=t["irr"], fin=metric_value(fmt, m, "firr"), eco=metric_value(fmt, m, "eirr")),
            SideBySide(label=t["bcr_short"], fin=metric_value(fmt, m, "bcr"), eco=metric_value(fmt, m, "ebcr")),
            SideBySide(label=t["discount_rate"], fin=metric_value(fmt, m, "wacc"), eco=metric_value(fmt, m, "social_discount_rate")),
        ],
        benefits=_benefits(study, fmt, sdr),
        chart=ch.bars_by_year(
            # the residual value of the last year is a bar of its own (an end-of-period valuation, not a year's benefit)
            years, {flow: study.result.annual["economic_flow_real_idr"].to_numpy() - study.result.annual["economic_residual_real_idr"].to_numpy(),
                    fmt.msg["economic_lines"]["economic_residual_real_idr"]: study.result.annual["economic_residual_real_idr"].to_numpy()},
            stacked=True,
            title=t["chart_econ"], alt=chart_alt(fmt, t["chart_econ"]), ylabel=t["billion_axis"], fmt=billions(fmt),
            negative_label=chart_words(fmt)["negative"], na_label=chart_words(fmt)["na"],
        ),
        factors=[
            ConversionFactor(
                # the factor's label without its group ("Faktor konversi: ..."): the table's heading says it
                name=short_label(case, f"economic.conversion_factors.{k}", fmt.lang).split(": ", 1)[-1],
                anchor=anchor(f"economic.conversion_factors.{k}"), value=fmt.number(getattr(cf, k).value, 2), confidence=getattr(cf, k).confidence
            )
            for k in type(cf).model_fields
        ],
    )


def economic(study: Study, fmt: Formatter) -> Economic:
    """The economic section.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Economic
        The cost-benefit analysis, and the PPP test's route (no grant needed,
        viability-gap funding within or above its cap, ...) with the minimum
        investment check.
    """
    t, ui = fmt.msg["report"], fmt.msg["ui"]
    ppp_text = min_inv = ""
    if study.ppp is not None:
        p = study.ppp
        ppp_text = t[f"route_{p.route}"].format(
            enpv=fmt.money(p.enpv_idr), share=fmt.percent(p.grant_share), grant=fmt.money(p.grant_idr), cap=fmt.percent(p.max_grant_share, 0)
        )
        min_inv = t["min_investment"].format(
            inv=fmt.money(p.total_investment_idr), min=fmt.money(p.min_investment_idr), ok=ui["yes"] if p.meets_min_investment else ui["no"]
        )
    return Economic(analysis=economic_analysis(study, fmt), ppp_text=ppp_text, min_inv=min_inv, notes=notes_for(study, fmt, "economic"))
