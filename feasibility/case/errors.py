"""Problems in a case file, and pydantic's validation errors turned into them.

A problem reads ``path: rule, got value``: the dotted path of the field (as in
the TOML file, list items as ``[i]``), the rule in words, and the value found.
:class:`CaseError` carries every problem found at once, so that a consultant
fixes a file in one pass rather than one error per run.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Annotated, Any, Union

from pydantic import BaseModel, ValidationError

from .schema import STREAM_MODELS, Case, Quantity, _bound

__all__ = ["CaseError", "Problem", "did_you_mean", "suggest"]


class Problem(typing.NamedTuple):
    """One problem in a case file, shown as ``path: rule, got value; hint``.

    Attributes
    ----------
    path : str
        Dotted path of the field, as in the TOML file (``""``: the file itself).
    rule : str
        What is allowed, in words.
    value : object
        The value found (not shown when it is the module's ``_MISSING`` marker).
    hint : str
        What the author probably meant (``did you mean ...?``), shown after the
        value; empty when there is nothing to suggest.
    """

    path: str
    rule: str
    value: Any = None
    hint: str = ""

    def __str__(self) -> str:
        shown = "" if self.value is _MISSING else f", got {_show(self.value)}"
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.path or '(top level)'}: {self.rule}{shown}{hint}"


_MISSING = object()


def _show(v: Any) -> str:
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, dict):
        return "a table" if v else "an empty table"
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a misspelled key or dotted quantity path most likely meant.

    Parameters
    ----------
    word : str
        The unknown key or path, as written.
    candidates : iterable of str
        What is allowed there (keys of a table, or quantity paths).

    Returns
    -------
    str or None
        None when ``word`` is allowed or nothing is close. Otherwise, ignoring
        case (``Tariff_IDR_per_tonne`` typed in a spreadsheet is the same slip):
        the one candidate that holds all of ``word``'s sections in order and ends
        with its last (a path written without some sections, such as
        ``tariff_idr_per_tonne``); else, section by section, the allowed name
        that starts with the written one (``tarif``) or the closest by
        :func:`difflib.get_close_matches`.

    Notes
    -----
    Paths are matched one section at a time, not as whole strings: two paths
    of a stream share most of their letters, so on whole strings
    ``...cargo_handling.tariff_idr_per_tonne`` would look close to
    ``...cargo_handling.variable_cost_idr_per_tonne``. Names of 8 letters or more
    need a similarity of 0.85 (one or two slips; ``tariff_idr_per_tonne`` and
    ``variable_cost_idr_per_tonne`` score 0.72), shorter ones 0.6 (``prot``
    and ``port`` score 0.75).
    """
    options = list(dict.fromkeys(c for c in candidates if isinstance(c, str)))
    if not isinstance(word, str) or not word or word in options:
        return None
    parts = word.lower().split(".")
    sections = {c: c.lower().split(".") for c in options}
    within = [c for c, segs in sections.items() if len(segs) > len(parts) and segs[-1] == parts[-1] and _in_order(parts, segs)]
    if len(within) == 1:
        return within[0]
    pool = options
    for i, part in enumerate(parts):
        best = _closest(part, list(dict.fromkeys(sections[c][i] for c in pool if len(sections[c]) > i)))
        if best is None:
            return None
        pool = [c for c in pool if len(sections[c]) > i and sections[c][i] == best]
    whole = [c for c in pool if len(sections[c]) == len(parts)]
    return whole[0] if whole else None


def _in_order(parts: list[str], sections: list[str]) -> bool:
    """Whether ``parts`` appear in ``sections`` in the same order (gaps allowed)."""
    rest = iter(sections)
    return all(p in rest for p in parts)


def _closest(name: str, allowed: list[str]) -> str | None:
    """The allowed name (lower case) meant by ``name`` (lower case), or None."""
    if name in allowed:
        return name
    if len(name) >= 3:
        starts = [a for a in allowed if a.startswith(name)]
        if starts:  # an abbreviation: of several, the nearest in length and letters
            return max(starts, key=lambda a: difflib.SequenceMatcher(None, name, a).ratio())
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.85 if len(name) >= 8 else 0.6)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``did you mean 'x'?`` for the closest candidate (:func:`suggest`), or ``""``."""
    best = suggest(word, candidates)
    return f"did you mean {best!r}?" if best is not None else ""


class CaseError(ValueError):
    """A case file that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], source: str = "case"):
        self.problems = problems
        self.source = source
        lines = [f"{source}: {len(problems)} problem(s)"] + [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


def _unwrap(ann: Any) -> list[Any]:
    """The concrete types an annotation can hold (Optional/Union/Annotated removed)."""
    origin = typing.get_origin(ann)
    if origin is Annotated:
        return _unwrap(typing.get_args(ann)[0])
    if origin in (Union, types.UnionType):
        out = []
        for a in typing.get_args(ann):
            out += _unwrap(a)
        return [a for a in out if a is not type(None)]
    return [ann]


def _allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """Field names allowed at the table that holds ``loc[-1]`` (for typo hints)."""
    model = _model_at(root, loc[:-1])
    return list(model.model_fields) if model is not None else None


def _unknown_key(loc: tuple[Any, ...]) -> str:
    """The rule for a key the table does not have: the closest allowed key first, then them all."""
    allowed = _allowed_keys(Case, tuple(loc))
    if not allowed:
        return "unknown key"
    guess = did_you_mean(str(loc[-1]), allowed)
    return f"unknown key; {guess + ' ' if guess else ''}allowed here: {', '.join(allowed)}"


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class of the table at ``loc`` (pydantic's error path), if it is one."""
    candidates: list[Any] = [root]
    for part in loc:
        if isinstance(part, str) and part in STREAM_MODELS and STREAM_MODELS[part] in candidates:
            candidates = [STREAM_MODELS[part]]  # the discriminator tag pydantic puts in the path
            continue
        nxt: list[Any] = []
        for c in candidates:
            if isinstance(c, type) and issubclass(c, BaseModel):
                f = c.model_fields.get(part) if isinstance(part, str) else None
                if f is not None:
                    nxt += _unwrap(f.annotation)
            elif typing.get_origin(c) is dict:
                nxt += _unwrap(typing.get_args(c)[1])
            elif typing.get_origin(c) is list:
                nxt += _unwrap(typing.get_args(c)[0])
        candidates = nxt
    models = list({id(c): c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)}.values())
    return models[0] if len(models) == 1 else None


_RULES = {
    "greater_than_equal": "must be >= {ge}",
    "greater_than": "must be > {gt}",
    "less_than_equal": "must be <= {le}",
    "less_than": "must be < {lt}",
    "finite_number": "must be a finite number",
    "missing": "is required but missing",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "string_type": "must be text (a quoted string)",
    "list_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "string_too_short": "must not be empty",
    "too_short": "must have at least {min_length} item(s)",
    "too_long": "a list of {actual_length} entries; this list has at most {max_length}",
}


def _is_quantity_loc(loc: tuple[Any, ...]) -> bool:
    """Whether a path (with pydantic's discriminator tags) leads to a quantity."""
    model = _model_at(Case, loc)
    return model is not None and issubclass(model, Quantity)


def _problems_from(err: ValidationError) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        # drop the discriminator tag pydantic inserts into the path of a stream
        loc = tuple(
            p
            for i, p in enumerate(loc)
            if not (i >= 3 and loc[i - 2] == "revenue" and isinstance(p, str) and p in STREAM_MODELS)
        )
        # a quantity's value is reported at the quantity's path (and list items after it)
        loc = tuple(p for i, p in enumerate(loc) if not (p == "value" and i > 0 and _is_quantity_loc(loc[:i])))
        path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
        typ = e["type"]
        ctx = e.get("ctx") or {}
        value: Any = e.get("input", _MISSING)
        if typ == "missing":
            rule, value = "is required but missing", _MISSING
        elif typ == "extra_forbidden":
            rule, value = _unknown_key(e["loc"]), _MISSING
        elif typ == "literal_error":
            rule = f"must be one of {ctx.get('expected')}"
        elif typ in ("value_error", "assertion_error"):
            rule = e["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
            if isinstance(value, dict):  # a table-level rule names its own values
                value = _MISSING
        elif typ == "invalid_kind" or typ == "union_tag_invalid":
            kinds = ", ".join(repr(k) for k in STREAM_MODELS)
            if not isinstance(value, dict):
                rule = f"must be a table with kind = one of {kinds}"
            elif "kind" not in value:
                rule, value = f"needs kind = one of {kinds} (or a table named after its kind)", _MISSING
            else:
                rule, value = f"kind must be one of {kinds}", value["kind"]
        elif typ == "model_type" and _is_quantity_loc(loc):
            rule = "must be a quantity table { value = ..., source = \"...\", confidence = \"...\" }"
        elif typ in _RULES:
            rule = _RULES[typ].format(**{k: _bound(v) for k, v in ctx.items()})
            q = _model_at(Case, tuple(p for p in e["loc"] if not isinstance(p, int))[:-1])
            if (
                typ in ("less_than_equal", "less_than")
                and q is not None
                and issubclass(q, Quantity)
                and q.unit.startswith("fraction")
                and isinstance(value, (int, float))
                and 2 <= value <= 100  # 1.5 is ambiguous; 22 is surely a percentage
            ):
                rule += f" (a fraction: write {value / 100:g} for {value:g}%)"
        else:
            rule = e["msg"]
        out.append(Problem(path, rule, value))
    return out
