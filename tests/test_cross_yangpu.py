"""杨浦 rules across the registry, through the real CLI on a registry of several project files.

YP-08 (规则 五(四)3): after three failed third-party reviews or two failed expert reviews of one of
its projects, a unit may not declare for six months. YP-14 (规则 五(五)7): the upgrade or O&M of a
project that has not passed its completion acceptance is not taken in. Each finding must come from
the right rule, be an error, say why, and name the other project in its message and in `related`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from support import POLICIES, govsite, make_registry

TODAY = "2026-11-22"
PACK = "yangpu-2023"
YANGPU_BASE = POLICIES / PACK / "examples" / "base.yaml"


def yangpu_project(**overrides: Any) -> dict[str, Any]:
    """A clean 杨浦 declaration (the pack's examples/base.yaml) with some top-level fields replaced."""
    data = copy.deepcopy(yaml.safe_load(YANGPU_BASE.read_text(encoding="utf-8")))
    data.update(overrides)
    return data


def registry(root: Path, *projects: dict[str, Any]) -> Path:
    """A registry holding `projects` under submissions/yangpu/, judged by the 杨浦 pack only (the
    other districts' packs play no part in these rules)."""
    make_registry(root, {f"submissions/yangpu/{p['id']}.yaml": p for p in projects})
    for pack in (root / "policies").iterdir():
        if pack.is_dir() and pack.name != PACK:
            shutil.rmtree(pack)
    return root


def validate(root: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    done = govsite("validate", "submissions/", "--format", "json", "--today", TODAY, cwd=root)
    assert done.stderr == "", done.stderr
    run = json.loads(done.stdout)
    return done.returncode, {p["project"]: p for p in run["projects"]}


def findings(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["rule"] == rule and f["severity"] in ("error", "warning")]


# ------------------------------------------------------------------------------------------------ YP-08


def rejected_after_reviews(project_id: str, kind: str, dates: list[str], **overrides: Any) -> dict[str, Any]:
    """A project of 区示例局 the joint meeting turned down after failed reviews of `kind` on `dates`."""
    return yangpu_project(
        id=project_id,
        name="杨浦区示例档案管理系统建设项目",
        budget_year=2026,
        stage="rejected",
        stages=[
            {"stage": "declared", "date": "2025-12-01"},
            {"stage": "rejected", "date": "2026-05-20", "outcome": "rejected", "by": "区电子政务联席会议"},
        ],
        reviews=[{"kind": kind, "date": day, "result": "failed", "by": "论证评估机构"} for day in dates],
        **overrides,
    )


def declared_on(project_id: str, day: str, **overrides: Any) -> dict[str, Any]:
    return yangpu_project(id=project_id, stages=[{"stage": "declared", "date": day}], **overrides)


THIRD_PARTY_FAILURES = ["2026-01-20", "2026-03-18", "2026-05-06"]


def test_a_declaration_within_six_months_of_a_third_failed_third_party_review_is_refused(
    tmp_path: Path,
) -> None:
    root = registry(
        tmp_path,
        rejected_after_reviews("YP-2026-101", "third_party", THIRD_PARTY_FAILURES),
        declared_on("YP-2026-102", "2026-09-15", name="杨浦区示例执法记录管理系统建设项目"),
    )

    code, results = validate(root)

    assert code == 0  # 原则上: a warning, the run does not fail
    [refusal] = findings(results["YP-2026-102"], "YP-08")
    assert refusal["severity"] == "warning"  # 原则上: a warning
    assert refusal["article"] == "规则 五(四)3"
    message = refusal["message"]
    assert "区示例局" in message and "3 次第三方机构论证评估未能通过" in message
    assert "半年内不予再次申报" in message and "2026-11-06" in message  # six months after 2026-05-06
    assert "YP-2026-101" in message and "submissions/yangpu/YP-2026-101.yaml" in message
    assert refusal["related"] == ["YP-2026-101"]
    assert refusal["field"] == "stages.0.date"
    # the project that failed its reviews is not itself at fault
    assert findings(results["YP-2026-101"], "YP-08") == []


def test_two_failed_expert_reviews_suspend_the_unit_too(tmp_path: Path) -> None:
    root = registry(
        tmp_path,
        rejected_after_reviews(
            "YP-2026-101",
            "expert",
            ["2026-02-10", "2026-05-12"],
            budget={"total": 320},
            review_track="review",
        ),
        declared_on("YP-2026-102", "2026-10-30", name="杨浦区示例执法记录管理系统建设项目"),
    )

    code, results = validate(root)

    assert code == 0  # 原则上: a warning, the run does not fail
    [refusal] = findings(results["YP-2026-102"], "YP-08")
    assert refusal["severity"] == "warning"  # 原则上: a warning
    assert "2 次专家论证评估未能通过" in refusal["message"] and "YP-2026-101" in refusal["message"]
    assert refusal["related"] == ["YP-2026-101"]


def test_a_declaration_once_the_six_months_are_over_is_taken_in(tmp_path: Path) -> None:
    root = registry(
        tmp_path,
        rejected_after_reviews("YP-2026-101", "third_party", THIRD_PARTY_FAILURES),
        declared_on("YP-2026-102", "2026-11-06", name="杨浦区示例执法记录管理系统建设项目"),
    )

    code, results = validate(root)

    assert code == 0, results["YP-2026-102"]["findings"]
    assert findings(results["YP-2026-102"], "YP-08") == []


def test_another_units_failed_reviews_do_not_suspend_this_unit(tmp_path: Path) -> None:
    root = registry(
        tmp_path,
        rejected_after_reviews(
            "YP-2026-101",
            "third_party",
            THIRD_PARTY_FAILURES,
            project_unit="区另一局",
            budget_authority="区另一局",
        ),
        declared_on("YP-2026-102", "2026-09-15", name="杨浦区示例执法记录管理系统建设项目"),
    )

    code, results = validate(root)

    assert code == 0, results["YP-2026-102"]["findings"]
    assert findings(results["YP-2026-102"], "YP-08") == []


# ------------------------------------------------------------------------------------------------ YP-14


def built(project_id: str, final_stages: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """The original system: a filing-track project approved in 2025 and built in 2026."""
    return yangpu_project(
        id=project_id,
        name="杨浦区示例业务管理系统建设项目",
        budget_year=2026,
        stage=final_stages[-1]["stage"] if final_stages else "under_construction",
        stages=[
            {"stage": "declared", "date": "2025-06-16"},
            {"stage": "approved", "date": "2025-09-01", "ref": "杨电政联备〔2025〕33号"},
            {"stage": "under_construction", "date": "2025-10-10"},
            *final_stages,
        ],
        reviews=[{"kind": "third_party", "date": "2025-08-12", "result": "passed"}],
        contract={"signed": "2025-09-26", "effective": "2025-10-09", "price": 78, "filed": "2025-10-15"},
        **overrides,
    )


def operation_of(project_id: str, original: str) -> dict[str, Any]:
    """A first O&M declaration for `original`, with the materials 规则 五(一)2 asks for."""
    return yangpu_project(
        id=project_id,
        name="杨浦区示例业务管理系统（2027年运维）项目",
        type="operation",
        mode=None,
        original_project=original,
        budget={
            "total": 12,
            "hardware": 0,
            "software_development": 0,
            "items": [
                {
                    "name": "应用软件维护",
                    "kind": "application_maintenance",
                    "amount": 12,
                    "base_amount": 120,
                    "complexity": "complex",
                }
            ],
        },
        operation={"system": original, "first_time": True},
        stages=[{"stage": "declared", "date": "2026-10-20"}],
        materials=[
            {"kind": "pre_review_form", "title": "前置审核表", "date": "2026-10-16"},
            {"kind": "om_plan", "title": "运维方案", "date": "2026-10-16"},
            {"kind": "budget_plan", "title": "预算方案", "date": "2026-10-16"},
            {"kind": "original_approval", "title": "原项目立项批复", "date": "2025-09-01"},
            {"kind": "original_contract", "title": "原项目合同", "date": "2025-09-26"},
            {"kind": "acceptance_opinion", "title": "原项目竣工验收意见", "date": "2026-09-22"},
            {"kind": "operation_report", "title": "运行情况报告", "date": "2026-10-15"},
        ],
        local={"period_months": 12, "data_catalogued": True, "data_aggregated": True},
    )


def test_the_upkeep_of_a_project_that_failed_acceptance_is_refused(tmp_path: Path) -> None:
    original = built(
        "YP-2025-201",
        [
            {"stage": "acceptance_failed", "date": "2026-09-22"},
            {"stage": "rectification", "date": "2026-09-28"},
        ],
        acceptance=[{"date": "2026-09-22", "result": "failed", "organiser": "区示例局"}],
    )
    root = registry(tmp_path, original, operation_of("YP-2026-202", "YP-2025-201"))

    code, results = validate(root)

    assert code == 1
    [refusal] = findings(results["YP-2026-202"], "YP-14")
    assert refusal["severity"] == "warning"  # 原则上: a warning
    assert refusal["article"] == "规则 五(五)7"
    message = refusal["message"]
    assert "运维申请原则上不予受理" in message and "未通过竣工验收" in message and "整改" in message
    assert "YP-2025-201" in message and "submissions/yangpu/YP-2025-201.yaml" in message
    assert refusal["related"] == ["YP-2025-201"]
    assert refusal["field"] == "original_project"
    assert findings(results["YP-2025-201"], "YP-14") == []


def test_an_upgrade_while_the_original_is_still_being_built_is_refused(tmp_path: Path) -> None:
    upgrade = yangpu_project(
        id="YP-2026-203",
        name="杨浦区示例业务管理系统（2027年升级改造）项目",
        mode="upgrade",
        original_project="YP-2025-201",
    )
    root = registry(tmp_path, built("YP-2025-201", []), upgrade)

    code, results = validate(root)

    assert code == 1
    [refusal] = findings(results["YP-2026-203"], "YP-14")
    assert refusal["severity"] == "warning"  # 原则上: a warning
    assert "升级改造申请原则上不予受理" in refusal["message"] and "尚未通过竣工验收" in refusal["message"]
    assert "YP-2025-201" in refusal["message"]
    assert refusal["related"] == ["YP-2025-201"]


def test_the_upkeep_of_an_accepted_project_is_taken_in(tmp_path: Path) -> None:
    original = built(
        "YP-2025-201",
        [{"stage": "accepted", "date": "2026-06-18"}],
        acceptance=[{"date": "2026-06-18", "result": "passed", "organiser": "区示例局"}],
        project_lead="张建国（区示例局副局长）",  # 规则 五(五)3 (YP-27): named once implementation starts
        materials=[
            {"kind": "pre_review_form", "title": "前置审核表", "date": "2025-06-10"},
            {"kind": "construction_basis", "title": "建设依据", "date": "2025-06-10"},
            {"kind": "construction_plan", "title": "建设方案", "date": "2025-06-10"},
            {"kind": "budget_plan", "title": "预算方案", "date": "2025-06-10"},
            {"kind": "crypto_test_plan", "title": "密码测评方案", "date": "2025-06-10"},
            {"kind": "contract", "title": "建设合同", "date": "2025-09-26"},
            {"kind": "implementation_schedule", "title": "实施进度计划", "date": "2025-09-26"},
            {"kind": "self_check_report", "title": "项目自检报告", "date": "2026-05-20"},
            {"kind": "system_test_report", "title": "软件测评报告", "date": "2026-05-28"},
            {"kind": "security_assessment_report", "title": "信息安全测评报告", "date": "2026-06-02"},
            {"kind": "crypto_test_report", "title": "密码应用测评报告", "date": "2026-06-05"},
            {"kind": "project_summary", "title": "项目总结", "date": "2026-06-10"},
        ],
        local={
            "period_months": 8,
            "data_catalogued": True,
            "data_aggregated": True,
            "system_count_change": 0,
            "acceptance_filed": dt.date(2026, 6, 30),  # a date, as YAML reads 2026-06-30
            "implementer": "李明（区示例局信息科科长）",
        },
    )
    root = registry(tmp_path, original, operation_of("YP-2026-202", "YP-2025-201"))

    code, results = validate(root)

    assert code == 0, {pid: r["findings"] for pid, r in results.items()}
    assert findings(results["YP-2026-202"], "YP-14") == []
