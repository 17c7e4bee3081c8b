"""What a named rule receives and returns.

A named rule is a small Python function a pack calls by name (`function:` in a rule file) for what
CEL over one project cannot say: scores, cost standards, and rules across the registry. Its
docstring is the rule's wording. It receives the project, the pack's params and a RuleContext, and
returns findings (naming any other project involved in `related`) and, where it scores, a score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.model import Project


@dataclass(frozen=True)
class NamedFinding:
    severity: Severity
    message: str
    hint: str = ""
    field: FieldPath = ()
    related: tuple[str, ...] = ()


@dataclass
class NamedOutcome:
    findings: list[NamedFinding] = field(default_factory=list)
    score: dict[str, Any] | None = None


@dataclass(frozen=True)
class RegistryEntry:
    path: str
    project: Project


class RegistryView:
    """The other projects of the registry, loaded only when a rule first asks for them.

    `validate` loads them from the working tree, `check` from the pull request's head commit; an
    example in a pack lists its own. Files that do not load are left out (they get their own
    findings).
    """

    def __init__(self, loader: Callable[[], list[RegistryEntry]] | None = None) -> None:
        self._loader = loader
        self._entries: list[RegistryEntry] | None = None
        self._by_id: dict[str, RegistryEntry] = {}

    def _load(self) -> list[RegistryEntry]:
        if self._entries is None:
            self._entries = self._loader() if self._loader else []
            self._by_id = {e.project.id: e for e in self._entries}
        return self._entries

    def __iter__(self) -> Iterator[RegistryEntry]:
        return iter(self._load())

    def get(self, project_id: str) -> RegistryEntry | None:
        self._load()
        return self._by_id.get(project_id)

    def others(self, project: Project) -> list[RegistryEntry]:
        """Every other project of the same district."""
        return [
            e for e in self._load() if e.project.id != project.id and e.project.district is project.district
        ]


EMPTY_REGISTRY = RegistryView()


@dataclass(frozen=True)
class RuleContext:
    registry: RegistryView = EMPTY_REGISTRY
    documents: Mapping[str, str] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)


NamedRule = Callable[[Project, Mapping[str, Any], RuleContext], NamedOutcome]


def describe(entry: RegistryEntry) -> str:
    """How a finding names another project: its id, name and file."""
    return f"{entry.project.id}“{entry.project.name}”（{entry.path}）"
