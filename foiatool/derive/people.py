"""Who is who: addresses and display names resolved to persons, with the evidence for every merge.

Long because resolution is one pass over one union of addresses and names: the address
merges, the name-only mentions and the alias rules each read what the others joined.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import UsageError
from ..mail.addresses import (
    compact_local,
    fold_accents,
    name_matches_address,
    normalise_name,
    spellings,
)
from ..mail.marks.orgs import Org, organisation_of_email
from ..model import Address
from .aliases import NAME_ONLY_PREFIX, AliasRule
from .owners import DOMINANCE, correspondents_of, dominant_owner, same_owner
from .unionfind import UnionFind
from .variants import address_variants, name_variants


@dataclass(slots=True)
class Person:
    """One person (or role mailbox) and everything they were called.

    ``id`` is the primary address, or ``name:<normalised name>`` for someone
    known only by name; it is the same on every run over the same input.
    ``evidence`` says why each extra address or name-only mention was joined
    to this person, or why it was kept apart.
    """

    id: str
    name: str
    names: dict[str, int]
    emails: list[str]
    org: Org | None
    evidence: list[str]
    count: int = 0
    role: bool = False


_QUOTES = "\"'\u201c\u201d\u2018\u2019`"
_ADDRESS_ONLY = re.compile(r"(?:mailto:)?([^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+)", re.IGNORECASE)
_SIMPLE_LAST_FIRST = re.compile(r"^([^,()\[\]<>]+),\s*([^,()\[\]<>]+)$")
_NOT_ALNUM = re.compile(r"[\W_]+")
# "betsy.ebeling": an address's local part standing in for a name
_DOTTED = re.compile(r"[^\W\d_]\.[^\W\d_]")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "cpa", "jd"})

# Shared mailboxes: a name on them says who sent that one message, not who the mailbox is.
_ROLE_LOCALS = frozenset(
    ["info", "information", "admin", "administrator", "support", "help", "helpdesk", "servicedesk", "contact", "contactus", "press", "media", "news", "newsletter", "webmaster", "postmaster", "hostmaster", "mailerdaemon", "abuse", "office", "records", "publicrecords", "privacy", "hr", "jobs", "careers", "sales", "billing", "notification", "notifications", "alert", "alerts", "listserv", "majordomo", "root", "security", "feedback", "inquiries", "enquiries", "general", "mail", "email", "secretary", "reception", "scheduling", "calendar", "team", "hello", "service", "customerservice", "bounce", "bounces", "owner", "list", "donotreply", "noreply", "reply", "mailbox", "inbox"]
)
_ROLE_MARKERS = ("foia", "noreply", "donotreply", "mailerdaemon", "bounce", "listserv", "publicrecords")
_GENERIC_NAME_WORDS = frozenset(
    ["office", "foia", "team", "division", "unit", "department", "dept", "desk", "program", "center", "centre", "inbox", "mailbox", "noreply", "admin", "administrator", "support", "helpdesk", "service", "services", "section", "branch", "bureau", "group", "staff", "records", "correspondence", "secretariat", "operations", "ops", "communications", "press", "media", "public", "affairs", "info", "information", "notification", "notifications", "alerts", "system", "calendar", "list", "committee", "mailer", "daemon"]
)


def _clean_display(name: str) -> str:
    text = " ".join(name.split())
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def _address_in_name(name: str) -> str:
    """The address when a display name is nothing but an address ("'john.morton@ice.dhs.gov'")."""
    match = _ADDRESS_ONLY.fullmatch(name.strip(_QUOTES + "<>[]() ;,"))
    return match.group(1).lower() if match else ""


def _identity(address: Address) -> tuple[str, str]:
    """(address, display name) as resolution compares them; a name that is an address is that address."""
    email = (address.email or "").strip().lower()
    name = _clean_display(address.name or "")
    as_email = _address_in_name(name) if name else ""
    if as_email:
        email = email or as_email
        name = ""
    return email, name


_fold = fold_accents
_compact_local = compact_local


def is_role_address(email: str) -> bool:
    """Whether an address is a shared mailbox (foia@, noreply@, info@, list owners) rather than a person."""
    local = email.split("@", 1)[0].split("+", 1)[0]
    if local.startswith("owner-") or local.endswith("-request"):
        return True
    compact = _NOT_ALNUM.sub("", local)
    return compact in _ROLE_LOCALS or any(marker in compact for marker in _ROLE_MARKERS)


def _mergeable_name(key: str) -> bool:
    """A name specific enough that two addresses in one organisation sharing it are one person."""
    tokens = key.split()
    return len(tokens) >= 2 and not _GENERIC_NAME_WORDS.intersection(tokens) and any(t.isalpha() for t in tokens)


def _first_last(form: str) -> str:
    """ "Morton, John A." written "John A. Morton"; other forms unchanged."""
    match = _SIMPLE_LAST_FIRST.match(form)
    if match and match.group(2).strip(". ").lower() not in _NAME_SUFFIXES:
        return f"{match.group(2).strip()} {match.group(1).strip()}"
    return form


def _form_rank(form: str, count: int) -> tuple[int, int, int, int, int, str]:
    shown = _first_last(form)
    cased = shown.isupper() or shown.islower()
    bracketed = any(ch in shown for ch in "()[]<>")
    # a printed header run into the name ("Crowley, Philip J., Sullivan, Jacob 3", "Russo, Robert V , Sent: ...")
    run_on = form.count(",") > 1 or any(ch in form for ch in ";:@") or bool(_DOTTED.search(form))
    return (int(bracketed), int(run_on), int(cased), int(shown != form), -count, form)


class _Names:
    """Display names seen (with counts) for one mailbox or one name-only mention, and its occurrence count."""

    __slots__ = ("count", "forms")

    def __init__(self) -> None:
        self.forms: dict[str, int] = {}
        self.count = 0


class _KeyCache:
    """normalise_name once per distinct string; a name with nothing left keeps its folded lower-case text."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            key = normalise_name(name) or " ".join(_fold(name).lower().split())
            self._keys[name] = key
        return key


def _best_form(forms: Mapping[str, int], key_of: _KeyCache) -> str:
    """The form, as seen, of the most used normalised name that reads most clearly."""
    if len(forms) == 1:
        return next(iter(forms))
    totals: dict[str, int] = defaultdict(int)
    for form, count in forms.items():
        totals[key_of(form)] += count
    best_key = min(totals, key=lambda k: (-totals[k], k))
    candidates = [(form, count) for form, count in forms.items() if key_of(form) == best_key]
    return min(candidates, key=lambda fc: _form_rank(*fc))[0]


def best_display_name(forms: Mapping[str, int], key_of: _KeyCache | None = None) -> str:
    """The name to show: the most used normalised name, written in its clearest "First Last" form."""
    if not forms:
        return ""
    return _first_last(_best_form(forms, key_of or _KeyCache()))


class PeopleIndex:
    """The resolved persons, and the lookups the commands need."""

    def __init__(
        self,
        persons: list[Person],
        by_email: dict[str, str],
        by_name_key: dict[str, str],
        key_of: _KeyCache | None = None,
    ) -> None:
        self.persons = persons
        self._by_id = {p.id: p for p in persons}
        self._by_email = by_email
        self._by_name_key = by_name_key
        self._key_of = key_of or _KeyCache()
        self._persons_by_name: dict[str, list[Person]] = defaultdict(list)
        for person in persons:
            for key in sorted({self._key_of(n) for n in person.names}):
                self._persons_by_name[key].append(person)

    def person_of(self, address: Address) -> str | None:
        """The person id for one occurrence; None for a redacted-only, empty or unseen address."""
        email, name = _identity(address)
        if email:
            return self._by_email.get(email)
        if name:
            return self._by_name_key.get(self._key_of(name))
        return None

    def get(self, person_id: str) -> Person | None:
        person = self._by_id.get(person_id)
        if person is None and person_id.strip().lower() in self._by_email:
            person = self._by_id[self._by_email[person_id.strip().lower()]]
        return person

    def find(self, query: str) -> list[Person]:
        """People whose id, address or normalised name is the query; failing that, whose text contains it."""
        text = query.strip()
        if not text:
            return []
        exact: dict[str, Person] = {}
        hit = self.get(text)
        if hit is not None:
            exact[hit.id] = hit
        email, name = _identity(Address(name=text))
        if email and email in self._by_email:
            exact.setdefault(self._by_email[email], self._by_id[self._by_email[email]])
        if name:
            for person in self._persons_by_name.get(self._key_of(name), []):
                exact.setdefault(person.id, person)
            name_only = self._by_name_key.get(self._key_of(name))
            if name_only is not None:
                exact.setdefault(name_only, self._by_id[name_only])
        if exact:
            return sorted(exact.values(), key=_listing_order)
        needle = _fold(text).lower()
        found = [
            person
            for person in self.persons
            if needle in person.id.lower()
            or any(needle in e for e in person.emails)
            or any(needle in _fold(n).lower() for n in person.names)
        ]
        return sorted(found, key=_listing_order)

    def explain(self, person_id: str) -> list[str]:
        """Why this person is made of these addresses and names, one line per decision."""
        person = self.get(person_id)
        if person is None:
            raise UsageError(f"no person with id or address {person_id!r}")
        if person.evidence:
            return list(person.evidence)
        what = "one address" if person.emails else "one name, no address"
        return [f"{person.id}: {what}; nothing was merged"]


def _listing_order(person: Person) -> tuple[int, str]:
    return (-person.count, person.id)


def resolve_people(
    occurrences: Iterable[tuple[Address, int]],
    aliases: Sequence[AliasRule] = (),
    correspondents: Mapping[str, Collection[str]] | None = None,
    typed: Collection[str] = (),
) -> PeopleIndex:
    """Group every address and name-only mention into persons, merging only on evidence.

    Same address: same person. Two addresses join when their usual display
    name normalises the same within one organisation (not a personal mail
    provider, not a role mailbox), or when the aliases put them together. A
    name without an address joins the one person known by that name, or the
    one whose address spells it, or the one who carries nearly all of the
    name's uses; otherwise it stays apart. OCR misreadings of an address join
    it (see variants.py); two addresses whose owner signs them with one name,
    consistently and often, join when the evidence in owners.py holds
    (``correspondents``: each address's fellow addresses on its messages).
    """
    key_of = _KeyCache()
    mailboxes: dict[str, _Names] = {}
    mentions: dict[str, _Names] = {}
    for address, count in occurrences:
        email, name = _identity(address)
        if email:
            box = mailboxes.get(email)
            if box is None:
                box = mailboxes[email] = _Names()
        elif name:
            key = key_of(name)
            box = mentions.get(key)
            if box is None:
                box = mentions[key] = _Names()
        else:
            continue
        box.count += int(count)
        if name:
            box.forms[name] = box.forms.get(name, 0) + int(count)

    emails = sorted(mailboxes)
    org_of = {e: organisation_of_email(e) for e in emails}
    role = {e: is_role_address(e) for e in emails}
    usual_key: dict[str, str] = {}
    usual_form: dict[str, str] = {}
    for email in emails:
        forms = mailboxes[email].forms
        if forms:
            seen_form = _best_form(forms, key_of)
            usual_form[email] = _first_last(seen_form)
            usual_key[email] = key_of(seen_form)

    email_rule: dict[str, AliasRule] = {}
    name_rule: dict[str, AliasRule] = {}
    for rule in aliases:
        if rule.email:
            email_rule.setdefault(rule.email, rule)
        else:
            name_rule.setdefault(rule.name_key, rule)
    kept_apart = {e for e, r in email_rule.items() if r.keeps_apart and e in mailboxes}

    variant_of = address_variants(
        {e: mailboxes[e].count for e in emails}, {e: {key_of(f) for f in mailboxes[e].forms} for e in emails},
        typed=typed,
    )

    def rank(email: str) -> tuple[int, int, int, int, int, str]:
        org = org_of[email]
        spelled = email in usual_form and name_matches_address(usual_form[email], email)
        return (
            int(role[email]), int(email in variant_of), int(not (org and org.is_organisation)), int(not spelled),
            -mailboxes[email].count, email,
        )

    groups = UnionFind()
    notes: dict[str, list[str]] = defaultdict(list)

    alias_members: dict[str, list[str]] = defaultdict(list)
    alias_lines: dict[str, list[int]] = defaultdict(list)
    for rule in aliases:
        if not rule.keeps_apart:
            alias_lines[rule.person].append(rule.line)
    for email, rule in email_rule.items():
        if not rule.keeps_apart and email in mailboxes:
            alias_members[rule.person].append(email)
    for person_key in list(alias_lines):
        # a person key that is itself a seen address ("jm@gmail.com,john.morton@ice.dhs.gov") names that address too
        keyed = _identity(Address(name=person_key))[0]
        if keyed in mailboxes and keyed not in email_rule:
            alias_members[person_key].append(keyed)
    for person_key in sorted(alias_members):
        members = sorted(alias_members[person_key], key=rank)
        head = members[0]
        lines = ", ".join(str(n) for n in sorted(set(alias_lines[person_key])) if n)
        plural = "," in lines
        where = f"aliases line{'s' if plural else ''} {lines} give{'' if plural else 's'}" if lines else "alias rules give"
        for member in members[1:]:
            groups.union(head, member)
            notes[member].append(f"merged {member} into {head}: {where} both to {person_key!r}")

    by_name_in_org: dict[tuple[str, str], list[str]] = defaultdict(list)
    for email in emails:
        org, key = org_of[email], usual_key.get(email, "")
        if role[email] or org is None or not org.is_organisation or not _mergeable_name(key):
            continue
        by_name_in_org[(org.parent, key)].append(email)
    for (parent, key), members in sorted(by_name_in_org.items()):
        if len(members) < 2:
            continue
        apart = [m for m in members if m in kept_apart]
        joining = sorted((m for m in members if m not in kept_apart), key=rank)
        for member in apart:
            others = ", ".join(m for m in joining) or "no other address"
            notes[member].append(
                f"kept apart from {others}: {email_rule[member].where} overrides same name {key!r} within {parent}"
            )
        person_keys = {email_rule[m].person for m in joining if m in email_rule}
        if len(person_keys) > 1:
            for member in joining:
                notes[member].append(
                    f"not merged by name {key!r} within {parent}: the aliases give these addresses to "
                    f"different persons ({', '.join(sorted(person_keys))})"
                )
            continue
        if len(joining) < 2:
            continue
        head = joining[0]
        for member in joining[1:]:
            groups.union(head, member)
            notes[member].append(f"merged {member} into {head}: same name {key!r} within {parent}")

    for email, variant in sorted(variant_of.items()):
        target = variant.canonical
        if email in kept_apart or target in kept_apart:
            notes[email].append(f"not merged as an OCR variant ({variant.why}): {(email_rule[email] if email in email_rule else email_rule[target]).where} keeps it apart")
            continue
        rules = {email_rule[e].person for e in (email, target) if e in email_rule}
        if len(rules) > 1:
            notes[email].append(f"not merged as an OCR variant ({variant.why}): the aliases give them to different persons")
            continue
        if groups.find(email) != groups.find(target):
            groups.union(target, email)
            notes[email].append(f"merged as an OCR variant: {variant.why}")

    key_uses: dict[str, dict[str, int]] = {}
    for email in emails:
        uses: dict[str, int] = defaultdict(int)
        for form, count in mailboxes[email].forms.items():
            uses[key_of(form)] += count
        key_uses[email] = uses
    for head, member, why in same_owner(
        [e for e in emails if not role[e] and e not in variant_of and e not in kept_apart],
        usual_key, key_uses, correspondents, groups, rank, _mergeable_name,
    ):
        rules = {email_rule[e].person for e in (head, member) if e in email_rule}
        if len(rules) > 1:
            notes[member].append(f"not merged with {head} ({why}): the aliases give them to different persons")
        elif groups.find(head) != groups.find(member):
            groups.union(head, member)
            notes[member].append(f"merged {member} into {head}: {why}")

    members_of: dict[str, list[str]] = defaultdict(list)
    for email in emails:
        members_of[groups.find(email)].append(email)
    primary_of_root = {
        root: members[0] if len(members) == 1 else min(members, key=rank) for root, members in members_of.items()
    }

    # Where a name-only mention may go: every person called that name, and every address spelling it.
    roots_by_name: dict[str, set[str]] = defaultdict(set)
    emails_by_local: dict[str, list[str]] = defaultdict(list)
    for email in emails:
        if role[email]:
            continue
        root = groups.find(email)
        for form in mailboxes[email].forms:
            roots_by_name[key_of(form)].add(root)
        local = _compact_local(email)
        if local:
            emails_by_local[local].append(email)

    attached: dict[str, list[str]] = defaultdict(list)  # root -> mention keys
    mention_notes: dict[str, list[str]] = defaultdict(list)
    alias_mentions: dict[str, list[str]] = defaultdict(list)  # alias person key -> mention keys with no address
    alias_heads = {person_key: sorted(members, key=rank)[0] for person_key, members in alias_members.items()}
    standalone: list[str] = []
    name_counts: dict[str, int] = defaultdict(int)
    for key, box in mentions.items():
        name_counts[key] += box.count
    for email in emails:
        for form, count in mailboxes[email].forms.items():
            name_counts[key_of(form)] += count
    read_as = {k: v for k, v in name_variants(name_counts).items() if k in mentions and k not in name_rule}
    following: dict[str, list[str]] = defaultdict(list)  # a mention key -> variant mention keys going with it
    for key in sorted(mentions):
        box = mentions[key]
        shown = min(box.forms, key=lambda f: (-box.forms[f], f)) if box.forms else key
        said = f"name-only {shown!r} ({box.count} occurrence{'' if box.count == 1 else 's'})"
        lookup = key
        if key in read_as:
            lookup = read_as[key].canonical
            said += f", {read_as[key].why}"
            if lookup in mentions and lookup not in roots_by_name:
                # another name-only mention: this one goes where that one goes
                following[lookup].append(key)
                mention_notes[key].append(said)
                continue
        name_alias = name_rule.get(key)
        if name_alias is not None and name_alias.keeps_apart:
            mention_notes[key].append(f"{said} kept apart by {name_alias.where}")
            standalone.append(key)
            continue
        if name_alias is not None:
            alias_head = alias_heads.get(name_alias.person)
            if alias_head is not None:
                root = groups.find(alias_head)
                attached[root].append(key)
                notes[alias_head].append(f"attached {said}: {name_alias.where} gives it to {name_alias.person!r}")
            else:
                alias_mentions[name_alias.person].append(key)
            continue
        how, plural_how = f"the only person named {lookup!r}", f"people are named {lookup!r}"
        candidates = roots_by_name.get(lookup, set())
        if not candidates:
            how, plural_how = f"the only address spelling {lookup!r}", f"people have an address spelling {lookup!r}"
            candidates = {
                groups.find(e)
                for local in _spellings(lookup)
                for e in emails_by_local.get(local, ())
                if name_matches_address(lookup, e)
            }
        if len(candidates) == 1:
            root = next(iter(candidates))
            head = primary_of_root[root]
            if members_of[root] == [head] and head in kept_apart:
                mention_notes[key].append(f"{said} not attached to {head}: {email_rule[head].where} keeps it alone")
                standalone.append(key)
                continue
            attached[root].append(key)
            notes[head].append(f"attached {said} to {head}: {how}")
        elif len(candidates) > 1 and (dominant := dominant_owner(lookup, candidates, members_of, key_uses)):
            root, top, rest = dominant
            head = primary_of_root[root]
            attached[root].append(key)
            notes[head].append(
                f"attached {said} to {head}: {plural_how}, but {top} of the name's {top + rest} uses on an address "
                f"are {head}'s (at least {DOMINANCE}x the others')"
            )
        elif lookup != key and lookup in mentions:
            # the name it is read as stays alone (ambiguous or unknown): this one joins it
            following[lookup].append(key)
            mention_notes[key].append(said)
        elif candidates:
            ids = ", ".join(sorted(primary_of_root[r] for r in candidates))
            mention_notes[key].append(
                f"{said} kept apart: it is ambiguous, {len(candidates)} {plural_how} ({ids})"
            )
            standalone.append(key)
        else:
            mention_notes[key].append(f"{said}: no person has this name or an address spelling it")
            standalone.append(key)

    persons: list[Person] = []
    by_email: dict[str, str] = {}
    by_name_key: dict[str, str] = {}
    taken: set[str] = set(emails)

    for root, members in members_of.items():
        head = primary_of_root[root]
        boxes = [mailboxes[m] for m in members] + [mentions[k] for k in attached.get(root, ())]
        forms = _merged_forms(boxes)
        count = sum(box.count for box in boxes)
        evidence: list[str] = []
        for member in sorted(members, key=lambda m: (m != head, m)):
            evidence.extend(notes.get(member, ()))
        person = Person(
            id=head,
            name=best_display_name(forms, key_of) or head,
            names=_ordered_counts(forms),
            emails=sorted(members),
            org=org_of[head],
            evidence=evidence,
            count=count,
            role=role[head],
        )
        persons.append(person)
        for member in members:
            by_email[member] = head
        for key in attached.get(root, ()):
            by_name_key[key] = head

    for lead_key, variants in following.items():
        lead_root = next((r for r, keys in attached.items() if lead_key in keys), None)
        if lead_root is not None:
            attached[lead_root].extend(variants)
            notes[primary_of_root[lead_root]].extend(f"attached {mention_notes.pop(k)[0]}" for k in variants)
        elif lead_key in standalone:
            standalone.extend(variants)
        else:  # the name it is read as went to an alias person: the variant stays alone
            standalone.extend(variants)
    joined = {k: lead_key for lead_key, variants in following.items() if lead_key in standalone for k in variants}
    name_groups: list[list[str]] = [[key] for key in standalone if key not in joined]
    for group in name_groups:
        group.extend(k for k in following.get(group[0], ()) if joined.get(k) == group[0])
    name_groups.extend(sorted(keys) for _, keys in sorted(alias_mentions.items()))
    for group in name_groups:
        forms = _merged_forms([mentions[key] for key in group])
        count = sum(mentions[key].count for key in group)
        evidence = [note for key in group for note in mention_notes.get(key, ())]
        lead = min(group, key=lambda k: (-mentions[k].count, k))
        if len(group) > 1 and lead in name_rule:
            rule = name_rule[lead]
            evidence.append(
                f"joined the names {', '.join(repr(k) for k in group)}: the aliases give them to {rule.person!r}"
            )
        person_id = _unique_id(NAME_ONLY_PREFIX + lead, taken)
        persons.append(
            Person(
                id=person_id,
                name=best_display_name(forms, key_of) or lead,
                names=_ordered_counts(forms),
                emails=[],
                org=None,
                evidence=evidence,
                count=count,
            )
        )
        for key in group:
            by_name_key[key] = person_id

    persons.sort(key=lambda p: p.id)
    return PeopleIndex(persons, by_email, by_name_key, key_of)


def _spellings(key: str) -> set[str]:
    """Compact local parts under which an address may spell this name (checked by name_matches_address)."""
    return spellings([_NOT_ALNUM.sub("", t) for t in key.split()], separators=("",))


def _merged_forms(boxes: list[_Names]) -> dict[str, int]:
    if len(boxes) == 1:
        return boxes[0].forms
    merged: dict[str, int] = defaultdict(int)
    for box in boxes:
        for form, count in box.forms.items():
            merged[form] += count
    return merged


def _ordered_counts(forms: Mapping[str, int]) -> dict[str, int]:
    if len(forms) == 1:
        return dict(forms)
    return {form: count for form, count in sorted(forms.items(), key=lambda fc: (-fc[1], fc[0]))}


def _unique_id(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}#{n}"
    taken.add(candidate)
    return candidate


__all__ = ["PeopleIndex", "Person", "best_display_name", "correspondents_of", "is_role_address", "resolve_people"]
