"""Turning an HTML mail body into readable plain text, tolerant of the broken HTML that mail clients write."""
from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never shown to a reader of the mail.
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "svg", "xml"})
# Elements that start and end on their own line.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "html", "body", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "thead", "tfoot", "tr", "ul", "caption",
})
_CELLS = frozenset({"td", "th"})
# Void elements never get an end tag; a stray </br> is treated as <br>.
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"})

_SPACES = re.compile(r"[ \t\f\v\r\u00a0]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden_depth = 0
        self.pre_depth = 0
        self.lists: list[list[int | None]] = []  # per open list: [next number or None for bullets]
        self.link_stack: list[tuple[str, int]] = []  # (href, chunk index where the link text starts)

    def _newline(self, count: int = 1) -> None:
        self.chunks.append("\n" * count)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _HIDDEN:
            self.hidden_depth += 1
            return
        if self.hidden_depth:
            return
        if tag == "br":
            self._newline()
        elif tag == "hr":
            self.chunks.append("\n----\n")
        elif tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else None])
            self._newline()
        elif tag == "li":
            self._newline()
            indent = "  " * max(0, len(self.lists) - 1)
            if self.lists and self.lists[-1][0] is not None:
                number = self.lists[-1][0]
                self.chunks.append(f"{indent}{number}. ")
                self.lists[-1][0] = number + 1
            else:
                self.chunks.append(f"{indent}- ")
        elif tag in _CELLS:
            self.chunks.append("\t")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.link_stack.append((href.strip(), len(self.chunks)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.chunks.append(alt)
        elif tag in _BLOCKS:
            if tag == "pre":
                self.pre_depth += 1
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() in _VOID or tag.lower() in _HIDDEN:
            self.handle_starttag(tag, attrs)
            if tag.lower() in _HIDDEN:
                self.handle_endtag(tag)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
            return
        if self.hidden_depth:
            return
        if tag == "br":
            self._newline()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline()
        elif tag == "li":
            pass  # the next item starts its own line
        elif tag == "a":
            if self.link_stack:
                href, start = self.link_stack.pop()
                text = "".join(self.chunks[start:]).strip()
                if href and not href.lower().startswith(("javascript:", "#", "cid:")):
                    shown = href[7:] if href.lower().startswith("mailto:") else href
                    if shown and shown != text and href != text:
                        self.chunks.append(f" <{shown}>")
        elif tag in _BLOCKS:
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            self._newline(2 if tag in ("p", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6") else 1)

    def handle_data(self, data: str) -> None:
        if self.hidden_depth:
            return
        if self.pre_depth:
            self.chunks.append(data)
        else:
            # Outside <pre>, source line breaks are just spaces to a browser.
            self.chunks.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: hidden parts dropped, blocks on their own lines, links kept.

    Never raises on malformed markup; whatever the parser could not make sense of
    is kept as text rather than lost.
    """
    if not html:
        return ""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # html.parser is tolerant, but a reader of hostile input never crashes
        return _tidy(re.sub(r"<[^>]*>", " ", html))
    return _tidy("".join(collector.chunks))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    joined = "\n".join(lines)
    return _BLANK_RUNS.sub("\n\n", joined).strip()
