"""``foiatool index``: build or refresh the index explicitly."""
from __future__ import annotations

import click

from .common import corpus_options, open_corpus


@click.command("index")
@corpus_options(paths_required=True)
def command(paths, db, jobs, strict, quiet, tz) -> None:
    """Build or refresh the index for PATHS, then say where it is and what it holds.

    A second run on an unchanged dump re-reads nothing; changed files are
    re-read alone; removed files' messages leave the index. The index lives in
    your cache directory (never in the input folders) unless --db names one.
    """
    # its own account line below replaces the usual one; the progress bar stays
    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz, account=False)
    report = corpus.report
    click.echo(corpus.db_path)
    from .common import get_app

    if not (quiet or get_app().quiet):
        get_app().terminal.info(
            f"{report.account()} ({report.parsed} read, {report.unchanged} unchanged, {report.removed} removed)"
        )
    corpus.finish()
