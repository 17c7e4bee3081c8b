"""Rules that data cannot say, as small named Python functions a pack calls by name.

Each function's docstring is the rule's wording; it returns findings and, where it scores, a score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.model import Evaluation, Project


@dataclass(frozen=True)
class NamedFinding:
    severity: Severity
    message: str
    hint: str = ""
    field: FieldPath = ()


@dataclass
class NamedOutcome:
    findings: list[NamedFinding] = field(default_factory=list)
    score: dict[str, Any] | None = None


class _InputError(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _number(inputs: Mapping[str, Any], key: str) -> float:
    value = inputs.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _InputError(key, f"缺少数值指标“{key}”")
    if value < 0:
        raise _InputError(key, f"指标“{key}”不能为负数")
    return float(value)


def _ratio(numerator: float, denominator: float) -> float:
    """Attainment ratio, capped at 1; with no target (0) there is nothing to fall short of."""
    if denominator <= 0:
        return 1.0
    return min(numerator / denominator, 1.0)


def _usage_application(inputs: Mapping[str, Any]) -> float:
    response = _number(inputs, "response_s")
    response_target = _number(inputs, "response_target_s")
    return (
        4 * _ratio(_number(inputs, "cpu_pct"), 30)
        + 4 * _ratio(_number(inputs, "memory_pct"), 60)
        + 5 * _ratio(_number(inputs, "logins"), _number(inputs, "logins_target"))
        + 5 * _ratio(_number(inputs, "visits"), _number(inputs, "visits_target"))
        # lower response time is better: attainment is target / actual
        + 5 * (_ratio(response_target, response) if response > 0 else 1.0)
        + 2 * _ratio(_number(inputs, "data_updates"), _number(inputs, "data_updates_target"))
    )


def _usage_infrastructure(inputs: Mapping[str, Any]) -> float:
    actual = _number(inputs, "supported_apps")
    connected = _number(inputs, "connected_devices")
    faulty = _number(inputs, "faulty_devices")
    return (
        5 * _ratio(actual, _number(inputs, "expected_apps"))
        + 10 * _ratio(_number(inputs, "effective_supports"), actual)
        + 10 * (1 - _ratio(faulty, connected))
    )


def _usage_iot(inputs: Mapping[str, Any]) -> float:
    connected = _number(inputs, "connected_devices")
    faulty = _number(inputs, "faulty_devices")
    return (
        5 * _ratio(connected, _number(inputs, "catalogued_devices"))
        + 10 * _ratio(_number(inputs, "online_devices"), connected)
        + 10 * (1 - _ratio(faulty, connected))
    )


_USAGE: dict[str, Callable[[Mapping[str, Any]], float]] = {
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


def _benefit(inputs: Mapping[str, Any], key: str) -> int:
    entry = inputs.get(key)
    if not isinstance(entry, Mapping) or entry.get("band") not in _BENEFIT_BANDS:
        raise _InputError(key, f"“{key}”应写明 band（significant / moderate / insignificant）和 points")
    low, high = _BENEFIT_BANDS[entry["band"]]
    points = entry.get("points")
    if not isinstance(points, int) or not low <= points <= high:
        raise _InputError(
            key, f"“{key}”为{_BAND_LABEL[entry['band']]}时得分应在 {low}–{high} 分之间，现为 {points}"
        )
    return points


def _section(inputs: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    section = inputs.get(key)
    if not isinstance(section, Mapping):
        raise _InputError(key, f"缺少“{key}”部分的指标")
    return section


def classification_score(evaluation: Evaluation) -> dict[str, Any]:
    """闵行附件2 分类分级标准（100 分）：使用情况 25（应用系统类、基础支撑类、物联感知类，组合项目取各类平均）、
    数据情况 25、安全情况 25、绩效情况 25。"""
    inputs = evaluation.inputs
    usage_inputs = _section(inputs, "usage")
    variants = usage_inputs.get("variants")
    if not isinstance(variants, list) or not variants or any(v not in _USAGE for v in variants):
        raise _InputError("usage", "usage.variants 应列出 application、infrastructure、iot 中的一项或几项")
    usage = sum(_USAGE[v](_section(usage_inputs, v)) for v in variants) / len(variants)

    data_inputs = _section(inputs, "data")
    months = _number(data_inputs, "months_since_update")
    # 附件2 scores updates within 6 months 6, within 9 months 3, over 12 months 0; it is silent on
    # 9–12 months, which we score 0 (the stricter reading) and say so in the handbook.
    update = 6 if months <= 6 else (3 if months <= 9 else 0)
    data = (
        (5 if data_inputs.get("aggregated_on_time") is True else 0)
        + update
        + _band(_number(data_inputs, "unconditional_share_pct"), 90, 60, (6, 3, 1))
        + _band(_number(data_inputs, "open_catalogue_pct"), 90, 60, (8, 4, 1))
    )

    security_inputs = _section(inputs, "security")
    vulnerabilities = security_inputs.get("vulnerabilities")
    if vulnerabilities not in ("none", "fixed", "unfixed"):
        raise _InputError("security", "security.vulnerabilities 应为 none、fixed 或 unfixed")
    faults = _number(security_inputs, "major_faults")
    security = (
        (5 if _number(security_inputs, "security_notices") == 0 else 0)
        + {"none": 5, "fixed": 3, "unfixed": 0}[vulnerabilities]
        + (0 if security_inputs.get("unauthorised_interface_calls") else 5)
        + (0 if security_inputs.get("data_leaks") else 5)
        + (5 if faults <= 1 else (2 if faults <= 4 else 0))
    )

    performance_inputs = _section(inputs, "performance")
    satisfaction = performance_inputs.get("satisfaction")
    if satisfaction not in ("satisfied", "basic", "unsatisfied"):
        raise _InputError("performance", "performance.satisfaction 应为 satisfied、basic 或 unsatisfied")
    performance = (
        {"satisfied": 5, "basic": 3, "unsatisfied": 1}[satisfaction]
        + _benefit(performance_inputs, "social_benefit")
        + _benefit(performance_inputs, "economic_benefit")
    )
    total = usage + data + security + performance
    return {
        "total": round(total, 2),
        "usage": round(usage, 2),
        "data": data,
        "security": security,
        "performance": performance,
        "variants": variants,
    }


def minhang_classification(project: Project, params: Mapping[str, Any]) -> NamedOutcome:
    """对运行项目按附件2进行分类分级评分；填报的分数须与按标准计算的一致。"""
    outcome = NamedOutcome()
    gradings = [(i, e) for i, e in enumerate(project.evaluations) if e.kind == "classification_grading"]
    if not gradings:
        return outcome
    index, latest = gradings[-1]
    where: FieldPath = ("evaluations", index)
    try:
        score = classification_score(latest)
    except _InputError as exc:
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"分类分级评分指标不完整或不合规：{exc}",
                "按附件2填写 evaluations[].inputs 的 usage、data、security、performance 四部分，见政策手册。",
                (*where, "inputs", exc.key),
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


NAMED_RULES: dict[str, Callable[[Project, Mapping[str, Any]], NamedOutcome]] = {
    "minhang_classification": minhang_classification,
}
