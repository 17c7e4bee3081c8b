"""Blob ids remembered by stat (govsite.fileids) are never stale: any change to a file's bytes gives
its new id, however the change was made — same size, mtime set back, the file replaced by another,
written twice within the clock's resolution. Checked against `git hash-object` on real files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import govsite.fileids as fileids
from govsite.cache import Cache
from govsite.fileids import RACY_SECONDS, FileIds
from govsite.layout import path_parts, path_stem, path_suffix

NAME = "submissions/minhang/MH-2026-001.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cache:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("GOVSITE_NO_CACHE", raising=False)
    return Cache(tmp_path)


def git_id(path: Path) -> str:
    return subprocess.run(
        ["git", "hash-object", "--no-filters", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()


def write(root: Path, text: str) -> Path:
    path = root / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class Hashes:
    """Counts the files FileIds reads and hashes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = fileids.blob_id

        def counted(data: bytes) -> str:
            self.count += 1
            return real(data)

        monkeypatch.setattr(fileids, "blob_id", counted)


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The clock `seconds` ahead: files written now count as settled."""
    now = fileids.time.time_ns
    monkeypatch.setattr(fileids.time, "time_ns", lambda: now() + int(seconds * 1e9))


def remembered(tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file whose id a previous run hashed and remembered."""
    path = write(tmp_path, "id: MH-2026-001\nname: 甲\n")
    later(monkeypatch, RACY_SECONDS + 1)
    ids = FileIds(tmp_path, cache)
    assert ids.of(NAME) == git_id(path)
    ids.save()
    return path


def test_an_unchanged_file_is_not_read_again(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = remembered(tmp_path, cache, monkeypatch)
    hashes = Hashes(monkeypatch)
    assert FileIds(tmp_path, cache).of(NAME) == git_id(path)
    assert hashes.count == 0


def test_same_size_edit_with_mtime_set_back_is_seen(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = remembered(tmp_path, cache, monkeypatch)
    before = path.stat()
    path.write_text("id: MH-2026-001\nname: 乙\n", encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # `touch -d`: mtime as it was
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert FileIds(tmp_path, cache).of(NAME) == git_id(path)


def test_a_file_replaced_by_another_is_seen(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = remembered(tmp_path, cache, monkeypatch)
    before = path.stat()
    other = tmp_path / "other.yaml"
    other.write_text("id: MH-2026-001\nname: 丙\n", encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)  # a checkout or `mv`: a new inode under the old name
    assert FileIds(tmp_path, cache).of(NAME) == git_id(path)


def test_a_file_written_just_now_is_not_remembered(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written within RACY_SECONDS of being hashed: a second write in the same clock tick, same size,
    would leave the stat as it was, so the id is taken afresh next run."""
    path = write(tmp_path, "id: MH-2026-001\nname: 甲\n")
    ids = FileIds(tmp_path, cache)
    ids.of(NAME)
    ids.save()
    hashes = Hashes(monkeypatch)
    assert FileIds(tmp_path, cache).of(NAME) == git_id(path)
    assert hashes.count == 1


def test_a_deleted_file_has_no_id_and_is_forgotten(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = remembered(tmp_path, cache, monkeypatch)
    path.unlink()
    ids = FileIds(tmp_path, cache)
    assert ids.of(NAME) == ""
    ids.save()
    assert cache.get(fileids.KIND, ids._key) == {}


def test_a_symlink_is_hashed_through_never_remembered(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "target.yaml"
    target.write_text("id: MH-2026-001\n", encoding="utf-8")
    (tmp_path / NAME).parent.mkdir(parents=True)
    (tmp_path / NAME).symlink_to(target)
    later(monkeypatch, RACY_SECONDS + 1)
    ids = FileIds(tmp_path, cache)
    assert ids.of(NAME) == git_id(target)
    ids.save()
    target.write_text("id: MH-2026-002\n", encoding="utf-8")  # the link's own stat does not move
    assert FileIds(tmp_path, cache).of(NAME) == git_id(target)


def test_without_a_cache_every_id_is_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_NO_CACHE", "1")
    path = write(tmp_path, "id: MH-2026-001\n")
    later(monkeypatch, RACY_SECONDS + 1)
    FileIds(tmp_path, Cache(tmp_path)).save()
    hashes = Hashes(monkeypatch)
    assert FileIds(tmp_path, Cache(tmp_path)).of(NAME) == git_id(path)
    assert hashes.count == 1
    assert not (tmp_path / ".govsite-cache").exists()


@pytest.mark.parametrize(
    "path",
    [
        "submissions/minhang/MH-2026-001.yaml",
        "submissions//minhang/./MH-2026-001.yml",
        "submissions/minhang/",
        "submissions/minhang/.hidden",
        "submissions/minhang/_draft.yaml",
        "submissions/minhang/..",
        "submissions/minhang/a..yaml",
        "submissions/minhang/archive.tar.gz",
        "submissions/minhang/noext",
        "submissions/minhang/trailing.",
        "./submissions/x/y.yaml",
        "/abs/submissions/x.yaml",
        "//two/leading.yaml",
        "///three",
        "/",
        "",
        ".",
    ],
)
def test_string_path_helpers_agree_with_pathlib(path: str) -> None:
    from pathlib import PurePosixPath

    pure = PurePosixPath(path)
    assert path_parts(path) == pure.parts
    assert path_stem(path) == pure.stem
    assert path_suffix(path) == pure.suffix
