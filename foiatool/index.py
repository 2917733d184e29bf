"""Building and refreshing the index: find inputs, parse only what changed (in parallel), derive threads and people."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from . import store
from .model import Message, Problem

# Below this many files to parse, worker processes cost more than they save.
PARALLEL_THRESHOLD = 48
# Files handed to a worker at once, and the byte budget of one batch: big enough to
# amortise inter-process traffic, small enough to keep memory bounded.
BATCH_FILES = 64
BATCH_BYTES = 16 * 1024 * 1024
HASH_CHUNK = 1024 * 1024


class Progress(Protocol):
    """What the indexer reports while it works; the CLI draws it, the library ignores it."""

    def start(self, total: int, description: str) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def finish(self) -> None: ...


class _Silent:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass(slots=True)
class IndexReport:
    db_path: str
    files: int = 0
    parsed: int = 0
    unchanged: int = 0
    removed: int = 0
    messages: int = 0
    problems: int = 0
    new_messages: int = 0
    derived: bool = False
    problem_list: list[Problem] = field(default_factory=list)

    def account(self) -> str:
        """The one-line account every run ends with."""
        noun = "problem" if self.problems == 1 else "problems"
        line = f"{self.messages} messages from {self.files} files; {self.problems} {noun}"
        if self.problems:
            line += ", see 'foiatool problems'"
        return line


@dataclass(slots=True)
class FileResult:
    path: str
    sha256: str
    kind: str
    messages: list[store.StoredMessage]
    problems: list[Problem]


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def enrich(message: Message) -> store.StoredMessage:
    """Per-message work done once at parse time: split quoted history, find redaction marks."""
    from .quoting import split_quoted
    from .redactions import find_redactions

    split = split_quoted(message.body)
    quoted = [quoted_to_json(q) for q in split.quoted]
    marks: list[tuple[str, str, str, str]] = []
    for mark in find_redactions(message.subject):
        marks.append(("subject", mark.code, mark.family, mark.text))
    for mark in find_redactions(split.new_text):
        marks.append(("body", mark.code, mark.family, mark.text))
    for role, addrs in (("from", [message.sender] if message.sender else []), ("to", message.to), ("cc", message.cc), ("bcc", message.bcc)):
        for addr in addrs:
            if addr.redacted:
                marks.append((role, addr.redacted, _family_of(addr.redacted), addr.redacted))
    return store.StoredMessage(message, split.new_text, json.dumps(quoted, ensure_ascii=False), marks)


def _family_of(code: str) -> str:
    if code == "redacted":
        return "uncoded"
    if code.startswith("b") and code[1:2].isdigit():
        return "federal"
    if code == "privacy-act":
        return "privacy-act"
    if code.startswith("ca-"):
        return "california"
    return "state"


def quoted_to_json(q) -> dict:
    from .dates import iso

    def addr(a):
        return None if a is None else {"name": a.name, "email": a.email, "redacted": a.redacted}

    return {
        "sender": addr(q.sender),
        "to": [addr(a) for a in q.to],
        "cc": [addr(a) for a in q.cc],
        "date": iso(q.date),
        "date_status": q.date_status,
        "date_text": q.date_text,
        "subject": q.subject,
        "body": q.body,
        "style": q.style,
    }


def parse_file(path: str, kind_hint: str = "", ocr: bool = False) -> FileResult:
    """Read one input file completely. Runs in worker processes; never raises for bad input."""
    from .sources import ReaderOptions, read_path, set_reader_options

    set_reader_options(ReaderOptions(ocr=ocr))
    messages: list[store.StoredMessage] = []
    problems: list[Problem] = []
    kind = kind_hint
    try:
        sha = file_sha256(path)
    except OSError as exc:
        return FileResult(path, "", kind, [], [Problem(path, "", f"cannot read: {exc.strerror or exc}")])
    try:
        for item in read_path(path, kind_hint):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            if item.sources and not kind:
                kind = item.sources[0].kind
            try:
                messages.append(enrich(item))
            except Exception as exc:  # an enrichment bug must not lose the message
                messages.append(store.StoredMessage(item, item.body, "[]", []))
                problems.append(Problem(path, item.sources[0].locator if item.sources else "", f"quote/redaction analysis failed: {exc!r}"))
    except Exception as exc:  # the readers promise not to raise; if one does, the file is a problem, not a crash
        problems.append(Problem(path, "", f"reader failed: {exc!r}"))
    return FileResult(path, sha, kind, messages, problems)


def _parse_batch(batch: list[tuple[str, str]], ocr: bool = False) -> list[FileResult]:
    return [parse_file(path, hint, ocr) for path, hint in batch]


def _batches(items: Sequence[tuple[str, str, int]]) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    size = 0
    for path, hint, nbytes in items:
        batch.append((path, hint))
        size += nbytes
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _parallel(todo: Sequence[tuple[str, str, int]], jobs: int, ocr: bool = False) -> Iterator[FileResult]:
    """Parse across processes with a bounded number of batches in flight (bounded memory)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["foiatool.index", "foiatool.sources", "foiatool.quoting", "foiatool.redactions"])
    batches = _batches(todo)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        pending: set[Future] = set()
        for batch in batches:
            pending.add(pool.submit(_parse_batch, batch, ocr))
            if len(pending) >= jobs * 2:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield from fut.result()
                nxt = next(batches, None)
                if nxt is not None:
                    pending.add(pool.submit(_parse_batch, nxt, ocr))


def refresh(
    paths: Iterable[str],
    db_path: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    on_wait: Callable[[str], None] | None = None,
    ocr: bool = False,
) -> IndexReport:
    """Bring the index at ``db_path`` in step with ``paths``: the index mirrors exactly these inputs."""
    from .sources import InputFile, discover

    progress = progress or _Silent()
    report = IndexReport(db_path=str(db_path))
    with store.writer_lock(db_path, on_wait=on_wait):
        conn = store.connect(db_path)
        try:
            known = {r["path"]: (r["id"], r["size"], r["mtime_ns"], r["sha256"]) for r in conn.execute("SELECT id, path, size, mtime_ns, sha256 FROM files")}
            # With --ocr, PDFs that were indexed without a text layer are read again.
            needs_ocr = {r[0] for r in conn.execute("SELECT DISTINCT path FROM problems WHERE reason LIKE '%no text layer%' OR reason LIKE '%OCR needs%'")} if ocr else set()
            seen: set[str] = set()
            todo: list[tuple[str, str, int]] = []
            stat_changed: dict[str, InputFile] = {}
            discovery_problems: list[Problem] = []
            for item in discover(paths):
                if isinstance(item, Problem):
                    discovery_problems.append(item)
                    continue
                if item.path in seen:
                    continue
                seen.add(item.path)
                old = known.get(item.path)
                if old is not None and old[1] == item.size and old[2] == item.mtime_ns and item.path not in needs_ocr:
                    report.unchanged += 1
                    continue
                if old is not None and item.path not in needs_ocr:
                    stat_changed[item.path] = item
                todo.append((item.path, item.kind_hint, item.size))
            report.files = len(seen)

            # A touched but unchanged file is recognised by its hash and not parsed again.
            if stat_changed:
                still: list[tuple[str, str, int]] = []
                with conn:
                    for path, hint, nbytes in todo:
                        info = stat_changed.get(path)
                        if info is not None:
                            try:
                                same = file_sha256(path) == known[path][3]
                            except OSError:
                                same = False
                            if same:
                                conn.execute("UPDATE files SET size=?, mtime_ns=? WHERE path=?", (info.size, info.mtime_ns, path))
                                report.unchanged += 1
                                continue
                        still.append((path, hint, nbytes))
                todo = still

            removed = [p for p in known if p not in seen]
            changed = bool(todo or removed)
            stats = {p: (size, 0) for p, _, size in todo}
            mtimes = _mtimes(todo)
            with conn:
                conn.execute("DELETE FROM problems WHERE file_id IS NULL")
                for prob in discovery_problems:
                    store.insert_problem(conn, prob, None)
                for path in removed:
                    store.forget_file(conn, known[path][0])
                    conn.execute("DELETE FROM files WHERE id=?", (known[path][0],))
                report.removed = len(removed)
                if changed:
                    store.set_meta(conn, "derived", "0")

            if todo:
                progress.start(len(todo), "Reading")
                use_pool = len(todo) >= PARALLEL_THRESHOLD and (jobs or os.cpu_count() or 1) > 1
                results = _parallel(todo, jobs or os.cpu_count() or 1, ocr) if use_pool else (parse_file(p, h, ocr) for p, h, _ in todo)
                pending_commit = 0
                conn.execute("BEGIN")
                try:
                    for result in results:
                        report.parsed += 1
                        report.new_messages += _store_file(conn, result, stats[result.path][0], mtimes.get(result.path, 0), known.get(result.path))
                        pending_commit += 1
                        # Each file's rows land together: a kill leaves whole files or none.
                        if pending_commit >= 200:
                            conn.execute("COMMIT")
                            conn.execute("BEGIN")
                            pending_commit = 0
                        progress.advance(1)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("COMMIT")  # keep the whole files already read; the rest is read next time
                    raise
                finally:
                    progress.finish()

            if store.get_meta(conn, "derived") != "1":
                derive(conn)
                report.derived = True
            report.messages = conn.execute("SELECT count(*) FROM messages WHERE recovered=0").fetchone()[0]
            report.problems = conn.execute("SELECT count(*) FROM problems").fetchone()[0]
            report.problem_list = [Problem(r[0], r[1], r[2]) for r in conn.execute("SELECT path, locator, reason FROM problems ORDER BY path, locator")]
        finally:
            conn.close()
    return report


def _mtimes(todo: Sequence[tuple[str, str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for path, _, _ in todo:
        try:
            out[path] = os.stat(path).st_mtime_ns
        except OSError:
            out[path] = 0
    return out


def _store_file(conn: sqlite3.Connection, result: FileResult, size: int, mtime_ns: int, old: tuple | None) -> int:
    if old is not None:
        store.forget_file(conn, old[0])
        conn.execute("DELETE FROM files WHERE id=?", (old[0],))
    cur = conn.execute(
        "INSERT INTO files (path, size, mtime_ns, sha256, kind, messages, problems) VALUES (?,?,?,?,?,?,?)",
        (result.path, size, mtime_ns, result.sha256, result.kind, len(result.messages), len(result.problems)),
    )
    file_id = cur.lastrowid
    added = 0
    for stored in result.messages:
        if store.insert_message(conn, stored, file_id):
            added += 1
    for prob in result.problems:
        store.insert_problem(conn, prob, file_id)
    return added


def derive(conn: sqlite3.Connection) -> None:
    """Recompute what depends on the whole corpus: threads, recovered messages, people."""
    from .derive import derive_all

    derive_all(conn)


__all__ = ["refresh", "IndexReport", "Progress", "parse_file", "enrich", "asdict", "Path"]
