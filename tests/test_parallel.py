"""Work spread over forked workers: results in input order, and the collector as each side needs it
(the inherited heap frozen, the workers collecting their own garbage, the parent's state as it was)."""

from __future__ import annotations

import gc
import os

import pytest

from govsite.parallel import ordered_map


def _state(n: int) -> tuple[int, int, bool, bool]:
    return n, os.getpid(), gc.isenabled(), gc.get_freeze_count() > 0


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_JOBS", "2")
    monkeypatch.setenv("GOVSITE_MIN_PARALLEL", "2")


@pytest.mark.usefixtures("two_workers")
def test_results_come_back_in_order_from_workers() -> None:
    results = ordered_map(_state, list(range(40)))
    assert [n for n, *_ in results] == list(range(40))
    assert os.getpid() not in {pid for _n, pid, *_ in results}


@pytest.mark.usefixtures("two_workers")
def test_workers_collect_and_leave_what_they_inherit_alone() -> None:
    assert gc.isenabled()
    results = ordered_map(_state, list(range(8)))
    assert all(enabled for *_, enabled, _frozen in results)  # the parent had it off while they ran
    assert all(frozen for *_, frozen in results)
    assert gc.isenabled()  # and the parent's is on again
    assert gc.get_freeze_count() == 0  # nothing left frozen outside a long_lived block


@pytest.mark.usefixtures("two_workers")
def test_a_worker_that_starts_with_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    try:
        results = ordered_map(_state, list(range(8)))
        assert not any(enabled for *_, enabled, _frozen in results)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_one_job_stays_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_JOBS", "1")
    assert {pid for _n, pid, *_ in ordered_map(_state, list(range(300)))} == {os.getpid()}
