"""`govsite approve`: a reviewer signs their decision on what the current branch asks for.

Run in a checkout of the pull request's branch. The same check the forge runs works out what is
asked for the project (or protected file) and which roles must decide; the statement records the
exact blob that would be merged, the policy pack's version on the base, the rules and articles,
and is signed with the reviewer's SSH key. It is written under approvals/ (commit and push it to the
pull request) or printed as a block to paste into a forge review.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from govsite.approvals.gather import NULL_BLOB, now, policy_spec
from govsite.approvals.signing import scheme
from govsite.approvals.statement import (
    BasisSpec,
    SignatureSpec,
    SignedStatement,
    Statement,
    SubjectSpec,
    statement_path,
)
from govsite.errors import GovsiteError
from govsite.gitio import open_repo, read_blob, resolve
from govsite.policy.pack import PolicyPack
from govsite.pullrequest import check_pull_request, load_base_packs
from govsite.reviewers import Person, Reviewers


@dataclass(frozen=True)
class Approval:
    signed: SignedStatement
    path: str  # where it was (or would be) written


def _person(reviewers: Reviewers, person_id: str | None, root: Path) -> Person:
    if person_id:
        person = reviewers.person(person_id)
        if person is None:
            raise GovsiteError(
                f"审核人员名册中没有 {person_id}", "用 --as 写你在 reviewers.yaml 中的人员编号。"
            )
        return person
    email = subprocess.run(
        ["git", "config", "user.email"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    matches = [p for p in reviewers.people if email and email.lower() in (e.lower() for e in p.emails)]
    if len(matches) != 1:
        raise GovsiteError(
            f"无法从 git 的 user.email（{email or '未设置'}）认出你是名册中的哪一位",
            "用 --as 写你在 reviewers.yaml 中的人员编号。",
        )
    return matches[0]


def approve(
    root: Path,
    target: str,
    role: str,
    key: Path,
    *,
    base: str,
    today: dt.date,
    person_id: str | None = None,
    decision: str = "approve",
    opinion: str | None = None,
    ref: str | None = None,
    when: dt.datetime | None = None,
) -> Approval:
    repo = open_repo(root)
    run = check_pull_request(root, base, "HEAD", today)
    found = [r for r in run.projects if r.decision is not None and target in (r.project_id, r.path)]
    if not found:
        asked = "、".join(r.project_id or r.path for r in run.projects if r.decision is not None) or "无"
        raise GovsiteError(
            f"本分支（相对 {base}）没有需要审批的 {target}",
            f"在合并请求的分支上运行；本分支需要审批的有：{asked}。",
        )
    result = found[0]
    assert result.decision is not None
    status = next((s for s in result.decision.roles if s.requirement.role == role), None)
    if status is None:
        roles = "、".join(f"{s.requirement.role}（{s.requirement.role_name}）" for s in result.decision.roles)
        raise GovsiteError(f"{target} 这一步不需要 {role} 审批", f"需要审批的角色：{roles}。")
    working = root / result.path
    committed = read_blob(repo, "HEAD", result.path)
    on_disk = working.read_bytes() if working.is_file() else None
    if committed != on_disk:
        raise GovsiteError(
            f"{result.path} 有未提交的改动", "只能审批已经提交的内容：先提交（或放弃）改动，再审批。"
        )
    packs, reviewers = load_base_packs(repo, resolve(repo, base))
    person = _person(reviewers, person_id, root)
    pack: PolicyPack | None = next((p for p in packs if result.policy and p.id == result.policy.id), None)
    subject = result.decision.subject
    statement = Statement(
        project=result.project_id,
        path=result.path,
        blob=result.decision.blob or NULL_BLOB,
        subject=SubjectSpec(
            kind=subject.kind, source=subject.source, target=subject.target, changes=list(subject.changes)
        ),
        policy=policy_spec(repo, resolve(repo, base), pack) if pack is not None else None,
        basis=[BasisSpec(rule=b.rule, article=b.article) for b in status.requirement.basis],
        role=role,
        person=person.id,
        time=when or now(),
        decision=decision,
        opinion=opinion,
        ref=ref,
    )
    ssh = scheme("ssh")
    assert ssh is not None
    signature = ssh.sign(statement.canonical(), key)
    signed = SignedStatement(
        statement=statement, signature=SignatureSpec(scheme="ssh", value=signature, signer=person.id)
    )
    district = result.project.district.value if result.project else None
    return Approval(signed, statement_path(statement, district))


def review_block(approval: Approval) -> str:
    """The text to paste into a forge review (the first line says what it is to a reader)."""
    statement = approval.signed.statement
    return (
        f"govsite 审批记录：{statement.project or statement.path} {statement.role} {statement.decision}\n\n"
        f"```govsite-approval\n{approval.signed.to_json().rstrip()}\n```\n"
    )
