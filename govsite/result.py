"""What a run produces, per project and overall: the one structure every reporter reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govsite.findings import Deadline, Finding, RouteEntry, Severity

if TYPE_CHECKING:  # the CLI imports this module; the model and approvals load only when used
    from govsite.approvals.required import Subject
    from govsite.approvals.status import DecisionReport
    from govsite.impact import Impact
    from govsite.model import Project


@dataclass(frozen=True)
class PolicyRef:
    id: str
    document_number: str
    title: str


@dataclass
class ProjectResult:
    path: str
    project_id: str | None = None
    name: str | None = None
    policy: PolicyRef | None = None  # the regulation of the act being decided
    policies: list[PolicyRef] = field(default_factory=list)  # every regulation that judged one of its acts
    excluded: bool = False  # the regulation says it does not apply to this project
    stage_from: str | None = None
    stage_to: str | None = None
    findings: list[Finding] = field(default_factory=list)
    route: list[RouteEntry] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    score: dict[str, Any] | None = None
    # the validated project, for outputs that show its facts (the site); None if it did not load
    project: Project | None = field(default=None, repr=False)
    # check: what the pull request asks for this file, and who has decided it
    subject: Subject | None = None
    decision: DecisionReport | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def ok(self) -> bool:
        return self.count(Severity.ERROR) == 0


@dataclass
class RunResult:
    projects: list[ProjectResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mode: str = "validate"
    base: str | None = None
    head: str | None = None
    site_url: str | None = None  # the published site (govsite.toml [site] url): findings link its handbook
    # check of a pull request that changes policies/, and `govsite policy impact`: the registry's
    # verdicts under the base's packs and under the pull request's (govsite/impact.py)
    impact: Impact | None = None

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.projects)

    def count(self, severity: Severity) -> int:
        return sum(p.count(severity) for p in self.projects)
