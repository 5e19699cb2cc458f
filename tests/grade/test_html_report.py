"""The class report page (assignment/grade/html_report.py) on synthetic result rows: learner
text escaped, figures embedded, an empty batch, a batch of errors, and the hook in ``grade``."""
import base64
import html.parser
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from assignment.exercises import exercises_of
from assignment.grade import html_report, report

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
NAMES = [e.name for e in exercises_of("Transformer")]
HOSTILE_FILE = "<script>window.pwned=1;<img src=x onerror=\"window.pwned=3\">.ipynb"  # no '/' in a file name
HOSTILE_FEEDBACK = "<script>window.pwned=2</script> look at <b>this</b> & \"that\""
# what the page may contain: the tags the module writes, never a script, an event handler or a link out
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "div", "b",
                "span", "small", "code", "figure", "img", "figcaption", "table", "tr", "th", "td", "ul", "li", "pre"}


def row(file, statuses, feedback="", advice=(), error=None, student=None):
    """A result row shaped like core.grade_file's: ``statuses`` per exercise, in registry order."""
    exercises = []
    for exercise, status in zip(exercises_of("Transformer"), statuses):
        text = feedback if status != "passed" else ""
        exercises.append({"name": exercise.name, "tag": exercise.tag, "max_points": exercise.points,
                          "points": exercise.points if status == "passed" else 0.0, "status": status,
                          "feedback": text, "feedback_line": text.splitlines()[0] if text else "",
                          "notes": [], "advice": list(advice) if status == "passed" else [], "seconds": 1.0,
                          "output": ""})
    result = {"file": f"/submissions/{file}", "notebook": "Transformer", "policy": "course", "error": error,
              "score": sum(e["points"] for e in exercises), "max_score": 100.0, "exercises": exercises,
              "isolation": "bwrap"}
    if student:
        result["student"] = student
    return result


def similarity_document(code_line):
    pair = {"a": HOSTILE_FILE, "b": "bob.ipynb", "score": 0.93, "a_cell": 4, "b_cell": 5,
            "a_lines": [[1, 3]], "b_lines": [[2, 4]], "a_text": [code_line], "b_text": ["return x  # bob"]}
    exercises = {name: {"compared": 2, "given_code_only": 0, "too_short": [], "flagged_pairs": 0, "clusters": [],
                        "pairs": []} for name in NAMES}
    exercises["EncoderLayer"].update(flagged_pairs=1, clusters=[[HOSTILE_FILE, "bob.ipynb"]], pairs=[pair])
    return {"method": "winnowing", "threshold": 0.6, "k": 8, "window": 4, "min_tokens": 30, "submissions": 2,
            "exercises": exercises}


class Tags(html.parser.HTMLParser):
    """Every start tag of the page with its attributes, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page):
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


def png_size(uri):
    assert uri.startswith("data:image/png;base64,")
    data = base64.b64decode(uri.split(",", 1)[1], validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def class_page(hostile=True):
    rows = [row(HOSTILE_FILE if hostile else "eve.ipynb", ["passed"] * 3 + ["failed"] * 5, HOSTILE_FEEDBACK,
                student="<i>Eve</i>"),
            row("bob.ipynb", ["passed"] * 8, advice=["<script>advice()</script> swap only the last two axes"]),
            row("carol.ipynb", ["passed"] * 6 + ["timeout", "error"], "Timed out after 60 s")]
    summary = report.summary(rows, NAMES)
    return html_report.render(summary, rows, similarity_document("def f(x):  # </pre><script>code()</script>"))


def test_learner_text_is_escaped_everywhere():
    page = class_page()
    parsed = parse(page)
    assert "<script" not in page.lower()
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,")
    text = "".join(parsed.text)
    # each learner text shows as itself: the file name, the student, the feedback, the advice, the code
    for shown in (HOSTILE_FILE, "<i>Eve</i>", HOSTILE_FEEDBACK, "<script>advice()</script>",
                  "# </pre><script>code()</script>"):
        assert shown in text, shown
    csp = next(attrs for tag, attrs in parsed.tags if tag == "meta" and attrs.get("http-equiv"))
    assert "default-src 'none'" in csp["content"] and "script-src" not in csp["content"]


def test_figures_are_embedded_pngs():
    parsed = parse(class_page(hostile=False))
    images = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert [attrs["alt"] for attrs in images] == ["score histogram", "results per exercise"]
    for attrs in images:
        width, height = png_size(attrs["src"])
        assert width > 200 and height > 100
    text = "".join(parsed.text)
    assert "Timed out after 60 s" in text and "carol.ipynb" in text and "0.93" in text


def test_sections_carry_the_summary():
    page = class_page(hostile=False)
    table = page.split('id="exercises"', 1)[1].split("</table>", 1)[0]
    rates = dict(re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+%)</td>', table))
    # get_angles passed by all three, DecoderLayer by bob and carol, Decoder and Transformer by bob only
    assert rates == {**{name: "100%" for name in NAMES[:3]}, "EncoderLayer": "67%", "Encoder": "67%",
                     "DecoderLayer": "67%", "Decoder": "33%", "Transformer": "33%"}
    problems = page.split('id="problems"', 1)[1].split("</table>", 1)[0]
    assert "carol.ipynb" in problems and "Decoder: <b>timeout</b>" in problems and "eve.ipynb" not in problems
    feedback = page.split('id="feedback"', 1)[1].split('id="advice"', 1)[0]
    assert feedback.count("1 &times;</span> &lt;script&gt;") == 5  # eve's five failed exercises, one each
    assert feedback.count("Timed out after 60 s") == 2  # carol's Decoder (timeout) and Transformer (error)
    assert feedback.count("<h3>") == 5


def test_empty_batch():
    summary = report.summary([], NAMES)
    page = html_report.render(summary, [], None)
    parsed = parse(page)
    assert not [tag for tag, _ in parsed.tags if tag == "img"]
    text = "".join(parsed.text)
    assert "No submissions were graded." in text and "No similarity report." in text


def test_a_batch_of_errors():
    rows = [row(f"s{i}.ipynb", ["error"] * 8, "unreadable submission: not JSON", error="unreadable submission: "
                "not JSON") for i in range(4)]
    summary = report.summary(rows, NAMES)
    assert summary["scores"]["histogram"]["0-10"] == 4
    page = html_report.render(summary, rows, None)
    parsed = parse(page)
    assert len([tag for tag, _ in parsed.tags if tag == "img"]) == 2
    problems = page.split('id="problems"', 1)[1].split("</table>", 1)[0]
    assert problems.count("unreadable submission: not JSON") == 4
    assert "0%" in page.split('id="exercises"', 1)[1].split("</table>", 1)[0]


def test_drawing_leaves_pyplot_and_the_backend_alone():
    # the backend as set, read without resolving it (matplotlib.get_backend() would import pyplot)
    code = ("import sys, matplotlib; backend = lambda: dict.__getitem__(matplotlib.rcParams, 'backend'); "
            "before = backend(); from tests.grade.test_html_report import class_page; class_page(); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'; "
            "assert backend() == before, (before, backend()); print('ok')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def test_grade_writes_the_report_beside_the_summary(tmp_path, monkeypatch, capsys):
    from assignment import cli
    from assignment.grade import batch

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("alice.py", "bob.py"):
        (folder / name).write_text("def get_angles(pos, k, d):\n    return pos\n")

    def fake_batch(paths, *args, **kwargs):
        return [row(path.name, ["passed"] * 4 + ["failed"] * 4, "<script>x()</script>") for path in paths]

    monkeypatch.setattr(batch, "run_batch", fake_batch)
    out = tmp_path / "out" / "grades.csv"
    assert cli.main(["grade", str(folder), "--out", str(out), "--isolation", "none", "--quiet",
                     "--notebook", "Transformer"]) == 0
    page = (tmp_path / "out" / "grades-report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "<script" not in page
    assert "grades-report.html" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["a & b", "<", "\"'", "</style>"])
def test_escape_helper(text):
    assert parse(f"<p>{html_report._e(text)}</p>").text == [text]
