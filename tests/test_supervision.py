"""The lifecycle after the happy path, on the real packs through the real CLI: rectification orders
that expire and block the next stage, suspension and termination, who is accountable, a split
declaration, an O&M request refused on the computed grade, and every article accounted for."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import (
    REPO,
    base_project,
    govsite,
    make_registry,
    one_change_pull_request,
    write_project,
)

PATH = "submissions/minhang/MH-2026-001.yaml"
ORDER = {
    "kind": "rectification_order",
    "date": "2026-03-10",
    "by": "区委网信办",
    "issue": "未按等保要求完成定级备案",
    "deadline": "2026-04-30",
}
APPROVED = [
    {"stage": "declared", "date": "2025-12-01"},
    {"stage": "intake", "date": "2025-12-04"},
    {"stage": "in_library", "date": "2026-01-10", "outcome": "supported"},
    {"stage": "approved", "date": "2026-02-10", "ref": "闵数批〔2026〕3号"},
]
LEAD = {"implementing_body": "区示例局信息科", "project_lead": "张伟（区示例局副局长）"}


def approved_project(**extra: Any) -> dict[str, Any]:
    data = base_project(stage="approved", stages=copy.deepcopy(APPROVED), **LEAD)
    data.update(extra)
    return data


def appended(data: dict[str, Any], **record: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["stages"].append(record)
    data["stage"] = record["stage"]
    return data


def validate(root: Path, *paths: str, today: str) -> dict[str, dict[str, Any]]:
    done = govsite("validate", *(paths or ("submissions/",)), "--format", "json", "--today", today, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return {p["path"]: p for p in json.loads(done.stdout)["projects"]}


def findings(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["rule"] == rule]


def check(root: Path, today: str) -> dict[str, dict[str, Any]]:
    done = govsite("check", "--base", "main", "--format", "json", "--today", today, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return {p["path"]: p for p in json.loads(done.stdout)["projects"]}


def pull_request(tmp_path: Path, base: dict[str, Any], head: dict[str, Any]) -> Path:
    return one_change_pull_request(tmp_path, PATH, base, head)


# ------------------------------------------------------------------------------ rectification orders


def test_an_expired_order_blocks_the_next_stage_in_a_pull_request(tmp_path: Path) -> None:
    base = approved_project(supervision=[ORDER])
    head = appended(base, stage="under_construction", date="2026-05-06")
    report = check(pull_request(tmp_path, base, head), today="2026-05-06")
    errors = [f for f in findings(report[PATH], "MH-29") if f["severity"] == "error"]
    assert len(errors) == 1
    assert "逾期仍未整改完成" in errors[0]["message"] and "建设实施" in errors[0]["message"]
    assert errors[0]["article"] == "第四十一条"
    # the order is also a clock the reviewer sees, overdue
    clock = [d for d in report[PATH]["deadlines"] if d["rule"] == "MH-29"]
    assert [(d["due"], d["status"]) for d in clock] == [("2026-04-30", "overdue")]


def test_the_same_step_passes_once_the_order_is_rectified(tmp_path: Path) -> None:
    rectified = {**ORDER, "rectified": "2026-04-28"}
    base = approved_project(supervision=[rectified])
    head = appended(base, stage="under_construction", date="2026-05-06")
    report = check(pull_request(tmp_path, base, head), today="2026-05-06")
    assert findings(report[PATH], "MH-29") == []
    assert [d["status"] for d in report[PATH]["deadlines"] if d["rule"] == "MH-29"] == ["met"]


def test_suspension_is_not_blocked_by_the_open_order(tmp_path: Path) -> None:
    base = approved_project(supervision=[ORDER])
    head = appended(
        base,
        stage="suspended",
        date="2026-05-08",
        ref="闵数函〔2026〕12号",
        note="逾期未完成等保定级备案整改，暂停项目",
    )
    report = check(pull_request(tmp_path, base, head), today="2026-05-08")
    assert [f["severity"] for f in findings(report[PATH], "MH-29")] == ["warning"]  # the clock, not the block
    assert not [f for f in report[PATH]["findings"] if f["rule"] == "transition"]


# -------------------------------------------------------------------------------- ending and pausing


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return make_registry(tmp_path / "registry")


def test_a_suspended_project_resumes_only_where_it_was(registry: Path) -> None:
    building = appended(approved_project(), stage="under_construction", date="2026-03-01")
    suspended = appended(
        building, stage="suspended", date="2026-05-08", ref="闵数函〔2026〕12号", note="暂停"
    )
    write_project(registry, PATH, appended(suspended, stage="under_construction", date="2026-07-01"))
    assert not [
        f for f in validate(registry, today="2026-07-02")[PATH]["findings"] if f["rule"] == "transition"
    ]
    write_project(registry, PATH, appended(suspended, stage="accepted", date="2026-07-01"))
    transition = [
        f for f in validate(registry, today="2026-07-02")[PATH]["findings"] if f["rule"] == "transition"
    ]
    assert len(transition) == 1
    assert "只能恢复到暂停前的阶段“建设实施”" in transition[0]["message"]


def test_suspending_or_ending_a_project_needs_a_reason_and_a_decision(registry: Path) -> None:
    text = yaml.safe_dump(
        appended(approved_project(), stage="terminated", date="2026-05-08"),
        allow_unicode=True,
        sort_keys=False,
    )
    write_project(registry, PATH, text)
    result = validate(registry, today="2026-05-09")[PATH]
    reasons = [f for f in result["findings"] if f["rule"] == "transition"]
    assert [f["message"] for f in reasons] == ["终止项目须写明原因（note）和决定文号（ref）"]
    assert reasons[0]["line"] == text.splitlines().index("- stage: terminated") + 1


def test_a_project_cannot_be_terminated_where_the_regulation_gives_no_way(registry: Path) -> None:
    """闵行 第四十一条 ends projects being built or approved; a declaration not yet taken in is
    withdrawn by not taking it in, not terminated."""
    data = base_project()
    write_project(
        registry,
        PATH,
        appended(data, stage="terminated", date="2025-12-03", ref="闵数函〔2025〕1号", note="撤回"),
    )
    transition = [
        f for f in validate(registry, today="2025-12-04")[PATH]["findings"] if f["rule"] == "transition"
    ]
    assert [f["message"] for f in transition] == ["不允许从“申报”直接进入“终止”"]


def test_supervision_records_are_checked_with_their_lines(registry: Path) -> None:
    data = approved_project(
        supervision=[
            {key: value for key, value in ORDER.items() if key != "deadline"},
            {"kind": "funds_held", "date": "2026-04-01", "by": "区财政局", "order": 3},
        ]
    )
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    write_project(registry, PATH, text)
    result = validate(registry, today="2026-05-01")[PATH]
    messages = {f["message"]: f["line"] for f in result["findings"] if f["rule"] == "schema"}
    lines = text.splitlines()
    assert messages == {
        "限期整改必须写明整改期限（deadline）": lines.index("- kind: rectification_order") + 1,
        "order: 3 应指向本条之前的一条限期整改记录": lines.index("  order: 3") + 1,
    }


# ------------------------------------------------------------------------------------- accountability


def test_construction_starts_with_an_accountable_lead_and_body(registry: Path) -> None:
    building = appended(approved_project(), stage="under_construction", date="2026-03-01")
    del building["project_lead"]
    write_project(registry, PATH, building)
    found = findings(validate(registry, today="2026-03-02")[PATH], "MH-30")
    assert [f["message"] for f in found] == ["项目已开工建设，但没有写明项目责任人（project_lead）"]


# -------------------------------------------------------------------------------- across the registry


def test_a_split_declaration_is_flagged_with_the_sum(registry: Path) -> None:
    first = base_project(
        id="MH-2026-001",
        name="闵行区示例业务管理系统（一期）建设项目",
        budget={"total": 300, "hardware": 0, "software_development": 280},
    )
    second = base_project(
        id="MH-2026-002",
        name="闵行区示例业务管理系统（二期）建设项目",
        budget={"total": 280, "hardware": 0, "software_development": 260},
    )
    write_project(registry, PATH, first)
    write_project(registry, "submissions/minhang/MH-2026-002.yaml", second)
    report = validate(registry, today="2025-12-02")
    for path, other in ((PATH, "MH-2026-002"), ("submissions/minhang/MH-2026-002.yaml", "MH-2026-001")):
        found = findings(report[path], "MH-31")
        assert len(found) == 1 and found[0]["severity"] == "warning"
        assert "合计 580 万元" in found[0]["message"] and "重大项目" in found[0]["message"]
        assert found[0]["related"] == [other]


GRADING = {
    "kind": "classification_grading",
    "date": "2026-07-10",
    "inputs": {
        "usage": {
            "variants": ["application"],
            "application": {
                "cpu_pct": 3,
                "memory_pct": 6,
                "logins": 100,
                "logins_target": 1000,
                "visits": 400,
                "visits_target": 4000,
                "response_s": 6.0,
                "response_target_s": 1.5,
                "data_updates": 30,
                "data_updates_target": 300,
            },
        },
        "data": {
            "aggregated_on_time": False,
            "months_since_update": 14,
            "unconditional_share_pct": 50,
            "open_catalogue_pct": 50,
        },
        "security": {
            "security_notices": 1,
            "vulnerabilities": "unfixed",
            "unauthorised_interface_calls": True,
            "data_leaks": False,
            "major_faults": 5,
        },
        "performance": {
            "satisfaction": "unsatisfied",
            "social_benefit": {"band": "insignificant", "points": 3},
            "economic_benefit": {"band": "insignificant", "points": 2},
        },
    },
}


def test_an_om_request_is_refused_on_the_computed_grade_not_the_flag(registry: Path) -> None:
    system = approved_project(id="MH-2025-101", evaluations=[GRADING])
    for stage, day in (
        ("under_construction", "2026-03-01"),
        ("accepted", "2026-05-01"),
        ("in_operation", "2026-05-10"),
    ):
        system = appended(system, stage=stage, date=day)
    system["materials"] += [{"kind": "supervision_contract", "title": "监理合同", "date": "2026-02-20"}]
    write_project(registry, "submissions/minhang/MH-2025-101.yaml", system)
    flags = {
        "system": "MH-2025-101",
        "first_time": False,
        "data_shared": True,
        "on_government_cloud": True,
        "crypto_security_compliant": True,
        "major_security_hazard": False,
        "in_use": True,
        "content_matches": True,
        "approved_by_data_bureau": True,
        "acceptance_report_available": True,
        "performance_tracking_passed": True,  # the unit says it passed; the grade says otherwise
    }
    om = base_project(
        id="MH-2026-007",
        name="闵行区示例业务管理系统（27年运维）项目",
        type="operation",
        mode=None,
        budget_year=2027,
        stages=[{"stage": "declared", "date": "2026-09-01"}],
        operation=flags,
    )
    write_project(registry, "submissions/minhang/MH-2026-007.yaml", om)
    result = validate(registry, today="2026-09-02")["submissions/minhang/MH-2026-007.yaml"]
    refused = [f for f in findings(result, "MH-25") if "第三十八条（六）" in f["message"]]
    assert len(refused) == 1 and refused[0]["severity"] == "error"
    assert re.search(r"按附件2计算得 [\d.]+ 分，低于合格线 60 分", refused[0]["message"])
    assert refused[0]["related"] == ["MH-2025-101"]


# --------------------------------------------------------------------------- every article accounted


def _pack_copy(tmp_path: Path) -> Path:
    root = tmp_path / "registry"
    shutil.copytree(REPO / "policies", root / "policies")
    return root


def test_policy_test_fails_on_an_article_neither_cited_nor_explained(tmp_path: Path) -> None:
    root = _pack_copy(tmp_path)
    coverage = root / "policies" / "minhang-2025" / "coverage.yaml"
    data = yaml.safe_load(coverage.read_text(encoding="utf-8"))
    dropped = data["articles"].pop(0)
    coverage.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = govsite("policy", "test", cwd=root)
    assert done.returncode == 1
    lint = [line for line in done.stdout.splitlines() if line.startswith("LINT ")]
    assert len(lint) == 1
    assert lint[0].startswith(f"LINT minhang-2025/coverage/{dropped['article']}: ")
    assert "既没有规则引用，也没有在 minhang-2025/coverage.yaml 中说明原因" in lint[0]


def test_policy_test_fails_on_a_reason_left_behind_for_a_cited_article(tmp_path: Path) -> None:
    root = _pack_copy(tmp_path)
    coverage = root / "policies" / "minhang-2025" / "coverage.yaml"
    data = yaml.safe_load(coverage.read_text(encoding="utf-8"))
    data["articles"].append({"article": "41", "kind": "not_yet", "reason": "旧的说明"})
    coverage.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = govsite("policy", "test", cwd=root)
    assert done.returncode == 1
    assert "LINT minhang-2025/coverage/41: 第四十一条 已由 MH-29" in done.stdout
    assert "的说明已过时：删除它" in done.stdout


def test_a_reason_for_an_article_that_does_not_exist_is_a_pack_error(tmp_path: Path) -> None:
    root = _pack_copy(tmp_path)
    coverage = root / "policies" / "minhang-2025" / "coverage.yaml"
    coverage.write_text(
        coverage.read_text(encoding="utf-8") + "- article: '99'\n  kind: no_duty\n  reason: 没有这一条\n",
        encoding="utf-8",
    )
    done = govsite("policy", "test", cwd=root)
    assert done.returncode != 0
    line = len(coverage.read_text(encoding="utf-8").splitlines()) - 2
    assert f"coverage.yaml:{line}: articles.yaml 中没有条款 '99'" in done.stdout


def test_docs_coverage_is_generated_from_the_packs(tmp_path: Path) -> None:
    done = govsite("policy", "coverage", "--check", cwd=REPO)
    assert done.returncode == 0, done.stderr
    text = (REPO / "docs" / "coverage.md").read_text(encoding="utf-8")
    for pack in sorted((REPO / "policies").glob("*/articles.yaml")):
        ids = [a["id"] for a in yaml.safe_load(pack.read_text(encoding="utf-8"))["articles"]]
        assert f'<a id="{pack.parent.name}"></a>' in text
        assert len(ids) > 0
    # a stale file is found, not silently accepted
    root = _pack_copy(tmp_path)
    (root / "docs").mkdir()
    (root / "docs" / "coverage.md").write_text(text.replace("MH-29", "MH-99"), encoding="utf-8")
    stale = govsite("policy", "coverage", "--check", cwd=root)
    assert stale.returncode == 1
    assert "与政策包不一致" in stale.stderr
    assert govsite("policy", "coverage", cwd=root).returncode == 0
    assert (root / "docs" / "coverage.md").read_text(encoding="utf-8") == text
