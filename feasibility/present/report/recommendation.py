"""The recommendation and the conditions a council would attach to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import Formatter
from .common import confidence_counts, notes, plain

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
    still in the case, and a viability-gap grant the PPP test needs.
    """
    t = fmt.msg["report"]
    out = []
    tor = study.tornadoes["fnpv_idr"].table
    m = study.result.metrics
    if m["fnpv_idr"] < 0:
        solved = tor[tor.get("switching_status", "") == "solved"] if "switching_status" in tor else tor.iloc[0:0]
        if len(solved):
            best = solved.loc[solved["switching_change"].abs().sort_values().index[0]]
            out.append(t["cond_switch"].format(input=best.name, change=fmt.percent(best["switching_change"]), value=plain(fmt, best["switching_value"])))
        else:
            out.append(t["cond_no_switch"])
    if m["cash_sustainable"] == 0:
        out.append(t["cond_cash"].format(low=fmt.money(m["min_cumulative_cash_idr"]), top=fmt.money(m["region_top_up_total_idr"])))
    if m["unfunded_gap_max_idr"] > 0.5:
        out.append(t["cond_unfunded"].format(gap=fmt.money(m["unfunded_gap_max_idr"])))
    if m["expansion_deferred_phases"] > 0:
        out.append(t["cond_expansion_deferred"].format(n=fmt.number(m["expansion_deferred_phases"]), npv=fmt.money(m["expansion_npv_idr"])))
    for n in notes(study, fmt):
        if n.severity == "high":
            out.append(t["cond_note"].format(title=n.title))
    placeholders = confidence_counts(study).placeholder
    if placeholders:
        out.append(t["cond_placeholders"].format(n=placeholders))
    if study.ppp is not None and study.ppp.route == "vgf":
        out.append(t["cond_vgf"].format(grant=fmt.money(study.ppp.grant_idr)))
    return out


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
    return Recommendation(
        verdict=study.verdict,
        text=t[key].format(n=n_fail, m=len(study.criteria)),
        conditions=conditions(study, fmt),
    )
