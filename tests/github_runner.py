"""How the GitHub Actions runner reads a step's output, as GitHub documents it, for the tests.

- A line whose text, leading whitespace trimmed, starts with `::` is a workflow command
  `::name key=value,key=value::message`; property values and the message are %-encoded
  (`%25` `%0D` `%0A`, and `%3A` `%2C` in properties).
- `::stop-commands::TOKEN` stops all command processing until a line `::TOKEN::`.
- The legacy form `##[name key=value]message` is recognised anywhere in a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_V2 = re.compile(r"::(?P<name>[^\s:]+)(?: (?P<props>[^:]*))?::(?P<data>.*)")
_LEGACY = re.compile(r"##\[(?P<name>[^\]\s;]+)")


def _decode(text: str, prop: bool = False) -> str:
    text = text.replace("%0D", "\r").replace("%0A", "\n")
    if prop:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%25", "%")


@dataclass
class Command:
    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""


def commands(output: str) -> list[Command]:
    found: list[Command] = []
    stop_token: str | None = None
    for raw in output.splitlines():
        line = raw.lstrip()
        if stop_token is not None:
            if line == f"::{stop_token}::":
                stop_token = None
                found.append(Command("resume-commands"))
            continue
        match = _V2.match(line)
        if match:
            props: dict[str, str] = {}
            for pair in (match.group("props") or "").split(","):
                if "=" in pair:
                    key, value = pair.split("=", 1)
                    props[key] = _decode(value, prop=True)
            name = match.group("name")
            found.append(Command(name, props, _decode(match.group("data"))))
            if name == "stop-commands":
                stop_token = match.group("data")
            continue
        legacy = _LEGACY.search(raw)
        if legacy:
            found.append(Command("legacy:" + legacy.group("name")))
    return found
