"""Speed of the risk tools (issue 4), as ratios measured in one process.

Prints

1. vectorised :func:`feasibility.metrics.irr_status` on 100,000 x 31 cash flows
   against a Python loop of ``pyxirr.irr`` over the same rows (target: at least
   2 x faster), and the largest difference of the roots where both give one
   (target: 1e-10). Two sets of rows: the project free cash flows of the
   default case's own Monte Carlo (several sign changes: construction, then
   renewals), and conventional flows (one outlay, then random positive
   inflows), where pyxirr is at its fastest;
2. 100,000 Monte Carlo iterations of the full default case (sampling, the
   model, 8 metrics), its time as a multiple of each pyxirr loop (targets: at
   most 3 x the loop over its own flows, issue 4; at most 5 x the loop over
   conventional flows, issue 11) and its peak memory traced by ``tracemalloc`` (target: < 1.5 GB);
3. the full tornado (all inputs with declared ranges) plus switching values of
   the default case for the FNPV (target: < 2 s), and for all five default
   metrics over every single-number input, for information.

Run: ``python benchmarks/bench_risk.py``. No assertions: the figures are for
the issue's closing note and for spotting regressions.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
import warnings

import numpy as np
import pyxirr

from feasibility import load_case, run
from feasibility import metrics as fm
from feasibility.analysis.risk import simulate
from feasibility.analysis.sensitivity import DEFAULT_METRICS, one_way

N = 100_000


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def pyxirr_loop(rows: np.ndarray) -> np.ndarray:
    out = np.full(rows.shape[0], np.nan)
    for i, row in enumerate(rows):
        try:
            r = pyxirr.irr(row)
        except pyxirr.InvalidPaymentsError:  # no sign change: no IRR
            continue
        out[i] = np.nan if r is None else r
    return out


def compare_irr(name: str, rows: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_vec = best_of(lambda: fm.irr_status(rows))
        t_loop = best_of(lambda: pyxirr_loop(rows), repeat=1)
        ours, status = fm.irr_status(rows)
        theirs = pyxirr_loop(rows)
    both = (status == fm.IRR_OK) & np.isfinite(theirs)
    diff = float(np.max(np.abs(ours[both] - theirs[both]))) if both.any() else float("nan")
    n_multi = int(np.count_nonzero(status == fm.IRR_MULTIPLE))
    n_none = int(np.count_nonzero(status == fm.IRR_NONE))
    print(f"  {name}")
    print(f"    vectorised irr_status: {t_vec:7.3f} s   pyxirr loop: {t_loop:7.3f} s   = {t_loop / t_vec:5.1f} x faster   target >= 2 x")
    print(f"    roots compared where both give one: {both.sum():,}; largest difference {diff:.1e}   target <= 1e-10")
    n_missed = int(np.count_nonzero((status == fm.IRR_OK) & ~np.isfinite(theirs)))
    print(f"    rows we report as several IRRs: {n_multi:,}, as no IRR: {n_none:,}; rows with one IRR where pyxirr gives none: {n_missed:,}")
    return t_loop


def main() -> None:
    case = load_case()
    simulate(case, 2_000, progress=False)  # warm-up: imports, caches

    print(f"1. IRR of {N:,} x 31 cash flows")
    sim_rows = run(case, simulate_inputs(case), metrics=["fnpv_idr"]).lines["project_fcf_idr"]
    sim_rows = np.ascontiguousarray(sim_rows)
    rng = np.random.default_rng(1)
    conv = np.concatenate([-rng.uniform(500, 1500, (N, 1)), rng.uniform(10, 200, (N, 30))], axis=1)
    loop_sim = compare_irr("project FCF of the default case's Monte Carlo", sim_rows)
    loop_conv = compare_irr("conventional flows (one outlay, 30 positive inflows)", conv)

    print(f"\n2. Monte Carlo, {N:,} iterations of the default case ({len(case.risk.distributions)} uncertain inputs, chunks of 5,000)")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        sim = simulate(case, N, progress=False)
        times.append(time.perf_counter() - t0)
    t_mc = statistics.median(times)
    tracemalloc.start()
    simulate(case, N, progress=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"    time (median of 3): {t_mc:6.2f} s")
    print(f"    = {t_mc / loop_sim:4.2f} x the pyxirr loop over the Monte Carlo's own cash flows   target <= 3 x")
    print(f"    = {t_mc / loop_conv:4.2f} x the pyxirr loop over conventional flows   target <= 5 x")
    print(f"    peak traced memory: {peak / 2**30:5.2f} GB   target < 1.5 GB")
    print(f"    P(FNPV < 0) = {sim.prob_npv_negative:.3f}; iterations with FIRR undefined: {sum(u['count'] for u in sim.undefined if u['metric'] == 'firr'):,}")

    print("\n3. Sensitivity of the default case")
    t_fnpv = best_of(lambda: one_way(case, "ranges", metrics=["fnpv_idr"]))
    tw = one_way(case, "ranges", metrics=["fnpv_idr"])["fnpv_idr"]
    solved = int((tw.table["switching_status"] == "solved").sum())
    print(f"    tornado + switching values of FNPV, {len(tw.table)} inputs with ranges: {t_fnpv:5.2f} s   target < 2 s ({solved} switching values within range)")
    t_all = best_of(lambda: one_way(case, "all", metrics=DEFAULT_METRICS), repeat=1)
    n_all = len(one_way(case, "all", metrics=["fnpv_idr"], switching=False)["fnpv_idr"].table)
    print(f"    all {len(DEFAULT_METRICS)} default metrics over all {n_all} single-number inputs: {t_all:5.2f} s (for information)")


def simulate_inputs(case):
    """The sampled inputs of a 100,000-iteration Monte Carlo, as model overrides."""
    from feasibility.analysis.risk import sample_inputs

    x = sample_inputs(case, N, case.risk.seed)
    return {c: x[c].to_numpy() for c in x.columns}


if __name__ == "__main__":
    main()
