"""Domain errors raised by services: a code, the field at fault and parameters. Errors are data:
the reader's language and zone word them (views show `message` next to the field, the API
returns code, field and message).

Importing this module loads no Flask: it is looked up when an error is worded.
"""

from __future__ import annotations

from collections.abc import Mapping

from sla.error_codes import word


def reader_words(code: str, params: Mapping[str, object]) -> str:
    """An error in the current locale and zone when an application context is active (a
    request: the reader's; a command: the configured ones), else in English, instants in the
    error's zone or UTC."""
    from flask import current_app, has_app_context

    if not has_app_context() or "babel" not in current_app.extensions:
        return word(code, params)
    from flask_babel import get_locale, get_timezone, gettext

    locale = get_locale()
    return word(
        code,
        params,
        translate=gettext,
        locale=str(locale) if locale is not None else "en",
        zone=get_timezone(),
    )


class DomainError(Exception):
    """A rule of the domain refused an action.

    `code` names the rule (a key of `sla.error_codes.MESSAGES`, e.g. `"reported_at.future"`),
    `field` the input at fault, if any; `params` what the sentence names: instants as aware
    datetimes (worded in the error's `zone` parameter when it has one, else the reader's),
    dates, numbers, keys, lists, an event's `kind`.
    """

    def __init__(self, code: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params: dict[str, object] = params

    @property
    def message(self) -> str:
        """The error in the current locale (English outside an application context)."""
        return reader_words(self.code, self.params)

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """The record asked for does not exist."""
