"""``python -m stockbench``: the same as the ``stockbench`` command."""

import sys

from stockbench.cli import main

sys.exit(main())
