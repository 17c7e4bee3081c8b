"""GitLab Code Quality report (`--format gitlab`), for `artifacts:reports:codequality`.

GitLab documents the format as a JSON array of objects with `description`, `check_name`,
`fingerprint`, `severity` (`info`, `minor`, `major`, `critical`, `blocker`), `location.path`
(relative to the repository, no `./`) and `location.lines.begin`; it ignores any other Code Climate
field and refuses a byte order mark. GitLab shows the findings in the merge request's Code Quality
widget (and, on higher tiers, in the diff) by comparing the fingerprints of the target branch's
report with the merge request's: an equal fingerprint is the same finding, one only in the merge
request's report is a new one. So:

- a fingerprint does not depend on the line: inserting a line above a finding leaves it unchanged.
  It is a digest of the path, the rule, the field path and the message, and of an ordinal that tells
  apart findings that agree in all four (GitLab would merge them into one);
- the description says what the GitHub annotation says (`github.finding_title`, `finding_parts`):
  rule and article, message, fix hint and the handbook link when a site URL is configured. Every value
  goes through `safetext.for_terminal`, so a control or bidirectional character from a file is shown
  as a visible escape rather than making the widget read differently.

Issues are written in the run's order, one compact line each (the C encoder, as `json_report` does).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from govsite.findings import Finding, Severity
from govsite.report.github import finding_parts, finding_title
from govsite.result import RunResult
from govsite.safetext import for_terminal

# error: the run fails (exit code 1) and the merge request must not be merged until the file is
# corrected, so `critical`, ranked above every warning in GitLab's widget; `major` would put it only
# one step above advice. `blocker` is left unused: govsite has no level above error to give it.
# warning: the run passes, the file should still be improved: `minor`. info (a notice): `info`.
SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def report_path(path: str) -> str:
    """A repository-relative, '/'-separated path as GitLab wants it (no leading `./`)."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _fingerprint(identity: list[Any], ordinal: int) -> str:
    # JSON keeps the parts apart: a separator inside a message cannot make two identities equal,
    # and the field path's list indexes stay distinct from keys that look like numbers
    key = json.dumps([*identity, ordinal], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _description(finding: Finding, site_url: str | None) -> str:
    parts = finding_parts(finding, site_url, for_terminal)
    return f"[{for_terminal(finding_title(finding))}] " + " ".join(parts)


def code_quality_issues(run: RunResult) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for result in run.projects:
        path = report_path(result.path)
        for finding in result.findings:
            # what a finding is, wherever its line: the file, the rule, the field and what is wrong
            identity: list[Any] = [path, finding.rule, list(finding.field), finding.message]
            same = json.dumps(identity, ensure_ascii=False)
            ordinal = seen.get(same, 0)  # the how-manyth finding of this identity, in the file's order
            seen[same] = ordinal + 1
            issues.append(
                {
                    "description": _description(finding, run.site_url),
                    "check_name": finding.rule,
                    "fingerprint": _fingerprint(identity, ordinal),
                    "severity": SEVERITY[finding.severity],
                    "location": {"path": path, "lines": {"begin": max(finding.line or 1, 1)}},
                }
            )
    return issues


def render_gitlab(run: RunResult) -> str:
    """The run's findings as a GitLab Code Quality report; `[]` when there are none."""
    issues = code_quality_issues(run)
    if not issues:
        return "[]\n"
    lines = ",\n".join("  " + json.dumps(issue, ensure_ascii=False) for issue in issues)
    return f"[\n{lines}\n]\n"
