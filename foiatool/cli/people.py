"""``foiatool people``: the persons in the release and their traffic."""
from __future__ import annotations

import os

import click

from ..render import Column
from .common import Corpus, corpus_options, filter_options, get_app, open_corpus
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
    Column("messages", "Messages", "int"),
    Column("recovered", "Recovered", "int"),
    Column("top_correspondents", "Top correspondents", "list"),
    Column("median_reply_seconds", "Median reply (s)", "float"),
]
DEFAULT = ["id", "name", "unit", "sent", "received", "first", "last", "top_correspondents"]


@click.command("people")
@corpus_options()
@filter_options
@click.option("--sort", type=click.Choice(["messages", "sent", "received", "name", "first", "last", "org"]), default="messages", show_default=True,
              help="Order of the people: most messages (sent and received) first, or by this field.")
@click.option("--aliases", type=click.Path(dir_okay=False), metavar="FILE",
              help="CSV with the header 'address,person': rows sharing a person key are one person; 'address,-' "
                   "keeps that address apart. Stored with the index until another file replaces it.")
@click.option("--explain", metavar="PERSON", help="Say why PERSON's addresses and names were merged (id, address or name).")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, sort, aliases, explain, output) -> None:
    """List the people: names and addresses seen, organisation, messages sent and received,
    first and last seen, top correspondents and median reply time.

    Addresses are merged into one person only on evidence: the same address,
    or the same normalised name within one organisation, or an --aliases row;
    never on a name alone across organisations. --explain PERSON says why.

    The aliases file stays with the index: later runs of every command, with
    or without --aliases, use it (and apply it again when new input changes
    the people) until --aliases names another file; a file with only the
    header line drops them. Median reply times leave out messages whose date
    was guessed or is missing.
    """
    from ..analysis.people import find_people, people_records

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    if aliases:
        rules, digest = read_aliases(aliases)
        ensure_aliases(corpus, rules, os.path.abspath(aliases), digest)
    else:
        ensure_aliases(corpus)
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
        output.emit(rows, [Column("id", "Person", "id"), Column("name", "Name"), Column("explanation", "Why", width=80),
                            # the addresses give way before the Why, which is what was asked
                            Column("emails", "Addresses", "list", width=24)])
        corpus.finish()
        return
    output.emit(people_records(corpus.conn, filters, sort), COLUMNS, default_columns=DEFAULT, tz=corpus.tz)
    corpus.finish()


def read_aliases(path: str) -> tuple[list, str]:
    """The rules of an aliases file and its digest; a usage error (exit 2) naming the file and line otherwise."""
    import hashlib

    from ..derive.aliases import load_aliases

    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        rules = load_aliases(path)
    except FileNotFoundError:
        raise click.BadParameter(f"{path}: no such file", param_hint="--aliases") from None
    except OSError as exc:
        raise click.BadParameter(f"{path}: cannot be read ({exc.strerror or exc})", param_hint="--aliases") from None
    except ValueError as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="--aliases") from None
    return rules, digest


def ensure_aliases(corpus: Corpus, rules: list | None = None, file: str = "", digest: str = "") -> None:
    """Make the people in the index reflect the aliases: newly given ``rules``, else the ones stored with it.

    Deriving people again is a writer step: it takes the index's writer lock,
    then the command reads on through a fresh read-only connection.
    """
    from ..derive.aliases import aliases_need_applying, saved_aliases
    from ..index import store
    from ..refresh.derive import apply_aliases

    wanted = aliases_need_applying(corpus.conn, rules)
    if wanted is None:
        return
    if rules is None:
        saved = saved_aliases(corpus.conn)
        file, digest = (saved.file, saved.sha256) if saved else ("", "")
    db_path = corpus.db_path
    corpus.conn.close()
    with store.writer_lock(db_path, on_wait=get_app().terminal.warn):
        conn = store.connect(db_path)
        try:
            # Another process may have brought the people up to date while this one waited.
            if aliases_need_applying(conn, wanted) is not None:
                apply_aliases(conn, wanted, file, digest)
        finally:
            conn.close()
    corpus.conn = store.connect(db_path, readonly=True)
