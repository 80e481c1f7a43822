"""Outage forms (Flask-WTF). Dates are local wall time in the application's zone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from incidents.forms import (
    DATETIME_FORMATS,
    DatabaseIntegerField,
    MultiLine,
    OneLine,
    SaneYears,
    database_int,
)


def contract_id(value: object) -> int:
    """The `coerce` of the contract choice: an id in ASCII digits that fits the database
    (`int` would take `١` for 1 and overflow the database with 20 digits)."""
    if isinstance(value, int):
        return value
    found = database_int(str(value))
    if found is None:
        raise ValueError(value)
    return found


class OutageForm(FlaskForm):
    contract_id = SelectField(
        _l("Contract"),
        coerce=contract_id,
        validate_choice=True,
        invalid_value_message=_l("Unknown contract."),
        invalid_choice_message=_l("Unknown contract."),
    )
    service = StringField(
        _l("Service"),
        validators=[Optional(strip_whitespace=False), Length(max=200), OneLine()],
    )
    started_at = DateTimeLocalField(
        _l("Unavailable from"), format=DATETIME_FORMATS, validators=[DataRequired(), SaneYears()]
    )
    ended_at = DateTimeLocalField(
        _l("Back on (leave empty while it lasts)"),
        format=DATETIME_FORMATS,
        validators=[Optional(), SaneYears()],
    )
    cause = TextAreaField(_l("Cause"), validators=[DataRequired(), Length(max=5000), MultiLine()])
    incident_id = DatabaseIntegerField(_l("Related incident number"), validators=[Optional()])


class EndOutageForm(FlaskForm):
    ended_at = DateTimeLocalField(
        _l("Back on"), format=DATETIME_FORMATS, validators=[DataRequired(), SaneYears()]
    )


class CancelOutageForm(FlaskForm):
    reason = StringField(
        _l("Why cancel it"), validators=[DataRequired(), Length(max=500), OneLine()]
    )
