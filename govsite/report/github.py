"""GitHub Actions output: workflow-command annotations and a Markdown step summary.

GitHub shows at most 10 annotations of each level per step, so we emit at most 10 per level and say
how many were left out; the step summary lists everything.
"""

from __future__ import annotations

from govsite.findings import Severity
from govsite.report.text import finding_line
from govsite.result import RunResult
from govsite.vocabulary import DEADLINE_STATUS_LABELS, label

MAX_PER_LEVEL = 10
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_STATUS = {**DEADLINE_STATUS_LABELS, "overdue": f"**{DEADLINE_STATUS_LABELS['overdue']}**"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_annotations(run: RunResult) -> str:
    lines: list[str] = []
    emitted = dict.fromkeys(Severity, 0)
    skipped = dict.fromkeys(Severity, 0)
    for result in run.projects:
        for finding in result.findings:
            if emitted[finding.severity] >= MAX_PER_LEVEL:
                skipped[finding.severity] += 1
                continue
            emitted[finding.severity] += 1
            title = _escape_property(f"{finding.rule} {finding.article}".strip())
            body = finding.message + (f"\n处理建议：{finding.hint}" if finding.hint else "")
            lines.append(
                f"::{_LEVEL[finding.severity]} file={_escape_property(result.path)},"
                f"line={finding.line or 1},col={finding.column or 1},title={title}::{_escape_data(body)}"
            )
    for severity, count in skipped.items():
        if count:
            lines.append(f"::{_LEVEL[severity]}::另有 {count} 条{severity.label}未逐条标注，见检查摘要。")
    return "\n".join(lines) + ("\n" if lines else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render_summary(run: RunResult) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: what reviewers must decide, under which article, by when."""
    errors, warnings = run.count(Severity.ERROR), run.count(Severity.WARNING)
    out = [
        "## govsite 检查结果",
        "",
        f"{'✅ 通过' if run.ok else '❌ 未通过'}：{len(run.projects)} 个项目文件，{errors} 个错误，{warnings} 个警告。",
        "",
    ]
    out += [f"> {_cell(note)}" for note in run.notes]
    for result in run.projects:
        out.append(f"### {_cell(result.project_id or result.path)} {_cell(result.name or '')}")
        out.append("")
        if result.policy:
            out.append(f"适用政策：{_cell(result.policy.title)}（{_cell(result.policy.document_number)}）  ")
        if result.stage_to:
            source = label(result.stage_from) if result.stage_from else "新项目"
            out.append(f"阶段：{source} → **{label(result.stage_to)}**")
        out.append("")
        if result.route:
            out += ["| 审批机构 | 依据 | 理由 |", "|---|---|---|"]
            out += [
                f"| {_cell(r.role_name)} | {r.rule} {r.article} | {_cell(r.reason)} |" for r in result.route
            ]
            out.append("")
        if result.deadlines:
            out += ["| 时限 | 事项 | 依据 | 状态 |", "|---|---|---|---|"]
            out += [
                f"| {d.due} | {_cell(d.what)} | {d.rule} {d.article} | {_STATUS.get(d.status, d.status)} |"
                for d in result.deadlines
            ]
            out.append("")
        if result.findings:
            out += ["| 位置 | 级别 | 依据 | 问题与处理建议 |", "|---|---|---|---|"]
            for f in result.findings:
                advice = _cell(f.message) + (f"<br>处理建议：{_cell(f.hint)}" if f.hint else "")
                out.append(
                    f"| `{_cell(result.path)}:{f.line}` | {f.severity.label} | {f.rule} {f.article} | {advice} |"
                )
            out.append("")
    return "\n".join(out) + "\n"


def render_github(run: RunResult) -> str:
    """Annotations plus the plain text report, so the log reads well too."""
    lines = [finding_line(r.path, f) for r in run.projects for f in r.findings]
    return render_annotations(run) + "\n".join(lines) + ("\n" if lines else "")
