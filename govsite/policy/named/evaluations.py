"""A unit's past performance evaluations, put before the review of its new project.

拱墅 第二十三条 (评价结果将作为政府投资信息化项目建设的立项参考) and 杨浦 第三十九条 (评估结果应用于项目立项
审核和预算安排) make evaluation results an input to the next approval, without a pass mark and without
an automatic consequence: the review weighs them. So the rule does not judge the new project; it names,
for the reviewer, each other project of the same unit with an evaluation on record by the day of the
review, with kind, date, score and evaluator. A pack that has a pass mark (params.poor_evaluation_score)
gets a warning for a result under it; without one every result is a notice.

Projects are grouped by a registry key (the unit's folded name), so a review meets only its unit's
evaluated projects: O(n) across the registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from typing import Any

from govsite.findings import Severity
from govsite.model import Evaluation, Project
from govsite.policy.named.common import (
    NamedFinding,
    NamedOutcome,
    NamedRule,
    RuleContext,
    describe,
    fold_name,
    registry_key,
)
from govsite.vocabulary import Stage

_PERFORMANCE = {"self_evaluation": "绩效自评", "post_evaluation": "后评价"}
# a review's own outcome: the day it was recorded is the day of the review
_REVIEW_OUTCOMES = frozenset({Stage.APPROVED, Stage.IN_LIBRARY, Stage.DEFERRED, Stage.REJECTED})


@registry_key("unit-evaluated")
def _unit_evaluated(project: Project, params: Mapping[str, Any]) -> Hashable | None:
    if any(e.kind in _PERFORMANCE for e in project.evaluations):
        return fold_name(project.project_unit)
    return None


def _review_day(project: Project, today: dt.date) -> dt.date:
    last = project.stages[-1]
    return last.date if last.stage in _REVIEW_OUTCOMES else today


def _describe_evaluation(evaluation: Evaluation) -> str:
    text = f"{evaluation.date} {_PERFORMANCE[evaluation.kind]}"
    if evaluation.score is not None:
        text += f" {evaluation.score:g} 分"
    if evaluation.by:
        text += f"（{evaluation.by}）"
    return text


def unit_evaluations_at_review(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """项目待审核或记录审核结论时，列出同一项目单位（名称全角半角、空格不计）在登记册中其他项目截至审核之日的
    绩效评价（自评、后评价）：评价种类、日期、得分和评价机构，每个项目一条，指明该项目，供审核参考。政策包设有
    合格分数（params.poor_evaluation_score）的，低于该分数的给出警告，其余为提示。"""
    outcome = NamedOutcome()
    on = _review_day(project, context.today)
    key = fold_name(project.project_unit)
    mark = params.get("poor_evaluation_score")
    poor = float(mark) if isinstance(mark, int | float) else None
    for entry in sorted(
        context.registry.peers("unit-evaluated", project, params, key=key), key=lambda e: e.project_id
    ):
        found = [e for e in entry.project.evaluations if e.kind in _PERFORMANCE and e.date <= on]
        if not found:
            continue
        low = [
            e
            for e in found
            if isinstance(poor, int | float) and e.score is not None and e.score < float(poor)
        ]
        listed = "；".join(_describe_evaluation(e) for e in found)
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING if low else Severity.INFO,
                f"项目单位{project.project_unit}的项目 {describe(entry)}的绩效评价：{listed}"
                + (f"，其中 {len(low)} 次低于 {poor:g} 分" if low and poor is not None else ""),
                "评价结果作为本项目立项审核的参考，不要求修改本文件；项目单位可在申报材料中说明评价发现问题的整改情况。",
                ("project_unit",),
                (entry.project.id,),
            )
        )
    return outcome


RULES: dict[str, NamedRule] = {"unit_evaluations_at_review": unit_evaluations_at_review}
