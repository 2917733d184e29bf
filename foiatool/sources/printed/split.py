"""Reading printed emails (Outlook, Gmail, Lotus Notes print layouts) from page text: where each starts, and what it says.

Long because the three print layouts (Outlook, Gmail, Lotus Notes) share one line model, the
OCR-tolerant label reader and the rule for where a printout starts; apart, each would copy them.
"""
from __future__ import annotations

import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ...mail.addresses import normalise_name, parse_address_list
from ...mail.dates import parse_date, read_date
from ...model import Address, Attachment, Message, Source
from .margin import MarginMarks, mend_cut_address, strip_margin

# Printed header labels as mail clients write them; the key is the field they fill.
_LABELS: dict[str, str] = {
    "from": "from",
    "sent": "sent",
    "date": "date",
    "to": "to",
    "cc": "cc",
    "bcc": "bcc",
    "subject": "subject",
    "attachments": "attachments",
    "attachment": "attachments",
    "importance": "importance",
    "sent by": "sent_by",
}
_LABEL_LINE = re.compile(
    r"^\s*(from|sent by|sent|date|to|cc|bcc|subject|attachments?|importance)\s*:\s?(.*)$", re.IGNORECASE
)
# The same labels as OCR reads them: the colon lost ("From   Abedin", "Subject   Re: ..."), read as
# ";" "." or ",", letters misread ("Subiect", "Subjcct", "Frorn", "T0"). Capitalised only, and without
# a colon followed by a gap of two or more spaces (pdftotext's label column), a lone label, or a
# stray mark: "From the desk of" and "To the editor" are prose, not labels.
_LOOSE_LABEL = re.compile(
    r"""^\s*(?:['`\u2018\u2019\u2022\u00b7|,]\s*)?(?P<name>
        F\s?R\s?[O0]\s?M | F\s?r\s?[o0]\s?(?:m|rn)
      | S[EC]NT(?:\s+BY)? | S[ec]nt(?:\s+by)?
      | T[O0] | T[o0]
      | B?CC | B?[Cc]c | B?Ce
      | SU[BH][JIL1][EC][EC]T | Su[bh][jil1][ec][ec]t
      | DATE | Date
      | ATTACHMENTS? | Attachments?
      | IMPORTANCE | Importance
    )(?:\s*[:;.,]\s?|\s{2,}(?=\S)|\s*$)(?P<value>.*)$""",
    re.VERBOSE,
)
# Inside a header block OCR may close the label column to one space ("Subject Re: Kissinger
# interview"): a capitalised label and one space then read as a label, once From and the date are in.
_IN_BLOCK_LABEL = re.compile(r"^\s*(?P<name>Su[bh][jil1][ec][ec]t|T[o0]|B?[Cc][ce]|Sent|Date)\s(?P<value>\S.*)$")
# A line that holds nothing but exemption stamps ("B6", "(b)(6)", "B1, 1.4(D)"), printed in the
# margin beside a redacted name or address.
_REDACTION_ONLY = re.compile(
    r"^\s*(?:(?:\(?[Bb]\)?\s?\(?\d{1,2}\)?(?:\s?\([A-Ca-c]\))?|1\.4\s?\([A-Ha-h]\))[\s,;]*)+$"
)
# A speck in the right margin (the edge of a redaction box read as "1", "I" or "|").
_MARGIN_SPECK = re.compile(r"^\s{40,}\S{1,3}\s*$")
# A right-hand column that starts with a label, after a left column (Lotus Notes memo print).
_RIGHT_COLUMN = re.compile(r"^(?P<left>.*?\S)(?:\s{2,}|\s+(?=(?:to|cc|bcc|subject)\s*:))(?P<right>(?:to|cc|bcc|subject)\s*:.*)$", re.IGNORECASE)
_ADDRESS_FIELDS = frozenset({"to", "cc", "bcc"})
_MARGIN_FIELDS = frozenset({"from", "to", "cc", "bcc", "subject", "sent", "date"})
_NOTES_RIGHT = frozenset({"to", "cc", "bcc", "subject"})
_WRAPPING_FIELDS = frozenset({"to", "cc", "bcc", "attachments", "subject"})

# "03/07/2011 04:12 PM", the date line of a Lotus Notes memo.
_NOTES_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s+[A-Z]{2,5})?$")
# "Jane Smith <jsmith@gmail.com>   Mon, Mar 7, 2011 at 5:20 PM": Gmail's per-message line.
_GMAIL_FROM = re.compile(r"^(?P<name>[^<>:]*?)\s*<(?P<inside>[^<>]*)>\s*(?P<rest>.*)$")
_GMAIL_COUNT = re.compile(r"^\d{1,4}\s+messages?$", re.IGNORECASE)
_DAY_OR_MONTH = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d{1,2}/\d{1,2}/\d{2,4}",
    re.IGNORECASE,
)
# "Jane Smith/ICE/DHS@DHS": a Notes hierarchical name; the part before the first slash is the person.
_NOTES_NAME = re.compile(r"^\s*(?P<cn>[^/<>@;,:]+?)\s*(?:/[^/<>;,:@]+)+(?:@[A-Za-z0-9._-]+)?\s*$")

# What introduces quoted history inside a printed body: a header block after one of these is not a new printout.
_QUOTE_INTRO = re.compile(
    r"""^\s*(?:
        -{2,}\s*original\s+message\s*-{2,}
      | -{2,}\s*forwarded\s+(?:message|by\b.*)-*
      | begin\s+forwarded\s+message\s*:?
      | -{2,}\s*reply\s+message\s*-{2,}
      | .{0,200}\bwrote\s*:\s*
      | >.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_RULE = re.compile(r"^\s*(?:_{8,}|-{8,}|={8,}|\*{8,})\s*$")
# A standalone line that can be Outlook's bold name line: a few words, no sentence punctuation.
_NAME_LINE = re.compile(r"^[^\W\d_][\w.'\-]*(?:,?\s+[\w.'\-()]+){0,5},?$", re.UNICODE)

_MAX_HEADER_LINES = 40
# Longer lines are body text (or hostile input), never the start of a printed header.
_MAX_HEADER_LINE = 1000


@dataclass(slots=True)
class PrintedHeader:
    """One printed header block: which client's layout, which lines it covers and what its fields say."""

    layout: str
    start: int
    end: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class PrintedLine:
    """A line of page text (furniture removed) and the page it is on."""

    text: str
    page: int


@dataclass(slots=True)
class PrintedSpan:
    """The lines ``start:end`` hold one printed message; ``thread_subject`` is a Gmail thread's heading."""

    start: int
    end: int
    header: PrintedHeader
    thread_subject: str = ""


def _label(line: str) -> tuple[str, str] | None:
    match = _LABEL_LINE.match(line)
    if not match:
        return None
    return _LABELS[match.group(1).lower()], match.group(2).strip()


def _canonical_label(written: str) -> str:
    """The field an OCR-damaged label names ("Subiect" -> subject, "Frorn" -> from)."""
    word = re.sub(r"\s+", " ", written.lower()).replace("0", "o")
    if word.replace(" ", "") in ("from", "frorn"):
        return "from"
    if word.startswith(("sent by", "scnt by")):
        return "sent_by"
    if word in ("sent", "scnt"):
        return "sent"
    if word.startswith("sub"):
        return "subject"
    if word.startswith("attach"):
        return "attachments"
    if word in ("ce", "bce"):  # OCR's "e" for "c"
        return word[:-1] + "c"
    return _LABELS.get(word, word)


def _header_label(line: str) -> tuple[str, str] | None:
    """A header field on ``line`` as printed, or as OCR damaged it; None for any other line."""
    strict = _label(line)
    if strict:
        return strict
    if len(line) > _MAX_HEADER_LINE:
        return None
    match = _LOOSE_LABEL.match(line)
    if not match:
        return None
    return _canonical_label(match.group("name")), match.group("value").strip()


def is_redaction_line(line: str) -> bool:
    """Whether ``line`` holds only exemption stamps (the margin mark beside a redacted field)."""
    return bool(line.strip()) and bool(_REDACTION_ONLY.match(line))


def opens_printout(line: str, following: str) -> bool:
    """Whether ``line`` is part of how a printout begins (a name line above "From:", Gmail's "N messages"),
    which can repeat on every page without being a running header."""
    stripped = line.strip()
    if _GMAIL_COUNT.match(stripped):
        return True
    labelled = _header_label(following)
    starts_header = bool(labelled and labelled[0] == "from") or is_rule(following)
    return starts_header and bool(_NAME_LINE.match(stripped))


def is_rule(line: str) -> bool:
    return bool(_RULE.match(line))


def is_quote_intro(line: str) -> bool:
    return bool(_QUOTE_INTRO.match(line))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _in_block_label(line: str, fields: dict[str, str]) -> tuple[str, str] | None:
    """A label OCR wrote with one space before its value, read only inside a block that has its From and date."""
    if not ({"sent", "date"} & fields.keys()):
        return None
    match = _IN_BLOCK_LABEL.match(line)
    if not match:
        return None
    name = _canonical_label(match.group("name"))
    return (name, match.group("value").strip()) if name not in fields else None


def _outlook_header(lines: Sequence[str], index: int) -> PrintedHeader | None:
    """From/Sent/To/Cc/Subject lines in any order, as Outlook, BlackBerry and Lotus "From:" prints write them.

    OCR damage is tolerated (labels without their colon, misread letters, a redaction stamp on
    a line of its own); the block shape is not: From, then Sent or Date, then To or Subject.
    """
    first = _header_label(lines[index])
    if not first or first[0] != "from":
        return None
    fields: dict[str, str] = {"from": first[1]}
    strict = {"from"} if _label(lines[index]) else set()
    last = "from"
    # Layout-preserving text indents a wrapped value to the column where the first value began.
    value_column = lines[index].find(first[1]) if first[1] else 0
    end = index + 1
    for position in range(index + 1, min(len(lines), index + _MAX_HEADER_LINES)):
        line = lines[position]
        labelled = _header_label(line) or _in_block_label(line, fields)
        if labelled:
            name, value = labelled
            if name in fields:
                break
            fields[name] = value
            if _label(line):
                strict.add(name)
            if value and not value_column:
                value_column = line.find(value)
            last = name
            end = position + 1
            continue
        if is_redaction_line(line):
            # The stamp beside a redacted value, printed on its own line: the value when it was empty,
            # a second margin code of the subject (below its "1.4(D)") when not.
            if not fields[last]:
                fields[last] = line.strip()
            elif last == "subject":
                fields[last] = f"{fields[last]}   {line.strip()}"
            end = position + 1
            continue
        if _MARGIN_SPECK.match(line):
            continue
        if not line.strip():
            # OCR and some print drivers leave blank lines between header fields.
            following = lines[position + 1] if position + 1 < len(lines) else ""
            labelled_next = _header_label(following)
            if labelled_next and labelled_next[0] not in fields:
                continue
            break
        previous = fields.get(last, "")
        following = lines[position + 1] if position + 1 < len(lines) else ""
        labelled_next = _header_label(following)
        wrapped = last in _WRAPPING_FIELDS and (
            (last in _ADDRESS_FIELDS or last == "attachments") and previous.rstrip().endswith((";", ","))
            or (value_column > 0 and _indent(line) >= value_column - 1)
            # An address list wrapped without indent, the block going on below it (OCR splits
            # "Crowley, Philip J" into "C" and "3" on the next line).
            or (last in _ADDRESS_FIELDS and labelled_next is not None
                and labelled_next[0] not in fields and labelled_next[0] != "from")
        )
        if not wrapped:
            break
        fields[last] = f"{previous} {line.strip()}".strip()
        end = position + 1
    date_field = "sent" if "sent" in fields else "date" if "date" in fields else ""
    if not date_field:
        return None
    if not ({"to", "subject"} & fields.keys()):
        # "From:" and "Sent:" alone (a To redacted away, no subject) make a header only when both
        # were printed with their colons and the date is a real one.
        if not ({"from", date_field} <= strict and parse_date(fields[date_field])[0] is not None):
            return None
    if not fields["from"] and index > 0 and is_redaction_line(lines[index - 1]):
        # The margin stamp of a redacted sender often prints just above the "From" line.
        fields["from"] = lines[index - 1].strip()
    return PrintedHeader("outlook", index, end, fields)


def _gmail_header(lines: Sequence[str], index: int) -> PrintedHeader | None:
    """"Name <address>" with the date beside it or below it, then "To:" (Gmail's print view)."""
    match = _GMAIL_FROM.match(lines[index].strip())
    if not match or not (match.group("name") or match.group("inside")):
        return None
    rest = match.group("rest").strip()
    position = index + 1
    if not rest:
        while position < len(lines) and not lines[position].strip() and position < index + 3:
            position += 1
        if position >= len(lines):
            return None
        rest = lines[position].strip()
        position += 1
    if not _DAY_OR_MONTH.search(rest) or parse_date(rest)[0] is None:
        return None
    fields = {"from": f"{match.group('name')} <{match.group('inside')}>".strip(), "date": rest}
    end = position
    for offset in range(position, min(len(lines), position + _MAX_HEADER_LINES)):
        labelled = _label(lines[offset])
        if labelled and labelled[0] in ("to", "cc", "bcc", "sent_by") and labelled[0] not in fields:
            fields[labelled[0]] = labelled[1]
            end = offset + 1
            continue
        if labelled is None and lines[offset].strip() and fields.keys() & _ADDRESS_FIELDS:
            last = list(fields)[-1]
            if last in _ADDRESS_FIELDS and fields[last].rstrip().endswith((",", ";")):
                fields[last] = f"{fields[last]} {lines[offset].strip()}"
                end = offset + 1
                continue
        break
    if "to" not in fields:
        return None
    return PrintedHeader("gmail", index, end, fields)


def _columns(line: str) -> tuple[str, str]:
    """A Notes memo line split into its left column and a labelled right column ("" when absent)."""
    stripped = line.strip()[:_MAX_HEADER_LINE]
    if _label(stripped) and not stripped.lower().startswith("sent by"):
        return "", stripped
    match = _RIGHT_COLUMN.match(stripped)
    if match:
        return match.group("left").strip(), match.group("right").strip()
    return stripped, ""


def _lotus_header(lines: Sequence[str], index: int) -> PrintedHeader | None:
    """Notes memo print: sender, optional "Sent by:", date line on the left; To/cc/bcc/Subject on the right."""
    left_items: list[str] = []
    fields: dict[str, str] = {}
    last = ""
    end = index
    saw_date = False
    for position in range(index, min(len(lines), index + _MAX_HEADER_LINES)):
        raw = lines[position]
        if not raw.strip():
            if saw_date and ({"to", "subject"} & fields.keys()):
                break
            if position == index:
                return None
            continue
        left, right = _columns(raw)
        if left:
            if saw_date:
                if right or not (last in _ADDRESS_FIELDS and fields.get(last, "").rstrip().endswith((",", ";"))):
                    break
            else:
                labelled = _label(left)
                if labelled and labelled[0] == "sent_by":
                    fields["sent_by"] = labelled[1]
                elif labelled:
                    return None
                elif _NOTES_DATE.match(left):
                    fields["date"] = left
                    saw_date = True
                elif not left_items:
                    left_items.append(left)
                else:
                    return None
        if right:
            labelled = _label(right)
            if labelled is None or labelled[0] not in _NOTES_RIGHT:
                return None
            if labelled[0] in fields:
                break
            fields[labelled[0]] = labelled[1]
            last = labelled[0]
        elif left and saw_date and last in _ADDRESS_FIELDS and not right and fields.get(last, "").rstrip().endswith((",", ";")):
            fields[last] = f"{fields[last]} {left}"
        end = position + 1
        if position - index > 8 and not saw_date:
            return None
    if not left_items or not saw_date or not ({"to", "subject"} & fields.keys()):
        return None
    fields["from"] = left_items[0]
    return PrintedHeader("lotus", index, end, fields)


def printed_header_at(lines: Sequence[str], index: int) -> PrintedHeader | None:
    """The printed header block that begins at ``lines[index]``, if one does."""
    if index >= len(lines) or not lines[index].strip() or len(lines[index]) > _MAX_HEADER_LINE:
        return None
    line = lines[index]
    if _label(line):
        return _outlook_header(lines, index)
    labelled = _header_label(line)
    if labelled and labelled[0] == "from":
        header = _outlook_header(lines, index)
        if header:
            return header
    return _gmail_header(lines, index) or _lotus_header(lines, index) or _damaged_from_header(lines, index)


# What is left of a From line whose label the OCR lost: a sender's name or address, alone on its line.
_BARE_SENDER = re.compile(r"^[\w.@'<>-]+(?:,?\s[\w.@'<>-]+){0,3}$")


def _damaged_from_header(lines: Sequence[str], index: int) -> PrintedHeader | None:
    """A Sent:/To:/Subject: block under a line holding only a sender (its "From:" label lost): the line
    is the From value as printed."""
    following = lines[index + 1] if index + 1 < len(lines) else ""
    labelled = _label(following)
    stripped = lines[index].strip()
    if labelled is None or labelled[0] != "sent" or len(stripped) > 60 or not _BARE_SENDER.match(stripped):
        return None
    window = [f"From:   {stripped}", *lines[index + 1: index + _MAX_HEADER_LINES]]
    header = _outlook_header(window, 0)
    if header is None or not {"to", "subject"} <= header.fields.keys():
        return None
    return PrintedHeader("outlook", index, index + header.end, header.fields)


def _previous_content(lines: Sequence[PrintedLine], index: int, skip_rules: bool = True) -> int | None:
    """The nearest line above ``index`` with words on it; margin redaction stamps do not count."""
    position = index - 1
    while position >= 0:
        text = lines[position].text
        if text.strip() and not (skip_rules and is_rule(text)) and not is_redaction_line(text):
            return position
        position -= 1
    return None


def _is_page_top(lines: Sequence[PrintedLine], index: int, first_allowed: int) -> bool:
    """Nothing but blank lines, rules or the name line stands above ``index`` on its page."""
    page = lines[index].page
    position = index - 1
    while position >= first_allowed and lines[position].page == page:
        text = lines[position].text
        if text.strip() and not is_rule(text) and not is_redaction_line(text):
            return False
        position -= 1
    return True


def _same_person(name_line: str, field_value: str) -> bool:
    line_name = normalise_name(name_line)
    if not line_name:
        return False
    for address in parse_address_list(field_value):
        if address.name and normalise_name(address.name) == line_name:
            return True
    return False


def split_printed(lines: Sequence[PrintedLine]) -> list[PrintedSpan]:
    """Where each printed message starts and ends.

    A header block is a new printout when it opens the text, stands at the top
    of a page, or sits under the printout's bold name line; one introduced by
    "-----Original Message-----", "On ... wrote:" or similar, or one standing
    in the middle of a body, is quoted history and stays in that body.
    """
    texts = [line.text for line in lines]
    spans: list[PrintedSpan] = []
    index = 0
    while index < len(texts):
        header = printed_header_at(texts, index)
        if header is None:
            index += 1
            continue
        start = index
        thread_subject = ""
        above = _previous_content(lines, index)
        named = False
        if header.layout == "outlook" and above is not None and _NAME_LINE.match(texts[above].strip()):
            before_name = _previous_content(lines, above, skip_rules=False)
            name_stands_alone = before_name is None or lines[before_name].page != lines[above].page or not is_quote_intro(texts[before_name])
            if name_stands_alone and (
                _same_person(texts[above], header.fields.get("from", ""))
                or _is_page_top(lines, above, spans[-1].start if spans else 0)
                or not spans
            ):
                start = above
                named = True
        if header.layout == "gmail" and above is not None and _GMAIL_COUNT.match(texts[above].strip()):
            heading = _previous_content(lines, above)
            if heading is not None:
                thread_subject = texts[heading].strip()
                start = heading
        elif header.layout == "gmail" and spans and spans[-1].header.layout == "gmail":
            thread_subject = spans[-1].thread_subject
        if not named and start > 0 and lines[start - 1].page == lines[start].page and is_redaction_line(texts[start - 1]):
            start -= 1  # the sender's margin stamp printed above "From" belongs to this message
        intro = _previous_content(lines, start)
        quoted = intro is not None and is_quote_intro(texts[intro])
        if not quoted:
            opens = not spans
            at_top = _is_page_top(lines, start, spans[-1].start if spans else 0)
            if opens or at_top or named or header.layout == "gmail":
                if spans:
                    spans[-1].end = start
                spans.append(PrintedSpan(start, len(texts), header, thread_subject))
        index = max(header.end, index + 1)
    return spans


def _notes_names(value: str) -> str:
    """Notes hierarchical names ("Jane Smith/ICE/DHS@DHS, Bob Lee/ICE/DHS@DHS") as a ';' list of plain names."""
    pieces = [piece.strip() for piece in re.split(r"[,;]", value)]
    if not any(_NOTES_NAME.match(piece) for piece in pieces if piece):
        return value
    names = []
    for piece in pieces:
        if not piece:
            continue
        match = _NOTES_NAME.match(piece)
        names.append(match.group("cn") if match else piece)
    return "; ".join(names)


def _addresses(value: str) -> list[Address]:
    return parse_address_list(_notes_names(mend_cut_address(value))) if value else []


_BLANK_RUN = re.compile(r"\n{3,}")
_INNER_SPACE = re.compile(r"[ \t\u00a0]{2,}")


def body_text(lines: Sequence[str]) -> str:
    """Body lines as the author wrote them: print positioning spaces folded, blank runs kept to one."""
    cleaned = [_INNER_SPACE.sub(" ", line.strip()) for line in lines]
    text = "\n".join(cleaned)
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def _attachments(value: str) -> list[Attachment]:
    names = [piece.strip() for piece in re.split(r"[;]|,\s+(?=\S+\.\w{2,5}\b)", value) if piece.strip()]
    found = []
    for name in names:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        # Only the name was printed; the content is not in the release.
        found.append(Attachment(name=name, content_type=content_type, size=0, sha256=""))
    return found


def message_from_printed(
    text: str,
    source: Source,
    *,
    thread_subject: str = "",
    not_after: datetime | None = None,
    context_date: datetime | None = None,
) -> Message:
    """One printed email's text (name line, header block, body) as a Message; never raises.

    ``thread_subject`` is the subject Gmail prints once above a thread instead of per message.
    ``not_after`` (the release date printed on the page) bounds the date: a later one is
    "suspect" and kept only as text. ``context_date`` (a neighbouring message's date) gives
    the year to a date printed without one.
    """
    lines = text.split("\n")
    header: PrintedHeader | None = None
    for index in range(min(len(lines), 12)):
        header = printed_header_at(lines, index)
        if header:
            break
    defects: list[str] = []
    if header is None:
        defects.append("printed: no header block found")
        return Message(subject=thread_subject, body=body_text(lines), defects=defects, sources=[source])
    fields = dict(header.fields)
    subject_codes: list[str] = []
    for name in [name for name in fields if name in _MARGIN_FIELDS]:
        found = MarginMarks()
        fields[name] = strip_margin(fields[name], found)
        source.marks.extend(mark for mark in found.marks if mark not in source.marks)
        if name in _ADDRESS_FIELDS or name == "from":
            # A code beside a name or address is that field's redaction, which the address reader records.
            fields[name] = "   ".join([fields[name], *found.codes]).strip()
        elif name == "subject":
            subject_codes = found.codes
    if not thread_subject and header.layout == "gmail":
        for index in range(header.start - 1, 0, -1):
            if _GMAIL_COUNT.match(lines[index].strip()):
                thread_subject = lines[index - 1].strip()
                break
    senders = _addresses(fields.get("from", ""))
    if not senders:
        defects.append("printed: no sender in From line")
    elif len(senders) > 1:
        defects.append(f"printed: {len(senders)} senders in From line; the first is kept")
    date_text = fields.get("sent") or fields.get("date") or ""
    reading = read_date(date_text, context=context_date, not_after=not_after)
    if reading.defect:
        defects.append(reading.defect)
    elif date_text and reading.date is None:
        defects.append(f"printed: unreadable date {date_text[:80]!r}")
    subject = fields.get("subject", "") or thread_subject
    return Message(
        message_id=None,
        subject=_INNER_SPACE.sub(" ", subject).strip(),
        sender=senders[0] if senders else None,
        to=_addresses(fields.get("to", "")),
        cc=_addresses(fields.get("cc", "")),
        bcc=_addresses(fields.get("bcc", "")),
        date=reading.date,
        # The subject (or part of it) was redacted: the codes are kept with the message, not in its subject.
        subject_redactions=list(subject_codes),
        date_status=reading.status,
        date_text=reading.text,
        body=body_text(lines[header.end:]),
        attachments=_attachments(fields.get("attachments", "")),
        defects=defects,
        sources=[source],
    )


__all__ = [
    "PrintedHeader",
    "PrintedLine",
    "PrintedSpan",
    "printed_header_at",
    "split_printed",
    "message_from_printed",
    "body_text",
    "is_rule",
    "opens_printout",
    "is_quote_intro",
    "is_redaction_line",
]
