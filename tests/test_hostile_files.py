"""A case file someone else wrote reads only what it should (issue 19).

History files stay inside the case's folder (unless the user allows another folder), are
regular files of a bounded size, and no message or report repeats more of them than the two
columns the case uses; invisible characters that reorder text are refused; ``reproduce`` reads
nothing but the report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_reproduce import call, reembed  # the command line as a test calls it; a report's data block replaced

from feasibility.case import CaseError, load_case
from feasibility.case.io import HISTORY_MAX_BYTES
from feasibility.present.report import extract_data

HAND = Path(__file__).resolve().parent / "cases" / "hand_case.toml"
STREAM = "port.revenue.cargo_handling.forecast"
SECRET = "SECRET-7f3a"
HISTORY = "year,tonnes,notes\n" + "".join(f"{y},{1000 + 37 * (y - 2016) + (11 if y % 2 else 0)},{SECRET}-{y}\n" for y in range(2016, 2026))


def case_reading(folder: Path, history: str, method: str = "rw_drift") -> Path:
    """The hand case in ``folder`` with its cargo forecast from the file ``history`` names."""
    text = HAND.read_text(encoding="utf-8")
    for line in ('volume_tonnes = { value = 1000, source = "test", confidence = "placeholder" }\n',
                 'ramp_up = { value = [0.5], source = "test", confidence = "placeholder" }\n'):
        text = text.replace(line, "")
    text += (f'\n[{STREAM}]\nhistory = {json.dumps(history)}\nvalue_column = "tonnes"\nmethod = "{method}"\n'
             'share = { value = 0.5, source = "test", confidence = "placeholder" }\n')
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, **kw) -> list[str]:
    with pytest.raises(CaseError) as exc:
        load_case(path, **kw)
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- confined to the folder


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink"])
def test_a_history_outside_the_case_folder_is_refused_unless_allowed(tmp_path: Path, how: str) -> None:
    secret_dir = tmp_path / "secret"
    secret_dir.mkdir()
    (secret_dir / "confidential.csv").write_text(HISTORY, encoding="utf-8")
    case_dir = tmp_path / "a" / "b"
    case_dir.mkdir(parents=True)
    if how == "symlink":
        os.symlink(secret_dir / "confidential.csv", case_dir / "link.csv")
    name = {"parent": "../../secret/confidential.csv", "absolute": str(secret_dir / "confidential.csv"), "symlink": "link.csv"}[how]
    path = case_reading(case_dir, name)
    (found,) = problems(path)
    assert found.startswith(f"{STREAM}.history: is outside the case's folder {case_dir.resolve()}: a history file must lie in it")
    assert "--allow-path DIR" in found and SECRET not in found
    code, out, err = call("validate", str(path))
    assert code == 2 and out == "" and "is outside the case's folder" in err and "Traceback" not in err
    # the user's explicit choice lets it in
    assert load_case(path, allow=[secret_dir]).port.revenue["cargo_handling"].forecast.observed()[2016] == 1000
    assert call("validate", str(path), "--allow-path", str(secret_dir))[0] == 0


def test_a_subfolder_is_inside(tmp_path: Path) -> None:
    (tmp_path / "hist").mkdir()
    (tmp_path / "hist" / "cargo.csv").write_text(HISTORY, encoding="utf-8")
    assert load_case(case_reading(tmp_path, "hist/cargo.csv")).port.revenue["cargo_handling"].forecast.observed()[2025] == 1344  # 1000 + 37 x 9 + 11 (an odd year)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_or_a_device_is_never_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    (found,) = problems(case_reading(tmp_path, "pipe.csv"))  # returns at once: a pipe would wait for ever
    assert found == f"{STREAM}.history: is not a regular file (a folder, device or pipe is never read), got 'pipe.csv'"
    (found,) = problems(case_reading(tmp_path, "/dev/zero"), allow=["/dev"])  # would fill the memory
    assert found == f"{STREAM}.history: is not a regular file (a folder, device or pipe is never read), got '/dev/zero'"


def test_a_file_too_large_for_a_history_is_refused_unread(tmp_path: Path) -> None:
    with (tmp_path / "big.csv").open("w", encoding="utf-8") as fh:
        fh.write(HISTORY)
        fh.write("x" * HISTORY_MAX_BYTES)
    size = (tmp_path / "big.csv").stat().st_size
    (found,) = problems(case_reading(tmp_path, "big.csv"))
    assert found == (f"{STREAM}.history: is {size:,} bytes; a history file may be at most {HISTORY_MAX_BYTES:,} "
                     "(an annual series is a few kilobytes), got 'big.csv'")


@pytest.mark.parametrize(
    "body, rule",
    [
        # a file whose first line is a secret: its header is not repeated, only counted
        (f"{SECRET}=hunter2\nmore\n", "hist.csv has no column year, tonnes; it has 1 column(s)"),
        (f"year,tone,{SECRET}\n2016,1,2\n", "hist.csv has no column tonnes; it has 3 column(s); did you mean 'tone'?"),
        # a text cell where a number belongs: named by column, the cell not repeated
        (f"year,tonnes\n2016,{SECRET}\n2017,5\n", "hist.csv: the columns year and tonnes must hold numbers, one row a year (ValueError)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00".decode("latin-1"), None),
    ],
    ids=["one_line_secret", "typo", "text_cell", "binary"],
)
def test_messages_never_repeat_a_files_content(tmp_path: Path, body: str, rule: str | None) -> None:
    (tmp_path / "hist.csv").write_bytes(body.encode("latin-1" if rule is None else "utf-8"))
    (found,) = problems(case_reading(tmp_path, "hist.csv"))
    assert SECRET not in found and "hunter2" not in found and "PNG" not in found
    if rule is not None:
        assert found == f"{STREAM}: {rule}"
    else:
        assert found == f"{STREAM}.history: is not UTF-8 text (save it from Excel as \"CSV UTF-8\"), got 'hist.csv'"


def test_a_report_carries_only_the_two_columns_the_case_uses(tmp_path: Path) -> None:
    (tmp_path / "hist.csv").write_text(HISTORY, encoding="utf-8")
    path = case_reading(tmp_path, "hist.csv")
    out = tmp_path / "r.en.html"
    code, _, err = call("report", str(path), "--lang", "en", "--iterations", "0", "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert SECRET not in text and "notes" not in extract_data(text)["histories"]["hist.csv"]
    rows = [f"{y},{float(1000 + 37 * (y - 2016) + (11 if y % 2 else 0))!r}" for y in range(2016, 2026)]
    assert extract_data(text)["histories"] == {"hist.csv": "year,tonnes\n" + "\n".join(rows) + "\n"}
    assert str(tmp_path) not in extract_data(text)["histories"]  # relative, as the case names it
    # and it still reproduces from what it carries
    code, out_text, err = call("reproduce", str(out))
    assert code == 0, out_text + err


# --------------------------------------------------------------------------- reproduce reads only the report


@pytest.fixture(scope="module")
def small_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rep") / "hand.en.html"
    code, _, err = call("report", str(HAND), "--lang", "en", "--iterations", "50", "-o", str(out))
    assert code == 0, err
    return out


def test_reproduce_refuses_a_case_that_asks_for_a_file(small_report: Path, tmp_path: Path) -> None:
    import hashlib

    data = extract_data(small_report.read_text(encoding="utf-8"))
    (tmp_path / "secret.csv").write_text(HISTORY, encoding="utf-8")
    text = data["case_text"].replace('volume_tonnes = { value = 1000, source = "test", confidence = "placeholder" }\n', "")
    text = text.replace('ramp_up = { value = [0.5], source = "test", confidence = "placeholder" }\n', "")
    text += (f'\n[{STREAM}]\nhistory = {json.dumps(str(tmp_path / "secret.csv"))}\nvalue_column = "tonnes"\nmethod = "rw_drift"\n'
             'share = { value = 0.5, source = "test", confidence = "placeholder" }\n')
    data |= {"case_text": text, "case_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "histories": {}}
    bad = tmp_path / "asks.html"
    bad.write_text(reembed(small_report.read_text(encoding="utf-8"), data), encoding="utf-8")
    code, _, err = call("reproduce", str(bad))
    assert code == 2 and "Traceback" not in err
    assert "reads file(s) the report does not carry" in err and "refuses" in err


@pytest.mark.parametrize(
    "change, said",
    [
        ({"iterations": 50_000_000}, "iterations 50000000 (allowed: a whole number from 0 to 1,000,000)"),
        ({"seed": -1}, "seed -1 (allowed: a whole number from 0 to 2**63 - 1)"),
        ({"iterations": "many"}, "iterations 'many'"),
    ],
    ids=["huge", "negative_seed", "text"],
)
def test_reproduce_holds_a_reports_settings_to_the_command_lines_limits(small_report: Path, tmp_path: Path, change, said) -> None:
    data = extract_data(small_report.read_text(encoding="utf-8")) | change
    bad = tmp_path / "settings.html"
    bad.write_text(reembed(small_report.read_text(encoding="utf-8"), data), encoding="utf-8")
    code, _, err = call("reproduce", str(bad))
    assert code == 2 and said in err and "Traceback" not in err


# --------------------------------------------------------------------------- invisible characters


def test_characters_that_reorder_text_are_refused_with_their_field(tmp_path: Path) -> None:
    text = HAND.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.startswith("name = "))
    text = text.replace(name_line, 'name = "Pelabuhan \u202eKota Serang"', 1)
    path = tmp_path / "rtl.toml"
    path.write_text(text, encoding="utf-8")
    found = problems(path)
    assert any("holds invisible character(s) that can change how text displays (U+202E RIGHT-TO-LEFT OVERRIDE); remove them" in f
               for f in found), found
    code, _, err = call("validate", str(path))
    assert code == 2 and "U+202E" in err


# --------------------------------------------------------------------------- malformed and huge case files


def test_a_huge_deeply_nested_or_piped_case_file_is_bad_input(tmp_path: Path) -> None:
    from feasibility.case.io import CASE_MAX_BYTES

    big = tmp_path / "big.toml"
    big.write_text(HAND.read_text(encoding="utf-8") + f'\n# {"n" * CASE_MAX_BYTES}\n', encoding="utf-8")
    code, _, err = call("validate", str(big))
    assert code == 2 and f"is {big.stat().st_size:,} bytes; a case file may be at most {CASE_MAX_BYTES:,}" in err
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    code, _, err = call("validate", str(deep))
    assert code == 2 and "nested too deeply to be a case file" in err and "RecursionError" not in err
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.toml")
        code, _, err = call("evaluate", str(tmp_path / "pipe.toml"))  # returns: a pipe would wait for ever
        assert code == 2 and "is not a regular file" in err
