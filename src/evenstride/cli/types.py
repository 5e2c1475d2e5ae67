# SPDX-License-Identifier: MIT
"""Validated ``argparse`` types shared by every command-line option.

Each type turns the text of one option into a value or raises
:class:`argparse.ArgumentTypeError`, which the CLI prints as one line naming the option, with exit
code 2 (never a traceback). The bounds below are *engineering* plausibility limits that keep
absurd input from reaching the analysis (issue 14), not clinical thresholds.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from evenstride.exceptions import UserInputError

__all__ = [
    "DEMO_MIN_DURATION_MIN",
    "HR_MAX_RANGE_BPM",
    "HR_REST_RANGE_BPM",
    "MAX_ROW_ID",
    "MAX_SEED",
    "athlete_name",
    "bounded_float",
    "check_hr_order",
    "demo_duration_min",
    "finite_float",
    "hr_max_bpm",
    "hr_rest_bpm",
    "nonnegative_float",
    "positive_float",
    "row_id",
    "seed",
]

#: Largest id a store row can have (SQLite INTEGER is a signed 64-bit number).
MAX_ROW_ID = 2**63 - 1
#: Largest bootstrap/simulation seed accepted (numpy seeds are non-negative; 64 bits is plenty).
MAX_SEED = 2**64 - 1
#: Resting heart rate accepted (bpm). Engineering bound: the lowest resting rates reported in
#: endurance athletes are in the high 20s; above 120 bpm at rest is not a resting value.
HR_REST_RANGE_BPM = (25.0, 120.0)
#: Maximum heart rate accepted (bpm). Engineering bound, wide around the usual adult range.
HR_MAX_RANGE_BPM = (100.0, 250.0)
#: Shortest demo run (min): the demo plants single-leg drills from minute 10, two stops and a
#: walk break, which the simulator cannot fit into a shorter run (21.5 min is the measured limit).
DEMO_MIN_DURATION_MIN = 22.0
#: Longest demo run (min).
DEMO_MAX_DURATION_MIN = 24 * 60.0
#: Longest athlete name (characters).
MAX_NAME_CHARS = 200


def finite_float(text: str) -> float:
    """A finite number (no ``nan``/``inf``)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"must be a finite number (got {text!r})")
    return x


def positive_float(text: str) -> float:
    """A finite number above 0."""
    x = finite_float(text)
    if x <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0 (got {text!r})")
    return x


def nonnegative_float(text: str) -> float:
    """A finite number, 0 or more."""
    x = finite_float(text)
    if x < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {text!r})")
    return x


def bounded_float(lo: float, hi: float, unit: str = "") -> Callable[[str], float]:
    """A type accepting a finite number in ``[lo, hi]``."""
    u = f" {unit}" if unit else ""

    def parse(text: str) -> float:
        x = finite_float(text)
        if not lo <= x <= hi:
            raise argparse.ArgumentTypeError(f"must be {lo:g}–{hi:g}{u} (got {text!r})")
        return x

    parse.__name__ = f"number {lo:g}–{hi:g}{u}"
    return parse


def _bounded_int(text: str, lo: int, hi: int, what: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not lo <= n <= hi:
        raise argparse.ArgumentTypeError(f"{what} must be {lo}–{hi} (got {text})")
    return n


def row_id(text: str) -> int:
    """A store id: a whole number from 1 to 2**63 − 1 (what SQLite can hold)."""
    return _bounded_int(text, 1, MAX_ROW_ID, "an id")


def seed(text: str) -> int:
    """A random seed: a whole number from 0 to 2**64 − 1."""
    return _bounded_int(text, 0, MAX_SEED, "a seed")


def athlete_name(text: str) -> str:
    """A non-empty athlete name (surrounding spaces removed), without control characters."""
    name = text.strip()
    if not name:
        raise argparse.ArgumentTypeError("an athlete name cannot be empty")
    if len(name) > MAX_NAME_CHARS:
        raise argparse.ArgumentTypeError(f"an athlete name has at most {MAX_NAME_CHARS} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise argparse.ArgumentTypeError("an athlete name cannot contain control characters")
    return name


hr_rest_bpm = bounded_float(*HR_REST_RANGE_BPM, unit="bpm")
hr_max_bpm = bounded_float(*HR_MAX_RANGE_BPM, unit="bpm")
demo_duration_min = bounded_float(DEMO_MIN_DURATION_MIN, DEMO_MAX_DURATION_MIN, unit="min")


def check_hr_order(rest_bpm: float | None, max_bpm: float | None) -> None:
    """``--hr-max`` must be above ``--hr-rest`` when both are given (one-line
    :class:`~evenstride.exceptions.UserInputError`; the ranges of the two types cannot cross
    otherwise, and the defaults are 60 and 190 bpm)."""
    if rest_bpm is not None and max_bpm is not None and max_bpm <= rest_bpm:
        raise UserInputError(
            f"--hr-max ({max_bpm:g}) must be above --hr-rest ({rest_bpm:g})"
        )
