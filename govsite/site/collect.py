"""What the site shows, gathered from judged projects and policy packs. Pure: no files, no templates.

Texts stay as they were written; escaping is the templates' job (see `govsite.safetext`). What is
decided here is *which* facts reach a page: for instance a material marked `public: false` keeps only
its kind, never its title, path or digest.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from govsite.approvals.status import STATE_LABELS, describe
from govsite.audit import AuditEvent, AuditResult
from govsite.districts import DistrictKey
from govsite.districts import known as known_districts
from govsite.figures import Figures, figures
from govsite.findings import Deadline, Finding
from govsite.layout import is_project_id, is_registry_path
from govsite.model import Material, Project, StageRecord, SupervisionRecord
from govsite.policy.pack import COMPARE_TOPICS, Article, CompiledRule, PolicyPack, cite
from govsite.policy.revision import Change, pack_changes
from govsite.result import ProjectResult
from govsite.reviewers import Reviewers
from govsite.site.disclosure import DisclosureItem, Publication, decisions, disclosure, published_on
from govsite.vocabulary import DEADLINE_STATUS_LABELS, RULE_KIND_LABELS, Stage, label
from govsite.workdays import DEFAULT_CALENDAR, WorkingCalendar

DEADLINE_STATUS = DEADLINE_STATUS_LABELS
RULE_KINDS = RULE_KIND_LABELS

_ANCHOR_SAFE = re.compile(r"[^\W_][\w-]*")  # letters (any script), digits, "-", "_"


ENDING_TITLES = {
    Stage.INTAKE_REFUSED: "本项目不予受理",
    Stage.REJECTED: "本项目未通过（否定）",
    Stage.SUSPENDED: "本项目已暂停",
    Stage.TERMINATED: "本项目已终止",
    Stage.OUT_OF_USE: "本系统已停用",
    Stage.DECOMMISSIONED: "本系统已下架",
}


@dataclass(frozen=True)
class MaterialView:
    kind: str
    kind_label: str
    public: bool
    title: str | None = None
    date: dt.date | None = None
    sha256: str | None = None
    path: str | None = None


def material_view(material: Material, pack: PolicyPack | None = None) -> MaterialView:
    """A material as the public may see it: a non-public one is only its kind and that it is withheld."""
    kind_label = pack.material_label(material.kind) if pack else label(material.kind)
    if not material.public:
        return MaterialView(kind=material.kind, kind_label=kind_label, public=False)
    return MaterialView(
        kind=material.kind,
        kind_label=kind_label,
        public=True,
        title=material.title,
        date=material.date,
        sha256=material.sha256,
        path=material.path,
    )


@dataclass(frozen=True)
class ApprovalRow:
    """One line of a project's approval record, from `govsite audit`: a merged step and one role."""

    date: dt.date
    what: str
    commit: str
    role_name: str | None = None
    who: str | None = None  # 张三 2026-03-04 同意
    basis: str | None = None
    verified: bool = False
    status: str = ""


def approval_rows(events: Sequence[AuditEvent], reviewers: Reviewers) -> list[ApprovalRow]:
    rows: list[ApprovalRow] = []
    for event in events:
        day = event.time.date()
        if event.before_audit:
            rows.append(
                ApprovalRow(
                    day, event.what, event.commit, status="登记册开始记录审批之前的记录（不作为已审批）"
                )
            )
            continue
        if not event.roles:
            rows.append(
                ApprovalRow(
                    day,
                    event.what,
                    event.commit,
                    status="；".join(f.message for f in event.findings) or "无须审批",
                )
            )
            continue
        for status in event.roles:
            last = status.decided[-1] if status.decided else None
            who = describe(last, reviewers) if last is not None else None
            if who and last is not None and last.statement is not None and last.statement.ref:
                who += f"（{last.statement.ref}）"
            problems = "；".join(status.problems)
            verdict = (
                "已核验：签名有效，审批人当时担任此角色，审批的正是合并的内容"
                if status.approved
                else STATE_LABELS[status.state]
            )
            rows.append(
                ApprovalRow(
                    day,
                    event.what,
                    event.commit,
                    status.requirement.role_name,
                    who,
                    "；".join(b.cited for b in status.requirement.basis),
                    status.approved,
                    verdict + (f"（{problems}）" if problems and not status.approved else ""),
                )
            )
    return rows


@dataclass(frozen=True)
class ProjectEntry:
    """A project that loaded: its facts, how it was judged, and the pack it was judged under."""

    project: Project
    result: ProjectResult
    pack: PolicyPack | None
    approvals: tuple[ApprovalRow, ...] = ()
    result_today: dt.date | None = None  # the day the site is built for: open orders past it are overdue
    last_changed: dt.date | None = None  # the last merged change of its file (None: no history)
    history_commit: str | None = None  # that change's commit
    disclosure: tuple[DisclosureItem, ...] = ()  # what the law requires it to disclose (disclosure.py)
    decisions: tuple[Publication, ...] = ()  # each decision on record and when it was published
    baseline: Baseline | None = None  # the approved total and its changes (None: no history of it)
    stages_merged: tuple[dt.date | None, ...] = ()  # per stage record, the day it reached main

    @property
    def overdue(self) -> list[Deadline]:
        """The regulation's clocks that ran out with nothing done."""
        return [d for d in self.result.deadlines if d.status == "overdue"]

    @property
    def figures(self) -> Figures:
        return figures(self.project.budget)

    @property
    def materials(self) -> list[MaterialView]:
        return [material_view(m, self.pack) for m in self.project.materials]

    @property
    def major(self) -> bool | None:
        value = self.result.facts.get("major")
        return value if isinstance(value, bool) else None

    @property
    def major_reasons(self) -> list[str]:
        reasons = self.result.facts.get("major_reasons")
        return [str(r) for r in reasons] if isinstance(reasons, list) else []

    @property
    def ending(self) -> StageRecord | None:
        """The record that stopped or ended the project, while it stands: a project refused, rejected,
        suspended, terminated, taken out of use or decommissioned stays on the site, with the
        decision, its date and its reason at the top of its page."""
        last = self.project.stages[-1]
        return last if last.stage in ENDING_TITLES else None

    @property
    def ending_title(self) -> str:
        ending = self.ending
        return ENDING_TITLES[ending.stage] if ending is not None else ""

    def rectification_status(self, record: SupervisionRecord) -> str:
        """How an order stands today: rectified (on time or late), open, or overdue."""
        if record.kind != "rectification_order" or record.deadline is None:
            return "—"
        if record.rectified is not None:
            late = "（逾期后完成）" if record.rectified > record.deadline else ""
            return f"{record.rectified.isoformat()} 已整改{late}"
        if self.result_today is not None and self.result_today > record.deadline:
            return "逾期未整改"
        return "整改中"

    def regulation_of(self, finding: Finding) -> str | None:
        """The 文号 of the regulation that judged `finding`, when the project's acts fall under several."""
        if len(self.result.policies) < 2 or not finding.policy:
            return None
        return next((p.document_number for p in self.result.policies if p.id == finding.policy), None)

    def rule_link(self, rule_id: str) -> str | None:
        """Link from `projects/<ID>.md` to the rule in its pack's handbook, if the pack has that rule."""
        if self.pack is None or not any(r.spec.id == rule_id for r in self.pack.rules):
            return None
        return f"../handbook/{self.pack.id}.md#{rule_anchor(rule_id)}"


@dataclass(frozen=True)
class InvalidFile:
    """A file with no page: it could not be read as a project, or its id is claimed twice."""

    path: str
    findings: list[Finding]


@dataclass(frozen=True)
class RuleView:
    rule: CompiledRule
    anchor: str
    passes: int
    fails: int

    @property
    def kinds(self) -> list[str]:
        return [RULE_KINDS.get(k, k) for k in self.rule.spec.kind]


@dataclass(frozen=True)
class ArticleSection:
    article: Article
    citation: str
    anchor: str
    rules: list[RuleView] = field(default_factory=list)


@dataclass(frozen=True)
class TransitionRow:
    source: Stage
    targets: list[Stage]
    types: list[str]
    article: str


@dataclass(frozen=True)
class Handbook:
    pack: PolicyPack
    articles: list[ArticleSection]
    transitions: list[TransitionRow]
    entry: list[Stage]
    # a revision (`extends`): its predecessor's id and what it changes (params, articles, rules)
    revises: str | None = None
    changes: list[Change] = field(default_factory=list)

    def article_anchor(self, article_id: str) -> str | None:
        return next((s.anchor for s in self.articles if s.article.id == article_id), None)

    @property
    def chapters(self) -> list[tuple[str, list[ArticleSection]]]:
        """Articles grouped by chapter, in order (a chapter that recurs later starts a new group)."""
        groups: list[tuple[str, list[ArticleSection]]] = []
        for section in self.articles:
            if not groups or groups[-1][0] != section.article.chapter:
                groups.append((section.article.chapter, []))
            groups[-1][1].append(section)
        return groups


@dataclass(frozen=True)
class ComparisonRow:
    topic: str
    heading: str
    cells: list[str | None]  # one per pack, in the comparison's order; None: the pack says nothing


@dataclass(frozen=True)
class Comparison:
    """The regulations side by side, generated from each pack's `compare` block and params."""

    packs: list[PolicyPack]
    rows: list[ComparisonRow]


def comparison(packs: Sequence[PolicyPack]) -> Comparison:
    ordered = sorted(packs, key=lambda p: (-p.meta.effective.toordinal(), p.id))
    rows = [
        ComparisonRow(topic, heading, [pack.meta.compared(topic) for pack in ordered])
        for topic, heading in COMPARE_TOPICS.items()
    ]
    return Comparison(ordered, [row for row in rows if any(cell is not None for cell in row.cells)])


@dataclass(frozen=True)
class Repealed:
    document_number: str
    title: str
    repealed_by: PolicyPack


@dataclass(frozen=True)
class Revision:
    """A merged change of a project's total investment after its baseline was approved."""

    day: dt.date
    before: float
    after: float
    commit: str


@dataclass(frozen=True)
class Baseline:
    """The total investment approved (the baseline) and every later change of it, from the history:
    a re-baseline is a dated event on the page, never a silent overwrite (GAO-14-64)."""

    approved: float
    approved_on: dt.date
    revisions: tuple[Revision, ...] = ()


def baseline(project: Project, events: Sequence[AuditEvent]) -> Baseline | None:
    """The total as the merge that approved the project left it (or as first registered, for a
    project registered already approved), and each change of the total merged since."""
    ordered = [e for e in events if e.total is not None and e.step is not None]  # oldest first
    approved_on = project.stage_date(Stage.APPROVED)
    if approved_on is None or not ordered:
        return None
    start = next(
        (
            i
            for i, e in enumerate(ordered)
            if e.step is not None
            and (
                (e.step.kind == "transition" and e.step.target == Stage.APPROVED.value)
                or (e.step.kind == "declaration" and e.time.date() >= approved_on)
            )
        ),
        None,
    )
    if start is None:
        return None
    first = ordered[start]
    assert first.total is not None
    revisions = []
    current = first.total
    for event in ordered[start + 1 :]:
        assert event.total is not None
        if event.total != current:
            revisions.append(Revision(event.time.date(), current, event.total, event.commit))
            current = event.total
    return Baseline(first.total, first.time.date(), tuple(revisions))


@dataclass(frozen=True)
class Department:
    """A budget authority (预算主管部门) and what its projects add up to."""

    district: DistrictKey  # 区教育局 of one district is not that of another
    name: str
    count: int
    total: float
    overdue: int  # projects with a clock that ran out
    units: list[str]  # the project units under it


@dataclass(frozen=True)
class LatePublication:
    entry: ProjectEntry
    publication: Publication


@dataclass(frozen=True)
class OverdueItem:
    entry: ProjectEntry
    deadline: Deadline


@dataclass(frozen=True)
class SiteData:
    today: dt.date
    projects: list[ProjectEntry]
    invalid: list[InvalidFile]
    handbooks: list[Handbook]
    comparison: Comparison
    last_changed: dt.date | None = None  # the registry's last merged change (None: no history)
    source: str | None = None  # the commit the site was built from (None: not a git repository)
    history_url: str | None = None  # govsite.toml [site] history: a file's history on the forge, {path}

    def history_of(self, entry: ProjectEntry) -> str | None:
        """Where the project file's history is browsed, if the registry says where its forge is."""
        if not self.history_url:
            return None
        return self.history_url.replace("{path}", urllib.parse.quote(entry.result.path))

    @property
    def overdue(self) -> list[OverdueItem]:
        """Every clock that ran out, the longest overdue first."""
        items = [OverdueItem(entry, d) for entry in self.projects for d in entry.overdue]
        return sorted(items, key=lambda i: (i.deadline.due, i.entry.project.id))

    @property
    def departments(self) -> list[Department]:
        """Every budget authority of every district, the largest total investment first."""
        groups: dict[tuple[DistrictKey, str], list[ProjectEntry]] = defaultdict(list)
        for entry in self.projects:
            groups[(entry.project.district, entry.project.budget_authority)].append(entry)
        found = [
            Department(
                district,
                name,
                len(entries),
                sum(e.project.budget.total for e in entries),
                sum(1 for e in entries if e.overdue),
                sorted({e.project.project_unit for e in entries}),
            )
            for (district, name), entries in groups.items()
        ]
        return sorted(found, key=lambda d: (-d.total, d.district.value, d.name))

    @property
    def late_publications(self) -> list[LatePublication]:
        """Decisions published more than 20 working days after they were made, the latest first."""
        found = [LatePublication(e, d) for e in self.projects for d in e.decisions if d.late]
        return sorted(found, key=lambda i: (-i.publication.late_by, i.entry.project.id, i.publication.what))

    @property
    def judged_publications(self) -> int:
        return sum(1 for e in self.projects for d in e.decisions if d.judged and d.published is not None)

    @property
    def stage_chart(self) -> list[tuple[str, float]]:
        return [(label(stage), float(count)) for stage, count in self.stage_counts]

    def totals_by(self, key: Literal["district", "budget_year"]) -> list[tuple[str, float]]:
        """Total investment (万元) by district (largest first) or by budget year (in order). By budget
        authority it is `departments`: 区教育局 of one district is not that of another."""
        sums: dict[str, float] = defaultdict(float)
        for entry in self.projects:
            value = getattr(entry.project, key)
            sums[label(value) if isinstance(value, DistrictKey) else str(value)] += entry.project.budget.total
        if key == "budget_year":
            return sorted(sums.items())
        return sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def department_chart(self) -> list[tuple[str, float]]:
        """The ten budget authorities with the largest total, each named with its district."""
        return [(f"{d.name}（{label(d.district)}）", d.total) for d in self.departments[:10]]

    @property
    def department_names(self) -> list[str]:
        return sorted({e.project.budget_authority for e in self.projects})

    @property
    def repealed(self) -> list[Repealed]:
        """Regulations the packs' regulations repealed, with what repealed them."""
        return [
            Repealed(old.document_number, old.title, book.pack)
            for book in self.handbooks
            for old in book.pack.meta.supersedes
        ]

    def in_force(self, pack: PolicyPack) -> bool:
        return pack.in_force_on(self.today)

    @property
    def by_district(self) -> list[tuple[DistrictKey, list[ProjectEntry]]]:
        """The projects of each district that has any, in the order districts are listed."""
        groups: dict[DistrictKey, list[ProjectEntry]] = defaultdict(list)
        for entry in self.projects:
            groups[entry.project.district].append(entry)
        return [
            (district, groups[district])
            for district in (DistrictKey(d.key) for d in known_districts())
            if groups[district]
        ]

    @property
    def stage_counts(self) -> list[tuple[Stage, int]]:
        counts = Counter(entry.project.stage for entry in self.projects)
        return [(stage, counts[stage]) for stage in Stage if counts[stage]]


def rule_anchor(rule_id: str) -> str:
    if not _ANCHOR_SAFE.fullmatch(rule_id):
        raise ValueError(f"rule id {rule_id!r} cannot be an anchor")
    return f"rule-{rule_id}"


def article_anchor(article: Article, position: int) -> str:
    """`article-25`, `article-附件1`; an id that cannot be an anchor gets its position instead."""
    return f"article-{article.id}" if _ANCHOR_SAFE.fullmatch(article.id) else f"article-at-{position + 1}"


def is_registry_file(path: str) -> bool:
    """`submissions/<district>/…` holds projects; files directly in `submissions/` (TEMPLATE.yaml) do not."""
    return is_registry_path(path)


def handbook(pack: PolicyPack) -> Handbook:
    sections: list[ArticleSection] = []
    seen: set[str] = set()
    for position, article in enumerate(pack.articles):
        section = ArticleSection(article, cite(article.id), article_anchor(article, position))
        for rule in pack.rules:
            if article.id not in rule.spec.articles:
                continue
            anchor = rule_anchor(rule.spec.id)
            if anchor in seen:  # a rule citing several articles is listed under each; one anchor
                anchor = f"{anchor}-{section.anchor}"
            seen.add(anchor)
            passes = sum(1 for e in rule.spec.examples if e.expect == "pass")
            section.rules.append(RuleView(rule, anchor, passes, len(rule.spec.examples) - passes))
        sections.append(section)
    grouped: dict[tuple[Stage, tuple[str, ...], str], list[Stage]] = defaultdict(list)
    for transition in pack.lifecycle.transitions:
        types = tuple(sorted(t.value for t in transition.types))
        grouped[(transition.source, types, transition.article)].append(transition.target)
    rows = [
        TransitionRow(source, targets, list(types), article)
        for (source, types, article), targets in grouped.items()
    ]
    entry = [stage for stage in Stage if stage in pack.lifecycle.entry]
    changes = pack_changes(pack.parent, pack) if pack.parent is not None else []
    return Handbook(
        pack=pack,
        articles=sections,
        transitions=rows,
        entry=entry,
        revises=pack.parent.id if pack.parent is not None else None,
        changes=changes,
    )


def collect(
    results: Sequence[ProjectResult],
    projects: dict[str, Project],
    packs: Sequence[PolicyPack],
    today: dt.date,
    audit: AuditResult | None = None,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> SiteData:
    """`projects` maps a result's path to its Project, for the files that loaded."""
    by_pack = {pack.id: pack for pack in packs}
    loaded = [r for r in results if is_registry_file(r.path) and r.path in projects]
    id_count = Counter(projects[r.path].id for r in loaded)
    entries: list[ProjectEntry] = []
    invalid: list[InvalidFile] = []
    events: dict[str | None, list[AuditEvent]] = defaultdict(list)  # one pass, not one per project
    last: dict[str, AuditEvent] = {}
    # the registry keeps its history from its first judged merge: what is dated earlier was
    # published when the registry was set up, and is not judged late
    judged = [e.time.date() for e in audit.events if not e.before_audit] if audit is not None else []
    started = min(judged, default=None)
    for event in audit.events if audit is not None else []:
        events[event.project_id].append(event)
        if event.project_id and (event.project_id not in last or event.time >= last[event.project_id].time):
            last[event.project_id] = event
    for result in results:
        if not is_registry_file(result.path):
            continue
        project = projects.get(result.path)
        # a page's address is its id: only ids of the registry's one pattern get one
        if project is None or id_count[project.id] > 1 or not is_project_id(project.id):
            invalid.append(InvalidFile(result.path, list(result.findings)))
            continue
        pack = by_pack.get(result.policy.id) if result.policy else None
        rows = approval_rows(events.get(project.id, []), audit.reviewers) if audit is not None else []
        changed = last.get(project.id)
        history = sorted(events.get(project.id, []), key=lambda e: e.time)  # oldest first, once
        entries.append(
            ProjectEntry(
                project,
                result,
                pack,
                tuple(rows),
                today,
                changed.time.date() if changed else None,
                changed.commit if changed else None,
                disclosure(project, history, started, calendar),
                tuple(decisions(project, history, started, calendar)),
                baseline(project, history),
                tuple(published_on(history, r.date, stage=r.stage.value) for r in project.stages),
            )
        )
    entries.sort(key=lambda e: (e.project.district.value, e.project.id))
    invalid.sort(key=lambda f: f.path)
    return SiteData(
        today=today,
        projects=entries,
        invalid=invalid,
        handbooks=[handbook(p) for p in packs],
        comparison=comparison(packs),
        last_changed=max((e.time.date() for e in last.values()), default=None),
        source=audit.head if audit is not None else None,
    )
