"""Text from a project file cannot forge CI output: no workflow command, no Markdown, no terminal control.

A department writes workflow commands, Markdown, HTML and escape sequences into every text field of
a declaration; the reporters must print them as text. GitHub's runner is modelled by
`github_runner.commands`, as GitHub documents it.
"""

from __future__ import annotations

import json
from pathlib import Path

import markdown
import pytest
from github_runner import commands
from support import base_project, git, govsite, init_repo, make_registry, write_project

FORGED = [
    "\n::error file=submissions/qingpu/QP-2026-001.yaml,line=1::伪造的错误",
    "::add-mask::secret-value",
    "\r\n::set-output name=verdict::pass",
    "%0A::warning::encoded newline",
    "\n  ::stop-commands::pwned",
    "\n::pwned::",
    "##[error]legacy command",
    "\n##[add-mask]legacy",
    "\x1b[2J\x1b[31mRED\x1b]0;title\x07",
    "\x00nul\x08back",
    "\u202eevil\u202c",
    "[点我](https://evil.example/phish)",
    "![追踪](https://evil.example/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(document.domain)</script>",
    "| 伪造 | 表格 |\n|---|---|\n| x | y |",
    "\n# 伪造标题\n**粗体** <details open>",
]
PAYLOAD = "".join(FORGED)
PATH = "submissions/minhang/MH-2026-020.yaml"
ODD_PATH = "submissions/minhang/a,b::error file=x.yaml"


def hostile_project() -> dict[str, object]:
    data = base_project(
        id="MH-2026-020",
        name=f"闵行区{PAYLOAD}系统建设项目",
        project_unit=PAYLOAD,
        budget_authority=PAYLOAD,
        summary=PAYLOAD,
    )
    data["stages"] = [{"stage": "declared", "date": "2026-03-02", "note": PAYLOAD}]
    data["materials"] = [{"kind": "construction_plan", "title": PAYLOAD, "date": "2026-03-01"}]
    return data


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    root = make_registry(tmp_path / "registry", {"submissions/minhang/MH-2026-001.yaml": base_project()})
    init_repo(root)
    git(root, "checkout", "-q", "-b", "pr")
    write_project(root, PATH, hostile_project())
    write_project(root, ODD_PATH, hostile_project())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "注入")
    return root


def only_own_commands(output: str, paths: set[str]) -> None:
    found = commands(output)
    names = [c.name for c in found]
    assert set(names) <= {"error", "warning", "notice", "stop-commands", "resume-commands"}, names
    assert names.count("stop-commands") == names.count("resume-commands") == 1
    for command in found:
        if command.name in ("error", "warning", "notice") and "file" in command.properties:
            assert command.properties["file"] in paths, command.properties
            assert set(command.properties) == {"file", "line", "col", "title"}
            assert command.properties["line"].isdigit() and command.properties["col"].isdigit()
    # what the runner would show of each annotation has no control characters of the file's
    for command in found:
        assert not any(ord(c) < 32 and c != "\n" for c in command.data), repr(command.data)


@pytest.mark.parametrize("mode", ["validate", "check"])
def test_github_output_carries_no_command_but_its_own(registry: Path, tmp_path: Path, mode: str) -> None:
    summary = tmp_path / "summary.md"
    args = ["validate", PATH, ODD_PATH] if mode == "validate" else ["check", "--base", "main"]
    done = govsite(
        *args, "--format", "github", "--summary", str(summary), "--today", "2026-03-04", cwd=registry
    )

    assert done.returncode == 1, done.stderr
    only_own_commands(done.stdout, {PATH, ODD_PATH})
    assert "\x1b" not in done.stdout and "\x00" not in done.stdout and "\u202e" not in done.stdout
    assert "\\x1b[2J" in done.stdout  # shown, not obeyed

    html = markdown.markdown(summary.read_text(encoding="utf-8"), extensions=["tables"])
    for tag in ("<a ", "<img", "<script", "<details", "<h1", "<strong>粗体"):
        assert tag not in html, tag
    assert "[点我](https://evil.example/phish)" in html.replace("&#91;", "[").replace("&#93;", "]").replace(
        "&#40;", "("
    ).replace("&#41;", ")").replace("&#58;", ":").replace("&#47;", "/").replace("&#46;", ".").replace(
        "&#45;", "-"
    )


def test_text_output_never_reaches_the_terminal_raw(registry: Path) -> None:
    done = govsite("validate", PATH, "--today", "2026-03-04", cwd=registry)
    assert done.returncode == 1
    assert not any(ord(c) < 32 and c != "\n" for c in done.stdout)
    assert "\u202e" not in done.stdout
    # every line the report prints starts with its own prefix: a value cannot begin a line
    for line in done.stdout.splitlines():
        assert line.startswith(("==", "   ", "    ", PATH, "检查了", "注意")), line


def test_json_output_keeps_the_text_as_data(registry: Path) -> None:
    done = govsite("validate", PATH, "--format", "json", "--today", "2026-03-04", cwd=registry)
    report = json.loads(done.stdout)
    assert report["projects"][0]["name"] == f"闵行区{PAYLOAD}系统建设项目"
