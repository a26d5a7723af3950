"""Errors that reach a user: each names where the problem is, the rule, and the value received."""

from __future__ import annotations


class IwmError(Exception):
    """Base class of every error iwm raises on purpose."""


class ParameterError(IwmError, ValueError):
    """A parameter is outside its declared range or of the wrong kind.

    The message has the form ``"`name` must be in [lo, hi]; got value"``.
    """

    def __init__(self, name: str, rule: str, value: object) -> None:
        self.name, self.rule, self.value = name, rule, value
        super().__init__(f"`{name}` must be {rule}; got {value!r}")


class InputError(IwmError, ValueError):
    """A user's file is unreadable or invalid.

    ``where`` names the file, and where known the row, column or key path.
    """

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")
