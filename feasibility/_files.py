"""Where files go and how they are written: the project folder, the package folder, atomic writes.

A consultant works in a project folder (a checkout of this repository, or any
folder of their own); the toolkit's own files (the default case and its
histories) live inside the installed package, which is no place for a person's
scenarios or reports: an upgrade or a reinstall would delete them, and in a
system-wide install the folder is not even writable.

:func:`write_text_atomic` writes a file so that no reader ever sees half of it
and nothing is left behind on failure; without ``overwrite`` it never replaces
an existing file, not even one that appears while it writes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ._interrupt import checkpoint

__all__ = ["PACKAGE_DIR", "PackageFolderError", "inside_package", "project_dir", "refuse_package_folder", "write_text_atomic"]

#: the folder of the installed ``feasibility`` package (holds the default case)
PACKAGE_DIR = Path(__file__).resolve().parent


class PackageFolderError(PermissionError):
    """A file was to be written inside the installed package folder."""


def project_dir(start: str | Path | None = None) -> Path:
    """The folder a person works in.

    Parameters
    ----------
    start : path, optional
        Where to start looking (default: the working folder).

    Returns
    -------
    Path
        The nearest folder up from ``start`` that holds a ``pyproject.toml``
        (a checkout of this repository), else ``start`` itself.
    """
    here = Path.cwd() if start is None else Path(start).resolve()
    return next((d for d in (here, *here.parents) if (d / "pyproject.toml").is_file()), here)


def inside_package(path: str | Path) -> bool:
    """Whether ``path`` is inside the installed package folder (:data:`PACKAGE_DIR`)."""
    p = Path(path).expanduser().resolve()
    return p == PACKAGE_DIR or PACKAGE_DIR in p.parents


def refuse_package_folder(path: str | Path) -> None:
    """Raise :class:`PackageFolderError` when ``path`` is inside the package folder.

    Raises
    ------
    PackageFolderError
        The package folder holds the toolkit's own files: a file written there
        is lost at the next upgrade, and may change the default case.
    """
    if inside_package(path):
        raise PackageFolderError(
            f"{path} is inside the installed feasibility package ({PACKAGE_DIR}); save it in your project folder instead"
        )


def write_text_atomic(
    path: str | Path,
    text: str,
    *,
    overwrite: bool = False,
    check: Callable[[Path], object] | None = None,
) -> Path:
    """Write ``text`` to ``path`` atomically, never replacing a file by accident.

    The text is written as UTF-8 with ``\\n`` line ends (the same bytes on
    Windows) by :func:`write_bytes_atomic`, which says how.
    """
    return write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite, check=check)


def write_bytes_atomic(
    path: str | Path,
    data: bytes,
    *,
    overwrite: bool = False,
    check: Callable[[Path], object] | None = None,
) -> Path:
    """Write ``data`` to ``path`` atomically, never replacing a file by accident.

    The bytes go to a temporary file in the same folder, which takes the
    target's name only when it is complete (and checked): a reader sees the
    old file or the new one, never half of it, and a failure leaves nothing
    behind.

    Parameters
    ----------
    path : path
        The file to write; missing folders are made.
    data : bytes
        The file's content.
    overwrite : bool
        Replace an existing file. Without it an existing file is never
        touched: the new file takes the name with a hard link, which fails
        when the name exists, so no other writer can slip in between the check
        and the write.
    check : callable, optional
        Called with the temporary file's path before it takes the target's
        name; an exception it raises stops the write (and is raised).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is False.
    """
    checkpoint()  # a Ctrl-C that a library swallowed: nothing is written, no folder made
    target = Path(path).expanduser()
    if not overwrite and target.exists():
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # on disk before it takes the name: a crash never leaves an empty file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a case file, report or workbook is meant to be shared
        if check is not None:
            check(tmp)
        checkpoint()  # a Ctrl-C that a library swallowed: no file takes the name
        if overwrite:
            os.replace(tmp, target)
        else:
            _link_new(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _link_new(tmp: Path, target: Path) -> None:
    """Give ``tmp``'s content the name ``target`` only if that name is free."""
    try:
        os.link(tmp, target)  # fails if the name exists: no check-then-write race
    except FileExistsError:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it") from None
    except OSError:  # a file system without hard links (FAT, some network shares): check, then move
        if target.exists():
            raise FileExistsError(f"{target} exists; pass overwrite=True to replace it") from None
        os.replace(tmp, target)
