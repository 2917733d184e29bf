"""Identity resolution: addresses and display names to persons, merges only on evidence, aliases."""
from __future__ import annotations

import email.parser
import email.policy
import email.utils
import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foiatool.derive.aliases import AliasRule, load_aliases
from foiatool.derive.people import Person, resolve_people
from foiatool.errors import UsageError
from foiatool.mail.marks.orgs import organisation
from foiatool.model import Address


def A(name: str = "", email: str = "", redacted: str | None = None) -> Address:
    return Address(name=name, email=email, redacted=redacted)


def ids(index) -> list[str]:
    return [p.id for p in index.persons]


def by_id(index, person_id: str) -> Person:
    found = [p for p in index.persons if p.id == person_id]
    assert len(found) == 1, person_id
    return found[0]


MORTON = "john.morton@ice.dhs.gov"


def test_five_forms_of_one_name_are_one_person() -> None:
    forms = ["Morton, John", "John Morton", "JOHN MORTON", f"'{MORTON}'", MORTON]
    index = resolve_people([(A(form, MORTON), 1) for form in forms])
    assert ids(index) == [MORTON]
    person = index.persons[0]
    assert person.name == "John Morton"
    assert person.names == {"JOHN MORTON": 1, "John Morton": 1, "Morton, John": 1}
    assert person.count == 5
    assert person.org == organisation("ice.dhs.gov")
    assert person.evidence == []


def test_five_forms_without_addresses_join_the_one_person_with_that_address() -> None:
    occurrences = [
        (A("John Morton", MORTON), 2),
        (A("Morton, John"), 3),
        (A("JOHN MORTON"), 1),
        (A(f"'{MORTON}'"), 1),
        (A(MORTON), 1),
    ]
    index = resolve_people(occurrences)
    assert ids(index) == [MORTON]
    assert {index.person_of(a) for a, _ in occurrences} == {MORTON}
    person = index.persons[0]
    assert person.count == 8
    # both printed forms normalise to "john morton": one mention group, shown in its clearest form
    assert person.evidence == [
        f"attached name-only 'Morton, John' (4 occurrences) to {MORTON}: the only person named 'john morton'"
    ]


def test_best_name_prefers_first_last_and_turns_a_lone_last_first_round() -> None:
    index = resolve_people([(A("MORTON, JOHN", MORTON), 5), (A("Morton, John", MORTON), 2)])
    assert index.persons[0].name == "John Morton"
    index = resolve_people([(A("Smith, John, Jr.", "js@x.org"), 1)])
    assert index.persons[0].name == "Smith, John, Jr."
    index = resolve_people([(A("John Smith, Jr.", "js@x.org"), 1)])
    assert index.persons[0].name == "John Smith, Jr."
    # the most used name wins over a nicer-looking rare one
    index = resolve_people([(A("Jack Morton", MORTON), 1), (A("Morton, John", MORTON), 4)])
    assert index.persons[0].name == "John Morton"


def test_same_name_in_two_organisations_stays_apart() -> None:
    index = resolve_people([(A("Michael Chen", "michael.chen@ice.dhs.gov"), 3), (A("Michael Chen", "mchen@sccgov.org"), 2)])
    assert ids(index) == ["mchen@sccgov.org", "michael.chen@ice.dhs.gov"]
    assert all(p.evidence == [] for p in index.persons)


def test_same_name_two_addresses_in_one_organisation_merge_with_evidence() -> None:
    index = resolve_people([(A("David Lee", "david.lee@ice.dhs.gov"), 4), (A("Lee, David", "dlee@ice.dhs.gov"), 1)])
    assert ids(index) == ["david.lee@ice.dhs.gov"]
    person = index.persons[0]
    assert person.emails == ["david.lee@ice.dhs.gov", "dlee@ice.dhs.gov"]
    assert person.names == {"David Lee": 4, "Lee, David": 1}
    assert person.evidence == [
        "merged dlee@ice.dhs.gov into david.lee@ice.dhs.gov: same name 'david lee' within dhs.gov"
    ]
    assert index.explain("dlee@ice.dhs.gov") == person.evidence
    assert index.person_of(A("", "DLEE@ice.dhs.gov")) == "david.lee@ice.dhs.gov"


def test_sibling_components_share_the_parent_organisation() -> None:
    index = resolve_people([(A("Ann Ruiz", "ann.ruiz@ice.dhs.gov"), 1), (A("Ann Ruiz", "aruiz@cbp.dhs.gov"), 1)])
    assert ids(index) == ["ann.ruiz@ice.dhs.gov"]
    assert index.persons[0].evidence == [
        "merged aruiz@cbp.dhs.gov into ann.ruiz@ice.dhs.gov: same name 'ann ruiz' within dhs.gov"
    ]


def test_personal_provider_and_work_address_merge_only_with_an_alias() -> None:
    occurrences = [(A("John Morton", MORTON), 5), (A("John Morton", "jmorton1960@gmail.com"), 2)]
    apart = resolve_people(occurrences)
    assert ids(apart) == ["jmorton1960@gmail.com", MORTON]

    rules = [AliasRule(MORTON, "morton", 2), AliasRule("jmorton1960@gmail.com", "morton", 3)]
    merged = resolve_people(occurrences, rules)
    assert ids(merged) == [MORTON]
    person = merged.persons[0]
    assert person.emails == ["jmorton1960@gmail.com", MORTON]
    assert person.org == organisation("ice.dhs.gov")
    assert person.evidence == [
        f"merged jmorton1960@gmail.com into {MORTON}: aliases lines 2, 3 give both to 'morton'"
    ]

    # the person column may simply name the address to join
    merged = resolve_people(occurrences, [AliasRule("jmorton1960@gmail.com", MORTON, 7)])
    assert merged.persons[0].evidence == [
        f"merged jmorton1960@gmail.com into {MORTON}: aliases line 7 gives both to '{MORTON}'"
    ]


def test_two_people_of_one_name_at_a_personal_provider_stay_apart() -> None:
    index = resolve_people([(A("John Smith", "john.smith@gmail.com"), 1), (A("John Smith", "jsmith@gmail.com"), 1)])
    assert ids(index) == ["john.smith@gmail.com", "jsmith@gmail.com"]


def test_keep_apart_row_undoes_an_automatic_merge() -> None:
    occurrences = [(A("David Lee", "david.lee@ice.dhs.gov"), 4), (A("David Lee", "dlee@ice.dhs.gov"), 1)]
    index = resolve_people(occurrences, [AliasRule("dlee@ice.dhs.gov", "-", 2)])
    assert ids(index) == ["david.lee@ice.dhs.gov", "dlee@ice.dhs.gov"]
    assert by_id(index, "david.lee@ice.dhs.gov").evidence == []
    assert index.explain("dlee@ice.dhs.gov") == [
        "kept apart from david.lee@ice.dhs.gov: aliases line 2 overrides same name 'david lee' within dhs.gov"
    ]


def test_keep_apart_row_leaves_the_others_merged() -> None:
    occurrences = [(A("David Lee", f"{local}@ice.dhs.gov"), 1) for local in ("david.lee", "dlee", "d.lee")]
    index = resolve_people(occurrences, [AliasRule("dlee@ice.dhs.gov", "-", 4)])
    assert ids(index) == ["d.lee@ice.dhs.gov", "dlee@ice.dhs.gov"]
    assert by_id(index, "d.lee@ice.dhs.gov").emails == ["d.lee@ice.dhs.gov", "david.lee@ice.dhs.gov"]


def test_addresses_given_to_different_alias_persons_are_not_merged_by_name() -> None:
    occurrences = [(A("David Lee", "david.lee@ice.dhs.gov"), 1), (A("David Lee", "dlee@ice.dhs.gov"), 1)]
    index = resolve_people(
        occurrences, [AliasRule("david.lee@ice.dhs.gov", "senior", 2), AliasRule("dlee@ice.dhs.gov", "junior", 3)]
    )
    assert ids(index) == ["david.lee@ice.dhs.gov", "dlee@ice.dhs.gov"]
    assert by_id(index, "dlee@ice.dhs.gov").evidence == [
        "not merged by name 'david lee' within dhs.gov: the aliases give these addresses to different persons (junior, senior)"
    ]


def test_name_only_mention_attaches_to_the_unique_person() -> None:
    index = resolve_people([(A("Morton, John", MORTON), 1), (A("JOHN MORTON"), 2)])
    assert ids(index) == [MORTON]
    assert index.person_of(A("John Morton")) == MORTON
    assert index.person_of(A("Morton, John (ICE)")) == MORTON


def test_name_only_mention_attaches_to_the_address_that_spells_it() -> None:
    index = resolve_people([(A("", "jmorton@ice.dhs.gov"), 3), (A("Morton, John"), 1)])
    assert ids(index) == ["jmorton@ice.dhs.gov"]
    assert index.persons[0].evidence == [
        "attached name-only 'Morton, John' (1 occurrence) to jmorton@ice.dhs.gov: the only address spelling 'john morton'"
    ]


def test_ambiguous_name_only_mention_stays_apart_and_says_why() -> None:
    index = resolve_people(
        [
            (A("Michael Chen", "michael.chen@ice.dhs.gov"), 3),
            (A("Michael Chen", "mchen@sccgov.org"), 2),
            (A("Chen, Michael"), 1),
        ]
    )
    assert ids(index) == ["mchen@sccgov.org", "michael.chen@ice.dhs.gov", "name:michael chen"]
    assert index.person_of(A("Chen, Michael")) == "name:michael chen"
    name_only = by_id(index, "name:michael chen")
    assert name_only.emails == [] and name_only.org is None
    assert name_only.name == "Michael Chen"
    assert name_only.evidence == [
        "name-only 'Chen, Michael' (1 occurrence) kept apart: it is ambiguous, 2 people are named 'michael chen' "
        "(mchen@sccgov.org, michael.chen@ice.dhs.gov)"
    ]


def test_ambiguity_resolved_by_an_alias_row_for_the_name() -> None:
    occurrences = [
        (A("Michael Chen", "michael.chen@ice.dhs.gov"), 3),
        (A("Michael Chen", "mchen@sccgov.org"), 2),
        (A("Chen, Michael"), 1),
    ]
    index = resolve_people(occurrences, [AliasRule("Chen, Michael", "mchen@sccgov.org", 2)])
    assert ids(index) == ["mchen@sccgov.org", "michael.chen@ice.dhs.gov"]
    assert index.person_of(A("Chen, Michael")) == "mchen@sccgov.org"
    assert by_id(index, "mchen@sccgov.org").count == 3


def test_name_only_person_when_nobody_matches() -> None:
    index = resolve_people([(A("Jane Roe"), 2), (A("ROE, JANE"), 1), (A("Other Person", "op@x.org"), 1)])
    assert ids(index) == ["name:jane roe", "op@x.org"]
    person = by_id(index, "name:jane roe")
    assert person.name == "Jane Roe"
    assert person.names == {"Jane Roe": 2, "ROE, JANE": 1}
    assert person.count == 3
    assert index.explain("name:jane roe") == [
        "name-only 'Jane Roe' (3 occurrences): no person has this name or an address spelling it"
    ]


def test_redacted_and_empty_addresses_are_never_people() -> None:
    index = resolve_people([(A(redacted="b6"), 5), (A(), 1), (A("  ", "  "), 1), (A("Ann Ruiz", "ann@x.org"), 1)])
    assert ids(index) == ["ann@x.org"]
    assert index.person_of(A(redacted="b6")) is None
    assert index.person_of(A(redacted="b7c")) is None
    assert index.person_of(A()) is None
    assert index.person_of(A("", "never-seen@x.org")) is None
    # a partly redacted address whose name survived is still that person
    assert index.person_of(A("Ann Ruiz", "ann@x.org", redacted="b6")) == "ann@x.org"


def test_role_addresses_are_never_merged_or_attached_by_name() -> None:
    index = resolve_people(
        [
            (A("John Morton", "foia@ice.dhs.gov"), 1),
            (A("John Morton", "noreply@ice.dhs.gov"), 1),
            (A("John Morton", "ice-foia-requests@ice.dhs.gov"), 1),
            (A("John Morton"), 1),
        ]
    )
    assert ids(index) == ["foia@ice.dhs.gov", "ice-foia-requests@ice.dhs.gov", "name:john morton", "noreply@ice.dhs.gov"]
    assert [p.role for p in index.persons] == [True, True, False, True]


def test_generic_office_names_do_not_merge_addresses() -> None:
    index = resolve_people(
        [(A("Public Affairs Office", "opa@ice.dhs.gov"), 1), (A("Public Affairs Office", "pa@cbp.dhs.gov"), 1)]
    )
    assert ids(index) == ["opa@ice.dhs.gov", "pa@cbp.dhs.gov"]


def test_one_word_names_do_not_merge_addresses() -> None:
    index = resolve_people([(A("John", "john@ice.dhs.gov"), 1), (A("John", "jq@ice.dhs.gov"), 1)])
    assert ids(index) == ["john@ice.dhs.gov", "jq@ice.dhs.gov"]


def _corpus() -> list[tuple[Address, int]]:
    return [
        (A("Morton, John", MORTON), 5),
        (A("John Morton", MORTON), 3),
        (A("John Morton", "jmorton@ice.dhs.gov"), 1),
        (A("John Morton", "jm1960@gmail.com"), 2),
        (A("MORTON, JOHN"), 2),
        (A("Michael Chen", "michael.chen@ice.dhs.gov"), 3),
        (A("Michael Chen", "mchen@sccgov.org"), 2),
        (A("Chen, Michael"), 1),
        (A("David Lee", "david.lee@ice.dhs.gov"), 4),
        (A("David Lee", "dlee@ice.dhs.gov"), 4),
        (A("David Lee", "d.lee@cbp.dhs.gov"), 4),
        (A("Jane Roe"), 1),
        (A("", "foia@ice.dhs.gov"), 6),
        (A(redacted="b6"), 9),
        (A("Ann Ruiz", "ann.ruiz@doj.ca.gov"), 1),
        (A("Ruiz, Ann", "aruiz@ca.gov"), 1),
    ]


def test_ids_and_persons_are_the_same_whatever_the_input_order() -> None:
    rules = [AliasRule("jm1960@gmail.com", "morton", 2), AliasRule(MORTON, "morton", 3), AliasRule("dlee@ice.dhs.gov", "-", 4)]
    reference = resolve_people(_corpus(), rules)
    assert ids(reference) == [
        "ann.ruiz@doj.ca.gov",
        "d.lee@cbp.dhs.gov",
        "dlee@ice.dhs.gov",
        "foia@ice.dhs.gov",
        MORTON,
        "mchen@sccgov.org",
        "michael.chen@ice.dhs.gov",
        "name:jane roe",
        "name:michael chen",
    ]
    assert by_id(reference, MORTON).emails == ["jm1960@gmail.com", "jmorton@ice.dhs.gov", MORTON]
    assert by_id(reference, "d.lee@cbp.dhs.gov").emails == ["d.lee@cbp.dhs.gov", "david.lee@ice.dhs.gov"]
    for seed in range(12):
        shuffled = _corpus()
        random.Random(seed).shuffle(shuffled)
        shuffled_rules = list(rules)
        random.Random(seed).shuffle(shuffled_rules)
        again = resolve_people(shuffled, shuffled_rules)
        assert again.persons == reference.persons
        assert [list(p.names) for p in again.persons] == [list(p.names) for p in reference.persons]


def test_find_by_id_address_name_and_substring() -> None:
    index = resolve_people(_corpus())
    assert [p.id for p in index.find(MORTON)] == [MORTON]
    assert [p.id for p in index.find("JMORTON@ice.dhs.gov")] == [MORTON]
    # without an alias the gmail John Morton is someone else, so the printed name is ambiguous
    assert [p.id for p in index.find("morton, john")] == [MORTON, "jm1960@gmail.com", "name:john morton"]
    assert [p.id for p in index.find("Michael Chen")] == ["michael.chen@ice.dhs.gov", "mchen@sccgov.org", "name:michael chen"]
    assert [p.id for p in index.find("name:jane roe")] == ["name:jane roe"]
    assert [p.id for p in index.find("sccgov")] == ["mchen@sccgov.org"]
    assert [p.id for p in index.find("ruiz")] == ["ann.ruiz@doj.ca.gov"]
    assert index.find("nobody at all") == []
    assert index.find("   ") == []


def test_explain_unknown_person_is_a_usage_error() -> None:
    index = resolve_people(_corpus())
    with pytest.raises(UsageError, match="no person"):
        index.explain("nobody@nowhere.org")
    assert index.explain("foia@ice.dhs.gov") == ["foia@ice.dhs.gov: one address; nothing was merged"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "aliases.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_aliases_reads_addresses_names_and_keep_apart_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffaddress,person\n"
        "# work and personal\n"
        "JM1960@gmail.com , morton\n"
        "\n"
        "john.morton@ice.dhs.gov,morton\n"
        '"Morton, John",morton\n'
        "dlee@ice.dhs.gov,-\n",
    )
    rules = load_aliases(path)
    assert [(r.address, r.person, r.line, r.email, r.name_key) for r in rules] == [
        ("JM1960@gmail.com", "morton", 3, "jm1960@gmail.com", ""),
        ("john.morton@ice.dhs.gov", "morton", 5, MORTON, ""),
        ("Morton, John", "morton", 6, "", "john morton"),
        ("dlee@ice.dhs.gov", "-", 7, "dlee@ice.dhs.gov", ""),
    ]
    assert [r.keeps_apart for r in rules] == [False, False, False, True]
    index = resolve_people(_corpus(), rules)
    assert by_id(index, MORTON).emails == ["jm1960@gmail.com", "jmorton@ice.dhs.gov", MORTON]
    assert index.person_of(A("MORTON, JOHN")) == MORTON


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("email,who\na@x.org,p\n", "line 1: expected the header 'address,person'"),
        ("address,person\na@x.org,p\nb@x.org,p,extra\n", "line 3: expected 2 columns"),
        ("address,person\na@x.org,\n", "line 2: the person column is empty"),
        ("address,person\n,p\n", "line 2: the address column is empty"),
        ("address,person\na@x.org\n", "line 2: expected 2 columns"),
        ("address,person\n(b)(6),p\n", "line 2: '(b)(6)' is neither an address nor a name"),
        ("address,person\na@x.org,p\n\nA@X.org,q\n", "line 4: 'A@X.org' is already given to 'p' on line 2"),
        ('address,person\n"Morton, John",p\nJOHN MORTON,q\n', "line 3: 'JOHN MORTON' is already given to 'p' on line 2"),
        ('address,person\na@x.org,p\n"unclosed,p\n', "line 3"),
    ],
)
def test_load_aliases_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ValueError) as caught:
        load_aliases(path)
    assert str(caught.value).startswith(message)


def test_load_aliases_rejects_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_bytes("address,person\nmüller@x.de,m\n".encode("latin-1"))
    with pytest.raises(ValueError, match="^line 2: the file is not UTF-8 text$"):
        load_aliases(path)


def test_load_aliases_repeated_same_row_is_fine(tmp_path: Path) -> None:
    rules = load_aliases(write(tmp_path, "address,person\na@x.org,p\nA@x.org,p\n"))
    assert [r.line for r in rules] == [2, 3]


addresses = st.builds(
    Address,
    name=st.one_of(
        st.just(""),
        st.sampled_from(["John Morton", "Morton, John", "JOHN MORTON", "Michael Chen", "(b)(6)", "'a@b.gov'", " ", "x"]),
        st.text(max_size=25),
    ),
    email=st.one_of(
        st.just(""),
        st.sampled_from(["john.morton@ice.dhs.gov", "jm@gmail.com", "mchen@sccgov.org", "foia@ice.dhs.gov", "name:x"]),
        st.emails().map(str.lower),
        st.text(max_size=20),
    ),
    redacted=st.one_of(st.none(), st.sampled_from(["b6", "b7c"])),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(addresses, st.integers(min_value=1, max_value=5)), max_size=30))
def test_every_real_occurrence_maps_to_exactly_one_person(occurrences: list[tuple[Address, int]]) -> None:
    index = resolve_people(occurrences)
    person_ids = ids(index)
    assert len(person_ids) == len(set(person_ids))
    owners: dict[str, str] = {}
    for person in index.persons:
        assert person.name
        for address in person.emails:
            assert owners.setdefault(address, person.id) == person.id
    for address, _ in occurrences:
        found = index.person_of(address)
        if not address.name.strip() and not address.email.strip():
            assert found is None
        else:
            assert found in person_ids
    assert sum(p.count for p in index.persons) == sum(
        n for a, n in occurrences if a.name.strip() or a.email.strip()
    )
    assert resolve_people(list(reversed(occurrences))).persons == index.persons


def test_many_addresses_resolve_in_near_linear_time() -> None:
    # 20,000 mailboxes in 200 organisations, a quarter of them sharing a name with a second address
    occurrences: list[tuple[Address, int]] = []
    for i in range(20_000):
        first, last = f"first{i % 5000}", f"last{i // 4}"
        domain = f"agency{i % 200}.gov"
        occurrences.append((A(f"{last.title()}, {first.title()}", f"{first}.{last}.{i}@{domain}"), 1))
        if i % 4 == 0:
            occurrences.append((A(f"{first.title()} {last.title()}", f"{first[0]}{last}@{domain}"), 1))
        if i % 10 == 0:
            occurrences.append((A(f"{first.title()} {last.title()}"), 1))
    start = time.perf_counter()
    index = resolve_people(occurrences)
    elapsed = time.perf_counter() - start
    assert len(index.persons) > 10_000
    assert all(index.person_of(a) for a, _ in occurrences)
    assert elapsed < 30


@pytest.mark.corpora
def test_real_mailing_list_headers_resolve(corpora: Path) -> None:
    folder = corpora / "spamassassin-ham"
    if not folder.is_dir():
        pytest.skip("spamassassin-ham corpus not present")
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    counts: dict[Address, int] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file())[:400]:
        headers = parser.parsebytes(path.read_bytes())
        fields = [str(v) for k in ("From", "To", "Cc") for v in headers.get_all(k, [])]
        for name, addr in email.utils.getaddresses(fields):
            address = Address(name=name.strip(), email=addr.strip().lower())
            counts[address] = counts.get(address, 0) + 1
    occurrences = sorted(counts.items(), key=lambda item: (item[0].email, item[0].name))
    index = resolve_people(occurrences)
    assert len(index.persons) > 50
    for address, _ in occurrences:
        if address.name.strip() or address.email.strip():
            assert index.person_of(address) is not None
    reversed_index = resolve_people(list(reversed(occurrences)))
    assert reversed_index.persons == index.persons
