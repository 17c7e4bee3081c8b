"""Judge the project files on disk; the file-system edge of `govsite validate`.

Files are listed by `govsite.tree` (links reported, never followed) and parsed once per run by
`govsite.corpus`; each file's result is cached with what it read (`Judged`). Every path under submissions/ is held to the layout rules, and the ids the files claim
form one namespace across the whole registry (`govsite.layout`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from govsite.cache import NO_CACHE, Cache, blob_id
from govsite.corpus import Corpus, registry_index, remember_index
from govsite.fileids import FileIds
from govsite.heap import bulk_load
from govsite.judge import internal_error, judge_validate
from govsite.judged import Judged, finish, one_namespace, result_key, run_settings
from govsite.layout import (
    SUBMISSIONS,
    TreeEntry,
    path_findings,
)
from govsite.parallel import min_items, ordered_map
from govsite.policy.named.common import RegistryEntry, RegistryView, compute_keys
from govsite.policy.pack import PolicyPack
from govsite.result import ProjectResult, RunResult
from govsite.tree import (
    CALENDARS,
    index_key,
    is_judged,
    read_bytes_under,
    registry_state,
    registry_tree,
    targets,
)
from govsite.workdays import WorkingCalendar, load_calendars


def load_registry(
    root: Path,
    corpus: Corpus | None = None,
    tree: Sequence[TreeEntry] | None = None,
    packs: Sequence[PolicyPack] = (),
) -> list[RegistryEntry]:
    """Every project of the registry that loads, each file parsed once per run.

    A run that has parsed most files already (a full validate) builds the list from them; one that
    has not (validate of one file, whose rule looks across the registry) reads the cached index of
    exactly these files, which costs reading and hashing them, not unpickling each one's parse.
    """
    corpus = corpus or Corpus(root)
    paths = [e.path for e in (registry_tree(root) if tree is None else tree) if is_judged(e)]
    if corpus.cache.enabled and sum(1 for p in paths if not corpus.has(p)) > len(paths) // 2:
        files = [(path, blob) for path in paths if (blob := corpus.ids.of(path))]
        where = {blob: path for path, blob in files}

        def read(wanted: list[str]) -> dict[str, bytes]:
            # only the files the index and the parse cache do not know are read, and a file that
            # changed since its id was taken is not passed off as that id
            found = {}
            for blob in wanted:
                data = corpus.ids.read(where[blob]) if blob in where else None
                if data is not None and blob_id(data) == blob:
                    found[blob] = data
            return found

        return registry_index(files, read, corpus.cache, packs=packs)
    corpus.parse_all(paths)
    entries = []
    files = []
    for path in paths:
        parsed = corpus.parsed(root / path, path)
        files.append((path, parsed.blob))
        if parsed.project is not None:
            entries.append(RegistryEntry(path, parsed.project, parsed.blob))
    if corpus.cache.enabled:
        compute_keys(entries, packs)
        remember_index(corpus.cache, index_key(files, packs), entries)
    return entries


def _fetcher(root: Path, corpus: Corpus, tree: Sequence[TreeEntry]) -> Callable[[str], RegistryEntry | None]:
    """One registry file by path, parsed through the corpus: what a lookup by id reads."""
    kinds = {e.path: e for e in tree}

    def fetch(path: str) -> RegistryEntry | None:
        entry = kinds.get(path)
        if entry is None or not is_judged(entry):
            return None
        parsed = corpus.parsed(root / path, path)
        return RegistryEntry(path, parsed.project, parsed.blob) if parsed.project is not None else None

    return fetch


class _RecordingReader:
    """The reader rules get for material files, noting what each read returned (a cached result
    is reused only while the files it read are unchanged)."""

    def __init__(self, read: Callable[[str], bytes | None]) -> None:
        self._read = read
        self.reads: dict[str, str] = {}

    def __call__(self, relative: str) -> bytes | None:
        data = self._read(relative)
        self.reads[relative] = blob_id(data) if data is not None else "-"
        return data


@dataclass
class _Run:
    """What every file of one validate run is judged with."""

    packs: Sequence[PolicyPack]
    today: dt.date
    registry: RegistryView
    read: Callable[[str], bytes | None]
    calendar: WorkingCalendar
    corpus: Corpus
    cache: Cache
    settings: str  # the digest of packs, today and calendars: part of every result key
    reads: dict[str, str]  # every file read as a material, by any result: what a run's cache entry checks
    registry_state: str = ""  # every file of the registry, by path and blob id, as one digest
    projects: bool = True  # results carry their Project (the site needs them, a report does not)


def _judge(run: _Run, item: Path, path: str) -> Judged:
    parsed = run.corpus.parsed(item, path)
    run.registry.dependencies = []
    reader = _RecordingReader(run.read)
    try:
        result = judge_validate(
            parsed.doc,
            run.packs,
            run.today,
            run.registry,
            reader,
            run.calendar,
            (parsed.project, parsed.findings),
        )
    except Exception as exc:  # one defect in govsite is one file's finding, not the end of the run
        result = internal_error(path, exc)
    dependencies = [(d, params, run.registry.digest(d, params)) for d, params in run.registry.dependencies]
    return Judged(replace(result, project=None), dependencies, reader.reads, run.registry_state)


def _still_valid(run: _Run, judged: Judged) -> bool:
    """A cached result holds while every project and file it read is as it was. Against a registry
    with every file as it was, the projects it read are too: they are not looked up (which would
    load the registry's index) — the common case of validating one file of an unchanged registry."""
    unchanged = bool(run.registry_state) and judged.registry == run.registry_state
    for dependency, params, digest in [] if unchanged else judged.dependencies:
        if run.registry.digest(dependency, params) != digest:
            return False
    for relative, blob in judged.reads.items():
        data = run.read(relative)
        if (blob_id(data) if data is not None else "-") != blob:
            return False
    return True


def _cached(run: _Run, item: Path, entry: TreeEntry) -> tuple[str, Judged | None]:
    """The file's result key, and its cached result if that still holds."""
    blob = run.corpus.blob(item, entry.path) if run.cache.enabled else ""
    key = result_key(run.settings, entry.path, blob) if blob else ""
    cached = run.cache.get("result", key) if key else None
    if isinstance(cached, Judged) and _still_valid(run, cached):
        return key, cached
    return key, None


def _finish_entry(run: _Run, item: Path, entry: TreeEntry, judged: Judged) -> ProjectResult:
    project = run.corpus.project(item, entry.path) if run.projects and judged.result.project_id else None
    return finish(judged, entry, run.reads, project)


def _judge_targets(run: _Run, listed: Sequence[tuple[Path, TreeEntry]]) -> list[ProjectResult]:
    """Each file's result, from the cache where it holds; the rest judged on every core."""
    slots: dict[int, Judged] = {}
    keys: dict[int, str] = {}
    pending: list[int] = []
    with bulk_load():
        for index, (item, entry) in enumerate(listed):
            if not is_judged(entry):
                continue
            keys[index], cached = _cached(run, item, entry)
            if cached is not None:
                slots[index] = cached
            else:
                pending.append(index)
    if len(pending) >= min_items():
        # many to judge: parse them up front on every core, and load the registry before the
        # workers fork, so that they share it instead of each parsing it again
        run.corpus.parse_all(
            p for _item, p in (_item_path(listed[i]) for i in pending) if p.startswith(SUBMISSIONS + "/")
        )
        len(run.registry)
        run.registry.dependencies = []

    def judge(index: int) -> Judged:
        judged = _judge(run, *_item_path(listed[index]))
        if keys[index]:  # stored where it is judged (a worker): the parent only collects
            run.cache.put("result", keys[index], judged)
        return judged

    for index, judged in zip(pending, ordered_map(judge, pending), strict=True):
        slots[index] = judged
    results: list[ProjectResult] = []
    with bulk_load():  # the projects, unpickled
        for index, (item, entry) in enumerate(listed):
            if index in slots:
                results.append(_finish_entry(run, item, entry, slots[index]))
            elif problems := path_findings(entry):
                results.append(ProjectResult(path=entry.path, findings=list(problems)))
    return results


def _item_path(target: tuple[Path, TreeEntry]) -> tuple[Path, str]:
    return target[0], target[1].path


def validate_paths(
    paths: Sequence[Path],
    packs: Sequence[PolicyPack],
    root: Path,
    today: dt.date,
    cache: Cache = NO_CACHE,
    reads: dict[str, str] | None = None,
    ids: FileIds | None = None,
    tree: Sequence[TreeEntry] | None = None,
    projects: bool = True,
) -> RunResult:
    """Judge the files `paths` name against the whole registry under `root`. `reads` collects the
    material files judging read (path → blob id), for a cache of the whole run; `ids` knows the
    blob ids of the registry's files (from their stat, see govsite.fileids) and `tree` lists them,
    when the caller has already. `projects=False`: results without their Project, for a report
    (unpickling 10,000 cached projects took a third of a validate after one edit)."""
    run = RunResult(mode="validate")
    corpus = Corpus(root, cache, ids)
    # rules across the registry see every project of the registry, not only the files asked for
    tree = registry_tree(root) if tree is None else tree
    registry = RegistryView(lambda: load_registry(root, corpus, tree, packs), _fetcher(root, corpus, tree))
    state = registry_state(tree, corpus.ids) if cache.enabled else ""
    calendars = root / CALENDARS
    settings = run_settings([p.digest for p in packs], today, calendars)
    context = _Run(
        packs,
        today,
        registry,
        read_bytes_under(root),
        load_calendars(calendars),
        corpus,
        cache,
        settings,
        reads if reads is not None else {},
        state,
        projects,
    )
    run.projects = _judge_targets(context, targets(paths, root))
    one_namespace(run.projects, tree)
    corpus.ids.save()
    return run
