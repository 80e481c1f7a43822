"""Report pages: the report with its charts and filters, its PDF/CSV/XLSX, the archive. The
pages and the files downloaded are in the reader's language; the page's words about the
report's values are the documents' (`sla.reports.text.Words`, with Flask-Babel's catalogue)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from sla.contracts.models import Contract, ContractVersion
from sla.contracts.service import list_contracts, list_vendors, terms_of
from sla.contracts.signals import contract_page
from sla.db import utcnow
from sla.reports import exports
from sla.reports.archive import produce
from sla.reports.charts import Chart, compliance_chart, restoration_chart, severity_chart, svg
from sla.reports.compliance import contract_compliance
from sla.reports.figures import Period, Report
from sla.reports.filters import Filters, read_filters
from sla.reports.models import ArchivedReport
from sla.reports.pdf import render_pdf
from sla.reports.queries import Scope, make_report
from sla.reports.text import Words
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.downloads import attachment
from sla.web.forms import EmptyForm
from sla.web.roles import Role
from sla.web.sections import Section
from sla.web.settings import app_timezone, app_zone, organisation

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> Filters:
    filters = read_filters(
        request.args, today=utcnow().astimezone(app_zone()).date(), zone=app_timezone()
    )
    session = db_session()
    vendors = {v.id for v in list_vendors(session)}
    contracts = {c.id for c in list_contracts(session)}
    if filters.scope.vendor_id is not None and filters.scope.vendor_id not in vendors:
        filters.errors["vendor"] = _("Unknown vendor.")
        filters.scope = type(filters.scope)()
    if filters.scope.contract_id is not None and filters.scope.contract_id not in contracts:
        filters.errors["contract"] = _("Unknown contract.")
        filters.scope = type(filters.scope)()
    return filters


def _report(filters: Filters) -> Report:
    return make_report(db_session(), filters.scope, filters.period, as_of=utcnow())


def _locale() -> str:
    """The reader's language: the documents they download are written in it."""
    return str(get_locale())


def _words() -> Words:
    """The page's words about the report, through Flask-Babel's catalogue for the reader."""
    return Words(_locale(), get_translations())


def _filename(filters: Filters, extension: str, kind: str) -> str:
    period = filters.month or f"{filters.period.first}_{filters.period.last}"
    return f"{kind}-{period}.{extension}"


@contract_page.connect
def _compliance_section(contract: Contract, *, session: Session, now: datetime) -> Section:
    """The contract page's section: its compliance over the last twelve months."""
    rows = contract_compliance(session, contract.id or 0, as_of=now)
    local = now.astimezone(app_zone())
    month = Period.month(local.year, local.month, app_timezone())
    report = make_report(session, Scope(contract_id=contract.id), month, as_of=now)
    chart = None
    if report.vendors:
        chart = _svg(compliance_chart(report.vendors[0].trend, _words()), f"c{contract.id}")
    html = render_template(
        "reports/_contract_compliance.html",
        contract=contract,
        rows=rows,
        chart=chart,
        severity_labels=_severity_labels(session, contract),
    )
    return Section(10, Markup(html))  # noqa: S704 (rendered by an autoescaping template)


def _svg(chart: Chart, key: str) -> Markup:
    """A chart inline in a page, `key` making its ids unique there."""
    return Markup(svg(chart, key))  # noqa: S704 (SVG by ReportLab, its text escaped)


def _severity_labels(session: Session, contract: Contract) -> dict[str, str]:
    """The contract's severity labels by key, the latest version's first (an older version's
    severity keeps its own label)."""
    versions = session.exec(
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract.id)
        .order_by(col(ContractVersion.number).desc())
    )
    labels: dict[str, str] = {}
    for version in versions:
        for severity in terms_of(version).severities:
            labels.setdefault(severity.key, severity.label)
    return labels


def _page(filters: Filters) -> ResponseReturnValue:
    """The report page; 400 with the message beside each filter it could not use."""
    report = _report(filters)
    words = _words()
    charts = {
        vendor.vendor_id: [
            _svg(chart(vendor.trend, words), f"v{vendor.vendor_id}-{index}")
            for index, chart in enumerate((compliance_chart, severity_chart, restoration_chart))
        ]
        for vendor in report.vendors
    }
    session = db_session()
    return render_template(
        "reports/index.html",
        report=report,
        filters=filters,
        charts=charts,
        vendors=list_vendors(session),
        contracts=list_contracts(session),
        words=words,
        form=EmptyForm(),
    ), (400 if filters.errors else 200)


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    return _page(_filters())


# A download with a filter it cannot use answers the page with the message beside the filter
# (never a file about another period or scope than the one asked for).


@bp.route("/report.pdf")
@requires_role(Role.viewer)
def pdf() -> ResponseReturnValue:
    filters = _filters()
    if filters.errors:
        return _page(filters)
    return attachment(
        render_pdf(_report(filters), _locale(), organisation()),
        "application/pdf",
        _filename(filters, "pdf", _("sla-report")),
    )


@bp.route("/report.xlsx")
@requires_role(Role.viewer)
def xlsx() -> ResponseReturnValue:
    filters = _filters()
    if filters.errors:
        return _page(filters)
    return attachment(
        exports.to_xlsx(_report(filters), _locale()),
        XLSX,
        _filename(filters, "xlsx", _("sla-report")),
    )


@bp.route("/figures.csv")
@requires_role(Role.viewer)
def figures_csv() -> ResponseReturnValue:
    filters = _filters()
    if filters.errors:
        return _page(filters)
    body = exports.figures_csv(_report(filters), _locale())
    return attachment(body, "text/csv", _filename(filters, "csv", _("sla-figures")))


@bp.route("/breaches.csv")
@requires_role(Role.viewer)
def breaches_csv() -> ResponseReturnValue:
    filters = _filters()
    if filters.errors:
        return _page(filters)
    body = exports.breaches_csv(_report(filters), _locale())
    return attachment(body, "text/csv", _filename(filters, "csv", _("sla-breaches")))


@bp.route("/archive")
@requires_role(Role.viewer)
def archive() -> ResponseReturnValue:
    columns = (
        col(ArchivedReport.id),
        col(ArchivedReport.period_start),
        col(ArchivedReport.period_end),
        col(ArchivedReport.scope_label),
        col(ArchivedReport.scheduled),
        col(ArchivedReport.made_at),
    )
    rows = (
        db_session()
        .execute(
            sa_select(*columns).order_by(
                col(ArchivedReport.period_start).desc(), col(ArchivedReport.id).desc()
            )
        )
        .all()
    )
    return render_template("reports/archive.html", rows=rows, words=_words())


@bp.route("/archive", methods=["POST"])
@requires_role(Role.agent)
def archive_now() -> ResponseReturnValue:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    filters = _filters()
    if filters.errors:
        flash(_("Fix the filters before archiving."), "error")
        return redirect(url_for("reports.index") + "?" + urlencode(filters.query()))
    archived = produce(
        db_session(),
        scope=filters.scope,
        period=filters.period,
        now=utcnow(),
        made_by_id=current_user.user.id,
        locale=_locale(),
        organisation=organisation(),
    )
    flash(_("Report archived (#%(id)d).", id=archived.id), "info")
    return redirect(url_for("reports.archive"))


def _archived(report_id: int) -> ArchivedReport:
    found = db_session().get(ArchivedReport, report_id)
    if found is None:
        abort(404)
    return found


def _archived_name(found: ArchivedReport, extension: str) -> str:
    period = f"{found.period_start}_{found.period_end}"
    return f"{_('sla-report')}-{period}-archive-{found.id}.{extension}"


@bp.route("/archive/<int:report_id>.pdf")
@requires_role(Role.viewer)
def archived_pdf(report_id: int) -> ResponseReturnValue:
    found = _archived(report_id)
    return attachment(found.pdf, "application/pdf", _archived_name(found, "pdf"))


@bp.route("/archive/<int:report_id>.xlsx")
@requires_role(Role.viewer)
def archived_xlsx(report_id: int) -> ResponseReturnValue:
    found = _archived(report_id)
    return attachment(
        found.xlsx,
        XLSX,
        _archived_name(found, "xlsx"),
    )
