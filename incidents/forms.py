"""Forms of the incident pages (Flask-WTF: CSRF included). Dates are local wall time in the
application's zone; the views turn them into aware instants."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class IncidentForm(FlaskForm):
    contract_id = HiddenField(validators=[DataRequired()])
    service = SelectField(_l("Service"), validate_choice=False)
    severity = RadioField(
        _l("Severity"),
        validators=[InputRequired(message=_l("Choose the severity."))],
        validate_choice=False,
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    reported_at = DateTimeLocalField(
        _l("Heure H (when you reported it to the vendor)"),
        format=DATETIME_FORMATS,
        validators=[DataRequired()],
    )
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
        _l("Vendor's ticket reference"), validators=[Optional(), Length(max=100)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])


class EventForm(FlaskForm):
    kind = SelectField(_l("Event"), validate_choice=False, validators=[DataRequired()])
    revision = HiddenField(validators=[InputRequired()])
    occurred_at = DateTimeLocalField(
        _l("When it happened (empty: now)"), format=DATETIME_FORMATS, validators=[Optional()]
    )
    severity = SelectField(_l("New severity"), validate_choice=False, validators=[Optional()])
    exclusion = SelectField(_l("Exclusion clause"), validate_choice=False, validators=[Optional()])
    target = SelectField(_l("Target concerned"), validate_choice=False, validators=[Optional()])
    cancels = HiddenField()
    text = TextAreaField(_l("Reason or comment"), validators=[Optional(), Length(max=20_000)])
