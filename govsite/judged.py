"""A file's judged result as the cache keeps it, and a validate answered from those results alone.

Kept free of the model, the rules and the packs: when every file a command names has a cached
result that still holds against an unchanged registry (`govsite validate one.yaml` after a full
validate, the common case for a department checking its file), the run is answered without
importing pydantic or CEL and without loading a pack — the packs' digests and the districts they
declare come from the summary the last run that loaded them wrote (`remember_packs`). Anything
missing or different, and the caller judges as usual (govsite/registry.py), which gives the same
output: both finish a result with `finish` and `one_namespace`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsite import districts
from govsite.cache import Cache, blob_id
from govsite.fileids import FileIds
from govsite.layout import TreeEntry, collision_finding, namespace_collisions, namespace_key, path_findings
from govsite.result import ProjectResult, RunResult
from govsite.tree import CALENDARS, calendar_digest, is_judged, read_bytes_under, registry_state, targets

if TYPE_CHECKING:
    from govsite.model import Project

Dependency = tuple[str, ...]  # as govsite.policy.named.common records a lookup


@dataclass
class Judged:
    """One file's result with what it read: the registry lookups and the files, as digests."""

    result: ProjectResult
    dependencies: list[tuple[Dependency, Mapping[str, Any] | None, str]]
    reads: dict[str, str]
    registry: str = ""  # the registry it was judged against (`registry_state`)


def run_settings(pack_digests: Sequence[str], today: dt.date, calendars: Path) -> str:
    """The digest of packs, date, calendars and broken packs: part of every result key."""
    parts = [*pack_digests, today.isoformat(), calendar_digest(calendars), districts.broken_summary()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def result_key(settings: str, path: str, blob: str) -> str:
    return hashlib.sha256(f"{settings}\0{path}\0{blob}".encode()).hexdigest()


def finish(
    judged: Judged, entry: TreeEntry, reads: dict[str, str], project: Project | None = None
) -> ProjectResult:
    """The run's result for a file from its judged result: the layout findings of its path first."""
    reads.update(judged.reads)
    result = replace(judged.result, project=project)
    result.findings = [*path_findings(entry), *judged.result.findings]
    return result


def duplicate_ids(results: Sequence[ProjectResult]) -> None:
    """Two files may not claim one project id; both get the finding, naming the other."""
    by_id: dict[str, list[ProjectResult]] = defaultdict(list)
    for result in results:
        if result.project_id:
            by_id[result.project_id].append(result)
    for project_id, holders in by_id.items():
        if len(holders) < 2:
            continue
        for holder in holders:
            others = tuple(h.path for h in holders if h is not holder)
            if any(f.rule == "duplicate-id" for f in holder.findings):
                continue  # the namespace check has said it already
            holder.findings.insert(0, collision_finding(project_id, others))


def one_namespace(results: Sequence[ProjectResult], tree: Sequence[TreeEntry]) -> None:
    """A file asked for collides with any file of the registry, asked for or not; and two files
    may not claim one id."""
    collisions = namespace_collisions(e.path for e in tree)
    for result in results:
        others = collisions.get(result.path)
        if others:
            key = namespace_key(result.path) or result.path
            result.findings.insert(0, collision_finding(key, others))
    duplicate_ids(results)


PACKS_KIND = "packs"


def remember_packs(cache: Cache, key: str, pack_digests: Sequence[str]) -> None:
    """After loading the packs: their digests and what the district registry now knows."""
    cache.put(PACKS_KIND, key, (tuple(pack_digests), districts.snapshot()))


def answer_from_cache(
    paths: Sequence[Path],
    root: Path,
    today: dt.date,
    cache: Cache,
    ids: FileIds,
    tree: Sequence[TreeEntry],
    packs: str,
    reads: dict[str, str],
) -> RunResult | None:
    """The run, if every file it names has a cached result judged against the registry as it is
    now; else None (and nothing changed but the district registry, which loading packs resets)."""
    summary = cache.get(PACKS_KIND, packs) if packs else None
    if not (isinstance(summary, tuple) and len(summary) == 2):
        return None
    pack_digests, known = summary
    districts.restore(known)
    settings = run_settings(pack_digests, today, root / CALENDARS)
    state = registry_state(tree, ids)
    read = read_bytes_under(root)
    base = os.path.abspath(root)
    results: list[ProjectResult] = []
    found: dict[str, str] = {}
    for item, entry in targets(paths, root):
        if not is_judged(entry):
            if problems := path_findings(entry):
                results.append(ProjectResult(path=entry.path, findings=list(problems)))
            continue
        if os.path.abspath(item) == os.path.join(base, entry.path):
            blob = ids.of(entry.path)
        else:  # a draft named outside the registry
            try:
                blob = blob_id(item.read_bytes())
            except OSError:
                return None
        judged = cache.get("result", result_key(settings, entry.path, blob)) if blob else None
        if not (isinstance(judged, Judged) and judged.registry and judged.registry == state):
            return None
        for relative, digest in judged.reads.items():
            data = read(relative)
            if (blob_id(data) if data is not None else "-") != digest:
                return None
        results.append(finish(judged, entry, found))
    one_namespace(results, tree)
    reads.update(found)
    return RunResult(mode="validate", projects=results)
