"""How well foiatool rebuilds threads of a generated release, measured against its truth.json.

``python bench/thread_quality.py OUT_DIR [--jobs N]`` or
``python bench/thread_quality.py --generate N [--seed S] [--with-headers]``

Reads OUT_DIR with the real readers (``foiatool.sources``), splits each body
with ``foiatool.quoting``, threads with ``foiatool.threads.build_threads``
and prints:

- pairwise precision and recall of "same thread" over distinct released
  messages (a duplicate file counts once: it is the same message);
- the fraction of withheld-but-quoted messages recovered (a recovered message
  counts when its sender, printed date and subject match a withheld one);
- timings for reading, splitting and threading.

Floors the project holds itself to: precision and recall >= 0.95 and at least
90% of withheld-but-quoted messages recovered.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for _path in (str(REPO), str(REPO / "bench")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from foiatool.derive.dedupe import subject_key  # noqa: E402
from foiatool.derive.threads import (  # noqa: E402
    ThreadingResult,
    ThreadInput,
    build_threads,
    thread_input,
)
from foiatool.mail.addresses import name_matches_address, normalise_name  # noqa: E402
from foiatool.model import Message, Source  # noqa: E402

PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.95
RECOVERY_FLOOR = 0.90


@dataclass(slots=True)
class Quality:
    messages: int                 # distinct released messages found
    files: int
    threads_true: int
    threads_found: int
    precision: float
    recall: float
    withheld_quoted: int
    recovered_matched: int
    recovered_total: int
    recovered_fraction: float
    copies_split: int             # released messages whose copies landed in different threads
    conflated: int                # found messages that stand for two different true messages
    problems: int
    seconds_read: float = 0.0
    seconds_split: float = 0.0
    seconds_thread: float = 0.0
    notes: list[str] = field(default_factory=list)

    def meets_floors(self) -> bool:
        return (self.precision >= PRECISION_FLOOR and self.recall >= RECALL_FLOOR
                and self.recovered_fraction >= RECOVERY_FLOOR)

    def report(self) -> str:
        return (
            f"files {self.files}, messages {self.messages}, problems {self.problems}\n"
            f"threads: true {self.threads_true}, found {self.threads_found}\n"
            f"pairwise precision {self.precision:.4f}  recall {self.recall:.4f}\n"
            f"withheld-but-quoted {self.withheld_quoted}, recovered {self.recovered_matched} "
            f"({self.recovered_fraction:.1%}); recovered messages made {self.recovered_total}\n"
            f"duplicate copies split across threads {self.copies_split}, conflated messages {self.conflated}\n"
            f"time: read {self.seconds_read:.1f}s, split {self.seconds_split:.1f}s, "
            f"thread {self.seconds_thread:.2f}s"
        )


def _read_one(args: tuple[str, str]) -> tuple[list[Message], int]:
    from foiatool.sources import read_path

    path, hint = args
    messages, problems = [], 0
    for item in read_path(path, hint):
        if isinstance(item, Message):
            messages.append(item)
        else:
            problems += 1
    return messages, problems


def merge_copies(messages: list[Message]) -> list[Message]:
    """Copies with one content id become one message with every source, as the index stores them."""
    merged: dict[str, Message] = {}
    for message in messages:
        known = merged.get(message.id)
        if known is None:
            merged[message.id] = message
        else:
            known.sources.extend(message.sources)
    return [merged[k] for k in sorted(merged)]


def read_release(out: Path, jobs: int = 1) -> tuple[list[Message], int]:
    """Every message of the release, copies with one content id merged as the index merges them."""
    from foiatool.sources import discover

    files = []
    problems = 0
    for item in discover([str(out)]):
        if hasattr(item, "kind_hint"):
            if os.path.basename(item.path) == "truth.json":
                continue
            files.append((item.path, item.kind_hint))
        else:
            problems += 1
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_read_one, files, chunksize=64))
    else:
        results = [_read_one(f) for f in files]
    found: list[Message] = []
    for messages, bad in results:
        problems += bad
        found.extend(messages)
    return merge_copies(found), problems


def _split_many(messages: list[Message]) -> list[ThreadInput]:
    return [thread_input(m) for m in messages]


def split_release(messages: list[Message], jobs: int = 1) -> list[ThreadInput]:
    if jobs <= 1 or len(messages) < 2000:
        return _split_many(messages)
    size = (len(messages) + jobs - 1) // jobs
    chunks = [messages[i:i + size] for i in range(0, len(messages), size)]
    with ProcessPoolExecutor(jobs) as pool:
        parts = list(pool.map(_split_many, chunks))
    return [x for part in parts for x in part]


def _truth_file_key(out: Path, path: str, locator: str) -> str:
    rel = os.path.relpath(path, out).replace(os.sep, "/")
    if locator.startswith("mbox#"):
        return f"{rel}#{locator[5:]}"
    return rel


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _same_sender(name: str, email: str, address) -> bool:
    if address is None:
        return False
    if address.email and address.email.lower() == email:
        return True
    if address.name and (normalise_name(address.name) == normalise_name(name)
                         or name_matches_address(address.name, email)):
        return True
    return False


def _printed_date_fits(found: datetime | None, true: datetime) -> bool:
    if found is None:
        return False
    delta = (found - true).total_seconds()
    if abs(delta) > 14 * 3600 + 150:
        return False
    step = round(delta / 900) * 900
    return abs(delta - step) <= 150


def evaluate(out: Path, result: ThreadingResult, messages: list[Message], problems: int = 0) -> Quality:
    """Score threads built from a release written to ``out`` against its truth.json."""
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return score(truth, result, messages, lambda source: _truth_file_key(out, source.path, source.locator), problems)


def score(truth: dict, result: ThreadingResult, messages: list[Message],
          file_key: Callable[[Source], str], problems: int = 0) -> Quality:
    """Score threads against a release's truth; ``file_key`` names the truth file of a message's source."""
    files: dict[str, str] = truth["files"]
    info: dict[str, dict] = truth["messages"]

    key_of_message: dict[str, set[str]] = {}
    message_of_key: dict[str, list[str]] = {}
    for message in messages:
        keys = set()
        for source in message.sources:
            key = files.get(file_key(source))
            if key is not None:
                keys.add(key)
        key_of_message[message.id] = keys
        for key in keys:
            message_of_key.setdefault(key, []).append(message.id)
    conflated = sum(1 for keys in key_of_message.values() if len(keys) > 1)

    predicted: dict[str, str] = {}
    copies_split = 0
    for key, ids in message_of_key.items():
        threads = {result.thread_of.get(i, "?" + i) for i in ids}
        if len(threads) > 1:
            copies_split += 1
        predicted[key] = result.thread_of.get(min(ids), "?" + min(ids))

    true_sizes: Counter[str] = Counter()
    found_sizes: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for key, thread in predicted.items():
        true_thread = info[key]["thread"]
        true_sizes[true_thread] += 1
        found_sizes[thread] += 1
        both[(thread, true_thread)] += 1
    together = sum(_pairs(n) for n in both.values())
    found_pairs = sum(_pairs(n) for n in found_sizes.values())
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    precision = together / found_pairs if found_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0

    withheld = {k: v for k, v in info.items() if v["withheld"] and v.get("quoted_in")}
    by_subject: dict[str, list[str]] = {}
    for key, value in withheld.items():
        by_subject.setdefault(subject_key(value["subject"]), []).append(key)
    matched: set[str] = set()
    for recovered in result.recovered:
        fits = []
        for key in by_subject.get(subject_key(recovered.subject), []):
            if key in matched:
                continue
            value = withheld[key]
            true_date = datetime.strptime(value["date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            if value.get("sender_redacted"):
                sender_fits = recovered.sender is None or not (recovered.sender.name or recovered.sender.email)
            else:
                sender_fits = _same_sender(value["sender_name"], value["sender"], recovered.sender)
            if sender_fits and _printed_date_fits(recovered.date, true_date):
                assert recovered.date is not None
                fits.append((abs((recovered.date - true_date).total_seconds()), key))
        if fits:
            matched.add(min(fits)[1])
    return Quality(
        messages=len(predicted),
        files=len(files),
        threads_true=len(true_sizes),
        threads_found=len(found_sizes),
        precision=precision,
        recall=recall,
        withheld_quoted=len(withheld),
        recovered_matched=len(matched),
        recovered_total=len(result.recovered),
        recovered_fraction=len(matched) / len(withheld) if withheld else 1.0,
        copies_split=copies_split,
        conflated=conflated,
        problems=problems,
    )


def measure(out: Path, jobs: int = 1) -> tuple[Quality, list[ThreadInput]]:
    started = time.perf_counter()
    messages, problems = read_release(out, jobs)
    read_done = time.perf_counter()
    inputs = split_release(messages, jobs)
    split_done = time.perf_counter()
    result = build_threads(inputs)
    thread_done = time.perf_counter()
    quality = evaluate(out, result, messages, problems)
    quality.seconds_read = read_done - started
    quality.seconds_split = split_done - read_done
    quality.seconds_thread = thread_done - split_done
    return quality, inputs


def measure_generated(count: int, seed: int, stripped: bool = True, jobs: int = 1) -> Quality:
    """The same measure on a release generated in memory: no files, no mail parsing.

    Threading time here is build_threads on ThreadInputs alone.
    """
    from releasegen import generate_messages

    started = time.perf_counter()
    generated, truth = generate_messages(count, seed, stripped=stripped)
    messages = merge_copies(generated)
    read_done = time.perf_counter()
    inputs = split_release(messages, jobs)
    split_done = time.perf_counter()
    result = build_threads(inputs)
    thread_done = time.perf_counter()
    quality = score(truth, result, messages, lambda source: source.path[4:] if source.path.startswith("gen:") else "")
    quality.seconds_read = read_done - started
    quality.seconds_split = split_done - read_done
    quality.seconds_thread = thread_done - split_done
    return quality


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path, nargs="?", help="a release written by releasegen.py")
    parser.add_argument("--generate", type=int, metavar="N",
                        help="instead of reading OUT, generate N messages in memory (time = build_threads alone)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--with-headers", action="store_true", help="with --generate: keep Message-ID/References")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if args.generate:
        quality = measure_generated(args.generate, args.seed, stripped=not args.with_headers, jobs=args.jobs)
    elif args.out is not None:
        quality, _ = measure(args.out, args.jobs)
    else:
        parser.error("give OUT_DIR or --generate N")
    print(quality.report())
    verdict = "meets" if quality.meets_floors() else "BELOW"
    print(f"{verdict} the floors (precision, recall >= 0.95; recovered >= 90%)")
    return 0 if quality.meets_floors() else 1


if __name__ == "__main__":
    raise SystemExit(main())
