"""Command line: ``feasibility evaluate | validate | report | reproduce | sensitivity | simulate | new | studio``.

Exit codes: 0 success, 2 bad input (the case file or the arguments; every
problem is listed, no traceback), 1 internal error (set ``FEASIBILITY_DEBUG=1``
to see the traceback) or, for ``reproduce``, figures that differ, 130 when
interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import traceback
from pathlib import Path
from typing import Any

from ._interrupt import checkpoint, interruptible

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2
#: what a shell reports for a command ended by Ctrl-C (128 + SIGINT)
EXIT_INTERRUPTED = 130

#: the languages of the tables and reports, and where their default comes from
LANGS = ("id", "en")
LANG_ENV = "FEASIBILITY_LANG"
LANG_RULE = f"default: ${LANG_ENV} if set (id or en), else id (Indonesian, the council's language)"

COMMAND_HELP = {
    "evaluate": "metrics of a case (a table, or JSON with --json)",
    "validate": "check a case file and list every problem, or print 'ok'",
    "sensitivity": "tornado, sensitivity indicators, switching values and scenarios",
    "simulate": "Monte Carlo of the case's [risk] distributions",
    "appraise": "compare the options of the case's long list ([options]) and name the preferred one",
    "report": "render the self-contained HTML council report",
    "reproduce": "re-run the case embedded in a report and check every figure it states",
    "new": "write a commented starter case file with placeholder numbers",
    "export": "write the case as an Excel workbook: named assumptions, the annual model and the metrics as formulas",
    "import": "read an edited workbook's Assumptions sheet back into a case file (the base case's comments kept)",
    "studio": "open the consultant studio: JupyterLab on the notebooks",
}

EPILOG = f"""\
language: --lang of every command has one rule,
  default: ${LANG_ENV} if set (id or en), else id (Indonesian, the council's language)
exit codes: 0 ok, 2 bad input (every problem listed), 1 internal error (FEASIBILITY_DEBUG=1
  shows the traceback; for reproduce: figures differ), 130 interrupted (Ctrl-C)
"""


class UserError(Exception):
    """Bad input that is not a case-file problem (exit code 2)."""


def default_lang(environ: Any = None) -> str:
    """The language of a command run without ``--lang``: ``$FEASIBILITY_LANG``, else ``id``.

    Parameters
    ----------
    environ : mapping, optional
        The environment (default ``os.environ``); an empty variable counts as unset.

    Returns
    -------
    str
        ``"id"`` or ``"en"``.

    Raises
    ------
    UserError
        When the variable holds anything else (exit code 2): a typo there would
        otherwise switch the council's language silently.
    """
    value = (os.environ if environ is None else environ).get(LANG_ENV, "")
    if not value:
        return "id"
    if value not in LANGS:
        raise UserError(f"{LANG_ENV}={value!r}: must be id or en (or unset, for id)")
    return value


def _lang_arg(p: argparse.ArgumentParser, what: str, extra: tuple[str, ...] = ()) -> None:
    """The one ``--lang`` option of every command; None until :func:`main` applies :func:`default_lang`."""
    shown = "; all: both" if "all" in extra else ""
    p.add_argument("--lang", choices=[*LANGS, *extra], default=None, help=f"language of {what}{shown} ({LANG_RULE})")


def did_you_mean(word: str, options: Any) -> str:
    """A hint for a misspelled word: ``"; did you mean 'x'?"``, or ``""`` when nothing is close.

    Parameters
    ----------
    word : str
        What the user typed.
    options : iterable of str
        The allowed words (commands, metrics, scenarios).

    Returns
    -------
    str
        The hint, to append to an error message (:func:`difflib.get_close_matches`).
    """
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _check_choice(flag: str, value: str, choices: Any, kind: str) -> None:
    """Refuse a scenario or option the case does not have, naming the closest one and all of them."""
    if value not in choices:
        allowed = ", ".join(choices) or "none in this case"
        an = "an" if kind[0] in "aeiou" else "a"
        raise UserError(f"{flag}: {value!r} is not {an} {kind} of the case{did_you_mean(value, choices)} ({kind}s: {allowed})")


def _case_arg(p: argparse.ArgumentParser, required: bool = False) -> None:
    # no import of the case schema here (about a second): --version, --help, new and studio need none
    kw: dict[str, Any] = {"help": "case file (TOML); default: the Kota Serang case shipped with the package"}
    if not required:
        kw["nargs"] = "?"
    p.add_argument("case", metavar="CASE", **kw)
    p.add_argument("--allow-path", action="append", default=[], metavar="DIR",
                   help="a folder besides the case file's that its forecast history files may lie in (repeatable)")


def _version() -> str:
    from . import __version__  # from the installed package's metadata

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="feasibility",
        description="Feasibility of a regional-owned (BUMD) port: evaluate a case, validate it, render a report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"feasibility {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=COMMAND_HELP[name], description=COMMAND_HELP[name])

    ev = command("evaluate")
    _case_arg(ev)
    ev.add_argument("--json", action="store_true", help="print {metrics, annual, ...} as JSON on stdout")
    _lang_arg(ev, "the table")
    ev.add_argument("--scenario", metavar="NAME", help="evaluate a scenario of the case (e.g. low, high)")

    va = command("validate")
    _case_arg(va)

    se = command("sensitivity")
    _case_arg(se)
    se.add_argument("--json", action="store_true", help="print the full analysis as JSON on stdout")
    se.add_argument("--metric", default="fnpv_idr", help="metric of the table (default: fnpv_idr)")
    se.add_argument(
        "--inputs", choices=["auto", "ranges", "all"], default="auto",
        help="inputs to vary: those with a low/high range, all single numbers, or auto (ranges if any; default)",
    )
    _lang_arg(se, "the table")

    si = command("simulate")
    _case_arg(si)
    si.add_argument("--iterations", type=int, metavar="N", help="iterations (default: risk.iterations of the case)")
    si.add_argument("--seed", type=int, metavar="S", help="random seed (default: risk.seed of the case)")
    si.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    si.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    _lang_arg(si, "the table")

    ap = command("appraise")
    _case_arg(ap)
    ap.add_argument("--iterations", type=int, metavar="N", help="Monte Carlo iterations per option (default: appraisal.iterations of the case; 0: none)")
    ap.add_argument("--seed", type=int, metavar="S", help="random seed (default: risk.seed of the case)")
    ap.add_argument("--json", action="store_true", help="print {options, preferred, rule} as JSON on stdout")
    _lang_arg(ap, "the table")

    rp = command("report")
    _case_arg(rp)
    rp.add_argument("-o", "--output", metavar="FILE", help="output file (default: reports/<case>.<lang>.html); not with --lang all")
    _lang_arg(rp, "the report", extra=("all",))
    rp.add_argument("--iterations", type=int, metavar="N", help="Monte Carlo iterations (default: risk.iterations of the case; 0: none)")
    rp.add_argument("--seed", type=int, metavar="S", help="Monte Carlo seed (default: risk.seed of the case)")
    rp.add_argument("--compare", nargs="+", metavar="OTHER_CASE", help="other case files to show side by side")
    rp.add_argument("--force", action="store_true", help="overwrite FILE even if it is not a report of this toolkit")

    rr = command("reproduce")
    rr.add_argument("report", metavar="REPORT", help="an HTML report written by this toolkit")

    nw = command("new")
    nw.add_argument("file", metavar="NAME.toml", help="the case file to write")
    nw.add_argument("--force", action="store_true", help="overwrite the file if it exists")

    ex = command("export")
    _case_arg(ex)
    ex.add_argument("-o", "--output", metavar="FILE.xlsx", required=True, help="the workbook to write")
    which = ex.add_mutually_exclusive_group()
    which.add_argument("--scenario", metavar="NAME", help="a scenario of the case (e.g. low, high)")
    which.add_argument("--option", metavar="KEY", help="an option of the case's long list")
    ex.add_argument("--iterations", type=int, metavar="N",
                    help="Monte Carlo iterations of its summary sheet (default: risk.iterations of the case; 0: none)")
    _lang_arg(ex, "the workbook")
    ex.add_argument("--force", action="store_true", help="overwrite FILE.xlsx if it exists")

    im = command("import")
    im.add_argument("workbook", metavar="FILE.xlsx", help="a workbook written by `feasibility export`, its Assumptions sheet edited")
    im.add_argument("case", metavar="CASE", nargs="?",
                    help="the case the workbook was exported from, whose file is copied with its comments (default: the Kota Serang case)")
    im.add_argument("-o", "--output", metavar="CASE.toml", required=True, help="the case file to write")
    im.add_argument("--force", action="store_true", help="overwrite CASE.toml if it exists")

    st = command("studio")
    st.add_argument("folder", metavar="FOLDER", nargs="?", help="folder to open (default: notebooks if it exists here, else this folder)")
    st.add_argument("--port", type=int, metavar="N", help="port of the server (default: JupyterLab's, 8888 or the next free one)")
    st.add_argument("--no-browser", action="store_true", help="do not open a browser (open the printed address yourself)")
    st.add_argument("--app", action="store_true",
                    help="serve the studio notebook (03_studio.ipynb) as an app with Voila instead of JupyterLab")
    st.add_argument("--save-dir", metavar="DIR",
                    help="the only folder the studio's Save box writes scenarios into (default: data/ of the project folder)")
    return parser


def _check_command(argv: list[str], names: Any) -> None:
    """Refuse an unknown command with the closest known one (argparse would list them all)."""
    for tok in argv:
        if tok in ("-h", "--help", "--version", "--"):
            return  # argparse answers these first
        if tok.startswith("-"):
            continue
        if tok not in names:
            hint = did_you_mean(tok, names) or f"; commands: {', '.join(names)}"
            raise UserError(f"unknown command {tok!r}{hint}")
        return


def _iterations_check(n: int | None, allow_zero: bool = False) -> None:
    """Monte Carlo iterations within the limits of the case schema (``risk.iterations``)."""
    from .case.schema import ITERATIONS_MAX, ITERATIONS_MIN

    low = 0 if allow_zero else ITERATIONS_MIN
    if n is not None and not low <= n <= ITERATIONS_MAX:
        raise UserError(f"--iterations: must be between {low:,} and {ITERATIONS_MAX:,}, got {n}")


def _load(path: str | Path | None, allow: list[str] | None) -> Any:
    """A case file loaded and validated, and refused (exit 2) when its model results are not finite."""
    from .analysis.sensitivity import two_way_problems
    from .case import DEFAULT_CASE, CaseError, load_case
    from .model.finite import finite_problems

    case = load_case(path, allow=allow or ())
    problems = two_way_problems(case) or finite_problems(case)
    if problems:
        raise CaseError(problems, str(path or DEFAULT_CASE))
    return case


def _json_number(x: float) -> float | None:
    return x if math.isfinite(x) else None


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .case import in_lang
    from .present.i18n import Formatter
    from .metrics.registry import METRIC_UNITS
    from .model import run

    case = _load(args.case, args.allow_path)
    if args.scenario is not None:
        _check_choice("--scenario", args.scenario, case.scenarios, "scenario")
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
    from .case import DEFAULT_CASE, CaseError, fit_forecasts

    case = _load(args.case, args.allow_path)
    # loading reads the forecast histories but fits them on first use: validate fits
    # them now, so that a series no method fits is listed like any case problem
    problems = fit_forecasts(case)
    if problems:
        raise CaseError(problems, str(Path(args.case) if args.case else DEFAULT_CASE))
    # the same numbers the report's assumption register counts (the lines the plan leaves out and the options' own included)
    levels = [a["confidence"] for a in case.assumptions()]
    # how much of the case is evidence: the numbers by confidence, strongest first (placeholders last, counted)
    by = ", ".join(f"{levels.count(c)} {c}" for c in ("verified", "secondary", "estimate", "placeholder") if c in levels)
    print(f"ok: {args.case or DEFAULT_CASE} ({len(levels)} numbers: {by}; {len(case.notes)} notes)")
    return EXIT_OK


def _study(path: Path, iterations: int | None, seed: int | None, allow: list[str] | None = None) -> Any:
    from .case import case_text, load_case
    from .study import build_study

    case = load_case(path, allow=allow or ())  # build_study checks the two-way metrics and finite results itself
    return build_study(case, case_text(path), source_name=path.name, base_dir=path.parent, iterations=iterations, seed=seed)


def cmd_report(args: argparse.Namespace) -> int:
    from .case import DEFAULT_CASE
    from .present.report import is_generated_report, render_reports, write_html

    path = Path(args.case) if args.case else DEFAULT_CASE
    langs = ("id", "en") if args.lang == "all" else (args.lang,)
    if args.output and len(langs) > 1:
        raise UserError("--output: give one language with -o, or --lang all without -o (files go to reports/)")
    _iterations_check(args.iterations, allow_zero=True)  # 0: no Monte Carlo
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed: must be >= 0, got {args.seed}")
    outs = {lang: (Path(args.output) if args.output else Path("reports") / f"{path.stem}.{lang}.html") for lang in langs}
    for out in outs.values():
        if out.is_dir():
            raise UserError(f"--output: {out} is a directory; give a file name")
        if out.exists() and not args.force and not is_generated_report(out):
            raise UserError(f"--output: {out} exists and is not a report written by this toolkit; use --force to overwrite it")
    studies = [_study(path, args.iterations, args.seed, args.allow_path)]
    for other in args.compare or []:
        studies.append(_study(Path(other), args.iterations, args.seed, args.allow_path))
    htmls = render_reports(studies, langs)
    for lang, out in outs.items():
        try:
            write_html(out, htmls[lang])
        except OSError as exc:
            raise UserError(f"--output: cannot write {out}: {exc.strerror or exc}") from None
        print(f"wrote {out}")
    return EXIT_OK


def _reproduce_one(data: dict[str, Any], where: str) -> tuple[list[str], int, str, Any]:
    """Re-run one embedded case; the differing figures, how many there were, its version note and the study."""
    import hashlib

    from .case import CaseError, parse_case
    from .case.io import toml_data
    from .study import build_study

    _check_block(data, where)
    case_text = data["case_text"]
    if hashlib.sha256(case_text.encode("utf-8")).hexdigest() != data["case_sha256"]:
        raise UserError(f"{where}: the embedded case file does not match its SHA-256: the report was altered")
    iterations, seed = _checked_run_settings(data, where)
    histories = data.get("histories", {})
    if not isinstance(histories, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in histories.items()):
        raise UserError(f"{where}: the embedded histories are not a table of file texts: the report was altered")
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
            if target == base or rel.endswith(("/", "\\")):
                raise UserError(f"{where}: embedded history path {rel!r} is a folder, not a file: the report was altered")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(body, encoding="utf-8")
            except OSError:  # the path is a folder another history path makes, or not a name this system takes
                raise UserError(f"{where}: embedded history path {rel!r} cannot be a file here: the report was altered") from None
        try:
            raw = toml_data(case_text, where)
        except CaseError as exc:
            raise UserError(f"{where}: the embedded case: {exc.problems[0].rule}") from None
        # reproduce reads nothing but the report: a history the report does not carry is refused
        asked = sorted(set(_history_paths(raw)) - set(histories))
        if asked:
            raise UserError(f"{where}: the embedded case reads file(s) the report does not carry ({', '.join(map(repr, asked))}); "
                            "reproduce reads nothing but the report, so it refuses")
        name = data.get("source_name", "case")
        # the temporary folder holds only what the report carries: its histories may climb ('../hist') within it
        case = parse_case(raw, name, base_dir=base, allow=[root])
        study = build_study(case, case_text, source_name=name, base_dir=base, iterations=iterations, seed=seed)
    now = json.loads(json.dumps(study.fingerprint()))  # the same JSON round trip as the report's
    before = data["figures"]
    diffs = [
        f"  {key}: report {before.get(key, 'missing')!r}, now {now.get(key, 'missing')!r}"
        for key in sorted(set(before) | set(now))
        if before.get(key, "missing") != now.get(key, "missing")
    ]
    note = "" if data.get("version") == study.version else f" (made with feasibility {data.get('version')}, now {study.version})"
    return diffs, len(set(before) | set(now)), note, study


def _check_block(data: Any, where: str) -> None:
    """The data block a report carries has the shape this toolkit writes, or the report was altered (exit 2)."""
    import datetime as _dt

    shape = {"case_text": str, "case_sha256": str, "figures": dict}
    wrong = [k for k, t in shape.items() if not isinstance(data, dict) or not isinstance(data.get(k), t)]
    if isinstance(data, dict) and not isinstance(data.get("compare", []), list):
        wrong.append("compare")
    day = data.get("generated") if isinstance(data, dict) else None
    if day is not None:
        try:
            _dt.date.fromisoformat(day)
        except (TypeError, ValueError):
            wrong.append("generated")
    if wrong:
        raise UserError(f"{where}: the report's data block has {', '.join(wrong)} in a form this toolkit never writes: the report was altered")


def _checked_run_settings(data: dict[str, Any], where: str) -> tuple[int, int]:
    """The iterations and seed a report asks for, within the limits the command line and the case file allow."""
    from .case.schema import ITERATIONS_MAX

    it, seed = data.get("iterations"), data.get("seed")
    problems = []
    if isinstance(it, bool) or not isinstance(it, int) or not 0 <= it <= ITERATIONS_MAX:
        problems.append(f"iterations {it!r} (allowed: a whole number from 0 to {ITERATIONS_MAX:,})")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2**63 - 1:
        problems.append(f"seed {seed!r} (allowed: a whole number from 0 to 2**63 - 1)")
    if problems:
        raise UserError(f"{where}: the report asks for {' and '.join(problems)}: it was altered or is not from this toolkit")
    return it, seed


def _history_paths(raw: dict[str, Any]) -> list[str]:
    """The history file paths a case's forecast streams name, as written (any business line)."""
    out = []
    for line in raw.values() if isinstance(raw, dict) else ():
        revenue = line.get("revenue") if isinstance(line, dict) else None
        for st in revenue.values() if isinstance(revenue, dict) else ():
            fc = st.get("forecast") if isinstance(st, dict) else None
            if isinstance(fc, dict) and "history" in fc:
                out.append(fc["history"] if isinstance(fc["history"], str) else repr(fc["history"]))
    return out


def _reproduce_text(text: str, data: dict[str, Any], studies: list[Any]) -> list[str] | None:
    """What a reader sees, against the report rendered again from the re-run studies for the same day and
    language: the passages that differ (an edit of the visible text, which the data block does not show);
    None for a report that does not say its language and date (written before they were recorded)."""
    import datetime as _dt
    import re

    from .present.report import render_comparison, render_report, text_differences

    found = re.search(r'<html lang="(id|en)"', text[:2000])
    day = data.get("generated")
    if found is None or day is None:
        return None
    generated = _dt.date.fromisoformat(day)
    lang = found.group(1)
    again = render_comparison(studies, lang, generated) if len(studies) > 1 else render_report(studies[0], lang=lang, generated=generated)
    return text_differences(text, again)


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
    _check_block(data, str(path))
    if not all(isinstance(c, dict) for c in data.get("compare", [])):
        raise UserError(f"{path}: the report's data block has compare in a form this toolkit never writes: the report was altered")
    parts = [(data, f"{path}")] + [(c, f"{path} [compared case {c.get('source_name', i + 1)}]") for i, c in enumerate(data.get("compare", []))]
    failed = False
    studies, same_version = [], True
    for part, where in parts:
        diffs, n, note, study = _reproduce_one(part, where)
        studies.append(study)
        same_version = same_version and not note
        if diffs:
            failed = True
            print(f"{where}: {len(diffs)} of {n} figures differ{note}:")
            print("\n".join(diffs))
        else:
            print(f"{where}: all {n} figures reproduced exactly from the embedded case (SHA-256 {part['case_sha256'][:12]}...){note}")
    if not failed:
        # what a reader sees: the report rendered again must read the same, word for word
        passages = _reproduce_text(text, data, studies)
        if passages is None:
            print(f"{path}: the visible text was not compared: the report does not record its date (an older report)")
        elif passages and same_version:
            failed = True
            print(f"{path}: the visible text differs from the report rendered again from its case ({len(passages)} line(s)):")
            print("\n".join(passages))
        elif passages:
            print(f"{path}: the visible text was not compared: the report was made with another version of the toolkit")
        else:
            print(f"{path}: the visible text is the same as the report rendered again from its case")
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


def _criteria_robustness(case: Any) -> dict[str, Any]:
    """The best and worst value of each criterion's metric found in the box of the declared ranges."""
    from .analysis.criteria import CRITERION_METRIC
    from .analysis.robustness import robustness
    from .metrics import registry

    metrics = [CRITERION_METRIC[k] for k in case.criteria.apply if registry.METRICS[CRITERION_METRIC[k]].compute is not None]
    if not metrics or not any(q.low is not None for q in case.quantity_map().values()):
        return {}
    return robustness(case, list(dict.fromkeys(metrics)))


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .present.i18n import Formatter
    from .case import in_lang
    from .metrics import registry
    from .metrics.registry import METRIC_UNITS
    from .analysis.sensitivity import DEFAULT_METRICS, compare_scenarios, one_way, two_way

    case = _load(args.case, args.allow_path)
    if args.metric not in METRIC_UNITS:
        hint = did_you_mean(args.metric, METRIC_UNITS)
        raise UserError(f"--metric: {args.metric!r} is not a metric{hint} (metrics: {', '.join(METRIC_UNITS)})")
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
            "robustness": [r.to_dict() for r in _criteria_robustness(case).values()],
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
    from .case import in_lang

    case = _load(args.case, args.allow_path)
    _iterations_check(args.iterations)
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
    (p_se, p_lo, p_hi), (q_se, q_lo, q_hi) = sim.prob_error("fnpv_idr"), sim.prob_error("dscr_min")
    print(f"\nP(FNPV < 0) = {sim.prob_npv_negative:.1%} (standard error {p_se:.2%}; 95% interval {p_lo:.2%} to {p_hi:.2%})")
    print(f"P(minimum DSCR < {sim.dscr_threshold:g}) = {sim.prob_dscr_below:.1%} (standard error {q_se:.2%}; 95% interval {q_lo:.2%} to {q_hi:.2%})")
    se, tol, needed = sim.convergence_rule()
    if needed > sim.iterations:
        print(f"the standard error of P(FNPV < 0), {se:.2%}, is above [risk] target_se = {tol:.2%}: about {needed:,} iterations would bring it within")
    elif math.isfinite(se):
        print(f"the standard error of P(FNPV < 0), {se:.2%}, is within [risk] target_se = {tol:.2%}")
    for u in sim.undefined:
        print(f"note: {fmt.undefined(u)}")
    print("\npartial rank correlation (PRCC) and rank correlation (Spearman) of inputs with FNPV, by |PRCC|:")
    rc = sim.rank_correlations()
    for path, prcc in sim.partial_rank_correlations().head(10).items():
        print(f"  {prcc:+.2f}  {rc.get(path, float('nan')):+.2f}  {path}")
    return EXIT_OK


def _bn(fmt: Any, x: Any) -> str:
    """IDR as billions with the locale's separators (the table's unit is stated in its header)."""
    return fmt.number(None if x is None else x / 1e9, 1)


def cmd_appraise(args: argparse.Namespace) -> int:
    from .analysis.options import appraise
    from .present.i18n import Formatter
    from .present.report.options import why_preferred

    case = _load(args.case, args.allow_path)
    _iterations_check(args.iterations, allow_zero=True)
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed: must be >= 0, got {args.seed}")
    if not case.options:
        raise UserError(f"{args.case or 'the default case'}: has no [options] to appraise; add a long list (see the default case)")
    try:
        ap = appraise(case, iterations=args.iterations, seed=args.seed)
    except ValueError as err:  # a rule of [appraisal] naming a metric it cannot use
        raise UserError(str(err)) from None
    if args.json:
        json.dump(_jsonable(ap.to_dict()), sys.stdout, indent=1, allow_nan=False, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    fmt = Formatter(args.lang)
    m = fmt.msg["appraise"]
    print(m["title"])
    print(m["header"].format(n=len(ap.options), iterations=fmt.number(ap.iterations), seed=ap.seed, year=ap.price_base_year))
    print()
    cols = [("public_money", 13), ("pad_pv", 10), ("region_npv", 11), ("fnpv", 10), ("enpv", 10), ("dscr", 9), ("p_loss", 9), ("placeholders", 15)]
    width = 46
    print(f"{m['rank']:>9}  {m['option']:<{width}}" + "".join(f"{m[c]:>{w}}" for c, w in cols))
    for o in ap.options:
        d = o.to_dict()
        vals = [
            _bn(fmt, d["public_money_nominal_idr"]), _bn(fmt, d["pad_pv_idr"]), _bn(fmt, d["region_npv_idr"]), _bn(fmt, d["fnpv_idr"]),
            _bn(fmt, d["enpv_idr"]) if d["enpv_idr"] is not None else m["not_assessed"],
            fmt.number(d["dscr_min"], 2), fmt.percent(d["p_region_loss"], 0),
            fmt.percent(d["placeholder_share"], 0) if d["placeholder_share"] is not None else m["not_ranked"],
        ]
        label = o.label(args.lang)
        lines = textwrap.wrap(label, width - 1) or [""]
        rank = str(o.rank) if o.rank is not None else m["not_ranked"]
        print(f"{rank:>9}  {lines[0]:<{width}}" + "".join(f"{v:>{w}}" for v, (_, w) in zip(vals, cols)))
        for extra in lines[1:]:
            print(f"{'':>9}  {extra}")
    print()
    r = fmt.msg["report"]
    print(r["opt_lead"].format(label=ap[ap.preferred].label(args.lang)))
    print(why_preferred(ap, fmt))
    print(f"{r['opt_rule_title']}: {ap.rule(args.lang)}")
    for o in ap.options:
        if o.go_ahead_probability is not None:
            need = o.option.go_ahead.committed_cargo_tonnes_per_year.value
            g = o.go_ahead_mc
            print(m["go_ahead"].format(label=o.label(args.lang), p=fmt.percent(o.go_ahead_probability, 0), need=fmt.number(need),
                                       npv=fmt.money(g.get("region_npv_mean")), ploss=fmt.percent(g.get("p_region_loss"), 0),
                                       base=m["go_yes"] if o.go_ahead_in_base else m["go_no"]))
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from importlib.resources import files

    from ._files import write_bytes_atomic

    path = Path(args.file)
    if path.suffix.lower() != ".toml":
        raise UserError(f"{path}: a case file name ends in .toml, e.g. {path.with_suffix('.toml').name}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name")
    if path.exists() and not args.force:
        raise UserError(f"{path} exists; use --force to overwrite it")
    text = files("feasibility").joinpath("data", "starter.toml").read_text(encoding="utf-8")
    try:
        write_bytes_atomic(path, text.encode("utf-8"), overwrite=args.force)
    except FileExistsError:
        raise UserError(f"{path} exists; use --force to overwrite it") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote {path}: a starter case whose numbers are all placeholders; replace them, then run")
    print(f"  feasibility validate {path}")
    return EXIT_OK


def studio_command(folder: Path, port: int | None = None, no_browser: bool = False) -> list[str]:
    """The command that starts JupyterLab on ``folder`` with this Python.

    Parameters
    ----------
    folder : Path
        The folder JupyterLab serves (its root directory).
    port : int, optional
        The port; JupyterLab then fails rather than take another one.
    no_browser : bool
        Do not open a browser.

    Returns
    -------
    list of str
        The command; ``--allow-root`` only when running as root (JupyterLab refuses
        root without it; Windows has no ``os.geteuid`` and no root). JupyterLab's
        news feed and update check are off: they fetch from the internet (the
        studio works offline) and would pop up a question on first start.
    """
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if port is not None:
        cmd += [f"--port={port}", "--ServerApp.port_retries=0"]  # the port asked for, or an error
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


#: the folder holding ``voila/templates/feasibility``: Voila's lab template without its Font Awesome stylesheets from a CDN
VOILA_ROOT = Path(__file__).resolve().parent / "studio"


def voila_command(notebook: Path, port: int | None = None, no_browser: bool = False) -> tuple[list[str], dict[str, str]]:
    """The command and environment that serve a notebook as an app with Voila, with no request leaving the machine.

    Voila's own ``lab`` template loads Font Awesome from cdn.jsdelivr.net
    (offline: no icons, and a request to a third party); the ``feasibility``
    template shipped in the package is the same page without it (Voila's
    bundle carries Font Awesome). ``JUPYTER_PATH`` makes the template found.

    Returns
    -------
    (list of str, dict)
        The command and the environment to run it in.
    """
    cmd = [sys.executable, "-m", "voila", str(notebook), "--template=feasibility", "--Voila.ip=127.0.0.1"]
    if port is not None:
        cmd += [f"--port={port}", "--Voila.port_retries=0"]
    if no_browser:
        cmd.append("--no-browser")
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join([str(VOILA_ROOT), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]])
    return cmd, env


def _run_foreground(cmd: list[str], env: dict[str, str] | None = None) -> int:
    """Run a server in the foreground until it stops; its exit code (128 + signal if killed).

    Ctrl-C reaches the server too (same process group), and JupyterLab handles
    it itself (it asks to confirm; a second Ctrl-C stops it), so this process
    waits on. A SIGTERM to this process is passed on, so that the server is not
    left running without its parent.
    """
    proc = subprocess.Popen(cmd, env=env)  # noqa: S603 - our own Python, fixed arguments
    forward = hasattr(signal, "SIGTERM") and os.name == "posix"
    previous = signal.signal(signal.SIGTERM, lambda *_: proc.terminate()) if forward else None
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:
                continue
    finally:
        if forward:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    return code if code >= 0 else 128 - code


#: a Jupyter configuration folder whose ``labconfig`` turns JupyterLab's news and update questions off by default
LAB_CONFIG = VOILA_ROOT / "lab"


def lab_env() -> dict[str, str]:
    """The environment JupyterLab runs in for ``feasibility studio``: this environment plus :data:`LAB_CONFIG`.

    ``JUPYTER_CONFIG_PATH`` gains the package's ``labconfig`` folder, whose
    ``default_setting_overrides.json`` sets the notification settings' defaults
    to "no news, no update check": offline there is nothing to fetch, and a
    first start would otherwise ask. A person can still change them in
    JupyterLab's settings.
    """
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(LAB_CONFIG), *[p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]]
    )
    return env


def _output_problems(out: Path, suffix: str, kind: str, force: bool) -> list[str]:
    """What is wrong with ``-o``: the wrong suffix, a file there without ``--force``, a path inside the package."""
    from ._files import PackageFolderError, refuse_package_folder

    problems = []
    if out.suffix.lower() != suffix:
        problems.append(f"-o: {out} must end in {suffix} ({kind})")
    if out.exists() and not force:
        problems.append(f"-o: {out} exists; add --force to replace it")
    try:
        refuse_package_folder(out)
    except PackageFolderError as exc:
        problems.append(f"-o: {exc}")
    return problems


def cmd_export(args: argparse.Namespace) -> int:
    """Write the case as an Excel workbook (:func:`feasibility.present.workbook.write_workbook`), atomically."""
    from ._files import write_bytes_atomic
    from .present.workbook import workbook_bytes

    out = Path(args.output)
    problems = _output_problems(out, ".xlsx", "an Excel workbook", args.force)
    try:
        _iterations_check(args.iterations, allow_zero=True)
    except UserError as err:
        problems.append(str(err))
    if problems:
        raise UserError("\n".join(problems))
    case = _load(args.case, args.allow_path)
    if args.scenario is not None:
        _check_choice("--scenario", args.scenario, case.scenarios, "scenario")
    if args.option is not None:
        _check_choice("--option", args.option, case.options, "option")
        case = case.option(args.option)
    data = workbook_bytes(case, lang=args.lang, scenario=args.scenario, iterations=args.iterations, option=args.option)
    try:
        write_bytes_atomic(out, data, overwrite=args.force)  # a temporary file beside, then the name: never half a workbook
    except FileExistsError:  # written by someone else meanwhile
        raise UserError(f"-o: {out} exists; add --force to replace it") from None
    print(f"wrote {out}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Write the base case with the workbook's assumptions (:func:`feasibility.present.workbook_import.import_workbook`)."""
    from .present.workbook_import import WorkbookImportError, import_workbook

    out, book = Path(args.output), Path(args.workbook)
    problems = _output_problems(out, ".toml", "a case file", args.force)
    if not book.is_file():
        problems.append(f"{book}: no such file")
    if problems:
        raise UserError("\n".join(problems))
    try:
        written, changes = import_workbook(book, args.case, out, overwrite=args.force)
    except WorkbookImportError as err:
        raise UserError(f"{book}: {len(err.problems)} problem(s)\n  " + "\n  ".join(err.problems)) from None
    except FileExistsError:  # written by someone else meanwhile
        raise UserError(f"-o: {out} exists; add --force to replace it") from None
    fields = sum(len(c) for c in changes.values())
    print(f"wrote {written}: {len(changes)} quantit{'y' if len(changes) == 1 else 'ies'} changed ({fields} field(s)); "
          "only the Assumptions sheet is read")
    for path, ch in sorted(changes.items()):
        print(f"  {path}: {', '.join(sorted(ch))}")
    return EXIT_OK


def cmd_studio(args: argparse.Namespace) -> int:
    import importlib.util

    if args.folder is None:
        folder = Path("notebooks") if Path("notebooks").is_dir() else Path(".")
    else:
        folder = Path(args.folder)
        if not folder.is_dir():
            raise UserError(f"{folder}: not a folder")
    if args.port is not None and not 1 <= args.port <= 65535:
        raise UserError(f"--port: must be between 1 and 65535, got {args.port}")
    if args.save_dir is not None:  # read by the Studio the notebook starts (a process of the server's)
        from .studio.app import SAVE_DIR_ENV

        save_dir = Path(args.save_dir).expanduser()
        if not save_dir.is_dir():
            raise UserError(f"--save-dir: {save_dir} is not a folder")
        os.environ[SAVE_DIR_ENV] = str(save_dir.resolve())
    if args.app:
        notebook = folder / "03_studio.ipynb"
        if not notebook.is_file():
            raise UserError(f"{notebook}: no studio notebook there (give the notebooks folder)")
        if importlib.util.find_spec("voila") is None:
            raise UserError("Voila is not installed in this Python: python -m pip install voila")
        print(f"feasibility studio: the studio as an app (Voila) from {notebook.resolve()} (Ctrl-C stops it)", flush=True)
        cmd, env = voila_command(notebook.resolve(), args.port, args.no_browser)
        return _run_foreground(cmd, env)
    if importlib.util.find_spec("jupyterlab") is None:
        raise UserError("JupyterLab is not installed in this Python: python -m pip install jupyterlab")
    folder = folder.resolve()
    hint = "open 03_studio.ipynb; " if (folder / "03_studio.ipynb").is_file() else ""
    print(f"feasibility studio: JupyterLab on {folder} ({hint}Ctrl-C twice stops it)", flush=True)
    return _run_foreground(studio_command(folder, args.port, args.no_browser), lab_env())


COMMANDS = {
    "evaluate": cmd_evaluate,
    "validate": cmd_validate,
    "report": cmd_report,
    "reproduce": cmd_reproduce,
    "sensitivity": cmd_sensitivity,
    "simulate": cmd_simulate,
    "appraise": cmd_appraise,
    "new": cmd_new,
    "export": cmd_export,
    "import": cmd_import,
    "studio": cmd_studio,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``feasibility`` command; returns the exit code.

    Everything, the imports of the model included, runs inside the ``try``: a
    Ctrl-C at any moment ends with exit code 130 and one line, never a traceback.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        with interruptible():  # a Ctrl-C a library swallows is raised again at the next checkpoint
            parser = build_parser()
            _check_command(argv, COMMANDS)
            args = parser.parse_args(argv)  # argparse exits with 2 on bad arguments
            seed = getattr(args, "seed", None)
            if seed is not None and not 0 <= seed <= 2**63 - 1:  # what numpy's generators and a report's reproduce accept
                raise UserError(f"--seed: must be a whole number from 0 to 2**63 - 1 (9,223,372,036,854,775,807), got {seed}")
            if getattr(args, "lang", "") is None:
                args.lang = default_lang()
            code = COMMANDS[args.command](args)
            checkpoint()
            return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `feasibility evaluate --json | head`
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the last line of defence: no traceback for users
        from .analysis.budget import MemoryBudgetError
        from .case import CaseError

        if isinstance(err, CaseError):
            print(str(err), file=sys.stderr)
            return EXIT_INPUT
        if isinstance(err, MemoryBudgetError):  # more iterations or cells than the memory budget allows
            print(f"error: {err}", file=sys.stderr)
            return EXIT_INPUT
        if os.environ.get("FEASIBILITY_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(err).__name__}: {err}\n(set FEASIBILITY_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


def entry() -> None:
    """The ``feasibility`` console command: :func:`main` in a process of its own.

    After a Ctrl-C the process ends without the interpreter's finalization:
    the exit handlers registered in Python run (temporary folders removed,
    worker pools stopped) and the standard streams are flushed, then
    ``os._exit(130)``. Finalizing the interpreter while native threads of the
    numerical libraries are still alive can abort the process (a fatal
    "PyThreadState_Get" error, seen once in CI on Python 3.11); a process that
    was interrupted has nothing left to finalize. Other exits finalize as usual.
    """
    code = main()
    if code == EXIT_INTERRUPTED:
        import atexit

        try:
            atexit._run_exitfuncs()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
