"""The options section the report leads with: which way of spending (or not spending) the city's capital is best.

One row per option of the case's long list (:mod:`feasibility.analysis.options`):
the public money in current prices (as the APBD pays it), the PAD it returns
in present value, the region's NPV, FNPV and ENPV, P(loss for the region),
the share of placeholder inputs and the most serious legal hurdle; then the
rule that ranks them, the preferred option and why, and what each option is
(its description, legal route and hurdles). Every sentence is built from the
appraisal's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...case import in_lang
from ..i18n import Formatter

if TYPE_CHECKING:
    from ...analysis.options import Appraisal, OptionResult
    from ...study import Study

__all__ = ["OptionRow", "OptionView", "Options", "option_rows", "options", "why_preferred"]

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class OptionRow:
    """One option's cells (money in billions of rupiah); ``neg`` marks a loss for the region."""

    key: str
    rank: str
    label: str
    public_money: str
    public_money_pv: str
    pad_pv: str
    region_npv: str
    fnpv: str
    enpv: str
    p_loss: str
    placeholders: str
    hurdle: str
    hurdle_severity: str
    neg: bool
    fnpv_neg: bool
    enpv_neg: bool
    preferred: bool


@dataclass(frozen=True)
class HurdleView:
    text: str
    severity: str
    severity_label: str
    source: str


@dataclass(frozen=True)
class OptionView:
    """What an option is: its description, legal route, hurdles, and (for a port with a trigger) when it goes ahead."""

    key: str
    label: str
    description: str
    legal_route: str
    hurdles: list[HurdleView]
    go_ahead: str


@dataclass(frozen=True)
class Options:
    lead: str
    short_why: str
    why: str
    rule: str
    then: str
    plan_label: str
    notes: list[str]
    rows: list[OptionRow]
    views: list[OptionView]


def _bn(fmt: Formatter, x: float | None) -> str:
    return fmt.number(None if x is None else x / 1e9, 1)


def _row(o: OptionResult, fmt: Formatter, preferred: str) -> OptionRow:
    t = fmt.msg["report"]
    d = o.to_dict()
    worst = sorted(o.option.hurdles, key=lambda h: _SEVERITY_ORDER[h.severity])
    return OptionRow(
        key=o.key,
        rank=str(o.rank) if o.rank is not None else "—",
        label=o.label(fmt.lang),
        public_money=_bn(fmt, d["public_money_nominal_idr"]),
        public_money_pv=_bn(fmt, d["public_money_pv_idr"]),
        pad_pv=_bn(fmt, d["pad_pv_idr"]),
        region_npv=_bn(fmt, d["region_npv_idr"]),
        fnpv=_bn(fmt, d["fnpv_idr"]),
        enpv=_bn(fmt, d["enpv_idr"]) if d["enpv_idr"] is not None else fmt.msg["ui"]["na"],
        p_loss=fmt.percent(d["p_region_loss"], 0),
        placeholders=fmt.percent(d["placeholder_share"], 0) if d["placeholder_share"] is not None else t["opt_none"],
        hurdle=fmt.msg["severity"][worst[0].severity] if worst else t["opt_none"],
        hurdle_severity=worst[0].severity if worst else "info",
        neg=(d["region_npv_idr"] or 0.0) < 0,
        fnpv_neg=(d["fnpv_idr"] or 0.0) < 0,
        enpv_neg=(d["enpv_idr"] or 0.0) < 0,
        preferred=o.key == preferred,
    )


def _view(o: OptionResult, fmt: Formatter, labels: dict[str, str]) -> OptionView:
    t, lang = fmt.msg["report"], fmt.lang
    go = ""
    if o.option.go_ahead is not None:
        g = o.option.go_ahead
        base = t["opt_go_yes"] if o.go_ahead_in_base else t["opt_go_no"].format(otherwise=labels[g.otherwise])
        go = t["opt_go_ahead"].format(need=fmt.number(g.committed_cargo_tonnes_per_year.value), base=base, otherwise=labels[g.otherwise])
        if o.go_ahead_probability is not None:
            go += " " + t["opt_go_share"].format(p=fmt.percent(o.go_ahead_probability, 0))
        m = o.go_ahead_mc
        if m:  # the table's row is one branch: say what the other does to the region
            go += " " + t["opt_go_then"].format(
                npv=fmt.money(m["region_npv_mean"]), p=fmt.percent(m["p_region_loss"], 0), best=fmt.money(m["region_npv_best"]),
                money=fmt.money(m["public_money_mean_current"]), mean=fmt.money(o.mc["region_npv_mean"]),
            )
    hurdles = [
        HurdleView(in_lang(h.text, lang), h.severity, fmt.msg["severity"][h.severity], h.source)
        for h in sorted(o.option.hurdles, key=lambda h: _SEVERITY_ORDER[h.severity])
    ]
    return OptionView(o.key, o.label(lang), in_lang(o.option.description, lang), in_lang(o.option.legal_route, lang), hurdles, go)


def option_rows(ap: Appraisal, fmt: Formatter) -> list[OptionRow]:
    """The comparison table's rows (the report's and the studio's), in the case's order."""
    return [_row(o, fmt, ap.preferred) for o in ap.options]


def why_preferred(ap: Appraisal, fmt: Formatter) -> str:
    """Why the preferred option is preferred, in numbers the table shows."""
    t = fmt.msg["report"]
    best, base = ap[ap.preferred], ap[ap.baseline]
    if ap.preferred == ap.baseline:
        spend = [o for o in ap.options if not o.option.baseline and o.figures["public_money_total_idr"] > 0]
        neg = sum(o.figures["region_npv_idr"] < 0 for o in spend)
        short = sum(o.figures["cash_sustainable"] < 1 for o in spend)
        least = max(spend, key=lambda o: o.figures["region_npv_idr"]) if spend else None
        if spend and neg == len(spend):
            worst = min(o.figures["region_npv_idr"] for o in spend)
            text = t["opt_why_all_negative"].format(n=len(spend), worst=fmt.money(worst), short=short)
        else:
            text = t["opt_why_baseline"].format(n=len(spend), neg=neg, short=short)
        if least is not None:
            text += " " + t["opt_least_loss"].format(label=least.label(fmt.lang), npv=fmt.money(least.figures["region_npv_idr"]))
        return text
    return t["opt_why_option"].format(label=best.label(fmt.lang), npv=fmt.money(best.figures["region_npv_idr"]),
                                      base=fmt.money(base.figures["region_npv_idr"]))


def short_why(ap: Appraisal, fmt: Formatter) -> str:
    """The reason in a few words, for the first screen: only when doing nothing wins because every other option loses."""
    spend = [o for o in ap.options if not o.option.baseline and o.figures["public_money_total_idr"] > 0]
    if ap.preferred != ap.baseline or not spend or any(o.figures["region_npv_idr"] >= 0 for o in spend):
        return ""
    return fmt.msg["report"]["opt_short_all_negative"].format(n=len(spend))


def options(study: Study, fmt: Formatter) -> Options | None:
    """The options section, or None when the case has no long list."""
    ap = study.appraisal
    if ap is None:
        return None
    t = fmt.msg["report"]
    best = ap[ap.preferred]
    base = ap[ap.baseline]
    notes = [t["opt_basis"], t["opt_basis_other"].format(year=ap.price_base_year), t["opt_basis_placeholders"],
             t["opt_iterations"].format(n=fmt.number(ap.iterations)) if ap.iterations else t["opt_no_iterations"]]
    if ap.rank_by.startswith("region_"):
        notes.append(t["opt_rule_fiscal"])
    if all(base.figures[k] == 0 for k in base.increment):  # doing nothing costs and returns nothing
        notes.append(t["opt_increment_is_figure"].format(label=base.label(fmt.lang)))
    notes.append(t["opt_enpv_note"])
    return Options(
        lead=t["opt_lead"].format(label=best.label(fmt.lang)),
        short_why=short_why(ap, fmt),
        why=why_preferred(ap, fmt),
        rule=ap.rule(fmt.lang),
        then=(t["opt_then_plan"].format(plan=ap[ap.same_as_case].label(fmt.lang)) if ap.same_as_case
              else t["opt_then"].format(name=in_lang(study.case.case.name, fmt.lang))),
        plan_label=ap[ap.same_as_case].label(fmt.lang) if ap.same_as_case else "",
        notes=notes,
        rows=option_rows(ap, fmt),
        views=[_view(o, fmt, {x.key: x.label(fmt.lang) for x in ap.options}) for o in ap.options],
    )
