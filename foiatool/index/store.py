"""The embedded SQLite index: its schema, the writes the indexer makes, and opening it safely.

Long because the schema is one text (about 170 lines) kept beside the writes that must match it.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..errors import FoiatoolError, IndexBusyError
from ..mail.dates import iso
from ..model import Address, Document, Message, Problem, Source

SCHEMA_VERSION = 11

# The schema is documented in the README ("The index"); keep the two in step.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS files (
    id        INTEGER PRIMARY KEY,
    path      TEXT NOT NULL UNIQUE,
    size      INTEGER NOT NULL,
    mtime_ns  INTEGER NOT NULL,
    sha256    TEXT NOT NULL,
    kind      TEXT NOT NULL DEFAULT '',
    messages  INTEGER NOT NULL DEFAULT 0,
    problems  INTEGER NOT NULL DEFAULT 0
);
-- The long texts live in message_texts: deriving writes each message's thread, and SQLite rewrites
-- a row whole (with a body in it, gigabytes of copies at half a million messages).
CREATE TABLE IF NOT EXISTS messages (
    id            TEXT PRIMARY KEY,
    message_id    TEXT,
    in_reply_to   TEXT,
    subject       TEXT NOT NULL DEFAULT '',
    from_name     TEXT NOT NULL DEFAULT '',
    from_email    TEXT NOT NULL DEFAULT '',
    from_redacted TEXT,
    date          TEXT,
    date_status   TEXT NOT NULL DEFAULT 'missing',
    recovered     INTEGER NOT NULL DEFAULT 0,
    thread_id     TEXT,
    duplicate_of  TEXT,
    inclusive     INTEGER NOT NULL DEFAULT 1,
    parent_id     TEXT,
    reply_seconds REAL,
    date_text     TEXT NOT NULL DEFAULT '',
    defects       TEXT NOT NULL DEFAULT '[]',
    refs          TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS message_texts (  -- under the message's rowid; quoted is JSON
    message  INTEGER PRIMARY KEY,
    new_text TEXT NOT NULL DEFAULT '',
    quoted   TEXT NOT NULL DEFAULT '[]',
    body     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_thread ON messages(thread_id);
-- Covers the whole-corpus scans (counts, activity, latency) so they never read the wide rows.
CREATE INDEX IF NOT EXISTS messages_facts ON messages(recovered, duplicate_of, date, date_status, thread_id, reply_seconds);
CREATE INDEX IF NOT EXISTS messages_date ON messages(date);
CREATE INDEX IF NOT EXISTS messages_mid ON messages(message_id);
CREATE TABLE IF NOT EXISTS sources (
    message    TEXT NOT NULL,
    file_id    INTEGER,
    path       TEXT NOT NULL,
    locator    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT '',
    provenance TEXT NOT NULL DEFAULT '[]',
    marks      TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (message, path, locator)
);
CREATE INDEX IF NOT EXISTS sources_file ON sources(file_id);
CREATE TABLE IF NOT EXISTS addresses (
    message   TEXT NOT NULL,
    role      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL DEFAULT '',
    email     TEXT NOT NULL DEFAULT '',
    redacted  TEXT,
    person    TEXT,
    PRIMARY KEY (message, role, position)
);
CREATE INDEX IF NOT EXISTS addresses_email ON addresses(email);
CREATE INDEX IF NOT EXISTS addresses_person ON addresses(person);
CREATE TABLE IF NOT EXISTS attachments (
    message      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    PRIMARY KEY (message, position)
);
CREATE INDEX IF NOT EXISTS attachments_sha ON attachments(sha256);
CREATE TABLE IF NOT EXISTS redactions (
    message  TEXT NOT NULL,
    field    TEXT NOT NULL,
    code     TEXT NOT NULL,
    family   TEXT NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS redactions_message ON redactions(message);
CREATE TABLE IF NOT EXISTS problems (
    file_id  INTEGER,
    path     TEXT NOT NULL,
    locator  TEXT NOT NULL DEFAULT '',
    reason   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS problems_file ON problems(file_id);
CREATE TABLE IF NOT EXISTS threads (
    id           TEXT PRIMARY KEY,
    root         TEXT,
    subject      TEXT NOT NULL DEFAULT '',
    first        TEXT,
    last         TEXT,
    messages     INTEGER NOT NULL,
    participants INTEGER NOT NULL,
    recovered    INTEGER NOT NULL DEFAULT 0,
    missing      INTEGER NOT NULL DEFAULT 0,
    median_reply_seconds REAL
);
CREATE TABLE IF NOT EXISTS edges (
    parent TEXT NOT NULL,
    child  TEXT NOT NULL,
    how    TEXT NOT NULL,
    PRIMARY KEY (parent, child)
);
CREATE TABLE IF NOT EXISTS placeholders (
    ref_message_id TEXT NOT NULL,
    referenced_by  TEXT NOT NULL,
    thread_id      TEXT
);
CREATE TABLE IF NOT EXISTS people (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    emails    TEXT NOT NULL,
    names     TEXT NOT NULL,
    org       TEXT,
    org_label TEXT,
    org_kind  TEXT,
    unit      TEXT,
    unit_label TEXT,
    evidence  TEXT NOT NULL DEFAULT '[]'
);
-- OCR text of scanned pages, by page content (images and OCR settings): a page is recognised
-- once, whichever file or run it comes from. Written by the indexing process only.
CREATE TABLE IF NOT EXISTS ocr_pages (
    key      TEXT PRIMARY KEY,
    text     TEXT NOT NULL,
    engine   TEXT NOT NULL,
    seconds  REAL NOT NULL
);
-- Released documents that hold no email (speech drafts, schedules, articles): never messages.
CREATE TABLE IF NOT EXISTS documents (
    id         INTEGER PRIMARY KEY,
    file_id    INTEGER,
    path       TEXT NOT NULL,
    locator    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT '',
    pages      INTEGER NOT NULL DEFAULT 1,
    provenance TEXT NOT NULL DEFAULT '[]',
    marks      TEXT NOT NULL DEFAULT '[]',
    UNIQUE (path, locator)
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file_id);
-- Full text of documents, one row per document sharing its rowid.
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, text, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(
    id UNINDEXED, subject, sender, recipients, body, tokenize = 'unicode61 remove_diacritics 2'
);
-- Messages stored but not yet in messages_fts (by messages.rowid): the full-text rows are
-- made in one statement after the files are read, which is several times faster than
-- one at a time, and a run killed before then leaves them here for the next run.
CREATE TABLE IF NOT EXISTS fts_pending (
    rowid INTEGER PRIMARY KEY
);
"""


def default_cache_dir() -> Path:
    """Where indexes live unless --db says otherwise: never inside the evidence folders."""
    explicit = os.environ.get("FOIATOOL_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "foiatool"


def default_db_path(paths: Iterable[str]) -> Path:
    """The index for a set of inputs, keyed by their absolute paths (order does not matter)."""
    key = "\n".join(sorted({os.path.abspath(p) for p in paths}))
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return default_cache_dir() / f"index-{digest}.sqlite"


@dataclass(slots=True)
class StoredMessage:
    """A parsed message with what the indexer computes per message (quoting, redactions)."""

    message: Message
    new_text: str
    quoted_json: str
    redactions: list[tuple[str, str, str, str]]  # field, code, family, text
    # The rows it becomes, made by prepare_rows in the parse worker so the single writer only writes.
    rows: PreparedRows | None = None


class PreparedRows(NamedTuple):
    """A message's index rows, ready for SQLite (text already made storable): what a parse worker
    sends the writer for each message. A tuple of tuples crosses between processes several
    times cheaper than objects with fields."""

    message: tuple  # the messages row: id first
    texts: tuple  # (new_text, quoted, body, id): message_texts under the rowid of the message with this id
    sources: list[tuple]  # (message, path, locator, kind, provenance, marks): file_id goes in at write time
    addresses: list[tuple]
    attachments: list[tuple]
    redactions: list[tuple]

    @property
    def id(self) -> str:
        return self.message[0]


# The secondary indexes (lookups, not constraints). A bulk load into an empty index writes its
# rows without them and then builds each one whole, by a sort, instead of growing every B-tree
# one row at a time.
SECONDARY_INDEXES = {name: sql for sql, name in re.findall(r"(CREATE INDEX IF NOT EXISTS (\w+) ON [^;]+)", SCHEMA)}


def drop_secondary_indexes(conn: sqlite3.Connection) -> None:
    for name in SECONDARY_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def ensure_secondary_indexes(conn: sqlite3.Connection) -> None:
    """Build whichever secondary index is missing (after a bulk load, or one a kill interrupted).

    Outside a transaction, the sorts go to temporary files: in memory (temp_store=MEMORY) the
    largest index's sort would add its size to the indexer's peak.
    """
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    missing = [sql for name, sql in SECONDARY_INDEXES.items() if name not in present]
    if not missing:
        return
    on_disk = not conn.in_transaction  # temp_store may change only outside one
    if on_disk:
        conn.execute("PRAGMA temp_store=FILE")
    try:
        for sql in missing:
            conn.execute(sql)
    finally:
        if on_disk:
            conn.execute("PRAGMA temp_store=MEMORY")


def connect(path: str | os.PathLike[str], *, readonly: bool = False) -> sqlite3.Connection:
    """Open the index; WAL mode so readers never block the writer and a kill leaves it whole."""
    p = Path(path)
    if readonly:
        if not p.exists():
            raise FoiatoolError(f"no index at {p}: run 'foiatool index PATH...' first, or give PATHs")
        uri = f"file:{p}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=30)
    else:
        p.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(p, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA cache_size=-65536")
        if not readonly:
            _migrate(conn)
        else:
            _check_version(conn, p)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise FoiatoolError(f"{p} is not a usable foiatool index ({exc}); delete it or name another with --db") from exc
    return conn


def _check_version(conn: sqlite3.Connection, p: Path) -> None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is None or int(row[0]) != SCHEMA_VERSION:
        raise FoiatoolError(f"{p} was made by another version of foiatool; re-run 'foiatool index' to rebuild it")


def _migrate(conn: sqlite3.Connection) -> None:
    has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone()
    if has_meta:
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is not None and int(row[0]) == SCHEMA_VERSION:
            return
        # An index from another schema is a cache, not evidence: rebuild it from the inputs.
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'messages_fts_%' AND name NOT LIKE 'documents_fts_%'")]
        with conn:
            for table in tables:
                conn.execute(f'DROP TABLE IF EXISTS "{table}"')
    # One transaction: a kill while the schema is being made leaves no half-made index.
    conn.executescript(
        "BEGIN;\n" + SCHEMA
        + f"\nINSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;"
    )


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))


@contextmanager
def writer_lock(db_path: str | os.PathLike[str], *, wait: bool = True, on_wait=None) -> Iterator[None]:
    """One writer per index at a time; a second process waits (saying so) instead of corrupting it."""
    lock_path = Path(str(db_path) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexBusyError(f"another foiatool process is updating {db_path}") from None
            if on_wait is not None:
                on_wait(f"another foiatool process is updating {db_path}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


# --- writes --------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def db_text(text: str) -> str:
    """Text as the index stores it: bytes that were not UTF-8 (a Latin-1 file name, a raw
    tar member name) become ``\\xNN`` escapes instead of making SQLite refuse the row."""
    if text.isascii() or not _SURROGATE.search(text):  # isascii() reads a flag: no scan of the text
        return text
    return _SURROGATE.sub(_escape_surrogate, text)


def _escape_surrogate(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _clean(value):
    return db_text(value) if isinstance(value, str) else value


def _clean_row(values) -> tuple:
    """``values`` with each text made storable (see db_text); an ASCII text, a number or None as it is."""
    return tuple([v if not isinstance(v, str) or v.isascii() else db_text(v) for v in values])


def _json_list(value: list) -> str:
    return json.dumps(value) if value else "[]"


def prepare_rows(stored: StoredMessage) -> PreparedRows:
    """The rows ``stored`` becomes (kept on it): computed where it was parsed, off the writer."""
    if stored.rows is not None:
        return stored.rows
    m = stored.message
    rows = [(m.id, role, i, a.name, a.email, a.redacted)
            for role, addrs in (("from", [m.sender] if m.sender else []), ("to", m.to), ("cc", m.cc), ("bcc", m.bcc))
            for i, a in enumerate(addrs)]
    stored.rows = PreparedRows(
        message=_message_row(stored),
        texts=(_clean(stored.new_text), _clean(stored.quoted_json), _clean(m.body), m.id),
        sources=[(m.id, db_text(src.path), db_text(src.locator), src.kind, _clean(_json_list(src.provenance)),
                  _clean(_json_list(src.marks))) for src in m.sources],
        addresses=[_clean_row(row) for row in rows],
        attachments=[(m.id, i, _clean(a.name), _clean(a.content_type), a.size, a.sha256) for i, a in enumerate(m.attachments)],
        redactions=[(m.id, *_clean_row(r)) for r in stored.redactions],
    )
    return stored.rows


_INSERT_MESSAGE = ("INSERT OR IGNORE INTO messages (id, message_id, in_reply_to, refs, subject, from_name, from_email,"
                   " from_redacted, date, date_status, defects, recovered, date_text)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_TEXTS = ("INSERT OR REPLACE INTO message_texts (message, new_text, quoted, body)"
                 " SELECT rowid, ?, ?, ? FROM messages WHERE id = ?")
_INSERT_SOURCE = ("INSERT OR IGNORE INTO sources (message, file_id, path, locator, kind, provenance, marks)"
                  " VALUES (?,?,?,?,?,?,?)")
_INSERT_ADDRESS = "INSERT OR IGNORE INTO addresses (message, role, position, name, email, redacted) VALUES (?,?,?,?,?,?)"
_INSERT_ATTACHMENT = "INSERT OR IGNORE INTO attachments VALUES (?,?,?,?,?,?)"
_INSERT_REDACTION = "INSERT INTO redactions (message, field, code, family, text) VALUES (?,?,?,?,?)"
_INSERT_FILE = "INSERT INTO files (path, size, mtime_ns, sha256, kind, messages, problems) VALUES (?,?,?,?,?,?,?)"


def insert_message(conn: sqlite3.Connection, prepared: PreparedRows, file_id: int | None) -> bool:
    """Add a message (or only its new source when the same message is already indexed).

    Copies of one message (same content id) found in several places can differ in
    what the id does not cover (Bcc, attachments, defects). The index keeps the
    copy found at the first source in (path, locator) order, whatever order files
    are read in, so every run over the same inputs gives the same index.

    Returns True when the message itself was new.
    """
    cur = conn.execute(_INSERT_MESSAGE, prepared.message)
    is_new = cur.rowcount == 1
    rowid = cur.lastrowid if is_new else None
    replace = False
    if not is_new and file_id is not None and prepared.sources:
        first = conn.execute(
            "SELECT path, locator FROM sources WHERE message=? AND file_id IS NOT NULL ORDER BY path, locator LIMIT 1",
            (prepared.id,),
        ).fetchone()
        mine = min((path, locator) for _, path, locator, *_ in prepared.sources)
        replace = first is not None and mine < (first[0], first[1])
    conn.executemany(_INSERT_SOURCE, [(s[0], file_id, *s[1:]) for s in prepared.sources])
    if not is_new and not replace:
        return False
    if replace:
        conn.execute(
            "UPDATE messages SET message_id=?, in_reply_to=?, refs=?, subject=?, from_name=?, from_email=?,"
            " from_redacted=?, date=?, date_status=?, defects=?, recovered=?, date_text=?"
            " WHERE id=?",
            (*prepared.message[1:], prepared.id),
        )
        _delete_dependents(conn, [prepared.id])
    conn.execute(_INSERT_TEXTS, prepared.texts)
    _insert_dependents(conn, prepared, rowid)
    return is_new


def _message_row(stored: StoredMessage) -> tuple:
    m = stored.message
    sender = m.sender or Address()
    return _clean_row((
        m.id, m.message_id, m.in_reply_to, _json_list(m.references), m.subject, sender.name,
        sender.email, sender.redacted, iso(m.date), m.date_status, _json_list(m.defects), int(m.recovered),
        m.date_text,
    ))


def _insert_dependents(conn: sqlite3.Connection, prepared: PreparedRows, rowid: int | None) -> None:
    """Addresses, attachments and redaction marks of a stored message; its full-text row waits in
    fts_pending for ``sync_fts``."""
    conn.executemany(_INSERT_ADDRESS, prepared.addresses)
    if prepared.attachments:
        conn.executemany(_INSERT_ATTACHMENT, prepared.attachments)
    if prepared.redactions:
        conn.executemany(_INSERT_REDACTION, prepared.redactions)
    if rowid is not None:
        conn.execute("INSERT OR IGNORE INTO fts_pending (rowid) VALUES (?)", (rowid,))
    else:
        conn.execute("INSERT OR IGNORE INTO fts_pending (rowid) SELECT rowid FROM messages WHERE id=?", (prepared.id,))


def _label_sql(name: str, email: str, redacted: str) -> str:
    """SQL for Address.label() over these columns (how a person is written in the full-text row)."""
    return (f"CASE WHEN coalesce({redacted}, '') != '' AND {email} = '' AND {name} = '' THEN '[redacted ' || {redacted} || ']'"
            f" WHEN {name} != '' AND {email} != '' THEN {name} || ' <' || {email} || '>'"
            f" WHEN {email} != '' THEN {email} ELSE {name} END")


BULK_FTS, FTS5_AUTOMERGE = 5000, 4  # FTS5's own default


def sync_fts(conn: sqlite3.Connection) -> int:
    """Make the full-text rows of every message waiting in fts_pending, in one statement; how many.

    A full-text row shares its message's rowid, so deleting it never scans the whole table. Above
    BULK_FTS rows FTS5's incremental merging waits for the statement's end (a third of the time
    while bulk-loading; searches are as fast), and its default comes back for later refreshes.
    """
    sender = _label_sql("m.from_name", "m.from_email", "m.from_redacted")
    recipient = _label_sql("a.name", "a.email", "a.redacted")
    bulk = conn.execute("SELECT count(*) > ? FROM fts_pending", (BULK_FTS,)).fetchone()[0]
    if bulk:
        conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', 0)")
    cur = conn.execute(
        "INSERT INTO messages_fts (rowid, id, subject, sender, recipients, body)"
        f" SELECT m.rowid, m.id, m.subject, {sender},"
        f" coalesce((SELECT group_concat(label, ' ') FROM (SELECT {recipient} AS label FROM addresses a"
        "   WHERE a.message = m.id AND a.role IN ('to', 'cc', 'bcc')"
        "   ORDER BY CASE a.role WHEN 'to' THEN 0 WHEN 'cc' THEN 1 ELSE 2 END, a.position)), ''),"
        " coalesce(x.body, '')"
        " FROM fts_pending p JOIN messages m ON m.rowid = p.rowid LEFT JOIN message_texts x ON x.message = m.rowid"
        " ORDER BY p.rowid"
    )
    made = cur.rowcount
    if bulk:
        conn.execute(f"INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', {FTS5_AUTOMERGE})")
    conn.execute("DELETE FROM fts_pending")
    return made


def _delete_dependents(conn: sqlite3.Connection, ids: list[str]) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM messages_fts WHERE rowid IN (SELECT rowid FROM messages WHERE id IN ({marks}))", chunk)
        conn.execute(f"DELETE FROM fts_pending WHERE rowid IN (SELECT rowid FROM messages WHERE id IN ({marks}))", chunk)
        for table in ("addresses", "attachments", "redactions"):
            conn.execute(f"DELETE FROM {table} WHERE message IN ({marks})", chunk)


def delete_messages(conn: sqlite3.Connection, ids: list[str]) -> None:
    """Remove messages and everything hanging off them (the index keeps no orphans)."""
    _delete_dependents(conn, ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM sources WHERE message IN ({marks})", chunk)
        conn.execute(f"DELETE FROM message_texts WHERE message IN (SELECT rowid FROM messages WHERE id IN ({marks}))", chunk)
        conn.execute(f"DELETE FROM messages WHERE id IN ({marks})", chunk)


def forget_file(conn: sqlite3.Connection, file_id: int) -> None:
    """Drop a file's sources and problems; messages found nowhere else go with them."""
    forget_files(conn, [file_id])


def forget_files(conn: sqlite3.Connection, file_ids: Iterable[int]) -> None:
    """Drop these files' sources and problems in one pass; messages found nowhere else go with them."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS forgotten_files (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM forgotten_files")
    conn.executemany("INSERT OR IGNORE INTO forgotten_files (id) VALUES (?)", ((i,) for i in file_ids))
    ids = [r[0] for r in conn.execute(
        "SELECT DISTINCT message FROM sources WHERE file_id IN (SELECT id FROM forgotten_files)"
    )]
    conn.execute("DELETE FROM sources WHERE file_id IN (SELECT id FROM forgotten_files)")
    conn.execute("DELETE FROM problems WHERE file_id IN (SELECT id FROM forgotten_files)")
    conn.execute("DELETE FROM documents_fts WHERE rowid IN"
                 " (SELECT id FROM documents WHERE file_id IN (SELECT id FROM forgotten_files))")
    conn.execute("DELETE FROM documents WHERE file_id IN (SELECT id FROM forgotten_files)")
    conn.execute("DELETE FROM forgotten_files")
    orphans: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        kept = {r[0] for r in conn.execute(f"SELECT DISTINCT message FROM sources WHERE message IN ({marks})", chunk)}
        orphans.extend(i for i in chunk if i not in kept)
    delete_messages(conn, orphans)


def files_to_reread(conn: sqlite3.Connection, file_ids: Iterable[int]) -> set[int]:
    """Other files that must be read again when these files are forgotten.

    A message kept because another file also holds it must then show that other
    file's copy (see insert_message), which only reading that file again gives.
    """
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS forgotten_files (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM forgotten_files")
    conn.executemany("INSERT OR IGNORE INTO forgotten_files (id) VALUES (?)", ((i,) for i in file_ids))
    rows = conn.execute(
        "SELECT DISTINCT o.file_id FROM sources o"
        " WHERE o.file_id IS NOT NULL AND o.file_id NOT IN (SELECT id FROM forgotten_files)"
        " AND o.message IN ("
        "   SELECT s.message FROM sources s WHERE s.file_id IN (SELECT id FROM forgotten_files)"
        "   AND NOT EXISTS (SELECT 1 FROM sources f WHERE f.message = s.message AND f.file_id IS NOT NULL"
        "                   AND (f.path < s.path OR (f.path = s.path AND f.locator < s.locator))))"
    ).fetchall()
    conn.execute("DELETE FROM forgotten_files")
    return {r[0] for r in rows}


def insert_problem(conn: sqlite3.Connection, problem: Problem, file_id: int | None) -> None:
    conn.execute(
        "INSERT INTO problems (file_id, path, locator, reason) VALUES (?,?,?,?)",
        (file_id, db_text(problem.path), db_text(problem.locator), db_text(problem.reason)),
    )


def ocr_texts(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, str]:
    """The cached OCR text of each of ``keys`` that has one."""
    wanted = sorted(set(keys))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT key, text FROM ocr_pages WHERE key IN ({marks})", chunk).fetchall())
    return found


def save_ocr_text(conn: sqlite3.Connection, key: str, text: str, engine: str, seconds: float) -> None:
    conn.execute("INSERT OR REPLACE INTO ocr_pages (key, text, engine, seconds) VALUES (?,?,?,?)",
                 (key, db_text(text), engine, seconds))


def insert_document(conn: sqlite3.Connection, document: Document, file_id: int | None) -> bool:
    """Add a released document that holds no email, with its full-text row; False when that place is already indexed."""
    src = document.source
    cur = conn.execute(
        "INSERT OR IGNORE INTO documents (file_id, path, locator, kind, title, text, pages, provenance, marks)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        (file_id, db_text(src.path), db_text(src.locator), src.kind, db_text(document.title), db_text(document.text),
         document.pages, _clean(json.dumps(src.provenance)), _clean(json.dumps(src.marks))),
    )
    if cur.rowcount != 1:
        return False
    conn.execute("INSERT INTO documents_fts (rowid, title, text) VALUES (?,?,?)",
                 (cur.lastrowid, db_text(document.title), db_text(document.text)))
    return True


def now_stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def row_sources(conn: sqlite3.Connection, message_key: str) -> list[Source]:
    return [
        Source(path=r["path"], locator=r["locator"], kind=r["kind"], provenance=json.loads(r["provenance"]),
               marks=json.loads(r["marks"]))
        for r in conn.execute(
            "SELECT path, locator, kind, provenance, marks FROM sources WHERE message=? ORDER BY path, locator", (message_key,)
        )
    ]
