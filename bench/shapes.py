"""Cold index + threads against notmuch on three shapes of dump, side by side in one run.

``python bench/shapes.py --out bench/out/shapes --rounds 2``

The shapes: a simple mailing-list archive (bench/listgen.py, 20,000 short-headed
messages in one folder), a generated release (bench/releasegen.py, 10,000
Exchange-style messages over many folders, mbox custodians split into files),
and ../shared/corpora/spamassassin-ham (2,405 real messages). Each round runs
``foiatool index`` + ``foiatool threads -f tsv`` and then ``notmuch new`` +
``notmuch search --output=threads '*'`` on the same files, a new index and a new
database each time; the best round of each tool gives the ratio. JSON on stdout.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for _path in (str(BENCH.parent), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import notmuch_compare  # noqa: E402
from run import DEFAULT_SPAMASSASSIN, count_files, foiatool_cmd, fresh_dir, log, timed, warm_page_cache  # noqa: E402

SIMPLE_SIZE = 20000
RELEASE_SIZE = 10000


def prepare(out: Path, seed: int, spamassassin: Path, simple_size: int = SIMPLE_SIZE,
            release_size: int = RELEASE_SIZE) -> dict[str, Path]:
    """The three folders of one-message files (generated once per size and seed, then reused)."""
    shapes: dict[str, Path] = {}
    simple = out / f"simple-{simple_size}-s{seed}"
    if not (simple / "done.ok").exists():
        fresh_dir(simple)
        subprocess.run([sys.executable, str(BENCH / "listgen.py"), str(simple / "mail"), "--messages",
                        str(simple_size), "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
        (simple / "done.ok").write_text("")
    shapes[f"simple list {simple_size:,}"] = simple / "mail"
    release = out / f"release-{release_size}-s{seed}"
    if not (release / "done.ok").exists():
        fresh_dir(release)
        subprocess.run([sys.executable, str(BENCH / "releasegen.py"), str(release / "gen"), "--messages",
                        str(release_size), "--seed", str(seed), "--with-headers"], check=True,
                       stdout=subprocess.DEVNULL)
        notmuch_compare.flatten_release(release / "gen", release / "mail")
        (release / "done.ok").write_text("")
    shapes[f"releasegen {release_size:,}"] = release / "mail"
    if spamassassin.is_dir():
        sa = out / "spamassassin"
        if not (sa / "done.ok").exists():
            fresh_dir(sa)
            notmuch_compare.copy_folder(spamassassin, sa / "mail")
            (sa / "done.ok").write_text("")
        shapes["spamassassin-ham"] = sa / "mail"
    return shapes


def measure(name: str, mail: Path, work: Path, rounds: int, jobs: int | None = None) -> dict:
    """Rounds of both tools back to back on ``mail``; the best of each and the ratio."""
    files, nbytes = count_files(mail)
    warm_page_cache(mail)
    ft = foiatool_cmd()
    db = work / "foiatool" / "index.sqlite"
    index_cmd = [*ft, "index", str(mail), "--db", str(db), "-q"] + (["--jobs", str(jobs)] if jobs else [])
    foia, nm = [], []
    for r in range(rounds):
        fresh_dir(work / "foiatool")
        log(f"{name}: foiatool index + threads ({files} files), round {r + 1}")
        idx = timed(index_cmd)
        thr = timed([*ft, "threads", "--db", str(db), "-f", "tsv"])
        foia.append({"index": asdict(idx), "threads": asdict(thr), "total_s": idx.seconds + thr.seconds,
                     "ok": idx.ok and thr.ok})
        if notmuch_compare.notmuch_version() is None:
            continue
        log(f"{name}: notmuch new + search, round {r + 1}")
        config = notmuch_compare.write_config(work / "notmuch", mail)
        env = notmuch_compare.notmuch_env(config)
        new = timed(["notmuch", "new", "--quiet"], env=env)
        search = timed(["notmuch", "search", "--output=threads", "*"], env=env)
        nm.append({"new": asdict(new), "search": asdict(search), "total_s": new.seconds + search.seconds,
                   "ok": new.ok and search.ok})
    res: dict = {"shape": name, "files": files, "bytes": nbytes, "foiatool_rounds": foia, "notmuch_rounds": nm}
    good_f = [r["total_s"] for r in foia if r["ok"]]
    good_n = [r["total_s"] for r in nm if r["ok"]]
    res["foiatool_s"] = min(good_f) if good_f else None
    res["notmuch_s"] = min(good_n) if good_n else None
    if res["foiatool_s"] and res["notmuch_s"]:
        res["ratio"] = res["notmuch_s"] / res["foiatool_s"]
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "shapes")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--spamassassin", type=Path, default=DEFAULT_SPAMASSASSIN)
    parser.add_argument("--only", default="", help="comma-separated words: measure only shapes whose name has one")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    shapes = prepare(args.out, args.seed, args.spamassassin)
    results = []
    for name, mail in shapes.items():
        if args.only and not any(w in name for w in args.only.split(",")):
            continue
        res = measure(name, mail, mail.parent, args.rounds, args.jobs)
        results.append(res)
        log(f"{name}: foiatool {res['foiatool_s']} s, notmuch {res['notmuch_s']} s, ratio {res.get('ratio')}")
    print(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
