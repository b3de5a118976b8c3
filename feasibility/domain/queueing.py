"""Ships waiting for a berth: queueing formulas for berth planning, vectorised.

A berth group is a queue with Poisson ship arrivals (``M``), service times of a
given spread and ``c`` berths. UNCTAD's *Port Development* handbook (1985) plans
general-cargo berths with the ``M/E2/c`` model: random arrivals, Erlang-2 service
times (coefficient of variation 1/sqrt(2)), and tabulates the mean waiting time
in units of the mean service time against berth occupancy. This module gives:

* :func:`erlang_c`: the probability that an arriving ship waits, ``M/M/c``
  (the Erlang C formula, computed by the stable Erlang B recursion);
* :func:`waiting_time_ratio`: mean waiting time / mean service time for
  ``M/E_k/c``. With one berth it is exact, the Pollaczek-Khinchine formula
  ``W/S = rho (1 + 1/k) / (2 (1 - rho))`` (0.50 at occupancy 0.40 and 0.75 at
  0.50 for ``k = 2``, as UNCTAD's table). With several berths it is the
  Allen-Cunneen approximation, the ``M/M/c`` waiting time scaled by
  ``(c_a^2 + c_s^2) / 2 = (1 + 1/k) / 2`` (exact for ``k = 1``); the tests hold
  it against a simulation of the queue;
* :func:`max_occupancy_for_waiting`: the highest berth occupancy at which the
  mean waiting time stays within an allowed share of the service time, the
  berth capacity "from service quality" (solved by root finding);
* :func:`ship_days_waiting_per_year`: calls x service time x ratio;
* :func:`mixed_erlang_k`: the equivalent ``k`` (``1 / c_s^2``) of the service
  times of several ship types calling at one berth group, each Erlang-k with its
  own mean (a mixture is more variable than each of its parts).

Everything broadcasts over leading axes. Bad input raises a :class:`ValueError`
listing every problem (``name: rule, got value``); an occupancy of 1 or more
has no steady state and gives ``inf``.

References
----------
UNCTAD (1985) *Port Development: A handbook for planners in developing
countries*, 2nd ed., TD/B/C.4/175/Rev.1, United Nations: berth occupancy and
ship waiting time, ``M/E2/n``.
Allen, A. O. (1990) *Probability, Statistics, and Queueing Theory with Computer
Science Applications*, 2nd ed., Academic Press: the Allen-Cunneen approximation
for ``GI/G/c``.
Kleinrock, L. (1975) *Queueing Systems, Vol. 1*, Wiley: Erlang B and C, the
Pollaczek-Khinchine mean-value formula.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import elementwise

from .._checks import Problems as _Problems
from .._checks import as_float as _arr
from .._checks import unwrap as _out

__all__ = ["erlang_c", "max_occupancy_for_waiting", "mixed_erlang_k", "ship_days_waiting_per_year", "waiting_time_ratio"]

#: the most berths a group may have here (the recursion runs once per berth)
MAX_BERTHS = 200


def _check(c: np.ndarray, rho: np.ndarray | None, k: np.ndarray | None, pr: _Problems) -> None:
    pr.check("berths", c, lambda x: (x >= 1) & (x <= MAX_BERTHS) & (x == np.floor(x)), f"must be a whole number in [1, {MAX_BERTHS}]")
    if rho is not None:
        pr.check("occupancy", rho, lambda x: x >= 0, "must be >= 0 (a share of the berth time)")
    if k is not None:
        pr.check("erlang_k", k, lambda x: x > 0, "must be > 0 (1 / the squared coefficient of variation of the service times: "
                 "1 exponential; 2 UNCTAD's general cargo; inf constant; below 1 a mix of ship types)")


def erlang_c(berths: Any, occupancy: Any) -> Any:
    r"""Probability that an arriving ship has to wait, ``M/M/c`` (Erlang C).

    With offered load :math:`a = c \rho`, Erlang B by the recursion
    :math:`B_0 = 1,\ B_j = a B_{j-1} / (j + a B_{j-1})`, and
    :math:`C = B_c / (1 - \rho (1 - B_c))` (Kleinrock 1975).

    Parameters
    ----------
    berths : array_like
        Number of berths ``c``, a whole number in [1, 200].
    occupancy : array_like
        Berth occupancy :math:`\rho = \lambda / (c \mu)`, >= 0; 1 or more gives 1.

    Returns
    -------
    ndarray or float
        The probability, in [0, 1].

    Examples
    --------
    >>> round(float(erlang_c(2, 0.5)), 6)  # B_2 = 0.2, C = 0.2 / (1 - 0.5 x 0.8)
    0.333333
    """
    c, rho = np.broadcast_arrays(_arr(berths), _arr(occupancy))
    pr = _Problems()
    _check(c, rho, None, pr)
    pr.raise_if_any()
    a = c * rho
    b = np.ones(c.shape)
    for j in range(1, int(np.max(c, initial=1)) + 1):
        step = a * b / (j + a * b)
        b = np.where(j <= c, step, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(rho >= 1, 1.0, b / (1.0 - rho * (1.0 - b)))
    return _out(out)


def waiting_time_ratio(berths: Any, occupancy: Any, erlang_k: Any = 2.0) -> Any:
    r"""Mean waiting time for a berth over the mean service time, ``M/E_k/c`` (see the module docstring).

    .. math:: \frac{W_q}{S} = \frac{C(c, \rho)}{c (1 - \rho)} \cdot \frac{1 + 1/k}{2}

    exact for one berth (Pollaczek-Khinchine) and for ``k = 1`` (``M/M/c``); the
    Allen-Cunneen approximation otherwise.

    Parameters
    ----------
    berths : array_like
        Number of berths, a whole number in [1, 200].
    occupancy : array_like
        Berth occupancy, >= 0 (``inf`` at 1 or more: the queue grows without end).
    erlang_k : array_like, default 2
        Shape of the Erlang service-time distribution, >= 1 (``inf``: constant
        service times, ``M/D/c``).

    Returns
    -------
    ndarray or float
        Waiting time as a multiple of the service time (0.5: a ship waits half
        as long as it is served, on average).

    Examples
    --------
    >>> round(float(waiting_time_ratio(1, 0.4)), 6)  # 0.4 x 1.5 / (2 x 0.6): UNCTAD's 0.50
    0.5
    """
    c, rho, k = np.broadcast_arrays(_arr(berths), _arr(occupancy), _arr(erlang_k))
    pr = _Problems()
    _check(c, rho, k, pr)
    pr.raise_if_any()
    p_wait = _arr(erlang_c(c, np.minimum(rho, 1.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = p_wait / (c * (1.0 - rho)) * (1.0 + 1.0 / k) / 2.0
    return _out(np.where(rho >= 1, np.inf, ratio))


def max_occupancy_for_waiting(berths: Any, allowed_ratio: Any, erlang_k: Any = 2.0) -> Any:
    r"""The highest berth occupancy at which ships wait on average no more than ``allowed_ratio`` x their service time.

    The waiting-time ratio rises from 0 at no traffic to infinity at full
    occupancy, so the occupancy is found by root finding on
    :func:`waiting_time_ratio` in (0, 1) (for one berth, in closed form:
    :math:`\rho = 2r / ((1 + 1/k) + 2r)`).

    Parameters
    ----------
    berths : array_like
        Number of berths, whole, in [1, 200].
    allowed_ratio : array_like
        The mean waiting time the port accepts, as a share of the mean service
        time, > 0 (UNCTAD's planning range for general cargo is of the order of
        0.1 to 0.5; **an assumption of the case**, with its source).
    erlang_k : array_like, default 2

    Returns
    -------
    ndarray or float
        Occupancy in (0, 1).

    Examples
    --------
    >>> round(float(max_occupancy_for_waiting(1, 0.5)), 6)  # 2 x 0.5 / (1.5 + 1)
    0.4
    """
    c, r, k = np.broadcast_arrays(_arr(berths), _arr(allowed_ratio), _arr(erlang_k))
    pr = _Problems()
    _check(c, None, k, pr)
    pr.check("allowed_ratio", r, lambda x: (x > 0) & np.isfinite(x), "must be > 0 and finite (a share of the service time)")
    pr.raise_if_any()

    def gap(rho: np.ndarray, c: np.ndarray, r: np.ndarray, k: np.ndarray) -> np.ndarray:
        # the root finder passes the elements still searched, with their own berths, ratio and k
        return np.asarray(waiting_time_ratio(c, rho, k), dtype=float) - r

    res = elementwise.find_root(gap, (np.zeros(c.shape), np.full(c.shape, 1.0 - 1e-12)), args=(c, r, k),
                                tolerances={"xatol": 1e-13, "xrtol": 1e-13})
    return _out(np.asarray(res.x, dtype=float))


def ship_days_waiting_per_year(calls_per_year: Any, service_days_per_call: Any, ratio: Any) -> Any:
    """Ship-days spent waiting for a berth in a year: calls x mean service time (days) x the waiting-time ratio.

    Parameters
    ----------
    calls_per_year, service_days_per_call : array_like
        Ship calls a year and the mean time a ship occupies a berth (days), >= 0.
    ratio : array_like
        :func:`waiting_time_ratio`, >= 0 (``inf`` stays ``inf``).

    Returns
    -------
    ndarray or float
        Ship-days a year (times a ship's daily cost: the waiting cost).
    """
    n, s, w = map(_arr, (calls_per_year, service_days_per_call, ratio))
    pr = _Problems()
    for name, x in (("calls_per_year", n), ("service_days_per_call", s), ("ratio", w)):
        pr.check(name, x, lambda v: v >= 0, "must be >= 0")
    pr.raise_if_any()
    return _out(n * s * w)


def mixed_erlang_k(call_shares: Any, service_hours: Any, erlang_k: Any = 2.0) -> Any:
    r"""The equivalent Erlang shape ``1 / c_s^2`` of a mixture of ship types' service times.

    Type ``i`` makes a share ``p_i`` of the calls and is served in a time with
    mean ``h_i`` and squared coefficient of variation ``1 / k_i``. The mixture's
    moments are

    .. math:: E[S] = \sum_i p_i h_i, \quad E[S^2] = \sum_i p_i h_i^2 (1 + 1/k_i),
              \quad c_s^2 = E[S^2] / E[S]^2 - 1,

    and the result, ``1 / c_s^2``, is what :func:`waiting_time_ratio` takes as
    ``erlang_k`` (its factor ``(1 + 1/k) / 2`` is Allen-Cunneen's and
    Pollaczek-Khinchine's ``(1 + c_s^2) / 2``). One type gives back its own ``k``;
    types served at different speeds give less (more variable service, longer
    waits at the same occupancy).

    Parameters
    ----------
    call_shares : array_like, shape (..., n)
        Each type's share of the ship calls, >= 0, not all 0 (normalised here);
        types on the last axis.
    service_hours : array_like, shape (..., n)
        Each type's mean time at the berth per call, > 0 and finite.
    erlang_k : array_like, default 2
        Each type's own Erlang shape, > 0 (broadcasts against the types).

    Returns
    -------
    ndarray or float
        The mixture's ``1 / c_s^2``, > 0.

    Examples
    --------
    >>> float(mixed_erlang_k([1.0], [20.0]))
    2.0
    >>> # half the calls 10 h, half 30 h, each Erlang-2: E[S] = 20, E[S^2] = 1.5 x 500 = 750, c_s^2 = 0.875
    >>> round(float(mixed_erlang_k([0.5, 0.5], [10.0, 30.0])), 6)
    1.142857
    """
    p, h, k = np.broadcast_arrays(_arr(call_shares), _arr(service_hours), _arr(erlang_k))
    pr = _Problems()
    pr.check("call_shares", p, lambda x: x >= 0, "must be >= 0")
    pr.check("service_hours", h, lambda x: (x > 0) & np.isfinite(x), "must be > 0 and finite")
    pr.check("erlang_k", k, lambda x: x > 0, "must be > 0")
    total = p.sum(axis=-1, keepdims=True) if p.ndim else p
    pr.check("call_shares", total, lambda x: x > 0, "must not all be 0")
    pr.raise_if_any()
    w = p / total
    mean = np.sum(w * h, axis=-1)
    second = np.sum(w * h * h * (1.0 + 1.0 / k), axis=-1)
    cs2 = second / (mean * mean) - 1.0
    with np.errstate(divide="ignore"):
        return _out(np.where(cs2 > 0, 1.0 / np.where(cs2 > 0, cs2, 1.0), np.inf))
