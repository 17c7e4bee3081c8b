"""Plain-text report in Chinese: `path:line:col: 级别 [规则 条款] 说明`, then route and deadlines.

Every value is passed through `safetext.for_terminal`: a project file cannot put a control character,
an escape sequence or a line break of its own on the terminal or in a CI log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsite.findings import Finding, Severity, handbook_link
from govsite.report.decision import basis_text, due_text, later_text, state_text, subject_line
from govsite.result import ProjectResult, RunResult
from govsite.safetext import for_terminal as safe
from govsite.vocabulary import DEADLINE_STATUS_LABELS, label

if TYPE_CHECKING:
    from govsite.impact import Impact

_STATUS = DEADLINE_STATUS_LABELS


def finding_line(path: str, finding: Finding, regulation: str = "") -> str:
    """`regulation` names the regulation that judged the finding, where a project's acts fall under
    more than one."""
    where = f"{safe(path)}:{finding.line or 1}:{finding.column or 1}"
    cited = safe(f"{finding.rule} {finding.article}".strip() + (f" · {regulation}" if regulation else ""))
    return f"{where}: {finding.severity.label} [{cited}] {safe(finding.message)}"


def regulation_of(result: ProjectResult, finding: Finding) -> str:
    """The 文号 of the regulation that judged `finding`, when the project has acts under several."""
    if len(result.policies) < 2 or not finding.policy:
        return ""
    return next((p.document_number for p in result.policies if p.id == finding.policy), "")


def _project(result: ProjectResult, site_url: str | None = None) -> list[str]:
    lines: list[str] = []
    title = safe(f"{result.project_id or '（无法识别）'} {result.name or ''}".strip())
    lines.append(f"== {safe(result.path)} — {title}")
    if result.policy:
        lines.append(f"   适用政策：{safe(result.policy.title)}（{safe(result.policy.document_number)}）")
    for earlier in result.policies[1:]:
        lines.append(f"   此前的记录按：{safe(earlier.title)}（{safe(earlier.document_number)}）")
    if result.decision is not None:
        lines.append(f"   {safe(subject_line(result.decision))}")
    elif result.stage_to:
        source = label(result.stage_from) if result.stage_from else "（新项目）"
        lines.append(f"   阶段：{safe(source)} → {safe(label(result.stage_to))}")
    # errors first: a reviewer reads what blocks the merge before what to decide
    for finding in sorted(result.findings, key=lambda f: _ORDER[f.severity]):
        lines.append(finding_line(result.path, finding, regulation_of(result, finding)))
        if finding.hint:
            lines.append(f"    处理建议：{safe(finding.hint)}")
        link = handbook_link(site_url, finding)
        if link:
            lines.append(f"    条文与规则：{safe(link)}")
    if result.decision is not None:
        lines.extend(_decision(result))
    elif result.route:
        lines.append("   需要审批：")
        for entry in result.route:
            lines.append(
                f"   - {safe(entry.role_name)} [{safe(entry.rule)} {safe(entry.article)}] {safe(entry.reason)}"
            )
    if result.deadlines:
        lines.append("   时限：")
        for deadline in result.deadlines:
            status = _STATUS.get(deadline.status, deadline.status)
            lines.append(
                f"   - {safe(deadline.due)} {safe(deadline.what)} [{safe(deadline.rule)} {safe(deadline.article)}]（{status}）"
            )
    if result.score:
        lines.append(f"   分类分级得分：{result.score['total']:g} / 100")
    return lines


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _decision(result: ProjectResult) -> list[str]:
    report = result.decision
    assert report is not None
    lines = []
    if report.roles:
        verdict = "已全部同意" if report.complete else "待决定"
        if result.count(Severity.ERROR) and not report.complete:
            verdict += "（先改正上面的错误）"
        lines.append(f"   {verdict}：{safe(report.what)}")
        for status in report.roles:
            lines.append(
                f"   - {safe(status.requirement.role_name)} [{safe(basis_text(status))}] {safe(due_text(status))} —— {safe(state_text(status))}"
            )
            for problem in status.problems:
                lines.append(f"       未计入：{safe(problem)}")
    if report.later:
        lines.append("   以后的阶段还须：")
        for entry in report.later:
            lines.append(
                f"   - {safe(entry.role_name)} [{safe(entry.rule)} {safe(entry.article)}]（{safe(later_text(entry.at))}时）{safe(entry.reason)}"
            )
    return lines


def render_text(run: RunResult) -> str:
    lines: list[str] = []
    for note in run.notes:
        lines.append(f"注意：{safe(note)}")
    for result in run.projects:
        lines.extend(_project(result, run.site_url))
    if run.impact is not None:
        lines.extend(impact_lines(run.impact))
    errors, warnings = run.count(Severity.ERROR), run.count(Severity.WARNING)
    verdict = "通过" if run.ok else "未通过"
    lines.append(f"检查了 {len(run.projects)} 个项目文件：{errors} 个错误，{warnings} 个警告 —— {verdict}")
    return "\n".join(lines) + "\n"


def impact_lines(impact: Impact) -> list[str]:
    """The policy change's impact on the registry: the counts per rule, then each project's change."""
    from govsite.impact import SHOWN

    lines = [f"== 政策包修改的影响：{safe(impact.summary())}"]
    lines += [f"   注意：{safe(note)}" for note in impact.notes]
    for change in impact.changes[:SHOWN]:
        title = " ".join(p for p in (change.project_id, change.name) if p)
        lines.append(f"   {safe(change.path)} — {safe(title)}")
        if change.policy_before != change.policy_after:
            lines.append(
                f"     适用政策：{safe(change.policy_before or '无')} → {safe(change.policy_after or '无')}"
            )
        lines += [f"     + {safe(line.shown())}" for line in change.appeared]
        lines += [f"     - {safe(line.shown())}" for line in change.disappeared]
    if len(impact.changes) > SHOWN:
        lines.append(f"   ……另有 {len(impact.changes) - SHOWN} 个项目（--format json 列出全部）")
    return lines
