"""闵行 2025: named rules (附件2 score; O&M of a system that must exist and be accepted)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.model import Evaluation, Project
from govsite.policy.named.common import NamedFinding, NamedOutcome, NamedRule, RuleContext, describe
from govsite.vocabulary import ProjectType, Stage


class _InputError(Exception):
    def __init__(self, path: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


class _Section:
    """One block of `evaluations[].inputs`, read strictly: every value present and well-typed."""

    def __init__(self, data: object, path: tuple[str, ...]) -> None:
        if not isinstance(data, Mapping):
            raise _InputError(path, f"缺少“{'.'.join(path)}”部分的指标")
        self.data, self.path = data, path

    def section(self, key: str) -> _Section:
        return _Section(self.data.get(key), (*self.path, key))

    def _where(self, key: str) -> str:
        return ".".join((*self.path, key))

    def number(self, key: str, *, percent: bool = False) -> float:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _InputError((*self.path, key), f"缺少数值指标“{self._where(key)}”")
        if value < 0 or (percent and value > 100):
            bounds = "0–100 之间的百分数" if percent else "不小于 0 的数"
            raise _InputError((*self.path, key), f"指标“{self._where(key)}”应为{bounds}，现为 {value}")
        return float(value)

    def denominator(self, key: str) -> float:
        # 附件2's ratios are undefined when the base is zero; scoring them full or empty would be a guess
        value = self.number(key)
        if value == 0:
            raise _InputError((*self.path, key), f"指标“{self._where(key)}”为 0，附件2 的比例无法计算")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if not isinstance(value, bool):
            raise _InputError((*self.path, key), f"指标“{self._where(key)}”应写 true 或 false")
        return value

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        value = self.data.get(key)
        if value not in options:
            raise _InputError((*self.path, key), f"指标“{self._where(key)}”应为 {'、'.join(options)} 之一")
        return str(value)


def _attained(numerator: float, denominator: float) -> float:
    """Attainment ratio, capped at 1 (附件2: 按目标达成率计算得分)."""
    return min(numerator / denominator, 1.0)


def _usage_application(inputs: _Section) -> float:
    return (
        4 * _attained(inputs.number("cpu_pct", percent=True), 30)
        + 4 * _attained(inputs.number("memory_pct", percent=True), 60)
        + 5 * _attained(inputs.number("logins"), inputs.denominator("logins_target"))
        + 5 * _attained(inputs.number("visits"), inputs.denominator("visits_target"))
        # a shorter response is better: attainment is target / actual
        + 5 * _attained(inputs.number("response_target_s"), inputs.denominator("response_s"))
        + 2 * _attained(inputs.number("data_updates"), inputs.denominator("data_updates_target"))
    )


def _usage_infrastructure(inputs: _Section) -> float:
    actual = inputs.number("supported_apps")
    return (
        5 * _attained(actual, inputs.denominator("expected_apps"))
        + 10 * _attained(inputs.number("effective_supports"), inputs.denominator("supported_apps"))
        + 10 * (1 - _attained(inputs.number("faulty_devices"), inputs.denominator("connected_devices")))
    )


def _usage_iot(inputs: _Section) -> float:
    return (
        5 * _attained(inputs.number("connected_devices"), inputs.denominator("catalogued_devices"))
        + 10 * _attained(inputs.number("online_devices"), inputs.denominator("connected_devices"))
        + 10 * (1 - _attained(inputs.number("faulty_devices"), inputs.denominator("connected_devices")))
    )


_USAGE: dict[str, Callable[[_Section], float]] = {
    "application": _usage_application,
    "infrastructure": _usage_infrastructure,
    "iot": _usage_iot,
}


def _band(value: float, high: float, mid: float, points: tuple[int, int, int]) -> int:
    """>high → points[0]; mid..high → points[1]; <mid → points[2] (percentages)."""
    if value > high:
        return points[0]
    return points[1] if value >= mid else points[2]


_BENEFIT_BANDS = {"significant": (8, 10), "moderate": (6, 9), "insignificant": (1, 5)}
_BAND_LABEL = {"significant": "效益显著", "moderate": "效益一般", "insignificant": "效益不显著"}


def _benefit(performance: _Section, key: str) -> int:
    entry = performance.section(key)
    band = entry.choice("band", tuple(_BENEFIT_BANDS))
    low, high = _BENEFIT_BANDS[band]
    points = entry.data.get("points")
    if isinstance(points, bool) or not isinstance(points, int) or not low <= points <= high:
        raise _InputError(
            (*entry.path, "points"),
            f"“{'.'.join(entry.path)}”为{_BAND_LABEL[band]}时得分应为 {low}–{high} 之间的整数，现为 {points}",
        )
    return points


def classification_score(evaluation: Evaluation) -> dict[str, Any]:
    """闵行附件2 分类分级标准（100 分）：使用情况 25（应用系统类、基础支撑类、物联感知类，组合项目取各类平均）、
    数据情况 25、安全情况 25、绩效情况 25。"""
    inputs = _Section(evaluation.inputs, ())
    usage_inputs = inputs.section("usage")
    variants = usage_inputs.data.get("variants")
    if not isinstance(variants, list) or not variants or any(v not in _USAGE for v in variants):
        raise _InputError(
            ("usage", "variants"), "usage.variants 应列出 application、infrastructure、iot 中的一项或几项"
        )
    usage = round(sum(_USAGE[v](usage_inputs.section(v)) for v in variants) / len(variants), 2)

    data_inputs = inputs.section("data")
    months = data_inputs.number("months_since_update")
    # 附件2 scores updates within 6 months 6, within 9 months 3, over 12 months 0; it is silent on
    # 9–12 months, which we score 0 (the stricter reading) and say so in the handbook.
    update = 6 if months <= 6 else (3 if months <= 9 else 0)
    data = (
        (5 if data_inputs.flag("aggregated_on_time") else 0)
        + update
        + _band(data_inputs.number("unconditional_share_pct", percent=True), 90, 60, (6, 3, 1))
        + _band(data_inputs.number("open_catalogue_pct", percent=True), 90, 60, (8, 4, 1))
    )

    security_inputs = inputs.section("security")
    vulnerabilities = security_inputs.choice("vulnerabilities", ("none", "fixed", "unfixed"))
    faults = security_inputs.number("major_faults")
    security = (
        (5 if security_inputs.number("security_notices") == 0 else 0)
        + {"none": 5, "fixed": 3, "unfixed": 0}[vulnerabilities]
        + (0 if security_inputs.flag("unauthorised_interface_calls") else 5)
        + (0 if security_inputs.flag("data_leaks") else 5)
        + (5 if faults <= 1 else (2 if faults <= 4 else 0))
    )

    performance_inputs = inputs.section("performance")
    satisfaction = performance_inputs.choice("satisfaction", ("satisfied", "basic", "unsatisfied"))
    performance = (
        {"satisfied": 5, "basic": 3, "unsatisfied": 1}[satisfaction]
        + _benefit(performance_inputs, "social_benefit")
        + _benefit(performance_inputs, "economic_benefit")
    )
    # the total is the sum of the parts as shown, so the two never disagree in the last digit
    return {
        "total": round(usage + data + security + performance, 2),
        "usage": usage,
        "data": data,
        "security": security,
        "performance": performance,
        "variants": variants,
    }


def minhang_classification(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """对运行项目按附件2进行分类分级评分；填报的分数须与按标准计算的一致。"""
    outcome = NamedOutcome()
    gradings = [(i, e) for i, e in enumerate(project.evaluations) if e.kind == "classification_grading"]
    if not gradings:
        return outcome
    index, latest = max(gradings, key=lambda pair: (pair[1].date, pair[0]))
    where: FieldPath = ("evaluations", index)
    try:
        score = classification_score(latest)
    except _InputError as exc:
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"分类分级评分指标不完整或不合规：{exc}",
                "按附件2填写 evaluations[].inputs 的 usage、data、security、performance 四部分，见政策手册。",
                (*where, "inputs", *exc.path),
            )
        )
        return outcome
    outcome.score = {**score, "date": latest.date.isoformat()}
    if latest.score is not None and abs(latest.score - score["total"]) > 0.01:
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"填报的分类分级得分 {latest.score:g} 与按附件2计算的 {score['total']:g} 不一致",
                f"将 score 改为 {score['total']:g}，或核对各项指标。",
                (*where, "score"),
            )
        )
    return outcome


_PROJECT_ID = re.compile(r"^(MH|QP|YP|GS|LG)-\d{4}-\d{3,4}$")


def _latest_grading(projects: list[Project], until: dt.date) -> tuple[Project, int, Evaluation] | None:
    """The latest classification grading of these projects made by `until`: the result the next
    year's funds are decided on (第三十五条)."""
    found = [
        (evaluation.date, order, index, project, evaluation)
        for order, project in enumerate(projects)
        for index, evaluation in enumerate(project.evaluations)
        if evaluation.kind == "classification_grading" and evaluation.date <= until
    ]
    if not found:
        return None
    _date, _order, index, project, evaluation = max(found, key=lambda item: item[:3])
    return project, index, evaluation


def _grade_finding(
    project: Project, system: Project | None, params: Mapping[str, Any], declared: dt.date
) -> NamedFinding | None:
    """第三十八条（六）by the computed 附件2 grade: below the pass mark, the O&M request is refused,
    whatever `operation.performance_tracking_passed` says."""
    graded = _latest_grading([project] + ([system] if system is not None else []), declared)
    if graded is None:
        return None
    owner, index, evaluation = graded
    try:
        total = float(classification_score(evaluation)["total"])
    except _InputError:
        return None  # MH-28 reports the incomplete inputs on the project that holds them
    pass_mark = float(params["classification_pass_score"])
    if total >= pass_mark:
        return None
    whose = "本项目" if owner is project else f"被运维系统 {owner.id}“{owner.name}”"
    related = () if owner is project else (owner.id,)
    where: FieldPath = ("evaluations", index) if owner is project else ("operation", "system")
    return NamedFinding(
        Severity.ERROR,
        f"运维项目不予支持（第三十八条（六））：{whose} {evaluation.date.isoformat()} 的分类分级评估按附件2计算得 "
        f"{total:g} 分，低于合格线 {pass_mark:g} 分（绩效跟踪监测不合格）",
        "分类分级评估结果是安排运维经费的依据（第三十五条）：按评估意见整改、重新评估达到合格线后再申报运维。",
        where,
        related,
    )


def minhang_operation_system(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第三十八条（四）（五）跨项目核对：运维项目所维护的系统（operation.system 写登记册中的项目编号时）的建设项目
    须经区数据局立项批复并已通过验收；登记册中查不到该编号的，提示核对。登记册建立前建成的系统可写原批复文号，不作跨项目核对。
    （六）绩效跟踪监测按计算的分类分级得分判断：被运维系统（或本项目）在申报前最近一次分类分级评估按附件2计算的得分
    低于合格线（params.classification_pass_score）的，不予支持，不论 operation.performance_tracking_passed 怎么填。"""
    outcome = NamedOutcome()
    if project.type is ProjectType.OPERATION and project.operation is not None:
        declared = project.stage_date(Stage.DECLARED) or project.stages[0].date
        system_id = project.operation.system or ""
        entry = context.registry.get(system_id) if _PROJECT_ID.match(system_id) else None
        graded = _grade_finding(project, entry.project if entry else None, params, declared)
        if graded is not None:
            outcome.findings.append(graded)
    if project.type is not ProjectType.OPERATION or project.operation is None or not project.operation.system:
        return outcome
    where: FieldPath = ("operation", "system")
    if not _PROJECT_ID.match(project.operation.system):
        return outcome  # a system built before the registry, named by its approval document
    entry = context.registry.get(project.operation.system)
    if entry is None:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"登记册中没有被运维系统的建设项目 {project.operation.system}，无法核对其批复和验收情况",
                "核对 operation.system 是否为原建设项目的编号；原项目未在本登记册登记的，请先补登记。",
                where,
            )
        )
        return outcome
    built = entry.project
    reached = {record.stage for record in built.stages}
    if Stage.APPROVED not in reached:
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"运维项目不予支持（第三十八条（四））：被运维系统的建设项目 {describe(entry)} 未经区数据局立项批复",
                "原系统须先经区数据局批复；未批复的系统不能申报运维费用。",
                where,
                (built.id,),
            )
        )
    elif Stage.ACCEPTED not in reached:  # the lifecycle allows operation only after acceptance
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"运维项目不予支持（第三十八条（五））：被运维系统的建设项目 {describe(entry)} 尚未通过验收（当前阶段：{built.stage.label}）",
                "原建设项目验收通过后，才能申报运维费用。",
                where,
                (built.id,),
            )
        )
    return outcome


RULES: dict[str, NamedRule] = {
    "minhang_classification": minhang_classification,
    "minhang_operation_system": minhang_operation_system,
}
