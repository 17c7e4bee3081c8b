"""Audit reports: a line per finding (`commit:project: 错误 [规则 条款] …`), or JSON for the site."""

from __future__ import annotations

import json
from typing import Any

from govsite.audit import AuditEvent, AuditResult
from govsite.report.decision import decision_dict
from govsite.report.json_report import finding_dict
from govsite.safetext import for_terminal as safe


def render_audit_text(result: AuditResult) -> str:
    lines = []
    checked = [e for e in result.events if not e.before_audit]
    for event in checked:
        for finding in event.findings:
            cited = f"{finding.rule} {finding.article}".strip()
            lines.append(
                f"{event.commit[:12]}:{safe(event.project_id or event.path)}: {finding.severity.label} [{safe(cited)}] {safe(finding.message)}"
            )
    before = len(result.events) - len(checked)
    summary = f"核验了 {len(checked)} 次合并的改动"
    if before:
        summary += f"（另有 {before} 项是登记册开始记录审批之前的记录，不作为已审批）"
    bad = sum(1 for e in checked if not e.ok)
    lines.append(summary + (f"：{bad} 项未通过" if bad else "：全部有有效的审批"))
    return "\n".join(lines) + "\n"


def event_dict(event: AuditEvent) -> dict[str, Any]:
    from govsite.approvals.status import DecisionReport

    decision = None
    if event.subject is not None:
        decision = decision_dict(DecisionReport(event.subject, event.what, event.path, "", event.roles))
    return {
        "commit": event.commit,
        "time": event.time.isoformat(),
        "path": event.path,
        "project": event.project_id,
        "name": event.name,
        "what": event.what,
        "policy": event.policy,
        "before_audit": event.before_audit,
        "ok": event.ok,
        "findings": [finding_dict(f) for f in event.findings],
        "decision": decision,
    }


def render_audit_json(result: AuditResult) -> str:
    data = {
        "format_version": 1,
        "branch": result.branch,
        "head": result.head,
        "since": result.since,
        "ok": result.ok,
        "events": [event_dict(e) for e in result.events],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
