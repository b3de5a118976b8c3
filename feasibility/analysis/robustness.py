"""Robustness: does a criterion hold anywhere in the box of the inputs' declared ranges?

Moving each input to its favourable end one at a time, at the base case, is
not the same as searching the box: inputs interact (a higher cargo growth
triggers an expansion that may cost more than it earns). :func:`robustness`
searches the box ``[low, high]`` of every input with a declared range for the
best and the worst value of each metric:

* starts: the base case, every input at the end that helps (or hurts) the
  metric one at a time, and a few Latin-hypercube points of the box (seeded);
* from each start, a coordinate search over the ends ``low`` and ``high`` of
  every input, then over ``low``, ``middle`` and ``high``, all candidates of all
  starts and metrics evaluated in one vectorised model run per sweep: each
  sweep tries every single-input move and the point that takes every input to
  its best level at once, and moves to the better of the two, until no move
  improves the metric. Undefined values (an IRR that does not exist) are left
  out of the search.

The result is the best and the worst value *found*, with the inputs that give
them (running them through the model gives the same values): a search, not a
proof that nothing better or worse exists in the box (the report says so).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import qmc

from ..case import Case
from ..metrics import registry
from ..model import run

__all__ = ["Extreme", "Robustness", "at_ends", "robustness"]

#: relative tolerance below which a move is not an improvement
_TOL = 1e-12


@dataclass
class Extreme:
    """A value of a metric found in the box, the inputs that give it (path -> value), and its hurdle there.

    ``threshold`` is the metric's hurdle at those inputs: a number, or, for a
    hurdle that is another metric (FIRR against the WACC), that metric's value
    at the same inputs (the WACC moves with the interest and inflation rates).
    NaN for a metric without a hurdle. ``proxy`` is, for an IRR, its NPV at
    the hurdle rate at those inputs (registry ``proxy``): where the IRR is
    undefined (the flows never pay back) the NPV still says how bad it is.
    """

    value: float
    inputs: dict[str, float]
    threshold: float = math.nan
    proxy: float = math.nan


@dataclass
class Robustness:
    """The best and the worst value of a metric found in the box of the declared ranges.

    ``best`` is in the metric's better direction (:mod:`feasibility.metrics.registry`):
    the largest FNPV, the shortest payback.
    """

    metric: str
    best: Extreme
    worst: Extreme
    inputs: list[str] = field(default_factory=list)
    starts: int = 0
    evaluations: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``feasibility sensitivity --json`` prints."""
        num = lambda v: v if math.isfinite(v) else None  # noqa: E731
        return {
            "metric": self.metric,
            "best": num(self.best.value),
            "worst": num(self.worst.value),
            "best_inputs": self.best.inputs,
            "worst_inputs": self.worst.inputs,
            "best_threshold": num(self.best.threshold),
            "worst_threshold": num(self.worst.threshold),
            "proxy": registry.METRICS[self.metric].proxy,
            "best_proxy": num(self.best.proxy),
            "worst_proxy": num(self.worst.proxy),
            "searched": {"inputs": len(self.inputs), "starts": self.starts, "model_evaluations": self.evaluations},
        }


def _box(case: Case) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The inputs with a declared range, their low, base and high values."""
    qmap = case.quantity_map()
    paths = [p for p, q in qmap.items() if not q.is_list and q.low is not None]
    lo = np.array([float(qmap[p].low) for p in paths])
    hi = np.array([float(qmap[p].high) for p in paths])
    base = np.array([float(qmap[p].value) for p in paths])
    return paths, lo, base, hi


def at_ends(case: Case, inputs: dict[str, float]) -> int:
    """How many of the inputs (path -> value) stand at the low or the high end of their declared range.

    A value found by the search that needs many inputs at their ends at once is
    a corner of the box: possible, but much less likely than any one end.
    """
    qmap = case.quantity_map()
    n = 0
    for path, v in inputs.items():
        q = qmap[path]
        if q.low is not None and q.low != q.high and any(math.isclose(v, float(e), rel_tol=1e-9, abs_tol=1e-12) for e in (q.low, q.high)):
            n += 1
    return n


def _at(lo: float, hi: float, level: np.ndarray) -> np.ndarray:
    """The value at a level in [0, 1] of the range: exactly ``low`` at 0 and ``high`` at 1."""
    return lo * (1.0 - level) + hi * level


def _score(values: np.ndarray, sign: float, undefined: float = -np.inf) -> np.ndarray:
    """Higher is better for the search; an undefined value scores ``undefined`` (left out, by default)."""
    return np.where(np.isfinite(values), sign * values, undefined)


def _undefined_score(metric: str, sign: float) -> float:
    """A payback that never comes is the worst payback there is: the search for the worst seeks it."""
    m = registry.METRICS[metric]
    worse = 1.0 if m.better == "lower" else -1.0
    return np.inf if m.undefined_fails and sign == worse else -np.inf


def _starts(lo: np.ndarray, base: np.ndarray, hi: np.ndarray, n_random: int, seed: int) -> np.ndarray:
    """Base, all-low, all-high and Latin-hypercube points of the box: shape (S, k), as levels in [0, 1]."""
    k = lo.size
    span = np.where(hi > lo, hi - lo, 1.0)
    pts = [(base - lo) / span, np.zeros(k), np.ones(k)]
    if n_random and k:
        pts += list(qmc.LatinHypercube(d=k, seed=seed).random(n_random))
    return np.array(pts)


def robustness(
    case: Case,
    metrics: Sequence[str],
    *,
    random_starts: int = 2,
    seed: int | None = None,
    max_sweeps: int = 30,
) -> dict[str, Robustness]:
    """The best and the worst value of each metric found in the box of the declared ranges.

    Parameters
    ----------
    case : Case
    metrics : sequence of str
        Model metrics (keys of :data:`feasibility.metrics.registry.METRIC_UNITS`).
    random_starts : int
        Latin-hypercube starts besides the base case and the two all-low/all-high corners.
    seed : int, optional
        Of the random starts; default ``risk.seed`` of the case.
    max_sweeps : int
        A safety limit; the search stops earlier when no move improves.

    Returns
    -------
    dict of str to Robustness
    """
    paths, lo, base, hi = _box(case)
    seed = case.risk.seed if seed is None else seed
    k = len(paths)
    start_pts = _starts(lo, base, hi, random_starts, seed)
    # an IRR is searched on its NPV (registry proxy: the same corners, defined everywhere);
    # every metric then takes its best and worst over all the points the searches end at
    searched = list(dict.fromkeys(registry.METRICS[m].proxy or m for m in metrics))
    # one search state per (metric, direction, start): positions as levels in [0, 1]
    states = [(m, sign) for m in searched for sign in (1.0, -1.0)]
    pos = np.tile(start_pts, (len(states), 1))  # (n_states * S, k)
    owner = np.repeat(np.arange(len(states)), start_pts.shape[0])
    needed = searched
    count = [pos.shape[0]]

    def scores(points: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The search score of each point for the state that owns its row (one vectorised model run)."""
        count[0] += points.shape[0]
        over = {p: _at(lo[i], hi[i], points[:, i]) for i, p in enumerate(paths)}
        vals = run(case, over or None, metrics=needed).metrics
        out = np.empty(rows.size)
        for j, (m, sign) in enumerate(states):
            mine = owner[rows] == j
            out[mine] = _score(np.broadcast_to(np.asarray(vals[m], dtype=float), (points.shape[0],))[mine], sign, _undefined_score(m, sign))
        return out

    current = scores(pos, np.arange(pos.shape[0])) if k else np.zeros(pos.shape[0])
    sweeps = 0
    # ends first (most metrics move monotonically with most inputs), then the middles too
    for levels in (np.array([0.0, 1.0]), np.array([0.0, 0.5, 1.0])):
        active = np.arange(pos.shape[0])  # states still improving
        while k and active.size and sweeps < max_sweeps:
            sweeps += 1
            new_pos, new_cur, better = _sweep(pos[active], current[active], levels, lambda pts, rows: scores(pts, active[rows]))
            pos[active], current[active] = new_pos, new_cur
            active = active[better]
    return _collect(case, metrics, pos, lo, hi, paths, start_pts.shape[0], count[0])


def _sweep(pos: np.ndarray, current: np.ndarray, levels: np.ndarray, scores: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of every state: the better of its best single-input move and the jump of every input to its best level.

    Returns the new positions and scores, and which states improved.
    """
    n, k = pos.shape
    cand = np.repeat(pos[:, None, None, :], k, axis=1).repeat(levels.size, axis=2)
    cand[:, np.arange(k), :, np.arange(k)] = levels  # input i of candidate (.., i, l) at level l
    s = scores(cand.reshape(-1, k), np.repeat(np.arange(n), k * levels.size)).reshape(n, k, levels.size)
    jump = levels[np.argmax(s, axis=2)]
    js = scores(jump, np.arange(n))
    best_single = s.reshape(n, -1).max(axis=1)
    choose_jump = js >= best_single
    new_score = np.where(choose_jump, js, best_single)
    with np.errstate(invalid="ignore"):
        margin = _TOL * np.maximum(np.abs(np.nan_to_num(current, posinf=0.0, neginf=0.0)), 1.0)
        better = (new_score > current + margin) & (new_score > -np.inf)
    arg = s.reshape(n, -1).argmax(axis=1)
    single = pos.copy()
    single[np.arange(n), arg // levels.size] = levels[arg % levels.size]
    moved = np.where(choose_jump[:, None], jump, single)
    return np.where(better[:, None], moved, pos), np.where(better, new_score, current), better


def _collect(
    case: Case, metrics: Sequence[str], pos: np.ndarray, lo: np.ndarray, hi: np.ndarray, paths: list[str], n_starts: int, n_eval: int,
) -> dict[str, Robustness]:
    """The best and the worst of each metric over every point the searches ended at (a point one metric's
    search found may be another's best: a payback is undefined until some search finds a profitable corner),
    run once more so that each value is exactly what the model gives for its inputs.

    An IRR is ranked by its NPV at the hurdle rate (registry ``proxy``), which crosses the hurdle exactly when
    the IRR does and is defined everywhere: its worst is where the project does worst, even where the IRR
    is undefined (flows that never pay back), which a ranking of the IRRs alone would skip."""
    over = {p: _at(lo[i], hi[i], pos[:, i]) for i, p in enumerate(paths)}
    hurdles = {m: registry.hurdle(m, case) for m in metrics}
    proxies = {m: registry.METRICS[m].proxy for m in metrics}
    wanted = list(dict.fromkeys([*metrics, *(h for h in hurdles.values() if isinstance(h, str)), *filter(None, proxies.values())]))
    n = pos.shape[0]
    vals = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in run(case, over or None, metrics=wanted).metrics.items()}
    out: dict[str, Robustness] = {}
    for m in metrics:
        h = hurdles[m]
        thr = vals[h] if isinstance(h, str) else np.full(n, math.nan if h is None else float(h))
        px = proxies[m]
        rank = vals[px] if px else vals[m]
        found = {}
        for sign in (1.0, -1.0):
            r = int(np.argmax(_score(rank, sign, _undefined_score(px or m, sign))))
            found[sign] = Extreme(
                float(vals[m][r]), {p: float(over[p][r]) for p in paths}, float(thr[r]), float(vals[px][r]) if px else math.nan
            )
        best, worst = (found[1.0], found[-1.0]) if registry.METRICS[m].better != "lower" else (found[-1.0], found[1.0])
        out[m] = Robustness(m, best, worst, list(paths), n_starts, n_eval + n)
    return out
