"""拱墅 2021: named rules (第八条 negative list across the registry; 第二十一条 re-acceptance failed, across the
project unit's declarations; 附件 建设方案 required sections)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from govsite.findings import Severity
from govsite.model import Project
from govsite.policy.named.common import (
    NamedFinding,
    NamedOutcome,
    NamedRule,
    RuleContext,
    describe,
    registry_key,
)
from govsite.vocabulary import AcceptanceLevel, AcceptanceResult, ProjectType, Stage

_PROJECT_ID = re.compile(r"^(MH|QP|YP|GS|LG)-\d{4}-\d{3,4}$")

_EXCEPTION_HINT = (
    "确需建设的，须经领导小组研究同意，并在 local.negative_list_exception 中写明会议纪要或批复文号。"
)


def _exception(project: Project) -> str | None:
    """第八条是“原则上不得建设”：经领导小组同意的例外写在 local.negative_list_exception。"""
    value = project.local.get("negative_list_exception")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _declared_on(project: Project) -> dt.date:
    return project.stage_date(Stage.DECLARED) or project.stages[0].date


def _first_date(project: Project, stage: Stage) -> dt.date | None:
    return next((record.date for record in project.stages if record.stage is stage), None)


# --- 第八条（四）上一期未验收通过的续建项目 ---------------------------------------------------


def _previous_phase(project: Project, context: RuleContext) -> list[NamedFinding]:
    phase = project.phase
    if phase is None or phase.number < 2 or not phase.previous:
        return []  # a missing previous id is a CEL check of GS-03
    where = ("phase", "previous")
    previous = phase.previous.strip()
    if not _PROJECT_ID.match(previous):
        return []  # a phase built before the registry, named by its approval document
    if previous == project.id:
        return [
            NamedFinding(
                Severity.ERROR,
                f"phase.previous 写的是本项目自己的编号 {previous}，应为上一期项目的编号",
                f"把 phase.previous 改为上一期（第 {phase.number - 1} 期）项目的编号。",
                where,
            )
        ]
    entry = context.registry.get(previous)
    if entry is None:
        return [
            NamedFinding(
                Severity.WARNING,
                f"登记册中没有上一期项目 {previous}，无法核对上一期是否已验收通过（第八条（四））",
                "核对 phase.previous 是否为上一期项目的编号；上一期未在本登记册登记的，请先补登记，或改写其立项批复文号。",
                where,
            )
        ]
    accepted_on = _first_date(entry.project, Stage.ACCEPTED)
    approved_on = _first_date(project, Stage.APPROVED)
    decided_on = approved_on or context.today
    if accepted_on is not None and accepted_on <= decided_on:
        return []
    other = entry.project
    if accepted_on is None:
        state = f"至今未验收通过，当前阶段：{other.stage.label}"
    else:
        state = f"{accepted_on.isoformat()} 才验收通过"
    when = f"{approved_on.isoformat()} 批复时，" if approved_on else ""
    return [
        NamedFinding(
            Severity.WARNING,  # 原则上: the 领导小组 may allow an exception (GS-03 waivable_by)
            f"本项目是第 {phase.number} 期续建项目，{when}上一期项目 {describe(entry)}尚未验收通过（{state}）；"
            "第八条（四）：上一期未验收通过的续建项目原则上不得建设",
            "上一期项目验收通过（stages 中有 accepted）后再申报续建。" + _EXCEPTION_HINT,
            where,
            (other.id,),
        )
    ]


# --- 第八条（二）重复建设 ---------------------------------------------------------------------

_BRACKETED = re.compile(r"[(【\[][^)】\]]*[)】\]]")
_PHASE_WORD = re.compile(r"第?[一二三四五六七八九十0-9]+期")
_SUFFIXES = ("建设项目", "项目", "工程")


def system_key(name: str) -> str:
    """What a project builds, from its name: width-folded, without spaces, bracketed notes such as
    （二期）（26年升级改造）, phase words and the closing 建设项目 / 项目."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    text = _PHASE_WORD.sub("", _BRACKETED.sub("", text))
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _lineage(project: Project, context: RuleContext) -> set[str]:
    """Ids this project continues or upgrades, followed through the registry (phase.previous,
    original_project), so that phase 3 is linked to phase 1."""
    seen: set[str] = set()
    todo = [project]
    while todo:
        current = todo.pop()
        links = [current.original_project, current.phase.previous if current.phase else None]
        for link in links:
            if not link or link in seen:
                continue
            seen.add(link)
            entry = context.registry.get(link)
            if entry is not None:
                todo.append(entry.project)
    return seen


def _comparable(candidate: Project, params: Mapping[str, Any]) -> bool:
    """A construction project that is declared, being built or in use, new or an upgrade: what 重复建设 compares."""
    return (
        candidate.type is ProjectType.CONSTRUCTION
        and candidate.mode is not None
        and candidate.mode.value in set(_strings(params.get("duplicate_modes")))
        and candidate.stage.value not in set(_strings(params.get("inactive_stages")))
    )


@registry_key("gongshu-system")
def _system_key(project: Project, params: Mapping[str, Any]) -> str | None:
    return system_key(project.name) if _comparable(project, params) else None


def _duplicates(project: Project, params: Mapping[str, Any], context: RuleContext) -> list[NamedFinding]:
    if not _comparable(project, params):
        return []
    key = system_key(project.name)
    mine = (_declared_on(project), project.id)
    lineage = _lineage(project, context)
    findings = []
    for entry in context.registry.peers("gongshu-system", project, params):
        other = entry.project
        # the later declaration duplicates the earlier one; the earlier project is not at fault
        if (_declared_on(other), other.id) >= mine:
            continue
        if other.id in lineage or project.id in _lineage(other, context):
            continue
        findings.append(
            NamedFinding(
                Severity.WARNING,  # 原则上: the 领导小组 may allow an exception (GS-03 waivable_by)
                f"本项目与 {describe(entry)}建设的是同一系统（名称去掉括注、期数后均为“{key}”），该项目更早申报（{_declared_on(other).isoformat()}）"
                f"且当前为“{other.stage.label}”，两者之间没有续建（phase.previous）或升级改造（original_project）关系；"
                "第八条（二）：重复建设的项目原则上不得建设",
                "如为同一系统的后续建设，在 phase 中写明期数和上一期项目编号（phase.previous）；如为升级改造，把 mode 改为 upgrade 并在 "
                "original_project 中写明原项目编号；如为重复申报，请撤回本项目。" + _EXCEPTION_HINT,
                ("name",),
                (other.id,),
            )
        )
    return findings


def gongshu_negative_list(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """第八条（二）（四）跨项目核对：续建项目（phase.number ≥ 2）的上一期（phase.previous 写登记册中的项目编号时）须在本项目批复前
    （尚未批复的，至今）已验收通过，否则属“上一期未验收通过的续建项目”；登记册中查不到上一期的，提示核对。新建或升级改造项目与登记册中
    更早申报、仍在申报建设或使用中的另一建设项目建设同一系统（名称去掉括注、期数和“建设项目”后相同），且两者之间没有续建或升级改造
    关系的，属“重复建设”。经领导小组同意例外建设（local.negative_list_exception）的项目不再报告。"""
    outcome = NamedOutcome()
    if _exception(project) is not None:
        return outcome
    outcome.findings += _previous_phase(project, context)
    outcome.findings += _duplicates(project, params, context)
    return outcome


# --- 第二十一条 重新验收仍不合格：不得投入使用；建设单位申报后续项目从严控制 -------------------------


def _unit(project: Project) -> str:
    """A project unit as people write it: width-folded, spaces ignored."""
    return _compact(project.project_unit)


@dataclass(frozen=True)
class _FailedAgain:
    on: dt.date  # the day the project is known to have failed re-acceptance
    stage_based: bool  # whether the stage history shows it (two acceptance_failed records: GS-11 sees it)
    what: str  # the failures, for messages: 2 次验收不合格（验收记录：2026-03-10、2026-08-05）


def failed_reacceptance(project: Project) -> _FailedAgain | None:
    """Whether the project failed its acceptance twice (第二十一条 重新验收仍不合格), and since when.

    Counted either way the registry records it: the stage history reaches acceptance_failed twice, or
    acceptance holds two failed acceptances organised on the project unit's application (终验 final, or
    a single acceptance). A failed preliminary acceptance (初验) does not count: the unit organises it
    itself (第二十条) and 第二十一条's 验收 is the one applied for to the 领导小组办公室. Where both
    records show it, the earlier date counts (the acceptance record is usually a day before the stage).
    """
    if project.type is not ProjectType.CONSTRUCTION:
        return None
    stage_fails = sorted(r.date for r in project.stages if r.stage is Stage.ACCEPTANCE_FAILED)
    record_fails = sorted(
        a.date
        for a in project.acceptance
        if a.result is AcceptanceResult.FAILED and a.level is not AcceptanceLevel.PRELIMINARY
    )
    found = []
    if len(stage_fails) >= 2:
        found.append((stage_fails[1], "stages", stage_fails))
    if len(record_fails) >= 2:
        found.append((record_fails[1], "acceptance", record_fails))
    if not found:
        return None
    on, source, dates = min(found, key=lambda item: item[0])
    shown = "、".join(d.isoformat() for d in dates)
    word = "阶段记录" if source == "stages" else "验收记录"
    return _FailedAgain(on, len(stage_fails) >= 2, f"{len(dates)} 次验收不合格（{word}：{shown}）")


@registry_key("gongshu-failed-unit")
def _failed_unit_key(project: Project, params: Mapping[str, Any]) -> str | None:
    """Projects that failed re-acceptance, by their project unit (the others are nobody's concern here)."""
    return _unit(project) if failed_reacceptance(project) is not None else None


_REVIEW_STAGES = (Stage.DECLARED, Stage.INTAKE)


def _own_use(project: Project, failed: _FailedAgain) -> list[NamedFinding]:
    """项目不得投入使用, where the stage history does not show the second failure (GS-11 checks it when it does)."""
    if failed.stage_based:
        return []
    findings = []
    for index, record in enumerate(project.stages):
        if record.stage is Stage.IN_OPERATION and record.date >= failed.on:
            findings.append(
                NamedFinding(
                    Severity.ERROR,  # 不得
                    f"项目已{failed.what}，重新验收仍不合格；第二十一条：重新验收仍不合格的，项目不得投入使用，"
                    f"却于 {record.date.isoformat()} 记为“运行”",
                    "项目不得投入使用：不要记录“运行”。第二次验收不合格应在 stages 中记为验收不合格（acceptance_failed），此后停留在"
                    "验收不合格或记为停用（out_of_use）；需要继续建设的，应重新申报。",
                    ("stages", index, "stage"),
                )
            )
    return findings


def _later_declaration(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> list[NamedFinding]:
    """A declaration under review by a unit whose earlier project failed re-acceptance."""
    if project.attributes.self_funded or project.stage not in _REVIEW_STAGES:
        return []
    declared_index = next((i for i, r in enumerate(project.stages) if r.stage is Stage.DECLARED), None)
    if declared_index is None:
        return []
    declared = project.stages[declared_index].date
    findings = []
    for entry in context.registry.peers("gongshu-failed-unit", project, params, key=_unit(project)):
        failed = failed_reacceptance(entry.project)
        if failed is None or declared < failed.on:
            continue  # declared before the failure: not a 后续 declaration
        findings.append(
            NamedFinding(
                # 将……从严控制 is the office's duty at review, not the declaring unit's to fix: the
                # reviewers must see it (more than a notice), the merge does not wait (not an error)
                Severity.WARNING,
                f"建设单位（{project.project_unit}）的项目 {describe(entry)}{failed.what}，重新验收仍不合格；"
                f"第二十一条：领导小组办公室将对建设单位申报后续信息化项目从严控制。本项目于 {declared.isoformat()} 申报，"
                "是该单位此后申报的项目",
                f"初审、评审和审批本项目时从严控制：核查建设单位对 {entry.project.id} 验收问题的整改情况、本项目的项目管理力量"
                "（项目责任人、管理制度）和建设方案、投资概算的可行性。本提示供审批机构掌握，不阻止合并。",
                ("project_unit",),
                (entry.project.id,),
            )
        )
    return findings


def gongshu_failed_reacceptance(
    project: Project, params: Mapping[str, Any], context: RuleContext
) -> NamedOutcome:
    """第二十一条：验收不合格，建设单位应在6个月内整改完成并再次提交验收申请。重新验收仍不合格的，项目不得投入使用，领导小组办公室将对
    建设单位申报后续信息化项目从严控制。

    “重新验收仍不合格”指第二次验收不合格：stages 中两次记为验收不合格（acceptance_failed），或 acceptance 中有两条不合格的终验（或一次性
    验收）记录（建设单位自行组织的初验不算），以先得知的那一天为准。本项目：验收记录显示两次不合格、阶段记录却没有记下第二次的，此后记为
    “运行”的报错（阶段记录显示两次不合格的由 GS-11 检查）。同一建设单位（project_unit，全角半角、空格不计）此后申报的项目（申报日期不早于
    第二次验收不合格之日；单位自筹资金项目备案不是申报，不算），在初审和评审期间（当前阶段为申报或受理）给出警告，指明重新验收仍不合格的
    项目，提示审批机构从严控制；条文没有规定从严控制的期限，所以此后的每次申报都提示。"""
    outcome = NamedOutcome()
    failed = failed_reacceptance(project)
    if failed is not None:
        outcome.findings += _own_use(project, failed)
    outcome.findings += _later_declaration(project, params, context)
    return outcome


# --- 附件 建设方案：【必要】部分 --------------------------------------------------------------


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


@dataclass(frozen=True)
class _Required:
    number: str
    title: str
    keywords: tuple[str, ...]
    parts: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.number}、{self.title}"


def _required_sections(params: Mapping[str, Any]) -> list[_Required]:
    sections = params.get("plan_required_sections")
    out = []
    for item in sections if isinstance(sections, list) else []:
        if isinstance(item, Mapping):
            out.append(
                _Required(
                    str(item.get("number", "")),
                    str(item.get("title", "")),
                    tuple(_strings(item.get("keywords"))),
                    tuple(_strings(item.get("parts"))),
                )
            )
    return out


@dataclass
class _Section:
    number: str | None  # the Chinese numeral it carries, if any
    title: str
    line: int
    level: int | None  # Markdown heading level, None for a plain numbered line
    body: list[str]


_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# 一、  十四、  十五.  第三部分  第二章 — the template's top-level numbering; （一） and 1. are sub-items
_NUMBERED = re.compile(r"^第?([一二三四五六七八九十]{1,3})(?:、|\.|:|：|章|部分|\s)\s*(.*)$")
_REQUIRED_MARK = re.compile(r"[【\[(]\s*必要\s*[】\])]")
_NAME_LINE = re.compile(r"^项目名称\s*[:：]\s*(.*)$")


def _clean(text: str) -> str:
    """A line as a reader sees it: width-folded, without Markdown emphasis or the 【必要】 mark."""
    text = unicodedata.normalize("NFKC", text).replace("**", "").replace("__", "")
    text = text.strip().strip("*_`> ").strip()
    return _REQUIRED_MARK.sub("", text).strip()


def _lines(document: str) -> Iterator[tuple[int, int | None, str]]:
    """(line number, Markdown heading level or None, cleaned text) of each non-blank line."""
    fenced = False
    for number, raw in enumerate(document.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not stripped:
            continue
        heading = _MARKDOWN_HEADING.match(stripped)
        if heading:
            yield number, len(heading.group(1)), _clean(heading.group(2))
        else:
            yield number, None, _clean(stripped)


def plan_sections(document: str) -> list[_Section]:
    """The top-level sections of a construction plan in Markdown.

    A section starts at a line numbered as the template numbers its sixteen parts (一、… 十六、, with or
    without a Markdown heading mark, bold, full- or half-width punctuation); when some numbered lines are
    Markdown headings, only headings count. Sub-items such as （七）经济及社会效益 or 1.必要性分析 never start
    a section. A plan with no numbered parts at all is split at its Markdown headings of the shallowest
    level that has more than one heading (the plan's own title stands alone).
    """
    lines = list(_lines(document))
    numbered = [(n, level, m) for n, level, text in lines if (m := _NUMBERED.match(text)) and m.group(2)]
    if any(level is not None for _, level, _ in numbered):
        # numbered Markdown headings mark the parts; a plain line such as “一、提升效率” is then body text
        numbered = [item for item in numbered if item[1] is not None]
    starts: dict[int, _Section] = {}
    if numbered:
        for n, level, match in numbered:
            starts[n] = _Section(match.group(1), match.group(2).strip(), n, level, [])
        levels = {level for _, level, _ in numbered if level is not None}
        for n, level, text in lines:
            # an unnumbered Markdown heading at the level of the numbered ones is a section too
            if n not in starts and level is not None and level in levels and text:
                starts[n] = _Section(None, text, n, level, [])
    else:
        counts: dict[int, int] = {}
        for _, level, _ in lines:
            if level is not None:
                counts[level] = counts.get(level, 0) + 1
        shared = sorted(level for level, count in counts.items() if count > 1)
        if shared:
            for n, level, text in lines:
                if level == shared[0] and text:
                    starts[n] = _Section(None, text, n, level, [])
    sections: list[_Section] = []
    for n, _, text in lines:
        if n in starts:
            sections.append(starts[n])
        elif sections:
            sections[-1].body.append(text)
    return sections


def _plan_findings(
    project: Project, index: int, path: str, document: str, required: list[_Required]
) -> list[NamedFinding]:
    where = ("materials", index, "path")
    sections = plan_sections(document)
    findings: list[NamedFinding] = []
    for spec in required:
        matched = [s for s in sections if any(k in s.title for k in spec.keywords)]
        if not matched:
            findings.append(
                NamedFinding(
                    Severity.ERROR,
                    f"建设方案 {path} 缺少附件模板中标为【必要】的第{spec.number}部分“{spec.label}”",
                    f"按附件《拱墅区政府投资信息化项目建设方案》模板补写“{spec.label}”一节（标题如“## {spec.label}【必要】”），"
                    "写明该部分要求的内容。",
                    where,
                )
            )
            continue
        if not any(s.body for s in matched):
            findings.append(
                NamedFinding(
                    Severity.ERROR,
                    f"建设方案 {path} 的【必要】部分“{matched[0].title}”（第 {matched[0].line} 行）只有标题、没有内容",
                    f"按附件模板第{spec.number}部分的要求补写“{spec.label}”的内容。",
                    where,
                )
            )
            continue
        covered = "\n".join(s.title + "\n" + "\n".join(s.body) for s in matched)
        missing = [part for part in spec.parts if part not in covered]
        if missing:
            findings.append(
                NamedFinding(
                    Severity.ERROR,
                    f"建设方案 {path} 的【必要】部分“{spec.label}”缺少{'、'.join(missing)}的内容",
                    f"按附件模板第{spec.number}部分，分别写明{'、'.join(spec.parts)}（如“（一）现状”“（二）项目建设的必要性”“（三）需求分析”）。",
                    where,
                )
            )
    for _, _, text in _lines(document):
        named = _NAME_LINE.match(text)
        if named is None:
            continue
        written = named.group(1).strip().rstrip("。.")
        if written and _compact(written) != _compact(project.name):
            findings.append(
                NamedFinding(
                    Severity.WARNING,
                    f"建设方案 {path} 封面的项目名称“{written}”与申报的项目名称“{project.name}”不一致",
                    "统一建设方案封面与项目文件 name 中的项目名称。",
                    where,
                )
            )
        break
    return findings


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def gongshu_plan_sections(project: Project, params: Mapping[str, Any], context: RuleContext) -> NamedOutcome:
    """附件《拱墅区政府投资信息化项目建设方案》：以 Markdown 文件提交的建设方案（kind 为 construction_plan、path 以 .md 结尾的材料），
    须含模板中标为【必要】的五个部分——一、项目的基本概述；二、现状、必要性和需求分析；三、项目的建设目标与内容；十四、社会与经济效益分析；
    十五、项目的投资概算。按标题识别：以“一、”“十四、”等模板编号开头的行（可带 Markdown 标题符号、加粗、全角或半角标点，【必要】字样可有可无），
    标题含该部分的关键词即可（编号不同也认）；“（七）经济及社会效益”等分项和正文中的字样不算。缺少的部分、只有标题没有内容的部分、第二部分
    缺少现状、必要性或需求分析的，各报一条错误；封面项目名称与申报名称不一致的，给出警告；文件在仓库中读取不到的，给出警告。"""
    outcome = NamedOutcome()
    required = _required_sections(params)
    for index, material in enumerate(project.materials):
        if material.kind != "construction_plan" or not material.path or not material.path.endswith(".md"):
            continue
        document = context.documents.get(material.path)
        if document is None:
            outcome.findings.append(
                NamedFinding(
                    Severity.WARNING,
                    f"建设方案文件 {material.path} 在仓库中找不到或无法读取，无法核对附件模板的【必要】部分",
                    "核对材料的 path（相对于仓库根目录，如 submissions/gongshu/plans/GS-2026-003.md），并把建设方案文件一并提交。",
                    ("materials", index, "path"),
                )
            )
            continue
        outcome.findings += _plan_findings(project, index, material.path, document, required)
    return outcome


RULES: dict[str, NamedRule] = {
    "gongshu_negative_list": gongshu_negative_list,
    "gongshu_failed_reacceptance": gongshu_failed_reacceptance,
    "gongshu_plan_sections": gongshu_plan_sections,
}
