"""The registry's own configuration: `govsite.toml` at its root (optional).

```toml
[audit]
from = "3f2c…"   # the first commit `govsite audit` holds to the approval rules: a registry that
                 # adopts govsite midway shows earlier stage records as recorded before it kept
                 # approvals, never as approved

[site]            # what a Chinese government website must carry (《政府网站发展指引》), shown in the
                  # footer; `govsite build --public` refuses to publish while any is missing
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

from govsite.errors import GovsiteError

CONFIG_FILE = "govsite.toml"


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


def parse_config(text: str, shown: str = CONFIG_FILE, site: bool = True) -> Config:
    """`site=False` reads [audit] only: the audit of approvals does not stop for a typo in the
    footer's settings."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GovsiteError(f"{shown}：{exc}", "按 TOML 格式修改（见 docs/approvals.md）。") from exc
    audit = data.get("audit", {})
    since = audit.get("from") if isinstance(audit, dict) else None
    if since is not None and not isinstance(since, str):
        raise GovsiteError(f"{shown}：[audit] from 应为提交号（文字）", '写成 from = "3f2c…"。')
    identity = _site_identity(data.get("site", {}), shown) if site else SiteIdentity()
    return Config(audit_from=since, site=identity)


def _site_identity(table: object, shown: str) -> SiteIdentity:
    if not isinstance(table, dict):
        raise GovsiteError(f"{shown}：[site] 应为一个表", '写成 [site] 下的若干 键 = "值"。')
    known = {key for key, _ in SiteIdentity.REQUIRED} | {"history"}
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


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    return parse_config(path.read_text(encoding="utf-8"), CONFIG_FILE) if path.is_file() else Config()


def config_at(root: Path, revision: str) -> Config:
    """The configuration as of `revision` (a pull request is judged by its base's, not its own)."""
    import git

    try:
        raw = git.Repo(root).git.show(f"{revision}:{CONFIG_FILE}")
    except (git.GitCommandError, git.InvalidGitRepositoryError, git.NoSuchPathError):
        return Config()
    return parse_config(raw, f"{revision}:{CONFIG_FILE}")
