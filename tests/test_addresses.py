"""Printed names and addresses: every form that headers and quoted headers use."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foiatool.mail.addresses import (
    name_matches_address,
    normalise_name,
    parse_address,
    parse_address_list,
)
from foiatool.model import Address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("John Morton <john.morton@ice.dhs.gov>", Address("John Morton", "john.morton@ice.dhs.gov")),
        ('"Morton, John" <John.Morton@ICE.DHS.GOV>', Address("Morton, John", "john.morton@ice.dhs.gov")),
        ("Morton, John", Address("Morton, John", "")),
        ("'john.morton@ice.dhs.gov'", Address("", "john.morton@ice.dhs.gov")),
        ("John Morton [mailto:john.morton@ice.dhs.gov]", Address("John Morton", "john.morton@ice.dhs.gov")),
        ("John Morton [mailto:John.Morton@ice.dhs.gov] ", Address("John Morton", "john.morton@ice.dhs.gov")),
        ("john.morton@ice.dhs.gov", Address("", "john.morton@ice.dhs.gov")),
        ("JOHN.MORTON@ICE.DHS.GOV", Address("", "john.morton@ice.dhs.gov")),
        ("<john.morton@ice.dhs.gov>", Address("", "john.morton@ice.dhs.gov")),
        ("John Morton (ICE)", Address("John Morton (ICE)", "")),
        ("Morton, John (ICE) <john.morton@ice.dhs.gov>", Address("Morton, John (ICE)", "john.morton@ice.dhs.gov")),
        ('"bob@xxx.mailgun.org" <bob@xxx.mailgun.org>', Address("", "bob@xxx.mailgun.org")),
        ("'Bob Smith' <bob@example.com>", Address("Bob Smith", "bob@example.com")),
        ("  John \t  Morton   <john.morton@ice.dhs.gov>", Address("John Morton", "john.morton@ice.dhs.gov")),
        ("john.morton@ice.dhs.gov (John Morton)", Address("John Morton", "john.morton@ice.dhs.gov")),
        ("mailto:john.morton@ice.dhs.gov", Address("", "john.morton@ice.dhs.gov")),
        ("\u201cMorton, John\u201d <jm@ice.dhs.gov>", Address("Morton, John", "jm@ice.dhs.gov")),
        ("", Address()),
        ("   ", Address()),
        ("<>", Address()),
        ("--- ;; ,,", Address()),
    ],
)
def test_parse_address_forms(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("(b)(6)", "b6"),
        ("(b) (6)", "b6"),
        ("(b)(6), (b)(7)(C)", "b6"),
        ("(b)(7)(C)", "b7c"),
        ("[REDACTED]", "redacted"),
        ("b6", "b6"),
        ("B7C", "b7c"),
    ],
)
def test_redacted_field_is_a_participant_without_a_name(text: str, code: str) -> None:
    address = parse_address(text)
    assert address == Address(name="", email="", redacted=code)
    assert address.label() == f"[redacted {code}]"


def test_partly_redacted_name_keeps_the_readable_part() -> None:
    assert parse_address("John (b)(6)") == Address(name="John", email="", redacted="b6")
    assert parse_address("(b)(6) Morton <jm@ice.dhs.gov>") == Address("Morton", "jm@ice.dhs.gov", "b6")


def test_redacted_address_inside_angle_brackets() -> None:
    assert parse_address("John Morton <(b)(6)>") == Address(name="John Morton", email="", redacted="b6")


def test_list_splits_on_semicolons_first() -> None:
    assert parse_address_list("Morton, John; Smith, Ann (ICE); bob@example.com") == [
        Address("Morton, John"),
        Address("Smith, Ann (ICE)"),
        Address("", "bob@example.com"),
    ]


def test_list_never_splits_last_first_names() -> None:
    assert parse_address_list("Morton, John") == [Address("Morton, John")]
    assert parse_address_list("Morton, John A.") == [Address("Morton, John A.")]


def test_list_splits_commas_between_addresses() -> None:
    assert parse_address_list("xxx@gmail.com, xxx@hotmail.com, lsloan6@nyc.rr.com ") == [
        Address("", "xxx@gmail.com"),
        Address("", "xxx@hotmail.com"),
        Address("", "lsloan6@nyc.rr.com"),
    ]


def test_list_keeps_last_first_display_names_with_addresses() -> None:
    text = '"Morton, John" <jm@ice.dhs.gov>, Smith, Ann <as@ice.dhs.gov>, bob@example.com'
    assert parse_address_list(text) == [
        Address("Morton, John", "jm@ice.dhs.gov"),
        Address("Smith, Ann", "as@ice.dhs.gov"),
        Address("", "bob@example.com"),
    ]


def test_list_with_redacted_members() -> None:
    assert parse_address_list("(b)(6); John Morton <jm@ice.dhs.gov>; (b)(6), (b)(7)(C)") == [
        Address(redacted="b6"),
        Address("John Morton", "jm@ice.dhs.gov"),
        Address(redacted="b6"),
    ]


def test_list_of_nothing() -> None:
    assert parse_address_list("") == []
    assert parse_address_list(" ; ;, ") == []


def test_aol_style_list() -> None:
    text = "xxx <xxx@gmail.com>; xxx <xxx@hotmail.com>; xxx <xxx@yahoo.com>"
    assert [a.email for a in parse_address_list(text)] == ["xxx@gmail.com", "xxx@hotmail.com", "xxx@yahoo.com"]


@pytest.mark.parametrize(
    "name",
    [
        "Morton, John",
        "John Morton",
        "JOHN MORTON",
        "John  Morton (ICE)",
        "Morton, John (ICE)",
        '"Morton, John"',
        "Dr. John Morton",
        "John Morton, Jr.",
        "Morton, John A.",
        "John A. Morton",
        "Jöhn Mörton",
        "John Morton <john.morton@ice.dhs.gov>",
        "Mr John Morton III [CONTRACTOR]",
    ],
)
def test_normalise_name_gives_one_comparable_form(name: str) -> None:
    assert normalise_name(name) == "john morton"


def test_normalise_name_keeps_real_middle_names_and_handles_nothing() -> None:
    assert normalise_name("José María García") == "jose maria garcia"
    assert normalise_name("") == ""
    assert normalise_name("(ICE)") == ""
    assert normalise_name("john.morton@ice.dhs.gov") == ""


@pytest.mark.parametrize(
    "local",
    ["john.morton", "jmorton", "morton.john", "john_morton", "morton", "John.Morton", "johnmorton", "j.morton", "john.morton2"],
)
def test_name_matches_usual_address_spellings(local: str) -> None:
    assert name_matches_address("John Morton", f"{local}@ice.dhs.gov")
    assert name_matches_address("Morton, John (ICE)", f"{local}@ice.dhs.gov")


@pytest.mark.parametrize("local", ["john", "jsmith", "ann.morton", "mortonson", "jmort", "morton.j.x", ""])
def test_name_does_not_match_other_addresses(local: str) -> None:
    assert not name_matches_address("John Morton", f"{local}@ice.dhs.gov")


def test_name_match_edge_cases() -> None:
    assert name_matches_address("bob", "bob@example.com")
    assert not name_matches_address("bob", "bobby@example.com")
    assert not name_matches_address("", "john.morton@ice.dhs.gov")
    assert not name_matches_address("John Morton", "not an address")
    assert name_matches_address("José García", "jose.garcia@example.es")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_raise(text: str) -> None:
    address = parse_address(text)
    assert address.email == address.email.lower()
    for item in parse_address_list(text):
        assert item.name or item.email or item.redacted
    normalise_name(text)
    name_matches_address(text, text)
