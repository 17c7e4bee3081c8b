"""Reporters: one RunResult, three formats; GitHub's limits and escaping respected."""

from __future__ import annotations

import json
from dataclasses import asdict

from govsite.findings import Deadline, Finding, RouteEntry, Severity
from govsite.report.github import MAX_PER_LEVEL, render_annotations, render_summary
from govsite.report.json_report import flat_dict, render_json
from govsite.report.text import render_text
from govsite.result import PolicyRef, ProjectResult, RunResult


def finding(n: int, severity: Severity = Severity.ERROR, message: str = "问题") -> Finding:
    return Finding(
        rule="MH-08",
        severity=severity,
        message=f"{message}{n}",
        hint="改名",
        article="第十四条",
        line=n,
        column=3,
    )


def sample_run() -> RunResult:
    project = ProjectResult(
        path="submissions/minhang/MH-2026-001.yaml",
        project_id="MH-2026-001",
        name="闵行区示例系统建设项目",
        policy=PolicyRef("minhang-2025", "闵府办发〔2025〕24号", "闵行区政务数字化项目全生命周期管理办法"),
        stage_from="declared",
        stage_to="intake",
        findings=[finding(2)],
        route=[RouteEntry("data_bureau", "区数据局", "MH-09", "第十五条", "受理审核")],
        deadlines=[
            Deadline(
                "MH-09", "第十五条", "受理审核", "2026-03-09", "2026-03-02", "pending", 5, "working_days"
            )
        ],
    )
    return RunResult(projects=[project], mode="check", base="a" * 40, head="b" * 40)


def test_json_has_the_documented_fields() -> None:
    data = json.loads(render_json(sample_run()))
    assert data["ok"] is False and data["format_version"] == 1
    [project] = data["projects"]
    assert {"path", "project", "policy", "stage_from", "stage_to", "findings", "route", "deadlines"} <= set(
        project
    )
    assert project["findings"][0] == {
        "rule": "MH-08",
        "severity": "error",
        "article": "第十四条",
        "message": "问题2",
        "hint": "改名",
        "line": 2,
        "column": 3,
        "field": "",
        "related": [],
        "policy": None,
    }
    assert project["route"][0] == {
        "role": "data_bureau",
        "role_name": "区数据局",
        "rule": "MH-09",
        "article": "第十五条",
        "reason": "受理审核",
        "policy": None,
    }
    assert project["deadlines"][0]["due"] == "2026-03-09" and project["deadlines"][0]["what"] == "受理审核"


def test_text_report_reads_in_chinese() -> None:
    text = render_text(sample_run())
    assert "submissions/minhang/MH-2026-001.yaml:2:3: 错误 [MH-08 第十四条] 问题2" in text
    assert "    处理建议：改名" in text
    assert "阶段：申报 → 受理" in text
    assert "- 区数据局 [MH-09 第十五条] 受理审核" in text
    assert "- 2026-03-09 受理审核 [MH-09 第十五条]（待办）" in text
    assert text.endswith("检查了 1 个项目文件：1 个错误，0 个警告 —— 未通过\n")


def test_annotations_are_capped_per_level() -> None:
    run = sample_run()
    run.projects[0].findings = [finding(n) for n in range(1, 15)] + [
        finding(n, Severity.WARNING) for n in range(1, 4)
    ]
    lines = render_annotations(run).splitlines()
    errors = [line for line in lines if line.startswith("::error file=")]
    warnings = [line for line in lines if line.startswith("::warning file=")]
    assert (len(errors), len(warnings)) == (MAX_PER_LEVEL, 3)
    assert "::error::另有 4 条错误未逐条标注，见检查摘要。" in lines


def test_annotation_data_and_properties_are_escaped() -> None:
    run = sample_run()
    run.projects[0].path = "submissions/minhang/a,b:c.yaml"
    run.projects[0].findings = [finding(1, message="100%\n第二行")]
    [line] = render_annotations(run).splitlines()
    assert line.startswith(
        "::error file=submissions/minhang/a%2Cb%3Ac.yaml,line=1,col=3,title=MH-08 第十四条::"
    )
    # the value's own line break is shown, not obeyed; the one before the hint is the reporter's
    assert line.endswith("::100%25\\x0a第二行1%0A处理建议：改名")


def test_summary_tells_reviewers_what_to_decide_and_by_when() -> None:
    summary = render_summary(sample_run())
    assert "❌ 未通过" in summary
    assert "阶段：申报 → **受理**" in summary
    assert "| 区数据局 | MH-09 第十五条 | 受理审核 |" in summary
    assert "| 2026-03-09 | 受理审核 | MH-09 第十五条 | 待办 |" in summary


def test_summary_escapes_department_text() -> None:
    run = sample_run()
    run.projects[0].name = "<script>alert(1)</script>|x"
    summary = render_summary(run)
    assert "<script>" not in summary and "&lt;script&gt;" in summary and "&#124;x" in summary


def test_the_report_copies_plain_dataclasses_as_asdict_would() -> None:
    """`flat_dict` skips `asdict`'s deep copy, which is right only while every field is a plain value."""
    deadline = Deadline(
        "MH-05", "第十二条", "审核", "2026-03-02", "2026-02-01", "met", 20, "工作日", "minhang-2025", True
    )
    policy = PolicyRef("minhang-2025", "闵数规〔2025〕1号", "闵行区政务信息化项目管理办法")
    for value in (deadline, policy):
        assert flat_dict(value) == asdict(value)
        assert all(isinstance(v, str | int | bool | None) for v in flat_dict(value).values())
