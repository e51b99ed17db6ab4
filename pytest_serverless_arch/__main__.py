"""Entry point for ``python -m pytest_serverless_arch``."""

from .cli import run

run()
