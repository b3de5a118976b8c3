"""The case of each option of the long list: the file's case with the option's changes, validated.

An option (:class:`~feasibility.case.schema.Option`) is a validated overlay, as
a scenario is, but it may change the structure too: who runs the plan
(``vehicle``), which business lines it runs (``lines``), any table or value
(``merge``, ``remove``) and quantity values (``set``). :func:`option_case`
builds the option's case in that order and validates it whole, so a problem
is reported as ``options.<key>: <path>: rule, got value``, every problem at
once.

What belongs to a line the option does not run (its inputs in ``[risk]``,
its scenario values and two-way tables) is left out with the line: it could
not change the option's figures.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import ValidationError

from .errors import _MISSING, CaseError, Problem, _problems_from, did_you_mean
from .schema import LINE_KEYS, Case

__all__ = ["option_case", "option_problems"]


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    """Merge ``part`` into ``into`` table by table: a value replaces, a table merges into a table."""
    for k, v in part.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = copy.deepcopy(v)


def _walk_to(doc: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """The table holding the last key of a dotted path, and that key (None when a table on the way is missing)."""
    *parents, last = path.split(".")
    obj: Any = doc
    for part in parents:
        if not isinstance(obj, dict) or part not in obj:
            return None, last
        obj = obj[part]
    return (obj if isinstance(obj, dict) else None), last


def split_option_path(path: str) -> tuple[str, str] | None:
    """An option's own number, ``options.<key>.merge.<path>``, as ``(key, path in the option's case)``; None otherwise."""
    parts = path.split(".", 3)
    if len(parts) == 4 and parts[0] == "options" and parts[2] == "merge":
        return parts[1], parts[3]
    return None


def _quantity_paths(doc: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the quantities (tables with a ``value`` and a ``source``) in a document."""
    if isinstance(doc, dict):
        if "value" in doc and "source" in doc:
            return [prefix]
        return [p for k, v in doc.items() for p in _quantity_paths(v, f"{prefix}.{k}" if prefix else k)]
    return []


def _apply(doc: dict[str, Any], opt: Any, where: str) -> list[Problem]:
    """Apply an option's changes to a case document in place; the paths that could not be applied."""
    out: list[Problem] = []
    plan = doc.setdefault("plan", {})
    if opt.vehicle is not None:
        plan["vehicle"] = opt.vehicle
    if opt.lines is not None:
        plan["lines"] = list(opt.lines)
    _merge(doc, opt.merge)
    for path in opt.remove:
        table, key = _walk_to(doc, path)
        if table is None or key not in table:
            out.append(Problem(f"{where}.remove", "names nothing in the case", path))
        else:
            del table[key]
    for path, value in opt.set.items():
        table, key = _walk_to(doc, path)
        q = table.get(key) if table is not None else None
        if not isinstance(q, dict) or "value" not in q:
            out.append(Problem(f"{where}.set.{path}", "is not a quantity of the case (give its full path)", _MISSING,
                               did_you_mean(path, _quantity_paths(doc))))
        else:
            q["value"] = value
    if opt.risk is not None:
        risk = doc.setdefault("risk", {})
        risk.setdefault("distributions", {}).update(opt.risk.model_dump(mode="json", exclude_none=True)["distributions"])
        risk.setdefault("correlations", []).extend(opt.risk.model_dump(mode="json", exclude_none=True)["correlations"])
    return out


def _leave_out(doc: dict[str, Any]) -> None:
    """Leave out the inputs, scenario values and two-way tables of lines the plan does not run."""
    plan = doc.get("plan", {}).get("lines")
    out = {k for k in LINE_KEYS if k in doc and plan is not None and k not in plan}
    if not out:
        return

    def gone(path: str) -> bool:
        return path.split(".", 1)[0] in out

    risk = doc.get("risk", {})
    if "distributions" in risk:
        risk["distributions"] = {p: d for p, d in risk["distributions"].items() if not gone(p)}
    if "correlations" in risk:
        risk["correlations"] = [c for c in risk["correlations"] if not any(gone(p) for p in c["between"])]
    for sc in doc.get("scenarios", {}).values():
        sc["set"] = {p: v for p, v in sc.get("set", {}).items() if not gone(p)}
    sens = doc.get("sensitivity", {})
    if "two_way" in sens:
        sens["two_way"] = [t for t in sens["two_way"] if not (gone(t["rows"]) or gone(t["cols"]))]


def _build(case: Case, key: str) -> Case:
    """The option's case, or CaseError with every problem under ``options.<key>``."""
    where = f"options.{key}"
    opt = case.options[key]
    doc = case.model_dump(mode="json", exclude_none=True)
    doc.pop("options", None)
    problems = _apply(doc, opt, where)
    _leave_out(doc)
    if problems:
        raise CaseError(problems)
    try:
        derived = Case.model_validate(doc)
    except ValidationError as err:
        raise CaseError([Problem(f"{where}: {p.path}", p.rule, p.value, p.hint) for p in _problems_from(err)]) from None
    found = derived.problems()
    if found:
        raise CaseError([Problem(f"{where}: {p.path}", p.rule, p.value, p.hint) for p in found])
    _keep_histories(case, derived)
    return derived


def _keep_histories(case: Case, derived: Case) -> None:
    """Forecast histories read with the file's case serve the option's case (same line and stream)."""
    for k, line in derived.defined_lines().items():
        src = case.defined_lines().get(k)
        for name, st in line.revenue.items():
            old = src.revenue.get(name) if src is not None else None
            if st.forecast is not None and old is not None and old.forecast is not None:
                st.forecast._history = old.forecast._history


def option_case(case: Case, key: str) -> Case:
    """The case of the option ``key`` of ``case.options``, validated (built once per case).

    Raises
    ------
    KeyError
        ``key`` is not an option of the case.
    CaseError
        The option's case breaks a rule; every problem names the option.
    """
    if key not in case.options:
        guess = did_you_mean(key, case.options)
        allowed = ", ".join(case.options) or "none in this case"
        raise KeyError(f"option {key!r}: not in the case{'; ' + guess if guess else ''} (options: {allowed})")
    built = case._option_cases
    if key not in built:
        built[key] = _build(case, key)
    return built[key]


def _shared_inputs_problems(case: Case) -> list[Problem]:
    """One distribution per input across the long list: the options share one Monte Carlo sample (common random numbers)."""
    out: list[Problem] = []
    seen: dict[str, tuple[str, Any]] = {}
    for key in case.options:
        try:
            oc = option_case(case, key)
        except CaseError:
            continue  # reported with the option's own problems
        qmap = oc.quantity_map()
        for p, spec in oc.risk.distributions.items():
            if p not in qmap:
                continue
            first = seen.setdefault(p, (key, spec))
            if first[1] != spec:
                out.append(Problem(f"options.{key}.risk.distributions.{p}",
                                   f"differs from the distribution option {first[0]!r} uses; an input has one distribution across "
                                   "the long list (the options share one Monte Carlo sample)", _MISSING))
    return out


def option_problems(case: Case) -> list[Problem]:
    """The problems of every option's case, and of the options' links (``go_ahead``, ``baseline``), at once."""
    out: list[Problem] = []
    for key, opt in case.options.items():
        try:
            option_case(case, key)
        except CaseError as err:
            out += err.problems
        g = opt.go_ahead
        if g is not None:
            other = case.options.get(g.otherwise)
            if other is None:
                out.append(Problem(f"options.{key}.go_ahead.otherwise", "is not an option of the case", g.otherwise,
                                   did_you_mean(g.otherwise, case.options)))
            elif other.go_ahead is not None or g.otherwise == key:
                out.append(Problem(f"options.{key}.go_ahead.otherwise", "must be an option without a go_ahead of its own", g.otherwise))
    out += _shared_inputs_problems(case)
    baselines = [k for k, o in case.options.items() if o.baseline]
    if case.options and len(baselines) != 1:
        out.append(Problem("options", f"needs exactly one baseline option (baseline = true), got {len(baselines)}",
                           ", ".join(baselines) or _MISSING))
    return out
