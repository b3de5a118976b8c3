"""Port capacity, capacity-limited throughput and phased expansion, vectorised.

Every function is pure numpy and broadcasts over leading axes (scenarios, Monte
Carlo iterations). Where there is a time axis, **years are on the last axis**,
as in :mod:`feasibility.metrics`. Quantities carry their unit in the name:
tonnes per year, hours per year, metres, square metres, days, IDR.

The chain follows the UNCTAD (1985) *Port Development* handbook: the capacity of
a berth group is the throughput it can handle at the highest berth occupancy the
port accepts (beyond it ship waiting time grows quickly), a forecast demand is
capped by that capacity, and the part of demand above it is lost (unmet). An
expansion phase is committed once utilisation crosses a trigger and comes into
service after a construction lead time.

Conventions
-----------
* Bad input raises a :class:`ValueError` that lists **every** problem found, each
  as ``name: rule, got value`` (``max_berth_occupancy: must be in (0, 1], got 1.2``),
  separated by ``"; "``. NaN always breaks a rule.
* A ratio with a zero denominator is ``NaN``, never an exception (utilisation of a
  zero capacity).
* Scalars in give Python-float-like numpy scalars out; arrays give arrays.

References
----------
UNCTAD (1985) *Port Development: A handbook for planners in developing
countries*, 2nd ed., TD/B/C.4/175/Rev.1, United Nations, New York: berth
throughput capacity, berth occupancy versus waiting time, phased development.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping, Sequence

import numpy as np
from .._checks import Problems as _Problems, as_float as _arr, fmt as _fmt, unwrap as _out

__all__ = [
    "Expansion",
    "HOURS_PER_LEAP_YEAR",
    "Phase",
    "Throughput",
    "berth_capacity_tonnes_per_year",
    "berths_from_quay_length",
    "CargoMix",
    "cargo_mix",
    "expand",
    "throughput",
    "yard_capacity_tonnes_per_year",
]

#: the most hours a calendar year can have (366 x 24)
HOURS_PER_LEAP_YEAR = 8784.0


# ---------------------------------------------------------------------------
# a mix of cargo types


@dataclass(frozen=True)
class CargoMix:
    """The port's equivalents of a mix of cargo types (:func:`cargo_mix`); None where a type's value is missing."""

    productivity_tonnes_per_hour: Any
    parcel_tonnes_per_call: Any
    gt_per_call: Any
    gt_per_berth_hour: Any
    tariff_idr_per_tonne: Any
    variable_cost_idr_per_tonne: Any
    dwell_days: Any
    stacking_density_tonnes_per_m2: Any


def _sum(xs: Sequence[Any]) -> Any:
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def cargo_mix(
    shares: Sequence[Any], productivity_tonnes_per_hour: Sequence[Any], *, parcel_tonnes_per_call: Sequence[Any] | None = None,
    gt_per_call: Sequence[Any] | None = None, tariff_idr_per_tonne: Sequence[Any] | None = None,
    variable_cost_idr_per_tonne: Sequence[Any] | None = None, dwell_days: Sequence[Any] | None = None,
    stacking_density_tonnes_per_m2: Sequence[Any] | None = None,
) -> CargoMix:
    r"""The single-type equivalents of a mix of cargo types handled at the same berths and yard.

    With ``w_i = s_i / \sum s`` each type's share of the tonnes (the shares are
    normalised, so sampled shares stay a mix), a tonne of the mix needs

    * berth time ``\sum w_i / p_i`` hours: the mix's productivity is the harmonic
      mean ``P = 1 / \sum (w_i / p_i)``, so ``hours x occupancy x P`` is the
      berths' capacity in tonnes of the mix (UNCTAD 1985: berth-hours = tonnes /
      productivity, summed over the types);
    * ship calls ``\sum w_i / c_i``: the mean parcel is ``C = 1 / \sum (w_i / c_i)``,
      and the mean berth time a call ``C / P``;
    * GT-calls ``\sum w_i g_i / c_i``: the calls' mean GT is ``C \sum (w_i g_i / c_i)``
      (port dues per GT a call);
    * GT-hours at the berth ``\sum w_i g_i / p_i``: the GT of the berth time is
      ``P \sum (w_i g_i / p_i)`` (berthing per GT a day);
    * yard space ``\sum w_i d_i / \rho_i`` m2-days: a mean dwell
      ``D = \sum w_i d_i`` at a density ``D / \sum (w_i d_i / \rho_i)``;
    * tariff and variable cost ``\sum w_i t_i``.

    So the capacity, the ship calls, the berth time, the port dues and the
    yard of the mix are those of one type with these values, every year the mix
    holds. Only ``+ - x /`` are used, so the same function writes the
    spreadsheet's formulas from named cells.

    Parameters
    ----------
    shares : sequence
        Each type's share of the tonnes, > 0 (normalised here).
    productivity_tonnes_per_hour : sequence
        Each type's gross productivity, tonnes per berth-hour, > 0.
    parcel_tonnes_per_call, gt_per_call, tariff_idr_per_tonne, variable_cost_idr_per_tonne, dwell_days, stacking_density_tonnes_per_m2 : sequence, optional
        Each type's value, in the order of ``shares``; ``gt_per_call`` needs the parcels.

    Returns
    -------
    CargoMix
        The equivalents; a field is None when its inputs are not given.

    Examples
    --------
    >>> m = cargo_mix([0.6, 0.4], [30.0, 120.0], parcel_tonnes_per_call=[2000.0, 5000.0], gt_per_call=[1500.0, 3000.0])
    >>> round(m.productivity_tonnes_per_hour, 4), round(m.parcel_tonnes_per_call, 1), round(m.gt_per_call, 1)  # 1/(0.02+1/300)
    (42.8571, 2631.6, 1815.8)
    """
    total = _sum(list(shares))
    w = [s / total for s in shares]
    p = list(productivity_tonnes_per_hour)
    hours_per_tonne = _sum([wi / pi for wi, pi in zip(w, p)])
    prod = 1.0 / hours_per_tonne

    def mean(values: Sequence[Any] | None) -> Any:
        return None if values is None else _sum([wi * x for wi, x in zip(w, values)])

    parcel = gt = None
    if parcel_tonnes_per_call is not None:
        calls_per_tonne = _sum([wi / c for wi, c in zip(w, parcel_tonnes_per_call)])
        parcel = 1.0 / calls_per_tonne
        if gt_per_call is not None:
            gt = _sum([wi * g / c for wi, g, c in zip(w, gt_per_call, parcel_tonnes_per_call)]) / calls_per_tonne
    gt_hour = None if gt_per_call is None else _sum([wi * g / pi for wi, g, pi in zip(w, gt_per_call, p)]) / hours_per_tonne
    dwell = density = None
    if dwell_days is not None and stacking_density_tonnes_per_m2 is not None:
        dwell = mean(dwell_days)
        density = dwell / _sum([wi * d / r for wi, d, r in zip(w, dwell_days, stacking_density_tonnes_per_m2)])
    return CargoMix(prod, parcel, gt, gt_hour, mean(tariff_idr_per_tonne), mean(variable_cost_idr_per_tonne), dwell, density)


# ---------------------------------------------------------------------------
# validation helpers


def _non_negative(x: np.ndarray) -> np.ndarray:
    return x >= 0


def _positive(x: np.ndarray) -> np.ndarray:
    return x > 0


def _unit_interval(x: np.ndarray) -> np.ndarray:
    return (x > 0) & (x <= 1)


def _whole_non_negative(x: np.ndarray) -> np.ndarray:
    return (x >= 0) & np.isfinite(x) & (np.floor(x) == x)


_IN_UNIT = "must be in (0, 1]"
_GE0 = "must be >= 0"
_GT0 = "must be > 0"
_WHOLE = "must be a whole number >= 0"


# ---------------------------------------------------------------------------
# capacity


def berth_capacity_tonnes_per_year(
    n_berths: Any,
    working_hours_per_year: Any,
    productivity_tonnes_per_hour: Any,
    max_berth_occupancy: Any,
) -> Any:
    r"""Annual throughput capacity of a group of berths (UNCTAD 1985 method).

    .. math:: C = n \times H \times \phi_{max} \times p

    the number of berths times the working hours a berth is available in a year
    times the highest acceptable berth occupancy times the gross handling
    productivity per berth-hour (tonnes handled per hour a ship occupies the
    berth, idle time at berth included).

    Parameters
    ----------
    n_berths : array_like
        Number of berths, a whole number >= 0 (see :func:`berths_from_quay_length`).
    working_hours_per_year : array_like
        Hours a year the berths are open, in [0, 8784] (e.g. 7,000 h after
        holidays, weather and maintenance downtime).
    productivity_tonnes_per_hour : array_like
        Gross tonnes handled per berth-hour of ship occupancy, >= 0.
    max_berth_occupancy : array_like
        Highest acceptable fraction of the working hours a berth is occupied by a
        ship, in (0, 1]. **An assumption of the case**: UNCTAD (1985) ties it to the
        number of berths and the ship waiting time the port accepts (queueing
        theory), roughly 0.4-0.5 for a single berth rising to about 0.7 for five or
        more berths; the value and its source must be stated in the case file.

    Returns
    -------
    ndarray or float
        Capacity in tonnes per year, the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        Listing every input that breaks its rule.

    Examples
    --------
    >>> float(berth_capacity_tonnes_per_year(2, 7000, 250, 0.5))  # 2 x 7000 x 0.5 x 250
    1750000.0
    """
    n, h, p, occ = map(_arr, (n_berths, working_hours_per_year, productivity_tonnes_per_hour, max_berth_occupancy))
    pr = _Problems()
    pr.check("n_berths", n, _whole_non_negative, _WHOLE)
    pr.check(
        "working_hours_per_year",
        h,
        lambda x: (x >= 0) & (x <= HOURS_PER_LEAP_YEAR),
        f"must be in [0, {HOURS_PER_LEAP_YEAR:g}] (hours in a leap year)",
    )
    pr.check("productivity_tonnes_per_hour", p, lambda x: _non_negative(x) & np.isfinite(x), _GE0 + " and finite")
    pr.check("max_berth_occupancy", occ, _unit_interval, _IN_UNIT)
    pr.raise_if_any()
    return _out(n * h * occ * p)


def berths_from_quay_length(quay_length_m: Any, ship_length_m: Any, gap_m: Any = 15.0) -> Any:
    r"""Number of ships (berths) a straight quay can hold at once.

    A quay holding ``n`` ships of length overall ``L`` needs
    ``n L + (n + 1) g`` metres: one clearance ``g`` between neighbouring ships
    and one at each end of the quay (mooring lines, manoeuvring). So

    .. math:: n = \left\lfloor \frac{Q - g}{L + g} \right\rfloor, \quad n \ge 0.

    Parameters
    ----------
    quay_length_m : array_like
        Usable quay length in metres, >= 0.
    ship_length_m : array_like
        Length overall of the design ship in metres, > 0.
    gap_m : array_like, default 15.0
        Clearance between ships and at the quay ends, in metres, >= 0. **An
        assumption**: design guides express it as a fraction of ship length
        (of the order of 10 %); 15 m suits ships of about 100-150 m. State it in
        the case file.

    Returns
    -------
    ndarray or int
        Whole number of berths (``int64``), 0 when the quay is too short for one
        ship; the broadcast shape of the inputs.

    Examples
    --------
    >>> int(berths_from_quay_length(120, 90, 10))  # (120 - 10) / (90 + 10) = 1.1
    1
    """
    q, s, g = map(_arr, (quay_length_m, ship_length_m, gap_m))
    pr = _Problems()
    pr.check("quay_length_m", q, lambda x: _non_negative(x) & np.isfinite(x), _GE0 + " and finite")
    pr.check("ship_length_m", s, lambda x: _positive(x) & np.isfinite(x), _GT0 + " and finite")
    pr.check("gap_m", g, lambda x: _non_negative(x) & np.isfinite(x), _GE0 + " and finite")
    pr.raise_if_any()
    # a tiny tolerance so that an exact fit (e.g. 2 x 100 + 3 x 10 = 230 m) is not lost to rounding
    n = np.floor((q - g) / (s + g) * (1 + 1e-12) + 1e-12)
    return _out(np.maximum(n, 0).astype(np.int64))


def yard_capacity_tonnes_per_year(
    area_m2: Any,
    stacking_density_tonnes_per_m2: Any,
    dwell_days: Any,
    max_utilisation: Any,
    operating_days: Any = 365,
) -> Any:
    r"""Annual throughput capacity of a storage yard: static capacity times turnovers.

    .. math:: C = A \times d \times u_{max} \times \frac{D_{op}}{t_{dwell}}

    The static capacity ``A d u_max`` (tonnes the yard holds at the highest
    acceptable utilisation) turns over ``D_op / t_dwell`` times a year.

    Parameters
    ----------
    area_m2 : array_like
        Net storage area in square metres, >= 0.
    stacking_density_tonnes_per_m2 : array_like
        Tonnes stored per square metre of net area, >= 0.
    dwell_days : array_like
        Mean days cargo stays in the yard, > 0.
    max_utilisation : array_like
        Highest acceptable fraction of the static capacity in use on average, in
        (0, 1]; an assumption of the case (peaks need headroom).
    operating_days : array_like, default 365
        Days a year the yard receives and delivers cargo, in (0, 366].

    Returns
    -------
    ndarray or float
        Capacity in tonnes per year, the broadcast shape of the inputs.

    Examples
    --------
    >>> float(yard_capacity_tonnes_per_year(10_000, 2.0, 10, 0.7, 365))  # 10000 x 2 x 0.7 x 36.5
    511000.0
    """
    a, d, t, u, op = map(_arr, (area_m2, stacking_density_tonnes_per_m2, dwell_days, max_utilisation, operating_days))
    pr = _Problems()
    pr.check("area_m2", a, lambda x: _non_negative(x) & np.isfinite(x), _GE0 + " and finite")
    pr.check(
        "stacking_density_tonnes_per_m2", d, lambda x: _non_negative(x) & np.isfinite(x), _GE0 + " and finite"
    )
    pr.check("dwell_days", t, lambda x: _positive(x) & np.isfinite(x), _GT0 + " and finite")
    pr.check("max_utilisation", u, _unit_interval, _IN_UNIT)
    pr.check("operating_days", op, lambda x: (x > 0) & (x <= 366), "must be in (0, 366]")
    pr.raise_if_any()
    return _out(a * d * u * op / t)


# ---------------------------------------------------------------------------
# throughput


@dataclass(frozen=True)
class Throughput:
    """Demand capped by capacity; every field has the broadcast shape of the inputs.

    Attributes
    ----------
    throughput : ndarray or float
        ``min(demand, capacity)``, same unit as demand (e.g. tonnes per year).
    unmet : ndarray or float
        ``demand - throughput`` >= 0, demand lost to the port (goes elsewhere).
    utilisation : ndarray or float
        ``throughput / capacity`` in [0, 1]; NaN where capacity is 0.
    occupancy : ndarray or float
        Berth occupancy implied by the throughput,
        ``utilisation * max_berth_occupancy``; NaN where capacity is 0.
    """

    throughput: Any
    unmet: Any
    utilisation: Any
    occupancy: Any

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (no copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def throughput(demand: Any, capacity: Any, max_berth_occupancy: Any = 1.0) -> Throughput:
    r"""Throughput, unmet demand, utilisation and berth occupancy for a demand and a capacity.

    .. math::

        X = \min(D, C), \qquad U = D - X, \qquad u = X / C, \qquad
        \phi = u \, \phi_{max}

    Parameters
    ----------
    demand : array_like
        Demand in any unit per period (tonnes per year), >= 0, no NaN. With a time
        axis, years are on the last axis.
    capacity : array_like
        Capacity in the unit of demand, >= 0 (``inf`` allowed: no limit), no NaN.
        Broadcasts against ``demand``.
    max_berth_occupancy : array_like, default 1.0
        The occupancy at which ``capacity`` was computed (the argument of
        :func:`berth_capacity_tonnes_per_year`), in (0, 1].

    Returns
    -------
    Throughput
        ``throughput``, ``unmet``, ``utilisation`` and ``occupancy``, each of the
        broadcast shape of the inputs.

    Notes
    -----
    ``utilisation`` is the share of the *practical* capacity used. A berth
    capacity is the throughput at the highest acceptable occupancy
    ``phi_max``; with working hours and gross productivity fixed, the
    berth-hours a throughput needs are proportional to it, so the berth
    occupancy it implies is ``phi = X / (n H p) = (X / C) phi_max``. Pass the
    ``max_berth_occupancy`` used to compute ``capacity`` to get ``occupancy`` as
    a true berth occupancy (at full capacity it equals ``phi_max``). For a
    capacity that is not a berth capacity (a yard) leave it at 1, so that
    ``occupancy == utilisation``.

    Examples
    --------
    >>> r = throughput([100, 200], 150, max_berth_occupancy=0.6)
    >>> r.throughput.tolist(), r.unmet.tolist(), r.utilisation.tolist()
    ([100.0, 150.0], [0.0, 50.0], [0.6666666666666666, 1.0])
    """
    d, c, occ = map(_arr, (demand, capacity, max_berth_occupancy))
    pr = _Problems()
    pr.check("demand", d, lambda x: _non_negative(x) & np.isfinite(x), _GE0 + " and finite")
    pr.check("capacity", c, _non_negative, _GE0)
    pr.check("max_berth_occupancy", occ, _unit_interval, _IN_UNIT)
    pr.raise_if_any()
    try:
        np.broadcast_shapes(d.shape, c.shape, occ.shape)
    except ValueError:
        raise ValueError(
            f"capacity: must broadcast against demand, got shapes {c.shape} and {d.shape}"
        ) from None
    return _throughput(d, c, occ)


def _throughput(d: np.ndarray, c: np.ndarray, occ: np.ndarray) -> Throughput:
    x = np.minimum(d, c)
    unmet = d - x
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(c > 0, x / np.where(c > 0, c, 1.0), np.nan)
    return Throughput(_out(x), _out(unmet), _out(u), _out(u * occ))


# ---------------------------------------------------------------------------
# expansion


@dataclass(frozen=True)
class Phase:
    """One expansion phase.

    Attributes
    ----------
    capacity_tonnes_per_year : array_like
        Capacity it adds once in service, >= 0; broadcasts over leading axes.
    capex_idr : array_like
        Its investment in IDR, >= 0, booked in the trigger year; broadcasts over
        leading axes.
    """

    capacity_tonnes_per_year: Any
    capex_idr: Any


@dataclass(frozen=True)
class Expansion:
    """Result of :func:`expand`; leading shape ``S``, ``T`` years, ``P`` phases.

    Attributes
    ----------
    capacity_tonnes_per_year : ndarray, shape (*S, T)
        Capacity in service each year (base plus phases in service).
    throughput_tonnes : ndarray, shape (*S, T)
        ``min(demand, capacity)`` each year.
    unmet_tonnes : ndarray, shape (*S, T)
        ``demand - throughput``.
    utilisation : ndarray, shape (*S, T)
        ``throughput / capacity``; NaN where capacity is 0.
    capex_idr : ndarray, shape (*S, T)
        Expansion capex in IDR, each phase's capex in its trigger year.
    trigger_year : ndarray, shape (*S, P)
        Calendar year each phase was triggered, NaN if never.
    online_year : ndarray, shape (*S, P)
        First calendar year each phase is in service (``trigger_year +
        lead_time_years``, may lie beyond the horizon), NaN if never triggered.
    blocked_year : ndarray, shape S
        The first year the first phase not allowed (``max_phases``) would have
        been triggered, NaN if never (or if every phase is allowed).
    """

    capacity_tonnes_per_year: np.ndarray
    throughput_tonnes: np.ndarray
    unmet_tonnes: np.ndarray
    utilisation: np.ndarray
    capex_idr: np.ndarray
    trigger_year: np.ndarray
    online_year: np.ndarray
    blocked_year: Any = None

    def as_dict(self) -> dict[str, np.ndarray]:
        """The fields as a plain dict (no copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


_PHASE_RULE = "must be a Phase, a mapping or a (capacity_tonnes_per_year, capex_idr) pair"


def _phase_parts(i: int, ph: Any, pr: _Problems) -> tuple[np.ndarray, np.ndarray] | None:
    if isinstance(ph, Phase):
        cap, capex = ph.capacity_tonnes_per_year, ph.capex_idr
    elif isinstance(ph, Mapping):
        missing = [k for k in ("capacity_tonnes_per_year", "capex_idr") if k not in ph]
        if missing:
            pr.add(f"phases[{i}]: must have keys 'capacity_tonnes_per_year' and 'capex_idr', missing {missing}")
            return None
        cap, capex = ph["capacity_tonnes_per_year"], ph["capex_idr"]
    elif isinstance(ph, (str, bytes)):
        pr.add(f"phases[{i}]: {_PHASE_RULE}, got {ph!r}")
        return None
    else:
        try:
            cap, capex = ph
        except (TypeError, ValueError):
            pr.add(f"phases[{i}]: {_PHASE_RULE}, got {ph!r}")
            return None
    cap_a, capex_a = _arr(cap), _arr(capex)
    finite_ge0 = lambda x: _non_negative(x) & np.isfinite(x)  # noqa: E731
    pr.check(f"phases[{i}].capacity_tonnes_per_year", cap_a, finite_ge0, _GE0 + " and finite")
    pr.check(f"phases[{i}].capex_idr", capex_a, finite_ge0, _GE0 + " and finite")
    return cap_a, capex_a


def _expand_inputs(
    demand: Any, base_capacity: Any, phases: Any, years: Any, trigger_occupancy: Any, lead_time_years: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[Any], tuple[int, ...]]:
    """The inputs of :func:`expand` as arrays, every problem reported at once, and the leading shape."""
    d, base, trig, lead = map(_arr, (demand, base_capacity, trigger_occupancy, lead_time_years))
    yrs = _arr(years)
    pr = _Problems()
    if d.ndim == 0:
        pr.add("demand: needs a time axis (the last axis), got a scalar")
    pr.check("demand", d, lambda x: _non_negative(x) & np.isfinite(x), _GE0 + " and finite")
    pr.check("base_capacity", base, _non_negative, _GE0)
    pr.check("trigger_occupancy", trig, _unit_interval, _IN_UNIT)
    pr.check("lead_time_years", lead, _whole_non_negative, _WHOLE)
    if yrs.ndim != 1 or (d.ndim >= 1 and yrs.size != d.shape[-1]):
        n_t = d.shape[-1] if d.ndim else 0
        pr.add(f"years: must be 1-D with one entry per year of demand ({n_t}), got shape {yrs.shape}")
    elif yrs.size and not (np.all(np.isfinite(yrs)) and np.all(np.floor(yrs) == yrs) and np.all(np.diff(yrs) == 1)):
        pr.add(f"years: must be consecutive whole calendar years, got {[_fmt(v) for v in yrs[:6]]}")
    if isinstance(phases, (str, bytes, Mapping, Phase)) or not isinstance(phases, Sequence):
        pr.add(f"phases: must be a sequence of phases, got {type(phases).__name__}")
        parts: list[tuple[np.ndarray, np.ndarray] | None] = []
    else:
        parts = [_phase_parts(i, ph, pr) for i, ph in enumerate(phases)]
    pr.raise_if_any()

    try:
        full = np.broadcast_shapes(d.shape, base.shape)
        lead_shape = np.broadcast_shapes(
            full[:-1], trig.shape, lead.shape, *(a.shape for p in parts for a in p)  # type: ignore[union-attr]
        )
    except ValueError:
        shapes = {
            "demand": d.shape,
            "base_capacity": base.shape,
            "trigger_occupancy": trig.shape,
            "lead_time_years": lead.shape,
        }
        raise ValueError(
            f"inputs: shapes do not broadcast (years on the last axis of demand and base_capacity), got {shapes}"
        ) from None
    return d, base, trig, lead, yrs, parts, lead_shape


def expand(
    demand: Any,
    base_capacity: Any,
    phases: Sequence[Any],
    *,
    years: Any,
    trigger_occupancy: Any,
    lead_time_years: Any,
    max_phases: Any = None,
    look_ahead: bool = False,
) -> Expansion:
    r"""Capacity-limited throughput with expansion phases triggered by utilisation.

    Year by year (``t = 0 .. T-1``), independently for every leading index:

    1. capacity in service ``C_t`` = base capacity plus the phases whose online
       year is ``<= t``;
    2. if no triggered phase is still under construction, phases remain, and
       ``D_t > trigger_occupancy * C_t`` (utilisation of the capacity in service
       would exceed the trigger; with a trigger of 1 this means demand exceeds
       capacity) or, with ``look_ahead``, ``D_{t+L} > trigger_occupancy * C_t``
       (the demand forecast for the year the phase would come into service,
       ``L`` the lead time, the last year's beyond the horizon: the decision is
       taken a lead time before it is needed), the **next** phase is triggered in year ``t``: its capex falls
       in year ``t`` and it is in service from year ``t + lead_time_years`` (from
       year ``t`` itself when the lead time is 0, in which case ``C_t`` includes it);
    3. throughput, unmet demand and utilisation as in :func:`throughput`.

    Phases are used in their given order, each at most once, at most one a year;
    the next phase is considered only once the previous one is in service (so a
    capacity shortfall during construction does not commit a second phase).

    Parameters
    ----------
    demand : array_like, shape (*S, T)
        Demand in tonnes per year, >= 0, no NaN; years on the last axis.
    base_capacity : array_like
        Capacity in service without expansion, tonnes per year, >= 0; broadcasts
        against ``demand`` (a scalar, a per-year row ``(T,)``, or ``(*S, 1)`` for
        one value per scenario).
    phases : sequence
        Expansion phases in the order they are built, each a :class:`Phase`, a
        mapping with keys ``capacity_tonnes_per_year`` and ``capex_idr``, or a
        pair ``(capacity_tonnes_per_year, capex_idr)``. Values may be arrays
        broadcasting over the leading axes ``S``. May be empty.
    years : array_like of int, shape (T,)
        Calendar years labelling the last axis, consecutive (e.g. 2027..2056).
    trigger_occupancy : array_like
        Utilisation threshold in (0, 1]; broadcasts over ``S``.
    lead_time_years : array_like of int
        Years from the trigger (decision and capex) to service, whole number >= 0;
        broadcasts over ``S``.
    max_phases : array_like of int, optional
        How many of the phases may be built (the first ones), per leading index;
        all by default. 0 means none: an expansion decided against, or deferred.
    look_ahead : bool, default False
        Compare the capacity in service with the demand forecast for the year a
        phase would come into service (``t + lead_time_years``) instead of this
        year's demand.

    Returns
    -------
    Expansion
        Per year: ``capacity_tonnes_per_year``, ``throughput_tonnes``,
        ``unmet_tonnes``, ``utilisation``, ``capex_idr``; per phase:
        ``trigger_year`` and ``online_year`` (NaN if never).

    Notes
    -----
    The loop runs over years only; all leading indices advance together.
    Capex is booked in full in the trigger year (no spreading over the
    construction period); capacity arriving after the horizon is ignored
    except in ``online_year``.

    Examples
    --------
    >>> r = expand([80, 95, 110, 130], 100, [(50, 1e9)], years=[2030, 2031, 2032, 2033],
    ...            trigger_occupancy=0.9, lead_time_years=2)
    >>> r.capacity_tonnes_per_year.tolist(), r.trigger_year.tolist()
    ([100.0, 100.0, 100.0, 150.0], [2031.0])
    """
    d, base, trig, lead, yrs, parts, lead_shape = _expand_inputs(demand, base_capacity, phases, years, trigger_occupancy, lead_time_years)
    n_t = d.shape[-1]
    shape = (*lead_shape, n_t)
    n_rows = int(np.prod(lead_shape, dtype=np.int64))
    n_p = len(parts)

    dem = np.broadcast_to(d, shape).reshape(n_rows, n_t)
    cap = np.broadcast_to(base, shape).reshape(n_rows, n_t).copy()
    tr = np.broadcast_to(trig, lead_shape).reshape(n_rows)
    lt = np.broadcast_to(lead, lead_shape).reshape(n_rows).astype(np.int64)
    add = np.empty((n_rows, n_p))
    cost = np.empty((n_rows, n_p))
    for k, p in enumerate(parts):
        add[:, k] = np.broadcast_to(p[0], lead_shape).reshape(n_rows)  # type: ignore[index]
        cost[:, k] = np.broadcast_to(p[1], lead_shape).reshape(n_rows)  # type: ignore[index]

    never = np.iinfo(np.int64).max // 4
    trig_t = np.full((n_rows, n_p), -1, dtype=np.int64)  # index of the trigger year, -1 = never
    online_t = np.full((n_rows, n_p), never, dtype=np.int64)
    nxt = np.zeros(n_rows, dtype=np.int64)  # index of the next phase to trigger
    allowed = np.full(n_rows, n_p, dtype=np.int64) if max_phases is None else (
        np.minimum(np.broadcast_to(np.asarray(max_phases, dtype=np.int64), lead_shape).reshape(n_rows), n_p))
    busy_until = np.full(n_rows, -1, dtype=np.int64)  # online index of the phase being built
    capex = np.zeros((n_rows, n_t))
    rows = np.arange(n_rows)
    blocked_t = np.full(n_rows, -1, dtype=np.int64)  # when the first phase not allowed would have fired

    for t in range(n_t):
        in_service = np.sum(np.where(online_t <= t, add, 0.0), axis=1)
        c_t = cap[:, t] + in_service
        ahead = dem[rows, np.minimum(t + lt, n_t - 1)] if look_ahead else dem[:, t]
        with np.errstate(invalid="ignore"):
            over = ahead > tr * c_t
        ready = over & (busy_until <= t)
        fire = ready & (nxt < allowed)
        blocked_t = np.where((blocked_t < 0) & ready & (nxt >= allowed) & (nxt < n_p), t, blocked_t)
        r = rows[fire]
        if r.size:
            k = nxt[r]
            trig_t[r, k] = t
            online_t[r, k] = t + lt[r]
            busy_until[r] = t + lt[r]
            capex[r, t] += cost[r, k]
            nxt[r] += 1
            c_t = cap[:, t] + np.sum(np.where(online_t <= t, add, 0.0), axis=1)
        cap[:, t] = c_t

    res = _throughput(dem, cap, np.float64(1.0))
    y0 = yrs[0] if n_t else 0.0
    trig_year = np.where(trig_t >= 0, y0 + trig_t, np.nan)
    online_year = np.where(trig_t >= 0, y0 + trig_t + lt[:, None], np.nan)

    def per_year(a: Any) -> np.ndarray:
        return np.asarray(a, dtype=float).reshape(shape)

    return Expansion(
        capacity_tonnes_per_year=per_year(cap),
        throughput_tonnes=per_year(res.throughput),
        unmet_tonnes=per_year(res.unmet),
        utilisation=per_year(res.utilisation),
        capex_idr=per_year(capex),
        trigger_year=trig_year.reshape((*lead_shape, n_p)),
        online_year=online_year.reshape((*lead_shape, n_p)),
        blocked_year=np.where(blocked_t >= 0, y0 + blocked_t, np.nan).reshape(lead_shape),
    )
