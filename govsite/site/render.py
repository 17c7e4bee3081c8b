"""Render the site's Markdown pages from `SiteData` with the Jinja2 templates in `site_templates/`.

The environment does not autoescape (the output is Markdown, not HTML); instead every `{{ … }}` must
produce `Md`, text that is fit for a Markdown page. The `md`, `md_block` and `day` filters make it
from any value by escaping (`day` lets through only an ISO date); `link` and `anchor` build a link or
a heading id from a checked target and escaped text. An expression that ends without one of them
stops the build (`finalize`), so a template cannot forget to escape.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import shutil
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import jinja2

from govsite.cache import NO_CACHE, Cache, code_version, folder_digest
from govsite.judge import internal_error
from govsite.parallel import ordered_map
from govsite.policy.pack import cite
from govsite.safetext import Md, escape_block, escape_markdown
from govsite.site import opendata
from govsite.site.charts import bar_chart
from govsite.site.collect import DEADLINE_STATUS, InvalidFile, ProjectEntry, SiteData
from govsite.site.project_pages import ProjectPage
from govsite.vocabulary import label, value_label

_LINK_TARGET = re.compile(r"[A-Za-z0-9._/-]*(#[^\W_][\w-]*)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ANCHOR = re.compile(r"[A-Za-z][\w-]*")
EMPTY = "—"
RECENT_SHOWN = 15  # the home page's latest declarations, approvals and stage changes
OVERDUE_SHOWN = 50  # the home page's longest-overdue clocks (the table filters all of them)


class UnescapedOutput(TypeError):
    """A template printed a value without passing it through an escaping filter."""


def _finalize(value: object) -> Md:
    if isinstance(value, Md):
        return value
    raise UnescapedOutput(
        f"模板输出了未转义的值 {value!r}：每个 {{{{ … }}}} 都必须以 | md、| md_block、| day、"
        "link() 或 anchor() 结尾"
    )


def md(value: object, empty: str = EMPTY) -> Md:
    """Inline text, escaped; None and "" show as a dash."""
    if value is None or value == "":
        return escape_markdown(empty)
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return Md("是" if value else "否")
    if isinstance(value, float):
        return escape_markdown(f"{value:,.2f}".rstrip("0").rstrip("."))
    if isinstance(value, int):
        return escape_markdown(f"{value:,}")
    if isinstance(value, list | tuple):
        return escape_markdown("、".join(str(v) for v in value) if value else empty)
    return escape_markdown(value)


def day(value: object) -> Md:
    """A date that does not break across lines (tables are narrow); anything else as `md`."""
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return Md(f'<span class="govsite-nowrap">{value}</span>')
    return md(value)


def md_block(value: object) -> Md:
    return Md(EMPTY) if value is None or value == "" else escape_block(value)


def html_block(value: object) -> Md:
    """`md_block` as HTML (paragraphs and lists), for a page whose blocks are written as HTML: the
    same escaped lines, so it shows what Markdown makes of `md_block`."""
    if value is None or value == "":
        return Md(f"<p>{EMPTY}</p>")
    blocks = []
    # escape_block writes paragraphs (lines joined by <br>) and "- " lists, blank lines between;
    # an escaped line never starts with "- " ("-" is written as an entity)
    for block in escape_block(value).split("\n\n"):
        if block.startswith("- "):
            items = "\n".join(f"<li>{line[2:]}</li>" for line in block.split("\n"))
            blocks.append(f"<ul>\n{items}\n</ul>")
        else:
            blocks.append(f"<p>{block}</p>")
    return Md("\n\n".join(blocks))


def link(text: object, target: str) -> Md:
    """A Markdown link; the target is built by us and must be a plain relative path (checked)."""
    if not _LINK_TARGET.fullmatch(target):
        raise ValueError(f"refusing link target {target!r}")
    return Md(f"[{md(text)}]({target})")


def html_link(text: object, target: str) -> Md:
    """`link` as HTML, for a table written as an HTML block (which Markdown passes through as it is):
    the same checked target, so a link to another page's Markdown file is rewritten like any other."""
    if not _LINK_TARGET.fullmatch(target):
        raise ValueError(f"refusing link target {target!r}")
    return Md(f'<a href="{html.escape(target, quote=True)}">{md(text)}</a>')


def anchor(identifier: str) -> Md:
    """An explicit heading id (attr_list); ids are built by us from checked rule and article ids."""
    if not _ANCHOR.fullmatch(identifier):
        raise ValueError(f"refusing anchor {identifier!r}")
    return Md(f"{{ #{identifier} }}")


def labels(values: Iterable[object]) -> list[str]:
    return [label(v) for v in values]


def make_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=md,
        md_block=md_block,
        html_block=html_block,
        day=day,
        label=label,
        labels=labels,
        cite=cite,
        html=html_md,
    )
    env.globals["value_label"] = value_label  # value_label("kind", e.kind): a label that depends on the field
    env.globals.update(
        link=link,
        html_link=html_link,
        page_link=page_link,
        table_link=table_link,
        anchor=anchor,
        deadline_status=DEADLINE_STATUS,
        EMPTY=Md(EMPTY),
    )
    return env


def page_link(text: object, url: str) -> Md:
    """A link to a page govsite writes itself (a project page), as HTML: mkdocs checks Markdown
    links against its own pages, and project pages are not among them. The URL is built by us and
    checked; the text is escaped."""
    if not _LINK_TARGET.fullmatch(url) or url.endswith(".md"):
        raise ValueError(f"refusing page link {url!r}")
    return Md(f'<a href="{url}">{html.escape(str(text)).translate(_INLINE_SYNTAX)}</a>')


# Inside an inline HTML element Markdown still reads its own syntax: a "|" would end a table cell.
_INLINE_SYNTAX = {ord(c): f"&#{ord(c)};" for c in "|*_`[]\\~"}


def table_link(text: object, depth: int = 1, **filters: str) -> Md:
    """A link to 项目一览 showing only what `filters` select (`table_link("区大数据局", dept="区大数据局")`),
    from a page served `depth` folders down (departments/ is 1, projects/ID/ is 2): the query is
    URL-encoded, the text escaped."""
    if not set(filters) <= TABLE_FILTERS:
        raise ValueError(f"unknown filters {sorted(set(filters) - TABLE_FILTERS)}")
    query = html.escape(urllib.parse.urlencode(filters), quote=True)
    up = "../" * depth
    return Md(f'<a href="{up}table/?{query}">{html.escape(str(text)).translate(_INLINE_SYNTAX)}</a>')


TABLE_FILTERS = frozenset({"kw", "district", "dept", "stage", "type", "year", "amount", "major", "overdue"})


def html_md(value: object) -> Md:
    """Text or an attribute value inside raw HTML on a Markdown page: `escape_markdown` writes every
    ASCII punctuation character as an entity, which HTML reads back as the character."""
    if isinstance(value, Enum):
        value = value.value
    return escape_markdown(EMPTY if value is None else str(value))


def _district_page(district: object) -> str:
    return f"registry/{getattr(district, 'value', district)}.md"


def _stable(value: object) -> object:
    return sorted(map(str, value)) if isinstance(value, set | frozenset) else str(value)


def _page_key(templates: str, today: dt.date, entry: ProjectEntry) -> str:
    """What a project's page is rendered from, as text that is the same in every process (a pickle
    is not: pydantic models and facts hold sets, whose order changes with the hash seed)."""
    from govsite.report.json_report import project_dict

    digest = hashlib.sha256(f"{code_version()}\0{templates}\0{today}\0".encode())
    digest.update(entry.project.model_dump_json().encode())
    digest.update(json.dumps(project_dict(entry.result), sort_keys=True, default=_stable).encode())
    digest.update(
        f"\0{entry.pack.id if entry.pack else ''}\0{entry.pack.digest if entry.pack else ''}\0".encode()
    )
    digest.update(
        repr(
            (
                entry.approvals,
                entry.last_changed,
                entry.history_commit,
                entry.disclosure,
                entry.baseline,
                entry.stages_merged,
            )
        ).encode()
    )
    return digest.hexdigest()


def project_pages(data: SiteData, env: jinja2.Environment, cache: Cache = NO_CACHE) -> list[ProjectPage]:
    """Every project's page, rendered on every core, in registry order.

    One whose data a template cannot render (a defect in govsite) is moved to the invalid files with
    its finding, so no list links to a page that is not there and one project never stops the build.
    A template that prints an unescaped value is a defect of the templates, not of a project, and
    stops the build.
    """
    context: dict[str, Any] = {"site": data, "today": data.today}
    template = env.get_template("project.md.j2")
    entries = list(data.projects)
    # A page depends on its entry alone (the template reads nothing else of the site) and on the
    # templates and govsite's code: keyed by those, an unchanged project is not rendered again.
    templates = folder_digest(Path(template.filename).parent) if template.filename else ""
    templates += f"\0{data.history_url or ''}"  # pages link the file's history on the forge
    keys = [_page_key(templates, data.today, entry) if cache.enabled else "" for entry in entries]

    def render(index: int) -> tuple[str, str]:
        try:
            text = template.render(context, entry=entries[index])
            if keys[index] and cache.put("markdown", keys[index], text):
                # the page is read back where its HTML is made (a worker): 10,000 pages of Markdown
                # (120 MB of str) are neither sent back nor held here through the rest of the build
                return "stored", ""
            return "ok", text
        except UnescapedOutput as exc:
            return "unescaped", str(exc)
        except Exception as exc:
            return "error", f"{type(exc).__name__}: {exc}"

    def stored(index: int) -> Callable[[], str]:
        """The cached Markdown, read when asked for (rendered again should the entry have gone)."""

        def read() -> str:
            text = cache.get("markdown", keys[index])
            return text if isinstance(text, str) else template.render(context, entry=entries[index])

        return read

    cached = {index for index, key in enumerate(keys) if key and cache.has("markdown", key)}
    todo = [index for index in range(len(entries)) if index not in cached]
    rendered = dict(zip(todo, ordered_map(render, todo), strict=True))
    pages: list[ProjectPage] = []
    for index, entry in enumerate(entries):
        status, text = ("stored", "") if index in cached else rendered[index]
        if status == "stored":
            pages.append(_project_page(entry, stored(index), keys[index]))
            continue
        if status == "unescaped":
            raise UnescapedOutput(text)
        if status == "error":
            data.projects.remove(entry)
            data.invalid.append(
                InvalidFile(entry.result.path, internal_error(entry.result.path, RuntimeError(text)).findings)
            )
            continue
        pages.append(_project_page(entry, text, keys[index]))
    return pages


def _project_page(entry: ProjectEntry, markdown: str | Callable[[], str], key: str = "") -> ProjectPage:
    p = entry.project
    # the title holds the id and the name; the key fields are the rest of what a list shows
    fields = [
        p.project_unit,
        label(p.district),
        label(p.stage),
        f"{p.budget_year}年",
        f"{p.budget.total:g}万元",
    ]
    full = [p.name, p.project_unit, p.budget_authority, p.summary or "", *(s.note or "" for s in p.stages)]
    return ProjectPage(
        project_id=p.id,
        district=p.district.value,
        title=f"{p.id} {p.name}",
        key_text=" ".join(fields),
        full_text=" ".join(t for t in full if t),
        key=key,
        source=markdown,
    )


def render_pages(data: SiteData, env: jinja2.Environment) -> dict[str, str]:
    """The pages mkdocs builds — relative path in docs_dir → Markdown: the registry's index and one
    list per district, the handbook, and the shell project pages are filled into. Render
    `project_pages` first: it drops projects whose page cannot be rendered from `data`."""
    context: dict[str, Any] = {
        "site": data,
        "today": data.today,
        "district_page": _district_page,
        "recent": opendata.feed_items(data)[:RECENT_SHOWN],
        "overdue_shown": OVERDUE_SHOWN,
        "chart": bar_chart,
        "table_types": opendata.present_types(data),
        "amount_bands": opendata.AMOUNT_BANDS,
        "columns": opendata.COLUMNS,
        "dictionary": opendata.data_dictionary(),
        "source": data.source,
    }
    pages: dict[str, str] = {}
    pages["index.md"] = env.get_template("index.md.j2").render(context)
    pages["table.md"] = env.get_template("table.md.j2").render(context)
    pages["data/index.md"] = env.get_template("data.md.j2").render(context)
    pages["disclosure.md"] = env.get_template("disclosure.md.j2").render(context)
    pages["departments.md"] = env.get_template("departments.md.j2").render(context)
    district_template = env.get_template("district.md.j2")
    for district, entries in data.by_district:
        pages[_district_page(district)] = district_template.render(
            context, district=district, entries=entries
        )
    pages["fulltext.md"] = env.get_template("fulltext.md.j2").render(context)
    pages["handbook/index.md"] = env.get_template("handbook_index.md.j2").render(context)
    pages["handbook/compare.md"] = env.get_template("compare.md.j2").render(context)
    handbook_template = env.get_template("handbook.md.j2")
    for book in data.handbooks:
        pages[f"handbook/{book.pack.id}.md"] = handbook_template.render(context, book=book)
    return pages


def write_pages(pages: Mapping[str, str | bytes], docs_dir: Path, assets: Path | None = None) -> None:
    """Replace `docs_dir` with exactly these pages (and the static assets folder, if given)."""
    if docs_dir.exists():
        shutil.rmtree(docs_dir)
    docs_dir.mkdir(parents=True)
    if assets is not None and assets.is_dir():
        shutil.copytree(assets, docs_dir / "assets")
    write_files(docs_dir, pages)


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Write each file (its path relative to `folder`) over whatever is there."""
    folders: set[Path] = set()
    for relative, text in files.items():
        target = folder / relative
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
