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

import heapq
import io
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from sla.engine.penalties import Totals
from sla.penalties.statement import LineView, State, StatementView, StepKind
from sla.penalties.text import TotalRow, Words, words
from sla.printing.layout import (
    BODY,
    BOLD,
    CHARS_PER_CM,
    FONT,
    H1,
    H3,
    ORGANISATION,
    SMALL,
    WRAPPED_ROWS,
    Running,
    SectionHeading,
    grid_table,
    para,
    report_canvas,
    text_width,
)
from sla.printing.organisation import Organisation, logo_flowable
from sla.printing.words import capitalised, plain
from sla.version import __version__

__all__ = ["statement_pdf"]

WIDTH = 17.0  # cm between the margins
PROCEDURE = "CCAG-TIC 2021 art. 14.1.1"  # the contradictory procedure
RIGHT = ParagraphStyle("right", parent=SMALL, alignment=TA_RIGHT)
RIGHT_BOLD = ParagraphStyle("right-bold", parent=RIGHT, fontName=BOLD)
SMALL_BOLD = ParagraphStyle("small-bold", parent=SMALL, fontName=BOLD)
INFO = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
)
TOTALS = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0a6")),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)


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
    codes = _clause_codes(view.lines)
    story = [
        *_heading(view, w, organisation, title, period),
        *(_letter_text(view, w, organisation) if letter else _final_text(view, w, organisation)),
        *_clauses(view, w, codes, decided=not letter),
        *_lines(view, w, codes, letter=letter),
    ]
    story += _totals(view, w, letter=letter)
    if not letter:
        story.append(_signature(w))
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


def _clause_codes(lines: Sequence[LineView]) -> dict[str, str]:
    """A short code per clause, in the order the lines first use them: `C1`, `C2`…"""
    codes: dict[str, str] = {}
    for line in lines:
        codes.setdefault(line.clause_key, f"C{len(codes) + 1}")
    return codes


def _clauses(
    view: StatementView, w: Words, codes: dict[str, str], *, decided: bool
) -> list[Flowable]:
    """The clauses the lines apply, each with its article, its lines and their amount (as
    decided, in the final statement; as notified, in the letter)."""
    story: list[Flowable] = [para(w.gettext("Penalty clauses applied"), H3)]
    if not view.lines:
        return [*story, para(w.gettext("No penalty over the period."), SMALL)]
    counts: dict[str, int] = {}
    sums: dict[str, Decimal] = {}
    first: dict[str, LineView] = {}
    for line in view.lines:
        counts[line.clause_key] = counts.get(line.clause_key, 0) + 1
        charged = line.amount
        if decided and line.decision is not None:
            charged = line.decision.amount
        sums[line.clause_key] = sums.get(line.clause_key, Decimal(0)) + charged
        first.setdefault(line.clause_key, line)
    rows = [
        [
            code,
            first[key].clause_label,
            first[key].clause_article,
            w.clause_kind(first[key].clause_kind),
            str(counts[key]),
            w.money(sums[key]),
        ]
        for key, code in codes.items()
    ]
    header = [
        w.gettext("Code"),
        w.gettext("Clause"),
        w.gettext("Article"),
        w.gettext("Kind"),
        w.gettext("Lines"),
        w.gettext("Amount"),
    ]
    amount = _whole_width([row[5] for row in rows])
    widths = [1.0, 0.0, 3.6, 2.8, 1.2, amount]
    widths[1] = WIDTH - sum(widths)
    return [*story, *grid_table(header, rows, widths)]


def _whole_width(texts: Sequence[str], long: bool = False, header: str = "") -> float:
    """The width in cm of a column whose cells are neither wrapped nor cut: as wide as its
    widest text; in one-line cells also as wide as `cut` wants for that many characters (it
    counts them, and leaves 4 or fewer whole). Its header wraps, but not inside a word."""
    measured: Iterable[str] = set(texts)
    needed = 0.0
    if long:
        widest = max((len(plain(text)) for text in measured), default=0)
        if widest > 4:
            needed = 0.3 + widest / CHARS_PER_CM + 0.02
        # `cut` counts more room per character than the font takes: measuring the longest
        # texts is enough (thousands of rows).
        measured = heapq.nlargest(20, measured, key=len)
    width = max(needed, text_width(list(measured)), text_width(header.split())) + 0.05
    return math.ceil(width * 20) / 20


def _ongoing(view: StatementView, w: Words) -> str:
    return w.gettext("ongoing at %(when)s", when=w.when(view.computed_at, view.zone))


def _lines(view: StatementView, w: Words, codes: dict[str, str], *, letter: bool) -> list[Flowable]:
    """One row per line: the breach (incident, target, deadline, milestone, lateness) or the
    availability stretch, the clause and its article, the units and basis, the amount; in
    the final statement, each line's decision."""
    story: list[Flowable] = [
        para(w.gettext("Penalty lines (%(n)d)", n=len(view.lines)), H3),
    ]
    if not view.lines:
        return story
    long = len(view.lines) > WRAPPED_ROWS
    story += _long_lines(view, w, codes, letter) if long else _wrapped_lines(view, w, codes)
    if any(line.kind == "breach" and line.milestone_at is None for line in view.lines):
        when = w.when(view.computed_at, view.zone)
        note = (
            w.gettext("≥: a breach still open, counted until %(when)s.", when=when)
            if long and letter
            else w.gettext(
                "A breach still open counts until %(when)s, when the lines were computed.",
                when=when,
            )
        )
        story.append(para(note, SMALL))
    if not letter:
        story += _reasons(view, w) if long else _decisions(view, w)
    return story


def _wrapped_lines(view: StatementView, w: Words, codes: dict[str, str]) -> list[Flowable]:
    """The lines of a short statement, every word of them (cells wrap)."""
    rows = []
    for line in view.lines:
        clause = f"{codes[line.clause_key]} — {line.clause_article}".rstrip(" —")
        if line.kind == "availability":
            target = w.gettext("target %(percent)s", percent=w.exact_percent(line.target_percent))
            rows.append(
                [
                    str(line.position),
                    w.gettext("Availability"),
                    f"{target} ({line.target_article})" if line.target_article else target,
                    f"{w.when(line.stretch_start, line.zone)} → "
                    f"{w.when(line.stretch_end, line.zone)}",
                    w.shortfall(line),
                    clause,
                    w.basis(line),
                    w.money(line.amount),
                ]
            )
            continue
        target = f"{line.severity} — {line.target_label or line.target_key}"
        milestone = w.when(line.milestone_at, line.zone) if line.milestone_at else _ongoing(view, w)
        rows.append(
            [
                str(line.position),
                f"{w.gettext('#%(id)d', id=line.incident_id or 0)} {line.incident_title}",
                f"{target} ({line.target_article})" if line.target_article else target,
                f"{w.when(line.deadline, line.zone)} → {milestone}",
                w.lateness(line),
                clause,
                f"{w.units(line.units, line.unit)} — {w.basis(line)}",
                w.money(line.amount),
            ]
        )
    header = [
        w.gettext("No."),
        w.gettext("Incident"),
        w.gettext("Severity — target"),
        w.gettext("Deadline → milestone"),
        w.gettext("Late by"),
        w.gettext("Clause"),
        w.gettext("Units and basis"),
        w.gettext("Amount"),
    ]
    amount = _whole_width([row[-1] for row in rows])
    widths = [0.8, 0.0, 2.4, 2.6, 1.8, 2.2, 2.5, amount]
    widths[1] = WIDTH - sum(widths)
    return grid_table(header, rows, widths)


def _long_lines(
    view: StatementView, w: Words, codes: dict[str, str], letter: bool
) -> list[Flowable]:
    """A long statement's lines in one-line cells (thousands of them draw in a second): the
    incident, its deadline, the clause's code (its article in the table of clauses), and in
    the letter how late and the units, in the final statement the decision. The spreadsheet
    holds every column."""
    rows = []
    for line in view.lines:
        if line.kind == "availability":
            incident = w.gettext("Availability")
            start = w.short_when(line.stretch_start, line.zone)
            late = w.exact_percent(line.measured_percent)
        else:
            incident = f"{w.gettext('#%(id)d', id=line.incident_id or 0)} {line.incident_title}"
            start = w.short_when(line.deadline, line.zone)
            late = w.lateness(line) if line.milestone_at else f"≥ {w.lateness(line)}"
        row = [str(line.position), incident, start]
        if letter:
            row += [late, codes[line.clause_key], str(line.units), w.figure(line.amount)]
        else:
            decision = line.decision
            row += [
                codes[line.clause_key],
                w.figure(line.amount),
                w.decision(decision.decision) if decision else "—",
                w.figure(decision.amount) if decision else "—",
            ]
        rows.append(row)
    header = [w.gettext("No."), w.gettext("Incident"), w.gettext("Deadline")]
    if letter:
        header += [w.gettext("Late by"), w.gettext("Clause"), w.gettext("Units")]
        header.append(w.gettext("Amount (€ HT)"))
    else:
        header += [w.gettext("Clause"), w.gettext("Amount notified (€ HT)")]
        header += [w.gettext("Decision"), w.gettext("Amount decided (€ HT)")]
    widths = [
        _whole_width([row[i] for row in rows], long=True, header=header[i])
        for i in range(len(header))
    ]
    if letter:
        widths[3] = 3.2  # how late: `≥ 12 h 45 ouvrées` whole, longer ones cut
    widths[1] = 0.0
    widths[1] = WIDTH - sum(widths)  # the incident's title: what is left
    return grid_table(header, rows, widths)


def _decisions(view: StatementView, w: Words) -> list[Flowable]:
    """Each line's decision after the vendor's observations: applied, reduced or waived,
    the amount decided and the reason."""
    rows = []
    for line in view.lines:
        decision = line.decision
        incident = (
            w.gettext("Availability")
            if line.kind == "availability"
            else w.gettext("#%(id)d", id=line.incident_id or 0)
        )
        rows.append(
            [
                str(line.position),
                incident,
                w.money(line.amount),
                w.decision(decision.decision) if decision else "—",
                w.money(decision.amount) if decision else "—",
                decision.reason if decision else "",
            ]
        )
    header = [
        w.gettext("No."),
        w.gettext("Incident"),
        w.gettext("Amount notified"),
        w.gettext("Decision"),
        w.gettext("Amount decided"),
        w.gettext("Reason"),
    ]
    widths = [
        0.8,
        2.2,
        _whole_width([row[2] for row in rows]),
        2.2,
        _whole_width([row[4] for row in rows]),
        0.0,
    ]
    widths[5] = WIDTH - sum(widths)
    return [para(w.gettext("Decisions"), H3), *grid_table(header, rows, widths)]


def _reasons(view: StatementView, w: Words) -> list[Flowable]:
    """In a long final statement, the reasons given for the decisions (the lines' table
    holds the decisions), line by line."""
    rows = [
        [str(line.position), w.decision(line.decision.decision), line.decision.reason]
        for line in view.lines
        if line.decision is not None and line.decision.reason
    ]
    if not rows:
        return []
    header = [w.gettext("No."), w.gettext("Decision"), w.gettext("Reason")]
    long = len(rows) > WRAPPED_ROWS
    widths = [
        _whole_width([row[0] for row in rows], long, header[0]),
        _whole_width([row[1] for row in rows], long, header[1]),
        0.0,
    ]
    widths[2] = WIDTH - sum(widths)
    return [para(w.gettext("Reasons for the decisions"), H3), *grid_table(header, rows, widths)]


def _total_table(rows: list[TotalRow], w: Words) -> Table:
    cells, amounts = [], []
    for row in rows:
        label = f"{row.label} ({row.article})" if row.article else row.label
        amount = "—" if row.amount is None else w.money(row.amount)
        style, right = (SMALL_BOLD, RIGHT_BOLD) if row.total else (SMALL, RIGHT)
        cells.append([para(label, style), para(amount, right)])
        amounts.append(amount)
    width = _whole_width(amounts)
    table = Table(cells, colWidths=[(WIDTH - width) * cm, width * cm], hAlign="LEFT")
    table.setStyle(TOTALS)
    return table


def _totals(view: StatementView, w: Words, *, letter: bool) -> list[Flowable]:
    """The totals through the threshold and caps, with their articles: as notified (the
    letter), and as decided (the final statement); amounts outside VAT. On one page."""

    def rows(totals: Totals, decided: bool = False) -> list[TotalRow]:
        return w.totals_rows(
            totals,
            threshold_article=view.threshold_article,
            cap_article=view.cap_article,
            decided=decided,
        )

    story: list[Flowable] = [para(w.gettext("Totals"), H3)]
    if letter or view.decided is None:
        story.append(_total_table(rows(view.totals), w))
        if not letter and view.undecided:
            story.append(
                para(
                    w.ngettext(
                        "%(num)d line is not decided yet.",
                        "%(num)d lines are not decided yet.",
                        view.undecided,
                    ),
                    SMALL,
                )
            )
    else:
        story += [
            para(w.gettext("As notified"), SMALL_BOLD),
            _total_table(rows(view.totals), w),
            Spacer(1, 0.3 * cm),
            para(w.gettext("As decided"), SMALL_BOLD),
            _total_table(rows(view.decided, decided=True), w),
            Spacer(1, 0.3 * cm),
            para(
                w.gettext(
                    "This statement is settled at the sum of %(amount)s.",
                    amount=w.money(view.decided.total),
                ),
                BODY,
            ),
        ]
    story.append(para(w.gettext("Amounts outside VAT: penalties are not subject to VAT."), SMALL))
    return [KeepTogether(story)]  # a few lines: on one page, with their heading


def _signature(w: Words) -> Flowable:
    """Where the buyer's representative signs the final statement, kept on one page."""
    box = Table(
        [
            [para(w.gettext("Done at ……, on ……"), BODY)],
            [para(w.gettext("The representative of the contracting authority"), BODY)],
            [para(w.gettext("Name, position and signature"), SMALL)],
        ],
        colWidths=[8.5 * cm],
        rowHeights=[None, None, 3.5 * cm],
        hAlign="RIGHT",
    )
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("BOX", (0, 2), (0, 2), 0.6, colors.HexColor("#5f6368")),
                ("TOPPADDING", (0, 1), (0, 1), 6),
            ]
        )
    )
    return KeepTogether([Spacer(1, 0.8 * cm), box])
