"""Printed local times in a PDF release are placed in the zone the release shows it was printed in."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from foiatool.cli import cli


def test_pdf_only_messages_get_their_true_utc_time(samples, tmp_path: Path):
    db = tmp_path / "s.db"
    result = CliRunner().invoke(cli, ["index", str(samples / "dump"), str(samples / "release"), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    truth = {m["key"]: m for m in json.loads((samples / "truth.json").read_text())["messages"]}
    pdf_only = [m for m in truth.values() if m.get("in_pdf") and not m.get("in_dump")]
    assert pdf_only
    conn = sqlite3.connect(db)
    zones = json.loads(conn.execute("SELECT value FROM meta WHERE key='print_zones'").fetchone()[0])
    assert list(zones.values()) == ["America/New_York"]
    for m in pdf_only:
        rows = conn.execute(
            "SELECT m.date, m.date_status FROM messages m JOIN sources s ON s.message = m.id"
            " WHERE s.kind = 'pdf' AND m.subject = ? AND m.from_name LIKE ?",
            (m["subject"], "%" + m["sender_name"].split(",")[0] + "%"),
        ).fetchall()
        assert rows == [(m["date"], "inferred")], m["key"]
