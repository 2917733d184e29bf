"""foiatool's benchmark: speed, memory and threading agreement against Debian's notmuch, measured side by side.

``python bench/run.py --out bench/out --sizes 10000,30000,100000 --markdown BENCHMARKS.md``

For each size it generates a release with Message-IDs kept (bench/releasegen.py),
lays it out as one message per file (mbox custodians split) so both tools read
exactly the same files, warms the page cache, and then measures in one run on
this machine:

- cold ``foiatool index`` (a new index) and ``foiatool threads -f tsv`` against
  cold ``notmuch new`` (a new database) and ``notmuch search --output=threads '*'``:
  wall time, messages per second, the ratio, and peak memory (GNU time's
  maximum RSS, plus the whole process tree's PSS sampled from /proc);
- warm ``threads``, ``summary``, ``search`` and a no-change re-run of ``index``
  (median of --repeat runs);
- ``foiatool.threads.build_threads`` alone on the inputs loaded from the index;
- the thread partition against notmuch's, pairwise, every difference explained.

It also compares both threaders on ../shared/corpora/spamassassin-ham and
measures threading quality on a header-stripped release (pairwise precision
and recall against the generator's truth, withheld-but-quoted messages
recovered), then prints a report with growth ratios and PASS/FAIL against the
project's floors and writes it into the Markdown file between
``<!-- bench:begin -->`` and ``<!-- bench:end -->`` (text outside is kept).
Raw figures go to OUT/results.json; ``--from-json`` re-renders them.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for _path in (str(REPO), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import notmuch_compare  # noqa: E402

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
GNU_TIME = "/usr/bin/time"
DEFAULT_SPAMASSASSIN = REPO.parent / "shared" / "corpora" / "spamassassin-ham"
SEARCH_QUERY = "subject:weekly"
EXAMPLES = 200  # differences explained one by one per corpus; more are counted

# The floors the project holds itself to (issue text); each is checked at the largest size run.
FLOOR_RATIO = 1.5
GOAL_RATIO = 3.0
FLOOR_WARM_SECONDS = 0.3
FLOOR_RERUN_SECONDS = 2.0
FLOOR_RSS_MB = 600.0
FLOOR_THREADING_SECONDS = 10.0      # "threading 100,000 already-parsed messages takes seconds"
FLOOR_NEAR_LINEAR_EXPONENT = 1.2    # time ~ n^k with k at most this counts as near-linear
FLOOR_QUALITY = 0.95
FLOOR_RECOVERED = 0.90


def log(text: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ running and timing commands

@dataclass(slots=True)
class Timed:
    seconds: float
    rss_kb: int | None        # GNU time: maximum resident set of the largest process waited for
    tree_pss_kb: int | None   # sampled: the whole process tree's proportional set size, at its peak
    rc: int
    error: str = ""
    load: float | None = None  # 1-minute load average when the command started: other work on the machine
    cpu_s: float | None = None  # user + system CPU seconds of the whole process tree (sampled, see timed())

    @property
    def ok(self) -> bool:
        return self.rc == 0


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
        fields = stat[stat.rfind(b")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return 0


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return 0
    fields = stat[stat.rfind(b")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def _tree_sample(root: int, cpu: dict[int, int]) -> int:
    """The tree's PSS now (kB); records each process's CPU ticks so far in ``cpu``."""
    kids = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid)
        ticks = _cpu_ticks(pid)
        if ticks:
            cpu[pid] = max(cpu.get(pid, 0), ticks)
        stack.extend(kids.get(pid, ()))
    return total


def timed(cmd: list[str], *, env: dict[str, str] | None = None, stdout=subprocess.DEVNULL,
          sample: float | None = 0.2) -> Timed:
    """Run ``cmd`` under GNU time (when present), sampling its process tree's memory every ``sample`` s."""
    use_time = os.access(GNU_TIME, os.X_OK)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report, tempfile.TemporaryFile("w+b") as err:
        full = [GNU_TIME, "-v", "-o", report.name, *cmd] if use_time else cmd
        peak = [0]
        cpu: dict[int, int] = {}
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.Popen(full, stdout=stdout, stderr=err, env=env)
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(sample or 0.2):
                peak[0] = max(peak[0], _tree_sample(proc.pid, cpu))

        watcher = threading.Thread(target=watch, daemon=True) if sample else None
        if watcher:
            watcher.start()
        proc.wait()
        seconds = time.perf_counter() - started
        stop.set()
        if watcher:
            watcher.join()
        rss = None
        gnu_cpu = 0.0
        rc = proc.returncode
        if use_time:
            for line in report.read().splitlines():
                line = line.strip()
                if line.startswith("Maximum resident set size"):
                    rss = int(line.rsplit(":", 1)[1])
                elif line.startswith(("User time (seconds)", "System time (seconds)")):
                    gnu_cpu += float(line.rsplit(":", 1)[1])
                elif line.startswith("Exit status:"):
                    rc = int(line.rsplit(":", 1)[1])
                elif line.startswith("Command terminated by signal"):
                    rc = -int(line.rsplit(" ", 1)[1])
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-6:]
        error = "" if rc == 0 else " | ".join(tail)[-600:]
        # GNU time counts only the processes waited for (not forkserver workers); the samples
        # see every process of the tree but miss each one's last fraction of a sample period.
        sampled = sum(cpu.values()) / os.sysconf("SC_CLK_TCK")
        cpu_s = max(gnu_cpu, sampled) if (use_time or sample) else None
        return Timed(seconds, rss, peak[0] or None, rc, error, load, cpu_s)


def json_of(script_args: list[str]) -> tuple[dict, Timed]:
    """Run one of the bench scripts with this interpreter; its JSON on stdout (empty when it failed)."""
    with tempfile.TemporaryFile("w+") as out:
        t = timed([sys.executable, *script_args], stdout=out)
        out.seek(0)
        text = out.read()
    return (json.loads(text) if t.ok and text.strip() else {}), t


def repeat(cmd: list[str], times: int, **kw) -> dict:
    runs = [timed(cmd, sample=None, **kw) for _ in range(times)]
    failed = next((r for r in runs if not r.ok), None)
    return {
        "median": statistics.median(r.seconds for r in runs),
        "runs": [round(r.seconds, 4) for r in runs],
        "rss_kb": max((r.rss_kb or 0) for r in runs) or None,
        "rc": failed.rc if failed else 0,
        "error": failed.error if failed else "",
    }


def code_fingerprint() -> str:
    """A digest of foiatool's source as it is now: figures from different code must not be compared."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((REPO / "foiatool").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def foiatool_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("foiatool")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "foiatool"]


def warm_page_cache(folder: Path) -> int:
    """Read every file once so neither tool pays for the first read from disk."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
    return total


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


# ------------------------------------------------------------------ corpora

def generate(release: Path, size: int, seed: int, stripped: bool) -> float:
    """Generate (or reuse, when its truth says it is the same) a release; returns the seconds spent."""
    truth = release / "truth.json"
    if truth.exists():
        try:
            with open(truth, encoding="utf-8") as fh:
                head = json.load(fh)
            if head.get("seed") == seed and head.get("generated") == size and head.get("stripped") == stripped:
                return 0.0
        except (OSError, ValueError):
            pass
    if release.exists():
        shutil.rmtree(release)
    started = time.perf_counter()
    cmd = [sys.executable, str(BENCH / "releasegen.py"), str(release), "--messages", str(size), "--seed", str(seed),
           "--stripped" if stripped else "--with-headers"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def count_files(folder: Path) -> tuple[int, int]:
    files = size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
    return files, size


# ------------------------------------------------------------------ threading alone (run in its own process)

def time_threading(db: str) -> dict:
    from foiatool.derive.steps import load_thread_inputs
    from foiatool.derive.threads import build_threads
    from foiatool.index import store

    conn = store.connect(db, readonly=True)
    started = time.perf_counter()
    inputs = list(load_thread_inputs(conn))
    loaded = time.perf_counter()
    result = build_threads(inputs)
    built = time.perf_counter()
    conn.close()
    return {
        "messages": len(inputs),
        "load_s": loaded - started,
        "build_s": built - loaded,
        "threads": len(result.threads),
        "recovered": len(result.recovered),
    }


# ------------------------------------------------------------------ one size

def t_json(t: Timed) -> dict:
    return asdict(t)


def bench_size(size: int, args: argparse.Namespace, have_notmuch: bool) -> dict:
    base = args.out / f"gen-{size}"
    release = base / "release"
    mail = base / "mail"
    res: dict = {"size": size, "code": code_fingerprint()}
    log(f"{size}: generating release with headers")
    res["generate_s"] = generate(release, size, args.seed, stripped=False)
    # Beside the mail folder, not in it: both tools would read it as input.
    flattened = base / "flattened.ok"
    if res["generate_s"] or not flattened.exists():
        flattened.unlink(missing_ok=True)
        fresh_dir(mail)
        notmuch_compare.flatten_release(release, mail)
        flattened.write_text(str(size))
    res["files"], res["bytes"] = count_files(mail)
    warm_page_cache(mail)
    files = res["files"]
    ft = foiatool_cmd()

    index_cmd = [*ft, "index", str(mail), "--db", str(base / "foiatool" / "index.sqlite"), "-q"]
    if args.jobs:
        index_cmd += ["--jobs", str(args.jobs)]
    db = base / "foiatool" / "index.sqlite"
    config = env = None
    foia_runs: list[dict] = []
    notmuch_runs: list[dict] = []
    # Each round runs both tools back to back, so a change in the machine's load hits both;
    # the best round of each is reported and every round is kept in results.json.
    for round_ in range(max(1, args.cold_repeat)):
        fresh_dir(base / "foiatool")
        log(f"{size}: cold foiatool index ({files} files), round {round_ + 1}")
        idx = timed(index_cmd)
        thr = timed([*ft, "threads", "--db", str(db), "-f", "tsv"]) if idx.ok else None
        f_total = idx.seconds + (thr.seconds if thr else 0.0)
        foia_runs.append({
            "index": t_json(idx),
            "threads": t_json(thr) if thr else None,
            "total_s": f_total,
            "msgs_per_s": files / f_total if idx.ok and thr and thr.ok else None,
        })
        if not idx.ok:
            log(f"{size}: foiatool index FAILED: {idx.error}")
            break
        if have_notmuch:
            log(f"{size}: cold notmuch new, round {round_ + 1}")
            config = notmuch_compare.write_config(base / "notmuch", mail)
            env = notmuch_compare.notmuch_env(config)
            new = timed(["notmuch", "new", "--quiet"], env=env)
            search = timed(["notmuch", "search", "--output=threads", "*"], env=env)
            n_total = new.seconds + search.seconds
            notmuch_runs.append({
                "new": t_json(new), "search": t_json(search), "total_s": n_total,
                "msgs_per_s": files / n_total if new.ok and search.ok else None,
            })

    def best(runs: list[dict]) -> dict:
        good = [r for r in runs if r["msgs_per_s"]]
        return dict(max(good, key=lambda r: r["msgs_per_s"]) if good else runs[-1], rounds=runs)

    res["foiatool"] = best(foia_runs)
    idx_ok = foia_runs[-1]["index"]["rc"] == 0
    if notmuch_runs:
        res["notmuch"] = best(notmuch_runs)
        if res["foiatool"]["msgs_per_s"] and res["notmuch"]["msgs_per_s"]:
            res["ratio"] = res["foiatool"]["msgs_per_s"] / res["notmuch"]["msgs_per_s"]

    if idx_ok:
        log(f"{size}: warm latencies (median of {args.repeat})")
        warm = {
            "threads": repeat([*ft, "threads", "--db", str(db), "-f", "tsv"], args.repeat),
            "summary": repeat([*ft, "summary", "--db", str(db), "-f", "json"], args.repeat),
            "search": repeat([*ft, "search", SEARCH_QUERY, "--db", str(db), "-f", "tsv"], args.repeat),
            "rerun": repeat([*ft, "index", str(mail), "--db", str(db), "-q"], args.repeat),
        }
        if env is not None:
            warm["notmuch_search"] = repeat(["notmuch", "search", "--output=threads", "*"], args.repeat, env=env)
        res["warm"] = warm
        if args.cold_and_warm_only:
            return res

        log(f"{size}: a small change: one file added, then removed")
        data, t = json_of([str(BENCH / "incremental.py"), str(mail), str(db), "--repeat", "1"])
        res["incremental"] = data if t.ok else {"error": t.error}
        log(f"{size}: what an exact touched-only re-threading would have to take in")
        data, t = json_of([str(BENCH / "touched_region.py"), str(db), "--samples", "10"])
        res["touched_region"] = data if t.ok else {"error": t.error}

        log(f"{size}: build_threads alone (best of {args.repeat})")
        attempts = []
        for _ in range(max(1, args.repeat)):
            data, t = json_of([str(BENCH / "run.py"), "--time-threading", str(db)])
            attempts.append({**data, "process": t_json(t)})
            if not t.ok:
                break
        timed_ok = [a for a in attempts if "build_s" in a]
        chosen = min(timed_ok, key=lambda a: a["build_s"]) if timed_ok else attempts[-1]
        res["threading"] = {**chosen, "build_runs": [round(a.get("build_s", 0), 3) for a in attempts],
                            "load_runs": [round(a.get("load_s", 0), 3) for a in attempts]}

        if config is not None and notmuch_runs[-1]["new"]["rc"] == 0:
            log(f"{size}: comparing thread partitions with notmuch")
            comparison = notmuch_compare.compare(f"generated {size}", config, db, examples=EXAMPLES)
            res["compare"] = _compare_json(comparison)
            (base / "notmuch-differences.txt").write_text(notmuch_compare.describe(comparison, db, limit=10**6) + "\n")
    return res


def _compare_json(comparison: notmuch_compare.Comparison) -> dict:
    data = comparison.to_json()
    data["differences_total"] = len(data["differences"])
    data["differences"] = data["differences"][:EXAMPLES]
    data["only_notmuch"] = data["only_notmuch"][:50]
    data["only_foiatool"] = data["only_foiatool"][:50]
    data["summary"] = comparison.summary_line()
    return data


def bench_spamassassin(folder: Path, args: argparse.Namespace) -> dict:
    base = args.out / "spamassassin"
    mail = base / "mail"
    if not (base / "copied.ok").exists():
        fresh_dir(mail)
        notmuch_compare.copy_folder(folder, mail)
        (base / "copied.ok").write_text("")
    files, nbytes = count_files(mail)
    warm_page_cache(mail)
    ft = foiatool_cmd()
    db = fresh_dir(base / "foiatool") / "index.sqlite"
    log(f"spamassassin-ham: foiatool index and notmuch new ({files} files)")
    idx = timed([*ft, "index", str(mail), "--db", str(db), "-q"])
    config = notmuch_compare.write_config(base / "notmuch", mail)
    new = timed(["notmuch", "new", "--quiet"], env=notmuch_compare.notmuch_env(config))
    res: dict = {"files": files, "bytes": nbytes, "index": t_json(idx), "notmuch_new": t_json(new),
                 "code": code_fingerprint()}
    if idx.ok and new.ok:
        comparison = notmuch_compare.compare("spamassassin-ham", config, db, examples=EXAMPLES)
        res["compare"] = _compare_json(comparison)
        text = notmuch_compare.describe(comparison, db, limit=10**6)
        (base / "notmuch-differences.txt").write_text(text + "\n")
    return res


# ------------------------------------------------------------------ threading quality on a stripped release

def bench_quality(size: int, args: argparse.Namespace) -> dict:
    """Index a header-stripped release with foiatool and score the index's threads against the truth."""
    from types import SimpleNamespace

    from thread_quality import _truth_file_key, score

    from foiatool.mail.dates import from_iso
    from foiatool.model import Address, Source

    base = args.out / f"stripped-{size}"
    release = base / "release"
    log(f"stripped {size}: generating")
    generate(release, size, args.seed, stripped=True)
    warm_page_cache(release)
    db = fresh_dir(base / "foiatool") / "index.sqlite"
    log(f"stripped {size}: foiatool index")
    idx = timed([*foiatool_cmd(), "index", str(release), "--db", str(db), "-q"])
    res: dict = {"size": size, "index": t_json(idx), "code": code_fingerprint()}
    if not idx.ok:
        return res
    truth = json.loads((release / "truth.json").read_text(encoding="utf-8"))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sources: dict[str, list] = {}
        for message, path, locator in conn.execute(
            "SELECT s.message, s.path, s.locator FROM sources s JOIN messages m ON m.id = s.message WHERE m.recovered = 0"
        ):
            sources.setdefault(message, []).append(Source(path, locator))
        messages = [SimpleNamespace(id=k, sources=v) for k, v in sorted(sources.items())]
        thread_of = {r[0]: r[1] for r in conn.execute("SELECT id, thread_id FROM messages WHERE thread_id IS NOT NULL")}
        recovered = [
            SimpleNamespace(subject=r[0], sender=Address(r[1], r[2], r[3]), date=from_iso(r[4]))
            for r in conn.execute("SELECT subject, from_name, from_email, from_redacted, date FROM messages WHERE recovered = 1")
        ]
        problems = conn.execute("SELECT count(*) FROM problems").fetchone()[0]
    finally:
        conn.close()
    result = SimpleNamespace(thread_of=thread_of, recovered=recovered)
    quality = score(truth, result, messages, lambda s: _truth_file_key(release, s.path, s.locator), problems)
    res.update({k: getattr(quality, k) for k in (
        "messages", "files", "threads_true", "threads_found", "precision", "recall", "withheld_quoted",
        "recovered_matched", "recovered_total", "recovered_fraction", "copies_split", "conflated", "problems")})
    return res


# ------------------------------------------------------------------ the machine

def machine() -> dict:
    info = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "notmuch": notmuch_compare.notmuch_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from foiatool import __version__
        info["foiatool"] = __version__
    except ImportError:
        pass
    try:
        info["commit"] = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        if dirty:
            info["commit"] += " (with uncommitted changes)"
    except (OSError, subprocess.SubprocessError):
        pass
    return info


# ------------------------------------------------------------------ report

def _region(data: dict | None) -> str:
    if not data or "median_share" not in data:
        return "–"
    return f"{data['median_share']:.1%} (≤ {data['max_share']:.1%})"


def _s(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _sum(phases: dict, *labels: str) -> float | None:
    found = [phases[label] for label in labels if phases.get(label) is not None]
    return sum(found) if found else None


def _mb(kb: int | None) -> str:
    return "–" if not kb else f"{kb / 1024:.0f}"


def _pf(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**FAIL**")


def _load(entry: dict | None) -> str:
    return "–" if not entry or entry.get("load") is None else f"{entry['load']:.1f}"


def _growth(a: float | None, b: float | None) -> float | None:
    return b / a if a and b else None


def _exponent(ratio: float | None, size_ratio: float) -> float | None:
    return math.log(ratio) / math.log(size_ratio) if ratio and ratio > 0 and size_ratio > 1 else None


def _timed_s(entry: dict | None) -> float | None:
    return entry["seconds"] if entry and entry.get("rc") == 0 else None


def _peak_rss(run: dict) -> int | None:
    """The largest single-process maximum RSS any foiatool command reached at this size."""
    values = []
    f = run.get("foiatool", {})
    for entry in (f.get("index"), f.get("threads")):
        if entry and entry.get("rss_kb"):
            values.append(entry["rss_kb"])
    for entry in run.get("warm", {}).values():
        if entry.get("rss_kb"):
            values.append(entry["rss_kb"])
    return max(values) if values else None


def _peak_tree(run: dict) -> int | None:
    f = run.get("foiatool", {})
    values = [e["tree_pss_kb"] for e in (f.get("index"), f.get("threads")) if e and e.get("tree_pss_kb")]
    return max(values) if values else None


def floors(results: dict) -> list[dict]:
    runs = [results["runs"][k] for k in sorted(results["runs"], key=int)]
    rows: list[dict] = []
    if not runs:
        return rows
    small, large = runs[0], runs[-1]
    at = f"{large['files']:,} files" if large.get("files") else f"{large['size']:,}"

    for run in runs:
        ratio = run.get("ratio")
        rows.append({"floor": f"cold index + threads throughput ≥ {FLOOR_RATIO}× notmuch ({run['size']:,})",
                     "measured": f"{ratio:.2f}×" if ratio else "not measured",
                     "pass": None if ratio is None else ratio >= FLOOR_RATIO})
    warm = large.get("warm", {})
    for shape in results.get("shapes") or []:
        ratio = shape.get("ratio")
        rows.append({"floor": f"cold index + threads ≥ {FLOOR_RATIO}× notmuch on {shape['shape']} (goal {GOAL_RATIO:g}×)",
                     "measured": f"{ratio:.2f}×" if ratio else "not measured",
                     "pass": None if ratio is None else ratio >= FLOOR_RATIO})
    for key, limit, name in (("threads", FLOOR_WARM_SECONDS, "warm `threads`"),
                             ("summary", FLOOR_WARM_SECONDS, "warm `summary`"),
                             ("search", FLOOR_WARM_SECONDS, f"warm `search '{SEARCH_QUERY}'`"),
                             ("rerun", FLOOR_RERUN_SECONDS, "no-change re-run of `index`")):
        entry = warm.get(key)
        ok = None if entry is None else (entry["rc"] == 0 and entry["median"] <= limit)
        rows.append({"floor": f"{name} ≤ {limit:g} s at {at}",
                     "measured": "–" if entry is None else (f"{entry['median']:.2f} s" if entry["rc"] == 0 else "failed"),
                     "pass": ok})
    rss = _peak_rss(large)
    rows.append({"floor": f"peak RSS ≤ {FLOOR_RSS_MB:g} MB at {at} (GNU time, largest process)",
                 "measured": f"{_mb(rss)} MB", "pass": None if rss is None else rss / 1024 <= FLOOR_RSS_MB})
    if len(runs) > 1:
        size_ratio = large["files"] / small["files"]
        g = _growth(_peak_rss(small), rss)
        rows.append({"floor": f"peak RSS grows no faster than linearly ({small['size']:,} → {large['size']:,})",
                     "measured": "–" if g is None else f"×{g:.2f} for ×{size_ratio:.2f} messages",
                     "pass": None if g is None else g <= size_ratio})
    t_large = large.get("threading", {}).get("build_s")
    rows.append({"floor": f"build_threads on {large.get('threading', {}).get('messages', 0):,} parsed messages ≤ "
                          f"{FLOOR_THREADING_SECONDS:g} s",
                 "measured": f"{_s(t_large)} s", "pass": None if t_large is None else t_large <= FLOOR_THREADING_SECONDS})
    if len(runs) > 1:
        t_small = small.get("threading", {}).get("build_s")
        size_ratio = large["files"] / small["files"]
        k = _exponent(_growth(t_small, t_large), size_ratio)
        rows.append({"floor": f"build_threads grows near-linearly (time ∝ n^k, k ≤ {FLOOR_NEAR_LINEAR_EXPONENT})",
                     "measured": "–" if k is None else f"k = {k:.2f}",
                     "pass": None if k is None else k <= FLOOR_NEAR_LINEAR_EXPONENT})
    for label, cmp in _comparisons(results):
        if cmp is None:
            continue
        measured = f"P {cmp['precision']:.4f}, R {cmp['recall']:.4f}"
        if label == "spamassassin-ham":
            # A real list archive: foiatool also joins by quoted history and subject where notmuch
            # has no header to go on, so the partitions differ by design; every difference is
            # classified in the section below. Only the generated releases (headers intact) must agree.
            rows.append({"floor": f"partition against notmuch on {label} (differences classified below)",
                         "measured": measured, "pass": None, "verdict": "reported"})
            continue
        ok = cmp["precision"] == 1.0 and cmp["recall"] == 1.0
        rows.append({"floor": f"same partition as notmuch on {label} (pairwise P = R = 1.0)",
                     "measured": measured, "pass": ok})
    q = results.get("quality")
    if q and "precision" in q:
        rows.append({"floor": f"stripped release ({q['size']:,}): pairwise precision and recall ≥ {FLOOR_QUALITY}",
                     "measured": f"P {q['precision']:.4f}, R {q['recall']:.4f}",
                     "pass": q["precision"] >= FLOOR_QUALITY and q["recall"] >= FLOOR_QUALITY})
        rows.append({"floor": f"stripped release ({q['size']:,}): ≥ {FLOOR_RECOVERED:.0%} of withheld-but-quoted recovered",
                     "measured": f"{q['recovered_fraction']:.1%} ({q['recovered_matched']}/{q['withheld_quoted']})",
                     "pass": q["recovered_fraction"] >= FLOOR_RECOVERED})
    return rows


def _comparisons(results: dict) -> list[tuple[str, dict | None]]:
    out = []
    sa = results.get("spamassassin")
    if sa:
        out.append(("spamassassin-ham", sa.get("compare")))
    for key in sorted(results["runs"], key=int):
        out.append((f"generated {int(key):,}", results["runs"][key].get("compare")))
    return out


def render(results: dict) -> str:
    m = results["machine"]
    runs = [results["runs"][k] for k in sorted(results["runs"], key=int)]
    lines: list[str] = []
    add = lines.append
    add(f"Measured {m.get('date')} on {m.get('nproc')} cores ({m.get('cpu', 'unknown CPU')}), "
        f"{m.get('memory_gib', '?')} GiB memory; Python {m.get('python')}, SQLite {m.get('sqlite')}, "
        f"{m.get('notmuch') or 'notmuch: not installed (comparison skipped)'}; foiatool {m.get('foiatool', '?')} "
        f"at {m.get('commit', '?')}; {m.get('platform')}.")
    add("")
    add(f"Reproduce: `make bench`, i.e. `{results['command']}`")
    add("")
    codes = {r.get("code") for r in runs} | {results.get(k, {}).get("code") for k in ("spamassassin", "quality")}
    codes.discard(None)
    if len(codes) > 1:
        add("**foiatool's source changed during this run** (code digests " + ", ".join(
            f"{r['size']:,}: {r.get('code', '?')}" for r in runs) + "): figures of different sizes come from "
            "different code, so the growth ratios mix versions. Re-run on a tree nobody is editing.")
        add("")
    if not m.get("notmuch") or results.get("skip_notmuch"):
        add("**notmuch was not run** (`--skip-notmuch` or not installed): no throughput ratio and no partition "
            "comparison in this run.")
        add("")
    add("### Floors")
    add("")
    add("| floor | measured | verdict |")
    add("|---|---|---|")
    for row in floors(results):
        add(f"| {row['floor']} | {row['measured']} | {row.get('verdict') or _pf(row['pass'])} |")
    add("")
    shapes = results.get("shapes") or []
    if shapes:
        add("### Three shapes of dump: cold index + threads against notmuch, side by side")
        add("")
        add("`bench/shapes.py`: each round runs `foiatool index` + `foiatool threads -f tsv` (a new index), then "
            "`notmuch new` + `notmuch search --output=threads '*'` (a new database) on the same files; the best "
            "round of each tool is kept. Ratio = notmuch seconds ÷ foiatool seconds. Load avg = the 1-minute load "
            "average as each tool's first round started.")
        add("")
        add("| shape | files | MB | foiatool index + threads s (rounds) | notmuch new + search s (rounds) | ratio | load avg |")
        add("|---|---:|---:|---:|---:|---:|---:|")
        for sh in shapes:
            fr = ", ".join(f"{r['total_s']:.2f}" for r in sh.get("foiatool_rounds", []))
            nr = ", ".join(f"{r['total_s']:.2f}" for r in sh.get("notmuch_rounds", []))
            f0 = (sh.get("foiatool_rounds") or [{}])[0].get("index")
            n0 = (sh.get("notmuch_rounds") or [{}])[0].get("new")
            add(f"| {sh['shape']} | {sh['files']:,} | {sh['bytes'] / 1e6:.0f} | {_s(sh.get('foiatool_s'))} ({fr}) | "
                f"{_s(sh.get('notmuch_s'))} ({nr}) | {(format(sh['ratio'], '.2f') + '×') if sh.get('ratio') else '–'} | "
                f"{_load(f0)} / {_load(n0)} |")
        add("")
    add("### Cold: a new index / a new notmuch database, same files, same run")
    add("")
    rounds = results.get("cold_repeat", 1)
    add(("Best of " + str(rounds) + " rounds, each running both tools back to back. " if rounds > 1 else "")
        + "Page cache warmed first for both. Seconds are wall time; msg/s = files ÷ (index + threads). "
        "RSS = GNU time's maximum resident set (largest single process); tree = peak PSS of the whole "
        "process tree (worker processes included), sampled every 0.2 s. Load avg = the machine's 1-minute "
        "load average as foiatool index / notmuch new started (other work on this 2-core machine slows both). "
        "CPU s = user + system seconds of the whole process tree (foiatool's parse workers included, sampled "
        "from /proc every 0.2 s): less sensitive to other load than wall time.")
    add("")
    add("| messages | MB | foiatool index s | threads s | total s | msg/s | index CPU s | RSS MB | tree MB "
        "| notmuch new s | search s | total s | msg/s | new CPU s | RSS MB | ratio | load avg |")
    add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        f = r.get("foiatool", {})
        n = r.get("notmuch") or {}
        idx, thr = f.get("index"), f.get("threads")
        new, srch = n.get("new"), n.get("search")
        add(f"| {r['files']:,} | {r['bytes'] / 1e6:.0f} | {_s(_timed_s(idx))} | {_s(_timed_s(thr))} | "
            f"{_s(f.get('total_s') if f.get('msgs_per_s') else None)} | {_s(f.get('msgs_per_s'), 0)} | "
            f"{_s(idx and idx.get('cpu_s'), 1)} | {_mb(idx and idx.get('rss_kb'))} | {_mb(_peak_tree(r))} | "
            f"{_s(_timed_s(new))} | {_s(_timed_s(srch))} | {_s(n.get('total_s') if n.get('msgs_per_s') else None)} | "
            f"{_s(n.get('msgs_per_s'), 0)} | {_s(new and new.get('cpu_s'), 1)} | {_mb(new and new.get('rss_kb'))} | "
            f"{(format(r['ratio'], '.2f') + '×') if r.get('ratio') else '–'} | {_load(idx)} / {_load(new)} |")
    for r in runs:
        idx = r.get("foiatool", {}).get("index") or {}
        if idx.get("rc"):
            add("")
            add(f"foiatool index failed at {r['size']:,}: `{idx.get('error', '')}`")
    add("")
    add(f"### Warm (median of {results.get('repeat', 3)} runs, seconds)")
    add("")
    add(f"| messages | `threads -f tsv` | `summary -f json` | `search '{SEARCH_QUERY}'` | no-change `index` "
        "| max RSS MB | notmuch `search --output=threads '*'` |")
    add("|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        w = r.get("warm", {})

        def med(key: str, w: dict = w) -> str:  # this run's warm timings, bound now
            e = w.get(key)
            return "–" if not e else (f"{e['median']:.3f}" if e["rc"] == 0 else "failed")

        rss = max((e.get("rss_kb") or 0) for e in w.values()) if w else 0
        add(f"| {r['files']:,} | {med('threads')} | {med('summary')} | {med('search')} | {med('rerun')} | "
            f"{_mb(rss)} | {med('notmuch_search')} |")
    add("")
    if any(r.get("incremental", {}).get("rounds") for r in runs):
        add("### A small change: one message file added, then removed (seconds)")
        add("")
        add("`bench/incremental.py`: each refresh reads only the changed file, then recomputes threads, "
            "people and the cached summary over the whole index.")
        add("")
        add("The last column is `bench/touched_region.py`: the share of the index that re-threading only "
            "where touched would have to read again to give exactly the result of a full pass (the closure "
            "of the threader's candidate relations from one message, over 10 messages taken as if new: "
            "median, and the largest).")
        add("")
        add("| messages | no change | one file added | of which: reading | full-text rows | threads | "
            "people and summary | one file removed | touched-only region |")
        add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in runs:
            inc = r.get("incremental", {})
            if not inc.get("rounds"):
                continue
            added = inc["rounds"][0]["add"]["phases"]
            add(f"| {r['files']:,} | {_s(inc['no_change']['seconds'])} | {_s(inc['add_median_s'])} | "
                f"{_s(added.get('reading and storing'))} | {_s(added.get('full-text rows'))} | "
                f"{_s(added.get('threads (load, build, write)'))} | {_s(_sum(added, 'people and summary'))} | "
                f"{_s(inc['remove_median_s'])} | {_region(r.get('touched_region'))} |")
        add("")
    add("### Threading alone: `build_threads` on inputs loaded from the index")
    add("")
    add("| messages | load inputs s | build_threads s | threads | recovered | process RSS MB |")
    add("|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        t = r.get("threading", {})
        add(f"| {t.get('messages', 0):,} | {_s(t.get('load_s'))} | {_s(t.get('build_s'))} | {t.get('threads', '–')} | "
            f"{t.get('recovered', '–')} | {_mb((t.get('process') or {}).get('rss_kb'))} |")
    if len(runs) > 1:
        small, large = runs[0], runs[-1]
        size_ratio = large["files"] / small["files"]
        add("")
        add(f"### Growth from {small['size']:,} to {large['size']:,} (messages ×{size_ratio:.2f})")
        add("")
        add("| measure | small | large | ratio | k (∝ n^k) |")
        add("|---|---:|---:|---:|---:|")

        def grow(name: str, get, unit: str = "s") -> None:
            a, b = get(small), get(large)
            g = _growth(a, b)
            k = _exponent(g, size_ratio)
            fmt = (lambda x: _s(x, 3)) if unit == "s" else (lambda x: "–" if x is None else f"{x:.0f}")
            add(f"| {name} | {fmt(a)} | {fmt(b)} | {'–' if g is None else f'×{g:.2f}'} | {_s(k)} |")

        grow("foiatool cold index s", lambda r: _timed_s(r.get("foiatool", {}).get("index")))
        grow("foiatool cold threads s", lambda r: _timed_s(r.get("foiatool", {}).get("threads")))
        grow("notmuch new s", lambda r: _timed_s((r.get("notmuch") or {}).get("new")))
        grow("warm threads s", lambda r: (r.get("warm", {}).get("threads") or {}).get("median"))
        grow("warm summary s", lambda r: (r.get("warm", {}).get("summary") or {}).get("median"))
        grow("warm search s", lambda r: (r.get("warm", {}).get("search") or {}).get("median"))
        grow("no-change re-run s", lambda r: (r.get("warm", {}).get("rerun") or {}).get("median"))
        grow("build_threads s", lambda r: r.get("threading", {}).get("build_s"))
        grow("peak RSS MB (largest process)", lambda r: (_peak_rss(r) or 0) / 1024 or None, unit="MB")
        grow("peak tree PSS MB (cold index)", lambda r: (_peak_tree(r) or 0) / 1024 or None, unit="MB")
    add("")
    add("### Thread partition against notmuch (pairwise, notmuch as reference, keyed by file)")
    add("")
    add("\"Header links only\" scores the partition made by foiatool's header edges alone (its JWZ pass, before "
        "quoted-history and subject links), the like-for-like comparison with notmuch.")
    add("")
    add("| corpus | files compared | notmuch threads | foiatool threads | precision | recall | pairs joined "
        "| pairs split | header links only: precision | recall |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, cmp in _comparisons(results):
        if cmp is None:
            add(f"| {label} | not compared | | | | | | | | |")
            continue
        add(f"| {label} | {cmp['items']:,} | {cmp['notmuch_threads']:,} | {cmp['foiatool_threads']:,} | "
            f"{cmp['precision']:.4f} | {cmp['recall']:.4f} | {cmp['predicted_pairs'] - cmp['shared_pairs']:,} | "
            f"{cmp['reference_pairs'] - cmp['shared_pairs']:,} | {_s(cmp.get('header_precision'), 4)} | "
            f"{_s(cmp.get('header_recall'), 4)} |")
    for label, cmp in _comparisons(results):
        if not cmp:
            continue
        extra = []
        if cmp["only_notmuch"]:
            extra.append(f"{len(cmp['only_notmuch'])} files only notmuch indexed")
        if cmp["only_foiatool"]:
            extra.append(f"{len(cmp['only_foiatool'])} files only foiatool indexed")
        if not cmp["differences_total"] and not extra:
            continue
        add("")
        folder = "spamassassin" if label == "spamassassin-ham" else "gen-" + label.split()[-1].replace(",", "")
        add(f"Differences on {label} ({cmp['differences_total']} thread groups"
            + (", " + ", ".join(extra) if extra else "") + "), by cause (each listed with subjects, Message-IDs and "
            f"the link in `{results.get('out', 'bench/out')}/{folder}/notmuch-differences.txt`):")
        add("")
        for cause, count in sorted(cmp["causes"].items(), key=lambda kv: -kv[1]):
            add(f"- {count} × {cause}")
    q = results.get("quality")
    if q:
        add("")
        add(f"### Threading quality on a header-stripped release ({q['size']:,} generated messages)")
        add("")
        if "precision" not in q:
            add(f"foiatool index failed: `{q['index'].get('error', '')}`")
        else:
            add("The release is indexed by `foiatool index` and the index's threads are scored against the "
                "generator's truth (`bench/thread_quality.py`'s scoring).")
            add("")
            add("| files | messages | true threads | found threads | precision | recall | withheld-but-quoted "
                "| recovered (matched) | recovered made | copies split | index s |")
            add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            add(f"| {q['files']:,} | {q['messages']:,} | {q['threads_true']:,} | {q['threads_found']:,} | "
                f"{q['precision']:.4f} | {q['recall']:.4f} | {q['withheld_quoted']:,} | "
                f"{q['recovered_matched']:,} ({q['recovered_fraction']:.1%}) | {q['recovered_total']:,} | "
                f"{q['copies_split']} | {_s(q['index']['seconds'])} |")
    sa = results.get("spamassassin")
    if sa and sa.get("index"):
        add("")
        add(f"spamassassin-ham ({sa['files']:,} files): cold foiatool index {_s(_timed_s(sa['index']))} s, "
            f"notmuch new {_s(_timed_s(sa['notmuch_new']))} s.")
    return "\n".join(lines) + "\n"


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def write_markdown(path: Path, block: str) -> None:
    wrapped = f"{BEGIN}\n{block}{END}\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(f"{head}{BEGIN}\n{block}{END}{tail}", encoding="utf-8")
            return
    path.write_text("# Benchmarks\n\nWritten by `bench/run.py`; the text outside the markers is kept on re-runs.\n\n"
                    + wrapped, encoding="utf-8")


# ------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="corpora, indexes and results.json")
    parser.add_argument("--sizes", default="10000,30000,100000", help="comma-separated message counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per warm latency (the median is reported)")
    parser.add_argument("--jobs", type=int, default=None, help="foiatool index --jobs (default: all cores)")
    parser.add_argument("--cold-repeat", type=int, default=1,
                        help="rounds of the cold runs of both tools, back to back (the best of each is reported)")
    parser.add_argument("--markdown", type=Path, help="write the report into this file between the bench markers")
    parser.add_argument("--skip-notmuch", action="store_true", help="measure foiatool alone")
    parser.add_argument("--cold-and-warm-only", action="store_true",
                        help="per size, only the cold index and the warm commands (no small change, no threading alone)")
    parser.add_argument("--shapes", action="store_true",
                        help="also measure the three shapes of dump (bench/shapes.py) against notmuch")
    parser.add_argument("--spamassassin", type=Path, default=DEFAULT_SPAMASSASSIN,
                        help="folder of spamassassin-ham (skipped when absent)")
    parser.add_argument("--quality-size", type=int, default=None,
                        help="messages in the header-stripped release (default: the smallest size; 0 skips it)")
    parser.add_argument("--from-json", type=Path, help="render an earlier results.json instead of measuring")
    parser.add_argument("--time-threading", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.time_threading:
        print(json.dumps(time_threading(args.time_threading)))
        return 0

    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
        if not sizes or min(sizes) < 1:
            parser.error("--sizes needs positive message counts")
        args.out = args.out.resolve()
        args.out.mkdir(parents=True, exist_ok=True)
        have_notmuch = not args.skip_notmuch and notmuch_compare.notmuch_version() is not None
        if not args.skip_notmuch and not have_notmuch:
            log("notmuch is not installed: measuring foiatool alone (install it with `make bench-deps`)")
        if not os.access(GNU_TIME, os.X_OK):
            log(f"{GNU_TIME} is missing: no maximum RSS figures (install GNU time with `make bench-deps`)")
        shown = [sys.argv[0] if argv is None else "bench/run.py", *(sys.argv[1:] if argv is None else argv)]
        results = {
            "machine": machine(),
            "command": "python " + " ".join(shlex.quote(a) for a in shown),
            "sizes": sizes,
            "seed": args.seed,
            "repeat": args.repeat,
            "cold_repeat": args.cold_repeat,
            "skip_notmuch": not have_notmuch,
            "out": _shown_path(args.out),
            "runs": {},
        }
        results_path = args.out / "results.json"

        def save() -> None:
            results_path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")

        if args.shapes:
            import shapes as shapes_bench

            log("three shapes of dump, side by side with notmuch")
            folders = shapes_bench.prepare(args.out / "shapes", args.seed, args.spamassassin)
            results["shapes"] = [shapes_bench.measure(name, mail, mail.parent, max(1, args.cold_repeat), args.jobs)
                                 for name, mail in folders.items()]
            save()
        if have_notmuch and args.spamassassin.is_dir():
            results["spamassassin"] = bench_spamassassin(args.spamassassin, args)
            save()
        elif have_notmuch:
            log(f"{args.spamassassin} not found: spamassassin-ham comparison skipped")
        for size in sizes:
            results["runs"][str(size)] = bench_size(size, args, have_notmuch)
            save()
        quality_size = sizes[0] if args.quality_size is None else args.quality_size
        if quality_size:
            results["quality"] = bench_quality(quality_size, args)
            save()
        log(f"raw figures in {results_path}")

    block = render(results)
    print(block)
    if args.markdown:
        write_markdown(args.markdown, block)
        log(f"report written to {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
