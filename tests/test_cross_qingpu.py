"""青浦 rules across the registry, through the real CLI on real registry files.

Each test writes two or more project files (built from the 青浦 pack's examples/base.yaml) into a
temporary registry, runs `govsite validate --format json`, and checks that the finding is there for
the right reason — rule, severity, wording — and names the other project in its message and in
`related`; a counterpart shows the same registry without the problem passes that rule.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from support import POLICIES, govsite, make_registry

from govsite.policy.selftest import deep_merge

BASE = POLICIES / "qingpu-2024" / "examples" / "base.yaml"
TODAY = "2026-11-22"


def qingpu_project(overrides: dict[str, Any]) -> dict[str, Any]:
    """A clean 青浦 declaration (the pack's examples/base.yaml) with `overrides` merged over it."""
    base = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    return deep_merge(copy.deepcopy(base), overrides)


def path_of(project: dict[str, Any]) -> str:
    return f"submissions/qingpu/{project['id']}.yaml"


def validate(tmp_path: Path, *projects: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Write the projects into a fresh registry, validate all of them: path → project result."""
    root = make_registry(tmp_path / "registry", {path_of(p): p for p in projects})
    done = govsite("validate", "submissions/qingpu", "--format", "json", "--today", TODAY, cwd=root)
    assert done.stderr == ""
    assert done.returncode in (0, 1), done.stdout
    results = {p["path"]: p for p in json.loads(done.stdout)["projects"]}
    assert set(results) == {path_of(p) for p in projects}
    return results


def findings(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["rule"] == rule]


def declared(on: dt.date, *later: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"stage": "declared", "date": on}, *later]


# ---------------------------------------------------------------------------------------------
# QP-05 第七条（三）：每年同一大系统下新增的子系统级项目不超过 2 个


def _subsystem(project_id: str, name: str, on: dt.date, **extra: Any) -> dict[str, Any]:
    return qingpu_project(
        {
            "id": project_id,
            "name": name,
            "budget_year": 2027,
            "stages": declared(on),
            "stage": "declared",
            **extra,
        }
    )


def _three_subsystems(third_parent: str) -> tuple[dict[str, Any], ...]:
    first = _subsystem("QP-2026-011", "青浦区智慧卫健平台家庭医生签约子系统建设项目", dt.date(2026, 3, 2))
    second = _subsystem("QP-2026-012", "青浦区智慧卫健平台院前急救调度子系统建设项目", dt.date(2026, 3, 9))
    third = _subsystem(
        "QP-2026-013",
        "青浦区智慧卫健平台医疗废物监管子系统建设项目",
        dt.date(2026, 3, 16),
        attributes={"parent_system": third_parent},
    )
    for project in (first, second, third):
        # accepted for review in time, and decided within 20 working days: only QP-05 is at stake
        project["stage"] = "in_library"
        project["stages"] += [
            {"stage": "intake", "date": project["stages"][0]["date"] + dt.timedelta(days=3)},
            {"stage": "in_library", "date": dt.date(2026, 3, 31), "outcome": "approved"},
        ]
    return first, second, third


def test_third_new_subsystem_under_one_big_system_in_a_year_is_flagged(tmp_path: Path) -> None:
    # the same 大系统, written without the district prefix
    first, second, third = _three_subsystems("智慧卫健平台")
    results = validate(tmp_path, first, second, third)

    flagged = findings(results[path_of(third)], "QP-05")
    assert len(flagged) == 1
    finding = flagged[0]
    assert finding["severity"] == "warning"
    assert finding["article"] == "第七条"
    assert "不超过 2 个" in finding["message"] and "2027 年度" in finding["message"]
    assert "本项目是第 3 个" in finding["message"]
    for other in (first, second):
        assert other["id"] in finding["message"] and other["name"] in finding["message"]
        assert path_of(other) in finding["message"]
    assert sorted(finding["related"]) == [first["id"], second["id"]]
    assert finding["field"] == "attributes.parent_system"
    # the two declared first are within the quota
    assert not findings(results[path_of(first)], "QP-05")
    assert not findings(results[path_of(second)], "QP-05")
    # nothing else is wrong with these files
    for result in results.values():
        assert {f["rule"] for f in result["findings"] if f["severity"] != "info"} <= {"QP-05"}


def test_third_new_subsystem_under_another_big_system_passes(tmp_path: Path) -> None:
    first, second, third = _three_subsystems("青浦区智慧医保平台")
    results = validate(tmp_path, first, second, third)
    for result in results.values():
        assert not findings(result, "QP-05")
        assert result["ok"]


# ---------------------------------------------------------------------------------------------
# QP-14 第十七条（一）3：每个预算主管部门备案项目总金额不超过上年度信息化建设资金的 3%


def _filing(project_id: str, name: str, total: float, on: dt.date, funds: float = 3000) -> dict[str, Any]:
    return qingpu_project(
        {
            "id": project_id,
            "name": name,
            "project_unit": "区教育局",
            "budget_authority": "区教育局",
            "mode": "upgrade",
            "original_project": "青教信〔2023〕12号",
            "budget_year": 2026,
            "review_track": "filing",
            "attributes": {"system_level": "module", "parent_system": "青浦区智慧教育平台"},
            "budget": {"total": total, "software_development": total - 3},
            "local": {"architecture_unchanged": True, "build_months": 3, "previous_year_it_funds": funds},
            "stage": "intake",
            "stages": declared(on, {"stage": "intake", "date": on + dt.timedelta(days=2)}),
            "materials": [
                {"kind": "requirement_statement", "title": "需求说明材料", "date": on},
                {"kind": "feasibility_study", "title": "可行性研究报告", "date": on},
                {"kind": "basis_documents", "title": "依据文件", "date": on},
                {"kind": "original_approval", "title": "原项目立项批复", "date": dt.date(2023, 3, 15)},
                {"kind": "original_contract", "title": "原项目建设合同", "date": dt.date(2023, 5, 10)},
                {"kind": "original_test_report", "title": "原项目测评报告", "date": dt.date(2024, 1, 18)},
                {"kind": "acceptance_opinion", "title": "原项目验收意见", "date": dt.date(2024, 2, 28)},
            ],
        }
    )


def test_filing_projects_over_three_percent_of_last_years_funds_are_flagged(tmp_path: Path) -> None:
    earlier = _filing(
        "QP-2026-021", "青浦区智慧教育平台学生综合素质评价子系统建设项目(升级改造)", 45, dt.date(2026, 1, 12)
    )
    later = _filing(
        "QP-2026-022", "青浦区智慧教育平台教师研修管理子系统建设项目(升级改造)", 48, dt.date(2026, 7, 6)
    )
    # a different spelling of the same A-class budget authority still counts as the same one
    earlier["budget_authority"] = "上海市青浦区教育局"
    results = validate(tmp_path, earlier, later)

    flagged = findings(results[path_of(later)], "QP-14")
    assert len(flagged) == 1
    finding = flagged[0]
    assert finding["severity"] == "warning"
    assert finding["article"] == "第十七条"
    assert "3%（90 万元）" in finding["message"] and "累计 93 万元" in finding["message"]
    assert earlier["id"] in finding["message"] and earlier["name"] in finding["message"]
    assert finding["related"] == [earlier["id"]]
    assert not findings(results[path_of(earlier)], "QP-14")


def test_filing_projects_exactly_at_three_percent_pass(tmp_path: Path) -> None:
    earlier = _filing(
        "QP-2026-021", "青浦区智慧教育平台学生综合素质评价子系统建设项目(升级改造)", 45, dt.date(2026, 1, 12)
    )
    later = _filing(
        "QP-2026-022", "青浦区智慧教育平台教师研修管理子系统建设项目(升级改造)", 45, dt.date(2026, 7, 6)
    )
    results = validate(tmp_path, earlier, later)
    for result in results.values():
        assert not findings(result, "QP-14")
        assert result["ok"]


def test_filing_projects_stating_different_funds_are_flagged(tmp_path: Path) -> None:
    earlier = _filing(
        "QP-2026-021", "青浦区智慧教育平台学生综合素质评价子系统建设项目(升级改造)", 20, dt.date(2026, 1, 12)
    )
    later = _filing(
        "QP-2026-022",
        "青浦区智慧教育平台教师研修管理子系统建设项目(升级改造)",
        20,
        dt.date(2026, 7, 6),
        funds=2600,
    )
    results = validate(tmp_path, earlier, later)
    flagged = findings(results[path_of(later)], "QP-14")
    assert [f["severity"] for f in flagged] == ["warning"]
    assert "不一致" in flagged[0]["message"] and earlier["id"] in flagged[0]["message"]
    assert flagged[0]["related"] == [earlier["id"]]
    assert flagged[0]["field"] == "local.previous_year_it_funds"


# ---------------------------------------------------------------------------------------------
# QP-15 第十九条：评审否定的项目不得再次申报；暂缓的项目在下一年度重新申报


def _decided(project_id: str, outcome: str, on: dt.date) -> dict[str, Any]:
    """A 2026 project declared in May 2025 and decided (rejected or deferred) in June 2025."""
    return qingpu_project(
        {
            "id": project_id,
            "stage": outcome,
            "stages": declared(
                dt.date(2025, 5, 12),
                {"stage": "intake", "date": dt.date(2025, 5, 16)},
                {"stage": outcome, "date": on, "outcome": outcome},
            ),
        }
    )


def _redeclared(project_id: str, **extra: Any) -> dict[str, Any]:
    """A 2027 declaration in June 2026, sent back for correction (no clock left running)."""
    return qingpu_project(
        {
            "id": project_id,
            "budget_year": 2027,
            "stage": "correction",
            "stages": declared(dt.date(2026, 6, 10), {"stage": "correction", "date": dt.date(2026, 6, 15)}),
            **extra,
        }
    )


def test_declaring_a_rejected_project_again_is_refused(tmp_path: Path) -> None:
    rejected = _decided("QP-2025-031", "rejected", dt.date(2025, 6, 11))
    # the same name, written with a space after the district
    again = _redeclared("QP-2026-031", name="青浦区 智慧卫健平台居民健康档案子系统建设项目")
    results = validate(tmp_path, rejected, again)

    flagged = findings(results[path_of(again)], "QP-15")
    assert len(flagged) == 1
    finding = flagged[0]
    assert finding["severity"] == "error"
    assert finding["article"] == "第十九条"
    assert "不得再次申报" in finding["message"] and "2025-06-11 评审否定" in finding["message"]
    assert rejected["id"] in finding["message"] and path_of(rejected) in finding["message"]
    assert finding["related"] == [rejected["id"]]
    assert finding["field"] == "name"
    assert not results[path_of(again)]["ok"]
    assert not findings(results[path_of(rejected)], "QP-15")


def test_declaring_a_rejected_project_again_under_a_new_name_is_refused(tmp_path: Path) -> None:
    rejected = _decided("QP-2025-031", "rejected", dt.date(2025, 6, 11))
    again = _redeclared(
        "QP-2026-031",
        name="青浦区智慧卫健平台居民电子健康档案子系统建设项目",
        local={"previous_submission": rejected["id"]},
    )
    results = validate(tmp_path, rejected, again)
    flagged = findings(results[path_of(again)], "QP-15")
    assert [f["severity"] for f in flagged] == ["error"]
    assert rejected["id"] in flagged[0]["message"] and flagged[0]["related"] == [rejected["id"]]
    assert flagged[0]["field"] == "local.previous_submission"


def test_declaring_a_deferred_project_again_the_next_year_passes(tmp_path: Path) -> None:
    deferred = _decided("QP-2025-031", "deferred", dt.date(2025, 6, 11))
    again = _redeclared("QP-2026-031", local={"previous_submission": deferred["id"]})
    results = validate(tmp_path, deferred, again)
    for result in results.values():
        assert not findings(result, "QP-15")
        assert result["ok"]


def test_declaring_a_deferred_project_again_the_same_year_is_flagged(tmp_path: Path) -> None:
    deferred = _decided("QP-2025-031", "deferred", dt.date(2025, 6, 11))
    again = qingpu_project(
        {
            "id": "QP-2025-032",
            "stage": "correction",
            "stages": declared(dt.date(2025, 6, 23), {"stage": "correction", "date": dt.date(2025, 6, 26)}),
            "local": {"previous_submission": deferred["id"]},
        }
    )
    results = validate(tmp_path, deferred, again)
    flagged = findings(results[path_of(again)], "QP-15")
    assert [f["severity"] for f in flagged] == ["warning"]
    assert "下一年度" in flagged[0]["message"] and deferred["id"] in flagged[0]["message"]
    assert flagged[0]["related"] == [deferred["id"]]


# ---------------------------------------------------------------------------------------------
# QP-19 第二十三条：通过验收后方可申请运行维护或升级改造


def _built(project_id: str, *later: dict[str, Any]) -> dict[str, Any]:
    return qingpu_project(
        {
            "id": project_id,
            "budget_year": 2025,
            "stage": later[-1]["stage"],
            "stages": declared(
                dt.date(2025, 1, 6),
                {"stage": "intake", "date": dt.date(2025, 1, 9)},
                {"stage": "in_library", "date": dt.date(2025, 2, 10), "outcome": "approved"},
                {"stage": "approved", "date": dt.date(2025, 2, 20), "ref": "青数审〔2025〕5号"},
                *later,
            ),
        }
    )


def _operation(original: str) -> dict[str, Any]:
    return qingpu_project(
        {
            "id": "QP-2026-041",
            "type": "operation",
            "mode": None,
            "name": "青浦区智慧卫健平台居民健康档案子系统(2027年运维项目)",
            "budget_year": 2027,
            "original_project": original,
            "budget": {"total": 16, "software_development": 0},
            "stage": "correction",
            "stages": declared(dt.date(2026, 6, 15), {"stage": "correction", "date": dt.date(2026, 6, 18)}),
            "materials": [
                {"kind": "om_plan", "title": "运维方案", "date": dt.date(2026, 6, 10)},
                {"kind": "data_governance_plan", "title": "数据治理方案", "date": dt.date(2026, 6, 10)},
                {"kind": "acceptance_materials", "title": "项目验收材料", "date": dt.date(2026, 6, 10)},
            ],
        }
    )


def test_operation_of_a_system_not_yet_accepted_is_refused(tmp_path: Path) -> None:
    building = _built("QP-2025-041", {"stage": "under_construction", "date": dt.date(2025, 3, 3)})
    operation = _operation(building["id"])
    results = validate(tmp_path, building, operation)

    flagged = findings(results[path_of(operation)], "QP-19")
    assert len(flagged) == 1
    finding = flagged[0]
    assert finding["severity"] == "warning"  # 原则上: a warning
    assert "通过验收后方可申请项目的运行维护" in finding["message"] and "尚未通过验收" in finding["message"]
    assert building["id"] in finding["message"] and path_of(building) in finding["message"]
    assert finding["related"] == [building["id"]]
    assert finding["field"] == "original_project"


def test_operation_of_an_accepted_system_passes(tmp_path: Path) -> None:
    accepted = _built(
        "QP-2025-041",
        {"stage": "under_construction", "date": dt.date(2025, 3, 3)},
        {"stage": "accepted", "date": dt.date(2025, 11, 20)},
        {"stage": "in_operation", "date": dt.date(2025, 12, 1)},
    )
    operation = _operation(accepted["id"])
    results = validate(tmp_path, accepted, operation)
    assert not findings(results[path_of(operation)], "QP-19")
    assert results[path_of(operation)]["ok"]
