# SPDX-License-Identifier: MIT
"""User errors of the services that name an input.

A service does not know whether its caller is the command line (``--start``) or a web form
("start"): it names an input with :func:`field` and raises :class:`InputError`. ``str()`` of the
error names the input in plain words, for forms and pages; the CLI renders it with
:meth:`InputError.render` in its own spelling (``--start``, or ``VALUE`` for a positional).

>>> e = InputError(f"{field('mass_kg')} must be 20–250 kg (got 300)")
>>> str(e)
'mass kg must be 20–250 kg (got 300)'
>>> e.render(lambda name, cli: cli)
'--mass-kg must be 20–250 kg (got 300)'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from evenstride.exceptions import UserInputError

__all__ = ["InputError", "field"]

_MARK = "\x00"
_FIELD = re.compile("\x00([a-z0-9_]+)\\|([^\x00]*)\x00")


def field(name: str, *, cli: str | None = None) -> str:
    """A named input inside an error message: ``name`` is the form's word (underscores become
    spaces), ``cli`` the command line's spelling (default ``--name-with-dashes``)."""
    return f"{_MARK}{name}|{cli or '--' + name.replace('_', '-')}{_MARK}"


def _plain(name: str, _cli: str) -> str:
    return name.replace("_", " ")


class InputError(UserInputError):
    """A user error whose message may name inputs with :func:`field`."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.template = message
        super().__init__(self._fill(_plain), path=path)

    def _fill(self, spell: Callable[[str, str], str]) -> str:
        return _FIELD.sub(lambda m: spell(m.group(1), m.group(2)), self.template)

    def render(self, spell: Callable[[str, str], str]) -> str:
        """The message (with its path) naming each input as ``spell(name, cli)`` says."""
        text = self._fill(spell)
        text = text if self.path is None else f"{self.path}: {text}"
        return " ".join(text.split())
