"""杨浦 2023: named rules (review suspension across the unit's projects, quarterly reports, the original
project's acceptance, and the cost standards of the 通用类配置标准 checked on budget line items)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.model import BudgetItem, Project
from govsite.policy.named.common import (
    NamedFinding,
    NamedOutcome,
    NamedRule,
    RegistryEntry,
    RuleContext,
    describe,
)
from govsite.vocabulary import ConstructionMode, ProjectType, Stage

# ---------------------------------------------------------------------------------------------- helpers


def _norm(text: str) -> str:
    """Compare names the way people write them: full- and half-width alike, spaces ignored, case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has fewer days (8-31 + 6 → 2-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _pct(share: float) -> str:
    """0.105 → '10.5%', 0.005 → '0.5%', 0.1 → '10%'."""
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _amount(value: float) -> str:
    return f"{value:g}"


def _number(params: Mapping[str, Any], key: str) -> float:
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"param {key} must be a number, is {value!r}")
    return float(value)


def _table(params: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = params[key]
    if not isinstance(value, Mapping):
        raise TypeError(f"param {key} must be a mapping, is {value!r}")
    return value


def _kinds(params: Mapping[str, Any], key: str) -> frozenset[str]:
    value = params[key]
    if not isinstance(value, list):
        raise TypeError(f"param {key} must be a list, is {value!r}")
    return frozenset(str(v) for v in value)


def _label(params: Mapping[str, Any], kind: str) -> str:
    return str(_table(params, "item_kinds").get(kind, kind))


def _sum(items: Iterable[tuple[int, BudgetItem]], kinds: frozenset[str]) -> float:
    return sum(item.amount for _, item in items if item.kind in kinds)


def _first(items: Iterable[tuple[int, BudgetItem]], kinds: frozenset[str]) -> int | None:
    return next((index for index, item in items if item.kind in kinds), None)


_EPSILON = 1e-9


def _case_by_case(project: Project) -> str | None:
    """The joint meeting's case-by-case approval (配置标准 一(一)“一事一议”), as text naming it, if recorded."""
    for meeting in project.meetings:
        body = _norm(meeting.body)
        if (
            meeting.kind == "case_by_case"
            and meeting.outcome == "approved"
            and (meeting.body == "joint_meeting" or "联席会议" in body)
        ):
            return f"{meeting.date.isoformat()}{('，' + meeting.ref) if meeting.ref else ''}"
    return None


class _Costs:
    """Findings of a cost standard: an excess is an error (or the given severity), or an info note when the
    joint meeting approved it case by case."""

    def __init__(self, project: Project, hint_suffix: str) -> None:
        self.outcome = NamedOutcome()
        self.approved = _case_by_case(project)
        self.hint_suffix = hint_suffix

    def excess(self, message: str, hint: str, where: FieldPath, severity: Severity = Severity.ERROR) -> None:
        if self.approved is not None:
            self.outcome.findings.append(
                NamedFinding(
                    Severity.INFO,
                    f"{message}；已经联席会议一事一议审议同意（{self.approved}）",
                    "",
                    where,
                )
            )
            return
        self.outcome.findings.append(NamedFinding(severity, message, f"{hint}{self.hint_suffix}", where))

    def problem(self, message: str, hint: str, where: FieldPath, severity: Severity = Severity.ERROR) -> None:
        self.outcome.findings.append(NamedFinding(severity, message, hint, where))


_ESCAPE = (
    "确有特殊需求的，由联席会议依照“一事一议”原则单独审议，审议同意后在 meetings 中记录"
    "（body 写 joint_meeting，kind 写 case_by_case，outcome 写 approved）。"
)


# ------------------------------------------------------------------------------- YP-08 review suspension

_SUSPENSION_KINDS = {
    "third_party": ("suspension_third_party_failures", "第三方机构论证评估"),
    "expert": ("suspension_expert_failures", "专家论证评估"),
}


def _suspension(project: Project, params: Mapping[str, Any], on: dt.date) -> tuple[dt.date, str] | None:
    """If the project's failed reviews up to `on` reach the limit (three third-party or two expert
    reviews), the date of the latest such failure and what failed, e.g. '3 次第三方机构论证评估未能通过（…）'."""
    found: list[tuple[dt.date, str]] = []
    for kind, (key, label) in _SUSPENSION_KINDS.items():
        limit = int(_number(params, key))
        failed = sorted(
            r.date for r in project.reviews if r.kind == kind and r.result == "failed" and r.date <= on
        )
        if limit > 0 and len(failed) >= limit:
            dates = "、".join(d.isoformat() for d in failed)
            found.append((failed[-1], f"{len(failed)} 次{label}未能通过（{dates}）"))
    return max(found) if found else None


def yangpu_review_suspension(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """规则 五(四)3 项目暂停：经三次第三方机构论证评估未能通过的项目，或经两次专家论证评估未能通过的项目，原则上半年内不予再次申报。
    原文针对“该项目”；本政策包读作暂停期内同一项目单位也不得申报新项目（项目改名重报无从辨认）：正在申报（当前阶段为“申报”）的项目，其申报日期落在本单位任一项目（含本项目
    此前的评审）最近一次未通过之日起六个月内的，不予受理，并指明该项目。"""
    outcome = NamedOutcome()
    if project.stage is not Stage.DECLARED:
        return outcome
    declared_index = max(i for i, r in enumerate(project.stages) if r.stage is Stage.DECLARED)
    declared = project.stages[declared_index].date
    where: FieldPath = ("stages", declared_index, "date")
    months = int(_number(params, "suspension_months"))
    unit = _norm(project.project_unit)
    candidates: list[RegistryEntry | None] = [None]  # None: this project's own earlier reviews
    candidates += [e for e in context.registry.others(project) if _norm(e.project.project_unit) == unit]
    for entry in candidates:
        other = project if entry is None else entry.project
        suspension = _suspension(other, params, declared)
        if suspension is None:
            continue
        failed_on, what = suspension
        until = _months_later(failed_on, months)
        if not failed_on <= declared < until:
            continue
        hint = f"暂停期满（{until.isoformat()} 起）后再申报；在此之前应对项目方案补充论证、完善后再报。"
        if entry is None:
            outcome.findings.append(
                NamedFinding(
                    Severity.ERROR,
                    f"本项目经 {what}，原则上半年内不予再次申报；本次于 {declared.isoformat()} 再次申报，早于 {until.isoformat()}",
                    hint,
                    where,
                )
            )
        else:
            outcome.findings.append(
                NamedFinding(
                    Severity.ERROR,
                    f"本单位（{project.project_unit}）的项目 {describe(entry)}经 {what}，原则上半年内不予再次申报；"
                    f"本项目于 {declared.isoformat()} 申报，在暂停期内（{until.isoformat()} 前）",
                    hint,
                    where,
                    (other.id,),
                )
            )
    return outcome


# ------------------------------------------------------------------------------- YP-11 quarterly reports


def _quarter_ends(start: dt.date, end: dt.date) -> list[tuple[str, dt.date]]:
    """Quarters whose last day falls in (start, end], as ('2026-Q2', 2026-06-30)."""
    out: list[tuple[str, dt.date]] = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while True:
        last_month = quarter * 3
        last = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        if last > end:
            return out
        if last > start:
            out.append((f"{year}-Q{quarter}", last))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def yangpu_quarterly_reports(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """规则 五(五)4 过程监管：列入年度重点数字化项目的建设单位视项目建设周期，须每季度填写《杨浦区电子政务项目执行情况表》，提交联席会议备案。
    建设期自“建设实施”之日起至竣工验收通过之日止（尚未通过的至今日）；其间每个已经结束的季度都须有一份该季度的执行情况表
    （reports 中 kind 为 quarterly、period 为该季度）。"""
    outcome = NamedOutcome()
    if project.type is not ProjectType.CONSTRUCTION or not project.attributes.annual_key_work:
        return outcome
    start = next((r.date for r in project.stages if r.stage is Stage.UNDER_CONSTRUCTION), None)
    if start is None:
        return outcome
    accepted = next((r.date for r in project.stages if r.stage is Stage.ACCEPTED and r.date >= start), None)
    end = min(accepted, context.today) if accepted is not None else context.today
    due = [period for period, last in _quarter_ends(start, end) if last < context.today]
    filed = {r.period for r in project.reports if r.kind == "quarterly"}
    missing = [period for period in due if period not in filed]
    if missing:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"年度重点数字化项目建设期间须每季度填写执行情况表报联席会议备案，建设期（{start.isoformat()} 起）缺少 "
                f"{'、'.join(missing)} 的季度执行情况表",
                "按季度填写《杨浦区电子政务项目执行情况表》报联席会议备案，并在 reports 中记录（kind 写 quarterly，period 写 2026-Q2 这样的季度，submitted 写报送日期）。",
                ("reports",),
            )
        )
    return outcome


# ------------------------------------------------------------------------ YP-14 the original's acceptance

_PROJECT_ID = re.compile(r"^YP-\d{4}-\d{3,4}$")


def yangpu_original_accepted(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """规则 五(五)7 跨项目核对：对于未通过竣工验收的项目，其后续升级、运行及维护申请，原则上均不予受理。升级改造和运维项目所针对的
    原项目（original_project，或 operation.system）是登记册中的项目编号时，原项目须在本项目申报之前通过竣工验收；登记册中查不到该编号的，
    提示核对。登记册建立前的原项目可写原批复文号，不作跨项目核对。"""
    outcome = NamedOutcome()
    if project.type is not ProjectType.OPERATION and project.mode is not ConstructionMode.UPGRADE:
        return outcome
    target = project.original_project
    where: FieldPath = ("original_project",)
    if not target and project.operation is not None and project.operation.system:
        target, where = project.operation.system, ("operation", "system")
    if not target or not _PROJECT_ID.match(target):
        return outcome
    applying = "运维" if project.type is ProjectType.OPERATION else "升级改造"
    entry = context.registry.get(target)
    if entry is None:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"登记册中没有原项目 {target}，无法核对其是否通过竣工验收",
                "核对原项目编号；原项目未在本登记册登记的，请先补登记，或改写原项目的批复文号。",
                where,
            )
        )
        return outcome
    built = entry.project
    declared = project.stage_date(Stage.DECLARED) or project.stages[0].date
    accepted = next((r.date for r in built.stages if r.stage is Stage.ACCEPTED), None)
    if accepted is not None and accepted <= declared:
        return outcome
    if accepted is not None:
        state = f"申报时（{declared.isoformat()}）尚未通过竣工验收（{accepted.isoformat()} 才通过）"
    elif any(r.stage is Stage.ACCEPTANCE_FAILED for r in built.stages):
        state = f"未通过竣工验收（当前阶段：{built.stage.label}）"
    else:
        state = f"尚未通过竣工验收（当前阶段：{built.stage.label}）"
    outcome.findings.append(
        NamedFinding(
            Severity.ERROR,
            f"{applying}申请原则上不予受理：原项目 {describe(entry)}{state}",
            "原项目按验收意见整改、通过竣工验收后，再申报升级改造或运维。",
            where,
            (built.id,),
        )
    )
    return outcome


# ------------------------------------------------------------------------------- YP-19 other fees


def yangpu_other_fees(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """配置标准 三(二) 建设类项目其他费用：咨询（设计）费、监理费、软件测评费、安全测评费四项总计原则上不超过项目建设费的 10%；系统集成费为
    软硬件（不含软件开发费）购置费的 5%–8%；安全测评费按项目建设费的 0.5%–2% 预算；密码测评费参考市相关经费阶梯，不作核对。项目建设费为
    预算明细中硬件设备、安全设备、产品软件购置和应用软件开发之和（budget.items 的 kind 为 hardware、security_equipment、product_software、
    software_development）。超出的报错；经联席会议一事一议审议同意的（meetings 中 kind 为 case_by_case）只作提示。"""
    costs = _Costs(project, _ESCAPE)
    if project.type is not ProjectType.CONSTRUCTION or not project.budget.items:
        return costs.outcome
    items = list(enumerate(project.budget.items))
    build = _sum(items, _kinds(params, "construction_cost_kinds"))
    if build <= 0:
        return costs.outcome
    capped_kinds = _kinds(params, "capped_fee_kinds")
    capped = _sum(items, capped_kinds)
    share_max = _number(params, "capped_fees_share_max")
    first = _first(items, capped_kinds)
    if capped > build * share_max + _EPSILON and first is not None:
        costs.excess(
            f"咨询、监理、软件测评、安全测评四项费用合计 {_amount(capped)} 万元，占项目建设费 {_amount(build)} 万元的 "
            f"{_pct(capped / build)}，超过配置标准（原则上不超过 {_pct(share_max)}）",
            "按配置标准 三(二) 压缩四项费用。",
            ("budget", "items", first, "amount"),
        )
    integration_kinds = frozenset({"system_integration"})
    integration = _sum(items, integration_kinds)
    where = _first(items, integration_kinds)
    if integration > 0 and where is not None:
        purchases = _sum(items, _kinds(params, "purchase_kinds"))
        low, high = _number(params, "integration_share_min"), _number(params, "integration_share_max")
        if purchases <= 0:
            costs.excess(
                f"系统集成费按软硬件（不含软件开发费）购置费的 {_pct(low)}–{_pct(high)} 计，但预算明细中没有软硬件购置，"
                f"不能列系统集成费 {_amount(integration)} 万元",
                "删去系统集成费，或在预算明细中列出所集成的硬件、安全设备和产品软件购置。",
                ("budget", "items", where, "amount"),
            )
        elif not purchases * low - _EPSILON <= integration <= purchases * high + _EPSILON:
            costs.excess(
                f"系统集成费 {_amount(integration)} 万元为软硬件购置费 {_amount(purchases)} 万元的 {_pct(integration / purchases)}，"
                f"配置标准为 {_pct(low)}–{_pct(high)}",
                f"按软硬件购置费计算系统集成费（{_amount(round(purchases * low, 2))}–{_amount(round(purchases * high, 2))} 万元）。",
                ("budget", "items", where, "amount"),
            )
    testing_kinds = frozenset({"security_testing"})
    testing = _sum(items, testing_kinds)
    where = _first(items, testing_kinds)
    if testing > 0 and where is not None:
        low, high = (
            _number(params, "security_testing_share_min"),
            _number(params, "security_testing_share_max"),
        )
        if not build * low - _EPSILON <= testing <= build * high + _EPSILON:
            costs.excess(
                f"安全测评费 {_amount(testing)} 万元为项目建设费 {_amount(build)} 万元的 {_pct(testing / build)}，"
                f"配置标准为 {_pct(low)}–{_pct(high)}",
                f"按项目建设费的 {_pct(low)}–{_pct(high)} 预算安全测评费（{_amount(round(build * low, 2))}–{_amount(round(build * high, 2))} 万元）。",
                ("budget", "items", where, "amount"),
            )
    return costs.outcome


# ------------------------------------------------------------------------------- YP-20 maintenance rates

_MAINTENANCE = frozenset(
    {
        "hardware_maintenance",
        "security_maintenance",
        "product_software_maintenance",
        "application_maintenance",
    }
)
_SOFTWARE_TYPES = {"tool": "工具类软件", "domestic": "国产软件"}
_COMPLEXITY = {"simple": "简单功能", "complex": "较复杂功能", "very_complex": "非常复杂功能"}


def _device_class(device: str | None, params: Mapping[str, Any]) -> tuple[str, str]:
    """The maintenance class (A, B or C) of a hardware item and how it was found.

    `device` is a class letter or a device name from the lists of 配置标准 三(三)1(1); the longest
    listed name it contains decides. A device that is not listed is class A (“综合布线及其它”).
    """
    if device is None:
        return "A", "未写设备类别，按 A 类（综合布线及其它）"
    name = _norm(device)
    if name in ("A", "B", "C"):
        return name, f"{name} 类"
    best: tuple[int, str, str] | None = None
    for cls, names in _table(params, "hardware_devices").items():
        for listed in names:
            key = _norm(str(listed))
            if key in name and (best is None or len(key) > best[0]):
                best = (len(key), str(cls), str(listed))
    if best is None:
        return "A", f"“{device}”不在 B、C 类设备表中，按 A 类（综合布线及其它）"
    return best[1], f"{best[2]}属 {best[1]} 类"


def yangpu_maintenance_rates(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """配置标准 三(三)1 常规运维费率，维护费 = 计费基数（base_amount：设备或软件购置费、原软件开发费）× 费率：硬件设备按类别 A 类 ≤ 4%、
    B 类 ≤ 6%、C 类 ≤ 8%（设备表见 params.hardware_devices，未列出的属 A 类；随使用年限增加可适当调高，超出的给出警告）；安全设备日常运行维护费
    ≤ 10%；产品软件工具类 ≤ 5%、国产软件 ≤ 10%（device_class 写 tool、domestic，其它软件按维护内容确定，不作核对）；应用软件按功能复杂程度
    简单 ≤ 7%、较复杂 ≤ 12%、非常复杂 ≤ 20%（complexity）。维护类明细缺少计费基数的报错；超出的报错，经联席会议一事一议审议同意的只作提示。"""
    costs = _Costs(project, _ESCAPE)
    for index, item in enumerate(project.budget.items):
        if item.kind not in _MAINTENANCE:
            continue
        where: FieldPath = ("budget", "items", index)
        label = f"“{item.name}”"
        if not item.base_amount:
            costs.problem(
                f"维护费按计费基数 × 费率计算，预算明细{label}（{_label(params, item.kind)}）未写计费基数 base_amount",
                "在 base_amount 中写明对应的设备或软件购置费、原软件开发费（万元）。",
                (*where, "base_amount"),
            )
            continue
        rate = item.amount / item.base_amount
        stated = f"{label}维护费 {_amount(item.amount)} 万元为计费基数 {_amount(item.base_amount)} 万元的 {_pct(rate)}"
        if item.kind == "hardware_maintenance":
            cls, how = _device_class(item.device_class, params)
            cap = float(_table(params, "hardware_rates")[cls])
            if rate > cap + _EPSILON:
                costs.excess(
                    f"{stated}，超过 {cls} 类硬件设备基本维护费率 {_pct(cap)}（{how}）",
                    "按设备类别核定维护费；随使用年限增加需调高费率的，在运维方案中写明更换配件等实际维护内容。",
                    (*where, "amount"),
                    Severity.WARNING,
                )
        elif item.kind == "security_maintenance":
            cap = _number(params, "security_maintenance_rate")
            if rate > cap + _EPSILON:
                costs.excess(
                    f"{stated}，安全设备日常运行维护费不超过设备购置费 × {_pct(cap)}",
                    "内置软件更新升级等按维护内容另列明细；日常运行维护费按购置费的 10% 以内核定。",
                    (*where, "amount"),
                )
        elif item.kind == "product_software_maintenance":
            software = item.device_class
            rates = _table(params, "software_rates")
            if software is None:
                costs.problem(
                    f"产品软件维护费率按软件类型确定，预算明细{label}未写明类型",
                    "在 device_class 中写 tool（工具类软件）、domestic（国产软件）或 other（其它，按维护内容确定费率）。",
                    (*where, "device_class"),
                    Severity.WARNING,
                )
            elif software in rates:
                cap = float(rates[software])
                if rate > cap + _EPSILON:
                    costs.excess(
                        f"{stated}，超过{_SOFTWARE_TYPES.get(software, software)}维护费率 {_pct(cap)}",
                        "按产品软件购置费和软件类型核定维护费。",
                        (*where, "amount"),
                    )
        else:  # application_maintenance
            rates = _table(params, "application_rates")
            if item.complexity is None:
                costs.problem(
                    f"应用软件维护系数按功能复杂程度确定，预算明细{label}未写明复杂程度",
                    "在 complexity 中写 simple（简单功能）、complex（较复杂功能）或 very_complex（非常复杂功能）。",
                    (*where, "complexity"),
                    Severity.WARNING,
                )
                continue
            cap = float(rates[item.complexity])
            if rate > cap + _EPSILON:
                costs.excess(
                    f"{stated}，超过{_COMPLEXITY[item.complexity]}的维护系数 {_pct(cap)}",
                    "应用软件维护费 = 原软件开发费 × 维护系数；按实际工作量和功能复杂程度核定。",
                    (*where, "amount"),
                )
    return costs.outcome


# ------------------------------------------------------------------------------- YP-21 standard systems

_SYSTEM_LABELS = {
    "oa": "OA 系统",
    "website": "门户网站",
    "video_conference": "视频会议系统",
    "machine_room": "网络机房",
}


def _sized(sizes: Mapping[str, Any], size: str, label: str) -> str:
    """'小型' + 'OA 系统' → '小型 OA 系统'; '中型' + '门户网站' → '中型门户网站'."""
    prefix = str(sizes.get(size, size))
    return f"{prefix} {label}" if label[:1].isascii() else f"{prefix}{label}"


def _investment(project: Project, params: Mapping[str, Any], kind: str) -> tuple[float, float]:
    """The project's investment compared with a standard, and the excluded amount (等保测评、整改 …)."""
    excluded_kinds = frozenset(str(k) for k in _table(params, "standard_excluded_kinds").get(kind, []))
    excluded = sum(i.amount for i in project.budget.items if i.kind in excluded_kinds)
    return project.budget.total - excluded, excluded


def _size_by(value: float, caps: Mapping[str, Any], key: str) -> str | None:
    """The smallest size whose `key` bound (max_endpoints, max_area_m2) holds `value`; None beyond the largest."""
    for size in ("small", "medium", "large"):
        bound = caps.get(size, {}).get(key) if size in caps else None
        if bound is not None and value <= float(bound) + _EPSILON:
            return size
    return None


def yangpu_standard_systems(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """配置标准 五 通用类配置标准（standard_system）：OA 系统小型 ≤ 5 人月且投资 ≤ 25 万元、中型 ≤ 15 人月且 ≤ 75 万元、大型 ≤ 40 人月且
    ≤ 160 万元；门户网站小型 ≤ 7.5 人月且 ≤ 30 万元、中型 ≤ 15 人月且 ≤ 90 万元、大型 ≤ 25 人月且 ≤ 140 万元（不含等级保护测评及安全整改费用）；
    视频会议终端 ≤ 10 个为小型 ≤ 50 万元，≤ 30 个为中型 ≤ 165 万元，更多为大型、按终端数确定（不含网络、布线、会场装修）；网络机房装修面积
    20 平方米以内为小型 ≤ 30 万元，100 平方米以内为中型 ≤ 100 万元，300 平方米以内为大型 ≤ 240 万元（不含等保物理环境整改），超过 300 平方米
    超出本标准。配置标准 二(三)2：服务热线原则上不再新建，30 坐席以下的应逐步并入 12345。人月数取应用开发明细的 person_months 之和。超出的报错，
    经联席会议一事一议审议同意的只作提示。"""
    costs = _Costs(project, _ESCAPE)
    system = project.standard_system
    if system is None:
        return costs.outcome
    sizes = _table(params, "size_labels")
    if system.kind == "hotline":
        below = int(_number(params, "hotline_merge_below"))
        if project.type is ProjectType.CONSTRUCTION and project.mode is ConstructionMode.NEW:
            costs.problem(
                "原则上不再新建服务热线（配置标准 二(三)2）",
                "服务热线需求并入 12345 市民服务热线；确需保留的，按升级改造或运维申报现有热线。",
                ("standard_system", "kind"),
            )
        elif system.seats is not None and system.seats < below:
            costs.problem(
                f"服务热线仅 {system.seats} 个坐席（{below} 坐席以下），应逐步并入 12345 服务热线",
                "在运维方案中写明并入 12345 的计划和时间表。",
                ("standard_system", "seats"),
                Severity.WARNING,
            )
        return costs.outcome
    label = _SYSTEM_LABELS[system.kind]
    investment, excluded = _investment(project, params, system.kind)
    basis = f"投资费用 {_amount(investment)} 万元" + (
        f"（已扣除不计入标准的 {_amount(excluded)} 万元）" if excluded else ""
    )
    if system.kind in ("oa", "website"):
        caps = _table(params, f"{system.kind}_caps")
        if system.size is None:
            costs.problem(
                f"{label}按规模核对配置标准，standard_system 未写规模",
                "在 standard_system.size 中写 small（小型）、medium（中型）或 large（大型），与建设方案的功能范围一致。",
                ("standard_system", "size"),
                Severity.WARNING,
            )
            return costs.outcome
        cap = caps[system.size]
        name = _sized(sizes, system.size, label)
        if investment > float(cap["investment"]) + _EPSILON:
            costs.excess(
                f"{name}{basis}，超过配置标准 {_amount(float(cap['investment']))} 万元",
                f"按{name}的参考配置压缩投资。",
                ("budget", "total"),
            )
        months = [
            (i, item)
            for i, item in enumerate(project.budget.items)
            if item.kind == "software_development" and item.person_months is not None
        ]
        total_months = sum(item.person_months or 0 for _, item in months)
        if months and total_months > float(cap["person_months"]) + _EPSILON:
            costs.excess(
                f"{name}应用开发工作量 {_amount(total_months)} 人月，超过配置标准 {_amount(float(cap['person_months']))} 人月",
                f"按{name}的基本功能要求核定开发工作量。",
                ("budget", "items", months[0][0], "person_months"),
            )
        return costs.outcome
    if system.kind == "video_conference":
        caps = _table(params, "video_conference_caps")
        if system.endpoints is None:
            costs.problem(
                "视频会议系统按接入终端数确定规模，standard_system 未写终端数",
                "在 standard_system.endpoints 中写视频会议终端数。",
                ("standard_system", "endpoints"),
                Severity.WARNING,
            )
            return costs.outcome
        size = _size_by(system.endpoints, caps, "max_endpoints") or "large"
        measure = f"{system.endpoints} 个终端"
    else:  # machine_room
        caps = _table(params, "machine_room_caps")
        if system.area_m2 is None:
            costs.problem(
                "网络机房按装修面积确定规模，standard_system 未写面积",
                "在 standard_system.area_m2 中写机房装修面积（平方米）。",
                ("standard_system", "area_m2"),
                Severity.WARNING,
            )
            return costs.outcome
        found = _size_by(system.area_m2, caps, "max_area_m2")
        if found is None:
            largest = float(caps["large"]["max_area_m2"])
            costs.excess(
                f"网络机房装修面积 {_amount(system.area_m2)} 平方米，超出配置标准的最大规模（{_amount(largest)} 平方米）",
                "非涉密机房应充分利用区公共机房和政务云，除单位内部必要的网络机房外原则上不新增机房。",
                ("standard_system", "area_m2"),
            )
            return costs.outcome
        size = found
        measure = f"装修面积 {_amount(system.area_m2)} 平方米"
    name = _sized(sizes, size, label)
    if system.size is not None and system.size != size:
        costs.problem(
            f"standard_system.size 写的是{sizes.get(system.size, system.size)}，但 {measure}按配置标准属{name}",
            f"把 standard_system.size 改为 {size}。",
            ("standard_system", "size"),
            Severity.WARNING,
        )
    limit = caps.get(size, {}).get("investment")
    if limit is not None and investment > float(limit) + _EPSILON:
        costs.excess(
            f"{name}（{measure}）{basis}，超过配置标准 {_amount(float(limit))} 万元",
            f"按{name}的参考配置压缩投资。",
            ("budget", "total"),
        )
    return costs.outcome


RULES: dict[str, NamedRule] = {
    "yangpu_review_suspension": yangpu_review_suspension,
    "yangpu_quarterly_reports": yangpu_quarterly_reports,
    "yangpu_original_accepted": yangpu_original_accepted,
    "yangpu_other_fees": yangpu_other_fees,
    "yangpu_maintenance_rates": yangpu_maintenance_rates,
    "yangpu_standard_systems": yangpu_standard_systems,
}
