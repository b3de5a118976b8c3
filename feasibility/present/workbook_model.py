"""The model's annual lines as spreadsheet formulas of the assumptions (issue 16).

The same case is read twice: :func:`feasibility.model.inputs.resolve_named`
gives every quantity as a :class:`Sym`, a cell name whose arithmetic writes a
formula instead of computing a number, and the steps of
:mod:`feasibility.model` are written out as rows of the annual sheet, one
column per year, in the order the model computes them (operations, capital
spend, loans, depreciation, the project's tax, residual value, the project's
cash flow, then the company's flows).

What is not a formula is written as values and says so in the row's "how"
column, with the method named:

* a forecast stream's volumes (a fitted series, :mod:`feasibility.case.forecasts`);
* the expansion's trigger and online years (the rule of
  :func:`feasibility.domain.capacity.expand`, deferred when the company
  cannot fund a phase: a decision taken on the whole run, not a cell's
  arithmetic). The capacity, spend and depreciation of a phase are formulas
  of those years.

Constants of the law are written on their own sheet: the PMK 72/2023 tax
depreciation rates (:func:`feasibility.model.tax.depreciation_matrix`, one
block per asset group, and the share of cost left at the end) and the loss
carry-forward works on a helper sheet, vintage by year (UU PPh art. 6(2)).

Everything is in current prices (IDR, nominal), as inside the model; for a
case in real prices the cash flows the metrics use are deflated by the price
index in rows of their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np

from ..domain.buildup import ramp_up
from ..domain.marine import Ops
from ..model.capex import AssetKey
from ..model.inputs import (
    BuildUpCargo,
    BuildUpCompanies,
    BuildUpLab,
    ForecastVolume,
    Inputs,
    Line,
    ShipCallVolume,
    Stream,
)
from ..model.tax import depreciation_matrix

__all__ = ["Grid", "Sym", "col_letter", "write_annual"]

Y0 = 3  # the first year's column (A: line, B: key, C: how it is computed)


def col_letter(j: int) -> str:
    """Column letters of a zero-based index (0 -> A, 26 -> AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _lit(x: Any) -> str:
    """A number as a formula literal (negative numbers in brackets)."""
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"cannot write {v!r} into a formula")
    text = repr(v)
    text = text.removesuffix(".0")
    return f"({text})" if v < 0 else text


class Sym:
    """A cell name or a formula: arithmetic on it writes the formula (``Sym("a") * 2`` is ``a*2``)."""

    __slots__ = ("atom", "text")

    def __init__(self, text: str, atom: bool = True):
        self.text, self.atom = text, atom

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Sym({self.text!r})"

    def _bin(self, op: str, other: Any, right: bool = False) -> Sym:
        a, b = (other, self) if right else (self, other)
        return Sym(f"{term(a)}{op}{term(b)}", atom=False)

    def __add__(self, o: Any) -> Sym:
        return self._bin("+", o)

    def __radd__(self, o: Any) -> Sym:
        return self._bin("+", o, True)

    def __sub__(self, o: Any) -> Sym:
        return self._bin("-", o)

    def __rsub__(self, o: Any) -> Sym:
        return self._bin("-", o, True)

    def __mul__(self, o: Any) -> Sym:
        return self._bin("*", o)

    def __rmul__(self, o: Any) -> Sym:
        return self._bin("*", o, True)

    def __truediv__(self, o: Any) -> Sym:
        return self._bin("/", o)

    def __rtruediv__(self, o: Any) -> Sym:
        return self._bin("/", o, True)

    def __neg__(self) -> Sym:
        return Sym(f"-{term(self)}", atom=False)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Words(str):
    """Text written into a year's cell as it is (not a formula)."""


def term(x: Any) -> str:
    """``x`` as an operand: a name, a bracketed formula or a literal."""
    if isinstance(x, Sym):
        return x.text if x.atom else f"({x.text})"
    return _lit(x)


#: max(x, 0) and "a where x > 0" as spreadsheet formulas (the marine works: feasibility.domain.marine.Ops)
SYM_OPS = Ops(max0=lambda x: Sym(f"MAX({term(x)},0)"), where_pos=lambda x, a: Sym(f"IF({term(x)}>0,{term(a)},0)"))


def is_zero(x: Any) -> bool:
    """A literal zero (an optional quantity the case leaves out): its factor is left out of the formula."""
    return isinstance(x, Real) and float(x) == 0.0


@dataclass
class Grid:
    """The annual sheet being written: a row per line, a column per year."""

    ws: Any
    years: list[int]
    fmt: dict[str, Any]
    words: dict[str, str]
    r: int = 2
    rows: dict[str, int] = field(default_factory=dict)
    #: a first pass only lays the rows out: a formula may then name a row written further down (the cash of the
    #: year before, read by the waterfall's first lines)
    dry: bool = False
    #: the words of every formula written (the Assumptions sheet marks the names no formula reads)
    used: set[str] = field(default_factory=set)
    #: the expansion's check: its row, and the years it signalled at export
    expansion_check: tuple[str, int] | None = None

    @property
    def T(self) -> int:
        return len(self.years)

    def at(self, key: str, j: int, fixed: bool = False) -> str:
        """The cell of line ``key`` in year ``j`` (``$`` on the row and column when ``fixed``)."""
        c, r = col_letter(Y0 + j), self.rows[key] + 1
        return f"${c}${r}" if fixed else f"{c}{r}"

    def span(self, key: str, j0: int = 0, j1: int | None = None) -> str:
        """The cells of ``key`` from year ``j0`` to ``j1`` (inclusive; the last year by default), fixed."""
        j1 = self.T - 1 if j1 is None else j1
        r = self.rows[key] + 1
        return f"${col_letter(Y0 + j0)}${r}:${col_letter(Y0 + j1)}${r}"

    def year(self, j: int) -> str:
        return f"{col_letter(Y0 + j)}$1"

    def s(self, key: str, j: int) -> Sym:
        return Sym(self.at(key, j))

    def title(self, text: str) -> None:
        self.r += 1
        if not self.dry:
            self.ws.write_string(self.r, 0, text, self.fmt["title"])
        self.r += 1

    def add(self, key: str, label: str, cell: Callable[[int], Any], *, fmt: str = "idr", how: str | None = None) -> None:
        """A line of formulas: ``cell(j)`` is a formula (:class:`Sym` or str), a number, :class:`Words`, or None (left empty)."""
        if self.rows.get(key, self.r) != self.r:
            raise ValueError(f"line {key!r} written twice")
        r = self.r
        if self.dry:
            self.rows[key] = r
            self.r += 1
            return
        self.ws.write_string(r, 0, label)
        self.ws.write_string(r, 1, key, self.fmt["key"])
        self.ws.write_string(r, 2, how or self.words["how_formula"], self.fmt["key"])
        self.rows[key] = r
        f = self.fmt[fmt]
        for j in range(self.T):
            v = cell(j)
            if v is None:
                continue
            if isinstance(v, Words):
                self.ws.write_string(r, Y0 + j, str(v), self.fmt["key"])
            elif isinstance(v, (Sym, str)):
                self.ws.write_formula(r, Y0 + j, f"={v}", f)
                self.used.update(_WORD.findall(str(v)))
            elif math.isfinite(float(v)):
                self.ws.write_number(r, Y0 + j, float(v), f)
        self.r += 1

    def values(self, key: str, label: str, arr: Any, how: str, *, fmt: str = "idr") -> None:
        """A line of the model's values (not formulas), ``how`` naming the method that made them."""
        a = np.broadcast_to(np.asarray(arr, dtype=float), (self.T,))
        self.add(key, label, lambda j: float(a[j]) if math.isfinite(a[j]) else None, fmt=fmt, how=how)

    def total(self, key: str, label: str, parts: list[str], *, fmt: str = "idr") -> None:
        """A line that is the sum of other lines (0 when there are none)."""
        if not parts:
            self.add(key, label, lambda j: 0.0, fmt=fmt)
        else:
            self.add(key, label, lambda j: Sym("+".join(self.at(p, j) for p in parts), atom=False), fmt=fmt)


class Blocks:
    """The constants of the law on their own sheet: tax depreciation rates and residual shares (PMK 72/2023)."""

    def __init__(self, ws: Any, sheet: str, years: list[int], fmt: dict[str, Any], words: dict[str, str]):
        self.ws, self.sheet, self.T, self.fmt, self.words = ws, sheet, len(years), fmt, words
        self.r = 1
        ws.write_row(1, Y0, years, fmt["title"])  # the year each column's cost was placed in service
        self.rate_rows: dict[tuple[str, str, tuple[int, ...]], int] = {}
        self.share_rows: dict[tuple[str, str, tuple[int, ...], int | None], int] = {}
        ws.write_string(0, 0, words["rates_intro"], fmt["title"])

    def _span(self, r: int) -> str:
        return f"'{self.sheet}'!${col_letter(Y0)}${r + 1}:${col_letter(Y0 + self.T - 1)}${r + 1}"

    def rates(self, k: AssetKey) -> Callable[[int], str]:
        """For year ``t``: the row of rates ``D[s, t]`` over placement years ``s`` (:func:`depreciation_matrix`)."""
        key = (k.asset_class, k.method, k.renewals)
        if key not in self.rate_rows:
            d = depreciation_matrix(self.T, *key)
            self.r += 1
            w = self.words
            self.ws.write_string(self.r, 0, w["rates_block"].format(cls=w.get(f"class_{k.asset_class}", k.asset_class),
                                                                    method=w.get(f"method_{k.method}", k.method),
                                                                    renewals=", ".join(str(i + 1) for i in k.renewals) or "-"),
                                 self.fmt["title"])
            self.r += 1
            self.rate_rows[key] = self.r
            for t in range(self.T):
                self.ws.write_string(self.r + t, 0, self.words["rates_year"].format(t=t + 1))
                self.ws.write_row(self.r + t, Y0, [float(x) for x in d[:, t]], self.fmt["rate"])
            self.r += self.T
        first = self.rate_rows[key]
        return lambda t: self._span(first + t)

    def left(self, k: AssetKey, keep: int | None) -> str:
        """The share of each placement's cost the company still holds at the end (tax book value;
        of an asset that reverts, only what ``keep`` more years of the concession deduct)."""
        key = (k.asset_class, k.method, k.renewals, keep)
        if key not in self.share_rows:
            T = self.T
            if keep is None:
                w = 1.0 - depreciation_matrix(T, k.asset_class, k.method, k.renewals).sum(axis=1)
            elif k.asset_class == "land":
                w = np.zeros(T)
            else:
                w = depreciation_matrix(T + keep, k.asset_class, k.method, k.renewals)[:T, T:].sum(axis=1)
            self.r += 1
            words = self.words
            self.ws.write_string(self.r, 0, words["left_block"].format(cls=words.get(f"class_{k.asset_class}", k.asset_class),
                                                                      method=words.get(f"method_{k.method}", k.method),
                                                                      keep="-" if keep is None else keep))
            self.ws.write_row(self.r, Y0, [float(x) for x in w], self.fmt["rate"])
            self.share_rows[key] = self.r
            self.r += 1
        return self._span(self.share_rows[key])


# ---------------------------------------------------------------------------- operations


def _esc(rate: Any, g: Grid, j: int, base: int) -> str:
    """The real escalation factor as a formula factor (empty when the case gives none)."""
    return "" if is_zero(rate) else f"*(1+{term(rate)})^({g.year(j)}-{base})"


def _ramp_cell(s: Stream, g: Grid, j: int) -> Any:
    k = g.years[j] - s.start
    if k < 0:
        return None
    if isinstance(s.ramp, tuple):
        kind, years_to_full, r0 = s.ramp
        frac = ramp_up(kind, years_to_full, g.T, start_share=0.0)
        return 1.0 if k >= years_to_full else Sym(f"{term(r0)}+(1-{term(r0)})*{_lit(frac[k])}", atom=False)
    r = s.ramp
    return r[k] if k < len(r) else 1.0


def _base(s: Stream, g: Grid, j: int, key: str) -> Any:
    v = s.volume
    if isinstance(v, ForecastVolume):
        return v.share * g.s(f"forecast_{key}", j)
    if isinstance(v, BuildUpCargo):
        out = v.companies * v.tonnes_per_company * (1 - v.own_terminal_share) * (1 - v.competitor_share) * v.capture_share
        for tonnes, share in v.anchors:  # the shippers listed one by one
            out = out + tonnes * share
        return out
    if isinstance(v, BuildUpLab):
        return v.companies * v.samples_per_company * v.capture_share
    if isinstance(v, BuildUpCompanies):
        return v.companies * v.units_per_company * v.capture_share
    return v


def _ship_call_cell(g: Grid, line: Line, v: ShipCallVolume, j: int) -> Sym:
    """Port dues' volume from the ship calls (feasibility.model.operations.ship_call_volume): calls = cargo handled /
    parcel, x GT per call; for berthing x the days at the berth, parcel / productivity / 24 (so handled / productivity)."""
    cap, handled = line.capacity, g.at("cargo_throughput_tonnes", j)
    if v.per_day:
        prod = term(cap.productivity)
        return Sym(f"IF({prod}>0,{handled}/{prod}/24*{term(v.gt_per_call)},0)")
    return Sym(f"{handled}/{term(cap.parcel)}*{term(v.gt_per_call)}", atom=False)


def _streams(g: Grid, inp: Inputs, line: Line, words: dict[str, str], label: Callable[..., str], forecast_how: Callable[[Stream], str],
             demand_key: Callable[[Stream], str]) -> None:
    """Each stream's volume before any capacity limit: base volume x ramp-up x growth, from its first year."""
    for s in line.streams:
        key = f"{line.key}_{s.name}"
        if isinstance(s.volume, ShipCallVolume):  # no demand of its own: its volume follows the cargo handled (operations)
            continue
        if isinstance(s.volume, ForecastVolume):
            series = np.where(inp.years >= s.start, s.volume.series, 0.0)
            g.values(f"forecast_{key}", label("row_forecast", s), series, forecast_how(s), fmt="units")
        if s.ramp is not None:
            g.add(f"ramp_{key}", label("row_ramp", s), lambda j, s=s: _ramp_cell(s, g, j), fmt="share")

        def demand(j: int, s: Stream = s, key: str = key) -> Any:
            k = g.years[j] - s.start
            if k < 0:
                return 0.0
            out = _base(s, g, j, key)
            if s.ramp is not None:
                out = out * g.s(f"ramp_{key}", j)
            if not is_zero(s.growth) and k > 0:
                out = out * Sym(f"(1+{term(s.growth)})^{k}", atom=False)
            return out if isinstance(out, Sym) else float(out)

        g.add(demand_key(s), label("row_demand" if line.capacity is not None else "row_volume", s), demand, fmt="units")


def _capacity(g: Grid, inp: Inputs, line: Line, chain: Any, words: dict[str, str]) -> str | None:
    """The berth (and yard) capacity, the throughput and the share of demand served (UNCTAD 1985)."""
    cap = line.capacity
    if cap is None:
        return None
    numeric = next(ln.capacity for ln in chain.inp.lines if ln.key == line.key)  # the numbers behind the names
    if numeric.waiting_ratio is None:
        g.add("berth_occupancy_limit", words["row_occupancy_limit"], lambda j: cap.max_occupancy, fmt="share")
    else:  # solved by root finding on the queue (M/E2/c), not a formula: its values, with the method named
        g.values("berth_occupancy_limit", words["row_occupancy_limit"], chain.ops.lines["berth_occupancy_limit"],
                 words["how_occupancy_limit"], fmt="share")
    g.add("berth_capacity_base_tonnes", words["row_berth_base"],
          lambda j: cap.berths * cap.working_hours * g.s("berth_occupancy_limit", j) * cap.productivity, fmt="units")
    online: list[tuple[int, Any]] = []
    exp = chain.ops.expansion
    if cap.trigger_occupancy is not None and exp is not None:
        for p, (added, _cost) in enumerate(cap.phases):
            trig, on = float(exp.trigger_year[..., p]), float(exp.online_year[..., p])
            for key, year in ((f"expansion_{p + 1}_trigger_year", trig), (f"expansion_{p + 1}_online_year", on)):
                # a phase never built (not triggered, or deferred: the company could not pay) says so
                g.add(key, words["row_trigger" if "trigger" in key else "row_online"].format(p=p + 1),
                      lambda j, year=year: (year if math.isfinite(year) else Words(words["not_built"])) if j == 0 else None,
                      fmt="year", how=words["how_expansion"])
            if math.isfinite(on):
                online.append((p, added))
    yard_added = [(p, cap.phase_yard_m2[p]) for p, _added in online if not is_zero(cap.phase_yard_m2[p])]

    def berth(j: int) -> Any:
        out = g.s("berth_capacity_base_tonnes", j)
        for p, added in online:
            out = out + _from_online(g, p, term(added), j)
        return out

    g.add("berth_capacity_tonnes", words["row_berth"], berth, fmt="units")
    cap_key = "berth_capacity_tonnes"
    if cap.yard is not None:
        area, density, dwell, util = cap.yard

        def yard(j: int) -> Any:
            out: Any = area
            for p, added in yard_added:  # the yard area a phase adds, from its online year
                out = out + _from_online(g, p, term(added), j)
            return out * density * util * 365 / dwell

        g.add("yard_capacity_tonnes", words["row_yard"], yard, fmt="units")
        g.add("cargo_capacity_tonnes", words["row_capacity"],
              lambda j: Sym(f"MIN({g.at('berth_capacity_tonnes', j)},{g.at('yard_capacity_tonnes', j)})"), fmt="units")
        cap_key = "cargo_capacity_tonnes"
    else:
        g.add("cargo_capacity_tonnes", words["row_capacity"], lambda j: g.s("berth_capacity_tonnes", j), fmt="units")
    cargo = [f"demand_{line.key}_{s.name}" for s in line.streams if s.kind == "cargo_handling"]
    g.total("cargo_demand_tonnes", words["row_cargo_demand"], cargo, fmt="units")
    g.add("cargo_throughput_tonnes", words["row_throughput"],
          lambda j: Sym(f"MIN({g.at('cargo_demand_tonnes', j)},{g.at(cap_key, j)})"), fmt="units")
    g.add("cargo_unmet_tonnes", words["row_unmet"], lambda j: g.s("cargo_demand_tonnes", j) - g.s("cargo_throughput_tonnes", j), fmt="units")
    g.add("berth_occupancy", words["row_occupancy"],
          lambda j: Sym(f"IF({g.at('berth_capacity_tonnes', j)}>0,{g.at('cargo_throughput_tonnes', j)}/{g.at('berth_capacity_tonnes', j)}"
                        f"*{g.at('berth_occupancy_limit', j)},\"\")"), fmt="share")
    if online or (cap.trigger_occupancy is not None and exp is not None and cap.phases):
        # the expansion's years are the model's decision at export: this row, a formula, says in which years demand
        # passes the trigger; the Metrics sheet warns when an edit changes them (the decision may then differ)
        trig = cap.trigger_occupancy
        # the demand the rule compares: this year's, or (looking ahead) the forecast a lead time ahead, the last year's beyond
        ahead = (lambda j: min(j + cap.lead_time_years, g.T - 1)) if numeric.look_ahead else (lambda j: j)
        g.add("expansion_signal", words["row_expansion_signal"],
              lambda j: Sym(f"IF({g.at('cargo_demand_tonnes', ahead(j))}>{term(trig)}*{g.at(cap_key, j)},1,0)"), fmt="year")
        demand = np.asarray(chain.ops.lines["cargo_demand_tonnes"], dtype=float)
        if numeric.look_ahead:
            demand = demand[np.minimum(np.arange(demand.size) + cap.lead_time_years, demand.size - 1)]
        berth_now = np.asarray(exp.capacity_tonnes_per_year, dtype=float)
        g.expansion_check = ("expansion_signal", int(np.sum(demand > float(numeric.trigger_occupancy) * berth_now)))
    g.add("cargo_served_share", words["row_served"],
          lambda j: Sym(f"IF({g.at('cargo_demand_tonnes', j)}>0,{g.at('cargo_throughput_tonnes', j)}/{g.at('cargo_demand_tonnes', j)},1)"),
          fmt="share")
    return "cargo_served_share"


def operations(g: Grid, inp: Inputs, chain: Any, words: dict[str, str], label: Callable[..., str],
               forecast_how: Callable[[Stream], str]) -> dict[str, list[str]]:
    """Volumes, revenue, variable and fixed costs, the concession fee and EBITDA; the names of the cost rows by kind."""
    base = inp.price_base_year
    pi = "price_index"
    g.add(pi, words["row_price_index"], lambda j: Sym(f"(1+{term(inp.inflation)})^({g.year(j)}-{base})", atom=False), fmt="index")
    kinds: dict[str, list[str]] = {"revenue": [], "variable": [], "fixed": [], "overhead": [], "fee": []}
    for line in inp.lines:
        g.title(words["title_line"].format(line=label("line_title", line.key)))
        capped = line.capacity is not None

        def demand_key(s: Stream, line: Line = line, capped: bool = capped) -> str:
            return f"demand_{line.key}_{s.name}" if capped else f"volume_{line.key}_{s.name}_{s.unit}"

        _streams(g, inp, line, words, label, forecast_how, demand_key)
        served = _capacity(g, inp, line, chain, words)
        revenue, costs = [], []
        for s in line.streams:
            vol = f"volume_{line.key}_{s.name}_{s.unit}"
            if isinstance(s.volume, ShipCallVolume):
                g.add(vol, label("row_volume", s), lambda j, s=s, line=line: _ship_call_cell(g, line, s.volume, j), fmt="units")
            elif capped:
                g.add(vol, label("row_volume", s),
                      lambda j, s=s, served=served: g.s(demand_key(s), j) * g.s(served, j) if s.follows_cargo else g.s(demand_key(s), j), fmt="units")
            rev = f"revenue_{line.key}_{s.name}_idr"
            g.add(rev, label("row_revenue", s),
                  lambda j, s=s, vol=vol: Sym(f"{g.at(vol, j)}*{term(s.tariff)}{_esc(s.tariff_escalation, g, j, base)}*{g.at(pi, j)}", False))
            revenue.append(rev)
            if not is_zero(s.unit_cost):
                vc = f"variable_cost_{line.key}_{s.name}_idr"
                g.add(vc, label("row_variable", s),
                      lambda j, s=s, vol=vol: Sym(f"{g.at(vol, j)}*{term(s.unit_cost)}{_esc(s.cost_escalation, g, j, base)}*{g.at(pi, j)}", False))
                kinds["variable"].append(vc)
                costs.append(vc)
        for item in line.opex:
            key = f"opex_{line.key}_{item.name}_idr"
            g.add(key, label("row_fixed", item.name, line.key), _fixed(g, item, base))
            kinds["fixed"].append(key)
            costs.append(key)
        for key in _phase_opex(g, line, chain, words):
            kinds["fixed"].append(key)
            costs.append(key)
        g.total(f"revenue_{line.key}_idr", label("row_line_revenue", line.key), revenue)
        kinds["revenue"].append(f"revenue_{line.key}_idr")
        if line.fee_share is not None:
            fee = f"concession_fee_{line.key}_idr"
            g.add(fee, label("row_fee", line.key), lambda j, line=line: g.s(f"revenue_{line.key}_idr", j) * line.fee_share)
            kinds["fee"].append(fee)
            costs.append(fee)
        g.total(f"direct_costs_{line.key}_idr", label("row_line_costs", line.key), costs)
        g.add(f"contribution_{line.key}_idr", label("row_line_contribution", line.key),
              lambda j, line=line: g.s(f"revenue_{line.key}_idr", j) - g.s(f"direct_costs_{line.key}_idr", j))
    if inp.overhead:
        g.title(words["title_overhead"])
    for item in inp.overhead:
        key = f"overhead_{item.name}_idr"
        g.add(key, label("row_overhead", item.name), _fixed(g, item, base))
        kinds["overhead"].append(key)
    g.title(words["title_totals"])
    g.total("revenue_total_idr", label("line", "revenue_total_idr"), kinds["revenue"])
    g.total("variable_cost_idr", label("line", "variable_cost_idr"), kinds["variable"])
    g.total("fixed_opex_idr", label("line", "fixed_opex_idr"), kinds["fixed"])
    g.total("overhead_idr", label("line", "overhead_idr"), kinds["overhead"])
    g.total("concession_fee_idr", label("line", "concession_fee_idr"), kinds["fee"])
    g.total("opex_total_idr", label("line", "opex_total_idr"), ["variable_cost_idr", "fixed_opex_idr", "overhead_idr", "concession_fee_idr"])
    g.add("ebitda_idr", label("line", "ebitda_idr"), lambda j: g.s("revenue_total_idr", j) - g.s("opex_total_idr", j))
    rd, pd_ = term(inp.receivable_days), term(inp.payable_days)
    g.add("net_working_capital_idr", words["row_nwc"],
          lambda j: Sym(f"{g.at('revenue_total_idr', j)}*{rd}/365-{g.at('opex_total_idr', j)}*{pd_}/365", False))
    g.add("change_in_working_capital_idr", label("line", "change_in_working_capital_idr"),
          lambda j: g.s("net_working_capital_idr", j) - (g.s("net_working_capital_idr", j - 1) if j else 0.0))
    return kinds


def _from_online(g: Grid, p: int, value: str, j: int) -> Sym:
    """``value`` in year ``j`` once expansion phase ``p`` is in service (its online year's cell), else 0: a formula."""
    return Sym(f"IF({g.year(j)}>={g.at(f'expansion_{p + 1}_online_year', 0, True)},{value},0)", atom=False)


def _phase_opex(g: Grid, line: Line, chain: Any, words: dict[str, str]) -> list[str]:
    """The O&M each expansion phase built adds, from its online year (base-year prices x the price index); the rows' names."""
    cap, exp = line.capacity, chain.ops.expansion
    if cap is None or exp is None:
        return []
    rows = []
    for p, amount in enumerate(cap.phase_opex):
        if is_zero(amount) or not math.isfinite(float(exp.online_year[..., p])):
            continue
        key = f"opex_{line.key}_expansion_{p + 1}_idr"
        g.add(key, words["row_opex_expansion"].format(p=p + 1),
              lambda j, amount=amount, p=p: _from_online(g, p, f"{term(amount)}*{g.at('price_index', j)}", j))
        rows.append(key)
    return rows


def _fixed(g: Grid, item: Any, base: int) -> Callable[[int], Any]:
    def cell(j: int) -> Any:
        if not item.start <= g.years[j] <= item.end:
            return 0.0
        return Sym(f"{term(item.amount)}{_esc(item.escalation, g, j, base)}*{g.at('price_index', j)}", False)
    return cell


# ---------------------------------------------------------------------------- capital spend


@dataclass
class Group:
    """An asset group (:class:`AssetKey`) and the rows that place its cost in service."""

    key: AssetKey
    row: str
    placed: list[Callable[[int], Any]] = field(default_factory=list)
    placed_real: list[Callable[[int], Any]] = field(default_factory=list)
    built: list[str] = field(default_factory=list)  # capex rows of its items (their construction-year spend)


def _placed(g: Grid, row: str, fo: int) -> Callable[[int], Any]:
    """Cost entering service by year (:func:`feasibility.model.capex.placed_in_service`): construction spend in the first operating year."""
    def cell(j: int) -> Any:
        if j < fo:
            return None
        if j == fo:
            return Sym(f"SUM({g.span(row, 0, fo)})")
        return g.s(row, j)
    return cell


def capital(g: Grid, inp: Inputs, chain: Any, words: dict[str, str], label: Callable[..., str], want_real: bool) -> dict[AssetKey, Group]:
    """Each item's spend (contingency, optimism bias, escalation, phasing, renewals), the expansion phases,
    the totals, and what enters service by asset group."""
    from ..model.capex import item_schedule

    g.title(words["title_capex"])
    base, fo = inp.price_base_year, inp.first_operating_year - inp.start_year
    groups: dict[AssetKey, Group] = {}
    items, expansions = [], []
    for line in inp.lines:
        for item in line.capex:
            _n, share, renewals, _s, _r = item_schedule(_numbers(item), inp, np.ones(g.T))
            lit = share + renewals
            uplift = f"{term(item.amount)}"
            for x in (item.contingency, item.optimism_bias):
                if not is_zero(x):
                    uplift += f"*(1+{term(x)})"
            row = f"capex_{line.key}_{item.name}_idr"

            def spend(j: int, uplift: str = uplift, lit: np.ndarray = lit, item: Any = item) -> Any:
                if lit[j] == 0:
                    return 0.0
                factor = "" if lit[j] == 1 else f"*{_lit(lit[j])}"
                return Sym(f"{uplift}{_esc(item.escalation, g, j, base)}*{g.at('price_index', j)}{factor}", False)

            g.add(row, label("row_capex", item.name, line.key), spend)
            items.append(row)
            k = AssetKey(line.key, item.asset_class, item.method, tuple(int(i) for i in np.flatnonzero(renewals)))
            grp = groups.setdefault(k, Group(k, ""))
            grp.placed.append(_placed(g, row, fo))
            grp.built.append(row)
            if want_real:
                real = f"capex_real_{line.key}_{item.name}_idr"

                def spend_real(j: int, uplift: str = uplift, lit: np.ndarray = lit, item: Any = item) -> Any:
                    if lit[j] == 0:
                        return 0.0
                    factor = "" if lit[j] == 1 else f"*{_lit(lit[j])}"
                    return Sym(f"{uplift}{_esc(item.escalation, g, j, base)}{factor}", False)

                g.add(real, label("row_capex_real", item.name, line.key), spend_real)
                grp.placed_real.append(_placed(g, real, fo))
    for line in inp.lines:
        cap, exp = line.capacity, chain.ops.expansion
        if cap is None or exp is None:
            continue
        for p, (_added, cost) in enumerate(cap.phases):
            if not math.isfinite(float(exp.trigger_year[..., p])):
                continue
            row = f"capex_expansion_{p + 1}_idr"
            trig, on = g.at(f"expansion_{p + 1}_trigger_year", 0, True), g.at(f"expansion_{p + 1}_online_year", 0, True)
            g.add(row, words["row_capex_expansion"].format(p=p + 1),
                  lambda j, cost=cost, trig=trig: Sym(f"IF({g.year(j)}={trig},{term(cost)}*{g.at('price_index', j)},0)"))
            expansions.append(row)
            k = AssetKey(line.key, cap.expansion_asset_class, "straight_line")
            grp = groups.setdefault(k, Group(k, ""))
            grp.placed.append(lambda j, row=row, on=on: Sym(f"IF({g.year(j)}={on},SUM({g.span(row)}),0)"))
            if want_real:
                grp.placed_real.append(lambda j, cost=cost, on=on: Sym(f"IF({g.year(j)}={on},{term(cost)},0)"))
    g.total("expansion_capex_idr", label("line", "expansion_capex_idr"), expansions)
    g.total("capex_idr", label("line", "capex_idr"), items + expansions)
    g.add("construction_capex_idr", words["row_construction"],
          lambda j: Sym("+".join(g.at(r, j) for r in items), False) if j < fo and items else 0.0)
    for n, grp in enumerate(groups.values(), start=1):
        grp.row = f"in_service_{n}_idr"
        name = _group_name(grp.key, words)
        g.add(grp.row, words["row_in_service"].format(group=name), _sum_cells(grp.placed))
        if want_real:
            g.add(f"in_service_real_{n}_idr", words["row_in_service_real"].format(group=name), _sum_cells(grp.placed_real))
    return groups


def _numbers(item: Any) -> Any:
    """An item with its numbers as 1.0: :func:`item_schedule` then gives the phasing and renewal pattern only."""
    import dataclasses

    return dataclasses.replace(item, amount=1.0, contingency=0.0, optimism_bias=0.0, escalation=0.0)


def _sum_cells(parts: list[Callable[[int], Any]]) -> Callable[[int], Any]:
    def cell(j: int) -> Any:
        terms = [str(x) for x in (p(j) for p in parts) if x is not None]
        return Sym("+".join(terms), False) if terms else 0.0
    return cell


def _group_name(k: AssetKey, words: dict[str, str]) -> str:
    """An asset group in words: its business line, tax class and method, the years it is renewed."""
    renewed = words["group_renewed"].format(years=", ".join(str(i + 1) for i in k.renewals)) if k.renewals else ""
    return (f"{words.get(f'line_title_{k.line}', k.line)} · {words.get(f'class_{k.asset_class}', k.asset_class)} · "
            f"{words.get(f'method_{k.method}', k.method)}{renewed}")


# ---------------------------------------------------------------------------- loans


def loans(g: Grid, inp: Inputs, words: dict[str, str], label: Callable[..., str]) -> None:
    """Each loan: draws on the construction capex, interest on the opening balance, annuity or straight-line
    repayment after the grace years, the last instalment clearing the balance (:func:`feasibility.model.financing.loan_schedule`)."""
    g.title(words["title_loans"])
    fo = inp.first_operating_year - inp.start_year
    parts: dict[str, list[str]] = {"draws": [], "interest": [], "principal": []}
    for ln in inp.loans:
        k = f"loan_{ln.name}"
        draws, opening, interest, principal = (f"{k}_{x}_idr" for x in ("draws", "opening", "interest", "principal"))
        g.add(draws, words["row_loan_draws"].format(loan=words.get(f"loan_{ln.name}", ln.name)), lambda j, ln=ln: g.s("construction_capex_idr", j) * ln.share)
        g.add(opening, words["row_loan_opening"].format(loan=words.get(f"loan_{ln.name}", ln.name)),
              lambda j, d=draws, o=None, p=principal, op=opening: 0.0 if j == 0 else Sym(f"{g.at(op, j - 1)}+{g.at(d, j - 1)}-{g.at(p, j - 1)}", False))
        g.add(interest, words["row_loan_interest"].format(loan=words.get(f"loan_{ln.name}", ln.name)), lambda j, ln=ln, op=opening: ln.rate * g.s(op, j))
        first, n = fo + ln.grace_years, ln.tenor_years
        amount = f"SUM({g.span(draws)})"
        rate = term(ln.rate)
        if ln.repayment == "annuity":
            due = f"IF({rate}>0,{amount}*{rate}/(1-(1+{rate})^(-{n})),{amount}/{n})"
        else:
            due = f"{amount}/{n}"

        def pay(j: int, first: int = first, n: int = n, due: str = due, op: str = opening, it: str = interest, ln: Any = ln) -> Any:
            if j == first + n - 1:
                return g.s(op, j)
            if first <= j < first + n:
                less = f"-{g.at(it, j)}" if ln.repayment == "annuity" else ""
                return Sym(f"MIN({due}{less},{g.at(op, j)})")
            return 0.0

        g.add(principal, words["row_loan_principal"].format(loan=words.get(f"loan_{ln.name}", ln.name)), pay)
        for x, row in (("draws", draws), ("interest", interest), ("principal", principal)):
            parts[x].append(row)
    g.total("debt_drawdown_idr", label("line", "debt_drawdown_idr"), parts["draws"])
    g.total("loan_interest_idr", words["row_interest_all"], parts["interest"])
    g.add("interest_capitalised_idr", label("line", "interest_capitalised_idr"),
          lambda j: g.s("loan_interest_idr", j) if j < fo else 0.0)
    g.add("interest_idr", label("line", "interest_idr"), lambda j: g.s("loan_interest_idr", j) if j >= fo else 0.0)
    g.total("principal_idr", label("line", "principal_idr"), parts["principal"])
    g.add("debt_service_idr", label("line", "debt_service_idr"), lambda j: g.s("loan_interest_idr", j) + g.s("principal_idr", j))
    g.add("debt_outstanding_idr", label("line", "debt_outstanding_idr"),
          lambda j: (g.s("debt_outstanding_idr", j - 1) if j else 0.0) + g.s("debt_drawdown_idr", j) - g.s("principal_idr", j))


# ---------------------------------------------------------------------------- depreciation and the project's tax


def depreciation(g: Grid, inp: Inputs, groups: dict[AssetKey, Group], blocks: Blocks, words: dict[str, str],
                 label: Callable[..., str]) -> None:
    """Tax depreciation by asset group (PMK 72/2023 rates), and of the interest during construction
    capitalised into each group in proportion to its spend before each year (PSAK 26; :func:`feasibility.model.tax.idc_by_asset`)."""
    g.title(words["title_depreciation"])
    fo = inp.first_operating_year - inp.start_year
    project, idc = [], []
    for n, grp in enumerate(groups.values(), start=1):
        rates = blocks.rates(grp.key)
        row = f"depreciation_{n}_idr"
        g.add(row, words["row_depreciation"].format(group=_group_name(grp.key, words)),
              lambda j, grp=grp, rates=rates: Sym(f"SUMPRODUCT({g.span(grp.row)},{rates(j)})"))
        project.append(row)
        if not inp.loans or not 0 < fo < g.T or not grp.built:
            continue

        def share(j: int, grp: Group = grp) -> Any:
            if j == 0 or j >= fo:
                return None
            before = f"SUM({g.span('construction_capex_idr', 0, j - 1)})"
            own = "+".join(f"SUM({g.span(r, 0, j - 1)})" for r in grp.built)
            return Sym(f"IF({before}>0,({own})/{before},0)")

        g.add(f"idc_share_{n}", words["row_idc_share"].format(group=_group_name(grp.key, words)), share, fmt="share")
        g.add(f"idc_{n}_idr", words["row_idc"].format(group=_group_name(grp.key, words)),
              lambda j, n=n: Sym(f"SUMPRODUCT({g.span('interest_capitalised_idr', 0, fo - 1)},{g.span(f'idc_share_{n}', 0, fo - 1)})")
              if j == fo else None)
        if grp.key.asset_class != "land":  # land is never depreciated, nor the interest capitalised into it
            g.add(f"depreciation_idc_{n}_idr", words["row_depreciation_idc"].format(group=_group_name(grp.key, words)),
                  lambda j, n=n, rates=rates: Sym(f"SUMPRODUCT({g.span(f'idc_{n}_idr')},{rates(j)})"))
            idc.append(f"depreciation_idc_{n}_idr")
    g.total("depreciation_project_idr", words["row_depreciation_project"], project)
    g.total("depreciation_idr", label("line", "depreciation_idr"), ["depreciation_project_idr", *idc])
    g.add("ebit_idr", label("line", "ebit_idr"), lambda j: g.s("ebitda_idr", j) - g.s("depreciation_idr", j))


def loss_sheet(ws: Any, sheet: str, annual: str, g: Grid, income: str, n: int, words: dict[str, str], fmt: dict[str, Any],
               top: int = 0, title: str = "losses_intro") -> str:
    """Fiscal losses carried forward, oldest first, ``n`` years (UU PPh art. 6(2); :class:`feasibility.model.tax.LossPool`),
    vintage by year, from row ``top``; the cells of relief used in a year (``{col}``: its column), for a ``SUM``."""
    T = g.T
    take0, pool0 = top + 3, top + 4 + T  # first rows of the two blocks
    if g.dry:
        return f"'{sheet}'!{{col}}{take0 + 1}:{{col}}{take0 + T}"
    ws.write_string(top, 0, words[title].format(n=n), fmt["title"])
    ws.write_row(top + 1, Y0, g.years, fmt["title"])
    ws.write_string(take0 - 1, 0, words["losses_take"], fmt["title"])
    ws.write_string(pool0 - 1, 0, words["losses_pool"], fmt["title"])

    def cell(block: int, s: int, t: int) -> str:
        return f"{col_letter(Y0 + t)}{block + s + 1}"

    for s in range(T):
        ws.write_string(take0 + s, 0, words["losses_vintage"].format(year=g.years[s]))
        ws.write_string(pool0 + s, 0, words["losses_vintage"].format(year=g.years[s]))
        for t in range(T):
            inc = f"'{annual}'!{g.at(income, t)}"
            first = max(0, t - n)
            if first <= s < t:
                older = f"-SUM({cell(take0, first, t)}:{cell(take0, s - 1, t)})" if s > first else ""
                ws.write_formula(take0 + s, Y0 + t, f"=MIN({cell(pool0, s, t - 1)},MAX({inc},0){older})", fmt["idr"])
            if s == t:
                ws.write_formula(pool0 + s, Y0 + t, f"=MAX(-{inc},0)", fmt["idr"])
            elif t - n < s < t:
                ws.write_formula(pool0 + s, Y0 + t, f"={cell(pool0, s, t - 1)}-{cell(take0, s, t)}", fmt["idr"])
            elif s < t:
                ws.write_number(pool0 + s, Y0 + t, 0.0, fmt["idr"])  # lapsed: used no later than year s + n
    return f"'{sheet}'!{{col}}{take0 + 1}:{{col}}{take0 + T}"


def project_tax(g: Grid, inp: Inputs, relief: str, label: Callable[..., str], words: dict[str, str]) -> None:
    """The project's tax without interest (ADB 2005): the taxable income, the loss relief and the tax."""
    g.add("loss_relief_unlevered_idr", words["row_relief_unlevered"],
          lambda j: Sym(f"SUM({relief.format(col=col_letter(Y0 + j))})"))
    g.add("tax_unlevered_idr", label("line", "tax_unlevered_idr"),
          lambda j: Sym(f"(MAX({g.at('taxable_income_unlevered_idr', j)},0)-{g.at('loss_relief_unlevered_idr', j)})*{term(inp.tax_rate)}", False))


def residual(g: Grid, inp: Inputs, groups: dict[AssetKey, Group], blocks: Blocks, words: dict[str, str], label: Callable[..., str]) -> None:
    """The residual value in the last year (:mod:`feasibility.model.residual`): the assets the company still holds, plus the working capital."""
    g.title(words["title_residual"])
    last = g.T - 1
    con = inp.concession
    parts = []

    def keep(k: AssetKey) -> int | None:
        return con.years_after_horizon if con is not None and con.reverts(k) else None

    if inp.residual_method == "none":
        g.add("residual_value_idr", label("line", "residual_value_idr"), lambda j: 0.0)
        return
    for n, grp in enumerate(groups.values(), start=1):
        k, name = grp.key, _group_name(grp.key, words)
        if inp.residual_method == "book_value":
            left = blocks.left(k, keep(k))
            g.add(f"residual_{n}_idr", words["row_residual_book"].format(group=name),
                  lambda j, grp=grp, left=left: Sym(f"SUMPRODUCT({g.span(grp.row)},{left})") if j == last else None)
        else:
            life = inp.economic_lives.get(k.asset_class, 1.0)
            g.add(f"life_left_{n}", words["row_life_left"].format(group=name), _life_weight(g, k, life, keep(k)), fmt="share")
            g.add(f"residual_{n}_idr", words["row_residual_life"].format(group=name),
                  lambda j, n=n: Sym(f"SUMPRODUCT({g.span(f'in_service_real_{n}_idr')},{g.span(f'life_left_{n}')})*{g.at('price_index', last)}",
                                     False) if j == last else None)
        parts.append(f"residual_{n}_idr")
    if con is not None and con.transfer_payment is not None and con.years_after_horizon == 0:
        g.add("residual_transfer_idr", words["row_transfer"],
              lambda j: con.transfer_payment * g.s("price_index", last) if j == last else None)
        parts.append("residual_transfer_idr")
    g.add("residual_value_idr", label("line", "residual_value_idr"),
          lambda j: Sym("+".join([g.at(p, last) for p in parts] + [g.at("net_working_capital_idr", last)]), False) if j == last else 0.0)


def _life_weight(g: Grid, k: AssetKey, life: Any, keep: int | None) -> Callable[[int], Any]:
    """Share of each placement's cost still of use at the end (EU CBA Guide 2014, s. 2.5; :func:`feasibility.model.residual._life_weight`)."""
    alive = k.alive(g.T)

    def cell(j: int) -> Any:
        if not alive[j]:
            return 0.0
        if k.asset_class == "land":
            return 1.0 if keep is None else 0.0
        left = f"MAX({term(life)}-{g.T - j},0)"
        if keep is not None:
            left = f"MIN({left},{keep})"
        return Sym(f"MAX(0,MIN(1,{left}/{term(life)}))")
    return cell


# ---------------------------------------------------------------------------- cash flows

#: the company's year-by-year cash waterfall (feasibility.model.waterfall): written as the model's values
WATERFALL = (
    "taxable_income_idr", "loss_relief_idr", "tax_idr", "net_profit_idr", "standby_interest_idr", "standby_draw_idr",
    "standby_repayment_idr", "standby_balance_idr", "top_up_idr", "legal_reserve_addition_idr", "legal_reserve_idr",
    "tantiem_idr", "dividends_paid_idr", "distributions_owed_idr", "net_cash_flow_idr", "cumulative_cash_idr",
    "cumulative_cash_before_gap_funding_idr", "unfunded_gap_idr", "interest_income_idr",
)


def project_cash(g: Grid, inp: Inputs, chain: Any, words: dict[str, str], label: Callable[..., str],
                 groups: dict[AssetKey, Group]) -> None:
    """The viability-gap grant, the region's stakes (values) and the project's free cash flow (ADB 2005, ch. 7)."""
    g.title(words["title_project"])
    fo = inp.first_operating_year - inp.start_year
    # the grant's base (feasibility.model.run.construction_cost): the construction years' spend without land, plus the
    # interest during construction in the year it is capitalised
    built = [r for grp in groups.values() if grp.key.asset_class != "land" for r in grp.built]

    def grant(j: int) -> Any:
        if is_zero(inp.grant_share):
            return 0.0
        parts = ([g.at(r, j) for r in built] if j < fo else []) + [g.at("interest_capitalised_idr", j)]
        return Sym(f"({'+'.join(parts)})*{term(inp.grant_share)}", False)

    g.add("viability_gap_grant_idr", label("line", "viability_gap_grant_idr"), grant)
    extra = ""
    if inp.stakes:
        stakes(g, inp, words)
        extra = "-{p}+{d}+{v}"

    def fcf(j: int) -> Sym:
        f = [g.at(k, j) for k in ("ebitda_idr", "tax_unlevered_idr", "capex_idr", "change_in_working_capital_idr", "residual_value_idr",
                                  "viability_gap_grant_idr")]
        text = f"{f[0]}-{f[1]}-{f[2]}-{f[3]}+{f[4]}+{f[5]}"
        if extra:
            text += extra.format(p=g.at("stakes_paid_idr", j), d=g.at("stakes_dividends_idr", j), v=g.at("stakes_value_idr", j))
        return Sym(text, False)

    g.add("project_fcf_idr", label("line", "project_fcf_idr"), fcf)


def stakes(g: Grid, inp: Inputs, words: dict[str, str]) -> None:
    """The region's stakes in companies it does not run (:func:`feasibility.model.public.stakes`): payments, dividends
    (the yield on capital paid in before the year, from the first dividend year) and the value at the end (a multiple of it)."""
    last = g.T - 1
    rows = []
    for n, st in enumerate(inp.stakes, start=1):
        paid = {yr - inp.start_year: [] for yr in st.years}
        for k, yr in enumerate(st.years):
            paid[yr - inp.start_year].append(st.amounts[k])
        row = f"stake_{n}_paid_idr"
        g.add(row, words["row_stake_paid"].format(x=st.name),
              lambda j, paid=paid: Sym("+".join(term(x) for x in paid[j]), False) if paid.get(j) else 0.0)
        g.add(f"stake_{n}_dividends_idr", words["row_stake_dividends"].format(x=st.name),
              lambda j, st=st, row=row: Sym(f"{term(st.dividend_yield)}*SUM({g.span(row, 0, j - 1)})", False)
              if j and g.years[j] >= st.first_dividend_year else 0.0)
        g.add(f"stake_{n}_value_idr", words["row_stake_value"].format(x=st.name),
              lambda j, st=st, row=row: Sym(f"{term(st.terminal_multiple)}*SUM({g.span(row)})", False) if j == last else 0.0)
        rows.append(n)
    for key, part in (("stakes_paid_idr", "paid"), ("stakes_dividends_idr", "dividends"), ("stakes_value_idr", "value")):
        g.total(key, words[f"row_{key}"], [f"stake_{n}_{part}_idr" for n in rows])


def cash_waterfall(g: Grid, inp: Inputs, losses: tuple[Any, str, str], words: dict[str, str], label: Callable[..., str]) -> None:
    """The company's year (:mod:`feasibility.model.waterfall`): tax with interest and losses carried forward, the PP 54/2017
    allocation, cash before distributions, the standby repaid, dividends and tantiem due paid from what is left, and a
    shortfall financed by the case's sources in order; a public service unit's year (:func:`feasibility.model.public.public_unit`)."""
    a = g.at

    def prev(key: str, j: int) -> str:
        return g.at(key, j - 1) if j else "0"

    if inp.vehicle != "bumd":
        g.add("taxable_income_idr", label("line", "taxable_income_idr"), lambda j: g.s("ebitda_idr", j) - g.s("depreciation_idr", j))
        for key in ("loss_relief_idr", "tax_idr"):
            g.add(key, label("line", key), lambda j: 0.0)
        g.add("net_profit_idr", label("line", "net_profit_idr"), lambda j: g.s("taxable_income_idr", j))
        g.add("surplus_idr", words["row_surplus"], lambda j: g.s("ebitda_idr", j) - g.s("change_in_working_capital_idr", j))
        g.add("dividends_paid_idr", label("line", "dividends_paid_idr"), lambda j: Sym(f"MAX({a('surplus_idr', j)},0)"))
        g.add("top_up_idr", label("line", "top_up_idr"), lambda j: Sym(f"MAX(-{a('surplus_idr', j)},0)"))
        done = {"taxable_income_idr", "loss_relief_idr", "tax_idr", "net_profit_idr", "dividends_paid_idr", "top_up_idr",
                "cumulative_cash_before_gap_funding_idr"}
        for key in WATERFALL:
            if key not in done:  # no tax, reserve, tantiem, loans or standby; the unit keeps no cash
                g.add(key, label("line", key), lambda j: 0.0)
        # the plan's own position: the deficits the APBD covered, summed
        g.add("cumulative_cash_before_gap_funding_idr", label("line", "cumulative_cash_before_gap_funding_idr"),
              lambda j: Sym(f"-SUM({g.span('top_up_idr', 0, j)})", False))
        return
    f = inp.funding
    g.add("standby_interest_idr", label("line", "standby_interest_idr"),
          lambda j: 0.0 if j == 0 or is_zero(f.standby_rate) else Sym(f"{term(f.standby_rate)}*{a('standby_balance_idr', j - 1)}", False))
    # idle cash earns the deposit rate on the year's opening balance (when positive)
    g.add("interest_income_idr", label("line", "interest_income_idr"),
          lambda j: 0.0 if j == 0 or is_zero(inp.deposit_rate)
          else Sym(f"{term(inp.deposit_rate)}*MAX({a('cumulative_cash_idr', j - 1)},0)", False))
    g.add("taxable_income_idr", label("line", "taxable_income_idr"),
          lambda j: Sym(f"{a('ebitda_idr', j)}-{a('depreciation_idr', j)}-{a('interest_idr', j)}-{a('standby_interest_idr', j)}"
                        f"+{a('interest_income_idr', j)}", False))
    ws, sheet, annual = losses
    relief = loss_sheet(ws, sheet, annual, g, "taxable_income_idr", inp.loss_carryforward_years, words, g.fmt, top=2 * g.T + 8,
                        title="losses_intro_company")
    g.add("loss_relief_idr", label("line", "loss_relief_idr"), lambda j: Sym(f"SUM({relief.format(col=col_letter(Y0 + j))})"))
    g.add("tax_idr", label("line", "tax_idr"),
          lambda j: Sym(f"(MAX({a('taxable_income_idr', j)},0)-{a('loss_relief_idr', j)})*{term(inp.tax_rate)}", False))
    g.add("net_profit_idr", label("line", "net_profit_idr"), lambda j: g.s("taxable_income_idr", j) - g.s("tax_idr", j))
    # PP 54/2017 (feasibility.model.allocation.Allocator): past losses made good first, then the reserve up to its cap
    g.add("paid_in_capital_idr", words["row_paid_in"],
          lambda j: Sym(f"SUM({g.span('equity_injection_idr', 0, j)})" + (f"+SUM({g.span('top_up_idr', 0, j - 1)})" if j else ""), False))
    g.add("allocation_base_idr", words["row_allocation_base"],
          lambda j: Sym(f"MAX(0,MIN({a('net_profit_idr', j)},{prev('retained_earnings_idr', j)}+{a('net_profit_idr', j)}))"))
    g.add("legal_reserve_addition_idr", label("line", "legal_reserve_addition_idr"),
          lambda j: Sym(f"MIN({term(inp.reserve_share)}*{a('allocation_base_idr', j)},MAX(0,{term(inp.reserve_cap_share)}"
                        f"*{a('paid_in_capital_idr', j)}-{prev('legal_reserve_idr', j)}))"))
    g.add("legal_reserve_idr", label("line", "legal_reserve_idr"),
          lambda j: Sym(f"{prev('legal_reserve_idr', j)}+{a('legal_reserve_addition_idr', j)}", False))
    g.add("tantiem_declared_idr", words["row_tantiem_declared"],
          lambda j: Sym(f"{term(inp.tantiem_share)}*({a('allocation_base_idr', j)}-{a('legal_reserve_addition_idr', j)})", False))
    g.add("dividend_declared_idr", words["row_dividend_declared"],
          lambda j: Sym(f"{term(inp.payout)}*({a('allocation_base_idr', j)}-{a('legal_reserve_addition_idr', j)}"
                        f"-{a('tantiem_declared_idr', j)})", False))
    g.add("retained_earnings_idr", words["row_retained"],
          lambda j: Sym(f"{prev('retained_earnings_idr', j)}+{a('net_profit_idr', j)}-{a('legal_reserve_addition_idr', j)}"
                        f"-{a('tantiem_declared_idr', j)}-{a('dividend_declared_idr', j)}", False))
    lag = inp.dividend_lag_years

    def due(kind: str) -> Callable[[int], Sym]:
        def cell(j: int) -> Sym:
            ys = [j - lag] if j - lag >= 0 else []  # those of the last lag years fall due after the horizon
            parts = [prev(f"{kind}_owed_idr", j)] + [a(f"{kind}_declared_idr", y) for y in ys]
            return Sym("+".join(parts), False)
        return cell

    g.add("dividend_due_idr", words["row_dividend_due"], due("dividend"))
    g.add("tantiem_due_idr", words["row_tantiem_due"], due("tantiem"))
    g.add("cash_available_idr", words["row_available"],
          lambda j: Sym(f"{prev('cumulative_cash_idr', j)}+{a('equity_injection_idr', j)}+{a('debt_drawdown_idr', j)}"
                        f"+{a('viability_gap_grant_idr', j)}+{a('ebitda_idr', j)}-{a('change_in_working_capital_idr', j)}-{a('tax_idr', j)}"
                        f"-{a('capex_idr', j)}-{a('debt_service_idr', j)}-{a('standby_interest_idr', j)}+{a('interest_income_idr', j)}",
                        False))
    g.add("standby_repayment_idr", label("line", "standby_repayment_idr"),
          lambda j: Sym(f"MIN(MAX({a('cash_available_idr', j)},0),{prev('standby_balance_idr', j)})"))
    g.add("cash_after_standby_idr", words["row_after_standby"], lambda j: g.s("cash_available_idr", j) - g.s("standby_repayment_idr", j))
    due_all = "({d}+{t})"
    g.add("distributions_paid_share", words["row_paid_share"],
          lambda j: Sym(f"IF({due_all.format(d=a('dividend_due_idr', j), t=a('tantiem_due_idr', j))}>0,"
                        f"MIN({due_all.format(d=a('dividend_due_idr', j), t=a('tantiem_due_idr', j))},MAX({a('cash_after_standby_idr', j)},0))"
                        f"/{due_all.format(d=a('dividend_due_idr', j), t=a('tantiem_due_idr', j))},0)"), fmt="share")
    g.add("dividends_paid_idr", label("line", "dividends_paid_idr"), lambda j: g.s("dividend_due_idr", j) * g.s("distributions_paid_share", j))
    g.add("tantiem_idr", label("line", "tantiem_idr"), lambda j: g.s("tantiem_due_idr", j) * g.s("distributions_paid_share", j))
    g.add("dividend_owed_idr", words["row_dividend_owed"], lambda j: g.s("dividend_due_idr", j) - g.s("dividends_paid_idr", j))
    g.add("tantiem_owed_idr", words["row_tantiem_owed"], lambda j: g.s("tantiem_due_idr", j) - g.s("tantiem_idr", j))
    g.add("distributions_owed_idr", label("line", "distributions_owed_idr"), lambda j: g.s("dividend_owed_idr", j) + g.s("tantiem_owed_idr", j))
    g.add("shortfall_idr", words["row_shortfall"],
          lambda j: Sym(f"MAX(-({a('cash_after_standby_idr', j)}-{a('dividends_paid_idr', j)}-{a('tantiem_idr', j)}),0)"))
    gap = "shortfall_idr"
    draw: str | None = None
    top: str | None = None
    for src in f.order:
        if src == "standby":
            g.add("standby_draw_idr", label("line", "standby_draw_idr"),
                  lambda j, gap=gap: Sym(f"MIN({a(gap, j)},MAX({term(f.standby_limit)}-({prev('standby_balance_idr', j)}"
                                         f"-{a('standby_repayment_idr', j)}),0))"))
            draw = "standby_draw_idr"
        else:
            g.add("top_up_idr", label("line", "top_up_idr"), lambda j, gap=gap: g.s(gap, j))
            top = "top_up_idr"
        nxt = f"gap_after_{src}_idr"
        g.add(nxt, words["row_gap_after"].format(x=label("line", draw if src == "standby" else top)),
              lambda j, gap=gap, src=src: g.s(gap, j) - g.s("standby_draw_idr" if src == "standby" else "top_up_idr", j))
        gap = nxt
    for key, got in (("standby_draw_idr", draw), ("top_up_idr", top)):
        if got is None:
            g.add(key, label("line", key), lambda j: 0.0)
    g.add("unfunded_gap_idr", label("line", "unfunded_gap_idr"), lambda j, gap=gap: g.s(gap, j))
    g.add("standby_balance_idr", label("line", "standby_balance_idr"),
          lambda j: Sym(f"{prev('standby_balance_idr', j)}-{a('standby_repayment_idr', j)}+{a('standby_draw_idr', j)}", False))
    g.add("cumulative_cash_idr", label("line", "cumulative_cash_idr"),
          lambda j: Sym(f"{a('cash_after_standby_idr', j)}-{a('dividends_paid_idr', j)}-{a('tantiem_idr', j)}"
                        f"+{a('standby_draw_idr', j)}+{a('top_up_idr', j)}", False))
    g.add("net_cash_flow_idr", label("line", "net_cash_flow_idr"),
          lambda j: Sym(f"{a('cumulative_cash_idr', j)}-{prev('cumulative_cash_idr', j)}", False))
    g.add("cumulative_cash_before_gap_funding_idr", label("line", "cumulative_cash_before_gap_funding_idr"),
          lambda j: Sym(f"{a('cumulative_cash_idr', j)}-SUM({g.span('top_up_idr', 0, j)})-{a('standby_balance_idr', j)}", False))


def company(g: Grid, inp: Inputs, losses: tuple[Any, str, str], words: dict[str, str], label: Callable[..., str]) -> None:
    """The company's cash waterfall, then the debt-service cover, the equity and shareholder flows and the region's money."""
    g.title(words["title_company"])
    fo, last = inp.first_operating_year - inp.start_year, g.T - 1
    bumd = inp.vehicle == "bumd"
    injected = {yr - inp.start_year: [] for yr in inp.injection_years}
    for n, yr in enumerate(inp.injection_years):
        injected[yr - inp.start_year].append(inp.injection_amounts[n])
    g.add("planned_injection_idr", words["row_planned_injection"],
          lambda j: Sym("+".join(term(x) for x in injected[j]), False) if injected.get(j) else 0.0)
    public_unit = "" if bumd else "+{c}-{g}"

    def inj(j: int, region: bool) -> Sym:
        text = g.at("planned_injection_idr", j) + ("" if region or not bumd else f"/{term(inp.ownership)}")
        text += public_unit.format(c=g.at("capex_idr", j), g=g.at("viability_gap_grant_idr", j))
        if region and inp.stakes:
            text += f"+{g.at('stakes_paid_idr', j)}"
        return Sym(text, False)

    g.add("equity_injection_idr", label("line", "equity_injection_idr"), lambda j: inj(j, False))
    g.add("region_injection_idr", label("line", "region_injection_idr"), lambda j: inj(j, True))
    # the waterfall reads rows written after it in the same year (the cash of the year before, the top-ups): their
    # addresses are known once written; a second pass writes its formulas
    cash_waterfall(g, inp, losses, words, label)
    a = g.at
    g.add("cfads_idr", label("line", "cfads_idr"),
          lambda j: Sym(f"{a('ebitda_idr', j)}-{a('tax_idr', j)}-{a('change_in_working_capital_idr', j)}-({a('capex_idr', j)}"
                        f"-{a('expansion_capex_idr', j)})", False) if j >= fo else 0.0)
    g.add("dscr", label("line", "dscr"),
          lambda j: Sym(f"IF({a('debt_service_idr', j)}>0,{a('cfads_idr', j)}/{a('debt_service_idr', j)},\"\")") if j >= fo else None,
          fmt="ratio")

    lag = inp.dividend_lag_years
    # the tantiem the company owes its staff at the end: due and unpaid, and declared on the last lag years' profit
    g.add("staff_owed_end_idr", words["row_staff_owed"],
          lambda j: (Sym(f"{a('tantiem_owed_idr', j)}" + (f"+SUM({g.span('tantiem_declared_idr', g.T - lag, j)})" if lag else ""), False)
                     if bumd else 0.0) if j == last else 0.0)

    def equity(j: int) -> Sym:
        text = (f"{a('ebitda_idr', j)}-{a('tax_idr', j)}-{a('capex_idr', j)}-{a('change_in_working_capital_idr', j)}"
                f"+{a('debt_drawdown_idr', j)}-{a('debt_service_idr', j)}+{a('standby_draw_idr', j)}-{a('standby_repayment_idr', j)}"
                f"-{a('standby_interest_idr', j)}+{a('residual_value_idr', j)}+{a('viability_gap_grant_idr', j)}"
                f"+{a('interest_income_idr', j)}-{a('tantiem_idr', j)}")
        if j == last:
            text += f"-{a('debt_outstanding_idr', j)}-{a('standby_balance_idr', j)}-{a('staff_owed_end_idr', j)}"
        return Sym(text, False)

    g.add("equity_cf_idr", label("line", "equity_cf_idr"), equity)

    def shareholders(j: int) -> Sym:
        text = f"{a('dividends_paid_idr', j)}-({a('equity_injection_idr', j)}+{a('top_up_idr', j)})"
        if j == last:
            text += (f"+{a('cumulative_cash_idr', j)}+{a('residual_value_idr', j)}-{a('debt_outstanding_idr', j)}"
                     f"-{a('standby_balance_idr', j)}-{a('staff_owed_end_idr', j)}")
        return Sym(text, False)

    g.add("shareholder_cf_idr", label("line", "shareholder_cf_idr"), shareholders)
    own = term(inp.ownership)
    g.add("region_top_up_idr", label("line", "region_top_up_idr"), lambda j: Sym(f"{a('top_up_idr', j)}*{own}", False))
    g.add("public_money_idr", label("line", "public_money_idr"), lambda j: g.s("region_injection_idr", j) + g.s("region_top_up_idr", j))
    stake_div = (lambda j: f"+{a('stakes_dividends_idr', j)}") if inp.stakes else (lambda j: "")
    g.add("dividends_to_region_idr", label("line", "dividends_to_region_idr"),
          lambda j: Sym(f"{a('dividends_paid_idr', j)}*{own}{stake_div(j)}", False))
    # the region's share of the BUMD's net assets at the end (feasibility.model.run.final_stake): a shareholder loses no
    # more than its stake; the assets less a liquidation discount; plus its stakes in other companies
    stake_value = (lambda j: f"+{a('stakes_value_idr', j)}") if inp.stakes else (lambda j: "")
    nwc = g.at("net_working_capital_idr", last)
    haircut = "" if is_zero(inp.liquidation_discount) or inp.residual_method == "none" else f"-({a('residual_value_idr', last)}-{nwc})*{term(inp.liquidation_discount)}"
    g.add("region_final_stake_idr", label("line", "region_final_stake_idr"),
          lambda j: (0.0 if inp.final_stake == "none" else
                     Sym(f"{own}*MAX(0,{a('cumulative_cash_idr', j)}+{a('residual_value_idr', j)}{haircut}-{a('debt_outstanding_idr', j)}"
                         f"-{a('standby_balance_idr', j)}-{a('staff_owed_end_idr', j)}){stake_value(j)}", False)) if j == last else 0.0)
    g.add("region_bond_interest_idr", label("line", "region_bond_interest_idr"),
          lambda j: Sym(f"SUM({g.span('public_money_idr', 0, j - 1)})*{term(inp.region_rate)}", False) if j else 0.0)


#: the flows the metrics are computed on: line key -> the formula of its cells (in the results' price basis)
METRIC_FLOWS = {
    "flow_project_idr": "{project_fcf_idr}",
    "flow_equity_idr": "{equity_cf_idr}",
    "flow_shareholders_idr": "{shareholder_cf_idr}",
    "flow_region_idr": "{dividends_to_region_idr}+{region_final_stake_idr}-{public_money_idr}",
    "flow_benefits_idr": "{revenue_total_idr}+{residual_value_idr}",
    "flow_costs_idr": "{capex_idr}+{opex_total_idr}+{change_in_working_capital_idr}+{tax_unlevered_idr}",
}


def metric_flows(g: Grid, inp: Inputs, words: dict[str, str]) -> None:
    """The flows the metrics discount, deflated by the price index when the results are in real prices."""
    g.title(words["title_flows_real"] if inp.real else words["title_flows"])
    for key, text in METRIC_FLOWS.items():
        def cell(j: int, text: str = text) -> Sym:
            keys = {k: g.at(k, j) for k in ("project_fcf_idr", "equity_cf_idr", "shareholder_cf_idr", "dividends_to_region_idr", "region_final_stake_idr",
                                             "public_money_idr", "revenue_total_idr", "residual_value_idr", "capex_idr",
                                             "opex_total_idr", "change_in_working_capital_idr", "tax_unlevered_idr")}
            body = text.format(**keys)
            return Sym(f"({body})/{g.at('price_index', j)}" if inp.real else body, False)

        g.add(key, words[f"row_{key}"], cell)


def write_annual(g: Grid, inp: Inputs, chain: Any, blocks: Blocks, losses: tuple[Any, str, str], words: dict[str, str],
                 label: Callable[..., str], forecast_how: Callable[[Stream], str]) -> None:
    """Every step of the model as rows of ``g``, in the model's order (see the module docstring): a first pass lays
    the rows out, the second writes the formulas."""
    start = g.r
    for dry in (True, False):
        g.dry, g.r = dry, start
        operations(g, inp, chain, words, label, forecast_how)
        want_real = inp.residual_method == "economic_life"
        groups = capital(g, inp, chain, words, label, want_real)
        loans(g, inp, words, label)
        depreciation(g, inp, groups, blocks, words, label)
        g.title(words["title_tax"])
        g.add("taxable_income_unlevered_idr", words["row_taxable_unlevered"],
              lambda j: g.s("ebitda_idr", j) - g.s("depreciation_project_idr", j))
        ws, sheet, annual = losses
        relief = loss_sheet(ws, sheet, annual, g, "taxable_income_unlevered_idr", inp.loss_carryforward_years, words, g.fmt)
        project_tax(g, inp, relief, label, words)
        residual(g, inp, groups, blocks, words, label)
        project_cash(g, inp, chain, words, label, groups)
        company(g, inp, losses, words, label)
        metric_flows(g, inp, words)
