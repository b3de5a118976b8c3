"""Case files: one TOML file describes one feasibility case, validated with pydantic.

Every number in a case is a *quantity*: an inline table with the value and where
it came from::

    tariff_idr_per_tonne = { value = 71000, source = "Tanjung Priok proposed tariff",
                             year = 2013, confidence = "secondary" }

The unit is part of the field name (``_idr``, ``_tonnes``, ``_per_year``; a name
without a unit suffix is a fraction, 0.25 meaning 25 %) and is repeated in the
schema (``unit`` in the JSON schema, and in :meth:`Case.assumptions`). Each
field has an allowed range. Confidence is one of ``verified`` (primary source
seen), ``secondary`` (news or secondary page quoting the publisher), ``estimate``
(derived by the analyst) or ``placeholder`` (invented, to be replaced).

Money inputs are in **constant prices of** ``timeline.price_base_year`` unless
their name says ``nominal`` (loan amounts follow capex; capital injections are
nominal rupiah of the year they are paid).

This module holds the pydantic models only. The other rooms of the package:
:mod:`.errors` turns pydantic's errors into ``path: rule, got value`` problems,
:mod:`.rules` checks the rules across sections, :mod:`.io` reads case and
history files, :mod:`.forecasts` fits forecast streams on first use.
"""

from __future__ import annotations

import functools
import math
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    create_model,
    field_validator,
    model_validator,
)

if TYPE_CHECKING:
    from .errors import Problem

__all__ = [
    "Case",
    "Quantity",
    "Q",
    "TAX_LIFE_YEARS",
    "in_lang",
]

Confidence = Literal["verified", "secondary", "estimate", "placeholder"]


# ---------------------------------------------------------------------------
# quantities


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: the largest size of any number in a case: ten thousand trillion (1e16), above Indonesia's whole state
#: budget in rupiah, so no input of a regional study comes near it; larger numbers can overflow the model's
#: sums and products (a tariff of 1e308 made every result infinite)
MAGNITUDE_MAX = 1e16
MAGNITUDE_RULE = "must lie between -1e16 and 1e16 (no input of a regional study comes near; larger numbers overflow the model's arithmetic)"


class Quantity(_Strict):
    """A number (or list of numbers) with its provenance."""

    value: Any
    source: Annotated[str, Field(min_length=1)]
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    confidence: Confidence
    note: str = ""
    #: a plausible range (same unit as ``value``): the tornado's low and high, and the
    #: default bounds of a PERT, triangular or uniform distribution in ``[risk]``
    low: Any = None
    high: Any = None

    # set on the generated subclasses
    unit: typing.ClassVar[str] = ""
    is_list: typing.ClassVar[bool] = False
    #: (ge, le, gt, lt): the allowed range of the value, None where unbounded
    bounds: typing.ClassVar[tuple[float | None, float | None, float | None, float | None]] = (None, None, None, None)

    @classmethod
    def outside(cls, values: Any) -> Any:
        """Boolean mask of the values this quantity does not allow (out of range or not finite)."""
        import numpy as np

        v = np.asarray(values, dtype=float)
        ge, le, gt, lt = cls.bounds
        bad = ~np.isfinite(v)
        with np.errstate(invalid="ignore"):
            bad |= np.abs(v) > MAGNITUDE_MAX
            if ge is not None:
                bad |= v < ge
            if le is not None:
                bad |= v > le
            if gt is not None:
                bad |= v <= gt
            if lt is not None:
                bad |= v >= lt
        return bad

    @classmethod
    def rule(cls) -> str:
        """The allowed range in words, e.g. ``>= 0 and <= 0.6``."""
        ge, le, gt, lt = cls.bounds
        parts = [f"{op} {_bound(b)}" for op, b in ((">=", ge), (">", gt), ("<=", le), ("<", lt)) if b is not None]
        return " and ".join(parts) if parts else "finite"

    @model_validator(mode="after")
    def _range(self) -> Quantity:
        if self.low is None and self.high is None:
            return self
        if self.is_list:
            raise ValueError("low/high ranges are for single numbers, not lists")
        bad = []
        for name in ("low", "high"):
            v = getattr(self, name)
            if v is None:
                bad.append(f"{name} is missing (give both low and high)")
            elif isinstance(v, bool) or not isinstance(v, (int, float)):
                bad.append(f"{name} must be a number, got {v!r}")
            elif math.isfinite(v) and abs(v) > MAGNITUDE_MAX:
                bad.append(f"{name} {MAGNITUDE_RULE}, got {v!r}")
            elif type(self).outside(v):
                bad.append(f"{name} must be {type(self).rule()}, got {v!r}")
        if not bad and not (self.low <= self.value <= self.high):
            bad.append(f"low <= value <= high is required, got low={self.low!r}, value={self.value!r}, high={self.high!r}")
        if bad:
            raise ValueError("; ".join(bad))
        return self

    @field_validator("value", mode="before")
    @classmethod
    def _numbers_only(cls, v: Any) -> Any:
        def bad(x: Any) -> bool:
            return isinstance(x, bool) or not isinstance(x, (int, float))

        if cls.is_list:
            if not isinstance(v, list) or not v:
                raise ValueError("must be a non-empty list of numbers")
            if any(bad(x) for x in v):
                raise ValueError("must be a list of numbers")
        elif bad(v):
            raise ValueError("must be a number")
        if any(abs(x) > MAGNITUDE_MAX for x in (v if cls.is_list else [v]) if math.isfinite(x)):
            raise ValueError(MAGNITUDE_RULE)
        return v


@functools.cache
def _quantity_type(
    unit: str,
    ge: float | None,
    le: float | None,
    gt: float | None,
    lt: float | None,
    is_list: bool,
) -> type[Quantity]:
    number = Annotated[float, Field(ge=ge, le=le, gt=gt, lt=lt, allow_inf_nan=False)]
    value_type: Any = list[number] if is_list else number
    name = "Quantity_" + "".join(ch if ch.isalnum() else "_" for ch in unit)
    model = create_model(name, __base__=Quantity, value=(value_type, ...))
    model.unit = unit
    model.is_list = is_list
    model.bounds = (ge, le, gt, lt)
    return model


def Q(
    unit: str,
    description: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    is_list: bool = False,
    optional: bool = False,
) -> Any:
    """Annotated type of a quantity field with its unit and allowed range."""
    qt = _quantity_type(unit, ge, le, gt, lt, is_list)
    extra = {"unit": unit}
    if optional:
        return Annotated[qt | None, Field(default=None, description=description, json_schema_extra=extra)]
    return Annotated[qt, Field(description=description, json_schema_extra=extra)]


FRACTION = "fraction"  # 0.25 means 25 %
PER_YEAR = "fraction per year"

Year = Annotated[int, Field(ge=1900, le=2200, strict=True)]


def Int(ge: int, le: int) -> Any:
    """A whole number in [ge, le]; text, booleans and floats are refused (no silent coercion)."""
    return Annotated[int, Field(ge=ge, le=le, strict=True)]


def _finite_change(v: Any) -> Any:
    """A relative change: a number (not a boolean), finite (nan is no change; "must be > -1, got nan" would mislead)."""
    v = _no_bool(v)
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError("must be a number")
    return v


#: a plain share in [0, 1] (capex phasing); ints allowed, text and booleans refused
Share = Annotated[float, BeforeValidator(_no_bool), Field(ge=0, le=1, allow_inf_nan=False)]

# ---------------------------------------------------------------------------
# tax depreciation groups, PMK 72/2023 (see shared/reference/domain.md)

AssetClass = Literal[
    "land",
    "building_permanent",
    "building_non_permanent",
    "group_1",
    "group_2",
    "group_3",
    "group_4",
]

#: useful life in years per tax group (PMK 72/2023; land is not depreciated)
TAX_LIFE_YEARS: dict[str, int | None] = {
    "land": None,
    "building_permanent": 20,
    "building_non_permanent": 10,
    "group_1": 4,
    "group_2": 8,
    "group_3": 16,
    "group_4": 20,
}


# ---------------------------------------------------------------------------
# revenue streams: volume x tariff, one kind per unit of volume

_STREAM_UNITS: dict[str, tuple[str, str, str]] = {
    # kind: (volume field suffix, per-unit suffix, unit label)
    "cargo_handling": ("tonnes", "tonne", "tonne"),
    "port_dues": ("gt", "gt", "GT (gross tonnage x calls)"),
    "berthing": ("gt_etmal", "gt_etmal", "GT-etmal (gross tonnage x days at the berth)"),
    "storage": ("m2_months", "m2_month", "m2-month"),
    "lab_tests": ("samples", "sample", "sample"),
    "other": ("units", "unit", "unit"),
}


class HinterlandCargo(_Strict):
    """Cargo built up from the hinterland's companies (feasibility.domain.buildup.hinterland_cargo_tonnes).

    volume = companies x tonnes per company x (1 - own-terminal share)
    x (1 - competitor share) x capture share + the anchor shippers' tonnes x their shares.
    The two last shares act only through their product, the share of the
    contestable cargo (not through the shippers' own terminals) the port wins.
    """

    companies: Q("companies", "industrial companies in the hinterland that ship by sea (the anchor shippers apart)", ge=0)
    tonnes_per_company: Q("tonnes per company per year", "sea cargo of a typical company", ge=0)
    own_terminal_share: Q(
        FRACTION, "share of the tonnage moved through the companies' own terminals (TERSUS/TUKS); by tonnage, not by "
        "number of firms: the largest shippers are the ones with terminals", ge=0, le=1,
    )
    competitor_share: Q(FRACTION, "share of the rest taken by competing ports", ge=0, le=1)
    capture_share: Q(
        FRACTION, "share of the contestable cargo this port wins (left out when each cargo type states its own)", ge=0, le=1, optional=True,
    )
    anchors: dict[str, AnchorShipper] = Field(
        default_factory=dict, description="shippers listed one by one, their cargo counted apart from the typical company's"
    )
    top_down: TopDownCargo | None = Field(None, description="a top-down estimate to cross-check the build-up against")


class AnchorShipper(_Strict):
    """A shipper named in the cargo build-up: its own tonnes and the share of them the port would handle."""

    label: Text = Field(description="who the shipper is (a firm's name, or a placeholder description until the shipper survey)")
    tonnes_per_year: Q("tonnes per year", "the shipper's sea cargo a year (from a survey or a letter of intent)", ge=0)
    share: Q(FRACTION, "share of it this port would handle (1: committed in writing)", ge=0, le=1)


class TopDownCargo(_Strict):
    """Reference traffic x market share (feasibility.domain.buildup.regional_cargo_tonnes), for a cross-check.

    The reference is a competing port's traffic of the same cargo type (its
    general cargo, not its total): the build-up is then stated as the share of
    it the new port would win, and, with a market share, as a ratio to the
    top-down estimate.
    """

    label: Text | None = Field(None, description="the reference traffic, e.g. a competing port's general cargo in a year")
    regional_tonnes: Q("tonnes per year", "the reference traffic: a competing port's cargo of the same type, or the region's", ge=0)
    market_share: Q(
        FRACTION, "share of it this port could handle, estimated apart from the build-up (without it, only the share the "
        "build-up implies is reported)", ge=0, le=1, optional=True,
    )


class CargoType(_Strict):
    """One type of cargo in a cargo-handling stream: its share of the stream's tonnes and how it is handled.

    A value left out is the port's (``[port.capacity]``, ``[port.capacity.yard]``)
    or the stream's (tariff, variable cost, the build-up's capture share). With a
    capture share per type (a market share per commodity), the port handles type
    ``i`` in proportion to ``share x capture_share``. The capacity, the ship calls, the
    berth time, the waiting and the port dues are worked out for the mix
    (feasibility.domain.capacity.cargo_mix): berth-hours = sum of tonnes / productivity.
    """

    label: Text = Field(description="the cargo type in words (e.g. bagged fertiliser and cement)")
    share: Q(FRACTION, "share of the stream's tonnes before the port's capture (the types' shares sum to 1)", gt=0, le=1)
    capture_share: Q(
        FRACTION, "share of this type's contestable cargo the port wins, instead of the build-up's one share for all types",
        ge=0, le=1, optional=True,
    )
    productivity_tonnes_per_hour: Q("tonnes per berth-hour", "gross handling productivity of this type per berth-hour", gt=0, optional=True)
    parcel_tonnes_per_call: Q("tonnes per call", "cargo of this type a ship loads or discharges per call", gt=0, optional=True)
    gt_per_call: Q("GT", "gross tonnage of a ship carrying this type", gt=0, le=500_000, optional=True)
    tariff_idr_per_tonne: Q("IDR per tonne", "handling tariff of this type, base-year prices", ge=0, optional=True)
    variable_cost_idr_per_tonne: Q("IDR per tonne", "variable handling cost of this type, base-year prices", ge=0, optional=True)
    stacking_density_tonnes_per_m2: Q("tonnes per m2", "tonnes of this type stacked on a square metre of yard", gt=0, optional=True)
    dwell_days: Q("days", "average days this type stays in the yard", gt=0, le=365, optional=True)


class LabDemand(_Strict):
    """Lab samples built up from the companies (feasibility.domain.buildup.lab_samples)."""

    companies: Q("companies", "companies that must test their emissions and wastewater", ge=0)
    samples_per_company: Q("samples per company per year", "samples a company sends to a lab each year", ge=0)
    capture_share: Q(FRACTION, "share of those samples this lab wins", ge=0, le=1)


class CompanyDemand(_Strict):
    """Units of a service built up from the companies, as the lab's samples (feasibility.domain.buildup.company_demand).

    volume = companies x units per company x capture share
    """

    companies: Q("companies", "companies that would buy the service", ge=0)
    units_per_company: Q("units per company per year", "units of the service a company buys each year", ge=0)
    capture_share: Q(FRACTION, "share of those units this business wins", ge=0, le=1)


class ForecastSource(_Strict):
    """Volumes forecast from a history file (feasibility.domain.demand), with the method picked.

    The history is read and checked when the case is loaded, relative to the
    case file; the method is fitted on first use (:mod:`feasibility.case.forecasts`).
    The model uses the observed values for years the history covers and the
    point forecast of ``method`` after it, times ``share``.
    """

    history: Annotated[str, Field(min_length=1)] = Field(description="CSV file, relative to the case file")
    value_column: str
    year_column: str = "year"
    method: Literal["naive", "cagr", "loglinear", "rw_drift", "ets"] = Field(
        description="the forecast method, as picked from a back-test (feasibility.domain.demand.backtest)"
    )
    share: Q(FRACTION, "share of the forecast series this stream handles", ge=0, le=1)
    #: the history as read by load_case / parse_case (a feasibility.case.forecasts.History)
    _history: Any = PrivateAttr(default=None)
    #: the fit, made on first use: a forecasts.Fitted, or the Problem of a fit that failed
    _fit: Any = PrivateAttr(default=None)

    def observed(self) -> dict[int, float]:
        """The observed volumes by year, as read from the history file (before ``share``)."""
        if self._history is None:
            raise RuntimeError("forecast histories are read by load_case / parse_case(base_dir=...)")
        return self._history.observed

    def fitted(self) -> Any:
        """The fitted forecast model (feasibility.domain.demand), for sampled paths in a Monte Carlo.

        Fitted on first use and kept; None when the history was not read (a case
        validated without ``load_case`` / ``parse_case``).

        Raises
        ------
        CaseError
            When the method cannot be fitted to the history (naming the stream).
        """
        if self._history is None:
            return None
        from .forecasts import fit  # imported here: forecasts imports this module

        return fit(self).model

    def volumes(self) -> dict[int, float]:
        """Volume by year (history, then forecast to the last model year), before ``share``; fitted on first use.

        Raises
        ------
        CaseError
            When the method cannot be fitted to the history (naming the stream).
        """
        from .forecasts import fit  # imported here: forecasts imports this module

        return fit(self).volumes


class RampCurve(_Strict):
    """A ramp-up curve (feasibility.domain.buildup.ramp_up): share of the full volume by year."""

    kind: Literal["linear", "s_curve"]
    years_to_full: Int(1, 30)
    start_share: Q(FRACTION, "share of the full volume in the stream's first year", ge=0, le=1)


class _StreamBase(_Strict):
    label: Text = ""
    ramp_up_curve: RampCurve | None = None
    forecast: ForecastSource | None = None
    volume_growth_per_year: Q(PER_YEAR, "real growth of the volume after the first year", ge=-0.5, le=0.5, optional=True)
    ramp_up: Q(
        FRACTION,
        "share of the full volume reached in each of the stream's first years; 1.0 afterwards",
        ge=0,
        le=1,
        is_list=True,
        optional=True,
    )
    tariff_escalation_real_per_year: Q(PER_YEAR, "real escalation of the tariff", ge=-0.2, le=0.2, optional=True)
    cost_escalation_real_per_year: Q(
        PER_YEAR, "real escalation of the variable cost per unit", ge=-0.2, le=0.2, optional=True
    )
    start_year: Year | None = None

    kind: typing.ClassVar[str]

    @model_validator(mode="after")
    def _one_source(self) -> _StreamBase:
        sources = ([self.volume_field] + (["build_up"] if "build_up" in type(self).model_fields else [])
                   + (["volume_from"] if "volume_from" in type(self).model_fields else []) + ["forecast"])
        given = [f for f in sources if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError(f"needs exactly one volume source: {', '.join(sources[:-1])} or {sources[-1]}")
        if getattr(self, "volume_from", None) is not None:
            extra = [f for f in ("ramp_up", "ramp_up_curve", "volume_growth_per_year", "start_year") if getattr(self, f) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)}: a volume from the ship calls follows the cargo handled (its ramp-up and "
                                 "growth are the cargo's); remove them")
        if self.forecast is not None and self.volume_growth_per_year is not None:
            raise ValueError("a forecast carries its own growth: remove volume_growth_per_year")
        if self.ramp_up is not None and self.ramp_up_curve is not None:
            raise ValueError("give ramp_up (a list of shares) or ramp_up_curve, not both")
        return self

    @property
    def tariff_field(self) -> str:
        return f"tariff_idr_per_{_STREAM_UNITS[self.kind][1]}"

    @property
    def variable_cost_field(self) -> str:
        return f"variable_cost_idr_per_{_STREAM_UNITS[self.kind][1]}"

    @property
    def volume_field(self) -> str:
        return f"volume_{_STREAM_UNITS[self.kind][0]}"

    @property
    def volume_unit(self) -> str:
        return _STREAM_UNITS[self.kind][0]


def _make_stream(kind: str) -> type[_StreamBase]:
    vol, per, label = _STREAM_UNITS[kind]
    fields: dict[str, Any] = {
        "kind": (Literal[kind], kind),  # type: ignore[valid-type]
        f"volume_{vol}": (
            Q(
                f"{label} per year",
                "volume of the stream's first year at full capacity use; ramp-up shares and "
                "growth both apply from the stream's first year",
                ge=0,
                optional=True,
            ),
            None,
        ),
        # a cargo stream whose types each have their own tariff has none of its own (the rules check which is given)
        f"tariff_idr_per_{per}": (Q(f"IDR per {label}", "tariff, base-year prices", ge=0), ...) if kind != "cargo_handling" else (
            Q(f"IDR per {label}", "tariff, base-year prices", ge=0, optional=True), None),
        f"variable_cost_idr_per_{per}": (
            Q(f"IDR per {label}", "variable cost, base-year prices", ge=0, optional=True),
            None,
        ),
    }
    if kind == "other":
        fields["unit_label"] = (str, "unit")
        fields["build_up"] = (CompanyDemand | None, None)
    if kind == "cargo_handling":
        fields["build_up"] = (HinterlandCargo | None, None)
        fields["cargo_types"] = (dict[str, CargoType], Field(
            default_factory=dict, description="the stream's cargo by type, each with its share, productivity, ship and tariff "
            "(none: one type, the port's and the stream's values)"))
    if kind == "lab_tests":
        fields["build_up"] = (LabDemand | None, None)
    if kind in ("port_dues", "berthing"):
        fields["volume_from"] = (
            Literal["ship_calls"] | None,
            Field(None, description="ship_calls: the volume from the port's ship calls (cargo handled / parcel per call) x "
                  "port.capacity.gt_per_call, times the days at the berth for berthing (one ship time with the capacity)"),
        )
    model = create_model(f"{kind.title().replace('_', '')}Stream", __base__=_StreamBase, **fields)
    model.kind = kind
    return model


STREAM_MODELS = {kind: _make_stream(kind) for kind in _STREAM_UNITS}


def _stream_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        return v.get("kind")
    return getattr(v, "kind", None)


Stream = Annotated[
    Union[tuple(Annotated[m, Tag(k)] for k, m in STREAM_MODELS.items())],  # type: ignore[misc]
    Discriminator(
        _stream_tag,
        custom_error_type="invalid_kind",
        custom_error_message="kind must be one of " + ", ".join(repr(k) for k in _STREAM_UNITS),
    ),
]


class FixedOpex(_Strict):
    amount_idr_per_year: Q("IDR per year", "fixed operating cost, base-year prices", ge=0, optional=True)
    amount_from: Literal["marine.maintenance_dredging"] | None = Field(
        None, description="the amount worked out from the port's marine works instead of amount_idr_per_year: "
        "marine.maintenance_dredging (the dredged area x the siltation rate x the unit price)"
    )
    escalation_real_per_year: Q(PER_YEAR, "real escalation", ge=-0.2, le=0.2, optional=True)
    unskilled_labour_share: Q(
        FRACTION, "share of this cost that is wages of unskilled labour (valued at the shadow wage in [economic])", ge=0, le=1, optional=True
    )
    start_year: Year | None = None
    end_year: Year | None = None

    @model_validator(mode="after")
    def _check(self) -> FixedOpex:
        if (self.amount_idr_per_year is None) == (self.amount_from is None):
            raise ValueError("give exactly one of amount_idr_per_year or amount_from")
        if self.start_year is not None and self.end_year is not None and self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self


class CapexItem(_Strict):
    amount_idr: Q("IDR", "base cost estimate, base-year prices, before contingency and optimism bias", ge=0, optional=True)
    amount_from: Literal["marine.trestle", "marine.capital_dredging"] | None = Field(
        None, description="the base cost worked out from the port's marine works instead of amount_idr: marine.trestle "
        "(its length x the price per metre) or marine.capital_dredging (the volume from the site's geometry x the price per m3)"
    )
    asset_class: AssetClass
    depreciation: Literal["straight_line", "declining_balance"] = "straight_line"
    start_year: Year | None = None
    phasing: list[Share] = Field(default_factory=lambda: [1.0], min_length=1)
    contingency: Q(FRACTION, "physical contingency on the base estimate", ge=0, le=1, optional=True)
    optimism_bias: Q(FRACTION, "HM Treasury Green Book optimism-bias uplift", ge=0, le=2, optional=True)
    escalation_real_per_year: Q(PER_YEAR, "real escalation of the cost", ge=-0.2, le=0.2, optional=True)
    renewal_every_years: Int(1, 100) | None = None
    economic_kind: Literal["land", "construction", "equipment", "services"] | None = Field(
        None, description="how the economic analysis values the cost: land, construction (civil works), equipment or services "
        "(studies and design, at the standard conversion factor); by default from the asset class"
    )
    transfer_share: Q(
        FRACTION, "share of the cost that is fees and charges paid to the government (permits); a transfer, left out of the "
        "economic analysis", ge=0, le=1, optional=True,
    )

    @field_validator("phasing")
    @classmethod
    def _sums_to_one(cls, v: list[float]) -> list[float]:
        if not math.isclose(sum(v), 1.0, abs_tol=1e-9):
            raise ValueError(f"must sum to 1 (the shares sum to {sum(v):g})")
        return v

    @model_validator(mode="after")
    def _check(self) -> CapexItem:
        if (self.amount_idr is None) == (self.amount_from is None):
            raise ValueError("give exactly one of amount_idr or amount_from")
        if self.depreciation == "declining_balance" and self.asset_class.startswith(("building", "land")):
            raise ValueError(
                "declining_balance is allowed only for non-building groups 1-4 (PMK 72/2023), "
                f"got asset_class {self.asset_class!r}"
            )
        return self


def _fill_stream_kinds(data: Any) -> Any:
    # a stream table named after its kind may omit `kind`
    if isinstance(data, dict) and isinstance(data.get("revenue"), dict):
        rev = {}
        for key, val in data["revenue"].items():
            if isinstance(val, dict) and "kind" not in val and key in _STREAM_UNITS:
                val = {"kind": key, **val}
            rev[key] = val
        data = {**data, "revenue": rev}
    return data


class BusinessLine(_Strict):
    name: Text
    revenue: dict[str, Stream] = Field(default_factory=dict)
    opex: dict[str, FixedOpex] = Field(default_factory=dict)
    capex: dict[str, CapexItem] = Field(default_factory=dict)

    _fill = model_validator(mode="before")(_fill_stream_kinds)

    @model_validator(mode="after")
    def _amounts_given(self) -> BusinessLine:
        if not isinstance(self, PortLine):  # only a port has marine works to take an amount from
            used = [f"capex.{k}" for k, c in self.capex.items() if c.amount_from] + [f"opex.{k}" for k, o in self.opex.items() if o.amount_from]
            if used:
                raise ValueError(f"{', '.join(used)}: amount_from is for the port's items (its [port.marine] works); give the amount")
        return self


class ExpansionPhase(_Strict):
    """One expansion phase: a decision of its own, costed like the first construction."""

    capacity_tonnes_per_year: Q(
        "tonnes per year", "capacity the phase adds; without it, worked out from the berths it adds (berths x hours x "
        "occupancy x productivity, the occupancy at the new number of berths)", ge=0, optional=True,
    )
    capex_idr: Q("IDR", "base cost estimate of the phase, base-year prices, before contingency and optimism bias", ge=0)
    contingency: Q(FRACTION, "physical contingency on the base estimate (as for the first construction)", ge=0, le=1)
    optimism_bias: Q(FRACTION, "HM Treasury Green Book optimism-bias uplift (as for the first construction)", ge=0, le=2)
    berths: Int(0, 10) | None = Field(
        None, description="berths the phase adds (0: yard or equipment only); needed with port.capacity.parcel_tonnes_per_call, "
        "for the ships' waiting time"
    )
    yard_area_m2: Q(
        "m2", "stacking area the phase adds to the yard ([port.capacity.yard]), at the yard's density, dwell time and "
        "utilisation; the port's capacity is the smaller of the berths' and the yard's", ge=0, optional=True,
    )
    opex_idr_per_year: Q(
        "IDR per year", "fixed operating and maintenance cost the phase adds from the year it is in service, base-year "
        "prices (upkeep of the new works, the staff it needs); none when not given", ge=0, optional=True,
    )

    @model_validator(mode="after")
    def _capacity_given(self) -> ExpansionPhase:
        if self.capacity_tonnes_per_year is None and not self.berths and self.yard_area_m2 is None:
            raise ValueError("give capacity_tonnes_per_year, the berths the phase adds (its capacity is then worked out), "
                             "or the yard area it adds (yard_area_m2)")
        return self


class Expansion(_Strict):
    """Expansion phases built in order when cargo demand passes a share of the capacity."""

    build: Literal["when_triggered", "never"] = Field(
        description="when_triggered: each phase is decided when demand passes the trigger; never: no expansion in this "
        "case (the phases' incremental value is still reported, for a later decision)"
    )
    trigger_occupancy: Q(FRACTION, "build the next phase when demand exceeds this share of the capacity in service", gt=0, le=1)
    lead_time_years: Int(0, 10) = Field(description="years from the decision (and capex) to service")
    trigger_on: Literal["demand_now", "demand_when_online"] = Field(
        "demand_now", description="the demand compared with the trigger: this year's (demand_now), or the forecast for the "
        "year the phase would come into service, a lead time ahead (demand_when_online: decided in time)"
    )
    when_unfunded: Literal["gap_funding", "defer"] = Field(
        description="a phase the BUMD's cash cannot pay for when it is triggered: gap_funding (financed by "
        "[financing.funding_gap], which must then be given) or defer (not built within the model years, flagged)"
    )
    asset_class: AssetClass = "building_permanent"
    phases: dict[str, ExpansionPhase]


class YardCapacity(_Strict):
    """Storage-yard capacity (feasibility.domain.capacity.yard_capacity_tonnes_per_year)."""

    area_m2: Q("m2", "stacking area of the yard", ge=0)
    # both left out when every cargo type states its own (the rules check it)
    stacking_density_tonnes_per_m2: Q("tonnes per m2", "tonnes stacked on a square metre", ge=0, optional=True)
    dwell_days: Q("days", "average days cargo stays in the yard", gt=0, le=365, optional=True)
    max_utilisation: Q(FRACTION, "highest usable share of the static capacity", gt=0, le=1)


class BerthCapacity(_Strict):
    """Berth capacity, UNCTAD (1985) style: it caps the cargo the port can handle.

    With a yard, the capacity is the smaller of the berths' and the yard's;
    expansion phases add berth capacity.
    """

    berths: Int(1, 50) | None = Field(
        None, description="number of berths; with [port.marine], worked out from the quay's length and the design ship "
        "(feasibility.domain.capacity.berths_from_quay_length), and then it must agree if given"
    )
    working_hours_per_year: Q("hours per year", "hours a year a berth is open", ge=0, le=8784)
    # left out when every cargo type states its own (the rules check it)
    productivity_tonnes_per_hour: Q("tonnes per berth-hour", "gross handling productivity per berth-hour", ge=0, optional=True)
    max_berth_occupancy: Q(
        FRACTION, "highest acceptable berth occupancy (an assumption; UNCTAD 1985: ~0.4-0.5 for one berth)", gt=0, le=1
    )
    allowed_waiting_ratio: Q(
        "multiple of the berth time", "the mean waiting time for a berth the port accepts, as a multiple of a ship's mean time "
        "at the berth; the berths' occupancy is then also held to what the M/E2/c queue allows for their number (UNCTAD 1985)",
        gt=0, le=10, optional=True,
    )
    parcel_tonnes_per_call: Q(
        "tonnes per call", "average cargo a ship loads or discharges per call; with the productivity, it sets the berth time per call, "
        "the ship calls and the ships' waiting time for a berth (M/E2/c, UNCTAD 1985)", gt=0, optional=True,
    )
    gt_per_call: Q(
        "GT", "gross tonnage of a calling ship; with the ship calls, the volume of port dues and berthing charged per GT",
        gt=0, le=500_000, optional=True,
    )
    expansion: Expansion | None = None
    yard: YardCapacity | None = None


class Marine(_Strict):
    """The port's marine works from the site's geometry (:func:`feasibility.domain.marine.dredging`).

    The design ship sets the design depths (draft plus under-keel clearance) and
    the basin (a turning circle and the berth pocket); the seabed's slope and the
    trestle's length set the natural depth at the berth, hence the capital
    dredging of the basin and the approach channel; the dredged area times the
    siltation rate is the maintenance dredging. The quay's length holds a whole
    number of design ships (:func:`feasibility.domain.capacity.berths_from_quay_length`).
    Unit prices of another year are restated to base-year prices with ``[macro.price_index]``.
    """

    design_ship: Text = Field(description="the design ship, in words (e.g. a 5,000 DWT general-cargo ship)")
    ship_length_m: Q("m", "length overall of the design ship", gt=0, le=400)
    ship_draft_m: Q("m", "the design ship's loaded draft", gt=0, le=25)
    berth_ukc_share: Q(FRACTION, "under-keel clearance at the berth, share of the draft (PIANC: about 0.10 where sheltered)", ge=0, le=1)
    channel_ukc_share: Q(FRACTION, "under-keel clearance in the approach channel, share of the draft (PIANC: 0.15 or more with waves)", ge=0, le=1)
    quay_length_m: Q("m", "length of the quay; it holds a whole number of design ships", gt=0, le=5000)
    berth_gap_m: Q("m", "clearance between ships and at the quay's ends", ge=0, le=100)
    berth_pocket_width_m: Q("m", "width of the dredged pocket along the quay", ge=0, le=200)
    turning_circle_ships: Q("ship lengths", "diameter of the turning circle, in ship lengths (about 2 without tugs)", ge=1, le=5)
    channel_width_m: Q("m", "bottom width of the approach channel", ge=0, le=1000)
    side_slope: Q("horizontal per vertical", "side slopes of the dredged cut, 1:m (1:5 to 1:10 in soft soil)", ge=0, le=50)
    seabed_slope: Q(FRACTION, "slope of the seabed offshore, metres of depth per metre (0.002 for 0.2 %)", gt=0, lt=1)
    shore_depth_m: Q("m", "depth below chart datum (LWS) where the trestle leaves the shore", ge=0, le=50)
    trestle_length_m: Q("m", "length of the trestle (approach bridge) from the shore to the wharf", ge=0, le=20000)
    siltation_m_per_year: Q("m per year", "sediment settling on the dredged area each year", ge=0, le=10)
    trestle_cost_idr_per_m: Q("IDR per m", "cost of a metre of trestle, in the prices of its year (restated to the base year)", ge=0)
    dredging_cost_idr_per_m3: Q("IDR per m3", "cost of a cubic metre dredged, in the prices of its year (restated to the base year)", ge=0)


class PortLine(BusinessLine):
    concession_fee_share_of_revenue: Q(
        FRACTION, "concession fee to the state, share of gross port revenue", ge=0, le=0.5
    )
    capacity: BerthCapacity | None = Field(
        None, description="caps the cargo-handling volumes; no cap when absent"
    )
    marine: Marine | None = None

    @model_validator(mode="after")
    def _marine_amounts(self) -> PortLine:
        if self.marine is None:
            used = [f"capex.{k}" for k, c in self.capex.items() if c.amount_from] + [f"opex.{k}" for k, o in self.opex.items() if o.amount_from]
            if used:
                raise ValueError(f"{', '.join(used)} take their amount from [port.marine], which is not given")
        if self.capacity is not None and self.capacity.berths is None and self.marine is None:
            raise ValueError("capacity.berths is missing: give it, or [port.marine] with the quay's length and the design ship")
        return self


class LabLine(BusinessLine):
    accreditation_year: Year = Field(
        description="first year the lab's results are legally valid (KAN accreditation and "
        "registration, Permen LHK P.23/2020); no lab revenue before it"
    )


class Timeline(_Strict):
    start_year: Year = Field(description="first model year (first construction year); t = 0 for discounting")
    price_base_year: Year = Field(description="year whose prices the real inputs are in")
    construction_years: Int(0, 10)
    operating_years: Int(1, 60)
    price_basis: Literal["real", "nominal"] = Field(
        "real", description="basis of the results shown: constant base-year prices or current prices"
    )

    @property
    def first_operating_year(self) -> int:
        return self.start_year + self.construction_years

    @property
    def end_year(self) -> int:
        return self.start_year + self.construction_years + self.operating_years - 1

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class PriceIndex(_Strict):
    """A price index by year (e.g. the CPI): restates public figures of other years to the base year's prices.

    ``value x index[base year] / index[the figure's year]`` (a figure's year is its ``year`` field).
    """

    # TOML keys are text: "2024" is read as the year 2024
    values: dict[Annotated[int, Field(ge=1900, le=2200)], Annotated[float, BeforeValidator(_no_bool), Field(gt=0, le=1e6, allow_inf_nan=False)]] = Field(
        min_length=1, description="index level by year (any base)"
    )
    source: Annotated[str, Field(min_length=1)]
    confidence: Confidence
    note: str = ""


class Macro(_Strict):
    inflation_per_year: Q(PER_YEAR, "general (CPI) inflation, to turn base-year prices into current prices", ge=-0.05, le=0.5)
    price_index: PriceIndex | None = Field(
        None, description="the deflator public figures of other years (PAD, APBD) are restated with to the base year"
    )


class Tax(_Strict):
    corporate_income_tax_rate: Q(FRACTION, "corporate income tax rate (UU HPP 7/2021: 22%)", ge=0, le=0.6)
    loss_carryforward_years: Int(0, 20) = Field(
        5, description="years a fiscal loss may be carried forward (UU PPh art. 6(2): 5)"
    )


class WorkingCapital(_Strict):
    receivable_days: Q("days", "days of revenue outstanding", ge=0, le=365)
    payable_days: Q("days", "days of cash operating costs outstanding", ge=0, le=365)


class Allocation(_Strict):
    legal_reserve_share: Q(
        FRACTION, "share of net profit to the legal reserve (PP 54/2017 art. 88; UU 40/2007 art. 70: at least 20%)", ge=0.2, le=1
    )
    legal_reserve_cap_share_of_capital: Q(
        FRACTION, "the reserve grows until it reaches this share of paid-in capital (PP 54/2017: at least 20%)", ge=0.2, le=1
    )
    tantiem_share: Q(
        FRACTION, "tantiem and staff bonus, share of profit after the reserve (PP 54/2017: at most 5%)", ge=0, le=0.05
    )
    dividend_payout: Q(FRACTION, "share of the remaining profit paid as dividend", ge=0, le=1)
    dividend_lag_years: Int(0, 1) = Field(
        1, description="dividends on year t's profit are paid in year t + lag (after the AGM)"
    )


class Bumd(_Strict):
    name: Text
    form: Literal["perumda", "perseroda"]
    ownership_share_region: Q(FRACTION, "the region's share of the BUMD's equity", gt=0, le=1)
    allocation: Allocation
    overhead: dict[str, FixedOpex] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Bumd:
        s = self.ownership_share_region.value
        if self.form == "perumda" and s != 1:
            raise ValueError(f"a perumda is wholly owned by the region: ownership_share_region must be 1, got {s:g}")
        if self.form == "perseroda" and s < 0.51:
            raise ValueError(f"a perseroda needs at least 51% regional ownership (PP 54/2017), got {s:g}")
        used = [f"overhead.{k}" for k, o in self.overhead.items() if o.amount_from]
        if used:
            raise ValueError(f"{', '.join(used)}: amount_from is for the port's items (its [port.marine] works); give the amount")
        return self


class Injection(_Strict):
    years: list[Year]
    amount_idr_nominal: Q("IDR (nominal)", "the region's capital injection (penyertaan modal) by year", ge=0, is_list=True)

    @model_validator(mode="after")
    def _check(self) -> Injection:
        if len(self.years) != len(self.amount_idr_nominal.value):
            raise ValueError(
                f"years has {len(self.years)} entries but amount_idr_nominal has {len(self.amount_idr_nominal.value)}"
            )
        if len(set(self.years)) != len(self.years):
            raise ValueError(f"years must not repeat, got {self.years}")
        return self


class Loan(_Strict):
    share_of_construction_capex: Q(FRACTION, "share of each construction year's capex drawn from this loan", ge=0, le=1)
    interest_rate: Q(PER_YEAR, "nominal interest rate", ge=0, le=0.5)
    grace_years: Int(0, 20) = Field(
        0, description="operating years with interest only before the first repayment"
    )
    tenor_years: Int(1, 40) = Field(description="years of repayment")
    repayment: Literal["annuity", "straight_line"] = "annuity"


class StandbyFacility(_Strict):
    """A standby credit line that finances cash shortfalls, repaid from later surpluses."""

    limit_idr_nominal: Q("IDR (nominal)", "the most the facility lends at any time", ge=0)
    interest_rate: Q(PER_YEAR, "nominal interest rate on the balance drawn", ge=0, le=0.5)


class FundingGap(_Strict):
    """How a year's cash shortfall is financed (the gap between the plan's funding and its needs).

    ``sources`` are used in their order: ``standby_facility`` up to its limit,
    ``top_up`` as new capital from the shareholders (the region's share from
    the APBD). A shortfall no source covers is reported as an unfunded gap.
    """

    sources: Annotated[list[Literal["standby_facility", "top_up"]], Field(min_length=1)]
    standby_facility: StandbyFacility | None = None

    @model_validator(mode="after")
    def _check(self) -> FundingGap:
        if len(set(self.sources)) != len(self.sources):
            raise ValueError(f"sources must not repeat, got {self.sources}")
        if ("standby_facility" in self.sources) != (self.standby_facility is not None):
            raise ValueError("give [financing.funding_gap.standby_facility] exactly when sources lists \"standby_facility\"")
        return self


class Financing(_Strict):
    cost_of_equity_nominal: Q(PER_YEAR, "return the owners require on equity, nominal", ge=0, le=1)
    deposit_rate_nominal: Q(
        PER_YEAR, "interest the BUMD earns on its idle cash (a bank deposit), nominal; without it idle cash earns nothing",
        ge=0, le=0.5, optional=True,
    )
    capital_injection: Injection
    loans: dict[str, Loan] = Field(default_factory=dict)
    funding_gap: FundingGap | None = Field(
        None, description="how cash shortfalls are financed; without it a shortfall is reported as an unfunded gap"
    )

    @model_validator(mode="after")
    def _check(self) -> Financing:
        total = sum(loan.share_of_construction_capex.value for loan in self.loans.values())
        if total > 1 + 1e-12:
            raise ValueError(f"loans together finance more than all construction capex: shares sum to {total:g}")
        return self


class Region(_Strict):
    discount_rate_nominal: Q(
        PER_YEAR, "the region's opportunity cost of money, nominal (e.g. the 10-year government bond yield)", ge=0, le=1
    )
    pad_idr_per_year: Q(
        "IDR per year", "the region's own-source revenue (PAD), base-year prices: the scale dividends are compared with", gt=0, optional=True
    )
    pad_growth_real_per_year: Q(PER_YEAR, "real growth of PAD", ge=-0.2, le=0.2, optional=True)
    apbd_idr_per_year: Q("IDR per year", "the region's total budget (APBD), base-year prices", gt=0, optional=True)
    final_stake: Literal["net_assets", "none"] = Field(
        "net_assets",
        description="the region's share of the BUMD at the end of the model years: net_assets (its cash and assets, at the "
        "[residual_value] method, nothing for assets that revert to a concession's grantor, less its loans; the budget "
        "office's view) or none (counted as nothing)",
    )
    liquidation_discount: Q(
        FRACTION, "share of the assets' residual value lost when the stake is valued at the end (a forced sale); "
        "without it the assets count at their residual value", ge=0, le=1, optional=True,
    )


class ConversionFactors(_Strict):
    """Economic (shadow) prices as multiples of financial prices (ADB 2017; EU CBA Guide 2014, s. 2.8).

    A factor below 1 removes taxes, duties and other distortions embedded in
    a financial price (e.g. 1/1.11 takes VAT out of a construction cost).
    """

    output: Q(
        FRACTION + " (conversion factor)", "the BUMD's revenue (the users' payment for its services, non-traded): the standard "
        "conversion factor, equal to operating_costs; without it operating_costs applies", ge=0, le=3, optional=True,
    )
    construction: Q(FRACTION + " (conversion factor)", "civil works and buildings (capex and residual value)", ge=0, le=3)
    equipment: Q(FRACTION + " (conversion factor)", "equipment, PMK 72/2023 groups 1-4 (largely traded goods)", ge=0, le=3)
    land: Q(FRACTION + " (conversion factor)", "land: its opportunity cost in its next-best use", ge=0, le=3)
    operating_costs: Q(
        FRACTION + " (conversion factor)", "non-traded goods and services bought: operating costs other than unskilled labour, "
        "studies and design (the standard conversion factor)", ge=0, le=3,
    )
    shadow_wage: Q(
        FRACTION + " (conversion factor)", "unskilled labour: the shadow wage as a share of the market wage (unemployment)", ge=0, le=3
    )


class BenefitStream(_Strict):
    """An economic benefit: volume x unit value by year, in constant base-year prices.

    The volume follows a revenue stream (``follows = "lab.lab_tests"``: samples,
    times ``units_per_stream_unit``, e.g. avoided trips per sample) or is fixed
    (``volume_units_per_year`` from the first operating year). Benefits are
    what users and others gain **beyond** the tariff they pay the BUMD (the tariff
    is already counted as the revenue), to avoid double counting.
    """

    label: Text
    unit: Annotated[str, Field(min_length=1)] = Field(description="what one unit is (trip, tonne, hour)")
    unit_value_idr: Q("IDR per unit", "economic value of one unit, base-year prices", ge=0)
    real_growth_per_year: Q(PER_YEAR, "real growth of the unit value (e.g. value of time with income)", ge=-0.2, le=0.2, optional=True)
    follows: str | None = Field(None, description="a revenue stream, line.stream (e.g. lab.lab_tests)")
    traffic: Literal["diverted", "generated"] | None = Field(
        None, description="with follows: whether the benefit arises on the stream's diverted volume (a resource saving "
        "against the alternative the users leave) or on its generated volume ([economic.traffic])"
    )
    units_per_stream_unit: Q("units per stream unit", "benefit units per unit of the stream's volume", ge=0, optional=True)
    volume_units_per_year: Q("units per year", "a fixed volume, from the first operating year", ge=0, optional=True)

    @model_validator(mode="after")
    def _one_volume(self) -> BenefitStream:
        if (self.follows is None) == (self.volume_units_per_year is None):
            raise ValueError("give exactly one of follows (with units_per_stream_unit and traffic) or volume_units_per_year")
        if self.follows is not None and (self.units_per_stream_unit is None or self.traffic is None):
            raise ValueError("follows needs units_per_stream_unit and traffic (diverted or generated)")
        if self.follows is None and self.traffic is not None:
            raise ValueError("traffic is for a benefit that follows a revenue stream")
        return self


class Externality(_Strict):
    """An external effect of the project on people who neither pay nor are paid (EU CBA Guide 2014, s. 2.8: non-market impacts):
    volume x unit value by year, constant base-year prices; a **negative** unit value is a cost (noise,
    congestion, lost fish catch), a positive one a benefit (emissions avoided).

    The volume follows a revenue stream (``follows``, with ``units_per_stream_unit``:
    e.g. truck-km per tonne) or is fixed from the first operating year
    (``volume_units_per_year``), and may add a one-off volume in one year
    (``once_units`` in ``once_year``: capital dredging during construction).
    """

    label: Text
    unit: Annotated[str, Field(min_length=1)] = Field(description="what one unit is (m3 dredged, truck-km, tonne of CO2)")
    unit_value_idr: Q("IDR per unit", "economic value of one unit, base-year prices: negative for a cost, positive for a benefit")
    real_growth_per_year: Q(PER_YEAR, "real growth of the unit value", ge=-0.2, le=0.2, optional=True)
    follows: str | None = Field(None, description="a revenue stream, line.stream (e.g. port.cargo_handling)")
    traffic: Literal["diverted", "generated"] | None = Field(
        None, description="with follows: only the stream's diverted or generated volume ([economic.traffic]); without it, all of it"
    )
    units_per_stream_unit: Q("units per stream unit", "units of the effect per unit of the stream's volume", ge=0, optional=True)
    volume_units_per_year: Q("units per year", "a fixed volume, from the first operating year", ge=0, optional=True)
    once_units: Q("units", "a one-off volume in once_year", ge=0, optional=True)
    once_year: Year | None = Field(None, description="the year of the one-off volume")
    volume_from: Literal["marine.maintenance_dredging"] | None = Field(
        None, description="the yearly volume taken from the port's marine works: marine.maintenance_dredging (m3 a year)"
    )
    once_from: Literal["marine.capital_dredging"] | None = Field(
        None, description="the one-off volume taken from the port's marine works: marine.capital_dredging (m3, in once_year)"
    )

    @model_validator(mode="after")
    def _volumes(self) -> Externality:
        yearly = [f for f in ("follows", "volume_units_per_year", "volume_from") if getattr(self, f) is not None]
        if len(yearly) > 1:
            raise ValueError(f"give one yearly volume: {' or '.join(yearly)}, not both")
        if self.once_units is not None and self.once_from is not None:
            raise ValueError("give once_units or once_from, not both")
        if self.follows is not None and self.units_per_stream_unit is None:
            raise ValueError("follows needs units_per_stream_unit")
        if self.follows is None and self.traffic is not None:
            raise ValueError("traffic is for an effect that follows a revenue stream")
        if (self.once_units is None and self.once_from is None) != (self.once_year is None):
            raise ValueError("give once_units (or once_from) and once_year together")
        if not yearly and self.once_units is None and self.once_from is None:
            raise ValueError("give a volume: follows (with units_per_stream_unit), volume_units_per_year, volume_from, "
                             "or once_units (or once_from) with once_year")
        return self


class Traffic(_Strict):
    """Where a revenue stream's volume comes from (EU CBA Guide 2014: generated versus diverted traffic).

    Diverted volume would be served anyway by an alternative with spare capacity
    (another port or lab): its tariff is a transfer between operators, so the
    economic analysis counts for it only the resources saved, the alternative's
    cost of serving it (``alternative_cost_idr_per_unit``) plus any benefit
    stream marked ``traffic = "diverted"``. Generated volume is new: its users'
    payment (the revenue at the output conversion factor) is the benefit.
    """

    diverted_share: Q(FRACTION, "share of the stream's volume taken from alternatives with spare capacity", ge=0, le=1)
    alternative_cost_idr_per_unit: Q(
        "IDR per unit", "the alternative's resource cost of serving one unit, base-year prices (saved when it is diverted)", ge=0
    )


class Economic(_Strict):
    """Economic cost-benefit analysis (ADB 2017 Guidelines; EU CBA Guide 2014, s. 2.8).

    With- versus without-project: the project's resource costs at economic
    prices (conversion factors), taxes and the concession fee removed (transfers),
    working capital removed (a financial claim), plus the benefits to users and
    the region as explicit streams; in constant prices, at a real social
    discount rate.
    """

    social_discount_rate: Q(PER_YEAR + " (real)", "social discount rate, real", ge=0, le=0.5)
    conversion_factors: ConversionFactors
    traffic: dict[str, dict[str, Traffic]] = Field(
        description="every revenue stream, by line and stream ([economic.traffic.port.cargo_handling]): generated or diverted"
    )
    benefits: dict[str, BenefitStream] = Field(default_factory=dict)
    externalities: dict[str, Externality] = Field(
        default_factory=dict, description="external costs (negative values) and benefits to third parties, each its own line"
    )
    ship_waiting_cost_idr_per_day: Q(
        "IDR per ship-day", "the cost of a ship-day spent waiting for a berth (the ship's time charter and crew, and the "
        "cargo's time), base-year prices: the ships' waiting time at the port's berths is an economic cost", ge=0, optional=True,
    )
    construction_unskilled_labour_share: Q(
        FRACTION, "share of the construction cost (civil works and buildings, net of VAT) that is unskilled labour, valued at "
        "the shadow wage (ADB 2017; EU CBA Guide 2014); without it none is", ge=0, le=1, optional=True,
    )

    @model_validator(mode="after")
    def _one_standard_factor(self) -> Economic:
        # non-traded outputs and inputs at one standard conversion factor (EU CBA Guide 2014, s. 2.8; ADB 2017):
        # a revenue at 1.0 against costs at 0.95 moves the ENPV by the difference alone
        cf = self.conversion_factors
        if cf.output is not None and cf.output.value != cf.operating_costs.value:
            raise ValueError(
                f"conversion_factors.output ({cf.output.value:g}) and conversion_factors.operating_costs "
                f"({cf.operating_costs.value:g}) must be equal: non-traded services produced and bought are valued at one "
                "standard conversion factor (EU CBA Guide 2014, s. 2.8)"
            )
        return self


class Ppp(_Strict):
    """The KPBU (PPP) route: viability-gap funding (dukungan kelayakan).

    Perpres 38/2015 (the KPBU framework); PMK 223/PMK.011/2012 as amended by
    PMK 170/PMK.08/2018 (viability-gap funding). The construction cost the floor,
    the cap and the grant are measured on is that of the first construction
    (no renewal, no expansion phase) without land, with the interest during
    construction. ``payment`` and ``procurement`` are eligibility conditions the
    case must state; the transfer of the assets at the end of the cooperation
    period is read from ``[concession]`` (the port's assets revert to the
    grantor) unless ``asset_transfer`` states otherwise.
    """

    viability_gap_grant_share: Q(
        FRACTION, "viability-gap grant as a share of the construction cost (first construction, without land, with interest "
        "during construction), paid in the construction years (0: none)", ge=0, le=1
    )
    max_grant_share: Q(
        FRACTION, "the largest grant allowed, share of the construction cost (without land, with interest during construction)",
        ge=0, le=1,
    )
    min_investment_idr: Q(
        "IDR", "smallest construction cost eligible for viability-gap funding: the first construction without land, with "
        "interest during construction, base-year prices", ge=0,
    )
    payment: Literal["user_charges", "availability_payment"] = Field(
        description="how the implementing entity is paid: user_charges (tariffs the users pay) or availability_payment (the "
        "government pays for the service made available); viability-gap funding needs user_charges"
    )
    procurement: Literal["competitive_tender", "direct_appointment"] = Field(
        description="how the implementing entity is chosen: competitive_tender, or direct_appointment (e.g. a BUMD the region "
        "founds and appoints itself); viability-gap funding needs competitive_tender"
    )
    asset_transfer: Annotated[bool, Field(strict=True)] | None = Field(
        None, description="whether the project's assets pass to the government at the end of the cooperation period; left "
        "out: read from [concession] (its assets revert to the grantor, with or without payment)"
    )


class EconomicLives(_Strict):
    """Economic (not tax) lives by asset class, for the residual value."""

    building_permanent: Q("years", "economic life of permanent structures (wharf, trestle, dredged basin)", ge=1, le=100)
    building_non_permanent: Q("years", "economic life of non-permanent buildings", ge=1, le=100)
    group_1: Q("years", "economic life of group-1 assets", ge=1, le=100)
    group_2: Q("years", "economic life of group-2 assets", ge=1, le=100)
    group_3: Q("years", "economic life of group-3 assets", ge=1, le=100)
    group_4: Q("years", "economic life of group-4 assets", ge=1, le=100)


class ResidualValue(_Strict):
    method: Literal["economic_life", "book_value", "none"] = Field(
        "book_value",
        description="economic_life: each asset's cost, restated to last-year prices, times the share of its "
        "economic life left at the end, land at its full real value (EU CBA Guide 2014, s.2.5); book_value: tax written-down "
        "value (land at historical cost); none: nothing. Net working capital is recovered in the last "
        "year unless the method is none.",
    )
    economic_life_years: EconomicLives | None = None

    @model_validator(mode="after")
    def _check(self) -> ResidualValue:
        if self.method == "economic_life" and self.economic_life_years is None:
            raise ValueError("method economic_life needs an [residual_value.economic_life_years] table")
        return self


class Concession(_Strict):
    """The port's concession (a BUP's, UU 17/2008): its term and what happens to the assets when it ends."""

    term_years: Int(1, 100) = Field(description="operating years of the concession, from the first operating year")
    reversion: Literal["without_payment", "with_payment"] = Field(
        description="the port's assets revert to the grantor when the concession ends: without payment, or for "
        "transfer_payment_idr"
    )
    transfer_payment_idr: Q("IDR", "what the grantor pays for the assets at the concession's end, base-year prices", ge=0, optional=True)
    land_reverts: bool = Field(True, description="whether the port's land reverts too (false: the BUMD keeps land it bought)")

    @model_validator(mode="after")
    def _check(self) -> Concession:
        if (self.reversion == "with_payment") != (self.transfer_payment_idr is not None):
            raise ValueError("give transfer_payment_idr exactly when reversion is \"with_payment\"")
        return self


class Bilingual(_Strict):
    """A text in Indonesian and English; the report shows the one of its language."""

    id: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]


#: a text: one string (any language) or a table { id = "...", en = "..." }
Text = Union[str, Bilingual]
#: a text that must say something: a non-empty string or a bilingual table
Required = Union[Annotated[str, Field(min_length=1)], Bilingual]

# the cargo build-up's models name their texts before Text is defined
for _model in (AnchorShipper, TopDownCargo, HinterlandCargo, CargoType, STREAM_MODELS["cargo_handling"]):
    _model.model_rebuild()
del _model


def in_lang(text: Text | None, lang: str) -> str:
    """The text to show in a language (a plain string is shown as it is)."""
    if text is None:
        return ""
    return getattr(text, lang) if isinstance(text, Bilingual) else text


class CaseInfo(_Strict):
    name: Text
    description: Text = ""
    #: what is proposed and how big, in a council member's words (the report's first screen; the description when empty)
    scope: Text = ""
    #: the language of the case file's single-language texts (sources, notes): the report marks them as quoted in it
    language: Literal["id", "en"] = "en"
    currency: Literal["IDR"] = "IDR"


ReportSection = Literal["need", "legal", "market", "technical", "management", "environment", "financial", "economic", "budget", "risk"]


class Note(_Strict):
    title: Text
    text: Text
    source: Text = ""
    confidence: Confidence | Literal["unverified"] = "secondary"
    severity: Literal["info", "low", "medium", "high"] = "info"
    section: ReportSection = Field("need", description="the report section the note belongs to")
    #: what the council can require to settle it (a condition of the recommendation); a generic request when empty
    action: Text = ""


class DataPlanItem(_Strict):
    """How to replace a group of placeholder numbers with measured ones: who holds the data, how, cost and time.

    ``inputs`` are patterns of quantity paths (``fnmatch``: ``port.capex.*``);
    the report lists the placeholders and the numbers the verdict rests on
    that each item covers, and any it leaves uncovered. Cost and time are rough
    figures of the analyst, shown with their confidence; ``stage`` orders the
    work (the surveys that can stop the plan before the costly design).
    """

    title: Text
    inputs: list[str] = Field(min_length=1, description="quantity path patterns (fnmatch) the survey or study replaces")
    holder: Text = Field(description="who holds the data")
    method: Text = Field(description="how to obtain it")
    cost_idr: Annotated[float, BeforeValidator(_no_bool), Field(ge=0)] = Field(description="rough cost of obtaining it, IDR")
    months: Annotated[int, Field(ge=0, le=60)] = Field(description="rough time to obtain it, months")
    confidence: Confidence = "placeholder"
    #: 1: first, the surveys that can stop the plan; 2: only once stage 1 supports it (a port's detailed design)
    stage: Annotated[int, Field(ge=1, le=3)] = 1


#: verdict criteria a report can apply, in the order shown
CRITERIA = ("fnpv", "firr", "bcr", "dscr", "cash", "risk", "payback", "enpv")


class Criteria(_Strict):
    """The verdict criteria of the council report, each pass/fail with its threshold."""

    apply: list[Literal["fnpv", "firr", "bcr", "dscr", "cash", "risk", "payback", "enpv"]] = Field(
        default_factory=lambda: list(CRITERIA), description="which criteria the verdict uses"
    )
    min_dscr: Annotated[float, BeforeValidator(_no_bool), Field(ge=0, le=10)] = Field(
        1.3,
        description="the lowest minimum DSCR a lender accepts (FHWA P3 primer: 1.3 a common test value): "
        "the verdict's DSCR test, the minimum DSCR's switching value and P(minimum DSCR < it) in the Monte Carlo",
    )
    max_prob_npv_negative: Annotated[float, BeforeValidator(_no_bool), Field(ge=0, le=1)] = Field(
        0.2, description="the largest acceptable probability that FNPV < 0 (Monte Carlo)"
    )
    concession_years: Int(1, 100) | None = Field(  # deprecated: [concession] term_years
        None, description="years of the port concession (BUP): payback must come within them (default: operating years)"
    )


class Scenario(_Strict):
    """A named set of values replacing case quantities (low / base / high, ...)."""

    #: the scenario's name for readers (its key when empty)
    label: Text = ""
    description: Text = ""
    set: dict[str, Union[Annotated[float, BeforeValidator(_no_bool)], list[Annotated[float, BeforeValidator(_no_bool)]]]] = Field(
        description="quantity path -> value (a list for list quantities), checked against the quantity's range"
    )


class DistributionSpec(_Strict):
    """The uncertainty of one input (kinds and parameters: :mod:`feasibility.domain.distributions`).

    Values are in the quantity's own unit. For ``pert``, ``triangular`` and
    ``uniform``, ``low`` and ``high`` default to the quantity's ``low`` and
    ``high``, and ``mode`` to its ``value``. With ``range_basis = "p10_p90"``
    (``pert`` and ``triangular``) ``low`` and ``high`` are the 10th and 90th
    percentiles, not the ends: the ends are solved with the mode kept
    (:func:`feasibility.domain.distributions.bounds_from_percentiles`); where
    they default to the quantity's range, the tornado's low and high and the
    Monte Carlo's P10 and P90 are the same values.
    """

    kind: Literal["triangular", "pert", "normal", "truncated_normal", "lognormal", "uniform", "discrete"]
    low: Annotated[float, BeforeValidator(_no_bool)] | None = None
    mode: Annotated[float, BeforeValidator(_no_bool)] | None = None
    high: Annotated[float, BeforeValidator(_no_bool)] | None = None
    mean: Annotated[float, BeforeValidator(_no_bool)] | None = None
    sd: Annotated[float, BeforeValidator(_no_bool)] | None = None
    shape: Annotated[float, BeforeValidator(_no_bool)] | None = None
    shift: Annotated[float, BeforeValidator(_no_bool)] | None = None
    values: list[Annotated[float, BeforeValidator(_no_bool)]] | None = None
    probabilities: list[Annotated[float, BeforeValidator(_no_bool)]] | None = None
    range_basis: Literal["min_max", "p10_p90"] = Field(
        "min_max", description="low and high are the ends (min_max) or the 10th and 90th percentiles (p10_p90; pert and triangular)"
    )
    source: Required = Field(description="where the spread comes from")
    confidence: Confidence = "estimate"
    note: str = ""

    def params(self, q: Quantity | None = None) -> dict[str, Any]:
        """The distribution's parameters, with defaults from the quantity ``q``."""
        out = {
            k: getattr(self, k)
            for k in ("low", "mode", "high", "mean", "sd", "shape", "shift", "values", "probabilities")
            if getattr(self, k) is not None
        }
        if q is not None and self.kind in ("pert", "triangular", "uniform"):
            if "low" not in out and q.low is not None:
                out["low"] = float(q.low)
            if "high" not in out and q.high is not None:
                out["high"] = float(q.high)
            if self.kind != "uniform" and "mode" not in out and not q.is_list:
                out["mode"] = float(q.value)
        if self.range_basis == "p10_p90" and self.kind in ("pert", "triangular"):
            for end, pct in (("low", "p10"), ("high", "p90")):
                if end in out:
                    out[pct] = out.pop(end)
        return out

    @model_validator(mode="after")
    def _percentiles_for_pert_and_triangular(self) -> DistributionSpec:
        if self.range_basis == "p10_p90" and self.kind not in ("pert", "triangular"):
            raise ValueError(f'range_basis "p10_p90" is for pert and triangular distributions, not {self.kind}')
        return self


class Correlation(_Strict):
    """A target rank (Spearman) correlation between two uncertain inputs (Iman-Conover)."""

    between: Annotated[list[str], Field(min_length=2, max_length=2)]
    rank: Annotated[float, BeforeValidator(_no_bool), Field(ge=-1, le=1)]
    source: Required
    note: str = ""


#: Monte Carlo iterations allowed, here and in the CLI and the studio (a report may also take 0: none)
ITERATIONS_MIN, ITERATIONS_MAX = 1, 1_000_000


class Risk(_Strict):
    """Monte Carlo settings: distributions of inputs, their correlations, the seed."""

    iterations: Int(ITERATIONS_MIN, ITERATIONS_MAX) = 10_000
    seed: Int(0, 2**63 - 1) = 20261127
    #: deprecated: the one DSCR threshold is criteria.min_dscr; kept so that older case files
    #: (and the case text embedded in their reports) still load, when it equals min_dscr
    dscr_threshold: Annotated[float, BeforeValidator(_no_bool), Field(ge=0, le=10)] | None = Field(
        None,
        description="deprecated alias of criteria.min_dscr: when given it must equal it; "
        "remove it and set criteria.min_dscr",
    )
    distributions: dict[str, DistributionSpec] = Field(default_factory=dict, description="quantity path -> distribution")
    correlations: list[Correlation] = Field(default_factory=list)
    repair_correlations: bool = Field(
        False, description="when the correlations are mutually inconsistent (not positive semi-definite), sample with "
        "the nearest correlation matrix (Higham 2002) instead of refusing; the report shows each correlation as repaired")
    target_se: Annotated[float, BeforeValidator(_no_bool), Field(gt=0, le=0.1)] = Field(
        0.005, description="the Monte Carlo standard error of P(FNPV < 0) the simulation should reach (0.005: half a "
        "percentage point); the report says whether it did, and how many iterations would")

    def correlated_names(self) -> list[str]:
        """The variables of the correlation matrix: the inputs with a distribution, then the forecast streams
        (``<line>.revenue.<stream>.forecast.volumes``) that a correlation names, in order of first mention."""
        names = list(self.distributions)
        for c in self.correlations:
            for p in c.between:
                if p not in names:
                    names.append(p)
        return names

    def declared_correlation_matrix(self) -> Any:
        """The declared rank correlations, in the order of :meth:`correlated_names` (identity where none is given)."""
        import numpy as np

        names = self.correlated_names()
        pos = {n: i for i, n in enumerate(names)}
        m = np.eye(len(names))
        for c in self.correlations:
            i, j = pos[c.between[0]], pos[c.between[1]]
            m[i, j] = m[j, i] = c.rank
        return m

    def correlation_matrix(self) -> Any:
        """The rank correlations sampled: the declared ones, or their nearest valid matrix when asked to repair them."""
        m = self.declared_correlation_matrix()
        if self.repair_correlations:
            from ..domain.distributions import nearest_correlation

            return nearest_correlation(m)
        return m

    def repaired_ranks(self) -> list[float]:
        """Each declared correlation as sampled (its own value when no repair was needed or asked)."""
        m, pos = self.correlation_matrix(), {n: i for i, n in enumerate(self.correlated_names())}
        return [float(m[pos[c.between[0]], pos[c.between[1]]]) for c in self.correlations]


#: the most changes a two-way table's axis or the spider chart may have: a table a reader can read
CHANGES_MAX = 101


class TwoWay(_Strict):
    """A two-way sensitivity table: one metric over a grid of two inputs' relative changes."""

    rows: str
    cols: str
    metric: str = "fnpv_idr"
    row_changes: list[Annotated[float, BeforeValidator(_finite_change), Field(gt=-1, le=10)]] = Field(
        default_factory=lambda: [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3], min_length=1, max_length=CHANGES_MAX
    )
    col_changes: list[Annotated[float, BeforeValidator(_finite_change), Field(gt=-1, le=10)]] = Field(
        default_factory=lambda: [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3], min_length=1, max_length=CHANGES_MAX
    )


class Sensitivity(_Strict):
    """Settings of the one-way and two-way sensitivity analysis."""

    change: Annotated[float, BeforeValidator(_no_bool), Field(gt=0, lt=1)] = Field(
        0.1, description="relative change (+/-) for inputs without a declared low/high range"
    )
    critical_elasticity: Annotated[float, BeforeValidator(_no_bool), Field(gt=0)] = Field(
        1.0, description="an input is critical when a 1% change moves NPV by this many % or more (EU CBA Guide 2014)"
    )
    spider_changes: list[Annotated[float, BeforeValidator(_finite_change), Field(gt=-1, le=10)]] = Field(
        default_factory=lambda: [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3], max_length=CHANGES_MAX
    )
    two_way: list[TwoWay] = Field(default_factory=list)


class ServicesLine(BusinessLine):
    """Services for the industrial companies, the city as their service centre: warehousing and logistics,
    industrial waste transport, business services for UMKM suppliers (volume x tariff, like the other lines)."""


#: the business lines a case can define, in the order the model and the report take them
LINE_KEYS = ("port", "lab", "services")
LineKey = Literal["port", "lab", "services"]
Vehicle = Literal["bumd", "blud", "none"]


class Plan(_Strict):
    """Who runs the plan, and which of the business lines defined in the file it runs.

    ``vehicle``: ``bumd``, a regional company (corporate tax, the PP 54/2017
    allocation of profit, its overhead, loans and capital injections);
    ``blud``, a public service unit of the city (UPTD/BLUD, Permendagri
    79/2018: no corporate income tax, UU 36/2008 art. 2(3)(b); no dividends:
    the APBD pays its capital spending and any year's operating deficit, and
    its operating surplus is PAD); ``none``, no operating unit (the status quo,
    or only the region's participations in other companies). ``[bumd]`` and the
    BUMD's loans and capital injection (``[financing]``) describe the company:
    they apply only when ``vehicle = "bumd"``.
    """

    vehicle: Vehicle = "bumd"
    lines: list[LineKey] | None = Field(
        None, description="the business lines the plan runs (default: every line the file defines); the others serve the options"
    )

    @field_validator("lines")
    @classmethod
    def _no_repeats(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError(f"must not repeat a line, got {v}")
        return v


class Participation(_Strict):
    """The region's capital in a company it does not run itself (a joint BUMD with another region, a stake in a
    neighbour's port company): inter-regional cooperation, UU 23/2014 art. 363-365 and PP 28/2018; PP 54/2017
    for a BUMD owned by more than one region.

    Each year the company pays ``dividend_yield_nominal`` on the capital the
    region paid in before that year, from ``first_dividend_year``; at the end
    of the model years the stake is worth ``terminal_value_share_of_capital``
    of that capital (counted in the option's FNPV, not in the region's NPV,
    as for a BUMD's final net assets).
    """

    label: Text
    company: Text
    years: list[Year]
    amount_idr_nominal: Q("IDR (nominal)", "what the region pays for its stake, by year", ge=0, is_list=True)
    stake_share: Q(FRACTION, "the region's share of the company's equity", gt=0, le=1)
    dividend_yield_nominal: Q(PER_YEAR, "dividends a year as a share of the capital the region paid in (nominal)", ge=0, le=1)
    first_dividend_year: Year
    terminal_value_share_of_capital: Q(
        "multiple of capital", "value of the stake at the end of the model years, as a multiple of the capital paid in", ge=0, le=10
    )

    @model_validator(mode="after")
    def _check(self) -> Participation:
        if len(self.years) != len(self.amount_idr_nominal.value):
            raise ValueError(f"years has {len(self.years)} entries but amount_idr_nominal has {len(self.amount_idr_nominal.value)}")
        if len(set(self.years)) != len(self.years):
            raise ValueError(f"years must not repeat, got {self.years}")
        return self


class Hurdle(_Strict):
    """A legal or practical hurdle on an option's route, with how serious it is."""

    text: Bilingual
    severity: Literal["low", "medium", "high"]
    source: str = ""


class GoAhead(_Strict):
    """A port built only when its trigger is met; otherwise the city does the option ``otherwise``.

    The trigger: shippers sign throughput commitments of at least
    ``committed_cargo_tonnes_per_year``, compared with the port's cargo built
    up from the companies (its full-year demand before ramp-up). The model
    builds the port on the plan's timeline when the trigger is met (a later
    start is not modelled); each Monte Carlo iteration takes the branch its
    own demand decides.
    """

    otherwise: str = Field(description="the option the city carries out when the trigger is not met")
    committed_cargo_tonnes_per_year: Q("tonnes per year", "signed throughput commitments needed before the port is built", ge=0)


class OptionRisk(_Strict):
    """An option's own Monte Carlo inputs, added to those of the case (``[risk]``)."""

    distributions: dict[str, DistributionSpec] = Field(default_factory=dict)
    correlations: list[Correlation] = Field(default_factory=list)


class Option(_Strict):
    """One way to spend (or not spend) the region's capital, as changes to the case (HM Treasury Green Book
    options appraisal; EU CBA Guide 2014, s. 2.5 option analysis).

    The option's case is the file's case with, in order: ``vehicle`` and
    ``lines`` replacing ``[plan]``; ``merge`` (a partial case, merged table by
    table: a value replaces, a new table is added); ``remove`` (dotted paths of
    tables or keys); ``set`` (quantity values, as scenarios); ``risk`` added to
    ``[risk]``. Inputs of the case's ``[risk]``, scenarios and two-way tables
    that belong to a line the option does not run are left out with it. The
    result is validated like any case; problems name the option.
    """

    label: Bilingual
    description: Bilingual
    vehicle: Vehicle | None = None
    lines: list[LineKey] | None = None
    merge: dict[str, Any] = Field(default_factory=dict, description="a partial case merged into the option's case")
    remove: list[str] = Field(default_factory=list, description="dotted paths removed from the option's case")
    set: dict[str, Union[Annotated[float, BeforeValidator(_no_bool)], list[Annotated[float, BeforeValidator(_no_bool)]]]] = Field(
        default_factory=dict, description="quantity path -> value, as in a scenario"
    )
    risk: OptionRisk | None = None
    legal_route: Bilingual
    hurdles: list[Hurdle] = Field(default_factory=list)
    go_ahead: GoAhead | None = None
    baseline: bool = Field(False, description="the do-nothing option the others are measured against")


class AppraisalRule(_Strict):
    """How the options are ranked: by one metric, among the options that pass the hurdles of ``require``."""

    rank_by: str = Field("region_npv_idr", description="a metric with a better direction (feasibility.metrics.registry)")
    require: list[str] = Field(
        default_factory=lambda: ["cash_sustainable"], description="metrics whose hurdle an option must pass to be ranked"
    )
    iterations: Int(ITERATIONS_MIN, ITERATIONS_MAX) = Field(2_000, description="Monte Carlo iterations per option")


class Case(_Strict):
    """A validated feasibility case (the root of a case file)."""

    schema_version: Literal[1] = 1
    case: CaseInfo
    notes: dict[str, Note] = Field(default_factory=dict)
    timeline: Timeline
    macro: Macro
    tax: Tax
    working_capital: WorkingCapital
    residual_value: ResidualValue = Field(default_factory=ResidualValue)
    plan: Plan = Field(default_factory=Plan, description="who runs the plan and which business lines it runs")
    port: PortLine
    lab: LabLine | None = None
    services: ServicesLine | None = None
    participations: dict[str, Participation] = Field(default_factory=dict, description="the region's stakes in companies it does not run")
    bumd: Bumd
    financing: Financing
    region: Region
    economic: Economic | None = None
    ppp: Ppp | None = None
    concession: Concession = Field(description="the port's concession (BUP): term and reversion of its assets")
    scenarios: dict[str, Scenario] = Field(default_factory=dict)
    criteria: Criteria = Field(default_factory=Criteria)
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)
    risk: Risk = Field(default_factory=Risk)
    options: dict[str, Option] = Field(default_factory=dict, description="the long list of options (feasibility.analysis.options)")
    appraisal: AppraisalRule = Field(default_factory=AppraisalRule, description="how the options are ranked")
    #: the surveys and studies that would replace the placeholders (the report's data-collection plan)
    data_plan: dict[str, DataPlanItem] = Field(default_factory=dict)
    _by_path: dict[str, Quantity] | None = PrivateAttr(default=None)
    _option_cases: dict[str, Case] = PrivateAttr(default_factory=dict)

    # -- navigation ---------------------------------------------------------

    def defined_lines(self) -> dict[str, BusinessLine]:
        """Every business line the file defines, by key (``port``, ``lab``, ``services``), the plan's or not."""
        found = {k: getattr(self, k) for k in LINE_KEYS}
        return {k: v for k, v in found.items() if v is not None}

    def lines(self) -> dict[str, BusinessLine]:
        """The business lines the plan runs, by key (``[plan] lines``; every defined line by default)."""
        defined = self.defined_lines()
        if self.plan.lines is None:
            return defined
        return {k: defined[k] for k in LINE_KEYS if k in self.plan.lines and k in defined}

    def lines_out(self) -> list[str]:
        """Keys of the lines the file defines that the plan does not run (their numbers serve the options)."""
        return [k for k in self.defined_lines() if k not in self.lines()]

    def quantities(self, *, all_lines: bool = False) -> Iterator[tuple[str, Quantity]]:
        """Every quantity of the plan with its dotted path, in file order; ``all_lines`` adds the lines the plan does not run."""
        out = () if all_lines else tuple(self.lines_out())
        for path, q in _walk_quantities(self, ""):
            if not out or path.split(".", 1)[0] not in out:
                yield path, q

    def quantity_map(self) -> dict[str, Quantity]:
        """Every quantity of the plan by its dotted path (computed once; a case is immutable)."""
        if self._by_path is None:
            self._by_path = dict(self.quantities())
        return self._by_path

    def option(self, key: str) -> Case:
        """The case of one option of the long list (``[options.<key>]``), validated (see :class:`Option`)."""
        from .options import option_case  # imported here: it validates through this module

        return option_case(self, key)

    def register_quantities(self) -> list[tuple[str, Quantity]]:
        """Every number the file holds, by its dotted path: the plan's, those of the lines it does not run,
        and those an option adds (``options.<key>.merge.<path>``, validated with the option's case)."""
        out = list(self.quantities(all_lines=True))
        for key, opt in self.options.items():
            if opt.merge:
                from .options import _quantity_paths  # imported here: options validates through this module

                theirs = dict(self.option(key).quantities(all_lines=True))
                out += [(f"options.{key}.merge.{p}", theirs[p]) for p in _quantity_paths(opt.merge)]
        return out

    def assumptions(self) -> list[dict[str, Any]]:
        """The assumption register: one row per number of the file (:meth:`register_quantities`), with unit and provenance."""
        rows = []
        for path, q in self.register_quantities():
            rows.append(
                {
                    "path": path,
                    "value": q.value,
                    "unit": q.unit,
                    "source": q.source,
                    "year": q.year,
                    "confidence": q.confidence,
                    "note": q.note,
                }
            )
        return rows

    def quantity(self, path: str) -> Quantity:
        """The quantity at a dotted path (``port.revenue.cargo_handling.tariff_idr_per_tonne``)."""
        obj: Any = self
        for part in path.split("."):
            if isinstance(obj, dict):
                obj = obj.get(part)
            elif isinstance(obj, BaseModel) and part in type(obj).model_fields:
                obj = getattr(obj, part)
            else:
                obj = None
            if obj is None:
                break
        if not isinstance(obj, Quantity):
            from .errors import did_you_mean  # imported here: errors imports this module

            guess = did_you_mean(path, self.quantity_map())
            raise KeyError(f"{path}: no such quantity in the case{'; ' + guess if guess else ''}")
        return obj

    def problems(self) -> list[Problem]:
        """Problems that involve more than one section (years outside the horizon, ...).

        The rules live in :mod:`feasibility.case.rules`.
        """
        from .rules import case_problems  # imported here: rules imports this module

        return case_problems(self)

    def scenario(self, name: str) -> dict[str, Any]:
        """The overrides of a named scenario, for :func:`feasibility.model.run`."""
        if name not in self.scenarios:
            from .errors import did_you_mean  # imported here: errors imports this module

            guess = did_you_mean(name, self.scenarios)
            allowed = ", ".join(self.scenarios) or "none in this case"
            raise KeyError(f"scenario {name!r}: not in the case{'; ' + guess if guess else ''} (scenarios: {allowed})")
        return dict(self.scenarios[name].set)



def _walk_quantities(obj: Any, prefix: str) -> Iterator[tuple[str, Quantity]]:
    if isinstance(obj, Quantity):
        yield prefix, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk_quantities(getattr(obj, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(obj, dict):
        for key, val in obj.items():
            yield from _walk_quantities(val, f"{prefix}.{key}")


def _bound(v: Any) -> str:
    """A limit of a rule as a person writes it: 0 rather than 0.0."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)

