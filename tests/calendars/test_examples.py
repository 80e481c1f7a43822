"""Worked examples from the seed contracts' schedules, around French holidays and DST."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from calendars.engine import BusinessCalendar
from calendars.spec import parse_calendar

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def calendar(
    hours: dict[str, list[str]], holidays: str = "FR", **extra: object
) -> BusinessCalendar:
    return BusinessCalendar(
        parse_calendar({"timezone": "Europe/Paris", "holidays": holidays, "hours": hours, **extra})
    )


def weekdays(*intervals: str) -> dict[str, list[str]]:
    return {day: list(intervals) for day in WEEKDAYS}


# Libriciel §2.7: "du lundi au vendredi de 9h00 à 12h00 et de 14h00 à 18h00".
LIBRICIEL = calendar(weekdays("09:00-12:00", "14:00-18:00"))
# Aukfood: "du lundi au vendredi de 9h00 à 12h30 et de 13h30 à 17h30".
AUKFOOD = calendar(weekdays("09:00-12:30", "13:30-17:30"))
# SMICA: support "du lundi au vendredi de 9h à 17h".
SMICA = calendar(weekdays("09:00-17:00"))
# Operis: Monday-Thursday 9-12/14-18, Friday 9-12/14-17.
OPERIS = calendar({**weekdays("09:00-12:00", "14:00-18:00"), "fri": ["09:00-12:00", "14:00-17:00"]})
ALWAYS = calendar({day: ["00:00-24:00"] for day in (*WEEKDAYS, "sat", "sun")}, holidays="")
EVENINGS = calendar({day: ["08:00-24:00"] for day in (*WEEKDAYS, "sat", "sun")}, holidays="")


def at(*parts: int, zone: ZoneInfo = PARIS) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("engine", "start", "hours", "expected"),
    [
        # The rules' own examples: a deadline on a closing time is that closing time.
        (LIBRICIEL, at(2025, 5, 5, 9), 3, at(2025, 5, 5, 12)),
        (LIBRICIEL, at(2025, 5, 5, 12), 1, at(2025, 5, 5, 15)),
        # Starts in the lunch break, at closing time, on a weekend.
        (LIBRICIEL, at(2025, 5, 5, 12, 30), 1, at(2025, 5, 5, 15)),
        (LIBRICIEL, at(2025, 5, 5, 18), 1, at(2025, 5, 6, 10)),
        (LIBRICIEL, at(2025, 5, 10, 11), 1, at(2025, 5, 12, 10)),
        # Ascension (Thu 29 May 2025): 4 h take-charge reported Wednesday 16:00.
        (LIBRICIEL, at(2025, 5, 28, 16), 4, at(2025, 5, 30, 11)),
        # Pentecost Monday (9 June 2025) is a public holiday in FR.
        (LIBRICIEL, at(2025, 6, 6, 17), 8, at(2025, 6, 10, 18)),
        # 1 May 2025 (Thursday): Aukfood GTR 8 h from Wednesday 15:00.
        (AUKFOOD, at(2025, 4, 30, 15), 8, at(2025, 5, 2, 15, 30)),
        # 8 May 2025 (Thursday): Aukfood GTI 4 h from Wednesday 16:00.
        (AUKFOOD, at(2025, 5, 7, 16), 4, at(2025, 5, 9, 11, 30)),
        # 14 July 2025 (Monday): SMICA 4 h from Friday 16:00.
        (SMICA, at(2025, 7, 11, 16), 4, at(2025, 7, 15, 12)),
        # 15 August 2025 (Friday): Operis 2 h from Thursday 17:00.
        (OPERIS, at(2025, 8, 14, 17), 2, at(2025, 8, 18, 10)),
        # Christmas: 24 Dec 17:00 + 4 h; 26 December is worked outside Alsace-Moselle.
        (LIBRICIEL, at(2025, 12, 24, 17), 4, at(2025, 12, 26, 12)),
        # Operis Friday closes at 17:00: Friday 16:00 + 2 h is Monday 10:00.
        (OPERIS, at(2025, 9, 5, 16), 2, at(2025, 9, 8, 10)),
    ],
)
def test_business_hour_deadlines(
    engine: BusinessCalendar, start: datetime, hours: float, expected: datetime
) -> None:
    assert engine.deadline(start, hours * HOUR) == expected
    assert engine.business_seconds(start, expected) == hours * HOUR


def test_worked_pentecost_monday_counts() -> None:
    worked = calendar(weekdays("09:00-12:00", "14:00-18:00"), worked_holidays=["2025-06-09"])
    assert worked.deadline(at(2025, 6, 6, 17), 8 * HOUR) == at(2025, 6, 9, 18)


def test_closed_ranges_are_skipped() -> None:
    closing = calendar(
        weekdays("09:00-12:00", "14:00-18:00"), closed_dates=["2025-12-29..2025-12-31"]
    )
    assert closing.deadline(at(2025, 12, 26, 17), 2 * HOUR) == at(2026, 1, 2, 10)


def test_alsace_moselle_closes_on_good_friday_and_26_december() -> None:
    moselle = calendar(weekdays("09:00-12:00", "14:00-18:00"), holidays="FR-57")
    assert moselle.deadline(at(2025, 4, 17, 16), 4 * HOUR) == at(2025, 4, 22, 11)
    assert LIBRICIEL.deadline(at(2025, 4, 17, 16), 4 * HOUR) == at(2025, 4, 18, 11)
    assert moselle.deadline(at(2025, 12, 24, 17), 4 * HOUR) == at(2025, 12, 29, 12)
    names = {d.day: d.name for d in moselle.closed_days(2025)}
    assert names[date(2025, 4, 18)] == "Vendredi saint"
    assert names[date(2025, 12, 26)] == "Saint-Étienne"


def test_overseas_department_has_its_own_holiday_and_zone() -> None:
    reunion_zone = ZoneInfo("Indian/Reunion")
    reunion = BusinessCalendar(
        parse_calendar(
            {
                "timezone": "Indian/Reunion",
                "holidays": "FR-974",
                "hours": weekdays("09:00-12:00", "14:00-18:00"),
            }
        )
    )
    # 20 December 2024 (Friday): abolition of slavery, a holiday in La Réunion only.
    assert reunion.deadline(at(2024, 12, 19, 17, zone=reunion_zone), 2 * HOUR) == at(
        2024, 12, 23, 10, zone=reunion_zone
    )
    assert (
        str(reunion.deadline(at(2024, 12, 19, 17, zone=reunion_zone), 2 * HOUR).utcoffset())
        == "4:00:00"
    )


def test_dst_weekends_with_a_24_7_calendar() -> None:
    # Spring: Sunday 30 March 2025 has 23 hours; autumn: Sunday 26 October 2025 has 25.
    assert ALWAYS.deadline(at(2025, 3, 29, 12), 24 * HOUR) == at(2025, 3, 30, 13)
    assert ALWAYS.business_seconds(at(2025, 3, 30), at(2025, 3, 31)) == 23 * HOUR
    assert ALWAYS.deadline(at(2025, 10, 25, 12), 24 * HOUR) == at(2025, 10, 26, 11)
    assert ALWAYS.business_seconds(at(2025, 10, 26), at(2025, 10, 27)) == 25 * HOUR
    assert ALWAYS.next_closing(at(2025, 10, 25, 12)) is None


def test_dst_weekends_with_an_8_to_24_calendar() -> None:
    assert EVENINGS.deadline(at(2025, 3, 29, 23), 2 * HOUR) == at(2025, 3, 30, 9)
    assert EVENINGS.deadline(at(2025, 10, 25, 23), 2 * HOUR) == at(2025, 10, 26, 9)
    assert EVENINGS.business_seconds(at(2025, 3, 30), at(2025, 3, 31)) == 16 * HOUR
    assert EVENINGS.business_seconds(at(2025, 10, 26), at(2025, 10, 27)) == 16 * HOUR


def test_start_given_in_utc_answers_in_the_calendar_zone() -> None:
    utc_start = datetime(2025, 5, 5, 7, 0, tzinfo=ZoneInfo("UTC"))
    result = LIBRICIEL.deadline(utc_start, 3 * HOUR)
    assert result == at(2025, 5, 5, 12)
    assert result.tzinfo == PARIS
    assert result.isoformat() == "2025-05-05T12:00:00+02:00"


@pytest.mark.parametrize(
    ("engine", "start", "days", "end_of_day", "expected"),
    [
        # Operis bloquante: workaround within 8 business days, around 15 August 2025.
        (OPERIS, at(2025, 8, 14, 10), 8, False, at(2025, 8, 27, 10)),
        # Same local time clamped to the Friday closing (17:00).
        (OPERIS, at(2025, 9, 4, 17, 30), 1, False, at(2025, 9, 5, 17)),
        # Reported on a Saturday: the clock starts Monday 09:00.
        (LIBRICIEL, at(2025, 5, 10, 11), 3, False, at(2025, 5, 15, 9)),
        # Libriciel bloquant resolution in 3 days over Ascension, end of day on request.
        (LIBRICIEL, at(2025, 5, 27, 15), 3, True, at(2025, 6, 2, 18)),
        (LIBRICIEL, at(2025, 5, 27, 15), 0, False, at(2025, 5, 27, 15)),
        # Started in the lunch break: the first open instant is 14:00.
        (LIBRICIEL, at(2025, 5, 5, 12, 30), 1, False, at(2025, 5, 6, 14)),
    ],
)
def test_business_day_deadlines(
    engine: BusinessCalendar, start: datetime, days: int, end_of_day: bool, expected: datetime
) -> None:
    assert engine.deadline_business_days(start, days, end_of_day=end_of_day) == expected


def test_calendar_time_counts_real_time_across_dst() -> None:
    start = at(2025, 3, 29, 12)
    assert BusinessCalendar.calendar_deadline(start, timedelta(hours=24)) == at(2025, 3, 30, 13)
    assert BusinessCalendar.calendar_deadline(start, timedelta(days=60)) == at(2025, 5, 28, 13)


def test_any_date_from_1990_to_2100_works() -> None:
    assert LIBRICIEL.deadline(at(1990, 1, 2, 9), 3 * HOUR) == at(1990, 1, 2, 12)
    assert LIBRICIEL.deadline(at(2100, 12, 31, 17), 2 * HOUR) == at(2101, 1, 3, 10)
    assert LIBRICIEL.business_seconds(at(1990, 1, 1), at(2100, 1, 1)) > 0
    assert len(LIBRICIEL.closed_days(1995)) >= 11


def test_open_and_next_opening_and_closing() -> None:
    lunch = at(2025, 5, 5, 12, 30)
    assert not LIBRICIEL.is_open(lunch)
    assert LIBRICIEL.is_open(at(2025, 5, 5, 9))
    assert not LIBRICIEL.is_open(at(2025, 5, 5, 12))
    assert LIBRICIEL.next_opening(lunch) == at(2025, 5, 5, 14)
    assert LIBRICIEL.next_closing(lunch) == at(2025, 5, 5, 18)
    assert LIBRICIEL.next_closing(at(2025, 5, 5, 10)) == at(2025, 5, 5, 12)
    assert LIBRICIEL.next_opening(at(2025, 5, 7, 18)) == at(2025, 5, 9, 9)  # over 8 May


def test_openings_of_a_week_for_display() -> None:
    week = LIBRICIEL.openings(date(2025, 5, 5), date(2025, 5, 11))
    assert len(week) == 8  # Mon-Wed and Fri, two each; Thursday 8 May closed
    assert (week[0].start, week[0].end) == (at(2025, 5, 5, 9), at(2025, 5, 5, 12))
    assert all(o.start.tzinfo == PARIS for o in week)
    always = ALWAYS.openings(date(2025, 3, 30), date(2025, 3, 30))
    assert [(o.start, o.end) for o in always] == [(at(2025, 3, 30), at(2025, 3, 31))]


def test_holidays_of_a_year_have_french_names_and_worked_ones_are_left_out() -> None:
    worked = calendar(weekdays("09:00-18:00"), worked_holidays=["2025-06-09"])
    names = {d.day: d.name for d in worked.closed_days(2025)}
    assert names[date(2025, 5, 29)] == "Ascension"
    assert names[date(2025, 7, 14)] == "Fête nationale"
    assert date(2025, 6, 9) not in names
    assert len(names) == 10


def test_microseconds_are_kept() -> None:
    start = at(2025, 5, 5, 9, 0, 0, 250_000)
    assert LIBRICIEL.deadline(start, 3600) == at(2025, 5, 5, 10, 0, 0, 250_000)
