"""Peak memory of large Monte Carlo runs and two-way tables (issue 19), measured.

Each run happens in a fresh process (``python bench_memory.py --one KIND N``), so
that its peak resident memory (``ru_maxrss``) is its own. Prints, for the
default case:

1. ``simulate`` and its summary (``Simulation.to_dict``: percentiles, rank and
   partial rank correlations), as ``feasibility simulate --json`` does, at
   100,000 iterations (the reference run) and at 10,000,000 (target: under
   2 GB, the issue's "Done when"), with the peak as a ratio to the reference's
   and to the 2 GB target, and the estimate the memory budget checks
   (:func:`feasibility.analysis.risk.memory_estimate`) beside the measured peak
   above the process's baseline;
2. a 300 x 300 two-way table (it took 2.3 GB before it ran in chunks).

Run: ``python benchmarks/bench_memory.py`` (about 10 minutes on 2 cores, most
of it the 10 million iterations); ``--quick`` skips them. No assertions.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

TARGET_BYTES = 2_000_000_000


def _one(kind: str, n: int) -> None:
    import numpy as np

    from feasibility import load_case
    from feasibility.analysis import risk
    from feasibility.analysis.sensitivity import two_way

    case = load_case()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t = time.perf_counter()
    if kind == "simulate":
        sim = risk.simulate(case, n, progress=False)
        summary = sim.to_dict()
        check = summary["prob_npv_negative"]
        estimate = risk.memory_estimate(case, n)
    else:
        side = round(n ** 0.5)
        ch = np.linspace(-0.5, 0.5, side)
        df = two_way(case, "port.revenue.cargo_handling.tariff_idr_per_tonne", "port.capex.wharf.amount_idr",
                     row_changes=ch, col_changes=ch)
        check = float(df.iat[0, 0])
        estimate = float("nan")
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak": peak, "base": base, "estimate": estimate, "seconds": secs, "check": check}))


def _run(kind: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", kind, str(n)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    quick = "--quick" in sys.argv
    ref = _run("simulate", 100_000)
    print(f"reference: simulate + summary, 100,000 iterations: peak {ref['peak'] / 1e9:.2f} GB "
          f"(baseline after loading {ref['base'] / 1e9:.2f} GB; estimate above it {ref['estimate'] / 1e9:.2f} GB), "
          f"{ref['seconds']:.0f} s")
    for n in ([] if quick else [10_000_000]):
        r = _run("simulate", n)
        print(f"simulate + summary, {n:,} iterations: peak {r['peak'] / 1e9:.2f} GB, "
              f"{r['peak'] / ref['peak']:.1f} x the reference, {r['peak'] / TARGET_BYTES:.2f} x the 2 GB target; "
              f"above the baseline {(r['peak'] - r['base']) / 1e9:.2f} GB against an estimate of {r['estimate'] / 1e9:.2f} GB; "
              f"{r['seconds']:.0f} s; P(FNPV < 0) {r['check']:.4f} (reference {ref['check']:.4f})")
    tw = _run("two_way", 90_000)
    print(f"two-way table 300 x 300: peak {tw['peak'] / 1e9:.2f} GB, {tw['peak'] / ref['peak']:.1f} x the reference, "
          f"{tw['seconds']:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        _one(sys.argv[2], int(sys.argv[3]))
    else:
        main()
