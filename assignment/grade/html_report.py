"""The class report as one self-contained HTML page (``grades-report.html``).

Fed from the same result rows, class summary (``report.summary``) and similarity report
(``similarity.scan``) as the Markdown files: the score histogram and the results per
exercise as figures (matplotlib's object API, PNGs embedded as ``data:`` URIs), the most
frequent feedback and advice per exercise, the submissions with errors or timeouts, the
similar pairs with their code, and one row per submission.

Everything a learner controls (file and student names, feedback, advice, code) goes
through ``html.escape``; the page has no script at all, and its Content-Security-Policy
allows none, so a ``<script>`` in a learner's feedback shows as text.
"""
from __future__ import annotations

import base64
import html
import io
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from assignment.exercises import exercises_of

STATUSES = ("passed", "failed", "error", "timeout", "missing")
COLOURS = {"passed": "#2e8b57", "failed": "#e8a33d", "error": "#c8453a", "timeout": "#7b5ea7",
           "missing": "#9aa0a6"}
MAX_PAIRS = 50  # pairs shown per exercise (all of them are in the JSON report)
MAX_CODE_LINES = 80  # lines of each side of the highest pair's code
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328;
       background: #f6f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin-top: 36px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; font-size: 20px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta { color: #57606a; margin: 0 0 16px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 16px; min-width: 110px; }
.card b { display: block; font-size: 22px; }
.card span { color: #57606a; font-size: 13px; }
.figures { display: flex; gap: 16px; flex-wrap: wrap; }
.figures figure { margin: 0; flex: 1 1 420px; }
.figures img { width: 100%; height: auto; border: 1px solid #eaeef2; border-radius: 6px; }
figcaption { color: #57606a; font-size: 13px; margin-top: 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.passed { background: #dcf1e4; } td.failed { background: #fcebd2; } td.error { background: #f7d9d6; }
td.timeout { background: #e6def2; } td.missing { background: #eceef0; }
ul.freq { margin: 4px 0 8px; padding-left: 20px; }
ul.freq li { margin: 3px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.count { display: inline-block; min-width: 2.5em; color: #57606a; font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; overflow-x: auto;
      font-size: 12px; max-height: 420px; }
.code-pair { display: flex; gap: 12px; flex-wrap: wrap; } .code-pair > div { flex: 1 1 420px; min-width: 0; }
.none { color: #57606a; font-style: italic; }
.wide { overflow-x: auto; }
table.submissions th.ex { font-size: 12px; min-width: 56px; }
table.submissions th.ex small { display: block; font-weight: normal; color: #57606a; overflow-wrap: anywhere; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 4px; font-size: 13px; }
"""


def _e(value) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _points(value) -> str:
    return "" if value is None else f"{value:g}"


# --------------------------------------------------------------------------- figures

def _png(figure) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def histogram_png(summary: Dict) -> str:
    """The score distribution (the summary's 10-point bins) as a PNG data URI."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    bins = summary["scores"]["histogram"]
    figure = Figure(figsize=(5.6, 3.2))
    axes = figure.add_subplot()
    lows = [int(label.split("-")[0]) for label in bins]
    axes.bar(lows, list(bins.values()), width=9.2, align="edge", color="#4a72b0")
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 10))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("score (of 100)")
    axes.set_ylabel("submissions")
    mean = summary["scores"].get("mean")
    if mean is not None:
        axes.axvline(mean, color="#c8453a", linestyle="--", linewidth=1.2, label=f"mean {mean:.1f}")
        axes.legend(frameon=False, loc="upper left")
    axes.set_title(f"Score distribution ({summary['submissions']} submissions)")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def exercises_png(summary: Dict) -> str:
    """Each exercise's statuses as a stacked horizontal bar of shares, as a PNG data URI."""
    from matplotlib.figure import Figure

    names = list(summary["exercises"])
    figure = Figure(figsize=(5.6, 0.45 * len(names) + 1.4))
    axes = figure.add_subplot()
    total = max(summary["submissions"], 1)
    positions = list(range(len(names)))[::-1]  # the first exercise on top
    left = [0.0] * len(names)
    for status in STATUSES:
        shares = [summary["exercises"][name]["statuses"].get(status, 0) / total * 100 for name in names]
        axes.barh(positions, shares, left=left, color=COLOURS[status], label=status, height=0.7)
        left = [a + b for a, b in zip(left, shares)]
    for position, name in zip(positions, names):
        rate = summary["exercises"][name]["pass_rate"] * 100
        axes.text(101, position, f"{rate:.0f}%", va="center", fontsize=9)
    axes.set_yticks(positions, names, fontsize=9)
    axes.set_xlim(0, 110)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("share of submissions (%); right: pass rate")
    axes.set_title("Results per exercise", pad=22)
    axes.legend(ncol=len(STATUSES), fontsize=8, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


# --------------------------------------------------------------------------- sections

def _student(result: Dict) -> str:
    return result.get("student") or Path(result["file"]).name


def _frequent(items: List[Dict], key: str) -> str:
    return "<ul class=\"freq\">" + "".join(
        f"<li><span class=\"count\">{item['count']} &times;</span> {_e(item[key])}</li>" for item in items) + "</ul>"


def _exercise_table(summary: Dict) -> str:
    rows = ["<table><tr><th>exercise</th><th class=\"num\">pass rate</th>"
            + "".join(f"<th class=\"num\">{status}</th>" for status in STATUSES)
            + "<th class=\"num\">with advice</th></tr>"]
    for name, data in summary["exercises"].items():
        rows.append(f"<tr><td>{_e(name)}</td><td class=\"num\">{data['pass_rate'] * 100:.0f}%</td>"
                    + "".join(f"<td class=\"num\">{data['statuses'].get(status, 0)}</td>" for status in STATUSES)
                    + f"<td class=\"num\">{data.get('advised', 0)}</td></tr>")
    return "".join(rows) + "</table>"


def _feedback_section(summary: Dict) -> str:
    parts = ["<h2 id=\"feedback\">Most frequent feedback</h2>",
             "<p class=\"meta\">The first line of the feedback of the failed exercises: the mistakes the class "
             "makes.</p>"]
    shown = [(name, data) for name, data in summary["exercises"].items() if data["frequent_feedback"]]
    if not shown:
        parts.append("<p class=\"none\">None.</p>")
    for name, data in shown:
        parts += [f"<h3>{_e(name)}</h3>", _frequent(data["frequent_feedback"], "feedback")]
    policy = summary.get("policy", "course")
    parts += ["<h2 id=\"advice\">Most frequent advice</h2>",
              f"<p class=\"meta\">Scenarios beyond the course's tests. Policy: {_e(policy)} "
              + ("(they cost no points; <code>--strict</code> makes them count).</p>" if policy == "course"
                 else "(they cost points).</p>")]
    advised = [(name, data) for name, data in summary["exercises"].items() if data.get("frequent_advice")]
    if not advised:
        parts.append("<p class=\"none\">None.</p>")
    for name, data in advised:
        parts += [f"<h3>{_e(name)} ({_n(data['advised'], 'submission')})</h3>", _frequent(data["frequent_advice"], "advice")]
    return "\n".join(parts)


def _problems_section(summary: Dict, results: Sequence[Dict]) -> str:
    students = {Path(r["file"]).name: r.get("student") or "" for r in results}
    named = any(students.values())
    parts = ["<h2 id=\"problems\">Errors and timeouts</h2>"]
    if not summary["problems"]:
        return parts[0] + "<p class=\"none\">None.</p>"
    parts.append("<table><tr><th>submission</th>" + ("<th>student</th>" if named else "") + "<th>what happened</th></tr>")
    for problem in summary["problems"]:
        if problem.get("error"):
            detail = _e(problem["error"])
        else:
            detail = ", ".join(f"{_e(name)}: <b>{_e(status)}</b>" for name, status in problem["exercises"].items())
        parts.append(f"<tr><td>{_e(problem['file'])}</td>"
                     + (f"<td>{_e(students.get(problem['file'], ''))}</td>" if named else "")
                     + f"<td>{detail}</td></tr>")
    return "".join(parts) + "</table>"


def _spans(spans) -> str:
    return ", ".join(f"{start}-{end}" if start != end else f"{start}" for start, end in spans)


def _code(lines: Sequence[str]) -> str:
    text = "\n...\n".join(textwrap.dedent(chunk).strip("\n") for chunk in lines)
    kept = text.splitlines()
    if len(kept) > MAX_CODE_LINES:
        text = "\n".join(kept[:MAX_CODE_LINES]) + f"\n... ({len(kept) - MAX_CODE_LINES} more lines)"
    return f"<pre>{_e(text)}</pre>"


def _similarity_section(similar: Optional[Dict]) -> str:
    parts = ["<h2 id=\"similarity\">Similar submissions</h2>"]
    if not similar:
        return parts[0] + "<p class=\"none\">No similarity report.</p>"
    parts.append(f"<p class=\"meta\">A pair is listed when its score is at least {similar['threshold']:g} "
                 f"({_e(similar['method'])}). It flags pairs for a human to read; it changes no grade.</p>")
    parts.append("<table><tr><th>exercise</th><th class=\"num\">compared</th><th class=\"num\">too short to "
                 "judge</th><th class=\"num\">only the given code</th><th class=\"num\">pairs flagged</th></tr>")
    for name, data in similar["exercises"].items():
        parts.append(f"<tr><td>{_e(name)}</td><td class=\"num\">{data['compared']}</td>"
                     f"<td class=\"num\">{len(data['too_short'])}</td><td class=\"num\">{data['given_code_only']}"
                     f"</td><td class=\"num\">{data['flagged_pairs']}</td></tr>")
    parts.append("</table>")
    flagged = [(name, data) for name, data in similar["exercises"].items() if data["pairs"]]
    if not flagged:
        parts.append("<p class=\"none\">No pair flagged.</p>")
    for name, data in flagged:
        parts.append(f"<h3>{_e(name)}: {_n(data['flagged_pairs'], 'pair')} flagged</h3>")
        groups = [group for group in data["clusters"] if len(group) > 2]
        if groups:
            parts.append("<ul>" + "".join(f"<li>group of {len(group)}: {_e(', '.join(group))}</li>"
                                          for group in groups) + "</ul>")
        parts.append("<table><tr><th class=\"num\">score</th><th>submission</th><th>lines</th><th>submission</th>"
                     "<th>lines</th></tr>")
        for pair in data["pairs"][:MAX_PAIRS]:
            parts.append(f"<tr><td class=\"num\">{pair['score']:.2f}</td><td>{_e(pair['a'])}</td>"
                         f"<td>cell {_e(pair['a_cell'])}: {_e(_spans(pair['a_lines']))}</td><td>{_e(pair['b'])}</td>"
                         f"<td>cell {_e(pair['b_cell'])}: {_e(_spans(pair['b_lines']))}</td></tr>")
        parts.append("</table>")
        if len(data["pairs"]) > MAX_PAIRS:
            parts.append(f"<p class=\"meta\">{len(data['pairs']) - MAX_PAIRS} more pairs in the JSON report.</p>")
        best = data["pairs"][0]
        parts.append(f"<p>Highest pair ({best['score']:.2f}), the matching lines:</p><div class=\"code-pair\">"
                     f"<div><b>{_e(best['a'])}</b>{_code(best['a_text'])}</div>"
                     f"<div><b>{_e(best['b'])}</b>{_code(best['b_text'])}</div></div>")
    return "\n".join(parts)


def _submissions_section(results: Sequence[Dict], exercise_names: Sequence[str]) -> str:
    parts = ["<h2 id=\"submissions\">Submissions</h2>"]
    if not results:
        return parts[0] + "<p class=\"none\">None.</p>"
    notebook = next((r.get("notebook") for r in results if r.get("notebook")), None)
    tags = {e.name: e.tag for e in exercises_of(notebook)} if notebook else {}
    students = any(r.get("student") for r in results)  # a layout named them: a column of its own
    parts.append("<p class=\"legend\">Points per exercise: " + "".join(
        f"<span style=\"background:{COLOURS[s]};color:#fff\">{s}</span>" for s in STATUSES) + "</p>")
    parts.append("<div class=\"wide\"><table class=\"submissions\"><tr><th>submission</th>"
                 + ("<th>student</th>" if students else "") + "<th class=\"num\">score</th>"
                 + "".join(f"<th class=\"ex\">{_e(tags.get(name, ''))}<small>{_e(name)}</small></th>"
                           for name in exercise_names) + "</tr>")
    for result in sorted(results, key=lambda r: (_student(r).lower(), Path(r["file"]).name)):
        by_name = {e["name"]: e for e in result["exercises"]}
        cells = []
        for name in exercise_names:
            entry = by_name.get(name)
            status = entry["status"] if entry else "missing"
            points = _points(entry["points"]) if entry else ""
            cells.append(f"<td class=\"num {status if status in STATUSES else 'error'}\" "
                         f"title=\"{_e(name)}: {_e(status)}\">{points}</td>")
        parts.append(f"<tr><td>{_e(Path(result['file']).name)}</td>"
                     + (f"<td>{_e(result.get('student') or '')}</td>" if students else "")
                     + f"<td class=\"num\"><b>{_points(result['score'])}</b>/{_points(result['max_score'])}</td>"
                     + "".join(cells) + "</tr>")
    return "".join(parts) + "</table></div>"


# --------------------------------------------------------------------------- the page

def render(summary: Dict, results: Sequence[Dict], similar: Optional[Dict] = None,
           notebook: str = "Transformer", title: Optional[str] = None) -> str:
    """The page's HTML text. ``summary``: ``report.summary(results, names)``; ``similar``:
    ``similarity.scan(...)`` of the same submissions (or None)."""
    names = list(summary["exercises"])
    scores = summary["scores"]
    title = title or f"Class report: {notebook}"
    isolation = ", ".join(f"{k} ({v})" for k, v in (summary.get("isolation") or {}).items()) or "none"
    cards = [("submissions", summary["submissions"]),
             ("mean score", "n/a" if scores["mean"] is None else f"{scores['mean']:.1f}"),
             ("median", "n/a" if scores["median"] is None else _points(scores["median"])),
             ("min / max", "n/a" if scores["min"] is None else f"{_points(scores['min'])} / {_points(scores['max'])}"),
             ("with errors or timeouts", len(summary["problems"]))]
    body = [f"<h1>{_e(title)}</h1>",
            f"<p class=\"meta\">Grader {_e(summary.get('grader_version'))}; policy {_e(summary.get('policy'))}; "
            f"sandbox isolation: {_e(isolation)}.</p>",
            "<div class=\"cards\">" + "".join(f"<div class=\"card\"><b>{_e(value)}</b><span>{_e(label)}</span></div>"
                                              for label, value in cards) + "</div>"]
    if summary["submissions"]:
        body.append("<div class=\"figures\">"
                    f"<figure><img alt=\"score histogram\" src=\"{histogram_png(summary)}\">"
                    "<figcaption>Scores in bins of 10 points (the last bin includes 100).</figcaption></figure>"
                    f"<figure><img alt=\"results per exercise\" src=\"{exercises_png(summary)}\">"
                    "<figcaption>Statuses per exercise, as shares of the submissions.</figcaption></figure></div>")
    else:
        body.append("<p class=\"none\">No submissions were graded.</p>")
    body += ["<h2 id=\"exercises\">Exercises</h2>", _exercise_table(summary), _feedback_section(summary),
             _problems_section(summary, results), _similarity_section(similar),
             _submissions_section(results, names)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body><main>\n"
            + "\n".join(body) + "\n</main></body></html>\n")
