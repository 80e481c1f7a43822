"""Forms of the incident pages (Flask-WTF: CSRF included). Dates are local wall time in the
application's zone; the views turn them into aware instants."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from sla.db import DATABASE_INT_MAX
from sla.reach import FIRST_YEAR, LAST_YEAR
from sla.safe_text import control_characters

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
# Dates people type are read within these years: beyond, a zone offset or the next day
# overflows Python's dates, and no contract of a DSI lives there.
_DIGITS = re.compile(r"[0-9]{1,10}")


def database_int(text: str, *, least: int = 1) -> int | None:
    """A whole number typed in ASCII digits, from `least` to the database's largest integer,
    or None (Unicode digits such as `²` or `١` are no number here)."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if least <= value <= DATABASE_INT_MAX else None


def whole_number_message(least: int = 1) -> Any:
    return _l(
        "Expected a whole number between %(least)d and %(most)d.",
        least=least,
        most=DATABASE_INT_MAX,
    )


def date_range_message() -> Any:
    return _l("Expected a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)


def query_day(text: str, errors: dict[str, object], key: str) -> date | None:
    """A `YYYY-MM-DD` of a query string within the years people mean; else None, and the
    message under `key` in `errors`."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = _l("Expected a date such as 2026-10-01.")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[key] = date_range_message()
        return None
    return day


def one_line_message() -> Any:
    return _l("One line, without control characters (no line break, tab or NUL).")


def multiline_message() -> Any:
    return _l("No control characters (line breaks and tabs only).")


class OneLine:
    """Refuse every control character: a line break in a title later breaks mail headers."""

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and control_characters(field.data):
            raise ValidationError(one_line_message())


class MultiLine:
    """Refuse control characters but line breaks and tabs (PostgreSQL refuses NUL)."""

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and control_characters(field.data, multiline=True):
            raise ValidationError(multiline_message())


class SaneYears:
    """Refuse a date outside FIRST_YEAR..LAST_YEAR (year 1 or 9999 overflows with a zone)."""

    def __call__(self, form: Any, field: Field) -> None:
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(date_range_message())


class WholeNumber:
    """A text field holding a whole number in ASCII digits that fits the database (empty
    passes: say DataRequired or InputRequired when it is required)."""

    def __init__(self, least: int = 1, message: Any = None) -> None:
        self.least = least
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        text = field.data or ""
        if text and database_int(text, least=self.least) is None:
            raise ValidationError(self.message or whole_number_message(self.least))


class DatabaseIntegerField(IntegerField):
    """An IntegerField that takes ASCII digits only, within the database's integers."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        self.data = database_int(str(valuelist[0]))
        if self.data is None:
            raise ValueError(whole_number_message())


# `Optional(strip_whitespace=False)` on the checked text fields: the plain one stops the
# validation of a value made of white-space control characters (U+001C…U+001F are white space
# for str.strip) and lets it through.


class DetailsForm(FlaskForm):
    """An incident's details, as logged and as corrected."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300), OneLine()])
    service = SelectField(_l("Service"), validate_choice=False, validators=[OneLine()])
    channel = SelectField(
        _l("Channel"),
        choices=[
            SelectChoice("phone", _l("phone")),
            SelectChoice("email", _l("email")),
            SelectChoice("portal", _l("vendor portal")),
            SelectChoice("other", _l("other")),
        ],
    )
    vendor_ticket_ref = StringField(
        _l("Vendor's ticket reference"),
        validators=[Optional(strip_whitespace=False), Length(max=100), OneLine()],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(strip_whitespace=False), Length(max=20_000), MultiLine()],
    )


class IncidentForm(DetailsForm):
    """Logging an incident: its contract, severity and heure H, and its details."""

    contract_id = HiddenField(validators=[DataRequired()])
    severity = RadioField(
        _l("Severity"),
        validators=[InputRequired(message=_l("Choose the severity."))],
        validate_choice=False,
    )
    reported_at = DateTimeLocalField(
        _l("Reported at (when you reported it to the vendor)"),
        format=DATETIME_FORMATS,
        validators=[DataRequired(), SaneYears()],
    )


class EventForm(FlaskForm):
    kind = SelectField(_l("Event"), validate_choice=False, validators=[DataRequired()])
    revision = HiddenField(
        validators=[
            InputRequired(message=_l("The page is out of date: reload it and try again.")),
            WholeNumber(message=_l("The page is out of date: reload it and try again.")),
        ]
    )
    occurred_at = DateTimeLocalField(
        _l("When it happened (empty: now)"),
        format=DATETIME_FORMATS,
        validators=[Optional(), SaneYears()],
    )
    severity = SelectField(_l("New severity"), validate_choice=False, validators=[Optional()])
    exclusion = SelectField(_l("Exclusion clause"), validate_choice=False, validators=[Optional()])
    target = SelectField(_l("Target concerned"), validate_choice=False, validators=[Optional()])
    cancels = HiddenField(validators=[WholeNumber(message=_l("Unknown event to cancel."))])
    text = TextAreaField(
        _l("Reason or comment"),
        validators=[Optional(strip_whitespace=False), Length(max=20_000), MultiLine()],
    )


class CorrectionForm(DetailsForm):
    """The details of an incident an agent may correct; each change is kept in the history."""

    revision = HiddenField(validators=[InputRequired()])
