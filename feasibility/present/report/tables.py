"""The report's tables of annual lines and of metrics, shared by the financial, budget and appendix sections."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...metrics import registry
from ..i18n import Formatter
from .common import line_labels, metric_label, metric_value

if TYPE_CHECKING:
    from ...study import Study

__all__ = ["AnnualCell", "AnnualRow", "AnnualTable", "MetricRow", "annual_table", "metric_rows"]


@dataclass(frozen=True)
class AnnualCell:
    """One figure of an annual table; ``neg`` marks a negative cumulative cash balance (shown red)."""

    text: str
    neg: bool


@dataclass(frozen=True)
class AnnualRow:
    year: int
    cells: list[AnnualCell]


@dataclass(frozen=True)
class AnnualTable:
    """Years down, lines across (the template's ``plain_table``)."""

    columns: list[str]
    rows: list[AnnualRow]


def annual_table(study: Study, fmt: Formatter, columns: list[str], years: list[int]) -> AnnualTable:
    """Annual lines of the model in billions of rupiah (DSCR as a ratio).

    Parameters
    ----------
    study : Study
    fmt : Formatter
    columns : list of str
        Columns of the model's annual table; those the run lacks are left out
        (a case without debt has no DSCR, one without a lab no lab lines).
    years : list of int
        The rows, a subset of the model's years.

    Returns
    -------
    AnnualTable
    """
    annual = study.result.annual
    labels = line_labels(fmt.msg)
    cols = [c for c in columns if c in annual]

    def cell(y: int, c: str) -> AnnualCell:
        v = annual.loc[y, c]
        text = fmt.number(v, 2) if c == "dscr" else fmt.number(v / 1e9, 1)
        # half a rupiah below zero is rounding, not a shortfall
        return AnnualCell(text=text, neg=bool(c == "cumulative_cash_idr" and v < -0.5))

    return AnnualTable(columns=[labels.get(c, c) for c in cols], rows=[AnnualRow(year=y, cells=[cell(y, c) for c in cols]) for y in years])


@dataclass(frozen=True)
class MetricRow:
    """A metric with its label and value; ``bad`` when it misses its hurdle (shown red)."""

    key: str
    label: str
    value: str
    bad: bool


def metric_rows(study: Study, fmt: Formatter, keys: list[str]) -> list[MetricRow]:
    """The metrics of the deterministic run among ``keys``, in that order.

    ``bad`` is exactly :func:`feasibility.metrics.registry.passes` being False:
    a metric without a hurdle, or whose value is undefined, is never red.
    """
    m = study.result.metrics
    real = study.result.price_basis == "real"
    return [
        MetricRow(
            key=k,
            label=metric_label(fmt, k, real),
            value=metric_value(fmt, m, k),
            bad=registry.passes(k, m.get(k, math.nan), study.case, m) is False,
        )
        for k in keys
        if k in m
    ]
