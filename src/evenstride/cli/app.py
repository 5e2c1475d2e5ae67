# SPDX-License-Identifier: MIT
"""The ``evenstride`` command line: the top-level parser, :func:`main` and the dispatch.

Every sub-command lives in a module of :data:`COMMAND_MODULES` (``analyze``, ``steps``,
``history``, ``demo``… each in its own file) that adds its parsers with ``register(subparsers)``.
User errors (bad files, bad arguments) give one line on stderr and exit code 2; nothing prints a
traceback. Heavy modules (numpy, rich, the pipeline) are imported inside the commands, so
``evenstride --help`` stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from evenstride import __version__
from evenstride._threads import limit_blas_threads
from evenstride.cli.common import EXIT_USER, guarded


class _ArgParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2 (argparse's own convention)
        hint = " ".join(["evenstride", self._sub(), "--help"]).replace("  ", " ")
        self.exit(EXIT_USER, f"evenstride: {message} (see '{hint}')\n")

    def _sub(self) -> str:
        return self.prog.split(" ", 1)[1] if " " in self.prog else ""


def _parser() -> argparse.ArgumentParser:
    p = _ArgParser(
        prog="evenstride",
        description="Find, explain and help fix left/right imbalances in running.",
    )
    p.add_argument("--version", action="version", version=f"evenstride {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_ArgParser)
    _register_command_modules(sub)
    return p


#: Modules that add their own sub-commands: each has ``register(subparsers)``, whose leaf
#: parsers set ``func`` (a function of the parsed arguments returning the exit code), or a
#: module-level ``run(args)`` used for every command it added. A new command module is one line
#: here (docs/architecture.md, "Adding a command").
COMMAND_MODULES: tuple[str, ...] = (
    "evenstride.cli.analyze",
    "evenstride.cli.inputs",
    "evenstride.cli.clinical",
    "evenstride.cli.plan",
    "evenstride.cli.batch",
    "evenstride.cli.history",
    "evenstride.cli.steps",
    "evenstride.cli.admin",
    "evenstride.cli.demo",
)


def _register_command_modules(sub: Any) -> None:
    import importlib

    for name in COMMAND_MODULES:
        mod = importlib.import_module(name)
        before = set(sub.choices)
        mod.register(sub)
        run = getattr(mod, "run", None)
        if callable(run):
            for cmd in set(sub.choices) - before:
                if sub.choices[cmd].get_default("func") is None:
                    sub.choices[cmd].set_defaults(func=run)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``evenstride`` console script."""
    limit_blas_threads()  # before numpy loads: one BLAS thread per process (evenstride._threads)
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return EXIT_USER
    return guarded(_dispatch, args)


def _dispatch(args: argparse.Namespace) -> int:
    func = getattr(args, "func", None)
    if func is None:  # a command group without its sub-command
        return EXIT_USER
    return int(func(args))
