# SPDX-License-Identifier: MIT
"""The ``evenstride`` command line: argparse and printing over the core and the services.

:func:`main` is the console script's entry point (``evenstride.cli:main``).
"""

from __future__ import annotations

from evenstride.cli.app import main
from evenstride.cli.summary import merge_warnings, print_summary

__all__ = ["main", "merge_warnings", "print_summary"]
