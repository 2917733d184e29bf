"""A subject query's hits are marked in Python, without reading the full-text rows: the marks must be
FTS5's own. Checked against FTS5's highlight() on real subjects and on hand-made edge cases."""
from __future__ import annotations

import random
import re
import sqlite3
from itertools import pairwise
from pathlib import Path

import pytest

from foiatool.index.search import search_briefs
from foiatool.index.store import SCHEMA

EDGE_SUBJECTS = [
    "Weekly report", "RE: weekly weekly report", "FW: Re: re: week-ly e-mail (b)(6)", "weekly_report v2.0",
    "WEEKLYREPORT", "report weekly report weekly", "Re: Re: Re: Re: [list] detainer statistics 2014-05-01",
    "e-mail e-mail mail", "  leading and trailing  ", "a a a a", "x1 x12 x123 1x", "Schön weekly café", "naïve report",
    "Résumé: the weekly résumé", "tab\tseparated\tweekly", "", "b 6 (b)(6) b6",
]
EDGE_QUERIES = [
    "subject:weekly", "subject:week*", "subject:WEEKLY", 'subject:"weekly report"', "subject:report subject:weekly",
    'subject:"e-mail"', "subject:mail", 'subject:"a a"', 'subject:"a a a"', "subject:x1*", "subject:x1",
    'subject:"(b)(6)"', "subject:6", 'subject:"re re"', "subject:re*", "subject:report AND subject:weekly",
    'subject:"weekly report" subject:report', "subject:weekly_report", "subject:2014*", "subject:caf*",
]


def _edge_index(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "edge.db")
    conn.executescript(SCHEMA)
    for n, subject in enumerate(EDGE_SUBJECTS, 1):
        conn.execute("INSERT INTO messages (rowid, id, subject) VALUES (?, ?, ?)", (n, f"m{n:03}", subject))
        conn.execute("INSERT INTO messages_fts (rowid, id, subject, sender, recipients, body)"
                     " VALUES (?, ?, ?, '', '', 'the weekly body')", (n, f"m{n:03}", subject))
    return conn


@pytest.mark.parametrize("query", EDGE_QUERIES)
def test_marks_equal_fts5s_on_edge_cases(tmp_path: Path, query: str) -> None:
    conn = _edge_index(tmp_path)
    here = search_briefs(conn, query)
    fts5 = search_briefs(conn, query, mark_here=False)
    assert here == fts5
    assert all("«" in brief["snippet"] for brief in here)


def test_the_edge_cases_hit_the_cases_they_stand_for(tmp_path: Path) -> None:
    conn = _edge_index(tmp_path)
    snippets = {b["subject"]: b["snippet"] for b in search_briefs(conn, 'subject:"a a"')}
    assert snippets["a a a a"] == "«a a a a»"  # overlapping places are one mark
    snippets = {b["subject"]: b["snippet"] for b in search_briefs(conn, "subject:weekly")}
    assert snippets["RE: weekly weekly report"] == "RE: «weekly» «weekly» report"  # side by side: two
    assert snippets["Schön weekly café"] == "Schön «weekly» café"  # not ASCII: marked by FTS5
    assert "weekly_report v2.0" in snippets  # the underscore separates words


@pytest.fixture(scope="module")
def ham(ham_db: Path) -> sqlite3.Connection:
    return sqlite3.connect(ham_db)


def _real_queries(conn: sqlite3.Connection) -> list[str]:
    """Words, prefixes, phrases and pairs taken from the corpus's own subjects, seeded."""
    subjects = [r[0] for r in conn.execute("SELECT subject FROM messages ORDER BY id")]
    words = sorted({w for s in subjects for w in re.findall(r"[A-Za-z0-9]+", s) if s.isascii()})
    pairs = sorted({" ".join(m) for s in subjects if s.isascii()
                    for m in pairwise(s.split())})
    rng = random.Random(14)
    queries = [f"subject:{w}" for w in rng.sample(words, 60)]
    queries += [f"subject:{w[:3]}*" for w in rng.sample(words, 20)]
    queries += ['subject:"' + p.replace('"', "") + '"' for p in rng.sample(pairs, 40)]
    queries += [f"subject:{a} subject:{b}" for a, b in zip(rng.sample(words, 20), rng.sample(words, 20), strict=True)]
    return queries


def test_marks_equal_fts5s_on_real_subjects(ham: sqlite3.Connection) -> None:
    queries = _real_queries(ham)
    hits = 0
    for query in queries:
        here = search_briefs(ham, query)
        assert here == search_briefs(ham, query, mark_here=False), query
        hits += len(here)
    assert hits > 1000
