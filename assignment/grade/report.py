"""Grading results as a table, JSON, Gradescope ``results.json``, CSV and class summary."""
from __future__ import annotations

import csv
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Dict, Sequence

from assignment.grade import GRADER_VERSION


def _points(value: float) -> str:
    return f"{value:g}"


def _one_line(text: str, width: int = 100) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[:width - 3] + "..."


def table(result: Dict) -> str:
    """The text table of one submission, ending with ``Score: X/100``."""
    rows = [(e["name"], f"{_points(e['points'])}/{_points(e['max_points'])}", e["status"],
             _one_line(e.get("feedback_line") or e.get("feedback", "")
                       or (f"advice: {e['advice'][0]}" if e.get("advice") else ""))) for e in result["exercises"]]
    headers = ("exercise", "points", "status", "feedback")
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(3)]
    lines = [result["release_line"]] if result.get("release_line") else []  # another release: one line on top
    lines += [f"{headers[0]:<{widths[0]}}  {headers[1]:>{widths[1]}}  {headers[2]:<{widths[2]}}  {headers[3]}",
             "-" * (sum(widths) + 6 + 40)]
    for row in rows:
        lines.append(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}".rstrip())
    for note in result.get("notes") or []:
        lines.append(f"Note: {note}")
    advised = [e for e in result["exercises"] if e.get("advice")]
    if advised:
        lines.append("Advice (beyond the course's tests; these do not cost points under the course policy):")
        for e in advised:
            for item in e["advice"]:
                lines.append(f"- {e['name']}: {_one_line(item, 300)}")
    if result.get("error"):
        lines.append(f"Error: {result['error']}")
    lines.append(f"Score: {_points(result['score'])}/{_points(result['max_score'])}")
    return "\n".join(lines)


def as_json(result: Dict) -> Dict:
    """The JSON document of one submission (per exercise and totals, with versions)."""
    return {
        "file": result["file"],
        "student": result.get("student"),
        "notebook": result.get("notebook"),
        "score": result["score"],
        "max_score": result["max_score"],
        "policy": result.get("policy", "course"),
        "release": result.get("release") or {"name": "current", "mask_convention": "current", "signs": []},
        "exercises": [dict({key: e[key] for key in ("name", "tag", "points", "max_points", "status", "feedback",
                                                     "seconds", "notes", "output")}, advice=e.get("advice") or [])
                      for e in result["exercises"]],
        "notes": result.get("notes") or [],
        "error": result.get("error"),
        "seconds": result.get("seconds"),
        "grader_version": result.get("grader_version", GRADER_VERSION),
        "tensorflow_version": result.get("tensorflow_version"),
        "isolation": result.get("isolation"),
        "reference_sha256": result.get("reference_sha256"),
    }


def gradescope(result: Dict) -> Dict:
    """Gradescope's ``results.json``: the score and one test per exercise."""
    tests = []
    for e in result["exercises"]:
        output = f"{e['status']}" + (f": {e['feedback']}" if e.get("feedback") else "")
        output += "".join(f"\nAdvice: {item}" for item in e.get("advice") or [])
        tests.append({"name": f"{e['tag']} {e['name']}", "score": e["points"], "max_score": e["max_points"],
                      "output": output, "visibility": "visible"})
    # the format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (docs/gradescope.md)
    document = {"score": result["score"], "execution_time": round(float(result.get("seconds") or 0.0)),
                "tests": tests, "output": f"Grader {result.get('grader_version')}, "
                f"TensorFlow {result.get('tensorflow_version')}", "visibility": "visible"}
    if result.get("error"):
        document["output"] += f"\nError: {result['error']}"
    return document


def write_json(path, document) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- batch

def write_csv(path, results: Sequence[Dict], exercise_names: Sequence[str]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "student"] + list(exercise_names) + ["total", "advice", "errors", "isolation"])
        for result in results:
            by_name = {e["name"]: e for e in result["exercises"]}
            problems = [f"{e['name']}: {e['status']}" for e in result["exercises"] if e["status"] in ("error", "timeout")]
            if result.get("error"):
                problems = [result["error"]]
            student = result.get("student") or Path(result["file"]).name  # the file when no platform names one
            writer.writerow([Path(result["file"]).name, student]
                            + [_points(by_name[name]["points"]) for name in exercise_names]
                            + [_points(result["score"]), sum(len(e.get("advice") or []) for e in result["exercises"]),
                               "; ".join(problems), result.get("isolation") or ""])


def summary(results: Sequence[Dict], exercise_names: Sequence[str], top: int = 5) -> Dict:
    """Class summary: pass rates, frequent feedback per exercise, scores, problem submissions."""
    scores = [r["score"] for r in results]
    per_exercise = {}
    for name in exercise_names:
        entries = [next(e for e in r["exercises"] if e["name"] == name) for r in results]
        statuses = Counter(e["status"] for e in entries)
        hints = Counter(_one_line(e.get("feedback_line") or e["feedback"], 160)
                        for e, r in zip(entries, results)
                        if e["status"] != "passed" and not r.get("error") and (e.get("feedback_line") or e["feedback"]))
        advice = Counter(_one_line(item, 160) for e in entries for item in e.get("advice") or [])
        per_exercise[name] = {
            "pass_rate": round(statuses["passed"] / len(entries), 4) if entries else 0.0,
            "statuses": dict(statuses),
            "frequent_feedback": [{"feedback": hint, "count": count} for hint, count in hints.most_common(top)],
            "advised": sum(1 for e in entries if e.get("advice")),
            "frequent_advice": [{"advice": item, "count": count} for item, count in advice.most_common(top)],
        }
    bins = Counter()
    for score in scores:
        low = min(int(score // 10) * 10, 90)
        bins[f"{low}-{low + 10}"] += 1
    return {
        "submissions": len(results),
        "policy": results[0].get("policy", "course") if results else "course",
        "exercises": per_exercise,
        "scores": {"mean": round(statistics.mean(scores), 3) if scores else None,
                   "median": statistics.median(scores) if scores else None,
                   "min": min(scores) if scores else None, "max": max(scores) if scores else None,
                   "histogram": {f"{low}-{low + 10}": bins.get(f"{low}-{low + 10}", 0) for low in range(0, 100, 10)}},
        "problems": [{"file": Path(r["file"]).name,
                      "student": r.get("student") or Path(r["file"]).name,
                      "error": r.get("error"),
                      "exercises": {e["name"]: e["status"] for e in r["exercises"] if e["status"] in ("error", "timeout")}}
                     for r in results if r.get("error") or any(e["status"] in ("error", "timeout") for e in r["exercises"])],
        "grader_version": GRADER_VERSION,
        "isolation": dict(Counter(r.get("isolation") or "not run" for r in results)),
    }


def summary_markdown(document: Dict) -> str:
    lines = ["# Class summary", "", f"{document['submissions']} submissions. "
             f"Mean score {document['scores']['mean']}, median {document['scores']['median']}.", "",
             "Sandbox isolation: " + ", ".join(f"{k} ({v} submissions)" for k, v in
                                               (document.get("isolation") or {}).items()) + ".", "",
             "## Exercises", "", "| exercise | pass rate | passed | failed | error | timeout | missing |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, data in document["exercises"].items():
        s = data["statuses"]
        lines.append(f"| {name} | {data['pass_rate'] * 100:.0f}% | {s.get('passed', 0)} | {s.get('failed', 0)} | "
                     f"{s.get('error', 0)} | {s.get('timeout', 0)} | {s.get('missing', 0)} |")
    lines += ["", "## Most frequent feedback (the mistakes the class makes)", ""]
    for name, data in document["exercises"].items():
        if not data["frequent_feedback"]:
            continue
        lines.append(f"### {name}")
        lines.append("")
        for item in data["frequent_feedback"]:
            lines.append(f"- {item['count']} x {item['feedback'].replace('|', '/')}")
        lines.append("")
    lines += ["## Most frequent advice (beyond the course's tests)", "",
              f"Policy: {document.get('policy', 'course')} "
              + ("(these failures cost no points; `--strict` makes them count)."
                 if document.get("policy", "course") == "course" else "(these failures cost points)."), ""]
    advised = [(name, data) for name, data in document["exercises"].items() if data.get("frequent_advice")]
    if not advised:
        lines += ["None.", ""]
    for name, data in advised:
        lines += [f"### {name} ({data['advised']} submissions)", ""]
        for item in data["frequent_advice"]:
            lines.append(f"- {item['count']} x {item['advice'].replace('|', '/')}")
        lines.append("")
    lines += ["## Score distribution", "", "| score | submissions |", "|---|---:|"]
    for label, count in document["scores"]["histogram"].items():
        lines.append(f"| {label} | {count} |")
    lines += ["", "## Submissions with errors or timeouts", ""]
    if not document["problems"]:
        lines.append("None.")
    for problem in document["problems"]:
        detail = problem["error"] or ", ".join(f"{k}: {v}" for k, v in problem["exercises"].items())
        lines.append(f"- {problem['file']}: {detail}")
    return "\n".join(lines) + "\n"
