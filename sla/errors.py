"""Domain errors raised by services; views turn them into messages next to the field."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an action. `field` names the input at fault, if any."""

    def __init__(self, message: object, *, field: str | None = None) -> None:
        # `message` may be a lazy translation: it becomes text when it is shown.
        super().__init__(message)
        self.message = str(message)
        self.field = field


class NotFound(DomainError):
    """The record asked for does not exist."""
