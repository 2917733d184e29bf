"""Splitting a message body into what its author wrote and the quoted history beneath it.

Long because the recognisers (Outlook blocks, bare header blocks in several languages,
attributions, '>' regions) and the splitter walk the same lines with shared state;
apart, each would re-derive what the others already know about a line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from ..model import Address
from .addresses import parse_address, parse_address_list
from .dates import TZ_ABBREVIATIONS, DateReading, parse_date, read_date, refusal
from .marks.redactions import redaction_in_field
from .quoted_names import AOL_PREFIX, GNUS_INITIALS, ON_BEHALF, QUOTE_MARKERS, clean_name, mailto_address, strip_prose_before_name

# Deeper quoting than this is left as raw text in the innermost message: real chains
# rarely pass twenty levels, and hostile input must not exhaust the stack.
MAX_DEPTH = 40
# Attribution lines ("On ..., X wrote:") are short; longer lines are prose.
_MAX_ATTRIBUTION = 500
# Header blocks are a handful of lines; a longer run of "Key: value" lines is data.
_MAX_HEADER_LINES = 40


@dataclass(slots=True)
class QuotedMessage:
    """One earlier message recovered from the quoted history of a body."""

    sender: Address | None
    to: list[Address]
    cc: list[Address]
    date: datetime | None
    date_status: str
    date_text: str
    subject: str
    body: str
    style: str


@dataclass(slots=True)
class SplitBody:
    """A body cut into the author's new text and the quoted messages below it, nearest first."""

    new_text: str
    quoted: list[QuotedMessage] = field(default_factory=list)
    quoted_text: str = ""


# ---------------------------------------------------------------- recognisers

_SEPARATOR_OUTLOOK = (
    "original message|original|ursprüngliche nachricht|ursprungliche nachricht|"
    "message d'origine|message d’origine|mensaje original|oorspronkelijk bericht|"
    "origineel bericht|messaggio originale|mensagem original|ursprungligt meddelande|"
    "opprinnelig melding|oprindelig meddelelse|alkuperäinen viesti|wiadomość oryginalna|"
    "původní zpráva|eredeti üzenet|исходное сообщение|orijinal ileti"
)
_SEPARATOR_FORWARD = (
    "forwarded message|forwarded e-?mail|weitergeleitete nachricht|message transféré|"
    "message transfere|mensaje reenviado|doorgestuurd bericht|messaggio inoltrato|"
    "mensagem encaminhada|mensagem reencaminhada|vidarebefordrat meddelande|"
    "videresendt melding|videresendt meddelelse|välitetty viesti|wiadomość przekazana|"
    "přeposlaná zpráva|пересылаемое сообщение|пересланное сообщение"
)
_DASHED = r"^\s*[-=_*]{2,}\s*(?:%s)\s*[-=_*]{2,}\s*$"
_OUTLOOK_RE = re.compile(_DASHED % _SEPARATOR_OUTLOOK, re.IGNORECASE)
_FORWARD_RE = re.compile(_DASHED % _SEPARATOR_FORWARD, re.IGNORECASE)
_BEGIN_FORWARD_RE = re.compile(
    r"^\s*(?:begin forwarded message|début du message réexpédié|debut du message reexpedie|"
    r"anfang der weitergeleiteten nachricht|inicio del mensaje reenviado|"
    r"inizio messaggio inoltrato|início da mensagem reencaminhada|"
    r"begin doorgestuurd bericht)\s*[:：]\s*$",
    re.IGNORECASE,
)
# Outlook Web and newer Outlook put a bare rule of underscores above the header block.
# Eudora and list digests: "--- begin forwarded text"
_BEGIN_FORWARD_TEXT_RE = re.compile(r"^\s*-{2,}\s*begin forwarded (?:text|message)\s*-*\s*$", re.IGNORECASE)
_RULE_RE = re.compile(r"^\s*(?:_{10,}|-{10,})\s*$")

_HEADER_KEYS: dict[str, tuple[str, ...]] = {
    "from": (
        "from", "von", "de", "van", "da", "från", "fra", "od", "от", "lähettäjä", "kimden",
        "feladó", "odesílatel", "发件人", "寄件者", "差出人", "remetente", "expéditeur",
    ),
    "date": (
        "sent", "date", "gesendet", "datum", "envoyé", "envoye", "enviado", "enviada", "fecha",
        "verzonden", "verstuurd", "inviato", "data", "skickat", "sendt", "wysłano", "отправлено",
        "дата", "lähetetty", "gönderildi", "tarih", "elküldve", "odesláno", "发送时间", "日期",
        "送信日時", "sent date", "date sent", "enviado el", "envoyé le", "gesendet am",
        "enviada em", "enviado em", "data de envio",
    ),
    "to": (
        "to", "an", "à", "a", "para", "aan", "till", "til", "do", "кому", "vastaanottaja",
        "kime", "címzett", "komu", "收件人", "宛先", "destinataire",
    ),
    "cc": (
        "cc", "kopie", "copie à", "copie", "copia", "kopia", "копия", "kopio", "bilgi",
        "másolatot kap", "抄送", "kopie an",
    ),
    "subject": (
        "subject", "betreff", "objet", "asunto", "onderwerp", "oggetto", "assunto", "ämne",
        "emne", "temat", "тема", "aihe", "konu", "tárgy", "předmět", "主题", "件名", "re",
    ),
    "other": (
        "bcc", "reply-to", "importance", "attachments", "attachment", "priority", "sensitivity",
        "anlagen", "wichtigkeit", "pièces jointes", "adjuntos", "importancia", "bijlagen",
        "allegati", "anexos", "sent by", "on behalf of", "sender", "message-id", "in-reply-to",
        "references", "mime-version", "content-type", "content-transfer-encoding", "organization",
        "user-agent", "x-mailer", "return-path", "delivered-to", "status", "x-original-to",
    ),
}
_KEY_KIND = {key: kind for kind, keys in _HEADER_KEYS.items() for key in keys}
# "re" as a subject key only appears in some printers ("Re: ..." lines are usually subjects
# of replies, not headers), so it is never allowed to start or qualify a block by itself.
_KEY_KIND.pop("re")
_HEADER_RE = re.compile(
    r"^[ \t]{0,4}[*_]{0,2}(?P<key>"
    + "|".join(sorted((re.escape(k) for k in _KEY_KIND), key=len, reverse=True))
    + r")[*_]{0,2}[ \t]*[:：][*_]{0,2}(?P<value>.*)$",
    re.IGNORECASE,
)

_ANGLE_RE = re.compile(r"^[ \t]{0,3}>")
# "[...]" / "[snip]" lines mark where a quote was trimmed; they belong to the quote around them.
_SNIP_RE = re.compile(
    r"^\s*[\[<(]?\s*(?:\.{3,}|…|snip(?:ped)?|schnipp|cut|deleted|trimmed)\s*[\]>)]?\s*$", re.IGNORECASE
)
_DEQUOTE_RE = re.compile(r"^[ \t]{0,3}> ?")

_END_VERB = (
    r"(?:\b(?:wrote|writes|has written|said|says|a\s+[ée]crit|schrieb|escribi[óo]|ha\s+escrito|schreef|"
    r"ha\s+scritto|scrisse|escreveu|skrev|kirjoitti|napisa[łl]a?|написала?|написал\(а\)|"
    r"yazd[ıi]|[íi]rta|napsal[a]?)|写道|寫道|書きました)\s*[:：]\s*$"
)
_MIDDLE_VERB = r"\b(?:schrieb|schreef|skrev)\b"
# Whether a line holds an attribution's verb. As a match after ".*": the verb usually ends the line,
# and the greedy ".*" reaches it from the end in a few steps, where a search tries every word from
# the start (0.5 against 8.5 us for "On <date>, <name> <addr> wrote:").
_ATTRIBUTION_PATTERN = _END_VERB + "|" + _MIDDLE_VERB + r"[^\n]{0,300}[:：]\s*$"
_ATTRIBUTION_RE = re.compile(r"(?s).*(?:" + _ATTRIBUTION_PATTERN + ")", re.IGNORECASE)
_END_VERB_RE = re.compile(_END_VERB, re.IGNORECASE)
# The verb that ends a line, found from the end (see _ATTRIBUTION_RE): no verb of _END_VERB ends
# another, so the one match there starts where a search would find it.
_LAST_END_VERB_RE = re.compile(r"(?s).*(" + _END_VERB + ")", re.IGNORECASE)
_MIDDLE_VERB_RE = re.compile(_MIDDLE_VERB, re.IGNORECASE)
_ATTRIBUTION_START_RE = re.compile(
    r"^\s*(?:on|le|am|el|op|il(?:\s+giorno)?|em|den|w\s+dniu|dne|\d)(?=[\s\d.,])", re.IGNORECASE
)
_EMAIL_IN_TEXT_RE = re.compile(r"<?\s*(?:mailto:)?([^\s<>@\"',;:()\[\]]+@[^\s<>@\"',;:()\[\]]+)\s*>?")


def _is_blank(line: str) -> bool:
    return not line.strip()


def _is_angle(line: str) -> bool:
    return bool(_ANGLE_RE.match(line))


def _opens_angle_region(lines: list[str], index: int) -> bool:
    """A '>' line, or a snip marker with '>' lines just below it."""
    if _is_angle(lines[index]):
        return True
    if len(lines[index]) > 40 or not _SNIP_RE.match(lines[index]):
        return False
    after = _next_nonblank(lines, index + 1, limit=2)
    return after is not None and _is_angle(lines[after])


_COLONS = (":", "：")
# Every separator line opens with one of these (after spaces) or ends with a colon.
_RULE_CHARS = ("-", "=", "_", "*")


def _ends_with_colon(lines: list[str], index: int) -> bool:
    return index < len(lines) and lines[index].rstrip().endswith(_COLONS)


def _separator_style(line: str) -> str | None:
    if len(line) > 200:
        return None
    # most lines are neither: the patterns below are not tried on them
    if line.lstrip()[:1] not in _RULE_CHARS and not line.rstrip().endswith(_COLONS):
        return None
    if _OUTLOOK_RE.match(line):
        return "outlook"
    if _FORWARD_RE.match(line) or _BEGIN_FORWARD_RE.match(line) or _BEGIN_FORWARD_TEXT_RE.match(line):
        return "forward"
    return None


def _header_line(line: str) -> tuple[str, str] | None:
    if ":" not in line and "：" not in line:
        return None  # the pattern below needs a colon; most lines have none
    match = _HEADER_RE.match(line)
    if not match:
        return None
    value = match.group("value").strip().strip("*").strip()
    return _KEY_KIND[match.group("key").lower()], value


def _header_block(lines: list[str], start: int, strict: bool) -> tuple[int, list[tuple[str, str]]] | None:
    """The header block starting at ``start``: (index after it, [(kind, value)]).

    ``strict`` (no separator line above) asks for a From line plus a date or two of
    To/Cc/Subject, so that a "To: do" line in prose never starts a quote.
    """
    first = _header_line(lines[start])
    if first is None:
        return None
    fields = [list(first)]
    kinds = {first[0]}
    pending: list[str] = []
    index = start + 1
    while index < len(lines) and index - start < _MAX_HEADER_LINES:
        line = lines[index]
        if _is_blank(line):
            break
        header = _header_line(line)
        if header is not None:
            if header[0] in kinds and header[0] != "other":
                break  # a second From: is the next message's block
            if pending:
                fields[-1][1] = " ".join([fields[-1][1], *(p.strip() for p in pending)]).strip()
                pending = []
            fields.append(list(header))
            kinds.add(header[0])
            index += 1
            continue
        if len(pending) < 6 and not _separator_style(line) and not _is_angle(line):
            pending.append(line)
            index += 1
            continue
        break
    end = index - len(pending)
    # wrapped recipient lists may end the block; wrapped subjects are ambiguous with body text
    if pending and fields[-1][0] in ("to", "cc") and all(("@" in p or ";" in p) for p in pending):
        fields[-1][1] = " ".join([fields[-1][1], *(p.strip() for p in pending)]).strip()
        end = index
    if strict:
        if "from" not in kinds:
            return None
        if "date" not in kinds and len(kinds & {"to", "cc", "subject"}) < 2:
            return None
    return end, [(kind, value) for kind, value in fields]


def _attribution_at(lines: list[str], start: int) -> int | None:
    """If an attribution ("On <date>, <name> wrote:") starts at ``start``, the index after it.

    It may be wrapped over up to three lines, which then must open like one
    ("On", "Le", "Am", a date...), so the line of prose above is never swallowed.
    """
    if not any(_ends_with_colon(lines, index) for index in range(start, start + 3)):
        return None  # an attribution ends with a colon within three lines
    for span in (1, 2, 3):
        last = start + span - 1
        if last >= len(lines):
            return None
        stripped = lines[last].rstrip()
        if not stripped.strip() or len(stripped) > _MAX_ATTRIBUTION:
            return None
        if not stripped.endswith((":", "：")):
            continue
        if span > 1 and any(_is_angle(line) for line in lines[start + 1 : last + 1]):
            return None
        joined = " ".join(line.strip() for line in lines[start : last + 1])
        if len(joined) > _MAX_ATTRIBUTION:
            return None
        if span > 1:
            opens = bool(_ATTRIBUTION_START_RE.match(lines[start]))
            # "Name <addr>" / "wrote:" is the one wrap that does not open like an attribution
            lone_verb = span == 2 and "@" in lines[start] and bool(_END_VERB_RE.match(stripped.strip()))
            if not (opens or lone_verb):
                return None
        if _ATTRIBUTION_RE.match(joined):
            return last + 1
        return None
    return None


def _attribution_is_strong(text: str) -> bool:
    """Strong enough to start a quote without '>' lines below (HTML mail turned into text)."""
    return "@" in text or (bool(_ATTRIBUTION_START_RE.match(text)) and any(ch.isdigit() for ch in text))


def _next_nonblank(lines: list[str], index: int, limit: int = 4) -> int | None:
    seen = 0
    while index < len(lines) and seen <= limit:
        if not _is_blank(lines[index]):
            return index
        index += 1
        seen += 1
    return None


# ---------------------------------------------------------------- dates and attributions

_MONTHS = {
    "jan": ("januar", "jänner", "janner", "janvier", "janv", "enero", "ene", "januari", "gennaio",
            "gen", "janeiro", "tammikuu", "stycznia", "styczeń", "января", "январь"),
    "feb": ("februar", "février", "fevrier", "févr", "fevr", "febrero", "februari", "febbraio",
            "fevereiro", "fev", "lutego", "февраля"),
    "mar": ("märz", "marz", "mär", "mrz", "mars", "marzo", "maart", "mrt", "março", "marco",
            "marts", "marca", "марта"),
    "apr": ("avril", "avr", "abril", "abr", "aprile", "kwietnia", "апреля"),
    "may": ("mai", "mayo", "mei", "maggio", "mag", "maio", "maj", "maja", "мая"),
    "jun": ("juni", "juin", "junio", "giugno", "giu", "junho", "czerwca", "июня"),
    "jul": ("juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipca", "июля"),
    "aug": ("august", "août", "aout", "agosto", "ago", "augustus", "augusti", "sierpnia", "августа"),
    "sep": ("september", "septembre", "septiembre", "setiembre", "settembre", "set", "setembro",
            "sept", "września", "сентября"),
    "oct": ("oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out",
            "października", "октября"),
    "nov": ("november", "novembre", "noviembre", "novembro", "listopada", "ноября"),
    "dec": ("dezember", "dez", "décembre", "decembre", "déc", "dec", "diciembre", "dic",
            "december", "dicembre", "dezembro", "desember", "grudnia", "декабря"),
}
_FOREIGN_MONTH = {name: en for en, names in _MONTHS.items() for name in names}
_ENGLISH_DATE_WORDS = {
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
    "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov",
    "november", "dec", "december", "mon", "monday", "tue", "tues", "tuesday", "wed",
    "wednesday", "thu", "thur", "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun",
    "sunday", "am", "pm", "a.m", "p.m", "at",
}
_FOREIGN_WEEKDAYS = {
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "mo", "di",
    "mi", "do", "fr", "sa", "so", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    "dimanche", "lun", "mer", "jeu", "ven", "sam", "dim", "lunes", "martes", "miércoles",
    "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo", "mié", "mie", "jue", "vie",
    "sáb", "dom", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "ma", "wo", "vr", "za", "zo", "lunedì", "lunedi", "martedì", "martedi", "mercoledì",
    "mercoledi", "giovedì", "giovedi", "venerdì", "venerdi", "sabato", "domenica", "gio", "sab",
    "segunda-feira", "terça-feira", "terca-feira", "quarta-feira", "quinta-feira", "sexta-feira",
    "seg", "ter", "qua", "qui", "sex", "måndag", "tisdag", "onsdag", "torsdag", "fredag",
    "lördag", "söndag", "mandag", "tirsdag", "lørdag", "søndag",
}
_DATE_CONNECTORS = {"um", "à", "a", "las", "om", "alle", "às", "as", "kl", "o", "de", "del", "в", "г", "the", "le", "den", "klo", "at"}
_ZONES = {z.lower() for z in TZ_ABBREVIATIONS} | {"gmt", "utc", "mez", "mesz", "cet", "cest"}
_NAME_FILLERS = re.compile(r"^\s*(?:пользователь|user|utilisateur|usuario|benutzer)\s+", re.IGNORECASE)
_DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\b")


def _fold(word: str) -> str:
    return word.lower().strip(".,;()[]")


def _is_date_word(word: str) -> bool:
    bare = _fold(word)
    if not bare:
        return True
    if any(ch.isdigit() for ch in bare):
        return True
    return (
        bare in _ENGLISH_DATE_WORDS
        or bare in _FOREIGN_MONTH
        or bare in _FOREIGN_WEEKDAYS
        or bare in _ZONES
        or bare in _DATE_CONNECTORS
    )


_SPACES = re.compile(r"\s+")
_SPACE_RUNS = re.compile(r"(\s+)")
_TIME_IN_WORD = re.compile(r"\d{1,2}[:h.]\d{2}")
_LEADING_DATE_WORD = re.compile(r"^\s*(?:am|op|den|on)\b", re.IGNORECASE)
_LEADING_ON = re.compile(r"^\s*(?:on|le|am|el|op|il giorno|il|em|den|w dniu|dne)\b", re.IGNORECASE)
_TRAILING_AT = re.compile(r"\s+(?:a|um|at)$")


def _date_for_parsing(text: str) -> str:
    """A printed date rewritten so dateutil reads it: day-first dotted dates, foreign month names."""

    def dotted(match: re.Match[str]) -> str:
        day, month, year = match.group(1), match.group(2), match.group(3)
        if len(year) == 2:
            year = "20" + year
        return f"{year}-{int(month):02d}-{int(day):02d}"

    text = _DOTTED_DATE.sub(dotted, text)
    words = []
    for word in _SPACE_RUNS.split(text):
        bare = _fold(word)
        if bare in _FOREIGN_MONTH and bare not in _ENGLISH_DATE_WORDS:
            words.append(_FOREIGN_MONTH[bare])
        elif bare in _FOREIGN_WEEKDAYS or (bare in _DATE_CONNECTORS and bare != "at"):
            words.append(" ")
        else:
            words.append(word)
    return _SPACES.sub(" ", "".join(words)).strip(" ,")


# A thread repeats the same quoted dates and attributions in every reply; parse each once.
@lru_cache(maxsize=4096)
def _parse_printed_date(text: str) -> tuple[datetime | None, str]:
    if not text:
        return None, "missing"
    value, status = parse_date(_date_for_parsing(text))
    return value, status


@lru_cache(maxsize=4096)
def _read_in_context(text: str, context: datetime | None, not_after: datetime | None) -> DateReading:
    return read_date(_date_for_parsing(text), context=context, not_after=not_after)


def _date_in_chain(quoted: list[QuotedMessage], context_date: datetime | None, not_after: datetime | None) -> None:
    """Check each quoted date against the chain: a year-less one ("On Aug 25, X wrote:") takes its
    year from the nearest newer message, and none may come after the enclosing message."""
    context = context_date
    for message in quoted:
        if message.date_text and (message.date is None or refusal(message.date, not_after)):
            reading = _read_in_context(message.date_text, context, not_after)
            message.date, message.date_status = reading.date, reading.status
        if message.date is not None:
            context = message.date


@dataclass(slots=True)
class _Head:
    sender: Address | None = None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    date_text: str = ""
    subject: str = ""


def _sender_from(value: str) -> Address | None:
    # Outlook prints delegates as "Assistant [mailto:a@x] On Behalf Of Boss"; the first sent it
    value = ON_BEHALF.sub("", value)
    address = parse_address(value)
    # "Saif Khan [mailto:" (the address cut or redacted) leaves the name only; "[mailto:a@x]" its address
    email = address.email or mailto_address(value)
    name = clean_name(address.name)
    if name != address.name or email != address.email:
        address = Address(name=name, email=email, redacted=address.redacted)
    return address if (address.name or address.email or address.redacted) else None


def _head_from_fields(fields: list[tuple[str, str]]) -> _Head:
    head = _Head()
    for kind, value in fields:
        if kind == "from" and head.sender is None:
            head.sender = _sender_from(value)
        elif kind == "to":
            head.to.extend(parse_address_list(value))
        elif kind == "cc":
            head.cc.extend(parse_address_list(value))
        elif kind == "date" and not head.date_text:
            head.date_text = value
        elif kind == "subject" and not head.subject:
            head.subject = value
    return head


def _split_date_and_name(text: str) -> tuple[str, str]:
    """ "Mon, Apr 2, 2012 at 6:26 PM, Megan One" -> the date part and the name part."""
    words = text.split()
    taken = 0
    seen_time = False
    for index, word in enumerate(words):
        if not _is_date_word(word):
            break
        taken = index + 1
        if _TIME_IN_WORD.search(word):
            seen_time = True
        if seen_time and word.endswith(",") and _fold(word) not in _DATE_CONNECTORS:
            break
    # connectors at the edge belong to the name, not the date ("... 14:20 de Bob")
    while taken and _fold(words[taken - 1]) in _DATE_CONNECTORS:
        taken -= 1
    if not any(any(ch.isdigit() for ch in w) for w in words[:taken]):
        return "", text.strip(" ,")
    return " ".join(words[:taken]).strip(" ,"), " ".join(words[taken:]).strip(" ,")


def _head_from_attribution(text: str) -> _Head:
    sender, date_text = _attribution_parts(text)
    return _Head(sender=sender, date_text=date_text)


@lru_cache(maxsize=4096)
def _attribution_parts(text: str) -> tuple[Address | None, str]:
    # ">>Hal DeVore said:", '"CW" == Carlo Wood writes:': quote markers and Gnus initials are no name
    body = GNUS_INITIALS.sub("", QUOTE_MARKERS.sub("", _SPACES.sub(" ", text).strip()))
    body = AOL_PREFIX.sub("", body)
    email_match = None
    for candidate in _EMAIL_IN_TEXT_RE.finditer(body):
        email_match = candidate
    email = email_match.group(1) if email_match else ""
    if email_match:
        body = (body[: email_match.start()] + " " + body[email_match.end():]).strip()
    body = _SPACES.sub(" ", body)

    date_text, name = "", ""
    middle = _MIDDLE_VERB_RE.search(body)
    end = _LAST_END_VERB_RE.match(body)
    if end:
        core = body[: end.start(1)]
    elif middle:
        left, right = body[: middle.start()], body[middle.end():].rstrip(" :：")
        right = _LEADING_DATE_WORD.sub("", right)
        if _ATTRIBUTION_START_RE.match(left):
            core, name = left, right  # "Am <date> schrieb <name>:"
        else:
            core, name = right, left  # "<name> schrieb am <date>:"
    else:
        core = body.rstrip(" :：")
    core = _LEADING_ON.sub("", core)
    if not name:
        date_text, name = _split_date_and_name(core)
    else:
        date_text = core.strip(" ,")
    name = _NAME_FILLERS.sub("", name).strip(" ,")
    name = _TRAILING_AT.sub("", name)
    if name.startswith("(") and name.endswith(")") and redaction_in_field(name) is None:
        name = name[1:-1].strip()  # the old "addr (Name) writes:" form; "(b)(6) wrote:" is a redaction
    if redaction_in_field(name) is None:
        name = clean_name(strip_prose_before_name(name))
    if email and name:
        sender = parse_address(f"{name} <{email}>")
    else:
        sender = parse_address(email or name)
    if sender.name or sender.email or sender.redacted:
        return sender, date_text
    return None, date_text


# ---------------------------------------------------------------- splitting


@dataclass(slots=True)
class _Group:
    head: _Head | None
    style: str
    lines: list[str]


def _leading_head(lines: list[str], start: int) -> tuple[_Head | None, str, int] | None:
    """A separator, header block or attribution opening ``lines`` at ``start``: (head, style, body start)."""
    index = _next_nonblank(lines, start, limit=len(lines))
    if index is None:
        return None
    style = _separator_style(lines[index])
    if style is not None:
        after = _next_nonblank(lines, index + 1, limit=3)
        if after is not None and _RULE_RE.match(lines[after]):
            after = _next_nonblank(lines, after + 1, limit=3)
        if after is not None:
            block = _header_block(lines, after, strict=False)
            if block is not None:
                return _head_from_fields(block[1]), style, block[0]
        return _Head(), style, index + 1
    if _RULE_RE.match(lines[index]):
        after = _next_nonblank(lines, index + 1, limit=3)
        if after is not None:
            block = _header_block(lines, after, strict=True)
            if block is not None:
                return _head_from_fields(block[1]), "outlook", block[0]
        return None
    block = _header_block(lines, index, strict=True)
    if block is not None:
        return _head_from_fields(block[1]), "header-block", block[0]
    end = _attribution_at(lines, index)
    if end is not None:
        text = " ".join(line.strip() for line in lines[index:end])
        return _head_from_attribution(text), "on-wrote", end
    return None


def _quoted_message(head: _Head | None, style: str, body: str) -> QuotedMessage:
    head = head or _Head()
    date, status = _parse_printed_date(head.date_text)
    return QuotedMessage(
        sender=head.sender,
        to=list(head.to),
        cc=list(head.cc),
        date=date,
        date_status=status,
        date_text=head.date_text,
        subject=head.subject,
        body=body,
        style=style,
    )


def _messages_from_block(lines: list[str], head: _Head | None, style: str, depth: int) -> list[QuotedMessage]:
    """The quoted message in ``lines`` (its own headers first when ``head`` is None) and its history."""
    start = 0
    if head is None:
        leading = _leading_head(lines, 0)
        if leading is not None:
            head, style, start = leading
    if depth >= MAX_DEPTH:
        return [_quoted_message(head, style, "\n".join(lines[start:]).strip("\n"))]
    new_text, quoted, _ = _split_lines(lines[start:], depth + 1)
    return [_quoted_message(head, style, new_text), *quoted]


def _angle_region_end(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines):
        if _opens_angle_region(lines, index):
            index += 1
            continue
        if _is_blank(lines[index]):
            following = index
            while following < len(lines) and _is_blank(lines[following]):
                following += 1
            if following < len(lines) and _opens_angle_region(lines, following):
                index = following
                continue
        break
    return index


def _pop_attribution(lines: list[str], new: list[int]) -> int | None:
    """Take the attribution just above a '>' region out of the new text; its first line index."""
    position = len(new) - 1
    blanks = 0
    while position >= 0 and _is_blank(lines[new[position]]) and blanks < 3:
        position -= 1
        blanks += 1
    if position < 0 or _is_blank(lines[new[position]]):
        return None
    last = new[position]
    if not lines[last].rstrip().endswith((":", "：")):
        return None
    for back in (2, 1, 0):
        first_position = position - back
        if first_position < 0 or new[first_position] != last - back:
            continue
        if _attribution_at(lines, last - back) == last + 1:
            del new[first_position:]
            return last - back
    return None


def _plain_line(lines: list[str], index: int) -> bool:
    """A line that cannot open a quote: no '>', no colon, no rule, not a short snip marker, and no
    attribution ending on the next two lines. Most lines of most bodies; the full tests are for the rest."""
    line = lines[index]
    if not line.strip():
        return True
    if ">" in line or ":" in line or "：" in line or (len(line) <= 40 and _SNIP_RE.match(line)):
        return False
    return (line.lstrip()[:1] not in _RULE_CHARS
            and not _ends_with_colon(lines, index + 1) and not _ends_with_colon(lines, index + 2))


def _split_lines(lines: list[str], depth: int) -> tuple[str, list[QuotedMessage], list[tuple[int, int]]]:
    new: list[int] = []
    spans: list[tuple[int, int]] = []
    groups: list[_Group] = []
    tail: list[QuotedMessage] = []
    index = 0
    total = len(lines)
    while index < total:
        if _plain_line(lines, index):
            new.append(index)
            index += 1
            continue
        if _opens_angle_region(lines, index):
            end = _angle_region_end(lines, index)
            attribution_start = _pop_attribution(lines, new)
            dequoted = [_DEQUOTE_RE.sub("", quoted, count=1) for quoted in lines[index:end]]
            if attribution_start is not None:
                text = " ".join(lines[k].strip() for k in range(attribution_start, index) if not _is_blank(lines[k]))
                groups.append(_Group(_head_from_attribution(text), "on-wrote", dequoted))
                spans.append((attribution_start, end))
            else:
                if groups:
                    groups[-1].lines.extend(["", *dequoted])
                else:
                    groups.append(_Group(None, "angle", dequoted))
                spans.append((index, end))
            index = end
            continue
        cut = _quote_start(lines, index, new)
        if cut is not None:
            while new and new[-1] >= cut:
                new.pop()  # the rule line above an Outlook block belongs to the quote
            leading = _leading_head(lines, cut)
            head, style, body_start = leading if leading is not None else (None, "header-block", cut)
            after = _next_nonblank(lines, body_start)
            if after is not None and _opens_angle_region(lines, after):
                # Outlook Express bottom-posting: headers, then '>' lines, then the reply
                end = _angle_region_end(lines, after)
                dequoted = [_DEQUOTE_RE.sub("", quoted, count=1) for quoted in lines[after:end]]
                groups.append(_Group(head, style, dequoted))
                spans.append((cut, end))
                index = end
                continue
            tail = _messages_from_block(lines[body_start:], head, style, depth)
            spans.append((cut, total))
            break
        new.append(index)
        index += 1

    quoted: list[QuotedMessage] = []
    for group in groups:
        if depth >= MAX_DEPTH:
            quoted.append(_quoted_message(group.head, group.style, "\n".join(group.lines).strip("\n")))
        else:
            quoted.extend(_messages_from_block(group.lines, group.head, group.style, depth))
    quoted.extend(tail)
    first = next((position for position, k in enumerate(new) if not _is_blank(lines[k])), len(new))
    new_text = "\n".join(lines[k] for k in new[first:]).rstrip()
    return new_text, quoted, spans


def _quote_start(lines: list[str], index: int, new: list[int]) -> int | None:
    """The first line of a top-posted quote starting at ``index`` (rule lines above included)."""
    line = lines[index]
    if _is_blank(line):
        return None
    if _separator_style(line) is not None:
        return index
    # a block starts where a run of header lines starts: one starting mid-run was already refused
    if (_header_line(line) is not None and not (index > 0 and _header_line(lines[index - 1]) is not None)
            and _header_block(lines, index, strict=True) is not None):
        start = index
        position = len(new) - 1
        while position >= 0 and _is_blank(lines[new[position]]) and index - new[position] <= 3:
            position -= 1
        if position >= 0 and _RULE_RE.match(lines[new[position]]):
            start = new[position]
        return start
    end = _attribution_at(lines, index)
    if end is not None:
        after = _next_nonblank(lines, end)
        if after is not None and _opens_angle_region(lines, after):
            return None  # the '>' region below will claim it
        text = " ".join(part.strip() for part in lines[index:end])
        if _attribution_is_strong(text):
            return index
    return None


def split_quoted(
    body: str, *, context_date: datetime | None = None, not_after: datetime | None = None
) -> SplitBody:
    """Cut ``body`` into the author's new text and the quoted messages beneath, nearest first.

    Handles Outlook "Original Message" blocks, bare header blocks (in the common
    European languages), "On ... wrote:" attributions, '>' quoting (nested, and
    interleaved replies), forwarded blocks. Never raises; every non-blank line
    of the input ends up in ``new_text`` or ``quoted_text``.

    ``context_date`` is the enclosing message's date: a quoted date printed without
    a year takes it from the chain, and a quoted date after the enclosing message (or
    after ``not_after``, when given) is "suspect" and left undated.
    """
    if not body:
        return SplitBody(new_text="", quoted=[], quoted_text="")
    text = str(body).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    new_text, quoted, spans = _split_lines(lines, 0)
    bound = min((d for d in (context_date, not_after) if d is not None), default=None)
    _date_in_chain(quoted, context_date, bound)
    quoted_text = "\n".join("\n".join(lines[start:end]) for start, end in spans).strip("\n")
    return SplitBody(new_text=new_text, quoted=quoted, quoted_text=quoted_text)


__all__ = ["QuotedMessage", "SplitBody", "split_quoted", "MAX_DEPTH"]
