"""Judge one project file: load → schema → lifecycle → policy. Pure apart from reading nothing.

`judge_validate` looks at a file as it is; `judge_change` compares the base and head versions of a
file in a pull request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from govsite.findings import Finding, Severity
from govsite.lifecycle import check_history, check_transition
from govsite.model import Project
from govsite.policy.engine import Situation, evaluate
from govsite.policy.named.common import EMPTY_REGISTRY, RegistryView, RuleContext
from govsite.policy.pack import PolicyPack, select_pack
from govsite.result import PolicyRef, ProjectResult
from govsite.validation import validate_project
from govsite.vocabulary import Stage
from govsite.yamlload import LoadedDocument


def declaration_date(project: Project) -> dt.date:
    """The date that decides which regulation applies: the declaration, else the first record."""
    return project.stage_date(Stage.DECLARED) or project.stages[0].date


ID_PREFIX = {"minhang": "MH", "qingpu": "QP", "yangpu": "YP", "gongshu": "GS", "longgang": "LG"}


def _layout(project: Project, path: str) -> list[Finding]:
    """File name = id, folder = district, id prefix = district: together they make ids unique
    without reading the whole registry."""
    parts = PurePosixPath(path).parts
    findings: list[Finding] = []
    if "submissions" not in parts:
        return findings  # a draft outside the registry is judged on content only
    prefix = ID_PREFIX[project.district.value]
    if not project.id.startswith(prefix + "-"):
        findings.append(
            Finding(
                rule="layout",
                severity=Severity.ERROR,
                message=f"{project.district.label}的项目编号应以 {prefix}- 开头",
                hint=f"例如 {prefix}-{project.budget_year}-001。",
                field=("id",),
            )
        )
    if PurePosixPath(path).stem != project.id:
        findings.append(
            Finding(
                rule="layout",
                severity=Severity.ERROR,
                message=f"文件名应为项目编号：{project.id}.yaml",
                hint=f"把文件改名为 {project.id}.yaml（用 git mv 保留历史）。",
                field=("id",),
            )
        )
    if len(parts) >= 2 and parts[-2] != project.district.value:
        findings.append(
            Finding(
                rule="layout",
                severity=Severity.ERROR,
                message=f"{project.district.label}的项目应放在 submissions/{project.district.value}/ 下",
                hint=f"把文件移到 submissions/{project.district.value}/。",
                field=("district",),
            )
        )
    return findings


def _pending_changes(project: Project) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(project.changes) if c.approved_by is None and c.ref is None)


def _finish(result: ProjectResult, doc: LoadedDocument, findings: list[Finding]) -> ProjectResult:
    located = [f if f.line is not None else f.located(*doc.locate(f.field)) for f in findings]
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    result.findings = sorted(located, key=lambda f: (f.line or 0, order[f.severity], f.rule))
    return result


def pack_vocabulary_findings(project: Project, pack: PolicyPack) -> list[Finding]:
    """Material kinds and `local` fields a project may use depend on its regulation's pack."""
    findings: list[Finding] = []
    for name, value in project.local.items():
        spec = pack.local_fields.get(name)
        problem = f"{pack.meta.title}没有定义本区字段“local.{name}”" if spec is None else spec.problem(value)
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
        if not pack.knows_material(material.kind):
            findings.append(
                Finding(
                    rule="schema",
                    severity=Severity.ERROR,
                    message=f"未知的材料类别“{material.kind}”",
                    hint=f"{pack.meta.title}认可的材料类别见政策手册；常用的有 construction_plan、contract、acceptance_report。",
                    field=("materials", index, "kind"),
                )
            )
    return findings


def _apply_policy(
    result: ProjectResult,
    project: Project,
    packs: Sequence[PolicyPack],
    situation: Situation,
    findings: list[Finding],
) -> PolicyPack | None:
    day = declaration_date(project)
    pack, reason = select_pack(list(packs), project.district, day)
    if pack is None:
        findings.append(
            Finding(
                rule="policy",
                severity=Severity.WARNING,
                message=f"没有适用的政策：{reason}，本项目未按任何政策检查",
                hint="核对 stages 中的申报日期；若所在区已出台新政策，请先把它加入 policies/。",
                field=("stages", 0, "date"),
            )
        )
        return None
    result.policy = PolicyRef(pack.id, pack.meta.document_number, pack.meta.title)
    findings.extend(pack_vocabulary_findings(project, pack))
    evaluation = evaluate(project, pack, situation)
    findings.extend(evaluation.findings)
    result.route = evaluation.route
    result.deadlines = evaluation.deadlines
    result.facts = evaluation.facts
    result.score = evaluation.score
    return pack


def documents_of(project: Project, read: Callable[[str], str | None]) -> dict[str, str]:
    """The Markdown materials a project carries in the repository (e.g. its construction plan),
    for rules that check their content; `read` is the edge that fetches a path's text."""
    documents: dict[str, str] = {}
    for material in project.materials:
        if material.path and material.path.endswith(".md"):
            text = read(material.path)
            if text is not None:
                documents[material.path] = text
    return documents


def judge_validate(
    doc: LoadedDocument,
    packs: Sequence[PolicyPack],
    today: dt.date,
    registry: RegistryView = EMPTY_REGISTRY,
    read: Callable[[str], str | None] = lambda _: None,
) -> ProjectResult:
    result = ProjectResult(path=doc.path)
    project, findings = validate_project(doc)
    if project is None:
        return _finish(result, doc, findings)
    result.project_id, result.name, result.project = project.id, project.name, project
    previous = project.stages[-2].stage if len(project.stages) > 1 else None
    result.stage_from, result.stage_to = (previous.value if previous else None), project.stage.value
    findings += _layout(project, doc.path)
    context = RuleContext(registry, documents_of(project, read), today)
    situation = Situation(previous, project.stage, _pending_changes(project), today, context)
    pack = _apply_policy(result, project, packs, situation, findings)
    if pack is not None:
        findings += check_history(pack.lifecycle, project)
    return _finish(result, doc, findings)


def _changes_rewritten(base: Project, head: Project) -> list[Finding]:
    recorded = len(base.changes)
    if tuple(head.changes[:recorded]) == tuple(base.changes):
        return []
    return [
        Finding(
            rule="transition",
            severity=Severity.ERROR,
            message="已记录的变更不能修改或删除",
            hint="在 changes 末尾追加新的变更记录；更正请联系区数据局。",
            field=("changes",),
        )
    ]


def judge_change(
    head_doc: LoadedDocument,
    base_project: Project | None,
    packs: Sequence[PolicyPack],
    today: dt.date,
    registry: RegistryView = EMPTY_REGISTRY,
    read: Callable[[str], str | None] = lambda _: None,
) -> ProjectResult:
    """Judge the head version of a file against its base version (None for a new file)."""
    result = ProjectResult(path=head_doc.path)
    project, findings = validate_project(head_doc)
    if project is None:
        return _finish(result, head_doc, findings)
    result.project_id, result.name, result.project = project.id, project.name, project
    source = base_project.stage if base_project else None
    result.stage_from, result.stage_to = (source.value if source else None), project.stage.value
    findings += _layout(project, head_doc.path)
    if base_project is not None:
        findings += _changes_rewritten(base_project, project)
        new_changes = tuple(range(len(base_project.changes), len(project.changes)))
    else:
        new_changes = tuple(range(len(project.changes)))
    context = RuleContext(registry, documents_of(project, read), today)
    situation = Situation(source, project.stage, new_changes, today, context)
    pack = _apply_policy(result, project, packs, situation, findings)
    if pack is not None:
        findings += check_transition(pack.lifecycle, base_project, project)
    return _finish(result, head_doc, findings)
