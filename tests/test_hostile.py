"""The hostile corpus (tests/hostile/) against validate, check and build, all cases in one registry.

Every run exits 0 or 1 without a traceback; each bad file has its finding at its file (and line);
the good files in the same run are judged as usual; nothing read from outside the registry is echoed;
and the built site runs none of the injected scripts in a real headless Chromium.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile.corpus import GOOD, XSS, all_cases, gitlink
from support import base_project, git, govsite, init_repo, make_registry, write_project

TODAY = "2026-03-04"
CLEAN = "submissions/minhang/MH-2026-002.yaml"
SUBMODULE = "submissions/minhang/MH-2026-970"
CASES = all_cases()


def declared(project_id: str) -> dict[str, Any]:
    data = base_project(id=project_id)
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    return data


@dataclass(frozen=True)
class Hostile:
    root: Path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = make_registry(tmp_path_factory.mktemp("hostile") / "registry", {GOOD: declared("MH-2026-001")})
    init_repo(root)
    git(root, "checkout", "-q", "-b", "pr")
    write_project(root, CLEAN, declared("MH-2026-002"))
    for case in CASES:
        if "check" in case.modes and case.write is not None:
            case.write(root)
    git(root, "add", "-A")
    gitlink(root, SUBMODULE)
    git(root, "commit", "-q", "-m", "恶意输入")
    for case in CASES:  # what git cannot hold exists only in the work tree
        if "check" not in case.modes and case.write is not None:
            case.write(root)
    return Hostile(root)


def run(hostile: Hostile, *args: str) -> tuple[int, dict[str, Any], str]:
    done = govsite(*args, "--format", "json", "--today", TODAY, cwd=hostile.root)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def assert_cases(report: dict[str, Any], output: str, mode: str) -> None:
    results = {p["path"]: p for p in report["projects"]}
    problems: list[str] = []
    for case in CASES:
        if mode not in case.modes:
            continue
        result = results.get(case.path)
        if result is None:
            problems.append(f"{case.name}: {case.path!r} 没有结果")
            continue
        if case.rule is None:
            loader_errors = [
                f for f in result["findings"] if f["rule"].startswith(("yaml", "file", "schema", "layout"))
            ]
            if result["project"] is None or loader_errors:
                problems.append(
                    f"{case.name}: 应能加载，实际 {[(f['rule'], f['message']) for f in result['findings']]}"
                )
        else:
            hits = [f for f in result["findings"] if f["rule"] == case.rule and f["severity"] == "error"]
            if not hits:
                problems.append(
                    f"{case.name}: 应有 {case.rule}，实际 {[f['rule'] for f in result['findings']]}"
                )
            elif case.line is not None and case.line not in [f["line"] for f in hits]:
                problems.append(
                    f"{case.name}: {case.rule} 应在第 {case.line} 行，实际 {[f['line'] for f in hits]}"
                )
            if any(f["line"] is None for f in result["findings"]):
                problems.append(f"{case.name}: 有发现没有行号")
        for secret in case.never_shown:
            if secret in output:
                problems.append(f"{case.name}: 输出中出现了仓库之外的内容 {secret!r}")
    assert problems == []
    # the good file in the same run is judged as usual
    clean = results[CLEAN]
    assert clean["project"] == "MH-2026-002"
    assert [f for f in clean["findings"] if f["severity"] == "error"] == []


def test_validate_holds(hostile: Hostile) -> None:
    code, report, output = run(hostile, "validate")
    assert code == 1
    assert_cases(report, output, "validate")


def test_check_holds(hostile: Hostile) -> None:
    code, report, output = run(hostile, "check", "--base", "main")
    assert code == 1
    assert_cases(report, output, "check")
    results = {p["path"]: p for p in report["projects"]}
    assert "不是普通文件" in results[SUBMODULE]["findings"][0]["message"]


def test_the_good_project_keeps_its_place(hostile: Hostile) -> None:
    """A link to a project or a twin with another extension never makes the original disappear."""
    _, report, _ = run(hostile, "validate")
    [good] = [p for p in report["projects"] if p["path"] == GOOD]
    assert good["project"] == "MH-2026-001"
    twins = {f for f in good["findings"] if f["rule"] == "duplicate-id" for f in f["related"]}
    assert {"submissions/minhang/MH-2026-001.yml", "submissions/minhang/mh-2026-001.yaml"} <= twins


@pytest.fixture(scope="module")
def hostile_site(hostile: Hostile) -> Path:
    out = hostile.root / "site"
    done = govsite("build", "--out", str(out), "--today", TODAY, cwd=hostile.root)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return out


XSS_CASES = [c for c in CASES if c.xss is not None]


@pytest.mark.slow
def test_build_holds(hostile_site: Path) -> None:
    assert (hostile_site / "index.html").is_file()
    for case in CASES:
        if case.rule is None:
            page = hostile_site / "projects" / Path(case.path).stem / "index.html"
            assert page.is_file(), case.name
    built = "\n".join(p.read_text(encoding="utf-8") for p in hostile_site.rglob("*.html"))
    assert "root:x:0:0" not in built


@pytest.fixture(scope="module")
def site_url(hostile_site: Path) -> Iterator[str]:
    from browser_support import served

    with served(hostile_site) as url:
        yield url


@pytest.mark.slow
@pytest.mark.browser
def test_no_injected_script_runs_in_a_real_browser(site_url: str) -> None:
    from browser_support import chromium

    assert len(XSS_CASES) == len(XSS) >= 30
    with chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        fired: list[str] = []
        page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: fired.append(f"脚本错误：{error}"))
        try:
            for case in [None, *XSS_CASES]:
                target = site_url if case is None else f"{site_url}projects/{Path(case.path).stem}/"
                page.goto(target)
                page.wait_for_load_state("load")
                # focus and toggle what could carry a handler, as a visitor would
                page.keyboard.press("Tab")
                injected = page.evaluate(
                    """() => {
                        const found = [];
                        for (const el of document.querySelectorAll('article *, .md-content *, title')) {
                            for (const attr of el.attributes || []) {
                                if (attr.name.startsWith('on')) found.push(el.tagName + ' ' + attr.name);
                                if (/^\\s*(javascript|data):/i.test(attr.value)) found.push(el.tagName + ' ' + attr.name);
                            }
                            if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'FORM', 'META', 'STYLE',
                                 'DETAILS', 'INPUT', 'BUTTON', 'IMG'].includes(el.tagName.toUpperCase())
                                && el.closest('article')
                                    // the home page's charts are drawn by govsite (labels escaped: test_charts.py)
                                    && !el.closest('figure.govsite-chart')) found.push(el.tagName);
                        }
                        return found;
                    }"""
                )
                assert injected == [], (target, injected)
                if case is not None:  # the payload is there, as the text it is
                    heading = " ".join(page.locator("article h1").inner_text().removesuffix("¶").split())
                    assert heading == " ".join(f"闵行区{case.xss}系统建设项目".split()), (target, heading)
        finally:
            page.close()
    assert fired == []
