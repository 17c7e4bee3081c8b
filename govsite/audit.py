"""`govsite audit`: prove from a clone that every merged step was approved by the bodies the law names.

One pass over the main branch's first-parent history (`history.py`). For every commit that changed a
project file (or the policies or the reviewer file), the change is judged again under the policies
and reviewer file *of that commit's first parent* — what was in force when it was merged — to find
who had to decide; then each of those roles needs a statement under approvals/ (as the branch tip
holds them; they are append-only) that:

- verifies under the allowed signers of that time (the reviewer file at the parent),
- is by a person who held the role then,
- approves exactly the merged blob,
- was made no later than the merge,
- is the role's last word on that blob (a rejection after an approval is a rejection),
- is not by the author of what was merged.

Commits before the registry's declared start (`govsite.toml` `[audit] from`) are reported as
recorded before the registry kept approvals, never as approved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import git

from govsite.approvals.gather import tree_statements, what
from govsite.approvals.required import Basis, Requirement, Subject, required_decisions
from govsite.approvals.statement import StatementFile
from govsite.approvals.status import STATE_LABELS, RoleStatus, Verified, role_statuses, verify
from govsite.cache import NO_CACHE, Cache, code_version
from govsite.config import CONFIG_FILE, PYPROJECT, parse_config, pick_config
from govsite.errors import GovsiteError
from govsite.findings import Finding, Severity
from govsite.gitio import read_blob, resolve
from govsite.history import NULL, FileChange, Merge, authors_of, first_parent_history
from govsite.judge import judge_change, subject_of
from govsite.layout import is_hidden, is_project_path
from govsite.model import Project
from govsite.policy.pack import PolicyPack
from govsite.pullrequest import load_base_packs
from govsite.reviewers import MAINTAINERS, REVIEWERS_FILE, Reviewers
from govsite.validation import validate_project
from govsite.yamlload import load_bytes

AUDITED = ["submissions/", "policies/", REVIEWERS_FILE]


@dataclass(frozen=True)
class AuditEvent:
    commit: str
    time: dt.datetime
    path: str
    project_id: str | None
    name: str | None
    what: str
    subject: Subject | None
    policy: str | None
    roles: tuple[RoleStatus, ...] = ()
    findings: tuple[Finding, ...] = ()
    before_audit: bool = False
    # what the merge did to the file (declared it, moved it a stage, added changes …), for every
    # event that read as a project, judged or not: when each record was first published
    step: Subject | None = None
    total: float | None = None  # the project's total investment (万元) after the merge: its baseline

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


@dataclass
class AuditResult:
    branch: str
    head: str
    since: str | None
    events: list[AuditEvent] = field(default_factory=list)
    reviewers: Reviewers = field(default_factory=Reviewers)  # the tip's, to name people in reports

    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.events)


class _Base:
    """Policies and reviewer file at each first parent, loaded once per distinct version."""

    def __init__(self, repo: git.Repo, cache: Cache = NO_CACHE) -> None:
        self.repo = repo
        self.cache = cache  # packs by content: a new tip re-audits the history, not re-parses the packs
        self._by_version: dict[tuple[str, str, str], tuple[list[PolicyPack], Reviewers]] = {}
        self.unreadable: dict[tuple[str, str, str], str] = {}  # version → why this govsite cannot load it

    def at(self, commit: str) -> tuple[list[PolicyPack], Reviewers]:
        version = self.version(commit)
        if version not in self._by_version:
            try:
                loaded = load_base_packs(self.repo, commit, self.cache, isolate=False)
            except GovsiteError as exc:
                # packs written for another govsite (a named rule since moved into CEL, say): what was
                # decided under them cannot be re-judged by this version; the audit says so, per step
                where = re.sub(r"/\S*?/(?=policies/)", "", exc.message)  # the export's temporary folder
                lines = [line.strip() for line in where.splitlines() if line.strip()]
                self.unreadable[version] = "；".join(lines).replace("：；", "：")
                loaded = ([], Reviewers())
            self._by_version[version] = loaded
        return self._by_version[version]

    def version(self, commit: str) -> tuple[str, str, str]:
        # the registry's own packs, its reviewer file and its configuration (which districts it serves)
        return (
            _rev(self.repo, f"{commit}:policies"),
            _rev(self.repo, f"{commit}:{REVIEWERS_FILE}"),
            _rev(self.repo, f"{commit}:{CONFIG_FILE}") + _rev(self.repo, f"{commit}:{PYPROJECT}"),
        )

    def why_unreadable(self, commit: str) -> str | None:
        self.at(commit)
        return self.unreadable.get(self.version(commit))


def _rev(repo: git.Repo, name: str) -> str:
    """The object id `name` (e.g. `<commit>:policies`) names, or "" (one long-lived cat-file process)."""
    try:
        sha, _kind, _size = repo.git.get_object_header(name)
    except (ValueError, git.GitCommandError):
        return ""
    return sha.decode() if isinstance(sha, bytes) else str(sha)


def _audit_start(repo: git.Repo, tip: str) -> tuple[str | None, set[str]]:
    """The declared first audited commit and every commit before it."""
    own, pyproject = (read_blob(repo, tip, name) for name in (CONFIG_FILE, PYPROJECT))
    picked = pick_config(
        own.decode("utf-8") if own is not None else None,
        pyproject.decode("utf-8", "replace") if pyproject is not None else None,
        "",
    )
    since = parse_config(*picked, site=False).audit_from if picked else None
    if since is None:
        return None, set()
    start = resolve(repo, since)
    before = set(repo.git.rev_list(f"{start}^@").split()) if _rev(repo, f"{start}^") else set()
    return start, before


def audit(repo: git.Repo, branch: str = "HEAD", cache: Cache = NO_CACHE) -> AuditResult:
    """The approval record of `branch`'s first-parent history. A history is immutable: the result
    is cached by the tip's commit id (and govsite's code)."""
    tip = resolve(repo, branch)
    key = hashlib.sha256(f"audit\0{code_version()}\0{branch}\0{tip}".encode()).hexdigest()
    cached = cache.get("audit", key)
    if isinstance(cached, AuditResult):
        return cached
    result = _audit(repo, branch, tip, cache)
    cache.put("audit", key, result)
    return result


def _statements_digest(statements: Sequence[StatementFile]) -> str:
    digest = hashlib.sha256()
    for s in statements:
        signed = s.signed.model_dump_json() if s.signed is not None else ""
        digest.update(f"{s.source}\0{signed}\0{s.problem or ''}\0".encode())
    return digest.hexdigest()


def _audit(repo: git.Repo, branch: str, tip: str, cache: Cache = NO_CACHE) -> AuditResult:
    since, before = _audit_start(repo, tip)
    statements = tree_statements(repo, tip)
    bases = _Base(repo, cache)
    _packs, tip_reviewers = bases.at(tip)
    if bases.why_unreadable(tip):
        raise GovsiteError(
            f"当前分支的政策包无法读取：{bases.why_unreadable(tip)}",
            "修正政策包后再运行；可用 govsite policy test 检查。",
        )
    result = AuditResult(branch, tip, since, reviewers=tip_reviewers)

    def event_of(merge: Merge, change: FileChange) -> AuditEvent:
        if merge.commit in before or merge.parent is None:
            # before the audit starts, or the registry's first commit (it sets the registry up; nothing
            # was decided there): recorded, not judged
            return _before(merge, change, repo, cache)
        packs, reviewers = bases.at(merge.parent)
        unreadable = bases.why_unreadable(merge.parent)
        if unreadable is not None:
            return _unjudgeable(merge, change, repo, unreadable, cache)
        return _event(repo, merge, change, packs, reviewers, statements.get(change.path, []))

    for merge in first_parent_history(repo, tip, AUDITED):
        for change in merge.changes:
            relevant = (
                (is_project_path(change.path) and not is_hidden(change.path))
                or change.path.startswith("policies/")
                or change.path == REVIEWERS_FILE
            )
            if not relevant:
                continue
            # A merge is immutable, and what judging it reads is fixed by it (the packs and reviewers of
            # its parent, the blobs it changed), except the statements about its file, which later
            # commits may add: an event is cached under all of these, so a new tip judges only new
            # merges and files whose statements changed, not the whole history again.
            key = hashlib.sha256(
                f"audit-event\0{code_version()}\0{merge.commit}\0{merge.commit in before}\0{change.path}"
                f"\0{change.status}\0{change.before}\0{change.after}"
                f"\0{_statements_digest(statements.get(change.path, []))}".encode()
            ).hexdigest()
            cached = cache.get("audit-event", key)
            if isinstance(cached, AuditEvent):
                result.events.append(cached)
                continue
            event = event_of(merge, change)
            cache.put("audit-event", key, event)
            result.events.append(event)
    return result


def _parsed_project(repo: git.Repo, blob: str, path: str, cache: Cache = NO_CACHE) -> Project | None:
    """The project in this blob: from the parse cache when a run parsed the same file (validate and
    build do, just before they audit), else parsed here."""
    if blob == NULL:
        return None
    if blob and cache.enabled:
        from govsite.corpus import parse_bytes, parse_key

        known = cache.get("project", parse_key(path, blob))
        if isinstance(known, Project):
            return known
        return parse_bytes(repo.git.get_object_data(blob)[3], path, cache).project
    data = repo.git.get_object_data(blob)[3] if blob else b""
    project, _ = validate_project(load_bytes(data, path))
    return project


def _project_of(
    repo: git.Repo, blob: str, path: str, cache: Cache = NO_CACHE
) -> tuple[str | None, str | None]:
    project = _parsed_project(repo, blob, path, cache)
    return (project.id, project.name) if project else (None, None)


def _recorded(
    merge: Merge,
    change: FileChange,
    repo: git.Repo,
    what: str,
    findings: tuple[Finding, ...] = (),
    cache: Cache = NO_CACHE,
) -> AuditEvent:
    """A merged change the audit records without judging it."""
    head = _parsed_project(repo, change.after, change.path, cache) if change.after != NULL else None
    shown = head or _parsed_project(repo, change.before, change.path, cache)
    step = None
    if head is not None:
        base = _parsed_project(repo, change.before, change.path, cache) if change.before != NULL else None
        step = subject_of(base, head)
    return AuditEvent(
        merge.commit,
        merge.time,
        change.path,
        shown.id if shown else None,
        shown.name if shown else None,
        what,
        None,
        None,
        findings=findings,
        before_audit=not findings,
        step=step,
        total=head.budget.total if head is not None else None,
    )


def _before(merge: Merge, change: FileChange, repo: git.Repo, cache: Cache = NO_CACHE) -> AuditEvent:
    return _recorded(merge, change, repo, "登记册开始记录审批之前的记录", cache=cache)


def _unjudgeable(
    merge: Merge, change: FileChange, repo: git.Repo, why: str, cache: Cache = NO_CACHE
) -> AuditEvent:
    """A step merged under packs this govsite cannot load: recorded, not verified."""
    finding = Finding(
        rule="audit-packs",
        severity=Severity.WARNING,
        message=f"合并时目标分支上的政策包无法由当前版本的 govsite 读取，这一步的审批无法重新核验：{why}",
        hint="用合并时所用版本的 govsite 核验这段历史（pip install govsite==<当时的版本>，再运行 govsite audit）。",
        line=1,
        column=1,
    )
    return _recorded(merge, change, repo, "无法核验的记录", (finding,), cache)


def _finding(rule: str, article: str, message: str, hint: str = "") -> Finding:
    return Finding(
        rule=rule, severity=Severity.ERROR, message=message, hint=hint, article=article, line=1, column=1
    )


def _event(
    repo: git.Repo,
    merge: Merge,
    change: FileChange,
    packs: Sequence[PolicyPack],
    reviewers: Reviewers,
    statements: list[StatementFile],
) -> AuditEvent:
    authors = authors_of(repo, merge, change.path)
    if not is_project_path(change.path):
        requirement = Requirement(
            MAINTAINERS, reviewers.maintainers.name, (Basis("protected-path", "", f"修改 {change.path}"),)
        )
        subject = Subject("protected")
        verified = [verify(s, reviewers, None, None) for s in statements]
        return _judged(
            merge,
            change,
            None,
            None,
            what(subject),
            subject,
            None,
            [requirement],
            verified,
            reviewers,
            None,
            None,
            authors,
        )
    if change.status == "D":
        finding = _finding(
            "transition", "", f"提交 {merge.commit[:12]} 删除了项目文件 {change.path}：登记记录须永久保留"
        )
        project_id, name = _project_of(repo, change.before, change.path)
        return AuditEvent(
            merge.commit,
            merge.time,
            change.path,
            project_id,
            name,
            "删除项目文件",
            None,
            None,
            findings=(finding,),
        )
    head_doc = load_bytes(repo.git.get_object_data(change.after)[3], change.path)
    base_project = None
    if change.before != NULL:
        base_project, _ = validate_project(
            load_bytes(repo.git.get_object_data(change.before)[3], change.path)
        )
    judged = judge_change(head_doc, base_project, packs, merge.time.date())
    project = judged.project
    if project is None or judged.subject is None:
        finding = _finding("schema", "", f"提交 {merge.commit[:12]} 合并的 {change.path} 无法作为项目读取")
        return AuditEvent(
            merge.commit,
            merge.time,
            change.path,
            None,
            None,
            "无法读取的文件",
            None,
            None,
            findings=(finding,),
        )
    pack = next((p for p in packs if judged.policy and p.id == judged.policy.id), None)
    requirements, _later = required_decisions(
        judged.subject, judged.route, judged.deadlines, pack, project.type.value, project.budget_authority
    )
    summaries = [project.changes[i].summary for i in judged.subject.changes if i < len(project.changes)]
    district, authority = project.district.value, project.budget_authority
    verified = [verify(s, reviewers, district, authority) for s in statements]
    return _judged(
        merge,
        change,
        project.id,
        project.name,
        what(judged.subject, summaries),
        judged.subject,
        judged.policy.id if judged.policy else None,
        requirements,
        verified,
        reviewers,
        district,
        authority,
        authors,
        project.budget.total,
    )


def _judged(
    merge: Merge,
    change: FileChange,
    project_id: str | None,
    name: str | None,
    description: str,
    subject: Subject,
    policy: str | None,
    requirements: Sequence[Requirement],
    verified: list[Verified],
    reviewers: Reviewers,
    district: str | None,
    authority: str | None,
    authors: list[str],
    total: float | None = None,
) -> AuditEvent:
    late = [
        v
        for v in verified
        if v.statement is not None and v.statement.time > merge.time + dt.timedelta(minutes=5)
    ]
    in_time = [v for v in verified if v not in late]
    statuses = role_statuses(
        requirements, in_time, change.path, change.after, reviewers, district, authority, authors, subject
    )
    findings = []
    short = merge.commit[:12]
    for status in statuses:
        if status.approved:
            continue
        basis = status.requirement.basis[0]
        cited = "、".join(b.cited for b in status.requirement.basis)
        detail = f"；{'；'.join(status.problems)}" if status.problems else ""
        mine_late = [
            v
            for v in late
            if v.statement
            and v.statement.role == status.requirement.role
            and v.statement.blob == change.after
        ]
        if mine_late:
            detail += "；有审批记录晚于合并"
        findings.append(
            _finding(
                basis.rule,
                basis.article,
                f"提交 {short}（{project_id or change.path}，{description}）合并时{status.requirement.role_name}{_why(status)}（依据 {cited}）{detail}",
                "合并前须取得该角色对合并内容的有效审批；请核查这次合并。",
            )
        )
    return AuditEvent(
        merge.commit,
        merge.time,
        change.path,
        project_id,
        name,
        description,
        subject,
        policy,
        tuple(statuses),
        tuple(findings),
        step=subject,
        total=total,
    )


def _why(status: RoleStatus) -> str:
    return {
        "missing": "没有审批",
        "unassigned": "无人担任，没有审批",
        "stale": "审批的是另一个版本，不是合并的内容",
        "rejected": "最后的决定是不同意",
        "returned": "最后的决定是退回补正",
    }.get(status.state, STATE_LABELS.get(status.state, status.state))
