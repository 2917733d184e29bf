"""Threading: JWZ header links, quoted-history links and recovery, guarded subject grouping, duplicates."""
from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import pytest

from foiatool.derive.threads import (
    ThreadInput,
    build_threads,
    clean_message_id,
    message_ids_in,
    text_similarity,
    thread_input,
)
from foiatool.mail.quoting import QuotedMessage
from foiatool.model import Address, Message, Source

BENCH = Path(__file__).resolve().parents[1] / "bench"

UTC = UTC
MORTON = Address("John Morton", "john.morton@ice.dhs.gov")
SMITH = Address("Jane Smith", "jane.smith@cbp.dhs.gov")
LEE = Address("Mark Lee", "mark.lee@usdoj.gov")
PARK = Address("Amy Park", "amy.park@state.gov")
STONE = Address("Rose Stone", "rose.stone@epa.gov")

PARENT_TEXT = (
    "Jane,\n\nThe front office needs the revised detention numbers for El Paso by close of\n"
    "business today. Can you confirm whether the field office signed off on them?\n\nThanks.\n\nJohn"
)


def _input(
    key: str,
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    subject: str = "Budget",
    sender: Address | None = MORTON,
    to: list[Address] | None = None,
    cc: list[Address] | None = None,
    date: datetime | None = datetime(2016, 3, 8, 14, 0, tzinfo=UTC),
    text: str = "",
    quoted: list[QuotedMessage] | None = None,
) -> ThreadInput:
    return ThreadInput(
        id=key,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references or [],
        subject=subject,
        sender=sender,
        to=to if to is not None else [SMITH],
        cc=cc or [],
        date=date,
        date_status="ok" if date else "missing",
        new_text=text or f"Text of {key}, which says something only {key} says.",
        quoted=quoted or [],
        sources=[Source(path=f"/release/{key}.eml", kind="eml")],
    )


def _message(
    sender: Address,
    to: list[Address],
    date: datetime,
    subject: str,
    body: str,
    path: str,
    **fields,
) -> ThreadInput:
    """A stripped release message run through the real quote splitter."""
    message = Message(
        sender=sender, to=to, date=date, date_status="ok", subject=subject, body=body,
        sources=[Source(path=path, kind="eml")], **fields,
    )
    return thread_input(message)


def _outlook_quote(sender_printed: str, sent: str, to: str, subject: str, body: str) -> str:
    return (
        "-----Original Message-----\n"
        f"From: {sender_printed}\nSent: {sent}\nTo: {to}\nSubject: {subject}\n\n{body}"
    )


def _edges(result) -> dict[tuple[str, str], str]:
    return {(a, b): d["how"] for a, b, d in result.graph.edges(data=True)}


# ------------------------------------------------------------------ Message-ID parsing


def test_message_ids_are_read_from_folded_and_malformed_lists():
    assert message_ids_in("<a@x.gov>\n\t<b@x.gov>  <c@x.gov>") == ["a@x.gov", "b@x.gov", "c@x.gov"]
    assert message_ids_in("a@x.gov b@x.gov") == ["a@x.gov", "b@x.gov"]
    assert message_ids_in("<a@x.gov><b@x.gov>") == ["a@x.gov", "b@x.gov"]
    assert message_ids_in("") == []
    assert message_ids_in("<>") == []
    assert clean_message_id("  <a@x.gov>  ") == "a@x.gov"
    assert clean_message_id("a@x.gov") == "a@x.gov"
    assert clean_message_id(None) is None


# ------------------------------------------------------------------ headers (JWZ)


def test_missing_parent_becomes_a_placeholder_that_keeps_the_absent_id():
    root = _input("A", message_id="<a@x>")
    reply = _input("C", message_id="<c@x>", references=["<a@x>", "<b@x>"], in_reply_to="<b@x>",
                   date=datetime(2016, 3, 9, tzinfo=UTC))
    result = build_threads([root, reply])
    assert result.placeholders == {"b@x": ["C"]}
    assert _edges(result) == {("A", "ph:b@x"): "header", ("ph:b@x", "C"): "header"}
    assert result.graph.nodes["ph:b@x"]["kind"] == "placeholder"
    assert len(result.threads) == 1
    thread = result.threads[0]
    assert thread.root == "A"
    assert thread.message_ids == ["A", "C", "ph:b@x"]
    assert result.thread_of["ph:b@x"] == thread.id


def test_placeholder_chain_without_messages_is_pruned_but_listed():
    reply = _input("C", message_id="<c@x>", references=["<a@x>", "<b@x>"])
    result = build_threads([reply])
    # <a@x> joins nothing and stands for no message's parent: not a node, still listed as absent
    assert set(result.graph.nodes) == {"C", "ph:b@x"}
    assert result.placeholders == {"a@x": ["C"], "b@x": ["C"]}


def test_placeholder_joining_two_replies_is_kept_as_their_root():
    one = _input("R1", message_id="<r1@x>", references=["<gone@x>"])
    two = _input("R2", message_id="<r2@x>", references=["<gone@x>"], date=datetime(2016, 3, 9, tzinfo=UTC))
    result = build_threads([one, two])
    assert len(result.threads) == 1
    assert result.threads[0].root == "ph:gone@x"
    assert result.threads[0].subject == "Budget"


def test_reference_loops_are_broken():
    a = _input("A", message_id="<a@x>", references=["<b@x>"])
    b = _input("B", message_id="<b@x>", references=["<a@x>"], date=datetime(2016, 3, 9, tzinfo=UTC))
    result = build_threads([a, b])
    assert nx.is_directed_acyclic_graph(result.graph)
    assert len(result.threads) == 1
    assert all(result.graph.in_degree(n) <= 1 for n in result.graph)


def test_self_reference_is_ignored():
    a = _input("A", message_id="<a@x>", references=["<a@x>"], in_reply_to="<a@x>")
    result = build_threads([a])
    assert list(result.graph.edges) == []
    assert result.placeholders == {}
    assert result.threads[0].root == "A"


def test_junk_in_reply_to_loses_to_the_last_reference():
    a = _input("A", message_id="<a@x>")
    b = _input("B", message_id="<b@x>", references=["<a@x>"], date=datetime(2016, 3, 9, tzinfo=UTC))
    c = _input("C", message_id="<c@x>", references=["<a@x> <b@x>"],
               in_reply_to='John Morton <john.morton@ice.dhs.gov> (message of "Tue, 8 Mar 2016")',
               date=datetime(2016, 3, 10, tzinfo=UTC))
    result = build_threads([a, b, c])
    assert _edges(result) == {("A", "B"): "header", ("B", "C"): "header"}
    assert result.placeholders == {}


def test_in_reply_to_alone_uses_its_last_message_id():
    a = _input("A", message_id="<a@x>")
    b = _input("B", message_id="<b@x>",
               in_reply_to='Message from John Morton <john.morton@ice.dhs.gov> of "Tue" <a@x>',
               date=datetime(2016, 3, 9, tzinfo=UTC))
    result = build_threads([a, b])
    assert _edges(result) == {("A", "B"): "header"}


def test_same_message_id_on_different_content_is_flagged_and_kept_apart():
    first = _input("M1", message_id="<dup@x>", text="The first message with this id.")
    second = _input("M2", message_id="<dup@x>", text="A different message reusing the id.",
                    date=datetime(2016, 4, 1, tzinfo=UTC), subject="Other")
    reply = _input("R", message_id="<r@x>", references=["<dup@x>"], date=datetime(2016, 3, 9, tzinfo=UTC))
    result = build_threads([second, reply, first])
    assert result.id_conflicts == {"dup@x": ["M1", "M2"]}
    assert "M1" in result.graph and "M2" in result.graph
    assert _edges(result) == {("M1", "R"): "header"}  # the earlier holder keeps the id
    assert result.thread_of["M1"] != result.thread_of["M2"]


# ------------------------------------------------------------------ quoted history


def _morton_parent() -> ThreadInput:
    # 16:12:33 in Washington (EST, UTC-5) is 21:12:33 UTC
    return _message(MORTON, [SMITH], datetime(2016, 3, 8, 21, 12, 33, tzinfo=UTC),
                    "Detention numbers", PARENT_TEXT, "/release/morton/1.eml")


def _smith_reply(sent: str, path: str = "/release/smith/1.eml", text: str = "Confirmed, they signed off.") -> ThreadInput:
    body = (
        f"{text}\n\nJane\n\n"
        + _outlook_quote("Morton, John", sent, "Smith, Jane", "Detention numbers", PARENT_TEXT)
    )
    return _message(SMITH, [MORTON], datetime(2016, 3, 9, 14, 2, 5, tzinfo=UTC),
                    "RE: Detention numbers", body, path)


def test_quote_links_last_first_sender_and_local_time_to_its_parent():
    parent = _morton_parent()
    reply = _smith_reply("Tuesday, March 08, 2016 4:12 PM")
    assert reply.quoted and reply.quoted[0].sender.name == "Morton, John"
    result = build_threads([reply, parent])
    assert _edges(result) == {(parent.id, reply.id): "quote"}
    assert result.recovered == []
    assert len(result.threads) == 1


def test_quote_printed_in_another_half_hour_zone_still_links():
    parent = _morton_parent()
    # the reader sat in India (UTC+5:30): 21:12 UTC is 02:42 the next day
    reply = _smith_reply("Wednesday, March 09, 2016 2:42 AM")
    result = build_threads([parent, reply])
    assert _edges(result) == {(parent.id, reply.id): "quote"}


def test_quote_whose_time_fits_no_zone_does_not_link():
    parent = _morton_parent()
    reply = _smith_reply("Tuesday, March 08, 2016 4:19 PM")  # 7 minutes off any zone
    result = build_threads([parent, reply])
    assert (parent.id, reply.id) not in _edges(result)
    assert len(result.recovered) == 1
    assert result.thread_of[parent.id] != result.thread_of[reply.id]


def test_quote_from_someone_else_does_not_link():
    parent = _morton_parent()
    body = "Noted.\n\n" + _outlook_quote("Lee, Mark", "Tuesday, March 08, 2016 4:12 PM", "Smith, Jane",
                                         "Detention numbers", PARENT_TEXT)
    reply = _message(SMITH, [LEE], datetime(2016, 3, 9, 14, 2, tzinfo=UTC), "RE: Detention numbers", body,
                     "/release/smith/2.eml")
    result = build_threads([parent, reply])
    assert (parent.id, reply.id) not in _edges(result)


def test_withheld_message_quoted_by_two_replies_is_recovered_once():
    root = _morton_parent()
    withheld_text = "John,\n\nThe field office has not signed off yet; I expect it by Friday.\n\nJane"
    history = (
        _outlook_quote("Smith, Jane", "Wednesday, March 09, 2016 9:02 AM", "Morton, John",
                       "RE: Detention numbers", withheld_text)
        + "\n\n"
        + _outlook_quote("Morton, John", "Tuesday, March 08, 2016 4:12 PM", "Smith, Jane",
                         "Detention numbers", PARENT_TEXT)
    )
    first = _message(MORTON, [SMITH], datetime(2016, 3, 9, 15, 0, tzinfo=UTC), "RE: Detention numbers",
                     "Friday is too late, please push.\n\nJohn\n\n" + history, "/release/morton/2.eml")
    second = _message(LEE, [SMITH], datetime(2016, 3, 9, 16, 30, tzinfo=UTC), "RE: Detention numbers",
                      "Adding my vote for Friday.\n\nMark\n\n" + history, "/release/lee/1.eml")
    result = build_threads([second, root, first])

    assert len(result.recovered) == 1
    recovered = result.recovered[0]
    assert recovered.recovered is True
    assert recovered.sender is not None and recovered.sender.name == "Smith, Jane"
    assert recovered.subject == "RE: Detention numbers"
    assert "not signed off yet" in recovered.body
    assert sorted(s.locator for s in recovered.sources) == sorted(
        [f"quoted-in:{first.id}", f"quoted-in:{second.id}"]
    )
    assert {s.path for s in recovered.sources} == {"/release/morton/2.eml", "/release/lee/1.eml"}
    assert all(s.kind == "quote" for s in recovered.sources)
    # 09:02 printed by John in Washington; John's other quote showed UTC-5, so 14:02 UTC
    assert recovered.date == datetime(2016, 3, 9, 14, 2, tzinfo=UTC)
    assert recovered.date_status == "guessed"
    edges = _edges(result)
    assert edges[(root.id, recovered.id)] == "quote"
    assert edges[(recovered.id, first.id)] == "quote"
    assert edges[(recovered.id, second.id)] == "quote"
    assert result.graph.nodes[recovered.id]["kind"] == "recovered"
    assert len(result.threads) == 1
    assert result.threads[0].message_ids == [root.id, recovered.id, first.id, second.id]
    assert result.thread_of[recovered.id] == result.threads[0].id


def test_quote_fills_a_placeholder_with_the_recovered_message():
    withheld_text = "All,\n\nThe hearing moved to Thursday; the briefing book is due Tuesday.\n\nJohn"
    body = "Thanks, noted.\n\n" + _outlook_quote(
        "Morton, John", "Monday, March 07, 2016 10:00 AM", "Smith, Jane", "Hearing", withheld_text
    )
    reply = _message(SMITH, [MORTON], datetime(2016, 3, 7, 18, 0, tzinfo=UTC), "RE: Hearing", body,
                     "/release/smith/3.eml", message_id="r@x", references=["w@x"], in_reply_to="w@x")
    result = build_threads([reply])
    assert len(result.recovered) == 1
    recovered = result.recovered[0]
    assert recovered.message_id == "w@x"
    assert _edges(result) == {(recovered.id, reply.id): "header"}
    assert "ph:w@x" not in result.graph
    assert result.placeholders == {"w@x": [reply.id]}
    assert result.thread_of["ph:w@x"] == result.thread_of[reply.id]


# ------------------------------------------------------------------ subject, last resort


def test_recurring_subject_does_not_glue_unrelated_threads():
    week = timedelta(days=7)
    start = datetime(2016, 5, 2, 13, 0, tzinfo=UTC)
    messages = [
        _input("W1", subject="Weekly statistics", sender=MORTON, to=[SMITH], date=start),
        _input("W2", subject="Weekly statistics", sender=MORTON, to=[SMITH], date=start + week),
        # a reply form from people who share nothing with either thread
        _input("X", subject="RE: Weekly statistics", sender=LEE, to=[PARK], date=start + timedelta(days=1)),
        # the right people, but five weeks after the last message
        _input("Y", subject="RE: Weekly statistics", sender=SMITH, to=[MORTON], date=start + 6 * week),
    ]
    result = build_threads(messages)
    assert list(result.graph.edges) == []
    assert len(result.threads) == 4


def test_reply_subject_joins_only_with_shared_people_and_in_time():
    root = _input("A", subject="Site visit - Dilley", sender=MORTON, to=[SMITH],
                  date=datetime(2016, 6, 1, 14, 0, tzinfo=UTC))
    answer = _input("B", subject="RE: Site visit - Dilley", sender=SMITH, to=[MORTON],
                    date=datetime(2016, 6, 3, 9, 0, tzinfo=UTC))
    result = build_threads([answer, root])
    assert _edges(result) == {("A", "B"): "subject"}


def test_plain_subject_never_joins_by_subject():
    root = _input("A", subject="Meeting", sender=MORTON, to=[SMITH], date=datetime(2016, 6, 1, tzinfo=UTC))
    again = _input("B", subject="Meeting", sender=SMITH, to=[MORTON], date=datetime(2016, 6, 2, tzinfo=UTC))
    result = build_threads([root, again])
    assert len(result.threads) == 2


def test_subject_join_picks_the_thread_active_most_recently():
    week = timedelta(days=7)
    start = datetime(2016, 5, 2, 13, 0, tzinfo=UTC)
    one = _input("W1", subject="Weekly statistics", sender=MORTON, to=[SMITH], date=start)
    two = _input("W2", subject="Weekly statistics", sender=MORTON, to=[SMITH], date=start + week)
    reply = _input("R", subject="RE: Weekly statistics", sender=SMITH, to=[MORTON], date=start + week + timedelta(hours=3))
    result = build_threads([one, two, reply])
    assert _edges(result) == {("W2", "R"): "subject"}


# ------------------------------------------------------------------ duplicates and inclusive


def test_near_duplicates_share_one_node():
    text = "Call me at (b)(6) about the\nbudget numbers.\n\n-- \nJohn Morton\nDeputy Director"
    copy = "Call me at (b) (6)   about the budget numbers."
    a = _input("D2", text=text, subject="RE: Budget")
    b = _input("D1", text=copy, subject="Re:  Budget")
    other = _input("D3", text="Call me about something else entirely.", subject="RE: Budget")
    result = build_threads([a, b, other])
    assert result.near_duplicates == {"D2": "D1"}
    assert "D2" not in result.graph
    assert result.graph.nodes["D1"]["duplicates"] == ["D2"]
    assert result.thread_of["D2"] == result.thread_of["D1"]
    assert "D3" in result.graph


def test_different_message_ids_are_never_near_duplicates():
    a = _input("A", message_id="<a@x>", text="Thanks.")
    b = _input("B", message_id="<b@x>", text="Thanks.")
    assert build_threads([a, b]).near_duplicates == {}


def test_inclusive_marks_messages_not_carried_by_a_later_quote():
    parent = _morton_parent()
    reply = _smith_reply("Tuesday, March 08, 2016 4:12 PM")
    side = _message(LEE, [MORTON], datetime(2016, 3, 10, 9, 0, tzinfo=UTC), "RE: Detention numbers",
                    "Separate note with no quote at all.", "/release/lee/2.eml",
                    message_id="side@x")
    result = build_threads([parent, reply, side])
    assert parent.id not in result.inclusive
    assert reply.id in result.inclusive
    assert side.id in result.inclusive


# ------------------------------------------------------------------ stability and scale


def _mixed_corpus(stripped: bool = True) -> list[ThreadInput]:
    sys.path.insert(0, str(BENCH))
    from releasegen import generate_messages

    messages, _ = generate_messages(400, seed=3, stripped=stripped)
    return [thread_input(m) for m in messages]


@pytest.mark.parametrize("stripped", [True, False], ids=["stripped", "with-headers"])
def test_thread_ids_do_not_depend_on_input_order(stripped):
    inputs = _mixed_corpus(stripped)
    first = build_threads(inputs)
    shuffled = list(inputs)
    random.Random(5).shuffle(shuffled)
    second = build_threads(shuffled)
    assert [(t.id, t.message_ids, t.root) for t in first.threads] == [
        (t.id, t.message_ids, t.root) for t in second.threads
    ]
    assert first.thread_of == second.thread_of
    assert [m.id for m in first.recovered] == [m.id for m in second.recovered]
    assert sorted(first.graph.edges(data="how")) == sorted(second.graph.edges(data="how"))
    assert first.inclusive == second.inclusive
    assert all(t.id.startswith("t") and len(t.id) == 16 for t in first.threads)


def test_threads_are_ordered_by_first_date_and_messages_by_date():
    result = build_threads(_mixed_corpus())
    firsts = [t.first for t in result.threads if t.first is not None]
    assert firsts == sorted(firsts)
    for thread in result.threads:
        dates = [result.graph.nodes[n]["date"] for n in thread.message_ids if result.graph.nodes[n]["kind"] != "placeholder"]
        known = [d for d in dates if d is not None]
        assert known == sorted(known)


def test_text_similarity_tolerates_a_cut_quote_but_not_other_text():
    a = "the front office needs the revised numbers by close of business today and the field office signed off"
    assert text_similarity(a, a) == 1.0
    assert text_similarity(a, a + " thanks john") >= 0.8
    assert text_similarity(a, "completely unrelated words about a hearing next tuesday in room 301") < 0.5


def test_five_thousand_generated_messages_thread():
    sys.path.insert(0, str(BENCH))
    from releasegen import generate_messages

    messages, truth = generate_messages(5000, seed=21)
    inputs = [thread_input(m) for m in messages]
    result = build_threads(inputs)
    members = sum(len(t.message_ids) for t in result.threads)
    assert members == result.graph.number_of_nodes()
    assert nx.is_directed_acyclic_graph(result.graph)
    true_threads = len({v["thread"] for v in truth["messages"].values()})
    assert abs(len(result.threads) - true_threads) <= true_threads * 0.05


def test_pruning_a_placeholder_chain_keeps_the_real_ancestor():
    root = _input("A", message_id="<a@x>")
    reply = _input("C", message_id="<c@x>", references=["<a@x>", "<x@x>", "<y@x>"],
                   date=datetime(2016, 3, 9, tzinfo=UTC))
    result = build_threads([root, reply])
    assert set(result.graph.nodes) == {"A", "C", "ph:y@x"}
    assert _edges(result) == {("A", "ph:y@x"): "header", ("ph:y@x", "C"): "header"}
    assert result.placeholders == {"x@x": ["C"], "y@x": ["C"]}


def test_unattributed_quote_is_not_recovered():
    quote = QuotedMessage(sender=None, to=[], cc=[], date=None, date_status="missing", date_text="",
                          subject="", body="Some text someone once wrote, origin unknown.", style="angle")
    reply = _input("R", subject="RE: Budget", quoted=[quote])
    result = build_threads([reply])
    assert result.recovered == []
    assert list(result.graph.edges) == []
