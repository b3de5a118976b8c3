"""The consultant studio: ipywidgets over a case, recomputed live, with scenarios and the council report.

Notebooks only create these objects (``notebooks/03_studio.ipynb``,
``04_sensitivity_risk.ipynb``, ``05_council_report.ipynb``); everything they
show is computed here through the same model as the CLI and the report.

:class:`Studio`
    One input per quantity of the case, grouped in tabs (demand and ramp-up,
    tariffs, capex and schedule, opex, financing, tax and profit allocation).
    Each input is a :class:`ipywidgets.BoundedFloatText` whose ``min``/``max``
    are the range the case schema allows (``type(q).bounds``), so a value the
    validator would reject cannot be entered; a quantity with a declared
    ``low``/``high`` (or a finite allowed range) also gets a
    :class:`ipywidgets.FloatSlider` over that range. A change recomputes the
    metric cards at once (one model run of a few metrics) and then the charts,
    drawn by :mod:`feasibility.present.charts` in worker processes (matplotlib is the
    slow part; two workers on two cores keep a change within ~0.5 s), never
    more than one drawing behind the inputs. Scenarios: save the current
    assumptions as a case file (:func:`save_case`), load a case, see the
    differences from the base case (:func:`differences`), export the council
    report (:func:`export_report`).

:class:`RiskPanel`
    Tornado, spider, switching values and two-way heat maps of
    :mod:`feasibility.analysis.sensitivity`, and the Monte Carlo of
    :mod:`feasibility.analysis.risk` behind a button with a progress bar.

:class:`DemandPanel`
    A history back-tested by every method of :mod:`feasibility.domain.demand`, the
    best one picked (or another), its forecast fan, and the case's bottom-up
    demand step by step.

:func:`save_case` writes a case as TOML, validates the written file with
:func:`feasibility.load_case` before it takes the target's name (atomically)
and never replaces an existing file unless ``overwrite=True``. A value set in
the studio keeps its provenance: ``source`` says it was changed in the studio
(from which value, on which day), ``confidence`` becomes ``estimate`` and the
old source moves to ``note``.
"""

from __future__ import annotations

import atexit
import copy
import datetime as _dt
import html
import inspect
import math
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..case import DEFAULT_CASE, Case, CaseError, Quantity, in_lang, load_case, parse_case
from .._workers import ignore_sigint
from ..case.schema import ITERATIONS_MAX, ITERATIONS_MIN
from ..present.i18n import Formatter, catalog
from ..metrics import registry
from ..metrics.registry import METRIC_UNITS
from ..model import Result, run

__all__ = [
    "CARD_METRICS",
    "REPORTS_DIR",
    "ROOT",
    "TABS",
    "UNBOUNDED",
    "DemandPanel",
    "RiskPanel",
    "Studio",
    "apply_changes",
    "best_method",
    "case_data",
    "case_toml",
    "differences",
    "export_report",
    "input_name",
    "save_case",
    "simulate_in_chunks",
    "tab_of",
    "widget_limits",
]

def _project_dir() -> Path:
    """The folder a person works in: the nearest one up from the working folder that holds a
    ``pyproject.toml`` (a checkout of this repository), else the working folder itself."""
    here = Path.cwd()
    return next((d for d in (here, *here.parents) if (d / "pyproject.toml").is_file()), here)


#: the project folder: relative paths typed in the studio start here
ROOT = _project_dir()
#: where council reports go by default
REPORTS_DIR = ROOT / "reports"

#: the metrics the cards show (one fast model run: no IRR but the FIRR)
CARD_METRICS: tuple[str, ...] = (
    "fnpv_idr",
    "firr",
    "wacc",
    "dscr_min",
    "region_pv_dividends_idr",
    "region_pv_injection_idr",
    "cash_sustainable",
    "first_cash_shortfall_year",
    "min_cumulative_cash_idr",
)

#: the input tabs, in order
TABS: tuple[str, ...] = ("demand", "tariffs", "capex", "opex", "financing", "tax")

#: the largest number a text field takes where the schema sets no upper limit (JSON has no infinity)
UNBOUNDED = sys.float_info.max

# ---------------------------------------------------------------------------
# words of the studio (the report's catalogs are not the studio's: these are few)

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "tab_demand": "Demand and ramp-up",
        "tab_tariffs": "Tariffs",
        "tab_capex": "Capex and schedule",
        "tab_opex": "Opex",
        "tab_financing": "Financing",
        "tab_tax": "Tax and profit allocation",
        "card_fnpv": "FNPV",
        "card_fnpv_sub": "project, after tax, at the WACC of {wacc}",
        "card_firr": "FIRR vs WACC",
        "card_firr_sub": "WACC {wacc}",
        "card_firr_multiple": "undefined: several IRRs",
        "card_firr_none": "undefined: no IRR",
        "card_dscr": "Minimum DSCR",
        "card_dscr_sub": "lender's threshold {t}",
        "card_no_debt": "no debt service",
        "card_pad": "PV of dividends to PAD",
        "card_pad_sub": "vs PV of the capital injection {inj}",
        "card_verdict": "Verdict",
        "verdict_negative": "FNPV < 0: not feasible",
        "verdict_positive": "FNPV \u2265 0: financially feasible at the WACC",
        "verdict_dscr": "minimum DSCR {d} is below the lender's {t}",
        "verdict_cash": "cash runs out in {year}: more capital needed",
        "real": "real",
        "changed": "{n} input(s) changed from {name}",
        "unchanged": "All inputs as in {name}",
        "updated": "updated in {ms} ms",
        "problem": "Not computed: {msg}",
        "drawing": "Drawing chart\u2026",
        "chart_cash": "Project free cash flow (the flows of the FNPV)",
        "chart_cash_series": "Project free cash flow",
        "chart_cum": "Cumulative cash of the BUMD",
        "chart_cum_series": "Cumulative cash",
        "chart_dscr": "Debt service cover ratio (DSCR)",
        "chart_dscr_series": "DSCR",
        "chart_dscr_threshold": "Lender's minimum: {t}",
        "chart_pad": "The region: capital injection and dividends to PAD",
        "chart_pad_injection": "Capital injection (paid by the region)",
        "chart_pad_dividends": "Dividends to the region (PAD)",
        "chart_pad_net": "The region's cumulative net position",
        "chart_negative": "Negative values (hatched)",
        "ylabel_real": "billion IDR, constant {year} prices",
        "ylabel_nominal": "billion IDR, current prices",
        "ylabel_ratio": "ratio",
        "scenario_title": "Scenario and council report",
        "save_path": "Save as",
        "save_placeholder": "file name, relative to the project folder",
        "save_button": "Save scenario",
        "overwrite": "overwrite existing file",
        "saved": "Saved {path} ({n} changed value(s)); it is now the studio's case.",
        "save_exists": "{path} exists: tick \u201coverwrite existing file\u201d to replace it.",
        "save_invalid": "Not saved: the case would not validate:",
        "load_path": "Case file",
        "load_button": "Load case",
        "loaded": "Loaded {path}.",
        "load_invalid": "Not loaded:",
        "reset_button": "Reset inputs",
        "diff_title": "Differences from the base case ({name})",
        "diff_none": "No differences from the base case.",
        "col_path": "path",
        "col_base": "base value",
        "col_this": "this value",
        "col_unit": "unit",
        "missing": "(none)",
        "export_button": "Export council report",
        "export_lang": "Language",
        "export_iterations": "Monte Carlo iterations",
        "export_path": "Report file",
        "exported": "Report written to {path}.",
        "export_exists": "{path} exists: tick \u201coverwrite existing file\u201d to replace it.",
        "export_failed": "Report not written: {msg}",
        "exporting": "Rendering the report (sensitivity and {n} Monte Carlo iterations)\u2026",
        "no_report": "feasibility.present.report.write_report is not available in this version of the package.",
        # risk panel
        "risk_title": "Sensitivity and risk",
        "metric": "Metric",
        "run_sensitivity": "Run sensitivity",
        "tab_tornado": "Tornado",
        "tab_spider": "Spider",
        "tab_switching": "Switching values",
        "tab_two_way": "Two-way",
        "tab_monte_carlo": "Monte Carlo",
        "two_way_table": "Table",
        "tornado_title": "{metric}: each input at its low and high value",
        "spider_title": "{metric} against the change in each input",
        "spider_x": "Change in the input",
        "heat_title": "{metric} for two inputs",
        "input": "input",
        "unit": "unit",
        "base": "base",
        "low": "low",
        "high": "high",
        "at_low": "metric at low",
        "at_high": "metric at high",
        "si": "SI",
        "critical": "critical",
        "switching_value": "switching value",
        "switching_change": "change",
        "none_in_range": "none in range",
        "yes": "yes",
        "no": "no",
        "iterations": "Iterations",
        "seed": "Seed",
        "run_mc": "Run Monte Carlo",
        "mc_running": "Running {n} iterations\u2026",
        "mc_done": "{n} iterations in {s} s (seed {seed}).",
        "prob_npv": "P(FNPV < 0) = {p}",
        "prob_dscr": "P(minimum DSCR < {t}) = {p}",
        "hist_title": "FNPV over the simulated iterations",
        "hist_threshold": "FNPV = 0",
        "rank_title": "Inputs most correlated with FNPV (Spearman)",
        "sens_done": "{k} inputs, {metric}: computed in {s} s.",
        "mean": "mean",
        "undefined": "undefined",
    },
    "id": {
        "tab_demand": "Permintaan dan ramp-up",
        "tab_tariffs": "Tarif",
        "tab_capex": "Belanja modal dan jadwal",
        "tab_opex": "Biaya operasi",
        "tab_financing": "Pembiayaan",
        "tab_tax": "Pajak dan pembagian laba",
        "card_fnpv": "FNPV",
        "card_fnpv_sub": "proyek, setelah pajak, pada WACC {wacc}",
        "card_firr": "FIRR dibanding WACC",
        "card_firr_sub": "WACC {wacc}",
        "card_firr_multiple": "tidak terdefinisi: beberapa IRR",
        "card_firr_none": "tidak terdefinisi: tidak ada IRR",
        "card_dscr": "DSCR minimum",
        "card_dscr_sub": "ambang pemberi pinjaman {t}",
        "card_no_debt": "tidak ada pembayaran utang",
        "card_pad": "Nilai kini dividen ke PAD",
        "card_pad_sub": "dibanding nilai kini penyertaan modal {inj}",
        "card_verdict": "Kesimpulan",
        "verdict_negative": "FNPV < 0: tidak layak",
        "verdict_positive": "FNPV \u2265 0: layak secara finansial pada WACC",
        "verdict_dscr": "DSCR minimum {d} di bawah ambang pemberi pinjaman {t}",
        "verdict_cash": "kas habis pada {year}: perlu tambahan modal",
        "real": "riil",
        "changed": "{n} masukan diubah dari {name}",
        "unchanged": "Semua masukan seperti {name}",
        "updated": "diperbarui dalam {ms} md",
        "problem": "Tidak dihitung: {msg}",
        "drawing": "Menggambar grafik\u2026",
        "chart_cash": "Arus kas bebas proyek (arus FNPV)",
        "chart_cash_series": "Arus kas bebas proyek",
        "chart_cum": "Kas kumulatif BUMD",
        "chart_cum_series": "Kas kumulatif",
        "chart_dscr": "Rasio cakupan layanan utang (DSCR)",
        "chart_dscr_series": "DSCR",
        "chart_dscr_threshold": "Minimum pemberi pinjaman: {t}",
        "chart_pad": "Daerah: penyertaan modal dan dividen ke PAD",
        "chart_pad_injection": "Penyertaan modal (dibayar daerah)",
        "chart_pad_dividends": "Dividen untuk daerah (PAD)",
        "chart_pad_net": "Posisi bersih kumulatif daerah",
        "chart_negative": "Nilai negatif (diarsir)",
        "ylabel_real": "miliar Rp, harga konstan {year}",
        "ylabel_nominal": "miliar Rp, harga berlaku",
        "ylabel_ratio": "rasio",
        "scenario_title": "Skenario dan laporan untuk DPRD",
        "save_path": "Simpan sebagai",
        "save_placeholder": "nama berkas, relatif terhadap folder proyek",
        "save_button": "Simpan skenario",
        "overwrite": "timpa berkas yang sudah ada",
        "saved": "Tersimpan {path} ({n} nilai diubah); kini menjadi kasus studio.",
        "save_exists": "{path} sudah ada: centang \u201ctimpa berkas yang sudah ada\u201d untuk menggantinya.",
        "save_invalid": "Tidak disimpan: kasus tidak lolos validasi:",
        "load_path": "Berkas kasus",
        "load_button": "Muat kasus",
        "loaded": "Dimuat {path}.",
        "load_invalid": "Tidak dimuat:",
        "reset_button": "Kembalikan masukan",
        "diff_title": "Perbedaan dari kasus dasar ({name})",
        "diff_none": "Tidak ada perbedaan dari kasus dasar.",
        "col_path": "jalur",
        "col_base": "nilai dasar",
        "col_this": "nilai ini",
        "col_unit": "satuan",
        "missing": "(tidak ada)",
        "export_button": "Ekspor laporan untuk DPRD",
        "export_lang": "Bahasa",
        "export_iterations": "Iterasi Monte Carlo",
        "export_path": "Berkas laporan",
        "exported": "Laporan ditulis ke {path}.",
        "export_exists": "{path} sudah ada: centang \u201ctimpa berkas yang sudah ada\u201d untuk menggantinya.",
        "export_failed": "Laporan tidak ditulis: {msg}",
        "exporting": "Menyusun laporan (sensitivitas dan {n} iterasi Monte Carlo)\u2026",
        "no_report": "feasibility.present.report.write_report tidak tersedia dalam versi paket ini.",
        "risk_title": "Sensitivitas dan risiko",
        "metric": "Indikator",
        "run_sensitivity": "Hitung sensitivitas",
        "tab_tornado": "Tornado",
        "tab_spider": "Laba-laba",
        "tab_switching": "Nilai pengalih",
        "tab_two_way": "Dua arah",
        "tab_monte_carlo": "Monte Carlo",
        "two_way_table": "Tabel",
        "tornado_title": "{metric}: tiap masukan pada nilai rendah dan tinggi",
        "spider_title": "{metric} terhadap perubahan tiap masukan",
        "spider_x": "Perubahan masukan",
        "heat_title": "{metric} untuk dua masukan",
        "input": "masukan",
        "unit": "satuan",
        "base": "dasar",
        "low": "rendah",
        "high": "tinggi",
        "at_low": "indikator pada rendah",
        "at_high": "indikator pada tinggi",
        "si": "IS",
        "critical": "kritis",
        "switching_value": "nilai pengalih",
        "switching_change": "perubahan",
        "none_in_range": "tidak ada dalam rentang",
        "yes": "ya",
        "no": "tidak",
        "iterations": "Iterasi",
        "seed": "Seed",
        "run_mc": "Jalankan Monte Carlo",
        "mc_running": "Menjalankan {n} iterasi\u2026",
        "mc_done": "{n} iterasi dalam {s} dtk (seed {seed}).",
        "prob_npv": "P(FNPV < 0) = {p}",
        "prob_dscr": "P(DSCR minimum < {t}) = {p}",
        "hist_title": "FNPV pada iterasi simulasi",
        "hist_threshold": "FNPV = 0",
        "rank_title": "Masukan yang paling berkorelasi dengan FNPV (Spearman)",
        "sens_done": "{k} masukan, {metric}: dihitung dalam {s} dtk.",
        "mean": "rata-rata",
        "undefined": "tidak terdefinisi",
    },
}


def _text(lang: str) -> dict[str, str]:
    if lang not in _TEXT:
        raise ValueError(f"lang must be one of {', '.join(_TEXT)}, got {lang!r}")
    return _TEXT[lang]


# ---------------------------------------------------------------------------
# the inputs: which tab, which limits, which words


def tab_of(path: str) -> str | None:
    """The studio tab of a quantity path (one of :data:`TABS`), or None when the studio does not show it.

    The economic analysis (``economic.*``) is not a studio input: it does not
    move the financial cards.
    """
    last = path.rsplit(".", 1)[-1]
    parts = path.split(".")
    if ".revenue." in path:
        if last.startswith("tariff_"):
            return "tariffs"
        if last.startswith("variable_cost_") or last == "cost_escalation_real_per_year":
            return "opex"
        return "demand"
    if ".capex." in path or path.startswith(("port.capacity.", "residual_value.")):
        return "capex"
    if ".opex." in path or path.startswith(("bumd.overhead.", "working_capital.")) or last == "concession_fee_share_of_revenue":
        return "opex"
    if path.startswith(("financing.", "macro.", "ppp.")) or path == "region.discount_rate_nominal":
        return "financing"
    if parts[0] in ("tax", "bumd", "region"):
        return "tax"
    return None


def widget_limits(q: Quantity | type[Quantity]) -> tuple[float, float]:
    """The ``min`` and ``max`` of a quantity's text field: the range its schema allows.

    A strict bound (``gt``/``lt``) becomes the nearest float inside it; no
    bound becomes :data:`UNBOUNDED` (the largest float, as JSON has no infinity).
    """
    ge, le, gt, lt = (q if isinstance(q, type) else type(q)).bounds
    lo = float(ge) if ge is not None else float(np.nextafter(gt, np.inf)) if gt is not None else -UNBOUNDED
    hi = float(le) if le is not None else float(np.nextafter(lt, -np.inf)) if lt is not None else UNBOUNDED
    return lo, hi


def _cross_limits(case: Case, path: str) -> tuple[float, float] | None:
    """Tighter limits where a rule across fields narrows a quantity's own range (PP 54/2017 ownership)."""
    if path == "bumd.ownership_share_region":
        return (1.0, 1.0) if case.bumd.form == "perumda" else (0.51, 1.0)
    return None


def _limits(case: Case, path: str, q: Quantity) -> tuple[float, float]:
    lo, hi = widget_limits(q)
    extra = _cross_limits(case, path)
    if extra is not None:
        lo, hi = max(lo, extra[0]), min(hi, extra[1])
    return lo, hi


def _walk(case: Case, parts: Sequence[str]) -> Any:
    obj: Any = case
    for p in parts:
        obj = obj.get(p) if isinstance(obj, dict) else getattr(obj, p, None)
        if obj is None:
            return None
    return obj


def _description(case: Case, path: str) -> str:
    """The schema's description of a quantity field."""
    parts = path.split(".")
    parent = _walk(case, parts[:-1])
    fields = type(parent).model_fields if parent is not None and hasattr(type(parent), "model_fields") else {}
    f = fields.get(parts[-1])
    return (f.description or "") if f is not None else ""


_STRUCTURE = {"revenue", "opex", "capex", "build_up", "phases", "loans", "allocation", "economic_life_years", "overhead",
              "ramp_up_curve", "capital_injection", "conversion_factors", "benefits", "top_down", "forecast"}
_SUFFIXES = ("_idr_per_year", "_idr_per_", "_idr_nominal", "_idr")


def _pretty(name: str) -> str:
    for s in _SUFFIXES:
        i = name.find(s)
        if i > 0:
            name = name[:i]
            break
    return name.replace("_", " ")


def input_name(path: str) -> str:
    """A short name of an input for charts and tables (``port wharf trestle: amount``)."""
    parts = path.split(".")
    leaf = _pretty(parts[-1])
    owners = [p for p in parts[:-1] if p not in _STRUCTURE]
    owner = owners[-1] if owners else ""
    if parts[0] in ("port", "lab") and owner and owner != parts[0] and not owner.startswith(parts[0]):
        owner = f"{parts[0]} {owner}"
    return f"{_pretty(owner)}: {leaf}" if owner else leaf


def _group_title(case: Case, path: str, lang: str) -> str:
    """The heading an input is shown under (``Port terminal (BUP) \u203a Cargo handling ...``)."""
    parts = path.split(".")[:-1]
    lines = case.lines()
    out: list[str] = []
    i = 0
    if parts and parts[0] in lines:
        out.append(in_lang(lines[parts[0]].name, lang))
        i = 1
        if len(parts) > 2 and parts[1] == "revenue":
            st = lines[parts[0]].revenue.get(parts[2])
            label = in_lang(st.label, lang) if st is not None else ""
            out.append(label or parts[2].replace("_", " "))
            i = 3
    out += [p.replace("_", " ") for p in parts[i:]]
    if not out:
        return ""
    out[0] = out[0][:1].upper() + out[0][1:]
    return " \u203a ".join(out)


def _show(fmt: Formatter, x: float, unit: str) -> str:
    """A value in a person's words: money in scale words, fractions as per cent."""
    if unit.startswith("IDR"):
        return fmt.money(x)
    if unit.startswith("fraction"):
        return fmt.percent(x, 2)
    digits = 0 if float(x).is_integer() or abs(x) >= 100 else 2
    return fmt.number(x, digits)


def _plain_number(v: Any) -> str:
    """A value as written in a case file: ``71000`` rather than ``71000.0``; lists in brackets."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_plain_number(x) for x in v) + "]"
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)


def _nice_step(span: float) -> float:
    """A slider step of about 1/200 of its span: 1, 2 or 5 times a power of ten."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / 200.0
    p = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 5.0, 10.0):
        if raw <= m * p:
            return m * p
    return 10.0 * p


def _slider_grid(value: float, lo: float, hi: float) -> tuple[float, float, float]:
    """Slider min, max and step with ``value`` on the slider's grid (min + k step).

    A browser slider snaps the value it is given to its grid and sends the
    snapped value back: with the case's value on the grid that is only float
    noise, which the studio ignores (less than half a step), so showing a
    slider never changes an input.
    """
    step = _nice_step(hi - lo)
    below = math.floor((value - lo) / step + 1e-9)
    above = math.floor((hi - value) / step + 1e-9)
    s_lo = max(min(_clean_float(value - below * step), value), lo)
    s_hi = min(max(_clean_float(value + above * step), value), hi)
    return s_lo, s_hi, step


def _clean_float(x: float) -> float:
    """A slider's value without the float noise of ``min + k * step`` (12 significant digits)."""
    return float(f"{x:.12g}")


def _slider_range(case: Case, path: str, q: Quantity) -> tuple[float, float] | None:
    """The slider's span: the declared low/high, else the allowed range when it is finite; None for no slider."""
    lo_allowed, hi_allowed = _limits(case, path, q)
    if q.low is not None and q.high is not None:
        lo, hi = float(q.low), float(q.high)
    elif lo_allowed > -UNBOUNDED and hi_allowed < UNBOUNDED:
        lo, hi = lo_allowed, hi_allowed
    else:
        return None
    v = float(q.value)
    lo, hi = max(min(lo, v), lo_allowed), min(max(hi, v), hi_allowed)
    return (lo, hi) if hi > lo else None


# ---------------------------------------------------------------------------
# case files: data, changes, differences, saving


def case_data(case: Case) -> dict[str, Any]:
    """A case as TOML-ready data (what its file would hold; absent optional values left out)."""
    return case.model_dump(mode="json", exclude_none=True)


def _quantity_dict(data: dict[str, Any], path: str) -> dict[str, Any]:
    obj: Any = data
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            raise KeyError(f"{path}: no such quantity in the case")
        obj = obj[part]
    if not isinstance(obj, dict) or "value" not in obj:
        raise KeyError(f"{path}: not a quantity")
    return obj


def apply_changes(
    case: Case | Mapping[str, Any], changes: Mapping[str, Any], *, when: _dt.date | None = None
) -> dict[str, Any]:
    """The data of a case with some quantities set to new values, provenance kept.

    For each changed quantity the ``source`` becomes ``studio: changed from
    <old> on <date>``, the ``confidence`` ``estimate`` and the old source (and
    note) move into the ``note``; the source ``year`` is dropped (the value is
    the analyst's, in the case's base-year prices). A declared ``low``/``high``
    range is widened to include the new value (the schema requires
    ``low <= value <= high``) and the note says so. Values equal to the old
    ones leave the quantity as it was.
    """
    data = case_data(case) if isinstance(case, Case) else copy.deepcopy(dict(case))
    day = (when or _dt.date.today()).isoformat()
    for path, value in changes.items():
        qd = _quantity_dict(data, path)
        old = qd["value"]
        new = [float(x) for x in value] if isinstance(old, list) else float(value)
        if (np.asarray(new, dtype=float).shape == np.asarray(old, dtype=float).shape
                and np.array_equal(np.asarray(new, dtype=float), np.asarray(old, dtype=float))):
            continue
        was = f"previously {_plain_number(old)}, source: {qd.get('source', '')}"
        if qd.get("year") is not None:
            was += f" ({qd['year']})"
        was += f", confidence: {qd.get('confidence', '')}"
        if qd.get("note"):
            was += f"; note: {qd['note']}"
        notes = [was]
        ranged = not isinstance(new, list) and qd.get("low") is not None and qd.get("high") is not None
        if ranged and not qd["low"] <= new <= qd["high"]:
            notes.append(f"range widened from [{_plain_number(qd['low'])}, {_plain_number(qd['high'])}] to include the new value")
            qd["low"], qd["high"] = min(qd["low"], new), max(qd["high"], new)
        qd["value"] = new
        qd["source"] = f"studio: changed from {_plain_number(old)} on {day}"
        qd["confidence"] = "estimate"
        qd.pop("year", None)
        qd["note"] = "; ".join(notes)
    return data


def _drop_none(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj]
    return obj


def case_toml(data: Case | Mapping[str, Any], *, header: str | None = None) -> str:
    """A case (or its data) as TOML text, with an optional comment header."""
    import tomli_w

    d = case_data(data) if isinstance(data, Case) else _drop_none(dict(data))
    text = tomli_w.dumps(d, multiline_strings=True)
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + "\n" + text
    return text


def _rebase_histories(data: dict[str, Any], src_dir: Path | None, dst_dir: Path) -> None:
    """Forecast history paths are relative to the case file: keep them pointing at the same files."""
    if src_dir is None:
        return
    for key in ("port", "lab"):
        for st in (data.get(key) or {}).get("revenue", {}).values():
            fc = st.get("forecast") if isinstance(st, dict) else None
            if isinstance(fc, dict) and isinstance(fc.get("history"), str) and not Path(fc["history"]).is_absolute():
                target = (Path(src_dir) / fc["history"]).resolve()
                try:
                    fc["history"] = Path(os.path.relpath(target, dst_dir.resolve())).as_posix()
                except ValueError:  # another drive (Windows)
                    fc["history"] = target.as_posix()


def save_case(
    case_or_data: Case | Mapping[str, Any],
    path: str | Path,
    *,
    overwrite: bool = False,
    base_dir: str | Path | None = None,
    header: str | None = None,
) -> Path:
    """Write a case as a TOML case file, validated, atomically, never replacing a file by accident.

    Parameters
    ----------
    case_or_data : Case or mapping
        A validated case, or case data (e.g. from :func:`apply_changes`).
    path : path
        The file to write; missing folders are made.
    overwrite : bool
        Replace an existing file. Without it an existing file is never touched
        (the new file takes the name with a hard link, which fails when the
        name exists, so no other writer can slip in between).
    base_dir : path, optional
        The folder of the case file the data came from: forecast histories are
        relative to a case file, and are rewritten to stay relative to the
        new one.
    header : str, optional
        A comment written at the top of the file.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    CaseError
        When the written text does not validate (:func:`feasibility.load_case`);
        nothing is left behind.
    """
    target = Path(path).expanduser()
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = case_data(case_or_data) if isinstance(case_or_data, Case) else copy.deepcopy(dict(case_or_data))
    _rebase_histories(data, Path(base_dir) if base_dir is not None else None, target.parent)
    text = case_toml(data, header=header)
    fd, tmp_name = tempfile.mkstemp(prefix=".studio-", suffix=".toml", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a case file is meant to be shared
        load_case(tmp)  # raises CaseError with every problem; the target is untouched
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the name exists: no check-then-write race
            except FileExistsError:
                raise FileExistsError(f"{target} exists; pass overwrite=True to replace it") from None
            except OSError:  # a file system without hard links
                if target.exists():
                    raise FileExistsError(f"{target} exists; pass overwrite=True to replace it") from None
                os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def differences(
    base: Case, other: Case | Mapping[str, Any] | None = None, overrides: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The quantities whose values differ between a base case and another case (plus overrides).

    Parameters
    ----------
    base : Case
    other : Case or mapping, optional
        Another case, or overrides of the base case by quantity path.
    overrides : mapping, optional
        Values replacing ``other``'s (or the base's) by quantity path, as in
        :func:`feasibility.run`.

    Returns
    -------
    DataFrame
        Columns ``path``, ``base_value``, ``this_value``, ``unit``, one row per
        quantity that differs (None where a case does not have the quantity), in
        the base case's order, then the other case's new quantities.
    """
    bq = base.quantity_map()
    src = other if isinstance(other, Case) else base
    smap = src.quantity_map()
    values: dict[str, Any] = {p: q.value for p, q in smap.items()}
    extra = dict(other) if other is not None and not isinstance(other, Case) else {}
    extra.update(overrides or {})
    for p, v in extra.items():
        if p not in smap:
            raise KeyError(f"{p}: no such quantity in the case")
        values[p] = [float(x) for x in v] if smap[p].is_list else float(v)
    rows = []
    for p in list(bq) + [p for p in values if p not in bq]:
        b = bq[p].value if p in bq else None
        o = values.get(p)
        if b is not None and o is not None:
            bb, oo = np.asarray(b, dtype=float), np.asarray(o, dtype=float)
            if bb.shape == oo.shape and np.array_equal(bb, oo):
                continue
        unit = bq[p].unit if p in bq else smap[p].unit
        rows.append({"path": p, "base_value": b, "this_value": o, "unit": unit})
    return pd.DataFrame(rows, columns=["path", "base_value", "this_value", "unit"])


# ---------------------------------------------------------------------------
# the council report


def _resolve(path: str | Path) -> Path:
    """A path as a person typed it: absolute, an existing file relative to the working folder, else relative to the project folder."""
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    here = Path.cwd() / p
    return here if here.exists() else ROOT / p


def export_report(
    case: Case | str | Path | None = None,
    *,
    lang: str = "id",
    iterations: int | None = None,
    seed: int | None = None,
    output: str | Path | None = None,
    overwrite: bool | str = "generated",
    case_text: str | None = None,
    base_dir: str | Path | None = None,
) -> Path:
    """Render the council report of a case into ``reports/`` (:func:`feasibility.present.report.write_report`).

    Parameters
    ----------
    case : Case, path or None
        A case file (a relative path starts at the working folder if the file
        is there, else at the project folder), the default Kota Serang case
        (None), or a case object (then its TOML text, or ``case_text``, is
        embedded in the report, and ``base_dir`` is the folder its forecast
        histories are relative to).
    output : path, optional
        A file, or a folder for ``<case name>.<lang>.html``; default
        :data:`REPORTS_DIR`.
    overwrite : bool or "generated"
        Replace an existing file: always, never, or only a report this toolkit
        wrote (``"generated"``, as the CLI does).
    """
    from ..present import report

    base_dir = Path(base_dir) if base_dir is not None else None
    if isinstance(case, Case):
        obj = case
        text = case_text if case_text is not None else case_toml(case)
        stem = "case"
    else:
        p = DEFAULT_CASE if case is None else _resolve(case)
        obj = load_case(p)
        text = case_text if case_text is not None else p.read_text(encoding="utf-8")
        stem, base_dir = p.stem, p.parent
    if output is None:
        target = REPORTS_DIR / f"{stem}.{lang}.html"
    else:
        target = _resolve(output)
        if target.is_dir() or (not target.suffix and not target.exists()):
            target = target / f"{stem}.{lang}.html"
    if overwrite == "generated":
        is_gen = getattr(report, "is_generated_report", None)
        overwrite = bool(target.exists() and is_gen is not None and is_gen(target))
    write = getattr(report, "write_report", None)
    if write is None:
        raise RuntimeError(_text("en")["no_report"])
    kw: dict[str, Any] = {"case_text": text, "iterations": iterations, "seed": seed, "overwrite": bool(overwrite)}
    if base_dir is not None and "base_dir" in inspect.signature(write).parameters:
        kw["base_dir"] = base_dir
    return Path(write(obj, target, lang, **kw))


# ---------------------------------------------------------------------------
# charts, drawn in worker processes

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _chart_fmt(lang: str, kind: str | None) -> Callable[[float], str] | None:
    fmt = Formatter(lang)
    if kind == "bn":
        return lambda x: fmt.number(x / 1e9, 0 if abs(x) >= 1e10 or x == 0 else 1)
    if kind == "ratio":
        return lambda x: fmt.number(x, 2)
    if kind == "money":
        return fmt.money
    if kind == "pct":
        return lambda x: fmt.percent(x, 1)
    return None


def _draw(spec: tuple[str, str, dict[str, Any]]) -> str:
    """Draw one chart (runs in a worker process or a thread): ``(function, lang, keywords)`` -> SVG."""
    from ..present import charts

    name, lang, kw = spec
    kw = dict(kw)
    for key in ("fmt", "cell_fmt", "pct_fmt"):
        if key in kw:
            kw[key] = _chart_fmt(lang, kw[key])
    return getattr(charts, name)(**kw).svg


def _warm_worker() -> None:
    """Import matplotlib and draw once, so that a worker's first real chart is as fast as the rest.

    Runs first in each worker; the worker ignores Ctrl-C (an interrupt of the
    kernel reaches its whole process group), so that only the kernel handles it.
    """
    ignore_sigint()
    try:
        _draw(("lines_by_year", "en", {"years": [2000, 2001], "series": {"x": [0.0, 1.0]}}))
    except Exception:  # noqa: BLE001, S110 - a failure shows, with its message, when a real chart is drawn
        pass


def _noop() -> None:
    return None


def _main_is_importable() -> bool:
    """Whether worker processes can re-import ``__main__`` (not so for code read from standard input)."""
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None):
        return True
    f = getattr(main, "__file__", None)
    return f is None or Path(f).exists()


def _chart_pool(workers: int) -> ProcessPoolExecutor | None:
    """The worker processes that draw charts (shared by every studio of the kernel); None if they cannot start.

    They start with the ``forkserver`` method (a clean process, not a copy of
    a kernel's threads), which imports the ``__main__`` module again: in a
    script, create a studio under ``if __name__ == "__main__":``.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None and _main_is_importable():
            try:
                methods = mp.get_all_start_methods()
                ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
                if ctx.get_start_method() == "forkserver":
                    ctx.set_forkserver_preload(["feasibility.present.charts"])
                _POOL = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_warm_worker)
                for _ in range(workers):  # start them all now: the first change should not wait
                    _POOL.submit(_noop)
            except Exception:  # noqa: BLE001 - no worker processes here: charts are drawn in a thread
                _POOL = None
        return _POOL


def _drop_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


_DRAWERS: weakref.WeakSet[_ChartDrawer] = weakref.WeakSet()


@atexit.register
def _close_drawers() -> None:
    """At exit, let every chart thread finish the chart it draws (daemon threads are not joined)."""
    for d in list(_DRAWERS):
        d.close(timeout=10)


class _ChartDrawer:
    """Draws the newest requested set of charts in the background, never more than one set behind.

    A request replaces any request still waiting; while one set is drawn, the
    next waits. Charts are drawn in worker processes when there are any (two
    charts at a time on two cores), else in this thread.
    """

    def __init__(self, apply: Callable[[int, dict[str, str]], None], workers: int):
        _DRAWERS.add(self)
        self._apply = apply
        self._workers = workers
        self._cv = threading.Condition()
        self._request: tuple[int, dict[str, tuple[str, str, dict[str, Any]]]] | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.done = 0  # the newest generation drawn
        self.done_at = 0.0
        self.error: BaseException | None = None

    def request(self, gen: int, specs: dict[str, tuple[str, str, dict[str, Any]]]) -> None:
        with self._cv:
            self._request = (gen, specs)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="feasibility-studio-charts", daemon=True)
                self._thread.start()
            self._cv.notify_all()

    def wait(self, gen: int, timeout: float | None = None) -> bool:
        end = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while self.done < gen:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cv.wait(left)
            return True

    def warm(self) -> None:
        """Start the worker processes in the background (the first change then finds them ready)."""
        if self._workers:
            threading.Thread(target=_chart_pool, args=(self._workers,), name="feasibility-studio-pool", daemon=True).start()

    def skip(self, gen: int) -> None:
        """Nothing (more) to draw for this generation: not computable, or drawn already."""
        with self._cv:
            self.done = max(self.done, gen)
            self._cv.notify_all()

    def close(self, timeout: float = 30) -> None:
        """Stop drawing, waiting for a chart being drawn (a thread killed inside matplotlib at exit aborts Python)."""
        with self._cv:
            self._closed = True
            self._request = None
            self._cv.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _draw_all(self, gen: int, specs: dict[str, tuple[str, str, dict[str, Any]]]) -> None:
        """Draw every chart, each shown as soon as it is drawn."""
        pool = _chart_pool(self._workers) if self._workers else None
        if pool is not None:
            try:
                futures = {pool.submit(_draw, s): k for k, s in specs.items()}
                for f in as_completed(futures, timeout=60):
                    svg = f.result()
                    if not self._closed:
                        self._apply(gen, {futures[f]: svg})
                return
            except Exception:  # noqa: BLE001 - a broken pool (a worker killed): draw here from now on
                _drop_pool()
                self._workers = 0
        for k, s in specs.items():
            svg = _draw(s)
            if not self._closed:
                self._apply(gen, {k: svg})

    def _loop(self) -> None:
        while True:
            with self._cv:
                while self._request is None and not self._closed:
                    if not self._cv.wait(timeout=300):
                        self._thread = None  # idle: a new request starts a new thread
                        return
                if self._closed:
                    return
                gen, specs = self._request
                self._request = None
            try:
                self._draw_all(gen, specs)
                err = None
            except BaseException as exc:  # noqa: BLE001 - kept in .error, never raised in a thread
                err = exc
            with self._cv:
                self.error = err
                self.done = max(self.done, gen)
                self.done_at = time.perf_counter()
                self._cv.notify_all()


# ---------------------------------------------------------------------------
# the studio


def _as_case(case: Case | str | Path | None) -> tuple[Case, Path | None]:
    if isinstance(case, Case):
        return case, None
    p = DEFAULT_CASE if case is None else _resolve(case)
    return load_case(p), p


def _case_name(case: Case, path: Path | None, lang: str) -> str:
    if path is not None:
        try:
            return path.relative_to(ROOT).as_posix()
        except ValueError:
            return path.as_posix()
    return in_lang(case.case.name, lang) or "case"


#: page style of the studio: tab titles in full (wrapping onto a second row when narrow)
_STYLE = (
    "<style>"
    ".fs-studio .lm-TabBar-content, .fs-risk .lm-TabBar-content {flex-wrap: wrap;}"
    ".fs-studio .lm-TabBar-tab, .fs-risk .lm-TabBar-tab {flex: 0 0 auto !important; max-width: none !important;}"
    "</style>"
)


def _card(title: str, value: str, sub: str, tone: str) -> str:
    colour = {"bad": "#B3261E", "good": "#1B6E3A", "neutral": "#333333"}[tone]
    edge = {"bad": "#D55E00", "good": "#009E73", "neutral": "#999999"}[tone]
    return (
        f'<div style="border:1px solid #ccc;border-left:6px solid {edge};border-radius:6px;'
        f'padding:6px 10px;background:#fff;line-height:1.3">'
        f'<div style="font-size:12px;color:#444">{html.escape(title)}</div>'
        f'<div class="fs-value" style="font-size:19px;font-weight:600;color:{colour}">{html.escape(value)}</div>'
        f'<div style="font-size:11px;color:#555">{html.escape(sub)}</div></div>'
    )


def _table_html(header: Sequence[str], rows: Iterable[Sequence[Any]], *, numeric: Sequence[bool] | None = None) -> str:
    th = "".join(f'<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #999">{html.escape(str(h))}</th>' for h in header)
    body = []
    for r in rows:
        tds = []
        for j, c in enumerate(r):
            align = "right" if numeric is not None and numeric[j] else "left"
            tds.append(f'<td style="text-align:{align};padding:2px 8px;border-bottom:1px solid #eee">{html.escape(str(c))}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table style="border-collapse:collapse;font-size:12px"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _close_tree(w: Any) -> None:
    """Close a widget and every widget inside it (a box does not close its children)."""
    for c in getattr(w, "children", ()) or ():
        _close_tree(c)
    w.close()


def _css_name(path: str) -> str:
    return "fs-" + "".join(ch if ch.isalnum() or ch in "-_" else "--" for ch in path)


class Studio:
    """The financial studio: the case's assumptions as widgets, metric cards and charts that follow them.

    Parameters
    ----------
    case : Case, path or None
        The case to start from (default: the Kota Serang case). It is also the
        base of the differences table unless ``base`` is given.
    lang : {"en", "id"}
    base : Case, path or None
        The reference the differences table compares with.
    chart_workers : int, optional
        Worker processes drawing the charts (default: 2 when the machine has
        two cores or more, else 0: drawn in a background thread).

    Attributes (for tests and scripts)
    ----------------------------------
    widgets : dict of str to widget
        The input of each quantity path: a ``BoundedFloatText`` (for a list
        quantity, an ``HBox`` of them, see ``elements``).
    sliders : dict of str to FloatSlider
        The slider of quantities with a range.
    cards : dict of str to HTML
        ``fnpv``, ``firr``, ``dscr``, ``pad``, ``verdict``.
    charts : dict of str to HTML
        ``cash``, ``cumulative``, ``dscr``, ``pad`` (inline SVG).
    metrics : dict of str to float
        The card metrics of the current inputs (:data:`CARD_METRICS`).
    ui : widget
        What a notebook displays.
    """

    def __init__(
        self,
        case: Case | str | Path | None = None,
        lang: str = "en",
        *,
        base: Case | str | Path | None = None,
        chart_workers: int | None = None,
    ):
        import ipywidgets as W

        self._W = W
        self.lang = lang
        self.t = _text(lang)
        self.fmt = Formatter(lang)
        self.case, self.case_path = _as_case(case)
        if base is None:
            self.base, self.base_path = self.case, self.case_path
        else:
            self.base, self.base_path = _as_case(base)
        workers = (2 if (os.cpu_count() or 1) >= 2 else 0) if chart_workers is None else int(chart_workers)
        self._charts = _ChartDrawer(self._apply_charts, workers)
        self._gen = 0
        self._quiet = False
        self._syncing = False
        self.metrics: dict[str, float] = {}
        self.result: Result | None = None
        self.problem: str | None = None
        self.timing: dict[str, float] = {}
        self.widgets: dict[str, Any] = {}
        self.elements: dict[str, list[Any]] = {}
        self.sliders: dict[str, Any] = {}
        self.readouts: dict[str, Any] = {}
        self._labels: dict[str, Any] = {}
        self._build()
        # the first charts are drawn now, in the cell that creates the studio: a page (Voila) that
        # fetches the widgets' state while a background drawing arrives could miss that update
        self._on_change(None, draw_now=True)
        self._charts.warm()  # the worker processes start meanwhile

    # -- public API -----------------------------------------------------------

    def set(self, path: str, value: Any) -> None:
        """Set an input as a person would (the cards and charts follow).

        Raises
        ------
        KeyError
            When the studio has no input for ``path``.
        ValueError
            When the value is outside what the quantity allows.
        """
        if path not in self.widgets:
            raise KeyError(f"{path}: not an input of the studio (inputs: see studio.widgets)")
        q = self.case.quantity_map()[path]
        lo, hi = _limits(self.case, path, q)
        if q.is_list:
            vals = [float(v) for v in value]
            if len(vals) != len(q.value):
                raise ValueError(f"{path}: needs {len(q.value)} numbers, got {len(vals)}")
            bad = [v for v in vals if not (lo <= v <= hi) or not math.isfinite(v)]
            if bad:
                raise ValueError(f"{path}: must be {type(q).rule()}, got {bad}")
            self._quiet = True
            try:
                for w, v in zip(self.elements[path], vals):
                    w.value = v
            finally:
                self._quiet = False
            self._on_change(path)
        else:
            v = float(value)
            if not (lo <= v <= hi) or not math.isfinite(v):
                rule = type(q).rule() if _cross_limits(self.case, path) is None else f">= {lo:g} and <= {hi:g}"
                raise ValueError(f"{path}: must be {rule}, got {value!r}")
            self.widgets[path].value = v

    def value(self, path: str) -> Any:
        """The current value of an input (a float, or a list for a list quantity)."""
        if path in self.elements:
            return [float(w.value) for w in self.elements[path]]
        return float(self.widgets[path].value)

    def overrides(self) -> dict[str, Any]:
        """The inputs that differ from the studio's case, by quantity path (for :func:`feasibility.run`)."""
        out: dict[str, Any] = {}
        qmap = self.case.quantity_map()
        for path in self.widgets:
            v = self.value(path)
            old = qmap[path].value
            if isinstance(v, list):
                if [float(x) for x in old] != v:
                    out[path] = v
            elif float(old) != v:
                out[path] = v
        return out

    def current_data(self) -> dict[str, Any]:
        """The current assumptions as case data, changed values with their studio provenance."""
        return apply_changes(self.case, self.overrides())

    def current_case(self) -> Case:
        """The current assumptions as a validated case (the studio's case when nothing changed)."""
        over = self.overrides()
        if not over:
            return self.case
        base_dir = self.case_path.parent if self.case_path is not None else ROOT
        return parse_case(self.current_data(), "studio", base_dir=base_dir)

    def current_text(self) -> str:
        """The TOML text of the current assumptions (the case file's own text when nothing changed)."""
        if not self.overrides() and self.case_path is not None and self.case_path.exists():
            return self.case_path.read_text(encoding="utf-8")
        return case_toml(self.current_data(), header=self._header(len(self.overrides())))

    def differences(self) -> pd.DataFrame:
        """The current assumptions against the base case (path, base value, this value, unit)."""
        return differences(self.base, self.case, self.overrides())

    def recompute(self) -> None:
        """Recompute the cards now and ask for the charts (as any change does)."""
        self._on_change(None)

    def wait_charts(self, timeout: float | None = 30) -> bool:
        """Wait until the charts show the current inputs; False on timeout."""
        return self._charts.wait(self._gen, timeout)

    def reset(self) -> None:
        """Every input back to the studio's case."""
        qmap = self.case.quantity_map()
        self._quiet = True
        try:
            for path in self.widgets:
                q = qmap[path]
                if q.is_list:
                    for w, v in zip(self.elements[path], q.value):
                        w.value = float(v)
                else:
                    self.widgets[path].value = float(q.value)
        finally:
            self._quiet = False
        self._on_change(None)

    def load(self, path: str | Path) -> Case:
        """Make a case file the studio's case: new inputs, cards, charts and differences from the base."""
        case, p = _as_case(path)
        self.case, self.case_path = case, p
        self._build_inputs()
        self._on_change(None)
        self.save_path.value = self._suggest_name()
        self.export_iterations.value = int(case.risk.iterations)
        return case

    def save(self, path: str | Path | None = None, *, overwrite: bool | None = None) -> Path:
        """Save the current assumptions as a case file; it becomes the studio's case.

        ``path`` defaults to the "Save as" field, ``overwrite`` to the
        "overwrite existing file" box (which is cleared afterwards: each
        replacement is a choice). Saving again to the same name therefore
        needs the box ticked again.
        """
        target = _resolve(path if path is not None else self.save_path.value)
        ow = bool(self.overwrite.value) if overwrite is None else bool(overwrite)
        n = len(self.overrides())
        base_dir = self.case_path.parent if self.case_path is not None else ROOT
        written = save_case(self.current_data(), target, overwrite=ow, base_dir=base_dir, header=self._header(n))
        self.overwrite.value = False
        # the saved file is now the studio's case: the report embeds its exact text
        self.case, self.case_path = load_case(written), written
        self._rebind_inputs()
        self._on_change(None)
        return written

    def export(
        self,
        path: str | Path | None = None,
        *,
        lang: str | None = None,
        iterations: int | None = None,
        overwrite: bool | None = None,
    ) -> Path:
        """Write the council report of the current assumptions (:func:`export_report`)."""
        lang = lang or self.export_lang.value
        iterations = int(iterations if iterations is not None else self.export_iterations.value)
        ow = bool(self.overwrite.value) if overwrite is None else bool(overwrite)
        target = path if path is not None else (self.export_path.value or None)
        if target is None:
            stem = self.case_path.stem if self.case_path is not None else "case"
            if self.overrides():  # unsaved changes: not the report of the case file
                stem += "_studio"
            target = REPORTS_DIR / f"{stem}.{lang}.html"
        target = _resolve(target)
        if target.exists() and not ow:
            raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
        return export_report(self.current_case(), lang=lang, iterations=iterations, output=target, overwrite=ow,
                             case_text=self.current_text(), base_dir=self.case_path.parent if self.case_path is not None else None)

    def close(self) -> None:
        """Stop the chart thread and close the studio's widgets."""
        self._charts.close()
        _close_tree(self.ui)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    # -- building -------------------------------------------------------------

    def _build(self) -> None:
        W = self._W
        t = self.t
        self.title = W.HTML()
        self.cards = {k: W.HTML(layout=W.Layout(flex="1 1 180px", min_width="170px")) for k in ("fnpv", "firr", "dscr", "pad", "verdict")}
        for k, w in self.cards.items():
            w.add_class("fs-card")
            w.add_class(f"fs-card-{k}")
        self.status = W.HTML()
        self.status.add_class("fs-status")
        self.charts = {k: W.HTML(f'<div style="color:#777;padding:2em">{html.escape(t["drawing"])}</div>',
                                 layout=W.Layout(width="100%")) for k in ("cash", "cumulative", "dscr", "pad")}
        for k, w in self.charts.items():
            w.add_class("fs-chart")
            w.add_class(f"fs-chart-{k}")
        self.tabs = W.Tab(layout=W.Layout(flex="1 1 460px", min_width="380px"))
        self._build_inputs()

        chart_grid = W.GridBox(
            list(self.charts.values()),
            layout=W.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap="6px", flex="1 1 560px", min_width="420px"),
        )
        # scenario and report
        self.save_path = W.Text(value=self._suggest_name(), placeholder=t["save_placeholder"], description=t["save_path"],
                                layout=W.Layout(width="460px"), style={"description_width": "110px"})
        self.overwrite = W.Checkbox(value=False, description=t["overwrite"], indent=False)
        self.save_button = W.Button(description=t["save_button"], icon="save", button_style="primary")
        self.save_status = W.HTML()
        self.load_path = W.Combobox(value="", options=self._case_files(), placeholder="data/kota_serang.toml", description=t["load_path"],
                                    ensure_option=False, layout=W.Layout(width="460px"), style={"description_width": "110px"})
        self.load_button = W.Button(description=t["load_button"], icon="folder-open")
        self.reset_button = W.Button(description=t["reset_button"], icon="undo")
        self.load_status = W.HTML()
        self.diff = W.HTML()
        self.diff.add_class("fs-diff")
        self.export_lang = W.Dropdown(options=[("Bahasa Indonesia", "id"), ("English", "en")], value="id", description=t["export_lang"],
                                      style={"description_width": "110px"}, layout=W.Layout(width="300px"))
        self.export_iterations = W.BoundedIntText(value=int(self.case.risk.iterations), min=ITERATIONS_MIN, max=ITERATIONS_MAX, step=1000,
                                                  description=t["export_iterations"], style={"description_width": "170px"},
                                                  layout=W.Layout(width="300px"))
        self.export_path = W.Text(value="", placeholder=f"reports/<case>.<{t['export_lang'].lower()}>.html", description=t["export_path"],
                                  layout=W.Layout(width="460px"), style={"description_width": "110px"})
        self.export_button = W.Button(description=t["export_button"], icon="file-text", button_style="success",
                                      layout=W.Layout(width="auto"))
        self.export_status = W.HTML()
        self.save_button.on_click(lambda _b: self._on_save())
        self.load_button.on_click(lambda _b: self._on_load())
        self.reset_button.on_click(lambda _b: self.reset())
        self.export_button.on_click(lambda _b: self._on_export())
        scenario = W.VBox(
            [
                W.HTML(f"<h3 style='margin:10px 0 4px'>{html.escape(t['scenario_title'])}</h3>"),
                W.HBox([self.save_path, self.save_button, self.overwrite], layout=W.Layout(flex_flow="row wrap", align_items="center")),
                self.save_status,
                W.HBox([self.load_path, self.load_button, self.reset_button], layout=W.Layout(flex_flow="row wrap", align_items="center")),
                self.load_status,
                W.HBox([self.export_lang, self.export_iterations], layout=W.Layout(flex_flow="row wrap")),
                W.HBox([self.export_path, self.export_button], layout=W.Layout(flex_flow="row wrap", align_items="center")),
                self.export_status,
                self.diff,
            ]
        )
        self.ui = W.VBox(
            [
                self.title,
                W.HBox(list(self.cards.values()), layout=W.Layout(flex_flow="row wrap", grid_gap="6px", width="100%")),
                self.status,
                W.HBox([self.tabs, chart_grid], layout=W.Layout(flex_flow="row wrap", align_items="flex-start", width="100%")),
                scenario,
            ],
            layout=W.Layout(width="100%"),
        )
        self.ui.add_class("fs-studio")

    def _build_inputs(self) -> None:
        """The input tabs of the studio's case (again after a case is loaded)."""
        W = self._W
        for d in (self.widgets, self.elements, self.sliders, self.readouts, self._labels):
            d.clear()
        groups: dict[str, dict[str, list[Any]]] = {tab: {} for tab in TABS}
        for path, q in self.case.quantities():
            tab = tab_of(path)
            if tab is None:
                continue
            row = self._input_row(path, q)
            groups[tab].setdefault(_group_title(self.case, path, self.lang), []).append(row)
        children, titles = [], []
        for tab in TABS:
            blocks = []
            for title, rows in groups[tab].items():
                blocks.append(W.HTML(f"<div style='font-weight:600;margin:10px 0 2px;border-bottom:1px solid #ddd'>{html.escape(title)}</div>"))
                blocks += rows
            box = W.VBox(blocks, layout=W.Layout(max_height="620px", overflow="auto", padding="0 6px 0 0"))
            children.append(box)
            titles.append(self.t[f"tab_{tab}"])
        old = list(self.tabs.children)
        self.tabs.children = children
        for i, title in enumerate(titles):
            self.tabs.set_title(i, title)
        for box in old:
            _close_tree(box)
        self.title.value = (
            _STYLE + f"<h2 style='margin:4px 0'>{html.escape(in_lang(self.case.case.name, self.lang))}</h2>"
            f"<div style='color:#555;font-size:12px'>{html.escape(_case_name(self.case, self.case_path, self.lang))}</div>"
        )

    def _input_row(self, path: str, q: Quantity) -> Any:
        W = self._W
        lo, hi = _limits(self.case, path, q)
        desc = _description(self.case, path).split(";")[0].strip() or _pretty(path.rsplit(".", 1)[-1])
        unit = q.unit
        tip = (
            f"{path}\n{_description(self.case, path)}\nallowed: {type(q).rule()}"
            + (f"; range {_plain_number(q.low)} to {_plain_number(q.high)}" if q.low is not None else "")
            + f"\nsource: {q.source}" + (f" ({q.year})" if q.year else "") + f"\nconfidence: {q.confidence}"
            + (f"\nnote: {q.note}" if q.note else "")
        )
        label = W.HTML(layout=W.Layout(width="100%"))
        self._labels[path] = label
        readout = W.HTML()
        self.readouts[path] = readout
        cls = _css_name(path)
        if q.is_list:
            elems = []
            for v in q.value:
                w = W.BoundedFloatText(value=float(v), min=lo, max=hi, step=None, layout=W.Layout(width="82px"))
                w.observe(lambda ch, p=path: self._on_input(p), names="value")
                elems.append(w)
            box = W.HBox(elems, layout=W.Layout(flex_flow="row wrap"))
            box.add_class("fs-input")
            box.add_class(cls)
            self.widgets[path] = box
            self.elements[path] = elems
            controls = [box]
        else:
            text = W.BoundedFloatText(value=float(q.value), min=lo, max=hi, step=None, layout=W.Layout(width="150px"))
            text.add_class("fs-input")
            text.add_class(cls)
            text.observe(lambda ch, p=path: self._on_input(p), names="value")
            self.widgets[path] = text
            controls = []
            span = _slider_range(self.case, path, q)
            if span is not None:
                s_lo, s_hi, step = _slider_grid(float(q.value), *span)
                slider = W.FloatSlider(value=float(q.value), min=s_lo, max=s_hi, step=step, readout=False,
                                       continuous_update=True, layout=W.Layout(flex="1 1 160px", min_width="120px"))
                slider.add_class("fs-slider")
                slider.add_class(cls)
                slider.observe(lambda ch, p=path: self._on_slider(p), names="value")
                self.sliders[path] = slider
                controls.append(slider)
            controls.append(text)
        self._label_html(path, label, desc, unit, tip)
        return W.VBox([label, W.HBox(controls + [readout], layout=W.Layout(align_items="center", width="100%"))],
                      layout=W.Layout(margin="2px 0 4px 0"))

    def _label_html(self, path: str, label: Any, desc: str, unit: str, tip: str) -> None:
        label.value = (
            f"<span title='{html.escape(tip, quote=True)}' style='font-size:12px'>{html.escape(desc)} "
            f"<span style='color:#666'>[{html.escape(unit)}]</span></span>"
        )

    def _rebind_inputs(self) -> None:
        """After saving: the inputs stay, their provenance tooltips follow the saved case."""
        for path, q in self.case.quantity_map().items():
            if path in self._labels:
                desc = _description(self.case, path).split(";")[0].strip() or _pretty(path.rsplit(".", 1)[-1])
                tip = f"{path}\n{_description(self.case, path)}\nallowed: {type(q).rule()}\nsource: {q.source}\nconfidence: {q.confidence}" + (
                    f"\nnote: {q.note}" if q.note else "")
                self._label_html(path, self._labels[path], desc, q.unit, tip)

    def _case_files(self) -> list[str]:
        dirs = {DEFAULT_CASE.parent}
        if self.case_path is not None:
            dirs.add(self.case_path.parent)
        out = []
        for d in sorted(dirs):
            for f in sorted(d.glob("*.toml")):
                try:
                    out.append(f.relative_to(ROOT).as_posix())
                except ValueError:
                    out.append(f.as_posix())
        return out

    def _suggest_name(self) -> str:
        folder = self.case_path.parent if self.case_path is not None else DEFAULT_CASE.parent
        stem = (self.case_path.stem if self.case_path is not None else "case").removesuffix("_scenario")
        for i in range(1, 1000):
            name = folder / (f"{stem}_scenario.toml" if i == 1 else f"{stem}_scenario_{i}.toml")
            if not name.exists():
                break
        try:
            return name.relative_to(ROOT).as_posix()
        except ValueError:
            return name.as_posix()

    def _header(self, n: int) -> str:
        src = _case_name(self.case, self.case_path, "en")
        return (
            f"Case saved by the feasibility studio on {_dt.date.today().isoformat()} from {src}; "
            f"{n} value(s) changed there (source = \"studio: ...\").\nValidate with: feasibility validate <this file>"
        )

    # -- reacting -------------------------------------------------------------

    def _on_slider(self, path: str) -> None:
        """A slider moved: the text field follows, then the cards."""
        if self._syncing:
            return  # the text field moved the slider
        slider = self.sliders[path]
        text = self.widgets[path]
        v = _clean_float(float(slider.value))
        if abs(v - float(text.value)) < 0.5 * float(slider.step):
            return  # the browser snapping the value it was given to its grid: not a move
        v = min(max(v, float(text.min)), float(text.max))
        self._syncing = True
        try:
            text.value = v
        finally:
            self._syncing = False
        if not self._quiet:
            self._on_change(path)

    def _on_input(self, path: str) -> None:
        """A text field changed (typed, or set): the slider follows (widened if need be), then the cards."""
        if self._syncing:
            return  # the slider moved the text field; its handler recomputes
        s = self.sliders.get(path)
        if s is not None:
            v = float(self.widgets[path].value)
            self._syncing = True
            try:
                s.max = max(s.max, v)
                s.min = min(s.min, v)
                if float(s.value) != v:
                    s.value = v
            finally:
                self._syncing = False
        if not self._quiet:
            self._on_change(path)

    def _on_change(self, path: str | None, *, draw_now: bool = False) -> None:
        t0 = time.perf_counter()
        self._gen += 1
        gen = self._gen
        over = self.overrides()
        if path is not None:
            self._mark(path, over)
        else:
            for p in self.widgets:
                self._mark(p, over)
        try:
            res = run(self.case, over, metrics=list(CARD_METRICS))
        except (ValueError, KeyError) as exc:
            self.problem = str(exc)
            self.status.value = f"<div style='color:#B3261E'>{html.escape(self.t['problem'].format(msg=exc))}</div>"
            self._charts.skip(gen)  # nothing to draw
            return
        self.problem = None
        self.result = res
        self.metrics = dict(res.metrics)
        self._update_cards(res)
        t1 = time.perf_counter()
        self.timing = {"gen": gen, "start": t0, "cards": t1 - t0}
        name = _case_name(self.case, self.case_path, self.lang)
        msg = self.t["changed"].format(n=len(over), name=name) if over else self.t["unchanged"].format(name=name)
        problems = self._live_problems(over)
        self.status.value = (
            f"<div style='font-size:12px;color:#444'>{html.escape(msg)} \u00b7 "
            f"<span style='color:#777'>{html.escape(self.t['updated'].format(ms=round((t1 - t0) * 1000)))}</span></div>"
            + "".join(f"<div style='font-size:12px;color:#B3261E'>{html.escape(p)}</div>" for p in problems)
        )
        if draw_now:
            self._apply_charts(gen, {k: _draw(spec) for k, spec in self._chart_specs(res).items()})
            self._charts.skip(gen)
        else:
            self._charts.request(gen, self._chart_specs(res))
        self._update_diff()

    def _mark(self, path: str, over: Mapping[str, Any]) -> None:
        q = self.case.quantity_map()[path]
        v = over.get(path, q.value)
        shown = ", ".join(_show(self.fmt, x, q.unit) for x in v) if isinstance(v, list) else _show(self.fmt, v, q.unit)
        changed = path in over
        colour, dot = ("#B3261E", "\u25cf ") if changed else ("#555", "")
        self.readouts[path].value = f"<span style='font-size:12px;color:{colour};margin-left:6px'>{dot}{html.escape(shown)}</span>"

    def _live_problems(self, over: Mapping[str, Any]) -> list[str]:
        """Rules across inputs the model does not need but a case file must keep (checked again on saving)."""
        out = []
        loans = self.case.financing.loans
        if len(loans) > 1:
            total = sum(float(over.get(f"financing.loans.{k}.share_of_construction_capex", ln.share_of_construction_capex.value))
                        for k, ln in loans.items())
            if total > 1 + 1e-12:
                out.append(f"financing.loans: the loans' shares of construction capex sum to {total:g} (at most 1)")
        return out

    def _threshold(self) -> float:
        return registry.threshold("dscr_min", self.case, self.metrics)

    def _update_cards(self, res: Result) -> None:
        m, f, t = res.metrics, self.fmt, self.t
        real = f" ({t['real']})" if res.price_basis == "real" else ""
        wacc = f.percent(m["wacc"]) + real
        fnpv = m["fnpv_idr"]
        self.cards["fnpv"].value = _card(t["card_fnpv"], f.money(fnpv), t["card_fnpv_sub"].format(wacc=wacc), "bad" if fnpv < 0 else "good")
        firr = m["firr"]
        if math.isfinite(firr):
            firr_text, tone = f.percent(firr), ("bad" if firr < m["wacc"] else "good")
        else:
            reasons = {u["reason"] for u in res.undefined if u["metric"] == "firr"}
            firr_text, tone = t["card_firr_multiple" if "multiple_irr" in reasons else "card_firr_none"], "bad"
        self.cards["firr"].value = _card(t["card_firr"], f"{firr_text} vs {f.percent(m['wacc'])}", t["card_firr_sub"].format(wacc=wacc), tone)
        thr = self._threshold()
        d = m["dscr_min"]
        if math.isfinite(d):
            self.cards["dscr"].value = _card(t["card_dscr"], f.number(d, 2), t["card_dscr_sub"].format(t=f.number(thr, 2)),
                                             "bad" if d < thr else "good")
        else:
            self.cards["dscr"].value = _card(t["card_dscr"], t["card_no_debt"], t["card_dscr_sub"].format(t=f.number(thr, 2)), "neutral")
        pad, inj = m["region_pv_dividends_idr"], m["region_pv_injection_idr"]
        self.cards["pad"].value = _card(t["card_pad"], f.money(pad), t["card_pad_sub"].format(inj=f.money(inj)), "bad" if pad < inj else "good")
        parts = [t["verdict_negative"] if fnpv < 0 else t["verdict_positive"]]
        if math.isfinite(d) and d < thr:
            parts.append(t["verdict_dscr"].format(d=f.number(d, 2), t=f.number(thr, 2)))
        if m["cash_sustainable"] == 0 and math.isfinite(m["first_cash_shortfall_year"]):
            parts.append(t["verdict_cash"].format(year=int(m["first_cash_shortfall_year"])))
        ok = fnpv >= 0 and len(parts) == 1
        self.cards["verdict"].value = _card(t["card_verdict"], parts[0], "; ".join(parts[1:]), "good" if ok else "bad")

    def _chart_specs(self, res: Result) -> dict[str, tuple[str, str, dict[str, Any]]]:
        t, lang = self.t, self.lang
        L, years = res.lines, [int(y) for y in res.years]
        ylabel = t["ylabel_real"].format(year=self.case.timeline.price_base_year) if res.price_basis == "real" else t["ylabel_nominal"]
        thr = self._threshold()

        def arr(key: str) -> list[float]:
            return np.asarray(L[key], dtype=float).tolist()

        dscr = arr("dscr")
        inj = np.asarray(L["region_injection_idr"], dtype=float)
        div = np.asarray(L["dividends_to_region_idr"], dtype=float)
        specs: dict[str, tuple[str, str, dict[str, Any]]] = {
            "cash": ("bars_by_year", lang, {"years": years, "series": {t["chart_cash_series"]: arr("project_fcf_idr")},
                                            "title": t["chart_cash"], "ylabel": ylabel, "fmt": "bn", "negative_label": t["chart_negative"]}),
            "cumulative": ("lines_by_year", lang, {"years": years, "series": {t["chart_cum_series"]: arr("cumulative_cash_idr")},
                                                   "title": t["chart_cum"], "ylabel": ylabel, "fmt": "bn"}),
            "pad": ("bars_by_year", lang, {"years": years,
                                           "series": {t["chart_pad_injection"]: (-inj).tolist(), t["chart_pad_dividends"]: div.tolist()},
                                           "line": {t["chart_pad_net"]: np.cumsum(div - inj).tolist()},
                                           "title": t["chart_pad"], "ylabel": ylabel, "fmt": "bn", "negative_label": t["chart_negative"]}),
        }
        if any(math.isfinite(x) for x in dscr):
            specs["dscr"] = ("lines_by_year", lang, {"years": years, "series": {t["chart_dscr_series"]: dscr}, "title": t["chart_dscr"],
                                                     "ylabel": t["ylabel_ratio"], "fmt": "ratio", "threshold": thr,
                                                     "threshold_label": t["chart_dscr_threshold"].format(t=self.fmt.number(thr, 2))})
        else:
            specs["dscr"] = ("lines_by_year", lang, {"years": years, "series": {t["chart_dscr_series"]: [0.0] * len(years)},
                                                     "title": f"{t['chart_dscr']}: {t['card_no_debt']}", "ylabel": t["ylabel_ratio"],
                                                     "fmt": "ratio"})
        # the slowest first: two workers then finish at about the same time
        return {k: specs[k] for k in ("cash", "pad", "dscr", "cumulative")}

    def _apply_charts(self, gen: int, svgs: Mapping[str, str]) -> None:
        for key, svg in svgs.items():
            self.charts[key].value = f'<div class="fs-svg" data-gen="{gen}" style="width:100%">{svg}</div>'

    def _update_diff(self) -> None:
        t = self.t
        try:
            df = self.differences()
        except CaseError as exc:
            self.diff.value = f"<div style='color:#B3261E;font-size:12px'>{html.escape(str(exc))}</div>"
            return
        title = f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['diff_title'].format(name=_case_name(self.base, self.base_path, self.lang)))}</div>"
        if df.empty:
            self.diff.value = title + f"<div style='font-size:12px;color:#555'>{html.escape(t['diff_none'])}</div>"
            return
        rows = [
            (r.path, t["missing"] if r.base_value is None else _plain_number(r.base_value),
             t["missing"] if r.this_value is None else _plain_number(r.this_value), r.unit)
            for r in df.itertuples()
        ]
        self.diff.value = title + _table_html([t["col_path"], t["col_base"], t["col_this"], t["col_unit"]], rows,
                                              numeric=[False, True, True, False])

    def _on_save(self) -> None:
        t = self.t
        n = len(self.overrides())
        try:
            written = self.save()
        except FileExistsError:
            target = _resolve(self.save_path.value)
            self.save_status.value = f"<div style='color:#B3261E'>{html.escape(t['save_exists'].format(path=target))}</div>"
            return
        except CaseError as exc:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
            self.save_status.value = f"<div style='color:#B3261E'>{html.escape(t['save_invalid'])}<ul>{items}</ul></div>"
            return
        except OSError as exc:
            self.save_status.value = f"<div style='color:#B3261E'>{html.escape(str(exc))}</div>"
            return
        self.save_status.value = f"<div style='color:#1B6E3A'>{html.escape(t['saved'].format(path=written, n=n))}</div>"
        self.load_path.options = self._case_files()

    def _on_load(self) -> None:
        t = self.t
        if not self.load_path.value.strip():
            return
        try:
            self.load(self.load_path.value.strip())
        except CaseError as exc:
            items = "".join(f"<li>{html.escape(str(p))}</li>" for p in exc.problems)
            self.load_status.value = f"<div style='color:#B3261E'>{html.escape(t['load_invalid'])}<ul>{items}</ul></div>"
            return
        self.load_status.value = f"<div style='color:#1B6E3A'>{html.escape(t['loaded'].format(path=self.case_path))}</div>"

    def _on_export(self) -> None:
        t = self.t
        self.export_button.disabled = True
        self.export_status.value = f"<div style='color:#555'>{html.escape(t['exporting'].format(n=self.export_iterations.value))}</div>"
        try:
            written = self.export()
        except FileExistsError as exc:
            self.export_status.value = f"<div style='color:#B3261E'>{html.escape(t['export_exists'].format(path=str(exc).split(' exists')[0]))}</div>"
            return
        except Exception as exc:  # noqa: BLE001 - shown to the consultant in the status line
            self.export_status.value = f"<div style='color:#B3261E'>{html.escape(t['export_failed'].format(msg=exc))}</div>"
            return
        finally:
            self.export_button.disabled = False
            self.overwrite.value = False
        self.export_status.value = f"<div style='color:#1B6E3A'>{html.escape(t['exported'].format(path=written))}</div>"
        self.last_report = written


# ---------------------------------------------------------------------------
# sensitivity and risk


#: metrics the risk panel offers
RISK_PANEL_METRICS: tuple[str, ...] = ("fnpv_idr", "firr", "dscr_min", "region_pv_dividends_idr", "equity_irr")


def simulate_in_chunks(
    case: Case,
    iterations: int | None = None,
    seed: int | None = None,
    *,
    chunk_size: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> Any:
    """:func:`feasibility.analysis.risk.simulate` in about 20 chunks, calling ``on_chunk(done, total)`` after each.

    The sample is drawn whole, so the chunk size does not change the numbers.
    """
    from ..analysis import risk

    n = case.risk.iterations if iterations is None else int(iterations)
    chunk = chunk_size or max(250, math.ceil(n / 20))
    return risk.simulate(case, n, seed, chunk_size=chunk, progress=on_chunk if on_chunk is not None else False)


class RiskPanel:
    """Sensitivity (tornado, spider, switching values, two-way heat maps) and a Monte Carlo behind a button.

    Parameters
    ----------
    case : Case, path or None
        The case analysed (default: the Kota Serang case), unless ``studio``.
    lang : {"en", "id"}
    studio : Studio, optional
        Analyse the studio's current assumptions (taken again at each run).
    compute : bool
        Compute the sensitivity now (a second or less); the Monte Carlo waits for its button.

    Attributes
    ----------
    tornado, spider, switching, heatmap, mc_chart, mc_summary : HTML
    progress : IntProgress
        Moves after each chunk of the Monte Carlo.
    simulation : feasibility.analysis.risk.Simulation or None
        The last Monte Carlo.
    tornadoes : dict of str to feasibility.analysis.sensitivity.Tornado
        The last one-way analysis.
    """

    def __init__(self, case: Case | str | Path | None = None, lang: str = "en", *, studio: Studio | None = None, compute: bool = True):
        import ipywidgets as W

        self._W = W
        self.lang = lang
        self.t = _text(lang)
        self.fmt = Formatter(lang)
        self.studio = studio
        if studio is None:
            self.case, self.case_path = _as_case(case)
        else:
            self.case, self.case_path = studio.current_case(), studio.case_path
        self.simulation: Any = None
        self.tornadoes: dict[str, Any] = {}
        self._build()
        if compute:
            self.run_sensitivity()

    def _metric_label(self, key: str) -> str:
        return registry.label(key, self.lang)

    def _build(self) -> None:
        W, t = self._W, self.t
        self.metric = W.Dropdown(options=[(self._metric_label(m), m) for m in RISK_PANEL_METRICS], value="fnpv_idr",
                                 description=t["metric"], layout=W.Layout(width="420px"))
        self.sens_button = W.Button(description=t["run_sensitivity"], icon="refresh", button_style="primary")
        self.sens_button.on_click(lambda _b: self.run_sensitivity())
        self.metric.observe(lambda _c: self.run_sensitivity(), names="value")
        self.load_path = W.Combobox(value="", options=self._case_files(), placeholder="data/kota_serang.toml", description=t["load_path"],
                                    ensure_option=False, layout=W.Layout(width="420px"))
        self.load_button = W.Button(description=t["load_button"], icon="folder-open")
        self.load_button.on_click(lambda _b: self._on_load())
        self.sens_status = W.HTML()
        self.tornado = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.spider = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.switching = W.HTML()
        pairs = [(f"{input_name(tw.rows)} \u00d7 {input_name(tw.cols)}", i) for i, tw in enumerate(self.case.sensitivity.two_way)]
        self.two_way_choice = W.Dropdown(options=pairs or [("\u2013", -1)], description=t["two_way_table"], layout=W.Layout(width="520px"))
        self.two_way_choice.observe(lambda _c: self._draw_two_way(), names="value")
        self.heatmap = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        for w, k in ((self.tornado, "tornado"), (self.spider, "spider"), (self.switching, "switching"), (self.heatmap, "heatmap")):
            w.add_class(f"fs-risk-{k}")
        # Monte Carlo
        self.iterations = W.BoundedIntText(value=int(self.case.risk.iterations), min=ITERATIONS_MIN, max=ITERATIONS_MAX, step=1000, description=t["iterations"],
                                           layout=W.Layout(width="240px"))
        self.seed = W.BoundedIntText(value=int(self.case.risk.seed), min=0, max=2**53, description=t["seed"], layout=W.Layout(width="240px"))
        self.mc_button = W.Button(description=t["run_mc"], icon="play", button_style="warning")
        self.mc_button.on_click(lambda _b: self._on_monte_carlo())
        self.progress = W.IntProgress(value=0, min=0, max=1, layout=W.Layout(width="420px"))
        self.progress.add_class("fs-progress")
        self.mc_status = W.HTML()
        self.mc_summary = W.HTML()
        self.mc_chart = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.mc_ranks = W.HTML()
        for w, k in ((self.mc_summary, "mc-summary"), (self.mc_chart, "mc-chart"), (self.mc_status, "mc-status")):
            w.add_class(f"fs-risk-{k}")
        tabs = W.Tab(
            [
                self.tornado,
                self.spider,
                self.switching,
                W.VBox([self.two_way_choice, self.heatmap]),
                W.VBox([W.HBox([self.iterations, self.seed, self.mc_button], layout=W.Layout(flex_flow="row wrap")), self.progress,
                        self.mc_status, self.mc_summary, self.mc_chart, self.mc_ranks]),
            ]
        )
        for i, k in enumerate(("tab_tornado", "tab_spider", "tab_switching", "tab_two_way", "tab_monte_carlo")):
            tabs.set_title(i, t[k])
        self.tabs = tabs
        header = [W.HTML(_STYLE + f"<h2 style='margin:4px 0'>{html.escape(t['risk_title'])}</h2>")]
        if self.studio is None:
            header.append(W.HBox([self.load_path, self.load_button], layout=W.Layout(flex_flow="row wrap")))
        self.ui = W.VBox(header + [W.HBox([self.metric, self.sens_button], layout=W.Layout(flex_flow="row wrap")),
                                   self.sens_status, tabs], layout=W.Layout(width="100%"))
        self.ui.add_class("fs-risk")

    def _case_files(self) -> list[str]:
        out = []
        for f in sorted(DEFAULT_CASE.parent.glob("*.toml")):
            try:
                out.append(f.relative_to(ROOT).as_posix())
            except ValueError:
                out.append(f.as_posix())
        return out

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def current_case(self) -> Case:
        if self.studio is not None:
            self.case = self.studio.current_case()
        return self.case

    def load(self, path: str | Path) -> Case:
        self.case, self.case_path = _as_case(path)
        pairs = [(f"{input_name(tw.rows)} \u00d7 {input_name(tw.cols)}", i) for i, tw in enumerate(self.case.sensitivity.two_way)]
        self.two_way_choice.options = pairs or [("\u2013", -1)]
        self.iterations.value = int(self.case.risk.iterations)
        self.seed.value = int(self.case.risk.seed)
        self.run_sensitivity()
        return self.case

    def _on_load(self) -> None:
        if not self.load_path.value.strip():
            return
        try:
            self.load(self.load_path.value.strip())
        except CaseError as exc:
            self.sens_status.value = f"<div style='color:#B3261E'>{html.escape(str(exc))}</div>"

    # -- sensitivity ----------------------------------------------------------

    def _value_fmt(self, metric: str) -> Callable[[float], str]:
        unit = METRIC_UNITS.get(metric, "")
        if unit == "IDR":
            return lambda x: self.fmt.number(x / 1e9, 0 if abs(x) >= 1e10 else 1)
        return lambda x: self.fmt.value(x, unit)

    def run_sensitivity(self) -> dict[str, Any]:
        """One-way analysis of the chosen metric (tornado, spider, switching values) and the two-way table."""
        from ..analysis import sensitivity as sens

        t0 = time.perf_counter()
        case = self.current_case()
        metric = self.metric.value
        self.tornadoes = sens.one_way(case, metrics=[metric])
        tor = self.tornadoes[metric]
        tab = tor.table
        unit = METRIC_UNITS.get(metric, "")
        axis = self._axis_label(metric)
        names = [input_name(p) for p in tab.index]
        base = tor.base if math.isfinite(tor.base) else 0.0
        title = self._metric_label(metric)
        specs = {
            "tornado": ("tornado", self.lang, {"names": names, "low_values": tab["metric_low"].tolist(), "high_values": tab["metric_high"].tolist(),
                                               "base": base, "title": self.t["tornado_title"].format(metric=title), "xlabel": axis,
                                               "fmt": "bn" if unit == "IDR" else ("pct" if unit == "fraction" else "ratio")}),
        }
        sp = sens.spider(case, metric=metric)
        specs["spider"] = ("spider", self.lang, {"pct_changes": sp.index.to_list(),
                                                 "curves": {input_name(c): sp[c].tolist() for c in sp.columns[:8]},
                                                 "title": self.t["spider_title"].format(metric=title), "xlabel": self.t["spider_x"],
                                                 "ylabel": axis, "fmt": "bn" if unit == "IDR" else ("pct" if unit == "fraction" else "ratio")})
        svgs = {k: _draw(s) for k, s in specs.items()}
        self.tornado.value = svgs["tornado"]
        self.spider.value = svgs["spider"]
        self.switching.value = self._switching_table(tor, metric)
        self._draw_two_way()
        self.sens_status.value = (
            f"<div style='font-size:12px;color:#555'>{html.escape(self.t['sens_done'].format(k=len(tab), metric=title, s=round(time.perf_counter() - t0, 1)))}</div>"
        )
        return self.tornadoes

    def _axis_label(self, metric: str) -> str:
        unit = METRIC_UNITS.get(metric, "")
        if unit == "IDR":
            return self.t["ylabel_real"].format(year=self.case.timeline.price_base_year) if self.case.timeline.price_basis == "real" else self.t["ylabel_nominal"]
        return self._metric_label(metric)

    def _switching_table(self, tor: Any, metric: str) -> str:
        t, f = self.t, self.fmt
        vf = self._value_fmt(metric)
        qmap = self.case.quantity_map()
        rows = []
        for path, r in tor.table.iterrows():
            unit = r["unit"]
            sv = r.get("switching_value", np.nan)
            sc = r.get("switching_change", np.nan)
            rows.append(
                (
                    input_name(path),
                    unit,
                    _show(f, r["base_value"], unit),
                    _show(f, r["low_value"], unit),
                    _show(f, r["high_value"], unit),
                    vf(r["metric_low"]),
                    vf(r["metric_high"]),
                    f.number(r["elasticity"], 2),
                    t["yes"] if r["critical"] else t["no"],
                    _show(f, sv, unit) if isinstance(sv, float) and math.isfinite(sv) else t["none_in_range"],
                    f.percent(sc, 1) if isinstance(sc, float) and math.isfinite(sc) else "",
                    qmap[path].confidence if path in qmap else "",
                )
            )
        header = [t["input"], t["unit"], t["base"], t["low"], t["high"], t["at_low"], t["at_high"], t["si"], t["critical"],
                  t["switching_value"], t["switching_change"], "confidence"]
        return _table_html(header, rows, numeric=[False, False] + [True] * 8 + [False, False])

    def _draw_two_way(self) -> None:
        from ..analysis import sensitivity as sens

        i = self.two_way_choice.value
        if i is None or i < 0 or i >= len(self.case.sensitivity.two_way):
            self.heatmap.value = ""
            return
        tw = self.case.sensitivity.two_way[i]
        df = sens.two_way(self.current_case(), tw.rows, tw.cols, metric=tw.metric, row_changes=tw.row_changes, col_changes=tw.col_changes)
        qmap = self.case.quantity_map()
        ru, cu = qmap[tw.rows].unit, qmap[tw.cols].unit
        unit = METRIC_UNITS.get(tw.metric, "")
        spec = ("heatmap", self.lang, {
            "row_values": [_show(self.fmt, v, ru) for v in df.index],
            "col_values": [_show(self.fmt, v, cu) for v in df.columns],
            "table": df.to_numpy().tolist(),
            "row_label": input_name(tw.rows), "col_label": input_name(tw.cols),
            "title": self.t["heat_title"].format(metric=self._metric_label(tw.metric)),
            "fmt": "bn" if unit == "IDR" else ("pct" if unit == "fraction" else "ratio"),
            "value_label": self._axis_label(tw.metric),
        })
        self.heatmap.value = _draw(spec)

    # -- Monte Carlo ----------------------------------------------------------

    def run_monte_carlo(self, iterations: int | None = None, seed: int | None = None) -> Any:
        """Run the Monte Carlo, moving the progress bar after each chunk, and show its results."""
        t, f = self.t, self.fmt
        n = int(iterations if iterations is not None else self.iterations.value)
        s = int(seed if seed is not None else self.seed.value)
        case = self.current_case()
        self.progress.max = n
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.mc_status.value = f"<div style='font-size:12px'>{html.escape(t['mc_running'].format(n=f.number(n)))}</div>"
        t0 = time.perf_counter()

        def tick(done: int, total: int) -> None:
            self.progress.value = done

        sim = simulate_in_chunks(case, n, s, on_chunk=tick)
        self.simulation = sim
        self.progress.value = n
        self.progress.bar_style = "success"
        self.mc_status.value = (
            f"<div style='font-size:12px'>{html.escape(t['mc_done'].format(n=f.number(n), s=round(time.perf_counter() - t0, 1), seed=s))}</div>"
        )
        summ = sim.summary()
        rows = []
        for m in ("fnpv_idr", "firr", "dscr_min", "region_pv_dividends_idr"):
            if m not in summ.index:
                continue
            r = summ.loc[m]
            unit = METRIC_UNITS.get(m, "")
            rows.append((self._metric_label(m), f.value(r["mean"], unit), f.value(r["p10"], unit), f.value(r["p50"], unit),
                         f.value(r["p90"], unit), f.number(r["undefined"])))
        p_npv = t["prob_npv"].format(p=f.percent(sim.prob_npv_negative))
        thr = sim.dscr_threshold
        p_dscr = t["prob_dscr"].format(t=f.number(thr, 2), p=f.percent(sim.prob_dscr_below))
        self.mc_summary.value = (
            f"<div style='font-size:13px;font-weight:600;margin:6px 0'>{html.escape(p_npv)} \u00b7 {html.escape(p_dscr)}</div>"
            + _table_html(["", t["mean"], "P10", "P50", "P90", t["undefined"]], rows, numeric=[False] + [True] * 5)
        )
        v = sim.metrics["fnpv_idr"]
        ok = v[np.isfinite(v)]
        pc = dict(zip(("P10", "P50", "P90"), np.percentile(ok, [10, 50, 90]).tolist())) if ok.size else None
        self.mc_chart.value = _draw(("histogram", self.lang, {
            "values": v.tolist(), "title": t["hist_title"], "xlabel": self._axis_label("fnpv_idr"), "fmt": "bn", "threshold": 0.0,
            "threshold_label": t["hist_threshold"], "share_label": p_npv, "percentiles": pc,
        }))
        ranks = sim.rank_correlations()
        self.mc_ranks.value = (
            f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['rank_title'])}</div>"
            + _table_html([t["input"], "rho"], [(input_name(p), f.number(r, 2)) for p, r in ranks.head(10).items()], numeric=[False, True])
        )
        return sim

    def _on_monte_carlo(self) -> None:
        self.mc_button.disabled = True
        try:
            self.run_monte_carlo()
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self.progress.bar_style = "danger"
            self.mc_status.value = f"<div style='color:#B3261E'>{html.escape(str(exc))}</div>"
        finally:
            self.mc_button.disabled = False


# ---------------------------------------------------------------------------
# demand

_DEMAND_TEXT = {
    "en": {
        "title": "Demand: back-test, pick a method, see the build-up",
        "history": "History",
        "column": "Series",
        "origins": "Back-test origins",
        "horizon": "Years ahead",
        "method": "Method",
        "best": "best in the back-test (lowest MASE)",
        "backtest": "Rolling-origin back-test: one-year-ahead errors at the last {k} origins",
        "forecast": "{name}: {method} forecast",
        "buildup": "Build-up of the case's demand (before ramp-up and growth)",
        "annual": "Cargo by year: demand, capacity, throughput",
        "step": "step",
        "value": "value",
        "failed": "Not fitted: {msg}",
    },
    "id": {
        "title": "Permintaan: uji balik, pilih metode, lihat penyusunan",
        "history": "Riwayat",
        "column": "Deret",
        "origins": "Titik uji balik",
        "horizon": "Tahun ke depan",
        "method": "Metode",
        "best": "terbaik pada uji balik (MASE terendah)",
        "backtest": "Uji balik bergulir: galat satu tahun ke depan pada {k} titik terakhir",
        "forecast": "{name}: prakiraan {method}",
        "buildup": "Penyusunan permintaan kasus (sebelum ramp-up dan pertumbuhan)",
        "annual": "Kargo per tahun: permintaan, kapasitas, throughput",
        "step": "langkah",
        "value": "nilai",
        "failed": "Tidak dapat dicocokkan: {msg}",
    },
}


def best_method(table: pd.DataFrame) -> str:
    """The method a back-test picks: among those scored at every origin, the lowest MASE, then MAPE."""
    ok = table[(table["n"] > 0) & (table["n"] == table["n"].max())]
    if ok.empty:
        return str(table.index[0])
    return str(ok.sort_values(["MASE", "MAPE"], na_position="last", kind="stable").index[0])


class DemandPanel:
    """Histories back-tested, a method picked (the best by default), its forecast fan, and the case's build-up.

    Parameters
    ----------
    case : Case, path or None
        The case whose bottom-up demand is shown (default: Kota Serang).
    lang : {"en", "id"}
    history : path, optional
        The history file shown first (default: the first of ``data/history``).

    Attributes
    ----------
    backtest : DataFrame
        The last back-test (:func:`feasibility.domain.demand.backtest`).
    fitted : object
        The model of the chosen method, fitted to the whole history.
    """

    def __init__(self, case: Case | str | Path | None = None, lang: str = "en", *, history: str | Path | None = None):
        import ipywidgets as W

        self._W = W
        self.lang = lang
        _text(lang)  # checks the language
        self.t = _DEMAND_TEXT[lang]
        self.fmt = Formatter(lang)
        self.case, self.case_path = _as_case(case)
        folder = DEFAULT_CASE.parent / "history"
        files = sorted(folder.glob("*.csv"))
        options = [(f.name, str(f)) for f in files]
        first = str(_resolve(history)) if history is not None else (options[0][1] if options else "")
        if history is not None and first not in [v for _, v in options]:
            options.append((Path(first).name, first))
        t = self.t
        self.history = W.Dropdown(options=options, value=first, description=t["history"], layout=W.Layout(width="420px"))
        self.column = W.Dropdown(description=t["column"], layout=W.Layout(width="420px"))
        self.origins = W.BoundedIntText(value=3, min=1, max=10, description=t["origins"], style={"description_width": "130px"},
                                        layout=W.Layout(width="220px"))
        self.horizon = W.BoundedIntText(value=10, min=1, max=40, description=t["horizon"], style={"description_width": "130px"},
                                        layout=W.Layout(width="220px"))
        self.method = W.Dropdown(description=t["method"], layout=W.Layout(width="420px"))
        self.backtest_table = W.HTML()
        self.chart = W.HTML(layout=W.Layout(width="100%", max_width="900px"))
        self.status = W.HTML()
        self.buildup = W.HTML()
        self.backtest: pd.DataFrame | None = None
        self.fitted: Any = None
        self._busy = False
        self.history.observe(lambda _c: self._load_history(), names="value")
        self.column.observe(lambda _c: self._run_backtest(), names="value")
        self.origins.observe(lambda _c: self._run_backtest(), names="value")
        self.method.observe(lambda _c: self._draw_forecast(), names="value")
        self.horizon.observe(lambda _c: self._draw_forecast(), names="value")
        self.ui = W.VBox(
            [
                W.HTML(_STYLE + f"<h2 style='margin:4px 0'>{html.escape(t['title'])}</h2>"),
                W.HBox([self.history, self.column], layout=W.Layout(flex_flow="row wrap")),
                W.HBox([self.origins, self.horizon], layout=W.Layout(flex_flow="row wrap")),
                self.backtest_table,
                self.method,
                self.status,
                self.chart,
                self.buildup,
            ],
            layout=W.Layout(width="100%"),
        )
        self._show_buildup()
        self._load_history()
        if history is None and self.backtest is None:  # show a history that can be fitted
            for _, f in options[1:]:
                self.history.value = f
                if self.backtest is not None:
                    break

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """The years and values of the chosen history column (rows without a value left out)."""
        df = pd.read_csv(self.history.value)
        col = self.column.value
        ok = df[["year", col]].dropna()
        return ok["year"].to_numpy(dtype=int), ok[col].to_numpy(dtype=float)

    def _load_history(self) -> None:
        if not self.history.value:
            return
        df = pd.read_csv(self.history.value)
        cols = [c for c in df.columns if c != "year" and pd.api.types.is_numeric_dtype(df[c])]
        self._busy = True
        try:
            self.column.options = cols
            self.column.value = cols[0] if cols else None
        finally:
            self._busy = False
        self._run_backtest()

    def _run_backtest(self) -> None:
        from ..domain import demand

        if self._busy or not self.column.value:
            return
        t, f = self.t, self.fmt
        years, values = self.series()
        name = Path(self.history.value).stem
        try:
            table = demand.backtest(years, values, k=int(self.origins.value), name=name)
        except (demand.SeriesError, ValueError) as exc:
            self.backtest, self.fitted = None, None
            self.backtest_table.value = f"<div style='color:#B3261E'>{html.escape(t['failed'].format(msg=exc))}</div>"
            self._busy = True
            try:
                self.method.options = []
            finally:
                self._busy = False
            self.chart.value = ""
            return
        self.backtest = table
        best = best_method(table)
        rows = [
            (m + (" \u2605" if m == best else ""), f.percent(r.MAPE, 1), f.number(r.RMSE, 1), f.number(r.MASE, 2), r.n, r.note)
            for m, r in zip(table.index, table.itertuples())
        ]
        self.backtest_table.value = (
            f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['backtest'].format(k=self.origins.value))}</div>"
            + _table_html(["method", "MAPE", "RMSE", "MASE", "n", "note"], rows, numeric=[False, True, True, True, True, False])
        )
        self._busy = True
        try:
            self.method.options = [(f"{m} \u2014 {t['best']}" if m == best else m, m) for m in table.index]
            self.method.value = best
        finally:
            self._busy = False
        self._draw_forecast()

    def _draw_forecast(self) -> None:
        from ..domain import demand

        if self._busy or self.method.value is None:
            return
        t = self.t
        years, values = self.series()
        name = Path(self.history.value).stem
        try:
            self.fitted = demand.METHODS[self.method.value](years, values, name=name)
            fc = self.fitted.forecast(int(self.horizon.value))
        except (demand.SeriesError, ValueError) as exc:
            self.fitted = None
            self.status.value = f"<div style='color:#B3261E'>{html.escape(t['failed'].format(msg=exc))}</div>"
            self.chart.value = ""
            return
        self.status.value = ""
        self.chart.value = _draw(("fan", self.lang, {
            "years": np.asarray(fc.years, dtype=int).tolist(), "median": np.asarray(fc.point, dtype=float).tolist(),
            "bands": [(np.asarray(fc.lower95, dtype=float).tolist(), np.asarray(fc.upper95, dtype=float).tolist(), "95%"),
                      (np.asarray(fc.lower80, dtype=float).tolist(), np.asarray(fc.upper80, dtype=float).tolist(), "80%")],
            "history_years": years.tolist(), "history": values.tolist(),
            "title": t["forecast"].format(name=name, method=self.method.value), "ylabel": self.column.value,
        }))

    def _show_buildup(self) -> None:
        from ..domain.buildup import hinterland_cargo_tonnes

        t, f, case = self.t, self.fmt, self.case
        parts = []
        for line in case.lines().values():
            for name, st in line.revenue.items():
                b = getattr(st, "build_up", None)
                if b is None:
                    continue
                label = in_lang(st.label, self.lang) or name
                if st.kind == "cargo_handling":
                    n, q = b.companies.value, b.tonnes_per_company.value
                    own, comp, cap = b.own_terminal_share.value, b.competitor_share.value, b.capture_share.value
                    total = n * q
                    public = total * (1 - own)
                    contestable = public * (1 - comp)
                    won = float(hinterland_cargo_tonnes(n, q, cap, own_terminal_share=own, competitor_share=comp))
                    rows = [
                        ("companies", f.number(n), b.companies.confidence),
                        ("\u00d7 tonnes per company", f.number(q), b.tonnes_per_company.confidence),
                        ("= sea cargo of the hinterland (t)", f.number(total), ""),
                        (f"\u00d7 (1 \u2212 own terminals {f.percent(own)})", f.number(public), b.own_terminal_share.confidence),
                        (f"\u00d7 (1 \u2212 competing ports {f.percent(comp)})", f.number(contestable), b.competitor_share.confidence),
                        (f"\u00d7 capture share {f.percent(cap)}", f.number(won), b.capture_share.confidence),
                    ]
                    if b.top_down is not None:
                        td = b.top_down.regional_tonnes.value * b.top_down.market_share.value
                        rows.append((f"top-down: {f.number(b.top_down.regional_tonnes.value)} t \u00d7 {f.percent(b.top_down.market_share.value)}",
                                     f"{f.number(td)} (build-up / top-down = {f.number(won / td if td else float('nan'), 2)})",
                                     b.top_down.market_share.confidence))
                else:  # lab tests
                    n, s, cap = b.companies.value, b.samples_per_company.value, b.capture_share.value
                    rows = [
                        ("companies", f.number(n), b.companies.confidence),
                        ("\u00d7 samples per company", f.number(s), b.samples_per_company.confidence),
                        (f"\u00d7 capture share {f.percent(cap)}", f.number(n * s * cap), b.capture_share.confidence),
                    ]
                parts.append(f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(in_lang(line.name, self.lang))} \u203a {html.escape(label)}</div>"
                             + _table_html([t["step"], t["value"], "confidence"], rows, numeric=[False, True, False]))
        res = run(case)
        cols = [c for c in ("cargo_demand_tonnes", "cargo_capacity_tonnes", "cargo_throughput_tonnes", "cargo_unmet_tonnes", "berth_occupancy")
                if c in res.lines]
        if cols:
            fo = case.timeline.first_operating_year
            rows = []
            for y, rec in zip(res.years, res.annual[cols].to_dict("records")):
                if y < fo or y > fo + 9:
                    continue
                rows.append([int(y)] + [f.percent(rec[c]) if c == "berth_occupancy" else f.number(rec[c]) for c in cols])
            parts.append(f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t['annual'])}</div>"
                         + _table_html(["year"] + cols, rows, numeric=[True] * (len(cols) + 1)))
        self.buildup.value = f"<h3 style='margin:10px 0 2px'>{html.escape(t['buildup'])}</h3>" + "".join(parts)
