"""Command line: ``feasibility evaluate | validate | report | reproduce | sensitivity | simulate``.

Exit codes: 0 success, 2 bad input (the case file or the arguments; every
problem is listed, no traceback), 1 internal error (set ``FEASIBILITY_DEBUG=1``
to see the traceback) or, for ``reproduce``, figures that differ.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

from .case import DEFAULT_CASE, CaseError, in_lang, load_case

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class UserError(Exception):
    """Bad input that is not a case-file problem (exit code 2)."""


def _case_arg(p: argparse.ArgumentParser, required: bool = False) -> None:
    kw: dict[str, Any] = {"help": f"case file (TOML); default: {DEFAULT_CASE.name}"}
    if not required:
        kw["nargs"] = "?"
    p.add_argument("case", metavar="CASE", **kw)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feasibility",
        description="Feasibility of a regional-owned (BUMD) port: evaluate a case, validate it, render a report.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ev = sub.add_parser("evaluate", help="metrics of a case (a table, or JSON with --json)")
    _case_arg(ev)
    ev.add_argument("--json", action="store_true", help="print {metrics, annual, ...} as JSON on stdout")
    ev.add_argument("--lang", choices=["en", "id"], default="en", help="language of the table (default: en)")
    ev.add_argument("--scenario", metavar="NAME", help="evaluate a scenario of the case (e.g. low, high)")

    va = sub.add_parser("validate", help="check a case file and list every problem, or print 'ok'")
    _case_arg(va)

    se = sub.add_parser("sensitivity", help="tornado, sensitivity indicators, switching values and scenarios")
    _case_arg(se)
    se.add_argument("--json", action="store_true", help="print the full analysis as JSON on stdout")
    se.add_argument("--metric", default="fnpv_idr", help="metric of the table (default: fnpv_idr)")
    se.add_argument(
        "--inputs", choices=["auto", "ranges", "all"], default="auto",
        help="inputs to vary: those with a low/high range, all single numbers, or auto (ranges if any; default)",
    )
    se.add_argument("--lang", choices=["en", "id"], default="en", help="language of the table (default: en)")

    si = sub.add_parser("simulate", help="Monte Carlo of the case's [risk] distributions")
    _case_arg(si)
    si.add_argument("--iterations", type=int, metavar="N", help="iterations (default: risk.iterations of the case)")
    si.add_argument("--seed", type=int, metavar="S", help="random seed (default: risk.seed of the case)")
    si.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    si.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    si.add_argument("--lang", choices=["en", "id"], default="en", help="language of the table (default: en)")

    rp = sub.add_parser("report", help="render the self-contained HTML council report")
    _case_arg(rp)
    rp.add_argument("-o", "--output", metavar="FILE", help="output file (default: reports/<case>.<lang>.html); not with --lang all")
    rp.add_argument("--lang", choices=["id", "en", "all"], default="id", help="language (default: id, Indonesian; all: both)")
    rp.add_argument("--iterations", type=int, metavar="N", help="Monte Carlo iterations (default: risk.iterations of the case; 0: none)")
    rp.add_argument("--seed", type=int, metavar="S", help="Monte Carlo seed (default: risk.seed of the case)")
    rp.add_argument("--compare", nargs="+", metavar="OTHER_CASE", help="other case files to show side by side")
    rp.add_argument("--force", action="store_true", help="overwrite FILE even if it is not a report of this toolkit")

    rr = sub.add_parser("reproduce", help="re-run the case embedded in a report and check every figure it states")
    rr.add_argument("report", metavar="REPORT", help="an HTML report written by this toolkit")
    return parser


def _json_number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .present.i18n import Formatter
    from .metrics.registry import METRIC_UNITS
    from .model import run

    case = load_case(args.case)
    if args.scenario is not None and args.scenario not in case.scenarios:
        allowed = ", ".join(case.scenarios) or "none in this case"
        raise UserError(f"--scenario: {args.scenario!r} is not a scenario of the case (scenarios: {allowed})")
    res = run(case, scenario=args.scenario)
    if args.json:
        annual = res.annual
        out = {
            "case": in_lang(case.case.name, "en"),
            "scenario": args.scenario,
            "price_basis": res.price_basis,
            "price_base_year": case.timeline.price_base_year,
            "units": METRIC_UNITS,
            "metrics": {k: _json_number(v) for k, v in res.metrics.items()},
            "annual": {"year": [int(y) for y in res.years]}
            | {c: [_json_number(float(v)) for v in annual[c]] for c in annual.columns},
            "undefined": res.undefined,
        }
        if case.economic is not None and case.ppp is not None:
            from .analysis.ppp import ppp_test

            out["ppp"] = _jsonable(ppp_test(case, scenario=args.scenario).to_dict())
        json.dump(out, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
        return EXIT_OK
    fmt = Formatter(args.lang)
    table = res.metrics_table(args.lang)
    ui = fmt.msg["ui"]
    basis = (
        ui["price_basis_real"].format(year=case.timeline.price_base_year)
        if res.price_basis == "real"
        else ui["price_basis_nominal"]
    )
    print(f"{in_lang(case.case.name, args.lang)}\n{basis}\n")
    width = max(len(s) for s in table["label"])
    for key, row in table.iterrows():
        print(f"{row['label']:<{width}}  {fmt.value(row['value'], row['unit'])}")
    for item in res.undefined:
        print(f"note: {fmt.undefined(item)}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from .case import fit_forecasts

    case = load_case(args.case)
    # loading reads the forecast histories but fits them on first use: validate fits
    # them now, so that a series no method fits is listed like any case problem
    problems = fit_forecasts(case)
    if problems:
        raise CaseError(problems, str(Path(args.case) if args.case else DEFAULT_CASE))
    n = sum(1 for _ in case.quantities())
    print(f"ok: {args.case or DEFAULT_CASE} ({n} numbers, {len(case.notes)} notes)")
    return EXIT_OK


def _study(path: Path, iterations: int | None, seed: int | None) -> Any:
    from .case import case_text
    from .study import build_study

    case = load_case(path)
    return build_study(case, case_text(path), source_name=path.name, base_dir=path.parent, iterations=iterations, seed=seed)


def cmd_report(args: argparse.Namespace) -> int:
    from .present.report import is_generated_report, render_reports, write_html

    path = Path(args.case) if args.case else DEFAULT_CASE
    langs = ("id", "en") if args.lang == "all" else (args.lang,)
    if args.output and len(langs) > 1:
        raise UserError("--output: give one language with -o, or --lang all without -o (files go to reports/)")
    if args.iterations is not None and not 0 <= args.iterations <= 1_000_000:
        raise UserError(f"--iterations: must be between 0 and 1,000,000, got {args.iterations}")
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed: must be >= 0, got {args.seed}")
    outs = {lang: (Path(args.output) if args.output else Path("reports") / f"{path.stem}.{lang}.html") for lang in langs}
    for out in outs.values():
        if out.is_dir():
            raise UserError(f"--output: {out} is a directory; give a file name")
        if out.exists() and not args.force and not is_generated_report(out):
            raise UserError(f"--output: {out} exists and is not a report written by this toolkit; use --force to overwrite it")
    studies = [_study(path, args.iterations, args.seed)]
    for other in args.compare or []:
        studies.append(_study(Path(other), args.iterations, args.seed))
    htmls = render_reports(studies, langs)
    for lang, out in outs.items():
        try:
            write_html(out, htmls[lang])
        except OSError as exc:
            raise UserError(f"--output: cannot write {out}: {exc.strerror or exc}") from None
        print(f"wrote {out}")
    return EXIT_OK


def _reproduce_one(data: dict[str, Any], where: str) -> tuple[list[str], int, str]:
    """Re-run one embedded case; the differing figures, how many there were, and its version note."""
    import hashlib
    import tomllib

    from .case import parse_case
    from .study import build_study

    case_text = data["case_text"]
    if hashlib.sha256(case_text.encode("utf-8")).hexdigest() != data["case_sha256"]:
        raise UserError(f"{where}: the embedded case file does not match its SHA-256: the report was altered")
    histories = data.get("histories", {})
    for rel in histories:
        if Path(rel).is_absolute():
            raise UserError(f"{where}: embedded history path {rel!r} points outside the case folder")
    # the case goes as deep in the temporary folder as its history paths climb ('../hist/x.csv')
    depth = max((sum(1 for part in Path(rel).parts if part == "..") for rel in histories), default=0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        base = root.joinpath(*(["case"] * (depth + 1)))
        base.mkdir(parents=True)
        for rel, body in histories.items():
            target = (base / rel).resolve()
            if root not in target.parents:
                raise UserError(f"{where}: embedded history path {rel!r} points outside the case folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
        try:
            raw = tomllib.loads(case_text)
        except tomllib.TOMLDecodeError as exc:
            raise UserError(f"{where}: the embedded case is not valid TOML: {exc}") from None
        name = data.get("source_name", "case")
        case = parse_case(raw, name, base_dir=base)
        study = build_study(case, case_text, source_name=name, base_dir=base, iterations=data["iterations"], seed=data["seed"])
    now = json.loads(json.dumps(study.fingerprint()))  # the same JSON round trip as the report's
    before = data["figures"]
    diffs = [
        f"  {key}: report {before.get(key, 'missing')!r}, now {now.get(key, 'missing')!r}"
        for key in sorted(set(before) | set(now))
        if before.get(key, "missing") != now.get(key, "missing")
    ]
    note = "" if data.get("version") == study.version else f" (made with feasibility {data.get('version')}, now {study.version})"
    return diffs, len(before), note


def cmd_reproduce(args: argparse.Namespace) -> int:
    from .present.report import extract_data

    path = Path(args.report)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = extract_data(text)
    except ValueError as exc:
        raise UserError(f"{path}: {exc}") from None
    # the main case, then every case of a comparison report
    parts = [(data, f"{path}")] + [(c, f"{path} [compared case {c.get('source_name', i + 1)}]") for i, c in enumerate(data.get("compare", []))]
    failed = False
    for part, where in parts:
        diffs, n, note = _reproduce_one(part, where)
        if diffs:
            failed = True
            print(f"{where}: {len(diffs)} of {n} figures differ{note}:")
            print("\n".join(diffs))
        else:
            print(f"{where}: all {n} figures reproduced exactly from the embedded case (SHA-256 {part['case_sha256'][:12]}...){note}")
    return EXIT_INTERNAL if failed else EXIT_OK


def _jsonable(x: Any) -> Any:
    """Floats with NaN/inf as None, numpy scalars as Python numbers, recursively."""
    import numpy as np

    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return _json_number(float(x))
    return x


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .present.i18n import Formatter
    from .metrics import registry
    from .metrics.registry import METRIC_UNITS
    from .analysis.sensitivity import DEFAULT_METRICS, compare_scenarios, one_way, two_way

    case = load_case(args.case)
    if args.metric not in METRIC_UNITS:
        raise UserError(f"--metric: {args.metric!r} is not a metric (metrics: {', '.join(METRIC_UNITS)})")
    metrics = list(dict.fromkeys([args.metric, *DEFAULT_METRICS]))
    tw = one_way(case, args.inputs, metrics=metrics)
    scen = compare_scenarios(case, metrics=metrics)
    if args.json:
        out = {
            "case": in_lang(case.case.name, "en"),
            "units": {m: METRIC_UNITS[m] for m in metrics},
            "tornado": {
                m: {
                    "base": t.base,
                    "threshold": t.threshold,
                    "critical": t.critical,
                    "inputs": t.table.reset_index().to_dict(orient="records"),
                }
                for m, t in tw.items()
            },
            "scenarios": scen.to_dict(),
            "two_way": [
                {
                    "rows": tb.rows,
                    "cols": tb.cols,
                    "metric": tb.metric,
                    "row_values": (df := two_way(case, tb.rows, tb.cols, metric=tb.metric, row_changes=tb.row_changes, col_changes=tb.col_changes)).index.tolist(),
                    "col_values": df.columns.tolist(),
                    "values": df.to_numpy().tolist(),
                }
                for tb in case.sensitivity.two_way
            ],
        }
        json.dump(_jsonable(out), sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
        return EXIT_OK
    fmt = Formatter(args.lang)
    t = tw[args.metric]
    label = registry.label(args.metric, args.lang)
    unit = METRIC_UNITS[args.metric]
    print(f"{in_lang(case.case.name, args.lang)}\n{label}: {fmt.value(t.base, unit)}\n")
    print(f"{'input':<58} {'low':>16} {'high':>16} {'SI':>7} {'switching':>10}  critical")
    for path, row in t.table.iterrows():
        sv = row.get("switching_change", float("nan"))
        sv_txt = f"{sv:+.1%}" if math.isfinite(sv) else "none"
        print(
            f"{path[-58:]:<58} {fmt.value(row['metric_low'], unit):>16} {fmt.value(row['metric_high'], unit):>16} "
            f"{row['elasticity']:>7.2f} {sv_txt:>10}  {'yes' if row['critical'] else ''}"
        )
    print("\nSI: % change of the metric per 1% change of the input; switching: change of the input at which")
    print(f"the metric reaches its threshold ({t.threshold}), 'none' if not within the input's allowed range.\n")
    print(f"{'scenario':<12} " + " ".join(f"{c:>16}" for c in scen.columns))
    for m, row in scen.iterrows():
        print(f"{m[:12]:<12} " + " ".join(f"{fmt.value(v, METRIC_UNITS.get(m, '')):>16}" for v in row))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from .present.i18n import Formatter
    from .analysis.risk import simulate

    case = load_case(args.case)
    if args.iterations is not None and not 1 <= args.iterations <= 10_000_000:
        raise UserError(f"--iterations: must be between 1 and 10,000,000, got {args.iterations}")
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed: must be >= 0, got {args.seed}")
    if not case.risk.distributions:
        print("note: the case declares no [risk.distributions]; every iteration is the base case", file=sys.stderr)
    sim = simulate(case, args.iterations, args.seed, progress=False if args.no_progress else None)
    if args.json:
        json.dump(_jsonable(sim.to_dict()), sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
        return EXIT_OK
    fmt = Formatter(args.lang)
    print(f"{in_lang(case.case.name, args.lang)}\n{sim.iterations:,} iterations, seed {sim.seed}, {len(sim.inputs.columns)} uncertain inputs\n")
    summ = sim.summary()
    print(f"{'metric':<26} {'mean':>16} {'P10':>16} {'P50':>16} {'P90':>16} {'undefined':>9}")
    for m, row in summ.iterrows():
        u = row["unit"]
        print(
            f"{m:<26} {fmt.value(row['mean'], u):>16} {fmt.value(row['p10'], u):>16} {fmt.value(row['p50'], u):>16} "
            f"{fmt.value(row['p90'], u):>16} {row['undefined']:>9}"
        )
    print(f"\nP(FNPV < 0) = {sim.prob_npv_negative:.1%}")
    print(f"P(minimum DSCR < {sim.dscr_threshold:g}) = {sim.prob_dscr_below:.1%}")
    for u in sim.undefined:
        print(f"note: {fmt.undefined(u)}")
    print("\nrank correlation of inputs with FNPV (largest first):")
    for path, rho in sim.rank_correlations().head(10).items():
        print(f"  {rho:+.2f}  {path}")
    return EXIT_OK


COMMANDS = {
    "evaluate": cmd_evaluate,
    "validate": cmd_validate,
    "report": cmd_report,
    "reproduce": cmd_reproduce,
    "sensitivity": cmd_sensitivity,
    "simulate": cmd_simulate,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``feasibility`` command; returns the exit code."""
    args = build_parser().parse_args(argv)  # argparse exits with 2 on bad arguments
    try:
        return COMMANDS[args.command](args)
    except CaseError as err:
        print(str(err), file=sys.stderr)
        return EXIT_INPUT
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `feasibility evaluate --json | head`
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("FEASIBILITY_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(err).__name__}: {err}\n(set FEASIBILITY_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
