"""龙岗 rules across the registry, through the real CLI on a registry of several project files.

LG-11 (第三十三条): the next phase of a phased project is not approved while the previous phase has not
passed completion acceptance. LG-14 (第四十六条): O&M funds only for a system whose construction project
passed completion acceptance, filed its report, and whose free warranty is over. Each failing case checks
the rule id, the severity, what the message says, and that the finding names the other project (its id
in the message and in `related`); each has a passing counterpart.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from support import POLICIES, govsite, make_registry

LONGGANG_BASE = POLICIES / "longgang-2021" / "examples" / "base.yaml"
TODAY = "2026-11-22"
COUNTED = {"error", "warning"}

PHASE_ONE = "LG-2024-011"
PHASE_TWO = "LG-2026-012"
BUILT = "LG-2024-021"
OM = "LG-2026-022"


def longgang_project(**overrides: Any) -> dict[str, Any]:
    """A Longgang project: the pack's example base (a clean declaration) with top-level overrides."""
    data = copy.deepcopy(yaml.safe_load(LONGGANG_BASE.read_text(encoding="utf-8")))
    assert isinstance(data, dict)
    data.update(overrides)
    return data


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def built_until(*records: tuple[str, str]) -> list[dict[str, Any]]:
    """A construction project's stage history from its 2024 declaration up to construction, then `records`."""
    history = [
        {"stage": "declared", "date": day("2024-03-04")},
        {"stage": "intake", "date": day("2024-03-11")},
        {"stage": "approved", "date": day("2024-05-20"), "ref": "深龙发改〔2024〕58号"},
        {"stage": "under_construction", "date": day("2024-07-01")},
    ]
    history += [{"stage": stage, "date": day(date)} for stage, date in records]
    return history


def phase_one(*records: tuple[str, str]) -> dict[str, Any]:
    stages = built_until(*records)
    return longgang_project(
        id=PHASE_ONE,
        name="龙岗区社区矫正智慧监管平台（一期）建设项目",
        project_unit="区司法局",
        budget_authority="区司法局",
        budget_year=2024,
        phase={"number": 1},
        stage=stages[-1]["stage"],
        stages=stages,
    )


def phase_two(*records: tuple[str, str], **overrides: Any) -> dict[str, Any]:
    stages = [{"stage": "declared", "date": day("2026-03-02")}]
    stages += [{"stage": stage, "date": day(date)} for stage, date in records]
    return longgang_project(
        id=PHASE_TWO,
        name="龙岗区社区矫正智慧监管平台（二期）建设项目",
        project_unit="区司法局",
        budget_authority="区司法局",
        budget_year=2026,
        phase={"number": 2, "previous": PHASE_ONE},
        stage=stages[-1]["stage"],
        stages=stages,
        **overrides,
    )


def built_system(*, filed: bool = True, warranty_years: int = 2, accepted: bool = True) -> dict[str, Any]:
    """The construction project an O&M application maintains: final acceptance 2025-02-27."""
    records = [("accepted", "2025-03-28"), ("in_operation", "2025-04-07")] if accepted else []
    stages = built_until(*records)
    return longgang_project(
        id=BUILT,
        name="龙岗区公共法律服务平台建设项目",
        project_unit="区司法局",
        budget_authority="区司法局",
        budget_year=2024,
        stage=stages[-1]["stage"],
        stages=stages,
        acceptance=[
            {"level": "preliminary", "date": day("2024-12-10"), "result": "passed", "organiser": "区司法局"},
            {"level": "final", "date": day("2025-02-27"), "result": "passed", "organiser": "区司法局"},
        ]
        if accepted
        else [],
        warranty={"custom_software_free_om_years": warranty_years},
        local={"completion_filed": day("2025-04-02")} if filed and accepted else {},
    )


def om_application() -> dict[str, Any]:
    return longgang_project(
        id=OM,
        name="龙岗区公共法律服务平台2027年度运行维护项目",
        project_unit="区司法局",
        budget_authority="区司法局",
        type="operation",
        mode=None,
        budget_year=2027,
        budget={"total": 45, "hardware": 0, "software_development": 0},
        stage="declared",
        stages=[{"stage": "declared", "date": day("2026-06-15")}],
        materials=[{"kind": "om_plan", "title": "2027年度运行维护方案", "date": day("2026-06-08")}],
        operation={
            "system": BUILT,
            "first_time": True,
            "data_shared": True,
            "crypto_security_compliant": True,
            "major_security_hazard": False,
            "acceptance_report_available": True,
        },
    )


def validate(tmp_path: Path, projects: list[dict[str, Any]]) -> tuple[int, dict[str, dict[str, Any]]]:
    """Write the projects as registry files, run `govsite validate` over the district: id → result."""
    files = {f"submissions/longgang/{p['id']}.yaml": p for p in projects}
    root = make_registry(tmp_path / "registry", files)
    done = govsite("validate", "submissions/longgang", "--format", "json", "--today", TODAY, cwd=root)
    assert done.stderr == ""
    assert done.returncode in (0, 1), done.stdout
    run = json.loads(done.stdout)
    results = {p["project"]: p for p in run["projects"]}
    assert set(results) == {p["id"] for p in projects}
    for result in results.values():
        assert result["policy"]["id"] == "longgang-2021", result["path"]
    return done.returncode, results


def counted(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["severity"] in COUNTED]


def only_finding(result: dict[str, Any], rule: str) -> dict[str, Any]:
    """The file's one counted finding, which must be of `rule`: it fails for that reason alone."""
    findings = counted(result)
    assert [f["rule"] for f in findings] == [rule], json.dumps(findings, ensure_ascii=False, indent=1)
    return findings[0]


# LG-11 第三十三条 ---------------------------------------------------------------------------------


def test_next_phase_refused_while_previous_phase_is_under_construction(tmp_path: Path) -> None:
    code, results = validate(tmp_path, [phase_one(), phase_two()])
    finding = only_finding(results[PHASE_TWO], "LG-11")
    assert code == 1
    assert finding["severity"] == "warning"  # 原则上: a warning
    assert finding["article"] == "第三十三条"
    assert finding["field"] == "phase.previous"
    message = finding["message"]
    assert "未通过竣工验收" in message and "当前阶段：建设实施" in message
    assert "原则上不批准第 2 期项目的申报及建设" in message
    # the finding names the other project: id, name and file in the message, id in `related`
    assert f"{PHASE_ONE}“龙岗区社区矫正智慧监管平台（一期）建设项目”" in message
    assert f"submissions/longgang/{PHASE_ONE}.yaml" in message
    assert finding["related"] == [PHASE_ONE]
    # the previous phase itself is not blamed for the next one
    assert not [f for f in results[PHASE_ONE]["findings"] if f["rule"] == "LG-11"]


def test_next_phase_refused_when_previous_phase_failed_completion_acceptance(tmp_path: Path) -> None:
    _, results = validate(tmp_path, [phase_one(("acceptance_failed", "2025-11-28")), phase_two()])
    finding = only_finding(results[PHASE_TWO], "LG-11")
    assert finding["severity"] == "warning"  # 原则上: a warning
    assert "当前阶段：验收不合格" in finding["message"] and PHASE_ONE in finding["message"]
    assert finding["related"] == [PHASE_ONE]


def test_next_phase_approved_before_previous_phase_completed(tmp_path: Path) -> None:
    approved = phase_two(
        ("intake", "2026-03-09"),
        ("approved", "2026-04-20"),
        reviews=[
            {"kind": "preliminary", "date": day("2026-03-13"), "result": "passed"},
            {"kind": "expert", "date": day("2026-03-20"), "result": "passed"},
        ],
    )
    previous = phase_one(("accepted", "2026-05-15"))
    _, results = validate(tmp_path, [previous, approved])
    findings = [f for f in counted(results[PHASE_TWO]) if f["rule"] == "LG-11"]
    assert len(findings) == 1
    finding = findings[0]
    assert finding["severity"] == "warning"  # 原则上: a warning
    assert "于 2026-05-15 才通过竣工验收" in finding["message"]
    assert "本期却已于 2026-04-20 批复" in finding["message"]
    assert PHASE_ONE in finding["message"] and finding["related"] == [PHASE_ONE]


def test_next_phase_declared_after_previous_phase_completed_passes(tmp_path: Path) -> None:
    _, results = validate(
        tmp_path, [phase_one(("accepted", "2025-11-28"), ("in_operation", "2025-12-08")), phase_two()]
    )
    assert counted(results[PHASE_TWO]) == []
    assert not [f for f in results[PHASE_TWO]["findings"] if f["rule"] == "LG-11"]


def test_written_exception_turns_the_refusal_into_a_note(tmp_path: Path) -> None:
    excepted = phase_two(local={"phase_exception_ref": "深龙政数函〔2026〕31号"})
    _, results = validate(tmp_path, [phase_one(), excepted])
    assert counted(results[PHASE_TWO]) == []
    notes = [f for f in results[PHASE_TWO]["findings"] if f["rule"] == "LG-11"]
    assert [n["severity"] for n in notes] == ["info"]
    assert "深龙政数函〔2026〕31号" in notes[0]["message"] and notes[0]["related"] == [PHASE_ONE]


# LG-14 第四十六条 ---------------------------------------------------------------------------------


def test_om_funds_refused_for_a_system_not_completion_accepted(tmp_path: Path) -> None:
    code, results = validate(tmp_path, [built_system(accepted=False), om_application()])
    finding = only_finding(results[OM], "LG-14")
    assert code == 1
    assert finding["severity"] == "error"
    assert finding["article"] == "第四十六条、第四十七条、第四十八条"
    assert finding["field"] == "operation.system"
    message = finding["message"]
    assert "未完成竣工验收备案的项目不拨付运行维护经费" in message
    assert "尚未通过竣工验收（当前阶段：建设实施）" in message
    assert f"{BUILT}“龙岗区公共法律服务平台建设项目”（submissions/longgang/{BUILT}.yaml）" in message
    assert finding["related"] == [BUILT]


def test_om_funds_refused_while_the_completion_report_is_not_filed(tmp_path: Path) -> None:
    _, results = validate(tmp_path, [built_system(filed=False), om_application()])
    finding = only_finding(results[OM], "LG-14")
    assert finding["severity"] == "error"
    assert "已于 2025-03-28 通过竣工验收" in finding["message"]
    assert "尚未报区信息化主管部门备案" in finding["message"]
    assert BUILT in finding["message"] and finding["related"] == [BUILT]


def test_om_funds_refused_for_a_year_inside_the_free_warranty(tmp_path: Path) -> None:
    _, results = validate(tmp_path, [built_system(warranty_years=3), om_application()])
    finding = only_finding(results[OM], "LG-14")
    assert finding["severity"] == "error"
    assert finding["field"] == "budget_year"
    # the warranty runs from the contract final acceptance (2025-02-27) for 3 years
    assert "自 2025-02-27 起质保 3 年，至 2028-02-27 届满，覆盖本次申请的 2027 年度" in finding["message"]
    assert BUILT in finding["message"] and finding["related"] == [BUILT]


def test_om_funds_for_an_accepted_filed_system_after_its_warranty_pass(tmp_path: Path) -> None:
    _, results = validate(tmp_path, [built_system(), om_application()])
    assert counted(results[OM]) == []
    assert not [f for f in results[OM]["findings"] if f["rule"] == "LG-14"]
    assert [r["role"] for r in results[OM]["route"] if r["rule"] == "LG-14"] == ["finance_bureau"]


# LG-16 第四十七条、第四十八条、第四十九条 ----------------------------------------------------------------

NEW_SYSTEM = "LG-2026-031"
OTHER_BUILD = "LG-2024-032"


def declared_new(unit: str = "区司法局", **overrides: Any) -> dict[str, Any]:
    """A new system of the unit, declared 2026-06-01 (before the regulation lapsed)."""
    fields: dict[str, Any] = {
        "id": NEW_SYSTEM,
        "name": "龙岗区法治督察信息系统建设项目",
        "project_unit": unit,
        "budget_authority": unit,
        "budget_year": 2026,
        "stage": "declared",
        "stages": [{"stage": "declared", "date": day("2026-06-01")}],
    }
    return longgang_project(**{**fields, **overrides})


def test_a_unit_whose_system_does_not_share_data_may_not_build_a_new_one(tmp_path: Path) -> None:
    unshared = om_application()
    unshared["operation"] = {**unshared["operation"], "data_shared": False}
    unshared["stages"] = [{"stage": "declared", "date": day("2026-05-18")}]
    _, results = validate(tmp_path, [built_system(), unshared, declared_new()])
    finding = only_finding(results[NEW_SYSTEM], "LG-16")
    assert finding["severity"] == "error"
    assert finding["article"] == "第四十七条、第四十八条、第四十九条"
    assert "未按要求共享数据资源" in finding["message"]
    assert "项目建设单位不得新建、改建、扩建政务信息系统（第四十七条）" in finding["message"]
    assert (
        f"{OM}“龙岗区公共法律服务平台2027年度运行维护项目”（submissions/longgang/{OM}.yaml）"
        in finding["message"]
    )
    assert finding["related"] == [OM]
    # another unit's new system is not held by it
    _, results = validate(tmp_path / "other", [built_system(), unshared, declared_new("区民政局")])
    assert not [f for f in results[NEW_SYSTEM]["findings"] if f["rule"] == "LG-16"]


def test_a_unit_that_does_not_rectify_has_its_later_projects_approval_held(tmp_path: Path) -> None:
    stages = built_until()
    refusing = longgang_project(
        id=OTHER_BUILD,
        name="龙岗区社区矫正综合管理系统建设项目",
        project_unit="区司法局",
        budget_authority="区司法局",
        budget_year=2024,
        stage=stages[-1]["stage"],
        stages=stages,
        supervision=[
            {
                "kind": "rectification_order",
                "date": day("2025-12-30"),
                "by": "it_authority",
                "issue": "2025 年度绩效考评未实现项目建设绩效目标",
                "deadline": day("2026-02-27"),
            }
        ],
    )
    approved = declared_new(
        stage="approved",
        stages=[
            {"stage": "declared", "date": day("2026-01-05")},
            {"stage": "intake", "date": day("2026-01-12")},
            {"stage": "approved", "date": day("2026-03-20"), "ref": "深龙发改〔2026〕41号"},
        ],
    )
    _, results = validate(tmp_path, [refusing, approved])
    held = [f for f in counted(results[NEW_SYSTEM]) if f["rule"] == "LG-16"]
    assert len(held) == 1 and held[0]["severity"] == "error"
    assert "暂缓其后续项目的审批；本项目却于 2026-03-20 批复" in held[0]["message"]
    assert OTHER_BUILD in held[0]["message"] and held[0]["related"] == [OTHER_BUILD]
    # the refusing project itself: its order is overdue (LG-15), and the later project does not blame it
    assert "LG-15" in {f["rule"] for f in counted(results[OTHER_BUILD])}
    assert not [f for f in results[OTHER_BUILD]["findings"] if f["rule"] == "LG-16"]
