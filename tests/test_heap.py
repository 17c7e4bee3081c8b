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


def test_a_bulk_load_in_a_long_lived_block_is_frozen_with_it_and_let_go_after() -> None:
    """The first collections after a bulk load would walk all it made: inside a build it is frozen
    as soon as it is made; outside one (validate, check) it is left to the collector."""
    with bulk_load():
        loose = [[] for _ in range(1000)]
    assert gc.get_freeze_count() == 0
    with long_lived():
        before = gc.get_freeze_count()
        with bulk_load():
            loaded = [[] for _ in range(1000)]
        assert gc.get_freeze_count() >= before + len(loaded)
        with long_lived():  # a block inside another lets nothing go when it ends
            pass
        assert gc.get_freeze_count() >= before + len(loaded)
    assert gc.get_freeze_count() == 0
    assert len(loose) == len(loaded)
