"""Legal stage transitions, as data from the policy pack, and the checks that use them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from govsite.findings import Finding, Severity
from govsite.model import Project
from govsite.vocabulary import ProjectType, Stage, label


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    types: frozenset[ProjectType] = frozenset(ProjectType)
    article: str = ""
    by: tuple[str, ...] = ()  # the roles that decide this step
    resumes: bool = False  # suspended → the stage the project was suspended from (and only that one)


@dataclass(frozen=True)
class Lifecycle:
    entry: frozenset[Stage]
    transitions: tuple[Transition, ...] = field(default_factory=tuple)
    # who receives a new project at each entry stage (e.g. the data bureau a declaration)
    entry_by: dict[Stage, tuple[str, ...]] = field(default_factory=dict)

    def allowed_from(self, stage: Stage, project_type: ProjectType) -> list[Stage]:
        return [t.target for t in self.transitions if t.source is stage and project_type in t.types]

    def find(self, source: Stage, target: Stage, project_type: ProjectType) -> Transition | None:
        for transition in self.transitions:
            if (
                transition.source is source
                and transition.target is target
                and project_type in transition.types
            ):
                return transition
        return None


def _stages_text(stages: Iterable[Stage]) -> str:
    return "、".join(f"{label(s)}（{s.value}）" for s in stages) or "无（终止状态）"


def _illegal(lifecycle: Lifecycle, project: Project, source: Stage, target: Stage, index: int) -> Finding:
    allowed = lifecycle.allowed_from(source, project.type)
    return Finding(
        rule="transition",
        severity=Severity.ERROR,
        message=f"不允许从“{label(source)}”直接进入“{label(target)}”",
        hint=f"“{label(source)}”之后只能进入：{_stages_text(allowed)}。",
        field=("stages", index, "stage"),
    )


def suspended_from(stages: Sequence[Stage]) -> Stage | None:
    """The stage a project at `stages[-1] == suspended` was suspended from."""
    for index in range(len(stages) - 1, 0, -1):
        if stages[index] is Stage.SUSPENDED and stages[index - 1] is not Stage.SUSPENDED:
            return stages[index - 1]
    return None


def _resume_problem(project: Project, stages: Sequence[Stage], target: Stage, index: int) -> Finding | None:
    """A resumed project goes back to where it was suspended, not to a later stage."""
    before = suspended_from(stages)
    if before is None or before is target:
        return None
    return Finding(
        rule="transition",
        severity=Severity.ERROR,
        message=f"暂停的项目只能恢复到暂停前的阶段“{label(before)}”，不能直接进入“{label(target)}”",
        hint=f"先恢复到“{label(before)}”（stage: {before.value}），再按正常程序推进；或者终止项目（terminated）。",
        field=("stages", index, "stage"),
    )


_NEEDS_REASON = {Stage.SUSPENDED: "暂停", Stage.TERMINATED: "终止"}


def _reason_problems(project: Project) -> list[Finding]:
    """Suspending or ending a project is a decision with a reason the public registry shows."""
    return [
        Finding(
            rule="transition",
            severity=Severity.ERROR,
            message=f"{_NEEDS_REASON[record.stage]}项目须写明原因（note）和决定文号（ref）",
            hint=f"在这条阶段记录中写 note: {_NEEDS_REASON[record.stage]}的原因，ref: 作出决定的文件文号。",
            field=("stages", index, "note" if not record.note else "ref"),
        )
        for index, record in enumerate(project.stages)
        if record.stage in _NEEDS_REASON and (not (record.note or "").strip() or not record.ref)
    ]


def check_history(lifecycle: Lifecycle, project: Project) -> list[Finding]:
    """The recorded stage history must be a legal path from an entry stage."""
    findings: list[Finding] = []
    first = project.stages[0].stage
    if first not in lifecycle.entry:
        findings.append(
            Finding(
                rule="transition",
                severity=Severity.ERROR,
                message=f"项目不能从“{label(first)}”开始",
                hint=f"第一条阶段记录应为：{_stages_text(sorted(lifecycle.entry, key=list(Stage).index))}。",
                field=("stages", 0, "stage"),
            )
        )
    stages = [record.stage for record in project.stages]
    for index in range(1, len(stages)):
        source, target = stages[index - 1], stages[index]
        transition = lifecycle.find(source, target, project.type)
        if transition is None:
            if source is Stage.SUSPENDED and suspended_from(stages[:index]) is not None:
                problem = _resume_problem(project, stages[:index], target, index)
                findings.append(problem or _illegal(lifecycle, project, source, target, index))
            else:
                findings.append(_illegal(lifecycle, project, source, target, index))
        elif transition.resumes and (problem := _resume_problem(project, stages[:index], target, index)):
            findings.append(problem)
    return findings + _reason_problems(project)


IMMUTABLE_FIELDS = ("id", "district", "type")


def check_append_only(base: Project, head: Project) -> list[Finding]:
    """What is recorded stays recorded: identity fields, stage records and changes of the base
    version are unchanged at the head, and at most one stage record is appended.

    Needs no regulation, so it runs before one is chosen: no edit of a date (or of anything else)
    can switch it off.
    """
    findings: list[Finding] = []
    for name in IMMUTABLE_FIELDS:
        if getattr(base, name) != getattr(head, name):
            findings.append(
                Finding(
                    rule="transition",
                    severity=Severity.ERROR,
                    message=f"项目的“{name}”在登记后不能修改",
                    hint="如确需更改，请下架原项目并重新申报。",
                    field=(name,),
                )
            )
    recorded = len(base.stages)
    if tuple(head.stages[:recorded]) != tuple(base.stages):
        changed = next(
            (i for i, (a, b) in enumerate(zip(base.stages, head.stages, strict=False)) if a != b),
            min(recorded, len(head.stages)) - 1,
        )
        findings.append(
            Finding(
                rule="transition",
                severity=Severity.ERROR,
                message="已记录的阶段历史不能修改或删除",
                hint="只在 stages 末尾追加新的阶段记录；更正历史请联系区数据局。",
                field=("stages", max(changed, 0)),
            )
        )
    elif len(head.stages) - recorded > 1:
        findings.append(
            Finding(
                rule="transition",
                severity=Severity.ERROR,
                message=f"一次合并请求只能推进一个阶段，本次追加了 {len(head.stages) - recorded} 条记录",
                hint="每个阶段由相应机构单独审核：请拆成多个合并请求依次提交。",
                field=("stages", recorded + 1),
            )
        )
    if tuple(head.changes[: len(base.changes)]) != tuple(base.changes):
        findings.append(
            Finding(
                rule="transition",
                severity=Severity.ERROR,
                message="已记录的变更不能修改或删除",
                hint="在 changes 末尾追加新的变更记录；更正请联系区数据局。",
                field=("changes",),
            )
        )
    return findings


def check_new_project(lifecycle: Lifecycle, head: Project) -> list[Finding]:
    """A new file starts with one record, at an entry stage of its regulation."""
    first = head.stages[0].stage
    if len(head.stages) > 1 or first not in lifecycle.entry:
        return [
            Finding(
                rule="transition",
                severity=Severity.ERROR,
                message="新项目只能以一条“需求提出”或“申报”记录开始，不能带着后续阶段一起提交",
                hint="先提交申报；受理、入库、批复等阶段由后续合并请求逐步记录。",
                field=("stages",),
            )
        ]
    return []


def check_step(lifecycle: Lifecycle, base: Project, head: Project) -> list[Finding]:
    """The one stage record a pull request appends is a legal step from the recorded stage.
    (Rewrites and several steps at once are check_append_only's findings.)"""
    recorded = len(base.stages)
    if len(head.stages) != recorded + 1 or tuple(head.stages[:recorded]) != tuple(base.stages):
        return []
    added = head.stages[recorded]
    transition = lifecycle.find(base.stage, added.stage, head.type)
    earlier = [record.stage for record in base.stages]
    if transition is None:
        if base.stage is Stage.SUSPENDED and (
            problem := _resume_problem(head, earlier, added.stage, recorded)
        ):
            return [problem]
        return [_illegal(lifecycle, head, base.stage, added.stage, recorded)]
    if transition.resumes and (problem := _resume_problem(head, earlier, added.stage, recorded)):
        return [problem]
    return []


def check_transition(lifecycle: Lifecycle, base: Project | None, head: Project) -> list[Finding]:
    """A pull request may add one legal step to the history and may not rewrite what is recorded."""
    if base is None:
        return check_new_project(lifecycle, head)
    return check_append_only(base, head) + check_step(lifecycle, base, head)
