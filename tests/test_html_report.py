"""The static HTML report, read back with Python's HTML and XML parsers: self-contained, no scripts, escaped text, SVG charts."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_cli_commands import index_samples, invoke, run_exe


class Page(HTMLParser):
    """Every start tag with its attributes, the ids, and the raw SVG blocks of one page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()
        self.svgs = [text[i:text.index("</svg>", i) + 6] for i in _starts(text, "<svg")]

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}


def _starts(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index_samples(tmp_path_factory)


@pytest.fixture(scope="module")
def page(db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("html") / "report.html"
    proc = run_exe("report", "--db", str(db), "-f", "html", "-o", str(out), "--title", "Secure <Communities>")
    assert proc.returncode == 0, proc.stderr
    return out.read_text(encoding="utf-8")


def test_one_page_with_no_script_and_nothing_from_elsewhere(page: str) -> None:
    parsed = Page(page)
    names = [t for t, _ in parsed.tags]
    assert "script" not in names and "iframe" not in names and "object" not in names
    assert "<script" not in page.lower()
    for tag, attrs in parsed.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for key in ("src", "href"):
            if key in attrs:
                assert attrs[key].startswith("#"), (tag, attrs)  # only links inside the page
    assert 'http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    # The title is escaped, not a tag.
    assert "<title>Secure &lt;Communities&gt;</title>" in page
    assert "communities" not in names


def test_sections_and_every_internal_link_lands(page: str, db: Path) -> None:
    parsed = Page(page)
    ids = parsed.ids()
    assert {"summary", "timeline", "redactions", "people", "gaps", "threads", "sources"} <= ids
    for _, attrs in parsed.tags:
        if "href" in attrs:
            assert attrs["href"][1:] in ids, attrs["href"]
    threads = invoke("threads", "--db", str(db), "-f", "ids").stdout.split()
    assert all(f"thread-{t}" in ids for t in threads)
    messages = invoke("messages", "--db", str(db), "-f", "ids").stdout.split()
    # Each message: its article, its entry under Sources, and a link from one to the other.
    for mid in messages:
        assert f"msg-{mid}" in ids and f"src-{mid}" in ids


def test_counts_are_the_release_counts(page: str, db: Path) -> None:
    counts = json.loads(invoke("summary", "--db", str(db), "-f", "json").stdout)["counts"]
    assert f"<td>Distinct messages</td><td class=\"n\">{counts['distinct']}</td>" in page
    assert f"<td>Messages</td><td class=\"n\">{counts['messages']}</td>" in page


def test_svg_charts_are_well_formed_with_a_bar_per_month_and_per_code(page: str, db: Path) -> None:
    svgs = Page(page).svgs
    assert len(svgs) == 2
    months = json.loads(invoke("summary", "--db", str(db), "-f", "json").stdout)["monthly"]
    timeline = ET.fromstring(svgs[0])
    ns = "{http://www.w3.org/2000/svg}"
    assert timeline.tag == f"{ns}svg"
    bars = timeline.findall(f"{ns}rect")
    assert [b.find(f"{ns}title").text for b in bars] == [f"{m['month']}: {m['messages']}" for m in months]
    codes = json.loads(invoke("redactions", "--db", str(db), "--by", "code", "-f", "json").stdout)
    redaction_bars = ET.fromstring(svgs[1]).findall(f"{ns}rect")
    assert len(redaction_bars) == len(codes)


def test_citations_are_relative_to_the_dump(page: str) -> None:
    assert str(Path(__file__).resolve().parents[1]) not in page
    assert "quoted-in:" not in page
    assert "release/ICE-2011-FOIA-000123.pdf, pages 1-3 (Bates ICE-2011-FOIA-000101 to ICE-2011-FOIA-000103)" in page
    assert "quoted in dump/" in page


PAYLOAD_SUBJECT = '<script>alert(1)</script> "quoted" & <img src=http://evil.example/x onerror=alert(2)>'


def test_text_from_the_mail_is_escaped(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "a.eml").write_bytes(
        b"From: \"<b onmouseover=alert(3)>Eve</b>\" <eve@example.org>\r\nTo: bob@example.org\r\n"
        b"Subject: " + PAYLOAD_SUBJECT.encode() + b"\r\nDate: Tue, 1 Mar 2011 10:00:00 +0000\r\n"
        b"Message-ID: <a1@example.org>\r\n\r\nHello </pre><script>alert(4)</script>\r\n<a href=\"javascript:alert(5)\">x</a>\r\n")
    db = tmp_path / "x.db"
    assert run_exe("index", str(dump), "--db", str(db)).returncode == 0
    out = tmp_path / "r.html"
    proc = run_exe("report", "--db", str(db), "-f", "html", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    parsed = Page(page)
    assert not any(t in ("script", "img", "b") for t, _ in parsed.tags)
    assert all(not any(k.startswith("on") for k in a) for _, a in parsed.tags)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;/pre&gt;&lt;script&gt;alert(4)" in page
    assert "javascript:" not in "".join(a.get("href", "") for _, a in parsed.tags)
    # The subject reads as written once the page is parsed.
    assert any(PAYLOAD_SUBJECT in chunk for chunk in parsed.text)


def test_html_and_split_together_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    proc = run_exe("report", "--db", str(db), "-f", "html", "--split", str(tmp_path / "d"))
    assert proc.returncode == 2 and b"--split" in proc.stderr
    assert not (tmp_path / "d").exists()
