"""Who must decide what a pull request asks for: pure, from the judged result and the pack.

A body must decide when the step's lifecycle transition names it (`by:` in lifecycle.yaml, with the
transition's article), or when a rule routes the project to it now (a route whose `at:` names a later
stage is shown but waits for that stage). A pull request that changes a project file without a
stage step or a change still needs someone: the body that answers for the district's files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from govsite.findings import Deadline, RouteEntry
from govsite.policy.pack import PolicyPack, cite


@dataclass(frozen=True)
class Basis:
    rule: str
    article: str
    reason: str

    @property
    def cited(self) -> str:
        """阶段规定 第十五条 / MH-09 第十五条"""
        return f"{BASIS_NAMES.get(self.rule, self.rule)} {self.article}".strip()


# what the non-rule bases read as
BASIS_NAMES = {"lifecycle": "阶段规定", "protected-path": "受保护的文件", "layout": "项目文件"}


@dataclass(frozen=True)
class Requirement:
    """One role whose approval the merge needs, with every rule and article that asks for it."""

    role: str
    role_name: str
    basis: tuple[Basis, ...]
    due: str | None = None  # the working day (or date) the regulation sets for the decision
    due_rule: str | None = None
    due_status: str | None = None  # pending / overdue / met / late


@dataclass(frozen=True)
class Subject:
    """What is asked for: a declaration, a stage step, changes, or an edit of a file."""

    kind: str  # declaration | transition | change | update | protected
    source: str | None = None
    target: str | None = None
    changes: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "from": self.source, "to": self.target, "changes": list(self.changes)}


@dataclass(frozen=True)
class Decision:
    subject: Subject
    what: str  # in Chinese: 受理、批复、变更核准 …
    required: tuple[Requirement, ...] = field(default_factory=tuple)
    later: tuple[RouteEntry, ...] = field(default_factory=tuple)  # routes for a later stage


def _due(rules: Sequence[str], deadlines: Sequence[Deadline]) -> Deadline | None:
    """The open clock of the same rule, if the regulation sets one for this decision."""
    mine = [d for d in deadlines if d.rule in rules]
    open_ = [d for d in mine if d.status in ("pending", "overdue")]
    chosen = open_ or mine
    return min(chosen, key=lambda d: d.due) if chosen else None


def required_decisions(
    subject: Subject,
    route: Sequence[RouteEntry],
    deadlines: Sequence[Deadline],
    pack: PolicyPack | None,
    project_type: str | None,
    budget_authority: str | None = None,
) -> tuple[list[Requirement], list[RouteEntry]]:
    """The roles that must approve now, and the route entries that wait for a later stage."""
    bases: dict[str, list[Basis]] = {}
    names: dict[str, str] = {}
    later: list[RouteEntry] = []
    for entry in route:
        if entry.at and (subject.target is None or subject.target not in entry.at):
            later.append(entry)
            continue
        bases.setdefault(entry.role, []).append(Basis(entry.rule, entry.article, entry.reason))
        names.setdefault(entry.role, entry.role_name)
    if pack is not None and subject.kind in ("declaration", "transition") and subject.target is not None:
        from govsite.lifecycle import Transition
        from govsite.vocabulary import ProjectType, Stage

        step: Transition | None = None
        if subject.source is not None:
            step = pack.lifecycle.find(
                Stage(subject.source), Stage(subject.target), ProjectType(project_type or "construction")
            )
        if step is None:  # a new project: who receives it, under the article of its first step on
            by = pack.lifecycle.entry_by.get(Stage(subject.target), ())
            onward = next(
                (t for t in pack.lifecycle.transitions if t.source.value == subject.target and t.article),
                None,
            )
            article = cite(onward.article) if onward is not None else ""
        else:
            by, article = step.by, cite(step.article) if step.article else ""
        for role in by:
            if role not in pack.roles:
                continue
            bases.setdefault(role, []).insert(
                0, Basis("lifecycle", article, f"决定本阶段：{_stage_label(subject)}")
            )
            names.setdefault(role, _role_name(pack, role, budget_authority))
    if not bases and pack is not None and subject.kind != "protected":
        for owner in pack.roles.values():
            if owner.codeowner:
                bases[owner.id] = [
                    Basis("layout", "", "修改项目文件（不是阶段推进或变更），由负责本区项目文件的机构审核")
                ]
                names[owner.id] = owner.name
    requirements = []
    for role, basis in bases.items():
        clock = _due([b.rule for b in basis], deadlines)
        requirements.append(
            Requirement(
                role,
                names[role],
                tuple(basis),
                due=clock.due if clock else None,
                due_rule=clock.rule if clock else None,
                due_status=clock.status if clock else None,
            )
        )
    return requirements, later


def _stage_label(subject: Subject) -> str:
    from govsite.vocabulary import label

    if subject.source is None:
        return f"新项目（{label(subject.target)}）"
    return f"{label(subject.source)} → {label(subject.target)}"


def _role_name(pack: PolicyPack, role: str, budget_authority: str | None) -> str:
    name = pack.roles[role].name
    return f"{budget_authority}（{name}）" if role == "budget_authority" and budget_authority else name
