"""Internal rates of return that broadcast like numpy ufuncs, never silent about several roots.

With ``x = 1/(1+r)`` the NPV of a row is a polynomial in ``x``; by Descartes' rule of signs a row
with one sign change has exactly one root ``x > 0`` (one IRR above -100 %), found by a vectorised,
bracketed Newton iteration. Rows with several sign changes get a certificate that one root is the
only one (Descartes on the deflated quotient), else their roots are isolated (Vincent-Collins-Akritas
bisection on the Moebius transform) or, where isolation is inconclusive, taken from the companion
matrix's eigenvalues. Several roots or none give NaN and a warning (:func:`irr`) or a status
(:func:`irr_status`); :func:`irr_all` lists them all.

Period flows are solved chunk by chunk on a time-major copy (one period of every row in one
contiguous array). Every floating-point operation is elementwise across rows, and counts of
signs are exact integers, so a row's IRR is the same bits whatever its batch or chunk (a Monte
Carlo gives the same numbers in any chunking); the speed comes from fewer and cheaper passes,
never from another order of arithmetic.

References
----------
Microsoft Excel IRR and XIRR documentation; numpy-financial 1.0; Collins and Akritas (1976),
*Polynomial real root isolation using Descartes' rule of signs*.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from .finance import _as_flows, _year_fractions

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


def _sign_counts(cf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sign changes along the last axis (zeros skipped, Descartes), and the first and last non-zero signs.

    NaN counts as zero (rows with NaN are flagged elsewhere). Signs are int8 and counts
    integers, so the result is exact whatever the order of the work; a transposed view of a
    time-major (T, n) array makes every step of the loop one contiguous pass, and the
    buffers are reused across steps (small integer passes are cheap, allocations are not).

    Returns
    -------
    changes : ndarray of int64
    first, last : ndarray of int8
        -1, 0 (no non-zero amount) or 1.
    """
    t_len = cf.shape[-1]
    shape = cf.shape[:-1]
    if cf.size <= 8 * t_len:
        return _sign_counts_few(cf)
    pos, neg, mask = (np.empty(shape, dtype=bool) for _ in range(3))
    cur, prod = np.empty(shape, dtype=np.int8), np.empty(shape, dtype=np.int8)
    changes = np.zeros(shape, dtype=np.int16 if t_len < 2**15 else np.int64)
    for t in range(t_len):
        np.greater(cf[..., t], 0, out=pos)
        np.less(cf[..., t], 0, out=neg)
        np.subtract(pos.view(np.int8), neg.view(np.int8), out=cur)
        if t == 0:
            first, last = cur.copy(), cur.copy()  # the last non-zero sign so far
            continue
        np.multiply(cur, last, out=prod)
        np.less(prod, 0, out=mask)
        changes += mask
        np.not_equal(cur, 0, out=mask)
        np.copyto(last, cur, where=mask)
        np.equal(first, 0, out=mask)
        np.copyto(first, cur, where=mask)
    return changes.astype(np.int64), first, last


def _sign_counts_few(cf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_sign_counts` of a few rows on Python numbers: the same integers, without a numpy call per period."""
    changes, firsts, lasts = [], [], []
    for row in cf.reshape(-1, cf.shape[-1]).tolist():
        n_changes = first = last = 0
        for v in row:
            sign = (v > 0) - (v < 0)  # 0 for NaN, as above
            if sign:
                n_changes += last == -sign
                last = sign
                first = first or sign
        changes.append(n_changes)
        firsts.append(first)
        lasts.append(last)
    shape = cf.shape[:-1]
    return (
        np.array(changes, dtype=np.int64).reshape(shape),
        np.array(firsts, dtype=np.int8).reshape(shape),
        np.array(lasts, dtype=np.int8).reshape(shape),
    )


def _sign_changes(cf: np.ndarray) -> np.ndarray:
    """Number of sign changes along the last axis, zeros skipped (Descartes)."""
    return _sign_counts(cf)[0]


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


def _horner_value(ct: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(x) alone, by the same multiply-adds as the value in :func:`_horner` (``ct`` of shape (T, n))."""
    f = ct[-1].copy()
    for k in range(ct.shape[0] - 2, -1, -1):
        f *= x
        f += ct[k]
    return f


def _value_at_one(ct: np.ndarray) -> np.ndarray:
    """f(1) with the bits of ``_horner(ct, 1)[0]``: multiplying by 1.0 is exact, so only the adds remain."""
    if ct.shape[1] <= 4:
        return _horner(ct, np.ones(ct.shape[1]))[0]
    f = ct[-1].copy()
    for k in range(ct.shape[0] - 2, -1, -1):
        f += ct[k]
    return f


def _unique_positive_root(c: np.ndarray, tau: np.ndarray | None) -> np.ndarray:
    """The single positive root x of f(x) = sum c_i x**tau_i, rows in parallel.

    Every row must have exactly one sign change in ``c`` (ordered by ``tau``;
    ``tau=None`` means the integer powers 0..T-1), so by Descartes' rule of signs
    (which holds for real exponents, Laguerre) f has exactly one root in
    (0, inf). Safeguarded Newton: a step that leaves the bracket is replaced by
    bisection, so convergence is guaranteed.
    """
    s_lo, s_hi = _first_last_nonzero_sign(c)
    if tau is None:
        return _root_from_one(np.ascontiguousarray(c.T), s_lo, s_hi)

    def f_and_d(rows: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _gen_poly(c[rows], tau[rows], x)

    n = c.shape[0]
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


def _bracket_from_one(
    ct: np.ndarray, s_lo: np.ndarray, s_hi: np.ndarray, f1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bracket and start of the Newton iteration of :func:`_unique_positive_root`, time-major.

    ``ct`` holds one row per column, coefficients low to high power, shape (T, n), all
    finite; ``s_lo`` and ``s_hi`` are the signs of f near 0 and at infinity (first and last
    non-zero coefficients), which must differ, and ``f1`` is f(1). A column with ``s_lo``
    NaN is left alone (bracket [0, 1]).

    Returns
    -------
    lo, hi, x0 : ndarray
        The bracket and the first iterate.
    todo : ndarray of bool
        False where f(1) = 0: the root is x0 = 1.
    """
    # the sign at x = 1 (r = 0) tells on which side of 1 the root lies
    right = np.sign(f1) == s_lo
    lo = np.where(right, 1.0, 0.0)
    hi = np.where(right, 2.0, 1.0)

    def f_only(rows: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, None]:
        if 2 * rows.size < ct.shape[1]:
            return _horner_value(np.take(ct, rows, axis=1), x), None
        # most columns: evaluate them all rather than gather them (the others at x = 0,
        # where nothing can overflow), and keep the values asked for
        x_all = np.zeros(ct.shape[1])
        x_all[rows] = x
        return _horner_value(ct, x_all)[rows], None

    _expand_upper(f_only, lo, hi, np.flatnonzero(right), s_hi)  # IRRs below -50 %
    # start from r = 10 % (or the bracket middle), the usual neighbourhood
    x0 = np.where((lo < 1 / 1.1) & (hi > 1 / 1.1), 1 / 1.1, 0.5 * (lo + hi))
    x0[f1 == 0] = 1.0
    return lo, hi, x0, f1 != 0


def _root_from_one(ct: np.ndarray, s_lo: np.ndarray, s_hi: np.ndarray) -> np.ndarray:
    """The root x of each column of ``ct`` (shape (T, n)), bracketed from the sign of f(1).

    See :func:`_bracket_from_one`.
    """
    lo, hi, x0, todo = _bracket_from_one(ct, s_lo, s_hi, _value_at_one(ct))
    x = x0.copy()
    _run_newton(*_NewtonJob.start(ct, lo, hi, s_lo, x0, todo, np.arange(x.size)), out=x)
    return x


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


#: the iteration limit of the bracketed Newton solvers, per row
_MAX_NEWTON_STEPS = 300


def _newton_step(
    x: np.ndarray, f: np.ndarray, d: np.ndarray, lo: np.ndarray, hi: np.ndarray, s_lo: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One safeguarded Newton step per row: the next x, the narrowed bracket and whether it converged.

    The one place that says what a step computes, so that every solver takes the same
    floating-point steps. ``f`` and ``d`` are used as scratch; ``x``, ``lo`` and ``hi``
    are not modified. ``s_lo`` is +-1 per row (NaN for an idle row of :func:`_run_newton`). The
    bisection point is computed only for the rows that need it (elementwise, so the same bits
    as computing it for all).
    """
    root = f == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        nxt = np.divide(f, d, out=d)
        np.subtract(x, nxt, out=nxt)
    # sign(f) == s_lo for s_lo = +-1 (false for f = 0 or NaN), without the slower np.sign
    below = np.multiply(f, s_lo, out=f) > 0
    lo = np.where(below, x, lo)
    below |= root
    hi = np.where(~below, x, hi)
    ok = np.isfinite(nxt)
    ok &= nxt >= lo
    ok &= nxt <= hi
    bisect = np.zeros(0, dtype=np.intp) if ok.all() else np.flatnonzero(~ok)
    if bisect.size:
        # bisect in log space over wide brackets, so tiny or huge roots are reached quickly
        lb, hb = lo[bisect], hi[bisect]
        with np.errstate(divide="ignore", invalid="ignore"):
            wide = np.isfinite(hb) & (hb > 4.0 * lb)
            nxt[bisect] = np.where(wide, np.where(lb > 0, np.sqrt(lb * hb), hb / 64.0), 0.5 * (lb + hb))
    if root.any():
        np.copyto(nxt, x, where=root)
    # converged when a Newton step is at rounding level (bisection steps never count)
    step = np.subtract(nxt, x, out=f)
    done = np.abs(step, out=step) <= 1e-15 * x
    done &= ok
    done |= root
    done |= hi - lo <= 4e-16 * hi
    return nxt, lo, hi, done


def _bracketed_newton(f_and_d: Any, lo: np.ndarray, hi: np.ndarray, s_lo: np.ndarray, x: np.ndarray, todo: np.ndarray) -> np.ndarray:
    """Safeguarded Newton for one root per row in [lo, hi], rows in parallel.

    ``s_lo`` is the sign of f just right of ``lo``; a Newton step that leaves
    the bracket is replaced by bisection, so convergence is guaranteed.
    """
    lo, hi, x = lo.copy(), hi.copy(), x.copy()
    active = np.flatnonzero(todo)
    for _ in range(_MAX_NEWTON_STEPS):
        if active.size == 0:
            break
        xa = x[active]
        f, d = f_and_d(active, xa)
        nxt, lo_a, hi_a, done = _newton_step(xa, f, d, lo[active], hi[active], s_lo[active])
        x[active] = nxt
        lo[active] = lo_a
        hi[active] = hi_a
        active = active[~done]
    return x


class _NewtonJob(NamedTuple):
    """Rows of :func:`_bracketed_newton` on f(x) = sum_k c_k x**k, in a state that can be resumed.

    ``cols`` are the rows' places in the caller's output, ``ct`` their coefficients
    (shape (T, m)), ``x``, ``lo``, ``hi`` the iterate and bracket, ``s_lo`` the sign of f
    right of ``lo`` (+-1.0) and ``steps`` the steps each row has taken.
    """

    cols: np.ndarray
    ct: np.ndarray
    x: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    s_lo: np.ndarray
    steps: np.ndarray

    @classmethod
    def start(
        cls,
        ct: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        s_lo: np.ndarray,
        x: np.ndarray,
        todo: np.ndarray,
        cols: np.ndarray,
    ) -> tuple[_NewtonJob, np.ndarray]:
        """The rows where ``todo`` is true, before their first step, and the places of idle rows.

        When the others are few they stay in the job, idle at x = 0 (where Horner adds one
        finite coefficient, so nothing can overflow): cheaper than gathering ``ct``, whose
        columns must all be finite.
        """
        idle = np.flatnonzero(~todo)
        if idle.size > 0.25 * todo.size:
            pick = np.flatnonzero(todo)
            ct, lo, hi, s_lo, x, cols = np.take(ct, pick, axis=1), lo[pick], hi[pick], s_lo[pick], x[pick], cols[pick]
            idle = idle[:0]
        x = x.astype(float)  # a copy
        x[idle] = 0.0
        return cls(cols, ct, x, lo, hi, s_lo.astype(float), np.zeros(cols.size, dtype=np.int16)), idle

    def take(self, keep: np.ndarray) -> _NewtonJob:
        """The rows at positions ``keep``."""
        return _NewtonJob(*(np.take(a, keep, axis=-1) for a in self))

    @staticmethod
    def concatenate(jobs: list[_NewtonJob]) -> _NewtonJob:
        """One job of the rows of ``jobs``, which must have the same number of coefficients."""
        return _NewtonJob(*(np.concatenate(parts, axis=-1) for parts in zip(*jobs)))


def _others(n: int, places: np.ndarray) -> np.ndarray:
    """The places in ``range(n)`` not in ``places``, ascending."""
    keep = np.ones(n, dtype=bool)
    keep[places] = False
    return np.flatnonzero(keep)


def _run_newton(
    job: _NewtonJob, parked: np.ndarray | None = None, *, out: np.ndarray, handoff: int = 0
) -> _NewtonJob | None:
    """Run :func:`_bracketed_newton` on ``job``, writing each row's root to ``out[job.cols]``.

    Each row takes exactly the steps of :func:`_newton_step` that :func:`_bracketed_newton`
    would take (at most 300), so the result is the same bits. Two things differ only in
    cost. Gathering the active columns of ``ct`` at every step cost as much as the Horner
    passes, so the working set is compacted only once a quarter of it has converged; rows
    that converged in between stay in it, parked at x = 0 (where Horner adds one finite
    coefficient, so nothing can overflow) like the idle rows ``parked`` of
    :meth:`_NewtonJob.start`, their results taken when they converged. And once no more
    than ``handoff`` rows are left, they are returned unfinished (a job to resume, for
    instance together with the few slow rows of other chunks), else None.
    """
    cols, ct, x, lo, hi, s_lo, steps = job
    if parked is None:
        parked = np.zeros(0, dtype=np.intp)  # rows in the working set not (or no longer) solved
    taken = 0  # steps taken here, by every row of the working set
    # rows may arrive with different step counts (slow rows of several chunks)
    capped = steps.size > 0 and int(steps.max()) > 0
    while cols.size > parked.size:
        if cols.size - parked.size <= handoff:
            keep = _others(cols.size, parked)
            return _NewtonJob(cols, ct, x, lo, hi, s_lo, steps + taken).take(keep)
        f, d = _horner(ct, x)
        nxt, lo, hi, done = _newton_step(x, f, d, lo, hi, s_lo)
        taken += 1
        if capped:
            done |= steps + taken >= _MAX_NEWTON_STEPS
        elif taken >= _MAX_NEWTON_STEPS:
            done[:] = True  # the last iterate stands
        if parked.size:
            done[parked] = False
        newly = np.flatnonzero(done)
        if newly.size:
            out[cols[newly]] = nxt[newly]
            parked = np.concatenate([parked, newly]) if parked.size else newly
        x = nxt
        n_live = cols.size - parked.size
        if 0 < n_live <= 0.75 * cols.size:
            keep = _others(cols.size, parked)
            cols, ct, x, lo, hi, s_lo, steps = _NewtonJob(cols, ct, x, lo, hi, s_lo, steps).take(keep)
            parked = parked[:0]
        elif parked.size:
            x[parked] = 0.0
    return None


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
    x = _root_from_one(ct, s_lo[rows], s_hi[rows])
    good = _only_positive_root(ct, x)
    out[rows[good]] = x[good]
    return out


def _only_positive_root(ct: np.ndarray, x: np.ndarray) -> np.ndarray:
    """True where the root ``x`` of the column of ``ct`` (shape (T, n)) is provably its only positive root.

    The deflation certificate of :func:`_certified_single_root`.
    """
    t = ct.shape[0]
    # Synthetic division is stable from the top when x* <= 1 (q_{k-1} = c_k + x* q_k) and
    # from the bottom when x* > 1 (q_k = (q_{k-1} - c_k) / x*); each q must exceed the
    # running error bound of its recursion and all must share one sign. In place, and with
    # "sign(q) == sign0 and |q| > 1e-9 a" as the one test "sign0 q > 1e-9 a" (sign0 = +-1 where
    # it matters; both are false for q = 0 or NaN): the same booleans with fewer passes.
    abs_ct = np.abs(ct)
    qk = ct[-1].copy()
    ak = np.abs(qk)
    sign0 = np.sign(qk)
    down = qk != 0
    scratch = np.empty_like(qk)
    for k in range(t - 2, 0, -1):
        qk *= x
        qk += ct[k]
        ak *= x
        ak += abs_ct[k]
        np.multiply(qk, sign0, out=scratch)
        down &= scratch > 1e-9 * ak
    with np.errstate(divide="ignore", invalid="ignore"):
        qk = -ct[0] / x
        ak = np.abs(qk)
        sign0 = np.sign(qk)
        up = qk != 0
        for k in range(1, t - 1):
            qk -= ct[k]
            qk /= x
            ak += abs_ct[k]
            ak /= x
            np.multiply(qk, sign0, out=scratch)
            up &= scratch > 1e-9 * ak
    ok = np.where(x <= 1.0, down, up)
    return ok & np.isfinite(x) & (x > 0)


#: first breakpoints in x = 1/(1+r) for isolating roots: r = 100 %, 25 %, 0, -20 %, -50 %
_BREAKS = np.array([0.5, 0.8, 1.0, 1.25, 2.0])


def _zero_within_rounding(ct: np.ndarray, x: np.ndarray) -> np.ndarray:
    """True where f(x) is zero to within the rounding error of its evaluation.

    Horner's rule on T coefficients errs by at most ``gamma_2T * sum |c_k| |x|^k``,
    with ``gamma_k = k u / (1 - k u)`` and u the unit roundoff (Higham 2002, eq. 5.3).
    A computed f(x) that small could be zero, so its sign says nothing.
    """
    t = ct.shape[0]
    bound = _horner_value(np.abs(ct), np.abs(x))
    return np.abs(_horner_value(ct, x)) <= 2.0 * t * np.finfo(float).eps * bound


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


class _Isolation(NamedTuple):
    """Real roots of each row's NPV polynomial in x isolated in intervals (see :func:`_isolate`).

    ``rows``, ``lo``, ``hi``, ``f_lo`` and ``top`` describe the isolated
    intervals (``f_lo`` is f at ``lo``, ``top`` the sign of the highest non-zero
    coefficient); ``verified`` marks those f changes sign across, each holding
    exactly one root. ``unresolved`` marks rows with an interval left ambiguous
    or unverified (a double root, rounding, or a root on a breakpoint).
    """

    ct: np.ndarray
    rows: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    f_lo: np.ndarray
    top: np.ndarray
    verified: np.ndarray
    unresolved: np.ndarray
    status: np.ndarray


def _isolate(c: np.ndarray, max_depth: int = 40) -> _Isolation:
    """Isolate the real roots in x = 1/(1+r) > 0 of each row of period cash flows (see :func:`_solve_by_isolation`)."""
    n = c.shape[0]
    ct = np.ascontiguousarray(c.T)
    pts = np.concatenate([[0.0], _BREAKS, [np.inf]])
    rows = np.tile(np.arange(n), pts.size - 1)
    lo, hi = np.repeat(pts[:-1], n), np.repeat(pts[1:], n)
    # a root on a breakpoint (to within rounding) is in no open interval for certain: neither
    # interval beside it may count it, so leave such rows to the eigenvalues
    on_point = np.zeros(n, dtype=bool)
    for a in _BREAKS:
        on_point |= _zero_within_rounding(ct, np.full(n, a))
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
        on_point[rows[_zero_within_rounding(ct[:, rows], mid)]] = True
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
    return _Isolation(ct, iso_r, iso_lo, iso_hi, f_lo, top, verified, unresolved, status)


def _solve_in_intervals(ct: np.ndarray, lo: np.ndarray, hi: np.ndarray, s_lo: np.ndarray, top_s: np.ndarray) -> np.ndarray:
    """The root in each interval (lo, hi) of the polynomial in the same column of ``ct``, by bracketed Newton.

    ``s_lo`` is the sign of f at ``lo``, ``top_s`` that of its highest
    coefficient (for an interval open above, which is first closed).
    """
    lo, hi = lo.copy(), hi.copy()

    def f_and_d(r: np.ndarray, xx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _horner(ct if r.size == ct.shape[1] else ct[:, r], xx)

    grow = np.flatnonzero(np.isinf(hi))  # the last interval is open above
    hi[grow] = np.maximum(2.0 * lo[grow], 1.0)
    _expand_upper(f_and_d, lo, hi, grow, top_s)
    return _bracketed_newton(f_and_d, lo, hi, s_lo, 0.5 * (lo + hi), np.ones(lo.size, dtype=bool))


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
    iso = _isolate(c, max_depth)
    x = np.full(c.shape[0], np.nan)
    solve = np.flatnonzero(iso.status == IRR_OK)
    if solve.size:
        # the single isolated interval of each solved row
        pick = np.isin(iso.rows, solve) & iso.verified
        order = np.argsort(iso.rows[pick], kind="stable")
        x[solve] = _solve_in_intervals(
            iso.ct[:, solve], iso.lo[pick][order], iso.hi[pick][order], np.sign(iso.f_lo[pick][order]), iso.top[pick][order]
        )
    return x, iso.status


def _roots_all(row: np.ndarray) -> np.ndarray:
    """Every real IRR > -1 of one period cash-flow row, sorted ascending.

    The roots are isolated as :func:`irr_status` isolates them and each is
    solved in its interval, so the two always agree on how many there are;
    where the isolation is inconclusive (a double root, rounding), the
    eigenvalues of the companion matrix decide (:func:`_roots_all_poly`).
    """
    if np.count_nonzero(row) < 2:
        return np.empty(0)
    iso = _isolate(row[None, :])
    if iso.unresolved[0]:
        return _roots_all_poly(row)
    v = iso.verified
    if not v.any():
        return np.empty(0)
    x = _solve_in_intervals(np.repeat(iso.ct, int(v.sum()), axis=1), iso.lo[v], iso.hi[v], np.sign(iso.f_lo[v]), iso.top[v])
    return np.sort(1.0 / x - 1.0)


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
    # real to within a relative 1e-7: an absolute floor would take a complex pair near x = 0
    # (r near infinity; amounts of very different sizes) for two real roots
    real = roots[(np.abs(roots.imag) <= 1e-7 * np.abs(roots)) & (roots.real > 0)].real
    if real.size == 0:
        return np.empty(0)
    k = np.arange(c.size)

    def f_and_d(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xp = x[:, None] ** k
        d = (xp[:, 1:] / x[:, None]) @ (c[1:] * k[1:]) if c.size > 1 else np.zeros_like(x)
        return xp @ c, d

    # polish each root with a few Newton steps on the original polynomial; near a double
    # root f/f' is rounding noise, so a step is refused where it takes |f| up from below
    # rounding level to above it (Higham 2002, eq. 5.3, as in _zero_within_rounding)
    f, d = f_and_d(real)
    noise = 2.0 * c.size * np.finfo(float).eps * (real[:, None] ** k @ np.abs(c))
    for _ in range(8):
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(d != 0, f / d, 0.0)
        cand = np.where(real - step > 0, real - step, real)
        f_c, d_c = f_and_d(cand)
        keep = (np.abs(f_c) <= np.abs(f)) | (np.abs(f_c) <= noise) | (np.abs(f) > noise)
        real, f, d = np.where(keep, cand, real), np.where(keep, f_c, f), np.where(keep, d_c, d)
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
    if tau is None:
        out, status = _irr_periods(flat)
    else:
        out, status = _irr_dated(flat, np.broadcast_to(tau, cf.shape).reshape(-1, cf.shape[-1]))
    return out.reshape(lead), status.reshape(lead)


#: rows solved together by :func:`_irr_periods`: a chunk's time-major copy (4 MB for 31
#: periods) stays in cache over the Newton steps and its memory is reused, not faulted in anew
_CHUNK_ROWS = 16384


def _irr_periods(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IRR and status of each row of period cash flows ``flat`` (n, T), chunk by chunk.

    Every step is elementwise over rows, so chunking changes no row's result. The few rows of
    each chunk that need many Newton steps are finished together after the last chunk.
    """
    n = flat.shape[0]
    out = np.full(n, np.nan)
    status = np.full(n, IRR_OK, dtype=np.int8)
    x = np.full(n, np.nan)  # x = 1/(1+r) found by Newton from the sign of f(1)
    n_chunks = -(-n // _CHUNK_ROWS)
    size = max(1, -(-n // max(n_chunks, 1)))  # chunks of equal size
    handoff = 0 if n_chunks <= 1 else max(16, size // 512)
    none = np.zeros(0, dtype=np.intp)
    one, several, slow, late = [none], [none], [], [none]
    for start in range(0, n, size):
        o, sv, sl, lt = _irr_chunk(flat[start : start + size], start, out, status, x, handoff)
        one.append(o)
        several.append(sv)
        late.append(lt)
        if sl is not None:
            slow.append(sl)
    if slow:
        _run_newton(_NewtonJob.concatenate(slow), out=x)
    late = np.concatenate(late)
    if late.size:  # rows with several sign changes among the slow ones: certify them now
        good = _only_positive_root(np.ascontiguousarray(flat[late].T), x[late])
        out[late[good]] = 1.0 / x[late[good]] - 1.0
        several.append(late[~good])
    one = np.concatenate(one)
    out[one] = 1.0 / x[one] - 1.0
    several = np.sort(np.concatenate(several))
    # isolation for any number of rows (the same method for one row or many, so a row's IRR
    # does not depend on its batch); eigenvalues only where isolation is inconclusive
    if several.size:
        xs, st = _solve_by_isolation(flat[several])
        out[several] = 1.0 / xs - 1.0
        status[several] = np.where(st < 0, IRR_OK, st)
        several = several[st < 0]  # inconclusive: eigenvalues below
    for i in several:
        roots = _roots_all_poly(flat[i])
        if roots.size == 1:
            out[i] = roots[0]
        else:
            status[i] = IRR_NONE if roots.size == 0 else IRR_MULTIPLE
    return out, status


def _irr_chunk(
    chunk: np.ndarray, start: int, out: np.ndarray, status: np.ndarray, x: np.ndarray, handoff: int
) -> tuple[np.ndarray, np.ndarray, _NewtonJob | None, np.ndarray]:
    """Rows ``start:start + len(chunk)`` of :func:`_irr_periods`: their statuses, the Newton roots x
    (into ``x``) of rows with one sign change or an odd number of roots, and the certified ones.

    Rows with one sign change and rows with several whose first and last signs differ (an
    odd number of positive roots, see :func:`_certified_single_root`) take the same steps
    from the sign of f(1), so they are solved together.

    Returns
    -------
    one : ndarray
        Rows with one sign change (their root in ``x`` once ``slow`` is run too).
    several : ndarray
        Rows with several sign changes and no certified single root, left to isolation.
    slow : _NewtonJob or None
        Rows not yet converged (at most ``handoff``).
    late : ndarray
        Rows with several sign changes in ``slow``, to certify once it is run.
    """
    # time-major: one period of every row is one contiguous array, for the sign count and Horner
    ct = np.ascontiguousarray(chunk.T)
    m = ct.shape[1]
    changes, first, last = _sign_counts(ct.T)
    f1 = _value_at_one(ct)
    # a NaN or infinite amount makes f(1) NaN or infinite, so a finite f(1) proves a finite
    # row; only the others (non-finite or overflowing sums) are checked amount by amount
    finite = np.isfinite(f1)
    suspect = np.flatnonzero(~finite)
    if suspect.size:
        finite[suspect] = np.isfinite(ct[:, suspect]).all(axis=0)
    st = status[start : start + m]
    st[~finite] = IRR_NOT_FINITE
    st[(changes == 0) & finite] = IRR_NONE
    is_newton = finite & (changes > 0) & (first != last)
    newton = np.flatnonzero(is_newton)
    slow = None
    if newton.size and (newton.size == m or (newton.size >= 0.75 * m and finite.all())):
        # (almost) every row: solve in place, the others idle, rather than gather ct
        sub, pos, cols = ct, newton, start + np.arange(m)
        s_lo, s_hi, f1_sub = np.where(is_newton, first, np.nan), last, f1
    else:
        sub, pos, cols = np.take(ct, newton, axis=1), np.arange(newton.size), start + newton
        s_lo, s_hi, f1_sub = first[newton], last[newton], f1[newton]
    if newton.size:
        lo, hi, x0, todo = _bracket_from_one(sub, s_lo, s_hi, f1_sub)
        x[start + newton] = x0[pos]
        if pos.size < sub.shape[1]:
            todo &= is_newton
        slow = _run_newton(*_NewtonJob.start(sub, lo, hi, s_lo, x0, todo, cols), out=x, handoff=handoff)
    # most rows with several sign changes still have one root: prove it is the only one
    # (cheap), and isolate only the rest
    odd = np.flatnonzero(changes[newton] > 1)  # places in newton
    late = np.zeros(0, dtype=np.intp)
    if slow is not None and odd.size:
        pending = np.isin(newton[odd] + start, slow.cols)
        late = newton[odd[pending]] + start
        odd = odd[~pending]
    if odd.size:
        good = _only_positive_root(np.take(sub, pos[odd], axis=1), x[start + newton[odd]])
        found = start + newton[odd[good]]
        out[found] = 1.0 / x[found] - 1.0
    else:
        good = np.zeros(0, dtype=bool)
    several = np.flatnonzero(finite & (changes > 1) & (first == last))
    several = np.concatenate([several, newton[odd[~good]]]) + start
    return start + newton[changes[newton] == 1], several, slow, late


def _irr_dated(flat: np.ndarray, tau_flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IRR and status of each row of dated amounts ``flat`` (n, T) at year fractions ``tau_flat``."""
    out = np.full(flat.shape[0], np.nan)
    status = np.full(flat.shape[0], IRR_OK, dtype=np.int8)
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
        x = _unique_positive_root(flat[one], tau_flat[one])
        out[one] = 1.0 / x - 1.0
    for i in np.flatnonzero((changes > 1) & finite):
        roots = _roots_all_dated(flat[i], tau_flat[i])
        if roots.size == 1:
            out[i] = roots[0]
        else:
            status[i] = IRR_NONE if roots.size == 0 else IRR_MULTIPLE
    return out, status


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
    Roots of the NPV polynomial in ``x = 1/(1+r)`` isolated in intervals as
    :func:`irr_status` isolates them (so the two agree on how many there are),
    each solved by bracketed Newton; where the isolation is inconclusive, from
    the eigenvalues of its companion matrix (``numpy.roots``), kept when real
    and positive, polished by Newton steps, a repeated root reported once.
    """
    cf = _as_flows(cashflows)
    if cf.ndim == 1:
        return _roots_all(cf) if np.all(np.isfinite(cf)) else np.empty(0)
    flat = cf.reshape(-1, cf.shape[-1])
    out = np.empty(flat.shape[0], dtype=object)
    for i, row in enumerate(flat):
        out[i] = _roots_all(row) if np.all(np.isfinite(row)) else np.empty(0)
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
