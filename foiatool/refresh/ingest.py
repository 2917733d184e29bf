"""Building and refreshing the index: find inputs, parse only what changed (in parallel), derive threads and people."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import NamedTuple, Protocol

from ..derive import no_cyclic_collection
from ..index import store
from ..model import Document, Message, Problem
from ..sources.printed.ocr import PageTask
from .executors import Executor, LocalPool
from .report import IndexReport
from .storing import store_failure, store_file, store_files

_OCR_PRELOAD = ["foiatool.sources.printed.ocr"]
# What every parse worker imports: loaded once by the fork server, inherited by each worker
# (dateutil reads the loose dates of printed mail and quoted history).
_PARSE_PRELOAD = ["foiatool.refresh.ingest", "foiatool.sources", "foiatool.mail.quoting", "foiatool.mail.marks.redactions",
                  "dateutil.parser", "dateutil.tz"]

# Below this many files to parse, worker processes cost more than they save.
PARALLEL_THRESHOLD = 48
# Files handed to a worker at once, and the byte budget of one batch: big enough to
# amortise inter-process traffic, small enough to keep memory bounded.
BATCH_FILES = 64
BATCH_BYTES = 16 * 1024 * 1024
HASH_CHUNK = 1024 * 1024
COMMIT_SECONDS = 1.0
# Files the writer stores together (see storing.store_files): fewer statements per message.
STORE_BATCH = 64
# A new index given at least this many files is bulk-loaded: its secondary indexes are built
# once the rows are in (store.ensure_secondary_indexes), not grown row by row.
BULK_LOAD_FILES = 1000
# Files up to this size are read once, for their hash and their messages together.
KEEP_BYTES = 8 * 1024 * 1024
READER_DIED = "the reader process died while reading this file (a crash, or out of memory); nothing from it is indexed"


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


class FileResult(NamedTuple):
    """One read file, as a parse worker sends it back (a tuple: it crosses between processes cheaply)."""

    path: str
    sha256: str
    kind: str
    messages: list[store.PreparedRows]  # each message as the rows it becomes: all the writer needs
    problems: list[Problem]
    documents: Sequence[Document] = ()
    # Scanned pages whose text the reader was not given: the file is read again once they are recognised.
    page_tasks: Sequence[PageTask] = ()


class NotRegularFile(OSError):
    """The path no longer names a regular file (it became a FIFO, a device or a folder)."""


def file_sha256(path: str) -> str:
    return _read_and_hash(path, keep=0)[1]


def _read_and_hash(path: str, keep: int) -> tuple[bytes | None, str]:
    """The file's sha256, and its content when it is at most ``keep`` bytes (read once for both)."""
    # O_NONBLOCK: a file replaced by a FIFO after discovery must not hang the run on open().
    # Plain os calls: a file object's buffering and size checks cost a third of the time here.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{path} is not a regular file")
        size = info.st_size
        if size <= keep:
            # One read of one byte more than the size: fewer bytes than that is the whole file.
            data = os.read(fd, size + 1)
            while 0 < len(data) < size:  # a short read (some network filesystems) or a shrunk file
                more = os.read(fd, size + 1 - len(data))
                if not more:
                    break
                data += more
            if len(data) <= size and len(data) <= keep:
                return data, hashlib.sha256(data).hexdigest()
            digest = hashlib.sha256(data)  # it grew while being read: hash on, keep nothing
        else:
            digest = hashlib.sha256()
        while chunk := os.read(fd, HASH_CHUNK):
            digest.update(chunk)
    finally:
        os.close(fd)
    return None, digest.hexdigest()


def enrich(message: Message) -> store.StoredMessage:
    """Per-message work done once at parse time: split quoted history, find redaction marks."""
    from ..mail.marks.redactions import find_redactions
    from ..mail.quoting import split_quoted

    split = split_quoted(message.body, context_date=message.date)
    quoted = [quoted_to_json(q) for q in split.quoted]
    marks: list[tuple[str, str, str, str]] = []
    for mark in find_redactions(" ".join([message.subject, *message.subject_redactions])):
        marks.append(("subject", mark.code, mark.family, mark.text))
    # Marks in the author's text are "body"; the rest of the body's marks sit in quoted history
    # ("quoted"): still redactions in this document, told apart so a reader can count either.
    in_new: Counter[tuple[str, str]] = Counter()
    for mark in find_redactions(split.new_text):
        marks.append(("body", mark.code, mark.family, mark.text))
        in_new[mark.code, mark.text] += 1
    if split.quoted_text:
        for mark in find_redactions(message.body):
            if in_new[mark.code, mark.text] > 0:
                in_new[mark.code, mark.text] -= 1
            else:
                marks.append(("quoted", mark.code, mark.family, mark.text))
    for role, addrs in (("from", [message.sender] if message.sender else []), ("to", message.to), ("cc", message.cc), ("bcc", message.bcc)):
        for addr in addrs:
            if addr.redacted:
                marks.append((role, addr.redacted, _family_of(addr.redacted), addr.redacted))
    return store.StoredMessage(message, split.new_text, json.dumps(quoted, ensure_ascii=False), marks)


def _family_of(code: str) -> str:
    from ..mail.marks.redactions import (
        code_family,  # the one definition of a code's family
    )

    return code_family(code)


def quoted_to_json(q) -> dict:
    from ..mail.dates import iso

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


def parse_file(path: str, kind_hint: str = "", ocr: bool = False, ocr_texts: Mapping[str, str] | None = None) -> FileResult:
    """Read one input file completely. Runs in worker processes; never raises for bad input.

    With ``ocr``, scanned pages take their text from ``ocr_texts`` (by page key); a page
    not there comes back as a PageTask and the file's other records are to be dropped.
    ``ocr_texts`` None recognises pages here, one after another.
    """
    from ..sources import ReaderOptions, read_path, set_reader_options

    set_reader_options(ReaderOptions(ocr=ocr, ocr_texts=ocr_texts))
    messages: list[store.PreparedRows] = []
    problems: list[Problem] = []
    documents: list[Document] = []
    page_tasks: list[PageTask] = []
    kind = kind_hint
    try:
        data, sha = _read_and_hash(path, keep=KEEP_BYTES)
    except NotRegularFile:
        return FileResult(path, "", kind, [], [Problem(path, "", "not a regular file (device, socket or FIFO)")])
    except OSError as exc:
        return FileResult(path, "", kind, [], [Problem(path, "", f"cannot read: {exc.strerror or exc}")])
    try:
        for item in read_path(path, kind_hint, data):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            if isinstance(item, Document):
                documents.append(item)
                kind = kind or item.source.kind
                continue
            if isinstance(item, PageTask):
                page_tasks.append(item)
                continue
            if item.sources and not kind:
                kind = item.sources[0].kind
            try:
                stored = enrich(item)
            except Exception as exc:  # an enrichment bug must not lose the message
                stored = store.StoredMessage(item, item.body, "[]", [])
                problems.append(Problem(path, item.sources[0].locator if item.sources else "", f"quote/redaction analysis failed: {exc!r}"))
            # the rows are made here, in the worker: the single writer then only writes
            messages.append(store.prepare_rows(stored))
    except Exception as exc:  # the readers promise not to raise; if one does, the file is a problem, not a crash
        problems.append(Problem(path, "", f"reader failed: {exc!r}"))
    if page_tasks:
        return FileResult(path, sha, kind or "pdf", [], [], [], page_tasks)
    if not messages and not problems and not documents:
        # nothing may vanish silently: a file that gave neither a message nor a problem is listed
        problems.append(Problem(path, "", "no message found in this file"))
    return FileResult(path, sha, kind, messages, problems, documents)


def _parse_batch(batch: list[tuple[str, str]], ocr: bool = False) -> list[FileResult]:
    # With OCR, workers never recognise pages themselves: they hand back page tasks, which
    # run one a core across every file's pages (and their text is kept in the index).
    return [parse_file(path, hint, ocr, {} if ocr else None) for path, hint in batch]


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


def _on_executor(todo: Sequence[tuple[str, str, int]], executor: Executor, ocr: bool = False) -> Generator[FileResult, None, None]:
    """Parse on ``executor`` (a local pool, a Dask cluster) in batches of files, a bounded number in hand.

    A worker that dies (a crash in a C library, the out-of-memory killer) takes its batch
    with it; the executor runs it again, and the files of a batch it gave up are tried again
    one a task, so the one file that kills its reader becomes a listed problem
    (READER_DIED) and nothing else is lost.
    """
    parse = functools.partial(_parse_batch, ocr=ocr)
    lost: list[list[tuple[str, str]]] = []
    for batch, results in executor.run(parse, list(_batches(todo))):
        if results is None:
            lost.append(batch)
        else:
            yield from results
    alone = [[file] for batch in lost for file in batch]
    for batch, results in (executor.run(parse, alone) if alone else ()):
        if results is None:
            path, hint = batch[0]
            yield FileResult(path, "", hint, [], [Problem(path, "", READER_DIED)])
        else:
            yield from results


def refresh(
    paths: Iterable[str],
    db_path: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    on_wait: Callable[[str], None] | None = None,
    ocr: bool = False,
    executor: Executor | None = None,
) -> IndexReport:
    """Bring the index at ``db_path`` in step with ``paths``: the index mirrors exactly these inputs."""
    progress = progress or _Silent()
    report = IndexReport(db_path=str(db_path))
    with store.writer_lock(db_path, on_wait=on_wait):
        conn = store.connect(db_path)
        try:
            with conn:
                store.ensure_secondary_indexes(conn)  # a bulk load that was interrupted left them out
            # Reading is a function of its own: what was found of each input (at 100,000 files tens
            # of megabytes) is freed when it returns, and the derive step (where the peak is) reuses it.
            _read_inputs(conn, paths, report, jobs=jobs, progress=progress, ocr=ocr, executor=executor)
            if store.get_meta(conn, "derived") != "1":
                # The full-text rows of what was read, and any secondary index a bulk load left
                # out, are made on a connection of their own while the derive step threads.
                derive(conn, progress, alongside=functools.partial(_full_text_and_indexes, db_path))
                report.derived = True
            report.messages = conn.execute("SELECT count(*) FROM messages WHERE recovered=0").fetchone()[0]
            report.problems = conn.execute("SELECT count(*) FROM problems").fetchone()[0]
            report.documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            report.problem_list = [Problem(r[0], r[1], r[2]) for r in conn.execute("SELECT path, locator, reason FROM problems ORDER BY path, locator")]
        finally:
            conn.close()
    return report


def _read_inputs(conn: sqlite3.Connection, paths: Iterable[str], report: IndexReport, *, jobs: int | None,
                 progress: Progress, ocr: bool, executor: Executor | None) -> None:
    """Find the inputs, forget what changed or went, and read and store what is new or changed."""
    from ..sources import InputFile, discover

    known = {r["path"]: (r["id"], r["size"], r["mtime_ns"], r["sha256"]) for r in conn.execute("SELECT id, path, size, mtime_ns, sha256 FROM files")}
    # With --ocr, PDFs that were indexed without a text layer are read again.
    needs_ocr = {r[0] for r in conn.execute("SELECT DISTINCT path FROM problems WHERE reason LIKE '%no text layer%' OR reason LIKE '%OCR needs%'")} if ocr else set()
    seen: set[str] = set()
    todo: list[tuple[str, str, int]] = []
    local = LocalPool(jobs or os.cpu_count() or 1, _PARSE_PRELOAD)  # unless given another executor
    stat_changed: dict[str, InputFile] = {}
    discovery_problems: list[Problem] = []
    found: dict[str, InputFile] = {}
    for item in discover(paths):
        if isinstance(item, Problem):
            discovery_problems.append(item)
            continue
        key = store.db_text(item.path)
        if key in seen:
            continue
        seen.add(key)
        found[key] = item
        old = known.get(key)
        if old is not None and old[1] == item.size and old[2] == item.mtime_ns and key not in needs_ocr:
            report.unchanged += 1
            continue
        if old is not None and key not in needs_ocr:
            stat_changed[item.path] = item
        todo.append((item.path, item.kind_hint, item.size))
        if len(todo) == PARALLEL_THRESHOLD and executor is None and local.jobs > 1:
            local.start()  # its fork server's imports overlap the rest of finding the inputs
    report.files = len(seen)

    # A touched but unchanged file is recognised by its hash and not parsed again.
    if stat_changed:
        still: list[tuple[str, str, int]] = []
        with conn:
            for path, hint, nbytes in todo:
                info = stat_changed.get(path)
                if info is not None:
                    try:
                        same = file_sha256(path) == known[store.db_text(path)][3]
                    except OSError:
                        same = False
                    if same:
                        conn.execute("UPDATE files SET size=?, mtime_ns=? WHERE path=?", (info.size, info.mtime_ns, store.db_text(path)))
                        report.unchanged += 1
                        continue
                still.append((path, hint, nbytes))
        todo = still

    removed = [p for p in known if p not in seen]
    # Everything about a file to be read again is forgotten first, in the same
    # transaction that drops its files row: a run killed before the file is read
    # again leaves it unknown, so the next run reads it (never a half-updated file).
    forgotten = [known[p][0] for p in removed]
    forgotten += [known[k][0] for k in (store.db_text(p) for p, _, _ in todo) if k in known]
    todo_keys = {store.db_text(p) for p, _, _ in todo}
    if forgotten:
        by_id = {row[0]: key for key, row in known.items()}
        for file_id in sorted(store.files_to_reread(conn, forgotten)):
            reread = by_id.get(file_id)
            if reread is None or reread in todo_keys or reread not in found:
                continue
            item = found[reread]
            todo.append((item.path, item.kind_hint, item.size))
            todo_keys.add(reread)
            forgotten.append(file_id)
            report.unchanged -= 1
    changed = bool(todo or removed)
    stats = {p: (size, 0) for p, _, size in todo}
    mtimes = {p: found[store.db_text(p)].mtime_ns for p, _, _ in todo}  # as discovered: no second stat
    with conn:
        conn.execute("DELETE FROM problems WHERE file_id IS NULL")
        for prob in discovery_problems:
            store.insert_problem(conn, prob, None)
        if forgotten:
            store.forget_files(conn, forgotten)
            conn.executemany("DELETE FROM files WHERE id=?", ((i,) for i in forgotten))
        report.removed = len(removed)
        if changed:
            store.set_meta(conn, "derived", "0")
        bulk = not known and len(todo) >= BULK_LOAD_FILES
        if bulk:
            store.drop_secondary_indexes(conn)

    deferred: list[FileResult] = []
    if todo:
        progress.start(len(todo), "Reading")
        # Enough files are parsed in batches on the executor: a local pool of processes,
        # or a Dask cluster; a few are read here.
        parser = executor or local
        if len(todo) >= PARALLEL_THRESHOLD and not (isinstance(parser, LocalPool) and parser.jobs == 1):
            results = _on_executor(todo, parser, ocr)
            _import_derive_meanwhile()
        else:
            results = (parse_file(p, h, ocr, {} if ocr else None) for p, h, _ in todo)
        last_commit = time.monotonic()
        waiting: list[FileResult] = []
        conn.execute("BEGIN")
        try:
            # The results arrive as many small objects and are freed once stored; the
            # cyclic collector would walk the whole heap again and again meanwhile.
            with no_cyclic_collection():
                for result in results:
                    if result.page_tasks:
                        deferred.append(result)
                        progress.advance(1)
                        continue
                    report.parsed += 1
                    waiting.append(result)
                    if len(waiting) >= STORE_BATCH or result.documents:
                        store_files(conn, waiting, stats, mtimes, report)
                    # Commit about once a second: what a kill loses is read again next time,
                    # and fewer commits keep the single writer ahead of the parsing workers.
                    if time.monotonic() - last_commit >= COMMIT_SECONDS:
                        store_files(conn, waiting, stats, mtimes, report)
                        conn.execute("COMMIT")
                        conn.execute("BEGIN")
                        last_commit = time.monotonic()
                    progress.advance(1)
            store_files(conn, waiting, stats, mtimes, report)
            conn.execute("COMMIT")
        except BaseException:
            results.close()  # stops the worker processes now, not at interpreter exit
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK TO one_file")  # the file being stored when interrupted
                    conn.execute("RELEASE one_file")
                except sqlite3.OperationalError:
                    pass  # interrupted between files: nothing half-written
                conn.execute("COMMIT")  # keep the whole files already read; the rest is read next time
            raise
        finally:
            progress.finish()
        if deferred:
            hints = {p: h for p, h, _ in todo}
            _read_scanned(conn, deferred, hints, stats, mtimes, report, executor or LocalPool(jobs or os.cpu_count() or 1, _OCR_PRELOAD), progress)


def _read_scanned(conn: sqlite3.Connection, deferred: Sequence[FileResult], hints: Mapping[str, str],
                  stats: Mapping[str, tuple[int, int]], mtimes: Mapping[str, int], report: IndexReport,
                  executor: Executor, progress: Progress) -> None:
    """Files with scanned pages: their pages recognised (or found in the index), then the files read with that text."""
    from ..errors import MissingToolError
    from .ocr import recognise_pages

    tasks = [task for result in deferred for task in result.page_tasks]
    try:
        texts: dict[str, str] | None
        texts, account = recognise_pages(conn, tasks, executor, progress)
    except MissingToolError:
        texts, account = None, None  # each file then says which tool is missing
    if account is not None:
        report.ocr_pages, report.ocr_cached = account.recognised, account.cached
    with conn:
        for first in deferred:
            result = parse_file(first.path, hints.get(first.path, ""), True, texts)
            if account is not None:
                for task in first.page_tasks:
                    if task.key in account.failed:
                        where = (f"{task.locator}!" if task.locator else "") + f"pdf:page {task.page}"
                        result.problems.append(Problem(first.path, where, f"OCR failed: {account.failed[task.key]}"))
            report.parsed += 1
            conn.execute("SAVEPOINT one_file")
            try:
                report.new_messages += store_file(conn, result, stats[result.path][0], mtimes.get(result.path, 0))
            except Exception as exc:
                conn.execute("ROLLBACK TO one_file")
                store_failure(conn, result, stats[result.path][0], mtimes.get(result.path, 0), exc)
            conn.execute("RELEASE one_file")


# What the derive step imports (networkx, rapidfuzz, the threader): about a tenth of a second.
_DERIVE_MODULES = ("foiatool.refresh.derive", "foiatool.derive.threads", "foiatool.derive.people",
                   "foiatool.analysis.network")


def _import_derive_meanwhile() -> None:
    """Import the derive step's modules on a thread while this process mostly waits for the
    parse workers, instead of after the last file; the derive step finds them loaded."""
    import importlib

    def load() -> None:
        for name in _DERIVE_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # the derive step imports it again and says what is wrong
                return

    threading.Thread(target=load, name="foiatool-imports", daemon=True).start()


def derive(conn: sqlite3.Connection, progress: Progress | None = None, alongside: Callable[[], None] | None = None) -> None:
    """Recompute what depends on the whole corpus: threads, recovered messages, people."""
    from .derive import derive_all

    derive_all(conn, progress=progress, alongside=alongside)


def _full_text_and_indexes(db_path: str | os.PathLike[str]) -> None:
    """The full-text rows of the messages just stored, then any missing secondary index, on a
    connection of its own (so that it may run on a thread beside the threader)."""
    writer = store.connect(db_path)
    try:
        writer.execute("PRAGMA cache_size=-16384")  # rows written once: a large cache only adds to the peak
        with writer:
            store.sync_fts(writer)
        store.ensure_secondary_indexes(writer)  # each index its own statement, sorted on disk
    finally:
        writer.close()


__all__ = ["refresh", "IndexReport", "Progress", "parse_file", "enrich", "asdict", "Path"]
