"""Page OCR during a refresh: texts the index already holds, the other pages on an executor, each text kept.

The index's ``ocr_pages`` table is the cache, keyed by page content: a second run, or
the same scanned page in another file, recognises nothing again. Only this process
writes it; executors return plain PageText records.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..index import store
from ..sources.printed.ocr import ENGINE, PageTask, ocr_tools, run_page
from .executors import Executor

COMMIT_SECONDS = 1.0


@dataclass(slots=True)
class OcrAccount:
    """What the OCR step did: pages asked for, found in the index, recognised now, and those that failed."""

    pages: int = 0
    cached: int = 0
    recognised: int = 0
    seconds: float = 0.0
    failed: dict[str, str] = field(default_factory=dict)


def recognise_pages(conn: sqlite3.Connection, tasks: Sequence[PageTask], executor: Executor,
                    progress: Any) -> tuple[dict[str, str], OcrAccount]:
    """The text of every task's page by key; a failed page maps to "" and its reason is in the account.

    Raises MissingToolError (before any work) when tesseract or pdftoppm is not installed.
    """
    keys = {task.key for task in tasks}
    texts = store.ocr_texts(conn, keys)
    account = OcrAccount(pages=len(keys), cached=len(texts))
    todo = list({task.key: task for task in tasks if task.key not in texts}.values())
    if not todo:
        return texts, account
    ocr_tools()
    progress.start(len(todo), "OCR pages")
    last_commit = time.monotonic()
    conn.execute("BEGIN")
    try:
        for task, result in executor.run(run_page, todo):
            if result is None:
                account.failed[task.key] = "the OCR process died on this page"
            elif result.error:
                account.failed[task.key] = result.error
            else:
                store.save_ocr_text(conn, result.key, result.text, ENGINE, result.seconds)
                texts[result.key] = result.text
                account.recognised += 1
                account.seconds += result.seconds
            if time.monotonic() - last_commit >= COMMIT_SECONDS:
                conn.execute("COMMIT")  # a run stopped half-way keeps the pages already recognised
                conn.execute("BEGIN")
                last_commit = time.monotonic()
            progress.advance(1)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("COMMIT")
        raise
    finally:
        progress.finish()
    for key in account.failed:
        texts.setdefault(key, "")
    return texts, account


__all__ = ["OcrAccount", "recognise_pages"]
