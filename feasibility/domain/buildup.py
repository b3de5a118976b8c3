"""Bottom-up demand for a new port (and lab) with no history, vectorised.

A port that does not exist has no traffic series to extrapolate, so its demand
is **built up** from the hinterland: how many industrial companies there are,
how much sea cargo each moves, and which part of it the new port can win once
the firms' own special terminals (TERSUS/TUKS, PM 20/2017) and the competing
ports (Cigading/KIP, Ciwandan, Bojonegara, Tanjung Priok) have taken theirs.
The same build-up gives the environmental-laboratory (Labkesda) samples, which
only count once the lab is accredited. A ramp-up curve turns full demand into
the demand of the first years of operation, and :func:`cross_check` compares
the build-up with a top-down series (regional cargo x market share).

Every function is pure numpy and broadcasts over leading axes (scenarios, Monte
Carlo iterations). Where there is a time axis, **years are on the last axis**,
as in :mod:`feasibility.metrics` and :mod:`feasibility.domain.capacity`. Quantities
carry their unit in the name: tonnes per year, samples per year.

Conventions
-----------
* Bad input raises a :class:`ValueError` that lists **every** problem found, each
  as ``name: rule, got value`` (``capture_share: must be in [0, 1], got 1.2``),
  separated by ``"; "``. NaN always breaks a rule.
* A ratio with a zero denominator is ``NaN``, never an exception.
* Scalars in give numpy scalars out; arrays give arrays.
* Shares are fractions in [0, 1] (0.4 = 40 %), never percentages.

References
----------
UNCTAD (1985) *Port Development: A handbook for planners in developing
countries*, 2nd ed., TD/B/C.4/175/Rev.1, United Nations: traffic forecasting by
commodity and hinterland. Bain, R. (2009) "Error and optimism bias in toll road
traffic forecasts", *Transportation* 36, 469-482: ramp-up of new infrastructure
must be explicit. Peraturan Menteri Perhubungan PM 20/2017 (special terminals,
TERSUS/TUKS). Peraturan Menteri LHK P.23/MENLHK/SETJEN/KUM.1/4/2020
(environmental laboratories: results legally valid only once the lab is
accredited, SNI ISO/IEC 17025:2017, and registered).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Sequence

import numpy as np
from .._checks import Problems as _Problems, as_float as _arr, fmt as _fmt, unwrap as _out

__all__ = [
    "CrossCheck",
    "RAMP_KINDS",
    "company_demand",
    "cross_check",
    "hinterland_cargo_tonnes",
    "lab_samples",
    "ramp_up",
    "regional_cargo_tonnes",
]

#: the ramp-up curves :func:`ramp_up` knows
RAMP_KINDS = ("linear", "s_curve", "list")

#: default steepness of the s-curve times ``years_to_full`` (k = 8 / Y)
S_CURVE_STEEPNESS_X_YEARS = 8.0


# ---------------------------------------------------------------------------
# validation helpers (same conventions as feasibility.domain.capacity)


def _share(x: np.ndarray) -> np.ndarray:
    return (x >= 0) & (x <= 1)


def _volume(x: np.ndarray) -> np.ndarray:
    return (x >= 0) & np.isfinite(x)


def _whole(x: np.ndarray) -> np.ndarray:
    return np.isfinite(x) & (np.floor(x) == x)


_SHARE = "must be in [0, 1]"
_GE0 = "must be >= 0 and finite"
_WHOLE = "must be a whole number"


# ---------------------------------------------------------------------------
# cargo and samples


def hinterland_cargo_tonnes(
    companies: Any,
    tonnes_per_company: Any,
    capture_share: Any,
    *,
    own_terminal_share: Any = 0.0,
    competitor_share: Any = 0.0,
) -> Any:
    r"""Cargo the new port can win from the hinterland's companies (bottom-up).

    .. math:: T = N \times q \times (1 - s_{own}) \times (1 - s_{comp}) \times c

    applied in this order:

    1. ``N x q``: the sea cargo of the hinterland, companies times tonnes per company;
    2. ``x (1 - s_own)``: minus the share the firms move through their **own**
       special terminals (TERSUS/TUKS, PM 20/2017), which never reaches a public port;
    3. ``x (1 - s_comp)``: minus the share of the remaining (public-port) cargo
       taken by **competing ports** (Cigading/KIP, Ciwandan, Bojonegara, Tanjung
       Priok), a share of what is left after step 2, not of the total;
    4. ``x c``: the capture share the new port wins of what is left after step 3.

    Because the factors multiply, the order changes only the meaning of each share
    (each is a share of what the previous step left), not the arithmetic.

    Parameters
    ----------
    companies : array_like
        Number of industrial companies shipping by sea, >= 0 (may be fractional:
        an expected count in a scenario). "About 400" in Kabupaten Serang is
        unsourced; the provincial portal lists 73 medium industrial firms (2023).
    tonnes_per_company : array_like
        Sea cargo per company, tonnes per year, >= 0 and finite.
    capture_share : array_like
        Share of the cargo left after steps 2-3 that the new port wins, in [0, 1].
    own_terminal_share : array_like, optional
        Share of the cargo moved through the firms' own terminals, in [0, 1]; default 0.
    competitor_share : array_like, optional
        Share of the public-port cargo taken by competing ports, in [0, 1]; default 0.

    All inputs broadcast; give arrays over years (last axis) or scenarios
    (leading axes), e.g. ``companies`` of shape ``(n_years,)`` and
    ``capture_share`` of shape ``(n_scenarios, 1)``.

    Returns
    -------
    ndarray or float
        Tonnes per year the new port handles, the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        Listing every input that breaks its rule.

    Examples
    --------
    >>> float(hinterland_cargo_tonnes(150, 2000, 0.4, own_terminal_share=0.3, competitor_share=0.5))
    42000.0
    """
    n, q, c, own, comp = map(
        _arr, (companies, tonnes_per_company, capture_share, own_terminal_share, competitor_share)
    )
    pr = _Problems()
    pr.check("companies", n, _volume, _GE0)
    pr.check("tonnes_per_company", q, _volume, _GE0)
    pr.check("capture_share", c, _share, _SHARE)
    pr.check("own_terminal_share", own, _share, _SHARE)
    pr.check("competitor_share", comp, _share, _SHARE)
    pr.raise_if_any()
    return _out(n * q * (1.0 - own) * (1.0 - comp) * c)


def regional_cargo_tonnes(regional_tonnes: Any, market_share: Any) -> Any:
    r"""Cargo of the new port as a market share of regional cargo (top-down build-up).

    .. math:: T = R \times m

    Parameters
    ----------
    regional_tonnes : array_like
        Cargo of the region (e.g. Banten's sea trade or the Teluk Banten ports'
        throughput), tonnes per year, >= 0 and finite.
    market_share : array_like
        Share of it the new port wins, in [0, 1].

    Returns
    -------
    ndarray or float
        Tonnes per year, the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        Listing every input that breaks its rule.

    Examples
    --------
    >>> float(regional_cargo_tonnes(20_000_000, 0.002))  # 20 Mt x 0.2 %
    40000.0
    """
    r, m = _arr(regional_tonnes), _arr(market_share)
    pr = _Problems()
    pr.check("regional_tonnes", r, _volume, _GE0)
    pr.check("market_share", m, _share, _SHARE)
    pr.raise_if_any()
    return _out(r * m)


def lab_samples(
    companies: Any,
    samples_per_company: Any,
    capture_share: Any,
    years: Any,
    accreditation_year: Any,
) -> Any:
    r"""Environmental-lab samples per year, zero before the lab is accredited.

    .. math::

        S_t = \begin{cases} N \times s \times c & t \ge t_{acc} \\
                            0 & t < t_{acc} \end{cases}

    A lab's results are legally valid only once it is accredited (KAN,
    SNI ISO/IEC 17025:2017) and registered with the environment ministry
    (Permen LHK P.23/2020), so companies send it no samples before. The
    accreditation year counts in full; apply :func:`ramp_up` for a slower start.

    Parameters
    ----------
    companies : array_like
        Companies that must test their emissions, effluent or ambient air, >= 0.
    samples_per_company : array_like
        Samples a company has tested per year, >= 0 and finite.
    capture_share : array_like
        Share of those samples sent to the city's lab (instead of Tangerang or
        Jakarta), in [0, 1].
    years : array_like
        Calendar years, whole numbers; the last axis is the time axis.
    accreditation_year : array_like
        First calendar year the lab's results are valid, a whole number. Broadcasts
        against ``years``: per scenario, give it shape ``(n_scenarios, 1)``.

    Returns
    -------
    ndarray or float
        Samples per year, the broadcast shape of all inputs.

    Raises
    ------
    ValueError
        Listing every input that breaks its rule.

    Examples
    --------
    >>> lab_samples(100, 12, 0.5, [2026, 2027, 2028], 2027).tolist()  # 100 x 12 x 0.5
    [0.0, 600.0, 600.0]
    """
    n, s, c, y, acc = map(_arr, (companies, samples_per_company, capture_share, years, accreditation_year))
    pr = _Problems()
    pr.check("companies", n, _volume, _GE0)
    pr.check("samples_per_company", s, _volume, _GE0)
    pr.check("capture_share", c, _share, _SHARE)
    pr.check("years", y, _whole, _WHOLE)
    pr.check("accreditation_year", acc, _whole, _WHOLE)
    pr.raise_if_any()
    return _out(np.where(y >= acc, n * s * c, 0.0))


def company_demand(companies: Any, units_per_company: Any, capture_share: Any) -> Any:
    r"""Units of a service the companies buy from this business each year, built up as the lab's samples.

    .. math:: V = N \times u \times c

    The industrial-services line (warehousing, waste transport, business
    services) sizes its demand this way: how many companies, how much of the
    service each buys a year, and what share of it a new local provider wins
    from the ones it uses now.

    Parameters
    ----------
    companies : array_like
        Companies that would buy the service, >= 0.
    units_per_company : array_like
        Units of the service a company buys per year (m2-months, tonnes, contracts), >= 0 and finite.
    capture_share : array_like
        Share of those units this business wins, in [0, 1].

    Returns
    -------
    ndarray or float
        Units per year, the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        Listing every input that breaks its rule.

    Examples
    --------
    >>> company_demand(150, 40, 0.25)  # 150 x 40 x 0.25
    1500.0
    """
    n, u, c = map(_arr, (companies, units_per_company, capture_share))
    pr = _Problems()
    pr.check("companies", n, _volume, _GE0)
    pr.check("units_per_company", u, _volume, _GE0)
    pr.check("capture_share", c, _share, _SHARE)
    pr.raise_if_any()
    return _out(n * u * c)


# ---------------------------------------------------------------------------
# ramp-up


def _logistic(t: np.ndarray, k: np.ndarray, m: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-k * (t - m)))


def ramp_up(
    kind: str,
    years_to_full: Any,
    n_years: int,
    *,
    start_share: Any = 0.0,
    shares: Sequence[float] | None = None,
    midpoint: Any = None,
    steepness: Any = None,
) -> np.ndarray:
    r"""Ramp-up of a new port's demand, as shares of full demand per year of operation.

    Year ``t = 0`` is the first year of operation; the result has ``n_years``
    values on its last axis. With ``Y = years_to_full`` and ``r_0 = start_share``:

    ``"linear"``
        .. math:: r_t = r_0 + (1 - r_0) \min(t / Y, 1)

        ``r_0`` in the first year, 1 from year ``t = Y`` on (1 throughout if ``Y = 0``).
    ``"s_curve"``
        A logistic ``L(t) = 1 / (1 + exp(-k (t - m)))`` rescaled to pass exactly
        through the start and full points:

        .. math::

            r_t = r_0 + (1 - r_0) \frac{L(t) - L(0)}{L(Y) - L(0)}
            \quad (t < Y), \qquad r_t = 1 \quad (t \ge Y)

        so ``r_0`` at ``t = 0`` and exactly 1 at ``t = Y`` (up to rounding,
        1e-12), increasing in between, steepest at the midpoint ``m`` (default
        ``Y / 2``, any finite year) with steepness ``k`` per year (default
        ``8 / Y``: the unscaled logistic goes from 1.8 % to 98.2 % over ``[0, Y]``).
        ``Y = 0`` gives 1 throughout.
    ``"list"``
        The explicit ``shares`` for the first ``len(shares)`` years, then 1
        (``shares`` longer than ``n_years`` are cut). ``years_to_full`` may be
        ``None``; if given it must equal ``len(shares)``. The shares need not rise
        (a dip is allowed), but each must be in [0, 1].

    Linear and s-curves are non-decreasing and lie in [``r_0``, 1].

    Parameters
    ----------
    kind : {"linear", "s_curve", "list"}
    years_to_full : array_like or None
        Years from the first year of operation to full demand, >= 0 and finite
        (may be fractional). Broadcasts over leading axes (scenarios), like
        ``start_share``, ``midpoint`` and ``steepness``.
    n_years : int
        Number of years returned, a whole number >= 1.
    start_share : array_like, optional
        Share of full demand in the first year, in [0, 1]; default 0. Linear and
        s-curve only.
    shares : sequence of float, optional
        Explicit shares, in [0, 1]; ``"list"`` only.
    midpoint : array_like, optional
        Year (``t``) of the s-curve's steepest growth, finite; ``"s_curve"`` only.
    steepness : array_like, optional
        Logistic slope ``k`` in 1/year, > 0 and finite; ``"s_curve"`` only.

    Returns
    -------
    ndarray
        Shares of full demand, shape ``broadcast(parameters) + (n_years,)``.

    Raises
    ------
    ValueError
        Listing every input that breaks its rule (unknown kind, a parameter
        given for a kind that does not use it, shares outside [0, 1], ...).

    Examples
    --------
    >>> ramp_up("linear", 4, 6, start_share=0.2).round(3).tolist()  # +0.2 a year
    [0.2, 0.4, 0.6, 0.8, 1.0, 1.0]
    >>> ramp_up("list", None, 4, shares=[0.3, 0.7]).tolist()
    [0.3, 0.7, 1.0, 1.0]
    """
    pr = _Problems()
    if kind not in RAMP_KINDS:
        pr.add(f"kind: must be one of {', '.join(RAMP_KINDS)}, got {kind!r}")
    nf = _arr(n_years)
    if nf.ndim != 0:
        pr.add(f"n_years: must be a single whole number >= 1, got {n_years!r}")
    else:
        pr.check("n_years", nf, lambda x: _whole(x) & (x >= 1), "must be a whole number >= 1")
    if kind == "list":
        for name, val in (("midpoint", midpoint), ("steepness", steepness)):
            if val is not None:
                pr.add(f"{name}: only used with kind 's_curve', got {_fmt_any(val)}")
        if np.any(_arr(start_share) != 0):
            pr.add(f"start_share: not used with kind 'list' (give shares), got {_fmt_any(start_share)}")
        if shares is None:
            pr.add("shares: required with kind 'list', got None")
            sh = np.zeros(0)
        else:
            sh = _arr(shares)
            if sh.ndim != 1:
                pr.add(f"shares: must be one-dimensional, got shape {sh.shape}")
                sh = sh.ravel()
            pr.check("shares", sh, _share, _SHARE)
            if years_to_full is not None and not (np.ndim(years_to_full) == 0 and float(years_to_full) == sh.size):
                pr.add(f"years_to_full: must be None or len(shares) = {sh.size} with kind 'list', got {_fmt_any(years_to_full)}")
        pr.raise_if_any()
        n = int(nf)
        out = np.ones(n)
        m = min(n, sh.size)
        out[:m] = sh[:m]
        return out

    # linear and s-curve
    if shares is not None:
        pr.add(f"shares: only used with kind 'list', got {_fmt_any(shares)}")
    if kind == "linear":
        for name, val in (("midpoint", midpoint), ("steepness", steepness)):
            if val is not None:
                pr.add(f"{name}: only used with kind 's_curve', got {_fmt_any(val)}")
    if years_to_full is None:
        pr.add(f"years_to_full: required with kind {kind!r}, got None")
        Y = _arr(0.0)
    else:
        Y = _arr(years_to_full)
        pr.check("years_to_full", Y, _volume, _GE0)
    r0 = _arr(start_share)
    pr.check("start_share", r0, _share, _SHARE)
    mid = k = None
    if kind == "s_curve":
        if midpoint is not None:
            mid = _arr(midpoint)
            pr.check("midpoint", mid, np.isfinite, "must be finite")
        if steepness is not None:
            k = _arr(steepness)
            pr.check("steepness", k, lambda x: (x > 0) & np.isfinite(x), "must be > 0 and finite")
    pr.raise_if_any()

    n = int(nf)
    t = np.arange(n, dtype=float)
    Yc, r0c = Y[..., None], r0[..., None]
    full = t >= Yc  # also covers Y = 0
    with np.errstate(all="ignore"):  # Y = 0: t / 0 and 8 / 0, masked by `full` below
        if kind == "linear":
            frac = np.minimum(t / Yc, 1.0)
        else:
            mc = (Y / 2.0 if mid is None else mid)[..., None]
            kc = (S_CURVE_STEEPNESS_X_YEARS / Y if k is None else k)[..., None]
            l0, lY = _logistic(0.0, kc, mc), _logistic(Yc, kc, mc)
            frac = (_logistic(t, kc, mc) - l0) / (lY - l0)
            frac = np.clip(frac, 0.0, 1.0)  # rounding only: the rescaled logistic is in [0, 1] on [0, Y]
    return np.asarray(np.where(full, 1.0, r0c + (1.0 - r0c) * frac), dtype=float)


def _fmt_any(v: Any) -> str:
    a = np.asarray(v)
    if a.ndim == 0 and np.issubdtype(a.dtype, np.number):
        return _fmt(float(a))
    return repr(v)


# ---------------------------------------------------------------------------
# cross-check


@dataclass(frozen=True)
class CrossCheck:
    """A bottom-up build-up against a top-down series, year by year.

    Every array field has the broadcast shape of the two series (years last).

    Attributes
    ----------
    ratio : ndarray or float
        ``bottom_up / top_down``; NaN where ``top_down`` is 0.
    relative_difference : ndarray or float
        ``(bottom_up - top_down) / top_down`` = ``ratio - 1``; NaN where
        ``top_down`` is 0.
    flagged : ndarray or bool
        True where ``|relative_difference| > tolerance``, and where ``top_down``
        is 0 but ``bottom_up`` is not (both 0 agree, not flagged).
    tolerance : float
        The tolerance used (a fraction, 0.25 = 25 %).
    """

    ratio: Any
    relative_difference: Any
    flagged: Any
    tolerance: float

    @property
    def any_flagged(self) -> bool:
        """True if any year (of any scenario) is flagged."""
        return bool(np.any(self.flagged))

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (no copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def cross_check(bottom_up: Any, top_down: Any, *, tolerance: float = 0.25) -> CrossCheck:
    r"""Compare a bottom-up demand build-up with a top-down series, per year.

    .. math::

        \rho_t = B_t / T_t, \qquad \delta_t = (B_t - T_t) / T_t, \qquad
        \text{flag}_t = |\delta_t| > \tau

    e.g. :func:`hinterland_cargo_tonnes` against :func:`regional_cargo_tonnes`.
    A flagged year means the two build-ups disagree by more than the tolerance:
    revisit the company count, cargo per company or shares before using either.

    Parameters
    ----------
    bottom_up, top_down : array_like
        Demand in one unit per year (tonnes per year), >= 0 and finite; they
        broadcast, years on the last axis.
    tolerance : float, optional
        Largest accepted relative difference, >= 0 and finite; default 0.25 (25 %).

    Returns
    -------
    CrossCheck
        ``ratio``, ``relative_difference``, ``flagged`` and ``tolerance``.

    Raises
    ------
    ValueError
        Listing every input that breaks its rule.

    Examples
    --------
    >>> cc = cross_check([42_000, 60_000], [40_000, 40_000])
    >>> cc.ratio.tolist(), cc.flagged.tolist()  # 1.05 (+5 %) and 1.5 (+50 % > 25 %)
    ([1.05, 1.5], [False, True])
    """
    b, t, tol = _arr(bottom_up), _arr(top_down), _arr(tolerance)
    pr = _Problems()
    pr.check("bottom_up", b, _volume, _GE0)
    pr.check("top_down", t, _volume, _GE0)
    if tol.ndim != 0:
        pr.add(f"tolerance: must be a single number, got {tolerance!r}")
    else:
        pr.check("tolerance", tol, _volume, _GE0)
    pr.raise_if_any()
    with np.errstate(divide="ignore", invalid="ignore"):
        zero = t == 0
        ratio = np.where(zero, np.nan, b / np.where(zero, 1.0, t))
        rel = np.where(zero, np.nan, (b - t) / np.where(zero, 1.0, t))
        flagged = np.where(zero, b != 0, np.abs(rel) > tol)
    return CrossCheck(_out(ratio), _out(rel), _out(flagged), float(tol))
