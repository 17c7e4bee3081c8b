"""`govsite validate` as one function: the report, from the cheapest source that still holds.

In order: the report text of a run whose every input is unchanged (`tree.validation_key`); the
whole run's result, rendered again; every named file's own cached result, read back without the
model or the packs (`judged.answer_from_cache`); else the files are judged (`registry`). Each
source is written for the next run. The CLI parses arguments and prints; this module decides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from govsite.cache import Cache
from govsite.config import load_config
from govsite.errors import GovsiteError
from govsite.fileids import FileIds
from govsite.heap import long_lived
from govsite.report.formats import Report, render
from govsite.resources import pack_folders
from govsite.tree import packs_key, reads_hold, registry_tree, validation_key


def validate_report(
    root: Path, named: Sequence[str], today: dt.date, policies_dir: str, fmt: str, fail_on: str
) -> Report:
    # a city's run holds 10,000 parsed files to the end: the collector leaves them be (govsite/heap.py)
    with long_lived():
        return _validate_report(root, named, today, policies_dir, fmt, fail_on)


def _validate_report(
    root: Path, named: Sequence[str], today: dt.date, policies_dir: str, fmt: str, fail_on: str
) -> Report:
    config = load_config(root)
    policies = pack_folders(root, policies_dir)  # before anything else is looked at
    paths = [Path(p) for p in named] or [root / "submissions"]
    for path in paths:
        if not path.exists():
            raise GovsiteError(f"找不到 {path}", "给出项目文件或 submissions/ 下的目录。")
    cache = Cache(root)
    ids = FileIds(root, cache)
    tree = registry_tree(root)  # listed once, for the run's key and for the run
    # a run over unchanged files, packs and date is read back whole (reporters need no Project)
    packs = packs_key(policies, repr(config.districts)) if cache.enabled else ""
    key = validation_key(paths, root, today, packs, ids, tree) if cache.enabled else ""
    # the report itself, for a run read back whole: a city's run is 80 MB to unpickle and seconds
    # to render, its report a few MB of text. Not GitHub's: its stop-commands token must be new on
    # every run (report/github.py), so that no file can guess it and end the block.
    report_key = (
        hashlib.sha256(f"{key}\0{fmt}\0{fail_on}\0{config.site.url}".encode()).hexdigest()
        if key and fmt != "github"
        else ""
    )
    reported = cache.get("report", report_key) if report_key else None
    if isinstance(reported, tuple) and len(reported) == 4 and reads_hold(root, reported[3]):
        ids.save()
        return reported[:3]
    stored = cache.get("run", key) if key else None
    reads: dict[str, str] = {}
    if isinstance(stored, tuple) and len(stored) == 2 and reads_hold(root, stored[1]):
        run, reads = stored
    else:
        from govsite.judged import answer_from_cache, remember_packs
        from govsite.resources import broken_notes

        # the files' results alone, without the model or the packs, where they all hold
        quick = answer_from_cache(paths, root, today, cache, ids, tree, packs, reads) if packs else None
        if quick is not None:
            run = quick
        else:
            from govsite.registry import validate_paths
            from govsite.resources import registry_packs

            loaded = registry_packs(root, policies_dir, cache, config, isolate=True)
            if packs:
                remember_packs(cache, packs, [p.digest for p in loaded])
            run = validate_paths(paths, loaded, root, today, cache, reads, ids, tree, projects=False)
        run.notes += broken_notes()
        if key:
            cache.put("run", key, (run, reads))
    ids.save()
    run.site_url = config.site.url
    report = render(run, fmt, fail_on)
    if report_key:
        cache.put("report", report_key, (*report, reads))
    return report
