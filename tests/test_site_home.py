"""The home page, the footer a government site must carry, and `govsite build --public`."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import TODAY, BuiltSite
from support import base_project, make_registry

from govsite.errors import GovsiteError
from govsite.site.build import build_site

pytestmark = pytest.mark.slow

IDENTITY = """[site]
url = "https://xm.example.gov.cn/"
host = "某区大数据中心"
contact = "021-12345678"
site_code = "3101120001"
icp = "沪ICP备12345678号"
police = "沪公网安备 31011202012345号"
party_mark = "https://bszs.conac.cn/sitename?method=show&id=1"
"""


def test_home_shows_charts_with_tables_overdue_and_recent(built_site: BuiltSite) -> None:
    page = (built_site.out / "index.html").read_text(encoding="utf-8")
    assert page.count('role="img"') == 4
    for chart in ("chart-stage", "chart-year", "chart-district", "chart-authority"):
        figure = re.search(rf'<figure class="govsite-chart" id="{chart}">(.*?)</figure>', page, re.S)
        assert figure, chart
        assert f'aria-labelledby="{chart}-title"' in figure.group(1)
        assert "<table>" in figure.group(1) and '<th scope="row">' in figure.group(1)  # the figures as text
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "逾期事项" in text and "最近的申报、审批与阶段变化" in text
    assert "## " not in text  # a heading that ran into a table shows as text
    assert "闵行区一网统管城市运行平台系统建设项目：批复" in text
    assert 'href="table/"' in page and 'href="data/"' in page and 'href="feed.xml"' in page


def test_pages_declare_zh_cn(built_site: BuiltSite) -> None:
    for path in (built_site.out / "index.html", built_site.out / "projects" / "MH-2026-011" / "index.html"):
        assert '<html lang="zh-CN"' in path.read_text(encoding="utf-8"), path


def test_footer_says_what_is_not_set(built_site: BuiltSite) -> None:
    footer = (
        (built_site.out / "index.html")
        .read_text(encoding="utf-8")
        .split('class="md-copyright govsite-footer"')[1]
    )
    assert "主办单位：（未设置）" in footer and "ICP备案号：（未设置）" in footer


def registry(tmp_path: Path, config: str | None) -> Path:
    root = make_registry(
        tmp_path / "r", {"submissions/minhang/MH-2026-021.yaml": base_project(id="MH-2026-021")}
    )
    if config is not None:
        (root / "govsite.toml").write_text(config, encoding="utf-8")
    return root


def test_public_build_refuses_an_incomplete_identity(tmp_path: Path) -> None:
    root = registry(tmp_path, '[site]\nhost = "某区大数据中心"\n')
    with pytest.raises(GovsiteError) as caught:
        build_site(root, root / "site", today=TODAY, public=True)
    assert "缺少 联系方式、网站标识码、ICP备案号、公安机关备案号、党政机关标识链接、网站地址" in str(
        caught.value
    )
    assert not (root / "site").exists()
    build_site(root, root / "site", today=TODAY, run_mkdocs=False)  # without --public it builds


def test_public_build_shows_the_identity_in_every_footer(tmp_path: Path) -> None:
    root = registry(tmp_path, IDENTITY)
    build_site(root, root / "site", today=TODAY, public=True)
    for path in (root / "site" / "index.html", root / "site" / "projects" / "MH-2026-021" / "index.html"):
        page = path.read_text(encoding="utf-8")
        assert "主办单位：某区大数据中心" in page and "网站标识码：3101120001" in page
        assert '<a href="https://beian.miit.gov.cn/" rel="noopener">沪ICP备12345678号</a>' in page
        assert '<a href="https://beian.mps.gov.cn/" rel="noopener">沪公网安备 31011202012345号</a>' in page
        assert 'href="https://bszs.conac.cn/sitename?method=show&amp;id=1"' in page
    csv_text = (root / "site" / "data" / "registry.csv").read_bytes().decode("utf-8-sig")
    assert "https://xm.example.gov.cn/projects/MH-2026-021/" in csv_text


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[site]\nurl = "ftp://x/"\n', "url 应以 https:// 开头"),
        ("[site]\nhost = 3\n", "host 应为文字"),
        ('[site]\nlogo = "x"\n', "不认识的设置 logo"),
        ('site = "x"\n', "[site] 应为一个表"),
    ],
)
def test_bad_site_settings_are_explained(tmp_path: Path, config: str, message: str) -> None:
    root = registry(tmp_path, config)
    with pytest.raises(GovsiteError, match=re.escape(message)):
        build_site(root, root / "site", today=TODAY, run_mkdocs=False)


def test_a_footer_typo_does_not_stop_the_audit() -> None:
    from govsite.config import parse_config

    text = '[audit]\nfrom = "abc"\n[site]\nlogo = "x"\n'
    assert parse_config(text, site=False).audit_from == "abc"
    with pytest.raises(GovsiteError, match="不认识的设置 logo"):
        parse_config(text)


@pytest.mark.parametrize(
    ("stage", "title"),
    [("intake_refused", "本项目不予受理"), ("rejected", "本项目未通过（否定）")],
)
def test_a_refused_project_stays_with_its_reason_and_date(tmp_path: Path, stage: str, title: str) -> None:
    import datetime as dt

    stages = [
        {"stage": "declared", "date": dt.date(2026, 2, 2)},
        {
            "stage": stage,
            "date": dt.date(2026, 2, 9),
            "ref": "闵数函〔2026〕5号",
            "note": "不属于信息化项目范围",
        },
    ]
    root = make_registry(
        tmp_path / "r",
        {"submissions/minhang/MH-2026-021.yaml": base_project(id="MH-2026-021", stage=stage, stages=stages)},
    )
    build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    page = html.unescape(
        (root / "build" / "docs" / "projects" / "MH-2026-021.md").read_text(encoding="utf-8")
    )
    text = re.sub(r"<[^>]+>", "", page)
    [heading] = re.findall(r'<div class="admonition \w+">\n<p class="admonition-title">(.*?)</p>', page)
    assert re.sub(r"<[^>]+>", "", heading) == f"{title}（2026-02-09）"
    assert "原因：不属于信息化项目范围" in text and "决定文号：闵数函〔2026〕5号" in text
