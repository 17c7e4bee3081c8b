"""Disclosure built in: each project page lists what《政府信息公开条例》and 国办发〔2017〕94号 require
(the record, or why none applies), and the timeliness page lists decisions that reached the registry
more than 20 working days after they were made — judged from a real git history."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest
from support import base_project, git, make_registry, write_project

from govsite.site.build import build_site

TODAY = dt.date(2026, 11, 22)
PATH = "submissions/minhang/MH-2026-021.yaml"
DECLARED = {"stage": "declared", "date": dt.date(2026, 2, 2)}
INTAKE = {"stage": "intake", "date": dt.date(2026, 2, 6), "ref": "闵数受〔2026〕21号"}  # merged 3 days on
IN_LIBRARY = {
    "stage": "in_library",
    "date": dt.date(2026, 3, 2),
    "outcome": "supported",
}  # merged the next day
APPROVED = {
    "stage": "approved",
    "date": dt.date(2026, 3, 16),
    "ref": "闵数批〔2026〕21号",
}  # merged in June: late


def commit_at(root: Path, message: str, day: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": f"{day}T10:00:00+08:00",
        "GIT_COMMITTER_DATE": f"{day}T10:00:00+08:00",
    }
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(
            ["git", "-c", "user.name=测试部门", "-c", "user.email=dept@example.invalid", *args],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )


def project(*stages: dict[str, object]) -> dict[str, object]:
    return base_project(id="MH-2026-021", stage=stages[-1]["stage"], stages=list(stages))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_registry(tmp_path_factory.mktemp("disclosure") / "r", {})
    git(root, "init", "-q", "-b", "main")
    commit_at(root, "建立登记册", "2026-01-05")
    write_project(root, PATH, project(DECLARED))
    commit_at(root, "申报", "2026-02-03")
    write_project(root, PATH, project(DECLARED, INTAKE))
    commit_at(root, "受理", "2026-02-09")
    write_project(root, PATH, project(DECLARED, INTAKE, IN_LIBRARY))
    commit_at(root, "入库", "2026-03-03")
    write_project(root, PATH, project(DECLARED, INTAKE, IN_LIBRARY, APPROVED))
    commit_at(root, "批复", "2026-06-01")
    build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    return root


def rows(markdown: str, heading: str) -> list[list[str]]:
    section = markdown.split(f"# {heading}", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):  # a Markdown table
            found.append([cell.strip() for cell in line.strip("|").split(" | ")])
        elif line.startswith("<tr>"):  # a table written as HTML (project pages)
            found.append(
                re.split(r"</t[dh]><t[dh][^>]*>", re.sub(r"^<tr><t[dh][^>]*>|</t[dh]></tr>$", "", line))
            )
    return found[1:]  # without the heading row


def plain(cell: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", cell))


def test_timeliness_page_lists_the_late_decision_with_both_dates(registry: Path) -> None:
    page = (registry / "build" / "docs" / "disclosure.md").read_text(encoding="utf-8")
    assert "核对了 3 项决定，其中 1 项超过 20 个工作日才公开" in plain(page)
    [row] = [[plain(c) for c in r] for r in rows(page, "信息公开及时性")]
    assert row[0].startswith("MH-2026-021")
    assert row[1] == "批复（闵数批〔2026〕21号）"
    assert row[2] == "2026-03-16"  # made
    assert row[3] == "2026-04-14"  # 20 working days on (清明: 4月4日–6日 off)
    assert row[4] == "2026-06-01"  # reached the registry
    assert int(row[5]) == (dt.date(2026, 6, 1) - dt.date(2026, 4, 14)).days


def test_project_page_discloses_every_category(registry: Path) -> None:
    page = (registry / "build" / "docs" / "projects" / "MH-2026-021.md").read_text(encoding="utf-8")
    table = [[plain(c) for c in r] for r in rows(page, "信息公开")]
    categories = [r[0] for r in table]
    assert categories == [
        "批准结果",
        "招标投标（采购）",
        "合同",
        "重大变更",
        "承建与监理单位",
        "竣工（验收）",
    ]
    for row in table:  # never an empty section: a record, or why none applies
        assert row[1] and row[1] != "—", row
    assert table[0][1] == "批复（闵数批〔2026〕21号）"
    assert table[0][4].startswith("逾期") and "2026-04-14" in table[0][4]
    assert table[1][1] == "不适用：尚未启动采购"


def test_records_from_before_the_registry_are_not_judged(tmp_path: Path) -> None:
    """A registry adopted with projects already far along: their records predate its history."""
    root = make_registry(tmp_path / "r", {PATH: project(DECLARED, INTAKE, IN_LIBRARY)})
    git(root, "init", "-q", "-b", "main")
    commit_at(root, "建立登记册", "2026-09-01")
    build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    page = plain((root / "build" / "docs" / "disclosure.md").read_text(encoding="utf-8"))
    assert "核对了 0 项决定，其中 0 项超过" in page


def test_baseline_and_a_rebaseline_are_dated_events(tmp_path: Path) -> None:
    """The total approved stays on the page next to the current one, and a later change of it is
    listed with its date (the IT Dashboard's re-baselining hid variance: GAO-14-64)."""
    approved = {"stage": "approved", "date": dt.date(2026, 6, 8), "ref": "闵数批〔2026〕9号"}
    root = make_registry(tmp_path / "r", {})
    git(root, "init", "-q", "-b", "main")
    commit_at(root, "建立登记册", "2026-01-05")
    data = project(DECLARED)
    write_project(root, PATH, data)
    commit_at(root, "申报", "2026-02-03")
    data = project(DECLARED, INTAKE, IN_LIBRARY, approved)
    write_project(root, PATH, data)
    commit_at(root, "批复", "2026-06-09")
    total = data["budget"]["total"]  # type: ignore[index]
    data["budget"] = {**data["budget"], "total": total * 1.2}  # type: ignore[dict-item]
    write_project(root, PATH, data)
    commit_at(root, "调整总投资", "2026-07-06")
    build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    page = (root / "build" / "docs" / "projects" / "MH-2026-021.md").read_text(encoding="utf-8")
    shown = plain(page)
    assert f"批复时的总投资为 {total:g} 万元（2026-06-09 合并）" in shown
    [row] = [[plain(c) for c in r] for r in rows(page, "投资调整")]
    assert row[0] == "2026-07-06"
    assert float(row[1].replace(",", "")) == total and float(row[2].replace(",", "")) == total * 1.2


def test_page_links_the_file_history_on_the_forge(tmp_path: Path) -> None:
    root = make_registry(tmp_path / "r", {PATH: project(DECLARED, INTAKE)})
    (root / "govsite.toml").write_text(
        '[site]\nhistory = "https://git.example.gov.cn/registry/-/commits/main/{path}"\n', encoding="utf-8"
    )
    git(root, "init", "-q", "-b", "main")
    commit_at(root, "建立登记册", "2026-09-01")
    build_site(root, root / "site", today=TODAY, run_mkdocs=False)
    import html

    raw = (root / "build" / "docs" / "projects" / "MH-2026-021.md").read_text(encoding="utf-8")
    link = f'<a href="https://git.example.gov.cn/registry/-/commits/main/{PATH}">查看项目文件的修改历史</a>'
    assert link in html.unescape(raw)
    assert "本项目数据最近一次变更：2026-09-01" in plain(raw)


def test_a_history_link_without_the_path_is_refused(tmp_path: Path) -> None:
    from govsite.errors import GovsiteError

    root = make_registry(tmp_path / "r", {PATH: project(DECLARED)})
    (root / "govsite.toml").write_text('[site]\nhistory = "https://git.example.gov.cn/"\n', encoding="utf-8")
    with pytest.raises(GovsiteError, match=re.escape("history 应为含 {path} 的链接")):
        build_site(root, root / "site", today=TODAY, run_mkdocs=False)


def test_stage_records_show_when_they_reached_the_registry(registry: Path) -> None:
    page = (registry / "build" / "docs" / "projects" / "MH-2026-021.md").read_text(encoding="utf-8")
    table = [[plain(c) for c in r] for r in rows(page, "阶段记录")]
    assert [(r[0], r[1], r[5]) for r in table] == [
        ("申报", "2026-02-02", "2026-02-03"),
        ("受理", "2026-02-06", "2026-02-09"),
        ("入库", "2026-03-02", "2026-03-03"),
        ("批复", "2026-03-16", "2026-06-01"),
    ]
