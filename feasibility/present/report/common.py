"""What every section of the report shares: formatting of values and labels, anchors, the case's notes.

Every word comes from the message catalogs through a
:class:`~feasibility.present.i18n.Formatter` (``fmt.msg``); the metric labels,
units and hurdles come from :mod:`feasibility.metrics.registry`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...case import Quantity, in_lang
from ...metrics import registry
from ...metrics.registry import METRIC_UNITS
from ..i18n import Formatter
from ..labels import unit_label

if TYPE_CHECKING:
    from ...study import Study

__all__ = [
    "ConfidenceCounts",
    "NoteView",
    "anchor",
    "axis_fmt",
    "billions",
    "chart_alt",
    "chart_words",
    "confidence_counts",
    "input_value",
    "line_labels",
    "metric_label",
    "metric_value",
    "notes",
    "notes_for",
    "pass_text",
    "plain",
    "unit_suffix",
    "verdict_text",
]

#: the sections a case's note can belong to (:class:`feasibility.case.schema.Note`), in the report's order
NOTE_SECTIONS = ("need", "legal", "market", "technical", "management", "environment", "financial", "economic", "budget", "risk")


# --------------------------------------------------------------------------- anchors and paths


def anchor(path: str) -> str:
    """The HTML ``id`` of a quantity's row in the assumption register (links point at it).

    Parameters
    ----------
    path : str
        A dotted quantity path, e.g. ``port.capex.berth.amount_idr``.

    Returns
    -------
    str
        ``a-`` and the path with every character but letters, digits, ``-``
        and ``_`` replaced by ``-`` (a valid, stable fragment identifier).
    """
    return "a-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in path)


# --------------------------------------------------------------------------- numbers


def plain(fmt: Formatter, x: float | None) -> str:
    """An input's value with as many digits as it needs (integers none, small rates up to six)."""
    if x is None or not math.isfinite(x):
        return fmt.msg["ui"]["na"]
    digits = 0 if float(x).is_integer() else min(6, max(1, -int(math.floor(math.log10(abs(x)))) + 2)) if x else 0
    return fmt.number(x, digits)


def billions(fmt: Formatter) -> Callable[[float], str]:
    """Tick and cell labels of rupiah charts, whose axes say "billion" once."""
    return lambda v: fmt.number(v / 1e9, 0)


def axis_fmt(fmt: Formatter, q: Quantity) -> Callable[[float], str]:
    """Tick labels of an input's values: billions for rupiah amounts, else plain numbers."""
    if q.unit == "IDR":
        return lambda v: fmt.number(v / 1e9, 0)
    return lambda v: fmt.number(v, 2 if abs(v) < 10 else 0)


def unit_suffix(q: Quantity, t: dict[str, str], lang: str) -> str:
    """The unit after an axis label of an input: `` (billion rupiah)`` for rupiah (its ticks are billions), else the unit's words."""
    if q.unit == "IDR":
        return f" ({t['billion_axis']})"
    return f" ({unit_label(q.unit, lang)})"


# --------------------------------------------------------------------------- metrics and verdicts


def metric_label(fmt: Formatter, key: str, real: bool) -> str:
    """A metric's label (:mod:`feasibility.metrics.registry`); rates say "real" when the results are real."""
    rate = key in registry.METRICS and registry.METRICS[key].rate
    return registry.label(key, fmt.lang) + (fmt.msg["ui"]["real_suffix"] if real and rate else "")


def metric_value(fmt: Formatter, metrics: dict[str, float], key: str) -> str:
    """A metric of a run formatted by its unit ("n/a" when the run lacks it).

    A payback year that never comes says so, rather than "n/a".
    """
    value, unit = metrics.get(key, math.nan), METRIC_UNITS.get(key, "")
    if unit == "year" and key in metrics and not math.isfinite(value) and registry.METRICS[key].undefined_fails:
        return fmt.msg["ui"]["never"]
    return fmt.value(value, unit)


def input_value(study: Study, fmt: Formatter, path: str, value: float) -> str:
    """An input's value with its unit: rupiah in words, fractions as percentages, else the number and the unit."""
    return value_text(fmt, study.case.quantity_map()[path].unit, value)


def value_text(fmt: Formatter, unit_key: str, value: float) -> str:
    """A value of an input's unit (the schema's unit string): rupiah in words, fractions as percentages with two
    significant digits at least (a seabed slope of 0.12% to 0.2% is not "0.1% to 0.2%"), else the number and the unit."""
    if unit_key == "IDR":
        return fmt.money(value)
    if unit_key.startswith("fraction"):
        digits = 1 if value == 0 or not math.isfinite(value) else min(4, max(1, 1 - math.floor(math.log10(abs(value) * 100))))
        return fmt.percent(value, digits)
    unit = unit_label(unit_key, fmt.lang)
    currency = unit_label("IDR", fmt.lang)
    if unit_key.startswith("IDR per") and unit.startswith(currency):  # "Rp232.165 per ton", not "232.164,9 Rp per ton"
        return f"{fmt.money_exact(value)}{unit[len(currency):]}"
    return f"{plain(fmt, value)} {unit}".rstrip()


def phases(fmt: Formatter, n: float) -> str:
    """The word for expansion phases, singular or plural by ``n``."""
    return fmt.msg["report"]["phase_one" if n == 1 else "phase_many"]


def price_words(study: Study, fmt: Formatter) -> str:
    """" in constant 2026 prices" when the results are real, "" when they are nominal (messages catalog)."""
    if study.result.price_basis != "real":
        return ""
    return fmt.msg["messages"]["in_constant_prices"].format(year=study.case.timeline.price_base_year)


def current_words(study: Study, fmt: Formatter, amount: float) -> str:
    """"; in current prices, as the APBD pays it, Rp X in all" for real results ("" for nominal ones, already current)."""
    if study.result.price_basis != "real":
        return ""
    return fmt.msg["messages"]["in_current_prices"].format(amount=fmt.money(amount))


def pass_text(passed: bool | None, msg: dict[str, Any]) -> str:
    """A criterion's outcome in words: pass, fail, or not applicable (None)."""
    t = msg["report"]
    return t["na"] if passed is None else t["pass"] if passed else t["fail"]


def verdict_text(study: Study, msg: dict[str, Any]) -> str:
    """The verdict sentence, with how many criteria fail and how many do not apply."""
    t = msg["report"]
    n_fail = sum(1 for c in study.criteria if c.passed is False)
    n_na = sum(1 for c in study.criteria if c.passed is None)
    return t[f"verdict_{study.verdict}"].format(n=n_fail, m=len(study.criteria), k=n_na)


def line_labels(msg: dict[str, Any]) -> dict[str, str]:
    """The labels of the annual lines (columns of the model's annual table), by column."""
    return {**msg["line"], **msg["more_lines"]}


def chart_words(fmt: Formatter) -> dict[str, str]:
    """The words charts draw besides titles and axes (legends, "n/a"), in the report's language.

    :mod:`feasibility.present.charts` has English defaults; without these an
    Indonesian report would show English legends.
    """
    return {**fmt.msg["chart"], "na": fmt.msg["ui"]["na"]}


def chart_alt(fmt: Formatter, title: str) -> str | None:
    """The caption of a chart: None lets the chart describe itself.

    The charts describe themselves in English; in Indonesian the caption is
    the chart's title, so that no English sentence appears under a chart.
    """
    return None if fmt.lang == "en" else title


# --------------------------------------------------------------------------- the case's notes and confidence


@dataclass(frozen=True)
class NoteView:
    """A note of the case (``[notes.KEY]``) as a section or the risk register shows it."""

    key: str
    title: str
    text: str
    source: str
    confidence: str
    confidence_label: str
    severity: str
    severity_label: str
    section: str


#: severities from the most to the least serious (the risk register's order)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def notes(study: Study, fmt: Formatter) -> list[NoteView]:
    """Every note of the case, in the case file's order, in the report's language."""
    msg = fmt.msg
    return [
        NoteView(
            key=k,
            title=in_lang(n.title, fmt.lang),
            text=in_lang(n.text, fmt.lang),
            source=in_lang(n.source, fmt.lang),
            confidence=n.confidence,
            confidence_label=msg["confidence"].get(n.confidence, n.confidence),
            severity=n.severity,
            severity_label=msg["severity"][n.severity],
            section=n.section,
        )
        for k, n in study.case.notes.items()
    ]


def notes_for(study: Study, fmt: Formatter, section: str) -> list[NoteView]:
    """The notes shown at the end of one section (``need``, ``legal``, ...)."""
    return [n for n in notes(study, fmt) if n.section == section]


@dataclass(frozen=True)
class ConfidenceCounts:
    """How many of the case's numbers are placeholders and analyst estimates, of how many."""

    placeholder: int
    estimate: int
    total: int


def confidence_counts(study: Study) -> ConfidenceCounts:
    """Count the assumption register's numbers by confidence (the summary and the conditions cite them)."""
    rows = study.case.assumptions()
    return ConfidenceCounts(
        placeholder=sum(1 for a in rows if a["confidence"] == "placeholder"),
        estimate=sum(1 for a in rows if a["confidence"] == "estimate"),
        total=len(rows),
    )
