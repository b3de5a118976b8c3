"""A first plain, self-contained HTML report: key metrics, case notes, the annual
table and the assumption register, in Indonesian (default) or English.

The HTML has no external resources (inline CSS, no scripts), a
Content-Security-Policy that forbids loading anything, and every string from
the case is escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .case import Case, in_lang
from .i18n import Formatter, catalog
from .model import METRIC_UNITS, Result, run

__all__ = ["render_report", "GENERATOR", "is_generated_report"]

#: written into every report, so that the CLI only overwrites its own output
GENERATOR = "feasibility-report"

#: the annual lines shown in the report, in order
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

#: rate metrics that are real when the results are in real prices
_RATES = {"firr", "wacc", "mirr", "equity_irr", "cost_of_equity", "region_irr", "region_discount_rate"}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("feasibility", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_report(case: Case, case_text: str, lang: str = "id", result: Result | None = None) -> str:
    """Render the plain report of a case as one self-contained HTML document.

    Parameters
    ----------
    case : Case
        The validated case.
    case_text : str
        The exact text of the case file; embedded with its SHA-256 so that a
        reader can check which assumptions produced the numbers.
    lang : {"id", "en"}
    result : Result, optional
        A result of :func:`feasibility.model.run` for this case (computed if omitted).
    """
    msg = catalog(lang)
    ui = msg["ui"]
    fmt = Formatter(lang)
    res = result if result is not None else run(case)
    m = res.metrics
    real = res.price_basis == "real"

    metrics = [
        {
            "key": k,
            "label": msg["metric"].get(k, k) + (ui["real_suffix"] if real and k in _RATES else ""),
            "value": fmt.value(v, METRIC_UNITS.get(k, "")),
            "bad": _bad(k, v, m),
        }
        for k, v in m.items()
    ]
    annual = res.annual
    rows = []
    for year, rec in zip(res.years, annual.to_dict("records")):
        cells = []
        for col in ANNUAL_COLUMNS:
            v = rec[col]
            cells.append(fmt.number(v, 2) if col == "dscr" else fmt.number(v / 1e9, 1))
        rows.append({"year": int(year), "cells": cells, "neg_cash": rec["cumulative_cash_idr"] < -0.5})
    register = []
    counts = {"placeholder": 0, "estimate": 0}
    base = case.timeline.price_base_year
    for a in case.assumptions():
        counts[a["confidence"]] = counts.get(a["confidence"], 0) + 1
        v = a["value"]
        value_text = ", ".join(_plain(fmt, x) for x in v) if isinstance(v, list) else _plain(fmt, v)
        stale = "IDR" in a["unit"] and "nominal" not in a["unit"] and a["year"] is not None and a["year"] != base
        register.append(
            {
                **a,
                "shown": value_text,
                "confidence_label": msg["confidence"][a["confidence"]],
                "price_flag": ui["price_year"].format(year=a["year"], base=base) if stale else "",
            }
        )
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
    basis = ui["price_basis_real"].format(year=base) if real else ui["price_basis_nominal"]
    template = _env.get_template("report.html.j2")
    return template.render(
        lang=lang,
        msg=msg,
        ui=ui,
        name=in_lang(case.case.name, lang),
        description=in_lang(case.case.description, lang),
        generator=GENERATOR,
        version=__version__,
        generated=_dt.date.today().isoformat(),
        sha256=hashlib.sha256(case_text.encode("utf-8")).hexdigest(),
        case_text=case_text,
        basis=basis,
        key_messages=_key_messages(m, fmt, counts["placeholder"], len(register)),
        metrics=metrics,
        notes=[
            {
                "key": k,
                "title": in_lang(n.title, lang),
                "text": in_lang(n.text, lang),
                "source": n.source,
                "confidence": n.confidence,
                "severity": n.severity,
            }
            for k, n in case.notes.items()
        ],
        business_lines=business_lines,
        columns=[msg["line"][c] for c in ANNUAL_COLUMNS],
        rows=rows,
        register=register,
        low_confidence=ui["low_confidence_text"].format(
            placeholder=counts["placeholder"], estimate=counts["estimate"], total=len(register)
        ),
        warnings=[fmt.undefined(u) for u in res.undefined],
        cash_short=m["cash_sustainable"] == 0,
    )


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
        out.append(
            t["cash_short"].format(year=int(m["first_cash_shortfall_year"]), low=fmt.money(m["min_cumulative_cash_idr"]))
        )
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


def _plain(fmt: Formatter, x: float) -> str:
    digits = 0 if float(x).is_integer() else min(6, max(1, -int(math.floor(math.log10(abs(x)))) + 2)) if x else 0
    return fmt.number(x, digits)


def _bad(key: str, value: float, m: dict[str, float]) -> bool:
    """Whether a metric signals a problem (shown in red): a plain reading, not a verdict."""
    if not math.isfinite(value):
        return key in ("firr", "equity_irr", "region_irr", "mirr", "payback_years", "discounted_payback_years")
    if key in ("fnpv_idr", "equity_npv_idr", "region_npv_idr", "min_cumulative_cash_idr") or key.startswith("pv_contribution_"):
        return value < 0
    if key in ("firr", "mirr"):
        return value < m["wacc"]
    if key == "equity_irr":
        return value < m["cost_of_equity"]
    if key == "region_irr":
        return value < m["region_discount_rate"]
    if key in ("bcr", "profitability_index"):
        return value < 1
    if key == "cash_sustainable":
        return value == 0
    if key == "first_cash_shortfall_year":
        return True
    if key in ("dscr_min", "llcr", "llcr_min"):
        return value < 1
    return False


def is_generated_report(path: Path) -> bool:
    """Whether an existing file is a report this toolkit wrote (safe to overwrite)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}' in head
