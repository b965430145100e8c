"""Parse the /report page into what a reader sees: title, heading, table rows, summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Report:
    title: str = ""
    heading: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    summary: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.report = Report()
        self._stack: list[str] = []
        self._cells: list[str] | None = None
        self._text: list[str] = []
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)
        if tag == "tr":
            self._cells = []
        elif tag in ("td", "th", "title", "h1"):
            self._text = []
        elif tag == "p" and ("id", "summary") in attrs:
            self._in_summary, self._text = True, []

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text).strip()
        if tag in ("td", "th") and self._cells is not None:
            self._cells.append(text)
        elif tag == "tr" and self._cells is not None:
            if "tbody" in self._stack:
                self.report.rows.append(self._cells)
            else:
                self.report.header = self._cells
            self._cells = None
        elif tag == "title":
            self.report.title = text
        elif tag == "h1":
            self.report.heading = text
        elif tag == "p" and self._in_summary:
            self.report.summary, self._in_summary = text, False
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def parse_report(html: str) -> Report:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.report
