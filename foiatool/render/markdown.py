"""Rows as a GitHub-flavoured Markdown table whose cells cannot break the table or inject HTML."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, TextIO

from .escape import markdown_inline
from .values import cell_text

if TYPE_CHECKING:
    from . import Column


def _table_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


def write_markdown(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    out: TextIO,
    *,
    headers: bool,
    title: str | None,
    tz: tzinfo | None,
) -> int:
    if title:
        out.write(f"## {markdown_inline(title)}\n\n")
    # A GFM table cannot exist without a header row; --no-headers leaves it empty.
    out.write(_table_row(markdown_inline(c.header) if headers else "" for c in columns))
    out.write(_table_row("---:" if c.kind in ("int", "float") else "---" for c in columns))
    written = 0
    for row in rows:
        out.write(_table_row(markdown_inline(cell_text(row.get(c.key), human=True, kind=c.kind, tz=tz)) for c in columns))
        written += 1
    return written
