"""``python -m assignment ...``: see assignment/cli.py."""
import sys

from assignment.cli import main, quiet_tensorflow

quiet_tensorflow(argv=sys.argv[1:])  # before any verb imports TensorFlow: no start-up lines on the terminal
sys.exit(main())
