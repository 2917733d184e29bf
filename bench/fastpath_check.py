"""Check that the plain-message reading gives exactly mail-parser's answers, file by file.

``python bench/fastpath_check.py FOLDER [FOLDER ...]``

Every file is parsed twice by ``foiatool.mail.parse.parse_rfc822``: once as the
index does (plain one-part messages read with the standard library), once with
every message sent through mail-parser. Any field that differs is printed with
the file; the exit status is 1 when one does. Also prints how many messages
took the plain reading.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foiatool.mail import parse, plain  # noqa: E402
from foiatool.model import Source  # noqa: E402


def reading(data: bytes, path: str, fast: bool) -> dict | str:
    parse._FAST_PATH = fast
    try:
        message = parse.parse_rfc822(data, Source(path=path, locator="", kind="eml"))
    except parse.ParseError as error:
        return f"ParseError: {error}"
    fields = asdict(message)
    fields.pop("sources", None)
    return fields


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args(argv)
    files = differing = 0
    original = plain.plain_reading
    taken = [0]

    def counting(message):
        found = original(message)
        taken[0] += found is not None
        return found

    plain.plain_reading = counting
    for folder in args.folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            files += 1
            fast = reading(data, str(path), True)
            slow = reading(data, str(path), False)
            if fast != slow:
                differing += 1
                if isinstance(fast, dict) and isinstance(slow, dict):
                    keys = [k for k in fast if fast[k] != slow[k]]
                    detail = "; ".join(f"{k}: {fast[k]!r} != {slow[k]!r}" for k in keys)
                else:
                    detail = f"{str(fast)[:200]!r} != {str(slow)[:200]!r}"
                print(f"DIFFERS {path}: {detail[:600]}")
    print(f"{files} files, {taken[0]} read as plain messages, {differing} differing")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
