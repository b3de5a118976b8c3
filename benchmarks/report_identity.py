"""Render a fixed set of reports with the date fixed, to check that a refactoring changes no byte.

Usage::

    python benchmarks/report_identity.py write /tmp/report-before   # before the change
    python benchmarks/report_identity.py check /tmp/report-before   # after it: exit 1 on any difference

The set: the default case (``iterations=2000``) and the hand case
(``tests/cases/hand_case.toml``, ``iterations=0``), each in Indonesian and
English, and the comparison of the two in both languages. The reference HTML
stays outside the repository (several megabytes); ``check`` prints the first
differing line of each file that differs, and writes the new renderings to
``FOLDER.after``.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAND = ROOT / "tests" / "cases" / "hand_case.toml"
FIXED = (2025, 3, 14)


class _FixedDate(datetime.date):
    """``date.today()`` is one fixed day: the report's only date-dependent text."""

    @classmethod
    def today(cls) -> _FixedDate:
        return cls(*FIXED)


def render_all() -> dict[str, str]:
    """Every rendering of the set, by file name."""
    from feasibility.case import DEFAULT_CASE
    from feasibility import load_case
    from feasibility.study import build_study
    from feasibility.present import report

    # patched after the imports, so that only calls made while rendering see it; the report
    # calls ``datetime.date.today()`` through the module, wherever that call lives
    datetime.date = _FixedDate  # type: ignore[misc]
    studies = {}
    for name, path, n in (("default", DEFAULT_CASE, 2000), ("hand", HAND, 0)):
        case = load_case(path)
        studies[name] = build_study(case, path.read_text(encoding="utf-8"), source_name=path.name, base_dir=path.parent, iterations=n)
    out = {}
    for lang in ("id", "en"):
        for name, study in studies.items():
            out[f"{name}.{lang}.html"] = report.render_report(study, lang=lang)
        out[f"compare.{lang}.html"] = report.render_comparison([studies["default"], studies["hand"]], lang)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("write", "check"):
        print(__doc__)
        return 2
    mode, folder = argv[0], Path(argv[1])
    htmls = render_all()
    digests = {k: hashlib.sha256(v.encode("utf-8")).hexdigest() for k, v in htmls.items()}
    if mode == "write":
        folder.mkdir(parents=True, exist_ok=True)
        for k, v in htmls.items():
            (folder / k).write_text(v, encoding="utf-8")
        (folder / "sha256.json").write_text(json.dumps(digests, indent=1, sort_keys=True), encoding="utf-8")
        for k in sorted(digests):
            print(f"{digests[k]}  {k} ({len(htmls[k].encode('utf-8')):,} bytes)")
        return 0
    before = json.loads((folder / "sha256.json").read_text(encoding="utf-8"))
    after = folder.with_name(folder.name + ".after")  # the new renderings, to compare in a browser or with diff
    after.mkdir(exist_ok=True)
    for k, v in htmls.items():
        (after / k).write_text(v, encoding="utf-8")
    bad = 0
    for k in sorted(before):
        if digests.get(k) == before[k]:
            print(f"identical  {k}")
            continue
        bad += 1
        print(f"DIFFERENT  {k}")
        old = (folder / k).read_text(encoding="utf-8").splitlines()
        new = htmls.get(k, "").splitlines()
        diff = list(difflib.unified_diff(old, new, "before", "after", n=0, lineterm=""))
        for line in diff[:12]:
            print("    " + line[:300])
    print(f"{len(before) - bad} of {len(before)} renderings byte-identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
