"""青浦 2024: named rules across the registry and the overrun of the investment estimate.

第七条（三） new subsystems per 大系统 per year; 第十七条（一）3 the filing-track cap per budget authority;
第十九条 a rejected project declared again; 第二十三条 O&M or upgrade only after the original project's
acceptance; 第二十九条 overrun of the estimate needing an adjustment procedure; 第十八条、第二十四条 the unit's
earlier projects (failed acceptance, unrectified orders, poor evaluations) shown to the review.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.model import Project
from govsite.policy.named.common import (
    NamedFinding,
    NamedOutcome,
    NamedRule,
    RegistryEntry,
    RuleContext,
    describe,
    registry_key,
)
from govsite.vocabulary import AcceptanceResult, ConstructionMode, ProjectType, Stage

# A declaration that was turned down does not count toward a yearly quota or cap.
_TURNED_DOWN = frozenset({Stage.REJECTED, Stage.DEFERRED, Stage.INTAKE_REFUSED})
# A declaration that is over: refused at intake or rejected again.
_CLOSED = frozenset({Stage.REJECTED, Stage.INTAKE_REFUSED})
_ACCEPTED = frozenset({Stage.ACCEPTED, Stage.IN_OPERATION, Stage.OUT_OF_USE, Stage.DECOMMISSIONED})
_PROJECT_ID = re.compile(r"^QP-\d{4}-\d{3,4}$")
_NOISE = re.compile(r"[\s\"'“”‘’「」『』·・]")
_PREFIXES = ("上海市", "青浦区")


def comparable_name(text: str) -> str:
    """A name as people compare it: full-width and half-width forms alike (NFKC), without spaces
    and quotation marks, and without a leading 上海市 or 青浦区."""
    name = _NOISE.sub("", unicodedata.normalize("NFKC", text))
    for prefix in _PREFIXES:
        name = name.removeprefix(prefix)
    return name


def _declared_on(project: Project) -> dt.date | None:
    """The (latest) declaration date: a deferred project declared again counts from then."""
    return project.stage_date(Stage.DECLARED)


def _pursued(project: Project) -> bool:
    """Declared and not turned down (yet): it counts toward a yearly quota or cap."""
    return _declared_on(project) is not None and project.stage not in _TURNED_DOWN


def _order(project: Project) -> tuple[dt.date, str]:
    return (_declared_on(project) or project.stages[0].date, project.id)


def _amount(value: float) -> str:
    return f"{round(value, 2):g}"


def _new_subsystem_parent(project: Project) -> str | None:
    attributes = project.attributes
    if (
        project.type is not ProjectType.CONSTRUCTION
        or project.mode is not ConstructionMode.NEW
        or attributes.system_level != "subsystem"
        or not attributes.parent_system
    ):
        return None
    return comparable_name(attributes.parent_system)


@registry_key("qingpu-subsystem")
def _subsystem_key(project: Project, params: Mapping[str, Any]) -> tuple[str, int] | None:
    """New subsystems of one parent system in one budget year, declared and not turned down."""
    parent = _new_subsystem_parent(project)
    return (parent, project.budget_year) if parent is not None and _pursued(project) else None


def qingpu_subsystem_quota(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """第七条（三）：原则上，每年同一大系统下新增的子系统级项目不超过 2 个。按资金安排年度（budget_year）和所属大系统
    （attributes.parent_system；名称比较时不分全角半角，不计空格、引号和“上海市”“青浦区”前缀）统计已申报、且未被暂缓、否定或
    不予受理的新建子系统级项目，按申报日期（同日按编号）排序；排在第 3 个及以后的项目给出警告，指明排在它前面的项目。"""
    outcome = NamedOutcome()
    parent = _new_subsystem_parent(project)
    if parent is None or not _pursued(project):
        return outcome
    quota = int(params["subsystems_per_year"])
    earlier = sorted(
        (
            entry
            for entry in context.registry.peers("qingpu-subsystem", project, params)
            if _order(entry.project) < _order(project)
        ),
        key=lambda entry: _order(entry.project),
    )
    if len(earlier) < quota:
        return outcome
    outcome.findings.append(
        NamedFinding(
            Severity.WARNING,
            f"原则上每年同一大系统下新增的子系统级项目不超过 {quota} 个（第七条（三））："
            f"“{project.attributes.parent_system}”下 {project.budget_year} 年度已有 {len(earlier)} 个新增子系统级项目先行申报——"
            + "；".join(describe(entry) for entry in earlier)
            + f"，本项目是第 {len(earlier) + 1} 个",
            "与区数据局会商：把建设内容并入已申报的子系统，或作为现有子系统的功能模块建设，或调整到下一年度申报；"
            "确需新增的，在可研报告中说明理由，由区数据局在评审中决定。",
            ("attributes", "parent_system"),
            tuple(entry.project.id for entry in earlier),
        )
    )
    return outcome


def canonical_unit(name: str, params: Mapping[str, Any]) -> str:
    """A unit's name as compared: one of the A-class units' accepted spellings (params.a_class_units)
    becomes that unit's name, so 青浦区卫生健康委员会 and 区卫健委 are one budget authority."""
    key = comparable_name(name)
    for unit in params.get("a_class_units", []):
        if any(comparable_name(str(alias)) == key for alias in unit.get("names", [])):
            return comparable_name(str(unit["name"]))
    return key


def _filing_group(project: Project, params: Mapping[str, Any]) -> tuple[str, int] | None:
    if project.type is not ProjectType.CONSTRUCTION or project.review_track != "filing":
        return None
    return (canonical_unit(project.budget_authority, params), project.budget_year)


def _funds(project: Project) -> float | None:
    value = project.local.get("previous_year_it_funds")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value)


@registry_key("qingpu-filing")
def _filing_key(project: Project, params: Mapping[str, Any]) -> tuple[str, int] | None:
    """Filing-track projects of one budget authority in one budget year, declared and not turned down."""
    group = _filing_group(project, params)
    return group if group is not None and _pursued(project) else None


@registry_key("qingpu-rejected")
def _rejected_key(project: Project, params: Mapping[str, Any]) -> str | None:
    """Rejected projects by the name people compare."""
    return comparable_name(project.name) if project.stage_date(Stage.REJECTED) is not None else None


def qingpu_filing_cap(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """第十七条（一）3：每个预算主管部门备案项目总金额原则上不超过上年度信息化建设资金的 3%。上年度信息化建设资金由
    预算主管部门在其每个备案评审项目的 local.previous_year_it_funds 中填写（万元）。同一预算主管部门（名称比较同上，A 类
    单位按 params.a_class_units 列出的各种写法视为同一单位）同一资金安排年度的备案评审项目，已申报且未被暂缓、否定或不予
    受理的，按申报日期（同日按编号）累计金额；累计到本项目超过上限的，给出警告，指明此前计入的项目；同组项目填写的上年度
    信息化建设资金不一致的，也给出警告并指明。"""
    outcome = NamedOutcome()
    group = _filing_group(project, params)
    funds = _funds(project)
    if group is None or funds is None or not _pursued(project):
        return outcome  # a missing figure is reported by the rule's own check
    share = float(params["filing_share_cap"])
    cap = funds * share
    peers = context.registry.peers("qingpu-filing", project, params)
    earlier = sorted(
        (entry for entry in peers if _order(entry.project) < _order(project)),
        key=lambda entry: _order(entry.project),
    )
    total = project.budget.total + sum(entry.project.budget.total for entry in earlier)
    if total > cap + 1e-9:
        counted = "；".join(
            f"{describe(entry)} {_amount(entry.project.budget.total)} 万元" for entry in earlier
        )
        before = f"此前已计入 {counted}，" if earlier else ""
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"{project.budget_authority} {project.budget_year} 年度备案评审项目总金额超过上年度信息化建设资金"
                f"（{_amount(funds)} 万元）的 {share:.0%}（{_amount(cap)} 万元）（第十七条（一）3）：{before}"
                f"加上本项目 {_amount(project.budget.total)} 万元累计 {_amount(total)} 万元",
                "改按一般评审程序申报（review_track 改为 normal），或压缩备案项目规模；确需备案的，由区数据局在审查意见中决定。",
                ("review_track",),
                tuple(entry.project.id for entry in earlier),
            )
        )
    differing = [entry for entry in peers if _funds(entry.project) not in (None, funds)]
    if differing:
        others = "；".join(
            f"{describe(entry)} 填写 {_amount(_funds(entry.project) or 0)} 万元" for entry in differing
        )
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"{project.budget_authority} {project.budget_year} 年度的备案评审项目填写的上年度信息化建设资金不一致："
                f"本项目填写 {_amount(funds)} 万元，{others}",
                "由预算主管部门核对上年度信息化建设资金，在各备案评审项目的 local.previous_year_it_funds 中填写同一数额。",
                ("local", "previous_year_it_funds"),
                tuple(entry.project.id for entry in differing),
            )
        )
    return outcome


def _reference(project: Project) -> str | None:
    value = project.local.get("previous_submission")
    return value.strip() if isinstance(value, str) and value.strip() else None


def qingpu_rejected_redeclared(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第十九条：评审结果为否定的项目，预算主管部门不得再次申报；评审结果为暂缓的项目，可修改完善后在下一年度重新申报。
    一个在办的申报（已申报，当前阶段不是不予受理或否定）与登记册中一个评审结果为否定的项目同名（名称比较时不分全角半角，
    不计空格、引号和“上海市”“青浦区”前缀），或在 local.previous_submission 中写明了该项目的编号，且申报日期不早于否定之日，
    即为再次申报否定的项目：报错，指明被否定的项目。local.previous_submission 写明的是暂缓的项目的，本次申报须在暂缓之后的
    下一年度或以后；写明的编号在登记册中查不到的，提示核对。"""
    outcome = NamedOutcome()
    declared = _declared_on(project)
    if declared is None or project.stage in _CLOSED:
        return outcome
    name = comparable_name(project.name)
    reference = _reference(project)
    candidates = context.registry.peers("qingpu-rejected", project, params, key=name)
    if reference is not None and reference != project.id:
        referenced = context.registry.get(reference)
        if referenced is not None and referenced not in candidates:
            candidates = sorted([*candidates, referenced], key=lambda entry: entry.path)
    for entry in candidates:
        other = entry.project
        rejected = other.stage_date(Stage.REJECTED)
        by_reference = reference == other.id
        if (
            rejected is None
            or declared < rejected
            or not (by_reference or comparable_name(other.name) == name)
        ):
            continue
        where: FieldPath = ("local", "previous_submission") if by_reference else ("name",)
        outcome.findings.append(
            NamedFinding(
                Severity.ERROR,
                f"评审结果为否定的项目不得再次申报（第十九条）：本项目与 {describe(entry)} "
                f"{'为同一项目（local.previous_submission）' if by_reference else '同名'}，该项目已于 {rejected} 评审否定，"
                f"本项目于 {declared} 再次申报",
                "撤回本次申报（区数据局不予受理）；确属不同的项目的，修改项目名称和建设内容以示区别，并在可研报告中说明与被否定项目的区别。",
                where,
                (other.id,),
            )
        )
    if reference is None or not _PROJECT_ID.match(reference) or reference == project.id:
        return outcome
    found = context.registry.get(reference)
    if found is None:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"local.previous_submission 写明的此前申报 {reference} 在登记册中没有，无法核对其评审结果",
                "核对编号；此前的申报未在本登记册登记的，删去该字段，并在可研报告中说明此前的评审结果。",
                ("local", "previous_submission"),
            )
        )
        return outcome
    deferred = found.project.stage_date(Stage.DEFERRED)
    if (
        deferred is not None
        and found.project.stage_date(Stage.REJECTED) is None
        and declared.year <= deferred.year
    ):
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"暂缓的项目修改完善后在下一年度重新申报（第十九条）：{describe(found)} 于 {deferred} 评审暂缓，"
                f"本项目于同一年度（{declared}）重新申报",
                f"在 {deferred.year + 1} 年度重新申报，并说明修改完善的内容。",
                ("local", "previous_submission"),
                (found.project.id,),
            )
        )
    return outcome


def _original(project: Project) -> str | None:
    for reference in (project.original_project, project.operation.system if project.operation else None):
        if reference and _PROJECT_ID.match(reference.strip()):
            return reference.strip()
    return None


def _accepted_on(project: Project) -> dt.date | None:
    dates = [record.date for record in project.stages if record.stage in _ACCEPTED]
    return min(dates) if dates else None


def qingpu_after_acceptance(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第二十三条：原则上，数字化项目通过验收后，方可申请项目的运行维护或升级改造；第十二条（二）：确需在原项目验收前提前
    实施升级改造的，应同时提供相关说明材料和依据文件。运维项目和升级改造项目的原项目（original_project，运维项目也可写在
    operation.system）是本登记册中的项目编号时，原项目须在本项目申报之日或之前通过验收，否则给出警告（“原则上”）并指明原项目；附有提前实施
    升级改造的说明材料和依据文件（early_upgrade_justification）的升级改造项目除外。编号在登记册中查不到的，提示核对；
    原系统在登记册建立前建成、写的是批复文号的，不作跨项目核对。"""
    outcome = NamedOutcome()
    declared = _declared_on(project)
    reference = _original(project)
    if declared is None or reference is None:
        return outcome
    where: FieldPath = ("original_project",) if project.original_project else ("operation", "system")
    entry: RegistryEntry | None = context.registry.get(reference)
    if entry is None:
        outcome.findings.append(
            NamedFinding(
                Severity.WARNING,
                f"登记册中没有原项目 {reference}，无法核对其是否已通过验收",
                "核对原项目编号；原系统未在本登记册登记的，写其立项批复文号，并在申报材料中附原项目验收意见。",
                where,
            )
        )
        return outcome
    if project.mode is ConstructionMode.UPGRADE and any(
        m.kind == "early_upgrade_justification" for m in project.materials
    ):
        return outcome
    accepted = _accepted_on(entry.project)
    if accepted is not None and accepted <= declared:
        return outcome
    what = "运行维护" if project.type is ProjectType.OPERATION else "升级改造"
    state = (
        f"于 {accepted} 才通过验收，晚于本项目申报日期 {declared}"
        if accepted is not None
        else f"尚未通过验收（当前阶段：{entry.project.stage.label}）"
    )
    hint = (
        "原项目通过验收后再申请运行维护；首次申报运维时附项目验收相关材料。"
        if project.type is ProjectType.OPERATION
        else "原项目通过验收后再申报升级改造；确需提前实施的，附说明材料和依据文件（early_upgrade_justification）。"
    )
    # 原则上: the regulation allows exceptions, so a warning (docs/policy-packs.md, Severity)
    outcome.findings.append(
        NamedFinding(
            Severity.WARNING,
            f"原则上通过验收后方可申请项目的{what}（第二十三条）：原项目 {describe(entry)} {state}",
            hint,
            where,
            (entry.project.id,),
        )
    )
    return outcome


def qingpu_estimate_overrun(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第二十九条：若涉及超投资概算 10% 以上等，须办理调整手续。以批复的项目总投资（budget.total）为投资概算，超出部分取
    超出批复投资规模的调整（changes 中 within_approved_investment 为 false 的金额之和）与合同金额（contract.price）超出总投资
    的部分中的较大者；达到概算的 10% 及以上（“以上”含本数）的，材料中须有调整手续文件（estimate_adjustment），否则报错。"""
    outcome = NamedOutcome()
    total = project.budget.total
    if total <= 0:
        return outcome
    beyond = sum(change.amount for change in project.changes if not change.within_approved_investment)
    price = project.contract.price if project.contract and project.contract.price is not None else None
    over_contract = price - total if price is not None else 0.0
    overrun = max(beyond, over_contract)
    limit = float(params["estimate_overrun_limit"])
    if overrun <= 0 or overrun / total < limit - 1e-9:
        return outcome
    if any(m.kind == "estimate_adjustment" for m in project.materials):
        return outcome
    if beyond >= over_contract:
        source = f"超出批复投资规模的调整共 {_amount(beyond)} 万元"
        where: FieldPath = ("changes",)
    else:
        source = f"合同金额 {_amount(price or 0)} 万元超出总投资 {_amount(over_contract)} 万元"
        where = ("contract", "price")
    outcome.findings.append(
        NamedFinding(
            Severity.ERROR,
            f"超投资概算 {limit:.0%} 以上须办理调整手续（第二十九条）：项目批复总投资 {_amount(total)} 万元，{source}，"
            f"超出 {overrun / total:.1%}，材料中没有调整手续文件",
            "按《青浦区政府投资管理办法》等规定办理投资概算调整手续，把调整批复作为 kind 为 estimate_adjustment 的材料列入 materials；"
            "不能调整的，压缩建设内容，使投资不超出批复。",
            where,
        )
    )
    return outcome


# 第十八条、第二十四条: what a review considers of the unit's earlier projects.
_REVIEW_OUTCOMES = frozenset({Stage.IN_LIBRARY, Stage.DEFERRED, Stage.REJECTED})
_PERFORMANCE = frozenset({"self_evaluation", "post_evaluation"})
_ROLE_NAMES = {"data_bureau": "区数据局", "finance_bureau": "区财政局"}


def _poor_score(params: Mapping[str, Any]) -> float:
    return float(params["poor_evaluation_score"])


def _has_record(project: Project, params: Mapping[str, Any]) -> bool:
    """A failed acceptance, a rectification order or a poor performance score, ever (dates aside)."""
    limit = _poor_score(params)
    return (
        any(record.stage is Stage.ACCEPTANCE_FAILED for record in project.stages)
        or any(record.result is AcceptanceResult.FAILED for record in project.acceptance)
        or any(record.kind == "rectification_order" for record in project.supervision)
        or any(
            e.kind in _PERFORMANCE and e.score is not None and e.score < limit for e in project.evaluations
        )
    )


@registry_key("qingpu-unit-record")
def _unit_record_key(project: Project, params: Mapping[str, Any]) -> str | None:
    """Projects with a failed acceptance, a rectification order or a poor evaluation, by project unit."""
    return canonical_unit(project.project_unit, params) if _has_record(project, params) else None


def _issuer(by: str, project: Project) -> str:
    return project.budget_authority if by == "budget_authority" else _ROLE_NAMES.get(by, by)


def _record_as_of(project: Project, on: dt.date, params: Mapping[str, Any]) -> list[str]:
    """What a review on `on` learns of this project: failed acceptances, orders not yet rectified, poor scores."""
    found: list[str] = []
    failed = sorted(
        {r.date for r in project.stages if r.stage is Stage.ACCEPTANCE_FAILED and r.date <= on}
        | {a.date for a in project.acceptance if a.result is AcceptanceResult.FAILED and a.date <= on}
    )
    if failed:
        passed = sorted(
            {r.date for r in project.stages if r.stage is Stage.ACCEPTED and failed[-1] < r.date <= on}
            | {
                a.date
                for a in project.acceptance
                if a.result is AcceptanceResult.PASSED and failed[-1] < a.date <= on
            }
        )
        later = f"，此后于 {passed[0]} 通过验收" if passed else "，尚未通过验收"
        found.append("、".join(d.isoformat() for d in failed) + " 验收不合格" + later)
    for record in project.supervision:
        if record.kind != "rectification_order" or record.date > on:
            continue
        if record.rectified is not None and record.rectified <= on:
            continue
        issue = record.issue or "监督检查发现的问题"
        deadline = record.deadline
        state = (
            f"逾期未整改（期限 {deadline}）"
            if deadline is not None and deadline < on
            else f"尚未整改完成（期限 {deadline}）"
        )
        found.append(f"{_issuer(record.by, project)}于 {record.date} 提出的整改“{issue}”{state}")
    limit = _poor_score(params)
    for evaluation in project.evaluations:
        score = evaluation.score
        if evaluation.kind in _PERFORMANCE and score is not None and score < limit and evaluation.date <= on:
            found.append(f"{evaluation.date} 绩效评估 {_amount(score)} 分（低于 {_amount(limit)} 分）")
    return found


def _review_date(project: Project, today: dt.date) -> dt.date:
    """The day of the review: its recorded outcome, if this declaration has one, else today."""
    declared = _declared_on(project)
    outcomes = [
        r.date
        for r in project.stages
        if r.stage in _REVIEW_OUTCOMES and (declared is None or r.date >= declared)
    ]
    return max(outcomes) if outcomes else today


def qingpu_past_performance(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第十八条：数字化项目评审应充分参考预算单位过往数字化项目的实施、验收和绩效评估情况；第二十四条：绩效评价结果将作为项目
    立项评审的重要依据。项目待评审（申报、补正、受理）或记录评审结果（同意入库、暂缓、否定）时，列出同一预算单位（项目单位
    project_unit；名称比较同上，A 类单位的各种写法视为同一单位）登记册中其他项目截至评审之日（已记录评审结果的，为结果日期；否则为
    当天）的下列情况，每个项目一条警告并指明该项目：验收不合格（阶段记录或验收记录，写明此后是否已通过验收）；限期整改（整改意见）
    尚未整改完成（写明是否逾期）；绩效评估（自评估或后评价）得分低于 params.poor_evaluation_score。供评审参考，不要求修改本项目。"""
    outcome = NamedOutcome()
    if _declared_on(project) is None:
        return outcome
    on = _review_date(project, context.today)
    unit = canonical_unit(project.project_unit, params)
    peers = context.registry.peers("qingpu-unit-record", project, params, key=unit)
    for entry in sorted(peers, key=lambda e: e.project.id):
        found = _record_as_of(entry.project, on, params)
        if not found:
            continue
        outcome.findings.append(
            NamedFinding(
                # 应充分参考: the review's duty to weigh the record, not the declaring unit's to fix here
                Severity.WARNING,
                f"数字化项目评审应充分参考预算单位过往数字化项目的实施、验收和绩效评估情况（第十八条），绩效评价结果"
                f"将作为项目立项评审的重要依据（第二十四条）：预算单位{project.project_unit}的项目 {describe(entry)}："
                + "；".join(found),
                "供区数据局（备案评审项目为预算主管部门）评审时参考，不要求修改本文件；预算单位可在申报材料中说明上述问题的"
                "整改落实情况，以及本项目避免同类问题的措施。",
                ("project_unit",),
                (entry.project.id,),
            )
        )
    return outcome


RULES: dict[str, NamedRule] = {
    "qingpu_subsystem_quota": qingpu_subsystem_quota,
    "qingpu_filing_cap": qingpu_filing_cap,
    "qingpu_rejected_redeclared": qingpu_rejected_redeclared,
    "qingpu_after_acceptance": qingpu_after_acceptance,
    "qingpu_estimate_overrun": qingpu_estimate_overrun,
    "qingpu_past_performance": qingpu_past_performance,
}
