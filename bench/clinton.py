"""How well foiatool reads a real OCR'd release: the State Department's Clinton email, one document per file.

``python bench/clinton.py [FOLDER] [--truth tests/data/clinton_truth] [--db DB] [--json OUT]``

Indexes FOLDER (default ``../shared/corpora/clinton-august``: the text of each released PDF)
with the real ``foiatool index`` and reports, as a user would check it:

- documents read: a document is read when it gave at least one message or was kept as a
  document that holds no email, and no part of it is listed as unreadable;
- each document's top message (its first printed header block): sender, day and subject,
  against the hand-checked answers in ``--truth`` for the documents that have one;
- messages dated outside 2008-01-01 .. the release date printed on the page;
- people rows that look like OCR variants of the 12 most frequent addresses (listed, so a
  reader can judge them);
- the time the index took.

The same measures back ``tests/test_clinton_truth.py``; ``measure()`` is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_FOLDER = REPO.parent / "shared" / "corpora" / "clinton-august"
DEFAULT_TRUTH = REPO / "tests" / "data" / "clinton_truth"
EARLIEST = date(2008, 1, 1)
_PAGE = re.compile(r"pages? (\d+)")
_WORD = re.compile(r"[a-z0-9]+")
_RELEASE_DATE = re.compile(r"Doc No\. \S+ Date: (\d{2})/(\d{2})/(\d{4})")


def foiatool_command() -> list[str]:
    beside = Path(sys.executable).with_name("foiatool")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "foiatool"]


def load_truth(folder: Path) -> dict[str, dict]:
    rows: dict[str, dict] = {}
    for part in sorted(folder.glob("part*.json")):
        for row in json.loads(part.read_text(encoding="utf-8")):
            rows[row["doc"]] = row
    return rows


def run_index(folder: Path, db: Path, extra: list[str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([*foiatool_command(), "index", str(folder), "--db", str(db), "-q", *(extra or [])],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def same_subject(found: str, truth: str) -> bool:
    return _words(found) == _words(truth)


def same_sender(name: str, email: str, redacted: str | None, person_emails: list[str], truth: dict) -> bool:
    """The sender a person reads on the page: the same address (OCR repaired), else the same name."""
    want_email = (truth.get("sender_email") or "").lower()
    if want_email and (email.lower() == want_email or want_email in person_emails):
        return True
    want_name = truth.get("sender_name")
    if not want_name:
        # a redacted sender: right when foiatool also read a redaction (or nothing) there
        return bool(redacted) or not (name or email)
    got = set(_words(name)) | set(_words(email.split("@")[0])) if (name or email) else set()
    want = set(_words(want_name))
    # "Sullivan, Jacob J" and "Jacob Sullivan": every word of the reader's name is printed
    return bool(want) and want <= got | {w for w in got for v in want if len(v) > 2 and w.startswith(v)}


def _release_dates(texts: Path, names: list[str]) -> dict[str, date]:
    """The release date on each document's first page, read from its text (the .txt beside a made PDF)."""
    dates: dict[str, date] = {}
    for name in names:
        path = texts / f"{Path(name).stem}.txt"
        try:
            with open(path, "rb") as handle:
                head = handle.read(4096).decode("utf-8", "replace")
        except OSError:
            continue
        match = _RELEASE_DATE.search(head)
        if match:
            month, day, year = (int(g) for g in match.groups())
            dates[name] = date(year, month, day)
    return dates


def _printed_day(value: str | None, status: str, zone: str | None) -> date | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if status == "inferred" and zone:
        # a printed wall-clock time placed in its print zone: the page shows the local day
        return moment.astimezone(ZoneInfo(zone)).date()
    return moment.astimezone(UTC).date()


def measure(folder: Path, db: Path, truth: dict[str, dict], texts: Path = DEFAULT_FOLDER) -> dict:
    """Every figure of the report, from the index at ``db`` built over ``folder``."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    by_name = {Path(r["path"]).name: r["path"] for r in conn.execute("SELECT path FROM files")}
    zones = json.loads((conn.execute("SELECT value FROM meta WHERE key='print_zones'").fetchone() or ["{}"])[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    documents: set[str] = set()
    if "documents" in tables:
        documents = {Path(r[0]).name for r in conn.execute("SELECT DISTINCT path FROM documents")}
    unreadable: set[str] = set()
    for r in conn.execute("SELECT path, reason FROM problems"):
        if not r["reason"].startswith(("not email", "suspect date")):
            unreadable.add(Path(r["path"]).name)
    # The top message of each document: its first page, then the order the reader found it in.
    top: dict[str, sqlite3.Row] = {}
    top_key: dict[str, tuple] = {}
    with_messages: Counter[str] = Counter()
    rows = conn.execute(
        "SELECT s.rowid AS srow, s.path, s.locator, m.id, m.subject, m.date, m.date_status, m.from_name, m.from_email,"
        " m.from_redacted, (SELECT a.person FROM addresses a WHERE a.message = m.id AND a.role = 'from') AS person"
        " FROM sources s JOIN messages m ON m.id = s.message WHERE m.recovered = 0"
    )
    for r in rows:
        name = Path(r["path"]).name
        with_messages[name] += 1
        page = _PAGE.search(r["locator"] or "")
        key = (int(page.group(1)) if page else 0, r["srow"])
        if name not in top_key or key < top_key[name]:
            top_key[name], top[name] = key, r
    person_emails = {r["id"]: [e.lower() for e in json.loads(r["emails"])] for r in conn.execute("SELECT id, emails FROM people")}
    release = _release_dates(texts if texts.is_dir() else folder, names)

    read = [n for n in names if (n in with_messages or n in documents) and n not in unreadable]
    checked = {"documents": 0, "email": 0, "sender": 0, "day": 0, "subject": 0, "kind": 0}
    misses: list[dict] = []
    for doc, answer in sorted(truth.items()):
        name = f"{doc}.txt" if f"{doc}.txt" in by_name or (folder / f"{doc}.txt").exists() else None
        if name is None:
            candidates = [n for n in names if n.startswith(doc)]
            name = candidates[0] if candidates else None
        if name is None:
            continue
        checked["documents"] += 1
        is_email = name in with_messages
        if is_email == bool(answer["email"]):
            checked["kind"] += 1
        if not answer["email"]:
            if is_email:
                misses.append({"doc": doc, "what": "kind", "found": "email", "truth": "not email"})
            continue
        checked["email"] += 1
        row = top.get(name)
        if row is None:
            misses.append({"doc": doc, "what": "kind", "found": "no message", "truth": "email"})
            continue
        emails = person_emails.get(row["person"] or "", [])
        if same_sender(row["from_name"] or "", row["from_email"] or "", row["from_redacted"], emails, answer):
            checked["sender"] += 1
        else:
            misses.append({"doc": doc, "what": "sender", "found": f"{row['from_name']} <{row['from_email']}>",
                           "truth": answer["sender"]})
        day = _printed_day(row["date"], row["date_status"], zones.get(row["path"]))
        if answer["date"] and day and day.isoformat() == answer["date"]:
            checked["day"] += 1
        else:
            misses.append({"doc": doc, "what": "day", "found": day.isoformat() if day else None, "truth": answer["date"]})
        if same_subject(row["subject"] or "", answer["subject"] or ""):
            checked["subject"] += 1
        else:
            misses.append({"doc": doc, "what": "subject", "found": row["subject"], "truth": answer["subject"]})

    outside: list[dict] = []
    for r in conn.execute(
        "SELECT m.id, m.date, s.path FROM messages m JOIN sources s ON s.message = m.id WHERE m.date IS NOT NULL"
    ):
        day = datetime.fromisoformat(r["date"].replace("Z", "+00:00")).date()
        ceiling = release.get(Path(r["path"]).name)
        if day < EARLIEST or (ceiling and day > ceiling):
            outside.append({"message": r["id"], "date": r["date"], "path": Path(r["path"]).name})
    outside_ids = {o["message"] for o in outside}

    variants = ocr_variants(conn)
    not_email = len(documents)
    conn.close()
    email = max(checked["email"], 1)
    return {
        "documents": len(names),
        "read": len(read),
        "read_share": len(read) / max(len(names), 1),
        "not_email": not_email,
        "unreadable": sorted(unreadable)[:50],
        "unreadable_count": len(unreadable),
        "checked": checked,
        "sender_share": checked["sender"] / email,
        "day_share": checked["day"] / email,
        "subject_share": checked["subject"] / email,
        "kind_share": checked["kind"] / max(checked["documents"], 1),
        "misses": misses,
        "dates_outside": len(outside_ids),
        "dates_outside_examples": outside[:20],
        "top_addresses": variants["top"],
        "ocr_variant_rows": variants["rows"],
    }


def _near(a: str, b: str) -> bool:
    """Two addresses a misreading apart: local parts and domains each within two edits."""
    from rapidfuzz.distance import Levenshtein

    local_a, _, domain_a = a.rstrip(".,;:").partition("@")
    local_b, _, domain_b = b.rstrip(".,;:").partition("@")
    if not local_a or not local_b:
        return False
    return Levenshtein.distance(local_a, local_b) <= 2 and Levenshtein.distance(domain_a, domain_b) <= 2


def ocr_variants(conn: sqlite3.Connection) -> dict:
    """People rows, other than a top-12 address's own person, that look like a misreading of it: an
    address within two edits of it, or no address and the name its person goes by."""
    counts: Counter[str] = Counter()
    for email, n in conn.execute("SELECT lower(email), count(*) FROM addresses WHERE email != '' GROUP BY lower(email)"):
        counts[email] = n
    people = [(r[0], [e.lower() for e in json.loads(r[1])], r[2], json.loads(r[3])) for r in
              conn.execute("SELECT id, emails, name, names FROM people")]
    owner = {e: pid for pid, emails, _, _ in people for e in emails}
    by_id = {pid: (name, names) for pid, _, name, names in people}
    top = [e for e, _ in counts.most_common(12)]
    rows = []
    for address in top:
        mine = owner.get(address)
        own_names = {_fold(n) for n in (by_id.get(mine, ("", {}))[1] or {})} | {_fold(by_id.get(mine, ("", {}))[0])}
        own_names.discard("")
        for pid, emails, name, _ in people:
            if pid == mine:
                continue
            if any(_near(e, address) for e in emails) or (not emails and _fold(name) in own_names):
                rows.append({"top": address, "person": pid, "name": name, "emails": emails})
    # a row near two top addresses (a name both go by) is one extra row
    rows = list({row["person"]: row for row in rows}.values())
    return {"top": [{"address": e, "count": counts[e], "person": owner.get(e)} for e in top], "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    parser.add_argument("--texts", type=Path, default=DEFAULT_FOLDER, help="the .txt documents (release dates)")
    parser.add_argument("--db", type=Path, default=None, help="index to build (a new temporary one by default)")
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db without indexing again")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    parser.add_argument("--ocr", action="store_true", help="index with --ocr (image-only PDFs)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"clinton: no folder at {args.folder}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as work:
        db = args.db or Path(work) / "clinton.sqlite"
        seconds = None
        if not args.reuse:
            if db.exists():
                db.unlink()
            seconds = run_index(args.folder, db, ["--ocr"] if args.ocr else [])
        result = measure(args.folder, db, load_truth(args.truth), args.texts)
    result["index_seconds"] = seconds
    result["cpus"] = os.cpu_count()
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    c = result["checked"]
    print(f"documents: {result['documents']}, read {result['read']} ({result['read_share']:.4f}), "
          f"not email {result['not_email']}, unreadable {result['unreadable_count']}"
          + (f", indexed in {seconds:.1f} s on {os.cpu_count()} cores" if seconds is not None else ""))
    print(f"hand-checked: {c['documents']} documents ({c['email']} email); email/not-email right {c['kind']} "
          f"({result['kind_share']:.4f}); top message sender {c['sender']} ({result['sender_share']:.4f}), "
          f"day {c['day']} ({result['day_share']:.4f}), subject {c['subject']} ({result['subject_share']:.4f})")
    print(f"messages dated outside 2008-01-01..release date: {result['dates_outside']}")
    print(f"people rows that look like OCR variants of the 12 most frequent addresses: {len(result['ocr_variant_rows'])}")
    for row in result["ocr_variant_rows"]:
        print(f"  {row['top']}: {row['person']} ({row['name']}) {', '.join(row['emails'])}")
    for miss in result["misses"][:60]:
        print(f"  miss {miss['doc']} {miss['what']}: found {miss['found']!r}, truth {miss['truth']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
