"""The PPP (KPBU) test: is the project economically but not financially feasible, and what grant closes the gap?

The economic analysis itself (ENPV, EIRR, economic BCR at the social
discount rate) is part of the model (:func:`feasibility.model.run`, the
``economic_*`` lines and the ``enpv_idr``, ``eirr``, ``ebcr`` metrics), so
sensitivity and Monte Carlo runs use it like any other metric. This module
adds the decision the KPBU route asks for (Perpres 38/2015; Permen PPN
7/2023; PMK 223/PMK.011/2012 on viability-gap funding):

* viability-gap funding is only for a project that is economically feasible
  (ENPV > 0, EIRR above the social discount rate) but not financially
  (FNPV < 0, FIRR below the WACC);
* the grant, paid as a share of the construction cost in the construction
  years, is the smallest share that brings FIRR up to the WACC (FNPV to 0),
  solved by root finding on the same vectorised model;
* it may not exceed the allowed share (``ppp.max_grant_share``), and the
  total investment must reach ``ppp.min_investment_idr`` (Rp100 bn).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import elementwise

from ..case import Case
from ..model import run

__all__ = ["PppTest", "ppp_test"]

_GRANT = "ppp.viability_gap_grant_share"


@dataclass(frozen=True)
class PppTest:
    """The outcome of :func:`ppp_test` (money in the case's price basis).

    Attributes
    ----------
    route : str
        ``financially_feasible`` (no grant needed), ``not_economic`` (ENPV <= 0:
        no viability-gap funding), ``vgf`` (a grant within the cap closes the
        gap), ``vgf_above_cap`` (the grant needed exceeds the allowed share) or
        ``gap_not_closable`` (even a 100 % grant leaves FNPV < 0).
    grant_share : float
        The grant as a share of construction capex at which FIRR = WACC (NaN
        when none is needed or none suffices).
    grant_idr : float
        That grant in rupiah (sum over the construction years).
    firr_at_grant, wacc : float
        FIRR with the grant, and the WACC it must reach.
    meets_min_investment : bool
        Total capex >= ``ppp.min_investment_idr``.
    """

    route: str
    economic_feasible: bool
    financial_feasible: bool
    enpv_idr: float
    eirr: float
    social_discount_rate: float
    fnpv_idr: float
    firr: float
    wacc: float
    grant_share: float
    grant_idr: float
    firr_at_grant: float
    max_grant_share: float
    within_cap: bool
    total_investment_idr: float
    min_investment_idr: float
    meets_min_investment: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ppp_test(case: Case, *, scenario: str | None = None) -> PppTest:
    """The economic-versus-financial test and the viability-gap grant of a case.

    Parameters
    ----------
    case : Case
        Needs ``[economic]`` and ``[ppp]`` sections.
    scenario : str, optional
        Test a scenario of the case instead of the base.

    Returns
    -------
    PppTest

    Raises
    ------
    ValueError
        When the case has no ``[economic]`` or ``[ppp]`` section.
    """
    missing = [s for s in ("economic", "ppp") if getattr(case, s) is None]
    if missing:
        raise ValueError(f"the PPP test needs the case sections {', '.join(f'[{m}]' for m in missing)}")
    base = dict(case.scenario(scenario)) if scenario is not None else {}
    keys = ["fnpv_idr", "firr", "wacc", "enpv_idr", "eirr", "social_discount_rate", "capex_total_idr"]
    m0 = run(case, {**base, _GRANT: 0.0}, metrics=keys).metrics
    economic = bool(m0["enpv_idr"] > 0)
    financial = bool(m0["fnpv_idr"] >= 0)
    ppp = case.ppp
    cap = float(ppp.max_grant_share.value)
    # the threshold is in base-year prices: so is the capex it is compared with, whatever the basis shown
    min_inv = float(ppp.min_investment_idr.value)
    r0 = run(case, {**base, _GRANT: 0.0}, metrics=["capex_total_idr"])
    deflate = r0.lines["price_index"] if r0.price_basis == "nominal" else 1.0
    capex_base = float(np.sum(r0.lines["capex_idr"] / deflate))
    share, grant, firr_g = float("nan"), float("nan"), float("nan")
    if financial:
        route = "financially_feasible"
    elif not economic:
        route = "not_economic"
    else:

        def fnpv(g: np.ndarray) -> np.ndarray:
            g = np.asarray(g, dtype=float)
            return np.asarray(run(case, {**base, _GRANT: g}, metrics=["fnpv_idr"]).metrics["fnpv_idr"]).reshape(g.shape)

        if fnpv(np.array(1.0)) < 0:
            route = "gap_not_closable"
        else:
            res = elementwise.find_root(fnpv, (0.0, 1.0), tolerances={"xatol": 1e-12, "xrtol": 1e-12})
            share = float(res.x)
            at = run(case, {**base, _GRANT: share}, metrics=["firr", "viability_gap_grant_total_idr"]).metrics
            grant, firr_g = float(at["viability_gap_grant_total_idr"]), float(at["firr"])
            route = "vgf" if share <= cap else "vgf_above_cap"
    return PppTest(
        route=route,
        economic_feasible=economic,
        financial_feasible=financial,
        enpv_idr=float(m0["enpv_idr"]),
        eirr=float(m0["eirr"]),
        social_discount_rate=float(m0["social_discount_rate"]),
        fnpv_idr=float(m0["fnpv_idr"]),
        firr=float(m0["firr"]),
        wacc=float(m0["wacc"]),
        grant_share=share,
        grant_idr=grant,
        firr_at_grant=firr_g,
        max_grant_share=cap,
        within_cap=bool(np.isfinite(share) and share <= cap),
        total_investment_idr=capex_base,
        min_investment_idr=min_inv,
        meets_min_investment=capex_base >= min_inv,
    )
