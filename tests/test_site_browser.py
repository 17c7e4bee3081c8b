"""The built site in a real headless Chromium: navigate, read a project page, search in Chinese.

Debian's chromium is used (./dev installs it); Playwright's own browser downloads are never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import chromium, served
from conftest import BuiltSite

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    with served(built_site.out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def test_index_project_page_search_and_screenshot(browser: object, site_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"脚本错误：{error}"))
    page.on("dialog", lambda dialog: (problems.append(f"弹窗：{dialog.message}"), dialog.dismiss()))
    try:
        page.goto(site_url)
        expect(page.locator("h1")).to_contain_text("政务数字化项目公开目录")
        index_shot = tmp_path / "index.png"
        page.screenshot(path=str(index_shot), full_page=True)

        # Click through the district's list to a project page.
        page.get_by_role("link", name="闵行区", exact=True).click()
        page.wait_for_url("**/registry/minhang/")
        page.get_by_role("link", name="MH-2026-011", exact=True).click()
        page.wait_for_url("**/projects/MH-2026-011/")
        expect(page.locator("h1")).to_contain_text("闵行区一网统管城市运行平台系统建设项目")
        route = page.locator("xpath=//h2[@id='需要审批的机构']/following-sibling::*[1]//table")
        expect(route).to_be_visible()
        expect(route.locator("th").first).to_have_text("机构")
        expect(route).to_contain_text("区数据局")
        project_shot = tmp_path / "project.png"
        page.screenshot(path=str(project_shot), full_page=True)

        # The hostile project's page renders its name as text and runs nothing.
        page.goto(site_url + "projects/MH-2026-013/")
        expect(page.locator("h1")).to_contain_text("<script>alert(1)</script>")
        assert page.locator("article a[href^='javascript']").count() == 0

        # Search for a Chinese word from a project name.
        page.goto(site_url)
        query = page.locator("input.md-search__input")
        query.click()
        query.fill("统管")
        query.press("End")  # the theme searches on key events; fill() alone types no key
        results = page.locator(".md-search-result__link")
        expect(results.first).to_be_visible(timeout=10_000)
        expect(page.locator(".md-search-result__list")).to_contain_text("一网统管城市运行平台")
        hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
        assert any("projects/MH-2026-011/" in href for href in hrefs), hrefs
        search_shot = tmp_path / "search.png"
        page.screenshot(path=str(search_shot))
    finally:
        page.close()

    for shot in (index_shot, project_shot, search_shot):
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, shot
    assert problems == []


def test_full_text_search_downloads_one_district(browser: object, site_url: str) -> None:
    """全文检索 fetches the chosen district's shard only, and shows what it found as text."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
    fetched: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.on("pageerror", lambda error: problems.append(f"脚本错误：{error}"))
    try:
        page.goto(site_url + "fulltext/")
        expect(page.locator("h1")).to_contain_text("全文检索")
        page.locator("select[name=district]").select_option("minhang")
        page.locator("input[name=q]").fill("事件处置")
        page.get_by_role("button", name="检索").click()
        results = page.locator("#govsite-fulltext-results a")
        expect(results.first).to_be_visible(timeout=10_000)
        expect(page.locator("#govsite-fulltext-status")).to_contain_text("找到 1 个项目")
        assert results.first.get_attribute("href") == "../projects/MH-2026-011/"
        shards = [url.rsplit("/", 1)[-1] for url in fetched if "/search/projects-" in url]
        assert shards == ["projects-minhang.json"]
        assert not [url for url in fetched if url.endswith("search_index.json") and "fulltext" in url]

        # What a department wrote is shown as text, never as markup.
        page.locator("input[name=q]").fill("alert")
        page.get_by_role("button", name="检索").click()
        expect(page.locator("#govsite-fulltext-status")).to_contain_text("找到")
        assert page.locator("#govsite-fulltext-results script, #govsite-fulltext-results img").count() == 0
        results.first.click()
        page.wait_for_url("**/projects/MH-2026-013/")
    finally:
        page.close()
    assert problems == []
