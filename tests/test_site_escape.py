"""The one escaping function for department text, against hostile inputs.

Each input is escaped, placed where pages place department text (a table cell, a heading, a
paragraph, a list item), converted with Python-Markdown and the extensions of mkdocs.yml, and the
HTML is parsed back: it must contain only the elements the page itself wrote, and its text must be
exactly the input (with whitespace collapsed and control characters dropped).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import string
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import markdown
import pytest

from govsite.safetext import Md, escape_block, escape_markdown
from govsite.site.render import UnescapedOutput, day, link, make_environment, md

HOSTILE = [
    "<script>alert(1)</script>",
    "<script>alert(1)</script>|[x](javascript:alert(1))",
    "[x](javascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '![img](x" onerror="alert(1))',
    "<javascript:alert(1)>",
    "<https://evil.example/>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>点我</a>",
    "</td></tr></table><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!-- comment",
    "<![CDATA[x]]>",
    "a | b | c",
    "\\| escaped pipe \\",
    "# 标题",
    "## 二级",
    "- 列表",
    "* 列表",
    "+ 列表",
    "1. 编号",
    "> 引用",
    "    缩进代码",
    "\tTab 代码",
    "```\ncode\n```",
    "~~~",
    "---",
    "===",
    "*斜体* **粗体** __粗__ _斜_",
    "`code`",
    "~~删除~~ ==标记== ^^上^^ ~下~",
    '{: onclick="alert(1)" }',
    "文字 { #id .class onclick=alert(1) }",
    "[^1] 脚注\n\n[^1]: javascript:alert(1)",
    '!!! note "标题"',
    ":smile: $x$ @mention",
    "&lt;script&gt; 已转义的实体",
    "&#60;script&#62; 数字实体",
    "javascript&#58;alert(1)",
    "名称\n\n# 注入的标题",
    "名称\r\n| a | b |\r\n|---|---|",
    "名称\u2028第二行\u2029第三段",
    "反转\u202e文字\u202c",
    "空字符\x00与\x1b[31m控制符",
    "零宽\u200b字符与\ufeff",
    "全角　空格与　缩进",
    "https://example.gov.cn/a_b*c",
    "闵府办发〔2025〕24号：普通的中文文号（不应受影响）",
]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.append("<!--")

    def unknown_decl(self, data: str) -> None:
        self.tags.append("<![")


def _convert(source: str) -> _Collect:
    converter = markdown.Markdown(extensions=["tables", "attr_list", "admonition", "toc"])
    parser = _Collect()
    parser.feed(converter.convert(source))
    parser.close()
    return parser


def _expected(text: str) -> str:
    """What a reader must see: line breaks and tabs as single spaces, invisible controls gone.

    The ideographic space (U+3000) is an ordinary character and stays.
    """
    spaced = re.sub(r"[ \t\n\v\f\r\x85\u2028\u2029]+", " ", text)
    visible = "".join(c for c in spaced if unicodedata.category(c) not in ("Cc", "Cf"))
    return visible.strip(" ")


@pytest.mark.parametrize("text", HOSTILE)
def test_table_cell_shows_exactly_the_text(text: str) -> None:
    parsed = _convert(f"| 名称 | 其他 |\n|---|---|\n| {escape_markdown(text)} | 尾列 |\n")
    assert parsed.tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    cells = [t for t in parsed.text if t.strip()]
    assert cells[2:] == [_expected(text), "尾列"]


@pytest.mark.parametrize("text", HOSTILE)
def test_heading_and_paragraph_show_exactly_the_text(text: str) -> None:
    parsed = _convert(f"# {escape_markdown(text)}\n\n{escape_markdown(text)}\n")
    assert parsed.tags == ["h1", "p"]
    assert [t for t in parsed.text if t.strip()] == [_expected(text)] * 2
    assert all(name == "id" for name, _ in parsed.attrs)  # only toc's own id on the heading


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_has_no_markup_characters(text: str) -> None:
    escaped = escape_markdown(text)
    assert isinstance(escaped, Md)
    assert "\n" not in escaped and "\r" not in escaped
    bare = re.sub(r"&(#[0-9]+|amp|lt|gt|quot);", "", escaped)  # what is left outside references
    assert not set(string.punctuation) & set(bare)
    assert escaped == escaped.strip()
    assert html.unescape(escaped) == _expected(text)


def test_escaping_is_not_applied_twice() -> None:
    once = escape_markdown("<b>")
    assert escape_markdown(once) == once == "&lt;b&gt;"


def test_plain_chinese_text_is_unchanged() -> None:
    assert (
        escape_markdown("闵行区城市运行一网统管平台系统建设项目") == "闵行区城市运行一网统管平台系统建设项目"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_block_text_shows_exactly_the_text(text: str) -> None:
    parsed = _convert(escape_block(text))
    assert set(parsed.tags) <= {"p", "br", "ul", "li"}
    assert not parsed.attrs


def test_block_keeps_paragraphs_line_breaks_and_lists() -> None:
    text = "第一段第一行\n第一段第二行 <b>\n\n- 事项一 [x](javascript:alert(1))\n- 事项二\n\n第二段"
    parsed = _convert(escape_block(text))
    assert parsed.tags == ["p", "br", "ul", "li", "li", "p"]
    assert [t.strip() for t in parsed.text if t.strip()] == [
        "第一段第一行",
        "第一段第二行 <b>",
        "事项一 [x](javascript:alert(1))",
        "事项二",
        "第二段",
    ]


def test_environment_refuses_unescaped_output(tmp_path: Path) -> None:
    (tmp_path / "bad.md.j2").write_text("{{ name }}", encoding="utf-8")
    (tmp_path / "good.md.j2").write_text("{{ name | md }}", encoding="utf-8")
    env = make_environment(tmp_path)
    with pytest.raises(UnescapedOutput):
        env.get_template("bad.md.j2").render(name="<script>")
    assert env.get_template("good.md.j2").render(name="<script>") == "&lt;script&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("good.md.j2").render()


def test_md_filter_formats_values() -> None:
    assert md(None) == "—"
    assert md("") == "—"
    assert md(True) == "是"
    assert md(680.0) == "680"
    assert md(12.5) == "12&#46;5"
    assert md(["a|b", "c"]) == "a&#124;b、c"


def test_dates_do_not_wrap_and_anything_else_is_escaped() -> None:
    nowrap = '<span class="govsite-nowrap">2026-03-02</span>'
    assert day(dt.date(2026, 3, 2)) == nowrap
    assert day("2026-03-02") == nowrap
    assert day(None) == "—"
    assert day("2026-03-02\n| x |") == "2026&#45;03&#45;02 &#124; x &#124;"
    assert day("2026-03-02<script>") == "2026&#45;03&#45;02&lt;script&gt;"


def test_links_accept_only_plain_relative_targets() -> None:
    assert link("<b>", "projects/MH-2026-001.md") == "[&lt;b&gt;](projects/MH-2026-001.md)"
    assert link("条", "#article-4") == "[条](#article-4)"
    bad = (
        "javascript:alert(1)",
        "https://evil.example/",
        "a b.md",
        "x.md)(y",
        "a.md#<x>",
        "x.md\n",
        "#a\n| b",
    )
    for target in bad:
        with pytest.raises(ValueError):
            link("x", target)
