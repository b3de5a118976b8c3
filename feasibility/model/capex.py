"""Capital expenditure: the schedule of each item and the cost entering service by tax class.

An item's base cost is raised by its physical contingency and its optimism
bias (HM Treasury Green Book, supplementary guidance on optimism bias),
escalated in real terms and by the general price index, spent by its phasing
from its start year and bought again every ``renewal_every`` years after it
entered service. Construction spend enters service in the first operating
year; tax depreciation (:mod:`.tax`) runs from the year of service.

Expansion phases of the port (:func:`feasibility.domain.capacity.expand`) are
paid in their trigger year and enter service in their online year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..domain.capacity import Expansion
from .inputs import CapexInputs, Inputs, category
from .operations import escalation

__all__ = ["Capex", "capex", "category", "item_schedule", "placed_in_service"]


def placed_in_service(nominal: Any, share: np.ndarray, renewals: np.ndarray, first_op: int) -> np.ndarray:
    """Cost entering service by year: construction spend waits for the first operating year ``first_op`` (an index)."""
    t = np.arange(share.size)
    placed = nominal * np.where(t >= first_op, share + renewals, renewals)
    if first_op < share.size:
        placed[..., first_op] += np.sum(nominal[..., :first_op] * share[:first_op], axis=-1)
    return placed


def item_schedule(item: CapexInputs, inp: Inputs, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any]:
    """An item's nominal price by year, its spend shares (phasing), its renewals, its spend and its real price.

    ``real price = amount x (1 + contingency) x (1 + optimism bias) x escalation``
    (base-year prices), ``price = real price x price index``;
    ``spend = price x (share + renewal)``, where ``share`` is the phasing from
    the item's start year and ``renewal`` is 1 every ``renewal_every`` years
    after the item entered service (the whole item is bought again).
    """
    years = inp.years
    T = years.size
    idx0 = item.start - inp.start_year
    fo = inp.first_operating_year - inp.start_year
    total = item.amount * (1.0 + item.contingency) * (1.0 + item.optimism_bias)
    real = total * escalation(item.escalation, years, inp.price_base_year)
    nominal = real * pi
    share = np.zeros(T)
    share[idx0 : idx0 + len(item.phasing)] = item.phasing
    renewals = np.zeros(T)
    if item.renewal_every:
        last_service = max(idx0 + len(item.phasing) - 1, fo)
        renewals[last_service + item.renewal_every :: item.renewal_every] = 1.0
    return nominal, share, renewals, nominal * (share + renewals), real


@dataclass(frozen=True)
class AssetKey:
    """A group of assets depreciated, retired and valued alike.

    Attributes
    ----------
    line : str
        The business line that owns them (a concession's reversion applies to its line).
    asset_class, method : str
        The PMK 72/2023 tax class and depreciation method.
    renewals : tuple of int
        Year indices at which the item is bought again; each purchase retires
        the one before (UU PPh art. 11(8)). Empty for items never renewed.
    """

    line: str
    asset_class: str
    method: str
    renewals: tuple[int, ...] = ()

    def alive(self, T: int) -> np.ndarray:
        """Which placement years (indices) are still in service at the end of the last year."""
        last = max(self.renewals, default=0)
        return np.arange(T) >= last


@dataclass
class Capex:
    """The result of :func:`capex` (IDR, current prices unless named ``real``).

    Attributes
    ----------
    total, construction : ndarray, shape L + (T,)
        All capital spend, and the part spent before the first operating year.
    by_category : dict
        Spend by ``land``, ``construction``, ``equipment``, ``services`` and ``transfer``
        (fees to the government) (the economic analysis's kinds).
    in_service : dict
        Cost entering service by year, by :class:`AssetKey`.
    in_service_real : dict
        The same at base-year prices, each spend deflated in its own year (for
        the economic-life residual value and the economic analysis); empty when
        neither needs it.
    construction_spend : dict
        Spend in the construction years by :class:`AssetKey` (land too), shape
        L + (T,): what the interest during construction financed, year by year.
    expansion : ndarray, shape L + (T,)
        The expansion phases' spend (part of ``total``).
    """

    total: np.ndarray
    construction: np.ndarray
    by_category: dict[str, Any]
    in_service: dict[AssetKey, Any]
    in_service_real: dict[AssetKey, Any]
    construction_spend: dict[AssetKey, Any]
    expansion: Any = 0.0


def _add(d: dict[Any, Any], key: Any, value: Any) -> None:
    d[key] = d.get(key, 0.0) + value


def capex(inp: Inputs, pi: np.ndarray, expansion: Expansion | None, *, want_real: bool) -> Capex:
    """Capital spend of every item of every line, and of the expansion phases, with what enters service when."""
    years, full = inp.years, inp.full
    fo = inp.first_operating_year - inp.start_year
    building = years < inp.first_operating_year
    total, construction = np.zeros(full), np.zeros(full)
    by_cat: dict[str, Any] = {"land": 0.0, "construction": 0.0, "equipment": 0.0, "services": 0.0, "transfer": 0.0}
    in_service: dict[AssetKey, Any] = {}
    in_service_real: dict[AssetKey, Any] = {}
    built: dict[AssetKey, Any] = {}
    expansion_spend: Any = np.zeros(full)
    for line in inp.lines:
        for item in line.capex:
            nominal, share, renewals, spend, real = item_schedule(item, inp, pi)
            total = total + spend
            # the economic analysis's kinds: fees to the government apart (a transfer), the rest by the item's kind
            by_cat["transfer"] = by_cat["transfer"] + spend * item.transfer_share
            by_cat[item.economic_kind] = by_cat[item.economic_kind] + spend * (1.0 - item.transfer_share)
            construction = construction + np.where(building, spend, 0.0)
            k = AssetKey(line.key, item.asset_class, item.method, tuple(int(i) for i in np.flatnonzero(renewals)))
            _add(in_service, k, placed_in_service(nominal, share, renewals, fo))
            if want_real:
                # at base-year prices: the same placements of the real price (no price index to divide out again)
                _add(in_service_real, k, placed_in_service(np.asarray(real, dtype=float), share, renewals, fo))
            _add(built, k, np.where(building, spend, 0.0))
    for line in inp.lines:
        cap = line.capacity
        if expansion is None or cap is None:
            continue
        # each phase is paid in its trigger year and enters service in its online year
        for j, (_capacity, cost) in enumerate(cap.phases):
            trig = np.broadcast_to(expansion.trigger_year[..., j : j + 1], full[:-1] + (1,))
            online = np.broadcast_to(expansion.online_year[..., j : j + 1], full[:-1] + (1,))
            spend = np.where(years == trig, cost * pi, 0.0)
            total = total + spend
            expansion_spend = expansion_spend + spend
            by_cat[category(cap.expansion_asset_class)] = by_cat[category(cap.expansion_asset_class)] + spend
            key = AssetKey(line.key, cap.expansion_asset_class, "straight_line")
            _add(in_service, key, np.where(years == online, spend.sum(axis=-1, keepdims=True), 0.0))
            if want_real:
                _add(in_service_real, key, np.where(years == online, cost, 0.0))
    return Capex(total, construction, by_cat, in_service, in_service_real, built, expansion_spend)
