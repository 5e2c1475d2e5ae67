# SPDX-License-Identifier: MIT
"""Running the store: ``evenstride serve`` (the local web app) and ``evenstride doctor``
(check and repair the store)."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from evenstride.cli.common import EXIT_OK, EXIT_USER, console, print_json
from evenstride.exceptions import EvenstrideWarning, UserInputError


def register(sub: Any) -> None:
    """Add ``serve`` and ``doctor`` (:data:`COMMAND_MODULES
    <evenstride.cli.app.COMMAND_MODULES>`)."""
    w = sub.add_parser(
        "serve", help="start the local web app (coaches, physical therapists)",
        description="Serve the web app over the store. It listens on 127.0.0.1 only unless "
        "--host says otherwise; any other address needs an access secret "
        "(EVENSTRIDE_WEB_SECRET or --secret-file), checked on every request.")
    w.add_argument("--db", metavar="PATH", help="store file (default: $EVENSTRIDE_DB or the "
                   "user data folder)")
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    w.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free)")
    w.add_argument("--allow-host", action="append", default=[], metavar="HOST",
                   help="another name or address the app is reached by (e.g. this computer's "
                   "LAN address, for a clinic's tablets; needs the access secret); repeatable")
    w.add_argument("--secret-file", metavar="FILE",
                   help="file whose first line is the access secret (at least 16 characters)")

    dr = sub.add_parser(
        "doctor", help="check the store and repair what can be repaired safely",
        description="Check the history store: SQLite integrity, rows pointing to nothing, and "
        "every run's stored document and recording. With --repair: a lost document is "
        "re-derived from the stored recording; a run whose recording is lost is moved, with "
        "all its rows, to a JSON file in STORE.quarantine/ (re-import its file to restore it); "
        "nothing is removed without being written there first. Exit code 0 when the store is "
        "healthy (after repairs), 2 when problems remain.")
    dr.add_argument("--db", metavar="PATH", help="store file (default: $EVENSTRIDE_DB or the "
                    "user data folder)")
    dr.add_argument("--repair", action="store_true", help="repair what can be repaired")
    dr.add_argument("--json", action="store_true", help="print an evenstride.doctor/1 document")
    w.set_defaults(func=cmd_serve)
    dr.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the store (with ``--repair`` mend it); exit 2 while problems remain."""
    from evenstride.pipeline import analyze
    from evenstride.store import StoreError, default_db_path, open_store
    from evenstride.store.doctor import check_store, repair_store

    db = Path(args.db) if args.db else default_db_path()
    if not db.is_file() and not db.is_dir():
        raise UserInputError("no store here (nothing imported yet?)", path=db)

    def rederive(act: Any) -> dict[str, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvenstrideWarning)
            return analyze(act).to_dict()

    with open_store(db, readonly=not args.repair) as store:
        problems = check_store(store)
        repairs: list[str] = []
        if args.repair and problems:
            if store.readonly:
                raise StoreError(f"cannot repair: {store.readonly_reason}", path=db)
            repairs = repair_store(store, problems, rederive)
            problems = check_store(store)
        n_runs = store._conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0]
    if args.json:
        print_json({"schema": "evenstride.doctor/1", "store": str(db), "n_activities": n_runs,
                     "repairs": repairs, "problems": [p.to_dict() for p in problems]})
    else:
        for line in repairs:
            print(f"repaired: {line}")
        for p in problems:
            print(f"problem: {p.line()}", file=sys.stderr)
        if not problems:
            print(f"{db}: store OK ({n_runs} activities checked)")
        elif not args.repair and any(p.repair for p in problems):
            print(f"{db}: {len(problems)} problems; 'evenstride doctor --repair' fixes those "
                  "marked 'repair'", file=sys.stderr)
    return EXIT_USER if problems else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web app over the store until Ctrl+C."""
    from evenstride.store import default_db_path
    from evenstride.web import read_secret, serve

    if not 0 <= args.port <= 65535:
        raise UserInputError(f"--port must be 0–65535 (got {args.port})")
    db = Path(args.db) if args.db else default_db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    con = console()

    def ready(url: str) -> None:
        con.print(f"evenstride web app on [bold]{url}[/] (store {db}); Ctrl+C stops it",
                  highlight=False)

    serve(db, host=args.host, port=args.port, secret=read_secret(args.secret_file), ready=ready,
          allow_hosts=args.allow_host)
    return EXIT_OK
