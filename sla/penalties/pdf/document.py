"""The statement as a PDF (ReportLab, A4): the letter notified to the vendor (the penalties the
buyer intends to apply, and until when the vendor may answer: CCAG-TIC 2021 art. 14.1.1), and
the final statement with each line's decision, ready to sign.

Made from the `StatementView` alone, worded in the language given (`sla.penalties.text`), with
the look every Garantie PDF shares (`sla.printing.layout`): the organisation and its logo at
the top, the statement named at the top of each page, the organisation, contract, period and
page numbers at the bottom. Every line quotes its clause's article, the totals the articles of
the threshold and caps. The same view makes the same bytes: the document's dates are the
instant of its step (notified, finalised), not the instant it is drawn. A long statement's
lines are one-line cells (`grid_table`): 5,000 lines make their PDF in about a second."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table
from reportlab.platypus.flowables import Flowable

from sla.penalties.pdf.look import INFO, PROCEDURE, SMALL_BOLD, WIDTH
from sla.penalties.pdf.tables import clause_codes, clauses_table, lines_tables
from sla.penalties.pdf.totals import signature_block, totals_block
from sla.penalties.statement import State, StatementView, StepKind
from sla.penalties.text import Words, words
from sla.printing.layout import (
    BODY,
    H1,
    ORGANISATION,
    SMALL,
    Running,
    SectionHeading,
    para,
    report_canvas,
)
from sla.printing.organisation import Organisation, logo_flowable
from sla.printing.words import capitalised, plain
from sla.version import __version__


def statement_pdf(
    view: StatementView, organisation: Organisation, locale: str, *, letter: bool
) -> bytes:
    """The statement as PDF bytes (A4) in `locale`: `letter`, the notification's letter to
    the vendor (the lines and amounts it proposes, the answer period); else the final
    statement with its decisions and a place for the signature."""
    w = words(locale)
    period = w.statement_period(view.period_kind, view.period_start, view.period_end)
    title = (
        w.gettext("Notice of penalties envisaged — contradictory procedure")
        if letter
        else w.gettext("Penalty statement")
    )
    if view.state is State.draft:  # not sent: a draft, as it reads now
        title = w.gettext("DRAFT — %(title)s", title=title)
    number = w.gettext("#%(id)d", id=view.id)
    author = organisation.name or "Garantie"
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=plain(f"{title} {number} — {view.contract_reference} — {period}"),
        author=plain(author),
        subject=plain(
            w.gettext(
                "Penalties of contract %(reference)s (%(vendor)s) for %(period)s",
                reference=view.contract_reference,
                vendor=view.vendor_name,
                period=period,
            )
        ),
        creator=f"Garantie {__version__}",
        keywords=plain(", ".join(filter(None, (view.contract_reference, view.vendor_name)))),
        lang=locale,
        # The same view makes the same bytes; the document's dates are its step's instant
        # (`Running.made_at`), not ReportLab's invariant 2000-01-01.
        invariant=1,
    )
    codes = clause_codes(view.lines)
    story = [
        *_heading(view, w, organisation, title, period),
        *(_letter_text(view, w, organisation) if letter else _final_text(view, w, organisation)),
        *clauses_table(view, w, codes, decided=not letter),
        *lines_tables(view, w, codes, letter=letter),
    ]
    story += totals_block(view, w, letter=letter)
    if not letter:
        story.append(signature_block(w))
    running = Running(
        footer=plain(
            " · ".join(filter(None, (organisation.name, "Garantie")))
            + f" — {w.gettext('Statement')} {number} — {view.contract_reference} — {period}"
        ),
        header=plain(f"{view.contract_reference} — {period}"),
        page=lambda page, total: f"Page {page} / {total}",
        made_at=_made_at(view, letter).astimezone(ZoneInfo(view.zone)),
    )
    document.build(story, canvasmaker=report_canvas(running))
    return buffer.getvalue()


def _made_at(view: StatementView, letter: bool) -> datetime:
    """The instant the document stands for: the notification (letter) or the decision."""
    step = view.notified_at if letter else view.finalised_at
    return step or view.computed_at


def _local_day(instant: datetime, zone: str, w: Words) -> str:
    """`16 novembre 2026 à 23:59`: a deadline as a letter states it."""
    local = instant.astimezone(ZoneInfo(zone))
    time = local.strftime("%H:%M")
    return w.gettext("%(day)s at %(time)s", day=w.day(local.date()), time=time)


def _heading(
    view: StatementView, w: Words, organisation: Organisation, title: str, period: str
) -> list[Flowable]:
    """Who writes (the organisation and its logo), what (the title, named at the top of every
    page), to whom, about which contract and period, and the statement's dates."""
    story: list[Flowable] = []
    logo = logo_flowable(organisation)
    if logo is not None:
        story += [logo, Spacer(1, 0.3 * cm)]
    if organisation.name:
        story.append(para(organisation.name, ORGANISATION))
    story.append(SectionHeading(title, H1, key="statement", level=0, section=True))
    zone = view.zone
    vendor = view.vendor_name
    if view.vendor_siret:
        vendor += " — " + w.gettext("SIRET %(siret)s", siret=view.vendor_siret)
    rows = [
        (w.gettext("Vendor"), vendor),
        (w.gettext("Contract"), f"{view.contract_reference} — {view.contract_title}"),
        (w.gettext("Period"), period),
        (w.gettext("Statement"), w.gettext("#%(id)d", id=view.id)),
        (w.gettext("Computed on"), w.when(view.computed_at, zone)),
    ]
    if view.supersedes_id is not None:
        rows.append((w.gettext("Replaces"), w.gettext("#%(id)d", id=view.supersedes_id)))
    if view.notified_at is not None:
        notified = w.when(view.notified_at, zone)
        if view.notified_to:
            notified = w.gettext("%(when)s, to %(to)s", when=notified, to=view.notified_to)
        rows.append((w.gettext("Notified on"), notified))
    if view.answer_due_at is not None:
        rows.append((w.gettext("Answer due by"), _local_day(view.answer_due_at, zone, w)))
    if view.finalised_at is not None:
        rows.append((w.gettext("Settled on"), w.when(view.finalised_at, zone)))
    table = Table(
        [[para(label, SMALL_BOLD), para(value, SMALL)] for label, value in rows],
        colWidths=[5 * cm, (WIDTH - 5) * cm],
        hAlign="LEFT",
    )
    table.setStyle(INFO)
    return [*story, table, Spacer(1, 0.4 * cm)]


def _buyer(organisation: Organisation, w: Words) -> str:
    return organisation.name or w.gettext("the buyer")


def _letter_text(view: StatementView, w: Words, organisation: Organisation) -> list[Flowable]:
    """What the letter tells the vendor: the penalties envisaged, under which clauses, and
    until when it may send its observations."""
    buyer = capitalised(_buyer(organisation, w))  # the sentence's first word
    if view.procedure_article:
        intends = w.gettext(
            "%(buyer)s intends to apply to %(vendor)s the penalties below, under the penalty "
            "clauses of contract %(reference)s (%(article)s).",
            buyer=buyer,
            vendor=view.vendor_name,
            reference=view.contract_reference,
            article=view.procedure_article,
        )
    else:
        intends = w.gettext(
            "%(buyer)s intends to apply to %(vendor)s the penalties below, under the penalty "
            "clauses of contract %(reference)s.",
            buyer=buyer,
            vendor=view.vendor_name,
            reference=view.contract_reference,
        )
    if view.answer_due_at is not None:
        answer = w.gettext(
            "Under %(procedure)s, the vendor may send its observations until %(due)s.",
            procedure=PROCEDURE,
            due=_local_day(view.answer_due_at, view.zone, w),
        )
    else:
        answer = w.gettext(
            "Under %(procedure)s, the vendor may send its observations within %(days)d days "
            "of receiving this letter.",
            procedure=PROCEDURE,
            days=view.answer_days,
        )
    without = w.gettext(
        "Without observations within this period, the penalties may be applied as notified."
    )
    return [para(f"{intends} {answer} {without}", BODY), Spacer(1, 0.3 * cm)]


def _final_text(view: StatementView, w: Words, organisation: Organisation) -> list[Flowable]:
    """What the final statement settles, and how the procedure went."""
    article = view.procedure_article or PROCEDURE
    text = [
        w.gettext(
            "After the contradictory procedure (%(article)s), %(buyer)s settles the penalties "
            "of contract %(reference)s as below.",
            article=article,
            buyer=_buyer(organisation, w),
            reference=view.contract_reference,
        )
    ]
    if view.notified_at is not None:
        received = [s.received_at or s.at for s in view.steps if s.kind is StepKind.observations]
        if received:
            text.append(
                w.gettext(
                    "The letter was notified on %(notified)s; the vendor's observations were "
                    "received on %(received)s.",
                    notified=w.when(view.notified_at, view.zone),
                    received=", ".join(w.when(at, view.zone) for at in received),
                )
            )
        else:
            text.append(
                w.gettext(
                    "The letter was notified on %(notified)s; no observations were received.",
                    notified=w.when(view.notified_at, view.zone),
                )
            )
    if view.supersedes_id is not None:
        text.append(
            w.gettext("This statement replaces statement no. %(id)d.", id=view.supersedes_id)
        )
    return [para(" ".join(text), BODY), Spacer(1, 0.3 * cm)]
