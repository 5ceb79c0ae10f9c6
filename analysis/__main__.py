"""Run the command line as ``python -m analysis``."""

from .delivery.cli import run

run()
