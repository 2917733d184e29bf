"""The user's aliases file: its rows, and the rules stored with an index until replaced."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..index.store import get_meta
from ..mail.addresses import normalise_name, parse_address

NAME_ONLY_PREFIX = "name:"
KEEP_APART = "-"


@dataclass(frozen=True, slots=True)
class AliasRule:
    """One row of the aliases file: an address or a display name, and the user's key for the person.

    Rows that share a ``person`` key are one person, and a key that is itself
    a seen address joins that address. The key ``-`` keeps that address alone,
    undoing an automatic merge. A display-name row speaks for the mentions of
    that name that have no address (printed headers, stripped releases).
    """

    address: str
    person: str
    line: int = 0
    email: str = field(init=False, default="")
    name_key: str = field(init=False, default="")

    def __post_init__(self) -> None:
        person = self.person.strip()
        if not person:
            raise ValueError("the person column is empty")
        object.__setattr__(self, "person", person)
        parsed = parse_address(self.address)
        if parsed.email:
            object.__setattr__(self, "email", parsed.email)
        elif parsed.name and normalise_name(parsed.name):
            object.__setattr__(self, "name_key", normalise_name(parsed.name))
        else:
            raise ValueError(f"{self.address.strip()!r} is neither an address nor a name")

    @property
    def keeps_apart(self) -> bool:
        return self.person == KEEP_APART

    @property
    def where(self) -> str:
        return f"aliases line {self.line}" if self.line else "an alias rule"


def load_aliases(path: str | os.PathLike[str]) -> list[AliasRule]:
    """The rows of an aliases CSV (header ``address,person``); a bad row raises ValueError("line N: ...")."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"line {bad_line}: the file is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _alias_rows(reader)
    except csv.Error as exc:
        raise ValueError(f"line {reader.line_num}: {exc}") from None


def _alias_rows(reader: Iterator[list[str]]) -> list[AliasRule]:
    rules: list[AliasRule] = []
    seen: dict[str, AliasRule] = {}
    header_seen = False
    previous_end = 0
    for row in reader:
        # a quoted cell may span lines: a row starts just after the previous one ended
        line = previous_end + 1
        previous_end = reader.line_num  # type: ignore[attr-defined]
        cells = [cell.strip() for cell in row]
        while len(cells) > 2 and not cells[-1]:
            cells.pop()
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not header_seen:
            if [c.lower() for c in cells] != ["address", "person"]:
                found = ",".join(cells)
                raise ValueError(f"line {line}: expected the header 'address,person', found {found!r}")
            header_seen = True
            continue
        if len(cells) != 2:
            raise ValueError(f"line {line}: expected 2 columns (address,person), found {len(cells)}")
        if not cells[0]:
            raise ValueError(f"line {line}: the address column is empty")
        try:
            rule = AliasRule(cells[0], cells[1], line)
        except ValueError as exc:
            raise ValueError(f"line {line}: {exc}") from None
        target = rule.email or NAME_ONLY_PREFIX + rule.name_key
        earlier = seen.get(target)
        if earlier is not None and earlier.person != rule.person:
            raise ValueError(f"line {line}: {cells[0]!r} is already given to {earlier.person!r} on line {earlier.line}")
        seen[target] = rule
        rules.append(rule)
    return rules


# The aliases a user gave stay with the index until replaced: stored in its meta table, with a
# fingerprint of the people they produced, so a later run can tell whether the people were
# derived again without them (after new input) and must be re-derived with them.
ALIASES_META = "aliases"


@dataclass(frozen=True, slots=True)
class SavedAliases:
    """The aliases stored with an index: where they were read from, the rules, and the people they made."""

    file: str
    sha256: str
    rules: tuple[AliasRule, ...]
    people: str


def saved_aliases(conn: sqlite3.Connection) -> SavedAliases | None:
    """The aliases stored with this index, or None when none were ever given."""
    text = get_meta(conn, ALIASES_META)
    if not text:
        return None
    try:
        data = json.loads(text)
        rules = tuple(AliasRule(address, person, int(line)) for address, person, line in data["rules"])
        return SavedAliases(str(data["file"]), str(data["sha256"]), rules, str(data["people"]))
    except (ValueError, KeyError, TypeError):
        return None  # written by an older foiatool in another form: as if none were saved


def people_fingerprint(conn: sqlite3.Connection) -> str:
    """A digest of the people as derived (ids, addresses, names, evidence): it changes when they are re-derived differently."""
    digest = hashlib.sha256()
    for row in conn.execute("SELECT id, emails, names, evidence FROM people ORDER BY id"):
        digest.update("\x1f".join(row).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()


def aliases_need_applying(conn: sqlite3.Connection, rules: Sequence[AliasRule] | None) -> Sequence[AliasRule] | None:
    """The rules to derive the people with now, or None when the index already reflects them.

    ``rules`` are newly given ones (None: keep the saved ones). Saved rules are
    applied again when the people no longer carry their fingerprint.
    """
    saved = saved_aliases(conn)
    if rules is None:
        if saved is None or not saved.rules:
            return None
        rules = saved.rules
    if saved is not None and rule_rows(saved.rules) == rule_rows(rules) and saved.people == people_fingerprint(conn):
        return None
    return rules


def rule_rows(rules: Sequence[AliasRule]) -> list[list]:
    return [[r.address, r.person, r.line] for r in rules]
