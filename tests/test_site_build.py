"""The site generator end to end: a small registry, a real mkdocs build, the HTML read back."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import HOSTILE, TODAY, BuiltSite, write_site_registry

from govsite.errors import GovsiteError
from govsite.policy.pack import cite
from govsite.site.build import build_site
from govsite.site.serve import serve_in_background, url_of

PACK = "minhang-2025"


class _Page(HTMLParser):
    """Headings with their ids and text, every URL attribute, links inside navigation, the title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str, str]] = []  # (tag, id, text)
        self.urls: list[str] = []
        self.nav_links: list[str] = []
        self.text: list[str] = []
        self.title = ""
        self._heading: list[str] | None = None
        self._nav_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("href", "src", "action", "formaction"):
            if name in values:
                self.urls.append(values[name])
        if tag == "nav":
            classes = values.get("class", "")
            if self._nav_depth or "md-nav--primary" in classes or "md-tabs" in classes:
                self._nav_depth += 1
        if tag == "a" and self._nav_depth and "href" in values:
            self.nav_links.append(values["href"])
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [tag, values.get("id", ""), ""]
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1
        if self._heading is not None and tag == self._heading[0]:
            tag_, id_, text = self._heading
            self.headings.append((tag_, id_, text.replace("¶", "").strip()))
            self._heading = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading[2] += data
        if self._in_title:
            self.title += data


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_one_page_per_project_and_nothing_else(built_site: BuiltSite) -> None:
    pages = sorted(p.parent.name for p in (built_site.out / "projects").glob("*/index.html"))
    assert pages == sorted(built_site.projects)  # not TEMPLATE.yaml's MH-2026-099, not the broken file
    for project_id, data in built_site.projects.items():
        page = parse(built_site.out / "projects" / project_id / "index.html")
        assert page.headings[0][0] == "h1"
        assert page.headings[0][2] == data["name"]
        assert project_id in page.title
    packs = len(list((built_site.root / "policies").glob("*/policy.yaml")))
    assert f"4 个项目页、{packs} 本政策手册" in built_site.summary


@pytest.mark.slow
def test_index_lists_projects_and_the_file_that_failed(built_site: BuiltSite) -> None:
    """The index links each district's list (a city's 10,000 rows are no page for a phone) and only
    the few projects its overdue and recent lists name; the list links every project page, relative
    to where it is served."""
    from govsite.site.render import OVERDUE_SHOWN, RECENT_SHOWN

    index = parse(built_site.out / "index.html")
    text = "".join(index.text)
    assert "registry/minhang/" in index.urls
    linked = [url for url in index.urls if url.startswith("projects/")]
    assert 0 < len(linked) <= OVERDUE_SHOWN + RECENT_SHOWN
    assert "未通过校验的文件" in [h[2] for h in index.headings]
    assert "submissions/minhang/MH-2026-014.yaml" in text
    assert "MH-2026-099" not in text
    listing = parse(built_site.out / "registry" / "minhang" / "index.html")
    listed = "".join(listing.text)
    for project_id, data in built_site.projects.items():
        assert f"../../projects/{project_id}/" in listing.urls
        assert (
            (built_site.out / "registry" / "minhang" / f"../../projects/{project_id}/index.html")
            .resolve()
            .is_file()
        )
        assert data["name"] in listed
    assert "MH-2026-099" not in listed


@pytest.mark.slow
def test_project_pages_are_the_theme_shell_filled_in(built_site: BuiltSite) -> None:
    """Project pages are written by govsite into the page mkdocs built as a shell: the theme's
    header, styles, scripts and footer are there, the markers and the shell page are not."""
    shell_built = (built_site.out / "handbook" / "index.html").read_text(encoding="utf-8")
    page = (built_site.out / "projects" / "MH-2026-011" / "index.html").read_text(encoding="utf-8")
    assert "GOVSITE-SHELL" not in page
    assert not (built_site.out / "projects" / "_shell").exists()
    stylesheet = next(url for url in parse(built_site.out / "handbook" / "index.html").urls if "main." in url)
    assert "../" + stylesheet in parse(built_site.out / "projects" / "MH-2026-011" / "index.html").urls
    assert '<header class="md-header' in page and '<footer class="md-footer' in page
    assert shell_built.count("md-search__input") == page.count("md-search__input") == 1
    toc = page[page.index('data-md-component="toc"') :]
    toc = toc[: toc.index("</ul>")]
    assert 'href="#基本信息"' in toc and 'href="#阶段记录"' in toc  # the page's own sections
    assert "<title>MH-2026-011 闵行区一网统管城市运行平台系统建设项目 - " in page
    assert "projects/_shell/" not in (built_site.out / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_search_index_holds_key_fields_and_shards_hold_full_text(built_site: BuiltSite) -> None:
    """A visitor downloads the key fields of every project; the full text of a district is its own file."""
    index = json.loads((built_site.out / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith("projects/")]
    assert sorted(d["location"] for d in entries) == [f"projects/{p}/" for p in sorted(built_site.projects)]
    entry = next(d for d in entries if d["location"] == "projects/MH-2026-011/")
    assert set(entry) == {"location", "title", "text"}
    summary = built_site.projects["MH-2026-011"]["summary"]
    assert summary[:12] not in entry["text"].replace("\u200b", "")  # no full text in the small index
    assert not [d for d in index["docs"] if d["location"].startswith(("registry/", "projects/_shell"))]
    shard = json.loads((built_site.out / "search" / "projects-minhang.json").read_text(encoding="utf-8"))
    assert shard["district"] == "minhang"
    text = next(d for d in shard["docs"] if d["location"] == "projects/MH-2026-011/")["text"]
    assert summary[:12] in text
    assert sorted((built_site.out / "search").glob("projects-*.json")) == [
        built_site.out / "search" / "projects-minhang.json"
    ]


@pytest.mark.slow
def test_project_page_shows_route_deadlines_and_stage_record(built_site: BuiltSite) -> None:
    page = parse(built_site.out / "projects" / "MH-2026-011" / "index.html")
    titles = [h[2] for h in page.headings]
    for section in (
        "基本信息",
        "阶段记录",
        "需要审批的机构",
        "时限",
        "待处理的问题",
        "变更",
        "验收",
        "公开材料",
    ):
        assert section in titles
    text = "".join(page.text)
    assert "闵数批〔2026〕8号" in text
    assert any(url.startswith(f"../../handbook/{PACK}/#rule-") for url in page.urls)


@pytest.mark.slow
def test_terminated_project_stays_on_the_site_with_its_reason(built_site: BuiltSite) -> None:
    """A project ended by a supervision decision keeps its page: the reason and the decision at the
    top, its orders and measures in their own section, and who was accountable."""
    page = parse(built_site.out / "projects" / "MH-2026-015" / "index.html")
    text = "".join(page.text)
    assert "本项目已终止（2026-08-20）" in text
    assert "逾期未整改弱口令问题，终止项目" in text
    assert "闵数函〔2026〕30号" in text
    assert "监督检查与整改" in [h[2] for h in page.headings]
    assert "整改弱口令和未授权访问接口" in text
    assert "逾期未整改" in text  # the order, as of the day the site is built
    assert "暂缓拨付资金（依据第 1 条）" in text
    assert "李娜（区示例局副局长）" in text and "区示例局信息科" in text
    assert "绩效评价" in [h[2] for h in page.headings]
    assert "绩效自评" in text and "58.5" in text
    listing = "".join(parse(built_site.out / "registry" / "minhang" / "index.html").text)
    assert "闵行区社区食堂管理系统建设项目" in listing and "终止" in listing


@pytest.mark.slow
def test_non_public_material_is_withheld(built_site: BuiltSite) -> None:
    page = (built_site.out / "projects" / "MH-2026-011" / "index.html").read_text(encoding="utf-8")
    assert "不公开" in page
    everything = "".join(
        p.read_text(encoding="utf-8") for p in built_site.out.rglob("*") if p.suffix in (".html", ".json")
    )
    assert "保密合同标题" not in everything
    assert "secret-contract" not in everything


@pytest.mark.slow
def test_hostile_text_is_shown_as_text(built_site: BuiltSite) -> None:
    path = built_site.out / "projects" / "MH-2026-013" / "index.html"
    raw = path.read_text(encoding="utf-8")
    page = parse(path)
    text = "".join(page.text)
    assert HOSTILE in text  # the reader sees exactly what the department wrote …
    assert "区示例局</title><script>alert(2)</script>" in text
    assert "&lt;script&gt;alert" in raw  # … because the page holds it escaped
    assert "</title><script>" not in raw
    assert HOSTILE in page.title
    for file in html_files(built_site.out):
        content = file.read_text(encoding="utf-8")
        assert "<script>alert" not in content, file
        assert "<img src=x" not in content, file
        assert "onclick=alert" not in content, file
        for url in parse(file).urls:
            assert not url.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (file, url)
    index = (built_site.out / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script" not in index and "<img" not in index


@pytest.mark.slow
def test_handbook_has_every_article_with_its_rules(built_site: BuiltSite) -> None:
    pack_dir = built_site.root / "policies" / PACK
    articles = yaml.safe_load((pack_dir / "articles.yaml").read_text(encoding="utf-8"))["articles"]
    rules = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((pack_dir / "rules").glob("*.yaml"))
    ]
    page = parse(built_site.out / "handbook" / PACK / "index.html")

    # One section per article, in order, each headed by its citation and title.
    sections = [h for h in page.headings if h[1].startswith("article-")]
    assert [h[2] for h in sections] == [
        f"{cite(str(a['id']))} {a.get('title', '')}".strip() for a in articles
    ]

    # Under each article, the rules that cite it (the headings between it and the next article).
    under: dict[str, list[str]] = {}
    current: str | None = None
    for _tag, anchor, text in page.headings:
        if anchor.startswith("article-"):
            current = anchor
            under[current] = []
        elif anchor.startswith("rule-") and current is not None:
            under[current].append(text)
    by_citation = {h[2].split(" ")[0]: h[1] for h in sections}
    for rule in rules:
        for article in rule["articles"]:
            listed = under[by_citation[cite(str(article))]]
            assert any(text.startswith(f"规则 {rule['id']} {rule['title']}") for text in listed), (
                rule["id"],
                article,
            )
    listed_total = sum(len(v) for v in under.values())
    assert listed_total == sum(len(r["articles"]) for r in rules)

    text = "".join(page.text)
    assert "闵府办发〔2025〕24号" in text  # metadata
    assert "审批角色" in [h[2] for h in page.headings]
    assert "区密码管理局" in text  # roles table
    assert "阶段变化" in [h[2] for h in page.headings]


@pytest.mark.slow
def test_project_pages_are_not_in_the_navigation(built_site: BuiltSite) -> None:
    pages = [built_site.out / "index.html", built_site.out / "handbook" / "index.html"]
    pages += sorted((built_site.out / "projects").glob("*/index.html"))
    pages += [built_site.out / "handbook" / PACK / "index.html"]
    navs = []
    for path in pages:
        links = [link for link in parse(path).nav_links if not link.startswith("#")]  # not the page's own toc
        assert links, f"{path}: no navigation found"
        assert not [link for link in links if "projects/" in link], path
        navs.append(len(links))
    assert len(set(navs)) == 1  # the navigation does not grow with the registry


@pytest.mark.slow
def test_search_index_segments_chinese(built_site: BuiltSite) -> None:
    index = json.loads((built_site.out / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["zh"]
    assert "\\u200b" in index["config"]["separator"]
    entry = next(d for d in index["docs"] if d["location"] == "projects/MH-2026-011/")
    words = entry["title"].split("\u200b")
    assert "统管" in words and "闵行区" in words


def leftovers(out: Path) -> list[str]:
    """Hidden folders beside the site other than the cache: a staging folder left behind."""
    return sorted(
        p.name for p in out.parent.iterdir() if p.name.startswith(".") and p.name != ".govsite-cache"
    )


@pytest.mark.slow
def test_failed_build_leaves_the_published_site_untouched(tmp_path: Path) -> None:
    root = tmp_path / "registry"
    write_site_registry(root)
    out = root / "site"
    build_site(root, out, today=TODAY)
    before = snapshot(out)
    assert "index.html" in before

    (root / "mkdocs.yml").write_text("site_name: 坏的配置\ntheme:\n  name: no-such-theme\n", encoding="utf-8")
    with pytest.raises(GovsiteError, match="mkdocs"):
        build_site(root, out, today=TODAY)
    assert snapshot(out) == before
    assert leftovers(out) == []

    # A build that succeeds replaces the site whole.
    (root / "mkdocs.yml").unlink()
    changed = root / "submissions" / "minhang" / "MH-2026-012.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("社区养老", "社区助餐"), encoding="utf-8")
    build_site(root, out, today=TODAY)
    page = (out / "projects" / "MH-2026-012" / "index.html").read_text(encoding="utf-8")
    assert "社区助餐" in page and "社区养老" not in page
    assert leftovers(out) == []


@pytest.mark.slow
def test_a_build_that_fails_while_mkdocs_runs_stops_it_and_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open data is made while mkdocs builds: when making it fails, mkdocs is stopped, its
    half-built folder goes, and the published site stays as it was."""
    from govsite.site import build, mkdocs_run

    root = tmp_path / "registry"
    write_site_registry(root)
    out = root / "site"
    build_site(root, out, today=TODAY)
    before = snapshot(out)
    started: list[mkdocs_run.MkdocsRun] = []
    real_run = mkdocs_run.MkdocsRun

    def recording(*args: Any, **kwargs: Any) -> mkdocs_run.MkdocsRun:
        started.append(real_run(*args, **kwargs))
        return started[-1]

    def broken(*_args: object, **_kwargs: object) -> dict[str, bytes]:
        raise GovsiteError("导出失败", "")

    monkeypatch.setattr(mkdocs_run, "MkdocsRun", recording)
    monkeypatch.setattr(build.opendata, "exports", broken)
    changed = root / "submissions" / "minhang" / "MH-2026-012.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("社区养老", "社区助餐"), encoding="utf-8")
    with pytest.raises(GovsiteError, match="导出失败"):
        build_site(root, out, today=TODAY)
    assert len(started) == 1 and started[0]._process.poll() is not None  # not left running
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_markdown_only_renders_pages_without_mkdocs(tmp_path: Path) -> None:
    root = tmp_path / "registry"
    write_site_registry(root)
    summary = build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    docs = root / "build" / "docs"
    assert "Markdown" in summary
    assert not (root / "site").exists()
    assert sorted(p.name for p in (docs / "projects").iterdir()) == [
        "MH-2026-011.md",
        "MH-2026-012.md",
        "MH-2026-013.md",
        "MH-2026-015.md",
    ]
    assert (docs / "handbook" / f"{PACK}.md").is_file()
    hostile = (docs / "projects" / "MH-2026-013.md").read_text(encoding="utf-8")
    assert "<script>" not in hostile and "](javascript" not in hostile


def test_serve_refuses_a_folder_without_a_site(tmp_path: Path) -> None:
    with pytest.raises(GovsiteError, match="govsite build"):
        serve_in_background(tmp_path)


def test_serve_serves_the_folder(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>预览</h1>", encoding="utf-8")
    server, thread = serve_in_background(tmp_path)
    try:
        url = url_of(server)
        assert url.startswith("http://127.0.0.1:")
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        with direct.open(url, timeout=5) as response:
            assert "预览" in response.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
