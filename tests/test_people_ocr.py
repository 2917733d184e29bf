"""OCR-damaged addresses and names from the Clinton release become one person on evidence; real differences stay apart."""
from __future__ import annotations

from pathlib import Path

from test_cli_commands import invoke, ndjson_rows

from foiatool.derive.people import resolve_people
from foiatool.derive.variants import name_difference
from foiatool.mail.addresses import (
    compact_local,
    fold_accents,
    name_from_local_part,
    ocr_difference,
    parse_address,
    repair_address,
)
from foiatool.model import Address


def _people(*occurrences: tuple[str, str, int]):
    return resolve_people([(Address(name, email), n) for name, email, n in occurrences])


def _emails_of(index, email: str) -> list[str]:
    return index.get(index.person_of(Address(email=email))).emails


def test_printed_address_damage_is_repaired_when_parsed() -> None:
    assert parse_address("H <hrod17\u00a9clintonemail.com>") == Address("H", "hrod17@clintonemail.com")
    assert parse_address("millscd@state.gov.").email == "millscd@state.gov"
    assert repair_address("hrod17@clintonemail.corn", {"clintonemail.com"}) == ("hrod17@clintonemail.com", "OCR .corn for .com")
    # no ".com" form in the corpus: a domain is never rewritten into one not seen
    assert repair_address("hrod17@clintonemail.corn", {"state.gov"}) == ("hrod17@clintonemail.corn", "")
    assert repair_address("abedinh@state.goy", {"state.gov"}) == ("abedinh@state.gov", "OCR .goy for .gov")


def test_ocr_confusions_are_told_apart_from_other_edits() -> None:
    assert ocr_difference("hrodl7", "hrod17") == "OCR 'l' for '1'"
    assert ocr_difference("clintonernail", "clintonemail") == "OCR 'rn' for 'm'"
    assert ocr_difference("c1intonemail.com", "clintonemail.com") == "OCR '1' for 'l'"
    assert ocr_difference("abdinh", "abedinh") == "dropped 'e'"
    assert ocr_difference("jake.sullivar", "jake.sullivan") == "OCR 'r' for 'n'"
    assert ocr_difference("jsmyth", "jsmith") == ""  # no scanner reads "i" as "y": two people
    assert ocr_difference("hdr22", "hrod17") == ""
    assert ocr_difference("millscd", "millscd") == ""


def test_ocr_variants_of_one_address_are_one_person_with_the_evidence() -> None:
    index = _people(
        ("H", "hrod17@clintonemail.com", 734), ("H", "hrodl7@clintonemail.com", 7),
        ("H", "hrod17@clintonemail.corn", 2), ("H", "hrod17@clintonernail.com", 2),
        ("Mills, Cheryl D", "millscd@state.gov", 931), ("", "millscd@state.gov.", 15),
        ("Mills, Cheryl D", "millscd@state.goy", 21),
    )
    assert _emails_of(index, "hrodl7@clintonemail.com") == [
        "hrod17@clintonemail.com", "hrod17@clintonemail.corn", "hrod17@clintonernail.com", "hrodl7@clintonemail.com",
    ]
    person = index.get("hrod17@clintonemail.com")
    assert person.id == "hrod17@clintonemail.com"
    why = "\n".join(person.evidence)
    assert "hrod17@clintonemail.corn -> hrod17@clintonemail.com: OCR .corn for .com (2 occurrences vs 734 occurrences; shared name 'h')" in why
    assert "hrodl7@clintonemail.com -> hrod17@clintonemail.com: OCR 'l' for '1'" in why
    assert "OCR 'rn' for 'm' in the domain" in why
    mills = index.get("millscd@state.gov")
    assert mills.emails == ["millscd@state.gov", "millscd@state.gov.", "millscd@state.goy"]
    assert any("millscd@state.gov. -> millscd@state.gov: trailing punctuation (15 occurrences vs 931" in e for e in mills.evidence)


def test_two_real_addresses_stay_two_people() -> None:
    index = _people(
        # one initial, but on two domains: nothing says one owner
        ("H", "hdr22@clintonemail.com", 1353), ("H", "hdr22@example.org", 732),
        ("Smith, John", "jsmith@state.gov", 40), ("Smyth, John", "jsmyth@state.gov", 2),
        # an OCR-explainable pair both in common use is two addresses, not a misreading
        ("Mills, Cheryl D", "millscd@state.gov", 931), ("Mills, Carl", "millscl@state.gov", 400),
        # a rare look-alike whose display name disagrees stays apart
        ("Jiloty, Lauren C", "jilotylc@state.gov", 365), ("Iloty, Mark", "ilotylc@state.gov", 1),
    )
    for email in ("hdr22@clintonemail.com", "jsmyth@state.gov", "millscl@state.gov", "ilotylc@state.gov"):
        assert _emails_of(index, email) == [email]


def test_display_name_forms_of_one_person_are_one_person() -> None:
    index = _people(
        ("Sullivan, Jacob J", "sullivanjj@state.gov", 786),
        ("Sullivan, Jacob J", "", 697), ("Jake Sullivan", "", 56), ("Sullivan Jacob J", "", 3),
        ("Sullivan, Jacob.)", "", 5), ("Sullivan, Jacobi", "", 92), ("Abedin, Huma", "abedinh@state.gov", 1082),
        ("Abedln, Huma", "", 1), ("Abedin, Hunna", "", 1), ("Sullivan, Stephanie S", "", 4),
    )
    jake = index.person_of(Address("Jake Sullivan"))
    assert jake == "sullivanjj@state.gov"
    for form in ("Sullivan, Jacob.)", "Sullivan Jacob J", "Sullivan, Jacobi", "Sullivan, Jacob J"):
        assert index.person_of(Address(form)) == jake, form
    assert index.person_of(Address("Abedln, Huma")) == index.person_of(Address("Abedin, Hunna")) == "abedinh@state.gov"
    # a different first name is a different person
    assert index.person_of(Address("Sullivan, Stephanie S")) == "name:stephanie sullivan"
    assert any("'jacobi sullivan' read as 'jacob sullivan'" in e for e in index.get(jake).evidence)


def test_similar_names_stay_apart() -> None:
    assert name_difference("john smyth", "john smith") == ""
    assert name_difference("stephanie sullivan", "jacob sullivan") == ""
    assert name_difference("jake sullivan", "jacob sullivan") == "'jake' a short form of 'jacob'"
    assert name_difference("sullivan jacob j", "jacob sullivan") == "the same words in another order or with initials"
    index = _people(("Mills, Cheryl D", "", 900), ("Mills, Carol", "", 3))
    assert index.person_of(Address("Mills, Carol")) == "name:carol mills"


def test_one_home_for_local_parts_and_accents() -> None:
    assert name_from_local_part("john.morton2@ice.dhs.gov") == "john morton"
    assert name_from_local_part("millscd@state.gov") == ""
    assert compact_local("Jean-Luc.Pic@x.fr") == "jeanlucpic"
    assert fold_accents("Müller") == "Muller"


def _eml(path: Path, sender: str, to: str, n: int) -> None:
    path.write_text(
        f"From: {sender}\nTo: {to}\nSubject: Schedule {n}\nDate: Mon, 1 Jun 2009 10:{n:02d}:00 -0400\n"
        f"Message-ID: <m{n}@ocr.test>\n\nBody {n}\n",
        encoding="utf-8",
    )


def _printed(path: Path, sender: str, to: str, n: int) -> None:
    """One released document's text, laid out as the Clinton release's OCR text is."""
    banner = f"UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C0{5765900 + n} Date: 08/31/2015"
    path.write_text(
        f"      {banner}\n\n\n"
        f"From:                             {sender}\n"
        f"Sent:                             Monday, June 1, 2009 10:{n:02d} AM\n"
        f"To:                               {to}\n"
        f"Subject:                          Schedule {n}\n\n\n"
        f"Body {n}\n\n\n      {banner}\n",
        encoding="utf-8",
    )


def _indexed_people(tmp_path: Path, write, name: str, common: tuple[str, str], rare: tuple[str, str]) -> tuple[str, list[str]]:
    """Ten messages from ``common`` (sender, recipient) and one from ``rare``, written by ``write``
    under ``name`` + number and indexed by the real command: the index and its people's ids."""
    release = tmp_path / "release"
    release.mkdir()
    for n in range(10):
        write(release / name.format(n), *common, n)
    write(release / name.format(10), *rare, 10)
    db = str(tmp_path / "i.db")
    assert invoke("index", str(release), "--db", db, "-q").exit_code == 0
    listed = invoke("people", "--db", db, "-f", "ndjson")
    assert listed.exit_code == 0, listed.output
    return db, sorted(r["id"] for r in ndjson_rows(listed.stdout))


def test_people_explain_shows_the_misreading(tmp_path: Path) -> None:
    db, ids = _indexed_people(tmp_path, _printed, "C0{}.txt",
                              ("H <hrod17@clintonemail.com>", "Mills, Cheryl D <MillsCD@state.gov>"),
                              ("H <hrod17@clintonemail.corn>", "Mills, Cheryl D <MillsCD@state.goy>"))
    assert ids == ["hrod17@clintonemail.com", "millscd@state.gov"]
    result = invoke("people", "--explain", "hrod17@clintonemail.corn", "--db", db, "-f", "ndjson")
    assert result.exit_code == 0, result.output
    rows = ndjson_rows(result.stdout)
    assert [r["explanation"] for r in rows] == [
        "merged as an OCR variant: hrod17@clintonemail.corn -> hrod17@clintonemail.com: OCR .corn for .com "
        "(1 occurrence vs 10 occurrences; shared name 'h')"
    ]
    assert rows[0]["emails"] == ["hrod17@clintonemail.com", "hrod17@clintonemail.corn"]


def test_addresses_a_program_wrote_are_never_read_as_misreadings(tmp_path: Path) -> None:
    """The same rare forms in machine-readable mail are as typed: two mailboxes, two departments."""
    _, ids = _indexed_people(tmp_path, _eml, "m{}.eml",
                            ("H <hrod17@clintonemail.com>", "Ann Lee <alee@cse.ucsc.edu>"),
                            ("H <hrod17@clintonemail.corn>", "Bob Ray <bray@cs.ucsc.edu>"))
    assert "hrod17@clintonemail.corn" in ids and "bray@cs.ucsc.edu" in ids and "alee@cse.ucsc.edu" in ids
