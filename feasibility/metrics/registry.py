"""Every metric a case reports, declared once: unit, labels, which direction is better, hurdle, computation.

The verdict criteria (:mod:`feasibility.analysis.criteria`), the report's
colours, the studio's cards, the switching values of the sensitivity
analysis, the probabilities of the Monte Carlo and the CLI all read these
declarations; a threshold or a "better" direction is written nowhere else.

A hurdle is a comparison (``>``, ``>=``, ``<``, ``<=``) with a threshold that is
a number, another metric (``"wacc"``), or a value of the case's ``[criteria]``
(a function of the case). ``undefined_fails`` says what an undefined value
(NaN) means: a payback that never comes within the model years fails; an IRR
that does not exist or is not unique does not apply (its NPV decides), nor
does a DSCR without debt (None).

Model metrics are computed from the model's lines (:class:`Context`) by
:func:`compute`; ``prob_npv_negative`` and ``prob_dscr_below`` come from a
Monte Carlo (:mod:`feasibility.analysis.risk`).

References: ADB (2005) *Financial Management and Analysis of Projects* (FNPV at
the WACC, FIRR > WACC); EU *Guide to Cost-Benefit Analysis* (2014) (financial
sustainability, ENPV, EBCR); FHWA P3 primer (lenders' DSCR); Yescombe (2014)
*Principles of Project Finance*, ch. 12 (DSCR, LLCR).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import finance as fm
from .roots import IRR_MULTIPLE, IRR_NONE, irr_status

__all__ = [
    "METRICS",
    "METRIC_UNITS",
    "Context",
    "Metric",
    "compute",
    "hurdle",
    "label",
    "model_metric_keys",
    "passes",
    "threshold",
]


@dataclass(frozen=True)
class Metric:
    """The declaration of one metric.

    Attributes
    ----------
    key : str
    unit : str
        ``IDR`` (in the results' price basis), ``fraction`` (0.08 = 8 %),
        ``ratio``, ``years`` (a duration), ``year`` (a calendar year), ``flag``
        (1 yes, 0 no), ``tonnes``, ``count``.
    en, id : str
        The label in English and Indonesian.
    better : {"higher", "lower"} or None
    op : {">", ">=", "<", "<="} or None
        The hurdle's comparison: the metric passes when ``value op threshold``.
    against : float, str or callable, optional
        The threshold: a number, another metric's key, or ``f(case) -> float``.
    undefined_fails : bool
        Whether NaN fails the hurdle (else the hurdle does not apply).
    rate : bool
        A rate that is real when the results are in real prices (labelled so).
    proxy : str, optional
        A metric that crosses its own hurdle exactly when this one does and is
        defined everywhere (an IRR and the NPV at its hurdle rate): switching
        values and the drivers of a criterion are found on it.
    compute : callable, optional
        ``f(ctx) -> ndarray of shape L`` for model metrics; None for metrics of
        a Monte Carlo.
    irr_of : callable, optional
        For an IRR: ``f(ctx) -> flows`` of shape L + (T,), or None when the
        case has no such flows. ``compute`` is then the IRR of those flows
        (every IRR a run asks for is solved in one call).
    needs : callable, optional
        ``f(case) -> bool``: whether a case has this metric at all (a business
        line's contribution needs that line).
    """

    key: str
    unit: str
    en: str
    id: str
    better: str | None = None
    op: str | None = None
    against: float | str | Callable[[Any], float] | None = None
    undefined_fails: bool = False
    rate: bool = False
    proxy: str | None = None
    compute: Callable[[Context], Any] | None = None
    needs: Callable[[Any], bool] | None = None
    irr_of: Callable[[Context], Any] | None = None

    def __post_init__(self) -> None:
        if self.irr_of is not None:
            if self.compute is not None:
                raise ValueError(f"metric {self.key}: give compute or irr_of, not both")
            object.__setattr__(self, "compute", lambda c: c.irr(self.key, self.irr_of(c)))


@dataclass
class Context:
    """What model metrics are computed from: the annual lines in the results' basis and the discount rates.

    Attributes
    ----------
    lines : mapping of str to ndarray, shape L + (T,)
    years : ndarray of int, shape (T,)
    operating : ndarray of bool, shape (T,)
        The operating years.
    first_repayment : int or None
        Index of the first year a loan is repaid (the LLCR's year), None without loans.
    lead : tuple
    wacc, cost_of_equity, region_rate : ndarray, shape L
        In the results' price basis.
    social_rate : ndarray or None
        The real social discount rate, None without an economic analysis.
    has_capacity : bool
        Whether the case caps the cargo at a berth capacity.
    deferred_phases : ndarray
        Expansion phases each case defers because the BUMD could not fund them.
    expansion_built_by_case : bool
        Whether the case builds its expansion phases when triggered (``build``).
    to_current : float or ndarray, shape (T,) or L + (T,)
        Multiplies a money line in the results' basis into current prices (the
        price index for real results, 1 for nominal ones): what the APBD pays.
    alternatives : dict
        The FNPV of the same inputs ``without_expansion`` and ``with_expansion``
        (every phase built when triggered), run only when a metric asks.
    undefined : list of dict
        Filled with ``{"metric", "reason", "count"}`` for IRRs that are undefined.
    """

    lines: Mapping[str, np.ndarray]
    years: np.ndarray
    operating: np.ndarray
    first_repayment: int | None
    lead: tuple[int, ...]
    wacc: Any
    cost_of_equity: Any
    region_rate: Any
    social_rate: Any
    has_capacity: bool
    deferred_phases: Any = 0.0
    expansion_built_by_case: bool = False
    to_current: Any = 1.0
    alternatives: dict[str, Callable[[], Any]] = field(default_factory=dict)
    undefined: list[dict[str, Any]] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)
    _irrs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def nan(self) -> np.ndarray:
        return np.full(self.lead, np.nan)

    def irr(self, key: str, flows: np.ndarray | None) -> np.ndarray:
        """The IRR of each row, NaN where undefined, with the reasons counted in ``undefined``.

        ``flows`` None (the case has none): NaN, nothing counted. An IRR solved
        beforehand with the others (:meth:`solve_irrs`) is taken from there.
        """
        if flows is None:
            return self.nan()
        value, status = self._irrs.pop(key) if key in self._irrs else irr_status(flows)
        for code, reason in ((IRR_NONE, "no_irr"), (IRR_MULTIPLE, "multiple_irr")):
            n = int(np.count_nonzero(status == code))
            if n:
                self.undefined.append({"metric": key, "reason": reason, "count": n})
        return value

    def solve_irrs(self, flows: dict[str, np.ndarray]) -> None:
        """Solve several IRRs in one vectorised call (each row's root does not depend on the others')."""
        if len(flows) < 2:
            return
        full = np.broadcast_shapes(*(f.shape for f in flows.values()))
        value, status = irr_status(np.stack([np.broadcast_to(f, full) for f in flows.values()]))
        self._irrs.update({k: (value[i], status[i]) for i, k in enumerate(flows)})

    def once(self, key: str, fn: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]


# ---------------------------------------------------------------------------
# how the model metrics are computed


def _dscr_stats(c: Context) -> tuple[np.ndarray, np.ndarray]:
    def stats() -> tuple[np.ndarray, np.ndarray]:
        d = c.lines["dscr"]
        has = np.isfinite(d).any(axis=-1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no debt
            filled = np.where(has[..., None], d, 0.0)
            return np.where(has, np.nanmin(filled, axis=-1), np.nan), np.where(has, np.nanmean(filled, axis=-1), np.nan)

    return c.once("dscr", stats)


def _llcr_min(c: Context) -> np.ndarray:
    ll = c.lines["llcr"]
    has = np.isfinite(ll).any(axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.where(has, np.nanmin(np.where(has[..., None], ll, 0.0), axis=-1), np.nan)


def _llcr_first(c: Context) -> np.ndarray:
    if c.first_repayment is None or c.first_repayment >= c.years.size:
        return c.nan()
    return c.lines["llcr"][..., c.first_repayment]


def _shortfall(c: Context) -> tuple[np.ndarray, np.ndarray]:
    def find() -> tuple[np.ndarray, np.ndarray]:
        # the plan's own cash: before any financing of shortfalls (half a rupiah of rounding is not a shortfall)
        short = c.lines["cumulative_cash_before_gap_funding_idr"] < -0.5
        any_short = short.any(axis=-1)
        return np.where(any_short, 0.0, 1.0), np.where(any_short, c.years[np.argmax(short, axis=-1)], np.nan)

    return c.once("shortfall", find)


def _bcr(c: Context) -> np.ndarray:
    L = c.lines
    benefits = L["revenue_total_idr"] + L["residual_value_idr"]
    costs = L["capex_idr"] + L["opex_total_idr"] + L["change_in_working_capital_idr"] + L["tax_unlevered_idr"]
    return fm.benefit_cost_ratio(c.wacc, benefits, costs)


def _region_receipts(c: Context) -> np.ndarray:
    """What reaches the region: dividends (PAD) and, in the last year, its share of the BUMD's net assets."""
    return c.lines["dividends_to_region_idr"] + c.lines["region_final_stake_idr"]


def _region_flow(c: Context) -> np.ndarray:
    """What the region receives (dividends, and its share of the BUMD's net assets at the end) less all it pays in
    (planned injections and top-ups): the budget office's view."""
    return _region_receipts(c) - c.lines["public_money_idr"]


def _region_share(c: Context, of: str, how: str) -> np.ndarray:
    L = c.lines
    if of not in L:
        return c.nan()
    if how == "avg_dividends":
        return np.mean(L["dividends_to_region_idr"][..., c.operating] / L[of][..., c.operating], axis=-1)
    return np.max(L["public_money_idr"] / L[of], axis=-1)


def _expansion_npv(c: Context) -> np.ndarray:
    """FNPV with every expansion phase built when triggered, less FNPV with none: the expansion's own value."""
    alt = c.alternatives
    if not alt:
        return c.nan()
    built_here = c.expansion_built_by_case and not np.any(c.deferred_phases)
    with_ = fm.npv(c.wacc, c.lines[_FCF]) if built_here else alt["with_expansion"]()
    return with_ - alt["without_expansion"]()


def _expansion_enpv(c: Context) -> np.ndarray:
    """ENPV with every expansion phase built when triggered, less ENPV with none: the expansion's economic case (the
    benefits of the cargo it lets in, the ships' waiting that comes with it, and its costs, at shadow prices)."""
    alt = c.alternatives
    if "with_expansion_enpv" not in alt or c.social_rate is None:
        return c.nan()
    built_here = c.expansion_built_by_case and not np.any(c.deferred_phases)
    with_ = fm.npv(c.social_rate, c.lines["economic_flow_real_idr"]) if built_here else alt["with_expansion_enpv"]()
    return with_ - alt["without_expansion_enpv"]()


def _economic(c: Context, key: str) -> np.ndarray:
    if c.social_rate is None:
        return c.nan()
    if key == "social_discount_rate":
        return c.social_rate
    L = c.lines
    if key == "enpv_idr":
        return fm.npv(c.social_rate, L["economic_flow_real_idr"])
    return _ratio(fm.npv(c.social_rate, L["economic_benefits_real_idr"]), fm.npv(c.social_rate, L["economic_costs_real_idr"]))


def _ratio(num: Any, den: Any) -> np.ndarray:
    """``num / den``, NaN where nothing is spent (a plan with no costs, the status quo, has no ratio)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.full(np.broadcast_shapes(num.shape, den.shape), np.nan), where=den != 0)


def _capacity(c: Context, key: str) -> np.ndarray:
    if not c.has_capacity:  # no berth capacity in the case: the cap is not modelled
        return c.nan()
    if key == "cargo_unmet_tonnes":
        return c.lines["cargo_unmet_tonnes"].sum(axis=-1)
    return c.lines["berth_occupancy"].max(axis=-1)


def _cross_check(c: Context, line: str = "build_up_to_top_down_cargo_handling") -> np.ndarray:
    return c.lines[line][..., -1] if line in c.lines else c.nan()


# ---------------------------------------------------------------------------
# thresholds that come from the case


def _min_dscr(case: Any) -> float:
    return float(case.criteria.min_dscr)


def _max_prob_npv_negative(case: Any) -> float:
    return float(case.criteria.max_prob_npv_negative)


def _payback_limit(case: Any) -> float:
    """Payback must come within the construction years plus the concession's term."""
    return float(case.timeline.construction_years + case.concession.term_years)


def _has_line(key: str) -> Callable[[Any], bool]:
    return lambda case: key in case.lines()


def _M(key: str, unit: str, en: str, id_: str, **kw: Any) -> Metric:
    return Metric(key, unit, en, id_, **kw)


_FCF = "project_fcf_idr"

#: every metric, in the order tables show them
METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        _M("fnpv_idr", "IDR", "Project FNPV (after tax, before financing, at the WACC)",
           "FNPV proyek (setelah pajak, sebelum pembiayaan, pada WACC)", better="higher", op=">", against=0.0,
           compute=lambda c: fm.npv(c.wacc, c.lines[_FCF])),
        _M("firr", "fraction", "Project FIRR (after tax, before financing)", "FIRR proyek (setelah pajak, sebelum pembiayaan)",
           better="higher", op=">", against="wacc", rate=True, proxy="fnpv_idr",
           irr_of=lambda c: c.lines[_FCF]),
        _M("wacc", "fraction", "WACC (after tax)", "WACC (setelah pajak)", rate=True, compute=lambda c: c.wacc),
        _M("mirr", "fraction", "Project MIRR (finance and reinvestment at the WACC)", "MIRR proyek (pembiayaan dan reinvestasi pada WACC)",
           better="higher", op=">", against="wacc", rate=True,
           compute=lambda c: fm.mirr(c.lines[_FCF], c.wacc, c.wacc)),
        _M("payback_years", "years", "Payback period from the first model year", "Periode pengembalian sejak tahun pertama model",
           better="lower", op="<=", against=_payback_limit, undefined_fails=True,
           compute=lambda c: fm.payback_period(c.lines[_FCF])),
        _M("discounted_payback_years", "years", "Discounted payback period at the WACC", "Periode pengembalian terdiskonto pada WACC",
           better="lower", op="<=", against=_payback_limit, undefined_fails=True,
           compute=lambda c: fm.discounted_payback_period(c.wacc, c.lines[_FCF])),
        _M("bcr", "ratio", "Benefit-cost ratio (financial, at the WACC)", "Rasio manfaat-biaya (finansial, pada WACC)",
           better="higher", op=">", against=1.0, compute=_bcr),
        _M("profitability_index", "ratio", "Profitability index (at the WACC)", "Indeks profitabilitas (pada WACC)",
           better="higher", op=">", against=1.0, compute=lambda c: fm.profitability_index(c.wacc, c.lines[_FCF])),
        _M("equity_npv_idr", "IDR", "Equity NPV (free cash flow to equity) at the cost of equity",
           "NPV ekuitas (arus kas bebas untuk ekuitas) pada biaya ekuitas",
           better="higher", op=">", against=0.0, compute=lambda c: fm.npv(c.cost_of_equity, c.lines["equity_cf_idr"])),
        _M("equity_irr", "fraction", "Equity IRR (free cash flow to equity)", "IRR ekuitas (arus kas bebas untuk ekuitas)",
           better="higher", op=">", against="cost_of_equity",
           rate=True, proxy="equity_npv_idr", irr_of=lambda c: c.lines["equity_cf_idr"]),
        _M("shareholder_npv_idr", "IDR", "Shareholders' NPV: capital paid in against dividends and final net assets",
           "NPV pemegang saham: modal disetor dibanding dividen dan aset bersih akhir", better="higher", op=">", against=0.0,
           compute=lambda c: fm.npv(c.cost_of_equity, c.lines["shareholder_cf_idr"])),
        _M("shareholder_irr", "fraction", "Shareholders' IRR: capital paid in against dividends and final net assets",
           "IRR pemegang saham: modal disetor dibanding dividen dan aset bersih akhir", better="higher", op=">",
           against="cost_of_equity", rate=True, proxy="shareholder_npv_idr",
           irr_of=lambda c: c.lines["shareholder_cf_idr"]),
        _M("cost_of_equity", "fraction", "Cost of equity", "Biaya ekuitas", rate=True, compute=lambda c: c.cost_of_equity),
        _M("dscr_min", "ratio", "Minimum DSCR", "DSCR minimum", better="higher", op=">=", against=_min_dscr,
           compute=lambda c: _dscr_stats(c)[0]),
        _M("dscr_avg", "ratio", "Average DSCR", "DSCR rata-rata", better="higher", compute=lambda c: _dscr_stats(c)[1]),
        # lenders hold the LLCR to a cover at least that of the DSCR (Yescombe 2014, ch. 12): the same threshold
        _M("llcr", "ratio", "LLCR at the first repayment year", "LLCR pada tahun pertama angsuran", better="higher", op=">=",
           against=_min_dscr, compute=_llcr_first),
        _M("llcr_min", "ratio", "Minimum LLCR", "LLCR minimum", better="higher", op=">=", against=_min_dscr, compute=_llcr_min),
        _M("cash_sustainable", "flag", "Financially sustainable (cumulative cash never negative)",
           "Berkelanjutan secara finansial (kas kumulatif tidak pernah negatif)", better="higher", op=">=", against=1.0,
           compute=lambda c: _shortfall(c)[0]),
        _M("first_cash_shortfall_year", "year", "First year cumulative cash is negative", "Tahun pertama kas kumulatif negatif",
           compute=lambda c: _shortfall(c)[1]),
        _M("min_cumulative_cash_idr", "IDR", "Lowest cumulative cash balance before financing any shortfall",
           "Saldo kas kumulatif terendah sebelum pembiayaan kekurangan kas", better="higher", op=">=", against=0.0,
           compute=lambda c: c.lines["cumulative_cash_before_gap_funding_idr"].min(axis=-1)),
        _M("gap_funding_total_idr", "IDR", "Shortfalls financed by top-ups and the standby facility, total",
           "Kekurangan kas yang dibiayai tambahan modal dan fasilitas siaga, total", better="lower",
           compute=lambda c: (c.lines["top_up_idr"] + c.lines["standby_draw_idr"]).sum(axis=-1)),
        _M("unfunded_gap_max_idr", "IDR", "Largest cash shortfall no source covers (unfunded)",
           "Kekurangan kas terbesar yang tidak tertutup sumber mana pun", better="lower", op="<=", against=0.0,
           compute=lambda c: c.lines["unfunded_gap_idr"].max(axis=-1)),
        _M("capex_total_idr", "IDR", "Total capital expenditure", "Total belanja modal", compute=lambda c: c.lines["capex_idr"].sum(axis=-1)),
        _M("debt_total_idr", "IDR", "Total debt drawn", "Total pinjaman ditarik", compute=lambda c: c.lines["debt_drawdown_idr"].sum(axis=-1)),
        _M("region_injection_total_idr", "IDR", "Capital injection planned by the region", "Penyertaan modal daerah yang direncanakan",
           compute=lambda c: c.lines["region_injection_idr"].sum(axis=-1)),
        _M("region_injection_total_current_idr", "IDR", "Capital injection planned by the region, in current prices (as the regional regulation states it)",
           "Penyertaan modal daerah yang direncanakan, dalam harga berlaku (sebagaimana dicantumkan dalam peraturan daerah)",
           compute=lambda c: (c.lines["region_injection_idr"] * c.to_current).sum(axis=-1)),
        _M("region_top_up_total_idr", "IDR", "Top-ups the region pays to cover shortfalls", "Tambahan modal daerah untuk menutup kekurangan kas",
           better="lower", compute=lambda c: c.lines["region_top_up_idr"].sum(axis=-1)),
        _M("region_top_up_total_current_idr", "IDR", "Top-ups the region pays, total in current prices (as the APBD pays them)",
           "Tambahan modal daerah, total dalam harga berlaku (sebagaimana dibayar dari APBD)", better="lower",
           compute=lambda c: (c.lines["region_top_up_idr"] * c.to_current).sum(axis=-1)),
        _M("public_money_total_idr", "IDR", "Public money at stake: the region's injection and top-ups, total",
           "Uang publik yang dipertaruhkan: penyertaan dan tambahan modal daerah, total", better="lower",
           compute=lambda c: c.lines["public_money_idr"].sum(axis=-1)),
        _M("public_money_total_current_idr", "IDR", "Public money at stake, total in current prices (as the APBD pays it)",
           "Uang publik yang dipertaruhkan, total dalam harga berlaku (sebagaimana dibayar dari APBD)", better="lower",
           compute=lambda c: (c.lines["public_money_idr"] * c.to_current).sum(axis=-1)),
        _M("public_money_pv_idr", "IDR", "Present value of the public money at stake (region's rate)",
           "Nilai kini uang publik yang dipertaruhkan (tingkat diskonto daerah)", better="lower",
           compute=lambda c: fm.npv(c.region_rate, c.lines["public_money_idr"])),
        _M("region_dividends_total_idr", "IDR", "Dividends to the region (PAD), undiscounted", "Dividen untuk daerah (PAD), tanpa diskonto",
           compute=lambda c: c.lines["dividends_to_region_idr"].sum(axis=-1)),
        _M("region_pv_injection_idr", "IDR", "Present value of the region's capital injection", "Nilai kini penyertaan modal daerah",
           compute=lambda c: fm.npv(c.region_rate, c.lines["region_injection_idr"])),
        _M("region_pv_dividends_idr", "IDR", "Present value of dividends to the region (PAD)", "Nilai kini dividen untuk daerah (PAD)",
           better="higher", op=">=", against="public_money_pv_idr",
           compute=lambda c: fm.npv(c.region_rate, c.lines["dividends_to_region_idr"])),
        _M("region_pv_final_stake_idr", "IDR", "Present value of the region's share of the BUMD's net assets at the end",
           "Nilai kini bagian daerah atas aset bersih BUMD pada akhir periode",
           compute=lambda c: fm.npv(c.region_rate, c.lines["region_final_stake_idr"])),
        _M("region_npv_idr", "IDR", "Region's NPV: dividends and its share of the BUMD at the end, against injection and top-ups",
           "NPV daerah: dividen dan bagian daerah atas BUMD pada akhir periode, dibanding penyertaan dan tambahan modal",
           better="higher", op=">", against=0.0, compute=lambda c: fm.npv(c.region_rate, _region_flow(c))),
        _M("region_irr", "fraction", "Region's IRR: dividends and its share of the BUMD at the end, against injection and top-ups",
           "IRR daerah: dividen dan bagian daerah atas BUMD pada akhir periode, dibanding penyertaan dan tambahan modal",
           better="higher", op=">", against="region_discount_rate", rate=True, proxy="region_npv_idr",
           irr_of=_region_flow),
        _M("region_discount_rate", "fraction", "Region's discount rate (opportunity cost)", "Tingkat diskonto daerah (biaya peluang)",
           rate=True, compute=lambda c: c.region_rate),
        _M("region_payback_year", "year", "Year the region's injection and top-ups are paid back (dividends, and its share of the BUMD at the end)",
           "Tahun penyertaan dan tambahan modal daerah kembali (dividen, dan bagian daerah atas BUMD pada akhir periode)",
           better="lower", undefined_fails=True,
           compute=lambda c: fm.payback_year(c.years, c.lines["public_money_idr"], _region_receipts(c))),
        _M("region_discounted_payback_year", "year", "Year the injection and top-ups are paid back, discounted at the region's rate",
           "Tahun penyertaan dan tambahan modal kembali, terdiskonto pada tingkat diskonto daerah", better="lower", undefined_fails=True,
           compute=lambda c: fm.payback_year(c.years, c.lines["public_money_idr"], _region_receipts(c), c.region_rate)),
        _M("region_dividends_avg_idr_per_year", "IDR", "Average dividends to the region (PAD) per operating year",
           "Rata-rata dividen untuk daerah (PAD) per tahun operasi",
           compute=lambda c: np.mean(c.lines["dividends_to_region_idr"][..., c.operating], axis=-1)),
        _M("region_bond_interest_avg_idr_per_year", "IDR",
           "The same money in government bonds: average yearly interest (the capital comes back at maturity)",
           "Uang yang sama dalam obligasi pemerintah: rata-rata bunga per tahun (pokoknya kembali saat jatuh tempo)",
           compute=lambda c: np.mean(c.lines["region_bond_interest_idr"][..., c.operating], axis=-1)),
        _M("region_dividends_share_of_pad", "fraction", "Average dividends as a share of the region's PAD",
           "Rata-rata dividen sebagai bagian dari PAD daerah", compute=lambda c: _region_share(c, "region_pad_idr", "avg_dividends")),
        _M("region_injection_share_of_apbd", "fraction", "Largest yearly payment (injection or top-up) as a share of that year's regional budget (APBD)",
           "Pembayaran tahunan terbesar (penyertaan atau tambahan modal) sebagai bagian dari APBD tahun itu",
           compute=lambda c: _region_share(c, "region_apbd_idr", "max_injection")),
        _M("viability_gap_grant_total_idr", "IDR", "Viability-gap grant (KPBU)", "Dukungan kelayakan (VGF, KPBU)",
           compute=lambda c: c.lines["viability_gap_grant_idr"].sum(axis=-1)),
        _M("enpv_idr", "IDR", "Economic NPV (ENPV, at the social discount rate)", "NPV ekonomi (ENPV, pada tingkat diskonto sosial)",
           better="higher", op=">", against=0.0, compute=lambda c: _economic(c, "enpv_idr")),
        _M("eirr", "fraction", "Economic IRR (EIRR)", "IRR ekonomi (EIRR)", better="higher", op=">", against="social_discount_rate",
           rate=True, proxy="enpv_idr", irr_of=lambda c: None if c.social_rate is None else c.lines["economic_flow_real_idr"]),
        _M("ebcr", "ratio", "Economic benefit-cost ratio", "Rasio manfaat-biaya ekonomi", better="higher", op=">", against=1.0,
           compute=lambda c: _economic(c, "ebcr")),
        _M("social_discount_rate", "fraction", "Social discount rate (real)", "Tingkat diskonto sosial (riil)", rate=True,
           compute=lambda c: _economic(c, "social_discount_rate")),
        _M("cargo_build_up_to_top_down", "ratio", "Cargo build-up / top-down estimate (cross-check; 1 = agree)",
           "Kargo dari rincian / perkiraan makro (uji silang; 1 = sama)", compute=_cross_check),
        _M("cargo_build_up_share_of_reference", "fraction",
           "Cargo build-up as a share of the reference traffic (a competing port's cargo of the same type)",
           "Kargo dari rincian sebagai bagian dari lalu lintas acuan (muatan sejenis di pelabuhan pesaing)",
           compute=lambda c: _cross_check(c, "build_up_share_of_reference_cargo_handling")),
        _M("cargo_unmet_tonnes", "tonnes", "Cargo demand the berths cannot handle, total",
           "Permintaan kargo yang tidak tertampung dermaga, total", better="lower", compute=lambda c: _capacity(c, "cargo_unmet_tonnes")),
        _M("berth_occupancy_max", "fraction", "Highest berth occupancy", "Tingkat pemakaian dermaga tertinggi",
           compute=lambda c: _capacity(c, "berth_occupancy_max")),
        _M("expansion_npv_idr", "IDR", "The expansion's own FNPV (with its phases less without)",
           "FNPV perluasan sendiri (dengan tahapannya dikurangi tanpa)", better="higher", op=">", against=0.0, compute=_expansion_npv),
        _M("expansion_enpv_idr", "IDR", "The expansion's own ENPV (with its phases less without, at shadow prices)",
           "ENPV perluasan sendiri (dengan tahapannya dikurangi tanpa, pada harga bayangan)", better="higher",
           op=">", against=0.0, compute=_expansion_enpv),
        _M("expansion_deferred_phases", "count", "Expansion phases deferred: the BUMD could not fund them when needed",
           "Tahap perluasan yang ditunda: BUMD tidak mampu membiayainya saat dibutuhkan", better="lower",
           compute=lambda c: np.broadcast_to(np.asarray(c.deferred_phases, dtype=float), c.lead)),
        _M("pv_contribution_port_idr", "IDR", "Present value of the port's contribution (before overhead, tax, financing)",
           "Nilai kini kontribusi pelabuhan (sebelum biaya umum, pajak, pembiayaan)", better="higher", op=">", against=0.0,
           compute=lambda c: fm.npv(c.wacc, c.lines["contribution_port_idr"]), needs=_has_line("port")),
        _M("pv_contribution_lab_idr", "IDR", "Present value of the lab's contribution (before overhead, tax, financing)",
           "Nilai kini kontribusi laboratorium (sebelum biaya umum, pajak, pembiayaan)", better="higher", op=">", against=0.0,
           compute=lambda c: fm.npv(c.wacc, c.lines["contribution_lab_idr"]), needs=_has_line("lab")),
        _M("pv_contribution_services_idr", "IDR", "Present value of the industrial services' contribution (before overhead, tax, financing)",
           "Nilai kini kontribusi layanan industri (sebelum biaya umum, pajak, pembiayaan)", better="higher", op=">", against=0.0,
           compute=lambda c: fm.npv(c.wacc, c.lines["contribution_services_idr"]), needs=_has_line("services")),
        # of a Monte Carlo (feasibility.analysis.risk)
        _M("prob_npv_negative", "fraction", "Probability that FNPV < 0 (Monte Carlo)", "Peluang FNPV < 0 (Monte Carlo)",
           better="lower", op="<=", against=_max_prob_npv_negative, proxy="fnpv_idr"),
        _M("prob_dscr_below", "fraction", "Probability that the minimum DSCR is below the lender's threshold (Monte Carlo)",
           "Peluang DSCR minimum di bawah ambang pemberi pinjaman (Monte Carlo)", better="lower", proxy="dscr_min"),
    )
}

#: the unit of each model metric (the metrics :func:`feasibility.model.run` computes)
METRIC_UNITS: dict[str, str] = {k: m.unit for k, m in METRICS.items() if m.compute is not None}


def model_metric_keys(case: Any) -> list[str]:
    """The model metrics a case has, in table order."""
    return [k for k, m in METRICS.items() if m.compute is not None and (m.needs is None or m.needs(case))]


def compute(keys: Sequence[str], ctx: Context) -> dict[str, Any]:
    """The metrics ``keys`` of a model run, each of shape ``ctx.lead`` (floats for a single case)."""
    irrs = {k: METRICS[k].irr_of(ctx) for k in keys if METRICS[k].irr_of is not None}
    ctx.solve_irrs({k: f for k, f in irrs.items() if f is not None})
    out = {k: METRICS[k].compute(ctx) for k in keys}
    lead = ctx.lead
    out = {k: (np.asarray(v, dtype=float)[()] if not lead else np.broadcast_to(np.asarray(v, dtype=float), lead)) for k, v in out.items()}
    if not lead:
        out = {k: float(v) for k, v in out.items()}
    return out


# ---------------------------------------------------------------------------
# reading the declarations


def label(key: str, lang: str) -> str:
    """A metric's label in ``lang`` (``id`` or ``en``); the key itself for a name that is not a metric."""
    m = METRICS.get(key)
    if m is None:
        return key
    return m.id if lang == "id" else m.en


def hurdle(key: str, case: Any) -> float | str | None:
    """The threshold of a metric's hurdle: a number, another metric's key, or None (no hurdle)."""
    m = METRICS[key]
    if m.op is None:
        return None
    return m.against(case) if callable(m.against) else m.against


def threshold(key: str, case: Any, metrics: Mapping[str, Any]) -> float:
    """The hurdle's threshold as a number (another metric's value looked up in ``metrics``); NaN without a hurdle."""
    h = hurdle(key, case)
    if h is None:
        return math.nan
    return float(metrics.get(h, math.nan)) if isinstance(h, str) else float(h)


def holds(key: str, value: Any, thr: Any) -> Any:
    """Whether ``value`` meets the hurdle of ``key`` at threshold ``thr``, element-wise (False where undefined)."""
    op = METRICS[key].op
    v, t = np.asarray(value, dtype=float), np.asarray(thr, dtype=float)
    with np.errstate(invalid="ignore"):
        return {">": v > t, ">=": v >= t, "<": v < t, "<=": v <= t}[op]


def passes(key: str, value: float, case: Any, metrics: Mapping[str, Any]) -> bool | None:
    """Whether a metric passes its hurdle: True, False, or None when the hurdle does not apply.

    None when the metric has no hurdle, when its value is undefined and an
    undefined value does not fail it (a DSCR without debt), or when its
    threshold is undefined. An IRR with no single root is judged by its NPV
    at the hurdle rate (its ``proxy``): the FIRR of flows that never recover
    their outlay fails, as their FNPV at the WACC is below zero.
    """
    m = METRICS[key]
    if m.op is None:
        return None if not m.undefined_fails else (None if value is None else bool(math.isfinite(value)))
    if value is None or not math.isfinite(value):
        pv = metrics.get(m.proxy) if m.rate and m.proxy else None
        if pv is not None and math.isfinite(pv) and isinstance(METRICS[m.proxy].against, (int, float)):
            # an IRR with no single root (the flows never recover the outlay, or change sign more than once): its NPV
            # at the hurdle rate decides, as the standard rule for such flows (Brealey, Myers and Allen, ch. 5)
            return bool(holds(m.proxy, pv, float(METRICS[m.proxy].against)))
        return False if m.undefined_fails else None
    thr = threshold(key, case, metrics)
    if not math.isfinite(thr):
        return None
    return bool(holds(key, value, thr))
