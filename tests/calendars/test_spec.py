"""Calendar definitions: the documented TOML form, and refusals that name the key."""

from __future__ import annotations

import pickle
import tomllib
from datetime import date, datetime

import pytest
from flask import Flask
from flask_babel import force_locale

from calendars.engine import BusinessCalendar
from calendars.spec import CalendarError, NaiveDatetimeError, parse_calendar
from sla.error_codes import MESSAGES
from sla.errors import reader_words

ISSUE_EXAMPLE = """
timezone = "Europe/Paris"
holidays = "FR-6AE"          # "" or absent: no public holidays
closed_dates = ["2025-12-29..2025-12-31", "2025-05-30"]
worked_holidays = ["2025-06-09"]
[hours]
mon = ["09:00-12:00", "14:00-18:00"]
tue = ["09:00-12:00", "14:00-18:00"]
wed = ["09:00-12:00", "14:00-18:00"]
thu = ["09:00-12:00", "14:00-18:00"]
fri = ["09:00-12:00", "14:00-17:00"]
# a day not listed is closed
"""


def test_documented_form_is_accepted_as_it_is() -> None:
    spec = parse_calendar(tomllib.loads(ISSUE_EXAMPLE))
    assert spec.timezone == "Europe/Paris"
    assert spec.holidays == "FR-6AE"
    assert spec.hours[4] == ((9 * 3600, 12 * 3600), (14 * 3600, 17 * 3600))
    assert spec.hours[5] == spec.hours[6] == ()
    assert date(2025, 12, 30) in spec.closed_dates and date(2025, 5, 30) in spec.closed_dates
    assert spec.worked_holidays == frozenset({date(2025, 6, 9)})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"hours": {"mon": ["09:00-12:00", "11:00-14:00"]}},
            "hours.mon: intervals overlap: 09:00-12:00 and 11:00-14:00",
        ),
        ({"hours": {"tue": ["18:00-09:00"]}}, "hours.tue: '18:00-09:00' ends before it starts"),
        ({"hours": {"wed": ["09:00-25:00"]}}, "hours.wed: '09:00-25:00' is not a time of day"),
        ({"hours": {"thu": ["9h-12h"]}}, "hours.thu: expected 'HH:MM-HH:MM'"),
        ({"hours": {"lun": ["09:00-12:00"]}}, "hours.lun: unknown day(s) lun"),
        ({"hours": {}}, "hours: the calendar never opens"),
        ({"timezone": "Europe/Parsi"}, "timezone: unknown IANA time zone"),
        ({"holidays": "FR-99"}, "holidays: unknown code 'FR-99'; valid: FR, FR-57, FR-6AE"),
        ({"holidays": "XX"}, "holidays: unknown country 'XX'"),
        ({"closed_dates": ["2025-13-01"]}, "closed_dates[0]: '2025-13-01' is not a date"),
        ({"closed_dates": ["2025-12-31..2025-12-01"]}, "closed_dates[0]: range"),
        ({"opening": 1}, "opening: unknown key(s) opening"),
    ],
)
def test_bad_definitions_name_the_key(change: dict[str, object], message: str) -> None:
    data = {**tomllib.loads(ISSUE_EXAMPLE), **change}
    with pytest.raises(CalendarError) as caught:
        parse_calendar(data)
    assert message in str(caught.value)


def _overlap() -> CalendarError:
    data = {**tomllib.loads(ISSUE_EXAMPLE), "hours": {"mon": ["09:00-12:00", "11:00-14:00"]}}
    with pytest.raises(CalendarError) as caught:
        parse_calendar(data)
    return caught.value


def test_a_refusal_is_data_and_reads_in_english_outside_the_pages() -> None:
    error = _overlap()
    assert (error.code, error.key) == ("calendar.overlap", "hours.mon")
    assert error.params == {"first": "09:00-12:00", "second": "11:00-14:00"}
    assert error.code in MESSAGES
    assert error.reason == "intervals overlap: 09:00-12:00 and 11:00-14:00"
    assert str(error) == f"hours.mon: {error.reason}"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert (type(copy), copy.code, copy.key, copy.params) == (
        CalendarError,
        error.code,
        error.key,
        error.params,
    )


def test_a_refusal_reads_in_the_readers_language(app: Flask) -> None:
    error = _overlap()
    with app.test_request_context("/"), force_locale("fr"):
        french = reader_words(error.code, error.params)
    assert " ".join(french.split()) == "des plages se chevauchent : 09:00-12:00 et 11:00-14:00"
    with app.test_request_context("/"), force_locale("en"):
        assert reader_words(error.code, error.params) == error.reason


def test_naive_datetimes_are_refused() -> None:
    engine = BusinessCalendar(parse_calendar(tomllib.loads(ISSUE_EXAMPLE)))
    naive = datetime(2025, 5, 5, 9)  # noqa: DTZ001
    for call in (
        lambda: engine.deadline(naive, 3600),
        lambda: engine.deadline(naive, 0),
        lambda: engine.business_seconds(naive, naive),
        lambda: engine.is_open(naive),
        lambda: engine.deadline_business_days(naive, 2),
    ):
        with pytest.raises(NaiveDatetimeError, match="naive datetime refused") as caught:
            call()
        assert caught.value.code == "calendar.naive_datetime"
