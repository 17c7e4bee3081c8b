"""杨浦 2023: named rules (review suspension across the unit's projects, quarterly reports, the original
project's acceptance, the deferral that follows an unrectified order). The cost standards of the 通用类配置标准
are CEL rules in the pack (YP-19 … YP-21)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.model import Project, SupervisionRecord
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
from govsite.vocabulary import ConstructionMode, ProjectType, Stage

# ---------------------------------------------------------------------------------------------- helpers


@registry_key("yangpu-unit")
def _unit_key(project: Project, params: Mapping[str, Any]) -> str:
    """Projects by the unit that builds them."""
    return fold_name(project.project_unit)


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has fewer days (8-31 + 6 → 2-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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


_EPSILON = 1e-9


def _case_by_case(project: Project) -> str | None:
    """The joint meeting's case-by-case approval (配置标准 一(一)“一事一议”), as text naming it, if recorded."""
    for meeting in project.meetings:
        body = fold_name(meeting.body)
        if (
            meeting.kind == "case_by_case"
            and meeting.outcome == "approved"
            and (meeting.body == "joint_meeting" or "联席会议" in body)
        ):
            return f"{meeting.date.isoformat()}{('，' + meeting.ref) if meeting.ref else ''}"
    return None


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
    此前的评审）最近一次未通过之日起六个月内的，给出警告（“原则上”），并指明该项目。"""
    outcome = NamedOutcome()
    if project.stage is not Stage.DECLARED:
        return outcome
    declared_index = max(i for i, r in enumerate(project.stages) if r.stage is Stage.DECLARED)
    declared = project.stages[declared_index].date
    where: FieldPath = ("stages", declared_index, "date")
    months = int(_number(params, "suspension_months"))
    unit = fold_name(project.project_unit)
    candidates: list[RegistryEntry | None] = [None]  # None: this project's own earlier reviews
    candidates += context.registry.peers("yangpu-unit", project, params, key=unit)
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
                    Severity.WARNING,  # 原则上: the rules allow exceptions
                    f"本项目经 {what}，原则上半年内不予再次申报；本次于 {declared.isoformat()} 再次申报，早于 {until.isoformat()}",
                    hint,
                    where,
                )
            )
        else:
            outcome.findings.append(
                NamedFinding(
                    Severity.WARNING,  # 原则上
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
            Severity.WARNING,  # 原则上: the rules allow exceptions
            f"{applying}申请原则上不予受理：原项目 {describe(entry)}{state}",
            "原项目按验收意见整改、通过竣工验收后，再申报升级改造或运维。",
            where,
            (built.id,),
        )
    )
    return outcome


# ----------------------------------------------------------------- YP-25 deferral after an unrectified order

_BODIES = {"joint_meeting_office": "联席会议办公室", "joint_meeting": "联席会议"}


def _overdue_orders(project: Project, on: dt.date) -> list[tuple[int, SupervisionRecord, dt.date]]:
    """The project's rectification orders that on `on` are past their deadline and not rectified
    (no rectified date, or rectified only later), with their position in supervision and deadline."""
    return [
        (index, record, record.deadline)
        for index, record in enumerate(project.supervision)
        if record.kind == "rectification_order"
        and record.deadline is not None
        and record.deadline < on
        and (record.rectified is None or on < record.rectified)
    ]


def _order_text(index: int, order: SupervisionRecord, deadline: dt.date) -> str:
    by = _BODIES.get(order.by, order.by)
    issue = order.issue or "未实现的项目建设目标"
    return f"限期整改“{issue}”（{by}，期限 {deadline.isoformat()}，supervision 第 {index + 1} 条）"


_FIX = "该项目整改完成并经督促整改的机构确认后，在其 supervision 中写 rectified（确认日期）。"
_OWN_FIX = "本项目整改完成并经督促整改的机构确认后，在本项目 supervision 该条中写 rectified（确认日期）。"


def yangpu_rectification_deferral(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """规则 五(六)1 绩效评价：对未实现项目建设目标的，督促项目建设单位限期整改，未落实整改的，暂缓其后续项目的审核和运维项目资金的投入。
    “其”读作项目建设单位：本单位（project_unit 相同）任一项目有限期整改（supervision 中的 rectification_order）已过整改期限、尚未整改完成的，
    自期限次日起至整改完成（rectified）之前：（一）本单位其他项目的审核暂缓：正在申报（当前阶段为“申报”）的项目给出警告，联席会议应暂缓审核，
    申报本身不受限制；在此期间记录联席会议审核同意（approved）的，报错（条文说“暂缓”，没有“原则上”“可”的余地）；
    （二）本单位运维项目资金的投入暂缓：当前或以后年度（budget_year 不早于今年）的运维项目已批复或正在运行的，给出警告，
    资金已按要求暂缓拨付、在本项目 supervision 中记有期限之后的暂缓拨付（funds_held）的不再提示；整改逾期的项目本身是运维项目的，同样适用。
    发现指明有逾期未整改的那个项目。"""
    outcome = NamedOutcome()
    today = context.today
    reviewing = project.stage is Stage.DECLARED
    approvals = [(i, r) for i, r in enumerate(project.stages) if r.stage is Stage.APPROVED]
    funded = (
        project.type is ProjectType.OPERATION
        and project.stage in (Stage.APPROVED, Stage.IN_OPERATION)
        and project.budget_year >= today.year
    )
    if not (reviewing or approvals or funded):
        return outcome
    unit = fold_name(project.project_unit)
    peers = context.registry.peers("yangpu-unit", project, params, key=unit)
    flagged: set[tuple[str, int]] = set()
    for entry in peers:
        other = entry.project
        if reviewing:
            declared_index = max(i for i, r in enumerate(project.stages) if r.stage is Stage.DECLARED)
            for index, order, deadline in _overdue_orders(other, today):
                outcome.findings.append(
                    NamedFinding(
                        Severity.WARNING,  # the review is deferred; declaring is not refused
                        f"本单位（{project.project_unit}）的项目 {describe(entry)}{_order_text(index, order, deadline)}逾期未整改："
                        "未落实整改的，暂缓其后续项目的审核；本项目的审核应暂缓至该项目整改完成",
                        "联席会议暂缓审核本项目的，记录暂缓（deferred）；" + _FIX,
                        ("stages", declared_index, "date"),
                        (other.id,),
                    )
                )
        for stage_index, record in approvals:
            for index, order, deadline in _overdue_orders(other, record.date):
                flagged.add((other.id, index))
                outcome.findings.append(
                    NamedFinding(
                        Severity.ERROR,  # 暂缓 without 原则上 or 可: no review may be granted meanwhile
                        f"本项目于 {record.date.isoformat()} 记录联席会议审核同意，当时本单位（{project.project_unit}）的项目 "
                        f"{describe(entry)}{_order_text(index, order, deadline)}逾期未整改：未落实整改的，暂缓其后续项目的审核"
                        + ("和运维项目资金的投入" if project.type is ProjectType.OPERATION else ""),
                        "该项目整改完成之前不能记录本项目的审核同意：联席会议暂缓审核的，记录暂缓（deferred），整改完成后再审核；"
                        + _FIX,
                        ("stages", stage_index),
                        (other.id,),
                    )
                )
    if funded:
        held = [r.date for r in project.supervision if r.kind == "funds_held"]
        for candidate in [None, *peers]:
            other = project if candidate is None else candidate.project
            for index, order, deadline in _overdue_orders(other, today):
                if (other.id, index) in flagged or any(day > deadline for day in held):
                    continue
                whose = (
                    "本项目"
                    if candidate is None
                    else f"本单位（{project.project_unit}）的项目 {describe(candidate)}"
                )
                outcome.findings.append(
                    NamedFinding(
                        Severity.WARNING,  # the registry does not see the funds: it says they are to be held
                        f"{whose}{_order_text(index, order, deadline)}逾期未整改：未落实整改的，暂缓运维项目资金的投入；"
                        f"本运维项目（{project.budget_year} 年度）的资金投入应暂缓至整改完成",
                        "资金已暂缓拨付的，在本项目 supervision 中记录（kind 写 funds_held，by 写作出决定的机构，date 写日期）；"
                        + (_OWN_FIX if candidate is None else _FIX),
                        ("supervision",),
                        () if candidate is None else (other.id,),
                    )
                )
    return outcome


RULES: dict[str, NamedRule] = {
    "yangpu_review_suspension": yangpu_review_suspension,
    "yangpu_quarterly_reports": yangpu_quarterly_reports,
    "yangpu_original_accepted": yangpu_original_accepted,
    "yangpu_rectification_deferral": yangpu_rectification_deferral,
}
