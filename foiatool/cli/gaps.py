"""``foiatool gaps``: what the release implies but does not contain."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, filter_options, open_corpus
from .output import output_options

COLUMNS = [
    Column("kind", "Kind"),
    Column("item", "Item", width=36),
    Column("detail", "What", width=70),
    Column("evidence", "Evidence", width=60),
]


@click.command("gaps")
@corpus_options()
@filter_options
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, output) -> None:
    """List what the release implies but does not contain: messages referenced but not
    produced, messages that survive only as quoted history, replies whose parent
    is missing, attachments named on a printed page or mentioned in the text but
    absent, long silences inside active threads and in a person's correspondence,
    and Bates numbers missing from a sequence.

    Each item cites where the evidence is (file, place inside it, Bates numbers);
    --format markdown gives an appendix for an appeal letter. Filters narrow the
    messages looked at; Bates gaps concern the whole release and are listed only
    without filters. Silences use only dates read from clean headers.
    """
    from ..analysis.gaps import gap_rows

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    output.emit(gap_rows(corpus.conn, filters), COLUMNS, id_key="item", title="Gaps in the release")
    corpus.finish()
