# SPDX-License-Identifier: MIT
"""Asymmetry indices as small pure functions.

**Sign convention (all indices in evenstride):** positive means the LEFT value is larger,
negative the RIGHT, 0 perfect symmetry. This matches Garmin's ground-contact-time balance
(> 50 % = the left foot's contact is longer). Note that Zifchock et al.'s published symmetry
angle has the opposite sign (SA < 0 when ``X_L > X_R``); our :func:`symmetry_angle` is its
negation, so magnitudes are identical and comparable with the literature.

All functions accept scalars or numpy arrays, never modify their inputs, and return floats or
float64 arrays (NaN where an input is NaN).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "balance_from_symmetry_angle",
    "balance_left_pct",
    "log_ratio",
    "ratio_from_balance",
    "symmetry_angle",
    "symmetry_angle_from_balance",
    "symmetry_index",
    "symmetry_index_from_balance",
]


def _f(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _out(x: np.ndarray) -> np.ndarray | float:
    return float(x) if x.ndim == 0 else x


def symmetry_index(left: ArrayLike, right: ArrayLike) -> np.ndarray | float:
    """Robinson symmetry index with the bilateral mean as reference, in percent.

    Notes
    -----
    ``SI = (X_L − X_R) / (0.5·(X_L + X_R)) × 100 %`` (Robinson et al. 1987; Herzog et al. 1989),
    sign-flipped to our left-positive convention. Unbounded and unstable when ``X_L + X_R → 0``;
    use it only for positive ratio-scale variables and for comparison with older literature.

    Examples
    --------
    >>> round(symmetry_index(0.255, 0.245), 3)
    4.0
    """
    lft, rgt = _f(left), _f(right)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out((lft - rgt) / (0.5 * (lft + rgt)) * 100.0)


def symmetry_angle(left: ArrayLike, right: ArrayLike) -> np.ndarray | float:
    """Symmetry angle (Zifchock et al. 2008), bounded to ±100 %, left-positive.

    Notes
    -----
    ``SA = (arctan(X_L/X_R) − 45°) / 90° × 100 %``, computed with ``atan2(X_L, X_R)`` for
    robustness; when ``|arctan − 45°| > 90°`` (opposite signs) Zifchock's correction subtracts
    180° (science.md §1.2; the correction is recalled, grade [U]). For small asymmetries
    ``SA ≈ SI/π``: a 10 % SI is a 3.18 % SA.

    Examples
    --------
    >>> round(symmetry_angle(1.10, 1.0), 2)
    3.03
    >>> symmetry_angle(2.0, 2.0)
    0.0
    """
    if isinstance(left, float) and isinstance(right, float):
        # two numbers (the delta method calls this many times): the same numpy arctan2 and
        # degrees, the rest in float arithmetic (identical IEEE operations) — no array overhead
        ds = float(np.degrees(np.arctan2(left, right))) - 45.0
        if ds > 90.0:
            ds = ds - 180.0
        if ds < -90.0:
            ds = ds + 180.0
        return ds / 90.0 * 100.0
    lft, rgt = _f(left), _f(right)
    theta = np.degrees(np.arctan2(lft, rgt))
    d = theta - 45.0
    d = np.where(d > 90.0, d - 180.0, d)
    d = np.where(d < -90.0, d + 180.0, d)
    return _out(d / 90.0 * 100.0)


def log_ratio(left: ArrayLike, right: ArrayLike) -> np.ndarray | float:
    """Natural log of ``X_L / X_R``: symmetric around 0 and additive (science.md §1.3).

    Examples
    --------
    >>> round(log_ratio(1.1, 1.0), 4)
    0.0953
    """
    lft, rgt = _f(left), _f(right)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.log(lft / rgt))


def balance_left_pct(left: ArrayLike, right: ArrayLike) -> np.ndarray | float:
    """The left value's share of the sum, percent (Garmin GCT-balance convention).

    Examples
    --------
    >>> round(balance_left_pct(0.26, 0.24), 2)
    52.0
    """
    if isinstance(left, float) and isinstance(right, float) and left + right != 0.0:
        return float(left) / (float(left) + float(right)) * 100.0  # same IEEE operations
    lft, rgt = _f(left), _f(right)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(lft / (lft + rgt) * 100.0)


def ratio_from_balance(balance_left: ArrayLike) -> np.ndarray | float:
    """``X_L / X_R`` from a % left balance ``b``: ``b / (100 − b)``."""
    b = _f(balance_left)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(b / (100.0 - b))


def symmetry_angle_from_balance(balance_left: ArrayLike) -> np.ndarray | float:
    """Symmetry angle from a % left balance (balance 50.8 % → SA ≈ 1.02 %).

    Examples
    --------
    >>> round(symmetry_angle_from_balance(52.2), 2)
    2.8
    """
    b = _f(balance_left)
    return symmetry_angle(b, 100.0 - b)


def symmetry_index_from_balance(balance_left: ArrayLike) -> np.ndarray | float:
    """Symmetry index from a % left balance: exactly ``SI = 4·(b − 50)`` (science.md §1.5).

    Examples
    --------
    >>> symmetry_index_from_balance(51.0)
    4.0
    """
    b = _f(balance_left)
    return _out(4.0 * (b - 50.0))


def balance_from_symmetry_angle(sa_pct: ArrayLike) -> np.ndarray | float:
    """Inverse of :func:`symmetry_angle_from_balance` (for drawing bands in balance units).

    Examples
    --------
    >>> round(balance_from_symmetry_angle(symmetry_angle_from_balance(51.3)), 6)
    51.3
    """
    sa = _f(sa_pct)
    theta = np.radians(45.0 + sa * 0.9)
    r = np.tan(theta)
    return _out(r / (1.0 + r) * 100.0)
