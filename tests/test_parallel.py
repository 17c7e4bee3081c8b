"""Heavy independent tasks side by side: each in a forked worker, results in the order asked."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from govsite.parallel import side_by_side


def _tasks() -> list[Callable[[], tuple[int, int]]]:
    return [lambda n=n: (n, os.getpid()) for n in range(3)]


def test_tasks_run_in_workers_and_come_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_JOBS", "2")
    results = side_by_side(_tasks())
    assert [n for n, _pid in results] == [0, 1, 2]
    assert os.getpid() not in {pid for _n, pid in results}


@pytest.mark.parametrize(("jobs", "worth_it"), [("1", True), ("2", False)])
def test_one_core_or_small_work_stays_in_this_process(
    monkeypatch: pytest.MonkeyPatch, jobs: str, worth_it: bool
) -> None:
    monkeypatch.setenv("GOVSITE_JOBS", jobs)
    assert side_by_side(_tasks(), worth_it=worth_it) == [(n, os.getpid()) for n in range(3)]


def test_a_failing_task_fails_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_JOBS", "2")

    def broken() -> int:
        raise ValueError("坏了")

    with pytest.raises(ValueError, match="坏了"):
        side_by_side([lambda: 1, broken])
