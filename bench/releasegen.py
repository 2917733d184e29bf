"""A synthetic FOIA email release with known thread truth, for measuring threading honestly.

``python bench/releasegen.py OUT_DIR --messages N --seed S [--stripped/--with-headers]``

Writes about N generated messages (N counts every message written by anyone,
withheld ones included; duplicates from a second custodian come on top) as
.eml files in one folder per custodian, a few custodians as one .mbox each,
and ``OUT_DIR/truth.json``:

- ``files``: ``relative/path.eml`` or ``relative/path.mbox#i`` (0-based) -> message key
- ``messages``: message key -> thread key, parent key, sender, UTC date, subject,
  ``withheld``, ``quoted_in`` (released messages whose quoted history holds it)
- ``duplicates``: file -> the file it duplicates (a second custodian's copy)

Realism that threading must survive: a few hundred people in about ten
agencies across many time zones (half-hour ones included); branching threads
of 1-20 messages; Outlook quoted history ("-----Original Message-----",
senders printed "Last, First" (some junior staff redacted "(b)(6)" everywhere), ``Sent:`` in the reader's local time without a
zone) and some Gmail-style "On ... wrote:" quoting; recurring subjects
("Weekly statistics", "Meeting") shared by many unrelated threads, some sent
weekly by the same team; replies whose history was trimmed; about 5% of
messages withheld yet quoted in replies; about 5% duplicated from a second
custodian with other transport headers and sometimes another redaction-mark
spelling or line wrapping. Deterministic for a seed.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa Matthew Betty Anthony Margaret "
    "Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Dorothy Kevin "
    "Carol Brian Amanda George Melissa Edward Deborah Ronald Stephanie Timothy Rebecca Jason Sharon Jeffrey "
    "Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Shirley Eric Angela Jonathan Helen Stephen Anna "
    "Larry Brenda Justin Pamela Scott Nicole Brandon Emma Benjamin Samantha Samuel Katherine Gregory Christine "
    "Frank Debra Alexander Rachel Raymond Catherine Patrick Carolyn Jack Janet Dennis Ruth Jerry Maria Tyler "
    "Heather Aaron Diane Jose Virginia Adam Julie Henry Joyce Nathan Victoria Douglas Olivia Zachary Kelly "
    "Peter Christina Kyle Lauren Walter Joan Ethan Evelyn Jeremy Judith Harold Megan Keith Cheryl Christian "
    "Andrea Roger Hannah Noah Martha Gerald Jacqueline Carl Frances Terry Gloria Sean Ann Austin Teresa Arthur "
    "Kathryn Lawrence Sara Jesse Janice Dylan Jean Bryan Alice Joe Madison Jordan Doris Billy Abigail Bruce Julia"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard "
    "Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price "
    "Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton "
    "Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar "
    "Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells "
    "Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez "
    "Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone "
    "Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan "
    "Morton O'Brien Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters"
).split()

# (domain, agency name, where its people sit)
AGENCIES = (
    ("ice.dhs.gov", "U.S. Immigration and Customs Enforcement",
     ("America/New_York", "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Phoenix")),
    ("cbp.dhs.gov", "U.S. Customs and Border Protection",
     ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix")),
    ("uscis.dhs.gov", "U.S. Citizenship and Immigration Services", ("America/New_York", "America/Chicago")),
    ("hq.dhs.gov", "Department of Homeland Security", ("America/New_York",)),
    ("state.gov", "U.S. Department of State",
     ("America/New_York", "America/New_York", "Asia/Kolkata", "Asia/Kabul", "Europe/Berlin", "America/St_Johns",
      "Australia/Adelaide", "Asia/Kathmandu")),
    ("usdoj.gov", "U.S. Department of Justice", ("America/New_York", "America/Denver")),
    ("fbi.gov", "Federal Bureau of Investigation", ("America/New_York", "America/Anchorage")),
    ("epa.gov", "U.S. Environmental Protection Agency", ("America/New_York", "America/Denver", "Pacific/Honolulu")),
    ("hhs.gov", "U.S. Department of Health and Human Services", ("America/New_York", "America/Chicago")),
    ("treasury.gov", "U.S. Department of the Treasury", ("America/New_York",)),
    ("dot.gov", "U.S. Department of Transportation", ("America/New_York", "America/Los_Angeles")),
)
OFFICES = (
    "Office of Policy", "Office of the Director", "Office of Public Affairs", "Office of Congressional Relations",
    "Office of the Chief Counsel", "Field Operations", "Enforcement and Removal Operations", "Budget Office",
    "Office of Intelligence", "Management Division", "Office of the Executive Secretariat", "Regional Office",
)
TITLES = (
    "Deputy Director", "Program Analyst", "Senior Advisor", "Chief of Staff", "Special Assistant", "Attorney-Advisor",
    "Management and Program Analyst", "Supervisory Program Manager", "Policy Advisor", "Branch Chief",
    "Public Affairs Specialist", "Legislative Affairs Specialist", "Budget Analyst", "Assistant Director",
)
RECURRING_SUBJECTS = (
    "Weekly statistics", "Meeting", "Call today?", "Follow up", "Update", "Quick question", "Tomorrow", "FYI",
    "Weekly report", "Today's call", "Briefing", "Question",
)
SUBJECT_TOPICS = (
    "detention capacity", "budget reprogramming", "congressional inquiry", "press guidance", "site visit",
    "interagency working group", "policy memo draft", "travel authorization", "staffing plan", "data call",
    "briefing materials", "IG audit", "contract modification", "Secretary's schedule", "hearing prep",
    "QFR responses", "litigation hold", "FOIA request", "transition memo", "deployment schedule",
    "grant announcement", "media inquiry", "regional update", "talking points", "incident report",
    "records management", "performance measures", "facility inspection", "rulemaking timeline",
    "stakeholder call", "tasker", "funding request", "clearance package", "draft letter", "weekly numbers",
)
SUBJECT_PLACES = (
    "El Paso", "Tucson", "San Diego", "Houston", "Newark", "Miami", "Atlanta", "Seattle", "Chicago", "Denver",
    "Region 4", "Region 9", "HQ", "the field", "Dilley", "Karnes", "Artesia", "Laredo", "McAllen", "Boston",
)
OPENERS = (
    "Thanks for sending this over.", "Following up on our conversation this morning.", "Please see below.",
    "Adding a few folks for visibility.", "Quick note on the item below.", "Per our discussion,",
    "I spoke with the front office and", "Looping in the team.", "Good catch.", "Understood.",
    "Apologies for the delay.", "Just checking in on this.", "Can you take a look at the attached?",
    "As requested,", "See my edits.", "Flagging for awareness.", "Sounds good.", "Happy to help.",
)
ACTORS = (
    "the front office", "leadership", "the Deputy", "our counsel", "the field office", "the press shop",
    "the Hill staff", "the budget team", "the working group", "OMB", "the component", "the IG team",
    "the program office", "the desk officer", "the regional director", "the contracting officer",
)
VERBS = (
    "needs", "asked for", "is reviewing", "wants to see", "has concerns about", "signed off on", "is drafting",
    "will brief", "is waiting on", "requested changes to", "approved", "flagged", "will circulate", "pushed back on",
)
OBJECTS = (
    "the revised numbers", "the draft response", "the talking points", "the timeline", "the latest figures",
    "the memo", "the briefing book", "the attached spreadsheet", "the final version", "the cost estimate",
    "the clearance sheet", "the data", "the weekly report", "the agenda", "the summary table", "the options paper",
)
WHENS = (
    "by close of business today", "before the 3pm call", "by Friday", "early next week", "tomorrow morning",
    "before the hearing", "as soon as possible", "by noon", "when you get a chance", "this afternoon",
    "before it goes up", "ahead of the meeting", "by end of week", "on Monday",
)
CLOSERS = (
    "Let me know if you have questions.", "Thanks.", "Thanks again.", "Please advise.", "Appreciate it.",
    "Let me know what you think.", "Will keep you posted.", "Call me if easier.", "Thanks for the quick turnaround.",
)
NUMBERS_LINES = (
    "Book-ins: {a}, releases: {b}, average daily population: {c}.",
    "Total cases pending: {a} (up {b} from last week); completed: {c}.",
    "Current count is {a} with {b} pending review and {c} closed.",
)
HUBS = ("EXCH-HUB01", "EXCH-HUB02", "EXCH-HUB03", "MAIL-GW04", "EXCH-MBX05", "EXCH-MBX07", "EXCH-CAS02")
REDACTION = "(b)(6)"
ALT_REDACTIONS = ("(b) (6)", "(b)(6) ", "[(b)(6)]")


@dataclass(slots=True)
class Person:
    first: str
    last: str
    email: str
    agency: int
    zone: ZoneInfo
    title: str
    office: str
    quote_style: str      # "outlook" | "gmail"
    from_print: str       # how this person's Outlook prints a sender: "name" | "angle" | "mailto"
    redacted: bool        # a junior employee whose name and address the release blacks out everywhere

    @property
    def display(self) -> str:
        return REDACTION if self.redacted else f"{self.first} {self.last}"

    @property
    def real_name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def printed(self) -> str:
        return REDACTION if self.redacted else f"{self.last}, {self.first}"

    @property
    def mailbox(self) -> str:
        """The person as a released header shows them."""
        return REDACTION if self.redacted else f"{self.display} <{self.email}>"

    @property
    def shown_email(self) -> str:
        return REDACTION if self.redacted else self.email


@dataclass(slots=True)
class Mail:
    key: str
    thread: str
    parent: str | None
    sender: int
    to: list[int]
    cc: list[int]
    date: datetime             # UTC, to the second
    subject: str
    own_text: str               # what the author wrote, signature included
    body: str = ""              # own text plus quoted history, as released
    message_id: str = ""
    references: list[str] = field(default_factory=list)
    quotes_parent: bool = True
    forward: bool = False
    withheld: bool = False
    children: list[str] = field(default_factory=list)


class ReleaseGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.zones: dict[str, ZoneInfo] = {}
        self.people: list[Person] = self._make_people(300)
        self.by_agency: dict[int, list[int]] = {}
        for index, person in enumerate(self.people):
            self.by_agency.setdefault(person.agency, []).append(index)
        self.mails: list[Mail] = []
        self.by_key: dict[str, Mail] = {}

    # --- people -------------------------------------------------------------------------
    def _zone(self, name: str) -> ZoneInfo:
        if name not in self.zones:
            self.zones[name] = ZoneInfo(name)
        return self.zones[name]

    def _make_people(self, count: int) -> list[Person]:
        rng = self.rng
        people: list[Person] = []
        used: set[str] = set()
        while len(people) < count:
            agency = rng.randrange(len(AGENCIES))
            domain, _, zones = AGENCIES[agency]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = f"{first}.{last}".lower().replace("'", "")
            email = f"{local}@{domain}"
            serial = 2
            while email in used:
                email = f"{local}{serial}@{domain}"
                serial += 1
            used.add(email)
            people.append(
                Person(
                    first=first, last=last, email=email, agency=agency, zone=self._zone(rng.choice(zones)),
                    title=rng.choice(TITLES), office=rng.choice(OFFICES),
                    quote_style="gmail" if rng.random() < 0.1 else "outlook",
                    from_print=rng.choices(("name", "angle", "mailto"), (6, 2, 2))[0],
                    redacted=rng.random() < 0.06,
                )
            )
        return people

    def _colleagues(self, agency: int, count: int, exclude: set[int]) -> list[int]:
        rng = self.rng
        chosen: list[int] = []
        while len(chosen) < count:
            pool = self.by_agency[agency] if rng.random() < 0.75 else range(len(self.people))
            pick = rng.choice(list(pool))
            if pick not in exclude and pick not in chosen:
                chosen.append(pick)
        return chosen

    # --- text ---------------------------------------------------------------------------
    def _sentence(self) -> str:
        rng = self.rng
        actor, verb, obj, when = rng.choice(ACTORS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(WHENS)
        forms = (
            f"{actor[0].upper()}{actor[1:]} {verb} {obj} {when}.",
            f"Can you confirm whether {actor} {verb} {obj}?",
            f"My understanding is that {actor} {verb} {obj}, so we should plan accordingly.",
            f"We still need {obj} {when}; {actor} {verb} it.",
            f"I think {actor} {verb} {obj} and will follow up {when}.",
            f"The issue is that {actor} {verb} {obj} and nobody has the number for {rng.choice(SUBJECT_PLACES)}.",
        )
        return rng.choice(forms)

    def _paragraph(self, sentences: int) -> str:
        text = " ".join(self._sentence() for _ in range(sentences))
        if self.rng.random() < 0.2:
            a, b, c = self.rng.randrange(40, 9000), self.rng.randrange(1, 400), self.rng.randrange(100, 40000)
            text += " " + self.rng.choice(NUMBERS_LINES).format(a=a, b=b, c=c)
        return _wrap(text, self.rng.choice((72, 76, 80)))

    def _own_text(self, author: Person, recipient: Person | None) -> str:
        rng = self.rng
        parts = []
        greeting = f"{REDACTION if recipient.redacted else recipient.first}," if recipient and rng.random() < 0.6 else rng.choice(("All,", "Hi,", "Team,", ""))
        if greeting:
            parts.append(greeting)
        opener, sentence = rng.choice(OPENERS), self._sentence()
        if not opener.endswith((".", "?")):
            sentence = sentence[0].lower() + sentence[1:]
        body = [opener + " " + sentence]
        for _ in range(rng.choices((0, 1, 2, 3, 5), (3, 5, 3, 2, 1))[0]):
            body.append(self._paragraph(rng.randint(2, 5)))
        parts.append(_wrap(body[0], 76))
        parts.extend(body[1:])
        parts.append(rng.choice(CLOSERS))
        if rng.random() < 0.12:
            parts.append("Sent from my iPhone")
        else:
            domain, agency_name, _ = AGENCIES[author.agency]
            parts.append(
                f"{author.display}\n{author.title}\n{author.office}\n{agency_name}\n"
                f"Office: {REDACTION} | Mobile: {REDACTION}"
            )
        return "\n\n".join(parts)

    # --- threads ------------------------------------------------------------------------
    def _business_time(self, person: Person, not_before: datetime) -> datetime:
        """A working-hours moment in the person's own zone at or after ``not_before``."""
        local = not_before.astimezone(person.zone)
        for _ in range(14):
            if local.weekday() < 5 and 7 <= local.hour < 19:
                return local.astimezone(UTC)
            if local.hour >= 19 or local.weekday() >= 5:
                local = (local + timedelta(days=1)).replace(hour=7, minute=self.rng.randrange(60))
            else:
                local = local.replace(hour=7, minute=self.rng.randrange(60))
        return local.astimezone(UTC)

    def _subject_for_new_thread(self) -> str:
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(RECURRING_SUBJECTS)
        topic = rng.choice(SUBJECT_TOPICS)
        shape = rng.randrange(4)
        if shape == 0:
            return f"{topic.capitalize()} - {rng.choice(SUBJECT_PLACES)}"
        if shape == 1:
            return f"{topic.capitalize()} ({rng.randrange(2015, 2019)}-{rng.randrange(1, 999):03d})"
        if shape == 2:
            return f"{rng.choice(SUBJECT_PLACES)} {topic}"
        return f"{topic.capitalize()} for {rng.choice(('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'))}"

    def _new_key(self) -> str:
        return f"k{len(self.mails):07d}"

    def _add(self, mail: Mail) -> Mail:
        self.mails.append(mail)
        self.by_key[mail.key] = mail
        return mail

    def _thread_size(self) -> int:
        return self.rng.choices(
            range(1, 21),
            (30, 20, 14, 10, 7, 5, 4, 3, 2.5, 2, 1.5, 1.2, 1, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.3),
        )[0]

    def make_thread(self, thread_key: str, start: datetime, subject: str, sender: int,
                    to: list[int], cc: list[int], size: int) -> None:
        rng = self.rng
        root_person = self.people[sender]
        date = self._business_time(root_person, start).replace(microsecond=0)
        first_to = self.people[to[0]] if to else None
        root = self._add(Mail(
            key=self._new_key(), thread=thread_key, parent=None, sender=sender, to=to, cc=cc, date=date,
            subject=subject, own_text=self._own_text(root_person, first_to), quotes_parent=False,
        ))
        members = [root]
        while len(members) < size:
            parent = members[-1] if rng.random() < 0.6 else rng.choice(members)
            forward = rng.random() < 0.08
            readers = [p for p in parent.to + parent.cc if p != parent.sender] or [parent.sender]
            author = rng.choice(readers)
            if forward:
                reply_to = self._colleagues(self.people[author].agency, rng.randint(1, 2), {author})
                reply_cc: list[int] = []
                subject = "FW: " + _base_subject(parent.subject)
            else:
                reply_to = [parent.sender] if parent.sender != author else []
                reply_cc = []
                if rng.random() < 0.5:
                    reply_to += [p for p in parent.to if p != author and p not in reply_to]
                    reply_cc = [p for p in parent.cc if p != author and p not in reply_to]
                if not reply_to:
                    reply_to = self._colleagues(self.people[author].agency, 1, {author})
                subject = parent.subject if parent.subject.upper().startswith("RE:") else "RE: " + parent.subject
            delay = timedelta(minutes=min(rng.lognormvariate(4.0, 1.3), 60 * 24 * 4) + 2)
            person = self.people[author]
            when = self._business_time(person, parent.date + delay).replace(microsecond=0)
            mail = self._add(Mail(
                key=self._new_key(), thread=thread_key, parent=parent.key, sender=author, to=reply_to, cc=reply_cc,
                date=when, subject=subject, own_text=self._own_text(person, self.people[reply_to[0]]),
                quotes_parent=forward or rng.random() > 0.04, forward=forward,
            ))
            parent.children.append(mail.key)
            members.append(mail)

    def generate(self, total: int) -> None:
        rng = self.rng
        epoch = datetime(2015, 1, 5, tzinfo=UTC)
        span_days = 3 * 365
        thread_no = 0
        while len(self.mails) < total:
            room = total - len(self.mails)
            if rng.random() < 0.12 and room >= 8:
                # A team's recurring series: same people, same subject, every week.
                sender = rng.randrange(len(self.people))
                agency = self.people[sender].agency
                to = self._colleagues(agency, rng.randint(2, 5), {sender})
                subject = rng.choice(("Weekly statistics", "Weekly report", "Meeting", "Update"))
                start = epoch + timedelta(days=rng.randrange(span_days))
                for week in range(rng.randint(3, 10)):
                    if len(self.mails) >= total:
                        break
                    size = min(self._thread_size(), total - len(self.mails))
                    self.make_thread(f"t{thread_no:06d}", start + timedelta(days=7 * week), subject, sender,
                                     list(to), [], size)
                    thread_no += 1
                continue
            sender = rng.randrange(len(self.people))
            agency = self.people[sender].agency
            to = self._colleagues(agency, rng.choices((1, 2, 3, 4), (5, 3, 2, 1))[0], {sender})
            cc = self._colleagues(agency, rng.randint(1, 3), {sender, *to}) if rng.random() < 0.35 else []
            size = min(self._thread_size(), room)
            start = epoch + timedelta(days=rng.randrange(span_days), minutes=rng.randrange(1440))
            self.make_thread(f"t{thread_no:06d}", start, self._subject_for_new_thread(), sender, to, cc, size)
            thread_no += 1

    # --- rendering ----------------------------------------------------------------------
    def _printed_list(self, people: list[int]) -> str:
        return "; ".join(self.people[p].printed for p in people)

    def _quote_block(self, reader: Person, parent: Mail) -> str:
        """The parent as the reader's mail client quotes it below a reply."""
        author = self.people[parent.sender]
        local = parent.date.astimezone(reader.zone)
        if reader.quote_style == "gmail" and not parent.subject.upper().startswith("FW"):
            when = f"{local:%a}, {local:%b} {local.day}, {local.year} at {_clock(local)}"
            lines = parent.body.split("\n")
            quoted = "\n".join(">" + (" " + line if line and not line.startswith(">") else line) for line in lines)
            return f"On {when}, {author.mailbox} wrote:\n{quoted}"
        sender = author.printed
        if author.redacted:
            pass
        elif reader.from_print == "angle":
            sender = f"{author.printed} <{author.email}>"
        elif reader.from_print == "mailto":
            sender = f"{author.printed} [mailto:{author.email}]"
        sent = f"{local:%A}, {local:%B} {local.day:02d}, {local.year} {_clock(local)}"
        head = ["-----Original Message-----", f"From: {sender}", f"Sent: {sent}", f"To: {self._printed_list(parent.to)}"]
        if parent.cc:
            head.append(f"Cc: {self._printed_list(parent.cc)}")
        head.append(f"Subject: {parent.subject}")
        return "\n".join(head) + "\n\n" + parent.body

    def render_bodies(self) -> None:
        for mail in self.mails:  # parents always come before their replies
            if mail.parent is not None and mail.quotes_parent:
                parent = self.by_key[mail.parent]
                block = self._quote_block(self.people[mail.sender], parent)
                mail.body = mail.own_text + "\n\n" + block
            else:
                mail.body = mail.own_text
            domain = self.people[mail.sender].email.split("@", 1)[1]
            mail.message_id = f"<{self.rng.getrandbits(64):016X}{mail.key[1:]}@{self.rng.choice(HUBS).lower()}.{domain}>"
            if mail.parent is not None:
                parent = self.by_key[mail.parent]
                mail.references = [*parent.references[-10:], parent.message_id]

    def withhold(self, fraction: float) -> None:
        rng = self.rng
        quoted_parents = sorted({m.parent for m in self.mails if m.parent is not None and m.quotes_parent})
        count = int(len(self.mails) * fraction)
        for key in rng.sample(quoted_parents, min(count, len(quoted_parents))):
            self.by_key[key].withheld = True

    def quoted_in(self, mail: Mail) -> list[str]:
        """Released messages whose quoted history holds this message."""
        found: list[str] = []
        stack = [c for c in mail.children if self.by_key[c].quotes_parent]
        while stack:
            child = self.by_key[stack.pop()]
            if not child.withheld:
                found.append(child.key)
            stack.extend(c for c in child.children if self.by_key[c].quotes_parent)
        return sorted(found)

    def headers(self, mail: Mail, with_ids: bool, variant: int) -> list[str]:
        rng = self.rng
        author = self.people[mail.sender]
        domain = author.email.split("@", 1)[1]
        local = mail.date.astimezone(author.zone)
        date = _rfc_date(local)
        lines = []
        hop = mail.date
        for _ in range(2 + variant % 2):
            hop += timedelta(seconds=rng.randrange(1, 4))
            hub_a, hub_b = rng.choice(HUBS), rng.choice(HUBS)
            lines.append(
                f"Received: from {hub_a}.{domain} (10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}) by\n"
                f" {hub_b}.{domain} (10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}) with Microsoft SMTP\n"
                f" Server (TLS) id 15.0.{rng.randrange(800, 1500)}.{rng.randrange(1, 9)}; {_rfc_date(hop.astimezone(author.zone))}"
            )
        lines.append(f"From: {author.mailbox}")
        lines.append("To: " + ", ".join(self.people[p].mailbox for p in mail.to))
        if mail.cc:
            lines.append("CC: " + ", ".join(self.people[p].mailbox for p in mail.cc))
        lines.append(f"Subject: {mail.subject}")
        lines.append(f"Thread-Topic: {_base_subject(mail.subject)}")
        lines.append(f"Date: {date}")
        if with_ids:
            lines.append(f"Message-ID: {mail.message_id}")
            if mail.references:
                lines.append(f"In-Reply-To: {mail.references[-1]}")
                lines.append("References: " + "\n ".join(mail.references))
        lines += [
            "Accept-Language: en-US",
            "Content-Language: en-US",
            "X-MS-Has-Attach:",
            "X-MS-TNEF-Correlator:",
            f"X-MS-Exchange-Organization-AuthAs: {'Internal' if variant % 2 == 0 else 'Anonymous'}",
            f"X-MS-Exchange-Organization-AuthMechanism: 0{rng.randrange(1, 7)}",
            f"X-MS-Exchange-Organization-SCL: {-1 if variant % 2 == 0 else 0}",
            f"X-Originating-IP: [10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}]",
            'Content-Type: text/plain; charset="us-ascii"',
            "Content-Transfer-Encoding: 7bit",
            "MIME-Version: 1.0",
        ]
        return lines

    def render_file(self, mail: Mail, with_ids: bool, variant: int, body: str) -> str:
        return "\n".join(self.headers(mail, with_ids, variant)) + "\n\n" + body + "\n"

    def plan_release(self, duplicate_fraction: float) -> dict[str, list[tuple[Mail, str, int]]]:
        """Custodian folder -> the (message, body as released, header variant) it holds, in file order."""
        rng = self.rng
        released = [m for m in self.mails if not m.withheld]
        # Each message is released from one custodian's mailbox (a sender or a recipient).
        mailbox_of: dict[str, list[tuple[Mail, str, int]]] = {}
        for mail in released:
            custodian = rng.choice([mail.sender, *mail.to, *mail.cc])
            mailbox_of.setdefault(self._folder(custodian), []).append((mail, mail.body, 0))
        for mail in rng.sample(released, int(len(released) * duplicate_fraction)):
            custodian = rng.choice([mail.sender, *mail.to, *mail.cc])
            body = mail.body
            kind = rng.random()
            if kind < 0.3:
                body = body.replace(REDACTION, rng.choice(ALT_REDACTIONS))
            elif kind < 0.5:
                body = _rewrap(body)
            mailbox_of.setdefault(self._folder(custodian), []).append((mail, body, 1))
        for folder in sorted(mailbox_of):
            items = mailbox_of[folder]
            rng.shuffle(items)
            items.sort(key=lambda item: item[0].date)
        return mailbox_of

    def truth_messages(self) -> dict[str, dict]:
        messages = {}
        for mail in self.mails:
            author = self.people[mail.sender]
            info = {
                "thread": mail.thread,
                "parent": mail.parent,
                "sender": author.email,
                "sender_name": author.real_name,
                "sender_redacted": author.redacted,
                "date": mail.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "subject": mail.subject,
                "withheld": mail.withheld,
                "quotes_parent": mail.quotes_parent if mail.parent else None,
            }
            if mail.withheld:
                info["quoted_in"] = self.quoted_in(mail)
            messages[mail.key] = info
        return messages

    def write(self, out: Path, with_ids: bool, duplicate_fraction: float) -> dict:
        rng = self.rng
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        duplicates: dict[str, str] = {}
        mailbox_of = self.plan_release(duplicate_fraction)
        mbox_folders = set(rng.sample(sorted(mailbox_of), max(1, len(mailbox_of) // 10)))
        first_file: dict[str, str] = {}
        for folder in sorted(mailbox_of):
            items = mailbox_of[folder]
            if folder in mbox_folders:
                name = f"{folder}.mbox"
                chunks = []
                for index, (mail, body, variant) in enumerate(items):
                    author = self.people[mail.sender]
                    text = self.render_file(mail, with_ids, variant, body)
                    envelope = "MAILER-DAEMON" if author.redacted else author.email
                    chunks.append(f"From {envelope} {mail.date:%a %b %d %H:%M:%S %Y}\n{_mbox_escape(text)}\n")
                    self._record(files, duplicates, first_file, f"{name}#{index}", mail)
                (out / name).write_text("".join(chunks), encoding="utf-8")
            else:
                (out / folder).mkdir(exist_ok=True)
                for index, (mail, body, variant) in enumerate(items):
                    rel = f"{folder}/{index + 1:06d}.eml"
                    (out / rel).write_text(self.render_file(mail, with_ids, variant, body), encoding="utf-8")
                    self._record(files, duplicates, first_file, rel, mail)
        truth = {
            "seed": self.seed,
            "generated": len(self.mails),
            "stripped": not with_ids,
            "files": files,
            "duplicates": duplicates,
            "messages": self.truth_messages(),
        }
        (out / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True), encoding="utf-8")
        return truth

    def in_memory(self, with_ids: bool, duplicate_fraction: float) -> tuple[list, dict]:
        """The release as foiatool Message records, without writing or parsing files.

        Each copy's Source path is ``gen:<folder>/<n>``, the key of ``truth["files"]``.
        Fields are what the readers give for the written files: display name and
        address, UTC date, body as released, redacted mailboxes as ``Address(redacted="b6")``.
        """
        from foiatool.model import Address, Message, Source

        def address(person: int) -> Address:
            p = self.people[person]
            return Address(redacted="b6") if p.redacted else Address(name=p.display, email=p.email)

        files: dict[str, str] = {}
        duplicates: dict[str, str] = {}
        first_file: dict[str, str] = {}
        messages = []
        mailbox_of = self.plan_release(duplicate_fraction)
        for folder in sorted(mailbox_of):
            for index, (mail, body, _variant) in enumerate(mailbox_of[folder]):
                rel = f"{folder}/{index + 1:06d}"
                refs = [r.strip("<>") for r in mail.references] if with_ids else []
                messages.append(Message(
                    message_id=mail.message_id.strip("<>") if with_ids else None,
                    in_reply_to=refs[-1] if refs else None,
                    references=refs,
                    subject=mail.subject,
                    sender=address(mail.sender),
                    to=[address(p) for p in mail.to],
                    cc=[address(p) for p in mail.cc],
                    date=mail.date,
                    date_status="ok",
                    body=body,
                    sources=[Source(path=f"gen:{rel}", kind="generated")],
                ))
                self._record(files, duplicates, first_file, rel, mail)
        truth = {
            "seed": self.seed,
            "generated": len(self.mails),
            "stripped": not with_ids,
            "files": files,
            "duplicates": duplicates,
            "messages": self.truth_messages(),
        }
        return messages, truth

    def _folder(self, person: int) -> str:
        p = self.people[person]
        return f"{p.last.lower().replace(chr(39), '')}_{p.first.lower()}_{person:03d}"

    @staticmethod
    def _record(files: dict[str, str], duplicates: dict[str, str], first_file: dict[str, str], rel: str, mail: Mail) -> None:
        files[rel] = mail.key
        if mail.key in first_file:
            duplicates[rel] = first_file[mail.key]
        else:
            first_file[mail.key] = rel


def _clock(local: datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def _rfc_date(local: datetime) -> str:
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{local:%a}, {local.day} {local:%b %Y %H:%M:%S} {sign}{minutes // 60:02d}{minutes % 60:02d}"


def _base_subject(subject: str) -> str:
    text = subject
    while True:
        upper = text.upper()
        for prefix in ("RE:", "FW:", "FWD:"):
            if upper.startswith(prefix):
                text = text[len(prefix):].lstrip()
                break
        else:
            return text


def _wrap(text: str, width: int) -> str:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return "\n".join(lines)


def _rewrap(body: str) -> str:
    """Another export's line wrapping: long paragraphs re-flowed, quoted lines left alone."""
    out = []
    for paragraph in body.split("\n\n"):
        if any(line.startswith((">", "From:", "Sent:", "To:", "Cc:", "Subject:", "-----")) for line in paragraph.split("\n")):
            out.append(paragraph)
        else:
            out.append(_wrap(paragraph, 66))
    return "\n\n".join(out)


def _mbox_escape(text: str) -> str:
    return "\n".join((">" + line) if line.startswith("From ") else line for line in text.split("\n"))


def generate_release(out: Path, messages: int, seed: int, stripped: bool = True,
                     withheld: float = 0.05, duplicated: float = 0.05) -> dict:
    """Write a release of about ``messages`` generated messages to ``out``; returns the truth it wrote."""
    gen = ReleaseGenerator(seed)
    gen.generate(messages)
    gen.render_bodies()
    gen.withhold(withheld)
    return gen.write(out, with_ids=not stripped, duplicate_fraction=duplicated)


def generate_messages(messages: int, seed: int, stripped: bool = True,
                      withheld: float = 0.05, duplicated: float = 0.05) -> tuple[list, dict]:
    """The same release as ``generate_release`` would write, as Message records and its truth."""
    gen = ReleaseGenerator(seed)
    gen.generate(messages)
    gen.render_bodies()
    gen.withhold(withheld)
    return gen.in_memory(with_ids=not stripped, duplicate_fraction=duplicated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--stripped", dest="stripped", action="store_true", default=True)
    group.add_argument("--with-headers", dest="stripped", action="store_false")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    truth = generate_release(args.out, args.messages, args.seed, stripped=args.stripped)
    withheld = sum(1 for m in truth["messages"].values() if m["withheld"])
    print(
        f"{len(truth['files'])} files ({len(truth['duplicates'])} duplicates), {truth['generated']} messages generated, "
        f"{withheld} withheld, {len({m['thread'] for m in truth['messages'].values()})} threads "
        f"in {time.perf_counter() - started:.1f}s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
