"""The recommendation and the conditions a council would attach to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...analysis.criteria import Criterion
from ...case import in_lang
from ...metrics.registry import METRIC_UNITS
from ..i18n import Formatter
from ..labels import short_label
from .chapters import first_stage
from .common import confidence_counts, current_words, input_value, phases, price_words
from .economic import vgf_failing

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["Recommendation", "conditions", "recommendation"]


@dataclass(frozen=True)
class Recommendation:
    verdict: str
    text: str
    conditions: list[str]


def conditions(study: Study, fmt: Formatter) -> list[str]:
    """What must change or be settled first, most decisive first.

    The smallest change of one input that brings FNPV to zero (when FNPV is
    negative), the funding gap, every note of high severity, the placeholders
    still in the case, and a viability-gap grant the PPP test needs when the
    project meets every condition of viability-gap funding (else, for a project
    economically but not financially feasible, the conditions it fails).
    """
    t = fmt.msg["report"]
    out = []
    m = study.result.metrics
    if m["fnpv_idr"] < 0:
        out.append(_switch(study, fmt) if study.switch is not None else t["cond_no_switch"])
    if m["cash_sustainable"] == 0:
        top_years = study.result.years[study.result.annual["region_top_up_idr"].to_numpy() > 0.5]  # half a rupiah is rounding
        year = int(m["first_cash_shortfall_year"])
        if top_years.size:
            out.append(t["cond_cash"].format(
                year=year, k=fmt.number(top_years.size), first=int(top_years.min()), last=int(top_years.max()),
                top=fmt.money(m["region_top_up_total_idr"]), basis=price_words(study, fmt),
                current=current_words(study, fmt, m["region_top_up_total_current_idr"]),
            ))
        else:  # the standby facility covers it, or nothing does (the next condition)
            out.append(t["cond_cash_no_top_up"].format(year=year, low=fmt.money(m["min_cumulative_cash_idr"]), basis=price_words(study, fmt)))
    dscr = next((c for c in study.criteria if c.key == "dscr"), None)
    if dscr is not None and dscr.passed is False and m["debt_total_idr"] > 0.5:  # the plan counts on a loan no lender would give
        out.append(t["cond_loan"].format(debt=fmt.money(m["debt_total_idr"]), dscr=fmt.number(dscr.value, 2), thr=fmt.number(dscr.threshold, 2)))
    if m["unfunded_gap_max_idr"] > 0.5:
        out.append(t["cond_unfunded"].format(gap=fmt.money(m["unfunded_gap_max_idr"])))
    if m["expansion_deferred_phases"] > 0:
        n = m["expansion_deferred_phases"]
        out.append(t["cond_expansion_deferred"].format(n=fmt.number(n), phases=phases(fmt, n), npv=fmt.money(m["expansion_npv_idr"])))
    for note in study.case.notes.values():
        if note.severity == "high":  # the act the case names for it, else a request the council can make
            action = in_lang(note.action, fmt.lang)
            out.append(action or t["cond_note"].format(title=in_lang(note.title, fmt.lang)))
    placeholders = confidence_counts(study).placeholder
    if placeholders:
        out.append(t["cond_placeholders"].format(n=placeholders, column=t["rests_on"]))
    ppp = study.ppp
    if ppp is not None and ppp.route == "vgf" and ppp.eligible:  # viability-gap funding only when every condition is met
        out.append(t["cond_vgf"].format(grant=fmt.money(ppp.grant_idr)))
    elif ppp is not None and ppp.economic_feasible and not ppp.financial_feasible and ppp.failing:
        out.append(t["cond_vgf_not_eligible"].format(failing=vgf_failing(study, fmt)))
    return out


def _criterion_value(c: Criterion, fmt: Formatter) -> str:
    """A criterion's metric at a run: its short name and value (a payback in years)."""
    name = fmt.msg["criterion_short"][c.key]
    if c.key == "payback":
        return f"{name} {fmt.value(c.value, 'years')}"
    return f"{name} {fmt.value(c.value, METRIC_UNITS.get(c.metric, ''))}"


def _switch(study: Study, fmt: Formatter) -> str:
    """The smallest change of one input that brings the FNPV to zero, where it lies, and what still fails there."""
    t, sw = fmt.msg["report"], study.switch
    assert sw is not None
    if sw.in_range is None:
        where = t["switch_no_range"]
    else:
        where = t["switch_inside" if sw.in_range else "switch_outside"].format(
            low=input_value(study, fmt, sw.path, sw.low), high=input_value(study, fmt, sw.path, sw.high))
    # the FIRR and the BCR are the FNPV's test in other forms: at FNPV 0 they stand at the WACC and at 1 by construction
    failing = [c for c in sw.criteria if c.key not in ("fnpv", "firr", "bcr") and c.passed is False]
    region = fmt.money(sw.region_npv_idr)
    others = (t["switch_others_fail"].format(k=fmt.number(len(failing)), list="; ".join(_criterion_value(c, fmt) for c in failing), region_npv=region)
              if failing else t["switch_others_pass"].format(region_npv=region))
    return t["cond_switch"].format(
        input=t["quoted"].format(short_label(study.case, sw.path, fmt.lang)), direction=t["switch_up" if sw.change > 0 else "switch_down"],
        change=fmt.percent(abs(sw.change)), value=input_value(study, fmt, sw.path, sw.value), where=where, others=others,
    )


def _preferred(study: Study, fmt: Formatter) -> str:
    """The option the appraisal prefers, when it is not the plan itself ("" without a long list)."""
    ap = study.appraisal
    if ap is None or not ap.preferred or ap.preferred == ap.same_as_case:
        return ""
    return fmt.msg["report"]["rec_preferred"].format(option=in_lang(ap[ap.preferred].option.label, fmt.lang))


def recommendation(study: Study, fmt: Formatter) -> Recommendation:
    """The recommendation section.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Recommendation
        The verdict (its colour), the recommendation sentence and the conditions.
    """
    t = fmt.msg["report"]
    n_fail = sum(1 for c in study.criteria if c.passed is False)
    key = "recommendation_not_feasible" if study.verdict == "not_feasible" else "recommendation_feasible"
    if key == "recommendation_not_feasible" and not study.case.data_plan:
        key = "recommendation_not_feasible_no_plan"
    cost, months = first_stage(study)
    text = t[key].format(n=n_fail, m=len(study.criteria), plan_cost=fmt.money(cost), plan_months=fmt.number(months))
    preferred = _preferred(study, fmt)
    return Recommendation(
        verdict=study.verdict,
        text=(preferred + " " + text) if preferred else text,
        conditions=conditions(study, fmt),
    )
