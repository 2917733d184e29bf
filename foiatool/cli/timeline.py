"""``foiatool timeline``: activity per period (bars on a terminal), events, and quiet periods."""
from __future__ import annotations

import click

from ..render import Column
from .common import corpus_options, filter_options, get_app, open_corpus, parse_tz
from .messages import COLUMNS as MESSAGE_COLUMNS
from .messages import FLAT_ONLY
from .output import output_options

COLUMNS = [
    Column("period", "Period"),
    Column("messages", "Messages", "int"),
    Column("senders", "Senders", "int"),
    Column("threads", "Threads", "int"),
    Column("start", "Start"),
    Column("guessed", "Guessed dates", "int"),
]
DEFAULT = ["period", "messages", "senders", "threads", "start"]
EVENT_DEFAULT = ["date", "from_label", "to_label", "subject", "thread", "flags"]
QUIET_COLUMNS = [
    Column("scope", "Scope"),
    Column("id", "Person or thread", "id"),
    Column("name", "Name or subject", width=36),
    Column("start", "Silent from", "date"),
    Column("end", "Until", "date"),
    Column("days", "Days", "float"),
    Column("usual_gap_days", "Usual gap (days)", "float"),
    Column("guessed_in_gap", "Guessed dates in gap", "int"),
    Column("dated_messages", "Dated messages", "int"),
]
QUIET_DEFAULT = ["scope", "id", "name", "start", "end", "days", "usual_gap_days", "guessed_in_gap"]


@click.command("timeline")
@corpus_options()
@filter_options
@click.option("--person", "persons", multiple=True, metavar="P", help="Only messages P sent or received (person id, address or name).")
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default=None,
              help="Period of the activity chart (default: from the span of the dates: day up to a month,"
                   " week up to half a year, month up to eight years, else year).")
@click.option("--recovered/--no-recovered", default=False, show_default=True,
              help="Also count messages rebuilt from quoted history (not in the release).")
@click.option("--events", is_flag=True, help="List the events (who sent what to whom, in order) instead of counts per period.")
@click.option("--quiet-periods", "quiet_only", is_flag=True,
              help="List the quiet periods as rows: of each --person and --thread, or of every person and thread.")
@output_options
def command(paths, db, jobs, strict, quiet, tz, filters, persons, by, recovered, events, quiet_only, output) -> None:
    """Activity over time: messages per day, week or month, drawn as bars on a
    terminal and given as rows when piped; --events lists who sent what to whom.

    Without --by the period follows the span of the dates. On a terminal a run of
    empty periods folds into one row ("... 14 quiet months ..."); data formats
    list every period. Periods are counted in the --tz zone; without --tz, in local time on a
    terminal and in UTC when the output is data, so piped output is the same on
    every machine. Messages with a guessed date are counted in their period
    (the 'guessed' key says how many); messages with no date are counted on a
    last row, 'undated'.

    Quiet periods are silences, within a person's or thread's active span, much
    longer than its usual rhythm (median gap); they often mark withheld
    material. With --person or --thread they are listed under the chart on a
    terminal (on stderr when the output is data); --quiet-periods gives them
    as rows in any --format, for the named people and threads or for everyone.
    """
    from ..analysis.people import find_people
    from ..analysis.timeline import activity, auto_period, fold_quiet, quiet_period_rows
    from ..index.query import flat_message, message_records, message_where
    from .people import ensure_aliases

    corpus = open_corpus(paths, db, jobs=jobs, strict=strict, quiet=quiet, tz=tz)
    ensure_aliases(corpus)
    person_ids: list[str] = []
    for p in persons:
        ids = find_people(corpus.conn, p)
        if not ids:
            raise click.UsageError(f"no person matches {p!r}")
        person_ids.extend(i for i in ids if i not in person_ids)
    filters.person.extend(person_ids)
    # The same messages as the summary's "distinct messages" unless --recovered adds the rebuilt ones.
    filters.include_recovered = recovered
    terminal = get_app().terminal
    fmt = output.resolved_format()
    on_screen = fmt == "table"
    zone = parse_tz(tz) if (tz is not None or on_screen) else parse_tz("UTC")
    threads = list(filters.thread)

    if quiet_only:
        rows = quiet_period_rows(corpus.conn, filters, person_ids, threads)
        output.emit(rows, QUIET_COLUMNS, default_columns=QUIET_DEFAULT, tz=corpus.tz, title="Quiet periods")
        corpus.finish()
        return

    if events:
        # One event per message: a near-duplicate copy is the same event again.
        filters.include_duplicates = False
        events_rows = (flat_message(r) for r in message_records(corpus.conn, where=message_where(filters)))
        output.emit(events_rows, MESSAGE_COLUMNS, default_columns=EVENT_DEFAULT, tz=corpus.tz, drop_keys=FLAT_ONLY)
    else:
        chosen = by is None
        by = by or auto_period(corpus.conn, filters)
        periods = activity(corpus.conn, filters, by, zone)
        if on_screen and output.columns is None:
            from ..render.charts import activity_chart

            # Long silences fold into one row on the screen; data formats keep every period.
            title = f"Messages per {by}" + (" (from the span of the dates; --by day|week|month|year)" if chosen else "")
            activity_chart(terminal.console_out, fold_quiet(periods, by), title=title)
            click.echo(_totals_note(corpus.conn, periods, recovered))
        else:
            output.emit(periods, COLUMNS, default_columns=DEFAULT, id_key="period")

    if person_ids or threads:
        silences = quiet_period_rows(corpus.conn, filters, person_ids, threads)
        if on_screen:
            from ..render.charts import quiet_periods_table

            quiet_periods_table(terminal.console_out, silences, corpus.tz)
        elif not (quiet or get_app().quiet):
            for q in silences:
                terminal.warn(
                    f"quiet period: {q['start'][:10]} to {q['end'][:10]} for {q['id']} ({q['days']:g} days;"
                    f" usual gap {q['usual_gap_days']:g} days); --quiet-periods lists them as data"
                )
    corpus.finish()


def _totals_note(conn, periods: list[dict], recovered: bool) -> str:
    """What the chart counted, in the words the summary uses (analysis/counts.py)."""
    from ..analysis.counts import LABELS, release_counts

    counts = release_counts(conn)
    total = sum(r["messages"] for r in periods)
    undated = sum(r["messages"] for r in periods if r["period"] == "undated")
    whole = counts["distinct"] + (counts["recovered"] if recovered else 0)
    what = LABELS["distinct"] + (f" and {LABELS['recovered']}" if recovered else "")
    note = f"{total} {what}" if total == whole else f"{total} of {whole} {what} (filtered)"
    note += f"; {undated} {LABELS['undated']}"
    if not recovered and counts["recovered"]:
        note += f"; {counts['recovered']} {LABELS['recovered']} not counted (--recovered counts them)"
    return note
