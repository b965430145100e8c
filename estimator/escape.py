"""Untrusted text (names, labels, server arguments, error messages from apps, anything read
from a results store someone else wrote) made inert for each output. One function per output;
every place that puts data into that output calls it:

- `rich_text`: the terminal (rich markup: `[bold]`, `[/]`, `[link=…]`); also drops control
  characters, so an app's error message can't move the cursor or retitle the terminal.
- `markdown_text`: Markdown reports (GitHub/CommonMark): no raw HTML, no image, no link, no
  emphasis or heading from data; `|` and newlines can't break a table row.
- `streamlit_text`: text the dashboard passes to a Markdown-rendering element (`st.markdown`,
  `st.caption`, `st.error`, expander and metric labels): the above, plus Streamlit's own
  syntax (`:color[…]`, `:material/…:`, `$LaTeX$`).
- `csv_cell`: a CSV text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
  carriage return first) gets a leading `'` (OWASP's advice).
- `html_text`: HTML element content and attribute values.

All are pure functions of a string: any other output layer (the report/terminal/dashboard
views) calls them on each piece of data, never on text it composed itself.
"""

from __future__ import annotations

import html
import re

from rich import markup

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_ESCAPE = frozenset("\\`*_[]|~$@!")
_MD_LINKISH = re.compile(r"(?i)(\w)(:(?=/)|\.(?<=www\.))")
_MD_BLOCK = re.compile(r"^(\s*|\s*\d{1,9})([#+=*-]|(?<=\d)[.)])(?=\s|$)")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def plain_text(text: object) -> str:
    """Printable text: control characters (ESC, BEL, NUL, CR…) dropped, a tab as a space; line
    feeds are kept (each output decides what a line break may do)."""
    s = str(text).replace("\r\n", "\n").replace("\t", " ")
    return _CONTROL.sub("", s)


def rich_text(text: object) -> str:
    """`text` shown as it is by rich (no markup), without control characters."""
    return markup.escape(plain_text(text))


def markdown_text(text: object) -> str:
    """`text` as literal Markdown inline content (GitHub/CommonMark): `<`, `>` and `&` become
    entities (no raw HTML, no `<http://…>` autolink); the characters of emphasis, code, links
    and images, tables, strikethrough, maths and e-mail autolinks are backslash-escaped, as are
    `://` and `www.` (no bare URL is linkified) and a block marker at the start (`#`, `-`, `1.`);
    line breaks become spaces, so a table row or list item stays one."""
    s = " ".join(plain_text(text).split("\n"))
    out = []
    for i, ch in enumerate(s):
        if ch in _MD_ENTITIES:
            out.append(_MD_ENTITIES[ch])
        elif ch == "_" and 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum():
            out.append(ch)  # inside a word (`flask_shop`): never emphasis
        elif ch in _MD_ESCAPE:
            out.append("\\" + ch)
        else:
            out.append(ch)
    s = "".join(out)
    s = _MD_LINKISH.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
    return _MD_BLOCK.sub(lambda m: m.group(1) + "\\" + m.group(2), s, count=1)


def streamlit_text(text: object) -> str:
    """`text` for a Streamlit element that renders Markdown: `markdown_text` (which already
    escapes `:`, `[`, `$`…) so no image, link, HTML, colour directive, icon or formula comes
    from data."""
    return markdown_text(text)


def csv_cell(text: object) -> str:
    """A CSV text cell that no spreadsheet evaluates: a leading `=`, `+`, `-`, `@`, tab or
    line break gets a `'` in front (shown as text; the value stays readable). A plain number
    ('-12.50') stays as it is."""
    s = str(text)
    if s.startswith(_FORMULA_START) and not _NUMBER.match(s):
        return "'" + s
    return s


def csv_comment(text: object) -> str:
    """A `# …` comment line of a CSV file, still one line and one the spreadsheet can't run:
    a spreadsheet splits it at commas, so every piece after a comma is made inert like a cell
    (a quote that would open a multi-line field becomes an apostrophe)."""
    first, *rest = " ".join(plain_text(text).split()).replace('"', "'").split(",")
    return ",".join([first, *(_inert_piece(p) for p in rest)])


def _inert_piece(piece: str) -> str:
    stripped = piece.lstrip()
    if stripped.startswith(_FORMULA_START):
        return piece[: len(piece) - len(stripped)] + "'" + stripped
    return piece


def html_text(text: object) -> str:
    """HTML-escaped text (element content or a quoted attribute value)."""
    return html.escape(plain_text(text), quote=True)


__all__ = [
    "csv_cell",
    "csv_comment",
    "html_text",
    "markdown_text",
    "plain_text",
    "rich_text",
    "streamlit_text",
]
