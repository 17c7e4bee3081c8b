"""govsite as another district would use it: the built wheel, installed into a fresh virtualenv,
in a registry made by `govsite init` that holds none of this repository's folders.

The wheel and sdist are built from the working tree's files (copied into a temporary folder, so
nothing is written into the checkout) and checked with `twine check`; the registry is a real git
repository with a pull-request branch, checked in a full and in a shallow clone, built into a
site, and run through the pre-commit hook the README documents, fetched from a git repository of
this tree tagged like a release.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from govsite import __version__
from tests.support import REPO, git

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
DAY = "2026-12-01"
DECLARATION = REPO / "submissions" / "minhang" / "MH-2026-001.yaml"  # a department's declaration


def _run(
    *args: str | Path, cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "GOVSITE_TODAY": DAY, **(env or {})},
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{args} → {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def _tree_copy(target: Path) -> Path:
    """The files git tracks or would track (the working tree, not yet committed changes too)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The sdist and wheel, a fresh virtualenv with the wheel installed, and the source as a git
    repository tagged v<version> (what a pre-commit `rev:` names)."""
    work = tmp_path_factory.mktemp("release")
    source = _tree_copy(work / "govsite-src")
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "release")
    git(source, "tag", f"v{__version__}")
    dist = work / "dist"
    _run(sys.executable, "-m", "build", "--outdir", dist, ".", cwd=source)
    wheels = list(dist.glob("*.whl"))
    sdists = list(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    _run(sys.executable, "-m", "twine", "check", "--strict", *wheels, *sdists, cwd=work)
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=work)
    _run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        wheels[0],
        cwd=work,
    )
    yield {"source": source, "wheel": wheels[0], "sdist": sdists[0], "venv": venv, "work": work}


def _govsite(
    release: dict[str, Path], *args: str | Path, cwd: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    # GOVSITE_* of the test run must not leak in; the cache is this registry's own
    return _run(release["venv"] / "bin" / "govsite", *args, cwd=cwd, check=check)


def test_the_wheel_carries_its_data_and_names_its_version(release: dict[str, Path]) -> None:
    import zipfile

    names = zipfile.ZipFile(release["wheel"]).namelist()
    for expected in (
        "govsite/bundled/mkdocs.yml",
        "govsite/bundled/policies/minhang-2025/policy.yaml",
        "govsite/bundled/site_templates/index.md.j2",
        "govsite/bundled/site_templates/overrides/main.html",
        "govsite/bundled/schema/minhang.schema.json",
        "govsite/templates/init/gitlab-ci.yml.j2",
    ):
        assert expected in names
    version = _govsite(release, "--version", cwd=release["work"]).stdout
    assert version.strip() == f"govsite {__version__}"
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__}" in changelog  # every release has its entry
    # the installed package does not reach back into a checkout
    site_packages = _run(
        release["venv"] / "bin" / "python",
        "-c",
        "import govsite.resources as r; print(r.shipped('policies'))",
        cwd=release["work"],
    ).stdout
    assert str(release["venv"]) in site_packages and "bundled" in site_packages


def _commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message)


def test_a_new_district_registry_from_init_validates_checks_and_builds(
    release: dict[str, Path], tmp_path: Path
) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    out = _govsite(
        release, "init", "--district", "minhang", "--hook-repo", release["source"], cwd=registry
    ).stdout
    assert "已写入" in out
    for made in (
        "govsite.toml",
        ".gitlab-ci.yml",
        ".github/workflows/check.yml",
        ".pre-commit-config.yaml",
        "README.md",
        ".github/CODEOWNERS",
        "schema/minhang.schema.json",
    ):
        assert (registry / made).is_file(), made
    for absent in ("policies", "site_templates", "mkdocs.yml"):
        assert not (registry / absent).exists()
    config = tomllib.loads((registry / "govsite.toml").read_text(encoding="utf-8"))
    assert config["registry"]["districts"] == ["minhang"]
    # as it is: an empty registry passes and builds
    assert "0 个错误" in _govsite(release, "validate", cwd=registry).stdout
    _commit_all(registry, "新建登记册")

    # a declaration by `govsite new` points at a schema that is there
    _govsite(release, "new", "--district", "minhang", cwd=registry)
    drafted = registry / "submissions" / "minhang" / "MH-2026-001.yaml"
    first = drafted.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/minhang.schema.json"
    assert (drafted.parent / "../../schema/minhang.schema.json").resolve().is_file()
    unfilled = _govsite(release, "validate", cwd=registry, check=False)
    assert unfilled.returncode == 1 and "还是模板中的示例内容" in unfilled.stdout

    # the department's real declaration, on a pull-request branch
    git(registry, "checkout", "-q", "-b", "declare")
    shutil.copyfile(DECLARATION, drafted)
    valid = _govsite(release, "validate", cwd=registry)
    assert "0 个错误" in valid.stdout
    _commit_all(registry, "申报 MH-2026-001")
    checked = _govsite(release, "check", "--base", "main", "--format", "json", cwd=registry)
    assert '"MH-2026-001"' in checked.stdout and '"ok": true' in checked.stdout
    gitlab = _govsite(release, "check", "--base", "main", "--format", "gitlab", cwd=registry)
    assert gitlab.stdout.startswith("[")

    # the clone a forge makes: one commit deep
    origin = f"file://{registry}"
    shallow = tmp_path / "shallow"
    _run("git", "clone", "-q", "--depth", "1", "--branch", "declare", origin, shallow, cwd=tmp_path)
    assert _run("git", "rev-parse", "--is-shallow-repository", cwd=shallow).stdout.strip() == "true"
    in_shallow = _govsite(release, "check", "--base", "origin/main", "--format", "json", cwd=shallow)
    assert '"MH-2026-001"' in in_shallow.stdout and '"ok": true' in in_shallow.stdout

    # the site, from the installed templates and the registry's configuration
    built = _govsite(release, "build", "--out", "site", cwd=registry)
    assert "1 个项目页" in built.stdout
    index = (registry / "site" / "index.html").read_text(encoding="utf-8")
    assert "闵行区政务数字化项目公开目录" in index
    assert (registry / "site" / "projects" / "MH-2026-001" / "index.html").is_file()
    assert (registry / "site" / "schema" / "minhang.schema.json").is_file()


def test_the_pre_commit_hook_runs_from_a_tagged_clone(release: dict[str, Path], tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    _govsite(release, "init", "--district", "minhang", "--hook-repo", release["source"], cwd=registry)
    config = yaml.safe_load((registry / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = config["repos"][0]
    assert hook["rev"] == f"v{__version__}" and hook["repo"] == str(release["source"])
    assert [h["id"] for h in hook["hooks"]] == ["govsite-validate"]
    bad = registry / "submissions" / "minhang" / "MH-2026-002.yaml"
    bad.write_text(
        DECLARATION.read_text(encoding="utf-8")
        .replace("MH-2026-001", "MH-2026-002")
        .replace("budget_year: 2027", "budget_year: 二〇二七"),
        encoding="utf-8",
    )
    _commit_all(registry, "申报")
    env = {
        "PRE_COMMIT_HOME": str(release["work"] / "pre-commit-home"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    failed = _run(
        Path(sys.executable).parent / "pre-commit", "run", "--all-files", cwd=registry, check=False, env=env
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "MH-2026-002.yaml" in failed.stdout and "budget_year" in failed.stdout
    bad.write_text(
        DECLARATION.read_text(encoding="utf-8").replace("MH-2026-001", "MH-2026-002"), encoding="utf-8"
    )
    passed = _run(
        Path(sys.executable).parent / "pre-commit", "run", "--all-files", cwd=registry, check=False, env=env
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_a_sixth_district_is_a_pack_in_the_registry_not_new_code(
    release: dict[str, Path], tmp_path: Path
) -> None:
    registry = tmp_path / "xuhui"
    registry.mkdir()
    shutil.copytree(FIXTURES / "sixth_district" / "policies", registry / "policies")
    _govsite(release, "init", "--district", "xuhui", cwd=registry)
    assert "1 个政策包，1 条规则" in _govsite(release, "policy", "test", cwd=registry).stdout
    _commit_all(registry, "新建徐汇区登记册")
    git(registry, "checkout", "-q", "-b", "declare")
    project = (FIXTURES / "sixth_district" / "policies" / "xuhui-2026" / "examples" / "base.yaml").read_text(
        encoding="utf-8"
    )
    large = project.replace("budget: {total: 150}", "budget: {total: 260}")
    (registry / "submissions" / "xuhui" / "XH-2026-001.yaml").write_text(large, encoding="utf-8")
    assert "0 个错误" in _govsite(release, "validate", cwd=registry).stdout
    _commit_all(registry, "申报 XH-2026-001")
    checked = _govsite(release, "check", "--base", "main", cwd=registry).stdout
    # 260 万元 ≥ the pack's 200: the district government decides too, under the pack's own rule
    assert "- 区数据局 [" in checked and "- 区政府 [XH-01 第一条、第二条]" in checked
    # a project filed under another district's prefix, or for a district with no pack, is refused
    wrong = large.replace("id: XH-2026-001", "id: MH-2026-001")
    (registry / "submissions" / "xuhui" / "MH-2026-001.yaml").write_text(wrong, encoding="utf-8")
    refused = _govsite(release, "validate", cwd=registry, check=False)
    assert refused.returncode == 1 and "徐汇区的项目编号应以 XH- 开头" in refused.stdout
    (registry / "submissions" / "xuhui" / "MH-2026-001.yaml").unlink()
    nowhere = registry / "submissions" / "xuhui" / "XH-2026-002.yaml"
    nowhere.write_text(
        large.replace("XH-2026-001", "XH-2026-002").replace("district: xuhui", "district: minhang"),
        encoding="utf-8",
    )
    refused = _govsite(release, "validate", cwd=registry, check=False)
    assert refused.returncode == 1 and "本登记册没有“minhang”这个区" in refused.stdout
    nowhere.unlink()
    built = _govsite(release, "build", cwd=registry).stdout
    assert "1 个项目页" in built
    page = (registry / "site" / "projects" / "XH-2026-001" / "index.html").read_text(encoding="utf-8")
    assert "徐汇区" in page
