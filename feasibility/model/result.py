"""What a model run returns: annual lines in the results' price basis and the metrics."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..case import Case
from ..metrics import registry

__all__ = ["Lines", "MergedLines", "Result"]


class Lines(Mapping[str, np.ndarray]):
    """Annual lines in the price basis, computed or deflated when first read.

    Each raw entry is ``(value, is_money)``; a value may be a function (a line
    only some callers need, such as the DSCR or the economic lines), called on
    first read. Money lines are divided by the deflator (the price index for
    real results). A vectorised run (Monte Carlo) reads only the lines its
    metrics need, so the others are never computed or deflated.
    """

    def __init__(self, raw: dict[str, tuple[Any, bool]], deflator: Any):
        self._raw = raw
        self._deflator = deflator
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._done:
            value, is_money = self._raw[key]
            if callable(value):
                value = value()
            self._done[key] = value / self._deflator if is_money else np.asarray(value)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class MergedLines(Mapping[str, np.ndarray]):
    """Annual lines of some cases taken from a second run of those cases only (``rows`` of the first).

    Both are :class:`Lines`, read (and computed) only when a line is read.
    """

    def __init__(self, base: Mapping[str, np.ndarray], other: Mapping[str, np.ndarray], rows: np.ndarray):
        self._base, self._other, self._rows = base, other, rows
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._done:
            merged = np.array(self._base[key], dtype=float)
            merged[self._rows] = self._other[key]
            self._done[key] = merged
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)


@dataclass
class Result:
    """What :func:`feasibility.model.run` returns.

    Attributes
    ----------
    case : Case
    years : ndarray of int, shape (T,)
    lines : mapping of str to ndarray, shape L + (T,)
        Annual lines in ``price_basis`` (IDR; ratios and volumes as named).
    metrics : dict of ndarray or float, shape L
    price_basis : {"real", "nominal"}
    lead_shape : tuple
        The leading shape L (``()`` for a single case).
    undefined : list of dict
        Why some metrics are NaN: ``{"metric", "reason", "count"}`` with reason
        ``no_irr`` or ``multiple_irr`` and the number of cases (of the leading
        shape) affected. Never dropped silently.
    """

    case: Case
    years: np.ndarray
    lines: Mapping[str, np.ndarray]
    metrics: dict[str, Any]
    price_basis: str
    lead_shape: tuple[int, ...] = ()
    undefined: list[dict[str, Any]] = field(default_factory=list)

    @property
    def annual(self) -> pd.DataFrame:
        """The annual table, one row per year (single case only)."""
        if self.lead_shape:
            raise ValueError(f"annual table is for a single case; this result has leading shape {self.lead_shape}")
        return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in self.lines.items()}, index=pd.Index(self.years, name="year"))

    def metrics_table(self, lang: str = "en") -> pd.DataFrame:
        """Metrics with label and unit (single case only)."""
        if self.lead_shape:
            raise ValueError("metrics_table is for a single case")
        rows = [
            {"metric": k, "label": registry.label(k, lang), "value": float(v), "unit": registry.METRIC_UNITS.get(k, "")}
            for k, v in self.metrics.items()
        ]
        return pd.DataFrame(rows).set_index("metric")
