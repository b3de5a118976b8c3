"""The council report: one self-contained, bilingual HTML file a council member can read offline and print.

:func:`render_report` formats a :class:`~feasibility.study.Study` (every
analysis computed once) in Indonesian or English: executive summary with a
verdict table, need, legal, market, technical, financial, economic, budget and
risk sections, recommendation and conditions, and appendices. Every word comes
from the message catalogs (``feasibility/locale``), numbers are formatted for
the locale with Babel, charts are inline SVG (:mod:`feasibility.present.charts`).

Safety: no scripts, styles or fonts from outside (a Content-Security-Policy
forbids loading anything), every string from the case escaped by Jinja2's
autoescaping. Reproducibility: the exact case file (and any history files),
its SHA-256, the toolkit version, the seed and every figure the report states
are embedded in a hidden data block that :func:`extract_data` reads back
(``feasibility reproduce``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html as _html
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from babel.dates import format_date

from . import charts as ch
from ..case import Case, in_lang
from .i18n import Formatter, catalog
from ..metrics import registry
from ..metrics.registry import METRIC_UNITS

__all__ = [
    "render_report",
    "render_comparison",
    "render_reports",
    "write_report",
    "write_html",
    "extract_data",
    "GENERATOR",
    "is_generated_report",
]

#: written into every report, so that the CLI only overwrites its own output
GENERATOR = "feasibility-report"
DATA_ID = "feasibility-data"

#: the annual lines of the appendix table, in order
ANNUAL_COLUMNS = [
    "revenue_total_idr",
    "opex_total_idr",
    "ebitda_idr",
    "depreciation_idr",
    "interest_idr",
    "tax_idr",
    "net_profit_idr",
    "capex_idr",
    "residual_value_idr",
    "project_fcf_idr",
    "equity_injection_idr",
    "debt_drawdown_idr",
    "debt_service_idr",
    "dscr",
    "dividends_to_region_idr",
    "net_cash_flow_idr",
    "cumulative_cash_idr",
]

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

INCOME_COLUMNS = ["revenue_total_idr", "variable_cost_idr", "fixed_opex_idr", "overhead_idr", "concession_fee_idr", "ebitda_idr",
                  "depreciation_idr", "interest_idr", "tax_idr", "net_profit_idr", "legal_reserve_addition_idr", "tantiem_idr"]
CASH_COLUMNS = ["ebitda_idr", "change_in_working_capital_idr", "tax_idr", "capex_idr", "equity_injection_idr", "debt_drawdown_idr",
                "viability_gap_grant_idr", "debt_service_idr", "tantiem_idr", "dividends_paid_idr", "net_cash_flow_idr", "cumulative_cash_idr"]

FINANCIAL_METRICS = ["fnpv_idr", "firr", "wacc", "mirr", "payback_years", "discounted_payback_years", "bcr", "profitability_index",
                     "equity_npv_idr", "equity_irr", "cost_of_equity", "dscr_min", "dscr_avg", "llcr", "llcr_min",
                     "cash_sustainable", "first_cash_shortfall_year", "min_cumulative_cash_idr", "capex_total_idr", "debt_total_idr"]
BUDGET_METRICS = ["region_injection_total_idr", "region_dividends_total_idr", "region_pv_injection_idr", "region_pv_dividends_idr",
                  "region_npv_idr", "region_irr", "region_discount_rate", "region_payback_year", "region_discounted_payback_year",
                  "region_dividends_avg_idr_per_year", "region_bond_alternative_idr_per_year", "region_dividends_share_of_pad",
                  "region_injection_share_of_apbd"]

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("feasibility.present", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# ---------------------------------------------------------------------------
# public API


def render_report(
    study: Any,
    case_text: str | None = None,
    lang: str = "id",
    *,
    iterations: int | None = None,
    seed: int | None = None,
    base_dir: str | Path | None = None,
) -> str:
    """The council report of a study (or of a case, which is studied first) as one HTML document.

    Parameters
    ----------
    study : Study or Case
        A :class:`~feasibility.study.Study`, or a validated case (then
        ``case_text`` is required and the study is built with ``iterations``
        and ``seed``, default the case's ``[risk]``).
    case_text : str, optional
        The exact text of the case file (embedded with its SHA-256).
    lang : {"id", "en"}
    """
    from ..study import build_study

    if isinstance(study, Case):
        if case_text is None:
            raise ValueError("render_report(case, ...) needs the case file's text (case_text)")
        study = build_study(study, case_text, iterations=iterations, seed=seed, base_dir=base_dir)
    ctx = _context(study, lang)
    return _render(ctx)


_FORKED: dict[str, Any] = {}


def _render_forked(lang: str) -> str:
    studies = _FORKED["studies"]
    return render_comparison(studies, lang) if len(studies) > 1 else render_report(studies[0], lang=lang)


def render_reports(studies: Any, langs: tuple[str, ...] = ("id", "en")) -> dict[str, str]:
    """The report of a study (or the comparison of several) in several languages.

    The languages are rendered in parallel processes when the machine has
    more than one core (the charts dominate the time, and matplotlib draws
    one figure at a time per process); each process gets the study by fork,
    so nothing is computed twice.
    """
    import multiprocessing as mp

    from .._workers import ignore_sigint

    studies = list(studies) if isinstance(studies, (list, tuple)) else [studies]
    if len(langs) > 1 and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
        _FORKED["studies"] = studies
        try:
            with mp.get_context("fork").Pool(min(len(langs), os.cpu_count() or 1), initializer=ignore_sigint) as pool:
                return dict(zip(langs, pool.map(_render_forked, langs)))
        finally:
            _FORKED.clear()
    return {
        lang: (render_comparison(studies, lang) if len(studies) > 1 else render_report(studies[0], lang=lang)) for lang in langs
    }


def render_comparison(studies: list[Any], lang: str = "id") -> str:
    """One report with the first study in full and every study's metrics and verdict side by side."""
    if not studies:
        raise ValueError("render_comparison needs at least one study")
    ctx = _context(studies[0], lang)
    fmt = Formatter(lang)
    msg = catalog(lang)
    keys = [k for k in FINANCIAL_METRICS[:12] + ["enpv_idr", "eirr", "region_npv_idr", "region_pv_dividends_idr"] if k in studies[0].result.metrics]
    rows = []
    for k in keys:
        rows.append(
            {
                "label": _metric_label(fmt, k, studies[0].result.price_basis == "real"),
                "cells": [fmt.value(s.result.metrics.get(k, math.nan), METRIC_UNITS.get(k, "")) for s in studies],
            }
        )
    verdicts = [_verdict_text(s, msg) for s in studies]
    crit_rows = []
    for i, c in enumerate(studies[0].criteria):
        cells = []
        for s in studies:
            cc = next((x for x in s.criteria if x.key == c.key), None)
            cells.append(_pass_text(cc.passed if cc else None, msg))
        crit_rows.append({"label": msg["criterion"][c.key], "cells": cells})
    ctx["comparison"] = {
        "names": [f"{in_lang(s.case.case.name, lang)} ({s.source_name})" for s in studies],
        "rows": rows,
        "criteria": crit_rows,
        "verdicts": verdicts,
        "extra": [{"name": f"{in_lang(s.case.case.name, lang)} ({s.source_name})", "sha256": _sha(s.case_text)} for s in studies[1:]],
    }
    ctx["data"]["compare"] = [_data(s) for s in studies[1:]]
    return _render(ctx)


def _render(ctx: dict[str, Any]) -> str:
    """The template with its context; the data block as JSON (read back by :func:`extract_data`)."""
    return _env.get_template("report.html.j2").render(**ctx, data_json=json.dumps(ctx["data"], ensure_ascii=False, sort_keys=True))


def write_html(path: Path, html: str) -> Path:
    """Write a report atomically: a failure never leaves a half-written file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_report(
    case: Case,
    path: str | Path,
    lang: str = "id",
    *,
    case_text: str | None = None,
    iterations: int | None = None,
    seed: int | None = None,
    overwrite: bool = False,
    base_dir: str | Path | None = None,
) -> Path:
    """Render the council report of a case and write it to ``path`` (atomically).

    ``case_text`` is the exact text of the case file, embedded in the report
    with its SHA-256 (required: a report must say which assumptions it rests on).

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    """
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; pass overwrite=True to replace it")
    if case_text is None:
        raise ValueError("write_report needs the case file's text (case_text) to embed it")
    return write_html(p, render_report(case, case_text, lang, iterations=iterations, seed=seed, base_dir=base_dir))


def extract_data(html: str) -> dict[str, Any]:
    """The data block a report embeds (case text, histories, seed, iterations, figures).

    Raises
    ------
    ValueError
        When the text is not a report of this toolkit or its data block is missing.
    """
    start_tag = f'<pre id="{DATA_ID}" hidden>'
    i = html.find(start_tag)
    if f'<meta name="generator" content="{GENERATOR}' not in html[:4000] or i < 0:
        raise ValueError("not a report written by this toolkit (no embedded data block)")
    j = html.find("</pre>", i)
    try:
        return json.loads(_html.unescape(html[i + len(start_tag) : j]))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the report's data block is damaged: {exc}") from None


def is_generated_report(path: Path) -> bool:
    """Whether an existing file is a report this toolkit wrote (safe to overwrite)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}' in head


# ---------------------------------------------------------------------------
# the template's context


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _data(study: Any) -> dict[str, Any]:
    return {
        "case_text": study.case_text,
        "case_sha256": _sha(study.case_text),
        "source_name": study.source_name,
        "histories": study.histories,
        "seed": study.seed,
        "iterations": study.iterations,
        "version": study.version,
        "figures": study.fingerprint(),
    }


def _metric_label(fmt: Formatter, key: str, real: bool) -> str:
    """A metric's label (:mod:`feasibility.metrics.registry`); rates say "real" when the results are real."""
    rate = key in registry.METRICS and registry.METRICS[key].rate
    return registry.label(key, fmt.lang) + (fmt.msg["ui"]["real_suffix"] if real and rate else "")


def _pass_text(passed: bool | None, msg: dict[str, Any]) -> str:
    t = msg["report"]
    return t["na"] if passed is None else t["pass"] if passed else t["fail"]


def _verdict_text(study: Any, msg: dict[str, Any]) -> str:
    t = msg["report"]
    v = study.verdict
    n_fail = sum(1 for c in study.criteria if c.passed is False)
    n_na = sum(1 for c in study.criteria if c.passed is None)
    return t[f"verdict_{v}"].format(n=n_fail, m=len(study.criteria), k=n_na)


def _billions(fmt: Formatter) -> Any:
    return lambda v: fmt.number(v / 1e9, 0)


def _context(study: Any, lang: str) -> dict[str, Any]:
    msg = catalog(lang)
    ui, t = msg["ui"], msg["report"]
    fmt = Formatter(lang)
    case = study.case
    res = study.result
    m = res.metrics
    real = res.price_basis == "real"
    base_year = case.timeline.price_base_year
    annual = res.annual
    years = [int(y) for y in res.years]
    fo = case.timeline.first_operating_year
    qmap = case.quantity_map()
    lines_lbl = {**msg["line"], **msg["more_lines"]}
    bn = _billions(fmt)

    def ALT(title: str) -> str | None:
        # the charts describe themselves in English; in Indonesian the caption is the chart's title
        return None if lang == "en" else title

    def mval(k: str) -> str:
        return fmt.value(m.get(k, math.nan), METRIC_UNITS.get(k, ""))

    def metric_rows(keys: list[str]) -> list[dict[str, Any]]:
        return [
            {"key": k, "label": _metric_label(fmt, k, real), "value": mval(k), "bad": registry.passes(k, m.get(k, math.nan), case, m) is False}
            for k in keys
            if k in m
        ]

    # -- verdict table ------------------------------------------------------------
    verdict_rows = []
    for c in study.criteria:
        unit = "fraction" if c.key == "risk" else METRIC_UNITS.get(c.metric, "")
        thr = t["wacc_threshold"].format(wacc=fmt.percent(c.threshold)) if c.key == "firr" else fmt.value(c.threshold, unit)
        if c.key == "payback":
            thr = f"{fmt.number(c.threshold)} {ui['years_unit']}"
        robust = ""
        if c.robust is not None and math.isfinite(c.favourable):
            key = "robust_yes" if c.robust else "robust_no"
            robust = t[key].format(fav=fmt.value(c.favourable, unit), unf=fmt.value(c.unfavourable, unit))
        verdict_rows.append(
            {
                "key": c.key,
                "label": msg["criterion"][c.key],
                "value": fmt.value(c.value, unit),
                "threshold": thr,
                "passed": "na" if c.passed is None else ("true" if c.passed else "false"),
                "result": _pass_text(c.passed, msg),
                "why": msg["criterion_why"][c.key],
                "drivers": [
                    {"path": d["path"], "anchor": _anchor(d["path"]), "confidence": d["confidence"], "confidence_label": msg["confidence"][d["confidence"]]}
                    for d in c.drivers
                ],
                "low_confidence": bool(c.low_confidence),
                "robust": robust,
            }
        )

    # -- charts (labels in the report's language) ------------------------------------------
    charts: dict[str, Any] = {}
    charts["fcf"] = ch.bars_by_year(
        years,
        {lines_lbl["project_fcf_idr"]: annual["project_fcf_idr"].to_numpy()},
        line={lines_lbl["cumulative_cash_idr"]: annual["cumulative_cash_idr"].to_numpy()},
        title=t["chart_fcf"], alt=ALT(t["chart_fcf"]),
        ylabel=t["billion_axis"],
        fmt=bn,
    )
    dscr = annual["dscr"].to_numpy()
    if np.isfinite(dscr).any():
        min_dscr = registry.threshold("dscr_min", case, m)
        charts["dscr"] = ch.lines_by_year(
            years, {"DSCR": dscr}, title=t["chart_dscr"], alt=ALT(t["chart_dscr"]), ylabel=t["ratio_axis"], threshold=min_dscr,
            threshold_label=f"{msg['criterion']['dscr']}: {fmt.number(min_dscr, 2)}", fmt=lambda v: fmt.number(v, 1),
        )
    if "cargo_demand_tonnes" in annual:
        charts["cargo"] = ch.lines_by_year(
            years,
            {lines_lbl[k]: annual[k].to_numpy() for k in ("cargo_demand_tonnes", "cargo_capacity_tonnes", "cargo_throughput_tonnes")},
            title=t["chart_cargo"], alt=ALT(t["chart_cargo"]), ylabel=t["tonnes_axis"], fmt=lambda v: fmt.number(v),
        )
    charts["budget"] = ch.bars_by_year(
        years,
        {lines_lbl["region_injection_idr"]: -annual["region_injection_idr"].to_numpy(), lines_lbl["dividends_to_region_idr"]: annual["dividends_to_region_idr"].to_numpy()},
        line={lines_lbl["region_cumulative"]: np.cumsum(annual["dividends_to_region_idr"].to_numpy() - annual["region_injection_idr"].to_numpy())},
        title=t["chart_budget"], alt=ALT(t["chart_budget"]), ylabel=t["billion_axis"], fmt=bn,
    )
    if case.economic is not None:
        charts["econ"] = ch.bars_by_year(
            years, {lines_lbl["economic_flow_real_idr"]: annual["economic_flow_real_idr"].to_numpy()},
            title=t["chart_econ"], alt=ALT(t["chart_econ"]), ylabel=t["billion_axis"], fmt=bn,
        )
    tw = study.tornadoes["fnpv_idr"].table.head(15)
    charts["tornado"] = ch.tornado(
        [_short(p) for p in tw.index], tw["metric_low"].to_numpy(), tw["metric_high"].to_numpy(), study.tornadoes["fnpv_idr"].base,
        title=t["tornado_title"], alt=ALT(t["tornado_title"]), xlabel=f"FNPV ({t['billion_axis']})", fmt=bn,
    )
    if not study.spider.empty:
        charts["spider"] = ch.spider(
            study.spider.index.to_numpy(), {_short(c): study.spider[c].to_numpy() for c in study.spider.columns},
            title=t["spider_title"], alt=ALT(t["spider_title"]), ylabel=f"FNPV ({t['billion_axis']})", fmt=bn, pct_fmt=lambda v: fmt.percent(v, 0),
        )
    heatmaps = []
    for df in study.two_way:
        metric = df.attrs["metric"]
        unit = METRIC_UNITS.get(metric, "")
        heatmaps.append(
            ch.heatmap(
                df.index.to_numpy(), df.columns.to_numpy(), df.to_numpy(),
                row_label=_short(df.index.name) + _unit_suffix(qmap[df.index.name], t), col_label=_short(df.columns.name) + _unit_suffix(qmap[df.columns.name], t),
                title=t["two_way_title"].format(metric=registry.label(metric, lang)), alt=ALT(t["two_way_title"].format(metric=registry.label(metric, lang))),
                fmt=bn if unit == "IDR" else (lambda v: fmt.number(v, 2)), cell_fmt=bn if unit == "IDR" else (lambda v: fmt.number(v, 2)),
                row_fmt=_axis_fmt(fmt, qmap[df.index.name]), col_fmt=_axis_fmt(fmt, qmap[df.columns.name]),
            )
        )
    sim = study.simulation
    mc: dict[str, Any] | None = None
    if sim is not None:
        fn = sim.metrics["fnpv_idr"]
        summ = sim.summary()
        p_neg = fmt.percent(sim.prob_npv_negative)
        charts["hist"] = ch.histogram(
            fn, title=t["chart_hist"], alt=ALT(t["chart_hist"]), xlabel=f"FNPV ({t['billion_axis']})", ylabel=t["count"], fmt=bn, threshold=0.0,
            threshold_label="FNPV = 0", share_label=t["prob_label"].format(p=p_neg),
            percentiles={"P10": float(summ.loc["fnpv_idr", "p10"]), "P50": float(summ.loc["fnpv_idr", "p50"]), "P90": float(summ.loc["fnpv_idr", "p90"])},
        )
        conv = sim.convergence("fnpv_idr")
        charts["convergence"] = ch.convergence(
            conv.index.to_numpy(), {t["mean"]: conv["mean"].to_numpy(), "P10": conv["p10"].to_numpy(), "P90": conv["p90"].to_numpy()},
            title=t["convergence_title"], alt=ALT(t["convergence_title"]), ylabel=f"FNPV ({t['billion_axis']})", fmt=bn,
        )
        from ..analysis.risk import input_distributions

        dists = input_distributions(case)
        rc = sim.rank_correlations("fnpv_idr")
        mc = {
            "intro": t["mc_intro"].format(n=fmt.number(sim.iterations), seed=sim.seed, k=len(dists)),
            "prob": t["mc_prob"].format(p=p_neg, thr=fmt.number(sim.dscr_threshold, 2), q=fmt.percent(sim.prob_dscr_below)),
            "undefined": t["mc_undefined"].format(n=fmt.number(sum(u["count"] for u in sim.undefined if u["metric"] == "firr"))),
            "summary": [
                {
                    "label": _metric_label(fmt, k, real),
                    "mean": fmt.value(r["mean"], r["unit"]),
                    "p10": fmt.value(r["p10"], r["unit"]),
                    "p50": fmt.value(r["p50"], r["unit"]),
                    "p90": fmt.value(r["p90"], r["unit"]),
                    "undefined": fmt.number(r["undefined"]),
                }
                for k, r in summ.iterrows()
            ],
            "inputs": [
                {"path": p, "anchor": _anchor(p), "dist": str(d), "rho": fmt.number(rc.get(p, math.nan), 2), "source": case.risk.distributions[p].source}
                for p, d in sorted(dists.items(), key=lambda kv: -abs(np.nan_to_num(rc.get(kv[0], 0.0))))
            ],
            "correlations": [{"a": c.between[0], "b": c.between[1], "rank": fmt.number(c.rank, 2), "source": c.source} for c in case.risk.correlations],
        }

    # -- tornado table --------------------------------------------------------------
    tor = study.tornadoes["fnpv_idr"]
    tornado_rows = []
    for p, r in tor.table.iterrows():
        sv = r.get("switching_change", math.nan)
        tornado_rows.append(
            {
                "path": p,
                "anchor": _anchor(p),
                "range": f"{_plain(fmt, r['low_value'])} – {_plain(fmt, r['high_value'])}",
                "low": fmt.money(r["metric_low"]),
                "high": fmt.money(r["metric_high"]),
                "si": fmt.number(r["elasticity"], 2),
                "sv": (f"{fmt.percent(sv)} ({_plain(fmt, r['switching_value'])})" if math.isfinite(sv) else t["none"]),
                "critical": ui["yes"] if r["critical"] else "",
                "confidence": qmap[p].confidence,
            }
        )

    # -- market -------------------------------------------------------------------------
    sel_years = [y for y in sorted({fo, fo + 4, fo + 9, years[-1]}) if y in years]
    volume_rows = []
    for key, line in case.lines().items():
        for name, st in line.revenue.items():
            col = f"volume_{key}_{name}_{st.volume_unit}"
            if col in annual:
                volume_rows.append(
                    {"name": in_lang(st.label, lang) if getattr(st, "label", None) else f"{key}.{name}", "unit": st.volume_unit,
                     "cells": [fmt.number(annual.loc[y, col]) for y in sel_years]}
                )
    forecasts = []
    for key, line in case.lines().items():
        for name, st in line.revenue.items():
            if st.forecast is not None and st.forecast.fitted() is not None:
                fitted = st.forecast.fitted()
                observed = st.forecast.observed()
                h = max(1, years[-1] - max(observed))
                forecasts.append(
                    _fan_chart(observed, fitted.forecast(h), t["forecast_title"].format(stream=f"{key}.{name}", method=st.forecast.method), st.volume_unit, fmt, lang)
                )
    backtests = [
        {
            "stream": stream,
            "picked": next(st.forecast.method for k, line in case.lines().items() for n, st in line.revenue.items() if f"{k}.{n}" == stream),
            "rows": [
                {"method": meth, "mape": fmt.percent(r["MAPE"]), "rmse": fmt.number(r["RMSE"]), "mase": fmt.number(r["MASE"], 2), "n": int(r["n"])}
                for meth, r in bt.iterrows()
            ],
        }
        for stream, bt in study.backtests.items()
    ]
    scen_rows = []
    scen_keys = [k for k in ("fnpv_idr", "firr", "equity_irr", "dscr_min", "min_cumulative_cash_idr", "region_pv_dividends_idr", "enpv_idr") if k in study.scenarios.index]
    for k in scen_keys:
        scen_rows.append({"label": _metric_label(fmt, k, real), "cells": [fmt.value(v, METRIC_UNITS.get(k, "")) for v in study.scenarios.loc[k]]})
    scen_names = [t["base"] if c == "base" else c for c in study.scenarios.columns]
    scen_desc = [{"name": n, "text": in_lang(s.description, lang)} for n, s in case.scenarios.items()]

    # -- technical ------------------------------------------------------------------------
    capex_rows = []
    for key, line in case.lines().items():
        for name, item in line.capex.items():
            amount = item.amount_idr.value
            cont = item.contingency.value if item.contingency else 0.0
            ob = item.optimism_bias.value if item.optimism_bias else 0.0
            capex_rows.append(
                {"path": f"{key}.capex.{name}", "anchor": _anchor(f"{key}.capex.{name}.amount_idr"), "base": fmt.money(amount),
                 "contingency": fmt.percent(cont, 0), "ob": fmt.percent(ob, 0), "total": fmt.money(amount * (1 + cont) * (1 + ob)),
                 "confidence": item.amount_idr.confidence}
            )

    # -- financial tables ------------------------------------------------------------------
    def table(cols: list[str], ys: list[int]) -> dict[str, Any]:
        """Annual lines in billions (DSCR as a ratio); a negative cumulative cash balance is marked."""
        cols = [c for c in cols if c in annual]

        def cell(y: int, c: str) -> dict[str, Any]:
            v = annual.loc[y, c]
            text = fmt.number(v, 2) if c == "dscr" else fmt.number(v / 1e9, 1)
            return {"text": text, "neg": c == "cumulative_cash_idr" and v < -0.5}

        return {"columns": [lines_lbl.get(c, c) for c in cols], "rows": [{"year": y, "cells": [cell(y, c) for c in cols]} for y in ys]}

    plan_years = [y for y in years if fo <= y < fo + 5]
    business_lines = [
        {
            "name": in_lang(line.name, lang),
            "revenue": fmt.money(float(annual[f"revenue_{key}_idr"].sum())),
            "costs": fmt.money(float(annual[f"direct_costs_{key}_idr"].sum())),
            "contribution": fmt.money(float(annual[f"contribution_{key}_idr"].sum())),
            "pv": fmt.money(m[f"pv_contribution_{key}_idr"]),
            "bad": m[f"pv_contribution_{key}_idr"] < 0,
        }
        for key, line in case.lines().items()
    ]

    # -- economic --------------------------------------------------------------------------
    econ: dict[str, Any] | None = None
    if case.economic is not None:
        sdr = m["social_discount_rate"]

        def pv(col: str) -> float:
            v = annual[col].to_numpy()
            return float(np.sum(v / (1.0 + sdr) ** np.arange(v.size)))

        parts = [("economic_revenue_real_idr", 1), ("economic_employment_real_idr", 1)]
        parts += [(f"economic_benefit_{k}_real_idr", 1) for k in case.economic.benefits]
        parts += [("economic_residual_real_idr", 1), ("economic_capex_real_idr", -1), ("economic_opex_real_idr", -1)]
        econ_labels = msg["economic_lines"]
        benefit_rows = []
        for col, sign in parts:
            if col.startswith("economic_benefit_"):
                name = col[len("economic_benefit_") : -len("_real_idr")]
                label = in_lang(case.economic.benefits[name].label, lang)
            else:
                label = econ_labels[col]
            benefit_rows.append({"label": label, "pv": fmt.money(sign * pv(col)), "bad": sign < 0})
        cf = case.economic.conversion_factors
        econ = {
            "intro": t["economic_intro"].format(sdr=fmt.percent(sdr)),
            "side": [
                {"label": t["npv"], "fin": mval("fnpv_idr"), "eco": mval("enpv_idr")},
                {"label": t["irr"], "fin": mval("firr"), "eco": mval("eirr")},
                {"label": t["bcr_short"], "fin": mval("bcr"), "eco": mval("ebcr")},
                {"label": t["discount_rate"], "fin": mval("wacc"), "eco": mval("social_discount_rate")},
            ],
            "benefits": benefit_rows,
            "factors": [{"name": k, "anchor": _anchor(f"economic.conversion_factors.{k}"), "value": fmt.number(getattr(cf, k).value, 2), "confidence": getattr(cf, k).confidence} for k in type(cf).model_fields],
        }
    ppp_text = ""
    min_inv = ""
    if study.ppp is not None:
        p = study.ppp
        ppp_text = t[f"route_{p.route}"].format(
            enpv=fmt.money(p.enpv_idr), share=fmt.percent(p.grant_share), grant=fmt.money(p.grant_idr), cap=fmt.percent(p.max_grant_share, 0)
        )
        min_inv = t["min_investment"].format(inv=fmt.money(p.total_investment_idr), min=fmt.money(p.min_investment_idr), ok=ui["yes"] if p.meets_min_investment else ui["no"])

    # -- budget ---------------------------------------------------------------------------
    r_rate = m["region_discount_rate"]
    inj = annual["region_injection_idr"].to_numpy()
    div = annual["dividends_to_region_idr"].to_numpy()
    disc = (1.0 + r_rate) ** -np.arange(len(years))
    cum = np.cumsum(div - inj)
    cum_pv = np.cumsum((div - inj) * disc)
    budget_rows = [
        {"year": y, "inj": fmt.number(inj[i] / 1e9, 1), "div": fmt.number(div[i] / 1e9, 1), "cum": fmt.number(cum[i] / 1e9, 1),
         "cum_pv": fmt.number(cum_pv[i] / 1e9, 1), "neg": cum[i] < -0.5}
        for i, y in enumerate(years)
        if inj[i] != 0 or div[i] != 0 or y in (years[0], years[-1]) or y < fo + 3
    ]
    reg = case.region
    if reg.pad_idr_per_year is not None:
        need_text = t["need_pad"].format(
            pad=fmt.money(reg.pad_idr_per_year.value), pad_source=f"{reg.pad_idr_per_year.source}, {reg.pad_idr_per_year.year}",
            apbd=fmt.money(reg.apbd_idr_per_year.value) if reg.apbd_idr_per_year is not None else ui["na"],
            div=mval("region_dividends_avg_idr_per_year"), share=fmt.percent(m["region_dividends_share_of_pad"], 2),
            inj_share=fmt.percent(m["region_injection_share_of_apbd"]),
        )
    else:
        need_text = t["need_no_pad"]
    py = m["region_payback_year"]
    dpy = m["region_discounted_payback_year"]
    budget_text = [
        t["budget_intro"].format(rate=fmt.percent(r_rate)),
        t["bond"].format(bond=mval("region_bond_alternative_idr_per_year"), div=mval("region_dividends_avg_idr_per_year")),
        t["payback_region"].format(year=str(int(py)) if math.isfinite(py) else t["never"], dyear=str(int(dpy)) if math.isfinite(dpy) else t["never"]),
    ]

    # -- notes, register, recommendation --------------------------------------------------------------
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    notes = [
        {"key": k, "title": in_lang(n.title, lang), "text": in_lang(n.text, lang), "source": n.source, "confidence": n.confidence,
         "confidence_label": msg["confidence"].get(n.confidence, n.confidence), "severity": n.severity, "severity_label": msg["severity"][n.severity], "section": n.section}
        for k, n in case.notes.items()
    ]
    notes_by = {s: [n for n in notes if n["section"] == s] for s in ("need", "legal", "market", "technical", "financial", "economic", "budget", "risk")}
    risk_register = sorted(notes, key=lambda n: order[n["severity"]])
    register, counts = _register(case, fmt, msg)
    conditions = _conditions(study, fmt, msg, notes, counts)
    n_fail = sum(1 for c in study.criteria if c.passed is False)
    recommendation = (t["recommendation_not_feasible"] if study.verdict == "not_feasible" else t["recommendation_feasible"]).format(n=n_fail, m=len(study.criteria))
    basis = ui["price_basis_real"].format(year=base_year) if real else ui["price_basis_nominal"]
    form = {"perumda": "Perumda", "perseroda": "Perseroda"}[case.bumd.form]
    legal_text = t["legal_form"].format(
        name=in_lang(case.bumd.name, lang),
        form=form, own=fmt.percent(case.bumd.ownership_share_region.value, 0), fee=fmt.percent(case.port.concession_fee_share_of_revenue.value, 1),
        accr=case.lab.accreditation_year if case.lab is not None else ui["na"],
    )
    ratio = m.get("cargo_build_up_to_top_down", math.nan)
    return {
        "lang": lang,
        "msg": msg,
        "ui": ui,
        "t": t,
        "name": in_lang(case.case.name, lang),
        "description": in_lang(case.case.description, lang),
        "source_name": study.source_name,
        "generator": GENERATOR,
        "version": study.version,
        "generated": format_date(_dt.date.today(), format="long", locale=fmt.locale),
        "sha256": _sha(study.case_text),
        "seed_text": f"{study.seed} / {fmt.number(study.iterations)}",
        "case_text": study.case_text,
        "data": _data(study),
        "basis": basis,
        "verdict_text": _verdict_text(study, msg),
        "verdict": study.verdict,
        "verdict_rows": verdict_rows,
        "key_messages": _key_messages(m, fmt, counts["placeholder"], len(register)),
        "low_confidence": ui["low_confidence_text"].format(placeholder=counts["placeholder"], estimate=counts["estimate"], total=len(register)),
        "need_text": need_text,
        "legal_text": legal_text,
        "notes_by": notes_by,
        "market_intro": t["market_intro"].format(ratio=fmt.number(ratio, 2)),
        "sel_years": sel_years,
        "volume_rows": volume_rows,
        "forecasts": forecasts,
        "backtests": backtests,
        "scen_names": scen_names,
        "scen_rows": scen_rows,
        "scen_desc": scen_desc,
        "technical_intro": t["technical_intro"].format(occ=mval("berth_occupancy_max"), unmet=mval("cargo_unmet_tonnes")),
        "capex_rows": capex_rows,
        "financial_intro": t["financial_intro"].format(year=base_year),
        "financial_metrics": metric_rows(FINANCIAL_METRICS),
        "business_lines": business_lines,
        "plan": table(PLAN_COLUMNS, plan_years),
        "income": table(INCOME_COLUMNS, years),
        "cashflow": table(CASH_COLUMNS, years),
        "cash_short": m["cash_sustainable"] == 0,
        "econ": econ,
        "ppp_text": ppp_text,
        "min_inv": min_inv,
        "budget_metrics": metric_rows(BUDGET_METRICS),
        "budget_text": budget_text,
        "budget_rows": budget_rows,
        "risk_register": risk_register,
        "tornado_rows": tornado_rows,
        "critical": [_short(p) for p in tor.critical],
        "heatmaps": heatmaps,
        "mc": mc,
        "charts": charts,
        "recommendation": recommendation,
        "conditions": conditions,
        "register": register,
        "annual_table": table(ANNUAL_COLUMNS, years),
        "warnings": [fmt.undefined(u) for u in res.undefined],
        "methods": list(msg["methods"].values()),
        "comparison": None,
    }


def _fan_chart(observed: dict[int, float], f: Any, title: str, unit: str, fmt: Formatter, lang: str) -> Any:
    """A forecast fan from a :class:`feasibility.domain.demand.Forecast` (95 % and 80 % bands) after the history."""
    bands = [(f.lower95, f.upper95, "95%"), (f.lower80, f.upper80, "80%")]
    return ch.fan(
        f.years, f.point, bands, history_years=list(observed), history=list(observed.values()), title=title, ylabel=unit,
        fmt=lambda v: fmt.number(v), alt=None if lang == "en" else title,
    )


def _axis_fmt(fmt: Formatter, q: Any) -> Any:
    """Tick labels of an input's values: billions for rupiah amounts, else plain numbers."""
    if q.unit == "IDR":
        return lambda v: fmt.number(v / 1e9, 0)
    return lambda v: fmt.number(v, 2 if abs(v) < 10 else 0)


def _unit_suffix(q: Any, t: dict[str, str]) -> str:
    return f" ({t['billion_axis']})" if q.unit == "IDR" else ""


def _anchor(path: str) -> str:
    return "a-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in path)


def _short(path: Any) -> str:
    """A quantity path without the leading parts a reader does not need (the last three)."""
    parts = str(path).split(".")
    return ".".join(parts[-3:]) if len(parts) > 3 else str(path)


def _plain(fmt: Formatter, x: float) -> str:
    if x is None or not math.isfinite(x):
        return fmt.msg["ui"]["na"]
    digits = 0 if float(x).is_integer() else min(6, max(1, -int(math.floor(math.log10(abs(x)))) + 2)) if x else 0
    return fmt.number(x, digits)


def _register(case: Case, fmt: Formatter, msg: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    ui = msg["ui"]
    register = []
    counts = {"placeholder": 0, "estimate": 0}
    base = case.timeline.price_base_year
    for a in case.assumptions():
        counts[a["confidence"]] = counts.get(a["confidence"], 0) + 1
        v = a["value"]
        value_text = ", ".join(_plain(fmt, x) for x in v) if isinstance(v, list) else _plain(fmt, v)
        q = case.quantity_map()[a["path"]]
        rng = f"{_plain(fmt, q.low)} – {_plain(fmt, q.high)}" if q.low is not None else ""
        stale = "IDR" in a["unit"] and "nominal" not in a["unit"] and a["year"] is not None and a["year"] != base
        register.append(
            {
                **a,
                "anchor": _anchor(a["path"]),
                "shown": value_text,
                "range": rng,
                "confidence_label": msg["confidence"][a["confidence"]],
                "price_flag": ui["price_year"].format(year=a["year"], base=base) if stale else "",
            }
        )
    return register, counts


def _conditions(study: Any, fmt: Formatter, msg: dict[str, Any], notes: list[dict[str, Any]], counts: dict[str, int]) -> list[str]:
    t = msg["report"]
    out = []
    tor = study.tornadoes["fnpv_idr"].table
    m = study.result.metrics
    if m["fnpv_idr"] < 0:
        solved = tor[tor.get("switching_status", "") == "solved"] if "switching_status" in tor else tor.iloc[0:0]
        if len(solved):
            best = solved.loc[solved["switching_change"].abs().sort_values().index[0]]
            out.append(t["cond_switch"].format(input=best.name, change=fmt.percent(best["switching_change"]), value=_plain(fmt, best["switching_value"])))
        else:
            out.append(t["cond_no_switch"])
    if m["cash_sustainable"] == 0:
        out.append(t["cond_cash"].format(low=fmt.money(m["min_cumulative_cash_idr"])))
    for n in notes:
        if n["severity"] == "high":
            out.append(t["cond_note"].format(title=n["title"]))
    if counts.get("placeholder"):
        out.append(t["cond_placeholders"].format(n=counts["placeholder"]))
    if study.ppp is not None and study.ppp.route == "vgf":
        out.append(t["cond_vgf"].format(grant=fmt.money(study.ppp.grant_idr)))
    return out


def _key_messages(m: dict[str, float], fmt: Formatter, placeholders: int, total: int) -> list[str]:
    """Plain sentences on profitability, cash and the region's budget (catalog templates)."""
    t = fmt.msg["messages"]
    out = []
    args = {"fnpv": fmt.money(m["fnpv_idr"]), "firr": fmt.percent(m["firr"]), "wacc": fmt.percent(m["wacc"])}
    if not math.isfinite(m["firr"]):
        out.append(t["firr_undefined"].format(**args))
    else:
        out.append(t["fnpv_negative" if m["fnpv_idr"] < 0 else "fnpv_positive"].format(**args))
    if m["cash_sustainable"] == 0:
        out.append(t["cash_short"].format(year=int(m["first_cash_shortfall_year"]), low=fmt.money(m["min_cumulative_cash_idr"])))
    else:
        out.append(t["cash_ok"])
    out.append(
        t["pad"].format(
            injection=fmt.money(m["region_injection_total_idr"]),
            pv_injection=fmt.money(m["region_pv_injection_idr"]),
            pv_dividends=fmt.money(m["region_pv_dividends_idr"]),
            region_npv=fmt.money(m["region_npv_idr"]),
        )
    )
    if placeholders:
        out.append(t["confidence"].format(placeholder=placeholders, total=total))
    return out
