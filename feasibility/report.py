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
from .case import Case
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
    "project_fcf_idr",
    "debt_service_idr",
    "dscr",
    "dividends_to_region_idr",
    "cumulative_cash_idr",
]

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
    fmt = Formatter(lang)
    res = result if result is not None else run(case)
    metrics = [
        {"key": k, "label": msg["metric"].get(k, k), "value": fmt.value(v, METRIC_UNITS.get(k, "")), "bad": _bad(k, v, res)}
        for k, v in res.metrics.items()
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
    for a in case.assumptions():
        counts[a["confidence"]] = counts.get(a["confidence"], 0) + 1
        v = a["value"]
        shown = ", ".join(_plain(fmt, x) for x in v) if isinstance(v, list) else _plain(fmt, v)
        register.append({**a, "shown": shown, "confidence_label": msg["confidence"][a["confidence"]]})
    basis = (
        msg["ui"]["price_basis_real"].format(year=case.timeline.price_base_year)
        if res.price_basis == "real"
        else msg["ui"]["price_basis_nominal"]
    )
    template = _env.get_template("report.html.j2")
    return template.render(
        lang=lang,
        msg=msg,
        ui=msg["ui"],
        case=case,
        generator=GENERATOR,
        version=__version__,
        generated=_dt.date.today().isoformat(),
        sha256=hashlib.sha256(case_text.encode("utf-8")).hexdigest(),
        case_text=case_text,
        basis=basis,
        metrics=metrics,
        notes=[{**n.model_dump(), "key": k} for k, n in case.notes.items()],
        columns=[msg["line"][c] for c in ANNUAL_COLUMNS],
        rows=rows,
        register=register,
        low_confidence=msg["ui"]["low_confidence_text"].format(
            placeholder=counts["placeholder"], estimate=counts["estimate"], total=len(register)
        ),
        warnings=[fmt.undefined(u) for u in res.undefined],
    )


def _plain(fmt: Formatter, x: float) -> str:
    digits = 0 if float(x).is_integer() else min(6, max(1, -int(math.floor(math.log10(abs(x)))) + 2)) if x else 0
    return fmt.number(x, digits)


def _bad(key: str, value: float, res: Result) -> bool:
    """Whether a metric signals a problem (shown in red): a plain reading, not a verdict."""
    if not math.isfinite(value):
        return key in ("firr", "payback_years", "discounted_payback_years")
    if key in ("fnpv_idr", "equity_npv_idr", "region_npv_idr"):
        return value < 0
    if key == "firr":
        return value < res.metrics["wacc"]
    if key in ("bcr", "profitability_index"):
        return value < 1
    if key == "cash_sustainable":
        return value == 0
    if key == "dscr_min":
        return value < 1
    return False


def is_generated_report(path: Path) -> bool:
    """Whether an existing file is a report this toolkit wrote (safe to overwrite)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}' in head
