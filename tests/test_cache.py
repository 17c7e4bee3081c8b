"""The cache under .govsite-cache/ is never stale: change any input and the result changes.

Each test runs the real CLI twice on a real registry in a temporary folder (the first run fills the
cache, the second reads it), changes one input — the file, a pack, another project a rule across the
registry reads, a material file, `--today` — and checks that the output is what a run without any
cache gives. A cache entry this user's govsite did not write is never unpickled.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import pickle
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import POLICIES, REPO, git, govsite, init_repo, make_registry, write_project

from govsite.policy.selftest import deep_merge

TODAY = "2026-11-22"
# every kind of entry a validate run writes
EVERY_KIND = ("parse", "project", "result", "run", "report", "pack", "packs", "index", "stat")
MINHANG = POLICIES / "minhang-2025" / "examples" / "base.yaml"
SYSTEM = "submissions/minhang/MH-2025-012.yaml"
OPERATION = "submissions/minhang/MH-2026-101.yaml"


def minhang(overrides: dict[str, Any]) -> dict[str, Any]:
    base = yaml.safe_load(MINHANG.read_text(encoding="utf-8"))
    return deep_merge(copy.deepcopy(base), overrides)


def system(*stages: str) -> dict[str, Any]:
    """The construction project an O&M project maintains, at the given stages."""
    dates = {
        "declared": dt.date(2025, 3, 3),
        "approved": dt.date(2025, 4, 1),
        "accepted": dt.date(2025, 12, 1),
    }
    records = [{"stage": s, "date": dates[s]} for s in stages]
    return minhang(
        {
            "id": "MH-2025-012",
            "name": "闵行区示例业务管理系统建设项目",
            "budget_year": 2025,
            "stage": stages[-1],
            "stages": records,
        }
    )


def operation() -> dict[str, Any]:
    return minhang(
        {
            "id": "MH-2026-101",
            "type": "operation",
            "mode": None,
            "name": "闵行区示例业务管理系统（27年运维）项目",
            "budget_year": 2027,
            "budget": {"total": 80, "software_development": 0},
            "original_project": "MH-2025-012",
            "stage": "declared",
            "stages": [{"stage": "declared", "date": dt.date(2026, 6, 15)}],
            "operation": {
                "system": "MH-2025-012",
                "first_time": False,
                "data_shared": True,
                "on_government_cloud": True,
                "crypto_security_compliant": True,
                "major_security_hazard": False,
                "in_use": True,
                "content_matches": True,
                "approved_by_data_bureau": True,
                "acceptance_report_available": True,
                "performance_tracking_passed": True,
            },
        }
    )


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # this test's own cache key
    monkeypatch.delenv("GOVSITE_NO_CACHE", raising=False)
    return make_registry(
        tmp_path / "registry", {SYSTEM: system("declared", "approved"), OPERATION: operation()}
    )


def validate(root: Path, *args: str, cache: bool = True) -> dict[str, Any]:
    env = {} if cache else {"GOVSITE_NO_CACHE": "1"}
    done = govsite(
        "validate", *(args or ("submissions/",)), "--format", "json", "--today", TODAY, cwd=root, env=env
    )
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def rules_of(run: dict[str, Any], path: str) -> list[tuple[str, str]]:
    result = next(p for p in run["projects"] if p["path"] == path)
    return [(f["rule"], f["message"]) for f in result["findings"]]


def warm_equals_fresh(root: Path, *args: str) -> dict[str, Any]:
    """Validate with the cache (twice) and without it: all three agree."""
    first, second = validate(root, *args), validate(root, *args)
    fresh = validate(root, *args, cache=False)
    assert first == fresh
    assert second == fresh
    return fresh


def database(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / ".govsite-cache" / "cache.sqlite3", isolation_level=None)


def entries(root: Path, kind: str) -> list[str]:
    """The keys of the cache's entries of one kind, read from its database as anyone could."""
    with closing(database(root)) as connection:
        return sorted(key for (key,) in connection.execute("SELECT key FROM entries WHERE kind = ?", (kind,)))


def rewrite(root: Path, kinds: tuple[str, ...], change: Callable[[bytes], bytes | None]) -> int:
    """Replace (or, where `change` gives None, delete) the stored values of these kinds, as a
    cache that arrived with a clone, or a damaged one, would hold them."""
    with closing(database(root)) as connection:
        rows = [
            (kind, key, value)
            for kind in kinds
            for key, value in connection.execute("SELECT key, value FROM entries WHERE kind = ?", (kind,))
        ]
        for kind, key, value in rows:
            new = change(value)
            if new is None:
                connection.execute("DELETE FROM entries WHERE kind = ? AND key = ?", (kind, key))
            else:
                connection.execute(
                    "UPDATE entries SET value = ? WHERE kind = ? AND key = ?", (new, kind, key)
                )
    return len(rows)


def test_warm_run_is_read_from_the_cache(registry: Path) -> None:
    warm_equals_fresh(registry)
    assert entries(registry, "run"), "the whole run is cached"
    assert entries(registry, "result") and entries(registry, "parse") and entries(registry, "pack")
    assert (registry / ".govsite-cache" / ".gitignore").read_text(encoding="utf-8") == "*\n"


@pytest.mark.parametrize("fmt", ["text", "json", "gitlab", "markdown", "github"])
def test_a_warm_run_prints_its_report_from_the_cache_in_every_format(
    registry: Path, tmp_path: Path, fmt: str
) -> None:
    """The report of a run read back whole is cached as text (a city's run is 80 MB to unpickle and
    seconds to render): it is what a run without any cache prints, with the same exit code. GitHub's
    is rendered on every run: its stop-commands token must never repeat, and its step summary is
    written each time."""

    def run(cache: bool, summary: Path) -> tuple[str, int, str]:
        env = {} if cache else {"GOVSITE_NO_CACHE": "1"}
        done = govsite(
            "validate", "submissions/", "--format", fmt, "--summary", str(summary), "--today", TODAY,
            cwd=registry, env=env,
        )  # fmt: skip
        assert done.stderr == ""
        written = summary.read_text(encoding="utf-8") if summary.exists() else ""
        return done.stdout, done.returncode, written

    def token(output: tuple[str, int, str]) -> str:
        return re.findall(r"^::stop-commands::(\w+)$", output[0], re.MULTILINE)[0]

    fresh = run(False, tmp_path / "fresh.md")
    assert fresh[1] == 1 and fresh[0]
    first, second = run(True, tmp_path / "first.md"), run(True, tmp_path / "second.md")
    if fmt != "github":
        assert first == fresh and second == fresh
        assert entries(registry, "report")
        return
    assert entries(registry, "report") == []
    tokens = {token(fresh), token(first), token(second)}
    assert len(tokens) == 3, "a new stop-commands token on every run"
    same = [(o[0].replace(token(o), "TOKEN"), o[1], o[2]) for o in (fresh, first, second)]
    assert same[1] == same[0] and same[2] == same[0] and same[0][2]


def test_changing_the_file_changes_its_result(registry: Path) -> None:
    warm_equals_fresh(registry)
    data = operation()
    data["operation"]["on_government_cloud"] = False
    write_project(registry, OPERATION, data)
    after = warm_equals_fresh(registry)
    assert any("政务云" in message for _rule, message in rules_of(after, OPERATION))


def test_a_same_size_edit_with_its_mtime_set_back_is_seen(registry: Path) -> None:
    """The ids of unchanged files are remembered by their stat (govsite.fileids): an edit that
    keeps the size and puts the mtime back, as `touch -d` can, is still a new file."""
    from govsite.fileids import RACY_SECONDS

    time.sleep(RACY_SECONDS + 0.5)  # the files settle, so the first run remembers their stat
    warm_equals_fresh(registry)
    path = registry / OPERATION
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "on_government_cloud: true" in text
    path.write_text(text.replace("on_government_cloud: true", "on_government_cloud: tru_"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    after = warm_equals_fresh(registry)
    assert any("on_government_cloud" in message for _rule, message in rules_of(after, OPERATION))


def test_changing_another_project_a_rule_reads_changes_the_result(registry: Path) -> None:
    """MH-25 reads the system the O&M project maintains: its acceptance decides the finding. The
    O&M file itself is unchanged, so only the recorded dependency can tell its cached result is stale."""
    before = warm_equals_fresh(registry, OPERATION)
    assert any("尚未通过验收" in m for _r, m in rules_of(before, OPERATION))
    write_project(registry, SYSTEM, system("declared", "approved", "accepted"))
    after = warm_equals_fresh(registry, OPERATION)
    assert not any("尚未通过验收" in m for _r, m in rules_of(after, OPERATION))
    (registry / SYSTEM).unlink()
    gone = warm_equals_fresh(registry, OPERATION)
    assert any("登记册中没有被运维系统" in m for _r, m in rules_of(gone, OPERATION))


def test_one_file_of_an_unchanged_registry_does_not_look_its_dependencies_up(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached result judged against a registry whose every file is as it was holds without looking
    its dependencies up again (for a rule across the registry that means loading the index of the
    whole registry); once another project changes, they are looked up, and the result follows."""
    import govsite.registry as registry_module
    from govsite.cache import Cache
    from govsite.policy.named.common import RegistryView
    from govsite.policy.pack import load_packs

    lookups: list[tuple[str, ...]] = []
    real = RegistryView.digest
    monkeypatch.setattr(RegistryView, "digest", lambda self, d, p: lookups.append(d) or real(self, d, p))
    packs = load_packs(registry / "policies")
    today = dt.date.fromisoformat(TODAY)

    def messages() -> list[str]:
        run = registry_module.validate_paths([registry / OPERATION], packs, registry, today, Cache(registry))
        return [f.message for f in run.projects[0].findings]

    first = messages()
    assert ("get", "MH-2025-012") in lookups and any("尚未通过验收" in m for m in first)
    lookups.clear()
    assert messages() == first
    assert not lookups, "nothing changed: nothing was looked up"
    write_project(registry, SYSTEM, system("declared", "approved", "accepted"))
    after = messages()
    assert ("get", "MH-2025-012") in lookups, "another project changed: the dependencies were looked up"
    assert not any("尚未通过验收" in m for m in after)


MODULES_OF_A_RUN = """
import json, sys
from govsite.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("pydantic", "govsite.model", "govsite.policy.pack", "govsite.judge") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def validate_watching_imports(root: Path, path: str) -> tuple[dict[str, Any], list[str]]:
    """One file's validate in a process of its own: its report, and which heavy modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", MODULES_OF_A_RUN, "validate", path, "--format", "json", "--today", TODAY],
        cwd=root,
        capture_output=True,
        text=True,
    )
    state = json.loads(done.stderr.strip().splitlines()[-1])
    assert state["code"] in (0, 1), done.stderr
    return json.loads(done.stdout), state["heavy"]


def test_one_file_of_an_unchanged_registry_is_answered_without_the_model_or_the_packs(
    registry: Path,
) -> None:
    """After a validate of the whole registry, one of its files is answered from its cached result
    without importing pydantic, the model or the rules and without loading a pack (the packs'
    digests and districts come from the summary that run wrote) — with the report of a run without
    a cache, notes on a broken pack included. Once the registry changes, or the packs do, the file
    is judged again."""
    broken = registry / "policies" / "yangpu-2023" / "policy.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n: [\n", encoding="utf-8")
    validate(registry)
    answered, heavy = validate_watching_imports(registry, OPERATION)
    assert heavy == []
    assert answered == validate(registry, OPERATION, cache=False)
    assert any("政策包有错误" in note for note in answered["notes"])
    # another project the operation's rule reads changes: judged again, and the result follows
    write_project(registry, SYSTEM, system("declared", "approved", "accepted"))
    judged, heavy = validate_watching_imports(registry, OPERATION)
    assert "govsite.model" in heavy and judged != answered
    assert judged == validate(registry, OPERATION, cache=False)
    # a pack changes: the summary of the packs does not fit, the file is judged under the new pack
    validate(registry)
    broken.write_text(broken.read_text(encoding="utf-8").replace("\n: [\n", "\n"), encoding="utf-8")
    fixed, heavy = validate_watching_imports(registry, OPERATION)
    assert "govsite.policy.pack" in heavy
    assert fixed == validate(registry, OPERATION, cache=False)
    assert not any("政策包有错误" in note for note in fixed["notes"])


def test_a_per_file_result_is_revalidated_when_the_run_changes(registry: Path) -> None:
    """With the whole-run entry gone, each file's cached result still checks what it read."""
    warm_equals_fresh(registry)
    write_project(registry, SYSTEM, system("declared", "approved", "accepted"))
    assert rewrite(registry, ("run",), lambda _value: None)
    after = warm_equals_fresh(registry)
    assert not any("尚未通过验收" in m for _r, m in rules_of(after, OPERATION))


def test_changing_a_pack_changes_the_result(registry: Path) -> None:
    before = warm_equals_fresh(registry, OPERATION)
    rule = registry / "policies" / "minhang-2025" / "rules" / "MH-25.yaml"
    text = rule.read_text(encoding="utf-8")
    assert 'articles: ["38"]' in text
    # the wording of a named rule lives in govsite; what the pack says of it is its article
    rule.write_text(text.replace('articles: ["38"]', 'articles: ["38", "37"]', 1), encoding="utf-8")
    after = warm_equals_fresh(registry, OPERATION)
    articles = {f["article"] for p in after["projects"] for f in p["findings"] if f["rule"] == "MH-25"}
    assert articles and all("第三十七条" in a for a in articles), articles
    assert after != before


def test_changing_today_changes_the_result(registry: Path) -> None:
    data = operation()
    write_project(registry, OPERATION, data)
    early = validate(registry, OPERATION, "--today", "2026-06-15")
    late = validate(registry, OPERATION, "--today", "2028-01-01")
    assert early == validate(registry, OPERATION, "--today", "2026-06-15", cache=False)
    assert late == validate(registry, OPERATION, "--today", "2028-01-01", cache=False)


def test_changing_a_material_file_changes_the_result(registry: Path, tmp_path: Path) -> None:
    """A rule that reads a material file (its SHA-256 here) is re-run when that file changes."""
    plan = registry / "docs" / "plan.md"
    plan.parent.mkdir()
    plan.write_text("# 方案\n", encoding="utf-8")
    import hashlib

    data = operation()
    data["materials"] = [
        {
            "kind": "plan",
            "title": "运维方案",
            "path": "docs/plan.md",
            "sha256": hashlib.sha256(plan.read_bytes()).hexdigest(),
        }
    ]
    write_project(registry, OPERATION, data)
    before = warm_equals_fresh(registry, OPERATION)
    assert not any(r == "material-digest" for r, _m in rules_of(before, OPERATION))
    plan.write_text("# 方案（改过）\n", encoding="utf-8")
    after = warm_equals_fresh(registry, OPERATION)
    assert any(r == "material-digest" for r, _m in rules_of(after, OPERATION))


def test_a_cache_database_govsite_did_not_make_is_replaced(registry: Path) -> None:
    """A database that came with a clone, or any file at its place, is never trusted: one with
    something besides govsite's tables (a trigger that would run on the next insert), one that names
    another user as its owner, and one that is not a database at all are each replaced, and the
    results are those of a run without a cache."""
    fresh = validate(registry, cache=False)
    validate(registry)
    path = registry / ".govsite-cache" / "cache.sqlite3"
    with closing(database(registry)) as connection:
        connection.execute("CREATE TABLE planted (value BLOB)")
        connection.execute(
            "CREATE TRIGGER planted AFTER INSERT ON entries BEGIN INSERT INTO planted VALUES (new.value); END"
        )
    assert validate(registry) == fresh
    with closing(database(registry)) as connection:
        names = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
        assert "planted" not in names
        connection.execute("UPDATE meta SET value = ? WHERE name = 'owner'", (b"\0" * 32,))
    assert validate(registry) == fresh
    assert entries(registry, "run"), "a new database, written by this user"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"not a database" * 100)
    assert validate(registry) == fresh
    assert entries(registry, "run")


def test_a_cache_of_the_previous_layout_is_replaced(registry: Path) -> None:
    """govsite up to 0.2 kept entries in a WITHOUT ROWID table, where finding one entry compared
    keys with rows of megabytes on the way down (a miss took 60 ms in a city's cache). Such a
    database, though this user's own, is not the layout govsite reads: it is replaced, and the
    results are those of a run without a cache."""
    fresh = validate(registry, cache=False)
    validate(registry)
    with closing(database(registry)) as connection:
        (layout,) = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'entries'").fetchone()
        assert "WITHOUT ROWID" not in layout
        connection.execute("ALTER TABLE entries RENAME TO current")
        connection.execute(
            layout.replace("PRIMARY KEY (kind, key))", "PRIMARY KEY (kind, key)) WITHOUT ROWID")
        )
        connection.execute("INSERT INTO entries SELECT * FROM current")
        connection.execute("DROP TABLE current")
        assert connection.execute("SELECT count(*) FROM entries WHERE kind = 'run'").fetchone() == (1,)
    assert validate(registry) == fresh
    with closing(database(registry)) as connection:
        (layout,) = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'entries'").fetchone()
    assert "WITHOUT ROWID" not in layout and entries(registry, "run")


def _days(root: Path) -> dict[tuple[str, str], int]:
    with closing(database(root)) as connection:
        return {(kind, key): day for kind, key, day in connection.execute("SELECT kind, key, day FROM used")}


def _age(root: Path, kinds: tuple[str, ...], days: int, *, pruned_today: bool) -> None:
    """Make these entries look unused for `days` days (and the daily eviction done or not today)."""
    today = int(time.time() // 86400)
    with closing(database(root)) as connection:
        for kind in kinds:
            connection.execute("UPDATE used SET day = ? WHERE kind = ?", (today - days, kind))
        stamp = str(today if pruned_today else today - 1).encode()
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (stamp,))


def test_entries_unused_for_the_keep_period_are_evicted_once_a_day(registry: Path) -> None:
    """Every edit and every govsite version writes new entries: the ones nobody read for 30 days
    (GOVSITE_CACHE_DAYS) go when a run first opens the cache on a new day; the ones still read stay."""
    fresh = validate(registry, cache=False)
    validate(registry)
    # an edit leaves the old version's parse entry behind
    data = operation()
    data["name"] = "闵行区示例业务管理系统（2027年运维）项目"
    write_project(registry, OPERATION, data)
    validate(registry)
    parses = entries(registry, "parse")
    assert len(parses) == 3  # two files, and the operation file's previous version
    # all entries old, but the eviction already ran today: nothing goes
    _age(registry, EVERY_KIND, 31, pruned_today=True)
    validate(registry)
    assert len(entries(registry, "parse")) == 3
    # a new day: the stale entries go first, then the run writes again what it needs
    _age(registry, EVERY_KIND, 31, pruned_today=False)
    edited = validate(registry)
    assert len(entries(registry, "parse")) == 2, "the previous version's entry was evicted"
    write_project(registry, OPERATION, operation())
    assert validate(registry) == fresh  # and nothing the cache lost changes a result
    assert edited != fresh


def test_reading_an_entry_keeps_it(registry: Path) -> None:
    validate(registry)
    _age(registry, EVERY_KIND, 29, pruned_today=True)
    validate(registry)  # the whole run's report is read from the cache: its entry is used today
    today = int(time.time() // 86400)
    days = _days(registry)
    assert {day for (kind, _key), day in days.items() if kind == "report"} == {today}
    # an entry 29 days old is still within the 30 days: a new day's eviction keeps it
    _age(registry, ("parse",), 29, pruned_today=False)
    validate(registry)
    assert len(entries(registry, "parse")) == 2


def test_cache_prune_command(registry: Path) -> None:
    validate(registry)
    done = govsite("cache", "prune", cwd=registry)
    assert done.returncode == 0 and "删除了 0 个缓存条目（超过 30 天未使用）" in done.stdout
    _age(registry, ("parse",), 8, pruned_today=True)
    done = govsite("cache", "prune", "--days", "7", cwd=registry)
    assert done.returncode == 0 and "删除了 2 个缓存条目（超过 7 天未使用）" in done.stdout
    assert entries(registry, "parse") == [] and entries(registry, "run")
    done = govsite("cache", "prune", "--days", "0", cwd=registry)
    assert "全部删除" in done.stdout and entries(registry, "run") == []
    assert validate(registry) == validate(registry, cache=False)
    done = govsite("cache", "prune", "--days", "-1", cwd=registry)
    assert done.returncode == 2 and "天数" in done.stderr


def test_an_entry_this_user_did_not_write_is_never_unpickled(registry: Path, tmp_path: Path) -> None:
    """A .govsite-cache/ that came with a clone cannot run code: entries are HMAC'd with a key of the
    user's own (outside the repository)."""
    fresh = warm_equals_fresh(registry)
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (Path.write_text, (marker, "x"))

    body = pickle.dumps(Payload())
    # a forged entry: right place, wrong HMAC
    assert rewrite(registry, ("run", "result", "parse"), lambda _value: b"\0" * 32 + body)
    assert validate(registry) == fresh
    assert not marker.exists()
    assert rewrite(registry, ("run",), lambda value: value[:40])  # truncated: ignored, not an error
    assert validate(registry) == fresh


def test_put_says_whether_it_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller may drop what it stored (the build does, for 10,000 pages of Markdown): `put` says so
    only when a later `get` returns the value."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    from govsite.cache import NO_CACHE, Cache

    cache = Cache(tmp_path)
    value = {"text": "页面" * 100_000, "bytes": bytes(range(256)) * 1000}
    assert cache.put("markdown", "k", value) is True
    assert Cache(tmp_path).get("markdown", "k") == value  # signed in place, read back by another handle
    assert cache.put("markdown", "lambda", lambda: None) is False  # cannot be pickled
    assert NO_CACHE.put("markdown", "k", value) is False


def test_parallel_and_serial_runs_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above MIN_ITEMS files a cold run forks workers: the output is the same, in the same order."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = make_registry(tmp_path / "registry")
    for source in sorted((REPO / "submissions").rglob("*")):
        if source.is_file():
            target = root / source.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    serial = govsite(
        "validate",
        "--format",
        "json",
        "--today",
        TODAY,
        cwd=root,
        env={"GOVSITE_JOBS": "1", "GOVSITE_NO_CACHE": "1"},
    )
    parallel = govsite(
        "validate",
        "--format",
        "json",
        "--today",
        TODAY,
        cwd=root,
        env={"GOVSITE_JOBS": "2", "GOVSITE_NO_CACHE": "1", "GOVSITE_MIN_PARALLEL": "8"},
    )
    assert parallel.returncode == serial.returncode
    assert parallel.stdout == serial.stdout
    assert len(json.loads(serial.stdout)["projects"]) > 16


def test_check_reads_the_registry_index_it_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` answers from the cached index of the base branch plus the files the pull request
    changes; a change to the system the O&M project maintains, in the pull request, is seen."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = make_registry(tmp_path / "registry", {SYSTEM: system("declared", "approved")})
    init_repo(root)
    git(root, "checkout", "-q", "-b", "pr")
    write_project(root, OPERATION, operation())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "运维申报")

    def check(cache: bool = True) -> dict[str, Any]:
        env = {} if cache else {"GOVSITE_NO_CACHE": "1"}
        done = govsite("check", "--base", "main", "--format", "json", "--today", TODAY, cwd=root, env=env)
        assert done.returncode in (0, 1), done.stderr
        return json.loads(done.stdout)

    first = check()
    assert check() == first == check(cache=False)
    assert any("尚未通过验收" in m for _r, m in rules_of(first, OPERATION))
    write_project(root, SYSTEM, system("declared", "approved", "accepted"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "系统验收")
    after = check()
    assert after == check(cache=False)
    assert not any("尚未通过验收" in m for _r, m in rules_of(after, OPERATION))


def test_a_cached_index_answers_peers_without_loading_every_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What makes `check` on a city's registry fast: the index read back from the cache holds each
    project's registry keys, and loads a project only when a rule reads it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("GOVSITE_NO_CACHE", raising=False)
    from govsite.cache import Cache, blob_id
    from govsite.corpus import registry_index
    from govsite.policy.named.common import RegistryView
    from govsite.policy.pack import load_packs

    root = tmp_path / "registry"
    for source in sorted((REPO / "submissions").glob("*/*.yaml")):
        target = root / source.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    cache = Cache(root)
    packs = load_packs(POLICIES, cache)
    contents = {blob_id(p.read_bytes()): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}
    files = [(p.relative_to(root).as_posix(), blob_id(p.read_bytes())) for p in sorted(root.rglob("*.yaml"))]
    first = registry_index(files, lambda wanted: {b: contents[b] for b in wanted}, cache, packs=packs)
    again = registry_index(files, lambda wanted: {b: contents[b] for b in wanted}, cache, packs=packs)
    assert [e.path for e in again] == [e.path for e in first] and len(again) > 50
    assert not any(e.is_loaded for e in again)

    gongshu = next(p for p in packs if p.id.startswith("gongshu"))
    judged = next(
        e for e in first if e.district == "gongshu" and e.keys.get(("gongshu-system", _key(gongshu)))
    )
    fresh_view, cached_view = RegistryView(lambda: first), RegistryView(lambda: again)
    expected = fresh_view.peers("gongshu-system", judged.project, gongshu.meta.params)
    found = cached_view.peers("gongshu-system", judged.project, gongshu.meta.params)
    assert [e.path for e in found] == [e.path for e in expected]
    assert sum(e.is_loaded for e in again) == 0  # grouping read the stored keys
    assert [e.project.id for e in found] == [e.project.id for e in expected]  # loaded on reading
    assert sum(e.is_loaded for e in again) == len(found)


def _key(pack: Any) -> str:
    from govsite.policy.named.common import params_key

    return params_key(pack.meta.params)
