"""Speed of the council report (issue 6): the default case in both languages.

Prints the median wall time, in this process, of

* the study: the deterministic case, the full tornado with switching values,
  scenarios, two-way tables, the PPP test and a 10,000-iteration Monte Carlo;
* rendering both languages from it (charts as inline SVG; the two languages
  in parallel processes on a multi-core machine);

against the target of 10 s for both together, and, for information, the time
of the whole command ``feasibility report --lang all`` in a new process
(interpreter start and imports included).

Run: ``python benchmarks/bench_report.py [--repeat N]``. No assertions.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

from feasibility import DEFAULT_CASE, load_case
from feasibility.case import case_text
from feasibility.present.report import render_reports
from feasibility.study import build_study


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    case = load_case()
    text = case_text()
    build_study(case, text, iterations=500)  # warm-up: imports, caches

    study_t, render_t = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        study = build_study(case, text, source_name=DEFAULT_CASE.name, base_dir=DEFAULT_CASE.parent, iterations=10_000)
        t1 = time.perf_counter()
        html = render_reports(study, ("id", "en"))
        t2 = time.perf_counter()
        study_t.append(t1 - t0)
        render_t.append(t2 - t1)
    s, r = statistics.median(study_t), statistics.median(render_t)
    print(f"study (10,000 iterations, tornado of {len(study.tornadoes['fnpv_idr'].table)} inputs x {len(study.tornadoes)} metrics): {s:5.2f} s")
    print(f"render Indonesian + English ({sum(len(h) for h in html.values()) / 1e6:.1f} MB of HTML):              {r:5.2f} s")
    print(f"total, in process:                                                      {s + r:5.2f} s   target < 10 s")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "feasibility.cli", "report", "--lang", "all"], cwd=tmp, check=True, capture_output=True)
        print(f"`feasibility report --lang all` in a new process (start-up included):     {time.perf_counter() - t0:5.2f} s (for information)")


if __name__ == "__main__":
    main()
