"""A pull request that changes a pack shows, in `check`, every project whose verdict it changes:
the whole registry judged under the base's packs and under the pull request's."""

from __future__ import annotations

import json
from pathlib import Path

from support import base_project, git, govsite, init_repo, make_registry

DAY = {"GOVSITE_TODAY": "2026-11-22"}
NEW_RULE = """\
id: MH-33
kind: [gate]
articles: ["12"]
title: 申报须附可行性研究报告（测试用的新规则）
text: 测试用的新规则：申报的建设项目须附可行性研究报告。
applies: project.type == 'construction'
checks:
  - when: "'declared' in reached"
    require: "'feasibility_study' in materials"
    severity: warning
    wording: 不得分拆申报
    severity_reason: 测试用
    field: materials
    message: 材料中没有可行性研究报告
    hint: 附上可行性研究报告。
examples:
  - name: 有报告
    project: {materials: [{kind: feasibility_study, title: 可研, date: 2026-06-10}]}
    expect: pass
  - name: 没有报告
    expect: fail
"""


def _registry(tmp_path: Path) -> Path:
    with_report = base_project(id="MH-2026-002", name="闵行区示例二号业务管理系统建设项目")
    with_report["materials"] = [
        *with_report["materials"],
        {"kind": "feasibility_study", "title": "可研", "date": "2026-06-10"},
    ]
    root = make_registry(
        tmp_path / "registry",
        {
            "submissions/minhang/MH-2026-001.yaml": base_project(),
            "submissions/minhang/MH-2026-002.yaml": with_report,
            "submissions/minhang/MH-2026-003.yaml": base_project(
                id="MH-2026-003", name="闵行区示例三号业务管理系统建设项目"
            ),
        },
    )
    init_repo(root)
    return root


def _pull_request(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message)


def test_a_pull_request_that_adds_a_rule_shows_the_projects_it_changes(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    git(root, "checkout", "-q", "-b", "pr")
    (root / "policies" / "minhang-2025" / "rules" / "MH-33.yaml").write_text(NEW_RULE, encoding="utf-8")
    _pull_request(root, "新增规则 MH-33")
    done = govsite("check", "--base", "main", "--format", "json", cwd=root, env=DAY)
    assert done.returncode in (0, 1), done.stderr
    impact = json.loads(done.stdout)["impact"]
    assert impact["judged"] == 3
    assert impact["by_rule"] == [{"rule": "MH-33", "appeared": 2, "disappeared": 0}]
    changed = {c["project"]: c for c in impact["changes"]}
    assert set(changed) == {"MH-2026-001", "MH-2026-003"}  # MH-2026-002 has the report
    assert changed["MH-2026-001"]["appeared"] == [
        {"kind": "finding", "rule": "MH-33", "text": "警告：材料中没有可行性研究报告"}
    ]
    assert impact["summary"].endswith("2 个项目的结论改变（MH-33 2 个项目新出现）。")
    # the reviewer's comment and the text output say it too
    markdown = govsite("check", "--base", "main", "--format", "markdown", cwd=root, env=DAY).stdout
    assert "### 政策包修改的影响" in markdown and "| MH&#45;33 | 2 | 0 |" in markdown
    text = govsite("check", "--base", "main", cwd=root, env=DAY).stdout
    assert "+ 警告：材料中没有可行性研究报告 [MH-33]" in text
    # and the maintainers' own command, without a pull request
    alone = govsite("policy", "impact", "--base", "main", "--format", "json", cwd=root, env=DAY)
    assert alone.returncode == 0, alone.stderr
    assert json.loads(alone.stdout)["impact"]["changes"] == impact["changes"]


def test_removing_a_rule_shows_what_disappears_and_a_project_only_change_shows_no_impact(
    tmp_path: Path,
) -> None:
    root = _registry(tmp_path)
    (root / "policies" / "minhang-2025" / "rules" / "MH-33.yaml").write_text(NEW_RULE, encoding="utf-8")
    _pull_request(root, "MH-33")
    git(root, "checkout", "-q", "-b", "pr")
    (root / "policies" / "minhang-2025" / "rules" / "MH-33.yaml").unlink()
    _pull_request(root, "废止 MH-33")
    impact = json.loads(
        govsite("policy", "impact", "--base", "main", "--format", "json", cwd=root, env=DAY).stdout
    )["impact"]
    assert impact["by_rule"] == [{"rule": "MH-33", "appeared": 0, "disappeared": 2}]
    # a pull request that changes no pack is not judged twice
    git(root, "checkout", "-q", "main")
    git(root, "checkout", "-q", "-b", "project-only")
    data = base_project(id="MH-2026-004", name="闵行区示例四号业务管理系统建设项目")
    from support import write_project

    write_project(root, "submissions/minhang/MH-2026-004.yaml", data)
    _pull_request(root, "申报")
    done = json.loads(govsite("check", "--base", "main", "--format", "json", cwd=root, env=DAY).stdout)
    assert "impact" not in done
