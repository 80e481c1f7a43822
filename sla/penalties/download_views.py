"""A statement's downloads: its PDF (the stored final one once final, else as it reads now),
the letter notified, its spreadsheet, and the files of the vendor's observations (always as
attachments, never shown inline). Its routes join the penalties blueprint."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from sla.penalties.models import PenaltyFile, PenaltyStatement
from sla.penalties.pdf import statement_pdf
from sla.penalties.statement import StatementView, document_stem
from sla.penalties.views import (
    bp,
    statement_or_404,
)
from sla.penalties.xlsx import statement_xlsx
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.downloads import attachment
from sla.web.roles import Role
from sla.web.settings import now_and_today, organisation

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The types an observation's file keeps when downloaded; any other is served as bytes (the
# vendor chose the type: a page or a script must never come back as one).
KEPT_TYPES = frozenset(
    {
        PDF,
        XLSX,
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
        "image/png",
        "image/jpeg",
        "message/rfc822",
        "text/plain",
        "text/csv",
    }
)


def _filename(view: StatementView, kind: str, extension: str) -> str:
    """`releve-penalites-REF-2026-10.pdf`, made safe by `attachment`."""
    stem = document_stem(
        kind, view.contract_reference, view.period_kind, view.period_start, view.period_end
    )
    return f"{stem}.{extension}"


@bp.route("/<int:statement_id>/statement.pdf")
@requires_role(Role.viewer)
def statement_pdf_download(statement_id: int) -> ResponseReturnValue:
    """The final statement as kept; before that, the letter as it reads now."""
    stored = db_session().get(PenaltyStatement, statement_id)
    if stored is None:
        abort(404)
    view = statement_or_404(statement_id, now_and_today()[0])
    content = stored.final_pdf
    if content is None:
        content = statement_pdf(view, organisation(), str(get_locale()), letter=True)
    return attachment(content, PDF, _filename(view, _("penalty-statement"), "pdf"))


@bp.route("/<int:statement_id>/letter.pdf")
@requires_role(Role.viewer)
def letter_pdf(statement_id: int) -> ResponseReturnValue:
    """The letter as notified to the vendor (kept as sent)."""
    stored = db_session().get(PenaltyStatement, statement_id)
    if stored is None or stored.letter_pdf is None:
        abort(404)
    view = statement_or_404(statement_id, now_and_today()[0])
    return attachment(stored.letter_pdf, PDF, _filename(view, _("penalty-letter"), "pdf"))


@bp.route("/<int:statement_id>/statement.xlsx")
@requires_role(Role.viewer)
def statement_xlsx_download(statement_id: int) -> ResponseReturnValue:
    view = statement_or_404(statement_id, now_and_today()[0])
    content = statement_xlsx(view, str(get_locale()))
    return attachment(content, XLSX, _filename(view, _("penalty-statement"), "xlsx"))


@bp.route("/<int:statement_id>/files/<int:file_id>")
@requires_role(Role.viewer)
def observation_file(statement_id: int, file_id: int) -> ResponseReturnValue:
    """A file the vendor sent: always downloaded, never shown in the browser."""
    found = db_session().get(PenaltyFile, file_id)
    if found is None or found.statement_id != statement_id:
        abort(404)
    mimetype = found.mimetype if found.mimetype in KEPT_TYPES else "application/octet-stream"
    return attachment(found.content, mimetype, found.filename)
