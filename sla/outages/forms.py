"""Outage forms (Flask-WTF). Dates are local wall time in the application's zone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from incidents.forms import DATETIME_FORMATS


class OutageForm(FlaskForm):
    contract_id = SelectField(_l("Contract"), coerce=int, validate_choice=True)
    service = StringField(_l("Service"), validators=[Optional(), Length(max=200)])
    started_at = DateTimeLocalField(
        _l("Unavailable from"), format=DATETIME_FORMATS, validators=[DataRequired()]
    )
    ended_at = DateTimeLocalField(
        _l("Back on (leave empty while it lasts)"),
        format=DATETIME_FORMATS,
        validators=[Optional()],
    )
    cause = TextAreaField(_l("Cause"), validators=[DataRequired(), Length(max=5000)])
    incident_id = IntegerField(
        _l("Related incident number"), validators=[Optional(), NumberRange(min=1)]
    )


class EndOutageForm(FlaskForm):
    ended_at = DateTimeLocalField(
        _l("Back on"), format=DATETIME_FORMATS, validators=[DataRequired()]
    )


class CancelOutageForm(FlaskForm):
    reason = StringField(_l("Why cancel it"), validators=[DataRequired(), Length(max=500)])
