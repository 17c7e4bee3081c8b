"""The registry's own configuration: `govsite.toml` at its root (optional).

```toml
[audit]
from = "3f2c…"   # the first commit `govsite audit` holds to the approval rules: a registry that
                 # adopts govsite midway shows earlier stage records as recorded before it kept
                 # approvals, never as approved
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from govsite.errors import GovsiteError

CONFIG_FILE = "govsite.toml"


@dataclass(frozen=True)
class Config:
    audit_from: str | None = None


def parse_config(text: str, shown: str = CONFIG_FILE) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GovsiteError(f"{shown}：{exc}", "按 TOML 格式修改（见 docs/approvals.md）。") from exc
    audit = data.get("audit", {})
    since = audit.get("from") if isinstance(audit, dict) else None
    if since is not None and not isinstance(since, str):
        raise GovsiteError(f"{shown}：[audit] from 应为提交号（文字）", '写成 from = "3f2c…"。')
    return Config(audit_from=since)


def load_config(root: Path) -> Config:
    path = root / CONFIG_FILE
    return parse_config(path.read_text(encoding="utf-8"), CONFIG_FILE) if path.is_file() else Config()
