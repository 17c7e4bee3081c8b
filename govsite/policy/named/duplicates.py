"""Duplicate building across the registry: a new system whose name says it builds what another
project of the district already builds or runs.

Shared by the packs whose regulation forbids duplicate building in general words (龙岗 第六条
“避免重复建设”, 杨浦 第二十三条 业务信息系统“只减不增”); 拱墅 has its own, stricter rule (GS-03).
Two projects build the same system when their names, without phase marks and the closing
建设项目 / 系统 / 平台, are the same (`name_core`): an explainable test a reviewer can check in a
second, and a registry key, so each project meets only its namesakes (O(n)). A project that
continues or upgrades the other (phase.previous, original_project, followed through the registry)
is not a duplicate. The finding is a warning naming the other project: the reviewer weighs it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from govsite.findings import Severity
from govsite.model import Project
from govsite.policy.functions import name_core
from govsite.policy.named.common import (
    NamedFinding,
    NamedOutcome,
    NamedRule,
    RuleContext,
    describe,
    registry_key,
)
from govsite.vocabulary import ConstructionMode, ProjectType, Stage

# what another project must be doing to be duplicated: on its way to being built, or in use
_ACTIVE = frozenset(
    {
        Stage.DECLARED,
        Stage.CORRECTION,
        Stage.INTAKE,
        Stage.IN_LIBRARY,
        Stage.APPROVED,
        Stage.UNDER_CONSTRUCTION,
        Stage.TRIAL_RUN,
        Stage.ACCEPTANCE_FAILED,
        Stage.RECTIFICATION,
        Stage.ACCEPTED,
        Stage.IN_OPERATION,
        Stage.SUSPENDED,
    }
)
# what this project must be asking for: the decision to build is still to be taken
_ASKING = frozenset({Stage.REQUIREMENT, Stage.DECLARED, Stage.CORRECTION, Stage.INTAKE, Stage.IN_LIBRARY})


def _builds(project: Project) -> bool:
    return project.type is ProjectType.CONSTRUCTION and project.mode is not ConstructionMode.IT_SERVICE


@registry_key("same-system-name")
def _same_name(project: Project, params: Mapping[str, Any]) -> Hashable | None:
    core = name_core(project.name)
    return core if _builds(project) and project.stage in _ACTIVE and core else None


def _declared_on(project: Project) -> Any:
    return project.stage_date(Stage.DECLARED) or project.stages[0].date


def _lineage(project: Project, context: RuleContext) -> set[str]:
    """Ids this project continues or upgrades, followed through the registry."""
    seen: set[str] = set()
    todo = [project]
    while todo:
        current = todo.pop()
        for link in (current.original_project, current.phase.previous if current.phase else None):
            if link and link not in seen:
                seen.add(link)
                entry = context.registry.get(link)
                if entry is not None:
                    todo.append(entry.project)
    return seen


def duplicate_system(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """新建系统的项目在申报、审核期间，登记册中本区已有更早申报、仍在建设或使用中的建设项目建设同名系统
    （名称去掉括注、期数和“建设项目”“系统”“平台”等后相同），且两者之间没有续建或升级改造关系的，可能重复建设：
    给出警告，指明那个项目，由审核机构判断。"""
    outcome = NamedOutcome()
    if not _builds(project) or project.mode is not ConstructionMode.NEW or project.stage not in _ASKING:
        return outcome
    core = name_core(project.name)
    if not core:
        return outcome
    mine = (_declared_on(project), project.id)
    lineage = _lineage(project, context)
    for entry in context.registry.peers("same-system-name", project, params, key=core):
        other = entry.project
        if (_declared_on(other), other.id) >= mine:
            continue  # the later declaration is the one that duplicates
        if other.id in lineage or project.id in _lineage(other, context):
            continue
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"本项目与 {describe(entry)}建设的可能是同一系统（名称去掉括注、期数等后均为“{core}”），该项目更早申报"
                f"（{_declared_on(other).isoformat()}）、当前为“{other.stage.label}”，两者之间没有续建或升级改造关系：可能重复建设",
                "确为同一系统的，改为在原系统上升级改造（mode: upgrade，original_project 写原项目编号）或续建（phase.previous）；"
                "确是不同的系统，在建设方案中说明与该系统的功能区别和数据共享关系，供审核机构判断。",
                ("name",),
                (other.id,),
            )
        )
    return outcome


RULES: dict[str, NamedRule] = {"duplicate_system": duplicate_system}
