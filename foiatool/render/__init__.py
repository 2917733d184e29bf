"""foiatool's one output system: every format rows can be written in, and the escaping each needs.

``render(rows, columns, fmt, out)`` writes rows (any iterable of mappings,
usually a generator) in one of ``FORMATS``:

- ``table``: a Rich table for people at a terminal; dates in ``tz``.
- ``tsv``: one record per line, tab-separated, headers on the first line.
  There is no quoting: tabs and line breaks inside a cell become single spaces.
- ``csv``: RFC 4180 quoting (a cell may span lines), "\\n" line endings.
- ``json``: one array, streamed item by item, pretty-printed.
- ``ndjson``: one JSON object per line.
- ``markdown``: a GitHub-flavoured Markdown table.
- ``ids``: only ``row[id_key]``, one per line, to pipe into the next command.

Machine formats (tsv, csv, json, ndjson) always write dates as ISO 8601 UTC
(``2002-08-22T20:09:08Z``), whatever time zone the user asked to see, so their
output is the same on every machine. Every format but table writes each row
as it arrives and holds no more than one; table collects the rows (it must
measure them before drawing the first line).

Escaping happens here and only here (see ``escape``): table cells are made
terminal-safe, csv/tsv cells are defused against spreadsheet formulas,
markdown cells are escaped inline, and JSON escapes itself.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, TextIO

# The writers import this package only for type checking, so importing them first is safe.
from .machine import write_csv, write_ids, write_json, write_ndjson, write_tsv
from .markdown import write_markdown
from .table import write_table

if TYPE_CHECKING:
    from rich.console import Console

COLUMN_KINDS = ("text", "int", "float", "date", "id", "list", "bool")


@dataclass(frozen=True, slots=True)
class Column:
    """One column a command can show: the row key, its header, what kind of value it holds.

    ``kind`` steers presentation only (numbers right-aligned, ids and dates
    never wrapped); ``width`` caps the column in the terminal table, where
    longer values end in "…".
    """

    key: str
    header: str
    kind: str = "text"
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; expected one of {', '.join(COLUMN_KINDS)}")


def render(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    out: TextIO,
    *,
    headers: bool = True,
    title: str | None = None,
    tz: tzinfo | None = None,
    id_key: str = "id",
    json_all_keys: bool = True,
    console_factory: Callable[[TextIO], Console] | None = None,
) -> int:
    """Write ``rows`` to ``out`` as ``fmt`` and return how many rows were written.

    ``columns`` chooses and orders what the tabular formats show. JSON and
    NDJSON write every key of each row (nested values whole) when
    ``json_all_keys`` is true, otherwise only the columns' keys. ``title`` is
    shown by table and markdown; ``tz`` is the zone dates are shown in there
    (None: the local zone). ``console_factory(out)`` makes the Rich Console
    for the table (the CLI passes one that knows about colour).
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    options = _Options(headers, title, tz, id_key, json_all_keys, console_factory)
    return writer(rows, columns, out, options)


@dataclass(frozen=True, slots=True)
class _Options:
    """What ``render`` was told beyond rows, columns and stream; each writer takes the part it needs."""

    headers: bool
    title: str | None
    tz: tzinfo | None
    id_key: str
    json_all_keys: bool
    console_factory: Callable[[TextIO], Console] | None


_Writer = Callable[[Iterable[Mapping[str, Any]], Sequence[Column], TextIO, _Options], int]

# Format name -> writer, in the order FORMATS (and so --help) lists them.
_WRITERS: dict[str, _Writer] = {
    "table": lambda rows, columns, out, o: write_table(
        rows, columns, out, headers=o.headers, title=o.title, tz=o.tz, console_factory=o.console_factory),
    "tsv": lambda rows, columns, out, o: write_tsv(rows, columns, out, headers=o.headers),
    "csv": lambda rows, columns, out, o: write_csv(rows, columns, out, headers=o.headers),
    "json": lambda rows, columns, out, o: write_json(rows, columns, out, all_keys=o.json_all_keys),
    "ndjson": lambda rows, columns, out, o: write_ndjson(rows, columns, out, all_keys=o.json_all_keys),
    "markdown": lambda rows, columns, out, o: write_markdown(
        rows, columns, out, headers=o.headers, title=o.title, tz=o.tz),
    "ids": lambda rows, columns, out, o: write_ids(rows, out, id_key=o.id_key),
}
FORMATS = tuple(_WRITERS)

__all__ = ["COLUMN_KINDS", "FORMATS", "Column", "render"]
