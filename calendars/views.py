"""Calendar pages: weekly hours, holidays of a year, closures, a month of opening hours, and
the tool "if reported at X, N business hours fall due at Y"."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlmodel import select

from calendars.engine import compiled
from calendars.models import VendorCalendar
from calendars.signals import names_of_owners
from calendars.spec import WEEKDAYS, CalendarError, parse_calendar
from sla.db import utcnow
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role

bp = Blueprint("calendars", __name__, url_prefix="/calendars")


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


@bp.route("/<int:calendar_id>")
@requires_role(Role.viewer)
def show(calendar_id: int) -> ResponseReturnValue:
    session = db_session()
    record = session.get(VendorCalendar, calendar_id)
    if record is None:
        abort(404)
    owner = names_of_owners(session, [record.vendor_id]).get(record.vendor_id, "")
    spec = parse_calendar(record.definition, name=record.name)
    engine = compiled(spec)
    zone = ZoneInfo(spec.timezone)
    today = utcnow().astimezone(zone).date()
    year = request.args.get("year", today.year, type=int) or today.year
    year = min(max(year, 1990), 2100)
    month_text = request.args.get("month", today.strftime("%Y-%m"))
    try:
        first = date.fromisoformat(month_text + "-01")
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    openings: dict[date, list[str]] = {}
    for opening in engine.openings(first, last):
        openings.setdefault(opening.start.date(), []).append(
            f"{opening.start:%H:%M}–{opening.end:%H:%M}"
            if opening.end.date() == opening.start.date()
            else f"{opening.start:%H:%M}–24:00"
        )
    closed = {c.day: c.name for c in engine.closed_days(first.year)}
    weeks = month_calendar.Calendar().monthdatescalendar(first.year, first.month)
    # The tool: if reported at X, N business hours fall due at Y.
    tool: dict[str, object] = {
        "start": request.args.get("start", ""),
        "hours": request.args.get("hours", ""),
        "days": request.args.get("days", ""),
    }
    error = None
    result = None
    if tool["start"]:
        try:
            start = datetime.fromisoformat(str(tool["start"])).replace(tzinfo=zone)
            if tool["days"]:
                result = engine.deadline_business_days(start, int(str(tool["days"])))
            else:
                result = engine.deadline(
                    start, float(str(tool["hours"]).replace(",", ".") or "0") * 3600
                )
        except (ValueError, CalendarError) as problem:
            error = str(problem)
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
        closed_days=engine.closed_days(year),
        worked=sorted(d for d in spec.worked_holidays if d.year == year),
        first=first,
        weeks=weeks,
        openings=openings,
        closed=closed,
        today=today,
        previous=(first - timedelta(days=1)).strftime("%Y-%m"),
        following=(last + timedelta(days=1)).strftime("%Y-%m"),
        tool=tool,
        result=result,
        error=error,
    )
