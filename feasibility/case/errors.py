"""Problems in a case file, and pydantic's validation errors turned into them.

A problem reads ``path: rule, got value``: the dotted path of the field (as in
the TOML file, list items as ``[i]``), the rule in words, and the value found.
:class:`CaseError` carries every problem found at once, so that a consultant
fixes a file in one pass rather than one error per run.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel, ValidationError

from .schema import STREAM_MODELS, Case, Quantity, _bound

__all__ = ["CaseError", "Problem"]


class Problem(typing.NamedTuple):
    """One problem in a case file."""

    path: str
    rule: str
    value: Any = None

    def __str__(self) -> str:
        shown = "" if self.value is _MISSING else f", got {_show(self.value)}"
        return f"{self.path or '(top level)'}: {self.rule}{shown}"


_MISSING = object()


def _show(v: Any) -> str:
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, dict):
        return "a table" if v else "an empty table"
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


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
            allowed = _allowed_keys(Case, tuple(e["loc"]))
            rule = "unknown key (a typo?)"
            if allowed:
                rule += "; allowed here: " + ", ".join(allowed)
            value = _MISSING
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
