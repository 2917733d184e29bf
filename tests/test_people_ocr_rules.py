"""The second round of OCR-tolerant identities: misread domains and local parts, a name's dominant owner, one owner's two mailboxes."""
from __future__ import annotations

from pathlib import Path

from test_cli_commands import invoke, ndjson_rows

from foiatool.derive.people import correspondents_of, resolve_people
from foiatool.derive.variants import address_variants
from foiatool.model import Address


def _people(*occurrences: tuple[str, str, int], correspondents=None):
    return resolve_people([(Address(name, email), n) for name, email, n in occurrences], (), correspondents)


def _emails_of(index, email: str) -> list[str]:
    return index.get(index.person_of(Address(email=email))).emails


def test_a_rare_domain_two_edits_from_a_dominant_one_is_it_misread() -> None:
    counts = {"sullivanjj@state.gov": 900, "sullivanjj@siate.gov": 1, "millscd@state.gov": 800, "millscd@state.aoy": 1,
              "hdr22@clintonemail.com": 600, "hdr22@chntonemail.com": 1, "kw@doe.gov": 2, "kw@dos.gov": 400}
    found = address_variants(counts, {})
    assert found["sullivanjj@siate.gov"].canonical == "sullivanjj@state.gov"
    assert "OCR 'i' for 't' in the domain (1 occurrence of siate.gov vs 1700 of state.gov)" in found["sullivanjj@siate.gov"].why
    assert found["millscd@state.aoy"].canonical == "millscd@state.gov"
    assert found["hdr22@chntonemail.com"].canonical == "hdr22@clintonemail.com"
    # a domain the organisation table knows is a real one, however rare
    assert "kw@doe.gov" not in found


def test_a_rare_local_part_one_or_two_edits_from_a_frequent_one() -> None:
    counts = {"mchaleja@state.gov": 170, "mhcaleja@state.gov": 1, "millscd@state.gov": 1400, "imillscd@state.gov": 2,
              "valmorou@state.gov": 188, "valmdrou@state.gov": 1, "hdr22@clintonemail.com": 665,
              "h0822@clintonemail.com": 1, "smithjk@state.gov": 30, "smithj@state.gov": 3}
    names = {"hdr22@clintonemail.com": {"h"}, "h0822@clintonemail.com": {"h"}, "smithjk@state.gov": {"john k smith"},
             "smithj@state.gov": {"jane smith"}}
    found = address_variants(counts, names)
    assert found["mhcaleja@state.gov"].why == (
        "mhcaleja@state.gov -> mchaleja@state.gov: 'hc' for 'ch', letters swapped (1 edit) (1 occurrence vs 170 occurrences)"
    )
    assert found["imillscd@state.gov"].canonical == "millscd@state.gov"
    assert found["valmdrou@state.gov"].canonical == "valmorou@state.gov"
    assert "(2 edits)" in found["h0822@clintonemail.com"].why
    # display names that disagree, and odds under 20 to 1, keep two people apart
    assert "smithj@state.gov" not in found
    assert "smithjk@state.gov" not in address_variants({"smithjk@state.gov": 30, "smithj@state.gov": 3}, {})


def test_a_name_goes_to_the_person_who_carries_nearly_all_its_uses() -> None:
    index = _people(("Mills, Cheryl D", "millscd@state.gov", 900), ("Cheryl Mills", "cmills@gmail.com", 3),
                    ("Mills, Cheryl D", "", 166))
    assert index.person_of(Address("Mills, Cheryl D")) == "millscd@state.gov"
    assert any("900 of the name's 903 uses on an address are millscd@state.gov's" in e
               for e in index.explain("millscd@state.gov"))
    # three uses against two decide nothing: the mention stays apart
    index = _people(("Michael Chen", "michael.chen@ice.dhs.gov", 3), ("Michael Chen", "mchen@sccgov.org", 2),
                    ("Chen, Michael", "", 1))
    assert index.person_of(Address("Chen, Michael")) == "name:michael chen"


def test_one_initial_used_hundreds_of_times_on_one_domain_is_one_owner() -> None:
    index = _people(("H", "hdr22@clintonemail.com", 631), ("Evergreen", "hdr22@clintonemail.com", 24),
                    ("H", "hrod17@clintonemail.com", 1141), ("H", "", 636))
    person = index.get("hrod17@clintonemail.com")
    assert person.emails == ["hdr22@clintonemail.com", "hrod17@clintonemail.com"]
    assert person.count == 631 + 24 + 1141 + 636
    assert any("both signed 'h' (1141 of 1141 named occurrences of hrod17@clintonemail.com, 631 of 655" in e
               for e in person.evidence)
    # used too rarely to tell
    index = _people(("H", "hdr22@clintonemail.com", 60), ("H", "hrod17@clintonemail.com", 60))
    assert _emails_of(index, "hdr22@clintonemail.com") == ["hdr22@clintonemail.com"]


def test_one_full_name_on_two_domains_joins_only_with_shared_correspondents() -> None:
    occurrences = (("Abedin, Huma", "abedinh@state.gov", 1100), ("Huma Abedin", "huma@clintonemail.com", 134))
    staff = {f"aide{n}@state.gov" for n in range(8)}
    together = {"abedinh@state.gov": staff | {"other@state.gov"}, "huma@clintonemail.com": staff}
    index = _people(*occurrences, correspondents=together)
    assert _emails_of(index, "huma@clintonemail.com") == ["abedinh@state.gov", "huma@clintonemail.com"]
    assert any("and 8 of the 8 correspondents of the less used are shared" in e for e in index.explain("abedinh@state.gov"))
    # no correspondents known, or each writing with their own colleagues: two people
    assert _emails_of(_people(*occurrences), "huma@clintonemail.com") == ["huma@clintonemail.com"]
    apart = {"abedinh@state.gov": staff, "huma@clintonemail.com": {f"friend{n}@gmail.com" for n in range(8)}}
    assert _emails_of(_people(*occurrences, correspondents=apart), "huma@clintonemail.com") == ["huma@clintonemail.com"]


def test_correspondents_are_the_fellow_addresses_on_each_message() -> None:
    rows = [("m1", "A@x.org"), ("m1", "b@x.org"), ("m2", "a@x.org"), ("m2", "c@x.org"), ("m3", "d@x.org"), ("m3", "")]
    assert correspondents_of(rows) == {"a@x.org": {"b@x.org", "c@x.org"}, "b@x.org": {"a@x.org"}, "c@x.org": {"a@x.org"}}


def test_people_explain_shows_one_owner_of_two_mailboxes(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    staff = ", ".join(f"Aide {chr(65 + n)} <aide{n}@state.gov>" for n in range(6))
    for n in range(44):
        sender = '"Abedin, Huma" <AbedinH@state.gov>' if n % 2 else "Huma Abedin <huma@clintonemail.com>"
        (release / f"m{n}.eml").write_text(
            f"From: {sender}\nTo: {staff}\nSubject: Schedule {n}\nDate: Mon, 1 Jun 2009 10:{n:02d}:00 -0400\n"
            f"Message-ID: <m{n}@owner.test>\n\nBody {n}\n",
            encoding="utf-8",
        )
    db = str(tmp_path / "i.db")
    assert invoke("index", str(release), "--db", db, "-q").exit_code == 0
    result = invoke("people", "--explain", "huma@clintonemail.com", "--db", db, "-f", "ndjson")
    assert result.exit_code == 0, result.output
    rows = ndjson_rows(result.stdout)
    assert rows[0]["emails"] == ["abedinh@state.gov", "huma@clintonemail.com"]
    assert [r["explanation"] for r in rows] == [
        "merged huma@clintonemail.com into abedinh@state.gov: both signed 'huma abedin' (22 of 22 named occurrences "
        "of abedinh@state.gov, 22 of 22 of huma@clintonemail.com), and 6 of the 6 correspondents of the less used are shared"
    ]
