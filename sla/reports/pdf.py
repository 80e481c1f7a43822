"""The report as a PDF for a management meeting (ReportLab): a title page with the period and
a summary, one section per vendor with its tables and charts, page numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from sla.reports import text as t
from sla.reports.charts import compliance_chart, restoration_chart, severity_chart
from sla.reports.figures import ContractReport, Report, VendorReport

STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9, leading=11)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=18, spaceAfter=8)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=13, spaceBefore=10)
H3 = ParagraphStyle("h3", parent=STYLES["Heading3"], fontSize=10.5, spaceBefore=8)
TITLE = ParagraphStyle("title", parent=H1, fontSize=26, leading=32, spaceAfter=20)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaed")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0a6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)


class NumberedCanvas(Canvas):
    """Writes "page N / total" on every page once the total is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.HexColor("#5f6368"))
            self.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {self._pageNumber} / {total}")
            self.drawString(2 * cm, 1.2 * cm, self._doctitle or "")
            super().showPage()
        super().save()


def _p(value: str, style: ParagraphStyle = BODY) -> Paragraph:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(t.plain(escaped), style)


WRAPPED_ROWS = 40  # longer tables get one-line cells: laying out paragraphs costs ~1 ms each
CHARS_PER_CM = 5.2
CHUNK = 30  # Helvetica 7.5 pt, average French text


def _cut(text: str, width_cm: float) -> str:
    room = max(4, int((width_cm - 0.3) * CHARS_PER_CM))
    text = t.plain(text)
    return text if len(text) <= room else text[: room - 1] + "…"


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> list[Flowable]:
    """A table; a long one in one-line cells and in chunks of CHUNK rows, each with its header
    (ReportLab splits a table at a page end by measuring the rest again: chunks keep that
    linear)."""
    head = [_p(h, SMALL) for h in header]
    sizes = [w * cm for w in widths]
    if len(rows) <= WRAPPED_ROWS:
        table = Table(
            [head, *[[_p(str(c), SMALL) for c in row] for row in rows]],
            colWidths=sizes,
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(GRID)
        return [table]
    tables: list[Flowable] = []
    for start in range(0, len(rows), CHUNK):
        body = [
            [_cut(str(c), w) for c, w in zip(row, widths, strict=True)]
            for row in rows[start : start + CHUNK]
        ]
        table = Table([head, *body], colWidths=sizes, repeatRows=1, hAlign="LEFT")
        table.setStyle(GRID)
        table.setStyle(TableStyle([("FONT", (0, 1), (-1, -1), "Helvetica", 7.5)]))
        tables.append(table)
    return tables


def _none(text: str) -> Paragraph:
    return _p(text, SMALL)


def title_page(report: Report) -> list[Flowable]:
    period = t.period_title(report.period.first, report.period.last)
    story: list[Flowable] = [
        Spacer(1, 5 * cm),
        _p("Rapport des engagements de service", TITLE),
        _p(f"Période : {period}", H2),
        _p(f"Périmètre : {report.scope}", BODY),
        _p(f"Produit le {t.when(report.as_of, report.period.zone)}", BODY),
        Spacer(1, 1 * cm),
        _p("Synthèse", H2),
    ]
    rows = []
    for vendor in report.vendors:
        for contract in vendor.contracts:
            avail = contract.availability
            rows.append(
                [
                    vendor.vendor,
                    contract.contract.reference,
                    str(contract.reported),
                    str(contract.met),
                    str(contract.breached),
                    str(contract.excluded),
                    t.percent(contract.compliance),
                    t.percent(avail.measured_percent) if avail else "—",
                ]
            )
    story.extend(
        _table(
            [
                "Fournisseur",
                "Contrat",
                "Incidents",
                "Délais tenus",
                "Dépassés",
                "Exclus",
                "Taux de respect",
                "Disponibilité",
            ],
            rows,
            [3.2, 3.4, 1.6, 1.7, 1.6, 1.3, 2, 2],
        )
    )
    story += [Spacer(1, 0.6 * cm), _p("Échéances contractuelles des trois prochains mois", H3)]
    if report.dates_ahead:
        story.extend(
            _table(
                ["Date", "Échéance", "Contrat", "Fournisseur"],
                [
                    [t.day(line.day), t.DATE_LABELS[line.what], line.contract, line.vendor]
                    for line in report.dates_ahead
                ],
                [3.5, 4.5, 4.5, 4.3],
            )
        )
    else:
        story.append(_none("Aucune."))
    story.append(
        _p(
            "Un délai compte dans la période où son issue est acquise : tenu à la date de "
            "l'étape, dépassé à l'échéance, exclu à l'invocation de la clause. Taux de respect "
            "= tenus / (tenus + dépassés). Les montants sont des estimations.",
            SMALL,
        )
    )
    return story


def _contract_heading(contract: ContractReport) -> list[Flowable]:
    """The contract's title and its incidents reported, per severity."""
    fact = contract.contract
    return [
        CondPageBreak(6 * cm),
        _p(f"Contrat {fact.reference} — {fact.title}", H3),
        _p(
            f"{contract.reported} incident(s) signalé(s) : "
            + ", ".join(f"{label} {count}" for label, count in contract.by_severity),
            BODY,
        ),
    ]


def _targets_table(contract: ContractReport) -> list[Flowable]:
    """Targets met, breached and excluded per kind, and all together, with the rates."""
    kinds = [
        [
            t.KIND_LABELS.get(k.kind, k.kind),
            str(k.met),
            str(k.breached),
            str(k.excluded),
            t.percent(k.compliance),
        ]
        for k in contract.kinds
    ]
    kinds.append(
        [
            "Tous les délais",
            str(contract.met),
            str(contract.breached),
            str(contract.excluded),
            t.percent(contract.compliance),
        ]
    )
    return _table(["Délai", "Tenus", "Dépassés", "Exclus", "Taux"], kinds, [5, 2, 2, 2, 2.5])


def _times_table(contract: ContractReport) -> list[Flowable]:
    """Times to take-charge and to restoration: count, median, 90th percentile."""
    return _table(
        ["Temps (heures ouvrées)", "Nombre", "Médiane", "90e centile"],
        [
            [label, str(s.count), t.hours(s.median), t.hours(s.p90)]
            for label, s in (
                ("Prise en charge", contract.take_charge),
                ("Rétablissement", contract.restoration),
            )
        ],
        [5, 2, 3.5, 3.5],
    )


def _availability_and_outages(contract: ContractReport, zone: str) -> list[Flowable]:
    """The availability measured against the target, when the contract has one, and the
    outages counted."""
    story: list[Flowable] = []
    if contract.availability is not None:
        a = contract.availability
        verdict = {True: "engagement tenu", False: "engagement non tenu", None: "—"}[a.met]
        story.append(
            _p(
                f"Disponibilité sur la plage de service garantie : {t.percent(a.measured_percent)}"
                f" pour un engagement de {t.percent(a.target_percent)} ({a.article}) — {verdict}."
                f" Indisponibilité comptée : {t.hours(a.down_seconds)}"
                f" sur {t.hours(a.open_seconds)}.",
                BODY,
            )
        )
    if contract.outages:
        story.extend(
            _table(
                ["Début", "Fin", "Service", "Cause", "Durée comptée"],
                [
                    [
                        t.when(o.started_at, zone),
                        t.when(o.ended_at, zone) if o.ended_at else "en cours",
                        o.service,
                        o.cause,
                        t.hours(o.down_seconds, contract.availability is not None),
                    ]
                    for o in contract.outages
                ],
                [3.3, 3.3, 3, 4.4, 2.8],
            )
        )
    return story


def _money_table(contract: ContractReport) -> list[Flowable]:
    """The amounts estimated, when there are any."""
    if not contract.money:
        return []
    return [
        _p("Montants (estimation)", H3),
        *_table(
            ["Poste", "Quantité", "Montant estimé", "Base"],
            [[m.label, m.quantity, t.money(m.amount_ht), m.basis] for m in contract.money],
            [5, 3.4, 2.8, 5.6],
        ),
    ]


def _breach_list(contract: ContractReport, zone: str) -> list[Flowable]:
    """The targets breached in the period, with how late."""
    story: list[Flowable] = [_p(f"Délais dépassés ({len(contract.breaches)})", H3)]
    if not contract.breaches:
        story.append(_none("Aucun."))
        return story
    story.extend(
        _table(
            ["Incident", "Gravité", "Délai", "Échéance", "Étape", "Retard"],
            [
                [
                    f"n° {b.incident_id} {b.title}",
                    b.severity,
                    f"{b.target} ({b.article})" if b.article else b.target,
                    t.when(b.deadline, zone),
                    t.when(b.milestone_at, zone) if b.milestone_at else "non atteinte",
                    t.hours(b.lateness_seconds, b.business),
                ]
                for b in contract.breaches
            ],
            [3.6, 2.4, 3.4, 2.8, 2.8, 1.8],
        )
    )
    return story


def _open_incidents(contract: ContractReport, zone: str) -> list[Flowable]:
    """The incidents still unresolved at the end of the period."""
    title = f"Incidents non résolus en fin de période ({len(contract.open_at_end)})"
    story: list[Flowable] = [_p(title, H3)]
    if not contract.open_at_end:
        story.append(_none("Aucun."))
        return story
    story.extend(
        _table(
            ["Incident", "Gravité", "Signalé le"],
            [
                [f"n° {o.incident_id} {o.title}", o.severity, t.when(o.reported_at, zone)]
                for o in contract.open_at_end
            ],
            [8, 4.5, 4.3],
        )
    )
    return story


def _requalifications_and_exclusions(contract: ContractReport, zone: str) -> list[Flowable]:
    """The severities changed and the exclusion clauses invoked in the period, if any."""
    if not (contract.requalifications or contract.exclusions):
        return []
    return [
        _p("Requalifications et exclusions invoquées", H3),
        *_table(
            ["Date", "Incident", "Changement", "Motif"],
            [
                [
                    t.when(c.at, zone),
                    f"n° {c.incident_id}",
                    f"{c.before} → {c.after}"
                    if c.kind == "requalified"
                    else f"exclusion {c.clause}" + (f" ({c.target})" if c.target else ""),
                    c.reason,
                ]
                for c in (*contract.requalifications, *contract.exclusions)
            ],
            [3.3, 2, 5, 6.5],
        ),
    ]


def contract_section(report: Report, contract: ContractReport) -> list[Flowable]:
    """A contract's part of its vendor's section: its figures, then the lists behind them."""
    zone = report.period.zone
    return [
        *_contract_heading(contract),
        *_targets_table(contract),
        Spacer(1, 0.2 * cm),
        *_times_table(contract),
        *_availability_and_outages(contract, zone),
        *_money_table(contract),
        *_breach_list(contract, zone),
        *_open_incidents(contract, zone),
        *_requalifications_and_exclusions(contract, zone),
    ]


def vendor_section(report: Report, vendor: VendorReport) -> list[Flowable]:
    story: list[Flowable] = [
        PageBreak(),
        _p(vendor.vendor, H1),
        _p(
            f"Taux de respect des délais sur la période : {t.percent(vendor.compliance)}.",
            BODY,
        ),
    ]
    for contract in vendor.contracts:
        story += contract_section(report, contract)
    story.append(CondPageBreak(14 * cm))
    story.append(_p("Tendances sur douze mois", H2))
    for chart in (
        compliance_chart(vendor.trend),
        severity_chart(vendor.trend),
        restoration_chart(vendor.trend),
    ):
        story.append(KeepTogether([chart, Spacer(1, 0.3 * cm)]))
    return story


def render_pdf(report: Report) -> bytes:
    buffer = io.BytesIO()
    period = t.period_title(report.period.first, report.period.last)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=f"Garantie — engagements de service — {period}",
        author="Garantie",
        invariant=1,
    )
    story = title_page(report)
    for vendor in report.vendors:
        story += vendor_section(report, vendor)
    document.build(story, canvasmaker=_canvas(f"Garantie — {report.scope} — {period}"))
    return buffer.getvalue()


def _canvas(footer: str) -> type[NumberedCanvas]:
    class Footed(NumberedCanvas):
        _doctitle = t.plain(footer)

    return Footed
