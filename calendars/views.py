"""Calendar pages: weekly hours, holidays of a year, closures, a month of opening hours, and
the tool "if reported at X, N business hours fall due at Y"."""

from __future__ import annotations

import calendar as month_calendar
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlmodel import select

from calendars.engine import BusinessCalendar, compiled
from calendars.models import VendorCalendar
from calendars.preview import named_closed_days
from calendars.signals import names_of_owners
from calendars.spec import WEEKDAYS, CalendarError, parse_calendar
from sla.db import utcnow
from sla.errors import reader_words
from sla.reach import FIRST_YEAR, LAST_YEAR
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role

bp = Blueprint("calendars", __name__, url_prefix="/calendars")

# The years the pages and the tool read: beyond, the next month or a zone offset overflows
# Python's dates (year 1, year 9999), and no contract lives there.
MOST_HOURS = 87_600  # ten years round the clock
MOST_DAYS = 3_660  # ten years of days
YEAR = re.compile(r"[0-9]{4}")
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
HOURS = re.compile(r"[0-9]{1,6}(?:\.[0-9]{0,6})?|\.[0-9]{1,6}")
DAYS = re.compile(r"[0-9]{1,6}")


def _out_of_years() -> str:
    return str(
        _("Expected a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
    )


def _year(text: str, default: int, errors: dict[str, str]) -> int:
    """`?year=`: four ASCII digits within the years read (else the default and a message)."""
    if not text:
        return default
    if YEAR.fullmatch(text) and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    errors["year"] = _out_of_years()
    return default


def _month(text: str, default: date, errors: dict[str, str]) -> date:
    """`?month=YYYY-MM` as its first day (else the default and a message)."""
    if not text:
        return default
    match = MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        errors["month"] = _("Expected a month such as 2026-10.")
        return default
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        errors["month"] = _out_of_years()
        return default
    return date(int(match.group(1)), int(match.group(2)), 1)


def _deadline(
    tool: Mapping[str, str], zone: ZoneInfo, engine: BusinessCalendar, errors: dict[str, str]
) -> datetime | None:
    """The tool: if reported at `start`, `hours` business hours (or `days` business days)
    fall due at …; a value it cannot use gets a message beside its field."""
    try:
        start = datetime.fromisoformat(tool["start"])
    except ValueError:
        errors["start"] = _("Expected a date and time such as 2026-10-01T09:00.")
        return None
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        errors["start"] = _out_of_years()
        return None
    start = start.replace(tzinfo=zone)
    days_text = tool["days"].strip()
    hours_text = tool["hours"].strip().replace(",", ".")
    try:
        if days_text:
            if not DAYS.fullmatch(days_text) or int(days_text) > MOST_DAYS:
                errors["days"] = _(
                    "Expected a whole number of days from 0 to %(most)d.", most=MOST_DAYS
                )
                return None
            return engine.deadline_business_days(start, int(days_text))
        hours = float(hours_text) if HOURS.fullmatch(hours_text) else math.nan
        if hours_text and not (math.isfinite(hours) and hours <= MOST_HOURS):
            errors["hours"] = _(
                "Expected a number of hours from 0 to %(most)d, such as 4 or 2.5.",
                most=MOST_HOURS,
            )
            return None
        return engine.deadline(start, (hours if hours_text else 0.0) * 3600)
    except CalendarError as error:
        errors["tool"] = _(
            "This deadline cannot be computed with this calendar: %(reason)s",
            reason=reader_words(error.code, error.params),
        )
    except OverflowError:
        errors["tool"] = _("This deadline cannot be computed with this calendar.")
    return None


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    session = db_session()
    found = session.exec(select(VendorCalendar)).all()
    owners = names_of_owners(session, (c.vendor_id for c in found))
    rows = sorted(
        ((c, owners.get(c.vendor_id, "")) for c in found), key=lambda row: (row[1], row[0].key)
    )
    return render_template("calendars/index.html", rows=rows)


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _unreadable(record: VendorCalendar, error: CalendarError) -> ResponseReturnValue:
    """A stored definition this version refuses: back to the list, saying why in the reader's
    language (the calendar's key at fault, then what is wrong)."""
    reason = reader_words(error.code, error.params)
    flash(
        _(
            "The calendar %(name)s cannot be read: %(key)s: %(reason)s",
            name=record.name,
            key=error.key or record.key,
            reason=reason,
        ),
        "error",
    )
    return redirect(url_for("calendars.index"))


@bp.route("/<int:calendar_id>")
@requires_role(Role.viewer)
def show(calendar_id: int) -> ResponseReturnValue:
    session = db_session()
    record = session.get(VendorCalendar, calendar_id)
    if record is None:
        abort(404)
    owner = names_of_owners(session, [record.vendor_id]).get(record.vendor_id, "")
    try:
        spec = parse_calendar(record.definition, name=record.name)
    except CalendarError as error:
        return _unreadable(record, error)
    engine = compiled(spec)
    zone = ZoneInfo(spec.timezone)
    today = utcnow().astimezone(zone).date()
    errors: dict[str, str] = {}
    year = _year(request.args.get("year", ""), today.year, errors)
    first = _month(request.args.get("month", ""), today.replace(day=1), errors)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    openings: dict[date, list[str]] = {}
    for opening in engine.openings(first, last):
        openings.setdefault(opening.start.date(), []).append(
            f"{opening.start:%H:%M}–{opening.end:%H:%M}"
            if opening.end.date() == opening.start.date()
            else f"{opening.start:%H:%M}–24:00"
        )
    closed = named_closed_days(engine, spec, first.year, str(get_locale()), str(_("closure")))
    weeks = month_calendar.Calendar().monthdatescalendar(first.year, first.month)
    # The tool: if reported at X, N business hours fall due at Y.
    tool = {key: request.args.get(key, "") for key in ("start", "hours", "days")}
    result = _deadline(tool, zone, engine, errors) if tool["start"] else None
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    hours = [
        (day, [f"{_hhmm(a)}–{_hhmm(b)}" for a, b in spec.hours[i]])
        for i, day in enumerate(WEEKDAYS)
    ]
    return render_template(
        "calendars/show.html",
        record=record,
        owner=owner,
        spec=spec,
        hours=hours,
        year=year,
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        closed_days=named_closed_days(engine, spec, year, str(get_locale()), str(_("closure"))),
        worked=sorted(d for d in spec.worked_holidays if d.year == year),
        first=first,
        month_title=format_date(first, "LLLL y"),
        weeks=weeks,
        openings=openings,
        closed=closed,
        today=today,
        previous=before.strftime("%Y-%m") if before.year >= FIRST_YEAR else None,
        following=after.strftime("%Y-%m") if after.year <= LAST_YEAR else None,
        tool=tool,
        result=result,
        errors=errors,
    ), (400 if errors else 200)
