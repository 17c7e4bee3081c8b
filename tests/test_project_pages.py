"""Project pages' conversion: the HTML blocks a template writes are set aside while Markdown converts
the page and put back after; the page is the one Markdown itself would have made."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from test_site_escape import HOSTILE, _Collect, _expected

from govsite.cache import NO_CACHE
from govsite.resources import site_kit
from govsite.safetext import escape_block, escape_markdown
from govsite.site.build import prepare
from govsite.site.project_pages import Converter, _strip_front_matter
from govsite.site.render import html_block, make_environment, md_block, project_pages

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def converter(tmp_path_factory: pytest.TempPathFactory) -> Converter:
    docs = tmp_path_factory.mktemp("docs")
    return Converter(REPO / "mkdocs.yml", docs)


def _by_markdown(converter: Converter, text: str) -> tuple[str, list[object]]:
    """The page as Markdown converts it with nothing set aside."""
    markdown = converter._markdown()
    markdown.reset()
    return markdown.convert(text), list(markdown.toc_tokens)


def test_every_sample_page_converts_as_markdown_would(tmp_path: Path, converter: Converter) -> None:
    """The sample registry's pages (every district, every stage): same HTML, same headings."""
    data = prepare(REPO, dt.date(2026, 11, 22), NO_CACHE)  # nothing written into the checkout
    templates, _config = site_kit(REPO, tmp_path / "kit")
    pages = project_pages(data, make_environment(templates))
    assert len(pages) > 50
    markdown = converter._markdown()
    seen: list[str] = []
    convert = markdown.convert
    for page in pages:
        text = _strip_front_matter(page.markdown)
        assert text.count("\n<table>\n") >= 5, page.project_id
        markdown.convert = lambda source: seen.append(source) or convert(source)
        quick = converter.convert(text)
        markdown.convert = convert
        assert quick == _by_markdown(converter, text), page.project_id
    # the blocks went the quick way: Markdown saw only the headings and the marks between them
    assert len(seen) == len(pages)
    for source in seen:
        lines = [line for line in source.splitlines() if line.strip()]
        assert all(line.startswith(("#", "GOVSITE:BLOCK:")) for line in lines), lines


BLOCKS = [
    "GOVSITE:BLOCK:0",
    "<table>\n</table>",
    "<ul>\n- x\n</ul>",
    "<p>段落</p>",
    '<div class="x">\n</div>',
]


@pytest.mark.parametrize("text", HOSTILE + BLOCKS)
def test_a_cell_of_an_html_table_shows_exactly_the_text(converter: Converter, text: str) -> None:
    page = f"# 标题\n\n<table>\n<tbody>\n<tr><td>{escape_markdown(text)}</td><td>尾列</td></tr>\n</tbody>\n</table>\n\n{escape_block(text)}\n"
    body, _toc = converter.convert(page)
    assert (body, _toc) == _by_markdown(converter, page)
    parsed = _Collect()
    parsed.feed(body)
    parsed.close()
    assert parsed.tags[:6] == ["h1", "a", "table", "tbody", "tr", "td"]  # the heading's permalink, the table
    cells = [t for t in parsed.text if t.strip()]
    assert cells[2:4] == [_expected(text), "尾列"]
    assert body.count("<table>") == 1


def test_text_that_looks_like_the_mark_is_not_replaced(converter: Converter) -> None:
    """A paragraph that is the mark itself, as a template could write it, is not a block set aside:
    the page is converted as it is."""
    page = (
        "<table>\n<tbody>\n<tr><td>甲</td></tr>\n</tbody>\n</table>\n\nGOVSITE:BLOCK:0\n\nGOVSITE:BLOCK:7\n"
    )
    body, _toc = converter.convert(page)
    assert (body, _toc) == _by_markdown(converter, page)
    assert body.count("<table>") == 1 and "GOVSITE:BLOCK:7" in body


@pytest.mark.parametrize(
    "text",
    HOSTILE
    + BLOCKS
    + [
        "第一段\n第二行\n\n- 甲\n- 乙\n\n第三段",
        "- 只有列表",
        "  - 缩进的项\n-不是列表",
        "\n\n首尾空行\n\n",
        "",
    ],
)
def test_html_block_shows_what_markdown_makes_of_md_block(converter: Converter, text: str) -> None:
    """The summary, written as HTML on a project page, is what Markdown made of it before."""
    quick, _toc = converter.convert(html_block(text))
    by_markdown, _toc = _by_markdown(converter, md_block(text))
    # the same elements and text; only the line breaks between blocks differ, which HTML ignores
    assert re.sub(r">\s+<", "><", quick) == re.sub(r">\s+<", "><", by_markdown)
