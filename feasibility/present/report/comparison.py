"""The comparison of several studies: the first in full, every study's verdict, criteria and metrics side by side."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...case import in_lang
from ...metrics.registry import METRIC_UNITS
from ..i18n import Formatter
from .common import metric_label, pass_text, verdict_text
from .financial import FINANCIAL_METRICS
from .io import sha256

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["COMPARED_METRICS", "Compared", "Comparison", "ComparisonRow", "comparison"]

#: the metrics compared: the financial table's first twelve, then the economic and the region's
COMPARED_METRICS = FINANCIAL_METRICS[:12] + ["enpv_idr", "eirr", "region_npv_idr", "region_pv_dividends_idr"]


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    cells: list[str]


@dataclass(frozen=True)
class Compared:
    """A study compared with the first, named with its case file's SHA-256."""

    name: str
    sha256: str


@dataclass(frozen=True)
class Comparison:
    names: list[str]
    rows: list[ComparisonRow]
    criteria: list[ComparisonRow]
    verdicts: list[str]
    extra: list[Compared]


def _name(study: Study, lang: str) -> str:
    return f"{in_lang(study.case.case.name, lang)} ({study.source_name})"


def comparison(studies: list[Study], fmt: Formatter) -> Comparison:
    """The comparison table of a comparison report.

    Parameters
    ----------
    studies : list of Study
        The first is the one the report shows in full; its metrics and
        criteria make the rows (another study's missing ones are "n/a").
    fmt : Formatter

    Returns
    -------
    Comparison
    """
    msg = fmt.msg
    first = studies[0]
    real = first.result.price_basis == "real"
    rows = [
        ComparisonRow(
            label=metric_label(fmt, k, real),
            cells=[fmt.value(s.result.metrics.get(k, math.nan), METRIC_UNITS.get(k, "")) for s in studies],
        )
        for k in COMPARED_METRICS
        if k in first.result.metrics
    ]
    crit_rows = []
    for c in first.criteria:
        cells = []
        for s in studies:
            cc = next((x for x in s.criteria if x.key == c.key), None)
            cells.append(pass_text(cc.passed if cc else None, msg))
        crit_rows.append(ComparisonRow(label=msg["criterion"][c.key], cells=cells))
    return Comparison(
        names=[_name(s, fmt.lang) for s in studies],
        rows=rows,
        criteria=crit_rows,
        verdicts=[verdict_text(s, msg) for s in studies],
        extra=[Compared(name=_name(s, fmt.lang), sha256=sha256(s.case_text)) for s in studies[1:]],
    )
