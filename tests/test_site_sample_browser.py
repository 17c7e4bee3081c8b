"""The sample registry's site as people use it, in a real headless Chromium (Debian's chromium through
Playwright): find a project by two characters from the middle of its name, filter and sort the table
and share the view, follow a project page's handbook links, download every export and load it back,
read pages in large-font and high-contrast mode by keyboard alone, run axe-core over the main pages,
and check every link of the whole built site. Screenshots of home, table, project and handbook pages,
desktop and phone, are saved under build/screenshots/ (or $GOVSITE_SCREENSHOTS)."""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import posixpath
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from browser_support import chromium, served
from conftest import TODAY

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("GOVSITE_SCREENSHOTS") or REPO / "build" / "screenshots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# A sample project and two characters from the middle of its name.
PROJECT = "MH-2025-001"
PROJECT_NAME = "闵行区城市运行数字体征系统建设项目"
MIDDLE = "字体"


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own sample registry (as in the working tree), built like `./dev serve` does."""
    from govsite.site.build import build_site

    root = tmp_path_factory.mktemp("sample")
    for name in ("submissions", "policies"):
        shutil.copytree(REPO / name, root / name)
    for name in ("govsite.toml", "reviewers.yaml"):
        shutil.copy(REPO / name, root / name)
    build_site(root, root / "site", today=TODAY)
    return root / "site"


@pytest.fixture(scope="module")
def site_url(sample_site: Path) -> Iterator[str]:
    with served(sample_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Watched:
    """A page that records script errors and failed requests; a test ends by asserting none."""

    def __init__(self, browser: Any, viewport: dict[str, int], **options: Any) -> None:
        self.page = browser.new_page(viewport=viewport, locale="zh-CN", **options)
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"脚本错误：{error}"))
        self.page.on(
            "response",
            lambda response: (
                self.problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
            ),
        )

    def __enter__(self) -> Any:
        return self.page

    def __exit__(self, *exc: object) -> None:
        self.page.close()
        assert self.problems == []


def test_two_characters_from_the_middle_of_a_name_find_the_project(browser: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    with Watched(browser, PHONE) as page:
        page.goto(site_url)
        page.get_by_role("link", name="浏览、筛选和搜索全部项目").click()
        page.wait_for_url("**/table/")
        page.get_by_label("搜索项目").fill(MIDDLE)
        rows = page.locator("#govsite-table tbody tr")
        expect(rows).to_have_count(1)
        expect(page.locator("#govsite-table-status")).to_contain_text("符合条件的项目 1 个")
        assert f"kw={urllib.parse.quote(MIDDLE)}" in page.url
        rows.first.get_by_role("link", name=PROJECT).click()
        page.wait_for_url(f"**/projects/{PROJECT}/")
        expect(page.locator("h1")).to_contain_text(PROJECT_NAME)
        # the id and part of a department's name find it too
        page.goto(site_url + "table/?kw=mh-2025-00")
        expect(rows.first).to_contain_text("MH-2025-00")


def test_filter_sort_and_share_the_view(browser: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    with Watched(browser, DESKTOP) as page:
        page.goto(site_url + "table/")
        status = page.locator("#govsite-table-status")
        expect(status).to_contain_text("符合条件的项目")
        everything = page.locator("#govsite-table-status").text_content()
        page.locator("select[name=district]").select_option(label="闵行区")
        page.locator("select[name=year]").select_option("2026")
        header = page.get_by_role("button", name="总投资（万元）")
        header.click()
        header.click()  # the second click sorts the largest first
        expect(page.locator("th[data-key=amount]")).to_have_attribute("aria-sort", "descending")
        rows = page.locator("#govsite-table tbody tr")
        expect(rows.first).to_be_visible()
        amounts = [float(t.replace(",", "")) for t in rows.locator("td.govsite-number").all_text_contents()]
        assert amounts == sorted(amounts, reverse=True) and len(amounts) > 3
        assert all(cell == "闵行区" for cell in rows.locator("td:nth-child(4)").all_text_contents())
        assert status.text_content() != everything
        shared = page.url
        assert "district=minhang" in shared and "year=2026" in shared and "sort=amount" in shared
        ids = rows.locator("td:first-child").all_text_contents()
        shown = status.text_content()

    with Watched(browser, DESKTOP) as other:  # whoever opens the shared address sees the same view
        other.goto(shared)
        expect(other.locator("#govsite-table-status")).to_have_text(shown or "")
        assert other.locator("#govsite-table tbody tr td:first-child").all_text_contents() == ids
        assert other.locator("select[name=district]").input_value() == "minhang"
        other.get_by_label("有逾期事项").check()
        expect(other.locator("#govsite-table-status")).not_to_have_text(shown or "")
        other.get_by_role("button", name="清除条件").click()
        expect(other.locator("#govsite-table-status")).to_have_text(everything or "")


def test_project_page_links_into_the_handbook(browser: Any, site_url: str) -> None:
    with Watched(browser, DESKTOP) as page:
        page.goto(site_url + f"projects/{PROJECT}/")
        links = page.locator("article a[href*='handbook/']")
        hrefs = [
            h for h in (links.nth(i).get_attribute("href") for i in range(links.count())) if h and "#" in h
        ]
        assert hrefs, "a project page cites the rules that judged it"
        for href in hrefs[:5]:
            page.goto(urllib.parse.urljoin(site_url + f"projects/{PROJECT}/", href))
            anchor = urllib.parse.unquote(href.split("#", 1)[1])
            assert page.locator(f"[id='{anchor}']").count() == 1, href


def test_every_export_downloads_and_loads_back(browser: Any, site_url: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with Watched(browser, DESKTOP, accept_downloads=True) as page:
        page.goto(site_url + "data/")
        files: dict[str, Path] = {}
        for name in ("registry.json", "registry.schema.json", "registry.csv", "registry.xlsx", "feed.xml"):
            with page.expect_download() as caught:
                page.locator(f"a[download='{name}']").click()
            target = tmp_path / name
            caught.value.save_as(target)
            files[name] = target
    document = json.loads(files["registry.json"].read_text(encoding="utf-8"))
    ids = [record["id"] for record in document["projects"]]
    assert PROJECT in ids and len(ids) == len(set(ids)) > 80
    import jsonschema

    jsonschema.validate(document, json.loads(files["registry.schema.json"].read_text(encoding="utf-8")))
    rows = list(csv.reader(io.StringIO(files["registry.csv"].read_bytes().decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == ids
    assert PROJECT_NAME in {row[1] for row in rows}
    book = load_workbook(files["registry.xlsx"], read_only=True)
    try:
        sheet = book.active
        assert sheet is not None
        assert [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)] == ids
    finally:
        book.close()
    feed = ElementTree.parse(files["feed.xml"]).getroot()
    assert feed.findall("{http://www.w3.org/2005/Atom}entry")


def test_reading_aids_by_keyboard(browser: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    with Watched(browser, DESKTOP) as page:
        page.goto(site_url)
        large = page.get_by_role("button", name="大字模式")
        for _ in range(10):  # reach it with the Tab key alone
            page.keyboard.press("Tab")
            if large.evaluate("button => button === document.activeElement"):
                break
        assert large.evaluate("button => button === document.activeElement")
        before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        page.keyboard.press("Enter")
        expect(large).to_have_attribute("aria-pressed", "true")
        after = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert after >= before * 1.25
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # 高对比度
        expect(page.get_by_role("button", name="高对比度")).to_have_attribute("aria-pressed", "true")
        page.goto(site_url + "table/")  # remembered on the next page
        assert page.evaluate("document.documentElement.className").split() >= ["govsite-large"]
        assert page.evaluate("document.documentElement.classList.contains('govsite-contrast')")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(0, 0, 0)"


PAGES = {
    "home": "",
    "table": "table/?district=minhang",
    "project": f"projects/{PROJECT}/",
    "handbook": "handbook/minhang-2025/",
}


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},"
        " resultTypes: ['violations']})"
    )
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_accessibility_and_screenshots(browser: Any, site_url: str, name: str) -> None:
    """axe-core finds no serious or critical WCAG 2.1 A/AA violation, on a desktop and on a phone, in the
    normal and the high-contrast mode; on a phone nothing makes the page scroll sideways."""
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        with Watched(browser, viewport) as page:
            page.goto(site_url + PAGES[name])
            if name == "table":
                expect(page.locator("#govsite-table tbody tr").first).to_be_visible()
            problems = _axe_violations(page)
            assert problems == [], [
                (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in problems
            ]
            if device == "phone":
                wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert wide <= 1, f"{name} scrolls sideways by {wide}px on a phone"
            shot = SCREENSHOTS / f"{name}-{device}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
            page.get_by_role("button", name="高对比度").click()
            # the switch is instant: no colour is left fading through low-contrast values
            running = page.evaluate(
                "document.getAnimations().filter(a => a.playState === 'running').map(a => a.transitionProperty"
                " || a.animationName || String(a))"
            )
            assert running == [], running
            problems = _axe_violations(page)
            assert problems == [], [
                (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in problems
            ]
            page.get_by_role("button", name="高对比度").click()  # leave the setting as it was


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key] or "")
        attribute = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src"}.get(tag)
        if attribute and values.get(attribute):
            self.links.append(values[attribute] or "")


def test_every_link_of_the_built_site_resolves(sample_site: Path) -> None:
    """Every page, stylesheet, script, image, download and anchor a page links to exists in the build
    (links off the site, such as the footer's registration lookups, are not followed)."""
    parsed: dict[Path, _Links] = {}

    def page(path: Path) -> _Links:
        if path not in parsed:
            links = _Links()
            links.feed(path.read_text(encoding="utf-8"))
            parsed[path] = links
        return parsed[path]

    broken: list[str] = []
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 100
    for source in pages:
        where = "/" + source.relative_to(sample_site).as_posix()
        for link in page(source).links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or parts.netloc:
                continue
            target_path = posixpath.normpath(
                posixpath.join(posixpath.dirname(where), urllib.parse.unquote(parts.path))
            )
            if not parts.path:
                target_path = where
            target = sample_site / target_path.lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{where}: {link}")
                continue
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in page(target).ids:
                broken.append(f"{where}: {link}（锚点不存在）")
    assert broken == []
