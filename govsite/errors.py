"""Exit codes and the one exception type the CLI turns into a message.

Exit codes (documented in README and docs/cli.md):
  0  every file checked, no finding of severity error
  1  at least one finding of severity error
  2  usage error, or govsite itself could not do its job (bad pack, git failure, internal error)
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE_OR_INTERNAL = 2


class GovsiteError(Exception):
    """An error the user can act on; the message is Chinese and says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  处理建议：{self.hint}" if self.hint else self.message


class CalendarRangeError(GovsiteError):
    """A working-day computation left the years the holiday calendar knows."""
