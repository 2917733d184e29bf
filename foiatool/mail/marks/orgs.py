"""Organisations from mail domains: the parent domain that groups them, a readable label, and a kind."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

OrgKind = Literal["federal", "state", "local", "military", "legislative", "personal", "other"]


@dataclass(frozen=True, slots=True)
class Org:
    """Who runs a mail domain.

    ``parent`` is the registrable domain that groups sub-domains
    (``ice.dhs.gov`` and ``cbp.dhs.gov`` both give ``dhs.gov``); it is what
    "same organisation" means when people are merged. A personal mail
    provider is never an organisation in that sense.
    """

    domain: str
    parent: str
    label: str
    kind: str

    @property
    def is_organisation(self) -> bool:
        """Whether sharing this org is evidence that two addresses belong to one employer."""
        tld = self.parent.rsplit(".", 1)[-1]
        return self.kind != "personal" and "." in self.parent and tld.isalpha()


# Second-level labels under which registrations happen one level deeper
# (john@x.co.uk belongs to x.co.uk, not to co.uk). Not the whole Public Suffix
# List: the handful that turn up in government and press mail.
_COUNTRY_SECOND_LEVEL = frozenset(
    """
    co.uk org.uk ac.uk gov.uk ltd.uk plc.uk net.uk me.uk nhs.uk police.uk sch.uk
    com.au net.au org.au edu.au gov.au asn.au id.au
    gc.ca on.ca qc.ca bc.ca ab.ca mb.ca ns.ca nb.ca nl.ca pe.ca sk.ca
    co.nz org.nz net.nz ac.nz govt.nz school.nz
    co.jp ne.jp or.jp go.jp ac.jp ad.jp ed.jp lg.jp
    co.in net.in org.in gov.in nic.in ac.in res.in
    com.br net.br org.br gov.br edu.br jus.br leg.br mp.br
    com.mx org.mx gob.mx edu.mx net.mx
    co.za org.za gov.za ac.za net.za
    com.cn net.cn org.cn gov.cn edu.cn ac.cn
    com.sg gov.sg edu.sg org.sg net.sg
    com.hk gov.hk org.hk edu.hk net.hk
    co.il org.il gov.il ac.il net.il muni.il
    co.kr or.kr go.kr ac.kr ne.kr
    com.tr gov.tr org.tr edu.tr
    com.ar gob.ar org.ar net.ar
    com.co gov.co org.co edu.co
    gob.es com.es org.es
    gouv.fr
    gv.at co.at or.at ac.at
    com.ph gov.ph org.ph
    com.my gov.my org.my
    com.pk gov.pk org.pk
    com.ng gov.ng org.ng
    co.ke go.ke or.ke
    com.ua gov.ua org.ua
    com.tw gov.tw org.tw edu.tw
    fed.us
    """.split()
)

_US_STATE_CODES = frozenset(
    "al ak az ar ca co ct de dc fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny "
    "nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy pr gu vi as mp".split()
)

# Personal mail providers and consumer ISPs: two people at gmail.com share nothing but a provider.
_PERSONAL = frozenset(
    """
    gmail.com googlemail.com yahoo.com ymail.com rocketmail.com aol.com aim.com
    hotmail.com outlook.com live.com msn.com passport.com
    icloud.com me.com mac.com
    comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net earthlink.net
    optonline.net optimum.net frontier.com frontiernet.net windstream.net centurylink.net embarqmail.com
    rr.com roadrunner.com twc.com spectrum.net juno.com netzero.net netzero.com cs.com prodigy.net
    mindspring.com q.com suddenlink.net mediacombb.net wowway.com rcn.com
    protonmail.com protonmail.ch proton.me pm.me tutanota.com tutanota.de tuta.io
    fastmail.com fastmail.fm hushmail.com hey.com zohomail.com mail.com email.com usa.com inbox.com
    gmx.com gmx.net gmx.de gmx.at web.de t-online.de freenet.de
    orange.fr free.fr laposte.net sfr.fr wanadoo.fr
    btinternet.com sky.com virginmedia.com talktalk.net ntlworld.com
    bigpond.com bigpond.net.au optusnet.com.au
    sympatico.ca shaw.ca rogers.com videotron.ca telus.net
    yandex.ru yandex.com mail.ru rambler.ru list.ru bk.ru inbox.ru
    qq.com 163.com 126.com sina.com sohu.com yeah.net
    naver.com daum.net hanmail.net iki.fi
    libero.it virgilio.it tiscali.it
    """.split()
)
# Providers that register the same name under many country domains (yahoo.co.uk, hotmail.fr).
_PERSONAL_BRANDS = frozenset({"yahoo", "hotmail", "outlook", "live", "gmx", "ymail", "aol"})

_FEDERAL = {
    # Homeland Security
    "dhs.gov": "Department of Homeland Security",
    "hq.dhs.gov": "Department of Homeland Security Headquarters",
    "ice.dhs.gov": "U.S. Immigration and Customs Enforcement",
    "cbp.dhs.gov": "U.S. Customs and Border Protection",
    "uscis.dhs.gov": "U.S. Citizenship and Immigration Services",
    "fema.dhs.gov": "Federal Emergency Management Agency",
    "tsa.dhs.gov": "Transportation Security Administration",
    "usss.dhs.gov": "U.S. Secret Service",
    "cisa.dhs.gov": "Cybersecurity and Infrastructure Security Agency",
    "fletc.dhs.gov": "Federal Law Enforcement Training Centers",
    "ice.gov": "U.S. Immigration and Customs Enforcement",
    "cbp.gov": "U.S. Customs and Border Protection",
    "uscis.gov": "U.S. Citizenship and Immigration Services",
    "fema.gov": "Federal Emergency Management Agency",
    "tsa.gov": "Transportation Security Administration",
    "secretservice.gov": "U.S. Secret Service",
    # Justice
    "usdoj.gov": "Department of Justice",
    "justice.gov": "Department of Justice",
    "usa.doj.gov": "U.S. Attorneys' Offices",
    "fbi.gov": "Federal Bureau of Investigation",
    "ic.fbi.gov": "Federal Bureau of Investigation",
    "atf.gov": "Bureau of Alcohol, Tobacco, Firearms and Explosives",
    "dea.gov": "Drug Enforcement Administration",
    "usmarshals.gov": "U.S. Marshals Service",
    "usms.doj.gov": "U.S. Marshals Service",
    "bop.gov": "Federal Bureau of Prisons",
    # Executive Office of the President
    "whitehouse.gov": "The White House",
    "eop.gov": "Executive Office of the President",
    "who.eop.gov": "White House Office",
    "omb.eop.gov": "Office of Management and Budget",
    "ovp.eop.gov": "Office of the Vice President",
    "nsc.eop.gov": "National Security Council",
    "ostp.eop.gov": "Office of Science and Technology Policy",
    "ustr.eop.gov": "Office of the U.S. Trade Representative",
    "ceq.eop.gov": "Council on Environmental Quality",
    "ondcp.eop.gov": "Office of National Drug Control Policy",
    # Cabinet departments and their bureaus
    "state.gov": "Department of State",
    "treasury.gov": "Department of the Treasury",
    "irs.gov": "Internal Revenue Service",
    "hhs.gov": "Department of Health and Human Services",
    "cdc.gov": "Centers for Disease Control and Prevention",
    "fda.gov": "U.S. Food and Drug Administration",
    "fda.hhs.gov": "U.S. Food and Drug Administration",
    "nih.gov": "National Institutes of Health",
    "cms.hhs.gov": "Centers for Medicare & Medicaid Services",
    "acf.hhs.gov": "Administration for Children and Families",
    "epa.gov": "U.S. Environmental Protection Agency",
    "doi.gov": "Department of the Interior",
    "ios.doi.gov": "Department of the Interior, Office of the Secretary",
    "nps.gov": "National Park Service",
    "blm.gov": "Bureau of Land Management",
    "fws.gov": "U.S. Fish and Wildlife Service",
    "usgs.gov": "U.S. Geological Survey",
    "bia.gov": "Bureau of Indian Affairs",
    "usbr.gov": "Bureau of Reclamation",
    "boem.gov": "Bureau of Ocean Energy Management",
    "usda.gov": "Department of Agriculture",
    "fs.fed.us": "U.S. Forest Service",
    "fs.usda.gov": "U.S. Forest Service",
    "dot.gov": "Department of Transportation",
    "faa.gov": "Federal Aviation Administration",
    "ed.gov": "Department of Education",
    "hud.gov": "Department of Housing and Urban Development",
    "va.gov": "Department of Veterans Affairs",
    "energy.gov": "Department of Energy",
    "doe.gov": "Department of Energy",
    "hq.doe.gov": "Department of Energy",
    "dol.gov": "Department of Labor",
    "commerce.gov": "Department of Commerce",
    "doc.gov": "Department of Commerce",
    "noaa.gov": "National Oceanic and Atmospheric Administration (Commerce)",
    "census.gov": "U.S. Census Bureau (Commerce)",
    "uspto.gov": "U.S. Patent and Trademark Office (Commerce)",
    "nist.gov": "National Institute of Standards and Technology (Commerce)",
    "defense.gov": "Department of Defense",
    # Independent agencies
    "sec.gov": "U.S. Securities and Exchange Commission",
    "ferc.gov": "Federal Energy Regulatory Commission",
    "ftc.gov": "Federal Trade Commission",
    "fcc.gov": "Federal Communications Commission",
    "nasa.gov": "National Aeronautics and Space Administration",
    "opm.gov": "U.S. Office of Personnel Management",
    "gsa.gov": "U.S. General Services Administration",
    "ssa.gov": "Social Security Administration",
    "sba.gov": "U.S. Small Business Administration",
    "usps.gov": "U.S. Postal Service",
    "nrc.gov": "U.S. Nuclear Regulatory Commission",
    "nara.gov": "National Archives and Records Administration",
    "fec.gov": "Federal Election Commission",
    "frb.gov": "Federal Reserve Board",
    "federalreserve.gov": "Federal Reserve Board",
    "fdic.gov": "Federal Deposit Insurance Corporation",
    "cfpb.gov": "Consumer Financial Protection Bureau",
    "nlrb.gov": "National Labor Relations Board",
    "eeoc.gov": "U.S. Equal Employment Opportunity Commission",
    "osc.gov": "U.S. Office of Special Counsel",
    "oge.gov": "U.S. Office of Government Ethics",
    "usaid.gov": "U.S. Agency for International Development",
    "peacecorps.gov": "Peace Corps",
    "cia.gov": "Central Intelligence Agency",
    "nsa.gov": "National Security Agency",
    "dni.gov": "Office of the Director of National Intelligence",
    "odni.gov": "Office of the Director of National Intelligence",
    # Judiciary
    "uscourts.gov": "U.S. Courts",
    "supremecourt.gov": "Supreme Court of the United States",
    "fjc.gov": "Federal Judicial Center",
}

_MILITARY = {
    "mail.mil": "Department of Defense (enterprise mail)",
    "osd.mil": "Office of the Secretary of Defense",
    "army.mil": "U.S. Army",
    "navy.mil": "U.S. Navy",
    "us.navy.mil": "U.S. Navy",
    "af.mil": "U.S. Air Force",
    "us.af.mil": "U.S. Air Force",
    "usmc.mil": "U.S. Marine Corps",
    "uscg.mil": "U.S. Coast Guard",
    "spaceforce.mil": "U.S. Space Force",
    "socom.mil": "U.S. Special Operations Command",
    "disa.mil": "Defense Information Systems Agency",
    "dla.mil": "Defense Logistics Agency",
    "ng.mil": "National Guard",
}

_LEGISLATIVE = {
    "senate.gov": "U.S. Senate",
    "house.gov": "U.S. House of Representatives",
    "mail.house.gov": "U.S. House of Representatives",
    "gao.gov": "U.S. Government Accountability Office",
    "loc.gov": "Library of Congress",
    "crs.loc.gov": "Congressional Research Service",
    "cbo.gov": "Congressional Budget Office",
    "gpo.gov": "U.S. Government Publishing Office",
    "aoc.gov": "Architect of the Capitol",
    "parliament.uk": "UK Parliament",
    "asm.ca.gov": "California State Assembly",
    "sen.ca.gov": "California State Senate",
    "nysenate.gov": "New York State Senate",
    "nyassembly.gov": "New York State Assembly",
}

_STATE = {
    "ca.gov": "State of California",
    "doj.ca.gov": "California Department of Justice",
    "gov.ca.gov": "Office of the Governor of California",
    "sos.ca.gov": "California Secretary of State",
    "chp.ca.gov": "California Highway Patrol",
    "cdcr.ca.gov": "California Department of Corrections and Rehabilitation",
    "dmv.ca.gov": "California Department of Motor Vehicles",
    "cdph.ca.gov": "California Department of Public Health",
    "ny.gov": "State of New York",
    "exec.ny.gov": "New York State Executive Chamber",
    "texas.gov": "State of Texas",
    "tx.gov": "State of Texas",
    "myflorida.com": "State of Florida",
    "flgov.com": "Office of the Governor of Florida",
    "wa.gov": "State of Washington",
    "oregon.gov": "State of Oregon",
    "nv.gov": "State of Nevada",
    "az.gov": "State of Arizona",
    "colorado.gov": "State of Colorado",
    "state.co.us": "State of Colorado",
    "illinois.gov": "State of Illinois",
    "mass.gov": "Commonwealth of Massachusetts",
    "state.ma.us": "Commonwealth of Massachusetts",
    "nj.gov": "State of New Jersey",
    "pa.gov": "Commonwealth of Pennsylvania",
    "michigan.gov": "State of Michigan",
    "ohio.gov": "State of Ohio",
    "georgia.gov": "State of Georgia",
    "ga.gov": "State of Georgia",
    "nc.gov": "State of North Carolina",
    "virginia.gov": "Commonwealth of Virginia",
    "maryland.gov": "State of Maryland",
    "dc.gov": "Government of the District of Columbia",
    "ct.gov": "State of Connecticut",
    "mn.gov": "State of Minnesota",
    "wisconsin.gov": "State of Wisconsin",
    "wi.gov": "State of Wisconsin",
    "in.gov": "State of Indiana",
    "tn.gov": "State of Tennessee",
    "ky.gov": "Commonwealth of Kentucky",
    "la.gov": "State of Louisiana",
    "utah.gov": "State of Utah",
    "nm.gov": "State of New Mexico",
    "alaska.gov": "State of Alaska",
    "hawaii.gov": "State of Hawaii",
    "idaho.gov": "State of Idaho",
    "iowa.gov": "State of Iowa",
    "ks.gov": "State of Kansas",
    "mo.gov": "State of Missouri",
    "mt.gov": "State of Montana",
    "nebraska.gov": "State of Nebraska",
    "nh.gov": "State of New Hampshire",
    "nd.gov": "State of North Dakota",
    "ok.gov": "State of Oklahoma",
    "ri.gov": "State of Rhode Island",
    "sc.gov": "State of South Carolina",
    "sd.gov": "State of South Dakota",
    "vermont.gov": "State of Vermont",
    "wv.gov": "State of West Virginia",
    "wyo.gov": "State of Wyoming",
    "maine.gov": "State of Maine",
    "delaware.gov": "State of Delaware",
    "alabama.gov": "State of Alabama",
    "arkansas.gov": "State of Arkansas",
    "ms.gov": "State of Mississippi",
}

_LOCAL = {
    "sccgov.org": "County of Santa Clara",
    "sfgov.org": "City and County of San Francisco",
    "lacity.org": "City of Los Angeles",
    "lacounty.gov": "County of Los Angeles",
    "nyc.gov": "City of New York",
    "nypd.org": "New York City Police Department",
    "cityofchicago.org": "City of Chicago",
    "seattle.gov": "City of Seattle",
    "boston.gov": "City of Boston",
    "phila.gov": "City of Philadelphia",
    "houstontx.gov": "City of Houston",
    "sanjoseca.gov": "City of San José",
    "oaklandca.gov": "City of Oakland",
    "portlandoregon.gov": "City of Portland",
    "denvergov.org": "City and County of Denver",
    "miamidade.gov": "Miami-Dade County",
    "cookcountyil.gov": "Cook County",
}

_OTHER = {
    "europa.eu": "European Union institutions",
    "un.org": "United Nations",
}

_KNOWN: dict[str, tuple[str, str]] = {}
for _table, _kind in (
    (_FEDERAL, "federal"),
    (_MILITARY, "military"),
    (_LEGISLATIVE, "legislative"),
    (_STATE, "state"),
    (_LOCAL, "local"),
    (_OTHER, "other"),
):
    for _domain, _label in _table.items():
        _KNOWN[_domain] = (_label, _kind)

# Second-level names under .gov that say "city", "county" and so on belong to local government.
_LOCAL_WORDS = re.compile(r"county|cityof|^city|city$|township|^townof|village|borough|parish|sheriff")
# First labels of a state sub-domain that are the state legislature (assembly.state.ny.us, sen.ca.gov).
_LEGISLATURE_LABELS = frozenset({"asm", "assembly", "sen", "senate", "house", "legislature", "leg", "legis"})
_IP_LITERAL = re.compile(r"^[0-9.]+$|:")


def registrable_domain(domain: str) -> str:
    """The domain an organisation registered: two labels, three under co.uk-style second levels and US states."""
    labels = domain.split(".")
    if len(labels) <= 2:
        return domain
    last_two = ".".join(labels[-2:])
    if last_two in _COUNTRY_SECOND_LEVEL or (labels[-1] == "us" and labels[-2] in _US_STATE_CODES):
        # state.ny.us and ci.boston.ma.us register one level below the state
        return ".".join(labels[-3:])
    return last_two


def _clean_domain(domain: str) -> str:
    text = domain.strip().lower().rstrip(".")
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = text.strip("<>[] ")
    return ".".join(label for label in text.split(".") if label)


def _nearest_known(domain: str) -> tuple[str, str, str] | None:
    """The most specific table entry covering ``domain`` (mail.ice.dhs.gov is covered by ice.dhs.gov)."""
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        known = _KNOWN.get(candidate)
        if known:
            return candidate, known[0], known[1]
    return None


def _is_personal(parent: str) -> bool:
    if parent in _PERSONAL:
        return True
    brand, _, suffix = parent.partition(".")
    return brand in _PERSONAL_BRANDS and suffix.split(".")[-1] not in ("gov", "mil", "edu")


@lru_cache(maxsize=65536)
def organisation(domain: str) -> Org:
    """The organisation behind a mail domain; never raises, whatever the text."""
    text = _clean_domain(domain)
    if not text or "." not in text or _IP_LITERAL.search(text):
        return Org(domain=text, parent=text, label=text or "(no domain)", kind="other")
    parent = registrable_domain(text)
    if _is_personal(parent):
        return Org(domain=text, parent=parent, label=f"personal mail ({parent})", kind="personal")

    labels = text.split(".")
    known = _nearest_known(text)
    if known:
        where, label, kind = known
        if where != text and where == parent and kind in ("federal", "state", "local", "other"):
            # cdph.ca.gov under ca.gov: name the umbrella and keep the department's domain visible
            label = f"{label} ({text})"
        if kind == "state" and where == parent and labels[0] in _LEGISLATURE_LABELS and text != parent:
            kind = "legislative"
        return Org(domain=text, parent=parent, label=label, kind=kind)

    tld = labels[-1]
    second = labels[-2]
    if tld == "mil":
        return Org(text, parent, f"U.S. military ({text})", "military")
    if tld == "us" and second in _US_STATE_CODES:
        # state.ny.us is the state; ci.boston.ma.us, co.marin.ca.us and the like are local
        state_level = len(labels) >= 3 and labels[-3] == "state"
        if state_level and labels[0] in _LEGISLATURE_LABELS and len(labels) > 3:
            return Org(text, parent, f"U.S. state legislature ({text})", "legislative")
        kind = "state" if state_level else "local"
        return Org(text, parent, f"U.S. {'state' if state_level else 'local'} government ({text})", kind)
    if parent == "fed.us" or (tld == "us" and second == "fed"):
        return Org(text, parent, f"U.S. government ({text})", "federal")
    if tld == "gov":
        if _LOCAL_WORDS.search(parent.split(".")[0]):
            return Org(text, parent, f"U.S. local government ({text})", "local")
        return Org(text, parent, f"U.S. government ({text})", "other")
    if tld == "uk" and second == "gov":
        return Org(text, parent, f"UK government ({text})", "other")
    if tld == "ca" and second == "gc":
        return Org(text, parent, f"Government of Canada ({text})", "other")
    if tld == "au" and second == "gov":
        return Org(text, parent, f"Australian government ({text})", "other")
    if second in ("gov", "gob", "gouv", "govt", "go", "gv"):
        return Org(text, parent, f"Government ({text})", "other")
    return Org(text, parent, parent, "other")


def organisation_of_email(email: str) -> Org | None:
    """The organisation of an address, or None when it has no domain part."""
    if "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1]
    return organisation(domain) if domain.strip() else None


__all__ = ["Org", "OrgKind", "organisation", "organisation_of_email", "registrable_domain"]
