"""The simple shape of dump: a seeded mailing-list archive, one short-headed message per file in one folder.

``python bench/listgen.py OUT --messages 20000 --seed 1``

Each message carries only From, To, Subject, Date and Message-ID (replies add
In-Reply-To and References, the References chain capped at a few ids as list
software does), a plain 7-bit text/plain body of a few lines, and replies quote
a line or two of their parent with ``> `` the way mailing-list mail does. This
is the shape where notmuch is at its fastest (short headers, one directory),
unlike bench/releasegen.py's Exchange-style releases spread over many folders.
"""
from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

WORDS = ("patch build kernel release test mailing list thread weekly report config option "
         "module driver fix bug crash memory cache index search query parser header body quote "
         "reply subject review merge branch commit tree docs example error warning timeout "
         "network socket server client request response format version update install package").split()
FIRST = "alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter".split()
LAST = "smith jones brown taylor wilson davies evans thomas roberts walker wright hall green wood".split()
LIST_ADDR = "dev@lists.example.org"
MAX_REFS = 6


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(out: Path, messages: int, seed: int) -> int:
    """Write ``messages`` files into ``out`` (one folder); returns how many threads they form."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = [(f"{f.capitalize()} {last.capitalize()}", f"{f}.{last}@{rng.choice(('example.com', 'example.net', 'mail.example.org'))}")
              for f in FIRST for last in LAST]
    when = datetime(2019, 1, 1, 9, 0, tzinfo=UTC)
    # Each open thread: (subject, [(message-id, body line to quote)])
    open_threads: list[tuple[str, list[tuple[str, str]]]] = []
    threads = 0
    width = len(str(messages))
    for n in range(messages):
        when += timedelta(seconds=rng.randint(30, 1800))
        name, addr = rng.choice(people)
        mid = f"{n:0{width}d}.{rng.getrandbits(32):08x}@{addr.split('@')[1]}"
        body_lines = [_sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(2, 8))]
        headers = [f"From: {name} <{addr}>", f"To: {LIST_ADDR}"]
        if open_threads and rng.random() < 0.7:
            subject, chain = rng.choice(open_threads[-200:])
            parent_id, parent_line = rng.choice(chain[-4:])
            # References: the thread's first message and the last few before the parent, as list software keeps it.
            ids = [m for m, _ in chain]
            upto = ids[: ids.index(parent_id) + 1]
            refs = upto if len(upto) <= MAX_REFS else [upto[0], *upto[-(MAX_REFS - 1):]]
            headers.append(f"Subject: Re: {subject}")
            headers.append(f"In-Reply-To: <{parent_id}>")
            headers.append("References: " + "\n ".join(f"<{r}>" for r in refs))
            body_lines = [f"On {format_datetime(when - timedelta(hours=1))}, someone wrote:", f"> {parent_line}", "",
                          *body_lines]
            chain.append((mid, body_lines[-1]))
        else:
            subject = _sentence(rng, rng.randint(3, 7)).rstrip(".")
            headers.append(f"Subject: {subject}")
            open_threads.append((subject, [(mid, body_lines[-1])]))
            threads += 1
            if len(open_threads) > 2000:
                del open_threads[:1000]
        headers.append(f"Date: {format_datetime(when)}")
        headers.append(f"Message-ID: <{mid}>")
        text = "\n".join(headers) + "\n\n" + "\n".join(body_lines) + "\n\n-- \n" + name + "\n"
        (out / f"{n:0{width}d}.eml").write_text(text, encoding="ascii")
    return threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    threads = generate(args.out, args.messages, args.seed)
    print(f"{args.messages} messages in {threads} threads written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
