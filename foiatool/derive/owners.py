"""One owner's mailboxes and names: who carries a name, and when two addresses are one person's two accounts."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from .unionfind import UnionFind

# A name-only mention goes to the person holding this many times every other person's uses of the name.
DOMINANCE = 10
# Two addresses signed with one name are one owner's only when each is signed so this often, and this
# consistently (the share of its named occurrences under that name).
SAME_OWNER_SHARE = 0.8
SAME_INITIAL_USES = 100
SAME_NAME_USES = 20
# ...and, for a full name, when they write with the same people: this share of the smaller one's
# correspondents, and at least this many of them.
SHARED_CORRESPONDENTS = 0.5
MIN_SHARED_CORRESPONDENTS = 5


def dominant_owner(
    key: str, candidates: Collection[str], members_of: Mapping[str, list[str]], key_uses: Mapping[str, Mapping[str, int]]
) -> tuple[str, int, int] | None:
    """(root, its uses, everyone else's) when one person carries nearly all uses of the name ``key``."""
    uses = sorted(
        ((sum(key_uses[m].get(key, 0) for m in members_of[root]), root) for root in candidates), key=lambda ur: (-ur[0], ur[1])
    )
    top, root = uses[0]
    rest = sum(u for u, _ in uses[1:])
    if top >= SAME_NAME_USES and top >= DOMINANCE * max(uses[1][0], 1):
        return root, top, rest
    return None


def same_owner(
    emails: list[str],
    usual_key: Mapping[str, str],
    key_uses: Mapping[str, Mapping[str, int]],
    correspondents: Mapping[str, Collection[str]] | None,
    groups: UnionFind,
    rank: Callable[[str], Any],
    mergeable: Callable[[str], bool],
) -> list[tuple[str, str, str]]:
    """(head, member, why) for addresses that are one owner's two mailboxes.

    Both are signed with the same name in at least ``SAME_OWNER_SHARE`` of their
    named occurrences. A bare initial ("H") must be on one domain and used
    ``SAME_INITIAL_USES`` times on each; a full name ``SAME_NAME_USES`` times on
    each, and the two must share most correspondents: two "Michael Chen"s in two
    offices, each writing with their own colleagues, stay two people.
    """
    by_key: dict[str, list[str]] = defaultdict(list)
    for email in emails:
        key = usual_key.get(email, "")
        uses = key_uses[email]
        named = sum(uses.values())
        if key and named and uses.get(key, 0) >= SAME_OWNER_SHARE * named:
            by_key[key].append(email)
    found: list[tuple[str, str, str]] = []
    for key, members in sorted(by_key.items()):
        if len(members) < 2:
            continue
        members.sort(key=rank)
        tokens = key.split()
        single = len(tokens) == 1 and len(tokens[0]) == 1
        if not single and not mergeable(key):
            continue
        floor = SAME_INITIAL_USES if single else SAME_NAME_USES
        members = [m for m in members if key_uses[m][key] >= floor]
        for i, head in enumerate(members):
            for member in members[i + 1:]:
                said = (
                    f"both signed {key!r} ({key_uses[head][key]} of {sum(key_uses[head].values())} named occurrences "
                    f"of {head}, {key_uses[member][key]} of {sum(key_uses[member].values())} of {member})"
                )
                if single:
                    if head.rsplit("@", 1)[1] == member.rsplit("@", 1)[1]:
                        found.append((head, member, said + ", on one domain"))
                    continue
                if not correspondents:
                    continue
                mine = {groups.find(e) for e in correspondents.get(head, ())}
                theirs = {groups.find(e) for e in correspondents.get(member, ())}
                own = {groups.find(head), groups.find(member)}
                mine, theirs = mine - own, theirs - own
                shared = len(mine & theirs)
                smaller = min(len(mine), len(theirs))
                if smaller and shared >= MIN_SHARED_CORRESPONDENTS and shared >= SHARED_CORRESPONDENTS * smaller:
                    found.append((head, member, said + f", and {shared} of the {smaller} correspondents of the less used are shared"))
    return found


def correspondents_of(rows: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Each address's fellow addresses on its messages, from (message id, address) rows."""
    on_message: dict[str, set[str]] = defaultdict(set)
    for message, email in rows:
        email = (email or "").strip().lower()
        if email:
            on_message[message].add(email)
    fellows: dict[str, set[str]] = defaultdict(set)
    for members in on_message.values():
        if len(members) > 1:
            for email in members:
                fellows[email].update(members)
    for email, others in fellows.items():
        others.discard(email)
    return dict(fellows)


__all__ = ["DOMINANCE", "correspondents_of", "dominant_owner", "same_owner"]
