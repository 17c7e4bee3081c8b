"""Throughput of `govsite validate` and of rendering the site's Markdown on a synthetic registry.

Prints its figures; it asserts nothing (machines are shared and noisy: targets are read here, never
in timed tests). Usage:  .venv/bin/python benchmarks/registry_scale.py [--projects 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from govsite.policy.pack import load_packs  # noqa: E402
from govsite.registry import validate_paths  # noqa: E402

STAGES = [
    ("requirement", "2025-12-10"),
    ("declared", "2026-01-05"),
    ("intake", "2026-01-08"),
    ("in_library", "2026-02-10"),
    ("approved", "2026-03-16"),
    ("under_construction", "2026-04-01"),
]


def synthetic_project(number: int) -> dict[str, object]:
    base = yaml.safe_load((REPO / "policies/minhang-2025/examples/base.yaml").read_text(encoding="utf-8"))
    depth = 2 + number % (len(STAGES) - 1)
    base.update(
        id=f"MH-2026-{number:04d}",
        name=f"闵行区第{number}号业务管理系统建设项目",
        summary="建设统一的业务受理、审批、统计与数据共享功能，服务全区相关部门和办事群众。",
        stage=STAGES[depth - 1][0],
        stages=[{"stage": s, "date": dt.date.fromisoformat(d)} for s, d in STAGES[:depth]],
    )
    base["budget"] = {"total": 50 + number % 900, "hardware": 10, "software_development": 40}
    return base


def write_registry(root: Path, count: int) -> None:
    shutil.copytree(REPO / "policies", root / "policies")
    folder = root / "submissions" / "minhang"
    folder.mkdir(parents=True)
    for number in range(1, count + 1):
        text = yaml.safe_dump(synthetic_project(number), allow_unicode=True, sort_keys=False)
        (folder / f"MH-2026-{number:04d}.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_registry(root, args.projects)
        size = sum(p.stat().st_size for p in (root / "submissions").rglob("*.yaml")) / args.projects
        start = time.perf_counter()
        packs = load_packs(root / "policies")
        loaded = time.perf_counter()
        run = validate_paths([root / "submissions"], packs, root, dt.date(2026, 11, 22))
        judged = time.perf_counter()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"projects                 {args.projects:>10,}  (~{size / 1024:.1f} KB each)")
        print(f"load policy packs        {loaded - start:>10.2f} s")
        print(
            f"validate (load+judge)    {judged - loaded:>10.2f} s  = {args.projects / (judged - loaded):,.0f} files/s"
        )
        print(f"findings                 {sum(len(p.findings) for p in run.projects):>10,}")
        print(f"peak memory              {peak_mb:>10.0f} MB")
        try:
            from govsite.site.build import build_site
        except ImportError:
            return
        out = root / "site"
        start = time.perf_counter()
        build_site(root, out, dt.date(2026, 11, 22), run_mkdocs=False)
        print(f"site Markdown only       {time.perf_counter() - start:>10.2f} s")


if __name__ == "__main__":
    main()
