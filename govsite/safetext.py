"""Neutralising text that departments write, for every place it is shown.

Everything a project file says is untrusted: a name or a summary can carry Markdown, HTML, terminal
escape sequences or GitHub workflow commands. This module owns making such text inert, once per kind
of output, so no reporter or template has to remember how:

- `escape_markdown` / `escape_block`: for Markdown pages (the site) and the GitHub step summary.
- `for_terminal`: for the text reporter and CI logs; no control or invisible formatting character
  reaches a terminal.
- `github_data` / `github_property`: for the values of GitHub workflow commands (annotations), as
  GitHub documents their escaping.

`escape_markdown`'s output is a single line in which every ASCII punctuation character is an HTML
character reference (`<` → `&lt;`, `|` → `&#124;`, `[` → `&#91;` …). Markdown gives meaning only to
ASCII punctuation and to line structure, so such text cannot open a link, a tag, an emphasis, a
table cell, a heading, a list or an attribute list, whatever extension is enabled; and HTML shows the
references as the characters they stand for. The same output is safe as HTML text (page titles are
written raw by the theme), which is why one function serves both.

Line structure is removed: runs of whitespace (newlines included) become one space and leading and
trailing spaces go, so the text cannot start an indented code block or end a table row. Control
characters and bidirectional-override characters are dropped: they have no business in a public
page and can make text read differently from what it is.

`escape_block` keeps a little structure for longer texts (summaries, article text): blank lines
separate paragraphs, a line break inside a paragraph stays a line break, and lines starting with
"- " become list items. Every line's text still goes through `escape_markdown`.
"""

from __future__ import annotations

import re
import string
import unicodedata

_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_PUNCTUATION = {ord(c): _NAMED.get(c, f"&#{ord(c)};") for c in string.punctuation}

# Whitespace that can end or indent a line in Markdown or HTML. The ideographic space (U+3000) and
# the no-break space are kept: they are ordinary characters to Markdown.
_BREAKING_SPACE = re.compile(r"[ \t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
_BIDI = {ord(c): None for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"}
_KEPT_SPACE = frozenset(" \t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")
_LIST_ITEM = re.compile(r"^\s*[-*•·]\s+")


class Md(str):
    """Text already fit to stand in a Markdown page; templates may output nothing else."""

    __slots__ = ()


def _drop_controls(text: str) -> str:
    text = text.translate(_BIDI)
    if text.isprintable():
        return text
    return "".join(c for c in text if c.isprintable() or c in _KEPT_SPACE or unicodedata.category(c) == "Zs")


def escape_markdown(text: object) -> Md:
    """One line of department text as inert Markdown (see the module docstring)."""
    if isinstance(text, Md):
        return text
    value = _BREAKING_SPACE.sub(" ", _drop_controls(str(text))).strip(" ")
    return Md(value.translate(_PUNCTUATION))


def escape_block(text: object) -> Md:
    """Several paragraphs of department text: paragraphs, line breaks and "- " lists kept, all escaped."""
    if isinstance(text, Md):
        return text
    lines = _drop_controls(str(text)).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append("<br>\n".join(paragraph))
            paragraph.clear()
        if items:
            blocks.append("\n".join(items))
            items.clear()

    for line in lines:
        if not line.strip():
            close()
            continue
        marker = _LIST_ITEM.match(line)
        if marker:
            if paragraph:
                close()
            items.append("- " + escape_markdown(line[marker.end() :]))
        else:
            if items:
                close()
            paragraph.append(escape_markdown(line))
    close()
    return Md("\n\n".join(block for block in blocks if block.strip()))


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object) -> str:
    """One line of text fit for a terminal or a CI log: every control, format (bidi, zero-width)
    and line-separating character is shown as a visible escape such as `\\x1b`, so a value can
    neither colour, move or clear the terminal nor start a new line of its own."""
    value = str(text)
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() or unicodedata.category(c) == "Zs" else _visible(c) for c in value)


def github_data(text: str) -> str:
    """The message of a GitHub workflow command, escaped as GitHub documents (`%`, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value (file=, title=) of a workflow command: also `:` and `,`."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")
