"""Organisations from mail domains: grouping by parent domain, labels, kinds, personal providers."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foiatool.mail.marks.orgs import (
    Org,
    organisation,
    organisation_of_email,
    registrable_domain,
)


@pytest.mark.parametrize(
    ("domain", "parent"),
    [
        ("ice.dhs.gov", "dhs.gov"),
        ("cbp.dhs.gov", "dhs.gov"),
        ("dhs.gov", "dhs.gov"),
        ("doj.ca.gov", "ca.gov"),
        ("sccgov.org", "sccgov.org"),
        ("mail.house.gov", "house.gov"),
        ("mail.ice.dhs.gov", "dhs.gov"),
        ("us.af.mil", "af.mil"),
        ("hmrc.gsi.gov.uk", "gsi.gov.uk"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("abc.net.au", "abc.net.au"),
        ("cbsa-asfc.gc.ca", "cbsa-asfc.gc.ca"),
        ("fs.fed.us", "fs.fed.us"),
        ("ci.boston.ma.us", "boston.ma.us"),
        ("example.com", "example.com"),
        ("a.b.example.org", "example.org"),
    ],
)
def test_parent_domain_groups_subdomains(domain: str, parent: str) -> None:
    assert organisation(domain).parent == parent
    assert registrable_domain(domain) == parent


@pytest.mark.parametrize(
    ("domain", "label", "kind"),
    [
        ("dhs.gov", "Department of Homeland Security", "federal"),
        ("ice.dhs.gov", "U.S. Immigration and Customs Enforcement", "federal"),
        ("cbp.dhs.gov", "U.S. Customs and Border Protection", "federal"),
        ("fbi.gov", "Federal Bureau of Investigation", "federal"),
        ("who.eop.gov", "White House Office", "federal"),
        ("noaa.gov", "National Oceanic and Atmospheric Administration (Commerce)", "federal"),
        ("uscourts.gov", "U.S. Courts", "federal"),
        ("ca.gov", "State of California", "state"),
        ("doj.ca.gov", "California Department of Justice", "state"),
        ("ny.gov", "State of New York", "state"),
        ("texas.gov", "State of Texas", "state"),
        ("sccgov.org", "County of Santa Clara", "local"),
        ("mail.mil", "Department of Defense (enterprise mail)", "military"),
        ("army.mil", "U.S. Army", "military"),
        ("navy.mil", "U.S. Navy", "military"),
        ("senate.gov", "U.S. Senate", "legislative"),
        ("mail.house.gov", "U.S. House of Representatives", "legislative"),
        ("gao.gov", "U.S. Government Accountability Office", "legislative"),
        # Virginia's postal code, but va.gov is Veterans Affairs
        ("va.gov", "Department of Veterans Affairs", "federal"),
    ],
)
def test_known_government_domains_have_readable_labels(domain: str, label: str, kind: str) -> None:
    org = organisation(domain)
    assert (org.label, org.kind) == (label, kind)
    assert org.is_organisation


def test_unlisted_subdomain_names_its_umbrella_and_itself() -> None:
    assert organisation("jmd.usdoj.gov") == Org(
        "jmd.usdoj.gov", "usdoj.gov", "Department of Justice (jmd.usdoj.gov)", "federal"
    )
    # a sub-domain of a listed agency is that agency
    assert organisation("mail.ice.dhs.gov").label == "U.S. Immigration and Customs Enforcement"
    assert organisation("senate.texas.gov").kind == "legislative"


def test_rules_for_unlisted_government_domains() -> None:
    assert organisation("foo.gov") == Org("foo.gov", "foo.gov", "U.S. government (foo.gov)", "other")
    assert organisation("kingcounty.gov").kind == "local"
    assert organisation("kingcounty.gov").label == "U.S. local government (kingcounty.gov)"
    assert organisation("socom.mil").kind == "military"
    assert organisation("x.unit.mil") == Org("x.unit.mil", "unit.mil", "U.S. military (x.unit.mil)", "military")
    assert organisation("state.ny.us").kind == "state"
    assert organisation("hmrc.gov.uk").label == "UK government (hmrc.gov.uk)"
    assert organisation("tbs-sct.gc.ca").label == "Government of Canada (tbs-sct.gc.ca)"


@pytest.mark.parametrize(
    "domain", ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com", "me.com", "comcast.net", "yahoo.co.uk", "hotmail.fr"]
)
def test_personal_providers_are_not_organisations(domain: str) -> None:
    org = organisation(domain)
    assert org.kind == "personal"
    assert org.label == f"personal mail ({org.parent})"
    assert not org.is_organisation


def test_ordinary_companies_group_by_registrable_domain() -> None:
    assert organisation("Mail.Example.COM.") == Org("mail.example.com", "example.com", "example.com", "other")
    assert organisation("bbc.co.uk").is_organisation


def test_domain_text_is_cleaned_and_degenerate_domains_are_not_organisations() -> None:
    assert organisation("") == Org("", "", "(no domain)", "other")
    assert not organisation("").is_organisation
    assert not organisation("localhost").is_organisation
    assert organisation("[192.0.2.1]").domain == "192.0.2.1"
    assert not organisation("[192.0.2.1]").is_organisation
    assert organisation("a..example.com").parent == "example.com"


def test_organisation_of_email() -> None:
    assert organisation_of_email("john.morton@ice.dhs.gov") == organisation("ice.dhs.gov")
    assert organisation_of_email("no-at-sign") is None
    assert organisation_of_email("trailing@") is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_organisation_never_raises_and_parent_is_a_suffix(domain: str) -> None:
    org = organisation(domain)
    assert org.kind in {"federal", "state", "local", "military", "legislative", "personal", "other"}
    assert org.domain.endswith(org.parent)
    assert org.label
