"""Residual value of the assets at the end of the last model year, as the BUMD holds them.

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

Only assets still in service count: an item bought again retires the one it
replaces (its value is nil at the end). The assets of a line under a
concession (``[concession]``, a BUP's port, UU 17/2008) revert to the grantor
when the concession ends: the BUMD's residual counts them only for the years
of the concession left after the last model year (nothing when it ends with
the model), plus the transfer payment the concession grants in its last year,
if any. The economic view (:mod:`.economic`) keeps the assets' value to society.

The net working capital is recovered in the last year unless the method is ``none``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .capex import AssetKey, category
from .inputs import ConcessionTerms
from .tax import depreciation

__all__ = ["residual_by_category", "residual_value"]


def _book_value(k: AssetKey, placed: np.ndarray, dep: np.ndarray, keep_years: int | None) -> np.ndarray:
    """Tax book value at the end (shape L); of an asset that reverts, only what ``keep_years`` more years deduct."""
    book = placed.sum(axis=-1) - dep.sum(axis=-1)
    if keep_years is None or k.asset_class == "land":
        return book if keep_years is None else np.zeros_like(book)
    T = placed.shape[-1]
    # the same assets depreciated on into the concession years left: what they deduct before reverting
    later = depreciation(np.concatenate([placed, np.zeros(placed.shape[:-1] + (keep_years,))], axis=-1), k.asset_class, k.method, k.renewals)
    return later[..., T:].sum(axis=-1)


def _life_weight(k: AssetKey, life: Any, T: int, keep_years: int | None) -> Any:
    """Share of each placement's cost still of use to the BUMD at the end (EU CBA Guide 2014, s. 2.5)."""
    alive = k.alive(T)
    if k.asset_class == "land":
        return alive * (1.0 if keep_years is None else 0.0)  # land keeps its real value, unless it reverts
    age = T - np.arange(T)  # full years of use by the end of the last year
    left = np.clip(life - age, 0.0, None)
    if keep_years is not None:
        left = np.minimum(left, keep_years)  # of use only until the concession ends
    return alive * np.clip(left / life, 0.0, 1.0)


def residual_by_category(
    method: str,
    in_service: dict[AssetKey, Any],
    depreciation_by_asset: dict[AssetKey, np.ndarray],
    in_service_real: dict[AssetKey, Any],
    lives: dict[str, Any],
    pi: np.ndarray,
    full: tuple[int, ...],
    concession: ConcessionTerms | None = None,
) -> dict[str, Any]:
    """The BUMD's assets at the end of the last year by ``land``, ``construction``, ``equipment``
    and ``transfer`` (a concession's payment), IDR, current prices, shape L."""
    T = full[-1]
    out: dict[str, Any] = {"land": 0.0, "construction": 0.0, "equipment": 0.0, "transfer": 0.0}
    if method == "none":
        return out

    def keep(k: AssetKey) -> int | None:
        return concession.years_after_horizon if concession is not None and concession.reverts(k) else None

    if method == "book_value":
        for k, placed in in_service.items():
            book = _book_value(k, np.broadcast_to(placed, full), depreciation_by_asset[k], keep(k))
            out[category(k.asset_class)] = out[category(k.asset_class)] + book
    else:
        last_prices = np.broadcast_to(pi, full)[..., -1:]
        for k, placed_real in in_service_real.items():
            # costs at base-year prices (each spend deflated in its own year), restated to last-year prices
            weight = _life_weight(k, lives.get(k.asset_class, 1.0), T, keep(k))
            cat = category(k.asset_class)
            out[cat] = out[cat] + np.sum(np.broadcast_to(placed_real, full) * weight * last_prices, axis=-1)
    if concession is not None and concession.transfer_payment is not None and concession.years_after_horizon == 0:
        # the payment is a float or, overridden, shape L + (1,): times the last year's prices L + (1,), then shape L
        out["transfer"] = (concession.transfer_payment * np.broadcast_to(pi, full)[..., -1:])[..., 0]
    return out


def residual_value(method: str, by_category: dict[str, Any], nwc: np.ndarray, full: tuple[int, ...]) -> np.ndarray:
    """The residual value line: zero but in the last year, where it is the assets' value plus the working capital."""
    residual = np.zeros(full)
    if method != "none":
        residual[..., -1] = sum(by_category.values()) + nwc[..., -1]
    return residual
