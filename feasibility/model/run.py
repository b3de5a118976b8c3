"""The annual cash-flow model of a BUMD port case, vectorised over leading axes.

One implementation serves the deterministic case, scenarios, sensitivity and
Monte Carlo: :func:`run` takes a validated :class:`~feasibility.case.Case` and
optional *overrides*, arrays of values for any quantity of the case addressed
by its dotted path (``"port.revenue.cargo_handling.tariff_idr_per_tonne"``).
The overrides broadcast together to a leading shape ``L``; every annual line
of the result has shape ``L + (T,)`` and every metric shape ``L``.

Flow of the calculation (all money in nominal rupiah inside, shown in the
case's ``timeline.price_basis``):

1. prices: base-year prices x real escalation x general inflation;
2. revenue = volume x tariff per stream (ramp-up and growth from the stream's
   first year; lab streams not before accreditation); variable cost per unit;
   fixed opex; concession fee on port revenue; EBITDA, by business line and
   consolidated at BUMD level with the BUMD's overhead;
3. capex with contingency and optimism bias (HM Treasury Green Book), phased
   by year, renewed every n years where the case says so; construction assets
   enter service in the first operating year; tax depreciation per PMK 72/2023
   group from the year of service;
4. loans drawn as a share of construction capex, interest on the opening
   balance, grace years, annuity or straight-line repayment; interest during
   construction is capitalised into the assets (PSAK 26);
5. income tax with loss carry-forward (UU PPh art. 6(2)), twice: with interest
   (the company's tax) and without (the project's tax, for the free cash flow
   before financing, ADB 2005);
6. residual value in the last year (economic life or tax book value, plus net
   working capital); project free cash flow; CFADS, DSCR and LLCR;
7. BUMD profit allocation (PP 54/2017): legal reserve, tantiem, dividend, the
   region's share -> PAD; cumulative cash (EU 2014 financial sustainability);
8. metrics (:mod:`feasibility.metrics`), with the reasons any of them is
   undefined in ``Result.undefined``.

Overrides are checked against the ranges the case schema allows (a tax rate
of 22 instead of 0.22 raises ``ValueError``), so a vectorised run never
returns a silent wrong number.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import metrics as fm
from ..case import Case, Quantity
from ..domain.buildup import cross_check, hinterland_cargo_tonnes, lab_samples, ramp_up, regional_cargo_tonnes
from ..domain.capacity import berth_capacity_tonnes_per_year, expand, throughput, yard_capacity_tonnes_per_year
from .allocation import allocate_profit, payback_year
from .tax import depreciation, income_tax

__all__ = ["Result", "run", "evaluate", "METRIC_UNITS"]


class _Params:
    """Case numbers by path, with optional array overrides on leading axes."""

    def __init__(self, case: Case, overrides: Mapping[str, Any] | None):
        self.q: dict[str, Quantity] = case.quantity_map()
        self.over: dict[str, np.ndarray] = {}
        shapes = []
        problems = []
        forecasts = {
            f"{key}.revenue.{name}.forecast.volumes"
            for key, line in case.lines().items()
            for name, st in line.revenue.items()
            if st.forecast is not None
        }
        n_years = case.timeline.end_year - case.timeline.start_year + 1
        for path, val in (overrides or {}).items():
            if path in forecasts:
                # sampled volume paths of a forecast stream (risk.simulate): L + (T,), before its share
                arr = np.asarray(val, dtype=float)
                if arr.ndim == 0 or arr.shape[-1] != n_years:
                    raise ValueError(f"override {path!r}: needs a last axis of {n_years} years, got shape {arr.shape}")
                if not (np.isfinite(arr) & (arr >= 0)).all():
                    problems.append(f"{path}: volumes must be finite and >= 0")
                shapes.append(arr.shape[:-1])
                self.over[path] = arr
                continue
            if path not in self.q:
                from ..case.errors import did_you_mean  # imported here to keep this edit to the message

                guess = did_you_mean(path, [*self.q, *sorted(forecasts)])
                raise KeyError(
                    f"override {path!r}: no such quantity in this case{'; ' + guess if guess else ''} "
                    "(an optional quantity must be in the case file before it can be varied)"
                )
            arr = np.asarray(val, dtype=float)
            bad = type(self.q[path]).outside(arr)
            if bad.any():
                problems.append(
                    f"{path}: must be {type(self.q[path]).rule()}, got {int(bad.sum())} of {arr.size} "
                    f"value(s) outside, e.g. {float(arr[bad].flat[0])!r}"
                )
            if self.q[path].is_list:
                n = len(self.q[path].value)
                if arr.ndim == 0 or arr.shape[-1] != n:
                    raise ValueError(f"override {path!r}: needs a last axis of length {n}, got shape {arr.shape}")
                shapes.append(arr.shape[:-1])
            else:
                shapes.append(arr.shape)
            self.over[path] = arr
        if problems:
            raise ValueError("overrides outside the ranges the case file allows:\n  " + "\n  ".join(problems))
        self.lead: tuple[int, ...] = np.broadcast_shapes(*shapes) if shapes else ()

    def s(self, path: str, default: float | None = None) -> Any:
        """A scalar quantity: a float, or an array of shape L + (1,) when overridden."""
        if path in self.over:
            return self.over[path][..., None]
        q = self.q.get(path)
        if q is None:
            if default is None:
                raise KeyError(path)
            return default
        return float(q.value)

    def lst(self, path: str) -> np.ndarray:
        """A list quantity: shape (k,), or L + (k,) when overridden."""
        if path in self.over:
            return self.over[path]
        return np.asarray(self.q[path].value, dtype=float)


class _Lines(Mapping[str, np.ndarray]):
    """Annual lines in the price basis, computed or deflated when first read.

    A vectorised run (Monte Carlo) reads only the lines its metrics need, so
    the others are never divided by the price index.
    """

    def __init__(self, raw: dict[str, tuple[np.ndarray, bool]], deflator: Any):
        self._raw = raw
        self._deflator = deflator
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._done:
            value, is_money = self._raw[key]
            if callable(value):  # lines only some callers need (DSCR, LLCR) are computed when read
                value = value()
            self._done[key] = value / self._deflator if is_money else np.asarray(value)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class Result:
    """What :func:`run` returns.

    Attributes
    ----------
    case : Case
    years : ndarray of int, shape (T,)
    lines : mapping of str to ndarray, shape L + (T,)
        Annual lines in ``price_basis`` (IDR; ratios and volumes as named).
    metrics : dict of ndarray or float, shape L
    price_basis : {"real", "nominal"}
    lead_shape : tuple
        The leading shape L (``()`` for a single case).
    undefined : list of dict
        Why some metrics are NaN: ``{"metric", "reason", "count"}`` with reason
        ``no_irr`` or ``multiple_irr`` and the number of cases (of the leading
        shape) affected. Never dropped silently.
    """

    case: Case
    years: np.ndarray
    lines: Mapping[str, np.ndarray]
    metrics: dict[str, Any]
    price_basis: str
    lead_shape: tuple[int, ...] = ()
    undefined: list[dict[str, Any]] = field(default_factory=list)

    @property
    def annual(self) -> pd.DataFrame:
        """The annual table, one row per year (single case only)."""
        if self.lead_shape:
            raise ValueError(f"annual table is for a single case; this result has leading shape {self.lead_shape}")
        df = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in self.lines.items()}, index=pd.Index(self.years, name="year"))
        return df

    def metrics_table(self, lang: str = "en") -> pd.DataFrame:
        """Metrics with label and unit (single case only)."""
        from ..present.i18n import catalog

        if self.lead_shape:
            raise ValueError("metrics_table is for a single case")
        labels = catalog(lang)["metric"]
        rows = [
            {"metric": k, "label": labels.get(k, k), "value": float(v), "unit": METRIC_UNITS.get(k, "")}
            for k, v in self.metrics.items()
        ]
        return pd.DataFrame(rows).set_index("metric")


#: unit of each metric: "fraction" for rates (0.08 = 8 %), "IDR" in the price basis
METRIC_UNITS: dict[str, str] = {
    "fnpv_idr": "IDR",
    "firr": "fraction",
    "wacc": "fraction",
    "mirr": "fraction",
    "payback_years": "years",
    "discounted_payback_years": "years",
    "bcr": "ratio",
    "profitability_index": "ratio",
    "equity_npv_idr": "IDR",
    "equity_irr": "fraction",
    "cost_of_equity": "fraction",
    "dscr_min": "ratio",
    "dscr_avg": "ratio",
    "llcr": "ratio",
    "llcr_min": "ratio",
    "cash_sustainable": "flag",
    "first_cash_shortfall_year": "year",
    "min_cumulative_cash_idr": "IDR",
    "capex_total_idr": "IDR",
    "debt_total_idr": "IDR",
    "region_injection_total_idr": "IDR",
    "region_dividends_total_idr": "IDR",
    "region_pv_injection_idr": "IDR",
    "region_pv_dividends_idr": "IDR",
    "region_npv_idr": "IDR",
    "region_irr": "fraction",
    "region_discount_rate": "fraction",
    "region_payback_year": "year",
    "region_discounted_payback_year": "year",
    "region_dividends_avg_idr_per_year": "IDR",
    "region_bond_alternative_idr_per_year": "IDR",
    "region_dividends_share_of_pad": "fraction",
    "region_injection_share_of_apbd": "fraction",
    "viability_gap_grant_total_idr": "IDR",
    "enpv_idr": "IDR",
    "eirr": "fraction",
    "ebcr": "ratio",
    "social_discount_rate": "fraction",
    "cargo_build_up_to_top_down": "ratio",
    "cargo_unmet_tonnes": "tonnes",
    "berth_occupancy_max": "fraction",
    "pv_contribution_port_idr": "IDR",
    "pv_contribution_lab_idr": "IDR",
}


def _fisher_real(nominal: Any, inflation: Any) -> Any:
    return (1.0 + nominal) / (1.0 + inflation) - 1.0


def run(
    case: Case,
    overrides: Mapping[str, Any] | None = None,
    *,
    scenario: str | None = None,
    metrics: Sequence[str] | None = None,
) -> Result:
    """Evaluate a case, optionally for many parameter sets at once.

    Parameters
    ----------
    case : Case
        A validated case (:func:`feasibility.load_case`).
    overrides : mapping of str to array_like, optional
        Values replacing case quantities, by dotted path; arrays broadcast
        together to the leading shape L. List quantities (``ramp_up``,
        injections) take arrays whose last axis is the list.
    scenario : str, optional
        A scenario of the case (``case.scenarios``); its values apply first and
        ``overrides`` on top of them.
    metrics : sequence of str, optional
        Compute only these metrics (keys of :data:`METRIC_UNITS`); all by
        default. A Monte Carlo asks for the few it reports, which skips the
        costly ones (IRRs of many-sign-change flows) it does not need.

    Returns
    -------
    Result
    """
    if scenario is not None:
        overrides = {**case.scenario(scenario), **(overrides or {})}
    P = _Params(case, overrides)
    lead = P.lead
    tl = case.timeline
    years = np.arange(tl.start_year, tl.end_year + 1)
    T = years.size
    y0, fo, base = tl.start_year, tl.first_operating_year, tl.price_base_year
    full = lead + (T,)

    def z() -> np.ndarray:
        return np.zeros(full)

    def idx(year: int) -> int:
        return year - y0

    inflation = P.s("macro.inflation_per_year")
    price_index = np.broadcast_to((1.0 + inflation) ** (years - base), full)

    def escalation(path: str) -> Any:
        return (1.0 + P.s(path, 0.0)) ** (years - base)

    lines: dict[str, np.ndarray] = {}
    unskilled: Any = 0.0  # wages of unskilled labour in the costs (for the shadow wage)
    expansion = None
    revenue_total, variable_total, fixed_total = z(), z(), z()
    port_revenue = z()

    # -- operations ----------------------------------------------------------
    for key, line in case.lines().items():
        line_rev, line_cost = z(), z()
        volumes = {name: _volume(P, case, key, name, st, years, fo, full, lines) for name, st in line.revenue.items()}
        if key == "port" and case.port.capacity is not None:
            expansion = _cap_cargo(P, case, volumes, lines, years, full)
        for name, st in line.revenue.items():
            p = f"{key}.revenue.{name}"
            vol = volumes[name]
            tariff = P.s(f"{p}.{st.tariff_field}") * escalation(f"{p}.tariff_escalation_real_per_year") * price_index
            rev = vol * tariff
            unit_cost = P.s(f"{p}.{st.variable_cost_field}", 0.0) * escalation(f"{p}.cost_escalation_real_per_year")
            vcost = vol * unit_cost * price_index
            lines[f"volume_{key}_{name}_{st.volume_unit}"] = vol
            lines[f"revenue_{key}_{name}_idr"] = rev
            line_rev = line_rev + rev
            line_cost = line_cost + vcost
            variable_total = variable_total + vcost
        revenue_total = revenue_total + line_rev
        for name, item in line.opex.items():
            cost = _fixed_cost(P, f"{key}.opex.{name}", item, years, fo, price_index, escalation)
            unskilled = unskilled + cost * P.s(f"{key}.opex.{name}.unskilled_labour_share", 0.0)
            fixed_total = fixed_total + cost
            line_cost = line_cost + cost
        if key == "port":
            port_revenue = line_rev
            line_cost = line_cost + line_rev * P.s("port.concession_fee_share_of_revenue")
        # each business line's own result before BUMD overhead (the consolidation view)
        lines[f"revenue_{key}_idr"] = line_rev
        lines[f"direct_costs_{key}_idr"] = line_cost
        lines[f"contribution_{key}_idr"] = line_rev - line_cost

    overhead = z()
    for name, item in case.bumd.overhead.items():
        cost = _fixed_cost(P, f"bumd.overhead.{name}", item, years, fo, price_index, escalation)
        overhead = overhead + cost
        unskilled = unskilled + cost * P.s(f"bumd.overhead.{name}.unskilled_labour_share", 0.0)
    concession = port_revenue * P.s("port.concession_fee_share_of_revenue")
    opex_total = variable_total + fixed_total + overhead + concession
    ebitda = revenue_total - opex_total

    # -- capex and tax depreciation ------------------------------------------------
    capex, construction_capex = z(), z()
    capex_by: dict[str, Any] = {"land": 0.0, "construction": 0.0, "equipment": 0.0}  # for the economic analysis
    in_service: dict[tuple[str, str], np.ndarray] = {}
    # the same at base-year prices, each spend deflated in the year it is made (economic residual)
    in_service_real: dict[tuple[str, str], Any] = {}
    want_real = case.economic is not None or case.residual_value.method == "economic_life"
    built: dict[tuple[str, str], Any] = {}  # depreciable construction spend by tax class
    for key, line in case.lines().items():
        for name, item in line.capex.items():
            p = f"{key}.capex.{name}"
            total = P.s(f"{p}.amount_idr") * (1.0 + P.s(f"{p}.contingency", 0.0)) * (1.0 + P.s(f"{p}.optimism_bias", 0.0))
            nominal = total * escalation(f"{p}.escalation_real_per_year") * price_index
            start = item.start_year if item.start_year is not None else y0
            share = np.zeros(T)
            share[idx(start) : idx(start) + len(item.phasing)] = item.phasing
            renewals = np.zeros(T)
            if item.renewal_every_years:
                # the whole item is bought again every n years after it entered service
                last_service = max(idx(start) + len(item.phasing) - 1, idx(fo))
                renewals[last_service + item.renewal_every_years :: item.renewal_every_years] = 1.0
            spend = nominal * (share + renewals)
            capex = capex + spend
            capex_by[_category(item.asset_class)] = capex_by[_category(item.asset_class)] + spend
            construction_capex = construction_capex + np.where(years < fo, spend, 0.0)
            placed = _placed_in_service(nominal, share, renewals, idx(fo))
            k = (item.asset_class, item.depreciation)
            in_service[k] = in_service.get(k, 0.0) + placed
            if want_real:
                real_placed = _placed_in_service(nominal / price_index, share, renewals, idx(fo))
                in_service_real[k] = in_service_real.get(k, 0.0) + real_placed
            if item.asset_class != "land":
                built[k] = built.get(k, 0.0) + np.sum(np.where(years < fo, spend, 0.0), axis=-1)

    if expansion is not None:
        # each phase is paid in its trigger year and enters service in its online year
        exp = case.port.capacity.expansion
        for j, k in enumerate(exp.phases):
            cost = P.s(f"port.capacity.expansion.phases.{k}.capex_idr")
            trig = np.broadcast_to(expansion.trigger_year[..., j : j + 1], full[:-1] + (1,))
            online = np.broadcast_to(expansion.online_year[..., j : j + 1], full[:-1] + (1,))
            spend = np.where(years == trig, cost * price_index, 0.0)
            capex = capex + spend
            capex_by[_category(exp.asset_class)] = capex_by[_category(exp.asset_class)] + spend
            placed = np.where(years == online, spend.sum(axis=-1, keepdims=True), 0.0)
            key = (exp.asset_class, "straight_line")
            in_service[key] = in_service.get(key, 0.0) + placed
            if want_real:
                in_service_real[key] = in_service_real.get(key, 0.0) + np.where(years == online, cost, 0.0)

    # -- working capital -------------------------------------------------------
    nwc = revenue_total * P.s("working_capital.receivable_days") / 365.0 - opex_total * P.s(
        "working_capital.payable_days"
    ) / 365.0
    d_nwc = np.diff(nwc, axis=-1, prepend=0.0)

    # -- loans -----------------------------------------------------------------
    draws_total, interest, principal, opening_total = z(), z(), z(), z()
    rate_weighted = 0.0
    share_total = 0.0
    for name, loan in case.financing.loans.items():
        p = f"financing.loans.{name}"
        share = P.s(f"{p}.share_of_construction_capex")
        rate = P.s(f"{p}.interest_rate")
        draws = construction_capex * share
        amount = draws.sum(axis=-1)
        first_rep = idx(fo) + loan.grace_years
        n = loan.tenor_years
        rate_l = np.broadcast_to(rate, lead + (1,))[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            annuity = np.where(rate_l > 0, amount * rate_l / (1.0 - (1.0 + rate_l) ** -n), amount / n)
        bal = np.zeros(lead)
        for t in range(T):
            opening_total[..., t] += bal
            it = rate_l * bal
            if t == first_rep + n - 1:
                pr = bal  # the last instalment clears the balance exactly (no rounding residue)
            elif first_rep <= t < first_rep + n:
                pr = annuity - it if loan.repayment == "annuity" else amount / n
                pr = np.minimum(pr, bal)
            else:
                pr = np.zeros(lead)
            interest[..., t] += it
            principal[..., t] += pr
            bal = bal + draws[..., t] - pr
        draws_total = draws_total + draws
        rate_weighted = rate_weighted + share * rate
        share_total = share_total + share
    debt_outstanding = np.cumsum(draws_total - principal, axis=-1)
    debt_service = interest + principal
    # interest during construction is part of the cost of the assets built (PSAK 26),
    # depreciated with them; it is a financing cost, so the project (unlevered) view
    # and the residual value leave it out
    building = years < fo
    interest_capitalised = np.where(building, interest, 0.0)
    interest_expensed = interest - interest_capitalised
    idc = interest_capitalised.sum(axis=-1)

    # -- tax depreciation --------------------------------------------------------
    dep_project = z()
    dep_by: dict[tuple[str, str], np.ndarray] = {}
    for (asset_class, method), placed in in_service.items():
        dep_by[(asset_class, method)] = depreciation(np.broadcast_to(placed, full), asset_class, method)
        dep_project = dep_project + dep_by[(asset_class, method)]
    dep = dep_project.copy()
    built_total = sum(built.values(), 0.0)
    if built and idx(fo) < T:
        for (asset_class, method), spent in built.items():
            placed_idc = z()
            placed_idc[..., idx(fo)] = idc * np.nan_to_num(_safe_div(spent, built_total))
            dep = dep + depreciation(placed_idc, asset_class, method)

    # -- tax -------------------------------------------------------------------
    rate_cit = P.s("tax.corporate_income_tax_rate")
    n_cf = case.tax.loss_carryforward_years
    taxable = ebitda - dep - interest_expensed
    levered = income_tax(taxable, rate_cit, n_cf)
    unlevered = income_tax(ebitda - dep_project, rate_cit, n_cf)
    tax = levered["tax"]
    net_profit = taxable - tax

    # -- residual value --------------------------------------------------------
    residual = z()
    rv = case.residual_value
    residual_by: dict[str, Any] = {"land": 0.0, "construction": 0.0, "equipment": 0.0}  # last year's assets
    if rv.method == "book_value":
        for (asset_class, method), placed in in_service.items():
            book = np.broadcast_to(placed, full).sum(axis=-1) - dep_by[(asset_class, method)].sum(axis=-1)
            residual_by[_category(asset_class)] = residual_by[_category(asset_class)] + book
    elif rv.method == "economic_life":
        age = T - np.arange(T)  # full years of use by the end of the last year
        # costs at base-year prices (each spend deflated in its own year), restated to last-year prices
        last_prices = np.broadcast_to(price_index, full)[..., -1:]
        for (asset_class, _method), placed_real in in_service_real.items():
            if asset_class == "land":
                weight = 1.0  # land keeps its real value
            else:
                # the share of its economic life left, at today's prices (EU CBA Guide 2014, s. 2.5)
                life = P.s(f"residual_value.economic_life_years.{asset_class}")
                weight = np.clip(1.0 - age / life, 0.0, 1.0)
            cat = _category(asset_class)
            residual_by[cat] = residual_by[cat] + np.sum(np.broadcast_to(placed_real, full) * weight * last_prices, axis=-1)
    if rv.method != "none":
        residual[..., -1] = sum(residual_by.values()) + nwc[..., -1]

    # a viability-gap grant (KPBU) pays a share of the construction capex in the construction years
    grant = construction_capex * P.s("ppp.viability_gap_grant_share", 0.0)
    project_fcf = ebitda - unlevered["tax"] - capex - d_nwc + residual + grant
    # cash available for debt service: operating years only (construction is funded by equity and loans)
    cfads = np.where(years >= fo, ebitda - tax - d_nwc - capex, 0.0)
    equity_cf = ebitda - tax - capex - d_nwc + draws_total - debt_service + residual + grant
    equity_cf[..., -1] -= debt_outstanding[..., -1]

    # -- equity, profit allocation, cash -------------------------------------------
    own = P.s("bumd.ownership_share_region")
    inj = case.financing.capital_injection
    region_inj = z()
    amounts = P.lst("financing.capital_injection.amount_idr_nominal")
    for j, yr in enumerate(inj.years):
        region_inj[..., idx(yr)] += amounts[..., j]
    equity_inj = region_inj / own
    a = "bumd.allocation."
    alloc = allocate_profit(
        net_profit,
        np.cumsum(equity_inj, axis=-1),
        P.s(a + "legal_reserve_share"),
        P.s(a + "legal_reserve_cap_share_of_capital"),
        P.s(a + "tantiem_share"),
        P.s(a + "dividend_payout"),
    )
    lag = case.bumd.allocation.dividend_lag_years
    div_paid = _lagged(alloc["dividend"], lag)
    tantiem_paid = _lagged(alloc["tantiem"], lag)
    region_div = div_paid * own
    net_cash = equity_inj + draws_total + grant + ebitda - d_nwc - tax - capex - debt_service - div_paid - tantiem_paid
    cum_cash = np.cumsum(net_cash, axis=-1)

    # -- lines in the reporting basis ---------------------------------------------
    real = tl.price_basis == "real"
    defl = price_index if real else 1.0
    money = {
        "revenue_total_idr": revenue_total,
        "variable_cost_idr": variable_total,
        "fixed_opex_idr": fixed_total,
        "overhead_idr": overhead,
        "concession_fee_idr": concession,
        "opex_total_idr": opex_total,
        "ebitda_idr": ebitda,
        "depreciation_idr": dep,
        "ebit_idr": ebitda - dep,
        "interest_idr": interest_expensed,
        "interest_capitalised_idr": interest_capitalised,
        "taxable_income_idr": taxable,
        "loss_relief_idr": levered["loss_used"],
        "tax_idr": tax,
        "net_profit_idr": net_profit,
        "capex_idr": capex,
        "change_in_working_capital_idr": d_nwc,
        "residual_value_idr": residual,
        "tax_unlevered_idr": unlevered["tax"],
        "project_fcf_idr": project_fcf,
        "viability_gap_grant_idr": grant,
        "debt_drawdown_idr": draws_total,
        "principal_idr": principal,
        "debt_service_idr": debt_service,
        "debt_outstanding_idr": debt_outstanding,
        "cfads_idr": cfads,
        "equity_injection_idr": equity_inj,
        "equity_cf_idr": equity_cf,
        "legal_reserve_addition_idr": alloc["reserve_addition"],
        "legal_reserve_idr": alloc["reserve"],
        "tantiem_idr": tantiem_paid,
        "dividends_paid_idr": div_paid,
        "region_injection_idr": region_inj,
        "dividends_to_region_idr": region_div,
        "net_cash_flow_idr": net_cash,
        "cumulative_cash_idr": cum_cash,
    }
    def sq(x: Any) -> Any:
        """A per-case parameter (float or L + (1,)) as an array of shape L."""
        return np.broadcast_to(x, lead + (1,))[..., 0] if np.ndim(x) else np.broadcast_to(x, lead)

    loan_rate = sq(_safe_div(rate_weighted, share_total))
    raw: dict[str, Any] = {"price_index": (price_index, False)}
    raw.update({k: (v, k.endswith("_idr")) for k, v in lines.items()})
    raw.update({k: (np.broadcast_to(v, full), True) for k, v in money.items()})
    raw["dscr"] = (lambda: np.broadcast_to(np.where(years >= fo, fm.dscr(cfads, debt_service), np.nan), full), False)
    raw["llcr"] = (
        lambda: np.broadcast_to(np.where(years >= fo, fm.llcr(loan_rate, cfads, debt_service, opening_total), np.nan), full),
        False,
    )
    r = "region."
    if case.region.pad_idr_per_year is not None:
        pad = P.s(r + "pad_idr_per_year") * escalation(r + "pad_growth_real_per_year") * price_index
        raw["region_pad_idr"] = (np.broadcast_to(pad, full), True)
    if case.region.apbd_idr_per_year is not None:
        raw["region_apbd_idr"] = (np.broadcast_to(P.s(r + "apbd_idr_per_year") * price_index, full), True)
    if case.economic is not None:
        econ = _Economic(P, case, years, fo, price_index, full, lines, revenue_total, variable_total + fixed_total + overhead, unskilled, capex_by, in_service_real)
        for k in econ.KEYS:
            raw[k] = (lambda k=k: econ.line(k), False)  # constant prices already
        for k in case.economic.benefits:
            raw[f"economic_benefit_{k}_real_idr"] = (lambda k=k: econ.line(f"economic_benefit_{k}_real_idr"), False)
    shown = _Lines(raw, defl)

    # -- metrics -------------------------------------------------------------
    infl_l = sq(inflation)
    ke_nom = sq(P.s("financing.cost_of_equity_nominal"))
    kd_nom = loan_rate
    g = sq(share_total)
    wacc_nom = fm.wacc(ke_nom, np.nan_to_num(kd_nom), g, sq(rate_cit))
    region_nom = sq(P.s("region.discount_rate_nominal"))
    wacc = _fisher_real(wacc_nom, infl_l) if real else wacc_nom
    ke = _fisher_real(ke_nom, infl_l) if real else ke_nom
    region_rate = _fisher_real(region_nom, infl_l) if real else region_nom
    operating = years >= fo

    def region_share(of: str, how: str) -> np.ndarray:
        if of not in shown:
            return np.full(lead, np.nan)
        if how == "avg_dividends":
            return np.mean(shown["dividends_to_region_idr"][..., operating] / shown[of][..., operating], axis=-1)
        return np.max(shown["region_injection_idr"] / shown[of], axis=-1)

    def bond_alternative() -> np.ndarray:
        # the level yearly amount over the operating years worth the injection at the region's rate
        disc = (1.0 + region_rate[..., None]) ** -np.arange(T)
        return fm.npv(region_rate, shown["region_injection_idr"]) / np.sum(disc[..., operating], axis=-1)

    def economic(key: str) -> Any:
        if case.economic is None:
            return np.full(lead, np.nan)
        sdr = sq(P.s("economic.social_discount_rate"))
        if key == "social_discount_rate":
            return sdr
        flow = shown["economic_flow_real_idr"]
        if key == "enpv_idr":
            return fm.npv(sdr, flow)
        if key == "eirr":
            return irr_of("eirr", flow)
        return fm.npv(sdr, shown["economic_benefits_real_idr"]) / fm.npv(sdr, shown["economic_costs_real_idr"])

    undefined: list[dict[str, Any]] = []

    def irr_of(key: str, flows: np.ndarray) -> np.ndarray:
        value, status = fm.irr_status(flows)
        for code, reason in ((fm.IRR_NONE, "no_irr"), (fm.IRR_MULTIPLE, "multiple_irr")):
            n = int(np.count_nonzero(status == code))
            if n:
                undefined.append({"metric": key, "reason": reason, "count": n})
        return value

    def dscr_stats() -> tuple[np.ndarray, np.ndarray]:
        dscr_ops = shown["dscr"]
        has_ds = np.isfinite(dscr_ops).any(axis=-1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no debt
            filled = np.where(has_ds[..., None], dscr_ops, 0.0)
            return (
                np.where(has_ds, np.nanmin(filled, axis=-1), np.nan),
                np.where(has_ds, np.nanmean(filled, axis=-1), np.nan),
            )

    def llcr_min() -> np.ndarray:
        llcr_all = shown["llcr"]
        has_l = np.isfinite(llcr_all).any(axis=-1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.where(has_l, np.nanmin(np.where(has_l[..., None], llcr_all, 0.0), axis=-1), np.nan)

    def llcr_first() -> np.ndarray:
        first_rep = min((idx(fo) + ln.grace_years for ln in case.financing.loans.values()), default=None)
        if first_rep is None or first_rep >= T:
            return np.full(lead, np.nan)
        return shown["llcr"][..., first_rep]

    def shortfall() -> tuple[np.ndarray, np.ndarray]:
        short = cum_cash < -0.5  # half a rupiah of rounding is not a shortfall
        any_short = short.any(axis=-1)
        return np.where(any_short, 0.0, 1.0), np.where(any_short, years[np.argmax(short, axis=-1)], np.nan)

    def benefits() -> np.ndarray:
        return shown["revenue_total_idr"] + shown["residual_value_idr"]

    def costs() -> np.ndarray:
        return shown["capex_idr"] + shown["opex_total_idr"] + shown["change_in_working_capital_idr"] + shown["tax_unlevered_idr"]

    def region_flow() -> np.ndarray:
        return shown["dividends_to_region_idr"] - shown["region_injection_idr"]

    # each metric computed only when asked for: a Monte Carlo asks for a few of them
    calc: dict[str, Any] = {
        "fnpv_idr": lambda: fm.npv(wacc, shown["project_fcf_idr"]),
        "firr": lambda: irr_of("firr", shown["project_fcf_idr"]),
        "wacc": lambda: wacc,
        "mirr": lambda: fm.mirr(shown["project_fcf_idr"], wacc, wacc),
        "payback_years": lambda: fm.payback_period(shown["project_fcf_idr"]),
        "discounted_payback_years": lambda: fm.discounted_payback_period(wacc, shown["project_fcf_idr"]),
        "bcr": lambda: fm.benefit_cost_ratio(wacc, benefits(), costs()),
        "profitability_index": lambda: fm.profitability_index(wacc, shown["project_fcf_idr"]),
        "equity_npv_idr": lambda: fm.npv(ke, shown["equity_cf_idr"]),
        "equity_irr": lambda: irr_of("equity_irr", shown["equity_cf_idr"]),
        "cost_of_equity": lambda: ke,
        "dscr_min": lambda: dscr_stats()[0],
        "dscr_avg": lambda: dscr_stats()[1],
        "llcr": llcr_first,
        "llcr_min": llcr_min,
        "cash_sustainable": lambda: shortfall()[0],
        "first_cash_shortfall_year": lambda: shortfall()[1],
        "min_cumulative_cash_idr": lambda: shown["cumulative_cash_idr"].min(axis=-1),
        "capex_total_idr": lambda: shown["capex_idr"].sum(axis=-1),
        "debt_total_idr": lambda: shown["debt_drawdown_idr"].sum(axis=-1),
        "region_injection_total_idr": lambda: shown["region_injection_idr"].sum(axis=-1),
        "region_dividends_total_idr": lambda: shown["dividends_to_region_idr"].sum(axis=-1),
        "region_pv_injection_idr": lambda: fm.npv(region_rate, shown["region_injection_idr"]),
        "region_pv_dividends_idr": lambda: fm.npv(region_rate, shown["dividends_to_region_idr"]),
        "region_npv_idr": lambda: fm.npv(region_rate, region_flow()),
        "region_irr": lambda: irr_of("region_irr", region_flow()),
        "region_discount_rate": lambda: region_rate,
        "region_payback_year": lambda: payback_year(years, shown["region_injection_idr"], shown["dividends_to_region_idr"]),
        "region_discounted_payback_year": lambda: payback_year(
            years, shown["region_injection_idr"], shown["dividends_to_region_idr"], region_rate
        ),
        "region_dividends_avg_idr_per_year": lambda: np.mean(shown["dividends_to_region_idr"][..., operating], axis=-1),
        "region_bond_alternative_idr_per_year": bond_alternative,
        "region_dividends_share_of_pad": lambda: region_share("region_pad_idr", "avg_dividends"),
        "region_injection_share_of_apbd": lambda: region_share("region_apbd_idr", "max_injection"),
        "viability_gap_grant_total_idr": lambda: shown["viability_gap_grant_idr"].sum(axis=-1),
        "enpv_idr": lambda: economic("enpv_idr"),
        "eirr": lambda: economic("eirr"),
        "ebcr": lambda: economic("ebcr"),
        "social_discount_rate": lambda: economic("social_discount_rate"),
    }
    ratio = "build_up_to_top_down_cargo_handling"
    calc["cargo_build_up_to_top_down"] = lambda: lines[ratio][..., -1] if ratio in lines else np.full(lead, np.nan)
    if "cargo_unmet_tonnes" in lines:
        calc["cargo_unmet_tonnes"] = lambda: lines["cargo_unmet_tonnes"].sum(axis=-1)
        calc["berth_occupancy_max"] = lambda: lines["berth_occupancy"].max(axis=-1)
    else:  # no berth capacity in the case: the cap is not modelled
        calc["cargo_unmet_tonnes"] = lambda: np.full(lead, np.nan)
        calc["berth_occupancy_max"] = lambda: np.full(lead, np.nan)
    for key in case.lines():
        # each business line's contribution before BUMD overhead, tax and financing
        calc[f"pv_contribution_{key}_idr"] = lambda key=key: fm.npv(wacc, shown[f"contribution_{key}_idr"])
    if metrics is None:
        wanted = list(calc)
    else:
        unknown = [k for k in metrics if k not in calc]
        if unknown:
            raise KeyError(f"metrics {unknown}: not computed by the model (metrics: {', '.join(calc)})")
        wanted = list(dict.fromkeys(metrics))
    m: dict[str, Any] = {k: calc[k]() for k in wanted}
    m = {k: (np.asarray(v, dtype=float)[()] if not lead else np.broadcast_to(np.asarray(v, dtype=float), lead)) for k, v in m.items()}
    if not lead:
        m = {k: float(v) for k, v in m.items()}
    return Result(case, years, shown, m, tl.price_basis, lead, undefined)


def evaluate(
    case: Case,
    overrides: Mapping[str, Any] | None = None,
    *,
    scenario: str | None = None,
    metrics: Sequence[str] | None = None,
) -> Result:
    """Evaluate a case; same as :func:`run` (the name the CLI and notebooks use)."""
    return run(case, overrides, scenario=scenario, metrics=metrics)


# ---------------------------------------------------------------------------
# pieces


def _category(asset_class: str) -> str:
    """Land, construction (buildings) or equipment (PMK groups 1-4): the economic analysis's cost kinds."""
    if asset_class == "land":
        return "land"
    return "construction" if asset_class.startswith("building") else "equipment"


def _per_case(x: Any) -> Any:
    """A parameter of shape L + (1,) as shape L (functions that take one value per case); floats pass."""
    return np.asarray(x)[..., 0] if np.ndim(x) else x


def _safe_div(a: Any, b: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(b) > 0, np.asarray(a, dtype=float) / np.where(np.asarray(b) > 0, b, 1.0), np.nan)


def _volume(
    P: _Params, case: Case, key: str, name: str, st: Any, years: np.ndarray, fo: int, full: tuple[int, ...], out: dict[str, np.ndarray]
) -> np.ndarray:
    """Demand volume of a stream by year: base volume x ramp-up share x growth, from its first year.

    A top-down cross-check of a build-up, when the case gives one, goes into ``out``.
    """
    p = f"{key}.revenue.{name}"
    start = st.start_year if st.start_year is not None else fo
    if key == "lab":
        start = max(start, case.lab.accreditation_year)  # no valid results before accreditation
    k = years - start
    if st.ramp_up is not None:
        r = P.lst(f"{p}.ramp_up")
        m = r.shape[-1]
        ramp = np.where(k < m, r[..., np.clip(k, 0, m - 1)], 1.0)
    elif st.ramp_up_curve is not None:
        curve = st.ramp_up_curve
        # ramp_up takes one start share per case (shape L), P.s gives L + (1,)
        r = ramp_up(curve.kind, curve.years_to_full, years.size, start_share=_per_case(P.s(f"{p}.ramp_up_curve.start_share")))
        ramp = r[..., np.clip(k, 0, years.size - 1)]
    else:
        ramp = 1.0
    growth = (1.0 + P.s(f"{p}.volume_growth_per_year", 0.0)) ** np.maximum(k, 0)
    b = f"{p}.build_up."
    if st.forecast is not None:
        if f"{p}.forecast.volumes" in P.over:  # sampled paths (Monte Carlo)
            series = P.over[f"{p}.forecast.volumes"]
        else:
            by_year = st.forecast.volumes()
            series = np.array([by_year.get(int(y), np.nan) for y in years])
        # growth is in the forecast; years before the stream starts are masked below
        base = P.s(f"{p}.forecast.share") * np.where(k >= 0, series, 0.0)
        growth = 1.0
    elif getattr(st, "build_up", None) is None:
        base = P.s(f"{p}.{st.volume_field}")
    elif st.kind == "cargo_handling":
        base = hinterland_cargo_tonnes(
            P.s(b + "companies"),
            P.s(b + "tonnes_per_company"),
            P.s(b + "capture_share"),
            own_terminal_share=P.s(b + "own_terminal_share"),
            competitor_share=P.s(b + "competitor_share"),
        )
        if st.build_up.top_down is not None:
            # the top-down estimate a reviewer compares the build-up with (same ramp-up and growth)
            td = regional_cargo_tonnes(P.s(b + "top_down.regional_tonnes"), P.s(b + "top_down.market_share"))
            out[f"top_down_{name}_tonnes"] = np.broadcast_to(td * ramp * growth * (k >= 0), full)
            check = cross_check(np.broadcast_to(base, full[:-1] + (1,)), np.broadcast_to(td, full[:-1] + (1,)))
            out[f"build_up_to_top_down_{name}"] = np.broadcast_to(check.ratio, full)
    else:  # lab tests; the accreditation year is already the stream's start
        base = lab_samples(P.s(b + "companies"), P.s(b + "samples_per_company"), P.s(b + "capture_share"), years, start)
    return np.broadcast_to(base * ramp * growth * (k >= 0), full)


def _cap_cargo(
    P: _Params, case: Case, volumes: dict[str, np.ndarray], lines: dict[str, np.ndarray], years: np.ndarray, full: tuple[int, ...]
) -> Any:
    """Cap the port's cargo-handling volumes at its berth (and yard) capacity (UNCTAD 1985), in place.

    Every cargo stream is scaled by the same share throughput / demand, and so
    are the port-dues and storage streams, which follow the cargo (fewer ship
    calls, less cargo in the yard); the demand, throughput, unmet demand and
    berth occupancy go into ``lines``.
    """
    c = "port.capacity."
    cap = berth_capacity_tonnes_per_year(
        case.port.capacity.berths,
        P.s(c + "working_hours_per_year"),
        P.s(c + "productivity_tonnes_per_hour"),
        P.s(c + "max_berth_occupancy"),
    )
    cargo = [n for n, st in case.port.revenue.items() if st.kind == "cargo_handling"]
    demand = sum((volumes[n] for n in cargo), np.zeros(full))
    occ_max = P.s(c + "max_berth_occupancy")
    exp = case.port.capacity.expansion
    grown = None
    if exp is None:
        capacity = np.broadcast_to(cap, full)
    else:
        e = c + "expansion."

        phases = [
            (_per_case(P.s(f"{e}phases.{k}.capacity_tonnes_per_year")), _per_case(P.s(f"{e}phases.{k}.capex_idr")))
            for k in exp.phases
        ]
        grown = expand(
            demand,
            cap,
            phases,
            years=years,
            trigger_occupancy=_per_case(P.s(e + "trigger_occupancy")),
            lead_time_years=exp.lead_time_years,
        )
        capacity = np.broadcast_to(grown.capacity_tonnes_per_year, full)
    berths = capacity
    yard = case.port.capacity.yard
    if yard is not None:
        y = c + "yard."
        capacity = np.minimum(
            capacity,
            yard_capacity_tonnes_per_year(
                P.s(y + "area_m2"),
                P.s(y + "stacking_density_tonnes_per_m2"),
                P.s(y + "dwell_days"),
                P.s(y + "max_utilisation"),
            ),
        )
    res = throughput(demand, capacity)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(demand > 0, res.throughput / np.where(demand > 0, demand, 1.0), 1.0)
    for n, st in case.port.revenue.items():
        if st.kind in ("cargo_handling", "port_dues", "storage"):
            volumes[n] = volumes[n] * scale
    lines["cargo_demand_tonnes"] = demand
    lines["cargo_throughput_tonnes"] = np.broadcast_to(res.throughput, full)
    lines["cargo_unmet_tonnes"] = np.broadcast_to(res.unmet, full)
    # the berths' occupancy at this throughput (UNCTAD): throughput / berth capacity x maximum occupancy
    lines["berth_occupancy"] = np.broadcast_to(throughput(res.throughput, berths, occ_max).occupancy, full)
    lines["cargo_capacity_tonnes"] = capacity
    return grown


def _fixed_cost(P: _Params, path: str, item: Any, years: np.ndarray, fo: int, price_index: np.ndarray, escalation: Any) -> np.ndarray:
    start = item.start_year if item.start_year is not None else fo
    end = item.end_year if item.end_year is not None else years[-1]
    active = (years >= start) & (years <= end)
    return P.s(f"{path}.amount_idr_per_year") * escalation(f"{path}.escalation_real_per_year") * price_index * active


def _placed_in_service(nominal: np.ndarray, share: np.ndarray, renewals: np.ndarray, first_op: int) -> np.ndarray:
    """Nominal cost entering service by year: construction spend waits for operation."""
    t = np.arange(share.size)
    placed = nominal * np.where(t >= first_op, share + renewals, renewals)
    if first_op < share.size:
        placed[..., first_op] += np.sum(nominal[..., :first_op] * share[:first_op], axis=-1)
    return placed


def _lagged(x: np.ndarray, lag: int) -> np.ndarray:
    """Shift payments by ``lag`` years; what falls after the horizon is paid in the last year."""
    if lag == 0:
        return x
    out = np.zeros_like(x)
    out[..., lag:] = x[..., :-lag]
    out[..., -1] += x[..., -lag:].sum(axis=-1)
    return out


class _Economic:
    """Economic cost-benefit lines (ADB 2017; EU CBA Guide 2014, s. 2.8), computed when first read.

    All lines are at constant base-year prices (the economic analysis is real):

    * benefits: the revenue at the output conversion factor; the employment
      benefit, i.e. the unskilled wages in the costs valued at the shadow wage
      instead of the standard factor (``wages x (cf_operating - cf_shadow_wage)``);
      each benefit stream's volume x unit value; the residual value of the
      assets at their conversion factors;
    * costs: capex by kind (land, construction, equipment) and the operating
      costs at their conversion factors;
    * left out as transfers or financial items: income tax, the concession
      fee (to the state), working capital, loans, interest, grants and dividends.

    With every factor 1 and no benefit streams, ``economic_flow`` equals the
    project free cash flow plus tax and concession fee, plus the change in
    working capital, less its recovery and any grant (the financial analysis
    less transfers).
    """

    KEYS = (
        "economic_revenue_real_idr",
        "economic_employment_real_idr",
        "economic_residual_real_idr",
        "economic_benefit_streams_real_idr",
        "economic_benefits_real_idr",
        "economic_capex_real_idr",
        "economic_opex_real_idr",
        "economic_costs_real_idr",
        "economic_flow_real_idr",
    )

    def __init__(self, P: _Params, case: Case, years: np.ndarray, fo: int, price_index: Any, full: tuple[int, ...],
                 lines: dict[str, np.ndarray], revenue: Any, operating_costs: Any, unskilled: Any,
                 capex_by: dict[str, Any], in_service: dict[tuple[str, str], Any]):
        self._args = (P, case, years, fo, price_index, full, lines, revenue, operating_costs, unskilled, capex_by, in_service)
        self._lines: dict[str, np.ndarray] | None = None

    def line(self, key: str) -> np.ndarray:
        if self._lines is None:
            self._lines = self._compute(*self._args)
        return self._lines[key]

    @staticmethod
    def _compute(P: _Params, case: Case, years: np.ndarray, fo: int, pi: Any, full: tuple[int, ...],
                 lines: dict[str, np.ndarray], revenue: Any, operating_costs: Any, unskilled: Any,
                 capex_by: dict[str, Any], in_service: dict[tuple[str, str], Any]) -> dict[str, np.ndarray]:
        e = "economic."
        cf = {k: P.s(f"{e}conversion_factors.{k}") for k in ("output", "construction", "equipment", "land", "operating_costs", "shadow_wage")}
        base = case.timeline.price_base_year
        out: dict[str, np.ndarray] = {}
        out["economic_revenue_real_idr"] = revenue * cf["output"] / pi
        out["economic_employment_real_idr"] = unskilled * (cf["operating_costs"] - cf["shadow_wage"]) / pi
        res = np.zeros(full)
        res[..., -1] = _Economic._residual_real(P, case, years, pi, full, in_service, cf)
        out["economic_residual_real_idr"] = res
        streams = np.zeros(full)
        for name, b in case.economic.benefits.items():
            p = f"{e}benefits.{name}."
            if b.follows is not None:
                key, stream = b.follows.split(".", 1)
                st = case.lines()[key].revenue[stream]
                volume = lines[f"volume_{key}_{stream}_{st.volume_unit}"] * P.s(p + "units_per_stream_unit")
            else:
                volume = P.s(p + "volume_units_per_year") * (years >= fo)
            value = P.s(p + "unit_value_idr") * (1.0 + P.s(p + "real_growth_per_year", 0.0)) ** (years - base)
            out[f"economic_benefit_{name}_real_idr"] = np.broadcast_to(volume * value, full)
            streams = streams + volume * value
        out["economic_benefit_streams_real_idr"] = np.broadcast_to(streams, full)
        capex = (capex_by["land"] * cf["land"] + capex_by["construction"] * cf["construction"] + capex_by["equipment"] * cf["equipment"]) / pi
        out["economic_capex_real_idr"] = np.broadcast_to(capex, full)
        out["economic_opex_real_idr"] = np.broadcast_to(operating_costs * cf["operating_costs"] / pi, full)
        benefits = out["economic_revenue_real_idr"] + out["economic_employment_real_idr"] + res + streams
        costs = out["economic_capex_real_idr"] + out["economic_opex_real_idr"]
        out["economic_benefits_real_idr"] = np.broadcast_to(benefits, full)
        out["economic_costs_real_idr"] = np.broadcast_to(costs, full)
        out["economic_flow_real_idr"] = np.broadcast_to(benefits - costs, full)
        return {k: np.broadcast_to(v, full) for k, v in out.items()}

    @staticmethod
    def _residual_real(P: _Params, case: Case, years: np.ndarray, pi: Any, full: tuple[int, ...],
                       in_service: dict[tuple[str, str], Any], cf: dict[str, Any]) -> np.ndarray:
        """The assets' residual value at constant base-year prices, at their conversion factors.

        ``in_service`` holds each asset's cost at base-year prices (every spend
        deflated in the year it was made), valued as the financial residual is
        (economic life left, or tax book value; land keeps its real value), so
        that general inflation does not change the economic result.
        """
        rv = case.residual_value
        total: Any = 0.0
        if rv.method == "none":
            return np.zeros(full[:-1])
        T = years.size
        age = T - np.arange(T)
        for (asset_class, method), placed in in_service.items():
            real = np.broadcast_to(placed, full)
            if rv.method == "book_value":
                value = real.sum(axis=-1) - depreciation(real, asset_class, method).sum(axis=-1)
            elif asset_class == "land":
                value = real.sum(axis=-1)
            else:
                life = P.s(f"residual_value.economic_life_years.{asset_class}")
                value = np.sum(real * np.clip(1.0 - age / life, 0.0, 1.0), axis=-1)
            total = total + value * _per_case(cf[_category(asset_class)])
        return np.broadcast_to(total, full[:-1])
