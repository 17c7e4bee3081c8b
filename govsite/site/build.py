"""`govsite build`: judge the registry, render the pages, run mkdocs, publish.

The steps are kept apart: `load_registry` reads files (I/O), `collect` decides what is shown (pure),
`render_pages` turns it into Markdown (Jinja2), `mkdocs_run` builds HTML (a child process, while the
open data is made), `write_project_pages` fills the project pages into the shell mkdocs built, and
`publish` puts the site in place. A failure at any step leaves the published site as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path

from govsite.audit import AuditResult
from govsite.cache import NO_CACHE, Cache
from govsite.config import CONFIG_FILE, SiteIdentity, load_config
from govsite.errors import GovsiteError
from govsite.heap import long_lived, settle
from govsite.model import Project
from govsite.policy.pack import PolicyPack
from govsite.privacy import ARTICLE as PRIVACY_ARTICLE
from govsite.privacy import RULE as PRIVACY_RULE
from govsite.privacy import personal_data
from govsite.registry import validate_paths
from govsite.resources import POLICIES, registry_packs, site_kit
from govsite.result import ProjectResult
from govsite.schema import schemas
from govsite.site import mkdocs_run, opendata
from govsite.site.collect import SiteData, collect, is_registry_file
from govsite.site.project_pages import SHELL, SHELL_PAGE, ProjectPage, write_project_pages
from govsite.site.publish import (
    discard,
    forget_published,
    published_files,
    remember_published,
    staging_folder,
    swap_into,
    update_in_place,
)
from govsite.site.render import make_environment, project_pages, render_pages, write_files, write_pages
from govsite.tree import CALENDARS
from govsite.workdays import load_calendars


def load_registry(
    root: Path, packs: Sequence[PolicyPack], today: dt.date, cache: Cache = NO_CACHE
) -> tuple[list[ProjectResult], dict[str, Project]]:
    """Judge every file under submissions/ and load the Project of each file that has one."""
    submissions = root / "submissions"
    if not submissions.is_dir():
        raise GovsiteError(f"找不到 {submissions}", "在登记仓库根目录运行，或用 --root 指定仓库。")
    # Only district folders hold projects: submissions/TEMPLATE.yaml is not one (and must not count in
    # the duplicate-id check).
    districts = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    run = validate_paths(districts, packs, root, today, cache)
    results = [r for r in run.projects if is_registry_file(r.path)]
    projects = {r.path: r.project for r in results if r.project is not None}
    return results, projects


def registry_audit(root: Path, cache: Cache = NO_CACHE) -> AuditResult | None:
    """The approval record of the registry's history, if `root` is the top of a git repository with
    commits (a site built from a plain folder has no history to show)."""
    import git

    from govsite.audit import audit

    try:
        repo = git.Repo(root)
        repo.head.commit  # noqa: B018 - raises for a repository without commits
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return None
    return audit(repo, "HEAD", cache)


def prepare(root: Path, today: dt.date, cache: Cache | None = None, policies: str = POLICIES) -> SiteData:
    cache = cache or Cache(root)
    # strict: a pack that does not load stops the build and the published site stays as it was
    # (validate and check isolate it instead, so the other districts' work goes on)
    packs = registry_packs(root, policies, cache)
    results, projects = load_registry(root, packs, today, cache)
    calendar = load_calendars(root / CALENDARS)
    return collect(results, projects, packs, today, registry_audit(root, cache), calendar)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return str(path) + "/"


def privacy_review(data: SiteData, identity: SiteIdentity) -> None:
    """保密审查, which no option skips: personal numbers in a project file or in the footer's settings
    stop the build before anything is written, each at its file and line."""
    found = [
        f"{path}:{f.line}: {f.message}"
        for path, findings in [(e.result.path, e.result.findings) for e in data.projects]
        + [(i.path, i.findings) for i in data.invalid]
        for f in findings
        if f.rule == PRIVACY_RULE
    ]
    for key, name in SiteIdentity.REQUIRED:
        for _line, _column, what in personal_data(getattr(identity, key) or ""):
            found.append(f"{CONFIG_FILE}: [site] {key}（{name}）含有个人信息（{what}）")
    if found:
        shown = "\n  ".join(found[:20]) + (f"\n  ……共 {len(found)} 处" if len(found) > 20 else "")
        raise GovsiteError(
            f"保密审查未通过，网站没有生成：下列位置含有个人信息（{PRIVACY_ARTICLE}）：\n  {shown}",
            "删去个人手机号码、身份证号码后重新运行 govsite build；需要联系方式时写单位的办公电话或信箱。",
        )


def public_identity(identity: SiteIdentity) -> None:
    """`--public`: a government site is not published without what《政府网站发展指引》requires."""
    missing = identity.missing()
    if missing:
        raise GovsiteError(
            f"不能作为政府网站发布：{CONFIG_FILE} 的 [site] 缺少 {'、'.join(missing)}",
            f"在 {CONFIG_FILE} 中填写 [site] 的各项（见 govsite/config.py 的说明）后重新运行 govsite build --public。",
        )


def site_name(config_file: Path) -> str:
    """`site_name` of mkdocs.yml, read without mkdocs (whose loader the parent process does not need)."""
    for line in config_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("site_name:"):
            return line.partition(":")[2].strip().strip("\"'") or "政务数字化项目公开目录"
    return "政务数字化项目公开目录"


def build_site(
    root: Path,
    out: Path,
    today: dt.date,
    run_mkdocs: bool = True,
    public: bool = False,
    policies: str = POLICIES,
) -> str:
    """Render the registry and handbook into build/docs and, unless told not to, publish HTML at `out`.

    `public`: refuse unless the site's identity (footer) is complete. Returns a one-line Chinese summary.
    """
    started = time.monotonic()
    root = root.resolve()
    identity = load_config(root).site
    if public:
        public_identity(identity)
    cache = Cache(root)
    with long_lived():  # the registry, once loaded, lives to the end of the build
        data = replace(prepare(root, today, cache, policies), history_url=identity.history)
        settle()
        return _render_and_publish(root, out, today, run_mkdocs, data, identity, cache, started)


def _render_and_publish(
    root: Path,
    out: Path,
    today: dt.date,
    run_mkdocs: bool,
    data: SiteData,
    identity: SiteIdentity,
    cache: Cache,
    started: float,
) -> str:
    privacy_review(data, identity)
    # the shipped templates and mkdocs.yml with the registry's own laid over them (resources.py)
    templates, config_file = site_kit(root, root / "build" / "site-kit")
    env = make_environment(templates)
    projects = project_pages(data, env, cache)
    pages: dict[str, str | bytes] = dict(render_pages(data, env))
    keys = [page.key for page in projects]
    name = identity.name or site_name(config_file)

    def open_data() -> dict[str, str | bytes]:
        return opendata.exports(data, name, identity.url or "", data.source, cache, keys)

    # the schema each project file's `$schema` comment names, at the published site too
    pages.update(
        {
            f"schema/{file}": json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
            for file, schema in schemas([h.pack for h in data.handbooks]).items()
        }
    )
    docs_dir = root / "build" / "docs"
    counts = f"{len(data.projects)} 个项目页、{len(data.handbooks)} 本政策手册"
    if data.invalid:
        counts += f"（{len(data.invalid)} 个文件未通过校验，列在首页）"
    if not run_mkdocs:
        pages.update(open_data())
        for page in projects:
            pages[f"projects/{page.project_id}.md"] = page.markdown
        write_pages(pages, docs_dir, assets=templates / "assets")
        return f"已生成 {counts} 的 Markdown → {_shown(docs_dir, root)}"
    pages[SHELL] = SHELL_PAGE
    # the open data is made while mkdocs runs and goes into its output: mkdocs copies, never reads,
    # these files, but checks that what the pages link to is there
    pages.update(dict.fromkeys(opendata.export_files(), b""))
    rows = mkdocs_run.set_aside_rows(pages)  # the lists' rows go into mkdocs' output after it ran
    write_pages(pages, docs_dir, assets=templates / "assets")
    del pages  # the other pages (MBs) are on disk: not held while project pages are made
    _publish(config_file, docs_dir, out, today, projects, cache, identity, open_data, rows)
    seconds = time.monotonic() - started
    return f"已生成 {counts} → {_shown(out, root)}（用时 {seconds:.1f} 秒）"


def _publish(
    config_file: Path,
    docs_dir: Path,
    out: Path,
    today: dt.date,
    projects: Sequence[ProjectPage],
    cache: Cache,
    identity: SiteIdentity,
    meanwhile: Callable[[], Mapping[str, str | bytes]],
    rows: dict[str, list[str]] | None = None,
) -> None:
    """mkdocs builds the site into a staging folder while `meanwhile` makes the files that go into
    it as they are (the open data: about 1.3 s of a rebuild at 10,000 projects, mkdocs 1.6 s); the
    lists' rows (`rows`, set aside from mkdocs) and the project pages are filled in and the whole
    published in place or swapped in."""
    out = out.resolve()
    staging = staging_folder(out)
    published = published_files(cache, out)
    try:
        running = mkdocs_run.MkdocsRun(config_file, docs_dir, staging, today.isoformat(), asdict(identity))
        try:
            files = meanwhile()
        except BaseException:
            running.stop()
            raise
        running.finish()
        if not (staging / "index.html").is_file():
            raise GovsiteError("mkdocs 没有生成 index.html，已发布的网站保持不变", "检查 mkdocs.yml 的设置。")
        mkdocs_run.put_back_rows(staging, rows or {})
        write_files(staging, files)
        pages, kept = write_project_pages(staging, projects, config_file, docs_dir, cache, published)
        if kept:
            # pages already published as they should be stay; the rest is moved in file by file
            forget_published(cache, out)
            update_in_place(staging, out, kept)
        else:
            swap_into(staging, out)
    except BaseException:
        discard(staging)
        raise
    remember_published(cache, out, pages)
