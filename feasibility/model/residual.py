"""Residual value of the assets at the end of the last model year.

Methods (``residual_value.method`` of the case):

``economic_life``
    Each asset's cost at base-year prices (every spend deflated in its own
    year), restated to last-year prices, times the share of its economic life
    left at the end; land keeps its full real value (EU CBA Guide 2014, s. 2.5).
``book_value``
    The tax written-down value (cost placed in service less tax depreciation;
    land at historical cost).
``none``
    Nothing.

The net working capital is recovered in the last year unless the method is ``none``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .capex import category

__all__ = ["residual_by_category", "residual_value"]


def residual_by_category(
    method: str,
    in_service: dict[tuple[str, str], Any],
    depreciation_by_class: dict[tuple[str, str], np.ndarray],
    in_service_real: dict[tuple[str, str], Any],
    lives: dict[str, Any],
    pi: np.ndarray,
    full: tuple[int, ...],
) -> dict[str, Any]:
    """The assets' value at the end of the last year by ``land``, ``construction`` and ``equipment`` (IDR, current prices, shape L)."""
    T = full[-1]
    out: dict[str, Any] = {"land": 0.0, "construction": 0.0, "equipment": 0.0}
    if method == "book_value":
        for (asset_class, m), placed in in_service.items():
            book = np.broadcast_to(placed, full).sum(axis=-1) - depreciation_by_class[(asset_class, m)].sum(axis=-1)
            out[category(asset_class)] = out[category(asset_class)] + book
    elif method == "economic_life":
        age = T - np.arange(T)  # full years of use by the end of the last year
        # costs at base-year prices (each spend deflated in its own year), restated to last-year prices
        last_prices = np.broadcast_to(pi, full)[..., -1:]
        for (asset_class, _m), placed_real in in_service_real.items():
            if asset_class == "land":
                weight: Any = 1.0  # land keeps its real value
            else:
                # the share of its economic life left, at today's prices (EU CBA Guide 2014, s. 2.5)
                weight = np.clip(1.0 - age / lives[asset_class], 0.0, 1.0)
            cat = category(asset_class)
            out[cat] = out[cat] + np.sum(np.broadcast_to(placed_real, full) * weight * last_prices, axis=-1)
    return out


def residual_value(method: str, by_category: dict[str, Any], nwc: np.ndarray, full: tuple[int, ...]) -> np.ndarray:
    """The residual value line: zero but in the last year, where it is the assets' value plus the working capital."""
    residual = np.zeros(full)
    if method != "none":
        residual[..., -1] = sum(by_category.values()) + nwc[..., -1]
    return residual
