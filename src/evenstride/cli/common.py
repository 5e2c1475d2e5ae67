# SPDX-License-Identifier: MIT
"""What every command shares: the exit codes, the one JSON printer, the user-error line, the
``--db``/``--athlete`` options and opening the store.

Exit codes: :data:`EXIT_OK` (0), :data:`EXIT_INTERNAL` (1, a bug: one line, never a
traceback), :data:`EXIT_USER` (2, bad input: one line naming the file or option),
:data:`EXIT_INTERRUPTED` (130, Ctrl+C).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evenstride.cli import types
from evenstride.exceptions import UserInputError
from evenstride.services.errors import InputError

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USER",
    "athlete_id",
    "console",
    "db_path",
    "guarded",
    "open_existing",
    "out",
    "print_json",
    "say_skipped",
    "store_options",
    "user_message",
]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USER = 2
EXIT_INTERRUPTED = 130


def print_json(doc: Any) -> None:
    """One JSON document on one line of stdout (strict JSON: no NaN)."""
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


def _option(_name: str, cli: str) -> str:
    return cli


def user_message(exc: UserInputError) -> str:
    """A user error as the command line says it: inputs named as its options (``--start``)."""
    return exc.render(_option) if isinstance(exc, InputError) else str(exc)


def guarded(fn: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run ``fn(args)`` with the one set of exit codes: a user error (or a file or folder the
    user named that cannot be written) is one line on stderr and exit 2, an interrupt 130, a
    closed pipe 0, and a bug one line and exit 1 — never a traceback."""
    try:
        return int(fn(args))
    except KeyboardInterrupt:
        print("evenstride: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UserInputError as exc:
        print(f"evenstride: {user_message(exc)}", file=sys.stderr)
        return EXIT_USER
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a folder or file the user named cannot be created or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"evenstride: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER
    except Exception as exc:  # a bug: one line, never a traceback
        print(f"evenstride: internal error ({type(exc).__name__}: {exc}); please report this",
              file=sys.stderr)
        return EXIT_INTERNAL


def console(stderr: bool = False) -> Any:
    """A rich console on stdout (piped or captured output is wide enough for one table row a
    line), or with ``stderr`` one on stderr whose long lines wrap softly."""
    from rich.console import Console

    if stderr:
        return Console(stderr=True, highlight=False, soft_wrap=True)
    con = Console(highlight=False)
    return con if con.is_terminal else Console(highlight=False, width=132)


def out() -> Any:
    """:func:`console` on stdout."""
    return console()


def store_options(p: argparse.ArgumentParser) -> None:
    """``--db`` and ``--athlete``."""
    from evenstride.store import DEFAULT_ATHLETE, ENV_DB

    p.add_argument(
        "--db",
        metavar="PATH",
        help=f"store file (default: ${ENV_DB}, else "
        "$XDG_DATA_HOME/evenstride/evenstride.sqlite or ~/.local/share/evenstride/…)",
    )
    p.add_argument("--athlete", type=types.athlete_name, default=DEFAULT_ATHLETE, metavar="NAME",
                   help=f"whose history (default {DEFAULT_ATHLETE!r})")


def db_path(args: argparse.Namespace) -> Path:
    """The store file named by ``--db``, else the default one."""
    from evenstride.store import default_db_path

    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def open_existing(args: argparse.Namespace) -> Any:
    """The store of ``--db``, which must exist (a user error naming the path otherwise)."""
    from evenstride.store import open_store

    db = db_path(args)
    if db.is_dir():
        raise UserInputError("is a folder, not a store file", path=db)
    if not db.is_file():
        raise UserInputError("no history store yet: run 'evenstride import FILES' first", path=db)
    return open_store(db)


def athlete_id(store: Any, args: argparse.Namespace, *, create: bool = False) -> int:
    """The id of ``--athlete`` (created when ``create``)."""
    from evenstride.services.athletes import athlete_id as find

    return find(store, args.athlete, create=create)


def say_skipped(store: Any, skipped: list[str]) -> None:
    """One warning line on stderr per stored run the history left out as unreadable."""
    for msg in skipped:
        print(f"evenstride: warning: {store.path}: {msg}", file=sys.stderr)
