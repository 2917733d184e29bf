"""``foiatool show``: one thread as a reply tree."""
from __future__ import annotations

import click

from ..errors import UsageError
from .common import corpus_options, get_app, open_corpus, read_stdin_lines
from .messages import with_marks


@click.command("show")
@click.argument("ids", nargs=1)
@corpus_options()
@click.option("--full", is_flag=True, help="Whole bodies instead of the first lines of new text.")
@click.option("--lines", type=click.IntRange(0), default=3, show_default=True, help="Lines of new text per message.")
@click.option("--format", "-f", "fmt", type=click.Choice(["tree", "text", "json", "ndjson"]), default=None,
              help="tree on a terminal, text when piped; json/ndjson give the thread record with its messages.")
def command(ids, paths, db, jobs, strict, quiet, tz, full, lines, fmt) -> None:
    """Show thread ID as a tree: who wrote to whom when, and what they added.

    ID may be a thread id, a message id (its thread is shown), a comma list,
    or '-' to read ids from stdin (one per line), so that
    `foiatool threads ... -f ids | foiatool show - --db INDEX` works.
    Recovered messages (rebuilt from quoted history), placeholders (referenced
    but not in the dump) and duplicates are marked.
    """
    from ..analysis.threadview import resolve_thread_ids, thread_tree
    from ..index.query import message_records, thread_records

    wanted = read_stdin_lines() if ids == "-" else [i for i in ids.split(",") if i]
    if ids == "-" and "-" in paths:
        raise click.UsageError("'-' can read ids or paths from stdin, not both")
    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    app = get_app()
    try:
        thread_ids = resolve_thread_ids(corpus.conn, wanted)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    fmt = fmt or ("tree" if app.terminal.stdout_isatty else "text")
    body = "full" if full else "new"
    for tid in thread_ids:
        record = next(thread_records(corpus.conn, ids=[tid]))
        messages = list(message_records(corpus.conn, where=("m.thread_id = ?", [tid]), body=body))
        tree = thread_tree(corpus.conn, tid, messages)
        messages = list(with_marks(corpus.conn, messages))
        if fmt in ("json", "ndjson"):
            from ..render.values import json_text

            record["message_count"] = record["messages"]
            record["messages"] = messages
            record["tree"] = tree.as_json()
            text = json_text(record, indent=2 if fmt == "json" else None)
            click.echo(text)
        elif fmt == "tree":
            from ..render.charts import reply_tree

            reply_tree(app.terminal.console_out, tree, tz=corpus.tz, lines=None if full else lines)
        else:
            from ..render.escape import terminal_safe

            click.echo(terminal_safe(tree.as_text(tz=corpus.tz, lines=None if full else lines), multiline=True), nl=False)
        if fmt in ("tree", "text"):
            from ..render.escape import terminal_safe

            for line in release_notes(messages):
                click.echo(terminal_safe(line))
    corpus.finish()


def release_notes(messages: list[dict]) -> list[str]:
    """Lines under the tree: the release marks of the documents the thread was found in, and the dates
    printed on messages whose date could not be trusted or had no year."""
    notes: list[str] = []
    marked: dict[tuple[str, ...], list[str]] = {}
    for m in messages:
        if m["marks"]:
            marked.setdefault(tuple(m["marks"]), []).append(m["id"])
    for marks, ids in marked.items():
        notes.append(f"Release marks: {'; '.join(marks)} ({len(ids)} {'message' if len(ids) == 1 else 'messages'})")
    for m in messages:
        if m["date_text"] and m["date_status"] in ("suspect", "year-inferred"):
            notes.append(f"Date as printed on {m['id']}: {m['date_text']} ({m['date_status']})")
    return notes
