"""The files of one run, each read and parsed once, and their parse results cached by content.

A run reads a file's bytes once, names them by their git blob id, and parses and schema-checks them
once: the project being judged and the same project seen by another project's rule across the
registry are one object. Parse results are cached under the blob id (with the path, since findings
carry it, and govsite's code version), so a warm run parses only what changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from govsite.cache import NO_CACHE, Cache, blob_id, code_version
from govsite.fileids import FileIds
from govsite.findings import Finding
from govsite.model import Project
from govsite.parallel import ordered_map
from govsite.policy.named.common import RegistryEntry, compute_keys
from govsite.policy.pack import PolicyPack
from govsite.privacy import personal_data_findings
from govsite.tree import index_key
from govsite.validation import validate_project
from govsite.yamlload import LoadedDocument, load_bytes, load_file


@dataclass
class Parsed:
    """One file, loaded and schema-checked: the document (for positions), the project if it is one,
    and the findings so far."""

    doc: LoadedDocument
    project: Project | None
    findings: list[Finding] = field(default_factory=list)
    blob: str = ""


def parse_key(path: str, blob: str) -> str:
    return hashlib.sha256(f"{code_version()}\0{path}\0{blob}".encode()).hexdigest()


def parse_file(item: Path, path: str, cache: Cache = NO_CACHE) -> Parsed:
    """Read and parse one file (cached by its blob id); an unreadable file is a parse result too."""
    try:
        raw = item.read_bytes()
    except OSError:
        doc = load_file(item, path)  # the loader words the error
        return Parsed(doc, None, list(doc.errors))
    return parse_bytes(raw, path, cache)


def parse_bytes(raw: bytes, path: str, cache: Cache = NO_CACHE) -> Parsed:
    blob = blob_id(raw)
    key = parse_key(path, blob)
    cached = cache.get("parse", key)
    if isinstance(cached, Parsed):
        return cached
    return _parse_new(raw, path, blob, cache)


def _parse_new(raw: bytes, path: str, blob: str, cache: Cache = NO_CACHE) -> Parsed:
    """Parse and schema-check bytes the cache does not know, and store the result (in a forked
    worker, there: pickling 10,000 results for the cache was a third of the parent's work)."""
    doc = load_bytes(raw, path)
    project, findings = validate_project(doc)
    if doc.ok:  # 保密审查: a file that reads is public record, and must carry no personal numbers
        findings = [*findings, *personal_data_findings(raw.decode("utf-8-sig"))]
    parsed = Parsed(doc, project, findings, blob)
    store(cache, parse_key(path, blob), parsed)
    return parsed


def store(cache: Cache, key: str, parsed: Parsed) -> None:
    cache.put("parse", key, parsed)
    if parsed.project is not None:
        cache.put("project", key, parsed.project)  # the project alone: what a run that judges nothing needs


class Corpus:
    """The files a run has parsed, by repository path: each is parsed at most once per run."""

    def __init__(self, root: Path, cache: Cache = NO_CACHE, ids: FileIds | None = None) -> None:
        self.root = root
        self.cache = cache
        self.ids = ids or FileIds(root, cache)
        self._parsed: dict[str, Parsed] = {}
        self._blobs: dict[str, str] = {}

    def has(self, path: str) -> bool:
        return path in self._parsed

    def blob(self, item: Path, path: str) -> str:
        """The file's blob id ("" if it cannot be read), reading it once."""
        if path in self._parsed:
            return self._parsed[path].blob
        if os.path.abspath(item) == os.path.join(self.ids.base, path):
            return self.ids.of(path)  # a file of the registry, however the command line named it
        if path not in self._blobs:  # a draft named outside the registry
            try:
                self._blobs[path] = blob_id(item.read_bytes())
            except OSError:
                self._blobs[path] = ""
        return self._blobs[path]

    def project(self, item: Path, path: str) -> Project | None:
        """The file's project: parsed this run, else the cached project alone (a small fraction of
        a parse entry to read back), else parsed now."""
        if path not in self._parsed:
            blob = self.blob(item, path)
            cached = self.cache.get("project", parse_key(path, blob)) if blob else None
            if isinstance(cached, Project):
                return cached
        return self.parsed(item, path).project

    def parsed(self, item: Path, path: str) -> Parsed:
        found = self._parsed.get(path)
        if found is None:
            found = self._parsed[path] = parse_file(item, path, self.cache)
        return found

    def parse_all(self, paths: Iterable[str]) -> None:
        """Parse every path not yet parsed: cached results read here, the rest parsed on every core."""
        todo: list[tuple[bytes, str]] = []
        for path in paths:
            if path in self._parsed:
                continue
            blob = self.ids.of(path) if self.cache.enabled else ""
            cached = self.cache.get("parse", parse_key(path, blob)) if blob else None
            if isinstance(cached, Parsed) and cached.blob == blob:
                self._parsed[path] = cached
                continue
            raw = self.ids.read(path)
            if raw is None:
                self.parsed(self.root / path, path)
            else:
                todo.append((raw, path))

        def parse(job: tuple[bytes, str]) -> Parsed:
            return _parse_new(job[0], job[1], blob_id(job[0]), self.cache)  # stored in the worker

        for (_raw, path), parsed in zip(todo, ordered_map(parse, todo), strict=True):
            self._parsed[path] = parsed


def _loader(read: Callable[[list[str]], dict[str, bytes]], cache: Cache) -> Callable[[str, str], Project]:
    """How an entry of a cached index loads its project: the parse cache, else the blob itself."""

    def load(path: str, blob: str) -> Project:
        cached = cache.get("parse", parse_key(path, blob))
        parsed = (
            cached if isinstance(cached, Parsed) else parse_bytes(read([blob]).get(blob, b""), path, cache)
        )
        if parsed.project is None:  # the index holds only files that loaded: this one changed under us
            raise RuntimeError(f"{path} ({blob[:12]}) no longer loads as a project")
        return parsed.project

    return load


def registry_index(
    files: Sequence[tuple[str, str]],
    read: Callable[[list[str]], dict[str, bytes]],
    cache: Cache = NO_CACHE,
    base: Sequence[tuple[str, str]] = (),
    packs: Sequence[PolicyPack] = (),
) -> list[RegistryEntry]:
    """The projects of a registry given as (path, blob id) pairs, in that order: from the cached
    index of exactly these files, else reusing the cached index of `base` (the target branch, of
    which a pull request changes a few files) and the parse cache, and parsing the rest, read in
    one batch by `read` (blob ids → bytes). Entries from an index load their project when a rule
    first reads it; their registry keys come computed."""
    load = _loader(read, cache)
    key = index_key(files, packs)
    cached = cache.get("index", key)
    if isinstance(cached, list):
        return [entry.bind(load) for entry in cached]
    known: dict[tuple[str, str], RegistryEntry] = {}
    # the base branch's index, else the index this cache wrote last (a registry one edit ago)
    for previous_key in (index_key(base, packs) if base else "", cache.get("index", LATEST)):
        previous = (
            cache.get("index", previous_key) if isinstance(previous_key, str) and previous_key else None
        )
        if isinstance(previous, list):
            known = {(e.path, e.blob): e.bind(load) for e in previous}
            break
    parsed: dict[tuple[str, str], Parsed] = {}
    todo = []
    for path, blob in files:
        if (path, blob) in known:
            continue
        hit = cache.get("parse", parse_key(path, blob))
        if isinstance(hit, Parsed):
            parsed[(path, blob)] = hit
        else:
            todo.append((path, blob))
    contents = read([blob for _path, blob in todo]) if todo else {}
    jobs = [(contents.get(blob, b""), path, blob in contents) for path, blob in todo]

    def parse(job: tuple[bytes, str, bool]) -> Parsed:
        raw, path, read_ = job  # stored where it is parsed (a worker), if it was read
        return _parse_new(raw, path, blob_id(raw), cache if read_ else NO_CACHE)

    for (path, blob), result in zip(todo, ordered_map(parse, jobs), strict=True):
        parsed[(path, blob)] = result
    entries = []
    fresh = []
    for path, blob in files:
        entry = known.get((path, blob))
        if entry is None:
            result = parsed[(path, blob)]
            if result.project is None:
                continue
            entry = RegistryEntry(path, result.project, blob)
            fresh.append(entry)
        entries.append(entry)
    compute_keys(fresh, packs)
    remember_index(cache, key, entries)
    return entries


LATEST = "0" * 64  # the slot naming the index written last


def remember_index(cache: Cache, key: str, entries: list[RegistryEntry]) -> None:
    cache.put("index", key, entries)
    cache.put("index", LATEST, key)
