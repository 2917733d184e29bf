"""OCR variants among a release's addresses and names: which rare forms are misreadings of frequent ones, and why.

A variant joins its canonical form only on strong evidence: the difference is
explained by OCR confusions (or one dropped or extra letter), the variant is
rare next to the canonical form, both are in one domain once the domain is
repaired, and their display names agree when both have one. Comparisons stay
inside blocks (one domain, near lengths; names sharing a word), never all
pairs.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from ..mail.addresses import (
    describe_edits,
    ocr_difference,
    ocr_skeleton,
    repair_address,
)
from ..mail.marks.orgs import organisation

# A variant is at most this fraction as frequent as the form it is read as: a misreading is rare,
# two real addresses both in common use are two addresses.
RATIO = 5
# Edits OCR confusions do not explain (a transposed pair, a stray mark) need far stronger odds.
EDIT_RATIO = 20
# First names that are the same person's name (the display-name forms of one person).
_NICKNAMES = {
    "jake": "jacob", "bill": "william", "will": "william", "bob": "robert", "rob": "robert", "jim": "james",
    "jimmy": "james", "tom": "thomas", "mike": "michael", "dick": "richard", "rick": "richard", "dan": "daniel",
    "dave": "david", "joe": "joseph", "chris": "christopher", "tony": "anthony", "steve": "steven", "liz": "elizabeth",
    "beth": "elizabeth", "kate": "katherine", "cathy": "catherine", "sue": "susan", "jen": "jennifer", "ed": "edward",
    "andy": "andrew", "nick": "nicholas", "phil": "philip", "pat": "patrick", "ken": "kenneth", "matt": "matthew",
}


@dataclass(frozen=True, slots=True)
class Variant:
    """``form`` is read as ``canonical``; ``why`` says which misreading, with how often each occurs."""

    form: str
    canonical: str
    why: str


def _times(n: int) -> str:
    return f"{n} occurrence{'' if n == 1 else 's'}"


def _known_domain(domain: str) -> bool:
    """A domain the organisation table knows (a department, a mail provider): a real domain, never a misreading."""
    return organisation(domain).kind != "other"


def _domain_fixes(domains: Mapping[str, int], fixed: Collection[str] = ()) -> dict[str, tuple[str, str]]:
    """Each rare domain that is a misreading of a frequent one ("clintonernail.com", "siate.gov", "state.aoy").

    An OCR confusion needs the other domain ``RATIO`` times as frequent; any other
    one or two edits need it ``EDIT_RATIO`` times as frequent, a name part long
    enough that two edits leave most of it ("state", "clintonemail"), and the rare
    domain not a known one ("doe.gov" is not "dos.gov" misread). A domain in ``fixed``
    (typed by a program) is never a misreading, so it is not compared at all.
    """
    fixes: dict[str, tuple[str, str]] = {}
    ranked = sorted(domains, key=lambda d: (-domains[d], d))
    for domain in ranked:
        if domain in fixed:
            continue
        for other in ranked:
            if domains[other] < RATIO * domains[domain]:
                break
            if other == domain:
                continue
            why = ocr_difference(domain, other)
            if (
                not why and domains[other] >= EDIT_RATIO * domains[domain] and not _known_domain(domain)
                and len(other.split(".", 1)[0]) >= 5 and Levenshtein.distance(domain, other) <= 2
            ):
                why = describe_edits(domain, other)
            if why:
                fixes[domain] = (other, f"{why} in the domain ({_times(domains[domain])} of {domain} vs {domains[other]} of {other})")
                break
    return fixes


def address_variants(counts: Mapping[str, int], names: Mapping[str, set[str]],
                     typed: Collection[str] = ()) -> dict[str, Variant]:
    """Each address that is an OCR misreading of a more frequent one, and that one.

    ``counts`` gives each address's occurrences, ``names`` the normalised
    display names seen on it. Within one (repaired) domain, a rare local part
    joins a frequent one when OCR confusions explain the difference (and the
    other is ``RATIO`` times as frequent), or when one or two edits of any kind
    do (a stray mark, a transposed pair, a dropped ending) and the other is
    ``EDIT_RATIO`` times as frequent; either way only when their display names
    agree or one has none. An address in ``typed`` was written by a program (a
    machine-readable header), so it is never read as a misreading of another:
    "cs.ucsc.edu" beside "cse.ucsc.edu" in a mailing list is two departments.
    """
    domains: dict[str, int] = defaultdict(int)
    for email, count in counts.items():
        if "@" in email:
            domains[email.rsplit("@", 1)[1]] += count
    found: dict[str, Variant] = {}
    # 1. clear repairs: trailing punctuation, "(c)" for "@", a damaged ending whose repair the corpus has
    repaired: dict[str, tuple[str, str]] = {}
    for email in counts:
        fixed, why = repair_address(email, domains)
        if fixed != email:
            repaired[email] = (fixed, why)
    # 2. a rare domain read from a frequent one
    # only domains whose every address came through OCR can be misread ones
    typed_domains = {email.rsplit("@", 1)[1] for email in typed if "@" in email}
    domain_fix = _domain_fixes(domains, typed_domains)
    # 3. within one (repaired) domain, a rare local part read from a frequent one
    by_domain: dict[str, list[str]] = defaultdict(list)
    form_of: dict[str, tuple[str, list[str]]] = {}
    for email in counts:
        text, whys = email, []
        if email in repaired:
            text, why = repaired[email]
            whys.append(why)
        if "@" not in text:
            continue
        local, domain = text.rsplit("@", 1)
        if domain in domain_fix:
            fixed, why = domain_fix[domain]
            whys.append(why)
            domain = fixed
        form_of[email] = (f"{local}@{domain}", whys)
        by_domain[domain].append(email)
    for _domain, members in sorted(by_domain.items()):
        members.sort(key=lambda e: (-counts[e], e))
        heads = [e for e in members if form_of[e][0] == e]
        head_locals = [e.rsplit("@", 1)[0] for e in heads]
        head_skeletons = [ocr_skeleton(local) for local in head_locals]
        for email in members:
            if email in typed:
                continue
            text, whys = form_of[email]
            target = ""
            if text != email and counts.get(text, 0) >= counts[email]:
                target = text
            elif heads and counts[heads[0]] >= RATIO * counts[email]:
                local = text.rsplit("@", 1)[0]
                target = _read_local(email, local, heads, head_locals, head_skeletons, counts, names, whys)
                if not target and text != email and counts.get(text, 0) >= counts[email]:
                    target = text
            if not target or target == email or counts.get(target, 0) < counts[email] or email in typed:
                continue
            shared = sorted(names.get(email, set()) & names.get(target, set()))
            said = f"{email} -> {target}: {', '.join(whys)} ({_times(counts[email])} vs {_times(counts[target])}"
            said += f"; shared name {shared[0]!r})" if shared else ")"
            found[email] = Variant(email, target, said)
    # a variant of a variant is read as the final form
    for email, variant in list(found.items()):
        seen = {email}
        target = variant.canonical
        while target in found and target not in seen:
            seen.add(target)
            target = found[target].canonical
        if target != variant.canonical:
            found[email] = Variant(email, target, variant.why)
    return found


def _read_local(
    email: str, local: str, heads: list[str], head_locals: list[str], head_skeletons: list[str],
    counts: Mapping[str, int], names: Mapping[str, set[str]], whys: list[str],
) -> str:
    """The frequent address of this domain that ``local`` misreads, or ""; the reason is appended to ``whys``."""
    mine = names.get(email, set())
    # OCR confusions first: candidates within two edits of the skeleton, best first; the OCR check decides
    for _, _, at in process.extract(ocr_skeleton(local), head_skeletons, scorer=Levenshtein.distance,
                                    score_cutoff=2, limit=12):
        head = heads[at]
        if head == email or counts[head] < RATIO * counts[email]:
            continue
        how = ocr_difference(local, head_locals[at])
        if how and _names_agree(mine, names.get(head, set())):
            whys.append(how)
            return head
    # one or two edits of any kind (a transposed pair, a stray mark, a lost ending) in a long enough
    # local part, against an address used far more often; the closest, then the most used, wins
    best: tuple[int, int, int] | None = None
    for _, distance, at in process.extract(local, head_locals, scorer=OSA.distance, score_cutoff=2, limit=12):
        head = heads[at]
        if head == email or counts[head] < EDIT_RATIO * counts[email] or len(head_locals[at]) < 5:
            continue
        if not _names_agree(mine, names.get(head, set())):
            continue
        if best is None or (distance, -counts[head]) < (best[0], -best[1]):
            best = (distance, counts[head], at)
    if best is None:
        return ""
    distance, _, at = best
    whys.append(f"{_edits(local, head_locals[at])} ({distance} edit{'' if distance == 1 else 's'})")
    return heads[at]


def _edits(seen: str, meant: str) -> str:
    """The edits from ``meant`` to ``seen``, a swapped pair of letters said as one ("'hc' for 'ch', swapped")."""
    if len(seen) == len(meant):
        differ = [i for i, (a, b) in enumerate(zip(seen, meant, strict=True)) if a != b]
        if len(differ) == 2 and differ[1] == differ[0] + 1 and seen[differ[0]] == meant[differ[1]] and seen[differ[1]] == meant[differ[0]]:
            i = differ[0]
            return f"{seen[i:i + 2]!r} for {meant[i:i + 2]!r}, letters swapped"
    return describe_edits(seen, meant)


def _names_agree(a: set[str], b: set[str]) -> bool:
    """Display names agree when either side has none, or some name of one is (a misreading of) a name of the other."""
    if not a or not b or a & b:
        return True
    return any(name_difference(x, y) for x in a for y in b)


def name_difference(seen: str, meant: str) -> str:
    """How the normalised name ``seen`` is another writing of ``meant``, or "" when it is not.

    Writings: the same words in another order or with initials ("sullivan jacob j"),
    a nickname ("jake sullivan"), or OCR misreadings of some words with at least
    one word the same ("abedln huma", "jacobi sullivan").
    """
    if seen == meant:
        return ""
    a = [t for t in seen.split() if len(t) > 1]
    b = [t for t in meant.split() if len(t) > 1]
    if len(a) < 2 or len(b) < 2:
        return ""
    if sorted(a) == sorted(b):
        return "the same words in another order or with initials"
    if len(a) != len(b):
        return ""
    whys: list[str] = []
    same = 0
    for x, y in zip(a, b, strict=True):
        if x == y:
            same += 1
        elif _NICKNAMES.get(x) == y or _NICKNAMES.get(y) == x:
            whys.append(f"{x!r} a short form of {y!r}")
        else:
            how = ocr_difference(x, y)
            if not how:
                return ""
            whys.append(how)
    return ", ".join(whys) if same and whys else ""


def name_variants(counts: Mapping[str, int]) -> dict[str, Variant]:
    """Each normalised name that is another writing of a more frequent one, and that one.

    Names are compared only with names sharing a word (the block), and only
    when the other one is at least ``RATIO`` times as frequent.
    """
    by_word: dict[str, list[str]] = defaultdict(list)
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    for key in ranked:
        for word in set(key.split()):
            if len(word) > 1:
                by_word[word].append(key)
    found: dict[str, Variant] = {}
    for key in ranked:
        seen: set[str] = set()
        for word in sorted(set(key.split())):
            for other in by_word.get(word, ()):
                if counts[other] < RATIO * counts[key]:
                    break
                if other in seen or other == key:
                    continue
                seen.add(other)
                how = name_difference(key, other)
                if how and (key not in found or counts[other] > counts[found[key].canonical]):
                    found[key] = Variant(key, other, f"{key!r} read as {other!r}: {how} ({_times(counts[key])} vs {_times(counts[other])})")
    for key, variant in list(found.items()):
        target, hops = variant.canonical, 0
        while target in found and hops < 8:
            target, hops = found[target].canonical, hops + 1
        if target != variant.canonical:
            found[key] = Variant(key, target, variant.why)
    return found


__all__ = ["EDIT_RATIO", "RATIO", "Variant", "address_variants", "name_difference", "name_variants"]
