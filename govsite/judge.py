"""Judge one project file: load → schema → lifecycle → policy. Pure apart from reading nothing.

`judge_validate` looks at a file as it is; `judge_change` compares the base and head versions of a
file in a pull request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from govsite import districts, law
from govsite.approvals.required import Subject
from govsite.findings import Finding, Severity
from govsite.layout import project_layout_findings
from govsite.lifecycle import check_append_only, check_history, check_new_project, check_step
from govsite.model import Project
from govsite.policy.engine import Situation, evaluate
from govsite.policy.named.common import EMPTY_REGISTRY, RegistryView, RuleContext
from govsite.policy.pack import PolicyPack, select_pack
from govsite.result import PolicyRef, ProjectResult
from govsite.validation import is_placeholder, validate_project
from govsite.vocabulary import Stage
from govsite.workdays import DEFAULT_CALENDAR, WorkingCalendar
from govsite.yamlload import MAX_BYTES, LoadedDocument


def declaration_date(project: Project) -> dt.date:
    """The date that decides which regulation applies: the declaration, else the first record."""
    return project.stage_date(Stage.DECLARED) or project.stages[0].date


def _layout(project: Project, path: str) -> list[Finding]:
    found = project_layout_findings(
        project.id, project.district.value, project.district.label, project.budget_year, path
    )
    if districts.broken(project.district):
        return found  # its pack does not load: `broken_pack_finding` says so instead
    if districts.info(project.district) is None:  # the model knows no districts; the packs do
        found.append(
            Finding(
                rule="schema",
                severity=Severity.ERROR,
                message=f"本登记册没有“{project.district}”这个区：所在区应为 {districts.listing()} 之一",
                hint="district 写项目所在区的英文名（即 submissions/ 下的文件夹名）；新的区先在 policies/ 中加入它的政策包。",
                field=("district",),
            )
        )
    return found


def broken_pack_finding(project: Project) -> Finding | None:
    """The district's pack does not load: the project cannot be judged (its own file may be fine)."""
    problems = districts.broken(project.district)
    if not problems:
        return None
    head, *lines = problems[0].splitlines()
    shown = (
        head.rstrip("：")
        + "："
        + "；".join(line.strip() for line in lines[:3])
        + ("……" if len(lines) > 3 else "")
    )
    return Finding(
        rule="policy",
        severity=Severity.ERROR,
        message=f"{project.district.label}的政策包有错误，本项目没有按政策检查：{shown}",
        hint="这是政策包的问题，不是项目文件的问题：请区数据局的规则维护人员运行 govsite policy test 修正政策包；其他区的项目照常检查。",
        field=("district",),
    )


def _pending_changes(project: Project) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(project.changes) if c.approved_by is None and c.ref is None)


def _finish(result: ProjectResult, doc: LoadedDocument, findings: list[Finding]) -> ProjectResult:
    located = [f if f.line is not None else f.located(*doc.locate(f.field)) for f in findings]
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    result.findings = sorted(located, key=lambda f: (f.line or 0, order[f.severity], f.rule))
    return result


def pack_vocabulary_findings(project: Project, packs: Sequence[PolicyPack] | PolicyPack) -> list[Finding]:
    """Material kinds and `local` fields a project may use depend on its regulations' packs (any of
    the regulations that govern one of its acts)."""
    packs = [packs] if isinstance(packs, PolicyPack) else list(packs)
    if not packs:
        return []
    titles = "、".join(p.meta.title for p in packs)
    findings: list[Finding] = []
    for name, value in project.local.items():
        if isinstance(value, str) and is_placeholder(value):
            continue  # a template's "（请填写）": the template finding says so
        spec = next((p.local_fields[name] for p in packs if name in p.local_fields), None)
        gone = next((p.retired_fields[name] for p in packs if name in p.retired_fields), None)
        if spec is None and gone is not None:
            findings.append(
                Finding(
                    rule="schema",
                    severity=Severity.ERROR,
                    message=f"本区字段“local.{name}”已停用，{titles}不再读取它，写在这里的内容不会被检查",
                    hint=gone.retired,
                    field=("local", name),
                )
            )
            continue
        problem = f"{titles}没有定义本区字段“local.{name}”" if spec is None else spec.problem(value)
        if problem:
            findings.append(
                Finding(
                    rule="schema",
                    severity=Severity.ERROR,
                    message=f"“local.{name}”{problem}" if spec else problem,
                    hint=(spec.description if spec else "本区可填写的字段见政策手册；检查拼写或删除该字段。"),
                    field=("local", name),
                )
            )
    for index, material in enumerate(project.materials):
        if not any(p.knows_material(material.kind) for p in packs):
            findings.append(
                Finding(
                    rule="schema",
                    severity=Severity.ERROR,
                    message=f"未知的材料类别“{material.kind}”",
                    hint=f"{titles}认可的材料类别见政策手册；常用的有 construction_plan、contract、acceptance_report。",
                    field=("materials", index, "kind"),
                )
            )
    return findings


def _no_policy(project: Project, packs: Sequence[PolicyPack], day: dt.date, missing: Severity) -> Finding:
    _pack, reason = select_pack(list(packs), project.district, day)
    return Finding(
        rule="policy",
        severity=missing,
        message=f"没有适用的政策：{reason}，本项目未按任何政策检查",
        hint=(
            "新申报按申报当日有效的政策检查：申报日期写实际提交的日期。"
            if missing is Severity.ERROR
            else "核对 stages 中的日期；若所在区已出台新政策，请先把它加入 policies/。"
        ),
        field=("stages", len(project.stages) - 1, "date"),
    )


def _ref(pack: PolicyPack) -> PolicyRef:
    return PolicyRef(pack.id, pack.meta.document_number, pack.meta.title)


def _apply_law(
    result: ProjectResult,
    project: Project,
    packs: Sequence[PolicyPack],
    situation: Situation,
    findings: list[Finding],
    current: dt.date,
    missing: Severity = Severity.WARNING,
    recorded: Project | None = None,
) -> tuple[law.Window | None, list[law.Window]]:
    """Judge each act of `project` by the regulation in force in its district on the act's date.

    `current` is the date of the act being decided (the step a pull request asks for, or the last
    record). Every regulation whose window holds an act of the project evaluates it; each finding and
    clock is kept under the one that governs its act (`law.py`). The route, facts and score are the
    current act's regulation's. Returns that regulation's window (None if none governs the act
    asked for) and every window used.
    """
    found = law.windows(packs, project.district)
    primary = law.governing(found, project, current)
    # what is recorded is dated by the recorded version (a pull request's base), which the head cannot move
    dated = recorded or project
    first = min([law.declared_on(dated), *(r.date for r in dated.stages)])
    latest = max(current, situation.today)
    earlier = [w for w in found if w is not primary and w.end > first and w.start <= latest]
    if primary is None:
        # nothing governs the act asked for (a regulation lapsed, say); earlier acts are judged all the same
        findings.append(_no_policy(project, packs, current, missing))
        if not earlier:
            return None, []
    used = ([primary] if primary is not None else []) + earlier
    result.policy = _ref(primary.pack) if primary is not None else None
    result.policies = [_ref(w.pack) for w in used]
    findings.extend(pack_vocabulary_findings(project, [w.pack for w in used]))
    for window in used:
        evaluation = evaluate(project, window.pack, situation)
        kinds = {r.spec.id: r.spec.kind for r in window.pack.rules}

        def governs(day: dt.date, window: law.Window = window) -> bool:
            return law.governing(found, project, day) is window

        if evaluation.excluded:  # a regulation that does not apply says so, whatever the act
            if window is primary:
                findings.extend(evaluation.findings)
                result.excluded = True
            continue
        findings.extend(
            f
            for f in evaluation.findings
            if governs(law.finding_act(f, kinds.get(f.rule, []), project, current))
        )
        result.deadlines.extend(d for d in evaluation.deadlines if governs(law.deadline_act(d, current)))
        if window is primary:
            result.route = evaluation.route
            result.facts = evaluation.facts
            result.score = evaluation.score
    if primary is not None and law.declared_on(dated) < found[0].start <= latest:
        findings.append(
            Finding(
                rule="policy",
                severity=Severity.INFO,
                message=(
                    f"{found[0].start} 之前的记录按当时的政策办理，govsite 没有该政策，未检查；"
                    f"此后的记录按{found[0].pack.meta.title}（{found[0].pack.meta.document_number}）检查"
                ),
                field=("stages", 0, "date"),
            )
        )
    if result.excluded and primary is not None:
        result.route, result.deadlines, result.facts = [], [], {}
        findings[:] = [f for f in findings if f.policy == primary.pack.id or not f.policy]
    return primary, used


def _history(windows: Sequence[law.Window], project: Project) -> list[Finding]:
    """Each recorded step is a legal step of the regulation in force when it was taken."""
    found = list(windows)
    findings = []
    for window in found:
        for finding in check_history(window.pack.lifecycle, project):
            index = finding.field[1] if len(finding.field) > 1 and isinstance(finding.field[1], int) else 0
            if law.governing(found, project, project.stages[index].date) is window:
                findings.append(replace(finding, policy=window.pack.id))
    return findings


Reader = Callable[[str], bytes | None]


def _no_files(_path: str) -> bytes | None:
    return None


def documents_of(project: Project, read: Reader) -> tuple[dict[str, str], list[Finding]]:
    """The Markdown materials a project carries in the repository (e.g. its construction plan), for
    rules that check their content; and a finding for each material file whose content no longer
    matches the SHA-256 the project records for it. `read` is the edge that fetches a path's bytes."""
    documents: dict[str, str] = {}
    findings: list[Finding] = []
    for index, material in enumerate(project.materials):
        if not material.path:
            continue
        data = read(material.path)
        if data is None:
            continue
        if material.sha256 is not None and hashlib.sha256(data).hexdigest() != material.sha256:
            findings.append(
                Finding(
                    rule="material-digest",
                    severity=Severity.ERROR,
                    message=f"材料文件 {material.path} 的内容与登记的 SHA-256 不符：材料登记后被改动过",
                    hint="材料改动须作为新的材料登记（新文件、新摘要）；如确属更正，同时更新 sha256 并说明原因。",
                    field=("materials", index, "sha256"),
                )
            )
        if material.path.endswith(".md") and len(data) <= MAX_BYTES:
            try:
                documents[material.path] = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return documents, findings


def judge_validate(
    doc: LoadedDocument,
    packs: Sequence[PolicyPack],
    today: dt.date,
    registry: RegistryView = EMPTY_REGISTRY,
    read: Reader = _no_files,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
    validated: tuple[Project | None, list[Finding]] | None = None,
) -> ProjectResult:
    """Judge a file as it is. `validated` is its schema result where the caller already has it."""
    result = ProjectResult(path=doc.path)
    project, findings = validated if validated is not None else validate_project(doc)
    findings = list(findings)
    if project is None:
        return _finish(result, doc, findings)
    result.project_id, result.name, result.project = project.id, project.name, project
    previous = project.stages[-2].stage if len(project.stages) > 1 else None
    result.stage_from, result.stage_to = (previous.value if previous else None), project.stage.value
    findings += _layout(project, doc.path)
    broken = broken_pack_finding(project)
    if broken is not None:
        return _finish(result, doc, [*findings, broken])
    documents, digests = documents_of(project, read)
    findings += digests
    context = RuleContext(registry, documents, today)
    situation = Situation(previous, project.stage, _pending_changes(project), today, context, calendar)
    current = max([project.stages[-1].date, *(c.date for c in project.changes)])
    _primary, used = _apply_law(result, project, packs, situation, findings, current)
    if used and not result.excluded:
        findings += _history(used, project)
    return _finish(result, doc, findings)


def _future_records(base: Project | None, head: Project, today: dt.date) -> list[Finding]:
    """A record says what has happened: a stage reached or a change made after today has not."""
    findings: list[Finding] = []
    first_new = len(base.stages) if base is not None else 0
    for index, record in enumerate(head.stages[first_new:], start=first_new):
        if record.date > today:
            findings.append(
                Finding(
                    rule="transition",
                    severity=Severity.ERROR,
                    message=f"阶段记录的日期 {record.date} 晚于今天（{today}）：只能记录已经发生的阶段",
                    hint="写实际到达该阶段的日期（如批复文件的日期）；阶段到达后再提交合并请求。",
                    field=("stages", index, "date"),
                )
            )
    first_change = len(base.changes) if base is not None else 0
    for index, change in enumerate(head.changes[first_change:], start=first_change):
        if change.date > today:
            findings.append(
                Finding(
                    rule="transition",
                    severity=Severity.ERROR,
                    message=f"变更记录的日期 {change.date} 晚于今天（{today}）",
                    hint="写提出变更的实际日期。",
                    field=("changes", index, "date"),
                )
            )
    return findings


def subject_of(base: Project | None, head: Project) -> Subject:
    """What a pull request asks for one project: a declaration, a stage step, changes, or an edit."""
    if base is None:
        return Subject("declaration", None, head.stage.value, tuple(range(len(head.changes))))
    new_changes = tuple(range(len(base.changes), len(head.changes)))
    if len(head.stages) > len(base.stages):
        return Subject("transition", base.stage.value, head.stage.value, new_changes)
    if new_changes:
        return Subject("change", base.stage.value, head.stage.value, new_changes)
    return Subject("update", base.stage.value, head.stage.value)


def _removed_documents(project: Project, removed: Collection[str]) -> list[Finding]:
    return [
        Finding(
            rule="document",
            severity=Severity.ERROR,
            message=f"本项目引用的材料文件 {material.path} 在本合并请求中被删除",
            hint="材料须随项目永久保留：恢复该文件；材料确需更换的，登记新材料并保留原文件。",
            field=("materials", index, "path"),
        )
        for index, material in enumerate(project.materials)
        if material.path in removed
    ]


def judge_change(
    head_doc: LoadedDocument,
    base_project: Project | None,
    packs: Sequence[PolicyPack],
    today: dt.date,
    registry: RegistryView = EMPTY_REGISTRY,
    read: Reader = _no_files,
    removed: Collection[str] = (),
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> ProjectResult:
    """Judge the head version of a file against its base version (None for a new file).

    The history is compared base → head first, with no regulation involved, so that nothing the
    head says (a back-dated declaration, say) can turn the comparison off. Each act is then judged
    by the regulation in force on its date; what the pull request asks is dated by its new record.
    """
    result = ProjectResult(path=head_doc.path)
    project, findings = validate_project(head_doc)
    if project is None:
        return _finish(result, head_doc, findings)
    result.project_id, result.name, result.project = project.id, project.name, project
    result.subject = subject_of(base_project, project)
    source = base_project.stage if base_project else None
    result.stage_from, result.stage_to = (source.value if source else None), project.stage.value
    findings += _layout(project, head_doc.path)
    broken = broken_pack_finding(project)
    if broken is not None:
        return _finish(result, head_doc, [*findings, broken])
    findings += _future_records(base_project, project, today)
    if base_project is not None:
        findings += check_append_only(base_project, project)
        new_changes = tuple(range(len(base_project.changes), len(project.changes)))
    else:
        new_changes = tuple(range(len(project.changes)))
    documents, digests = documents_of(project, read)
    findings += digests + _removed_documents(project, removed)
    context = RuleContext(registry, documents, today)
    situation = Situation(source, project.stage, new_changes, today, context, calendar)
    current = _act_date(base_project, project, new_changes, today)
    # A new declaration must fall under a regulation; an existing project keeps the warning
    # (it was registered before any regulation govsite knows), its history checked all the same.
    missing = Severity.ERROR if base_project is None else Severity.WARNING
    primary, _used = _apply_law(result, project, packs, situation, findings, current, missing, base_project)
    if primary is not None and not result.excluded:
        lifecycle = primary.pack.lifecycle  # the regulation in force for the step asked for
        if base_project is None:
            findings += check_new_project(lifecycle, project)
        else:
            findings += check_step(lifecycle, base_project, project)
    return _finish(result, head_doc, findings)


def _act_date(base: Project | None, head: Project, new_changes: tuple[int, ...], today: dt.date) -> dt.date:
    """The date of what a pull request asks for: its new stage record, else its newest change,
    else (an edit) today."""
    if base is None or len(head.stages) > len(base.stages):
        return head.stages[-1].date
    if new_changes:
        return max(head.changes[i].date for i in new_changes)
    return today


def internal_error(path: str, exc: BaseException) -> ProjectResult:
    """A defect in govsite met while judging one file: that file's finding, never the end of the run."""
    return ProjectResult(
        path=path,
        findings=[
            Finding(
                rule="internal-error",
                severity=Severity.ERROR,
                message=f"govsite 检查本文件时出现内部错误（{type(exc).__name__}: {str(exc)[:200]}）",
                hint="这是 govsite 的缺陷，不一定是文件的问题：请把本文件和这条信息报告给维护人员。其他文件照常检查。",
                line=1,
                column=1,
            )
        ],
    )
