"""Command line: ``feasibility evaluate | validate | report``.

Exit codes: 0 success, 2 bad input (the case file or the arguments; every
problem is listed, no traceback), 1 internal error (set ``FEASIBILITY_DEBUG=1``
to see the traceback).
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

    rp = sub.add_parser("report", help="render a self-contained HTML report")
    _case_arg(rp)
    rp.add_argument("-o", "--output", metavar="FILE", help="output file (default: reports/<case>.<lang>.html)")
    rp.add_argument("--lang", choices=["id", "en"], default="id", help="language (default: id, Indonesian)")
    rp.add_argument("--force", action="store_true", help="overwrite FILE even if it is not a report of this toolkit")
    return parser


def _json_number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .i18n import Formatter
    from .model import METRIC_UNITS, run

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
    case = load_case(args.case)
    n = sum(1 for _ in case.quantities())
    print(f"ok: {args.case or DEFAULT_CASE} ({n} numbers, {len(case.notes)} notes)")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .case import case_text
    from .report import is_generated_report, render_report

    path = Path(args.case) if args.case else DEFAULT_CASE
    case = load_case(path)
    out = Path(args.output) if args.output else Path("reports") / f"{path.stem}.{args.lang}.html"
    if out.is_dir():
        raise UserError(f"--output: {out} is a directory; give a file name")
    if out.exists() and not args.force and not is_generated_report(out):
        raise UserError(f"--output: {out} exists and is not a report written by this toolkit; use --force to overwrite it")
    html = render_report(case, case_text(path), args.lang)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # write atomically: a failure never leaves a half-written report behind
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=out.parent)
    except OSError as exc:
        raise UserError(f"--output: cannot write {out}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"wrote {out}")
    return EXIT_OK


COMMANDS = {"evaluate": cmd_evaluate, "validate": cmd_validate, "report": cmd_report}


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
