"""Project pages as HTML, written by govsite into the site mkdocs built, and their search entries.

mkdocs renders every page through the theme, indexes it and keeps it in memory: at a city's 10,000
projects that is most of a build. Project pages all have one shape, so mkdocs builds a single *shell*
page (`projects/_shell.md`: the theme's header, sidebars and footer around marker text) and govsite
fills it in for each project: the page's Markdown converted with the site's own Markdown extensions,
its table of contents in the theme's markup, its title. The project template writes everything but
its headings as HTML blocks, which are set aside while Markdown converts the page (`Converter`):
1.2 ms a page instead of 8. Pages are converted, and written, on every core; each converted page is
cached (without the theme around it) by its Markdown, so a rebuild after one change converts one.

Search: the theme's index (`search/search_index.json`) gets one small entry per project with its key
fields (id, name, unit, district, stage, year, amount), segmented by jieba as the theme segments its
own pages; the full text of each district's pages is a separate shard, `search/projects-<district>.json`,
which only a visitor who searches full text downloads.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsite.cache import NO_CACHE, Cache, code_version
from govsite.errors import GovsiteError
from govsite.parallel import ordered_imap
from govsite.site.publish import PublishedFile

SHELL = "projects/_shell.md"
SHELL_TITLE = "GOVSITE-SHELL-TITLE"
SHELL_BODY = "GOVSITE-SHELL-BODY"
SHELL_PAGE = f"""---
title: {SHELL_TITLE}
hide: [navigation]
search:
  exclude: true
---
# {SHELL_TITLE}

## {SHELL_BODY}
"""
_ARTICLE_OPEN = '<article class="md-content__inner md-typeset">'
_TOC_OPEN = '<ul class="md-nav__list" data-md-component="toc" data-md-scrollfix>'
_HREF = re.compile(r'href="([^"#:?]*\.md)(#[^"]*)?"')
# A block a template writes as HTML: from a line that starts with `<table>`, `<ul>`, `<div …>` or
# `<p …>` to the first line that ends with its closing tag. Department text never starts a line or
# holds a tag ("<" is escaped as an entity), and the mark holds a ":", which escaping writes as
# "&#58;", so no text can pass for either.
_HTML_BLOCK = re.compile(r"^<(table|ul|div|p)\b[^>]*>.*?</\1>$", re.S | re.M)
_BLOCK_MARK = "GOVSITE:BLOCK:"
_BLOCK_PLACE = re.compile(r"<p>GOVSITE:BLOCK:([0-9]+)</p>")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class ProjectPage:
    """One project's page: where it goes, its title, its Markdown, and what search shows of it."""

    project_id: str
    district: str
    title: str
    key_text: str  # the key fields, one line: what the small search index holds
    full_text: str  # the summary and records: what the district's full-text shard holds
    key: str = ""  # what the page was rendered from (`render._page_key`); "" without a cache
    # the Markdown, or how to get it: a page whose Markdown is in the cache is read only if its HTML
    # has to be made again (a rebuild after one change reads one, not 10,000)
    source: str | Callable[[], str] = field(default="", repr=False, compare=False)

    @property
    def markdown(self) -> str:
        return self.source if isinstance(self.source, str) else self.source()


@dataclass(frozen=True)
class Shell:
    """The theme's page around a project's content, cut at the markers."""

    head: str  # up to the title
    between: str  # from the title to the table of contents
    before_body: str  # from the table of contents to the article's content
    tail: str  # after the article's content
    digest: str

    @classmethod
    def parse(cls, text: str) -> Shell:
        try:
            title_at = text.index(SHELL_TITLE)
            toc_at = text.index(_TOC_OPEN) + len(_TOC_OPEN)
            toc_end = text.index("</ul>", toc_at)
            body_at = text.index(_ARTICLE_OPEN) + len(_ARTICLE_OPEN)
            body_end = text.index("</article>", body_at)
        except ValueError as exc:
            raise GovsiteError(
                "主题生成的项目页模板（projects/_shell）缺少标记，无法生成项目页",
                "不要在 site_templates/overrides 中删去主题的目录（toc）和正文（article）部分。",
            ) from exc
        return cls(
            head=text[:title_at],
            between=text[title_at + len(SHELL_TITLE) : toc_at],
            before_body=text[toc_end:body_at],
            tail=text[body_end:],
            digest=hashlib.sha256(text.encode()).hexdigest(),
        )

    def page(self, title: str, toc: str, body: str, first_heading: str = "") -> str:
        # the title appears once before the toc (<title>); the rest of the shell has no marker left
        between = self.between.replace(SHELL_TITLE, html.escape(title))
        # the theme's "skip to content" link points at the shell's own first heading
        skip = f'href="#{html.escape(first_heading, quote=True)}"' if first_heading else 'href="#"'
        between = between.replace(f'href="#{SHELL_TITLE.lower()}"', skip)
        return f"{self.head}{html.escape(title)}{between}{toc}{self.before_body}{body}{self.tail}"


def _toc(tokens: Sequence[Mapping[str, Any]]) -> str:
    """The table of contents in the theme's markup: the h2 sections of the page."""
    items = []
    for token in tokens:
        for child in token.get("children", []) if token.get("level") == 1 else [token]:
            items.append(
                f'<li class="md-nav__item"><a href="#{html.escape(str(child["id"]), quote=True)}" '
                f'class="md-nav__link"><span class="md-ellipsis">{child["name"]}</span></a></li>'
            )
    return "\n" + "\n".join(items) + "\n"


def rewrite_links(body: str, source: str) -> str:
    """Links to other pages' Markdown files, as mkdocs rewrites them: `../handbook/x.md#a` on the
    page built from `projects/ID.md` (served at `projects/ID/`) → `../../handbook/x/#a`."""
    here = posixpath.splitext(source)[0] + "/"

    def replace(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), match.group(1)))
        url = target[: -len(".md")]
        url = "" if url == "index" else (url[: -len("/index")] + "/" if url.endswith("/index") else url + "/")
        relative = posixpath.relpath(url or ".", here.rstrip("/") or ".")
        relative = relative + "/" if not relative.endswith("/") else relative
        return f'href="{relative}{match.group(2) or ""}"'

    return _HREF.sub(replace, body)


class Converter:
    """Markdown → HTML with the site's own extensions (from mkdocs.yml), as mkdocs converts a page."""

    def __init__(self, config_file: Path, docs_dir: Path) -> None:
        self._config_file = config_file
        self._docs_dir = docs_dir
        # what the conversion depends on: the settings file (a repr of the loaded extensions would
        # hold memory addresses, different in every run)
        self.settings = hashlib.sha256(config_file.read_bytes()).hexdigest()
        self._loaded: Any = None

    def _markdown(self) -> Any:
        """The converter, made on first use: loading mkdocs' settings and the extensions took 1.7 s
        of a rebuild in which every page came from the cache."""
        if self._loaded is None:
            import markdown  # type: ignore[import-untyped]
            from mkdocs.config import load_config

            # docs_dir as the build uses it: mkdocs checks that it exists (the file's own may not)
            config = load_config(str(self._config_file), docs_dir=str(self._docs_dir))
            self._loaded = markdown.Markdown(
                extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
            )
        return self._loaded

    def prepare(self) -> None:
        """Make the converter now (before workers fork, so that they share it)."""
        self._markdown()

    def convert(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """The page's HTML and its headings. The blocks a template writes as HTML (tables, lists,
        paragraphs) are set aside first and put back after: Markdown would pass them through
        unchanged, but only after parsing every tag of them and running its inline rules on the
        text between (most of each page's conversion)."""
        blocks: list[str] = []

        def set_aside(match: re.Match[str]) -> str:
            blocks.append(match.group(0))
            return f"\n\n{_BLOCK_MARK}{len(blocks) - 1}\n\n"

        converter = self._markdown()
        converter.reset()
        body = converter.convert(_HTML_BLOCK.sub(set_aside, text))
        if [int(n) for n in _BLOCK_PLACE.findall(body)] == list(range(len(blocks))):
            body = _BLOCK_PLACE.sub(lambda match: blocks[int(match.group(1))] + "\n", body)
            body = body.rstrip("\n")  # as Markdown ends its output
        else:
            # a mark Markdown changed (a block inside a list or a quote) or one a template wrote
            # itself: the page is converted as it is
            converter.reset()
            body = converter.convert(text)
        return body, list(getattr(converter, "toc_tokens", []))


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + len("\n---\n") :]
    return text


def segment(text: str) -> str:
    """Chinese runs cut into words with jieba and joined by U+200B, the separator the theme's
    search (lunr) splits on; the same treatment the search plugin gives mkdocs' own pages."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on stderr

    def cut(match: re.Match[str]) -> str:
        return "\u200b" + "\u200b".join(jieba.cut(match.group(0))) + "\u200b"

    return _HAN.sub(cut, text).strip("\u200b")


@dataclass(frozen=True)
class Converted:
    """A project's page converted, without the theme around it (what is cached: a third of the
    page; the shell is put around it as the page is written)."""

    body: str
    toc: str
    first_heading: str
    entry: dict[str, str]  # the page's entry in the search index

    def page(self, title: str, shell: Shell) -> str:
        return shell.page(title, self.toc, self.body, self.first_heading)


def _convert(page: ProjectPage, converter: Converter, entry: dict[str, str] | None = None) -> Converted:
    """The page converted; `entry`, its search entry if known (the title and key fields are what it
    was segmented from: a rebuild after a change to the summary does not load jieba's dictionary)."""
    body, tokens = converter.convert(_strip_front_matter(page.markdown))
    body = rewrite_links(body, f"projects/{page.project_id}.md")
    if entry is None:
        # the theme shows a search result's title and text as HTML: escaped like its own pages'
        entry = {
            "location": f"projects/{page.project_id}/",
            "title": segment(html.escape(page.title, quote=False)),
            "text": segment(html.escape(page.key_text, quote=False)),
        }
    first = str(tokens[0]["id"]) if tokens else ""
    return Converted(body, _toc(tokens), first, entry)


def _search_source(page: ProjectPage) -> str:
    """What a page's search entry is made from."""
    return hashlib.sha256(f"{page.project_id}\0{page.title}\0{page.key_text}".encode()).hexdigest()


def page_file(project_id: str) -> str:
    """The file of a project's page, under the site."""
    return f"projects/{project_id}/index.html"


def write_project_pages(
    site: Path,
    pages: Sequence[ProjectPage],
    config_file: Path,
    docs_dir: Path,
    cache: Cache = NO_CACHE,
    published: Mapping[str, PublishedFile] | None = None,
) -> tuple[dict[str, tuple[str, dict[str, Any]]], set[str]]:
    """Fill the shell mkdocs built in `site` for every page; add the search entries and shards.

    A page `published` holds with the key it has now is in the published site as it should be: it is
    not written again (see `govsite.site.publish`). Returns every project page (its path → its key,
    and its search entry with what that was made from, for the record of what was published) and
    the paths of those kept."""
    published = published or {}
    shell_dir = site / "projects" / "_shell"
    shell = Shell.parse((shell_dir / "index.html").read_text(encoding="utf-8"))
    converter = Converter(config_file, docs_dir)
    settings = hashlib.sha256(f"{code_version()}\0{shell.digest}\0{converter.settings}".encode()).hexdigest()
    # the Markdown's own key stands for the Markdown where there is one (it is what the text was
    # rendered from), so that a page kept as published is never read back from the cache
    keys = [
        hashlib.sha256(f"{settings}\0{p.title}\0{p.key_text}\0{p.key or p.markdown}".encode()).hexdigest()
        for p in pages
    ]
    paths = [page_file(p.project_id) for p in pages]
    entries: dict[int, dict[str, str]] = {}
    kept: set[str] = set()
    sources = [_search_source(p) for p in pages]
    # what the last build published beside each page: its search entry and what that was made from
    previous: dict[int, dict[str, str]] = {}
    todo = []
    for index, key in enumerate(keys):
        before = published.get(paths[index])
        extra: Any = before.extra if before is not None else None
        known = isinstance(extra, dict) and isinstance(extra.get("entry"), dict)
        if known and extra.get("source") == sources[index]:
            previous[index] = extra["entry"]
        if known and before is not None and before.key == key:
            entries[index] = extra["entry"]
            kept.add(paths[index])
        else:
            todo.append(index)
    converting = [i for i in todo if not cache.has("page", keys[i])]
    if converting:
        if any(i not in previous for i in converting):
            segment("预热")  # load jieba's dictionary once, before the workers fork and share it
        converter.prepare()

    def make(index: int) -> dict[str, str]:
        """One page, from the cache or converted, written to disk where it is made (a worker): the
        parent handles only the search entries, never 10,000 pages of HTML (it was the bottleneck)."""
        converted = cache.get("page", keys[index]) if cache.has("page", keys[index]) else None
        if not isinstance(converted, Converted):
            converted = _convert(pages[index], converter, previous.get(index))
            cache.put("page", keys[index], converted)
        target = site / paths[index]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(converted.page(pages[index].title, shell), encoding="utf-8")
        return converted.entry

    # workers are forked: they share the shell and the converter; only an index goes to each
    for index, entry in zip(todo, ordered_imap(make, todo), strict=True):
        entries[index] = entry
    _remove_shell(site, shell_dir)
    _add_to_search(site, [entries[i] for i in range(len(pages))])
    _write_shards(site, pages)
    return {paths[i]: (keys[i], {"entry": entries[i], "source": sources[i]}) for i in range(len(pages))}, kept


def _remove_shell(site: Path, shell_dir: Path) -> None:
    for path in sorted(shell_dir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    shell_dir.rmdir()
    sitemap = site / "sitemap.xml"
    if sitemap.is_file():  # the shell is no page of the site
        text = sitemap.read_text(encoding="utf-8")
        sitemap.write_text(
            re.sub(r"\s*<url>\s*<loc>[^<]*projects/_shell/</loc>.*?</url>", "", text, flags=re.S),
            encoding="utf-8",
        )


def _add_to_search(site: Path, entries: list[dict[str, str]]) -> None:
    index_file = site / "search" / "search_index.json"
    if not index_file.is_file():
        return  # a site without the search plugin
    index = json.loads(index_file.read_text(encoding="utf-8"))
    index["docs"] = [d for d in index["docs"] if not d["location"].startswith("projects/_shell/")] + entries
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _write_shards(site: Path, pages: Sequence[ProjectPage]) -> None:
    shards: dict[str, list[dict[str, str]]] = {}
    for page in pages:
        shards.setdefault(page.district, []).append(
            {"location": f"projects/{page.project_id}/", "title": page.title, "text": page.full_text}
        )
    folder = site / "search"
    folder.mkdir(exist_ok=True)
    for district, docs in sorted(shards.items()):
        (folder / f"projects-{district}.json").write_text(
            json.dumps({"district": district, "docs": docs}, ensure_ascii=False, separators=(",", ":")),
            encoding="utf-8",
        )
