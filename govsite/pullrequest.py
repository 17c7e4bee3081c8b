"""`govsite check`: judge what a pull request would put on the base branch, under the base branch's rules.

What is judged is the result of merging the pull request into the base branch's *tip*
(`git merge-tree`), not the pull request's own head: a stale branch meets the rules main has now,
and a conflict is reported instead of guessed at. Policies, the reviewer file and the ownership rules
come from the base tip. Every file of the pull request is read as a git blob, never checked out or
run.

What is reported:
- every project file the merge adds or changes, judged against its version on the base tip;
- every project that references a document the merge changes (a construction plan …), re-judged;
- every path under submissions/ that breaks the layout rules (links, hidden names, non-ASCII
  names), and every id claimed twice anywhere in the registry (whatever the case or extension);
- every changed path outside submissions/ (code, templates, site settings, workflows, policies),
  with the owners who must review it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import git

from govsite.approvals.gather import Context, ForgeInput, attach_decisions
from govsite.approvals.statement import is_statement_path, parse_statement
from govsite.cache import NO_CACHE, Cache
from govsite.corpus import parse_bytes, registry_index
from govsite.findings import Finding, RouteEntry, Severity
from govsite.gitio import (
    POLICIES,
    SUBMISSIONS,
    ChangedFile,
    TreeFile,
    changed_files,
    export_tree,
    grep_files,
    list_tree,
    merge_tree,
    open_repo,
    read_blob,
    read_blobs,
)
from govsite.judge import Reader, internal_error, judge_change
from govsite.judged import duplicate_ids
from govsite.layout import (
    EntryKind,
    collision_finding,
    is_hidden,
    is_project_path,
    namespace_collisions,
    namespace_key,
    path_findings,
)
from govsite.owners import owner_of, owner_rules
from govsite.policy.named.common import RegistryEntry, RegistryView
from govsite.policy.pack import PolicyPack, load_packs
from govsite.result import ProjectResult, RunResult
from govsite.reviewers import DEFAULT_REVIEWERS, REVIEWERS_FILE, Reviewers, parse_reviewers
from govsite.shallow import commits_for_check
from govsite.validation import validate_project
from govsite.workdays import CALENDARS, DEFAULT_CALENDAR, WorkingCalendar, load_calendars
from govsite.yamlload import load_bytes


def load_base_packs(
    repo: git.Repo, commit: str, cache: Cache = NO_CACHE, isolate: bool = True
) -> tuple[list[PolicyPack], Reviewers]:
    """The policy packs and the reviewer file as they are at `commit` (never the pull request's):
    the packs shipped with this govsite and the registry's own `policies/` at `commit`, of the
    districts its configuration at `commit` serves (resources.py)."""
    from govsite.config import config_at
    from govsite.resources import served, shipped

    config = config_at(Path(repo.working_tree_dir or repo.git_dir), commit, site=False)
    with contextlib.ExitStack() as stack:
        folders = [shipped("policies")]
        if list_tree(repo, commit, POLICIES):
            folders.append(Path(stack.enter_context(export_tree(repo, commit, POLICIES))) / POLICIES)
        # isolate (check): a broken pack is a finding for its district's projects; the audit wants
        # the error itself (a step merged under packs this govsite cannot read, audit-packs)
        packs = load_packs(folders, cache, config.districts, isolate=isolate)
    served(packs, config)
    raw = read_blob(repo, commit, REVIEWERS_FILE)
    return packs, (parse_reviewers(raw, REVIEWERS_FILE) if raw is not None else DEFAULT_REVIEWERS)


def load_base_calendar(repo: git.Repo, commit: str) -> WorkingCalendar:
    """The registry's holiday calendars as they are at `commit`, like its policies."""
    if not list_tree(repo, commit, CALENDARS + "/"):
        return DEFAULT_CALENDAR
    with export_tree(repo, commit, CALENDARS) as exported:
        return load_calendars(Path(exported) / CALENDARS)


def _judged_files(files: list[TreeFile]) -> list[tuple[str, str]]:
    """(path, blob id) of every file of a tree listing that is judged as a project."""
    return [
        (file.entry.path, file.blob)
        for file in files
        if file.entry.kind is EntryKind.FILE
        and is_project_path(file.entry.path)
        and not is_hidden(file.entry.path)
    ]


def _registry_view(
    repo: git.Repo, base: str, merged: str, tree: list[TreeFile], cache: Cache, packs: list[PolicyPack]
) -> RegistryView:
    """The registry as it would be after the merge: a lookup by id reads one blob; the whole
    registry is read only if a rule needs it, from the cached index (of this tree, or of the base
    branch's, with the files the pull request changes parsed anew) or in one batch from git."""
    files = _judged_files(tree)
    blobs = dict(files)

    def load() -> list[RegistryEntry]:
        base_files = _judged_files(list_tree(repo, base, SUBMISSIONS))
        return registry_index(files, lambda wanted: read_blobs(repo, wanted), cache, base_files, packs)

    def fetch(path: str) -> RegistryEntry | None:
        blob = blobs.get(path)
        if blob is None:
            return None
        parsed = parse_bytes(read_blob(repo, merged, path) or b"", path, cache)
        return RegistryEntry(path, parsed.project, blob) if parsed.project is not None else None

    return RegistryView(load, fetch)


def _one(path: str, finding: Finding) -> ProjectResult:
    return ProjectResult(path=path, findings=[finding])


def _conflict(conflicts: tuple[str, ...]) -> ProjectResult:
    return _one(
        conflicts[0],
        Finding(
            rule="merge-conflict",
            severity=Severity.ERROR,
            message=f"合并请求与目标分支有冲突，无法判断合并后的内容：{'、'.join(conflicts)}",
            hint="先把目标分支合并进来（或变基）并解决冲突，再推送。",
            line=1,
            column=1,
        ),
    )


def _deleted(path: str) -> ProjectResult:
    return _one(
        path,
        Finding(
            rule="transition",
            severity=Severity.ERROR,
            message="项目文件不能删除：登记记录须永久保留",
            hint="不再使用的系统请把阶段推进到“停用”或“下架”。",
            line=1,
            column=1,
        ),
    )


def _protected(change: ChangedFile, packs: list[PolicyPack], reviewers: Reviewers) -> ProjectResult:
    """A change outside submissions/: reported with the owners who must review it (base's rules)."""
    rule = owner_of(change.path, owner_rules(packs, reviewers))
    who = rule.who if rule else reviewers.maintainers.name
    handles = " ".join(rule.owners) if rule and rule.owners else "（未指定团队）"
    verb = {"A": "新增", "D": "删除"}.get(change.status, "修改")
    return ProjectResult(
        path=change.path,
        findings=[
            Finding(
                rule="protected-path",
                severity=Severity.WARNING,
                message=f"本合并请求{verb}了 {change.path}：这不是项目文件，须由{who}审核后才能合并",
                hint="程序、模板、网站设置、工作流、政策包和审核人员名册的修改对本次检查不起作用（检查用的是目标分支上的版本），合并后才生效。",
                line=1,
                column=1,
            )
        ],
        route=[
            RouteEntry(
                role="maintainers",
                role_name=f"{who} {handles}",
                rule="protected-path",
                article="",
                reason=f"{verb}受保护的文件 {change.path}",
            )
        ],
    )


def _document_note(path: str, documents: list[str]) -> Finding:
    return Finding(
        rule="document",
        severity=Severity.INFO,
        message=f"本项目引用的材料在本合并请求中有改动（{'、'.join(documents)}），按改动后的内容重新检查",
        line=1,
        column=1,
        related=tuple(documents),
    )


def _approval_files(change: ChangedFile) -> ProjectResult | None:
    """Statement files are append-only; each one added must at least be a statement (its signature
    and signer are judged with the project it is about)."""
    if change.status != "A":
        return _one(
            change.path,
            Finding(
                rule="approval",
                severity=Severity.ERROR,
                message=f"已有的审批记录不能修改或删除：{change.path}",
                hint="审批记录只能追加：改变决定请由审批人另出一份新的审批记录。",
                line=1,
                column=1,
            ),
        )
    return None


def check_pull_request(
    root: Path,
    base: str,
    head: str,
    today: dt.date,
    forge: ForgeInput | None = None,
    require_approvals: bool = False,
) -> RunResult:
    repo = open_repo(root)
    # In a forge's shallow clone the base, and the history down to the merge base, are fetched.
    base_tip, head_sha = commits_for_check(repo, base, head)
    run = RunResult(mode="check", base=base_tip, head=head_sha)
    merge = merge_tree(repo, base_tip, head_sha)
    if merge.tree is None:
        run.projects.append(_conflict(merge.conflicts))
        return run
    merged = merge.tree
    # The pull request is judged by the base branch's rules, never by rules it brings itself.
    cache = Cache(root)
    packs, reviewers = load_base_packs(repo, base_tip, cache)
    calendar = load_base_calendar(repo, base_tip)
    changes = changed_files(repo, base_tip, merged)
    policies_changed = any(c.path.startswith(POLICIES) for c in changes)
    if policies_changed:
        run.notes.append("本合并请求修改了政策包；本次检查仍按目标分支上的政策进行，合并后新政策才生效。")
    from govsite.resources import broken_notes

    run.notes += broken_notes()
    tree = list_tree(repo, merged, SUBMISSIONS)
    kinds = {f.entry.path: f.entry for f in tree}
    registry = _registry_view(repo, base_tip, merged, tree, cache, packs)

    def read(path: str) -> bytes | None:
        entry = kinds.get(path)
        if entry is not None and entry.kind is not EntryKind.FILE:
            return None  # never through a link
        return read_blob(repo, merged, path)

    results: dict[str, ProjectResult] = {}
    judged_for_documents: dict[str, list[str]] = {}
    removed = frozenset(c.path for c in changes if c.status == "D" and not is_project_path(c.path))
    judging = _Judging(repo, base_tip, merged, packs, today, registry, read, removed, calendar)
    for change in changes:
        if is_statement_path(change.path):
            refused = _approval_files(change)
            if refused is not None:
                run.projects.append(refused)
            else:
                parsed = parse_statement(read_blob(repo, merged, change.path) or b"", change.path)
                if parsed.problem:
                    run.projects.append(
                        _one(
                            change.path,
                            Finding(
                                rule="approval",
                                severity=Severity.ERROR,
                                message=f"审批记录无效：{parsed.problem}",
                                hint="用 govsite approve 生成审批记录，不要手工编辑。",
                                line=1,
                                column=1,
                            ),
                        )
                    )
            continue
        if not change.path.startswith(SUBMISSIONS):
            run.projects.append(_protected(change, packs, reviewers))
            continue
        if change.status == "D":
            if is_project_path(change.path):
                results[change.path] = _deleted(change.path)
            else:
                for user in grep_files(repo, merged, change.path, SUBMISSIONS):
                    judged_for_documents.setdefault(user, []).append(change.path)
            continue
        entry = kinds.get(change.path)
        problems = path_findings(entry) if entry is not None else []
        if (
            entry is not None
            and entry.kind is EntryKind.FILE
            and is_project_path(change.path)
            and not is_hidden(change.path)
        ):
            results[change.path] = _judge(judging, change)
            results[change.path].findings[:0] = problems
        else:
            if problems:
                results[change.path] = ProjectResult(path=change.path, findings=list(problems))
            for user in grep_files(repo, merged, change.path, SUBMISSIONS):
                judged_for_documents.setdefault(user, []).append(change.path)
    for path, documents in sorted(judged_for_documents.items()):
        if path in results or not is_project_path(path) or is_hidden(path):
            continue
        entry = kinds.get(path)
        if entry is None or entry.kind is not EntryKind.FILE:
            continue
        result = _judge(judging, ChangedFile("M", path))
        result.findings.insert(0, _document_note(path, documents))
        results[path] = result
    collisions = namespace_collisions(kinds)
    for path in list(results) + [c.path for c in changes if c.path in collisions and c.path not in results]:
        others = collisions.get(path)
        if others:
            result = results.setdefault(path, ProjectResult(path=path))
            result.findings.insert(0, collision_finding(namespace_key(path) or path, others))
    run.projects[:0] = [results[p] for p in sorted(results)]
    duplicate_ids(run.projects)
    context = Context(repo, base_tip, merged, head_sha, packs, reviewers, forge or ForgeInput())
    attach_decisions(run, context, require_approvals)
    if policies_changed:  # what the new packs would decide about every project, before they merge
        from govsite.impact import policy_impact

        run.impact = policy_impact(repo, base_tip, merged, today, cache)
    return run


@dataclass(frozen=True)
class _Judging:
    """What judging one file of the pull request needs: the commits, the base's rules, the edges."""

    repo: git.Repo
    base: str
    merged: str
    packs: list[PolicyPack]
    today: dt.date
    registry: RegistryView
    read: Reader
    removed: frozenset[str]
    calendar: WorkingCalendar


def _judge(judging: _Judging, change: ChangedFile) -> ProjectResult:
    repo = judging.repo
    try:
        head_doc = load_bytes(read_blob(repo, judging.merged, change.path) or b"", change.path)
        base_project = None
        if change.status != "A":
            base_raw = read_blob(repo, judging.base, change.path)
            if base_raw is not None:
                base_project, _ = validate_project(load_bytes(base_raw, change.path))
        return judge_change(
            head_doc,
            base_project,
            judging.packs,
            judging.today,
            judging.registry,
            judging.read,
            judging.removed,
            judging.calendar,
        )
    except Exception as exc:  # one defect in govsite is one file's finding, not the end of the run
        return internal_error(change.path, exc)
