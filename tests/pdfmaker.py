"""Writing realistic FOIA release PDFs of printed emails (Outlook, Gmail, Lotus Notes) for the PDF tests."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# Written anywhere in a field or body line, this draws a black redaction box in the text's place.
BOX = "[[box]]"
# A body line holding only this forces a page break there (a message that runs onto the next page).
PAGE_BREAK = "[[page]]"

_LINE_H = 5.0
_LABEL_W = 28.0


@dataclass
class PrintedEmail:
    """One email as a mail client prints it; the strings are exactly what appears on paper."""

    sender: str
    date: str
    subject: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    body: str = ""
    layout: str = "outlook"  # outlook | gmail | lotus
    name_line: str | None = None  # Outlook's bold line above the rule; None prints the sender
    attachments: str = ""
    importance: str = ""
    sender_email: str = ""  # Gmail prints "Name <address>"
    sent_by: str = ""  # Lotus Notes "Sent by:" delegate line
    new_page: bool = True
    thread_size: int = 1  # Gmail's "N messages" line under the thread's subject heading


@dataclass
class ImagePage:
    """A scanned page: the text exists only as pixels, with no text layer."""

    lines: list[str] = field(default_factory=list)


class _Release(FPDF):
    def __init__(
        self,
        running_header: str | None,
        banner: str | None,
        page_footer: bool,
        bates: list[str],
        release_stamp: str | None,
    ) -> None:
        super().__init__(format="letter", unit="mm")
        self.running_header = running_header
        self.banner = banner
        self.page_footer = page_footer
        self.bates = bates
        self.release_stamp = release_stamp
        self.set_margins(20, 25, 20)
        self.set_auto_page_break(True, margin=25)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        if self.banner:
            self.set_xy(20, 6)
            self.cell(0, 4, self.banner, align="C")
        if self.running_header:
            self.set_xy(20, 11)
            self.cell(0, 4, self.running_header, align="L")
        if self.release_stamp:
            self.set_xy(20, 15)
            self.cell(0, 4, self.release_stamp, align="R")
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_font("Helvetica", "", 8)
        if self.page_footer:
            self.set_xy(20, -15)
            self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="C")
        index = self.page_no() - 1
        if index < len(self.bates):
            self.set_xy(20, -10)
            self.cell(0, 4, self.bates[index], align="R")
        if self.banner:
            self.set_xy(20, -6)
            self.cell(0, 4, self.banner, align="C")


def bates_numbers(prefix: str, start: int, count: int, skip: Iterable[int] = ()) -> list[str]:
    """Stamps for ``count`` pages from ``start``, jumping over withheld numbers in ``skip``."""
    skipped = set(skip)
    numbers: list[str] = []
    value = start
    while len(numbers) < count:
        if value not in skipped:
            numbers.append(f"{prefix}{value:06d}")
        value += 1
    return numbers


def _text_line(pdf: _Release, text: str, style: str = "", size: float = 10, x: float | None = None) -> None:
    """One printed line at the left margin (or ``x``), with BOX markers drawn as black boxes."""
    if pdf.will_page_break(_LINE_H):
        pdf.add_page()
    pdf.set_font("Helvetica", style, size)
    pdf.set_x(pdf.l_margin if x is None else x)
    pieces = text.split(BOX)
    for number, piece in enumerate(pieces):
        if number:
            box_x, box_y = pdf.get_x(), pdf.get_y()
            pdf.set_fill_color(0, 0, 0)
            pdf.rect(box_x, box_y + 0.5, 22, _LINE_H - 1, style="F")
            pdf.set_x(box_x + 23)
        if piece:
            pdf.cell(pdf.get_string_width(piece) + 0.5, _LINE_H, piece)
    pdf.ln(_LINE_H)


def _wrapped(pdf: _Release, text: str, width: float) -> list[str]:
    """Word-wrap ``text`` to ``width`` mm in the current font, as a mail client's print does."""
    if BOX in text or pdf.get_string_width(text) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and pdf.get_string_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def _field(pdf: _Release, label: str, value: str, x: float | None = None) -> None:
    if not value:
        return
    left = pdf.l_margin if x is None else x
    pdf.set_font("Helvetica", "", 10)
    width = pdf.w - pdf.r_margin - left - _LABEL_W
    for number, line in enumerate(_wrapped(pdf, value, width)):
        if pdf.will_page_break(_LINE_H):
            pdf.add_page()
        if number == 0:
            pdf.set_font("Helvetica", "B", 10)
            pdf.set_x(left)
            pdf.cell(_LABEL_W, _LINE_H, f"{label}:")
            y = pdf.get_y()
            pdf.set_y(y)
        _text_line(pdf, line, x=left + _LABEL_W)


def _body(pdf: _Release, body: str) -> None:
    pdf.set_font("Helvetica", "", 10)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for raw in body.split("\n"):
        if raw.strip() == PAGE_BREAK:
            pdf.add_page()
            continue
        if not raw.strip():
            if pdf.will_page_break(_LINE_H):
                pdf.add_page()
            pdf.ln(_LINE_H)
            continue
        for line in _wrapped(pdf, raw, width):
            _text_line(pdf, line)


def _rule(pdf: _Release, thickness: float = 0.8) -> None:
    pdf.set_line_width(thickness)
    y = pdf.get_y() + 1
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.2)
    pdf.set_y(y + 2)


def _outlook(pdf: _Release, email: PrintedEmail) -> None:
    name = email.sender if email.name_line is None else email.name_line
    if name:
        _text_line(pdf, name, style="B", size=12)
    _rule(pdf)
    _field(pdf, "From", email.sender)
    _field(pdf, "Sent", email.date)
    _field(pdf, "To", email.to)
    _field(pdf, "Cc", email.cc)
    _field(pdf, "Bcc", email.bcc)
    _field(pdf, "Subject", email.subject)
    _field(pdf, "Attachments", email.attachments)
    _field(pdf, "Importance", email.importance)
    pdf.ln(_LINE_H)
    _body(pdf, email.body)


def _gmail(pdf: _Release, email: PrintedEmail, heading: bool) -> None:
    if heading:
        _text_line(pdf, email.subject, style="B", size=14)
        noun = "message" if email.thread_size == 1 else "messages"
        _text_line(pdf, f"{email.thread_size} {noun}", size=9)
    _rule(pdf, 0.3)
    if pdf.will_page_break(_LINE_H):
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    who = f"{email.sender} <{email.sender_email}>" if email.sender_email else email.sender
    y = pdf.get_y()
    pdf.set_x(pdf.l_margin)
    pdf.cell(pdf.get_string_width(who) + 1, _LINE_H, who)
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(pdf.l_margin, y)
    pdf.cell(0, _LINE_H, email.date, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for label, value in (("To", email.to), ("Cc", email.cc), ("Bcc", email.bcc)):
        if value:
            _text_line(pdf, f"{label}: {value}", size=9)
    pdf.ln(_LINE_H)
    _body(pdf, email.body)


def _lotus(pdf: _Release, email: PrintedEmail) -> None:
    """Notes memo print: sender, delegate and date on the left; To/cc/Subject in a right column."""
    left = [email.sender]
    if email.sent_by:
        left.append(f"Sent by: {email.sent_by}")
    left.append(email.date)
    right = [("To", email.to), ("cc", email.cc), ("bcc", email.bcc), ("Subject", email.subject)]
    right = [(label, value) for label, value in right if value or label in ("To", "Subject")]
    rows = max(len(left), len(right))
    for row in range(rows):
        if pdf.will_page_break(_LINE_H):
            pdf.add_page()
        y = pdf.get_y()
        if row < len(left):
            pdf.set_font("Helvetica", "B" if row == 0 else "", 9)
            pdf.set_x(pdf.l_margin)
            pdf.cell(60, _LINE_H, left[row])
        if row < len(right):
            label, value = right[row]
            pdf.set_xy(pdf.l_margin + 75, y)
            pdf.set_font("Helvetica", "", 9)
            pdf.cell(16, _LINE_H, f"{label}:", align="R")
            _text_line(pdf, value, size=9, x=pdf.l_margin + 93)
        else:
            pdf.ln(_LINE_H)
    pdf.ln(_LINE_H)
    _body(pdf, email.body)


def _image_page(pdf: _Release, page: ImagePage) -> None:
    from PIL import Image, ImageDraw, ImageFont

    pdf.add_page()
    scale = 8  # pixels per mm, about 200 dpi
    width, height = int((pdf.w - 40) * scale), int((pdf.h - 50) * scale)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=34)
    y = 10
    for line in page.lines:
        draw.text((10, y), line, fill=0, font=font)
        y += 48
    pdf.image(image, x=20, y=25, w=pdf.w - 40)


def release_pdf(
    items: Sequence[PrintedEmail | ImagePage],
    *,
    running_header: str | None = "U.S. Immigration and Customs Enforcement - FOIA 2011-FOIA-123",
    banner: str | None = None,
    page_footer: bool = True,
    bates_prefix: str | None = "ICE-2011-FOIA-",
    bates_start: int = 1,
    bates_skip: Iterable[int] = (),
    release_stamp: str | None = None,
) -> bytes:
    """A release PDF holding ``items`` in order, with the furniture an agency's processing adds."""
    bates = bates_numbers(bates_prefix, bates_start, 2000, bates_skip) if bates_prefix else []
    pdf = _Release(running_header, banner, page_footer, bates, release_stamp)
    heading_subject: str | None = None
    for number, item in enumerate(items):
        if isinstance(item, ImagePage):
            _image_page(pdf, item)
            heading_subject = None
            continue
        if number == 0 or item.new_page:
            pdf.add_page()
            heading_subject = None
        elif number:
            pdf.ln(_LINE_H)
        if item.layout == "outlook":
            _outlook(pdf, item)
        elif item.layout == "gmail":
            _gmail(pdf, item, heading=heading_subject != item.subject)
            heading_subject = item.subject
        elif item.layout == "lotus":
            _lotus(pdf, item)
        else:
            raise ValueError(f"unknown print layout {item.layout!r}")
    out = io.BytesIO()
    out.write(bytes(pdf.output()))
    return out.getvalue()


_PEOPLE = [
    ("Morton", "John"), ("Smith", "Jane"), ("Lee", "Robert"), ("Garcia", "Maria"), ("O'Neil", "Patrick"),
    ("Nguyen", "Thanh"), ("Okafor", "Chidi"), ("Brennan", "Kathleen"), ("Dubois", "Anne-Marie"), ("Kim", "Soo"),
]
_TOPICS = [
    "Detention budget", "Weekly report", "Congressional inquiry", "Press guidance", "Site visit",
    "FY2011 staffing", "Secure Communities update", "Meeting tomorrow", "Draft talking points", "Travel",
]
_WORDS = (
    "the field office will send revised numbers before the meeting and we should review the "
    "draft with counsel because the figures changed after the last call with headquarters staff"
).split()
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def varied_emails(seed: int, count: int, layout: str = "outlook") -> list[PrintedEmail]:
    """``count`` plausible printed emails in one layout, the same for the same seed.

    Some run over several pages, some quote earlier mail under "-----Original
    Message-----", some have redacted recipients; Outlook ones sometimes start
    mid-page under their name line.
    """
    import random
    from datetime import datetime, timedelta

    rng = random.Random(seed)
    when = datetime(2011, 1, 3, 8, 0)
    emails = []
    for number in range(count):
        when += timedelta(minutes=rng.randint(5, 3000))
        last, first = rng.choice(_PEOPLE)
        to_last, to_first = rng.choice([p for p in _PEOPLE if p != (last, first)])
        subject = rng.choice(["", "RE: ", "FW: "]) + rng.choice(_TOPICS)
        paragraphs = []
        for _ in range(rng.choice([1, 2, 3, 3, 4, 12, 30])):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 60))]
            paragraphs.append(" ".join(words).capitalize() + ".")
        body = f"{to_first},\n\n" + "\n\n".join(paragraphs) + f"\n\nThanks,\n{first}"
        if rng.random() < 0.3:
            earlier = when - timedelta(hours=3)
            body += (
                "\n\n-----Original Message-----\n"
                f"From: {to_last}, {to_first}\n"
                f"Sent: {_WEEKDAYS[earlier.weekday()]}, {_MONTHS[earlier.month - 1]} {earlier.day:02d}, "
                f"{earlier.year} {earlier.strftime('%I:%M %p').lstrip('0')}\n"
                f"To: {last}, {first}\nSubject: {subject.split(': ')[-1]}\n\nCan you look at this?"
            )
        redacted = rng.random() < 0.3
        if layout == "outlook":
            hour = when.strftime("%I:%M %p").lstrip("0")
            emails.append(PrintedEmail(
                sender=f"{last}, {first}",
                date=f"{_WEEKDAYS[when.weekday()]}, {_MONTHS[when.month - 1]} {when.day:02d}, {when.year} {hour}",
                to=f"{to_last}, {to_first}" + (f"; {BOX} (b)(6)" if redacted else ""),
                cc=f"{BOX} (b)(6)" if redacted and rng.random() < 0.5 else "",
                subject=subject, body=body, new_page=number == 0 or rng.random() < 0.6,
                importance="High" if rng.random() < 0.1 else "",
            ))
        elif layout == "gmail":
            emails.append(PrintedEmail(
                sender=f"{first} {last}", sender_email=f"{first[0]}{last}@gmail.com".lower().replace("'", ""),
                date=f"{when.strftime('%a, %b')} {when.day}, {when.year} at {when.strftime('%I:%M %p').lstrip('0')}",
                to=f"{to_first} {to_last} <{to_first[0]}{to_last}@ice.dhs.gov>".lower().replace("'", ""),
                subject=subject, body=body.split("\n\n-----Original")[0], layout="gmail",
            ))
        elif layout == "lotus":
            emails.append(PrintedEmail(
                sender=f"{first} {last}/ICE/DHS", date=when.strftime("%m/%d/%Y %I:%M %p"),
                to=f"{to_first} {to_last}/ICE/DHS@DHS" + (f", {BOX} (b)(6)" if redacted else ""),
                subject=subject, body=body, layout="lotus",
                sent_by="Mary Doe/ICE/DHS" if rng.random() < 0.2 else "",
            ))
        else:
            raise ValueError(f"unknown print layout {layout!r}")
    return emails
