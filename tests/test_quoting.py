"""Splitting bodies into new text and quoted history: real client replies, every quoting form, hostile input."""
from __future__ import annotations

import email
import time
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foiatool.mail.quoting import MAX_DEPTH, QuotedMessage, SplitBody, split_quoted
from foiatool.model import Address, normalise_text


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# ------------------------------------------------------------ real replies from mail clients


def _talon_replies(corpora: Path) -> list[Path]:
    folder = corpora / "talon-replies"
    if not folder.is_dir():
        pytest.skip("talon-replies corpus absent")
    return sorted(folder.glob("*.eml"))


def _plain_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"{path.name} has no text/plain part"
    return part.get_content()


@pytest.mark.corpora
def test_every_real_client_reply_gives_its_new_text(corpora: Path) -> None:
    replies = _talon_replies(corpora)
    assert len(replies) == 12
    wrong = []
    for path in replies:
        expected_file = path.with_name(f"{path.stem}_reply_text")
        expected = expected_file.read_text() if expected_file.exists() else "Hello"
        result = split_quoted(_plain_text(path))
        if normalise_text(result.new_text) != normalise_text(expected):
            wrong.append((path.name, result.new_text))
        assert result.quoted, f"{path.name}: no quoted message found"
        assert result.quoted_text.strip()
    assert wrong == []


@pytest.mark.corpora
def test_real_replies_recover_the_quoted_sender_and_date(corpora: Path) -> None:
    folder = corpora / "talon-replies"
    if not folder.is_dir():
        pytest.skip("talon-replies corpus absent")
    expected = {
        "gmail.eml": (Address("Megan One", "xxx@gmail.com"), _utc(2012, 4, 2, 18, 26), "on-wrote"),
        "android.eml": (Address("", "bob@xxx.mailgun.org"), _utc(2012, 4, 2, 14, 20), "on-wrote"),
        "aol.eml": (Address("bob", "bob@example.com"), _utc(2012, 4, 2, 17, 49), "outlook"),
        "hotmail.eml": (Address("", "bob@xxx.mailgun.org"), _utc(2012, 4, 2, 13, 44, 22), "header-block"),
        "yahoo.eml": (Address("", "bob@xxx.mailgun.org"), _utc(2012, 4, 2, 17, 44), "outlook"),
        "apple_mail_2.eml": (Address("Adam Renberg", "tgwizard@gmail.com"), _utc(2015, 8, 22, 19, 21), "on-wrote"),
        "outlook.eml": (Address("", "xxx@xxx.mailgun.org"), _utc(2012, 3, 9, 16, 22), "header-block"),
    }
    for name, (sender, date, style) in expected.items():
        parent = split_quoted(_plain_text(folder / name)).quoted[0]
        assert (parent.sender, parent.date, parent.style) == (sender, date, style), name
    hotmail = split_quoted(_plain_text(folder / "hotmail.eml")).quoted[0]
    assert hotmail.subject == "Test" and hotmail.body == "Hi" and hotmail.date_status == "ok"
    assert [a.email for a in hotmail.to][:2] == ["xxx@gmail.com", "xxx@hotmail.com"] and len(hotmail.to) == 6
    sparrow = split_quoted(_plain_text(folder / "sparrow.eml")).quoted
    assert [(q.sender, q.body) for q in sparrow] == [(Address("xxx"), "Hello"), (Address("bob"), "Hi")]


# ------------------------------------------------------------ Outlook chains

CHAIN = """Thanks, I will send it Monday.

John

-----Original Message-----
From: Smith, Ann (ICE) <ann.smith@ice.dhs.gov>
Sent: Thursday, March 10, 2011 4:12 PM
To: Morton, John; (b)(6)
Cc: Lee, Dan <dan.lee@ice.dhs.gov>
Subject: RE: Detention numbers

Can you send the spreadsheet?

Ann

-----Original Message-----
From: Morton, John
Sent: Thursday, March 10, 2011 9:03 AM
To: Smith, Ann (ICE)
Subject: RE: Detention numbers

The numbers are final.

________________________________
From: Lee, Dan
Sent: Wednesday, March 09, 2011 5:45 PM
To: Morton, John; Smith, Ann (ICE)
Subject: Detention numbers
Importance: High

Are the numbers final?
Sent from my BlackBerry

From: (b)(6)
Sent: Wednesday, March 09, 2011 11:00 AM
To: Lee, Dan
Subject: FW: Detention numbers

See below.
"""


def test_four_level_outlook_chain() -> None:
    result = split_quoted(CHAIN)
    assert result.new_text == "Thanks, I will send it Monday.\n\nJohn"
    assert result.quoted_text.startswith("-----Original Message-----\nFrom: Smith, Ann (ICE)")
    assert result.quoted_text.endswith("See below.")
    levels = [(q.sender, q.date, q.subject, q.body, q.style) for q in result.quoted]
    assert levels == [
        (Address("Smith, Ann (ICE)", "ann.smith@ice.dhs.gov"), _utc(2011, 3, 10, 16, 12),
         "RE: Detention numbers", "Can you send the spreadsheet?\n\nAnn", "outlook"),
        (Address("Morton, John"), _utc(2011, 3, 10, 9, 3), "RE: Detention numbers", "The numbers are final.", "outlook"),
        (Address("Lee, Dan"), _utc(2011, 3, 9, 17, 45), "Detention numbers",
         "Are the numbers final?\nSent from my BlackBerry", "outlook"),
        (Address(redacted="b6"), _utc(2011, 3, 9, 11, 0), "FW: Detention numbers", "See below.", "header-block"),
    ]
    first = result.quoted[0]
    assert first.to == [Address("Morton, John"), Address(redacted="b6")]
    assert first.cc == [Address("Lee, Dan", "dan.lee@ice.dhs.gov")]
    assert first.date_text == "Thursday, March 10, 2011 4:12 PM" and first.date_status == "guessed"
    assert result.quoted[2].to == [Address("Morton, John"), Address("Smith, Ann (ICE)")]


def test_five_levels_give_five_messages_in_order() -> None:
    parts = ["Top reply."]
    for level in range(5):
        parts.append(
            "\n-----Original Message-----\n"
            f"From: Person{level}, Some <p{level}@example.gov>\n"
            f"Sent: Monday, March {level + 1}, 2010 10:0{level} AM\n"
            "To: Someone Else\n"
            f"Subject: RE: level {level}\n\n"
            f"Text of level {level}.\n"
        )
    result = split_quoted("\n".join(parts))
    assert result.new_text == "Top reply."
    assert [q.sender.email if q.sender else None for q in result.quoted] == [f"p{n}@example.gov" for n in range(5)]
    assert [q.subject for q in result.quoted] == [f"RE: level {n}" for n in range(5)]
    assert [q.body for q in result.quoted] == [f"Text of level {n}." for n in range(5)]
    assert [q.date for q in result.quoted] == [_utc(2010, 3, n + 1, 10, n) for n in range(5)]


def test_outlook_delegate_and_mailto_sender() -> None:
    text = (
        "ok\n\nFrom: Assistant, Amy [mailto:amy.assistant@state.gov] On Behalf Of Boss, Bill\n"
        "Sent: Friday, June 3, 2016 8:15 AM\nTo: Team\nSubject: Call\n\nCall at 9.\n"
    )
    parent = split_quoted(text).quoted[0]
    assert parent.sender == Address("Assistant, Amy", "amy.assistant@state.gov")
    assert parent.body == "Call at 9."


def test_date_header_instead_of_sent_and_no_separator() -> None:
    text = "OK\n\nFrom: Ann Smith\nDate: 03/05/2019 02:03 PM\nTo: John Morton\nSubject: hi\n\nbody\n"
    result = split_quoted(text)
    assert result.new_text == "OK"
    [parent] = result.quoted
    assert (parent.sender, parent.to, parent.subject, parent.body, parent.style) == (
        Address("Ann Smith"), [Address("John Morton")], "hi", "body", "header-block"
    )
    assert parent.date == _utc(2019, 3, 5, 14, 3)


def test_wrapped_recipient_list_stays_in_the_header() -> None:
    text = (
        "Noted.\n\n-----Original Message-----\nFrom: Ann Smith <ann@example.gov>\n"
        "Sent: Monday, May 2, 2016 9:00 AM\nTo: a@example.gov; b@example.gov;\n"
        "    c@example.gov\nSubject: List\n\nHello all.\n"
    )
    parent = split_quoted(text).quoted[0]
    assert [a.email for a in parent.to] == ["a@example.gov", "b@example.gov", "c@example.gov"]
    assert parent.subject == "List" and parent.body == "Hello all."


def test_gmail_bold_header_block_without_separator() -> None:
    text = (
        "See below.\n\n*From:* Morton, John <john.morton@ice.dhs.gov>\n*Sent:* Tuesday, March 5, 2019 2:03 PM\n"
        "*To:* Ann Smith <ann@example.com>\n*Subject:* Budget\n\nNumbers attached.\n"
    )
    result = split_quoted(text)
    assert result.new_text == "See below."
    parent = result.quoted[0]
    assert parent.sender == Address("Morton, John", "john.morton@ice.dhs.gov")
    assert parent.subject == "Budget" and parent.body == "Numbers attached."


# ------------------------------------------------------------ other languages

LANGUAGES = {
    "de": ("Danke!", "Von: Müller, Hans <hans.mueller@example.de>\nGesendet: Dienstag, 5. März 2019 14:03\n"
           "An: Schmidt, Eva <eva@example.de>\nCc: Team <team@example.de>\nBetreff: AW: Termin",
           Address("Müller, Hans", "hans.mueller@example.de"), "AW: Termin"),
    "fr": ("Merci.", "De : Jean Dupont <jean.dupont@example.fr>\nEnvoyé : mardi 5 mars 2019 14:03\n"
           "À : Marie Curie <marie@example.fr>\nObjet : RE: Réunion",
           Address("Jean Dupont", "jean.dupont@example.fr"), "RE: Réunion"),
    "es": ("Gracias.", "De: Pedro García <pedro@example.es>\nEnviado: martes, 5 de marzo de 2019 14:03\n"
           "Para: Ana López <ana@example.es>\nAsunto: RE: Reunión",
           Address("Pedro García", "pedro@example.es"), "RE: Reunión"),
    "nl": ("Dank je.", "Van: Jan de Vries <jan@example.nl>\nVerzonden: dinsdag 5 maart 2019 14:03\n"
           "Aan: Piet Jansen <piet@example.nl>\nOnderwerp: RE: Vergadering",
           Address("Jan de Vries", "jan@example.nl"), "RE: Vergadering"),
    "pt": ("Obrigado.", "De: João Silva <joao@example.pt>\nEnviada em: terça-feira, 5 de março de 2019 14:03\n"
           "Para: Maria Santos <maria@example.pt>\nAssunto: RE: Reunião",
           Address("João Silva", "joao@example.pt"), "RE: Reunião"),
    "it": ("Grazie.", "Da: Mario Rossi <mario@example.it>\nInviato: martedì 5 marzo 2019 14:03\n"
           "A: Luigi Bianchi <luigi@example.it>\nOggetto: R: Riunione",
           Address("Mario Rossi", "mario@example.it"), "R: Riunione"),
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_header_blocks_in_other_languages(language: str) -> None:
    new, headers, sender, subject = LANGUAGES[language]
    result = split_quoted(f"{new}\n\n{headers}\n\nQuoted body line.\n")
    assert result.new_text == new
    [parent] = result.quoted
    assert parent.sender == sender
    assert parent.subject == subject
    assert parent.body == "Quoted body line."
    assert parent.date == _utc(2019, 3, 5, 14, 3)
    assert len(parent.to) == 1


@pytest.mark.parametrize(
    ("attribution", "sender", "date"),
    [
        ("Le 5 mars 2019 à 14:03, Jean Dupont <jean.dupont@example.fr> a écrit :",
         Address("Jean Dupont", "jean.dupont@example.fr"), _utc(2019, 3, 5, 14, 3)),
        ("Am 05.03.2019 um 14:03 schrieb Hans Müller <hans@example.de>:",
         Address("Hans Müller", "hans@example.de"), _utc(2019, 3, 5, 14, 3)),
        ("El 5 de marzo de 2019, a las 14:03, Pedro García <pedro@example.es> escribió:",
         Address("Pedro García", "pedro@example.es"), _utc(2019, 3, 5, 14, 3)),
        ("Op 5 mrt. 2019 om 14:03 schreef Jan de Vries <jan@example.nl>:",
         Address("Jan de Vries", "jan@example.nl"), _utc(2019, 3, 5, 14, 3)),
        ("Il giorno 5 marzo 2019 14:03, Mario Rossi <mario@example.it> ha scritto:",
         Address("Mario Rossi", "mario@example.it"), _utc(2019, 3, 5, 14, 3)),
        ("Em 5 de mar. de 2019 às 14:03, João Silva <joao@example.pt> escreveu:",
         Address("João Silva", "joao@example.pt"), _utc(2019, 3, 5, 14, 3)),
        ("On Tue, Mar 5, 2019 at 2:03 PM Morton, John <john.morton@ice.dhs.gov> wrote:",
         Address("Morton, John", "john.morton@ice.dhs.gov"), _utc(2019, 3, 5, 14, 3)),
    ],
)
def test_attribution_lines_in_other_languages(attribution: str, sender: Address, date: datetime) -> None:
    result = split_quoted(f"Reply text.\n\n{attribution}\n\n> Quoted line.\n")
    assert result.new_text == "Reply text."
    [parent] = result.quoted
    assert (parent.sender, parent.date, parent.body, parent.style) == (sender, date, "Quoted line.", "on-wrote")


# ------------------------------------------------------------ "On ... wrote:" and '>' quoting


def test_attribution_wrapped_over_two_lines_with_nested_levels() -> None:
    text = (
        "Sure.\n\nOn Tue, Mar 5, 2019 at 2:03 PM Morton, John <john.morton@ice.dhs.gov>\nwrote:\n\n"
        "> Can you call me?\n>\n> On Mon, Mar 4, 2019 at 9:00 AM Ann Smith <ann@example.com> wrote:\n>\n"
        ">> Meeting at 10?\n>>\n>> > older\n"
    )
    result = split_quoted(text)
    assert result.new_text == "Sure."
    assert [(q.sender, q.date, q.body) for q in result.quoted] == [
        (Address("Morton, John", "john.morton@ice.dhs.gov"), _utc(2019, 3, 5, 14, 3), "Can you call me?"),
        (Address("Ann Smith", "ann@example.com"), _utc(2019, 3, 4, 9, 0), "Meeting at 10?"),
        (None, None, "older"),
    ]
    assert result.quoted[2].style == "angle" and result.quoted[2].date_status == "missing"


def test_name_wrote_without_date() -> None:
    result = split_quoted("Agreed.\n\nBob Smith wrote:\n> Shall we?\n")
    assert result.new_text == "Agreed."
    [parent] = result.quoted
    assert (parent.sender, parent.date, parent.date_status, parent.body) == (Address("Bob Smith"), None, "missing", "Shall we?")


def test_interleaved_reply_keeps_every_answer() -> None:
    text = (
        "On Tue, Mar 5, 2019 at 2:03 PM Ann Smith <ann@example.com> wrote:\n"
        "> Question one?\nAnswer one.\n\n> Question two?\nAnswer two.\n"
    )
    result = split_quoted(text)
    assert result.new_text == "Answer one.\n\nAnswer two."
    [parent] = result.quoted
    assert parent.body == "Question one?\n\nQuestion two?"
    assert parent.sender == Address("Ann Smith", "ann@example.com")


def test_attribution_without_angle_quotes_from_html_mail() -> None:
    result = split_quoted("Yes.\n\nOn Tue, Mar 5, 2019 at 2:03 PM Ann Smith <ann@example.com> wrote:\n\nCan we meet?\n")
    assert result.new_text == "Yes."
    assert [(q.sender, q.body) for q in result.quoted] == [(Address("Ann Smith", "ann@example.com"), "Can we meet?")]


def test_angle_quote_without_attribution() -> None:
    result = split_quoted("I disagree.\n\n> The plan is fine.\n> Really.\n")
    assert result.new_text == "I disagree."
    [parent] = result.quoted
    assert (parent.sender, parent.style, parent.body) == (None, "angle", "The plan is fine.\nReally.")


def test_prose_line_above_an_attribution_is_not_swallowed() -> None:
    result = split_quoted("Email me at bob@x.com\nBob wrote:\n> quote\n")
    assert result.new_text == "Email me at bob@x.com"
    assert [(q.sender, q.body) for q in result.quoted] == [(Address("Bob"), "quote")]


def test_name_and_address_wrapped_before_wrote() -> None:
    result = split_quoted("Hi.\n\nMorton, John <john.morton@ice.dhs.gov>\nwrote:\n> quote\n")
    assert result.new_text == "Hi."
    assert result.quoted[0].sender == Address("Morton, John", "john.morton@ice.dhs.gov")


def test_old_style_attributions() -> None:
    result = split_quoted("Agreed.\n\nzzzz@example.com (Justin Mason) writes:\n\n> /dev/fd/0 is STDIN\n")
    assert result.new_text == "Agreed."
    assert result.quoted[0].sender == Address("Justin Mason", "zzzz@example.com")
    said = split_quoted('On Sun, 25 Aug 2002 10:17:46 -0700, "John Hall" <jh@example.net>\nsaid:\n\n> old\n\nnew')
    assert said.new_text == "new"
    assert said.quoted[0].sender == Address("John Hall", "jh@example.net")
    assert said.quoted[0].date == _utc(2002, 8, 25, 17, 17, 46) and said.quoted[0].date_status == "ok"


def test_snip_marker_belongs_to_the_quote() -> None:
    text = "On Fri, Aug 23, 2002 at 09:26:47AM +0100, Padraig Brady wrote:\n[...]\n> 7.3 and 8.0 are out.\n\n8.1 is due.\n"
    result = split_quoted(text)
    assert result.new_text == "8.1 is due."
    [parent] = result.quoted
    assert parent.sender == Address("Padraig Brady") and parent.body == "[...]\n7.3 and 8.0 are out."


def test_outlook_express_bottom_posting() -> None:
    text = (
        '\n----- Original Message -----\nFrom: "James Rogers" <jamesr@best.com>\n\n'
        "> As I've said before,\n> six-figure income.\n\nIf you can't trust the census, who can you trust?\n"
    )
    result = split_quoted(text)
    assert result.new_text == "If you can't trust the census, who can you trust?"
    [parent] = result.quoted
    assert (parent.style, parent.sender, parent.body) == (
        "outlook", Address("James Rogers", "jamesr@best.com"), "As I've said before,\nsix-figure income."
    )


# ------------------------------------------------------------ forwards and mobile


def test_gmail_forward_with_bold_headers() -> None:
    text = (
        "FYI, see below.\n\n---------- Forwarded message ---------\n*From:* Ann Smith <ann@example.com>\n"
        "*Date:* Tue, Mar 5, 2019 at 2:03 PM\n*Subject:* Budget\n*To:* John Morton <john.morton@ice.dhs.gov>\n\n"
        "Numbers attached.\n"
    )
    result = split_quoted(text)
    assert result.new_text == "FYI, see below."
    [forwarded] = result.quoted
    assert (forwarded.style, forwarded.sender, forwarded.subject, forwarded.body) == (
        "forward", Address("Ann Smith", "ann@example.com"), "Budget", "Numbers attached."
    )
    assert forwarded.to == [Address("John Morton", "john.morton@ice.dhs.gov")]
    assert forwarded.date == _utc(2019, 3, 5, 14, 3)


def test_apple_begin_forwarded_message() -> None:
    text = (
        "Look at this.\n\nBegin forwarded message:\n\nFrom: Ann Smith <ann@example.com>\nSubject: Budget\n"
        "Date: March 5, 2019 at 2:03:00 PM EST\nTo: John Morton <john.morton@ice.dhs.gov>\n\nNumbers attached.\n"
    )
    result = split_quoted(text)
    assert result.new_text == "Look at this."
    [forwarded] = result.quoted
    assert forwarded.style == "forward"
    assert forwarded.date == _utc(2019, 3, 5, 19, 3) and forwarded.date_status == "ok"
    assert forwarded.subject == "Budget" and forwarded.body == "Numbers attached."


def test_original_message_used_as_a_forward_with_a_nested_reply() -> None:
    text = (
        "Forwarding for your files.\n\n-----Original Message-----\nFrom: Ann Smith <ann@example.com>\n"
        "Sent: Monday, May 2, 2016 9:00 AM\nTo: Bob\nSubject: FW: Report\n\nSee the thread.\n\n"
        "On May 1, 2016, at 8:00 AM, Carl Jones <carl@example.com> wrote:\n\n> The report is attached.\n"
    )
    result = split_quoted(text)
    assert result.new_text == "Forwarding for your files."
    assert [(q.style, q.sender.email if q.sender else None, q.body) for q in result.quoted] == [
        ("outlook", "ann@example.com", "See the thread."),
        ("on-wrote", "carl@example.com", "The report is attached."),
    ]


def test_eudora_forwarded_text_with_raw_headers() -> None:
    text = (
        "Ouch.\n\n--- begin forwarded text\n\n\nStatus: RO\nDate: Thu,  5 Sep 2002 09:17:13 -0700\n"
        "From: Same Guy\nSubject: Re: Electric car\nSender: list@example.com\n"
        'To: "R. A. Hettinga"  <rah@shipwright.com>\n\nBob,\n'
    )
    result = split_quoted(text)
    assert result.new_text == "Ouch."
    [forwarded] = result.quoted
    assert (forwarded.style, forwarded.sender, forwarded.subject, forwarded.body) == (
        "forward", Address("Same Guy"), "Re: Electric car", "Bob,"
    )
    assert forwarded.to == [Address("R. A. Hettinga", "rah@shipwright.com")]
    assert forwarded.date == _utc(2002, 9, 5, 16, 17, 13)


def test_sent_from_my_iphone_stays_in_the_new_text() -> None:
    text = "Hello\n\nSent from my iPhone\n\nOn Apr 3, 2012, at 4:19 PM, bob <bob@example.com> wrote:\n\n> Hi\n"
    result = split_quoted(text)
    assert result.new_text == "Hello\n\nSent from my iPhone"
    assert result.quoted[0].sender == Address("bob", "bob@example.com")
    assert split_quoted("On my way.\n\nSent from my iPhone\n").quoted == []


def test_samsung_original_message_separator() -> None:
    text = (
        "On it.\n\n-------- Original message --------\nFrom: Ann Smith <ann@example.com>\n"
        "Date: 03/05/2019 14:03 (GMT-05:00)\nTo: bob@example.com\nSubject: Lunch\n\nNoon?\n"
    )
    result = split_quoted(text)
    assert result.new_text == "On it."
    assert [(q.style, q.subject, q.body) for q in result.quoted] == [("outlook", "Lunch", "Noon?")]


# ------------------------------------------------------------ what must not start a quote


@pytest.mark.parametrize(
    "text",
    [
        "From: the desk of the director\nTo do: review the file.\n",
        "On Monday we met. He wrote:\nthe report is due.\n",
        "Date: tomorrow\nSubject: the budget\n",
        "Notes:\n- one\n- two\n",
        "",
        "\n\n\n",
    ],
)
def test_prose_is_not_quoted(text: str) -> None:
    result = split_quoted(text)
    assert result.quoted == [] and result.quoted_text == ""
    assert result.new_text == text.strip("\n")


# ------------------------------------------------------------ hostile input


def _accounted(text: str, result: SplitBody) -> None:
    """Every non-blank input line appears in the new text or the quoted text."""
    kept = {line.strip() for line in (result.new_text + "\n" + result.quoted_text).splitlines()}
    for line in text.splitlines():
        piece = line.strip()
        if piece and piece not in kept:
            assert piece in result.new_text or piece in result.quoted_text, piece


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(">" * level + f" level {level}" for level in range(1, 3000)),
        ">" * 200_000 + " x",
        "Hello\x00\n\x00-----Original Message-----\x00\nFrom: a\x00\n" * 1000,
        "Some ordinary text line here with words.\n" * 50_000,
        "-----Original Message-----\nFrom: a@b.c\nSent: Mon, 2 Apr 2012\nTo: x@y.z\nSubject: s\n\nbody\n" * 5000,
        "On Mon, Apr 2, 2012 at 6:26 PM, A <a@b.c> wrote:\n> hi\n" * 5000,
        "To: a\n" * 50_000,
        "On " + "1 " * 500_000 + " wrote:",
        "\r\n".join("> " * (n % 50) + "From: x\rSent: 1 Jan 2020" for n in range(5000)),
    ],
    ids=["deep-levels", "deep-line", "nul-bytes", "megabytes", "many-separators", "many-attributions",
         "header-run", "long-attribution", "cr-mixed"],
)
def test_hostile_input_is_split_quickly_and_loses_nothing(text: str) -> None:
    started = time.perf_counter()
    result = split_quoted(text)
    assert time.perf_counter() - started < 10
    assert len(result.quoted) <= 5000
    _accounted(text, result)


def test_depth_is_capped_and_the_rest_kept_raw() -> None:
    text = "\n".join(">" * level + f" level {level}" for level in range(0, 100))
    result = split_quoted(text)
    assert result.new_text == " level 0"
    assert len(result.quoted) == MAX_DEPTH + 1
    assert "level 99" in result.quoted[-1].body


LINES = st.sampled_from(
    [
        "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:",
        "From: Morton, John", "From: Ann <ann@example.com>", "Sent: Monday, April 2, 2012 5:44 PM",
        "Date: Mon, 2 Apr 2012 17:44:22 +0400", "To: a@b.c; Smith, Ann", "Cc: (b)(6)", "Subject: RE: x",
        "Von: Hans", "Betreff: x", "On Mon, Apr 2, 2012 at 6:26 PM, A <a@b.c> wrote:", "Bob wrote:",
        "On Mon, Apr 2, 2012 at 6:26 PM, A <a@b.c>", "wrote:", "> quoted", ">> deeper", "> On 1 May 2012, X wrote:",
        ">", "", "   ", "Hello", "Sent from my iPhone", "________________________________", "-- ",
        "> From: a@b.c", "> Sent: Monday", "> Subject: s", "\x00", "*From:* x", "Le 5 mars 2019, X a écrit :",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(LINES, st.text(max_size=40)), max_size=40))
def test_never_raises_and_every_line_is_accounted_for(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = split_quoted(text)
    _accounted(text, result)
    for quoted in result.quoted:
        assert isinstance(quoted, QuotedMessage)
        assert quoted.date_status in ("ok", "guessed", "missing")
        assert quoted.style in ("outlook", "header-block", "on-wrote", "forward", "angle")
        assert quoted.date is None or quoted.date.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _accounted(text, split_quoted(text))


def test_redacted_attribution_is_a_redacted_sender_not_a_name():
    split = split_quoted("Thanks.\n\nOn Mon, Mar 7, 2011 at 4:12 PM, (b)(6) wrote:\n> hello there\n")
    assert split.quoted[0].sender == Address(redacted="b6")


def test_the_attribution_check_finds_what_a_search_for_its_verbs_finds(corpora) -> None:
    """_ATTRIBUTION_RE is matched after ".*" for speed: on every line of the reply corpora ending in a
    colon, and on wrapped and foreign forms, it answers as a plain search for the same pattern."""
    import re

    from foiatool.mail import quoting

    search = re.compile(quoting._ATTRIBUTION_PATTERN, re.IGNORECASE)
    lines = ["On Tue, 1 Jan 2019, Heidi Wood <h@example.com> wrote:", "Hans Meier schrieb am 01.01.2019:",
             "Le 3 mars 2011, Jean a écrit :", "wrote  :", "x wrote:\n", "2011/3/7 王 <w@x.cn> 写道：",
             "ſaid:", "The items below:", "said: more", "schrieb\nlater:", ""]
    for path in sorted((corpora / "talon-replies").rglob("*")) + sorted((corpora / "spamassassin-ham").rglob("*"))[:800]:
        if path.is_file():
            lines += [line for line in path.read_text("utf-8", "replace").splitlines() if line.rstrip().endswith((":", "："))]
    assert len(lines) > 1000
    for line in lines:
        assert bool(quoting._ATTRIBUTION_RE.match(line)) == bool(search.search(line)), line


def test_the_verb_ending_an_attribution_is_found_where_a_search_finds_it(corpora) -> None:
    """An attribution's closing verb ("wrote:") is found from the end of the line for speed: on
    every colon-ended line of the reply corpora, and on forms where one verb could end another,
    it starts exactly where a search from the start finds it."""
    import re

    from foiatool.mail import quoting

    search = re.compile(quoting._END_VERB, re.IGNORECASE)
    lines = ["On Tue, Heidi Wood <h@example.com> wrote:", "X has written:", "Jean a écrit :", "said says:",
             "Ana ha escrito:", "wrote wrote:", "Pan napisała:", "Иван написал(а):", "王 写道：", "kirjoitti kirjoitti:",
             "x said : ", "nothing here:", ""]
    for path in sorted((corpora / "talon-replies").rglob("*")) + sorted((corpora / "spamassassin-ham").rglob("*"))[:800]:
        if path.is_file():
            lines += [" ".join(line.split()) for line in path.read_text("utf-8", "replace").splitlines()
                      if line.rstrip().endswith((":", "："))]
    for line in lines:
        found, last = search.search(line), quoting._LAST_END_VERB_RE.match(line)
        assert (found.start() if found else None) == (last.start(1) if last else None), line
