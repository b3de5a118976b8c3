"""feasibility.case.io: the default case as package data, reading case and history files.

Expected values are written by hand (the shipped file's name and folder, the
messages of the rules); nothing is compared with an earlier output of the code.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import feasibility
from feasibility.case import DEFAULT_CASE, load_case
from feasibility.case.io import DEFAULT_CASE as IO_DEFAULT_CASE

PACKAGE = Path(feasibility.__file__).resolve().parent


# ---------------------------------------------------------------------------
# DEFAULT_CASE


def test_default_case_is_found_through_importlib_resources() -> None:
    shipped = resources.files("feasibility") / "data" / "kota_serang.toml"
    assert isinstance(DEFAULT_CASE, Path)
    assert DEFAULT_CASE is IO_DEFAULT_CASE
    assert DEFAULT_CASE == Path(str(shipped))
    assert DEFAULT_CASE.name == "kota_serang.toml" and DEFAULT_CASE.parent.name == "data"
    assert DEFAULT_CASE.read_bytes() == shipped.read_bytes()
    # the history series ship beside it (the studio and notebooks list DEFAULT_CASE.parent / "history")
    assert (DEFAULT_CASE.parent / "history" / "karangantu_fish_landings.csv").is_file()


def test_default_case_works_from_a_zip_archive(tmp_path: Path) -> None:
    # a package imported from a zip has no file path: the data folder is copied out once
    archive = tmp_path / "feasibility.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in PACKAGE.rglob("*"):
            if p.is_file() and "__pycache__" not in p.parts:
                z.write(p, Path("feasibility") / p.relative_to(PACKAGE))
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import feasibility.case as c\n"
        "assert c.__file__.startswith(sys.argv[1]), c.__file__\n"
        "print(c.DEFAULT_CASE.read_bytes() == open(sys.argv[2], 'rb').read())\n"
        "print(sorted(p.name for p in (c.DEFAULT_CASE.parent / 'history').iterdir()))\n"
        "print(c.load_case().timeline.start_year)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(archive), str(PACKAGE / "data" / "kota_serang.toml")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "True"
    assert lines[1] == str(sorted(p.name for p in (PACKAGE / "data" / "history").iterdir()))
    assert lines[2] == "2027"  # timeline.start_year of the default case


def test_load_case_without_a_path_reads_the_default_case() -> None:
    assert load_case().timeline.start_year == 2027
