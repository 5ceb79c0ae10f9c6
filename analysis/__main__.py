"""Run the command line as ``python -m analysis``."""

import sys

from .delivery.cli import main

sys.exit(main())
