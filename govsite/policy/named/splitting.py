"""Split declarations across the registry: one unit declaring, in one budget year, parts of one system
whose sum crosses a threshold that each part stays under (the classic way under 500/100/50 万).

Shared by the packs whose regulation forbids splitting or duplicate building; each pack says in its
params which thresholds matter (`split_thresholds`: amount → what crossing it brings, with its
article). Parts are related when they are the same unit's construction projects of the same budget
year and either name the same system (the name without phase marks and 建设项目/系统 tails) or
belong to the same parent system (`attributes.parent_system`). Both are registry keys, so a project
meets only its few candidates: O(n) across the registry.

The finding is a warning for the reviewer to weigh (a unit may have good reasons for two projects),
naming every part and the sum.
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
    RegistryEntry,
    RuleContext,
    describe,
    fold_name,
    registry_key,
)
from govsite.vocabulary import ProjectType

_ENDED = {"rejected", "intake_refused", "terminated", "left_library"}


def _counted(project: Project) -> bool:
    """A construction project still on its way: a refused or ended one is not a part of anything."""
    return project.type is ProjectType.CONSTRUCTION and project.stage.value not in _ENDED


@registry_key("split-same-system")
def _same_system(project: Project, params: Mapping[str, Any]) -> Hashable | None:
    core = name_core(project.name)
    return (
        (fold_name(project.project_unit), project.budget_year, core) if _counted(project) and core else None
    )


@registry_key("split-same-parent")
def _same_parent(project: Project, params: Mapping[str, Any]) -> Hashable | None:
    parent = project.attributes.parent_system
    if not _counted(project) or not parent:
        return None
    return (fold_name(project.project_unit), project.budget_year, fold_name(parent))


def _thresholds(params: Mapping[str, Any]) -> list[tuple[float, str]]:
    table = params.get("split_thresholds")
    if not isinstance(table, list):
        raise TypeError("param split_thresholds must be a list of {amount, what}")
    found = []
    for row in table:
        if (
            not isinstance(row, Mapping)
            or not isinstance(row.get("amount"), int | float)
            or not row.get("what")
        ):
            raise TypeError(f"split_thresholds entry {row!r} needs amount (万元) and what")
        found.append((float(row["amount"]), str(row["what"])))
    return sorted(found)


def split_declaration(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """同一项目单位在同一资金年度申报的、属于同一系统（名称去掉期次和“建设项目”等后相同，或所属大系统相同）的
    几个建设项目，各自低于某一金额标准、合计达到该标准的，可能是分拆申报：给出警告，列出各个项目和合计金额，
    由审核机构判断。"""
    outcome = NamedOutcome()
    if not _counted(project):
        return outcome
    parts: dict[str, RegistryEntry] = {}
    for key in ("split-same-system", "split-same-parent"):
        for entry in context.registry.peers(key, project, params):
            parts.setdefault(entry.project_id, entry)
    if not parts:
        return outcome
    others = sorted(parts.values(), key=lambda e: e.project_id)
    amounts = [project.budget.total, *(e.project.budget.total for e in others)]
    total = sum(amounts)
    for threshold, what in reversed(_thresholds(params)):
        if total >= threshold and all(amount < threshold for amount in amounts):
            listed = "、".join(f"{describe(e)} {e.project.budget.total:g} 万元" for e in others)
            outcome.findings.append(
                NamedFinding(
                    Severity.WARNING,
                    f"本项目（{project.budget.total:g} 万元）与本单位同一年度（{project.budget_year} 年）同一系统的"
                    f"{listed}合计 {total:g} 万元，达到{what}的 {threshold:g} 万元，而各自都低于这一标准：可能是分拆申报",
                    "确属同一系统的，合并为一个项目申报（分年实施的提供整体方案和分期建设计划）；确是不同系统的，"
                    "在建设方案中说明各自的建设内容和边界，供审核机构判断。",
                    ("budget", "total"),
                    tuple(e.project_id for e in others),
                )
            )
            break  # the highest threshold crossed says it; the lower ones follow from it
    return outcome


RULES: dict[str, NamedRule] = {"split_declaration": split_declaration}
