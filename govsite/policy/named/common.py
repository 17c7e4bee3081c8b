"""What a named rule receives and returns.

A named rule is a small Python function a pack calls by name (`function:` in a rule file) for what
CEL over one project cannot say: scores, cost standards, and rules across the registry. Its
docstring is the rule's wording. It receives the project, the pack's params and a RuleContext, and
returns findings (naming any other project involved in `related`) and, where it scores, a score.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from govsite.findings import FieldPath, Severity
from govsite.layout import canonical_paths
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
    blob: str = ""  # the file's git blob id, where known (what the results cache depends on)


# Keys a rule groups the registry by, registered by name: `peers(name, project, params)` returns the
# other projects of the same district with the same key, from an index built once per run.
RegistryKey = Callable[[Project, Mapping[str, Any]], Hashable | None]
REGISTRY_KEYS: dict[str, RegistryKey] = {}


def registry_key(name: str) -> Callable[[RegistryKey], RegistryKey]:
    def register(function: RegistryKey) -> RegistryKey:
        if name in REGISTRY_KEYS:
            raise RuntimeError(f"registry key {name!r} is defined twice")
        REGISTRY_KEYS[name] = function
        return function

    return register


Dependency = tuple[str, ...]


class RegistryView:
    """The other projects of the registry, loaded only when a rule first asks for them, and indexed once.

    `validate` loads them from the documents it parses (each file once per run), `check` from the
    merge's tree, an example in a pack lists its own. Files that do not load are left out (they get
    their own findings). A lookup by id is a dictionary lookup; a rule that compares a project with
    its peers (the same unit, the same parent system …) asks `peers` with a registered key, and the
    grouping is built once per run: rules across the registry stay O(n) in all.

    Every lookup is recorded (`dependencies`, with the params the key was computed with), so a cached
    result can say what it read and be reused only while what it read is unchanged (`digest`).
    """

    def __init__(
        self,
        loader: Callable[[], list[RegistryEntry]] | None = None,
        fetch: Callable[[str], RegistryEntry | None] | None = None,
    ) -> None:
        self._loader = loader
        self._fetch = fetch  # one file by path, where reading it alone is cheaper than the registry
        self._fetched: dict[str, RegistryEntry | None] = {}
        self._entries: list[RegistryEntry] | None = None
        self._by_path: dict[str, RegistryEntry] = {}
        self._groups: dict[tuple[str, str], dict[tuple[str, Hashable], list[RegistryEntry]]] = {}
        self._params_keys: dict[int, tuple[Mapping[str, Any], str]] = {}
        self._groups_by_repr: dict[tuple[str, str], dict[tuple[str, str], list[RegistryEntry]]] = {}
        self.dependencies: list[tuple[Dependency, Mapping[str, Any] | None]] = []

    @property
    def loaded(self) -> bool:
        return self._entries is not None

    def _load(self) -> list[RegistryEntry]:
        if self._entries is None:
            self._entries = self._loader() if self._loader else []
            self._by_path = {e.path: e for e in self._entries}
        return self._entries

    def _record(self, dependency: Dependency, params: Mapping[str, Any] | None = None) -> None:
        if self._loader is not None:
            self.dependencies.append((dependency, params))

    def __iter__(self) -> Iterator[RegistryEntry]:
        self._record(("all",))
        return iter(self._load())

    def __len__(self) -> int:
        self._record(("all",))
        return len(self._load())

    def _at(self, path: str) -> RegistryEntry | None:
        if self._entries is None and self._fetch is not None:
            if path not in self._fetched:
                self._fetched[path] = self._fetch(path)
            return self._fetched[path]
        self._load()
        return self._by_path.get(path)

    def _lookup(self, project_id: str) -> RegistryEntry | None:
        for path in canonical_paths(project_id):
            entry = self._at(path)
            if entry is not None:
                return entry if entry.project.id == project_id else None
        return None

    def get(self, project_id: str) -> RegistryEntry | None:
        """The project with this id, read from the one file it must be in (`canonical_paths`)."""
        self._record(("get", project_id))
        return self._lookup(project_id)

    def others(self, project: Project) -> list[RegistryEntry]:
        """Every other project of the same district (O(n): prefer `peers`)."""
        self._record(("district", project.district.value))
        return [
            e for e in self._load() if e.project.id != project.id and e.project.district is project.district
        ]

    def _params_key(self, params: Mapping[str, Any]) -> str:
        # the same params object is passed for every project of a pack: serialise it once
        known = self._params_keys.get(id(params))
        if known is None or known[0] is not params:
            known = (params, json.dumps(params, sort_keys=True, ensure_ascii=False, default=str))
            self._params_keys[id(params)] = known  # holding params keeps its id from being reused
        return known[1]

    def _group(self, name: str, params: Mapping[str, Any]) -> dict[tuple[str, Hashable], list[RegistryEntry]]:
        slot = (name, self._params_key(params))
        groups = self._groups.get(slot)
        if groups is None:
            key_of = REGISTRY_KEYS[name]
            groups = {}
            for entry in self._load():
                key = key_of(entry.project, params)
                if key is not None:
                    groups.setdefault((entry.project.district.value, key), []).append(entry)
            self._groups[slot] = groups
        return groups

    def peers(
        self, name: str, project: Project, params: Mapping[str, Any], key: Hashable | None = None
    ) -> list[RegistryEntry]:
        """The other projects of the same district whose key `name` equals this project's (or `key`,
        where the rule looks for a key it does not have itself: a rejected namesake, say), in
        registry order."""
        if key is None:
            key = REGISTRY_KEYS[name](project, params)
        if key is None:
            return []
        self._record(("peers", name, project.district.value, repr(key)), params)
        group = self._group(name, params).get((project.district.value, key), [])
        return [e for e in group if e.project.id != project.id]

    def digest(self, dependency: Dependency, params: Mapping[str, Any] | None) -> str:
        """What a dependency reads, now: the files and blobs it returns (to validate a cached result)."""
        kind = dependency[0]
        if kind == "get":
            entry = self._lookup(dependency[1])
            return f"{entry.path}@{entry.blob}" if entry else "-"
        self._load()
        if kind == "all":
            found = list(self._load())
        elif kind == "district":
            found = [e for e in self._load() if e.project.district.value == dependency[1]]
        else:
            _kind, name, district, key = dependency
            slot = (name, self._params_key(params or {}))
            by_repr = self._groups_by_repr.get(slot)
            if by_repr is None:
                groups = self._group(name, params or {})
                by_repr = self._groups_by_repr[slot] = {(d, repr(k)): g for (d, k), g in groups.items()}
            found = by_repr.get((district, key), [])
        return hashlib.sha256("|".join(f"{e.path}@{e.blob}" for e in found).encode()).hexdigest()


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
