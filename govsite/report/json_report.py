"""JSON report; its format is documented in docs/json-format.md and versioned by `format_version`."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from govsite.findings import Finding, handbook_link
from govsite.report.decision import decision_dict
from govsite.result import ProjectResult, RunResult

if TYPE_CHECKING:
    from govsite.impact import Impact

FORMAT_VERSION = 1


def flat_dict(value: Any) -> dict[str, Any]:
    """A dataclass of plain fields as a dict: what `dataclasses.asdict` gives, without its deep copy
    of every value (a tenth of a rebuild's page keys went to it)."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


def finding_dict(finding: Finding, site_url: str | None = None) -> dict[str, Any]:
    found = {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "article": finding.article,
        "message": finding.message,
        "hint": finding.hint,
        "line": finding.line,
        "column": finding.column,
        "field": ".".join(str(p) for p in finding.field),
        "related": list(finding.related),
        "policy": finding.policy or None,
    }
    link = handbook_link(site_url, finding)
    if link:
        found["handbook"] = link
    return found


def project_dict(result: ProjectResult, site_url: str | None = None) -> dict[str, Any]:
    return {
        "path": result.path,
        "project": result.project_id,
        "name": result.name,
        "policy": flat_dict(result.policy) if result.policy else None,
        "policies": [flat_dict(p) for p in result.policies],
        "excluded": result.excluded,
        "stage_from": result.stage_from,
        "stage_to": result.stage_to,
        "ok": result.ok,
        "findings": [finding_dict(f, site_url) for f in result.findings],
        "route": [
            {
                "role": r.role,
                "role_name": r.role_name,
                "rule": r.rule,
                "article": r.article,
                "reason": r.reason,
                "policy": r.policy or None,
            }
            for r in result.route
        ],
        "deadlines": [flat_dict(d) for d in result.deadlines],
        "facts": result.facts,
        "score": result.score,
        "decision": decision_dict(result.decision) if result.decision is not None else None,
    }


def run_dict(run: RunResult) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "mode": run.mode,
        "base": run.base,
        "head": run.head,
        "ok": run.ok,
        "notes": run.notes,
        **({"impact": impact_dict(run.impact)} if run.impact is not None else {}),
        "projects": [project_dict(p) for p in run.projects],
    }


def impact_dict(impact: Impact) -> dict[str, Any]:
    """docs/json-format.md: `impact`, present when the run judged a policy change's impact."""
    return {
        "base": impact.base,
        "head": impact.head,
        "judged": impact.judged,
        "summary": impact.summary(),
        "notes": impact.notes,
        "by_rule": [{"rule": r, "appeared": a, "disappeared": g} for r, a, g in impact.by_rule()],
        "changes": [
            {
                "path": c.path,
                "project": c.project_id,
                "name": c.name,
                "policy_before": c.policy_before,
                "policy_after": c.policy_after,
                "appeared": [asdict(line) for line in c.appeared],
                "disappeared": [asdict(line) for line in c.disappeared],
            }
            for c in impact.changes
        ],
    }


def render_json(run: RunResult) -> str:
    """The run as one JSON object, one project per line.

    Indented JSON goes through the json module's pure-Python encoder (ten times slower: seconds for
    a city's registry); one compact line per project keeps the C encoder and stays readable in a diff.
    """
    head = run_dict(
        RunResult(notes=run.notes, mode=run.mode, base=run.base, head=run.head, impact=run.impact)
    )
    head["ok"] = run.ok
    del head["projects"]
    text = json.dumps(head, ensure_ascii=False, default=str)[:-1]
    if not run.projects:
        return text + ', "projects": []}\n'
    lines = ",\n".join(
        "  " + json.dumps(project_dict(p, run.site_url), ensure_ascii=False, default=str)
        for p in run.projects
    )
    return f'{text}, "projects": [\n{lines}\n]}}\n'
