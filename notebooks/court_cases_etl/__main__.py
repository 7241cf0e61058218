"""``python -m court_cases_etl``: the pipeline's command line (see cli.py)."""

import sys

from .cli import main

sys.exit(main())
