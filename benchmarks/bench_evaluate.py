"""Speed of the model on the Kota Serang default case.

Prints the median wall time of

* ``evaluate`` of the default case, in-process, including the annual DataFrame
  (target: under 20 ms);
* 10,000 cases evaluated in one vectorised call, varying five inputs
  (target: under 100 x the single-case time);
* a Python loop of single evaluations over the first 200 of those cases, as the
  reference the vectorised call is compared with (ratio printed per case).

Run: ``python benchmarks/bench_evaluate.py [--repeat N]``. No assertions: the
figures are for the issue's closing note and for spotting regressions.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from feasibility import load_case, run


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()

    case = load_case()
    rng = np.random.default_rng(1)
    n = args.n
    overrides = {
        "port.revenue.cargo_handling.tariff_idr_per_tonne": rng.triangular(40_000, 71_000, 110_000, n),
        "port.revenue.cargo_handling.build_up.tonnes_per_company": rng.triangular(8_000, 20_000, 40_000, n),
        "port.capex.wharf.amount_idr": rng.triangular(1.5e11, 2e11, 3.2e11, n),
        "financing.loans.regional_bank.interest_rate": rng.uniform(0.07, 0.12, n),
        "macro.inflation_per_year": rng.uniform(0.015, 0.045, n),
    }
    run(case).annual  # warm-up (imports, caches)
    run(case, overrides)

    # interleave the two measurements so that both see the same machine load
    single_t, vec_t = [], []
    for _ in range(max(3, args.repeat // 3)):
        single_t.append(median_time(lambda: run(case).annual, 3))
        vec_t.append(median_time(lambda: run(case, overrides), 1))
    single, vec = statistics.median(single_t), statistics.median(vec_t)
    k = min(200, n)
    loop = median_time(lambda: [run(case, {p: v[i] for p, v in overrides.items()}) for i in range(k)], 3) / k

    print(f"evaluate, default case (with annual DataFrame): {single * 1e3:8.2f} ms   target < 20 ms")
    print(f"{n:,} cases in one vectorised call:            {vec * 1e3:8.1f} ms   = {vec / single:6.1f} x single   target < 100 x")
    print(f"python loop, per case (over {k}):               {loop * 1e3:8.2f} ms   vectorised is {loop * n / vec:6.1f} x faster per case")


if __name__ == "__main__":
    main()
