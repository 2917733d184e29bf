"""Measuring which text extractor reads printed-email release PDFs best: pypdf (plain and layout modes) or poppler's pdftotext.

Run: .venv/bin/python bench/pdf_compare.py [--repeat N]

For each generated release (Outlook, Gmail and Lotus Notes print layouts, with
running headers, page footers, Bates stamps and redaction boxes) and for
samples/release/*.pdf when samples/truth.json describes it, every tool's text
goes through the same splitter and parser; the table shows how many printed
messages came out with the right sender, date and subject, how many extra
messages appeared, and the seconds taken.
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from pdfmaker import BOX, PAGE_BREAK, PrintedEmail, release_pdf, varied_emails  # noqa: E402

from foiatool.mail.addresses import normalise_name  # noqa: E402
from foiatool.mail.dates import iso, parse_date  # noqa: E402
from foiatool.model import Message, normalise_text  # noqa: E402
from foiatool.sources.printed.pdf import read_pdf  # noqa: E402

Key = tuple[str, str | None, str]
# What the printed body should read: the spec's text without the maker's markers.
Body = tuple[str, int]


def _key(sender: str, date: str | None, subject: str) -> Key:
    return normalise_name(sender.split("/")[0]), date, " ".join(subject.split()).lower()


def _expected(emails: list[PrintedEmail]) -> list[Key]:
    return [_key(e.sender, iso(parse_date(e.date)[0]), e.subject) for e in emails]


def _body_shape(body: str) -> Body:
    """The words of a body and its paragraph count, which layout-blind extraction loses."""
    text = body.replace(PAGE_BREAK + "\n", "").replace(BOX, "")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return normalise_text(text), len(paragraphs)


def _expected_bodies(emails: list[PrintedEmail]) -> list[Body]:
    return [_body_shape(e.body) for e in emails]


def _found_key(message: Message) -> Key:
    sender = message.sender
    who = (sender.name or sender.email) if sender else ""
    return _key(who, iso(message.date), message.subject)


def _documents() -> list[tuple[str, bytes, list[Key], list[Body]]]:
    documents = []
    for name, layout, count, seed in (("outlook", "outlook", 150, 1), ("gmail", "gmail", 60, 2), ("lotus", "lotus", 60, 3)):
        emails = varied_emails(seed, count, layout)
        data = release_pdf(emails, banner="UNCLASSIFIED//FOR OFFICIAL USE ONLY", bates_skip=range(40, 45))
        documents.append((f"{name}-{count}", data, _expected(emails), _expected_bodies(emails)))
    truth_path = REPO / "samples" / "truth.json"
    if truth_path.exists():
        release = json.loads(truth_path.read_text()).get("pdf") or {}
        pdf_path = REPO / "samples" / str(release.get("path", ""))
        if pdf_path.is_file():
            expected = [
                _key(m["sender_name"], iso(parse_date(m["sent_printed"])[0]), m["subject"])
                for m in release.get("messages", [])
            ]
            documents.append((f"sample:{pdf_path.name}"[:22], pdf_path.read_bytes(), expected, []))
    return documents


Score = tuple[int, int, int, int, int, float]


def _score(data: bytes, expected: list[Key], bodies: list[Body], tool: str) -> Score:
    """Right headers, extra messages, problems, bodies with the right words, bodies with their paragraphs, seconds."""
    started = time.perf_counter()
    results = list(read_pdf(data, "bench.pdf", text_tool=tool))
    seconds = time.perf_counter() - started
    messages = [r for r in results if isinstance(r, Message)]
    found = Counter(_found_key(m) for m in messages)
    correct = sum((found & Counter(expected)).values())
    shapes = [_body_shape(m.body) for m in messages]
    words = sum((Counter(s[0] for s in shapes) & Counter(b[0] for b in bodies)).values())
    paragraphs = sum((Counter(shapes) & Counter(bodies)).values())
    return correct, len(messages) - correct, len(results) - len(messages), words, paragraphs, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the fastest time is kept")
    args = parser.parse_args()
    tools = ["pypdf-plain", "pypdf"] + (["pdftotext"] if shutil.which("pdftotext") else [])
    if "pdftotext" not in tools:
        print("pdftotext is not installed (apt-get install poppler-utils); only pypdf is measured")
    documents = _documents()
    columns = ("right", "extra", "probl", "words", "paras", "sec")
    width = 6 * len(columns) + len(columns) - 1
    print("right: sender+date+subject correct; extra: messages not expected; probl: problems;")
    print("words/paras: bodies whose words / words and paragraphs match; sec: seconds (best of --repeat)")
    print(f"{'document':<22} {'pages':>5} {'msgs':>5} | " + " | ".join(f"{t:^{width}}" for t in tools))
    print(f"{'':<22} {'':>5} {'':>5} | " + " | ".join(" ".join(f"{c:>6}" for c in columns) for _ in tools))
    from pypdf import PdfReader

    totals = {tool: [0, 0, 0, 0, 0, 0.0] for tool in tools}
    for name, data, expected, bodies in documents:
        pages = len(PdfReader(io.BytesIO(data)).pages)
        cells = []
        for tool in tools:
            runs = [_score(data, expected, bodies, tool) for _ in range(max(1, args.repeat))]
            score = [*runs[0][:5], min(run[5] for run in runs)]
            for position, value in enumerate(score):
                totals[tool][position] += value
            cells.append(" ".join(f"{v:>6}" for v in score[:5]) + f" {score[5]:>6.2f}")
        print(f"{name:<22} {pages:>5} {len(expected):>5} | " + " | ".join(cells))
    wanted = sum(len(expected) for _, _, expected, _ in documents)
    print(f"{'total':<22} {'':>5} {wanted:>5} | " + " | ".join(
        " ".join(f"{v:>6}" for v in total[:5]) + f" {total[5]:>6.2f}" for total in totals.values()
    ))


if __name__ == "__main__":
    main()
