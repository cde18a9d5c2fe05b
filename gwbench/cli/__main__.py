"""`python -m gwbench.cli ...`, the same as the `gwbench` command."""

import sys

from gwbench.cli import main

sys.exit(main())
