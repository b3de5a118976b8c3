"""What would have to be true: the tariff and the volume at which the plan's FNPV reaches zero.

A council asks two plain questions of a plan that loses money: how much would
the main service have to cost its customers, and how much would they have to
buy, for the plan to pay for itself? Both are switching values (ADB 2005,
sensitivity and switching values; EU CBA Guide 2014, section 4.2) of the
plan's main revenue stream, other inputs at base:

- the **tariff** at FNPV = 0 is the switching value of the stream's tariff,
  taken from the FNPV tornado (:func:`feasibility.analysis.sensitivity.one_way`);
- the **volume** at FNPV = 0 scales the companies' demand (the stream's
  ``*_per_company`` input, which the demand is proportional to) and reads the
  volume the business handles there; what it can handle is capped by its
  capacity, so the search may find that no volume is enough.

Both are compared with what the case says about the market: the tariff's
declared range (the tariffs of the competing ports, with its source) and the
volume the companies would buy in a full year before growth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from ..case import Case
from ..domain.buildup import hinterland_cargo_tonnes
from ..model import Result, run
from ..model.inputs import weighted_capture
from .sensitivity import Tornado

__all__ = ["MAX_SCALE", "BreakEven", "break_even", "companies_volume"]

#: the largest multiple of the companies' demand the volume search tries (far past any berth's capacity)
MAX_SCALE = 20.0


@dataclass(frozen=True)
class BreakEven:
    """The tariff and the volume of the plan's main revenue stream at which its FNPV is zero.

    Attributes
    ----------
    stream : str
        ``line.revenue.stream`` of the main stream (largest revenue over the model years).
    tariff_path : str or None
        None when the stream's cargo types each have their own tariff (no single tariff to solve for).
    tariff_base, tariff_value : float
        The tariff in the case and at FNPV = 0 (NaN when no tariff up to +1,000 % reaches it), IDR per unit.
    tariff_low, tariff_high : float or None
        The tariff's declared plausible range (the market's tariffs).
    volume_path : str or None
        The ``*_per_company`` input scaled for the volume search (None: the stream has no build-up).
    volume_unit : str
        The stream's volume unit (``tonnes``, ``samples``, ...).
    demand : float
        The volume the companies would buy from the business in a full year before growth (units per year).
    handled_base : float
        Mean volume handled per operating year in the base case.
    capacity : float
        Largest volume the business can handle in a year (NaN: no capacity limit in the model).
    volume_needed : float
        Mean volume handled per operating year at FNPV = 0 (NaN when no volume up to
        :data:`MAX_SCALE` times the demand is enough).
    fnpv_at_most : float
        FNPV at :data:`MAX_SCALE` times the companies' demand (IDR): the best volume alone can do.
    """

    stream: str
    tariff_path: str | None
    tariff_base: float
    tariff_value: float
    tariff_low: float | None
    tariff_high: float | None
    volume_path: str | None
    volume_unit: str
    demand: float
    handled_base: float
    capacity: float
    volume_needed: float
    fnpv_at_most: float


def _main_stream(case: Case, res: Result) -> tuple[str, str, Any] | None:
    """(line, stream, stream object) of the plan's stream with the largest revenue over the model years."""
    best, found = -math.inf, None
    for line_key in case.lines():
        line = getattr(case, line_key)
        for key, stream in line.revenue.items():
            col = f"revenue_{line_key}_{key}_idr"
            if col in res.annual:
                total = float(res.annual[col].sum())
                if total > best:
                    best, found = total, (line_key, key, stream)
    return found


def companies_volume(case: Case, line: str, stream: str, values: dict[str, Any] | None = None) -> Any:
    """The volume the companies would buy from a stream in a full year, before ramp-up and growth.

    The port's cargo follows :func:`~feasibility.domain.buildup.hinterland_cargo_tonnes`
    (own terminals and competing ports taken out); the lab's samples and the
    services' units are companies x units per company x the share won.

    Parameters
    ----------
    case : Case
    line, stream : str
    values : dict, optional
        Input values by path that replace the case's (arrays broadcast: one per Monte Carlo iteration).

    Returns
    -------
    float or ndarray
        Units per year; NaN when the stream has no build-up.
    """
    st = getattr(case, line).revenue[stream]
    bu = getattr(st, "build_up", None)
    if bu is None:
        return math.nan
    root = f"{line}.revenue.{stream}.build_up"

    def val(name: str) -> Any:
        p = f"{root}.{name}"
        return values[p] if values is not None and p in values else float(getattr(bu, name).value)

    names = type(bu).model_fields
    if "own_terminal_share" in names:
        if bu.capture_share is not None:
            capture = val("capture_share")
        else:  # each cargo type's own market share, weighted by its share of the cargo
            path = {id(q): p for p, q in case.quantity_map().items()}
            capture = weighted_capture(list(st.cargo_types.values()),
                                       lambda q: values[path[id(q)]] if values is not None and path[id(q)] in values else float(q.value))
        return hinterland_cargo_tonnes(val("companies"), val("tonnes_per_company"), capture,
                                       own_terminal_share=val("own_terminal_share"), competitor_share=val("competitor_share"))
    per = next(n for n in names if n.endswith("_per_company"))
    return val("companies") * val(per) * val("capture_share")


def _following(case: Case, line: str, key: str, qmap: dict[str, Any]) -> list[str]:
    """The fixed volumes of the port's streams that follow its cargo (anchorage, berthing, storage stated as volumes).

    They are stated for the case's demand and scaled by the share of it handled; scaling the demand scales them too,
    so more cargo than the berth can take does not shrink the storage the full berth brings.
    """
    if (line, key) != ("port", "cargo_handling"):
        return []
    out = []
    for name, st in case.port.revenue.items():
        path = f"port.revenue.{name}.{st.volume_field}"
        if st.kind in ("port_dues", "berthing", "storage") and getattr(st, "volume_from", None) is None and path in qmap:
            out.append(path)
    return out


def _handled(case: Case, res: Result, line: str, stream: str) -> float:
    """Mean volume handled per operating year (the stream's volume column)."""
    a = res.annual
    col = next(c for c in a.columns if c.startswith(f"volume_{line}_{stream}_"))
    ops = a.index >= case.timeline.first_operating_year
    return float(a.loc[ops, col].mean())


def break_even(case: Case, res: Result, tornado: Tornado) -> BreakEven | None:
    """The tariff and the volume of the plan's main revenue stream at which the FNPV is zero.

    Parameters
    ----------
    case : Case
    res : Result
        The base run of the case.
    tornado : Tornado
        The FNPV tornado with switching values (its tariff row gives the break-even tariff).

    Returns
    -------
    BreakEven or None
        None when the FNPV is not negative (nothing has to change) or the plan has no revenue stream.
    """
    if not res.metrics["fnpv_idr"] < 0:
        return None
    main = _main_stream(case, res)
    if main is None:
        return None
    line, key, _stream = main
    qmap = case.quantity_map()
    tariff_path = next((p for p in qmap if p.startswith(f"{line}.revenue.{key}.tariff_idr_per_")), None)
    typed = tariff_path is None and bool(getattr(getattr(case, line).revenue[key], "cargo_types", None))
    if tariff_path is None and not typed:
        return None
    q = qmap[tariff_path] if tariff_path is not None else None
    tab = tornado.table
    tariff_value = math.nan
    if tariff_path is not None and tariff_path in tab.index and "switching_value" in tab and tab.at[tariff_path, "switching_status"] == "solved":
        tariff_value = float(tab.at[tariff_path, "switching_value"])
    volume_path = next((p for p in qmap if p.startswith(f"{line}.revenue.{key}.build_up.") and p.endswith("_per_company")), None)
    unit = next((c.rsplit("_", 1)[-1] for c in res.annual.columns if c.startswith(f"volume_{line}_{key}_")), "")
    # only the port's cargo has a capacity in the model (berths and yard)
    cap = res.annual["cargo_capacity_tonnes"].max() if (line, key) == ("port", "cargo_handling") and "cargo_capacity_tonnes" in res.annual else math.nan
    needed, at_most = math.nan, math.nan
    base = float(qmap[volume_path].value) if volume_path is not None else 0.0
    follow = _following(case, line, key, qmap)
    if volume_path is not None and base > 0:  # a demand of zero cannot be scaled

        def scaled(k: Any) -> dict[str, Any]:
            return {volume_path: base * k, **{p: float(qmap[p].value) * k for p in follow}}

        def fnpv(k: Any) -> Any:
            return run(case, scaled(np.asarray(k, dtype=float)), metrics=["fnpv_idr"]).metrics["fnpv_idr"]

        # the FNPV rises with the volume until the capacity caps it: a grid finds the first crossing, a root refines it
        # fine enough to find the first crossing where a berth triggered by more cargo makes the FNPV step down again
        grid = np.geomspace(1.0, MAX_SCALE, 240)
        f = np.asarray(fnpv(grid), dtype=float)
        at_most = float(f[-1])
        up = np.flatnonzero(f >= 0)
        if up.size:
            i = int(up[0])
            k = brentq(lambda s: float(fnpv(s)), grid[i - 1], grid[i], xtol=1e-6) if i else 1.0
            there = run(case, scaled(k))
            needed = _handled(case, there, line, key)
            if math.isfinite(cap):
                # more cargo may trigger a berth the base run does not build: the capacity there counts too
                cap = max(float(cap), float(there.annual["cargo_capacity_tonnes"].max()))
    return BreakEven(
        stream=f"{line}.revenue.{key}", tariff_path=tariff_path, tariff_base=float(q.value) if q is not None else math.nan,
        tariff_value=tariff_value, tariff_low=None if q is None or q.low is None else float(q.low),
        tariff_high=None if q is None or q.high is None else float(q.high),
        volume_path=volume_path, volume_unit=unit, demand=float(companies_volume(case, line, key)),
        handled_base=_handled(case, res, line, key), capacity=float(cap), volume_needed=needed, fnpv_at_most=at_most,
    )
