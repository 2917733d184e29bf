"""What a small change costs: refresh an index after one message file is added, then removed.

    python bench/incremental.py MAIL_FOLDER INDEX [--repeat 3]

INDEX must already be an up-to-date index of MAIL_FOLDER (``foiatool index MAIL_FOLDER --db
INDEX``). Each round copies one message of the folder under a new name with a new Message-ID,
refreshes, removes it and refreshes again, timing each refresh as a whole and by phase
(reading files, full-text rows, and the derive step: threads, people and the cached summary).
The phases come from the indexer's own progress events (the Progress protocol), each derive
step named by ``foiatool.refresh.derive.STAGES``: nothing in foiatool is replaced to time it.
The folder and the index are left as they were. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from foiatool.refresh import ingest as index_module  # noqa: E402
from foiatool.refresh.derive import STAGES  # noqa: E402


class _Clock:
    """A Progress consumer that notes when each phase starts, steps and ends."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, float]] = []
        self._current = ""

    def start(self, total: int, description: str) -> None:
        self._current = description
        self.events.append(("start", description, time.perf_counter()))

    def advance(self, n: int = 1) -> None:
        self.events.append(("advance", self._current, time.perf_counter()))

    def finish(self) -> None:
        self.events.append(("finish", self._current, time.perf_counter()))

    def phases(self, began: float, ended: float) -> dict[str, float]:
        """Seconds by phase: reading and storing, the derive stages by name, the full-text rows."""
        out: dict[str, float] = {}
        reading_end = began
        derive_start = None
        stage = 0
        last = began
        for kind, description, at in self.events:
            if description == "Reading":
                if kind == "start":
                    last = at
                elif kind == "finish":
                    out["reading and storing"] = out.get("reading and storing", 0.0) + at - last
                    reading_end = at
            elif kind == "start":
                derive_start = last = at
            elif kind == "advance" and derive_start is not None and stage < len(STAGES):
                out[STAGES[stage]] = out.get(STAGES[stage], 0.0) + at - last
                stage += 1
                last = at
        if derive_start is not None:
            out["derive"] = last - derive_start
            # the full-text rows of the messages just stored are made between reading and deriving
            out["full-text rows"] = out.get("full-text rows", 0.0) + derive_start - reading_end
        else:
            out["reading and storing"] = out.get("reading and storing", ended - began)
        return out


def _new_message(template: Path, target: Path, n: int) -> None:
    data = template.read_bytes()
    head, sep, body = data.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"message-id:")]
    lines.append(f"Message-ID: <incremental-bench-{n}-{os.getpid()}@example.invalid>".encode())
    target.write_bytes(b"\n".join(lines) + (sep or b"\n\n") + body + f"\nadded by the benchmark ({n})\n".encode())


def _refresh(mail: Path, db: Path) -> dict:
    clock = _Clock()
    start = time.perf_counter()
    report = index_module.refresh([str(mail)], db, progress=clock)
    total = time.perf_counter() - start
    phases = {k: round(v, 3) for k, v in clock.phases(start, start + total).items()}
    return {"seconds": round(total, 3), "parsed": report.parsed, "removed": report.removed, "phases": phases}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mail", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
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
