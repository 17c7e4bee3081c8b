"""The collector is off only while the cache is read back, and a frozen registry is let go after the
build (the tests and `govsite serve` go on in the same process)."""

from __future__ import annotations

import gc

import pytest

from govsite.heap import bulk_load, long_lived


def test_the_collector_runs_again_after_a_bulk_load_even_when_it_fails() -> None:
    assert gc.isenabled()
    with bulk_load():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk_load():
        raise RuntimeError("读回失败")
    assert gc.isenabled()


def test_a_bulk_load_inside_a_disabled_collector_leaves_it_disabled() -> None:
    gc.disable()
    try:
        with bulk_load():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_lives_through_the_build_is_frozen_during_it_only() -> None:
    held = [[] for _ in range(1000)]
    with long_lived():
        assert gc.get_freeze_count() >= len(held)
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), long_lived():
        raise RuntimeError("构建失败")
    assert gc.get_freeze_count() == 0
