"""Archived reports: produce a frozen copy (figures, PDF, XLSX), and the monthly run.

The monthly run is idempotent: on the first working day of a month at the configured time (or
at any later run, catching up after downtime) it archives the previous month's report once
(a unique period and `scheduled` flag) and records one mail per recipient in the outbox, with
the PDF attached when the mail is sent. An archive is worded in one language, kept with it: the
scheduler's is the application's default (`[app] default_locale`), a person's their own.
Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlmodel import Session, col, select

from sla.alerts.delivery import Attachment
from sla.alerts.messages import Alert
from sla.alerts.messages import Words as AlertWords
from sla.alerts.models import Notification
from sla.alerts.outbox import Recipient, flush_outbox, record
from sla.contracts.periods import add_months
from sla.reports import exports
from sla.reports.figures import Period
from sla.reports.models import ArchivedReport
from sla.reports.pdf import Organisation, render_pdf
from sla.reports.queries import Scope, make_report
from sla.reports.text import DEFAULT_LOCALE, Words, words


def first_working_day(year: int, month: int) -> date:
    """The month's first weekday that is not a French public holiday (1 May, 1 Nov...)."""
    closed = holidays.country_holidays("FR", years=year)
    day = date(year, month, 1)
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def _json_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    def plain(value: Any) -> Any:
        return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value

    return [dict(zip(header, map(plain, row), strict=True)) for row in rows]


def produce(
    session: Session,
    *,
    scope: Scope,
    period: Period,
    now: datetime,
    made_by_id: int | None,
    scheduled: bool = False,
    locale: str = DEFAULT_LOCALE,
    organisation: Organisation | None = None,
) -> ArchivedReport:
    """Build the report as of `now` and keep it, worded in `locale` (its figures' column names
    too), its PDF from `organisation`: later changes to incidents do not alter it."""
    report = make_report(session, scope, period, as_of=now)
    w = words(locale)
    archived = ArchivedReport(
        period_start=period.first,
        period_end=period.last,
        scope=scope.key,
        scope_label=w.scope(report.scope),
        scheduled=scheduled,
        made_at=now,
        made_by_id=made_by_id,
        figures={
            "summary": _json_rows(*exports.summary(report, w)),
            "breaches": _json_rows(*exports.breaches(report, w)),
        },
        pdf=render_pdf(report, locale, organisation),
        xlsx=exports.to_xlsx(report, locale),
    )
    session.add(archived)
    session.flush()
    return archived


def _mail(w: Words, period: Period, base_url: str) -> Alert:
    """The monthly report's mail, in the report's language (its title and link label too)."""
    title = w.period_title(period.first, period.last)
    alert = Alert(
        "report",
        w.gettext("[Garantie] SLA report — %(period)s", period=title),
        (
            w.gettext("The SLA report of %(period)s is attached (PDF).", period=title),
            w.gettext("The workbook (XLSX) and the archived reports are in Garantie."),
        ),
        f"{base_url.rstrip('/')}/reports/archive",
        {"period": period.first.isoformat()},
    )
    return alert.worded(AlertWords(w.catalogue.gettext, w.locale))


def monthly(
    session: Session,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    zone: str,
    base_url: str,
    locale: str = DEFAULT_LOCALE,
    organisation: Organisation | None = None,
) -> ArchivedReport | None:
    """The previous month's scheduled report, if it is due and not archived yet, archived and
    mailed in `locale` (the application's default language)."""
    local = now.astimezone(ZoneInfo(zone))
    hour, minute = (int(part) for part in settings["monthly_time"].split(":"))
    due = datetime.combine(
        first_working_day(local.year, local.month), datetime.min.time(), tzinfo=ZoneInfo(zone)
    ).replace(hour=hour, minute=minute)
    if local < due:
        return None
    previous = add_months(local.date().replace(day=1), -1)
    period = Period.month(previous.year, previous.month, zone)
    exists = session.exec(
        select(ArchivedReport.id).where(
            col(ArchivedReport.scheduled).is_(True),
            ArchivedReport.period_start == period.first,
            ArchivedReport.period_end == period.last,
            ArchivedReport.scope == "all",
        )
    ).first()
    if exists is not None:
        return None
    archived = produce(
        session,
        scope=Scope(),
        period=period,
        now=now,
        made_by_id=None,
        scheduled=True,
        locale=locale,
        organisation=organisation,
    )
    alert = _mail(words(locale), period, base_url)
    record(
        session,
        key=f"report:{period.first.isoformat()}",
        alert=alert,
        recipients=[Recipient("email", address) for address in settings["recipients"]],
        now=now,
        webhook_format="generic",
        report_id=archived.id,
    )
    flush_outbox(session)
    return archived


def report_attachments(session: Session, notification: Notification) -> list[Attachment]:
    """The archived report a mail carries (the monthly report), read when it is sent."""
    if notification.report_id is None:
        return []
    report = session.get(ArchivedReport, notification.report_id)
    if report is None:
        return []
    return [Attachment(f"rapport-sla-{report.period_start:%Y-%m}.pdf", report.pdf)]
