"""Marine works from the site's geometry: design depth, capital and maintenance dredging, and the trestle, vectorised.

A port on a shallow, gently sloping coast (Teluk Banten slopes at under 0.2 %)
reaches deep water either with a long trestle (jetty) or by dredging a basin and
a channel. This module works the trade-off out from the geometry:

* :func:`design_depth_m`: the depth a berth or channel needs below chart datum
  (LWS): the design ship's loaded draft plus an under-keel clearance (a share
  of the draft, PIANC 2014: of the order of 10 % at a sheltered berth, 15 % or
  more in a channel with waves) plus any allowance (squat, siltation margin);
* :func:`dredging` for a trestle of a given length: the natural depth at its
  head (``shore_depth + slope x length``), the cut of the berth basin
  (turning circle and berth pocket) down to the berth's design depth, and of the
  approach channel, a trapezoid of bottom ``width`` and side slopes ``1:m``,
  from the basin out to where the seabed reaches the channel's design depth;
  the area dredged, whose siltation is the yearly maintenance dredging; and the
  cost of the trestle and of the capital dredging. Every input broadcasts, so a
  vector of trestle lengths is the trade-off curve (a shorter trestle means more
  dredging).

The channel's cut falls linearly from ``h0`` at the basin to nothing at its end,
over ``L = h0 / slope``; the volume of the trapezoidal cut is the integral of its
cross-section ``h (W + m h)`` along it:

.. math:: V = L \\left(\\frac{W h_0}{2} + \\frac{m h_0^2}{3}\\right).

The basin is cut flat to its design depth over its plan area (its side slopes
and the seabed's slope across it are left out: at under 0.2 % the depth changes
by less than half a metre over a 200 m turning circle).

References
----------
PIANC (2014) *Harbour Approach Channels: Design Guidelines*, Report 121:
under-keel clearance, channel width and depth.
Thoresen, C. A. (2014) *Port Designer's Handbook*, 3rd ed., ICE Publishing:
turning circle (about twice the ship's length where no tugs assist), berth
pocket, dredged side slopes in soft soils (1:5 to 1:10).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import Problems as _Problems
from .._checks import as_float as _arr
from .._checks import unwrap as _out

__all__ = ["NUMPY_OPS", "Dredging", "Ops", "channel_cut", "design_depth_m", "dredging", "turning_circle_area_m2"]


def design_depth_m(draft_m: Any, ukc_share: Any, allowance_m: Any = 0.0) -> Any:
    """Depth needed below chart datum: ``draft x (1 + ukc_share) + allowance`` (metres).

    Examples
    --------
    >>> float(design_depth_m(6.8, 0.10))  # a loaded 5,000 DWT general-cargo ship at a sheltered berth
    7.48
    """
    d, u, a = map(_arr, (draft_m, ukc_share, allowance_m))
    pr = _Problems()
    pr.check("draft_m", d, lambda x: (x > 0) & np.isfinite(x), "must be > 0 and finite")
    pr.check("ukc_share", u, lambda x: (x >= 0) & (x <= 1), "must be in [0, 1] (a share of the draft)")
    pr.check("allowance_m", a, lambda x: (x >= 0) & np.isfinite(x), "must be >= 0 and finite")
    pr.raise_if_any()
    return _out(d * (1.0 + u) + a)


def turning_circle_area_m2(ship_length_m: Any, diameter_ships: Any = 2.0) -> Any:
    """Plan area of a turning circle of ``diameter_ships`` x the ship's length overall (m2).

    Examples
    --------
    >>> round(float(turning_circle_area_m2(100.0)), 1)  # a 200 m circle
    31415.9
    """
    s, f = map(_arr, (ship_length_m, diameter_ships))
    pr = _Problems()
    pr.check("ship_length_m", s, lambda x: (x > 0) & np.isfinite(x), "must be > 0 and finite")
    pr.check("diameter_ships", f, lambda x: (x >= 1) & np.isfinite(x), "must be >= 1 (a circle at least one ship long)")
    pr.raise_if_any()
    return _out(np.pi * (f * s) ** 2 / 4.0)


def channel_cut(cut_depth_m: Any, slope: Any, width_m: Any, side_slope: Any) -> tuple[Any, Any, Any]:
    """Length, volume and plan area of a channel cut from ``cut_depth_m`` at its inner end to nothing (see the module).

    Parameters
    ----------
    cut_depth_m : array_like
        Depth of the cut at the basin (metres, >= 0; 0: no channel).
    slope : array_like
        Seabed slope, metres of depth per metre offshore (0.002 for 0.2 %), > 0.
    width_m : array_like
        Bottom width of the channel (metres), >= 0.
    side_slope : array_like
        ``m`` of side slopes 1:m (horizontal per vertical), >= 0.

    Returns
    -------
    length_m, volume_m3, area_m2
        The channel's length, the volume cut, and the plan area dredged (bottom
        plus side slopes: ``L (W + m h0)``, the mean top width times the length).
    """
    h, s, w, m = map(_arr, (cut_depth_m, slope, width_m, side_slope))
    pr = _Problems()
    pr.check("cut_depth_m", h, lambda x: (x >= 0) & np.isfinite(x), "must be >= 0 and finite")
    pr.check("slope", s, lambda x: (x > 0) & (x < 1), "must be in (0, 1) (metres of depth per metre offshore)")
    pr.check("width_m", w, lambda x: (x >= 0) & np.isfinite(x), "must be >= 0 and finite")
    pr.check("side_slope", m, lambda x: (x >= 0) & np.isfinite(x), "must be >= 0 and finite (1:m)")
    pr.raise_if_any()
    return tuple(_out(x) for x in _channel(h, s, w, m))  # type: ignore[return-value]


def _channel(h: Any, s: Any, w: Any, m: Any) -> tuple[Any, Any, Any]:
    """Length, volume and plan area of the channel's cut (only ``+ - x /``: also spreadsheet formulas)."""
    length = h / s
    return length, length * (w * h / 2.0 + m * h * h / 3.0), length * (w + m * h)


@dataclass(frozen=True)
class Dredging:
    """The result of :func:`dredging`: metres, m3, m2, IDR (base-year prices); each broadcast to the inputs' shape."""

    natural_depth_at_berth_m: Any
    basin_cut_m: Any
    basin_volume_m3: Any
    channel_length_m: Any
    channel_volume_m3: Any
    capital_volume_m3: Any
    dredged_area_m2: Any
    maintenance_m3_per_year: Any
    trestle_cost_idr: Any
    dredging_cost_idr: Any
    capital_cost_idr: Any


@dataclass(frozen=True)
class Ops:
    """The two non-arithmetic steps of :func:`dredging`, so the same formulas can also be written as spreadsheet formulas."""

    max0: Any  # max(x, 0)
    where_pos: Any  # a where x > 0, else 0


NUMPY_OPS = Ops(max0=lambda x: np.maximum(x, 0.0), where_pos=lambda x, a: np.where(np.asarray(x) > 0, a, 0.0))


def dredging(
    *,
    trestle_length_m: Any,
    slope: Any,
    shore_depth_m: Any,
    berth_depth_m: Any,
    channel_depth_m: Any,
    basin_area_m2: Any,
    channel_width_m: Any,
    side_slope: Any,
    siltation_m_per_year: Any,
    trestle_cost_idr_per_m: Any,
    dredging_cost_idr_per_m3: Any,
    ops: Ops | None = None,
) -> Dredging:
    """Capital and maintenance dredging and the trestle for a trestle of a given length (see the module docstring).

    Parameters
    ----------
    trestle_length_m : array_like
        Length of the trestle from the shore to the berth (m), >= 0.
    slope : array_like
        Seabed slope (depth per metre offshore), in (0, 1).
    shore_depth_m : array_like
        Depth below chart datum at the shore end (m; 0 where the coast dries at LWS).
    berth_depth_m, channel_depth_m : array_like
        Design depths below chart datum (:func:`design_depth_m`), m.
    basin_area_m2 : array_like
        Plan area of the basin: turning circle and berth pocket (m2).
    channel_width_m, side_slope : array_like
        Bottom width (m) and side slopes 1:m of the channel.
    siltation_m_per_year : array_like
        Metres of sediment settling on the dredged area a year (the maintenance dredging).
    trestle_cost_idr_per_m, dredging_cost_idr_per_m3 : array_like
        Unit costs at base-year prices (escalate an older price before passing it).

    ops : Ops, optional
        Other ``max0`` and ``where_pos`` steps (the workbook's spreadsheet formulas); the inputs are then
        taken as they are, unchecked, and the fields are returned unbroadcast.

    Returns
    -------
    Dredging
    """
    args = (trestle_length_m, slope, shore_depth_m, berth_depth_m, channel_depth_m, basin_area_m2, channel_width_m, side_slope,
            siltation_m_per_year, trestle_cost_idr_per_m, dredging_cost_idr_per_m3)
    if ops is not None:
        return Dredging(**_works(ops, *args))
    t, s, d0, db, dc, ab, w, m, silt, ct, cd = map(_arr, args)
    pr = _Problems()
    for name, x in (("trestle_length_m", t), ("shore_depth_m", d0), ("berth_depth_m", db), ("channel_depth_m", dc),
                    ("basin_area_m2", ab), ("siltation_m_per_year", silt), ("trestle_cost_idr_per_m", ct),
                    ("dredging_cost_idr_per_m3", cd)):
        pr.check(name, x, lambda v: (v >= 0) & np.isfinite(v), "must be >= 0 and finite")
    pr.check("slope", s, lambda x: (x > 0) & (x < 1), "must be in (0, 1) (metres of depth per metre offshore)")
    pr.check("channel_width_m", w, lambda x: (x >= 0) & np.isfinite(x), "must be >= 0 and finite")
    pr.check("side_slope", m, lambda x: (x >= 0) & np.isfinite(x), "must be >= 0 and finite (1:m)")
    pr.raise_if_any()
    out = _works(NUMPY_OPS, t, s, d0, db, dc, ab, w, m, silt, ct, cd)
    shape = np.broadcast(*(np.asarray(v) for v in out.values())).shape
    return Dredging(**{k: _out(np.broadcast_to(np.asarray(v, dtype=float), shape).copy()) for k, v in out.items()})


def _works(ops: Ops, t: Any, s: Any, d0: Any, db: Any, dc: Any, ab: Any, w: Any, m: Any, silt: Any, ct: Any, cd: Any) -> dict[str, Any]:
    """The arithmetic of :func:`dredging` (only ``+ - x /`` and the two ``ops``)."""
    natural = d0 + s * t
    basin_cut = ops.max0(db - natural)
    basin_volume = ab * basin_cut
    # the channel runs from the basin out to where the seabed reaches its depth: a cut falling from h0 to nothing
    length, channel_volume, channel_area = _channel(ops.max0(dc - natural), s, w, m)
    capital = basin_volume + channel_volume
    area = ops.where_pos(basin_cut, ab) + channel_area
    return {
        "natural_depth_at_berth_m": natural, "basin_cut_m": basin_cut, "basin_volume_m3": basin_volume, "channel_length_m": length,
        "channel_volume_m3": channel_volume, "capital_volume_m3": capital, "dredged_area_m2": area, "maintenance_m3_per_year": area * silt,
        "trestle_cost_idr": t * ct, "dredging_cost_idr": capital * cd, "capital_cost_idr": t * ct + capital * cd,
    }
