"""Speed of the options appraisal (issue 13), as times and ratios measured in one process.

Prints

1. ``feasibility.analysis.options.appraise`` on the default case: every option
   of the long list, deterministic and with 2,000 Monte Carlo iterations each
   (one shared sample) (target: under 10 s, the issue's "Done when"), the median of three runs;
2. the same time as a multiple of one Monte Carlo of the full plan alone
   (2,000 iterations, :func:`feasibility.analysis.risk.simulate`), the
   reference run in this process: the appraisal runs nine options, so about
   nine times the reference means the long list adds no overhead of its own;
3. the deterministic appraisal alone (``iterations=0``), and the building and
   validation of the nine options' cases (``load_case``, which checks them).

Run: ``python benchmarks/bench_appraise.py``. No assertions: the figures are for
the issue's closing note and for spotting regressions.
"""

from __future__ import annotations

from bench_evaluate import median_time  # the same timing as the other benchmarks (this folder is on the path)

from feasibility import load_case
from feasibility.analysis.options import appraise
from feasibility.analysis.risk import RISK_METRICS, simulate

N = 2_000


def _median(fn, repeat: int = 3) -> float:
    return median_time(fn, repeat)


def main() -> None:
    load_case()  # imports and first compilation out of the timings
    t_load = _median(load_case)
    case = load_case()
    appraise(case, iterations=50)
    t_ref = _median(lambda: simulate(case, N, metrics=RISK_METRICS, progress=False))
    t_det = _median(lambda: appraise(case, iterations=0))
    t_all = _median(lambda: appraise(case, iterations=N))
    n = len(case.options)
    print(f"options: {n}, Monte Carlo iterations each: {N:,}")
    print(f"load_case (validates the {n} options' cases): {t_load:.2f} s")
    print(f"appraise, deterministic only: {t_det:.2f} s")
    print(f"appraise with {N:,} iterations per option: {t_all:.2f} s (target < 10 s)")
    print(f"reference, one Monte Carlo of the full plan ({N:,} iterations): {t_ref:.2f} s")
    print(f"ratio appraisal / reference: {t_all / t_ref:.1f} x for {n} options ({t_all / t_ref / n:.2f} x per option)")


if __name__ == "__main__":
    main()
