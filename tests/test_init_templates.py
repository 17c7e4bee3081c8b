"""The CI files `govsite init` writes into a new registry: rendered, valid for their forge, and safe.

A new registry holds `submissions/`, `govsite.toml` and maybe `policies/`, but not govsite's source: its
CI installs govsite from a package index. Each template is rendered with sample variables (several
districts and one), validated with the real check-jsonschema CLI against the forge's schema, and read
back with PyYAML for the facts that matter: what is installed, which govsite command runs, where the
reports go, and that the security design of this repository's own workflows (docs/security.md) is kept.
The scripts that do more than call govsite (the merge-request note, the Forgejo comment) are run
against a fake forge API.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import pytest
import yaml
from support import REPO, base_project, git, init_repo, make_registry, write_project

TEMPLATES = REPO / "govsite" / "templates" / "init"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"

# template → the schema its output is checked against
SCHEMAS = {
    "github/check.yml.j2": "vendor.github-workflows",
    "github/comment.yml.j2": "vendor.github-workflows",
    "github/publish.yml.j2": "vendor.github-workflows",
    "github/record.yml.j2": "vendor.github-workflows",
    "github/review.yml.j2": "vendor.github-workflows",
    "forgejo/check.yml.j2": "vendor.github-workflows",  # Forgejo/Gitea Actions: GitHub's syntax
    "forgejo/publish.yml.j2": "vendor.github-workflows",
    "gitlab-ci.yml.j2": "vendor.gitlab-ci",
    "pre-commit-config.yaml.j2": None,  # check-jsonschema has no builtin schema: PRE_COMMIT_SCHEMA
}
CI_VARIABLES = {"package", "python", "districts", "branch"}
HOOK_VARIABLES = {"hook_repo", "hook_rev"}

SAMPLES: dict[str, dict[str, Any]] = {
    "several-districts": {
        "package": "govsite==0.2.0",
        "python": "3.11",
        "districts": ["minhang", "yangpu", "qingpu"],
        "branch": "main",
        "hook_repo": "https://git.example.gov.cn/platform/govsite",
        "hook_rev": "v0.2.0",
    },
    "one-district": {
        # a requirement with characters YAML and the shell care about
        "package": "govsite[site]>=0.2,<0.3",
        "python": "3.12",
        "districts": ["longgang"],
        "branch": "master",
        "hook_repo": "https://github.com/example/govsite",
        "hook_rev": "v0.2.1",
    },
}

# pre-commit's own config schema (pre_commit/clientlib.py), as much as this file uses of it
PRE_COMMIT_SCHEMA = {
    "type": "object",
    "required": ["repos"],
    "properties": {
        "repos": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["repo", "hooks"],
                "additionalProperties": False,
                "properties": {
                    "repo": {"type": "string", "minLength": 1},
                    "rev": {"type": "string", "minLength": 1},
                    "hooks": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["id"],
                            "properties": {"id": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


# `govsite init` may also trim the newline after a block tag (trim_blocks): the templates never end a
# line with `{% raw %}`/`{% endraw %}`, so both environments write the same file.
TRIMMING_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
)


def render(name: str, **variables: Any) -> str:
    return ENV.get_template(name).render(**variables)


def rendered(name: str, sample: str = "several-districts") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(render(name, **SAMPLES[sample]))
    return data


def triggers(data: dict[Any, Any]) -> dict[str, Any]:
    found: dict[str, Any] = data[True] if True in data else data["on"]  # PyYAML reads `on` as True
    return found


def step(data: dict[str, Any], job: str, step_id: str) -> dict[str, Any]:
    return next(s for s in data["jobs"][job]["steps"] if s.get("id") == step_id)


def runs(data: dict[str, Any]) -> list[str]:
    return [s.get("run", "") for job in data["jobs"].values() for s in job.get("steps", [])]


def own_workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    return data


def check_jsonschema(schema: list[str], path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECK_JSONSCHEMA), *schema, str(path)], capture_output=True, text=True)


def run_script(
    script: str, cwd: Path, env: dict[str, str], fake_bin: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """A `run:`/`script:` block as the runner runs it: bash, stop at the first failing command."""
    path = os.pathsep.join(
        [str(p) for p in (fake_bin, Path(sys.executable).parent) if p] + [os.environ["PATH"]]
    )
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, **env},
    )


# --- every template renders and matches its forge's schema -------------------------------------------


def test_every_template_is_listed() -> None:
    """Every workflow template (github/, forgejo/) is tested here, and the top-level CI files exist
    (other files under init/, such as registry/, are not CI files)."""
    workflows = {
        p.relative_to(TEMPLATES).as_posix()
        for folder in ("github", "forgejo")
        for p in (TEMPLATES / folder).glob("*.j2")
    }
    assert workflows == {name for name in SCHEMAS if "/" in name}
    assert all((TEMPLATES / name).is_file() for name in SCHEMAS)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_template_renders_to_a_valid_file(name: str, sample: str, tmp_path: Path) -> None:
    text = render(name, **SAMPLES[sample])
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "{%" not in text and "{#" not in text
    assert "{{" not in text.replace("${{", "")  # only GitHub expressions are left, never a Jinja one
    target = tmp_path / Path(name).name.removesuffix(".j2")
    target.write_text(text, encoding="utf-8")
    schema = SCHEMAS[name]
    if schema is None:
        schemafile = tmp_path / "pre-commit-config.schema.json"
        schemafile.write_text(json.dumps(PRE_COMMIT_SCHEMA), encoding="utf-8")
        done = check_jsonschema(["--schemafile", str(schemafile)], target)
    else:
        done = check_jsonschema(["--builtin-schema", schema], target)
    assert done.returncode == 0, done.stdout + done.stderr
    assert isinstance(yaml.safe_load(text), dict)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_trimming_block_newlines_changes_nothing(name: str, sample: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert not re.search(r"\{%[^%]*%\}\n", source)
    trimmed = TRIMMING_ENV.get_template(name).render(**SAMPLES[sample])
    assert trimmed == render(name, **SAMPLES[sample])


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_missing_variable_is_an_error(name: str) -> None:
    """StrictUndefined: leaving out any variable a template uses fails the render instead of writing ''."""
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    used = jinja2.meta.find_undeclared_variables(ENV.parse(source))
    assert used or name == "github/review.yml.j2", name  # review.yml installs and runs nothing
    assert used <= (HOOK_VARIABLES if name.startswith("pre-commit") else CI_VARIABLES)
    for missing in sorted(used):
        variables = {k: v for k, v in SAMPLES["several-districts"].items() if k != missing}
        with pytest.raises(jinja2.UndefinedError, match=missing):
            render(name, **variables)


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / ".github" / "workflows").glob("*.yml")))
def test_this_repository_s_workflows_match_the_github_schema(name: str) -> None:
    done = check_jsonschema(
        ["--builtin-schema", "vendor.github-workflows"], REPO / ".github" / "workflows" / name
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- GitHub: this repository's workflows, installing the package instead of the checkout ---------------


def install_step_installs(data: dict[str, Any], job: str, package: str) -> None:
    install = step(data, job, "install")
    assert install["env"] == {"GOVSITE_PACKAGE": package}
    assert install["run"] == 'python -m pip install --disable-pip-version-check "$GOVSITE_PACKAGE"'
    assert not [r for r in runs(data) if re.search(r"pip install[^\n]* \.(\s|$)", r)]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_github_check_keeps_the_security_design(sample: str) -> None:
    """As .github/workflows/check.yml: pull_request_target, only the base checked out, the pull request
    fetched as git objects, read-only token, forge values via the environment, the same govsite check."""
    data, own = rendered("github/check.yml.j2", sample), own_workflow("check.yml")
    assert triggers(data) == triggers(own) and list(triggers(data)) == ["pull_request_target"]
    assert data["permissions"] == own["permissions"] == {"contents": "read", "pull-requests": "read"}
    steps = data["jobs"]["check"]["steps"]
    checkout = steps[0]
    assert checkout == own["jobs"]["check"]["steps"][0]
    assert checkout["with"] == {
        "ref": "${{ github.event.pull_request.base.ref }}",
        "fetch-depth": 0,
        "persist-credentials": False,
    }
    assert [s for s in steps if s.get("uses", "").startswith("actions/checkout@")] == [checkout]
    assert "pull_request.head" not in render("github/check.yml.j2", **SAMPLES[sample])
    for step_id in ("fetch", "forge", "cache", "check"):  # word for word what this repository runs
        assert step(data, "check", step_id) == step(own, "check", step_id), step_id
    assert (
        "govsite check --base HEAD --head refs/govsite/pull-head --require-approvals"
        in (step(data, "check", "check")["run"])
    )
    assert not [
        u for s in steps if (u := s.get("uses", "")).startswith(("actions/cache@", "actions/cache/save@"))
    ]
    install_step_installs(data, "check", SAMPLES[sample]["package"])
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == SAMPLES[sample]["python"]
    assert all("${{" not in r for r in runs(data))


def test_github_comment_rerun_and_record_are_this_repository_s() -> None:
    comment, own = rendered("github/comment.yml.j2"), own_workflow("comment.yml")
    assert triggers(comment) == triggers(own) and comment["permissions"] == own["permissions"]
    assert comment["jobs"]["rerun"] == own["jobs"]["rerun"]
    assert step(comment, "comment", "comment") == step(own, "comment", "comment")
    # nothing is checked out: the package index has govsite, the artifact has the check's text
    assert not [s for s in comment["jobs"]["comment"]["steps"] if "checkout" in s.get("uses", "")]
    install_step_installs(comment, "comment", "govsite==0.2.0")
    # the workflow names comment.yml listens to are the ones check.yml and review.yml carry
    assert set(triggers(comment)["workflow_run"]["workflows"]) == {
        rendered("github/check.yml.j2")["name"],
        rendered("github/review.yml.j2")["name"],
    }
    assert rendered("github/review.yml.j2") == own_workflow("review.yml")
    record, own_record = rendered("github/record.yml.j2"), own_workflow("record.yml")
    assert triggers(record) == triggers(own_record) and record["permissions"] == own_record["permissions"]
    for step_id in ("forge", "record"):
        assert step(record, "record", step_id) == step(own_record, "record", step_id)
    install_step_installs(record, "record", "govsite==0.2.0")
    for data in (comment, record):
        assert all("${{" not in r for r in runs(data))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_github_publish_builds_the_site_on_the_default_branch(sample: str) -> None:
    data, own = rendered("github/publish.yml.j2", sample), own_workflow("publish.yml")
    assert triggers(data)["push"] == {"branches": [SAMPLES[sample]["branch"]]}
    assert "workflow_dispatch" in triggers(data)
    assert step(data, "build", "build") == step(own, "build", "build")
    assert "govsite build --out site" in step(data, "build", "build")["run"]
    assert step(data, "build", "cache") == step(own, "build", "cache")
    assert data["jobs"]["deploy"] == own["jobs"]["deploy"]
    install_step_installs(data, "build", SAMPLES[sample]["package"])


# --- GitLab ------------------------------------------------------------------------------------------


def script_text(job: dict[str, Any]) -> str:
    return "\n".join(job["script"])


def redirect_of(script: str, fmt: str) -> str:
    """The file a `govsite check … --format <fmt> > FILE` line writes."""
    [target] = re.findall(rf"govsite check [^\n]*--format {fmt} > (\S+)", script)
    return str(target)


MR_RULE = '$CI_PIPELINE_SOURCE == "merge_request_event"'


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_gitlab_merge_request_job_reports_code_quality(sample: str) -> None:
    variables = SAMPLES[sample]
    text = render("gitlab-ci.yml.j2", **variables)
    assert "${{" not in text
    data = yaml.safe_load(text)
    assert data["default"]["image"] == f"python:{variables['python']}"
    assert data["variables"]["GIT_DEPTH"] == 0
    assert data["variables"]["GOVSITE_PACKAGE"] == {"value": variables["package"], "expand": False}
    job = data["govsite-check"]
    assert job["rules"] == [{"if": MR_RULE}]
    script = script_text(job)
    assert job["script"][0] == 'python -I -m pip install "$GOVSITE_PACKAGE"'
    assert 'govsite check --base "$base" --head "$head" --require-approvals' in script
    assert 'head="${CI_MERGE_REQUEST_SOURCE_BRANCH_SHA:-$CI_COMMIT_SHA}"' in script
    report = redirect_of(script, "gitlab")
    assert report == "gl-code-quality-report.json"
    assert job["artifacts"]["reports"]["codequality"] == report
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["paths"] == [redirect_of(script, "markdown")] == ["govsite-check.md"]
    # only git objects: nothing of the merge request is checked out, installed or run
    assert job["variables"] == {"GIT_STRATEGY": "clone", "GIT_CHECKOUT": "false"}
    assert "cache" not in job


def test_gitlab_note_job_posts_the_markdown_after_the_check_whatever_its_result() -> None:
    data = rendered("gitlab-ci.yml.j2")
    job = data["govsite-note"]
    assert job["needs"] == [{"job": "govsite-check", "artifacts": True}]
    assert job["rules"] == [{"if": MR_RULE, "when": "always"}]
    assert job["variables"] == {"GIT_STRATEGY": "none"}
    script = script_text(job)
    assert '"${GOVSITE_NOTE_TOKEN:-}"' in script and "CI_API_V4_URL" in script
    assert "/projects/%s/merge_requests/%s/notes" in script
    assert data["govsite-check"]["artifacts"]["paths"] == ["govsite-check.md"]
    assert 'open("govsite-check.md"' in script


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_gitlab_pages_job_publishes_the_site_from_the_default_branch(sample: str) -> None:
    data = rendered("gitlab-ci.yml.j2", sample)
    branch_rule = [{"if": f'$CI_COMMIT_BRANCH == "{SAMPLES[sample]["branch"]}"'}]
    pages = data["pages"]
    assert pages["rules"] == branch_rule
    assert pages["script"] == ['python -I -m pip install "$GOVSITE_PACKAGE"', "govsite build --out public"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert data["govsite-baseline"]["rules"] == branch_rule
    assert data["govsite-baseline"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert data["workflow"]["rules"] == [{"if": MR_RULE}, *branch_rule]


@pytest.fixture
def gitlab_origin(tmp_path: Path) -> tuple[Path, str]:
    """A registry project on 'GitLab': main, and a merge request branch declaring a project."""
    origin = make_registry(tmp_path / "origin", {"submissions/minhang/MH-2026-001.yaml": base_project()})
    init_repo(origin)
    git(origin, "checkout", "-q", "-b", "feature")
    data = base_project(id="MH-2026-002", name="不合规的名称")
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    write_project(origin, "submissions/minhang/MH-2026-002.yaml", data)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "申报")
    head = git(origin, "rev-parse", "HEAD").strip()
    git(origin, "checkout", "-q", "main")
    return origin, head


@pytest.mark.parametrize("merged_results", [False, True], ids=["merge-request", "merged-results"])
def test_gitlab_check_script_writes_both_reports_from_git_objects_only(
    gitlab_origin: tuple[Path, str], tmp_path: Path, merged_results: bool
) -> None:
    """The check job's script as written, in a clone like the runner's with GIT_CHECKOUT false."""
    origin, head = gitlab_origin
    workspace = tmp_path / "build"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(origin), str(workspace)], check=True)
    env = {
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": git(origin, "rev-parse", "main").strip(),
        "CI_COMMIT_SHA": head,
        "GOVSITE_TODAY": "2026-03-04",
    }
    if merged_results:
        env["CI_MERGE_REQUEST_TARGET_BRANCH_SHA"] = git(origin, "rev-parse", "main").strip()
        env["CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"] = head
    [_install, check] = rendered("gitlab-ci.yml.j2")["govsite-check"]["script"]
    done = run_script(check, workspace, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MH-2026-002" in done.stdout
    issues = json.loads((workspace / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert issues and {i["location"]["path"] for i in issues} == {"submissions/minhang/MH-2026-002.yaml"}
    assert "govsite 检查结果" in (workspace / "govsite-check.md").read_text(encoding="utf-8")
    left = {p.name for p in workspace.iterdir()}
    assert left <= {".git", ".govsite-cache", "gl-code-quality-report.json", "govsite-check.md"}


class FakeForge:
    """A forge REST API on localhost: canned GET answers by path prefix, every request recorded."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.requests: list[dict[str, Any]] = []
        forge = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else None
                forge.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "body": json.loads(body) if body else None,
                        "token": self.headers.get("PRIVATE-TOKEN") or self.headers.get("Authorization"),
                    }
                )
                path = self.path.split("?")[0]
                answer = next((v for k, v in forge.answers.items() if path.endswith(k)), {"id": 1})
                data = json.dumps(answer).encode("utf-8")
                self.send_response(200 if self.command == "GET" else 201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeForge:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


MARKER = "<!-- govsite-check -->"


@pytest.fixture
def note_job(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    workdir = tmp_path / "build"
    workdir.mkdir()
    (workdir / "govsite-check.md").write_text("## govsite 检查结果\n\n❌ 未通过\n", encoding="utf-8")
    env = {"CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7"}
    yield script_text(rendered("gitlab-ci.yml.j2")["govsite-note"]), workdir, env


def test_gitlab_note_is_skipped_without_a_token(note_job: tuple[str, Path, dict[str, str]]) -> None:
    script, workdir, env = note_job
    done = run_script(
        script, workdir, {**env, "GOVSITE_NOTE_TOKEN": "", "CI_API_V4_URL": "http://127.0.0.1:9"}
    )
    assert done.returncode == 0, done.stderr
    assert "未设置 CI/CD 变量 GOVSITE_NOTE_TOKEN" in done.stdout


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ([], ("POST", "/api/v4/projects/42/merge_requests/7/notes")),
        (
            [
                {"id": 5, "author": {"id": 99}, "body": MARKER + "\n旧的结果", "system": False},  # ours
                {"id": 6, "author": {"id": 12}, "body": MARKER + "\n部门贴的", "system": False},
            ],
            ("PUT", "/api/v4/projects/42/merge_requests/7/notes/5"),
        ),
        (
            [{"id": 6, "author": {"id": 12}, "body": MARKER + "\n部门贴的", "system": False}],
            ("POST", "/api/v4/projects/42/merge_requests/7/notes"),
        ),
    ],
    ids=["first", "update-own", "never-someone-else-s"],
)
def test_gitlab_note_creates_or_updates_its_own_note(
    note_job: tuple[str, Path, dict[str, str]], notes: list[Any], expected: tuple[str, str]
) -> None:
    script, workdir, env = note_job
    with FakeForge({"/user": {"id": 99}, "/notes": notes}) as forge:
        done = run_script(
            script,
            workdir,
            {**env, "GOVSITE_NOTE_TOKEN": "glpat-test", "CI_API_V4_URL": forge.url + "/api/v4"},
        )
    assert done.returncode == 0, done.stdout + done.stderr
    [*reads, write] = forge.requests
    assert [r["path"].split("?")[0] for r in reads] == [
        "/api/v4/user",
        "/api/v4/projects/42/merge_requests/7/notes",
    ]
    assert (write["method"], write["path"]) == expected
    assert write["body"] == {"body": MARKER + "\n## govsite 检查结果\n\n❌ 未通过\n"}
    assert {r["token"] for r in forge.requests} == {"glpat-test"}


# --- Forgejo / Gitea -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_forgejo_check_keeps_the_security_design(sample: str) -> None:
    data = rendered("forgejo/check.yml.j2", sample)
    own = own_workflow("check.yml")
    assert list(triggers(data)) == ["pull_request_target"]
    assert data["permissions"] == {"contents": "read"}
    check = data["jobs"]["check"]
    assert check["permissions"] == {"contents": "read", "pull-requests": "read", "issues": "read"}
    assert check["steps"][0] == own["jobs"]["check"]["steps"][0]  # the base only, no credentials kept
    assert [s for s in check["steps"] if "checkout" in s.get("uses", "")] == [check["steps"][0]]
    assert step(data, "check", "fetch") == step(own, "check", "fetch")
    assert "actions/cache" not in render("forgejo/check.yml.j2", **SAMPLES[sample])
    install_step_installs(data, "check", SAMPLES[sample]["package"])
    run = step(data, "check", "check")["run"]
    assert run.count("govsite check --base HEAD --head refs/govsite/pull-head --require-approvals") == 2
    assert "--format markdown" in run and "--reviews" not in run  # Forgejo reviews are not GitHub's
    # the comment is written by a job that checks nothing out and runs no govsite
    comment = data["jobs"]["comment"]
    assert comment["needs"] == "check" and comment["if"].startswith("always()")
    assert comment["permissions"] == {"issues": "write", "pull-requests": "write"}
    assert [s.get("uses") for s in comment["steps"]] == [None]
    [post] = comment["steps"]
    assert post["env"]["API"] == "${{ github.server_url }}/api/v1"
    assert 'path="/repos/$REPOSITORY/issues/$PR_NUMBER/comments"' in post["run"]
    assert "govsite" not in post["run"]
    assert all("${{" not in r for r in runs(data))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_forgejo_publish_builds_the_site_as_an_artifact(sample: str) -> None:
    data = rendered("forgejo/publish.yml.j2", sample)
    assert triggers(data)["push"] == {"branches": [SAMPLES[sample]["branch"]]}
    [job] = data["jobs"].values()
    assert "govsite build --out site" in step(data, "build", "build")["run"]
    upload = job["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["path"] == "site"
    assert not [s for s in job["steps"] if "pages" in s.get("uses", "") or "cache" in s.get("uses", "")]
    install_step_installs(data, "build", SAMPLES[sample]["package"])
    assert "Pages" in render("forgejo/publish.yml.j2", **SAMPLES[sample]).split("name:")[0]


FAKE_CURL = """#!/usr/bin/env python3
import json, os, sys
args, method, data, url = sys.argv[1:], "GET", None, ""
for i, arg in enumerate(args):
    if arg == "-X":
        method = args[i + 1]
    elif arg == "--data":
        data = open(args[i + 1][1:], encoding="utf-8").read()
    elif "://" in arg:
        url = arg
with open(os.environ["FAKE_API_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({"method": method, "url": url, "body": data}, ensure_ascii=False) + "\\n")
"""


def forgejo_comment(
    tmp_path: Path, markdown: str, comments: list[Any]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The "准备评论" step and the comment job's step as written; returns the outputs and the API calls."""
    data = rendered("forgejo/check.yml.j2")
    temp = tmp_path / "runner-temp"
    (temp / "comment").mkdir(parents=True)
    (temp / "comment" / "check.md").write_text(markdown, encoding="utf-8")
    (temp / "comments.json").write_text(json.dumps(comments, ensure_ascii=False), encoding="utf-8")
    output = tmp_path / "github-output"
    output.touch()
    prepared = run_script(
        step(data, "check", "comment")["run"],
        tmp_path,
        {"RUNNER_TEMP": str(temp), "GITHUB_OUTPUT": str(output)},
    )
    assert prepared.returncode == 0, prepared.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    (fake_bin / "curl").write_text(FAKE_CURL, encoding="utf-8")
    (fake_bin / "curl").chmod(0o755)
    env = {
        "API": "https://git.example.gov.cn/api/v1",
        "REPOSITORY": "minhang/registry",
        "PR_NUMBER": "7",
        "COMMENT_ID": outputs["comment_id"],
        "BODY": outputs["body"],
        "TOKEN": "not-a-real-token",
        "RUNNER_TEMP": str(temp),
        "FAKE_API_LOG": str(tmp_path / "api.jsonl"),
    }
    [post] = data["jobs"]["comment"]["steps"]
    posted = run_script(post["run"], tmp_path, env, fake_bin)
    assert posted.returncode == 0, posted.stdout + posted.stderr
    calls = [json.loads(line) for line in (tmp_path / "api.jsonl").read_text(encoding="utf-8").splitlines()]
    return outputs, calls


def test_forgejo_comment_is_posted_then_updated_only_if_the_actions_bot_wrote_it(tmp_path: Path) -> None:
    markdown = "## govsite 检查结果\n\n❌ 未通过：`x`\n"
    _, [call] = forgejo_comment(tmp_path / "first", markdown, [])
    assert (call["method"], call["url"]) == (
        "POST",
        "https://git.example.gov.cn/api/v1/repos/minhang/registry/issues/7/comments",
    )
    assert json.loads(call["body"]) == {"body": MARKER + "\n" + markdown}
    pasted = {"id": 30, "user": {"id": 12, "login": "dept"}, "body": MARKER + "\n假的结果"}
    _, [call] = forgejo_comment(tmp_path / "pasted", markdown, [pasted])
    assert call["method"] == "POST"
    ours = {"id": 31, "user": {"id": -2, "login": "forgejo-actions"}, "body": MARKER + "\n旧的结果"}
    _, [call] = forgejo_comment(tmp_path / "ours", markdown, [ours, pasted])
    assert (call["method"], call["url"]) == (
        "PATCH",
        "https://git.example.gov.cn/api/v1/repos/minhang/registry/issues/comments/31",
    )


def test_forgejo_comment_body_fits_in_an_environment_variable(tmp_path: Path) -> None:
    markdown = "| 位置 | 问题 |\n" + "| submissions/minhang/MH-2026-001.yaml | 缺少“建设方案” |\n" * 20000
    outputs, [call] = forgejo_comment(tmp_path, markdown, [])
    assert len("BODY=" + outputs["body"]) < 128 * 1024  # Linux's limit for one environment string
    body = json.loads(base64.b64decode(outputs["body"]))["body"]
    assert body.startswith(MARKER) and body.endswith(
        "（检查结果过长，已截断；完整结果见“检查申报”运行的日志）\n"
    )
    assert json.loads(call["body"]) == {"body": body}


# --- pre-commit ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_pre_commit_config_uses_this_repository_s_hook(sample: str) -> None:
    variables = SAMPLES[sample]
    data = rendered("pre-commit-config.yaml.j2", sample)
    hook_ids = {
        h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    }
    assert data == {
        "repos": [
            {
                "repo": variables["hook_repo"],
                "rev": variables["hook_rev"],
                "hooks": [{"id": "govsite-validate"}],
            }
        ]
    }
    assert {"govsite-validate"} <= hook_ids


def test_pre_commit_accepts_the_config(tmp_path: Path) -> None:
    # pre-commit is a dev dependency: the one beside this interpreter (the venv is not activated in CI)
    pre_commit = Path(sys.executable).parent / "pre-commit"
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(render("pre-commit-config.yaml.j2", **SAMPLES["several-districts"]), encoding="utf-8")
    done = subprocess.run([str(pre_commit), "validate-config", str(config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
