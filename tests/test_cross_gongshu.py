"""拱墅 2021: rules that read other projects of the registry (GS-03, GS-16) or files beside the project (GS-14).

Each test writes real project files (and plan files) into a temporary registry, runs the real CLI
(`govsite validate --format json`) and checks that the finding is there for the right reason: the
rule, the severity, what the message says, and — across the registry — that it names the other
project in its message and in `related`. Each failing case has a passing counterpart.
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
PACK = "gongshu-2021"
BASE = POLICIES / PACK / "examples" / "base.yaml"


def project(project_id: str, **overrides: Any) -> dict[str, Any]:
    """A project of 拱墅 built from the pack's example base (a clean declaration), with overrides."""
    data: dict[str, Any] = copy.deepcopy(yaml.safe_load(BASE.read_text(encoding="utf-8")))
    data.update(id=project_id, **overrides)
    return data


def stages(*records: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"stage": stage, "date": dt.date.fromisoformat(day)} for stage, day in records]


UNDER_CONSTRUCTION = stages(
    ("declared", "2025-03-03"),
    ("intake", "2025-03-20"),
    ("approved", "2025-04-28"),
    ("under_construction", "2025-06-02"),
)
ACCEPTED = [*UNDER_CONSTRUCTION, *stages(("accepted", "2025-12-18"))]


def registry(tmp_path: Path, projects: list[dict[str, Any]], documents: dict[str, str] | None = None) -> Path:
    files = {f"submissions/gongshu/{p['id']}.yaml": p for p in projects}
    root = make_registry(tmp_path / "registry", files)
    # Only this regulation's pack: the other districts' packs play no part in judging 拱墅 projects.
    for folder in (root / "policies").iterdir():
        if folder.is_dir() and folder.name != PACK:
            shutil.rmtree(folder)
    for relative, text in (documents or {}).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def validate(root: Path, *paths: str) -> dict[str, dict[str, Any]]:
    """Run the CLI; project id → its result."""
    done = govsite("validate", "--format", "json", "--today", TODAY, *(paths or ("submissions/",)), cwd=root)
    assert done.stderr == "", done.stderr
    assert done.returncode in (0, 1), done.stdout
    run = json.loads(done.stdout)
    return {p["project"]: p for p in run["projects"]}


def findings(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["rule"] == rule and f["severity"] in ("error", "warning")]


# --- GS-03 第八条（四）：上一期未验收通过的续建项目 ------------------------------------------------


def phases(first_stages: list[dict[str, Any]], **second: Any) -> list[dict[str, Any]]:
    first = project(
        "GS-2025-021",
        name="拱墅区城市运行智能感知系统建设项目",
        budget_year=2025,
        phase={"number": 1},
        stage=first_stages[-1]["stage"],
        stages=first_stages,
    )
    follow = project(
        "GS-2026-021",
        name="拱墅区城市运行智能感知系统（二期）建设项目",
        phase={"number": 2, "previous": "GS-2025-021"},
        **second,
    )
    return [first, follow]


def test_continuation_of_a_phase_still_under_construction_names_the_previous_phase(tmp_path: Path) -> None:
    root = registry(tmp_path, phases(UNDER_CONSTRUCTION))
    # only the continuation is asked for; the registry still holds the previous phase
    results = validate(root, "submissions/gongshu/GS-2026-021.yaml")
    assert set(results) == {"GS-2026-021"}
    (finding,) = findings(results["GS-2026-021"], "GS-03")
    assert finding["severity"] == "warning"  # 原则上: a warning
    assert finding["article"] == "第八条、第十五条"
    assert "第八条（四）" in finding["message"] and "上一期未验收通过的续建项目" in finding["message"]
    assert "GS-2025-021" in finding["message"] and "当前阶段：建设实施" in finding["message"]
    assert "submissions/gongshu/GS-2025-021.yaml" in finding["message"]
    assert finding["related"] == ["GS-2025-021"]
    assert finding["field"] == "phase.previous"
    assert results["GS-2026-021"]["ok"] is True  # a warning does not fail the run


def test_continuation_of_an_accepted_phase_passes(tmp_path: Path) -> None:
    results = validate(registry(tmp_path, phases(ACCEPTED)))
    assert findings(results["GS-2026-021"], "GS-03") == []
    assert findings(results["GS-2025-021"], "GS-03") == []
    assert results["GS-2026-021"]["ok"] is True


def test_approval_before_the_previous_phase_was_accepted_fails(tmp_path: Path) -> None:
    late = [*UNDER_CONSTRUCTION, *stages(("accepted", "2026-05-07"))]
    approved = stages(("declared", "2026-03-02"), ("intake", "2026-03-20"), ("approved", "2026-05-06"))
    results = validate(registry(tmp_path, phases(late, stage="approved", stages=approved)))
    (finding,) = findings(results["GS-2026-021"], "GS-03")
    assert finding["severity"] == "warning"  # 原则上: a warning
    assert "2026-05-06 批复时" in finding["message"] and "2026-05-07 才验收通过" in finding["message"]
    assert finding["related"] == ["GS-2025-021"]


def test_approval_on_the_day_the_previous_phase_was_accepted_passes(tmp_path: Path) -> None:
    same_day = [*UNDER_CONSTRUCTION, *stages(("accepted", "2026-05-06"))]
    approved = stages(("declared", "2026-03-02"), ("intake", "2026-03-20"), ("approved", "2026-05-06"))
    results = validate(registry(tmp_path, phases(same_day, stage="approved", stages=approved)))
    assert findings(results["GS-2026-021"], "GS-03") == []


def test_previous_phase_missing_from_the_registry_is_a_warning(tmp_path: Path) -> None:
    follow = phases(ACCEPTED)[1]
    follow["phase"] = {"number": 2, "previous": "GS-2025-099"}
    results = validate(registry(tmp_path, [follow]))
    (finding,) = findings(results["GS-2026-021"], "GS-03")
    assert finding["severity"] == "warning"
    assert "登记册中没有上一期项目 GS-2025-099" in finding["message"]
    assert finding["related"] == []


# --- GS-03 第八条（二）：重复建设 -----------------------------------------------------------------


def duplicates(earlier_stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    earlier = project(
        "GS-2025-031",
        name="拱墅区社区养老服务管理系统建设项目",
        project_unit="区民政局",
        budget_authority="区民政局",
        budget_year=2025,
        stage=earlier_stages[-1]["stage"],
        stages=earlier_stages,
    )
    later = project(
        "GS-2026-031",
        # the same system, written with half-width brackets and a space
        name="拱墅区 社区养老服务管理系统(医养结合)建设项目",
        project_unit="区卫生健康局",
        budget_authority="区卫生健康局",
    )
    return [earlier, later]


def test_a_later_declaration_of_the_same_system_is_a_duplicate_naming_the_earlier_one(tmp_path: Path) -> None:
    results = validate(registry(tmp_path, duplicates(UNDER_CONSTRUCTION)))
    (finding,) = findings(results["GS-2026-031"], "GS-03")
    assert finding["severity"] == "warning"  # 原则上: a warning
    assert "第八条（二）" in finding["message"] and "重复建设" in finding["message"]
    assert "GS-2025-031" in finding["message"] and "拱墅区社区养老服务管理系统" in finding["message"]
    assert finding["related"] == ["GS-2025-031"]
    assert finding["field"] == "name"
    # the earlier project is not at fault
    assert findings(results["GS-2025-031"], "GS-03") == []


def test_a_rejected_earlier_project_is_not_duplicated(tmp_path: Path) -> None:
    rejected = stages(("declared", "2025-03-03"), ("intake", "2025-03-20"), ("rejected", "2025-05-06"))
    results = validate(registry(tmp_path, duplicates(rejected)))
    assert findings(results["GS-2026-031"], "GS-03") == []


def test_a_continuation_linked_through_its_phases_is_not_a_duplicate(tmp_path: Path) -> None:
    first = phases(ACCEPTED)[0]
    second = project(
        "GS-2026-022",
        name="拱墅区城市运行智能感知系统（二期）建设项目",
        budget_year=2026,
        phase={"number": 2, "previous": "GS-2025-021"},
        stage="accepted",
        stages=stages(
            ("declared", "2026-01-05"),
            ("intake", "2026-01-23"),
            ("approved", "2026-03-02"),
            ("under_construction", "2026-04-01"),
            ("accepted", "2026-09-30"),
        ),
    )
    third = project(
        "GS-2026-023",
        name="拱墅区城市运行智能感知系统（三期）建设项目",
        phase={"number": 3, "previous": "GS-2026-022"},
    )
    results = validate(registry(tmp_path, [first, second, third]))
    for project_id in ("GS-2025-021", "GS-2026-022", "GS-2026-023"):
        assert findings(results[project_id], "GS-03") == [], project_id
    # without the link the third phase duplicates the first two
    third.pop("phase")
    results = validate(registry(tmp_path / "unlinked", [first, second, third]))
    named = {other for f in findings(results["GS-2026-023"], "GS-03") for other in f["related"]}
    assert named == {"GS-2025-021", "GS-2026-022"}


def test_an_exception_by_the_leading_group_silences_the_negative_list(tmp_path: Path) -> None:
    earlier, later = duplicates(UNDER_CONSTRUCTION)
    later["local"] = {"data_aggregation_planned": True, "negative_list_exception": "拱智政领纪〔2026〕4号"}
    results = validate(registry(tmp_path, [earlier, later]))
    assert findings(results["GS-2026-031"], "GS-03") == []
    infos = [f for f in results["GS-2026-031"]["findings"] if f["rule"] == "GS-03"]
    assert [f["severity"] for f in infos] == ["info"]
    assert "拱智政领纪〔2026〕4号" in infos[0]["message"]


# --- GS-16 第二十一条：重新验收仍不合格，建设单位申报后续项目从严控制 ------------------------------

FAILED_TWICE = [
    *UNDER_CONSTRUCTION,
    *stages(
        ("acceptance_failed", "2025-12-18"),
        ("rectification", "2026-01-05"),
        ("acceptance_failed", "2026-06-10"),
        ("out_of_use", "2026-06-24"),
    ),
]


def failed_unit(later_unit: str) -> list[dict[str, Any]]:
    failed = project(
        "GS-2025-051",
        name="拱墅区智慧停车诱导系统建设项目",
        project_unit="区交通运输局",
        budget_authority="区交通运输局",
        budget_year=2025,
        project_lead="钱志刚（区交通运输局副局长）",
        stage="out_of_use",
        stages=[*FAILED_TWICE[:-1], {**FAILED_TWICE[-1], "note": "按第二十一条不得投入使用"}],
    )
    later = project(
        "GS-2026-051",
        name="拱墅区公交站台电子站牌系统建设项目",
        project_unit=later_unit,
        budget_authority=later_unit,
        stages=stages(("requirement", "2026-07-06"), ("declared", "2026-09-14")),
    )
    return [failed, later]


def test_a_later_declaration_by_a_unit_whose_project_failed_again_names_that_project(tmp_path: Path) -> None:
    # the unit written with a full-width space is the same unit
    results = validate(
        registry(tmp_path, failed_unit("区交通运输局\u3000")), "submissions/gongshu/GS-2026-051.yaml"
    )
    assert set(results) == {"GS-2026-051"}
    (finding,) = findings(results["GS-2026-051"], "GS-16")
    assert finding["severity"] == "warning"  # 将……从严控制: for the reviewers, the merge does not wait
    assert finding["article"] == "第二十一条"
    assert "从严控制" in finding["message"] and "2026-06-10" in finding["message"]
    assert "submissions/gongshu/GS-2025-051.yaml" in finding["message"]
    assert finding["related"] == ["GS-2025-051"]
    assert finding["field"] == "project_unit"
    assert results["GS-2026-051"]["ok"] is True


def test_a_declaration_by_another_unit_is_not_controlled(tmp_path: Path) -> None:
    results = validate(registry(tmp_path, failed_unit("区卫生健康局")))
    assert findings(results["GS-2026-051"], "GS-16") == []
    assert findings(results["GS-2025-051"], "GS-16") == []


# --- GS-14 附件：Markdown 建设方案的【必要】部分 -------------------------------------------------

PLAN_PATH = "submissions/gongshu/plans/GS-2026-041.md"
COMPLETE_PLAN = """# 拱墅区政府投资信息化项目建设方案

项目名称：拱墅区示例业务协同系统建设项目

## 一、项目的基本概述【必要】
（七）经济及社会效益。减少重复填报。
## 二、现状、必要性和需求分析【必要】
（一）现状。线下流转。（二）项目建设的必要性。协同迫切。（三）需求分析。600 名用户。
## 三、项目的建设目标与内容【必要】
建成协同系统。
## 十四、社会与经济效益分析【必要】
办理时间缩短一半。
## 十五、项目的投资概算【必要】
总投资 120 万元。
"""


def planned(tmp_path: Path, text: str | None) -> dict[str, Any]:
    data = project("GS-2026-041")
    data["materials"] = [
        m if m["kind"] != "construction_plan" else {**m, "path": PLAN_PATH} for m in data["materials"]
    ]
    documents = {PLAN_PATH: text} if text is not None else {}
    return validate(registry(tmp_path, [data], documents))["GS-2026-041"]


def test_a_complete_markdown_plan_passes(tmp_path: Path) -> None:
    result = planned(tmp_path, COMPLETE_PLAN)
    assert findings(result, "GS-14") == []
    assert result["ok"] is True


def test_a_markdown_plan_missing_a_required_section_fails(tmp_path: Path) -> None:
    without = COMPLETE_PLAN.replace("## 十四、社会与经济效益分析【必要】\n办理时间缩短一半。\n", "")
    result = planned(tmp_path, without)
    (finding,) = findings(result, "GS-14")
    assert finding["severity"] == "error"
    assert PLAN_PATH in finding["message"] and "十四、社会与经济效益分析" in finding["message"]
    assert finding["field"] == "materials.2.path"


def test_a_plan_file_that_is_not_in_the_repository_is_a_warning(tmp_path: Path) -> None:
    (finding,) = findings(planned(tmp_path, None), "GS-14")
    assert finding["severity"] == "warning"
    assert "找不到或无法读取" in finding["message"]
