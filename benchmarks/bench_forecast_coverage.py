"""Coverage of every forecast method's 95 % interval on series from its own model (issue 18).

For each method of :mod:`feasibility.domain.demand`, simulates series of 8-15
annual points from the method's own data-generating process
(:data:`feasibility.domain.coverage.PROCESSES`), fits the method and counts how
often the 95 % interval 1, 5 and 10 years ahead contains the value that
followed. Target: at least 0.90 at every horizon; a method below it is labelled
with its measured coverage in the report.

Prints one row per process: coverage at h = 1, 5, 10 with its binomial standard
error, the fits and the refusals. With ``--write`` it also writes the table the
report quotes, ``feasibility/data/forecast_coverage.csv`` (the lowest coverage
of each method over its processes).

Run: ``python benchmarks/bench_forecast_coverage.py [--reps 2000] [--ets-reps 400] [--write]``
(about 3 minutes on two cores at the defaults). No assertions; the test suite
checks the same figures at smaller sizes (``tests/test_forecast_coverage.py``).
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from feasibility.domain.coverage import HORIZONS, PROCESSES, measure

OUT = Path(__file__).resolve().parents[1] / "feasibility" / "data" / "forecast_coverage.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2000, help="series per process (fast methods)")
    ap.add_argument("--ets-reps", type=int, default=400, help="series per ETS process (each fit tries up to 6 forms)")
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(OUT.parents[2])}")
    args = ap.parse_args()

    print("95 % interval coverage on 8-15-point series from each method's own model (target >= 0.90)")
    print(f"{'process':<11}" + "".join(f"{'h=' + str(h):>16}" for h in HORIZONS) + f"{'fits':>7}{'refused':>9}{'s':>7}")
    worst: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
    for process in PROCESSES:
        t0 = time.perf_counter()
        reps = args.ets_reps if process.startswith("ets") else args.reps
        cov = measure(process, reps)
        secs = time.perf_counter() - t0
        cells = "".join(f"{p:>9.3f} ± {s:.3f}" for p, s in zip(cov.covered, cov.se))
        flag = "" if np.all(cov.covered >= 0.90) else "   below 0.90: labelled in the report"
        print(f"{process:<11}{cells}{cov.fits:>7}{cov.refused:>9}{secs:>7.0f}{flag}")
        method = "ets" if process.startswith("ets") else process
        if method not in worst:
            worst[method] = (cov.covered, cov.se, cov.fits)
        else:  # the lower coverage of the method's processes, horizon by horizon
            lo = cov.covered < worst[method][0]
            worst[method] = (
                np.where(lo, cov.covered, worst[method][0]),
                np.where(lo, cov.se, worst[method][1]),
                min(cov.fits, worst[method][2]),
            )
    if args.write:
        with OUT.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["method", *[f"h{h}" for h in HORIZONS], *[f"se_h{h}" for h in HORIZONS], "fits"])
            for method, (p, se, fits) in worst.items():
                w.writerow([method, *[f"{x:.3f}" for x in p], *[f"{x:.3f}" for x in se], fits])
        print(f"written: {OUT}")


if __name__ == "__main__":
    main()
