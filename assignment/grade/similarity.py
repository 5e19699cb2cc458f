"""Which submissions' graded code is suspiciously similar: winnowing fingerprints per exercise.

For each graded exercise, the learner's definition is reduced to a token stream that
ignores what a copier changes cheaply: comments, docstrings, layout, the names the
learner chose (parameters and assigned names become ``V``; library and attribute names
stay, so ``tf.matmul`` and ``tf.einsum`` differ) and literal values (``N``, ``S``). The
logical lines the release's stub already contains (signatures, the given ``__init__``,
``return`` lines...) are dropped, so the given code never counts. The rest is hashed in
k-grams of ``K`` tokens and winnowed (Schleimer, Wilkerson, Aiken 2003: the minimum hash
of each window of ``WINDOW`` k-grams), which guarantees that any common run of at least
``K + WINDOW - 1`` tokens is seen. A pair's score is the fraction of the shorter code's
fingerprints found in the other one. It flags; it never changes a grade.
"""
from __future__ import annotations

import ast
import hashlib
import io
import itertools
import keyword
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from assignment.exercises import exercises_of
from assignment.grade.extract import SubmissionError, find_all, read_cells
from assignment.notebooks.markers import graded_blocks, module_path

K = 8  # tokens per k-gram: shorter runs are noise ("V = V ( V )" is in every solution)
WINDOW = 4  # k-grams per winnowing window: a shared run of >= K + WINDOW - 1 = 11 tokens is always caught
THRESHOLD = 0.6  # a pair is flagged when >= 60% of the shorter code's fingerprints are in the other
MIN_TOKENS = 30  # code shorter than this (after the given lines are dropped) is not judged: a one-line
# formula written independently by many learners looks the same
MAX_PAIRS = 200  # pairs listed per exercise (highest scores first); the clusters list them all

_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}


@dataclass
class Code:
    """One submission's graded code of one exercise, as normalized tokens."""

    file: str
    cell: int  # code cell number of the submission, from 1
    lines: List[str]  # the cell's source lines
    tokens: List[Tuple[str, int]] = field(default_factory=list)  # (normalized token, line number in the cell)
    fingerprints: Dict[int, int] = field(default_factory=dict)  # hash -> index of the first k-gram


def chosen_names(node: ast.AST) -> set:
    """Names the learner chose inside ``node``: parameters, assigned and loop names,
    nested definitions. Not the libraries', the builtins' or the attributes'."""
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.arg):
            names.add(child.arg)
        elif isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child is not node:
            names.add(child.name)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            names.add(child.name)
    names.discard("self")
    return names


def logical_lines(source: str, names: set) -> List[List[Tuple[str, int]]]:
    """The normalized tokens of ``source``, grouped by logical line: chosen names -> ``V``,
    numbers -> ``N``, strings -> ``S``; comments, docstrings and layout dropped."""
    result: List[List[Tuple[str, int]]] = []
    current: List[Tuple[str, int]] = []
    previous = None  # the previous significant token (for '.name' and docstrings)
    raw = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for position, tok in enumerate(raw):
        if tok.type == tokenize.NEWLINE:
            if current:
                result.append(current)
            current, previous = [], None
            continue
        if tok.type in _SKIPPED:
            continue
        line = tok.start[0]
        if tok.type == tokenize.STRING or getattr(tokenize, "FSTRING_START", -1) == tok.type:
            following = next((t for t in raw[position + 1:] if t.type not in (tokenize.COMMENT, tokenize.NL)), None)
            if previous is None and following is not None and following.type == tokenize.NEWLINE:
                continue  # a docstring or a bare string statement
            text = "S"
        elif tok.type == tokenize.NUMBER:
            text = "N"
        elif tok.type == tokenize.NAME and not keyword.iskeyword(tok.string) \
                and not (previous is not None and previous.string == ".") and tok.string in names:
            text = "V"
        else:
            text = tok.string
        current.append((text, line))
        previous = tok
    if current:
        result.append(current)
    return result


def _line_key(line: List[Tuple[str, int]]) -> str:
    return " ".join(text for text, _ in line)


@lru_cache(maxsize=None)
def given_lines(name: str, module: str = "assignment.transformer") -> frozenset:
    """The normalized logical lines of the release's stub of ``name`` (the given code)."""
    block = graded_blocks(module_path(module)).get(name)
    if block is None:
        return frozenset()
    try:
        tree = ast.parse(block.learner)
        node = next((n for n in tree.body if getattr(n, "name", None) == name), tree)
        lines = logical_lines(block.learner, chosen_names(node))
    except (SyntaxError, tokenize.TokenError, IndentationError):
        return frozenset()
    return frozenset(_line_key(line) for line in lines)


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def winnow(hashes: Sequence[int], window: int = WINDOW) -> Dict[int, int]:
    """The fingerprints of a hash sequence: the minimum of each window of ``window``
    hashes (the rightmost one on ties), each kept once; hash -> its first position."""
    chosen: Dict[int, int] = {}
    if not hashes:
        return chosen
    if len(hashes) < window:
        position = min(range(len(hashes)), key=lambda i: (hashes[i], -i))
        return {hashes[position]: position}
    last = -1
    for start in range(len(hashes) - window + 1):
        position = min(range(start, start + window), key=lambda i: (hashes[i], -i))
        if position != last:
            chosen.setdefault(hashes[position], position)
            last = position
    return chosen


def code_of(path, exercise, module: str) -> Optional[Code]:
    """The normalized graded code of ``exercise`` in the submission at ``path`` (None when
    it is missing, does not parse, or the file cannot be read)."""
    try:
        cells = read_cells(path)
        where = find_all(cells, [exercise])[exercise.name]
    except (SubmissionError, RecursionError, MemoryError):
        return None
    if where.cell is None or where.cell.tree is None:
        return None
    node = where.cell.definition(exercise.name)
    if node is None:
        return None
    source_lines = where.cell.source.splitlines()
    segment = "\n".join(source_lines[node.lineno - 1 - len(node.decorator_list):node.end_lineno]) + "\n"
    offset = node.lineno - 1 - len(node.decorator_list)
    try:
        lines = logical_lines(segment, chosen_names(node))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    given = given_lines(exercise.name, module)
    code = Code(file=Path(path).name, cell=where.cell.index + 1, lines=source_lines)
    for line in lines:
        if _line_key(line) not in given:
            code.tokens += [(text, number + offset) for text, number in line]
    texts = [text for text, _ in code.tokens]
    hashes = [_hash(" ".join(texts[i:i + K])) for i in range(len(texts) - K + 1)]
    code.fingerprints = winnow(hashes)
    return code


def _span(code: Code, start: int) -> Tuple[int, int]:
    """Lines (first, last) of the cell covered by the k-gram at token ``start``."""
    return code.tokens[start][1], code.tokens[min(start + K - 1, len(code.tokens) - 1)][1]


def _merge(spans: List[Tuple[int, int]]) -> List[List[int]]:
    merged: List[List[int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return merged


def compare(a: Code, b: Code) -> Dict:
    """The score of a pair and the lines of each that match the other."""
    shared = set(a.fingerprints) & set(b.fingerprints)
    score = len(shared) / max(1, min(len(a.fingerprints), len(b.fingerprints)))
    a_lines = _merge([_span(a, a.fingerprints[h]) for h in shared])
    b_lines = _merge([_span(b, b.fingerprints[h]) for h in shared])
    return {"a": a.file, "b": b.file, "score": round(score, 3), "shared_fingerprints": len(shared),
            "a_cell": a.cell, "b_cell": b.cell, "a_lines": a_lines, "b_lines": b_lines,
            "a_text": ["\n".join(a.lines[s - 1:e]) for s, e in a_lines],
            "b_text": ["\n".join(b.lines[s - 1:e]) for s, e in b_lines]}


def similar_pairs(codes: List[Code], threshold: float = THRESHOLD) -> List[Dict]:
    """Pairs scoring at least ``threshold``, highest first; only pairs sharing a
    fingerprint are compared (an inverted index, not all n^2 pairs)."""
    owners: Dict[int, List[int]] = defaultdict(list)
    for index, code in enumerate(codes):
        for fingerprint in code.fingerprints:
            owners[fingerprint].append(index)
    candidates = set()
    for holders in owners.values():
        candidates.update(itertools.combinations(holders, 2))
    pairs = [compare(codes[i], codes[j]) for i, j in sorted(candidates)]
    return sorted((p for p in pairs if p["score"] >= threshold), key=lambda p: (-p["score"], p["a"], p["b"]))


def clusters(pairs: List[Dict]) -> List[List[str]]:
    """Groups of submissions linked by flagged pairs (one shared source, often)."""
    parent: Dict[str, str] = {}

    def root(name):
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for pair in pairs:
        parent[root(pair["a"])] = root(pair["b"])
    groups: Dict[str, List[str]] = defaultdict(list)
    for name in list(parent):
        groups[root(name)].append(name)
    return sorted((sorted(group) for group in groups.values()), key=lambda g: (-len(g), g))


def scan(paths: Sequence, notebook: str = "Transformer", threshold: float = THRESHOLD) -> Dict:
    """The similarity report of a batch (``grades-similarity.json``)."""
    exercises = exercises_of(notebook)
    document = {"method": f"winnowing: {K}-token k-grams, windows of {WINDOW}, score = shared fingerprints / "
                          "fingerprints of the shorter code; comments, layout, chosen names, literals and the "
                          "release's given lines ignored",
                "threshold": threshold, "k": K, "window": WINDOW, "min_tokens": MIN_TOKENS,
                "submissions": len(paths), "exercises": {}}
    for exercise in exercises:
        codes, short, given_only = [], [], 0
        for path in paths:
            code = code_of(path, exercise, exercise.source_module)
            if code is None:
                continue
            if not code.tokens:  # the release's stub, or only given lines
                given_only += 1
                continue
            (codes if len(code.tokens) >= MIN_TOKENS else short).append(code)
        pairs = similar_pairs(codes, threshold)
        document["exercises"][exercise.name] = {
            "compared": len(codes), "given_code_only": given_only, "too_short": sorted(code.file for code in short),
            "flagged_pairs": len(pairs), "clusters": clusters(pairs), "pairs": pairs[:MAX_PAIRS]}
    return document


def markdown(document: Dict) -> str:
    lines = ["# Similar submissions", "",
             f"{document['submissions']} submissions. Method: {document['method']}. A pair is listed when its score "
             f"is at least {document['threshold']:g}. This flags pairs for a human to read; it changes no grade.", ""]
    for name, data in document["exercises"].items():
        lines += [f"## {name}", "", f"{data['compared']} compared, {len(data['too_short'])} too short to judge "
                  f"(fewer than {document['min_tokens']} tokens of their own), {data['given_code_only']} with "
                  f"only the given code, {data['flagged_pairs']} pairs flagged.", ""]
        if not data["pairs"]:
            continue
        for group in data["clusters"]:
            if len(group) > 2:
                lines.append(f"- group of {len(group)}: {', '.join(group)}")
        lines += ["", "| score | submission | lines | submission | lines |", "|---:|---|---|---|---|"]
        for pair in data["pairs"][:50]:
            spans = [", ".join(f"{s}-{e}" if s != e else f"{s}" for s, e in pair[side])
                     for side in ("a_lines", "b_lines")]
            lines.append(f"| {pair['score']:.2f} | {pair['a']} | cell {pair['a_cell']}: {spans[0]} | {pair['b']} | "
                         f"cell {pair['b_cell']}: {spans[1]} |")
        if len(data["pairs"]) > 50:
            lines.append(f"\n({len(data['pairs']) - 50} more pairs in the JSON report.)")
        best = data["pairs"][0]
        lines += ["", f"Highest pair, {best['a']} and {best['b']}:", "", "```python", "\n...\n".join(best["a_text"]),
                  "```", "", "```python", "\n...\n".join(best["b_text"]), "```", ""]
    return "\n".join(lines) + "\n"
