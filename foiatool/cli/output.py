"""The output options every listing command shares, and handing its rows to the renderer.

``@output_options`` adds ``--format/-f``, ``--columns`` and ``--no-headers``
and passes the command an ``output: OutputOptions``; the command ends with
``output.emit(rows, COLUMNS)``.

Without ``--format`` the format follows stdout: ``table`` on a terminal, for
people; ``tsv`` when piped or redirected, because a TSV record is one line
(greppable, ``sort``/``uniq``/``awk -F'\\t'``/``cut -f``-able), the first line
names the fields, and there is no quoting to undo. Whatever goes to a pipe is
data only: messages and progress go to stderr.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, TypeVar

import click

from ..render import FORMATS, Column, render
from .terminal import Terminal, current_terminal

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class OutputOptions:
    """What the user asked of the output: ``fmt`` (None: decide from stdout), ``columns``, ``headers``."""

    fmt: str | None = None
    columns: tuple[str, ...] | None = None
    headers: bool = True
    terminal: Terminal = field(default_factory=current_terminal, repr=False, compare=False)

    def resolved_format(self) -> str:
        if self.fmt is not None:
            return self.fmt
        return "table" if self.terminal.stdout_isatty else "tsv"

    def select(self, columns: Sequence[Column], default_columns: Sequence[str] | None = None) -> list[Column]:
        """The columns to show, in the user's order; a usage error (exit 2) naming the valid keys otherwise.

        ``columns`` is everything the command can show; ``default_columns``
        (keys) is what it shows when the user does not choose, all of them if None.
        """
        by_key = {column.key: column for column in columns}
        if self.columns is None:
            if default_columns is None:
                return list(columns)
            return [by_key[key] for key in default_columns]
        # A column is named by the header the table shows ("From", "Date status") or by its
        # key ("from_label"), in any case, with spaces, dashes and underscores alike.
        names: dict[str, Column] = {}
        for column in columns:
            names.setdefault(_name(column.header), column)
        for column in columns:
            names[_name(column.key)] = column
            names.setdefault(_name(column.key.removesuffix("_label")), column)
        unknown = [key for key in self.columns if _name(key) not in names]
        if unknown:
            import difflib

            noun = "column" if len(unknown) == 1 else "columns"
            near = difflib.get_close_matches(_name(unknown[0]), list(names), n=1, cutoff=0.6)
            hint = f" (did you mean {names[near[0]].header!r}?)" if near else ""
            raise click.UsageError(
                f"unknown {noun} {', '.join(unknown)}{hint}; valid columns: {', '.join(c.header for c in columns)}"
                f" (or their keys: {', '.join(by_key)})",
                ctx=click.get_current_context(silent=True),
            )
        return [names[_name(key)] for key in self.columns]

    def emit(
        self,
        rows: Iterable[Mapping[str, Any]],
        columns: Sequence[Column],
        *,
        title: str | None = None,
        tz: tzinfo | None = None,
        id_key: str = "id",
        json_all_keys: bool = True,
        default_columns: Sequence[str] | None = None,
        drop_keys: Collection[str] = (),
    ) -> int:
        """Write ``rows`` to stdout in the chosen format; returns how many rows were written.

        JSON carries every key of each row except ``drop_keys`` (flattened
        forms kept for the tables) unless the user chose ``--columns`` (then
        just those) or the command passes ``json_all_keys=False`` (then the
        shown columns' keys).
        """
        chosen = self.select(columns, default_columns)
        fmt = self.resolved_format()
        all_keys = json_all_keys and self.columns is None
        if drop_keys and all_keys and fmt in ("json", "ndjson"):
            dropped = frozenset(drop_keys)
            rows = ({key: value for key, value in row.items() if key not in dropped} for row in rows)
        return render(
            rows,
            chosen,
            fmt,
            self.terminal.stdout,
            headers=self.headers,
            title=title,
            tz=tz,
            id_key=id_key,
            json_all_keys=all_keys,
            console_factory=self.terminal.console_for,
        )


    def keys_needed(self, columns: Sequence[Column], default_columns: Sequence[str] | None = None,
                    id_key: str = "id") -> set[str] | None:
        """The row keys the output will read, or None when it writes every key (JSON without --columns).

        A command may then build lighter rows, holding just these keys.
        """
        fmt = self.resolved_format()
        if fmt in ("json", "ndjson") and self.columns is None:
            return None
        if fmt == "ids":
            return {id_key}
        return {column.key for column in self.select(columns, default_columns)} | {id_key}


def _name(text: str) -> str:
    """A column name as the user may type it: case, spaces, dashes and underscores do not matter."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _column_keys(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    if not keys:
        raise click.BadParameter("name at least one column, e.g. --columns id,date,subject")
    return keys


def output_options(f: F) -> F:
    """Add ``--format/-f``, ``--columns`` and ``--no-headers``; the command receives ``output``."""

    @functools.wraps(f)  # also carries over options declared below this decorator
    def wrapper(*args: Any, output_format: str | None, output_columns: tuple[str, ...] | None,
                no_headers: bool, **kwargs: Any) -> Any:
        output = OutputOptions(fmt=output_format, columns=output_columns, headers=not no_headers)
        return f(*args, output=output, **kwargs)

    options = [
        click.option(
            "--no-headers",
            "no_headers",
            is_flag=True,
            default=False,
            help="Leave out the header line (tsv, csv, table, markdown).",
        ),
        click.option(
            "--columns",
            "output_columns",
            metavar="KEYS",
            callback=_column_keys,
            help="Comma-separated columns to show, in this order, by header or key (case-insensitive; json: only these keys).",
        ),
        click.option(
            "--format",
            "-f",
            "output_format",
            type=click.Choice(FORMATS),
            default=None,
            help="Output format (default: table on a terminal, tsv when piped).",
        ),
    ]
    decorated: Any = wrapper
    for option in options:
        decorated = option(decorated)
    return decorated
