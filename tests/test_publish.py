"""Publishing a rebuild in place: pages that did not change stay, the rest is renamed in, what the new
site no longer has goes; and what govsite remembers of a published site is believed only while the
files are as it left them."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from conftest import TODAY, write_site_registry

from govsite.cache import NO_CACHE, Cache
from govsite.resources import POLICIES, site_kit
from govsite.site.build import build_site, prepare
from govsite.site.project_pages import ProjectPage
from govsite.site.publish import (
    forget_published,
    published_files,
    remember_published,
    update_in_place,
)
from govsite.site.render import make_environment, project_pages


def tree(folder: Path) -> dict[str, str]:
    """Every file and link under `folder`: its content's digest, or where the link points."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return found


def write(folder: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")


def test_update_in_place_keeps_replaces_adds_and_deletes(tmp_path: Path) -> None:
    out, new = tmp_path / "site", tmp_path / ".site.building"
    write(out, {"index.html": "旧首页", "projects/A/index.html": "A", "projects/B/index.html": "B旧"})
    write(out, {"projects/C/index.html": "C", "old/deep/page.html": "删"})
    write(new, {"index.html": "新首页", "projects/B/index.html": "B新", "projects/D/index.html": "D"})
    kept_inode = (out / "projects/A/index.html").stat().st_ino

    update_in_place(new, out, {"projects/A/index.html"})

    assert {k: (out / k).read_text(encoding="utf-8") for k in tree(out)} == {
        "index.html": "新首页",
        "projects/A/index.html": "A",
        "projects/B/index.html": "B新",
        "projects/D/index.html": "D",
    }
    assert (out / "projects/A/index.html").stat().st_ino == kept_inode  # not written again
    assert not (out / "projects/C").exists() and not (out / "old").exists()  # emptied folders go
    assert not new.exists()


def test_new_pages_arrive_before_the_pages_that_replace_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, new = tmp_path / "site", tmp_path / "new"
    write(out, {"index.html": "旧", "registry/minhang/index.html": "旧"})
    write(new, {"index.html": "新", "registry/minhang/index.html": "新", "projects/N/index.html": "新页"})
    order: list[str] = []
    real = os.replace

    def recording(source: str | Path, target: str | Path) -> None:
        order.append(Path(target).relative_to(out).as_posix())
        real(source, target)

    monkeypatch.setattr(os, "replace", recording)
    update_in_place(new, out, set())
    assert order[0] == "projects/N/index.html"
    assert sorted(order[1:]) == ["index.html", "registry/minhang/index.html"]


def test_what_stands_in_the_way_is_the_old_site_s_and_goes(tmp_path: Path) -> None:
    """A file where the new site needs a folder, a folder where it puts a file, and a link: none is
    followed or kept, and nothing outside the site is touched."""
    out, new, outside = tmp_path / "site", tmp_path / "new", tmp_path / "outside"
    write(outside, {"secret.txt": "不得改动"})
    write(out, {"a": "曾是文件", "b/x.html": "曾是文件夹"})
    (out / "c").symlink_to(outside, target_is_directory=True)
    (out / "d").symlink_to(outside / "secret.txt")
    write(new, {"a/index.html": "新", "b": "新", "c/index.html": "新", "d": "新"})

    update_in_place(new, out, set())

    assert {k: (out / k).read_text(encoding="utf-8") for k in tree(out)} == {
        "a/index.html": "新",
        "b": "新",
        "c/index.html": "新",
        "d": "新",
    }
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert tree(outside) == {"secret.txt": hashlib.sha256("不得改动".encode()).hexdigest()[:12]}


def test_a_link_left_in_the_site_is_deleted_not_followed(tmp_path: Path) -> None:
    out, new, outside = tmp_path / "site", tmp_path / "new", tmp_path / "outside"
    write(outside, {"keep.txt": "外面的文件"})
    write(out, {"index.html": "旧"})
    (out / "elsewhere").symlink_to(outside, target_is_directory=True)
    write(new, {"index.html": "新"})
    update_in_place(new, out, set())
    assert sorted(tree(out)) == ["index.html"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "外面的文件"


def test_the_record_of_a_published_file_holds_only_while_the_file_is_as_left(tmp_path: Path) -> None:
    root, out = tmp_path / "registry", tmp_path / "registry" / "site"
    write(out, {"p/1.html": "一", "p/2.html": "二", "p/3.html": "三", "p/4.html": "四"})
    cache = Cache(root)
    remember_published(cache, out, {f"p/{n}.html": (f"key{n}", {"n": n}) for n in (1, 2, 3, 4)})
    assert sorted(published_files(cache, out)) == ["p/1.html", "p/2.html", "p/3.html", "p/4.html"]
    assert published_files(cache, out)["p/1.html"].key == "key1"

    (out / "p/2.html").write_text("二", encoding="utf-8")  # same text, written again: not as left
    (out / "p/3.html").unlink()
    (out / "p/4.html").unlink()
    (out / "p/4.html").symlink_to(out / "p/1.html")
    assert sorted(published_files(cache, out)) == ["p/1.html"]
    assert published_files(Cache(root), tmp_path / "elsewhere") == {}

    forget_published(cache, out)
    assert published_files(cache, out) == {}


def page(out: Path, project_id: str) -> Path:
    return out / "projects" / project_id / "index.html"


def published_registry(tmp_path: Path) -> tuple[Path, Path]:
    """The sample registry, built and published once: (registry, site)."""
    root = tmp_path / "registry"
    write_site_registry(root)
    out = root / "site"
    build_site(root, out, today=TODAY)
    return root, out


def rename_a_project(root: Path) -> None:
    """MH-2026-012's name changes: its page, the lists and the exports change with it."""
    changed = root / "submissions" / "minhang" / "MH-2026-012.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("社区养老", "社区助餐"), encoding="utf-8")


@pytest.mark.slow
def test_a_rebuild_publishes_in_place_what_a_fresh_build_publishes(tmp_path: Path) -> None:
    root, out = published_registry(tmp_path)
    unchanged = page(out, "MH-2026-011").stat().st_ino
    rename_a_project(root)
    removed = next(p for p in (root / "submissions" / "minhang").glob("*.yaml") if "013" in p.name)
    removed.unlink()
    (out / "stray.html").write_text("不是网站的文件", encoding="utf-8")
    tampered = out / "projects" / "MH-2026-011"
    (tampered / "extra.html").write_text("不是网站的文件", encoding="utf-8")

    build_site(root, out, today=TODAY)

    assert page(out, "MH-2026-011").stat().st_ino == unchanged  # kept, not written again
    text = page(out, "MH-2026-012").read_text(encoding="utf-8")
    assert "社区助餐" in text and "社区养老" not in text
    assert not page(out, "MH-2026-013").parent.exists()
    fresh = tmp_path / "fresh"
    build_site(root, fresh, today=TODAY)
    assert tree(out) == tree(fresh)  # no stray file, nothing missing, every byte the same
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


@pytest.mark.slow
def test_pages_written_by_workers_are_the_pages_written_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked workers convert each page, or read it from the cache, and write it themselves: the
    site is the same byte for byte as one process makes it, converted or from the cache."""
    root = tmp_path / "registry"
    write_site_registry(root)
    monkeypatch.setenv("GOVSITE_JOBS", "1")
    monkeypatch.setenv("GOVSITE_NO_CACHE", "1")
    build_site(root, tmp_path / "in-turn", today=TODAY)
    monkeypatch.delenv("GOVSITE_NO_CACHE")
    monkeypatch.setenv("GOVSITE_JOBS", "2")
    monkeypatch.setenv("GOVSITE_MIN_PARALLEL", "2")
    log = tmp_path / "reads.log"  # written by every process: the workers' reads are seen too
    real = Cache.get

    def recording(self: Cache, kind: str, key: str) -> object:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {kind}\n")
        return real(self, kind, key)

    def page_reads() -> list[str]:
        reads = (
            [line.split() for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
        )
        log.unlink(missing_ok=True)
        return [pid for pid, kind in reads if kind == "page"]

    monkeypatch.setattr(Cache, "get", recording)
    build_site(root, tmp_path / "converted", today=TODAY)  # an empty cache: every page converted
    assert page_reads() == []
    build_site(root, tmp_path / "from-cache", today=TODAY)  # another site: every page from the cache
    readers = page_reads()
    assert len(readers) == 4 and str(os.getpid()) not in readers  # read where they are written
    expected = tree(tmp_path / "in-turn")
    assert len([p for p in expected if p.startswith("projects/")]) == 4
    assert tree(tmp_path / "converted") == expected
    assert tree(tmp_path / "from-cache") == expected


@pytest.mark.slow
def test_a_rebuild_reads_back_only_the_pages_it_writes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept page's Markdown and HTML are not read from the cache; the changed project's page is
    rendered (its Markdown is new) and nothing else is read."""
    root, out = published_registry(tmp_path)
    rename_a_project(root)
    read: list[str] = []
    real = Cache.get

    def recording(self: Cache, kind: str, key: str) -> object:
        read.append(kind)
        return real(self, kind, key)

    monkeypatch.setattr(Cache, "get", recording)
    build_site(root, out, today=TODAY)
    # the changed page's new Markdown is left in the cache and read back where its HTML is made
    assert read.count("markdown") == 1 and read.count("page") == 0
    text = page(out, "MH-2026-012").read_text(encoding="utf-8")
    assert "社区助餐" in text


@pytest.mark.slow
def test_a_page_whose_key_fields_did_not_change_keeps_its_search_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to a project's summary converts its page again but not its search entry, which is
    made from the title and key fields (segmenting loads jieba's dictionary: 0.5 s of a rebuild);
    a change to its name makes the entry again. Either way the site is what a fresh build makes."""
    import govsite.site.project_pages as project_pages_module

    root, out = published_registry(tmp_path)
    segmented: list[str] = []
    real = project_pages_module.segment
    monkeypatch.setattr(project_pages_module, "segment", lambda text: segmented.append(text) or real(text))
    changed = root / "submissions" / "minhang" / "MH-2026-012.yaml"
    assert not re.search(r"^summary:", changed.read_text(encoding="utf-8"), flags=re.M)
    changed.write_text(changed.read_text(encoding="utf-8") + "summary: 建设内容（又改）\n", encoding="utf-8")
    build_site(root, out, today=TODAY)
    assert "又改" in page(out, "MH-2026-012").read_text(encoding="utf-8")
    assert segmented == []
    assert tree(out) == tree_of_fresh_build(root, tmp_path / "fresh-1")

    rename_a_project(root)
    build_site(root, out, today=TODAY)
    assert any("社区助餐" in text for text in segmented)
    assert tree(out) == tree_of_fresh_build(root, tmp_path / "fresh-2")


def tree_of_fresh_build(root: Path, out: Path) -> dict[str, str]:
    build_site(root, out, today=TODAY)
    return tree(out)


@pytest.mark.slow
def test_a_published_page_edited_by_hand_is_written_again(tmp_path: Path) -> None:
    root, out = published_registry(tmp_path)
    target = page(out, "MH-2026-011")
    original = target.read_bytes()
    target.write_bytes(original.replace(b"</article>", b"<p>\xe7\xaf\xa1\xe6\x94\xb9</p></article>"))
    os.utime(target, ns=(0, 0))  # an old modification time does not make it pass for the original

    build_site(root, out, today=TODAY)
    assert target.read_bytes() == original


def _pages_of(root: Path, cache: Cache) -> list[ProjectPage]:
    data = prepare(root, TODAY, cache, POLICIES)
    templates, _config = site_kit(root, root / "build" / "site-kit")
    return project_pages(data, make_environment(templates), cache)


def test_a_rendered_page_s_markdown_is_left_in_the_cache_not_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10,000 pages' Markdown is 120 MB of text: a page whose Markdown the cache took holds only how to
    read it back, and reads back what was rendered, even once the cache has lost it."""
    root = tmp_path / "registry"
    write_site_registry(root)
    monkeypatch.setenv("GOVSITE_JOBS", "1")
    plain = {p.project_id: p.source for p in _pages_of(root, NO_CACHE)}
    assert plain and all(isinstance(text, str) and text for text in plain.values())

    cache = Cache(root)
    held = _pages_of(root, cache)
    assert all(callable(page.source) for page in held)
    assert {p.project_id: p.markdown for p in held} == plain
    cache.prune(days=0)  # the entries gone between rendering and converting: rendered again
    assert {p.project_id: p.markdown for p in held} == plain

    monkeypatch.setattr(Cache, "put", lambda self, kind, key, value: False)  # a cache that is full
    kept = _pages_of(root, Cache(root))
    assert {p.project_id: p.source for p in kept} == plain


@pytest.mark.slow
def test_long_lists_set_aside_from_mkdocs_come_out_as_mkdocs_makes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A district's list is put into the page after mkdocs built it (mkdocs parsed every tag of a
    city's 10,000 rows): the site is the same byte for byte as when mkdocs converts the rows."""
    from govsite.site import mkdocs_run

    root = tmp_path / "registry"
    write_site_registry(root)
    monkeypatch.setenv("GOVSITE_NO_CACHE", "1")
    monkeypatch.setattr(mkdocs_run, "SET_ASIDE_AT", 10**9)  # nothing set aside
    build_site(root, tmp_path / "whole", today=TODAY)
    put_back: list[str] = []
    real = mkdocs_run.put_back_rows

    def recording(site: Path, rows: dict[str, list[str]]) -> None:
        put_back.extend(rows)
        real(site, rows)

    monkeypatch.setattr(mkdocs_run, "put_back_rows", recording)
    monkeypatch.setattr(mkdocs_run, "SET_ASIDE_AT", 10)  # every table body set aside
    build_site(root, tmp_path / "set-aside", today=TODAY)
    assert "registry/minhang.md" in put_back
    assert tree(tmp_path / "set-aside") == tree(tmp_path / "whole")


def test_a_list_whose_place_mkdocs_did_not_keep_stops_the_build(tmp_path: Path) -> None:
    from govsite.errors import GovsiteError
    from govsite.site import mkdocs_run

    pages: dict[str, str | bytes] = {
        "registry/minhang.md": "# 列表\n\n<table>\n<tbody>\n"
        + "<tr><td>甲</td></tr>\n" * 2000
        + "</tbody>\n</table>\n"
    }
    rows = mkdocs_run.set_aside_rows(pages)
    assert list(rows) == ["registry/minhang.md"] and "<tr>" not in str(pages["registry/minhang.md"])
    page = tmp_path / "registry" / "minhang" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body>主题没有输出正文</body></html>", encoding="utf-8")
    with pytest.raises(GovsiteError, match="找不到表格内容的位置"):
        mkdocs_run.put_back_rows(tmp_path, rows)
    page.write_text(
        f"<html><body><table>\n{pages['registry/minhang.md']}</table></body></html>", encoding="utf-8"
    )
    mkdocs_run.put_back_rows(tmp_path, rows)
    assert page.read_text(encoding="utf-8").count("<tr><td>甲</td></tr>") == 2000
