"""Full-text search over the index: the user's query language translated to SQLite FTS5."""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Collection
from typing import NamedTuple

from ..errors import UsageError
from ..model import Address, normalise_text
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
    return _translate(query).fts


# The FTS5 columns of messages_fts, by position (snippet() names a column by it).
FTS_COLUMNS = ("id", "subject", "sender", "recipients", "body")


class _Translated(NamedTuple):
    fts: str  # the query in FTS5 syntax
    terms: list[tuple[str | None, str, bool]]  # each word or phrase: (column, text, prefix search)
    conjunction: bool  # the terms are joined by AND alone: no OR, NOT or parentheses

    @property
    def searched(self) -> set[str | None]:
        """The columns the words are held to (None: anywhere)."""
        return {column for column, _, _ in self.terms}


def _translate(query: str) -> _Translated:
    """Translate ``subject:detainer AND from:morton NOT "weekly statistics"`` into FTS5 syntax.

    Words and phrases match anywhere unless prefixed by a field (from:, to:, cc:,
    subject:, body:); AND, OR, NOT and parentheses combine them (juxtaposition
    means AND); a trailing * makes a prefix search. A query FTS5 would reject
    (an operator with nothing on one side, an unclosed parenthesis or quote)
    is a UsageError that says what is wrong and how to quote it instead.
    Also returns the terms themselves, each with the column it is held to (None: anywhere).
    """
    out: list[str] = []
    terms: list[tuple[str | None, str, bool]] = []
    conjunction = True
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
            conjunction = False
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
            conjunction = conjunction and word == "AND"
            if word == "NOT" and out and out[-1] == "AND":
                out.pop()  # FTS5's NOT is binary: "a AND NOT b" is written "a NOT b"
            out.append(word)
            continue
        if phrase is not None:
            term = _quote(phrase)
            terms.append((column, phrase, False))
        else:
            assert word is not None
            if not word.strip("*"):
                raise UsageError("'*' alone matches nothing; put it after the start of a word, e.g. 'detain*'")
            star = word.endswith("*") and len(word) > 1
            term = _quote(word.rstrip("*")) + ("*" if star else "")
            terms.append((column, word.rstrip("*"), star))
        if operand_before:
            out.append("AND")
        out.append(f"{column} : {term}" if column else term)
    if out[-1] in _OPERATORS:
        raise _operator_error(out[-1], "needs a word or phrase after it")
    if depth > 0:
        raise UsageError("a '(' in the search query is never closed; add the ')' or, to search for a parenthesis, "
                         "put the text in double quotes, e.g. '\"(b)(6)\"'")
    return _Translated(" ".join(out), terms, conjunction)


# Marks around a hit in a snippet: rare in mail, visible in every output format, easy to strip.
HIT_OPEN, HIT_CLOSE = "«", "»"
SNIPPET_WORDS = 12
# Columns short enough to be highlighted whole and cut here: FTS5's highlight() costs about
# half of snippet(), which weighs every window of the column for the one with most hits.
_SHORT_COLUMNS = frozenset({"subject", "sender", "recipients"})


def _highlight_sql(column: str) -> str:
    """FTS5's highlight() of a whole column, hits between HIT_OPEN and HIT_CLOSE."""
    return f"highlight(messages_fts, {FTS_COLUMNS.index(column)}, '{HIT_OPEN}', '{HIT_CLOSE}')"


def _snippet_sql(translated: _Translated) -> tuple[str, Callable[[str | None], str]]:
    """The SQL giving each hit's marked text, and what makes that text a snippet."""
    # A query whose every word is held to one column (subject:weekly) takes its snippet from
    # that column; FTS5 need not weigh every column of every hit to find the best one.
    searched = translated.searched
    only = next(iter(searched)) if len(searched) == 1 else None
    column = FTS_COLUMNS.index(only) if only else -1
    if only in _SHORT_COLUMNS:
        return _highlight_sql(only), snippet_of_highlight
    return f"snippet(messages_fts, {column}, '{HIT_OPEN}', '{HIT_CLOSE}', '…', {SNIPPET_WORDS})", _one_line


def _hits_sql(translated: _Translated, hit: str, filters: Filters | None, limit: int | None,
              extra: str = "", join: str = "") -> tuple[str, list]:
    """The SQL of a search and its parameters: the message id, ``hit``, then ``extra``, best match first.

    Only ``hit`` may read a full-text row's stored text (the body included): the id comes from
    the joined message where there is one, and filters meet the full-text rows by rowid.
    """
    mid = "m.id" if join else "f.id"
    sql = f"SELECT {mid}, {hit}{extra} FROM messages_fts f{join} WHERE messages_fts MATCH ?"
    params: list = [translated.fts]
    if filters is not None and not filters.empty():
        where, where_params = message_where(filters)
        sql += f" AND f.rowid IN (SELECT m.rowid FROM messages m WHERE {where})"
        params.extend(where_params)
    sql += f" ORDER BY bm25(messages_fts), {mid}"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


# FTS5's unicode61 tokenizer on ASCII text: a token is a run of letters and digits, folded to lower case.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+")
_Phrases = tuple[tuple[tuple[str, ...], bool], ...]


def _subject_phrases(translated: _Translated) -> _Phrases | None:
    """The phrases FTS5 marks in a hit's subject, as (folded words, last word a prefix), where marking
    them here gives FTS5's very marks: ASCII terms, each held to the subject, joined by AND alone.

    Then every phrase is in every hit's subject, and FTS5's highlight() marks each place it is found.
    """
    if not translated.conjunction or not translated.terms:
        return None
    phrases = []
    for column, text, prefix in translated.terms:
        if column != "subject" or not text.isascii():
            return None
        words = tuple(word.lower() for word in _ASCII_TOKEN.findall(text))
        if not words:
            return None
        phrases.append((words, prefix))
    return tuple(phrases)


def mark_ascii(text: str, phrases: _Phrases) -> str:
    """ASCII ``text`` with each place of ``phrases`` between HIT_OPEN and HIT_CLOSE, as FTS5's
    highlight() marks it: overlapping places are one mark, places side by side are two."""
    tokens = list(_ASCII_TOKEN.finditer(text))
    words = [token.group().lower() for token in tokens]
    places = []
    for phrase, prefix in phrases:
        head, last, n = list(phrase[:-1]), phrase[-1], len(phrase)
        for i in range(len(words) - n + 1):
            word = words[i + n - 1]
            if (word.startswith(last) if prefix else word == last) and words[i:i + n - 1] == head:
                places.append((i, i + n - 1))
    if not places:
        return text
    places.sort()
    merged = [list(places[0])]
    for first, last_word in places[1:]:
        if first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last_word)
        else:
            merged.append([first, last_word])
    parts, at = [], 0
    for first, last_word in merged:
        start, end = tokens[first].start(), tokens[last_word].end()
        parts += [text[at:start], HIT_OPEN, text[start:end], HIT_CLOSE]
        at = end
    parts.append(text[at:])
    return "".join(parts)


def _one_line(text: str | None) -> str:
    return normalise_text(text or "")


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
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: named rows cost a tenth of a large search
    try:
        return cursor.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        raise UsageError(f"cannot search for {query!r}: the search engine rejected it ({exc}); "
                         "put words with special characters in double quotes, e.g. '\"(b)(6)\"'") from exc


def search_hits(conn: sqlite3.Connection, query: str, limit: int | None = None,
                filters: Filters | None = None) -> list[tuple[str, str]]:
    """(message id, snippet) for each message matching ``query``, best match first (bm25).

    The snippet is up to 12 words from the column that matched best, the hits between « and »,
    … where text was cut; ``filters`` narrow the messages as in the listings.
    """
    translated = _translate(query)
    hit, cut = _snippet_sql(translated)
    sql, params = _hits_sql(translated, hit, filters, limit)
    return [(r[0], cut(r[1])) for r in _run(conn, query, sql, params)]


# What search_briefs gives for each hit: the message's own columns, its sender as a label, the snippet.
BRIEF_KEYS = frozenset({"id", "message_id", "date", "date_status", "subject", "thread", "from_label", "snippet"})
_BRIEF_SQL = {"message_id": "m.message_id", "date": "m.date", "date_status": "m.date_status",
              "subject": "m.subject", "thread": "m.thread_id"}


def search_briefs(conn: sqlite3.Connection, query: str, limit: int | None = None,
                  filters: Filters | None = None, *, keys: Collection[str] = BRIEF_KEYS,
                  mark_here: bool = True) -> list[dict]:
    """The hits of ``query`` as short records, best match first, in one query: each has the id
    and those of ``keys`` (of BRIEF_KEYS) asked for, so a listing reads no column it does not show.

    For listings that show no more than these keys: reading whole records (recipients,
    sources, attachments) is most of the time of a search with thousands of hits.

    A query held to the subject has its ASCII subjects marked here, with FTS5's marks (see
    ``mark_ascii``): highlight() would read each hit's whole stored row, body included, which
    is half of such a search. ``mark_here=False`` leaves all marking to FTS5.
    """
    translated = _translate(query)
    plain = [key for key in _BRIEF_SQL if key in keys]
    columns = [_BRIEF_SQL[key] for key in plain]
    snippet_of: Callable[[tuple], str] | None = None
    phrases = _subject_phrases(translated) if mark_here and "snippet" in keys else None
    if phrases:
        hit = "f.rowid"  # the subject is marked here; FTS5 marks a subject by its rowid
        if "subject" not in plain:
            columns.append("m.subject")
        subject_at = 2 + columns.index("m.subject")
    elif "snippet" in keys:
        hit, cut = _snippet_sql(translated)
        snippet_of = lambda row: cut(row[1])  # noqa: E731
    else:
        hit = "NULL"
    label_at = 2 + len(columns)
    if "from_label" in keys:
        columns += ["m.from_name", "m.from_email", "m.from_redacted"]
    sql, params = _hits_sql(
        translated, hit, filters, limit, extra="".join(", " + column for column in columns),
        join=" JOIN messages m ON m.rowid = f.rowid",  # a full-text row shares its message's rowid
    )
    rows = _run(conn, query, sql, params)
    if phrases:
        snippet_of = _subject_snippets(conn, translated, phrases, rows, subject_at)
    labels: dict[tuple, str] = {}  # a release has far fewer senders than hits
    briefs = []
    end = 2 + len(plain)
    for row in rows:
        brief = {"id": row[0]}
        brief.update(zip(plain, row[2:end], strict=True))
        if label_at < len(row):
            sender = row[label_at:label_at + 3]
            label = labels.get(sender)
            if label is None:
                label = labels[sender] = Address(*sender).label()
            brief["from_label"] = label
        if snippet_of is not None:
            brief["snippet"] = snippet_of(row)
        briefs.append(brief)
    return briefs


def _subject_snippets(conn: sqlite3.Connection, translated: _Translated, phrases: _Phrases,
                      rows: list, at: int) -> Callable[[tuple], str]:
    """The snippet of each of ``rows`` (id, rowid, ..., the subject at ``at``, ...): ASCII subjects
    marked here, once per subject; any other marked by FTS5's highlight()."""
    snippets: dict[str | int, str] = {}
    others: list[int] = []
    for row in rows:
        subject = row[at]
        if not subject.isascii():
            others.append(row[1])
        elif subject not in snippets:
            snippets[subject] = snippet_of_highlight(mark_ascii(subject, phrases))
    for start in range(0, len(others), 500):
        chunk = others[start:start + 500]
        for rowid, text in conn.execute(
            f"SELECT rowid, {_highlight_sql('subject')} FROM messages_fts"
            f" WHERE messages_fts MATCH ? AND rowid IN ({','.join('?' * len(chunk))})", [translated.fts, *chunk],
        ):
            snippets[rowid] = snippet_of_highlight(text)
    return lambda row: snippets[row[at] if row[at].isascii() else row[1]]


def search_ids(conn: sqlite3.Connection, query: str, limit: int | None = None, filters: Filters | None = None) -> list[str]:
    """Message ids matching ``query``, best match first (bm25); ``filters`` narrow them as in the listings."""
    translated = _translate(query)
    sql, params = _hits_sql(translated, "NULL", filters, limit)
    return [row[0] for row in _run(conn, query, sql, params)]


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
