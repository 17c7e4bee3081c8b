"""Verified statements against what must be decided: who has approved, who is missing, what is stale.

Pure, apart from the signature check the scheme does. A statement counts for a role when its
signature verifies under the reviewer file given (the base's, never the pull request's), its person
holds the role for this project, it is about this file, and its person is not the author of what is
decided. Among the statements of a role on the current blob, the latest decides (so a rejection
after an approval is a rejection).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from govsite.approvals.required import Requirement, Subject
from govsite.approvals.signing import scheme
from govsite.approvals.statement import DECISIONS, Statement, StatementFile
from govsite.findings import RouteEntry
from govsite.reviewers import Reviewers


@dataclass(frozen=True)
class Verified:
    file: StatementFile
    problems: tuple[str, ...] = ()

    @property
    def statement(self) -> Statement | None:
        return self.file.signed.statement if self.file.signed else None

    @property
    def valid(self) -> bool:
        return self.statement is not None and not self.problems


def verify(
    file: StatementFile, reviewers: Reviewers, district: str | None, budget_authority: str | None
) -> Verified:
    """Check one statement's signature and its signer's role under `reviewers`."""
    if file.signed is None:
        return Verified(file, (file.problem or "无法读取",))
    statement, signature = file.signed.statement, file.signed.signature
    problems: list[str] = []
    person = reviewers.person(statement.person)
    chosen = scheme(signature.scheme)
    if person is None:
        problems.append(f"审批人 {statement.person} 不在审核人员名册中")
    if chosen is None:
        problems.append(f"未知的签名方式 {signature.scheme}")
    elif signature.signer == statement.person and person is not None:
        reason = chosen.verify(statement.canonical(), signature.value, statement.person, person.keys)
        if reason:
            problems.append(reason)
    elif signature.signer == "recorder":
        recorder = reviewers.recorder
        via = statement.via
        if recorder is None or not recorder.keys:
            problems.append("名册中没有登记册记录程序的公钥，无法核验转录的审批")
        elif via is None:
            problems.append("记录程序签名的审批必须注明来源（平台审查）")
        else:
            reason = chosen.verify(statement.canonical(), signature.value, "recorder", recorder.keys)
            if reason:
                problems.append(reason)
            elif person is not None and person.forge.get(via.forge, "").lower() != via.login.lower():
                problems.append(f"平台账号 {via.login} 不是 {person.name} 在名册中登记的账号")
    else:
        problems.append(f"签名者 {signature.signer} 与审批人 {statement.person} 不符")
    if person is not None and statement.person not in reviewers.holders(
        district, statement.role, budget_authority
    ):
        problems.append(f"{person.name}（{statement.person}）不担任此角色（{statement.role}）")
    return Verified(file, tuple(problems))


@dataclass(frozen=True)
class RoleStatus:
    requirement: Requirement
    state: str  # approved | rejected | returned | stale | missing | unassigned
    decided: tuple[Verified, ...] = ()  # valid statements of this role on the current blob, oldest first
    stale: tuple[Verified, ...] = ()  # valid statements on an older version
    problems: tuple[str, ...] = ()
    holders: tuple[str, ...] = ()

    @property
    def approved(self) -> bool:
        return self.state == "approved"


STATE_LABELS = {
    "approved": "已同意",
    "rejected": "不同意",
    "returned": "退回补正",
    "stale": "已审批旧版本，需重新审批",
    "missing": "待审批",
    "unassigned": "无人担任此角色",
}


@dataclass(frozen=True)
class DecisionReport:
    subject: Subject
    what: str
    path: str
    blob: str
    roles: tuple[RoleStatus, ...] = ()
    later: tuple[RouteEntry, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return all(r.approved for r in self.roles)


def _self_approval(statement: Statement, reviewers: Reviewers, authors: Iterable[str]) -> bool:
    person = reviewers.person(statement.person)
    if person is None:
        return False
    mine = {e.lower() for e in person.emails} | {login.lower() for login in person.forge.values()}
    return any(a.lower() in mine for a in authors)


def _same_subject(statement: Statement, subject: Subject | None) -> bool:
    if subject is None:
        return True
    spec = statement.subject
    return (spec.kind, spec.source, spec.target, tuple(spec.changes)) == (
        subject.kind,
        subject.source,
        subject.target,
        subject.changes,
    )


def role_statuses(
    requirements: Sequence[Requirement],
    verified: Sequence[Verified],
    path: str,
    blob: str,
    reviewers: Reviewers,
    district: str | None,
    budget_authority: str | None,
    authors: Iterable[str] = (),
    subject: Subject | None = None,
) -> list[RoleStatus]:
    """`subject` is what is decided now: an approval of an older version of the same step is stale;
    one of an earlier step is simply history and is not shown."""
    authors = list(authors)
    statuses = []
    for requirement in requirements:
        mine = [
            v
            for v in verified
            if v.statement is not None and v.statement.path == path and v.statement.role == requirement.role
        ]
        problems = [f"{v.file.source}：{'；'.join(v.problems)}" for v in mine if not v.valid]
        counted = []
        for v in mine:
            if not v.valid or v.statement is None:
                continue
            if _self_approval(v.statement, reviewers, authors):
                problems.append(
                    f"{v.file.source}：{v.statement.person} 是本次申报的提交人，不能审批自己的申报"
                )
                continue
            counted.append(v)
        current = sorted((v for v in counted if v.statement and v.statement.blob == blob), key=_time)
        stale = tuple(
            v
            for v in counted
            if v.statement and v.statement.blob != blob and _same_subject(v.statement, subject)
        )
        holders = tuple(reviewers.holders(district, requirement.role, budget_authority))
        if current:
            last = current[-1].statement
            assert last is not None
            state = {"approve": "approved", "reject": "rejected", "return": "returned"}[last.decision]
        elif stale:
            state = "stale"
        else:
            state = "missing" if holders else "unassigned"
        statuses.append(RoleStatus(requirement, state, tuple(current), stale, tuple(problems), holders))
    return statuses


def _time(v: Verified) -> str:
    return v.statement.time.isoformat() if v.statement else ""


def describe(v: Verified, reviewers: Reviewers) -> str:
    """张三（区数据局）2026-03-05 同意"""
    statement = v.statement
    if statement is None:
        return v.file.source
    person = reviewers.person(statement.person)
    who = person.name if person else statement.person
    return f"{who} {statement.time.date().isoformat()} {DECISIONS[statement.decision]}"
