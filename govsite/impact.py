"""The impact of a policy change before it merges: the whole registry judged under the base's packs
and under the pull request's, and, per project, the findings, routes and deadlines that appear or
disappear. A reviewer of a policy change then sees "24 projects now fail MH-29" before merging.

The registry judged is the base's (what is merged): the change under review is the packs', so the
project files are held fixed. Both runs share the registry's cache (its keys carry the packs).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import git

from govsite.cache import Cache
from govsite.policy.pack import PolicyPack
from govsite.result import ProjectResult, RunResult

SHOWN = 50  # projects listed in a report; the counts cover all


@dataclass(frozen=True)
class Line:
    """One thing said about a project: a finding, a body that must decide, or a clock."""

    kind: str  # finding / route / deadline
    rule: str
    text: str

    def shown(self) -> str:
        return f"{self.text} [{self.rule}]" if self.rule else self.text


@dataclass(frozen=True)
class VerdictChange:
    path: str
    project_id: str | None
    name: str | None
    appeared: tuple[Line, ...]
    disappeared: tuple[Line, ...]
    policy_before: str | None = None
    policy_after: str | None = None


@dataclass
class Impact:
    base: str
    head: str
    judged: int = 0
    changes: list[VerdictChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def by_rule(self) -> list[tuple[str, int, int]]:
        """(rule, projects where something of it appears, projects where something disappears)."""
        appeared: Counter[str] = Counter()
        gone: Counter[str] = Counter()
        for change in self.changes:
            for rule in {line.rule for line in change.appeared if line.rule}:
                appeared[rule] += 1
            for rule in {line.rule for line in change.disappeared if line.rule}:
                gone[rule] += 1
        rules = sorted(set(appeared) | set(gone), key=lambda r: (-(appeared[r] + gone[r]), r))
        return [(rule, appeared[rule], gone[rule]) for rule in rules]

    def summary(self) -> str:
        if not self.changes:
            return (
                f"按本合并请求修改后的政策包重新判断登记册的 {self.judged} 个项目：没有任何项目的结论改变。"
            )
        parts = [
            f"{rule} "
            + "，".join(
                p for p in (f"{a} 个项目新出现" if a else "", f"{g} 个项目不再出现" if g else "") if p
            )
            for rule, a, g in self.by_rule()
        ]
        return (
            f"按本合并请求修改后的政策包重新判断登记册的 {self.judged} 个项目：{len(self.changes)} 个项目的结论改变"
            + (f"（{'；'.join(parts)}）" if parts else "")
            + "。"
        )


_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def verdict(result: ProjectResult) -> set[Line]:
    """What the run says about one project, as comparable lines."""
    lines = {
        Line("finding", f.rule, f"{_SEVERITY.get(f.severity.value, f.severity.value)}：{f.message}")
        for f in result.findings
    }
    lines |= {Line("route", r.rule, f"须由{r.role_name}审批：{r.reason}") for r in result.route}
    lines |= {Line("deadline", d.rule, f"时限 {d.due}：{d.what}") for d in result.deadlines}
    return lines


def compare(before: RunResult, after: RunResult) -> list[VerdictChange]:
    """Per project (by path), what appears and what disappears between the two runs."""
    old = {r.path: r for r in before.projects}
    new = {r.path: r for r in after.projects}
    changes = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        lines_a = verdict(a) if a is not None else set()
        lines_b = verdict(b) if b is not None else set()
        if lines_a == lines_b:
            continue
        either = b if b is not None else a
        assert either is not None

        def order(lines: set[Line]) -> tuple[Line, ...]:
            return tuple(sorted(lines, key=lambda line: (line.kind, line.rule, line.text)))

        changes.append(
            VerdictChange(
                path,
                either.project_id,
                either.name,
                order(lines_b - lines_a),
                order(lines_a - lines_b),
                a.policy.id if a is not None and a.policy else None,
                b.policy.id if b is not None and b.policy else None,
            )
        )
    return changes


@contextlib.contextmanager
def _registry_at(repo: git.Repo, commit: str) -> Iterator[Path]:
    """The registry's files (submissions/, calendars/) as they are at `commit`, in a folder."""
    from govsite.gitio import export_tree, list_tree

    with contextlib.ExitStack() as stack:
        root = Path(_temporary())
        stack.callback(_remove, root)
        for folder in ("submissions", "calendars"):
            if list_tree(repo, commit, folder + "/"):
                exported = Path(stack.enter_context(export_tree(repo, commit, folder)))
                (exported / folder).rename(root / folder)
        (root / "submissions").mkdir(exist_ok=True)
        yield root


def _temporary() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="govsite-impact-")


def _remove(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def judge_registry(root: Path, packs: Sequence[PolicyPack], today: dt.date, cache: Cache) -> RunResult:
    from govsite.registry import validate_paths

    return validate_paths([root / "submissions"], packs, root, today, cache)


def policy_impact(repo: git.Repo, base: str, head: str, today: dt.date, cache: Cache) -> Impact:
    """The base's registry judged under the packs at `base` and at `head` (a commit or tree)."""
    from govsite import districts
    from govsite.pullrequest import load_base_packs
    from govsite.resources import broken_notes

    impact = Impact(base, head)
    with _registry_at(repo, base) as root:
        districts.reset()
        before_packs, _ = load_base_packs(repo, base, cache)
        before = judge_registry(root, before_packs, today, cache)
        districts.reset()
        after_packs, _ = load_base_packs(repo, head, cache)
        impact.notes = [f"修改后的政策包：{note}" for note in broken_notes()]
        after = judge_registry(root, after_packs, today, cache)
    districts.reset()
    load_base_packs(repo, base, cache)  # the base's districts again, for whatever the run does next
    impact.judged = len(before.projects)
    impact.changes = compare(before, after)
    return impact
