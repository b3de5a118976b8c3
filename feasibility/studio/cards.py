"""What the studio shows of a model run: metric cards, the verdict card and the chart specs.

A card writes no rule of its own. Its colour is the metric's hurdle as
declared once in :mod:`feasibility.metrics.registry` (``registry.passes``:
True good, False bad, None neutral: no hurdle, or one that does not apply);
the DSCR card's threshold is ``registry.threshold("dscr_min", ...)``. The
verdict card is the council report's verdict, :func:`feasibility.analysis.criteria.assess`
and :func:`~feasibility.analysis.criteria.verdict`, on one model run: it says
which criteria fail, that the Monte Carlo risk criterion is not computed in
the studio, and when the result rests on inputs outside the plausible range
the case declares for them. It is green only when every criterion was tested
and passes on plausible inputs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analysis.criteria import CRITERION_METRIC, Criterion, assess, verdict
from ..case import Case
from ..metrics import registry
from ..model import Result
from ..present.i18n import Formatter, catalog
from .inputs import owner_label, show_value, words
from .workers import Spec

__all__ = ["CARDS", "CARD_METRICS", "CHARTS", "PAGE_STYLE", "VerdictCard", "card_html", "card_metrics", "chart_specs", "close_tree", "metric_cards",
           "table_html", "verdict_card"]

#: the metrics of one card update (one fast model run: no IRR but the FIRR); ``enpv_idr`` only for a case with ``[economic]``
CARD_METRICS: tuple[str, ...] = (
    "fnpv_idr",
    "firr",
    "wacc",
    "dscr_min",
    "region_pv_dividends_idr",
    "public_money_pv_idr",
    "cash_sustainable",
    "first_cash_shortfall_year",
    "min_cumulative_cash_idr",
    # the rest of what the verdict's criteria test (criteria.CRITERION_METRIC; the risk criterion needs a Monte Carlo)
    "bcr",
    "payback_years",
    "enpv_idr",
)

#: the size the studio's charts are drawn at (width, height in cm); the page shows them 640-760 px wide
STUDIO_CHART_CM: tuple[float, float] = (12.0, 7.5)

#: the cards, in the order shown
CARDS: tuple[str, ...] = ("fnpv", "firr", "dscr", "pad", "verdict")
#: the charts, in the order shown
CHARTS: tuple[str, ...] = ("cash", "cumulative", "dscr", "pad")

#: text colour and edge colour of a card by tone (Okabe-Ito edges: told apart without colour vision too)
_TONES = {
    "good": ("#1B6E3A", "#009E73"),
    "bad": ("#B3261E", "#D55E00"),
    "warn": ("#7A4B00", "#E69F00"),
    "neutral": ("#333333", "#999999"),
}


def card_metrics(case: Case) -> list[str]:
    """The metrics a card update of ``case`` computes: :data:`CARD_METRICS` and any other criterion's metric.

    ``enpv_idr`` is left out for a case without ``[economic]`` (it is
    undefined there, and its criterion then does not apply).
    """
    skip = {"enpv_idr"} if getattr(case, "economic", None) is None else set()
    keys = [k for k in CARD_METRICS if k not in skip]
    for key in case.criteria.apply:
        metric = CRITERION_METRIC[key]
        if registry.METRICS[metric].compute is not None and metric not in keys and metric not in skip:
            keys.append(metric)
    return keys


def tone(passed: bool | None) -> str:
    """A card's tone from ``registry.passes``: True good, False bad, None neutral."""
    return "neutral" if passed is None else "good" if passed else "bad"


def card_html(title: str, value: str, sub: str | Sequence[str], tone: str) -> str:
    """One card: a title, a big value (class ``fs-value``) and one or more small lines under it."""
    colour, edge = _TONES[tone]
    lines = [sub] if isinstance(sub, str) else list(sub)
    subs = "".join(f'<div class="fs-sub" style="font-size:11px;color:#555;margin-top:2px">{html.escape(s)}</div>' for s in lines if s)
    return (
        f'<div class="fs-tone-{tone}" style="border:1px solid #ccc;border-left:6px solid {edge};border-radius:6px;'
        f'padding:6px 10px;background:#fff;line-height:1.3;height:100%;box-sizing:border-box">'
        f'<div style="font-size:12px;color:#444">{html.escape(title)}</div>'
        f'<div class="fs-value" style="font-size:19px;font-weight:600;color:{colour}">{html.escape(value)}</div>'
        f"{subs}</div>"
    )


def table_html(header: Sequence[str], rows: Iterable[Sequence[Any]], *, numeric: Sequence[bool] | None = None) -> str:
    """A small HTML table (escaped), numbers right-aligned where ``numeric`` says so."""
    th = "".join(f'<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #999;vertical-align:bottom">{html.escape(str(h))}</th>'
                 for h in header)
    body = []
    for r in rows:
        tds = []
        for j, c in enumerate(r):
            align = "right" if numeric is not None and numeric[j] else "left"
            fit = ";white-space:nowrap" if numeric is not None and numeric[j] else ""  # a figure on one line
            tds.append(f'<td style="text-align:{align};padding:2px 8px;border-bottom:1px solid #eee{fit}">{html.escape(str(c))}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    # line-height: the widget's own (28 px, an input's height) would space out a wrapped label
    return (f'<table style="border-collapse:collapse;font-size:12px;line-height:1.35"><thead><tr>{th}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def comparison_html(ap: Any, lang: str, changed: int, seconds: float) -> str:
    """The options comparison (:class:`feasibility.analysis.options.Appraisal`) as the studio shows it:
    the preferred option and why, the rule, and the report's table (the same rows, :mod:`feasibility.present.report.options`)."""
    from ..present.report.options import option_rows, why_preferred

    fmt = Formatter(lang)
    r, t = fmt.msg["report"], fmt.msg["studio"]
    rows = option_rows(ap, fmt)
    unit = r["opt_money_unit"]
    money = [f"{r[k]} ({unit})" for k in ("opt_public_money", "opt_public_money_pv", "opt_pad_pv", "opt_region_npv", "opt_fnpv", "opt_enpv")]
    head = [r["opt_rank"], r["opt_option"], *money, r["opt_p_loss"], r["opt_placeholders"], r["opt_hurdle"]]
    th = "".join(f'<th style="text-align:left;padding:2px 6px;border-bottom:1px solid #999;vertical-align:bottom">{html.escape(h)}</th>'
                 for h in head)
    body = []
    for x in rows:
        cells = [x.rank, x.label, x.public_money, x.public_money_pv, x.pad_pv, x.region_npv, x.fnpv, x.enpv, x.p_loss, x.placeholders, x.hurdle]
        neg = [False, False, False, False, False, x.neg, x.fnpv_neg, x.enpv_neg, False, False, False]
        tds = "".join(
            f'<td style="text-align:{"left" if j in (1, 10) else "right"};padding:2px 6px;border-bottom:1px solid #eee;'
            f'{"color:#B3261E;" if neg[j] else ""}">{html.escape(c)}</td>'
            for j, c in enumerate(cells)
        )
        weight = "font-weight:700;" if x.preferred else ""
        body.append(f'<tr data-key="{html.escape(x.key)}" style="{weight}">{tds}</tr>')
    basis = t["opt_with_changes"].format(n=changed) if changed else t["opt_as_file"]
    lead = html.escape(r["opt_lead"].format(label=ap[ap.preferred].label(lang)))
    return (
        f"<div class='fs-compare-result' style='margin:6px 0'><div style='font-weight:700;font-size:14px'>{lead}</div>"
        f"<div style='font-size:12px;margin:2px 0'>{html.escape(why_preferred(ap, fmt))}</div>"
        f"<div style='font-size:12px;margin:2px 0'><b>{html.escape(r['opt_rule_title'])}:</b> {html.escape(ap.rule(lang))}</div>"
        f'<div style="overflow-x:auto"><table style="border-collapse:collapse;font-size:12px"><thead><tr>{th}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></div>'
        f"<div style='font-size:11px;color:#555;margin-top:2px'>{html.escape(r['opt_basis'])} "
        f"{html.escape(r['opt_basis_other'].format(year=ap.price_base_year))} {html.escape(r['opt_basis_placeholders'])} "
        f"{html.escape(r['opt_iterations'].format(n=fmt.number(ap.iterations)) if ap.iterations else r['opt_no_iterations'])} "
        f"{html.escape(basis)} {html.escape(t['opt_took'].format(s=fmt.number(seconds, 1)))}</div></div>"
    )


# ---------------------------------------------------------------------------
# cards


def metric_cards(case: Case, res: Result, lang: str) -> dict[str, str]:
    """The FNPV, FIRR, DSCR and PAD cards of a model run, coloured by the registry's hurdles.

    Parameters
    ----------
    case : Case
        The case run (its ``[criteria]`` set the thresholds).
    res : Result
        A run with at least :data:`CARD_METRICS` (``enpv_idr`` aside).
    lang : {"en", "id"}

    Returns
    -------
    dict of str to str
        HTML by card key (``fnpv``, ``firr``, ``dscr``, ``pad``).
    """
    t, f, m = words(lang), Formatter(lang), res.metrics

    def tone_of(key: str) -> str:
        return tone(registry.passes(key, m[key], case, m))

    wacc = f.percent(m["wacc"]) + (f" ({t['real']})" if res.price_basis == "real" else "")
    out = {"fnpv": card_html(t["card_fnpv"], f.money(m["fnpv_idr"]), t["card_fnpv_sub"].format(wacc=wacc), tone_of("fnpv_idr"))}
    firr = m["firr"]
    if math.isfinite(firr):
        firr_text = f.percent(firr)
    else:  # no IRR, or several: the FNPV decides (registry: an undefined IRR does not apply)
        reasons = {u["reason"] for u in res.undefined if u["metric"] == "firr"}
        firr_text = t["card_firr_multiple" if "multiple_irr" in reasons else "card_firr_none"]
    out["firr"] = card_html(t["card_firr"], t["card_firr_value"].format(firr=firr_text, wacc=f.percent(m["wacc"])), t["card_firr_sub"].format(wacc=wacc),
                            tone_of("firr"))
    thr = registry.threshold("dscr_min", case, m)
    d = m["dscr_min"]
    out["dscr"] = card_html(t["card_dscr"], f.number(d, 2) if math.isfinite(d) else t["card_no_debt"],
                            t["card_dscr_sub"].format(t=f.number(thr, 2)), tone_of("dscr_min"))
    out["pad"] = card_html(t["card_pad"], f.money(m["region_pv_dividends_idr"]),
                           t["card_pad_sub"].format(inj=f.money(m["public_money_pv_idr"])), tone_of("region_pv_dividends_idr"))
    return out


@dataclass
class VerdictCard:
    """The verdict card of a model run.

    Attributes
    ----------
    html : str
    criteria : list of Criterion
        :func:`feasibility.analysis.criteria.assess` without a Monte Carlo.
    verdict : str
        :func:`feasibility.analysis.criteria.verdict` of them.
    outside : list of (path, value, low, high)
        Inputs outside their plausible range (:func:`feasibility.studio.inputs.outside_plausible`).
    tone : {"good", "bad", "warn"}
    """

    html: str
    criteria: list[Criterion]
    verdict: str
    outside: list[tuple[str, float, float, float]] = field(default_factory=list)
    tone: str = "neutral"


def _verdict_notes(case: Case, criteria: list[Criterion], outside: Sequence[tuple[str, float, float, float]], lang: str) -> list[str]:
    """The small lines of the verdict card: what fails, what was not tested, what the result rests on."""
    t, msg, f = words(lang), catalog(lang), Formatter(lang)
    notes = []
    failed = [msg["criterion"][c.key] for c in criteria if c.passed is False]
    if failed:
        notes.append(t["verdict_fails"].format(items="; ".join(failed)))
    untested = [msg["criterion"][c.key] for c in criteria if c.passed is None and c.key != "risk"]
    if untested:
        notes.append(t["verdict_not_tested"].format(items="; ".join(untested)))
    if any(c.key == "risk" for c in criteria):
        notes.append(t["verdict_no_risk"].format(p=f.percent(registry.threshold("prob_npv_negative", case, {}), 0)))
    if outside:
        qmap = case.quantity_map()
        items = [
            t["outside_item"].format(name=owner_label(case, p, lang), value=show_value(f, v, qmap[p].unit),
                                     low=show_value(f, lo, qmap[p].unit), high=show_value(f, hi, qmap[p].unit))
            for p, v, lo, hi in outside
        ]
        notes.append(t["verdict_outside"].format(n=len(outside), items="; ".join(items)))
    return notes


def verdict_card(
    case: Case, metrics: Mapping[str, float], outside: Sequence[tuple[str, float, float, float]], lang: str
) -> VerdictCard:
    """The council report's verdict on one model run, with what it rests on.

    Parameters
    ----------
    case : Case
        Its ``[criteria]`` say which criteria apply and their thresholds.
    metrics : mapping
        The run's metrics (:func:`card_metrics`).
    outside : sequence of (path, value, low, high)
        Inputs outside their plausible range, named on the card.
    lang : {"en", "id"}

    Returns
    -------
    VerdictCard
        Red when a criterion fails; green only when every criterion was
        tested and passes and no input is outside its plausible range; amber
        otherwise (some criterion not tested, e.g. the Monte Carlo risk
        criterion, or implausible inputs).
    """
    t = words(lang)
    criteria = assess(case, metrics)  # no Monte Carlo here: the risk criterion does not apply
    v = verdict(criteria)
    counts = {"n": sum(c.passed is False for c in criteria), "m": len(criteria), "a": sum(c.passed is True for c in criteria),
              "k": sum(c.passed is None for c in criteria)}
    tone_ = "bad" if v == "not_feasible" else "good" if v == "feasible" and not outside else "warn"
    notes = _verdict_notes(case, criteria, outside, lang)
    # a result that rests on implausible inputs is no verdict: the card never reads "feasible" then
    title = t["verdict_implausible"].format(k=len(outside)) if outside and v != "not_feasible" else t[f"verdict_{v}"].format(**counts)
    return VerdictCard(card_html(t["card_verdict"], title, notes, tone_), criteria, v, list(outside), tone_)


# ---------------------------------------------------------------------------
# charts


def chart_specs(case: Case, res: Result, lang: str) -> dict[str, Spec]:
    """The four charts of a model run as specs for :func:`feasibility.studio.workers.draw`.

    Returns
    -------
    dict of str to Spec
        ``cash``, ``pad``, ``dscr``, ``cumulative``: the slowest first, so two
        workers finish at about the same time.
    """
    t, fmt = words(lang), Formatter(lang)
    L, years = res.lines, [int(y) for y in res.years]
    # drawn 12 cm wide (340 px) and shown 640-760 px wide: the smallest text (7 pt) reads at 13-16 px
    size = {"figsize": STUDIO_CHART_CM}
    ylabel = t["ylabel_real"].format(year=case.timeline.price_base_year) if res.price_basis == "real" else t["ylabel_nominal"]
    thr = registry.threshold("dscr_min", case, res.metrics)

    def arr(key: str) -> list[float]:
        return np.asarray(L[key], dtype=float).tolist()

    dscr = arr("dscr")
    inj = np.asarray(L["public_money_idr"], dtype=float)  # the injection and any top-ups
    div = np.asarray(L["dividends_to_region_idr"], dtype=float)
    specs: dict[str, Spec] = {
        "cash": ("bars_by_year", lang, {"years": years, "series": {t["chart_cash_series"]: arr("project_fcf_idr")},
                                        "title": t["chart_cash"], "ylabel": ylabel, "fmt": "bn", "negative_label": t["chart_negative"], **size}),
        "pad": ("bars_by_year", lang, {"years": years,
                                       "series": {t["chart_pad_injection"]: (-inj).tolist(), t["chart_pad_dividends"]: div.tolist()},
                                       "line": {t["chart_pad_net"]: np.cumsum(div - inj).tolist()},
                                       "title": t["chart_pad"], "ylabel": ylabel, "fmt": "bn", "negative_label": t["chart_negative"],
                                       "figsize": (STUDIO_CHART_CM[0], STUDIO_CHART_CM[1] + 1.5)}),
    }
    if any(math.isfinite(x) for x in dscr):
        specs["dscr"] = ("lines_by_year", lang, {"years": years, "series": {t["chart_dscr_series"]: dscr}, "title": t["chart_dscr"],
                                                 "ylabel": t["ylabel_ratio"], "fmt": "ratio", "threshold": thr,
                                                 "threshold_label": t["chart_dscr_threshold"].format(t=fmt.number(thr, 2)), **size})
    else:
        specs["dscr"] = ("lines_by_year", lang, {"years": years, "series": {t["chart_dscr_series"]: [0.0] * len(years)},
                                                 "title": f"{t['chart_dscr']}: {t['card_no_debt']}", "ylabel": t["ylabel_ratio"],
                                                 "fmt": "ratio", **size})
    # the plan's own cash (what the cash criterion judges) and the cash once shortfalls are financed
    series = {t["chart_cum_before"]: arr("cumulative_cash_before_gap_funding_idr"), t["chart_cum_series"]: arr("cumulative_cash_idr")}
    specs["cumulative"] = ("lines_by_year", lang, {"years": years, "series": series, "title": t["chart_cum"], "ylabel": ylabel, "fmt": "bn",
                                                   **size})
    return specs


# ---------------------------------------------------------------------------
# the page around the cards

#: page style of the studio and its panels: tab titles in full (wrapping onto a second row when narrow),
#: cards of one row as tall as the tallest (the verdict card has the most to say)
PAGE_STYLE = (
    "<style>"
    ".fs-studio .lm-TabBar-content, .fs-risk .lm-TabBar-content {flex-wrap: wrap;}"
    ".fs-studio .lm-TabBar-tab, .fs-risk .lm-TabBar-tab {flex: 0 0 auto !important; max-width: none !important;}"
    ".fs-card > .widget-html-content {height: 100%;}"
    "</style>"
)


def close_tree(w: Any) -> None:
    """Close a widget and every widget inside it (a box does not close its children)."""
    for c in getattr(w, "children", ()) or ():
        close_tree(c)
    w.close()
