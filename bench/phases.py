"""Where a cold index spends its time, by phase, on each shape of dump (cProfile, one process).

``python bench/phases.py --files 3000``

The index of the first ``--files`` files of each shape (bench/shapes.py's folders) is
built with ``-j 1``, so that the parse worker's path and the writer's run in this one
process under cProfile. Prints a markdown table of cumulative seconds per phase (under
the profiler: about twice the real time, so read the shares), then each shape's
functions with most time of their own. The files are read once beforehand, as
``make bench`` does: disk reads are not what is profiled. Progress to stderr, the report to stdout.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for _path in (str(BENCH.parent), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import shapes  # noqa: E402
from run import DEFAULT_SPAMASSASSIN, log, warm_page_cache  # noqa: E402

# (label, path ending, function name): a phase's cumulative time is its function's.
PHASES: list[tuple[str, str, str]] = [
    ("whole `index` (`refresh`)", "refresh/ingest.py", "refresh"),
    ("per file in the worker (`parse_file`)", "refresh/ingest.py", "parse_file"),
    ("· reading + sha256 (`_read_and_hash`)", "refresh/ingest.py", "_read_and_hash"),
    ("· parsing (`parse_rfc822`)", "mail/parse.py", "parse_rfc822"),
    ("· · of which the plain reading (`read_plain`)", "mail/plain.py", "read_plain"),
    ("· · of which mail-parser (`MailParser.parse`)", "mailparser/core.py", "parse"),
    ("· quoted history + redactions (`enrich`)", "refresh/ingest.py", "enrich"),
    ("· · of which `split_quoted`", "mail/quoting.py", "split_quoted"),
    ("· · of which `find_redactions`", "marks/redactions.py", "find_redactions"),
    ("· rows made ready for SQLite (`prepare_rows`)", "index/store.py", "prepare_rows"),
    ("storing rows (writer, `store_files`)", "refresh/storing.py", "store_files"),
    ("full-text rows (`sync_fts`)", "index/store.py", "sync_fts"),
    ("threads (`derive_threads`: load, link, write)", "derive/steps.py", "derive_threads"),
    ("· loading the inputs (`load_thread_inputs`)", "derive/steps.py", "load_thread_inputs"),
    ("· linking (`build_threads`)", "derive/threads/__init__.py", "build_threads"),
    ("· writing (`_write_threads`)", "derive/steps.py", "_write_threads"),
    ("people (`derive_people`)", "derive/steps.py", "derive_people"),
    ("cached summary (`cache_summary`)", "analysis/summary.py", "cache_summary"),
]


def profile_shape(files: list[Path]) -> pstats.Stats:
    from foiatool.refresh.ingest import refresh

    with tempfile.TemporaryDirectory(prefix="foiatool-profile-") as tmp:
        profiler = cProfile.Profile()
        profiler.enable()
        refresh([str(f) for f in files], Path(tmp) / "index.sqlite", jobs=1)
        profiler.disable()
    return pstats.Stats(profiler)


def phase_seconds(stats: pstats.Stats) -> dict[str, float]:
    table = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    out: dict[str, float] = {}
    for label, end, function in PHASES:
        out[label] = max((ct for (path, _line, name), (_cc, _nc, _tt, ct, _callers) in table.items()
                          if name == function and path.replace("\\", "/").endswith(end)), default=0.0)
    return out


def top_own(stats: pstats.Stats, n: int) -> list[tuple[float, str]]:
    table = stats.stats  # type: ignore[attr-defined]

    def where(path: str, line: int, name: str) -> str:
        return name if path == "~" else f"{Path(path).name}:{line} {name}"  # "~": a built-in

    rows = sorted(((tt, where(path, line, name)) for (path, line, name), (_cc, _nc, tt, _ct, _c) in table.items()),
                  reverse=True)
    return rows[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "shapes", help="where bench/shapes.py keeps its folders")
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=8, help="functions listed per shape by their own time")
    parser.add_argument("--spamassassin", type=Path, default=DEFAULT_SPAMASSASSIN)
    args = parser.parse_args(argv)
    folders = shapes.prepare(args.out.resolve(), args.seed, args.spamassassin)
    columns: dict[str, dict[str, float]] = {}
    tops: dict[str, list[tuple[float, str]]] = {}
    for name, mail in folders.items():
        files = sorted(p for p in mail.rglob("*") if p.is_file())[: args.files]
        warm_page_cache(mail)  # the files in memory, as on a second run: reading is not timed from disk
        log(f"{name}: profiling a cold index of {len(files)} files")
        stats = profile_shape(files)
        column = f"{name.split()[0]} ({len(files):,})"
        columns[column] = phase_seconds(stats)
        tops[column] = top_own(stats, args.top)
    names = list(columns)
    print("| phase | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label, _, _ in PHASES:
        print(f"| {label} | " + " | ".join(f"{columns[n][label]:.2f}" for n in names) + " |")
    for name, rows in tops.items():
        print(f"\nMost time of their own, {name}: " + "; ".join(f"`{where}` {tt:.2f}" for tt, where in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
