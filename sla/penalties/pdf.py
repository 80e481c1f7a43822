"""The statement as a PDF (ReportLab): the letter notified to the vendor, and the final
statement ready to sign. Written by the PDF helper; stub until then."""

from __future__ import annotations

from sla.penalties.statement import StatementView
from sla.printing.organisation import Organisation


def statement_pdf(
    view: StatementView, organisation: Organisation, locale: str, *, letter: bool
) -> bytes:
    """The statement as PDF bytes (A4) in `locale`: `letter`, the notification's letter to
    the vendor (the lines and amounts it proposes, the answer period); else the final
    statement with its decisions and a place for the signature."""
    raise NotImplementedError
