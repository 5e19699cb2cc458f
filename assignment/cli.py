"""The command line, ``python -m assignment VERB [SUB-VERB] [options]``: every verb, sub-verb
and option is declared here, and only here.

One parser class (``Parser``: argparse, raising ``UsageError`` instead of printing and
exiting), one exit convention (``assignment.errors.command``: one ``error: ...`` line;
2 for a usage error, 1 for a failure, 130 for Ctrl-C, 0 for ``--help``). Each (sub-)verb
names the function that implements it (``_verb``); its options reach that function as
keyword arguments of plain values (paths, numbers, flags), named by their ``dest``. No
other module of the package parses a command line. ``python -m assignment --help`` lists
the verbs; ``tests/test_cli.py`` holds their table (VERB_TABLE), as docs/ describe it.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from pathlib import Path

from assignment import kernelspec  # standard library only
from assignment.errors import Failure, UsageError, command
from assignment.exercises import NOTEBOOKS
from assignment.labs.ner.decoding import DECODINGS  # numpy only
from assignment.paths import NOTEBOOK_DIR

PROG = "python -m assignment"

# TensorFlow's start-up lines off (the absl "log messages before absl::InitializeLog()"
# notice, "oneDNN custom operations are on", the CPU-feature note): its C++ log shows
# errors only, and oneDNN's custom CPU operations, announced on stderr whatever the log
# level, are off. Set by the command-line entry (assignment/__main__.py) before any verb
# imports TensorFlow, unless the caller set them; never by library code. The grader's
# sandboxed children get the same values from assignment/grade/sandbox.py.
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
# The labs' verbs, which train and run models, keep oneDNN's operations on: they train
# MiniLM twice as fast with them (112 s against 213 s for one WNUT-17 epoch with `ner train`,
# benchmarks/RESULTS.md), worth oneDNN's one start-up line.
ONEDNN_VERBS = ("ner", "qa", "dates")

# Defaults that are facts of one verb only, written here once.
NER_OUT = os.path.join("build", "ner")
DATES_OUT = os.path.join("build", "dates_model")
QA_OUT = os.path.join("build", "qa")
SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.I)


class _Formatter(argparse.HelpFormatter):
    """Each verb and its help on one line ("gradescope" too)."""

    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)

    def add_argument(self, action):
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):  # argparse leaves out their extra indent
            self._action_max_length += 2 * self._indent_increment


def quiet_tensorflow(environ=os.environ, argv=None) -> None:
    """Set ``QUIET_TENSORFLOW`` in ``environ`` where the caller has not set them (for a verb
    of ``ONEDNN_VERBS``, ``argv[0]``, all but the switch that turns oneDNN off)."""
    for name, value in QUIET_TENSORFLOW.items():
        if name == "TF_ENABLE_ONEDNN_OPTS" and argv and argv[0] in ONEDNN_VERBS:
            continue
        environ.setdefault(name, value)


class Parser(argparse.ArgumentParser):
    """argparse, raising ``UsageError`` (one line, exit status 2) instead of printing the
    usage and exiting; sub-verbs get the same class."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(f"{message} (see: {self.prog} --help)")

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if not hasattr(namespace, "_prog"):  # the innermost (sub-)verb parsed finishes first
            namespace._prog = self.prog
        return namespace, extras

    def parse_args(self, args=None, namespace=None):
        namespace, extras = self.parse_known_args(args, namespace)
        if extras:  # named with the (sub-)verb they were given to, not the top parser
            raise UsageError(f"unrecognized arguments: {' '.join(extras)} (see: {namespace._prog} --help)")
        return namespace

    def _check_value(self, action, value):  # argparse's hook for choices: a verb's own message
        if isinstance(action, argparse._SubParsersAction) and value not in action.choices:
            raise UsageError(f"unknown verb {value!r} of {self.prog}; verbs: {', '.join(action.choices)} "
                             f"(see: {self.prog} --help)")
        super()._check_value(action, value)


# --------------------------------------------------------------------------- option types

def _size(text: str) -> int:
    """4G, 512M, 1.5g, 2048 (bytes)."""
    match = SIZE_RE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 4G, 512M)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[unit])


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value
    return parse


def _notebook(text: str) -> str:
    """A notebook of the registry (``assignment/exercises.py``)."""
    if text not in NOTEBOOKS:
        raise argparse.ArgumentTypeError(f"no notebook {text!r}; known: {', '.join(NOTEBOOKS)}")
    return text


def _class_weights(text: str) -> float:
    """--class-weights: on (0.5), off (0) or a power in [0, 2]."""
    named = {"on": 0.5, "off": 0.0}
    try:
        power = named[text] if text in named else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected on, off or a number >= 0, got {text!r}") from None
    if not 0 <= power <= 2:
        raise argparse.ArgumentTypeError(f"the power must be between 0 and 2, got {text!r}")
    return power


def _outside_bias(text: str):
    """--outside-bias: auto, or a number in [0, 10]."""
    if text == "auto":
        return text
    try:
        bias = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected auto or a number, got {text!r}") from None
    if not 0 <= bias <= 10:
        raise argparse.ArgumentTypeError(f"the bias must be between 0 and 10, got {text!r}")
    return bias


# --------------------------------------------------------------------------- shared option groups

def _notebook_options(parser, help_text: str) -> None:
    """--notebook NAME, repeatable (a list, or None for the verb's default)."""
    parser.add_argument("--notebook", dest="notebooks", action="append", type=_notebook, metavar="NAME",
                        help=f"{help_text} ({', '.join(NOTEBOOKS)}; repeatable)")


def _window_options(parser) -> None:
    """--max-length/--stride of the NER lab's windows over long documents."""
    parser.add_argument("--max-length", type=int, default=128,
                        help="window length in subtokens (longer documents are split; default 128)")
    parser.add_argument("--stride", type=int, default=32, help="subtokens shared by consecutive windows (default 32)")


def _data_options(parser, required: bool = True) -> None:
    """--data/--format/--skip-bad of the NER lab's labelled files."""
    parser.add_argument("--data", required=required,
                        help="resume JSON lines or CoNLL file" + ("" if required else
                             " split by itself (its recorded splits, else 80/10/10); or give --train"))
    parser.add_argument("--format", dest="data_format", choices=["jsonl", "conll"],
                        help="default: from each file's extension (.jsonl/.json: jsonl, else conll)")
    parser.add_argument("--skip-bad", action="store_true", help="skip (and count) bad items instead of stopping")


def _trained_model_option(parser) -> None:
    parser.add_argument("--model", dest="model_dir", metavar="DIR", required=True,
                        help="a trained model directory (train's OUT/model)")


# --------------------------------------------------------------------------- the verbs

def _group(verbs, name: str, summary: str, details: str = ""):
    """A verb of sub-verbs; returns where its sub-verbs are added."""
    parser = verbs.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. {details}".strip())
    return parser.add_subparsers(dest=argparse.SUPPRESS, required=True)  # shown as {sub,verbs}


def _verb(verbs, name: str, runs: str, summary: str, details: str = "", grader: bool = False):
    """A (sub-)verb that runs ``runs`` ("module:function"); returns its parser, for its options.
    ``grader``: it judges submissions (on the CPU, like the sandboxed probes)."""
    parser = verbs.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. {details}".strip())
    module, function = runs.split(":")
    parser.set_defaults(_run=(module, function, grader))
    return parser


def build_parser() -> Parser:
    """The whole command line: verbs, sub-verbs, options, and the function each one runs."""
    parser = Parser(prog=PROG, description="The Transformer Network assignment: its notebooks, the learner's "
                                           "release, the grader and the labs.",
                    epilog=f"`{PROG} VERB --help` for the options of a verb.")
    verbs = parser.add_subparsers(dest="_verb", metavar="VERB", title="verbs", required=True)

    check = _verb(verbs, "check", "assignment.self_check:check_reference",
                  "run the public tests against the reference solutions",
                  "One row per exercise; exit 1 if any fails (a smoke test of a fresh install).")
    _notebook_options(check, "only this notebook's exercises (default: all)")

    _add_notebooks(verbs)

    release = _verb(verbs, "release", "assignment.release.publish:publish",
                    "write the learner's release: notebooks, public tests, their environment",
                    "Into DIR: the learner notebooks, public_tests.py, the checks' learner side and the recorded "
                    "public values, the pinned environment and its set-up; no solution.")
    release.add_argument("out_dir", metavar="DIR", type=Path, help="the folder to write")
    release.add_argument("--zip", dest="archive", action="store_true",
                         help="also write DIR.zip, the same files in one archive (the same bytes on every run), "
                              "for a course page")
    _notebook_options(release, "only this notebook (default: every notebook a release can hold)")

    _add_gradescope(verbs)
    _add_grade(verbs)
    _add_ner(verbs)
    _add_qa(verbs)
    _add_dates(verbs)

    kernel = verbs.add_parser(
        "kernel", help="install the project's Jupyter kernel (TF_USE_LEGACY_KERAS=1 in its kernel spec)",
        description="Install the project's Jupyter kernel with TF_USE_LEGACY_KERAS=1 (and TensorFlow's "
                    "start-up notices off) in its kernel spec.")
    kernel.add_argument("--prefix", default=None, help="install prefix (default: this Python's sys.prefix)")
    kernel.add_argument("--name", default=kernelspec.NAME, help=f"kernel name (default: {kernelspec.NAME})")
    kernel.add_argument("--display-name", default=kernelspec.DISPLAY_NAME,
                        help=f"name shown in menus (default: {kernelspec.DISPLAY_NAME!r})")
    kernel.set_defaults(_run=_install_kernel)
    return parser


def _add_notebooks(verbs) -> None:
    sub = _group(verbs, "notebooks", "generate the notebooks from their sources, check them, run one",
                 "notebooks/<Name>.ipynb are generated from notebooks/source/<Name>.md and the reference solutions.")
    build = _verb(sub, "build", "assignment.notebooks.build:build_notebooks",
                  "write the learner copies (and the solved ones) from the sources",
                  "The same sources give the same bytes.")
    build.add_argument("--solutions", metavar="DIR", type=Path,
                       help="also write the solved copies (instructors only) into DIR")
    check = _verb(sub, "check", "assignment.notebooks.build:check_notebooks",
                  "exit 1 if a committed learner copy is out of date (writes nothing)")
    for parser in (build, check):
        parser.add_argument("--out", metavar="DIR", type=Path, default=NOTEBOOK_DIR,
                            help="folder of the learner copies (default: notebooks/)")
    _notebook_options(build, "only this notebook (default: every one with a source)")

    run = _verb(sub, "run", "assignment.notebooks.execute:run_notebook",
                "execute the solved notebook on a fresh kernel and save it",
                "Exit 1 when a cell fails or a public test does not pass.")
    run.add_argument("--notebook", type=_notebook, default="Transformer", metavar="NAME",
                     help=f"the notebook ({', '.join(NOTEBOOKS)}; default: Transformer)")
    run.add_argument("--output", type=Path, default=None, help="where to save it (default: build/<Name>_solved.ipynb)")
    run.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell (default: 900)")
    run.add_argument("--skip-optional", action="store_true",
                     help="do not run the cells of the included, optional sections (which may train a model)")


def _add_gradescope(verbs) -> None:
    sub = _group(verbs, "gradescope", "build the Gradescope autograder; what runs inside it")
    build = _verb(sub, "build", "assignment.grade.autograder:build_autograder",
                  "write DIR/autograder.zip, a Gradescope autograder",
                  "setup.sh, run_autograder, the grader with the reference and the hidden checks.")
    build.add_argument("out_dir", metavar="DIR", type=Path, help="the folder to write autograder.zip into")
    _notebook_options(build, "the notebook it grades, at most one (default: detected per submission)")

    run = _verb(sub, "run", "assignment.grade.autograder:run_autograder",
                "inside Gradescope's container: grade the submission, write results.json",
                "Grades the notebook of ROOT/submission into ROOT/results/results.json (run_autograder calls this).",
                grader=True)
    run.add_argument("--root", type=Path, default=None,
                     help="the autograder root (default: $AUTOGRADER_ROOT, else /autograder)")
    run.add_argument("--self-test", dest="self_test_only", action="store_true",
                     help="grade the archive's solved notebook in a temporary layout; exit 1 unless 100/100")


def _add_grade(verbs) -> None:
    grade = _verb(verbs, "grade", "assignment.grade.commands:grade_path",
                  "grade submitted notebooks (one file, a folder, or on a Dask cluster)",
                  "Their code runs in a sandboxed child process. Exit status 0 whenever grading finished "
                  "(whatever the score); 2 for a usage error or a file that cannot be read as a submission; 1 when "
                  "the grading itself could not run.", grader=True)
    grade.add_argument("path", help="a submission (.ipynb or .py), or a folder or archive (.zip, .tar.gz) of "
                                    "submissions as Gradescope, Canvas, Moodle or nbgrader export them")
    grade.add_argument("--json", dest="json_path", metavar="PATH", help="write the result as JSON (one submission)")
    grade.add_argument("--gradescope", dest="gradescope_path", metavar="PATH",
                       help="write a Gradescope results.json (one submission)")
    grade.add_argument("--out", metavar="CSV", help="folder mode: the CSV of grades (JSON per submission "
                                                    "and the class summary are written next to it)")
    grade.add_argument("--jobs", type=_positive(int), default=None,
                       help="folder mode: parallel submissions (default: one per core)")
    grade.add_argument("--timeout", type=_positive(float), default=60.0,
                       help="wall-clock seconds per exercise (default 60)")
    grade.add_argument("--memory", type=_size, default=4 << 30,
                       help="address-space limit of the child process (default 4G)")
    grade.add_argument("--parallel", type=_positive(int), default=None,
                       help="exercises of one submission probed at the same time "
                            "(default: the cores left per job, at most 2)")
    grade.add_argument("--isolation", choices=("auto", "bwrap", "landlock", "none"), default=None,
                       help="how the sandbox is confined: bwrap (namespaces, only the runtime visible), landlock "
                            "(file-access rules), none (a child process only); auto (default): bwrap, else "
                            "landlock, else refuse")
    grade.add_argument("--no-namespaces", action="store_true", help=argparse.SUPPRESS)  # deprecated: --isolation none
    grade.add_argument("--strict", action="store_true",
                       help="beyond-course scenarios count: failing one fails the exercise (default: the course "
                            "policy, where they only give advice)")
    grade.add_argument("--notebook", type=_notebook, default=None, metavar="NAME",
                       help=f"grade every submission as this notebook of the registry ({', '.join(NOTEBOOKS)}); "
                            "default: detected per submission from its graded cells")
    grade.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="folder mode: grade on this Dask distributed cluster instead of --jobs local processes")
    grade.add_argument("--force", action="store_true",
                       help="folder mode: regrade every submission, also those unchanged since the last run")
    grade.add_argument("--quiet", action="store_true", help="folder mode: no progress bar or progress lines")


def _add_ner(verbs) -> None:
    sub = _group(verbs, "ner", "named-entity recognition lab: train, evaluate, predict; its data and models",
                 "Bad input (data errors, a model that cannot be loaded) exits with status 2 and a one-line message.")
    commands = "assignment.labs.ner.commands"
    train = _verb(sub, "train", f"{commands}:train_model", "fine-tune a model and report test entity scores")
    _data_options(train, required=False)
    train.add_argument("--train", dest="train_file", metavar="FILE", help="the training file (instead of --data)")
    train.add_argument("--validation", metavar="FILE",
                       help="with --train: picks the best epoch and stops early (default: no model selection)")
    train.add_argument("--test", metavar="FILE", help="with --train: scored once, with the final model")
    train.add_argument("--model", default="auto",
                       help="tiny (built offline), minilm (the optional pretrained MiniLM, converted to "
                            "DistilBERT; also distilbert-minilm), a hub name such as distilbert-base-cased, or a "
                            "directory; default: distilbert-base-cased when the hub can be reached, else tiny")
    train.add_argument("--epochs", type=int, help="the most epochs (default: per model family, see docs/ner.md)")
    train.add_argument("--patience", type=int,
                       help="stop after this many epochs without a better validation F1 (0: never; "
                            "default: per model family)")
    train.add_argument("--batch-size", type=int, help="default: per model family (16)")
    train.add_argument("--lr", type=float, help="peak learning rate (default: per model family, tiny 1e-3)")
    train.add_argument("--warmup", type=float, help="fraction of the steps spent warming up (default 0.1)")
    train.add_argument("--class-weights", type=_class_weights, metavar="on|off|POWER",
                       help="weight the loss by label frequency ** -POWER (on: 0.5, i.e. 1/sqrt; off: 0; "
                            "default: per model family)")
    train.add_argument("--subtokens", choices=["first", "all"],
                       help="train on each word's first subtoken or on all (default: per model family)")
    train.add_argument("--decoding", choices=list(DECODINGS),
                       help="argmax per word, or the best valid BIO sequence (bio); kept with the model for "
                            "evaluate/predict (default: per model family)")
    train.add_argument("--outside-bias", type=_outside_bias, metavar="auto|NUMBER",
                       help="subtract NUMBER from the 'O' label's log-probability when decoding (more entities "
                            "found, fewer of them right); auto: the best of 0 to 3 on the validation file, chosen "
                            "with the epoch; kept with the model (default: per model family)")
    train.add_argument("--case", choices=["on", "off"],
                       help="on: the model also reads each word's case (lower, Title, UPPER, ...; for an uncased "
                            "vocabulary; DistilBERT models only); default: per model family")
    _window_options(train)
    train.add_argument("--seed", type=int, default=0, help="seeds every random choice (head, dropout, order)")
    train.add_argument("--out", default=NER_OUT, help=f"output folder (default {NER_OUT})")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    evaluate = _verb(sub, "evaluate", f"{commands}:evaluate_model", "entity scores of a trained model on labelled data")
    _trained_model_option(evaluate)
    _data_options(evaluate)
    evaluate.add_argument("--split", choices=["train", "dev", "test", "all"],
                          help="default: test when the file records splits, else all")
    evaluate.add_argument("--report", dest="report_path", metavar="PATH", help="also write the report as JSON here")
    _window_options(evaluate)

    predict = _verb(sub, "predict", f"{commands}:predict_entities", "entities (with character offsets) in some text")
    _trained_model_option(predict)
    predict.add_argument("text", nargs="*", help="text to tag (default: read standard input)")
    predict.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    _window_options(predict)

    convert = _verb(sub, "convert", f"{commands}:convert_checkpoint",
                    "convert a BERT checkpoint (default: the MiniLM package) to DistilBERT",
                    "Exact, weight for weight; saved with save_pretrained.")
    convert.add_argument("bert_dir", nargs="?", metavar="BERT_DIR",
                         help="BERT checkpoint folder (default: the installed MiniLM package)")
    convert.add_argument("--out", required=True, help="output folder for the DistilBERT checkpoint")

    for name, function, what, shipped, n, seed in (
            ("synth", "write_resumes", "resumes", "resumes.jsonl", 300, 13),
            ("social", "write_posts", "social-media posts", "social.conll", 3000, 17)):
        generator = _verb(sub, name, f"{commands}:{function}",
                          f"write the synthetic {what} (data/{shipped}: the defaults rewrite it byte for byte)")
        generator.add_argument("--out", default=os.path.join("data", shipped), help=f"default: data/{shipped}")
        generator.add_argument(*(["-n"] if name == "social" else []), "--n", type=_positive(int), default=n,
                               help=f"how many (default {n})")
        generator.add_argument("--seed", type=int, default=seed, help=f"default {seed}")


def _add_qa(verbs) -> None:
    sub = _group(verbs, "qa", "question-answering lab: fine-tune DistilBERT on bAbI task-1 stories",
                 "The stories are generated (seeded); usage errors print one line and exit 2.")
    train = _verb(sub, "train", "assignment.labs.qa.commands:train_model",
                  "train, then report exact match and token F1 on the test split",
                  "The reference answer_token_positions encodes the examples; curves in OUT/curves.png.")
    train.add_argument("--model", choices=["tiny", "minilm"], default="tiny",
                       help="tiny: from scratch (default); minilm: the converted pretrained MiniLM")
    train.add_argument("--epochs", type=int, default=None, help="default: the model's (labs/qa/train.py DEFAULTS)")
    train.add_argument("--train-stories", type=int, default=None, help="generated training stories (5 questions each)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default=QA_OUT, help=f"output folder (default {QA_OUT})")
    train.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_dates(verbs) -> None:
    sub = _group(verbs, "dates", "train the Transformer on date normalization, translate dates",
                 "Usage errors and unreadable dates print one line and exit 2.")
    commands = "assignment.labs.dates.commands"
    train = _verb(sub, "train", f"{commands}:train_model", "train a model and save it (checkpoint, config, plots)",
                  "The reference Transformer, on generated pairs of dates.")
    train.add_argument("--steps", type=int, default=2000, help="training steps (default 2000)")
    train.add_argument("--out", default=DATES_OUT, help=f"output folder (default {DATES_OUT})")
    train.add_argument("--minutes", type=float, default=None, help="stop after this many minutes")
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--eval-every", type=int, default=250, help="dev exact-match every N steps")
    train.add_argument("--mode", choices=["function", "xla", "eager"], default="function",
                       help="how the train step runs (default: tf.function)")
    for size in ("layers", "dim", "heads", "ffn"):
        train.add_argument(f"--{size}", type=int, default=None, help="a model size override")
    train.add_argument("--train-size", type=int, default=100_000, help="generated training pairs")
    train.add_argument("--warmup", type=int, default=400, help="warm-up steps of the schedule")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    translate = _verb(sub, "translate", f"{commands}:translate_dates", "rewrite dates with a trained model",
                      "Each as YYYY-MM-DD.")
    translate.add_argument("--model", dest="model_dir", metavar="DIR", default=DATES_OUT,
                           help=f"model folder (default {DATES_OUT})")
    translate.add_argument("dates", nargs="+", help='dates such as "3 May 1979"')


# --------------------------------------------------------------------------- dispatch

def _implementation(module: str):
    """The module that implements a verb, imported when the verb runs rather than when this
    module loads. Start-up time only: most verbs load TensorFlow, and ``--help`` must not.
    It hides no import cycle: no module of the package imports this one (tests/code_health.py
    walks every import)."""
    return importlib.import_module(module)


def _install_kernel(prefix, name, display_name) -> int:
    try:
        print(kernelspec.install_and_describe(prefix, name, display_name))
    except (kernelspec.KernelSpecError, OSError) as error:  # kernelspec.py is standard library only
        raise Failure(str(error)) from None
    return 0


def _dispatch(argv) -> int:
    options = vars(build_parser().parse_args(argv))
    run = options.pop("_run")
    options = {key: value for key, value in options.items() if not key.startswith("_")}  # the verb's names
    if callable(run):
        return run(**options)
    module, function, grader = run
    if grader:
        # TensorFlow's C++ log at errors (also when a test calls main() in its own process)
        # and no GPU for the judge: set by the command line only, never by library code.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    return getattr(_implementation(module), function)(**options)


def main(argv=None) -> int:
    """``python -m assignment ...`` and the console script ``assignment``; returns the exit
    status. Run as the program (``argv`` None: the command line is ``sys.argv``), it first
    sets ``QUIET_TENSORFLOW`` where the caller has not; called with ``argv``, it leaves the
    environment alone."""
    if argv is None:
        quiet_tensorflow(argv=sys.argv[1:])
    return command(_dispatch)(list(sys.argv[1:] if argv is None else argv))
