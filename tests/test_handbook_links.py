"""Every finding of a regulation's rule links to that rule in the published handbook, where it stands
under the article it enforces: in the text, JSON and GitHub outputs alike, with the site URL from
govsite.toml — the base's, for a pull request."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from support import base_project, dump_yaml, git, govsite, init_repo, make_registry

TODAY = "2026-11-22"
PATH = "submissions/minhang/MH-2026-021.yaml"
SITE = "https://xm.example.gov.cn/"
LINK = f"{SITE}handbook/minhang-2025/#rule-MH-09"  # MH-09: 申报超过 5 个工作日未受理 (第十五条)


def registry(tmp_path: Path, url: str | None = SITE) -> Path:
    root = make_registry(tmp_path / "r", {PATH: base_project(id="MH-2026-021")})
    if url:
        (root / "govsite.toml").write_text(f'[site]\nurl = "{url}"\n', encoding="utf-8")
    return root


def test_text_json_and_github_outputs_link_the_rule(tmp_path: Path) -> None:
    root = registry(tmp_path)
    text = govsite("validate", "--today", TODAY, cwd=root).stdout
    assert f"    条文与规则：{LINK}" in text
    report = json.loads(govsite("validate", "--today", TODAY, "--format", "json", cwd=root).stdout)
    [finding] = [f for f in report["projects"][0]["findings"] if f["rule"] == "MH-09"]
    assert finding["handbook"] == LINK
    github = govsite("validate", "--today", TODAY, "--format", "github", cwd=root).stdout
    assert f"%0A条文与规则：{LINK}" in github.replace("%3A", ":")


def test_no_site_url_no_link(tmp_path: Path) -> None:
    root = registry(tmp_path, url=None)
    assert "条文与规则" not in govsite("validate", "--today", TODAY, cwd=root).stdout
    report = json.loads(govsite("validate", "--today", TODAY, "--format", "json", cwd=root).stdout)
    assert all("handbook" not in f for p in report["projects"] for f in p["findings"])


@pytest.mark.slow
def test_the_link_lands_on_the_rule_under_its_article(tmp_path: Path) -> None:
    from govsite.site.build import build_site

    root = registry(tmp_path)
    build_site(root, root / "site", today=dt.date(2026, 11, 22))
    page = (root / "site" / "handbook" / "minhang-2025" / "index.html").read_text(encoding="utf-8")
    rule_at = page.index('id="rule-MH-09"')
    article_at = page.rindex('id="article-15"', 0, rule_at)  # the nearest article above it is 第十五条
    assert page.find('id="article-', article_at + 1, rule_at) == -1


def test_a_pull_request_cannot_point_the_links_elsewhere(tmp_path: Path) -> None:
    root = registry(tmp_path)
    init_repo(root)
    git(root, "checkout", "-q", "-b", "pr")
    (root / "govsite.toml").write_text('[site]\nurl = "https://evil.example/"\n', encoding="utf-8")
    data = base_project(id="MH-2026-021", summary="修改摘要")
    (root / PATH).write_text(dump_yaml(data), encoding="utf-8")
    git(root, "commit", "-q", "-am", "改网站地址")
    done = govsite("check", "--base", "main", "--today", TODAY, cwd=root)
    assert "evil.example" not in done.stdout
    assert LINK in done.stdout
