"""`govsite check` against real git repositories: a pull request as a branch, judged by the base."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from support import REPO, base_project, git, govsite, init_repo, make_registry, write_project

EXISTING = "submissions/minhang/MH-2026-001.yaml"
NEW = "submissions/minhang/MH-2026-002.yaml"
TODAY = "2026-03-04"


def declared(project_id: str, **extra: Any) -> dict[str, Any]:
    data = base_project(id=project_id, **extra)
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    data["stage"] = "declared"
    return data


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_registry(tmp_path / "registry", {EXISTING: declared("MH-2026-001")})
    init_repo(root)
    git(root, "checkout", "-q", "-b", "pr")
    return root


def advance(root: Path, relative: str, stage: str, date: str) -> None:
    data = declared(Path(relative).stem)
    data["stages"].append({"stage": stage, "date": date})
    data["stage"] = stage
    write_project(root, relative, data)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def check(root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    done = govsite("check", "--base", "main", "--format", "json", "--today", TODAY, *extra, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def by_path(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["path"]: p for p in report["projects"]}


def test_declaration_and_stage_change(repo: Path) -> None:
    write_project(repo, NEW, declared("MH-2026-002", name="闵行区综合执法管理平台项目"))
    advance(repo, EXISTING, "intake", "2026-03-04")
    commit(repo, "申报 MH-2026-002；受理 MH-2026-001")

    code, report = check(repo)

    # the only finding of weight is a naming warning (第十四条: a name in the wrong form does not stop a project)
    assert code == 0 and report["ok"] is True and report["mode"] == "check"
    projects = by_path(report)
    assert set(projects) == {EXISTING, NEW}

    new = projects[NEW]
    assert (new["stage_from"], new["stage_to"]) == (None, "declared")
    assert new["policy"]["document_number"] == "闵府办发〔2025〕24号"
    [naming] = [f for f in new["findings"] if f["rule"] == "MH-08"]
    assert naming["severity"] == "warning" and naming["article"] == "第十四条"
    assert naming["line"] == 2 and naming["field"] == "name"
    assert "应改为“闵行区综合执法管理平台建设项目”" in naming["message"]
    [intake] = [r for r in new["route"] if r["rule"] == "MH-09"]
    assert (intake["role"], intake["role_name"], intake["article"]) == ("data_bureau", "区数据局", "第十五条")
    [intake_clock] = [d for d in new["deadlines"] if d["rule"] == "MH-09"]
    assert intake_clock["due"] == "2026-03-09" and intake_clock["status"] == "pending"

    existing = projects[EXISTING]
    assert (existing["stage_from"], existing["stage_to"]) == ("declared", "intake")
    assert [f for f in existing["findings"] if f["severity"] == "error"] == []
    [met] = [d for d in existing["deadlines"] if d["rule"] == "MH-09"]
    assert met["status"] == "met"


def test_illegal_transition_is_an_error(repo: Path) -> None:
    advance(repo, EXISTING, "approved", "2026-03-04")
    commit(repo, "直接批复")

    code, report = check(repo)

    assert code == 1
    [project] = report["projects"]
    [transition] = [f for f in project["findings"] if f["rule"] == "transition"]
    assert transition["severity"] == "error"
    assert transition["message"] == "不允许从“申报”直接进入“批复”"
    assert transition["line"] > 1


def test_text_output_names_file_line_rule_and_article(repo: Path) -> None:
    advance(repo, EXISTING, "approved", "2026-03-04")
    commit(repo, "直接批复")
    done = govsite("check", "--base", "main", "--today", TODAY, cwd=repo)
    assert done.returncode == 1
    assert f"{EXISTING}:24:10: 错误 [transition] 不允许从“申报”直接进入“批复”" in done.stdout


def without_a_plan(project_id: str) -> dict[str, Any]:
    """A declaration without its construction plan: 第十二条 (MH-07) makes it an error."""
    data = declared(project_id)
    data["materials"] = [m for m in data["materials"] if m["kind"] != "construction_plan"]
    return data


def test_pull_request_is_judged_by_the_base_policies(repo: Path) -> None:
    # The pull request deletes the materials rule and brings a declaration without a plan: the base rule holds.
    (repo / "policies/minhang-2025/rules/MH-07.yaml").unlink()
    write_project(repo, NEW, without_a_plan("MH-2026-002"))
    commit(repo, "删掉申报材料规则")

    code, report = check(repo)

    assert code == 1
    assert any("仍按目标分支上的政策" in note for note in report["notes"])
    [project] = [p for p in report["projects"] if p["path"] == NEW]
    assert [f["rule"] for f in project["findings"] if f["severity"] == "error"] == ["MH-07"]


def test_deleting_a_project_is_an_error(repo: Path) -> None:
    (repo / EXISTING).unlink()
    commit(repo, "删除项目")
    code, report = check(repo)
    assert code == 1
    assert "不能删除" in report["projects"][0]["findings"][0]["message"]


def test_rewriting_history_is_an_error(repo: Path) -> None:
    data = declared("MH-2026-001")
    data["stages"][0]["date"] = "2026-03-01"
    write_project(repo, EXISTING, data)
    commit(repo, "改日期")
    code, report = check(repo)
    assert code == 1
    assert any("不能修改或删除" in f["message"] for f in report["projects"][0]["findings"])


def test_yaml_error_in_pull_request_is_reported_with_position(repo: Path) -> None:
    (repo / NEW).write_text("id: MH-2026-002\nname: 名称\n  district: minhang\n", encoding="utf-8")
    commit(repo, "坏文件")
    code, report = check(repo)
    assert code == 1
    [finding] = report["projects"][0]["findings"]
    assert (finding["rule"], finding["line"]) == ("yaml-syntax", 3)


def test_a_change_outside_submissions_is_reported_with_its_owners(repo: Path) -> None:
    (repo / "README.md").write_text("说明\n", encoding="utf-8")
    commit(repo, "说明")
    code, report = check(repo)
    assert (code, report["ok"]) == (0, True)
    [readme] = report["projects"]
    [finding] = readme["findings"]
    assert (readme["path"], finding["rule"], finding["severity"]) == (
        "README.md",
        "protected-path",
        "warning",
    )
    assert "须由登记册维护人员审核" in finding["message"]
    assert readme["route"][0]["role"] == "maintainers"


def test_unknown_base_is_a_usage_error(repo: Path) -> None:
    done = govsite("check", "--base", "no-such-branch", cwd=repo)
    assert done.returncode == 2
    assert "找不到提交" in done.stderr


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copytree(Path(__file__).parent.parent / "policies", tmp_path / "policies")
    done = govsite("check", "--base", "main", cwd=tmp_path)
    assert done.returncode == 2
    assert "不是 Git 仓库" in done.stderr


def test_rules_across_the_registry_see_the_pull_requests_head(repo: Path) -> None:
    """An O&M declaration whose system is a registry project still under construction is refused
    (第三十八条（五）), and the finding names that project."""
    built = declared("MH-2026-001")
    built["stages"] += [
        {"stage": "intake", "date": "2026-03-04"},
        {"stage": "in_library", "date": "2026-03-20", "outcome": "supported"},
        {"stage": "approved", "date": "2026-04-01", "ref": "闵数批〔2026〕9号"},
        {"stage": "under_construction", "date": "2026-04-10"},
    ]
    built["stage"] = "under_construction"
    write_project(repo, EXISTING, built)
    commit(repo, "建设中")
    git(repo, "branch", "-f", "main", "HEAD")  # the construction history is on main already
    operation = declared(
        "MH-2026-002",
        type="operation",
        mode=None,
        name="闵行区示例业务管理系统（27年运维）项目",
        budget_year=2027,
        materials=[
            {"kind": "om_plan", "title": "运维方案", "date": "2026-03-01"},
            {"kind": "acceptance_materials", "title": "验收材料", "date": "2026-03-01"},
        ],
        operation={
            "system": "MH-2026-001",
            "first_time": True,
            "data_shared": True,
            "on_government_cloud": True,
            "crypto_security_compliant": True,
            "major_security_hazard": False,
            "in_use": True,
            "content_matches": True,
            "approved_by_data_bureau": True,
            "acceptance_report_available": True,
            "performance_tracking_passed": True,
        },
    )
    write_project(repo, NEW, operation)
    commit(repo, "申报运维")

    code, report = check(repo)

    assert code == 1
    [project] = report["projects"]
    [refusal] = [f for f in project["findings"] if f["rule"] == "MH-25" and f["severity"] == "error"]
    assert "MH-2026-001" in refusal["message"] and "尚未通过验收" in refusal["message"]
    assert refusal["related"] == ["MH-2026-001"]
    assert refusal["field"] == "operation.system"


# The ways a pull request tried to get past the check (issue: "A check that no pull request can escape").


def test_back_dating_a_declaration_does_not_switch_the_rules_off(repo: Path) -> None:
    """Moving the recorded declaration before the regulation's effective date used to select no
    regulation at all, and the history check went with it."""
    data = declared("MH-2026-001")
    data["stages"][0]["date"] = "2024-01-02"
    write_project(repo, EXISTING, data)
    commit(repo, "改申报日期")

    code, report = check(repo)

    assert code == 1
    [project] = report["projects"]
    assert project["policy"]["id"] == "minhang-2025"  # chosen from the base's record, not the head's
    [rewrite] = [f for f in project["findings"] if f["rule"] == "transition"]
    assert rewrite["message"] == "已记录的阶段历史不能修改或删除" and rewrite["field"] == "stages.0"
    assert not [f for f in project["findings"] if f["rule"] == "policy"]


def test_a_second_file_for_an_existing_id_is_refused_whatever_its_extension(repo: Path) -> None:
    copy = "submissions/minhang/MH-2026-001.yml"
    write_project(repo, copy, declared("MH-2026-001", name="闵行区另一个系统建设项目"))
    commit(repo, "同号的 .yml")

    code, report = check(repo)

    assert code == 1
    [result] = report["projects"]
    assert result["path"] == copy
    [duplicate] = [f for f in result["findings"] if f["rule"] == "duplicate-id"]
    assert duplicate["related"] == [EXISTING] and "MH-2026-001" in duplicate["message"]


@pytest.mark.parametrize(
    "name", ["submissions/minhang/mh-2026-001.yaml", "submissions/qingpu/MH-2026-001.yaml"]
)
def test_an_id_is_one_name_in_the_whole_registry(repo: Path, name: str) -> None:
    write_project(repo, name, declared("MH-2026-001"))
    commit(repo, "同号")
    code, report = check(repo)
    assert code == 1
    [result] = [p for p in report["projects"] if p["path"] == name]
    assert "duplicate-id" in {f["rule"] for f in result["findings"]}


GONGSHU = "submissions/gongshu/GS-2026-003.yaml"
PLAN = "submissions/gongshu/plans/GS-2026-003.md"


@pytest.fixture
def gongshu_repo(tmp_path: Path) -> Path:
    root = make_registry(tmp_path / "registry")
    for relative in (GONGSHU, PLAN):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / relative).read_bytes())
    init_repo(root)
    git(root, "checkout", "-q", "-b", "pr")
    return root


def test_emptying_a_plan_document_re_checks_the_project_that_uses_it(gongshu_repo: Path) -> None:
    (gongshu_repo / PLAN).write_text("# 建设方案\n", encoding="utf-8")
    commit(gongshu_repo, "清空建设方案")

    code, report = check(gongshu_repo, "--today", "2026-11-22")

    assert code == 1
    [project] = report["projects"]
    assert project["path"] == GONGSHU
    assert project["findings"][0]["rule"] == "document" and project["findings"][0]["related"] == [PLAN]
    sections = [f for f in project["findings"] if f["rule"] == "GS-14" and f["severity"] == "error"]
    assert sections and all(f["article"].startswith("附件") for f in sections)


def test_deleting_a_referenced_document_is_an_error(gongshu_repo: Path) -> None:
    (gongshu_repo / PLAN).unlink()
    commit(gongshu_repo, "删除建设方案")
    code, report = check(gongshu_repo, "--today", "2026-11-22")
    assert code == 1
    [project] = report["projects"]
    [gone] = [f for f in project["findings"] if f["rule"] == "document" and f["severity"] == "error"]
    assert PLAN in gone["message"] and gone["field"].startswith("materials.")


def test_a_stale_branch_is_judged_by_the_rules_main_has_now(repo: Path) -> None:
    """The branch was cut before main tightened a rule: what is checked is the merge with main's tip."""
    write_project(repo, NEW, declared("MH-2026-002", summary="短"))
    commit(repo, "申报")
    git(repo, "checkout", "-q", "main")
    rule = repo / "policies/minhang-2025/rules/MH-99.yaml"
    rule.write_text(
        """id: MH-99
kind: [gate]
articles: ["14"]
title: 申报须写建设内容摘要
text: 申报时须写明建设内容摘要，不少于十个字。
checks:
  - require: has(project.summary) && size(project.summary) >= 10
    field: summary
    message: 建设内容摘要不少于十个字
examples:
  - {name: 有摘要, project: {summary: 建设一个完整的示例业务管理系统。}, expect: pass}
  - {name: 太短, project: {summary: 短}, expect: fail}
""",
        encoding="utf-8",
    )
    commit(repo, "收紧申报要求")
    git(repo, "checkout", "-q", "pr")

    code, report = check(repo)

    assert code == 1
    [project] = report["projects"]
    [tightened] = [f for f in project["findings"] if f["rule"] == "MH-99"]
    assert tightened["severity"] == "error" and tightened["field"] == "summary"
    assert report["base"] == git(repo, "rev-parse", "main").strip()


def test_a_conflict_with_main_is_reported_not_guessed(repo: Path) -> None:
    advance(repo, EXISTING, "intake", "2026-03-04")
    commit(repo, "受理")
    git(repo, "checkout", "-q", "main")
    advance(repo, EXISTING, "correction", "2026-03-03")
    commit(repo, "补正")
    git(repo, "checkout", "-q", "pr")
    code, report = check(repo)
    assert code == 1
    [finding] = report["projects"][0]["findings"]
    assert finding["rule"] == "merge-conflict" and EXISTING in finding["message"]


def test_a_new_declaration_dated_before_every_regulation_is_an_error(repo: Path) -> None:
    data = declared("MH-2026-002")
    data["stages"][0]["date"] = "2020-03-02"
    write_project(repo, NEW, data)
    commit(repo, "倒签")
    code, report = check(repo)
    assert code == 1
    [policy] = [f for f in report["projects"][0]["findings"] if f["rule"] == "policy"]
    assert policy["severity"] == "error" and "没有适用的政策" in policy["message"]


def test_a_stage_reached_after_today_is_an_error(repo: Path) -> None:
    advance(repo, EXISTING, "intake", "2026-03-20")
    commit(repo, "预先受理")
    code, report = check(repo)  # today is 2026-03-04
    assert code == 1
    [future] = [f for f in report["projects"][0]["findings"] if "晚于今天" in f["message"]]
    assert future["field"] == "stages.1.date"


def test_links_hidden_and_non_ascii_names_under_submissions_are_findings(repo: Path) -> None:
    (repo / "submissions/minhang/MH-2026-003.yaml").symlink_to("MH-2026-001.yaml")
    write_project(repo, "submissions/minhang/.MH-2026-004.yaml", declared("MH-2026-004"))
    write_project(repo, "submissions/minhang/MH-٢٠٢٦-٠٠٥.yaml", declared("MH-2026-005"))
    commit(repo, "花样")
    code, report = check(repo)
    assert code == 1
    messages = {p["path"]: " ".join(f["message"] for f in p["findings"]) for p in report["projects"]}
    assert "符号链接" in messages["submissions/minhang/MH-2026-003.yaml"]
    assert "隐藏文件" in messages["submissions/minhang/.MH-2026-004.yaml"]
    assert "只能用英文字母" in messages["submissions/minhang/MH-٢٠٢٦-٠٠٥.yaml"]
