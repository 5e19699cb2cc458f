"""The command line, ``python -m assignment VERB [SUB-VERB] [options]``: every verb, sub-verb
and option is declared here, and only here.

One parser class (``Parser``: argparse, raising ``UsageError`` instead of printing and
exiting), one exit convention (``assignment.errors.command``: one ``error: ...`` line;
2 for a usage error, 1 for a failure, 130 for Ctrl-C, 0 for ``--help``). Each (sub-)verb
names the function that implements it (``_runs``); its options reach that function as
keyword arguments of plain values (paths, numbers, flags), named by their ``dest``. No
other module of the package parses a command line.

    check                 the public tests on the reference solutions
    notebooks build|check|run
                          write the notebooks from their sources; are they up to date; execute one
    release DIR           the learner's release (notebooks, public tests, their environment)
    gradescope build|run  the Gradescope autograder archive; what runs inside it
    grade PATH            grade one submission, a folder or an export
    ner train|evaluate|predict|convert|synth|social
    dates train|translate
    kernel                install the project's Jupyter kernel
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

# Defaults that are facts of one verb only, written here once.
NER_OUT = os.path.join("build", "ner")
DATES_OUT = os.path.join("build", "dates_model")
SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.I)


class _Formatter(argparse.HelpFormatter):
    """Each verb and its help on one line ("gradescope" too)."""

    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)

    def add_argument(self, action):
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):  # argparse leaves out their extra indent
            self._action_max_length += 2 * self._indent_increment


def quiet_tensorflow(environ=os.environ) -> None:
    """Set ``QUIET_TENSORFLOW`` in ``environ`` where the caller has not set them."""
    for name, value in QUIET_TENSORFLOW.items():
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

def build_parser() -> Parser:
    """The whole command line: verbs, sub-verbs, options, and the function each one runs."""
    parser = Parser(prog=PROG, description="The Transformer Network assignment: its notebooks, the learner's "
                                           "release, the grader and the labs.",
                    epilog=f"`{PROG} VERB --help` for the options of a verb.")
    verbs = parser.add_subparsers(dest="_verb", metavar="VERB", title="verbs", required=True)

    check = verbs.add_parser("check", help="run the public tests against the reference solutions",
                             description="Run the public tests on the reference solutions: one row per exercise; "
                                         "exit 1 if any fails (a smoke test of a fresh install).")
    _notebook_options(check, "only this notebook's exercises (default: all)")
    _runs(check, "assignment.self_check", "check_reference")

    _add_notebooks(verbs)

    release = verbs.add_parser(
        "release", help="write the learner's release: notebooks, public tests, their environment",
        description="Write the learner's release into DIR: the learner notebooks, public_tests.py, the checks' "
                    "learner side and the recorded public values, the pinned environment and its set-up; no "
                    "solution.")
    release.add_argument("out_dir", metavar="DIR", type=Path, help="the folder to write")
    release.add_argument("--zip", dest="archive", action="store_true",
                         help="also write DIR.zip, the same files in one archive (the same bytes on every run), "
                              "for a course page")
    _notebook_options(release, "only this notebook (default: every notebook a release can hold)")
    _runs(release, "assignment.release.build", "publish")

    _add_gradescope(verbs)
    _add_grade(verbs)
    _add_ner(verbs)
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
    notebooks = verbs.add_parser("notebooks", help="generate the notebooks from their sources, check them, run one",
                                 description="The notebooks: notebooks/<Name>.ipynb, generated from "
                                             "notebooks/source/<Name>.md and the reference solutions.")
    sub = notebooks.add_subparsers(dest="_subverb", metavar="build|check|run", required=True)

    build = sub.add_parser("build", help="write the learner copies (and the solved ones) from the sources",
                           description="Write notebooks/<Name>.ipynb (learner copies) from notebooks/source/<Name>.md "
                                       "and the reference solutions; the same sources give the same bytes.")
    build.add_argument("--solutions", metavar="DIR", type=Path,
                       help="also write the solved copies (instructors only) into DIR")
    build.add_argument("--out", metavar="DIR", type=Path, default=NOTEBOOK_DIR,
                       help="folder of the learner copies (default: notebooks/)")
    _notebook_options(build, "only this notebook (default: every one with a source)")
    _runs(build, "assignment.notebooks.build", "build_notebooks")

    check = sub.add_parser("check", help="exit 1 if a committed learner copy is out of date (writes nothing)",
                           description="Write nothing; exit 1 if a learner copy differs from what `notebooks build` "
                                       "writes.")
    check.add_argument("--out", metavar="DIR", type=Path, default=NOTEBOOK_DIR,
                       help="folder of the learner copies (default: notebooks/)")
    _runs(check, "assignment.notebooks.build", "check_notebooks")

    run = sub.add_parser("run", help="execute the solved notebook on a fresh kernel and save it",
                         description="Execute the solved notebook on a fresh kernel and save it with its outputs; "
                                     "exit 1 when a cell fails or a public test does not pass.")
    run.add_argument("--notebook", type=_notebook, default="Transformer", metavar="NAME",
                     help=f"the notebook ({', '.join(NOTEBOOKS)}; default: Transformer)")
    run.add_argument("--output", type=Path, default=None, help="where to save it (default: build/<Name>_solved.ipynb)")
    run.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell (default: 900)")
    run.add_argument("--skip-optional", action="store_true",
                     help="do not run the cells of the included, optional sections (which may train a model)")
    _runs(run, "assignment.notebooks.execute", "run_notebook")


def _add_gradescope(verbs) -> None:
    gradescope = verbs.add_parser("gradescope", help="build the Gradescope autograder; what runs inside it",
                                  description="The Gradescope autograder: the archive an instructor uploads, and "
                                              "the command its run_autograder calls.")
    sub = gradescope.add_subparsers(dest="_subverb", metavar="build|run", required=True)
    build = sub.add_parser("build", help="write DIR/autograder.zip",
                           description="Write DIR/autograder.zip, a Gradescope autograder: setup.sh, run_autograder, "
                                       "the grader with the reference and the hidden checks.")
    build.add_argument("out_dir", metavar="DIR", type=Path, help="the folder to write autograder.zip into")
    _notebook_options(build, "the notebook it grades, at most one (default: detected per submission)")
    _runs(build, "assignment.grade.autograder", "build_autograder")

    run = sub.add_parser("run", help="inside Gradescope's container: grade the submission, write results.json",
                         description="Inside Gradescope's container: grade the notebook of ROOT/submission and "
                                     "write ROOT/results/results.json (run_autograder calls this).")
    run.add_argument("--root", type=Path, default=None,
                     help="the autograder root (default: $AUTOGRADER_ROOT, else /autograder)")
    run.add_argument("--self-test", dest="self_test_only", action="store_true",
                     help="grade the archive's solved notebook in a temporary layout; exit 1 unless 100/100")
    _runs(run, "assignment.grade.autograder", "run_autograder", grader=True)


def _add_grade(verbs) -> None:
    grade = verbs.add_parser(
        "grade", help="grade submitted notebooks (one file, a folder, or on a Dask cluster)",
        description="Grade submitted notebooks per exercise, running their code in a sandboxed child process. "
                    "Exit status 0 whenever grading finished (whatever the score); 2 for a usage error or a file "
                    "that cannot be read as a submission; 1 when the grading itself could not run.")
    grade.add_argument("path", help="a submission (.ipynb or .py), or a folder or archive (.zip, .tar.gz) of "
                                    "submissions as Gradescope, Canvas, Moodle or nbgrader export them")
    grade.add_argument("--json", dest="json_path", metavar="PATH", help="write the result as JSON (one submission)")
    grade.add_argument("--gradescope", dest="gradescope_path", metavar="PATH", help="write a Gradescope results.json (one submission)")
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
    _runs(grade, "assignment.grade.commands", "grade_path", grader=True)


def _add_ner(verbs) -> None:
    ner = verbs.add_parser("ner", help="named-entity recognition lab: train, evaluate, predict; its data and models",
                           description="The NER lab from the command line. Bad input (data errors, a model that "
                                       "cannot be loaded) exits with status 2 and a one-line message.")
    sub = ner.add_subparsers(dest="_subverb", metavar="train|evaluate|predict|convert|synth|social", required=True)

    train = sub.add_parser("train", help="fine-tune a model and report test entity scores",
                           description="Fine-tune a model on labelled data and report its entity scores.")
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
    _window_options(train)
    train.add_argument("--seed", type=int, default=0, help="seeds every random choice (head, dropout, order)")
    train.add_argument("--out", default=NER_OUT, help=f"output folder (default {NER_OUT})")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    _runs(train, "assignment.labs.ner.commands", "train_model")

    evaluate = sub.add_parser("evaluate", help="entity scores of a trained model on labelled data",
                              description="Entity scores of a trained model on labelled data.")
    _trained_model_option(evaluate)
    _data_options(evaluate)
    evaluate.add_argument("--split", choices=["train", "dev", "test", "all"],
                          help="default: test when the file records splits, else all")
    evaluate.add_argument("--report", dest="report_path", metavar="PATH", help="also write the report as JSON here")
    _window_options(evaluate)
    _runs(evaluate, "assignment.labs.ner.commands", "evaluate_model")

    predict = sub.add_parser("predict", help="entities (with character offsets) in some text",
                             description="Entities (with character offsets) that a trained model finds in text.")
    _trained_model_option(predict)
    predict.add_argument("text", nargs="*", help="text to tag (default: read standard input)")
    predict.add_argument("--json", dest="as_json", action="store_true", help="print JSON")
    _window_options(predict)
    _runs(predict, "assignment.labs.ner.commands", "predict_entities")

    convert = sub.add_parser("convert", help="convert a BERT checkpoint (default: the MiniLM package) to DistilBERT",
                             description="Exact conversion of a BERT encoder checkpoint into the course's "
                                         "DistilBERT class, saved with save_pretrained.")
    convert.add_argument("bert_dir", nargs="?", metavar="BERT_DIR",
                         help="BERT checkpoint folder (default: the installed MiniLM package)")
    convert.add_argument("--out", required=True, help="output folder for the DistilBERT checkpoint")
    _runs(convert, "assignment.labs.ner.commands", "convert_checkpoint")

    synth = sub.add_parser("synth", help="write the synthetic resumes (data/resumes.jsonl), byte for byte",
                           description="Seeded generator of synthetic resumes in the course's annotation format.")
    synth.add_argument("--out", default=os.path.join("data", "resumes.jsonl"), help="default: data/resumes.jsonl")
    synth.add_argument("--n", type=_positive(int), default=300, help="how many resumes (default 300)")
    synth.add_argument("--seed", type=int, default=13, help="default 13")
    _runs(synth, "assignment.labs.ner.commands", "write_resumes")

    social = sub.add_parser("social", help="write the synthetic social-media set (data/social.conll), byte for byte",
                            description="Seeded generator of a synthetic social-media NER set (CoNLL): short "
                                        "posts, six entity types, most of them rare.")
    social.add_argument("--out", default=os.path.join("data", "social.conll"), help="default: data/social.conll")
    social.add_argument("-n", "--n", type=_positive(int), default=3000, help="how many posts (default 3000)")
    social.add_argument("--seed", type=int, default=17, help="default 17")
    _runs(social, "assignment.labs.ner.commands", "write_posts")


def _add_dates(verbs) -> None:
    dates = verbs.add_parser("dates", help="train the Transformer on date normalization, translate dates",
                             description="Train the assignment's Transformer to rewrite dates as YYYY-MM-DD. Usage "
                                         "errors and unreadable dates print one line and exit 2.")
    sub = dates.add_subparsers(dest="_subverb", metavar="train|translate", required=True)

    train = sub.add_parser("train", help="train a model and save it (checkpoint, config, plots)",
                           description="Train the reference Transformer on generated dates and save it.")
    train.add_argument("--steps", type=int, default=2000, help="training steps (default 2000)")
    train.add_argument("--out", default=DATES_OUT, help=f"output folder (default {DATES_OUT})")
    train.add_argument("--minutes", type=float, default=None, help="stop after this many minutes")
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--eval-every", type=int, default=250, help="dev exact-match every N steps")
    train.add_argument("--mode", choices=["function", "xla", "eager"], default="function",
                       help="how the train step runs (default: tf.function)")
    train.add_argument("--layers", type=int, default=None, help="model size overrides:")
    train.add_argument("--dim", type=int, default=None)
    train.add_argument("--heads", type=int, default=None)
    train.add_argument("--ffn", type=int, default=None)
    train.add_argument("--train-size", type=int, default=100_000, help="generated training pairs")
    train.add_argument("--warmup", type=int, default=400, help="warm-up steps of the schedule")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    _runs(train, "assignment.labs.dates.commands", "train_model")

    translate = sub.add_parser("translate", help="rewrite dates with a trained model",
                               description="Rewrite dates as YYYY-MM-DD with a trained model.")
    translate.add_argument("--model", dest="model_dir", metavar="DIR", default=DATES_OUT, help=f"model folder (default {DATES_OUT})")
    translate.add_argument("dates", nargs="+", help='dates such as "3 May 1979"')
    _runs(translate, "assignment.labs.dates.commands", "translate_dates")


# --------------------------------------------------------------------------- dispatch

def _runs(parser, module: str, function: str, grader: bool = False) -> None:
    """The parser's options go, by name, to ``module.function`` (imported when the verb runs);
    ``grader``: it judges submissions (on the CPU, like the sandboxed probes)."""
    parser.set_defaults(_run=(module, function, grader))


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
    """``python -m assignment ...``; returns the exit status."""
    return command(_dispatch)(list(sys.argv[1:] if argv is None else argv))
