"""The registry's own configuration: `govsite.toml` at its root, or a `[tool.govsite]` table in its
`pyproject.toml` (the same tables below `tool.govsite`); optional, and never both.

```toml
[registry]
districts = ["minhang"]   # the districts this registry serves: their packs (shipped with govsite, or
                          # the registry's own in policies/) are used; default: every pack's district

[audit]
from = "3f2c…"   # the first commit `govsite audit` holds to the approval rules: a registry that
                 # adopts govsite midway shows earlier stage records as recorded before it kept
                 # approvals, never as approved

[site]            # the site's name (default mkdocs.yml's site_name), and what a Chinese government website must carry (《政府网站发展指引》), shown in the
                  # footer; `govsite build --public` refuses to publish while any is missing
name = "某某区政务数字化项目公开目录"  # 网站名称（可选）
url = "https://xm.example.gov.cn/"   # where the site is published: links in findings and the feed
host = "某某区大数据中心"              # 主办单位
contact = "021-12345678"             # 联系方式（单位电话或信箱，不写个人手机号）
site_code = "3101120001"             # 网站标识码
icp = "沪ICP备00000000号"            # ICP备案号
police = "沪公网安备 31011202000000号"  # 公安机关备案号
party_mark = "https://bszs.conac.cn/…" # 党政机关标识的链接
history = "https://git.example.gov.cn/registry/-/commits/main/{path}"  # 可选：文件的修改历史
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.errors import GovsiteError

CONFIG_FILE = "govsite.toml"
PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class SiteIdentity:
    """The site's identity under 《政府网站发展指引》: who runs it and its registration numbers."""

    url: str | None = None
    host: str | None = None
    contact: str | None = None
    site_code: str | None = None
    icp: str | None = None
    police: str | None = None
    party_mark: str | None = None
    # where a file's history is browsed on the forge, with {path} for the file, e.g.
    # "https://git.example.gov.cn/registry/-/commits/main/{path}" (optional)
    history: str | None = None
    name: str | None = None  # the site's name (optional: mkdocs.yml's site_name otherwise)

    # (field, its name on the page): the items a government site must show, in the footer's order
    REQUIRED = (
        ("host", "主办单位"),
        ("contact", "联系方式"),
        ("site_code", "网站标识码"),
        ("icp", "ICP备案号"),
        ("police", "公安机关备案号"),
        ("party_mark", "党政机关标识链接"),
        ("url", "网站地址"),
    )

    def missing(self) -> list[str]:
        """The names of the required items not configured."""
        return [name for key, name in self.REQUIRED if not getattr(self, key)]


@dataclass(frozen=True)
class Config:
    audit_from: str | None = None
    site: SiteIdentity = SiteIdentity()
    districts: tuple[str, ...] | None = None  # [registry] districts; None: all the packs have


_TABLES = ("registry", "audit", "site")


def parse_config(text: str, shown: str = CONFIG_FILE, site: bool = True) -> Config:
    """`site=False` reads [audit] only: the audit of approvals does not stop for a typo in the
    footer's settings. `shown` ending in pyproject.toml reads its [tool.govsite] table."""
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GovsiteError(f"{shown}：{exc}", "按 TOML 格式修改（见 docs/approvals.md）。") from exc
    if shown.endswith(PYPROJECT):
        data = data.get("tool", {}).get("govsite", {}) if isinstance(data.get("tool"), dict) else {}
        if not isinstance(data, dict):
            raise GovsiteError(f"{shown}：[tool.govsite] 应为一个表", "写成 [tool.govsite.site] 等若干表。")
        shown = f"{shown} [tool.govsite]"
    unknown = sorted(set(data) - set(_TABLES))
    if unknown:
        raise GovsiteError(
            f"{shown}：不认识的设置 {'、'.join(unknown)}",
            f"可用的表：{'、'.join(f'[{t}]' for t in _TABLES)}（见 docs/install.md）。",
        )
    audit = data.get("audit", {})
    since = audit.get("from") if isinstance(audit, dict) else None
    if since is not None and not isinstance(since, str):
        raise GovsiteError(f"{shown}：[audit] from 应为提交号（文字）", '写成 from = "3f2c…"。')
    identity = _site_identity(data.get("site", {}), shown) if site else SiteIdentity()
    return Config(audit_from=since, site=identity, districts=_districts(data.get("registry", {}), shown))


def _districts(table: object, shown: str) -> tuple[str, ...] | None:
    from govsite.districts import valid_key

    if not isinstance(table, dict):
        raise GovsiteError(f"{shown}：[registry] 应为一个表", 'districts = ["minhang"] 写在 [registry] 下。')
    unknown = sorted(set(table) - {"districts"})
    if unknown:
        raise GovsiteError(
            f"{shown}：[registry] 中有不认识的设置 {'、'.join(unknown)}", "可用的设置：districts。"
        )
    value = table.get("districts")
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and valid_key(v) for v in value)
    ):
        raise GovsiteError(
            f"{shown}：[registry] districts 应为区的列表",
            '写成 districts = ["minhang", "qingpu"]（政策包中的区，英文小写）。',
        )
    if len(set(value)) != len(value):
        raise GovsiteError(f"{shown}：[registry] districts 中有重复的区", "每个区只写一次。")
    return tuple(value)


def _site_identity(table: object, shown: str) -> SiteIdentity:
    if not isinstance(table, dict):
        raise GovsiteError(f"{shown}：[site] 应为一个表", '写成 [site] 下的若干 键 = "值"。')
    known = {key for key, _ in SiteIdentity.REQUIRED} | {"history", "name"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise GovsiteError(
            f"{shown}：[site] 中有不认识的设置 {'、'.join(unknown)}",
            f"可用的设置：{'、'.join(sorted(known))}（见 govsite/config.py 的说明）。",
        )
    values: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise GovsiteError(f"{shown}：[site] {key} 应为文字", f'写成 {key} = "…"（加英文双引号）。')
        values[key] = value.strip()
    url = values.get("url")
    if url and not url.startswith(("https://", "http://")):
        raise GovsiteError(f"{shown}：[site] url 应以 https:// 开头", '写成 url = "https://…/"。')
    if url and not url.endswith("/"):
        values["url"] = url + "/"
    history = values.get("history")
    if history and (not history.startswith(("https://", "http://")) or "{path}" not in history):
        raise GovsiteError(
            f"{shown}：[site] history 应为含 {{path}} 的链接",
            'Git 平台上查看文件修改历史的地址，文件路径处写 {path}，如 "https://…/commits/main/{path}"。',
        )
    for key in ("party_mark",):
        if values.get(key) and not values[key].startswith(("https://", "http://")):
            raise GovsiteError(f"{shown}：[site] {key} 应为链接（https://…）", "填写党政机关标识的链接地址。")
    return SiteIdentity(**values)


def pick_config(own: str | None, pyproject: str | None, where: str) -> tuple[str, str] | None:
    """govsite.toml, else pyproject.toml's [tool.govsite]; both configuring govsite is an error."""
    table = None
    if pyproject is not None:
        try:
            parsed = tomllib.loads(pyproject)
        except tomllib.TOMLDecodeError:
            parsed = {"tool": {"govsite": {}}} if "[tool.govsite" in pyproject else {}
        tool = parsed.get("tool")
        table = tool.get("govsite") if isinstance(tool, dict) else None
    if own is not None and table is not None:
        raise GovsiteError(
            f"{where}{CONFIG_FILE} 和 {PYPROJECT} 的 [tool.govsite] 都在配置 govsite",
            "只保留一处：把 [tool.govsite] 的内容移到 govsite.toml，或删去 govsite.toml。",
        )
    if own is not None:
        return own, f"{where}{CONFIG_FILE}"
    if table is not None and pyproject is not None:
        return pyproject, f"{where}{PYPROJECT}"
    return None


def load_config(root: Path, site: bool = True) -> Config:
    def read(name: str) -> str | None:
        path = root / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    picked = pick_config(read(CONFIG_FILE), read(PYPROJECT), "")
    return parse_config(picked[0], picked[1], site) if picked else Config()


def config_at(root: Path, revision: str, site: bool = True) -> Config:
    """The configuration as of `revision` (a pull request is judged by its base's, not its own)."""
    import git

    def read(name: str) -> str | None:
        try:
            return str(git.Repo(root).git.show(f"{revision}:{name}"))
        except (git.GitCommandError, git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None

    picked = pick_config(read(CONFIG_FILE), read(PYPROJECT), f"{revision}:")
    return parse_config(picked[0], picked[1], site) if picked else Config()
