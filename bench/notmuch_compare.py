"""foiatool's threads against Debian's notmuch on the same one-message-per-file folder, with every difference explained.

``python bench/notmuch_compare.py MAIL_DIR --work DIR [--db INDEX]``

notmuch runs with a private configuration written into DIR (its database in
DIR, no hooks, no tags of the user's), so nothing touches a real notmuch
setup. Both partitions are keyed by file: notmuch lists each message's files,
foiatool's index each message's sources. Pairwise precision and recall treat
notmuch as the reference. Each notmuch thread that foiatool splits and each
foiatool thread that joins notmuch threads is printed with its subjects and
Message-IDs and the link that explains it: for a join, the chain of
foiatool's own edges (header / quote / subject / near-duplicate) between the
pieces; for a split, the header Message-ID that notmuch followed and what
foiatool made of it.
"""
from __future__ import annotations

import argparse
import email
import json
import mailbox
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from partition import PairScore, joined_groups, pair_score, split_groups  # noqa: E402

# Environment variables through which notmuch could find a user's own setup.
_NOTMUCH_ENV = ("NOTMUCH_CONFIG", "NOTMUCH_PROFILE", "NOTMUCH_DATABASE", "MAILDIR")


# ------------------------------------------------------------------ inputs

def flatten_release(release: Path, mail_root: Path) -> int:
    """A folder of one-message files holding every message of ``release`` (mbox files split); returns the count.

    .eml files are hard-linked (copied across file systems); each mbox's
    messages become ``<mbox name>/<n>.eml`` with the mboxo "From " escape undone.
    """
    mail_root.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(release.rglob("*")):
        if not path.is_file() or path.name == "truth.json":
            continue
        rel = path.relative_to(release)
        if path.suffix == ".mbox":
            folder = mail_root / rel.with_suffix("")
            folder.mkdir(parents=True, exist_ok=True)
            box = mailbox.mbox(str(path), create=False)
            try:
                for index, key in enumerate(box.iterkeys()):
                    raw = box.get_bytes(key, from_=False)
                    raw = b"\n".join(line[1:] if line.startswith(b">From ") else line for line in raw.split(b"\n"))
                    (folder / f"{index:06d}.eml").write_bytes(raw)
                    count += 1
            finally:
                box.close()
        else:
            target = mail_root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)
            count += 1
    return count


def copy_folder(source: Path, mail_root: Path) -> int:
    """A private copy of a folder of one-message files (notmuch keeps its own state beside the mail)."""
    mail_root.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = mail_root / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            count += 1
    return count


# ------------------------------------------------------------------ notmuch

def notmuch_version() -> str | None:
    exe = shutil.which("notmuch")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip()


def write_config(work: Path, mail_root: Path) -> Path:
    """A private notmuch configuration: database in ``work/notmuch-db``, mail in ``mail_root``, no hooks."""
    db = work / "notmuch-db"
    hooks = work / "notmuch-hooks"
    if db.exists():
        shutil.rmtree(db)
    db.mkdir(parents=True)
    hooks.mkdir(parents=True, exist_ok=True)
    config = work / "notmuch-config"
    config.write_text(
        "[database]\n"
        f"path={db.resolve()}\n"
        f"mail_root={mail_root.resolve()}\n"
        f"hook_dir={hooks.resolve()}\n"
        "[new]\n"
        "tags=new\n"
        "ignore=\n"
        "[search]\n"
        "exclude_tags=\n"
        "[maildir]\n"
        "synchronize_flags=false\n"
        "[user]\n"
        "name=foiatool bench\n"
        "primary_email=bench@example.invalid\n",
        encoding="utf-8",
    )
    return config


def notmuch_env(config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOTMUCH_ENV}
    env["NOTMUCH_CONFIG"] = str(config.resolve())
    env["XDG_CONFIG_HOME"] = str(config.parent.resolve())
    env["XDG_DATA_HOME"] = str(config.parent.resolve())
    return env


@dataclass(slots=True)
class NotmuchMessage:
    message_id: str
    subject: str
    files: list[str]


def notmuch_threads(config: Path) -> list[list[NotmuchMessage]]:
    """Every notmuch thread as its messages (``notmuch show --format=json --body=false '*'``)."""
    proc = subprocess.run(
        ["notmuch", "show", "--format=json", "--body=false", "--entire-thread=true", "*"],
        env=notmuch_env(config), capture_output=True, check=True,
    )
    threads: list[list[NotmuchMessage]] = []
    for thread in json.loads(proc.stdout):
        found: list[NotmuchMessage] = []
        stack = list(thread)
        while stack:
            node = stack.pop()
            message, replies = node[0], node[1]
            if message:
                found.append(NotmuchMessage(
                    message_id=message.get("id", ""),
                    subject=(message.get("headers") or {}).get("Subject", ""),
                    files=list(message.get("filename") or []),
                ))
            stack.extend(replies)
        threads.append(found)
    return threads


# ------------------------------------------------------------------ foiatool's index

@dataclass(slots=True)
class FoiaMessage:
    id: str
    message_id: str | None
    in_reply_to: str | None
    refs: list[str]
    subject: str
    thread_id: str | None
    duplicate_of: str | None


@dataclass(slots=True)
class FoiaIndex:
    messages: dict[str, FoiaMessage]
    file_message: dict[str, str]              # file path -> foiatool message id
    extra_in_file: dict[str, int]             # file path -> messages beyond the first read from it
    edges: dict[str, list[tuple[str, str]]]  # node -> [(neighbour, how)], both directions
    id_conflicts: dict[str, list[str]]
    recovered: set[str]


def read_index(db: Path) -> FoiaIndex:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        messages: dict[str, FoiaMessage] = {}
        recovered: set[str] = set()
        for row in conn.execute(
            "SELECT id, message_id, in_reply_to, refs, subject, thread_id, duplicate_of, recovered FROM messages"
        ):
            messages[row[0]] = FoiaMessage(row[0], row[1], row[2], json.loads(row[3] or "[]"), row[4], row[5], row[6])
            if row[7]:
                recovered.add(row[0])
        file_message: dict[str, str] = {}
        extra: Counter[str] = Counter()
        for path, message, _locator in conn.execute(
            "SELECT s.path, s.message, s.locator FROM sources s JOIN messages m ON m.id = s.message"
            " WHERE m.recovered = 0 ORDER BY s.path, s.locator, s.message"
        ):
            if path in file_message:
                extra[path] += 1
            else:
                file_message[path] = message
        edges: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for parent, child, how in conn.execute("SELECT parent, child, how FROM edges"):
            edges[parent].append((child, how))
            edges[child].append((parent, how))
        for dup, message in messages.items():
            if message.duplicate_of:
                edges[dup].append((message.duplicate_of, "near-duplicate"))
                edges[message.duplicate_of].append((dup, "near-duplicate"))
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        conflicts = json.loads(meta.get("id_conflicts") or "{}")
    finally:
        conn.close()
    return FoiaIndex(messages, file_message, dict(extra), dict(edges), conflicts, recovered)


# ------------------------------------------------------------------ comparison

@dataclass(slots=True)
class Difference:
    kind: str                 # "split": foiatool divides a notmuch thread; "joined": foiatool joins notmuch threads
    pieces: list[list[str]]   # files, one list per piece
    split_pairs: int
    cause: str                # a short label, counted in the summary
    detail: str               # the evidence: the link followed or not followed


@dataclass(slots=True)
class Comparison:
    label: str
    files_notmuch: int
    files_foiatool: int
    notmuch_threads: int
    foiatool_threads: int
    score: PairScore
    only_notmuch: list[str]
    only_foiatool: list[str]
    multi_message_files: dict[str, int]
    header_score: PairScore | None = None  # foiatool's header links alone against notmuch
    differences: list[Difference] = field(default_factory=list)

    def causes(self) -> Counter[str]:
        return Counter(d.cause for d in self.differences)

    def summary_line(self) -> str:
        return (f"{self.label}: {self.score.items} files compared; notmuch {self.notmuch_threads} threads, "
                f"foiatool {self.foiatool_threads}; pairwise precision {self.score.precision:.4f} "
                f"recall {self.score.recall:.4f} (foiatool joins {self.score.joined_pairs} pairs notmuch keeps apart, "
                f"splits {self.score.split_pairs} pairs notmuch joins)"
                + (f"; header links alone: precision {self.header_score.precision:.4f} "
                   f"recall {self.header_score.recall:.4f}" if self.header_score else ""))

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "files_notmuch": self.files_notmuch,
            "files_foiatool": self.files_foiatool,
            "notmuch_threads": self.notmuch_threads,
            "foiatool_threads": self.foiatool_threads,
            "items": self.score.items,
            "reference_pairs": self.score.reference_pairs,
            "predicted_pairs": self.score.predicted_pairs,
            "shared_pairs": self.score.shared_pairs,
            "precision": self.score.precision,
            "recall": self.score.recall,
            "header_precision": self.header_score.precision if self.header_score else None,
            "header_recall": self.header_score.recall if self.header_score else None,
            "only_notmuch": self.only_notmuch,
            "only_foiatool": self.only_foiatool,
            "multi_message_files": self.multi_message_files,
            "causes": dict(self.causes()),
            "differences": [
                {"kind": d.kind, "pieces": d.pieces, "split_pairs": d.split_pairs, "cause": d.cause, "detail": d.detail}
                for d in self.differences
            ],
        }


def _pairs_between(pieces: list[frozenset]) -> int:
    total = sum(len(p) for p in pieces)
    return total * (total - 1) // 2 - sum(len(p) * (len(p) - 1) // 2 for p in pieces)


def _short(text: str | None, width: int = 60) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _explain_join(index: FoiaIndex, pieces: list[list[str]]) -> tuple[str, str]:
    """The shortest chain of foiatool edges from the first piece to another piece."""
    piece_of: dict[str, int] = {}
    for n, piece in enumerate(pieces):
        for path in piece:
            piece_of[index.file_message[path]] = n
    start = [index.file_message[p] for p in pieces[0]]
    back: dict[str, tuple[str, str] | None] = {s: None for s in start}
    queue = deque(start)
    end = None
    while queue:
        node = queue.popleft()
        if piece_of.get(node, 0) != 0:
            end = node
            break
        for neighbour, how in index.edges.get(node, ()):
            if neighbour not in back:
                back[neighbour] = (node, how)
                queue.append(neighbour)
    if end is None:
        return "no foiatool edge found", "the pieces share a thread id but no recorded edge joins them"
    steps: list[str] = []
    hows: list[str] = []
    node = end
    while back[node] is not None:
        prev, how = back[node]  # type: ignore[misc]
        steps.append(f"{_node_label(index, prev)} -[{how}]- {_node_label(index, node)}")
        hows.append(how + (" via recovered" if prev in index.recovered or node in index.recovered else "")
                    + (" via placeholder" if prev.startswith("ph:") or node.startswith("ph:") else ""))
        node = prev
    steps.reverse()
    return "foiatool link: " + ", ".join(sorted(set(hows))), "; ".join(steps)


def _node_label(index: FoiaIndex, node: str) -> str:
    if node.startswith("ph:"):
        return f"<{node[3:]}> (absent)"
    message = index.messages.get(node)
    if message is None:
        return node
    kind = "recovered " if node in index.recovered else ""
    mid = f" <{message.message_id}>" if message.message_id else ""
    return f"{kind}{node}{mid} {_short(message.subject, 40)!r}"


def _header_ids(message: FoiaMessage) -> set[str]:
    ids = set(message.refs)
    if message.in_reply_to:
        ids.add(message.in_reply_to)
    if message.message_id:
        ids.add(message.message_id)
    return ids


_ANGLE = re.compile(rb"<([^<>\s]+)>")


def _raw_reference_tokens(path: str) -> tuple[set[str], str]:
    """Every <...> token of a file's In-Reply-To and References headers, as notmuch reads them, and the header text."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(256 * 1024).split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    except OSError:
        return set(), ""
    message = email.message_from_bytes(head + b"\n\n")
    tokens: set[str] = set()
    texts = []
    for name in ("In-Reply-To", "References"):
        for value in message.get_all(name) or []:
            raw = str(value).encode("utf-8", "surrogateescape")
            tokens |= {t.decode("utf-8", "replace") for t in _ANGLE.findall(raw)}
            texts.append(f"{name}: {' '.join(str(value).split())}")
    return tokens, " | ".join(texts)


def _explain_split(index: FoiaIndex, pieces: list[list[str]]) -> tuple[str, str]:
    """The header Message-IDs the pieces share (what notmuch joined them by) and what foiatool made of each."""
    unthreaded = [path for piece in pieces for path in piece if not index.messages[index.file_message[path]].thread_id]
    if unthreaded:
        names = ", ".join(f"{index.file_message[p]} {_short(index.messages[index.file_message[p]].subject, 40)!r}"
                          for p in unthreaded[:5])
        return "foiatool left the message without a thread (thread_id is NULL)", names
    ids_of = []
    for piece in pieces:
        ids: set[str] = set()
        for path in piece:
            ids |= _header_ids(index.messages[index.file_message[path]])
        ids_of.append(ids)
    shared: set[str] = set()
    for n in range(len(ids_of)):
        for m in range(n + 1, len(ids_of)):
            shared |= ids_of[n] & ids_of[m]
    if not shared:
        raw_of = []
        for piece in pieces:
            tokens: set[str] = set()
            texts: dict[str, str] = {}
            for path in piece:
                found, text = _raw_reference_tokens(path)
                tokens |= found
                for token in found:
                    texts.setdefault(token, text)
            for path in piece:
                mid = index.messages[index.file_message[path]].message_id
                if mid:
                    tokens.add(mid)
            raw_of.append((tokens, texts))
        raw_shared: dict[str, str] = {}
        for n in range(len(raw_of)):
            for m in range(n + 1, len(raw_of)):
                for token in raw_of[n][0] & raw_of[m][0]:
                    raw_shared[token] = raw_of[n][1].get(token) or raw_of[m][1].get(token, "")
        if raw_shared:
            notes = [f"<{t}> from {text[:200]!r}" for t, text in sorted(raw_shared.items())]
            return ("notmuch took a <token> of In-Reply-To/References text that foiatool does not read as a "
                    "Message-ID", "; ".join(notes))
        return ("no shared header id", "notmuch joined these pieces without a Message-ID/References/In-Reply-To that "
                "foiatool's index holds for both")
    notes = []
    causes = set()
    owners_by_id: dict[str, list[str]] = defaultdict(list)
    for message in index.messages.values():
        if message.message_id in shared:
            owners_by_id[message.message_id].append(message.id)
    for mid in sorted(shared):
        owners = owners_by_id.get(mid, [])
        if mid in index.id_conflicts:
            causes.add("Message-ID carried by different messages (foiatool keeps them apart)")
            notes.append(f"<{mid}> is the Message-ID of {len(index.id_conflicts[mid])} different messages "
                         f"({', '.join(index.id_conflicts[mid])})")
        elif not owners:
            causes.add("shared reference to an absent message not followed")
            notes.append(f"<{mid}> is referenced by both pieces and absent from the corpus")
        else:
            causes.add("shared header id not followed")
            notes.append(f"<{mid}> belongs to {', '.join(owners)} and links the pieces")
    return "; ".join(sorted(causes)), "; ".join(notes)


def header_partition(index: FoiaIndex) -> dict[str, str]:
    """File -> group when only foiatool's header edges (and near-duplicate merges) join messages: the JWZ pass alone."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for node, links in index.edges.items():
        for other, how in links:
            if how in ("header", "near-duplicate"):
                a, b = find(node), find(other)
                if a != b:
                    parent[a] = b
    return {os.path.realpath(path): "h:" + find(message) for path, message in index.file_message.items()}


def compare(label: str, config: Path, db: Path, examples: int | None = None) -> Comparison:
    """Compare notmuch's threads (reference) with foiatool's, file by file; explain every difference."""
    nm_threads = notmuch_threads(config)
    index = read_index(db)
    reference: dict[str, str] = {}
    for n, thread in enumerate(nm_threads):
        for message in thread:
            for path in message.files:
                reference[os.path.realpath(path)] = f"nm{n}"
    predicted: dict[str, str] = {}
    real_paths: dict[str, str] = {}
    for path, message_id in index.file_message.items():
        real = os.path.realpath(path)
        real_paths[real] = path
        thread = index.messages[message_id].thread_id
        predicted[real] = thread if thread else "none:" + message_id
    score = pair_score(reference, predicted)
    header_score = pair_score(reference, header_partition(index))
    comparison = Comparison(
        label=label,
        files_notmuch=len(reference),
        files_foiatool=len(predicted),
        notmuch_threads=len(set(reference.values())),
        foiatool_threads=len(set(predicted.values())),
        score=score,
        only_notmuch=sorted(p for p in reference if p not in predicted),
        only_foiatool=sorted(p for p in predicted if p not in reference),
        multi_message_files=index.extra_in_file,
        header_score=header_score,
    )
    file_index = FoiaIndex(index.messages, {real: index.file_message[orig] for real, orig in real_paths.items()},
                           index.extra_in_file, index.edges, index.id_conflicts, index.recovered)
    for kind, found in (("split", split_groups(reference, predicted)), ("joined", joined_groups(reference, predicted))):
        for n, pieces in enumerate(found):
            lists = [sorted(p) for p in pieces]
            if examples is not None and n >= examples:
                cause, detail = "not examined (over the example limit)", ""
            elif kind == "joined":
                cause, detail = _explain_join(file_index, lists)
            else:
                cause, detail = _explain_split(file_index, lists)
            comparison.differences.append(Difference(kind, lists, _pairs_between(pieces), cause, detail))
    return comparison


def describe(comparison: Comparison, db: Path, limit: int = 20) -> str:
    """Readable report of a comparison: the figures, then each difference with subjects and Message-IDs."""
    index = read_index(db)
    by_real = {os.path.realpath(p): m for p, m in index.file_message.items()}
    lines = [comparison.summary_line()]
    if comparison.only_notmuch:
        lines.append(f"  {len(comparison.only_notmuch)} files only notmuch indexed, e.g. {comparison.only_notmuch[:3]}")
    if comparison.only_foiatool:
        lines.append(f"  {len(comparison.only_foiatool)} files only foiatool indexed, e.g. {comparison.only_foiatool[:3]}")
    if comparison.multi_message_files:
        lines.append(f"  {len(comparison.multi_message_files)} files gave foiatool more than one message")
    for cause, count in comparison.causes().most_common():
        lines.append(f"  cause: {cause}: {count}")
    for d in comparison.differences[:limit]:
        what = "notmuch thread split by foiatool" if d.kind == "split" else "notmuch threads joined by foiatool"
        lines.append(f"- {what} ({d.split_pairs} pairs): {d.cause}")
        for piece in d.pieces:
            shown = []
            for path in piece[:3]:
                message = index.messages.get(by_real.get(path, ""))
                if message is not None:
                    shown.append(f"<{message.message_id}> {_short(message.subject, 50)!r}")
                else:
                    shown.append(path)
            more = f" and {len(piece) - 3} more" if len(piece) > 3 else ""
            lines.append(f"    piece of {len(piece)}: " + "; ".join(shown) + more)
        if d.detail:
            lines.append(f"    why: {d.detail}")
    if len(comparison.differences) > limit:
        lines.append(f"  ... {len(comparison.differences) - limit} more differences")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mail", type=Path, help="a folder of one-message files")
    parser.add_argument("--work", type=Path, required=True, help="where notmuch's private config and database go")
    parser.add_argument("--db", type=Path, help="foiatool index of MAIL (made when absent)")
    parser.add_argument("--limit", type=int, default=20, help="differences printed")
    args = parser.parse_args(argv)
    if notmuch_version() is None:
        parser.error("notmuch is not installed (apt-get install notmuch)")
    args.work.mkdir(parents=True, exist_ok=True)
    db = args.db or args.work / "foiatool.sqlite"
    if not db.exists():
        foiatool = Path(sys.executable).with_name("foiatool")
        subprocess.run([str(foiatool), "index", str(args.mail), "--db", str(db), "-q"], check=True,
                       stdout=subprocess.DEVNULL)
    config = write_config(args.work, args.mail)
    subprocess.run(["notmuch", "new", "--quiet"], env=notmuch_env(config), check=True)
    comparison = compare(args.mail.name, config, db)
    print(describe(comparison, db, args.limit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
