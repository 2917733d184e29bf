"""Writes foiatool's sample FOIA release (dump/, release/, truth.json, README.md) from one story table.

Run ``python samples/make_samples.py`` to rewrite the committed samples, or
``--out DIR`` to write a fresh copy elsewhere. The output depends only on this
file, the standard library's ``email`` package and fpdf2: fixed dates, no
clock, no randomness, no compression that varies between zlib builds.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import quoprimime
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message as MimeMessage
from email.policy import compat32
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
RELEASE_NUMBER = "2011-FOIA-000123"
RELEASE_HEADER = f"U.S. Immigration and Customs Enforcement \u2014 FOIA {RELEASE_NUMBER}"
BATES_PREFIX = "ICE-2011-FOIA-"
BATES_FIRST = 101
# The page the agency withheld in full: its Bates number is skipped, which a gap report must find.
BATES_SKIPPED = 104


# ---------------------------------------------------------------------------
# Organisations and people
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    domain: str


ORGANISATIONS = [
    Organisation("ice", "U.S. Immigration and Customs Enforcement", "ice.dhs.gov"),
    Organisation("cbp", "U.S. Customs and Border Protection", "cbp.dhs.gov"),
    Organisation("dhs", "U.S. Department of Homeland Security (headquarters)", "dhs.gov"),
    Organisation("cadoj", "California Department of Justice", "doj.ca.gov"),
    Organisation("scc", "County of Santa Clara", "sccgov.org"),
    Organisation("pclp", "Pacific Civil Liberties Project", "pcl-project.org"),
]
ORG = {o.key: o for o in ORGANISATIONS}

ICE_FOUO = (
    "WARNING: This document is UNCLASSIFIED//FOR OFFICIAL USE ONLY (U//FOUO). It contains information "
    "that may be exempt from public release under the Freedom of Information Act. It is to be controlled, "
    "stored, handled, transmitted, distributed, and disposed of in accordance with DHS policy relating to "
    "FOUO information and is not to be released to the public or other personnel who do not have a valid "
    '"need-to-know" without prior approval of an authorized DHS official.'
)
COUNTY_COUNSEL_NOTICE = (
    "CONFIDENTIALITY NOTICE: This email and any attachments are confidential and may contain information "
    "protected by the attorney-client privilege and/or the attorney work product doctrine. If you are not "
    "the intended recipient, please notify the sender and delete this message."
)
CADOJ_NOTICE = (
    "CONFIDENTIALITY NOTICE: This communication with its contents may contain confidential and/or legally "
    "privileged information. It is solely for the use of the intended recipient(s). Unauthorized "
    "interception, review, use or disclosure is prohibited and may violate applicable laws including the "
    "Electronic Communications Privacy Act. If you are not the intended recipient, please contact the "
    "sender and destroy all copies of the communication."
)


@dataclass(frozen=True)
class Person:
    key: str
    first: str
    last: str
    org: str
    addresses: tuple[str, ...]
    zone: str  # "ET" or "PT"
    title: str
    signature: str
    disclaimer: str = ""
    last_first: bool = True  # Outlook shops write "Last, First"

    @property
    def address(self) -> str:
        return self.addresses[0]

    @property
    def display(self) -> str:
        return f"{self.last}, {self.first}" if self.last_first else f"{self.first} {self.last}"

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


PEOPLE_LIST = [
    Person("morton_john", "John", "Morton", "ice", ("john.morton@ice.dhs.gov",), "ET", "Director",
           "John Morton\nDirector\nU.S. Immigration and Customs Enforcement"),
    Person("lee_david", "David", "Lee", "ice", ("david.lee@ice.dhs.gov", "dlee@ice.dhs.gov"), "ET",
           "Unit Chief, Secure Communities Program Management Office",
           "David Lee\nUnit Chief, Secure Communities Program Management Office\n"
           "U.S. Immigration and Customs Enforcement\nDesk: 202-555-0143 | Cell: (b)(6)", ICE_FOUO),
    Person("chen_michael_ice", "Michael", "Chen", "ice", ("michael.chen@ice.dhs.gov",), "PT",
           "Assistant Field Office Director, ERO San Francisco",
           "Michael Chen\nAssistant Field Office Director\nEnforcement and Removal Operations, San Francisco\n"
           "U.S. Immigration and Customs Enforcement\nOffice: 415-555-0178"),
    Person("whitfield_sandra", "Sandra", "Whitfield", "ice", ("sandra.whitfield@ice.dhs.gov",), "ET",
           "Government Information Specialist, ICE FOIA Office",
           "Sandra Whitfield\nGovernment Information Specialist\nFreedom of Information Act Office\n"
           "U.S. Immigration and Customs Enforcement\n500 12th Street SW, Stop 5009\n"
           "Washington, DC 20536-5009\nTel: 202-555-0162", ICE_FOUO),
    Person("tan_gregory", "Gregory", "Tan", "ice", ("gregory.tan@ice.dhs.gov",), "ET",
           "Management and Program Analyst, Secure Communities",
           "Gregory Tan\nManagement and Program Analyst\nSecure Communities | ICE"),
    Person("oneill_karen", "Karen", "O'Neill", "cbp", ("karen.oneill@cbp.dhs.gov",), "ET",
           "Liaison Officer, Office of Field Operations",
           "Karen O'Neill\nLiaison Officer, Office of Field Operations\nU.S. Customs and Border Protection\n"
           "202-555-0119"),
    Person("alvarez_robert", "Robert", "Alvarez", "dhs", ("robert.alvarez@dhs.gov",), "ET",
           "Associate General Counsel",
           "Robert Alvarez\nAssociate General Counsel (General Law)\nOffice of the General Counsel\n"
           "U.S. Department of Homeland Security"),
    Person("gutierrez_renee", "Ren\u00e9e", "Guti\u00e9rrez", "cadoj", ("renee.gutierrez@doj.ca.gov",), "PT",
           "Deputy Attorney General",
           "Ren\u00e9e Guti\u00e9rrez\nDeputy Attorney General\nCalifornia Department of Justice\n"
           "1300 I Street, Sacramento, CA 95814\n(916) 555-0107", CADOJ_NOTICE),
    Person("whitaker_thomas", "Thomas", "Whitaker", "cadoj", ("thomas.whitaker@doj.ca.gov",), "PT",
           "Bureau of Criminal Information and Analysis",
           "Thomas Whitaker\nBureau of Criminal Information and Analysis\nCalifornia Department of Justice\n"
           "(916) 555-0155", last_first=False),
    Person("chen_michael_scc", "Michael", "Chen", "scc", ("michael.chen@sccgov.org",), "PT",
           "Captain, Custody Bureau, Office of the Sheriff",
           "Capt. Michael Chen\nCustody Bureau, Office of the Sheriff\nCounty of Santa Clara\n(408) 555-0121"),
    Person("okafor_margaret", "Margaret", "Okafor", "scc", ("margaret.okafor@sccgov.org",), "PT",
           "Lead Deputy County Counsel",
           "Margaret Okafor\nLead Deputy County Counsel\nOffice of the County Counsel, County of Santa Clara\n"
           "70 West Hedding Street, East Wing, 9th Floor\nSan Jose, CA 95110\n(408) 555-0190",
           COUNTY_COUNSEL_NOTICE),
    Person("park_steven", "Steven", "Park", "scc", ("steven.park@sccgov.org",), "PT",
           "Public Records Coordinator, Office of the Sheriff",
           "Steven Park\nPublic Records Coordinator\nOffice of the Sheriff, County of Santa Clara\n(408) 555-0134"),
    Person("tanaka_yuki", "Yuki", "Tanaka", "scc", ("yuki.tanaka@sccgov.org",), "PT",
           "Program Manager, Office of Immigrant Relations",
           "Yuki Tanaka\nProgram Manager, Office of Immigrant Relations\nCounty of Santa Clara"),
    Person("vasquez_elena", "Elena", "Vasquez", "pclp", ("evasquez@pcl-project.org",), "PT",
           "Staff Attorney",
           "Elena Vasquez\nStaff Attorney\nPacific Civil Liberties Project\n(415) 555-0188", last_first=False),
]
PEOPLE = {p.key: p for p in PEOPLE_LIST}
REDACTED_RECIPIENT = "(b)(6)"


# ---------------------------------------------------------------------------
# Time: 2011 US daylight saving began 13 March and ended 6 November
# ---------------------------------------------------------------------------

_ZONES = {"ET": (-5, -4, "EST", "EDT"), "PT": (-8, -7, "PST", "PDT")}
_DST_START_LOCAL = datetime(2011, 3, 13, 3, 0)
_DST_END_LOCAL = datetime(2011, 11, 6, 1, 0)


def zone_offset(zone: str, local: datetime) -> timedelta:
    std, dst, _, _ = _ZONES[zone]
    return timedelta(hours=dst if _DST_START_LOCAL <= local < _DST_END_LOCAL else std)


def to_utc(zone: str, local_text: str) -> datetime:
    local = datetime.strptime(local_text, "%Y-%m-%d %H:%M:%S")
    return (local - zone_offset(zone, local)).replace(tzinfo=timezone.utc)


def in_zone(utc: datetime, zone: str) -> tuple[datetime, timedelta]:
    naive = utc.replace(tzinfo=None)
    std, dst, _, _ = _ZONES[zone]
    for hours in (dst, std):
        local = naive + timedelta(hours=hours)
        if zone_offset(zone, local) == timedelta(hours=hours):
            return local, timedelta(hours=hours)
    raise ValueError(utc)


_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def _clock(local: datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def rfc_date(utc: datetime, zone: str) -> str:
    """Exchange's Date header: ``Tue, 1 Mar 2011 10:14:22 -0500``."""
    local, offset = in_zone(utc, zone)
    hours = int(offset.total_seconds() // 3600)
    return (f"{_DAYS[local.weekday()][:3]}, {local.day} {_MONTHS[local.month - 1][:3]} {local.year} "
            f"{local:%H:%M:%S} {'-' if hours < 0 else '+'}{abs(hours):02d}00")


def outlook_sent(utc: datetime, zone: str) -> str:
    """Outlook's printed/quoted form: ``Monday, March 07, 2011 4:12 PM`` (local, no zone)."""
    local, _ = in_zone(utc, zone)
    return f"{_DAYS[local.weekday()]}, {_MONTHS[local.month - 1]} {local.day:02d}, {local.year} {_clock(local)}"


def on_wrote_date(utc: datetime, zone: str) -> str:
    local, _ = in_zone(utc, zone)
    return f"{_DAYS[local.weekday()][:3]}, {_MONTHS[local.month - 1][:3]} {local.day}, {local.year} at {_clock(local)}"


def blackberry_sent(utc: datetime, zone: str) -> str:
    local, _ = in_zone(utc, zone)
    return f"{_DAYS[local.weekday()][:3]} {_MONTHS[local.month - 1][:3]} {local.day} {local:%H:%M:%S} {local.year}"


def mbox_from_line(address: str, utc: datetime) -> str:
    return f"From {address} {_DAYS[utc.weekday()][:3]} {_MONTHS[utc.month - 1][:3]} {utc.day:2d} {utc:%H:%M:%S} {utc.year}"


def iso_utc(utc: datetime) -> str:
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# The story table
# ---------------------------------------------------------------------------


@dataclass
class Story:
    """One message of the story, before it is written anywhere."""

    key: str
    thread: str
    sender: str
    to: tuple
    when: str  # local wall-clock time in the sender's zone
    subject: str
    text: str  # what the sender typed
    cc: tuple = ()
    quote: tuple[str, str] | None = None  # (parent key, "outlook" | "on-wrote" | "blackberry")
    sender_addr: str | None = None
    sender_name: str | None = None
    signature: str | None = None  # None: the person's own; "" none
    disclaimer: bool = False
    message_id: bool = True  # does the dump's copy keep Message-ID/In-Reply-To/References?
    where: tuple[str, ...] = ()
    withheld: bool = False
    pdf: bool = False
    charset: str | None = None
    html: str | None = None
    date_header: str | None = None
    attachments: tuple[str, ...] = ()


def R(person: str, name: str | None = None, addr: str | None = None) -> tuple[str, str | None, str | None]:
    """A recipient that is written differently from the person's usual form."""
    return (person, name, addr)


STORY: list[Story] = [
    # -- T1: activation in Santa Clara County ------------------------------------------------
    Story("act-1", "activation", "lee_david", ("chen_michael_scc", "okafor_margaret"), "2011-03-01 10:14:22",
          "Secure Communities activation - Santa Clara County",
          """Captain Chen, Ms. Okafor,

As discussed on Friday's call, ICE is prepared to activate Secure Communities in Santa Clara County on March 15, 2011. On activation, fingerprints the Sheriff's Office submits to the California Department of Justice at booking will be checked against DHS's IDENT system as well as the FBI's IAFIS, and ICE will receive an automatic notification of any match.

No new equipment or procedure is required at the Main Jail. Live Scan submissions continue exactly as today; the change is on the federal side.

I am attaching nothing today, but the standard operating procedures and the activation fact sheet will follow from our office this week. Please let me know who on the County side should receive them.

I have copied Michael Chen, our Assistant Field Office Director in San Francisco, who will be your day-to-day contact after activation.

Regards,""",
          cc=("chen_michael_ice",), where=("cust:lee_david", "cust:chen_michael", "mbox:okafor"), disclaimer=True),
    Story("act-2", "activation", "okafor_margaret", (R("lee_david"),), "2011-03-02 09:40:05",
          "RE: Secure Communities activation - Santa Clara County",
          """Mr. Lee,

Thank you. Before the County confirms a date, our Board of Supervisors has asked two questions that I need to answer in writing:

1. Is participation in Secure Communities voluntary for the County, and if so, what is the process for a county to decline or delay activation?
2. Will ICE use the match notifications to lodge detainers (Form I-247) with the Sheriff, and does the County have any obligation to honor those detainers?

A written response by March 9 would be very helpful; the Board's Public Safety and Justice Committee meets on March 10.

Best regards,""",
          cc=("chen_michael_scc",), quote=("act-1", "outlook"), where=("mbox:okafor",), disclaimer=True),
    Story("act-3", "activation", "lee_david", ("okafor_margaret",), "2011-03-03 11:05:47",
          "RE: Secure Communities activation - Santa Clara County",
          """Ms. Okafor,

Thank you for the questions. I have asked our Office of the Principal Legal Advisor to review the response, and I have copied Director Morton's office given the Board's interest. You will have a written answer before the Committee meeting.

In the meantime, I can confirm that the activation date is not fixed until the County confirms it.

Regards,""",
          cc=("chen_michael_scc", "morton_john"), sender_addr="dlee@ice.dhs.gov", quote=("act-2", "outlook"),
          where=("cust:lee_david",), disclaimer=True),
    Story("act-4", "activation", "chen_michael_scc", ("okafor_margaret",), "2011-03-03 13:22:10",
          "RE: Secure Communities activation - Santa Clara County",
          """Margaret,

Custody Bureau has no operational objection either way; the booking process does not change for us. My concern is the detainer question. If ICE lodges a detainer we would be asked to hold someone past their release time, and I need to know whether we are required to do that before March 15.

Can we talk this afternoon?

Mike""",
          quote=("act-3", "outlook"), message_id=False, where=("zip:nested",), signature=""),
    Story("act-5", "activation", "okafor_margaret", ("chen_michael_scc",), "2011-03-04 08:51:33",
          "RE: Secure Communities activation - Santa Clara County",
          """Mike,

Short answer: a detainer is a request, not an order, and it is not accompanied by a judicial warrant. We are drafting guidance for the Sheriff. Please do not change any release practice until you have it.

I've copied Steven Park since the Sheriff's records unit will be asked for these emails sooner or later.

Margaret""",
          cc=("park_steven",), quote=("act-4", "outlook"), message_id=False, where=("zip",)),

    # -- T2: ICE's internal drafting of the opt-out language ---------------------------------
    Story("opt-1", "optout", "lee_david", ("morton_john",), "2011-03-07 14:30:12", "County opt-out language",
          """Director,

Below is the draft paragraph for the response to Santa Clara County Counsel, for your review before it goes to OPLA:

"Secure Communities is deployed in partnership with the State identification bureau under a memorandum of agreement. A jurisdiction that does not wish to activate on the scheduled date may request, in writing, a meeting with ICE and the State to discuss its concerns and any adjustment of the deployment schedule."

Bob Alvarez at OGC has seen an earlier version. I would like to send the response by Wednesday; the County's committee meets Thursday.

David""",
          cc=("alvarez_robert",), where=("cust:lee_david",), pdf=True, disclaimer=True),
    Story("opt-w", "optout", "morton_john", ("lee_david",), "2011-03-07 16:12:40", "RE: County opt-out language",
          """David -

I'm fine with the second sentence, but we should not use the words "opt out" anywhere, and we should not suggest that the schedule is negotiable county by county. Run it by Bob before it goes. Let's discuss tomorrow at the 8:30.

JM""",
          cc=("alvarez_robert",), quote=("opt-1", "outlook"), withheld=True, signature=""),
    Story("opt-2", "optout", "lee_david", ("morton_john",), "2011-03-07 17:01:09", "RE: County opt-out language",
          """Understood. I'll take out "may request" and replace it with language that says the County may raise concerns with ICE and the State. Revised draft to you and Bob by 10 tomorrow.

David""",
          cc=("alvarez_robert",), quote=("opt-w", "outlook"), where=("mbox:morton",), pdf=True, disclaimer=True),
    Story("opt-3", "optout", "alvarez_robert", ("lee_david", "morton_john"), "2011-03-08 09:03:00",
          "Re: County opt-out language",
          """John, David,

Agree with the Director. From a litigation standpoint the letter should describe what the MOA says and stop there; it should not characterize what a county "may" do. I will send suggested edits to David this morning.

Bob""",
          quote=("opt-w", "on-wrote"), message_id=False, where=("mbox:morton",), signature="",
          date_header="Tuesday, March 08, 2011 9:03 AM"),

    # -- T3: California DOJ and the data-sharing MOA -----------------------------------------
    Story("doj-1", "doj", "whitaker_thomas", (R("lee_david"),), "2011-03-09 15:20:00",
          "Data sharing under the MOA - CAL DOJ",
          """David,

Following up on our call: for the Santa Clara activation, our understanding is that CAL DOJ's role is unchanged. We forward the county's Live Scan submission to the FBI, and the FBI shares it with DHS. We do not receive the IDENT response and we do not store it.

Could you confirm that understanding in writing? Our Deputy Attorney General, Renee Gutierrez (copied), has been asked by the Attorney General's office to document the Department's role for the legislature.

Thanks,
Tom""",
          cc=(R("gutierrez_renee", "Renee Gutierrez"),), where=("cust:lee_david",), signature=""),
    Story("doj-w", "doj", "gutierrez_renee", ("whitaker_thomas", "lee_david"), "2011-03-10 11:48:00",
          "RE: Data sharing under the MOA - CAL DOJ",
          """David, Tom,

One addition to Tom's note. The Attorney General would like the confirmation to say expressly that the Department does not decide which counties are activated and does not receive detainer information. If ICE can include that sentence, we can close this out on our side.

Renée""",
          quote=("doj-1", "outlook"), withheld=True, signature="", disclaimer=True),
    Story("doj-2", "doj", "lee_david", ("gutierrez_renee", "whitaker_thomas"), "2011-03-11 10:02:31",
          "RE: Data sharing under the MOA - CAL DOJ",
          """Ms. Gutiérrez, Tom,

I can confirm both points: CAL DOJ does not receive the IDENT response and does not store it, and the Department does not decide which counties are activated or receive detainer information. Activation dates are set by ICE after consultation with the State and the county.

A signed letter will follow from our office next week.

Regards,""",
          quote=("doj-w", "outlook"), where=("cust:lee_david",), disclaimer=True),
    Story("doj-3", "doj", "gutierrez_renee", ("lee_david",), "2011-03-14 09:15:44",
          "RE: Data sharing under the MOA - CAL DOJ",
          """David,

Thanks for the quick turnaround. I spoke with José Núñez, our Bureau Chief for Criminal Information, and with Chief Deputy Attorney General María Ibáñez this morning. Our concerns are narrow:

1. The Department’s role under the MOA is limited to routing fingerprint submissions; we don’t want counties to read the letter as the Attorney General “opting them in.”
2. The letter should go to the Attorney General’s office, attention Ms. Ibáñez, not to the Bureau.

Thomas will coordinate the technical piece with your IAFIS team.

Renée""",
          cc=("whitaker_thomas",), quote=("doj-2", "outlook"), message_id=False, where=("cust:lee_david",),
          charset="windows-1252", disclaimer=True),
    Story("doj-4", "doj", "whitaker_thomas", ("lee_david", R("gutierrez_renee", "Renee Gutierrez")),
          "2011-03-15 08:30:00", "Re: Data sharing under the MOA - CAL DOJ",
          """David,

On the technical piece: our interface change for the Santa Clara ORI is scheduled for the night of March 14, so we are ready on our side for the 15th. Nothing in the Live Scan message format changes.

Tom""",
          quote=("doj-3", "on-wrote"), where=("cust:lee_david:txt",)),

    # -- T4: March weekly statistics (ICE headquarters) -------------------------------------
    Story("wk1-1", "weekly-march", "tan_gregory", (R("lee_david"), "chen_michael_ice"), "2011-03-14 07:45:10",
          "Weekly detainer statistics",
          """All,

Attached are the Secure Communities detainer statistics for week 10 (March 6 - March 12, 2011) for the California areas of responsibility. Figures are preliminary and are not for release outside ICE.

San Francisco AOR shows 187 detainers lodged on 611 IDENT matches. Santa Clara County is not yet included; it will appear after activation on March 15.

Thanks,""",
          where=("cust:chen_michael",), attachments=("SC_detainer_stats_wk10_2011.txt",)),
    Story("wk1-2", "weekly-march", "chen_michael_ice", ("tan_gregory",), "2011-03-14 10:20:05",
          "RE: Weekly detainer statistics",
          """Greg,

Two San Francisco AOR entries look miscoded. The bookings for subjects (b)(6), (b)(7)(C) out of San Mateo County are Level 1 convictions and should not be in the Level 3 column. Can you rerun the AOR table before it goes to the front office?

Thanks,""",
          cc=(R("lee_david"),), quote=("wk1-1", "outlook"), where=("cust:chen_michael",)),

    # -- T5: the California Public Records Act request (Sheriff's records unit, maildir) ------
    Story("pra-1", "pra", "vasquez_elena", ("park_steven",), "2011-03-28 16:05:00",
          "California Public Records Act Request - Secure Communities",
          """Dear Mr. Park,

Under the California Public Records Act, the Pacific Civil Liberties Project requests copies of the following records of the Santa Clara County Office of the Sheriff, for the period January 1, 2010 to the date of your search:

1. All communications between the Office of the Sheriff and U.S. Immigration and Customs Enforcement (ICE) concerning Secure Communities;
2. All communications between the Office of the Sheriff and the California Department of Justice concerning Secure Communities;
3. All immigration detainers (Form I-247) received by the Office of the Sheriff, and records of the Office's response to each;
4. Any policy, memorandum or guidance on honoring immigration detainers.

We ask for records in electronic form where they exist. Please respond within the ten days the Act provides. If you withhold any record, please identify it and state the exemption claimed.

Thank you,""",
          where=("maildir:cur:RS",)),
    Story("pra-2", "pra", "park_steven", (R("vasquez_elena", "Elena Vasquez"),), "2011-03-30 10:12:00",
          "RE: California Public Records Act Request - Secure Communities",
          """Dear Ms. Vasquez,

This acknowledges receipt on March 28, 2011 of your request under the California Public Records Act. The Office of the Sheriff will notify you of its determination on or before April 7, 2011.

Sincerely,""",
          quote=("pra-1", "outlook"), where=("maildir:cur",)),
    Story("pra-3", "pra", "park_steven", ("okafor_margaret", "chen_michael_scc"), "2011-03-30 10:20:00",
          "FW: California Public Records Act Request - Secure Communities",
          """Margaret, Capt. Chen,

Forwarding the PCLP request below. Categories 1 and 3 will mostly be Custody Bureau email. The determination is due April 7. Please let me know by April 4 whether you expect records from ICE that need consultation.

Steve""",
          quote=("pra-1", "outlook"), message_id=False, where=("maildir:cur",), signature=""),
    Story("pra-w", "pra", "chen_michael_scc", ("park_steven",), "2011-04-04 17:40:00",
          "RE: FW: California Public Records Act Request - Secure Communities",
          """Steve,

Custody Bureau has about 40 responsive emails, most with ICE and a few with CAL DOJ. ICE asked us to let their FOIA office review anything that originated with them before release. Given that, we will not make April 7 for the production itself; please take the 14-day extension.

Mike""",
          cc=("okafor_margaret",), quote=("pra-3", "outlook"), withheld=True, signature=""),
    Story("pra-4", "pra", "park_steven", ("chen_michael_scc",), "2011-04-05 09:02:00",
          "RE: FW: California Public Records Act Request - Secure Communities",
          """Capt. Chen,

Understood. I will send the requester the extension notice tomorrow, which moves the date to April 21. Margaret, can County Counsel open the consultation with ICE's FOIA office?

Steve""",
          cc=("okafor_margaret",), quote=("pra-w", "outlook"), message_id=False, where=("maildir:cur",),
          signature=""),
    Story("pra-5", "pra", "park_steven", (R("vasquez_elena", "Elena Vasquez"),), "2011-04-06 15:45:00",
          "RE: California Public Records Act Request - Secure Communities",
          """Dear Ms. Vasquez,

Because your request requires the search for and collection of a voluminous amount of records and consultation with another agency having a substantial interest in the request, the Office of the Sheriff is extending the time to respond by 14 days. We expect to produce responsive, non-exempt records on or before April 21, 2011.

Sincerely,""",
          quote=("pra-2", "outlook"), where=("maildir:cur",)),
    Story("pra-6", "pra", "vasquez_elena", ("park_steven",), "2011-04-06 17:10:00",
          "Re: California Public Records Act Request - Secure Communities",
          """Mr. Park,

Thank you. We understand the extension. Please produce records on a rolling basis if some are ready before April 21, and let us know which agency you are consulting.

Elena""",
          quote=("pra-5", "on-wrote"), where=("maildir:new",), signature=""),
    Story("pra-7", "pra", "park_steven", (R("vasquez_elena", "Elena Vasquez"),), "2011-04-21 16:30:00",
          "RE: California Public Records Act Request - Secure Communities",
          """Dear Ms. Vasquez,

The Office of the Sheriff's production in response to your request is available for download as SCC-PRA-2011-0412_production.zip. Names and personal contact details of County and federal employees who are not decision-makers have been redacted. Records that originated with ICE were reviewed by ICE, and ICE's redactions are marked with the federal exemption codes.

Sincerely,""",
          cc=("okafor_margaret",), quote=("pra-6", "outlook"), where=("maildir:cur:S",)),

    # -- T6: County Counsel consults ICE's FOIA office ---------------------------------------
    Story("con-1", "consult", "okafor_margaret", ("whitfield_sandra",), "2011-04-07 11:30:00",
          "Consultation request: ICE records responsive to CPRA request",
          """Ms. Whitfield,

The County of Santa Clara has received a request under the California Public Records Act for communications between the Office of the Sheriff and ICE concerning Secure Communities. About 40 of the responsive emails originated with ICE. We would like ICE's views on release before we produce them.

Our extended deadline is April 21, 2011. I can send the records today in whatever form your office prefers.

Best regards,""",
          cc=("park_steven",), where=("cust:whitfield_sandra",), disclaimer=True),
    Story("con-2", "consult", "whitfield_sandra", ("okafor_margaret",), "2011-04-08 10:05:00",
          "RE: Consultation request: ICE records responsive to CPRA request",
          """Ms. Okafor,

Thank you for the consultation. Please send the records as PDF to this address. ICE will mark any information it asks the County to withhold using federal FOIA exemption codes so the County can see the basis; the County makes the final release decision under State law.

For planning: names and direct phone numbers of ICE employees below the Senior Executive Service level, and details of individual enforcement cases, are the usual redactions. Our contact in the Secure Communities office is David Lee (copied).

Sandra Whitfield
ICE FOIA Office
Cell: b6""",
          cc=("park_steven", R("lee_david")), quote=("con-1", "outlook"), where=("cust:whitfield_sandra",),
          signature=""),
    Story("con-3", "consult", "okafor_margaret", ("whitfield_sandra",), "2011-04-12 14:10:00",
          "RE: Consultation request: ICE records responsive to CPRA request",
          """Ms. Whitfield,

The records went to you yesterday by secure file transfer (42 emails, 118 pages). Could ICE finish its review by April 19? That leaves us two days before the April 21 deadline to apply any redactions and produce.

Best regards,""",
          quote=("con-2", "outlook"), where=("mbox:okafor",), disclaimer=True),
    Story("con-4", "consult", "whitfield_sandra", ("okafor_margaret",), "2011-04-19 15:55:00",
          "RE: Consultation request: ICE records responsive to CPRA request",
          """Ms. Okafor,

ICE's review is complete. Attached is a summary with the marked pages. ICE has no objection to release of the remaining material. Redactions of ICE employee names and phone numbers are marked on the pages with the exemption that applies.

Please contact me if the County has questions before April 21.""",
          cc=(R("lee_david", None, "dlee@ice.dhs.gov"),), quote=("con-3", "outlook"),
          where=("cust:whitfield_sandra",), attachments=("ICE_consultation_SCC-PRA-2011-0412.pdf",),
          disclaimer=True),

    # -- T7: CBP comments on the I-247 detainer form -----------------------------------------
    Story("i247-1", "i247", "oneill_karen", (R("lee_david"),), "2011-03-16 13:40:00",
          "I-247 revision - CBP comments",
          """David,

CBP's consolidated comments on the draft I-247 revision are below. OFO's main concern is block 3: ports of entry lodge detainers on subjects encountered at primary and secondary inspection who were never booked by a local agency, and the draft assumes a booking.

- Block 3: add "encountered at a port of entry" as a basis.
- Block 7: the 48-hour language should say "excluding Saturdays, Sundays, and holidays", matching the regulation.
- Signature block: allow CBP supervisory officers to sign.

We can discuss on Thursday's call.

Karen""",
          cc=(REDACTED_RECIPIENT,), message_id=False, where=("cust:lee_david",), signature=""),
    Story("i247-2", "i247", "lee_david", ("oneill_karen",), "2011-03-17 09:12:00", "RE: I-247 revision - CBP comments",
          """Karen,

Thanks. Blocks 7 and the signature block are fine with us and will be in the next draft. On block 3, OPLA wants to keep the form to booked subjects; can CBP live with a separate port-of-entry version?

David""",
          quote=("i247-1", "outlook"), message_id=False, where=("cust:lee_david",), signature=""),
    Story("i247-3", "i247", "oneill_karen", ("lee_david",), "2011-03-17 12:48:00", "RE: I-247 revision - CBP comments",
          """Separate version works for OFO if it goes out the same day. Will confirm with our Assistant Commissioner's office.""",
          quote=("i247-2", "blackberry"), message_id=False, where=("cust:lee_david",), signature=""),
    Story("i247-p", "i247", "oneill_karen", ("lee_david",), "2011-03-18 08:55:00", "RE: I-247 revision - CBP comments",
          """David,

Confirmed: OFO accepts a separate port-of-entry version of the I-247 if both are issued together. Our marked-up copy of the draft is attached, with the two block 3 alternatives side by side.

Karen""",
          cc=(REDACTED_RECIPIENT,), pdf=True, signature="", attachments=("I-247_CBP_markup_031811.pdf",)),

    # -- T8: briefing the Director on Bay Area jurisdictions ----------------------------------
    Story("brf-1", "briefing", "chen_michael_ice", (R("lee_david"),), "2011-03-18 11:15:00",
          "Briefing paper: Bay Area jurisdictions",
          """David,

Here is the short version for the Director's briefing on the Bay Area counties.

San Francisco: Sheriff has said publicly he will not honor detainers for people booked on minor offenses. Activation is scheduled for June.
Santa Clara: County Counsel is asking whether participation is voluntary; Board committee heard the item on March 10. Activation on hold pending the County's confirmation.
San Mateo and Alameda: activated, no issues.
From the field office's perspective the concern is Santa Clara: if the County delays, the Bay Area numbers will lag behind Los Angeles and San Diego through the summer.

Happy to add anything before it goes up.""",
          where=("cust:chen_michael",)),
    Story("brf-2", "briefing", "lee_david", ("morton_john",), "2011-03-21 09:58:00",
          "FW: Briefing paper: Bay Area jurisdictions",
          """Director,

Michael Chen's field summary for this afternoon's briefing, below. The Santa Clara item is the one to watch.

David""",
          cc=("chen_michael_ice",), quote=("brf-1", "outlook"), where=("mbox:morton",), signature=""),
    Story("brf-3", "briefing", "morton_john", ("lee_david",), "2011-03-21 10:02:11",
          "RE: FW: Briefing paper: Bay Area jurisdictions",
          """Thanks. Let's get Santa Clara on the phone this week. I don't want this decided by press release.""",
          sender_name="JOHN MORTON", quote=("brf-2", "blackberry"), where=("mbox:morton",), signature=""),

    # -- T9: the County's Japanese-language community notice (iso-2022-jp) --------------------
    Story("jp-1", "notice-jp", "tanaka_yuki", ("park_steven",), "2011-04-01 14:00:00",
          "Secure Communities \u4f4f\u6c11\u5411\u3051\u304a\u77e5\u3089\u305b\uff08\u65e5\u672c\u8a9e\u8a33\uff09",
          """Steven さん

住民向けお知らせの日本語訳です。ウェブサイト掲載前にご確認ください。

-----
サンタクララ郡にお住まいの皆様へ

2011年3月15日より、郡の拘置所で逮捕時に採取される指紋は、カリフォルニア州司法省を通じて連邦捜査局（FBI）および国土安全保障省（DHS）のデータベースに送信されます。この仕組みは「Secure Communities」と呼ばれています。

犯罪の被害者や証人として警察に協力する方の情報は送信されません。ご質問は移民関係室までお問い合わせください。
-----

Yuki""",
          cc=("okafor_margaret",), message_id=False, where=("maildir:cur",), charset="iso-2022-jp", signature=""),
    Story("jp-2", "notice-jp", "park_steven", ("tanaka_yuki",), "2011-04-01 15:30:00",
          "RE: Secure Communities \u4f4f\u6c11\u5411\u3051\u304a\u77e5\u3089\u305b\uff08\u65e5\u672c\u8a9e\u8a33\uff09",
          """Yuki,

Thanks. County Counsel should sign off on the sentence about victims and witnesses before this is posted, since it describes what the Sheriff sends. Forwarding to Margaret separately.

Steve""",
          quote=("jp-1", "outlook"), message_id=False, where=("maildir:cur",), signature=""),

    # -- T10: the stakeholder call (HTML-only invitation) --------------------------------------
    Story("call-1", "call", "whitaker_thomas",
          (R("lee_david"), "chen_michael_ice", "okafor_margaret", "chen_michael_scc"), "2011-03-22 12:00:00",
          "Stakeholder call - Secure Communities in California - March 24",
          """All,

CAL DOJ will host a call for the agencies involved in the Santa Clara County activation.

Date: Thursday, March 24, 2011
Time: 10:00 - 11:00 AM Pacific
Bridge: 1-877-555-0100, participant code 4471902

Agenda:
1. Status of the Santa Clara activation (ICE)
2. Live Scan interface change (CAL DOJ)
3. County questions on detainers (County Counsel)

Tom Whitaker
Bureau of Criminal Information and Analysis""",
          where=("mbox:okafor",), signature="", html="call"),
    Story("call-2", "call", "chen_michael_ice", ("whitaker_thomas",), "2011-03-22 13:10:00",
          "RE: Stakeholder call - Secure Communities in California - March 24",
          """Tom,

I'll dial in from the San Francisco field office. Note there are two Michael Chens on your list; I'm the ICE one. Capt. Chen at the Sheriff's Office will speak to the jail side.

Mike""",
          cc=("chen_michael_scc",), quote=("call-1", "outlook"), message_id=False, where=("cust:chen_michael",),
          signature=""),

    # -- T11: May weekly statistics (the County's own report; same subject, unrelated) --------
    Story("wk2-1", "weekly-may", "chen_michael_scc", ("okafor_margaret", "park_steven"), "2011-05-02 08:05:00",
          "Weekly detainer statistics",
          """Margaret, Steve,

Weekly detainer statistics for the Main Jail and Elmwood, April 24 - April 30, 2011:

  ICE detainers received ............ 23
  Released to ICE custody ........... 9
  Released on own recognizance ...... 11
  Still in County custody ........... 3

One detainer was lodged on a juvenile transferred from Juvenile Hall ([REDACTED], DOB withheld). I've asked Classification to review it.

Mike""",
          message_id=False, where=("mbox:okafor",), signature=""),
    Story("wk2-2", "weekly-may", "okafor_margaret", ("chen_michael_scc",), "2011-05-03 10:40:00",
          "RE: Weekly detainer statistics",
          """Mike,

Thank you. Please send me the juvenile file before anything else happens on that detainer, and keep a copy of these weekly figures for the Board's May 17 report.

Margaret""",
          cc=("park_steven",), quote=("wk2-1", "outlook"), message_id=False, where=("mbox:okafor",),
          date_header="2011-13-45"),

    # -- T12: a press inquiry (the Director's mailbox) ----------------------------------------
    Story("prs-1", "press", "lee_david", (R("morton_john", "'john.morton@ice.dhs.gov'"),), "2011-04-13 08:20:00",
          "Press inquiry re: Santa Clara opt-out",
          """Director,

A reporter from the San Jose paper has asked OPA whether Santa Clara County can "opt out" of Secure Communities, citing the County Counsel's memo to the Board. OPA proposes to answer with the standard statement that Secure Communities is a federal information-sharing program and that ICE works with each state and county on deployment.

OPA would like your OK by 11:00.

David""",
          cc=(REDACTED_RECIPIENT,), where=("mbox:morton",), signature=""),
    Story("prs-2", "press", "morton_john", ("lee_david",), "2011-04-13 08:47:00",
          "RE: Press inquiry re: Santa Clara opt-out",
          """OK to use the standard statement. No comment on the County memo.""",
          sender_name="John Morton", quote=("prs-1", "blackberry"), where=("mbox:morton",), signature=""),

    # -- T13: the FAQ for county officials (RFC 2047 subject; a near-duplicate copy) -----------
    Story("faq-1", "faq", "lee_david", ("okafor_margaret", "chen_michael_scc"), "2011-04-14 16:00:00",
          "Secure Communities \u2013 FAQ for county officials",
          """Ms. Okafor, Captain Chen,

As promised on the March 24 call, here is the plain-language FAQ we use with county officials. It answers the “is it voluntary” question as ICE sees it, and it describes what a detainer does and does not ask of a jail.

The FAQ is cleared for public release; please feel free to share it with the Board.

Regards,""",
          where=("mbox:okafor", "cust:lee_david:near"), disclaimer=True, charset="utf-8"),
    Story("faq-2", "faq", "okafor_margaret", (R("lee_david"),), "2011-04-15 09:25:00",
          "RE: Secure Communities \u2013 FAQ for county officials",
          """Mr. Lee,

Received, thank you. I will include the FAQ in the Board's packet for the May 17 meeting, together with the County's own analysis.

Best regards,""",
          quote=("faq-1", "outlook"), where=("mbox:okafor",), disclaimer=True),

    # -- T14: the two Michael Chens on IDENT response times ----------------------------------
    Story("ident-1", "ident", "chen_michael_scc", ("chen_michael_ice",), "2011-03-24 09:10:00",
          "IDENT response times at Main Jail booking",
          """Michael,

Ahead of this morning's call: when Secure Communities goes live, how long after a Live Scan submission should we expect ICE to lodge a detainer, if it is going to? Our booking-to-release time for cite-and-release offenses is under four hours, and classification needs to know whether to wait.

Mike Chen
Custody Bureau""",
          message_id=False, where=("zip",), signature=""),
    Story("ident-2", "ident", "chen_michael_ice", ("chen_michael_scc",), "2011-03-24 11:45:00",
          "RE: IDENT response times at Main Jail booking",
          """Mike,

IDENT responses come back to our Law Enforcement Support Center within minutes, and the field office usually decides on a detainer the same shift. If we have not faxed a detainer by the time your release paperwork is done, release the person as you normally would.

Michael""",
          quote=("ident-1", "outlook"), where=("cust:chen_michael",)),
    Story("ident-3", "ident", "chen_michael_scc", ("chen_michael_ice",), "2011-03-25 08:30:00",
          "RE: IDENT response times at Main Jail booking",
          """Michael,

Thanks, that is clear. For the record, the two cases from last week that started this were booked by Deputy █████ on the night shift; both were released before any detainer arrived. [REDACTED] in Classification has the details if your office needs them.

Mike""",
          cc=("park_steven",), quote=("ident-2", "outlook"), message_id=False, where=("zip:nested",),
          signature=""),

    # -- T15: the Board of Supervisors referral (County internal) -----------------------------
    Story("bos-1", "board", "okafor_margaret", ("chen_michael_scc", "park_steven"), "2011-03-29 10:00:00",
          "Board of Supervisors - detainer policy referral",
          """Mike, Steve,

The Board's Public Safety and Justice Committee referred the detainer question to our office for a policy recommendation by May 17. I need from Custody Bureau (1) the number of detainers received since January 1, and (2) any written procedure for handling them. Yuki, the Committee also asked how the County will explain the program to residents.

Margaret""",
          cc=("tanaka_yuki",), message_id=False, where=("zip",)),
    Story("bos-2", "board", "tanaka_yuki", ("okafor_margaret",), "2011-03-29 13:30:00",
          "RE: Board of Supervisors - detainer policy referral",
          """Margaret,

Our office can have notices in English, Spanish, Vietnamese, Chinese and Japanese by mid-April. I will draft the English text from the Committee's description and send translations for review.

Yuki""",
          cc=("chen_michael_scc", "park_steven"), quote=("bos-1", "outlook"), message_id=False, where=("zip",),
          signature=""),
    Story("bos-3", "board", "chen_michael_scc", ("okafor_margaret",), "2011-03-30 09:15:00",
          "RE: Board of Supervisors - detainer policy referral",
          """Margaret,

Since January 1 we have received 96 detainers. There is no written procedure; practice has been to hold for the 48 hours stated on the form. The watch commander who has handled most of them, Sgt. █████, can walk you through it.

Mike""",
          cc=("park_steven", "tanaka_yuki"), quote=("bos-2", "outlook"), message_id=False, where=("zip:nested",),
          signature=""),

    # -- T16: IDENT/IAFIS deployment schedule (DHS headquarters) ------------------------------
    Story("dep-1", "deploy", "alvarez_robert", (R("lee_david"), "oneill_karen"), "2011-03-10 10:00:00",
          "IDENT/IAFIS interoperability - California deployment schedule",
          """David, Karen,

For the Deputy Secretary's Friday update: please confirm the California deployment schedule for the rest of FY2011 and flag any county where the schedule is in question. I understand Santa Clara is one.

Bob""",
          where=("cust:lee_david",), signature=""),
    Story("dep-2", "deploy", "oneill_karen", ("alvarez_robert",), "2011-03-10 11:30:00",
          "RE: IDENT/IAFIS interoperability - California deployment schedule",
          """Bob,

CBP has nothing scheduled in California; our ports already query IDENT directly. Defer to ICE on the county schedule.

Karen""",
          cc=(R("lee_david"),), quote=("dep-1", "outlook"), where=("cust:lee_david",), signature=""),
    Story("dep-3", "deploy", "lee_david", ("alvarez_robert", "oneill_karen"), "2011-03-10 15:10:00",
          "RE: IDENT/IAFIS interoperability - California deployment schedule",
          """Bob,

California schedule: 38 of 58 counties activated; 12 scheduled by June 30; 8 (including Santa Clara and San Francisco) scheduled for the fourth quarter. Santa Clara's date is the only one in question. I've copied the Director.

David""",
          cc=("morton_john",), sender_addr="dlee@ice.dhs.gov", quote=("dep-2", "outlook"), where=("mbox:morton",),
          disclaimer=True),

    # -- T17: ICE's own FOIA search tasking ----------------------------------------------------
    Story("foia-1", "foia", "whitfield_sandra", (R("lee_david"), "chen_michael_ice"), "2011-05-10 09:00:00",
          "FOIA 2011-FOIA-000123 - search tasking",
          """Mr. Lee, Mr. Chen,

ICE has received a FOIA request from the Pacific Civil Liberties Project (ICE case 2011-FOIA-000123) for communications about Secure Communities in Santa Clara County, January 1 - April 30, 2011. You have been identified as custodians. Please search your email, including sent items and personal folders, and upload responsive records to the FOIA share by May 24, 2011. The ERO San Francisco FOIA point of contact, b6, b7c, will collect the field office's records.

Requester contact on file: b6. Do not contact the requester directly.""",
          where=("cust:whitfield_sandra",), disclaimer=True),
    Story("foia-2", "foia", "lee_david", ("whitfield_sandra",), "2011-05-11 14:30:00",
          "RE: FOIA 2011-FOIA-000123 - search tasking",
          """Sandra,

My search is done: 61 items uploaded to the share, including messages I received as a copy from the Director's office. Some of the Director's replies to me may not be in my folders; his office will need to search separately.

David""",
          quote=("foia-1", "outlook"), where=("cust:whitfield_sandra",), signature=""),
    Story("foia-3", "foia", "chen_michael_ice", ("whitfield_sandra",), "2011-05-12 10:15:00",
          "RE: FOIA 2011-FOIA-000123 - search tasking",
          """Ms. Whitfield,

Uploaded 23 items from the San Francisco field office. Note that the County's Sheriff's Office has a Captain Michael Chen; several of the uploaded emails are between the two of us, and the County produced some of the same emails to the same requester under State law.""",
          cc=(R("lee_david"),), quote=("foia-1", "outlook"), where=("cust:chen_michael",)),

    # -- T18: printed only: Santa Clara detainer compliance -----------------------------------
    Story("cmp-1", "compliance", "chen_michael_ice", (R("lee_david"),), "2011-04-20 13:25:00",
          "Santa Clara County - detainer compliance",
          """David,

Since the County's March 4 guidance, the Main Jail has released at least six subjects with ICE detainers before our officers arrived, including two with prior removal orders. Officer (b)(6), (b)(7)(C) reports that the watch commander on duty would not hold a subject past the County release time even for 30 minutes.

I'd like to raise this on the next call with County Counsel.""",
          pdf=True),
    Story("cmp-2", "compliance", "lee_david", ("chen_michael_ice",), "2011-04-20 17:40:00",
          "RE: Santa Clara County - detainer compliance",
          """Michael,

Please put the six cases in a short table (date, booking offense, time of release, time detainer lodged) and send it to me and to OPLA. Do not raise it with the County until OPLA has looked at it; the Director has asked that County Counsel hear about it from headquarters, not the field.

David""",
          cc=("morton_john",), quote=("cmp-1", "outlook"), pdf=True, signature=""),
    Story("cmp-3", "compliance", "morton_john", ("lee_david",), "2011-04-21 07:55:00",
          "RE: Santa Clara County - detainer compliance",
          """Agree. I'll call the County Executive myself once OPLA has reviewed the table. Keep (b)(6) in the loop.

JM""",
          cc=("chen_michael_ice",), quote=("cmp-2", "outlook"), pdf=True, signature=""),
]

STORY_BY_KEY = {s.key: s for s in STORY}

THREAD_ORDER = ["activation", "optout", "doj", "weekly-march", "pra", "consult", "i247", "briefing",
                "notice-jp", "call", "weekly-may", "press", "faq", "ident", "board", "deploy", "foia",
                "compliance"]

CALL_HTML = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=us-ascii">
<meta name="Generator" content="Novell GroupWise Client (Version 8.0.1  Build: 96933)">
</head>
<body style="margin: 4px 4px 1px; font: 10pt Tahoma;">
<div>All,</div>
<div>&nbsp;</div>
<div>CAL DOJ will host a call for the agencies involved in the Santa Clara County activation.</div>
<div>&nbsp;</div>
<table border="0" cellpadding="2">
<tr><td><b>Date:</b></td><td>Thursday, March 24, 2011</td></tr>
<tr><td><b>Time:</b></td><td>10:00 - 11:00 AM Pacific</td></tr>
<tr><td><b>Bridge:</b></td><td>1-877-555-0100, participant code 4471902</td></tr>
</table>
<div>&nbsp;</div>
<div><b>Agenda:</b></div>
<ol>
<li>Status of the Santa Clara activation (ICE)</li>
<li>Live Scan interface change (CAL DOJ)</li>
<li>County questions on detainers (County Counsel)</li>
</ol>
<div>&nbsp;</div>
<div>Tom Whitaker<br>
<font color="#1f497d">Bureau of Criminal Information and Analysis</font></div>
</body>
</html>
"""

WEEK10_STATS = """Secure Communities - Weekly Detainer Statistics (PRELIMINARY - NOT FOR RELEASE)
Week 10: March 6 - March 12, 2011
Source: IDENT/IAFIS Interoperability daily reports

AOR             Submissions  IDENT matches  Detainers  Level 1  Level 2  Level 3
San Francisco         4,212            611        187       41       58       88
Los Angeles          19,884          2,907        955      212      301      442
San Diego             6,330          1,041        402       88      117      197
Total                30,426          4,559      1,544      341      476      727
"""


# ---------------------------------------------------------------------------
# Composing the text of each message (new text, signature, quoted history)
# ---------------------------------------------------------------------------


def sender_display(story: Story) -> str:
    return story.sender_name or PEOPLE[story.sender].display


def sender_address(story: Story) -> str:
    return story.sender_addr or PEOPLE[story.sender].address


def recipient_parts(entry: str | tuple[str, str | None, str | None]) -> tuple[str | None, str, str]:
    """(person key or None, display name, address) for one recipient entry of the story."""
    if entry == REDACTED_RECIPIENT:
        return None, REDACTED_RECIPIENT, ""
    if isinstance(entry, tuple):
        key, name, addr = entry
    else:
        key, name, addr = entry, None, None
    person = PEOPLE[key]
    return key, name or person.display, addr or person.address


def story_utc(story: Story) -> datetime:
    return to_utc(PEOPLE[story.sender].zone, story.when)


def printed_names(entries: tuple) -> str:
    return "; ".join(recipient_parts(e)[1] for e in entries)


class Composer:
    """Builds each message's full plain text: what was typed, signature, notices and quoted history."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self.quoted_headers: dict[str, list[dict]] = {}  # parent key -> how each reply printed its header

    def text(self, key: str) -> str:
        if key not in self._texts:
            self._texts[key] = self._compose(STORY_BY_KEY[key])
        return self._texts[key]

    def _compose(self, story: Story) -> str:
        person = PEOPLE[story.sender]
        parts = [story.text.strip("\n")]
        blackberry = story.quote is not None and story.quote[1] == "blackberry"
        if blackberry:
            parts[0] += "\nSent from my BlackBerry Wireless Handheld"
        else:
            signature = person.signature if story.signature is None else story.signature
            if signature:
                parts.append(signature)
            if story.disclaimer and person.disclaimer:
                parts.append(person.disclaimer)
        body = "\n\n".join(parts)
        if story.quote:
            parent_key, style = story.quote
            body += "\n\n" + self._quote_block(story, STORY_BY_KEY[parent_key], style)
        return body.rstrip("\n") + "\n"

    def _quote_block(self, reply: Story, parent: Story, style: str) -> str:
        replier = PEOPLE[reply.sender]
        parent_person = PEOPLE[parent.sender]
        parent_text = self.text(parent.key).rstrip("\n")
        utc = story_utc(parent)
        record = {"in": reply.key, "style": style, "zone": replier.zone}
        if style == "on-wrote":
            lead = f"On {on_wrote_date(utc, replier.zone)}, {parent_person.full_name} <{sender_address(parent)}> wrote:"
            quoted = "\n".join(f"> {line}" if line else ">" for line in parent_text.split("\n"))
            record.update(printed_sender=parent_person.full_name, printed_date=on_wrote_date(utc, replier.zone))
            self.quoted_headers.setdefault(parent.key, []).append(record)
            return f"{lead}\n{quoted}"
        name = sender_display(parent)
        if style == "blackberry":
            lines = ["----- Original Message -----", f"From: {name}", f"To: {printed_names(parent.to)}"]
            if parent.cc:
                lines.append(f"Cc: {printed_names(parent.cc)}")
            sent = blackberry_sent(utc, replier.zone)
            lines += [f"Sent: {sent}", f"Subject: {parent.subject}"]
        else:
            # Outlook names a sender from another organisation with its address; colleagues by name only.
            from_line = name if parent_person.org == replier.org else f"{name} [mailto:{sender_address(parent)}]"
            sent = outlook_sent(utc, replier.zone)
            # The County's Outlook 2010 draws a rule; the federal Outlook 2007 prints "Original Message".
            lines = ["________________________________" if replier.org == "scc" else "-----Original Message-----",
                     f"From: {from_line}", f"Sent: {sent}", f"To: {printed_names(parent.to)}"]
            if parent.cc:
                lines.append(f"Cc: {printed_names(parent.cc)}")
            lines.append(f"Subject: {parent.subject}")
        record.update(printed_sender=name, printed_date=sent)
        self.quoted_headers.setdefault(parent.key, []).append(record)
        return "\n".join(lines) + "\n\n" + parent_text


# ---------------------------------------------------------------------------
# Writing RFC 5322 messages with the standard library
# ---------------------------------------------------------------------------


def message_id_of(key: str) -> str:
    story = STORY_BY_KEY[key]
    domain = ORG[PEOPLE[story.sender].org].domain
    host = {"ice.dhs.gov": "ICEHQEXMB02.ice.dhs.gov", "cbp.dhs.gov": "CBPEXMB11.cbp.dhs.gov",
            "dhs.gov": "DHSHQEXMB04.dhs.gov", "sccgov.org": "SCCEXMB02.county.sccgov.org",
            "doj.ca.gov": "gwia.doj.ca.gov", "pcl-project.org": "mail.pcl-project.org"}[domain]
    digest = hashlib.sha256(f"foiatool-samples:{key}".encode()).hexdigest().upper()
    return f"<{digest[:40]}@{host}>"


def ancestors(key: str) -> list[str]:
    chain = []
    story = STORY_BY_KEY[key]
    while story.quote:
        story = STORY_BY_KEY[story.quote[0]]
        chain.append(story.key)
    return list(reversed(chain))


def thread_index(key: str) -> str:
    root = ancestors(key)[0] if ancestors(key) else key
    value = hashlib.sha256(f"thread-index:{root}".encode()).digest()[:22]
    for step in ancestors(key)[1:] + ([key] if ancestors(key) else []):
        value += hashlib.sha256(f"thread-index:{step}".encode()).digest()[:5]
    return base64.b64encode(value).decode("ascii")


def encoded_display(name: str) -> str:
    if name.isascii():
        if re.search(r"[,()<>@;:\\\".\[\]]", name) and not (name.startswith('"') or name.startswith("'")):
            return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if name.startswith("'"):
            return '"' + name + '"'
        return name
    return Header(name, "iso-8859-1").encode()


def address_header(entries: tuple, label: str = "To") -> str:
    """An address list as Exchange folds it: whole addresses per line, continuation lines tab-indented."""
    rendered = []
    for entry in entries:
        key, name, addr = recipient_parts(entry)
        rendered.append(name if key is None else f"{encoded_display(name)} <{addr}>")
    lines = [f"{label}: "]
    for index, item in enumerate(rendered):
        piece = item + ("," if index < len(rendered) - 1 else "")
        if len(lines[-1]) + len(piece) + 1 > 78 and lines[-1].strip() not in (f"{label}:", ""):
            lines.append("\t")
        lines[-1] += ("" if lines[-1].endswith((": ", "\t")) else " ") + piece
    return "\n".join(lines)[len(label) + 2:]


def encoded_subject(subject: str, charset: str | None) -> str:
    if subject.isascii():
        return subject
    if charset == "iso-2022-jp":
        return Header(subject, "iso-2022-jp").encode()
    return "=?UTF-8?B?" + base64.b64encode(subject.encode("utf-8")).decode("ascii") + "?="


def text_part_payload(text: str, charset: str) -> tuple[str, str]:
    """(transfer-encoding, payload) for a text body in ``charset``."""
    if charset == "us-ascii":
        return "7bit", text
    if charset == "iso-2022-jp":
        return "7bit", text.encode("iso-2022-jp").decode("ascii")
    raw = text.encode(charset)
    return "quoted-printable", quoprimime.body_encode(raw.decode("latin-1"), maxlinelen=76)


def body_charset(story: Story, text: str) -> str:
    if story.charset:
        return story.charset
    return "us-ascii" if text.isascii() else "utf-8"


_GATEWAYS = {"ice": "mx1.dhs.gov (192.0.2.10)", "cbp": "mx1.dhs.gov (192.0.2.10)", "dhs": "mx1.dhs.gov (192.0.2.10)",
             "scc": "mx1.sccgov.org (198.51.100.9)", "cadoj": "gwia.doj.ca.gov (203.0.113.40)",
             "pclp": "smtp.pcl-project.org (203.0.113.7)"}
EXCHANGE_ORGS = ("ice", "cbp", "dhs", "scc")
_MAILERS = {"cadoj": ("X-Mailer", "Novell GroupWise Internet Agent 8.0.1"),
            "pclp": ("User-Agent", "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.2.15) "
                                   "Gecko/20110303 Thunderbird/3.1.9")}


def _received(story: Story, utc: datetime) -> str:
    """The last hop: the sender's own Exchange server, or an outside gateway reaching the first recipient's."""
    zone = PEOPLE[story.sender].zone
    sender_org = PEOPLE[story.sender].org
    stamp = rfc_date(utc + timedelta(seconds=1), zone)
    if sender_org in ("ice", "cbp", "dhs"):
        return (f"from ICEHQEXHUB01.ice.dhs.gov (192.0.2.30) by ICEHQEXMB02.ice.dhs.gov\n\t(192.0.2.34) "
                f"with Microsoft SMTP Server id 8.3.137.0; {stamp}")
    if sender_org == "scc":
        return (f"from SCCEXHUB01.county.sccgov.org (198.51.100.21) by\n\tSCCEXMB02.county.sccgov.org "
                f"(198.51.100.22) with Microsoft SMTP Server id 14.1.218.12;\n\t{stamp}")
    first_recipient = recipient_parts(story.to[0])[0]
    receiving = _GATEWAYS[PEOPLE[first_recipient].org] if first_recipient else _GATEWAYS["ice"]
    return f"from {_GATEWAYS[sender_org]} by\n\t{receiving} with ESMTP; {stamp}"


@dataclass
class Written:
    """One copy of one message as bytes, with what the truth needs to know about it."""

    key: str
    data: bytes
    charset: str
    has_message_id: bool
    date_header: str
    attachments: list[dict] = field(default_factory=list)


def write_message(story: Story, text: str, variant: str = "") -> Written:
    """The RFC 5322 bytes of one copy. ``variant`` 'near' is the same message as another
    mailbox kept it: no transport headers, CRLF line ends, trailing blanks on lines."""
    utc = story_utc(story)
    zone = PEOPLE[story.sender].zone
    charset = body_charset(story, text)
    date_header = story.date_header or rfc_date(utc, zone)
    keep_ids = story.message_id
    headers: list[tuple[str, str]] = []
    exchange = PEOPLE[story.sender].org in EXCHANGE_ORGS
    if keep_ids and variant != "near":
        headers.append(("Received", _received(story, utc)))
    display = sender_display(story)
    headers.append(("From", f"{encoded_display(display)} <{sender_address(story)}>"))
    headers.append(("To", address_header(story.to, "To")))
    if story.cc:
        cc_label = "CC" if keep_ids else "Cc"
        headers.append((cc_label, address_header(story.cc, cc_label)))
    headers.append(("Subject", encoded_subject(story.subject, story.charset)))
    if keep_ids and exchange:
        topic = re.sub(r"^((RE|FW|Re|Fwd):\s*)+", "", story.subject)
        headers.append(("Thread-Topic", encoded_subject(topic, story.charset)))
        headers.append(("Thread-Index", thread_index(story.key)))
    headers.append(("Date", date_header))
    if keep_ids:
        headers.append(("Message-ID", message_id_of(story.key)))
        chain = ancestors(story.key)
        if chain:
            headers.append(("References", "\n\t".join(message_id_of(k) for k in chain)))
            headers.append(("In-Reply-To", message_id_of(chain[-1])))
    if keep_ids and not exchange:
        headers.append(_MAILERS[PEOPLE[story.sender].org])
    if keep_ids and exchange:
        headers.append(("Accept-Language", "en-US"))
        headers.append(("Content-Language", "en-US"))
        headers.append(("X-MS-Has-Attach", "yes" if story.attachments else ""))
        headers.append(("X-MS-TNEF-Correlator", ""))
        if variant == "near":
            headers.append(("X-MS-Exchange-Organization-AuthAs", "Internal"))
            headers.append(("X-MS-Exchange-Organization-SCL", "-1"))

    message = MimeMessage()
    for name, value in headers:
        message[name] = value
    message["MIME-Version"] = "1.0"
    attachments: list[dict] = []
    body_text = text
    if variant == "near":
        body_text = "\n".join(line + "  " if line else line for line in text.split("\n"))
    if story.html:
        message["Content-Type"] = 'text/html; charset="us-ascii"'
        message["Content-Transfer-Encoding"] = "7bit"
        message.set_payload(CALL_HTML)
    elif story.attachments:
        boundary = "_002_" + hashlib.sha256(story.key.encode()).hexdigest()[:32].upper() + "_"
        message["Content-Type"] = f'multipart/mixed; boundary="{boundary}"'
        message.set_payload(None)
        message.preamble = None
        cte, payload = text_part_payload(body_text, charset)
        text_part = MimeMessage()
        text_part["Content-Type"] = f'text/plain; charset="{charset}"'
        text_part["Content-Transfer-Encoding"] = cte
        text_part.set_payload(payload)
        message.attach(text_part)
        for name in story.attachments:
            data, ctype = ATTACHMENT_BYTES[name]
            part = MimeMessage()
            part["Content-Type"] = f'{ctype}; name="{name}"'
            part["Content-Description"] = name
            part["Content-Disposition"] = f'attachment; filename="{name}"; size={len(data)}'
            part["Content-Transfer-Encoding"] = "base64"
            part.set_payload(base64.encodebytes(data).decode("ascii"))
            message.attach(part)
            attachments.append({"name": name, "content_type": ctype, "size": len(data),
                                "sha256": hashlib.sha256(data).hexdigest()})
    else:
        cte, payload = text_part_payload(body_text, charset)
        message["Content-Type"] = f'text/plain; charset="{charset}"'
        message["Content-Transfer-Encoding"] = cte
        message.set_payload(payload)
    buffer = io.BytesIO()
    linesep = "\r\n" if variant == "near" else "\n"
    BytesGenerator(buffer, mangle_from_=False, maxheaderlen=0, policy=compat32.clone(linesep=linesep)).flatten(
        message, linesep=linesep)
    return Written(story.key, buffer.getvalue(), "us-ascii" if story.html else charset, keep_ids, date_header,
                   attachments)


# ---------------------------------------------------------------------------
# Attachments: a tiny real PDF and a .txt
# ---------------------------------------------------------------------------

FIXED_PDF_DATE = datetime(2011, 6, 15, 9, 0, 0, tzinfo=timezone.utc)


def _fixed_pdf(creator: str) -> FPDF:
    pdf = FPDF(unit="mm", format="letter")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_compression(False)  # zlib output differs between builds; plain streams keep the bytes stable
    pdf.set_creation_date(FIXED_PDF_DATE)
    pdf.set_producer(creator)
    pdf.set_creator(creator)
    return pdf


def consultation_pdf() -> bytes:
    pdf = _fixed_pdf("ICE FOIA Office")
    pdf.set_title("ICE consultation response SCC-PRA-2011-0412")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 8, "ICE consultation response - County of Santa Clara CPRA 2011-0412", new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    for line in ("Records reviewed: 42 emails (118 pages)", "Released in full: 31", "Released in part: 11",
                 "Withheld in full: 0", "Reviewer: ICE FOIA Office, April 19, 2011"):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


ATTACHMENT_BYTES: dict[str, tuple[bytes, str]] = {
    "SC_detainer_stats_wk10_2011.txt": (WEEK10_STATS.encode("ascii"), "text/plain"),
    "ICE_consultation_SCC-PRA-2011-0412.pdf": (consultation_pdf(), "application/pdf"),
}


# ---------------------------------------------------------------------------
# Containers: custodian folders, mbox, maildir, zip, broken items
# ---------------------------------------------------------------------------

CUSTODIAN_DIR = "dump/custodians"
MBOX_PATHS = {"morton": "dump/mbox/morton_john.mbox", "okafor": "dump/mbox/okafor_margaret"}
MAILDIR = "dump/maildir/park_steven"
ZIP_PATH = "dump/archives/SCC-PRA-2011-0412_production.zip"
ZIP_NESTED = "Sheriff/Custody_Bureau/"
ZIP_DATE = (2011, 4, 21, 16, 12, 0)
EMPTY_FILE = "dump/custodians/chen_michael/RE_ Weekly detainer statistics (2).eml"
GARBAGE_FILE = "dump/custodians/lee_david/IDENT deployment schedule.eml"
MAILDIR_KEEP = f"{MAILDIR}/tmp/.gitkeep"


def outlook_file_name(subject: str, extension: str = ".eml") -> str:
    name = re.sub(r'[\\/:*?"<>|]', "_", subject).strip()
    return name[:72] + extension


def escape_from_lines(data: bytes) -> tuple[bytes, int]:
    """mboxo quoting: a body line starting 'From ' is written '>From ' so it cannot split the box."""
    lines = data.split(b"\n")
    escaped = 0
    for index, line in enumerate(lines):
        if line.startswith(b"From "):
            lines[index] = b">" + line
            escaped += 1
    return b"\n".join(lines), escaped


def garbage_bytes() -> bytes:
    # A spreadsheet fragment mislabelled .eml by the exporting tool: binary, no header lines.
    out = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00")
    seed = b"foiatool-samples-garbage"
    while len(out) < 1536:
        seed = hashlib.sha256(seed).digest()
        out.extend(seed)
    return bytes(out[:1536])


class Writer:
    """Lays every copy of every message into its container and remembers where each one went."""

    def __init__(self) -> None:
        self.composer = Composer()
        self.locations: dict[str, list[dict]] = {}
        self.written: dict[str, Written] = {}
        self.near: dict[str, dict] = {}
        self.from_escapes: list[dict] = []
        self.files: dict[str, bytes] = {}

    def put(self, relative: str, data: bytes) -> None:
        assert relative not in self.files, relative
        self.files[relative] = data

    def locate(self, key: str, path: str, locator: str = "", **extra) -> None:
        self.locations.setdefault(key, []).append({"path": path, "locator": locator, **extra})

    def build(self) -> None:
        mboxes: dict[str, list[tuple[Story, bytes]]] = {"morton": [], "okafor": []}
        maildir: list[tuple[Story, bytes, str, str]] = []
        zipped: list[tuple[Story, bytes, bool]] = []
        used_names: set[str] = set()
        for story in STORY:
            if story.withheld or not story.where:
                continue
            text = self.composer.text(story.key)
            plain = write_message(story, text)
            self.written[story.key] = plain
            for where in story.where:
                kind, _, rest = where.partition(":")
                if kind == "cust":
                    custodian, _, flavour = rest.partition(":")
                    data = plain.data
                    extension = ".txt" if flavour == "txt" else ".eml"
                    if flavour == "near":
                        near = write_message(story, text, "near")
                        data = near.data
                    name = outlook_file_name(story.subject, extension)
                    path = f"{CUSTODIAN_DIR}/{custodian}/{name}"
                    counter = 2
                    while path in used_names:
                        path = f"{CUSTODIAN_DIR}/{custodian}/{outlook_file_name(story.subject, '')} ({counter}){extension}"
                        counter += 1
                    used_names.add(path)
                    self.put(path, data)
                    self.locate(story.key, path, "", **({"copy": "near-duplicate"} if flavour == "near" else {}))
                elif kind == "mbox":
                    mboxes[rest].append((story, plain.data))
                elif kind == "maildir":
                    folder, _, flags = rest.partition(":")
                    maildir.append((story, plain.data, folder, flags or ("S" if folder == "cur" else "")))
                elif kind == "zip":
                    zipped.append((story, plain.data, rest == "nested"))
                else:
                    raise ValueError(where)
        self._write_mboxes(mboxes)
        self._write_maildir(maildir)
        self._write_zip(zipped)
        self.put(EMPTY_FILE, b"")
        self.put(GARBAGE_FILE, garbage_bytes())
        self.put(MAILDIR_KEEP, b"")

    def _write_mboxes(self, mboxes: dict[str, list[tuple[Story, bytes]]]) -> None:
        for name, entries in mboxes.items():
            path = MBOX_PATHS[name]
            chunks = []
            for index, (story, data) in enumerate(sorted(entries, key=lambda e: story_utc(e[0]))):
                escaped, count = escape_from_lines(data)
                if count:
                    self.from_escapes.append({"path": path, "locator": f"mbox#{index}", "message": story.key,
                                              "lines": count})
                chunks.append(mbox_from_line(sender_address(story), story_utc(story)).encode() + b"\n"
                              + escaped.rstrip(b"\n") + b"\n\n")
                self.locate(story.key, path, f"mbox#{index}")
            self.put(path, b"".join(chunks))

    def _write_maildir(self, entries: list[tuple[Story, bytes, str, str]]) -> None:
        for sequence, (story, data, folder, flags) in enumerate(entries, start=1):
            epoch = int(story_utc(story).timestamp()) + 2
            unique = f"{epoch}.M{(sequence * 104729) % 1000000}P{3100 + sequence}Q{sequence}.sccmail01"
            name = unique + (f":2,{flags}" if folder == "cur" else "")
            path = f"{MAILDIR}/{folder}/{name}"
            self.put(path, data)
            self.locate(story.key, path, "")

    def _write_zip(self, entries: list[tuple[Story, bytes, bool]]) -> None:
        buffer = io.BytesIO()
        ordered = sorted(entries, key=lambda e: story_utc(e[0]))
        with zipfile.ZipFile(buffer, "w") as archive:
            for directory in ("Sheriff/", ZIP_NESTED):
                info = zipfile.ZipInfo(directory, date_time=ZIP_DATE)
                info.create_system = 3
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            for number, (story, data, nested) in enumerate(ordered, start=1):
                member = f"{ZIP_NESTED if nested else ''}SCC-PRA-{number:04d}.eml"
                info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_STORED
                archive.writestr(info, data)
                self.locate(story.key, ZIP_PATH, f"zip:{member}")
        self.put(ZIP_PATH, buffer.getvalue())


# ---------------------------------------------------------------------------
# The printed release (Outlook print layout) and the scanned page
# ---------------------------------------------------------------------------

PDF_PATH = f"release/ICE-{RELEASE_NUMBER}.pdf"
SCANNED_PATH = "release/scanned-page.pdf"
PDF_ORDER = ["opt-1", "opt-2", "i247-p", "cmp-1", "cmp-2", "cmp-3"]
PDF_ZONE = "ET"  # printed at ICE headquarters
CODE_IN_PRINT = re.compile(r"\(b\)\(6\)|\(b\)\(7\)\(C\)")
_PAGE_TOP = 22.0
_PAGE_BOTTOM = 252.0
_LEFT = 20.0
_WIDTH = 176.0
_LINE = 4.6
_BOX = 16.0
_LABEL = 28.0


def bates_for_page(page: int) -> str:
    number = BATES_FIRST + page - 1
    if number >= BATES_SKIPPED:
        number += 1
    return f"{BATES_PREFIX}{number:06d}"


class ReleasePDF(FPDF):
    def header(self) -> None:
        self.set_font("helvetica", "", 8)
        self.set_xy(_LEFT, 10)
        self.cell(_WIDTH, 4, RELEASE_HEADER, align="C")
        self.set_line_width(0.2)
        self.line(_LEFT, 15, _LEFT + _WIDTH, 15)

    def footer(self) -> None:
        self.set_font("helvetica", "", 8)
        self.set_xy(_LEFT, 262)
        self.cell(_WIDTH, 4, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_font("helvetica", "B", 9)
        self.set_xy(_LEFT, 267)
        self.cell(_WIDTH, 4, bates_for_page(self.page_no()), align="R")


class PrintLayout:
    """Flows printed emails down the pages, breaking where a page fills, and records page spans."""

    def __init__(self, pdf: ReleasePDF) -> None:
        self.pdf = pdf
        self.y = _PAGE_TOP
        self.codes: dict[str, int] = {"(b)(6)": 0, "(b)(7)(C)": 0}

    def _width(self, text: str) -> float:
        pieces = CODE_IN_PRINT.split(text)
        codes = CODE_IN_PRINT.findall(text)
        return self.pdf.get_string_width("".join(pieces) + "".join(codes)) + len(codes) * (_BOX + 1.5)

    def wrap(self, text: str, width: float) -> list[str]:
        if not text:
            return [""]
        lines, current = [], ""
        for word in text.split(" "):
            candidate = f"{current} {word}" if current else word
            if self._width(candidate) <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
        return lines

    def ensure(self, height: float) -> None:
        if self.y + height > _PAGE_BOTTOM:
            self.pdf.add_page()
            self.y = _PAGE_TOP

    def draw(self, x: float, text: str) -> None:
        """One visual line; each exemption code is printed beside a blacked-out box."""
        pdf = self.pdf
        position = 0
        for match in CODE_IN_PRINT.finditer(text):
            before = text[position:match.start()]
            if before:
                pdf.set_xy(x, self.y)
                pdf.cell(pdf.get_string_width(before), _LINE, before)
                x += pdf.get_string_width(before)
            pdf.set_fill_color(0, 0, 0)
            pdf.rect(x + 0.5, self.y + 0.6, _BOX, _LINE - 1.0, style="F")
            x += _BOX + 1.5
            code = match.group(0)
            pdf.set_xy(x, self.y)
            pdf.cell(pdf.get_string_width(code), _LINE, code)
            x += pdf.get_string_width(code)
            self.codes[code] += 1
            position = match.end()
        rest = text[position:]
        if rest:
            pdf.set_xy(x, self.y)
            pdf.cell(pdf.get_string_width(rest), _LINE, rest)

    def message(self, name_line: str, fields: list[tuple[str, str]], body: str) -> tuple[int, int, float]:
        pdf = self.pdf
        self.ensure(40)
        start_page, start_y = pdf.page_no(), self.y
        pdf.set_font("helvetica", "B", 12)
        pdf.set_xy(_LEFT, self.y)
        pdf.cell(_WIDTH, 6, name_line)
        self.y += 7
        pdf.set_line_width(0.6)
        pdf.line(_LEFT, self.y, _LEFT + _WIDTH, self.y)
        self.y += 2.5
        for label, value in fields:
            pdf.set_font("helvetica", "", 10)
            wrapped = self.wrap(value, _WIDTH - _LABEL)
            for index, line in enumerate(wrapped):
                self.ensure(_LINE)
                if index == 0:
                    pdf.set_font("helvetica", "B", 10)
                    pdf.set_xy(_LEFT, self.y)
                    pdf.cell(_LABEL, _LINE, f"{label}:")
                    pdf.set_font("helvetica", "", 10)
                self.draw(_LEFT + _LABEL, line)
                self.y += _LINE
        self.y += _LINE
        pdf.set_font("helvetica", "", 10)
        for paragraph_line in body.rstrip("\n").split("\n"):
            for line in self.wrap(paragraph_line, _WIDTH):
                self.ensure(_LINE)
                self.draw(_LEFT, line)
                self.y += _LINE
        end_page = pdf.page_no()
        self.y += 3 * _LINE
        return start_page, end_page, start_y


def build_release_pdf(composer: Composer) -> tuple[bytes, list[dict], dict]:
    pdf = ReleasePDF(unit="mm", format="letter")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_compression(False)
    pdf.set_creation_date(FIXED_PDF_DATE)
    pdf.set_producer("ICE FOIA Office - Release Assembly")
    pdf.set_creator("Microsoft Office Outlook")
    pdf.set_title(f"ICE FOIA {RELEASE_NUMBER} Interim Release 1")
    pdf.set_auto_page_break(False)
    pdf.alias_nb_pages("{nb}")
    pdf.set_margins(_LEFT, _PAGE_TOP, _LEFT)
    pdf.add_page()
    layout = PrintLayout(pdf)
    printed = []
    for key in PDF_ORDER:
        story = STORY_BY_KEY[key]
        utc = story_utc(story)
        sent = outlook_sent(utc, PDF_ZONE)
        fields = [("From", sender_display(story)), ("Sent", sent), ("To", printed_names(story.to))]
        if story.cc:
            fields.append(("Cc", printed_names(story.cc)))
        fields.append(("Subject", story.subject))
        if story.attachments:
            fields.append(("Attachments", "; ".join(story.attachments)))
        first, last, start_y = layout.message(sender_display(story), fields, composer.text(key))
        printed.append({"message": key, "sender_name": sender_display(story), "sender": sender_address(story),
                        "date": iso_utc(utc), "sent_printed": sent, "printed_zone": PDF_ZONE,
                        "subject": story.subject, "pages": [first, last],
                        "starts_mid_page": start_y > _PAGE_TOP + 1,
                        "bates": [bates_for_page(p) for p in range(first, last + 1)],
                        "attachments_listed": list(story.attachments)})
    pages = pdf.page_no()
    data = bytes(pdf.output())
    assert any(p["pages"][0] != p["pages"][1] for p in printed), "no printed message crosses a page boundary"
    assert any(p["starts_mid_page"] for p in printed), "no printed message starts mid-page"
    assert pages >= 5, pages
    info = {"pages": pages, "codes": dict(layout.codes)}
    return data, printed, info


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def scanned_page_png() -> bytes:
    """A photocopied printout: grey text-like bars, a bold name bar, a rule and one black redaction box."""
    width, height = 306, 396
    page = [bytearray([246]) * width for _ in range(height)]

    def fill(x0: int, y0: int, x1: int, y1: int, shade: int) -> None:
        for y in range(max(0, y0), min(height, y1)):
            page[y][max(0, x0):min(width, x1)] = bytes([shade]) * (min(width, x1) - max(0, x0))

    fill(30, 30, 150, 38, 40)  # sender's name in bold
    fill(30, 42, 276, 44, 20)  # the rule
    seed = b"scanned-page"
    y = 52
    for line in range(30):
        seed = hashlib.sha256(seed).digest()
        if line in (6, 13, 21):
            y += 8
            continue
        length = 120 + seed[0] % 120 if line >= 6 else 60 + seed[0] % 80
        x = 30 if line >= 6 else 70
        if line < 6:
            fill(30, y, 62, y + 5, 90)  # the header labels
        fill(x, y, x + length, y + 5, 110 + seed[1] % 40)
        y += 10
    fill(120, 150, 190, 157, 0)  # a redaction box
    fill(200, 372, 280, 380, 70)  # a Bates stamp, as ink
    return _png(width, height, [bytes(row) for row in page])


def build_scanned_pdf() -> bytes:
    pdf = FPDF(unit="mm", format="letter")
    pdf.set_compression(False)
    pdf.set_creation_date(FIXED_PDF_DATE)
    pdf.set_producer("Canon iR-ADV C5035 PDF")
    pdf.set_creator("Canon iR-ADV C5035")
    pdf.add_page()
    # LZW is fpdf2's own pure-Python encoder, so the image bytes do not depend on the zlib build.
    pdf.set_image_filter("LZWDecode")
    pdf.image(io.BytesIO(scanned_page_png()), x=0, y=0, w=215.9, h=279.4)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------
# Truth
# ---------------------------------------------------------------------------

REDACTION_FORMS = {
    "(b)(6)": (re.compile(r"\(b\)\(6\)"), "b6"),
    "(b)(7)(C)": (re.compile(r"\(b\)\(7\)\(C\)"), "b7c"),
    "b6": (re.compile(r"\bb6\b"), "b6"),
    "b7c": (re.compile(r"\bb7c\b"), "b7c"),
    "[REDACTED]": (re.compile(r"\[REDACTED\]"), "uncoded"),
    "\u2588 run": (re.compile("\u2588+"), "uncoded"),
}
REDACTION_RULE = (
    "Marks are counted once per distinct message in the dump, in its To/Cc header values and its body text "
    "(text/plain part, or the HTML of an HTML-only message), quoted history included; attachments are not "
    "counted. Forms: '(b)(6)' and bare 'b6' are code b6; '(b)(7)(C)' and bare 'b7c' are code b7c; "
    "'[REDACTED]' and each run of U+2588 are uncoded. In the PDF, each exemption code printed beside a "
    "black box counts once."
)


def count_redactions(texts: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    by_form = {form: 0 for form in REDACTION_FORMS}
    by_code = {"b6": 0, "b7c": 0, "uncoded": 0}
    for text in texts:
        for form, (pattern, code) in REDACTION_FORMS.items():
            found = len(pattern.findall(text))
            by_form[form] += found
            by_code[code] += found
    return by_code, by_form


def redaction_text(story: Story, composer: Composer) -> str:
    parts = [address_header(story.to), address_header(story.cc) if story.cc else ""]
    parts.append(CALL_HTML if story.html else composer.text(story.key))
    return "\n".join(parts)


def build_truth(writer: Writer, printed: list[dict], pdf_info: dict) -> dict:
    composer = writer.composer
    thread_members = {name: [] for name in THREAD_ORDER}
    for story in sorted(STORY, key=story_utc):
        thread_members[story.thread].append(story.key)
    threads = [thread_members[name] for name in THREAD_ORDER]
    thread_of = {key: index for index, keys in enumerate(threads) for key in keys}
    printed_by_key = {p["message"]: p for p in printed}

    referenced: set[str] = set()
    for story in STORY:
        if story.key in writer.written and story.message_id:
            referenced.update(ancestors(story.key))

    messages = []
    for story in sorted(STORY, key=lambda s: (thread_of[s.key], story_utc(s))):
        utc = story_utc(story)
        written = writer.written.get(story.key)
        quoted_in = [
            {"message": q["in"], "style": q["style"], "printed_sender": q["printed_sender"],
             "printed_date": q["printed_date"], "printed_zone": q["zone"]}
            for q in composer.quoted_headers.get(story.key, [])
        ]
        header_status = "ok"
        if story.date_header:
            header_status = "missing" if story.date_header == "2011-13-45" else "guessed"
        entry = {
            "key": story.key,
            "thread": thread_of[story.key],
            "sender": sender_address(story),
            "sender_name": sender_display(story),
            "person": story.sender,
            "to": [recipient_parts(e)[2] or REDACTED_RECIPIENT for e in story.to],
            "cc": [recipient_parts(e)[2] or REDACTED_RECIPIENT for e in story.cc],
            "date": iso_utc(utc),
            "subject": story.subject,
            "in_dump": written is not None,
            "in_pdf": story.key in printed_by_key,
            "withheld": story.withheld,
            "has_message_id": bool(written and written.has_message_id),
            "message_id": message_id_of(story.key) if written and written.has_message_id else None,
            "referenced_message_id": message_id_of(story.key) if story.key in referenced else None,
            "quotes": story.quote[0] if story.quote else None,
            "quote_style": story.quote[1] if story.quote else None,
            "quoted_in": quoted_in,
            "locations": writer.locations.get(story.key, []),
        }
        if written:
            entry["date_header"] = written.date_header
            entry["date_header_status"] = header_status
            entry["charset"] = written.charset
            entry["content_type"] = ("text/html" if story.html else
                                     "multipart/mixed" if story.attachments else "text/plain")
            entry["attachments"] = written.attachments
            by_code, _ = count_redactions([redaction_text(story, composer)])
            entry["redactions"] = {code: n for code, n in by_code.items() if n}
        if story.key in printed_by_key:
            p = printed_by_key[story.key]
            entry["pdf"] = {"path": PDF_PATH, "locator": f"pdf:pages {p['pages'][0]}-{p['pages'][1]}",
                            "bates": p["bates"]}
        messages.append(entry)

    dump_keys = [s.key for s in STORY if s.key in writer.written]
    dump_by_code, dump_by_form = count_redactions(
        [redaction_text(STORY_BY_KEY[k], composer) for k in dump_keys])

    people = []
    names_used: dict[str, set[str]] = {p.key: set() for p in PEOPLE_LIST}
    addresses_used: dict[str, set[str]] = {p.key: set() for p in PEOPLE_LIST}
    for story in STORY:
        names_used[story.sender].add(sender_display(story))
        addresses_used[story.sender].add(sender_address(story))
        for entry in (*story.to, *story.cc):
            key, name, addr = recipient_parts(entry)
            if key:
                names_used[key].add(name)
                addresses_used[key].add(addr)
    for parent_key, records in composer.quoted_headers.items():
        for record in records:
            names_used[STORY_BY_KEY[parent_key].sender].add(record["printed_sender"])
    for person in PEOPLE_LIST:
        people.append({
            "id": person.key,
            "name": person.full_name,
            "organisation": person.org,
            "title": person.title,
            "addresses": sorted(addresses_used[person.key]),
            "display_names": sorted(names_used[person.key]),
        })

    copies = sum(len(writer.locations[k]) for k in dump_keys)
    duplicates = []
    for key in dump_keys:
        locations = writer.locations[key]
        if len(locations) > 1:
            near = [loc for loc in locations if loc.get("copy") == "near-duplicate"]
            duplicates.append({
                "message": key,
                "kind": "near-duplicate" if near else "identical",
                "locations": [{"path": loc["path"], "locator": loc["locator"]} for loc in locations],
                "note": ("same Message-ID, date, sender, subject and body; no Received header, CRLF line ends, "
                         "trailing blanks, extra X-MS-Exchange headers") if near else
                        ("identical bytes in two custodian folders and once more inside an mbox"),
            })

    withheld = [s.key for s in STORY if s.withheld]
    pdf_keys = [p["message"] for p in printed]
    problems = [
        {"path": EMPTY_FILE, "locator": "", "reason": "empty file (0 bytes)"},
        {"path": GARBAGE_FILE, "locator": "", "reason": "not an email: binary data with no header lines"},
    ]
    counts = {
        "messages_total": len(STORY),
        "messages_in_dump": len(dump_keys),
        "messages_in_pdf": len(pdf_keys),
        "messages_pdf_only": len([k for k in pdf_keys if k not in writer.written]),
        "messages_in_pdf_and_dump": len([k for k in pdf_keys if k in writer.written]),
        "withheld_quoted": len(withheld),
        "threads": len(threads),
        "people": len(PEOPLE_LIST),
        "organisations": len(ORGANISATIONS),
        "problems": len(problems),
        "message_copies_in_dump": copies,
        "duplicate_copies": copies - len(dump_keys),
        "identical_duplicates": len([d for d in duplicates if d["kind"] == "identical"]),
        "near_duplicates": len([d for d in duplicates if d["kind"] == "near-duplicate"]),
        "dump_messages_without_message_id": len([k for k in dump_keys if not writer.written[k].has_message_id]),
        "pdf_pages": pdf_info["pages"],
    }
    lee = PEOPLE["lee_david"]
    features = {
        "custodian_folders": sorted({loc["path"].rsplit("/", 1)[0] for locs in writer.locations.values()
                                     for loc in locs if loc["path"].startswith(CUSTODIAN_DIR)}),
        "mbox": [MBOX_PATHS["morton"]],
        "mbox_without_extension": [MBOX_PATHS["okafor"]],
        "mbox_from_escaped": writer.from_escapes,
        "maildir": [MAILDIR],
        "maildir_tmp_placeholder": MAILDIR_KEEP,
        "zip": [ZIP_PATH],
        "zip_nested_folder": ZIP_NESTED,
        "wrong_extension": [loc["path"] for locs in writer.locations.values() for loc in locs
                            if loc["path"].endswith(".txt")],
        "no_message_id": [k for k in dump_keys if not writer.written[k].has_message_id],
        "last_first_senders": [k for k in dump_keys if ", " in sender_display(STORY_BY_KEY[k])],
        "same_name_different_people": ["chen_michael_ice", "chen_michael_scc"],
        "one_person_two_addresses": {"person": lee.key, "addresses": list(lee.addresses)},
        "many_display_names": {"person": "morton_john", "display_names": sorted(names_used["morton_john"])},
        "outlook_quoted": [s.key for s in STORY if s.quote and s.quote[1] == "outlook"],
        "on_wrote_quoted": [s.key for s in STORY if s.quote and s.quote[1] == "on-wrote"],
        "blackberry_quoted": [s.key for s in STORY if s.quote and s.quote[1] == "blackberry"],
        "withheld_quoted": withheld,
        "recurring_subject": {"subject": "Weekly detainer statistics",
                              "threads": [THREAD_ORDER.index("weekly-march"), THREAD_ORDER.index("weekly-may")]},
        "charsets": {k: writer.written[k].charset for k in dump_keys
                     if writer.written[k].charset not in ("us-ascii",)},
        "rfc2047_subjects": [k for k in dump_keys if not STORY_BY_KEY[k].subject.isascii()],
        "rfc2047_display_names": [k for k in dump_keys if not sender_display(STORY_BY_KEY[k]).isascii()],
        "malformed_dates": {
            "opt-3": {"header": STORY_BY_KEY["opt-3"].date_header, "parse": "guessed",
                      "true_date": iso_utc(story_utc(STORY_BY_KEY["opt-3"])),
                      "note": "Outlook's display form with no zone; the sender is in US Eastern time"},
            "wk2-2": {"header": STORY_BY_KEY["wk2-2"].date_header, "parse": "missing",
                      "true_date": iso_utc(story_utc(STORY_BY_KEY["wk2-2"])),
                      "note": "month 13, day 45; the mbox From_ line above it carries the UTC time"},
        },
        "html_only": [k for k in dump_keys if STORY_BY_KEY[k].html],
        "attachments": [k for k in dump_keys if STORY_BY_KEY[k].attachments],
        "redacted_recipients": [k for k in dump_keys
                                if REDACTED_RECIPIENT in (*STORY_BY_KEY[k].to, *STORY_BY_KEY[k].cc)],
    }
    return {
        "schema": 1,
        "description": "Ground truth for foiatool's sample release, written by samples/make_samples.py.",
        "paths_relative_to": "samples/",
        "counts": counts,
        "organisations": [{"id": o.key, "name": o.name, "domains": [o.domain]} for o in ORGANISATIONS],
        "people": people,
        "messages": messages,
        "threads": threads,
        "problems": problems,
        "ignored": [{"path": MAILDIR_KEEP, "reason": "dot file that keeps the empty maildir tmp/ folder in git"}],
        "duplicates": duplicates,
        "redactions": {
            "rule": REDACTION_RULE,
            "dump": dump_by_code,
            "dump_by_form": dump_by_form,
            "pdf": {"b6": pdf_info["codes"]["(b)(6)"], "b7c": pdf_info["codes"]["(b)(7)(C)"]},
            "not_marks": [
                "'Electronic Communications Privacy Act' in the California DOJ confidentiality notice names a "
                "law; it is not a redaction",
                "'(U//FOUO)' in the ICE warning banner is a handling caveat, not a redaction",
            ],
        },
        "pdf": {
            "path": PDF_PATH,
            "pages": pdf_info["pages"],
            "running_header": RELEASE_HEADER,
            "bates": [bates_for_page(p) for p in range(1, pdf_info["pages"] + 1)],
            "bates_gap": [f"{BATES_PREFIX}{BATES_SKIPPED:06d}"],
            "messages": printed,
        },
        "scanned": {"path": SCANNED_PATH, "pages": 1, "text_layer": False,
                    "expect": "no text layer; OCR needed"},
        "features": features,
    }


# ---------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------

README_COUNTS = [
    ("distinct messages, all sources", "messages_total"),
    ("distinct messages in the email dump", "messages_in_dump"),
    ("printed messages in the PDF release", "messages_in_pdf"),
    ("printed messages that are also in the dump (join them)", "messages_in_pdf_and_dump"),
    ("printed messages found nowhere else", "messages_pdf_only"),
    ("withheld messages that survive only as quoted history", "withheld_quoted"),
    ("threads", "threads"),
    ("people", "people"),
    ("organisations", "organisations"),
    ("problems (inputs that are not messages)", "problems"),
    ("message copies in the dump", "message_copies_in_dump"),
    ("duplicate copies (copies minus distinct)", "duplicate_copies"),
    ("dump messages without a Message-ID", "dump_messages_without_message_id"),
    ("pages in the PDF release", "pdf_pages"),
]


def build_readme(truth: dict) -> str:
    counts = truth["counts"]
    features = truth["features"]
    rows = "\n".join(f"| {label} | {counts[key]} | `counts.{key}` |" for label, key in README_COUNTS)
    withheld = ", ".join(f"`{k}`" for k in features["withheld_quoted"])
    redactions = truth["redactions"]
    return f"""# foiatool sample release

A small, deliberately messy FOIA-style release that foiatool's tests and docs run on.
Every file here is written by `make_samples.py` (deterministic; run it to regenerate, the tests check
the committed files equal a fresh run). `truth.json` is the answer key, by construction.
All people except the public figure John Morton, and all details, are fictional.

## The story

Spring 2011: ICE (with CBP and DHS headquarters) prepares to activate "Secure Communities" in Santa Clara
County; County Counsel asks whether it is voluntary, CAL DOJ documents its data-sharing role, and a civil
liberties group's Public Records Act request (deadline April 7, extended to April 21) pulls the emails out.

## What is here

- `dump/custodians/<name>/` loose `.eml` exported from Outlook (one is named `.txt`)
- `dump/mbox/morton_john.mbox` and `dump/mbox/okafor_margaret` (an mbox with no extension)
- `dump/maildir/park_steven/` a maildir (`cur/`, `new/`, `tmp/`; `tmp/.gitkeep` only keeps the folder in git)
- `dump/archives/SCC-PRA-2011-0412_production.zip` the County's production, with a nested folder
- `release/ICE-2011-FOIA-000123.pdf` printed emails with Bates numbers; `release/scanned-page.pdf` image only

Point foiatool at the inputs, not at this folder's own files: `foiatool summary samples/dump samples/release`.

## Messy on purpose (keys are in `truth.json` -> `features`)

- about a third of the dump has no Message-ID / In-Reply-To / References (stripped release)
- "Last, First" names; John Morton also appears as "John Morton", "JOHN MORTON" and "'john.morton@ice.dhs.gov'"
- two different people named "Chen, Michael" (ice.dhs.gov, sccgov.org); David Lee writes from two addresses
- Outlook "-----Original Message-----" and County "________" quoted headers, "On ... wrote:" with "> ", BlackBerry
- withheld messages recoverable only from quotes: {withheld}
- "Weekly detainer statistics": two unrelated threads (March at ICE, May at the County)
- windows-1252, iso-2022-jp and UTF-8 bodies; RFC 2047 subjects and names; malformed Date headers
  ("Tuesday, March 08, 2011 9:03 AM", "2011-13-45"); one HTML-only message; PDF and .txt attachments
- an mbox body line escaped as ">From "; one message in two custodian folders and an mbox (identical),
  one near-duplicate (CRLF, trailing blanks, different transport headers)
- redactions: "(b)(6)" as a whole Cc value, (b)(6) / (b)(7)(C) / b6 / b7c in bodies, "[REDACTED]", runs of the full block
- two broken items: an empty `.eml` and a binary `.eml`
- the PDF: running header, "Page N of M", one Bates number per page with {truth['pdf']['bates_gap'][0]} skipped,
  black boxes with codes beside them, a message running across a page break, two messages also in the dump

## What a correct analysis finds

| measure | count | truth.json |
|---|---|---|
{rows}

Redaction marks in the dump: b6 {redactions['dump']['b6']}, b7c {redactions['dump']['b7c']}, uncoded {redactions['dump']['uncoded']};
in the PDF: b6 {redactions['pdf']['b6']}, b7c {redactions['pdf']['b7c']} (rule in `truth.json` -> `redactions.rule`).
Bates gap: {", ".join(truth['pdf']['bates_gap'])}.

## Regenerating

`python samples/make_samples.py` (needs fpdf2). Output depends only on the script and the fpdf2 version.
"""


# ---------------------------------------------------------------------------


def generate(out: Path) -> None:
    writer = Writer()
    writer.build()
    pdf_bytes, printed, pdf_info = build_release_pdf(writer.composer)
    writer.put(PDF_PATH, pdf_bytes)
    writer.put(SCANNED_PATH, build_scanned_pdf())
    truth = build_truth(writer, printed, pdf_info)
    writer.put("truth.json", (json.dumps(truth, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    writer.put("README.md", build_readme(truth).encode("utf-8"))
    for folder in ("dump", "release"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    for relative, data in sorted(writer.files.items()):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: beside this script)")
    args = parser.parse_args()
    generate(args.out)


if __name__ == "__main__":
    main()
