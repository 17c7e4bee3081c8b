"""The pending decision of a project, in words every reporter shares (text, JSON, Markdown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a validate run has no decisions: it need not import the approvals (and the packs)
    from govsite.approvals.status import DecisionReport, RoleStatus, Verified
from govsite.vocabulary import DEADLINE_STATUS_LABELS, label

_BASIS_NAMES = {"lifecycle": "阶段规定", "protected-path": "受保护的文件", "layout": "项目文件"}


def basis_text(status: RoleStatus) -> str:
    return "；".join(
        f"{_BASIS_NAMES.get(b.rule, b.rule)} {b.article}".strip() for b in status.requirement.basis
    )


def due_text(status: RoleStatus) -> str:
    requirement = status.requirement
    if not requirement.due:
        return "政策未规定时限"
    state = DEADLINE_STATUS_LABELS.get(requirement.due_status or "", requirement.due_status or "")
    return f"应于 {requirement.due} 前决定（{requirement.due_rule}，{state}）"


def _who(v: Verified) -> str:
    statement = v.statement
    if statement is None:
        return v.file.source
    return f"{statement.person} {statement.time.date().isoformat()}"


def state_text(status: RoleStatus) -> str:
    from govsite.approvals.status import STATE_LABELS

    text = STATE_LABELS[status.state]
    if status.decided:
        text += "：" + "、".join(_who(v) for v in status.decided[-1:])
    if status.stale and status.state == "stale":
        text += "（" + "、".join(_who(v) for v in status.stale) + " 审批的是旧版本）"
    return text


def subject_line(report: DecisionReport) -> str:
    kind = report.subject.kind
    prefix = {
        "declaration": "申报",
        "transition": "阶段",
        "change": "变更",
        "update": "修改",
        "protected": "修改",
    }[kind]
    return (
        f"{prefix}：{report.what.removeprefix('变更：').removeprefix('新项目：')}"
        if kind in ("change", "declaration")
        else f"{prefix}：{report.what}"
    )


def _statement(v: Verified) -> dict[str, Any]:
    from govsite.approvals.statement import DECISIONS

    statement = v.statement
    assert statement is not None
    return {
        "person": statement.person,
        "time": statement.time.isoformat(),
        "decision": statement.decision,
        "decision_label": DECISIONS[statement.decision],
        "blob": statement.blob,
        "opinion": statement.opinion,
        "ref": statement.ref,
        "source": v.file.source,
        "via": statement.via.model_dump() if statement.via else None,
    }


def decision_dict(report: DecisionReport) -> dict[str, Any]:
    from govsite.approvals.status import STATE_LABELS

    return {
        "subject": report.subject.as_dict(),
        "what": report.what,
        "path": report.path,
        "blob": report.blob,
        "complete": report.complete,
        "roles": [
            {
                "role": s.requirement.role,
                "role_name": s.requirement.role_name,
                "basis": [
                    {"rule": b.rule, "article": b.article, "reason": b.reason} for b in s.requirement.basis
                ],
                "due": s.requirement.due,
                "due_rule": s.requirement.due_rule,
                "due_status": s.requirement.due_status,
                "state": s.state,
                "state_label": STATE_LABELS[s.state],
                "holders": list(s.holders),
                "approvals": [_statement(v) for v in s.decided],
                "stale": [_statement(v) for v in s.stale],
                "problems": list(s.problems),
            }
            for s in report.roles
        ],
        "later": [
            {
                "role": e.role,
                "role_name": e.role_name,
                "rule": e.rule,
                "article": e.article,
                "reason": e.reason,
                "at": list(e.at),
            }
            for e in report.later
        ],
    }


def later_text(at: tuple[str, ...]) -> str:
    return "、".join(label(s) for s in at)
