"""The errors every verb of ``python -m assignment`` shares, and the one wrapper that reports them.

A verb raises ``UsageError`` (bad command line or bad input: exit status 2) or ``Failure``
(the work could not be done: exit status 1); ``command`` turns either into one
``error: ...`` line on stderr, never a traceback, and Ctrl-C into status 130. The parser
that raises ``UsageError`` for a bad command line is ``assignment.cli.Parser``. No import
of any verb here (no cycles).
"""
from __future__ import annotations

import functools
import sys
from typing import Callable, List, Optional


class UsageError(Exception):
    """A bad command line or bad input: one line on stderr, exit status 2."""


class Failure(Exception):
    """The command could not do its work (not the user's typo): one line on stderr, exit status 1."""


def command(main: Callable[[Optional[List[str]]], int]) -> Callable[[Optional[List[str]]], int]:
    """Wrap a verb's ``main(argv) -> int``: UsageError -> 2, Failure -> 1, Ctrl-C -> 130,
    ``--help`` -> 0, each reported as one ``error: ...`` line."""
    if getattr(main, "wrapped_command", False):
        return main

    @functools.wraps(main)
    def run(argv=None) -> int:
        try:
            return int(main(argv) or 0)
        except UsageError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except Failure as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        except SystemExit as exit_:  # argparse's --help, or a verb that calls sys.exit
            code = exit_.code
            return code if isinstance(code, int) else (0 if code is None else 1)

    run.wrapped_command = True
    return run
