"""The risk section: the risk register, one-way sensitivity (tornado, switching values, spider), two-way tables, Monte Carlo."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...case import in_lang
from ...metrics import registry
from ...metrics.registry import METRIC_UNITS
from .. import charts as ch
from ..i18n import Formatter
from ..labels import short_label
from .common import (
    SEVERITY_ORDER,
    NoteView,
    anchor,
    axis_fmt,
    billions,
    chart_alt,
    chart_words,
    input_value,
    metric_label,
    notes,
    notes_for,
    plain,
    unit_suffix,
    value_text,
)

if TYPE_CHECKING:
    from ...analysis.risk import Simulation
    from ...case import Case
    from ...study import Study

__all__ = ["MonteCarlo", "Risk", "TornadoRow", "heatmaps", "monte_carlo", "risk", "risk_register", "tornado_rows"]


@dataclass(frozen=True)
class TornadoRow:
    """An input of the FNPV tornado: its range, FNPV at either end, elasticity (SI) and switching value."""

    path: str
    label: str
    anchor: str
    range: str
    low: str
    high: str
    si: str
    sv: str
    critical: str
    confidence: str


@dataclass(frozen=True)
class McSummaryRow:
    label: str
    mean: str
    p10: str
    p50: str
    p90: str
    undefined: str


@dataclass(frozen=True)
class McInput:
    """A sampled input: its distribution and its rank correlation with FNPV."""

    path: str
    label: str
    anchor: str
    dist: str
    rho: str
    #: partial rank correlation with FNPV (the others' ranks removed): the order of the table
    prcc: str
    source: str
    #: the language the source is written in (the report's for a bilingual text, else the case file's)
    source_lang: str


@dataclass(frozen=True)
class McCorrelation:
    a: str
    b: str
    rank: str
    source: str
    source_lang: str


@dataclass(frozen=True)
class MonteCarlo:
    intro: str
    prob: str
    undefined: str
    hist: ch.Chart
    summary: list[McSummaryRow]
    convergence: ch.Chart
    inputs: list[McInput]
    correlations: list[McCorrelation]
    #: a sentence when the declared correlations were repaired to the nearest valid set ("" otherwise)
    repaired: str = ""


@dataclass(frozen=True)
class Risk:
    """The risk section; ``spider`` is None without ranged inputs, ``mc`` None without a Monte Carlo."""

    register: list[NoteView]
    tornado: ch.Chart
    tornado_rows: list[TornadoRow]
    spider: ch.Chart | None
    heatmaps: list[ch.Chart]
    mc: MonteCarlo | None
    notes: list[NoteView]


def risk_register(study: Study, fmt: Formatter) -> list[NoteView]:
    """Every note of the case, the most serious first (a stable sort keeps the case's order within a severity)."""
    return sorted(notes(study, fmt), key=lambda n: SEVERITY_ORDER[n.severity])


def dist_text(d: Any, fmt: Formatter, unit: str) -> str:
    """A distribution in the report's words: ``PERT (terendah Rp157 miliar, paling mungkin Rp200 miliar, ...)``.

    Amounts are formatted by the input's unit (rupiah in words of scale,
    fractions as percentages); a discrete distribution lists its values and
    probabilities.
    """
    words = fmt.msg["dist"]

    def show(v: Any) -> str:
        if isinstance(v, tuple):
            return "; ".join(show(x) for x in v)
        if unit == "IDR" or unit.startswith("IDR per year"):  # amounts in words of scale ("Rp6 miliar"); prices per unit exact
            return fmt.money(v)
        return value_text(fmt, unit, v) if unit else plain(fmt, v)  # with its unit: "0.30 m per year", "0.12%"

    body = ", ".join(
        f"{words[k]} {fmt.number(v, 1) if k == 'shape' else '; '.join(fmt.percent(x) for x in v) if k == 'probabilities' else show(v)}"
        for k, v in d.items if v is not None
    )
    if "p10" in d.params:  # given by percentiles: say where its ends fall
        lo, hi = d.support()
        body += f"; {words['ends']} {show(lo)} – {show(hi)}"
    return f"{words['kind_' + d.kind]} ({body})"


def tornado_rows(study: Study, fmt: Formatter) -> list[TornadoRow]:
    """The FNPV tornado's table: every ranged input, the largest swing first."""
    t, ui = fmt.msg["report"], fmt.msg["ui"]
    qmap = study.case.quantity_map()
    out = []
    for p, r in study.tornadoes["fnpv_idr"].table.iterrows():
        sv = r.get("switching_change", math.nan)
        out.append(
            TornadoRow(
                path=p,
                label=short_label(study.case, p, fmt.lang),
                anchor=anchor(p),
                range=f"{input_value(study, fmt, p, r['low_value'])} – {input_value(study, fmt, p, r['high_value'])}",
                low=fmt.money(r["metric_low"]),
                high=fmt.money(r["metric_high"]),
                si=fmt.number(r["elasticity"], 2) + ("" if r.get("monotone", True) else " †"),
                sv=(f"{fmt.percent(sv)} ({input_value(study, fmt, p, r['switching_value'])})" if math.isfinite(sv) else t["none"]),
                critical=ui["yes"] if r["critical"] else "",
                confidence=qmap[p].confidence,
            )
        )
    return out


def _tornado_chart(study: Study, fmt: Formatter) -> ch.Chart:
    """The fifteen inputs that move FNPV most (the table lists them all)."""
    t = fmt.msg["report"]
    tor = study.tornadoes["fnpv_idr"]
    tw = tor.table.head(15)
    words = chart_words(fmt)
    return ch.tornado(
        [short_label(study.case, p, fmt.lang) for p in tw.index], tw["metric_low"].to_numpy(), tw["metric_high"].to_numpy(), tor.base,
        title=t["tornado_title"], alt=chart_alt(fmt, t["tornado_title"]), xlabel=f"FNPV ({t['billion_axis']})", fmt=billions(fmt),
        low_label=words["low"], high_label=words["high"], base_label=words["base"], zero_label=words["zero"], na_label=words["na"],
    )


def _spider_chart(study: Study, fmt: Formatter) -> ch.Chart | None:
    if study.spider.empty:
        return None
    t, bn = fmt.msg["report"], billions(fmt)
    sp = study.spider
    return ch.spider(
        sp.index.to_numpy(), {short_label(study.case, c, fmt.lang): sp[c].to_numpy() for c in sp.columns},
        title=t["spider_title"], alt=chart_alt(fmt, t["spider_title"]), ylabel=f"FNPV ({t['billion_axis']})", fmt=bn,
        pct_fmt=lambda v: fmt.percent(v, 0), xlabel=chart_words(fmt)["change"], zero_label=chart_words(fmt)["zero"], na_label=chart_words(fmt)["na"],
    )


def heatmaps(study: Study, fmt: Formatter) -> list[ch.Chart]:
    """One heat map per two-way table of the case (``[[sensitivity.two_way]]``)."""
    t, bn = fmt.msg["report"], billions(fmt)
    qmap = study.case.quantity_map()
    out = []
    for df in study.two_way:
        metric = df.attrs["metric"]
        cells = bn if METRIC_UNITS.get(metric, "") == "IDR" else (lambda v: fmt.number(v, 2))
        title = t["two_way_title"].format(metric=registry.label(metric, fmt.lang))
        rq, cq = qmap[df.index.name], qmap[df.columns.name]
        out.append(
            ch.heatmap(
                df.index.to_numpy(), df.columns.to_numpy(), df.to_numpy(),
                row_label=short_label(study.case, df.index.name, fmt.lang) + unit_suffix(rq, t, fmt.lang),
                col_label=short_label(study.case, df.columns.name, fmt.lang) + unit_suffix(cq, t, fmt.lang),
                title=title, alt=chart_alt(fmt, title), fmt=cells, cell_fmt=cells, row_fmt=axis_fmt(fmt, rq), col_fmt=axis_fmt(fmt, cq),
                # the colour bar says what the cells count in (billions for a rupiah metric)
                value_label=t["billion_axis"] if METRIC_UNITS.get(metric, "") == "IDR" else "", na_label=chart_words(fmt)["na"],
                # the colours diverge at the metric's threshold (0 for an NPV, the lender's minimum for the DSCR)
                center=_two_way_center(study, metric),
            )
        )
    return out


def _lang_of(text: Any, case: Any, fmt: Formatter) -> str:
    """The language a case text is shown in: the report's for a bilingual text, else the case file's own."""
    return fmt.lang if not isinstance(text, str) else case.case.language


def _two_way_center(study: Study, metric: str) -> float:
    """Where a two-way table's colours diverge: the metric's fixed threshold, else 0 (a hurdle that moves, as the WACC, has none)."""
    from ...analysis.sensitivity import thresholds

    thr = thresholds(study.case).get(metric)
    return float(thr) if isinstance(thr, (int, float)) else 0.0


def _mc_charts(sim: Simulation, fmt: Formatter) -> tuple[ch.Chart, ch.Chart]:
    """The FNPV histogram (with P10, P50, P90 and the share below zero) and the convergence of its mean and percentiles."""
    t, bn, words = fmt.msg["report"], billions(fmt), chart_words(fmt)
    summ = sim.summary()
    hist = ch.histogram(
        sim.metrics["fnpv_idr"], title=t["chart_hist"], alt=chart_alt(fmt, t["chart_hist"]), xlabel=f"FNPV ({t['billion_axis']})",
        ylabel=t["count"], fmt=bn, threshold=0.0, threshold_label="FNPV = 0", share_label=t["prob_label"].format(p=fmt.percent(sim.prob_npv_negative)),
        percentiles={"P10": float(summ.loc["fnpv_idr", "p10"]), "P50": float(summ.loc["fnpv_idr", "p50"]), "P90": float(summ.loc["fnpv_idr", "p90"])},
        below_label=words["below"], above_label=words["above"], no_data_label=words["no_data"], na_label=words["na"],
    )
    conv = sim.convergence("fnpv_idr")
    convergence = ch.convergence(
        conv.index.to_numpy(), {t["mean"]: conv["mean"].to_numpy(), "P10": conv["p10"].to_numpy(), "P90": conv["p90"].to_numpy()},
        title=t["convergence_title"], alt=chart_alt(fmt, t["convergence_title"]), ylabel=f"FNPV ({t['billion_axis']})", fmt=bn,
        xlabel=words["iterations"], na_label=words["na"],
    )
    return hist, convergence


def monte_carlo(study: Study, fmt: Formatter) -> MonteCarlo | None:
    """The Monte Carlo part of the risk section (None when the study ran no iterations)."""
    from ...analysis.risk import input_distributions

    sim = study.simulation
    if sim is None:
        return None
    case, t = study.case, fmt.msg["report"]
    real = study.result.price_basis == "real"
    dists = input_distributions(case)
    rc = sim.rank_correlations("fnpv_idr")
    prcc = sim.partial_rank_correlations("fnpv_idr")
    ranks_used = case.risk.repaired_ranks()  # the correlations as sampled (repaired once, when the case asks)
    hist, convergence = _mc_charts(sim, fmt)
    drawn = {*dists, *sim.forecast_paths}  # what this plan's simulation samples (an option's line may not be in it)
    rows = [
        McInput(path=p, label=short_label(case, p, fmt.lang), anchor=anchor(p), dist=dist_text(d, fmt, case.quantity_map()[p].unit),
                rho=fmt.number(rc.get(p, math.nan), 2), prcc=fmt.number(prcc.get(p, math.nan), 2),
                source=in_lang(case.risk.distributions[p].source, fmt.lang), source_lang=_lang_of(case.risk.distributions[p].source, case, fmt))
        for p, d in dists.items()
    ] + [_path_row(case, p, fmt, rc, prcc) for p in sim.forecast_paths]
    # the inputs that move FNPV most first, by partial rank correlation (an input does not inherit
    # importance from another it is correlated with); an input without one (constant) last
    order = sorted(rows, key=lambda r: -abs(np.nan_to_num(prcc.get(r.path, 0.0))))
    return MonteCarlo(
        intro=t["mc_intro"].format(n=fmt.number(sim.iterations), seed=sim.seed, k=len(dists)),
        prob=_prob_text(sim, fmt) + _narrow_forecasts(case, sim, fmt),
        undefined=t["mc_undefined"].format(n=fmt.number(sum(u["count"] for u in sim.undefined if u["metric"] == "firr"))),
        hist=hist,
        summary=[
            McSummaryRow(
                label=metric_label(fmt, k, real), mean=fmt.value(r["mean"], r["unit"]), p10=fmt.value(r["p10"], r["unit"]),
                p50=fmt.value(r["p50"], r["unit"]), p90=fmt.value(r["p90"], r["unit"]), undefined=fmt.number(r["undefined"]),
            )
            for k, r in sim.summary().iterrows()
        ],
        convergence=convergence,
        inputs=order,
        correlations=[McCorrelation(a=_mc_label(case, c.between[0], fmt), b=_mc_label(case, c.between[1], fmt),
                                    rank=_rank_text(c.rank, used, fmt) + ("" if {*c.between} <= drawn else f" ({t['mc_corr_not_drawn']})"),
                                     source=in_lang(c.source, fmt.lang), source_lang=_lang_of(c.source, case, fmt))
                      for c, used in zip(case.risk.correlations, ranks_used)],
        repaired=t["mc_repaired"] if any(abs(c.rank - u) > 5e-5 for c, u in zip(case.risk.correlations, ranks_used)) else "",
    )


def _narrow_forecasts(case: Case, sim: Simulation, fmt: Formatter) -> str:
    """A sentence when a sampled forecast's band is known to be too narrow (measured coverage below 90 %)."""
    from ...domain.coverage import measured
    from .market import stream_name

    narrow = [stream_name(_stream_of(case, p), p.split(".")[0], p.split(".")[2], fmt)
              for p in sim.forecast_paths if min(measured().get(_stream_of(case, p).forecast.method, (1.0,))) < 0.90]
    if not narrow:
        return ""
    from babel.lists import format_list

    return " " + fmt.msg["report"]["mc_narrow_forecast"].format(streams=format_list(narrow, locale=fmt.locale))


def _stream_of(case: Case, path: str) -> Any:
    """The revenue stream of a forecast path key ``<line>.revenue.<stream>.forecast.volumes``."""
    line, _, name = path.split(".")[:3]
    return case.lines()[line].revenue[name]


def _mc_label(case: Case, path: str, fmt: Formatter) -> str:
    """An input of the Monte Carlo in a few words; a forecast stream's paths by the stream's name."""
    if not path.endswith(".forecast.volumes"):
        return short_label(case, path, fmt.lang)
    from .market import stream_name

    line, _, name = path.split(".")[:3]
    return fmt.msg["report"]["mc_path_label"].format(stream=stream_name(_stream_of(case, path), line, name, fmt))


def _path_row(case: Case, path: str, fmt: Formatter, rc: Any, prcc: Any) -> McInput:
    """A forecast stream's sampled paths as a row of the Monte Carlo inputs (ranked by each path's mean volume)."""
    fc = _stream_of(case, path).forecast
    t = fmt.msg["report"]
    method = fmt.msg["forecast_methods"].get(fc.method, fc.method)
    return McInput(path=path, label=_mc_label(case, path, fmt), anchor="market", dist=t["mc_path_dist"].format(method=method),
                   rho=fmt.number(rc.get(path, math.nan), 2), prcc=fmt.number(prcc.get(path, math.nan), 2),
                   source=t["mc_path_source"].format(file=fc.history), source_lang=fmt.lang)


def _rank_text(declared: float, used: float, fmt: Formatter) -> str:
    """A target rank correlation, and the value sampled when the set was repaired (``0,90 → 0,87``)."""
    if abs(declared - used) <= 5e-5:
        return fmt.number(declared, 2)
    return f"{fmt.number(declared, 2)} → {fmt.number(used, 2)}"


def _prob_text(sim: Simulation, fmt: Formatter) -> str:
    """P(FNPV < 0) and P(DSCR below the threshold), each with its 95 % Monte Carlo (Wilson) interval."""
    _, p_lo, p_hi = sim.prob_error("fnpv_idr")
    _, q_lo, q_hi = sim.prob_error("dscr_min")
    t = fmt.msg["report"]
    text = t["mc_prob"].format(
        p=fmt.percent(sim.prob_npv_negative), p_lo=fmt.percent(p_lo, 2), p_hi=fmt.percent(p_hi, 2),
        thr=fmt.number(sim.dscr_threshold, 2), q=fmt.percent(sim.prob_dscr_below), q_lo=fmt.percent(q_lo, 2), q_hi=fmt.percent(q_hi, 2))
    se, tol, needed = sim.convergence_rule("fnpv_idr")
    if not math.isfinite(se):
        return text
    # percentage points: the standard error of a probability given in %
    pts = {"se": fmt.number(100 * se, 2), "tol": fmt.number(100 * tol, 2)}
    rule = t["mc_se_ok"].format(**pts) if needed <= sim.iterations else t["mc_se_more"].format(**pts, n=fmt.number(needed))
    return f"{text} {rule}"


def risk(study: Study, fmt: Formatter) -> Risk:
    """The risk section.

    Parameters
    ----------
    study : Study
    fmt : Formatter

    Returns
    -------
    Risk
    """
    return Risk(
        register=risk_register(study, fmt),
        tornado=_tornado_chart(study, fmt),
        tornado_rows=tornado_rows(study, fmt),
        spider=_spider_chart(study, fmt),
        heatmaps=heatmaps(study, fmt),
        mc=monte_carlo(study, fmt),
        notes=notes_for(study, fmt, "risk"),
    )
