"""The threads as results: recovered copies folded, components and thread ids, inclusive flags and the graph."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import networkx as nx

from ...model import Message
from ..dedupe import folded_text, strip_reply_prefixes
from .records import (
    _INCLUSIVE_ALL_PAIRS_LIMIT,
    Thread,
    ThreadingResult,
    _descendants,
    _Node,
    _reaches,
    _Text,
)
from .recovery import finalise_recovered

if TYPE_CHECKING:
    from ...mail.quoting import QuotedMessage
    from .tree import Forest


def finish(forest: Forest) -> ThreadingResult:
    recovered_messages = finalise_recovered(forest)
    # Two quotes recovered into identical content (or into a real message's) cannot both keep
    # one id: the later folds into the first and adds its sources.
    final_of: dict[str, str] = {}
    folded: set[str] = set()
    messages_by_id: dict[str, Message] = {}
    for node, msg in recovered_messages:
        final_of[node.id] = msg.id
        node.date, node.date_status = msg.date, msg.date_status
        if msg.id in messages_by_id or msg.id in forest.nodes:
            folded.add(node.id)
            keeper = messages_by_id.get(msg.id)
            if keeper is not None:
                keeper.sources.extend(s for s in msg.sources if s not in keeper.sources)
            continue
        messages_by_id[msg.id] = msg

    def final(node_id: str) -> str:
        return final_of.get(node_id, node_id)

    nodes_by_final: dict[str, _Node] = {}
    for node_id, node in forest.nodes.items():
        nodes_by_final.setdefault(final(node_id), node)
    final_parent: dict[str, str] = {}
    how_of: dict[str, str] = {}
    for child, parent in forest.parent.items():
        a, b = final(parent), final(child)
        if a == b or b in final_parent:
            continue
        if (parent in folded or child in folded) and _reaches(final_parent, a, b):
            continue  # folding two recovered copies together must not close a loop
        final_parent[b] = a
        how_of[b] = forest.how.get(child, "header")

    root_of: dict[str, str] = {}
    for fid in nodes_by_final:
        path = []
        node_id = fid
        while node_id not in root_of and node_id in final_parent:
            path.append(node_id)
            node_id = final_parent[node_id]
        top = root_of.get(node_id, node_id)
        root_of[node_id] = top
        for step in path:
            root_of[step] = top
    components: dict[str, list[str]] = {}
    for fid in nodes_by_final:
        components.setdefault(root_of[fid], []).append(fid)

    threads: list[Thread] = []
    thread_of: dict[str, str] = {}
    # placeholders last, then by date (undated after dated), then by id
    order_key = {
        fid: (node.kind == "placeholder", node.date is None, node.date.timestamp() if node.date else 0.0, fid)
        for fid, node in nodes_by_final.items()
    }
    for root, component in components.items():
        ordered = sorted(component, key=order_key.__getitem__)
        dated = [d for n in ordered if (d := nodes_by_final[n].date) is not None]
        first_real = next((nodes_by_final[n] for n in ordered if nodes_by_final[n].kind != "placeholder"), None)
        root_node = nodes_by_final[root]
        subject_source = root_node if root_node.kind != "placeholder" else first_real
        thread = Thread(
            id="t" + hashlib.sha256(root.encode("utf-8", "surrogatepass")).hexdigest()[:15],
            message_ids=ordered,
            root=root,
            subject=_display_subject(subject_source.subject if subject_source else ""),
            first=min(dated) if dated else None,
            last=max(dated) if dated else None,
        )
        threads.append(thread)
        for n in ordered:
            thread_of[n] = thread.id
    threads.sort(key=lambda t: (t.first is None, t.first.timestamp() if t.first else 0.0, t.id))
    for duplicate, canonical in forest.near_duplicates.items():
        thread_of[duplicate] = thread_of[canonical]
    for placeholder, target in forest.absorbed_placeholders.items():
        thread_of[placeholder] = thread_of[final(target)]
    inclusive = _inclusive(final_parent, threads, nodes_by_final)
    _release_texts(forest)

    graph = nx.DiGraph()
    duplicates: dict[str, list[str]] = {}
    for duplicate, canonical in sorted(forest.near_duplicates.items()):
        duplicates.setdefault(canonical, []).append(duplicate)
    graph.add_nodes_from(
        (
            fid,
            {
                "kind": node.kind,
                "date": node.date,
                "date_status": node.date_status,
                "subject": node.subject,
                "sender": node.sender.label() if node.sender else "",
                "message_id": node.message_id,
                "duplicates": duplicates.get(fid, []),
            },
        )
        for fid, node in nodes_by_final.items()
    )
    graph.add_edges_from((a, b, {"how": how_of[b]}) for b, a in final_parent.items())
    return ThreadingResult(
        graph=graph,
        threads=threads,
        thread_of=thread_of,
        recovered=[messages_by_id[k] for k in sorted(messages_by_id)],
        placeholders={k: forest.placeholders[k] for k in sorted(forest.placeholders)},
        near_duplicates=dict(sorted(forest.near_duplicates.items())),
        id_conflicts={k: forest.id_conflicts[k] for k in sorted(forest.id_conflicts)},
        inclusive=inclusive,
    )



def _release_texts(forest: Forest) -> None:
    """Texts and quotes are done with once threads and inclusive flags are known: let them go
    before the graph is built, so the two are never held at once."""
    empty = _Text("")
    for node in forest.nodes.values():
        node.text = empty
        node.quoted = []
        node.level_texts = None

def _inclusive(parent_of: dict[str, str], threads: list[Thread], nodes: dict[str, _Node]) -> set[str]:
    """Messages whose own text no later message of the thread carries in its quoted history."""
    inclusive: set[str] = set()
    children_of: dict[str, list[str]] | None = None
    # Folded quotes are made one thread at a time and dropped after it.
    folds: dict[str, str] = {}

    def level_fold(quote: QuotedMessage) -> str:
        body = quote.body or ""
        fold = folds.get(body)
        if fold is None:
            fold = folds[body] = folded_text(body)
        return fold

    for thread in threads:
        members = [n for n in thread.message_ids if nodes[n].kind == "message"]
        if len(members) == 1:
            inclusive.add(members[0])
            continue
        folds.clear()
        big = len(members) > _INCLUSIVE_ALL_PAIRS_LIMIT
        # A quote that is exactly the text, as written, settles most messages without
        # folding or a substring search.
        last_quoted_raw: dict[str, int] = {}
        for position, node_id in enumerate(members):
            for quote in nodes[node_id].quoted:
                last_quoted_raw[quote.body or ""] = position
        for position, node_id in enumerate(members):
            node = nodes[node_id]
            if not big:
                if position == len(members) - 1:
                    inclusive.add(node_id)  # nothing comes later to carry it
                    continue
                if not node.text.blank and last_quoted_raw.get(node.text.raw, -1) > position:
                    continue
            text = node.text.fold
            bare_forward = not text
            if bare_forward:
                # A forward without a word of its own: its content is what it forwards.
                text = " ".join(level_fold(q) for q in node.quoted)
            if not text:
                inclusive.add(node_id)
                continue
            if big:
                if children_of is None:
                    children_of = {}
                    for child, parent in parent_of.items():
                        children_of.setdefault(parent, []).append(child)
                later = [nodes[d] for d in _descendants(children_of, node_id) if d in nodes and nodes[d].kind == "message"]
            else:
                later = [nodes[n] for n in members[position + 1:]]
            if not _carried_by(later, text, bare_forward, level_fold):
                inclusive.add(node_id)
    return inclusive




def _holds(level: str, text: str) -> bool:
    """Whether a quoted level is this text (allowing a trimmed or lightly extended quote)."""
    if level == text:
        return True
    if not level:
        return False
    # Lengths first: the substring search is the costly part, and it only counts within 80%.
    if len(text) <= len(level):
        return len(text) >= 0.8 * len(level) and text in level
    return len(level) >= 0.8 * len(text) and level in text


def _carried_by(later: list[_Node], text: str, whole_history: bool,
                level_fold: Callable[[QuotedMessage], str]) -> bool:
    """Whether a later message's quoted history carries this text; nearest levels are tried first."""
    for other in later:
        if other.quoted and _holds(level_fold(other.quoted[0]), text):
            return True
    for other in later:
        for quote in other.quoted[1:]:
            if _holds(level_fold(quote), text):
                return True
    if whole_history:
        for other in later:
            if len(other.quoted) > 1:
                whole = " ".join(level_fold(q) for q in other.quoted)
                if _holds(whole, text):
                    return True
    return False


def _display_subject(subject: str) -> str:
    return strip_reply_prefixes(subject or "")
