"""The check's approvals edge: statements from the tree and from forge reviews, attached to each result.

`attach_decisions` runs after the pull request's files are judged: for each project (and each
protected path) it works out what must be decided (`required.py`), gathers the statements about that
file — files under approvals/ in the merged tree, signed statements pasted into reviews, and reviews
with the fixed phrase — verifies them under the base's reviewer file (`status.py`) and attaches the
result. With `require` (the required status check), every role still missing is an error.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import git

from govsite.approvals.required import Basis, Requirement, Subject, required_decisions
from govsite.approvals.statement import (
    APPROVALS,
    ForgeReview,
    PolicySpec,
    SignatureSpec,
    SignedStatement,
    Statement,
    StatementFile,
    SubjectSpec,
    parse_statement,
)
from govsite.approvals.status import STATE_LABELS, DecisionReport, Verified, role_statuses, verify
from govsite.findings import Finding, Severity
from govsite.forge import github
from govsite.gitio import blob_ids, list_tree, read_blob
from govsite.policy.pack import PolicyPack
from govsite.result import ProjectResult, RunResult
from govsite.reviewers import MAINTAINERS, Reviewers
from govsite.vocabulary import label

NULL_BLOB = "0" * 40  # what a deletion approves


@dataclass(frozen=True)
class ForgeInput:
    """What the workflow fetched from the forge's API, as parsed JSON (lists of objects)."""

    reviews: Sequence[Mapping[str, Any]] = ()
    comments: Sequence[Mapping[str, Any]] = ()
    author: str | None = None  # the pull request's author (forge login)


@dataclass
class Context:
    repo: git.Repo
    base: str
    merged: str
    head: str
    packs: Sequence[PolicyPack]
    reviewers: Reviewers
    forge: ForgeInput = field(default_factory=ForgeInput)


def what(subject: Subject, summaries: Sequence[str] = ()) -> str:
    """In words: 申报（新项目）, 受理 → 入库, 变更：…, 修改项目文件 …"""
    if subject.kind == "declaration":
        return f"新项目：{label(subject.target)}"
    if subject.kind == "transition":
        tail = f"（同时有 {len(subject.changes)} 项变更）" if subject.changes else ""
        return f"{label(subject.source)} → {label(subject.target)}{tail}"
    if subject.kind == "change":
        return "变更：" + "；".join(summaries) if summaries else "变更"
    if subject.kind == "protected":
        return "修改受保护的文件"
    return "修改项目文件（不是阶段推进或变更）"


def tree_statements(repo: git.Repo, treeish: str) -> dict[str, list[StatementFile]]:
    """Every statement file under approvals/ at `treeish`, by the path of the file it decides on."""
    by_path: dict[str, list[StatementFile]] = defaultdict(list)
    for file in list_tree(repo, treeish, APPROVALS + "/"):
        raw = read_blob(repo, treeish, file.entry.path) or b""
        parsed = parse_statement(raw, file.entry.path)
        key = parsed.signed.statement.path if parsed.signed else ""
        by_path[key].append(parsed)
    return by_path


def _blob_at(repo: git.Repo, commit: str, path: str) -> str | None:
    try:
        return str(repo.git.rev_parse(f"{commit}:{path}"))
    except git.GitCommandError:
        return None


def phrase_statements(context: Context, results: Sequence[ProjectResult]) -> list[StatementFile]:
    """Reviews with the fixed phrase, as statements GitHub vouches for (signature scheme `forge`)."""
    projects = {r.project_id: r for r in results if r.project_id and r.project is not None}
    found = []
    for review in github.phrase_reviews(context.forge.reviews):
        target = (
            projects.get(review.project)
            if review.project
            else (next(iter(projects.values())) if len(projects) == 1 else None)
        )
        source = review.url or f"github:review/{review.review_id}"
        if target is None:
            found.append(
                StatementFile(
                    source, None, "审查意见没有写明项目编号（本合并请求涉及多个项目）或项目不在本合并请求中"
                )
            )
            continue
        person = context.reviewers.by_forge_login(github.FORGE, review.login)
        blob = _blob_at(context.repo, review.commit, target.path) if review.commit else None
        if person is None or blob is None:
            reason = (
                f"GitHub 用户 {review.login} 不在审核人员名册中"
                if person is None
                else "找不到审查时的文件版本"
            )
            found.append(StatementFile(source, None, reason))
            continue
        subject = target.subject or Subject("update")
        statement = Statement(
            project=target.project_id,
            path=target.path,
            blob=blob,
            subject=SubjectSpec(
                kind=subject.kind, source=subject.source, target=subject.target, changes=list(subject.changes)
            ),
            role=review.role,
            person=person.id,
            time=review.time,
            decision=review.decision,
            opinion=review.opinion,
            ref=review.ref,
            via=ForgeReview(
                forge=github.FORGE,
                login=review.login,
                review=review.review_id,
                url=review.url,
                commit=review.commit,
            ),
        )
        found.append(
            StatementFile(
                source,
                SignedStatement(
                    statement=statement, signature=SignatureSpec(scheme="forge", value="", signer="forge")
                ),
            )
        )
    return found


def _verify(
    file: StatementFile, context: Context, district: str | None, budget_authority: str | None
) -> Verified:
    if file.signed is not None and file.signed.signature.scheme == "forge":
        # vouched for by the forge's API, which the base's workflow asked; recorded with a signature at merge
        statement = file.signed.statement
        problems = []
        if statement.person not in context.reviewers.holders(district, statement.role, budget_authority):
            person = context.reviewers.person(statement.person)
            problems.append(
                f"{person.name if person else statement.person}（{statement.person}）不担任此角色（{statement.role}）"
            )
        return Verified(file, tuple(problems))
    return verify(file, context.reviewers, district, budget_authority)


def policy_spec(repo: git.Repo, base: str, pack: PolicyPack) -> PolicySpec:
    """The pack and its version: the git tree id of its folder on the base."""
    try:
        tree = str(repo.git.rev_parse(f"{base}:policies/{pack.id}"))
    except git.GitCommandError:
        tree = NULL_BLOB
    return PolicySpec(id=pack.id, tree=tree)


def attach_decisions(run: RunResult, context: Context, require: bool) -> None:
    blobs = blob_ids(context.repo, context.merged, [r.path for r in run.projects if r.path.isprintable()])
    in_tree = tree_statements(context.repo, context.merged)
    pasted = github.signed_statements([*context.forge.reviews, *context.forge.comments])
    from_forge = pasted + phrase_statements(context, run.projects)
    by_pack = {p.id: p for p in context.packs}
    for result in run.projects:
        if result.project is not None and result.subject is not None:
            project = result.project
            pack = by_pack.get(result.policy.id) if result.policy else None
            requirements, later = required_decisions(
                result.subject,
                result.route,
                result.deadlines,
                pack,
                project.type.value,
                project.budget_authority,
            )
            summaries = [
                project.changes[i].summary for i in result.subject.changes if i < len(project.changes)
            ]
            district, authority = project.district.value, project.budget_authority
            subject, description = result.subject, what(result.subject, summaries)
        elif any(f.rule == "protected-path" for f in result.findings):
            reason = result.route[0].reason if result.route else "修改受保护的文件"
            requirements = [
                Requirement(
                    MAINTAINERS,
                    result.route[0].role_name if result.route else "维护人员",
                    (Basis("protected-path", "", reason),),
                )
            ]
            later, district, authority = [], None, None
            subject, description = Subject("protected"), what(Subject("protected"))
        else:
            continue
        blob = blobs.get(result.path, NULL_BLOB)
        candidates = [
            *in_tree.get(result.path, []),
            *(f for f in from_forge if f.signed and f.signed.statement.path == result.path),
        ]
        verified = [_verify(f, context, district, authority) for f in candidates]
        authors = _authors(context, result.path)
        statuses = role_statuses(
            requirements,
            verified,
            result.path,
            blob,
            context.reviewers,
            district,
            authority,
            authors,
            subject,
        )
        result.decision = DecisionReport(
            subject, description, result.path, blob, tuple(statuses), tuple(later)
        )
        if require:
            result.findings.extend(_missing(result.decision))
        elif district is not None and district in context.reviewers.roles:
            # a registry that has not set up approvals for a district is not told about every role
            result.findings.extend(_unassigned(result.decision))
    run.notes.extend(_unmatched(from_forge))


def _authors(context: Context, path: str) -> set[str]:
    """Who wrote what is decided: the authors of the pull request's commits that change `path`
    (not of those that only add approvals), and the pull request's forge author."""
    try:
        emails = context.repo.git.log("--format=%ae", f"{context.base}..{context.head}", "--", path).split()
    except git.GitCommandError:
        emails = []
    return set(emails) | ({context.forge.author} if context.forge.author else set())


def _missing(report: DecisionReport) -> list[Finding]:
    findings = []
    for status in report.roles:
        if status.approved:
            continue
        cited = "、".join(b.cited for b in status.requirement.basis)
        due = f"，应于 {status.requirement.due} 前决定" if status.requirement.due else ""
        findings.append(
            Finding(
                rule="approval",
                severity=Severity.ERROR,
                message=f"{status.requirement.role_name}：{STATE_LABELS[status.state]}（依据 {cited}{due}）",
                hint=(
                    "由担任该角色的人员运行 govsite approve 或在审查中写“govsite 同意 角色”；审批的是当前版本，文件再改动须重新审批。"
                    if status.state != "unassigned"
                    else "在 reviewers.yaml 中为该角色登记人员（须经维护人员审核合并）。"
                ),
                line=1,
                column=1,
            )
        )
    return findings


def _unassigned(report: DecisionReport) -> list[Finding]:
    return [
        Finding(
            rule="approval",
            severity=Severity.WARNING,
            message=f"{s.requirement.role_name}：reviewers.yaml 中没有人担任此角色，本项目无法完成审批",
            hint="在 reviewers.yaml 中为该角色登记人员（须经维护人员审核合并）。",
            line=1,
            column=1,
        )
        for s in report.roles
        if s.state == "unassigned"
    ]


def _unmatched(found: Sequence[StatementFile]) -> list[str]:
    return [f"审查意见未计入（{f.source}）：{f.problem}" for f in found if f.signed is None and f.problem]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()
