"""One message, one row: a quoted, truncated, OCR-damaged copy of a printed original in the same release is that original."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import foiatool_exe

from foiatool.derive.dedupe import ocr_contained, ocr_same_words

# Two documents of the State Department's Clinton release (F-2014-20439, C05766717 and
# C05766725), shortened. The first prints Sullivan's message as its top message, with OCR
# damage ("DecIan", "SullivanJJ©state.gov", "Subject" without its colon); the second, half an
# hour later, quotes it under H's reply, cut after its first paragraph.
ORIGINAL = """\
       UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05766717 Date: 08/31/2015




                                                                                                      RELEASE IN FULL



From:                             Sullivan, Jacob J <SullivanJJ\u00a9state.gov>
Sent:                             Sunday, January 31, 2010 11:57 AM
To:                               H
Subject                           DecIan



Interesting observations from DecIan:

Foster was a critical component in the talks apparently. However there is already speculation that PR may use this
moment to try to come back early and resume position of FM given that the other investigations have been delayed
pending the outcome of the police investigation. He went to London with his family yesterday to visit his wife, who is in
a clinic there apparently.

Empey still not on board apparently so the "community confidence" round may be used to put pressure on him to do so.




       UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05766717 Date: 08/31/2015
"""

QUOTING = """\
     UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05766725 Date: 08/31/2015




                                                                                                      RELEASE IN FULL


From:                             Sullivan, Jacob J <SullivanJJ@state.gov>
Sent:                             Sunday, January 31, 2010 12:30 PM
To:
Subject:                          Re: Declan



Got readout from ops -- will be prepared.



     Original Message ---
From: H <HDR22@clintonemail.com>
To: Sullivan, Jacob J
Sent: Sun Jan 31 12:13:00 2010
Subject: Re: Declan

Have you seen the memcon of my T/C w Shaun? Pls review so we can be prepared tomorrow.

    Original Message
From: Sullivan, Jacob J <SullivanJJ@state.gov>
To: H
Sent: Sun Jan 31 11:56:43 2010
Subject: Declan

Interesting observations from Declan:

Foster was a critical component in the talks apparently. However there is already speculation that PR may use this
moment to try to come back early and resume position of FM given that the other investigations have been delayed




     UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05766725 Date: 08/31/2015
"""


def _foiatool(*args: object) -> str:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([str(foiatool_exe()), *map(str, args)], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _messages(tmp_path: Path, files: dict[str, str]) -> list[dict]:
    folder = tmp_path / "release"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "index.sqlite"
    _foiatool("index", folder, "--db", db, "-q", "-j", "1")
    threads = json.loads(_foiatool("threads", "--db", db, "--format", "json"))
    return [m for t in threads for m in t["messages"]]


def _observations(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["subject"].lower().replace("i", "l").endswith("declan")
            and not m["subject"].lower().startswith("re")]


def test_quoted_copy_of_a_printed_original_is_the_original(tmp_path: Path) -> None:
    messages = _messages(tmp_path, {"C05766717.txt": ORIGINAL, "C05766725.txt": QUOTING})
    rows = _observations(messages)
    # one row: the printed original, no recovered copy from the quote
    assert len(rows) == 1, [(m["subject"], m["recovered"], m["date"]) for m in rows]
    original = rows[0]
    assert original["recovered"] is False
    assert original["subject"] == "DecIan"
    assert not any(m["recovered"] and m["from"] and "Sullivan" in (m["from"]["name"] or "") for m in messages)
    # the quote links H's reply (recovered: it is printed only as a quote) to the original
    by_id = {m["id"]: m for m in messages}
    h_reply = [m for m in messages if m["subject"] == "Re: Declan" and m["from"]["email"].lower() == "hdr22@clintonemail.com"]
    assert len(h_reply) == 1 and h_reply[0]["recovered"] is True
    assert h_reply[0]["parent"] == original["id"]
    top = [m for m in messages if m["subject"] == "Re: Declan" and not m["recovered"]]
    assert len(top) == 1 and by_id[top[0]["parent"]] is h_reply[0]
    assert len({m["thread"] for m in messages}) == 1


def test_without_the_original_the_quote_is_recovered(tmp_path: Path) -> None:
    messages = _messages(tmp_path, {"C05766725.txt": QUOTING})
    rows = _observations(messages)
    assert len(rows) == 1 and rows[0]["recovered"] is True
    assert rows[0]["subject"] == "Declan"


def test_another_message_of_the_same_person_and_day_is_not_the_original(tmp_path: Path) -> None:
    # The same header, another text: the quote is a message of its own, and stays recovered.
    start = ORIGINAL.index("Interesting")
    end = ORIGINAL.index("\n\n\n\n\n", start)
    other = ORIGINAL[:start] + "Call sheet for tomorrow attached; the Irish embassy confirmed the time." + ORIGINAL[end:]
    assert "Foster" not in other and "Call sheet" in other
    messages = _messages(tmp_path, {"C05766717.txt": other, "C05766725.txt": QUOTING})
    rows = _observations(messages)
    assert sorted(m["recovered"] for m in rows) == [False, True]


def test_ocr_comparisons() -> None:
    assert ocr_same_words("declan", "decian")
    assert ocr_same_words("abedinh@state.goy", "abedinh@state.gov")
    assert not ocr_same_words("hdr22@clintonemail.com", "hrod17@clintonemail.com")
    assert not ocr_same_words("john", "joan")  # too short to call a changed letter damage
    assert ocr_contained("interesting observations from declan foster was a critical",
                         "interesting observations from decian foster was a critical component in the talks")
    assert not ocr_contained("the leaking of classified material is a breach", "fyi")
