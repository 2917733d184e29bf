"""The machine formats: tsv, csv, json, ndjson and ids, each written one row at a time."""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, TextIO

from .escape import csv_safe
from .values import cell_text, json_text

if TYPE_CHECKING:
    from . import Column

Row = Mapping[str, Any]

_TAB_OR_BREAK = re.compile(r"\r\n?|[\n\t]")
# Anything csv_safe or the TSV writer would change: controls (tab and breaks too), bidi
# overrides, surrogates. A cell without any, not starting like a formula, is written as it is.
_NEEDS_CARE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_FORMULA_OR_SPACE = frozenset("=+-@ ")


def _tsv_cell(text: str) -> str:
    # TSV has no quoting: a tab or line break inside a cell would split the
    # record, so each becomes one space and one record stays one line.
    if not text or (text[0] not in _FORMULA_OR_SPACE and not _NEEDS_CARE.search(text)):
        return text
    text = csv_safe(text)
    if "\t" in text or "\n" in text or "\r" in text:
        text = _TAB_OR_BREAK.sub(" ", text)
    return text


# A cell starting like a formula or with a space, the cells joined by NUL.
_CELL_START = re.compile("\x00[" + re.escape("".join(sorted(_FORMULA_OR_SPACE))) + "]")
TSV_CHUNK = 500


def _cell_texts(row: Row, keys: Sequence[tuple[str, str]]) -> list[str]:
    """A row's cells as text: the common ones (text, a number, nothing) inline, anything else through cell_text."""
    get = row.get
    cells = []
    for key, kind in keys:
        value = get(key)
        if type(value) is str:
            cells.append(value)
        elif value is None:
            cells.append("")
        elif type(value) is int:
            cells.append(str(value))
        else:
            cells.append(cell_text(value, human=False, kind=kind))
    return cells


def write_tsv(rows: Iterable[Row], columns: Sequence[Column], out: TextIO, *, headers: bool) -> int:
    if headers:
        out.write("\t".join(_tsv_cell(column.header) for column in columns) + "\n")
    written = 0
    keys = [(c.key, c.kind) for c in columns]
    # Rows already in a list are written in chunks; rows still being made, each as it comes.
    size = TSV_CHUNK if isinstance(rows, Sequence) else 1
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        table = [_cell_texts(row, keys) for row in chunk]
        # Most chunks need no care at all: two searches over the joined cells tell (a cell holding
        # NUL is caught by the first), and only a chunk that needs it is escaped cell by cell.
        every = list(chain.from_iterable(table))
        if _NEEDS_CARE.search("".join(every)) or _CELL_START.search("\x00" + "\x00".join(every)):
            table = [[_tsv_cell(text) for text in cells] for cells in table]
        out.write("".join(["\t".join(cells) + "\n" for cells in table]))
        written += len(chunk)
    return written


def write_csv(rows: Iterable[Row], columns: Sequence[Column], out: TextIO, *, headers: bool) -> int:
    # "\n" rather than RFC 4180's "\r\n": the same line ending as every other
    # format on stdout; spreadsheets and csv readers accept both.
    writer = csv.writer(out, lineterminator="\n")
    if headers:
        writer.writerow([csv_safe(column.header) for column in columns])
    written = 0
    for row in rows:
        writer.writerow([csv_safe(cell_text(row.get(c.key), human=False, kind=c.kind)) for c in columns])
        written += 1
    return written


def _json_object(row: Row, columns: Sequence[Column], all_keys: bool) -> dict[str, Any]:
    if all_keys:
        return dict(row)
    return {column.key: row.get(column.key) for column in columns}


def write_json(rows: Iterable[Row], columns: Sequence[Column], out: TextIO, *, all_keys: bool) -> int:
    """A JSON array written item by item; the text equals ``json.dumps(list, indent=2)``."""
    written = 0
    for row in rows:
        out.write("[\n  " if written == 0 else ",\n  ")
        # JSON strings never hold a raw newline, so indenting every line is safe.
        out.write(json_text(_json_object(row, columns, all_keys), indent=2).replace("\n", "\n  "))
        written += 1
    out.write("\n]\n" if written else "[]\n")
    return written


def write_ndjson(rows: Iterable[Row], columns: Sequence[Column], out: TextIO, *, all_keys: bool) -> int:
    written = 0
    for row in rows:
        out.write(json_text(_json_object(row, columns, all_keys)) + "\n")
        written += 1
    return written


def write_ids(rows: Iterable[Row], out: TextIO, *, id_key: str) -> int:
    written = 0
    for row in rows:
        value = row[id_key]
        if value is None:
            raise ValueError(f"a row has no {id_key!r} to print in the ids format")
        out.write(f"{value}\n")
        written += 1
    return written
