"""Input checks shared by the numeric modules: every problem as ``name: rule, got value``, all at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def fmt(v: float) -> str:
    """A value as a user typed it: ``1.2``, ``-3``, ``nan``."""
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:g}"


class Problems:
    """Collects ``name: rule, got value`` problems and raises them all at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, name: str, x: np.ndarray, ok: Callable[[np.ndarray], np.ndarray], rule: str) -> None:
        with np.errstate(invalid="ignore"):
            good = np.asarray(ok(x), dtype=bool) & ~np.isnan(x)
        bad = np.asarray(x)[~good]
        if bad.size:
            more = f" (and {bad.size - 1} more)" if bad.size > 1 else ""
            self.items.append(f"{name}: {rule}, got {fmt(bad.flat[0])}{more}")

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValueError("; ".join(self.items))


def as_float(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def unwrap(a: np.ndarray) -> Any:
    return a[()] if np.ndim(a) == 0 else a
