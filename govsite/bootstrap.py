"""`govsite init`: a new registry repository for chosen districts, ready to validate and build.

What it writes is rendered from `govsite/templates/init/` (package data): the configuration, a
folder per district, the forges' pipelines (GitHub, GitLab, Forgejo/Gitea), a pre-commit config,
a README for departments, CODEOWNERS from the packs' roles and the JSON Schema every declaration
points at. It never overwrites a file: an existing one is kept and reported.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jinja2

from govsite import __version__
from govsite import districts as district_registry
from govsite.errors import GovsiteError

FORGES = ("github", "gitlab", "forgejo", "gitea")
DEFAULT_FORGES = ("github", "gitlab", "forgejo")
# where the pre-commit hook is fetched from (`.pre-commit-hooks.yaml` at the top of govsite's repository)
HOOK_REPOSITORY = "https://github.com/govsite/govsite"

# template (below templates/init/) → where it goes in the registry, per forge (None: always)
_FILES: tuple[tuple[str, str, str | None], ...] = (
    ("registry/govsite.toml.j2", "govsite.toml", None),
    ("registry/README.md.j2", "README.md", None),
    ("registry/gitignore.j2", ".gitignore", None),
    ("pre-commit-config.yaml.j2", ".pre-commit-config.yaml", None),
    ("github/check.yml.j2", ".github/workflows/check.yml", "github"),
    ("github/comment.yml.j2", ".github/workflows/comment.yml", "github"),
    ("github/publish.yml.j2", ".github/workflows/publish.yml", "github"),
    ("github/record.yml.j2", ".github/workflows/record.yml", "github"),
    ("github/review.yml.j2", ".github/workflows/review.yml", "github"),
    ("gitlab-ci.yml.j2", ".gitlab-ci.yml", "gitlab"),
    ("forgejo/check.yml.j2", ".forgejo/workflows/check.yml", "forgejo"),
    ("forgejo/publish.yml.j2", ".forgejo/workflows/publish.yml", "forgejo"),
    ("forgejo/check.yml.j2", ".gitea/workflows/check.yml", "gitea"),
    ("forgejo/publish.yml.j2", ".gitea/workflows/publish.yml", "gitea"),
)


@dataclass
class InitReport:
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already there: not overwritten
    git: bool = False  # a new git repository was made


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("govsite").joinpath(f"templates/init/{name}").read_text("utf-8")
        ),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=False,
    )


def _template_exists(name: str) -> bool:
    return resources.files("govsite").joinpath(f"templates/init/{name}").is_file()


def init_registry(
    root: Path,
    wanted: list[str],
    forges: tuple[str, ...] | None = None,
    site_name: str | None = None,
    package: str | None = None,
    hook_repo: str | None = None,
    hook_rev: str | None = None,
    today: dt.date | None = None,
) -> InitReport:
    """Write a registry for the districts `wanted` (keys of shipped or the registry's own packs)."""
    from govsite.owners import CODEOWNERS, owner_rules, render_codeowners
    from govsite.policy.pack import load_packs
    from govsite.resources import pack_folders
    from govsite.reviewers import load_reviewers
    from govsite.schema import schemas

    forges = forges or DEFAULT_FORGES
    unknown_forges = [f for f in forges if f not in FORGES]
    if unknown_forges:
        raise GovsiteError(
            f"不认识的平台 {'、'.join(unknown_forges)}", f"--forge 写 {'、'.join(FORGES)} 中的一个或几个。"
        )
    root.mkdir(parents=True, exist_ok=True)
    packs = load_packs(pack_folders(root), None, wanted)
    missing = [
        d for d in wanted if district_registry.info(d) is None or not any(p.meta.district == d for p in packs)
    ]
    if missing or not wanted:
        raise GovsiteError(
            f"没有区 {'、'.join(missing) or '（未指定）'} 的政策包",
            f"--district 写以下之一：{district_registry.listing()}；新的区先把它的政策包放进 {root / 'policies'}。",
        )
    district_registry.set_order(wanted)
    infos = [district_registry.info(d) for d in wanted]
    today = today or dt.date.today()
    variables = {
        "districts": wanted,
        "district_infos": infos,
        "package": package or f"govsite=={__version__}",
        "python": "3.11",
        "branch": "main",
        "hook_repo": hook_repo or HOOK_REPOSITORY,
        "hook_rev": hook_rev or f"v{__version__}",
        "site_name": site_name or f"{'、'.join(i.name for i in infos if i)}政务数字化项目公开目录",
        "year": today.year,
    }
    env = _environment()
    report = InitReport()

    def put(relative: str, text: str) -> None:
        target = root / relative
        if target.exists():
            report.kept.append(relative)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        report.written.append(relative)

    for template, relative, forge in _FILES:
        if forge is not None and forge not in forges:
            continue
        if not _template_exists(template):
            continue
        context = dict(variables, districts=infos) if template.startswith("registry/") else variables
        put(relative, env.get_template(template).render(**context))
    for info in infos:
        assert info is not None
        put(
            f"submissions/{info.key}/README.md",
            env.get_template("registry/district-README.md.j2").render(district=info, year=today.year),
        )
    for name, schema in schemas(packs).items():
        put(f"schema/{name}", json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    codeowners = render_codeowners(owner_rules(packs, load_reviewers(root)))
    put(CODEOWNERS, codeowners)
    if "gitlab" in forges:  # GitLab reads CODEOWNERS from .gitlab/ (same syntax for these rules)
        put(".gitlab/CODEOWNERS", codeowners)
    report.git = _git_init(root)
    return report


def _git_init(root: Path) -> bool:
    """Make `root` a git repository with branch main, unless it is inside one already."""
    import subprocess

    try:
        inside = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, text=True
        )
        if inside.returncode == 0 and inside.stdout.strip() == "true":
            return False
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True
