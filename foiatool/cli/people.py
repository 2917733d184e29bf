"""``foiatool people``: the persons in the release and their traffic."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, filter_options, get_app, open_corpus
from .output import output_options

COLUMNS = [
    Column("id", "Person", "id"),
    Column("name", "Name", width=28),
    Column("unit", "Org"),
    Column("sent", "Sent", "int"),
    Column("received", "Received", "int"),
    Column("first", "First seen", "date"),
    Column("last", "Last seen", "date"),
    Column("emails", "Addresses", "list", width=40),
    Column("names", "Names seen", "list"),
    Column("unit_label", "Organisation"),
    Column("org", "Parent org"),
    Column("recovered", "Recovered", "int"),
    Column("top_correspondents", "Top correspondents", "list"),
    Column("median_reply_seconds", "Median reply (s)", "float"),
]
DEFAULT = ["id", "name", "unit", "sent", "received", "first", "last", "top_correspondents"]


@click.command("people")
@corpus_options()
@filter_options
@click.option("--sort", type=click.Choice(["messages", "sent", "received", "name", "first", "last", "org"]), default="messages", show_default=True)
@click.option("--aliases", type=click.Path(exists=True, dir_okay=False), help="CSV 'address,person' rows: merge addresses into one person, or 'address,-' to keep one apart.")
@click.option("--explain", metavar="PERSON", help="Say why PERSON's addresses and names were merged (id, address or name).")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, sort, aliases, explain, output) -> None:
    """List the people: names and addresses seen, organisation, messages sent and received,
    first and last seen, top correspondents and median reply time.

    Addresses are merged into one person only on evidence: the same address,
    or the same normalised name within one organisation, or an --aliases row;
    never on a name alone across organisations.
    """
    from ..analysis.people import find_people, people_records

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    if aliases:
        corpus = _apply_aliases(corpus, aliases, paths, db, jobs, strict, quiet, tz)
    if explain:
        ids = find_people(corpus.conn, explain)
        if not ids:
            raise click.UsageError(f"no person matches {explain!r}")
        records = [p for p in people_records(corpus.conn, None, "name") if p["id"] in ids]
        rows = []
        for p in records:
            lines = p["evidence"] or ["no merges: one address, names as written"]
            for line in lines:
                rows.append({"id": p["id"], "name": p["name"], "emails": p["emails"], "explanation": line})
        output.emit(rows, [Column("id", "Person", "id"), Column("name", "Name"), Column("explanation", "Why", width=80), Column("emails", "Addresses", "list")])
        corpus.finish()
        return
    output.emit(people_records(corpus.conn, filters, sort), COLUMNS, default_columns=DEFAULT, tz=corpus.tz)
    corpus.finish()


def _apply_aliases(corpus, aliases_path, paths, db, jobs, strict, quiet, tz):
    """Re-derive people with the user's aliases (a writer step) and reopen the index."""
    import hashlib

    from .. import store
    from ..derive import derive_people
    from ..people import load_aliases

    try:
        rules = load_aliases(aliases_path)
    except ValueError as exc:
        raise click.UsageError(f"{aliases_path}: {exc}") from exc
    digest = hashlib.sha256(open(aliases_path, "rb").read()).hexdigest()
    db_path = corpus.db_path
    corpus.conn.close()
    with store.writer_lock(db_path, on_wait=get_app().terminal.warn):
        conn = store.connect(db_path)
        try:
            if store.get_meta(conn, "aliases") != digest:
                with conn:
                    derive_people(conn, rules)
                    store.set_meta(conn, "aliases", digest)
        finally:
            conn.close()
    corpus.conn = store.connect(db_path, readonly=True)
    return corpus
