"""What every command shares: the corpus arguments (PATHS, --db), the filters, and opening the index."""
from __future__ import annotations

import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

import click

from ..errors import FoiatoolError, UsageError
from .status import ExitStatus

if TYPE_CHECKING:  # the modules themselves are imported when a command first needs them
    from ..refresh.executors import Executor
    from ..refresh.report import IndexReport
    from .terminal import ProgressTask, Terminal


@dataclass
class App:
    """Per-invocation state: the terminal and global flags."""

    terminal: Terminal
    quiet: bool = False
    traceback: bool = False
    ocr: bool = False


def get_app() -> App:
    ctx = click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        from .terminal import Terminal

        root.obj = App(terminal=Terminal.from_flags(None))
    return root.obj


def read_stdin_lines() -> list[str]:
    if sys.stdin is None:
        return []
    return [line.strip() for line in sys.stdin.read().splitlines() if line.strip()]


def expand_paths(paths: tuple[str, ...]) -> list[str]:
    """PATH arguments, with ``-`` standing for a newline-separated list of paths on stdin."""
    out: list[str] = []
    for p in paths:
        if p == "-":
            out.extend(read_stdin_lines())
        else:
            out.append(p)
    return out


def parse_tz(value: str | None) -> tzinfo | None:
    if value is None or value.lower() == "local":
        return None
    from dateutil import tz as dtz

    zone = dtz.UTC if value.upper() in ("UTC", "Z", "GMT") else dtz.gettz(value)
    if zone is None:
        raise click.BadParameter(f"unknown time zone {value!r} (try UTC, America/New_York, local)", param_hint="--tz")
    return zone


@dataclass
class Corpus:
    """An open, up-to-date index and how it was brought up to date."""

    conn: sqlite3.Connection
    db_path: str
    report: IndexReport
    strict: bool
    tz: tzinfo | None
    extras: dict = field(default_factory=dict)

    def finish(self) -> None:
        """End the command: under --strict, problems make the exit status 1."""
        self.conn.close()
        if self.strict and self.report.problems:
            raise SystemExit(int(ExitStatus.PROBLEMS))


def corpus_options(paths_required: bool = False, paths_arg: bool = True) -> Callable:
    """PATHS..., --db, --jobs, --strict, -q, --tz: the way every command reaches the index."""

    def decorator(f: Callable) -> Callable:
        opts = [
            click.option("--db", "db", type=click.Path(dir_okay=False), help="Index file to use (default: one in the user cache directory, keyed by the PATHs)."),
            click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None, help="Parallel parsing processes (default: all cores)."),
            click.option("--strict", is_flag=True, help="Exit with status 1 when any input item could not be read."),
            click.option("--quiet", "-q", is_flag=True, help="No progress bar and no account line on stderr."),
            click.option("--tz", "tz", default=None, metavar="ZONE", help="Show dates in this zone (default: local; machine formats are always UTC)."),
            click.option("--ocr", is_flag=True, help="OCR scanned PDF pages with tesseract (see 'make ocr-deps')."),
        ]
        if paths_arg:
            opts.insert(0, click.argument("paths", nargs=-1, type=click.Path(), required=paths_required))
        for opt in reversed(opts):
            f = opt(f)

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            # A reading choice rather than a query one: kept on the App so command signatures stay short.
            get_app().ocr = kwargs.pop("ocr", False)
            return f(*args, **kwargs)

        return wrapper

    return decorator


def open_corpus(paths: tuple[str, ...] | list[str], db: str | None, *, jobs: int | None = None, strict: bool = False,
                quiet: bool = False, tz: str | None = None, refresh: bool = True, account: bool = True,
                executor: Executor | None = None) -> Corpus:
    """Refresh the index from PATHS (when given) and open it for reading.

    The progress bar and (with ``account``) the one-line account go to stderr unless ``quiet``.
    """
    from ..index import store

    app = get_app()
    quiet = quiet or app.quiet
    expanded = expand_paths(tuple(paths))
    if not expanded and not db:
        raise UsageError("give one or more PATHs (files, folders, archives; '-' reads paths from stdin) or --db FILE")
    # A PATH that names nothing is a typo or a missing mount: reading on would answer with an
    # empty release and exit 0, which a reader takes for "no mail". (A broken link is an item
    # of the dump and is listed as a problem.)
    missing = [p for p in expanded if not os.path.lexists(p)]
    if missing:
        noun = "path does" if len(missing) == 1 else "paths do"
        raise UsageError(f"{'this' if len(missing) == 1 else 'these'} {noun} not exist: " + ", ".join(repr(p) for p in missing))
    db_path = db or str(store.default_db_path(expanded))
    zone = parse_tz(tz)
    report: IndexReport | None = None
    if expanded and refresh:
        from ..refresh.ingest import refresh as refresh_index

        terminal = app.terminal
        progress = _ProgressAdapter(terminal, quiet)
        report = refresh_index(expanded, db_path, jobs=jobs, progress=progress, on_wait=terminal.warn, ocr=app.ocr, executor=executor)
        if account and not quiet:
            terminal.info(report.account())
    elif not os.path.exists(db_path):
        raise FoiatoolError(f"no index at {db_path}: run 'foiatool index PATH... --db {db_path}' first")
    conn = store.connect(db_path, readonly=True)
    if report is None:
        from ..index.query import problem_count
        from ..refresh.report import IndexReport

        report = IndexReport(db_path=db_path)
        report.problems = problem_count(conn)
    return Corpus(conn=conn, db_path=db_path, report=report, strict=strict, tz=zone)


class _ProgressAdapter:
    """The index's Progress protocol drawn with the terminal's rich progress bar (stderr, TTY only)."""

    def __init__(self, terminal: Terminal, quiet: bool) -> None:
        self.terminal = terminal
        self.quiet = quiet
        self._cm: AbstractContextManager[ProgressTask] | None = None
        self._bar: ProgressTask | None = None

    def start(self, total: int, description: str) -> None:
        self._cm = self.terminal.progress(total, description, quiet=self.quiet)
        self._bar = self._cm.__enter__()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(n)

    def finish(self) -> None:
        if self._cm is not None:
            self._cm.__exit__(None, None, None)
            self._cm = None
            self._bar = None


def filter_options(f: Callable) -> Callable:
    """The filters every listing command shares; they arrive as one ``filters`` argument."""
    opts = [
        click.option("--from", "f_from", multiple=True, metavar="WHO", help="Sender address, name or person id contains WHO (repeatable: any)."),
        click.option("--to", "f_to", multiple=True, metavar="WHO", help="A To/Cc/Bcc recipient matches WHO."),
        click.option("--participant", "f_participant", multiple=True, metavar="WHO", help="Sender or any recipient matches WHO."),
        click.option("--domain", "f_domain", multiple=True, metavar="DOMAIN", help="A participant's address is at DOMAIN or a subdomain of it."),
        click.option("--since", "f_since", metavar="DATE", help="On or after DATE (2011-03, 2011-03-07, 'March 7, 2011')."),
        click.option("--until", "f_until", metavar="DATE", help="On or before DATE (a month or day means its end)."),
        click.option("--subject", "f_subject", multiple=True, metavar="TEXT", help="Subject contains TEXT."),
        click.option("--contains", "f_contains", multiple=True, metavar="TEXT", help="Subject or body contains TEXT."),
        click.option("--thread", "f_thread", multiple=True, metavar="ID", help="In thread ID ('-' reads ids from stdin)."),
    ]
    for opt in reversed(opts):
        f = opt(f)

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        from ..index.query import Filters, parse_when

        threads = list(kwargs.pop("f_thread"))
        if "-" in threads:
            threads = [t for t in threads if t != "-"] + read_stdin_lines()
        try:
            filters = Filters(
                sender=list(kwargs.pop("f_from")),
                recipient=list(kwargs.pop("f_to")),
                participant=list(kwargs.pop("f_participant")),
                domain=list(kwargs.pop("f_domain")),
                since=parse_when(s) if (s := kwargs.pop("f_since")) else None,
                until=parse_when(u, end=True) if (u := kwargs.pop("f_until")) else None,
                subject=list(kwargs.pop("f_subject")),
                contains=list(kwargs.pop("f_contains")),
                thread=threads,
            )
        except UsageError as exc:
            raise click.UsageError(str(exc)) from exc
        kwargs["filters"] = filters
        return f(*args, **kwargs)

    return wrapper
