"""GitHub Actions output: workflow-command annotations and a Markdown step summary.

GitHub shows at most 10 annotations of each level per step, so we emit at most 10 per level and say
how many were left out; the step summary lists everything.

Nothing a project file says can become a workflow command of its own:
- annotation values are escaped as GitHub documents (`%`, CR, LF; and `:` `,` in properties), after
  control characters have been made visible, so a value stays inside its own command;
- the plain-text lines that follow (for people reading the log) are printed between
  `::stop-commands::<token>` and `::<token>::` with a token drawn at random for each run, so the
  runner interprets none of them, whatever they contain;
- the step summary is Markdown in which every value that can come from a file (names, paths,
  messages, reasons) is escaped (`safetext.escape_markdown`): no link, image, HTML or table
  structure survives. Rule ids, articles and dates come from the base branch's packs and from us.
  The one link it has is the handbook's (`findings.handbook_link`: the configured site URL, a pack
  id and a rule id that match fixed patterns), percent-encoded so it cannot leave its autolink.

The summary is also the comment posted on forges without annotations (Gitea, Forgejo, GitLab notes),
so each finding in it carries what its annotation carries: file, line and column, severity, rule and
article, message, fix hint and handbook link. `finding_title` and `finding_parts` assemble that text
once for the annotations, the summary and the GitLab Code Quality report (`report/gitlab.py`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from govsite.findings import Finding, Severity, handbook_link
from govsite.report.decision import basis_text, due_text, later_text, state_text, subject_line
from govsite.report.text import finding_line
from govsite.result import ProjectResult, RunResult
from govsite.safetext import escape_markdown, for_terminal, github_data, github_property
from govsite.vocabulary import DEADLINE_STATUS_LABELS, label

if TYPE_CHECKING:
    from govsite.impact import Impact

MAX_PER_LEVEL = 10
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_STATUS = {**DEADLINE_STATUS_LABELS, "overdue": f"**{DEADLINE_STATUS_LABELS['overdue']}**"}


def _data(text: str) -> str:
    return github_data(for_terminal(text))


def _property(text: str) -> str:
    return github_property(for_terminal(text))


def finding_title(finding: Finding) -> str:
    """What a finding is titled by: its rule and the article that rule enforces."""
    return f"{finding.rule} {finding.article}".strip()


def finding_parts(
    finding: Finding,
    site_url: str | None,
    text: Callable[[str], str] = str,
    link: Callable[[str], str] | None = None,
) -> list[str]:
    """What is said about a finding, a part a line: the message, the fix (处理建议) and, when the site
    URL is set, where the handbook shows its rule (条文与规则). `text` makes a value fit for the
    output it goes to, `link` the handbook's address (by default `text` too); the labels are ours."""
    parts = [text(finding.message)]
    if finding.hint:
        parts.append(f"处理建议：{text(finding.hint)}")
    url = handbook_link(site_url, finding)
    if url:
        parts.append(f"条文与规则：{(link or text)(url)}")
    return parts


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
            title = _property(finding_title(finding))
            # the line breaks are ours: each part is made single-line before they are joined
            body = "%0A".join(finding_parts(finding, run.site_url, _data))
            lines.append(
                f"::{_LEVEL[finding.severity]} file={_property(result.path)},"
                f"line={finding.line or 1},col={finding.column or 1},title={title}::{body}"
            )
    for severity, count in skipped.items():
        if count:
            lines.append(f"::{_LEVEL[severity]}::另有 {count} 条{severity.label}未逐条标注，见检查摘要。")
    return "\n".join(lines) + ("\n" if lines else "")


def _md(value: object) -> str:
    return str(escape_markdown("" if value is None else value))


def _md_link(url: str) -> str:
    """The handbook's address as a Markdown autolink. It is ours (see `handbook_link`), but every
    character that could end the autolink or the table cell (`<`, `>`, `|`, space …) is
    percent-encoded all the same."""
    return f"<{quote(url, safe=':/?#@!$&*+,;=%-._~')}>"


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _findings_table(result: ProjectResult, site_url: str | None = None) -> list[str]:
    """Each finding with everything its annotation says: where (line and column, as the annotation
    has them), severity, rule and article, message, fix hint and the handbook link."""
    out = ["| 位置 | 级别 | 依据 | 问题与处理建议 |", "|---|---|---|---|"]
    for f in sorted(result.findings, key=lambda f: (_ORDER[f.severity], f.line or 0)):
        where = f"{_md(result.path)}:{f.line or 1}:{f.column or 1}"
        advice = "<br>".join(finding_parts(f, site_url, _md, _md_link))
        out.append(f"| {where} | {f.severity.label} | {finding_title(f)} | {advice} |")
    return [*out, ""]


def _decision_table(result: ProjectResult) -> list[str]:
    report = result.decision
    assert report is not None
    out: list[str] = []
    if report.roles:
        verdict = "✅ 已全部同意" if report.complete else "⏳ 待决定"
        out += [f"**{verdict}：{_md(report.what)}**", ""]
        out += ["| 须审批 | 依据 | 时限 | 状态 |", "|---|---|---|---|"]
        for status in report.roles:
            state = _md(state_text(status))
            if status.problems:
                state += "<br>未计入：" + "<br>".join(_md(p) for p in status.problems)
            out.append(
                f"| {_md(status.requirement.role_name)} | {basis_text(status)} | {due_text(status)} | {state} |"
            )
        out.append("")
    if report.later:
        out += ["以后的阶段还须：", "", "| 机构 | 依据 | 何时 | 理由 |", "|---|---|---|---|"]
        out += [
            f"| {_md(e.role_name)} | {e.rule} {e.article} | {_md(later_text(e.at))} | {_md(e.reason)} |"
            for e in report.later
        ]
        out.append("")
    return out


def render_summary(run: RunResult) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY, and the comment on forges without annotations: errors first,
    then what reviewers must decide, under which article, by when, and who has."""
    errors, warnings = run.count(Severity.ERROR), run.count(Severity.WARNING)
    out = [
        "## govsite 检查结果",
        "",
        f"{'✅ 通过' if run.ok else '❌ 未通过'}：{len(run.projects)} 个文件，{errors} 个错误，{warnings} 个警告。",
        "",
    ]
    out += [f"> {_md(note)}" for note in run.notes]
    if run.notes:
        out.append("")
    for result in run.projects:
        out.append(f"### {_md(result.project_id or result.path)} {_md(result.name or '')}".rstrip())
        out.append("")
        if result.policy:
            out.append(f"适用政策：{_md(result.policy.title)}（{_md(result.policy.document_number)}）  ")
        if result.decision is not None:
            out.append(_md(subject_line(result.decision)))
        elif result.stage_to:
            source = label(result.stage_from) if result.stage_from else "新项目"
            out.append(f"阶段：{_md(source)} → **{_md(label(result.stage_to))}**")
        out.append("")
        if result.findings:
            out += _findings_table(result, run.site_url)
        if result.decision is not None:
            out += _decision_table(result)
        elif result.route:
            out += ["| 审批机构 | 依据 | 理由 |", "|---|---|---|"]
            out += [f"| {_md(r.role_name)} | {r.rule} {r.article} | {_md(r.reason)} |" for r in result.route]
            out.append("")
        if result.deadlines:
            out += ["| 时限 | 事项 | 依据 | 状态 |", "|---|---|---|---|"]
            out += [
                f"| {d.due} | {_md(d.what)} | {d.rule} {d.article} | {_STATUS.get(d.status, _md(d.status))} |"
                for d in result.deadlines
            ]
            out.append("")
    if run.impact is not None:
        out += _impact_section(run.impact)
    return "\n".join(out) + "\n"


def _impact_section(impact: Impact) -> list[str]:
    """The policy change's impact for reviewers of the pull request: counts per rule, then each
    project whose verdict changes (what appears, what disappears)."""
    from govsite.impact import SHOWN

    out = ["### 政策包修改的影响", "", _md(impact.summary()), ""]
    out += [f"> {_md(note)}" for note in impact.notes]
    if impact.changes:
        out += ["| 规则 | 新出现的项目 | 不再出现的项目 |", "|---|---|---|"]
        out += [f"| {_md(rule)} | {a} | {g} |" for rule, a, g in impact.by_rule()]
        out += ["", "| 项目 | 新出现 | 不再出现 |", "|---|---|---|"]
        for change in impact.changes[:SHOWN]:
            title = _md(" ".join(p for p in (change.project_id, change.name) if p) or change.path)
            plus = "<br>".join(_md(line.shown()) for line in change.appeared) or "—"
            minus = "<br>".join(_md(line.shown()) for line in change.disappeared) or "—"
            out.append(f"| {title} | {plus} | {minus} |")
        if len(impact.changes) > SHOWN:
            out.append(
                f"\n另有 {len(impact.changes) - SHOWN} 个项目（`govsite policy impact --format json` 列出全部）。"
            )
    out.append("")
    return out


def render_github(run: RunResult, token: str | None = None) -> str:
    """Annotations, then the plain text report for the log with command processing stopped."""
    lines = [finding_line(r.path, f) for r in run.projects for f in r.findings]
    out = render_annotations(run)
    if lines:
        token = token or secrets.token_hex(16)
        out += f"::stop-commands::{token}\n" + "\n".join(lines) + f"\n::{token}::\n"
    return out
