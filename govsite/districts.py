"""The districts a registry serves, as its policy packs declare them.

A district is data, not code: each pack's policy.yaml names its district's key (`minhang`), Chinese
name (`闵行区`) and id prefix (`MH`); a registry's own `policies/` adds a sixth district without a
line of govsite changing. `load_packs` registers what the packs it loaded declare, and the model,
the layout check, the schema and the site read the list from here.

The registry is process-wide because every part of one run judges under one set of packs; forked
workers inherit it (govsite/parallel.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govsite.errors import GovsiteError

if TYPE_CHECKING:  # pydantic only where a model is built: the layout checks import this module
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import core_schema

KEY_PATTERN = "^[a-z][a-z0-9_]{1,31}$"
PREFIX_PATTERN = "^[A-Z]{2,4}$"
_KEY = re.compile(KEY_PATTERN)
_PREFIX = re.compile(PREFIX_PATTERN)


@dataclass(frozen=True)
class DistrictInfo:
    key: str  # folder under submissions/, and what project files write as `district`
    name: str  # 闵行区
    id_prefix: str  # MH: project ids are MH-2026-014

    @property
    def id_pattern(self) -> str:
        return f"^{self.id_prefix}-[0-9]{{4}}-[0-9]{{3,4}}$"


_KNOWN: dict[str, DistrictInfo] = {}


class DistrictKey(str):
    """A district's key as a project file writes it. `.value` and `.label` read like an enum
    member's, so templates and messages say `p.district.label` whatever district it is."""

    __slots__ = ()

    @property
    def value(self) -> str:
        return str(self)

    @property
    def label(self) -> str:
        return name_of(self)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.str_schema(pattern=KEY_PATTERN),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    def __reduce__(self) -> tuple[type[DistrictKey], tuple[str]]:
        return (DistrictKey, (str(self),))


_ORDER: list[str] = []  # the registry's configured order ([registry] districts), else by key
# district key (or "" when even that is unreadable) → why its pack could not be loaded: a broken
# pack is a finding for its own district's projects, never a stop for the other districts
_BROKEN: dict[str, list[str]] = {}


def register(infos: Iterable[DistrictInfo]) -> None:
    """Add the districts of packs just loaded. Known districts are only ever added to: the audit
    loads the packs of many commits, and a district an older commit lacks is still a district."""
    found = dict(_KNOWN)
    prefixes = {d.id_prefix: d.key for d in found.values()}
    for info in infos:
        earlier = found.get(info.key)
        if earlier is not None and earlier != info:
            raise GovsiteError(
                f"区 {info.key} 的政策包对区名或编号前缀的写法不一致：{earlier.name}/{earlier.id_prefix} 与 {info.name}/{info.id_prefix}",
                "同一个区的各政策包（policy.yaml 的 district_name、id_prefix）写成一样。",
            )
        other = prefixes.get(info.id_prefix)
        if other is not None and other != info.key:
            raise GovsiteError(
                f"编号前缀 {info.id_prefix} 被 {other} 和 {info.key} 两个区同时使用",
                "每个区的项目编号前缀（policy.yaml 的 id_prefix）必须不同，否则编号会重复。",
            )
        found[info.key] = info
        prefixes[info.id_prefix] = info.key
    _KNOWN.clear()
    _KNOWN.update(found)


def set_order(keys: Iterable[str]) -> None:
    """The order districts are listed in (the registry's configuration); others follow by key."""
    _ORDER[:] = list(keys)


def reset() -> None:
    """Forget every district (a test, or a process that judges another registry next)."""
    _KNOWN.clear()
    _ORDER.clear()
    _BROKEN.clear()


Snapshot = tuple[tuple[DistrictInfo, ...], tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]


def snapshot() -> Snapshot:
    """What the registry knows (districts, their order, broken packs): for a run that is answered
    from the cache without loading the packs that taught it (govsite/judged.py)."""
    return (
        tuple(_KNOWN.values()),
        tuple(_ORDER),
        tuple((key, tuple(whys)) for key, whys in sorted(_BROKEN.items())),
    )


def restore(state: Snapshot) -> None:
    known, order, broken_packs = state
    reset()
    _KNOWN.update({info.key: info for info in known})
    _ORDER[:] = list(order)
    for key, whys in broken_packs:
        _BROKEN[key] = list(whys)


def mark_broken(key: str, why: str) -> None:
    _BROKEN.setdefault(key, []).append(why)


def broken(key: str) -> list[str]:
    """Why the packs of this district could not be loaded (empty: they could)."""
    return list(_BROKEN.get(str(key), []))


def broken_keys() -> list[str]:
    return sorted(_BROKEN)


def broken_summary() -> str:
    """Every broken pack's problem, for a cache key and for the run's notes."""
    return "\n".join(f"{key}: {why}" for key in sorted(_BROKEN) for why in _BROKEN[key])


def known() -> list[DistrictInfo]:
    rank = {key: index for index, key in enumerate(_ORDER)}
    return sorted(_KNOWN.values(), key=lambda d: (rank.get(d.key, len(rank)), d.key))


def info(key: str) -> DistrictInfo | None:
    return _KNOWN.get(str(key))


def name_of(key: str) -> str:
    found = _KNOWN.get(str(key))
    return found.name if found else str(key)


def prefix_of(key: str) -> str | None:
    found = _KNOWN.get(str(key))
    return found.id_prefix if found else None


def district_of_id(project_id: str) -> str | None:
    """The district whose prefix a project id carries (None for an unknown prefix)."""
    prefix = project_id.partition("-")[0]
    return next((d.key for d in _KNOWN.values() if d.id_prefix == prefix), None)


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key))


def valid_prefix(prefix: str) -> bool:
    return bool(_PREFIX.match(prefix))


def listing() -> str:
    """The known districts for a message: minhang（闵行区）、qingpu（青浦区）."""
    return "、".join(f"{d.key}（{d.name}）" for d in known()) or "（无）"
