"""``python -m grader`` is the ``looplab`` command."""
import sys

from grader.cli import main

sys.exit(main())
