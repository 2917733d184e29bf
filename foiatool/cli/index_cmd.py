"""``foiatool index``: build or refresh the index explicitly, on this machine or with a Dask cluster's help."""
from __future__ import annotations

import click

from .common import corpus_options, open_corpus


@click.command("index")
@corpus_options(paths_required=True)
@click.option("--cluster", "cluster", metavar="ADDRESS", envvar="FOIATOOL_CLUSTER", default=None,
              help="Send OCR pages and file parsing to the Dask scheduler at ADDRESS (tcp://host:8786; "
                   "also $FOIATOOL_CLUSTER). Needs pip install 'foiatool[cluster]' and the dump on a "
                   "filesystem every worker sees, under the same path.")
def command(paths, db, jobs, strict, quiet, tz, cluster) -> None:
    """Build or refresh the index for PATHS, then say where it is and what it holds.

    A second run on an unchanged dump re-reads nothing; changed files are
    re-read alone; removed files' messages leave the index. The index lives in
    your cache directory (never in the input folders) unless --db names one.
    With --cluster, workers read and recognise; this process alone writes the index.
    """
    executor = None
    if cluster and cluster.strip():
        # Imported here so that an index built without --cluster never loads Dask.
        from ..refresh.cluster import DaskCluster

        executor = DaskCluster(cluster.strip())
        executor.connect()  # a wrong address is said now, before any file is read
    try:
        # its own account line below replaces the usual one; the progress bar stays
        corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz, account=False, executor=executor)
    finally:
        if executor is not None:
            executor.close()
    report = corpus.report
    click.echo(corpus.db_path)
    from .common import get_app

    if not (quiet or get_app().quiet):
        ocr = ""
        if report.ocr_pages or report.ocr_cached:
            ocr = f"; OCR: {report.ocr_pages} pages recognised, {report.ocr_cached} from the index"
        get_app().terminal.info(
            f"{report.account()} ({report.parsed} read, {report.unchanged} unchanged, {report.removed} removed){ocr}"
        )
    corpus.finish()
