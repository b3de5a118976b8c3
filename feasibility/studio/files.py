"""Where the studio finds case files and where it suggests saving them.

The default case ships inside the installed package (:data:`feasibility.case.DEFAULT_CASE`);
a person's scenarios and reports belong to the project folder
(:data:`feasibility.present.export.ROOT`): the studio lists the default case and
the project's case files, and never suggests a file inside the package (where
an upgrade would delete it).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .._files import inside_package
from ..case import DEFAULT_CASE, Case, in_lang, load_case
from ..present import export as _export
from .inputs import words

__all__ = ["FileNameError", "as_case", "case_files", "case_name", "confined_target", "display_path", "is_case_file", "load_choices",
           "plain_name", "suggest_scenario"]

#: a case file has a ``[case]`` table; a variant file (a base and changed values) a ``[variant]`` table
_CASE_TABLE = re.compile(r"^\s*\[(case|variant)\]\s*(#.*)?$", re.MULTILINE)


def as_case(case: Case | str | Path | None) -> tuple[Case, Path | None]:
    """A case and its file: a case object (no file), a path as a person typed it, or None for the default case."""
    if isinstance(case, Case):
        return case, None
    p = DEFAULT_CASE if case is None else _export.resolve_path(case)
    return load_case(p), p


def display_path(path: Path) -> str:
    """A file as a person reads it: relative to the project folder when inside it, else in full."""
    try:
        return path.resolve().relative_to(_export.ROOT.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def case_name(case: Case, path: Path | None, lang: str) -> str:
    """How the studio names a case: its file, else the name the case gives itself."""
    if path is not None:
        return display_path(path)
    return in_lang(case.case.name, lang) or "case"


def is_case_file(path: Path) -> bool:
    """Whether a TOML file looks like a case file (a ``[case]`` or ``[variant]`` table); read errors say no."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(200_000)
    except OSError:
        return False
    return bool(_CASE_TABLE.search(head))


def case_files(current: Path | None = None) -> list[Path]:
    """The case files a person may load: the default case, then the project folder's, then the current case's folder.

    The project folder is searched one level deep (``ROOT/*.toml`` and
    ``ROOT/<folder>/*.toml``, hidden folders and the package left out): a
    person's home folder as project folder must not make the list slow.
    """
    root = _export.ROOT
    found: list[Path] = [DEFAULT_CASE]
    folders = [root] + sorted(d for d in _safe_dirs(root) if not d.name.startswith(".") and not inside_package(d))
    if current is not None and not inside_package(current):
        folders.append(current.parent)
    for d in folders:
        for f in sorted(d.glob("*.toml")):
            if f.name != "pyproject.toml" and f.resolve() not in {p.resolve() for p in found} and is_case_file(f):
                found.append(f)
    return found


def _safe_dirs(root: Path) -> list[Path]:
    try:
        return [d for d in root.iterdir() if d.is_dir()]
    except OSError:
        return []


@functools.cache
def _default_name(lang: str) -> str:
    """The default case's own name (read once: the package's file does not change while it runs)."""
    return in_lang(load_case(DEFAULT_CASE).case.name, lang) or DEFAULT_CASE.stem


def load_choices(current: Path | None, lang: str) -> dict[str, Path]:
    """The load box's options: a label for each case file (the default case named as such)."""
    out = {}
    for f in case_files(current):
        if f == DEFAULT_CASE:
            out[words(lang)["load_default"].format(name=_default_name(lang))] = f
        else:
            out[display_path(f)] = f
    return out


def suggest_scenario(case_path: Path | None, folder: Path) -> Path:
    """A free file name in ``folder`` (the studio's save folder) for a scenario of a case.

    ``<stem>_scenario.toml``, then ``_scenario_2``, ... (``case_scenario.toml`` for a
    case without a file).
    """
    stem = (case_path.stem if case_path is not None else "case").removesuffix("_scenario")
    name = folder / f"{stem}_scenario.toml"
    for i in range(2, 1000):
        if not name.exists():
            break
        name = folder / f"{stem}_scenario_{i}.toml"
    return name


#: names Windows keeps for devices, whatever the extension (a file cannot have them there)
_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
#: the longest file name the studio's boxes take
NAME_MAX_CHARS = 100


class FileNameError(ValueError):
    """A name typed into the studio's "Save as" or "Report file" box that is not a plain file name.

    ``reason`` is one of ``empty``, ``folder``, ``hidden``, ``chars``, ``long``,
    ``device``, ``link`` (the studio's words ``name_<reason>`` explain it).
    """

    def __init__(self, reason: str, name: str):
        self.reason, self.name = reason, name
        super().__init__(f"{name!r}: not a plain file name ({reason})")


def plain_name(typed: str, suffix: str) -> str:
    """A file name typed into the studio, checked and given its extension.

    A name only: no folder (``/``, ``\\``, a drive's ``:``), nothing that starts
    with ``.`` or ``~`` (so no ``..``, no hidden file, no home folder), none of
    ``< > " | ? *`` or an invisible character, at most :data:`NAME_MAX_CHARS`
    characters, not a Windows device name. ``suffix`` (``.toml``, ``.html``) is
    added when the name does not end with it.

    Raises
    ------
    FileNameError
    """
    from ..case.io import _invisible

    name = typed.strip()
    if not name:
        raise FileNameError("empty", name)
    if any(c in name for c in "/\\:"):
        raise FileNameError("folder", name)
    if name.startswith((".", "~")):
        raise FileNameError("hidden", name)
    if any(c in '<>"|?*' or _invisible(c) or c in "\t\n\r" for c in name):
        raise FileNameError("chars", name)
    if not name.lower().endswith(suffix):
        name += suffix
    if len(name) > NAME_MAX_CHARS:
        raise FileNameError("long", name)
    if name.split(".")[0].strip().upper() in _DEVICES:
        raise FileNameError("device", name)
    return name


def confined_target(folder: Path, typed: str, suffix: str) -> Path:
    """The file a name typed into the studio stands for: ``folder / plain_name(typed)``, never a link.

    Raises
    ------
    FileNameError
    """
    target = folder / plain_name(typed, suffix)
    if target.is_symlink():  # a link could lead out of the folder: the studio writes real files only
        raise FileNameError("link", target.name)
    return target
