"""The mail that carries a statement's letter (its PDF attached) to the vendor, in the
letter's language: who writes, about which contract and period, the amount proposed, and
until when the vendor may send its observations (CCAG-TIC 2021 art. 14.1.1)."""

from __future__ import annotations

from sla.alerts.messages import Alert
from sla.catalogues import catalogue
from sla.error_codes import N_
from sla.penalties.statement import StatementView
from sla.printing.organisation import Organisation
from sla.printing.words import DocumentWords

SUBJECT = N_("Penalties envisaged — contract %(reference)s — %(period)s")
OPENING = N_(
    "Please find attached the statement of the penalties %(organisation)s intends to apply "
    "under contract %(reference)s (%(title)s) for %(period)s: %(total)s."
)
ANSWER = N_(
    "Under the contradictory procedure (%(article)s), you may send us your observations until "
    "%(due)s, by answering this mail."
)
NO_LINK = ""  # the vendor has no account: the mail carries no link into Garantie


def letter_mail(view: StatementView, organisation: Organisation, locale: str) -> Alert:
    """The mail of a notified statement, in `locale`."""
    w = DocumentWords(locale, catalogue(locale))
    period = w.period_title(view.period_start, view.period_end)
    article = view.procedure_article or "CCAG-TIC 2021 art. 14.1.1"
    due = w.when(view.answer_due_at, view.zone) if view.answer_due_at else ""
    lines = (
        w.gettext(
            OPENING,
            organisation=organisation.name or w.gettext("the buyer"),
            reference=view.contract_reference,
            title=view.contract_title,
            period=period,
            total=w.money(view.totals.total),
        ),
        w.gettext(ANSWER, article=article, due=due),
    )
    subject = w.gettext(SUBJECT, reference=view.contract_reference, period=period)
    return Alert(
        "penalty_letter", subject, lines, NO_LINK, {"statement_id": view.id}, heading=subject
    )
