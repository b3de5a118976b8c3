"""The economic section: financial beside economic results, benefits and costs at present value, conversion factors, the PPP test."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...case import in_lang
from .. import charts as ch
from ..i18n import Formatter
from ..labels import short_label
from .common import NoteView, anchor, billions, chart_alt, chart_words, line_labels, metric_value, notes_for

if TYPE_CHECKING:
    from ...study import Study

__all__ = [
    "Benefit", "ConversionFactor", "Economic", "EconomicAnalysis", "SideBySide", "VgfCondition", "economic", "economic_analysis",
    "vgf_conditions", "vgf_failing",
]


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
    total: str  # the ENPV: the benefits and costs above, summed
    chart: ch.Chart
    factors: list[ConversionFactor]


@dataclass(frozen=True)
class VgfCondition:
    """One condition of viability-gap funding as the report shows it (``source``: the case's own source of a limit)."""

    label: str
    value: str
    required: str
    met: bool
    met_text: str
    rule: str
    source: str
    source_lang: str


@dataclass(frozen=True)
class Economic:
    """The economic section; ``analysis`` is None for a case without ``[economic]``, the PPP texts "" (and no
    conditions) without a PPP test."""

    analysis: EconomicAnalysis | None
    ppp_text: str
    min_inv: str
    notes: list[NoteView]
    ppp_conditions: list[VgfCondition] = field(default_factory=list)


def _benefits(study: Study, fmt: Formatter) -> list[Benefit]:
    """Every economic stream at present value at the social discount rate, costs negative (:attr:`Study.enpv_by_stream`)."""
    econ = study.case.economic
    assert econ is not None
    out = []
    for st in study.enpv_by_stream:
        if st.key.startswith("economic_benefit_"):  # the case's own streams and external effects carry their own labels
            label = in_lang(econ.benefits[st.key[len("economic_benefit_") : -len("_real_idr")]].label, fmt.lang)
        elif st.key.startswith("economic_external_"):
            label = in_lang(econ.externalities[st.key[len("economic_external_") : -len("_real_idr")]].label, fmt.lang)
        else:
            label = fmt.msg["economic_lines"][st.key]
        out.append(Benefit(label=label, pv=fmt.money(st.pv_idr), bad=st.kind == "cost"))
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
        benefits=_benefits(study, fmt),
        total=metric_value(fmt, m, "enpv_idr"),
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
            if getattr(cf, k) is not None  # output, when not given, is the standard factor (operating_costs)
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
    conditions: list[VgfCondition] = []
    if study.ppp is not None:
        p = study.ppp
        ppp_text = t[f"route_{p.route}"].format(
            enpv=fmt.money(p.enpv_idr), share=fmt.percent(p.grant_share), grant=fmt.money(p.grant_idr), cap=fmt.percent(p.max_grant_share, 0),
            failing=vgf_failing(study, fmt),
        )
        min_inv = t["min_investment"].format(
            inv=fmt.money(p.construction_cost_idr), idc=fmt.money(p.idc_idr), min=fmt.money(p.min_investment_idr),
            year=study.case.timeline.price_base_year,
            ok=ui["yes"] if p.meets_min_investment else ui["no"],
        )
        conditions = vgf_conditions(study, fmt)
    return Economic(
        analysis=economic_analysis(study, fmt), ppp_text=ppp_text, min_inv=min_inv, notes=notes_for(study, fmt, "economic"),
        ppp_conditions=conditions,
    )


def vgf_conditions(study: Study, fmt: Formatter) -> list[VgfCondition]:
    """The conditions of viability-gap funding one by one: the case's value, what is required, met or not, and the rule.

    Money in base-year prices (ENPV and FNPV as the financial and economic
    tables give them), the grant as a share of the construction cost.
    """
    p = study.ppp
    assert p is not None
    t = fmt.msg["report"]
    case = study.case
    out = []
    for c in p.conditions:
        if c.unit:  # a number: money or a share
            value = fmt.value(c.value, c.unit) if c.value is not None else t["vgf_value_none"]
            required = t[f"vgf_req_{c.name}"].format(thr=fmt.value(c.threshold, c.unit))
        else:  # a choice the case states
            value = t[f"vgf_value_{c.value}"]
            required = t[f"vgf_req_{c.name}"]
        # the case's own limits (floor and cap) come with the source the case gives them
        q = {"min_investment": case.ppp.min_investment_idr, "within_cap": case.ppp.max_grant_share}.get(c.name) if case.ppp is not None else None
        out.append(VgfCondition(
            label=t[f"vgf_cond_{c.name}"], value=value, required=required, met=c.met is not False,
            met_text=t["vgf_not_assessed" if c.met is None else "vgf_met" if c.met else "vgf_not_met"],
            rule=t["vgf_regulation"], source=q.source if q is not None else "", source_lang=case.case.language,
        ))
    return out


def vgf_failing(study: Study, fmt: Formatter) -> str:
    """The conditions of viability-gap funding the project does not meet, in words ("" when none)."""
    p = study.ppp
    assert p is not None
    return "; ".join(fmt.msg["report"][f"vgf_cond_{name}"] for name in p.failing)
