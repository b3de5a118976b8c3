"""A report's files: writing one atomically, and the data block it embeds for ``feasibility reproduce``.

The data block is a hidden ``<pre>`` holding JSON: the exact case file (and
any history files), its SHA-256, the toolkit version, the seed, the
iterations and every figure the report states
(:meth:`feasibility.study.Study.fingerprint`). :func:`extract_data` reads it
back; :func:`is_generated_report` tells the CLI whether a file it is about to
overwrite is one of its own. :func:`visible_text` is what a reader sees, a line
per block, and :func:`text_differences` the lines where a report and the same
report rendered again differ: ``feasibility reproduce`` finds an edit of the
visible text with it, which the embedded figures alone would not show.
"""

from __future__ import annotations

import difflib
import hashlib
import html as _html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...study import Study

__all__ = [
    "DATA_ID",
    "GENERATOR",
    "data_block",
    "extract_data",
    "is_generated_report",
    "sha256",
    "text_differences",
    "visible_text",
    "write_html",
]

#: written into every report, so that the CLI only overwrites its own output
GENERATOR = "feasibility-report"
#: the ``id`` of the hidden ``<pre>`` holding the data block
DATA_ID = "feasibility-data"
#: how far into a file the generator ``<meta>`` must appear (it is in the ``<head>``)
_HEAD = 4000


def sha256(text: str) -> str:
    """The SHA-256 of a text's UTF-8 bytes, in hex (how a report names its case file)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def data_block(study: Study) -> dict[str, Any]:
    """What a report embeds about one study, for ``feasibility reproduce`` to re-run and compare.

    Parameters
    ----------
    study : Study

    Returns
    -------
    dict
        ``case_text``, ``case_sha256``, ``source_name``, ``histories``,
        ``seed``, ``iterations``, ``version`` and ``figures`` (the
        fingerprint). The keys and their order are part of the file format.
    """
    return {
        "case_text": study.case_text,
        "case_sha256": sha256(study.case_text),
        "source_name": study.source_name,
        "histories": study.histories,
        "seed": study.seed,
        "iterations": study.iterations,
        "version": study.version,
        "figures": study.fingerprint(),
    }


def write_html(path: Path, html: str) -> Path:
    """Write a report atomically: a failure or a Ctrl-C never leaves a half-written file behind.

    Parameters
    ----------
    path : Path
        The report's file; its folder is made when missing.
    html : str

    Returns
    -------
    Path
        ``path``.
    """
    from ..._files import write_bytes_atomic

    return write_bytes_atomic(path, html.encode("utf-8"), overwrite=True)


def extract_data(html: str) -> dict[str, Any]:
    """The data block a report embeds (case text, histories, seed, iterations, figures).

    Parameters
    ----------
    html : str
        The text of a report.

    Returns
    -------
    dict
        As :func:`data_block` wrote it; a comparison report adds ``compare``,
        the blocks of the other studies.

    Raises
    ------
    ValueError
        When the text is not a report of this toolkit or its data block is missing.
    """
    start_tag = f'<pre id="{DATA_ID}" hidden>'
    i = html.find(start_tag)
    if f'<meta name="generator" content="{GENERATOR}' not in html[:_HEAD] or i < 0:
        raise ValueError("not a report written by this toolkit (no embedded data block)")
    j = html.find("</pre>", i)
    try:
        return json.loads(_html.unescape(html[i + len(start_tag) : j]))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the report's data block is damaged: {exc}") from None
    except RecursionError:  # arrays inside arrays beyond the parser's depth: no report writes that
        raise ValueError("the report's data block is damaged: nested too deeply") from None


def is_generated_report(path: Path) -> bool:
    """Whether an existing file is a report this toolkit wrote (safe to overwrite).

    Parameters
    ----------
    path : Path

    Returns
    -------
    bool
        False too when the file cannot be read.
    """
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:_HEAD]
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}' in head


#: elements whose start or end begins a new line of the visible text
_BLOCKS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "section", "article", "figcaption", "caption", "dt", "dd",
           "table", "ul", "ol", "nav", "header", "figure", "pre", "br", "text"}


class _Visible(HTMLParser):
    """The text a reader sees: no ``<head>``, no hidden data block, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script") or (tag == "pre" and ("hidden", None) in attrs):
            self._skip += 1
        elif tag in _BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script") or (tag == "pre" and self._skip):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.lines[-1] += data


def visible_text(html: str) -> list[str]:
    """The visible text of a report, a line per block (paragraph, cell, chart label), whitespace normalised.

    Parameters
    ----------
    html : str

    Returns
    -------
    list of str
        Without the ``<head>`` (styles), the hidden data block and empty lines.
    """
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return [t for t in (re.sub(r"\s+", " ", line).strip() for line in parser.lines) if t]


def text_differences(report: str, again: str, limit: int = 40) -> list[str]:
    """The passages of a report's visible text that differ from the same report rendered again.

    Returns
    -------
    list of str
        ``- report: ...`` and ``+ again: ...`` lines (at most ``limit``); empty when the texts are the same.
    """
    out = []
    for line in difflib.unified_diff(visible_text(report), visible_text(again), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        out.append(("  - in the report: " if line.startswith("-") else "  + rendered again: ") + line[1:])
        if len(out) >= limit:
            out.append("  ...")
            break
    return out

