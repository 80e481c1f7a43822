"""The audit trail's page for administrators (filters, pages) and its CSV, streamed.

Reads only: no route here changes or deletes an event (the database refuses it anyway,
`sla.audit.append_only`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from sla.audit import labels, queries
from sla.audit.labels import Fact
from sla.audit.models import AuditEvent
from sla.audit.queries import AuditFilter
from sla.web.access import requires_role
from sla.web.database import db_session, engine
from sla.web.downloads import csv_lines, streamed_attachment
from sla.web.roles import Role
from sla.web.settings import app_zone

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.record_once
def _register_words(state: BlueprintSetupState) -> None:
    """The template reads the audit trail's words as the application's other maps."""
    labels.register(cast(Flask, state.app))


# Where a target's page is: endpoint and its argument (tokens have no page of their own).
TARGET_PAGES = {
    "user": ("users.edit", "user_id"),
    "contract": ("contracts.show", "contract_id"),
    "vendor": ("contracts.vendor", "vendor_id"),
}
CSV_COLUMNS = (
    _l("Date and time"),
    _l("Act"),
    _l("Act key"),
    _l("Done by"),
    _l("Channel"),
    _l("Source address"),
    _l("Concerns (kind)"),
    _l("Concerns (id)"),
    _l("Concerns"),
    _l("Details"),
)


class Row(NamedTuple):
    """An event as the page shows it: the event, its facts in words, its target's page."""

    event: AuditEvent
    facts: list[Fact]
    target_url: str | None


def _target_url(event: AuditEvent, existing: set[tuple[str, int]]) -> str | None:
    page = TARGET_PAGES.get(event.target_kind)
    if page is None or event.target_id is None:
        return None
    if (event.target_kind, event.target_id) not in existing:
        return None
    endpoint, argument = page
    values: dict[str, Any] = {argument: event.target_id}
    return url_for(endpoint, **values)


def _page(wanted: AuditFilter, errors: dict[str, Any]) -> ResponseReturnValue:
    session = db_session()
    total = queries.count_events(session, wanted)
    pages = queries.page_count(total)
    page = queries.page_number(request.args.get("page", ""), pages)
    events = queries.events_page(session, wanted, page)
    existing = queries.existing_targets(session, events)
    rows = [
        Row(event, labels.facts(event.action, event.detail), _target_url(event, existing))
        for event in events
    ]
    return render_template(
        "admin/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        args=queries.asked(request.args),
        errors=errors,
        families=labels.choices(),
        channels=[(key, labels.channel_label(key)) for key in labels.AUDIT_CHANNEL],
        field=queries.FIELD,
    ), (400 if errors else 200)


@bp.route("/")
@requires_role(Role.admin)
def index() -> ResponseReturnValue:
    wanted, errors = queries.parse_filter(request.args, app_zone())
    return _page(wanted, errors)


def _csv_row(event: AuditEvent, zone: ZoneInfo) -> list[Any]:
    return [
        event.at.astimezone(zone).isoformat(timespec="seconds"),
        labels.action_label(event.action),
        event.action,
        event.actor_name,
        labels.channel_label(event.channel),
        event.remote_addr,
        str(labels.TARGET.get(event.target_kind, event.target_kind)),
        event.target_id,
        event.target_label,
        labels.facts_text(event.action, event.detail),
    ]


def _csv_chunks(wanted: AuditFilter) -> Iterator[str]:
    """The CSV in pieces: a BOM and the header (Excel reads UTF-8 so, as `csv_text`), then
    the events a batch at a time, read in a session of its own (the request's is closed
    once the response leaves the view)."""
    zone = app_zone()
    with Session(engine()) as session:
        rows = (_csv_row(event, zone) for event in queries.iter_events(session, wanted))
        lines: list[str] = []
        for line in csv_lines([str(column) for column in CSV_COLUMNS], rows):
            lines.append(line)
            if len(lines) >= queries.CSV_BATCH:
                yield "".join(lines)
                lines = []
        yield "".join(lines)


def _filename(wanted: AuditFilter) -> str:
    """`journal-audit.csv`, with the act and the days filtered on (keys and dates only)."""
    parts = [_("audit-trail")]
    if wanted.action or wanted.family:
        parts.append(wanted.action or wanted.family)
    zone = app_zone()
    if wanted.from_at is not None:
        parts.append(wanted.from_at.astimezone(zone).date().isoformat())
    if wanted.before_at is not None:
        last = wanted.before_at.astimezone(zone).date() - timedelta(days=1)
        parts.append(last.isoformat())
    return "_".join(parts) + ".csv"


@bp.route("/audit.csv")
@requires_role(Role.admin)
def export_csv() -> ResponseReturnValue:
    wanted, errors = queries.parse_filter(request.args, app_zone())
    if errors:
        # A filter it cannot use: the page, with the message beside the filter.
        return _page(wanted, errors)
    return streamed_attachment(_csv_chunks(wanted), "text/csv", _filename(wanted))
