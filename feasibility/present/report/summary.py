"""The executive summary: the verdict, the verdict table, the key messages and the confidence callout."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...analysis.criteria import Criterion
from ...analysis.robustness import at_ends
from ...metrics import registry
from ...metrics.registry import METRIC_UNITS
from ..i18n import Formatter
from ..labels import short_label
from .common import anchor, confidence_counts, pass_text, price_words, verdict_text

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["Driver", "Summary", "VerdictRow", "key_messages", "summary", "verdict_rows"]


@dataclass(frozen=True)
class Driver:
    """An input that moves a criterion's metric most, linked to its row in the assumption register."""

    path: str
    label: str
    anchor: str
    confidence: str
    confidence_label: str


@dataclass(frozen=True)
class VerdictRow:
    """One criterion of the verdict table.

    ``passed`` is ``"true"``, ``"false"`` or ``"na"`` (the row's ``data-pass``,
    which colours the result); ``robust`` says whether the outcome is the same
    at the best and the worst value found in the box of the declared ranges
    ("" when not searched).
    """

    key: str
    label: str
    value: str
    threshold: str
    passed: str
    result: str
    why: str
    drivers: list[Driver]
    low_confidence: bool
    robust: str


@dataclass(frozen=True)
class Summary:
    verdict: str
    verdict_text: str
    verdict_rows: list[VerdictRow]
    key_messages: list[str]
    low_confidence: str


def _verdict_row(c: Criterion, fmt: Formatter, n_inputs: int, study_case: Any) -> VerdictRow:
    msg = fmt.msg
    ui, t = msg["ui"], msg["report"]
    # the risk criterion tests a probability, whatever the unit of the metric it is about
    unit = "fraction" if c.key == "risk" else METRIC_UNITS.get(c.metric, "")
    thr = t["wacc_threshold"].format(wacc=fmt.percent(c.threshold)) if c.key == "firr" else fmt.value(c.threshold, unit)
    if c.key == "payback":  # the limit is whole years (construction plus concession), not a payback period
        thr = f"{fmt.number(c.threshold)} {ui['years_unit']}"  # what the years span is in the criterion's label
    robust = ""
    if c.robust is not None:

        def found(value: float, thr: float, proxy: float) -> str:
            if not math.isfinite(value) and math.isfinite(proxy):  # no single IRR there: its NPV says how it stands
                return t["found_no_irr"].format(npv=fmt.value(proxy, "IDR"))
            # a hurdle that is another metric (the WACC) moves with the inputs: say where it stood
            hurdle = registry.hurdle(c.metric, study_case)
            if isinstance(hurdle, str) and math.isfinite(thr):
                name = registry.label(hurdle, fmt.lang).split(" (")[0]
                name = name if name[:2].isupper() else name[:1].lower() + name[1:]
                return t["found_against"].format(value=fmt.value(value, unit), name=name, thr=fmt.value(thr, unit))
            return fmt.value(value, unit)

        best, worst = found(c.best, c.best_threshold, c.best_proxy), found(c.worst, c.worst_threshold, c.worst_proxy)
        # a best value that needs most inputs at an end of their range at once is a corner of the box: say so
        k = at_ends(study_case, c.best_inputs) if c.best_inputs else 0
        if not c.robust and 2 * k >= n_inputs > 1:
            robust = t["robust_extreme"].format(best=best, worst=worst, k=fmt.number(k), n=fmt.number(n_inputs))
        else:
            robust = t["robust_yes" if c.robust else "robust_no"].format(best=best, worst=worst, n=fmt.number(n_inputs))
    return VerdictRow(
        key=c.key,
        label=msg["criterion"][c.key],
        value=fmt.value(c.value, unit),
        threshold=thr,
        passed="na" if c.passed is None else ("true" if c.passed else "false"),
        result=pass_text(c.passed, msg),
        why=msg["criterion_why"][c.key],
        drivers=[
            Driver(
                path=d["path"], label=short_label(study_case, d["path"], fmt.lang), anchor=anchor(d["path"]),
                confidence=d["confidence"], confidence_label=msg["confidence"][d["confidence"]],
            )
            for d in c.drivers
        ],
        low_confidence=bool(c.low_confidence),
        robust=robust,
    )


def verdict_rows(study: Study, fmt: Formatter) -> list[VerdictRow]:
    """The verdict table: one row per criterion the case applies, in the case's order."""
    searched = {m: len(r.inputs) for m, r in study.robustness.items()}
    return [_verdict_row(c, fmt, searched.get(c.metric, 0), study.case) for c in study.criteria]


def key_messages(study: Study, fmt: Formatter) -> list[str]:
    """Plain sentences on profitability, cash and the region's budget (catalog templates)."""
    m = study.result.metrics
    t = fmt.msg["messages"]
    counts = confidence_counts(study)
    out = []
    args = {"fnpv": fmt.money(m["fnpv_idr"]), "firr": fmt.percent(m["firr"]), "wacc": fmt.percent(m["wacc"])}
    if not math.isfinite(m["firr"]):
        out.append(t["firr_undefined"].format(**args))
    else:
        out.append(t["fnpv_negative" if m["fnpv_idr"] < 0 else "fnpv_positive"].format(**args))
    if m["cash_sustainable"] == 0:
        out.append(_cash_short(study, fmt))
    ebitda = _ebitda_short(study, fmt)
    if ebitda:
        out.append(ebitda)
    basis = price_words(study, fmt)
    constant = t["in_constant"].format(
        year=study.case.timeline.price_base_year, injection=fmt.money(m["region_injection_total_idr"]),
        top_up=fmt.money(m["region_top_up_total_idr"]), public=fmt.money(m["public_money_total_idr"]),
    ) if basis else ""
    out.append(
        t["pad"].format(
            injection_current=fmt.money(m["region_injection_total_current_idr"]),
            top_up_current=fmt.money(m["region_top_up_total_current_idr"]),
            public_current=fmt.money(m["public_money_total_current_idr"]),
            constant=constant,
            public_pv=fmt.money(m["public_money_pv_idr"]),
            pv_dividends=fmt.money(m["region_pv_dividends_idr"]),
            region_npv=fmt.money(m["region_npv_idr"]),
        )
    )
    if counts.placeholder:
        out.append(t["confidence"].format(placeholder=counts.placeholder, total=counts.total))
    return out


def _cash_short(study: Study, fmt: Formatter) -> str:
    """When the plan's own cash first runs out, whether it recovers, and its lowest balance."""
    m, t = study.result.metrics, fmt.msg["messages"]
    cash = study.result.annual["cumulative_cash_before_gap_funding_idr"].to_numpy()
    last = int(study.result.years[-1])
    recover = t["cash_never_recovers"].format(last=last) if cash[-1] < 0 else ""
    return t["cash_short"].format(
        year=int(m["first_cash_shortfall_year"]), recover=recover, low=fmt.money(m["min_cumulative_cash_idr"]), basis=price_words(study, fmt),
    )


def _ebitda_short(study: Study, fmt: Formatter) -> str:
    """A sentence when revenue fails to cover operating costs in at least half of the operating years ("" otherwise)."""
    a, case = study.result.annual, study.case
    ebitda = a.loc[a.index >= case.timeline.first_operating_year, "ebitda_idr"].to_numpy()
    k = int(np.count_nonzero(ebitda < 0))
    if not ebitda.size or 2 * k < ebitda.size:
        return ""
    return fmt.msg["messages"]["ebitda_short"].format(k=fmt.number(k), n=fmt.number(ebitda.size))


def summary(study: Study, fmt: Formatter) -> Summary:
    """The executive summary.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Summary
        The verdict (``feasible`` or ``not_feasible``) and its sentence, the
        verdict table, the key messages and the low-confidence callout.
    """
    counts = confidence_counts(study)
    return Summary(
        verdict=study.verdict,
        verdict_text=verdict_text(study, fmt.msg),
        verdict_rows=verdict_rows(study, fmt),
        key_messages=key_messages(study, fmt),
        low_confidence=fmt.msg["ui"]["low_confidence_text"].format(placeholder=counts.placeholder, estimate=counts.estimate, total=counts.total),
    )
