"""What a small change costs: refresh an index after one message file is added, then removed.

    python bench/incremental.py MAIL_FOLDER INDEX [--repeat 3]

INDEX must already be an up-to-date index of MAIL_FOLDER (``foiatool index MAIL_FOLDER --db
INDEX``). Each round copies one message of the folder under a new name with a new Message-ID,
refreshes, removes it and refreshes again, timing each refresh as a whole and by phase
(reading files, full-text rows, and the derive step: threads, people and the cached summary).
The folder and the index are left as they were. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from foiatool.derive import steps as derive_module  # noqa: E402
from foiatool.index import store  # noqa: E402
from foiatool.refresh import derive as rederive_module  # noqa: E402
from foiatool.refresh import ingest as index_module  # noqa: E402

PHASES: dict[str, float] = {}


def _timed(module, name: str, label: str) -> None:
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - start

    setattr(module, name, wrapper)


def _instrument() -> None:
    import foiatool.derive.threads as threads_module

    _timed(index_module, "derive", "derive")
    _timed(store, "sync_fts", "full-text rows")
    _timed(derive_module, "derive_threads", "threads (load, build, write)")
    # the inputs stream into build_threads, so its time includes reading them from the index
    _timed(threads_module, "build_threads", "build_threads (inputs read as it goes)")
    _timed(derive_module, "derive_people", "people")
    _timed(rederive_module, "cache_summary", "summary")


def _new_message(template: Path, target: Path, n: int) -> None:
    data = template.read_bytes()
    head, sep, body = data.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"message-id:")]
    lines.append(f"Message-ID: <incremental-bench-{n}-{os.getpid()}@example.invalid>".encode())
    target.write_bytes(b"\n".join(lines) + (sep or b"\n\n") + body + f"\nadded by the benchmark ({n})\n".encode())


def _refresh(mail: Path, db: Path) -> dict:
    PHASES.clear()
    start = time.perf_counter()
    report = index_module.refresh([str(mail)], db)
    total = time.perf_counter() - start
    phases = {k: round(v, 3) for k, v in PHASES.items()}
    phases["reading and storing"] = round(total - PHASES.get("derive", 0.0) - PHASES.get("full-text rows", 0.0), 3)
    return {"seconds": round(total, 3), "parsed": report.parsed, "removed": report.removed, "phases": phases}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mail", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    _instrument()
    template = next(p for p in sorted(args.mail.rglob("*")) if p.is_file())
    baseline = _refresh(args.mail, args.db)  # must find nothing to do
    rounds = []
    for n in range(args.repeat):
        added = template.with_name(f"zz-incremental-bench-{n}.eml")
        _new_message(template, added, n)
        try:
            add = _refresh(args.mail, args.db)
        finally:
            added.unlink()
        remove = _refresh(args.mail, args.db)
        rounds.append({"add": add, "remove": remove})
    out = {
        "files": sum(1 for p in args.mail.rglob("*") if p.is_file()),
        "no_change": baseline,
        "add_median_s": statistics.median(r["add"]["seconds"] for r in rounds),
        "remove_median_s": statistics.median(r["remove"]["seconds"] for r in rounds),
        "rounds": rounds,
    }
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
