"""A whole city's registry: govsite against its baselines, at 1,000 and 10,000 projects, in one run.

The registry is synthetic but realistic: the repository's 98 sample projects of all five districts,
copied in batches with fresh ids, every reference between them (phases, O&M of accepted systems,
upgrades of originals) renumbered within its batch, names made distinct, and the 拱墅 plan documents
copied with them. It is committed to a git repository with a pull-request branch.

Prints each figure next to its baseline and the ratio; asserts nothing (the machines are shared
and noisy: targets are read here, never in timed tests). Usage:

    .venv/bin/python benchmarks/registry_scale.py                 # 1,000 and 10,000 projects
    .venv/bin/python benchmarks/registry_scale.py --sizes 1000    # one size
    .venv/bin/python benchmarks/registry_scale.py --no-mkdocs     # skip the plain-mkdocs baseline
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-22"
_ID = re.compile(r"\b([A-Z]{2})-([0-9]{4})-([0-9]{3,4})\b")
PER_BATCH_SEQ = 40  # room for a batch's ids: seq = batch * 40 + original seq


def samples() -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted((REPO / "submissions").glob("*/*.yaml"))]


def renumber(text: str, batch: int, known: set[str]) -> str:
    """Every id of a sample project in `text` (its own and its references) moves to `batch`."""

    def new(match: re.Match[str]) -> str:
        if match.group(0) not in known:
            return match.group(0)
        return f"{match.group(1)}-{match.group(2)}-{batch * PER_BATCH_SEQ + int(match.group(3)):04d}"

    return _ID.sub(new, text)


def distinct_name(text: str, batch: int) -> str:
    """Names (and the units that build them) distinct per batch, so that no two batches look like one
    system declared twice; the district's name form is kept."""
    if batch == 0:
        return text

    def name(match: re.Match[str]) -> str:
        value = match.group(2)
        district = re.match(r"^(闵行区|青浦区|杨浦区|拱墅区|龙岗区)", value)
        if district:
            value = f"{district.group(1)}第{batch}片区" + value[len(district.group(1)) :]
        else:
            value = f"第{batch}片区" + value
        return f"{match.group(1)}{value}"

    return re.sub(r"(?m)^(name: )(.+)$", name, text)


def write_registry(root: Path, count: int) -> list[str]:
    """`count` projects in root/submissions; returns their repository paths."""
    shutil.copytree(REPO / "policies", root / "policies")
    sources = samples()
    known = {path.stem for path, _ in sources}
    plans = sorted((REPO / "submissions").glob("*/plans/*.md"))
    written: list[str] = []
    batch = 0
    while len(written) < count:
        for path, text in sources:
            if len(written) >= count:
                break
            body = distinct_name(renumber(text, batch, known), batch)
            body = body.replace("submissions/gongshu/plans/", f"submissions/gongshu/plans/b{batch}-")
            new_id = renumber(path.stem, batch, known)
            target = root / "submissions" / path.parent.name / f"{new_id}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
            written.append(target.relative_to(root).as_posix())
        for plan in plans:
            target = root / "submissions" / "gongshu" / "plans" / f"b{batch}-{plan.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(plan.read_text(encoding="utf-8"), encoding="utf-8")
        batch += 1
    return written


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    return subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    ).stdout


def commit_registry(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "registry")


def run(
    command: Sequence[str], cwd: Path, cache: bool = True
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, peak memory (MB: the largest process of the run, by GNU time) and the result."""
    env = {**os.environ, "GOVSITE_TODAY": TODAY, **({} if cache else {"GOVSITE_NO_CACHE": "1"})}
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    with tempfile.NamedTemporaryFile(prefix="govsite-rss-") as rss:
        wrapped = [timer, "-q", "-f", "%M", "-o", rss.name, *command] if timer else list(command)
        start = time.perf_counter()
        done = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        text = Path(rss.name).read_text(encoding="utf-8").strip().splitlines()
    peak = int(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan")
    return wall, peak, done


def govsite(*args: str) -> list[str]:
    return [sys.executable, "-m", "govsite", *args]


def parse_only(root: Path, paths: Sequence[str]) -> float:
    """libyaml (PyYAML's CSafeLoader) parsing every file, and nothing else."""
    start = time.perf_counter()
    for path in paths:
        yaml.load((root / path).read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def cat_file_batch(root: Path) -> float:
    """One `git ls-tree` and one `git cat-file --batch` over every blob of submissions/."""
    start = time.perf_counter()
    listing = git(root, "ls-tree", "-r", "HEAD", "--", "submissions/")
    shas = "".join(line.split()[2] + "\n" for line in listing.splitlines())
    subprocess.run(
        ["git", "cat-file", "--batch"], cwd=root, input=shas.encode(), capture_output=True, check=True
    )
    return time.perf_counter() - start


def plain_mkdocs(count: int, work: Path) -> float:
    """mkdocs-material building `count` plain pages kept out of the nav, as the registry's are."""
    docs = work / "docs"
    (docs / "p").mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    for number in range(count):
        (docs / "p" / f"{number}.md").write_text(
            f"# 项目 {number}\n\n| 项目 | 内容 |\n|---|---|\n| 编号 | {number} |\n", encoding="utf-8"
        )
    (work / "mkdocs.yml").write_text(
        "site_name: t\ntheme: {name: material, language: zh, font: false}\nnav: [index.md]\nnot_in_nav: /p/\nplugins: [search]\n",
        encoding="utf-8",
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(work / "mkdocs.yml")],
        cwd=work,
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - start


@dataclass
class Row:
    what: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""

    def show(self) -> str:
        text = f"  {self.what:<46} {self.value:>9.2f} {self.unit:<4}"
        if self.baseline:
            text += f"  vs {self.baseline_name} {self.baseline:.2f} s = {self.value / self.baseline:.2f}×"
        return text


def edit_one(root: Path, path: str, line: str) -> None:
    target = root / path
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")


def edit_summary(root: Path, path: str, words: str) -> None:
    """A real change to one project: its summary, shown on its page and in the open data."""
    target = root / path
    text = target.read_text(encoding="utf-8")
    changed = re.sub(r"^(summary: .*)$", lambda m: m.group(1) + words, text, count=1, flags=re.M)
    assert changed != text, path
    target.write_text(changed, encoding="utf-8")


def pull_request(root: Path, paths: list[str]) -> dict[str, list[str]]:
    """Branches a department might open: one project changed with no rule across the registry; three
    projects changed, one an O&M declaration whose rule reads the system it maintains."""
    git(root, "checkout", "-q", "-b", "pr-one")
    simple = next(p for p in paths if "/minhang/" in p)
    edit_one(root, simple, "# 编辑\n")
    git(root, "commit", "-q", "-am", "one")
    git(root, "checkout", "-q", "main")
    git(root, "checkout", "-q", "-b", "pr-three")
    qingpu = [p for p in paths if "/qingpu/" in p][:2]
    chosen = [*qingpu, next(p for p in paths if "/minhang/" in p and "MH-2026" in p)]
    for path in chosen:
        edit_one(root, path, "# 编辑\n")
    git(root, "commit", "-q", "-am", "three")
    git(root, "checkout", "-q", "main")
    return {"pr-one": [simple], "pr-three": chosen}


def measure(size: int, with_mkdocs: bool, work: Path) -> dict[str, float]:
    root = work / f"registry-{size}"
    root.mkdir()
    paths = write_registry(root, size)
    commit_registry(root)
    branches = pull_request(root, paths)
    rows: list[Row] = []
    figures: dict[str, float] = {}
    parse = parse_only(root, paths)
    batch = cat_file_batch(root)
    print(
        f"\n{size:,} projects ({sum((root / p).stat().st_size for p in paths) / len(paths) / 1024:.1f} KB each)"
    )
    rows.append(Row("libyaml parse-only (baseline)", parse, "s"))
    rows.append(Row("git ls-tree + cat-file --batch (baseline)", batch, "s"))

    shutil.rmtree(root / ".govsite-cache", ignore_errors=True)
    wall, peak, done = run(govsite("validate", "submissions/", "--format", "json"), root)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    figures["validate_cold"] = wall
    rows.append(Row(f"govsite validate, cold (peak {peak:.0f} MB)", wall, "s", parse, "libyaml"))
    wall, _, done = run(govsite("validate", "submissions/", "--format", "json"), root)
    figures["validate_warm"] = wall
    rows.append(Row("govsite validate, warm cache", wall, "s", parse, "libyaml"))
    wall, _, done = run(govsite("validate", paths[0]), root)
    rows.append(Row("govsite validate one file (warm)", wall, "s"))
    shutil.rmtree(root / ".govsite-cache", ignore_errors=True)
    wall, _, done = run(govsite("validate", paths[0]), root)
    rows.append(Row("govsite validate one file (cold)", wall, "s"))
    # the cache a CI runner keeps from the main branch's last run (see docs/scaling.md)
    run(govsite("validate", "submissions/", "--format", "json"), root)
    for branch in branches:
        git(root, "checkout", "-q", branch)
        wall, _, done = run(govsite("check", "--base", "main", "--format", "json"), root)
        assert done.returncode in (0, 1), done.stderr[-2000:]
        checked = len(json.loads(done.stdout)["projects"])
        rows.append(Row(f"govsite check {branch} ({checked} files)", wall, "s", batch, "cat-file"))
        figures[f"check_{branch}"] = wall
        wall, _, done = run(govsite("check", "--base", "main", "--format", "json"), root, cache=False)
        assert done.returncode in (0, 1), done.stderr[-2000:]
        rows.append(Row(f"govsite check {branch}, no cache (fresh runner)", wall, "s", batch, "cat-file"))
    git(root, "checkout", "-q", "main")

    out = root / "site"
    shutil.rmtree(root / ".govsite-cache", ignore_errors=True)
    wall, peak, done = run(govsite("build", "--out", str(out)), root)
    assert done.returncode == 0, done.stderr[-3000:]
    figures["build"] = wall
    site_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    plain = plain_mkdocs(size, work / f"mkdocs-{size}") if with_mkdocs else None
    rows.append(
        Row(
            f"govsite build, cold (peak {peak:.0f} MB, site {site_mb:.0f} MB)",
            wall,
            "s",
            plain,
            "plain mkdocs",
        )
    )
    wall, _, done = run(govsite("build", "--out", str(out)), root)
    assert done.returncode == 0, done.stderr[-3000:]
    rows.append(Row("govsite build, nothing changed", wall, "s"))
    index = sorted(out.rglob("search*.json"), key=lambda p: p.stat().st_size)
    if index:
        biggest = index[-1]
        gz = len(gzip.compress(biggest.read_bytes()))
        rows.append(Row(f"search index a visitor downloads ({biggest.name})", gz / size, "B/pr"))
        figures["index_per_project"] = gz / size
    edit_one(root, paths[len(paths) // 2], "# 又改\n")
    wall, _, done = run(govsite("build", "--out", str(out)), root)
    figures["rebuild_comment"] = wall
    rows.append(Row("govsite build after a comment in one file (the project unchanged)", wall, "s"))
    edit_summary(root, paths[len(paths) // 2], "（又改）")
    wall, _, done = run(govsite("build", "--out", str(out)), root)
    assert done.returncode == 0, done.stderr[-3000:]
    figures["rebuild"] = wall
    rows.append(Row("govsite build after changing one project's summary", wall, "s"))
    # what the publish job does after each merge: a new commit, so the approval audit has a new tip
    git(root, "commit", "-q", "-am", "merge one change")
    wall, _, done = run(govsite("build", "--out", str(out)), root)
    assert done.returncode == 0, done.stderr[-3000:]
    figures["rebuild_after_merge"] = wall
    rows.append(Row("govsite build after merging one change (new commit)", wall, "s"))
    for row in rows:
        print(row.show())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-mkdocs", action="store_true", help="skip the plain-mkdocs baseline")
    parser.add_argument("--keep", help="keep the registries in this folder")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="govsite-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, float]] = {}
    try:
        for size in args.sizes:
            results[size] = measure(size, not args.no_mkdocs, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if len(results) > 1:
        small, large = min(results), max(results)
        print(f"\nscaling {small:,} → {large:,} ({large / small:.0f}× the projects)")
        for key in ("validate_cold", "validate_warm", "build"):
            a, b = results[small][key], results[large][key]
            exponent = math.log(b / a) / math.log(large / small)
            print(f"  {key:<16} ×{b / a:.1f}  exponent {exponent:.2f}")


if __name__ == "__main__":
    main()
