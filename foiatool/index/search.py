"""Full-text search over the index: the user's query language translated to SQLite FTS5."""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from ..errors import UsageError
from ..model import Address
from .query import Filters, message_where

# Field prefixes users type, and the FTS5 column each searches.
FIELDS = {
    "from": "sender", "sender": "sender",
    "to": "recipients", "cc": "recipients", "recipient": "recipients", "recipients": "recipients",
    "subject": "subject", "body": "body", "text": "body",
}
_TOKEN = re.compile(r'\s*(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"|(?P<paren>[()])|(?P<word>[^\s()"]+))')


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


_OPERATORS = ("AND", "OR", "NOT")
_QUOTE_HINT = "to search for the word itself, put it in double quotes, e.g. '\"{word}\"'"


def _operator_error(word: str, why: str) -> UsageError:
    return UsageError(f"{word} is a search operator and {why}; " + _QUOTE_HINT.format(word=word.lower()))


def fts_query(query: str) -> str:
    """``query`` in FTS5 syntax (see ``_translate``)."""
    return _translate(query)[0]


# The FTS5 columns of messages_fts, by position (snippet() names a column by it).
FTS_COLUMNS = ("id", "subject", "sender", "recipients", "body")


def _translate(query: str) -> tuple[str, set[str | None]]:
    """Translate ``subject:detainer AND from:morton NOT "weekly statistics"`` into FTS5 syntax.

    Words and phrases match anywhere unless prefixed by a field (from:, to:, cc:,
    subject:, body:); AND, OR, NOT and parentheses combine them (juxtaposition
    means AND); a trailing * makes a prefix search. A query FTS5 would reject
    (an operator with nothing on one side, an unclosed parenthesis or quote)
    is a UsageError that says what is wrong and how to quote it instead.
    Also returns the columns the words are restricted to (None: a word matching anywhere).
    """
    out: list[str] = []
    searched: set[str | None] = set()
    pos = 0
    depth = 0
    text = query.strip()
    if not text:
        raise UsageError("empty search query")
    if text.count('"') % 2:
        raise UsageError('a double quote (") in the search query is never closed; close the phrase, e.g. \'"records act"\'')
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise UsageError(f"cannot read the search query near {text[pos:pos + 20]!r}")
        pos = m.end()
        field, phrase, paren, word = m.group("field"), m.group("phrase"), m.group("paren"), m.group("word")
        column = None
        if field:
            column = FIELDS.get(field.lower())
            if column is None:
                raise UsageError(f"unknown search field {field + ':'!r}; use one of from:, to:, cc:, subject:, body:")
        operand_before = bool(out) and out[-1] not in ("(", *_OPERATORS)
        if paren:
            if column:
                raise UsageError(f"put the text after {field}: in quotes, e.g. {field}:\"(b)(6)\"")
            if paren == "(":
                depth += 1
                if operand_before:
                    out.append("AND")  # FTS5 does not join a group to what stands before it without an operator
            else:
                depth -= 1
                if depth < 0:
                    raise UsageError("a ')' in the search query has no '(' before it; to search for a parenthesis, "
                                     "put the text in double quotes, e.g. '\"(b)(6)\"'")
                if not operand_before:
                    raise UsageError("an empty '( )' or an operator before ')' in the search query; "
                                     "to search for a parenthesis, put the text in double quotes, e.g. '\"(b)(6)\"'")
            out.append(paren)
            continue
        if word in _OPERATORS and not column:
            if not operand_before:
                raise _operator_error(word, "needs a word or phrase before it" if word != "NOT" else
                                      "needs something before it to exclude from, e.g. 'detainer NOT weekly'")
            if word == "NOT" and out and out[-1] == "AND":
                out.pop()  # FTS5's NOT is binary: "a AND NOT b" is written "a NOT b"
            out.append(word)
            continue
        if phrase is not None:
            term = _quote(phrase)
        else:
            assert word is not None
            if not word.strip("*"):
                raise UsageError("'*' alone matches nothing; put it after the start of a word, e.g. 'detain*'")
            star = word.endswith("*") and len(word) > 1
            term = _quote(word.rstrip("*")) + ("*" if star else "")
        if operand_before:
            out.append("AND")
        out.append(f"{column} : {term}" if column else term)
        searched.add(column)
    if out[-1] in _OPERATORS:
        raise _operator_error(out[-1], "needs a word or phrase after it")
    if depth > 0:
        raise UsageError("a '(' in the search query is never closed; add the ')' or, to search for a parenthesis, "
                         "put the text in double quotes, e.g. '\"(b)(6)\"'")
    return " ".join(out), searched


# Marks around a hit in a snippet: rare in mail, visible in every output format, easy to strip.
HIT_OPEN, HIT_CLOSE = "«", "»"
SNIPPET_WORDS = 12
# Columns short enough to be highlighted whole and cut here: FTS5's highlight() costs about
# half of snippet(), which weighs every window of the column for the one with most hits.
_SHORT_COLUMNS = frozenset({"subject", "sender", "recipients"})


def _hits_sql(query: str, filters: Filters | None, limit: int | None, extra: str = "",
              join: str = "") -> tuple[str, list, Callable[[str | None], str]]:
    """The SQL of a search, its parameters, and what makes each hit's text a snippet."""
    fts, searched = _translate(query)
    # A query whose every word is held to one column (subject:weekly) takes its snippet from
    # that column; FTS5 need not weigh every column of every hit to find the best one.
    only = next(iter(searched)) if len(searched) == 1 else None
    column = FTS_COLUMNS.index(only) if only else -1
    cut: Callable[[str | None], str]
    if only in _SHORT_COLUMNS:
        hit, cut = f"highlight(messages_fts, {column}, '{HIT_OPEN}', '{HIT_CLOSE}')", snippet_of_highlight
    else:
        hit, cut = f"snippet(messages_fts, {column}, '{HIT_OPEN}', '{HIT_CLOSE}', '…', {SNIPPET_WORDS})", one_line
    sql = f"SELECT f.id, {hit}{extra} FROM messages_fts f{join} WHERE messages_fts MATCH ?"
    params: list = [fts]
    if filters is not None and not filters.empty():
        where, where_params = message_where(filters)
        sql += f" AND f.id IN (SELECT m.id FROM messages m WHERE {where})"
        params.extend(where_params)
    sql += " ORDER BY bm25(messages_fts), f.id"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params, cut


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def snippet_of_highlight(hit: str | None) -> str:
    """A highlighted column on one line: at most SNIPPET_WORDS words around its first hit, … where cut."""
    words = (hit or "").split()
    if len(words) <= SNIPPET_WORDS:
        return " ".join(words)
    first = next((i for i, word in enumerate(words) if HIT_OPEN in word), 0)
    start = max(0, min(first - 2, len(words) - SNIPPET_WORDS))
    end = start + SNIPPET_WORDS
    # never cut inside a hit: a phrase marked over several words keeps its closing mark
    while end < len(words) and HIT_OPEN in " ".join(words[start:end]).rpartition(HIT_CLOSE)[2]:
        end += 1
    text = " ".join(words[start:end])
    return ("…" if start > 0 else "") + text + ("…" if end < len(words) else "")


def _run(conn: sqlite3.Connection, query: str, sql: str, params: list) -> list:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        raise UsageError(f"cannot search for {query!r}: the search engine rejected it ({exc}); "
                         "put words with special characters in double quotes, e.g. '\"(b)(6)\"'") from exc


def search_hits(conn: sqlite3.Connection, query: str, limit: int | None = None,
                filters: Filters | None = None) -> list[tuple[str, str]]:
    """(message id, snippet) for each message matching ``query``, best match first (bm25).

    The snippet is up to 12 words from the column that matched best, the hits between « and »,
    … where text was cut; ``filters`` narrow the messages as in the listings.
    """
    sql, params, cut = _hits_sql(query, filters, limit)
    return [(r[0], cut(r[1])) for r in _run(conn, query, sql, params)]


# What search_briefs gives for each hit: the message's own columns, its sender as a label, the snippet.
BRIEF_KEYS = frozenset({"id", "message_id", "date", "date_status", "subject", "thread", "from_label", "snippet"})


def search_briefs(conn: sqlite3.Connection, query: str, limit: int | None = None,
                  filters: Filters | None = None) -> list[dict]:
    """The hits of ``query`` as short records (the keys of BRIEF_KEYS), best match first, in one query.

    For listings that show no more than these keys: reading whole records (recipients,
    sources, attachments) is most of the time of a search with thousands of hits.
    """
    sql, params, cut = _hits_sql(
        query, filters, limit,
        extra=", m.message_id, m.date, m.date_status, m.subject, m.thread_id, m.from_name, m.from_email, m.from_redacted",
        join=" JOIN messages m ON m.rowid = f.rowid",  # a full-text row shares its message's rowid
    )
    labels: dict[tuple, str] = {}  # a release has far fewer senders than hits
    briefs = []
    for mid, snippet, message_id, date, status, subject, thread, name, email, redacted in _run(conn, query, sql, params):
        label = labels.get((name, email, redacted))
        if label is None:
            label = labels[name, email, redacted] = Address(name, email, redacted).label()
        briefs.append({"id": mid, "message_id": message_id, "date": date, "date_status": status, "subject": subject,
                       "thread": thread, "from_label": label, "snippet": cut(snippet)})
    return briefs


def search_ids(conn: sqlite3.Connection, query: str, limit: int | None = None, filters: Filters | None = None) -> list[str]:
    """Message ids matching ``query``, best match first (bm25); ``filters`` narrow them as in the listings."""
    return [mid for mid, _ in search_hits(conn, query, limit, filters)]


_QUERY_SYNTAX = re.compile(r'["()*:]|\b(?:AND|OR|NOT)\b')


def term_query(line: str) -> str:
    """A line of a terms file as a query: plain words are one phrase (a name, ``Cheryl Mills``);
    a line using the query language (quotes, AND/OR/NOT, parentheses, field:, prefix*) is taken as written."""
    line = line.strip()
    return line if _QUERY_SYNTAX.search(line) else _quote(line)


def term_hits(conn: sqlite3.Connection, query: str, filters: Filters | None = None, top: int = 5) -> dict:
    """What one term hits: the matching messages, their threads, and the people taking part in them
    (sender or recipient), the most involved first."""
    ids = search_ids(conn, query, filters=filters)
    threads: list[str] = []
    people: list[dict] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        threads += [r[0] for r in conn.execute(
            f"SELECT DISTINCT thread_id FROM messages WHERE id IN ({marks}) AND thread_id IS NOT NULL", chunk)]
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for person, name, n in conn.execute(
            f"SELECT a.person, p.name, count(DISTINCT a.message) FROM addresses a JOIN people p ON p.id = a.person "
            f"WHERE a.message IN ({marks}) GROUP BY a.person", chunk,
        ):
            counts[person] = counts.get(person, 0) + n
            names[person] = name
    people = [{"id": pid, "name": names[pid], "messages": n}
              for pid, n in sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]], kv[0]))]
    return {
        "messages": len(ids),
        "threads": len(dict.fromkeys(threads)),
        "people": len(people),
        "top_people": "; ".join(f"{p['name'] or p['id']} ({p['messages']})" for p in people[:top]),
        "message_ids": ids,
        "thread_ids": list(dict.fromkeys(threads)),
        "people_hit": people,
    }
