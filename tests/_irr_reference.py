# Frozen copy of feasibility/metrics/roots.py before the speed-up (branch irr-speed).
# The identity test in test_metrics.py compares the live solver against this copy bit for
# bit: the speed-up must not change any row's IRR or status. Copied verbatim from commit
# 473424f; only the relative import of finance is made absolute. Do not edit.
"""Internal rates of return that broadcast like numpy ufuncs, never silent about several roots.

With ``x = 1/(1+r)`` the NPV of a row is a polynomial in ``x``; by Descartes' rule of signs a row
with one sign change has exactly one root ``x > 0`` (one IRR above -100 %), found by a vectorised,
bracketed Newton iteration. Rows with several sign changes get a certificate that one root is the
only one (Descartes on the deflated quotient), else their roots are isolated (Vincent-Collins-Akritas
bisection on the Moebius transform) or, where isolation is inconclusive, taken from the companion
matrix's eigenvalues. Several roots or none give NaN and a warning (:func:`irr`) or a status
(:func:`irr_status`); :func:`irr_all` lists them all.

References
----------
Microsoft Excel IRR and XIRR documentation; numpy-financial 1.0; Collins and Akritas (1976),
*Polynomial real root isolation using Descartes' rule of signs*.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from feasibility.metrics.finance import _as_flows, _year_fractions

__all__ = [
    "IRR_MULTIPLE",
    "IRR_NONE",
    "IRR_NOT_FINITE",
    "IRR_OK",
    "IRRWarning",
    "MultipleIRRWarning",
    "NoIRRWarning",
    "irr",
    "irr_all",
    "irr_status",
    "xirr",
]


class IRRWarning(RuntimeWarning):
    """Base class for warnings about an IRR that is not a single number."""


class MultipleIRRWarning(IRRWarning):
    """The cash flow has more than one internal rate of return; NaN was returned."""


class NoIRRWarning(IRRWarning):
    """The cash flow has no internal rate of return above -100 %; NaN was returned."""


# ---------------------------------------------------------------------------
# helpers


def _sign_changes(cf: np.ndarray) -> np.ndarray:
    """Number of sign changes along the last axis, zeros skipped (Descartes)."""
    s = np.sign(np.nan_to_num(cf)).astype(np.int8)  # rows with NaN are flagged elsewhere
    prev = s[..., 0].copy()  # the last non-zero sign so far
    changes = np.zeros(s.shape[:-1], dtype=np.int64)
    for t in range(1, s.shape[-1]):
        cur = s[..., t]
        changes += (cur * prev) < 0
        prev = np.where(cur != 0, cur, prev)
    return changes


def _first_last_nonzero_sign(cf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nz = cf != 0
    t = cf.shape[-1]
    first_idx = np.argmax(nz, axis=-1)
    last_idx = t - 1 - np.argmax(nz[..., ::-1], axis=-1)
    first = np.sign(np.take_along_axis(cf, first_idx[..., None], axis=-1)[..., 0])
    last = np.sign(np.take_along_axis(cf, last_idx[..., None], axis=-1)[..., 0])
    return first, last


def _gen_poly(c: np.ndarray, tau: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of f(x) = sum_i c_i x**tau_i for x > 0 (rows independent)."""
    xp = x[..., None] ** tau
    f = np.sum(c * xp, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.sum(np.where(tau > 0, c * tau * xp / x[..., None], 0.0), axis=-1)
    return f, d


def _horner(ct: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and derivative of f(x) = sum_k c_k x**k, with ``ct`` of shape (T, n)."""
    # one formula whatever the number of rows, so that a row's result does not depend
    # on the batch it is solved in (a Monte Carlo gives the same numbers in any chunking)
    if ct.shape[1] <= 4:
        # a few rows: the same multiply-adds on Python floats (IEEE doubles, the same
        # rounding as numpy's), without the overhead of numpy calls on tiny arrays
        fs, ds = [], []
        for c, xi in zip(ct.T.tolist(), np.asarray(x, dtype=float).tolist()):
            fv, dv = c[-1], 0.0
            for ck in reversed(c[:-1]):
                dv = dv * xi + fv
                fv = fv * xi + ck
            fs.append(fv)
            ds.append(dv)
        return np.array(fs, dtype=float), np.array(ds, dtype=float)
    f = ct[-1].copy()
    d = np.zeros_like(f)
    for k in range(ct.shape[0] - 2, -1, -1):
        d *= x
        d += f
        f *= x
        f += ct[k]
    return f, d


def _unique_positive_root(c: np.ndarray, tau: np.ndarray | None) -> np.ndarray:
    """The single positive root x of f(x) = sum c_i x**tau_i, rows in parallel.

    Every row must have exactly one sign change in ``c`` (ordered by ``tau``;
    ``tau=None`` means the integer powers 0..T-1), so by Descartes' rule of signs
    (which holds for real exponents, Laguerre) f has exactly one root in
    (0, inf). Safeguarded Newton: a step that leaves the bracket is replaced by
    bisection, so convergence is guaranteed.
    """

    ct = np.ascontiguousarray(c.T) if tau is None else None

    def f_and_d(rows: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if ct is not None:
            return _horner(ct if rows.size == n else ct[:, rows], x)
        return _gen_poly(c[rows], tau[rows], x)

    n = c.shape[0]
    s_lo, s_hi = _first_last_nonzero_sign(c)
    every = np.arange(n)
    # the sign at x = 1 (r = 0) tells on which side of 1 the root lies
    f1, _ = f_and_d(every, np.ones(n))
    right = np.sign(f1) == s_lo
    lo = np.where(right, 1.0, 0.0)
    hi = np.where(right, 2.0, 1.0)
    _expand_upper(f_and_d, lo, hi, np.flatnonzero(right), s_hi)  # IRRs below -50 %
    # start from r = 10 % (or the bracket middle), the usual neighbourhood
    x0 = np.where((lo < 1 / 1.1) & (hi > 1 / 1.1), 1 / 1.1, 0.5 * (lo + hi))
    x0[f1 == 0] = 1.0
    return _bracketed_newton(f_and_d, lo, hi, s_lo, x0, f1 != 0)


def _expand_upper(f_and_d: Any, lo: np.ndarray, hi: np.ndarray, grow: np.ndarray, s_top: np.ndarray) -> None:
    """Move ``hi`` up (x8 a step, in place) until f(hi) has the sign ``s_top`` of f at infinity."""
    for _ in range(100):
        if grow.size == 0:
            break
        fh, _d = f_and_d(grow, hi[grow])
        need = np.sign(fh) != s_top[grow]
        lo[grow[need]] = hi[grow[need]]
        hi[grow[need]] *= 8.0
        grow = grow[need]


def _bracketed_newton(f_and_d: Any, lo: np.ndarray, hi: np.ndarray, s_lo: np.ndarray, x: np.ndarray, todo: np.ndarray) -> np.ndarray:
    """Safeguarded Newton for one root per row in [lo, hi], rows in parallel.

    ``s_lo`` is the sign of f just right of ``lo``; a Newton step that leaves
    the bracket is replaced by bisection, so convergence is guaranteed.
    """
    lo, hi, x = lo.copy(), hi.copy(), x.copy()
    active = np.flatnonzero(todo)
    for _ in range(300):
        if active.size == 0:
            break
        xa = x[active]
        f, d = f_and_d(active, xa)
        sa = np.sign(f)
        below = sa == s_lo[active]
        lo_a = np.where(below, xa, lo[active])
        hi_a = np.where(~below & (sa != 0), xa, hi[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - f / d
        ok = np.isfinite(newton) & (newton >= lo_a) & (newton <= hi_a)
        # bisect in log space over wide brackets, so tiny or huge roots are reached quickly
        with np.errstate(divide="ignore", invalid="ignore"):
            wide = np.isfinite(hi_a) & (hi_a > 4.0 * lo_a)
            mid = np.where(wide, np.where(lo_a > 0, np.sqrt(lo_a * hi_a), hi_a / 64.0), 0.5 * (lo_a + hi_a))
        nxt = np.where(ok, newton, mid)
        nxt = np.where(sa == 0, xa, nxt)
        # converged when a Newton step is at rounding level (bisection steps never count)
        done = (ok & (np.abs(nxt - xa) <= 1e-15 * xa)) | (sa == 0) | (hi_a - lo_a <= 4e-16 * hi_a)
        x[active] = nxt
        lo[active] = lo_a
        hi[active] = hi_a
        active = active[~done]
    return x


def _certified_single_root(c: np.ndarray) -> np.ndarray:
    """The positive root x of f(x) = sum_k c_k x**k where it is provably the only one, else NaN.

    For rows whose first and last non-zero coefficients differ in sign (an odd
    number of positive roots), one root x* is found by bracketed Newton and
    f is deflated by synthetic division, f(x) = (x - x*) q(x) + rounding. When
    every coefficient of q has the same sign, with a margin above the rounding
    bound of the division, q has no positive root (Descartes' rule of signs),
    so x* is the only root of f in (0, inf). Rows without that certificate
    (even root count, or a q whose signs vary) are left to root isolation.
    """
    n, t = c.shape
    out = np.full(n, np.nan)
    s_lo, s_hi = _first_last_nonzero_sign(c)
    rows = np.flatnonzero(s_lo != s_hi)
    if rows.size == 0 or t < 3:
        return out
    ct = np.ascontiguousarray(c[rows].T)
    m = rows.size

    def f_and_d(r: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _horner(ct if r.size == m else ct[:, r], x)

    sl, sh = s_lo[rows], s_hi[rows]
    f1, _ = f_and_d(np.arange(m), np.ones(m))
    right = np.sign(f1) == sl
    lo = np.where(right, 1.0, 0.0)
    hi = np.where(right, 2.0, 1.0)
    _expand_upper(f_and_d, lo, hi, np.flatnonzero(right), sh)
    x0 = np.where((lo < 1 / 1.1) & (hi > 1 / 1.1), 1 / 1.1, 0.5 * (lo + hi))
    x0[f1 == 0] = 1.0
    x = _bracketed_newton(f_and_d, lo, hi, sl, x0, f1 != 0)
    # Synthetic division is stable from the top when x* <= 1 (q_{k-1} = c_k + x* q_k) and
    # from the bottom when x* > 1 (q_k = (q_{k-1} - c_k) / x*); each q must exceed the
    # running error bound of its recursion and all must share one sign.
    qk = ct[-1].copy()
    ak = np.abs(qk)
    sign0 = np.sign(qk)
    down = qk != 0
    for k in range(t - 2, 0, -1):
        qk = ct[k] + x * qk
        ak = np.abs(ct[k]) + x * ak
        down &= (np.abs(qk) > 1e-9 * ak) & (np.sign(qk) == sign0)
    with np.errstate(divide="ignore", invalid="ignore"):
        qk = -ct[0] / x
        ak = np.abs(qk)
        sign0 = np.sign(qk)
        up = qk != 0
        for k in range(1, t - 1):
            qk = (qk - ct[k]) / x
            ak = (ak + np.abs(ct[k])) / x
            up &= (np.abs(qk) > 1e-9 * ak) & (np.sign(qk) == sign0)
    ok = np.where(x <= 1.0, down, up)
    good = ok & np.isfinite(x) & (x > 0)
    out[rows[good]] = x[good]
    return out


#: first breakpoints in x = 1/(1+r) for isolating roots: r = 100 %, 25 %, 0, -20 %, -50 %
_BREAKS = np.array([0.5, 0.8, 1.0, 1.25, 2.0])


def _variations_at(ct: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Sign variations of the Taylor coefficients of f at x = a: a Descartes bound on the roots in (a, inf).

    ``ct`` holds one polynomial per column, coefficients low to high power,
    shape (T, m); ``a`` has shape (m,) or is a scalar. The Taylor shift
    ``f(x + a)`` is computed by repeated synthetic division (Horner).
    """
    b = ct[::-1].copy()  # high power first
    t = b.shape[0]
    for i in range(t - 1):
        for j in range(1, t - i):
            b[j] += a * b[j - 1]
    # no rounding cut: zeroing a small genuine coefficient could hide a root, while
    # a spurious variation only makes the bound looser (every found root is verified)
    return _sign_changes(b.T)


def _no_root_near_zero(ct: np.ndarray, a: np.ndarray) -> np.ndarray:
    """True where f has no root in (0, a]: the lowest non-zero term dominates there.

    The Descartes bound over-counts near complex roots; for x in (0, a] there is no
    root when ``|c_j| a^j > sum_{k>j} |c_k| a^k`` (j the lowest non-zero power).
    """
    t = ct.shape[0]
    first = np.argmax(ct != 0, axis=0)
    k = np.arange(t)[:, None]
    w = np.abs(ct) * np.asarray(a, dtype=float) ** np.clip(k - first, 0, None)
    lowest = np.abs(np.take_along_axis(ct, first[None, :], axis=0)[0])
    return lowest > np.where(k > first, w, 0.0).sum(axis=0)


def _interval_variations(ct: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Descartes bound on the roots of f in (lo, hi), by the Moebius transform.

    With ``q(t) = f(lo + (hi - lo) t)``, the roots of f in (lo, hi) are those of
    ``(1 + y)^n q(1 / (1 + y))`` for y > 0, whose coefficients' sign variations
    bound their number (same parity). ``hi = inf`` gives the Taylor coefficients
    at ``lo`` (roots in (lo, inf)). Collins and Akritas (1976).
    """
    bounded = np.isfinite(hi)
    out = np.zeros(lo.size, dtype=np.int64)
    if (~bounded).any():
        out[~bounded] = _variations_at(ct[:, ~bounded], lo[~bounded])  # (lo, inf)
    if bounded.any():
        sub = ct[:, bounded]
        a, w = lo[bounded], hi[bounded] - lo[bounded]
        b = sub[::-1].copy()  # high power first; Taylor shift to lo
        t = b.shape[0]
        for i in range(t - 1):
            for j in range(1, t - i):
                b[j] += a * b[j - 1]
        q = b[::-1] * w ** np.arange(t)[:, None]  # q(t) = f(lo + w t), low power first
        # z^n q(1/z) has q's coefficients reversed, so q read low-first is it high-first;
        # a Taylor shift by 1 then gives (1 + y)^n q(1 / (1 + y))
        r = q.copy()
        for i in range(t - 1):
            for j in range(1, t - i):
                r[j] += r[j - 1]
        out[bounded] = _sign_changes(r.T)
    return out


def _solve_by_isolation(c: np.ndarray, max_depth: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Rows of period cash flows with several sign changes, vectorised.

    Real root isolation on x = 1/(1+r) in (0, inf) by Descartes' rule on the
    Moebius transform of each interval (the Vincent-Collins-Akritas method):
    an interval whose bound is 0 holds no root, 1 exactly one; intervals with a
    bound of 2 or more are bisected (all rows at once), which ends because the
    bound of a small enough interval counts only roots close to it (the
    one- and two-circle theorems). A row with exactly one isolated root is
    solved by bracketed Newton; with two or more it has several IRRs; rows not
    resolved within ``max_depth`` bisections are left to the eigenvalue method.

    Returns
    -------
    x : ndarray
        The root where there is exactly one, else NaN.
    status : ndarray of int8
        As :func:`irr_status`, or -1 where the isolation was inconclusive.
    """
    n = c.shape[0]
    ct = np.ascontiguousarray(c.T)
    pts = np.concatenate([[0.0], _BREAKS, [np.inf]])
    rows = np.tile(np.arange(n), pts.size - 1)
    lo, hi = np.repeat(pts[:-1], n), np.repeat(pts[1:], n)
    # a root exactly on a breakpoint is in no open interval: leave such rows to the eigenvalues
    on_point = np.zeros(n, dtype=bool)
    for a in _BREAKS:
        on_point |= _horner(ct, np.full(n, a))[0] == 0
    isolated_rows, isolated_lo, isolated_hi = [], [], []
    amb = np.zeros(0, dtype=bool)
    for depth in range(max_depth + 1):
        cnt = _interval_variations(ct[:, rows], lo, hi)
        near0 = lo == 0
        near_inf = np.isinf(hi)
        if near0.any() or near_inf.any():
            empty = np.zeros(lo.size, dtype=bool)
            empty[near0] = _no_root_near_zero(ct[:, rows[near0]], hi[near0])
            # (a, inf): no root when the top term dominates, i.e. the reversed
            # polynomial y^n f(1/y) has no root in (0, 1/a)
            empty[near_inf] = _no_root_near_zero(ct[::-1, rows[near_inf]], 1.0 / lo[near_inf])
            cnt = np.where(empty, 0, cnt)
        one = cnt == 1
        isolated_rows.append(rows[one])
        isolated_lo.append(lo[one])
        isolated_hi.append(hi[one])
        amb = cnt >= 2
        if not amb.any() or depth == max_depth:
            break
        rows, lo, hi = rows[amb], lo[amb], hi[amb]
        mid = np.where(np.isinf(hi), 2.0 * lo, 0.5 * (lo + hi))
        on_point[rows[_horner(ct[:, rows], mid)[0] == 0]] = True
        rows = np.concatenate([rows, rows])
        lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
    iso_r = np.concatenate(isolated_rows)
    iso_lo = np.concatenate(isolated_lo)
    iso_hi = np.concatenate(isolated_hi)
    # Descartes says "at most one root" in each isolated interval; a sign change of f
    # across it says "at least one". Only intervals with both count as roots.
    sub = ct[:, iso_r]
    top = np.sign(np.take_along_axis(sub, (sub.shape[0] - 1 - np.argmax(sub[::-1] != 0, axis=0))[None, :], axis=0)[0])
    f_lo, _d = _horner(sub, iso_lo)
    f_hi = np.where(np.isinf(iso_hi), top, _horner(sub, np.where(np.isinf(iso_hi), 1.0, iso_hi))[0])
    verified = np.sign(f_lo) * np.sign(f_hi) < 0
    n_iso = np.bincount(iso_r[verified], minlength=n)
    unresolved = np.zeros(n, dtype=bool)
    unresolved[iso_r[~verified]] = True  # a double root or rounding: leave it to the eigenvalues
    if amb.any():
        unresolved[rows[amb]] = True
    unresolved |= on_point
    status = np.where(
        n_iso >= 2, IRR_MULTIPLE, np.where(unresolved, -1, np.where(n_iso == 1, IRR_OK, IRR_NONE))
    ).astype(np.int8)
    x = np.full(n, np.nan)
    solve = np.flatnonzero(status == IRR_OK)
    if solve.size:
        # the single isolated interval of each solved row
        pick = np.isin(iso_r, solve) & verified
        order = np.argsort(iso_r[pick], kind="stable")
        lo = iso_lo[pick][order]
        hi = iso_hi[pick][order]
        s_lo = np.sign(f_lo[pick][order])
        top_s = top[pick][order]
        sub = ct[:, solve]

        def f_and_d(r: np.ndarray, xx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return _horner(sub if r.size == solve.size else sub[:, r], xx)

        grow = np.flatnonzero(np.isinf(hi))  # the last interval is open above
        hi[grow] = np.maximum(2.0 * lo[grow], 1.0)
        _expand_upper(f_and_d, lo, hi, grow, top_s)
        x[solve] = _bracketed_newton(f_and_d, lo, hi, s_lo, 0.5 * (lo + hi), np.ones(solve.size, dtype=bool))
    return x, status


def _roots_all_poly(row: np.ndarray) -> np.ndarray:
    """Every real IRR > -1 of one period cash-flow row, sorted ascending."""
    nz = np.flatnonzero(row)
    if nz.size < 2:
        return np.empty(0)
    c = row[nz[0] : nz[-1] + 1]
    # f(x) = sum c_k x**k with x = 1/(1+r); np.roots wants the highest power first
    try:
        roots = np.roots(c[::-1])
        if not np.all(np.isfinite(roots)):
            raise np.linalg.LinAlgError("non-finite companion matrix")
    except np.linalg.LinAlgError:
        # amounts so far apart in size that the companion matrix overflows: scan instead
        return _roots_all_dated(row, np.arange(row.size, dtype=float))
    real = roots[(np.abs(roots.imag) <= 1e-7 * np.maximum(1.0, np.abs(roots))) & (roots.real > 0)].real
    if real.size == 0:
        return np.empty(0)
    k = np.arange(c.size)
    # polish each root with a few Newton steps on the original polynomial
    for _ in range(8):
        xp = real[:, None] ** k
        f = xp @ c
        d = (xp[:, 1:] / real[:, None]) @ (c[1:] * k[1:]) if c.size > 1 else np.zeros_like(real)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(d != 0, f / d, 0.0)
        real = np.where(real - step > 0, real - step, real)
    r = np.sort(1.0 / real - 1.0)
    # a double root shows up twice: merge roots closer than a relative 1e-6
    keep = np.ones(r.size, dtype=bool)
    keep[1:] = np.abs(np.diff(r)) > 1e-6 * np.maximum(1.0, np.abs(r[1:]))
    return r[keep]


# ---------------------------------------------------------------------------
# internal rates of return


#: status codes of :func:`irr_status`
IRR_OK, IRR_NONE, IRR_MULTIPLE, IRR_NOT_FINITE = 0, 1, 2, 3


def _irr_core(cf: np.ndarray, tau: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    lead = cf.shape[:-1]
    flat = cf.reshape(-1, cf.shape[-1])
    tau_flat = None
    if tau is not None:
        tau_flat = np.broadcast_to(tau, cf.shape).reshape(-1, cf.shape[-1])
    out = np.full(flat.shape[0], np.nan)
    status = np.full(flat.shape[0], IRR_OK, dtype=np.int8)
    if tau_flat is not None:
        # Descartes needs coefficients ordered by exponent
        order = np.argsort(tau_flat, axis=-1, kind="stable")
        flat = np.take_along_axis(flat, order, axis=-1)
        tau_flat = np.take_along_axis(tau_flat, order, axis=-1)
    changes = _sign_changes(flat)
    finite = np.all(np.isfinite(flat), axis=-1)
    status[~finite] = IRR_NOT_FINITE
    status[(changes == 0) & finite] = IRR_NONE
    one = (changes == 1) & finite
    if one.any():
        x = _unique_positive_root(flat[one], None if tau_flat is None else tau_flat[one])
        out[one] = 1.0 / x - 1.0
    several = np.flatnonzero((changes > 1) & finite)
    if tau_flat is None and several.size:
        # most rows with several sign changes still have one root: find one and prove it
        # is the only one (cheap), and isolate only the rest
        x = _certified_single_root(flat[several])
        found = np.isfinite(x)
        out[several[found]] = 1.0 / x[found] - 1.0
        several = several[~found]
    # isolation for any number of rows (the same method for one row or many, so a row's IRR
    # does not depend on its batch); eigenvalues only where isolation is inconclusive
    if tau_flat is None and several.size:
        x, st = _solve_by_isolation(flat[several])
        out[several] = 1.0 / x - 1.0
        status[several] = np.where(st < 0, IRR_OK, st)
        several = several[st < 0]  # inconclusive: eigenvalues below
    for i in several:
        roots = _roots_all_poly(flat[i]) if tau_flat is None else _roots_all_dated(flat[i], tau_flat[i])
        if roots.size == 1:
            out[i] = roots[0]
        else:
            status[i] = IRR_NONE if roots.size == 0 else IRR_MULTIPLE
    return out.reshape(lead), status.reshape(lead)


def _warn_status(status: np.ndarray, what: str) -> None:
    n_multi = int(np.count_nonzero(status == IRR_MULTIPLE))
    n_none = int(np.count_nonzero(status == IRR_NONE))
    if n_multi:
        warnings.warn(
            f"{what}: {n_multi} cash flow(s) have more than one internal rate of return; "
            "NaN returned for them (use irr_all to see every root)",
            MultipleIRRWarning,
            stacklevel=3,
        )
    if n_none:
        warnings.warn(
            f"{what}: {n_none} cash flow(s) have no internal rate of return above -100%; "
            "NaN returned for them",
            NoIRRWarning,
            stacklevel=3,
        )


def irr_status(cashflows: Any) -> tuple[np.ndarray, np.ndarray]:
    """IRR and why it may be undefined, without warnings (for batch use).

    Returns
    -------
    irr : ndarray, shape (...)
        As :func:`irr`.
    status : ndarray of int8, shape (...)
        ``IRR_OK`` (0), ``IRR_NONE`` (1, no root above -100 %), ``IRR_MULTIPLE``
        (2, several roots) or ``IRR_NOT_FINITE`` (3, NaN or infinite input).
    """
    return _irr_core(_as_flows(cashflows), None)


def irr(cashflows: Any) -> np.ndarray | float:
    r"""Internal rate of return of period cash flows: the r with ``npv(r, cf) = 0``.

    Parameters
    ----------
    cashflows : array_like, shape (..., T)
        First amount at t = 0. Leading axes are independent cash flows.

    Returns
    -------
    ndarray or float
        The unique IRR above -100 %, shape ``cashflows.shape[:-1]``. ``NaN`` with
        a :class:`MultipleIRRWarning` where several rates solve ``NPV = 0``, and
        ``NaN`` with a :class:`NoIRRWarning` where none does. Never raises on
        numerical grounds.

    Notes
    -----
    With ``x = 1/(1+r)`` the NPV is a polynomial in ``x``. By Descartes' rule of
    signs a row with exactly one sign change has exactly one root ``x > 0``, i.e.
    one IRR above -100 %; it is found by a vectorised, bracketed Newton iteration
    (all rows at once). Rows with several sign changes are solved through the
    eigenvalues of the companion matrix (:func:`irr_all`); only if exactly one
    real root remains is it returned.

    Examples
    --------
    >>> round(irr([-100, 39, 59, 55, 20]), 10)  # numpy-financial documentation
    0.2809484212
    """
    out, status = _irr_core(_as_flows(cashflows), None)
    _warn_status(status, "irr")
    return out[()] if out.ndim == 0 else out


def irr_all(cashflows: Any) -> np.ndarray:
    """Every real internal rate of return above -100 %, sorted ascending.

    Parameters
    ----------
    cashflows : array_like, shape (T,) or (..., T)

    Returns
    -------
    ndarray
        For a 1-D input, a float array of the roots (empty when there is none).
        For an N-D input, an object array of shape ``cashflows.shape[:-1]`` whose
        elements are such float arrays.

    Notes
    -----
    Roots of the NPV polynomial in ``x = 1/(1+r)`` from the eigenvalues of its
    companion matrix (``numpy.roots``), kept when real and positive, polished by
    Newton steps; a repeated root is reported once.
    """
    cf = _as_flows(cashflows)
    if cf.ndim == 1:
        return _roots_all_poly(cf) if np.all(np.isfinite(cf)) else np.empty(0)
    flat = cf.reshape(-1, cf.shape[-1])
    out = np.empty(flat.shape[0], dtype=object)
    for i, row in enumerate(flat):
        out[i] = _roots_all_poly(row) if np.all(np.isfinite(row)) else np.empty(0)
    return out.reshape(cf.shape[:-1])


def _roots_all_dated(a: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Every root r > -1 of sum a_i (1+r)**-tau_i, by a scan and Brent's method."""
    from scipy.optimize import brentq

    def f(r: float) -> float:
        return float(np.sum(a * (1.0 + r) ** -tau))

    grid = np.concatenate([-1 + np.geomspace(1e-6, 1.0, 400)[:-1], np.geomspace(1e-4, 1e9, 1000) - 1e-4])
    vals = np.array([f(g) for g in grid])
    roots = [
        brentq(f, grid[i], grid[i + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps)
        for i in range(grid.size - 1)
        if np.sign(vals[i]) * np.sign(vals[i + 1]) < 0
    ]
    roots += [grid[i] for i in np.flatnonzero(vals == 0)]
    return np.unique(np.round(np.array(roots, dtype=float), 12))


def xirr(amounts: Any, dates: Any) -> np.ndarray | float:
    """Internal rate of return of dated amounts (Excel ``XIRR``, actual/365).

    Parameters
    ----------
    amounts : array_like, shape (..., n)
    dates : array_like of dates, shape (n,) or (..., n)

    Returns
    -------
    ndarray or float
        The annual rate r with ``xnpv(r, amounts, dates) = 0``; NaN with a warning
        when there is none or more than one (as :func:`irr`).

    Notes
    -----
    Descartes' rule of signs holds for polynomials with real exponents, so a
    single sign change (amounts ordered by date) again means a single root,
    found by the same vectorised bracketed Newton iteration as :func:`irr`.
    """
    a = _as_flows(amounts)
    tau = _year_fractions(dates)
    out, status = _irr_core(a, tau)
    _warn_status(status, "xirr")
    return out[()] if out.ndim == 0 else out
