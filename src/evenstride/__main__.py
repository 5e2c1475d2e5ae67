# SPDX-License-Identifier: MIT
"""``python -m evenstride``."""

from evenstride.cli import main

raise SystemExit(main())
