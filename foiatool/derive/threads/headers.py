"""Pass 1, header links: Message-ID parsing and Jamie Zawinski's algorithm over References / In-Reply-To, with placeholders for absent parents."""
from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from ...mail.message_ids import message_ids_in
from .records import PLACEHOLDER_PREFIX, ThreadInput, _Node

if TYPE_CHECKING:
    from .tree import Forest



def _reference_chain(message: ThreadInput | _Node, own: str | None,
                     ids_in: Callable[[str | None], list[str]] = message_ids_in) -> list[str]:
    """The ancestors named in the headers, oldest first, ending with the parent."""
    refs: list[str] = []
    for entry in message.references or []:
        refs.extend(ids_in(entry))
    if not refs:
        # Junk In-Reply-To values put a sender's address before the Message-ID
        # ("Message from John <j@x> of ... <id@x>"); the id comes last.
        irt = ids_in(message.in_reply_to)
        if irt:
            refs = [irt[-1]]
    chain: list[str] = []
    seen: set[str] = set()
    for ref in refs:
        if ref == own or ref in seen:
            continue
        seen.add(ref)
        chain.append(ref)
    return chain




def _container(forest: Forest, message_id: str) -> str:
    owner = forest.owner.get(message_id)
    if owner is not None:
        return owner
    node_id = PLACEHOLDER_PREFIX + message_id
    if node_id not in forest.nodes:
        forest.nodes[node_id] = _Node(id=node_id, kind="placeholder", message_id=message_id)
    return node_id

def thread_by_headers(forest: Forest) -> None:
    for node in forest.order:
        mid = node.message_id
        if not mid:
            continue
        owner = forest.owner.get(mid)
        if owner is None:
            forest.owner[mid] = node.id
        else:
            conflict = forest.id_conflicts.setdefault(mid, [owner])
            conflict.append(node.id)
    for ids in forest.id_conflicts.values():
        ids.sort()
    # A Message-ID is named by every later message of its thread: read each one once.
    read: dict[str | None, list[str]] = {}

    def ids_in(entry: str | None) -> list[str]:
        found = read.get(entry)
        if found is None:
            found = read[entry] = message_ids_in(entry)
        return found

    for node in forest.order:
        if not node.from_input:
            continue
        chain = _reference_chain(node, node.message_id, ids_in)
        if not chain:
            continue
        for ref in chain:
            if ref not in forest.owner:
                forest.placeholders.setdefault(ref, []).append(node.id)
        containers = [_container(forest, ref) for ref in chain]
        for older, newer in pairwise(containers):
            if newer != node.id and newer not in forest.parent:
                forest.link(older, newer, "header")
        parent = containers[-1]
        if parent != node.id and forest.parent.get(node.id) != parent:
            forest.link(parent, node.id, "header")
    for refs in forest.placeholders.values():
        refs.sort()

def prune_placeholders(forest: Forest) -> None:
    """Drop placeholders that neither stand for a message's missing parent nor join branches."""
    pending = sorted(n for n, v in forest.nodes.items() if v.kind == "placeholder")
    while pending:
        node_id = pending.pop()
        if node_id not in forest.nodes or forest.nodes[node_id].kind != "placeholder":
            continue
        kids = forest.children.get(node_id, [])
        has_message_child = any(forest.nodes[k].kind != "placeholder" for k in kids)
        if has_message_child or len(kids) >= 2:
            continue
        grand = forest.parent.get(node_id)
        for kid in list(kids):
            forest.unlink(kid)
            if grand is not None:
                forest.link(grand, kid, forest.how.get(node_id, "header"))
            pending.append(kid)
        forest.unlink(node_id)
        forest.children.pop(node_id, None)
        del forest.nodes[node_id]
        if grand is not None:
            pending.append(grand)
