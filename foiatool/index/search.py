"""Full-text search over the index: the user's query language translated to SQLite FTS5."""
from __future__ import annotations

import re
import sqlite3

from ..errors import UsageError
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


def fts_query(query: str) -> str:
    """Translate ``subject:detainer AND from:morton NOT "weekly statistics"`` into FTS5 syntax.

    Words and phrases match anywhere unless prefixed by a field (from:, to:, cc:,
    subject:, body:); AND, OR, NOT and parentheses combine them (juxtaposition
    means AND); a trailing * makes a prefix search.
    """
    out: list[str] = []
    pos = 0
    text = query.strip()
    if not text:
        raise UsageError("empty search query")
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
        if paren:
            if column:
                raise UsageError(f"put the text after {field}: in quotes, e.g. {field}:\"(b)(6)\"")
            out.append(paren)
            continue
        if word in ("AND", "OR", "NOT") and not column:
            if word == "NOT" and out and out[-1] == "AND":
                out.pop()  # FTS5's NOT is binary: "a AND NOT b" is written "a NOT b"
            if word == "NOT" and (not out or out[-1] in ("(", "OR")):
                raise UsageError("NOT needs something before it to exclude from, e.g. 'detainer NOT weekly'")
            out.append(word)
            continue
        if phrase is not None:
            term = _quote(phrase)
        else:
            assert word is not None
            star = word.endswith("*") and len(word) > 1
            term = _quote(word.rstrip("*")) + ("*" if star else "")
        out.append(f"{column} : {term}" if column else term)
    return " ".join(out)


def search_ids(conn: sqlite3.Connection, query: str, limit: int | None = None, filters: Filters | None = None) -> list[str]:
    """Message ids matching ``query``, best match first (bm25); ``filters`` narrow them as in the listings."""
    fts = fts_query(query)
    sql = "SELECT id FROM messages_fts WHERE messages_fts MATCH ?"
    params: list = [fts]
    if filters is not None and not filters.empty():
        where, where_params = message_where(filters)
        sql += f" AND id IN (SELECT m.id FROM messages m WHERE {where})"
        params.extend(where_params)
    sql += " ORDER BY bm25(messages_fts), id"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    try:
        return [r[0] for r in conn.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        raise UsageError(f"cannot search for {query!r}: {exc}") from exc
