"""Which regulation governs which act: a project's record judged event by event.

A regulation governs what is done while it is in force in its district. Its window runs from its
effective date until it lapses or its successor takes effect (a successor that repeals it without a
transition clause governs everything after that day). So a project declared under a predecessor is
judged, for its later acts — acceptance, operation, evaluation, O&M — by the successor, and for the
acts before by the predecessor (or by nothing, where govsite has no pack for it, which is said).

A pack may carry a transition clause (`transition:` in policy.yaml): projects declared before it took
effect stay under its predecessor until they reach a named stage.

Pure: `windows` from packs, `act_date` for each finding, route and clock, and `assign` to keep each
item under the regulation whose window holds its act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from govsite.findings import Deadline, FieldPath, Finding
from govsite.model import Project
from govsite.policy.pack import PolicyPack
from govsite.vocabulary import Stage

FAR_FUTURE = dt.date(9999, 12, 31)
# kinds of rule whose findings are about what was declared, whatever stage the project is at now
DECLARATION_KINDS = frozenset({"name", "scope", "class"})
_DATED_LISTS = {
    "stages": "date",
    "changes": "date",
    "acceptance": "date",
    "reports": "submitted",
    "evaluations": "date",
    "meetings": "date",
    "reviews": "date",
    "materials": "date",
}


@dataclass(frozen=True)
class Window:
    pack: PolicyPack
    start: dt.date
    end: dt.date  # exclusive

    def holds(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def windows(packs: Sequence[PolicyPack], district: str) -> list[Window]:
    """The district's regulations in order, each until it lapses or the next takes effect."""
    mine = sorted((p for p in packs if p.meta.district == district), key=lambda p: p.meta.effective)
    found = []
    for index, pack in enumerate(mine):
        end = pack.meta.lapses or FAR_FUTURE
        if index + 1 < len(mine):
            end = min(end, mine[index + 1].meta.effective)
        if end > pack.meta.effective:
            found.append(Window(pack, pack.meta.effective, end))
    return found


def declared_on(project: Project) -> dt.date:
    return project.stage_date(Stage.DECLARED) or project.stages[0].date


def governing(found: Sequence[Window], project: Project, day: dt.date) -> Window | None:
    """The window whose regulation governs an act of `project` done on `day`, transition clauses included."""
    window = next((w for w in found if w.holds(day)), None)
    if window is None:
        return None
    clause = window.pack.meta.transition
    if clause is not None and declared_on(project) < window.start:
        until = project.stage_date(clause.until) if clause.until else None
        if until is None or day < until:
            earlier = [w for w in found if w.end <= window.start]
            return earlier[-1] if earlier else None
    return window


def _dated(project: Project, path: FieldPath) -> dt.date | None:
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int) and path[0] in _DATED_LISTS:
        items = getattr(project, path[0], [])
        if 0 <= path[1] < len(items):
            value = getattr(items[path[1]], _DATED_LISTS[path[0]], None)
            if isinstance(value, dt.date):
                return value
    return None


def finding_act(finding: Finding, kinds: Sequence[str], project: Project, current: dt.date) -> dt.date:
    """The date of the act a finding is about: the declaration for naming, scope and classification;
    the dated record its field points into; otherwise the act being decided now."""
    if DECLARATION_KINDS.intersection(kinds):
        return declared_on(project)
    return _dated(project, finding.field) or current


def deadline_act(deadline: Deadline, current: dt.date) -> dt.date:
    """A clock belongs to the regulation in force when it started."""
    if deadline.start:
        return dt.date.fromisoformat(deadline.start)
    return current
