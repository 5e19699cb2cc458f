"""The Markdown sources of the notebooks (``notebooks/source/<Name>.md``), read into cells
and directives.

Text becomes markdown cells (a new cell at each heading), each ```` ```python ```` fence
becomes one code cell (an info string like ```` ```python tags=figure,slow ```` adds cell
tags), and HTML-comment directives, each on a line of its own, say where code is pulled in
(``assignment.notebooks.cells`` expands them):

- ``<!-- source: NAME -->``, or ``<!-- source: package.module:NAME -->``: the source of the
  top-level function/class NAME of the reference module;
- ``<!-- graded: NAME -->``: the graded cell of exercise NAME, its public test and its
  "Expected output";
- ``<!-- include: FILE.md -->``: the cells of another source file in the same folder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from assignment.notebooks.markers import SourceError

DIRECTIVE_RE = re.compile(r"^<!--\s*([a-z][a-z-]*)\s*:\s*(\S+)\s*-->\s*$")
DIRECTIVES = ("source", "graded", "include")
FENCE_RE = re.compile(r"^(`{3,}|~{3,})\s*([^`\s]*)(.*)$")
HEADING_RE = re.compile(r"^#{1,6} ")

EXPECTED_OUTPUT_HEADER = "**Expected output**"


@dataclass
class Cell:
    """One notebook cell before it becomes JSON."""

    cell_type: str  # "markdown" or "code"
    source: str
    tags: Tuple[str, ...] = ()
    metadata: Dict[str, object] = field(default_factory=dict)
    id: Optional[str] = None  # None: derived from the content when the notebook is built


@dataclass(frozen=True)
class Directive:
    kind: str
    argument: str
    path: str
    lineno: int


def parse_markdown(text: str, path) -> List[object]:
    """Split a Markdown source into :class:`Cell` (markdown/code) and :class:`Directive` items.

    A markdown cell ends before each heading, code fence and directive; an "Expected
    output" block (the line ``**Expected output**`` and the fence after it) is a cell of
    its own, so that tests can compare it with the output of the code cell above.
    """
    items: List[object] = []
    markdown: List[str] = []

    def flush_markdown():
        body = "\n".join(markdown).strip("\n")
        if body.strip():
            items.append(Cell("markdown", body.rstrip() + "\n"))
        markdown.clear()

    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        fence = FENCE_RE.match(line)
        if fence:
            marker, language, info = fence.group(1), fence.group(2), fence.group(3).strip()
            # Find the closing fence (same character, at least as long).
            j = i + 1
            while j < len(lines) and not (lines[j].startswith(marker) and not lines[j].strip(marker[0]).strip()):
                j += 1
            if j >= len(lines):
                raise SourceError(path, lineno, f"code fence {marker}{language} is never closed")
            if language == "python":
                flush_markdown()
                tags = _fence_tags(info, path, lineno)
                code = "\n".join(lines[i + 1:j]).strip("\n")
                if not code.strip():
                    raise SourceError(path, lineno, "empty ```python block")
                items.append(Cell("code", code + "\n", tags=tags))
            else:  # text, mermaid, ...: stays inside the markdown cell
                markdown.extend(lines[i:j + 1])
                if next((l for l in markdown if l.strip()), "").strip() == EXPECTED_OUTPUT_HEADER:
                    flush_markdown()  # an "Expected output" block is a cell of its own
            i = j + 1
            continue
        directive = DIRECTIVE_RE.match(line.strip())
        if directive:
            kind, argument = directive.groups()
            if kind not in DIRECTIVES:
                raise SourceError(path, lineno, f"unknown directive {kind!r}; known: {', '.join(DIRECTIVES)}")
            flush_markdown()
            items.append(Directive(kind, argument, str(path), lineno))
            i += 1
            continue
        if line.strip().startswith("<!--") and re.match(r"^<!--\s*(source|graded|include)\b", line.strip()):
            raise SourceError(path, lineno, f"malformed directive {line.strip()!r}; "
                                            "write it as <!-- kind: argument --> on its own line")
        if (HEADING_RE.match(line) or line.strip() == EXPECTED_OUTPUT_HEADER) and any(l.strip() for l in markdown):
            flush_markdown()
        markdown.append(line)
        i += 1
    flush_markdown()
    return items


def _fence_tags(info: str, path, lineno: int) -> Tuple[str, ...]:
    if not info:
        return ()
    match = re.fullmatch(r"tags=([A-Za-z0-9_,-]+)", info)
    if not match:
        raise SourceError(path, lineno, f"unsupported fence options {info!r}; use e.g. ```python tags=figure")
    return tuple(tag for tag in match.group(1).split(",") if tag)
