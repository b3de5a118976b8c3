"""Operations: prices, volumes, revenue, operating costs, the concession fee and EBITDA by business line.

Pure functions on numpy arrays with the year on the last axis. Money is in
nominal rupiah (current prices): a base-year price times the real escalation
of the item times the general price index (``price_index``).

References
----------
ADB (2005) *Financial Management and Analysis of Projects*, ch. 5 (constant and
current prices); UNCTAD (1985) *Port Development* (berth capacity caps the
cargo); UU 17/2008 and the 2015 port concessions (a fee on gross port revenue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..domain.buildup import company_demand, cross_check, hinterland_cargo_tonnes, lab_samples, ramp_up, regional_cargo_tonnes
from ..domain.capacity import Expansion, berth_capacity_tonnes_per_year, expand, throughput, yard_capacity_tonnes_per_year
from ..domain.queueing import max_occupancy_for_waiting, waiting_time_ratio
from .inputs import (
    BuildUpCargo,
    BuildUpCompanies,
    BuildUpLab,
    CapacityInputs,
    FixedCost,
    ForecastVolume,
    Inputs,
    Line,
    ShipCallVolume,
    Stream,
)

__all__ = ["Operations", "cap_cargo", "escalation", "fixed_cost", "operations", "per_case", "price_index", "ship_call_volume", "stream_volume"]


def price_index(inflation: Any, years: np.ndarray, base_year: int, full: tuple[int, ...]) -> np.ndarray:
    """General price level by year relative to the base year: ``(1 + inflation) ** (year - base)``, shape ``full``."""
    return np.broadcast_to((1.0 + inflation) ** (years - base_year), full)


def escalation(rate: Any, years: np.ndarray, base_year: int) -> Any:
    """Real escalation factor of an item by year, ``(1 + rate) ** (year - base)`` (1 when the rate is absent)."""
    return (1.0 + rate) ** (years - base_year)


def per_case(x: Any) -> Any:
    """A number of shape ``L + (1,)`` as shape ``L`` (functions taking one value per case); floats pass."""
    return np.asarray(x)[..., 0] if np.ndim(x) else x


def _ramp(s: Stream, k: np.ndarray, n_years: int) -> Any:
    """Share of the full volume by year of the stream (``k`` years since its start)."""
    if s.ramp is None:
        return 1.0
    if isinstance(s.ramp, tuple):
        kind, years_to_full, start_share = s.ramp
        # ramp_up takes one start share per case (shape L)
        r = ramp_up(kind, years_to_full, n_years, start_share=per_case(start_share))
        return r[..., np.clip(k, 0, n_years - 1)]
    r = s.ramp
    m = r.shape[-1]
    return np.where(k < m, r[..., np.clip(k, 0, m - 1)], 1.0)


def stream_volume(s: Stream, years: np.ndarray, full: tuple[int, ...]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Demand volume of a stream by year: base volume x ramp-up share x growth, from its first year.

    Returns the volume (shape ``full``) and, for a cargo build-up with a
    reference traffic, the share of it the build-up (before ramp-up and growth)
    would win (``build_up_share_of_reference_<stream>``) and, with a top-down
    market share, the top-down estimate and the ratio of the two
    (``top_down_<stream>_tonnes``, ``build_up_to_top_down_<stream>``).
    """
    k = years - s.start
    ramp = _ramp(s, k, years.size)
    growth: Any = (1.0 + s.growth) ** np.maximum(k, 0)
    extra: dict[str, np.ndarray] = {}
    v = s.volume
    if isinstance(v, ForecastVolume):
        # growth is in the forecast; years before the stream starts are masked below
        base = v.share * np.where(k >= 0, v.series, 0.0)
        growth = 1.0
    elif isinstance(v, BuildUpCargo):
        base = hinterland_cargo_tonnes(
            v.companies, v.tonnes_per_company, v.capture_share,
            own_terminal_share=v.own_terminal_share, competitor_share=v.competitor_share,
        ) + sum((tonnes * share for tonnes, share in v.anchors), 0.0)
        if v.top_down_tonnes is not None:
            # the share of the reference traffic (a competing port's cargo of the same type) the build-up would win
            with np.errstate(divide="ignore", invalid="ignore"):
                implied = np.where(v.top_down_tonnes > 0, base / np.where(v.top_down_tonnes > 0, v.top_down_tonnes, 1.0), np.nan)
            extra[f"build_up_share_of_reference_{s.name}"] = np.broadcast_to(implied, full)
        if v.top_down_tonnes is not None and v.top_down_share is not None:
            # the top-down estimate a reviewer compares the build-up with (same ramp-up and growth)
            td = regional_cargo_tonnes(v.top_down_tonnes, v.top_down_share)
            extra[f"top_down_{s.name}_tonnes"] = np.broadcast_to(td * ramp * growth * (k >= 0), full)
            check = cross_check(np.broadcast_to(base, full[:-1] + (1,)), np.broadcast_to(td, full[:-1] + (1,)))
            extra[f"build_up_to_top_down_{s.name}"] = np.broadcast_to(check.ratio, full)
    elif isinstance(v, BuildUpLab):  # the accreditation year is already the stream's start
        base = lab_samples(v.companies, v.samples_per_company, v.capture_share, years, s.start)
    elif isinstance(v, BuildUpCompanies):
        base = company_demand(v.companies, v.units_per_company, v.capture_share)
    elif isinstance(v, ShipCallVolume):  # set from the ship calls once the cargo is capped (ship_call_volume)
        return np.zeros(full), extra
    else:
        base = v
    return np.broadcast_to(base * ramp * growth * (k >= 0), full), extra


def cap_cargo(
    cap: CapacityInputs, streams: tuple[Stream, ...], volumes: dict[str, np.ndarray], years: np.ndarray, full: tuple[int, ...],
    max_phases: Any = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Expansion | None]:
    """Cap a line's cargo at its berth (and yard) capacity (UNCTAD 1985).

    Every cargo-handling stream is scaled by the same share throughput /
    demand, and so are the streams that follow the cargo (port dues, storage:
    fewer ship calls, less cargo in the yard). Expansion phases are built in
    order when demand passes the trigger share of the capacity in service, at
    most ``max_phases`` of them (per case; 0 when the case builds none or a
    phase is deferred).

    Returns
    -------
    volumes : dict
        The streams' volumes after the cap.
    lines : dict
        ``cargo_demand_tonnes``, ``cargo_throughput_tonnes``, ``cargo_unmet_tonnes``,
        ``berth_occupancy`` (throughput / berth capacity x maximum occupancy) and
        ``cargo_capacity_tonnes``.
    expansion : Expansion or None
        Trigger and online years of the phases.
    """
    occ = occupancy_limit(cap)
    berth = berth_capacity_tonnes_per_year(cap.berths, cap.working_hours, cap.productivity, occ)
    demand = sum((volumes[s.name] for s in streams if s.kind == "cargo_handling"), np.zeros(full))
    steps = port_capacity_steps(cap, berth)
    grown = None
    if cap.trigger_occupancy is None:
        capacity = np.broadcast_to(steps[0], full)
        berths = np.broadcast_to(berth, full)
    else:
        # the phases, as the port's capacity each adds: the trigger compares demand with what binds (berths or yard)
        phases = [(per_case(after - before), per_case(x)) for before, after, (_c, x) in zip(steps, steps[1:], cap.phases)]
        if max_phases is None and cap.build == "never":
            max_phases = 0
        grown = expand(
            demand, steps[0], phases, years=years, trigger_occupancy=per_case(cap.trigger_occupancy),
            lead_time_years=cap.lead_time_years, max_phases=max_phases, look_ahead=cap.look_ahead,
        )
        capacity = np.broadcast_to(grown.capacity_tonnes_per_year, full)
        berths = berth + sum((added * in_service(grown, j, years) for j, (added, _x) in enumerate(cap.phases)), np.zeros(full))
    res = throughput(demand, capacity)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(demand > 0, res.throughput / np.where(demand > 0, demand, 1.0), 1.0)
    out = {s.name: volumes[s.name] * scale if s.follows_cargo else volumes[s.name] for s in streams}
    lines = {
        "cargo_demand_tonnes": demand,
        "cargo_throughput_tonnes": np.broadcast_to(res.throughput, full),
        "cargo_unmet_tonnes": np.broadcast_to(res.unmet, full),
        "berth_occupancy": np.broadcast_to(throughput(res.throughput, berths, occ).occupancy, full),
        "berth_occupancy_limit": np.broadcast_to(occ, full).astype(float),
        "cargo_capacity_tonnes": capacity,
    }
    if cap.parcel is not None:
        lines.update(ship_time(cap, np.broadcast_to(res.throughput, full), years, grown))
    return out, lines, grown


def port_capacity_steps(cap: CapacityInputs, berth: Any) -> list[Any]:
    """The port's capacity (t/yr) before any expansion phase and after each, in order: the smaller of the berths' and the yard's.

    Phase ``k`` adds its berth capacity (``cap.phases``) and its yard area (``cap.phase_yard_m2``, at the yard's density,
    dwell time and utilisation); without a yard the berths alone set the capacity. The steps never fall, so
    :func:`~feasibility.domain.capacity.expand` can add them as increments.
    """
    if cap.yard is None:
        out = [berth]
        for added, _cost in cap.phases:
            out.append(out[-1] + added)
        return out
    area, rest = cap.yard[0], cap.yard[1:]
    out = [np.minimum(berth, yard_capacity_tonnes_per_year(area, *rest))]
    for k, (added, _cost) in enumerate(cap.phases):
        berth = berth + added
        area = area + (cap.phase_yard_m2[k] if k < len(cap.phase_yard_m2) else 0.0)  # none given: no yard added
        out.append(np.minimum(berth, yard_capacity_tonnes_per_year(area, *rest)))
    return out


def in_service(grown: Expansion, j: int, years: np.ndarray) -> np.ndarray:
    """1.0 in the years expansion phase ``j`` is in service (from its online year), else 0.0; shape ``L + (T,)``."""
    online = np.asarray(grown.online_year)[..., j : j + 1]
    return (np.isfinite(online) & (years >= np.nan_to_num(online, nan=np.inf))).astype(float)


def occupancy_limit(cap: CapacityInputs) -> Any:
    """The highest berth occupancy the capacity counts on: the case's ``max_berth_occupancy`` and, with an
    ``allowed_waiting_ratio``, no more than the M/E2/c occupancy at which ships wait that long on average
    (:func:`~feasibility.domain.queueing.max_occupancy_for_waiting`, for the first construction's berths; a mix of
    cargo types has its own Erlang shape, ``cap.erlang_k``)."""
    if cap.waiting_ratio is None:
        return cap.max_occupancy
    occ = max_occupancy_for_waiting(cap.berths, cap.waiting_ratio, cap.erlang_k)
    # a mix whose berth times spread without end (one type's productivity near 0) allows an occupancy below the root
    # finder's tolerance: the smallest positive number keeps the capacity's rule (occupancy > 0), the capacity ~0
    return np.minimum(cap.max_occupancy, np.maximum(occ, np.finfo(float).tiny))


def ship_time(cap: CapacityInputs, handled: np.ndarray, years: np.ndarray, grown: Expansion | None) -> dict[str, np.ndarray]:
    """Ship calls, berth time, berth occupancy and the ships' waiting for a berth by year (UNCTAD 1985, M/E2/c).

    ``calls = tonnes handled / parcel``; ``berth hours per call = parcel /
    productivity`` (gross, per berth-hour); ``occupancy = calls x hours per call
    / (berths in service x working hours)``, the berths in service counting
    each expansion phase's berths from its online year; the mean waiting time
    per call is :func:`~feasibility.domain.queueing.waiting_time_ratio` (Erlang-2
    service times, UNCTAD's general-cargo model; for a mix of cargo types the
    mixture's shape, :func:`~feasibility.domain.queueing.mixed_erlang_k`) x the
    mean berth time per call; ship-days waited = calls x waiting hours / 24. With
    cargo types, the parcel and productivity are the mix's
    (:func:`~feasibility.domain.capacity.cargo_mix`), so the calls and berth
    hours are the sums over the types.
    """
    parcel, prod = cap.parcel, cap.productivity  # floats, or L + (1,) (overridden): they broadcast over the years
    berths = np.full(handled.shape, float(cap.berths))
    if grown is not None:
        for j, added in enumerate(cap.phase_berths):
            berths = berths + added * in_service(grown, j, years)
    calls = handled / parcel
    with np.errstate(divide="ignore", invalid="ignore"):
        # no productivity, no cargo handled: no ship calls, no berth time and no waiting (not 0 x inf)
        hours = np.broadcast_to(np.where(prod > 0, parcel / np.where(prod > 0, prod, 1.0), np.inf), handled.shape)
        busy = calls > 0
        occupancy = np.where(busy, calls * hours / (berths * cap.working_hours), 0.0)
    ratio = np.asarray(waiting_time_ratio(berths, occupancy, cap.erlang_k), dtype=float)
    with np.errstate(invalid="ignore"):
        wait_hours = np.where(busy, ratio * hours, 0.0)
    return {
        "ship_calls_per_year": calls,
        "berths_in_service": berths,
        "berth_hours_per_call": hours.copy(),
        "berth_time_occupancy": occupancy,
        "ship_waiting_hours_per_call": wait_hours,
        "ship_days_waiting": calls * wait_hours / 24.0,
    }


def ship_call_volume(v: ShipCallVolume, lines: dict[str, np.ndarray]) -> np.ndarray:
    """Port dues' volume from the ship calls: ``calls x GT`` (GT-calls), x ``berth hours per call / 24`` for berthing
    (GT-etmal: one etmal is 24 hours at the berth; the mean call's days, not each call's rounded up).

    One ship time: the calls and the berth hours are those of :func:`ship_time`, from the cargo handled, the parcel
    and the productivity that also set the berth capacity.
    """
    calls = lines["ship_calls_per_year"]
    out = calls * v.gt_per_call
    if v.per_day:
        out = out * np.where(calls > 0, lines["berth_hours_per_call"], 0.0) / 24.0
    return out


def fixed_cost(item: FixedCost, years: np.ndarray, pi: np.ndarray, base_year: int) -> np.ndarray:
    """A fixed cost in current prices, in the years it is paid."""
    active = (years >= item.start) & (years <= item.end)
    return item.amount * escalation(item.escalation, years, base_year) * pi * active


@dataclass
class Operations:
    """The result of :func:`operations` (IDR, current prices; volumes in their units).

    ``lines`` holds the lines by business line and stream, in the order they
    are shown: build-up cross-checks, capacity, ``volume_<line>_<stream>_<unit>``,
    ``revenue_<line>_<stream>_idr``, then ``revenue_<line>_idr``,
    ``direct_costs_<line>_idr`` and ``contribution_<line>_idr`` (before the BUMD's
    overhead, tax and financing). ``unskilled`` is the wages of unskilled labour
    in the costs (for the shadow wage of the economic analysis).
    """

    revenue: np.ndarray
    variable_cost: np.ndarray
    fixed_cost: np.ndarray
    overhead: np.ndarray
    fee: np.ndarray
    opex: np.ndarray
    ebitda: np.ndarray
    unskilled: Any
    lines: dict[str, np.ndarray] = field(default_factory=dict)
    expansion: Expansion | None = None


def _line_operations(
    line: Line, inp: Inputs, pi: np.ndarray, acc: dict[str, Any], lines: dict[str, np.ndarray], max_phases: Any
) -> Expansion | None:
    """One business line's revenue and direct costs, added into the totals in ``acc``."""
    years, full, base = inp.years, inp.full, inp.price_base_year
    line_rev, line_cost = np.zeros(full), np.zeros(full)
    volumes = {}
    for s in line.streams:
        volumes[s.name], extra = stream_volume(s, years, full)
        lines.update(extra)
    grown = None
    if line.capacity is not None:
        volumes, cap_lines, grown = cap_cargo(line.capacity, line.streams, volumes, years, full, max_phases)
        lines.update(cap_lines)
        for s in line.streams:
            if isinstance(s.volume, ShipCallVolume):
                volumes[s.name] = ship_call_volume(s.volume, cap_lines)
    for s in line.streams:
        vol = volumes[s.name]
        rev = vol * (s.tariff * escalation(s.tariff_escalation, years, base) * pi)
        vcost = vol * (s.unit_cost * escalation(s.cost_escalation, years, base)) * pi
        lines[f"volume_{line.key}_{s.name}_{s.unit}"] = vol
        lines[f"revenue_{line.key}_{s.name}_idr"] = rev
        line_rev = line_rev + rev
        line_cost = line_cost + vcost
        acc["variable"] = acc["variable"] + vcost
    acc["revenue"] = acc["revenue"] + line_rev
    for item in line.opex:
        cost = fixed_cost(item, years, pi, base)
        acc["unskilled"] = acc["unskilled"] + cost * item.unskilled_share
        acc["fixed"] = acc["fixed"] + cost
        line_cost = line_cost + cost
    if grown is not None:  # the O&M each expansion phase adds, from the year it is in service
        for j, amount in enumerate(line.capacity.phase_opex):
            cost = amount * pi * in_service(grown, j, years)
            acc["fixed"] = acc["fixed"] + cost
            line_cost = line_cost + cost
    if line.fee_share is not None:
        fee = line_rev * line.fee_share
        acc["fee"] = acc["fee"] + fee
        line_cost = line_cost + fee
    lines[f"revenue_{line.key}_idr"] = line_rev
    lines[f"direct_costs_{line.key}_idr"] = line_cost
    lines[f"contribution_{line.key}_idr"] = line_rev - line_cost
    return grown


def operations(inp: Inputs, pi: np.ndarray, max_phases: Any = None) -> Operations:
    """Revenue, operating costs and EBITDA of every business line and of the BUMD.

    Per stream ``revenue = volume x tariff x escalation x price index`` and
    ``variable cost = volume x unit cost x escalation x price index``; fixed
    costs in their years; a line's concession fee is its share of the line's
    gross revenue; the BUMD's overhead is on top of the lines.
    ``opex = variable + fixed + overhead + fee``, ``EBITDA = revenue - opex``.
    ``max_phases`` limits the expansion phases built (per case; see :func:`cap_cargo`).
    """
    full, years = inp.full, inp.years
    acc: dict[str, Any] = {k: np.zeros(full) for k in ("revenue", "variable", "fixed", "fee")}
    acc["unskilled"] = 0.0
    lines: dict[str, np.ndarray] = {}
    expansion = None
    for line in inp.lines:
        grown = _line_operations(line, inp, pi, acc, lines, max_phases)
        expansion = grown if grown is not None else expansion
    overhead = np.zeros(full)
    for item in inp.overhead:
        cost = fixed_cost(item, years, pi, inp.price_base_year)
        overhead = overhead + cost
        acc["unskilled"] = acc["unskilled"] + cost * item.unskilled_share
    opex = acc["variable"] + acc["fixed"] + overhead + acc["fee"]
    return Operations(
        revenue=acc["revenue"], variable_cost=acc["variable"], fixed_cost=acc["fixed"], overhead=overhead, fee=acc["fee"],
        opex=opex, ebitda=acc["revenue"] - opex, unskilled=acc["unskilled"], lines=lines, expansion=expansion,
    )
