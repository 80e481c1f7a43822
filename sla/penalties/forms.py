"""Forms of the penalty statements' pages (Flask-WTF: CSRF included). Every form that changes
a statement carries the revision the user saw (the optimistic lock); dates are local wall time
in the application's zone, the views make them aware instants."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    MonthField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from calendars.engine.searches import add_months
from incidents.forms import DATETIME_FORMATS, MultiLine, OneLine, SaneYears, WholeNumber
from sla.outages.forms import contract_id
from sla.web.forms import EmptyForm

QUARTERS_OFFERED = 20  # five years of quarters to choose from


def out_of_date() -> Any:
    return _l("The page is out of date: reload it and try again.")


def quarter_value(first: date) -> str:
    """A quarter as the form posts it: `2026-Q1`."""
    return f"{first.year}-Q{(first.month - 1) // 3 + 1}"


def quarter_start(value: str) -> date | None:
    """The first day of a posted quarter (`2026-Q1`), or None when it is not one."""
    year, _, number = value.partition("-Q")
    if not (len(year) == 4 and year.isascii() and year.isdigit()):
        return None
    if number not in ("1", "2", "3", "4"):
        return None
    return date(int(year), (int(number) - 1) * 3 + 1, 1)


def last_ended_quarter(today: date) -> date:
    """The first day of the last quarter that has ended."""
    return add_months(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), -3)


def ended_quarters(today: date, count: int = QUARTERS_OFFERED) -> list[SelectChoice]:
    """The last `count` quarters that have ended, newest first (`T3 2026`)."""
    start = add_months(last_ended_quarter(today), 3)
    choices = []
    for _i in range(count):
        start = add_months(start, -3)
        number = (start.month - 1) // 3 + 1
        choices.append(
            SelectChoice(
                quarter_value(start), _l("Q%(quarter)d %(year)d", quarter=number, year=start.year)
            )
        )
    return choices


class StatementForm(EmptyForm):
    """A new statement: the contract, and the period it covers (a month, a quarter, or from
    one day to another); only the field of the period chosen is read."""

    contract_id = SelectField(
        _l("Contract"),
        coerce=contract_id,
        validate_choice=True,
        invalid_value_message=_l("Unknown contract."),
        invalid_choice_message=_l("Unknown contract."),
    )
    period_kind = RadioField(
        _l("Period"),
        choices=[
            SelectChoice("month", _l("a month")),
            SelectChoice("quarter", _l("a quarter")),
            SelectChoice("range", _l("from one day to another")),
        ],
        default="month",
        validators=[InputRequired(message=_l("Choose the period."))],
    )
    month = MonthField(_l("Month"), validators=[Optional(), SaneYears()])
    quarter = SelectField(_l("Quarter"), validate_choice=False, validators=[Optional()])
    first = DateField(_l("From"), validators=[Optional(), SaneYears()])
    last = DateField(_l("To (included)"), validators=[Optional(), SaneYears()])

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then the one the period needs (required, beside it when missing)."""
        valid: bool = super().validate(extra_validators)
        kind = self.period_kind.data
        if kind == "month" and self.month.data is None and not self.month.errors:
            self.month.errors = [*self.month.errors, _l("Choose the month.")]
            valid = False
        elif kind == "quarter" and quarter_start(self.quarter.data or "") is None:
            self.quarter.errors = [*self.quarter.errors, _l("Choose the quarter.")]
            valid = False
        elif kind == "range":
            for field in (self.first, self.last):
                if field.data is None and not field.errors:
                    field.errors = [*field.errors, _l("Give the day.")]
                    valid = False
        return valid

    def period(self) -> tuple[date, date | None]:
        """The period's first day (and last, for a range) once the form is valid."""
        kind = self.period_kind.data
        if kind == "month" and self.month.data is not None:
            return self.month.data, None
        if kind == "quarter":
            start = quarter_start(self.quarter.data or "")
            if start is not None:
                return start, None
        if self.first.data is None:
            raise ValueError("validate() first")
        return self.first.data, self.last.data

    def field_of(self, name: str | None) -> Any:
        """The field a service error names (`period_start`: the period's own field)."""
        kind = self.period_kind.data
        starts = {"month": self.month, "quarter": self.quarter, "range": self.first}
        fields = {
            "contract_id": self.contract_id,
            "period_kind": self.period_kind,
            "period_start": starts.get(kind or "", self.period_kind),
            "period_end": self.last if kind == "range" else starts.get(kind or ""),
        }
        return fields.get(name or "")


class RevisionForm(EmptyForm):
    """An action on a statement, with the revision the user saw (notify, finalise)."""

    revision = HiddenField(
        validators=[
            InputRequired(message=out_of_date()),
            WholeNumber(message=out_of_date()),
        ]
    )


class ReasonForm(RevisionForm):
    """An action that needs its reason (abandon a draft, supersede a final statement)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(strip_whitespace=False), Length(max=5000), MultiLine()],
    )


class ObservationsForm(RevisionForm):
    """The vendor's observations: what it wrote, when it arrived, the files it sent."""

    text = TextAreaField(
        _l("The vendor's observations"),
        validators=[Optional(strip_whitespace=False), Length(max=20_000), MultiLine()],
    )
    received_at = DateTimeLocalField(
        _l("Received on"),
        format=DATETIME_FORMATS,
        validators=[DataRequired(), SaneYears()],
    )
    files = MultipleFileField(_l("Files received"))


class DecisionForm(RevisionForm):
    """The decision on one line (each line has its own form: its prefix names the line)."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("applied", _l("applied")),
            SelectChoice("reduced", _l("reduced")),
            SelectChoice("waived", _l("waived")),
        ],
        validators=[InputRequired(message=_l("Choose the decision."))],
        validate_choice=False,
    )
    amount = StringField(
        _l("Reduced amount (€ excl. tax)"),
        validators=[Optional(strip_whitespace=False), Length(max=20), OneLine()],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(strip_whitespace=False), Length(max=5000), MultiLine()],
    )
