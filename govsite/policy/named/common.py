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
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
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


ProjectLoader = Callable[[str, str], Project]


class RegistryEntry:
    """One project of the registry: its file, blob id, id and district, and the project itself.

    An entry from a cached registry index carries its registry keys already computed (`keys`) and
    loads its project only when a rule reads it: a pull request's check that compares three files
    with their peers unpickles a small index, not 10,000 projects.
    """

    __slots__ = ("_load", "_project", "blob", "district", "keys", "path", "project_id")

    def __init__(self, path: str, project: Project, blob: str = "") -> None:
        self.path = path
        self.blob = blob  # the file's git blob id, where known (what the results cache depends on)
        self._project: Project | None = project
        self._load: ProjectLoader | None = None
        self.project_id = project.id
        self.district = project.district.value
        self.keys: dict[tuple[str, str], Hashable | None] = {}

    @classmethod
    def lazy(
        cls,
        path: str,
        blob: str,
        project_id: str,
        district: str,
        keys: dict[tuple[str, str], Hashable | None],
    ) -> RegistryEntry:
        entry = cls.__new__(cls)
        entry.path, entry.blob, entry.project_id, entry.district, entry.keys = (
            path,
            blob,
            project_id,
            district,
            keys,
        )
        entry._project, entry._load = None, None
        return entry

    @property
    def is_loaded(self) -> bool:
        return self._project is not None

    def bind(self, load: ProjectLoader) -> RegistryEntry:
        self._load = load
        return self

    @property
    def project(self) -> Project:
        if self._project is None:
            if self._load is None:
                raise RuntimeError(f"registry entry {self.path} has no project and no loader")
            self._project = self._load(self.path, self.blob)
        return self._project

    def __getstate__(self) -> dict[str, Any]:
        # an index stores what finds a project, not the project: it is loaded from the parse cache
        return {
            "path": self.path,
            "blob": self.blob,
            "project_id": self.project_id,
            "district": self.district,
            "keys": self.keys,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in ("path", "blob", "project_id", "district", "keys"):
            setattr(self, name, state[name])
        self._project, self._load = None, None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RegistryEntry) and (other.path, other.blob) == (self.path, self.blob)

    def __hash__(self) -> int:
        return hash((self.path, self.blob))

    def __repr__(self) -> str:
        return f"RegistryEntry({self.path!r}, {self.project_id!r}, blob={self.blob[:12]!r})"


def params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)


def compute_keys(entries: list[RegistryEntry], packs: Sequence[Any]) -> None:
    """Every registered key of every entry, with the params of each pack of its district: what a
    cached index answers `peers` from without loading a project."""
    for pack in packs:
        district, key = pack.meta.district.value, params_key(pack.meta.params)
        for entry in entries:
            if entry.district != district:
                continue
            for name, key_of in REGISTRY_KEYS.items():
                try:
                    entry.keys[(name, key)] = key_of(entry.project, pack.meta.params)
                except Exception:  # a key of another district's rules, meaningless with these params
                    continue  # `peers` computes it from the project if it is ever asked


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
                return entry if entry.project_id == project_id else None
        return None

    def get(self, project_id: str) -> RegistryEntry | None:
        """The project with this id, read from the one file it must be in (`canonical_paths`)."""
        self._record(("get", project_id))
        return self._lookup(project_id)

    def _params_key(self, params: Mapping[str, Any]) -> str:
        # the same params object is passed for every project of a pack: serialise it once
        known = self._params_keys.get(id(params))
        if known is None or known[0] is not params:
            known = (params, params_key(params))
            self._params_keys[id(params)] = known  # holding params keeps its id from being reused
        return known[1]

    def _group(self, name: str, params: Mapping[str, Any]) -> dict[tuple[str, Hashable], list[RegistryEntry]]:
        slot = (name, self._params_key(params))
        groups = self._groups.get(slot)
        if groups is None:
            key_of = REGISTRY_KEYS[name]
            groups = {}
            entries = self._load()
            # An index computes a pack's keys for the projects of its district: only those can be
            # anyone's peers under this pack's params (peers are always of the asker's district).
            indexed = {e.district for e in entries if slot in e.keys}
            for entry in entries:
                if slot in entry.keys:
                    key = entry.keys[slot]
                elif indexed and entry.district not in indexed:
                    continue
                else:
                    key = key_of(entry.project, params)
                if key is not None:
                    groups.setdefault((entry.district, key), []).append(entry)
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
        return [e for e in group if e.project_id != project.id]

    def digest(self, dependency: Dependency, params: Mapping[str, Any] | None) -> str:
        """What a dependency reads, now: the files and blobs it returns (to validate a cached result)."""
        kind = dependency[0]
        if kind == "get":
            entry = self._lookup(dependency[1])
            return f"{entry.path}@{entry.blob}" if entry else "-"
        self._load()
        if kind == "all":
            found = list(self._load())
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


def fold_name(text: str) -> str:
    """A unit's or system's name as people mean it: full- and half-width alike, spaces ignored,
    case folded (区大数据中心 and 区大数据中心 , ＡＢＣ and abc compare equal)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


def describe(entry: RegistryEntry) -> str:
    """How a finding names another project: its id, name and file."""
    return f"{entry.project.id}“{entry.project.name}”（{entry.path}）"
