"""龙岗 2021: named rules.

Reports over the construction period (第二十条 monthly, 第二十二条 yearly), which need the calendar
months and year-ends between two dates; and rules across the registry: the previous phase of a phased
project (第三十三条), the system an O&M fund application maintains (第四十六条), and what a unit's other
projects bar it from (第四十七条、第四十八条 no new, rebuilt or extended systems while one of its systems
does not share its data or is not secure; 第四十九条 its later projects' approval held while it does not
rectify), grouped by the building unit (registry key `longgang-unit`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.model import Project, Report
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
from govsite.vocabulary import AcceptanceLevel, AcceptanceResult, ConstructionMode, ProjectType, Stage
from govsite.workdays import add_years

_PROJECT_ID = re.compile(r"^LG-\d{4}-\d{3,4}$")


def lapse_date(params: Mapping[str, Any]) -> dt.date:
    """第五十五条: the day the regulation lapses, its effective date plus its years of validity."""
    effective = dt.date.fromisoformat(str(params["effective_date"]))
    return add_years(effective, int(params["validity_years"]))


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _months_ended_before(first: dt.date, stop: dt.date) -> list[tuple[int, int]]:
    """The calendar months from `first`'s month on whose last day is before `stop`."""
    months: list[tuple[int, int]] = []
    year, month = first.year, first.month
    while _month_end(year, month) < stop:
        months.append((year, month))
        year, month = _shift(year, month, 1)
    return months


def _first_submitted(reports: list[Report], kind: str) -> dict[str, Report]:
    """Per period, the earliest report of `kind` (a later resubmission does not make it late)."""
    found: dict[str, Report] = {}
    for report in sorted(reports, key=lambda r: r.submitted):
        if report.kind == kind:
            found.setdefault(report.period, report)
    return found


def _construction_period(project: Project) -> tuple[dt.date, dt.date | None] | None:
    """(start, end) of construction: from under_construction to the completion acceptance (None: ongoing)."""
    start = project.stage_date(Stage.UNDER_CONSTRUCTION)
    if start is None:
        return None
    return start, project.stage_date(Stage.ACCEPTED)


def longgang_monthly_reports(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第二十条：项目建设单位应按月向区信息化主管部门报送项目进度和资金使用情况。

    建设期自进入建设实施之日起，至竣工验收通过之日止（尚未竣工验收的，至检查之日）；建设期内每个已结束的月份都须有该月的月报
    （reports 中 kind 为 monthly、period 为该月，如 2026-03）。本办法未规定报送日，“按月”读作每月的月报最迟于次月底前报送
    （params.monthly_report_due_months）：已过报送期限仍没有的为缺报，晚于期限报送的为迟报，各给一条警告。本办法于
    2026-07-06 失效，只核对失效日前已结束的月份。"""
    outcome = NamedOutcome()
    period = _construction_period(project)
    if period is None:
        return outcome
    start, end = period
    stop = min(end or context.today, lapse_date(params))
    due_months = int(params["monthly_report_due_months"])
    submitted = _first_submitted(project.reports, "monthly")
    missing: list[str] = []
    late: list[str] = []
    for year, month in _months_ended_before(start, stop):
        key = f"{year:04d}-{month:02d}"
        due = _month_end(*_shift(year, month, due_months))
        report = submitted.get(key)
        if report is None:
            if context.today > due:
                missing.append(key)
        elif report.submitted > due:
            late.append(f"{key}（{report.submitted} 报送，应于 {due} 前）")
    where: FieldPath = ("reports",)
    if missing:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"建设期间应按月向区信息化主管部门报送项目进度和资金使用情况，缺少 {len(missing)} 个月的月报："
                f"{'、'.join(missing)}（每月的月报最迟于次月底前报送）",
                "补报所缺月份的项目进度和资金使用情况，并在 reports 中逐月记录（kind 为 monthly，period 为月份，"
                "submitted 为报送日期）。",
                where,
            )
        )
    if late:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"月报迟报：{'、'.join(late)}",
                "每月的项目进度和资金使用情况最迟于次月底前报送区信息化主管部门。",
                where,
            )
        )
    return outcome


def longgang_performance_reports(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第二十二条：项目建设单位应当对项目绩效目标情况进行评价，并征求有关项目使用单位和监理单位的意见，形成项目绩效评价报告，
    在建设期内每年年底前向区信息化主管部门提交。

    建设期内的每个年底（进入建设实施之后、竣工验收通过之前的 12 月 31 日）都须有该年度的绩效评价报告（reports 中 kind 为
    performance、period 为年份，如 2025），不晚于当年 12 月 31 日提交：年底已过仍没有的为缺报，晚于年底提交的为迟报，各给一条
    警告。本办法于 2026-07-06 失效，只核对失效日前的年底。"""
    outcome = NamedOutcome()
    period = _construction_period(project)
    if period is None:
        return outcome
    start, end = period
    lapse = lapse_date(params)
    submitted = _first_submitted(project.reports, "performance")
    missing: list[str] = []
    late: list[str] = []
    for year in range(start.year, context.today.year + 1):
        year_end = dt.date(year, 12, 31)
        if year_end < start or year_end >= lapse or (end is not None and year_end >= end):
            continue
        report = submitted.get(str(year))
        if report is None:
            if context.today > year_end:
                missing.append(str(year))
        elif report.submitted > year_end:
            late.append(f"{year} 年度（{report.submitted} 提交）")
    where: FieldPath = ("reports",)
    if missing:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"建设期内每年年底前应向区信息化主管部门提交项目绩效评价报告，缺少 {'、'.join(missing)} 年度的报告",
                "对项目绩效目标情况进行评价，征求项目使用单位和监理单位的意见，形成绩效评价报告（建设进度、投资计划执行情况，"
                "已试运行的说明试运行效果和问题）报区信息化主管部门，并在 reports 中记录（kind 为 performance，period 为年份）。",
                where,
            )
        )
    if late:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"绩效评价报告应在当年年底前提交，迟交：{'、'.join(late)}",
                "建设期内每年 12 月 31 日前提交当年的绩效评价报告。",
                where,
            )
        )
    return outcome


def _other(context: RuleContext, project: Project, other_id: str) -> RegistryEntry | None:
    """Another Longgang project of the registry by id (None if absent, the same project, or elsewhere)."""
    entry = context.registry.get(other_id)
    if entry is None or entry.project.id == project.id or entry.project.district != project.district:
        return None
    return entry


def longgang_previous_phase(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第三十三条：对于具有连续性的分期项目，建设单位申报的前一期项目未通过竣工验收的，区信息化主管部门原则上不批准下一期项目的
    申报及建设。

    第二期及以后的项目（phase.number 大于 1）在 phase.previous 写明前一期项目的编号，govsite 在登记册中找到前一期：前一期须在
    本期批复之前（本期尚未批复的，至今）通过竣工验收（阶段记录中有“竣工验收通过”），否则给出警告（“原则上”：条文允许例外），
    并指明前一期项目；前一期不在登记册中的也给出警告。例外须有区信息化主管部门同意的书面意见，写在 local.phase_exception_ref，
    有则只给提示。"""
    outcome = NamedOutcome()
    phase = project.phase
    if phase is None or phase.number < 2:
        return outcome
    if not phase.previous:
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"本项目为分期项目的第 {phase.number} 期，未写明前一期项目的编号（phase.previous），无法核对前一期是否通过竣工验收",
                "在 phase.previous 写明前一期项目在登记册中的编号（如 LG-2024-003）。",
                ("phase",),
            )
        )
        return outcome
    where: FieldPath = ("phase", "previous")
    entry = _other(context, project, phase.previous)
    if entry is None:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"登记册中没有前一期项目 {phase.previous}，无法核对其是否通过竣工验收",
                "核对 phase.previous 是否为前一期项目的编号；前一期未在本登记册登记的，请先补登记。",
                where,
            )
        )
        return outcome
    previous = entry.project
    if previous.phase is not None and previous.phase.number != phase.number - 1:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"前一期项目 {describe(entry)}登记为第 {previous.phase.number} 期，本项目却是第 {phase.number} 期",
                "核对两个项目的 phase.number 和 phase.previous。",
                where,
                (previous.id,),
            )
        )
    completed_on = previous.stage_date(Stage.ACCEPTED)
    approved_on = project.stage_date(Stage.APPROVED)
    if completed_on is not None and (approved_on is None or completed_on <= approved_on):
        return outcome
    if completed_on is None:
        state = f"至今未通过竣工验收（当前阶段：{previous.stage.label}）"
    else:
        state = f"于 {completed_on} 才通过竣工验收"
    if approved_on is None:
        text = f"前一期项目 {describe(entry)}{state}：区信息化主管部门原则上不批准第 {phase.number} 期项目的申报及建设"
    else:
        text = (
            f"前一期项目 {describe(entry)}{state}，本期却已于 {approved_on} 批复：前一期未通过竣工验收的，"
            f"原则上不批准第 {phase.number} 期项目的申报及建设"
        )
    exception = project.local.get("phase_exception_ref")
    if exception:
        outcome.findings.append(
            NamedFinding(
                Severity.INFO,
                f"{text}；本期依区信息化主管部门书面意见（{exception}）作为例外办理",
                "",
                where,
                (previous.id,),
            )
        )
        return outcome
    # 原则上: the regulation allows exceptions, so a warning (docs/policy-packs.md, Severity)
    outcome.findings.append(
        NamedFinding(
            Severity.WARNING,
            text,
            "前一期通过竣工验收后再申报本期；确有特殊情况需先行申报的，取得区信息化主管部门同意的书面意见，"
            "并在 local.phase_exception_ref 写明其文号。",
            where,
            (previous.id,),
        )
    )
    return outcome


def _warranty_start(built: Project) -> dt.date | None:
    """The contract final acceptance (合同终验) that passed last, else the completion acceptance."""
    finals = [
        a.date
        for a in built.acceptance
        if a.level is AcceptanceLevel.FINAL and a.result is AcceptanceResult.PASSED
    ]
    return max(finals) if finals else built.stage_date(Stage.ACCEPTED)


def longgang_om_system(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """第四十六条：免费质保期过后，项目建设单位……向区财政部门申请项目运行维护经费……区财政部门对于未完成竣工验收备案的项目不拨付
    运行维护经费。

    运维经费申请的 operation.system 写登记册中的建设项目编号时，govsite 核对该建设项目：须已通过竣工验收（阶段记录中有“竣工验收
    通过”），竣工验收报告已报区信息化主管部门备案（local.completion_filed），且免费质保期在所申请的资金年度开始前届满——质保期
    自合同终验合格之日起算（没有合同终验记录的，自竣工验收之日起算），取所填各项质保期中最短的一项；质保期覆盖整个资金年度的，
    该年度的运维由承建单位在质保期内免费提供。每条发现都指明被运维的建设项目。operation.system 写原批复文号的（登记册建立前
    建成的系统）不作跨项目核对；登记册中查不到该编号的给出警告。"""
    outcome = NamedOutcome()
    operation = project.operation
    if project.type is not ProjectType.OPERATION or operation is None or not operation.system:
        return outcome
    if not _PROJECT_ID.match(operation.system):
        return outcome  # a system built before the registry, named by its approval document
    where: FieldPath = ("operation", "system")
    entry = _other(context, project, operation.system)
    if entry is None:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"登记册中没有被运维系统的建设项目 {operation.system}，无法核对其竣工验收备案和质保期",
                "核对 operation.system 是否为原建设项目的编号；原项目未在本登记册登记的，请先补登记，或改写原批复文号。",
                where,
            )
        )
        return outcome
    built = entry.project
    completed_on = built.stage_date(Stage.ACCEPTED)
    if completed_on is None:
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"区财政部门对于未完成竣工验收备案的项目不拨付运行维护经费：被运维系统的建设项目 {describe(entry)}"
                f"尚未通过竣工验收（当前阶段：{built.stage.label}）",
                "建设项目通过竣工验收、竣工验收报告报区信息化主管部门备案后，才能申请运行维护经费；未通过竣工验收的系统不得投入正式运行。",
                where,
                (built.id,),
            )
        )
        return outcome
    if not built.local.get("completion_filed"):
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"区财政部门对于未完成竣工验收备案的项目不拨付运行维护经费：被运维系统的建设项目 {describe(entry)}"
                f"已于 {completed_on} 通过竣工验收，但竣工验收报告尚未报区信息化主管部门备案（local.completion_filed）",
                "建设项目单位将竣工验收报告报区信息化主管部门备案，并在该项目文件中写明 local.completion_filed（备案日期）。",
                where,
                (built.id,),
            )
        )
    warranty = built.warranty
    years = (
        [
            y
            for y in (
                warranty.product_software_years,
                warranty.hardware_years,
                warranty.custom_software_free_om_years,
            )
            if y is not None
        ]
        if warranty is not None
        else []
    )
    start = _warranty_start(built)
    if years and start is not None:
        shortest = min(years)
        ends = start + dt.timedelta(days=round(shortest * 365.25))
        if shortest.is_integer():
            ends = add_years(start, int(shortest))
        year_end = dt.date(project.budget_year, 12, 31)
        if ends > year_end:
            outcome.findings.append(
                NamedFinding(
                    Severity.ERROR,
                    f"免费质保期过后方可申请运行维护经费：被运维系统的建设项目 {describe(entry)}自 {start} 起质保 "
                    f"{shortest:g} 年，至 {ends} 届满，覆盖本次申请的 {project.budget_year} 年度",
                    f"质保期内由承建单位免费提供维保及系统升级服务；待质保期届满（{ends}）后，再申请之后年度的运行维护经费。",
                    ("budget_year",),
                    (built.id,),
                )
            )
    return outcome


# ----------------------------------------------------------------- LG-16 what a unit's other projects bar


@registry_key("longgang-unit")
def _unit_key(project: Project, params: Mapping[str, Any]) -> str:
    """Projects by the unit that builds them (项目建设单位, project_unit)."""
    return fold_name(project.project_unit)


# 新建、改建、扩建 (第四十七条、第四十八条): the new and upgrade modes (第二条: 新建、扩建及升级改造工程)
_BUILDING_MODES = frozenset({ConstructionMode.NEW, ConstructionMode.UPGRADE})
# a construction project declared, awaiting its approval, or approved and not yet built
_BEFORE_WORK = frozenset({Stage.DECLARED, Stage.INTAKE, Stage.APPROVED})


def _failings(entry: RegistryEntry) -> list[tuple[str, str, str]]:
    """What an O&M application says its system fails: (article, the failing, how to put it right)."""
    operation = entry.project.operation
    if operation is None:
        return []
    found: list[tuple[str, str, str]] = []
    if operation.data_shared is False:
        found.append(
            (
                "第四十七条",
                "未按要求共享数据资源",
                "将该系统运行过程中所产生的数据资源按要求共享至区信息化主管部门",
            )
        )
    security = [
        text
        for failing, text in (
            (operation.crypto_security_compliant is False, "不符合网络安全要求"),
            (operation.major_security_hazard is True, "存在重大安全隐患"),
        )
        if failing
    ]
    if security:
        found.append(("第四十八条", "、".join(security), "按网络安全要求完成整改、消除重大安全隐患"))
    return found


def _unsafe_systems(project: Project, peers: list[RegistryEntry], index: int) -> list[NamedFinding]:
    """第四十七条、第四十八条: the unit's systems whose latest O&M application up to the act says they fail."""
    act = project.stages[index]
    latest: dict[str, tuple[dt.date, str, RegistryEntry]] = {}
    for entry in peers:
        other = entry.project
        if other.type is not ProjectType.OPERATION or other.operation is None:
            continue
        applied = other.stages[0].date
        if applied > act.date:
            continue  # not yet known when this project was declared or approved
        system = other.operation.system or other.id
        known = latest.get(system)
        if known is None or (applied, other.id) > known[:2]:
            latest[system] = (applied, other.id, entry)
    findings: list[NamedFinding] = []
    for system, (applied, _id, entry) in sorted(latest.items()):
        failings = _failings(entry)
        if not failings:
            continue
        articles = "、".join(article for article, _what, _fix in failings)
        what = "，且".join(failing for _article, failing, _fix in failings)
        fixes = "，".join(fix for _article, _failing, fix in failings)
        named = f" {system} " if entry.project.operation and entry.project.operation.system else ""
        mode = project.mode.label if project.mode else "建设"
        findings.append(
            NamedFinding(
                Severity.ERROR,
                f"本单位（{project.project_unit}）的政务信息系统{named}{what}（运维经费申请 {describe(entry)}于 "
                f"{applied} 申报时写明）：对于{what}的政务信息系统，不安排运维经费，项目建设单位不得新建、改建、扩建"
                f"政务信息系统（{articles}）；本项目是{mode}项目，不能于 {act.date} {act.stage.label}",
                f"{fixes}，并在该系统的运维经费申请中如实更新 operation（重新申请的写明整改后的情况）；整改完成前，"
                f"{project.project_unit}不得新建、改建、扩建政务信息系统。",
                ("stages", index),
                (entry.project.id,),
            )
        )
    return findings


def _performance_orders(
    entry: RegistryEntry, pattern: re.Pattern[str]
) -> list[tuple[int, dt.date, dt.date | None, str]]:
    """第四十九条: the rectification orders of the 区信息化主管部门 in a project's supervision, as
    (1-based position, deadline, rectified, issue)."""
    return [
        (number, record.deadline, record.rectified, record.issue or "没有实现项目建设绩效目标")
        for number, record in enumerate(entry.project.supervision, 1)
        if record.kind == "rectification_order"
        and record.deadline is not None
        and (record.by == "it_authority" or pattern.search(record.by))
    ]


def _refused_rectification(
    project: Project,
    params: Mapping[str, Any],
    peers: list[RegistryEntry],
    index: int,
    today: dt.date,
) -> list[NamedFinding]:
    """第四十九条: the unit's projects that did not rectify by the deadline hold this project's approval."""
    pattern = re.compile(str(params["it_authority_pattern"]))
    approved = project.stages[index].date if project.stage is Stage.APPROVED else None
    on = approved or today
    findings: list[NamedFinding] = []
    for entry in peers:
        for number, deadline, rectified, issue in _performance_orders(entry, pattern):
            if not (deadline < on and (rectified is None or on < rectified)):
                continue
            state = "至今未整改完成" if rectified is None else f"至 {rectified} 才整改完成"
            refused = (
                f"本单位（{project.project_unit}）的项目 {describe(entry)}未在期限（{deadline}）内按区信息化主管部门的要求"
                f"整改“{issue}”（该项目 supervision 第 {number} 条），{state}：对拒不整改的，区发改部门和区信息化主管部门"
                "暂缓其后续项目的审批"
            )
            fix = (
                f"由{project.project_unit}完成该项整改，经区信息化主管部门确认后在该项目 supervision 第 {number} 条写明"
                " rectified（确认日期）"
            )
            if approved is not None:
                findings.append(
                    NamedFinding(
                        Severity.ERROR,
                        f"{refused}；本项目却于 {approved} 批复",
                        f"{fix}；整改完成前本项目的审批应暂缓，不能记录“批复”。",
                        ("stages", index),
                        (entry.project.id,),
                    )
                )
            else:
                findings.append(
                    NamedFinding(
                        Severity.WARNING,
                        f"{refused}，本项目的审批将暂缓",
                        f"{fix}，再报请审批；整改完成前，区发改部门和区信息化主管部门暂缓本项目的审批（阶段“暂缓”，deferred）。",
                        ("stages", index),
                        (entry.project.id,),
                    )
                )
    return findings


def longgang_unit_sanctions(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第四十七条：对于未按要求共享数据资源的政务信息系统，不安排运维经费，项目建设单位不得新建、改建、扩建政务信息系统。
    第四十八条：对于不符合网络安全要求，或者存在重大安全隐患的政务信息系统，不安排运维经费，项目建设单位不得新建、改建、扩建政务
    信息系统。第四十九条：对没有实现项目建设绩效目标的，区信息化主管部门督促建设单位限期整改；对拒不整改的，区发改部门和区信息化
    主管部门暂缓其后续项目的审批。

    三条的后果落在项目建设单位（project_unit，按名称比对，全角半角、空格不计）的其他项目上，govsite 在登记册中找本单位的其他
    项目。只看正在申报、受理或刚批复（当前阶段为申报、受理、批复）的建设项目，判断的是其最后一条阶段记录（申报、受理或批复）：

    一、本项目为新建或升级改造（含扩建、改建）项目的：本单位某一政务信息系统最近一次（在该阶段记录之日或之前申报的）运维经费
    申请写明未按要求共享数据资源（operation.data_shared 为 false），或不符合网络安全要求（crypto_security_compliant 为 false）、
    存在重大安全隐患（major_security_hazard 为 true）的，报错（“不得”），指明该运维经费申请。同一系统以后的运维经费申请写明
    已整改的，以最近一次为准。该系统本身不安排运维经费由 LG-14 检查。软课题研究等信息技术服务（it_service）不是新建、改建、
    扩建政务信息系统，不检查。

    二、本单位其他项目的 supervision 中有区信息化主管部门作出的限期整改（第四十九条的绩效考评由区信息化主管部门进行，所以读作
    by 为 it_authority 或区信息化主管部门名称的 rectification_order），期限已过仍未整改（rectified 为空或晚于所判断之日）的，
    即“拒不整改”，本项目是其“后续项目”：已记录批复的，批复之日处于拒不整改期间的报错（条文直接规定“暂缓”，没有“可”的余地），
    指明该项目；尚未批复的，至检查之日仍未整改的给出警告（条文暂缓的是审批，不是申报：本项目可以申报，但审批将暂缓）。
    整改完成（经确认写明 rectified）后不再暂缓。有关项目本身逾期未整改的，由 LG-15 检查。"""
    outcome = NamedOutcome()
    if project.type is not ProjectType.CONSTRUCTION or project.stage not in _BEFORE_WORK:
        return outcome
    index = len(project.stages) - 1
    peers = context.registry.peers("longgang-unit", project, params)
    if project.mode in _BUILDING_MODES:
        outcome.findings += _unsafe_systems(project, peers, index)
    outcome.findings += _refused_rectification(project, params, peers, index, context.today)
    return outcome


RULES: dict[str, NamedRule] = {
    "longgang_monthly_reports": longgang_monthly_reports,
    "longgang_performance_reports": longgang_performance_reports,
    "longgang_previous_phase": longgang_previous_phase,
    "longgang_om_system": longgang_om_system,
    "longgang_unit_sanctions": longgang_unit_sanctions,
}
