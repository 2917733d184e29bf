"""Provenance stamps: Bates and control numbers, case numbers, banners, release stamps, page furniture."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foiatool.mail.marks.provenance import (
    Stamp,
    bates_gaps,
    bates_number,
    find_stamps,
    is_page_furniture,
)


def stamps(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.value) for s in find_stamps(text)]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("DHS-001234", "DHS-001234"),
        ("DHS 001234", "DHS-001234"),
        ("DHS001234", "DHS-001234"),
        ("FBI-0001234", "FBI-0001234"),
        ("ICE-2011-FOIA-000123", "ICE-2011-FOIA-000123"),
        ("ICE2011FOIA000123", "ICE-2011-FOIA-000123"),
        ("ICE 2011 FOIA 000123", "ICE-2011-FOIA-000123"),
        ("DOS-2014-0123", "DOS-2014-0123"),
        ("STATE-SCB0045149", "STATE-SCB-0045149"),
        ("EPA-HQ-000456", "EPA-HQ-000456"),
    ],
)
def test_bates_forms(written: str, value: str) -> None:
    assert find_stamps(written) == [Stamp("bates", value, written)]
    assert find_stamps(f"page footer {written} end") == [Stamp("bates", value, written)]


@pytest.mark.parametrize(
    "written",
    [
        "call 202-555-0100",
        "(202) 555-0100",
        "on 2014-05-13 at 10:00",
        "05/13/2015",
        "Sacramento, CA 94105",
        "Cambridge, MA USA 02138",
        "Washington, DC 20520-0001",
        "COVID-19",
        "I-95",
        "H-1B",
        "Form I-247",
        "TEL 2025550100",
        "FAX 2025550100",
        "USD 12345.67",
        "CVE-2021-44228",
        "CAN-2002-0989",
        "ISO 27001",
        "KB2919355",
        "DHS-1234",
        "DHS-2011",
        "with ESMTP id DCBE9294206;",
        "FILETIME=[AB685160:01C261C4]",
        "--BOUNDARY_2131626",
        "http://yp.example.com/map?tuid=B:PB1632346&ck=1",
        "<DHS001234@mail.example.com>",
        "/var/spool/ABC123456",
        "dhs-001234",
        "Dhs 001234",
        "MAY 20150513",
    ],
)
def test_bates_false_positive_guards(written: str) -> None:
    assert [s for s in find_stamps(written) if s.kind == "bates"] == []


def test_state_department_header() -> None:
    line = "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05739545 Date: 05/13/2015"
    assert find_stamps(line) == [
        Stamp("classification", "UNCLASSIFIED", "UNCLASSIFIED"),
        Stamp("case", "F-2014-20439", "Case No. F-2014-20439"),
        Stamp("control", "C05739545", "Doc No. C05739545"),
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("C05739545", [("control", "C05739545")]),
        ("Doc No. C05739545", [("control", "C05739545")]),
        ("Case No. F-2014-20439 Doc No. C05739545", [("case", "F-2014-20439"), ("control", "C05739545")]),
        ("F-2014-20439", [("case", "F-2014-20439")]),
        ("Case No. 1:15-cv-01234", [("case", "1:15-cv-01234")]),
        ("FOIA Request No. 2015-ICFO-12345", [("case", "2015-ICFO-12345")]),
        ("Case No. is pending", []),
        ("AC05739545", [("bates", "AC-05739545")]),
        ("C0573954", []),
        ("C057395451", []),
    ],
)
def test_control_and_case_numbers(written: str, expected: list[tuple[str, str]]) -> None:
    assert stamps(written) == expected


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("UNCLASSIFIED", "UNCLASSIFIED"),
        ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", "UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
        ("UNCLASSIFIED // FOR OFFICIAL USE ONLY", "UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
        ("SENSITIVE BUT UNCLASSIFIED", "SENSITIVE BUT UNCLASSIFIED"),
        ("SECRET//NOFORN", "SECRET//NOFORN"),
        ("TOP SECRET", "TOP SECRET"),
        ("U//FOUO", "U//FOUO"),
        ("CONFIDENTIAL", "CONFIDENTIAL"),
    ],
)
def test_classification_banners(written: str, value: str) -> None:
    assert find_stamps(written) == [Stamp("classification", value, written)]


@pytest.mark.parametrize(
    "written",
    ['<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN">', "DECLASSIFIEDS", "Unclassified", "secret", "SECRETARY"],
)
def test_classification_false_positive_guards(written: str) -> None:
    assert [s for s in find_stamps(written) if s.kind == "classification"] == []


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("RELEASE IN PART B6", "RELEASE IN PART B6"),
        ("RELEASE IN FULL", "RELEASE IN FULL"),
        ("RELEASE IN PART B6, B7(C)", "RELEASE IN PART B6, B7(C)"),
        ("RELEASED IN PART  B1,1.4(D)", "RELEASED IN PART B1"),
        ("DENY IN FULL", "DENY IN FULL"),
    ],
)
def test_release_stamps(written: str, value: str) -> None:
    [stamp] = find_stamps(written)
    assert (stamp.kind, stamp.value) == ("release", value)
    assert written.startswith(stamp.text)


def test_bates_number() -> None:
    assert bates_number("DHS-001234") == ("DHS-", 1234)
    assert bates_number("DHS 001234") == ("DHS-", 1234)
    assert bates_number("ICE-2011-FOIA-000123") == ("ICE-2011-FOIA-", 123)
    assert bates_number("ICE2011FOIA000123") == ("ICE-2011-FOIA-", 123)
    assert bates_number("FBI-0001234") == ("FBI-", 1234)
    for not_bates in ("", "I-95", "COVID-19", "CA 94105", "hello", "DHS-001234 and more"):
        assert bates_number(not_bates) is None


def test_bates_gaps_per_prefix() -> None:
    values = [
        "DHS-000001", "DHS-000002", "DHS-000005", "DHS-000009", "DHS-000009",
        "FBI-0000010", "FBI-0000012", "FBI-0000011",
        "ICE-2011-FOIA-000100", "ICE-2011-FOIA-000104",
        "not a bates number", "I-95",
    ]
    assert bates_gaps(values) == [
        ("DHS-", 3, 4),
        ("DHS-", 6, 8),
        ("ICE-2011-FOIA-", 101, 103),
    ]


def test_bates_gaps_unordered_and_spelled_differently() -> None:
    assert bates_gaps(["DHS 000010", "DHS-000007", "DHS000008"]) == [("DHS-", 9, 9)]
    assert bates_gaps([]) == []
    assert bates_gaps(["DHS-000001"]) == []


@pytest.mark.parametrize(
    "line",
    [
        "Page 3 of 7",
        "page 12",
        "  - 3 -  ",
        "3 of 7",
        "DHS-001234",
        "DHS-001234 - DHS-001240",
        "UNCLASSIFIED",
        "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        "RELEASE IN PART B6",
        "RELEASE IN FULL",
        "Printed on Tuesday, May 5, 2015 at 10:04 AM",
        "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05739545 Date: 05/13/2015",
        "STATE DEPT. - PRODUCED TO HOUSE SELECT BENGHAZI COMM. "
        "SUBJECT TO AGREEMENT ON SENSITIVE INFORMATION & REDACTIONS. NO FOIA WAIVER. STATE-SCB0045149",
    ],
)
def test_page_furniture(line: str) -> None:
    assert is_page_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "Date: 05/13/2015",
        "Hello DHS-001234",
        "The page 3 of 7 is missing",
        "From: H <hrod17@clintonemail.com>",
        "Subject: UNCLASSIFIED briefing",
        "3",
        "We printed on recycled paper and then some more words follow here",
    ],
)
def test_not_page_furniture(line: str) -> None:
    assert not is_page_furniture(line)


def test_large_input_completes() -> None:
    assert len(find_stamps("DHS-001234 " * 200_000)) == 200_000
    assert find_stamps("ABCDEFGH " * 300_000) == []
    assert find_stamps("UNCLASSIFIED" * 200_000) == []
    assert find_stamps("hello world " * 300_000) == []
    assert find_stamps("A" * 1_000_000) == []
    assert not is_page_furniture("DHS-001234 " * 100_000)


_PIECES = st.sampled_from(
    list("ABCDFIU-_/ .:0123456789") + ["DHS-", "001234", "ICE", "2011", "FOIA", "C05739545", "Case No. ",
                                       "Doc No. ", "UNCLASSIFIED", "//", "FOUO", "RELEASE IN PART ", "B6",
                                       "F-2014-20439", "Page 3 of 7", "\n", "é", "@"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_stamps_are_in_the_text(text: str) -> None:
    for stamp in find_stamps(text):
        assert stamp.text and stamp.text in text
        assert stamp.kind in {"bates", "control", "case", "classification", "release"}
        if stamp.kind == "bates":
            assert bates_number(stamp.value) is not None
            assert bates_number(stamp.text) == bates_number(stamp.value)
    is_page_furniture(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    find_stamps(text)
    is_page_furniture(text)
    bates_number(text)
    bates_gaps(text.split())
