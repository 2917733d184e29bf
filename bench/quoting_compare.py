"""Measuring foiatool's quoted-history splitter against quotequail and mail-parser-reply on real client replies.

Usage::

    python bench/quoting_compare.py --corpora ../shared/corpora [--repeat 20]

For every reply in ``talon-replies`` the text/plain part is split by each tool;
an answer is right when its new text equals the expected reply (``Hello``
unless a ``<name>_reply_text`` file says otherwise), compared stripped and
whitespace-folded. A library that is not importable is skipped with a note, so
the script runs with only foiatool installed.
"""
from __future__ import annotations

import argparse
import email
import sys
import time
from collections.abc import Callable
from email import policy
from pathlib import Path

from foiatool.mail.quoting import split_quoted
from foiatool.model import normalise_text

NewText = Callable[[str], str]


def _foiatool(text: str) -> str:
    return split_quoted(text).new_text


def _tools() -> tuple[dict[str, NewText], list[str]]:
    tools: dict[str, NewText] = {"foiatool.quoting": _foiatool}
    skipped: list[str] = []
    try:
        import quotequail
    except ImportError:
        skipped.append("quotequail (not importable)")
    else:
        def quotequail_new(text: str) -> str:
            # the intro line ("On ... wrote:") belongs to the quote, as in the expected answers
            parts = quotequail.quote(text, quote_intro_line=True)
            return "\n".join(part for expanded, part in parts if expanded)

        tools["quotequail.quote"] = quotequail_new
    try:
        from mailparser_reply import EmailReplyParser
        from mailparser_reply.constants import MAIL_LANGUAGES
    except ImportError:
        skipped.append("mail-parser-reply (not importable)")
    else:
        # every language it knows, so the Russian Android reply is not held against it
        parser = EmailReplyParser(languages=list(MAIL_LANGUAGES))

        def reply_latest(text: str) -> str:
            return parser.parse_reply(text) or ""

        def reply_full_body(text: str) -> str:
            message = parser.read(text)
            return message.replies[0].full_body if message.replies else ""

        tools["mail-parser-reply.parse_reply"] = reply_latest
        tools["mail-parser-reply.replies[0].full_body"] = reply_full_body
    return tools, skipped


def _cases(corpora: Path) -> list[tuple[str, str, str]]:
    folder = corpora / "talon-replies" if (corpora / "talon-replies").is_dir() else corpora
    cases = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        part = message.get_body(preferencelist=("plain",))
        if part is None:
            continue
        expected_file = path.with_name(f"{path.stem}_reply_text")
        expected = expected_file.read_text() if expected_file.exists() else "Hello"
        cases.append((path.name, part.get_content(), expected))
    return cases


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--corpora", type=Path, required=True, help="the corpora folder (or talon-replies itself)")
    options.add_argument("--repeat", type=int, default=20, help="timing repetitions over the whole set")
    options.add_argument("--show-wrong", action="store_true", help="print each wrong answer")
    args = options.parse_args(argv)

    cases = _cases(args.corpora)
    if not cases:
        print(f"no talon-replies .eml files under {args.corpora}", file=sys.stderr)
        return 1
    tools, skipped = _tools()
    for note in skipped:
        print(f"skipped: {note}")
    width = max(len(name) for name in tools)
    print(f"{'tool':<{width}}  right  time/message")
    for name, new_text_of in tools.items():
        wrong = []
        for case_name, text, expected in cases:
            try:
                answer = new_text_of(text)
            except Exception as error:  # a library crash is a wrong answer, not the end of the run
                answer = f"<raised {type(error).__name__}: {error}>"
            if normalise_text(answer) != normalise_text(expected):
                wrong.append((case_name, answer))
        started = time.perf_counter()
        for _ in range(args.repeat):
            for _, text, _ in cases:
                try:
                    new_text_of(text)
                except Exception:
                    pass
        per_message = (time.perf_counter() - started) / (args.repeat * len(cases))
        print(f"{name:<{width}}  {len(cases) - len(wrong):>2}/{len(cases):<2}  {per_message * 1e6:8.0f} µs")
        if args.show_wrong:
            for case_name, answer in wrong:
                print(f"    wrong: {case_name}: {answer[:70]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
