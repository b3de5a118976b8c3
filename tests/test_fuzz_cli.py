"""Every command exits 0 or 2 on any case file, never 1 (issue 19, item 4): a property-based fuzz test.

Hypothesis mutates the default case and the starter case (a leaf replaced by a
hostile value: a huge, infinite or tiny number, a long list, a long or
invisible-character text, a table; a key removed or added; the text cut short
or spliced) and runs the command line in this process on the result. Exit 1 is
an internal error (a traceback hidden behind one line): the test fails on it
and shows the command, the case's change and the message.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import random
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feasibility.case import DEFAULT_CASE
from feasibility.cli import main

STARTER = DEFAULT_CASE.parent / "starter.toml"
BASES = {name: tomllib.loads(p.read_text(encoding="utf-8")) for name, p in (("default", DEFAULT_CASE), ("starter", STARTER))}

HOSTILE_VALUES = st.one_of(
    st.sampled_from([0, -1, 1e308, -1e308, 1e16, 1.0000001e16, 5e-324, float("inf"), float("-inf"), float("nan"),
                     2**63 - 1, -(2**63), 10**30, True, "", "\u202e71000", "a" * 6000, [], {}, [[[[1]]]]]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=20),
    st.lists(st.floats(-1e20, 1e20), max_size=1500),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), max_size=3),
)


def _leaves(data: Any, path: tuple = ()) -> list[tuple]:
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    out = []
    for k, v in items:
        out.append((*path, k))
        out += _leaves(v, (*path, k))
    return out


def _set(data: Any, path: tuple, value: Any, delete: bool = False) -> None:
    node = data
    for k in path[:-1]:
        node = node[k]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value


@st.composite
def hostile_case(draw: Any) -> tuple[str, str]:
    """A case file's text, and what was changed (for the failure message)."""
    base = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[base])
    kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "cut", "splice"]))
    paths = _leaves(data)
    path = draw(st.sampled_from(paths))
    if kind == "replace":
        value = draw(HOSTILE_VALUES)
        _set(data, path, value)
        change = f"{base}: {'.'.join(map(str, path))} = {value!r:.80}"
    elif kind == "delete":
        _set(data, path, None, delete=True)
        change = f"{base}: {'.'.join(map(str, path))} removed"
    elif kind == "add":
        node = data
        for k in path[:-1]:
            node = node[k]
        key = draw(st.text(min_size=1, max_size=8))
        if isinstance(node, dict):
            node[key] = draw(HOSTILE_VALUES)
        change = f"{base}: {key!r} added beside {'.'.join(map(str, path))}"
    text = tomlkit.dumps(data) if kind in ("replace", "delete", "add") else (DEFAULT_CASE if base == "default" else STARTER).read_text(encoding="utf-8")
    if kind == "cut":
        at = draw(st.integers(0, len(text)))
        text, change = text[:at], f"{base}: cut at character {at}"
    elif kind == "splice":
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(["[", "]", "=", '"', "{", "\x00", "[a.b]\nx=1\n", "\u202e", "nan", "1e999", "\n[[risk.correlations]]\n"]))
        text, change = text[:at] + piece + text[at:], f"{base}: {piece!r} inserted at character {at}"
    return text, change


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()[-600:]


@settings(max_examples=int(os.environ.get("FEASIBILITY_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          derandomize=True)
@given(case=hostile_case(), heavy=st.sampled_from(["sensitivity", "simulate", "appraise", "report", "export"]), seed=st.integers(0, 3))
def test_every_command_exits_0_or_2_on_any_case_file(case, heavy, seed):
    text, change = case
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        path = folder / "case.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        runs = [["validate", str(path)], ["evaluate", str(path)], ["evaluate", "--json", str(path)]]
        code, err = _run(runs[0])
        assert code in (0, 2), f"validate exit {code} after {change}\n{err}"
        if code == 0:  # a case that validates: every command must cope with it
            runs += {
                "sensitivity": [["sensitivity", str(path)]],
                "simulate": [["simulate", str(path), "--iterations", "40", "--seed", str(seed), "--no-progress", "--json"]],
                "appraise": [["appraise", str(path), "--iterations", "0"]],
                "report": [["report", str(path), "--iterations", "0", "--lang", "en", "-o", str(folder / "r.html")]],
                "export": [["export", str(path), "--iterations", "0", "-o", str(folder / "w.xlsx")]],
            }[heavy]
        for argv in runs[1:]:
            code_n, err_n = _run(argv)
            assert code_n in (0, 2), f"{' '.join(argv[:2])} exit {code_n} after {change}\n{err_n}"
            if code == 0 and argv[0] in ("validate", "evaluate"):
                assert code_n == 0, f"{' '.join(argv[:2])}: exit {code_n} on a case that validates, after {change}\n{err_n}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_fuzz_reaches_cases_that_validate_and_cases_that_do_not():
    """The mutations are neither all fatal nor all harmless: both branches of the property run."""
    rng = random.Random(3)
    codes = set()
    for name in sorted(BASES):
        data = copy.deepcopy(BASES[name])
        leaf = rng.choice([p for p in _leaves(data) if p[-1] == "source"])
        _set(data, leaf, "a source")
        folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
        try:
            (folder / "ok.toml").write_text(tomlkit.dumps(data), encoding="utf-8")
            codes.add(_run(["validate", str(folder / "ok.toml")])[0])
            _set(data, leaf, "\u202e")
            (folder / "bad.toml").write_text(tomlkit.dumps(data), encoding="utf-8")
            codes.add(_run(["validate", str(folder / "bad.toml")])[0])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    assert codes == {0, 2}
