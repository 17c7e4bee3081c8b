"""The output formats a run is reported in, and the exit code its findings give."""

from __future__ import annotations

from govsite.errors import ExitCode
from govsite.result import RunResult

FORMATS = ("text", "json", "github", "markdown", "gitlab")

Report = tuple[str, str | None, int]  # what the terminal gets, the GitHub step summary, the exit code


def render(run: RunResult, fmt: str, fail_on: str = "error") -> Report:
    """The run in one format; exit code 1 for findings of severity error (or warning, `fail_on`)."""
    from govsite.findings import Severity
    from govsite.report.github import render_github, render_summary
    from govsite.report.gitlab import render_gitlab
    from govsite.report.json_report import render_json
    from govsite.report.text import render_text

    step_summary = None
    if fmt == "json":
        out = render_json(run)
    elif fmt == "gitlab":
        out = render_gitlab(run)
    elif fmt == "markdown":
        out = render_summary(run)
    elif fmt == "github":
        out, step_summary = render_github(run), render_summary(run)
    else:
        out = render_text(run)
    failing = run.count(Severity.ERROR) + (run.count(Severity.WARNING) if fail_on == "warning" else 0)
    return out, step_summary, ExitCode.FINDINGS if failing else ExitCode.OK
