"""`sla calendar …`: deadlines, elapsed business time and closed days from a calendar file.

The output is stable (scripts and acceptance checks read it): ISO 8601 instants to the second
with the calendar's offset. Errors print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from calendars.engine import BusinessCalendar
from calendars.spec import CalendarError, load_calendar_file


class CalendarCommandError(click.ClickException):
    exit_code = 2


def _calendar(path: Path) -> BusinessCalendar:
    try:
        return BusinessCalendar(load_calendar_file(path))
    except CalendarError as error:
        raise CalendarCommandError(str(error)) from None


def _instant(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CalendarCommandError(f"{option}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise CalendarCommandError(
            f"{option}: {text!r} has no offset; write e.g. 2025-05-05T09:00:00+02:00 or …Z"
        )
    return value


def iso(value: datetime) -> str:
    """ISO 8601 to the second (microseconds only when present), with the offset."""
    return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds")


def human_duration(seconds: float) -> str:
    """`3 h 30 min` (business time), to the second when needed."""
    whole = round(seconds)
    hours, rest = divmod(abs(whole), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if secs:
        parts.append(f"{secs} s")
    return ("-" if whole < 0 else "") + (" ".join(parts) or "0 min")


calendar_option = click.option(
    "--calendar",
    "calendar_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Calendar TOML file.",
)


@click.group("calendar")
def calendar_group() -> None:
    """Business-hours calendars: deadlines, elapsed time, closed days."""


@calendar_group.command("deadline")
@calendar_option
@click.option("--start", required=True, help="ISO 8601 instant with offset (heure H).")
@click.option("--business-hours", type=float, help="Business hours to add.")
@click.option("--business-minutes", type=float, help="Business minutes to add.")
@click.option("--business-days", type=int, help="Business days to add.")
@click.option("--calendar-days", type=int, help="Civil days to add (same local time).")
@click.option("--months", type=int, help="Calendar months to add (same day, or the last).")
@click.option("--end-of-day", is_flag=True, help="With days or months: the end of the last day.")
@click.option("--json", "as_json", is_flag=True, help='Print {"deadline": "…"}.')
@click.option(
    "--explain",
    is_flag=True,
    help="Also print how: each stretch of time counted and the closed days skipped.",
)
def deadline_command(
    calendar_path: Path,
    start: str,
    business_hours: float | None,
    business_minutes: float | None,
    business_days: int | None,
    calendar_days: int | None,
    months: int | None,
    end_of_day: bool,
    as_json: bool,
    explain: bool,
) -> None:
    """Print the deadline N business hours, minutes or days, civil days or months after
    --start."""
    amounts = (business_hours, business_minutes, business_days, calendar_days, months)
    given = [v for v in amounts if v is not None]
    if len(given) != 1:
        raise CalendarCommandError(
            "give exactly one of --business-hours, --business-minutes, --business-days, "
            "--calendar-days, --months"
        )
    if end_of_day and business_days is None and calendar_days is None and months is None:
        raise CalendarCommandError(
            "--end-of-day goes with --business-days, --calendar-days, --months"
        )
    calendar = _calendar(calendar_path)
    instant = _instant(start, "--start")
    try:
        if business_days is not None:
            result = calendar.deadline_business_days(instant, business_days, end_of_day=end_of_day)
        elif calendar_days is not None or months is not None:
            result = calendar.civil_deadline(
                instant, days=calendar_days or 0, months=months or 0, end_of_day=end_of_day
            )
        elif business_hours is not None:
            result = calendar.deadline(instant, business_hours * 3600)
        else:
            result = calendar.deadline(instant, (business_minutes or 0) * 60)
    except CalendarError as error:
        raise CalendarCommandError(str(error)) from None
    business = calendar_days is None and months is None
    if as_json:
        reply: dict[str, object] = {"deadline": iso(result)}
        if explain:
            reply["explanation"] = _explanation(calendar, instant, result, business)
        click.echo(json.dumps(reply, ensure_ascii=False))
        return
    click.echo(iso(result))
    if explain:
        explained = _explanation(calendar, instant, result, business)
        for stretch in explained["stretches"]:
            click.echo(
                f"  {stretch['date']}  {stretch['from']}-{stretch['to']}  "
                f"+{human_duration(stretch['seconds'])}  = {human_duration(stretch['total'])}"
            )
        for day in explained["closed_days"]:
            click.echo(f"  {day['date']}  skipped: {day['name']} ({day['reason']})")


def _explanation(
    calendar: BusinessCalendar, start: datetime, deadline: datetime, business: bool
) -> dict[str, Any]:
    """The stretches of time counted from `start` to `deadline` and, for business time, the
    closed days skipped: the calendar's own stretches, those the SLA engine explains with."""
    stretches = [
        {
            "date": stretch.start.date().isoformat(),
            "from": stretch.start.strftime("%H:%M"),
            "to": stretch.end.strftime("%H:%M")
            if stretch.end.date() == stretch.start.date()
            else iso(stretch.end),
            "seconds": stretch.seconds,
            "total": stretch.running_total,
        }
        for stretch in calendar.stretches(start, deadline, business=business)
    ]
    closed = [
        {"date": d.day.isoformat(), "reason": d.reason, "name": d.name}
        for d in (calendar.closed_days_between(start, deadline) if business else [])
    ]
    return {"stretches": stretches, "closed_days": closed}


@calendar_group.command("elapsed")
@calendar_option
@click.option("--start", required=True, help="ISO 8601 instant with offset.")
@click.option("--end", required=True, help="ISO 8601 instant with offset.")
@click.option("--json", "as_json", is_flag=True, help='Print {"business_seconds": N}.')
def elapsed_command(calendar_path: Path, start: str, end: str, as_json: bool) -> None:
    """Print the business time between --start and --end."""
    calendar = _calendar(calendar_path)
    seconds = calendar.business_seconds(_instant(start, "--start"), _instant(end, "--end"))
    value: float = int(seconds) if float(seconds).is_integer() else seconds
    if as_json:
        click.echo(json.dumps({"business_seconds": value}))
    else:
        click.echo(f"{human_duration(seconds)} ({value} s)")


@calendar_group.command("holidays")
@calendar_option
@click.option("--year", type=click.IntRange(1900, 2400), required=True)
@click.option("--json", "as_json", is_flag=True)
def holidays_command(calendar_path: Path, year: int, as_json: bool) -> None:
    """List the days the calendar is closed in a year although their weekday has hours:
    public holidays (French names) and closures; worked holidays are left out."""
    calendar = _calendar(calendar_path)
    days = calendar.closed_days(year)
    if as_json:
        click.echo(
            json.dumps(
                [{"date": d.day.isoformat(), "reason": d.reason, "name": d.name} for d in days],
                ensure_ascii=False,
            )
        )
        return
    for day in days:
        click.echo(f"{day.day.isoformat()}\t{day.reason}\t{day.name}")
