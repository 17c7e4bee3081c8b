"""What govsite ships, and what a registry's own files override.

An installed govsite carries the five regulations' policy packs, the site templates, the mkdocs
configuration and the JSON Schema as package data (`govsite/bundled/`, put there when the wheel is
built, see setup.py); run from a source checkout, the checkout's own folders are the shipped ones.
A registry needs none of them: its own `policies/` adds packs or replaces a shipped pack of the same
name, its own `site_templates/` replaces shipped templates file by file, its own `mkdocs.yml`
replaces the shipped one, and its configuration (govsite.toml or [tool.govsite]) says which
districts it serves. Every command resolves them here, the same way.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from govsite.errors import GovsiteError

if TYPE_CHECKING:
    from govsite.cache import Cache
    from govsite.config import Config
    from govsite.policy.pack import PolicyPack

PACKAGE = Path(__file__).resolve().parent
BUNDLE = PACKAGE / "bundled"  # in an installed wheel
CHECKOUT = PACKAGE.parent  # a source checkout (editable install, or running from the repository)

POLICIES = "policies"
SITE_TEMPLATES = "site_templates"
MKDOCS_CONFIG = "mkdocs.yml"
SCHEMA = "schema"
SHIPPED = (POLICIES, SITE_TEMPLATES, MKDOCS_CONFIG, SCHEMA)


def shipped(name: str) -> Path:
    """govsite's own copy of `name` (one of SHIPPED)."""
    for base in (BUNDLE, CHECKOUT):
        if (base / name).exists():
            return base / name
    raise GovsiteError(
        f"govsite 安装不完整：找不到随附的 {name}（{BUNDLE}）",
        "重新安装 govsite：pip install --force-reinstall govsite。",
    )


def pack_folders(root: Path, policies: str = POLICIES) -> list[Path]:
    """The shipped packs, then the registry's own (which win by folder name)."""
    own = root / policies
    if policies != POLICIES and not own.is_dir():
        raise GovsiteError(f"找不到政策目录 {own}", "--policies 写登记仓库中政策包所在的目录，或省略它。")
    bundled = shipped(POLICIES)
    folders = [bundled]
    if own.is_dir() and own.resolve() != bundled.resolve():
        folders.append(own)
    return folders


def registry_packs(
    root: Path,
    policies: str = POLICIES,
    cache: Cache | None = None,
    config: Config | None = None,
    isolate: bool = False,
) -> list[PolicyPack]:
    """The packs a registry judges by: shipped and its own, of the districts it serves. `isolate`
    (judging projects): a pack that does not load is a finding for its district's projects only."""
    from govsite import districts
    from govsite.config import load_config
    from govsite.policy.pack import load_packs

    config = config if config is not None else load_config(root, site=False)
    districts.reset()  # one registry per run: its districts are exactly its packs'
    packs = load_packs(pack_folders(root, policies), cache, config.districts, isolate)
    served(packs, config)
    districts.set_order(config.districts or ())
    return packs


def served(packs: list[PolicyPack], config: Config) -> None:
    """Every district the configuration names has a pack (or one that does not load)."""
    from govsite import districts as district_registry

    if config.districts is None:
        return
    missing = [
        d
        for d in config.districts
        if not any(p.meta.district == d for p in packs) and not district_registry.broken(d)
    ]
    if missing:
        raise GovsiteError(
            f"配置的区 {'、'.join(missing)} 没有政策包（govsite 随附的和 policies/ 中的都没有）",
            "检查 [registry] districts 的拼写；新的区先在 policies/ 中加入它的政策包（见 docs/policy-packs.md）。",
        )


def site_kit(root: Path, target: Path) -> tuple[Path, Path]:
    """The site's templates and mkdocs configuration, as one folder at `target`: the shipped
    templates with the registry's own `site_templates/` laid over them file by file, and the
    registry's `mkdocs.yml` or the shipped one (its `custom_dir: site_templates/overrides` then
    finds the merged overrides). Returns (templates folder, mkdocs.yml)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    templates = target / SITE_TEMPLATES
    shutil.copytree(shipped(SITE_TEMPLATES), templates)
    own = root / SITE_TEMPLATES
    if own.is_dir() and own.resolve() != shipped(SITE_TEMPLATES).resolve():
        shutil.copytree(own, templates, dirs_exist_ok=True)
    config = root / MKDOCS_CONFIG if (root / MKDOCS_CONFIG).is_file() else shipped(MKDOCS_CONFIG)
    shutil.copyfile(config, target / MKDOCS_CONFIG)
    return templates, target / MKDOCS_CONFIG


def broken_notes() -> list[str]:
    """A run's notes on the packs that did not load (each also a finding on its district's projects)."""
    from govsite import districts as district_registry

    notes = []
    for district in sorted({key for key in district_registry.broken_keys()}):
        shown = district_registry.name_of(district) if district else "（区不明）"
        for why in district_registry.broken(district):
            notes.append(f"{shown}的政策包有错误，该区的项目没有按政策检查（其他区照常）：{why}")
    return notes
