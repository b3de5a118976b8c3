"""The model's first step: a validated case plus overrides as typed numbers, read once.

:func:`resolve` walks the case through its schema's attributes (never by dotted
strings), replaces the quantities that ``overrides`` name (arrays on leading
axes, checked against the ranges the schema allows) and returns an
:class:`Inputs`: plain dataclasses of floats and arrays that the later steps
(:mod:`.operations`, :mod:`.capex`, :mod:`.financing`, ...) take as they are.

A number the case leaves out where the schema allows it (an optional
escalation, contingency or unskilled-labour share) gets the value the schema
documents for "absent" here, once (:meth:`_Values.opt`); a path in
``overrides`` that is not a quantity of the case is an error, never ignored.

Value shapes: a quantity is a ``float``, or an array of shape ``L + (1,)``
when overridden (``L`` the leading shape of the run), so that it broadcasts
against annual lines of shape ``L + (T,)``; a list quantity is ``(k,)`` or
``L + (k,)``.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from ..case import Case, Quantity
from ..case.errors import did_you_mean
from ..case.schema import MAGNITUDE_MAX, LabLine, PortLine
from ..domain.capacity import CargoMix, berths_from_quay_length, cargo_mix
from ..domain.marine import NUMPY_OPS, Dredging, Ops, dredging
from ..domain.queueing import max_occupancy_for_waiting, mixed_erlang_k

__all__ = [
    "Benefit",
    "BuildUpCargo",
    "BuildUpCompanies",
    "BuildUpLab",
    "CapacityInputs",
    "CapexInputs",
    "ConcessionTerms",
    "EconomicInputs",
    "FixedCost",
    "ForecastVolume",
    "FundingSources",
    "Inputs",
    "Line",
    "Loan",
    "Stake",
    "Stream",
    "read_paths",
    "resolve",
    "resolve_named",
]

#: a number of the case: a float, or an array L + (1,) when overridden
Val = Union[float, np.ndarray]


# ---------------------------------------------------------------------------
# reading numbers: the case's value, or an override


class _Values:
    """The case's quantities with array overrides on leading axes, checked once."""

    def __init__(self, case: Case, overrides: Mapping[str, Any] | None):
        self.qmap = case.quantity_map()
        self.path_of = {id(q): p for p, q in self.qmap.items()}
        self.over: dict[str, np.ndarray] = {}
        shapes: list[tuple[int, ...]] = []
        problems: list[str] = []
        forecasts = {
            f"{key}.revenue.{name}.forecast.volumes"
            for key, line in case.lines().items()
            for name, st in line.revenue.items()
            if st.forecast is not None
        }
        n_years = case.timeline.end_year - case.timeline.start_year + 1
        for path, val in (overrides or {}).items():
            arr = np.asarray(val, dtype=float)
            if path in forecasts:
                # sampled volume paths of a forecast stream (risk.simulate): L + (T,), before its share
                if arr.ndim == 0 or arr.shape[-1] != n_years:
                    raise ValueError(f"override {path!r}: needs a last axis of {n_years} years, got shape {arr.shape}")
                if not (np.isfinite(arr) & (arr >= 0)).all():
                    problems.append(f"{path}: volumes must be finite and >= 0")
                shapes.append(arr.shape[:-1])
                self.over[path] = arr
                continue
            q = self.qmap.get(path)
            if q is None:
                guess = did_you_mean(path, [*self.qmap, *sorted(forecasts)])
                raise KeyError(
                    f"override {path!r}: no such quantity in this case{'; ' + guess if guess else ''} "
                    "(an optional quantity must be in the case file before it can be varied)"
                )
            bad = type(q).outside(arr)
            if bad.any():
                size = " and within -1e16 to 1e16" if (np.abs(np.nan_to_num(arr[bad])) > MAGNITUDE_MAX).any() else ""
                problems.append(
                    f"{path}: must be {type(q).rule()}{size}, got {int(bad.sum())} of {arr.size} "
                    f"value(s) outside, e.g. {float(arr[bad].flat[0])!r}"
                )
            if q.is_list:
                n = len(q.value)
                if arr.ndim == 0 or arr.shape[-1] != n:
                    raise ValueError(f"override {path!r}: needs a last axis of length {n}, got shape {arr.shape}")
                shapes.append(arr.shape[:-1])
            else:
                shapes.append(arr.shape)
            self.over[path] = arr
        if problems:
            raise ValueError("overrides outside the ranges the case file allows:\n  " + "\n  ".join(problems))
        self.lead: tuple[int, ...] = np.broadcast_shapes(*shapes) if shapes else ()
        self.read: set[str] = set()  # the paths of the quantities the model read (see read_paths)

    def num(self, q: Quantity) -> Val:
        """A single-number quantity: its value, or its override as ``L + (1,)``."""
        path = self.path_of[id(q)]
        self.read.add(path)
        if path in self.over:
            return self.over[path][..., None]
        return float(q.value)

    def number(self, q: Quantity) -> Val:
        """A quantity as a number even where :meth:`num` gives a name (the workbook's symbols): for steps with no formula."""
        return self.num(q)

    def opt(self, q: Quantity | None, absent: float) -> Val:
        """An optional quantity; ``absent`` is what the model uses when the case leaves it out."""
        return absent if q is None else self.num(q)

    def lst(self, q: Quantity) -> np.ndarray:
        """A list quantity: shape ``(k,)``, or ``L + (k,)`` when overridden."""
        path = self.path_of[id(q)]
        self.read.add(path)
        if path in self.over:
            return self.over[path]
        return np.asarray(q.value, dtype=float)

    #: max(x, 0) and "a where x > 0": numpy here, spreadsheet formulas for the workbook (_Named)
    ops = NUMPY_OPS

    def forecast_paths(self, path: str) -> np.ndarray | None:
        """Sampled volume paths of a forecast stream (``L + (T,)``), if a Monte Carlo gave them."""
        return self.over.get(path)


# ---------------------------------------------------------------------------
# what the steps take


@dataclass(frozen=True)
class BuildUpCargo:
    """Hinterland cargo (:func:`feasibility.domain.buildup.hinterland_cargo_tonnes`), optional top-down check."""

    companies: Val
    tonnes_per_company: Val
    capture_share: Val
    own_terminal_share: Val
    competitor_share: Val
    top_down_tonnes: Val | None = None
    top_down_share: Val | None = None
    anchors: tuple[tuple[Val, Val], ...] = ()  # (tonnes a year, share handled) of each shipper listed by name


@dataclass(frozen=True)
class BuildUpLab:
    """Lab samples from the companies (:func:`feasibility.domain.buildup.lab_samples`)."""

    companies: Val
    samples_per_company: Val
    capture_share: Val


@dataclass(frozen=True)
class BuildUpCompanies:
    """Units of a service built up from the companies (:func:`feasibility.domain.buildup.company_demand`)."""

    companies: Val
    units_per_company: Val
    capture_share: Val


@dataclass(frozen=True)
class ShipCallVolume:
    """A volume from the port's ship calls: calls x GT per call, x the days at the berth when ``per_day`` (berthing)."""

    gt_per_call: Val
    per_day: bool


@dataclass(frozen=True)
class ForecastVolume:
    """Volumes of a forecast history by model year (before ``share``), or sampled paths ``L + (T,)``."""

    series: np.ndarray
    share: Val


@dataclass(frozen=True)
class Stream:
    """One revenue stream: volume x tariff, with its variable cost per unit.

    ``volume`` is the base volume (a number), a build-up or a forecast; ``ramp``
    a list of shares (``(k,)`` or ``L + (k,)``), a curve ``(kind, years_to_full,
    start_share)`` or None; ``growth`` the real growth of the volume after the
    stream's first year ``start``.
    """

    line: str
    name: str
    kind: str
    unit: str
    start: int
    volume: Val | BuildUpCargo | BuildUpLab | BuildUpCompanies | ForecastVolume | ShipCallVolume
    ramp: np.ndarray | tuple[str, int, Val] | None
    growth: Val
    tariff: Val
    tariff_escalation: Val
    unit_cost: Val
    cost_escalation: Val
    follows_cargo: bool


@dataclass(frozen=True)
class FixedCost:
    """A fixed operating cost, base-year prices, paid in the years ``start..end``."""

    name: str
    amount: Val
    escalation: Val
    unskilled_share: Val
    start: int
    end: int


@dataclass(frozen=True)
class CapexInputs:
    """A capital item: base cost, uplifts, tax class, phasing from ``start`` and renewal cycle."""

    name: str
    amount: Val
    contingency: Val
    optimism_bias: Val
    escalation: Val
    asset_class: str
    method: str
    start: int
    phasing: tuple[float, ...]
    renewal_every: int | None
    economic_kind: str = "equipment"  # land, construction, equipment or services (the economic analysis's cost kinds)
    transfer_share: Val = 0.0  # fees to the government in the cost (a transfer in the economic analysis)


@dataclass(frozen=True)
class CapacityInputs:
    """Berth capacity (UNCTAD 1985), an optional yard and optional expansion phases."""

    berths: int
    working_hours: Val
    productivity: Val
    max_occupancy: Val
    yard: tuple[Val, Val, Val, Val] | None  # area m2, density t/m2, dwell days, max utilisation
    trigger_occupancy: Val | None = None
    lead_time_years: int = 0
    expansion_asset_class: str = "building_permanent"
    phases: tuple[tuple[Val, Val], ...] = ()  # (berth capacity t/yr, capex IDR base-year prices with contingency and optimism bias)
    build: str = "when_triggered"
    when_unfunded: str = "gap_funding"
    parcel: Val | None = None  # tonnes per ship call (the ships' waiting time needs it)
    waiting_ratio: Val | None = None  # the mean wait accepted, a multiple of the berth time (holds the occupancy down)
    phase_berths: tuple[int, ...] = ()  # berths each phase adds
    phase_yard_m2: tuple[Val, ...] = ()  # yard area each phase adds (m2; 0 when none)
    phase_opex: tuple[Val, ...] = ()  # fixed O&M each phase adds from its online year (IDR/yr, base-year prices)
    look_ahead: bool = False  # the trigger compares the demand a lead time ahead
    erlang_k: Val = 2.0  # 1 / squared coefficient of variation of the berth times (2: M/E2/c; less for a mix of types)
    types: tuple[str, ...] = ()  # the cargo types whose mix the productivity, parcel and yard stand for (none: one type)


@dataclass(frozen=True)
class Line:
    """A business line: its streams, fixed costs and capex, the fee on its revenue, its capacity."""

    key: str
    streams: tuple[Stream, ...]
    opex: tuple[FixedCost, ...]
    capex: tuple[CapexInputs, ...]
    fee_share: Val | None
    capacity: CapacityInputs | None
    marine: MarineWorks | None = None


@dataclass(frozen=True)
class MarineWorks:
    """A port's marine works from the site's geometry (:func:`feasibility.domain.marine.dredging`), base-year prices.

    ``works`` holds the depths, volumes, area and costs; ``amounts`` the base costs the capital items and fixed
    costs take by ``amount_from`` (``marine.trestle``, ``marine.capital_dredging``, ``marine.maintenance_dredging``).
    """

    design_ship: Any
    berths: int
    berth_depth_m: Val
    channel_depth_m: Val
    basin_area_m2: Val
    trestle_length_m: Val
    works: Dredging
    amounts: dict[str, Val]


@dataclass(frozen=True)
class Loan:
    """A loan drawn as a share of construction capex; grace years then annuity or straight-line repayment."""

    name: str
    share: Val
    rate: Val
    grace_years: int
    tenor_years: int
    repayment: str


@dataclass(frozen=True)
class Benefit:
    """An economic benefit stream: volume (fixed, or per unit of a stream's diverted or generated volume) x unit value."""

    name: str
    follows: str | None
    traffic: str | None
    per_unit: Val  # units per stream unit, or the fixed volume per year
    unit_value: Val
    growth: Val


@dataclass(frozen=True)
class Externality:
    """An external effect: volume (per unit of a stream's volume, fixed per year, and/or once) x unit value (any sign)."""

    name: str
    follows: str | None
    traffic: str | None  # with follows: the diverted or generated volume only (None: all of it)
    per_unit: Val  # units per stream unit, or the fixed volume per year (0 when neither)
    once_units: Val
    once_year: int | None
    unit_value: Val
    growth: Val


@dataclass(frozen=True)
class EconomicInputs:
    """Conversion factors, traffic, benefit streams and the social discount rate (ADB 2017; EU CBA Guide 2014).

    ``traffic`` maps each revenue stream (``line.stream``) to its diverted share
    and the alternative's resource cost per unit (base-year prices).
    """

    social_discount_rate: Val
    factors: dict[str, Val]
    traffic: dict[str, tuple[Val, Val]]
    benefits: tuple[Benefit, ...]
    externalities: tuple[Externality, ...] = ()
    construction_labour: Val = 0.0  # unskilled labour's share of construction cost, at the shadow wage
    waiting_cost: Val | None = None  # IDR per ship-day waiting for a berth, base-year prices


@dataclass(frozen=True)
class ConcessionTerms:
    """What happens to a line's assets when its concession ends.

    Attributes
    ----------
    line : str
        The business line under the concession (the port).
    years_after_horizon : int
        Concession years left after the last model year (0: it ends with the model).
    transfer_payment : float or ndarray or None
        What the grantor pays for the assets when they revert (base-year prices, IDR);
        None when they revert without payment.
    land_reverts : bool
        Whether the line's land reverts too (else the BUMD keeps it).
    """

    line: str
    years_after_horizon: int
    transfer_payment: Any = None
    land_reverts: bool = True

    def reverts(self, k: Any) -> bool:
        """Whether an asset group (:class:`feasibility.model.capex.AssetKey`) reverts to the grantor."""
        return k.line == self.line and (k.asset_class != "land" or self.land_reverts)


@dataclass(frozen=True)
class FundingSources:
    """How a cash shortfall is financed, in order: ``standby`` (a facility with a limit and a rate) and/or ``top_up``."""

    order: tuple[str, ...] = ()
    standby_limit: Any = 0.0  # IDR, nominal
    standby_rate: Any = 0.0


@dataclass(frozen=True)
class Stake:
    """The region's stake in a company it does not run: payments by year, dividend yield, value at the end."""

    name: str
    years: tuple[int, ...]
    amounts: np.ndarray  # IDR nominal, (k,) or L + (k,)
    dividend_yield: Val
    first_dividend_year: int
    terminal_multiple: Val


@dataclass(frozen=True)
class Inputs:
    """Everything the model steps take, read from a case and its overrides once."""

    lead: tuple[int, ...]
    years: np.ndarray
    start_year: int
    first_operating_year: int
    price_base_year: int
    real: bool
    inflation: Val
    lines: tuple[Line, ...]
    overhead: tuple[FixedCost, ...]
    receivable_days: Val
    payable_days: Val
    tax_rate: Val
    loss_carryforward_years: int
    loans: tuple[Loan, ...]
    cost_of_equity: Val
    injection_years: tuple[int, ...]
    injection_amounts: np.ndarray
    ownership: Val
    reserve_share: Val
    reserve_cap_share: Val
    tantiem_share: Val
    payout: Val
    dividend_lag_years: int
    residual_method: str
    economic_lives: dict[str, Val]
    grant_share: Val
    region_rate: Val
    pad: Val | None
    pad_growth: Val
    apbd: Val | None
    deposit_rate: Val
    final_stake: str
    liquidation_discount: Val
    economic: EconomicInputs | None
    concession: ConcessionTerms
    funding: FundingSources
    vehicle: str = "bumd"
    stakes: tuple[Stake, ...] = ()

    @property
    def T(self) -> int:
        return int(self.years.size)

    @property
    def full(self) -> tuple[int, ...]:
        """The shape of an annual line: ``L + (T,)``."""
        return self.lead + (self.T,)

    def take(self, rows: np.ndarray) -> Inputs:
        """The same inputs for some of the cases only (a one-dimensional leading shape).

        Every overridden number is an array with the leading axis first and a
        trailing axis (``L + (1,)``, ``L + (k,)``, ``L + (T,)``): those are cut
        to ``rows``; the case's own numbers (floats, one-dimensional lists and
        years) are shared.
        """
        if len(self.lead) != 1:
            raise ValueError(f"take is for a one-dimensional leading shape, got {self.lead}")
        cut = _take(self, np.asarray(rows))
        return dataclasses.replace(cut, lead=(int(np.asarray(rows).size),))


def _take(obj: Any, rows: np.ndarray) -> Any:
    """``obj`` with every two-dimensional array (leading axis first) cut to ``rows``, recursively."""
    if isinstance(obj, np.ndarray):
        return obj[rows] if obj.ndim == 2 else obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(obj, **{f.name: _take(getattr(obj, f.name), rows) for f in dataclasses.fields(obj) if f.init})
    if isinstance(obj, tuple):
        return tuple(_take(x, rows) for x in obj)
    if isinstance(obj, dict):
        return {k: _take(v, rows) for k, v in obj.items()}
    return obj


# ---------------------------------------------------------------------------
# reading the case


def _stream(v: _Values, key: str, line: Any, name: str, st: Any, first_op: int, years: np.ndarray, mix: CargoMix | None = None) -> Stream:
    cap = getattr(line, "capacity", None)
    cap_gt = cap.gt_per_call if cap is not None else None  # the rules require it (or each cargo type's) with volume_from = "ship_calls"
    start = st.start_year if st.start_year is not None else first_op
    if isinstance(line, LabLine):
        start = max(start, line.accreditation_year)  # no valid results before accreditation
    volume: Any
    bu = getattr(st, "build_up", None)
    if st.forecast is not None:
        fc = st.forecast
        sampled = v.forecast_paths(f"{key}.revenue.{name}.forecast.volumes")
        if sampled is None:
            by_year = fc.volumes()
            sampled = np.array([by_year.get(int(y), np.nan) for y in years])
        volume = ForecastVolume(sampled, v.num(fc.share))
    elif getattr(st, "volume_from", None) == "ship_calls":
        if mix is None:
            volume = ShipCallVolume(v.num(cap_gt), st.kind == "berthing")
        else:  # the mix's GT: of its calls for dues per call, of its berth time for berthing per day
            volume = ShipCallVolume(mix.gt_per_berth_hour if st.kind == "berthing" else mix.gt_per_call, st.kind == "berthing")
    elif bu is None:
        volume = v.num(getattr(st, st.volume_field))
    elif st.kind == "cargo_handling":
        td = bu.top_down
        volume = BuildUpCargo(
            v.num(bu.companies), v.num(bu.tonnes_per_company), _capture(v, st),
            v.num(bu.own_terminal_share), v.num(bu.competitor_share),
            None if td is None else v.num(td.regional_tonnes), None if td is None or td.market_share is None else v.num(td.market_share),
            tuple((v.num(a.tonnes_per_year), v.num(a.share)) for a in bu.anchors.values()),
        )
    elif st.kind == "lab_tests":
        volume = BuildUpLab(v.num(bu.companies), v.num(bu.samples_per_company), v.num(bu.capture_share))
    else:
        volume = BuildUpCompanies(v.num(bu.companies), v.num(bu.units_per_company), v.num(bu.capture_share))
    ramp: Any = None
    if st.ramp_up is not None:
        ramp = v.lst(st.ramp_up)
    elif st.ramp_up_curve is not None:
        c = st.ramp_up_curve
        ramp = (c.kind, c.years_to_full, v.num(c.start_share))
    typed = mix is not None and bool(getattr(st, "cargo_types", None))  # the tariff and cost of the types' mix
    return Stream(
        line=key, name=name, kind=st.kind, unit=st.volume_unit, start=start, volume=volume, ramp=ramp,
        growth=v.opt(st.volume_growth_per_year, 0.0),
        tariff=mix.tariff_idr_per_tonne if typed else v.num(getattr(st, st.tariff_field)),
        tariff_escalation=v.opt(st.tariff_escalation_real_per_year, 0.0),
        unit_cost=mix.variable_cost_idr_per_tonne if typed else v.opt(getattr(st, st.variable_cost_field), 0.0),
        cost_escalation=v.opt(st.cost_escalation_real_per_year, 0.0),
        # a fixed volume of ship or yard services moves with the cargo; one from the ship calls already does
        follows_cargo=st.kind in ("cargo_handling", "port_dues", "berthing", "storage") and getattr(st, "volume_from", None) is None,
    )


def _fixed(v: _Values, name: str, item: Any, first_op: int, last: int, marine: MarineWorks | None = None) -> FixedCost:
    return FixedCost(
        name=name,
        amount=marine.amounts[item.amount_from] if item.amount_from else v.num(item.amount_idr_per_year),
        escalation=v.opt(item.escalation_real_per_year, 0.0),
        unskilled_share=v.opt(item.unskilled_labour_share, 0.0),
        start=item.start_year if item.start_year is not None else first_op,
        end=item.end_year if item.end_year is not None else last,
    )


def _capex_item(v: _Values, name: str, item: Any, start_year: int, marine: MarineWorks | None = None) -> CapexInputs:
    return CapexInputs(
        name=name,
        amount=marine.amounts[item.amount_from] if item.amount_from else v.num(item.amount_idr),
        contingency=v.opt(item.contingency, 0.0),
        optimism_bias=v.opt(item.optimism_bias, 0.0),
        escalation=v.opt(item.escalation_real_per_year, 0.0),
        asset_class=item.asset_class,
        method=item.depreciation,
        start=item.start_year if item.start_year is not None else start_year,
        phasing=tuple(item.phasing),
        renewal_every=item.renewal_every_years,
        economic_kind=item.economic_kind or category(item.asset_class),
        transfer_share=v.opt(item.transfer_share, 0.0),
    )


def typed_cargo(line: Any) -> Any:
    """The line's cargo-handling stream that lists cargo types, or None."""
    return next((st for st in line.revenue.values() if st.kind == "cargo_handling" and st.cargo_types), None)


def category(asset_class: str) -> str:
    """Land, construction (buildings) or equipment (PMK groups 1-4): the economic analysis's cost kinds, from the tax class."""
    if asset_class == "land":
        return "land"
    return "construction" if asset_class.startswith("building") else "equipment"


def restate(q: Any, index: Any, base_year: int) -> float:
    """A public figure restated to base-year prices: ``value x index[base] / index[year]`` (its ``year``; as is without one)."""
    if index is None or q.year is None or q.year == base_year:
        return 1.0
    return index.values[base_year] / index.values[q.year]


def quay_berths(m: Any) -> int:
    """The design ships the quay holds at once (its base values: the number of berths is not varied)."""
    return int(berths_from_quay_length(m.quay_length_m.value, m.ship_length_m.value, m.berth_gap_m.value))


def _marine(v: _Values, m: Any, case: Case) -> MarineWorks:
    """The port's marine works: design depths from the ship, then :func:`~feasibility.domain.marine.dredging`."""
    index, base = case.macro.price_index, case.timeline.price_base_year
    draft, length = v.num(m.ship_draft_m), v.num(m.ship_length_m)
    berth_depth = draft * (1.0 + v.num(m.berth_ukc_share))
    channel_depth = draft * (1.0 + v.num(m.channel_ukc_share))
    circle = v.num(m.turning_circle_ships) * length
    basin = np.pi / 4.0 * circle * circle + v.num(m.quay_length_m) * v.num(m.berth_pocket_width_m)
    dredge_price = v.num(m.dredging_cost_idr_per_m3) * restate(m.dredging_cost_idr_per_m3, index, base)
    works = dredging(
        trestle_length_m=v.num(m.trestle_length_m), slope=v.num(m.seabed_slope), shore_depth_m=v.num(m.shore_depth_m),
        berth_depth_m=berth_depth, channel_depth_m=channel_depth, basin_area_m2=basin, channel_width_m=v.num(m.channel_width_m),
        side_slope=v.num(m.side_slope), siltation_m_per_year=v.num(m.siltation_m_per_year),
        trestle_cost_idr_per_m=v.num(m.trestle_cost_idr_per_m) * restate(m.trestle_cost_idr_per_m, index, base),
        dredging_cost_idr_per_m3=dredge_price, ops=v.ops,
    )
    amounts = {
        "marine.trestle": works.trestle_cost_idr,
        "marine.capital_dredging": works.dredging_cost_idr,
        "marine.maintenance_dredging": works.maintenance_m3_per_year * dredge_price,
    }
    return MarineWorks(m.design_ship, quay_berths(m), berth_depth, channel_depth, basin, v.num(m.trestle_length_m), works, amounts)


def _phase_capacities(v: _Values, cap: Any, berths: int, productivity: Val, erlang_k: Any) -> tuple[Val, ...]:
    """The capacity each expansion phase adds (t/yr): as given, or from its berths (UNCTAD 1985).

    A phase adding berths lifts the capacity from ``n x occ(n)`` to ``n' x occ(n')`` berth-years, times the hours and
    the productivity: ``occ(n)`` is ``max_berth_occupancy``, held, with an ``allowed_waiting_ratio``, to the M/E2/n
    occupancy at that wait (so a second berth may add more than the first gives, as more berths share one queue).
    """
    hours_x_rate = v.num(cap.working_hours_per_year) * productivity
    max_occ = v.num(cap.max_berth_occupancy)

    def berth_years(n: int) -> Any:
        if cap.allowed_waiting_ratio is None:
            return n * max_occ
        # a root of the queue, not a formula: the workbook takes its number (the case's values)
        occ = np.minimum(v.number(cap.max_berth_occupancy), max_occupancy_for_waiting(n, v.number(cap.allowed_waiting_ratio), erlang_k))
        return n * occ

    out = []
    n = berths
    for ph in cap.expansion.phases.values():
        if ph.capacity_tonnes_per_year is not None:
            out.append(v.num(ph.capacity_tonnes_per_year))
        else:
            out.append((berth_years(n + (ph.berths or 0)) - berth_years(n)) * hours_x_rate)
        n += ph.berths or 0
    return tuple(out)


def _cargo_types(v: _Values, cap: Any, st: Any) -> tuple[CargoMix, Any]:
    """A cargo stream's types as the port's equivalents (:func:`~feasibility.domain.capacity.cargo_mix`) and the Erlang
    shape of their berth times (:func:`~feasibility.domain.queueing.mixed_erlang_k`, each type Erlang-2).

    Each value is the type's own or the one :func:`type_quantity` falls back to (the variable cost: 0 when neither
    gives it); the rules make sure one of them is given where it is needed.
    """
    types = list(st.cargo_types.values())

    def each(field: str, get: Any = v.num, zero: bool = False) -> list[Any] | None:
        qs = [type_quantity(t, field, cap, st) for t in types]
        if all(q is None for q in qs) or (not zero and any(q is None for q in qs)):
            return None
        # numpy floats: a productivity of 0 (the port's allows it) gives a mix of 0 t/h, not a ZeroDivisionError
        return [np.float64(0.0) if q is None else _np_float(get(q)) for q in qs]

    with np.errstate(divide="ignore", invalid="ignore"):
        mix = cargo_mix(
            won_weights(types, lambda q: _np_float(v.num(q))), each("productivity_tonnes_per_hour"),
            parcel_tonnes_per_call=each("parcel_tonnes_per_call"), gt_per_call=each("gt_per_call"),
            tariff_idr_per_tonne=each("tariff_idr_per_tonne"), variable_cost_idr_per_tonne=each("variable_cost_idr_per_tonne", zero=True),
            dwell_days=each("dwell_days"), stacking_density_tonnes_per_m2=each("stacking_density_tonnes_per_m2"),
        )
    # the queue's numbers (the workbook's names have no root): each type's calls and berth time a call
    share = won_weights(types, v.number)
    p = each("productivity_tonnes_per_hour", v.number)
    c = each("parcel_tonnes_per_call", v.number) or [1.0] * len(types)  # no parcels: equal
    with np.errstate(divide="ignore", invalid="ignore"):
        calls = np.stack(np.broadcast_arrays(*[w / ci for w, ci in zip(share, c)]), axis=-1)
        hours = np.stack(np.broadcast_arrays(*[ci / pi for ci, pi in zip(c, p)]), axis=-1)
    served = np.all(np.isfinite(hours) & (hours > 0), axis=-1)  # a productivity of 0 handles nothing: no queue to shape
    k = mixed_erlang_k(calls, np.where(served[..., None], hours, 1.0), 2.0)
    return mix, np.where(served, k, 2.0) if np.ndim(k) else (float(k) if served else 2.0)


#: a cargo type's fields and where a type that leaves one out takes it from: the port's capacity, its yard or the stream
TYPE_FALLBACK = {
    "productivity_tonnes_per_hour": "capacity", "parcel_tonnes_per_call": "capacity", "gt_per_call": "capacity",
    "stacking_density_tonnes_per_m2": "yard", "dwell_days": "yard", "tariff_idr_per_tonne": "stream",
    "variable_cost_idr_per_tonne": "stream",
}


def type_quantity(t: Any, field: str, cap: Any, st: Any) -> Quantity | None:
    """A cargo type's quantity ``field`` (:data:`TYPE_FALLBACK`): its own, else the port's capacity's, its yard's or the
    stream's; None when neither gives it."""
    own = getattr(t, field)
    if own is not None:
        return own
    other = {"capacity": cap, "yard": cap.yard, "stream": st}[TYPE_FALLBACK[field]]
    return getattr(other, field, None) if other is not None else None


def _add(xs: list[Any]) -> Any:
    """The sum of numbers, arrays or the workbook's names (no ``0 +`` in a formula)."""
    return functools.reduce(operator.add, xs)


def won_weights(types: list[Any], get: Any) -> list[Any]:
    """Each cargo type's weight in the cargo the port handles: its share, x its own capture share when every type
    states one (the rules allow all or none). ``get`` reads a quantity (its value, an override or a name)."""
    if any(t.capture_share is None for t in types):
        return [get(t.share) for t in types]
    return [get(t.share) * get(t.capture_share) for t in types]


def weighted_capture(types: list[Any], get: Any) -> Any:
    """The share of the contestable cargo the port wins when each type states its own: ``sum(share x capture) /
    sum(share)`` (a market share per commodity, weighted by tonnage); None when the types state none."""
    if any(t.capture_share is None for t in types):
        return None
    return _add(won_weights(types, get)) / _add([get(t.share) for t in types])


def cargo_type_values(cap: Any, st: Any) -> dict[str, dict[str, float | None]]:
    """Each cargo type's base values (the case's, no overrides), as :func:`type_quantity` finds them.

    For reports and tables; None where neither gives it. ``handled_share`` is the type's share of the tonnes the port
    handles (:func:`won_weights`).
    """
    types = st.cargo_types
    won = dict(zip(types, won_weights(list(types.values()), lambda q: q.value)))
    out: dict[str, dict[str, float | None]] = {}
    for name, t in types.items():
        row: dict[str, float | None] = {"share": t.share.value, "handled_share": won[name] / sum(won.values())}
        for field in TYPE_FALLBACK:
            q = type_quantity(t, field, cap, st)
            row[field] = None if q is None else float(q.value)
        out[name] = row
    return out


def _capture(v: _Values, st: Any) -> Val:
    """The share of the contestable cargo the port wins: the build-up's, or the types' own weighted by their shares."""
    if st.build_up.capture_share is not None:
        return v.num(st.build_up.capture_share)
    return weighted_capture(list(st.cargo_types.values()), lambda q: _np_float(v.num(q)))


def _np_float(x: Any) -> Any:
    return np.float64(x) if isinstance(x, float) else x


def _capacity(v: _Values, cap: Any, berths: int | None = None, typed: tuple[CargoMix, Any, tuple[str, ...]] | None = None) -> CapacityInputs:
    """The port's capacity inputs; with ``typed`` (a mix of cargo types, its Erlang shape and the types' names), for the mix."""
    berths = cap.berths if cap.berths is not None else berths
    mix, erlang_k, names = typed if typed is not None else (None, 2.0, ())
    if mix is not None:
        prod, parcel = mix.productivity_tonnes_per_hour, mix.parcel_tonnes_per_call
    else:  # the rules give the port's productivity when no type does
        prod = v.num(cap.productivity_tonnes_per_hour)
        parcel = v.num(cap.parcel_tonnes_per_call) if cap.parcel_tonnes_per_call is not None else None
    yard = None
    if cap.yard is not None:
        y = cap.yard
        if mix is not None:  # the types' own, or the yard's for those that give none
            density, dwell = mix.stacking_density_tonnes_per_m2, mix.dwell_days
        else:
            density, dwell = v.num(y.stacking_density_tonnes_per_m2), v.num(y.dwell_days)
        yard = (v.num(y.area_m2), density, dwell, v.num(y.max_utilisation))
    exp = cap.expansion
    extra: dict[str, Any] = {}
    if exp is not None:
        extra = {
            "trigger_occupancy": v.num(exp.trigger_occupancy),
            "lead_time_years": exp.lead_time_years,
            "expansion_asset_class": exp.asset_class,
            # a phase is costed like the first construction: base estimate x (1 + contingency) x (1 + optimism bias)
            "phases": tuple(
                (added, v.num(ph.capex_idr) * (1.0 + v.num(ph.contingency)) * (1.0 + v.num(ph.optimism_bias)))
                for added, ph in zip(_phase_capacities(v, cap, berths, prod, erlang_k), exp.phases.values())
            ),
            "build": exp.build,
            "when_unfunded": exp.when_unfunded,
            "phase_berths": tuple(ph.berths or 0 for ph in exp.phases.values()),
            "phase_yard_m2": tuple(v.opt(ph.yard_area_m2, 0.0) for ph in exp.phases.values()),
            "phase_opex": tuple(v.opt(ph.opex_idr_per_year, 0.0) for ph in exp.phases.values()),
            "look_ahead": exp.trigger_on == "demand_when_online",
        }
    return CapacityInputs(
        berths=berths, working_hours=v.num(cap.working_hours_per_year), productivity=prod,
        max_occupancy=v.num(cap.max_berth_occupancy), yard=yard, parcel=parcel,
        waiting_ratio=v.num(cap.allowed_waiting_ratio) if cap.allowed_waiting_ratio is not None else None,
        erlang_k=erlang_k, types=names, **extra,
    )


def _line(v: _Values, key: str, line: Any, case: Case, years: np.ndarray) -> Line:
    tl = case.timeline
    fo, last = tl.first_operating_year, tl.end_year
    port = isinstance(line, PortLine)
    marine = _marine(v, line.marine, case) if port and line.marine is not None else None
    st = typed_cargo(line) if port and line.capacity is not None else None  # the rules allow one such stream
    typed = (*_cargo_types(v, line.capacity, st), tuple(st.cargo_types)) if st is not None else None
    capacity = _capacity(v, line.capacity, marine and marine.berths, typed) if port and line.capacity is not None else None
    mix = typed[0] if typed is not None else None
    return Line(
        key=key,
        streams=tuple(_stream(v, key, line, n, st, fo, years, mix) for n, st in line.revenue.items()),
        opex=tuple(_fixed(v, n, item, fo, last, marine) for n, item in line.opex.items()),
        capex=tuple(_capex_item(v, n, item, tl.start_year, marine) for n, item in line.capex.items()),
        fee_share=v.num(line.concession_fee_share_of_revenue) if port else None,
        capacity=capacity,
        marine=marine,
    )


def _economic(v: _Values, case: Case, lines: tuple[Line, ...]) -> EconomicInputs | None:
    e = case.economic
    if e is None:
        return None
    marine_volume: dict[str, Any] = {}
    marine = next((ln.marine for ln in lines if ln.marine is not None), None)  # the port's, when the plan runs the port
    if marine is not None:
        works = marine.works
        marine_volume = {"marine.maintenance_dredging": works.maintenance_m3_per_year, "marine.capital_dredging": works.capital_volume_m3}
    cf = e.conversion_factors
    factors = {k: v.num(getattr(cf, k)) for k in ("construction", "equipment", "land", "operating_costs", "shadow_wage")}
    # non-traded output at the one standard conversion factor (stated once, as operating_costs, unless given: then equal)
    factors["output"] = v.num(cf.output) if cf.output is not None else factors["operating_costs"]
    benefits = tuple(
        Benefit(
            name, b.follows, b.traffic,
            v.num(b.units_per_stream_unit) if b.follows is not None else v.num(b.volume_units_per_year),
            v.num(b.unit_value_idr), v.opt(b.real_growth_per_year, 0.0),
        )
        for name, b in e.benefits.items()
    )
    traffic = {
        f"{line}.{name}": (v.num(t.diverted_share), v.num(t.alternative_cost_idr_per_unit))
        for line, by_stream in e.traffic.items()
        for name, t in by_stream.items()
    }
    externalities = tuple(
        Externality(
            name, x.follows, x.traffic,
            v.num(x.units_per_stream_unit) if x.follows is not None
            # no port in the plan: no dredging, so no effect of it
            else marine_volume.get(x.volume_from, 0.0) if x.volume_from else v.opt(x.volume_units_per_year, 0.0),
            marine_volume.get(x.once_from, 0.0) if x.once_from else v.opt(x.once_units, 0.0),
            x.once_year, v.num(x.unit_value_idr), v.opt(x.real_growth_per_year, 0.0),
        )
        for name, x in e.externalities.items()
    )
    return EconomicInputs(
        v.num(e.social_discount_rate), factors, traffic, benefits, externalities, v.opt(e.construction_unskilled_labour_share, 0.0),
        v.num(e.ship_waiting_cost_idr_per_day) if e.ship_waiting_cost_idr_per_day is not None else None,
    )


def _concession(v: _Values, case: Case) -> ConcessionTerms:
    c = case.concession
    payment = v.num(c.transfer_payment_idr) if c.transfer_payment_idr is not None else None
    return ConcessionTerms("port", c.term_years - case.timeline.operating_years, payment, c.land_reverts)


def _funding(v: _Values, case: Case) -> FundingSources:
    g = case.financing.funding_gap
    if g is None:
        return FundingSources()
    order = tuple("standby" if src == "standby_facility" else src for src in g.sources)
    sf = g.standby_facility
    if sf is None:
        return FundingSources(order)
    return FundingSources(order, v.num(sf.limit_idr_nominal), v.num(sf.interest_rate))


def resolve(case: Case, overrides: Mapping[str, Any] | None = None) -> Inputs:
    """The case and its overrides as the typed numbers every model step takes.

    Parameters
    ----------
    case : Case
    overrides : mapping of str to array_like, optional
        Values replacing quantities, by dotted path; arrays broadcast together
        to the leading shape ``L``; list quantities take arrays whose last axis
        is the list; ``<line>.revenue.<stream>.forecast.volumes`` takes sampled
        volume paths ``L + (T,)``.

    Raises
    ------
    KeyError
        A path that is not a quantity of the case.
    ValueError
        Values outside what the quantity allows, or arrays of the wrong shape.
    """
    return _resolve(case, _Values(case, overrides))


class _Named(_Values):
    """The case's quantities as the objects ``name(path, index)`` returns, not their numbers."""

    def __init__(self, case: Case, name: Any, ops: Ops | None = None):
        super().__init__(case, None)
        self._name = name
        if ops is not None:
            self.ops = ops

    def num(self, q: Quantity) -> Any:
        path = self.path_of[id(q)]
        self.read.add(path)
        return self._name(path, None)

    def number(self, q: Quantity) -> Val:
        self.read.add(self.path_of[id(q)])
        return float(q.value)

    def lst(self, q: Quantity) -> np.ndarray:
        path = self.path_of[id(q)]
        self.read.add(path)
        return np.array([self._name(path, i) for i in range(len(q.value))], dtype=object)


def resolve_named(case: Case, name: Any, ops: Ops | None = None) -> Inputs:
    """The inputs of a case with each quantity replaced by ``name(path, index)`` (``index`` None for a single
    number, else the list position): symbols whose arithmetic writes spreadsheet formulas
    (:mod:`feasibility.present.workbook_model`). Optional quantities the case leaves out keep the numbers
    :func:`resolve` uses for them. ``ops`` writes ``max(x, 0)`` and ``a where x > 0`` (the marine works)."""
    return _resolve(case, _Named(case, name, ops))


def read_paths(case: Case) -> set[str]:
    """The paths of the quantities the model reads for a case (the numbers its figures rest on)."""
    v = _Values(case, None)
    _resolve(case, v)
    return v.read


def _resolve(case: Case, v: _Values) -> Inputs:
    tl = case.timeline
    years = np.arange(tl.start_year, tl.end_year + 1)
    fin, alloc, reg = case.financing, case.bumd.allocation, case.region
    rv = case.residual_value
    bumd = case.plan.vehicle == "bumd"
    lives = {}
    if rv.method == "economic_life":
        lives = {k: v.num(getattr(rv.economic_life_years, k)) for k in type(rv.economic_life_years).model_fields}
    lines = tuple(_line(v, key, line, case, years) for key, line in case.lines().items())
    return Inputs(
        lead=v.lead,
        years=years,
        start_year=tl.start_year,
        first_operating_year=tl.first_operating_year,
        price_base_year=tl.price_base_year,
        real=tl.price_basis == "real",
        inflation=v.num(case.macro.inflation_per_year),
        lines=lines,
        # the BUMD's own costs exist only when a BUMD runs the plan
        overhead=tuple(_fixed(v, n, item, tl.first_operating_year, tl.end_year) for n, item in case.bumd.overhead.items()) if bumd else (),
        receivable_days=v.num(case.working_capital.receivable_days),
        payable_days=v.num(case.working_capital.payable_days),
        # a BLUD (a unit of the regional government) is not an income-tax subject: UU 36/2008 art. 2(3)(b)
        tax_rate=v.num(case.tax.corporate_income_tax_rate) if bumd else 0.0,
        loss_carryforward_years=case.tax.loss_carryforward_years,
        # the BUMD's loans and capital injections: without a BUMD there is no company to lend to or inject into
        # (a public service unit's capital spending is paid from the APBD: feasibility.model.public)
        loans=tuple(
            Loan(n, v.num(ln.share_of_construction_capex), v.num(ln.interest_rate), ln.grace_years, ln.tenor_years, ln.repayment)
            for n, ln in fin.loans.items()
        ) if bumd else (),
        cost_of_equity=v.num(fin.cost_of_equity_nominal),
        injection_years=tuple(fin.capital_injection.years) if bumd else (),
        injection_amounts=v.lst(fin.capital_injection.amount_idr_nominal) if bumd else np.zeros(0),
        # without a BUMD the region holds all of what the plan runs
        ownership=v.num(case.bumd.ownership_share_region) if bumd else 1.0,
        # the PP 54/2017 allocation is the BUMD's; a public service unit pays its surplus to the treasury
        reserve_share=v.num(alloc.legal_reserve_share) if bumd else 0.0,
        reserve_cap_share=v.num(alloc.legal_reserve_cap_share_of_capital) if bumd else 0.0,
        tantiem_share=v.num(alloc.tantiem_share) if bumd else 0.0,
        payout=v.num(alloc.dividend_payout) if bumd else 1.0,
        dividend_lag_years=alloc.dividend_lag_years if bumd else 0,
        residual_method=rv.method,
        economic_lives=lives,
        grant_share=v.num(case.ppp.viability_gap_grant_share) if case.ppp is not None else 0.0,
        region_rate=v.num(reg.discount_rate_nominal),
        # public figures of other years restated to base-year prices with the case's price index
        pad=v.num(reg.pad_idr_per_year) * restate(reg.pad_idr_per_year, case.macro.price_index, tl.price_base_year)
        if reg.pad_idr_per_year is not None else None,
        pad_growth=v.opt(reg.pad_growth_real_per_year, 0.0),
        apbd=v.num(reg.apbd_idr_per_year) * restate(reg.apbd_idr_per_year, case.macro.price_index, tl.price_base_year)
        if reg.apbd_idr_per_year is not None else None,
        deposit_rate=v.opt(fin.deposit_rate_nominal, 0.0) if bumd else 0.0,
        final_stake=reg.final_stake,
        liquidation_discount=v.opt(reg.liquidation_discount, 0.0),
        economic=_economic(v, case, lines),
        concession=_concession(v, case),
        funding=_funding(v, case),
        vehicle=case.plan.vehicle,
        stakes=tuple(
            Stake(k, tuple(p.years), v.lst(p.amount_idr_nominal), v.num(p.dividend_yield_nominal), p.first_dividend_year,
                  v.num(p.terminal_value_share_of_capital))
            for k, p in case.participations.items()
        ),
    )
