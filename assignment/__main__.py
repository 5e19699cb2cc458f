"""``python -m assignment ...``: see assignment/cli.py."""
import sys

from assignment.cli import main

sys.exit(main())
