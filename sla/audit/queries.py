"""Reading the audit trail: the filters the page and its CSV share (read from a query string,
each bad value worded beside its field), the events they keep newest first, a page of them,
and every one of them in batches for the CSV. Reads only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import column, table
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from sla.audit.actions import ACTIONS, ALL_ACTIONS, CHANNELS
from sla.audit.models import AuditEvent
from sla.reach import FIRST_YEAR, LAST_YEAR
from sla.safe_text import control_characters

PAGE_SIZE = 50
# Rows read at a time for the CSV: 100,000 events never sit in memory at once.
CSV_BATCH = 500
# The years people mean (year 1 or 9999 overflows once a zone is applied).
TEXT_LIMIT = 200
# The query-string keys of the filters, in the form's order.
FILTER_KEYS = ("what", "channel", "actor", "target", "from", "to")
FIELD = {
    "what": _l("Act"),
    "channel": _l("Channel"),
    "actor": _l("Done by (name contains)"),
    "target": _l("Concerns (label contains)"),
    "from": _l("From day"),
    "to": _l("To day"),
}
_DIGITS = re.compile(r"[0-9]{1,10}")
# Accounts and contracts sit above the audit trail in the layer map: their tables are named
# here, not imported, to tell which targets still exist (a link to their page).
_TARGET_TABLES = {
    "user": table("users", column("id")),
    "contract": table("contracts", column("id")),
    "vendor": table("vendors", column("id")),
}


@dataclass(frozen=True)
class AuditFilter:
    """What the page asks for; empty means no restriction. `family` or `action` (one of
    them), a channel, text the actor's name or the target's label contains (any case), and
    the instants from `from_at` (inclusive) to `before_at` (exclusive)."""

    family: str = ""
    action: str = ""
    channel: str = ""
    actor: str = ""
    target: str = ""
    from_at: datetime | None = None
    before_at: datetime | None = None


def asked(args: Mapping[str, str]) -> dict[str, str]:
    """The filters a query string names (non-empty), to keep in links and the form."""
    return {key: args[key] for key in FILTER_KEYS if args.get(key)}


def _text(args: Mapping[str, str], key: str, errors: dict[str, Any]) -> str:
    text = args.get(key, "").strip()
    if control_characters(text):
        errors[key] = _l("%(field)s: one line, without control characters.", field=FIELD[key])
        return ""
    if len(text) > TEXT_LIMIT:
        errors[key] = _l(
            "%(field)s: %(most)d characters at most.", field=FIELD[key], most=TEXT_LIMIT
        )
        return ""
    return text


def _day(args: Mapping[str, str], key: str, errors: dict[str, Any]) -> date | None:
    text = args.get(key, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = _l("%(field)s: expected a date such as 2026-10-01.", field=FIELD[key])
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[key] = _l(
            "%(field)s: expected a date between %(first)d and %(last)d.",
            field=FIELD[key],
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
        return None
    return day


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a day begins in the deployment's zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_filter(args: Mapping[str, str], zone: ZoneInfo) -> tuple[AuditFilter, dict[str, Any]]:
    """The filters of a query string, and the values it cannot use (field → message; such a
    value restricts nothing). Days are the deployment's (`zone`), both inclusive."""
    errors: dict[str, Any] = {}
    what = args.get("what", "").strip()
    family = what if what in ACTIONS else ""
    action = what if what in ALL_ACTIONS else ""
    if what and not (family or action):
        errors["what"] = _l("%(field)s: choose one from the list.", field=FIELD["what"])
    channel = args.get("channel", "").strip()
    if channel and channel not in CHANNELS:
        errors["channel"] = _l("%(field)s: choose one from the list.", field=FIELD["channel"])
        channel = ""
    first = _day(args, "from", errors)
    last = _day(args, "to", errors)
    if first is not None and last is not None and last < first:
        errors["to"] = _l("%(field)s: the last day comes before the first.", field=FIELD["to"])
        last = None
    wanted = AuditFilter(
        family=family,
        action=action,
        channel=channel,
        actor=_text(args, "actor", errors),
        target=_text(args, "target", errors),
        from_at=None if first is None else _midnight(first, zone),
        before_at=None if last is None else _midnight(last + timedelta(days=1), zone),
    )
    return wanted, errors


def _where(query: Any, wanted: AuditFilter) -> Any:
    if wanted.action:
        query = query.where(col(AuditEvent.action) == wanted.action)
    elif wanted.family:
        query = query.where(col(AuditEvent.action).in_(ACTIONS[wanted.family]))
    if wanted.channel:
        query = query.where(col(AuditEvent.channel) == wanted.channel)
    if wanted.actor:
        query = query.where(col(AuditEvent.actor_name).icontains(wanted.actor, autoescape=True))
    if wanted.target:
        query = query.where(col(AuditEvent.target_label).icontains(wanted.target, autoescape=True))
    if wanted.from_at is not None:
        query = query.where(col(AuditEvent.at) >= wanted.from_at)
    if wanted.before_at is not None:
        query = query.where(col(AuditEvent.at) < wanted.before_at)
    return query


def select_events(wanted: AuditFilter) -> SelectOfScalar[AuditEvent]:
    """The events the filter keeps, newest first (the id breaks ties: the order written)."""
    query: SelectOfScalar[AuditEvent] = _where(select(AuditEvent), wanted)
    return query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())


def count_events(session: Session, wanted: AuditFilter) -> int:
    """How many events the filter keeps."""
    total: int = session.exec(_where(select(func.count()).select_from(AuditEvent), wanted)).one()
    return total


def page_count(total: int) -> int:
    """How many pages `total` events fill (one at least, empty)."""
    return max(1, -(-total // PAGE_SIZE))


def page_number(text: str, pages: int) -> int:
    """The page asked for, within 1..pages (a page it cannot read is the first)."""
    number = int(text) if _DIGITS.fullmatch(text) else 1
    return min(max(number, 1), pages)


def events_page(session: Session, wanted: AuditFilter, page: int) -> list[AuditEvent]:
    """The events of page `page` (from 1), PAGE_SIZE of them, newest first."""
    query = select_events(wanted).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return list(session.exec(query).all())


def iter_events(
    session: Session, wanted: AuditFilter, *, batch: int = CSV_BATCH
) -> Iterator[AuditEvent]:
    """Every event the filter keeps, newest first, read `batch` rows at a time (a server-side
    cursor on PostgreSQL): for the CSV, whatever the trail's length."""
    query = select_events(wanted).execution_options(yield_per=batch)
    yield from session.exec(query)


def existing_targets(session: Session, events: Iterable[AuditEvent]) -> set[tuple[str, int]]:
    """The (kind, id) of the accounts and contracts these events concern that still exist."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_kind in _TARGET_TABLES and event.target_id is not None:
            wanted.setdefault(event.target_kind, set()).add(event.target_id)
    found: set[tuple[str, int]] = set()
    for kind, ids in wanted.items():
        ids_column = _TARGET_TABLES[kind].c.id
        query = select(ids_column).where(ids_column.in_(sorted(ids)))
        found.update((kind, int(i)) for i in session.exec(query))
    return found
