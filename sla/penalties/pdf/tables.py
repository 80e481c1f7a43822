"""The statement's tables: the clauses applied, the lines (wrapped, or in one-line cells when
long), the decisions and their reasons."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from reportlab.platypus.flowables import Flowable

from sla.penalties.pdf.look import WIDTH
from sla.penalties.statement import LineView, StatementView
from sla.penalties.text import Words
from sla.printing.layout import (
    CHARS_PER_CM,
    H3,
    SMALL,
    WRAPPED_ROWS,
    grid_table,
    para,
    text_width,
)
from sla.printing.words import plain


def clause_codes(lines: Sequence[LineView]) -> dict[str, str]:
    """A short code per clause, in the order the lines first use them: `C1`, `C2`…"""
    codes: dict[str, str] = {}
    for line in lines:
        codes.setdefault(line.clause_key, f"C{len(codes) + 1}")
    return codes


def clauses_table(
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
    amount = whole_width([row[5] for row in rows])
    widths = [1.0, 0.0, 3.6, 2.8, 1.2, amount]
    widths[1] = WIDTH - sum(widths)
    return [*story, *grid_table(header, rows, widths)]


def whole_width(texts: Sequence[str], long: bool = False, header: str = "") -> float:
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


def lines_tables(
    view: StatementView, w: Words, codes: dict[str, str], *, letter: bool
) -> list[Flowable]:
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
    amount = whole_width([row[-1] for row in rows])
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
        whole_width([row[i] for row in rows], long=True, header=header[i])
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
        whole_width([row[2] for row in rows]),
        2.2,
        whole_width([row[4] for row in rows]),
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
        whole_width([row[0] for row in rows], long, header[0]),
        whole_width([row[1] for row in rows], long, header[1]),
        0.0,
    ]
    widths[2] = WIDTH - sum(widths)
    return [para(w.gettext("Reasons for the decisions"), H3), *grid_table(header, rows, widths)]
