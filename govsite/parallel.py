"""Use every core for the work of a large run, with results in the order of the input.

Work is handed to forked worker processes: they inherit what the parent has already built (the
parsed registry, the compiled packs) without pickling it, and send back only their results.
`imap` keeps the input's order, so output is the same whatever the number of workers. Small runs,
platforms without fork and `GOVSITE_JOBS=1` stay in one process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from govsite.heap import bulk_load, long_lived

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting workers costs more than it saves (`GOVSITE_MIN_PARALLEL` to test).
MIN_ITEMS = 128


def min_items() -> int:
    wanted = os.environ.get("GOVSITE_MIN_PARALLEL", "")
    return int(wanted) if wanted.isdigit() and int(wanted) > 1 else MIN_ITEMS


_work: Callable[[Any], Any] | None = None  # the function forked workers run, set before the fork


def jobs() -> int:
    """Worker processes to use: `GOVSITE_JOBS`, else one per core this process may use."""
    wanted = os.environ.get("GOVSITE_JOBS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _run(item: Any) -> Any:
    assert _work is not None
    return _work(item)


def ordered_map(work: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """`[work(item) for item in items]`, spread over the cores where that pays."""
    return list(ordered_imap(work, items))


def ordered_imap(work: Callable[[Item], Result], items: Sequence[Item]) -> Iterator[Result]:
    """`(work(item) for item in items)`, spread over the cores where that pays; results arrive in
    order, as they are done, so a caller can write each away instead of holding them all."""
    least = min_items()
    workers = min(jobs(), max(1, len(items) // (least // 2)))
    if (
        workers < 2
        or len(items) < least
        or sys.platform == "win32"
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        yield from (work(item) for item in items)
        return
    global _work
    _work = work
    collecting = gc.isenabled()
    try:
        # What the workers inherit is frozen first: their collector then never walks it (nor writes
        # to its pages, which would copy them). The parent unpickles the results with the collector
        # off: on, it walked the growing heap again and again, 590 us a parsed file against 130.
        with long_lived(), bulk_load():
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, initializer=_start_worker, initargs=(collecting,)) as pool:
                yield from pool.imap(_run, items, chunksize=max(1, min(64, len(items) // (workers * 8))))
    finally:
        _work = None


def _start_worker(collecting: bool) -> None:
    if collecting:
        gc.enable()  # forked while the parent had it off; a worker makes and frees its own garbage
