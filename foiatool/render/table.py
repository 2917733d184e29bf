"""The terminal table: a Rich table whose every cell is plain, control-free text, wrapped to the terminal's width."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, TextIO

from .escape import terminal_safe
from .values import cell_text

if TYPE_CHECKING:
    from rich.console import Console

    from . import Column

_NUMERIC = ("int", "float")
# An id or a number cut short is worse than useless (an id gets copied into the next
# command), so these columns never shrink; the others give way when space is short.
_NEVER_SHRINK = ("id", "int", "float", "bool")
# "2011-03-01 15:14 EST" may fold after the day; the day itself never breaks.
_DATE_MIN_WIDTH = len("2011-03-01")
# A wrapping column narrower than this reads as a column of letters.
_TEXT_MIN_WIDTH = 10
_TEXT_LAST_RESORT_WIDTH = 4
# Two spaces between columns: at 80 columns room matters more than air.
_GAP = 2


def plain_console(out: TextIO) -> Console:
    """A Console that never reads markup, emoji codes or "highlights", and writes no colour."""
    from rich.console import Console

    return Console(file=out, markup=False, highlight=False, emoji=False, color_system=None)


def fit_widths(natural: Sequence[int], minimum: Sequence[int], available: int) -> list[int]:
    """Column widths within ``available``: the widest shrinkable columns give way first.

    Each column keeps at least its ``minimum``; when even the minimums do not
    fit, the minimums are returned and the console crops the right edge.
    """
    widths = list(natural)
    excess = sum(widths) - available
    while excess > 0:
        shrinkable = [i for i, width in enumerate(widths) if width > minimum[i]]
        if not shrinkable:
            break
        widest = max(widths[i] for i in shrinkable)
        tops = [i for i in shrinkable if widths[i] == widest]
        next_level = max((widths[i] for i in shrinkable if widths[i] < widest), default=0)
        step = max(1, min(widest - next_level, math.ceil(excess / len(tops))))
        for i in tops:
            cut = min(step, widths[i] - minimum[i], excess)
            widths[i] -= cut
            excess -= cut
            if excess <= 0:
                break
    return widths


def write_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    out: TextIO,
    *,
    headers: bool,
    title: str | None,
    tz: tzinfo | None,
    console_factory: Callable[[TextIO], Console] | None,
) -> int:
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    def safe(text: str) -> Text:
        # Text objects are never parsed as markup, whatever the Console says.
        return Text(terminal_safe(text, multiline=False))

    header_cells = [safe(column.header) for column in columns]
    cells = [[safe(cell_text(row.get(c.key), human=True, kind=c.kind, tz=tz)) for c in columns] for row in rows]
    if not cells and not headers:
        return 0

    content = [max((cell_len(row[i].plain) for row in cells), default=0) for i in range(len(columns))]
    natural = []
    for index in range(len(columns)):
        widest = max(content[index], cell_len(header_cells[index].plain) if headers else 0)
        natural.append(max(1, widest))

    def minimums(text: int, date: int, fixed_header: bool) -> list[int]:
        floors = []
        for index, column in enumerate(columns):
            if column.kind in _NEVER_SHRINK and column.width is None:
                floors.append(natural[index] if fixed_header else max(1, content[index]))
            else:
                floors.append(min(natural[index], date if column.kind == "date" else text))
        return floors

    console = (console_factory or plain_console)(out)
    available = console.width - _GAP * (len(columns) - 1)
    # Each stage gives up a little more legibility, and only when the one before did not fit:
    # text wraps narrower, then dates fold after the day, then text gets very narrow and
    # headers of numeric columns fold. Ids and numbers themselves are never cut.
    widths = natural
    # A width hint is where a long column gives way first when the table is wider than the
    # terminal; on a wide terminal every column takes what its text needs. Text is never cut.
    hinted = [min(natural[i], c.width) if c.width is not None else natural[i] for i, c in enumerate(columns)]
    for floors in (
        hinted,
        minimums(_TEXT_MIN_WIDTH, max(natural), True),
        minimums(_TEXT_MIN_WIDTH, _DATE_MIN_WIDTH, True),
        minimums(_TEXT_LAST_RESORT_WIDTH, _DATE_MIN_WIDTH, False),
    ):
        widths = fit_widths(widths, floors, available)

    table = Table(
        title=safe(title) if title else None,
        show_header=headers,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, _GAP - 1, 0, 0),
    )
    for index, column in enumerate(columns):
        table.add_column(
            header_cells[index],
            justify="right" if column.kind in _NUMERIC else "left",
            width=widths[index],
            # Long text wraps onto more lines (at spaces, or inside a word too long for the column):
            # a reader must be able to read the whole of a Why, a gap or a redaction's context.
            no_wrap=False,
            overflow="fold",
        )
    for row_cells in cells:
        table.add_row(*row_cells)
    console.print(table)
    return len(cells)
