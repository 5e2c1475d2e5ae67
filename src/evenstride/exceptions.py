# SPDX-License-Identifier: MIT
"""Errors and warnings raised by evenstride.

::

    EvenstrideError
    ├── UserInputError          the user's file or arguments are at fault (CLI exit code 2)
    │   ├── ParseError          a file could not be read (corrupt, truncated, unknown format)
    │   ├── UnsupportedActivityError   readable, but not a run (cycling, swimming, walking only)
    │   └── NotEnoughDataError  readable run, but too little usable data for the requested analysis
    └── ValidationError         a table handed between stages is malformed (a bug, not user input)

    EvenstrideWarning           partial data recovered, values dropped, low-confidence results

Every :class:`UserInputError` message is one line that names the file (when there is one) and says
what is wrong, so the CLI can print it as is.
"""

from __future__ import annotations

from pathlib import Path


class EvenstrideError(Exception):
    """Base class of all evenstride errors."""


class UserInputError(EvenstrideError):
    """The input (file or argument) is at fault; the message is one line fit to show a user."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = None if path is None else str(path)
        self.reason = message
        text = message if path is None else f"{path}: {message}"
        super().__init__(" ".join(text.split()))


class ParseError(UserInputError):
    """A file could not be decoded."""


class UnsupportedActivityError(UserInputError):
    """The file is readable but holds no running data evenstride can analyse."""


class NotEnoughDataError(UserInputError):
    """Too few usable samples or steps for the requested analysis."""


class ValidationError(EvenstrideError):
    """A table passed between stages does not have the expected columns or shapes."""


class EvenstrideWarning(UserWarning):
    """Partial data, dropped values or a low-confidence result; filter with this class."""
