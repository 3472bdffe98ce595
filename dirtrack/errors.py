"""One exception tree. Every message says what is wrong and what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field


class DirtrackError(Exception):
    """Base class of every error a user can cause; the CLI prints it as one line."""


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of validation, printed as ``path:line: key: message``."""

    path: str
    line: int
    key: str
    message: str
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {self.key}: {prefix}{self.message}"


class ValidationFailed(DirtrackError):
    """Files did not validate; ``problems`` lists every finding, errors first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) found; nothing was written")


class NotFound(DirtrackError):
    """A task, directive or unit named by the user does not exist."""


class NotAllowed(DirtrackError):
    """The acting unit may not do this to this task."""


class InvalidAction(DirtrackError):
    """The action does not fit the task's current state (e.g. done twice)."""


class Conflict(DirtrackError):
    """The task changed since the writer looked at it; nothing was recorded."""


class ConfigError(DirtrackError):
    """The environment or a setting is wrong."""
