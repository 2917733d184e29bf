"""``foiatool attachments``: every attachment, identical ones grouped, and safe extraction."""
from __future__ import annotations

from pathlib import Path

import click

from ..render import Column
from .common import corpus_options, filter_options, get_app, open_corpus
from .output import output_options

COLUMNS = [
    Column("message", "Message", "id"),
    Column("name", "Name", width=40),
    Column("content_type", "Type"),
    Column("size", "Size", "int"),
    Column("sha256", "SHA-256", "id"),
    Column("copies", "Copies", "int"),
    Column("date", "Date", "date"),
    Column("from", "From"),
    Column("subject", "Subject", width=40),
]
DEFAULT = ["message", "name", "content_type", "size", "sha256", "copies"]
# Files named one by one when an extraction finds them already there; the rest are counted.
SAME_LISTED = 10


@click.command("attachments")
@corpus_options()
@filter_options
@click.option("--unique", is_flag=True, help="One row per distinct content (sha256), with how many messages carry it.")
@click.option("--extract", "extract_dir", type=click.Path(file_okay=False), help="Write the attachments into this folder (safe names, never outside it, never overwriting; "
                   "a file already there with the same name and content is not written again).")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, unique, extract_dir, output) -> None:
    """List every attachment with its message, name, type, size and sha256;
    identical attachments across messages share a sha256 and a copies count.
    """
    from ..analysis.attachments import attachment_rows, extract_attachments

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    rows = list(attachment_rows(corpus.conn, filters, unique=unique))
    if extract_dir:
        terminal = get_app().terminal
        written, already, problems = extract_attachments(corpus.conn, rows, Path(extract_dir))
        for p in problems:
            terminal.warn(str(p))
        if not quiet:
            for path in already[:SAME_LISTED]:
                terminal.info(f"skipped {path.name}: already in {extract_dir} with the same content")
            if len(already) > SAME_LISTED:
                terminal.info(f"skipped {len(already) - SAME_LISTED} more already there with the same content")
            same = f"; {len(already)} already there with the same content, skipped" if already else ""
            failed = f"; {len(problems)} problems, see the warnings above" if problems else ""
            terminal.info(f"extracted {len(written)} files to {extract_dir}{same}{failed}")
    # ids are the carrying messages' ids: every row has one (an attachment only named in a
    # printed page has no sha256), and `show` and the other commands accept them.
    output.emit(rows, COLUMNS, default_columns=DEFAULT, id_key="message", tz=corpus.tz)
    corpus.finish()
